import magic

print(magic.from_buffer(b"%PDF-1.4\n", mime=True))
