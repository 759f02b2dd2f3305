#!/bin/sh
# Builds the libFuzzer targets with clang (-fsanitize=fuzzer,address,undefined) in
# build-fuzz/ and runs each for SECONDS (default 60) on a seed corpus made from the X12
# fixtures (../shared/data, when present) and the samples. See fuzz/README.md.
#   fuzz/run.sh [SECONDS]
# Environment: CXX_FUZZ (default clang++-14), BUILD_DIR (default <repo>/build-fuzz), JOBS (2).
# Crashes: $BUILD_DIR/fuzz/artifacts/<target>/; turn each into a test in
# tests/ingest_formats/fuzz_regressions_test.cpp.
set -eu
SECONDS_EACH=${1:-60}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build-fuzz}
CXX=${CXX_FUZZ:-clang++-14}
JOBS=${JOBS:-2}
command -v "$CXX" >/dev/null || { echo "run.sh: $CXX not found (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 2; }

cmake -S "$ROOT" -B "$BUILD" -DCMAKE_CXX_COMPILER="$CXX" -DCODERAUDIT_FUZZ=ON -DBUILD_TESTING=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build "$BUILD" --target x12_fuzz fhir_fuzz mapping_fuzz csv_fuzz claim_json_fuzz -j"$JOBS"

OUT="$BUILD/fuzz"
DATA="$ROOT/../shared/data/encounters/x12"
for t in x12 fhir mapping csv claim_json; do
  rm -rf "$OUT/seeds/$t"
  mkdir -p "$OUT/seeds/$t" "$OUT/corpus/$t" "$OUT/artifacts/$t"
done
# X12 seeds: a leading 0 byte selects verify_counts=on (see x12_fuzz.cpp).
i=0
for f in "$ROOT"/samples/x12/*.x12 $( [ -d "$DATA" ] && find "$DATA" -type f ! -name LICENSE ! -name 'x12_many_claims.txt' ! -name 'x12_multiple_transactions.txt' ); do
  i=$((i + 1))
  { printf '\000'; cat "$f"; } > "$OUT/seeds/x12/seed$i"
  { printf '\001'; cat "$f"; } > "$OUT/seeds/x12/lenient$i"
done
# FHIR seeds: single resources (NDJSON lines) keep runs fast; plus a small Bundle made of
# the first resources, and a pretty-printed document.
split -l 1 "$ROOT/samples/fhir/same_encounters.ndjson" "$OUT/seeds/fhir/line-"
head -c 6000 "$ROOT/samples/fhir/same_encounters.ndjson" > "$OUT/seeds/fhir/ndjson-head"
cp "$ROOT"/fuzz/seeds/fhir/* "$OUT/seeds/fhir/"
# Mapping seeds: mapping JSON + NUL + export, and bare CSV for the built-in mapping.
for m in row_per_code row_per_encounter; do
  { cat "$ROOT/samples/mapping/$m.mapping.json"; printf '\000'; head -c 6000 "$ROOT/samples/mapping/export_$m.csv"; } > "$OUT/seeds/mapping/$m"
done
printf 'id;pt;sex;dob;from;to;type;npi;drg;disp;ct;seq;code;poa;m1;m2;units;dos;charge\nE1;P1;Female;19500101;03/04/2024;03/05/2024;inpatient;9999999991;70;1;DX;1;E119;Y;;;;;\nE1;;;;;;;;;;HCPCS;;99213;;25;;2;03/04/2024;$1,200.50\n' > "$OUT/seeds/mapping/builtin"

# CSV seeds: the canonical samples (first rows) and the rejects sample.
for f in "$ROOT"/samples/x12/same_encounters.csv "$ROOT"/samples/bad_encounters.csv; do
  head -c 6000 "$f" > "$OUT/seeds/csv/$(basename "$f")"
done

# JSON claim model seeds: the sample batch, its first claims, one bare claim.
cp "$ROOT/samples/json/same_encounters.json" "$OUT/seeds/claim_json/batch"
head -c 6000 "$ROOT/samples/json/same_encounters.json" > "$OUT/seeds/claim_json/head"
printf '{"encounter_id":"E1","patient_id":"P1","sex":"F","birth_date":"1950-01-01","from_date":"2024-03-04","through_date":"2024-03-05","claim_type":"professional","provider_id":"1","coder_id":"C1","diagnoses":[{"code":"M17.11","seq":1,"poa":"Y"}],"lines":[{"code":"99213","modifiers":["25"],"units":1.5,"date":"2024-03-04","charge":"125.00","dx_pointers":[1]}]}' > "$OUT/seeds/claim_json/one"

cd "$OUT"
for t in x12 fhir mapping csv claim_json; do
  dict=""
  [ "$t" = x12 ] && dict="-dict=$ROOT/fuzz/x12.dict"
  [ "$t" = fhir ] && dict="-dict=$ROOT/fuzz/fhir.dict"
  [ "$t" = claim_json ] && dict="-dict=$ROOT/fuzz/claim_json.dict"
  echo "== $t: ${SECONDS_EACH}s"
  "./${t}_fuzz" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="artifacts/$t/" $dict "corpus/$t" "seeds/$t" 2>&1 | tail -n 25
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
