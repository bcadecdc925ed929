"""``bench``: where the time goes, and how the pipeline compares with full-frame Haar.

Every frame is decoded once and then handed to both the full-frame baseline
(``detectMultiScale`` at scale 1.1, 5 neighbours, min size 50, as the ``fer`` package
does) and the pipeline, in the same loop, so machine load affects both alike. Both
run with the same OpenCV threads: by default OpenCV's own choice (every core, as the
``fer`` package runs it); ``--opencv-threads 1`` compares them CPU for CPU, as the
desktop app runs its detection.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from ..arguments import stdout_failed
from ..faces.detector import (
    DEFAULT_MIN_FACE,
    LOWEST_MIN_FACE,
    MAX_SEARCHED_SIDE,
    OpenCVSetupError,
    full_frame_baseline_detector,
)
from ..io.overlay import draw_results
from ..io.video import InputError, MediaInput
from ..percents import share_text
from ..preprocessing import crop_face, to_gray
from ..wording import count_text
from .common import (
    CommandError,
    MinFaceCheck,
    add_threads_argument,
    add_verbose_argument,
    add_weights_argument,
    apply_threads,
    check_min_face,
    check_threads,
    fail,
    flush_stdout,
    input_argument,
    load_classifier,
    make_detector,
    open_command_input,
)

if TYPE_CHECKING:
    from ..inference.classifier import EmotionClassifier

CLASSIFIER_BATCH = 8
CLASSIFIER_REPEATS = 60


def add_parser(commands: Any, prog: str | None = None) -> None:
    """``prog``: the name an entry point gives the command (default: derived from the parent's)."""
    parser = commands.add_parser(
        "bench",
        prog=prog,
        help="time each stage and compare with full-frame Haar detection",
        description=(
            "Run the pipeline over INPUT and report per-stage timings (decode, detect, classify, draw: median "
            "and p95), frames per second, frames with a face, the full-frame Haar baseline (scale 1.1, 5 "
            "neighbours, min size 50) on the same frames, their ratio, and the classifier's ms per face "
            "(optimised and eager fp32, batch 8, 1 thread; on INPUT's faces, or on synthetic ones where it "
            "gives fewer than 8). fps and baseline_fps both include decoding."
        ),
    )
    parser.add_argument("input", type=input_argument, metavar="INPUT", help="video file, image, or folder of images")
    add_weights_argument(parser)
    add_threads_argument(parser)
    add_verbose_argument(parser)
    parser.add_argument("--json", action="store_true", help="also print all figures as one JSON object (last line)")
    parser.add_argument("--frames", type=int, default=0, metavar="N", help="stop after N frames (default: all)")
    parser.add_argument(
        "--min-face",
        type=int,
        default=DEFAULT_MIN_FACE,
        metavar="PX",
        help=f"pipeline's smallest face side, {LOWEST_MIN_FACE} to {MAX_SEARCHED_SIDE} pixels "
        f"(default {DEFAULT_MIN_FACE})",
    )
    parser.add_argument(
        "--opencv-threads",
        type=int,
        default=None,
        metavar="N",
        help="OpenCV threads for both the pipeline and the baseline (default: OpenCV's own, every core; "
        "the desktop app runs detection with 1)",
    )
    parser.add_argument("--no-bars", dest="bars", action="store_false", help="time drawing without the bar charts")
    parser.set_defaults(run=run, command_parser=parser)


def run(args: argparse.Namespace) -> int:
    try:
        report = bench(args)
    except (CommandError, InputError, OpenCVSetupError) as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    try:
        print_report(report)
        if args.json:
            print(json.dumps(report, sort_keys=True))
        flush_stdout()
    except OSError as exc:  # standard output is a full disk, a closed pipe, ...
        return stdout_failed(exc, "the report")
    return 0


def bench(args: argparse.Namespace) -> dict[str, Any]:
    if args.frames < 0:
        raise CommandError(f"--frames must be 0 (all frames) or more, got {args.frames}")
    check_min_face(args.min_face)
    check_threads(args.threads)
    if args.opencv_threads is not None:
        check_threads(args.opencv_threads, "--opencv-threads")
    media = open_command_input(args.input)  # a bad input is told before the engine (torch) loads
    apply_threads(args.threads)
    opencv_threads = cv2.getNumThreads()
    if args.opencv_threads is not None:
        cv2.setNumThreads(args.opencv_threads)
    try:
        return measure(args, media)
    finally:
        cv2.setNumThreads(opencv_threads)  # process-wide: a caller's own setting comes back


def measure(args: argparse.Namespace, media: MediaInput) -> dict[str, Any]:
    """The figures :func:`bench` reports for ``media``, with the thread settings already made."""
    # The engine (torch) loads only now: help and a bad argument or input answer at once.
    import torch

    from ..pipeline import EmotionPipeline

    classifier = load_classifier(args.weights)
    pipeline = EmotionPipeline(make_detector(args.min_face), classifier)
    baseline = full_frame_baseline_detector()
    timings: dict[str, list[float]] = {
        name: [] for name in ("decode", "detect", "classify", "process", "draw", "baseline")
    }
    frames = frames_with_face = baseline_frames_with_face = faces = full_scans = 0
    crops: list[np.ndarray] = []
    frame_size: tuple[int, int] | None = None
    # Smallest and largest by pixels: a folder's pictures (or a video's frames) need not
    # share one size, and the last one's alone named the size of all. Of one area, the
    # narrower is the smaller: a photo turned upright beside one that is not is named too.
    size_range: list[tuple[int, int]] = []
    iterator = media.frames()
    min_face = MinFaceCheck(args.min_face, media)
    while not args.frames or frames < args.frames:
        start = time.perf_counter()
        try:
            index, time_s, frame = next(iterator)
        except StopIteration:
            break
        decoded = time.perf_counter()
        timings["decode"].append((decoded - start) * 1000.0)
        min_face.check(index, frame)
        frame_size = (frame.shape[1], frame.shape[0])
        size_range = [min([*size_range, frame_size], key=_by_area), max([*size_range, frame_size], key=_by_area)]
        if media.kind != "video":
            pipeline.reset()

        start = time.perf_counter()
        baseline_boxes = baseline.detect(frame)
        timings["baseline"].append((time.perf_counter() - start) * 1000.0)

        start = time.perf_counter()
        results = pipeline.process(frame, time_s, still=media.kind != "video")
        timings["process"].append((time.perf_counter() - start) * 1000.0)
        timings["detect"].append(pipeline.last_timings.detect_ms)
        timings["classify"].append(pipeline.last_timings.classify_ms)
        full_scans += pipeline.last_timings.full_scan

        start = time.perf_counter()
        draw_results(frame, results, classifier.labels, show_bars=args.bars)
        timings["draw"].append((time.perf_counter() - start) * 1000.0)

        frames += 1
        faces += len(results)
        frames_with_face += bool(results)
        baseline_frames_with_face += bool(baseline_boxes)
        if len(crops) < 256 and results:
            gray = to_gray(frame)
            crops.extend(crop_face(gray, r.box, classifier.preprocessing) for r in results)
    if frames == 0:
        raise InputError(f"{args.input}: no frame could be read")

    total = {name: sum(values) / 1000.0 for name, values in timings.items()}
    fps = frames / (total["decode"] + total["process"])
    baseline_fps = frames / (total["decode"] + total["baseline"])
    classify = classifier_speed(classifier, np.stack(crops) if crops else None)
    report: dict[str, Any] = {
        "input": str(args.input),
        "input_kind": media.kind,
        "frames": frames,
        "frame_size": list(frame_size) if frame_size else None,
        "frame_size_range": [list(size) for size in size_range],
        "fps": fps,
        "baseline_fps": baseline_fps,
        "ratio": fps / baseline_fps,
        "process_fps": frames / total["process"] if total["process"] else float("inf"),
        "baseline_process_fps": frames / total["baseline"] if total["baseline"] else float("inf"),
        "end_to_end_fps": frames / (total["decode"] + total["process"] + total["draw"]),
        "frames_with_face": frames_with_face,
        "baseline_frames_with_face": baseline_frames_with_face,
        "faces": faces,
        "full_frame_scans": full_scans,
        "torch_threads": torch.get_num_threads(),
        "opencv_threads": cv2.getNumThreads(),
        "stages_ms": {name: summarize(values) for name, values in timings.items()},
        **classify,
    }
    report["process_ratio"] = report["process_fps"] / report["baseline_process_fps"]
    return report


def _by_area(size: tuple[int, int]) -> tuple[int, int]:
    return size[0] * size[1], size[0]


def summarize(values: list[float]) -> dict[str, float]:
    if not values:
        return {"median": 0.0, "p95": 0.0, "mean": 0.0}
    return {
        "median": statistics.median(values),
        "p95": float(np.percentile(values, 95)),
        "mean": statistics.fmean(values),
    }


def classifier_speed(classifier: EmotionClassifier, crops: np.ndarray | None) -> dict[str, Any]:
    """ms per face at batch 8 on 1 thread, optimised and eager fp32, measured interleaved.

    Batches are drawn at random from the run's face crops (synthetic faces if it had
    fewer than a batch), and the mean is reported: the optimised runner costs more on
    some faces than others (near-ties are redone in fp32), so a mean over varied
    batches is what a video costs.
    """
    import torch

    from ..inference.calibration import synthetic_calibration_faces
    from ..inference.runners import describe

    size = classifier.preprocessing.input_size
    faces = crops if crops is not None and len(crops) >= CLASSIFIER_BATCH else None
    synthetic = faces is None  # said in the report: "64 faces" of a clip with none misled
    if faces is None:
        faces = synthetic_calibration_faces(size, 64)
    rng = np.random.default_rng(0)
    batches = [faces[rng.choice(len(faces), CLASSIFIER_BATCH, replace=False)] for _ in range(CLASSIFIER_REPEATS)]
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        fast: list[float] = []
        eager: list[float] = []
        for batch in batches[:3]:  # warm-up: first calls allocate
            classifier.predict(batch)
            classifier.predict(batch, eager=True)
        seen_before, redone_before = classifier.faces_seen, classifier.faces_redone
        for batch in batches:
            fast.append(_time_ms(partial(classifier.predict, batch)))
            eager.append(_time_ms(partial(classifier.predict, batch, eager=True)))
        seen = classifier.faces_seen - seen_before
        redone = classifier.faces_redone - redone_before
        agreement = float(
            np.mean(classifier.predict(faces).argmax(1) == classifier.predict(faces, eager=True).argmax(1))
        )
    finally:
        torch.set_num_threads(threads)
    fast_ms = statistics.fmean(fast) / CLASSIFIER_BATCH
    eager_ms = statistics.fmean(eager) / CLASSIFIER_BATCH
    return {
        "classify_ms_per_face": fast_ms,
        "classify_ms_per_face_eager": eager_ms,
        "classify_ms_per_face_median": statistics.median(fast) / CLASSIFIER_BATCH,
        "classify_ms_per_face_eager_median": statistics.median(eager) / CLASSIFIER_BATCH,
        "classify_speedup": eager_ms / fast_ms,
        "classify_agreement": agreement,
        "classify_agreement_faces": int(len(faces)),
        "classify_synthetic_faces": synthetic,
        "classify_rechecked_share": redone / seen if seen else 0.0,
        "inference_mode": describe(classifier.runner),
    }


def _time_ms(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000.0


def print_report(report: dict[str, Any]) -> None:
    # A folder's pictures and a picture's pages are images, as analyze counts them.
    unit = "frame" if report.get("input_kind", "video") == "video" else "image"
    sizes = " to ".join(dict.fromkeys(f"{width}x{height}" for width, height in report.get("frame_size_range", [])))
    print(
        f"bench {report['input']}: {count_text(report['frames'], unit)} of {sizes or '0x0'}, torch threads "
        f"{report['torch_threads']}, OpenCV threads {report['opencv_threads']}"
    )
    print(f"{'stage':<22}{'median ms':>11}{'p95 ms':>10}{'mean ms':>10}")
    names = {
        "decode": "decode",
        "detect": "detect+track",
        "classify": "classify",
        "draw": "draw",
        "process": "pipeline (det+cls)",
        "baseline": "baseline full-frame",
    }
    for key, name in names.items():
        stage = report["stages_ms"][key]
        print(f"{name:<22}{stage['median']:>11.2f}{stage['p95']:>10.2f}{stage['mean']:>10.2f}")
    frames = report["frames"]
    print(
        f"pipeline: {report['fps']:.1f} fps incl. decode ({report['process_fps']:.1f} without; "
        f"{report['end_to_end_fps']:.1f} with drawing), face in {report['frames_with_face']}/{frames} {unit}s, "
        f"{count_text(report['full_frame_scans'], 'full-frame scan')}"
    )
    print(
        f"baseline: {report['baseline_fps']:.1f} fps incl. decode ({report['baseline_process_fps']:.1f} without), "
        f"face in {report['baseline_frames_with_face']}/{frames} {unit}s"
    )
    print(f"ratio: {report['ratio']:.2f}x incl. decode ({report['process_ratio']:.2f}x without)")
    faces_text = (
        f"synthetic faces (the input gave fewer than {CLASSIFIER_BATCH})"
        if report.get("classify_synthetic_faces")
        else "faces"
    )
    # "0%" and "100%" only for none and all: 3 faces re-checked of 1,000 read "0%" (as if
    # none were), and 1 label of 2,000 told apart "100.0%" the same.
    print(
        f"classifier ({report['inference_mode']}): {report['classify_ms_per_face']:.3f} ms/face vs eager fp32 "
        f"{report['classify_ms_per_face_eager']:.3f} ms/face ({report['classify_speedup']:.1f}x; mean of "
        f"{CLASSIFIER_REPEATS} batches of {CLASSIFIER_BATCH}, 1 thread); same label on "
        f"{share_text(report['classify_agreement'], 1)} "
        f"of {report['classify_agreement_faces']} {faces_text}; {share_text(report['classify_rechecked_share'])} "
        "re-checked in fp32"
    )
