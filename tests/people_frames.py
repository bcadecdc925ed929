"""Frames of two people side by side, for tests that follow them through a change of view."""

from __future__ import annotations

import cv2
import numpy as np
from skimage import data

from emotion_app.samples import astronaut_face_patch, paste, photo_frame


def two_people(count: int, backdrop_blur: int = 0) -> list[np.ndarray]:
    """The astronaut on the left, another person (scikit-image's LFW sample) on the right,
    over scikit-image's coffee photo (``backdrop_blur``: blurred with a box this wide)."""
    rng = np.random.default_rng(5)
    patch, _ = astronaut_face_patch(90)
    other = cv2.cvtColor(
        cv2.resize((data.lfw_subset()[1] * 255).astype(np.uint8), (96, 96), interpolation=cv2.INTER_CUBIC),
        cv2.COLOR_GRAY2BGR,
    )
    base = photo_frame(data.coffee(), (480, 360))
    if backdrop_blur:
        base = cv2.blur(base, (backdrop_blur, backdrop_blur))
    frames = []
    for index in range(count):
        frame = base.copy()
        paste(frame, patch, 20 + index % 3, 60)
        paste(frame, other, 330, 90 + index % 2)
        frames.append(np.clip(frame.astype(np.int16) + rng.integers(-2, 3, frame.shape), 0, 255).astype(np.uint8))
    return frames


def ids_left_to_right(faces: list) -> list[int]:  # type: ignore[type-arg]
    """The ids of tracks or face results, in order of their boxes from left to right."""
    return [face.track_id for face in sorted(faces, key=lambda face: face.box[0])]
