#!/bin/sh
# Builds the Xerces-C the product links (Debian's source package, same version and
# patches) as a static library instrumented with ASan and libFuzzer coverage, for the
# rule_xml and policy_xml targets. Debian's shared library is not instrumented: an
# overflow inside it only shows up as damaged heap metadata minutes later, far from its
# cause (fuzz/README.md, Findings), and libFuzzer cannot see Xerces' branches.
#   fuzz/xerces.sh DEST        -> DEST/include, DEST/lib/libxerces-c.a (kept while the
#                                 installed libxerces-c-dev version is the same), and
#                                 DEST/xerces.cmake: `cmake -C` it to link this Xerces
# Needs the archive's source entries (deb-src): scripts/install-deps.sh adds them when
# CODERAUDIT_FUZZ=1. Exit 1 if the source cannot be fetched or built.
set -eu
DEST=$1
CC_FUZZ=${CC_FUZZ:-clang-14}
CXX=${CXX_FUZZ:-clang++-14}
version=$(dpkg-query -W -f='${Version}' libxerces-c-dev)
mkdir -p "$DEST"
DEST=$(cd "$DEST" && pwd)
# The initial cache of a build that links this Xerces (fuzz/run.sh, scripts/sanitize.sh
# xml); FORCE, so it also switches a build directory configured with Debian's.
cache() {
  cat > "$DEST/xerces.cmake" <<CACHE
set(XercesC_INCLUDE_DIR "$DEST/include" CACHE PATH "" FORCE)
set(XercesC_LIBRARY "$DEST/lib/libxerces-c.a" CACHE FILEPATH "" FORCE)
set(CMAKE_CXX_STANDARD_LIBRARIES "-licuuc -licudata" CACHE STRING "" FORCE)
CACHE
}
if [ -f "$DEST/lib/libxerces-c.a" ] && [ "$(cat "$DEST/version" 2>/dev/null)" = "$version" ]; then
  cache
  exit 0
fi
rm -rf "$DEST"
mkdir -p "$DEST/src"
(cd "$DEST/src" && apt-get source -qq "xerces-c=$version" >/dev/null 2>&1) || {
  echo "xerces.sh: cannot fetch the xerces-c $version source (apt-get source; deb-src entries?)" >&2
  exit 1
}
src=$(find "$DEST/src" -mindepth 1 -maxdepth 1 -type d -name 'xerces-c-*' | head -1)
flags="-g -O1 -fsanitize=address,fuzzer-no-link -fno-omit-frame-pointer"
# The transcoder Debian's build uses (ICU); no network accessor: the readers refuse every
# external resource before one would be fetched.
cmake -S "$src" -B "$DEST/build" -DCMAKE_C_COMPILER="$CC_FUZZ" -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
  -DBUILD_SHARED_LIBS=OFF -Dnetwork=OFF -Dtranscoder=icu >"$DEST/configure.log" 2>&1 ||
  { echo "xerces.sh: configure failed: $DEST/configure.log" >&2; exit 1; }
cmake --build "$DEST/build" --target xerces-c -j"${JOBS:-2}" >"$DEST/build.log" 2>&1 ||
  { echo "xerces.sh: build failed: $DEST/build.log" >&2; exit 1; }
# Headers: the source tree's and the configured ones (cmake --install would also build
# the samples and the documentation).
mkdir -p "$DEST/include" "$DEST/lib"
(cd "$src/src" && find xercesc \( -name '*.hpp' -o -name '*.c' \) -exec cp --parents {} "$DEST/include/" \;)
(cd "$DEST/build/src" && find xercesc -name '*.hpp' -exec cp --parents {} "$DEST/include/" \;)
cp "$DEST/build/src/libxerces-c.a" "$DEST/lib/"
echo "$version" > "$DEST/version"
cache
rm -rf "$DEST/build" "$DEST/src"
