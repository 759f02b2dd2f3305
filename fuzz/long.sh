#!/bin/sh
# A campaign outside CI: every reader (or the ones named) for SECONDS each (default 1800,
# the issue's 30 minutes), JOBS targets at a time, then the finds merged into the
# committed corpus (fuzz/merge.sh). Record the figures it prints in fuzz/RESULTS.md.
#   fuzz/long.sh [SECONDS] [TARGET...]
set -eu
DIR=$(cd "$(dirname "$0")" && pwd)
SECONDS_EACH=${1:-1800}
[ $# -gt 0 ] && shift
sh "$DIR/run.sh" "$SECONDS_EACH" "$@"
sh "$DIR/merge.sh" "$@"
