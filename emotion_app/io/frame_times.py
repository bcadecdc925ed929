"""A video frame's time in its stream: the container's own timestamp, where it gives one.

Phone recordings and edited clips often have a variable frame rate, so their frames are
not 1/fps apart: the real clips that cut from a face to a cartoon mix stretches of 30 and
24 frames a second, and the frame index over the reported rate was up to a third of a
second off there. Steadiness, a lost face's memory, the timeline and the CSV's ``time_s``
all count the stream's seconds, so they take the time the container gives each frame
(OpenCV's ``CAP_PROP_POS_MSEC`` after a read).
"""

from __future__ import annotations

import math


class FrameTimes:
    """The times (seconds) of a video's frames read one after another.

    ``fps``: the container's frame rate (None or 0: unknown), for frames whose timestamp
    is missing: a frame a period after the one before.
    """

    def __init__(self, fps: float | None) -> None:
        self.period_s = 1.0 / fps if fps and math.isfinite(fps) and fps > 0 else None
        self.last_s: float | None = None

    def next(self, timestamp_ms: float | None) -> float | None:
        """The time of the frame just read, from its container timestamp in milliseconds.

        The timestamp counts when it moves forward (0 counts for the first frame only:
        some backends give 0 for every frame); otherwise the frame is a period after the
        one before, or at 0 if it is the first. None where neither is known (no
        timestamp and no frame rate).
        """
        given = timestamp_ms / 1000.0 if timestamp_ms is not None and math.isfinite(timestamp_ms) else None
        last = self.last_s
        if given is not None and given >= 0.0 and (last is None or given > last):
            time_s: float | None = given
        elif last is None:
            time_s = 0.0 if self.period_s is not None else None
        else:
            time_s = last + self.period_s if self.period_s is not None else None
        if time_s is not None:
            self.last_s = time_s
        return time_s

    def restart(self) -> None:
        """Read again from the first frame (a rewind, a seek): the next timestamp counts."""
        self.last_s = None
