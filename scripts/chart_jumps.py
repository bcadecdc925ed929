"""How often probability charts jump between places, or come and go, as face boxes jitter.

Crowded scenes (``chart_layout_crowds --tight``: 8 faces of 40-140 px in 640x480) drawn
for ``--frames`` frames each, every box jittered by up to ``--jitter`` px per frame and,
with ``--drift``, moving slowly across the frame; laid out by the app's one overlay layout
with and without the charts' places of the last frame (``overlay_layout.ChartPlaces``, as
the window and ``analyze --output`` lay out a stream). A jump: a chart present in two
frames in a row whose place relative to its face moved more than ``--moved`` px (or whose
size changed); appear/vanish: a face's chart shown in one frame and not the next; tag
jumps: a face's tag moved so. Over every frame it counts too the faces without a chart,
the charts overlapping another chart, their own face or their own tag (a face with no
other near may have its chart over its edge or its tag's), and those covering another face
or another's tag (the layout allows none).

    python -m scripts.chart_jumps [--scenes 30] [--frames 60] [--jitter 3] [--drift] [--seed 0]
"""

from __future__ import annotations

import random
from dataclasses import dataclass, fields

from emotion_app.io.overlay import PillowText
from emotion_app.io.overlay_layout import ChartPlaces, layout_overlay, overlap_area
from emotion_app.results import FaceResult
from scripts.support.arguments import positive_int, script_parser
from scripts.support.crowd_scenes import LABELS, Rect, random_scene


@dataclass
class Changes:
    """What the charts (and tags) did over a scene's frames."""

    jumps: int = 0
    appear_vanish: int = 0
    tag_jumps: int = 0
    without_chart: int = 0  # faces, summed over the frames
    overlapping_chart: int = 0  # charts, summed over the frames
    over_own_face: int = 0
    over_own_tag: int = 0
    over_another: int = 0  # another face, or another's tag

    def add(self, other: Changes) -> None:
        for field in fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))


def count_changes(
    width: int, height: int, frames: list[list[Rect]], places: ChartPlaces | None, measure: PillowText, moved: int
) -> Changes:
    """What the charts and tags did over ``frames`` (each the scene's boxes)."""
    changes = Changes()
    last: dict[int, tuple[int, int, int, int] | None] = {}
    last_tag: dict[int, tuple[int, int]] = {}
    for boxes in frames:
        results = [FaceResult(box, i, "happy", 0.5, (0.1, 0.1, 0.5, 0.1, 0.1, 0.1)) for i, box in enumerate(boxes)]
        drawn = layout_overlay(results, LABELS, width, height, True, measure, None, places)
        charts = [item.chart.rect for item in drawn if item.chart is not None]
        for i, item in enumerate(drawn):
            now = None
            if item.chart is not None:
                x, y, w, h = item.chart.rect
                now = (x - item.box[0], y - item.box[1], w, h)
                others = [other for other in drawn if other is not item]
                changes.overlapping_chart += sum(overlap_area(item.chart.rect, chart) > 0 for chart in charts) > 1
                changes.over_own_face += overlap_area(item.chart.rect, item.box) > 0
                changes.over_own_tag += overlap_area(item.chart.rect, item.tag.rect) > 0
                changes.over_another += any(
                    overlap_area(item.chart.rect, other.box) or overlap_area(item.chart.rect, other.tag.rect)
                    for other in others
                )
            changes.without_chart += now is None
            tag = (item.tag.rect[0] - item.box[0], item.tag.rect[1] - item.box[1])
            if i in last:
                before = last[i]
                changes.appear_vanish += (before is None) != (now is None)
                if before is not None and now is not None:
                    shifted = max(abs(now[0] - before[0]), abs(now[1] - before[1])) > moved
                    changes.jumps += shifted or now[2:] != before[2:]
                was = last_tag[i]
                changes.tag_jumps += max(abs(tag[0] - was[0]), abs(tag[1] - was[1])) > moved
            last[i], last_tag[i] = now, tag
    return changes


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
    totals = {"without memory": Changes(), "with ChartPlaces": Changes()}
    faces_n = 0
    for _ in range(args.scenes):
        width, height, faces = random_scene(rng, tight=True)
        faces_n += len(faces)
        frames = jittered(rng, width, height, faces, args.frames, args.jitter, args.drift)
        for name, places in (("without memory", None), ("with ChartPlaces", ChartPlaces())):
            totals[name].add(count_changes(width, height, frames, places, measure, args.moved))
    print(f"{args.scenes} scenes, {faces_n} faces, {args.frames} frames each, jitter ±{args.jitter} px")
    for name, changes in totals.items():
        print(
            f"{name}: {changes.jumps} jumps, {changes.appear_vanish} appear/vanish, {changes.tag_jumps} tag jumps; "
            f"over all frames {changes.without_chart} faces without a chart, charts overlapping another "
            f"{changes.overlapping_chart}, over their own face {changes.over_own_face} or tag "
            f"{changes.over_own_tag}, over another face or another's tag {changes.over_another}"
        )


if __name__ == "__main__":
    main()
