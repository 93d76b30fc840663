#!/usr/bin/env bash
# A real PostgreSQL for the pg backend's tests, with states written by the real Terraform.
#
#   tests/servers/pg.sh start DIR   initdb + start on a free 127.0.0.1 port, TLS on, users for each
#                                   authentication, Terraform writes `default` and `staging`;
#                                   prints the port. DIR/server.env holds what tests need.
#   tests/servers/pg.sh stop DIR    stops it (pg_ctl, by its data directory).
# With WATCH_PID set, a watcher stops the server once that process (the test run) has ended, and
# removes DIR: a test process that dies leaves nothing behind.
#
# Users (password = the user's name + "-pw"):
#   tf_scram  scram-sha-256 (also Terraform's user)   tf_md5  md5   tf_plain  password (cleartext)
# TLS: DIR/ca.pem signed the server's certificate, which names localhost only (not 127.0.0.1, so
# verify-full to 127.0.0.1 fails on the name); DIR/other-ca.pem signed nothing.
# Needs PostgreSQL's server binaries (Debian: /usr/lib/postgresql/<ver>/bin; PGBIN overrides),
# psql, openssl and terraform. As root, the server runs as the `postgres` user (initdb refuses root).
set -euo pipefail

SELF="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cmd="${1:?start or stop}"
DIR="$(cd "${2:?a directory}" && pwd)"
PGBIN="${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
[ -x "$PGBIN/initdb" ] || { echo "PostgreSQL server binaries not found (install postgresql, or set PGBIN)" >&2; exit 1; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if [ "$cmd" = stop ]; then
  as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  exit 0
fi
[ "$cmd" = start ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
mkdir -p "$DIR/data" "$DIR/run" "$DIR/tf"
chmod 755 "$DIR"

# TLS: a CA, the server's certificate for localhost, and a CA that signed nothing.
ssl() { openssl "$@" >/dev/null 2>&1; }
ssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=test-ca -keyout "$DIR/ca.key" -out "$DIR/ca.pem"
ssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=other-ca -keyout "$DIR/other-ca.key" -out "$DIR/other-ca.pem"
ssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout "$DIR/server.key" -out "$DIR/server.csr"
printf 'subjectAltName=DNS:localhost\n' > "$DIR/san.ext"
ssl x509 -req -in "$DIR/server.csr" -CA "$DIR/ca.pem" -CAkey "$DIR/ca.key" -CAcreateserial -days 2 \
  -extfile "$DIR/san.ext" -out "$DIR/server.pem"
chmod 600 "$DIR/server.key"
if [ "$(id -u)" = 0 ]; then chown -R postgres "$DIR/data" "$DIR/run" "$DIR/server.key" "$DIR/server.pem"; fi

as_pg "$PGBIN/initdb" -D "$DIR/data" -U postgres --auth=trust >/dev/null
cat >> "$DIR/data/postgresql.conf" <<CONF
ssl = on
ssl_cert_file = '$DIR/server.pem'
ssl_key_file = '$DIR/server.key'
CONF
# Each user its own method; the Unix socket (setup only) trusts.
cat > "$DIR/data/pg_hba.conf" <<HBA
local all all trust
host all tf_plain 127.0.0.1/32 password
host all tf_md5 127.0.0.1/32 md5
host all all 127.0.0.1/32 scram-sha-256
HBA
as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -w -l "$DIR/run/postgres.log" -o "-h 127.0.0.1 -p $PORT -k $DIR/run" start >/dev/null

PSQL=(psql -h "$DIR/run" -p "$PORT" -U postgres -X -q -v ON_ERROR_STOP=1)
"${PSQL[@]}" -d postgres <<SQL
CREATE DATABASE tfstate;
SET password_encryption = 'scram-sha-256';
CREATE ROLE tf_scram LOGIN SUPERUSER PASSWORD 'tf_scram-pw';
CREATE ROLE tf_plain LOGIN SUPERUSER PASSWORD 'tf_plain-pw';
SET password_encryption = 'md5';
CREATE ROLE tf_md5 LOGIN SUPERUSER PASSWORD 'tf_md5-pw';
SQL

# Terraform writes the states, over TLS with lib/pq's default sslmode (require).
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE="$DIR/tf/terraformrc"
: > "$TF_CLI_CONFIG_FILE"
cat > "$DIR/tf/main.tf" <<'HCL'
terraform {
  backend "pg" {}
}

resource "terraform_data" "app" {
  input = {
    image = "registry.example.com/app:${terraform.workspace}-v1"
  }
}

output "image" {
  value = terraform_data.app.output.image
}
HCL
CONN="postgres://tf_scram:tf_scram-pw@127.0.0.1:$PORT/tfstate"
tf() { terraform -chdir="$DIR/tf" "$@" -no-color >>"$DIR/run/terraform.log" 2>&1; }
tf init -input=false -backend-config="conn_str=$CONN"
tf apply -auto-approve -input=false
tf workspace new staging
tf apply -auto-approve -input=false
tf workspace select default

if [ -n "${WATCH_PID:-}" ]; then
  # The postmaster's pid too: should DIR be gone first, pg_ctl cannot find it, a signal can.
  POSTMASTER=$(head -1 "$DIR/data/postmaster.pid")
  setsid bash -c 'while kill -0 "$0" 2>/dev/null; do sleep 1; done; "$1" stop "$2"; kill -INT "$3" 2>/dev/null; rm -rf "$2"' \
    "$WATCH_PID" "$SELF" "$DIR" "$POSTMASTER" </dev/null >/dev/null 2>&1 &
fi

cat > "$DIR/server.env" <<ENV
PORT=$PORT
SOCKET_DIR=$DIR/run
ENV
echo "$PORT"
