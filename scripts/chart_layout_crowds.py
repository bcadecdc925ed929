"""How often a probability chart covers another face (or chart) in crowded scenes.

Random scenes of 2-5 non-overlapping faces (50-200 px) in 640-1280 px frames (with
``--tight``: 8 faces of 40-140 px in 640x480, where many have no free spot); each face's
chart is placed by the app's one overlay layout (``emotion_app.io.overlay_layout``), the
layout of the screen, snapshots, recordings and ``analyze --output``. Prints counts.

    python -m scripts.chart_layout_crowds [--scenes 400] [--seed 0] [--tight]
"""

from __future__ import annotations

import random
import statistics

from emotion_app.io.overlay import PillowText
from emotion_app.io.overlay_layout import layout_overlay, overlap_area
from emotion_app.results import FaceResult
from scripts.support.arguments import positive_int, script_parser
from scripts.support.crowd_scenes import LABELS, Rect, random_scene


def main() -> None:
    parser = script_parser(__file__, __doc__, raw_description=True)
    parser.add_argument("--scenes", type=positive_int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tight", action="store_true", help="8 faces of 40-140 px in 640x480 per scene")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    scenes = [random_scene(rng, args.tight) for _ in range(args.scenes)]
    measure = PillowText()
    charts = covering_face = covering_chart = covering_own = missing = 0
    heights: list[int] = []
    for width, height, faces in scenes:
        results = [FaceResult(face, i, "happy", 0.5, (0.1, 0.1, 0.5, 0.1, 0.1, 0.1)) for i, face in enumerate(faces)]
        drawn = layout_overlay(results, LABELS, width, height, True, measure)
        placed: list[Rect] = []
        for position, item in enumerate(drawn):
            if item.chart is None:
                missing += 1
                continue
            chart = item.chart.rect
            charts += 1
            others = [f for i, f in enumerate(faces) if i != position]
            covering_face += any(overlap_area(chart, f) > 0 for f in others)
            covering_chart += any(overlap_area(chart, c) > 0 for c in placed)
            covering_own += overlap_area(chart, faces[position]) > 0
            heights.append(chart[3])
            placed.append(chart)
    print(f"{len(scenes)} scenes, {sum(len(s[2]) for s in scenes)} faces")
    print(
        f"{charts} charts, {covering_face} cover another face ({covering_face / max(1, charts):.1%}), "
        f"{covering_chart} another chart, {covering_own} their own face; {missing} faces without a chart; "
        f"median chart height {statistics.median(heights):.0f} px"
    )


if __name__ == "__main__":
    main()
