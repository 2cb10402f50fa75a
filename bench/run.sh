#!/usr/bin/env bash
# make bench: measure, print the table, update bench/RESULTS.md. Needs the kit
# (make images), bin/bootmatrix (make build) and /usr/bin/time (Debian's `time`).
# BENCH_RUNS (default 3) repeats each measurement; BENCH_COLD=1 also times a cold
# kit build under KIT_REPO=bmbenchcold (about 2.5 minutes more).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/time ]; then
  echo "bench: /usr/bin/time missing: apt-get install -y time" >&2
  exit 1
fi
exec go run ./bench "$@"
