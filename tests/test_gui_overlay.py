"""Overlay layout and painting: boxes, tags and probability bars stay legible and inside the view."""

from __future__ import annotations

import random

import numpy as np
import pytest
from PyQt6.QtCore import QRectF
from PyQt6.QtGui import QColor, QImage, QPainter

from emotion_app.gui.overlay_painter import (
    MAX_ROW_PX,
    MIN_ROW_PX,
    FrameMapping,
    emotion_color,
    fit_frame,
    layout_bars,
    paint_faces,
)
from emotion_app.results import FaceResult
from emotion_app.samples import SEVEN_LABELS, SIX_LABELS

VIEW = QRectF(0, 0, 640, 480)


def face(box: tuple[int, int, int, int], label: str = "happy", labels: tuple[str, ...] = SIX_LABELS) -> FaceResult:
    probabilities = tuple(0.5 if name == label else 0.5 / (len(labels) - 1) for name in labels)
    return FaceResult(box, 1, label, 0.5, probabilities)


def inside(inner: QRectF, outer: QRectF) -> bool:
    return (
        inner.left() >= outer.left() - 1e-6
        and inner.top() >= outer.top() - 1e-6
        and inner.right() <= outer.right() + 1e-6
        and inner.bottom() <= outer.bottom() + 1e-6
    )


def test_a_60_pixel_face_gets_a_legible_chart_beside_it(qapp: object) -> None:
    box = QRectF(200, 200, 60, 60)
    layout = layout_bars(box, SIX_LABELS, VIEW)
    assert layout is not None
    assert layout.row_height >= MIN_ROW_PX and layout.font_px >= 10
    assert inside(layout.panel, VIEW)
    assert layout.panel.left() >= box.right()  # beside the face, not over it


def test_a_face_filling_the_view_gets_a_bounded_chart_inside_the_view(qapp: object) -> None:
    layout = layout_bars(QRectF(VIEW), SEVEN_LABELS, VIEW)
    assert layout is not None
    assert layout.row_height <= MAX_ROW_PX
    assert inside(layout.panel, VIEW)


def test_a_face_at_the_right_edge_gets_its_chart_on_the_left(qapp: object) -> None:
    box = QRectF(560, 100, 80, 80)
    layout = layout_bars(box, SIX_LABELS, VIEW)
    assert layout is not None
    assert layout.panel.right() <= box.left()


def test_charts_never_leave_the_view_for_any_face_size_or_place(qapp: object) -> None:
    rng = random.Random(0)
    for _ in range(400):
        bounds = QRectF(rng.uniform(0, 50), rng.uniform(0, 50), rng.uniform(120, 1200), rng.uniform(90, 900))
        side = rng.uniform(20, max(bounds.width(), bounds.height()) * 1.3)
        box = QRectF(
            rng.uniform(bounds.left() - side / 2, bounds.right()), rng.uniform(bounds.top() - side / 2, bounds.bottom()), side, side
        )
        layout = layout_bars(box, SEVEN_LABELS, bounds)
        if layout is not None:
            assert inside(layout.panel, bounds), (box, bounds, layout.panel)


def test_in_a_crowd_charts_shrink_rather_than_cover_another_face(qapp: object) -> None:
    # Three faces shoulder to shoulder: a full-size chart has no free spot next to the middle
    # face, a smaller one does (below it, between its neighbours' charts).
    faces = [QRectF(100 + i * 140, 100, 130, 130) for i in range(3)]
    placed: list[QRectF] = []
    layouts = []
    for position, box in enumerate(faces):
        others = [r for i, r in enumerate(faces) if i != position] + placed
        layout = layout_bars(box, SIX_LABELS, VIEW, others)
        assert layout is not None and inside(layout.panel, VIEW)
        assert all(not layout.panel.intersects(other) for other in others), (position, layout.panel)
        placed.append(layout.panel)
        layouts.append(layout)
    assert min(layout.row_height for layout in layouts) < max(layout.row_height for layout in layouts)


def test_random_crowds_keep_every_chart_off_the_other_faces(qapp: object) -> None:
    rng = random.Random(1)
    for _ in range(100):
        faces: list[QRectF] = []
        for _attempt in range(40):
            side = rng.uniform(50, 160)
            box = QRectF(rng.uniform(0, 640 - side), rng.uniform(0, 480 - side), side, side)
            if not any(box.intersects(other) for other in faces):
                faces.append(box)
            if len(faces) == 4:
                break
        placed: list[QRectF] = []
        for position, box in enumerate(faces):
            layout = layout_bars(box, SIX_LABELS, VIEW, [r for i, r in enumerate(faces) if i != position] + placed)
            assert layout is not None
            assert not any(layout.panel.intersects(r) for i, r in enumerate(faces) if i != position), (faces, position)
            placed.append(layout.panel)


def test_a_view_too_small_for_a_legible_chart_gets_none(qapp: object) -> None:
    assert layout_bars(QRectF(10, 10, 30, 30), SIX_LABELS, QRectF(0, 0, 80, 50)) is None


def test_painting_changes_pixels_only_inside_the_bounds(qapp: object) -> None:
    image = QImage(400, 300, QImage.Format.Format_RGB32)
    image.fill(QColor(40, 40, 40))
    bounds = QRectF(50, 40, 300, 220)  # the picture inside a letterboxed view
    faces = [face((250, 60, 60, 60)), face((-20, 200, 90, 90), "sad")]  # one near the right, one past the edge
    painter = QPainter(image)
    paint_faces(painter, faces, SIX_LABELS, FrameMapping(1.0, 50, 40), bounds, show_bars=True)
    painter.end()
    pixels = np.array([[image.pixel(x, y) for x in range(400)] for y in range(300)], dtype=np.uint32)
    background = QColor(40, 40, 40).rgb()
    outside = np.ones_like(pixels, dtype=bool)
    outside[40:260, 50:350] = False
    assert (pixels[outside] == background).all()
    assert (pixels[~outside] != background).mean() > 0.05


def test_every_emotion_has_its_own_colour(qapp: object) -> None:
    colours = {emotion_color(label, SEVEN_LABELS).rgb() for label in SEVEN_LABELS}
    assert len(colours) == len(SEVEN_LABELS)
    assert emotion_color("unknown-class", ("unknown-class",)).isValid()


@pytest.mark.parametrize("frame,target,expected", [((640, 480), (800, 600), 1.25), ((640, 480), (1000, 600), 1.25)])
def test_fit_frame_keeps_the_aspect_ratio_and_centres(frame: tuple[int, int], target: tuple[int, int], expected: float) -> None:
    mapping, rect = fit_frame(*frame, QRectF(0, 0, *target))
    assert mapping.scale == pytest.approx(expected)
    assert rect.width() / rect.height() == pytest.approx(frame[0] / frame[1])
    assert rect.center().x() == pytest.approx(target[0] / 2) and rect.center().y() == pytest.approx(target[1] / 2)


def test_charts_of_neighbouring_faces_do_not_overlap(qapp: object) -> None:
    # Two faces with a gap narrower than one chart: the charts must go elsewhere.
    left, right = QRectF(150, 180, 90, 90), QRectF(300, 180, 90, 90)
    first = layout_bars(left, SIX_LABELS, VIEW, [right])
    assert first is not None
    second = layout_bars(right, SIX_LABELS, VIEW, [left, first.panel])
    assert second is not None
    assert not first.panel.intersects(second.panel)
    assert not first.panel.intersects(right) and not second.panel.intersects(left)
