"""The real window on a screen at 200%, run only as a child of ``test_gui_hidpi.py``, which
starts it with QT_SCALE_FACTOR=2 (this file's name keeps it out of the suite's own run)."""

from __future__ import annotations

import dataclasses

import cv2
from pytestqt.qtbot import QtBot

from emotion_app.io.overlay import draw_results
from emotion_app.samples import VideoTruth
from gui_support import (
    WAIT_MS,
    blurred_difference,
    grab_view,
    pause_on_shown_frame,
    sharpness,
    wait_for_face_result,
)


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
    assert blurred_difference(sharp, blurred) < 2
    # ... and crisp at the screen's pixels.
    assert sharpness(sharp) > 1.3 * sharpness(blurred)
