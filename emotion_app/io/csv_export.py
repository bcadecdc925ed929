"""Per-face, per-frame CSV output, written incrementally (``analyze --csv`` and GUI recording).

Columns: frame, time_s, track_id, x, y, w, h, label, confidence, then one probability
column per class, named after the classifier's labels in output order.
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path
from types import TracebackType
from typing import IO, Iterable, Sequence

from ..results import FaceResult

FIXED_COLUMNS: tuple[str, ...] = ("frame", "time_s", "track_id", "x", "y", "w", "h", "label", "confidence")


def probability_columns(labels: Sequence[str]) -> tuple[str, ...]:
    """Column names for the class probabilities: the labels themselves, unless one
    collides with a fixed column, in which case all get a ``p_`` prefix."""
    if any(label in FIXED_COLUMNS for label in labels):
        return tuple(f"p_{label}" for label in labels)
    return tuple(labels)


class FaceCsvWriter:
    """Writes one row per face per frame; usable incrementally or as a context manager.

    >>> with FaceCsvWriter("out.csv", classifier.labels) as writer:   # doctest: +SKIP
    ...     writer.write_frame(0, 0.0, pipeline.process(frame))
    """

    def __init__(self, path: str | os.PathLike[str], labels: Sequence[str]) -> None:
        if not labels:
            raise ValueError("a CSV needs at least one class label")
        self.path = Path(path)
        self.labels: tuple[str, ...] = tuple(labels)
        self.columns: tuple[str, ...] = FIXED_COLUMNS + probability_columns(self.labels)
        self.rows_written = 0
        self.frames_written = 0
        try:
            if self.path.parent and not self.path.parent.exists():
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle: IO[str] | None = open(self.path, "w", newline="", encoding="utf-8")
        except OSError as exc:
            raise OSError(f"cannot write CSV {self.path}: {exc.strerror or exc}") from exc
        self._writer = csv.writer(self._handle)
        self._writer.writerow(self.columns)

    @property
    def closed(self) -> bool:
        return self._handle is None

    def write_frame(self, frame_index: int, time_s: float | None, faces: Iterable[FaceResult]) -> int:
        """Append one row per face of a frame; returns how many rows were written."""
        if self._handle is None:
            raise ValueError(f"CSV {self.path} is closed")
        time_text = "" if time_s is None or (isinstance(time_s, float) and math.isnan(time_s)) else f"{time_s:.4f}"
        rows = 0
        for face in faces:
            if len(face.probabilities) != len(self.labels):
                raise ValueError(
                    f"face has {len(face.probabilities)} probabilities but the CSV has {len(self.labels)} classes"
                )
            x, y, w, h = face.box
            self._writer.writerow(
                [int(frame_index), time_text, face.track_id, x, y, w, h, face.label, f"{face.confidence:.5f}"]
                + [f"{p:.5f}" for p in face.probabilities]
            )
            rows += 1
        self.rows_written += rows
        self.frames_written += 1
        # Flushed per frame so a crash or a killed recording loses at most one frame.
        self._handle.flush()
        return rows

    def flush(self) -> None:
        if self._handle is not None:
            self._handle.flush()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def __enter__(self) -> "FaceCsvWriter":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
