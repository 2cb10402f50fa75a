# The few nixpkgs lib functions Nixpacks' expressions and the stand-in use.
let
  inherit (builtins) concatStringsSep filter map elem foldl' isAttrs;
  getOutput = o: p: if isAttrs p && (p.outputSpecified or false) then p else p.${o} or p.out or p;
in
rec {
  inherit concatStringsSep;
  optional = c: x: if c then [ x ] else [ ];
  optionals = c: xs: if c then xs else [ ];
  optionalString = c: s: if c then s else "";
  getLib = getOutput "lib";
  getDev = getOutput "dev";
  getBin = getOutput "bin";
  makeSearchPathOutput = output: subDir: pkgs:
    concatStringsSep ":" (map (p: "${getOutput output p}/${subDir}") (filter (x: x != null) pkgs));
  makeLibraryPath = makeSearchPathOutput "lib" "lib";
  makeBinPath = makeSearchPathOutput "bin" "bin";
  unique = foldl' (acc: e: if elem e acc then acc else acc ++ [ e ]) [ ];
  recurseIntoAttrs = s: s // { recurseForDerivations = true; };
}
