"""Two people in front of a wooden table whose grain both cascades take for a face.

    python -m scripts.lookalike_scene [--frames 300] [--sizes 480x360,640x480,960x720,1280x960] [--cascades-only]

Runs the tracker (as ``analyze`` does) on ``emotion_app.samples.two_people``, the frames
scaled to each size, and prints per size the frames showing exactly the two people, the
frames showing anything more (the grain, boxed), and the ids. ``--cascades-only``: the
face check without its trained verifier, as before it shipped. The last line is JSON.
"""

from __future__ import annotations

import json
import sys

import cv2

from emotion_app.faces.face_check import FaceCheck
from emotion_app.faces.tracker import FaceTracker
from emotion_app.samples import two_people
from scripts.support.arguments import frame_size, script_parser
from scripts.support.detectors import detector_or_refuse, with_cascades_or_refuse


def main(argv: list[str] | None = None) -> int:
    parser = script_parser(__file__, __doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument(
        "--sizes",
        type=lambda text: [frame_size(part) for part in text.split(",")],
        default="480x360,640x480,960x720,1280x960",
        help="comma-separated WIDTHxHEIGHT",
    )
    parser.add_argument("--cascades-only", action="store_true", help="the face check without its verifier")
    args = parser.parse_args(argv)
    if args.frames < 1:
        parser.error(f"--frames must be at least 1, got {args.frames}")
    frames = two_people(args.frames)
    report = {}
    for width, height in args.sizes:
        check = with_cascades_or_refuse(lambda: FaceCheck(verifier=None) if args.cascades_only else FaceCheck())
        tracker = FaceTracker(detector_or_refuse(), face_check=check)
        exact = more = 0
        ids: set[int] = set()
        for frame in frames:
            gray = cv2.cvtColor(cv2.resize(frame, (width, height), interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2GRAY)
            shown = tracker.update(gray)
            ids.update(track.track_id for track in shown)
            exact += len(shown) == 2
            more += len(shown) > 2
        report[f"{width}x{height}"] = {"two_people": exact, "more": more, "ids": len(ids)}
        print(
            f"{width}x{height}: the two people alone in {exact}/{len(frames)} frames, "
            f"more shown in {more}, {len(ids)} ids"
        )
    print(json.dumps(report, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
