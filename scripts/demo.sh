#!/usr/bin/env bash
# README command one: install, build, and run the main job on the bundled samples:
# check the encounters against the sample rule set, score the coders against the
# auditor's re-coding, and write the per-coder accuracy workbook.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
out=out && rm -rf "$out" && mkdir -p "$out"
bin=build/audit/coderaudit
set +e
$bin check --rules samples/rules/facility.xml --db "$out/audit.db" samples/encounters.csv
rc=$?
set -e
[ $rc -le 1 ] || exit $rc   # 1 = findings present, the expected outcome on the samples
$bin score --db "$out/audit.db" --input samples/auditor.csv \
  --drg-weights samples/drg_weights.csv --base-rate 6000 --cc-mcc samples/cc_mcc.csv
$bin report --db "$out/audit.db" --out "$out/coder-accuracy.xlsx"
# The browser workflow (README "The browser workflow"): a store with a demo team; the
# command that serves it is printed.
SETUP_ONLY=1 CODERAUDIT="$bin" bash scripts/demo-web.sh "$out/demo-web.db"
echo "browser workflow: $bin serve --rules samples/rules/facility.xml --db $out/demo-web.db  # then open http://127.0.0.1:8080/app/"
