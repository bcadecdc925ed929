"""A network camera's own pace: how long its stream may send no frame before that counts
as a stall (a drop, opened again) rather than a camera that sends few frames."""

from __future__ import annotations

import statistics
from collections import deque

# A stream at video rates is still opened again after 3 s without a frame, as before.
STREAM_STALL_FLOOR_S = 3.0
# Allowed: this many of the stream's usual intervals between frames. Wi-Fi cameras and
# phones in timelapse mode send late by one interval now and then; three leave room for
# one late frame and one missing, and no more.
STREAM_STALL_INTERVALS = 3.0
# A camera sending a frame every 10 s or less is waited for; slower ones (or a stream gone
# quiet) are opened again after this, and an opened stream's thread never holds its
# connection longer (the process's exit waits for it: see network_camera).
STREAM_STALL_CEILING_S = 30.0
# The recent intervals whose median is the stream's pace: a few gaps or a burst do not move it.
_INTERVALS_KEPT = 15
# Frames read sooner than this after the one before were held by FFmpeg already (read with
# the open), not sent at that pace.
_HELD_S = 0.005


class StreamPace:
    """The intervals between a stream's frames lately, and the stall they allow."""

    def __init__(self) -> None:
        self._intervals: deque[float] = deque(maxlen=_INTERVALS_KEPT)
        self._last: float | None = None

    def opened_in(self, seconds: float) -> None:
        """An open took ``seconds``: FFmpeg reads three frames to open an MJPEG stream, the
        first sent at once, so two intervals at most (the best guess before frames come)."""
        self._intervals.extend([seconds / 2.0] * 2)

    def frame_at(self, now: float) -> None:
        """A frame arrived at ``now`` (monotonic seconds)."""
        if self._last is not None and now - self._last >= _HELD_S:
            self._intervals.append(now - self._last)
        self._last = now

    def restart(self) -> None:
        """The stream was opened again: the next frame's interval is not the stream's."""
        self._last = None

    @property
    def interval_s(self) -> float | None:
        """The median of the recent intervals; None before any."""
        return statistics.median(self._intervals) if self._intervals else None

    def allowed_stall_s(self) -> float:
        """How long the stream may send no frame before that is a stall."""
        return allowed_stall_s(self.interval_s)


def allowed_stall_s(interval_s: float | None) -> float:
    """How long a stream whose usual interval between frames is ``interval_s`` (None: not
    known yet) may send no frame before that is a stall."""
    interval = interval_s or 0.0
    return min(STREAM_STALL_CEILING_S, max(STREAM_STALL_FLOOR_S, STREAM_STALL_INTERVALS * interval))
