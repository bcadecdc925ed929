"""Random crowded scenes of face boxes for the chart layout's measurements
(``scripts.chart_layout_crowds``, ``scripts.chart_jumps``)."""

from __future__ import annotations

import random

from emotion_app.io.overlay_layout import overlap_area

LABELS = ("angry", "fear", "happy", "sad", "surprise", "neutral")
Rect = tuple[int, int, int, int]


def random_scene(rng: random.Random, tight: bool = False) -> tuple[int, int, list[Rect]]:
    if tight:
        width, height, count, sides = 640, 480, 8, (40, 140)
    else:
        width, height = rng.choice([640, 960, 1280]), rng.choice([360, 480, 720])
        count, sides = rng.randint(2, 5), (50, 200)
    faces: list[Rect] = []
    for _ in range(count):
        side = int(rng.uniform(*sides))
        for _attempt in range(50):
            box = (int(rng.uniform(0, width - side)), int(rng.uniform(0, height - side)), side, side)
            if all(overlap_area(box, other) == 0 for other in faces):
                faces.append(box)
                break
    return width, height, faces
