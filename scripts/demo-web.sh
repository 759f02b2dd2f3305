#!/usr/bin/env bash
# The browser workflow on the bundled samples (README "The browser workflow"): a store
# with a check run of samples/encounters.csv and a demo team — manager "maria", auditors
# "alex" and "ana", coder "cole" (coder id C04) and "cruz" (C01) — all with the password
# in $DEMO_PASSWORD (default "demo-password-1"), then `coderaudit serve` on the address
# given (default 127.0.0.1:8080). Open http://ADDRESS/app/ .
# Usage: scripts/demo-web.sh [DB] [ADDRESS]     (CODERAUDIT: the binary; SETUP_ONLY=1: no serve)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="${CODERAUDIT:-$here/build/audit/coderaudit}"
db="${1:-$here/out/demo-web.db}"
listen="${2:-127.0.0.1:8080}"
password="${DEMO_PASSWORD:-demo-password-1}"
mkdir -p "$(dirname "$db")"
rm -f "$db" "$db-wal" "$db-shm"
# exit 1: findings were found (claims to hold), as expected on the samples
"$bin" check --rules "$here/samples/rules/facility.xml" --db "$db" "$here/samples/encounters.csv" >/dev/null || [ $? -eq 1 ]
pw="$(mktemp)"
trap 'rm -f "$pw"' EXIT
printf '%s\n' "$password" >"$pw"
"$bin" user add maria --db "$db" --role manager --password-file "$pw" >/dev/null
"$bin" user add alex --db "$db" --role auditor --password-file "$pw" >/dev/null
"$bin" user add ana --db "$db" --role auditor --password-file "$pw" >/dev/null
"$bin" user add cole --db "$db" --role coder --coder-id C04 --password-file "$pw" >/dev/null
"$bin" user add cruz --db "$db" --role coder --coder-id C01 --password-file "$pw" >/dev/null
echo "demo store $db: check run 1 of samples/encounters.csv; users maria (manager), alex and ana (auditors), cole (coder C04), cruz (coder C01); password: $password"
[ "${SETUP_ONLY:-0}" = 1 ] && exit 0
echo "open http://$listen/app/"
exec "$bin" serve --rules "$here/samples/rules/facility.xml" --db "$db" --listen "$listen"
