#!/usr/bin/env bash
# Builds the .deb with CPack, unpacks it into a fresh directory tree and checks what a
# user gets: apt resolves its dependencies, coderaudit --version runs from the unpacked /usr/bin, the packs, schemas, man
# page and bash completion are where Debian looks, and Depends names the shared libraries.
# Usage: deb_package.sh CPACK BUILD_DIR WORK_DIR
set -euo pipefail
cpack=$1 build=$2 work=$3
command -v dpkg-deb > /dev/null || { echo "dpkg-deb not installed"; exit 77; }
rm -rf "$work" && mkdir -p "$work/root"
fail() { echo "FAIL: $*" >&2; exit 1; }
(cd "$build" && "$cpack" -G DEB -B "$work/pkg" > "$work/cpack.log") || { cat "$work/cpack.log"; fail "cpack"; }
deb=$(ls "$work"/pkg/coderaudit_*.deb)
dpkg-deb -I "$deb" > "$work/info.txt"
grep -q '^ Package: coderaudit$' "$work/info.txt" || fail "package name: $(cat "$work/info.txt")"
for lib in libpoco libxerces-c libsqlite3 libxlsxwriter; do
  grep -q "^ Depends:.*$lib" "$work/info.txt" || fail "Depends lacks $lib: $(grep Depends "$work/info.txt")"
done
# apt resolves the package on this Debian 12 as `apt install ./coderaudit_*.deb` would
# (simulated: the test does not change the machine it runs on).
if command -v apt-get > /dev/null; then
  apt-get install --simulate --no-install-recommends "$deb" > "$work/apt.txt" 2>&1 \
    || { cat "$work/apt.txt"; fail "apt cannot install the package"; }
  grep -q '^Inst coderaudit ' "$work/apt.txt" || { cat "$work/apt.txt"; fail "apt would not install coderaudit"; }
fi
dpkg-deb -x "$deb" "$work/root"
root=$work/root
version=$("$root/usr/bin/coderaudit" --version)
[ -n "$version" ] || fail "coderaudit --version printed nothing"
for f in usr/share/coderaudit/rules/packs/ncci-ptp.xml usr/share/coderaudit/schemas/rules-v1.xsd \
         usr/share/coderaudit/schemas/policies/scoring-policy-v1.xsd usr/share/man/man1/coderaudit.1 \
         usr/share/bash-completion/completions/coderaudit; do
  [ -s "$root/$f" ] || fail "$f missing from the package"
done
# The installed packs validate with the installed binary, and the completion offers the
# binary's own commands and options.
"$root/usr/bin/coderaudit" rules check "$root/usr/share/coderaudit/rules/packs/duplicates.xml" > /dev/null \
  || fail "the installed pack does not validate"
words=$(PATH="$root/usr/bin:$PATH" bash -c "source '$root/usr/share/bash-completion/completions/coderaudit'
  COMP_WORDS=(coderaudit rep); COMP_CWORD=1; _coderaudit; echo \${COMPREPLY[*]}
  COMP_WORDS=(coderaudit report --per-c); COMP_CWORD=2; _coderaudit; echo \${COMPREPLY[*]}
  COMP_WORDS=(coderaudit sample dr); COMP_CWORD=2; _coderaudit; echo \${COMPREPLY[*]}")
[ "$(echo "$words" | sed -n 1p)" = "report" ] || fail "completion of 'rep': $words"
[ "$(echo "$words" | sed -n 2p)" = "--per-coder" ] || fail "completion of 'report --per-c': $words"
[ "$(echo "$words" | sed -n 3p)" = "draw" ] || fail "completion of 'sample dr': $words"
echo "package $(basename "$deb"): coderaudit --version = $version; $(du -h "$deb" | cut -f1)"
