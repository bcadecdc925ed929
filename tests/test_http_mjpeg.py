"""The app's own HTTP MJPEG reader (sources/http_mjpeg) on the odd streams real cameras send:
chunked ones, parts without a length, boundaries written otherwise, redirects. Served for
real on localhost by the test camera (tests/mjpeg_server)."""

from __future__ import annotations

import contextlib
import random
import socket
import ssl
import threading
import time

import cv2
import numpy as np
import pytest

from emotion_app.sources.http_mjpeg import HttpMjpegCapture, open_http_mjpeg
from emotion_app.sources.network_camera import NetworkStreamSource, open_stream_capture
from emotion_app.sources.opening import open_frame_source
from emotion_app.sources.specs import CameraSpec
from emotion_app.sources.stream_probe import MAX_REDIRECTS, PROBE_DEADLINE_S, PROBE_TIMEOUT_S, why_not_opened
from tests.mjpeg_server import MjpegCamera

# Each frame of its own grey, so each one read tells which it is.
_FRAMES = [np.full((48, 64, 3), 30 + 40 * i, np.uint8) for i in range(5)]


def _greys(capture: HttpMjpegCapture, count: int) -> list[int]:
    """The greys of the next ``count`` parts read, each decoded as a JPEG."""
    greys = []
    for _ in range(count):
        ok, packet = capture.read()
        assert ok and packet is not None
        frame = cv2.imdecode(packet, cv2.IMREAD_COLOR)
        assert frame is not None and frame.shape == (48, 64, 3)
        greys.append(int(frame.mean()))
    return greys


def _in_order(greys: list[int]) -> bool:
    """Whether ``greys`` are frames of _FRAMES following each other, as sent."""
    sent = [int(frame[0, 0, 0]) for frame in _FRAMES]
    indices = [min(range(len(sent)), key=lambda i: abs(sent[i] - grey)) for grey in greys]
    return all(abs(sent[i] - grey) <= 3 for i, grey in zip(indices, greys, strict=True)) and all(
        (b - a) % len(sent) == 1 for a, b in zip(indices, indices[1:], strict=False)
    )


def assert_ffmpeg_reads(url: str) -> None:
    """OpenCV's FFmpeg opens ``url`` and reads a frame of it (what the own reader is to match)."""
    ffmpeg = open_stream_capture(url)
    try:
        assert ffmpeg.isOpened() and ffmpeg.read()[0]
    finally:
        ffmpeg.release()


def assert_read_in_order(url: str, count: int) -> None:
    """The own reader opens ``url`` and reads ``count`` frames following each other, as sent."""
    capture = open_http_mjpeg(url, 2.0, lambda: False)
    assert capture is not None
    try:
        assert _in_order(_greys(capture, count))
    finally:
        capture.release()


def test_a_chunked_stream_is_read_and_a_malformed_chunk_ends_it_with_the_reason() -> None:
    # The ESP32-CAM's example firmware sends its stream in chunks: refused before.
    camera = MjpegCamera(frames=_FRAMES, fps=20, chunked=True)
    try:
        capture = open_http_mjpeg(camera.url, 10.0, lambda: False)
        assert capture is not None
        try:
            assert _in_order(_greys(capture, 7))
            camera.glitch(b"zz\r\n")  # outside the chunks: where a size line should be
            began = time.monotonic()
            while capture.read()[0]:  # the parts received before it, then no more
                assert time.monotonic() - began < 3.0
            assert time.monotonic() - began < 3.0  # at once, not at the read's 10 s timeout
            assert capture.why_broken == "a chunk began with 'zz', which is no chunk size"
        finally:
            capture.release()
    finally:
        camera.close()


def test_a_slow_chunked_camera_opens_and_a_malformed_chunk_is_told() -> None:
    # A frame every 3 s, too slow for FFmpeg's open: the app's own reader opens it.
    camera = MjpegCamera(frames=_FRAMES, intervals=(3.0,), chunked=True)
    try:
        source = open_frame_source(CameraSpec(0, url=camera.url))
        try:
            assert isinstance(source, NetworkStreamSource) and source._own_reader
            camera.glitch(b"\r\nnot a size\r\n")
            until = time.monotonic() + 8.0
            source.give_up_scans_when(lambda: time.monotonic() > until)
            while (source.news().reconnecting or "") == "" and time.monotonic() < until:
                source.read()
            assert (source.news().reconnecting or "").startswith(
                "its stream broke off: a chunk began with 'not a size', which is no chunk size: reconnecting"
            ), source.news()
        finally:
            source.release()
    finally:
        camera.close()


def test_a_long_part_without_a_length_is_searched_once() -> None:
    # Its end was looked for from its start again at each 64 KiB received: 48 MiB took
    # seconds of the reading thread's time (the square of its length). Its time, not the
    # clock's: the transfer's pace on a busy machine is no concern of the search.
    rng = np.random.default_rng(7)
    long_part = rng.integers(0, 256, 48 << 20, np.uint8).tobytes().replace(b"\r", b"\0")
    camera = MjpegCamera(frames=[long_part], fps=0.5, lengths=False)
    try:
        capture = open_http_mjpeg(camera.url, 30.0, lambda: False)
        assert capture is not None
        try:
            began = time.thread_time()
            ok, packet = capture.read()
            took_s = time.thread_time() - began
            assert ok and packet is not None and packet.tobytes() == long_part
            assert took_s < 2.5, took_s  # about 6 s of its time searched over and over
        finally:
            capture.release()
    finally:
        camera.close()


@pytest.mark.parametrize("lengths", [True, False], ids=["with lengths", "without"])
@pytest.mark.parametrize(
    "boundary",
    [
        ("--myboundary", "----myboundary"),  # RFC 2046: the two dashes, then the named one's own
        ("--myboundary", "--myboundary"),  # the named one's dashes taken for the two
        ("myboundary", "--myboundary"),
        ("frame", "--other"),  # not the one named: FFmpeg's mpjpeg demuxer reads by the dashes alone
        (None, "--myboundary"),  # none named
        ("myboundary", "myboundary"),  # no dashes: OpenCV's FFmpeg reads it too (not by mpjpeg)
        ("myboundary", "otherthing"),
    ],
)
def test_boundaries_are_taken_as_ffmpeg_takes_them(boundary: tuple[str | None, str], lengths: bool) -> None:
    # The reader looked for "--" and the boundary named, dashes stripped: a stream with
    # none named was refused, and lines otherwise written waited out the read's timeout.
    camera = MjpegCamera(frames=_FRAMES, fps=20, boundary=boundary, lengths=lengths)
    try:
        assert_ffmpeg_reads(camera.url)  # what the own reader is to match
        assert_read_in_order(camera.url, 6)
    finally:
        camera.close()


def test_a_slow_camera_behind_redirects_opens_with_its_password() -> None:
    # FFmpeg refuses it (it drops the password at the absolute redirect, and the camera is
    # too slow for its open besides); the probe took the first redirect for the answer (a
    # web page), so the app's own reader was never tried.
    camera = MjpegCamera(frames=_FRAMES, intervals=(3.0,), password=("viewer", "s3cret"))
    try:
        host = camera.url.removeprefix("http://").removesuffix("/video")
        camera.redirects = {"/start": (301, "/moved"), "/moved": (307, f"http://{host}/video")}
        source = open_frame_source(CameraSpec(0, url=f"http://viewer:s3cret@{host}/start"))
        try:
            assert isinstance(source, NetworkStreamSource) and source._own_reader
            assert source.read() is not None
        finally:
            source.release()
    finally:
        camera.close()


def test_redirects_are_followed_as_far_as_ffmpeg_follows_them() -> None:
    camera = MjpegCamera(frames=_FRAMES, fps=20)
    try:
        base = camera.url.removesuffix("/video")
        for hops, opens in ((MAX_REDIRECTS, True), (MAX_REDIRECTS + 1, False)):
            camera.redirects = {f"/r{i}": (302, f"/r{i + 1}") for i in range(hops - 1)}
            camera.redirects[f"/r{hops - 1}"] = (303, "/video")
            ffmpeg = open_stream_capture(f"{base}/r0")  # what the own reader is to match
            try:
                assert (ffmpeg.isOpened() and ffmpeg.read()[0]) == opens
            finally:
                ffmpeg.release()
            capture = open_http_mjpeg(f"{base}/r0", 2.0, lambda: False)
            assert (capture is not None) == opens
            if capture is not None:
                assert _in_order(_greys(capture, 3))
                capture.release()
            else:
                reason = why_not_opened(f"{base}/r0")
                assert reason == f"it redirects more than 8 times in a row (the last to {base}/video)"
        camera.redirects = {"/a": (302, "/b"), "/b": (308, f"{base}/a")}
        assert open_http_mjpeg(f"{base}/a", 2.0, lambda: False) is None
        assert why_not_opened(f"{base}/a") == f"it redirects in a loop, back to {base}/a"
        camera.redirects = {"/ftp": (302, "ftp://127.0.0.1/video")}
        assert open_http_mjpeg(f"{base}/ftp", 2.0, lambda: False) is None
        assert why_not_opened(f"{base}/ftp") == (
            "it redirects to ftp://127.0.0.1/video, which is no http:// or https:// address"
        )
    finally:
        camera.close()


def test_a_slow_chain_of_redirects_is_given_up_at_the_probes_deadline_and_stop_heard() -> None:
    # Each hop had a deadline of its own: a camera answering each ask 0.45 s late, behind 5
    # redirects and a password, opened after 3 s (up to 36 s for a slower chain), where the
    # probe gives up at its deadline. One deadline now, for the whole chain, as the probe's.
    camera = MjpegCamera(frames=_FRAMES, fps=20, password=("viewer", "s3cret"), answer_after_s=0.45)
    try:
        base = camera.url.removesuffix("/video").replace("http://", "http://viewer:s3cret@")
        camera.redirects = {f"/r{i}": (302, f"/r{i + 1}") for i in range(4)}
        camera.redirects["/r4"] = (307, "/video")
        began = time.monotonic()
        capture = open_http_mjpeg(f"{base}/r0", 2.0, lambda: False)
        took_s = time.monotonic() - began
        if capture is not None:
            capture.release()
        # Opened after 3 s before (a capture); the upper bound is slack for a busy machine.
        assert capture is None and PROBE_DEADLINE_S - 0.1 < took_s < PROBE_DEADLINE_S + 1.5
        assert why_not_opened(f"{base}/r0").startswith(f"it did not answer in time, within {PROBE_DEADLINE_S:g} s")
        # Stop heard within a step however far into the chain: asked 0.6 s in, at its second hop.
        began = time.monotonic()
        capture = open_http_mjpeg(f"{base}/r0", 2.0, lambda: time.monotonic() - began > 0.6)
        # Within a step and slack; unheard, the chain went on to its end and opened, 3 s in.
        assert capture is None and time.monotonic() - began < 0.6 + PROBE_TIMEOUT_S + 0.5
        # A chain that fits in the deadline still opens: a redirect and the password, 1.35 s.
        capture = open_http_mjpeg(f"{base}/r4", 2.0, lambda: False)
        assert capture is not None
        try:
            assert _in_order(_greys(capture, 3))
        finally:
            capture.release()
    finally:
        camera.close()


def test_a_password_is_never_sent_to_another_host_and_https_is_followed(camera_tls: ssl.SSLContext) -> None:
    camera = MjpegCamera(frames=_FRAMES, fps=20, password=("viewer", "s3cret"))
    secure = MjpegCamera(frames=_FRAMES, fps=20, tls=camera_tls)
    try:
        port = camera.url.split(":")[2].split("/")[0]
        camera.redirects = {"/away": (302, f"http://localhost:{port}/video"), "/tls": (302, secure.url)}
        # localhost is this same camera, but by another name: a host of its own to the reader.
        assert open_http_mjpeg(f"http://viewer:s3cret@127.0.0.1:{port}/away", 2.0, lambda: False) is None
        assert [said for path, _, said in camera.asked if path == "/video"] == [""]
        assert "give them in the address" in why_not_opened(f"http://viewer:s3cret@127.0.0.1:{port}/away")
        assert all(not said for path, _, said in camera.asked if path == "/video")
        capture = open_http_mjpeg(f"http://127.0.0.1:{port}/tls", 2.0, lambda: False)
        assert capture is not None
        try:
            assert _in_order(_greys(capture, 3))
        finally:
            capture.release()
    finally:
        secure.close()
        camera.close()


def test_a_read_of_a_chunked_stream_gives_up_within_a_slice_once_stopped() -> None:
    # Stop must act within 1 s whatever the stream's encoding: the wait between two chunks
    # is the same socket wait, asked about a stop every tenth of a second.
    camera = MjpegCamera(frames=_FRAMES, intervals=(10.0,), chunked=True)
    stopped_at: list[float] = []
    try:
        capture = open_http_mjpeg(camera.url, 20.0, lambda: bool(stopped_at))
        assert capture is not None
        try:
            assert len(_greys(capture, 1)) == 1  # the first; the next is 10 s away
            threading.Timer(0.3, lambda: stopped_at.append(time.monotonic())).start()
            assert capture.read() == (False, None)
            assert stopped_at and time.monotonic() - stopped_at[0] < 3.0  # not at the next chunk, 10 s on
        finally:
            capture.release()
    finally:
        camera.close()


def test_a_password_is_not_carried_from_https_down_to_plain_http(camera_tls: ssl.SSLContext) -> None:
    # Kept on the same host whatever the scheme, it went out in the clear (Basic) to the
    # plain-HTTP port an HTTPS camera redirected to.
    plain = MjpegCamera(frames=_FRAMES, fps=20, password=("viewer", "s3cret"))
    secure = MjpegCamera(frames=_FRAMES, fps=20, tls=camera_tls)
    try:
        secure.redirects = {"/down": (302, plain.url)}  # the same host, 127.0.0.1
        secure_port = secure.url.split(":")[2].split("/")[0]
        url = f"https://viewer:s3cret@127.0.0.1:{secure_port}/down"
        assert open_http_mjpeg(url, 2.0, lambda: False) is None
        assert "give them in the address" in why_not_opened(url)
        assert [said for path, _, said in plain.asked if path == "/video"] == ["", ""]
    finally:
        secure.close()
        plain.close()


def test_of_two_locations_the_last_is_followed_by_probe_and_reader_as_by_ffmpeg() -> None:
    # The probe took both, joined by ", ", for one address, and the reader the first.
    camera = MjpegCamera(frames=_FRAMES, fps=20)
    try:
        base = camera.url.removesuffix("/video")
        camera.redirects = {"/two": (302, ["ftp://127.0.0.1/video", "/video"])}
        assert_ffmpeg_reads(f"{base}/two")  # what the probe and reader are to match
        assert_read_in_order(f"{base}/two", 3)
        assert why_not_opened(f"{base}/two") == why_not_opened(camera.url)
    finally:
        camera.close()


def test_of_two_content_types_the_last_is_taken_by_probe_and_reader_as_by_ffmpeg() -> None:
    # The probe took both, joined by ", " (no MJPEG stream then), and the reader the first.
    camera = MjpegCamera(frames=_FRAMES, fps=20)
    try:
        plain = why_not_opened(camera.url)
        camera.earlier_types = ["text/html"]
        assert_ffmpeg_reads(camera.url)  # what the probe and reader are to match
        assert_read_in_order(camera.url, 3)
        assert why_not_opened(camera.url) == plain
    finally:
        camera.close()


def test_a_redirect_to_a_host_no_lookup_takes_is_told_as_no_address() -> None:
    # A typed URL with such a host is refused before it is asked for (check_stream_url);
    # a redirect's reached the name lookup, whose UnicodeError ended the probe.
    camera = MjpegCamera(frames=_FRAMES, fps=20)
    try:
        base = camera.url.removesuffix("/video")
        for host in ("cam..local", "a" * 64 + ".local"):
            camera.redirects = {"/odd": (302, f"http://{host}/video")}
            assert open_http_mjpeg(f"{base}/odd", 2.0, lambda: False) is None
            assert why_not_opened(f"{base}/odd") == f"it redirects to 'http://{host}/video', which is no address"
    finally:
        camera.close()


@pytest.mark.parametrize("lengths", [True, False], ids=["with lengths", "without"])
def test_chunks_and_receives_cut_anywhere_give_the_parts_sent(lengths: bool) -> None:
    # The test camera sends a chunk per piece of a part; a camera may cut its chunks, and
    # the network its receives, inside a boundary line, a JPEG or a chunk's size line.
    rng = random.Random(5)
    jpegs = [cv2.imencode(".jpg", frame)[1].tobytes() for frame in _FRAMES * 3]
    body = b"".join(
        b"--frame\r\nContent-Type: image/jpeg\r\n"
        + (b"Content-Length: %d\r\n" % len(jpeg) if lengths else b"")
        + b"\r\n"
        + jpeg
        + b"\r\n"
        for jpeg in jpegs
    )
    body += b"--frame\r\n"  # the last part's end, where it has no length
    sent, at = bytearray(), 0
    while at < len(body):
        size = rng.randrange(1, 40)
        sent += (b"%X" if size % 2 else b"%x;cut=1") % size + b"\r\n" + body[at : at + size] + b"\r\n"
        at += size
    sent += b"0\r\n\r\n"
    server, client = socket.socketpair()

    def send() -> None:
        at = 3  # after those received with the answer's headers
        with contextlib.suppress(OSError), server:  # the reader gone: a failure, told below
            while at < len(sent):
                size = rng.randrange(1, 8)
                server.sendall(sent[at : at + size])
                at += size

    sender = threading.Thread(target=send)
    sender.start()
    capture = HttpMjpegCapture(client, bytes(sent[:3]), 5.0, lambda: False, chunked=True)
    try:
        read = []
        while (answer := capture.read())[0]:
            assert answer[1] is not None
            read.append(answer[1].tobytes())
        assert read == jpegs and capture.why_broken is None  # the last chunk ends it, all read
    finally:
        capture.release()
        sender.join()
