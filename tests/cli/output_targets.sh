#!/usr/bin/env bash
# Issue 12 item 3 through the commands themselves: a device, FIFO or directory named as
# --out is refused and left as it is; a writer killed with SIGKILL leaves its target as it
# was (never a truncated file); the temp file it left is removed the next time the tool
# writes into that directory.   output_targets.sh CODERAUDIT SOURCE_DIR WORK_DIR
set -uo pipefail
. "$(dirname "$0")/lib.sh"
checked_samples a.db

# Devices, pipes and directories as targets: exit 3, left as they are.
out=$("$bin" report --db a.db --run 1 --out /dev/full 2>&1); rc=$?
[ $rc -eq 3 ] || fail "report --out /dev/full exited $rc: $out"
[[ $out == *"not a regular file"* ]] || fail "report --out /dev/full said: $out"
[ -c /dev/full ] || fail "/dev/full is no longer a device"
mkfifo pipe.csv
out=$("$bin" findings --db a.db --run 1 --format csv --out pipe.csv 2>&1); rc=$?
[ $rc -eq 3 ] || fail "findings --out FIFO exited $rc: $out"
[ -p pipe.csv ] || fail "the FIFO was replaced"
mkdir target.csv
out=$("$bin" generate --lines 10 --out target.csv 2>&1); rc=$?
[ $rc -eq 3 ] || fail "generate --out DIRECTORY exited $rc: $out"
[ -d target.csv ] || fail "the directory was replaced"

# kill -9 in the middle of a write: the old file stays whole, byte for byte.
"$bin" generate --lines 1000 --out claims.csv > /dev/null || fail "generate"
before=$(sha256sum < claims.csv)
"$bin" generate --lines 50000000 --out claims.csv > /dev/null 2>&1 &
writer=$!
for _ in $(seq 1 100); do
  ls claims.csv.tmp-* > /dev/null 2>&1 && [ "$(stat -c %s claims.csv.tmp-* | head -1)" -gt 1000000 ] && break
  sleep 0.05
done
kill -9 $writer; wait $writer 2> /dev/null
[ "$(sha256sum < claims.csv)" = "$before" ] || fail "claims.csv changed after the writer was killed"
ls claims.csv.tmp-"$writer"-* > /dev/null 2>&1 || fail "the killed writer left no temp file (killed too late?)"
# The next write into this directory, of any target, removes the stale temp.
"$bin" findings --db a.db --run 1 --format csv --out findings.csv > /dev/null || fail "findings --out"
if ls claims.csv.tmp-* > /dev/null 2>&1; then fail "the stale temp file was not removed"; fi
echo "output targets: devices, FIFOs and directories refused and kept; killed writer left the old file whole; its temp removed"
