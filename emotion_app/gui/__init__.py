"""The PyQt6 desktop app: a thin Qt layer over the Qt-free core in ``emotion_app``.

Threads: a capture worker reads frames into a one-slot mailbox, an inference worker runs
the core pipeline on the newest frame and emits a frozen :class:`InferenceResult`, and the
GUI thread only paints. See ``stream_controller.py`` for how they are wired.
"""

from .app import create_main_window, run
from .launch import LaunchOptions, parse_args

__all__ = ["LaunchOptions", "create_main_window", "parse_args", "run"]
