import json

import numpy  # noqa: F401  imported at start-up on purpose


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps({"ok": True}).encode()]
