"""How well the app's face finding matches hand-made truth on real clips: counts, phantoms, ids.

    python -m scripts.face_quality [--clips ../shared/data/real-clips] [--min-face PX] [--variants] [--live]
        [--every N] [--json]

For every file named in the folder's ``truth.csv`` (file, first_frame, last_frame, faces,
...) it runs the pipeline as ``analyze`` does (shipped weights, synchronous scans) and
counts, over the frames inside the truth ranges:

* count right: frames whose number of shown faces equals the truth's;
* phantom rows: shown faces beyond the truth's count (a box with no face behind it; a
  frame with 1 face and 2 boxes has one phantom row), also as a share of all rows;
* missed faces: truth faces beyond the shown count;
* ids: distinct track ids over the whole file (a single-person clip should need 1).

Frames between the ranges (cuts, transitions) have no truth and are not counted, but
their ids are. ``--variants`` runs each video eight times, from frames 0, 8, 16 and 24,
as it is and mirrored (:mod:`scripts.support.variants`), and sums the counts (ids: the
most of one run): on turned or busy clips one run's figures swing by several percent with
any change to the tracker, the sum much less. ``--live`` runs the pipeline as the desktop
app does instead: new-face scans on their own thread (so a face is found when a scan
started on an earlier frame ends), frames fed at the clip's own frame rate as a camera
would deliver them. Its figures vary a little from run to run. ``--every N`` keeps every
Nth frame (from each run's first), as a slower camera would deliver the same scene (a
webcam in dim light often gives 10-15 frames a second); only the kept frames are counted.
The last line printed is one JSON object.
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from emotion_app.faces.detector import min_face_problem
from emotion_app.io.video import open_input
from emotion_app.pipeline import EmotionPipeline
from scripts.support.arguments import script_parser
from scripts.support.detectors import detector_or_refuse
from scripts.support.model_weights import classifier_or_refuse
from scripts.support.real_clips import DEFAULT_CLIPS, TruthRange, counted, faces_at, truth_or_error
from scripts.support.variants import mirrored, variants


def measure(
    path: Path,
    ranges: list[TruthRange],
    pipeline: EmotionPipeline,
    start: int = 0,
    mirror: bool = False,
    paced: bool = False,
    every: int = 1,
) -> dict[str, Any]:
    """The figures of one run over ``path``, from frame ``start`` on, ``mirror``: flipped left
    to right. ``paced``: feed a video's frames at its own frame rate (see ``--live``).
    ``every``: keep every Nth frame (see ``--every``)."""
    media = open_input(path)
    pipeline.reset()
    period = every / media.fps if paced and media.kind == "video" and media.fps else 0.0
    frames = truth_frames = right = truth_rows = phantom = missed = 0
    ids: set[int] = set()
    began = time.perf_counter()
    for index, time_s, frame in media.frames():
        if index < start or (index - start) % every:
            continue
        if mirror:
            frame = mirrored(frame)
        if period:
            delay = began + frames * period - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        results = pipeline.process(frame, time_s, still=media.kind != "video")
        frames += 1
        ids.update(result.track_id for result in results)
        truth = faces_at(ranges, index)
        if truth is None:
            continue
        truth_frames += 1
        truth_rows += len(results)
        right += len(results) == truth
        phantom += max(0, len(results) - truth)
        missed += max(0, truth - len(results))
    return {
        "frames": frames,
        "truth_frames": truth_frames,
        "count_right": right,
        "count_right_share": right / truth_frames if truth_frames else None,
        "rows": truth_rows,
        "phantom_rows": phantom,
        "phantom_share": phantom / truth_rows if truth_rows else 0.0,
        "missed_faces": missed,
        "ids": len(ids),
    }


SUMMED = ("frames", "truth_frames", "count_right", "rows", "phantom_rows", "missed_faces")


def measure_variants(
    path: Path, ranges: list[TruthRange], pipeline: EmotionPipeline, paced: bool = False, every: int = 1
) -> dict[str, Any]:
    """:func:`measure` summed over the video's start/mirror variants (a still: its one run)."""
    if open_input(path).kind != "video":
        return measure(path, ranges, pipeline)
    runs = [measure(path, ranges, pipeline, start, mirror, paced, every) for start, mirror in variants()]
    figures: dict[str, Any] = {key: sum(run[key] for run in runs) for key in SUMMED}
    figures["ids"] = max(run["ids"] for run in runs)
    figures["count_right_share"] = figures["count_right"] / figures["truth_frames"] if figures["truth_frames"] else None
    figures["phantom_share"] = figures["phantom_rows"] / figures["rows"] if figures["rows"] else 0.0
    figures["variants_count_right"] = [run["count_right"] for run in runs]
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = script_parser(__file__, __doc__.splitlines()[0])
    parser.add_argument("--clips", type=Path, default=DEFAULT_CLIPS, help="folder with truth.csv and its files")
    parser.add_argument("--min-face", type=int, default=None, metavar="PX", help="smallest face (default: the app's)")
    parser.add_argument("--weights", type=Path, default=None)
    parser.add_argument(
        "--variants",
        action="store_true",
        help="run each video 8 times (from frame 0, 8, 16, 24; as it is and mirrored) and sum",
    )
    parser.add_argument(
        "--live",
        action="store_true",
        help="as the desktop app runs: scans on their own thread, frames at the clip's frame rate",
    )
    parser.add_argument(
        "--cnn-faces",
        choices=("auto", "on", "off"),
        default="auto",
        help="the CNN scan for faces the cascade misses: as the app (auto: on with --live), on or off",
    )
    parser.add_argument(
        "--every", type=int, default=1, metavar="N", help="keep every Nth frame of a video (a slower camera)"
    )
    parser.add_argument("--json", action="store_true", help="(the JSON line is always printed last)")
    args = parser.parse_args(argv)
    if args.every < 1:
        parser.error("--every must be at least 1")
    if args.min_face is not None and (problem := min_face_problem(args.min_face)):
        parser.error(problem)
    truth_path = args.clips / "truth.csv"
    truth = truth_or_error(truth_path)
    if truth is None:
        return 2
    classifier = classifier_or_refuse(args.weights)
    detector = detector_or_refuse() if args.min_face is None else detector_or_refuse(args.min_face)
    network = {"auto": "auto", "on": "shipped", "off": None}[args.cnn_faces]
    pipeline = EmotionPipeline(detector, classifier, background_scan=args.live, network=network)
    report: dict[str, Any] = {
        "detector": repr(detector),
        "variants": args.variants,
        "live": args.live,
        "every": args.every,
        "cnn_faces": pipeline.tracker.network is not None,
        "files": {},
    }
    print(f"{'file':<28}{'frames':>7}{'truth':>7}{'count right':>13}{'phantom rows':>14}{'missed':>8}{'ids':>5}")
    totals: defaultdict[str, int] = defaultdict(int)
    for name, ranges in truth.items():
        if not counted(ranges):
            continue
        path = args.clips / name
        if not path.exists():
            print(f"{name}: missing, skipped", file=sys.stderr)
            continue
        if args.variants:
            figures = measure_variants(path, ranges, pipeline, paced=args.live, every=args.every)
        else:
            figures = measure(path, ranges, pipeline, paced=args.live, every=args.every)
        report["files"][name] = figures
        for key in ("truth_frames", "count_right", "rows", "phantom_rows", "missed_faces"):
            totals[key] += figures[key]
        share = figures["count_right_share"]
        print(
            f"{name:<28}{figures['frames']:>7}{figures['truth_frames']:>7}"
            f"{figures['count_right']:>6} {share:>6.1%}{figures['phantom_rows']:>7} {figures['phantom_share']:>6.1%}"
            f"{figures['missed_faces']:>8}{figures['ids']:>5}"
        )
    report["totals"] = dict(totals)
    if totals["truth_frames"]:
        print(
            f"all: count right in {totals['count_right']}/{totals['truth_frames']} truth frames "
            f"({totals['count_right'] / totals['truth_frames']:.1%}), phantom rows {totals['phantom_rows']} of "
            f"{totals['rows']}, missed faces {totals['missed_faces']}"
        )
    pipeline.close()
    print(json.dumps(report, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
