"""Measures how long the GUI thread is blocked: the lateness of a fast repeating timer.

If the event loop is busy (painting, a slow slot), the timer fires late; the lateness
beyond its interval is the stall. Used by scripts/measure_gui.py and the tests.
"""

from __future__ import annotations

import time

from PyQt6.QtCore import QObject, Qt, QTimer


class StallMonitor(QObject):
    """Records the worst and every GUI-thread stall while running."""

    def __init__(self, interval_ms: int = 5, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._interval_s = interval_ms / 1000.0
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_tick)
        self._last = 0.0
        self.max_stall_ms = 0.0
        self.stalls_over_50ms = 0
        self.ticks = 0

    def start(self) -> None:
        self.max_stall_ms, self.stalls_over_50ms, self.ticks = 0.0, 0, 0
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _on_tick(self) -> None:
        now = time.perf_counter()
        stall_ms = max(0.0, (now - self._last - self._interval_s) * 1000.0)
        self._last = now
        self.ticks += 1
        self.max_stall_ms = max(self.max_stall_ms, stall_ms)
        if stall_ms > 50.0:
            self.stalls_over_50ms += 1
