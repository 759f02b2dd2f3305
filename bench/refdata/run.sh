#!/usr/bin/env bash
# Import and load timings for the reference store on the official tables in
# ../shared/data: the full practitioner PTP (2.5 M pairs) alone, then the load of
# PTP (both settings) + MUE (three settings) + add-on + ICD-10-CM together.
# Every phase runs in its own process, so each peak RSS is that phase's own.
#
#   bash bench/refdata/run.sh [BUILD_DIR]      (default: build-refdata)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build-refdata}
DATA=$ROOT/../shared/data
if [ ! -d "$DATA/ncci" ]; then
  echo "skipped: $DATA not found" >&2
  exit 0
fi
cmake -S "$ROOT" -B "$BUILD" >/dev/null
cmake --build "$BUILD" --target refdata_bench -j2 >/dev/null
BENCH=$BUILD/audit/refdata/refdata_bench
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

echo "== full practitioner PTP: import, then load (cold process) =="
"$BENCH" import "$WORK/ptp" ptp-practitioner "$DATA/ncci/ncci_ptp_practitioner_2024q3.tsv.gz"
ls -l "$WORK/ptp"/*.idx | awk '{printf "index file %s: %.1f MB\n", $NF, $5 / 1048576}'
"$BENCH" load "$WORK/ptp"

echo "== PTP x2 + MUE x3 + add-on + ICD-10-CM: import, then load =="
"$BENCH" import "$WORK/all" ptp-practitioner "$DATA/ncci/ncci_ptp_practitioner_2024q3.tsv.gz"
"$BENCH" import "$WORK/all" ptp-outpatient "$DATA/ncci/ncci_ptp_outpatient_hospital_2024q3.tsv.gz"
"$BENCH" import "$WORK/all" mue-practitioner "$DATA/ncci/ncci_mue_practitioner_2024q3.csv"
"$BENCH" import "$WORK/all" mue-outpatient "$DATA/ncci/ncci_mue_outpatient_hospital_2024q3.csv"
"$BENCH" import "$WORK/all" mue-dme "$DATA/ncci/ncci_mue_dme_2024q3.csv"
"$BENCH" import "$WORK/all" add-on "$DATA/ncci/ncci_add_on_codes_2024q3.csv"
"$BENCH" import "$WORK/all" icd10cm-order "$DATA/icd10/icd10cm_fy2026_code_descriptions.zip"
for run in 1 2 3; do "$BENCH" load "$WORK/all"; done
