import http.server

from app.config import settings

print("serving with database", settings["database"], flush=True)
http.server.HTTPServer(("0.0.0.0", 8000), http.server.SimpleHTTPRequestHandler).serve_forever()
