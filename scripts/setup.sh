#!/usr/bin/env bash
# Set up the toolkit on a machine with python3 and pip: the package with its test tools,
# and an open-licensed CJK font (Debian's fonts-wqy-microhei) so charts show Chinese.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -e ".[dev]" 2>&1 \
  | grep -v -E "^(WARNING|DEPRECATION)" || true

has_cjk_font() {
  python3 -c "import sys; from legalaid.report.fonts import find_cjk_family; sys.exit(0 if find_cjk_family() else 1)" 2>/dev/null
}

if ! has_cjk_font; then
  echo "setup: no CJK font found; installing fonts-wqy-microhei (Debian) for Chinese chart labels"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo -n"
  if command -v apt-get >/dev/null 2>&1 && { [ -z "$SUDO" ] || sudo -n true 2>/dev/null; }; then
    $SUDO apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq fonts-wqy-microhei fontconfig >/dev/null
  fi
  if ! has_cjk_font; then
    echo "setup: WARNING: still no CJK font; charts will warn and Chinese may render as boxes." >&2
    echo "setup: install one (e.g. apt-get install fonts-noto-cjk) and run this script again." >&2
  fi
fi
echo "setup: ok"
