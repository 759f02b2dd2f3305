#!/usr/bin/env bash
# The extrapolation workbook's Appraisal sheet, cell by cell, for a stratified sample drawn
# from the bundled samples: every stratum's and the overall figures, each confidence level,
# and the demand amount, against verify_extrapolation.py's own computation from the stored
# sample and the reviewed amounts.   extrapolation_workbook.sh CODERAUDIT SOURCE_DIR WORK_DIR
set -uo pipefail
. "$(dirname "$0")/lib.sh"
checked_samples a.db
"$bin" sample draw --db a.db --run 1 --design stratified --stratify-by coder_id --n 6 \
  --allocation equal --seed 20261206 > /dev/null || fail "sample draw"
"$bin" sample show --db a.db --sample-id 1 --format json > sample.json || fail "sample show"
# Reviewed amounts, made up deterministically and unevenly (so skewness is not 0), one
# stratum's differences summing to 0 (RAT-STATS gives it no SD).
/usr/bin/python3 - sample.json reviewed.csv <<'PY' || fail "writing reviewed.csv"
import json, sys
s = json.load(open(sys.argv[1]))
first = s["strata"][0]["stratum"]
with open(sys.argv[2], "w") as f:
    f.write("encounter_id,examined,audited\n")
    k = {}
    for i, it in enumerate(x for x in s["items"] if x["role"] == "sample"):
        j = k[it["stratum"]] = k.get(it["stratum"], -1) + 1
        examined = 80 + (i * 37) % 23 * 11.5 + (i % 4) * 0.25
        if it["stratum"] == first:
            audited = examined - (25, -25, 10, -10, 0, 0)[j]
        else:
            audited = examined - ((i * 13) % 17) * 3.75 - (i % 3) * 40
        f.write(f"{it['encounter_id']},{examined:.2f},{audited:.2f}\n")
PY
out=$("$bin" extrapolate --db a.db --sample-id 1 --input reviewed.csv --out x.xlsx 2>&1) ||
  fail "extrapolate: $out"
/usr/bin/python3 "$src/tests/cli/verify_extrapolation.py" sample.json reviewed.csv x.xlsx ||
  fail "the Appraisal sheet"
echo "extrapolation workbook: checked"
