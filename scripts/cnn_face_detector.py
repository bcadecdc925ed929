"""Would a CNN face detector find the faces the Haar cascades cannot? libfacedetection (Shiqi Yu's
small CNN, the network behind OpenCV's YuNet), measured on the real clips and the gallery clip.

    pip install yuface   # not a dependency of the app: see below
    python -m scripts.cnn_face_detector [--clips ../shared/data/real-clips] [--gallery DIR]
        [--every 5] [--confidence 0.5] [--detector {yuface,shipped}]

``--detector shipped`` measures the app's own CNN scan instead (MediaPipe's BlazeFace,
``weights/face_detector``; frames in gray, tiles as the tracker uses them,
``--confidence`` unused: its scan score is ``network_detector.SCAN_SCORE``).

``yuface`` is the only packaged build of libfacedetection on the package index this project
installs from: one release (2023), wheels for CPython 3.10 and 3.11 on Linux x86-64 only,
so the app cannot depend on it. OpenCV's own ``cv2.FaceDetectorYN`` runs the same family of
network but needs its ONNX file, which no package ships and this machine cannot download.

For every real clip with counted truth, on every frame the truth counts (scaled to at most
640 px, as the detector's authors advise): frames whose number of boxes is right, boxes
beyond the truth's count, and the median time a frame. With ``--gallery DIR`` (what
``python -m scripts.make_gallery_clip DIR`` wrote), on every ``--every``-th frame: per face
of the group photo's two tiles, the frames in which a box lies on it (IoU over 0.3, as
``gallery_faces`` counts the cascade's finds), and the boxes on no face.

The last line printed is one JSON object.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from emotion_app.cli.common import fail
from emotion_app.faces.geometry import Box, iou
from emotion_app.io.video import open_input
from scripts.support.arguments import script_parser
from scripts.support.gallery import group_placements, photo_faces, placed
from scripts.support.real_clips import DEFAULT_CLIPS, faces_at, read_truth

# The detector's authors advise frames of at most this many pixels a side.
LONGEST_SIDE = 640
# A box is on a face when it overlaps the face's box this much (as in gallery_faces).
ON_FACE_IOU = 0.3

Detect = Callable[[np.ndarray], list[Box]]


def load_shipped(_: float) -> Detect | None:
    """The app's own CNN scan (MediaPipe's BlazeFace in ``weights/face_detector``) on the
    frame in gray, as the tracker runs it: every tile, faces from 24 px."""
    from emotion_app.faces.detector import DEFAULT_MIN_FACE
    from emotion_app.faces.network_detector import NetworkDetectorError, NetworkFaceDetector

    try:
        network = NetworkFaceDetector()
    except NetworkDetectorError:
        return None

    def detect(frame: np.ndarray) -> list[Box]:
        return [find.box for find in network.scan(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), DEFAULT_MIN_FACE)]

    return detect


def load_detector(confidence: float) -> Detect | None:
    """libfacedetection's boxes for a BGR frame, in its pixels; None without ``yuface``."""
    try:
        import yuface  # type: ignore[import-not-found]
    except ImportError:
        return None

    def detect(frame: np.ndarray) -> list[Box]:
        _, boxes, _ = yuface.detect(np.ascontiguousarray(frame), conf=confidence)
        return [(int(x), int(y), int(w), int(h)) for x, y, w, h in np.asarray(boxes).reshape(-1, 4)]

    return detect


def timed(detect: Detect, frame: np.ndarray) -> tuple[list[Box], float]:
    """Boxes in ``frame``'s own pixels (found at most :data:`LONGEST_SIDE` wide) and milliseconds."""
    scale = min(1.0, LONGEST_SIDE / max(frame.shape[:2]))
    small = frame if scale == 1.0 else cv2.resize(frame, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    began = time.perf_counter()
    boxes = detect(small)
    elapsed = (time.perf_counter() - began) * 1000.0
    return [tuple(int(round(v / scale)) for v in box) for box in boxes], elapsed  # type: ignore[misc]


def real_clips(detect: Detect, clips: Path) -> dict[str, dict[str, Any]]:
    figures: dict[str, dict[str, Any]] = {}
    for name, ranges in read_truth(clips / "truth.csv").items():
        path = clips / name
        if not path.is_file() or all(truth.faces is None for truth in ranges):
            continue
        right = counted = extra = 0
        times: list[float] = []
        for index, _, frame in open_input(path).frames():
            want = faces_at(ranges, index)
            if want is None:
                continue
            boxes, elapsed = timed(detect, frame)
            counted += 1
            right += len(boxes) == want
            extra += max(0, len(boxes) - want)
            times.append(elapsed)
        figures[name] = {"right": right, "counted": counted, "extra": extra, "median_ms": statistics.median(times)}
        print(
            f"{name}: count right in {right} / {counted} frames, {extra} boxes beyond the count, "
            f"median {statistics.median(times):.1f} ms a frame"
        )
    return figures


def gallery(detect: Detect, folder: Path, clips: Path, every: int) -> dict[str, Any]:
    faces = photo_faces(clips / "multi_face.jpg")
    video = folder / "gallery.avi"
    media = open_input(video)
    frames = media.frame_count or sum(1 for _ in media.frames())
    found: dict[str, int] = {}
    sampled = stray = 0
    times: list[float] = []
    for index, _, frame in open_input(video).frames():
        if index % every:
            continue
        boxes, elapsed = timed(detect, frame)
        times.append(elapsed)
        sampled += 1
        truth = {
            f"{tile} {number}": placed(box, placement)
            for tile, placement in group_placements(index, frames).items()
            for number, (box, _) in enumerate(faces, start=1)
        }
        for name, box in truth.items():
            found[name] = found.get(name, 0) + any(iou(box, other) > ON_FACE_IOU for other in boxes)
        # Boxes on none of the photo's faces: the other tiles' faces (the woman, the
        # small tile's) or a phantom; counted, not judged.
        stray += sum(not any(iou(box, face) > ON_FACE_IOU for face in truth.values()) for box in boxes)
    for name, count in found.items():
        print(f"gallery, {name}: found in {count} / {sampled} sampled frames")
    print(f"gallery: {stray} boxes on none of the photo's faces; median {statistics.median(times):.1f} ms a frame")
    return {"sampled": sampled, "found": found, "other_boxes": stray, "median_ms": statistics.median(times)}


def main(argv: list[str] | None = None) -> int:
    parser = script_parser(__file__, __doc__.split("\n\n")[0])
    parser.add_argument("--clips", type=Path, default=DEFAULT_CLIPS, help="the real clips and truth.csv")
    parser.add_argument("--gallery", type=Path, default=None, help="folder make_gallery_clip wrote")
    parser.add_argument("--every", type=int, default=5, help="gallery: every Nth frame")
    parser.add_argument("--confidence", type=float, default=0.5, help="the detector's score threshold, 0..1")
    parser.add_argument(
        "--detector",
        choices=("yuface", "shipped"),
        default="yuface",
        help="libfacedetection (pip install yuface) or the app's own CNN scan (weights/face_detector)",
    )
    args = parser.parse_args(argv)
    detect = load_shipped(args.confidence) if args.detector == "shipped" else load_detector(args.confidence)
    if detect is None and args.detector == "shipped":
        return fail("the app's CNN face detector cannot be loaded (see weights/face_detector)")
    if detect is None:
        return fail("needs the yuface package (pip install yuface: CPython 3.10 or 3.11 on Linux x86-64)")
    if not (args.clips / "truth.csv").is_file():
        return fail(f"no truth.csv in {args.clips}")
    if args.every < 1:
        return fail(f"--every must be 1 or more, got {args.every}")
    report: dict[str, Any] = {"clips": real_clips(detect, args.clips), "cv2_threads": cv2.getNumThreads()}
    if args.gallery is not None:
        report["gallery"] = gallery(detect, args.gallery, args.clips, args.every)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
