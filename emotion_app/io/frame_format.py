"""Frames as the rest of the app takes them: contiguous 8-bit BGR, whatever a decoder gave."""

from __future__ import annotations

import cv2
import numpy as np


def normalise_frame(frame: np.ndarray) -> np.ndarray:
    """Any frame OpenCV returns (gray, BGRA, 16-bit) as contiguous BGR uint8."""
    if frame.dtype != np.uint8:
        frame = cv2.convertScaleAbs(frame, alpha=255.0 / max(1.0, float(frame.max(initial=0))))
    if frame.ndim == 2:
        frame = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    elif frame.ndim == 3 and frame.shape[2] == 4:
        frame = cv2.cvtColor(frame, cv2.COLOR_BGRA2BGR)
    elif frame.ndim == 3 and frame.shape[2] == 1:
        frame = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    return np.ascontiguousarray(frame)
