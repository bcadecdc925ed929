"""The gallery clip's geometry: where the group photo's two tiles put it in each frame.

``make_gallery_clip`` draws the clip with it; ``gallery_faces`` and ``cnn_face_detector``
find the photo's faces (:func:`photo_faces`) in each frame with it.
"""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

from emotion_app.faces.face_check import FaceCheck
from emotion_app.faces.geometry import Box
from emotion_app.preprocessing import to_gray
from scripts.support.detectors import detector_or_refuse, with_cascades_or_refuse
from scripts.support.errors import refuse

TILE = (320, 240)  # width, height of each of the four tiles
FPS = 24.0

# Tile name -> (scale, shift within the tile, the tile's origin in the frame).
Placement = tuple[float, tuple[float, float], tuple[int, int]]


def group_placements(index: int, frames: int) -> dict[str, Placement]:
    """Where the group photo goes in frame ``index`` of ``frames``."""
    t = index / max(1, frames - 1)
    # Faces of the photo are 101-130 px: 0.31-0.35 gives 31-45 px, 0.24 gives 24-31 px.
    zoom = 0.31 + 0.04 * math.sin(math.pi * t)
    return {
        "top left": (zoom, (-10 - 20 * t, 5 - 10 * math.sin(2 * math.pi * t)), (0, 0)),
        "bottom left": (0.24, (30 + 15 * math.sin(2 * math.pi * t), 30), (0, TILE[1])),
    }


def group_tile(photo: np.ndarray, scale: float, shift: tuple[float, float]) -> np.ndarray:
    """The photo scaled by ``scale``, moved by ``shift`` (pixels), on a tile (black beyond)."""
    matrix = np.array([[scale, 0.0, shift[0]], [0.0, scale, shift[1]]], dtype=np.float32)
    return cv2.warpAffine(photo, matrix, TILE, flags=cv2.INTER_AREA, borderMode=cv2.BORDER_CONSTANT)


def placed(box: Box, placement: Placement) -> Box:
    """A box of the photo where ``placement`` puts it in the frame."""
    scale, shift, origin = placement
    x, y, w, h = box
    return (
        int(round(origin[0] + x * scale + shift[0])),
        int(round(origin[1] + y * scale + shift[1])),
        int(round(w * scale)),
        int(round(h * scale)),
    )


def photo_faces(photo_path: Path) -> list[tuple[Box, tuple[int, int]]]:
    """The group photo's faces, left to right: (box, face check evidence) each."""
    image = cv2.imread(str(photo_path))
    if image is None:
        refuse(f"cannot read {photo_path}")
    gray = to_gray(image)
    check = with_cascades_or_refuse(FaceCheck)
    found = detector_or_refuse().detect_gray(gray, min_neighbors=3)
    return sorted(((box, check.evidence(gray, box)) for box in found if check(gray, box)), key=lambda f: f[0][0])
