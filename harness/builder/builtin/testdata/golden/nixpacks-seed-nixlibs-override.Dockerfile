# builder: nixpacks
# shell: ["bash" "-l" "-c"]
# start: cd backend && gunicorn --bind 0.0.0.0:$PORT app:app
# workdir: /app
# python: python
# note: no provider detected at the app root (no main.py, requirements.txt, pyproject.toml or Pipfile there): only the config file and the overrides make the plan, on nixpkgs 5148520
# note: python 3.11 is NIXPACKS_PYTHON_VERSION, which only the Python provider reads: the nixPkgs entries decide the interpreter here

# ===== setup =====
# build-arg NIXPACKS_PYTHON_VERSION=3.11
# context .nixpacks/nixpkgs-5148520bfab61f99fd25fb9ff7bfbb50dad3c9db.nix <- generated (644)
# context backend/app.py <- backend/app.py (644)
# context backend/requirements.txt <- backend/requirements.txt (644)
# context nixpacks.toml <- nixpacks.toml (644)
FROM bootmatrix-kit/nixpacks:ubuntu

ENTRYPOINT ["/bin/bash", "-l", "-c"]
WORKDIR /app/


COPY .nixpacks/nixpkgs-5148520bfab61f99fd25fb9ff7bfbb50dad3c9db.nix .nixpacks/nixpkgs-5148520bfab61f99fd25fb9ff7bfbb50dad3c9db.nix
RUN nix-env -if .nixpacks/nixpkgs-5148520bfab61f99fd25fb9ff7bfbb50dad3c9db.nix && nix-collect-garbage -d


ARG NIXPACKS_PYTHON_VERSION
ENV NIXPACKS_PYTHON_VERSION=$NIXPACKS_PYTHON_VERSION

# setup phase
# noop


# ===== install =====
# context .nixpacks/nixpkgs-5148520bfab61f99fd25fb9ff7bfbb50dad3c9db.nix <- generated (644)
# context backend/app.py <- backend/app.py (644)
# context backend/requirements.txt <- backend/requirements.txt (644)
# context nixpacks.toml <- nixpacks.toml (644)
ARG BASE
FROM ${BASE}
COPY --from=bootmatrix-kit/wheelhouse:latest /wheelhouse /opt/bootmatrix/wheelhouse
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_FIND_LINKS=/opt/bootmatrix/wheelhouse PIP_NO_INDEX=1
# install phase
COPY . /app/.
RUN  cd backend && pip install --break-system-packages -r requirements.txt




# start
COPY . /app

CMD ["cd backend && gunicorn --bind 0.0.0.0:$PORT app:app"]


# ===== final: none =====

# ===== generated setup:.nixpacks/nixpkgs-5148520bfab61f99fd25fb9ff7bfbb50dad3c9db.nix =====
{ }:

let pkgs = import (fetchTarball "file:///opt/bootmatrix/nixpkgs/5148520bfab61f99fd25fb9ff7bfbb50dad3c9db.tar.gz") { overlays = [  ]; };
in with pkgs;
  let
    APPEND_LIBRARY_PATH = "${lib.makeLibraryPath [ stdenv.cc.cc.lib ] }";
    myLibraries = writeText "libraries" ''
      export LD_LIBRARY_PATH="${APPEND_LIBRARY_PATH}:$LD_LIBRARY_PATH"
      
    '';
  in
    buildEnv {
      name = "5148520bfab61f99fd25fb9ff7bfbb50dad3c9db-env";
      paths = [
        (runCommand "5148520bfab61f99fd25fb9ff7bfbb50dad3c9db-env" { } ''
          mkdir -p $out/etc/profile.d
          cp ${myLibraries} $out/etc/profile.d/5148520bfab61f99fd25fb9ff7bfbb50dad3c9db-env.sh
        '')
        gcc python311 stdenv.cc.cc.lib
      ];
    }

# ===== generated install:.nixpacks/nixpkgs-5148520bfab61f99fd25fb9ff7bfbb50dad3c9db.nix =====
{ }:

let pkgs = import (fetchTarball "file:///opt/bootmatrix/nixpkgs/5148520bfab61f99fd25fb9ff7bfbb50dad3c9db.tar.gz") { overlays = [  ]; };
in with pkgs;
  let
    APPEND_LIBRARY_PATH = "${lib.makeLibraryPath [ stdenv.cc.cc.lib ] }";
    myLibraries = writeText "libraries" ''
      export LD_LIBRARY_PATH="${APPEND_LIBRARY_PATH}:$LD_LIBRARY_PATH"
      
    '';
  in
    buildEnv {
      name = "5148520bfab61f99fd25fb9ff7bfbb50dad3c9db-env";
      paths = [
        (runCommand "5148520bfab61f99fd25fb9ff7bfbb50dad3c9db-env" { } ''
          mkdir -p $out/etc/profile.d
          cp ${myLibraries} $out/etc/profile.d/5148520bfab61f99fd25fb9ff7bfbb50dad3c9db-env.sh
        '')
        gcc python311 stdenv.cc.cc.lib
      ];
    }
