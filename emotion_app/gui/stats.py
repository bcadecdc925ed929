"""Rolling performance figures for the status bar and the measurement script (Qt-free)."""

from __future__ import annotations

import math
import statistics
from collections import deque

from emotion_app.sources.stream_pace import STREAM_STALL_CEILING_S, allowed_stall_s

# From this rate up the display rate over its 2 s window reads well ("30 fps"); slower, the
# window holds one or two frames and reads "1 fps" or "0 fps" by chance.
WINDOW_RATE_FLOOR_FPS = 1.5
# Down to this rate a slow stream reads "0.8 fps"; slower, "1 frame every 8 s": 0.12 fps is
# hard to picture, and the reconnect notice tells a slow camera's pace in seconds too.
SECONDS_BELOW_FPS = 0.5


class RateMeter:
    """Events per second over a sliding time window."""

    def __init__(self, window_s: float = 2.0) -> None:
        self._window_s = window_s
        self._times: deque[float] = deque()
        self._first: float | None = None  # the first event since the meter was reset

    def tick(self, now: float) -> None:
        if self._first is None:
            self._first = now
        self._times.append(now)
        self._trim(now)

    def rate(self, now: float) -> float:
        self._trim(now)
        if len(self._times) < 2:
            return 0.0
        span = now - self._times[0]
        # (n - 1) intervals over the span would overstate a burst; n events over the
        # whole window understates a fresh stream: use the span until the window fills.
        return (len(self._times) - 1) / span if span > 0 else 0.0

    def settled_rate(self, now: float) -> float | None:
        """:meth:`rate`, once events have been counted for the whole window; None before.
        A few frames since a source opened read above a file's own rate ("33 fps" for a
        30 fps file: its first two shown 14 ms apart) or far below it ("5 fps")."""
        if self._first is None or now - self._first < self._window_s:
            return None
        return self.rate(now)

    def reset(self) -> None:
        self._times.clear()
        self._first = None

    def _trim(self, now: float) -> None:
        cutoff = now - self._window_s
        while self._times and self._times[0] < cutoff:
            self._times.popleft()


class FramePace:
    """The intervals between the last few frames: their median is the stream's pace, which
    one late frame or a burst does not move."""

    def __init__(self, intervals: int = 5) -> None:
        self._times: deque[float] = deque(maxlen=intervals + 1)

    def tick(self, now: float) -> None:
        self._times.append(now)

    @property
    def last(self) -> float | None:
        return self._times[-1] if self._times else None

    @property
    def interval_s(self) -> float | None:
        """The median of the recent intervals; None before two frames."""
        times = list(self._times)
        return statistics.median(b - a for a, b in zip(times, times[1:])) if len(times) > 1 else None

    def reset(self) -> None:
        self._times.clear()


def rate_text(rate: float | None, pace: FramePace, now: float) -> str | None:
    """The pace of the frames shown in plain words: ``rate`` (the window's, None until it
    has been counted for a whole window: see :meth:`RateMeter.settled_rate`) as "30 fps"
    for a stream at video rates ("0 fps" once its window holds no frame), a slower one's
    pace from ``pace`` ("0.8 fps", "1 frame every 8 s"), "0 fps" for it only once nothing
    came for longer than its pace allows (when a network camera is opened again, see
    ``stream_pace``); None while no frame, one frame alone or a window not yet counted
    tells no pace."""
    last = pace.last
    if last is None:
        # Nothing shown since it opened: its first result, before its frame is painted,
        # read "Playing · 0:00 · 1 face · 0 fps", as if it had stalled.
        return None
    interval = pace.interval_s
    # A second frame may be as late as the reader waits for one.
    allowed = allowed_stall_s(interval) if interval is not None else STREAM_STALL_CEILING_S
    if now - last > allowed:
        return "0 fps"
    if interval is None:
        return None
    if interval < 1.0 / WINDOW_RATE_FLOOR_FPS:
        # Frames at video rates that stop for a moment: the window's rate says so.
        return f"{rate:.0f} fps" if rate is not None else None
    if interval <= 1.0 / SECONDS_BELOW_FPS:
        return f"{1.0 / interval:.1f} fps"
    return f"1 frame every {round(interval, 1) if interval < 10 else round(interval):g} s"


class RollingPercentiles:
    """Percentiles of the last ``capacity`` samples (bounded memory for long runs)."""

    def __init__(self, capacity: int = 300) -> None:
        self._samples: deque[float] = deque(maxlen=capacity)

    def add(self, value: float) -> None:
        self._samples.append(value)

    def percentile(self, q: float) -> float:
        return percentile(list(self._samples), q)

    def __len__(self) -> int:
        return len(self._samples)

    def reset(self) -> None:
        self._samples.clear()


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by linear interpolation; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100.0
    low = int(math.floor(position))
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
