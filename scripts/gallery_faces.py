"""Per face of the gallery clip: how often the app shows it, and how often the cascade can see it at all.

    python -m scripts.gallery_faces GALLERY_DIR [--clips ../shared/data/real-clips] [--every 5]
        [--discovery SCALE,NEIGHBOURS] [--json]

GALLERY_DIR is what ``python -m scripts.make_gallery_clip GALLERY_DIR`` wrote. The ten
faces of the group photo's two tiles are placed in every frame as that script placed
them (their boxes in the photo: the cascade's finds on the still with 3 neighbours that
pass the face check, numbered left to right). For each face it prints:

* shown: frames in which the app (defaults, synchronous scans, as ``analyze``) shows a
  box on it (``--discovery``: with other settings for its new-face scans);
* full-frame cascade finds on every ``--every``-th frame at (scale factor, neighbours)
  (1.1, 5) (the detector's own), (1.1, 3), (1.2, 3) (the new-face scans') and (1.1, 2):
  whether the face is there to find; and "dense", (1.1, 3) on the frame enlarged
  :data:`DENSE_UPSCALE` times. OpenCV's cascade tries its window at every other pixel on
  pyramid levels that shrink the image by less than 2 (every level that looks for faces
  under 48 px at full resolution), at every pixel beyond: enlarged, faces from 24 px are
  tried at every position (no setting of the app does this: its searches never enlarge);
* face check: those frames in which :class:`FaceCheck` passes the face's own box.

It also times, on the sampled frames, a full-frame scan of the small faces' band (as the
new-face scans look for them: scale 1.2, 3 neighbours) as it is and enlarged
:data:`DENSE_UPSCALE` times, and prints the medians.

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from emotion_app.cli.common import fail
from emotion_app.faces.detector import FaceDetector
from emotion_app.faces.face_check import FaceCheck
from emotion_app.faces.geometry import Box, iou
from emotion_app.faces.scan_plan import SMALL_BAND_FACTOR, SMALL_BAND_OVERLAP
from emotion_app.io.video import open_input
from emotion_app.pipeline import EmotionPipeline
from emotion_app.preprocessing import to_gray
from scripts.support.arguments import script_parser
from scripts.support.detectors import detector_or_refuse, with_cascades_or_refuse
from scripts.support.gallery import group_placements, photo_faces, placed
from scripts.support.model_weights import classifier_or_refuse
from scripts.support.real_clips import DEFAULT_CLIPS

SETTINGS = ((1.1, 5), (1.1, 3), (1.2, 3), (1.1, 2))
# The "dense" column: (1.1, 3) on the frame enlarged this many times (see the module notes).
DENSE_UPSCALE = 2.0
DENSE = "dense"
# A shown or found box is on a face when it overlaps the face's box this much: the
# cascade's boxes of one face differ by several pixels and a little in size.
ON_FACE_IOU = 0.3


def dense_finds(detector: FaceDetector, gray: np.ndarray) -> list[Box]:
    """(1.1, 3) finds of ``detector``'s smallest faces and up, in ``gray`` enlarged
    :data:`DENSE_UPSCALE` times, as frame boxes."""
    large = cv2.resize(gray, None, fx=DENSE_UPSCALE, fy=DENSE_UPSCALE, interpolation=cv2.INTER_LINEAR)
    side = int(round(detector.min_face_size * DENSE_UPSCALE))
    found = detector.cascade.detectMultiScale(large, scaleFactor=1.1, minNeighbors=3, minSize=(side, side))
    return [
        (
            int(round(x / DENSE_UPSCALE)),
            int(round(y / DENSE_UPSCALE)),
            int(round(w / DENSE_UPSCALE)),
            int(round(h / DENSE_UPSCALE)),
        )
        for x, y, w, h in np.asarray(found).reshape(-1, 4)
    ]


def small_band_scan(detector: FaceDetector, gray: np.ndarray, enlarge: float) -> object:
    """The new-face scans' small band over the whole of ``gray`` enlarged ``enlarge`` times."""
    low = detector.min_face_size * enlarge
    high = low * SMALL_BAND_FACTOR * SMALL_BAND_OVERLAP
    image = gray if enlarge == 1.0 else cv2.resize(gray, None, fx=enlarge, fy=enlarge, interpolation=cv2.INTER_LINEAR)
    return detector.cascade.detectMultiScale(
        image, scaleFactor=1.2, minNeighbors=3, minSize=(int(low), int(low)), maxSize=(int(high), int(high))
    )


def discovery_setting(text: str) -> tuple[float, int]:
    try:
        scale, neighbours = text.split(",")
        return float(scale), int(neighbours)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected SCALE,NEIGHBOURS such as 1.1,3, got {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    parser = script_parser(__file__, __doc__.splitlines()[0])
    parser.add_argument("gallery", type=Path, help="folder make_gallery_clip wrote")
    parser.add_argument("--clips", type=Path, default=DEFAULT_CLIPS, help="folder with multi_face.jpg")
    parser.add_argument("--every", type=int, default=5, help="cascade and check on every Nth frame")
    parser.add_argument("--weights", type=Path, default=None)
    parser.add_argument(
        "--discovery", type=discovery_setting, default=None, metavar="SCALE,NEIGHBOURS", help="new-face scan settings"
    )
    parser.add_argument(
        "--cnn-faces",
        action="store_true",
        help="the pipeline with the CNN scan for faces the cascade misses, inline (analyze --cnn-faces)",
    )
    parser.add_argument("--json", action="store_true", help="(the JSON line is always printed last)")
    args = parser.parse_args(argv)
    video = args.gallery / "gallery.avi"
    if not video.is_file() or not (args.clips / "multi_face.jpg").is_file():
        return fail(f"need {video} and {args.clips / 'multi_face.jpg'}")
    faces = photo_faces(args.clips / "multi_face.jpg")
    media = open_input(video)
    frames = media.frame_count or sum(1 for _ in media.frames())
    names = [f"{tile} {number}" for tile in ("top left", "bottom left") for number in range(1, len(faces) + 1)]
    figures: dict[str, dict[str, Any]] = {
        name: {"sides": [], "shown": 0, "sampled": 0, "found": {str(s): 0 for s in (*SETTINGS, DENSE)}, "check": 0}
        for name in names
    }
    options: dict[str, Any] = {} if args.discovery is None else {"discovery": args.discovery}
    if args.cnn_faces:
        options["network"] = "shipped"
    pipeline = EmotionPipeline(detector_or_refuse(), classifier_or_refuse(args.weights), **options)
    detector, check = detector_or_refuse(), with_cascades_or_refuse(FaceCheck)
    media = open_input(video)
    timings: dict[str, list[float]] = {"scan_ms": [], "dense_scan_ms": []}
    for index, time_s, frame in media.frames():
        truth: dict[str, Box] = {}
        for tile, placement in group_placements(index, frames).items():
            for number, (box, _) in enumerate(faces, start=1):
                truth[f"{tile} {number}"] = placed(box, placement)
        shown = [result.box for result in pipeline.process(frame, time_s)]
        for name, box in truth.items():
            figures[name]["sides"].append(box[2])
            figures[name]["shown"] += any(iou(box, other) > ON_FACE_IOU for other in shown)
        if index % args.every:
            continue
        gray = to_gray(frame)
        finds: dict[object, list[Box]] = {
            s: detector.detect_gray(gray, scale_factor=s[0], min_neighbors=s[1]) for s in SETTINGS
        }
        finds[DENSE] = dense_finds(detector, gray)
        for key, enlarge in (("scan_ms", 1.0), ("dense_scan_ms", DENSE_UPSCALE)):
            began = time.perf_counter()
            small_band_scan(detector, gray, enlarge)
            timings[key].append((time.perf_counter() - began) * 1000.0)
        for name, box in truth.items():
            figures[name]["sampled"] += 1
            figures[name]["check"] += check(gray, box)
            for setting, boxes in finds.items():
                figures[name]["found"][str(setting)] += any(iou(box, other) > ON_FACE_IOU for other in boxes)
    pipeline.close()
    report: dict[str, Any] = {
        "frames": frames,
        "every": args.every,
        "discovery": args.discovery,
        "photo_faces": [],
        "faces": {},
    }
    for number, (box, evidence) in enumerate(faces, start=1):
        print(f"photo face {number}: box {box}, face check evidence (second, raw windows) {evidence}")
        report["photo_faces"].append({"box": list(box), "evidence": list(evidence)})
    header = "".join(f"{f'{s[0]}/{s[1]}':>8}" for s in SETTINGS) + f"{DENSE:>8}"
    print(f"{'':<42}cascade finds (scale / neighbours)")
    print(f"{'face':<14}{'side px':>8}{'shown':>10}{'sampled':>10}{header}{'check':>8}")
    for name, figure in figures.items():
        sides = figure.pop("sides")
        figure["side_px"] = [min(sides), max(sides)]
        found = "".join(f"{figure['found'][str(s)]:>8}" for s in (*SETTINGS, DENSE))
        shown_share = f"{figure['shown']}/{frames}"
        print(
            f"{name:<14}{f'{min(sides)}-{max(sides)}':>8}{shown_share:>10}{figure['sampled']:>10}{found}{figure['check']:>8}"
        )
        report["faces"][name] = figure
    for key in timings:
        report[key] = statistics.median(timings[key]) if timings[key] else None
    if timings["scan_ms"]:
        print(
            f"small faces' band scan (1.2 / 3), median of {len(timings['scan_ms'])} frames: "
            f"{report['scan_ms']:.1f} ms; enlarged {DENSE_UPSCALE:g}x: {report['dense_scan_ms']:.1f} ms"
        )
    print(json.dumps(report, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
