#!/usr/bin/env bash
# Real data, end to end: the MIMIC-IV demo's ICD-10 admissions through the MCE pack with
# the official CMS MCE release from ../shared/oracles. Prints the findings per edit
# (tests/mce_parity/ checks each against the official Java MCE).
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
jar=$repo/../shared/oracles/cms-java/MCE-2.0-43.1.0.0.jar
[ -f "$jar" ] || { echo "skipped: the CMS MCE release is not in ../shared/oracles/cms-java"; exit 0; }
# The MCE pack edits against the CMS MCE release, whose own dates cover every admission
# (moved into FY2025; one is discharged 2025-10-02, in FY2026).
"$bin" refdata import mce-release "$jar" --dir "$ref" > /dev/null
"$bin" refdata list --dir "$ref"
set +e
"$bin" check --rules "$repo/tests/realdata/mimic-mce.xml" --refdata "$ref" --db "$out/mimic.db" "$out/mimic.csv" | tee "$out/check.txt"
rc=$?
set -e
[ $rc -eq 1 ] || { echo "FAIL: check exited $rc, expected 1 (findings, every claim checked)"; exit 1; }
nc=$(sqlite3 "$out/mimic.db" "select count(*) from not_checked")
[ "$nc" = "0" ] || { echo "FAIL: $nc not-checked rows: the release covers every admission"; exit 1; }
grep -q "rejected 0" "$out/check.txt" || { echo "FAIL: MIMIC rows were rejected"; "$bin" rejects --db "$out/mimic.db" | head; exit 1; }
echo "findings per edit:"
sqlite3 "$out/mimic.db" "select rule_id, count(*), count(distinct encounter_id) from findings group by rule_id order by rule_id" |
  awk -F'|' '{printf "  %-28s %5d findings on %3d admissions\n", $1, $2, $3}'
n=$(sqlite3 "$out/mimic.db" "select count(*) from findings")
[ "$n" -gt 0 ] || { echo "FAIL: the MCE pack found nothing on 123 real admissions"; exit 1; }
echo "mimic mce ok"
