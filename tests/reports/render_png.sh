#!/usr/bin/env bash
# Renders every workbook under DIR to PDF (LibreOffice headless, the workbook's own print
# setup) and to PNG pages (pdftoppm), and prints each workbook's printed page count:
#   render_png.sh DIR [OUT]     (OUT defaults to DIR/png)
# This is how a person looks at what the writers make (issue 17); not run by CTest
# (LibreOffice takes seconds per file).
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 DIR [OUT]" >&2; exit 2; }
dir=$1 out=${2:-$1/png}
mkdir -p "$out"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
find "$dir" -name '*.xlsx' -not -path "$out/*" | sort | while read -r x; do
  base=$(basename "$x" .xlsx)
  sub=$(dirname "${x#"$dir"/}")
  [ "$sub" = "." ] || base="${sub//\//-}-$base"
  libreoffice -env:UserInstallation=file://"$profile" --headless --convert-to pdf \
    --outdir "$out" "$x" > /dev/null 2>&1
  pdf="$out/$(basename "$x" .xlsx).pdf"
  [ "$pdf" = "$out/$base.pdf" ] || mv "$pdf" "$out/$base.pdf"
  pages=$(pdfinfo "$out/$base.pdf" | awk '/^Pages:/ {print $2}')
  pdftoppm -png -r 60 "$out/$base.pdf" "$out/$base"
  printf '%-40s %4s pages\n' "$base.xlsx" "$pages"
done
