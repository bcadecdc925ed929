"""What a recording costs the thread that makes the frames (the app's inference thread), per
frame: writing each frame itself (``Recorder.write``, as the app did), or handing it to the
recording's own writer thread (``RecordingWriter.put``, as it does now).

    python -m scripts.recording_handoff_cost [--size 1280x720] [--frames 300] [--fps 30] [--folder DIR]

Frames of the astronaut picture come at ``--fps`` (the caller sleeps between them, as the
inference thread waits for the next frame), each recorded into DIR (a temporary folder by
default) as the app records: MP4, its CSV, one call per frame. Prints the caller's time per
frame (median, 95th percentile, largest), the frames the writer thread left out (the
queue was full) and the frames the video holds.
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import cv2

from emotion_app.gui.messages import InferenceResult, RecordingRequest, RecordingSummary
from emotion_app.gui.recorder import Recorder
from emotion_app.gui.recording_writer import RecordingWriter
from emotion_app.samples import astronaut_bgr
from scripts.support.arguments import existing_folder, frame_size, positive_float, positive_int, script_parser

LABELS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")


def frames(size: tuple[int, int], count: int, fps: float) -> list[InferenceResult]:
    image = cv2.resize(astronaut_bgr(), size, interpolation=cv2.INTER_LINEAR)
    return [
        InferenceResult(
            stream_id=1,
            frame_index=index,
            image=image,
            annotated=image,
            display_image=image,
            faces=(),
            labels=LABELS,
            capture_time=index / fps,
            source_time=index / fps,
            inference_done_time=0.0,
        )
        for index in range(count)
    ]


def paced(results: list[InferenceResult], fps: float, record: Callable[[InferenceResult], object]) -> list[float]:
    """``record`` of each result at ``fps``; the milliseconds each call took."""
    took: list[float] = []
    start = time.perf_counter()
    for index, result in enumerate(results):
        due = start + index / fps
        time.sleep(max(0.0, due - time.perf_counter()))
        begin = time.perf_counter()
        record(result)
        took.append((time.perf_counter() - begin) * 1000)
    return took


def describe(name: str, took: list[float], extra: str) -> None:
    took = sorted(took)
    p95 = took[min(len(took) - 1, int(0.95 * len(took)))]
    print(
        f"{name}: median {statistics.median(took):.3f} ms, p95 {p95:.3f} ms, max {took[-1]:.1f} ms per frame; {extra}"
    )


def main() -> None:
    parser = script_parser(__file__, __doc__, raw_description=True)
    parser.add_argument("--size", type=frame_size, default=(1280, 720), help="the frames' WIDTHxHEIGHT")
    parser.add_argument("--frames", type=positive_int, default=300)
    parser.add_argument("--fps", type=positive_float, default=30.0)
    parser.add_argument(
        "--folder", type=existing_folder, default=None, help="where the recordings go (default: a temporary one)"
    )
    args = parser.parse_args()
    results = frames(args.size, args.frames, args.fps)
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.folder or Path(temporary)
        inline = Recorder(RecordingRequest(folder / "inline.mp4", folder / "inline.csv"), args.fps)
        took = paced(results, args.fps, inline.write)
        written = inline.close()
        describe(
            "Recorder.write on the caller's thread", took, f"{written.frames_written} frames written ({written.codec})"
        )
        finished = threading.Event()
        summaries: list[RecordingSummary] = []

        def report(summary: RecordingSummary) -> None:
            summaries.append(summary)
            finished.set()

        writer = RecordingWriter(RecordingRequest(folder / "handed.mp4", folder / "handed.csv"), args.fps, report)
        took = paced(results, args.fps, writer.put)
        writer.stop()
        finished.wait()
        describe(
            "RecordingWriter.put",
            took,
            f"{writer.dropped} frames left out, {summaries[0].frames_written} frames written ({summaries[0].codec})"
            + (f"; {summaries[0].error}" if summaries[0].error else ""),
        )


if __name__ == "__main__":
    main()
