#!/usr/bin/env bash
# Sanitizer builds of the suite, each in its own build directory (ccache through CMake):
#   scripts/sanitize.sh asan   ASan+UBSan (g++), build-asan/: the whole CTest suite except
#                              the speed and memory guards (a lines/s floor and an RSS
#                              ceiling: meaningless under a sanitizer's own overhead)
#   scripts/sanitize.sh tsan   ThreadSanitizer (g++), build-tsan/: only the engine and
#                              server tests (tests/service, tests/server, tests/cli: the
#                              two-thread check pipeline, the HTTP reactor + workers,
#                              the token cache), via CODERAUDIT_TEST_AREAS
#   scripts/sanitize.sh xml    ASan+UBSan (clang 14), build-xml-asan/: the XML readers'
#                              tests (tests/io, rules, qa) against Xerces itself built
#                              with ASan from Debian's source (fuzz/xerces.sh), so an
#                              overflow inside Xerces is caught where it happens (the
#                              default scanner's, fuzz/README.md Findings, fails "Unqualified
#                              elements nested deep ..."). Exit 77 (skipped) when that
#                              Xerces cannot be built (no deb-src entries, no clang).
# All skip the tests that need a PostgreSQL server (named "... (postgresql)"): libpq and
# the server are not instrumented, and the main build runs those against scripts/pg.sh's.
# Extra arguments go to ctest (e.g. -R pipeline). Suppressions, each with its reason:
# scripts/sanitizers/*.supp. Any report fails the run (halt_on_error / exitcode).
# Environment: CXX_SANITIZE (default g++), JOBS (default nproc).
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-}; shift || true
root=$(pwd)
supp=$root/scripts/sanitizers
extra=()
targets=()
jobs=${JOBS:-$(nproc)}
case "$kind" in
  asan)
    build=build-asan
    flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
    areas=""                       # all of tests/
    exclude="check throughput stays above its floor|rebuttal import memory stays flat|\(postgresql\)"
    ;;
  tsan)
    build=build-tsan
    flags="-fsanitize=thread -fno-omit-frame-pointer"
    areas="service;server;cli"
    exclude="check throughput stays above its floor|rebuttal import memory stays flat|\(postgresql\)"
    export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$supp/tsan.supp:print_suppressions=0"
    ;;
  xml)
    build=build-xml-asan
    xerces=${XERCES_ASAN_DIR:-$root/build-fuzz/xerces-asan}
    compiler=${CXX_FUZZ:-clang++-14}
    if ! command -v "$compiler" >/dev/null || ! sh fuzz/xerces.sh "$xerces"; then
      echo "sanitize xml: skipped: no Xerces built with ASan (fuzz/xerces.sh needs $compiler and deb-src)" >&2
      exit 77
    fi
    # fuzzer-no-link: the instrumented Xerces carries libFuzzer's coverage hooks.
    flags="-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
    extra=(-C "$xerces/xerces.cmake")
    areas="io;rules;qa"
    # Only these tests and what they link: clang 14 cannot build every file (a lambda
    # capturing a structured binding in audit/store is C++20 that clang learns in 16).
    targets=(--target io_tests rules_tests qa_tests)
    exclude="\(postgresql\)"
    ;;
  *) echo "usage: scripts/sanitize.sh asan|tsan|xml [ctest args...]" >&2; exit 2 ;;
esac
if [ "$kind" != tsan ]; then
  export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=0:strict_string_checks=1:check_initialization_order=1"
  export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$supp/ubsan.supp"
fi

start=$(date +%s)
# The sanitizer builds check behaviour at run time; warnings are the main build's job
# (-Werror there under CI), and GCC 12 with ASan instrumentation emits false warnings
# (-Warray-bounds inside std::sort of a std::array<uint16_t, 4> in duplicate_lines.cpp).
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="${compiler:-${CXX_SANITIZE:-g++}}" \
  -DCODERAUDIT_WERROR=OFF -DCODERAUDIT_TEST_AREAS="$areas" \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" -DCMAKE_SHARED_LINKER_FLAGS="$flags" \
  "${extra[@]}" >/dev/null
cmake --build "$build" -j"$jobs" "${targets[@]}"
built=$(date +%s)
set +e
(cd "$build" && ctest --output-on-failure -j"$jobs" --timeout 1800 -E "$exclude" "$@")
rc=$?
set -e
end=$(date +%s)
echo "sanitize $kind: build $((built - start)) s, ctest $((end - built)) s, $( [ $rc -eq 0 ] && echo 'no report' || echo "FAILED (ctest exit $rc)")"
exit $rc
