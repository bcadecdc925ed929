"""Command line and start-up: ``python main.py [--camera INDEX|NAME] [--video PATH] [--weights PATH]``."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Sequence

from PyQt6.QtCore import QTimer
from PyQt6.QtWidgets import QApplication

from .settings import APPLICATION, ORGANIZATION, AppSettings

if TYPE_CHECKING:
    from .main_window import MainWindow


@dataclass(frozen=True)
class LaunchOptions:
    """What the user asked for on the command line."""

    camera: str | None = None  # an OpenCV index ("0") or (part of) a camera's name
    video: Path | None = None
    weights: Path | None = None  # None: the shipped default in weights/
    settings: Path | None = None  # an INI file instead of the user's settings

    @property
    def camera_index(self) -> int | None:
        return int(self.camera) if self.camera is not None and self.camera.strip().isdigit() else None


def parse_args(argv: Sequence[str] | None = None) -> LaunchOptions:
    parser = argparse.ArgumentParser(
        prog="main.py",
        description="Real-time facial-emotion recognition from a camera or a video file.",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--camera", metavar="INDEX|NAME", help="camera to open: OpenCV index or (part of) its name")
    source.add_argument("--video", metavar="PATH", type=Path, help="play a video file instead of a camera")
    parser.add_argument(
        "--weights", metavar="PATH", type=Path, help="emotion model weights (default: weights/emotion_cnn.safetensors)"
    )
    parser.add_argument(
        "--settings", metavar="FILE", type=Path, help="keep settings in this INI file instead of the user's"
    )
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    return LaunchOptions(camera=args.camera, video=args.video, weights=args.weights, settings=args.settings)


def create_application(argv: Sequence[str] | None = None) -> QApplication:
    """The QApplication, named so QSettings finds the user's settings."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv or sys.argv[:1]))
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    # PyQt6 aborts the whole process on an exception escaping a slot unless a hook is
    # installed; a bug in one handler should cost a logged traceback, not the session.
    if sys.excepthook is sys.__excepthook__:
        sys.excepthook = _log_unhandled
    _quit_on_signals(app)
    return app


def _quit_on_signals(app: QApplication) -> None:
    """Ctrl+C or SIGTERM in the terminal quits cleanly: threads stop, the camera is released.

    Python runs signal handlers only when it gets control, which it does not while Qt's
    event loop waits in C++; a cheap timer hands it control a few times a second.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda _signum, _frame: app.quit())
    wake = QTimer(app)
    wake.setInterval(250)
    wake.timeout.connect(lambda: None)
    wake.start()


def _log_unhandled(kind: type[BaseException], value: BaseException, trace: TracebackType | None) -> None:
    logging.getLogger("emotion_app.gui").error("unhandled exception", exc_info=(kind, value, trace))


def create_main_window(options: LaunchOptions) -> MainWindow:
    """The main window for ``options``; a QApplication must exist."""
    # Imported here so `main.py --help` answers without loading torch and the model code.
    from .main_window import MainWindow

    settings = AppSettings.at_path(options.settings) if options.settings else AppSettings.user()
    return MainWindow(options, settings)


def run(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, open the window, run the event loop; returns the exit code."""
    options = parse_args(argv)
    app = create_application()
    window = create_main_window(options)
    window.show()
    return app.exec()
