"""The seed's backend: FastAPI under gunicorn's uvicorn worker.

numpy is imported at start-up, as the seed's RAG engine does: when its C extension cannot
load its libraries, the gunicorn worker fails to boot (exit code 3). psycopg2 is the
database driver; the database URL is a secret the platform injects. The OpenAI and
Anthropic clients of the real backend are pure Python and not in the offline kit (see
images/README.md); nothing here depends on them to boot.
"""
import os

import numpy
import psycopg2
from fastapi import FastAPI

# Touch the C extension and BLAS at import time, as building an embeddings index would.
_CHECK = float(numpy.dot(numpy.array([1.0, 2.0]), numpy.array([3.0, 4.0])))

DATABASE_URL = os.environ.get("DATABASE_URL", "")
API_BASE = os.environ.get("API_BASE", "/api")

app = FastAPI()


@app.get("/health")
def health():
    return {"ok": True}


@app.get("/config")
def config():
    # Whether a database is configured, never its URL.
    return {"apiBase": API_BASE, "database": bool(DATABASE_URL), "driver": psycopg2.__version__.split()[0]}
