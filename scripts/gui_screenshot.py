"""Open the real main window, play an astronaut clip and save a screenshot of the window.

    xvfb-run -a -s "-screen 0 1280x900x24" python -m scripts.gui_screenshot docs/screenshot.png

Run it under a real X server (Xvfb is enough; scripts/gui_screenshot.sh does that) to
check that the app starts on the xcb platform, not only offscreen. Uses the shipped
weights when they exist, else a randomly initialised model (its labels are then noise).
Prints the Qt platform, the weights used and the screenshot's path; exit code 0 on success,
1 when no crowded frame reached the window, 2 for bad input (missing weights, a screenshot
that can't be written), as the app's commands.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from emotion_app.cli.common import fail
from emotion_app.gui.app import create_application, release_window
from emotion_app.gui.camera_picker import StaticDeviceMonitor
from emotion_app.gui.launch import LaunchOptions
from emotion_app.gui.main_window import MainWindow
from emotion_app.gui.settings import AppSettings
from emotion_app.io.atomic import OutputError, check_target, write_bytes
from emotion_app.samples import write_demo_video
from emotion_app.sources.specs import VideoFileSpec
from scripts.support.arguments import script_parser
from scripts.support.model_weights import weights_or_random
from scripts.support.qt_loop import spin

REPO = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = script_parser(__file__, "Save a screenshot of the running app.")
    parser.add_argument("out", type=Path, nargs="?", default=REPO / "docs" / "screenshot.png")
    parser.add_argument("--weights", type=Path, default=None, help="default: the shipped weights, else random-init")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for faces on screen")
    args = parser.parse_args(argv)
    try:  # before a window is opened and played for a minute
        check_target(args.out, "screenshot")
    except OutputError as exc:
        return fail(str(exc))

    # Settings, the demo clip and any random weights live here, and go with it.
    with tempfile.TemporaryDirectory(prefix="gui_screenshot_", ignore_cleanup_errors=True) as work:
        return screenshot(args, Path(work))


def screenshot(args: argparse.Namespace, work: Path) -> int:
    """The screenshot :func:`main` asked for, with its files in ``work``; the exit code."""
    weights = weights_or_random(args.weights, work)
    video = write_demo_video(work / "demo.avi", seconds=12.0)

    app = create_application()
    window = MainWindow(
        LaunchOptions(weights=weights),
        AppSettings.at_path(work / "settings.ini"),  # never the user's settings
        device_monitor=StaticDeviceMonitor([]),  # what the window shows does not depend on this machine
    )
    window.resize(1100, 860)  # room for the session timeline panel (open by default)
    window.show()
    window.start_source(VideoFileSpec(video, loop=True))
    deadline = time.monotonic() + args.timeout
    # Wait for the most crowded part of the clip (after the timeline has filled a little),
    # then a moment for smoothing to settle.
    started = time.monotonic()
    while time.monotonic() < deadline:
        spin(0.1)
        result = window.view.result
        crowded = result is not None and len(result.faces) >= 3
        if crowded and window.model_status is not None and time.monotonic() - started > 6.0:
            break
    else:
        print("error: no frame with three faces appeared on screen", file=sys.stderr)
        release_window(window)
        return 1
    spin(0.6)
    screen = window.screen()
    assert screen is not None
    # A grab of the window from the screen (what the X server shows), not a re-render.
    shot = screen.grabWindow(window.winId())
    if shot.isNull() or shot.width() < 100:
        shot = window.grab()
    # Saved whole or not at all: the screenshot it replaces stays until the new one is written.
    png = work / "screenshot.png"
    try:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        if not shot.save(str(png), "PNG"):
            raise OSError("Qt could not encode the PNG")
        write_bytes(args.out, png.read_bytes())
    except (OSError, OutputError) as exc:
        code = fail(f"could not write {args.out} ({exc})")
        release_window(window)
        return code
    print(f"platform: {app.platformName()}")
    print(f"weights: {weights}")
    print(f"faces on screen: {len(window.view.result.faces) if window.view.result else 0}")
    print(f"screenshot: {args.out} ({shot.width()}x{shot.height()})")
    stopped = window.shutdown()
    release_window(window)
    return 0 if stopped else 1


if __name__ == "__main__":
    sys.exit(main())
