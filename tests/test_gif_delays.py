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

from emotion_app.io.gif_delays import MAX_SUB_BLOCKS, GifFrameEnds

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


def with_comment(path: Path, sub_blocks: int) -> Path:
    """The GIF ``path`` with a comment of ``sub_blocks`` one-byte data sub-blocks before its
    trailer (the comment's empty block one more)."""
    data = path.read_bytes()
    path.write_bytes(data[:-1] + b"\x21\xfe" + b"\x01c" * sub_blocks + b"\x00" + data[-1:])
    return path


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
    # it. A comment of one-byte sub-blocks makes the read as long as MAX_SUB_BLOCKS lets
    # one be (it may end before the cut now: a file of more is given up).
    path = with_comment(write_gif(tmp_path / "rewritten.gif", DELAYS_MS), MAX_SUB_BLOCKS - 10)
    child = subprocess.Popen([sys.executable, "-c", _READ_IN_A_CHILD, str(path)], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline() == "reading\n"
    time.sleep(0.1)  # into the read: cut while the comment is walked
    path.write_bytes(b"")
    out, _ = child.communicate(timeout=120)
    assert child.returncode == 0, child.returncode
    assert out.startswith("read ")


def test_a_gif_of_too_many_sub_blocks_to_walk_is_timed_without_its_delays(tmp_path: Path) -> None:
    # A GIF of 100 MB in one-byte sub-blocks took seconds to walk on the capture thread
    # (Stop waited for it): past MAX_SUB_BLOCKS, the walk gives up, and its frames are
    # timed as before it (the next one's start; the last one, a frame interval).
    long = with_comment(write_gif(tmp_path / "long.gif", DELAYS_MS), MAX_SUB_BLOCKS)
    assert GifFrameEnds.read(long) is None
    assert len(decoded_starts_s(long)) == len(DELAYS_MS)  # FFmpeg plays it all the same
    # Within the bound (the frames' own sub-blocks too), the ends are read.
    within = with_comment(write_gif(tmp_path / "within.gif", DELAYS_MS), MAX_SUB_BLOCKS // 2)
    ends = GifFrameEnds.read(within)
    assert ends is not None and ends.ends_s == pytest.approx([0.1, 0.4, 0.9])
