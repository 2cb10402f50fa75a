# The stand-in stdenv's setup: put every input's bin on PATH, as nixpkgs' setup does
# for buildInputs and nativeBuildInputs (it does much more; see images/README.md).
for p in $buildInputs $nativeBuildInputs $propagatedBuildInputs; do
  [ -d "$p/bin" ] && PATH="$p/bin${PATH:+:$PATH}"
done
unset p
