from auth import ADMIN_PASSWORD_HASH, pwd_context

print(pwd_context.verify("AdminPassword123!", ADMIN_PASSWORD_HASH))
