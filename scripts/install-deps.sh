#!/usr/bin/env bash
# Installs the Debian 12 packages coderaudit needs, only those missing.
set -euo pipefail
packages=(cmake g++ make pkg-config ccache
          libpoco-dev libxerces-c-dev libxlsxwriter-dev catch2 libsqlite3-dev
          libboost-math-dev libsimdjson-dev python3 python3-openpyxl sqlite3 time libssl-dev
          openssl curl jq
          dpkg-dev)  # dpkg-shlibdeps: the Debian package's Depends (cpack -G DEB, tests/install)
# The fuzz smoke run (scripts/test.sh under CI) builds the readers with clang's libFuzzer.
[ "${CODERAUDIT_FUZZ:-0}" = 1 ] && packages+=(clang-14 libclang-rt-14-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
