# builder: nixpacks
# shell: ["bash" "-l" "-c"]
# start: cd backend && gunicorn --bind 0.0.0.0:$PORT app:app
# workdir: /app
# python: python
# note: no provider detected at the app root <project> (no main.py, requirements.txt, pyproject.toml or Pipfile there): no defaults, only <project>/nixpacks.toml applies

# ===== setup =====
# context backend/app.py <- backend/app.py (644)
# context backend/requirements.txt <- backend/requirements.txt (644)
# context nixpacks.toml <- nixpacks.toml (644)
FROM bootmatrix-kit/nix:latest
SHELL ["bash", "-ol", "pipefail", "-c"]
COPY --from=bootmatrix-kit/wheelhouse:latest /wheelhouse /opt/bootmatrix/wheelhouse
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_FIND_LINKS=/opt/bootmatrix/wheelhouse PIP_NO_INDEX=1
RUN nix-env -iA nixpkgs.python311 nixpkgs.gcc nixpkgs.stdenv.cc.cc.lib
RUN set -e; d=''; for a in stdenv.cc.cc.lib; do p="$(nix-build '<nixpkgs>' -A "$a" --no-out-link)"; d="${d:+$d:}$p/lib"; done; mkdir -p /etc/profile.d; printf 'export LD_LIBRARY_PATH="%s${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"\n' "$d" > /etc/profile.d/nixpacks-libs.sh
ENV NIXPACKS_PYTHON_VERSION=3.11
WORKDIR /app
COPY . /app

# ===== install =====
ARG BASE
FROM ${BASE}
# install phase
RUN cd backend && pip install --break-system-packages -r requirements.txt

# ===== final: none =====
