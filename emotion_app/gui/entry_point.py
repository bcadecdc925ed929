"""The ``emotion-app`` command and ``main.py``: the desktop app, started from a module that
imports nothing of Qt's, so a Ctrl-C while Qt and the app's modules load is handled."""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Load the app and run it (:func:`emotion_app.gui.app.run`); returns the exit code."""
    try:
        # The app's own Ctrl+C handling is installed only once Qt has loaded: one meanwhile
        # quits as one once it runs does (exit 0, quietly), not in a traceback.
        from .app import run
    except KeyboardInterrupt:
        return 0
    return run(argv)
