# python.withPackages' postBuild (nixpkgs' python/wrapper.nix): every program of the
# environment's paths becomes a wrapper. The interpreter keeps its argv0 (so it finds the
# environment's lib/pythonX.Y and its site-packages); other programs get NIX_PYTHONPREFIX,
# NIX_PYTHONEXECUTABLE and NIX_PYTHONPATH, which the python's sitecustomize reads.
# nixpkgs writes binary wrappers (makeBinaryWrapper); these are bash scripts.
wrap() { # wrap TARGET WRAPPER [export lines...]
  local target=$1 w=$2; shift 2
  {
    echo "#! $shell -e"
    for v in "$@"; do echo "export $v"; done
    echo "export PYTHONNOUSERSITE='true'"
    echo "exec -a \"\$0\" \"$target\" \"\$@\""
  } >"$w"
  chmod +x "$w"
}
# One path's bin is a single link: make it a directory of links first.
if [ -L "$out/bin" ]; then
  old=$(readlink "$out/bin"); rm "$out/bin"; mkdir "$out/bin"
  linkall "$old" "$out/bin"
fi
mkdir -p "$out/bin"
for path in $paths; do
  [ -d "$path/bin" ] || continue
  for prg in "$path"/bin/*; do
    name=${prg##*/}
    if [ -f "$prg" ] && [ -x "$prg" ]; then
      rm -f "$out/bin/$name"
      if [ "$name" = "$pyexe" ]; then
        wrap "$prg" "$out/bin/$name"
      elif [ "$(readlink "$prg")" = "$pyexe" ]; then
        ln -s "$pyexe" "$out/bin/$name"
      else
        wrap "$prg" "$out/bin/$name" "NIX_PYTHONPREFIX='$out'" "NIX_PYTHONEXECUTABLE='$out/bin/$pyexe'" "NIX_PYTHONPATH='$out/$sitePackages'"
      fi
    fi
  done
done
