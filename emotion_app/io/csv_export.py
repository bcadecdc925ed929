"""Per-face, per-frame CSV output, written incrementally (``analyze --csv`` and GUI recording).

Rows go to a temporary file beside the target (flushed per frame) that replaces the
target on :meth:`FaceCsvWriter.close`, or is checked by :meth:`FaceCsvWriter.finish`
and put in place by the caller with its other outputs; see :mod:`.atomic`.

Columns (documented for users in the README and ``analyze --help``): frame, then for a
folder's pictures file (the picture's name in the folder, ``'`` first where it starts like
a formula or with a ``'``), time_s, track_id, then in a recording's CSV name (the name the app showed on
the face, the same way), x, y, w, h, roll, label, confidence, uncertain, then the shown
(smoothed) probability of each class, named after the classifier's labels in output order,
then the model's raw probability of each class for that frame alone, ``raw_<label>``.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, SupportsFloat

from ..results import FaceResult
from ..seconds import seconds_or_none
from ..spreadsheet import spreadsheet_text
from .atomic import AtomicOutput, OutputError, check_target, output_error, sync_if_supported

FIXED_COLUMNS: tuple[str, ...] = (
    "frame",
    "time_s",
    "track_id",
    "x",
    "y",
    "w",
    "h",
    "roll",
    "label",
    "confidence",
    "uncertain",
)
FILE_COLUMN = "file"  # after "frame", in a folder's CSV only
NAME_COLUMN = "name"  # after "track_id", in a recording's CSV only (analyze names nobody)
RAW_PREFIX = "raw_"


def fixed_columns(file_column: bool = False, name_column: bool = False) -> tuple[str, ...]:
    """The columns before the probabilities; ``file_column``: with ``file`` after ``frame``;
    ``name_column``: with ``name`` after ``track_id``."""
    columns = FIXED_COLUMNS
    if name_column:
        after_id = columns.index("track_id") + 1
        columns = columns[:after_id] + (NAME_COLUMN,) + columns[after_id:]
    return columns[:1] + (FILE_COLUMN,) + columns[1:] if file_column else columns


def file_text(name: str | os.PathLike[str]) -> str:
    """A file name as the CSV (UTF-8) can hold it: as it is, but for bytes that are not
    UTF-8 (a Latin-1 name), which the OS hands over as surrogates that UTF-8 cannot
    encode; they are written ``\\xe9``, as Python shows such bytes."""
    try:
        return os.fsencode(name).decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate no file system gave: the API's own string
        return os.fspath(name).encode("utf-8", "backslashreplace").decode("utf-8")


def probability_columns(labels: Sequence[str], file_column: bool = False, name_column: bool = False) -> tuple[str, ...]:
    """Column names for the shown class probabilities: the labels themselves, unless one
    collides with a fixed or raw column, in which case all get a ``p_`` prefix."""
    taken = set(fixed_columns(file_column, name_column)) | {RAW_PREFIX + label for label in labels}
    if any(label in taken for label in labels):
        return tuple(f"p_{label}" for label in labels)
    return tuple(labels)


def raw_probability_columns(labels: Sequence[str]) -> tuple[str, ...]:
    """Column names for the model's raw per-frame probabilities: ``raw_<label>``."""
    return tuple(RAW_PREFIX + label for label in labels)


class FaceCsvWriter:
    """Writes one row per face per frame; usable incrementally or as a context manager.

    >>> with FaceCsvWriter("out.csv", classifier.labels) as writer:   # doctest: +SKIP
    ...     writer.write_frame(0, 0.0, pipeline.process(frame))

    ``file_column``: each row also names its picture (``write_frame``'s ``file``, as
    :func:`file_text` and :func:`spreadsheet_text` write it), after ``frame``: a folder's
    pictures, which ``frame`` only numbers. ``name_column``: each row
    also has its face's name (``FaceResult.name``, empty for none: :func:`spreadsheet_text`),
    after ``track_id``: a recording, whose frames show the names the user gave.

    A writer never closed (nor discarded) leaves its rows in the temporary file: no
    finalizer removes it when the writer is garbage-collected, because those rows are their
    only copy, which the app's next save in that folder keeps (:mod:`.unfinished`) once
    this process has ended; ``path`` stays as it was.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        labels: Sequence[str],
        file_column: bool = False,
        name_column: bool = False,
    ) -> None:
        if not labels:
            raise ValueError("a CSV needs at least one class label")
        self.path = Path(path)
        self.labels: tuple[str, ...] = tuple(labels)
        self.file_column = file_column
        self.name_column = name_column
        self.columns: tuple[str, ...] = (
            fixed_columns(file_column, name_column)
            + probability_columns(self.labels, file_column, name_column)
            + raw_probability_columns(self.labels)
        )
        self.rows_written = 0
        self.frames_written = 0
        check_target(self.path, "CSV")
        # Rows go to a temporary file beside the target, which replaces it on close().
        self._output = AtomicOutput(self.path)
        self._handle: _OutputFile | None = None
        temp = self._output.open()
        try:
            self._handle = _OutputFile(open(temp, "w", newline="", encoding="utf-8"), self.path)
            self._writer = csv.writer(self._handle)
            self._writer.writerow(self.columns)
            self._handle.flush()
        except (OSError, OutputError) as exc:
            self.discard()
            raise exc if isinstance(exc, OutputError) else output_error(self.path, exc) from exc

    @property
    def partial_path(self) -> Path | None:
        """Where the rows are until :meth:`close` puts them at ``path`` (None once closed)."""
        return self._output.temp

    @property
    def closed(self) -> bool:
        return self._handle is None

    def write_frame(
        self, frame_index: int, time_s: SupportsFloat | None, faces: Iterable[FaceResult], file: str | None = None
    ) -> int:
        """Append one row per face of a frame; returns how many rows were written. ``time_s``:
        as :meth:`EmotionPipeline.process <emotion_app.pipeline.EmotionPipeline.process>` takes
        it (empty where that counts it as none). ``file``: the frame's picture, given exactly
        when the CSV has the file column."""
        if self._handle is None:
            raise ValueError(f"CSV {self.path} is closed")
        if (file is not None) != self.file_column:
            raise ValueError("a file name is given exactly when the CSV has a file column")
        # A name is made by whoever fills the folder: one like a formula is text too.
        named = [spreadsheet_text(file_text(file))] if file is not None else []
        seconds = seconds_or_none("time_s", time_s)
        time_text = "" if seconds is None else f"{seconds:.4f}"
        rows = 0
        for face in faces:
            if len(face.probabilities) != len(self.labels) or len(face.raw_probabilities) != len(self.labels):
                raise ValueError(
                    f"face has {len(face.probabilities)} probabilities but the CSV has {len(self.labels)} classes"
                )
            x, y, w, h = face.box
            self._writer.writerow(
                [int(frame_index)]
                + named
                + [time_text, face.track_id]
                + ([spreadsheet_text(face.name)] if self.name_column else [])
                + [
                    x,
                    y,
                    w,
                    h,
                    f"{face.roll:g}",
                    face.label,
                    f"{face.confidence:.5f}",
                    int(face.uncertain),
                ]
                + [f"{p:.5f}" for p in face.probabilities]
                + [f"{p:.5f}" for p in face.raw_probabilities]
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
        """Put the CSV in place (:meth:`finish`, then the rename); OutputError (and the old
        file kept) if it cannot be."""
        finished = self.finish()
        if finished is not None:
            finished.commit()

    def finish(self) -> AtomicOutput | None:
        """Flush and close the temporary file and check it, without putting it in place:
        the caller commits the output returned (with the other outputs of the same job,
        :func:`.output_group.commit_together`) or discards it. After a failed write (a full disk)
        it keeps the frames written completely before it; OutputError (the temporary file
        removed) if even that fails. None when already closed."""
        handle, self._handle = self._handle, None
        if handle is None:
            return None
        temp = self._output.temp
        assert temp is not None
        try:
            handle.finish()
        except OutputError:
            self._output.discard()
            raise
        if handle.failed:
            # The rows of the frame that failed may be half written: cut back to the last
            # complete frame, which also frees the space the cut-off part took.
            try:
                os.truncate(temp, handle.good_size)
                with open(temp, newline="", encoding="utf-8") as check:
                    self.rows_written = max(0, sum(1 for _ in csv.reader(check)) - 1)
            except OSError as exc:
                self._output.discard()
                raise output_error(self.path, exc) from exc
        return self._output

    def discard(self) -> None:
        """Drop the rows; ``path`` stays as it was."""
        handle, self._handle = self._handle, None
        if handle is not None:
            handle.abandon()
        self._output.discard()

    def __enter__(self) -> FaceCsvWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is None or issubclass(exc_type, KeyboardInterrupt):
            self.close()
        else:
            self.discard()


class _OutputFile:
    """The temporary file's text handle: OSErrors become OutputErrors naming the target
    (DiskFullError for a full disk), and the size after the last good flush is kept."""

    def __init__(self, handle: IO[str], path: Path) -> None:
        self._handle = handle
        self._path = path
        self.good_size = 0
        self.failed = False

    def write(self, text: str) -> int:
        try:
            return self._handle.write(text)
        except OSError as exc:
            self.failed = True
            raise output_error(self._path, exc) from exc

    def flush(self) -> None:
        try:
            self._handle.flush()
        except OSError as exc:
            self.failed = True
            raise output_error(self._path, exc) from exc
        self.good_size = self._handle.tell()

    def finish(self) -> None:
        """Flush to the disk and close; OutputError unless everything written is there."""
        if self.failed:
            self.abandon()
            return
        try:
            self._handle.flush()
            sync_if_supported(self._handle.fileno())  # a delayed write error shows here, not after the rename
            size, expected = os.fstat(self._handle.fileno()).st_size, self._handle.tell()
            self._handle.close()
        except OSError as exc:
            self.failed = True
            self.abandon()
            raise output_error(self._path, exc) from exc
        if size != expected:
            raise OutputError(f"{self._path}: only {size} of {expected} bytes reached the disk; not kept")

    def abandon(self) -> None:
        """Close without caring whether the buffered rest can still be written."""
        try:
            self._handle.close()
        except OSError:
            pass  # the file descriptor is closed even when the final flush fails
