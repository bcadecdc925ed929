"""The camera picker: names from an injected device list, hot-plug refresh, lookup rules;
and File > Camera, the keyboard's way to the same cameras."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PyQt6.QtCore import QPoint
from PyQt6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from emotion_app.gui.camera_menu import CameraMenu
from emotion_app.gui.camera_picker import (
    CameraDevice,
    CameraPicker,
    StaticDeviceMonitor,
    V4l2Monitor,
    create_device_monitor,
    find_camera,
)
from emotion_app.gui.main_window import MainWindow
from emotion_app.gui.mnemonics import plain
from emotion_app.gui.settings import AppSettings
from emotion_app.live import PipelineBundle, load_eager_pipeline
from emotion_app.samples import VideoTruth
from emotion_app.sources.frame_source import FrameSource, SourceFactory, SourceOpenError
from emotion_app.sources.opening import open_frame_source
from emotion_app.sources.screen_capture import Screen
from emotion_app.sources.specs import CameraSpec, ScreenSpec, SourceSpec, VideoFileSpec
from tests.gui_support import (
    WAIT_MS,
    CameraBench,
    UnpluggedCamera,
    WindowFactory,
    banner_button,
    device_monitor_of,
    menu_bar,
    submenus,
)
from tests.mjpeg_server import MjpegCamera

BUILT_IN = CameraDevice("Integrated Webcam", 0, "/dev/video0")
USB = CameraDevice("Logitech C920", 2, "/dev/video2")


def test_the_picker_lists_injected_cameras_by_name(qtbot: QtBot) -> None:
    picker = CameraPicker(StaticDeviceMonitor([BUILT_IN, USB]))
    qtbot.addWidget(picker)
    assert [picker.itemText(i) for i in range(picker.count())] == ["Integrated Webcam", "Logitech C920"]
    assert picker.isEnabled()
    assert picker.current_device() == BUILT_IN


def test_hot_plug_refreshes_the_list_and_keeps_the_selection(qtbot: QtBot) -> None:
    monitor = StaticDeviceMonitor([BUILT_IN, USB])
    picker = CameraPicker(monitor)
    qtbot.addWidget(picker)
    picker.select("Logitech C920")
    with qtbot.waitSignal(picker.devices_refreshed):
        monitor.set_devices([CameraDevice("Elgato Facecam", 4), BUILT_IN, USB])  # plugged in
    assert picker.count() == 3
    assert picker.current_device() == USB
    monitor.set_devices([BUILT_IN])  # USB camera unplugged
    assert picker.current_device() == BUILT_IN


def test_no_camera_shows_a_disabled_explanation(qtbot: QtBot) -> None:
    picker = CameraPicker(StaticDeviceMonitor([]))
    qtbot.addWidget(picker)
    assert picker.count() == 1 and picker.itemText(0) == "No camera found"
    assert not picker.isEnabled() and picker.current_device() is None


def test_choosing_a_camera_emits_it(qtbot: QtBot) -> None:
    picker = CameraPicker(StaticDeviceMonitor([BUILT_IN, USB]))
    qtbot.addWidget(picker)
    with qtbot.waitSignal(picker.camera_chosen) as blocker:
        picker.activated.emit(1)
    assert blocker.args == [USB]


def test_recent_network_cameras_follow_the_devices_and_can_be_picked(qtbot: QtBot) -> None:
    monitor = StaticDeviceMonitor([BUILT_IN])
    picker = CameraPicker(monitor)
    qtbot.addWidget(picker)
    phone, ip_camera = "http://192.168.1.20:8080/video", "rtsp://admin:secret@10.0.0.5:554/live"
    second_stream = "rtsp://admin:secret@10.0.0.5:554/sub"
    # A hand-edited settings file may hold anything: only camera streams are listed, once each.
    picker.set_network_cameras([phone, "file:///etc/passwd", ip_camera, phone, "not a url", second_stream])
    assert picker.network_cameras() == [phone, ip_camera, second_stream]
    assert [picker.itemText(i) for i in range(picker.count())] == [
        "Integrated Webcam",
        "192.168.1.20:8080",
        "10.0.0.5:554/live",  # two streams of one camera: told apart by their paths
        "10.0.0.5:554/sub",
    ]
    assert all(not picker.itemIcon(i).isNull() for i in (1, 2, 3)) and picker.itemIcon(0).isNull()
    assert "secret" not in str(picker.itemData(2, 3)) and "admin:***@10.0.0.5" in str(picker.itemData(2, 3))
    with qtbot.waitSignal(picker.network_camera_chosen) as blocker:
        picker.activated.emit(2)
    assert blocker.args == [ip_camera]
    assert picker.select_network_camera(phone) and picker.current_url() == phone
    assert picker.current_device() is None
    monitor.set_devices([USB, BUILT_IN])  # a camera plugged in: the stream stays selected
    assert picker.current_url() == phone and picker.count() == 5
    assert not picker.select_network_camera("http://elsewhere/video")


def test_screens_come_last_and_keep_their_selection(qtbot: QtBot) -> None:
    monitor = StaticDeviceMonitor([BUILT_IN])
    picker = CameraPicker(monitor)
    qtbot.addWidget(picker)
    left, right = Screen(1, 0, 0, 1920, 1080, "HDMI-1"), Screen(2, 1920, 0, 1280, 1024, "DP-2")
    picker.set_network_cameras(["http://192.168.1.20:8080/video"])
    picker.set_screens([left, right, Screen(0, 0, 0, 3200, 1080)])
    assert [picker.itemText(i) for i in range(picker.count())] == [
        "Integrated Webcam",
        "192.168.1.20:8080",
        "Screen 1 (HDMI-1) — 1920x1080",
        "Screen 2 (DP-2) — 1280x1024",
        "All screens — 3200x1080",
    ]
    with qtbot.waitSignal(picker.screen_chosen) as blocker:
        picker.activated.emit(3)
    assert blocker.args == [2, None]  # the whole screen
    assert picker.select_screen(2) and picker.current_screen() == right and picker.current_device() is None
    monitor.set_devices([USB, BUILT_IN])  # a camera plugged in: the screen stays selected
    assert picker.current_screen() == right
    picker.set_screens([left])  # the second screen unplugged
    assert picker.current_screen() is None and not picker.select_screen(2)


def test_network_cameras_alone_keep_the_picker_enabled(qtbot: QtBot) -> None:
    picker = CameraPicker(StaticDeviceMonitor([]))
    qtbot.addWidget(picker)
    picker.set_network_cameras(["http://phone.local:8080/video"])
    assert picker.isEnabled() and picker.count() == 1
    # Listed, not selected: a stream opens when chosen, unlike a camera that Start opens.
    assert picker.currentIndex() == -1 and picker.current_url() is None and picker.placeholderText()
    assert picker.select_network_camera("http://phone.local:8080/video")
    assert picker.current_url() == "http://phone.local:8080/video"
    picker.set_network_cameras([])
    assert not picker.isEnabled() and picker.itemText(0) == "No camera found" and picker.current_url() is None


def test_an_ipv6_network_camera_is_listed_with_its_address_in_brackets(qtbot: QtBot) -> None:
    # Was "::1:8554": neither an address nor a port one can tell apart.
    picker = CameraPicker(StaticDeviceMonitor([]))
    qtbot.addWidget(picker)
    picker.set_network_cameras(["rtsp://admin:secret@[::1]:8554/stream", "http://[fe80::1]/video"])
    assert [picker.itemText(i) for i in range(picker.count())] == ["[::1]:8554", "[fe80::1]"]
    assert "rtsp://admin:***@[::1]:8554/stream" in str(picker.itemData(0, 3))


def _camera_menu(window: MainWindow) -> list[tuple[str, bool, bool]]:
    """File > Camera's items as the user reads them: (text, enabled, ticked)."""
    return [
        (plain(action.text()), action.isEnabled(), action.isChecked())
        for action in window.camera_menu.actions()
        if not action.isSeparator()
    ]


def test_file_camera_lists_the_pickers_cameras_and_starts_the_one_chosen(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # The toolbar's picker was the only way to a camera: no menu listed them, so a keyboard
    # user had to tab through the window to it.
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window = make_window(devices=[BUILT_IN, USB], source_factory=bench)
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    file_menu = submenus(menu_bar(window))["&File"]
    assert window.camera_menu.menuAction() in file_menu.actions()
    assert plain(window.camera_menu.title()) == "Camera"
    # The picker's names, in its order, numbered; the camera running (the first) ticked.
    assert _camera_menu(window) == [("1 Integrated Webcam", True, True), ("2 Logitech C920", True, False)]
    # A camera plugged in: listed where the picker lists it, the tick staying on the camera running.
    device_monitor_of(window).set_devices([CameraDevice("Elgato Facecam", 4), BUILT_IN, USB])
    names = [window.picker.itemText(i) for i in range(window.picker.count())]
    assert [text.split(" ", 1)[1] for text, _, _ in _camera_menu(window)] == names
    assert [ticked for _, _, ticked in _camera_menu(window)] == [False, True, False]
    # Choosing one does what the picker does: that camera starts, and is remembered.
    logitech = next(a for a in window.camera_menu.camera_actions() if plain(a.text()) == "3 Logitech C920")
    logitech.trigger()
    qtbot.waitUntil(lambda: bench.specs[-1] == CameraSpec(2, "Logitech C920", size=None), timeout=WAIT_MS)
    assert window.picker.current_device() == USB and window.settings.camera_name == "Logitech C920"
    assert [ticked for _, _, ticked in _camera_menu(window)] == [False, False, True]
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    window.stop()  # no camera running: none ticked
    qtbot.waitUntil(lambda: not window.is_running, timeout=WAIT_MS)
    assert [ticked for _, _, ticked in _camera_menu(window)] == [False, False, False]
    # Every camera unplugged: one item, saying so, that chooses nothing.
    device_monitor_of(window).set_devices([])
    assert _camera_menu(window) == [("No camera found", False, False)]
    device_monitor_of(window).set_devices([USB])
    assert _camera_menu(window) == [("1 Logitech C920", True, False)]


def test_the_picker_and_file_camera_name_two_cameras_of_one_name_apart_as_the_messages_do(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: both listed "Logitech C920" twice (the index in a tooltip only, which a screen
    # reader in the menu does not say), where the messages name them "Logitech C920 at
    # index 1", "… at index 6" and point to the toolbar's list.
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window = make_window(devices=[C920_FIRST, BUILT_IN, C920_SECOND], source_factory=bench)
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    apart = ["Logitech C920 at index 1", "Integrated Webcam", "Logitech C920 at index 6"]
    assert _picker(window) == (apart, "Logitech C920 at index 1")
    assert [text for text, _, _ in _camera_menu(window)] == [f"{n} {name}" for n, name in enumerate(apart, 1)]
    device_monitor_of(window).set_devices([C920_FIRST, BUILT_IN])  # the other unplugged: its name says which
    assert _picker(window) == (["Logitech C920", "Integrated Webcam"], "Logitech C920")
    assert [text for text, _, _ in _camera_menu(window)] == ["1 Logitech C920", "2 Integrated Webcam"]


def test_a_camera_the_system_gives_no_name_is_called_by_its_index_everywhere(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: two cameras whose driver gave no name (Qt Multimedia's description "") were
    # listed " at index 3" and " at index 9", in the toolbar's list, File > Camera and the
    # window's messages. Named as a video4linux node giving no name is, and `--camera 9`.
    first, last = CameraDevice("", 3, "/dev/video3"), CameraDevice("", 9, "/dev/video9")
    window, _ = _camera_chosen_and_running(qtbot, make_window, gui_video, [first, BUILT_IN, last], last)
    listed = ["Camera 3", "Integrated Webcam", "Camera 9"]
    assert _picker(window) == (listed, "Camera 9")
    assert [text for text, _, _ in _camera_menu(window)] == [f"{n} {name}" for n, name in enumerate(listed, 1)]
    window.stop()
    qtbot.waitUntil(lambda: not window.is_running, timeout=WAIT_MS)
    window.window_actions.refresh_cameras_action.trigger()  # F5: the offer of those listed
    assert window.source_banner.text().endswith(
        "Cameras available: Camera 3, Integrated Webcam, Camera 9 (in the toolbar's list)."
    )
    assert window.source_banner.button_captions()[:1] == ["Start Camera 9"]
    assert CameraDevice(" \t", 4).name == "Camera 4"  # a blank name is none either


def test_a_nameless_camera_remembered_by_an_earlier_version_is_found_at_launch(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, settings_path: Path
) -> None:
    # Was: a camera the system gives no name, chosen under a version that listed it by its
    # blank name, was remembered as "" at index 9; named "Camera 9" now, the next launch
    # found no camera named "" and opened the first listed instead.
    AppSettings.at_path(settings_path).remember_camera("", 9)
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window = make_window(devices=[BUILT_IN, CameraDevice("", 9, "/dev/video9")], source_factory=bench)
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    assert bench.specs == [CameraSpec(9, "Camera 9")]
    assert _picker(window) == (["Integrated Webcam", "Camera 9"], "Camera 9")


def test_file_camera_ticks_a_camera_opened_by_an_index_the_list_does_not_hold(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # `--camera 3` where the system lists cameras 0 and 2: it ran, and File > Camera ticked
    # nothing, as if no camera ran. It is listed after them while it runs, ticked.
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window = make_window(camera="3", devices=[BUILT_IN, USB], source_factory=bench)
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    assert bench.last_camera().index == 3
    assert _camera_menu(window) == [
        ("1 Integrated Webcam", True, False),
        ("2 Logitech C920", True, False),
        ("3 Camera 3", True, True),
    ]
    window.stop()  # no longer running: no longer listed
    qtbot.waitUntil(lambda: not window.is_running, timeout=WAIT_MS)
    assert _camera_menu(window) == [("1 Integrated Webcam", True, False), ("2 Logitech C920", True, False)]
    # No list at all (a system the app cannot ask): the camera running, not "No camera found".
    device_monitor_of(window).set_devices([])
    window.start_source(CameraSpec(3, "Camera 3"))
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    assert _camera_menu(window) == [("1 Camera 3", True, True)]
    # A listed camera chosen from the picker: the one opened by its index goes.
    device_monitor_of(window).set_devices([USB])
    window.choose_camera(USB)
    qtbot.waitUntil(lambda: bench.last_camera().index == 2 and window.is_running, timeout=WAIT_MS)
    assert _camera_menu(window) == [("1 Logitech C920", True, True)]


def test_file_camera_lists_a_camera_opened_by_its_index_once_when_the_list_comes_to_hold_it(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # `--camera 3` ran as "Camera 3", listed after the cameras the system listed; once the
    # list held a camera at index 3 (plugged in, or the list read again), File > Camera
    # listed it twice: "Elgato Facecam" unticked, and "Camera 3" ticked beside it.
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window = make_window(camera="3", devices=[BUILT_IN, USB], source_factory=bench)
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    assert bench.last_camera().index == 3 and _camera_menu(window)[-1] == ("3 Camera 3", True, True)
    facecam = CameraDevice("Elgato Facecam", 3, "/dev/video3")
    device_monitor_of(window).set_devices([BUILT_IN, USB, facecam])
    assert _camera_menu(window) == [
        ("1 Integrated Webcam", True, False),
        ("2 Logitech C920", True, False),
        ("3 Elgato Facecam", True, True),
    ]
    # Listed no more: by the window's name for it again, still ticked.
    device_monitor_of(window).set_devices([BUILT_IN, USB])
    assert _camera_menu(window)[-1] == ("3 Camera 3", True, True)
    # A camera chosen by its name is not taken for another the list holds later at its
    # index: it stays ticked under its own name.
    window.choose_camera(USB)
    qtbot.waitUntil(lambda: bench.last_camera().index == 2 and window.is_running, timeout=WAIT_MS)
    device_monitor_of(window).set_devices([BUILT_IN, CameraDevice("Elgato Facecam", 2, "/dev/video2")])
    assert _camera_menu(window) == [
        ("1 Integrated Webcam", True, False),
        ("2 Elgato Facecam", True, False),
        ("3 Logitech C920", True, True),
    ]


def _picker(window: MainWindow) -> tuple[list[str], str]:
    """The toolbar picker's items and the one it shows."""
    picker = window.picker
    return [picker.itemText(i) for i in range(picker.count())], picker.currentText()


def test_the_picker_shows_a_camera_opened_by_an_index_the_list_does_not_hold(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # `--camera 3` where the system lists cameras 0 and 2: camera 3 ran, File > Camera ticked
    # "Camera 3", and the toolbar's picker showed "Integrated Webcam", a camera not open.
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window = make_window(camera="3", devices=[BUILT_IN, USB], source_factory=bench)
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    assert bench.last_camera().index == 3
    assert _picker(window) == (["Integrated Webcam", "Logitech C920", "Camera 3"], "Camera 3")
    assert window.picker.current_device() == CameraDevice("Camera 3", 3)
    assert "not in the list" in window.picker.itemData(2, 3)  # its tooltip says why it is apart
    # The list read again and holding a camera at index 3: that one is the camera open, in
    # the picker as in the menu, and no longer listed twice.
    facecam = CameraDevice("Elgato Facecam", 3, "/dev/video3")
    device_monitor_of(window).set_devices([BUILT_IN, USB, facecam])
    assert _picker(window) == (["Integrated Webcam", "Logitech C920", "Elgato Facecam"], "Elgato Facecam")
    assert _camera_menu(window)[-1] == ("3 Elgato Facecam", True, True)
    device_monitor_of(window).set_devices([BUILT_IN, USB])  # and gone again: by the window's name
    assert _picker(window) == (["Integrated Webcam", "Logitech C920", "Camera 3"], "Camera 3")
    assert _camera_menu(window)[-1] == ("3 Camera 3", True, True)
    # Stopped, it is still what Start opens: the picker keeps showing it, as it keeps a
    # listed camera stopped, and Start opens that one, not the first listed.
    window.stop()
    qtbot.waitUntil(lambda: not window.is_running, timeout=WAIT_MS)
    window.picker.refresh()  # F5
    assert _picker(window)[1] == "Camera 3"
    window.toggle_start_stop()
    qtbot.waitUntil(lambda: len(bench.specs) == 2 and window.is_running, timeout=WAIT_MS)
    assert bench.last_camera().index == 3
    # A listed camera picked: the one opened by its index is listed no more.
    window.picker.activated.emit(1)
    qtbot.waitUntil(lambda: bench.last_camera().index == 2 and window.is_running, timeout=WAIT_MS)
    assert _picker(window) == (["Integrated Webcam", "Logitech C920"], "Logitech C920")
    assert [ticked for _, _, ticked in _camera_menu(window)] == [False, True]


def _camera_chosen_and_running(
    qtbot: QtBot,
    make_window: WindowFactory,
    gui_video: VideoTruth,
    devices: list[CameraDevice],
    chosen: CameraDevice,
) -> tuple[MainWindow, CameraBench]:
    """A real window listing ``devices`` (the first listed opened at launch), ``chosen``
    picked by the user and running; and its CameraBench."""
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window = make_window(devices=devices, source_factory=bench)
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    window.choose_camera(chosen)
    qtbot.waitUntil(lambda: window.is_running and bench.last_camera().index == chosen.index, timeout=WAIT_MS)
    return window, bench


def _usb_camera_chosen_and_stopped(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> tuple[MainWindow, CameraBench]:
    """A real window listing BUILT_IN and USB, USB chosen by its name (index 2) and run,
    then stopped; and its CameraBench, which has opened BUILT_IN, then USB."""
    window, bench = _camera_chosen_and_running(qtbot, make_window, gui_video, [BUILT_IN, USB], USB)
    window.stop()
    qtbot.waitUntil(lambda: not window.is_running, timeout=WAIT_MS)
    return window, bench


def test_a_camera_back_at_another_index_is_followed_by_its_name_by_start_and_the_picker(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: unplugged and plugged back in under another index, the camera chosen by its name
    # was listed apart at its old index in the picker ("not in the list"), and Start opened
    # that old index; only Retry followed its name.
    window, bench = _usb_camera_chosen_and_stopped(qtbot, make_window, gui_video)
    back = CameraDevice("Logitech C920", 4, "/dev/video4")
    device_monitor_of(window).set_devices([BUILT_IN, back])  # renumbered by the system
    assert _picker(window) == (["Integrated Webcam", "Logitech C920"], "Logitech C920")
    assert window.picker.current_device() == back
    window.toggle_start_stop()  # Start
    qtbot.waitUntil(lambda: window.is_running and len(bench.specs) == 3, timeout=WAIT_MS)
    assert bench.specs[-1] == CameraSpec(4, "Logitech C920") and window.settings.camera_index == 4
    assert _camera_menu(window)[-1] == ("2 Logitech C920", True, True)
    assert window.notice_banner.text() == ""  # one of that name: nothing to tell
    # Two alike (one model twice), neither at its index: the first listed, and a notice says so.
    window.stop()
    qtbot.waitUntil(lambda: not window.is_running, timeout=WAIT_MS)
    first, second = CameraDevice("Logitech C920", 1, "/dev/video1"), CameraDevice("Logitech C920", 6, "/dev/video6")
    device_monitor_of(window).set_devices([first, BUILT_IN, second])
    assert window.picker.current_device() == first
    window.toggle_start_stop()
    qtbot.waitUntil(lambda: window.is_running and len(bench.specs) == 4, timeout=WAIT_MS)
    assert bench.last_camera().index == 1
    assert window.notice_banner.text() == (
        "2 cameras are named Logitech C920, none at index 4 any more: started the one at index 1, "
        "the first listed (the toolbar's list has the other at 6)."
    )
    # The second picked from the list, stopped, Retry: that one, not the first of its name.
    window.picker.activated.emit(2)
    qtbot.waitUntil(lambda: window.is_running and bench.last_camera().index == 6, timeout=WAIT_MS)
    assert window.notice_banner.text() == ""  # another camera started: the notice went
    window.stop()
    qtbot.waitUntil(lambda: not window.is_running, timeout=WAIT_MS)
    window.retry()
    qtbot.waitUntil(lambda: window.is_running and len(bench.specs) == 6, timeout=WAIT_MS)
    assert bench.last_camera().index == 6 and window.picker.current_device() == second


def test_start_and_retry_open_no_other_camera_that_took_a_gone_cameras_index(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: the camera chosen by its name unplugged and another plugged in at its index
    # (the system gives it the number freed), Start and Retry opened that index: the other
    # camera, under the gone one's name in the title, the picker and the settings.
    window, bench = _usb_camera_chosen_and_stopped(qtbot, make_window, gui_video)
    device_monitor_of(window).set_devices([BUILT_IN, CameraDevice("Microsoft LifeCam", 2, "/dev/video2")])
    for again in (window.toggle_start_stop, window.retry):  # Start, then Retry
        again()
        qtbot.waitUntil(lambda: "not connected" in window.source_banner.text(), timeout=WAIT_MS)
        assert window.source_banner.text().startswith(
            "Logitech C920 is not connected: index 2 is Microsoft LifeCam now."
        )
        assert len(bench.specs) == 2 and not window.is_running
        assert window.settings.camera_name == "Logitech C920"
        window.source_banner.dismiss()
    # That camera unplugged too, none listed: the error no longer names it (it did).
    window.retry()
    device_monitor_of(window).set_devices([])
    assert window.source_banner.text() == "Logitech C920 at index 2 is not connected."
    assert "Retry" in window.source_banner.button_captions()


C920_FIRST = CameraDevice("Logitech C920", 1, "/dev/video1")
C920_SECOND = CameraDevice("Logitech C920", 6, "/dev/video6")


def _second_of_two_alike_chosen_and_unplugged(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> tuple[MainWindow, CameraBench]:
    """A real window listing C920_FIRST, BUILT_IN and C920_SECOND, the second chosen and
    run, then stopped and unplugged; and its CameraBench, which has opened the first (the
    first listed, at launch), then the second."""
    window, bench = _camera_chosen_and_running(
        qtbot, make_window, gui_video, [C920_FIRST, BUILT_IN, C920_SECOND], C920_SECOND
    )
    window.stop()
    qtbot.waitUntil(lambda: not window.is_running, timeout=WAIT_MS)
    device_monitor_of(window).set_devices([C920_FIRST, BUILT_IN])
    return window, bench


def test_the_other_of_two_cameras_of_one_name_is_not_opened_for_the_one_chosen_when_it_is_gone(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: two webcams of one model, the one chosen (index 6) unplugged, the other (index 1)
    # still there: Start and Retry opened the other without a word, and remembered it as
    # the one chosen.
    window, bench = _second_of_two_alike_chosen_and_unplugged(qtbot, make_window, gui_video)
    for again in (window.toggle_start_stop, window.retry):  # Start, then Retry
        again()
        qtbot.waitUntil(lambda: "not connected" in window.source_banner.text(), timeout=WAIT_MS)
        assert window.source_banner.text().startswith(
            "Logitech C920 at index 6 is not connected: the one at index 1 is the other Logitech C920, "
            "listed beside it before."
        )
        assert len(bench.specs) == 2 and not window.is_running
        assert (window.settings.camera_name, window.settings.camera_index) == ("Logitech C920", 6)
        window.source_banner.dismiss()
    # The picker shows the one chosen apart, not the other in its place.
    assert _picker(window) == (
        ["Logitech C920 at index 1", "Integrated Webcam", "Logitech C920 at index 6"],
        "Logitech C920 at index 6",
    )
    assert window.picker.current_device() == CameraDevice("Logitech C920", 6)
    # Plugged back in at another index: that one is started, not the other, and a notice says why.
    back = CameraDevice("Logitech C920", 3, "/dev/video3")
    device_monitor_of(window).set_devices([C920_FIRST, BUILT_IN, back])
    window.retry()
    qtbot.waitUntil(lambda: window.is_running and len(bench.specs) == 3, timeout=WAIT_MS)
    assert bench.last_camera().index == 3 and window.settings.camera_index == 3
    assert window.notice_banner.text() == (
        "2 cameras are named Logitech C920, none at index 6 any more: started the one at index 3, "
        "the first listed that was not beside it before (the toolbar's list has the other at 1)."
    )
    # Another of that name plugged in and listed before it: the reason given held when it
    # started, not now, and the notice says so (the one at 1, beside it before, is no such one).
    device_monitor_of(window).set_devices([C920_FIRST, CameraDevice("Logitech C920", 2, "/dev/video2"), BUILT_IN, back])
    assert window.notice_banner.text() == (
        "3 cameras are named Logitech C920, none at index 6 any more: started the one at index 3, "
        "the first listed, when it started, that was not beside it before "
        "(the toolbar's list has the others at 1, 2)."
    )
    # The one passed over leaves, and one of that name is listed at its index again: not
    # known to be it (a freed index goes to whichever camera comes next, the one chosen
    # too), so the one started is no longer the first listed not beside it. Was: the notice
    # kept the plain words, the index passed over being taken for that camera for good.
    seventh = CameraDevice("Logitech C920", 7, "/dev/video7")
    device_monitor_of(window).set_devices([BUILT_IN, back, seventh])
    assert window.notice_banner.text() == (
        "2 cameras are named Logitech C920, none at index 6 any more: started the one at index 3, "
        "the first listed that was not beside it before (the toolbar's list has the other at 7)."
    )
    device_monitor_of(window).set_devices([C920_FIRST, BUILT_IN, back, seventh])
    assert window.notice_banner.text() == (
        "3 cameras are named Logitech C920, none at index 6 any more: started the one at index 3, "
        "the first listed, when it started, that was not beside it before "
        "(the toolbar's list has the others at 1, 7)."
    )


def test_the_camera_chosen_back_at_the_index_of_another_unplugged_meanwhile_is_opened(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: two webcams of one model at 2 and 4, the one at 4 chosen; the one at 2 unplugged,
    # then the one chosen, plugged back in at 2 (the system gives the lowest number free):
    # Start refused it as "the one at index 2 is the other Logitech C920, listed beside it
    # before", an index remembered after the camera listed there had gone.
    other, chosen = CameraDevice("Logitech C920", 2, "/dev/video2"), CameraDevice("Logitech C920", 4, "/dev/video4")
    window, bench = _camera_chosen_and_running(qtbot, make_window, gui_video, [BUILT_IN, other, chosen], chosen)
    monitor = device_monitor_of(window)
    monitor.set_devices([BUILT_IN, chosen])  # the other unplugged
    window.stop()
    qtbot.waitUntil(lambda: not window.is_running, timeout=WAIT_MS)
    monitor.set_devices([BUILT_IN])  # the one chosen unplugged
    back = CameraDevice("Logitech C920", 2, "/dev/video2")
    monitor.set_devices([BUILT_IN, back])  # and plugged back in, at the number freed
    assert window.picker.current_device() == back
    window.toggle_start_stop()  # Start
    qtbot.waitUntil(lambda: window.is_running and len(bench.specs) == 3, timeout=WAIT_MS)
    assert bench.last_camera().index == 2 and "not connected" not in window.source_banner.text()
    # Beside it again, it is known to be another camera: plugged back in while that one
    # stays listed, the one chosen is taken, not it.
    window.stop()
    qtbot.waitUntil(lambda: not window.is_running, timeout=WAIT_MS)
    monitor.set_devices([BUILT_IN, back, CameraDevice("Logitech C920", 4, "/dev/video4")])
    monitor.set_devices([BUILT_IN, CameraDevice("Logitech C920", 4, "/dev/video4")])  # the one chosen gone
    window.toggle_start_stop()
    qtbot.waitUntil(lambda: "not connected" in window.source_banner.text(), timeout=WAIT_MS)
    assert "the one at index 4 is the other Logitech C920" in window.source_banner.text()


def test_the_error_that_the_camera_chosen_is_gone_names_no_other_unplugged_since(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: "… the one at index 1 is the other Logitech C920" stayed up once that one was
    # unplugged too (a list with cameras in it puts up its offer instead; an empty one did not).
    window, _ = _second_of_two_alike_chosen_and_unplugged(qtbot, make_window, gui_video)
    window.retry()
    assert "the one at index 1 is the other Logitech C920" in window.source_banner.text()
    device_monitor_of(window).set_devices([])
    assert window.source_banner.text() == "Logitech C920 at index 6 is not connected."
    assert window.source_banner.level == "error" and "Retry" in window.source_banner.button_captions()
    # Read again with nothing changed (F5, or any device node come or gone in /dev): the
    # message, true as it is, stays put; put up anew, its Retry made anew lost the keyboard.
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    retry = window.source_banner.button("Retry")
    assert retry is not None
    retry.setFocus()
    qtbot.waitUntil(retry.hasFocus, timeout=WAIT_MS)
    window.window_actions.refresh_cameras_action.trigger()  # F5
    assert window.source_banner.button("Retry") is retry and retry.hasFocus()
    assert window.source_banner.text() == "Logitech C920 at index 6 is not connected."


def test_the_offer_after_the_camera_chosen_was_refused_says_which_of_its_name_it_starts(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: once the list was read again (F5, any node come or gone in /dev), the error that
    # the Logitech C920 chosen is gone, "the one at index 1 is the other", gave way to the
    # offer's "Start Logitech C920": that other, by the name of the one chosen, which the
    # picker still shows.
    window, bench = _second_of_two_alike_chosen_and_unplugged(qtbot, make_window, gui_video)
    window.retry()
    assert "the one at index 1 is the other Logitech C920" in window.source_banner.text()
    window.window_actions.refresh_cameras_action.trigger()  # F5
    assert window.source_banner.text() == (
        "Logitech C920 at index 6 is not connected: the one at index 1 is the other Logitech C920, listed beside "
        "it before. Cameras available: Logitech C920 at index 1, Integrated Webcam (in the toolbar's list)."
    )
    assert window.source_banner.button_captions()[:1] == ["Start Logitech C920 at index 1"]
    start = window.source_banner.button("Start Logitech C920 at index 1")
    assert start is not None
    start.click()  # asked for: it starts
    qtbot.waitUntil(lambda: window.is_running and len(bench.specs) == 3, timeout=WAIT_MS)
    assert bench.last_camera().index == 1 and window.picker.current_device() == C920_FIRST
    # One of that name listed, none shown apart: the name alone says which.
    window.stop()
    qtbot.waitUntil(lambda: not window.is_running, timeout=WAIT_MS)
    window.picker.refresh()
    assert window.source_banner.button_captions()[:1] == ["Start Logitech C920"]


def _keyboard_on(qtbot: QtBot, window: MainWindow, caption: str) -> QPushButton:
    """The source banner's button ``caption``, given the keyboard in the active window."""
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    button = window.source_banner.button(caption)
    assert button is not None
    button.setFocus()
    qtbot.waitUntil(button.hasFocus, timeout=WAIT_MS)
    return button


def test_the_offer_of_cameras_listed_keeps_the_keyboard_when_the_list_is_read_again_unchanged(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: every read of the camera list (F5, any node come or gone in /dev) put the offer
    # up anew, its Start button made anew: the keyboard on it was lost each time.
    window, _ = _second_of_two_alike_chosen_and_unplugged(qtbot, make_window, gui_video)
    window.retry()
    window.window_actions.refresh_cameras_action.trigger()  # F5: the offer
    offer = window.source_banner.text()
    assert "Cameras available" in offer
    start = _keyboard_on(qtbot, window, "Start Logitech C920 at index 1")
    window.window_actions.refresh_cameras_action.trigger()  # F5, nothing changed
    device_monitor_of(window).set_devices([C920_FIRST, BUILT_IN])  # a node come or gone in /dev: the same cameras
    assert window.source_banner.button("Start Logitech C920 at index 1") is start and start.hasFocus()
    assert window.source_banner.text() == offer
    # What it offers changed: put up anew, saying so.
    device_monitor_of(window).set_devices([C920_FIRST, BUILT_IN, CameraDevice("Elgato Facecam", 4)])
    assert window.source_banner.text().endswith(
        "Cameras available: Logitech C920 at index 1, Integrated Webcam, Elgato Facecam (in the toolbar's list)."
    )
    assert window.source_banner.button("Start Logitech C920 at index 1") is not start


def _refused_then_offered(qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth) -> MainWindow:
    """The second of two alike chosen and unplugged, refused by Retry, then F5: the offer
    of the cameras listed, after the refusal."""
    window, _ = _second_of_two_alike_chosen_and_unplugged(qtbot, make_window, gui_video)
    window.retry()
    window.window_actions.refresh_cameras_action.trigger()
    return window


def test_the_offer_names_the_camera_left_apart_from_the_one_chosen_gone_as_its_button_does(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: "… Cameras available: Logitech C920, Integrated Webcam (in the toolbar's list).",
    # its button "Start Logitech C920 at index 1": the toolbar's list holds the one chosen,
    # gone, apart, so two of that name, and the list of names did not say which it offered.
    window = _refused_then_offered(qtbot, make_window, gui_video)
    assert window.picker.current_device() == CameraDevice("Logitech C920", 6)  # shown apart
    assert window.source_banner.text().endswith(
        "Cameras available: Logitech C920 at index 1, Integrated Webcam (in the toolbar's list)."
    )
    assert window.source_banner.button_captions()[:1] == ["Start Logitech C920 at index 1"]


def test_the_offer_keeps_the_refusal_of_the_camera_chosen_true_as_cameras_go(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: the offer of the cameras listed took the place of the refusal, and went with the
    # last camera unplugged, leaving no word of why the camera chosen had not started.
    window = _refused_then_offered(qtbot, make_window, gui_video)
    assert window.source_banner.text().startswith("Logitech C920 at index 6 is not connected: the one at index 1")
    assert window.source_banner.level == "error"
    device_monitor_of(window).set_devices([BUILT_IN])  # the other of its name unplugged: no longer named
    assert window.source_banner.text() == (
        "Logitech C920 at index 6 is not connected. Camera available: Integrated Webcam (in the toolbar's list)."
    )
    assert window.source_banner.button_captions()[:1] == ["Start Integrated Webcam"]
    device_monitor_of(window).set_devices([])  # none left to offer: the refusal alone, with its Retry
    assert window.source_banner.text() == "Logitech C920 at index 6 is not connected."
    assert window.source_banner.level == "error" and "Retry" in window.source_banner.button_captions()


def test_the_offer_drops_the_refusal_of_the_camera_chosen_once_that_camera_is_listed_again(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: the refusal, retold for the list read anew, said the camera chosen was not
    # connected beside the offer of that very camera, back at its index ("Logitech C920 is
    # not connected: index 6 is Logitech C920 now. … Start Logitech C920 at index 6"), or
    # plugged in at another, which Retry then opened.
    window = _refused_then_offered(qtbot, make_window, gui_video)
    assert "is not connected" in window.source_banner.text()
    device_monitor_of(window).set_devices([C920_FIRST, BUILT_IN, C920_SECOND])  # plugged back in at its index
    assert window.source_banner.text() == (
        "Cameras available: Logitech C920 at index 1, Integrated Webcam, Logitech C920 at index 6 "
        "(in the toolbar's list)."
    )
    assert window.source_banner.level == "info"
    assert window.source_banner.button_captions()[:1] == ["Start Logitech C920 at index 6"]
    # Alone, none listed, then plugged back in: the refusal goes the same way.
    window.source_banner.dismiss()
    device_monitor_of(window).set_devices([C920_FIRST, BUILT_IN])
    window.retry()
    device_monitor_of(window).set_devices([])
    assert window.source_banner.text() == "Logitech C920 at index 6 is not connected."
    device_monitor_of(window).set_devices([C920_SECOND])
    assert window.source_banner.text() == "Camera available: Logitech C920 (in the toolbar's list)."
    # Its index held by another camera, then plugged in at a new index, which Retry opens.
    device_monitor_of(window).set_devices([BUILT_IN, CameraDevice("Elgato Facecam", 6)])
    window.retry()
    assert window.source_banner.text().startswith("Logitech C920 is not connected: index 6 is Elgato Facecam now.")
    back = CameraDevice("Logitech C920", 7, "/dev/video7")
    device_monitor_of(window).set_devices([BUILT_IN, CameraDevice("Elgato Facecam", 6), back])
    assert "not connected" not in window.source_banner.text()
    assert window.source_banner.text().startswith("Cameras available:")


def test_the_refusal_of_the_camera_chosen_is_said_again_when_it_is_unplugged_again(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: dropped once the camera chosen was listed again, the refusal was not said again
    # once it was unplugged again, where Start and Retry refuse it again: the offer went
    # on without it, and alone, none listed, nothing was said at all.
    window = _refused_then_offered(qtbot, make_window, gui_video)
    monitor = device_monitor_of(window)
    monitor.set_devices([C920_FIRST, BUILT_IN, C920_SECOND])  # back: the refusal dropped
    assert "not connected" not in window.source_banner.text()
    monitor.set_devices([C920_FIRST, BUILT_IN])  # unplugged again
    assert window.source_banner.text() == (
        "Logitech C920 at index 6 is not connected: the one at index 1 is the other Logitech C920, listed beside "
        "it before. Cameras available: Logitech C920 at index 1, Integrated Webcam (in the toolbar's list)."
    )
    assert window.source_banner.level == "error"
    monitor.set_devices([])
    assert window.source_banner.text() == "Logitech C920 at index 6 is not connected."
    monitor.set_devices([C920_SECOND])  # back, alone
    assert window.source_banner.text() == "Camera available: Logitech C920 (in the toolbar's list)."
    monitor.set_devices([])  # and gone again
    assert window.source_banner.text() == "Logitech C920 at index 6 is not connected."
    assert window.source_banner.level == "error" and "Retry" in window.source_banner.button_captions()


def test_the_view_behind_the_banner_says_the_refusal_as_it_is_retold_and_dropped(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: the view (no frame in it, the camera chosen having failed to open) kept the
    # refusal as first said: the other camera it named unplugged since, or the camera chosen
    # listed again and offered by the banner above it.
    bench = CameraBench(gui_video.path, good_frames=10_000)

    def factory(spec: SourceSpec) -> FrameSource:
        if isinstance(spec, CameraSpec) and spec.index == C920_SECOND.index:
            raise SourceOpenError(f"Could not open {spec.describe()}: it is busy")
        return bench(spec)

    window = make_window(devices=[C920_FIRST, BUILT_IN, C920_SECOND], source_factory=factory)
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    window.choose_camera(C920_SECOND)
    qtbot.waitUntil(lambda: "it is busy" in window.source_banner.text(), timeout=WAIT_MS)
    monitor = device_monitor_of(window)
    monitor.set_devices([C920_FIRST, BUILT_IN])  # unplugged
    window.retry()  # refused: the one at index 1 is the other
    assert window.source_banner.text().startswith("Logitech C920 at index 6 is not connected: the one at index 1")
    assert window.view.result is None and window.view.placeholder == window.source_banner.text()
    monitor.set_devices([BUILT_IN])  # the other unplugged: retold
    assert window.source_banner.text() == (
        "Logitech C920 at index 6 is not connected. Camera available: Integrated Webcam (in the toolbar's list)."
    )
    assert window.view.placeholder == window.source_banner.text()
    monitor.set_devices([BUILT_IN, C920_SECOND])  # back: dropped
    assert window.source_banner.text() == "Cameras available: Integrated Webcam, Logitech C920 (in the toolbar's list)."
    assert window.view.placeholder == window.source_banner.text()


def test_the_offer_after_a_refusal_names_the_other_camera_of_its_name_by_index(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: "Could not open camera 'Logitech C920' (index 6): it is not plugged in. Camera
    # available: Logitech C920 (in the toolbar's list).", its button "Start Logitech C920":
    # the one at index 1, by the very name just refused. The one picked was unplugged as it
    # was picked (gui_monkey seeds 7119, 7121, 7123), so the picker never showed it apart.
    bench = CameraBench(gui_video.path, good_frames=10_000)

    def factory(spec: SourceSpec) -> FrameSource:
        if isinstance(spec, CameraSpec) and spec.index == C920_SECOND.index:
            raise SourceOpenError(f"Could not open {spec.describe()}: it is not plugged in")
        return bench(spec)

    window = make_window(devices=[C920_FIRST, BUILT_IN, C920_SECOND], source_factory=factory)
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    monitor = device_monitor_of(window)
    monitor.set_devices([C920_FIRST, BUILT_IN])  # unplugged, the list read, then the click lands
    window.choose_camera(C920_SECOND)
    refusal = "Could not open camera 'Logitech C920' (index 6): it is not plugged in."
    qtbot.waitUntil(lambda: window.source_banner.text().startswith(refusal), timeout=WAIT_MS)
    assert window.picker.current_device() != C920_SECOND  # not listed: not shown apart
    monitor.set_devices([C920_FIRST])
    assert window.source_banner.text() == (
        f"{refusal} Camera available: Logitech C920 at index 1 (in the toolbar's list)."
    )
    assert window.source_banner.button_captions()[:1] == ["Start Logitech C920 at index 1"]
    monitor.set_devices([BUILT_IN, C920_FIRST])
    assert window.source_banner.text() == (
        f"{refusal} Cameras available: Integrated Webcam, Logitech C920 at index 1 (in the toolbar's list)."
    )
    # The one refused listed again, alone of its name: the name says which, the one refused.
    monitor.set_devices([BUILT_IN, C920_SECOND])
    assert window.source_banner.text() == (
        f"{refusal} Cameras available: Integrated Webcam, Logitech C920 (in the toolbar's list)."
    )
    assert window.source_banner.button_captions()[:1] == ["Start Logitech C920"]


def test_the_view_behind_the_banner_drops_a_name_not_found_once_a_camera_of_that_name_is_listed(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: "No camera named 'Hubble'. Cameras: Integrated Webcam." stayed in the view under
    # the offer of Hubble Cam.
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window = make_window(camera="Hubble", devices=[BUILT_IN], source_factory=bench)
    assert window.view.placeholder == "No camera named 'Hubble'. Cameras: Integrated Webcam."
    device_monitor_of(window).set_devices([BUILT_IN, CameraDevice("Hubble Cam", 4)])
    assert window.source_banner.text() == "Cameras available: Integrated Webcam, Hubble Cam (in the toolbar's list)."
    assert window.view.result is None and window.view.placeholder == window.source_banner.text()


def test_the_view_behind_an_offer_that_replaced_an_error_dismissed_says_the_offer_until_it_goes(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: the error dismissed, the offer of a camera plugged in put up in its place, the
    # view went on saying that error; then it said the offer, and once that camera was
    # unplugged it must not go on offering it.
    bench = CameraBench(gui_video.path, good_frames=10_000)
    ghost = CameraDevice("Ghost Cam", 97, "/dev/video97")

    def factory(spec: SourceSpec) -> FrameSource:
        # Index 97 goes through the real OpenCV path: nothing is there on this machine.
        return open_frame_source(spec) if isinstance(spec, CameraSpec) and spec.index == 97 else bench(spec)

    window = make_window(devices=[ghost], source_factory=factory)
    qtbot.waitUntil(lambda: "Could not open" in window.source_banner.text(), timeout=WAIT_MS)
    assert window.view.result is None and window.view.placeholder == window.source_banner.text()
    banner_button(window, "✕").click()
    device_monitor_of(window).set_devices([USB])  # the ghost gone, another plugged in
    assert window.source_banner.text() == "Camera available: Logitech C920 (in the toolbar's list)."
    assert window.view.placeholder == window.source_banner.text()
    device_monitor_of(window).set_devices([])
    assert window.source_banner.text() == "" and window.view.placeholder.startswith("No camera found.")


def test_the_refusal_of_the_camera_chosen_is_said_again_after_the_offer_that_dropped_it_was_dismissed(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: the camera chosen back, the refusal was dropped from the offer; the user dismissed
    # that offer (of the cameras, never of the refusal), and once the camera chosen was
    # unplugged again, where Start and Retry refuse it again, the refusal was lost: the
    # offer came back alone, or nothing at all was said with none listed.
    window = _refused_then_offered(qtbot, make_window, gui_video)
    monitor = device_monitor_of(window)
    monitor.set_devices([C920_FIRST, BUILT_IN, C920_SECOND])  # back: the refusal dropped
    assert "not connected" not in window.source_banner.text()
    banner_button(window, "✕").click()
    monitor.set_devices([C920_FIRST, BUILT_IN, C920_SECOND])  # the same list: the offer stays away
    assert window.source_banner.text() == ""
    monitor.set_devices([C920_FIRST, BUILT_IN])  # unplugged again
    refusal = (
        "Logitech C920 at index 6 is not connected: the one at index 1 is the other Logitech C920, listed beside "
        "it before."
    )
    assert window.source_banner.text() == (
        f"{refusal} Cameras available: Logitech C920 at index 1, Integrated Webcam (in the toolbar's list)."
    )
    assert window.source_banner.level == "error"
    assert window.view.placeholder == window.source_banner.text()
    # Dismissed as it stood, refusal and all, it is said no more: the user turned it down.
    banner_button(window, "✕").click()
    monitor.set_devices([C920_FIRST, BUILT_IN, C920_SECOND])
    monitor.set_devices([C920_FIRST, BUILT_IN])
    assert "not connected" not in window.source_banner.text()


def test_the_refusal_of_the_camera_chosen_stands_alone_again_after_the_offer_that_dropped_it_was_dismissed(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: as above, with every camera unplugged: nothing said why Start would not start.
    window = _refused_then_offered(qtbot, make_window, gui_video)
    monitor = device_monitor_of(window)
    monitor.set_devices([C920_FIRST, BUILT_IN, C920_SECOND])
    banner_button(window, "✕").click()
    monitor.set_devices([])
    assert window.source_banner.text() == "Logitech C920 at index 6 is not connected."
    assert window.source_banner.level == "error" and "Retry" in window.source_banner.button_captions()
    assert window.view.placeholder == window.source_banner.text()


@pytest.mark.parametrize("error", ["name-not-found", "could-not-open"])
def test_the_view_behind_an_error_dismissed_drops_the_cameras_it_named_once_none_is_listed(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, error: str
) -> None:
    # Was: the error dismissed, the view (no frame in it) went on saying it once every
    # camera was unplugged, under a picker saying "No camera found": "No camera named
    # 'Hubble'. Cameras: Integrated Webcam.", or "… Pick another camera in the toolbar."
    bench = CameraBench(gui_video.path, good_frames=10_000)
    ghost = CameraDevice("Ghost Cam", 97, "/dev/video97")

    def factory(spec: SourceSpec) -> FrameSource:
        # Index 97 goes through the real OpenCV path: nothing is there on this machine.
        return open_frame_source(spec) if isinstance(spec, CameraSpec) and spec.index == 97 else bench(spec)

    if error == "name-not-found":
        window = make_window(camera="Hubble", devices=[BUILT_IN], source_factory=factory)
        assert window.source_banner.text() == "No camera named 'Hubble'. Cameras: Integrated Webcam."
    else:
        window = make_window(devices=[ghost, BUILT_IN], source_factory=factory)
        qtbot.waitUntil(lambda: "Could not open" in window.source_banner.text(), timeout=WAIT_MS)
        assert window.source_banner.text().endswith("Pick another camera in the toolbar.")
    said = window.source_banner.text()
    assert window.view.placeholder == said
    banner_button(window, "✕").click()
    assert window.view.placeholder == said  # still true: said there until the list changes
    device_monitor_of(window).set_devices([])
    assert window.source_banner.text() == "" and window.view.result is None
    if error == "name-not-found":  # as where it was not dismissed: what to open instead
        assert window.view.placeholder.startswith("No camera found.")
    else:  # the reason it did not open, as said alone where it was not dismissed
        assert window.view.placeholder == said.removesuffix(". Pick another camera in the toolbar.")


@pytest.mark.parametrize("error", ["name-not-found", "could-not-open"])
def test_an_error_dismissed_is_not_followed_by_an_offer_until_the_cameras_listed_change(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, error: str
) -> None:
    # Was: the error closed (it named the cameras, or said to pick another in the toolbar),
    # the next read of the same list (F5, any node come or gone in /dev) put up "Camera
    # available: …", news of nothing, as an offer dismissed is not put up again.
    bench = CameraBench(gui_video.path, good_frames=10_000)
    ghost = CameraDevice("Ghost Cam", 97, "/dev/video97")

    def factory(spec: SourceSpec) -> FrameSource:
        # Index 97 goes through the real OpenCV path: nothing is there on this machine.
        return open_frame_source(spec) if isinstance(spec, CameraSpec) and spec.index == 97 else bench(spec)

    if error == "name-not-found":
        window = make_window(camera="Hubble", devices=[BUILT_IN], source_factory=factory)
    else:
        window = make_window(devices=[ghost, BUILT_IN], source_factory=factory)
        qtbot.waitUntil(lambda: "Could not open" in window.source_banner.text(), timeout=WAIT_MS)
    listed = device_monitor_of(window).devices()
    said = window.source_banner.text()
    banner_button(window, "✕").click()
    window.window_actions.refresh_cameras_action.trigger()  # F5
    device_monitor_of(window).set_devices(listed)  # a node come or gone in /dev: the same cameras
    assert window.source_banner.text() == "" and window.view.placeholder == said
    device_monitor_of(window).set_devices([*listed, USB])  # plugged in: news
    assert window.source_banner.text().endswith(", Logitech C920 (in the toolbar's list).")
    assert window.view.placeholder == window.source_banner.text()


def test_an_offer_dismissed_stays_away_until_what_it_offers_changes(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: dismissed, the offer came back at the next read of the list (F5, or any device
    # node come or gone in /dev) with nothing in it changed.
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window = make_window(devices=[], source_factory=bench)
    monitor = device_monitor_of(window)
    monitor.set_devices([USB])
    assert window.source_banner.text() == "Camera available: Logitech C920 (in the toolbar's list)."
    banner_button(window, "✕").click()
    window.window_actions.refresh_cameras_action.trigger()  # F5
    monitor.set_devices([USB])  # a node come or gone in /dev: the same cameras
    assert window.source_banner.text() == ""
    monitor.set_devices([USB, BUILT_IN])  # what it offers changed: offered again
    offer = "Cameras available: Logitech C920, Integrated Webcam (in the toolbar's list)."
    assert window.source_banner.text() == offer
    # Dismissed again, then a camera started and stopped: the list read again offers anew.
    banner_button(window, "✕").click()
    window.picker.activated.emit(0)
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    window.stop()
    qtbot.waitUntil(lambda: not window.is_running, timeout=WAIT_MS)
    window.window_actions.refresh_cameras_action.trigger()
    assert window.source_banner.text() == offer


def test_an_offer_dismissed_after_a_refusal_does_not_come_back_without_it(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: the offer headed by the refusal, dismissed, came back at the next read of the
    # list as the same cameras offered without it.
    window = _refused_then_offered(qtbot, make_window, gui_video)
    assert "Cameras available" in window.source_banner.text()
    banner_button(window, "✕").click()
    window.window_actions.refresh_cameras_action.trigger()  # F5
    assert window.source_banner.text() == ""
    # A source asked for since (refused again by Retry): the list read again offers anew.
    window.retry()
    window.window_actions.refresh_cameras_action.trigger()
    assert window.source_banner.text().endswith(
        "Cameras available: Logitech C920 at index 1, Integrated Webcam (in the toolbar's list)."
    )


@pytest.mark.parametrize("offered", ["after-no-camera", "after-a-refusal"])
def test_the_view_behind_an_offer_dismissed_offers_no_camera_once_none_is_listed(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, offered: str
) -> None:
    # Was: the offer dismissed, the view (no frame in it) went on saying it once every
    # camera was unplugged: "Camera available: Logitech C920" under a picker saying "No
    # camera found", or the refusal naming the other camera, gone too.
    if offered == "after-no-camera":
        window = make_window(devices=[], source_factory=CameraBench(gui_video.path, good_frames=10_000))
        device_monitor_of(window).set_devices([USB])
    else:
        window = _refused_then_offered(qtbot, make_window, gui_video)
    offer = window.source_banner.text()
    assert "available:" in offer and window.view.placeholder == offer
    banner_button(window, "✕").click()
    assert window.view.placeholder == offer  # said there until the list changes
    device_monitor_of(window).set_devices([])
    assert window.source_banner.text() == ""
    assert window.view.result is None and window.view.placeholder.startswith("No camera found.")


def test_the_offer_after_a_listed_camera_could_not_be_opened_says_why(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: "Cameras available: …" alone once the list was read again (a camera plugged in),
    # the reason the camera chosen did not open gone from the window.
    bench = CameraBench(gui_video.path, good_frames=10_000)
    ghost = CameraDevice("Ghost Cam", 97, "/dev/video97")

    def factory(spec: SourceSpec) -> FrameSource:
        # Index 97 goes through the real OpenCV path: nothing is there on this machine.
        return open_frame_source(spec) if isinstance(spec, CameraSpec) and spec.index == 97 else bench(spec)

    window = make_window(devices=[ghost, BUILT_IN], source_factory=factory)  # the first listed opens
    qtbot.waitUntil(lambda: "Could not open" in window.source_banner.text(), timeout=WAIT_MS)
    error = window.source_banner.text()
    assert error.startswith("Could not open camera 'Ghost Cam'") and error.endswith(
        ". Pick another camera in the toolbar."
    )
    reason = error.removesuffix(" Pick another camera in the toolbar.")
    device_monitor_of(window).set_devices([ghost, BUILT_IN, USB])  # plugged in
    assert window.source_banner.text() == (
        f"{reason} Cameras available: Ghost Cam, Integrated Webcam, Logitech C920 (in the toolbar's list)."
    )
    assert window.source_banner.level == "error"
    assert window.source_banner.button_captions()[:1] == ["Start Ghost Cam"]  # the one the picker shows


def test_the_offer_after_a_camera_name_not_found_on_the_command_line_says_so(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: "No camera named 'Hubble'" gave way to the offer at the next read of the list,
    # whose Start opens another camera than the one asked for, without a word of it.
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window = make_window(camera="Hubble", devices=[BUILT_IN], source_factory=bench)
    assert window.source_banner.text().startswith("No camera named 'Hubble'.")
    device_monitor_of(window).set_devices([BUILT_IN, USB])  # plugged in
    assert window.source_banner.text() == (
        "No camera named 'Hubble'. Cameras available: Integrated Webcam, Logitech C920 (in the toolbar's list)."
    )
    banner_button(window, "Start Integrated Webcam").click()
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    assert bench.specs == [CameraSpec(0, "Integrated Webcam")] and window.source_banner.text() == ""


def test_a_camera_name_not_found_on_the_command_line_is_not_said_once_untrue(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: "No camera named 'Hubble'." headed the offer of a camera whose name holds it
    # (Retry opened it), and alone kept naming the cameras listed once none was.
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window = make_window(camera="Hubble", devices=[BUILT_IN], source_factory=bench)
    assert window.source_banner.text() == "No camera named 'Hubble'. Cameras: Integrated Webcam."
    device_monitor_of(window).set_devices([])  # unplugged: as after the offer, what to open instead
    assert window.source_banner.text().startswith("No camera found.")
    window.retry()
    assert window.source_banner.text() == "No camera named 'Hubble'. Cameras: none found."
    retry = window.source_banner.button("Retry")
    device_monitor_of(window).set_devices([])  # a node come or gone, still none: true as it is, kept
    assert window.source_banner.text() == "No camera named 'Hubble'. Cameras: none found."
    assert window.source_banner.button("Retry") is retry
    device_monitor_of(window).set_devices([BUILT_IN, CameraDevice("Hubble Cam", 4)])  # one of that name plugged in
    assert window.source_banner.text() == "Cameras available: Integrated Webcam, Hubble Cam (in the toolbar's list)."
    assert window.source_banner.level == "info"
    window.retry()  # opens it, as the launch would have
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    assert bench.specs == [CameraSpec(4, "Hubble Cam")]


@pytest.mark.parametrize("typed", ["Logitech C920", "c920"], ids=["its-name", "part-of-it"])
def test_a_camera_named_on_the_command_line_that_two_share_is_the_first_listed_and_said(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, typed: str
) -> None:
    # Was: `--camera "Logitech C920"` with two of that name listed started the first without
    # a word, where Start and Retry, taking the first of several, say which they took.
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window = make_window(camera=typed, devices=[C920_FIRST, BUILT_IN, C920_SECOND], source_factory=bench)
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    assert bench.specs == [CameraSpec(1, "Logitech C920")]
    assert window.notice_banner.text() == (
        "2 cameras are named Logitech C920: started the one at index 1, the first listed "
        "(the toolbar's list has the other at 6; --camera 6 starts it)."
    )
    # Kept true as the list is read anew; gone once no other of that name is left.
    third = CameraDevice("Logitech C920", 8, "/dev/video8")
    device_monitor_of(window).set_devices([C920_FIRST, BUILT_IN, C920_SECOND, third])
    assert window.notice_banner.text() == (
        "3 cameras are named Logitech C920: started the one at index 1, the first listed "
        "(the toolbar's list has the others at 6, 8; --camera and an index start one of them)."
    )
    device_monitor_of(window).set_devices([C920_FIRST, BUILT_IN])
    assert window.notice_banner.text() == ""
    # The other picked from the list: that one starts, and no notice stays of the first.
    device_monitor_of(window).set_devices([C920_FIRST, BUILT_IN, C920_SECOND])
    window.picker.activated.emit(2)
    qtbot.waitUntil(lambda: window.is_running and bench.last_camera().index == 6, timeout=WAIT_MS)
    assert window.notice_banner.text() == ""


C920_PRO = CameraDevice("Logitech C920 Pro", 1, "/dev/video1")
C920_PLAIN = CameraDevice("Logitech C920", 2, "/dev/video2")


def test_a_camera_name_typed_in_part_that_several_names_hold_is_the_first_listed_and_said(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: `--camera c920` with "Logitech C920 Pro" listed before "Logitech C920" started the
    # first without a word, where two cameras of one name matching it are told apart.
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window = make_window(camera="c920", devices=[C920_PRO, BUILT_IN, C920_PLAIN], source_factory=bench)
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    assert bench.specs == [CameraSpec(1, "Logitech C920 Pro")]
    assert window.notice_banner.text() == (
        "2 cameras have 'c920' in their names: started Logitech C920 Pro at index 1, the first listed "
        "(the toolbar's list has Logitech C920 at 2; --camera 2 starts it)."
    )
    # Kept true as the list is read anew; gone once no other camera's name holds it.
    sixth = CameraDevice("Logitech C920", 6, "/dev/video6")
    device_monitor_of(window).set_devices([C920_PRO, BUILT_IN, C920_PLAIN, sixth])
    assert window.notice_banner.text() == (
        "3 cameras have 'c920' in their names: started Logitech C920 Pro at index 1, the first listed "
        "(the toolbar's list has Logitech C920 at 2, Logitech C920 at 6; --camera and an index start one of them)."
    )
    device_monitor_of(window).set_devices([C920_PRO, BUILT_IN])
    assert window.notice_banner.text() == ""


@pytest.mark.parametrize("typed", ["Logitech C920", "logitech c920"], ids=["its-name", "another-case"])
def test_a_camera_name_typed_whole_takes_that_camera_over_those_whose_names_hold_it(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, typed: str
) -> None:
    # The whole name typed names that camera: the longer names that hold it are others, and
    # nothing needs telling of them.
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window = make_window(camera=typed, devices=[C920_PRO, BUILT_IN, C920_PLAIN], source_factory=bench)
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    assert bench.specs == [CameraSpec(2, "Logitech C920")]
    assert window.notice_banner.text() == ""


@pytest.mark.parametrize("asked", ["typed", "remembered"])
def test_the_notice_of_which_camera_was_taken_says_it_did_not_open_until_it_does(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, settings_path: Path, asked: str
) -> None:
    # Was: "started the one at index 1" stayed beside the error that it could not be opened.
    bench = CameraBench(gui_video.path, good_frames=10_000)
    busy = {1}

    def factory(spec: SourceSpec) -> FrameSource:
        if isinstance(spec, CameraSpec) and spec.index in busy:
            raise SourceOpenError(f"Could not open {spec.describe()}: it is busy")
        return bench(spec)

    if asked == "remembered":  # the second of two, both numbered anew since (as after a reboot)
        AppSettings.at_path(settings_path).remember_camera("Logitech C920", 4)
    window = make_window(
        camera="Logitech C920" if asked == "typed" else None,
        devices=[C920_FIRST, BUILT_IN, C920_SECOND],
        source_factory=factory,
    )
    qtbot.waitUntil(lambda: "it is busy" in window.source_banner.text(), timeout=WAIT_MS)
    gone, how = ("", "; --camera 6 starts it") if asked == "typed" else (", none at index 4 any more", "")
    failed = (
        f"2 cameras are named Logitech C920{gone}: the one at index 1, the first listed, could not be opened "
        f"(the toolbar's list has the other at 6{how})."
    )
    assert window.notice_banner.text() == failed
    window.window_actions.refresh_cameras_action.trigger()  # F5: kept true, as it is
    assert window.notice_banner.text() == failed
    busy.clear()
    window.retry()  # it opens now: started, as the notice said before
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    assert window.notice_banner.text() == (
        f"2 cameras are named Logitech C920{gone}: started the one at index 1, the first listed "
        f"(the toolbar's list has the other at 6{how})."
    )


def test_the_notice_of_which_camera_was_taken_goes_when_another_is_picked_before_the_model_loads(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, settings_path: Path
) -> None:
    # Was: Start before the model had loaded took the first of two cameras of the name
    # chosen, and said so; another camera picked then, its notice stayed over that camera.
    AppSettings.at_path(settings_path).remember_camera("Logitech C920", 4)
    loaded = threading.Event()

    def held_load(path: Path | None) -> PipelineBundle:
        loaded.wait(WAIT_MS / 1000)
        return load_eager_pipeline(path)

    bench = CameraBench(gui_video.path, good_frames=10_000)
    window = make_window(
        devices=[C920_FIRST, BUILT_IN, C920_SECOND],
        source_factory=bench,
        wait_for_model=False,
        pipeline_loader=held_load,
    )
    try:
        window.toggle_start_stop()  # Start
        assert "the one at index 1, the first listed, starts once" in window.notice_banner.text()
        window.picker.activated.emit(1)  # Integrated Webcam picked
        assert window.model_status is None and window.notice_banner.text() == ""
    finally:
        loaded.set()
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    assert bench.specs == [CameraSpec(0, "Integrated Webcam")] and window.notice_banner.text() == ""


def _window_loading_the_model(
    make_window: WindowFactory, devices: list[CameraDevice], bench: SourceFactory, camera: str | None = None
) -> tuple[MainWindow, threading.Event]:
    """A real window listing ``devices`` (``camera``: what follows ``--camera``) whose model
    loads only once the event returned is set (the test sets it, in a ``finally``, else the
    window waits WAIT_MS for it)."""
    loaded = threading.Event()

    def held_load(path: Path | None) -> PipelineBundle:
        loaded.wait(WAIT_MS / 1000)
        return load_eager_pipeline(path)

    window = make_window(
        camera=camera, devices=devices, source_factory=bench, wait_for_model=False, pipeline_loader=held_load
    )
    return window, loaded


def test_a_camera_name_not_found_before_the_model_loads_names_the_cameras_plugged_in_meanwhile(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: `--camera Hubble`, Start before the model had loaded: cameras plugged in or
    # unplugged meanwhile went to the status line only, and the error kept naming the
    # cameras listed at Start until the model had loaded.
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window, loaded = _window_loading_the_model(make_window, [BUILT_IN], bench, camera="Hubble")
    monitor = device_monitor_of(window)
    try:
        window.toggle_start_stop()  # Start
        assert window.model_status is None
        assert window.source_banner.text() == "No camera named 'Hubble'. Cameras: Integrated Webcam."
        monitor.set_devices([BUILT_IN, USB])  # plugged in
        said = "No camera named 'Hubble'. Cameras: Integrated Webcam, Logitech C920."
        assert window.source_banner.text() == said and window.view.placeholder == said
        assert window.source_banner.level == "error" and "Retry" in window.source_banner.button_captions()
        monitor.set_devices([USB])  # unplugged
        said = "No camera named 'Hubble'. Cameras: Logitech C920."
        assert window.source_banner.text() == said and window.view.placeholder == said
        monitor.set_devices([])  # every one unplugged: as after the model has loaded
        assert window.source_banner.text().startswith("No camera found.")
        monitor.set_devices([BUILT_IN])  # one plugged back in: the name not found again
        said = "No camera named 'Hubble'. Cameras: Integrated Webcam."
        assert window.source_banner.text() == said and window.view.placeholder == said
        # One of that name plugged in: untrue, it goes; the model's load starts that camera.
        hubble = CameraDevice("Hubble Cam", 4)
        monitor.set_devices([USB, hubble])
        assert window.source_banner.text() == "" and window.view.placeholder == "Loading the emotion model…"
        monitor.set_devices([USB])  # unplugged again: true again, said again
        said = "No camera named 'Hubble'. Cameras: Logitech C920."
        assert window.source_banner.text() == said and window.view.placeholder == said
        monitor.set_devices([USB, hubble])
        assert window.source_banner.text() == "" and window.view.placeholder == "Loading the emotion model…"
        assert window.model_status is None and bench.specs == []
    finally:
        loaded.set()
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    assert bench.specs == [CameraSpec(4, "Hubble Cam")]


def test_a_camera_name_not_found_before_the_model_loads_and_dismissed_is_told_anew_in_the_view(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: dismissed, the error stayed in the view (no frame there), naming the cameras
    # listed at Start while others were plugged in, until the model had loaded.
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window, loaded = _window_loading_the_model(make_window, [BUILT_IN], bench, camera="Hubble")
    monitor = device_monitor_of(window)
    try:
        window.toggle_start_stop()  # Start
        assert window.view.placeholder == "No camera named 'Hubble'. Cameras: Integrated Webcam."
        banner_button(window, "✕").click()
        monitor.set_devices([BUILT_IN, USB])
        assert window.source_banner.text() == ""  # closed by the user: stays closed
        assert window.view.placeholder == "No camera named 'Hubble'. Cameras: Integrated Webcam, Logitech C920."
        monitor.set_devices([USB])
        assert window.view.placeholder == "No camera named 'Hubble'. Cameras: Logitech C920."
        monitor.set_devices([USB, CameraDevice("Hubble Cam", 4)])  # untrue: the model loads
        assert window.source_banner.text() == "" and window.view.placeholder == "Loading the emotion model…"
        assert window.model_status is None and bench.specs == []
    finally:
        loaded.set()
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    assert bench.specs == [CameraSpec(4, "Hubble Cam")]


def test_a_camera_name_not_found_before_the_model_loads_is_said_again_after_no_camera_found_gave_way(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: "No camera found" taken away as a camera of that name was listed, the error was
    # not said again in the message area once that camera was gone again: only in the view
    # (as if the user had closed it) with another listed, nowhere with none listed.
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window, loaded = _window_loading_the_model(make_window, [BUILT_IN], bench, camera="Hubble")
    monitor = device_monitor_of(window)
    hubble = CameraDevice("Hubble Cam", 4)
    try:
        window.toggle_start_stop()  # Start
        monitor.set_devices([])
        assert window.source_banner.text().startswith("No camera found.")
        monitor.set_devices([hubble])  # untrue: it goes, the model's load starts that camera
        assert window.source_banner.text() == "" and window.view.placeholder == "Loading the emotion model…"
        monitor.set_devices([])
        assert window.source_banner.text().startswith("No camera found.")
        monitor.set_devices([hubble])
        monitor.set_devices([BUILT_IN])
        said = "No camera named 'Hubble'. Cameras: Integrated Webcam."
        assert window.source_banner.text() == said and window.view.placeholder == said
        assert window.model_status is None and bench.specs == []
    finally:
        loaded.set()
    qtbot.waitUntil(lambda: window.model_status is not None, timeout=WAIT_MS)


def test_a_camera_name_not_found_dismissed_before_the_model_loads_is_told_in_the_view_with_none_listed(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: taken from the view as a camera of that name was listed, the error closed was not
    # told there again once every camera was unplugged: "Loading the emotion model…" stayed,
    # though with another camera listed the view said the error again.
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window, loaded = _window_loading_the_model(make_window, [BUILT_IN], bench, camera="Hubble")
    monitor = device_monitor_of(window)
    try:
        window.toggle_start_stop()  # Start
        banner_button(window, "✕").click()
        monitor.set_devices([BUILT_IN, CameraDevice("Hubble Cam", 4)])
        assert window.view.placeholder == "Loading the emotion model…"
        monitor.set_devices([])  # as where it was closed with none listed: no camera, no name
        assert window.source_banner.text() == ""  # closed by the user: stays closed
        assert window.view.placeholder.startswith("No camera found.")
        monitor.set_devices([BUILT_IN])
        assert window.view.placeholder == "No camera named 'Hubble'. Cameras: Integrated Webcam."
        assert window.source_banner.text() == "" and window.model_status is None
    finally:
        loaded.set()
    qtbot.waitUntil(lambda: window.model_status is not None, timeout=WAIT_MS)


@pytest.mark.parametrize("closed", [True, False])
def test_an_error_of_start_before_the_model_loads_is_not_put_up_again_by_its_load_unchanged(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, closed: bool
) -> None:
    # Was: the window, starting the source asked for once the model had loaded, met the
    # same error and put it up anew: back in the message area where the user had closed
    # it (nothing changed, nothing asked), its Retry made anew where not (the keyboard lost).
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window, loaded = _window_loading_the_model(make_window, [BUILT_IN], bench, camera="Hubble")
    said = "No camera named 'Hubble'. Cameras: Integrated Webcam, Logitech C920."
    try:
        device_monitor_of(window).set_devices([BUILT_IN, USB])
        window.toggle_start_stop()  # Start
        assert window.source_banner.text() == said
        if closed:
            banner_button(window, "✕").click()
        else:
            retry = _keyboard_on(qtbot, window, "Retry")
        assert window.model_status is None
    finally:
        loaded.set()
    qtbot.waitUntil(lambda: window.model_status is not None, timeout=WAIT_MS)
    assert window.view.placeholder == said
    if closed:
        assert window.source_banner.text() == ""
    else:
        assert window.source_banner.text() == said
        assert window.source_banner.button("Retry") is retry and retry.hasFocus()
    device_monitor_of(window).set_devices([USB])  # the cameras changed: news, as after a load
    offer = "Camera available: Logitech C920 (in the toolbar's list)."
    assert window.source_banner.text() == (offer if closed else f"No camera named 'Hubble'. {offer}")
    assert bench.specs == []


def test_a_network_camera_address_refused_before_the_model_loads_and_closed_stays_closed_by_its_load(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: as for a camera name not found (the test above), for an address typed after
    # --camera that cannot be a network camera's.
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window, loaded = _window_loading_the_model(make_window, [BUILT_IN], bench, camera="http://a b/video")
    said = "Not a network camera address: 'http://a b/video' has spaces; a URL has none."
    try:
        window.toggle_start_stop()  # Start
        assert window.source_banner.text() == said
        banner_button(window, "✕").click()
        assert window.model_status is None
    finally:
        loaded.set()
    qtbot.waitUntil(lambda: window.model_status is not None, timeout=WAIT_MS)
    assert window.source_banner.text() == "" and window.view.placeholder == said
    assert bench.specs == []


def test_a_camera_chosen_refused_before_the_model_loads_names_the_cameras_plugged_in_meanwhile(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: the refusal of Start (another camera at the index of the one picked) kept naming
    # the camera at that index, and "Pick another camera", while cameras came and went.
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window, loaded = _window_loading_the_model(make_window, [C920_FIRST, BUILT_IN, C920_SECOND], bench)
    monitor = device_monitor_of(window)
    elgato = CameraDevice("Elgato Facecam", 6, "/dev/video6")
    try:
        window.picker.activated.emit(2)  # the second Logitech C920 picked
        monitor.set_devices([BUILT_IN, elgato])  # both unplugged, another at its index
        window.toggle_start_stop()  # Start: refused
        said = "Logitech C920 is not connected: index 6 is Elgato Facecam now. Pick another camera in the toolbar."
        assert window.source_banner.text() == said and window.view.placeholder == said
        monitor.set_devices([elgato])  # one camera left: none other to pick
        said = "Logitech C920 is not connected: index 6 is Elgato Facecam now."
        assert window.source_banner.text() == said and window.view.placeholder == said
        monitor.set_devices([elgato, CameraDevice("Microsoft LifeCam", 8)])
        assert window.source_banner.text() == f"{said} Pick another camera in the toolbar."
        monitor.set_devices([CameraDevice("Microsoft LifeCam", 6)])  # another at its index now
        said = "Logitech C920 is not connected: index 6 is Microsoft LifeCam now."
        assert window.source_banner.text() == said and window.view.placeholder == said
        # Plugged back in at another index: untrue, it goes; the model's load starts it there.
        monitor.set_devices([CameraDevice("Microsoft LifeCam", 6), CameraDevice("Logitech C920", 7)])
        assert window.source_banner.text() == "" and window.view.placeholder == "Loading the emotion model…"
        assert window.model_status is None and bench.specs == []
    finally:
        loaded.set()
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    assert bench.specs == [CameraSpec(7, "Logitech C920")]


@pytest.mark.parametrize("asked", ["camera-picked", "file-opened"])
def test_another_source_asked_for_while_the_model_loads_takes_away_the_error_of_start(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, asked: str
) -> None:
    # Was: "No camera named 'Hubble'. Cameras: Integrated Webcam." stayed in the message
    # area and the view over the camera picked (or the file opened) meanwhile, which the
    # window was to start once the model had loaded, and kept naming cameras gone since.
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window, loaded = _window_loading_the_model(make_window, [BUILT_IN, USB], bench, camera="Hubble")
    try:
        window.toggle_start_stop()  # Start
        assert window.source_banner.text() == "No camera named 'Hubble'. Cameras: Integrated Webcam, Logitech C920."
        if asked == "camera-picked":
            window.picker.activated.emit(1)  # Logitech C920
        else:
            window.open_video(gui_video.path)
        assert window.source_banner.text() == "" and window.view.placeholder == "Loading the emotion model…"
        device_monitor_of(window).set_devices([USB])  # nothing said of a name no longer asked for
        assert window.source_banner.text() == "" and window.view.placeholder == "Loading the emotion model…"
        assert window.model_status is None and bench.specs == []
    finally:
        loaded.set()
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    assert len(bench.specs) == 1  # once, the source asked for last
    opened = bench.specs[0]
    if asked == "camera-picked":
        assert opened == CameraSpec(2, "Logitech C920")
    else:
        assert isinstance(opened, VideoFileSpec) and opened.path == gui_video.path


def test_the_status_line_naming_cameras_plugged_in_while_the_model_loads_goes_once_none_is_listed(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: "Camera available: Integrated Webcam (in the toolbar's list)." stayed in the
    # status line for its seconds after every camera was unplugged.
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window, loaded = _window_loading_the_model(make_window, [], bench)
    monitor = device_monitor_of(window)
    try:
        monitor.set_devices([BUILT_IN])
        assert window.status.currentMessage() == "Camera available: Integrated Webcam (in the toolbar's list)."
        monitor.set_devices([])
        assert window.status.currentMessage() == ""
        assert window.model_status is None
    finally:
        loaded.set()
    qtbot.waitUntil(lambda: window.model_status is not None, timeout=WAIT_MS)


def test_the_status_line_names_the_cameras_listed_in_the_offers_words(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: the status line said "Cameras available: Integrated Webcam" of one camera, where
    # the offer of that same list says "Camera available: Integrated Webcam".
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window, loaded = _window_loading_the_model(make_window, [], bench)
    try:
        device_monitor_of(window).set_devices([BUILT_IN])
        told = window.status.currentMessage()
        assert window.model_status is None
    finally:
        loaded.set()
    qtbot.waitUntil(lambda: window.model_status is not None, timeout=WAIT_MS)
    window.stop()
    qtbot.waitUntil(lambda: not window.source_state.active, timeout=WAIT_MS)
    device_monitor_of(window).set_devices([USB])
    device_monitor_of(window).set_devices([BUILT_IN])  # the same list again, offered now
    assert told == window.source_banner.text() == "Camera available: Integrated Webcam (in the toolbar's list)."


def test_the_same_cameras_read_again_are_not_told_over_a_newer_message_in_the_status_line(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: while the model loads (or a source opens), the list read again unchanged (F5, any
    # node come or gone in /dev) put the cameras back in the status line, over what it had
    # said since, for 8 s more.
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window, loaded = _window_loading_the_model(make_window, [], bench)
    monitor = device_monitor_of(window)
    told = "Camera available: Integrated Webcam (in the toolbar's list)."
    try:
        monitor.set_devices([BUILT_IN])
        assert window.status.currentMessage() == told
        window.status.showMessage("Saving into /tmp/out", 4000)  # news told since
        monitor.set_devices([BUILT_IN])  # the same list read again
        assert window.status.currentMessage() == "Saving into /tmp/out"
        # Every camera unplugged, then one plugged back in: news again.
        monitor.set_devices([])
        monitor.set_devices([BUILT_IN])
        assert window.status.currentMessage() == told
        assert window.model_status is None
    finally:
        loaded.set()
    qtbot.waitUntil(lambda: window.model_status is not None, timeout=WAIT_MS)


def test_the_status_line_naming_cameras_goes_once_none_is_listed_where_it_was_shortened_to_fit(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: the status line shortens a long message in the middle to the room it has, and
    # the shortened "Cameras available: Integrated Webcam, Logit…" stayed once none was listed.
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window, loaded = _window_loading_the_model(make_window, [], bench)
    monitor = device_monitor_of(window)
    many = [CameraDevice(f"Studio Camera Number {n} With A Long Name", n) for n in range(6)]
    try:
        monitor.set_devices(many)
        shown = window.status.currentMessage()
        assert shown.startswith("Cameras available: Studio Camera Number 0") and "…" in shown
        monitor.set_devices([])
        assert window.status.currentMessage() == ""
        assert window.model_status is None
    finally:
        loaded.set()
    qtbot.waitUntil(lambda: window.model_status is not None, timeout=WAIT_MS)


class _HeldOpens:
    """A source factory whose opens wait (on the capture thread) while :attr:`held` is clear,
    then open the source as the app does: the window says its source is opening meanwhile."""

    def __init__(self) -> None:
        self.held = threading.Event()
        self.held.set()

    def __call__(self, spec: SourceSpec) -> FrameSource:
        self.held.wait(WAIT_MS / 1000)
        return open_frame_source(spec)


_BOTH_TOLD = "Cameras available: Integrated Webcam, Logitech C920 (in the toolbar's list)."
_ONE_TOLD = "Camera available: Integrated Webcam (in the toolbar's list)."


def test_the_status_line_naming_cameras_follows_the_list_once_a_file_looked_at_again_runs(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: cameras plugged in while a stopped file opened again to be looked at anew (Mirror
    # view) were named in the status line; once it ran, one unplugged was named still there
    # for the rest of its 8 s (only every camera gone cleared it).
    opens = _HeldOpens()
    window = make_window(source_factory=opens)
    window.open_video(gui_video.path)
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)  # a frame to look at again
    window.stop()
    qtbot.waitUntil(lambda: not window.source_state.active, timeout=WAIT_MS)
    monitor = device_monitor_of(window)
    try:
        opens.held.clear()
        window.mirror_action.trigger()  # the frame on screen looked at anew: the file opens again
        assert window.source_state.starting and window.source_state.looked_at_again
        monitor.set_devices([BUILT_IN, USB])
        assert window.status.shows(_BOTH_TOLD)
    finally:
        opens.held.set()
    qtbot.waitUntil(lambda: window.source_state.running, timeout=WAIT_MS)
    assert window.status.shows(_BOTH_TOLD)  # opened only to be looked at: nothing told over it
    monitor.set_devices([BUILT_IN])  # one unplugged
    assert window.status.shows(_ONE_TOLD)  # whole or shortened to the room it has
    monitor.set_devices([])
    assert window.status.currentMessage() == ""


def test_the_status_line_naming_cameras_follows_the_list_once_the_file_opening_is_stopped(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: with the file stopped while it opened, the cameras plugged in meanwhile stayed
    # named in the status line, the one unplugged since too (news is not told over a file).
    opens = _HeldOpens()
    window = make_window(source_factory=opens)
    monitor = device_monitor_of(window)
    try:
        opens.held.clear()
        window.open_video(gui_video.path)
        monitor.set_devices([BUILT_IN, USB])
        assert window.status.shows(_BOTH_TOLD)
        window.stop()
        assert not window.source_state.active and window.status.shows(_BOTH_TOLD)
        monitor.set_devices([BUILT_IN])  # one unplugged
        assert window.status.shows(_ONE_TOLD)  # whole or shortened to the room it has
    finally:
        opens.held.set()


def test_the_status_line_names_two_cameras_of_one_name_apart_by_their_index(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: "Cameras available: Logitech C920, Integrated Webcam, Logitech C920 (…)": which
    # was which, only the toolbar's tooltips told.
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window, loaded = _window_loading_the_model(make_window, [], bench)
    monitor = device_monitor_of(window)
    try:
        monitor.set_devices([C920_FIRST, BUILT_IN, C920_SECOND])
        assert window.status.shows(
            "Cameras available: Logitech C920 at index 1, Integrated Webcam, Logitech C920 at index 6 "
            "(in the toolbar's list)."
        )
        monitor.set_devices([BUILT_IN, C920_SECOND])  # one of them alone now: its name says which
        assert window.status.shows("Cameras available: Integrated Webcam, Logitech C920 (in the toolbar's list).")
        assert window.model_status is None
    finally:
        loaded.set()
    qtbot.waitUntil(lambda: window.model_status is not None, timeout=WAIT_MS)


def test_a_camera_name_not_found_names_two_cameras_of_one_name_apart_by_their_index(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    # Was: "No camera named 'Hubble'. Cameras: Logitech C920, Logitech C920."
    window = make_window(camera="Hubble", devices=[C920_FIRST, C920_SECOND])
    assert window.source_banner.text() == (
        "No camera named 'Hubble'. Cameras: Logitech C920 at index 1, Logitech C920 at index 6."
    )


def test_the_notice_of_which_camera_was_taken_says_it_starts_once_the_model_has_loaded(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, settings_path: Path
) -> None:
    # Was: Start before the model had loaded said "started the one at index 1" while the
    # view said the model was loading and nothing had been opened.
    AppSettings.at_path(settings_path).remember_camera("Logitech C920", 4)
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window, loaded = _window_loading_the_model(make_window, [C920_FIRST, BUILT_IN, C920_SECOND], bench)
    try:
        window.toggle_start_stop()  # Start
        assert window.model_status is None and bench.specs == []
        waiting = (
            "2 cameras are named Logitech C920, none at index 4 any more: the one at index 1, the first listed, "
            "starts once the emotion model has loaded (the toolbar's list has the other at 6)."
        )
        assert window.notice_banner.text() == waiting
        window.window_actions.refresh_cameras_action.trigger()  # F5: kept as it is
        assert window.notice_banner.text() == waiting
    finally:
        loaded.set()
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    assert bench.specs == [CameraSpec(1, "Logitech C920")]
    assert window.notice_banner.text() == (
        "2 cameras are named Logitech C920, none at index 4 any more: started the one at index 1, the first listed "
        "(the toolbar's list has the other at 6)."
    )


@pytest.mark.parametrize("loads", [True, False])
def test_the_notice_of_a_camera_taken_before_the_model_loaded_says_it_started_once_the_model_is_there(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, settings_path: Path, loads: bool
) -> None:
    # Was: the model there (or failed: the camera starts without it), the camera opening
    # slowly was stopped: "starts once the emotion model has loaded" stayed, F5 and all.
    AppSettings.at_path(settings_path).remember_camera("Logitech C920", 4)
    bench = CameraBench(gui_video.path, good_frames=10_000)
    slow = threading.Event()

    def slow_camera(spec: SourceSpec) -> FrameSource:
        slow.wait(WAIT_MS / 1000)  # a camera slow to open: Stop comes first
        return bench(spec)

    loaded = threading.Event()

    def held_load(path: Path | None) -> PipelineBundle:
        loaded.wait(WAIT_MS / 1000)
        if not loads:
            raise OSError("the model's disk is gone")
        return load_eager_pipeline(path)

    window = make_window(
        devices=[C920_FIRST, BUILT_IN, C920_SECOND],
        source_factory=slow_camera,
        wait_for_model=False,
        pipeline_loader=held_load,
    )
    try:
        window.toggle_start_stop()  # Start
        assert "starts once the emotion model has loaded" in window.notice_banner.text()
    finally:
        loaded.set()
    try:
        qtbot.waitUntil(lambda: window.model_status is not None, timeout=WAIT_MS)
        assert window.model_status is not None and window.model_status.ok is loads
        started = (
            "2 cameras are named Logitech C920, none at index 4 any more: started the one at index 1, the first "
            "listed (the toolbar's list has the other at 6)."
        )
        assert window.notice_banner.text() == started  # asked for now, as Start says it then
        window.stop()
    finally:
        slow.set()
    qtbot.waitUntil(lambda: len(bench.specs) == 1, timeout=WAIT_MS)  # the open stopped came through
    window.window_actions.refresh_cameras_action.trigger()  # F5: kept true
    assert window.notice_banner.text() == started and not window.is_running


def test_cameras_plugged_in_while_the_model_loads_are_not_offered_and_the_one_picked_starts_once(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: plugged in while the model loaded, the cameras were offered in the banner, whose
    # Start did nothing to be seen (the offer stayed up) until the model had loaded, when
    # the window would have started a camera by itself anyway.
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window, loaded = _window_loading_the_model(make_window, [], bench)
    try:
        device_monitor_of(window).set_devices([BUILT_IN, USB])
        assert window.model_status is None
        assert window.source_banner.text() == ""
        assert window.status.currentMessage() == (
            "Cameras available: Integrated Webcam, Logitech C920 (in the toolbar's list)."
        )
        assert window.view.placeholder == "Loading the emotion model…"
        window.picker.activated.emit(1)  # Logitech C920 picked in the toolbar meanwhile
        assert bench.specs == []
    finally:
        loaded.set()
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    assert bench.specs == [CameraSpec(2, "Logitech C920")]  # once, the one picked
    assert window.source_banner.text() == ""


def test_a_camera_picked_while_the_model_loads_and_unplugged_meanwhile_is_not_opened_by_its_index(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: the second of two alike picked while the model loaded, then unplugged and another
    # camera plugged in at its index: once the model had loaded, the window opened that
    # other camera under the name of the one picked, where Start and Retry refuse it.
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window, loaded = _window_loading_the_model(make_window, [C920_FIRST, BUILT_IN, C920_SECOND], bench)
    elgato = CameraDevice("Elgato Facecam", 6, "/dev/video6")
    try:
        window.picker.activated.emit(2)  # the second Logitech C920 picked
        device_monitor_of(window).set_devices([C920_FIRST, BUILT_IN, elgato])
        assert window.model_status is None and bench.specs == []
    finally:
        loaded.set()
    qtbot.waitUntil(lambda: window.model_status is not None, timeout=WAIT_MS)
    refusal = "Logitech C920 is not connected: index 6 is Elgato Facecam now."
    assert window.source_banner.text() == f"{refusal} Pick another camera in the toolbar."
    assert window.source_banner.level == "error" and not window.source_state.active
    # Plugged back in at another index, it is followed by its name, as Start follows it.
    device_monitor_of(window).set_devices([C920_FIRST, BUILT_IN, elgato, CameraDevice("Logitech C920", 7)])
    window.retry()
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    assert bench.specs == [CameraSpec(7, "Logitech C920")]


def test_the_notice_of_which_same_named_camera_started_is_kept_true_by_f5(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: the notice naming which of several cameras of one name was started stayed as it
    # was after F5 listed the cameras anew: the others it named unplugged, or a camera of
    # that name back at the index it said none was at.
    window, bench = _usb_camera_chosen_and_stopped(qtbot, make_window, gui_video)
    c920 = [CameraDevice("Logitech C920", index, f"/dev/video{index}") for index in (1, 6, 8)]
    monitor = device_monitor_of(window)
    monitor.set_devices([c920[0], BUILT_IN, c920[1], c920[2]])
    window.toggle_start_stop()  # Start: none at index 2, the first of the three
    qtbot.waitUntil(lambda: window.is_running and len(bench.specs) == 3, timeout=WAIT_MS)
    assert bench.last_camera().index == 1
    assert window.notice_banner.text() == (
        "3 cameras are named Logitech C920, none at index 2 any more: started the one at index 1, "
        "the first listed (the toolbar's list has the others at 6, 8)."
    )

    def f5(devices: list[CameraDevice]) -> None:
        """The list changed unseen (a system that tells no plug events), read again by F5."""
        monitor.blockSignals(True)
        monitor.set_devices(devices)
        monitor.blockSignals(False)
        window.window_actions.refresh_cameras_action.trigger()

    f5([c920[0], BUILT_IN, c920[1]])  # the one at 8 unplugged
    assert window.notice_banner.text() == (
        "2 cameras are named Logitech C920, none at index 2 any more: started the one at index 1, "
        "the first listed (the toolbar's list has the other at 6)."
    )
    f5([c920[0], BUILT_IN])  # the other unplugged too: one of that name, nothing to tell
    assert window.notice_banner.text() == ""
    # Again (two of that name, at indices not seen before), and a camera of that name comes
    # back at the index the notice says none is at.
    window.stop()
    qtbot.waitUntil(lambda: not window.is_running, timeout=WAIT_MS)
    renumbered = [CameraDevice("Logitech C920", index, f"/dev/video{index}") for index in (5, 9)]
    monitor.set_devices([BUILT_IN, *renumbered])
    window.toggle_start_stop()
    qtbot.waitUntil(lambda: window.is_running and len(bench.specs) == 4, timeout=WAIT_MS)
    assert bench.last_camera().index == 5 and "none at index 1 any more" in window.notice_banner.text()
    # Was: one of that name plugged in and listed before it, the notice still called the one
    # started the first listed. That held when it started, and the notice says so.
    before = CameraDevice("Logitech C920", 3, "/dev/video3")
    f5([BUILT_IN, before, *renumbered])
    assert window.notice_banner.text() == (
        "3 cameras are named Logitech C920, none at index 1 any more: started the one at index 5, "
        "the first listed, when it started (the toolbar's list has the others at 3, 9)."
    )
    f5([BUILT_IN, *renumbered])  # gone again: the first listed once more, as when it started
    assert window.notice_banner.text() == (
        "2 cameras are named Logitech C920, none at index 1 any more: started the one at index 5, "
        "the first listed (the toolbar's list has the other at 9)."
    )
    f5([c920[0], BUILT_IN, *renumbered])
    assert window.notice_banner.text() == ""


def test_the_second_of_two_cameras_of_one_name_is_opened_again_at_the_next_launch(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: the launch took the first camera of the name remembered, not the one at the
    # index remembered beside it, while the picker, Start and Retry tell the two apart.
    first, second = CameraDevice("Logitech C920", 1, "/dev/video1"), CameraDevice("Logitech C920", 6, "/dev/video6")
    window, _ = _camera_chosen_and_running(qtbot, make_window, gui_video, [first, BUILT_IN, second], second)
    window.close()
    again = CameraBench(gui_video.path, good_frames=10_000)
    relaunched = make_window(devices=[first, BUILT_IN, second], source_factory=again)
    qtbot.waitUntil(lambda: relaunched.is_running, timeout=WAIT_MS)
    assert again.specs == [CameraSpec(6, "Logitech C920")]
    assert relaunched.picker.current_device() == second


def test_a_launch_that_takes_the_first_of_several_cameras_of_the_name_chosen_says_so(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, settings_path: Path
) -> None:
    # Was: the second of two Logitech C920 chosen (index 6), both numbered anew by the next
    # launch (1 and 8, as after a reboot): the launch opened the first listed without a word,
    # where Start and Retry, taking it by the same rule, say which they took.
    AppSettings.at_path(settings_path).remember_camera("Logitech C920", 6)
    bench = CameraBench(gui_video.path, good_frames=10_000)
    devices = [CameraDevice("Logitech C920", 1, "/dev/video1"), BUILT_IN, CameraDevice("Logitech C920", 8)]
    window = make_window(devices=devices, source_factory=bench)
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    assert bench.specs == [CameraSpec(1, "Logitech C920")]
    assert window.notice_banner.text() == (
        "2 cameras are named Logitech C920, none at index 6 any more: started the one at index 1, "
        "the first listed (the toolbar's list has the other at 8)."
    )
    device_monitor_of(window).set_devices(devices[:2])  # the other unplugged: nothing to tell
    assert window.notice_banner.text() == ""


@pytest.mark.parametrize("remembered", ["integrated webcam", "Webcam"], ids=["another-case", "part"])
def test_the_camera_chosen_last_is_found_at_launch_by_its_exact_name_as_retry_finds_it(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, settings_path: Path, remembered: str
) -> None:
    # Was: the launch took for the camera chosen last one whose name matched its name in
    # another case or in part (a name typed after --camera may), while Start and Retry take
    # only its exact name: a remembered name is one the list gave, so such a camera is
    # another one. Not listed, it gives way to the first listed, as before.
    AppSettings.at_path(settings_path).remember_camera(remembered, 5)
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window = make_window(devices=[USB, BUILT_IN], source_factory=bench)
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    assert bench.specs == [CameraSpec(2, "Logitech C920")]
    assert window.picker.current_device() == USB


def test_a_camera_plugged_in_after_one_opened_by_its_index_failed_is_the_one_offered(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # The picker shows the camera that failed (Retry tries it again), but the banner's
    # "Start …" for the cameras listed anew starts one of those, not it again, and says which.
    bench = CameraBench(gui_video.path, good_frames=10_000)

    def factory(spec: SourceSpec) -> FrameSource:
        from emotion_app.sources.opening import open_frame_source

        # Index 97 goes through the real OpenCV path: nothing is there on this machine.
        return open_frame_source(spec) if getattr(spec, "index", None) == 97 else bench(spec)

    window = make_window(camera="97", devices=[], source_factory=factory)
    qtbot.waitUntil(lambda: "Camera 97" in window.source_banner.text(), timeout=WAIT_MS)
    assert not window.source_state.active and _picker(window) == (["Camera 97"], "Camera 97")
    device_monitor_of(window).set_devices([CameraDevice("New Cam", 1)])
    assert _picker(window) == (["New Cam", "Camera 97"], "Camera 97")
    banner_button(window, "Start New Cam").click()
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    assert bench.last_camera().index == 1 and _picker(window) == (["New Cam"], "New Cam")


def test_the_banner_for_cameras_listed_after_a_network_camera_failed_names_the_one_it_starts(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # A network camera not listed yet selects nothing in the picker; the banner's "Start
    # camera" for the cameras listed then started the first of them, named nowhere as the one.
    bench = CameraBench(gui_video.path, good_frames=10_000)
    network_camera = MjpegCamera(gui_video.path)
    network_camera.unplug()  # its open fails: nothing at /video

    def factory(spec: SourceSpec) -> FrameSource:
        return open_frame_source(spec) if isinstance(spec, CameraSpec) and spec.url else bench(spec)

    try:
        window = make_window(camera=network_camera.url, devices=[BUILT_IN], source_factory=factory)
        qtbot.waitUntil(lambda: "HTTP 404" in window.source_banner.text(), timeout=WAIT_MS)
        assert not window.source_state.active and _picker(window) == (["Integrated Webcam"], "")
        error = window.source_banner.text()
        device_monitor_of(window).set_devices([USB, BUILT_IN])  # plugged in: offered after why it failed
        assert window.source_banner.text() == (
            f"{error}. Cameras available: Logitech C920, Integrated Webcam (in the toolbar's list)."
        )
        assert window.source_banner.button_captions()[:1] == ["Start Logitech C920"]
        assert _picker(window) == (["Logitech C920", "Integrated Webcam"], "")  # still nothing chosen
        banner_button(window, "Start Logitech C920").click()
        qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
        assert bench.last_camera().index == USB.index and _picker(window)[1] == "Logitech C920"
        assert not bench.last_camera().url
    finally:
        network_camera.close()


def _camera_running_beside_a_screen_that_fails(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, camera: str
) -> MainWindow:
    """A real window playing ``camera`` (an OpenCV index: "3" unlisted, "0" listed), with
    Screen 1 listed in the picker; opening the screen fails, as where none can be captured."""
    bench = CameraBench(gui_video.path, good_frames=10_000)

    def factory(spec: SourceSpec) -> FrameSource:
        if isinstance(spec, ScreenSpec):
            raise SourceOpenError(f"Could not capture {spec.describe()}: no screen here")
        return bench(spec)

    window = make_window(camera=camera, devices=[BUILT_IN, USB], source_factory=factory)
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    window.picker.set_screens([Screen(1, 0, 0, 800, 600)])
    return window


@pytest.mark.parametrize("camera", ["3", "0"], ids=["unlisted", "listed"])
def test_a_screen_picked_after_a_camera_stays_shown_when_the_list_is_read_again(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, camera: str
) -> None:
    # Was: with a camera run before, the picker's next refresh (F5, any device plugged in)
    # selected that camera again over the screen picked after it, which had not opened:
    # Start and Retry open the screen, the picker showed the camera.
    window = _camera_running_beside_a_screen_that_fails(qtbot, make_window, gui_video, camera)
    screen = window.picker.count() - 1
    window.picker.setCurrentIndex(screen)  # as a click on it does, before it is activated
    window.picker.activated.emit(screen)
    qtbot.waitUntil(lambda: not window.source_state.active and window.source_banner.text() != "", timeout=WAIT_MS)
    assert "Could not capture screen 1" in window.source_banner.text()
    window.picker.refresh()  # F5
    assert _picker(window) == (["Integrated Webcam", "Logitech C920", "Screen 1 — 800x600"], "Screen 1 — 800x600")
    assert window.picker.current_screen() == Screen(1, 0, 0, 800, 600)


@pytest.mark.parametrize("camera", ["3", "0"], ids=["unlisted", "listed"])
def test_a_screen_opened_from_the_menu_after_a_camera_is_shown_in_the_picker(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, camera: str
) -> None:
    # Was: File > Capture screen after a camera left the picker on that camera (or, for one
    # listed apart, on nothing, then the first camera at the next refresh) while the screen
    # opened, and for good where it failed to: Start and Retry open the screen.
    window = _camera_running_beside_a_screen_that_fails(qtbot, make_window, gui_video, camera)
    window.open_screen(1)  # as File > Capture screen > Screen 1 does
    listed = ["Integrated Webcam", "Logitech C920", "Screen 1 — 800x600"]
    assert _picker(window) == (listed, "Screen 1 — 800x600")  # while it opens
    qtbot.waitUntil(lambda: not window.source_state.active and window.source_banner.text() != "", timeout=WAIT_MS)
    window.picker.refresh()  # F5
    assert _picker(window) == (listed, "Screen 1 — 800x600")
    assert window.picker.current_screen() == Screen(1, 0, 0, 800, 600)


@pytest.mark.parametrize("camera", ["3", "0"], ids=["unlisted", "listed"])
def test_a_file_or_an_unlisted_stream_after_a_camera_leaves_the_picker_on_nothing(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, camera: str
) -> None:
    # Was: with a file open, F5 (or any device plugged in) selected the first camera, though
    # Start (after Stop) and Retry open the file; a network camera whose first open failed
    # (not listed: only one that opened is) left the picker on the camera before.
    bench = CameraBench(gui_video.path, good_frames=10_000)

    def factory(spec: SourceSpec) -> FrameSource:
        if isinstance(spec, CameraSpec) and spec.url:  # as where nothing answers at the address
            raise SourceOpenError(f"Could not open {spec.describe()}: no answer")
        return bench(spec)

    window = make_window(camera=camera, devices=[BUILT_IN, USB], source_factory=factory)
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    listed = ["Integrated Webcam", "Logitech C920"]
    window.open_video(gui_video.path)
    qtbot.waitUntil(lambda: window.is_running and window.is_file, timeout=WAIT_MS)
    assert _picker(window) == (listed, "")
    window.refresh_sources()  # F5
    assert _picker(window) == (listed, "")
    window.stop()
    qtbot.waitUntil(lambda: not window.is_running, timeout=WAIT_MS)
    device_monitor_of(window).set_devices([USB, BUILT_IN])  # a camera plugged in: the list read again
    assert window.picker.currentIndex() == -1
    window.toggle_start_stop()  # Start opens the file, not a camera
    qtbot.waitUntil(lambda: window.is_running and len(bench.specs) == 3, timeout=WAIT_MS)
    assert isinstance(bench.specs[-1], VideoFileSpec) and window.picker.currentIndex() == -1
    window.choose_camera(BUILT_IN)
    qtbot.waitUntil(lambda: window.is_running and len(bench.specs) == 4, timeout=WAIT_MS)
    assert _picker(window) == (["Logitech C920", "Integrated Webcam"], "Integrated Webcam")
    window.open_network_camera("http://192.0.2.7:8080/video")
    qtbot.waitUntil(lambda: "no answer" in window.source_banner.text(), timeout=WAIT_MS)
    assert window.picker.currentIndex() == -1 and window.picker.network_cameras() == []
    window.refresh_sources()  # F5
    assert window.picker.currentIndex() == -1


@pytest.mark.parametrize("camera", ["3", "0"], ids=["unlisted", "listed"])
def test_a_screen_the_list_does_not_hold_is_listed_apart_and_stays_shown(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, camera: str
) -> None:
    # Was: a screen opened that the picker does not list (`--screen 3` beside two, one
    # unplugged) left it on the camera before, or on nothing, then the first camera at F5:
    # Start and Retry open the screen. Now it is listed apart, as a camera opened by an
    # index the list does not hold is.
    window = _camera_running_beside_a_screen_that_fails(qtbot, make_window, gui_video, camera)
    window.open_screen(3)
    listed = ["Integrated Webcam", "Logitech C920", "Screen 1 — 800x600", "Screen 3"]
    assert _picker(window) == (listed, "Screen 3")
    qtbot.waitUntil(lambda: "Could not capture screen 3" in window.source_banner.text(), timeout=WAIT_MS)
    assert "not in the list" in window.picker.itemData(3, 3)
    window.picker.refresh()  # F5
    assert _picker(window) == (listed, "Screen 3") and window.picker.current_device() is None
    # The list read again and holding it (plugged in): that one is shown, listed once.
    window.picker.set_screens([Screen(1, 0, 0, 800, 600), Screen(3, 800, 0, 1024, 768)])
    assert _picker(window) == ([*listed[:3], "Screen 3 — 1024x768"], "Screen 3 — 1024x768")


def test_a_screen_not_listed_opened_at_start_is_shown_not_the_first_camera(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    def factory(spec: SourceSpec) -> FrameSource:
        raise SourceOpenError(f"Could not capture {spec.describe()}: no screen here")

    window = make_window(screen=3, devices=[BUILT_IN], source_factory=factory)  # `--screen 3`
    qtbot.waitUntil(lambda: "Could not capture screen 3" in window.source_banner.text(), timeout=WAIT_MS)
    assert _picker(window) == (["Integrated Webcam", "Screen 3"], "Screen 3")
    window.picker.refresh()  # F5
    assert _picker(window) == (["Integrated Webcam", "Screen 3"], "Screen 3")


def test_the_picker_names_the_part_of_a_screen_watched(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: while File > Capture screen > Part of screen 1… was watched (the title "Part of
    # screen 1 (400x300)"), the picker named the whole screen, which was not being watched.
    specs: list[object] = []

    def factory(spec: SourceSpec) -> FrameSource:
        specs.append(spec)  # a screen's part grabbed, as a camera stand-in plays a real clip
        return UnpluggedCamera(gui_video.path, 10_000)

    window = make_window(camera="0", devices=[BUILT_IN], source_factory=factory)
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    window.picker.set_screens([Screen(1, 0, 0, 800, 600)])
    window.open_screen(1, (100, 50, 400, 300))  # as the part dragged out over screen 1 does
    part = "Part of screen 1 (400x300)"
    listed = ["Integrated Webcam", "Screen 1 — 800x600", part]
    assert _picker(window) == (listed, part)  # while it opens
    qtbot.waitUntil(lambda: window.is_running and specs[-1] == ScreenSpec(1, (100, 50, 400, 300)), timeout=WAIT_MS)
    assert window.windowTitle().endswith(part) and _picker(window) == (listed, part)
    assert "part" in window.picker.itemData(2, 3)  # its tooltip says what it is
    window.picker.refresh()  # F5, or a camera plugged in
    assert _picker(window) == (listed, part)
    window.stop()  # stopped, it is what Start opens again
    qtbot.waitUntil(lambda: not window.is_running, timeout=WAIT_MS)
    assert _picker(window) == (listed, part)
    window.picker.activated.emit(2)  # picked again: the part opens, not the whole screen
    qtbot.waitUntil(lambda: window.is_running and len(specs) == 3, timeout=WAIT_MS)
    assert specs[-1] == ScreenSpec(1, (100, 50, 400, 300)) and _picker(window) == (listed, part)
    window.picker.activated.emit(1)  # the whole screen picked: the part is listed no more
    qtbot.waitUntil(lambda: window.is_running and specs[-1] == ScreenSpec(1), timeout=WAIT_MS)
    assert _picker(window) == (listed[:2], "Screen 1 — 800x600")


def test_file_camera_open_keeps_the_item_the_keyboard_is_on_when_the_list_is_read_again(qtbot: QtBot) -> None:
    # The picker reads the cameras again whenever /dev changes (any device plugged in) and
    # on F5: the menu made its items anew each time, so under an open menu the item the
    # keyboard was on was gone, and Down started again from the top.
    monitor = StaticDeviceMonitor([BUILT_IN, USB])
    picker = CameraPicker(monitor)
    qtbot.addWidget(picker)
    menu = CameraMenu(picker)
    qtbot.addWidget(menu)
    menu.popup(QPoint(0, 0))
    qtbot.waitExposed(menu)
    second = menu.camera_actions()[1]
    menu.setActiveAction(second)
    monitor.set_devices([BUILT_IN, USB])  # the same cameras
    assert menu.activeAction() is second and menu.isVisible()
    monitor.set_devices([USB])  # one unplugged: listed anew
    assert [plain(action.text()) for action in menu.camera_actions()] == ["1 Logitech C920"]


def test_find_camera_prefers_exact_names_then_substrings_then_indices() -> None:
    devices = [BUILT_IN, USB, CameraDevice("Logitech C920 (2)", 3)]
    assert find_camera(devices, "Logitech C920") == USB
    assert find_camera(devices, "logitech c920") == USB
    assert find_camera(devices, "c920 (2)") == devices[2]
    assert find_camera(devices, index=2) == USB
    assert find_camera(devices, "Ghost", 7) is None


def test_the_video4linux_monitor_reads_names_and_skips_metadata_nodes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sysfs = tmp_path / "video4linux"
    for node, name, index in (
        ("video0", "Integrated Webcam", "0"),
        ("video1", "Integrated Webcam", "1"),
        ("video2", "C920", "0"),
    ):
        (sysfs / node).mkdir(parents=True)
        (sysfs / node / "name").write_text(name + "\n")
        (sysfs / node / "index").write_text(index + "\n")
    monkeypatch.setattr(V4l2Monitor, "SYSFS", sysfs)
    monitor = V4l2Monitor()
    assert monitor.devices() == [
        CameraDevice("Integrated Webcam", 0, "/dev/video0"),
        CameraDevice("C920", 2, "/dev/video2"),
    ]


def test_linux_lists_cameras_from_sysfs_without_loading_qt_multimedia(qtbot: QtBot) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("the video4linux monitor is Linux's")
    monitor = create_device_monitor()
    assert isinstance(monitor, V4l2Monitor) and monitor.backend == "video4linux"
    assert all(isinstance(d, CameraDevice) and d.index >= 0 and d.name for d in monitor.devices())


# Run in a child process: Qt Multimedia's backends can block while listing devices (they did on a
# headless CI machine, which is why Linux does not use them), and a stuck child is killed, not CI.
_LIST_WITH_QT_MULTIMEDIA = """
import json, sys
from PyQt6.QtWidgets import QApplication
try:
    from PyQt6.QtMultimedia import QMediaDevices  # noqa: F401
except ImportError as exc:
    print(json.dumps({"skip": str(exc)})); sys.exit(0)
from emotion_app.gui.camera_picker import QtMultimediaMonitor
app = QApplication([])
monitor = QtMultimediaMonitor()
print(json.dumps({"backend": monitor.backend, "devices": [[d.name, d.index] for d in monitor.devices()]}))
"""


def test_the_qt_multimedia_monitor_lists_cameras_where_it_loads() -> None:
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    try:
        finished = subprocess.run(
            [sys.executable, "-c", _LIST_WITH_QT_MULTIMEDIA],
            capture_output=True,
            text=True,
            timeout=60,
            env=environment,
            cwd=Path(__file__).resolve().parents[1],
        )
    except subprocess.TimeoutExpired:
        pytest.skip("Qt Multimedia's backends did not list devices within 60 s here")
    assert finished.returncode == 0, finished.stderr
    report = json.loads(finished.stdout.strip().splitlines()[-1])
    if "skip" in report:
        pytest.skip(f"Qt Multimedia not importable here: {report['skip']}")
    assert report["backend"] == "QtMultimedia"
    assert all(name and index >= 0 for name, index in report["devices"])  # none on a build machine
