"""A window moved between screens of different device pixel ratios (a laptop at 200% or
150% with an external monitor at 100%): the overlay follows, drawn for the screen it is on.

Offscreen Qt has one screen of one ratio, so this runs the real window in a child pytest
(``gui_screen_move_child.py``) on a real X server: one Xvfb screen split into two RandR
monitors with ``xrandr --setmonitor``, LEFT and RIGHT, which Qt's xcb platform reports as
two screens, scaled per screen by QT_SCREEN_SCALE_FACTORS. Skipped, with the reason, where
Xvfb or xrandr is missing (scripts/install-system-deps.sh installs both).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.gui_support import own_xvfb, run_child_pytest, temp_folder_env

MONITOR = (2000, 1400)  # each monitor's size in screen pixels: room for the window at 200%

_MISSING = [tool for tool in ("Xvfb", "xrandr") if shutil.which(tool) is None]


def _x_env(display: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "QT_SCALE_FACTOR")}
    env.update(DISPLAY=display)
    return env


@pytest.fixture(scope="module")
def two_monitors() -> Iterator[str]:
    """The DISPLAY of an Xvfb screen split into monitors LEFT and RIGHT, side by side."""
    # -noreset: a server reset (when its last client leaves) would drop the monitors.
    with own_xvfb(f"{2 * MONITOR[0]}x{MONITOR[1]}x24", "-noreset") as display:
        width, height = MONITOR
        mm = f"{width}/{round(width * 25.4 / 96)}x{height}/{round(height * 25.4 / 96)}"
        # LEFT takes the screen's one output (else its own monitor would cover both).
        for name, x, output in (("LEFT", 0, "screen"), ("RIGHT", width, "none")):
            subprocess.run(
                ["xrandr", "--setmonitor", name, f"{mm}+{x}+0", output],
                check=True,
                capture_output=True,
                timeout=30,
                env=_x_env(display),
            )
        listed = subprocess.run(
            ["xrandr", "--listmonitors"], check=True, capture_output=True, text=True, timeout=30, env=_x_env(display)
        ).stdout
        assert "Monitors: 2" in listed and "LEFT" in listed and "RIGHT" in listed, listed
        yield display


def _run_child(tmp_path: Path, display: str, left_scale: str) -> str:
    temp = tmp_path / "temp"
    temp.mkdir()
    env = dict(
        _x_env(display),
        QT_QPA_PLATFORM="xcb",
        QT_SCREEN_SCALE_FACTORS=f"LEFT={left_scale};RIGHT=1",
        **temp_folder_env(temp),
    )
    return run_child_pytest("gui_screen_move_child.py", env)


@pytest.mark.skipif(bool(_MISSING), reason=f"not installed: {', '.join(_MISSING)} (scripts/install-system-deps.sh)")
@pytest.mark.parametrize("left_scale", ["2", "1.5"])
def test_the_overlay_follows_the_window_between_screens_of_other_ratios(
    tmp_path: Path, two_monitors: str, left_scale: str
) -> None:
    # Playing and paused: the frame's picture enlarged for the high-DPI screen, the frame's
    # own size on the other, the worker told each time; a paused frame redrawn at each move.
    output = _run_child(tmp_path, two_monitors, left_scale)
    assert "1 passed" in output, output[-2000:]
