"""Start/mirror variants of a clip, for figures that a single run leaves to chance.

On a clip with cuts, busy scenes or leaning faces, one run's figures swing with any
change to the tracker (a face found a frame sooner changes every later search); the sum
over a few runs that start at other frames, as the clip is and mirrored, much less.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

# Each clip from these frames on, as it is and mirrored.
VARIANT_STARTS = (0, 8, 16, 24)


def variants() -> Iterator[tuple[int, bool]]:
    """(first frame, mirrored) of each variant, the plain run (0, False) first."""
    for start in VARIANT_STARTS:
        for mirror in (False, True):
            yield start, mirror


def mirrored(frame: np.ndarray) -> np.ndarray:
    """``frame`` flipped left to right (contiguous, as OpenCV wants it)."""
    return np.ascontiguousarray(frame[:, ::-1])
