from PIL import Image

print("app is up, a", Image.new("RGB", (2, 2)).size, "image")
