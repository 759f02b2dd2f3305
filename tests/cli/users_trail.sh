#!/usr/bin/env bash
# `coderaudit user` and `coderaudit trail` through the real binary, as the README shows them:
# passwords piped on standard input (never argv), an export checked by the README's Python,
# and a store edited behind the tool's back caught with exit 1 and the event named.
# usage: users_trail.sh CODERAUDIT SOURCE_DIR WORK_DIR
set -euo pipefail
bin=$1 src=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_rc() {  # expect_rc CODE command...
  local want=$1; shift
  set +e; "$@" > out.txt 2> err.txt; local rc=$?; set -e
  [ "$rc" = "$want" ] || { cat out.txt err.txt >&2; fail "$* exited $rc, expected $want"; }
}

expect_rc 1 "$bin" check --rules "$src/samples/rules/facility.xml" --db audit.db "$src/samples/encounters.csv"   # 1: findings
printf '%s\n' 'correct horse battery staple' | "$bin" user add alice --db audit.db --role auditor > /dev/null
printf '%s\n' 'another long password' > pw.txt
"$bin" user add carol --db audit.db --role coder --coder-id C03 --password-file pw.txt > /dev/null
expect_rc 2 "$bin" user add dave --db audit.db --role admin --password 'on the command line'
expect_rc 3 "$bin" user add erin --db audit.db --role coder --password-file pw.txt   # no --coder-id
printf 'short\n' > short.txt
expect_rc 3 "$bin" user add frank --db audit.db --role auditor --password-file short.txt
"$bin" user list --db audit.db | grep -q "carol .*coder .*C03" || fail "user list"
"$bin" user role carol --db audit.db --role manager > /dev/null
"$bin" token create --db audit.db --user alice --scope read > token.txt
grep -q '^ca_' token.txt || fail "token create"
printf '%s\n' 'correct horse battery staple' | "$bin" user login alice --db audit.db | grep -q "ok: alice" ||
  fail "login"
expect_rc 7 sh -c "printf 'wrong password here\n' | '$bin' user login alice --db audit.db"
"$bin" user disable carol --db audit.db > /dev/null

expect_rc 0 "$bin" trail verify --db audit.db
head=$(awk '{print $6}' out.txt)
[ ${#head} = 64 ] || fail "no head in: $(cat out.txt)"
"$bin" trail show --db audit.db > shown.txt
for action in run.stored user.created user.role-changed token.created login login.failed user.disabled; do
  grep -q "  $action  " shown.txt || fail "no $action event"
done
grep -q "cli:" shown.txt || fail "the CLI's events name no os user"
if grep -q "correct horse" shown.txt audit.db; then fail "a password reached the store"; fi

# Export engagement 1 and check it with the README's own Python lines.
"$bin" trail export --db audit.db --run 1 --out trail.jsonl > /dev/null
sed -n '/^import hashlib/,$p' trail.jsonl.README.txt > verify.py
python3 verify.py trail.jsonl | grep -q '^ok: ' || fail "python verify"
expect_rc 0 "$bin" trail verify --file trail.jsonl --expect-head "$head"

# Tampering with the store file: edit one event's content.
cp audit.db edited.db
sqlite3 edited.db "UPDATE audit_events SET actor = 'cli:nobody' WHERE seq = 3"
expect_rc 1 "$bin" trail verify --db edited.db
grep -q "FAILED at event 3" err.txt || fail "edited event not named: $(cat err.txt)"
# Cut the tail and fix up the head row: only the anchored head catches it.
cp audit.db cut.db
sqlite3 cut.db "DELETE FROM audit_events WHERE seq > 4; UPDATE audit_trail_head SET seq = 4, hash = (SELECT hash FROM audit_events WHERE seq = 4)"
expect_rc 0 "$bin" trail verify --db cut.db
expect_rc 1 "$bin" trail verify --db cut.db --expect-head "$head"
# An edited export.
sed 's/run.stored/run.deleted/' trail.jsonl > edited.jsonl
expect_rc 1 "$bin" trail verify --file edited.jsonl
if python3 verify.py edited.jsonl > /dev/null 2>&1; then fail "python accepted an edited export"; fi
echo "users and trail: ok"
