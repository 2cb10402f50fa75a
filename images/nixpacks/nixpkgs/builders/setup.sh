# The stand-in stdenv's setup: put every input's bin on PATH, as nixpkgs' setup does
# for buildInputs and nativeBuildInputs (it does much more; see images/README.md).
# Its loop variable is its own: nix-shell keeps the caller's PATH in $p around
# `source $stdenv/setup`, so a setup that sets or unsets p loses that PATH.
for _stdenv_input in $buildInputs $nativeBuildInputs $propagatedBuildInputs; do
  [ -d "$_stdenv_input/bin" ] && PATH="$_stdenv_input/bin${PATH:+:$PATH}"
done
unset _stdenv_input
