# Stage: Debian minbase roots imported as bootmatrix-kit/debian:<suite>.
# The debootstrap'd root is cached as a tarball keyed by suite; its package list
# (name + version) feeds the content hash, so a new point release moves the tag.

ROOTS_RECIPE_VERSION=1

build_root() {
  local suite=$1
  local dir="$KIT_CACHE/roots"
  local tarball="$dir/$suite.tar" manifest="$dir/$suite.packages"
  mkdir -p "$dir"
  if [ -n "$KIT_PLAN" ] && { [ ! -s "$tarball" ] || [ ! -s "$manifest" ]; }; then
    plan_need debootstrap "$suite"
    eval "ROOT_${suite^^}=\$KIT_REPO/debian:\$suite-?"
    plan_stage "debian:$suite" "$KIT_REPO/debian:$suite-?" || return 0
  fi
  if [ ! -s "$tarball" ] || [ ! -s "$manifest" ]; then
    [ "$(id -u)" = 0 ] || die "debootstrap needs root to build the $suite root"
    command -v debootstrap >/dev/null || die "debootstrap not found: apt-get install debootstrap"
    local work; work=$(mktemp -d "$dir/.$suite.XXXXXX")
    log "debootstrap --variant=minbase $suite from $DEBIAN_MIRROR"
    if ! debootstrap --variant=minbase "$suite" "$work/root" "$DEBIAN_MIRROR" >"$work/log" 2>&1; then
      local why; why=$(grep -E '^(E|W):' "$work/log" | tail -3 | tr '\n' ' ')
      rm -rf "$work"
      die "debootstrap of Debian $suite from $DEBIAN_MIRROR failed: ${why:-see debootstrap output} (is the mirror reachable? set DEBIAN_MIRROR to override)"
    fi
    # As the official slim images: no package lists or downloaded debs in the root.
    rm -rf "$work/root/var/lib/apt/lists/"* "$work/root/var/cache/apt/"*.bin \
      "$work/root/var/cache/apt/archives/"*.deb "$work/root/var/log/"*.log
    printf 'deb %s %s main\n' "$DEBIAN_MIRROR" "$suite" >"$work/root/etc/apt/sources.list"
    dpkg-query --admindir="$work/root/var/lib/dpkg" -W -f '${Package} ${Version}\n' | LC_ALL=C sort >"$work/packages"
    tar --numeric-owner -C "$work/root" -cf "$work/root.tar" .
    mv "$work/packages" "$manifest.tmp"
    mv "$work/root.tar" "$tarball"
    mv "$manifest.tmp" "$manifest"
    rm -rf "$work"
  fi
  local h; h=$(hash_inputs "$manifest" -- "roots-v$ROOTS_RECIPE_VERSION" "$suite")
  local tag="$KIT_REPO/debian:$suite-$h"
  eval "ROOT_${suite^^}=\$tag"
  plan_stage "debian:$suite" "$tag" || return 0
  if ! image_exists "$tag"; then
    log "importing $tag"
    local tmp="$KIT_REPO/partial:$$-$suite"
    docker import --change "LABEL org.bootmatrix.kit=debian-$suite" \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'CMD ["bash"]' "$tarball" "$tmp" >/dev/null
    docker tag "$tmp" "$tag"
    docker rmi "$tmp" >/dev/null
  fi
  finish_image "$tag" "$KIT_REPO/debian:$suite"
}

stage_roots() {
  # Both suites download at once: the time is the mirror's, not the CPU's.
  local pids=() s
  for s in bookworm trixie; do
    if [ -z "$KIT_PLAN" ] && [ ! -s "$KIT_CACHE/roots/$s.tar" ]; then
      (build_root "$s" >/dev/null) &
      pids+=($!)
    fi
  done
  for p in "${pids[@]}"; do wait "$p" || die "building a Debian root failed (see above)"; done
  build_root bookworm
  build_root trixie
}
