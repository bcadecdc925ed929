"""One real window on a real X server (Xvfb, xcb platform) that saves a screenshot.

Everything else runs offscreen; this checks that the app also starts where users run
it, with the X libraries PyQt6's xcb plugin needs (installed by
scripts/install-system-deps.sh). Skipped, with the reason, where Xvfb is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PyQt6.QtGui import QImage

from tests.gui_support import temp_folder_env

REPO = Path(__file__).resolve().parent.parent


_MISSING = [tool for tool in ("xvfb-run", "Xvfb", "xauth") if shutil.which(tool) is None]


@pytest.mark.skipif(bool(_MISSING), reason=f"not installed: {', '.join(_MISSING)} (scripts/install-system-deps.sh)")
def test_real_window_under_xvfb_saves_a_screenshot(tmp_path: Path) -> None:
    out = tmp_path / "screenshot.png"
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    env["PYTHON"] = sys.executable
    temp = tmp_path / "temp"
    temp.mkdir()
    env.update(temp_folder_env(temp))
    completed = subprocess.run(
        ["bash", str(REPO / "scripts" / "gui_screenshot.sh"), str(out)],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
        cwd=REPO,
    )
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-4000:]
    assert "platform: xcb" in completed.stdout  # a real X connection, not offscreen
    assert "Destroyed while thread is still running" not in completed.stderr
    image = QImage(str(out))
    assert not image.isNull() and image.width() >= 800 and image.height() >= 600
    pixels = np.array(
        [[image.pixelColor(x, y).value() for x in range(0, image.width(), 8)] for y in range(0, image.height(), 8)]
    )
    assert pixels.std() > 20  # a rendered window with video, not a blank grab
    assert not list(temp.glob("gui_screenshot_*")), "its working folder (settings, the demo clip) is removed"
