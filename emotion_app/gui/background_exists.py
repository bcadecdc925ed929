"""Whether paths exist, answered on the GUI thread without its ever waiting for one: the
checks run off it (:mod:`emotion_app.io.existence`), since on a network share whose server
has gone a stat blocks for minutes, and each answer comes back by a queued signal."""

from __future__ import annotations

import os
from collections.abc import Callable

from PyQt6.QtCore import QObject, Qt, pyqtSignal

from emotion_app.io.existence import ExistenceChecks


class BackgroundExists(QObject):
    """Checks paths in the background; :attr:`answered` (path, exists) comes on the GUI
    thread as each answer does, and :meth:`last_answer` keeps the latest. ``test`` is the
    question asked (see :class:`ExistenceChecks`), e.g. :func:`os.path.isdir`."""

    answered = pyqtSignal(str, bool)
    _reported = pyqtSignal(str, bool)  # emitted on a checking thread

    def __init__(self, parent: QObject | None = None, test: Callable[[str], bool] = os.path.exists) -> None:
        super().__init__(parent)
        self._answers: dict[str, bool] = {}
        # Queued: the answers come on the checking threads, and are kept on this one.
        self._reported.connect(self._on_reported, Qt.ConnectionType.QueuedConnection)  # type: ignore[call-arg]
        self._checks = ExistenceChecks(self._post, test)

    def check(self, paths: list[str]) -> None:
        """Ask afresh whether each of ``paths`` is there; returns at once."""
        self._checks.check(paths)

    def last_answer(self, path: str) -> bool | None:
        """Whether ``path`` was there when last asked; None when no answer has come yet."""
        return self._answers.get(path)

    def _post(self, path: str, exists: bool) -> None:
        try:
            self._reported.emit(path, exists)
        except RuntimeError:  # this object went with its window while the check waited
            pass

    def _on_reported(self, path: str, exists: bool) -> None:
        self._answers[path] = exists
        self.answered.emit(path, exists)
