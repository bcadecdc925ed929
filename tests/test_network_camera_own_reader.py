"""A network camera too slow for FFmpeg's open (an MJPEG stream at a frame every 3 s, as
cheap IP cameras and phone apps send in snapshot or timelapse modes), served for real on
localhost: FFmpeg refuses it (it reads about three frames within its 4 s open timeout),
and the app's own MJPEG reader opens it, in a real window that stops and closes at once."""

from __future__ import annotations

import re
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from emotion_app.gui.main_window import MainWindow
from emotion_app.sources.frame_source import SourceOpenError
from emotion_app.sources.http_mjpeg import HttpMjpegCapture
from emotion_app.sources.network_camera import (
    OWN_READER_FIRST_FRAME_S,
    STREAM_READ_TIMEOUT_MS,
    NetworkStreamSource,
    open_stream_capture,
    wait_for_streams_let_go,
)
from emotion_app.sources.opening import open_frame_source
from emotion_app.sources.specs import CameraSpec
from tests.gui_support import WindowFactory, shown_result
from tests.mjpeg_server import MjpegCamera

_EVERY_S = 3.0
# Each frame of its own grey, so each one read tells which it is.
_FRAMES = [np.full((120, 160, 3), 30 + 40 * i, np.uint8) for i in range(5)]


@pytest.fixture
def timelapse_camera() -> Iterator[MjpegCamera]:
    camera = MjpegCamera(frames=_FRAMES, intervals=(_EVERY_S,))
    yield camera
    camera.close()


def test_ffmpeg_refuses_a_camera_sending_a_frame_every_3_s(timelapse_camera: MjpegCamera) -> None:
    # What the app's own reader is for: measured so, not assumed (see the module's docstring).
    capture = open_stream_capture(timelapse_camera.url)
    try:
        assert not capture.isOpened()
    finally:
        capture.release()


def test_a_slow_camera_whose_parts_are_no_pictures_is_told_so() -> None:
    # Its parts come, every 3 s, and none is a JPEG: not a camera sending no frames.
    camera = MjpegCamera(frames=[b"no JPEG here" * 20], intervals=(_EVERY_S,))
    try:
        with pytest.raises(SourceOpenError) as raised:
            open_frame_source(CameraSpec(0, url=camera.url))
    finally:
        camera.close()
    message = str(raised.value)
    assert message == (
        f"Network camera {camera.url} answered but for {STREAM_READ_TIMEOUT_MS / 1000:g} s "
        "nothing it sent decoded as a picture"
    )
    assert wait_for_streams_let_go()


def test_parts_that_are_no_pictures_are_read_for_3_s_not_more() -> None:
    # Its third part comes 5.8 s after the first: a read begun at 2.9 s waited for it a
    # whole read timeout, nearly twice the 3 s the message says were waited.
    camera = MjpegCamera(frames=[b"no JPEG here" * 20], intervals=(2.9,))
    began = time.monotonic()
    try:
        with pytest.raises(SourceOpenError, match="for 3 s nothing it sent decoded as a picture"):
            open_frame_source(CameraSpec(0, url=camera.url))
    finally:
        camera.close()
    # FFmpeg's 4 s open, its quick probe, then the reader's 3 s: 9.8 s before, a read past
    # the 3 s waiting for the next part. No wider: the overshoot is one part's 2.9 s at most.
    assert time.monotonic() - began < 9.0
    assert wait_for_streams_let_go()


def test_a_camera_sending_a_frame_every_3_s_opens_and_plays(timelapse_camera: MjpegCamera) -> None:
    began = time.monotonic()
    source = open_frame_source(CameraSpec(0, url=timelapse_camera.url))  # was refused
    try:
        assert isinstance(source, NetworkStreamSource) and source._own_reader
        assert time.monotonic() - began < 8.0  # FFmpeg's 4 s, then its first frame at once
        greys = [int(source.read()[0, 0, 0])]  # type: ignore[index]
        until = time.monotonic() + 3.5 * _EVERY_S
        source.give_up_scans_when(lambda: time.monotonic() > until)
        waiting = []
        while time.monotonic() < until:
            frame = source.read()
            if frame is not None:
                assert frame.shape == (120, 160, 3)
                greys.append(int(frame[0, 0, 0]))
            waiting.append(source.news().waiting)
        assert len(greys) >= 3
        sent = [int(frame[0, 0, 0]) for frame in _FRAMES]
        assert all(min(abs(grey - each) for each in sent) <= 3 for grey in greys)  # whole frames, decoded
        assert source.news().reconnecting is None and source.why_ended is None
        assert source.news().reconnected == 0
        # Its reads wait as its pace allows, read by read: no connection opened again for a
        # slow frame (FFmpeg's refused open, the probe's GET and the reader's own).
        assert not any(waiting) and timelapse_camera.streams == 3
        # Released while its read waits for the next frame: the connection is let go of
        # within a slice, not at the read's timeout.
        source.release()
        let_go = time.monotonic()
        assert wait_for_streams_let_go(2.0)
        assert timelapse_camera.all_closed_within(2.0)
        assert time.monotonic() - let_go < 2.0  # not at the read's 3 s timeout, the next frame's due
    finally:
        source.release()


def test_the_window_shows_its_frames_and_stops_and_closes_at_once(
    qtbot: QtBot, make_window: WindowFactory, timelapse_camera: MjpegCamera
) -> None:
    window = make_window(camera=timelapse_camera.url)
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=15_000)
    first = shown_result(window).frame_index
    began = time.monotonic()
    while shown_result(window).frame_index == first:  # the next frame, 3 s on
        qtbot.wait(50)  # the window's event loop runs on meanwhile
        assert time.monotonic() - began < 2 * _EVERY_S
    assert window.is_running and window.source_state.reconnected == 0
    assert "reconnecting" not in window.source_banner.text()

    stopping = time.monotonic()
    window.stop()  # just after a frame: a stop waiting for the read waited for the next, 3 s on
    assert time.monotonic() - stopping < 2.0
    assert not window.is_running
    assert timelapse_camera.all_closed_within(2.0)  # not at the next frame, 3 s on

    window.start_source(CameraSpec(0, url=timelapse_camera.url))
    qtbot.waitUntil(lambda: window.is_running, timeout=15_000)
    qtbot.waitUntil(lambda: timelapse_camera.open_streams == 1, timeout=15_000)
    closing = time.monotonic()
    window.close()
    assert time.monotonic() - closing < 2.0  # not at the read's 3 s timeout
    assert timelapse_camera.all_closed_within(2.0)


def test_the_status_line_tells_a_slow_cameras_pace_not_0_fps(
    qtbot: QtBot, make_window: WindowFactory, timelapse_camera: MjpegCamera
) -> None:
    # Its 2 s display window held one frame at most: "Live · no faces · 0 fps", as if stalled.
    window = make_window(camera=timelapse_camera.url)
    shown: list[float] = []
    window.view.frame_presented.connect(lambda _result, at: shown.append(at))
    summary = window.status.summary_label
    qtbot.waitUntil(lambda: len(shown) >= 1, timeout=15_000)
    # One frame alone tells no pace, and nothing says it stalled.
    qtbot.waitUntil(lambda: time.perf_counter() - shown[0] > 2.2, timeout=5_000)
    assert len(shown) == 1 and window.status_summary(time.perf_counter()) == "Live · no faces"
    qtbot.waitUntil(lambda: len(shown) >= 3, timeout=int(3_000 * _EVERY_S))
    qtbot.waitUntil(lambda: time.perf_counter() - shown[-1] > 2.2, timeout=5_000)
    assert re.fullmatch(r"Live · no faces · 1 frame every (2\.9|3|3\.\d) s", summary.text()), summary.text()
    assert window.source_state.reconnected == 0


# A camera sending a frame only when its interval comes round, the first one too.
_SLOW_S = 6.0
_WAITING = "it answered with an MJPEG stream; waiting for its first frame"


def _tells_waiting(window: MainWindow) -> bool:
    return _WAITING in window.source_banner.text()


def test_a_camera_sending_its_first_frame_6_s_after_it_answers_opens_in_the_window(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    # FFmpeg waits out its 4 s open, and the app's own reader waited 3 s for a first frame:
    # refused as a camera that "did not send its first frames within 7 s".
    camera = MjpegCamera(frames=_FRAMES, intervals=(_SLOW_S,), first_after_s=_SLOW_S)
    try:
        window = make_window(camera=camera.url)
        qtbot.waitUntil(lambda: _tells_waiting(window), timeout=10_000)
        told = f"Network camera {camera.url}: {_WAITING} (up to {OWN_READER_FIRST_FRAME_S:g} s)…"
        assert window.source_banner.text() == told and window.view.placeholder == told
        assert window.source_state.starting
        began = last = time.monotonic()
        while window.view.result is None:
            qtbot.wait(50)  # the window's event loop runs on meanwhile, never held up
            now = time.monotonic()
            # Held up, the loop stood still for the reader's wait (6 s); the frame comes 6 s on.
            assert now - last < 2.0 and now - began < _SLOW_S + 4.0
            last = now
        assert window.is_running and not _tells_waiting(window)
        first = window.view.result.frame_index
        qtbot.waitUntil(lambda: shown_result(window).frame_index != first, timeout=int(2_000 * _SLOW_S))
        assert window.source_state.reconnected == 0 and window.source_banner.text() == ""
        closing = time.monotonic()
        window.close()
        assert time.monotonic() - closing < 2.0  # not at the next frame, 6 s on
        assert camera.all_closed_within(3.0)
    finally:
        camera.close()


def test_stop_while_waiting_for_a_first_frame_acts_at_once(qtbot: QtBot, make_window: WindowFactory) -> None:
    camera = MjpegCamera(frames=_FRAMES, intervals=(_SLOW_S,))
    camera.stall()  # each stream answers, then sends nothing and keeps its connection open
    try:
        window = make_window(camera=camera.url)
        qtbot.waitUntil(lambda: _tells_waiting(window), timeout=10_000)
        # Past the 3 s the reader waited before: still waiting, no fault.
        qtbot.wait(STREAM_READ_TIMEOUT_MS + 500)
        assert window.source_state.starting and _tells_waiting(window)
        stopping = time.monotonic()
        # Not at the end of the reader's wait for a first frame (30 s).
        with qtbot.waitSignal(window.controller.source_stopped, timeout=2000):
            window.stop()
        assert time.monotonic() - stopping < 2.0
        assert not window.source_state.active and window.source_banner.text() == ""
        assert window.view.placeholder == "Stopped"
        assert camera.all_closed_within(5.0)  # the reader's 30 s wait cut short
        assert wait_for_streams_let_go(5.0)
    finally:
        camera.close()


@pytest.mark.parametrize("action", ["stop", "stop and reopen", "reopen"])
def test_a_replaced_opens_late_wait_notice_is_not_shown(
    qtbot: QtBot, make_window: WindowFactory, monkeypatch: pytest.MonkeyPatch, action: str
) -> None:
    # The first open's "waiting for its first frame", sent just as the same camera was
    # stopped and opened again, was shown over the second open (its FFmpeg open under way)
    # as if that one waited for a first frame. Its thread is held between asking whether it
    # was replaced and telling the window, for the user to act in between.
    camera = MjpegCamera(frames=_FRAMES, intervals=(_SLOW_S,))
    camera.stall()  # each stream answers, then sends nothing and keeps its connection open
    try:
        window = make_window(camera=camera.url)
        worker = window.controller.capture
        tell = worker._tell_opening
        reached, release = threading.Event(), threading.Event()

        def held_tell(spec: CameraSpec, what: str) -> None:
            if not reached.is_set():  # the first open's notice alone
                reached.set()
                release.wait(10.0)
            tell(spec, what)

        monkeypatch.setattr(worker, "_tell_opening", held_tell)
        qtbot.waitUntil(reached.is_set, timeout=10_000)
        spec = window.source_state.spec
        assert spec is not None
        if action != "reopen":
            window.stop()
        if action != "stop":
            window.start_source(spec)
        release.set()
        qtbot.wait(500)  # the late notice has arrived
        assert not _tells_waiting(window) and _WAITING not in window.view.placeholder
        if action == "stop":
            assert not window.source_state.active and window.view.placeholder == "Stopped"
            return
        assert window.source_state.starting and window.view.placeholder.startswith("Opening network camera")
        # The second open's own wait is told as before.
        qtbot.waitUntil(lambda: _tells_waiting(window), timeout=10_000)
        window.stop()
        assert camera.all_closed_within(STREAM_READ_TIMEOUT_MS / 1000.0 + 5.0)
    finally:
        camera.close()


@pytest.mark.parametrize("digest", [False, True], ids=["basic", "digest"])
def test_a_slow_camera_behind_a_password_opens_with_it_only(digest: bool) -> None:
    camera = MjpegCamera(frames=_FRAMES, intervals=(_EVERY_S,), password=("viewer", "s3cret"), digest=digest)
    try:
        host = camera.url.removeprefix("http://")
        source = open_frame_source(CameraSpec(0, url=f"http://viewer:s3cret@{host}"))
        try:
            assert isinstance(source, NetworkStreamSource) and source._own_reader
            assert source.read() is not None
            assert camera.refused >= 1  # asked for it, and given it
        finally:
            source.release()
        with pytest.raises(SourceOpenError, match="did not accept the user name and password"):
            open_frame_source(CameraSpec(0, url=f"http://viewer:wrong@{host}"))
    finally:
        camera.close()


def test_the_reader_takes_parts_without_a_length_and_gives_up_on_a_closed_stream() -> None:
    # Some cameras give no Content-Length: the part runs to the next boundary.
    server, client = socket.socketpair()
    jpeg = b"\xff\xd8 a frame \xff\xd9"
    server.sendall(b"--frame\r\nContent-Type: image/jpeg\r\n\r\n" + jpeg + b"\r\n--frame\r\n")
    capture = HttpMjpegCapture(client, b"", 10.0, lambda: False)
    ok, part = capture.read()
    assert ok and part is not None and part.tobytes() == jpeg
    server.close()
    began = time.monotonic()
    assert capture.read() == (False, None)  # closed: at once, not at the timeout
    assert time.monotonic() - began < 2.0  # not at the read's 10 s timeout
    capture.release()


def test_a_slow_https_camera_opens_and_its_certificate_is_checked_only_where_ffmpeg_would(
    camera_tls: ssl.SSLContext, camera_certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    camera = MjpegCamera(frames=_FRAMES, intervals=(_EVERY_S,), tls=camera_tls)
    try:
        source = open_frame_source(CameraSpec(0, url=camera.url))  # signed by itself, unchecked: as FFmpeg
        try:
            assert isinstance(source, NetworkStreamSource) and source._own_reader
            assert source.read() is not None
        finally:
            source.release()
        monkeypatch.setenv("OPENCV_FFMPEG_CAPTURE_OPTIONS", "tls_verify;1")  # checked: refused, as FFmpeg
        with pytest.raises(SourceOpenError, match="its certificate is not trusted"):
            open_frame_source(CameraSpec(0, url=camera.url))
        monkeypatch.setenv("OPENCV_FFMPEG_CAPTURE_OPTIONS", f"tls_verify;1|ca_file;{camera_certificate[0]}")
        source = open_frame_source(CameraSpec(0, url=camera.url))
        source.release()
    finally:
        camera.close()
