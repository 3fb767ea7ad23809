from accounts import LoginRequest

print(LoginRequest(email="admin@example.org", password="x"))
