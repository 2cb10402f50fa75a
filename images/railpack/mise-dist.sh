#!/bin/bash
# Runs in the kit builder (python3 + patchelf): turns the kit's CPython builds into what
# the railpack-builder stand-in's mise installs from, /out/mise-dist/python/<version>/,
# and builds the stand-ins' local apt repository, /out/apt/.
# VERSIONS="3.13=3.13.5 3.11=3.11.2", /cpython/<minor>.tar, BUNDLE=set file of the
# libraries the builds link that Debian's trixie-slim does not have, APT=set file of the
# repository's packages, /debs = the trixie pool.
set -euo pipefail
work=$(mktemp -d)
for d in $(cat "$BUNDLE"); do dpkg-deb -x "/debs/$d" "$work/bundle"; done
for pair in $VERSIONS; do
  minor=${pair%%=*} full=${pair#*=}
  p=/out/mise-dist/python/$full
  mkdir -p "$p"
  tar -C "$p" -xf "/cpython/$minor.tar"
  # mise's precompiled CPython carries these libraries inside itself (statically linked);
  # here they sit in its own lib/, found through RUNPATHs only (never through ld.so.cache,
  # so nothing else in the image finds them).
  cp -a "$work"/bundle/usr/lib/x86_64-linux-gnu/lib*.so.* "$p/lib/"
  # images/cpython/build.sh's binaries carry RUNPATH /../lib (the shell ate $ORIGIN):
  # set the one the README describes.
  for f in "$p"/bin/python"$minor"; do patchelf --set-rpath '$ORIGIN/../lib' "$f"; done
  for f in "$p"/lib/lib*.so.*; do [ -L "$f" ] || patchelf --set-rpath '$ORIGIN' "$f"; done
  for f in "$p"/lib/python"$minor"/lib-dynload/*.so; do patchelf --set-rpath '$ORIGIN/../..' "$f"; done
  # As mise's precompiled builds: pip installed, `python` and `pip` beside python3, and
  # scripts that find their interpreter relative to themselves (the prefix moves).
  "$p/bin/python$minor" -m ensurepip --default-pip >/dev/null
  ln -sfn "python$minor" "$p/bin/python"
  for f in "$p"/bin/*; do
    [ -L "$f" ] || ! head -c 64 "$f" | grep -q "^#!$p/bin/python" || python3 - "$f" "$minor" <<'PY'
import sys
f, minor = sys.argv[1], sys.argv[2]
lines = open(f).read().split("\n")
lines[0] = "#!/bin/sh\n'''exec' \"$(dirname -- \"$(realpath -- \"$0\")\")\"/'python%s' \"$0\" \"$@\"\n' '''" % minor
open(f, "w").write("\n".join(lines))
PY
  done
  "$p/bin/pip" --version >/dev/null
  "$p/bin/python$minor" -c 'import ssl, ctypes, sqlite3, decimal, pyexpat, readline, curses, lzma, bz2, zlib, venv, ensurepip' ||
    { echo "error: images: the mise stand-in's CPython $full does not import its standard library" >&2; exit 1; }
done
# setuptools as a wheel, from upstream's tree (its pyproject.toml builds it with itself:
# backend-path ["."], no build requirements), for pip's isolated builds of sdists.
mkdir -p /out/python-wheels "$work/st"
tar -C "$work/st" -xf "$SETUPTOOLS"
py=$(ls -d /out/mise-dist/python/3.13.*)/bin/python3.13
PIP_NO_INDEX=1 "$py" -m pip wheel -q --no-deps -w /out/python-wheels "$work"/st/* >&2
# Build tag 1: pip prefers it to a wheel of the same version without one, so it is this
# wheel pip takes whatever else PIP_FIND_LINKS offers (the wheelhouse's setuptools is
# Debian's, patched for Debian's python: with any other it fails on install_layout).
for w in /out/python-wheels/setuptools-*-py3-none-any.whl; do
  mv "$w" "${w%-py3-none-any.whl}-1-py3-none-any.whl"
done
ls /out/python-wheels/setuptools-*-1-py3-none-any.whl >/dev/null
# A flat repository apt reads with [trusted=yes]: the packages a Railpack apt step may
# name offline, with their dependencies.
mkdir -p /out/apt
: >/out/apt/Packages
for d in $(cat "$APT"); do
  cp "/debs/$d" /out/apt/
  { dpkg-deb -f "/debs/$d"; printf 'Filename: ./%s\nSize: %s\nSHA256: %s\n\n' "$d" "$(stat -c %s "/debs/$d")" "$(sha256sum <"/debs/$d" | cut -d' ' -f1)"; } >>/out/apt/Packages
done
