#!/usr/bin/env bash
# Builds the offline kit: Debian roots, python-slim stand-ins, the wheelhouse and the
# Nix stand-ins, each tagged by a hash of its inputs. Run as `bash images/build.sh`
# from the repository root (make images). See images/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. images/lib/common.sh
. images/lib/assemble.sh
for s in images/stages/*.sh; do . "$s"; done

require_docker
trap cleanup_partial EXIT
trap "exit 130" INT TERM
stage_roots
# The builder fetches Debian's sources (fetch_source), CPython's among them.
build_builder
# CPython compiles in the background while the other stages assemble: it needs only
# the trixie root and its source, and it is the longest stage.
stage_cpython
stage_slim
stage_wheelhouse
# The later stages' downloads need no CPython: they run while it compiles.
prefetch() { local rootset bset tx bw rset bundle apt setuptools; fetch_nixpacks; fetch_railpack; }
[ -n "$KIT_PLAN" ] || prefetch
wait_cpython
stage_nixpacks
stage_railpack
