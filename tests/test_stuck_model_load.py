"""A model load whose read never returns (a weights file on a dead network share) does not
hold the app's exit: the window closes and the process ends, the load left behind.

The app itself runs in a child process (``app.run``, offscreen), so its exit is what is
looked at. The weights read blocks on a FIFO nobody writes to: the real loader refuses a
FIFO at once (not a file), and a dead share cannot be made in a test, so the child's
``read_header`` reads the FIFO first, as a hung share's read would hang, for one file only.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from emotion_app.samples import write_astronaut_video
from emotion_app.weights import DEFAULT_WEIGHTS_PATH
from gui_support import REPO

# A guard against a hung child, not a measure: before the fix the child never ended.
CHILD_GUARD_S = 120

CHILD = """
import sys, threading
from pathlib import Path
from PyQt6.QtCore import QTimer
import emotion_app.weights as weights
from emotion_app.gui import app

mode, stuck, fifo, settings, video = sys.argv[1:]
stuck = Path(stuck).absolute()
blocked = threading.Event()
real_read_header = weights.read_header

def read_header(path):
    if Path(path).absolute() == stuck:
        blocked.set()
        with open(fifo, "rb") as handle:  # returns only once someone opens it for writing
            handle.read()
    return real_read_header(path)

weights.read_header = read_header
qapp = app.create_application(["emotion-app"])

picked = []

def step():
    window = next((w for w in qapp.topLevelWidgets() if type(w).__name__ == "MainWindow"), None)
    if window is not None and mode == "switch" and window.model_status is not None and not picked:
        window.choose_weights(stuck)  # the start-up model runs: pick the stuck one
        picked.append(stuck)
    if window is None or not blocked.is_set():
        QTimer.singleShot(50, step)
        return
    window.close()
    print("window closed", flush=True)

QTimer.singleShot(0, step)
args = ["--settings", settings, "--video", video] + (["--weights", str(stuck)] if mode == "startup" else [])
print("run returned", app.run(args), flush=True)
"""


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "never-written"
    os.mkfifo(path)
    yield path
    # Releases a reader still waiting (a child that outlived its guard); none: ENXIO.
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
    except OSError:
        pass


@pytest.mark.parametrize("mode", ["startup", "switch"])
def test_a_load_that_never_returns_does_not_hold_the_exit(mode: str, fifo: Path, tmp_path: Path) -> None:
    # Was: a start-up load stuck (--weights on a dead share) held the window's close
    # forever ("worker threads did not stop within 1.0 s; waiting for them"); a model
    # picked in the Model menu let the window close, then held the process's exit forever
    # (its thread joined by the interpreter).
    stuck = tmp_path / "on a dead share.safetensors"
    stuck.write_bytes(DEFAULT_WEIGHTS_PATH.read_bytes())
    video = write_astronaut_video(tmp_path / "clip.avi")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, mode, str(stuck), str(fifo), str(tmp_path / "settings.ini"), str(video)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO)),
    )
    try:
        out, err = child.communicate(timeout=CHILD_GUARD_S)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == 0, err
    assert out.splitlines() == ["window closed", "run returned 0"], err
    assert "did not stop" not in err, "the window's close waited for the load"
    assert "a model load did not end within 5 s" in err, "the stuck load is left behind, and said so"
