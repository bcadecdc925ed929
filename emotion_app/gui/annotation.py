"""The overlay of a result, drawn by the core renderer: the picture for the screen, whose
text stays readable however small the window shows the frame, and the one snapshots and
recordings save, sized by the frame alone (as ``analyze --output`` draws it)."""

from __future__ import annotations

import dataclasses
import logging

import cv2
import numpy as np

from emotion_app.io.overlay import draw_results
from emotion_app.io.overlay_layout import text_base_px
from emotion_app.results import FaceResult

from .messages import InferenceResult

log = logging.getLogger(__name__)

# Redraws on the GUI thread whose overlay raised: the first is logged, then every hundredth.
_failed_redraws = 0
# Snapshots and recorded frames whose own overlay raised: logged the same way.
_failed_saved = 0


def annotate_frame(
    image: np.ndarray,
    faces: tuple[FaceResult, ...],
    labels: tuple[str, ...],
    show_bars: bool,
    display_scale: float | None = None,
    saved_too: bool = True,
) -> tuple[np.ndarray | None, np.ndarray]:
    """The frame with the overlay snapshots and recordings save (BGR), and the picture for
    a screen showing the frame at ``display_scale`` (BGRA).

    They are one drawing unless the screen needs larger text than the frame's own (a large
    frame in a small window); then the saved one is drawn only ``saved_too``, else it is
    None (:func:`saved_picture` draws it when asked). Without faces the frame itself is
    returned: nothing to draw, nothing to copy.
    """
    if not faces:
        return image, _bgra(image)
    height, width = image.shape[:2]
    if not _screen_text_differs(width, height, display_scale):
        annotated = draw_results(image, faces, labels, show_bars=show_bars)
        return annotated, _bgra(annotated)
    shown = draw_results(image, faces, labels, show_bars=show_bars, display_scale=display_scale)
    saved = draw_results(image, faces, labels, show_bars=show_bars) if saved_too else None
    return saved, _bgra(shown)


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
        return cv2.cvtColor(result.display_image, cv2.COLOR_BGRA2BGR), False


def with_names(result: InferenceResult, names: dict[int, str]) -> InferenceResult:
    """``result`` redrawn with these names on its faces (a paused frame when one is given)."""
    faces = tuple(dataclasses.replace(face, name=names.get(face.track_id, "")) for face in result.faces)
    if faces == result.faces:
        return result
    redrawn = _redrawn(result, faces, result.overlay_bars, result.overlay_scale)
    if redrawn is None:
        return result
    annotated, display = redrawn
    return dataclasses.replace(result, faces=faces, annotated=annotated, display_image=display)


def with_bars(result: InferenceResult, show_bars: bool) -> InferenceResult:
    """``result`` redrawn with or without charts (a paused frame when the toggle changes)."""
    if result.overlay_bars == show_bars:
        return result
    redrawn = _redrawn(result, result.faces, show_bars, result.overlay_scale)
    if redrawn is None:
        return result
    annotated, display = redrawn
    return dataclasses.replace(result, annotated=annotated, display_image=display, overlay_bars=show_bars)


def with_display_scale(result: InferenceResult, display_scale: float) -> InferenceResult:
    """``result`` with its screen picture's text sized for ``display_scale``: redrawn only
    when that changes the text's size (a paused frame when the window is resized, or a
    frame the worker drew before it heard of the new size)."""
    if result.overlay_scale == display_scale:
        return result
    width, height = result.width, result.height
    if not result.faces or text_base_px(width, height, result.overlay_scale) == text_base_px(
        width, height, display_scale
    ):
        return dataclasses.replace(result, overlay_scale=display_scale)
    redrawn = _redrawn(result, result.faces, result.overlay_bars, display_scale)
    if redrawn is None:
        return result
    annotated, display = redrawn
    # The saved picture does not depend on the screen: one drawn already is kept.
    saved = result.annotated if result.annotated is not None else annotated
    return dataclasses.replace(result, annotated=saved, display_image=display, overlay_scale=display_scale)


def _redrawn(
    result: InferenceResult, faces: tuple[FaceResult, ...], show_bars: bool, display_scale: float | None
) -> tuple[np.ndarray | None, np.ndarray] | None:
    """``result``'s pictures redrawn with these faces, charts and text size, on the GUI
    thread; None where the overlay raised (the picture already drawn stays on screen: a
    fault raised here would escape a paint, a resize or a menu toggle)."""
    try:
        return annotate_frame(result.image, faces, result.labels, show_bars, display_scale, saved_too=False)
    except Exception as exc:
        global _failed_redraws
        _failed_redraws += 1
        if _failed_redraws % 100 == 1:
            log.warning(
                "frame %d's overlay could not be redrawn (%d so far): %s", result.frame_index, _failed_redraws, exc
            )
        return None
