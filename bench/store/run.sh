#!/usr/bin/env bash
# Check throughput by store backend: the same `coderaudit check` (samples/rules/facility.xml
# on generated claims, every encounter and line stored: --store all) into a new SQLite file
# and into a new PostgreSQL schema, RUNS times each, alternating; prints lines/s per run and
# the median. The PostgreSQL server is CODERAUDIT_BENCH_PG if set, else a throwaway one from
# scripts/pg.sh on loopback (fsync off: it measures the store's protocol and SQL, not a
# disk; the SQLite file is written with its default sync).
#
#   bench/store/run.sh CODERAUDIT [LINES=200000] [RUNS=3] [WORKDIR=/tmp/coderaudit-bench-store]
set -euo pipefail
BIN=$(readlink -f "$1") LINES=${2:-200000} RUNS=${3:-3} WORK=${4:-/tmp/coderaudit-bench-store}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$WORK" && mkdir -p "$WORK"
if [ -n "${CODERAUDIT_BENCH_PG:-}" ]; then
  URL=$CODERAUDIT_BENCH_PG
else
  chmod 0755 "$WORK"
  URL=$(bash "$SRC/scripts/pg.sh" start "$WORK/pg")
  trap 'bash "$SRC/scripts/pg.sh" stop "$WORK/pg"' EXIT
fi
"$BIN" generate --lines "$LINES" --seed 11 --out "$WORK/claims.csv" >/dev/null

timed() {  # prints wall seconds of a check run (exit 1, 5, 6: a completed run with findings)
  local s e rc=0
  s=$(date +%s.%N)
  "$BIN" check --rules "$SRC/samples/rules/facility.xml" --db "$1" --quiet "$WORK/claims.csv" \
    > "$WORK/out.txt" 2>&1 || rc=$?
  case $rc in 0|1|5|6) ;; *) cat "$WORK/out.txt" >&2; exit $rc ;; esac
  e=$(date +%s.%N)
  awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f", e - s }'
}

: > "$WORK/results.txt"
for i in $(seq 1 "$RUNS"); do
  rm -f "$WORK/store.db"
  t=$(timed "$WORK/store.db")
  echo "sqlite $t" | tee -a "$WORK/results.txt"
  t=$(timed "$URL?options=-csearch_path%3Dbench_$i")
  echo "postgresql $t" | tee -a "$WORK/results.txt"
done
# Both stores hold the same run: same counts.
"$BIN" runs --db "$WORK/store.db" | cut -f4- > "$WORK/sqlite.runs"
"$BIN" runs --db "$URL?options=-csearch_path%3Dbench_$RUNS" | cut -f4- > "$WORK/pg.runs"
diff "$WORK/sqlite.runs" "$WORK/pg.runs" >/dev/null || { echo "the two stores differ" >&2; exit 1; }
echo "run: $(cat "$WORK/sqlite.runs")"
for backend in sqlite postgresql; do
  awk -v b=$backend '$1 == b { print $2 }' "$WORK/results.txt" | sort -n |
    awk -v b=$backend -v n="$LINES" '{ t[++k] = $1 } END {
      m = t[int((k + 1) / 2)]
      printf "%-10s median %.2f s = %.0f lines/s over %d runs\n", b, m, n / m, k }'
done
