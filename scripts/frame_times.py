"""How far each frame's time by the frame rate is from the time its container gives it.

    python -m scripts.frame_times CLIP [CLIP ...] [--json]

Phone recordings and edited clips often have a variable frame rate. The app and
``analyze`` time frames by their container's timestamps (``emotion_app/io/frame_times.py``);
this prints, per clip, the reported frame rate, the shortest and longest step between
frames' container times, and the largest difference between a frame's number over the
frame rate (how they were timed before) and its container time. The last line printed is
one JSON object.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import cv2

from emotion_app.io.frame_times import FrameTimes
from scripts.support.arguments import script_parser
from scripts.support.errors import refuse


def clip_times(path: Path) -> dict[str, Any]:
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        refuse(f"{path}: not a video OpenCV can open")
    fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
    times = FrameTimes(fps)
    stamped: list[float] = []
    while capture.read()[0]:
        time_s = times.next(float(capture.get(cv2.CAP_PROP_POS_MSEC)))
        if time_s is not None:
            stamped.append(time_s)
    capture.release()
    steps = [b - a for a, b in zip(stamped, stamped[1:], strict=False)]
    gaps = [abs(index / fps - time_s) for index, time_s in enumerate(stamped)] if fps > 0 else []
    worst = max(range(len(gaps)), key=gaps.__getitem__) if gaps else None
    return {
        "clip": path.name,
        "fps": fps,
        "frames": len(stamped),
        "step_ms": [min(steps) * 1000.0, max(steps) * 1000.0] if steps else None,
        "largest_gap_ms": gaps[worst] * 1000.0 if worst is not None else None,
        "at_frame": worst,
    }


def main(argv: list[str] | None = None) -> int:
    parser = script_parser(__file__, __doc__.splitlines()[0])
    parser.add_argument("clips", type=Path, nargs="+", metavar="CLIP")
    parser.add_argument("--json", action="store_true", help="(the JSON line is always printed last)")
    args = parser.parse_args(argv)
    report = [clip_times(path) for path in args.clips]
    for row in report:
        steps = row["step_ms"]
        step_text = f"{steps[0]:.1f}-{steps[1]:.1f} ms" if steps else "-"
        gap = row["largest_gap_ms"]
        gap_text = f"{gap:.1f} ms (frame {row['at_frame']})" if gap is not None else "-"
        print(
            f"{row['clip']:<28} {row['fps']:7.3f} fps, {row['frames']:5d} frames, steps {step_text}, "
            f"frame/fps off by up to {gap_text}"
        )
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
