"""Snapshots: the current frame at its own resolution with the overlay the user sees."""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import QObject, QRectF, QThreadPool, pyqtSignal
from PyQt6.QtGui import QImage, QPainter

from .messages import InferenceResult
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


def snapshot_path(path: Path) -> Path:
    """``path`` with a .png suffix, its folder created."""
    path = Path(path)
    if path.suffix.lower() != ".png":
        path = path.with_suffix(".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def save_snapshot(result: InferenceResult, path: Path, show_bars: bool) -> Path:
    """Write the annotated frame as PNG now; raises OSError naming the path on failure."""
    path = snapshot_path(path)
    if not render_annotated(result, show_bars).save(str(path), "PNG"):
        raise OSError(f"could not write snapshot {path}")
    return path


class SnapshotSaver(QObject):
    """Saves snapshots on a pool thread: PNG-encoding a 1080p frame takes ~100 ms, too
    long for the GUI thread. Painting stays on the GUI thread (cheap, and fonts are safest
    there); only the encoding and the write move."""

    saved = pyqtSignal(object)  # Path
    failed = pyqtSignal(str)

    def save(self, result: InferenceResult, path: Path, show_bars: bool) -> None:
        try:
            target = snapshot_path(path)
        except OSError as exc:
            self.failed.emit(f"could not write snapshot {path}: {exc}")
            return
        image = render_annotated(result, show_bars)

        def encode() -> None:
            # Emitted from the pool thread; the connections deliver it on the GUI thread.
            if image.save(str(target), "PNG"):
                self.saved.emit(target)
            else:
                self.failed.emit(f"could not write snapshot {target}")

        QThreadPool.globalInstance().start(encode)
