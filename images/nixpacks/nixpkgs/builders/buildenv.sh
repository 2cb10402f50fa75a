# buildEnv: a symlink tree of $paths, as nixpkgs' buildenv/builder.pl makes it. A
# directory that only one path has is one symlink; where two paths meet it becomes a
# real directory of links. Two different files at one place are an error unless
# ignoreCollisions is set (then the first wins).
link() { # link SRC DST
  local src=$1 dst=$2 e
  if [ ! -e "$dst" ] && [ ! -L "$dst" ]; then
    ln -s "$src" "$dst"
    return 0
  fi
  if [ -d "$src" ] && [ -d "$dst" ]; then
    if [ -L "$dst" ]; then
      local old; old=$(readlink "$dst")
      rm "$dst"; mkdir "$dst"
      linkall "$old" "$dst"
    fi
    linkall "$src" "$dst"
    return 0
  fi
  local a b
  a=$(readlink -f "$src"); b=$(readlink -f "$dst")
  if [ "$a" != "$b" ] && [ -z "$ignoreCollisions" ]; then
    echo "error: collision between \`$b' and \`$a'" >&2
    exit 1
  fi
  return 0
}
linkall() { # linkall SRCDIR DSTDIR: link every entry of SRCDIR into DSTDIR
  local e
  for e in "$1"/* "$1"/.[!.]*; do
    if [ -e "$e" ] || [ -L "$e" ]; then link "$e" "$2/${e##*/}"; fi
  done
}
mkdir -p "$out"
for p in $paths; do
  for t in $pathsToLink; do
    t=${t#/}
    if [ -z "$t" ]; then
      linkall "$p" "$out"
    elif [ -e "$p/$t" ]; then
      mkdir -p "$out/$(dirname "$t")"
      link "$p/$t" "$out/$t"
    fi
  done
done
unset p t e
