#!/usr/bin/env bash
# Imports every sample table into a reference directory.
#   bash samples/refdata/import_samples.sh CODERAUDIT_BINARY DIR
set -euo pipefail
BIN=${1:?usage: import_samples.sh CODERAUDIT_BINARY DIR}
DIR=${2:?usage: import_samples.sh CODERAUDIT_BINARY DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
while read -r kind file; do
  "$BIN" refdata import "$kind" "$HERE/$file" --dir "$DIR" >/dev/null
done <<'LIST'
icd10cm-order icd10cm_order_fy2024_sample.txt
icd10cm-order icd10cm_order_fy2025_sample.txt
icd10pcs-order icd10pcs_order_fy2024_sample.txt
poa-exempt poa_exempt_fy2024_sample.txt
icd10cm-tabular icd10cm_tabular_fy2024_sample.xml
hcpcs hcpcs_level2_2024_sample_attributes.csv
ptp-practitioner ncci_ptp_practitioner_2024_sample.tsv
ptp-outpatient ncci_ptp_outpatient_hospital_2024_sample.tsv
mue-practitioner ncci_mue_practitioner_2024_sample.csv
mue-outpatient ncci_mue_outpatient_hospital_2024_sample.csv
add-on ncci_add_on_codes_2024_sample.csv
mce mce_v41_1_fy2024_sample.csv
mce mce_v42_fy2025_sample.tsv
inpatient-only inpatient_only_2024_sample.csv
LIST
"$BIN" refdata list --dir "$DIR"
