from filetype import kind

print(kind(b"%PDF-1.4\n"))
