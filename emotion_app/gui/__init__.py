"""The PyQt6 desktop app: a thin Qt layer over the Qt-free core in ``emotion_app``.

Threads: a capture worker reads frames into a one-slot mailbox, an inference worker runs
the core pipeline on the newest frame and emits a frozen :class:`InferenceResult`, and the
GUI thread only paints. See ``stream_controller.py`` for how they are wired.

Imports nothing itself: the ``emotion-app`` command's wrapper imports this package before
any code of the app's runs (``entry_point``), and Qt must load only where a Ctrl-C is handled.
"""
