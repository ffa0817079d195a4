#!/usr/bin/env bash
# Run a command with a throwaway PostgreSQL cluster on a free loopback port.
# The cluster lives in a temp folder owned by `postgres` (PostgreSQL refuses
# to run as root) and is stopped and removed on any exit, failures included.
set -euo pipefail

find_bin() {
  local name=$1
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$found" ] && [ -x "$found/$name" ]; then echo "$found/$name"; return; fi
  return 1
}

if ! find_bin initdb >/dev/null; then
  echo "with-postgres: installing Debian's postgresql" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq postgresql >/dev/null
fi
INITDB=$(find_bin initdb)
PG_CTL=$(find_bin pg_ctl)

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

D=$(mktemp -d /tmp/tongxin-pg.XXXXXX)
chmod 755 "$D"
[ "$(id -u)" = 0 ] && chown postgres "$D"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cleanup() {
  as_postgres "$PG_CTL" -D "$D/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$D"
}
trap cleanup EXIT INT TERM

as_postgres "$INITDB" -D "$D/data" -A trust -U postgres >/dev/null
as_postgres "$PG_CTL" -D "$D/data" -l "$D/log" -w \
  -o "-p $PORT -k $D -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
echo "with-postgres: PostgreSQL on 127.0.0.1:$PORT" >&2

export TONGXIN_TEST_PG_URL="postgresql+asyncpg://postgres@127.0.0.1:$PORT/postgres"
set +e
"$@"
rc=$?
set -e
exit $rc
