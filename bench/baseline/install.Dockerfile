ARG BASE
FROM ${BASE}
# install phase
RUN python -m venv --copies /opt/venv && . /opt/venv/bin/activate && pip install -r requirements.txt
