#!/bin/sh
# Runs inside a kit root container: resolves package names against the suite's archive,
# downloads the .deb files missing from /debs (the host's cache pool) and prints the
# set's file names on stdout. MODE=closure: what `apt-get install` would add to this
# root; MODE=exact: exactly the packages named.
set -eu
# apt-get download --print-uris leaves out files already in the working directory.
cd /tmp
echo "deb $DEBIAN_MIRROR $SUITE main" >/etc/apt/sources.list
if ! apt-get update -qq -o APT::Sandbox::User=root >/tmp/update.log 2>&1 || grep -qE '^(E|W):' /tmp/update.log; then
  echo "error: images: apt-get update against $DEBIAN_MIRROR $SUITE failed: $(grep -E '^(E|W):' /tmp/update.log | head -2 | tr '\n' ' ') (is the Debian mirror reachable? set DEBIAN_MIRROR to override)" >&2
  exit 1
fi
if [ "$MODE" = closure ]; then
  apt-get install -y -qq --no-install-recommends --print-uris -o APT::Sandbox::User=root "$@" >/tmp/uris 2>/tmp/err || true
else
  apt-get download -qq --print-uris -o APT::Sandbox::User=root "$@" >/tmp/uris 2>/tmp/err || true
fi
if grep -qE '^E:' /tmp/err; then
  missing=$(sed -n -e "s/^E: Unable to locate package //p" -e "s/^E: Package '\([^']*\)' has no installation candidate/\1/p" -e "s/^E: Can't select candidate version from package \(.*\) as it has no candidate/\1/p" /tmp/err | tr "\n" " " | sed "s/ *$//")
  echo "error: images: Debian $SUITE has no package ${missing:-(see below)} — check the package name in the stage's package list" >&2
  grep -E '^E:' /tmp/err | head -3 >&2
  exit 1
fi
cd /debs
grep "^'" /tmp/uris | while read -r url file size hash; do
  url=$(echo "$url" | tr -d "'")
  if [ ! -s "$file" ]; then
    /usr/lib/apt/apt-helper -o APT::Sandbox::User=root download-file "$url" "$file.part" "$hash" >/dev/null 2>/tmp/dl || {
      echo "error: images: downloading $file from $url failed: $(cat /tmp/dl)" >&2; exit 1; }
    mv "$file.part" "$file"
  fi
  echo "$file"
done
