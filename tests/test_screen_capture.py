"""Screens as a live source: a real X server (Xvfb) shows a real window with faces, the app
grabs that screen with mss, leaves its own window out, and finds the faces.

Skipped, with the reason, where Xvfb is missing (scripts/install-system-deps.sh installs it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import mss
import numpy as np
import pytest
from PyQt6.QtCore import QPoint, QRect, Qt
from PyQt6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from emotion_app.gui.launch import parse_args
from emotion_app.gui.main_window import MainWindow
from emotion_app.gui.region_selector import RegionSelector
from emotion_app.gui.screen_menu import ScreenMenu
from emotion_app.gui.window_cover import COVER_NOTICE, covered_share
from emotion_app.samples import VideoTruth, read_video
from emotion_app.sources import screen_capture
from emotion_app.sources.frame_source import SourceOpenError
from emotion_app.sources.opening import open_frame_source
from emotion_app.sources.screen_capture import Screen, ScreenCaptureError, ScreenFrameSource, list_screens
from emotion_app.sources.specs import ScreenArea, ScreenSpec
from tests.gui_support import WAIT_MS, WindowFactory, run_gui_script, wait_for_face_result

SCREEN_SIZE = (800, 600)
PICTURE_AT = (40, 30)  # where the window showing the picture sits on the screen

_MISSING = [tool for tool in ("Xvfb",) if shutil.which(tool) is None]
needs_xvfb = pytest.mark.skipif(bool(_MISSING), reason="not installed: Xvfb (scripts/install-system-deps.sh)")

# A frameless window that shows one picture at PICTURE_AT on the X server it is started on.
_SHOW_PICTURE = """
import sys
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QPixmap
from PyQt6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel()
label.setWindowFlag(Qt.WindowType.FramelessWindowHint)
label.setPixmap(QPixmap(sys.argv[1]))
label.move(int(sys.argv[2]), int(sys.argv[3]))
label.show()
app.processEvents()
print("shown", flush=True)
app.exec()
"""


def _free_display() -> int:
    for number in range(140, 200):
        if not Path(f"/tmp/.X{number}-lock").exists() and not Path(f"/tmp/.X11-unix/X{number}").exists():
            return number
    raise RuntimeError("no free X display number")


@pytest.fixture(scope="module")
def x_screen(tmp_path_factory: pytest.TempPathFactory, gui_video: VideoTruth) -> Iterator[tuple[str, np.ndarray]]:
    """An X display with the test video's first frame shown at PICTURE_AT; (DISPLAY, picture)."""
    number = _free_display()
    display = f":{number}"
    server = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", f"{SCREEN_SIZE[0]}x{SCREEN_SIZE[1]}x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    viewer: subprocess.Popen[str] | None = None
    try:
        deadline = time.monotonic() + 20.0
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            if time.monotonic() > deadline or server.poll() is not None:
                pytest.fail(f"Xvfb did not start on {display}")
            time.sleep(0.05)
        picture = read_video(gui_video.path)[0]
        path = tmp_path_factory.mktemp("screen") / "faces.png"
        cv2.imwrite(str(path), picture)
        env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
        env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb")
        viewer = subprocess.Popen(
            [sys.executable, "-c", _SHOW_PICTURE, str(path), str(PICTURE_AT[0]), str(PICTURE_AT[1])],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert viewer.stdout is not None
        line = viewer.stdout.readline()
        if line.strip() != "shown":
            pytest.fail(f"the picture window did not open: {line!r} {viewer.stderr.read() if viewer.stderr else ''}")
        _wait_until_painted(display, picture)
        yield display, picture
    finally:
        if viewer is not None:
            viewer.kill()
            viewer.wait(10)
        server.terminate()
        server.wait(10)


def _wait_until_painted(display: str, picture: np.ndarray, timeout_s: float = 20.0) -> None:
    """Until a grab of ``display`` shows ``picture`` at PICTURE_AT (a loaded machine may take
    a while to paint the window the first time)."""
    height, width = picture.shape[:2]
    x, y = PICTURE_AT
    deadline = time.monotonic() + timeout_s
    with mss.MSS(display=display) as grabber:
        while True:
            shot = np.asarray(grabber.grab({"left": x, "top": y, "width": width, "height": height}))[:, :, :3]
            if np.abs(shot.astype(np.int16) - picture.astype(np.int16)).mean() < 3.0:
                return
            if time.monotonic() > deadline:
                pytest.fail(f"the picture window was not painted on {display} within {timeout_s:.0f} s")
            time.sleep(0.1)


@pytest.fixture
def on_x_screen(x_screen: tuple[str, np.ndarray], monkeypatch: pytest.MonkeyPatch) -> np.ndarray:
    """Screen captures in this test grab the Xvfb screen; the picture shown on it."""
    display, picture = x_screen
    monkeypatch.setenv("DISPLAY", display)
    return picture


@needs_xvfb
def test_the_screens_are_listed_and_grabbed_at_their_pace(on_x_screen: np.ndarray) -> None:
    assert list_screens() == [Screen(1, 0, 0, *SCREEN_SIZE, "screen")]
    assert list_screens()[0].describe() == "Screen 1 — 800x600"
    source = open_frame_source(ScreenSpec(1))
    assert isinstance(source, ScreenFrameSource)
    try:
        began = time.monotonic()
        frames = [source.read() for _ in range(4)]
        took = time.monotonic() - began
    finally:
        source.release()
    assert all(frame is not None and frame.shape == (SCREEN_SIZE[1], SCREEN_SIZE[0], 3) for frame in frames)
    assert took >= 3 / source.fps - 0.02  # three periods between four grabs
    frame = frames[-1]
    assert frame is not None
    height, width = on_x_screen.shape[:2]
    x, y = PICTURE_AT
    shown = frame[y : y + height, x : x + width].astype(np.int16)
    assert np.abs(shown - on_x_screen.astype(np.int16)).mean() < 3.0  # the picture, pixel for pixel
    assert source.read() is None  # released


@needs_xvfb
def test_the_apps_own_window_is_left_out_of_the_picture(on_x_screen: np.ndarray) -> None:
    own = ScreenArea()
    source = open_frame_source(ScreenSpec(1, own_window=own))
    try:
        assert float(source.read().mean()) > 10.0  # type: ignore[union-attr]
        own.rect = (-100, -100, 2000, 2000)  # the window over the whole screen, and beyond
        assert not source.read().any()  # type: ignore[union-attr]
        own.rect = (400, 300, 50, 40)
        frame = source.read()
        assert frame is not None and not frame[300:340, 400:450].any() and frame[:300].any()
        own.rect = None  # minimised
        assert float(source.read().mean()) > 10.0  # type: ignore[union-attr]
    finally:
        source.release()


@needs_xvfb
def test_the_window_finds_the_faces_on_a_screen_unmirrored(
    qtbot: QtBot, make_window: WindowFactory, on_x_screen: np.ndarray, gui_video: VideoTruth
) -> None:
    window = make_window(screen=1, real_screens=True)
    result = wait_for_face_result(qtbot, window)
    assert window.windowTitle().endswith("Screen 1") and not window.mirror_action.isChecked()
    # The face where the picture shows it: the picture's own face box moved by PICTURE_AT.
    (x, y, w, h), *_ = gui_video.faces[0]
    face = result.faces[0].box
    assert abs(face[0] - (x + PICTURE_AT[0])) < w / 3 and abs(face[1] - (y + PICTURE_AT[1])) < h / 3
    assert window.source_state.spec == ScreenSpec(1)
    assert "Screen &1 — 800x600" in [action.text() for action in window.screen_menu.actions()]
    assert window.picker.current_screen() == Screen(1, 0, 0, *SCREEN_SIZE, "screen")  # the toolbar says so


@needs_xvfb
def test_the_camera_picker_offers_the_screens_after_the_cameras(
    qtbot: QtBot, make_window: WindowFactory, on_x_screen: np.ndarray, gui_video: VideoTruth
) -> None:
    window = make_window(real_screens=True)  # no camera, nothing remembered
    assert window.picker.isEnabled() and window.picker.itemText(0) == "Screen 1 — 800x600"
    assert "or pick a screen in the toolbar" in window.source_banner.text()
    assert not window.is_running  # a screen is offered, not captured unasked
    window.picker.activated.emit(0)
    qtbot.waitUntil(lambda: window.is_running and window.source_state.spec == ScreenSpec(1), timeout=WAIT_MS)
    assert window.picker.current_screen() is not None
    window.open_video(gui_video.path)  # a file playing is none of the picker's entries
    qtbot.waitUntil(lambda: window.is_running and window.is_file, timeout=WAIT_MS)
    assert window.picker.currentIndex() == -1 and window.picker.current_screen() is None


@needs_xvfb
def test_a_screen_that_is_not_there_is_refused_in_one_line(
    qtbot: QtBot, make_window: WindowFactory, on_x_screen: np.ndarray
) -> None:
    window = make_window(screen=3, real_screens=True)
    qtbot.waitUntil(lambda: "Could not capture screen 3" in window.source_banner.text(), timeout=WAIT_MS)
    assert "there is no screen 3 (this computer has 1)" in window.source_banner.text()


@needs_xvfb
def test_a_black_grab_in_a_wayland_session_is_explained(
    on_x_screen: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_SESSION_TYPE", "wayland")
    source = open_frame_source(ScreenSpec(1))  # the picture shows: XWayland let it be grabbed
    source.release()
    everything = ScreenArea()
    everything.rect = (0, 0, *SCREEN_SIZE)  # what XWayland gives for other applications' windows
    with pytest.raises(SourceOpenError, match="comes out black: a Wayland session does not let applications"):
        open_frame_source(ScreenSpec(1, own_window=everything))


def test_without_a_display_no_screen_is_offered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    if sys.platform.startswith("linux"):
        assert list_screens() == []
        with pytest.raises(SourceOpenError, match=r"^Could not capture screen 1: this system lets no screen be"):
            open_frame_source(ScreenSpec(1))


def test_the_screen_option_takes_a_number() -> None:
    assert parse_args(["--screen", "2"]).screen == 2
    assert parse_args(["--screen", "0"]).screen == 0
    with pytest.raises(SystemExit):
        parse_args(["--screen", "left"])
    with pytest.raises(SystemExit):
        parse_args(["--screen", "1", "--video", "a.mp4"])  # one source at a time


@needs_xvfb
def test_measure_gui_measures_a_screen(x_screen: tuple[str, np.ndarray], random_weights: Path) -> None:
    display, _ = x_screen
    # Offscreen, the measuring window stays off the captured screen (and out of the picture).
    command = ["--screen", "1", "--weights", str(random_weights)]
    completed = run_gui_script(
        "measure_gui", *command, "--seconds", "2", "--warmup", "0.5", "--soak-frames", "0", timeout=240, display=display
    )
    assert completed.returncode in (0, 1), completed.stdout[-2000:] + completed.stderr[-3000:]
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    assert report["frame_size"] == list(SCREEN_SIZE) and report["source_fps"] == 15.0
    assert report["display_fps"] > 0 and "Screen 1 — 800x600, grabbed at 15.00 fps" in completed.stdout
    assert report["screen_grab_ms"]["median"] > 0 and "screen grab (Screen 1 — 800x600" in completed.stdout
    refused = run_gui_script("measure_gui", *command, "--profile", timeout=120, display=display)
    assert refused.returncode == 2 and "not with --video or --profile" in refused.stderr


@needs_xvfb
def test_a_part_of_a_screen_is_captured_alone(on_x_screen: np.ndarray) -> None:
    height, width = on_x_screen.shape[:2]
    region = (*PICTURE_AT, width, height)
    source = open_frame_source(ScreenSpec(1, region))
    try:
        frame = source.read()
    finally:
        source.release()
    assert frame is not None and frame.shape == on_x_screen.shape
    assert np.abs(frame.astype(np.int16) - on_x_screen.astype(np.int16)).mean() < 3.0
    assert ScreenSpec(1, region).describe(capital=True) == f"Part of screen 1 ({width}x{height})"
    with pytest.raises(SourceOpenError, match="the part asked for is not on screen 1"):
        open_frame_source(ScreenSpec(1, (900, 700, 100, 100)))


def test_the_region_selector_turns_a_drag_into_screen_pixels(qtbot: QtBot) -> None:
    picture = np.zeros((600, 800, 3), np.uint8)
    # Shown at half size: a screen whose pixels are twice Qt's coordinates (high DPI).
    selector = RegionSelector(Screen(2, 1920, 0, 800, 600), picture, QRect(0, 0, 400, 300))
    qtbot.addWidget(selector)
    selector.show()
    with qtbot.waitSignal(selector.chosen) as chosen:
        drag(qtbot, selector, QPoint(120, 90), QPoint(20, 15))  # dragged up and to the left
    assert chosen.args == [(1920 + 40, 30, 200, 150)]
    again = RegionSelector(Screen(1, 0, 0, 800, 600), picture, QRect(0, 0, 800, 600))
    qtbot.addWidget(again)
    again.show()
    with qtbot.waitSignal(again.cancelled):
        drag(qtbot, again, QPoint(10, 10), QPoint(20, 20))  # a click more than a drag
    third = RegionSelector(Screen(1, 0, 0, 800, 600), picture, QRect(0, 0, 800, 600))
    qtbot.addWidget(third)
    third.show()
    with qtbot.waitSignal(third.cancelled):
        qtbot.keyClick(third, Qt.Key.Key_Escape)


def test_a_drag_carried_past_the_screens_edge_chooses_the_part_on_the_screen(qtbot: QtBot) -> None:
    # Was: the part dragged, past the edge too, (600, 400, 300, 360) here: named "Part of
    # screen 1 (300x360)" in the title and the picker, though the grab is clipped to the screen.
    picture = np.zeros((600, 800, 3), np.uint8)
    selector = RegionSelector(Screen(1, 0, 0, 800, 600), picture, QRect(0, 0, 400, 300))  # high DPI
    qtbot.addWidget(selector)
    selector.show()
    with qtbot.waitSignal(selector.chosen) as chosen:
        drag(qtbot, selector, QPoint(300, 200), QPoint(450, 380))
    assert chosen.args == [(600, 400, 200, 200)]
    above = RegionSelector(Screen(2, 800, 0, 800, 600), picture, QRect(0, 0, 800, 600))
    qtbot.addWidget(above)
    above.show()
    with qtbot.waitSignal(above.chosen) as chosen:
        drag(qtbot, above, QPoint(100, 100), QPoint(-50, -20))  # up and to the left, off it
    assert chosen.args == [(800, 0, 100, 100)]


@needs_xvfb
def test_the_window_watches_the_part_of_a_screen_dragged_out(
    qtbot: QtBot, make_window: WindowFactory, on_x_screen: np.ndarray
) -> None:
    window = make_window(real_screens=True)
    selector = _part_of_screen_1_selector(qtbot, window)
    assert selector.isVisible()
    height, width = on_x_screen.shape[:2]
    start = _scaled_to_selector(selector, *PICTURE_AT)
    drag(qtbot, selector, start, start + _scaled_to_selector(selector, width, height))
    assert window.screen_menu.region_selector is None and not selector.isVisible()
    result = wait_for_face_result(qtbot, window)
    spec = window.source_state.spec
    assert isinstance(spec, ScreenSpec) and spec.region == (*PICTURE_AT, width, height)
    assert result.faces and window.source_state.info is not None
    assert (window.source_state.info.width, window.source_state.info.height) == (width, height)


@needs_xvfb
def test_a_part_dragged_past_the_screens_edge_is_named_by_the_size_grabbed(
    qtbot: QtBot, make_window: WindowFactory, on_x_screen: np.ndarray
) -> None:
    # Was: named by the size dragged ("Part of screen 1 (1160x870)" here) in the title and
    # the picker, though the picture grabbed stops at the screen's edge (760x570).
    window = make_window(real_screens=True)
    selector = _part_of_screen_1_selector(qtbot, window)
    drag(qtbot, selector, _scaled_to_selector(selector, *PICTURE_AT), _scaled_to_selector(selector, 1200, 900))
    wait_for_face_result(qtbot, window)
    grabbed = (SCREEN_SIZE[0] - PICTURE_AT[0], SCREEN_SIZE[1] - PICTURE_AT[1])
    info = window.source_state.info
    assert info is not None and (info.width, info.height) == grabbed
    name = f"Part of screen 1 ({grabbed[0]}x{grabbed[1]})"
    assert window.windowTitle().endswith(name) and window.picker.currentText() == name
    assert window.source_state.spec == ScreenSpec(1, (*PICTURE_AT, *grabbed))


def _part_of_screen_1_selector(qtbot: QtBot, window: MainWindow) -> RegionSelector:
    """The region selector File > Capture screen > Part of screen 1… opens, once it has."""
    part = next(a for a in window.screen_menu.actions() if a.text() == "&Part of screen 1…")
    part.trigger()
    qtbot.waitUntil(lambda: window.screen_menu.region_selector is not None, timeout=WAIT_MS)
    selector = window.screen_menu.region_selector
    assert selector is not None
    return selector


def _scaled_to_selector(selector: RegionSelector, x: int, y: int) -> QPoint:
    """``(x, y)``, a point or a size in the X screen's pixels, in Qt's coordinates over
    ``selector`` (offscreen, Qt's screen is not the X one)."""
    scale_x, scale_y = selector.width() / SCREEN_SIZE[0], selector.height() / SCREEN_SIZE[1]
    return QPoint(round(x * scale_x), round(y * scale_y))


def drag(qtbot: QtBot, widget: RegionSelector, start: QPoint, end: QPoint) -> None:
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(widget, pos=(start + end) / 2)
    qtbot.mouseMove(widget, pos=end)
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=end)


def test_the_screen_menu_lists_each_screen_whole_and_in_part_and_reports_a_failed_grab(qtbot: QtBot) -> None:
    screens = [Screen(1, 0, 0, 1920, 1080, "HDMI-1"), Screen(2, 1920, 0, 1280, 1024), Screen(0, 0, 0, 3200, 1080)]

    def broken_grab(monitor: int) -> np.ndarray:
        raise ScreenCaptureError("this system lets no screen be captured (test)")

    menu = ScreenMenu(lambda: screens, grabber=broken_grab)
    qtbot.addWidget(menu)
    with qtbot.waitSignal(menu.listed) as listed:
        menu.rebuild()
    assert listed.args == [screens]
    # Each screen's key is the number the user reads: numbered one after another, whole
    # and part, the second screen was "&3 Screen 2". The parts are a menu of their own.
    assert [action.text() for action in menu.actions()] == [
        "Screen &1 (HDMI-1) — 1920x1080",
        "Screen &2 — 1280x1024",
        "&All screens — 3200x1080",
        "&Part of a screen",
    ]
    parts = menu.actions()[3].menu()
    assert parts is menu.parts_menu and parts is not None
    assert [action.text() for action in parts.actions()] == [
        "Screen &1 (HDMI-1) — 1920x1080…",
        "Screen &2 — 1280x1024…",
        "&All screens — 3200x1080…",
    ]
    with qtbot.waitSignal(menu.screen_chosen) as chosen:
        menu.actions()[1].trigger()
    assert chosen.args == [2, None]
    with qtbot.waitSignal(menu.failed, timeout=WAIT_MS) as failed:
        parts.actions()[0].trigger()
    assert failed.args == ["Could not capture screen 1: this system lets no screen be captured (test)"]
    assert menu.region_selector is None
    # One screen: its part beside it. Listed again, the menu keeps no submenu of before.
    screens[:] = [Screen(1, 0, 0, 1920, 1080, "Tom & Jerry's screen")]
    menu.rebuild()
    assert [action.text() for action in menu.actions()] == [
        "Screen &1 (Tom && Jerry's screen) — 1920x1080",
        "&Part of screen 1…",
    ]
    assert menu.parts_menu is None
    qtbot.waitUntil(lambda: menu.findChildren(QMenu) == [], timeout=WAIT_MS)
    empty = ScreenMenu(list)
    qtbot.addWidget(empty)
    empty.rebuild()
    assert [(a.text(), a.isEnabled()) for a in empty.actions()] == [("&No screen can be captured here", False)]


@needs_xvfb
def test_a_large_screen_is_grabbed_shrunk_with_its_own_window_still_left_out(
    on_x_screen: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(screen_capture, "MAX_SCREEN_PIXELS", 400 * 300)  # the 800x600 screen as a "4K" one
    own = ScreenArea()
    source = open_frame_source(ScreenSpec(1, own_window=own))
    try:
        whole = source.read()
        own.rect = (101, 101, 200, 100)  # over the picture; in frame pixels (50, 50) to (151, 101)
        blanked = source.read()
    finally:
        source.release()
    assert whole is not None and whole.shape == (300, 400, 3) and (source.width, source.height) == (400, 300)
    height, width = on_x_screen.shape[:2]
    x, y = PICTURE_AT[0] // 2, PICTURE_AT[1] // 2
    half = cv2.resize(on_x_screen, (width // 2, height // 2), interpolation=cv2.INTER_AREA)
    assert np.abs(whole[y : y + height // 2, x : x + width // 2].astype(np.int16) - half).mean() < 4.0
    assert blanked is not None and not blanked[50:101, 50:151].any()  # a pixel partly under it too
    assert blanked[49, 50:151].any() and blanked[101, 50:151].any() and blanked[50:101, 151].any()


def _window_over_the_screen_it_watches(qtbot: QtBot, make_window: WindowFactory) -> MainWindow:
    """A window capturing the Xvfb screen while it covers nearly all of it (maximised, as a
    user might), its notice shown. Offscreen the window is on no screen: it is put there by hand."""
    window = make_window(screen=1, real_screens=True)
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    window.window_cover.area.rect = (0, 0, 780, 590)
    window.window_cover.update_notice()
    assert window.notice_banner.text().startswith(COVER_NOTICE)
    assert "covers most of the screen it watches" in window.notice_banner.text()
    return window


@needs_xvfb
def test_a_window_hiding_the_screen_it_watches_says_so(
    qtbot: QtBot, make_window: WindowFactory, on_x_screen: np.ndarray
) -> None:
    window = _window_over_the_screen_it_watches(qtbot, make_window)
    window.window_cover.area.rect = (600, 400, 200, 200)  # made smaller
    window.window_cover.update_notice()
    assert window.notice_banner.text() == ""
    assert covered_share((0, 0, 400, 300), (0, 0, 800, 600)) == pytest.approx(0.25)
    assert covered_share((900, 0, 10, 10), (0, 0, 800, 600)) == 0.0


@needs_xvfb
def test_the_cover_notice_goes_with_the_capture_it_was_about(
    qtbot: QtBot, make_window: WindowFactory, on_x_screen: np.ndarray
) -> None:
    # After Stop the notice stayed, though nothing was captured for the window to spoil.
    window = _window_over_the_screen_it_watches(qtbot, make_window)
    window.stop()
    assert window.notice_banner.text() == ""
    window.toggle_start_stop()  # the same screen again, the window still over it
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    window.window_cover.update_notice()
    assert window.notice_banner.text().startswith(COVER_NOTICE)


@needs_xvfb
def test_the_window_made_smaller_takes_away_its_own_cover_notice_only(
    qtbot: QtBot, make_window: WindowFactory, on_x_screen: np.ndarray
) -> None:
    # The notice was told from other messages by its wording ("This window covers" first):
    # a message worded alike, shown while the window covered the screen, went with it.
    window = _window_over_the_screen_it_watches(qtbot, make_window)
    other = f"{COVER_NOTICE}: a message of another part of the window."
    window.notice_banner.show_message(other, "info")
    window.window_cover.area.rect = (600, 400, 200, 200)
    window.window_cover.update_notice()
    assert window.notice_banner.text() == other
