#!/usr/bin/env bash
# Engine benchmark (issue 7): synthetic claims (`coderaudit generate`), the full official
# practitioner PTP + MUE + add-on tables from ../shared/data, `coderaudit check` with the
# NCCI packs (bench/engine/ncci.xml) against the same PTP and MUE checks as SQL in the
# sqlite3 CLI (bench/engine/compare.sh). Median of RUNS runs (default 3) per size and
# store mode; writes bench/engine/results.md.
#
#   bash bench/engine/run.sh [BUILD_DIR] [LINES...]   (default: build-perf, 1000000)
#   RUNS=5 bash bench/engine/run.sh build-perf 1000000 10000000
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build-perf}
shift || true
SIZES=${*:-1000000}
RUNS=${RUNS:-3}
DATA=$ROOT/../shared/data
if [ ! -d "$DATA/ncci" ]; then
  echo "skipped: $DATA not found" >&2
  exit 0
fi
cmake --build "$BUILD" --target coderaudit -j2 >/dev/null
BIN=$BUILD/audit/coderaudit
WORK=${BENCH_WORK:-$(mktemp -d)}
[ -n "${BENCH_WORK:-}" ] || trap 'rm -rf "$WORK"' EXIT
OUT=$ROOT/bench/engine/results.md

if [ ! -f "$WORK/refdata/.imported" ]; then
  for t in "ptp-practitioner ncci/ncci_ptp_practitioner_2024q3.tsv.gz" \
           "mue-practitioner ncci/ncci_mue_practitioner_2024q3.csv" \
           "ptp-outpatient ncci/ncci_ptp_outpatient_hospital_2024q3.tsv.gz" \
           "mue-outpatient ncci/ncci_mue_outpatient_hospital_2024q3.csv" \
           "add-on ncci/ncci_add_on_codes_2024q3.csv"; do
    set -- $t
    "$BIN" refdata import "$1" "$DATA/$2" --dir "$WORK/refdata" --version 2024Q3 \
        --from 2024-07-01 --to 2024-09-30 >/dev/null
  done
  touch "$WORK/refdata/.imported"
fi

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

{
  echo "# Engine benchmark"
  echo
  echo "\`bash bench/engine/run.sh $(basename "$BUILD") $SIZES\` on $(date -u +%Y-%m-%d), $(nproc) cores,"
  echo "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?') + work tree; median of $RUNS runs."
  echo "Rules: ncci-ptp + ncci-mue + ncci-addon packs on the full 2024Q3 practitioner tables."
  echo "SQLite: the same PTP and MUE checks as SQL (compare.sh), claims imported by \`.import\`."
  echo
  echo "| lines | store | coderaudit wall s | lines/s | peak RSS MB | SQLite wall s | SQLite lines/s | SQLite RSS MB | speed coderaudit/SQLite |"
  echo "|---|---|---|---|---|---|---|---|---|"
} > "$OUT.tmp"

for N in $SIZES; do
  CLAIMS=$WORK/claims_$N.csv
  [ -f "$CLAIMS" ] || "$BIN" generate --lines "$N" --seed 7 --refdata "$WORK/refdata" --out "$CLAIMS"
  for MODE in all findings; do
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
        n, m, cw, n / cw, cr / 1024, sw, n / sw, sr / 1024, sw / cw }' >> "$OUT.tmp"
    echo "<!-- $N $MODE: $(grep '^findings' "$LOG") -->" >> "$OUT.tmp"
  done
done
mv "$OUT.tmp" "$OUT"
cat "$OUT"
