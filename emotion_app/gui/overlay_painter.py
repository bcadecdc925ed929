"""Painting faces, labels and probability bars with QPainter.

Everything is laid out in *target* pixels (the view on screen, or the frame itself for
snapshots) rather than frame pixels, so text stays crisp and legible whatever the window
size: a 60-pixel face gets a compact chart with a readable minimum font, a face filling
the view gets a bigger one, and nothing is ever drawn outside ``bounds``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from PyQt6.QtCore import QRectF, Qt
from PyQt6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from emotion_app.io.overlay import color_for
from emotion_app.results import FaceResult

# Bar-chart row height in target pixels: the minimum keeps a 60-px face's chart legible
# (10-px text), the maximum stops a face filling the view from getting a giant chart.
MIN_ROW_PX = 14
MAX_ROW_PX = 20
# Below this the text would be unreadable; charts that cannot fit at this size are skipped.
SMALLEST_ROW_PX = 9
_PANEL_BACKGROUND = QColor(0, 0, 0, 165)
_GAP_PX = 6
# Room left above a face for its label tag when a chart goes above the face.
_TAG_ALLOWANCE_PX = 22


def emotion_color(label: str, labels: Sequence[str] = ()) -> QColor:
    """The colour of ``label``: the core overlay's, so the view matches recordings."""
    blue, green, red = color_for(label)
    return QColor(red, green, blue)


@dataclass(frozen=True)
class FrameMapping:
    """Frame pixels -> target pixels: a uniform scale and an offset (letterboxing)."""

    scale: float = 1.0
    offset_x: float = 0.0
    offset_y: float = 0.0

    def map_box(self, box: tuple[int, int, int, int]) -> QRectF:
        x, y, w, h = box
        return QRectF(self.offset_x + x * self.scale, self.offset_y + y * self.scale, w * self.scale, h * self.scale)


@dataclass(frozen=True)
class BarsLayout:
    """Where a face's probability chart goes and how big its rows are."""

    panel: QRectF
    row_height: float
    font_px: int
    padding: float
    label_width: float
    bar_width: float
    percent_width: float


def chart_font(row_height: float) -> QFont:
    font = QFont()
    font.setPixelSize(max(7, int(round(row_height * 0.72))))
    return font


def layout_bars(
    face_rect: QRectF, labels: Sequence[str], bounds: QRectF, avoid: Sequence[QRectF] = ()
) -> BarsLayout | None:
    """Place the chart beside ``face_rect`` inside ``bounds``; None if it cannot fit legibly.

    ``avoid``: other faces and charts already placed. The largest chart that covers none of
    them nor its own face wins; where every size covers something (a crowd), the one that
    covers the least of the other faces and charts, then of its own face, then the largest.
    """
    if not labels or bounds.width() <= 0 or bounds.height() <= 0:
        return None
    row = min(MAX_ROW_PX, max(MIN_ROW_PX, face_rect.height() * 0.14))
    best: BarsLayout | None = None
    best_cost = (float("inf"), float("inf"))
    while row >= SMALLEST_ROW_PX:
        sized = _sized_layout(face_rect, labels, bounds, row, avoid)
        if sized is not None:
            layout, cost = sized
            if cost == (0.0, 0.0):
                return layout
            # Strictly smaller only: at equal cost the earlier, larger chart stays.
            if cost < best_cost:
                best, best_cost = layout, cost
        row -= 1  # shrink: a smaller chart may fit where it covers nothing
    return best


def _overlap(a: QRectF, b: QRectF) -> float:
    inter = a.intersected(b)
    return max(0.0, inter.width()) * max(0.0, inter.height())


def _sized_layout(
    face_rect: QRectF, labels: Sequence[str], bounds: QRectF, row: float, avoid: Sequence[QRectF] = ()
) -> tuple[BarsLayout, tuple[float, float]] | None:
    """The best spot for a chart of this row height and its cost: the area it covers of
    ``avoid``, then of its own face. None when the chart is larger than ``bounds``."""
    font = chart_font(row)
    metrics = QFontMetricsF(font)
    padding = max(3.0, round(row * 0.3))
    label_width = max(metrics.horizontalAdvance(label) for label in labels)
    percent_width = metrics.horizontalAdvance("100%")
    bar_width = round(row * 4.0)
    width = padding * 4 + label_width + bar_width + percent_width
    height = padding * 2 + row * len(labels)
    if width > bounds.width() or height > bounds.height():
        return None
    # Beside the face (right first, as people read) at its top, middle or bottom; then
    # below or above it; the last resort is inside the view over the face's edge, since a
    # face filling the view has no "beside". Each candidate is clamped into the view and
    # the first that covers nothing wins, else the one covering least: covering another
    # face or chart hides what the user is looking at, so it counts before the own face.
    right, left = face_rect.right() + _GAP_PX, face_rect.left() - _GAP_PX - width
    tops = (face_rect.top(), face_rect.center().y() - height / 2, face_rect.bottom() - height)
    lefts = (face_rect.left(), face_rect.center().x() - width / 2, face_rect.right() - width)
    below = face_rect.bottom() + _GAP_PX
    above = face_rect.top() - _TAG_ALLOWANCE_PX - _GAP_PX - height  # clear of the label tag
    candidates = (
        [(right, y) for y in tops]
        + [(left, y) for y in tops]
        + [(x, below) for x in lefts]
        + [(x, above) for x in lefts]
        + [(min(face_rect.right(), bounds.right()) - width - _GAP_PX, y) for y in tops]
    )
    best: QRectF | None = None
    best_cost = (float("inf"), float("inf"))
    for x, y in candidates:
        x_in = min(max(x, bounds.left()), bounds.right() - width)
        y_in = min(max(y, bounds.top()), bounds.bottom() - height)
        panel = QRectF(x_in, y_in, width, height)
        cost = (sum(_overlap(panel, other) for other in avoid), _overlap(panel, face_rect))
        if cost < best_cost:
            best, best_cost = panel, cost
            if cost == (0.0, 0.0):
                break
    assert best is not None
    return BarsLayout(best, row, font.pixelSize(), padding, label_width, bar_width, percent_width), best_cost


def paint_faces(
    painter: QPainter,
    faces: Sequence[FaceResult],
    labels: Sequence[str],
    mapping: FrameMapping,
    bounds: QRectF,
    show_bars: bool,
) -> None:
    """Draw every face's box and tag, and its chart when ``show_bars``; clipped to ``bounds``."""
    painter.save()
    painter.setClipRect(bounds)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    rects = [mapping.map_box(face.box) for face in faces]
    for face, rect in zip(faces, rects):
        _paint_box(painter, face, labels, rect, bounds)
    # Charts after all boxes so a neighbour's box never cuts through a chart; each chart
    # steers clear of the other faces and of the charts placed before it.
    if show_bars:
        placed: list[QRectF] = []
        for position, (face, rect) in enumerate(zip(faces, rects)):
            others = [r for i, r in enumerate(rects) if i != position] + placed
            layout = layout_bars(rect, labels, bounds, others)
            if layout is not None:
                _paint_bars(painter, face, labels, layout)
                placed.append(layout.panel)
    painter.restore()


def _paint_box(painter: QPainter, face: FaceResult, labels: Sequence[str], rect: QRectF, bounds: QRectF) -> None:
    color = emotion_color(face.label, labels)
    pen = QPen(color, max(2.0, rect.height() / 70.0))
    pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(rect)

    font = QFont()
    font.setPixelSize(int(min(18, max(11, rect.height() * 0.11))))
    font.setBold(True)
    metrics = QFontMetricsF(font)
    text = f"#{face.track_id} {face.label} {face.confidence:.0%}"
    pad = 3.0
    width, height = metrics.horizontalAdvance(text) + 2 * pad, metrics.height() + pad
    # Above the box; inside its top edge when the box touches the top of the view.
    y = rect.top() - height if rect.top() - height >= bounds.top() else rect.top()
    x = min(max(rect.left(), bounds.left()), bounds.right() - width)
    tag = QRectF(x, y, width, height)
    painter.fillRect(tag, color)
    painter.setFont(font)
    painter.setPen(_text_color_on(color))
    painter.drawText(tag.adjusted(pad, 0, -pad, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text)


def _paint_bars(painter: QPainter, face: FaceResult, labels: Sequence[str], layout: BarsLayout) -> None:
    panel = layout.panel
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(_PANEL_BACKGROUND)
    painter.drawRoundedRect(panel, 4, 4)
    font = chart_font(layout.row_height)
    painter.setFont(font)
    pad, row = layout.padding, layout.row_height
    label_x = panel.left() + pad
    bar_x = label_x + layout.label_width + pad
    pct_x = bar_x + layout.bar_width + pad
    top_index = labels.index(face.label) if face.label in labels else -1
    for index, (label, probability) in enumerate(zip(labels, face.probabilities)):
        y = panel.top() + pad + index * row
        color = emotion_color(label, labels)
        is_top = index == top_index
        painter.setPen(QColor(255, 255, 255) if is_top else QColor(215, 215, 215))
        align = Qt.AlignmentFlag.AlignVCenter
        painter.drawText(QRectF(label_x, y, layout.label_width, row), align | Qt.AlignmentFlag.AlignLeft, label)
        track = QRectF(bar_x, y + row * 0.2, layout.bar_width, row * 0.6)
        painter.fillRect(track, QColor(255, 255, 255, 40))
        filled = QRectF(track.left(), track.top(), track.width() * min(1.0, max(0.0, probability)), track.height())
        painter.fillRect(filled, color if is_top else color.darker(115))
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(
            QRectF(pct_x, y, layout.percent_width, row), align | Qt.AlignmentFlag.AlignRight, f"{probability:.0%}"
        )


def _text_color_on(background: QColor) -> QColor:
    # Dark text on light colours (happy, neutral), white on dark ones.
    luminance = 0.299 * background.red() + 0.587 * background.green() + 0.114 * background.blue()
    return QColor(20, 20, 20) if luminance > 150 else QColor(255, 255, 255)


def fit_frame(frame_width: int, frame_height: int, target: QRectF) -> tuple[FrameMapping, QRectF]:
    """The largest aspect-preserving placement of a frame centred in ``target``."""
    if frame_width <= 0 or frame_height <= 0 or target.width() <= 0 or target.height() <= 0:
        return FrameMapping(), QRectF()
    scale = min(target.width() / frame_width, target.height() / frame_height)
    width, height = frame_width * scale, frame_height * scale
    x = target.left() + (target.width() - width) / 2.0
    y = target.top() + (target.height() - height) / 2.0
    return FrameMapping(scale, x, y), QRectF(x, y, width, height)


__all__ = [
    "BarsLayout",
    "FrameMapping",
    "emotion_color",
    "fit_frame",
    "layout_bars",
    "paint_faces",
]
