# Sourced by the shell tests here that take CODERAUDIT SOURCE_DIR WORK_DIR: sets bin and
# src, starts in an empty WORK_DIR, and gives them fail and a store of the samples.
bin=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
fail() { echo "FAIL: $*" >&2; exit 1; }
# checked_samples DB: run 1 of DB is the check of the bundled samples (exit 1: findings).
checked_samples() {
  "$bin" check --rules "$src/samples/rules/facility.xml" --db "$1" "$src/samples/encounters.csv" > /dev/null
  [ $? -eq 1 ] || fail "check of the samples"
}
