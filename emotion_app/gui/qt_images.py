"""numpy pictures as Qt images, for the small ones the GUI thread paints itself (a
screen's still, a person's portrait); the video frames take their own zero-copy path
(``video_view.result_image``)."""

from __future__ import annotations

import cv2
import numpy as np
from PyQt6.QtGui import QImage


def bgr_image(pixels: np.ndarray) -> QImage:
    """A copy of a BGR picture as a QImage (it keeps no reference to ``pixels``)."""
    bgra = np.ascontiguousarray(cv2.cvtColor(pixels, cv2.COLOR_BGR2BGRA))
    height, width = bgra.shape[:2]
    # PyQt6 takes any buffer here; its stubs list only bytes.
    image = QImage(bgra.data, width, height, int(bgra.strides[0]), QImage.Format.Format_RGB32)  # type: ignore[call-overload]
    return image.copy()
