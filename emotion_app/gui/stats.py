"""Rolling performance figures for the status bar and the measurement script (Qt-free)."""

from __future__ import annotations

import math
from collections import deque


class RateMeter:
    """Events per second over a sliding time window."""

    def __init__(self, window_s: float = 2.0) -> None:
        self._window_s = window_s
        self._times: deque[float] = deque()

    def tick(self, now: float) -> None:
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

    def reset(self) -> None:
        self._times.clear()

    def _trim(self, now: float) -> None:
        cutoff = now - self._window_s
        while self._times and self._times[0] < cutoff:
            self._times.popleft()


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
