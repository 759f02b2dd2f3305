#!/usr/bin/env bash
# CTest guard for issue 12 item 6: `coderaudit rebuttal` on a 500,000-row rebuttal CSV and
# workbook peaks under 150 MB, stores every reject and counts them (bench/rebuttal/run.sh).
#   rebuttal_memory.sh BUILD_DIR
# Exit 77 (skipped) without python3, sqlite3 or /usr/bin/time.
set -euo pipefail
for tool in python3 sqlite3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "skipped: $tool not found"; exit 77; }
done
MAX_RSS_MB=150 exec bash "$(dirname "$0")/../../bench/rebuttal/run.sh" "$1" 500000
