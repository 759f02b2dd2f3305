#!/usr/bin/env bash
# Three workers on one run in partitions, one SIGKILLed in the middle of a partition (it has
# written rows, not committed): nothing lost, nothing twice, and the finished run equals a
# single-process check of the same file (counts, findings, holds, rejects, stored rows).
# Usage: workers_kill.sh CODERAUDIT SOURCE_DIR WORK_DIR   (exit 77: CODERAUDIT_TEST_PG unset)
set -euo pipefail
bin=$1 src=$2 work=$3
[ -n "${CODERAUDIT_TEST_PG:-}" ] || { echo "skipped: CODERAUDIT_TEST_PG is not set"; exit 77; }
rm -rf "$work" && mkdir -p "$work" && cd "$work"
sep=$([[ $CODERAUDIT_TEST_PG == *\?* ]] && echo '&' || echo '?')
tag=k$$_$(date +%s)
single="$CODERAUDIT_TEST_PG${sep}options=-csearch_path%3Dsingle_$tag"
parts="$CODERAUDIT_TEST_PG${sep}options=-csearch_path%3Dparts_$tag"
cleanup() {
  kill -9 ${w1:-} ${w2:-} ${w3:-} 2>/dev/null || true
  psql "$CODERAUDIT_TEST_PG" -qAt -c "DROP SCHEMA IF EXISTS single_$tag CASCADE" \
    -c "DROP SCHEMA IF EXISTS parts_$tag CASCADE" >/dev/null 2>&1 || true
}
trap cleanup EXIT
rules=$src/samples/rules/facility.xml
"$bin" generate --lines 12000 --seed 9 --out claims.csv >/dev/null
cat "$src/samples/bad_encounters.csv" > bad.csv   # rejects and repeated ids too
"$bin" check --rules "$rules" --db "$single" --quiet claims.csv bad.csv >/dev/null || [ $? -le 6 ]
# An encounter id in two files would be checked apart: refused, nothing stored.
rc=0; "$bin" check --partitions 4 --rules "$rules" --db "$parts" claims.csv claims.csv 2> twice.txt || rc=$?
[ $rc -eq 3 ] && grep -q "is in both" twice.txt || { echo "FAIL: ids in two files were not refused"; cat twice.txt; exit 1; }
"$bin" check --partitions 6 --rules "$rules" --db "$parts" claims.csv bad.csv

# w1 takes 10 ms an encounter, so it is still in its first partition when it is killed.
CODERAUDIT_TEST_WORKER_STALL_MS=10 "$bin" worker --db "$parts&application_name=w1" --name w1 \
  --until-done > w1.log 2>&1 & w1=$!
"$bin" worker --db "$parts" --name w2 --until-done --poll 0.2 > w2.log 2>&1 & w2=$!
"$bin" worker --db "$parts" --name w3 --until-done --poll 0.2 > w3.log 2>&1 & w3=$!
# Killed once it has sent rows of its partition (its last statement an INSERT, uncommitted).
for _ in $(seq 1 200); do
  last=$(psql "$CODERAUDIT_TEST_PG" -qAt -c "SELECT state || ' ' || left(query, 30) FROM pg_stat_activity WHERE application_name = 'w1'")
  case $last in "idle in transaction INSERT INTO encounter"*) break ;; esac
  sleep 0.05
done
case $last in "idle in transaction INSERT INTO encounter"*) ;; *) echo "w1 never got into a partition: '$last'"; exit 1 ;; esac
kill -9 $w1
wait $w1 || true
echo "w1 killed mid-partition (last statement: $last)"
wait $w2
wait $w3
cat w2.log w3.log

fail() { echo "FAIL: $*"; exit 1; }
grep -q "complete" w2.log w3.log || fail "no worker completed the run"
[ "$(psql "$parts" -qAt -c "SELECT count(*) FROM check_partitions WHERE worker = 'w1'")" = 0 ] ||
  fail "the killed worker's partition was recorded as stored"
[ "$(psql "$parts" -qAt -c "SELECT count(*) FROM check_partitions WHERE done_at IS NOT NULL")" = \
  "$(psql "$parts" -qAt -c "SELECT partitions FROM check_jobs")" ] || fail "not every partition is done"
# The same run as the single process stored (times aside), row for row.
for c in "runs" "findings --format csv" "holds --format csv" "rejects"; do
  diff <("$bin" $c --db "$single" | sed 's/\t20[0-9T:-]*Z//') <("$bin" $c --db "$parts" | sed 's/\t20[0-9T:-]*Z//') \
    >/dev/null || fail "'$c' differs from the single-process run"
done
for q in "SELECT count(*), count(DISTINCT encounter_id), md5(string_agg(encounter_id || ':' || source_line || ':' || coder_id, ',' ORDER BY encounter_id)) FROM encounters" \
         "SELECT count(*), md5(string_agg(encounter_id || ':' || position || ':' || code || ':' || source_line, ',' ORDER BY encounter_id, position)) FROM encounter_lines" \
         "SELECT count(*), md5(string_agg(rule_id || ':' || encounter_id || ':' || message, ',' ORDER BY rule_id, encounter_id, message)) FROM findings" \
         "SELECT role, path, sha256, bytes FROM run_inputs ORDER BY role, path"; do
  [ "$(psql "$single" -qAt -c "$q")" = "$(psql "$parts" -qAt -c "$q")" ] || fail "stored rows differ: $q"
done
echo "three workers, one killed mid-partition: run $(psql "$parts" -qAt -c "SELECT run_id FROM runs") equals the single-process run"
