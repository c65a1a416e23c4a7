#!/usr/bin/env bash
# Render what a bureau prints: the example brief's 月通报.docx and 月通报.xlsx through LibreOffice
# (headless → PDF → PNG) into docs/, so a reader can look at the pages without opening WPS.
# Installs LibreOffice (writer, calc) and poppler-utils with apt when missing (root or sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v soffice >/dev/null || ! command -v pdftoppm >/dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo -n"
  $SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends \
    libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
.venv/bin/python -m legalaid run --plan "${1:-anqing-2023}" --month "${2:-6}" --runs 200 --workers 2 --quiet \
  --out "$work/brief"
mkdir -p "$work/docx" "$work/xlsx"
soffice --headless --convert-to pdf --outdir "$work/docx" "$work/brief/月通报.docx" >/dev/null
soffice --headless --convert-to pdf --outdir "$work/xlsx" "$work/brief/月通报.xlsx" >/dev/null
pdftoppm -png -r 70 -f 1 -l 1 -singlefile "$work/docx/月通报.pdf" "$work/docx/page-1"
pdftoppm -png -r 70 -f 2 -l 2 -singlefile "$work/docx/月通报.pdf" "$work/docx/page-2" 2>/dev/null || true
pdftoppm -png -r 70 -f 1 -l 1 -singlefile "$work/xlsx/月通报.pdf" "$work/xlsx/page-1"
pages_docx=$(pdfinfo "$work/docx/月通报.pdf" | awk '/^Pages/ {print $2}')
pages_xlsx=$(pdfinfo "$work/xlsx/月通报.pdf" | awk '/^Pages/ {print $2}')
cp "$work"/docx/page-1.png docs/brief-docx.png
if [ -f "$work/docx/page-2.png" ]; then cp "$work/docx/page-2.png" docs/brief-docx-2.png; fi
cp "$work"/xlsx/page-1.png docs/brief-xlsx.png
echo "月通报.docx: ${pages_docx} 页; 月通报.xlsx: ${pages_xlsx} 页 (A4 landscape) → docs/brief-docx.png, docs/brief-xlsx.png"
