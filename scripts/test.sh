#!/usr/bin/env bash
# README command two (and .ci/run): install, build, run the whole suite through CTest.
# Under CI=true, after the main suite: the ASan+UBSan suite and the ThreadSanitizer
# engine/server tests (scripts/sanitize.sh, build-asan/ and build-tsan/), then the XML
# readers' tests against Xerces built with ASan (scripts/sanitize.sh xml) and a bounded
# libFuzzer run of every reader seeded from fuzz/corpus/ (FUZZ_SECONDS per target).
# CODERAUDIT_SANITIZE=0 / CODERAUDIT_FUZZ=0 skip those stages.
# A throwaway PostgreSQL 15 (scripts/pg.sh) runs on loopback for the whole script, so the
# "(postgresql)" tests (the store tests against PostgreSQL, the README's PostgreSQL block)
# run; its URL is CODERAUDIT_TEST_PG. Given CODERAUDIT_TEST_PG, that server is used
# instead; CODERAUDIT_PG=0 starts none (those tests then say "skipped").
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${CI:-}" = true ]; then
  export CODERAUDIT_FUZZ=${CODERAUDIT_FUZZ:-1}
  export CODERAUDIT_SANITIZE=${CODERAUDIT_SANITIZE:-1}
fi
bash scripts/install-deps.sh
t0=$(date +%s)
bash scripts/build.sh
if [ -z "${CODERAUDIT_TEST_PG:-}" ] && [ "${CODERAUDIT_PG:-1}" != 0 ]; then
  pg_dir=$(mktemp -d /tmp/coderaudit-pg.XXXXXX)
  trap 'bash scripts/pg.sh stop "$pg_dir"' EXIT
  CODERAUDIT_TEST_PG=$(bash scripts/pg.sh start "$pg_dir")
  export CODERAUDIT_TEST_PG
  echo "PostgreSQL for the tests: $CODERAUDIT_TEST_PG"
fi
(cd build && ctest --output-on-failure -j"$(nproc)" --timeout 900)
summary=("main build + ctest: passed in $(( $(date +%s) - t0 )) s")
failed=0
stage() {  # stage NAME COMMAND...: runs it, records pass/fail and its time
  local name=$1; shift
  local s; s=$(date +%s)
  echo "==== $name: $*"
  local rc=0
  "$@" || rc=$?
  if [ $rc -eq 0 ]; then summary+=("$name: passed in $(( $(date +%s) - s )) s")
  elif [ $rc -eq 77 ]; then summary+=("$name: SKIPPED (see its message above)")
  else summary+=("$name: FAILED after $(( $(date +%s) - s )) s"); failed=1; fi
}
if [ "${CODERAUDIT_SANITIZE:-0}" = 1 ]; then
  stage "ASan+UBSan suite (build-asan)" bash scripts/sanitize.sh asan
  stage "TSan engine+server tests (build-tsan)" bash scripts/sanitize.sh tsan
fi
if [ "${CODERAUDIT_FUZZ:-0}" = 1 ]; then
  stage "XML readers' tests against ASan-built Xerces (build-xml-asan)" bash scripts/sanitize.sh xml
  stage "fuzz smoke, ${FUZZ_SECONDS:-20} s per reader (build-fuzz)" sh fuzz/run.sh "${FUZZ_SECONDS:-20}"
fi
echo "==== what ran ($(( $(date +%s) - t0 )) s in all):"
printf '  %s\n' "${summary[@]}"
exit $failed
