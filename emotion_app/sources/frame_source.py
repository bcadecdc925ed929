"""What the capture worker reads frames from: the :class:`FrameSource` protocol, the errors
of an open, and how an open under way is told it is given up.

Light on purpose (no OpenCV, no numpy at run time): the GUI's exit (gui/quitting) imports
:data:`WAIT_SLICE_S` from here before the window's heavy imports. The sources themselves
are in ``opencv_source`` (what OpenCV opens), ``files``, ``camera``, ``network_camera`` and
``screen_capture``; ``opening.open_frame_source`` opens a spec as the right one. Tests may
hand the capture worker another source (one that stops delivering frames, as an unplugged
camera does) through a :data:`SourceFactory`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Protocol

from .specs import SourceSpec

if TYPE_CHECKING:
    import numpy as np

# The longest a wait of the app's exit on its main thread (out of reach of a signal
# handler: gui/quitting) may last at a time.
WAIT_SLICE_S = 0.1
# Rate assumed for a source that announces none (many webcams report 0): the usual webcam rate.
FALLBACK_FPS = 30.0


class SourceOpenError(Exception):
    """A source that cannot be opened; the message names it and says what to try."""


class OpenAbandoned(Exception):
    """An open given up because its ``cancelled`` said so (a stop, another source, the
    window's closing): nothing to tell the user, who has moved on."""


# What the opens under way on this thread ask whether they are given up (see
# :func:`opening_cancelled_when`); None: never.
open_cancelled: ContextVar[Callable[[], bool] | None] = ContextVar("open_cancelled", default=None)
# Who is told, on this thread, what an open under way waits for; None: nobody.
open_told: ContextVar[Callable[[str], None] | None] = ContextVar("open_told", default=None)


@contextmanager
def opening_cancelled_when(cancelled: Callable[[], bool], told: Callable[[str], None] | None = None) -> Iterator[None]:
    """Within it, a network camera's open gives up (:class:`OpenAbandoned`) within
    :data:`.network_camera._OPEN_POLL_S` once ``cancelled`` says so: the capture worker's
    way of handing its stop to the open, through any source factory that calls
    :func:`.opening.open_frame_source`.
    ``told``: called (on this thread) with what a long open waits for, in words, as it
    begins waiting (a slow camera's first frame)."""
    token = open_cancelled.set(cancelled)
    told_token = open_told.set(told)
    try:
        yield
    finally:
        open_told.reset(told_token)
        open_cancelled.reset(token)


class FrameSource(Protocol):
    """What the capture worker needs from a source of frames."""

    width: int
    height: int
    fps: float  # 0 when unknown
    # The time in the file of the frame read last (its container's timestamp: a
    # variable-rate file's frames are not 1/fps apart); None where unknown (cameras).
    last_time_s: float | None

    @property
    def frame_count(self) -> int:
        """The frames of a file; 0 when unknown (so far) or endless."""

    def read(self) -> np.ndarray | None:
        """The next BGR frame, or None when the read failed (end, error, unplugged)."""

    def rewind(self) -> bool:
        """Go back to the first frame (files only); False if impossible."""

    def seek(self, frame: int) -> bool:
        """Make ``frame`` (0-based) the next one read (files only); False if impossible."""

    def release(self) -> None:
        """Free the device or file; safe to call twice."""


SourceFactory = Callable[[SourceSpec], FrameSource]


def usable_fps(fps: float) -> float:
    """``fps`` as a file or camera reported it; 0 (unknown) where it is nonsense (NaN,
    1000 fps), as some containers report."""
    return fps if math.isfinite(fps) and 1.0 <= fps <= 240.0 else 0.0
