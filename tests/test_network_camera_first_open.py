"""A network camera's first open given up: a camera served for real on localhost that
answers with an MJPEG stream (HTTP 200, multipart/x-mixed-replace) and never sends a frame
holds the open for FFmpeg's open timeout, the probe and the app's own reader's wait for a
first frame (about 35 s in all). Stop, another source and closing the window do not wait for it, and the open
given up lets go of the camera on its own thread, counted by wait_for_streams_let_go."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from emotion_app.gui.camera_picker import CameraDevice
from emotion_app.samples import VideoTruth
from emotion_app.sources.frame_source import OpenAbandoned
from emotion_app.sources.network_camera import (
    STREAM_OPEN_TIMEOUT_MS,
    _StreamOpen,
    open_network_camera,
    wait_for_streams_let_go,
)
from emotion_app.sources.specs import CameraSpec
from tests.gui_support import WAIT_MS, WindowFactory, banner_button, device_monitor_of
from tests.mjpeg_server import MjpegCamera

# FFmpeg's open cannot be cut short: an open given up lets go of the camera once it returns.
_LET_GO_S = STREAM_OPEN_TIMEOUT_MS / 1000.0 + 1.0


@pytest.fixture
def silent_camera(gui_video: VideoTruth) -> Iterator[MjpegCamera]:
    camera = MjpegCamera(gui_video.path)
    camera.stall()  # each stream answers, then sends nothing and keeps its connection open
    yield camera
    camera.close()


@pytest.mark.parametrize("action", ["stop", "open a picture", "open a video file", "close"])
def test_an_open_of_a_camera_that_sends_no_frame_is_given_up_at_once(
    qtbot: QtBot,
    make_window: WindowFactory,
    silent_camera: MjpegCamera,
    gui_video: VideoTruth,
    tmp_path: Path,
    action: str,
) -> None:
    window = make_window(camera=silent_camera.url)
    told: list[object] = []
    window.controller.source_opened.connect(
        lambda info: told.append(info) if isinstance(info.spec, CameraSpec) else None
    )
    window.controller.source_fault.connect(
        lambda fault: told.append(fault) if isinstance(fault.spec, CameraSpec) else None
    )
    qtbot.waitUntil(lambda: silent_camera.streams == 1, timeout=WAIT_MS)  # FFmpeg's open waits
    qtbot.wait(500)
    assert window.source_state.starting
    # Each acts within 2 s, where waiting for the open took FFmpeg's 4 s and up to 35 s.
    acted = time.monotonic()
    if action == "stop":
        with qtbot.waitSignal(window.controller.source_stopped, timeout=2000):
            window.stop()
        assert not window.source_state.active and not window.is_running
        assert window.view.placeholder == "Stopped"  # was "Opening network camera …" still
    elif action == "open a picture":
        picture = tmp_path / "still.png"
        assert cv2.imwrite(str(picture), np.full((48, 64, 3), 128, np.uint8))
        window.open_video(picture)
        qtbot.waitUntil(lambda: window.is_running and window.is_file, timeout=2000)
    elif action == "open a video file":
        # OpenCV's FFmpeg opens one stream at a time: the file's open waits for the camera's
        # FFmpeg open given up (its timeout at most), not for the probe and reader after it.
        window.open_video(gui_video.path)
        qtbot.waitUntil(lambda: window.is_running and window.is_file, timeout=WAIT_MS)
        assert time.monotonic() - acted < STREAM_OPEN_TIMEOUT_MS / 1000.0 + 3.0  # not the 35 s
    else:
        window.close()
        assert not window.controller.is_running
    assert action == "open a video file" or time.monotonic() - acted < 2.0
    if action != "open a video file":
        # FFmpeg's open still holds its connection (nobody waited for it), and is counted.
        assert silent_camera.held_streams == 1
        assert not wait_for_streams_let_go(0.0)
    assert wait_for_streams_let_go(_LET_GO_S)
    assert silent_camera.all_closed_within(1.0)
    assert time.monotonic() - acted < _LET_GO_S + 3.0  # not at the open's end, 35 s on
    if action != "close":
        qtbot.wait(200)  # anything queued from the open given up has arrived
        assert told == []  # neither opened nor a fault: the user moved on
        assert action != "stop" or not window.source_state.active
        assert "network camera" not in window.source_banner.text()


def test_an_open_given_up_in_the_apps_own_reader_lets_go_within_a_slice(silent_camera: MjpegCamera) -> None:
    # FFmpeg waits out its open, the probe finds an MJPEG stream, and the app's own reader
    # waits for its first frame: given up there, the wait is cut within a slice, not at
    # the reader's timeout, and every connection it made is closed.
    began = time.monotonic()
    give_up_at = began + STREAM_OPEN_TIMEOUT_MS / 1000.0 + 1.0
    with pytest.raises(OpenAbandoned):
        open_network_camera(CameraSpec(-1, url=silent_camera.url), lambda: time.monotonic() > give_up_at)
    assert time.monotonic() - give_up_at < 1.5  # not at the end of the reader's 30 s wait
    assert silent_camera.streams == 3  # FFmpeg's, the probe's and the reader's
    assert wait_for_streams_let_go(2.0)
    assert silent_camera.all_closed_within(1.0)


def test_a_camera_plugged_in_while_a_network_camera_waits_leaves_its_notice(
    qtbot: QtBot, make_window: WindowFactory, silent_camera: MjpegCamera
) -> None:
    # Was "Cameras available: New Cam." with Start camera in its place: the Stop button and
    # why the open waits were gone while it went on waiting.
    window = make_window(camera=silent_camera.url, devices=[])
    qtbot.waitUntil(lambda: "waiting for its first frame" in window.source_banner.text(), timeout=WAIT_MS)
    waiting = window.source_banner.text()
    device_monitor_of(window).set_devices([CameraDevice("New Cam", 1)])
    assert window.source_banner.text() == waiting and "Stop" in window.source_banner.button_captions()
    assert "New Cam" in window.status.currentMessage()
    assert [device.name for device in window.picker.devices()] == ["New Cam"]
    banner_button(window, "Stop").click()
    assert not window.source_state.active and window.source_banner.text() == ""
    assert wait_for_streams_let_go(_LET_GO_S)
    assert silent_camera.all_closed_within(1.0)


def test_an_open_already_given_up_tells_nothing_of_its_wait(silent_camera: MjpegCamera) -> None:
    opening = _StreamOpen(silent_camera.url)
    deadline = time.monotonic() + STREAM_OPEN_TIMEOUT_MS / 1000.0 + 15.0  # a wait, not a timing check
    while silent_camera.streams < 3 and time.monotonic() < deadline:  # FFmpeg's, the probe's, the reader's
        time.sleep(0.05)
    assert silent_camera.streams == 3
    time.sleep(0.5)  # the reader has its stream's header: the open now waits for a first frame
    told: list[str] = []
    with pytest.raises(OpenAbandoned):
        opening.result(lambda: True, told.append)  # replaced before it was asked
    assert told == []  # was the "waiting for its first frame" notice, once
    assert wait_for_streams_let_go(2.0)
    assert silent_camera.all_closed_within(1.0)
