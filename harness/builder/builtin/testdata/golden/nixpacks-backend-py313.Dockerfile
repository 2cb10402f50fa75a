# builder: nixpacks
# shell: ["bash" "-l" "-c"]
# start: gunicorn --bind 0.0.0.0:$PORT app:app
# workdir: /app
# python: python
# note: root is backend: the project's top-level nixpacks.toml is not read (Nixpacks reads the config from the app root only)
# note: NIXPACKS_METADATA=python: the providers that made the plan, with their labels

# ===== setup =====
# build-arg NIXPACKS_METADATA=python
# build-arg NIXPACKS_PYTHON_VERSION=3.13
# build-arg PIP_DEFAULT_TIMEOUT=100
# build-arg PIP_DISABLE_PIP_VERSION_CHECK=1
# build-arg PIP_NO_CACHE_DIR=1
# build-arg PYTHONDONTWRITEBYTECODE=1
# build-arg PYTHONFAULTHANDLER=1
# build-arg PYTHONHASHSEED=random
# build-arg PYTHONUNBUFFERED=1
# context .nixpacks/nixpkgs-bc8f8d1be58e8c8383e683a06e1e1e57893fff87.nix <- generated (644)
# context app.py <- backend/app.py (644)
# context requirements.txt <- backend/requirements.txt (644)
FROM bootmatrix-kit/nixpacks:ubuntu

ENTRYPOINT ["/bin/bash", "-l", "-c"]
WORKDIR /app/


COPY .nixpacks/nixpkgs-bc8f8d1be58e8c8383e683a06e1e1e57893fff87.nix .nixpacks/nixpkgs-bc8f8d1be58e8c8383e683a06e1e1e57893fff87.nix
RUN nix-env -if .nixpacks/nixpkgs-bc8f8d1be58e8c8383e683a06e1e1e57893fff87.nix && nix-collect-garbage -d


ARG NIXPACKS_METADATA NIXPACKS_PYTHON_VERSION PIP_DEFAULT_TIMEOUT PIP_DISABLE_PIP_VERSION_CHECK PIP_NO_CACHE_DIR PYTHONDONTWRITEBYTECODE PYTHONFAULTHANDLER PYTHONHASHSEED PYTHONUNBUFFERED
ENV NIXPACKS_METADATA=$NIXPACKS_METADATA NIXPACKS_PYTHON_VERSION=$NIXPACKS_PYTHON_VERSION PIP_DEFAULT_TIMEOUT=$PIP_DEFAULT_TIMEOUT PIP_DISABLE_PIP_VERSION_CHECK=$PIP_DISABLE_PIP_VERSION_CHECK PIP_NO_CACHE_DIR=$PIP_NO_CACHE_DIR PYTHONDONTWRITEBYTECODE=$PYTHONDONTWRITEBYTECODE PYTHONFAULTHANDLER=$PYTHONFAULTHANDLER PYTHONHASHSEED=$PYTHONHASHSEED PYTHONUNBUFFERED=$PYTHONUNBUFFERED

# setup phase
# noop


# ===== install =====
# context .nixpacks/nixpkgs-bc8f8d1be58e8c8383e683a06e1e1e57893fff87.nix <- generated (644)
# context app.py <- backend/app.py (644)
# context requirements.txt <- backend/requirements.txt (644)
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

CMD ["gunicorn --bind 0.0.0.0:$PORT app:app"]


# ===== final: none =====

# ===== generated setup:.nixpacks/nixpkgs-bc8f8d1be58e8c8383e683a06e1e1e57893fff87.nix =====
{ }:

let pkgs = import (fetchTarball "file:///opt/bootmatrix/nixpkgs/bc8f8d1be58e8c8383e683a06e1e1e57893fff87.tar.gz") { overlays = [  ]; };
in with pkgs;
  let
    APPEND_LIBRARY_PATH = "${lib.makeLibraryPath [ stdenv.cc.cc.lib zlib ] }";
    myLibraries = writeText "libraries" ''
      export LD_LIBRARY_PATH="${APPEND_LIBRARY_PATH}:$LD_LIBRARY_PATH"
      
    '';
  in
    buildEnv {
      name = "bc8f8d1be58e8c8383e683a06e1e1e57893fff87-env";
      paths = [
        (runCommand "bc8f8d1be58e8c8383e683a06e1e1e57893fff87-env" { } ''
          mkdir -p $out/etc/profile.d
          cp ${myLibraries} $out/etc/profile.d/bc8f8d1be58e8c8383e683a06e1e1e57893fff87-env.sh
        '')
        gcc python313
      ];
    }

# ===== generated install:.nixpacks/nixpkgs-bc8f8d1be58e8c8383e683a06e1e1e57893fff87.nix =====
{ }:

let pkgs = import (fetchTarball "file:///opt/bootmatrix/nixpkgs/bc8f8d1be58e8c8383e683a06e1e1e57893fff87.tar.gz") { overlays = [  ]; };
in with pkgs;
  let
    APPEND_LIBRARY_PATH = "${lib.makeLibraryPath [ stdenv.cc.cc.lib zlib ] }";
    myLibraries = writeText "libraries" ''
      export LD_LIBRARY_PATH="${APPEND_LIBRARY_PATH}:$LD_LIBRARY_PATH"
      
    '';
  in
    buildEnv {
      name = "bc8f8d1be58e8c8383e683a06e1e1e57893fff87-env";
      paths = [
        (runCommand "bc8f8d1be58e8c8383e683a06e1e1e57893fff87-env" { } ''
          mkdir -p $out/etc/profile.d
          cp ${myLibraries} $out/etc/profile.d/bc8f8d1be58e8c8383e683a06e1e1e57893fff87-env.sh
        '')
        gcc python313
      ];
    }
