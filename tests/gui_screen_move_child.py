"""The real window moved between two screens of different device pixel ratios, run only as
a child of ``test_gui_screen_move.py`` (this file's name keeps it out of the suite's own
run), which starts it on an Xvfb display split into two RandR monitors: LEFT at a ratio over
1 (2 or 1.5) and RIGHT at 1 (QT_QPA_PLATFORM=xcb, QT_SCREEN_SCALE_FACTORS)."""

from __future__ import annotations

from PyQt6.QtGui import QGuiApplication, QScreen
from pytestqt.qtbot import QtBot

from emotion_app.gui.annotation import enlarged_size, screen_pixel_ratio
from emotion_app.gui.main_window import MainWindow
from emotion_app.gui.messages import InferenceResult
from emotion_app.samples import VideoTruth
from tests.gui_support import (
    WAIT_MS,
    WindowFactory,
    pause_on_shown_frame,
    play_looping,
    shown_result,
    wait_for_face_result,
)


def _screens() -> tuple[QScreen, QScreen]:
    """The high-DPI screen and the one at ratio 1, as the parent set them up."""
    by_name = {screen.name(): screen for screen in QGuiApplication.screens()}
    assert set(by_name) == {"LEFT", "RIGHT"}, sorted(by_name)
    high, low = by_name["LEFT"], by_name["RIGHT"]
    assert high.devicePixelRatio() > 1 and low.devicePixelRatio() == 1.0
    return high, low


def _move_to(qtbot: QtBot, window: MainWindow, screen: QScreen) -> None:
    """Move the window onto ``screen`` (as a user's drag would: a new position, which the
    X server confirms) and wait until Qt has put it there."""
    corner = screen.geometry().topLeft()
    window.move(corner.x() + 40, corner.y() + 40)
    qtbot.waitUntil(lambda: window.screen() is screen, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.view.devicePixelRatioF() == screen.devicePixelRatio(), timeout=WAIT_MS)


def _enlarged_for(result: InferenceResult, ratio: float) -> bool:
    """Whether ``result``'s screen picture is the frame enlarged ``ratio`` times."""
    width, height = enlarged_size(result.width, result.height, ratio)
    return result.overlay_pixels == ratio and result.display_image.shape[:2] == (height, width)


def test_the_overlay_follows_the_window_to_a_screen_of_another_ratio(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # A 320x240 clip in a window of 800x600, shown larger than its size: enlarged up to the
    # high-DPI screen's ratio there, not at all on the screen at ratio 1.
    high, low = _screens()
    window = make_window(size=(800, 600))
    _move_to(qtbot, window, low)
    worker_drew: list[InferenceResult] = []  # as the worker drew them, before the view saw them
    window.controller.result_ready.connect(worker_drew.append)
    play_looping(window, gui_video.path)
    wait_for_face_result(qtbot, window)
    shown = window.view.image_rect().width() / shown_result(window).width
    enlarged = screen_pixel_ratio(shown * high.devicePixelRatio(), high.devicePixelRatio())
    assert enlarged > 1
    qtbot.waitUntil(
        lambda: bool(shown_result(window).faces) and _enlarged_for(shown_result(window), 1.0), timeout=WAIT_MS
    )

    # Playing: once on the high-DPI screen, the worker draws the frames enlarged.
    _move_to(qtbot, window, high)
    worker_drew.clear()
    qtbot.waitUntil(
        lambda: sum(bool(r.faces) and _enlarged_for(r, enlarged) for r in worker_drew) >= 3, timeout=WAIT_MS
    )
    qtbot.waitUntil(
        lambda: bool(shown_result(window).faces) and _enlarged_for(shown_result(window), enlarged), timeout=WAIT_MS
    )

    # Paused: the frame on screen is redrawn for each screen it is moved to, no new frame needed.
    paused = pause_on_shown_frame(qtbot, window)
    qtbot.waitUntil(
        lambda: bool(shown_result(window).faces) and _enlarged_for(shown_result(window), enlarged), timeout=WAIT_MS
    )
    for screen, ratio in ((low, 1.0), (high, enlarged), (low, 1.0)):
        _move_to(qtbot, window, screen)

        def redrawn(ratio: float = ratio) -> bool:
            return _enlarged_for(shown_result(window), ratio)

        qtbot.waitUntil(redrawn, timeout=WAIT_MS)
        assert shown_result(window).frame_index == paused.frame_index and window.view.pixel_ratio == ratio

    # Resumed on the screen at ratio 1: the worker was told, its frames come at the frame's size.
    window.resume()
    worker_drew.clear()
    qtbot.waitUntil(lambda: sum(bool(r.faces) for r in worker_drew) >= 3, timeout=WAIT_MS)
    assert all(_enlarged_for(r, 1.0) for r in worker_drew[1:] if r.faces)
