# Shared helpers for images/build.sh and its stages. Sourced, never run.

# Where everything downloaded or assembled is kept between builds (gitignored).
KIT_CACHE=${KIT_CACHE:-images/cache}
# Host copy of the wheelhouse, read by the NEEDED test.
KIT_OUT=${KIT_OUT:-images/out}
# Absolute, because both are bind-mounted into build containers.
KIT_CACHE=$(realpath -m "$KIT_CACHE")
KIT_OUT=$(realpath -m "$KIT_OUT")
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# Overridable only to build a kit beside the real one (a cold-build measurement, the install
# test; bootmatrix run reads the same KIT_REPO); the contract names bootmatrix-kit.
KIT_REPO=${KIT_REPO:-bootmatrix-kit}

# KIT_PLAN=1 builds nothing: each stage prints "plan NAME TAG STATE" (STATE current,
# outdated, missing or unverified; TAG's hash is "?" when an input is not in the cache
# yet) and each thing a build would fetch or need "need WHAT DETAIL", on stdout, then
# returns. A stage calls plan_stage once its tag is known (`bootmatrix kit status`).
KIT_PLAN=${KIT_PLAN:-}
exec 3>&1

log() { printf '== images: %s\n' "$*" >&2; }
die() { printf 'error: images: %s\n' "$*" >&2; exit 1; }

# hash_inputs prints a 12-hex content hash of the named files (content and name)
# and any literal strings given after "--".
hash_inputs() {
  if [ -n "$KIT_PLAN" ]; then
    local p lit=0
    for p in "$@"; do
      [ "$p" = "--" ] && lit=1
      case $p in *'?'*) echo '?'; return ;; esac
      [ $lit = 1 ] || [ -e "$p" ] || { echo '?'; return; }
    done
  fi
  {
    local lit=0
    for a in "$@"; do
      if [ "$a" = "--" ]; then lit=1; continue; fi
      if [ $lit = 1 ]; then printf 'lit %s\n' "$a"; continue; fi
      [ -e "$a" ] || die "hash input $a is missing"
      # Names relative to the cache, so the hash does not depend on where the checkout is.
      local n=${a#"$KIT_CACHE"/}
      if [ -d "$a" ]; then
        (cd "$a" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum) | sed "s|^|$n |"
      else
        printf 'file %s %s\n' "$n" "$(sha256sum <"$a" | cut -d' ' -f1)"
      fi
    done
  } | sha256sum | cut -c1-12
}

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# root_key SUITE prints the recipe hash of that suite's root (its tag's hash), which
# is what every image and cached build derived from the root reads: not an image ID
# or KIT_REPO, so a kit built under another KIT_REPO, or after the root was imported
# again, reuses the cached CPython, store and wheel builds of the same recipes.
root_key() {
  local v="ROOT_${1^^}"
  [ -n "${!v:-}" ] || die "root_key $1: the $1 root's stage has not run"
  echo "${!v##*-}"
}

# plan_stage NAME TAG returns 0 outside plan mode; in plan mode it prints the stage's
# line and returns 1, so that the stage returns before building anything.
plan_stage() {
  [ -n "$KIT_PLAN" ] || return 0
  local alias="$KIT_REPO/$1" state
  if [[ $2 != *'?'* ]] && image_exists "$2"; then
    state=current
  else
    if ! image_exists "$alias"; then state=missing
    elif [[ $2 == *'?'* ]]; then state=unverified
    else state=outdated; fi
  fi
  printf 'plan %s %s %s\n' "$1" "$2" "$state" >&3
  return 1
}

plan_need() { printf 'need %s %s\n' "$1" "$2" >&3; }

# finish_image moves the alias tag onto the hash-tagged image (only ever called once
# the hash tag exists, i.e. the image is complete).
finish_image() {
  local hashtag=$1 alias=$2
  docker tag "$hashtag" "$alias"
  log "$alias -> $hashtag"
  # Older builds of the same image go; one still used by a container stays.
  local repo=${hashtag%:*} tag=${hashtag##*:} old
  for old in $(docker images --format '{{.Tag}}' "$repo"); do
    case $old in "${tag%-*}"-????????????) [ "$old" != "$tag" ] && docker rmi "$repo:$old" >/dev/null 2>&1 || true ;; esac
  done
}

require_docker() {
  if ! docker info >/dev/null 2>&1; then
    die "Docker engine unreachable at DOCKER_HOST=${DOCKER_HOST:-unix:///var/run/docker.sock}: start it (systemctl start docker, or run 'dockerd &' as root) or point DOCKER_HOST at a running engine"
  fi
}

# run_in runs a throwaway build container with the kit's labels; removed on exit.
run_in() {
  docker run --rm --name "bmkit-build-$$-$RANDOM" --label org.bootmatrix.kit-build=true "$@"
}

# fetch_source SUITE SOURCE prints the cached path of a Debian source package's upstream
# tarball (.orig.tar.*), downloading it (and recording its name) the first time. Plan mode
# downloads nothing: a source not fetched yet makes the hashes that read it unknown.
fetch_source() {
  local suite=$1 src=$2 dir="$KIT_CACHE/src"
  local rec="$dir/sets/$suite-$src"
  if [ -s "$rec" ] && [ -s "$dir/$(cat "$rec")" ]; then echo "$dir/$(cat "$rec")"; return; fi
  if [ -n "$KIT_PLAN" ]; then plan_need fetch "src/$suite-$src"; echo "$dir/$src?"; return; fi
  mkdir -p "$dir/sets"
  log "fetching the source of $src from Debian $suite"
  run_in --network host -v "$dir:/out" -v "$PWD/images/lib/fetch-source.py:/fetch-source.py:ro" \
    "$KIT_BUILDER" python3 /fetch-source.py "$DEBIAN_MIRROR" "$suite" "$src" /out >"$rec.tmp" || { rm -f "$rec.tmp"; exit 1; }
  mv "$rec.tmp" "$rec"
  echo "$dir/$(cat "$rec")"
}

# fetch_set SUITE SETNAME MODE PKG... downloads a package set into the suite's pool
# ($KIT_CACHE/debs/SUITE) once and records its files in $KIT_CACHE/debs/SUITE/sets/SETNAME.
# The set file (names carry versions) is what content hashes read. The set name must
# change when the package list does (callers put a hash of the list in it).
fetch_set() {
  local suite=$1 set=$2 mode=$3; shift 3
  local pool="$KIT_CACHE/debs/$suite"
  local list="$pool/sets/$set"
  if [ -s "$list" ]; then
    local ok=1 f
    while read -r f; do [ -s "$pool/$f" ] || ok=0; done <"$list"
    [ $ok = 1 ] && { echo "$list"; return; }
  fi
  if [ -n "$KIT_PLAN" ]; then plan_need fetch "$suite/$set"; echo "$list?"; return; fi
  mkdir -p "$pool/sets"
  log "fetching $set ($mode, $# packages) from Debian $suite"
  # The only build step that needs the mirror; an engine whose bridge has no route out
  # (as in air-gapped CI with a local mirror) still reaches it through the host's network.
  run_in --network host -e MODE="$mode" -e SUITE="$suite" -e DEBIAN_MIRROR="$DEBIAN_MIRROR" -v "$pool:/debs" -v "$PWD/images/lib/fetch-debs.sh:/fetch.sh:ro" \
    "$KIT_REPO/debian:$suite" sh /fetch.sh "$@" >"$list.tmp" || { rm -f "$list.tmp"; exit 1; }
  # An empty list is a fetch that went wrong (a mount the engine could not see, say): it
  # must stop here, not surface later as a stage missing its tools.
  [ -s "$list.tmp" ] || { rm -f "$list.tmp"; die "fetching $set from Debian $suite returned no packages"; }
  mv "$list.tmp" "$list"
  echo "$list"
}

# set_name NAME PKG... names a set after its package list.
set_name() { local n=$1; shift; echo "$n-$(printf '%s\n' "$@" | sha256sum | cut -c1-8)"; }

# cleanup_partial removes what an interrupted run of this process left: build containers
# and temporary tags (never a final tag, which is only set once an image is complete).
cleanup_partial() {
  local ids
  ids=$(docker ps -aq --filter "name=bmkit-build-$$-" 2>/dev/null || true)
  [ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1 || true
  ids=$(docker images --format '{{.Repository}}:{{.Tag}}' "$KIT_REPO/partial" 2>/dev/null | grep -- ":$$-" || true)
  [ -z "$ids" ] || docker rmi $ids >/dev/null 2>&1 || true
}

# prune_cache DIR KEEP removes the builds under DIR other than KEEP that no kit build
# has used for a day (old assemblies are large). A cache shared with kits of other
# recipes (a branch's, one built beside this under another KIT_REPO) keeps theirs while
# they are in use: each stage marks its own build used (cache_used) whenever it runs.
prune_cache() {
  local d
  cache_used "$1/$2"
  for d in "$1"/*; do
    [ -d "$d" ] && [ "${d##*/}" != "$2" ] && [ -n "$(find "$d" -maxdepth 0 -mmin +1440)" ] && rm -rf "$d"
  done
  return 0
}

# cache_used DIR records that a build's assembly in the cache was just used (not in
# plan mode, which changes nothing).
cache_used() { [ -n "$KIT_PLAN" ] || [ ! -d "$1" ] || touch "$1"; }
