# Runs in the Nix kit builder (Debian's nix-bin, python3, patchelf): writes the stand-in
# nixpkgs archives, has Nix build every cached attribute from them, checks the results
# and publishes their closures into a binary cache signed with a key made here (its
# secret half never leaves this container).
# Out: /out/nixpkgs/<rev>.tar.gz, /out/nixpkgs/ARCHIVES, /out/cache/, /out/cache.pub,
# /out/glibc (the glibc store path the loader's default directory links to).
# max-jobs: most of the store's derivations are conversions of .deb files that do not
# depend on each other, so they build side by side (Nix builds one at a time by
# default); no store path depends on it.
mkdir -p /etc/nix /out/nixpkgs /tmp/np
cat >/etc/nix/nix.conf <<'CONF'
build-users-group =
sandbox = false
substituters =
experimental-features = nix-command
max-jobs = auto
CONF
export HOME=/root NIX_PATH=
python3 /src/mksources.py "$MIRROR" /debs /tmp/fod trixie="$TX" bookworm="$BW" \
  "cpython:3.11=$CPY311=/cpython/3.11.tar" "cpython:3.13=$CPY313=/cpython/3.13.tar" >/tmp/sources.nix
for f in /tmp/fod/*; do nix-store --add-fixed sha256 "$f" >/dev/null; done
for rev in $ARCHIVES; do
  d=/tmp/np/nixpkgs-$rev
  cp -r /src/nixpkgs "$d"
  cp /tmp/sources.nix "$d/sources.nix"
  legacy=false; [ "$rev" = "$LEGACY" ] && legacy=true
  printf '{ rev = "%s"; legacy = %s; }\n' "$rev" "$legacy" >"$d/rev.nix"
  tar -C /tmp/np --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -czf "/out/nixpkgs/$rev.tar.gz" "nixpkgs-$rev"
  echo "$rev" >>/out/nixpkgs/ARCHIVES
done
main=${ARCHIVES%% *}
# glibc first: the loader's default directory is a link to its lib.
glibc=$(nix-build --no-out-link /tmp/np/nixpkgs-$main -A glibc 2>/tmp/b.log) || { tail -30 /tmp/b.log; exit 1; }
mkdir -p /nix/var/nix/ld
ln -sfn "$glibc/lib" /nix/var/nix/ld/glibc
echo "$glibc" >/out/glibc
: >/tmp/paths
for rev in $ARCHIVES; do
  attrs=$ATTRS; [ "$rev" = "$LEGACY" ] || attrs="$attrs $ATTRS313"
  args=""; for a in $attrs; do args="$args -A $a"; done
  nix-build --no-out-link "/tmp/np/nixpkgs-$rev" $args >>/tmp/paths 2>/tmp/b.log ||
    { grep -v '^building\|^these\|^  /nix' /tmp/b.log | tail -40; exit 1; }
done
# A withPackages environment and the runtime builders must build from the cached paths
# alone (the image has no python3, dpkg-deb or patchelf outside the store).
nix-build --no-out-link -E "with import /tmp/np/nixpkgs-$main {}; [ stdenv (python311.withPackages (ps: [ ps.numpy ])) ]" >>/tmp/paths 2>/tmp/b.log ||
  { tail -30 /tmp/b.log; exit 1; }
# Build-time checks of what the tests rely on.
for py in python311 python313; do
  p=$(nix-build --no-out-link "/tmp/np/nixpkgs-$main" -A $py)
  PYTHONDONTWRITEBYTECODE= LD_LIBRARY_PATH= "$p/bin/python3" -c "import ssl, sqlite3, ctypes, decimal, lzma, bz2, zlib, uuid, venv, ensurepip, readline, pyexpat, curses" ||
    { echo "error: images: $py in the Nix store cannot import its standard modules" >&2; exit 1; }
  if LD_LIBRARY_PATH= "$p/bin/python3" -c "import pip" 2>/dev/null; then
    echo "error: images: $py carries pip, nixpkgs' python does not" >&2; exit 1
  fi
done
e=$(nix-build --no-out-link -E "with import /tmp/np/nixpkgs-$main {}; python311.withPackages (ps: [ ps.numpy ])")
LD_LIBRARY_PATH= "$e/bin/python3" -c "import numpy" || { echo "error: images: numpy does not import in a python311.withPackages environment" >&2; exit 1; }
# The gcc wrapper compiles and links as nixpkgs' does, which psycopg2's sdist relies on:
# a program runs on the store's loader, and what it linked with -lpq from pg_config's
# libdir loads through the RUNPATH the linker wrapper adds. The builder has no other cc.
cc=$(nix-build --no-out-link "/tmp/np/nixpkgs-$main" -A gcc)
pq=$(nix-build --no-out-link "/tmp/np/nixpkgs-$main" -A postgresql_16.dev)
ldso=$(cat /out/glibc)/lib/ld-linux-x86-64.so.2
printf '#include <errno.h>\n#include <sys/socket.h>\n#include <stdio.h>\n#include <libpq-fe.h>\nint main(void) { printf("libpq %%d\\n", PQlibVersion()); return 0; }\n' >/tmp/cc.c
PATH="$cc/bin:$pq/bin:/usr/bin:/bin" gcc -O2 -I"$("$pq/bin/pg_config" --includedir)" -o /tmp/cc /tmp/cc.c -L"$("$pq/bin/pg_config" --libdir)" -lpq ||
  { echo "error: images: the stand-in gcc cannot compile and link against libpq" >&2; exit 1; }
[ "$(patchelf --print-interpreter /tmp/cc)" = "$ldso" ] ||
  { echo "error: images: the stand-in gcc linked a program for $(patchelf --print-interpreter /tmp/cc), not $ldso" >&2; exit 1; }
LD_LIBRARY_PATH= /tmp/cc | grep -q '^libpq [0-9]' ||
  { echo "error: images: a program the stand-in gcc linked against libpq does not run" >&2; exit 1; }
# Nothing above may have changed a store path (python writing bytecode would have).
sort -u /tmp/paths | xargs nix-store -qR | xargs nix-store --verify-path ||
  { echo "error: images: a store path changed after it was built" >&2; exit 1; }
nix-store --generate-binary-cache-key bootmatrix-kit-nixpacks-1 /tmp/cache.sec /out/cache.pub
sort -u /tmp/paths | xargs nix copy --to "file:///out/cache?compression=zstd&secret-key=/tmp/cache.sec"
rm -f /tmp/cache.sec
