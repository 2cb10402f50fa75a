# Stage: CPython built from Debian's source packages (upstream's tarball, the
# .orig.tar.xz), cached as a relocatable prefix tarball per version:
# $KIT_CACHE/cpython/<version>-<hash>/python.tar. The Nixpacks stand-in's nixpkgs turns it
# into nixpkgs' python; any other stand-in can unpack the same build.

# Which suite's source package gives which version (the suite's only python3.X).
declare -A CPYTHON_SOURCE=([3.11]="bookworm python3.11" [3.13]="trixie python3.13")
CPYTHON_BUILD_PKGS=(gcc make libc6-dev pkgconf xz-utils libssl-dev zlib1g-dev libexpat1-dev libffi-dev
  libbz2-dev liblzma-dev libsqlite3-dev libreadline-dev libncurses-dev uuid-dev libmpdec-dev)
build_cpython_image() {
  local root="$KIT_REPO/debian:trixie"
  local set; set=$(fetch_set trixie "$(set_name cpython-build "${CPYTHON_BUILD_PKGS[@]}")" closure "${CPYTHON_BUILD_PKGS[@]}")
  local h; h=$(hash_inputs images/stages/cpython.sh images/lib/assemble.sh "$set" -- "$(root_key trixie)")
  CPYTHON_BUILDER="$KIT_REPO/cpython-builder:$h" CPYTHON_BUILDER_SET=$set
  # An internal builder, not a kit image: the hashes need only its name, and it is
  # built only when a CPython build is not in the cache.
  [ -z "$KIT_PLAN" ] || return 0
  prune_tags "$KIT_REPO/cpython-builder" "$h"
}

ensure_cpython_builder() {
  image_exists "$CPYTHON_BUILDER" && return 0
  log "building $CPYTHON_BUILDER"
  commit_image "$KIT_REPO/debian:trixie" "$CPYTHON_BUILDER" "$CPYTHON_BUILDER_SET" "rm -rf /var/lib/apt/lists/*" "LABEL org.bootmatrix.kit=cpython-builder"
}

# build_cpython VERSION sets CPYTHON_TAR[VERSION] to the cached build; the build runs
# in the background when START_ONLY=1 (the caller waits with wait_cpython).
declare -A CPYTHON_TAR CPYTHON_PID
build_cpython() {
  local ver=$1 suite src tarball
  read -r suite src <<<"${CPYTHON_SOURCE[$ver]}"
  tarball=$(fetch_source "$suite" "$src")
  local h; h=$(hash_inputs images/stages/cpython.sh images/cpython/build.sh "$tarball" -- "cpython-builder ${CPYTHON_BUILDER##*:}")
  local built="$KIT_CACHE/cpython/$ver-$h"
  CPYTHON_TAR[$ver]="$built/python.tar"
  [ -f "$built/.complete" ] && return 0
  [ -z "$KIT_PLAN" ] || { CPYTHON_TAR[$ver]="$built?/python.tar"; return 0; }
  ensure_cpython_builder
  log "building CPython $ver from $(basename "$tarball") ($h)"
  rm -rf "$built"; mkdir -p "$built"
  (
    run_in -e PYVER="$ver" -e SRC="/src/$(basename "$tarball")" -e JOBS=2 -v "$(dirname "$tarball"):/src:ro" -v "$built:/out" \
      -v "$PWD/images/cpython/build.sh:/build.sh:ro" "$CPYTHON_BUILDER" sh /build.sh >"$built/log" 2>&1 ||
      { cat "$built/log" >&2; die "building CPython $ver failed (see above)"; }
    touch "$built/.complete"
  ) &
  CPYTHON_PID[$ver]=$!
}

wait_cpython() {
  [ -z "$KIT_PLAN" ] || return 0
  local v
  for v in "${!CPYTHON_PID[@]}"; do
    wait "${CPYTHON_PID[$v]}" || die "building CPython $v failed"
    unset "CPYTHON_PID[$v]"
  done
  for v in "${!CPYTHON_TAR[@]}"; do
    local keep; keep=$(basename "$(dirname "${CPYTHON_TAR[$v]}")")
    local d
    for d in "$KIT_CACHE/cpython/$v"-*; do [ "${d##*/}" != "$keep" ] && rm -rf "$d"; done
  done
  return 0
}

# prune_tags REPO KEEP removes every tag of REPO but KEEP (superseded builders).
prune_tags() {
  local old
  for old in $(docker images --format '{{.Tag}}' "$1"); do
    [ "$old" != "$2" ] && docker rmi "$1:$old" >/dev/null 2>&1 || true
  done
  return 0
}

stage_cpython() {
  build_cpython_image
  build_cpython 3.13
  build_cpython 3.11
}
