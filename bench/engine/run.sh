#!/usr/bin/env bash
# Engine benchmark (issue 7). Synthetic claims (`coderaudit generate --refdata`: 95%
# professional, 5% inpatient stays), the official tables from ../shared/data, and two
# timed measurements per size and store mode, median of RUNS runs (default 3):
#   1. full.xml: the ncci-ptp, ncci-mue, ncci-addon, mce and icd10cm-conventions packs plus
#      the 70-rule facility set: lines/s, wall, peak RSS, time to first finding;
#   2. ncci.xml against the same PTP and MUE checks as SQL in the sqlite3 CLI
#      (compare.sh): the speed ratio is measured on these identical checks.
# Writes bench/engine/results.md (or $BENCH_RESULTS).
#
#   bash bench/engine/run.sh [BUILD_DIR] [LINES...]   (default: build-perf, 1000000)
#   RUNS=5 bash bench/engine/run.sh build-perf 1000000 10000000
#   BENCH_WORK=DIR keeps the imported tables and generated claims between runs;
#   MODES="findings" limits the store modes (default "all findings").
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build-perf}
shift || true
SIZES=${*:-1000000}
RUNS=${RUNS:-3}
MODES=${MODES:-all findings}
DATA=$ROOT/../shared/data
if [ ! -d "$DATA/ncci" ]; then
  echo "skipped: $DATA not found" >&2
  exit 0
fi
command -v sqlite3 >/dev/null && [ -x /usr/bin/time ] || { echo "needs sqlite3 and /usr/bin/time" >&2; exit 1; }
cmake --build "$BUILD" --target coderaudit -j2 >/dev/null
BIN=$BUILD/audit/coderaudit
WORK=${BENCH_WORK:-$(mktemp -d)}
[ -n "${BENCH_WORK:-}" ] || trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK"
OUT=${BENCH_RESULTS:-$ROOT/bench/engine/results.md}

# Reference tables, once per work directory (bench/tables.sh lists them).
bash "$ROOT/bench/tables.sh" "$BIN" "$WORK/refdata"

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# Runs a command under /usr/bin/time -v; prints "WALL_S RSS_KB FIRST_FINDING_S" (n/a when
# the command printed no `timing: ... first finding after X s` line on stderr). Exit 1, 5
# and 6 are completed check runs (findings; rejects or claims not checked).
measure() {
  /usr/bin/time -v "$@" > "$WORK/out.txt" 2> "$WORK/time.txt" || { rc=$?; case $rc in 1|5|6) ;; *) cat "$WORK/time.txt" >&2; exit $rc ;; esac; }
  awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0;
                for (i = 1; i <= n; i++) s = s * 60 + t[i]; wall = s }
              /Maximum resident set size/ { rss = $2 }
              match($0, /first finding after [0-9.]+ s/) { first = substr($0, RSTART + 20, RLENGTH - 22) }
              END { printf "%.3f %d %s\n", wall, rss, first == "" ? "n/a" : first }' "$WORK/time.txt"
}
TIMING=()
"$BIN" check --help 2>&1 | grep -q -- '--timing' && TIMING=(--timing)

FULL_ROWS=$WORK/full_rows.md SQL_ROWS=$WORK/sql_rows.md NOTES=$WORK/notes.md
: > "$FULL_ROWS"; : > "$SQL_ROWS"; : > "$NOTES"
for N in $SIZES; do
  CLAIMS=$WORK/claims_v3_$N.csv
  if [ ! -f "$CLAIMS" ] || [ ! -f "$CLAIMS.log" ]; then
    m=$(measure "$BIN" generate --lines "$N" --seed 7 --refdata "$WORK/refdata" --out "$CLAIMS")
    read -r gw gr _ <<< "$m"
    { cat "$WORK/out.txt"; echo "generation: $gw s wall, peak RSS $((gr / 1024)) MB"; } > "$CLAIMS.log"
  fi
  cat "$CLAIMS.log" >&2
  echo "- $N lines: \`$(head -1 "$CLAIMS.log")\`; $(tail -1 "$CLAIMS.log")" >> "$NOTES"

  for MODE in $MODES; do
    # 1. The full benchmark rule set.
    : > "$WORK/full.txt"
    for run in $(seq 1 "$RUNS"); do
      rm -f "$WORK/full.db"
      m=$(measure "$BIN" check --rules "$ROOT/bench/engine/full.xml" --refdata "$WORK/refdata" \
            --db "$WORK/full.db" --store "$MODE" "${TIMING[@]}" "$CLAIMS")
      echo "full $MODE run $run: $m" >&2
      echo "$m" >> "$WORK/full.txt"
    done
    fw=$(awk '{ print $1 }' "$WORK/full.txt" | median)
    fr=$(awk '{ print $2 }' "$WORK/full.txt" | median)
    ff=$(awk '$3 != "n/a" { print $3 }' "$WORK/full.txt" | median)
    found=$(grep -m1 -E '^ *findings' "$WORK/out.txt" | tr -s ' ' | sed 's/^ //')
    awk -v n="$N" -v m="$MODE" -v w="$fw" -v r="$fr" -v f="${ff:-n/a}" -v found="$found" 'BEGIN {
      printf "| %d | %s | %.2f | %.0f | %.0f | %s | %s |\n", n, m, w, n / w, r / 1024, f, found }' >> "$FULL_ROWS"

    # 2. ncci.xml against SQLite on the same claims.
    LOG=$WORK/compare_${N}_$MODE.txt
    bash "$ROOT/bench/engine/compare.sh" "$BIN" "$CLAIMS" "$WORK/refdata" \
      "$DATA/ncci/ncci_ptp_practitioner_2024q3.tsv.gz" "$DATA/ncci/ncci_mue_practitioner_2024q3.csv" \
      "$WORK/cmp" "$RUNS" "$MODE" | tee "$LOG" >&2
    cw=$(awk '$1 == "coderaudit" { print $2 }' "$LOG" | median)
    cr=$(awk '$1 == "coderaudit" { print $3 }' "$LOG" | median)
    sw=$(awk '$1 == "sqlite" { print $2 }' "$LOG" | median)
    sr=$(awk '$1 == "sqlite" { print $3 }' "$LOG" | median)
    awk -v n="$N" -v m="$MODE" -v cw="$cw" -v cr="$cr" -v sw="$sw" -v sr="$sr" 'BEGIN {
      printf "| %d | %s | %.2f | %.0f | %.0f | %.2f | %.0f | %.0f | %.2f |\n",
        n, m, cw, n / cw, cr / 1024, sw, n / sw, sr / 1024, sw / cw }' >> "$SQL_ROWS"
    echo "<!-- $N $MODE: $(grep '^findings' "$LOG") -->" >> "$SQL_ROWS"
  done
done

{
  echo "# Engine benchmark"
  echo
  echo "\`bash bench/engine/run.sh $(basename "$BUILD") $SIZES\` on $(date -u +%Y-%m-%d), $(nproc) cores,"
  echo "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?') + work tree; median of $RUNS runs; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "Claims: \`coderaudit generate --seed 7 --refdata\` (bench/engine/README.md):"
  cat "$NOTES"
  echo
  echo "## Full rule set (full.xml: NCCI PTP/MUE/add-on, MCE, ICD-10-CM conventions, 70 facility rules; 104 rules)"
  echo
  echo "| lines | store | wall s | lines/s | peak RSS MB | first finding after s | findings |"
  echo "|---|---|---|---|---|---|---|"
  cat "$FULL_ROWS"
  echo
  echo "## Against SQLite (ncci.xml: the PTP and MUE checks the SQL repeats, compare.sh)"
  echo
  echo "| lines | store | coderaudit wall s | lines/s | peak RSS MB | SQLite wall s | SQLite lines/s | SQLite RSS MB | speed coderaudit/SQLite |"
  echo "|---|---|---|---|---|---|---|---|---|"
  cat "$SQL_ROWS"
} > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
cat "$OUT"
