#!/usr/bin/env bash
# Renders every workbook reports/ writes from the bundled samples, reproducibly, so a
# refactoring of the writers can be proven byte-neutral: render with the old build and
# the new one, then compare.
#   render_samples.sh CODERAUDIT REPORTS_WRITE_SAMPLE REPO DEST
#   cmp -s before/X.xlsx after/X.xlsx   (for every file in DEST/*.xlsx DEST/readback/*)
# The findings workbook of check run 1; coders' own workbooks (C06; C01 with matches).
# Accuracy workbooks: runs 2 (quarter and month trend), 3 (re-scored, inpatient policy),
# 4 (rebuttals), 5 (second auditor, monthly trend). Extrapolation workbooks: a simple
# sample, a stratified one, and the simple one after a substitution. readback/: the
# synthetic report of tests/reports in constant_memory, in-memory and split form.
# Paths are written into the workbooks (input files, the store), so everything is
# rendered in one fixed directory and then moved to DEST; pass the same REPO each time.
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: $0 CODERAUDIT REPORTS_WRITE_SAMPLE REPO DEST" >&2; exit 2; }
bin=$(realpath "$1") ws=$(realpath "$2") repo=$(realpath "$3") dest=$4
export SOURCE_DATE_EPOCH=1700000000
out=${TMPDIR:-/tmp}/coderaudit-render-samples
rm -rf "$out" && mkdir -p "$out"
db=$out/audit.db
py=/usr/bin/python3

set +e
"$bin" check --rules "$repo/samples/rules/facility.xml" --db "$db" "$repo/samples/encounters.csv" > "$out/check.txt"
rc=$?
set -e
[ $rc -le 1 ] || { echo "check failed ($rc)" >&2; exit 1; }
"$bin" score --db "$db" --run 1 --auditor "$repo/samples/auditor.csv" \
  --drg-weights "$repo/samples/drg_weights.csv" --base-rate 6000 \
  --cc-mcc "$repo/samples/cc_mcc.csv" > "$out/score.txt"
"$bin" report --db "$db" --run 1 --out "$out/findings.xlsx" > /dev/null
"$bin" report --db "$db" --run 2 --out "$out/accuracy.xlsx" > /dev/null
"$bin" report --db "$db" --run 2 --coder C06 --out "$out/coder-C06.xlsx" > /dev/null
"$bin" report --db "$db" --run 2 --coder C01 --matches --out "$out/coder-C01-matches.xlsx" > /dev/null
"$bin" report --db "$db" --run 2 --period month --out "$out/accuracy-month.xlsx" > /dev/null
"$bin" score --db "$db" --rescore 2 --policy "$repo/samples/policies/inpatient.xml" > /dev/null
"$bin" rebuttal --db "$db" --run 2 --in "$repo/samples/rebuttal.csv" > /dev/null
"$bin" report --db "$db" --run 3 --out "$out/inpatient.xlsx" > /dev/null
"$bin" report --db "$db" --run 4 --out "$out/rebutted.xlsx" > /dev/null
"$bin" score --db "$db" --run 1 --auditor "$repo/samples/auditor_b.csv" > /dev/null
"$bin" report --db "$db" --run 5 --period month --out "$out/monthly.xlsx" > /dev/null

# Reviewed amounts made up deterministically from the drawn items, in sample order.
reviewed() {  # SAMPLE_JSON OUT_CSV
  "$py" - "$1" "$2" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
subs = {x["replaced"]: x["spare"] for x in s.get("substitutions", [])}
with open(sys.argv[2], "w") as f:
    f.write("encounter_id,examined,audited\n")
    for i, it in enumerate(x for x in s["items"] if x["role"] == "sample"):
        f.write(f"{subs.get(it['encounter_id'], it['encounter_id'])},{100 + 7 * i}.25,{90 + (i * 13) % 17}.00\n")
PY
}
"$bin" sample draw --db "$db" --run 1 --design simple --n 30 --spares 2 --seed 12345 > /dev/null
"$bin" sample draw --db "$db" --run 1 --design stratified --stratify-by coder_id --n 5 \
  --allocation equal --seed 12345 > /dev/null
for id in 1 2; do
  "$bin" sample show --db "$db" --sample-id $id --format json > "$out/sample$id.json"
  reviewed "$out/sample$id.json" "$out/reviewed$id.csv"
  "$bin" extrapolate --db "$db" --sample-id $id --input "$out/reviewed$id.csv" \
    --out "$out/extrapolation$id.xlsx" > /dev/null
done
first=$(sed -n 2p "$out/reviewed1.csv" | cut -d, -f1)
"$bin" sample substitute --db "$db" --sample-id 1 --encounter "$first" --reason "record unavailable" > /dev/null
"$bin" sample show --db "$db" --sample-id 1 --format json > "$out/sample1-sub.json"
reviewed "$out/sample1-sub.json" "$out/reviewed1-sub.csv"
"$bin" extrapolate --db "$db" --sample-id 1 --input "$out/reviewed1-sub.csv" \
  --out "$out/extrapolation1-sub.xlsx" > /dev/null

"$ws" "$out/readback" > /dev/null
rm -rf "$dest" && mkdir -p "$(dirname "$dest")" && mv "$out" "$dest"
ls "$dest"/*.xlsx "$dest"/readback/*
