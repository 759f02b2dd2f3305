#!/usr/bin/env bash
# Rebuttal import memory (issue 12 item 6): peak RSS of `coderaudit rebuttal` on a
# generated ROWS-row rebuttal CSV and workbook against the sample score run.
#
#   bash bench/rebuttal/run.sh [BUILD_DIR] [ROWS]     (default: build, 1000000)
#   MAX_RSS_MB=150: exit 1 when either import peaks above it (the CTest guard).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build}
ROWS=${2:-1000000}
BIN=$BUILD/audit/coderaudit
S=$ROOT/samples
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$BIN" check --rules "$S/rules/facility.xml" --db "$WORK/a.db" "$S/encounters.csv" >/dev/null || [ $? -le 6 ]
"$BIN" score --db "$WORK/a.db" --auditor "$S/auditor.csv" >/dev/null
"$BIN" report --db "$WORK/a.db" --run 2 --out "$WORK/w.xlsx" >/dev/null
python3 "$ROOT/bench/rebuttal/gen_rebuttal.py" csv "$ROWS" "$WORK/r.csv"
python3 "$ROOT/bench/rebuttal/gen_rebuttal.py" xlsx "$ROWS" "$WORK/w.xlsx" "$WORK/r.xlsx"
python3 "$ROOT/bench/rebuttal/gen_rebuttal.py" xlsx-shared "$ROWS" "$WORK/w.xlsx" "$WORK/r-shared.xlsx"
for f in r.csv r.xlsx r-shared.xlsx; do
  /usr/bin/time -v "$BIN" rebuttal --db "$WORK/a.db" --run 2 --in "$WORK/$f" \
    >"$WORK/out.txt" 2>"$WORK/err.txt" || { tail -3 "$WORK/err.txt"; exit 1; }
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/err.txt")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/err.txt")
  echo "$f $ROWS rows: peak RSS $((rss / 1024)) MB, wall $wall; $(grep 'rebuttal rows read' "$WORK/out.txt" | sed 's/^ *//')"
  if [ -n "${MAX_RSS_MB:-}" ]; then
    [ $((rss / 1024)) -le "$MAX_RSS_MB" ] || { echo "FAIL: $f peaked above $MAX_RSS_MB MB" >&2; exit 1; }
    # Every reject is stored; the command lists the first 1,000 and counts the rest.
    [ "$(grep -c ': ' "$WORK/err.txt")" -ge 1000 ] && grep -q "more rejects: coderaudit rejects" "$WORK/err.txt" ||
      { echo "FAIL: $f: rejects not listed and counted" >&2; exit 1; }
    stored=$(sqlite3 "$WORK/a.db" "SELECT count(*) FROM rejects WHERE run_id=(SELECT max(run_id) FROM runs)")
    read_rows=$(sed -n 's/.*rebuttal rows read [0-9]* = applied [0-9]* + rejected \([0-9]*\).*/\1/p' "$WORK/out.txt")
    [ "$stored" = "$read_rows" ] || { echo "FAIL: $f: $stored rejects stored, $read_rows counted" >&2; exit 1; }
  fi
done
