"""Drawing face results on BGR frames (Qt-free): the one renderer of the app's overlay.

The screen, snapshots, recordings and ``analyze --output`` all show pictures made here,
from the one layout in :mod:`overlay_layout`: boxes, "#id label 87%" tags and probability
charts with percentages. Text is anti-aliased DejaVu Sans (the font matplotlib ships;
characters it lacks, in a name given in another script, from an installed font that has
them: :mod:`font_fallback`) rendered with Pillow; rectangles and blending are numpy/OpenCV, and rendered text is
cached, so a 720p frame with a few faces costs a few milliseconds.
"""

from __future__ import annotations

import importlib.util
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ..results import FaceResult
from .font_fallback import fallback_font
from .overlay_layout import (
    CHART_TEXT,
    EMOTION_COLORS,
    PANEL_ALPHA,
    PANEL_COLOR,
    TEXT_ON_DARK,
    TRACK_COLOR,
    ChartLayout,
    ChartPlaces,
    Color,
    FaceLayout,
    TagLayout,
    caption_pad,
    color_for,
    layout_overlay,
    scaled_layout,
    text_color_on,
)

__all__ = ["EMOTION_COLORS", "ChartPlaces", "Color", "color_for", "draw_results", "overlay_font_path", "text_color_on"]


def overlay_font_path(bold: bool = False) -> Path | None:
    """DejaVu Sans from matplotlib's data folder (found without importing matplotlib)."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return None
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    path = Path(list(spec.submodule_search_locations)[0]) / "mpl-data" / "fonts" / "ttf" / name
    return path if path.is_file() else None


@lru_cache(maxsize=128)
def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = overlay_font_path(bold)
    if path is not None:
        return ImageFont.truetype(str(path), size)
    # Without matplotlib's fonts: Pillow's own scalable default font (same metrics API).
    return ImageFont.load_default(size)


# FreeType faces are not safe to use from two threads at once (the inference thread draws
# frames while the GUI thread may redraw a paused one); cache misses take this lock.
_FREETYPE_LOCK = threading.Lock()


class PillowText:
    """Text metrics for the layout, from the fonts the renderer draws with."""

    def width(self, text: str, size: int, bold: bool = False) -> int:
        return _text_width(text, size, bold)

    def line_height(self, size: int) -> int:
        return _line_height(size)


@lru_cache(maxsize=128)
def _fallback(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


_ISOLATE_MARKS = str.maketrans("", "", "\u2066\u2067\u2068\u2069")


@lru_cache(maxsize=4096)
def _runs(text: str, bold: bool) -> tuple[tuple[str, Path | None], ...]:
    """``text`` cut where the font changes: (piece, None for the overlay's own font, or
    the installed font that has the piece's characters, e.g. a name given in Chinese)."""
    if _left_to_right(_font(12, bold)) is None:
        # No bidi layout (no libraqm): the marks of a name's isolate (overlay_layout) steer
        # nothing there, and DejaVu draws them as boxes.
        text = text.translate(_ISOLATE_MARKS)
    primary = overlay_font_path(bold)
    if text.isascii() or primary is None:
        return ((text, None),)
    runs: list[tuple[str, Path | None]] = []
    for char in text:
        font = fallback_font(char, primary)
        if runs and runs[-1][1] == font:
            runs[-1] = (runs[-1][0] + char, font)
        else:
            runs.append((char, font))
    return tuple(runs)


def _run_font(font: Path | None, size: int, bold: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return _font(size, bold) if font is None else _fallback(font, size)


def _left_to_right(font: ImageFont.FreeTypeFont | ImageFont.ImageFont) -> str | None:
    """Each text laid out left to right, where Pillow lays it out by the bidi algorithm (with
    libraqm; without it, characters go in their order and no direction can be given). By
    default its first letter chose: a Hebrew name's trailing space went before it, the tag's
    name ran into its "happy"."""
    if isinstance(font, ImageFont.FreeTypeFont) and font.layout_engine == ImageFont.Layout.RAQM:
        return "ltr"
    return None


@lru_cache(maxsize=8192)
def _text_width(text: str, size: int, bold: bool) -> int:
    runs = _runs(text, bold)
    with _FREETYPE_LOCK:
        faces = [(piece, _run_font(font, size, bold)) for piece, font in runs]
        return int(np.ceil(sum(face.getlength(piece, direction=_left_to_right(face)) for piece, face in faces)))


@lru_cache(maxsize=128)
def _line_height(size: int) -> int:
    with _FREETYPE_LOCK:
        font = _font(size, False)
        if isinstance(font, ImageFont.FreeTypeFont):
            ascent, descent = font.getmetrics()
            return int(ascent + descent)
        return size + size // 4


_MEASURE = PillowText()


# Bytes the rendered texts may hold. Labels repeat every frame and percentages take only
# 101 values, but at every font size a face's tag and chart pass through as it comes nearer
# or moves away, and a text's bytes grow with the square of its size: bounded by count
# instead, a long HD session kept far more than the texts in view need.
TEXT_CACHE_BYTES = 32 * 2**20
# What an entry costs beyond its pixels (its key, the array's header): tiny pictures count too.
_TEXT_ENTRY_OVERHEAD = 256


class _TextPictures:
    """Rendered texts by (text, size, bold), the least recently drawn dropped once they
    hold more than ``budget`` bytes (the newest always stays). Thread-safe: the inference
    thread draws frames while the GUI thread may redraw a paused one."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.bytes = 0
        self._pictures: OrderedDict[tuple[str, int, bool], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str, size: int, bold: bool) -> np.ndarray:
        key = (text, size, bold)
        with self._lock:
            alpha = self._pictures.get(key)
            if alpha is not None:
                self._pictures.move_to_end(key)
                return alpha
        alpha = _render_text(text, size, bold)  # outside the lock: rendering takes its own
        with self._lock:
            if key not in self._pictures:
                self._pictures[key] = alpha
                self.bytes += _entry_bytes(alpha)
                while self.bytes > self.budget and len(self._pictures) > 1:
                    self.bytes -= _entry_bytes(self._pictures.popitem(last=False)[1])
        return alpha


def _entry_bytes(alpha: np.ndarray) -> int:
    return int(alpha.nbytes) + _TEXT_ENTRY_OVERHEAD


_TEXT_PICTURES = _TextPictures(TEXT_CACHE_BYTES)


def _text_alpha(text: str, size: int, bold: bool) -> np.ndarray:
    """Coverage (0..1, float32, H x W x 1) of ``text`` in a box of its advance width by
    the line height; cached (see :data:`TEXT_CACHE_BYTES`), as labels repeat every frame."""
    return _TEXT_PICTURES.get(text, size, bold)


def _render_text(text: str, size: int, bold: bool) -> np.ndarray:
    image = Image.new("L", (max(1, _text_width(text, size, bold)), max(1, _line_height(size))), 0)
    runs = _runs(text, bold)
    with _FREETYPE_LOCK:
        draw = ImageDraw.Draw(image)
        primary = _font(size, bold)
        if len(runs) == 1 and runs[0][1] is None:
            draw.text((0, 0), runs[0][0], font=primary, fill=255, direction=_left_to_right(primary))
        else:  # pieces in other fonts share the overlay font's baseline
            baseline = primary.getmetrics()[0] if isinstance(primary, ImageFont.FreeTypeFont) else size
            x = 0.0
            for piece, font in runs:
                face = _run_font(font, size, bold)
                direction = _left_to_right(face)
                draw.text((x, baseline), piece, font=face, fill=255, anchor="ls", direction=direction)
                x += face.getlength(piece, direction=direction)
    alpha = np.asarray(image, dtype=np.float32)[:, :, None] * np.float32(1.0 / 255.0)
    alpha.setflags(write=False)
    return alpha


def draw_results(
    frame: np.ndarray,
    results: Sequence[FaceResult],
    labels: Sequence[str] | None = None,
    show_bars: bool = True,
    in_place: bool = False,
    display_scale: float | None = None,
    frame_size: tuple[int, int] | None = None,
    chart_places: ChartPlaces | None = None,
) -> np.ndarray:
    """Draw a box and an "#id label 87%" tag per face, and optionally a probability chart.

    ``frame``: BGR (BGRA and gray are converted, which implies a copy). ``labels``: the
    classifier's labels in probability order (needed for the chart). Returns the drawn
    frame: ``frame`` itself when ``in_place`` and it is BGR, else a copy.
    ``display_scale``: view pixels per frame pixel where the picture is shown scaled, so the
    text is readable there (:func:`overlay_layout.text_base_px`); None: sizes follow the frame.
    ``frame_size``: (width, height) of the frame the results' boxes are in, where ``frame``
    is that frame enlarged (the screen's picture on a high-DPI screen): the overlay is laid
    out as on the frame and drawn at ``frame``'s pixels; None: ``frame``'s own size.
    ``chart_places``: the charts' places of the stream's last frame drawn this way, so
    charts keep them rather than jump as boxes jitter (:class:`overlay_layout.ChartPlaces`);
    None for a picture drawn alone.
    """
    canvas = _as_bgr(frame, copy=not in_place)
    if not results:
        if chart_places is not None:
            chart_places.clear()  # faces gone are forgotten
        return canvas
    height, width = canvas.shape[:2]
    laid_w, laid_h = (width, height) if frame_size is None else frame_size
    layouts = layout_overlay(
        results, tuple(labels or ()), laid_w, laid_h, show_bars, _MEASURE, display_scale, chart_places
    )
    if (laid_w, laid_h) != (width, height):
        layouts = [scaled_layout(face, width / laid_w, height / laid_h) for face in layouts]
    for face in layouts:
        _draw_box(canvas, face)
    # Charts over boxes, so a neighbour's box never cuts through one; tags over charts,
    # as a tag names its face and in a tight crowd a chart may find no free spot.
    for face in layouts:
        if face.chart is not None:
            _draw_chart(canvas, face.chart)
    for face in layouts:
        _draw_tag(canvas, face.tag)
    return canvas


def _draw_box(canvas: np.ndarray, face: FaceLayout) -> None:
    x, y, w, h = face.box
    # Axis-aligned lines gain nothing from anti-aliasing; LINE_8 keeps them crisp.
    cv2.rectangle(canvas, (x, y), (x + w - 1, y + h - 1), face.color, face.thickness, cv2.LINE_8)


def _draw_tag(canvas: np.ndarray, tag: TagLayout) -> None:
    x, y, w, h = tag.rect
    _fill(canvas, x, y, w, h, tag.background, 1.0)
    text_x, text_y = x + tag.pad, y + (h - _line_height(tag.font_px)) // 2
    for piece in tag.pieces:
        _draw_text(canvas, piece, tag.font_px, True, text_x, text_y, tag.foreground)
        text_x += _text_width(piece, tag.font_px, True)


def _draw_chart(canvas: np.ndarray, chart: ChartLayout) -> None:
    x, y, w, h = chart.rect
    _fill(canvas, x, y, w, h, PANEL_COLOR, PANEL_ALPHA)
    pad, row = chart.pad, chart.row_h
    label_x = x + pad
    bar_x = label_x + chart.label_w + pad
    percent_right = bar_x + chart.bar_w + pad + chart.percent_w
    text_dy = (row - _line_height(chart.font_px)) // 2
    if chart.caption:  # whose chart it is: its face's tag name, in the tag's colours
        chip_pad = caption_pad(chart.font_px)
        chip_h = max(1, row - max(1, row // 6))
        chip_w = _text_width(chart.caption, chart.font_px, True) + 2 * chip_pad
        _fill(canvas, label_x, y + pad, chip_w, chip_h, chart.caption_background, 1.0)
        caption_dy = (chip_h - _line_height(chart.font_px)) // 2
        _draw_text(
            canvas,
            chart.caption,
            chart.font_px,
            True,
            label_x + chip_pad,
            y + pad + caption_dy,
            chart.caption_foreground,
        )
    bar_h = max(3, int(round(row * 0.6)))
    for index, item in enumerate(chart.rows, start=1):  # below the caption's row
        top = y + pad + index * row
        _draw_text(
            canvas,
            item.label,
            chart.font_px,
            item.is_top,
            label_x,
            top + text_dy,
            TEXT_ON_DARK if item.is_top else CHART_TEXT,
        )
        bar_top = top + (row - bar_h) // 2
        _fill(canvas, bar_x, bar_top, chart.bar_w, bar_h, TRACK_COLOR, 1.0)
        length = int(round(min(1.0, max(0.0, item.probability)) * chart.bar_w))
        if length > 0:
            _fill(canvas, bar_x, bar_top, length, bar_h, item.color, 1.0)
        percent = f"{item.percent}%"
        percent_w = _MEASURE.width(percent, chart.font_px)
        _draw_text(canvas, percent, chart.font_px, False, percent_right - percent_w, top + text_dy, TEXT_ON_DARK)


def _draw_text(canvas: np.ndarray, text: str, size: int, bold: bool, x: int, y: int, color: Color) -> None:
    """Blend anti-aliased ``text`` (top-left at x, y) into the canvas, clipped to it."""
    alpha = _text_alpha(text, size, bold)
    height, width = canvas.shape[:2]
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(width, x + alpha.shape[1]), min(height, y + alpha.shape[0])
    if x1 <= x0 or y1 <= y0:
        return
    region = canvas[y0:y1, x0:x1]
    base = region.astype(np.float32)
    base += (np.asarray(color, np.float32) - base) * alpha[y0 - y : y1 - y, x0 - x : x1 - x]
    np.add(base, 0.5, out=base)
    region[:] = base


def _fill(canvas: np.ndarray, x: int, y: int, w: int, h: int, color: Color, alpha: float) -> None:
    """Fill a rectangle clipped to the canvas, blended with ``alpha``."""
    height, width = canvas.shape[:2]
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(width, x + w), min(height, y + h)
    if x1 <= x0 or y1 <= y0:
        return
    if alpha >= 1.0:
        # OpenCV's filled rectangle: the same pixels as assigning the colour to the region,
        # without numpy's cost per call (a crowd's charts have hundreds of bars; README).
        cv2.rectangle(canvas, (x0, y0), (x1 - 1, y1 - 1), color, cv2.FILLED)
    else:
        region = canvas[y0:y1, x0:x1]
        cv2.addWeighted(_solid(y1 - y0, x1 - x0, color), alpha, region, 1.0 - alpha, 0.0, dst=region)


# Blocks of one colour (read-only), each as large as the largest fill asked of it so far:
# charts' panels (one colour) come in as many sizes as there are faces, and at 4K one is
# about a megabyte.
_SOLIDS: dict[Color, np.ndarray] = {}


def _solid(height: int, width: int, color: Color) -> np.ndarray:
    """A BGR block of ``color``, ``height`` x ``width``: a view of the colour's kept block,
    made larger when it is too small."""
    block = _SOLIDS.get(color)
    if block is None or block.shape[0] < height or block.shape[1] < width:
        shape = (height, width) if block is None else (max(height, block.shape[0]), max(width, block.shape[1]))
        block = np.empty((*shape, 3), np.uint8)
        block[:] = color
        block.setflags(write=False)
        _SOLIDS[color] = block
    return block[:height, :width]


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
