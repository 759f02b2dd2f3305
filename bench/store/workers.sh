#!/usr/bin/env bash
# Scale-out throughput: one run of LINES generated lines (samples/rules/facility.xml, every
# encounter and line stored) in PARTS partitions, processed by 1, 2 and 3 `coderaudit worker`
# processes against one PostgreSQL server; and the same file checked by one process
# (`check` without partitions) for comparison. Wall time from the workers' start to the
# run's completion (splitting, done once by `check --partitions`, is timed apart).
# The server is CODERAUDIT_BENCH_PG if set, else a throwaway one (scripts/pg.sh).
#
#   bench/store/workers.sh CODERAUDIT [LINES=200000] [PARTS=12] [WORKDIR=/tmp/coderaudit-bench-workers]
set -euo pipefail
BIN=$(readlink -f "$1") LINES=${2:-200000} PARTS=${3:-12} WORK=${4:-/tmp/coderaudit-bench-workers}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$WORK" && mkdir -p "$WORK" && chmod 0755 "$WORK"
if [ -n "${CODERAUDIT_BENCH_PG:-}" ]; then
  URL=$CODERAUDIT_BENCH_PG
else
  URL=$(bash "$SRC/scripts/pg.sh" start "$WORK/pg")
  trap 'bash "$SRC/scripts/pg.sh" stop "$WORK/pg"' EXIT
fi
sep=$([[ $URL == *\?* ]] && echo '&' || echo '?')
RULES=$SRC/samples/rules/facility.xml
"$BIN" generate --lines "$LINES" --seed 11 --out "$WORK/claims.csv" >/dev/null
now() { date +%s.%N; }
rate() { awk -v s="$1" -v e="$2" -v n="$LINES" 'BEGIN { printf "%.2f s = %.0f lines/s", e - s, n / (e - s) }'; }

s=$(now)
"$BIN" check --rules "$RULES" --db "$URL${sep}options=-csearch_path%3Dsingle" --quiet "$WORK/claims.csv" >/dev/null || [ $? -le 6 ]
echo "one process, no partitions: $(rate "$s" "$(now)")"
for workers in 1 2 3; do
  db="$URL${sep}options=-csearch_path%3Dworkers_$workers"
  s=$(now)
  "$BIN" check --partitions "$PARTS" --rules "$RULES" --db "$db" --quiet "$WORK/claims.csv" >/dev/null
  split=$(now)
  pids=()
  for w in $(seq 1 "$workers"); do
    "$BIN" worker --db "$db" --name "w$w" --until-done --poll 0.1 > "$WORK/w$workers-$w.log" &
    pids+=($!)
  done
  wait "${pids[@]}"
  e=$(now)
  "$BIN" runs --db "$db" | cut -f4- > "$WORK/runs-$workers.txt"
  "$BIN" runs --db "$URL${sep}options=-csearch_path%3Dsingle" | cut -f4- | diff - "$WORK/runs-$workers.txt" >/dev/null ||
    { echo "workers=$workers: the run differs from the single-process run" >&2; exit 1; }
  echo "$workers worker(s), $PARTS partitions: $(rate "$split" "$e") (split and store the partitions: $(awk -v s="$s" -v e="$split" 'BEGIN { printf "%.2f s", e - s }'))"
done
