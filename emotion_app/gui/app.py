"""Start-up: the QApplication, signal handling, the main window and the event loop."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING

from PyQt6 import sip
from PyQt6.QtCore import QTimer
from PyQt6.QtWidgets import QApplication, QMainWindow, QWidget

from . import quitting
from .display_check import display_problem, let_go
from .identity import APPLICATION, ORGANIZATION
from .launch import LaunchOptions, parse_args
from .starting_screen import show_starting_screen

if TYPE_CHECKING:
    from .main_window import MainWindow

# Set by the SIGINT/SIGTERM handler. Qt ignores a quit() while no event loop runs, and
# the starting screen runs the queued one before the loop starts: the start-up looks here.
_quit_signalled = threading.Event()
# Set once the window has gone and the exit waits only for network cameras to let go: a
# signal then quits at once (nothing is left to close, nothing unsaved to wait for).
_window_gone = threading.Event()
# How long the exit waits for them before it says so on stderr.
_QUIET_LET_GO_S = 0.5


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
    event loop waits in C++; a cheap timer hands it control a few times a second. The
    handler then runs inside that timer's dispatch, so it only queues the quit: quitting
    there (windows closed, threads stopped) while Qt was still dispatching its timers
    crashed the process with SIGSEGV in most tries.

    A signal while the exit will wait for what is still being written (up to half a minute
    on a share that has gone) says so; a second ends the process there: exit code 128 + the
    signal, and a line naming what was left unsaved (``gui/quitting``). Once the window has
    gone and the exit waits only for network cameras to let go, a first one ends it so
    (:func:`_let_streams_go`).
    """
    if threading.current_thread() is not threading.main_thread():
        return
    _quit_signalled.clear()
    _window_gone.clear()
    quitting.reset()

    def close_then_quit() -> None:
        # Quitting closes every window in no set order: a session timeline floating on its
        # own, closed before the main window, was remembered as hidden by the user.
        for widget in app.topLevelWidgets():
            if isinstance(widget, QMainWindow) and widget.isVisible():
                widget.close()
        app.quit()

    def quit_soon(signum: int, _frame: object) -> None:
        if _quit_signalled.is_set() or _window_gone.is_set():
            quitting.exit_now(signum)  # the user will not wait for the exit's waits
        _quit_signalled.set()
        quitting.tell_waiting(signum)
        QTimer.singleShot(0, close_then_quit)

    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, quit_soon)
    wake = QTimer(app)
    wake.setInterval(250)
    wake.timeout.connect(lambda: None)
    wake.start()


def _log_unhandled(kind: type[BaseException], value: BaseException, trace: TracebackType | None) -> None:
    logging.getLogger("emotion_app.gui").error("unhandled exception", exc_info=(kind, value, trace))


def create_main_window(options: LaunchOptions) -> MainWindow:
    """The main window for ``options``; a QApplication must exist."""
    # Imported here so `main.py --help` answers without loading torch and the model code.
    from emotion_app.inference.runners import import_backends
    from emotion_app.sources.network_camera import rtsp_over_tcp_first

    from .main_window import MainWindow
    from .settings import AppSettings

    # Before any thread opens a stream: an environment written while another thread reads
    # it (OpenCV's FFmpeg opening a file) can crash the process.
    rtsp_over_tcp_first()
    # Now, under the starting screen, rather than when the fast classifier is first used.
    import_backends()
    settings = AppSettings.at_path(options.settings) if options.settings else AppSettings.user()
    return MainWindow(options, settings)


def run(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, open the window, run the event loop; returns the exit code.

    The ``emotion-app`` command and ``main.py`` (through ``entry_point``). Arguments are parsed first, so ``--help``
    answers without a display; where the window cannot open (no display, or X libraries
    missing on Linux) it says why in one ``error:`` line and returns 2, as the commands do.
    """
    options = parse_args(argv)
    # Qt itself aborts the process with advice the user cannot act on (gui/display_check).
    problem = None if QApplication.instance() else display_problem()
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    app = create_application(sys.argv[:1])
    let_go()  # the check's connection, kept until Qt had its own (gui/display_check)
    # Shown before the window's imports (torch among them), which take seconds on a slow machine.
    starting = show_starting_screen()
    try:
        if _quit_signalled.is_set():  # told to stop before the window's seconds of loading
            return 0
        window = create_main_window(options)
        window.show()
    finally:
        starting.close()
    try:
        # A signal during the window's creation: its queued quit may have run already.
        return 0 if _quit_signalled.is_set() else app.exec()
    finally:
        release_window(window)
        _let_streams_go()


def _let_streams_go() -> None:
    """Wait for a network camera's thread still in a read of a stream gone quiet (the
    window did not wait for it): the process ends once it has let go, out of FFmpeg, whose
    read nothing cuts short. A wait past a moment is said on stderr, and a signal ends it."""
    from emotion_app.sources.network_camera import STREAM_LET_GO_WAIT_S, wait_for_streams_let_go

    _window_gone.set()
    try:
        if wait_for_streams_let_go(_QUIET_LET_GO_S):
            return
        print(
            "waiting for a network camera's read to end (OpenCV's FFmpeg cannot cut it short; "
            f"{STREAM_LET_GO_WAIT_S:g} s at most); press Ctrl+C to quit without waiting",
            file=sys.stderr,
            flush=True,
        )
        wait_for_streams_let_go()
    finally:
        _window_gone.clear()  # a test's next window, in this process, is a window again


def release_window(window: QWidget) -> None:
    """Close ``window`` and delete its Qt side now, while the QApplication still exists.

    Left to the interpreter's exit, Python may drop the QApplication before the window,
    and Qt then destroys widgets with no application: a process that had finished its
    work crashed with SIGSEGV on the way out (measure_gui, now and then).
    """
    window.close()
    sip.delete(window)
