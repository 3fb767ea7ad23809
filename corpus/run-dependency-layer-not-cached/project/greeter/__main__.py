from greeter import GREETING

print(GREETING)
