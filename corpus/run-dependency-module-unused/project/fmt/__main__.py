from fmt import tidy

print(tidy("x = {  'a':37,'b':42,\n'c':927}\n"), end="")
