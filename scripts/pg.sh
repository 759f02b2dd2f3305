#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for tests and benchmarks: a fresh cluster in DIR, listening on
# 127.0.0.1 only (and a socket in DIR), owned by an unprivileged user.
#
#   pg.sh start DIR   initdb + start; prints the store URL (also written to DIR/url)
#   pg.sh stop DIR    stops the server and deletes DIR
#
# PostgreSQL refuses to run as root, so under root (CI) the cluster belongs to the system
# user `coderaudit-pg`, created here if missing; otherwise to the calling user. Its
# superuser `coderaudit` connects from loopback without a password, other roles with one;
# it runs with fsync off: it holds nothing worth keeping.
# PG_BIN overrides /usr/lib/postgresql/15/bin.
set -euo pipefail
cmd=${1:-} dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: pg.sh start|stop DIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
[ -x "$PG_BIN/pg_ctl" ] || { echo "pg.sh: $PG_BIN/pg_ctl not found (apt-get install postgresql-15)" >&2; exit 1; }

as_owner() {  # runs a PostgreSQL binary as the cluster's owner
  if [ "$(id -u)" -eq 0 ]; then runuser -u coderaudit-pg -- "$@"; else "$@"; fi
}

case $cmd in
  start)
    if [ "$(id -u)" -eq 0 ] && ! id coderaudit-pg >/dev/null 2>&1; then
      useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin coderaudit-pg
    fi
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    chmod 0755 "$dir"
    [ "$(id -u)" -eq 0 ] && chown coderaudit-pg "$dir"
    as_owner "$PG_BIN/initdb" -D "$dir/data" -U coderaudit -A trust -E UTF8 --locale=C \
      --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    # The superuser `coderaudit` needs no password; every other role logs in with one
    # (so a test can show that PGPASSWORD / ~/.pgpass reach the server).
    printf '%s\n' 'local all all trust' 'host all coderaudit 127.0.0.1/32 trust' \
      'host all all 127.0.0.1/32 scram-sha-256' > "$dir/data/pg_hba.conf"
    # A free port (scripts/free-port.sh), tried again if taken meanwhile.
    for _ in 1 2 3 4 5; do
      port=$(bash "$here/free-port.sh")
      if as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
           -o "-h 127.0.0.1 -p $port -k $dir -F -c max_connections=200" start >/dev/null; then
        started=1; break
      fi
    done
    [ "${started:-}" = 1 ] || { echo "pg.sh: server did not start:" >&2; cat "$dir/server.log" >&2; exit 1; }
    as_owner "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U coderaudit -d postgres -qAt \
      -c "CREATE DATABASE coderaudit" >/dev/null
    echo "postgresql://coderaudit@127.0.0.1:$port/coderaudit" | tee "$dir/url"
    ;;
  stop)
    [ -d "$dir/data" ] || { echo "pg.sh: no cluster in $dir" >&2; exit 1; }
    as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    rm -rf "$dir"
    ;;
  *) echo "usage: pg.sh start|stop DIR" >&2; exit 2 ;;
esac
