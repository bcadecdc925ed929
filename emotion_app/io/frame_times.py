"""A video frame's time in its stream: the container's own timestamp, where it gives one.

Phone recordings and edited clips often have a variable frame rate, so their frames are
not 1/fps apart: the real clips that cut from a face to a cartoon mix stretches of 30 and
24 frames a second, and the frame index over the reported rate was up to a third of a
second off there. Steadiness, a lost face's memory, the timeline and the CSV's ``time_s``
all count the stream's seconds, so they take the time the container gives each frame
(OpenCV's ``CAP_PROP_POS_MSEC`` after a read).

The times also place a frame read after reads that failed (:class:`UnplacedReads`): a
failed read is not always a frame lost. A decoder that holds frames to put them in
display order (B-frames) gives them after the read of a damaged packet failed, at their
own times: frames that the count of reads would number one too high.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# The most frames a decoder holds back to put them in display order (H.264's largest
# picture buffer): the frame a failed read lost shows as a gap in the times within as many
# frames after it, or not at all.
MAX_REORDER_FRAMES = 16


class FrameTimes:
    """The times (seconds) of a video's frames read one after another.

    ``fps``: the container's frame rate (None or 0: unknown), for frames whose timestamp
    is missing: a frame a period after the one before.
    """

    def __init__(self, fps: float | None) -> None:
        self.period_s = 1.0 / fps if fps and math.isfinite(fps) and fps > 0 else None
        self.last_s: float | None = None
        # The step to the frame timed last from the one before, where both had a timestamp
        # that counted (a time made up from the rate says nothing of frames between).
        self.given_step_s: float | None = None
        # The step to the frame before, where given: a stretch faster than the average rate
        # (a phone's 30 fps between its dim 10) is measured by its own frames' steps.
        self._step_before_s: float | None = None
        self._last_given = False

    def next(self, timestamp_ms: float | None) -> float | None:
        """The time of the frame just read, from its container timestamp in milliseconds.

        The timestamp counts when it moves forward (0 counts for the first frame only:
        some backends give 0 for every frame); otherwise the frame is a period after the
        one before, or at 0 if it is the first. None where neither is known (no
        timestamp and no frame rate).
        """
        given = timestamp_ms / 1000.0 if timestamp_ms is not None and math.isfinite(timestamp_ms) else None
        last = self.last_s
        counted = given is not None and given >= 0.0 and (last is None or given > last)
        self._step_before_s, self.given_step_s = self.given_step_s, None
        if counted and given is not None:
            time_s: float | None = given
            if last is not None and self._last_given:
                self.given_step_s = given - last
        elif last is None:
            time_s = 0.0 if self.period_s is not None else None
        else:
            time_s = last + self.period_s if self.period_s is not None else None
        self._last_given = counted
        if time_s is not None:
            self.last_s = time_s
        return time_s

    @property
    def step_periods(self) -> int | None:
        """Frame periods from the frame before to the frame timed last, by their
        timestamps (1: the next frame; 2: one frame between them); None where the
        timestamps or the rate do not tell. A period is the container's rate's, or the
        step to the frame before where that is shorter: in one average period a faster
        stretch moves two frames, one of them perhaps lost."""
        if self.given_step_s is None or self.period_s is None:
            return None
        before = self._step_before_s
        period_s = self.period_s if before is None else min(self.period_s, before)
        return round(self.given_step_s / period_s)

    def restart(self) -> None:
        """Read again from the first frame (a rewind, a seek): the next timestamp counts."""
        self.last_s = self.given_step_s = self._step_before_s = None
        self._last_given = False


@dataclass
class UnplacedReads:
    """A video's reads that failed, whose frames' places are not yet known: each read that
    failed is taken for a frame lost (its place kept) once the frames' times say so.

    The frame read next is placed after as many of them as its timestamp's step from the
    frame before leaves room for: none where it is the very next frame (a frame the decoder
    held, given after a damaged packet's read failed), all where the times do not tell. The
    rest wait for a gap in the times further on, for ``MAX_REORDER_FRAMES`` frames.
    """

    count: int = 0
    frames_since: int = 0  # frames read since the last failed read

    def failed(self, reads: int = 1) -> None:
        """A read failed (or ``reads`` of them, one after another)."""
        self.count += reads
        self.frames_since = 0

    def place(self, step_periods: int | None) -> int:
        """The frames lost before the frame just read, taken off the reads that wait;
        ``step_periods``: its step from the frame before (:attr:`FrameTimes.step_periods`)."""
        if not self.count:
            return 0
        lost = self.count if step_periods is None else min(self.count, max(0, step_periods - 1))
        self.count -= lost
        self.frames_since += 1
        if self.frames_since >= MAX_REORDER_FRAMES:
            self.count = 0  # no frame of theirs was lost, or none that the times show
        return lost

    def place_first(self, time_s: float | None, period_s: float | None, announced: int) -> int:
        """The frames lost before the first frame read from a stream's start (a damaged
        start: a file cut there, its first frames' data lost), the frame just read at
        ``time_s`` from the start, ``period_s`` a frame period (None: unknown), of the
        ``announced`` frames the container announces (0: unknown).

        One for each read that failed at least: no frame held by the decoder comes before
        them, as one can after a failed read further on. More where its time holds more
        frame periods (short of the announced frames): a decoder drops the frames that
        depend on a lost one without a read of their own failing (MPEG-2's after a damaged
        first picture). Not fewer: a variable-rate clip's first frames, faster than its
        average rate, are more than its time's periods at that rate. (A time of 0 with reads
        failed before it is a backend's that gives 0 for every frame.)
        """
        if not self.count:
            return 0
        lost = self.count
        if time_s is not None and period_s is not None and announced > 0:
            by_time = round(time_s / period_s)
            if by_time < announced:
                lost = max(lost, by_time)
        self.count = 0
        return lost

    def clear(self) -> None:
        """The reader was moved (a seek, a rewind): the reads that failed were elsewhere."""
        self.count = self.frames_since = 0
