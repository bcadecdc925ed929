"""Finding the boxes of an MP4 as OpenCV's writer makes it (one video track), for the
test helpers that rewrite them: :mod:`tests.variable_rate_video`, :mod:`tests.turned_video`."""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence


def boxes(data: bytes | bytearray, start: int, end: int) -> Iterator[tuple[int, int, bytes]]:
    """The boxes between ``start`` and ``end``: offset, size and type of each."""
    while start + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, start)
        yield start, size, kind
        start += size


def box_path(data: bytes | bytearray, path: Sequence[bytes]) -> list[tuple[int, int]]:
    """Offset and size of each box along ``path`` (``moov``, ``trak``, ...), the first of
    its type inside the one before; StopIteration where one is missing."""
    found: list[tuple[int, int]] = []
    start, end = 0, len(data)
    for name in path:
        offset, size = next((o, s) for o, s, kind in boxes(data, start, end) if kind == name)
        found.append((offset, size))
        start, end = offset + 8, offset + size
    return found


def version_0_box(data: bytes | bytearray, name: bytes) -> int:
    """Offset of the full box ``name``'s version byte (it must be version 0)."""
    at = bytes(data).find(name) + 4
    if at < 4 or data[at] != 0:
        raise ValueError(f"no version-0 {name.decode()} box")
    return at
