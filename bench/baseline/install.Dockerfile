ARG BASE
FROM ${BASE}
COPY --from=bootmatrix-kit/wheelhouse:latest /wheelhouse /opt/bootmatrix/wheelhouse
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_FIND_LINKS=/opt/bootmatrix/wheelhouse PIP_NO_INDEX=1
# install phase
ENV NIXPACKS_PATH=/opt/venv/bin:$NIXPACKS_PATH
COPY . /app/.
RUN  python -m venv --copies /opt/venv && . /opt/venv/bin/activate && pip install -r requirements.txt


RUN printf '\nPATH=/opt/venv/bin:$PATH' >> /root/.profile

# start
COPY . /app

CMD ["gunicorn -k uvicorn.workers.UvicornWorker --bind 0.0.0.0:$PORT api.index:app"]

