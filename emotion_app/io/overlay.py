"""Drawing face results on BGR frames with OpenCV (Qt-free; used by ``analyze`` and the GUI).

Everything scales with the face: line widths, text and the probability chart stay
legible on a 60-px face and in proportion on a face that fills the frame, and nothing
is ever drawn outside the frame.
"""

from __future__ import annotations

import zlib
from typing import Sequence

import cv2
import numpy as np

from ..faces.geometry import Box, overlap_area
from ..results import FaceResult

Color = tuple[int, int, int]  # B, G, R

# One colour per emotion, chosen to read at a glance (warm = aroused, cool = low).
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
_FONT = cv2.FONT_HERSHEY_SIMPLEX
_TEXT_ON_LIGHT: Color = (20, 20, 20)
_TEXT_ON_DARK: Color = (245, 245, 245)


def color_for(label: str) -> Color:
    """The drawing colour of an emotion label (known map first, then a stable fallback)."""
    key = label.strip().lower()
    if key in EMOTION_COLORS:
        return EMOTION_COLORS[key]
    return _FALLBACK_PALETTE[zlib.crc32(key.encode("utf-8")) % len(_FALLBACK_PALETTE)]


def _text_color(background: Color) -> Color:
    b, g, r = background
    luminance = 0.114 * b + 0.587 * g + 0.299 * r
    return _TEXT_ON_LIGHT if luminance > 140 else _TEXT_ON_DARK


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))




def draw_results(
    frame: np.ndarray,
    results: Sequence[FaceResult],
    labels: Sequence[str] | None = None,
    show_bars: bool = True,
    in_place: bool = False,
) -> np.ndarray:
    """Draw a box, label and confidence per face, and optionally a probability chart.

    ``frame``: BGR (BGRA and gray are converted, which implies a copy). ``labels``: the
    classifier's labels in probability order (needed for the chart). Charts go beside
    their face where they cover no other face or chart. Returns the drawn frame:
    ``frame`` itself when ``in_place`` and it is BGR, else a copy.
    """
    canvas = _as_bgr(frame, copy=not in_place)
    visible: list[tuple[FaceResult, Box, Box]] = []
    for result in results:
        drawn = _draw_face(canvas, result)
        if drawn is not None:
            visible.append((result, *drawn))
    if show_bars and labels is not None:
        charts: list[Box] = []
        for position, (result, box, tag) in enumerate(visible):
            if len(labels) == len(result.probabilities):
                others = [r for i, v in enumerate(visible) if i != position for r in v[1:]] + charts
                chart = _draw_bars(canvas, result, labels, box, others, [box, tag])
                if chart is not None:
                    charts.append(chart)
    return canvas


def _as_bgr(frame: np.ndarray, copy: bool) -> np.ndarray:
    if frame.ndim == 2:
        return cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    if frame.ndim == 3 and frame.shape[2] == 1:
        return cv2.cvtColor(frame[:, :, 0], cv2.COLOR_GRAY2BGR)
    if frame.ndim == 3 and frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2BGR)
    if frame.ndim == 3 and frame.shape[2] == 3:
        if frame.dtype != np.uint8:
            return np.clip(frame, 0, 255).astype(np.uint8)
        return frame.copy() if copy or not frame.flags.writeable else frame
    raise ValueError(f"cannot draw on a frame of shape {frame.shape}")


def _draw_face(canvas: np.ndarray, result: FaceResult) -> tuple[Box, Box] | None:
    """Box and label tag of one face; returns both rectangles (None if off-frame)."""
    height, width = canvas.shape[:2]
    x, y, w, h = (int(v) for v in result.box)
    # Clip the box to the frame; a face half outside still gets its visible part framed.
    x0, y0 = int(_clamp(x, 0, width - 1)), int(_clamp(y, 0, height - 1))
    x1, y1 = int(_clamp(x + w - 1, 0, width - 1)), int(_clamp(y + h - 1, 0, height - 1))
    if x1 <= x0 or y1 <= y0:
        return None
    side = max(1, min(w, h))
    color = color_for(result.label)
    thickness = int(_clamp(round(side / 70), 1, 6))
    # Axis-aligned lines gain nothing from anti-aliasing; LINE_8 keeps them crisp.
    cv2.rectangle(canvas, (x0, y0), (x1, y1), color, thickness, cv2.LINE_8)

    # Text size follows the face, within bounds that stay readable and fit the frame.
    font_scale = _clamp(side / 180.0, 0.4, 1.6)
    text_thickness = 1 if font_scale < 0.8 else 2
    caption = f"{result.label} {result.confidence * 100:.0f}%"
    (text_w, text_h), baseline = cv2.getTextSize(caption, _FONT, font_scale, text_thickness)
    while text_w + 6 > width and font_scale > 0.3:
        font_scale *= 0.85
        (text_w, text_h), baseline = cv2.getTextSize(caption, _FONT, font_scale, text_thickness)
    pad = max(2, text_h // 4)
    tag_w, tag_h = text_w + 2 * pad, text_h + baseline + 2 * pad
    tag_x = int(_clamp(x0, 0, max(0, width - tag_w)))
    # Above the box if there is room, else inside its top edge.
    tag_y = y0 - tag_h if y0 - tag_h >= 0 else y0
    tag_y = int(_clamp(tag_y, 0, max(0, height - tag_h)))
    _fill(canvas, tag_x, tag_y, tag_w, tag_h, color, alpha=1.0)
    cv2.putText(
        canvas,
        caption,
        (tag_x + pad, tag_y + pad + text_h),
        _FONT,
        font_scale,
        _text_color(color),
        text_thickness,
        cv2.LINE_AA,
    )
    return (x0, y0, x1 - x0 + 1, y1 - y0 + 1), (tag_x, tag_y, tag_w, tag_h)


def _draw_bars(
    canvas: np.ndarray,
    result: FaceResult,
    labels: Sequence[str],
    box: Box,
    others: list[Box],
    own: list[Box],
) -> Box | None:
    """A compact horizontal bar chart of all class probabilities beside the face.

    Sized from the face. ``others``: the other faces, their tags and the charts drawn so
    far; ``own``: this face's box and tag. The largest size that covers none of them wins;
    where every size covers something (a crowd), the spot covering least of ``others``,
    then of ``own``, since hiding another face is worse than hiding an edge of this one.
    """
    height, width = canvas.shape[:2]
    x, y, w, h = box
    count = len(labels)
    row_h = int(_clamp(h / count, 11, 30))
    best: tuple[int, tuple[float, int, int, int, int, int], tuple[int, int]] | None = None  # row, layout, spot
    best_cost = (0, 0)
    while True:
        layout = _chart_layout(labels, row_h, w)
        panel_w, panel_h = layout[4], layout[5]
        if panel_w <= width and panel_h <= height:
            spot, cost = _place_chart(box, panel_w, panel_h, width, height, others, own)
            if best is None or cost < best_cost:
                best, best_cost = (row_h, layout, spot), cost
            if cost == (0, 0):
                break
        if row_h <= 11:
            break
        row_h = max(11, int(row_h * 0.8))
    if best is None:
        return None  # a frame too small for a legible chart gets none rather than a smudge
    row_h, layout, (panel_x, panel_y) = best
    font_scale, name_w, bar_w, pad, panel_w, panel_h = layout
    _fill(canvas, panel_x, panel_y, panel_w, panel_h, (25, 25, 25), alpha=0.6)
    top_class = int(np.argmax(result.probabilities)) if result.probabilities else -1
    for row, (label, probability) in enumerate(zip(labels, result.probabilities)):
        top = panel_y + pad + row * row_h
        text_y = top + row_h - max(2, row_h // 4)
        weight = 2 if row == top_class and font_scale >= 0.5 else 1
        cv2.putText(canvas, label[:8], (panel_x + pad, text_y), _FONT, font_scale, _TEXT_ON_DARK, weight, cv2.LINE_AA)
        bar_x = panel_x + 2 * pad + name_w
        bar_h = max(3, row_h - 2 * max(1, row_h // 5))
        bar_top = top + (row_h - bar_h) // 2
        length = int(round(_clamp(float(probability), 0.0, 1.0) * bar_w))
        cv2.rectangle(canvas, (bar_x, bar_top), (bar_x + bar_w - 1, bar_top + bar_h - 1), (70, 70, 70), -1)
        if length > 0:
            cv2.rectangle(canvas, (bar_x, bar_top), (bar_x + length - 1, bar_top + bar_h - 1), color_for(label), -1)
    return panel_x, panel_y, panel_w, panel_h


def _chart_layout(labels: Sequence[str], row_h: int, face_w: int) -> tuple[float, int, int, int, int, int]:
    """font scale, name column width, bar width, padding, panel width and height."""
    font_scale = _clamp((row_h - 3) / 26.0, 0.3, 0.9)
    name_w = max(cv2.getTextSize(label[:8], _FONT, font_scale, 1)[0][0] for label in labels)
    # Bars shrink with the rows when a chart is made smaller to fit.
    bar_w = max(30, int(_clamp(face_w * 0.6, 40, 200) * min(1.0, row_h / 22.0)))
    pad = max(2, row_h // 6)
    return font_scale, name_w, bar_w, pad, name_w + bar_w + 3 * pad, len(labels) * row_h + 2 * pad


def _place_chart(
    box: Box, panel_w: int, panel_h: int, width: int, height: int, others: list[Box], own: list[Box]
) -> tuple[tuple[int, int], tuple[int, int]]:
    """Right of the face, else left, below, above, or over the frame's right edge: the
    first spot inside the frame that covers nothing drawn, else the one that covers least
    (of ``others``, then of ``own``). Returns the spot and the areas it covers."""
    x, y, w, h = box
    gap = max(4, w // 20)
    candidates = [
        (x + w + gap, y),
        (x - gap - panel_w, y),
        (x, y + h + gap),
        (x, y - gap - panel_h),
        (width - panel_w, y),
    ]

    def cost_at(spot: tuple[int, int]) -> tuple[int, int]:
        panel = (*spot, panel_w, panel_h)
        return sum(overlap_area(panel, r) for r in others), sum(overlap_area(panel, r) for r in own)

    best: tuple[int, int] | None = None
    best_cost = (0, 0)
    for cx, cy in candidates:
        cx = int(cx)
        if cx < 0 or cx + panel_w > width:
            continue
        spot = (cx, int(_clamp(cy, 0, height - panel_h)))
        cost = cost_at(spot)
        if cost == (0, 0):
            return spot, cost
        if best is None or cost < best_cost:
            best, best_cost = spot, cost
    if best is None:
        best = (max(0, width - panel_w), int(_clamp(y, 0, height - panel_h)))
        best_cost = cost_at(best)
    return best, best_cost


def _fill(canvas: np.ndarray, x: int, y: int, w: int, h: int, color: Color, alpha: float) -> None:
    """Fill a rectangle clipped to the canvas, blended with ``alpha``."""
    height, width = canvas.shape[:2]
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(width, x + w), min(height, y + h)
    if x1 <= x0 or y1 <= y0:
        return
    region = canvas[y0:y1, x0:x1]
    if alpha >= 1.0:
        region[:] = color
    else:
        solid = np.empty_like(region)
        solid[:] = color
        cv2.addWeighted(solid, alpha, region, 1.0 - alpha, 0.0, dst=region)
