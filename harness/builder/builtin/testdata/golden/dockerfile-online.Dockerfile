# builder: dockerfile
# shell: ["sh" "-c"]
# start: 
# workdir: /srv
# python: python

# ===== setup =====
# build-arg PIP_INDEX_URL=https://pypi.example.test/simple
# context Dockerfile <- Dockerfile (644)
# context app.py <- app.py (644)
# context requirements.txt <- requirements.txt (644)
# syntax is the classic builder's
ARG PY=3.11
FROM python:${PY}-slim AS deps
ARG PIP_INDEX_URL
WORKDIR /app
COPY requirements.txt .
RUN pip install --prefix=/install -r requirements.txt \
    && echo FROM inside a continuation stays as it is

FROM deps AS test
ARG PIP_INDEX_URL
RUN python -c "import numpy"

FROM --platform=linux/amd64 debian:bookworm-slim
COPY --from=deps /install /usr/local
WORKDIR /srv
CMD ["gunicorn", "app:app"]

# ===== install: none =====

# ===== final: none =====
