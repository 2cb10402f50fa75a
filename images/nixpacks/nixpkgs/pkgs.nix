# The stand-in's package set. Every package is a real derivation: the binary ones were
# built when the kit was made (builders/deb.py, which needs the kit builder's python3,
# dpkg-deb and patchelf) from Debian's packages and the kit's CPython builds, and come
# from the image's binary cache; writeText, runCommand, buildEnv and withPackages
# environments build on the spot with the store's bash and coreutils.
{ lib, self, rev, sources }:
let
  inherit (builtins) map filter listToAttrs attrNames hasAttr elem foldl' concatStringsSep replaceStrings;
  system = "x86_64-linux";

  # A source the kit put in the store (nix-store --add-fixed): a fixed-output derivation
  # whose output already exists, so its URL is only ever read when it does not.
  fetch = s: derivation {
    inherit (s) name url;
    builder = "builtin:fetchurl";
    system = "builtin";
    outputHashMode = "flat";
    outputHashAlgo = "sha256";
    outputHash = s.sha256;
    preferLocalBuild = true;
    urls = [ s.url ];
    executable = false;
    unpack = false;
  };

  # Store names nixpkgs uses where Debian's package name differs.
  storeName = {
    "zlib1g" = "zlib"; "libssl3t64" = "openssl"; "libsqlite3-0" = "sqlite"; "libncursesw6" = "ncurses";
    "libtinfo6" = "ncurses-tinfo"; "libreadline8t64" = "readline"; "libbz2-1.0" = "bzip2"; "liblzma5" = "xz";
    "libexpat1" = "expat"; "libffi8" = "libffi"; "libuuid1" = "libuuid"; "libmpdec4" = "mpdecimal";
    "libopenblas0-pthread" = "openblas"; "libgfortran5" = "gfortran-lib"; "libquadmath0" = "gfortran-quadmath-lib";
    "libglib2.0-0t64" = "glib"; "libcairo2" = "cairo"; "libgl1" = "libglvnd"; "libpq5" = "postgresql-lib";
    "libzstd1" = "zstd"; "libcrypt1" = "libxcrypt"; "libnsl2" = "libnsl"; "libtirpc3t64" = "libtirpc"; "libpng16-16t64" = "libpng"; "libfreetype6" = "freetype"; "libfontconfig1" = "fontconfig";
    "libpixman-1-0" = "pixman"; "libx11-6" = "libX11"; "libxext6" = "libXext"; "libxrender1" = "libXrender";
    "libxcb1" = "libxcb"; "libxau6" = "libXau"; "libxdmcp6" = "libXdmcp"; "libbrotli1" = "brotli";
  };

  trixie = sources.debs.trixie;
  bookworm = sources.debs.bookworm;

  mk = { name, debs ? [ ], deps ? [ ], kind ? "lib", ... }@a: derivation ({
    inherit name system kind;
    builder = "/usr/bin/python3";
    args = [ "-I" ./builders/deb.py ];
    # The kit builder's dpkg-deb, tar and patchelf: only ever run when the kit is made.
    PATH = "/usr/bin:/bin";
    debs = map fetch debs;
    inherit deps;
    glibc = if kind == "glibc" then "" else glibc;
  } // removeAttrs a [ "name" "debs" "deps" "kind" ]);

  # One library package of the trixie set, its Debian Depends (those in the set) as its
  # inputs; libc6 and the gcc runtime are glibc and gcc-lib, as in nixpkgs.
  special = { "libc6" = glibc; "libgcc-s1" = gcclib; "libstdc++6" = gcclib; };
  debLib = listToAttrs (map (p: { name = p; value = special.${p} or (mkLib p); }) (attrNames trixie));
  depsOf = p: map (d: debLib.${d}) (filter (d: hasAttr d trixie && d != p) trixie.${p}.depends);
  mkLib = p: mk {
    name = "${storeName.${p} or (replaceStrings [ "t64" ] [ "" ] p)}-${trixie.${p}.upstream}";
    debs = [ trixie.${p} ];
    deps = lib.unique (depsOf p);
  };

  glibc = mk {
    name = "glibc-${trixie.libc6.upstream}";
    kind = "glibc";
    # nixpkgs' glibc keeps a copy of libgcc_s.so.1 in its lib (common.nix).
    debs = [ trixie.libc6 trixie.libgcc-s1 ];
  };
  glibcBin = mk {
    name = "glibc-${trixie.libc6.upstream}-bin";
    kind = "glibc-bin";
    debs = [ trixie.libc-bin ];
    deps = [ bash ];
  };
  gcclib = mk {
    name = "gcc-${trixie."libstdc++6".upstream}-lib";
    debs = [ trixie."libstdc++6" trixie.libgcc-s1 ];
  };
  # gcc as nixpkgs' wrapper uses it: the driver, cc1 and collect2, the LTO plugin, gcc's
  # start files, libgcc and its own headers. Debian's gcc, so it also searches /usr/include
  # and /usr/lib/x86_64-linux-gnu, which nixpkgs' no-sys-dirs patch removes (images/README.md).
  gccUnwrapped = mk {
    name = "gcc-${trixie."libstdc++6".upstream}";
    kind = "gcc";
    debs = [ trixie.gcc-14-x86-64-linux-gnu trixie.cpp-14-x86-64-linux-gnu trixie.libgcc-14-dev ];
    deps = map (p: debLib.${p}) [ "libisl23" "libmpc3" "libmpfr6" "libgmp10" "libzstd1" "zlib1g" ] ++ [ gcclib ];
  } // { lib = gcclib; out = gccUnwrapped; };
  binutilsUnwrapped = mk {
    name = "binutils-${trixie.binutils-x86-64-linux-gnu.upstream}";
    kind = "binutils";
    debs = [ trixie.binutils-x86-64-linux-gnu ];
    deps = depsOf "binutils-x86-64-linux-gnu";
  };
  # glibc.dev: headers (with the kernel's, as nixpkgs' glibc propagates linuxHeaders),
  # start files, static parts and linker scripts naming the glibc output.
  glibcDev = mk {
    name = "glibc-${trixie.libc6.upstream}-dev";
    kind = "libc-dev";
    debs = [ trixie.libc6-dev trixie.linux-libc-dev ];
  };
  wrapper = name: a: derivation ({
    inherit name system;
    builder = "${bash}/bin/bash";
    args = [ "-e" ./builders/wrapper.sh ];
    PATH = "${coreutils}/bin";
    shell = "${bash}/bin/bash";
    inherit coreutils;
  } // a);
  bintoolsWrapper = wrapper "binutils-wrapper-${trixie.binutils-x86-64-linux-gnu.upstream}" {
    kind = "bintools";
    bintools = binutilsUnwrapped;
    dynamicLinker = "${glibc}/lib/ld-linux-x86-64.so.2";
    ldWrapper = ./builders/ld-wrapper.sh;
    substVars = "shell coreutils bintools dynamicLinker";
  } // { bintools = binutilsUnwrapped; };
  gccWrapper = wrapper "gcc-wrapper-${trixie."libstdc++6".upstream}" {
    kind = "cc";
    cc = gccUnwrapped;
    libc = glibc;
    libcDev = glibcDev;
    inherit gcclib;
    bintools = bintoolsWrapper;
    ccWrapper = ./builders/cc-wrapper.sh;
    substVars = "shell cc libc libcDev gcclib bintools prog";
  } // { cc = gccUnwrapped; bintools = bintoolsWrapper; libc = glibc; };

  bash = mk { name = "bash-${trixie.bash.upstream}"; kind = "bin"; debs = [ trixie.bash ]; deps = depsOf "bash"; };
  coreutils = mk { name = "coreutils-${trixie.coreutils.upstream}"; kind = "bin"; debs = [ trixie.coreutils ]; deps = depsOf "coreutils";
    # Debian's link libsystemd for utmp; nixpkgs' coreutils does not.
    skip = "who pinky users uptime"; };
  cacert = mk { name = "nss-cacert-${trixie.ca-certificates.upstream}"; kind = "cacert"; debs = [ trixie.ca-certificates ]; };

  # nixpkgs keeps a library's .so link in the output that has the library (so -lpq links
  # against postgresql.lib, which pg_config --libdir names); Debian ships it in -dev.
  postgresqlLib = mk {
    name = "postgresql-lib-${trixie.libpq5.upstream}";
    debs = [ trixie.libpq5 trixie.libpq-dev ];
    deps = lib.unique (depsOf "libpq5");
  };
  postgresqlDev = mk {
    name = "postgresql-${trixie.libpq-dev.upstream}-dev";
    kind = "dev";
    debs = [ trixie.libpq-dev ];
    deps = [ postgresqlLib bash ];
  };
  postgresql = postgresqlLib // { lib = postgresqlLib; dev = postgresqlDev; out = postgresqlLib; };

  # stdenv: only what nix-shell and runCommand need, a setup script that puts the
  # inputs' bin on PATH (nixpkgs' does much more).
  # A `bash -c` builder ends in `; exit`: without it bash execs its last command, a
  # coreutils program closes stdout/stderr before it exits, and Nix kills a builder whose
  # log pipe closed while it still runs ("failed due to signal 9", NixOS/nix#2176).
  stdenv = derivation {
    name = "stdenv-linux";
    inherit system;
    builder = "${bash}/bin/bash";
    args = [ "-c" "${coreutils}/bin/mkdir -p $out && ${coreutils}/bin/cp ${./builders/setup.sh} $out/setup && ${coreutils}/bin/echo 'PATH=${coreutils}/bin:${bash}/bin\${PATH:+:$PATH}' >>$out/setup; exit" ];
  } // {
    cc = gccWrapper;
    mkDerivation = a: runCommand (a.name or "${a.pname}-${a.version}") (removeAttrs a [ "name" ]) (a.buildCommand or a.installPhase or "");
  };

  runCommand = name: env: buildCommand: derivation ({
    inherit name system buildCommand stdenv;
    builder = "${bash}/bin/bash";
    args = [ "-e" ./builders/run.sh ];
  } // removeAttrs env [ "passthru" "meta" ]);

  writeText = name: text: derivation {
    inherit name system text;
    builder = "${bash}/bin/bash";
    args = [ "-c" "printf '%s' \"$text\" >\"$out\"" ];
  };

  buildEnv = { name, paths, ignoreCollisions ? false, pathsToLink ? [ "/" ], postBuild ? "", extraOutputsToInstall ? [ ], ... }@a:
    runCommand name ({
      paths = map (p: p.outPath or p) paths;
      ignoreCollisions = if ignoreCollisions then "1" else "";
      inherit pathsToLink;
    } // removeAttrs a [ "name" "paths" "ignoreCollisions" "pathsToLink" "postBuild" "extraOutputsToInstall" ])
      ''
        source ${./builders/buildenv.sh}
        ${postBuild}
      '';

  # nixpkgs' python: the kit's CPython build with absolute RUNPATHs into the store.
  pythonDeps = map (p: debLib.${p}) [ "zlib1g" "libexpat1" "libssl3t64" "libffi8" "libbz2-1.0" "liblzma5"
    "libsqlite3-0" "libreadline8t64" "libncursesw6" "libtinfo6" "libuuid1" "libmpdec4" "libcrypt1" "libnsl2" "libtirpc3t64" ];
  mkPython = ver: let
    src = sources.cpython.${ver};
    attr = "python" + replaceStrings [ "." ] [ "" ] ver;
    python = mk {
      name = "python3-${src.version}";
      kind = "python";
      pyver = ver;
      cpython = fetch src;
      externallyManaged = ./python/EXTERNALLY-MANAGED;
      sitecustomize = ./python/sitecustomize.py;
      deps = pythonDeps;
    } // {
      pythonVersion = ver;
      executable = "python${ver}";
      sitePackages = "lib/python${ver}/site-packages";
      pkgs = packages;
      withPackages = f: pythonEnv python (f packages);
      interpreter = "${python}/bin/python${ver}";
    };
    pyDeb = p: a: mk ({
      name = "python${ver}-${replaceStrings [ "python3-" "-whl" ] [ "" "" ] p}-${(a.suite or trixie).${p}.upstream}";
      kind = "pypkg";
      pyver = ver;
      python = python.outPath;
      debs = [ (a.suite or trixie).${p} ];
      # Its programs see these packages too (nixpkgs' wrapPythonPrograms).
      propagatedPaths = a.propagated or [ ];
    } // removeAttrs a [ "suite" "propagated" ]) // { propagated = a.propagated or [ ]; pythonModule = python; };
    packages = lib.recurseIntoAttrs (rec {
      inherit python;
      numpy = pyDeb' "python3-numpy" { deps = [ debLib.libopenblas0-pthread gcclib ]; addNeeded = "libstdc++.so.6"; skip = "dh_numpy3"; };
      packaging = pyDeb "python3-packaging" { };
      gunicorn = pyDeb "python3-gunicorn" { propagated = [ packaging ]; scripts = "gunicorn=gunicorn.app.wsgiapp:run"; };
      pip = pyDeb "python3-pip-whl" { kind = "pip"; scripts = "pip=pip._internal.cli.main:main pip3=pip._internal.cli.main:main pip${ver}=pip._internal.cli.main:main"; };
      # The seed's backend: FastAPI under gunicorn's uvicorn worker, with psycopg2. Debian's
      # bookworm packages for 3.11 and trixie's for 3.13, as the two archives' generations.
      typing-extensions = pyDeb' "python3-typing-extensions" { };
      idna = pyDeb' "python3-idna" { };
      sniffio = pyDeb' "python3-sniffio" { };
      anyio = pyDeb' "python3-anyio" { propagated = [ idna sniffio typing-extensions ]; };
      h11 = pyDeb' "python3-h11" { propagated = [ typing-extensions ]; };
      click = pyDeb' "python3-click" { };
      starlette = pyDeb' "python3-starlette" { propagated = [ anyio typing-extensions ]; };
      psycopg2 = pyDeb' "python3-psycopg2" { deps = [ postgresqlLib ]; };
    } // (if ver == "3.11" then rec {
      asgiref = pyDeb' "python3-asgiref" { propagated = [ packages.typing-extensions ]; };
      pydantic = pyDeb' "python3-pydantic" { propagated = [ packages.typing-extensions ]; };
      uvicorn = pyDeb' "python3-uvicorn" { propagated = [ asgiref packages.click packages.h11 packages.typing-extensions ]; scripts = "uvicorn=uvicorn.main:main"; };
      fastapi = pyDeb' "python3-fastapi" { propagated = [ pydantic packages.starlette uvicorn ]; };
    } else rec {
      annotated-types = pyDeb' "python3-annotated-types" { };
      pydantic-core = pyDeb' "python3-pydantic-core" { propagated = [ packages.typing-extensions ]; };
      pydantic = pyDeb' "python3-pydantic" { propagated = [ annotated-types pydantic-core packages.typing-extensions ]; };
      uvicorn = pyDeb' "python3-uvicorn" { propagated = [ packages.click packages.h11 ]; scripts = "uvicorn=uvicorn.main:main"; };
      fastapi = pyDeb' "python3-fastapi" { propagated = [ pydantic packages.starlette packages.typing-extensions ]; };
    }));
    # A package of the archive's generation: bookworm's for 3.11, trixie's for 3.13.
    pyDeb' = p: a: pyDeb p (a // (if ver == "3.11" then { suite = bookworm; } else { }));
  in { ${attr} = python; "${attr}Packages" = packages; };

  # python.withPackages: nixpkgs' wrapper.nix, a buildEnv of the interpreter and the
  # packages' closure whose programs are wrapped to see the environment.
  pythonEnv = python: pkgs: let
    closure = foldl' (acc: p: if elem p acc then acc else closure' (acc ++ [ p ]) (p.propagated or [ ])) [ ];
    closure' = acc: ps: foldl' (a: p: if elem p a then a else closure' (a ++ [ p ]) (p.propagated or [ ])) acc ps;
    env = buildEnv {
      name = "${python.name}-env";
      paths = [ python ] ++ closure pkgs;
      python = python.outPath;
      pyexe = python.executable;
      sitePackages = python.sitePackages;
      shell = "${bash}/bin/bash";
      postBuild = "source ${./builders/python-env.sh}";
    };
  in env // { inherit python; interpreter = "${env}/bin/${python.executable}"; };

  py313 = mkPython "3.13";
  py311 = mkPython "3.11";
  pythons = if rev.legacy then py311 else py311 // py313;
  python3 = if rev.legacy then py311.python311 else py313.python313;
in
pythons // {
  inherit lib stdenv runCommand writeText buildEnv bash coreutils cacert python3;
  runCommandCC = runCommand;
  runCommandNoCC = runCommand;
  bashInteractive = bash;
  python3Packages = python3.pkgs;
  gcc = gccWrapper;
  gcc-unwrapped = gccUnwrapped;
  binutils = bintoolsWrapper;
  binutils-unwrapped = binutilsUnwrapped;
  glibc = glibc // { bin = glibcBin; out = glibc; dev = glibcDev; };
  zlib = debLib.zlib1g;
  openblas = debLib.libopenblas0-pthread;
  openssl = debLib.libssl3t64;
  postgresql_16 = postgresql;
  libpq = postgresqlLib;
  libGL = debLib.libgl1;
  glib = debLib."libglib2.0-0t64";
  cairo = debLib.libcairo2;
  # nix-env -qaP lists what this attribute set shows; pkgs refers to itself as nixpkgs does.
  pkgs = self;
}
