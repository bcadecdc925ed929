"""How often a network camera's stream may break off before the app stops opening it again."""

from __future__ import annotations

from collections import deque

# A stream that breaks off this many times within STREAM_DROPS_WINDOW_S is given up rather
# than opened again without end: a link that keeps breaking wants fixing, and a picture
# that stops every few seconds is no live view. Rarer drops (at most one every 12 s, on
# average over a minute) are reconnected for as long as the session lasts.
STREAM_DROPS_GIVEN_UP = 6
STREAM_DROPS_WINDOW_S = 60.0


class StreamDrops:
    """The times a stream broke off lately, to tell whether it breaks off too often."""

    def __init__(self, limit: int = STREAM_DROPS_GIVEN_UP, window_s: float = STREAM_DROPS_WINDOW_S) -> None:
        self.limit = limit
        self.window_s = window_s
        self._times: deque[float] = deque(maxlen=limit)  # only the last ``limit`` matter

    def too_often(self, now: float) -> bool:
        """Count a drop at ``now`` (monotonic seconds); True where it is the ``limit``-th
        within ``window_s``."""
        self._times.append(now)
        return len(self._times) == self.limit and now - self._times[0] < self.window_s
