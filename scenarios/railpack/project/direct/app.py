"""A small WSGI backend that talks to PostgreSQL through psycopg2.

psycopg2 is imported at start-up, as an app that opens its connection pool there does:
when its extension module cannot load libpq, the gunicorn worker fails to boot.
"""
import json

import psycopg2
import psycopg2.extensions


def app(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path == "/health":
        status, body = "200 OK", {"ok": True}
    elif path == "/config":
        status, body = "200 OK", {"libpq": psycopg2.extensions.libpq_version()}
    else:
        status, body = "404 Not Found", {"error": "not found"}
    data = json.dumps(body, separators=(",", ":")).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]
