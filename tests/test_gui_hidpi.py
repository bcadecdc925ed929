"""A high-DPI screen (a laptop at 150% or 200%): the overlay is drawn at the screen's pixels.

The overlay is drawn into the frame, and Qt enlarges the frame to the screen's device
pixels: at a device pixel ratio of 2 a 640x360 clip in the first window was enlarged over
three times, its tags and charts as blurred as the video, beside the window's own sharp
text. The screen's picture is now drawn on the frame enlarged up to the device pixel ratio,
the overlay laid out as on the frame: the same drawing, at the screen's pixels.

The window test runs the real window in a child pytest with QT_SCALE_FACTOR=2 (Qt takes it
when the application starts; this process's application exists already).
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from emotion_app.gui.annotation import (
    MAX_ENLARGED_PIXELS,
    MAX_SHOWN_SIDE,
    annotate_frame,
    enlarged_size,
    screen_pixel_ratio,
)
from emotion_app.io.overlay import draw_results
from emotion_app.results import FaceResult
from emotion_app.samples import SIX_LABELS, VideoTruth, astronaut_frames
from gui_support import WAIT_MS, grab_view, pause_on_shown_frame, temp_folder_env, wait_for_face_result

REPO = Path(__file__).resolve().parent.parent
_CHILD = "EMOTION_TEST_DEVICE_PIXEL_RATIO"


def _sharpness(picture: np.ndarray) -> float:
    """Mean absolute Laplacian: how crisp the edges are (an enlarged edge is spread out)."""
    gray = cv2.cvtColor(picture, cv2.COLOR_BGR2GRAY) if picture.ndim == 3 else picture
    return float(np.abs(cv2.Laplacian(gray.astype(np.float32), cv2.CV_32F)).mean())


def _blurred_difference(one: np.ndarray, other: np.ndarray) -> float:
    """Mean difference of two pictures blurred alike: small where the same shapes are in the
    same places, however crisp either is."""
    soft = [cv2.GaussianBlur(p, (0, 0), 4).astype(np.float32) for p in (one, other)]
    return float(np.abs(soft[0] - soft[1]).mean())


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
    assert _blurred_difference(sharp, enlarged) < 2
    # ... but drawn at the enlarged pixels: its text and edges are crisp.
    assert _sharpness(sharp) > 1.4 * _sharpness(enlarged)


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


def test_a_window_on_a_screen_at_200_percent_draws_the_overlay_at_its_pixels(tmp_path: Path) -> None:
    temp = tmp_path / "temp"
    temp.mkdir()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR="2", **temp_folder_env(temp))
    env[_CHILD] = "2"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"{Path(__file__).resolve()}::test_window_at_the_childs_device_pixel_ratio",
        ],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
        cwd=REPO,
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]
    assert "1 passed" in completed.stdout, completed.stdout[-2000:]


@pytest.mark.skipif(os.environ.get(_CHILD) != "2", reason="run in a child at a device pixel ratio of 2 (above)")
def test_window_at_the_childs_device_pixel_ratio(qtbot: QtBot, make_window, gui_video: VideoTruth) -> None:
    window = make_window(video=gui_video.path, size=(800, 600))
    assert window.view.devicePixelRatioF() == 2.0
    wait_for_face_result(qtbot, window)
    pause_on_shown_frame(qtbot, window)
    qtbot.waitUntil(lambda: window.view.result.faces and window.view.result.overlay_pixels == 2.0, timeout=WAIT_MS)
    result = window.view.result
    assert window.view.image_rect().width() / result.width > 1.0  # shown larger than the frame
    assert result.display_image.shape[:2] == (2 * result.height, 2 * result.width)

    sharp = grab_view(window)
    assert sharp.shape[:2] == (2 * window.view.height(), 2 * window.view.width())  # the screen's pixels
    # The same frame with the same overlay at the frame's pixels, as it was shown before.
    own = draw_results(result.image, result.faces, result.labels, display_scale=result.overlay_scale)
    own = cv2.cvtColor(own, cv2.COLOR_BGR2BGRA)
    window.view.set_result(dataclasses.replace(result, display_image=own))
    window.view.repaint()
    blurred = grab_view(window)
    rect = window.view.image_rect()
    x0, y0, x1, y1 = (int(2 * v) for v in (rect.left(), rect.top(), rect.right(), rect.bottom()))
    sharp, blurred = sharp[y0:y1, x0:x1], blurred[y0:y1, x0:x1]
    # Boxes, tags and charts in the same places and sizes (alike once both are blurred) ...
    assert _blurred_difference(sharp, blurred) < 2
    # ... and crisp at the screen's pixels.
    assert _sharpness(sharp) > 1.3 * _sharpness(blurred)
