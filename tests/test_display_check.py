"""Where the window cannot open (no display, X libraries missing), the app says why in one
line and exits 2, instead of Qt aborting the process with advice the user cannot act on
(emotion_app/gui/display_check.py)."""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from emotion_app.gui.display_check import XCB_LIBRARIES, display_problem
from gui_support import own_xvfb

REPO = Path(__file__).resolve().parent.parent
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the check is for Linux")


@pytest.fixture(scope="module")
def xvfb_display() -> Iterator[str]:
    """The DISPLAY of a real X server (Xvfb) of its own."""
    if shutil.which("Xvfb") is None:
        pytest.skip("not installed: Xvfb (scripts/install-system-deps.sh)")
    with own_xvfb("640x480x24") as display:
        yield display


@linux_only
def test_main_py_without_a_display_says_so_in_one_line_and_exits_2() -> None:
    # It died inside QApplication's constructor: Qt's screenful, then SIGABRT (exit -6).
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "main.py"], capture_output=True, text=True, timeout=60, env=env, cwd=REPO
    )
    took = time.monotonic() - started
    assert completed.returncode == 2, completed.stderr[-3000:]
    lines = completed.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), completed.stderr
    assert "DISPLAY" in lines[0] and "xvfb-run" in lines[0] and "Reinstalling" not in lines[0]
    assert completed.stdout == ""
    assert took < 20, f"{took:.1f} s: it should refuse before loading the model code"


def test_a_missing_xcb_library_is_named_with_its_package() -> None:
    soname = "libxcb-cursor.so.0"

    def load_all_but_one(name: str) -> object:
        if name == soname:
            raise OSError(f"{name}: cannot open shared object file: No such file or directory")
        return ctypes.CDLL(name)

    problem = display_problem({"DISPLAY": ":0"}, load=load_all_but_one, platform="linux")
    assert problem is not None and "\n" not in problem
    assert soname in problem and "sudo apt-get install libxcb-cursor0" in problem
    # Only the missing one is named (the others are on this machine: install-system-deps.sh).
    assert "libxcb-icccm" not in problem


def test_the_check_stays_out_of_the_way_where_qt_will_not_use_xcb() -> None:
    def nothing_loads(name: str) -> object:
        raise OSError(name)

    everything_missing = display_problem({"DISPLAY": ":0"}, load=nothing_loads, platform="linux")
    assert everything_missing is not None
    for soname, package in XCB_LIBRARIES.items():
        assert soname in everything_missing and package in everything_missing
    for env in (
        {"QT_QPA_PLATFORM": "offscreen"},  # chosen by the user (the tests' own)
        {"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":0"},
        {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"},  # Qt 6 tries Wayland first
        {"DISPLAY": ":0", "XDG_SESSION_TYPE": "wayland"},
        {"WAYLAND_DISPLAY": "wayland-0"},
        {"XDG_SESSION_TYPE": "wayland"},  # a Wayland session without WAYLAND_DISPLAY: Qt's default socket
    ):
        assert display_problem(env, load=nothing_loads, platform="linux") is None, env
    assert display_problem({}, load=nothing_loads, platform="darwin") is None
    assert display_problem({}, load=nothing_loads, platform="win32") is None
    assert "DISPLAY" in (display_problem({"XDG_SESSION_TYPE": "x11"}, platform="linux") or "")


@linux_only
def test_a_real_x_server_with_the_libraries_passes(xvfb_display: str) -> None:
    assert display_problem({"DISPLAY": xvfb_display}) is None
