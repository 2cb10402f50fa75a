# runCommand's builder: nixpkgs' stdenv runs buildCommand with `set -e` after setup.
PATH=
source "$stdenv/setup"
export PATH
eval "$buildCommand"
