"""Scale a real clip up to HD, as a webcam would deliver it, for the 720p measurements.

    python -m scripts.make_hd_clip /tmp/hamilton_720p.avi [--source ../shared/data/real-clips/short_hamilton_clip.mp4]
                                   [--size 1280x720] [--fps 30]

The default source is the Hamilton clip (stage and audience, camera moves and cuts, small
faces over busy backgrounds: what makes HD expensive). Each frame is scaled with bicubic
interpolation; the output keeps the source's frame rate unless ``--fps`` says otherwise.
``.avi`` is written as MJPG (what most USB webcams send at 720p), anything else as mp4v.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2

from emotion_app.cli.common import fail
from emotion_app.io.atomic import OutputError
from scripts.support.arguments import frame_size, script_parser
from scripts.support.real_clips import DEFAULT_CLIPS
from scripts.support.video_out import VideoOut


def main(argv: list[str] | None = None) -> int:
    parser = script_parser(__file__, __doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--source", type=Path, default=DEFAULT_CLIPS / "short_hamilton_clip.mp4")
    parser.add_argument("--size", type=frame_size, default=(1280, 720), help="WIDTHxHEIGHT (default 1280x720)")
    parser.add_argument("--fps", type=float, default=None, help="frame rate written (default: the source's)")
    args = parser.parse_args(argv)
    width, height = args.size
    capture = cv2.VideoCapture(str(args.source))
    if not capture.isOpened():
        return fail(f"cannot open {args.source}")
    fps = args.fps or capture.get(cv2.CAP_PROP_FPS) or 30.0
    fourcc = "MJPG" if args.output.suffix.lower() == ".avi" else "mp4v"
    try:
        with VideoOut(args.output, fourcc, fps, (width, height)) as video:
            while True:
                ok, frame = capture.read()
                if not ok:
                    break
                video.write(cv2.resize(frame, (width, height), interpolation=cv2.INTER_CUBIC))
    except OutputError as exc:
        return fail(str(exc))
    finally:
        capture.release()
    frames = video.frames
    if frames == 0:  # nothing was put in place
        return fail(f"{args.source} has no readable frames")
    print(f"{args.output}: {frames} frames of {width}x{height} at {fps:.2f} fps ({fourcc}) from {args.source.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
