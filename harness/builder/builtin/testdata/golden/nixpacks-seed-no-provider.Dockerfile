# builder: nixpacks
# shell: ["bash" "-l" "-c"]
# start: cd backend && gunicorn --bind 0.0.0.0:$PORT app:app
# workdir: /app
# python: python
# note: no provider detected at the app root <project> (no main.py, requirements.txt, pyproject.toml or Pipfile there): no defaults, only <project>/nixpacks.toml applies
# note: pins [numpy==1.26.4] written into backend/requirements.txt

# ===== setup =====
# context backend/app.py <- backend/app.py (644)
# context backend/requirements.txt <- generated (644)
# context nixpacks.toml <- nixpacks.toml (644)
FROM bootmatrix-kit/nix:latest
SHELL ["bash", "-ol", "pipefail", "-c"]
COPY --from=bootmatrix-kit/wheelhouse:latest /wheelhouse /opt/bootmatrix/wheelhouse
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_FIND_LINKS=/opt/bootmatrix/wheelhouse PIP_NO_INDEX=1
RUN nix-env -iA nixpkgs.python311 nixpkgs.gcc nixpkgs.stdenv.cc.cc.lib
ENV NIXPACKS_PYTHON_VERSION=3.11
WORKDIR /app
COPY . /app

# ===== install =====
ARG BASE
FROM ${BASE}
# install phase
RUN cd backend && pip install --break-system-packages -r requirements.txt

# ===== final: none =====

# ===== generated setup:backend/requirements.txt =====
# numpy for the embeddings
numpy==1.26.4
gunicorn
