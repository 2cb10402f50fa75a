"""The seed's backend, reduced to what decides whether it boots.

numpy is imported at start-up, as the seed's RAG engine does: when its C extension cannot
load its libraries, the gunicorn worker fails to boot (exit code 3). A plain WSGI app,
because FastAPI's native dependencies are not in the offline kit.
"""
import json
import os

import numpy

# Touch the C extension and BLAS at import time, as building an embeddings index would.
_CHECK = float(numpy.dot(numpy.array([1.0, 2.0]), numpy.array([3.0, 4.0])))

API_BASE = os.environ.get("API_BASE", "/api")


def app(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path == "/health":
        status, body = "200 OK", {"ok": True}
    elif path == "/config":
        status, body = "200 OK", {"apiBase": API_BASE}
    else:
        status, body = "404 Not Found", {"error": "not found", "path": path}
    data = json.dumps(body, separators=(",", ":")).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]
