"""A backend that renders thumbnails with Qt: PyQt5's QtGui is imported at start-up
(as cv2 is in a backend that uses opencv-python), and /health answers {"ok":true}
on $PORT."""
import json
import os
from http.server import BaseHTTPRequestHandler, HTTPServer

from PyQt5.QtGui import QImage  # noqa: F401  (its Qt libraries leave libGL and glib to the system)


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
