#!/bin/sh
# Builds the libFuzzer targets with clang (-fsanitize=fuzzer,address,undefined) in
# build-fuzz/ and runs each for SECONDS (default 60), seeded from the committed corpus
# fuzz/corpus/<target>/ plus seeds made from samples/ (and the X12 fixtures of
# ../shared/data when present). See fuzz/README.md.
#   fuzz/run.sh [SECONDS] [TARGET...]      (targets without "_fuzz"; default: all)
# Environment: CXX_FUZZ (default clang++-14), BUILD_DIR (default <repo>/build-fuzz),
# JOBS (build jobs and targets fuzzed at once, default 2); each target's libFuzzer output is kept
# in $BUILD_DIR/fuzz/logs/<target>.log; FUZZ_NO_BUILD=1 runs the targets as built (no cmake).
# New inputs go to $BUILD_DIR/fuzz/corpus/<target>/ (fuzz/merge.sh folds them into the
# committed corpus). Crashes: $BUILD_DIR/fuzz/artifacts/<target>/; turn each into a test
# in tests/ingest_formats/fuzz_regressions_test.cpp (or the reader's own test file).
set -eu
SECONDS_EACH=${1:-60}
[ $# -gt 0 ] && shift
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build-fuzz}
CXX=${CXX_FUZZ:-clang++-14}
JOBS=${JOBS:-2}
command -v "$CXX" >/dev/null || { echo "run.sh: $CXX not found (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 2; }
ALL="x12 fhir mapping csv claim_json rule_xml policy_xml auditor_csv rebuttal_csv rebuttal_xlsx sampling_table"
TARGETS=${*:-$ALL}

if [ "${FUZZ_NO_BUILD:-0}" != 1 ]; then
# Xerces built with ASan and coverage (fuzz/xerces.sh), unless XERCES_ASAN=0 or it cannot
# be fetched: then Debian's uninstrumented library, and every summary line says so.
XERCES=$BUILD/xerces-asan
mkdir -p "$BUILD"
if [ "${XERCES_ASAN:-1}" = 1 ] && sh "$ROOT/fuzz/xerces.sh" "$XERCES"; then
  xerces_args="-C $XERCES/xerces.cmake"
  echo "instrumented" > "$BUILD/xerces-kind"
else
  xerces_args="-UXercesC_* -UCMAKE_CXX_STANDARD_LIBRARIES"
  echo "NOT instrumented (Debian's shared library)" > "$BUILD/xerces-kind"
fi
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_CXX_COMPILER="$CXX" -DCODERAUDIT_FUZZ=ON -DBUILD_TESTING=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" $xerces_args >/dev/null
cmake --build "$BUILD" --target $(for t in $TARGETS; do printf '%s_fuzz ' "$t"; done) -j"$JOBS"
fi

OUT="$BUILD/fuzz"
DATA="$ROOT/../shared/data/encounters/x12"
for t in $TARGETS; do
  rm -rf "$OUT/seeds/$t" "$OUT/artifacts/$t"
  mkdir -p "$OUT/seeds/$t" "$OUT/corpus/$t" "$OUT/artifacts/$t" "$OUT/logs"
done
seeds() { case " $TARGETS " in *" $1 "*) return 0 ;; esac; return 1; }
# X12 seeds: a leading 0 byte selects verify_counts=on (see x12_fuzz.cpp).
if seeds x12; then
  i=0
  for f in "$ROOT"/samples/x12/*.x12 $( [ -d "$DATA" ] && find "$DATA" -type f ! -name LICENSE ! -name 'x12_many_claims.txt' ! -name 'x12_multiple_transactions.txt' ); do
    i=$((i + 1))
    { printf '\000'; cat "$f"; } > "$OUT/seeds/x12/seed$i"
    { printf '\001'; cat "$f"; } > "$OUT/seeds/x12/lenient$i"
  done
fi
# FHIR seeds: single resources (NDJSON lines) keep runs fast; plus a small Bundle.
if seeds fhir; then
  split -l 1 "$ROOT/samples/fhir/same_encounters.ndjson" "$OUT/seeds/fhir/line-"
  head -c 6000 "$ROOT/samples/fhir/same_encounters.ndjson" > "$OUT/seeds/fhir/ndjson-head"
  cp "$ROOT"/fuzz/seeds/fhir/* "$OUT/seeds/fhir/"
fi
# Mapping seeds: mapping JSON + NUL + export, and bare CSV for the built-in mapping.
if seeds mapping; then
  for m in row_per_code row_per_encounter; do
    { cat "$ROOT/samples/mapping/$m.mapping.json"; printf '\000'; head -c 6000 "$ROOT/samples/mapping/export_$m.csv"; } > "$OUT/seeds/mapping/$m"
  done
  printf 'id;pt;sex;dob;from;to;type;npi;drg;disp;ct;seq;code;poa;m1;m2;units;dos;charge\nE1;P1;Female;19500101;03/04/2024;03/05/2024;inpatient;9999999991;70;1;DX;1;E119;Y;;;;;\nE1;;;;;;;;;;HCPCS;;99213;;25;;2;03/04/2024;$1,200.50\n' > "$OUT/seeds/mapping/builtin"
fi
# CSV seeds: the canonical samples (first rows) and the rejects sample.
if seeds csv; then
  for f in "$ROOT"/samples/x12/same_encounters.csv "$ROOT"/samples/bad_encounters.csv; do
    head -c 6000 "$f" > "$OUT/seeds/csv/$(basename "$f")"
  done
fi
# JSON claim model seeds: the sample batch, its first claims, one bare claim.
if seeds claim_json; then
  cp "$ROOT/samples/json/same_encounters.json" "$OUT/seeds/claim_json/batch"
  head -c 6000 "$ROOT/samples/json/same_encounters.json" > "$OUT/seeds/claim_json/head"
  printf '{"encounter_id":"E1","patient_id":"P1","sex":"F","birth_date":"1950-01-01","from_date":"2024-03-04","through_date":"2024-03-05","claim_type":"professional","provider_id":"1","coder_id":"C1","diagnoses":[{"code":"M17.11","seq":1,"poa":"Y"}],"lines":[{"code":"99213","modifiers":["25"],"units":1.5,"date":"2024-03-04","charge":"125.00","dx_pointers":[1]}]}' > "$OUT/seeds/claim_json/one"
fi
# Rule sets and scoring policies: the sample files (rule tests included).
seeds rule_xml && cp "$ROOT"/samples/rules/*.xml "$OUT/seeds/rule_xml/"
seeds policy_xml && cp "$ROOT"/samples/policies/*.xml "$OUT/seeds/policy_xml/"
# Auditor and rebuttal CSVs: the samples' first rows.
if seeds auditor_csv; then
  head -c 6000 "$ROOT/samples/auditor.csv" > "$OUT/seeds/auditor_csv/auditor"
  head -c 6000 "$ROOT/samples/auditor_b.csv" > "$OUT/seeds/auditor_csv/auditor_b"
fi
seeds rebuttal_csv && cp "$ROOT/samples/rebuttal.csv" "$OUT/seeds/rebuttal_csv/rebuttal"
# Appraisal and sample-size tables: a selector byte (sampling_table_fuzz.cpp) + the file.
if seeds sampling_table; then
  d="$OUT/seeds/sampling_table"
  { printf '\000'; cat "$ROOT/samples/reviewed.csv"; } > "$d/unrestricted"
  printf '\000stratum,difference\nA,10\nA,-20.50\nA,"$1,030.00"\nB,5\nB,(5.00)\nB,15\n' > "$d/stratified"
  printf '\000examined audited\n100.25   90\n\t250 250\n75.5 0\n' > "$d/spaces"
  printf '\001primary,primary_size,difference\nP1,5,1\nP1,5,2\nP2,4,3\nP2,4,0\nP3,7,4.5\n' > "$d/two_stage"
  printf '\001primary,primary_size,secondary,secondary_size,difference\nP1,3,S1,4,1\nP1,3,S1,4,2\nP1,3,S2,5,3\nP2,2,S3,4,4\nP2,2,S3,4,0\n' > "$d/three_stage"
  printf '\002stratum,N_h\nA,100\nB,50\n' > "$d/strata"
  printf '\002primary,measure\nP1,12\nP2,25\n"P,3",23\nP4,8\nP5,1\n' > "$d/rhc_frame"
  printf '\003stratum,universe,sample,errors\nA,1000,50,5\nB,4000,100,2\n' > "$d/attribute"
  printf '\004stratum,universe,mean,sd\n1,1000,50,10\n2,2000,60,20\n3,500,100,40\n' > "$d/probes"
fi
# Rebuttal workbooks: seeds are in the committed corpus (parts of a small accuracy
# workbook, "name NUL content NUL ...", see rebuttal_xlsx_fuzz.cpp).

run_one() {
  t=$1
  dict=""
  [ -f "$ROOT/fuzz/$t.dict" ] && dict="-dict=$ROOT/fuzz/$t.dict"
  committed=""
  [ -d "$ROOT/fuzz/corpus/$t" ] && committed="$ROOT/fuzz/corpus/$t"
  # The first directory receives new inputs; the committed corpus is only read.
  "./${t}_fuzz" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="artifacts/$t/" $dict "corpus/$t" $committed "seeds/$t" \
    > "logs/$t.log" 2>&1 || true
  # One summary line per target: time, executions, coverage (libFuzzer's cov/ft) and
  # corpus size when the seeds were loaded (INITED) and at the end.
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "logs/$t.log" | tail -1)
  init=$(grep -m1 'INITED' "logs/$t.log" || true)
  last=$(grep -E '^#[0-9]+' "logs/$t.log" | grep -E 'cov:' | tail -1 || true)
  f() { echo "$1" | sed -n "s/.* $2: \([^ ]*\).*/\1/p"; }
  xerces=""
  case $t in rule_xml|policy_xml) xerces=" (Xerces $(cat "$BUILD/xerces-kind" 2>/dev/null || echo '?'))" ;; esac
  echo "== $t: ${SECONDS_EACH}s execs ${execs:-?} cov $(f "$init" cov)->$(f "$last" cov) ft $(f "$init" ft)->$(f "$last" ft) corpus $(f "$init" corp)->$(f "$last" corp)$xerces"
  if [ -n "$(find "artifacts/$t" -type f | head -1)" ]; then
    tail -n 40 "logs/$t.log"
  fi
}

cd "$OUT"
# JOBS targets at a time.
set -- $TARGETS
while [ $# -gt 0 ]; do
  n=0
  while [ $# -gt 0 ] && [ $n -lt "$JOBS" ]; do
    run_one "$1" &
    shift; n=$((n + 1))
  done
  wait
done
echo "artifacts (crashes, leaks, timeouts):"
find "$OUT/artifacts" -type f | sed 's/^/  /'

# A run that found anything fails, so CI notices.
found=$(find "$OUT/artifacts" -type f | head -5)
if [ -n "$found" ]; then
  echo "fuzz: inputs that crash or break an invariant:" >&2
  echo "$found" >&2
  exit 1
fi
echo "fuzz: ${SECONDS_EACH}s per target, no crash"
