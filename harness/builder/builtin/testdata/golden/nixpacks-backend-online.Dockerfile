# builder: nixpacks
# shell: ["bash" "-l" "-c"]
# start: gunicorn app:app
# workdir: /app
# python: python
# note: root is backend: the project's top-level nixpacks.toml is not read (Nixpacks reads the config from the app root only)
# note: provider python: its setup (python, gcc; libs zlib, stdenv.cc.cc.lib), venv install and PATH defaults apply

# ===== setup =====
# context app.py <- backend/app.py (644)
# context requirements.txt <- backend/requirements.txt (644)
FROM ghcr.io/railwayapp/nixpacks:ubuntu-1745885067
SHELL ["bash", "-ol", "pipefail", "-c"]
RUN nix-env -iA nixpkgs.python311 nixpkgs.gcc
RUN set -e; d=''; for a in zlib stdenv.cc.cc.lib; do p="$(nix-build '<nixpkgs>' -A "$a" --no-out-link)"; d="${d:+$d:}$p/lib"; done; mkdir -p /etc/profile.d; printf 'export LD_LIBRARY_PATH="%s${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"\n' "$d" > /etc/profile.d/nixpacks-libs.sh
ENV NIXPACKS_METADATA=python NIXPACKS_PYTHON_VERSION=3.11 PIP_DEFAULT_TIMEOUT=100 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1 PYTHONFAULTHANDLER=1 PYTHONHASHSEED=random PYTHONUNBUFFERED=1
ENV PATH="/opt/venv/bin:$PATH"
WORKDIR /app
COPY . /app

# ===== install =====
# build-arg PIP_INDEX_URL=https://pypi.example.test/simple
ARG BASE
FROM ${BASE}
ARG PIP_INDEX_URL
# install phase
RUN python -m venv --copies /opt/venv && . /opt/venv/bin/activate && pip install -r requirements.txt

# ===== final: none =====
