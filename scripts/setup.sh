#!/usr/bin/env bash
# Set up the toolkit on a machine with python3 (3.11+), pip and apt:
#   - a project virtual environment .venv (Debian/Ubuntu refuse `pip install` into the system
#     python; python3-venv is installed with apt when the venv module is missing),
#   - the package with its test tools inside it (pip install -e ".[dev]"),
#   - an open-licensed CJK font (Debian's fonts-wqy-microhei) so charts show Chinese,
#   - Debian's chromium, which the browser test of `legalaid serve` drives through Playwright.
# Then run everything with .venv/bin/python (or `source .venv/bin/activate`).
# Safe to run again: it only installs what is missing. Any failure stops it with a message.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
VENV=.venv
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo -n"

can_apt() { command -v apt-get >/dev/null 2>&1 && { [ -z "$SUDO" ] || sudo -n true 2>/dev/null; }; }

apt_install() {
  can_apt || return 1
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "setup: ERROR: $PY is older than Python 3.11; install Python 3.11 or newer (or set PYTHON=...)." >&2
  exit 1
fi

if [ ! -x "$VENV/bin/python" ]; then
  if ! "$PY" -m venv "$VENV" >/dev/null 2>&1; then
    rm -rf "$VENV"
    echo "setup: the venv module is missing; installing python3-venv (Debian/Ubuntu)"
    if ! apt_install python3-venv || ! "$PY" -m venv "$VENV"; then
      echo "setup: ERROR: cannot create the virtual environment $VENV (install python3-venv and run again)." >&2
      exit 1
    fi
  fi
fi

if ! "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[dev]"; then
  echo "setup: ERROR: installing the package into $VENV failed (pip's message is above)." >&2
  exit 1
fi

has_cjk_font() {
  "$VENV/bin/python" -c "import sys; from legalaid.report.fonts import find_cjk_family; sys.exit(0 if find_cjk_family() else 1)"
}

if ! has_cjk_font; then
  echo "setup: no CJK font found; installing fonts-wqy-microhei (Debian) for Chinese chart labels"
  apt_install fonts-wqy-microhei fontconfig || true
  if ! has_cjk_font; then
    echo "setup: WARNING: still no CJK font; charts will warn and Chinese may render as boxes." >&2
    echo "setup: install one (e.g. apt-get install fonts-noto-cjk) and run this script again." >&2
  fi
fi
if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  echo "setup: installing Debian's chromium for the browser test of legalaid serve (tests/web/test_browser.py)"
  if ! apt_install chromium; then
    echo "setup: WARNING: could not install chromium (needs apt and root or passwordless sudo); the browser test" >&2
    echo "setup: is skipped on this machine (it fails under CI=true)." >&2
  fi
fi
echo "setup: ok — run the toolkit with $VENV/bin/python -m legalaid (or: source $VENV/bin/activate)"
