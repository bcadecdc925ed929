"""Shared by the issue-13 tests: filling a disk, files' fingerprints (the small_disk
fixture, a real small file system, is in conftest.py), a video with a damaged frame, raw
MJPEG files, the hidden files an output leaves, and a writer killed between its renames."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from emotion_app.io.temporary_names import is_unfinished

SmallDisk = Callable[[int], Path]


def fill(folder: Path, leave_bytes: int) -> Path:
    """Fill ``folder``'s file system until about ``leave_bytes`` are free."""
    filler = folder / "filler.bin"
    free = shutil.disk_usage(folder).free
    with open(filler, "wb") as handle:
        handle.write(b"\0" * max(0, free - leave_bytes))
    return filler


def fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_error_line(err: str) -> str:
    """``err`` (a command's standard error) is one line, an "error: ..." (returned)."""
    assert err.startswith("error: ") and err.count("\n") == 1, err
    return err


def leftovers(folder: Path) -> list[str]:
    """Temporary output files left in ``folder`` (there must be none)."""
    return sorted(p.name for p in folder.iterdir() if is_unfinished(p))


def hidden_files(*folders: Path) -> list[str]:
    """The hidden files (an output's records, lists and temporary files) in ``folders``, sorted."""
    return sorted(path.name for folder in folders for path in folder.iterdir() if path.name.startswith("."))


# Python code that makes the process it runs in die (SIGKILL) right after the first output
# is put in place: a kill between the renames. The code run after it follows.
KILLED_AFTER_THE_FIRST_RENAME = """
import os, signal
from emotion_app.io import atomic

_commit = atomic.AtomicOutput.commit

def commit_then_die(self, *args, **kwargs):
    _commit(self, *args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)

atomic.AtomicOutput.commit = commit_then_die
"""


def numbered_frames(count: int) -> list[np.ndarray]:
    """Noisy frames (so each JPEG is kilobytes) with a bright bar where frame i puts it."""
    rng = np.random.default_rng(7)
    frames = []
    for index in range(count):
        frame = rng.integers(0, 60, (120, 160, 3), dtype=np.uint8)
        frame[:, 3 * index : 3 * index + 6] = 250
        frames.append(frame)
    return frames


def bar_number(frame: np.ndarray) -> int:
    """The number :func:`numbered_frames` gave ``frame``: where its bright bar starts."""
    bright = frame.mean(axis=(0, 2)) > 150
    return int(np.argmax(bright)) // 3


def damage_mjpeg_frame(path: Path, frame: int, out: Path) -> None:
    """The start of one MJPG frame's JPEG (its markers and tables) zeroed: it no longer decodes."""
    data = bytearray(path.read_bytes())
    starts = [match.start() for match in re.finditer(b"\xff\xd8\xff", data)]
    data[starts[frame] : starts[frame] + 600] = bytes(600)
    out.write_bytes(bytes(data))


def write_raw_mjpeg(path: Path, frames: list[np.ndarray]) -> Path:
    """A raw Motion JPEG file: the frames' JPEGs one after another, no container."""
    path.write_bytes(b"".join(cv2.imencode(".jpg", frame)[1].tobytes() for frame in frames))
    return path


def numbered(count: int) -> list[np.ndarray]:
    """Frames whose gray level is their number (times 4): one JPEG each keeps it."""
    return [np.full((120, 160, 3), 4 * index, np.uint8) for index in range(count)]


def number_of(frame: np.ndarray) -> int:
    return int(round(float(frame.mean()) / 4))
