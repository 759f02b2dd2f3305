#!/usr/bin/env bash
# Installs the Debian 12 packages coderaudit needs, only those missing.
set -euo pipefail
packages=(cmake g++ make pkg-config ccache
          libpoco-dev libxerces-c-dev libxlsxwriter-dev catch2 libsqlite3-dev
          libboost-math-dev libsimdjson-dev python3 python3-openpyxl sqlite3 time libssl-dev
          openssl curl jq
          libpq-dev postgresql-15   # the PostgreSQL store (Poco::DataPostgreSQL) and its tests
          openjdk-17-jdk-headless   # runs the official CMS MCE (Java) in the parity test
          dpkg-dev)  # dpkg-shlibdeps: the Debian package's Depends (cpack -G DEB, tests/install)
# The browser test (tests/browser): Debian's chromium, driven by puppeteer-core from npm.
# node and npm only when missing: a node from elsewhere (its own npm) is kept.
packages+=(chromium)
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
# The fuzz smoke run (scripts/test.sh under CI) builds the readers with clang's libFuzzer.
[ "${CODERAUDIT_FUZZ:-0}" = 1 ] && packages+=(clang-14 libclang-rt-14-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The browser test's pinned npm packages (package-lock.json), without install scripts: no
# browser is ever downloaded (chromium comes from Debian).
browser_packages() {
  local dir; dir="$(cd "$(dirname "$0")/.." && pwd)/tests/browser"
  if [ -f "$dir/package-lock.json" ] && command -v npm >/dev/null &&
     ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.package-lock.json.ci" 2>/dev/null; then
    (cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error &&
     cp package-lock.json node_modules/.package-lock.json.ci) ||
      echo "warning: npm ci in tests/browser failed: the browser test will be skipped" >&2
  fi
}
# The fuzz run builds Debian's own Xerces-C source with ASan (fuzz/xerces.sh): it needs the
# archive's deb-src entries, added beside the deb ones when apt cannot see the source.
deb_src() {
  [ "${CODERAUDIT_FUZZ:-0}" = 1 ] || return 0
  [ -n "$(apt-cache showsrc xerces-c 2>/dev/null)" ] && return 0
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  local f=/etc/apt/sources.list.d/debian.sources entries=""
  if [ -f "$f" ]; then
    entries=$(sed 's/^Types: deb$/Types: deb-src/' "$f") && f=coderaudit-deb-src.sources
  elif [ -f /etc/apt/sources.list ]; then
    entries=$(sed -n 's/^deb /deb-src /p' /etc/apt/sources.list) && f=coderaudit-deb-src.list
  fi
  if [ -z "$entries" ] ||
     ! printf '%s\n' "$entries" | $sudo tee "/etc/apt/sources.list.d/$f" >/dev/null ||
     ! $sudo apt-get update -qq; then
    echo "warning: no deb-src entries: the fuzz run will use Debian's uninstrumented Xerces" >&2
  fi
}
if [ ${#missing[@]} -eq 0 ]; then browser_packages; deb_src; exit 0; fi
echo "installing: ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
browser_packages
deb_src
