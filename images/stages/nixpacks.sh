# Stage: the Nixpacks base-image stand-in (bootmatrix-kit/nixpacks:ubuntu), a Debian root
# with Debian's real Nix and a stand-in nixpkgs for the archives Nixpacks pins, whose
# packages Nix built here and serves from a signed binary cache in the image.
# See images/README.md ("Nixpacks stand-in").

# The nixpkgs archives Nixpacks pins (src/providers/python.rs: PYTHON_NIXPKGS_ARCHIVE for
# Python 3.10-3.13; src/nixpacks/nix/mod.rs: NIXPKGS_ARCHIVE, also the legacy Python one).
NIXPACKS_ARCHIVES=(bc8f8d1be58e8c8383e683a06e1e1e57893fff87 5148520bfab61f99fd25fb9ff7bfbb50dad3c9db)
NIXPACKS_LEGACY_ARCHIVE=5148520bfab61f99fd25fb9ff7bfbb50dad3c9db
# base/ubuntu/Dockerfile's apt-get install, plus Debian's Nix.
NIXPACKS_ROOT_PKGS=(sudo locales curl tzdata xz-utils ca-certificates openssl make git pkg-config nix-bin)
NIXPACKS_BUILDER_PKGS=("${NIXPACKS_ROOT_PKGS[@]}" python3 patchelf)
# What the stand-in nixpkgs' derivations are made of (builders/deb.py resolves every
# NEEDED entry among them and stops naming any it cannot).
NIXPACKS_STORE_TRIXIE=(libc6 libc-bin libgcc-s1 libstdc++6 bash coreutils libacl1 libattr1 libselinux1
  libpcre2-8-0 libgmp10 libssl3t64 libtinfo6 libgfortran5 libquadmath0 zlib1g libopenblas0-pthread libexpat1
  libffi8 libbz2-1.0 liblzma5 libncursesw6 libreadline8t64 libsqlite3-0 libuuid1 libmpdec4 libzstd1 libcap2
  ca-certificates python3-numpy gcc-14-x86-64-linux-gnu python3-pip-whl python3-gunicorn python3-packaging
  libpq5 libpq-dev libgssapi-krb5-2 libkrb5-3 libk5crypto3 libkrb5support0 libkeyutils1 libcom-err2 libldap2
  libsasl2-2 libgl1 libglvnd0 libglx0 libx11-6 libxcb1 libxau6 libxdmcp6 libbsd0 libmd0 libglib2.0-0t64
  libmount1 libblkid1 libcairo2 libpixman-1-0 libfontconfig1 libfreetype6 libpng16-16t64 libxrender1 libxext6
  libxcb-shm0 libxcb-render0 libbrotli1 libatomic1 libcrypt1 libnsl2 libtirpc3t64
  cpp-14-x86-64-linux-gnu libgcc-14-dev libisl23 libmpc3 libmpfr6 libc6-dev linux-libc-dev
  binutils-x86-64-linux-gnu libbinutils libctf0 libctf-nobfd0 libsframe1 libjansson4 libgprofng0)
NIXPACKS_STORE_BOOKWORM=(python3-numpy)
# The seed backend's Python packages (FastAPI, uvicorn, psycopg2 and what they import),
# as pythonXYPackages attributes; each is Debian's python3-<attr>.
NIXPACKS_SEED_PY=(typing-extensions idna sniffio anyio h11 click starlette psycopg2 pydantic uvicorn fastapi)
NIXPACKS_SEED_PY311=("${NIXPACKS_SEED_PY[@]}" asgiref)
NIXPACKS_SEED_PY313=("${NIXPACKS_SEED_PY[@]}" annotated-types pydantic-core)
NIXPACKS_STORE_TRIXIE+=("${NIXPACKS_SEED_PY313[@]/#/python3-}")
NIXPACKS_STORE_BOOKWORM+=("${NIXPACKS_SEED_PY311[@]/#/python3-}")
# Built (and so cached) for each archive; anything else a variant asks for is built on the spot
# from these (writeText, runCommand, buildEnv, withPackages) or fails as in nixpkgs.
NIXPACKS_ATTRS="python311 python311Packages.numpy python311Packages.pip python311Packages.gunicorn python311Packages.packaging
  python3 python3Packages.pip gcc gcc-unwrapped stdenv.cc.cc.lib gcc-unwrapped.lib binutils glibc glibc.bin glibc.dev zlib openblas bash coreutils
  cacert postgresql_16 postgresql_16.dev libGL glib cairo openssl stdenv"
NIXPACKS_ATTRS_PY313="python313 python313Packages.numpy python313Packages.pip python313Packages.gunicorn python313Packages.packaging"
NIXPACKS_ATTRS="$NIXPACKS_ATTRS ${NIXPACKS_SEED_PY311[*]/#/python311Packages.}"
NIXPACKS_ATTRS_PY313="$NIXPACKS_ATTRS_PY313 ${NIXPACKS_SEED_PY313[*]/#/python313Packages.}"

# build_dockerfile_image TAG DOCKERFILE: docker build without context (SHELL cannot be set by commit).
build_dockerfile_image() {
  local tag=$1 tmp="$KIT_REPO/partial:$$-$RANDOM"
  DOCKER_BUILDKIT=0 docker build -q -t "$tmp" - <<<"$2" >/dev/null || die "building $tag failed"
  docker tag "$tmp" "$tag"
  docker rmi "$tmp" >/dev/null
}

# fetch_nixpacks sets the stage's .deb sets (rootset bset tx bw, the caller's locals),
# downloading what is missing; prefetch runs it while CPython compiles.
fetch_nixpacks() {
  rootset=$(fetch_set trixie "$(set_name nixpacks-root "${NIXPACKS_ROOT_PKGS[@]}")" closure "${NIXPACKS_ROOT_PKGS[@]}")
  bset=$(fetch_set trixie "$(set_name nixpacks-builder "${NIXPACKS_BUILDER_PKGS[@]}")" closure "${NIXPACKS_BUILDER_PKGS[@]}")
  tx=$(fetch_set trixie "$(set_name nixpacks-store "${NIXPACKS_STORE_TRIXIE[@]}")" exact "${NIXPACKS_STORE_TRIXIE[@]}")
  bw=$(fetch_set bookworm "$(set_name nixpacks-store "${NIXPACKS_STORE_BOOKWORM[@]}")" exact "${NIXPACKS_STORE_BOOKWORM[@]}")
}

stage_nixpacks() {
  local root="$KIT_REPO/debian:trixie"
  local rootset bset tx bw
  fetch_nixpacks
  local rootid; rootid=$(root_key trixie)

  local bh; bh=$(hash_inputs "$bset" -- nix-builder "$rootid")
  local nixbuilder="$KIT_REPO/nix-builder:$bh"
  [ -n "$KIT_PLAN" ] || prune_tags "$KIT_REPO/nix-builder" "$bh"

  local h; h=$(hash_inputs images/stages/nixpacks.sh images/nixpacks/nixpkgs images/nixpacks/build-store.sh images/nixpacks/mksources.py "$tx" "$bw" "${CPYTHON_TAR[3.11]}" "${CPYTHON_TAR[3.13]}" -- "nix-builder $bh")
  local built="$KIT_CACHE/nixpacks/$h"
  cache_used "$built"
  # Plan mode builds no store: an unbuilt one leaves the image's hash unknown below.
  if [ -z "$KIT_PLAN" ] && [ ! -f "$built/.complete" ]; then
    # The builder is needed only here, when the store is not in the cache.
    if ! image_exists "$nixbuilder"; then
      log "building $nixbuilder"
      commit_image "$root" "$nixbuilder" "$bset" "rm -rf /var/lib/apt/lists/*" "LABEL org.bootmatrix.kit=nix-builder"
    fi
    log "building the stand-in nixpkgs with Nix ($h)"
    rm -rf "$built"; mkdir -p "$built"
    run_in -v "$KIT_CACHE/debs:/debs:ro" -v "$built:/out" -v "$PWD/images/nixpacks:/src:ro" \
      -v "${CPYTHON_TAR[3.11]}:/cpython/3.11.tar:ro" -v "${CPYTHON_TAR[3.13]}:/cpython/3.13.tar:ro" \
      -e MIRROR="$DEBIAN_MIRROR" -e TX="/debs/trixie/sets/$(basename "$tx")" -e BW="/debs/bookworm/sets/$(basename "$bw")" \
      -e ARCHIVES="${NIXPACKS_ARCHIVES[*]}" -e LEGACY="$NIXPACKS_LEGACY_ARCHIVE" \
      -e CPY311="$(cpython_version 3.11)" -e CPY313="$(cpython_version 3.13)" \
      -e ATTRS="$NIXPACKS_ATTRS" -e ATTRS313="$NIXPACKS_ATTRS_PY313" \
      "$nixbuilder" bash -euo pipefail /src/build-store.sh >&2 || die "building the Nixpacks stand-in's store failed (see above)"
    touch "$built/.complete"
    prune_cache "$KIT_CACHE/nixpacks" "$h"
  fi

  local ih; ih=$(hash_inputs images/stages/nixpacks.sh images/nixpacks/setup-image.sh images/nixpacks/Dockerfile.tail "$rootset" "$built/cache.pub" "$built/nixpkgs/ARCHIVES" -- "$rootid" "$h")
  local tag="$KIT_REPO/nixpacks:ubuntu-$ih"
  plan_stage nixpacks:ubuntu "$tag" || return 0
  if ! image_exists "$tag"; then
    log "building $tag"
    local base="$KIT_REPO/partial:$$-nixpacks-root"
    local name="bmkit-build-$$-$RANDOM" files
    files=$(sed 's|^|/debs/|' "$rootset" | tr '\n' ' ')
    if ! docker run --name "$name" --label org.bootmatrix.kit-build=true -v "$KIT_CACHE/debs/trixie:/debs:ro" \
        -v "$built:/kit:ro" -v "$PWD/images/nixpacks:/src:ro" -e DEBIAN_FRONTEND=noninteractive "$root" \
        bash -euc "apt-get install -y -qq --no-install-recommends -o APT::Sandbox::User=root $files >/tmp/apt.log 2>&1 || { tail -20 /tmp/apt.log; exit 1; }
          bash -eu /src/setup-image.sh" >&2; then
      docker rm -f "$name" >/dev/null 2>&1 || true
      die "building $tag failed (see above)"
    fi
    docker commit "$name" "$base" >/dev/null
    docker rm "$name" >/dev/null
    local archives; archives=$(paste -sd, "$built/nixpkgs/ARCHIVES")
    build_dockerfile_image "$tag" "FROM $base
$(cat images/nixpacks/Dockerfile.tail)
LABEL org.bootmatrix.kit=nixpacks org.bootmatrix.kit.nixpkgs-archives=$archives"
    docker rmi "$base" >/dev/null
  fi
  finish_image "$tag" "$KIT_REPO/nixpacks:ubuntu"
}

# cpython_version VER: the upstream version the cached build was made from.
cpython_version() {
  local suite src
  read -r suite src <<<"${CPYTHON_SOURCE[$1]}"
  sed -n 's/^[^_]*_\([0-9.]*\)\.orig\.tar\..*$/\1/p' "$KIT_CACHE/src/sets/$suite-$src"
}
