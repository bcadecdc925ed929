"""Test-made slide shows: a folder of stills, as the app and ``analyze`` open one (Qt-free,
for the command-line tests and the GUI tests alike)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import cv2
import numpy as np


def write_slide_show(folder: Path, pictures: Iterable[np.ndarray]) -> list[Path]:
    """Make ``folder`` and write ``pictures`` into it as ``shot1.png``, ``shot2.png``, ...:
    a slide show of them in the order given. The stills' paths, in that order."""
    folder.mkdir()
    stills = []
    for number, picture in enumerate(pictures, start=1):
        still = folder / f"shot{number}.png"
        # A still that failed to write would leave a shorter show, and a test of the wrong one.
        assert cv2.imwrite(str(still), picture), f"could not write {still}"
        stills.append(still)
    return stills


def write_one_frame_files(folder: Path, picture: np.ndarray) -> dict[str, Path]:
    """Files of one frame of ``picture`` in ``folder``, each a picture to its user, by what
    they are: a video of one frame (MP4 and MJPEG AVI), a PNG and a JPEG named .mp4 (FFmpeg
    reads the first, the app's raw MJPEG reader the second) and a still GIF."""
    height, width = picture.shape[:2]
    files = {}
    for name, fourcc in (("one_frame.mp4", "mp4v"), ("one_frame.avi", "MJPG")):
        path = folder / name
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*fourcc), 15.0, (width, height))
        writer.write(picture)
        writer.release()
        files[name] = path
    for name, suffix in (("png_named.mp4", ".png"), ("jpeg_named.mp4", ".jpg"), ("still.gif", ".gif")):
        ok, encoded = cv2.imencode(suffix, picture)
        assert ok, f"could not encode {suffix}"
        files[name] = folder / name
        files[name].write_bytes(encoded.tobytes())
    for path in files.values():
        assert path.stat().st_size > 0, f"could not write {path}"
    return files
