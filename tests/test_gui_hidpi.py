"""A high-DPI screen (a laptop at 150% or 200%): the overlay is drawn at the screen's pixels.

The overlay is drawn into the frame, and Qt enlarges the frame to the screen's device
pixels: at a device pixel ratio of 2 a 640x360 clip in the first window was enlarged over
three times, its tags and charts as blurred as the video, beside the window's own sharp
text. The screen's picture is now drawn on the frame enlarged up to the device pixel ratio,
the overlay laid out as on the frame: the same drawing, at the screen's pixels.

The window test runs the real window in a child pytest (``gui_hidpi_child.py``, collected
only there) with QT_SCALE_FACTOR=2: Qt takes it when the application starts, and this
process's application exists already.
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from emotion_app.gui.annotation import (
    MAX_ENLARGED_PIXELS,
    MAX_SHOWN_SIDE,
    annotate_frame,
    enlarged_size,
    screen_pixel_ratio,
)
from emotion_app.io.overlay import draw_results
from emotion_app.results import FaceResult
from emotion_app.samples import SIX_LABELS, astronaut_frames
from tests.gui_support import blurred_difference, run_child_pytest, sharpness, temp_folder_env


def _astronaut_and_faces() -> tuple[np.ndarray, tuple[FaceResult, ...]]:
    """A 320x240 astronaut frame and its face, labelled (the overlay is what is checked)."""
    frames, boxes = astronaut_frames(num_frames=1, frame_size=(320, 240), face_size=80, copies=1, motion="static")
    probabilities = (0.05, 0.05, 0.7, 0.1, 0.05, 0.05)
    return frames[0], tuple(FaceResult(box, 1, "happy", 0.7, probabilities) for box in boxes[0])


def test_the_overlay_drawn_on_an_enlarged_frame_is_the_same_drawing_sharper() -> None:
    frame, faces = _astronaut_and_faces()
    height, width = frame.shape[:2]
    own = draw_results(frame, faces, SIX_LABELS, display_scale=1.0)
    enlarged = cv2.resize(own, (2 * width, 2 * height), interpolation=cv2.INTER_LINEAR)
    sharp = draw_results(
        cv2.resize(frame, (2 * width, 2 * height), interpolation=cv2.INTER_LINEAR),
        faces,
        SIX_LABELS,
        display_scale=1.0,
        frame_size=(width, height),
    )
    assert sharp.shape == enlarged.shape
    # Laid out as on the frame: boxes, tags and charts where the enlarged frame has them.
    assert blurred_difference(sharp, enlarged) < 2
    # ... but drawn at the enlarged pixels: its text and edges are crisp.
    assert sharpness(sharp) > 1.4 * sharpness(enlarged)


def test_the_screens_picture_is_enlarged_only_for_a_high_dpi_screen_and_within_bounds() -> None:
    # A screen of ratio 1 gets the frame's pixels, however large the frame is shown.
    assert screen_pixel_ratio(3.0, 1.0) == 1.0
    # At 200%, a frame shown at twice its size or more is enlarged twice.
    assert screen_pixel_ratio(3.3, 2.0) == 2.0
    # ... one shown smaller than its size on the screen's pixels has them already.
    assert screen_pixel_ratio(0.9, 2.0) == 1.0
    # At 150%, enlarged by up to 1.5 (quantised down, as the text's scale is).
    assert 1.3 < screen_pixel_ratio(2.5, 1.5) <= 1.5
    # A large frame is enlarged less, a huge one not at all.
    assert enlarged_size(640, 360, 2.0) == (1280, 720)
    w, h = enlarged_size(1280, 720, 2.0)
    assert w * h <= MAX_ENLARGED_PIXELS and w > 1280
    assert enlarged_size(1920, 1080, 2.0) == (1920, 1080)
    assert enlarged_size(MAX_SHOWN_SIDE, 2000, 2.0) == (MAX_SHOWN_SIDE, 2000)


def test_a_frame_without_faces_is_not_enlarged() -> None:
    frame, faces = _astronaut_and_faces()
    saved, shown = annotate_frame(frame, (), SIX_LABELS, True, 1.0, pixel_ratio=2.0)
    assert saved is frame and shown.shape[:2] == frame.shape[:2]
    saved, shown = annotate_frame(frame, faces, SIX_LABELS, True, 1.0, pixel_ratio=2.0)
    assert shown.shape[:2] == (2 * frame.shape[0], 2 * frame.shape[1])
    assert saved is not None and np.array_equal(saved, draw_results(frame, faces, SIX_LABELS))


def _run_child(tmp_path: Path, scale: str, *select: str) -> str:
    """``gui_hidpi_child.py``'s tests (those ``select`` picks) in a child pytest whose Qt
    scales by ``scale``; its output."""
    temp = tmp_path / "temp"
    temp.mkdir()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR=scale, **temp_folder_env(temp))
    return run_child_pytest("gui_hidpi_child.py", env, *select)


def test_a_window_on_a_screen_at_200_percent_draws_the_overlay_at_its_pixels(tmp_path: Path) -> None:
    # Also: snapshots and recordings keep the frame's size, and resizes while paused redraw.
    # And a view of no size asks for no enlarged frames.
    output = _run_child(tmp_path, "2")
    assert "4 passed" in output, output[-2000:]


def test_a_window_at_150_percent_saves_at_the_frames_size_and_redraws_on_resize(tmp_path: Path) -> None:
    # A ratio of 1.5 enlarges the screen's picture 1.41 times (a quarter octave): not whole pixels.
    output = _run_child(tmp_path, "1.5", "-k", "snapshot or resizing")
    assert "2 passed" in output, output[-2000:]
