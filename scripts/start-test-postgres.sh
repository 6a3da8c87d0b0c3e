#!/bin/sh
# Starts a throw-away PostgreSQL cluster for the tests and prints the line that points them at it:
#
#   eval "$(scripts/start-test-postgres.sh)"
#
# The cluster lives in a fresh temporary directory owned by the `postgres` OS user (PostgreSQL refuses
# to run as root), listens on 127.0.0.1 only, on a free port, with trust authentication (loopback, a
# throw-away cluster, nothing else on it). Stdout carries only `export …` lines; progress goes to stderr.
# Stop it with:  "$TRUCELINE_TEST_PG_BIN/pg_ctl" -D "$TRUCELINE_TEST_PG_DIR/data" stop  (as `postgres`),
# or just delete the directory once the machine is thrown away.
set -eu

PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
  echo "start-test-postgres: no PostgreSQL binaries found (set PG_BIN)" >&2
  exit 1
fi

# Run a command as the postgres user when we are root; as ourselves otherwise.
as_pg() {
  if [ "$(id -u)" = "0" ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

dir="$(mktemp -d "${TMPDIR:-/tmp}/truceline-pg.XXXXXX")"
chmod 755 "$dir"
if [ "$(id -u)" = "0" ]; then chown postgres:postgres "$dir"; fi

# A free port: ask the kernel for one, then hand it to PostgreSQL (a race with another process
# taking it in between is possible but harmless: pg_ctl then fails loudly).
port="$(node -e "const s=require('node:net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"

as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
  cat "$dir/initdb.log" >&2
  exit 1
}
# fsync stays on: the tests check durability-related behaviour, not speed.
as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200" start >&2 || {
  cat "$dir/postgres.log" >&2
  exit 1
}
echo "start-test-postgres: PostgreSQL running on 127.0.0.1:$port (data in $dir/data)" >&2

echo "export TRUCELINE_TEST_DATABASE_URL='postgres://postgres@127.0.0.1:$port/postgres'"
echo "export TRUCELINE_TEST_PG_DIR='$dir'"
echo "export TRUCELINE_TEST_PG_BIN='$PG_BIN'"
