# Helpers that shape what goes into a kit image. Every stage that calls them names
# this file among its hash inputs, so a change here rebuilds the images it shapes;
# common.sh holds the rest (logging, fetching, cleanup), which does not.

# tar_import packs DIR into an image tagged TAG via a temporary tag, so an interrupted
# import never leaves TAG behind. Extra args are --change instructions.
tar_import() {
  local dir=$1 tag=$2; shift 2
  local tmp="$KIT_REPO/partial:$$-$RANDOM"
  local changes=()
  for c in "$@"; do changes+=(--change "$c"); done
  tar --numeric-owner -C "$dir" -c . | docker import "${changes[@]}" - "$tmp" >/dev/null
  docker tag "$tmp" "$tag"
  docker rmi "$tmp" >/dev/null
}

# commit_image BASE TAG SETFILE SCRIPT [--change ...]: installs the set's debs into a
# container of BASE with dpkg, runs SCRIPT (sh -c) in it and commits the result as TAG.
# The tag appears only when every step succeeded.
commit_image() {
  local base=$1 tag=$2 set=$3 script=$4; shift 4
  local pool; pool=$(dirname "$(dirname "$set")")
  local name="bmkit-build-$$-$RANDOM"  # cleanup_partial matches this
  local files; files=$(sed 's|^|/debs/|' "$set" | tr '\n' ' ')
  local changes=()
  for c in "$@"; do changes+=(--change "$c"); done
  if ! docker run --name "$name" --label org.bootmatrix.kit-build=true -v "$pool:/debs:ro" \
      -e DEBIAN_FRONTEND=noninteractive "$base" \
      sh -euc "apt-get install -y -qq --no-install-recommends -o APT::Sandbox::User=root $files >/tmp/apt.log 2>&1 || { tail -20 /tmp/apt.log; exit 1; }; $script" >&2; then
    docker rm -f "$name" >/dev/null 2>&1 || true
    die "building $tag failed (see above)"
  fi
  local tmp="$KIT_REPO/partial:$$-${name##*-}"
  docker commit "${changes[@]}" "$name" "$tmp" >/dev/null
  docker rm "$name" >/dev/null
  docker tag "$tmp" "$tag"
  docker rmi "$tmp" >/dev/null
}
