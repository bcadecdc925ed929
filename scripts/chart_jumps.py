"""How often probability charts jump between places, or come and go, as face boxes jitter.

Crowded scenes (``chart_layout_crowds --tight``: 8 faces of 40-140 px in 640x480) drawn
for ``--frames`` frames each, every box jittered by up to ``--jitter`` px per frame and,
with ``--drift``, moving slowly across the frame; laid out by the app's one overlay layout
with and without the charts' places of the last frame (``overlay_layout.ChartPlaces``, as
the window and ``analyze --output`` lay out a stream). A jump: a chart present in two
frames in a row whose place relative to its face moved more than ``--moved`` px (or whose
size changed); appear/vanish: a face's chart shown in one frame and not the next.

    python -m scripts.chart_jumps [--scenes 30] [--frames 60] [--jitter 3] [--drift] [--seed 0]
"""

from __future__ import annotations

import random

from emotion_app.io.overlay import PillowText
from emotion_app.io.overlay_layout import ChartPlaces, layout_overlay
from emotion_app.results import FaceResult
from scripts.support.arguments import positive_int, script_parser
from scripts.support.crowd_scenes import LABELS, Rect, random_scene


def count_changes(
    width: int, height: int, frames: list[list[Rect]], places: ChartPlaces | None, measure: PillowText, moved: int
) -> tuple[int, int]:
    """(jumps, appear/vanish) of the charts over ``frames`` (each the scene's boxes)."""
    jumps = toggles = 0
    last: dict[int, tuple[int, int, int, int] | None] = {}
    for boxes in frames:
        results = [FaceResult(box, i, "happy", 0.5, (0.1, 0.1, 0.5, 0.1, 0.1, 0.1)) for i, box in enumerate(boxes)]
        drawn = layout_overlay(results, LABELS, width, height, True, measure, None, places)
        for i, item in enumerate(drawn):
            now = None
            if item.chart is not None:
                x, y, w, h = item.chart.rect
                now = (x - item.box[0], y - item.box[1], w, h)
            if i in last:
                before = last[i]
                toggles += (before is None) != (now is None)
                if before is not None and now is not None:
                    shifted = max(abs(now[0] - before[0]), abs(now[1] - before[1])) > moved
                    jumps += shifted or now[2:] != before[2:]
            last[i] = now
    return jumps, toggles


def jittered(
    rng: random.Random, width: int, height: int, faces: list[Rect], frames_n: int, jitter: int, drift: bool
) -> list[list[Rect]]:
    """The scene's boxes over ``frames_n`` frames: each moved and resized by up to ``jitter``
    px a frame and, with ``drift``, moving up to half a pixel a frame each way."""
    frames: list[list[Rect]] = []
    velocity = [(rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5)) if drift else (0.0, 0.0) for _ in faces]
    for frame in range(frames_n):
        boxes = []
        for (x, y, w, h), (vx, vy) in zip(faces, velocity):
            dx, dy = rng.randint(-jitter, jitter), rng.randint(-jitter, jitter)
            dw = rng.randint(-jitter, jitter)
            bx = int(min(max(0, x + vx * frame + dx), width - w))
            by = int(min(max(0, y + vy * frame + dy), height - h))
            boxes.append((bx, by, max(8, w + dw), max(8, h + dw)))
        frames.append(boxes)
    return frames


def main() -> None:
    parser = script_parser(__file__, __doc__, raw_description=True)
    parser.add_argument("--scenes", type=positive_int, default=30)
    parser.add_argument("--frames", type=positive_int, default=60)
    parser.add_argument("--jitter", type=positive_int, default=3, help="largest jitter per frame, px")
    parser.add_argument("--moved", type=int, default=6, help="px a chart moves relative to its face to count a jump")
    parser.add_argument("--drift", action="store_true", help="faces also move slowly")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    measure = PillowText()
    totals = {"without memory": [0, 0], "with ChartPlaces": [0, 0]}
    faces_n = 0
    for _ in range(args.scenes):
        width, height, faces = random_scene(rng, tight=True)
        faces_n += len(faces)
        frames = jittered(rng, width, height, faces, args.frames, args.jitter, args.drift)
        for name, places in (("without memory", None), ("with ChartPlaces", ChartPlaces())):
            jumps, toggles = count_changes(width, height, frames, places, measure, args.moved)
            totals[name][0] += jumps
            totals[name][1] += toggles
    print(f"{args.scenes} scenes, {faces_n} faces, {args.frames} frames each, jitter ±{args.jitter} px")
    for name, (jumps, toggles) in totals.items():
        print(f"{name}: {jumps} jumps, {toggles} appear/vanish")


if __name__ == "__main__":
    main()
