#!/usr/bin/env bash
# The README's "HTTP API" curl walk-through, run as written: start the server, create a
# token, check a claim, list holds. Usage: readme_walkthrough.sh CODERAUDIT SOURCE_DIR WORK_DIR
set -euo pipefail
coderaudit_bin=$1 src=$2 work=$3
command -v curl >/dev/null || { echo "curl not installed"; exit 77; }
command -v jq >/dev/null || { echo "jq not installed"; exit 77; }
rm -rf "$work" && mkdir -p "$work/out" && cd "$work"
ln -s "$src/samples" samples
mkdir bin && ln -s "$coderaudit_bin" bin/coderaudit && export PATH="$work/bin:$PATH"
port=$(( 20000 + RANDOM % 20000 ))

# --- from README.md § HTTP API (port made free for the test) ---
TOKEN=$(coderaudit token create --db out/api.db --role admin --name walkthrough)
coderaudit serve --rules samples/rules/facility.xml --db out/api.db \
  --listen 127.0.0.1:$port 2>out/access.log &
server=$!
trap 'kill -TERM $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf http://127.0.0.1:$port/v1/health >/dev/null && break; sleep 0.1; done

curl -s http://127.0.0.1:$port/v1/health | jq -e '.status == "ok"'
head -6 samples/encounters.csv > out/claim.csv
curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: text/csv' \
  --data-binary @out/claim.csv "http://127.0.0.1:$port/v1/check?store=true" > out/check.json
jq -e '.claims[0].decision == "hold" or .claims[0].decision == "release"' out/check.json
RUN=$(jq -r .run_id out/check.json)
curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$port/v1/runs/$RUN/holds" > out/holds.json
jq -e '.held + .released == .total' out/holds.json
# --- end of walk-through ---

# Every answer named the rule set; the access log holds no token secret.
jq -e '.ruleset.sha256 | length == 64' out/holds.json
! grep -q "${TOKEN##*_}" out/access.log
kill -TERM $server
wait $server
trap - EXIT
echo "walk-through ok"
