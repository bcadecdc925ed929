"""Picture files that hold several pictures: animated WebP, PNG (APNG) and GIF, and
multi-page TIFF.

OpenCV's ``imdecode`` gives their first frame or page only. An animation is a short
video: its frames are read at the times its own frame durations give. A TIFF's pages are
pictures of their own (scans, a stack of photos), read one by one like a folder's.
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from pathlib import Path

import cv2
import numpy as np

from .codecs import native_stderr_silenced, quiet_opencv_log
from .frame_format import AS_STORED, normalise_frame, samples_as_bgr
from .opencv_names import opencv_readable

log = logging.getLogger(__name__)

# The memory an animation's decoded frames may take at once: a long one is decoded a stretch
# at a time.
MAX_STRETCH_BYTES = 256 << 20
# A frame duration this short or shorter is shown for DEFAULT_FRAME_MS, as web browsers do
# (GIFs written with no delay would otherwise have every frame at the same time).
MIN_FRAME_MS = 10
DEFAULT_FRAME_MS = 100

_TIFF_STARTS = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")


def picture_count(path: Path) -> tuple[int, str]:
    """How many pictures the file ``path`` holds and what they are called: ("page" for a
    TIFF, else "frame"); 1 for a plain picture, 0 where OpenCV cannot tell."""
    try:
        with path.open("rb") as handle:
            unit = "page" if handle.read(4) in _TIFF_STARTS else "frame"
        # Counting reads the picture's header: libjpeg and libpng print their own lines on
        # one that is damaged ("Corrupt JPEG data: ..."), past OpenCV's log.
        with quiet_opencv_log(), native_stderr_silenced(), opencv_readable(path) as name:
            return int(cv2.imcount(name)), unit
    except (cv2.error, OSError):
        return 0, "frame"


class AnimatedPicture:
    """The frames of an animated picture file, with their times in seconds.

    Raises OSError where the file cannot be read, ValueError where OpenCV cannot decode
    its animation.
    """

    def __init__(self, path: Path, count: int) -> None:
        self.path = path
        self.count = count
        # The whole file is held (it was read whole as a picture already): each stretch of
        # frames is decoded from it.
        self._data = np.fromfile(str(path), dtype=np.uint8).reshape(1, -1)
        # Where each frame decoded so far ends, in milliseconds from the start.
        self._ends_ms: list[float] = []
        # The last stretch decoded, from frame _held_start on. OpenCV decodes any stretch
        # from the first frame on, so a stretch is decoded once and kept: an animation that
        # fits in one is decoded once for every play and seek.
        self._held: list[np.ndarray] = []
        self._held_start = 0
        first = self._decode(0, 1)
        if not first:
            raise ValueError(f"{path}: OpenCV cannot read its animation")
        self.width, self.height = first[0].shape[1], first[0].shape[0]
        # A stretch takes twice its frames' bytes while it is decoded: OpenCV's frames and
        # the copies of them that Python is handed.
        self._stretch = max(1, MAX_STRETCH_BYTES // (2 * max(1, first[0].nbytes)))
        self._hold(0)  # the first stretch's times give the frame rate at once

    @property
    def fps(self) -> float | None:
        """The mean frame rate over the frames decoded so far (None before any)."""
        return len(self._ends_ms) * 1000.0 / self._ends_ms[-1] if self._ends_ms else None

    def end_s(self, index: int) -> float | None:
        """When frame ``index`` gives way to the next, in seconds (None before it is decoded)."""
        return self._ends_ms[index] / 1000.0 if 0 <= index < len(self._ends_ms) else None

    def frames(self, start: int = 0) -> Generator[tuple[int, float, np.ndarray]]:
        """(index, time in seconds, BGR frame) from frame ``start`` to the end."""
        while len(self._ends_ms) < start:  # the times of the frames passed over
            if not self._hold(len(self._ends_ms)):
                return
        index = start
        while index < self.count:
            if not self._held_start <= index < self._held_start + len(self._held):
                # Behind the stretch held (a step back): a stretch around the frame, so each
                # further step back does not decode the file again from its start.
                behind = index < self._held_start
                self._hold(max(0, index - self._stretch // 2) if behind else index)
                if not self._held_start <= index < self._held_start + len(self._held):
                    break
            begins = self._ends_ms[index - 1] if index else 0.0
            yield index, begins / 1000.0, normalise_frame(self._held[index - self._held_start])
            index += 1
        if index < self.count:
            log.warning("%s: %d of the %d frames it announces could be decoded (damaged)", self.path, index, self.count)

    def _hold(self, start: int) -> bool:
        """Decode and keep the stretch from frame ``start``; whether it holds any frame."""
        self._held = []  # freed before the next is decoded
        self._held, self._held_start = self._decode(start, self._stretch), start
        return bool(self._held)

    def _decode(self, start: int, count: int) -> list[np.ndarray]:
        """Frames ``start``.. (at most ``count``); their ends noted."""
        # A damaged file is told in the reader's own words: neither OpenCV's log nor
        # libpng's own lines past it ("libpng error: bad adaptive filter value").
        with quiet_opencv_log(), native_stderr_silenced():
            _, animation = cv2.imdecodeanimation(self._data, start, count)
        # A frame that does not decode (a damaged or cut file) fails the whole call, but the
        # frames before it are decoded and given all the same: they are kept.
        frames = list(animation.frames)
        for offset, duration in enumerate(animation.durations[: len(frames)]):
            if start + offset == len(self._ends_ms):
                length = float(duration) if duration > MIN_FRAME_MS else float(DEFAULT_FRAME_MS)
                self._ends_ms.append((self._ends_ms[-1] if self._ends_ms else 0.0) + length)
        return frames


class PagedPicture:
    """The pages of a multi-page TIFF, decoded one at a time (OSError where the file
    cannot be read)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._data = np.fromfile(str(path), dtype=np.uint8)

    def page(self, index: int) -> np.ndarray | None:
        """Page ``index`` (BGR), or None where it does not decode."""
        with quiet_opencv_log():
            try:
                ok, pages = cv2.imdecodemulti(self._data, cv2.IMREAD_COLOR, range=(index, index + 1))
                if ok and pages:
                    return pages[0]
                # Colour decoding takes 8- and 16-bit samples only (see read_image).
                ok, pages = cv2.imdecodemulti(self._data, AS_STORED, range=(index, index + 1))
            except cv2.error:
                return None
        return samples_as_bgr(pages[0]) if ok and pages else None
