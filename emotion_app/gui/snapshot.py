"""Snapshots: the frame on screen at its own resolution, with the overlay sized by the
frame alone, as recordings and ``analyze --output`` have it (drawn by the core renderer).
A small window shows the text larger to keep it readable; the saved picture, seen at its
own size, needs no such help."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import cv2
from PyQt6.QtCore import QObject, pyqtSignal

from emotion_app.io.atomic import OutputError, check_outputs, check_target, files_played_from, write_bytes
from emotion_app.io.output_folder import output_folder_problem, unique_output_path

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
    """Saves snapshots on a thread of their own: PNG-encoding a 1080p frame takes ~100 ms,
    too long for the GUI thread, and on a network share whose server has gone each file
    system call blocks for minutes. Daemon threads: one stuck on such a share never keeps
    the process from exiting (Qt waits for its pool's threads at exit, for ever)."""

    saved = pyqtSignal(object)  # Path
    # Path: saved as shown on screen, its overlay's text sized for the window, because the
    # overlay at the frame's own size could not be drawn (emitted instead of ``saved``).
    saved_as_shown = pyqtSignal(object)
    failed = pyqtSignal(str)
    # (folder: Path, why: str): the output folder of :meth:`save_into` cannot be saved into.
    folder_refused = pyqtSignal(object, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._writers: list[threading.Thread] = []

    def save(self, result: InferenceResult, path: Path, playing: Path | None = None) -> None:
        """Save to ``path`` (:func:`snapshot_file`, its folder made); returns at once. A
        path that is the file ``playing`` (or one of the folder's), after links, or cannot
        be written, is refused (``failed``); checked on the writing thread too."""

        def write() -> None:
            try:
                protected = files_played_from(playing) if playing is not None else []
                check_outputs([("snapshot", snapshot_file(path))], protected)
            except OutputError as exc:
                self._emit("failed", f"Snapshot refused: {exc}")
                return
            try:
                target = snapshot_path(path)
            except OSError as exc:
                self._emit("failed", f"could not write snapshot {path}: {exc}")
                return
            self._write(result, target)

        self._start(write)

    def save_into(self, result: InferenceResult, folder: Path, when: datetime) -> None:
        """Save under a new name (taken at ``when``) in the output folder ``folder``, made
        if missing; returns at once. The folder's checks and the name's choice are made on
        the writing thread too."""

        def write() -> None:
            problem = output_folder_problem(folder)
            if problem:
                self._emit("folder_refused", folder, problem)
                return
            try:
                target = unique_output_path(folder, "snapshot", ".png", when)
            except OSError as exc:  # a name too long for the file system, say: asking of it raises
                self._emit("failed", f"could not write snapshot in {folder}: {exc.strerror or exc}")
                return
            self._write(result, target)

        self._start(write)

    def wait_for_writes(self, timeout_s: float) -> bool:
        """Wait up to ``timeout_s`` for the snapshots being written; True if all are done."""
        deadline = time.monotonic() + timeout_s
        for writer in list(self._writers):
            writer.join(max(0.0, deadline - time.monotonic()))
        self._writers = [writer for writer in self._writers if writer.is_alive()]
        return not self._writers

    def _start(self, write: Callable[[], None]) -> None:
        self._writers = [writer for writer in self._writers if writer.is_alive()]
        writer = threading.Thread(target=write, name="snapshot", daemon=True)
        try:
            writer.start()
        except RuntimeError:  # no thread to be had
            self.failed.emit("could not write snapshot: no thread could be started for it")
            return
        self._writers.append(writer)

    def _write(self, result: InferenceResult, target: Path) -> None:
        try:
            own_overlay = _write_png(result, target)
        except OSError as exc:
            self._emit("failed", str(exc))
            return
        self._emit("saved" if own_overlay else "saved_as_shown", target)

    def _emit(self, signal: str, *args: object) -> None:
        # Emitted on the writing thread; the connections deliver it on the GUI thread.
        try:
            getattr(self, signal).emit(*args)
        except RuntimeError:  # this object went with its window while the snapshot waited
            pass
