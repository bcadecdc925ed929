"""What the face tracker alone costs on real clips, and how many frames it shows a face in.

    python -m scripts.tracker_cost [--clips ../shared/data/real-clips] [--set NAME=VALUE ...] [--variants]
        [--cnn-faces] [--steps]

Runs :class:`FaceTracker` (app defaults, scans inline as ``analyze`` and ``bench`` run them)
over every video of ``--clips`` and prints, per clip, the tracker's CPU time per frame
(process time: less disturbed than wall time when other jobs share the cores, though not
immune) and the frames with a shown face. ``--set`` overrides a module constant of
the tracker's modules (``emotion_app.faces.tracker``, ``.scan_plan``, ``.local_search``,
``.identities``, ``.newcomer_scan``, ``.scene_gate``, ``.network_detector``,
``.leaning_search``, ``.face_parts``), and the default arguments written with it, for the
run (e.g. ``--set EMPTY_SCAN_INTERVAL=3``; VALUE a Python literal of the constant's type, or
for a path constant the path as written), and ``--small-scan-every N`` the tracker's
argument, to compare a choice with the default in the same conditions.
``--variants`` runs each clip from frames 0, 8, 16 and 24, as it is and mirrored, and sums
the eight: on a clip with cuts and busy scenes one run's frames-with-a-face count swings
with any change to the scans, the sum much less.
``--steps`` also times, per clip, each call of the tracker's steps whose costs shaped it
(wall time, median and range, and the median CPU time, which counts OpenCV's threads): a
face followed by its thumbnail, a local cascade search, its full-resolution retry, a
local search at another tilt, a whole-frame search for leaning faces (both tilts), a CNN
scan (with ``--cnn-faces``).
The last line is one JSON object.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from emotion_app.cli.common import fail
from emotion_app.faces import scan_plan as scan_plan_module
from emotion_app.faces import tracker as tracker_module
from emotion_app.faces.leaning_search import LeaningSearch
from emotion_app.faces.local_search import LocalSearch
from emotion_app.faces.network_detector import NetworkFaceDetector
from emotion_app.io.video import InputError, open_input
from emotion_app.preprocessing import to_gray
from scripts.support.arguments import positive_int, script_parser
from scripts.support.detectors import detector_or_refuse
from scripts.support.overrides import apply_overrides
from scripts.support.real_clips import DEFAULT_CLIPS, clips_in
from scripts.support.variants import mirrored, variants

# Step name -> (wall ms, CPU ms) of each call, filled while timed_steps() is on.
StepTimes = dict[str, list[tuple[float, float]]]


# LocalSearch.search is three steps: its coarse search at the face's own tilt, at
# another tilt (a face that may have leant its head), and its full-resolution retry.
LOCAL_SEARCH_STEPS = ("local search", "local search, other tilt", "full-resolution retry")


def _local_search_step(*args: Any, fine: bool = False, roll: float | None = None, **kwargs: Any) -> str:
    return LOCAL_SEARCH_STEPS[2 if fine else 0 if roll is None else 1]


# (class, method, the step a call is: a name, or a function of the call's arguments)
TIMED_STEPS: tuple[tuple[type, str, str | Callable[..., str]], ...] = (
    (LocalSearch, "follow", "thumbnail follow"),
    (LocalSearch, "search", _local_search_step),
    (LeaningSearch, "find", "leaning-face scan, both tilts"),
    (NetworkFaceDetector, "scan", "CNN scan"),
)


def step_names() -> list[str]:
    """Every name a timed call may be reported under."""
    return [step for _, _, step in TIMED_STEPS if isinstance(step, str)] + list(LOCAL_SEARCH_STEPS)


@contextmanager
def timed_steps(times: StepTimes) -> Iterator[None]:
    """While on, every call of :data:`TIMED_STEPS` adds its times to ``times``."""

    def timed(method: Callable[..., Any], step: str | Callable[..., str]) -> Callable[..., Any]:
        def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return method(self, *args, **kwargs)
            finally:
                name = step if isinstance(step, str) else step(*args, **kwargs)
                took = (1000.0 * (time.perf_counter() - wall), 1000.0 * (time.process_time() - cpu))
                times.setdefault(name, []).append(took)

        return call

    originals = [(owner, name, getattr(owner, name)) for owner, name, _ in TIMED_STEPS]
    try:
        for (owner, name, method), (_, _, step) in zip(originals, TIMED_STEPS, strict=True):
            setattr(owner, name, timed(method, step))
        yield
    finally:
        for owner, name, method in originals:
            setattr(owner, name, method)


def step_summary(times: StepTimes) -> dict[str, dict[str, float]]:
    """Per step: calls, median and range of the wall ms, median CPU ms."""
    return {
        name: {
            "calls": len(calls),
            "median_ms": statistics.median(wall for wall, _ in calls),
            "min_ms": min(wall for wall, _ in calls),
            "max_ms": max(wall for wall, _ in calls),
            "median_cpu_ms": statistics.median(cpu for _, cpu in calls),
        }
        for name, calls in sorted(times.items())
    }


def measure(
    path: Path, small_scan_every: int, start: int = 0, mirror: bool = False, cnn_faces: bool = False
) -> dict[str, Any]:
    tracker = tracker_module.FaceTracker(
        detector_or_refuse(), small_scan_every=small_scan_every, network="shipped" if cnn_faces else None
    )
    frames = with_face = 0
    cpu = 0.0
    ids: set[int] = set()
    for index, time_s, frame in open_input(path).frames():
        if index < start:
            continue
        gray = to_gray(frame)
        if mirror:
            gray = mirrored(gray)
        began = time.process_time()
        tracks = tracker.update(gray, time_s=time_s)
        cpu += time.process_time() - began
        frames += 1
        with_face += bool(tracks)
        ids.update(track.track_id for track in tracks)
    return {
        "frames": frames,
        "frames_with_face": with_face,
        "ids": len(ids),
        "cpu_ms_per_frame": 1000.0 * cpu / max(1, frames),
    }


def measure_variants(path: Path, small_scan_every: int, cnn_faces: bool = False) -> dict[str, Any]:
    """:func:`measure` summed over the clip's start/mirror variants (ids: the most of one)."""
    runs = [measure(path, small_scan_every, start, mirror, cnn_faces) for start, mirror in variants()]
    frames = sum(run["frames"] for run in runs)
    return {
        "frames": frames,
        "frames_with_face": sum(run["frames_with_face"] for run in runs),
        "ids": max(run["ids"] for run in runs),
        "cpu_ms_per_frame": sum(run["cpu_ms_per_frame"] * run["frames"] for run in runs) / max(1, frames),
        "variants_with_face": [run["frames_with_face"] for run in runs],
    }


def main(argv: list[str] | None = None) -> int:
    parser = script_parser(__file__, __doc__.splitlines()[0])
    parser.add_argument("--clips", type=Path, default=DEFAULT_CLIPS)
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE")
    # Its default is read after --set: --set SMALL_SCAN_EVERY=N is the same as --small-scan-every N.
    parser.add_argument("--small-scan-every", type=positive_int, metavar="N")
    parser.add_argument(
        "--variants",
        action="store_true",
        help="run each clip 8 times (from frame 0, 8, 16, 24; as it is and mirrored) and sum",
    )
    parser.add_argument(
        "--cnn-faces",
        action="store_true",
        help="with the CNN scan for faces the cascade misses, inline (the live app runs it on a thread)",
    )
    parser.add_argument(
        "--steps", action="store_true", help="also time each call of the tracker's costly steps, per clip"
    )
    args = parser.parse_args(argv)
    overrides = apply_overrides(args.overrides)
    small_scan_every: int = (
        scan_plan_module.SMALL_SCAN_EVERY if args.small_scan_every is None else args.small_scan_every
    )
    try:
        videos = clips_in(args.clips)
    except InputError as exc:
        return fail(str(exc))
    overrides["small_scan_every"] = small_scan_every
    report: dict[str, Any] = {
        "overrides": overrides,
        "variants": args.variants,
        "cnn_faces": args.cnn_faces,
        "clips": {},
    }
    if args.steps:
        report["steps"] = {}
    for video in videos:
        times: StepTimes = {}
        try:
            with timed_steps(times) if args.steps else nullcontext():
                row = (
                    measure_variants(video, small_scan_every, args.cnn_faces)
                    if args.variants
                    else measure(video, small_scan_every, cnn_faces=args.cnn_faces)
                )
        except InputError as exc:
            return fail(str(exc))
        if not report["clips"]:  # the header once a clip could be read: an unreadable one is the one error line
            print(f"{'clip':30s}{'frames':>8}{'with face':>11}{'ids':>5}{'tracker CPU ms/frame':>22}")
        report["clips"][video.name] = row
        print(
            f"{video.name:30s}{row['frames']:>8}{row['frames_with_face']:>11}{row['ids']:>5}"
            f"{row['cpu_ms_per_frame']:>22.2f}"
        )
        if args.steps:
            report["steps"][video.name] = steps = step_summary(times)
            for name, step in steps.items():
                print(
                    f"    {name:32s}{step['calls']:>6} calls, median {step['median_ms']:.2f} ms"
                    f" ({step['min_ms']:.2f}-{step['max_ms']:.2f}), CPU median {step['median_cpu_ms']:.2f} ms"
                )
    print(json.dumps(report, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
