#!/usr/bin/env bash
# Run the real main window under Xvfb (xcb platform, not offscreen) and save a screenshot.
#   scripts/gui_screenshot.sh [OUT.png]      (default docs/screenshot.png)
# Needs xvfb-run and the X libraries PyQt6's xcb plugin loads (scripts/install-system-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/screenshot.png}"
python="${PYTHON:-.venv/bin/python}"
[ -x "$python" ] || python=python3
unset QT_QPA_PLATFORM  # the point is the real xcb platform
exec xvfb-run -a -s "-screen 0 1280x900x24" "$python" -m scripts.gui_screenshot "$out"
