#!/usr/bin/env bash
# Imports the official reference tables the benchmarks load (../shared/data) into DIR,
# once per directory:  bash bench/tables.sh CODERAUDIT_BINARY DIR
# NCCI: the 2024Q3 quarter of the professional claims `coderaudit generate` writes.
# Inpatient stays are discharged in FY2025 (2024-10..12): ICD-10-CM FY2025 is the official
# file for it; the newest ICD-10-PCS order file and POA-exempt list (FY2026) and the MCE
# lists v41.1 (FY2024) stand in for FY2025 (the generator draws its stays from them); the
# MCE pack edits against the CMS MCE release (../shared/oracles/cms-java), which dates
# every code itself.
set -euo pipefail
BIN=$1 DIR=$2
DATA=$(cd "$(dirname "$0")/../.." && pwd)/shared/data
[ -f "$DIR/.imported-v3" ] && exit 0
Q3="--version 2024Q3 --from 2024-07-01 --to 2024-09-30"
FY25="--from 2024-10-01 --to 2025-09-30"
while read -r kind file options; do
  "$BIN" refdata import "$kind" "$DATA/$file" --dir "$DIR" $options >/dev/null
done <<LIST
ptp-practitioner ncci/ncci_ptp_practitioner_2024q3.tsv.gz $Q3
mue-practitioner ncci/ncci_mue_practitioner_2024q3.csv $Q3
ptp-outpatient ncci/ncci_ptp_outpatient_hospital_2024q3.tsv.gz $Q3
mue-outpatient ncci/ncci_mue_outpatient_hospital_2024q3.csv $Q3
add-on ncci/ncci_add_on_codes_2024q3.csv $Q3
icd10cm-order icd10/icd10cm_fy2025_code_descriptions.zip --version FY2025 $FY25
icd10pcs-order icd10/icd10pcs_fy2026_order.zip --version FY2026-as-FY2025 $FY25
poa-exempt icd10/poa_exempt_fy2026.zip --version FY2026-as-FY2025 $FY25
mce mce/mce_v41_1_fy2024_code_edits.csv --version v41.1-as-FY2025 $FY25
icd10cm-tabular icd10/icd10cm_tabular_fy2021.xml.gz --version FY2021 --from 2020-10-01 --to 2021-09-30
LIST
"$BIN" refdata import mce-release "$DATA/../oracles/cms-java/MCE-2.0-43.1.0.0.jar" --dir "$DIR" >/dev/null
touch "$DIR/.imported-v3"
