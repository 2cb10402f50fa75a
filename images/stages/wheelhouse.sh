# Stage: the offline wheelhouse (bootmatrix-kit/wheelhouse, wheels under /wheelhouse/,
# and a host copy in $KIT_OUT/wheelhouse for the NEEDED test).

WHEEL_NUMPY_PKGS=(python3-numpy libblas3 liblapack3 libgfortran5 libquadmath0)
WHEEL_PURE_PKGS=(python3-gunicorn python3-packaging)
# glibc each suite's numpy was built against: the honest manylinux tag.
declare -A WHEEL_PLATFORM=([bookworm]=manylinux_2_36_x86_64 [trixie]=manylinux_2_41_x86_64)
# Wheels made from Debian's python3-* packages: images/lib/wheels.list, built by debwheels.py.
WHEEL_SPEC=images/lib/wheels.list
# System libraries the container tests install from the kit's .debs (images/out/debs/<suite>/<group>/):
# cairo for cairocffi's dlopen.
declare -A WHEEL_SYSDEPS=([cairo]="libcairo2")
# Upstream sdists served as <name>-<version>.tar.gz: Debian's .orig.tar of these sources.
WHEEL_SDISTS=(psycopg2)
# Wheels built from Debian's .orig.tar (upstream's source) with the package's own PEP 517
# backend, where Debian's binary package carries patches that only work on Debian's
# Python (setuptools' install_layout). Source package and wheel name.
declare -A WHEEL_FROM_SOURCE=([setuptools]=setuptools)

# wheel_spec_pkgs SUITE prints the Debian packages the spec names for SUITE.
wheel_spec_pkgs() {
  awk -v s="$1" '{sub(/#.*/, "")} $1 == s {n = split($2, p, "+"); for (i = 1; i <= n; i++) print p[i]}' "$WHEEL_SPEC" | sort -u
}

stage_wheelhouse() {
  local bw tx pure
  bw=$(fetch_set bookworm "$(set_name numpy "${WHEEL_NUMPY_PKGS[@]}")" exact "${WHEEL_NUMPY_PKGS[@]}")
  tx=$(fetch_set trixie "$(set_name numpy "${WHEEL_NUMPY_PKGS[@]}")" exact "${WHEEL_NUMPY_PKGS[@]}")
  pure=$(fetch_set trixie "$(set_name pure "${WHEEL_PURE_PKGS[@]}")" exact "${WHEEL_PURE_PKGS[@]}")
  # The Debian wheels' packages with everything they depend on beyond the minbase root
  # (the root's own libraries are read from its tarball).
  local -A debs=() sysdeps=()
  local suite g p
  for suite in bookworm trixie; do
    local pk; mapfile -t pk < <(wheel_spec_pkgs "$suite")
    debs[$suite]=$(fetch_set "$suite" "$(set_name debwheels "${pk[@]}")" closure "${pk[@]}")
    for g in "${!WHEEL_SYSDEPS[@]}"; do
      # shellcheck disable=SC2086
      sysdeps[$suite-$g]=$(fetch_set "$suite" "$(set_name "sysdeps-$g" ${WHEEL_SYSDEPS[$g]})" closure ${WHEEL_SYSDEPS[$g]})
    done
  done
  local sdists=()
  for p in "${WHEEL_SDISTS[@]}"; do sdists+=("$(fetch_source trixie "$p")"); done
  local -A srcwheels=()
  for p in "${!WHEEL_FROM_SOURCE[@]}"; do srcwheels[$p]=$(fetch_source trixie "$p"); done
  local h; h=$(hash_inputs images/stages/wheelhouse.sh images/lib/assemble.sh images/lib/mkwheels.py \
    images/lib/debwheels.py "$WHEEL_SPEC" "$bw" "$tx" "$pure" "${debs[@]}" "${sysdeps[@]}" "${sdists[@]}" \
    "${srcwheels[@]}" "$KIT_CACHE/roots/bookworm.packages" "$KIT_CACHE/roots/trixie.packages" -- "builder ${KIT_BUILDER##*:}")
  local tag="$KIT_REPO/wheelhouse:wheelhouse-$h"
  plan_stage wheelhouse:latest "$tag" || return 0
  local built="$KIT_CACHE/wheelhouse/$h"
  cache_used "$built"
  if [ ! -f "$built/.complete" ]; then
    log "building wheels ($h)"
    rm -rf "$built"; mkdir -p "$built/wheelhouse"
    local srcmounts=() f
    for f in "${srcwheels[@]}"; do srcmounts+=(-v "$f:/src/$(basename "$f"):ro"); done
    run_in -v "$KIT_CACHE/debs:/debs:ro" -v "$KIT_CACHE/roots:/roots:ro" -v "$built:/out" \
      -v "$PWD/images/lib/mkwheels.py:/mkwheels.py:ro" -v "$PWD/images/lib/debwheels.py:/debwheels.py:ro" \
      -v "$PWD/$WHEEL_SPEC:/wheels.list:ro" -e SPEC_NAME="$WHEEL_SPEC" "${srcmounts[@]}" "$KIT_BUILDER" bash -euc '
        extract() { mkdir -p "$2"; while read -r f; do dpkg-deb -x "/debs/$1/$f" "$2"; done <"/debs/$1/sets/$3"; }
        extract bookworm /t/bookworm '"$(basename "$bw")"'
        extract trixie /t/trixie '"$(basename "$tx")"'
        extract trixie /t/pure '"$(basename "$pure")"'
        python3 /mkwheels.py numpy /t/bookworm '"${WHEEL_PLATFORM[bookworm]}"' /out/wheelhouse
        python3 /mkwheels.py numpy /t/trixie '"${WHEEL_PLATFORM[trixie]}"' /out/wheelhouse
        python3 /mkwheels.py pure /t/pure gunicorn /out/wheelhouse
        python3 /mkwheels.py pure /t/pure packaging /out/wheelhouse
        for suite in bookworm trixie; do
          case $suite in bookworm) set='"$(basename "${debs[bookworm]}")"' plat='"${WHEEL_PLATFORM[bookworm]}"' ;;
                         trixie) set='"$(basename "${debs[trixie]}")"' plat='"${WHEEL_PLATFORM[trixie]}"' ;; esac
          # Each package on its own (the files that make its wheel), all of them together
          # and the root'"'"'s libraries (where bundled libraries are looked up).
          mkdir -p "/a/$suite"
          while read -r f; do
            mkdir -p "/p/$suite/${f%%_*}"
            dpkg-deb -x "/debs/$suite/$f" "/p/$suite/${f%%_*}"
            dpkg-deb -x "/debs/$suite/$f" "/a/$suite"
          done <"/debs/$suite/sets/$set"
          mkdir -p "/r/$suite"
          tar -C "/r/$suite" -xf "/roots/$suite.tar" --wildcards "./usr/lib/x86_64-linux-gnu/*" "./lib/x86_64-linux-gnu/*" 2>/dev/null || true
          python3 /mkwheels.py debs /wheels.list $suite /p/$suite "/a/$suite:/r/$suite" $plat /out/wheelhouse
        done
        # tzdata is part of the minbase root, so it is read from the root'"'"'s tarball.
        mkdir -p /z && tar -C /z -xf /roots/trixie.tar ./usr/share/zoneinfo ./usr/share/doc/tzdata
        python3 /mkwheels.py tzdata /z /out/wheelhouse
        # Upstream source built by its own backend (setuptools bootstraps from its tree),
        # with no network and no index: what pip would build from the PyPI sdist.
        for src in /src/*; do
          [ -e "$src" ] || continue
          mkdir -p /b && tar -C /b -xf "$src"
          (cd /b/* && SOURCE_DATE_EPOCH=315532800 python3 -I -c "import sys; sys.path.insert(0, \".\"); import setuptools.build_meta as b; b.build_wheel(\"/out/wheelhouse\")" >/tmp/srcwheel.log 2>&1) ||
            { tail -20 /tmp/srcwheel.log; exit 1; }
          rm -rf /b
        done
        chmod 644 /out/wheelhouse/*.whl' >&2 || die "building the wheelhouse failed (see above)"
    for p in "${!WHEEL_FROM_SOURCE[@]}"; do
      compgen -G "$built/wheelhouse/${WHEEL_FROM_SOURCE[$p]}-*.whl" >/dev/null ||
        die "building ${WHEEL_FROM_SOURCE[$p]}'s wheel from $(basename "${srcwheels[$p]}") made no ${WHEEL_FROM_SOURCE[$p]}-*.whl"
    done
    # The upstream sources, under the name pip looks for. Debian's .orig.tar is upstream's
    # tagged tree (psycopg2's has no PKG-INFO, so it is not the PyPI sdist byte for byte);
    # pip builds either the same way, through setup.py.
    for p in "${sdists[@]}"; do
      local base; base=$(basename "$p")
      local ver=${base#*_}; ver=${ver%.orig.tar.*}
      tar -tzf "$p" "${base%%_*}-$ver/setup.py" >/dev/null 2>&1 || die "$base has no ${base%%_*}-$ver/setup.py: pip could not build it"
      install -m 644 "$p" "$built/wheelhouse/${base%%_*}-$ver.tar.gz"
    done

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
    # The .debs the container tests install system libraries from: debs/<suite>/<group>/.
    rm -rf "$KIT_OUT/debs.tmp"
    for g in "${!sysdeps[@]}"; do
      suite=${g%%-*}
      mkdir -p "$KIT_OUT/debs.tmp/$suite/${g#*-}"
      sed "s|^|$KIT_CACHE/debs/$suite/|" "${sysdeps[$g]}" | xargs cp -t "$KIT_OUT/debs.tmp/$suite/${g#*-}"
    done
    rm -rf "$KIT_OUT/wheelhouse" "$KIT_OUT/debs"
    mv "$KIT_OUT/debs.tmp" "$KIT_OUT/debs"
    mv "$KIT_OUT/wheelhouse.tmp" "$KIT_OUT/wheelhouse"
  fi
}
