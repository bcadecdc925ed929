"""How long the core overlay renderer takes per frame (the screen, snapshots, recordings
and ``analyze --output`` all use it): median and p95 over frames whose probabilities
change every frame. The first --warmup frames fill the text cache (rendered labels and
percentages) and are not counted; a live session fills it within seconds too.

    python -m scripts.overlay_speed [--frames 300] [--warmup 200] [--size 1280x720] [--counts 1,3,5,12,24]
                                    [--display-scale S] [--pixel-ratio R]

Up to five faces stand in a row; more (a gallery, a classroom) in a grid of tiles, each
face about 40% of its tile's smaller side. With --pixel-ratio the whole screen picture the
app's inference thread makes is timed (``annotation.annotate_frame``: the overlay, on the
frame enlarged R times for a high-DPI screen within its bounds, and the conversion for Qt).
"""

from __future__ import annotations

import math
import statistics
import time

import numpy as np

from emotion_app.gui.annotation import annotate_frame, enlarged_size
from emotion_app.io.overlay import draw_results
from emotion_app.results import FaceResult
from scripts.support.arguments import frame_size, non_negative_int, positive_int, positive_ints, script_parser

LABELS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")


def main() -> None:
    parser = script_parser(__file__, __doc__, raw_description=True)
    parser.add_argument("--frames", type=positive_int, default=300)
    parser.add_argument("--warmup", type=non_negative_int, default=200)
    parser.add_argument("--size", type=frame_size, default=(1280, 720), help="WIDTHxHEIGHT (default 1280x720)")
    parser.add_argument(
        "--counts",
        type=positive_ints,
        default=[1, 3, 5, 12, 24],
        help="faces per frame, comma-separated (default 1,3,5,12,24)",
    )
    parser.add_argument(
        "--display-scale",
        type=float,
        default=None,
        help="draw for a view showing the frame at this scale, as the app's screen does "
        "(e.g. 0.42: 1280x720 in a window of 800x600; text grows to read there); default: the frame's own sizes",
    )
    parser.add_argument(
        "--pixel-ratio",
        type=float,
        default=None,
        help="time the screen's whole picture, enlarged this many times as for a high-DPI screen "
        "(2: a laptop at 200%%; 1: a screen of ratio 1); default: the overlay alone",
    )
    args = parser.parse_args()
    width, height = args.size
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    for count in args.counts:
        boxes = face_boxes(count, width, height)
        times: list[float] = []
        for frame_number in range(args.warmup + args.frames):
            faces = []
            for i, box in enumerate(boxes):
                p = rng.dirichlet(np.ones(len(LABELS)))
                top = int(np.argmax(p))
                faces.append(FaceResult(box, i + 1, LABELS[top], float(p[top]), tuple(float(v) for v in p)))
            start = time.perf_counter()
            if args.pixel_ratio is None:
                draw_results(frame, faces, LABELS, show_bars=True, display_scale=args.display_scale)
            else:
                annotate_frame(
                    frame, tuple(faces), LABELS, True, args.display_scale, saved_too=False, pixel_ratio=args.pixel_ratio
                )
            if frame_number >= args.warmup:
                times.append((time.perf_counter() - start) * 1000.0)
        times.sort()
        shown = f" shown at {args.display_scale:g}" if args.display_scale else ""
        if args.pixel_ratio is not None:
            shown += " on screen as {}x{}".format(*enlarged_size(width, height, args.pixel_ratio))
        print(
            f"{width}x{height}{shown}, {count} face(s) with charts: median {statistics.median(times):.2f} ms, "
            f"p95 {times[int(0.95 * (len(times) - 1))]:.2f} ms per frame"
        )


def face_boxes(count: int, width: int, height: int) -> list[tuple[int, int, int, int]]:
    """Up to five faces in a row, more in a grid of tiles (see the module notes)."""
    if count <= 5:
        return [(int(80 + i * width / 5.5), int(height * 0.3), int(height / 5), int(height / 5)) for i in range(count)]
    columns = math.ceil(math.sqrt(count * width / height))
    rows = math.ceil(count / columns)
    tile_w, tile_h = width / columns, height / rows
    side = int(0.4 * min(tile_w, tile_h))
    return [(int((i % columns + 0.3) * tile_w), int((i // columns + 0.3) * tile_h), side, side) for i in range(count)]


if __name__ == "__main__":
    main()
