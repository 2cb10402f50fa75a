# builder: python-slim
# shell: ["sh" "-c"]
# start: gunicorn --bind 0.0.0.0:$PORT app:app
# workdir: /app
# python: python
# note: pins [NumPy==1.26.4 requests==2.31.0] written into backend/requirements.txt

# ===== setup =====
# context app.py <- backend/app.py (644)
# context requirements.txt <- generated (644)
FROM bootmatrix-kit/python:3.11-slim
COPY --from=bootmatrix-kit/wheelhouse:latest /wheelhouse /opt/bootmatrix/wheelhouse
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_FIND_LINKS=/opt/bootmatrix/wheelhouse PIP_NO_INDEX=1
WORKDIR /app
COPY . /app

# ===== install =====
ARG BASE
FROM ${BASE}
RUN pip install -r requirements.txt

# ===== final: none =====

# ===== generated setup:requirements.txt =====
# numpy for the embeddings
NumPy==1.26.4
gunicorn
requests==2.31.0
