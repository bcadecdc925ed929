"""Raw MJPEG files (JPEGs one after another, no container) read through an index of where
each JPEG starts.

Every file is real and written by the test.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import cv2
import numpy as np
import pytest

from emotion_app.io import raw_mjpeg
from emotion_app.io.raw_mjpeg import JpegIndex
from emotion_app.io.video import open_input
from hostile_support import number_of, numbered, numbered_frames, write_raw_mjpeg


def jpegs_of(frames: list[np.ndarray], quality: int = 90) -> list[bytes]:
    return [cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])[1].tobytes() for frame in frames]


def decoded(jpeg: bytes) -> np.ndarray:
    """The frame a JPEG holds, decoded on its own."""
    return cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)


def starts_of(jpegs: list[bytes]) -> list[int]:
    """Where each JPEG starts in their concatenation, and where it ends."""
    return list(itertools.accumulate((len(jpeg) for jpeg in jpegs), initial=0))


@pytest.mark.parametrize("chunk", [1 << 20, 64, 5], ids=["whole", "64-byte reads", "5-byte reads"])
def test_the_index_finds_each_jpeg_and_counts_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    # Reads of a few bytes put JPEG starts across the ends of reads, as a long file's do.
    monkeypatch.setattr(raw_mjpeg, "_CHUNK", chunk)
    monkeypatch.setattr(raw_mjpeg, "_LOOKAHEAD", min(chunk, raw_mjpeg._LOOKAHEAD))
    frames = numbered_frames(30)
    jpegs = [jpeg for index, frame in enumerate(frames) for jpeg in jpegs_of([frame], quality=40 + 2 * index)]
    clip = tmp_path / "numbered.mjpeg"
    clip.write_bytes(b"".join(jpegs))
    starts = starts_of(jpegs)
    with JpegIndex(clip) as index:
        assert index.count is None, "nothing scanned yet"
        assert index.span(29) == (starts[29], starts[30]), "scanned on as far as asked"
        assert index.span(30) is None
        assert index.count == 30
        assert [index.span(frame) for frame in range(30)] == list(itertools.pairwise(starts))


def test_a_thumbnail_inside_a_jpeg_is_no_frame_of_its_own(tmp_path: Path) -> None:
    # A camera's JPEG may carry a smaller JPEG in a segment of its own (an Exif thumbnail):
    # its start marker is not a frame's, as a scan for start markers alone would take it.
    frames = numbered_frames(3)
    jpegs = jpegs_of(frames)
    thumbnail = jpegs_of([cv2.resize(frames[0], (40, 30))])[0]
    segment = b"\xff\xfe" + (len(thumbnail) + 2).to_bytes(2, "big") + thumbnail  # a comment segment holding it
    jpegs[1] = jpegs[1][:2] + segment + jpegs[1][2:]
    clip = tmp_path / "thumbnail.mjpeg"
    clip.write_bytes(b"".join(jpegs))
    with JpegIndex(clip) as index:
        assert index.scan() == 3
        assert [index.span(frame) for frame in range(3)] == list(itertools.pairwise(starts_of(jpegs)))
    read = [frame for _, _, frame in open_input(clip).frames()]
    assert [frame.shape for frame in read] == [(120, 160, 3)] * 3
    assert np.array_equal(read[1], decoded(jpegs[1]))


def test_analyze_counts_a_raw_mjpegs_frames_as_the_app_does(tmp_path: Path) -> None:
    # Was: no frame count (FFmpeg does not give one for a raw MJPEG), so no progress total.
    clip = write_raw_mjpeg(tmp_path / "numbered.mjpeg", numbered(50))
    media = open_input(clip)
    assert media.frame_count == 50
    assert [(index, time_s, number_of(frame)) for index, time_s, frame in media.frames()] == [
        (index, pytest.approx(index / 25.0), index) for index in range(50)
    ]
