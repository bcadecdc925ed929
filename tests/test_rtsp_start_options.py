"""The app's start adds RTSP's TCP-first flag to FFmpeg options of one's own, before any
thread could be reading the environment (a later write, at a camera's open, raced them)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

_SCRIPT = """
import os
from emotion_app.gui.app import create_application, create_main_window, release_window
from emotion_app.gui.launch import parse_args
app = create_application()
options = parse_args(["--settings", {settings!r}])
window = create_main_window(options)
print(os.environ["OPENCV_FFMPEG_CAPTURE_OPTIONS"])
release_window(window)
"""


def _options_after_start(tmp_path: Path, options: str) -> str:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "QT_QPA_PLATFORM": "offscreen",
        "OPENCV_FFMPEG_CAPTURE_OPTIONS": options,
    }
    script = _SCRIPT.format(settings=str(tmp_path / "settings.ini"))
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1]


def test_the_window_start_asks_rtsp_over_tcp_first_with_options_of_ones_own(tmp_path: Path) -> None:
    assert _options_after_start(tmp_path, "tls_verify;0") == "rtsp_flags;prefer_tcp|tls_verify;0"


def test_the_window_start_keeps_options_naming_an_rtsp_transport(tmp_path: Path) -> None:
    assert _options_after_start(tmp_path, "rtsp_transport;udp") == "rtsp_transport;udp"
