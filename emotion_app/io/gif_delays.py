"""An animated GIF's frame delays, as FFmpeg's GIF reader (OpenCV's, for a GIF read as a
video) times its frames.

FFmpeg gives each frame its start (the delays of the frames before it); how long the
last one is shown only its own delay says, which OpenCV does not give. Read here from the
file's Graphic Control Extensions, without decoding a picture, with FFmpeg's rules: a
frame with none keeps the delay before it (the first, 1/10 s), and a delay of 0 is 1/10 s.
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Sequence
from typing import BinaryIO

GIF_STARTS = (b"GIF87a", b"GIF89a")
# FFmpeg's delay (hundredths of a second) for a frame that gives none, or 0.
DEFAULT_DELAY_CS = 10
# The file is read this much at a time: not mapped, since a file cut shorter while a map of
# it is read ends the process (SIGBUS), as one rewritten in place at its path is.
_CHUNK_BYTES = 1 << 20
# The most data sub-blocks walked (a byte at a time, in Python) before the delays are given
# up and the frames timed as without them (by the next one's start; the last one, a frame
# interval): a GIF of 100 MB split into one-byte sub-blocks took seconds to walk, on the
# capture thread, which Stop waits for. Room for 250 MB of an encoder's 255-byte ones.
MAX_SUB_BLOCKS = 1_000_000
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
        """The ends of the frames of the GIF ``path``; None where it is no GIF, cannot be
        read, or is more than :data:`MAX_SUB_BLOCKS` data sub-blocks. A damaged file has
        those of its frames before the damage."""
        try:
            with open(path, "rb") as handle:
                if handle.read(6) not in GIF_STARTS:
                    return None
                delays_cs = _frame_delays_cs(_FileBytes(handle))
        except (OSError, _TooLongToWalk):  # gone, unreadable, or too long to walk
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


class _TooLongToWalk(Exception):
    """The file holds more than :data:`MAX_SUB_BLOCKS` data sub-blocks."""


class _FileBytes:
    """A file's bytes by their offset, read a chunk at a time (None past its end, where
    the file ends, as it is now); ``sub_blocks_left``: how many more data sub-blocks may be
    walked in it."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self.chunk = b""
        self.chunk_start = 0
        self.sub_blocks_left = MAX_SUB_BLOCKS

    def at(self, offset: int) -> int | None:
        """The byte at ``offset``; None past the file's end."""
        if not self.holds(offset):
            self.load(offset)
        index = offset - self.chunk_start
        return self.chunk[index] if index < len(self.chunk) else None

    def holds(self, offset: int) -> bool:
        """Whether the chunk read last holds ``offset``."""
        return 0 <= offset - self.chunk_start < len(self.chunk)

    def load(self, offset: int) -> None:
        """Read the chunk from ``offset`` (empty past the file's end)."""
        self._handle.seek(offset)
        self.chunk, self.chunk_start = self._handle.read(_CHUNK_BYTES), offset


def _frame_delays_cs(data: _FileBytes) -> list[int]:
    """Each frame's delay (hundredths of a second) in the GIF ``data``, as FFmpeg takes it."""
    flags = data.at(10)
    if flags is None or data.at(12) is None:
        return []
    at = 13 + _colour_table_bytes(flags)  # header, screen descriptor, global colours
    delays: list[int] = []
    delay = DEFAULT_DELAY_CS
    while (kind := data.at(at)) is not None:
        label = data.at(at + 1)
        if kind == _EXTENSION and label is not None:
            if label == _GRAPHIC_CONTROL and (block_size := data.at(at + 2)) is not None and block_size >= 4:
                low, high = data.at(at + 4), data.at(at + 5)
                if low is not None and high is not None:
                    delay = (low | high << 8) or DEFAULT_DELAY_CS
            at = _after_sub_blocks(data, at + 2)
        elif kind == _IMAGE and (image_flags := data.at(at + 9)) is not None:
            # Counted once its descriptor is there: FFmpeg gives a frame cut short (what of
            # it decodes), and an end listed for a frame it does not give is never asked for.
            delays.append(delay)
            at = _after_sub_blocks(data, at + 10 + _colour_table_bytes(image_flags) + 1)  # + LZW code size
        else:  # the trailer, damage or the file's end: FFmpeg reads no frame past it
            break
    return delays


def _colour_table_bytes(flags: int) -> int:
    """The bytes of the colour table a descriptor's ``flags`` announce (0 for none)."""
    return 3 << ((flags & 0x07) + 1) if flags & 0x80 else 0


def _after_sub_blocks(data: _FileBytes, at: int) -> int:
    """Where the run of data sub-blocks starting at ``at`` ends (past its empty block);
    past the file's end where it is cut short. Raises :class:`_TooLongToWalk` past
    ``data``'s sub-blocks left."""
    while True:
        if not data.holds(at):
            data.load(at)
            if not data.chunk:
                return at + 1  # past the end: no byte is there
        chunk, start = data.chunk, data.chunk_start
        index, left = at - start, data.sub_blocks_left
        # Walked in the chunk itself: a GIF is hundreds of thousands of sub-blocks.
        while index < len(chunk):
            if left == 0:
                raise _TooLongToWalk
            left -= 1
            length = chunk[index]
            index += 1 + length
            if length == 0:
                data.sub_blocks_left = left
                return start + index
        data.sub_blocks_left = left
        at = start + index
