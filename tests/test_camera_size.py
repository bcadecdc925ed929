"""Asking a camera for a picture size: the text form, the command line, the settings, the
opening of the device (a stand-in for the webcam this machine lacks) and the View menu."""

from __future__ import annotations

import logging
from pathlib import Path

import cv2
import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from emotion_app.gui.camera_picker import CameraDevice
from emotion_app.gui.camera_size import CAMERA_SIZES, format_camera_size, parse_camera_size
from emotion_app.gui.camera_size_menu import CameraSizeMenu
from emotion_app.gui.launch import parse_args
from emotion_app.gui.mnemonics import plain
from emotion_app.gui.settings import AppSettings
from emotion_app.samples import VideoTruth
from emotion_app.sources.camera import open_camera
from emotion_app.sources.frame_source import SourceOpenError
from emotion_app.sources.specs import CameraSpec
from tests.gui_support import WAIT_MS, CameraBench, WindowFactory

MJPG = float(cv2.VideoWriter.fourcc(*"MJPG"))


@pytest.mark.parametrize(
    ("text", "size"),
    [("1280x720", (1280, 720)), (" 1920X1080 ", (1920, 1080)), ("640 × 480", (640, 480)), ("default", None)],
)
def test_sizes_are_read_from_text_and_written_back(text: str, size: tuple[int, int] | None) -> None:
    assert parse_camera_size(text) == size
    assert parse_camera_size(format_camera_size(size)) == size


@pytest.mark.parametrize("text", ["", "abc", "1280", "1280x", "x720", "-640x480", "1280x720x3", "12800x720", "8x8"])
def test_a_size_that_is_not_one_is_refused_with_the_reason(text: str) -> None:
    with pytest.raises(ValueError, match="WIDTHxHEIGHT|outside"):
        parse_camera_size(text)


def test_the_command_line_asks_for_a_size_or_leaves_the_remembered_one(capsys: pytest.CaptureFixture[str]) -> None:
    hd = parse_args(["--camera-size", "1280x720"])
    assert hd.camera_size == (1280, 720) and hd.camera_size_given
    own = parse_args(["--camera-size", "default"])
    assert own.camera_size is None and own.camera_size_given
    assert not parse_args([]).camera_size_given
    with pytest.raises(SystemExit) as exit_info:
        parse_args(["--camera-size", "big"])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.endswith("argument --camera-size: 'big' is not WIDTHxHEIGHT (e.g. 1280x720) or 'default'")


def test_a_size_reads_in_the_menu_as_it_is_typed(qtbot: QtBot, capsys: pytest.CaptureFixture[str]) -> None:
    # Was: View > Camera resolution read "640 × 480" where --help, File > Capture screen and
    # the status bar ("640x480 (asked for 1920x1080)") read "640x480".
    menu = CameraSizeMenu((800, 600))
    qtbot.addWidget(menu)
    listed = [plain(action.text()).split(" ", 1)[1] for action in menu.size_actions()]
    with pytest.raises(SystemExit):
        parse_args(["--help"])
    help_text = capsys.readouterr().out
    for size in (*CAMERA_SIZES, (800, 600)):
        typed = format_camera_size(size)
        assert typed in help_text or size == (800, 600)
        assert [text for text in listed if text.split(" (")[0] == typed], (typed, listed)
    assert not [text for text in [*listed, *(a.toolTip() for a in menu.size_actions())] if "×" in text]


def test_the_chosen_size_is_remembered_and_a_bad_stored_one_falls_back(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "settings.ini"
    settings = AppSettings.at_path(path)
    assert settings.camera_size is None
    settings.camera_size = (1280, 720)
    settings.sync()
    assert "size=1280x720" in path.read_text()
    assert AppSettings.at_path(path).camera_size == (1280, 720)
    path.write_text("[camera]\nsize=huge\n")
    with caplog.at_level(logging.WARNING):
        stored = AppSettings.at_path(path)
        assert stored.camera_size is None and stored.camera_size is None
    assert sum("camera/size" in record.getMessage() for record in caplog.records) == 1  # logged once


class StandInCamera:
    """What ``cv2.VideoCapture`` is to the app for a USB webcam: opens at 640x480 and
    switches to a size it supports when asked (MJPG first, as a real one needs for HD);
    ``broken_modes`` accept the request and then deliver nothing, as some drivers do."""

    def __init__(self, modes: set[tuple[int, int]], broken_modes: frozenset[tuple[int, int]] = frozenset()) -> None:
        self.modes = modes | broken_modes
        self.broken_modes = broken_modes
        self.size = (640, 480)
        self.asked_width = self.asked_height = 0
        self.calls: list[tuple[int, float]] = []
        self.released = False

    def isOpened(self) -> bool:  # noqa: N802 - cv2.VideoCapture's name
        return True

    def set(self, prop: int, value: float) -> bool:
        self.calls.append((prop, value))
        if prop == cv2.CAP_PROP_FRAME_WIDTH:
            self.asked_width = int(value)
        elif prop == cv2.CAP_PROP_FRAME_HEIGHT:
            self.asked_height = int(value)
        asked = (self.asked_width, self.asked_height)
        if asked in self.modes:
            self.size = asked
        return prop == cv2.CAP_PROP_FOURCC or asked in self.modes

    def read(self) -> tuple[bool, np.ndarray | None]:
        if self.size in self.broken_modes:
            return False, None
        width, height = self.size
        ramp = np.linspace(0, 255, width, dtype=np.uint8)
        return True, np.ascontiguousarray(np.broadcast_to(ramp[None, :, None], (height, width, 3)))

    def get(self, prop: int) -> float:
        return 30.0 if prop == cv2.CAP_PROP_FPS else 0.0

    def release(self) -> None:
        self.released = True


class Devices:
    """Opens a new :class:`StandInCamera` each time, as ``cv2.VideoCapture(index)`` does."""

    def __init__(self, **camera: object) -> None:
        self.camera = camera
        self.opened: list[StandInCamera] = []

    def __call__(self, index: int) -> StandInCamera:
        device = StandInCamera(**self.camera)  # type: ignore[arg-type]
        self.opened.append(device)
        return device


def test_a_camera_asked_for_hd_is_asked_for_motion_jpeg_first_and_delivers_hd() -> None:
    devices = Devices(modes={(1280, 720), (1920, 1080)})
    source = open_camera(CameraSpec(0, "Webcam", (1280, 720)), devices)  # type: ignore[arg-type]
    assert (source.width, source.height) == (1280, 720)
    frame = source.read()
    assert frame is not None and frame.shape == (720, 1280, 3)
    device = devices.opened[0]
    assert device.calls[0] == (cv2.CAP_PROP_FOURCC, MJPG)  # before the size: the order drivers need
    assert {prop for prop, _ in device.calls[1:]} == {cv2.CAP_PROP_FRAME_WIDTH, cv2.CAP_PROP_FRAME_HEIGHT}
    source.release()


def test_a_camera_left_at_its_default_is_asked_nothing() -> None:
    devices = Devices(modes={(1280, 720)})
    source = open_camera(CameraSpec(0, "Webcam"), devices)  # type: ignore[arg-type]
    assert (source.width, source.height) == (640, 480) and devices.opened[0].calls == []


def test_a_size_the_camera_lacks_keeps_a_size_it_has(caplog: pytest.LogCaptureFixture) -> None:
    devices = Devices(modes={(1280, 720)})
    with caplog.at_level(logging.INFO):
        source = open_camera(CameraSpec(0, "Webcam", (1920, 1080)), devices)  # type: ignore[arg-type]
    assert (source.width, source.height) == (640, 480) and len(devices.opened) == 1
    assert "gives 640x480 frames (asked for 1920x1080)" in caplog.text


def test_a_camera_that_goes_dark_at_the_size_asked_is_opened_again_at_its_own() -> None:
    devices = Devices(modes=set(), broken_modes=frozenset({(1280, 720)}))
    source = open_camera(CameraSpec(2, "Webcam", (1280, 720)), devices)  # type: ignore[arg-type]
    first, second = devices.opened
    assert first.released and not second.released and second.calls == []
    assert (source.width, source.height) == (640, 480) and source.read() is not None


def test_a_camera_that_delivers_nothing_at_all_is_reported() -> None:
    class Dark(StandInCamera):
        def read(self) -> tuple[bool, np.ndarray | None]:
            return False, None

    opened: list[Dark] = []

    def open_dark(index: int) -> Dark:
        opened.append(Dark(set()))
        return opened[-1]

    with pytest.raises(SourceOpenError, match="Camera 'Webcam' \\(index 0\\) opened but delivers no frames"):
        open_camera(CameraSpec(0, "Webcam", (1280, 720)), open_dark)  # type: ignore[arg-type]
    assert len(opened) == 2 and all(device.released for device in opened)


def test_the_view_menu_restarts_the_camera_at_the_chosen_size_and_remembers_it(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, settings_path: Path
) -> None:
    AppSettings.at_path(settings_path).camera_size = (1280, 720)
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window = make_window(devices=[CameraDevice("Desk camera", 0)], source_factory=bench)
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    assert bench.specs[0] == CameraSpec(0, "Desk camera", (1280, 720))
    # The stand-in plays a 320x240 video, so the camera "keeps a size it can": said so.
    width, height = gui_video.frame_size
    qtbot.waitUntil(lambda: "(asked for 1280x720)" in window.status.currentMessage(), timeout=WAIT_MS)
    assert f"{width}x{height} (asked for 1280x720)" in window.status.currentMessage()
    menu = window.camera_size_menu
    assert [a.text() for a in menu.size_actions() if a.isChecked()] == ["&3 1280x720 (HD)"]
    full_hd = next(a for a in menu.size_actions() if a.text() == "&4 1920x1080 (Full HD)")
    full_hd.trigger()
    qtbot.waitUntil(lambda: len(bench.specs) == 2 and window.is_running, timeout=WAIT_MS)
    assert bench.specs[1] == CameraSpec(0, "Desk camera", (1920, 1080))
    assert bench.opened[0].released  # the camera was closed before it opened again
    # Stopped and started again, the camera keeps the size chosen.
    window.toggle_start_stop()
    qtbot.waitUntil(lambda: not window.is_running, timeout=WAIT_MS)
    next(a for a in menu.size_actions() if a.text() == "&1 Camera's default").trigger()
    assert len(bench.specs) == 2  # a stopped camera is not started by the choice
    window.toggle_start_stop()
    qtbot.waitUntil(lambda: len(bench.specs) == 3, timeout=WAIT_MS)
    assert bench.specs[2] == CameraSpec(0, "Desk camera", None)
    window.close()
    assert AppSettings.at_path(settings_path).camera_size is None


def test_the_command_line_size_wins_for_the_run_without_being_remembered(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, settings_path: Path
) -> None:
    AppSettings.at_path(settings_path).camera_size = (1280, 720)
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window = make_window(devices=[CameraDevice("Desk camera", 0)], source_factory=bench, camera_size="800x600")
    qtbot.waitUntil(lambda: len(bench.specs) == 1, timeout=WAIT_MS)
    assert bench.last_camera().size == (800, 600)
    # Not one of the menu's sizes: listed while it is the one in use.
    assert [a.text() for a in window.camera_size_menu.size_actions() if a.isChecked()] == ["&5 800x600"]
    window.close()
    assert AppSettings.at_path(settings_path).camera_size == (1280, 720)


def test_digits_that_are_not_decimal_are_text_not_numbers() -> None:
    # "²" passes str.isdigit() but not int(): a size or camera index was read with int().
    with pytest.raises(ValueError, match="is not WIDTHxHEIGHT"):
        parse_camera_size("1²80x720")
    options = parse_args(["--camera", "²"])
    assert options.camera == "²" and options.camera_index is None  # a camera name to look for
