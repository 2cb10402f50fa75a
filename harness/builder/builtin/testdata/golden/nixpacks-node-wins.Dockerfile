# builder: nixpacks
# shell: ["bash" "-l" "-c"]
# start: /opt/venv/bin/gunicorn app:app
# workdir: /app
# python: /opt/venv/bin/python
# note: NIXPACKS_METADATA=node: the providers that made the plan, with their labels
# note: provider node wins (it comes before python in Nixpacks' order); only the Python provider's plan is modelled, so nothing Python-specific is installed
# note: python 3.11 is NIXPACKS_PYTHON_VERSION, which only the Python provider reads: the nixPkgs entries decide the interpreter here
# note: pins [numpy==1.26.4] written into requirements.txt
# caveat: Nixpacks' node provider is in the plan, and bootmatrix models only the Python provider: its packages and phases do not run here (nodejs, npm install and package.json's scripts; package.json has scripts: start). A deploy runs them: it can fail at build, or start differently, where this row does not.

# ===== setup =====
# build-arg NIXPACKS_METADATA=node
# build-arg NIXPACKS_PYTHON_VERSION=3.11
# context .nixpacks/nixpkgs-5148520bfab61f99fd25fb9ff7bfbb50dad3c9db.nix <- generated (644)
# context nixpacks.toml <- nixpacks.toml (644)
# context package.json <- package.json (644)
# context requirements.txt <- generated (644)
FROM bootmatrix-kit/nixpacks:ubuntu

ENTRYPOINT ["/bin/bash", "-l", "-c"]
WORKDIR /app/


COPY .nixpacks/nixpkgs-5148520bfab61f99fd25fb9ff7bfbb50dad3c9db.nix .nixpacks/nixpkgs-5148520bfab61f99fd25fb9ff7bfbb50dad3c9db.nix
RUN nix-env -if .nixpacks/nixpkgs-5148520bfab61f99fd25fb9ff7bfbb50dad3c9db.nix && nix-collect-garbage -d


ARG NIXPACKS_METADATA NIXPACKS_PYTHON_VERSION
ENV NIXPACKS_METADATA=$NIXPACKS_METADATA NIXPACKS_PYTHON_VERSION=$NIXPACKS_PYTHON_VERSION

# setup phase
# noop


# ===== install =====
# context .nixpacks/nixpkgs-5148520bfab61f99fd25fb9ff7bfbb50dad3c9db.nix <- generated (644)
# context nixpacks.toml <- nixpacks.toml (644)
# context package.json <- package.json (644)
# context requirements.txt <- generated (644)
ARG BASE
FROM ${BASE}
COPY --from=bootmatrix-kit/wheelhouse:latest /wheelhouse /opt/bootmatrix/wheelhouse
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_FIND_LINKS=/opt/bootmatrix/wheelhouse PIP_NO_INDEX=1
# install phase
COPY . /app/.
RUN  python -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt




# start
COPY . /app

CMD ["/opt/venv/bin/gunicorn app:app"]


# ===== final: none =====

# ===== generated setup:.nixpacks/nixpkgs-5148520bfab61f99fd25fb9ff7bfbb50dad3c9db.nix =====
{ }:

let pkgs = import (fetchTarball "file:///opt/bootmatrix/nixpkgs/5148520bfab61f99fd25fb9ff7bfbb50dad3c9db.tar.gz") { overlays = [  ]; };
in with pkgs;
  let
    APPEND_LIBRARY_PATH = "${lib.makeLibraryPath [  ] }";
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
        python311
      ];
    }

# ===== generated setup:requirements.txt =====
numpy==1.26.4
gunicorn

# ===== generated install:.nixpacks/nixpkgs-5148520bfab61f99fd25fb9ff7bfbb50dad3c9db.nix =====
{ }:

let pkgs = import (fetchTarball "file:///opt/bootmatrix/nixpkgs/5148520bfab61f99fd25fb9ff7bfbb50dad3c9db.tar.gz") { overlays = [  ]; };
in with pkgs;
  let
    APPEND_LIBRARY_PATH = "${lib.makeLibraryPath [  ] }";
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
        python311
      ];
    }

# ===== generated install:requirements.txt =====
numpy==1.26.4
gunicorn
