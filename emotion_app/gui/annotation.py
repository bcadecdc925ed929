"""The overlay of a result, drawn by the core renderer: the picture for the screen, whose
text stays readable however small the window shows the frame, and the one snapshots and
recordings save, sized by the frame alone (as ``analyze --output`` draws it).

A frame longer than :data:`MAX_SHOWN_SIDE` (a huge still) is shown from a copy shrunk to
it, its overlay drawn on that copy: no screen shows more, and a full-size screen picture of
the largest picture the app reads took gigabytes (docs/measurements.md, "Huge pictures").

On a high-DPI screen a frame shown larger than its size is drawn for the screen from a copy
enlarged up to the screen's device pixel ratio (:func:`screen_pixel_ratio`), its overlay laid
out as on the frame and drawn at the copy's pixels: text and boxes as sharp as the screen's
own, where enlarging the frame's overlay with the frame blurred them."""

from __future__ import annotations

import dataclasses
import logging
import math

import cv2
import numpy as np

from emotion_app.io.overlay import ChartPlaces, draw_results
from emotion_app.io.overlay_layout import quantised_display_scale, text_base_px
from emotion_app.results import FaceResult

from .messages import InferenceResult

log = logging.getLogger(__name__)

# The longest side of the screen's picture, in pixels: more than any screen shows (a
# still's faces are searched at less, pipeline.MAX_DETECTION_PIXELS). Frames up to it are
# shown at their own size, exactly as saved.
MAX_SHOWN_SIDE = 4096

# The most pixels of a picture enlarged for a high-DPI screen: enlarging and converting it
# is the inference thread's work each frame with faces (docs/measurements.md, "High-DPI
# screens"); a larger frame is enlarged less, and its own text is large already.
MAX_ENLARGED_PIXELS = 1920 * 1080

# Redraws on the GUI thread whose overlay raised: the first is logged, then every hundredth.
_failed_redraws = 0
# Snapshots and recorded frames whose own overlay raised: logged the same way.
_failed_saved = 0


@dataclasses.dataclass
class StreamChartPlaces:
    """The charts' places of a stream's last frame, for its two drawings (laid out apart):
    the screen's picture and the saved one. A new stream or a seek takes new ones."""

    shown: ChartPlaces = dataclasses.field(default_factory=ChartPlaces)
    saved: ChartPlaces = dataclasses.field(default_factory=ChartPlaces)

    def copy(self) -> StreamChartPlaces:
        """These places apart (for a result to be redrawn on another thread)."""
        return StreamChartPlaces(self.shown.copy(), self.saved.copy())


def annotate_frame(
    image: np.ndarray,
    faces: tuple[FaceResult, ...],
    labels: tuple[str, ...],
    show_bars: bool,
    display_scale: float | None = None,
    saved_too: bool = True,
    shown_frame: np.ndarray | None = None,
    pixel_ratio: float = 1.0,
    chart_places: StreamChartPlaces | None = None,
) -> tuple[np.ndarray | None, np.ndarray]:
    """The frame with the overlay snapshots and recordings save (BGR), and the picture for
    a screen showing the frame at ``display_scale`` (BGRA), enlarged ``pixel_ratio`` times
    (:func:`screen_pixel_ratio`; within :func:`enlarged_size`'s bounds).

    They are one drawing unless the screen needs larger text than the frame's own (a large
    frame in a small window), the frame is shown shrunk (:func:`shown_frame_of`, which
    ``shown_frame`` is, where the caller has it already) or enlarged; then the saved one is
    drawn only ``saved_too``, else it is None (:func:`saved_picture` draws it when asked).
    Without faces the frame itself is returned: nothing to draw, nothing to copy.
    ``chart_places``: the stream's, so its charts keep their places from frame to frame.
    """
    places = StreamChartPlaces() if chart_places is None else chart_places
    shown = shown_frame_of(image) if shown_frame is None else shown_frame
    height, width = image.shape[:2]
    if shown is not image:
        return _annotate_shrunk(image, shown, faces, labels, show_bars, display_scale, saved_too, places)
    if not faces:
        places.shown.clear()
        places.saved.clear()
        return image, _bgra(image)
    enlarged = enlarged_size(width, height, pixel_ratio)
    if enlarged != (width, height):
        canvas = cv2.resize(image, enlarged, interpolation=cv2.INTER_LINEAR)
        drawn = draw_results(
            canvas,
            faces,
            labels,
            show_bars=show_bars,
            in_place=True,
            display_scale=display_scale,
            frame_size=(width, height),
            chart_places=places.shown,
        )
        saved = _saved(image, faces, labels, show_bars, places) if saved_too else None
        return saved, _bgra(drawn)
    if not _screen_text_differs(width, height, display_scale):
        # One drawing for both: laid out from the last places of the one that matters (a
        # recording's, else the screen's), and both keep these, so neither jumps at a
        # switch to two drawings (a move to a high-DPI screen, a window made smaller).
        kept = places.saved if saved_too else places.shown
        annotated = draw_results(image, faces, labels, show_bars=show_bars, chart_places=kept)
        places.shown, places.saved = kept, kept.copy()
        return annotated, _bgra(annotated)
    drawn = draw_results(
        image, faces, labels, show_bars=show_bars, display_scale=display_scale, chart_places=places.shown
    )
    saved = _saved(image, faces, labels, show_bars, places) if saved_too else None
    return saved, _bgra(drawn)


def _saved(
    image: np.ndarray,
    faces: tuple[FaceResult, ...],
    labels: tuple[str, ...],
    show_bars: bool,
    places: StreamChartPlaces,
) -> np.ndarray:
    """The frame's own overlay, sized by the frame alone (as snapshots and recordings save)."""
    return draw_results(image, faces, labels, show_bars=show_bars, chart_places=places.saved)


def shown_frame_of(image: np.ndarray) -> np.ndarray:
    """The frame the screen's picture is drawn on: ``image`` itself, or where its longer
    side is over :data:`MAX_SHOWN_SIDE`, a copy shrunk to that (its aspect ratio kept)."""
    height, width = image.shape[:2]
    longer = max(width, height)
    if longer <= MAX_SHOWN_SIDE:
        return image
    scale = MAX_SHOWN_SIDE / longer
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def screen_pixel_ratio(device_scale: float, device_pixel_ratio: float) -> float:
    """How many times the screen's picture enlarges the frame, for a frame shown at
    ``device_scale`` screen (device) pixels per frame pixel on a screen of
    ``device_pixel_ratio``: up to that ratio where the frame is shown larger than its size
    (quantised as :func:`quantised_display_scale`), else 1. A screen of ratio 1 gets the
    frame's own pixels, as before: only a high-DPI screen has pixels the frame's overlay
    would leave blurred."""
    enlarge = min(device_scale, device_pixel_ratio)
    if not enlarge > 1 or not math.isfinite(enlarge):
        return 1.0
    return max(1.0, quantised_display_scale(enlarge))


def enlarged_size(width: int, height: int, pixel_ratio: float) -> tuple[int, int]:
    """The size of the screen's picture of a ``width`` x ``height`` frame enlarged
    ``pixel_ratio`` times: no longer than :data:`MAX_SHOWN_SIDE` and no more than
    :data:`MAX_ENLARGED_PIXELS` (then enlarged less); the frame's own size for a ratio of 1
    or less."""
    if not pixel_ratio > 1 or width <= 0 or height <= 0:
        return (width, height)
    ratio = min(pixel_ratio, MAX_SHOWN_SIDE / max(width, height), math.sqrt(MAX_ENLARGED_PIXELS / (width * height)))
    if ratio <= 1:
        return (width, height)
    return (round(width * ratio), round(height * ratio))


def _annotate_shrunk(
    image: np.ndarray,
    shown: np.ndarray,
    faces: tuple[FaceResult, ...],
    labels: tuple[str, ...],
    show_bars: bool,
    display_scale: float | None,
    saved_too: bool,
    places: StreamChartPlaces,
) -> tuple[np.ndarray | None, np.ndarray]:
    """:func:`annotate_frame` of a frame shown shrunk to ``shown``: the faces drawn there at
    its scale, the text as large on screen as it would be on the frame itself."""
    if not faces:
        places.shown.clear()
        places.saved.clear()
        return image, _bgra(shown)
    scale_x, scale_y = shown.shape[1] / image.shape[1], shown.shape[0] / image.shape[0]
    shown_faces = tuple(dataclasses.replace(face, box=_scaled_box(face.box, scale_x, scale_y)) for face in faces)
    # The view shows the shrunk copy 1/scale times as large as it would the frame.
    shown_scale = display_scale / scale_x if display_scale is not None and display_scale > 0 else None
    drawn = draw_results(
        shown, shown_faces, labels, show_bars=show_bars, display_scale=shown_scale, chart_places=places.shown
    )
    saved = _saved(image, faces, labels, show_bars, places) if saved_too else None
    return saved, _bgra(drawn)


def _scaled_box(box: tuple[int, int, int, int], scale_x: float, scale_y: float) -> tuple[int, int, int, int]:
    # Edges scaled, not the size: a box keeps touching what it touched in the frame.
    x, y, w, h = box
    left, top = round(x * scale_x), round(y * scale_y)
    right, bottom = round((x + w) * scale_x), round((y + h) * scale_y)
    return (left, top, max(1, right - left), max(1, bottom - top))


def _screen_text_differs(width: int, height: int, display_scale: float | None) -> bool:
    return text_base_px(width, height, display_scale) != text_base_px(width, height)


def _bgra(annotated: np.ndarray) -> np.ndarray:
    # BGRA is QImage.Format_RGB32's memory layout: the view wraps it without a copy and
    # Qt draws it on its fast path, so the conversion cost stays off the GUI thread.
    return cv2.cvtColor(annotated, cv2.COLOR_BGR2BGRA)


def saved_picture(result: InferenceResult) -> np.ndarray:
    """The frame with its overlay sized by the frame alone: what snapshots and recordings
    save (drawn now when the screen's picture had larger text and no one asked for it yet)."""
    if result.annotated is not None:
        return result.annotated
    return draw_results(result.image, result.faces, result.labels, show_bars=result.overlay_bars)


def saved_or_shown(result: InferenceResult) -> tuple[np.ndarray, bool]:
    """:func:`saved_picture` and True; where its overlay raises, the picture on screen (its
    text sized for the window) and False: a snapshot or recording keeps the faces the user
    saw rather than failing on whichever thread writes it."""
    try:
        return saved_picture(result), True
    except Exception as exc:
        global _failed_saved
        _failed_saved += 1
        if _failed_saved % 100 == 1:
            log.warning(
                "frame %d's overlay could not be drawn at its own size (%d so far); the screen's is saved: %s",
                result.frame_index,
                _failed_saved,
                exc,
            )
        shown = cv2.cvtColor(result.display_image, cv2.COLOR_BGRA2BGR)
        if shown.shape[:2] != result.image.shape[:2]:
            # Shown shrunk (a huge still): saved at the frame's size, as a recording's
            # frames must all be.
            shown = cv2.resize(shown, (result.width, result.height), interpolation=cv2.INTER_LINEAR)
        return shown, False


def with_names(result: InferenceResult, names: dict[int, str]) -> InferenceResult:
    """``result`` redrawn with these names on its faces (a paused frame when one is given);
    ``result`` itself when its faces have them already (cheap: the window asks of each frame)."""
    if all(face.name == names.get(face.track_id, "") for face in result.faces):
        return result
    faces = tuple(dataclasses.replace(face, name=names.get(face.track_id, "")) for face in result.faces)
    redrawn = _redrawn(result, faces, result.overlay_bars, result.overlay_scale, result.overlay_pixels)
    if redrawn is None:
        return result
    annotated, display = redrawn
    return dataclasses.replace(result, faces=faces, annotated=annotated, display_image=display)


def with_bars(result: InferenceResult, show_bars: bool) -> InferenceResult:
    """``result`` redrawn with or without charts (a paused frame when the toggle changes)."""
    if result.overlay_bars == show_bars:
        return result
    redrawn = _redrawn(result, result.faces, show_bars, result.overlay_scale, result.overlay_pixels)
    if redrawn is None:
        return result
    annotated, display = redrawn
    return dataclasses.replace(result, annotated=annotated, display_image=display, overlay_bars=show_bars)


def with_display_scale(result: InferenceResult, display_scale: float, pixel_ratio: float = 1.0) -> InferenceResult:
    """``result`` with its screen picture's text sized for ``display_scale`` and enlarged
    ``pixel_ratio`` times: redrawn only when that changes the picture (a paused frame when
    the window is resized or moved to another screen, or a frame the worker drew before it
    heard of the new size)."""
    if result.overlay_scale == display_scale and result.overlay_pixels == pixel_ratio:
        return result
    width, height = result.width, result.height
    same_text = text_base_px(width, height, result.overlay_scale) == text_base_px(width, height, display_scale)
    same_size = _screen_size(result, result.overlay_pixels) == _screen_size(result, pixel_ratio)
    if not result.faces or (same_text and same_size):
        return dataclasses.replace(result, overlay_scale=display_scale, overlay_pixels=pixel_ratio)
    redrawn = _redrawn(result, result.faces, result.overlay_bars, display_scale, pixel_ratio)
    if redrawn is None:
        return result
    annotated, display = redrawn
    # The saved picture does not depend on the screen: one drawn already is kept.
    saved = result.annotated if result.annotated is not None else annotated
    return dataclasses.replace(
        result, annotated=saved, display_image=display, overlay_scale=display_scale, overlay_pixels=pixel_ratio
    )


def _screen_size(result: InferenceResult, pixel_ratio: float) -> tuple[int, int]:
    """The size of ``result``'s screen picture (with faces) at ``pixel_ratio``."""
    if result.shown_frame is not None:  # a huge still's, shrunk: never enlarged
        return (result.shown_frame.shape[1], result.shown_frame.shape[0])
    return enlarged_size(result.width, result.height, pixel_ratio)


def _redrawn(
    result: InferenceResult,
    faces: tuple[FaceResult, ...],
    show_bars: bool,
    display_scale: float | None,
    pixel_ratio: float,
) -> tuple[np.ndarray | None, np.ndarray] | None:
    """``result``'s pictures redrawn with these faces, charts and text size, on the GUI
    thread; None where the overlay raised (the picture already drawn stays on screen: a
    fault raised here would escape a paint, a resize or a menu toggle)."""
    try:
        return annotate_frame(
            result.image,
            faces,
            result.labels,
            show_bars,
            display_scale,
            saved_too=False,
            shown_frame=result.shown_frame,
            pixel_ratio=pixel_ratio,
            # As the worker laid it out: charts the user saw stay where they were.
            chart_places=None if result.chart_places is None else result.chart_places.copy(),
        )
    except Exception as exc:
        global _failed_redraws
        _failed_redraws += 1
        if _failed_redraws % 100 == 1:
            log.warning(
                "frame %d's overlay could not be redrawn (%d so far): %s", result.frame_index, _failed_redraws, exc
            )
        return None
