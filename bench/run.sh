#!/usr/bin/env bash
# make bench: measure, print the table, update bench/RESULTS.md. Needs the kit
# (make images) and bin/bootmatrix (make build).
# BENCH_RUNS (default 3) repeats each measurement; BENCH_COLD=1 also times a cold
# kit build under KIT_REPO=bmbenchcold (about 2.5 minutes more).
set -euo pipefail
cd "$(dirname "$0")/.."
exec go run ./bench "$@"
