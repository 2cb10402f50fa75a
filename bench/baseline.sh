#!/usr/bin/env bash
# What bootmatrix does for one variant, with the docker CLI alone: the seed's
# nixpacks-defaults-backend-root variant (bench/baseline/*.Dockerfile are its
# rendered setup and install Dockerfiles; bench's tests keep them equal to what
# the renderer makes). Build, install, import, ldd, boot with health and config
# checks, the same settle period and re-check, then teardown. The bench compares
# `bootmatrix run` on the same variant against this.
#
#   bash bench/baseline.sh            # run from the repository root
#
# BENCH_SALT (default: a fresh one) is appended to requirements.txt as a comment,
# as the bench does for the harness: the base layers come from the cache, the
# project copy and the pip install run again. SETTLE is the harness's default 2s.
# The last line of stdout is "baseline total=S build=S install=S import=S ldd=S
# boot=S teardown=S". Every object is labelled org.bootmatrix.bench=baseline and
# removed on exit, also on failure or interruption.
set -euo pipefail
cd "$(dirname "$0")/.."

SALT=${BENCH_SALT:-$(date +%s%N)-$$}
SETTLE=${SETTLE:-2}
PORT=8080
LABEL=org.bootmatrix.bench=baseline
tag=bootmatrix-bench/baseline:$SALT
work=$(mktemp -d)
cid=
log=$work/log

cleanup() {
  local rc=$?
  [ -n "$cid" ] && docker rm -f "$cid" >/dev/null 2>&1 || true
  docker rmi "$tag-install" "$tag-setup" >/dev/null 2>&1 || true
  # An interrupted build may leave a labelled, untagged image.
  docker images -q --filter "label=$LABEL" --filter dangling=true | xargs -r docker rmi -f >/dev/null 2>&1 || true
  if [ $rc -ne 0 ] && [ -s "$log" ]; then tail -30 "$log" >&2; fi
  rm -rf "$work"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }
fail() { echo "baseline: $*" >&2; exit 1; }

# The context the harness sends: the app root, the pinned requirements, our Dockerfile beside the project's.
ctx=$work/ctx
mkdir -p "$ctx"
cp -r scenarios/seed/project/backend/api scenarios/seed/project/backend/Dockerfile "$ctx/"
printf 'fastapi\nuvicorn\ngunicorn\nnumpy==2.2.4\npsycopg2-binary\n# bench %s\n' "$SALT" >"$ctx/requirements.txt"
cp bench/baseline/setup.Dockerfile "$ctx/.bootmatrix.Dockerfile"
cp -r bench/baseline/.nixpacks "$ctx/"
# The plan's variables, passed as Nixpacks passes them.
buildargs=()
while IFS= read -r a; do buildargs+=(--build-arg "$a"); done <bench/baseline/build-args

env=(-e APP_ENV=test -e PORT=$PORT)
t0=$(now)

t=$(now)
docker build --label "$LABEL" "${buildargs[@]}" -f "$ctx/.bootmatrix.Dockerfile" -t "$tag-setup" "$ctx" >>"$log" 2>&1 || fail "build failed"
s_build=$(since "$t")

t=$(now)
cp bench/baseline/install.Dockerfile "$ctx/.bootmatrix.Dockerfile"
docker build --label "$LABEL" --build-arg "BASE=$tag-setup" -f "$ctx/.bootmatrix.Dockerfile" -t "$tag-install" "$ctx" >>"$log" 2>&1 ||
  fail "install failed"
s_install=$(since "$t")

# import: one idle container (init as PID 1, so removal is immediate) the stages exec into.
t=$(now)
cid=$(docker run -d --init --label "$LABEL" --label org.bootmatrix.managed=true \
  -p "127.0.0.1::$PORT" "${env[@]}" -m 1g --memory-swap 1g --cpus 1.5 \
  --entrypoint sleep "$tag-install" infinity)
hostport=$(docker port "$cid" "$PORT/tcp" | head -1)
hostport=${hostport##*:}
docker exec "${env[@]}" "$cid" bash -l -c \
  "cd /app && python -c 'import numpy as m; print(getattr(m, \"__version__\", \"\"))'" >>"$log" 2>&1 || fail "import failed"
s_import=$(since "$t")

t=$(now)
tar -C harness/probe -cf - --transform 's,^,tmp/bootmatrix/,' ldd.py | docker cp - "$cid:/"
docker exec "${env[@]}" -e BOOTMATRIX_LDD_SECONDS=45 "$cid" bash -l -c "cd /app && python /tmp/bootmatrix/ldd.py" >"$work/ldd" 2>>"$log" ||
  fail "ldd probe failed"
grep -q '^BOOTMATRIX-LDD-JSON:' "$work/ldd" || fail "ldd probe printed no report"
s_ldd=$(since "$t")

# boot: start the app, poll /health backing off from 5ms to 250ms, check /config, settle, re-check.
t=$(now)
docker exec -d "${env[@]}" "$cid" bash -l -c "cd /app && gunicorn -k uvicorn.workers.UvicornWorker --bind 0.0.0.0:\$PORT api.index:app"
url=http://127.0.0.1:$hostport
healthy() { [ "$(curl -sS -m 2 "$url/health" 2>/dev/null | tr -d ' \n')" = '{"ok":true}' ]; }
delay=0.005
deadline=$(echo "$(now) + 90" | bc)
until healthy; do
  [ "$(echo "$(now) > $deadline" | bc)" = 1 ] && fail "no healthy answer within 90s"
  sleep "$delay"
  delay=$(echo "d=$delay*2; if (d > 0.25) d=0.25; d" | bc)
done
curl -fsS -m 2 -o /dev/null "$url/config" || fail "/config did not answer 2xx"
sleep "$SETTLE"
healthy || fail "not healthy after the settle period"
s_boot=$(since "$t")

t=$(now)
docker rm -f "$cid" >/dev/null
cid=
s_teardown=$(since "$t")

printf 'baseline total=%.3f build=%.3f install=%.3f import=%.3f ldd=%.3f boot=%.3f teardown=%.3f\n' \
  "$(since "$t0")" "$s_build" "$s_install" "$s_import" "$s_ldd" "$s_boot" "$s_teardown"
