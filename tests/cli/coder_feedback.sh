#!/usr/bin/env bash
# A coder's own workbook through the real binary (issue 17): report --coder and
# --per-coder on the bundled samples, each workbook checked by verify_feedback.py (no
# other coder's data on any sheet, their score and result on top, errors first, the fill-in
# columns marked, print layout); then rebuttals typed into the team workbook and into a
# coder's own one are imported with `rebuttal --in` and apply to the run written in the
# workbook, not to the newest score run. Usage: coder_feedback.sh CODERAUDIT REPO OUTDIR
set -euo pipefail
bin=$1 repo=$2 out=$3
py=/usr/bin/python3
rm -rf "$out" && mkdir -p "$out"
db=$out/audit.db
fail() { echo "FAIL: $*" >&2; exit 1; }

"$bin" check --rules "$repo/samples/rules/facility.xml" --db "$db" "$repo/samples/encounters.csv" > /dev/null || [ $? -eq 1 ]
"$bin" score --db "$db" --run 1 --auditor "$repo/samples/auditor.csv" \
  --drg-weights "$repo/samples/drg_weights.csv" --base-rate 6000 \
  --cc-mcc "$repo/samples/cc_mcc.csv" > /dev/null
"$bin" report --db "$db" --run 2 --out "$out/team.xlsx" > /dev/null
"$bin" report --db "$db" --run 2 --per-coder "$out/coders" | tee "$out/per-coder.txt"
[ "$(ls "$out/coders" | wc -l)" -eq 7 ] || fail "want 7 coder workbooks, got $(ls "$out/coders")"
"$bin" report --db "$db" --run 2 --coder C06 --matches --out "$out/c06-matches.xlsx" > /dev/null
"$py" "$repo/tests/cli/verify_feedback.py" "$out/team.xlsx" "$out/coders" "$out/c06-matches.xlsx"

# Usage errors say what goes with what.
set +e
"$bin" report --db "$db" --run 2 --coder NOPE --out "$out/x.xlsx" 2> "$out/nope.txt"; rc=$?
set -e
[ $rc -eq 3 ] && grep -q "no coder 'NOPE'" "$out/nope.txt" || fail "unknown coder: exit $rc $(cat "$out/nope.txt")"
[ ! -e "$out/x.xlsx" ] || fail "a workbook was left for an unknown coder"

# A newer score run exists (run 3); the workbooks are run 2's and must apply to run 2.
"$bin" score --db "$db" --rescore 2 > /dev/null
"$py" "$repo/tests/cli/fill_rebuttal.py" "$out/team.xlsx" "$repo/samples/rebuttal.csv" "$out/team-filled.xlsx"
"$bin" rebuttal --db "$db" --in "$out/team-filled.xlsx" > "$out/rebut-team.txt"
grep -q "^run 4 (rebuttal of score run 2" "$out/rebut-team.txt" || fail "team workbook: $(head -1 "$out/rebut-team.txt")"
grep -q "applied 8 + rejected 0" "$out/rebut-team.txt" || fail "team workbook: $(sed -n 2p "$out/rebut-team.txt")"
c06=$(grep -c '^PR-\|^OP-\|^IP-' "$repo/samples/rebuttal.csv" || true)
"$py" "$repo/tests/cli/fill_rebuttal.py" "$out/coders/coder-C06.xlsx" "$repo/samples/rebuttal.csv" \
  "$out/c06-filled.xlsx" --only-present | tee "$out/fill-c06.txt"
filled=$(sed -n 's/^fill_rebuttal: \([0-9]*\) rows.*/\1/p' "$out/fill-c06.txt")
[ "$filled" -ge 1 ] || fail "no rebuttal row of C06 in samples/rebuttal.csv"
"$bin" rebuttal --db "$db" --in "$out/c06-filled.xlsx" > "$out/rebut-c06.txt"
grep -q "^run 5 (rebuttal of score run 2" "$out/rebut-c06.txt" || fail "C06 workbook: $(head -1 "$out/rebut-c06.txt")"
grep -q "applied $filled + rejected 0" "$out/rebut-c06.txt" || fail "C06 workbook: $(sed -n 2p "$out/rebut-c06.txt")"
# --run that contradicts the workbook is refused, not silently used.
set +e
"$bin" rebuttal --db "$db" --run 3 --in "$out/c06-filled.xlsx" 2> "$out/wrong-run.txt"; rc=$?
set -e
[ $rc -eq 3 ] && grep -q "workbook of score run 2" "$out/wrong-run.txt" || fail "--run 3 with a run-2 workbook: exit $rc"
echo "coder feedback ok"
