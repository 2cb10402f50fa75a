#!@shell@
# nixpkgs' ld-wrapper (pkgs/build-support/bintools-wrapper/ld-wrapper.sh, read at
# NixOS/nixpkgs 02f3ac6c): every directory given with -L that holds a library given
# with -l gets an -rpath after the caller's flags, so what was linked against the store
# loads from it, and a dynamic executable gets the store's loader. As there, outside a
# Nix build (NIX_STORE unset, as in a Nixpacks image) any absolute directory counts.
# nixpkgs puts -dynamic-linker before the caller's flags, so that a caller's own wins;
# Debian's gcc passes /lib64's loader on every link, which would win there (the kit's
# link check catches it), so here it goes after them.
libdirs=() libs=() extra=() shared=0 static=0 prev=
for p; do
  case $prev in
    -L) libdirs+=("$p") ;;
    -l) libs+=("lib$p.so") ;;
    *)
      case $p in
        -L/*) libdirs+=("${p:2}") ;;
        -l?*) libs+=("lib${p:2}.so") ;;
        -shared) shared=1 ;;
        -static | -r | --relocatable) static=1 ;;
      esac ;;
  esac
  prev=$p
done
declare -A seen
for dir in "${libdirs[@]}"; do
  if [[ $dir =~ [/.][/.] ]] && d2=$(@coreutils@/bin/readlink -f "$dir"); then dir=$d2; fi
  [[ -n ${seen[$dir]:-} || $dir != "${NIX_STORE:-}"/* ]] && continue
  for lib in "${libs[@]}"; do
    if [ -e "$dir/$lib" ]; then
      seen[$dir]=1
      extra+=(-rpath "$dir")
      break
    fi
  done
done
[ $shared = 0 ] && [ $static = 0 ] && extra+=(-dynamic-linker @dynamicLinker@)
exec @bintools@/bin/ld "$@" "${extra[@]}"
