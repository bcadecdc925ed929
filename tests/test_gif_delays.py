"""An animated GIF's frame ends read from its Graphic Control Extensions
(``emotion_app.io.gif_delays``) on damaged and changing files: each frame FFmpeg decodes
has its own end, and a file cut shorter while it is read ends no process."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from emotion_app.io.gif_delays import GifFrameEnds

DELAYS_MS = [100, 300, 500]


def write_gif(path: Path, delays_ms: list[int]) -> Path:
    pictures = [Image.fromarray(np.full((24, 32, 3), 40 + 60 * index, np.uint8)) for index in range(len(delays_ms))]
    pictures[0].save(path, save_all=True, append_images=pictures[1:], duration=delays_ms, loop=0)
    return path


def decoded_starts_s(path: Path) -> list[float]:
    """The start of each frame FFmpeg (through OpenCV) decodes, in seconds."""
    capture = cv2.VideoCapture(str(path))
    starts = []
    while capture.read()[0]:
        starts.append(capture.get(cv2.CAP_PROP_POS_MSEC) / 1000.0)
    capture.release()
    return starts


@pytest.mark.parametrize("cut_bytes", [1, 3, 20])
def test_a_gif_cut_in_its_last_frame_gives_that_frame_its_own_end(tmp_path: Path, cut_bytes: int) -> None:
    # FFmpeg gives a frame cut short (what of it decodes); its end was left out, the
    # player and analyze falling back to a guess for the frame the file says lasts 0.5 s.
    path = write_gif(tmp_path / "cut.gif", DELAYS_MS)
    path.write_bytes(path.read_bytes()[:-cut_bytes])
    starts = decoded_starts_s(path)
    assert len(starts) == len(DELAYS_MS)
    ends = GifFrameEnds.read(path)
    assert ends is not None
    assert [ends.end_s(start) for start in starts] == pytest.approx(
        [start + delay_ms / 1000 for start, delay_ms in zip(starts, DELAYS_MS, strict=True)]
    )


_READ_IN_A_CHILD = """
import sys
from emotion_app.io.gif_delays import GifFrameEnds
print("reading", flush=True)
ends = GifFrameEnds.read(sys.argv[1])
print("read", None if ends is None else len(ends.ends_s), flush=True)
"""


def test_a_gif_cut_shorter_while_it_is_read_ends_no_process(tmp_path: Path) -> None:
    # The file was mapped into memory: cut shorter while read (rewritten in place at its
    # path), the next byte read past its new end killed the process (SIGBUS), the app with
    # it. A comment of five million one-byte sub-blocks makes the read long enough to cut into.
    path = write_gif(tmp_path / "rewritten.gif", DELAYS_MS)
    data = path.read_bytes()
    comment = b"\x21\xfe" + b"\x01c" * 5_000_000 + b"\x00"
    path.write_bytes(data[:-1] + comment + data[-1:])
    child = subprocess.Popen([sys.executable, "-c", _READ_IN_A_CHILD, str(path)], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline() == "reading\n"
    time.sleep(0.1)  # into the read: cut while the comment is walked
    path.write_bytes(b"")
    out, _ = child.communicate(timeout=120)
    assert child.returncode == 0, child.returncode
    assert out.startswith("read ")
