"""An animated GIF's frame delays, as FFmpeg's GIF reader (OpenCV's, for a GIF read as a
video) times its frames.

FFmpeg gives each frame its start (the delays of the frames before it); how long the
last one is shown only its own delay says, which OpenCV does not give. Read here from the
file's Graphic Control Extensions, without decoding a picture, with FFmpeg's rules: a
frame with none keeps the delay before it (the first, 1/10 s), and a delay of 0 is 1/10 s.
"""

from __future__ import annotations

import bisect
import mmap
import os
from collections.abc import Sequence

GIF_STARTS = (b"GIF87a", b"GIF89a")
# FFmpeg's delay (hundredths of a second) for a frame that gives none, or 0.
DEFAULT_DELAY_CS = 10
# A frame's start as FFmpeg gives it (whole hundredths, in floating-point milliseconds) is
# taken for the end of the frame before it this near.
_SAME_TIME_S = 0.0005
_EXTENSION, _IMAGE = 0x21, 0x2C
_GRAPHIC_CONTROL = 0xF9


class GifFrameEnds:
    """When each frame of an animated GIF gives way to the next, in seconds from its start."""

    def __init__(self, ends_s: Sequence[float]) -> None:
        self.ends_s = tuple(ends_s)

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> GifFrameEnds | None:
        """The ends of the frames of the GIF ``path``; None where it is no GIF or cannot be
        read. A damaged file has those of its frames before the damage."""
        try:
            with open(path, "rb") as handle:
                if handle.read(6) not in GIF_STARTS:
                    return None
                with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                    delays_cs = _frame_delays_cs(data)
        except (OSError, ValueError):  # gone, unreadable, or empty (mmap refuses 0 bytes)
            return None
        ends_s: list[float] = []
        total_cs = 0
        for delay_cs in delays_cs:
            total_cs += delay_cs
            ends_s.append(total_cs / 100.0)
        return cls(ends_s)

    def end_s(self, time_s: float) -> float | None:
        """When the frame shown from ``time_s`` (its start, as FFmpeg gives it) gives way to
        the next; None past the last frame's end."""
        index = bisect.bisect_right(self.ends_s, time_s + _SAME_TIME_S)
        return self.ends_s[index] if index < len(self.ends_s) else None


def _frame_delays_cs(data: mmap.mmap) -> list[int]:
    """Each frame's delay (hundredths of a second) in the GIF ``data``, as FFmpeg takes it."""
    size = len(data)
    if size < 13:
        return []
    at = 13 + _colour_table_bytes(data[10])  # header, screen descriptor, global colours
    delays: list[int] = []
    delay = DEFAULT_DELAY_CS
    while at < size:
        kind = data[at]
        if kind == _EXTENSION and at + 1 < size:
            if data[at + 1] == _GRAPHIC_CONTROL and at + 6 <= size and data[at + 2] >= 4:
                stored = data[at + 4] | data[at + 5] << 8
                delay = stored or DEFAULT_DELAY_CS
            at = _after_sub_blocks(data, at + 2)
        elif kind == _IMAGE and at + 10 <= size:
            at = _after_sub_blocks(data, at + 10 + _colour_table_bytes(data[at + 9]) + 1)  # + LZW code size
            if at > size:
                break  # cut short: FFmpeg does not give it
            delays.append(delay)
        else:  # the trailer, or damage: FFmpeg reads no frame past it
            break
    return delays


def _colour_table_bytes(flags: int) -> int:
    """The bytes of the colour table a descriptor's ``flags`` announce (0 for none)."""
    return 3 << ((flags & 0x07) + 1) if flags & 0x80 else 0


def _after_sub_blocks(data: mmap.mmap, at: int) -> int:
    """Where the run of data sub-blocks starting at ``at`` ends (past its empty block);
    past the end of ``data`` where it is cut short."""
    size = len(data)
    while at < size:
        length = data[at]
        at += 1 + length
        if length == 0:
            return at
    return size + 1
