"""A test-made video whose decoder gives a frame it held back after a read that failed,
as a real H.264 clip cut short does: its frames after that read are not one place further
on than the count of reads says.

OpenCV writes MPEG-2 with B-frames: its decoder holds each I or P frame back until the
B-frames shown before it are out. The MP4's ``moov`` box is put before its media data (as
a streamed MP4's is), so the file still opens once cut. A group of pictures' sequence
header is then damaged (a frame size of 0): its packet's decode fails, and a file cut in
that packet gives the frame held back when FFmpeg flushes the decoder at the cut.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from emotion_app.io.codecs import native_stderr_silenced
from tests.mp4_boxes import box_path, boxes

FPS = 10.0
SEQUENCE_HEADER = b"\x00\x00\x01\xb3"


def write_mpeg2_mp4(path: Path, frames: Sequence[np.ndarray]) -> Path:
    """``frames`` as MPEG-2 (B-frames) in the MP4 ``path``, its ``moov`` box first."""
    height, width = frames[0].shape[:2]
    with native_stderr_silenced():  # OpenCV's line that the MP4 takes MPEG-2 under another tag
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mpg2"), FPS, (width, height))
    if not writer.isOpened():
        raise RuntimeError(f"cv2.VideoWriter could not write MPEG-2 to {path}")
    for frame in frames:
        writer.write(frame)
    writer.release()
    path.write_bytes(moov_first(path.read_bytes()))
    return path


def moov_first(data: bytes) -> bytes:
    """The MP4 ``data`` (``moov`` after ``mdat``, as FFmpeg writes it) with its ``moov``
    box before ``mdat``: the chunk offsets (``stco``) moved on by its size."""
    top = {kind: (offset, size) for offset, size, kind in boxes(data, 0, len(data))}
    (mdat, _), (moov, moov_size) = top[b"mdat"], top[b"moov"]
    if moov < mdat:
        return data
    box = bytearray(data[moov : moov + moov_size])
    stco, _size = box_path(box, (b"moov", b"trak", b"mdia", b"minf", b"stbl", b"stco"))[-1]
    (count,) = struct.unpack_from(">I", box, stco + 12)
    for entry in range(stco + 16, stco + 16 + 4 * count, 4):
        struct.pack_into(">I", box, entry, struct.unpack_from(">I", box, entry)[0] + moov_size)
    return data[:mdat] + bytes(box) + data[mdat:moov] + data[moov + moov_size :]


def sequence_headers(data: bytes) -> list[int]:
    """Where each group of pictures' sequence header starts in the MP4's media data."""
    start = next(offset for offset, _size, kind in boxes(data, 0, len(data)) if kind == b"mdat")
    found = []
    while (start := data.find(SEQUENCE_HEADER, start + 1)) >= 0:
        found.append(start)
    return found


def damaged_at_group(path: Path, group: int, out: Path, cut: bool) -> Path:
    """``path`` (from :func:`write_mpeg2_mp4`) written to ``out`` with its group of pictures
    ``group``'s sequence header saying a frame size of 0 (its first packet does not decode,
    nor those after it up to the next group's); ``cut``: the file ends inside that packet."""
    data = bytearray(path.read_bytes())
    header = sequence_headers(bytes(data))[group]
    data[header + 4 : header + 7] = bytes(3)  # 12 bits of width, 12 of height
    out.write_bytes(bytes(data[: header + 64] if cut else data))
    return out


def reads(path: Path) -> list[tuple[bool, float]]:
    """Each read of ``path`` by OpenCV up to the file's announced length and 10 more: whether it
    gave a frame, and the capture's time after it (ms)."""
    capture = cv2.VideoCapture(str(path))
    try:
        count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        return [(capture.read()[0], capture.get(cv2.CAP_PROP_POS_MSEC)) for _ in range(count + 10)]
    finally:
        capture.release()
