"""Overlay drawing: colours per emotion, legible at any face size, never outside the frame."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from emotion_app.io.overlay import EMOTION_COLORS, ChartPlaces, PillowText, color_for, draw_results
from emotion_app.io.overlay_layout import PANEL_ALPHA, PANEL_COLOR, layout_overlay, palette_for
from emotion_app.names import isolated
from emotion_app.results import FaceResult
from emotion_app.samples import SEVEN_LABELS, SIX_LABELS


def face(
    box: tuple[int, int, int, int], label: str = "happy", labels: tuple[str, ...] = SIX_LABELS, track_id: int = 1
) -> FaceResult:
    probabilities = np.full(len(labels), 0.05)
    probabilities[labels.index(label)] = 1.0 - 0.05 * (len(labels) - 1)
    return FaceResult(box, track_id, label, float(probabilities.max()), tuple(float(p) for p in probabilities))


def changed(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    return np.any(before != after, axis=2)


def test_every_default_emotion_has_its_own_colour() -> None:
    colours = [color_for(label) for label in SEVEN_LABELS]
    assert len(set(colours)) == len(colours)
    assert color_for("Happy") == EMOTION_COLORS["happy"]


def test_unknown_labels_get_a_stable_fallback_colour() -> None:
    assert color_for("bored") == color_for("bored")
    assert all(0 <= channel <= 255 for channel in color_for("bored"))


def test_draws_box_label_and_bars_in_the_label_colour() -> None:
    frame = np.full((240, 360, 3), 128, np.uint8)
    result = face((40, 60, 80, 80), "sad")
    drawn = draw_results(frame, [result], SIX_LABELS)
    assert np.array_equal(frame, np.full_like(frame, 128)), "the input is not modified"
    colour = np.array(color_for("sad"))
    # Left edge of the box.
    assert np.all(drawn[70:130, 40] == colour)
    # The label tag sits above the box, filled with the emotion's colour.
    tag = drawn[40:60, 40:100].reshape(-1, 3)
    assert np.mean(np.all(tag == colour, axis=1)) > 0.3
    # The chart is to the right of the face and holds a bar in every class colour.
    chart = drawn[60:200, 125:360].reshape(-1, 3)
    for label in SIX_LABELS:
        assert np.any(np.all(chart == np.array(color_for(label)), axis=1)), label


def test_a_charts_first_row_names_its_face_in_its_tags_colours() -> None:
    # A chip like the tag's "#7" above the bars: which face a chart belongs to, even where
    # a crowd put it beside another face's tag.
    frame = np.full((240, 360, 3), 128, np.uint8)
    result = face((40, 60, 80, 80), "sad", track_id=7)
    drawn = draw_results(frame, [result], SIX_LABELS)
    (laid,) = layout_overlay([result], SIX_LABELS, 360, 240, True, PillowText())
    chart, tag = laid.chart, laid.tag
    assert chart is not None and chart.caption == "#7"
    x, y, w, _ = chart.rect
    caption_row = drawn[y + chart.pad : y + chart.pad + chart.row_h, x : x + w].reshape(-1, 3)
    in_tag_colour = np.all(caption_row == np.array(tag.background), axis=1)
    assert in_tag_colour.sum() > 0.5 * chart.row_h * PillowText().width("#7", chart.font_px, True)
    assert np.any(np.all(caption_row == np.array(tag.foreground), axis=1))  # its text, as on the tag
    assert color_for("sad") == tag.background


def test_bars_can_be_switched_off() -> None:
    frame = np.full((240, 360, 3), 128, np.uint8)
    result = face((40, 60, 80, 80))
    with_bars = changed(frame, draw_results(frame, [result], SIX_LABELS, show_bars=True))
    without = changed(frame, draw_results(frame, [result], SIX_LABELS, show_bars=False))
    assert without[60:, 130:].sum() == 0  # right of the face only its tag, above it
    assert with_bars[:, 130:].sum() > 1000


@pytest.mark.parametrize(
    "frame_size, box",
    [
        ((320, 240), (0, 0, 60, 60)),  # small face in the top-left corner
        ((320, 240), (260, 180, 60, 60)),  # bottom-right corner
        ((320, 240), (-20, -15, 90, 90)),  # partly outside the frame
        ((320, 240), (0, 0, 320, 240)),  # a face filling the frame
        ((64, 48), (2, 2, 60, 44)),  # a frame too small for a chart
    ],
)
def test_never_draws_outside_the_frame_and_never_fails(
    frame_size: tuple[int, int], box: tuple[int, int, int, int]
) -> None:
    width, height = frame_size
    frame = np.full((height, width, 3), 100, np.uint8)
    drawn = draw_results(frame, [face(box, "surprise")], SIX_LABELS)
    assert drawn.shape == frame.shape
    assert changed(frame, drawn).any()


def test_text_grows_with_the_face() -> None:
    frame = np.full((720, 1280, 3), 128, np.uint8)
    small = changed(frame, draw_results(frame, [face((100, 200, 60, 60))], SIX_LABELS, show_bars=False))
    large = changed(frame, draw_results(frame, [face((100, 200, 400, 400))], SIX_LABELS, show_bars=False))
    small_tag_rows = np.flatnonzero(small[:200].any(axis=1))
    large_tag_rows = np.flatnonzero(large[:200].any(axis=1))
    small_height = small_tag_rows.max() - small_tag_rows.min() + 1
    large_height = large_tag_rows.max() - large_tag_rows.min() + 1
    assert small_height >= 12  # legible on a 60-px face
    assert large_height > 1.5 * small_height


def test_gray_and_bgra_frames_and_in_place_drawing() -> None:
    gray = np.full((120, 160), 90, np.uint8)
    assert draw_results(gray, [face((10, 30, 60, 60))], SIX_LABELS).shape == (120, 160, 3)
    bgra = np.full((120, 160, 4), 90, np.uint8)
    assert draw_results(bgra, [face((10, 30, 60, 60))], SIX_LABELS).shape == (120, 160, 3)
    bgr = np.full((120, 160, 3), 90, np.uint8)
    same = draw_results(bgr, [face((10, 30, 60, 60))], SIX_LABELS, in_place=True)
    assert same is bgr


def test_several_faces_and_unknown_labels() -> None:
    labels = ("calm", "bored", "excited")
    frame = np.full((240, 480, 3), 128, np.uint8)
    faces = [face((20, 60, 70, 70), "bored", labels, 1), face((300, 60, 70, 70), "excited", labels, 2)]
    drawn = draw_results(frame, faces, labels)
    palette = palette_for(labels)  # unknown classes: distinct colours, from the model's own labels
    assert np.all(drawn[80:120, 20] == np.array(palette["bored"]))
    assert np.all(drawn[80:120, 300] == np.array(palette["excited"]))
    assert palette["bored"] != palette["excited"]


def test_no_faces_leaves_the_frame_alone() -> None:
    frame = np.random.default_rng(0).integers(0, 256, (50, 60, 3), dtype=np.uint8)
    assert np.array_equal(draw_results(frame, [], SIX_LABELS), frame)


def test_in_a_crowd_charts_shrink_rather_than_cover_a_face() -> None:
    # Three faces close together (found by search: the previous layout put over 1,000 chart
    # pixels on the faces here, settling for the least-covering spot at full size).
    boxes = [(310, 270, 80, 80), (470, 70, 120, 120), (480, 330, 140, 140)]
    results = [FaceResult(box, i, "happy", 0.6, (0.05, 0.1, 0.6, 0.05, 0.1, 0.1)) for i, box in enumerate(boxes)]
    frame = np.full((480, 640, 3), 128, np.uint8)
    with_bars = draw_results(frame, results, SIX_LABELS, show_bars=True)
    without_bars = draw_results(frame, results, SIX_LABELS, show_bars=False)
    chart_pixels = np.any(with_bars != without_bars, axis=2)
    assert chart_pixels.sum() > 3 * 2000  # three charts were drawn
    for x, y, w, h in boxes:  # inside each box (clear of its outline) nothing changed
        assert not chart_pixels[y + 4 : y + h - 4, x + 4 : x + w - 4].any(), (x, y, w, h)


def test_a_charts_panel_darkens_each_frame_behind_it_as_that_frames_own_pixels_say() -> None:
    # The panel's colour block is kept from frame to frame: each frame must still get its
    # own blend, and the kept block must not pick up a frame's pixels.
    result = face((40, 60, 80, 80))
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 256, (240, 360, 3), dtype=np.uint8) for _ in range(3)]
    drawn = [draw_results(frame, [result], SIX_LABELS) for frame in frames]
    chart = layout_overlay([result], SIX_LABELS, 360, 240, True, PillowText())[0].chart
    assert chart is not None
    x, y, _, _ = chart.rect
    # The panel's top-left corner lies outside its text and bars: only the blend is there.
    for frame, picture in zip(frames, drawn, strict=True):
        corner = frame[y : y + 2, x : x + 2].astype(np.float64)
        expected = np.rint(PANEL_ALPHA * np.array(PANEL_COLOR) + (1 - PANEL_ALPHA) * corner)
        assert np.abs(picture[y : y + 2, x : x + 2] - expected).max() <= 1


def test_a_name_in_a_script_dejavu_lacks_is_drawn_in_an_installed_font_that_has_it() -> None:
    """A face named "田中" must not show as two empty boxes (DejaVu Sans has no CJK)."""
    from PIL import Image, ImageDraw

    from emotion_app.io import overlay
    from emotion_app.io.font_fallback import fallback_font

    primary = overlay.overlay_font_path(bold=True)
    if primary is None or fallback_font("田", primary) is None:
        pytest.skip("no installed font has CJK characters")
    assert overlay._runs("#1 happy 87%", True) == (("#1 happy 87%", None),)  # the usual tag: one font
    drawn = overlay._text_alpha("#1 田中", 28, True)[:, :, 0]
    boxes = Image.new("L", (drawn.shape[1], drawn.shape[0]), 0)
    ImageDraw.Draw(boxes).text((0, 0), "#1 田中", font=overlay._font(28, True), fill=255)
    in_dejavu = np.asarray(boxes, dtype=np.float32) / 255.0
    hash_part = overlay._text_width("#1 ", 28, True)
    assert np.abs(drawn[:, :hash_part] - in_dejavu[:, :hash_part]).max() < 0.05  # "#1 " as before
    assert np.abs(drawn[:, hash_part:] - in_dejavu[:, hash_part:]).mean() > 0.05  # not the boxes
    assert (drawn[:, hash_part:] > 0.5).sum() > 100  # strokes, not nothing


@pytest.mark.parametrize("name", ["שרה", "سارة", "\u202eAda"], ids=["he", "ar", "override"])
def test_a_name_written_right_to_left_keeps_its_space_before_the_emotion(name: str) -> None:
    # Was: Pillow (with libraqm) laid the tag's name out in the direction of its first
    # letter; right to left, its trailing space went before it and it ran into "happy".
    frame = np.full((240, 360, 3), 128, np.uint8)
    result = dataclasses.replace(face((40, 60, 120, 120)), name=name)
    drawn = draw_results(frame, [result], SIX_LABELS)
    (laid,) = layout_overlay([result], SIX_LABELS, 360, 240, True, PillowText())
    tag = laid.tag
    assert tag.pieces[0] == f"{isolated(name)} "
    x, y, w, h = tag.rect
    strokes = (np.abs(drawn[y : y + h, x : x + w].astype(int) - np.array(tag.background)).max(axis=2) > 60).any(axis=0)
    measure = PillowText()
    name_w, space_w = measure.width(tag.pieces[0], tag.font_px, True), measure.width(" ", tag.font_px, True)
    piece = strokes[tag.pad : tag.pad + name_w]
    assert piece[:space_w].any(), "the name starts where its piece does"
    assert not piece[name_w - space_w * 2 // 3 :].any(), "its space comes after it, before the emotion"


@pytest.mark.parametrize("unit", ["👩\u200d💻", "🇫🇷"], ids=["zwj", "flag"])
def test_a_charts_caption_cut_short_keeps_each_character_whole(unit: str) -> None:
    # Was: cut by code point, a name of emoji sequences lost half a flag or the end of a
    # sequence after its joiner, at the "…".
    result = dataclasses.replace(face((40, 60, 80, 80)), name="a" + unit * 20)
    (laid,) = layout_overlay([result], SIX_LABELS, 320, 240, True, PillowText())
    assert laid.chart is not None and laid.chart.caption.endswith("…")
    kept = laid.chart.caption[:-1]
    assert kept == "a" + unit * ((len(kept) - 1) // len(unit)), kept


def test_a_long_sessions_rendered_texts_stay_within_their_byte_budget() -> None:
    """Hours of a live HD session: people come and go (a new "#id" each) and come nearer or
    move away, so tags and charts pass through every font size, each with its own
    percentages. What the text cache keeps must stay within its budget (bounded by count
    instead, it kept several times that)."""
    import tracemalloc

    from emotion_app.io.overlay import TEXT_CACHE_BYTES

    canvas = np.zeros((1080, 1920, 3), np.uint8)
    labels = SEVEN_LABELS
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        frame = 0
        for side in range(180, 460, 7):  # each a tag font size of its own
            for _ in range(12):
                frame += 1
                probabilities = tuple(((frame * 7 + j) % 101) / 100 for j in range(len(labels)))
                top = frame % len(labels)
                face = FaceResult((100, 150, side, side), frame, labels[top], probabilities[top], probabilities)
                draw_results(canvas, [face], labels, in_place=True)
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert kept <= TEXT_CACHE_BYTES + 4 * 2**20, f"the text cache kept {kept / 2**20:.0f} MB"


def test_a_streams_chart_places_are_kept_by_the_renderer_and_forgotten_with_the_faces() -> None:
    # What the window and analyze pass for a stream: the renderer lays out with them.
    frame = np.full((480, 640, 3), 90, np.uint8)
    results = [
        FaceResult((60, 60, 100, 100), 4, "happy", 0.5, (0.1, 0.1, 0.5, 0.1, 0.1, 0.1)),
        FaceResult((400, 250, 100, 100), 9, "sad", 0.5, (0.1, 0.1, 0.1, 0.5, 0.1, 0.1)),
    ]
    places = ChartPlaces()
    kept = draw_results(frame, results, SIX_LABELS, chart_places=places)
    assert np.array_equal(kept, draw_results(frame, results, SIX_LABELS))  # a first frame as ever
    assert set(places._places) == {4, 9}
    draw_results(frame, results[1:], SIX_LABELS, chart_places=places)
    assert set(places._places) == {9}
    draw_results(frame, [], SIX_LABELS, chart_places=places)
    assert not places._places


def _own_way(text: str, size: int) -> np.ndarray:
    """``text``'s strokes (0-255) as Pillow lays it out right to left by itself, in the
    overlay's bold font: how a reader of Hebrew expects it."""
    from PIL import Image, ImageDraw, ImageFont

    from emotion_app.io.overlay import overlay_font_path

    font = ImageFont.truetype(str(overlay_font_path(True)), size)
    image = Image.new("L", (size * (len(text) + 2), size * 2), 0)
    ImageDraw.Draw(image).text((size, size // 2), text, font=font, fill=255, direction="rtl")
    ink = np.asarray(image, np.float32)
    rows, columns = np.nonzero(ink > 32)
    return ink[rows.min() : rows.max() + 1, columns.min() : columns.max() + 1]


def _best_match(drawn: np.ndarray, background: tuple[int, int, int], text: np.ndarray) -> float:
    """How well ``text``'s strokes match the best place in ``drawn`` (1: the same)."""
    import cv2

    ink = np.abs(drawn.astype(np.float32) - np.array(background, np.float32)).max(axis=2)
    return float(cv2.matchTemplate(ink, text, cv2.TM_CCOEFF_NORMED).max())


@pytest.mark.parametrize("name", ["שרה!", "שרה Ada"], ids=["punctuation", "mixed"])
def test_a_tags_right_to_left_name_runs_its_own_way(name: str) -> None:
    # Was: the tag's text was laid out left to right, name and all: a Hebrew name's "!"
    # went after it ("הרש!") and "שרה Ada" put the Hebrew first, where the timeline's row
    # and the report (an isolate of its own direction) drew "!הרש" and "Ada הרש".
    frame = np.full((240, 360, 3), 128, np.uint8)
    result = dataclasses.replace(face((40, 60, 120, 120)), name=name)
    drawn = draw_results(frame, [result], SIX_LABELS)
    (laid,) = layout_overlay([result], SIX_LABELS, 360, 240, True, PillowText())
    x, y, w, h = laid.tag.rect
    assert _best_match(drawn[y : y + h, x : x + w], laid.tag.background, _own_way(name, laid.tag.font_px)) > 0.9


def test_a_charts_right_to_left_caption_cut_short_ends_on_its_left() -> None:
    # Was: laid out left to right, the "…" of a Hebrew name cut short came after the
    # name's first letter, on the right, where its reader starts.
    name = "אברהם" * 6
    frame = np.full((240, 320, 3), 128, np.uint8)
    result = dataclasses.replace(face((40, 60, 80, 80)), name=name)
    (laid,) = layout_overlay([result], SIX_LABELS, 320, 240, True, PillowText())
    chart = laid.chart
    assert chart is not None
    drawn = draw_results(frame, [result], SIX_LABELS, show_bars=True)
    x, y, w, _ = chart.rect
    top = drawn[y : y + 2 * chart.pad + chart.row_h, x : x + w].copy()
    chip = (top == np.array(chart.caption_background, np.uint8)).all(axis=2)
    rows, columns = np.nonzero(chip)
    outside = np.ones(chip.shape, bool)
    outside[rows.min() : rows.max() + 1, columns.min() : columns.max() + 1] = False
    top[outside] = chart.caption_background  # the chip alone: the panel's grey is no stroke
    shown = chart.caption.strip("\u2068\u2069")  # an isolate's marks draw nothing
    assert shown.endswith("…") and name.startswith(shown[:-1])
    assert _best_match(top, chart.caption_background, _own_way(shown, chart.font_px)) > 0.9
