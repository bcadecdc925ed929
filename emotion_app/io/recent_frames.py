"""Seeking in a reader that decodes forward only: a GIF through FFmpeg, an animated WebP
through libwebp (each frame drawn over those before it, with no index to seek by).

A seek forward reads on from where the reader is; a seek back among the last frames read
gives them again; only a seek further back starts the reader again from its first frame.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

import numpy as np

# The last frames read are kept up to this many bytes, for a seek back among them (a step
# back, or a few seconds back) without decoding the file again from its first frame.
RECENT_FRAMES_BYTES = 128 << 20

Frame = tuple[np.ndarray, float | None]  # a frame and its time in seconds (None: unknown)


class RecentFrames:
    """The last frames a forward-only reader decoded (up to :data:`RECENT_FRAMES_BYTES`, for
    frames of ``frame_bytes`` each) and where the reader is: :attr:`position`, the frame it
    decodes next."""

    def __init__(self, frame_bytes: int) -> None:
        self._kept: deque[tuple[int, np.ndarray, float | None]] = deque(
            maxlen=max(1, RECENT_FRAMES_BYTES // max(1, frame_bytes))
        )
        self.position = 0

    def keep(self, frame: np.ndarray, time_s: float | None) -> None:
        """Frame :attr:`position` just decoded, kept as it is (the caller hands out copies);
        the reader is one frame on."""
        if self._kept and self._kept[-1][0] != self.position - 1:  # not the next after them
            self._kept.clear()
        self._kept.append((self.position, frame, time_s))
        self.position += 1

    def get(self, index: int) -> Frame | None:
        """Frame ``index`` and its time where it is kept, else None."""
        if not self._kept or not self._kept[0][0] <= index <= self._kept[-1][0]:
            return None
        _, frame, time_s = self._kept[index - self._kept[0][0]]
        return frame, time_s

    def reaches(self, index: int) -> bool:
        """Whether frame ``index`` and all after it up to the reader's are kept: a seek to it
        gives them again, and the reader reads on after them where it is."""
        return bool(self._kept) and self._kept[0][0] <= index <= self._kept[-1][0] == self.position - 1

    def ahead(self, index: int) -> int | None:
        """The frames to pass over from where the reader is to reach frame ``index``; None
        where it is behind the reader, or no nearer than from the first frame (the reader
        starts again: :meth:`restarted`)."""
        ahead = index - self.position
        return ahead if 0 <= ahead < index else None

    def restarted(self, position: int = 0) -> None:
        """The reader was started again and is at ``position``: the frames kept let go of."""
        self._kept.clear()
        self.position = position

    def clear(self) -> None:
        self._kept.clear()

    def pass_over(self, frames: int, grab: Callable[[], bool], read: Callable[[], Frame | None]) -> bool:
        """Pass over the reader's next ``frames`` frames: ``grab`` those that would not be
        kept, ``read`` (and keep) the last of them, for a step back after the seek; False
        where the file ends (or fails) before."""
        kept_from = frames - (self._kept.maxlen or 0)
        for passed in range(frames):
            if passed < kept_from:
                if not grab():
                    return False
                self.position += 1
                continue
            item = read()
            if item is None:
                return False
            self.keep(*item)
        return True
