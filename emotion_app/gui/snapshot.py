"""Snapshots: the frame on screen at its own resolution, with the overlay sized by the
frame alone, as recordings and ``analyze --output`` have it (drawn by the core renderer).
A small window shows the text larger to keep it readable; the saved picture, seen at its
own size, needs no such help."""

from __future__ import annotations

from pathlib import Path

import cv2
from PyQt6.QtCore import QObject, QThreadPool, pyqtSignal

from emotion_app.io.atomic import OutputError, check_target, write_bytes

from .annotation import saved_or_shown
from .messages import InferenceResult


def snapshot_file(path: Path) -> Path:
    """Where a snapshot asked for at ``path`` goes: ``path`` with a .png suffix."""
    path = Path(path)
    return path if path.suffix.lower() == ".png" else path.with_suffix(".png")


def snapshot_path(path: Path) -> Path:
    """:func:`snapshot_file` of ``path``, its folder created."""
    path = snapshot_file(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def save_snapshot(result: InferenceResult, path: Path) -> Path:
    """Write the annotated frame as PNG now; raises OSError naming the path on failure."""
    path = snapshot_path(path)
    _write_png(result, path)
    return path


def _write_png(result: InferenceResult, path: Path) -> bool:
    """Write the PNG; False where its own overlay raised and the picture on screen was saved."""
    picture, own_overlay = saved_or_shown(result)
    ok, encoded = cv2.imencode(".png", picture)
    if not ok:
        raise OSError(f"could not encode snapshot {path}")
    # Through Python's file API rather than cv2.imwrite: non-ASCII paths work everywhere.
    # Via a temporary file: an existing file is only ever replaced by a complete one.
    try:
        check_target(path, "snapshot")
        write_bytes(path, encoded.tobytes())
    except OutputError as exc:
        raise OSError(f"could not write snapshot: {exc}") from exc
    return own_overlay


class SnapshotSaver(QObject):
    """Saves snapshots on a pool thread: PNG-encoding a 1080p frame takes ~100 ms, too
    long for the GUI thread."""

    saved = pyqtSignal(object)  # Path
    # Path: saved as shown on screen, its overlay's text sized for the window, because the
    # overlay at the frame's own size could not be drawn (emitted instead of ``saved``).
    saved_as_shown = pyqtSignal(object)
    failed = pyqtSignal(str)

    def save(self, result: InferenceResult, path: Path) -> None:
        try:
            target = snapshot_path(path)
        except OSError as exc:
            self.failed.emit(f"could not write snapshot {path}: {exc}")
            return

        def encode() -> None:
            # Emitted from the pool thread; the connections deliver it on the GUI thread.
            try:
                own_overlay = _write_png(result, target)
            except OSError as exc:
                self.failed.emit(str(exc))
                return
            (self.saved if own_overlay else self.saved_as_shown).emit(target)

        pool = QThreadPool.globalInstance()
        assert pool is not None  # Qt's global pool exists for the life of the application
        pool.start(encode)
