"""How often a probability chart covers another face in crowded scenes, for both overlays.

Random scenes of 2-5 non-overlapping faces (50-200 px) in 640-1280 px frames; each face's
chart is placed as the app places it: the Qt view's layout (``overlay_painter``) and the
core's drawing for recordings and snapshots (``overlay.draw_results``). Prints counts.

    python -m scripts.chart_layout_crowds [--scenes 400] [--seed 0]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
from PyQt6.QtCore import QRectF
from PyQt6.QtWidgets import QApplication

from emotion_app.io import overlay
from emotion_app.gui.overlay_painter import layout_bars
from emotion_app.faces.geometry import Box, overlap_area
from emotion_app.results import FaceResult

LABELS = ("angry", "fear", "happy", "sad", "surprise", "neutral")

def random_scene(rng: random.Random) -> tuple[int, int, list[Box]]:
    width, height = rng.choice([640, 960, 1280]), rng.choice([360, 480, 720])
    faces: list[Box] = []
    for _ in range(rng.randint(2, 5)):
        side = int(rng.uniform(50, 200))
        for _attempt in range(50):
            box = (int(rng.uniform(0, width - side)), int(rng.uniform(0, height - side)), side, side)
            if all(overlap_area(box, other) == 0 for other in faces):
                faces.append(box)
                break
    return width, height, faces

def qt_charts(width: int, height: int, faces: list[Box]) -> list[Box | None]:
    rects = [QRectF(*face) for face in faces]
    placed: list[QRectF] = []
    charts: list[Box | None] = []
    for position, rect in enumerate(rects):
        others = [r for i, r in enumerate(rects) if i != position] + placed
        layout = layout_bars(rect, LABELS, QRectF(0, 0, width, height), others)
        if layout is None:
            charts.append(None)
            continue
        placed.append(layout.panel)
        panel = layout.panel
        charts.append((int(panel.x()), int(panel.y()), int(panel.width()), int(panel.height())))
    return charts

def core_charts(width: int, height: int, faces: list[Box]) -> list[Box | None]:
    """The chart rectangles ``overlay.draw_results`` draws, in face order (its steps, spelled out)."""
    canvas = np.zeros((height, width, 3), np.uint8)
    results = [FaceResult(face, i, "happy", 0.5, (0.1, 0.1, 0.5, 0.1, 0.1, 0.1)) for i, face in enumerate(faces)]
    drawn = [overlay._draw_face(canvas, result) for result in results]
    charts: list[Box | None] = []
    placed: list[Box] = []
    for position, (result, (box, tag)) in enumerate(zip(results, drawn)):
        others = [r for i, d in enumerate(drawn) if i != position for r in d] + placed
        chart = overlay._draw_bars(canvas, result, LABELS, box, others, [box, tag])
        if chart is not None:
            placed.append(chart)
        charts.append(chart)
    return charts

def report(name: str, scenes: list[tuple[int, int, list[Box]]], place) -> None:
    charts = covering_face = covering_chart = covering_own = missing = 0
    heights: list[int] = []
    for width, height, faces in scenes:
        placed: list[Box] = []
        for position, chart in enumerate(place(width, height, faces)):
            if chart is None:
                missing += 1
                continue
            charts += 1
            others = [f for i, f in enumerate(faces) if i != position]
            covering_face += any(overlap_area(chart, f) > 0 for f in others)
            covering_chart += any(overlap_area(chart, c) > 0 for c in placed)
            covering_own += overlap_area(chart, faces[position]) > 0
            heights.append(chart[3])
            placed.append(chart)
    print(
        f"{name}: {charts} charts, {covering_face} cover another face ({covering_face / max(1, charts):.1%}), "
        f"{covering_chart} another chart, {covering_own} their own face; {missing} faces without a chart; "
        f"median chart height {statistics.median(heights):.0f} px"
    )

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenes", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    scenes = [random_scene(rng) for _ in range(args.scenes)]
    _app = QApplication([])
    print(f"{len(scenes)} scenes, {sum(len(s[2]) for s in scenes)} faces")
    report("app view (Qt)", scenes, qt_charts)
    report("recordings (core overlay)", scenes, core_charts)

if __name__ == "__main__":
    main()
