"""The overlay of a result, drawn by the core renderer: one picture for the screen,
snapshots and recordings."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np

from emotion_app.io.overlay import draw_results
from emotion_app.results import FaceResult

from .messages import InferenceResult


def annotate_frame(
    image: np.ndarray, faces: tuple[FaceResult, ...], labels: tuple[str, ...], show_bars: bool
) -> tuple[np.ndarray, np.ndarray]:
    """The frame with its overlay (BGR) and the same as BGRA for the screen.

    Without faces the frame itself is returned: nothing to draw, nothing to copy.
    """
    annotated = draw_results(image, faces, labels, show_bars=show_bars) if faces else image
    # BGRA is QImage.Format_RGB32's memory layout: the view wraps it without a copy and
    # Qt draws it on its fast path, so the conversion cost stays off the GUI thread.
    return annotated, cv2.cvtColor(annotated, cv2.COLOR_BGR2BGRA)


def with_names(result: InferenceResult, names: dict[int, str]) -> InferenceResult:
    """``result`` redrawn with these names on its faces (a paused frame when one is given)."""
    faces = tuple(dataclasses.replace(face, name=names.get(face.track_id, "")) for face in result.faces)
    if faces == result.faces:
        return result
    annotated, display = annotate_frame(result.image, faces, result.labels, result.overlay_bars)
    return dataclasses.replace(result, faces=faces, annotated=annotated, display_image=display)


def with_bars(result: InferenceResult, show_bars: bool) -> InferenceResult:
    """``result`` redrawn with or without charts (a paused frame when the toggle changes)."""
    if result.overlay_bars == show_bars:
        return result
    annotated, display = annotate_frame(result.image, result.faces, result.labels, show_bars)
    return dataclasses.replace(result, annotated=annotated, display_image=display, overlay_bars=show_bars)
