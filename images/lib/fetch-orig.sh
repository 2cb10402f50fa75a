#!/bin/sh
# Runs inside a kit root container: downloads a source package's upstream tarball
# (.orig.tar.*) from the suite's archive into /out, verified against the suite's
# Sources index, and prints its file name. usage: fetch-orig.sh SOURCE
set -eu
cd /out
printf 'deb-src %s %s main\n' "$DEBIAN_MIRROR" "$SUITE" >/etc/apt/sources.list
if ! apt-get update -qq -o APT::Sandbox::User=root >/tmp/update.log 2>&1 || grep -qE '^(E|W):' /tmp/update.log; then
  echo "error: images: apt-get update (deb-src) against $DEBIAN_MIRROR $SUITE failed: $(grep -E '^(E|W):' /tmp/update.log | head -2 | tr '\n' ' ')" >&2
  exit 1
fi
# The Sources index names the tarball, its pool directory and its sha256; only the
# .orig.tar.* is fetched (apt-helper checks the hash).
apt-cache showsrc --only-source "$1" >/tmp/src 2>/dev/null || true
dir=$(sed -n 's/^Directory: //p' /tmp/src | head -1)
line=$(sed -n '/^Checksums-Sha256:/,/^[^ ]/p' /tmp/src | grep -E " ${1}_[^ ]*\.orig\.tar\.[a-z0-9]+$" | head -1)
if [ -z "$dir" ] || [ -z "$line" ]; then
  echo "error: images: Debian $SUITE's Sources index has no .orig.tar for source package $1" >&2; exit 1
fi
set -- $line
/usr/lib/apt/apt-helper -o APT::Sandbox::User=root download-file "$DEBIAN_MIRROR/$dir/$3" "$3.part" "SHA256:$1" >/dev/null 2>/tmp/dl || {
  echo "error: images: downloading $3 from $DEBIAN_MIRROR/$dir failed: $(cat /tmp/dl)" >&2; exit 1; }
mv "$3.part" "$3"
echo "$3"
