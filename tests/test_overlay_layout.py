"""The one overlay layout (Qt-free): tags and charts stay legible, inside the frame, and
off the other faces; a crowd shrinks its charts first; unsure faces look unsure."""

from __future__ import annotations

import random

import numpy as np
import pytest

from emotion_app.io.overlay import PillowText
from emotion_app.io.overlay_layout import (
    MIN_SCREEN_TEXT_PX,
    ChartPlaces,
    FaceLayout,
    color_for,
    layout_overlay,
    muted,
    overlap_area,
    overlap_areas,
    palette_for,
    quantised_display_scale,
    text_base_px,
    within_reach,
)
from emotion_app.results import FaceResult
from emotion_app.samples import SEVEN_LABELS, SIX_LABELS

MEASURE = PillowText()
Rect = tuple[int, int, int, int]


def face(box: Rect, label: str = "happy", labels: tuple[str, ...] = SIX_LABELS, track_id: int = 1) -> FaceResult:
    probabilities = tuple(0.5 if name == label else 0.5 / (len(labels) - 1) for name in labels)
    return FaceResult(box, track_id, label, 0.5, probabilities)


def layout(
    boxes: list[Rect], size: tuple[int, int] = (640, 480), labels: tuple[str, ...] = SIX_LABELS
) -> list[FaceLayout]:
    faces = [face(box, labels[0], labels, i + 1) for i, box in enumerate(boxes)]
    return layout_overlay(faces, labels, size[0], size[1], True, MEASURE)


def inside(rect: Rect, size: tuple[int, int]) -> bool:
    x, y, w, h = rect
    return x >= 0 and y >= 0 and x + w <= size[0] and y + h <= size[1]


def test_a_60_pixel_face_gets_a_legible_tag_and_chart_beside_it() -> None:
    (drawn,) = layout([(200, 200, 60, 60)])
    assert drawn.tag.text == "#1 angry 50%" and drawn.tag.font_px >= 11
    chart = drawn.chart
    assert chart is not None and chart.font_px >= 10 and len(chart.rows) == len(SIX_LABELS)
    assert inside(chart.rect, (640, 480))
    assert chart.rect[0] >= 260  # beside the face, not over it
    assert [row.color for row in chart.rows] == [color_for(label) for label in SIX_LABELS]


def test_text_grows_with_the_frame_so_it_stays_legible_when_the_screen_scales_it() -> None:
    assert text_base_px(320, 240) == 11
    assert text_base_px(1920, 1080) == 27
    small = layout([(200, 200, 60, 60)])[0]
    large = layout([(600, 400, 180, 180)], size=(1920, 1080))[0]
    assert large.tag.font_px > 2 * small.tag.font_px * 0.9


@pytest.mark.parametrize("size", [(640, 480), (1280, 720), (1920, 1080), (3840, 2160)])
def test_a_frame_shown_small_gets_text_readable_on_screen_and_no_larger_shown_large(size: tuple[int, int]) -> None:
    width, height = size
    for view_short_side in range(256, 2 * height, 7):  # the picture's smaller side on screen
        scale = view_short_side / min(width, height)
        shown = quantised_display_scale(scale)
        assert scale / 2**0.25 < shown <= scale
        on_screen = text_base_px(width, height, shown) * scale
        assert on_screen >= MIN_SCREEN_TEXT_PX
        if on_screen > MIN_SCREEN_TEXT_PX * 2**0.25 + 1:  # larger than asked: the frame's own size
            assert text_base_px(width, height, shown) == text_base_px(width, height)
    # A tiny view: the text shrinks with the picture rather than covering it.
    tiny = text_base_px(width, height, 64 / min(width, height))
    assert tiny <= max(text_base_px(width, height), min(width, height) / 16 + 1)


def test_a_window_being_resized_passes_through_few_text_sizes() -> None:
    # 1280x720 shown 500 to 700 px wide: a handful of sizes, so the rendered texts kept stay in use.
    scales = {quantised_display_scale(view_width / 1280) for view_width in range(500, 701)}
    assert len(scales) <= 3


def test_a_face_filling_the_frame_gets_a_chart_inside_the_frame() -> None:
    (drawn,) = layout([(0, 0, 640, 480)], labels=SEVEN_LABELS)
    assert drawn.chart is not None and inside(drawn.chart.rect, (640, 480))


def test_a_face_at_the_right_edge_gets_its_chart_on_the_left() -> None:
    (drawn,) = layout([(560, 100, 80, 80)])
    assert drawn.chart is not None
    assert drawn.chart.rect[0] + drawn.chart.rect[2] <= 560


def test_tags_and_charts_never_leave_the_frame_for_any_face_size_or_place() -> None:
    rng = random.Random(0)
    for _ in range(300):
        size = (rng.randint(120, 1280), rng.randint(90, 720))
        side = int(rng.uniform(20, max(size) * 1.3))
        box = (int(rng.uniform(-side / 2, size[0])), int(rng.uniform(-side / 2, size[1])), side, side)
        for drawn in layout([box], size=size, labels=SEVEN_LABELS):
            assert inside(drawn.box, size) and inside(drawn.tag.rect, size), (box, size)
            if drawn.chart is not None:
                assert inside(drawn.chart.rect, size), (box, size, drawn.chart.rect)


def test_in_a_crowd_charts_shrink_rather_than_cover_another_face() -> None:
    boxes = [(100 + i * 140, 150, 130, 130) for i in range(3)]
    drawn = layout(boxes)
    for position, item in enumerate(drawn):
        assert item.chart is not None
        others = [b for i, b in enumerate(boxes) if i != position]
        assert all(overlap_area(item.chart.rect, other) == 0 for other in others), position
    rows = [item.chart.row_h for item in drawn if item.chart is not None]
    assert min(rows) < max(rows)


def test_random_crowds_keep_nearly_every_chart_off_the_other_faces_and_charts() -> None:
    # Some crowds leave no free spot at any legible size; those must stay rare.
    rng = random.Random(1)
    charts_drawn = covering = faces = 0
    for _ in range(100):
        boxes: list[Rect] = []
        for _attempt in range(40):
            side = int(rng.uniform(50, 160))
            box = (int(rng.uniform(0, 640 - side)), int(rng.uniform(0, 480 - side)), side, side)
            if all(overlap_area(box, other) == 0 for other in boxes):
                boxes.append(box)
            if len(boxes) == 3:
                break
        drawn = layout(boxes)
        faces += len(boxes)
        charts = {i: item.chart.rect for i, item in enumerate(drawn) if item.chart is not None}
        charts_drawn += len(charts)
        for position, chart in charts.items():
            assert not any(overlap_area(chart, b) for i, b in enumerate(boxes) if i != position)
            assert not any(overlap_area(chart, item.tag.rect) for i, item in enumerate(drawn) if i != position)
            covering += any(overlap_area(chart, c) for i, c in charts.items() if i != position)
    assert charts_drawn >= 0.97 * faces, (charts_drawn, faces)
    assert covering <= 0.03 * charts_drawn, (covering, charts_drawn)


def test_in_a_tight_crowd_no_chart_hides_a_face_not_even_its_own() -> None:
    # Eight faces of 40-140 px in 640x480: some have no free spot for a chart at any
    # legible size; they keep their tag only, rather than a chart over a face or a tag.
    rng = random.Random(2)
    faces = charts = 0
    for _ in range(100):
        boxes: list[Rect] = []
        while len(boxes) < 8:
            side = int(rng.uniform(40, 140))
            box = (int(rng.uniform(0, 640 - side)), int(rng.uniform(0, 480 - side)), side, side)
            if all(overlap_area(box, other) == 0 for other in boxes):
                boxes.append(box)
        drawn = layout(boxes)
        faces += len(boxes)
        tags = [item.tag.rect for item in drawn]
        for position, item in enumerate(drawn):
            if item.chart is not None:
                charts += 1
                assert all(overlap_area(item.chart.rect, box) == 0 for box in boxes), (boxes, item.chart.rect)
                assert all(overlap_area(item.chart.rect, tag) == 0 for i, tag in enumerate(tags) if i != position)
    assert charts >= 0.8 * faces, (charts, faces)


def test_a_face_alone_in_a_small_frame_always_gets_its_chart() -> None:
    # With no other face near, its chart may cover its own tag's edge rather than vanish.
    rng = random.Random(0)
    for _ in range(200):
        side = int(rng.uniform(20, 200))
        box = (int(rng.uniform(-side / 2, 160)), int(rng.uniform(-side / 2, 120)), side, side)
        for drawn in layout([box], size=(160, 120)):
            assert drawn.chart is not None, box


def test_a_tag_too_wide_for_a_small_frame_drops_its_percentage_rather_than_be_cut() -> None:
    # Even at its smallest text, a name given in a 160x120 video, or any tag in a 64x64
    # one, was wider than the frame: its end, the percentage and part of the label, was cut.
    named = FaceResult(
        (10, 10, 40, 40), 1, "happy", 1.0, (0.0, 0.0, 1.0, 0.0, 0.0, 0.0), name="Alexandra Montgomery-Sm"
    )
    (drawn,) = layout_overlay([named], SIX_LABELS, 160, 120, True, MEASURE)
    assert drawn.tag.text == "Alexandra Montgomery-Sm happy" and inside(drawn.tag.rect, (160, 120)), drawn.tag
    tiny = FaceResult((10, 10, 40, 40), 1, "happy", 1.0, (0.0, 0.0, 1.0, 0.0, 0.0, 0.0))
    (drawn,) = layout_overlay([tiny], SIX_LABELS, 64, 64, True, MEASURE)
    assert drawn.tag.text == "#1 happy" and inside(drawn.tag.rect, (64, 64)), drawn.tag
    (drawn,) = layout_overlay([tiny], SIX_LABELS, 120, 90, True, MEASURE)
    assert drawn.tag.text == "#1 happy 100%"  # where it fits, the tag is whole


def test_a_frame_too_small_for_a_legible_chart_gets_none() -> None:
    (drawn,) = layout([(10, 10, 30, 30)], size=(80, 50))
    assert drawn.chart is None


def test_an_unsure_face_is_drawn_muted_with_a_question_mark() -> None:
    unsure = FaceResult((100, 100, 80, 80), 3, "sad", 0.3, (0.1, 0.1, 0.2, 0.3, 0.2, 0.1), uncertain=True)
    (drawn,) = layout_overlay([unsure], SIX_LABELS, 640, 480, True, MEASURE)
    assert drawn.uncertain and drawn.tag.text == "#3 sad? 30%"
    assert drawn.color == muted(color_for("sad")) != color_for("sad")


def test_a_named_face_is_tagged_with_its_name() -> None:
    named = FaceResult((100, 100, 80, 80), 3, "happy", 0.9, (0.0, 0.0, 0.9, 0.0, 0.0, 0.1), name="Ada")
    (drawn,) = layout_overlay([named], SIX_LABELS, 640, 480, True, MEASURE)
    assert drawn.tag.text == "Ada happy 90%"


@pytest.mark.parametrize("labels", [SIX_LABELS, SEVEN_LABELS, ("calm", "bored", "excited"), ("happy", "Happy", "sad")])
def test_every_class_of_a_model_has_its_own_colour(labels: tuple[str, ...]) -> None:
    palette = palette_for(labels)
    assert set(palette) == set(labels) and len(set(palette.values())) == len(labels)
    assert palette_for(labels) == palette  # stable


def test_tags_of_a_row_of_small_faces_do_not_cover_each_other() -> None:
    # A gallery tile or an audience: faces of 30 px side by side, tags wider than faces.
    for spacing, faces_free in ((60, True), (45, False)):
        boxes = [(100 + i * spacing, 200, 30, 30) for i in range(5)]
        drawn = layout(boxes)
        tags = [item.tag.rect for item in drawn]
        for i, tag in enumerate(tags):
            assert inside(tag, (640, 480))
            assert all(overlap_area(tag, other) == 0 for j, other in enumerate(tags) if j != i), (spacing, i, tags)
            if faces_free:  # room enough: no tag covers another face either
                assert all(overlap_area(tag, box) == 0 for j, box in enumerate(boxes) if j != i), (i, tag)
        # Where the room allows, a tag keeps its percentage and sits above its face.
        assert drawn[0].tag.text.endswith("%") and drawn[0].tag.rect[1] < boxes[0][1]
    # Packed tighter, a tag drops its percentage before it covers another tag.
    assert any(not item.tag.text.endswith("%") for item in drawn)


def test_the_crowd_overlap_matrix_matches_the_pairwise_overlap() -> None:
    # The chart placement weighs every spot against every rectangle at once; each entry
    # must be what overlap_area says of that pair, touching, apart, nested or crossing.
    rng = random.Random(3)
    rects = [
        (rng.randint(-50, 300), rng.randint(-50, 300), rng.randint(1, 120), rng.randint(1, 120)) for _ in range(40)
    ]
    others = [
        (rng.randint(-50, 300), rng.randint(-50, 300), rng.randint(1, 120), rng.randint(1, 120)) for _ in range(60)
    ]
    others += [rects[0], (rects[1][0] + rects[1][2], rects[1][1], 10, 10)]  # identical; touching its right edge
    matrix = overlap_areas(np.array(rects), np.array(others))
    assert matrix.shape == (len(rects), len(others))
    assert [[int(v) for v in row] for row in matrix] == [[overlap_area(a, b) for b in others] for a in rects]


def test_only_rectangles_within_reach_are_kept() -> None:
    box = (100, 100, 50, 50)
    near, far = (160, 100, 20, 20), (400, 400, 20, 20)
    assert within_reach([near, far], box, reach_x=30, reach_y=30) == [near]
    assert within_reach([near, far], box, reach_x=5, reach_y=5) == []


def test_a_chart_goes_below_a_tag_pushed_under_the_box_rather_than_over_the_face() -> None:
    # The group photo of the real clips (1000x667): face 4's neighbours take every spot
    # beside and above it, and its tag goes below its box. Its chart must go below the
    # tag, where the frame is free, not over the face itself.
    boxes = [
        (209, 68, 110, 110),
        (303, 232, 124, 124),
        (427, 208, 101, 101),
        (516, 306, 121, 121),
        (671, 288, 130, 130),
    ]
    drawn = layout(boxes, size=(1000, 667))
    fourth = drawn[3]
    assert fourth.tag.rect[1] >= boxes[3][1] + boxes[3][3]  # the tag sits under the box
    assert fourth.chart is not None
    assert overlap_area(fourth.chart.rect, boxes[3]) == 0
    assert overlap_area(fourth.chart.rect, fourth.tag.rect) == 0
    for item in drawn:
        assert item.chart is not None
        # No chart hides any face or any tag.
        assert all(overlap_area(item.chart.rect, box) == 0 for box in boxes)
        assert all(overlap_area(item.chart.rect, other.tag.rect) == 0 for other in drawn)


def test_every_chart_is_captioned_with_its_faces_tag_name() -> None:
    # In a crowd a chart may sit nearer a neighbour's tag than its own: it says whose it is.
    boxes = [(40 + i * 150, 200, 100, 100) for i in range(4)]
    drawn = layout(boxes)
    assert all(item.chart is not None for item in drawn)
    assert [item.chart.caption for item in drawn if item.chart is not None] == ["#1", "#2", "#3", "#4"]
    for item in drawn:
        assert item.chart is not None
        assert (item.chart.caption_background, item.chart.caption_foreground) == (
            item.tag.background,
            item.tag.foreground,
        )


def test_a_long_name_in_a_charts_caption_is_elided_to_the_charts_width() -> None:
    name = "Alexandra Montgomery-Smythe of Little Whinging"
    named = FaceResult((100, 100, 80, 80), 3, "happy", 0.9, (0.0, 0.0, 0.9, 0.0, 0.0, 0.1), name=name)
    (drawn,) = layout_overlay([named], SIX_LABELS, 640, 480, True, MEASURE)
    chart = drawn.chart
    assert chart is not None
    assert chart.caption.endswith("…") and name.startswith(chart.caption[:-1]) and len(chart.caption) > 4
    assert MEASURE.width(chart.caption, chart.font_px, True) <= chart.rect[2] - 2 * chart.pad


# The faces analyze finds in the group photo of the real clips (1000x667).
GROUP_PHOTO = [
    (209, 68, 110, 110),
    (303, 232, 124, 124),
    (427, 208, 101, 101),
    (516, 306, 121, 121),
    (671, 288, 130, 130),
]


def test_a_chart_slides_along_its_face_past_a_neighbours_tag_rather_than_vanish() -> None:
    # The group photo in a window showing it at 0.7 of its size: face 1's fixed spots all
    # ran into the tags of faces 1-3 or face 2, and it had no chart, while the frame had
    # room left of its box, a little lower down.
    faces = [face(box, "happy", SIX_LABELS, i + 1) for i, box in enumerate(GROUP_PHOTO)]
    drawn = layout_overlay(faces, SIX_LABELS, 1000, 667, True, MEASURE, display_scale=0.7)
    for position, item in enumerate(drawn):
        assert item.chart is not None, position
        chart = item.chart.rect
        assert all(overlap_area(chart, box) == 0 for box in GROUP_PHOTO), position
        assert all(overlap_area(chart, other.tag.rect) == 0 for other in drawn), position
        x, y, w, h = GROUP_PHOTO[position]
        # Still along its face: sharing a stretch of the face's rows or columns.
        assert chart[1] < y + h and chart[1] + chart[3] > y or chart[0] < x + w and chart[0] + chart[2] > x


def test_a_charts_percents_add_up_to_100_and_the_tag_says_its_rows() -> None:
    # 8, 41 and 32 of 81 (angry, happy, sad): each rounded alone, 10% + 51% + 40% = 101%.
    probabilities = (8 / 81, 0.0, 41 / 81, 32 / 81, 0.0, 0.0)
    for label in ("happy", "sad"):
        shown = FaceResult((100, 100, 80, 80), 1, label, probabilities[SIX_LABELS.index(label)], probabilities)
        (drawn,) = layout_overlay([shown], SIX_LABELS, 640, 480, True, MEASURE)
        assert drawn.chart is not None
        assert [row.percent for row in drawn.chart.rows] == [10, 0, 51, 39, 0, 0]
        assert drawn.tag.text == f"#1 {label} {drawn.chart.rows[SIX_LABELS.index(label)].percent}%"
    # Without the chart (bars off), the tag says the same.
    (drawn,) = layout_overlay([shown], SIX_LABELS, 640, 480, False, MEASURE)
    assert drawn.chart is None and drawn.tag.text == "#1 sad 39%"


# A tight crowd (8 faces in 640x480) where, laid out afresh each frame, some charts jump
# between two places as the boxes jitter by a pixel or two.
JITTERED_CROWD: list[Rect] = [
    (442, 372, 92, 92),
    (438, 290, 68, 68),
    (58, 10, 106, 106),
    (419, 101, 78, 78),
    (174, 330, 90, 90),
    (31, 281, 134, 134),
    (286, 337, 127, 127),
    (10, 155, 61, 61),
]


def jittered_crowd_frames(count: int) -> list[list[Rect]]:
    """The crowd's boxes over ``count`` frames, each moved and resized by 1-2 px."""
    frames = []
    for k in range(count):
        step = (1 + k % 2) * (1 if k % 4 < 2 else -1)
        grow = abs(step) * (k % 3 == 0)
        frames.append(
            [
                (x + step * (i % 2), y + step * ((i // 2) % 2), w + grow, h + grow)
                for i, (x, y, w, h) in enumerate(JITTERED_CROWD)
            ]
        )
    return frames


def test_charts_of_a_jittering_crowd_keep_their_places_from_frame_to_frame() -> None:
    places = ChartPlaces()
    first: dict[int, Rect | None] = {}
    for boxes in jittered_crowd_frames(30):
        faces = [face(box, "happy", SIX_LABELS, i + 1) for i, box in enumerate(boxes)]
        drawn = layout_overlay(faces, SIX_LABELS, 640, 480, True, MEASURE, None, places)
        for i, item in enumerate(drawn):
            chart = None if item.chart is None else item.chart.rect
            # Its place relative to its face: the boxes' jitter aside, it stays put.
            here = None if chart is None else (chart[0] - item.box[0], chart[1] - item.box[1], chart[2], chart[3])
            if i not in first:
                first[i] = here
                continue
            was = first[i]
            if was is None:  # no room for one in the first frame
                continue
            assert here is not None, f"face {i + 1}'s chart vanished"
            assert abs(here[0] - was[0]) <= 3 and abs(here[1] - was[1]) <= 3, f"face {i + 1}'s chart moved"
            assert here[2:] == was[2:], f"face {i + 1}'s chart changed size"
        # The layout's rules hold with the kept places: no chart over a face or a tag (a
        # chart may cover the least of another where a tight crowd leaves no free spot).
        assert sum(chart is not None for chart in first.values()) >= 5
        for item in drawn:
            if item.chart is not None:
                assert all(overlap_area(item.chart.rect, other.box) == 0 for other in drawn if other is not item)
                assert all(overlap_area(item.chart.rect, other.tag.rect) == 0 for other in drawn)


def test_chart_places_forget_faces_gone_and_start_afresh_on_another_frame_size() -> None:
    places = ChartPlaces()
    crowd = [face(box, "happy", SIX_LABELS, i + 1) for i, box in enumerate(JITTERED_CROWD)]
    fresh = layout_overlay(crowd, SIX_LABELS, 640, 480, True, MEASURE)
    assert layout_overlay(crowd, SIX_LABELS, 640, 480, True, MEASURE, None, places) == fresh  # first frame: as ever
    layout_overlay(crowd[:3], SIX_LABELS, 640, 480, True, MEASURE, None, places)
    assert set(places._places) == {1, 2, 3}
    wider = layout_overlay(crowd, SIX_LABELS, 800, 480, True, MEASURE, None, places)
    assert wider == layout_overlay(crowd, SIX_LABELS, 800, 480, True, MEASURE)
