# Stage: the Railpack stand-ins, bootmatrix-kit/railpack-builder and
# bootmatrix-kit/railpack-runtime, for ghcr.io/railwayapp/railpack-builder:mise-* and
# railpack-runtime:mise-* (railwayapp/railpack images/debian/{build,runtime}/Dockerfile at
# b5e805800e6787a4744cd944a357e29b848d38f3). See images/README.md ("Railpack stand-ins").

# images/debian/build/Dockerfile's apt-get install (a subset: see README), on the trixie root
# in place of buildpack-deps:trixie-scm, whose curl, git, gnupg and ssh it keeps.
RAILPACK_BUILDER_PKGS=(build-essential make pkg-config git curl ca-certificates openssl gnupg libssl-dev
  zlib1g-dev libbz2-dev liblzma-dev libzstd-dev libreadline-dev libsqlite3-dev libncurses-dev xz-utils
  libxml2-dev libxslt1-dev libffi-dev libjpeg-dev libpng-dev libpq-dev tzdata locales
)
# images/debian/runtime/Dockerfile's.
RAILPACK_RUNTIME_PKGS=(ca-certificates pkg-config openssl tzdata locales)
# What the kit's CPython builds link beyond trixie's minbase (mise's builds carry them inside).
RAILPACK_PY_BUNDLE=(libffi8 libexpat1 libmpdec4 libreadline8t64 libncursesw6)
# The local apt repository's packages (the provider's runtime and build packages, and the
# runtime libraries of the builder's -dev packages), closed over their dependencies.
RAILPACK_APT_PKGS=(libpq5 libpq-dev libgomp1 libxml2 libxslt1.1 libjpeg62-turbo libpng16-16t64 libffi8
  libgl1 libglib2.0-0t64 libcairo2 libcairo2-dev libsqlite3-0 libzstd1 libexpat1)
RAILPACK_MISE_VERSION=2026.8.6

# railpack_image BASE TAG SET DIST SCRIPT CHANGES...: SET installed into BASE, DIST (the
# assembled dist/apt directory) mounted at /kit, SCRIPT run, the result committed as TAG.
railpack_image() {
  local base=$1 tag=$2 set=$3 dist=$4 script=$5; shift 5
  local name="bmkit-build-$$-$RANDOM" files changes=() c
  files=$(sed 's|^|/debs/|' "$set" | tr '\n' ' ')
  for c in "$@"; do changes+=(--change "$c"); done
  if ! docker run --name "$name" --label org.bootmatrix.kit-build=true -v "$KIT_CACHE/debs/trixie:/debs:ro" \
      -v "$dist:/kit:ro" -v "$PWD/images/railpack:/src:ro" -e DEBIAN_FRONTEND=noninteractive "$base" \
      bash -euc "apt-get install -y -qq --no-install-recommends -o APT::Sandbox::User=root $files >/tmp/apt.log 2>&1 || { tail -20 /tmp/apt.log; exit 1; }
        mkdir -p /opt/bootmatrix && cp -a /kit/apt /opt/bootmatrix/apt
        echo 'deb [trusted=yes] file:/opt/bootmatrix/apt ./' >/etc/apt/sources.list
        rm -f /etc/apt/sources.list.d/*
        sed -i '/en_US.UTF-8/s/^# //g' /etc/locale.gen && locale-gen >/dev/null
        $script
        rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /usr/share/doc/* /usr/share/man/*" >&2; then
    docker rm -f "$name" >/dev/null 2>&1 || true
    die "building $tag failed (see above)"
  fi
  local tmp="$KIT_REPO/partial:$$-${name##*-}"
  docker commit "${changes[@]}" "$name" "$tmp" >/dev/null
  docker rm "$name" >/dev/null
  docker tag "$tmp" "$tag"
  docker rmi "$tmp" >/dev/null
}

# fetch_railpack sets the stage's .deb sets and setuptools' source (bset rset bundle
# apt setuptools, the caller's locals), downloading what is missing; prefetch runs it
# while CPython compiles.
fetch_railpack() {
  bset=$(fetch_set trixie "$(set_name railpack-builder "${RAILPACK_BUILDER_PKGS[@]}")" closure "${RAILPACK_BUILDER_PKGS[@]}")
  rset=$(fetch_set trixie "$(set_name railpack-runtime "${RAILPACK_RUNTIME_PKGS[@]}")" closure "${RAILPACK_RUNTIME_PKGS[@]}")
  bundle=$(fetch_set trixie "$(set_name railpack-pybundle "${RAILPACK_PY_BUNDLE[@]}")" exact "${RAILPACK_PY_BUNDLE[@]}")
  apt=$(fetch_set trixie "$(set_name railpack-apt "${RAILPACK_APT_PKGS[@]}")" closure "${RAILPACK_APT_PKGS[@]}")
  # setuptools for pip's isolated builds of sdists (PyPI has it; the wheelhouse has not),
  # a wheel built from upstream's source: Debian's own wheel is patched for Debian's python.
  setuptools=$(fetch_source trixie setuptools)
}

stage_railpack() {
  local root="$KIT_REPO/debian:trixie" bset rset bundle apt setuptools
  fetch_railpack
  local rootid; rootid=$(root_key trixie)
  local versions="3.13=$(cpython_version 3.13) 3.11=$(cpython_version 3.11)"

  local h; h=$(hash_inputs images/stages/railpack.sh images/railpack/mise-dist.sh "$bundle" "$apt" "$setuptools" \
    "${CPYTHON_TAR[3.13]}" "${CPYTHON_TAR[3.11]}" -- "$versions" "builder ${KIT_BUILDER##*:}")
  local built="$KIT_CACHE/railpack/$h"
  cache_used "$built"
  if [ -z "$KIT_PLAN" ] && [ ! -f "$built/.complete" ]; then
    log "assembling the Railpack stand-ins' mise Pythons and apt repository ($h)"
    rm -rf "$built"; mkdir -p "$built"
    run_in -v "$KIT_CACHE/debs/trixie:/debs:ro" -v "$built:/out" -v "$PWD/images/railpack:/src:ro" \
      -v "${CPYTHON_TAR[3.13]}:/cpython/3.13.tar:ro" -v "${CPYTHON_TAR[3.11]}:/cpython/3.11.tar:ro" \
      -v "$setuptools:/setuptools/$(basename "$setuptools"):ro" -e SETUPTOOLS="/setuptools/$(basename "$setuptools")" \
      -e VERSIONS="$versions" -e BUNDLE="/debs/sets/$(basename "$bundle")" -e APT="/debs/sets/$(basename "$apt")" \
      "$KIT_BUILDER" bash /src/mise-dist.sh >&2 || die "assembling the Railpack stand-ins failed (see above)"
    touch "$built/.complete"
    prune_cache "$KIT_CACHE/railpack" "$h"
  fi

  local bh; bh=$(hash_inputs images/stages/railpack.sh images/railpack/mise "$bset" -- "$rootid" "$h")
  local btag="$KIT_REPO/railpack-builder:mise-$RAILPACK_MISE_VERSION-$bh"
  if plan_stage "railpack-builder:mise-$RAILPACK_MISE_VERSION" "$btag"; then
    if ! image_exists "$btag"; then
      log "building $btag"
      railpack_image "$root" "$btag" "$bset" "$built" "
        mkdir -p /opt/bootmatrix/mise-dist /opt/bootmatrix/python-wheels /root/.cache
        cp -a /kit/mise-dist/. /opt/bootmatrix/mise-dist/
        cp -a /kit/python-wheels/. /opt/bootmatrix/python-wheels/
        install -m 755 /src/mise /usr/local/bin/mise
        /usr/local/bin/mise --version >/dev/null" \
        "LABEL org.bootmatrix.kit=railpack-builder" \
        'ENV DEBIAN_FRONTEND=noninteractive' 'ENV MISE_INSTALL_PATH=/usr/local/bin/mise' \
        "ENV MISE_VERSION=$RAILPACK_MISE_VERSION" 'ENV MISE_SELF_UPDATE_AVAILABLE=false' \
        'ENV MISE_DATA_DIR=/mise' 'ENV MISE_CONFIG_DIR=/mise' 'ENV MISE_CACHE_DIR=/mise/cache' \
        'ENV PATH=/mise/shims:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' 'CMD ["bash"]'
    fi
    finish_image "$btag" "$KIT_REPO/railpack-builder:mise-$RAILPACK_MISE_VERSION"
  fi

  local rh; rh=$(hash_inputs images/stages/railpack.sh "$rset" -- "$rootid" "$h" runtime)
  local rtag="$KIT_REPO/railpack-runtime:mise-$RAILPACK_MISE_VERSION-$rh"
  plan_stage "railpack-runtime:mise-$RAILPACK_MISE_VERSION" "$rtag" || return 0
  if ! image_exists "$rtag"; then
    log "building $rtag"
    railpack_image "$root" "$rtag" "$rset" "$built" "true" \
      "LABEL org.bootmatrix.kit=railpack-runtime" 'ENV DEBIAN_FRONTEND=noninteractive' \
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' 'CMD ["bash"]'
  fi
  finish_image "$rtag" "$KIT_REPO/railpack-runtime:mise-$RAILPACK_MISE_VERSION"
}
