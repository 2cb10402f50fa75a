# Stage: the offline wheelhouse (bootmatrix-kit/wheelhouse, wheels under /wheelhouse/,
# and a host copy in $KIT_OUT/wheelhouse for the NEEDED test).

WHEEL_NUMPY_PKGS=(python3-numpy libblas3 liblapack3 libgfortran5 libquadmath0)
WHEEL_PURE_PKGS=(python3-gunicorn python3-packaging)
# glibc each suite's numpy was built against: the honest manylinux tag.
declare -A WHEEL_PLATFORM=([bookworm]=manylinux_2_36_x86_64 [trixie]=manylinux_2_41_x86_64)

stage_wheelhouse() {
  local bw tx pure
  bw=$(fetch_set bookworm "$(set_name numpy "${WHEEL_NUMPY_PKGS[@]}")" exact "${WHEEL_NUMPY_PKGS[@]}")
  tx=$(fetch_set trixie "$(set_name numpy "${WHEEL_NUMPY_PKGS[@]}")" exact "${WHEEL_NUMPY_PKGS[@]}")
  pure=$(fetch_set trixie "$(set_name pure "${WHEEL_PURE_PKGS[@]}")" exact "${WHEEL_PURE_PKGS[@]}")
  local h; h=$(hash_inputs images/stages/wheelhouse.sh images/lib/assemble.sh images/lib/mkwheels.py "$bw" "$tx" "$pure" -- "$KIT_BUILDER")
  local tag="$KIT_REPO/wheelhouse:wheelhouse-$h"
  plan_stage wheelhouse:latest "$tag" || return 0
  local built="$KIT_CACHE/wheelhouse/$h"
  if [ ! -f "$built/.complete" ]; then
    log "building wheels ($h)"
    rm -rf "$built"; mkdir -p "$built/wheelhouse"
    run_in -v "$KIT_CACHE/debs:/debs:ro" -v "$built:/out" \
      -v "$PWD/images/lib/mkwheels.py:/mkwheels.py:ro" "$KIT_BUILDER" bash -euc '
        extract() { mkdir -p "$2"; while read -r f; do dpkg-deb -x "/debs/$1/$f" "$2"; done <"/debs/$1/sets/$3"; }
        extract bookworm /t/bookworm '"$(basename "$bw")"'
        extract trixie /t/trixie '"$(basename "$tx")"'
        extract trixie /t/pure '"$(basename "$pure")"'
        python3 /mkwheels.py numpy /t/bookworm '"${WHEEL_PLATFORM[bookworm]}"' /out/wheelhouse
        python3 /mkwheels.py numpy /t/trixie '"${WHEEL_PLATFORM[trixie]}"' /out/wheelhouse
        python3 /mkwheels.py pure /t/pure gunicorn /out/wheelhouse
        python3 /mkwheels.py pure /t/pure packaging /out/wheelhouse
        chmod 644 /out/wheelhouse/*.whl' >&2 || die "building the wheelhouse failed (see above)"
    touch "$built/.complete"
    prune_cache "$KIT_CACHE/wheelhouse" "$h"
  fi
  if ! image_exists "$tag"; then
    log "importing $tag"
    tar_import "$built" "$tag" "LABEL org.bootmatrix.kit=wheelhouse"
  fi
  finish_image "$tag" "$KIT_REPO/wheelhouse:latest"
  # Host copy, replaced whole so the test never sees a mix of two builds.
  if [ "$(cat "$KIT_OUT/wheelhouse/.kit-hash" 2>/dev/null)" != "$h" ]; then
    mkdir -p "$KIT_OUT"
    rm -rf "$KIT_OUT/wheelhouse.tmp"
    cp -r "$built/wheelhouse" "$KIT_OUT/wheelhouse.tmp"
    echo "$h" >"$KIT_OUT/wheelhouse.tmp/.kit-hash"
    rm -rf "$KIT_OUT/wheelhouse"
    mv "$KIT_OUT/wheelhouse.tmp" "$KIT_OUT/wheelhouse"
  fi
}
