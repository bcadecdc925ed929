"""Feeding a live tracker (scans on its own thread) as a fast machine would: each frame
once the scan in flight has ended, so a test's frame counts are the tracker's own,
whatever the speed or load of the machine the test runs on."""

from __future__ import annotations

import numpy as np

from emotion_app.faces.tracker import FaceTracker, Track


def update_once_scanned(live: FaceTracker, gray: np.ndarray) -> list[Track]:
    """``live.update(gray)`` once the background scan in flight (if any) has ended."""
    assert live.wait_for_background_scan()
    return live.update(gray)


def updates_until_shown(live: FaceTracker, gray: np.ndarray, limit: int) -> tuple[list[Track], int]:
    """Feed ``gray`` (see :func:`update_once_scanned`) until a face is shown or ``limit``
    frames went by: (the tracks the last frame showed, how many frames were fed)."""
    shown: list[Track] = []
    frames = 0
    while not shown and frames < limit:
        shown = update_once_scanned(live, gray)
        frames += 1
    return shown, frames
