#!/usr/bin/env bash
# A throwaway PostgreSQL for the shop's tests.
#
#   postgres.sh start DIR   initdb in DIR, start on a free 127.0.0.1 port, create the role `shop`
#                           (CREATEDB, a random password) and its database `shop`; writes DIR/env
#                           (PGHOST PGPORT PGDATABASE PGUSER PGPASSWORD, ready to `source`).
#   postgres.sh stop DIR    stop it.
# Connections over TCP use scram-sha-256, as in the cluster; only the Unix socket in DIR (setup)
# trusts. As root, the server runs as `postgres` (initdb refuses root).
set -euo pipefail

cmd="${1:?start or stop}"
DIR="$(cd "${2:?a directory}" && pwd)"
PGBIN="${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
[ -x "$PGBIN/initdb" ] || { echo "PostgreSQL's server binaries are missing (apt-get install postgresql, or set PGBIN)" >&2; exit 1; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "$cmd" in
  stop)
    [ -f "$DIR/data/postmaster.pid" ] && as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null
    exit 0 ;;
  start) ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')
mkdir -p "$DIR/data" "$DIR/run"
chmod 755 "$DIR"
[ "$(id -u)" = 0 ] && chown postgres "$DIR/data" "$DIR/run"

as_pg "$PGBIN/initdb" -D "$DIR/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 >"$DIR/run/initdb.log"
as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -w -l "$DIR/run/postgres.log" \
  -o "-h 127.0.0.1 -p $PORT -k $DIR/run -c fsync=off" start >/dev/null
# The password travels on stdin, never on a command line another process could read; a
# token_urlsafe holds no quote to escape.
psql -h "$DIR/run" -p "$PORT" -U postgres -d postgres -X -q -v ON_ERROR_STOP=1 <<SQL
CREATE ROLE shop LOGIN CREATEDB PASSWORD '$PASSWORD';
CREATE DATABASE shop OWNER shop;
SQL
umask 077
cat > "$DIR/env" <<ENV
PGHOST=127.0.0.1
PGPORT=$PORT
PGDATABASE=shop
PGUSER=shop
PGPASSWORD=$PASSWORD
ENV
