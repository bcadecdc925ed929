"""Box geometry shared by detection, tracking, cropping and drawing: one box type and its overlaps."""

from __future__ import annotations

import cv2
import numpy as np

Box = tuple[int, int, int, int]  # x, y, width, height in frame pixels

# Boxes overlapping more than this (IoU) are taken to be the same face.
DUPLICATE_IOU = 0.4


def mirrored(box: Box, width: int) -> Box:
    """``box`` in a frame ``width`` pixels wide, flipped left to right."""
    x, y, w, h = box
    return (width - x - w, y, w, h)


def scaled(box: Box, scale_x: float, scale_y: float) -> Box:
    """``box`` in a frame resized by these factors (a face's box stays square when they differ)."""
    x, y, w, h = box
    side = max(1, int(round(max(w, h) * (scale_x + scale_y) / 2)))
    cx, cy = (x + w / 2) * scale_x, (y + h / 2) * scale_y
    return (int(round(cx - side / 2)), int(round(cy - side / 2)), side, side)


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two (x, y, w, h) boxes."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    ix = max(0.0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0.0, min(ay + ah, by + bh) - max(ay, by))
    inter = ix * iy
    union = aw * ah + bw * bh - inter
    return float(inter / union) if union > 0 else 0.0


def overlap_area(a: Box, b: Box) -> int:
    """Pixels two boxes share (0 when they do not touch)."""
    dx = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    dy = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return dx * dy if dx > 0 and dy > 0 else 0


def mostly_inside(inner: Box, outer: Box, share: float) -> bool:
    """Whether at least ``share`` of ``inner``'s area lies inside ``outer``."""
    return overlap_area(inner, outer) >= share * inner[2] * inner[3]


def under_chin(box: Box, face: Box, above: float, below: float, aside: float) -> bool:
    """Whether ``box`` starts right under ``face``'s chin: its top within ``above`` face sides
    above ``face``'s bottom edge to ``below`` sides under it, its centre within ``aside``
    sides of ``face``'s left and right edges (where that person's neck, collar and hands are)."""
    side = max(face[2], face[3])
    bottom = face[1] + face[3]
    centre_x = box[0] + box[2] / 2.0
    return (
        bottom - above * side <= box[1] <= bottom + below * side
        and face[0] - aside * side <= centre_x <= face[0] + face[2] + aside * side
    )


def suppress_duplicates(boxes: list[Box], threshold: float = DUPLICATE_IOU) -> list[Box]:
    """Drop boxes overlapping an earlier, larger box by more than ``threshold`` IoU."""
    kept: list[Box] = []
    for box in sorted(boxes, key=lambda b: b[2] * b[3], reverse=True):
        if all(iou(box, other) <= threshold for other in kept):
            kept.append(box)
    return kept


def overlap_areas(rects: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Pixels each of ``rects`` (N x 4: x, y, w, h) shares with each of ``others`` (M x 4): N x M."""
    dx = np.minimum(rects[:, None, 0] + rects[:, None, 2], others[None, :, 0] + others[None, :, 2]) - np.maximum(
        rects[:, None, 0], others[None, :, 0]
    )
    dy = np.minimum(rects[:, None, 1] + rects[:, None, 3], others[None, :, 1] + others[None, :, 3]) - np.maximum(
        rects[:, None, 1], others[None, :, 1]
    )
    return np.where((dx > 0) & (dy > 0), dx * dy, 0)


def padded_part(gray: np.ndarray, x0: int, y0: int, x1: int, y1: int, box: Box) -> np.ndarray:
    """``gray``'s pixels x0..x1, y0..y1 (ends excluded), what lies beyond the frame's edge
    filled by edge replication (a face at the edge stays centred in its crop). ValueError
    naming the face ``box`` when none of it lies in the frame."""
    height, width = gray.shape[:2]
    part = gray[max(0, y0) : min(height, y1), max(0, x0) : min(width, x1)]
    if part.size == 0:
        raise ValueError(f"face box {box} lies outside the {width}x{height} frame")
    pad = (max(0, -y0), max(0, y1 - height), max(0, -x0), max(0, x1 - width))
    if any(pad):
        part = cv2.copyMakeBorder(part, *pad, cv2.BORDER_REPLICATE)
    return part


def centre_inside(box: Box, other: Box) -> bool:
    """Whether ``box``'s centre lies inside the box ``other``."""
    centre_x, centre_y = box[0] + box[2] / 2, box[1] + box[3] / 2
    return other[0] <= centre_x < other[0] + other[2] and other[1] <= centre_y < other[1] + other[3]


def centred_in(box: Box, shape: tuple[int, ...]) -> bool:
    """Whether ``box``'s centre lies inside a frame of ``shape`` (height, width, ...)."""
    x, y, w, h = box
    cx, cy = x + w / 2.0, y + h / 2.0
    return 0.0 <= cx < shape[1] and 0.0 <= cy < shape[0]
