#!/bin/sh
# Folds what fuzz/run.sh found into the committed corpus: for each target, the inputs of
# fuzz/corpus/<target>/, $BUILD_DIR/fuzz/corpus/<target>/ and the generated seeds, each at
# most MAX_BYTES (default 4096; rule_xml 32768, rebuttal_xlsx 16384), minimized with libFuzzer's -merge=1 (the smallest set
# that keeps every feature), replace fuzz/corpus/<target>/. Needs the targets built by
# fuzz/run.sh; named reproducers (corpus/<target>/regression-*) are always kept.
#   fuzz/merge.sh [TARGET...]   (default: all)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build-fuzz}
TARGETS=${*:-x12 fhir mapping csv claim_json rule_xml policy_xml auditor_csv rebuttal_csv rebuttal_xlsx sampling_table}
for t in $TARGETS; do
  # Inputs kept at most this size: a valid rule set is larger than 4 KiB, and a zipped
  # workbook rarely smaller than 16 KiB (MAX_BYTES overrides for every target).
  case $t in
    rule_xml) max=${MAX_BYTES:-32768} ;;
    rebuttal_xlsx) max=${MAX_BYTES:-16384} ;;
    *) max=${MAX_BYTES:-4096} ;;
  esac
  bin="$BUILD/fuzz/${t}_fuzz"
  [ -x "$bin" ] || { echo "merge.sh: $bin not built (run fuzz/run.sh first)" >&2; exit 2; }
  cand=$(mktemp -d) new=$(mktemp -d)
  i=0
  for d in "$ROOT/fuzz/corpus/$t" "$BUILD/fuzz/corpus/$t" "$BUILD/fuzz/seeds/$t"; do
    [ -d "$d" ] || continue
    i=$((i + 1))
    find "$d" -type f -size -"$((max + 1))"c -exec sh -c 'd=$0 p=$1; shift; for f; do cp "$f" "$d/$p-$(basename "$f")"; done' "$cand" "$i" {} +
  done
  (cd "$BUILD/fuzz" && "$bin" -merge=1 -timeout=10 -rss_limit_mb=2048 -max_len=65536 "$new" "$cand" > "$BUILD/fuzz/merge-$t.log" 2>&1)
  # Named reproducers of fixed findings (regression-*) stay whatever the merge keeps.
  find "$ROOT/fuzz/corpus/$t" -maxdepth 1 -name 'regression-*' -exec cp {} "$new/" \; 2>/dev/null || true
  rm -rf "$ROOT/fuzz/corpus/$t"
  mkdir -p "$ROOT/fuzz/corpus/$t"
  cp "$new"/* "$ROOT/fuzz/corpus/$t/" 2>/dev/null || true
  echo "$t: $(ls "$cand" | wc -l) inputs -> $(ls "$ROOT/fuzz/corpus/$t" | wc -l) files, $(du -sk "$ROOT/fuzz/corpus/$t" | cut -f1) KiB"
  rm -rf "$cand" "$new"
done
