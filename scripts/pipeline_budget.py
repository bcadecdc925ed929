"""Where the pipeline's time goes on a clip, as ``bench`` runs it: cascades, model, the rest.

    python -m scripts.pipeline_budget CLIP [--runs N] [--opencv-threads N] [--alone]

Decodes CLIP once, then runs :class:`EmotionPipeline` (``bench``'s settings: 24 px, scans
inline, torch on one thread) over its frames ``--runs`` times, the fer-style full-frame
baseline beside each frame as ``bench`` runs it. Every ``detectMultiScale`` call of the
pipeline's cascades (the detector's and the face check's) and every ONNX Runtime forward
pass is timed by a wrapper, so each run prints the pipeline's milliseconds a frame split
into cascade calls, forward passes and everything else (Python and the small OpenCV,
NumPy and torch calls between them), and the baseline's. The rest is also given in the
calling thread's CPU time (``rest_cpu_ms``: its CPU time in the pipeline less its CPU time
in those calls): on cores shared with other work, wall time counts the waits for a core
and CPU time does not, so two versions of the code compare by it there. ``--alone``
follows each run with one of the pipeline alone, no baseline between its frames (its
figures keyed ``alone_...``): the baseline's pass over a whole frame leaves little of the
pipeline's data in the caches, which ``bench`` counts against the pipeline. Wall time: run
it with the cores free. The last line is one JSON object.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from scripts.support.arguments import script_parser

# Seconds spent in each kind of timed call since the counter was last cleared: wall time,
# and under "... cpu" the calling thread's CPU time in the same calls.
Spent = dict[str, float]
TIMED = ("cascades", "forward passes")


class _TimedCascade:
    """A cascade whose ``detectMultiScale`` calls add their wall time to ``spent``."""

    def __init__(self, cascade: Any, spent: Spent) -> None:
        self._cascade = cascade
        self._spent = spent

    def detectMultiScale(self, *args: Any, **kwargs: Any) -> Any:  # noqa: N802 (OpenCV's name)
        start, start_cpu = time.perf_counter(), time.thread_time()
        try:
            return self._cascade.detectMultiScale(*args, **kwargs)
        finally:
            self._spent["cascades"] += time.perf_counter() - start
            self._spent["cascades cpu"] += time.thread_time() - start_cpu

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cascade, name)


def _time_calls(spent: Spent) -> None:
    """Wrap the cascades made from now on and ONNX Runtime's forward passes."""
    import onnxruntime

    make_cascade = cv2.CascadeClassifier
    cv2.CascadeClassifier = lambda *args: _TimedCascade(make_cascade(*args), spent)  # type: ignore[assignment,misc]
    run = onnxruntime.InferenceSession.run

    def timed_run(self: Any, *args: Any, **kwargs: Any) -> Any:
        start, start_cpu = time.perf_counter(), time.thread_time()
        try:
            return run(self, *args, **kwargs)
        finally:
            spent["forward passes"] += time.perf_counter() - start
            spent["forward passes cpu"] += time.thread_time() - start_cpu

    onnxruntime.InferenceSession.run = timed_run


def main() -> int:
    parser = script_parser(__file__, __doc__, raw_description=True)
    parser.add_argument("clip", type=Path, metavar="CLIP", help="a video file")
    parser.add_argument("--runs", type=int, default=3, help="runs over the clip (default 3)")
    parser.add_argument("--opencv-threads", type=int, default=None, help="OpenCV threads (default: OpenCV's own)")
    parser.add_argument(
        "--alone",
        action="store_true",
        help="after each run, run the pipeline over the frames again without the baseline beside it",
    )
    args = parser.parse_args()
    if args.runs < 1:
        parser.error(f"--runs must be at least 1, got {args.runs}")
    if args.opencv_threads is not None:
        if args.opencv_threads < 1:
            parser.error(f"--opencv-threads must be at least 1, got {args.opencv_threads}")
        cv2.setNumThreads(args.opencv_threads)
    spent: Spent = dict.fromkeys([*TIMED, *(f"{name} cpu" for name in TIMED)], 0.0)
    _time_calls(spent)  # before any cascade is made

    import torch

    from emotion_app.faces.detector import DEFAULT_MIN_FACE, full_frame_baseline_detector
    from emotion_app.io.video import InputError, open_input
    from emotion_app.pipeline import EmotionPipeline
    from scripts.support.detectors import detector_or_refuse, with_cascades_or_refuse
    from scripts.support.model_weights import classifier_or_refuse

    torch.set_num_threads(1)  # as bench and the app run the model
    try:
        frames = [(time_s, frame) for _, time_s, frame in open_input(args.clip).frames()]
    except InputError as exc:
        parser.error(str(exc))
    if not frames:
        parser.error(f"{args.clip}: no frame could be read")
    classifier = classifier_or_refuse(None)
    baseline = with_cascades_or_refuse(full_frame_baseline_detector)
    runs: list[dict[str, float]] = []
    for run in range(1, args.runs + 1):
        figures = _run(frames, EmotionPipeline(detector_or_refuse(DEFAULT_MIN_FACE), classifier), baseline, spent)
        if args.alone:
            alone = _run(frames, EmotionPipeline(detector_or_refuse(DEFAULT_MIN_FACE), classifier), None, spent)
            figures.update({f"alone_{name}": value for name, value in alone.items() if name != "baseline_ms"})
        runs.append(figures)
        print(f"run {run}: {_describe(figures, len(frames))}; baseline {figures['baseline_ms']:.2f}")
        if args.alone:
            print(f"run {run} alone: {_describe(figures, len(frames), 'alone_')}")
    medians = {name: float(np.median([run[name] for run in runs])) for name in runs[0]}
    print(json.dumps({"clip": str(args.clip), "opencv_threads": cv2.getNumThreads(), "runs": runs, "median": medians}))
    return 0


def _run(
    frames: list[tuple[float | None, np.ndarray]], pipeline: Any, baseline: Any | None, spent: Spent
) -> dict[str, float]:
    """One pass of ``pipeline`` over ``frames``, ``baseline`` (if any) run on each frame just before it."""
    total = total_cpu = baseline_total = 0.0
    with_face = 0
    pipeline_spent = dict.fromkeys(spent, 0.0)
    for time_s, frame in frames:
        if baseline is not None:
            start = time.perf_counter()
            baseline.detect(frame)
            baseline_total += time.perf_counter() - start
        spent.update(dict.fromkeys(spent, 0.0))  # the baseline's own cascade calls do not count
        start, start_cpu = time.perf_counter(), time.thread_time()
        with_face += bool(pipeline.process(frame, time_s))
        total += time.perf_counter() - start
        total_cpu += time.thread_time() - start_cpu
        for name, seconds in spent.items():
            pipeline_spent[name] += seconds
    count = len(frames)
    return {
        "pipeline_ms": total * 1000 / count,
        "cascades_ms": pipeline_spent["cascades"] * 1000 / count,
        "forward_passes_ms": pipeline_spent["forward passes"] * 1000 / count,
        "rest_ms": (total - sum(pipeline_spent[name] for name in TIMED)) * 1000 / count,
        "rest_cpu_ms": (total_cpu - sum(pipeline_spent[f"{name} cpu"] for name in TIMED)) * 1000 / count,
        "baseline_ms": baseline_total * 1000 / count,
        "frames_with_face": float(with_face),
    }


def _describe(figures: dict[str, float], count: int, prefix: str = "") -> str:
    return (
        f"pipeline {figures[prefix + 'pipeline_ms']:.2f} ms a frame = cascade calls "
        f"{figures[prefix + 'cascades_ms']:.2f} + forward passes {figures[prefix + 'forward_passes_ms']:.2f} + the "
        f"rest {figures[prefix + 'rest_ms']:.2f} (its CPU time {figures[prefix + 'rest_cpu_ms']:.2f}); "
        f"a face in {figures[prefix + 'frames_with_face']:.0f}/{count} frames"
    )


if __name__ == "__main__":
    raise SystemExit(main())
