"""Recording the annotated video and its per-face CSV (runs on the recording's own thread:
:mod:`.recording_writer`).

Each frame written is the result's saved picture: the core overlay
(``emotion_app.io.overlay``) sized by the frame alone, as the screen shows it in a window
large enough (a small one shows larger text), written with
``emotion_app.io.video``; the CSV comes from ``emotion_app.io.csv_export``. A recording is
therefore what the ``analyze`` command writes for the same frames and faces, and like it
appears at its path only when finished and verified (``emotion_app.io.atomic``); its CSV
also has a ``name`` column: each face's name as that frame shows it (analyze names nobody).
"""

from __future__ import annotations

from emotion_app.io.atomic import OutputError
from emotion_app.io.csv_export import FaceCsvWriter
from emotion_app.io.video import AnnotatedVideoWriter

from .annotation import saved_or_shown
from .messages import InferenceResult, RecordingRequest, RecordingSummary

# After a long stall, never write more than this many seconds of copies of one frame.
_MAX_REPEATS_S = 2.0
# A file's time running ahead of the wall clock by more than this between two frames is
# a seek, not a stall: the recording cuts there instead of holding a frame for the gap.
_SEEK_AHEAD_S = 0.5


class OtherClasses(Exception):
    """A result of a model with other classes than the recording's CSV (the model was
    switched): a CSV keeps one set of columns, so the recording ends before it."""


class Recorder:
    """Writes each processed frame; repeats frames so the video keeps real-time pacing.

    Under load inference skips frames; writing each processed frame once would make the
    recording play too fast, so a frame is repeated to fill the gap its source time shows.
    A frame delivered again (a file paused on it) is written once; a jump forward in a
    file (a seek) is a cut.
    """

    def __init__(self, request: RecordingRequest, fps: float) -> None:
        self.request = request
        self.fps = fps if fps > 0 else 30.0
        # The video path is checked now so a bad one fails at once, not on the first frame.
        self._video = AnnotatedVideoWriter(request.video_path, self.fps)
        self._csv: FaceCsvWriter | None = None
        self._first_time: float | None = None
        self._frames_at_first_time = 0
        self._last: InferenceResult | None = None

    @property
    def frames_written(self) -> int:
        return self._video.frames_written

    @property
    def rows_written(self) -> int:
        """CSV rows written so far: one per face of each frame recorded."""
        return self._csv.rows_written if self._csv is not None else 0

    def write(self, result: InferenceResult) -> None:
        if self._csv is None and result.labels:
            # Opened on the first classified frame: its columns are the model's labels
            # (without a model there is nothing to write, and no CSV is made). Always with
            # the name column, a name given or not: a CSV keeps one set of columns.
            self._csv = FaceCsvWriter(self.request.csv_path, result.labels, name_column=True)
        elif self._csv is not None and result.labels and tuple(result.labels) != self._csv.labels:
            raise OtherClasses(
                f"the model now in use has other emotions ({len(result.labels)}) than this recording's CSV "
                f"({len(self._csv.labels)}); record again to keep recording with it"
            )
        last, self._last = self._last, result
        if last is not None and (last.stream_id, last.frame_index) == (result.stream_id, result.frame_index):
            return  # the same frame again: a file paused on it
        # A frame whose own overlay raised is written as shown on screen: the recording goes on.
        annotated, _ = saved_or_shown(result)
        if (
            self._first_time is None
            or last is None
            or last.run != result.run  # restarted, or moved
            or result.source_time < self._first_time
            or _seeked_ahead(last, result)
        ):
            self._first_time = result.source_time
            self._frames_at_first_time = self.frames_written
        due = self._frames_at_first_time + int(round((result.source_time - self._first_time) * self.fps)) + 1
        repeats = max(1, min(due - self.frames_written, int(self.fps * _MAX_REPEATS_S)))
        for _ in range(repeats):
            self._video.write(annotated)
        if self._csv is not None:
            self._csv.write_frame(result.frame_index, result.source_time, result.faces)

    def close(self, error: str = "", ended_by: str = "") -> RecordingSummary:
        """Verify both files and put them in place; never raises. After a write error (a
        full disk stops writing while the video's index still fits) what was written is
        kept when it reads back; ``error`` and any failure to keep a file go in the summary.
        ``ended_by``: why a recording ended that was not stopped by the user, kept whole."""
        folder = self.request.video_path.parent
        try:
            folder_there = folder.is_dir()
        except OSError:  # not ENOENT (is_dir says False then): EACCES, EIO; the closes below say more
            folder_there = True
        if not folder_there and (self.frames_written or self._csv is not None):
            # Deleted while recording: what the writers held went with it, and their own
            # errors ("does not read back", "could not be put in place") would only blur that.
            # With nothing written a missing folder was never made (the first frame makes it).
            for gone in (self._video, self._csv):
                if gone is not None:
                    gone.discard()
            problem = error or f"its folder {folder} was removed while recording; nothing could be kept"
            return RecordingSummary(self.request, self.frames_written, 0, problem, "", ended_by)
        problems = [error] if error else []
        csv_kept = False
        writers = ((self._video, self.request.video_path), (self._csv, self.request.csv_path))
        for writer, path in writers:
            if writer is None:
                continue
            try:
                writer.close()
            except (OutputError, OSError) as exc:  # OSError: a file system that fails under the close
                problem = str(exc) if isinstance(exc, OutputError) else f"could not finish {path}: {exc}"
                if problem not in problems:
                    problems.append(problem)
            else:
                csv_kept = csv_kept or writer is self._csv
        rows = self.rows_written
        codec = self._video.codec.describe() if self._video.codec is not None else ""
        return RecordingSummary(
            self.request, self.frames_written, rows, "; ".join(problems), codec, ended_by, csv_kept=csv_kept
        )


def _seeked_ahead(last: InferenceResult, result: InferenceResult) -> bool:
    """Whether the stream's time ran ahead of the wall clock's between two frames (a seek)."""
    source_gap = result.source_time - last.source_time
    wall_gap = result.capture_time - last.capture_time
    return source_gap - wall_gap > _SEEK_AHEAD_S
