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

# Scored with the synthetic DRG weights and CC/MCC levels, so money and direction are in
# the workbook too (samples/expected_scores.csv has their ground truth).
"$bin" score --db "$db" --run 1 --auditor "$repo/samples/auditor.csv" \
  --drg-weights "$repo/samples/drg_weights.csv" --base-rate 6000 \
  --cc-mcc "$repo/samples/cc_mcc.csv" > "$out/score.txt"
cat "$out/score.txt"
grep -q "policy     default 1" "$out/score.txt" || fail "score did not name its policy"
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
# Completes, and says it did not judge everything: 5 (rejects, no findings) or 6 (both).
[ $rc -eq 5 ] || [ $rc -eq 6 ] || fail "a file with bad rows must complete with exit 5 or 6, got $rc"
read -r read processed rejected <<<"$(sed -n 's/.*records *read \([0-9]*\) = processed \([0-9]*\) + rejected \([0-9]*\).*/\1 \2 \3/p' "$out/bad.txt")"
[ "$rejected" -gt 0 ] || fail "bad_encounters.csv produced no rejects"
[ $((processed + rejected)) -eq "$read" ] || fail "counts do not add up"
"$bin" rejects --db "$db" --run 3 > "$out/rejects.txt"
grep -qE "bad_encounters.csv:[0-9]+: [a-z_]+: " "$out/rejects.txt" || fail "rejects lack file:line: field: reason"
# ---- coder QA v2: policies, rescoring, rebuttal round trip, agreement, trend
py=/usr/bin/python3
sql() { "$py" -c "import sqlite3,sys; print('\n'.join('|'.join(map(str,r)) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])))" "$db" "$1"; }

# Run 4: run 2's rows re-scored under the inpatient policy; run 5: run 4 re-scored with
# its frozen policy (no --policy): the same policy text and hash, the same scores.
"$bin" score --db "$db" --rescore 2 --policy "$repo/samples/policies/inpatient.xml" > "$out/rescore.txt"
cat "$out/rescore.txt"
grep -q "^run 4 (re-score of score run 2" "$out/rescore.txt" || fail "rescore is not run 4"
grep -q "policy     inpatient-drg 2025.1" "$out/rescore.txt" || fail "rescore did not use the inpatient policy"
"$bin" score --db "$db" --rescore 4 > "$out/rescore2.txt"
[ "$(sql "select policy_sha256 from qa_score_runs where run_id=5")" = "$(sql "select policy_sha256 from qa_score_runs where run_id=4")" ] \
  || fail "re-scoring run 4 did not reuse its frozen policy"
[ "$(sql "select policy_sha256 from qa_score_runs where run_id=4")" = "$(sha256sum "$repo/samples/policies/inpatient.xml" | cut -d' ' -f1)" ] \
  || fail "the stored policy hash is not the file's SHA-256"
scores="select coder_id,encounters,codes_reviewed,matches,errors,weighted_errors,code_accuracy,pass from qa_scores where run_id="
[ "$(sql "${scores}5")" = "$(sql "${scores}4")" ] || fail "frozen-policy rescore changed the scores"
# Inpatient only: 5 audited inpatient encounters per coder.
[ "$(sql "select distinct encounters from qa_scores where run_id=4")" = "5" ] || fail "inpatient policy scope"

# Run 6: rebuttals from the CSV. Run 7: the same decisions typed into the run-2 workbook
# (openpyxl rewrites it as Excel would) and imported from the .xlsx: same scores.
"$bin" rebuttal --db "$db" --run 2 --in "$repo/samples/rebuttal.csv" > "$out/rebuttal_csv.txt"
cat "$out/rebuttal_csv.txt"
grep -q "applied 8 + rejected 0" "$out/rebuttal_csv.txt" || fail "rebuttal CSV not fully applied"
"$py" "$repo/tests/cli/fill_rebuttal.py" "$out/accuracy.xlsx" "$repo/samples/rebuttal.csv" "$out/filled.xlsx"
"$bin" rebuttal --db "$db" --run 2 --in "$out/filled.xlsx" > "$out/rebuttal_xlsx.txt"
grep -q "^run 7 (rebuttal of score run 2" "$out/rebuttal_xlsx.txt" || fail "workbook rebuttal is not run 7"
grep -q "applied 8 + rejected 0" "$out/rebuttal_xlsx.txt" || fail "workbook rebuttal not fully applied"
full="select coder_id,matches,errors,weighted_errors,code_accuracy,overpayment_cents,underpayment_cents,drg_changes,rebutted,overturned,pass from qa_scores where run_id="
[ "$(sql "${full}7")" = "$(sql "${full}6")" ] || fail "workbook and CSV rebuttals scored differently"
"$bin" report --db "$db" --run 7 --out "$out/rebutted.xlsx" > /dev/null
"$bin" report --db "$db" --run 7 --out "$out/rebutted_again.xlsx" > /dev/null
cmp "$out/rebutted.xlsx" "$out/rebutted_again.xlsx" || fail "re-rendering the rebuttal run is not byte-identical"
"$py" "$repo/tests/cli/verify_rebuttal.py" "$out/accuracy.xlsx" "$out/rebutted.xlsx" "$repo/samples/expected_scores.csv"

# Audit the auditor: A01/A02 against A03 on the 53 encounters both re-coded.
"$bin" agreement --db "$db" --run 1 --auditor "$repo/samples/auditor.csv" \
  --auditor "$repo/samples/auditor_b.csv" --format csv > "$out/agreement.csv"
diff "$out/agreement.csv" "$repo/samples/expected_agreement.csv" || fail "agreement differs from the generator's"
"$bin" agreement --db "$db" --run 1 --auditor "$repo/samples/auditor.csv" --auditor "$repo/samples/auditor_b.csv"

# Trend by month over several stored audits: runs 4-7 all derive from run 2 (one audit:
# run 7 stands for it), run 8 is the second auditor's own audit.
"$bin" score --db "$db" --run 1 --auditor "$repo/samples/auditor_b.csv" > /dev/null
"$bin" report --db "$db" --run 8 --period month --out "$out/monthly.xlsx" > /dev/null
"$py" "$repo/tests/cli/verify_rebuttal.py" --trend "$out/monthly.xlsx" "7, 8" 158
echo "e2e ok"
