# Shared helpers for images/build.sh and its stages. Sourced, never run.

# Where everything downloaded or assembled is kept between builds (gitignored).
KIT_CACHE=${KIT_CACHE:-images/cache}
# Host copy of the wheelhouse, read by the NEEDED test.
KIT_OUT=${KIT_OUT:-images/out}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
KIT_REPO=bootmatrix-kit

log() { printf '== images: %s\n' "$*" >&2; }
die() { printf 'error: images: %s\n' "$*" >&2; exit 1; }

# hash_inputs prints a 12-hex content hash of the named files (content and name)
# and any literal strings given after "--".
hash_inputs() {
  {
    local lit=0
    for a in "$@"; do
      if [ "$a" = "--" ]; then lit=1; continue; fi
      if [ $lit = 1 ]; then printf 'lit %s\n' "$a"; continue; fi
      [ -e "$a" ] || die "hash input $a is missing"
      if [ -d "$a" ]; then
        (cd "$a" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum) | sed "s|^|$a |"
      else
        printf 'file %s %s\n' "$a" "$(sha256sum <"$a" | cut -d' ' -f1)"
      fi
    done
  } | sha256sum | cut -c1-12
}

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# finish_image moves the alias tag onto the hash-tagged image (only ever called once
# the hash tag exists, i.e. the image is complete).
finish_image() {
  local hashtag=$1 alias=$2
  docker tag "$hashtag" "$alias"
  log "$alias -> $hashtag"
}

require_docker() {
  if ! docker info >/dev/null 2>&1; then
    die "Docker engine unreachable at DOCKER_HOST=${DOCKER_HOST:-unix:///var/run/docker.sock}: start it (systemctl start docker, or run 'dockerd &' as root) or point DOCKER_HOST at a running engine"
  fi
}

# tar_import packs DIR into an image tagged TAG via a temporary tag, so an interrupted
# import never leaves TAG behind. Extra args are --change instructions.
tar_import() {
  local dir=$1 tag=$2; shift 2
  local tmp="$KIT_REPO/partial:$(date +%s)-$$-$RANDOM"
  local changes=()
  for c in "$@"; do changes+=(--change "$c"); done
  tar --numeric-owner -C "$dir" -c . | docker import "${changes[@]}" - "$tmp" >/dev/null
  docker tag "$tmp" "$tag"
  docker rmi "$tmp" >/dev/null
}

# run_in runs a throwaway build container with the kit's labels; removed on exit.
run_in() {
  docker run --rm --label org.bootmatrix.kit-build=true "$@"
}
