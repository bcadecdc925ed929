"""A widget's accessible description kept up to date without flooding a screen reader.

Qt posts QAccessible::DescriptionChanged, which a reader speaks, each time a widget's
description changes. Told that the words may have changed, :class:`PacedDescription` sets
them at most once per interval (to the newest words, when the interval is over); a change
the user made, the first in an interval, is told after a short settling wait, and one the
reader must hear now (a row chosen, a session cleared) with :meth:`PacedDescription.tell_now`.
The video view (:mod:`spoken_view`) and the session timeline's rows (:mod:`timeline_panel`)
share it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from PyQt6.QtCore import QObject, Qt, QTimer
from PyQt6.QtWidgets import QWidget

# A change the user made is told after this short wait, so that parts of it that arrive
# apart (a paused frame and its new position) are told as one.
SETTLE_S = 0.1


class PacedDescription(QObject):
    """Sets ``widget``'s accessible description to ``words()`` where they differ from it
    (words changed and back within a wait tell nothing). :attr:`changes` counts the
    descriptions set, each an event a reader hears."""

    def __init__(self, widget: QWidget, words: Callable[[], str], min_interval_s: float) -> None:
        super().__init__(widget)
        self._widget = widget
        self._words = words
        self._min_interval_s = min_interval_s
        self._last_change = float("-inf")  # time.monotonic() of the last description set
        self._last_user_change = float("-inf")  # time.monotonic() of the user's last change
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        # A coarse timer may fire a little early: two changes came under an interval apart.
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tell)
        self.changes = 0

    def changed(self, by_user: bool = False) -> None:
        """The words may have changed: tell them when the pace allows. ``by_user``: the
        user made the change (a pause, a step), told at once when first in an interval."""
        now = time.monotonic()
        # The user's changes one after another (a held step key) are told as frames
        # playing are; each told at once flooded the reader.
        at_once = by_user and now - self._last_user_change >= self._min_interval_s
        if by_user:
            self._last_user_change = now
        if at_once:
            self._timer.start(math.ceil(SETTLE_S * 1000))
        elif not self._timer.isActive():  # else the newest words are told when it fires
            wait = max(SETTLE_S, self._last_change + self._min_interval_s - now)
            self._timer.start(math.ceil(wait * 1000))

    def due_in_ms(self) -> int | None:
        """Milliseconds until the words waiting are told; None when none wait."""
        return self._timer.remainingTime() if self._timer.isActive() else None

    def tell_now(self) -> None:
        """Tell the words now, whatever the pace (what the user just asked to hear)."""
        self._timer.stop()
        self._tell()

    def cancel(self) -> None:
        """Tell nothing of what waits (the widget has lost the keyboard: its next words are
        told when it has it again)."""
        self._timer.stop()

    def _tell(self) -> None:
        text = self._words()
        if text != self._widget.accessibleDescription():
            self._widget.setAccessibleDescription(text)  # Qt posts DescriptionChanged
            self._last_change = time.monotonic()
            self.changes += 1
