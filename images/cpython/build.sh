#!/bin/sh
# Builds CPython from an upstream tarball into a relocatable prefix, the way nixpkgs'
# cpython/default.nix configures it where it matters: a shared libpython, system expat
# (and libmpdec where the version supports it), no ensurepip run at install, no PGO/LTO.
# Runs inside the kit's cpython build image: SRC=/src/<tarball>, output /out/python.tar.
# Nothing in the result names the prefix it was built for in a way the loader needs:
# bin/python's RUNPATH is $ORIGIN/../lib; the Nix derivation sets absolute ones.
set -eu
cd /tmp
tar -xf "$SRC"
cd Python-*
flags="--prefix=/opt/bootmatrix/python --enable-shared --with-system-expat --without-ensurepip
  --disable-test-modules --with-lto=no"
case $PYVER in
  3.13) flags="$flags --with-system-libmpdec" ;;
  # GCC 14 made these warnings errors; 3.11.2's sources predate it.
  3.11) export CFLAGS="-Wno-error=incompatible-pointer-types -Wno-error=implicit-function-declaration -Wno-error=int-conversion" ;;
esac
# -O2 without -g (configure's default is -g -O3): faster to build, what a release build
# without debug info is; nixpkgs strips debug info anyway.
export OPT="-DNDEBUG -fwrapv -O2"
export LDFLAGS='-Wl,-rpath,$$ORIGIN/../lib'
./configure $flags >/tmp/configure.log 2>&1 || { tail -30 /tmp/configure.log; exit 1; }
# Bytecode for the default optimization level only (install compiles three).
sed -i 's/-o 0 -o 1 -o 2/-o 0/' Makefile
make -j"${JOBS:-2}" >/tmp/make.log 2>&1 || { grep -E 'error|Error' /tmp/make.log | tail -30; exit 1; }
# The test suite, idle and tkinter are not what a deploy runs (and tkinter has no Tk here).
make install DESTDIR=/tmp/root TESTSUBDIRS= >/tmp/install.log 2>&1 || { tail -30 /tmp/install.log; exit 1; }
p=/tmp/root/opt/bootmatrix/python
lib=$p/lib/python$PYVER
rm -rf "$lib/test" "$lib/idlelib" "$lib/tkinter" "$lib/turtledemo" "$lib/lib2to3/tests" \
  "$lib"/config-*/*.a "$p/share" "$p/bin/idle"*
find "$p" -name '*.so*' -type f -exec strip --strip-debug {} +
strip --strip-debug "$p/bin/python$PYVER"
# Every stdlib extension module the kit's tests rely on must have been built.
missing=""
for m in _ssl _hashlib zlib pyexpat _ctypes _sqlite3 _bz2 _lzma _uuid _decimal readline _curses binascii; do
  ls "$lib"/lib-dynload/$m.cpython-* >/dev/null 2>&1 || missing="$missing $m"
done
[ -z "$missing" ] || { echo "error: images: CPython $PYVER built without:$missing"; grep -A20 'necessary bits' /tmp/make.log; exit 1; }
ls "$lib"/ensurepip/_bundled/pip-*.whl >/dev/null || { echo "error: images: CPython $PYVER has no bundled pip wheel for ensurepip"; exit 1; }
tar --numeric-owner -C "$p" -cf /out/python.tar.part .
mv /out/python.tar.part /out/python.tar
