"""Where a renderer drew a text: the strokes of a label compared with those of the text it
should end with, drawn apart (a name must not turn the app's own text around it)."""

from __future__ import annotations

import cv2
import numpy as np

# How dark a pixel is (0-255 over the background) to count as a stroke.
STROKE = 32


def inked(ink: np.ndarray) -> np.ndarray:
    """``ink`` (how dark each pixel is over the background) cut to the box of its strokes."""
    rows, columns = np.nonzero(ink > STROKE)
    return ink[rows.min() : rows.max() + 1, columns.min() : columns.max() + 1]


def ending_match(ink: np.ndarray, ending: np.ndarray) -> float:
    """How alike the strokes drawn rightmost in ``ink`` are to ``ending`` (1: the same), both
    blurred a little: the same text drawn apart is placed to other fractions of a pixel."""
    drawn = cv2.GaussianBlur(ink.astype(np.float32), (3, 3), 0)
    score = cv2.matchTemplate(drawn, cv2.GaussianBlur(ending.astype(np.float32), (3, 3), 0), cv2.TM_CCOEFF_NORMED)
    right = int(np.nonzero(ink.max(axis=0) > STROKE)[0][-1])
    at = right - ending.shape[1] + 1  # its last stroke on the last one drawn
    return float(score[:, max(0, at - 1) : at + 2].max())
