#!/usr/bin/env bash
# Real data, end to end: the MIMIC-IV demo's ICD-10 admissions through the MCE pack with
# the official tables from ../shared/data. Prints the findings per edit.
# Usage: mimic_mce.sh CODERAUDIT REPO OUTDIR
set -euo pipefail
bin=$1 repo=$2 out=$3
data=$repo/../shared/data
if [ ! -d "$data/encounters/mimic-iv-demo" ]; then
  echo "skipped: ../shared/data not found (MIMIC-IV demo run needs it)"
  exit 0
fi
rm -rf "$out" && mkdir -p "$out"
/usr/bin/python3 "$repo/tests/realdata/mimic_to_encounters.py" "$data/encounters/mimic-iv-demo" "$out/mimic.csv"
ref=$out/refdata
imp() { "$bin" refdata import "$@" --dir "$ref" > /dev/null; }
# Admissions are moved into FY2025. ICD-10-CM FY2025 is the official file for it; the
# newest PCS order file (FY2026) and MCE lists (v41.1, FY2024) stand in for FY2025.
imp icd10cm-order "$data/icd10/icd10cm_fy2025_code_descriptions.zip" --version FY2025 --from 2024-10-01 --to 2025-09-30
imp icd10pcs-order "$data/icd10/icd10pcs_fy2026_order.zip" --version FY2026-as-FY2025 --from 2024-10-01 --to 2025-09-30
imp mce "$data/mce/mce_v41_1_fy2024_code_edits.csv" --version v41.1-as-FY2025 --from 2024-10-01 --to 2025-09-30
"$bin" refdata list --dir "$ref"
set +e
"$bin" check --rules "$repo/tests/realdata/mimic-mce.xml" --refdata "$ref" --db "$out/mimic.db" "$out/mimic.csv" | tee "$out/check.txt"
rc=$?
set -e
# One admission is discharged 2025-10-02, after every loaded FY2025 table: its MCE edits
# cannot judge it, so it is "not checked" (stored, counted per rule), never clean, and the
# run exits 6 (findings, and claims not checked).
[ $rc -eq 6 ] || { echo "FAIL: check exited $rc, expected 6 (findings + one claim not checked)"; exit 1; }
grep -q "not checked 1 claims: MCE-AGE-ADULT 1 (mce: no version for 2025-10-02)" "$out/check.txt" ||
  { echo "FAIL: the admission discharged after the FY2025 tables is not reported not checked"; exit 1; }
nc=$(sqlite3 "$out/mimic.db" "select count(distinct encounter_id) || ' ' || count(*) from not_checked")
[ "$nc" = "1 17" ] || { echo "FAIL: stored not-checked rows: $nc (expected 1 claim, 17 rules)"; exit 1; }
held=$("$bin" holds --db "$out/mimic.db" --format csv | awk -F, '$3 == "hold" && $6 > 0' | wc -l)
[ "$held" -eq 1 ] || { echo "FAIL: the not-checked admission is not on the hold list"; exit 1; }
grep -q "rejected 0" "$out/check.txt" || { echo "FAIL: MIMIC rows were rejected"; "$bin" rejects --db "$out/mimic.db" | head; exit 1; }
echo "findings per edit:"
sqlite3 "$out/mimic.db" "select rule_id, count(*), count(distinct encounter_id) from findings group by rule_id order by rule_id" |
  awk -F'|' '{printf "  %-28s %5d findings on %3d admissions\n", $1, $2, $3}'
n=$(sqlite3 "$out/mimic.db" "select count(*) from findings")
[ "$n" -gt 0 ] || { echo "FAIL: the MCE pack found nothing on 123 real admissions"; exit 1; }
echo "mimic mce ok"
