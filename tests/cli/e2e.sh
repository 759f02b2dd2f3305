#!/usr/bin/env bash
# The main job on the bundled samples through the real binary, checking exit codes,
# counts, rejects and byte-identical re-rendering. Usage: e2e.sh CODERAUDIT REPO OUTDIR
set -euo pipefail
bin=$1 repo=$2 out=$3
rm -rf "$out" && mkdir -p "$out"
db=$out/audit.db
fail() { echo "FAIL: $*" >&2; exit 1; }

set +e
"$bin" check --rules "$repo/samples/rules/facility.xml" --db "$db" "$repo/samples/encounters.csv" > "$out/check.txt"
rc=$?
set -e
cat "$out/check.txt"
[ $rc -eq 1 ] || fail "check on samples should exit 1 (findings present), got $rc"
grep -q "rejected 0" "$out/check.txt" || fail "the clean sample file should have no rejects"
findings=$(sqlite3 "$db" "select count(*) from findings where run_id=1" 2>/dev/null || echo skip)
if [ "$findings" != skip ]; then
  [ "$findings" -gt 0 ] || fail "no findings stored"
  for rule in FAC-SEX-001 FAC-AGE-001 FAC-PAT-001 FAC-PTP-001 FAC-EM-001 FAC-MUE-001 FAC-MUE-002 FAC-MOD-001 FAC-MOD-002 FAC-DUP-001; do
    n=$(sqlite3 "$db" "select count(*) from findings where run_id=1 and rule_id='$rule'")
    [ "$n" -gt 0 ] || fail "sample rule $rule never fired on the samples"
  done
fi

"$bin" score --db "$db" --run 1 --auditor "$repo/samples/auditor.csv" > "$out/score.txt"
cat "$out/score.txt"
"$bin" report --db "$db" --run 2 --out "$out/accuracy.xlsx" | tee "$out/report.txt"
grep -q "accuracy.xlsx" "$out/report.txt" || fail "report did not print the workbook path"
"$bin" report --db "$db" --run 2 --out "$out/again.xlsx" > /dev/null
cmp "$out/accuracy.xlsx" "$out/again.xlsx" || fail "re-rendering the same run is not byte-identical"

# The malformed sample: rejects with file:line, counts add up, the run goes on.
set +e
"$bin" check --rules "$repo/samples/rules/facility.xml" --db "$db" "$repo/samples/bad_encounters.csv" > "$out/bad.txt"
rc=$?
set -e
cat "$out/bad.txt"
[ $rc -le 1 ] || fail "a file with bad rows must still complete (exit 0/1), got $rc"
read -r read processed rejected <<<"$(sed -n 's/.*records *read \([0-9]*\) = processed \([0-9]*\) + rejected \([0-9]*\).*/\1 \2 \3/p' "$out/bad.txt")"
[ "$rejected" -gt 0 ] || fail "bad_encounters.csv produced no rejects"
[ $((processed + rejected)) -eq "$read" ] || fail "counts do not add up"
"$bin" rejects --db "$db" --run 3 > "$out/rejects.txt"
grep -qE "bad_encounters.csv:[0-9]+: [a-z_]+: " "$out/rejects.txt" || fail "rejects lack file:line: field: reason"
echo "e2e ok"
