# builder: nixpacks
# shell: ["bash" "-l" "-c"]
# start: /opt/venv/bin/gunicorn app:app
# workdir: /app
# python: python
# note: provider node wins (it comes before python in Nixpacks' order); only the Python provider's defaults are modelled, so nothing python-specific is added: the plan is <project>/nixpacks.toml
# note: pins [numpy==1.26.4] written into requirements.txt

# ===== setup =====
# context nixpacks.toml <- nixpacks.toml (644)
# context package.json <- package.json (644)
# context requirements.txt <- generated (644)
FROM bootmatrix-kit/nix:latest
SHELL ["bash", "-ol", "pipefail", "-c"]
COPY --from=bootmatrix-kit/wheelhouse:latest /wheelhouse /opt/bootmatrix/wheelhouse
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_FIND_LINKS=/opt/bootmatrix/wheelhouse PIP_NO_INDEX=1
RUN nix-env -iA nixpkgs.python311
ENV NIXPACKS_METADATA=node NIXPACKS_PYTHON_VERSION=3.11
WORKDIR /app
COPY . /app

# ===== install =====
ARG BASE
FROM ${BASE}
# install phase
RUN python -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt

# ===== final: none =====

# ===== generated setup:requirements.txt =====
numpy==1.26.4
gunicorn
