"""Frames as the rest of the app takes them: contiguous 8-bit BGR, whatever a decoder gave."""

from __future__ import annotations

import cv2
import numpy as np

from ..preprocessing import to_uint8

# Decoding flags for samples as they are stored (any depth, gray or colour) that still turn
# a photo upright by its EXIF orientation, which IMREAD_UNCHANGED would not.
AS_STORED = cv2.IMREAD_ANYDEPTH | cv2.IMREAD_ANYCOLOR


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


def decode_samples_as_they_are(data: np.ndarray) -> np.ndarray | None:
    """A picture that OpenCV's colour decoding refuses for its samples (a TIFF of 32-bit
    floats, from an HDR or scientific camera), decoded as stored and made BGR uint8 by the
    API's rules for frames (floats in 0..1 or 0..255, values beyond clipped; NaN and
    infinities black); None where it still does not decode or its samples have no such
    reading."""
    try:
        samples = cv2.imdecode(data, AS_STORED)
    except cv2.error:
        return None
    return samples_as_bgr(samples)


def samples_as_bgr(samples: np.ndarray | None) -> np.ndarray | None:
    """:func:`decode_samples_as_they_are`'s conversion of a decoded array (None: None)."""
    if samples is None or samples.size == 0 or samples.ndim not in (2, 3):
        return None
    if np.issubdtype(samples.dtype, np.floating):
        samples = np.nan_to_num(samples, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
    try:
        return normalise_frame(to_uint8(samples))
    except ValueError:
        return None
