"""The data behind the face check (emotion_app/faces/face_check.py): how it treats real finds.

    python -m scripts.face_check_data [--clips ../shared/data/real-clips] [--every 3]

Runs the frontal-face cascade as finely as the app's small-face search (24 px, 3
neighbours) on every ``--every``-th frame inside the truth ranges of the real clips,
at the clips' own size and shrunk to 1/2 and 1/3.3 (smaller faces, other false finds),
plus the group photo shrunk so its faces are 24-40 px. A find is a face when it
overlaps (IoU > 0.3) a reference face: the cascade's own strict find (5 neighbours,
48 px up, full size) in frames whose truth has faces, and in the group photo also the
fifth face (sunglasses) that the strict search misses, boxed by hand. Frames whose
truth says no face have no reference: all their finds are false.

Also scikit-image's cell micrograph (no face; the cascade fires on it at default settings,
and the tests use it) at 1x, 0.75x and 0.5x. Prints, for the check and for alternatives
(its cascades without the verifier, each cue alone, the verifier alone, the eye cascade),
the share of face finds that pass and how many false finds pass, and the median time of
the check's cascades on both kinds of find. The last line is one JSON object.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import cv2
import numpy as np

from emotion_app.cli.common import fail
from emotion_app.faces.detector import load_frontal_face_cascade
from emotion_app.faces.face_check import (
    MIN_RAW_WINDOWS,
    MIN_SECOND_WINDOWS,
    FaceCheck,
    load_opencv_cascade,
    shipped_verifier,
)
from emotion_app.faces.geometry import Box, iou
from scripts.support.arguments import script_parser
from scripts.support.detectors import with_cascades_or_refuse
from scripts.support.real_clips import DEFAULT_CLIPS, counted, faces_at, truth_or_error

# The group photo's fifth face (sunglasses, head tilted), which the strict search misses.
HAND_BOXED = {"multi_face.jpg": [(209, 68, 110, 110)]}


def frames(path: Path) -> Iterator[tuple[int, np.ndarray]]:
    if path.suffix.lower() in {".jpg", ".jpeg", ".png"}:
        image = cv2.imread(str(path))
        if image is not None:
            yield 0, image
        return
    capture = cv2.VideoCapture(str(path))
    index = 0
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        yield index, frame
        index += 1
    capture.release()


def timed_evidence(check: FaceCheck, gray: np.ndarray, box: Box) -> tuple[int, int, dict[str, float]]:
    """``check``'s window counts for ``box``, with the time its cascades take to count every
    window and to reach a verdict (which stops counting once the verdict is sure)."""
    start = time.perf_counter()
    second, raw = check.evidence(gray, box)
    counted = time.perf_counter()
    check.judge(gray, box, verify=False)
    judged = time.perf_counter()
    return second, raw, {"every_window_ms": (counted - start) * 1000.0, "verdict_ms": (judged - counted) * 1000.0}


def main(argv: list[str] | None = None) -> int:
    parser = script_parser(__file__, __doc__.splitlines()[0])
    parser.add_argument("--clips", type=Path, default=DEFAULT_CLIPS)
    parser.add_argument("--every", type=int, default=3, help="use every N-th frame (default 3)")
    args = parser.parse_args(argv)
    truth_path = args.clips / "truth.csv"
    truth = truth_or_error(truth_path)
    if truth is None:
        return 2
    cascade = with_cascades_or_refuse(load_frontal_face_cascade)
    eyes = with_cascades_or_refuse(lambda: load_opencv_cascade("haarcascade_eye.xml"))
    check = with_cascades_or_refuse(FaceCheck)
    verifier = shipped_verifier()
    if verifier is None:
        return fail("the shipped face verifier could not be loaded")
    rows: list[dict[str, Any]] = []
    for name, ranges in truth.items():
        if not counted(ranges):
            continue
        still = name.lower().endswith(".jpg")
        scales = (1.0, 0.4, 0.32, 0.24) if still else (1.0, 0.5, 0.3)
        for index, frame in frames(args.clips / name):
            faces = faces_at(ranges, index)
            if index % args.every or faces is None:
                continue
            gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
            reference: list[Box] = []
            if faces:
                strict = np.asarray(cascade.detectMultiScale(gray, 1.1, 5, minSize=(48, 48))).reshape(-1, 4)
                reference = [(int(x), int(y), int(w), int(h)) for x, y, w, h in strict]
                reference += HAND_BOXED.get(name, [])
            for scale in scales:
                small = (
                    gray if scale == 1.0 else cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
                )
                for found in np.asarray(cascade.detectMultiScale(small, 1.1, 3, minSize=(24, 24))).reshape(-1, 4):
                    box: Box = (int(found[0]), int(found[1]), int(found[2]), int(found[3]))
                    # In full-frame pixels, fractional: iou's arithmetic takes floats as well.
                    full = cast(Box, tuple(v / scale for v in box))
                    second, raw, timings = timed_evidence(check, small, box)
                    x, y, w, h = box
                    upper = cv2.resize(small[y : y + h, x : x + w], (120, 120), interpolation=cv2.INTER_LINEAR)[:72]
                    rows.append(
                        {
                            "file": name,
                            "frame": index,
                            "scale": scale,
                            "side": w,
                            "face": any(iou(full, ref) > 0.3 for ref in reference),
                            "second": second,
                            "raw": raw,
                            "eyes": len(eyes.detectMultiScale(upper, 1.1, 3, minSize=(18, 18), maxSize=(50, 50))),
                            "check": check(small, box),
                            "verifier": verifier.score(small, box),
                            **timings,
                        }
                    )
    from skimage import data

    cells = np.ascontiguousarray(data.cell(), dtype=np.uint8)
    for scale in (1.0, 0.75, 0.5):
        small = cells if scale == 1.0 else cv2.resize(cells, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        for found in np.asarray(cascade.detectMultiScale(small, 1.1, 3, minSize=(24, 24))).reshape(-1, 4):
            box = (int(found[0]), int(found[1]), int(found[2]), int(found[3]))
            second, raw, timings = timed_evidence(check, small, box)
            rows.append(
                {
                    "file": "skimage cell",
                    "frame": 0,
                    "scale": scale,
                    "side": box[2],
                    "face": False,
                    "second": second,
                    "raw": raw,
                    "eyes": 0,
                    "check": check(small, box),
                    "verifier": verifier.score(small, box),
                    **timings,
                }
            )
    threshold = verifier.card.threshold
    rules = {
        "face check (window counts and verifier)": lambda r: r["check"],
        "window counts alone (the check before the verifier)": lambda r: (
            r["second"] >= MIN_SECOND_WINDOWS and r["raw"] >= MIN_RAW_WINDOWS
        ),
        f"verifier >= {threshold:.3f} alone": lambda r: r["verifier"] >= threshold,
        f"second-cascade windows >= {MIN_SECOND_WINDOWS} alone": lambda r: r["second"] >= MIN_SECOND_WINDOWS,
        f"raw windows >= {MIN_RAW_WINDOWS} alone": lambda r: r["raw"] >= MIN_RAW_WINDOWS,
        "eye cascade (>= 1 eye in the upper box)": lambda r: r["eyes"] >= 1,
    }
    face_rows = [r for r in rows if r["face"]]
    false_rows = [r for r in rows if not r["face"]]
    small_faces = [r for r in face_rows if r["side"] < 48]
    print(f"{len(face_rows)} face finds ({len(small_faces)} under 48 px), {len(false_rows)} false finds")
    report: dict[str, Any] = {
        "face_finds": len(face_rows),
        "small_face_finds": len(small_faces),
        "false_finds": len(false_rows),
    }
    for name, rule in rules.items():
        passed = sum(bool(rule(r)) for r in face_rows)
        small_passed = sum(bool(rule(r)) for r in small_faces)
        false = sum(bool(rule(r)) for r in false_rows)
        print(
            f"{name:<52} faces pass {passed}/{len(face_rows)} ({passed / max(1, len(face_rows)):.1%}; under 48 px "
            f"{small_passed}/{len(small_faces)}), false finds pass {false}/{len(false_rows)}"
        )
        report[name] = {"faces_pass": passed, "small_faces_pass": small_passed, "false_pass": false}
    for kind, kind_rows in (("face finds", face_rows), ("false finds", false_rows)):
        verdict_ms = statistics.median(r["verdict_ms"] for r in kind_rows) if kind_rows else 0.0
        every_ms = statistics.median(r["every_window_ms"] for r in kind_rows) if kind_rows else 0.0
        print(
            f"the check's cascades on {kind}: median {verdict_ms:.2f} ms a verdict "
            f"(counting every window: {every_ms:.2f} ms)"
        )
        report[f"cascades_ms_{kind.replace(' ', '_')}"] = {"verdict": verdict_ms, "every_window": every_ms}
    for r in false_rows:
        print(
            f"  false find: {r['file']} frame {r['frame']} scale {r['scale']} side {r['side']}: second {r['second']}, "
            f"raw {r['raw']}, verifier {r['verifier']:.3f}, eyes {r['eyes']}, check {'PASS' if r['check'] else 'fail'}"
        )
    print(json.dumps(report, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
