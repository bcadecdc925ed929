"""Which face sizes a scan for newcomers finds at a given pyramid step, on real faces.

    python -m scripts.scan_step [--clips ../shared/data/real-clips] [--steps 1.2,1.3,1.4]
        [--sides 48,51,54,57,60,64,70,80,96] [--every 6] [--json]

A scan's cost falls with a coarser step between the cascade's pyramid levels (fewer
levels), but a face is found only by windows close to its own size. This measures what
a coarser step loses: every ``--every``-th frame of the real clips with one face found
(by the detector's own settings) is scaled so that face is SIDE pixels across, and the
large faces' band of the scans (from twice the smallest face, 48 px, as
``scan_plan`` makes it; the scans' 3 neighbours) looks for it over the whole frame at each
step. A face counts as found when a box overlaps it by IoU 0.3. The last line printed is
one JSON object.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2
import numpy as np

from emotion_app.cli.common import fail
from emotion_app.faces.detector import DEFAULT_MIN_FACE, FaceDetector
from emotion_app.faces.geometry import Box, iou
from emotion_app.faces.scan_plan import SMALL_BAND_FACTOR
from emotion_app.faces.tracker import CHECKED_FIND_NEIGHBORS
from emotion_app.io.video import InputError, open_input
from emotion_app.preprocessing import to_gray
from scripts.support.arguments import positive_int, positive_ints, script_parser
from scripts.support.detectors import detector_or_refuse
from scripts.support.real_clips import DEFAULT_CLIPS, clips_in

ON_FACE_IOU = 0.3


def one_face_frames(clips: Path, every: int, detector: FaceDetector) -> list[tuple[np.ndarray, Box]]:
    """(gray frame, its one face's box) for every ``every``-th frame with exactly one face."""
    samples: list[tuple[np.ndarray, Box]] = []
    for path in clips_in(clips):
        for index, _, frame in open_input(path).frames():
            if index % every:
                continue
            gray = to_gray(frame)
            boxes = detector.detect_gray(gray)
            if len(boxes) == 1:
                samples.append((gray, boxes[0]))
    return samples


def found_at(detector: FaceDetector, gray: np.ndarray, box: Box, side: int, step: float) -> bool:
    """Whether the large band's scan at ``step`` finds the face ``box`` once it is ``side`` px."""
    factor = side / max(box[2], box[3])
    size = (max(1, round(gray.shape[1] * factor)), max(1, round(gray.shape[0] * factor)))
    scaled = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
    target = (round(box[0] * factor), round(box[1] * factor), round(box[2] * factor), round(box[3] * factor))
    band_min = DEFAULT_MIN_FACE * SMALL_BAND_FACTOR
    found = detector.detect_region(
        scaled,
        (0, 0, size[0], size[1]),
        band_min,
        None,
        scale_factor=step,
        min_neighbors=CHECKED_FIND_NEIGHBORS,
    )
    return any(iou(candidate, target) > ON_FACE_IOU for candidate in found)


def parse_steps(text: str) -> list[float]:
    try:
        steps = [float(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected steps like 1.2,1.4, got {text!r}") from None
    if not steps or any(not step > 1.0 for step in steps):
        raise argparse.ArgumentTypeError(f"every step must be above 1, got {text!r}")
    return steps


def main(argv: list[str] | None = None) -> int:
    parser = script_parser(__file__, __doc__.splitlines()[0])
    parser.add_argument("--clips", type=Path, default=DEFAULT_CLIPS)
    parser.add_argument("--steps", type=parse_steps, default=[1.2, 1.3, 1.4])
    parser.add_argument("--sides", type=positive_ints, default=[48, 51, 54, 57, 60, 64, 70, 80, 96])
    parser.add_argument("--every", type=positive_int, default=6, metavar="N")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    detector = detector_or_refuse()
    try:
        samples = one_face_frames(args.clips, args.every, detector)
    except InputError as exc:
        return fail(str(exc))
    print(f"{len(samples)} one-face frames; found by the large band's scan (from 48 px, 3 neighbours) at each step")
    print(f"{'side px':>8}" + "".join(f"{f'step {step}':>12}" for step in args.steps))
    table: dict[str, dict[str, int]] = {}
    for side in args.sides:
        counts = {str(step): sum(found_at(detector, g, b, side, step) for g, b in samples) for step in args.steps}
        table[str(side)] = counts
        print(f"{side:>8}" + "".join(f"{counts[str(step)]:>12}" for step in args.steps), flush=True)
    if args.json:
        print(json.dumps({"faces": len(samples), "found": table}, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
