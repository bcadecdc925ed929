"""Snapshots: the current frame at its own resolution with the overlay the user sees."""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import QRectF
from PyQt6.QtGui import QImage, QPainter

from .frames import InferenceResult
from .overlay_painter import FrameMapping, paint_faces
from .video_view import result_image


def render_annotated(result: InferenceResult, show_bars: bool) -> QImage:
    """A new QImage of the frame with boxes, labels and (optionally) bars painted on."""
    image = result_image(result).copy()  # own the pixels: the painter writes to them
    painter = QPainter(image)
    try:
        bounds = QRectF(0, 0, image.width(), image.height())
        paint_faces(painter, result.faces, result.labels, FrameMapping(), bounds, show_bars)
    finally:
        painter.end()
    return image


def save_snapshot(result: InferenceResult, path: Path, show_bars: bool) -> Path:
    """Write the annotated frame as PNG; raises OSError with the path on failure."""
    path = Path(path)
    if path.suffix.lower() != ".png":
        path = path.with_suffix(".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    if not render_annotated(result, show_bars).save(str(path), "PNG"):
        raise OSError(f"could not write snapshot {path}")
    return path
