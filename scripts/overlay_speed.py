"""How long the core overlay renderer takes per frame (the screen, snapshots, recordings
and ``analyze --output`` all use it): median and p95 over frames whose probabilities
change every frame. The first --warmup frames fill the text cache (rendered labels and
percentages) and are not counted; a live session fills it within seconds too.

    python -m scripts.overlay_speed [--frames 300] [--warmup 200] [--size 1280x720] [--counts 1,3,5,12,24]
                                    [--display-scale S] [--pixel-ratio R] [--places afresh|kept|both]

Up to five faces stand in a row; more (a gallery, a classroom) in a grid of tiles, each
face about 40% of its tile's smaller side. With --pixel-ratio the whole screen picture the
app's inference thread makes is timed (``annotation.annotate_frame``: the overlay, on the
frame enlarged R times for a high-DPI screen within its bounds, and the conversion for Qt).
With --places kept each frame is laid out with the charts' places of the one before
(``overlay_layout.ChartPlaces``), as the app and ``analyze --output`` draw a stream; with
both, each frame is drawn both ways in turns, so a busy machine slows both alike.
"""

from __future__ import annotations

import math
import statistics
import time

import numpy as np

from emotion_app.gui.annotation import StreamChartPlaces, annotate_frame, enlarged_size
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
    parser.add_argument(
        "--places",
        choices=("afresh", "kept", "both"),
        default="afresh",
        help="lay out each frame afresh, or with the charts' places of the frame before (kept), as the app and "
        "analyze draw a stream; both: each frame both ways, in turns, and the ratio of their medians",
    )
    args = parser.parse_args()
    width, height = args.size
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    ways = ("afresh", "kept") if args.places == "both" else (args.places,)
    for count in args.counts:
        boxes = face_boxes(count, width, height)
        times: dict[str, list[float]] = {way: [] for way in ways}
        places = {way: StreamChartPlaces() if way == "kept" else None for way in ways}
        for frame_number in range(args.warmup + args.frames):
            faces = []
            for i, box in enumerate(boxes):
                p = rng.dirichlet(np.ones(len(LABELS)))
                top = int(np.argmax(p))
                faces.append(FaceResult(box, i + 1, LABELS[top], float(p[top]), tuple(float(v) for v in p)))
            # Each way first in every other frame: neither gains by the other having drawn
            # (and cached) the frame's texts, and both meet the same load of a busy machine.
            for way in ways[frame_number % len(ways) :] + ways[: frame_number % len(ways)]:
                start = time.perf_counter()
                draw(frame, faces, args.display_scale, args.pixel_ratio, places[way])
                if frame_number >= args.warmup:
                    times[way].append((time.perf_counter() - start) * 1000.0)
        shown = f" shown at {args.display_scale:g}" if args.display_scale else ""
        if args.pixel_ratio is not None:
            shown += " on screen as {}x{}".format(*enlarged_size(width, height, args.pixel_ratio))
        for way, taken in times.items():
            taken.sort()
            print(
                f"{width}x{height}{shown}, {count} face(s) with charts, {way}: median {statistics.median(taken):.2f} "
                f"ms, p95 {taken[int(0.95 * (len(taken) - 1))]:.2f} ms per frame"
            )
        if len(ways) == 2:
            ratio = statistics.median(times["kept"]) / statistics.median(times["afresh"])
            print(f"  kept / afresh: {ratio:.2f} x the median")


def draw(
    frame: np.ndarray,
    faces: list[FaceResult],
    display_scale: float | None,
    pixel_ratio: float | None,
    places: StreamChartPlaces | None,
) -> None:
    """The overlay drawn on ``frame`` (with ``pixel_ratio``: the screen's whole picture),
    laid out with the stream's ``places`` of the frame before, or afresh without."""
    if pixel_ratio is None:
        chart_places = None if places is None else places.shown
        draw_results(frame, faces, LABELS, show_bars=True, display_scale=display_scale, chart_places=chart_places)
    else:
        annotate_frame(
            frame,
            tuple(faces),
            LABELS,
            True,
            display_scale,
            saved_too=False,
            pixel_ratio=pixel_ratio,
            chart_places=places,
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
