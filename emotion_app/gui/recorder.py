"""Recording the annotated video and its per-face CSV (runs on the inference thread).

The video is drawn with the core's ``emotion_app.overlay`` and the CSV written with
``emotion_app.csv_export``, so a recording matches what the ``analyze`` command writes.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from .frames import InferenceResult, RecordingRequest, RecordingSummary

# After a long stall, never write more than this many copies of one frame to catch up.
_MAX_REPEATS_S = 2.0


class Recorder:
    """Writes each processed frame; repeats frames so the video keeps real-time pacing.

    Inference may skip frames under load; writing each processed frame once would make the
    recording play too fast, so a frame is repeated to fill the gaps its source time shows.
    """

    def __init__(self, request: RecordingRequest, fps: float) -> None:
        self.request = request
        self.fps = fps if fps > 0 else 30.0
        self._writer: cv2.VideoWriter | None = None
        self._csv: CsvSink | None = None
        self._first_time: float | None = None
        self._frames_written = 0
        self._frames_written_at_start = 0
        for path in (request.video_path, request.csv_path):
            Path(path).parent.mkdir(parents=True, exist_ok=True)

    def write(self, result: InferenceResult) -> None:
        if self._writer is None:
            self._open(result)
        assert self._writer is not None and self._csv is not None
        annotated = annotate(result)
        if self._first_time is None or result.source_time < self._first_time:
            self._first_time = result.source_time  # first frame, or a restarted stream
            self._frames_written_at_start = self._frames_written
        due = int(round((result.source_time - self._first_time) * self.fps)) + 1 + self._frames_written_at_start
        repeats = max(1, min(due - self._frames_written, int(self.fps * _MAX_REPEATS_S)))
        for _ in range(repeats):
            self._writer.write(annotated)
        self._frames_written += repeats
        self._csv.write(result)

    def close(self, error: str = "") -> RecordingSummary:
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.release()
        rows = 0
        if self._csv is not None:
            rows = self._csv.close()
            self._csv = None
        return RecordingSummary(self.request, self._frames_written, rows, error)

    def _open(self, result: InferenceResult) -> None:
        path = self.request.video_path
        fourcc = cv2.VideoWriter_fourcc(*("MJPG" if path.suffix.lower() == ".avi" else "mp4v"))
        writer = cv2.VideoWriter(str(path), fourcc, self.fps, (result.width, result.height))
        if not writer.isOpened():
            writer.release()
            raise OSError(f"could not write video {path}")
        try:
            self._csv = CsvSink(self.request.csv_path, result.labels)
        except BaseException:
            writer.release()
            raise
        self._writer = writer


def annotate(result: InferenceResult) -> np.ndarray:
    """The frame with the core overlay drawn on a copy."""
    from emotion_app.overlay import draw_results

    return draw_results(result.image.copy(), list(result.faces), result.labels)


class CsvSink:
    """The per-face CSV, written row by row (the same columns as ``analyze --csv``)."""

    def __init__(self, path: Path, labels: tuple[str, ...]) -> None:
        from emotion_app.csv_export import FaceCsvWriter

        self._writer = FaceCsvWriter(path, labels)

    def write(self, result: InferenceResult) -> None:
        self._writer.write_frame(result.frame_index, result.source_time, list(result.faces))

    def close(self) -> int:
        return int(self._writer.close())
