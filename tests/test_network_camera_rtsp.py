"""Network cameras over RTSP: a real RTSP server on localhost (tests/rtsp_server.py) sends a
video as MPEG-TS over RTP, interleaved in the RTSP connection (or over UDP, as most IP
cameras offer first), to OpenCV's FFmpeg. The app opens it, the window plays it and gets it
back after the camera drops the connection, and a refused stream is explained from the
camera's answer to DESCRIBE."""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from emotion_app.samples import VideoTruth, read_video
from emotion_app.sources.frame_source import SourceOpenError
from emotion_app.sources.network_camera import STREAM_OPEN_TIMEOUT_MS, STREAM_READ_TIMEOUT_MS, NetworkStreamSource
from emotion_app.sources.opening import open_frame_source
from emotion_app.sources.specs import CameraSpec
from tests.gui_support import (
    WAIT_MS,
    WindowFactory,
    assert_stream_gives_a_frame,
    wait_for_face_result,
    wait_until_it_plays_on,
    window_showing,
)
from tests.rtsp_server import RtspCamera, has_ipv6_loopback, write_transport_stream


@pytest.fixture(scope="module")
def transport_stream(gui_video: VideoTruth, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """The GUI video as an MPEG-TS file, and how long it lasts (s)."""
    frames = read_video(gui_video.path)
    path = write_transport_stream(frames, gui_video.fps, tmp_path_factory.mktemp("rtsp") / "astronaut.ts")
    return path, len(frames) / gui_video.fps


TCP = "RTP/AVP/TCP;unicast;interleaved=0-1"


@pytest.fixture(params=["tcp", "udp"])
def rtsp_camera(request: pytest.FixtureRequest, transport_stream: tuple[Path, float]) -> Iterator[RtspCamera]:
    """A camera sending RTP inside its RTSP connection (TCP), or over UDP alone."""
    camera = RtspCamera(*transport_stream, transports=(request.param,))
    yield camera
    camera.close()


@pytest.fixture
def tcp_camera(transport_stream: tuple[Path, float]) -> Iterator[RtspCamera]:
    camera = RtspCamera(*transport_stream)
    yield camera
    camera.close()


def setups(camera: RtspCamera) -> list[str]:
    """The transports the camera's SETUPs asked for, in order, cut at ";client_port=" (its
    number FFmpeg's own)."""
    return [str(transport).split(";client_port=")[0] for method, transport in camera.requests if method == "SETUP"]


def test_an_rtsp_camera_opens_with_its_frames(rtsp_camera: RtspCamera, gui_video: VideoTruth) -> None:
    source = open_frame_source(CameraSpec(-1, url=rtsp_camera.url))
    try:
        assert isinstance(source, NetworkStreamSource)
        assert (source.width, source.height) == gui_video.frame_size
        frames = [source.read() for _ in range(5)]
        assert all(frame is not None and frame.shape == (*gui_video.frame_size[::-1], 3) for frame in frames)
    finally:
        source.release()
    # OpenCV asks FFmpeg for RTP over the RTSP connection (TCP) first, unasked; a camera
    # that sends over UDP alone answers 461 Unsupported Transport, and FFmpeg asks for UDP.
    assert [method for method, _ in rtsp_camera.requests[:2]] == ["OPTIONS", "DESCRIBE"]
    if rtsp_camera.transports == ("udp",):
        assert setups(rtsp_camera) == [TCP, "RTP/AVP/UDP;unicast"] and rtsp_camera.udp_packets > 0
    else:
        assert setups(rtsp_camera) == [TCP]


def test_the_window_plays_an_rtsp_camera_and_gets_it_back_after_it_drops(
    qtbot: QtBot, make_window: WindowFactory, rtsp_camera: RtspCamera
) -> None:
    window = make_window(camera=rtsp_camera.url)
    assert wait_for_face_result(qtbot, window).faces and window.windowTitle().endswith("127.0.0.1")
    shown: list[str] = []
    window.source_banner.message_shown.connect(lambda: shown.append(window.source_banner.text()))
    rtsp_camera.drop()  # the camera closes the connection, as one that restarts does
    qtbot.waitUntil(lambda: rtsp_camera.streams == 2, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "reconnected after 1 drop" in window.status.summary_label.text(), timeout=WAIT_MS)
    assert shown[0] == (
        f"Network camera {rtsp_camera.url}: its stream broke off (the connection closed, or it sent something "
        "that is not a frame): reconnecting (try 1 of 5)…"
    )
    wait_until_it_plays_on(qtbot, window)
    assert window.is_running and window.source_banner.text() == ""


@pytest.mark.parametrize(
    ("scheme", "auth", "algorithm"),
    [("rtsp", "Basic", ""), ("rtsp", "Digest", ""), ("rtsps", "Digest", ""), ("rtsp", "Digest", "MD5-sess")],
)
def test_an_rtsp_camera_that_wants_a_password_or_has_no_such_stream_says_so(
    request: pytest.FixtureRequest, transport_stream: tuple[Path, float], scheme: str, auth: str, algorithm: str
) -> None:
    # A Digest camera (most are) was asked with the password as Basic only, and so a wrong
    # path, the right password given, was told as "it did not accept the user name and password".
    # An rtsps:// camera (its certificate signed by itself) was not asked at all: "it answers,
    # but sends no video stream OpenCV's FFmpeg can read there", whatever the reason. A camera
    # asking by Digest MD5-sess, which FFmpeg answers (it plays), was answered as plain MD5.
    tls: ssl.SSLContext | None = request.getfixturevalue("camera_tls") if scheme == "rtsps" else None
    camera = RtspCamera(*transport_stream, credentials=("admin", "s3cret"), auth=auth, tls=tls, algorithms=(algorithm,))
    host = camera.url.split("://")[1].split("/")[0]
    try:
        for url, reason in (
            (
                camera.url,
                "it asks for a user name and password (RTSP 401 Unauthorized): give them in the address, as "
                f"{scheme}://user:password@…",
            ),
            (
                f"{scheme}://admin:wrong@{host}/live",
                "it did not accept the user name and password (RTSP 401 Unauthorized): check them",
            ),
            (
                f"{scheme}://admin:s3cret@{host}/stream1",
                "it has nothing at /stream1 (RTSP 404 Not Found): check the path in the camera's or app's instructions",
            ),
        ):
            with pytest.raises(SourceOpenError) as raised:
                open_frame_source(CameraSpec(-1, url=url))
            shown = url.replace(":wrong@", ":***@").replace(":s3cret@", ":***@")
            assert str(raised.value) == f"Could not open network camera {shown}: {reason}"
        assert_stream_gives_a_frame(f"{scheme}://admin:s3cret@{host}/live")
    finally:
        camera.close()


@pytest.mark.skipif(not has_ipv6_loopback(), reason="this machine has no IPv6 loopback (::1)")
def test_an_ipv6_rtsp_camera_is_asked_with_its_address_in_brackets_as_ffmpeg_asks(
    transport_stream: tuple[Path, float],
) -> None:
    # FFmpeg writes an IPv6 address in brackets in its request line and Digest uri=, and the
    # port even where the URL names none (libavformat/url.c ff_url_join, rtsp.c). The probe
    # wrote "DESCRIBE rtsp://::1:PORT/live": no RTSP URI, and a Digest answer hashed over it.
    camera = RtspCamera(*transport_stream, credentials=("admin", "s3cret"), auth="Digest", host="::1")
    port = camera.url.rsplit(":", 1)[1].split("/")[0]
    ffmpegs = f"rtsp://[::1]:{port}/live"
    try:
        with pytest.raises(SourceOpenError) as raised:
            open_frame_source(CameraSpec(-1, url=f"rtsp://admin:wrong@[::1]:{port}/live"))
        assert str(raised.value) == (
            f"Could not open network camera rtsp://admin:***@[::1]:{port}/live: it did not accept the user name "
            "and password (RTSP 401 Unauthorized): check them"
        )
        # FFmpeg's DESCRIBEs (without and with its answer), then the probe's: written alike.
        assert camera.described[0] == (ffmpegs, None) and len(camera.described) >= 4
        assert set(camera.described) == {(ffmpegs, None), (ffmpegs, ffmpegs)}
        assert_stream_gives_a_frame(f"rtsp://admin:s3cret@[::1]:{port}/live")
    finally:
        camera.close()


@pytest.mark.skipif(not has_ipv6_loopback(), reason="this machine has no IPv6 loopback (::1)")
def test_the_window_plays_an_ipv6_rtsp_camera_titled_with_its_address_in_brackets(
    qtbot: QtBot, make_window: WindowFactory, transport_stream: tuple[Path, float]
) -> None:
    camera = RtspCamera(*transport_stream, host="::1")
    try:
        window = make_window(camera=camera.url)
        assert wait_for_face_result(qtbot, window).faces
        assert window.windowTitle().endswith(" — [::1]")  # was "— ::1"
    finally:
        camera.close()


def test_of_an_rtsp_cameras_digest_challenges_ffmpeg_answers_the_last_and_no_sha_256(
    transport_stream: tuple[Path, float],
) -> None:
    # OpenCV's own FFmpeg, asked by Digest SHA-256 (RFC 7616) and MD5 in turn, plays the
    # camera where MD5 comes last and not where SHA-256 does (it takes up the last Digest
    # challenge, and has no SHA-256). The probe answered the first MD5 challenge, so that
    # camera's refusal was told as "did not accept the user name and password", as was one
    # asking by SHA-256 alone.
    cannot = "it asks for its password by Digest SHA-256, which OpenCV's FFmpeg cannot answer (RTSP 401 Unauthorized)"
    for algorithms, reason in (
        (
            ("MD5", "SHA-256"),
            f"{cannot}: it offers Digest MD5 too, but FFmpeg takes up only the last Digest challenge, so turn Digest "
            "SHA-256 off in the camera's settings",
        ),
        (("SHA-256",), f"{cannot}: allow Digest MD5 or Basic in the camera's settings"),
        (("SHA-256", "MD5"), None),
    ):
        camera = RtspCamera(*transport_stream, credentials=("admin", "s3cret"), auth="Digest", algorithms=algorithms)
        url = camera.url.replace("rtsp://", "rtsp://admin:s3cret@")
        try:
            if reason is None:
                assert_stream_gives_a_frame(url)
                continue
            with pytest.raises(SourceOpenError) as raised:
                open_frame_source(CameraSpec(-1, url=url))
            assert str(raised.value) == f"Could not open network camera {url.replace(':s3cret@', ':***@')}: {reason}"
        finally:
            camera.close()


def test_an_rtsp_camera_that_refuses_ffmpegs_quotes_is_told_apart_from_a_wrong_password(
    transport_stream: tuple[Path, float],
) -> None:
    # OpenCV's own FFmpeg writes its Digest answer's qop and algorithm in quotes, and does not
    # log in to a camera that takes them only unquoted, as RFC 7616 asks. The probe wrote them
    # unquoted, logged in, and told of the stream as "sends no video stream (RTSP 200 OK)".
    camera = RtspCamera(
        *transport_stream, credentials=("admin", "s3cret"), auth="Digest", algorithms=("MD5",), strict=True
    )
    url = camera.url.replace("rtsp://", "rtsp://admin:s3cret@")
    try:
        with pytest.raises(SourceOpenError) as raised:
            open_frame_source(CameraSpec(-1, url=url))
        assert str(raised.value) == (
            f"Could not open network camera {url.replace(':s3cret@', ':***@')}: it refuses the user name and "
            "password as OpenCV's FFmpeg writes them (RTSP 401 Unauthorized), with Digest's qop and algorithm in "
            "quotes, though it takes them unquoted, as RFC 7616 asks: the password is right, but FFmpeg cannot log "
            "in to it (allow Basic in the camera's settings, where it has that)"
        )
    finally:
        camera.close()


@pytest.mark.parametrize("auth", ["Basic", "Digest"])
def test_a_user_name_with_no_colon_after_it_is_told_apart_from_an_empty_password(
    transport_stream: tuple[Path, float], auth: str
) -> None:
    # OpenCV's own FFmpeg sends a password only where a colon follows the user name (an empty
    # one as admin:@): it plays admin:@ and not admin@. The probe answered admin@ with an empty
    # password, which this camera takes: "it answers, but sends no video stream" (RTSP 200 OK).
    camera = RtspCamera(*transport_stream, credentials=("admin", ""), auth=auth)
    host = camera.url.split("://")[1].split("/")[0]
    try:
        with pytest.raises(SourceOpenError) as raised:
            open_frame_source(CameraSpec(-1, url=f"rtsp://admin@{host}/live"))
        assert str(raised.value) == (
            f"Could not open network camera rtsp://admin@{host}/live: it asks for a user name and password (RTSP "
            "401 Unauthorized), and the address gives a user name with no colon after it, so OpenCV's FFmpeg sends "
            "no password: write them as rtsp://user:password@… (user:@… where the password is empty)"
        )
        assert_stream_gives_a_frame(f"rtsp://admin:@{host}/live")
    finally:
        camera.close()


def test_an_rtsp_camera_that_goes_quiet_is_opened_again_after_the_read_timeout(
    qtbot: QtBot, make_window: WindowFactory, tcp_camera: RtspCamera
) -> None:
    # FFmpeg's RTSP reads that time out still handed over a frame, twice: the stall was told,
    # and the stream opened again, after 9 s, three read timeouts, instead of one.
    window = window_showing(qtbot, make_window, tcp_camera.url)
    tcp_camera.stall()
    stalled = time.monotonic()
    qtbot.waitUntil(
        lambda: "no frame could be read from it for 3 s: reconnecting" in window.source_banner.text(), timeout=WAIT_MS
    )
    told_after_s = time.monotonic() - stalled
    # Was 3 timeouts, 9 s; under 2 leaves room for a busy machine.
    assert told_after_s < 2 * STREAM_READ_TIMEOUT_MS / 1000.0
    tcp_camera.resume()
    qtbot.waitUntil(lambda: "reconnected after 1 drop" in window.status.summary_label.text(), timeout=WAIT_MS)
    assert window.is_running and tcp_camera.streams >= 2


# Ones ending in "|", or only blank, as a script writing them may leave them: FFmpeg reads a
# pair after a "||" as a name starting with "|", and gives up at a pair with no name.
@pytest.mark.parametrize(
    "options",
    [
        "",
        "tls_verify;0",
        "tls_verify;1|ca_file;/nowhere.pem",
        "tls_verify;0|",
        "tls_verify;0 | ",
        " ",
        # Transports FFmpeg never reads: a name after "||" begins with "|", and it stops at
        # an empty value. Taken as named, and UDP asked for first.
        "tls_verify;0||rtsp_transport;udp",
        "tls_verify;|rtsp_flags;filter_src",
    ],
)
def test_an_rtsp_camera_whose_udp_packets_are_lost_plays_over_tcp_whatever_ones_options(
    transport_stream: tuple[Path, float], monkeypatch: pytest.MonkeyPatch, options: str
) -> None:
    # A camera that offers UDP and TCP behind a NAT or firewall that drops its UDP packets.
    # OpenCV asks FFmpeg for TCP first only where OPENCV_FFMPEG_CAPTURE_OPTIONS is unset or
    # empty: options of one's own (tls_verify for an HTTPS camera) made FFmpeg ask for UDP,
    # which it waits on past the app's open timeout (it asks over TCP only after its own
    # "timeout" option, unset), and the camera was refused: "did not send its first frames".
    monkeypatch.setenv("OPENCV_FFMPEG_CAPTURE_OPTIONS", options)
    camera = RtspCamera(*transport_stream, transports=("udp", "tcp"), udp_arrives=False)
    try:
        began = time.monotonic()
        assert_stream_gives_a_frame(camera.url)
        assert time.monotonic() - began < STREAM_OPEN_TIMEOUT_MS / 1000.0
        assert setups(camera) == [TCP]
    finally:
        camera.close()


def test_an_rtsp_camera_sending_nothing_over_udp_asked_for_alone_is_told_udp_may_be_blocked(
    transport_stream: tuple[Path, float], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Behind a NAT or firewall that drops the camera's UDP, with UDP forced in the options,
    # FFmpeg waits out its open for packets that never come. Was told only "did not send
    # its first frames within 4 s (a link too slow for them, or a camera that stalls)".
    monkeypatch.setenv("OPENCV_FFMPEG_CAPTURE_OPTIONS", "tls_verify;0|rtsp_transport;udp")
    camera = RtspCamera(*transport_stream, transports=("udp", "tcp"), udp_arrives=False)
    try:
        with pytest.raises(SourceOpenError) as raised:
            open_frame_source(CameraSpec(-1, url=camera.url))
        assert setups(camera) == ["RTP/AVP/UDP;unicast"]
    finally:
        camera.close()
    assert str(raised.value) == (
        f"Could not open network camera {camera.url}: it answered (RTSP 200 OK) but did not send its first frames "
        f"within {STREAM_OPEN_TIMEOUT_MS / 1000:g} s (a link too slow for them, or a camera that stalls), and "
        "OPENCV_FFMPEG_CAPTURE_OPTIONS asks for it over UDP alone (rtsp_transport;udp), which a firewall or NAT "
        "may block: without that the app asks for TCP first"
    )


def test_ffmpeg_options_of_ones_own_naming_an_rtsp_transport_are_kept(
    tcp_camera: RtspCamera, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What the README says of OPENCV_FFMPEG_CAPTURE_OPTIONS: options naming rtsp_transport or
    # rtsp_flags are FFmpeg's as given (here UDP first, as FFmpeg's own default), others
    # keep OpenCV's TCP first.
    def asked(options: str) -> list[str]:
        monkeypatch.setenv("OPENCV_FFMPEG_CAPTURE_OPTIONS", options)
        tcp_camera.requests.clear()
        assert_stream_gives_a_frame(tcp_camera.url)
        return setups(tcp_camera)

    # Asked again over TCP after the camera's 461 Unsupported Transport.
    assert asked("tls_verify;0|rtsp_transport;udp+tcp") == ["RTP/AVP/UDP;unicast", TCP]
    assert asked("rtsp_flags;filter_src|tls_verify;0") == ["RTP/AVP/UDP;unicast", TCP]
    assert asked("tls_verify;0|rtsp_flags;prefer_tcp") == [TCP]
    assert asked("tls_verify;0") == [TCP]
    assert asked("") == [TCP]


def test_stop_does_not_wait_for_a_quiet_rtsp_cameras_read(
    qtbot: QtBot, make_window: WindowFactory, tcp_camera: RtspCamera, gui_video: VideoTruth
) -> None:
    # As over HTTP: the read waits out FFmpeg's read timeout on the stream's own thread, and
    # Stop and another source are done meanwhile; the connection closes once the read returns.
    window = window_showing(qtbot, make_window, tcp_camera.url)
    tcp_camera.stall()
    qtbot.wait(300)  # the stream's read is waiting for the next packet
    window.stop()
    qtbot.waitUntil(lambda: not window.controller.capture.has_source, timeout=WAIT_MS)
    window.open_video(gui_video.path)
    qtbot.waitUntil(lambda: window.is_running and window.is_file, timeout=WAIT_MS)
    # The quiet read still holds its connection: neither Stop nor the file waited for it (a
    # time bound would say the same less surely on a busy machine).
    assert tcp_camera.open_connections == 1
    qtbot.waitUntil(lambda: tcp_camera.open_connections == 0, timeout=WAIT_MS)  # and let go of
