"""Test-made videos with a variable frame rate, as phones record them.

OpenCV writes MP4 at a constant rate; :func:`retime_mp4` then rewrites the container's
sample durations (its ``stts`` box, and the durations that must agree with them), so
the frames are decoded with the timestamps given. FFmpeg, which OpenCV's writer uses,
puts the ``moov`` box after the media data, so its boxes can grow without moving any
sample.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from emotion_app.io.codecs import native_stderr_silenced
from emotion_app.samples import write_video
from tests.mp4_boxes import box_path, version_0_box


def write_variable_rate_mp4(
    path: Path, frames: Sequence[np.ndarray], durations_s: Sequence[float], mjpeg: bool = False
) -> Path:
    """Write ``frames`` to the MP4 ``path``, frame i lasting ``durations_s[i]`` seconds;
    ``mjpeg``: as Motion JPEG (each frame a JPEG of its own, which a test can damage alone)."""
    if len(frames) != len(durations_s):
        raise ValueError("one duration per frame")
    if mjpeg:
        write_mjpeg_mp4(path, frames)
    else:
        write_video(path, frames, fps=30.0)
    data = path.read_bytes()
    media_scale = struct.unpack_from(">I", data, version_0_box(data, b"mdhd") + 12)[0]
    path.write_bytes(retime_mp4(data, [max(1, round(d * media_scale)) for d in durations_s]))
    return path


def write_mjpeg_mp4(path: Path, frames: Sequence[np.ndarray]) -> None:
    """``frames`` as Motion JPEG in the MP4 ``path``, at 30 fps."""
    height, width = frames[0].shape[:2]
    with native_stderr_silenced():  # OpenCV's line that the MP4 takes MJPG under another tag
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 30.0, (width, height))
    if not writer.isOpened():
        raise RuntimeError(f"cv2.VideoWriter could not write Motion JPEG to {path}")
    for frame in frames:
        writer.write(frame)
    writer.release()


def retime_mp4(data: bytes, durations: Sequence[int]) -> bytes:
    """The MP4 ``data`` (one video track, as OpenCV writes it) with its samples lasting
    ``durations`` (units of the media's time scale)."""
    parents = box_path(data, (b"moov", b"trak", b"mdia", b"minf", b"stbl", b"stts"))
    stts, stts_size = parents.pop()
    body = struct.pack(">II", 0, len(durations)) + b"".join(struct.pack(">II", 1, d) for d in durations)
    box = struct.pack(">I4s", 8 + len(body), b"stts") + body
    growth = len(box) - stts_size
    out = bytearray(data[:stts] + box + data[stts + stts_size :])
    for offset, size in parents:
        struct.pack_into(">I", out, offset, size + growth)
    # The durations that must agree: the media's (its time scale), the movie's, the
    # track's and its edit's (the movie's time scale).
    total = sum(durations)
    mvhd, mdhd = version_0_box(out, b"mvhd"), version_0_box(out, b"mdhd")
    movie_total = total * struct.unpack_from(">I", out, mvhd + 12)[0] // struct.unpack_from(">I", out, mdhd + 12)[0]
    struct.pack_into(">I", out, mdhd + 16, total)
    struct.pack_into(">I", out, mvhd + 16, movie_total)
    struct.pack_into(">I", out, version_0_box(out, b"tkhd") + 20, movie_total)
    edit = bytes(out).find(b"elst")
    if edit > 0:
        struct.pack_into(">I", out, edit + 12, movie_total)
    return bytes(out)
