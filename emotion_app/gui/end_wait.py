"""A file's end, told ("Finished playing …", with Play again) once its last frame's result
is shown, or after :data:`END_WAIT_MS` at most where that result has not come: the
inference thread may be busy for longer than a banner may wait (a frame that takes long,
a loaded machine), or the result may never come."""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtCore import QObject, QTimer

# The most a file's end waits for its last frame's result: above the waits measured on a
# loaded machine (docs/measurements.md), yet a short wait for a banner.
END_WAIT_MS = 4000

# A frame, as a result names it: its ``run`` and ``frame_index``.
FrameKey = tuple[tuple[int, int], int]


class EndWait:
    """The end told when its last frame is shown, or on time; :meth:`take` ends the wait
    where the window moves on (another open, a fault, a stop)."""

    def __init__(self, show_ended: Callable[[str], None], parent: QObject) -> None:
        self._show_ended = show_ended
        self._waiting: tuple[FrameKey, str] | None = None
        self._timer = QTimer(parent)
        self._timer.setSingleShot(True)
        self._timer.setInterval(END_WAIT_MS)
        self._timer.timeout.connect(self._on_time_up)

    def wait(self, last_frame: FrameKey, message: str) -> None:
        """Tell ``message`` once ``last_frame``'s result is shown, or on time."""
        self._waiting = (last_frame, message)
        self._timer.start()

    def take(self) -> str | None:
        """The message waiting (None where none is), no longer waiting."""
        self._timer.stop()
        waiting, self._waiting = self._waiting, None
        return waiting[1] if waiting is not None else None

    def result_shown(self, frame: FrameKey) -> None:
        """``frame``'s result is on screen: the end waiting for it is told now."""
        if self._waiting is not None and self._waiting[0] == frame:
            self._show_ended(self._waiting[1])
            self.take()

    def _on_time_up(self) -> None:
        # The last frame's result has not come in time: the end is told without it, its
        # labels drawn whenever it comes.
        message = self.take()
        if message is not None:
            self._show_ended(message)
