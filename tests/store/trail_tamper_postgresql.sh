#!/usr/bin/env bash
# The audit trail's tamper evidence on a PostgreSQL store (users_trail.sh does the same on
# SQLite): an event edited behind the tool's back, or the chain's tail cut with the head row
# fixed up, is caught by `trail verify` (exit 1, the event named; the cut only against the
# head recorded earlier). Needs CODERAUDIT_TEST_PG (exit 77 without).
# Usage: trail_tamper_postgresql.sh CODERAUDIT SOURCE_DIR WORK_DIR
set -euo pipefail
bin=$1 src=$2 work=$3
source "$(dirname "$0")/pg_test_server.sh"
db="postgresql://$superuser@$hostport/trail_tamper"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
fail() { echo "FAIL: $*" >&2; cat out.txt err.txt >&2 2> /dev/null; exit 1; }
expect_rc() {  # expect_rc CODE command...
  local want=$1; shift
  set +e; "$@" > out.txt 2> err.txt; local rc=$?; set -e
  [ "$rc" = "$want" ] || fail "$* exited $rc, expected $want"
}
psql "$admin" -qAt -c "DROP DATABASE IF EXISTS trail_tamper" -c "CREATE DATABASE trail_tamper" > /dev/null

expect_rc 0 "$bin" db migrate --db "$db"
expect_rc 1 "$bin" check --rules "$src/samples/rules/facility.xml" --db "$db" "$src/samples/encounters.csv"
printf '%s\n' 'correct horse battery staple' | "$bin" user add alice --db "$db" --role auditor > /dev/null
expect_rc 1 "$bin" check --rules "$src/samples/rules/facility.xml" --db "$db" "$src/samples/x12/same_encounters.csv"
printf '%s\n' 'another long password' | "$bin" user add bob --db "$db" --role manager > /dev/null
expect_rc 0 "$bin" trail verify --db "$db"
head=$(awk '{print $6}' out.txt)
[ ${#head} = 64 ] || fail "no head in: $(cat out.txt)"
events=$(psql "$db" -qAt -c "SELECT count(*) FROM audit_events")
[ "$events" -ge 4 ] || fail "expected at least 4 events, found $events"

# An event's content edited in the database.
psql "$db" -qAt -c "UPDATE audit_events SET actor = 'cli:nobody' WHERE seq = 2" > /dev/null
expect_rc 1 "$bin" trail verify --db "$db"
grep -q "FAILED at event 2" err.txt || fail "edited event not named: $(cat err.txt)"

# Rebuilt from scratch, then the tail cut and the head row fixed up to match: the chain
# alone still verifies; against the head recorded before, it does not.
psql "$admin" -qAt -c "DROP DATABASE trail_tamper" -c "CREATE DATABASE trail_tamper" > /dev/null
expect_rc 0 "$bin" db migrate --db "$db"
expect_rc 1 "$bin" check --rules "$src/samples/rules/facility.xml" --db "$db" "$src/samples/encounters.csv"
printf '%s\n' 'correct horse battery staple' | "$bin" user add alice --db "$db" --role auditor > /dev/null
printf '%s\n' 'another long password' | "$bin" user add bob --db "$db" --role manager > /dev/null
expect_rc 0 "$bin" trail verify --db "$db"
full_head=$(awk '{print $6}' out.txt)
psql "$db" -qAt -c "DELETE FROM audit_events WHERE seq > 2" \
  -c "UPDATE audit_trail_head SET seq = 2, hash = (SELECT hash FROM audit_events WHERE seq = 2)" > /dev/null
expect_rc 0 "$bin" trail verify --db "$db"
expect_rc 1 "$bin" trail verify --db "$db" --expect-head "$full_head"
psql "$admin" -qAt -c "DROP DATABASE trail_tamper" > /dev/null
echo "trail tamper on PostgreSQL: an edited event named, a cut tail caught against the recorded head"
