"""Write a realistic benchmark clip: the astronaut's head moving and zooming over a photo.

    python -m scripts.make_bench_clip /tmp/bench_720p.mp4 --size 1280x720 --frames 300

The face drifts along a smooth path, grows and shrinks (about 80 to 190 px at 720p),
tilts a little, the light flickers and every frame gets sensor noise; the background is
scikit-image's coffee photo (textured, face-free). Needs scikit-image (a dev dependency).
"""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np
from skimage import data

from emotion_app.cli.common import fail
from emotion_app.io.atomic import OutputError
from scripts.support.arguments import frame_size, script_parser
from scripts.support.video_out import VideoOut


def frames(width: int, height: int, count: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    background = cv2.resize(
        cv2.cvtColor(data.coffee(), cv2.COLOR_RGB2BGR), (width, height), interpolation=cv2.INTER_CUBIC
    )
    person = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)[0:330, 90:370]  # head and shoulders
    face_in_person = (177 - 90, 66, 95)  # x, y, side of the face inside that crop
    unit = height / 720.0
    for index in range(count):
        t = index / max(1, count - 1)
        face_side = unit * (135 + 55 * math.sin(2 * math.pi * 1.5 * t))
        factor = face_side / face_in_person[2]
        sprite = cv2.resize(
            person, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
        )
        angle = 6 * math.sin(2 * math.pi * 2 * t)
        rotation = cv2.getRotationMatrix2D((sprite.shape[1] / 2, sprite.shape[0] / 2), angle, 1.0)
        sprite = cv2.warpAffine(sprite, rotation, (sprite.shape[1], sprite.shape[0]), borderMode=cv2.BORDER_REFLECT)
        cx = width * (0.5 + 0.32 * math.sin(2 * math.pi * t))
        cy = height * (0.5 + 0.15 * math.sin(2 * math.pi * 2 * t + 0.7))
        x = int(cx - sprite.shape[1] / 2)
        y = int(cy - sprite.shape[0] / 2)
        frame = background.copy()
        x0, y0 = max(0, x), max(0, y)
        x1, y1 = min(width, x + sprite.shape[1]), min(height, y + sprite.shape[0])
        frame[y0:y1, x0:x1] = sprite[y0 - y : y1 - y, x0 - x : x1 - x]
        gain = 1.0 + 0.08 * math.sin(2 * math.pi * 5 * t)
        noisy = frame.astype(np.float32) * gain + rng.normal(0, 3.0, frame.shape)
        yield np.clip(noisy, 0, 255).astype(np.uint8)


def main(argv: list[str] | None = None) -> int:
    parser = script_parser(__file__, __doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--size", type=frame_size, default=(1280, 720), help="WIDTHxHEIGHT (default 1280x720)")
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--fps", type=float, default=30.0)
    args = parser.parse_args(argv)
    width, height = args.size
    try:
        with VideoOut(args.output, "mp4v", args.fps, (width, height)) as video:
            for frame in frames(width, height, args.frames):
                video.write(frame)
    except OutputError as exc:
        return fail(str(exc))
    print(f"wrote {args.output}: {args.frames} frames of {width}x{height}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
