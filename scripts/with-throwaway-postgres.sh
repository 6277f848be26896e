#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster on loopback, then removes the cluster.
# The command sees KT_TEST_POSTGRES_URL. PostgreSQL refuses to run as root, so the cluster is
# initialised and started as the `postgres` user when we are root.
set -euo pipefail
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pg_bin" ]; then
  echo "PostgreSQL is not installed; run scripts/install-system-deps.sh" >&2
  exit 1
fi
# A fixed port when asked for one, else whichever loopback port is free now.
port=${KT_TEST_POSTGRES_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
dir=$(mktemp -d /tmp/kt-pg.XXXXXX)
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres:postgres "$dir"
  as_pg=(runuser -u postgres --)
fi
"${as_pg[@]}" "$pg_bin/initdb" -D "$dir/data" -U kt --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" start >/dev/null
cleanup() {
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
"$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U kt kt_test
export KT_TEST_POSTGRES_URL="postgresql+psycopg://kt@127.0.0.1:$port/kt_test"
export KT_TEST_POSTGRES_ADMIN_URL="postgresql+psycopg://kt@127.0.0.1:$port/postgres"
"$@"
