"""Test-made videos as phones record them held upright: landscape frames in the file, and
in its track header (``tkhd``) the turn a player gives them to show them upright.

OpenCV's FFmpeg reader turns the frames so by default (``CAP_PROP_ORIENTATION_AUTO``).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from emotion_app.samples import write_video
from tests.mp4_boxes import box_path

# How each frame is stored for a player to show it upright after turning it this many
# degrees clockwise.
STORED_AS = {90: cv2.ROTATE_90_COUNTERCLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_CLOCKWISE}
_ONE = 0x10000  # 1.0 in the matrix's 16.16 fixed point (its last column is 2.30)


def write_turned_mp4(path: Path, upright: Sequence[np.ndarray], degrees: int, fps: float = 10.0) -> Path:
    """Write ``upright`` to the MP4 ``path`` as a phone would: each frame stored turned,
    with the matrix that turns it back ``degrees`` (90, 180 or 270) clockwise."""
    stored = [cv2.rotate(frame, STORED_AS[degrees]) for frame in upright]
    write_video(path, stored, fps=fps)
    height, width = stored[0].shape[:2]
    path.write_bytes(turned_mp4(path.read_bytes(), degrees, (width, height)))
    return path


def turned_mp4(data: bytes, degrees: int, stored_size: tuple[int, int]) -> bytes:
    """The MP4 ``data`` (one video track, as OpenCV writes it) with the display matrix of
    a ``degrees`` clockwise turn of its ``stored_size`` (width, height) frames, its
    translation as phones write it (FFmpeg reads only the turn)."""
    width, height = (side * _ONE for side in stored_size)
    rows = {
        90: (0, _ONE, 0, -_ONE, 0, 0, height, 0),
        180: (-_ONE, 0, 0, 0, -_ONE, 0, width, height),
        270: (0, -_ONE, 0, _ONE, 0, 0, 0, width),
    }[degrees]
    tkhd, _size = box_path(data, (b"moov", b"trak", b"tkhd"))[-1]
    version = data[tkhd + 8]
    # After the box's header, version and flags: its times, track id and duration (32
    # bytes in version 1, 20 in version 0), then reserved, layer, group, volume (16 bytes).
    matrix = tkhd + 12 + (32 if version == 1 else 20) + 16
    out = bytearray(data)
    struct.pack_into(">9i", out, matrix, *rows, 1 << 30)
    return bytes(out)
