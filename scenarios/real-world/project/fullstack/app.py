"""A backend that talks to PostgreSQL: psycopg2 is imported at start-up, and /health
answers {"ok":true} on $PORT."""
import psycopg2  # noqa: F401  (libpq must load)
import json
import os
from http.server import BaseHTTPRequestHandler, HTTPServer


class Health(BaseHTTPRequestHandler):
    def do_GET(self):
        ok = self.path == "/health"
        body = json.dumps({"ok": True}, separators=(",", ":")).encode() if ok else b"not found"
        self.send_response(200 if ok else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


HTTPServer(("0.0.0.0", int(os.environ.get("PORT", "8080"))), Health).serve_forever()
