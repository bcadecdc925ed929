"""Writing a variable-rate video's frames at one constant rate, keeping their times.

A video file has one frame rate; a phone's recording does not (it slows down in dim light,
an edited clip mixes 30 and 24 frames a second). Written one frame per frame, such a clip
drifts out of time, so its frames are placed as FFmpeg's constant-rate output places
them: each output frame shows the input frame current at its time, an input frame being
repeated over a gap and dropped where a faster stretch puts two in one output frame.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

# The steps between frames that give the output rate: those near the shortest tenth of
# them (a clip's fastest steady stretch, so that it keeps all its frames; a phone's steps
# jitter by a few milliseconds), and of those the ones near their median (timestamps
# rounded to the container's time base: 33 and 34 ms for 29.97 fps), averaged.
FAST_STEPS_QUANTILE = 0.1
STRETCH_TOLERANCE = 0.2
STEP_TOLERANCE = 0.05
# A rate this close to the container's is the container's (a constant-rate clip whose
# times are rounded): it is written at the rate it reports, one frame per frame.
SAME_RATE = 0.005
# The most a rate from the timestamps may exceed the container's, against a burst of
# glitch steps (a few milliseconds at a cut) making a video of many copies.
MAX_RATE_OVER_CONTAINER = 3.0
# The most a rate from the timestamps may be at all (a phone's fastest ordinary recording
# rate; a slow-motion clip says its rate in its container): with no container rate, or one
# that is no bound, a burst of glitch steps made a video of any rate.
MAX_RATE = 120.0
# A container's rate under this, from a clip whose first frames step faster, is an average
# over a gap in its timestamps (a jump, a long pause), not a bound on its rate.
LEAST_BOUNDING_RATE = 1.0
#: The longest a frame is held in the output for the gap to the next one's time: a longer
#: gap (a corrupt jump of an hour repeated one frame for the hour, a huge file; a jump
#: back dropped every frame after it) is written as one frame interval and told. No
#: ordinary clip holds one picture this long; a frame repeated 10 s is at most 1200 frames.
MAX_HOLD_S = 10.0
# The jumps listed for the summary (which names the first): a clip's timestamps broken at
# every frame would otherwise keep one entry a frame; all are counted.
MAX_JUMPS_KEPT = 100


def output_rate(times_s: Sequence[float | None], fps: float | None) -> float | None:
    """The constant rate to write frames with the times ``times_s`` (a video's first ones)
    at: the container's ``fps`` where the times step by it, else the rate of the steady
    stretch with the shortest steps, never under ``fps``. ``fps`` itself where the times
    tell nothing."""
    known = [time_s for time_s in times_s if time_s is not None]
    steps = sorted(later - earlier for earlier, later in zip(known, known[1:], strict=False) if later > earlier)
    if len(steps) < 2:
        return fps
    fast = steps[int(len(steps) * FAST_STEPS_QUANTILE)]
    stretch = [step for step in steps if abs(step - fast) <= fast * STRETCH_TOLERANCE]
    middle = stretch[len(stretch) // 2]
    usual = [step for step in stretch if abs(step - middle) <= middle * STEP_TOLERANCE]
    rate = len(usual) / sum(usual)
    if fps is None:
        return min(rate, MAX_RATE)
    if abs(rate / fps - 1.0) <= SAME_RATE:
        return fps
    # The container's rate is the average over the whole clip: a first stretch slower than
    # it means a faster one later, whose frames a slower rate would drop.
    bound = min(fps * MAX_RATE_OVER_CONTAINER, MAX_RATE) if fps >= LEAST_BOUNDING_RATE else MAX_RATE
    return min(max(rate, fps), max(bound, fps))


class FrameSlots:
    """Where frames with given times go in a video at ``fps``: each into the output frame
    nearest its time (counted from the first frame's), shown until the next one's.

    :meth:`place` says, for each new frame, how many output frames the frame before it
    fills (0: it is dropped, the new one having its output frame). A step between two
    frames' times longer than ``max_hold_s`` (either way) fills one output frame, and the
    times after it keep their steps from there; ``jumps`` lists the first
    :data:`MAX_JUMPS_KEPT` (the index of the frame after it, from 0, and the step in
    seconds), ``jump_count`` counts them all.
    """

    def __init__(self, fps: float, max_hold_s: float = MAX_HOLD_S) -> None:
        self.fps = fps
        self.max_hold_s = max_hold_s
        self.jumps: list[tuple[int, float]] = []
        self.jump_count = 0
        self._first_s: float | None = None
        self._last_s: float | None = None  # the time of the last frame placed with one
        self._slot = -1  # the output frame of the last frame placed
        self._placed = 0

    def place(self, time_s: float | None, index: int | None = None) -> int:
        """The output frames the frame before this one (at ``time_s``; None: unknown, the
        next output frame) fills; 0 for the first frame. ``index``: this frame's number in
        ``jumps`` (else its count from 0)."""
        self._placed += 1
        if self._slot < 0:
            self._first_s = time_s
            self._last_s = time_s if time_s is not None and math.isfinite(time_s) else None
            self._slot = 0
            return 0
        if time_s is None or self._first_s is None or not math.isfinite(time_s):
            slot = self._slot + 1
        else:
            if self._last_s is not None and abs(time_s - self._last_s) > self.max_hold_s:
                self.jump_count += 1
                if len(self.jumps) < MAX_JUMPS_KEPT:
                    self.jumps.append((self._placed - 1 if index is None else index, time_s - self._last_s))
                self._first_s = time_s - (self._slot + 1) / self.fps  # one interval on from here
            self._last_s = time_s
            slot = max(self._slot, round((time_s - self._first_s) * self.fps))
        filled, self._slot = slot - self._slot, slot
        return filled

    def end(self, time_s: float | None) -> int:
        """The output frames the frame placed last fills up to its own end at ``time_s``
        (None: unknown, one), as :meth:`place` counts the frame before a next one; an end
        over ``max_hold_s`` after it is no jump in the timestamps (no frame follows it):
        one output frame, in no ``jumps``."""
        if time_s is not None and self._last_s is not None and abs(time_s - self._last_s) > self.max_hold_s:
            time_s = None
        return self.place(time_s)
