{ }:

let pkgs = import (fetchTarball "https://github.com/NixOS/nixpkgs/archive/e89cf1c932006531f454de7d652163a9a5c86668.tar.gz") { overlays = [  ]; };
in with pkgs;
  let
    APPEND_LIBRARY_PATH = "${lib.makeLibraryPath [  ] }";
    myLibraries = writeText "libraries" ''
      export LD_LIBRARY_PATH="${APPEND_LIBRARY_PATH}:$LD_LIBRARY_PATH"
      
    '';
  in
    buildEnv {
      name = "e89cf1c932006531f454de7d652163a9a5c86668-env";
      paths = [
        (runCommand "e89cf1c932006531f454de7d652163a9a5c86668-env" { } ''
          mkdir -p $out/etc/profile.d
          cp ${myLibraries} $out/etc/profile.d/e89cf1c932006531f454de7d652163a9a5c86668-env.sh
        '')
        gnumake
      ];
    }
