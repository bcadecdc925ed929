"""Faces tilted in the picture plane (a head leaning to one side): upright views for the cascades.

OpenCV's frontal-face cascades were trained on upright faces and stop firing at a tilt
of about 15 degrees, while people lean their heads further than that all the time. A
tilted face is therefore looked at in a view of its surroundings rotated by its tilt,
where it stands upright: :class:`RolledView` makes that view and maps what is found in
it back to the frame.

``roll`` is a face's tilt in degrees, positive counter-clockwise as the frame is
shown (the top of the head leaning to the left). A found face keeps a frame box: the
axis-aligned square of its side around its centre, so drawing, overlaps and ids work
as for an upright face; the tilt travels beside it.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from .geometry import Box, padded_part


class RolledView:
    """The part of a frame around ``centre``, turned by ``-roll`` (so a face tilted by
    ``roll`` stands upright) and scaled by ``scale``, in an image of ``size`` (w, h).

    Pixels the frame does not have are filled by edge replication, as the face check
    frames faces at the frame's edge.
    """

    def __init__(
        self, gray: np.ndarray, centre: tuple[float, float], roll: float, scale: float, size: tuple[int, int]
    ) -> None:
        width, height = max(1, int(size[0])), max(1, int(size[1]))
        # getRotationMatrix2D turns counter-clockwise for positive angles (as shown), and
        # the view must undo the face's tilt: hence -roll.
        matrix = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), -float(roll), float(scale))
        matrix[0, 2] += width / 2.0 - centre[0]
        matrix[1, 2] += height / 2.0 - centre[1]
        self.image = cv2.warpAffine(
            gray, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
        self.scale = float(scale)
        self._to_frame = cv2.invertAffineTransform(matrix)

    def frame_box(self, box: Box) -> Box:
        """The frame box (see the module notes) of a ``box`` found in the view."""
        x, y, w, h = box
        cx, cy = x + w / 2.0, y + h / 2.0
        fx, fy = self._to_frame @ np.array([cx, cy, 1.0])
        fw, fh = w / self.scale, h / self.scale
        return (int(round(fx - fw / 2.0)), int(round(fy - fh / 2.0)), int(round(fw)), int(round(fh)))


def upright_crop(gray: np.ndarray, box: Box, roll: float, half: float, size: int) -> np.ndarray:
    """A ``size`` square crop, upright, of the face in frame ``box`` tilted by ``roll``:
    the square of half-side ``half`` frame pixels around the box's centre, turned upright.

    The frame's part is first shrunk by area averaging (as upright crops are), then turned:
    a rotation's bilinear sampling alone would alias a large face.
    """
    x, y, w, h = box
    cx, cy = x + w / 2.0, y + h / 2.0
    radians = math.radians(roll)
    # The square the turned crop's corners reach, so none of it is cut off.
    spread = abs(math.cos(radians)) + abs(math.sin(radians))
    outer_half = half * spread
    x0, y0 = int(math.floor(cx - outer_half)), int(math.floor(cy - outer_half))
    x1, y1 = int(math.ceil(cx + outer_half)), int(math.ceil(cy + outer_half))
    part = padded_part(gray, x0, y0, x1, y1, box)
    factor = min(1.0, size / (2.0 * half))
    if factor < 1.0:
        shrunk = (max(1, int(round(part.shape[1] * factor))), max(1, int(round(part.shape[0] * factor))))
        part = cv2.resize(part, shrunk, interpolation=cv2.INTER_AREA)
    factor_x, factor_y = part.shape[1] / (x1 - x0), part.shape[0] / (y1 - y0)
    centre = ((cx - x0) * factor_x, (cy - y0) * factor_y)
    # What is left of the scale after shrinking: size pixels across 2 * half frame pixels.
    remaining = size / (2.0 * half * factor_x)
    return RolledView(part, centre, roll, remaining, (size, size)).image
