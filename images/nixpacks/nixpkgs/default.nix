# The kit's stand-in for a pinned nixpkgs archive: what Nixpacks' generated
# .nixpacks/nixpkgs-<rev>.nix imports with `import (fetchTarball …) { overlays = [ … ]; }`.
# Its derivations were built by Nix when the kit was made and are served by the image's
# binary cache; see images/README.md for what it carries and how it differs from nixpkgs.
{ overlays ? [ ], config ? { }, system ? builtins.currentSystem, ... }:
let
  rev = import ./rev.nix;
  lib = import ./lib.nix;
  sources = import ./sources.nix;
  base = self: import ./pkgs.nix { inherit lib self rev sources; };
  # nixpkgs' overlay semantics: each overlay is `final: prev: { … }`.
  extend = f: overlay: self: let prev = f self; in prev // overlay self prev;
  fix = f: let x = f x; in x;
in
if system != "x86_64-linux" then throw "this nixpkgs stand-in only carries x86_64-linux, not ${system}"
else fix (builtins.foldl' extend base overlays)
