# Stage: python:X.Y-slim stand-ins, Debian's python3 on the minbase roots, shaped like the
# official images where it matters (see images/README.md for what still differs), and the
# kit builder (python3 + patchelf on trixie) that assembles the wheelhouse and Nix store.

SLIM_PKGS=(python3 python3-pip python3-venv python-is-python3)
BUILDER_PKGS=(python3 patchelf)

build_slim() {
  local suite=$1 pyver=$2
  local root="$KIT_REPO/debian:$suite"
  local set; set=$(fetch_set "$suite" "$(set_name slim "${SLIM_PKGS[@]}")" closure "${SLIM_PKGS[@]}")
  local h; h=$(hash_inputs images/stages/slim.sh images/lib/assemble.sh "$set" -- "$(root_key "$suite")")
  local tag="$KIT_REPO/python:$pyver-slim-$h"
  plan_stage "python:$pyver-slim" "$tag" || return 0
  if ! image_exists "$tag"; then
    log "building $tag"
    # The official images carry no EXTERNALLY-MANAGED marker: pip installs as root work.
    commit_image "$root" "$tag" "$set" "
      rm -f /usr/lib/python3*/EXTERNALLY-MANAGED
      rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /usr/share/doc/* /usr/share/man/*
      python3 -c 'import sys; assert sys.version_info[:2] == tuple(map(int, \"$pyver\".split(\".\")))'
      python -m pip --version >/dev/null && pip --version >/dev/null" \
      "LABEL org.bootmatrix.kit=python-$pyver-slim" \
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      'ENV LANG=C.UTF-8' "ENV PYTHON_VERSION=$pyver" 'CMD ["python3"]'
  fi
  finish_image "$tag" "$KIT_REPO/python:$pyver-slim"
}

build_builder() {
  local root="$KIT_REPO/debian:trixie"
  local set; set=$(fetch_set trixie "$(set_name builder "${BUILDER_PKGS[@]}")" closure "${BUILDER_PKGS[@]}")
  local h; h=$(hash_inputs images/stages/slim.sh images/lib/assemble.sh "$set" -- builder "$(root_key trixie)")
  KIT_BUILDER="$KIT_REPO/builder:$h"
  plan_stage builder "$KIT_BUILDER" || return 0
  if ! image_exists "$KIT_BUILDER"; then
    log "building $KIT_BUILDER"
    commit_image "$root" "$KIT_BUILDER" "$set" "rm -rf /var/lib/apt/lists/*" \
      "LABEL org.bootmatrix.kit=builder"
  fi
  # The builder has no alias tag for finish_image to move: its superseded hashes go here.
  local old
  for old in $(docker images --format '{{.Tag}}' "$KIT_REPO/builder"); do
    [ "$old" != "$h" ] && docker rmi "$KIT_REPO/builder:$old" >/dev/null 2>&1 || true
  done
}

stage_slim() {
  build_slim bookworm 3.11
  build_slim trixie 3.13
}
