# Stage: the Nix stand-in (bootmatrix-kit/nix), a FROM-scratch image whose every file is
# under /nix/store, assembled from Debian packages by images/nix/assemble.py.

NIX_PKGS_TRIXIE=(libc6 libc-bin bash coreutils libacl1 libattr1 libselinux1 libpcre2-8-0 libgmp10
  libssl3t64 libtinfo6 libstdc++6 libgcc-s1 libgfortran5 zlib1g libopenblas0-pthread
  python3.13-minimal libpython3.13-minimal libpython3.13-stdlib python3.13-venv python3-pip-whl
  python3-setuptools-whl libexpat1 libffi8 libbz2-1.0 liblzma5 libncursesw6 libreadline8t64
  libsqlite3-0 libuuid1 libdb5.3t64 libmpdec4 libzstd1 libcap2 libsystemd0 ca-certificates python3-numpy gcc-14-x86-64-linux-gnu)
NIX_PKGS_BOOKWORM=(python3.11-minimal libpython3.11-minimal libpython3.11-stdlib python3.11-venv
  python3-pip-whl python3-setuptools-whl libexpat1 libffi8 libbz2-1.0 liblzma5 libncursesw6
  libtinfo6 libreadline8 libsqlite3-0 libuuid1 libdb5.3 libcrypt1 libnsl2 libtirpc3 libssl3
  zlib1g libgssapi-krb5-2 libkrb5-3 libk5crypto3 libkrb5support0 libkeyutils1
  libcom-err2 python3-numpy)

stage_nix() {
  local tx bw
  tx=$(fetch_set trixie "$(set_name nix "${NIX_PKGS_TRIXIE[@]}")" exact "${NIX_PKGS_TRIXIE[@]}")
  bw=$(fetch_set bookworm "$(set_name nix "${NIX_PKGS_BOOKWORM[@]}")" exact "${NIX_PKGS_BOOKWORM[@]}")
  local h; h=$(hash_inputs images/stages/nix.sh images/lib/assemble.sh images/nix "$tx" "$bw" -- "$KIT_BUILDER")
  local tag="$KIT_REPO/nix:nix-$h"
  plan_stage nix:latest "$tag" || return 0
  local built="$KIT_CACHE/nix/$h"
  if ! image_exists "$tag" && [ ! -f "$built/.complete" ]; then
    log "assembling the Nix store ($h)"
    rm -rf "$built"; mkdir -p "$built"
    run_in -v "$KIT_CACHE/debs:/debs:ro" -v "$built:/out" -v "$PWD/images/nix:/nixsrc:ro" \
      "$KIT_BUILDER" bash -euc '
        python3 /nixsrc/assemble.py /debs /debs/trixie/sets/'"$(basename "$tx")"' /debs/bookworm/sets/'"$(basename "$bw")"' /nixsrc /out/nixroot >/tmp/paths
        bash=$(sed -n 1p /tmp/paths); nix=$(sed -n 2p /tmp/paths)
        # The base profile, made by the stand-in'"'"'s own nix-env (a build-time check of it too).
        chroot /out/nixroot $bash/bin/bash -c "$nix/bin/nix-env -iA nixpkgs.nix nixpkgs.bash nixpkgs.coreutils nixpkgs.glibc.bin" 2>/tmp/nixenv.log || { cat /tmp/nixenv.log; exit 1; }
        for py in python313 python311; do
          p=$(chroot /out/nixroot $nix/bin/nix-build "<nixpkgs>" -A $py --no-out-link)
          chroot /out/nixroot $p/bin/python3 -c "import ssl, sqlite3, ctypes, decimal, lzma, bz2, zlib, uuid, venv, ensurepip, pip" ||
            { echo "error: images: $py in the Nix store cannot import its standard modules" >&2; exit 1; }
        done' >&2 || die "assembling the Nix stand-in failed (see above)"
    touch "$built/.complete"
    prune_cache "$KIT_CACHE/nix" "$h"
  fi
  if ! image_exists "$tag"; then
    log "importing $tag"
    tar_import "$built/nixroot" "$tag" "LABEL org.bootmatrix.kit=nix" \
      'ENV PATH=/root/.nix-profile/bin:/nix/var/nix/profiles/default/bin:/bin:/usr/bin' \
      'ENV HOME=/root' 'ENV LANG=C.UTF-8' 'WORKDIR /root' 'CMD ["bash", "-l"]'
  fi
  finish_image "$tag" "$KIT_REPO/nix:latest"
}
