"""Where the overlay's pieces go, in frame pixels: each face's box, its label tag and its
probability chart, with their colours.

The one layout of the app: the screen, snapshots, recordings and ``analyze --output``
all draw what this module decides (``overlay.py`` renders it). Sizes follow the face
and the frame, so a 60-px face gets a legible tag and chart and a face filling the frame
gets proportionate ones; nothing is ever placed outside the frame.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import numpy as np

__all__ = [
    "Color",
    "Rect",
    "ChartLayout",
    "ChartRow",
    "ChartPlaces",
    "caption_pad",
    "FaceLayout",
    "TagLayout",
    "TextMeasure",
    "color_for",
    "is_uncertain",
    "layout_overlay",
    "MIN_SCREEN_TEXT_PX",
    "quantised_display_scale",
    "scaled_layout",
    "muted",
    "overlap_area",
    "overlap_areas",
    "palette_for",
    "shown_label",
    "shown_percent",
    "text_base_px",
    "text_color_on",
    "within_reach",
]

from ..faces.geometry import Box, overlap_area, overlap_areas
from ..names import cut_before, isolated
from ..percents import whole_percents
from ..results import FaceResult

Color = tuple[int, int, int]  # B, G, R
Rect = Box  # x, y, w, h in frame pixels

# One colour per emotion, chosen to read at a glance (warm = aroused, cool = low). Keyed by
# name: the labels themselves always come from the weights card.
EMOTION_COLORS: dict[str, Color] = {
    "angry": (40, 40, 220),  # red
    "disgust": (40, 140, 60),  # green
    "fear": (170, 70, 160),  # purple
    "happy": (0, 200, 255),  # yellow
    "sad": (200, 120, 30),  # blue
    "surprise": (0, 140, 255),  # orange
    "neutral": (170, 170, 170),  # grey
    "contempt": (120, 90, 40),  # teal-blue
}
# For labels the map does not know (a model trained on other classes): picked by a
# stable hash of the name, so a label keeps its colour between runs.
_FALLBACK_PALETTE: tuple[Color, ...] = (
    (230, 160, 60),
    (60, 180, 240),
    (140, 200, 80),
    (200, 90, 200),
    (80, 120, 240),
    (200, 200, 60),
    (90, 220, 180),
    (160, 110, 230),
)
TEXT_ON_LIGHT: Color = (20, 20, 20)
TEXT_ON_DARK: Color = (245, 245, 245)
PANEL_COLOR: Color = (25, 25, 25)
PANEL_ALPHA = 0.65
TRACK_COLOR: Color = (62, 62, 62)
CHART_TEXT: Color = (215, 215, 215)


def color_for(label: str) -> Color:
    """The drawing colour of an emotion label (known map first, then a stable fallback)."""
    key = label.strip().lower()
    if key in EMOTION_COLORS:
        return EMOTION_COLORS[key]
    return _FALLBACK_PALETTE[zlib.crc32(key.encode("utf-8")) % len(_FALLBACK_PALETTE)]


def palette_for(labels: Sequence[str]) -> dict[str, Color]:
    """A colour for each of a model's classes: the known map first; classes it does not
    know take the fallback colours in order, so no two classes of one model share one."""
    palette: dict[str, Color] = {}
    spare = [color for color in _FALLBACK_PALETTE]
    for label in labels:
        key = label.strip().lower()
        # "happy" and "Happy" in one model are two classes: the first takes the known colour.
        if key in EMOTION_COLORS and EMOTION_COLORS[key] not in palette.values():
            palette[label] = EMOTION_COLORS[key]
    for label in labels:
        if label not in palette:
            used = set(palette.values())
            free = [color for color in spare if color not in used]
            palette[label] = free[0] if free else color_for(label)
    return palette


def muted(color: Color) -> Color:
    """A face the model is unsure about: its colour washed halfway to grey."""
    return tuple(int(round(0.45 * channel + 0.55 * 128)) for channel in color)  # type: ignore[return-value]


def text_color_on(background: Color) -> Color:
    """Dark text on light colours (happy, neutral), light text on dark ones."""
    b, g, r = background
    return TEXT_ON_LIGHT if 0.114 * b + 0.587 * g + 0.299 * r > 140 else TEXT_ON_DARK


class TextMeasure(Protocol):
    """Text metrics of the renderer's font, in pixels."""

    def width(self, text: str, size: int, bold: bool = False) -> int: ...

    def line_height(self, size: int) -> int: ...

    def __hash__(self) -> int: ...  # chart sizes are kept per measure (see _chart_size)


@dataclass(frozen=True)
class TagLayout:
    rect: Rect
    # "#3 ", "happy", " 87%": drawn piece by piece, so each piece's rendering is cached
    # (the percentage changes every frame; the id and label do not).
    pieces: tuple[str, ...]
    font_px: int
    pad: int
    background: Color
    foreground: Color

    @property
    def text(self) -> str:
        return "".join(self.pieces)


@dataclass(frozen=True)
class ChartRow:
    label: str
    probability: float
    color: Color
    is_top: bool
    # The probability as drawn: a whole percent, the face's rows adding up to 100 (each
    # rounded alone, a chart could read 101%); its top row's is the tag's.
    percent: int = 0


@dataclass(frozen=True)
class ChartLayout:
    rect: Rect
    font_px: int
    row_h: int
    pad: int
    label_w: int
    bar_w: int
    percent_w: int
    rows: tuple[ChartRow, ...]
    # Whose chart it is, on a first row above the bars: its face's tag name ("#3", or the
    # name given) as a chip in the tag's colours, so in a crowd a chart that had to go
    # beside a neighbour's tag still says whose it is. Elided to the panel's width.
    caption: str = ""
    caption_background: Color = PANEL_COLOR
    caption_foreground: Color = TEXT_ON_DARK


@dataclass(frozen=True)
class FaceLayout:
    box: Rect  # clipped to the frame
    thickness: int
    color: Color
    tag: TagLayout
    chart: ChartLayout | None
    uncertain: bool


def shown_label(face: FaceResult) -> str:
    """The label the overlay shows: the result's own, already steadied by the pipeline."""
    return face.label


def is_uncertain(face: FaceResult) -> bool:
    return face.uncertain


def shown_percent(face: FaceResult, labels: Sequence[str]) -> str:
    """The tag's percentage ("87%"): its label's row of the chart, whose percents add up to
    100 (:func:`.percents.whole_percents`); the confidence rounded where the face's
    probabilities are not one per label."""
    label = shown_label(face)
    if len(face.probabilities) == len(labels) and label in labels:
        return f"{whole_percents(face.probabilities)[list(labels).index(label)]}%"
    return f"{face.confidence:.0%}"


# The smallest text on screen, in the view's pixels: DejaVu Sans at this size has capitals
# read at a glance. A large frame in a small window is scaled down as a whole, text and
# all, so without it a 720p or 1080p frame in a small window had tags too small to read.
MIN_SCREEN_TEXT_PX = 16
# ... but the smallest text is never more than this share of the frame's smaller side: in a
# tiny view (the picture under 256 px on screen) text shrinks with it rather than covering it.
_MAX_TEXT_SHARE = 1 / 16
# Display scales are taken in steps of a quarter octave (19%): resizing the window changes
# the text's size a few times, not at every pixel, so the rendered texts kept stay in use.
_SCALE_STEPS_PER_OCTAVE = 4


def text_base_px(width: int, height: int, display_scale: float | None = None) -> int:
    """The smallest text of a frame: legible on a small frame, in proportion on a large one
    (the screen scales the whole picture, so text must grow with the frame). With the
    ``display_scale`` the frame is shown at (view pixels per frame pixel), large enough to
    be at least :data:`MIN_SCREEN_TEXT_PX` on screen, unless the view is tiny."""
    frame_base = max(11, int(round(min(width, height) / 40)))
    if display_scale is None or not display_scale > 0:
        return frame_base
    on_screen = math.ceil(MIN_SCREEN_TEXT_PX / display_scale - 1e-9)
    return max(frame_base, min(on_screen, math.ceil(min(width, height) * _MAX_TEXT_SHARE)))


def quantised_display_scale(scale: float) -> float:
    """``scale`` rounded down to a quarter octave: text sized for it is at least as large on
    screen as asked, and a window being resized passes through few such scales."""
    if not scale > 0 or not math.isfinite(scale):
        return 1.0
    return float(2.0 ** (math.floor(math.log2(scale) * _SCALE_STEPS_PER_OCTAVE + 1e-9) / _SCALE_STEPS_PER_OCTAVE))


@dataclass(frozen=True)
class _ChartPlace:
    """Where a face's chart was, relative to its face: each offset from the box's edge the
    chart's near side faces (its right or bottom edge where the chart lies past its
    centre), so a box a pixel wider or taller leaves a chart beside it where it was."""

    from_right: bool
    dx: int
    from_bottom: bool
    dy: int
    row: int

    @staticmethod
    def of(chart: ChartLayout, box: Rect) -> _ChartPlace:
        x, y, w, h = box
        cx, cy, cw, ch = chart.rect
        from_right = 2 * cx + cw > 2 * x + w
        from_bottom = 2 * cy + ch > 2 * y + h
        dx = cx - (x + w if from_right else x)
        dy = cy - (y + h if from_bottom else y)
        return _ChartPlace(from_right, dx, from_bottom, dy, chart.row_h)

    def rect(self, box: Rect, panel_w: int, panel_h: int) -> Rect:
        x, y, w, h = box
        return (x + w * self.from_right + self.dx, y + h * self.from_bottom + self.dy, panel_w, panel_h)


class ChartPlaces:
    """The charts' places of one stream's last frame, by track id: with them a chart stays
    where it was while that place is still allowed, rather than jumping between two places
    (or coming and going) as its face's box jitters by a pixel across where one fits.

    One per drawing of a stream (the screen's and the saved picture's are laid out apart);
    a new stream or a seek starts a new one. Not thread-safe: one drawing thread each."""

    def __init__(self) -> None:
        self._frame: tuple[int, int, int] | None = None
        self._places: dict[int, _ChartPlace] = {}

    def _for_frame(self, width: int, height: int, base: int) -> dict[int, _ChartPlace]:
        """The places kept, none where the frame's size or text size changed since."""
        if self._frame != (width, height, base):
            self._frame, self._places = (width, height, base), {}
        return self._places

    def clear(self) -> None:
        """Forget every chart's place (a frame without faces)."""
        self._places = {}

    def copy(self) -> ChartPlaces:
        """These places apart: laid out with, the copy changes and these do not."""
        twin = ChartPlaces()
        twin._frame, twin._places = self._frame, dict(self._places)
        return twin

    def _remember(self, places: dict[int, _ChartPlace]) -> None:
        self._places = places  # faces gone, or without a chart now, are forgotten


# A kept chart gives way to the search's only where that finds one this much larger (a
# face come nearer, a crowd thinned out): a step of sizes either way is jitter.
_KEPT_SIZE_SLACK = 1.15


def layout_overlay(
    faces: Sequence[FaceResult],
    labels: Sequence[str],
    width: int,
    height: int,
    show_bars: bool,
    measure: TextMeasure,
    display_scale: float | None = None,
    chart_places: ChartPlaces | None = None,
) -> list[FaceLayout]:
    """Boxes and tags of every visible face, then charts that steer clear of the faces, the
    tags and the charts placed before them (a crowd shrinks its charts first). A chart never
    hides a face or a tag: where it would have to, its face keeps its tag only.
    ``display_scale``: how large the frame is shown (see :func:`text_base_px`); None for
    sizes that follow the frame alone (snapshots, recordings, ``analyze``).
    ``chart_places``: the stream's charts of its last frame (:class:`ChartPlaces`), updated
    here: a chart keeps its place while that is still allowed, and those faces' charts are
    placed first, so a face without one last frame takes none of their room."""
    base = text_base_px(width, height, display_scale)
    palette = palette_for(labels)
    visible = [(face, box) for face in faces if (box := _clip_box(face.box, width, height)) is not None]
    placed: list[tuple[FaceResult, Rect, int, Color, TagLayout, bool]] = []
    for position, (face, box) in enumerate(visible):
        uncertain = is_uncertain(face)
        label = shown_label(face)
        color = palette.get(label) or color_for(label)
        if uncertain:
            color = muted(color)
        side = max(1, min(face.box[2], face.box[3]))
        thickness = int(_clamp(round(max(side / 70, base / 9)), 1, 8))
        other_boxes = [other for i, (_, other) in enumerate(visible) if i != position]
        tags_so_far = [item[4].rect for item in placed]
        percent = shown_percent(face, labels)
        tag = _layout_tag(face, box, color, uncertain, percent, base, width, height, measure, tags_so_far, other_boxes)
        placed.append((face, box, thickness, color, tag, uncertain))
    charts: list[ChartLayout | None] = [None] * len(placed)
    kept = {} if chart_places is None else chart_places._for_frame(width, height, base)
    now: dict[int, _ChartPlace] = {}
    if show_bars and labels:
        chart_rects: list[Rect] = []
        tags = [item[4].rect for item in placed]
        # Faces that had a chart first (stable: the frame's order otherwise).
        order = sorted(range(len(placed)), key=lambda i: placed[i][0].track_id not in kept)
        for position in order:
            face, box = placed[position][0], placed[position][1]
            if len(face.probabilities) != len(labels):
                continue
            other_faces = [item[1] for i, item in enumerate(placed) if i != position]
            chart = _layout_chart(
                face,
                labels,
                palette,
                box,
                placed[position][4],
                other_faces,
                tags,
                chart_rects,
                base,
                width,
                height,
                measure,
                kept.get(face.track_id),
            )
            if chart is not None:
                charts[position] = chart
                chart_rects.append(chart.rect)
                now[face.track_id] = _ChartPlace.of(chart, box)
    if chart_places is not None:
        chart_places._remember(now)
    return [
        FaceLayout(box, thickness, color, tag, chart, uncertain)
        for (face, box, thickness, color, tag, uncertain), chart in zip(placed, charts)
    ]


def scaled_layout(face: FaceLayout, scale_x: float, scale_y: float) -> FaceLayout:
    """``face``'s layout for the frame enlarged ``scale_x`` x ``scale_y`` times (the screen's
    picture on a high-DPI screen): the same drawing at more pixels, text rendered at the
    larger size rather than enlarged from the frame's. Edges are scaled, not sizes, so what
    touched stays touching."""
    scale = min(scale_x, scale_y)

    def size(value: int) -> int:
        return max(1, int(round(value * scale)))

    tag = face.tag
    chart = face.chart
    return FaceLayout(
        box=_scaled_rect(face.box, scale_x, scale_y),
        thickness=size(face.thickness),
        color=face.color,
        tag=TagLayout(
            _scaled_rect(tag.rect, scale_x, scale_y),
            tag.pieces,
            size(tag.font_px),
            size(tag.pad),
            tag.background,
            tag.foreground,
        ),
        chart=None
        if chart is None
        else ChartLayout(
            _scaled_rect(chart.rect, scale_x, scale_y),
            size(chart.font_px),
            size(chart.row_h),
            size(chart.pad),
            size(chart.label_w),
            size(chart.bar_w),
            size(chart.percent_w),
            chart.rows,
            chart.caption,
            chart.caption_background,
            chart.caption_foreground,
        ),
        uncertain=face.uncertain,
    )


def _scaled_rect(rect: Rect, scale_x: float, scale_y: float) -> Rect:
    x, y, w, h = rect
    left, top = int(round(x * scale_x)), int(round(y * scale_y))
    right, bottom = int(round((x + w) * scale_x)), int(round((y + h) * scale_y))
    return (left, top, max(1, right - left), max(1, bottom - top))


def _layout_tag(
    face: FaceResult,
    box: Rect,
    color: Color,
    uncertain: bool,
    percent: str,
    base: int,
    width: int,
    height: int,
    measure: TextMeasure,
    tags: Sequence[Rect] = (),
    other_boxes: Sequence[Rect] = (),
) -> TagLayout:
    """The face's tag: above its box at the left edge if that is free; in a crowd, the first
    free spot of a few around the box (not on another tag or face), then the same without
    the percentage, else the spot covering least."""
    side = max(1, min(face.box[2], face.box[3]))
    base_font = int(_clamp(round(side * 0.15), base, base * 2.5))
    # The name as an isolate of its own direction, as the timeline and the report draw it:
    # laid out left to right with the tag, a Hebrew name's "!" went after it.
    full = (f"{isolated(face.tag_name)} ", f"{shown_label(face)}{'?' if uncertain else ''}", f" {percent}")
    x, y, w, h = box
    # Every spot of either tag lies within its full size of the box (see _layout_chart).
    full_pad = max(2, base_font // 4)
    reach_x = _text_width(full, base_font, measure) + 2 * full_pad
    reach_y = measure.line_height(base_font) + full_pad
    tags, other_boxes = within_reach(tags, box, reach_x, reach_y), within_reach(other_boxes, box, reach_x, reach_y)
    best: tuple[tuple[int, int, int, int], TagLayout] | None = None
    for compact, pieces in enumerate((full, full[:2])):
        font_px = base_font
        while font_px > 8 and _text_width(pieces, font_px, measure) + 2 * max(2, font_px // 4) > width:
            font_px -= 1  # a tag wider than a tiny frame shrinks rather than being cut
        pad = max(2, font_px // 4)
        tag_w = _text_width(pieces, font_px, measure) + 2 * pad
        tag_h = measure.line_height(font_px) + pad
        above = y - tag_h if y - tag_h >= 0 else y  # inside the top edge when no room above
        spots = ((x, above), (x + w - tag_w, above), (x, y + h), (x + w - tag_w, y + h), (x, y))
        for tag_x, tag_y in spots:
            rect = (
                int(_clamp(tag_x, 0, max(0, width - tag_w))),
                int(_clamp(tag_y, 0, max(0, height - tag_h))),
                tag_w,
                tag_h,
            )
            cost = (
                # Wider than the frame even at the smallest text: cut off at its edge, so
                # the tag without its percentage is better (a name in a thumbnail-sized video).
                int(tag_w > width),
                sum(overlap_area(rect, other) for other in tags),
                sum(overlap_area(rect, other) for other in other_boxes),
                compact,
            )
            if best is None or cost < best[0]:
                best = (cost, TagLayout(rect, pieces, font_px, pad, color, text_color_on(color)))
                if cost[:3] == (0, 0, 0):
                    return best[1]
    assert best is not None
    return best[1]


def _text_width(pieces: Sequence[str], size: int, measure: TextMeasure) -> int:
    """Width of bold ``pieces`` drawn one after another."""
    return sum(measure.width(piece, size, True) for piece in pieces)


def _layout_chart(
    face: FaceResult,
    labels: Sequence[str],
    palette: dict[str, Color],
    box: Rect,
    tag: TagLayout,
    other_faces: list[Rect],
    tags: list[Rect],
    other_charts: list[Rect],
    base: int,
    width: int,
    height: int,
    measure: TextMeasure,
    kept: _ChartPlace | None = None,
) -> ChartLayout | None:
    """The largest chart that covers no face (``other_faces`` nor its own), no tag and no
    chart; in a crowd, the one covering least of ``other_charts``. Its spots are a few fixed
    ones around the face (:func:`_chart_spots`), and where none of them is free, ones slid
    along the face's sides past what is in the way (:func:`_slid_chart_spots`).
    ``kept``: the chart's place last frame, taken while it is still allowed (see
    :func:`_kept_spot`).

    None when no legible size fits the frame, or when every spot would hide a face or a
    tag: in a crowd the faces and their labels matter more than one face's chart, whose tag
    still names its emotion. Only a face with no other face near it (one filling the frame)
    may have its chart over its own edge or its own tag, as it has no "beside".
    """
    smallest = max(9, int(round(base * 0.85)))
    row = int(_clamp(round(box[3] * 0.15), base + 3, (base + 3) * 1.6))
    sizes: list[tuple[int, int, int]] = []  # (row, panel width, panel height), largest first
    while row >= smallest:
        sized = _chart_size(labels, row, measure)
        if sized[4] <= width and sized[5] <= height:
            sizes.append((row, sized[4], sized[5]))
        row -= max(1, row // 10)
    if not sizes:
        return None
    # Every spot of every size against every rectangle at once: in a crowd this is most
    # of the layout's work.
    panels = np.array([(panel_w, panel_h) for _, panel_w, panel_h in sizes], dtype=np.int64)
    spots = _chart_spots(box, tag.rect, panels, width, height, base)
    size_of = np.repeat(np.arange(len(sizes)), len(spots) // len(sizes))
    kept_spot = _kept_spot(kept, box, labels, smallest, sizes[0][0], width, height, measure)
    in_way = _InTheWay.near(spots, box, tag.rect, other_faces, tags, other_charts)
    cost, number, rect = in_way.least(spots, size_of)
    if cost != (0, 0, 0) and len(in_way.rects):
        # No fixed spot is free: the face's neighbours, their tags or charts are in the way.
        # Slid along past them, a chart may still find room beside, above or below its face
        # (a chart was missing while the frame had room there). Taken where that is better,
        # but a face with no free spot gets no chart that covers another one. (The slid
        # spots lie within the fixed ones' reach: the same rectangles can be in their way.)
        slid, slid_size_of = _slid_chart_spots(box, tag.rect, panels, width, height, base, in_way.rects)
        if len(slid):
            slid_cost, slid_number, slid_rect = in_way.least(slid, slid_size_of)
            if (slid_cost, slid_number) < (cost, number) and (cost[0] == 0 or slid_cost[1] == 0):
                cost, number, rect = slid_cost, slid_number, slid_rect
    row = sizes[number][0] if not cost[0] else 0  # 0: every spot hides a face or a tag
    if kept is not None and kept_spot is not None:
        # Weighed against what is near the search's spots and it (its face "alone" or not
        # as for the search), the search's own weighing left as it was.
        weighed = np.concatenate([spots, np.array([kept_spot], dtype=np.int64)])
        kept_way = _InTheWay.near(weighed, box, tag.rect, other_faces, tags, other_charts)
        kept_cost, _number, _rect = kept_way.least(weighed[-1:], np.zeros(1, np.int64))
        # Still allowed: it hides nothing, covers no more of the charts and of its own face
        # than the search's place (none of the charts where the search found no place), and
        # is not much smaller than what the search finds now.
        no_worse = kept_cost[1] <= cost[1] and kept_cost[2] <= cost[2] if not cost[0] else kept_cost[1] == 0
        if not kept_cost[0] and no_worse and kept.row * _KEPT_SIZE_SLACK >= row:
            row, rect = kept.row, kept_spot
    if not row:
        return None
    font_px, pad, label_w, bar_w, _panel_w, _panel_h = _chart_size(labels, row, measure)
    percent_w = _percent_width(row, measure)
    top = shown_label(face)
    rows = tuple(
        ChartRow(label, float(probability), palette[label], label == top, percent)
        for label, probability, percent in zip(labels, face.probabilities, whole_percents(face.probabilities))
    )
    # Its "…" within the isolate: a Hebrew name cut short ends on its left.
    caption = isolated(_elided(face.tag_name, font_px, rect[2] - 2 * pad - 2 * caption_pad(font_px), measure))
    return ChartLayout(
        rect, font_px, row, pad, label_w, bar_w, percent_w, rows, caption, tag.background, tag.foreground
    )


def _kept_spot(
    kept: _ChartPlace | None,
    box: Rect,
    labels: Sequence[str],
    smallest: int,
    largest: int,
    width: int,
    height: int,
    measure: TextMeasure,
) -> Rect | None:
    """The chart's place of last frame beside ``box`` now, where it is of a size this face's
    chart may have (``smallest`` to ``largest`` rows, a step more as the box jitters) that
    fits the frame."""
    if kept is None or not smallest <= kept.row <= largest * _KEPT_SIZE_SLACK:
        return None
    panel_w, panel_h = _chart_size(labels, kept.row, measure)[4:]
    if panel_w > width or panel_h > height:
        return None
    x, y, w, h = kept.rect(box, panel_w, panel_h)
    # Clamped into the frame, as the search's spots are: a face at the frame's edge keeps
    # its chart against that edge.
    return (int(_clamp(x, 0, width - w)), int(_clamp(y, 0, height - h)), w, h)


@dataclass(frozen=True)
class _InTheWay:
    """What a face's chart must keep clear of, or cover least of, near its spots."""

    # Its own face's box, then K rectangles to keep clear (other faces and tags, and its
    # own tag near other faces), then C to cover least of (the charts placed before, and
    # its own tag for a face alone): one array, so a spot is weighed against all at once.
    weighed: np.ndarray
    kept_clear: int  # K
    alone: bool  # no other face near: its own face's edge may be covered, at a cost
    rects: np.ndarray  # every rectangle near (the edges slid spots slide past)

    @staticmethod
    def near(
        spots: np.ndarray,
        box: Rect,
        tag: Rect,
        other_faces: list[Rect],
        tags: list[Rect],
        other_charts: list[Rect],
    ) -> _InTheWay:
        """What may be in the way of ``spots`` (N x 4)."""
        # Only what touches some spot can be covered: in a crowd of dozens of faces that is
        # a handful of rectangles, not all of them.
        x0, y0 = int(spots[:, 0].min()), int(spots[:, 1].min())
        reach = (x0, y0, int((spots[:, 0] + spots[:, 2]).max()) - x0, int((spots[:, 1] + spots[:, 3]).max()) - y0)
        other_faces = within_reach(other_faces, reach, 0, 0)
        tags = within_reach(tags, reach, 0, 0)
        charts_near = within_reach(other_charts, reach, 0, 0)
        # A face alone (one filling a small frame) may have its chart over its own tag's
        # edge rather than none: it costs, as covering its own face does.
        alone = not other_faces
        kept_clear = other_faces + [other for other in tags if not (alone and other == tag)]
        charts = charts_near + ([tag] if alone and tag in tags else [])
        return _InTheWay(
            np.array([box, *kept_clear, *charts], dtype=np.int64),
            len(kept_clear),
            alone,
            np.array(other_faces + tags + charts_near, dtype=np.int64).reshape(-1, 4),
        )

    def least(self, spots: np.ndarray, size_of: np.ndarray) -> tuple[tuple[int, int, int], int, Rect]:
        """Of ``spots`` (N x 4, each of the size numbered ``size_of``, 0 the largest, in order
        of preference within its size), the one of least cost: hiding least of a face or
        tag, then covering least of the charts, then of its own face's edge; at a tie the
        larger size, then the earlier spot. Returns its cost, its size's number and it."""
        areas = overlap_areas(spots, self.weighed)
        own = areas[:, 0]
        hidden = areas[:, 1 : 1 + self.kept_clear].sum(axis=1)
        if not self.alone:  # near other faces, its own face's edge is as much a face as theirs
            hidden += own
        covered = areas[:, 1 + self.kept_clear :].sum(axis=1)
        index = int(np.lexsort((size_of, own, covered, hidden))[0])  # stable: the earlier spot at a tie
        x, y, w, h = (int(value) for value in spots[index])
        return (int(hidden[index]), int(covered[index]), int(own[index])), int(size_of[index]), (x, y, w, h)


def chart_font_px(row: int) -> int:
    return max(7, int(round(row * 0.72)))


def _percent_width(row: int, measure: TextMeasure) -> int:
    return measure.width("100%", chart_font_px(row))


def _chart_size(labels: Sequence[str], row: int, measure: TextMeasure) -> tuple[int, int, int, int, int, int]:
    """font px, padding, label column, bar width, panel width and height for rows of ``row`` px."""
    # Each chart weighs several sizes, each measuring every label: the same few answers
    # frame after frame.
    return _chart_size_of(tuple(labels), row, measure)


@lru_cache(maxsize=1024)
def _chart_size_of(labels: tuple[str, ...], row: int, measure: TextMeasure) -> tuple[int, int, int, int, int, int]:
    font_px = chart_font_px(row)
    pad = max(3, int(round(row * 0.3)))
    label_w = max(measure.width(label, font_px, True) for label in labels)
    bar_w = int(round(row * 4.0))
    panel_w = 4 * pad + label_w + bar_w + _percent_width(row, measure)
    panel_h = 2 * pad + row * (len(labels) + 1)  # a row for the caption, then one per class
    return font_px, pad, label_w, bar_w, panel_w, panel_h


def caption_pad(font_px: int) -> int:
    """Pixels each side of a chart's caption in its chip."""
    return max(2, font_px // 4)


def _elided(text: str, font_px: int, max_w: int, measure: TextMeasure) -> str:
    """``text`` in bold at ``font_px``, cut with "…" to at most ``max_w`` pixels (a long name)."""
    if measure.width(text, font_px, True) <= max_w:
        return text
    kept = len(text)
    while kept > 1 and measure.width(text[:kept] + "…", font_px, True) > max_w:
        kept = cut_before(text, kept - 1) or 1  # never between a letter and its accent
    return text[:kept] + "…"


def _chart_spots(box: Rect, tag: Rect, panels: np.ndarray, width: int, height: int, base: int) -> np.ndarray:
    """Where charts of the sizes ``panels`` (S x 2: width, height; largest first) may go, in
    order of preference per size (S x 15 spots, N x 4): beside the face (right first, as
    people read) at its top, middle or bottom; then below or above it, clear of its own
    ``tag`` (which a crowd may have pushed below the box); last, inside the frame over the
    face's edge (a face filling the frame has no "beside"). Each spot is clamped into the
    frame."""
    x, y, w, h = box
    gap = _chart_gap(base)
    below, above_bottom = _below_and_above(box, tag, gap)
    panel_w, panel_h = panels[:, :1], panels[:, 1:]  # S x 1: a row per size
    right, left, above = x + w + gap, x - gap - panel_w, above_bottom - panel_h
    inside = min(x + w, width) - panel_w - gap
    xs = np.empty((len(panels), 15), dtype=np.int64)
    ys = np.empty((len(panels), 15), dtype=np.int64)
    xs[:, 0:3], xs[:, 3:6], xs[:, 12:15] = right, left, inside
    xs[:, 6:9] = xs[:, 9:12] = np.concatenate([np.full_like(panel_w, x), x + w // 2 - panel_w // 2, x + w - panel_w], 1)
    ys[:, 0:3] = ys[:, 3:6] = ys[:, 12:15] = np.concatenate(
        [np.full_like(panel_h, y), y + h // 2 - panel_h // 2, y + h - panel_h], 1
    )
    ys[:, 6:9], ys[:, 9:12] = below, above
    spots = np.empty((xs.size, 4), dtype=np.int64)
    spots[:, 0] = np.minimum(np.maximum(xs, 0), width - panel_w).ravel()
    spots[:, 1] = np.minimum(np.maximum(ys, 0), height - panel_h).ravel()
    spots[:, 2] = np.repeat(panels[:, 0], 15)
    spots[:, 3] = np.repeat(panels[:, 1], 15)
    return spots


def _slid_chart_spots(
    box: Rect, tag: Rect, panels: np.ndarray, width: int, height: int, base: int, obstacles: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """More spots for charts of the sizes ``panels`` (S x 2: width, height; largest first)
    beside, below and above the face, slid along that side to just past an edge of one of
    ``obstacles`` (K x 4), so a chart clears a neighbour's tag or chart its fixed spots run
    into. Only those still along the face count (the chart keeps a stretch of its face's
    columns or rows), nearest to the face first within each size. Returns the spots (N x 4)
    and each one's size number."""
    x, y, w, h = box
    gap = _chart_gap(base)
    below, above_bottom = _below_and_above(box, tag, gap)
    panel_w, panel_h = panels[:, :1], panels[:, 1:]  # S x 1: a row per size
    sizes, count = len(panels), 2 * len(obstacles)
    ox, oy, ow, oh = obstacles.T
    # Past an obstacle's right edge, or its left edge (less the chart's width); so too down
    # and up. Per size (rows): below and above the face, then right and left of it.
    past_x = np.concatenate([ox + ow + gap, ox - gap])
    past_y = np.concatenate([oy + oh + gap, oy - gap])
    before = np.repeat([0, 1], len(obstacles))  # 1: the chart ends at the edge
    xs = np.empty((sizes, 4 * count), dtype=np.int64)
    ys = np.empty((sizes, 4 * count), dtype=np.int64)
    xs[:, :count] = xs[:, count : 2 * count] = past_x - before * panel_w
    ys[:, 2 * count : 3 * count] = ys[:, 3 * count :] = past_y - before * panel_h
    ys[:, :count], ys[:, count : 2 * count] = below, above_bottom - panel_h
    xs[:, 2 * count : 3 * count], xs[:, 3 * count :] = x + w + gap, x - gap - panel_w
    np.minimum(np.maximum(xs, 0, out=xs), width - panel_w, out=xs)
    np.minimum(np.maximum(ys, 0, out=ys), height - panel_h, out=ys)
    along = np.empty(xs.shape, dtype=bool)
    along[:, : 2 * count] = (xs[:, : 2 * count] < x + w) & (xs[:, : 2 * count] + panel_w > x)  # its columns
    along[:, 2 * count :] = (ys[:, 2 * count :] < y + h) & (ys[:, 2 * count :] + panel_h > y)  # its rows
    size_of, column = np.nonzero(along)
    xs, ys = xs[size_of, column], ys[size_of, column]
    spot_w, spot_h = panels[size_of, 0], panels[size_of, 1]
    distance = np.abs(2 * xs + spot_w - 2 * x - w) + np.abs(2 * ys + spot_h - 2 * y - h)
    order = np.lexsort((distance, size_of))
    return np.stack([xs, ys, spot_w, spot_h], axis=1)[order], size_of[order]


def _below_and_above(box: Rect, tag: Rect, gap: int) -> tuple[int, int]:
    """The top of a chart below the face and the bottom of one above it, clear of its own
    ``tag`` (which a crowd may have pushed below the box)."""
    y, h = box[1], box[3]
    tag_y, tag_h = tag[1], tag[3]
    below = (tag_y + tag_h if tag_y >= y + h else y + h) + gap
    above_bottom = (tag_y if tag_y + tag_h <= y else y) - gap
    return below, above_bottom


def _chart_gap(base: int) -> int:
    """Pixels between a chart and its face's box."""
    return max(4, base // 2)


def within_reach(rects: Sequence[Rect], box: Rect, reach_x: int, reach_y: int) -> list[Rect]:
    """Those of ``rects`` that touch ``box`` grown by ``reach_x`` / ``reach_y`` px each way:
    all that a rectangle placed within that reach (or clamped into the frame from beyond
    it) can cover."""
    if not rects:
        return []
    x, y, w, h = box
    zone = np.array([(x - reach_x, y - reach_y, w + 2 * reach_x, h + 2 * reach_y)], dtype=np.int64)
    touching = overlap_areas(np.array(rects, dtype=np.int64).reshape(-1, 4), zone)[:, 0] > 0
    return [rect for rect, near in zip(rects, touching.tolist()) if near]


def _clip_box(box: tuple[int, int, int, int], width: int, height: int) -> Rect | None:
    """The part of a face box inside the frame (None when nothing of it is)."""
    x, y, w, h = (int(v) for v in box)
    x0, y0 = int(_clamp(x, 0, width - 1)), int(_clamp(y, 0, height - 1))
    x1, y1 = int(_clamp(x + w - 1, 0, width - 1)), int(_clamp(y + h - 1, 0, height - 1))
    if x1 <= x0 or y1 <= y0:
        return None
    return x0, y0, x1 - x0 + 1, y1 - y0 + 1


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))
