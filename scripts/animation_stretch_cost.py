"""Count and time the frames OpenCV decodes to read an animation through the app's reader
(``open_input`` and its ``frames()``): an APNG, WebP or GIF of FRAMES frames of SIDE x SIDE
pixels is written with ``cv2.imwriteanimation``, and for each N its first N frames are read;
printed are the seconds and the frames OpenCV decoded for them (every call of
``cv2.imdecodeanimation(data, start, count)`` decodes frames 0 to start + count - 1).

    python -m scripts.animation_stretch_cost [--frames 800] [--side 480] [--format png]
        [--reads 200,400,800] [--stretch-mb 256]
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from emotion_app.io import multi_picture
from emotion_app.io.video import open_input
from scripts.support.arguments import positive_int, positive_ints, script_parser


def frame(index: int, side: int, rng: np.random.Generator) -> np.ndarray:
    """A frame that changes all over from the one before (a moving gradient, a little noise),
    so each is stored and decoded whole."""
    ramp = (np.arange(side, dtype=np.uint16)[None, :] + 7 * index) % 256
    picture = np.repeat(np.broadcast_to(ramp, (side, side))[..., None], 3, axis=2).astype(np.uint8)
    return picture ^ rng.integers(0, 4, picture.shape, dtype=np.uint8)


def main() -> None:
    parser = script_parser(__file__, __doc__, raw_description=True)
    parser.add_argument("--frames", type=positive_int, default=800, help="frames in the animation")
    parser.add_argument("--side", type=positive_int, default=480, help="each frame's width and height in pixels")
    parser.add_argument("--format", choices=("png", "webp", "gif"), default="png", help="the animation's kind")
    parser.add_argument("--reads", type=positive_ints, default=[200, 400, 800], help="numbers of frames to read")
    parser.add_argument(
        "--stretch-mb", type=int, default=multi_picture.MAX_STRETCH_BYTES >> 20, help="the reader's stretch cap, MiB"
    )
    args = parser.parse_args()
    if args.frames < 2 or args.stretch_mb < 1 or max(args.reads) > args.frames:
        parser.error("--frames must be at least 2 and the largest of --reads; --side and --stretch-mb at least 1")
    multi_picture.MAX_STRETCH_BYTES = args.stretch_mb << 20
    decoded = [0]
    decode = cv2.imdecodeanimation

    def counted(data: Any, start: int, count: int) -> Any:
        result = decode(data, start, count)
        decoded[0] += start + len(result[1].frames)
        return result

    # Counting only: the reader's own calls, each decoded as before.
    cv2.imdecodeanimation = counted  # type: ignore[assignment]
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / f"long.{args.format}"
        animation = cv2.Animation()
        animation.frames = [frame(index, args.side, rng) for index in range(args.frames)]
        animation.durations = [40] * args.frames
        if not cv2.imwriteanimation(str(path), animation):
            parser.error(f"OpenCV could not write {path}")
        del animation
        print(f"{args.frames} frames of {args.side}x{args.side}, {path.stat().st_size / 1e6:.1f} MB")
        for count in args.reads:
            decoded[0] = 0
            started = time.perf_counter()
            media = open_input(path)  # its first stretch decoded at once
            for index, _, _ in media.frames():
                if index + 1 >= count:
                    break
            seconds = time.perf_counter() - started
            print(f"frames 0..{count - 1}: {seconds:.2f} s, {decoded[0]} frames decoded by OpenCV")


if __name__ == "__main__":
    main()
