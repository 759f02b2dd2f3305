#!/usr/bin/env bash
# Runs the README's walk-throughs ("The main job", "Pre-bill") and every command of its
# "Every command" table, top to bottom, exactly as written, each on a fresh store (issue
# 17): a walk-through's first ```sh block, and each `coderaudit ...` code span of the table
# (`\|` is markdown for `|`; anything else in the table is prose). A span that could
# not run as written ([optional] parts, "…") is a failure, not skipped. `check` may exit
# 1, 5 or 6 (findings, rejects: what its row shows); every other command must exit 0.
# Usage: readme_commands.sh CODERAUDIT SOURCE_DIR WORK_DIR
set -euo pipefail
coderaudit_bin=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work/bin" && cd "$work"
ln -s "$coderaudit_bin" bin/coderaudit
export PATH="$work/bin:$PATH"
# extract.py SECTION: the commands of a README section, one per line. The walk-through
# sections give the first ```sh block (comment lines dropped, "\" continuations joined);
# "Every command" gives each `coderaudit ...` code span of its table.
cat > extract.py <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
title = sys.argv[2]
section = text.split("\n## " + title + "\n", 1)[1].split("\n## ", 1)[0]
if title == "Every command":
    for line in section.splitlines():
        if line.startswith("| `"):
            for span in re.findall(r"`([^`]*)`", line):
                if span.startswith("coderaudit "):
                    print(span.replace("\\|", "|"))
else:
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    command = ""
    for line in block.splitlines():
        if not command and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.endswith("\\"):
            command += line[:-1]
            continue
        print(command + line)
        command = ""
PY
failed=0 n=0
# run_section TITLE MIN: runs a section's commands in a fresh directory of its own.
run_section() {
  local title=$1 min=$2 dir
  dir="$work/$(echo "$title" | tr -c 'a-zA-Z0-9\n' '-')"
  mkdir -p "$dir/out" && ln -sfn "$src/samples" "$dir/samples"
  /usr/bin/python3 "$work/extract.py" "$src/README.md" "$title" > "$dir/commands.txt"
  [ "$(wc -l < "$dir/commands.txt")" -ge "$min" ] || { echo "FAIL README section '$title' not found or changed shape"; failed=1; return; }
  echo "== $title ($(wc -l < "$dir/commands.txt") commands)"
  (cd "$dir" && run_commands) || failed=1
}
run_commands() {
local failed=0 n=0 cmd rc ok
while IFS= read -r cmd; do
  n=$((n + 1))
  case "$cmd" in
    *"["*|*"…"*) echo "FAIL [$n] not runnable as written: $cmd"; failed=1; continue;;
  esac
  set +e
  bash -c "$cmd" > "out/cmd$n.out" 2> "out/cmd$n.err" < /dev/null
  rc=$?
  set -e
  ok=0
  case "$cmd" in
    "coderaudit check "*) [ $rc -le 1 ] || [ $rc -eq 5 ] || [ $rc -eq 6 ] && ok=1;;
    *) [ $rc -eq 0 ] && ok=1;;
  esac
  if [ $ok -eq 1 ]; then
    echo "ok   [$n] exit $rc: $cmd"
  else
    echo "FAIL [$n] exit $rc: $cmd"; sed 's/^/       /' "out/cmd$n.err" | head -5; failed=1
  fi
done < commands.txt
return $failed
}
# Each user's walk-through, then the table, each on a fresh store.
run_section "The main job: audit coders" 5
run_section "Pre-bill: hold or release" 4
run_section "Investigation: sample, review, extrapolate" 5
run_section "Every command" 30
exit $failed
