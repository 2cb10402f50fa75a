# builder: dockerfile
# shell: ["sh" "-c"]
# start: 
# workdir: /srv
# python: python
# note: pins [numpy==1.26.4] written into requirements.txt next to Dockerfile

# ===== setup =====
# build-arg PY=3.13
# context Dockerfile <- Dockerfile (644)
# context app.py <- app.py (644)
# context requirements.txt <- generated (644)
# syntax is the classic builder's
ARG PY=3.11
FROM bootmatrix-kit/python:3.13-slim AS deps
COPY --from=bootmatrix-kit/wheelhouse:latest /wheelhouse /opt/bootmatrix/wheelhouse
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_FIND_LINKS=/opt/bootmatrix/wheelhouse PIP_NO_INDEX=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --prefix=/install -r requirements.txt \
    && echo FROM inside a continuation stays as it is

FROM deps AS test
RUN python -c "import numpy"

FROM --platform=linux/amd64 bootmatrix-kit/debian:bookworm
COPY --from=deps /install /usr/local
WORKDIR /srv
CMD ["gunicorn", "app:app"]

# ===== install: none =====

# ===== final: none =====

# ===== generated setup:requirements.txt =====
numpy==1.26.4
gunicorn==21.2.0
