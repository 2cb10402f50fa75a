# builder: python-slim
# shell: ["bash" "-l" "-c"]
# start: gunicorn app:app
# workdir: /app
# python: python

# ===== setup =====
# context app.py <- backend/app.py (644)
# context requirements.txt <- backend/requirements.txt (644)
FROM python:3.13-slim
WORKDIR /app
COPY . /app

# ===== install =====
# build-arg PIP_INDEX_URL=https://pypi.example.test/simple
ARG BASE
FROM ${BASE}
ARG PIP_INDEX_URL
RUN pip install -r requirements.txt

# ===== final: none =====
