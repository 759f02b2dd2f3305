#!/usr/bin/env bash
# Runs the README's "PostgreSQL" block exactly as written against the server whose URL is in
# CODERAUDIT_TEST_PG (scripts/pg.sh's throwaway server under scripts/test.sh): only the
# lines `server=…` and `admin=…` change. Then checks what it produced.
# Usage: readme_postgresql.sh CODERAUDIT SOURCE_DIR WORK_DIR   (exit 77: no server given)
set -euo pipefail
coderaudit_bin=$1 src=$2 work=$3
source "$(dirname "$0")/pg_test_server.sh"
rm -rf "$work" && mkdir -p "$work/out" "$work/bin" && cd "$work"
ln -s "$src/samples" samples
ln -s "$coderaudit_bin" bin/coderaudit
export PATH="$work/bin:$PATH"
awk '/^## PostgreSQL/ { in_section = 1 }
     in_section && /^```sh/ { in_block = 1; next }
     in_block && /^```/ { exit }
     in_block { print }' "$src/README.md" > walkthrough.sh
grep -q '^server=localhost:5432 ' walkthrough.sh && grep -q '^admin=postgresql://postgres@' walkthrough.sh ||
  { echo "README block not found or changed shape"; exit 1; }
sed -i "s|^server=localhost:5432 |server=$hostport |; s|^admin=postgresql://postgres@|admin=postgresql://$superuser@|" walkthrough.sh
# A second run against the same server starts from scratch.
psql "$admin" -qAt -c "DROP DATABASE IF EXISTS audits" -c "DROP ROLE IF EXISTS auditor" >/dev/null
# The block as a user runs it: `check` exits 1 (findings to act on), so no -e; every result
# is checked below.
timeout 120 bash -u walkthrough.sh > out/stdout.txt 2> out/stderr.txt || true
cat out/stdout.txt

fail() { echo "README PostgreSQL walk-through: $*"; echo "--- stderr:"; cat out/stderr.txt; exit 1; }
grep -q '^schema: ' out/stdout.txt || fail "db migrate/status printed no schema"
grep -q '^runs:       1$' out/stdout.txt || fail "db status does not show the one run"
[ "$(wc -l < out/pg-findings.csv)" -eq 37 ] || fail "expected 36 findings (and a header) from PostgreSQL"
grep -q 'copied 1 runs, ' out/stdout.txt || fail "db copy did not report its run"
[ "$(grep -c "^[0-9]" out/pg-runs.txt)" -eq 1 ] && grep -q '^1	check	.*findings 36$' out/pg-runs.txt ||
  fail "the copied store does not list run 1 with its 36 findings"
# The same findings from both stores, and from the copy (the first column is the run id).
coderaudit findings --db out/team.db --format csv | cut -d, -f2- > out/sqlite.csv
cut -d, -f2- out/pg-findings.csv | diff - out/sqlite.csv >/dev/null || fail "PostgreSQL findings differ from SQLite's"
PGPASSWORD=change-me coderaudit findings --db "postgresql://auditor@$hostport/audits?options=-csearch_path%3Dfrom_sqlite" \
  --format csv | cut -d, -f2- | diff - out/sqlite.csv >/dev/null || fail "the copied findings differ"
# The copy carries the SQLite store's audit trail, whose chain still verifies there.
PGPASSWORD=change-me coderaudit trail verify --db "postgresql://auditor@$hostport/audits?options=-csearch_path%3Dfrom_sqlite" \
  > out/pg-trail.txt || fail "the copied trail does not verify: $(cat out/pg-trail.txt)"
grep -q "^ok: [1-9]" out/pg-trail.txt || fail "the copied trail is empty: $(cat out/pg-trail.txt)"
# On a server that asks other roles for a password (scripts/pg.sh's does), the block's
# PGPASSWORD is what let coderaudit in.
if [ "$(psql "$admin" -qAt -c "SELECT count(*) FROM pg_hba_file_rules WHERE auth_method = 'scram-sha-256'")" -gt 0 ]; then
  if PGPASSWORD= PGPASSFILE=/nonexistent coderaudit db status --db "postgresql://auditor@$hostport/audits" >/dev/null 2>&1; then
    fail "the server let the role in without its password"
  fi
fi
echo "README PostgreSQL walk-through: ok"
