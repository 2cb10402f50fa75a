#!@shell@
# nixpkgs' cc-wrapper (pkgs/build-support/cc-wrapper), reduced to what decides whether a
# build compiles and links: glibc's headers and start files come from the store, the
# assembler and linker from the binutils wrapper (-B), and a link also gets glibc and
# gcc's runtime libraries. Its flags follow the caller's, as NIX_CFLAGS_COMPILE and
# NIX_LDFLAGS do there.
link=1
for a; do
  case $a in -c | -S | -E | -M | -MM) link=0 ;; esac
done
extra=(-B@libcDev@/lib/ -idirafter @libcDev@/include -B@bintools@/bin/)
[ $link = 1 ] && extra+=(-L@libc@/lib -L@libcDev@/lib -L@gcclib@/lib)
[ $# = 0 ] && extra=()
exec @cc@/bin/@prog@ "$@" "${extra[@]}"
