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
