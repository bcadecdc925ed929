"""Following a tracked face between cascade confirmations by template matching.

A Haar local search around one face evaluates thousands of windows at several scales;
matching a small thumbnail of the face, taken when the cascade last found it, against
the area where the face should be now costs about a tenth as much (docs/measurements.md).
:class:`FaceTemplate` does that matching; the tracker decides when a match is good enough
to stand in for the cascade.

Normalised cross-correlation (``TM_CCOEFF_NORMED``) is used because it ignores the
brightness and contrast changes of a flickering light or a camera's auto exposure, and
because its score is comparable across faces: a face against itself a few frames later
mostly scores above 0.9 (even turning and zooming on the bench clips), while where the
face has gone, on a blank, noisy or textured background, the best score stays below 0.2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from .geometry import Box, mirrored

# Thumbnail side in pixels. Large enough that one thumbnail pixel is a few frame pixels
# for a typical face (sub-pixel peak fitting recovers most of the rest), small enough
# that matching stays far cheaper than the cascade.
THUMBNAIL_SIDE = 32
# A face thumbnail flatter than this (grey-level standard deviation) carries too little
# structure for a correlation score to mean anything.
MIN_TEMPLATE_CONTRAST = 4.0


@dataclass(frozen=True)
class FaceTemplate:
    """A face's thumbnail, taken from a frame where the cascade found it at ``box``."""

    thumbnail: np.ndarray  # uint8, the face box resized by (scale_x, scale_y)
    box: Box  # frame pixels
    scale_x: float  # thumbnail pixels per frame pixel
    scale_y: float

    @classmethod
    def capture(cls, gray: np.ndarray, box: Box) -> FaceTemplate | None:
        """The template of ``box`` in ``gray``; None if the box is not wholly inside or is flat."""
        height, width = gray.shape[:2]
        x, y, w, h = (int(v) for v in box)
        if w < 2 or h < 2 or x < 0 or y < 0 or x + w > width or y + h > height:
            return None
        factor = min(1.0, THUMBNAIL_SIDE / max(w, h))
        size = (max(2, int(round(w * factor))), max(2, int(round(h * factor))))
        # Area averaging, unlike the cascade's bilinear pyramid: here it also averages
        # away sensor noise, which would otherwise lower every correlation score.
        thumbnail = cv2.resize(gray[y : y + h, x : x + w], size, interpolation=cv2.INTER_AREA)
        if float(thumbnail.std()) < MIN_TEMPLATE_CONTRAST:
            return None
        return cls(thumbnail, (x, y, w, h), size[0] / w, size[1] / h)

    def mirrored(self, width: int) -> FaceTemplate:
        """This template in the frame flipped left to right (``width`` pixels wide)."""
        flipped = np.ascontiguousarray(self.thumbnail[:, ::-1])
        return FaceTemplate(flipped, mirrored(self.box, width), self.scale_x, self.scale_y)

    def locate(self, gray: np.ndarray, around: Box, margin: float) -> tuple[Box, float] | None:
        """Best match of the template within ``margin`` frame pixels of ``around``.

        Returns the matched box (the template's size, placed where the face is now, to
        a fraction of a frame pixel) and its correlation score in [-1, 1]; None if the
        search area, clipped to the frame, cannot hold the face.
        """
        height, width = gray.shape[:2]
        w, h = self.box[2], self.box[3]
        x0 = max(0, math.floor(around[0] - margin))
        y0 = max(0, math.floor(around[1] - margin))
        x1 = min(width, math.ceil(around[0] + w + margin))
        y1 = min(height, math.ceil(around[1] + h + margin))
        if x1 - x0 < w or y1 - y0 < h:
            return None
        th, tw = self.thumbnail.shape[:2]
        size = (max(tw, int(round((x1 - x0) * self.scale_x))), max(th, int(round((y1 - y0) * self.scale_y))))
        area = cv2.resize(gray[y0:y1, x0:x1], size, interpolation=cv2.INTER_AREA)
        # Rounding the area's size changes its factor slightly; map back with its own.
        scale_x, scale_y = size[0] / (x1 - x0), size[1] / (y1 - y0)
        scores = cv2.matchTemplate(area, self.thumbnail, cv2.TM_CCOEFF_NORMED)
        _, best, _, (bx, by) = cv2.minMaxLoc(scores)
        if not math.isfinite(best):
            return None
        fx = bx + peak_offset(scores[by, bx - 1 : bx + 2]) if 0 < bx < scores.shape[1] - 1 else float(bx)
        fy = by + peak_offset(scores[by - 1 : by + 2, bx]) if 0 < by < scores.shape[0] - 1 else float(by)
        box = (int(round(x0 + fx / scale_x)), int(round(y0 + fy / scale_y)), w, h)
        return box, float(best)

    def resemblance(self, gray: np.ndarray, box: Box, shift: float) -> float:
        """How much ``box`` in ``gray`` looks like this face, whatever its size: the best
        correlation of the thumbnail with ``box`` scaled to the thumbnail's size, moved by up
        to ``shift`` of its side each way; -1 where the box cannot be compared."""
        height, width = gray.shape[:2]
        x, y, w, h = (int(v) for v in box)
        if w < 2 or h < 2:
            return -1.0
        margin = shift * max(w, h)
        x0, y0 = max(0, int(np.floor(x - margin))), max(0, int(np.floor(y - margin)))
        x1, y1 = min(width, int(np.ceil(x + w + margin))), min(height, int(np.ceil(y + h + margin)))
        th, tw = self.thumbnail.shape[:2]
        size = (int(round((x1 - x0) * tw / w)), int(round((y1 - y0) * th / h)))
        if size[0] < tw or size[1] < th:
            return -1.0
        area = cv2.resize(gray[y0:y1, x0:x1], size, interpolation=cv2.INTER_AREA)
        best = float(cv2.matchTemplate(area, self.thumbnail, cv2.TM_CCOEFF_NORMED).max())
        return best if np.isfinite(best) else -1.0


def peak_offset(three: np.ndarray) -> float:
    """Sub-pixel offset of a maximum from its three scores (left, peak, right), by a parabola."""
    # Plain floats: NumPy's calls on three numbers cost more than the arithmetic, and this
    # runs for every face followed or reused in every frame.
    left, centre, right = three.tolist()
    curvature = left - 2.0 * centre + right
    if curvature >= 0.0:  # not a peak (flat or numerically odd): keep the pixel
        return 0.0
    # Clipped to half a pixel each way (a NaN stays NaN, as with np.clip).
    return min(max(0.5 * (left - right) / curvature, -0.5), 0.5)
