#!/usr/bin/env bash
# HTTP API load benchmark (issue 11), loopback only, bounded in time. Loads the full
# official practitioner PTP table, MUE, add-on, MCE and the 104-rule set of
# bench/engine/full.xml; drives `coderaudit serve` with wrk (keep-alive clients) and writes
# bench/server/results.md (or $BENCH_RESULTS):
#   1. single-claim POST /v1/check with CONNS concurrent clients: p50/p99 latency, req/s;
#   2. batches of BATCH claims: claims/s and lines/s, against the CLI's `check` lines/s
#      after setup, on the generated claims, measured in the same run (the baseline);
#   3. a soak of SOAK seconds of single-claim load: the server's RSS every 10 s.
# Medians of RUNS runs of DURATION seconds each.
#
#   bash bench/server/run.sh [BUILD_DIR]            (default: build)
#   RUNS=5 DURATION=30 SOAK=600 bash bench/server/run.sh build-perf
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build}
RUNS=${RUNS:-3} DURATION=${DURATION:-20} SOAK=${SOAK:-600} CONNS=${CONNS:-8}
BATCH=${BATCH:-1000} BATCH_CONNS=${BATCH_CONNS:-2}
DATA=$ROOT/../shared/data
if [ ! -d "$DATA/ncci" ]; then
  echo "skipped: $DATA not found (the benchmark loads the official tables)" >&2
  exit 0
fi
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
cmake --build "$BUILD" --target coderaudit -j2 >/dev/null
BIN=$BUILD/audit/coderaudit
WORK=${BENCH_WORK:-$(mktemp -d)}
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  [ -n "${BENCH_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK"
OUT=${BENCH_RESULTS:-$ROOT/bench/server/results.md}
RULES=$ROOT/bench/engine/full.xml

bash "$ROOT/bench/tables.sh" "$BIN" "$WORK/refdata"
CLAIMS=$WORK/claims.csv
[ -f "$CLAIMS" ] || "$BIN" generate --lines 400000 --seed 7 --refdata "$WORK/refdata" --out "$CLAIMS" >/dev/null
read -r SINGLES SINGLE_LINES BATCH_CLAIMS BATCH_LINES < <(
  python3 "$ROOT/bench/server/make_bodies.py" "$CLAIMS" "$WORK/bodies" 2000 20 "$BATCH")
ls "$WORK"/bodies/single/*.json > "$WORK/single.list"
ls "$WORK"/bodies/batch/*.json > "$WORK/batch.list"

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# The CLI's steady-state rate on all generated claims (400,000 lines, both cores, findings
# stored): lines / (total - setup), setup being rules compiled and tables mapped, which the
# server does once at start.
cli_lines_per_s() {
  rm -f "$WORK/cli.db"
  { "$BIN" check --rules "$RULES" --refdata "$WORK/refdata" --db "$WORK/cli.db" --store findings \
      --timing --quiet "$CLAIMS" 2>&1 >/dev/null || true; } |
    sed -n 's/^timing: setup \([0-9.]*\) s, .* total \([0-9.]*\) s, \([0-9]*\) lines\/s.*/\1 \2 \3/p' |
    awk '{ lines = $3 * $2; printf "%.0f\n", lines / ($2 - $1) }'
}

PORT=$((20000 + RANDOM % 20000))
"$BIN" serve --rules "$RULES" --refdata "$WORK/refdata" --db "$WORK/server.db" \
  --listen "127.0.0.1:$PORT" --max-batch "$BATCH" --access-log "$WORK/access.log" \
  2> "$WORK/server.err" &
SERVER_PID=$!
TOKEN=$("$BIN" token create --db "$WORK/server.db" --role check --name bench | tail -n 1)
export TOKEN
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$PORT/v1/health" >/dev/null && break
  sleep 0.2
done
curl -sf "http://127.0.0.1:$PORT/v1/health" >/dev/null || { cat "$WORK/server.err" >&2; exit 1; }
# A warm-up request of each kind, checked for a 200 answer.
for list in single batch; do
  body=$(head -n 1 "$WORK/$list.list")
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' --data-binary "@$body" "http://127.0.0.1:$PORT/v1/check")
  [ "$code" = 200 ] || { echo "warm-up $list answered $code" >&2; exit 1; }
done

# "p50_ms p99_ms req_per_s errors" from one wrk run.
wrk_run() {  # LIST CONNS SECONDS
  BODIES=$WORK/$1.list wrk -t2 -c"$2" -d"$3"s --latency -s "$ROOT/bench/server/post.lua" \
    "http://127.0.0.1:$PORT/v1/check" > "$WORK/wrk.txt"
  awk 'function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0;
                        if (v ~ /s$/) return v * 1000; return v }
       $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) }
       /^Requests\/sec/ { rps = $2 } /Non-2xx/ { err += $NF }
       /Socket errors/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
       END { printf "%.3f %.3f %.1f %d\n", p50, p99, rps, err }' "$WORK/wrk.txt"
}

: > "$WORK/single.txt"; : > "$WORK/batch.txt"; : > "$WORK/cli.txt"
for _ in $(seq "$RUNS"); do
  wrk_run single "$CONNS" "$DURATION" >> "$WORK/single.txt"
  wrk_run batch "$BATCH_CONNS" "$DURATION" >> "$WORK/batch.txt"
  cli_lines_per_s >> "$WORK/cli.txt"
done
P50=$(awk '{print $1}' "$WORK/single.txt" | median)
P99=$(awk '{print $2}' "$WORK/single.txt" | median)
RPS=$(awk '{print $3}' "$WORK/single.txt" | median)
BRPS=$(awk '{print $3}' "$WORK/batch.txt" | median)
ERRORS=$(cat "$WORK/single.txt" "$WORK/batch.txt" | awk '{ e += $4 } END { print e + 0 }')
CLI=$(median < "$WORK/cli.txt")
LINES_PER_BATCH=$(awk -v l="$BATCH_LINES" -v n="$(wc -l < "$WORK/batch.list")" 'BEGIN { printf "%.1f", l / n }')
BATCH_CLAIMS_S=$(awk -v r="$BRPS" -v b="$BATCH" 'BEGIN { printf "%.0f", r * b }')
BATCH_LINES_S=$(awk -v r="$BRPS" -v l="$LINES_PER_BATCH" 'BEGIN { printf "%.0f", r * l }')
RATIO=$(awk -v a="$BATCH_LINES_S" -v c="$CLI" 'BEGIN { printf "%.2f", a / c }')

SOAK_ROWS=""
if [ "$SOAK" -gt 0 ]; then
  BODIES=$WORK/single.list wrk -t2 -c"$CONNS" -d"$SOAK"s --latency -s "$ROOT/bench/server/post.lua" \
    "http://127.0.0.1:$PORT/v1/check" > "$WORK/soak.txt" &
  WRK_PID=$!
  : > "$WORK/rss.txt"
  for t in $(seq 0 10 "$SOAK"); do
    awk -v t="$t" '/VmRSS/ { print t, $2 }' "/proc/$SERVER_PID/status" >> "$WORK/rss.txt"
    sleep 10
  done
  wait "$WRK_PID"
  SOAK_ROWS=$(awk 'NR == 1 { first = $2 } { v[NR] = $2; if ($2 > max) max = $2 }
                   END { printf "| RSS at start of soak | %d MB | |\n| RSS after %d s | %d MB | flat |\n| peak RSS | %d MB | |\n", first / 1024, $1, v[NR] / 1024, max / 1024 }' "$WORK/rss.txt")
  SOAK_ERR=$(awk '/Non-2xx/ { e += $NF } /Socket errors/ { gsub(/,/, ""); e += $4 + $6 + $8 + $10 } END { print e + 0 }' "$WORK/soak.txt")
  SOAK_RPS=$(awk '/^Requests\/sec/ { print $2 }' "$WORK/soak.txt")
  SOAK_ROWS="$SOAK_ROWS
| soak requests/s, errors | $SOAK_RPS, $SOAK_ERR | errors 0 |"
fi

{
  echo "# HTTP API load benchmark"
  echo
  echo "\`bash bench/server/run.sh $(basename "$BUILD")\` (RUNS=$RUNS, DURATION=${DURATION}s, SOAK=${SOAK}s),"
  echo "$(date -u +%Y-%m-%d), $(nproc) cores, loopback, wrk -t2 keep-alive; server and wrk share the cores."
  echo "Rules: bench/engine/full.xml (104 rules) with the full 2024Q3 practitioner and outpatient"
  echo "PTP tables, MUE, add-on, MCE v41.1, ICD-10-CM/PCS. Claims: \`coderaudit generate --seed 7\`"
  echo "as JSON claim-model bodies ($SINGLES single claims of $SINGLE_LINES lines; $(wc -l < "$WORK/batch.list") batches of $BATCH claims, $LINES_PER_BATCH lines each)."
  echo
  echo "| measure | median of $RUNS | target |"
  echo "|---|---|---|"
  echo "| single claim, $CONNS clients: p50 latency | $P50 ms | |"
  echo "| single claim, $CONNS clients: p99 latency | $P99 ms | < 5 ms |"
  echo "| single claim, $CONNS clients: requests/s | $RPS | |"
  echo "| batches of $BATCH, $BATCH_CONNS clients: claims/s | $BATCH_CLAIMS_S | |"
  echo "| batches: lines/s | $BATCH_LINES_S | |"
  echo "| CLI \`check --store findings\` on all 400,000 generated lines, after setup (baseline, same run) | $CLI | |"
  echo "| batch lines/s ÷ CLI lines/s | $RATIO | ≥ 0.5 |"
  echo "| non-2xx answers and socket errors, all runs | $ERRORS | 0 |"
  [ -n "$SOAK_ROWS" ] && echo "$SOAK_ROWS"
  echo
  echo "Per run (p50 ms, p99 ms, req/s, errors): single $(tr '\n' ';' < "$WORK/single.txt") batch $(tr '\n' ';' < "$WORK/batch.txt") CLI lines/s $(tr '\n' ' ' < "$WORK/cli.txt")"
} > "$OUT"
cat "$OUT"
