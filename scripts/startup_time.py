"""How long the desktop app takes to show something, and to show its window.

    python -m scripts.startup_time [--runs N] [--json] [-- APP ARGUMENTS]

Starts the app's real start-up (``emotion_app.gui.app.run``, what ``main.py`` runs) in a
fresh Python process N times, each with a settings file of its own (the user's are not
touched) and no camera unless the arguments name one, and prints the median time from
starting the process to the starting screen and to the main window being shown and
painted, with every run's. The process quits as soon as the main window is shown: what it
measures is start-up, not the camera opening. Needs a display (Xvfb will do; Qt's
``offscreen`` platform works too). The last line printed is one JSON object.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from scripts.support.arguments import script_parser

# Run in the child: wraps QWidget.show to note when each top-level widget is shown and
# painted (the starting screen, then the main window) and whether torch was imported by
# then; once the main window is shown, notes whether the starting screen is still up when
# the event loop runs, and quits.
_CHILD = """
import json, sys, time
from PyQt6.QtCore import QTimer
from PyQt6.QtWidgets import QApplication, QWidget

events, starting = [], []
plain_show = QWidget.show

def loop_running():
    events.append(["loop", time.time(), starting[0].isVisible() if starting else None])
    QApplication.quit()

def show(widget):
    plain_show(widget)
    widget.repaint()  # painted now, text and all (the first text drawn loads the fonts)
    kind = type(widget).__name__
    events.append([kind, time.time(), "torch" in sys.modules])
    if kind == "StartingScreen":
        starting.append(widget)
    if kind == "MainWindow":
        QTimer.singleShot(0, loop_running)

QWidget.show = show
from emotion_app.gui.app import run
code = run(sys.argv[1:])
print("EVENTS " + json.dumps(events))
sys.exit(code)
"""
REPO = Path(__file__).resolve().parent.parent
# The report's name for each widget's first showing.
_KINDS = {"StartingScreen": "starting_screen", "MainWindow": "MainWindow"}


def start_up(arguments: list[str]) -> tuple[float, list[list[Any]]]:
    """The app's start-up, once, in a fresh process with a settings file of its own:
    when it was started (``time.time()``) and its events, each [what, ``time.time()``,
    flag]: a top-level widget's class name and whether torch was imported when it was
    shown, then "loop" and whether the starting screen was still up once the event loop ran."""
    with tempfile.TemporaryDirectory() as folder:
        settings = str(Path(folder) / "settings.ini")
        start = time.time()
        completed = subprocess.run(
            [sys.executable, "-c", _CHILD, "--settings", settings, *arguments],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=REPO,
        )
    lines = [line for line in completed.stdout.splitlines() if line.startswith("EVENTS ")]
    if completed.returncode != 0 or not lines:
        raise SystemExit(f"the app did not start (exit {completed.returncode}): {completed.stderr.strip()[-500:]}")
    return start, json.loads(lines[-1][len("EVENTS ") :])


def one_run(arguments: list[str]) -> dict[str, float]:
    """Seconds from the start to the starting screen and to the main window, shown and painted."""
    start, events = start_up(arguments)
    times: dict[str, float] = {}
    for what, at, _ in events:
        if what in _KINDS:
            times.setdefault(_KINDS[what], at - start)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = script_parser(__file__, __doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, metavar="N", help="start-ups to time (default 5)")
    parser.add_argument("--json", action="store_true", help="only the JSON line")
    parser.add_argument("app_arguments", nargs="*", metavar="APP ARGUMENTS", help="passed to the app (after --)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error(f"--runs must be at least 1, got {args.runs}")
    runs = [one_run(args.app_arguments) for _ in range(args.runs)]
    report: dict[str, Any] = {"runs": runs}
    for kind in ("starting_screen", "MainWindow"):
        values = [run[kind] for run in runs if kind in run]
        report[f"{kind}_median_s"] = statistics.median(values) if values else None
        if not args.json and values:
            every = ", ".join(f"{value:.2f}" for value in values)
            print(f"{kind.replace('_', ' ')}: median {statistics.median(values):.2f} s after the start ({every})")
    print(json.dumps(report, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
