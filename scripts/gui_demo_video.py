"""Write the astronaut clips the GUI measurement and screenshot scripts play.

    python -m scripts.gui_demo_video OUT.avi [--size 640x480] [--fps 30] [--seconds 10]

A 640x480 30 fps clip in three equal parts with one, two and three astronaut faces
(about 90 px) drifting across the frame, built with emotion_app.samples (the tests' data builders) from
scikit-image's astronaut photo (a dev dependency; nothing is downloaded).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from emotion_app.samples import astronaut_frames, write_video


def one_to_three_faces(num_frames: int, size: tuple[int, int], face_size: int = 90) -> list[np.ndarray]:
    """Frames with 1, then 2, then 3 faces, each part a third of ``num_frames``."""
    frames: list[np.ndarray] = []
    part = max(1, num_frames // 3)
    for copies in (1, 2, 3):
        count = part if copies < 3 else num_frames - 2 * part
        segment, _ = astronaut_frames(
            num_frames=count, frame_size=size, face_size=face_size, copies=copies, motion="move"
        )
        frames.extend(segment)
    return frames


def write_demo_video(path: Path, size: tuple[int, int] = (640, 480), fps: float = 30.0, seconds: float = 10.0) -> Path:
    return write_video(path, one_to_three_faces(int(round(fps * seconds)), size), fps=fps)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--size", default="640x480", help="WIDTHxHEIGHT (default 640x480)")
    parser.add_argument("--fps", type=float, default=30.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))
    print(write_demo_video(args.out, (width, height), args.fps, args.seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
