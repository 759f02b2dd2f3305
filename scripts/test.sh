#!/usr/bin/env bash
# README command two (and .ci/run): install, build, run the whole suite through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
# Under CI the input readers are also fuzzed for a bounded time (FUZZ_SECONDS per target).
[ "${CI:-}" = true ] && export CODERAUDIT_FUZZ=${CODERAUDIT_FUZZ:-1}
bash scripts/install-deps.sh
bash scripts/build.sh
(cd build && ctest --output-on-failure -j"$(nproc)" --timeout 900)
if [ "${CODERAUDIT_FUZZ:-0}" = 1 ]; then
  bash fuzz/run.sh "${FUZZ_SECONDS:-20}"
fi
