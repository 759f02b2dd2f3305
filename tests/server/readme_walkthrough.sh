#!/usr/bin/env bash
# Runs the README's "HTTP API" block exactly as written (only `port=8080` becomes a free
# port), then checks what it produced. Usage: readme_walkthrough.sh CODERAUDIT SOURCE_DIR WORK_DIR
set -euo pipefail
coderaudit_bin=$1 src=$2 work=$3
command -v curl >/dev/null || { echo "curl not installed (scripts/install-deps.sh installs it)"; exit 77; }
command -v jq >/dev/null || { echo "jq not installed (scripts/install-deps.sh installs it)"; exit 77; }
rm -rf "$work" && mkdir -p "$work/out" "$work/bin" && cd "$work"
ln -s "$src/samples" samples
ln -s "$coderaudit_bin" bin/coderaudit
export PATH="$work/bin:$PATH"
# The first ```sh block after "## HTTP API".
awk '/^## HTTP API/ { in_section = 1 }
     in_section && /^```sh/ { in_block = 1; next }
     in_block && /^```/ { exit }
     in_block { print }' "$src/README.md" > walkthrough.sh
grep -q '^port=8080$' walkthrough.sh || { echo "README block not found or changed shape"; exit 1; }
# A free port below the kernel's ephemeral range (scripts/free-port.sh says why).
port=$(bash "$src/scripts/free-port.sh")
sed -i "s/^port=8080$/port=$port/" walkthrough.sh
if ! timeout 50 bash -euo pipefail walkthrough.sh > out/stdout.txt; then
  echo "walk-through failed on port $port; the server's log:"; cat out/access.log 2>/dev/null
  pkill -f -- "--listen 127.0.0.1:$port" || true   # the block's server, if it outlived the block
  exit 1
fi

# What the block must have produced.
jq -e '.claims | length > 0' out/check.json >/dev/null
jq -e '[.claims[].decision] | all(. == "hold" or . == "release")' out/check.json >/dev/null
jq -e '.counts.read == .counts.processed + .counts.rejected' out/check.json >/dev/null
jq -e '(.run_id | type) == "number"' out/check.json >/dev/null
jq -e '.held + .released == .claims_total and .claims_total > 0' out/holds.json >/dev/null
test "$(wc -l < out/stdout.txt)" -gt "$(jq '.claims | length' out/check.json)"  # a line per claim, then the counts
grep -q '"path":"/v1/check"' out/access.log
! grep -qF -- "$(cut -d_ -f3- out/token)" out/access.log   # never the token's secret (it may hold "_")
echo "README walk-through: $(jq -c . out/holds.json)"
