"""Network cameras over HTTPS: a real MJPEG stream served over TLS on localhost, with a
certificate signed by itself (as cameras' are) that the test makes, played by the window,
dropped and got back, and refused streams explained as over HTTP."""

from __future__ import annotations

import re
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from emotion_app.samples import VideoTruth
from emotion_app.sources.frame_source import SourceOpenError
from emotion_app.sources.network_camera import open_stream_capture
from emotion_app.sources.opening import open_frame_source
from emotion_app.sources.specs import CameraSpec
from tests.gui_support import (
    WAIT_MS,
    WindowFactory,
    assert_stream_gives_a_frame,
    assert_stream_opens_with_its_frames,
    wait_for_face_result,
)
from tests.mjpeg_server import MjpegCamera


@pytest.fixture
def https_camera(gui_video: VideoTruth, camera_tls: ssl.SSLContext) -> Iterator[MjpegCamera]:
    camera = MjpegCamera(gui_video.path, tls=camera_tls)
    yield camera
    camera.close()


def test_an_https_stream_with_a_self_signed_certificate_opens_with_its_frames(
    https_camera: MjpegCamera, gui_video: VideoTruth
) -> None:
    assert https_camera.url.startswith("https://127.0.0.1:")
    assert_stream_opens_with_its_frames(https_camera.url, gui_video.frame_size)


def test_the_window_plays_an_https_camera_and_gets_it_back_after_a_drop(
    qtbot: QtBot, make_window: WindowFactory, https_camera: MjpegCamera
) -> None:
    window = make_window(camera=https_camera.url)
    assert wait_for_face_result(qtbot, window).faces and window.windowTitle().endswith("127.0.0.1")
    https_camera.unplug()  # its stream ends mid-way, and it refuses new ones for a while
    qtbot.waitUntil(lambda: "reconnecting (try 2 of 5)…" in window.source_banner.text(), timeout=WAIT_MS)
    assert window.source_banner.text().startswith(f"Network camera {https_camera.url}: its stream broke off")
    https_camera.plug_in()
    qtbot.waitUntil(lambda: https_camera.streams == 2, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "reconnected after 1 drop" in window.status.summary_label.text(), timeout=WAIT_MS)
    assert wait_for_face_result(qtbot, window).faces
    assert window.is_running and window.source_banner.text() == ""


def test_a_certificate_checked_at_the_users_request_is_said_to_be_untrusted_until_named(
    https_camera: MjpegCamera, camera_certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # FFmpeg takes any certificate unless told to check it (tls_verify): then one signed by
    # itself is refused. Was explained as "it answers, but sends no video stream OpenCV's
    # FFmpeg can read there (HTTP 200 OK, multipart/x-mixed-replace)".
    monkeypatch.setenv("OPENCV_FFMPEG_CAPTURE_OPTIONS", "tls_verify;1")
    with pytest.raises(SourceOpenError) as raised:
        open_frame_source(CameraSpec(-1, url=https_camera.url))
    assert str(raised.value) == (
        f"Could not open network camera {https_camera.url}: its certificate is not trusted (self-signed "
        "certificate) and OPENCV_FFMPEG_CAPTURE_OPTIONS asks FFmpeg to check it (tls_verify): name the camera's "
        "certificate there (ca_file;PATH), or take tls_verify out"
    )
    certificate, key = camera_certificate
    for named, why in (
        (certificate.with_name("missing.pem"), "No such file or directory"),
        (key, "no certificate or crl found"),
    ):
        monkeypatch.setenv("OPENCV_FFMPEG_CAPTURE_OPTIONS", f"tls_verify;1|ca_file;{named}")
        with pytest.raises(
            SourceOpenError,
            match=re.escape(
                f"the certificates file {named} named in OPENCV_FFMPEG_CAPTURE_OPTIONS (ca_file) does not read: {why}"
            ),
        ):
            open_frame_source(CameraSpec(-1, url=https_camera.url))
    monkeypatch.setenv("OPENCV_FFMPEG_CAPTURE_OPTIONS", f"tls_verify;1|ca_file;{certificate}")
    assert_stream_gives_a_frame(https_camera.url)


def test_a_certificate_check_asked_for_with_spaces_around_its_name_is_heard(
    https_camera: MjpegCamera, monkeypatch: pytest.MonkeyPatch
) -> None:
    # FFmpeg trims a name's spaces (and reads quotes): it refused the camera, but the probe
    # did not see " tls_verify" as tls_verify, took the certificate, and the app's own
    # reader played the stream FFmpeg had refused for it.
    for options in (" tls_verify;1", "'tls_verify' ; 1 "):
        monkeypatch.setenv("OPENCV_FFMPEG_CAPTURE_OPTIONS", options)
        ffmpeg = open_stream_capture(https_camera.url)
        try:
            assert not ffmpeg.isOpened()  # FFmpeg checks it
        finally:
            ffmpeg.release()
        with pytest.raises(SourceOpenError, match=re.escape("its certificate is not trusted (self-signed")):
            open_frame_source(CameraSpec(-1, url=https_camera.url))


def test_a_certificate_check_spelled_otherwise_than_1_is_heard_and_a_bad_one_told(
    https_camera: MjpegCamera, monkeypatch: pytest.MonkeyPatch
) -> None:
    # FFmpeg reads tls_verify as a boolean ("01", "+1", "yes": on; "2": refused, and the
    # camera with it), but the probe heard only "1": it took the certificate FFmpeg refused,
    # and a value FFmpeg refuses was told as a camera sending no stream it can read.
    for value in ("01", "+1", "yes"):
        monkeypatch.setenv("OPENCV_FFMPEG_CAPTURE_OPTIONS", f"tls_verify;{value}")
        with pytest.raises(SourceOpenError, match=re.escape("its certificate is not trusted (self-signed")):
            open_frame_source(CameraSpec(-1, url=https_camera.url))
    monkeypatch.setenv("OPENCV_FFMPEG_CAPTURE_OPTIONS", "tls_verify;2")
    ffmpeg = open_stream_capture(https_camera.url)
    try:
        assert not ffmpeg.isOpened()  # FFmpeg refuses the value, and with it the camera
    finally:
        ffmpeg.release()
    with pytest.raises(SourceOpenError) as raised:
        open_frame_source(CameraSpec(-1, url=https_camera.url))
    assert str(raised.value) == (
        f"Could not open network camera {https_camera.url}: OPENCV_FFMPEG_CAPTURE_OPTIONS gives tls_verify a value "
        "FFmpeg does not take: 1 to check the camera's certificate, 0 not to"
    )
