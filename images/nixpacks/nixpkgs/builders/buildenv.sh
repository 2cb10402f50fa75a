# buildEnv: a symlink tree of $paths, as nixpkgs' buildenv/builder.pl makes it. A
# directory that only one path has is one symlink; where two paths meet it becomes a
# real directory of links. Two different files at one place are an error unless
# ignoreCollisions is set (then the first wins).
link() { # link SRC DST
  local src=$1 dst=$2 e
  if [ ! -e "$dst" ] && [ ! -L "$dst" ]; then
    ln -s "$src" "$dst"
    return
  fi
  if [ -d "$src" ] && [ -d "$dst" ]; then
    if [ -L "$dst" ]; then
      local old; old=$(readlink "$dst")
      rm "$dst"; mkdir "$dst"
      for e in "$old"/* "$old"/.[!.]*; do [ -e "$e" ] || [ -L "$e" ] && link "$e" "$dst/${e##*/}"; done
    fi
    for e in "$src"/* "$src"/.[!.]*; do [ -e "$e" ] || [ -L "$e" ] && link "$e" "$dst/${e##*/}"; done
    return
  fi
  local a b
  a=$(readlink -f "$src"); b=$(readlink -f "$dst")
  [ "$a" = "$b" ] && return
  if [ -z "$ignoreCollisions" ]; then
    echo "error: collision between \`$b' and \`$a'" >&2
    exit 1
  fi
}
mkdir -p "$out"
for p in $paths; do
  for t in $pathsToLink; do
    t=${t#/}
    if [ -z "$t" ]; then
      for e in "$p"/* "$p"/.[!.]*; do [ -e "$e" ] || [ -L "$e" ] && link "$e" "$out/${e##*/}"; done
    elif [ -e "$p/$t" ]; then
      mkdir -p "$out/$(dirname "$t")"
      link "$p/$t" "$out/$t"
    fi
  done
done
unset p t e
