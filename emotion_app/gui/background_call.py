"""One question of the file system at a time, asked off the GUI thread with a deadline.

On a network share whose server has gone (a hard NFS or SMB mount) a stat, a mkdir or a
resolve blocks for minutes or for ever; a window that asked on its own thread would
freeze with it. The question runs on a daemon thread (one stuck on such a share never
keeps the process from exiting) and its answer comes back on the GUI thread by a queued
signal; one that has not come by the deadline is given up, and the asker told so.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PyQt6.QtCore import QObject, Qt, QTimer, pyqtSignal


class BackgroundCall(QObject):
    """Runs one job at a time off the GUI thread. :meth:`start` hands it over with what
    to do with its answer (on the GUI thread) and what to do if none comes within
    ``timeout_s``; a job asked again, cancelled or given up has its late answer dropped."""

    _reported = pyqtSignal(int, object)  # (job number, answer), emitted on the job's thread

    def __init__(self, timeout_s: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timeout_s = timeout_s
        self._job = 0  # the number of the job whose answer is awaited; bumped to drop one
        self._on_answer: Callable[[Any], None] | None = None
        self._on_no_answer: Callable[[], None] | None = None
        self._deadline = QTimer(self)
        self._deadline.setSingleShot(True)
        self._deadline.timeout.connect(self._give_up)
        # Queued: the answer comes on the job's thread, and is acted on on this one.
        self._reported.connect(self._on_reported, Qt.ConnectionType.QueuedConnection)  # type: ignore[call-arg]

    @property
    def pending(self) -> bool:
        """Whether a job's answer is awaited."""
        return self._on_answer is not None

    def start(self, job: Callable[[], Any], on_answer: Callable[[Any], None], on_no_answer: Callable[[], None]) -> bool:
        """Run ``job`` (it must not raise) on a thread of its own, dropping the answer of
        any job before it; returns at once. ``on_answer(answer)`` or ``on_no_answer()``
        follows on the GUI thread. False (and neither follows) when no thread could be had."""
        self.cancel()
        self._job += 1
        number = self._job
        try:
            threading.Thread(target=self._run, args=(number, job), name="file check", daemon=True).start()
        except RuntimeError:  # no thread to be had
            return False
        self._on_answer, self._on_no_answer = on_answer, on_no_answer
        self._deadline.start(max(0, round(self.timeout_s * 1000)))
        return True

    def cancel(self) -> None:
        """Drop the answer awaited, if any: neither callback follows."""
        self._job += 1
        self._deadline.stop()
        self._on_answer = self._on_no_answer = None

    def _run(self, number: int, job: Callable[[], Any]) -> None:
        answer = job()
        try:
            self._reported.emit(number, answer)
        except RuntimeError:  # this object went with its window while the job waited
            pass

    def _on_reported(self, number: int, answer: object) -> None:
        on_answer = self._on_answer
        if number != self._job or on_answer is None:
            return  # asked again, cancelled or given up meanwhile
        self.cancel()
        on_answer(answer)

    def _give_up(self) -> None:
        on_no_answer = self._on_no_answer
        self.cancel()
        if on_no_answer is not None:
            on_no_answer()
