# Builder of the gcc and binutils wrappers: writes each template with every @name@
# replaced by the derivation attribute of that name (the store has no sed).
subst() {
  local t v
  t=$(<"$1")
  for v in $substVars; do t=${t//@$v@/${!v}}; done
  printf '%s\n' "$t" >"$2"
  chmod +x "$2"
}
mkdir -p "$out/bin" "$out/nix-support"
case $kind in
  bintools)
    for f in "$bintools"/bin/*; do
      [ "${f##*/}" = ld ] || ln -s "$f" "$out/bin/${f##*/}"
    done
    subst "$ldWrapper" "$out/bin/ld"
    printf '%s\n' "$dynamicLinker" >"$out/nix-support/dynamic-linker"
    ;;
  cc)
    for prog in gcc cpp; do subst "$ccWrapper" "$out/bin/$prog"; done
    ln -s gcc "$out/bin/cc"
    printf '%s\n' "$bintools" >"$out/nix-support/propagated-build-inputs"
    ;;
esac
