"""A network camera that does not open is explained: a password wanted, a wrong path, a web
page instead of the stream, nothing on that port. Real servers on localhost answer as
cameras do (over HTTP, and over HTTPS with a certificate signed by itself), and the app's
own open (OpenCV's FFmpeg first) reports the reason."""

from __future__ import annotations

import ctypes
import hashlib
import http.server
import itertools
import re
import socket
import socketserver
import ssl
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import cv2
import pytest

from emotion_app.sources import network_camera
from emotion_app.sources.frame_source import SourceOpenError
from emotion_app.sources.network_camera import STREAM_OPEN_TIMEOUT_MS
from emotion_app.sources.opening import open_frame_source
from emotion_app.sources.specs import CameraSpec
from emotion_app.sources.stream_probe import (
    CHECK_ADDRESS,
    PROBE_DEADLINE_S,
    PROBE_TIMEOUT_S,
    QUICK_PROBE_DEADLINE_S,
    QUICK_PROBE_TIMEOUT_S,
    ProbeAnswer,
    ffmpeg_bool,
    ffmpeg_checks_certificates,
    ffmpeg_options,
    ffmpeg_udp_alone,
    probe,
    why_not_opened,
)
from tests.rtsp_server import has_ipv6_loopback


class Answers:
    """What the fake camera answers, and the requests it saw."""

    def __init__(self) -> None:
        self.status = 200
        self.content_type = "text/html"
        # (user, password) a Digest challenge (RFC 2617, qop auth) asks for before the answer above.
        self.digest: tuple[str, str] | None = None
        # Its Digest challenges' algorithms, each a WWW-Authenticate header of its own, in
        # this order (None: none named, MD5).
        self.algorithms: tuple[str | None, ...] = (None,)
        # A Basic challenge too, before the Digest ones.
        self.basic_too = False
        # Its Digest check refuses qop and algorithm in quotes, as RFC 7616 says none are sent
        # (FFmpeg sends them so; Amcrest's cameras, for one, refuse them).
        self.strict = False
        # The RTSP camera resets the connection once it refused a password.
        self.hang_up_after_refusal = False
        # A 401 status's own WWW-Authenticate (None: none).
        self.challenge: str | None = 'Basic realm="camera"'
        self.requests: list[tuple[str, str | None]] = []  # (request line or path, Authorization)


@pytest.fixture(params=["http", "https"])
def http_camera(request: pytest.FixtureRequest) -> Iterator[tuple[str, Answers]]:
    """A camera's web server at ``http://127.0.0.1:PORT``, or ``https://`` (its certificate
    signed by itself, as cameras' are)."""
    answers = Answers()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server name
            answers.requests.append((self.path, self.headers.get("Authorization")))
            authorization = self.headers["Authorization"]
            if answers.digest is not None and (
                not digest_answered(answers.digest, answers.algorithms, authorization)
                or (answers.strict and re.search(r'(qop|algorithm)="', authorization))
            ):
                self.send_response(401)
                if answers.basic_too:
                    self.send_header("WWW-Authenticate", 'Basic realm="cam"')
                for algorithm in answers.algorithms:
                    named = f", algorithm={algorithm}" if algorithm else ""
                    self.send_header(
                        "WWW-Authenticate", f'Digest realm="cam", qop="auth", nonce="n0nce", opaque="0pq"{named}'
                    )
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(answers.status)
            self.send_header("Content-Type", answers.content_type)
            if answers.status == 401 and answers.challenge is not None:
                self.send_header("WWW-Authenticate", answers.challenge)
            body = b"<html><body>Camera settings</body></html>"
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if request.param == "https":
        tls: ssl.SSLContext = request.getfixturevalue("camera_tls")
        server.socket = tls.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"{request.param}://127.0.0.1:{server.server_address[1]}", answers
    server.shutdown()
    server.server_close()


@pytest.fixture
def rtsp_camera() -> Iterator[tuple[str, Answers]]:
    answers = Answers()
    answers.challenge = 'Digest realm="cam", nonce="abc"'

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            while self.answer():  # as cameras do, every request on the connection
                pass

        def answer(self) -> bool:
            lines = []
            while (line := self.rfile.readline(1024).decode("latin-1").rstrip("\r\n")) != "":
                lines.append(line)
            if not lines:
                return False
            authorization = next(
                (h.split(":", 1)[1].strip() for h in lines if h.lower().startswith("authorization:")), None
            )
            answers.requests.append((lines[0], authorization))
            cseq = next((h.split(":", 1)[1].strip() for h in lines if h.lower().startswith("cseq:")), "1")
            reason = {401: "Unauthorized", 404: "Stream Not Found"}.get(answers.status, "OK")
            said = answers.status == 401 and answers.challenge is not None
            extra = f"WWW-Authenticate: {answers.challenge}\r\n" if said else ""
            self.wfile.write(f"RTSP/1.0 {answers.status} {reason}\r\nCSeq: {cseq}\r\n{extra}\r\n".encode())
            if answers.status == 401 and authorization is not None and answers.hang_up_after_refusal:
                self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return False  # a reset, not a polite close
            return True

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"rtsp://127.0.0.1:{server.server_address[1]}", answers
    server.shutdown()
    server.server_close()


def md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def digest_answered(
    credentials: tuple[str, str], algorithms: tuple[str | None, ...], authorization: str | None
) -> bool:
    """Whether ``authorization`` answers one of the HTTP camera's Digest challenges (by
    ``algorithms``: MD5, MD5-sess or SHA-256, RFC 7616) with ``credentials``."""
    if authorization is None or not authorization.startswith("Digest "):
        return False
    # http.server reads headers as Latin-1; a client sends a user name's UTF-8 bytes, as FFmpeg does.
    authorization = authorization.encode("latin-1").decode("utf-8", "replace")
    fields = {
        name: quoted or bare for name, quoted, bare in re.findall(r'(\w+)=(?:"([^"]*)"|([^,\s]*))', authorization)
    }
    algorithm = fields.get("algorithm")
    if algorithm not in algorithms:
        return False
    digest = sha256 if algorithm == "SHA-256" else md5
    user, password = credentials
    secret, request = digest(f"{user}:cam:{password}"), digest(f"GET:{fields.get('uri')}")
    if algorithm == "MD5-sess":
        secret = md5(f"{secret}:n0nce:{fields.get('cnonce')}")
    expected = digest(f"{secret}:n0nce:{fields.get('nc')}:{fields.get('cnonce')}:auth:{request}")
    return fields.get("username") == user and fields.get("response") == expected and fields.get("opaque") == "0pq"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def open_error(url: str) -> str:
    with pytest.raises(SourceOpenError) as raised:
        open_frame_source(CameraSpec(-1, url=url))
    return str(raised.value)


def test_an_http_camera_that_wants_a_password_says_so_and_a_wrong_one_is_told_apart(
    http_camera: tuple[str, Answers],
) -> None:
    base, answers = http_camera
    answers.status = 401
    message = open_error(f"{base}/video")
    assert f"Could not open network camera {base}/video: it asks for a user name and password" in message
    scheme, host = base.split("://")
    assert "(HTTP 401 Unauthorized)" in message and f" {scheme}://user:password@" in message
    message = open_error(f"{scheme}://admin:s3cret@{host}/video")
    assert "did not accept the user name and password (HTTP 401 Unauthorized)" in message
    assert "s3cret" not in message  # the URL in the message is redacted
    assert answers.requests[-1] == ("/video", "Basic YWRtaW46czNjcmV0")  # admin:s3cret, as FFmpeg sends it


def test_a_refusal_that_does_not_say_how_to_log_in_is_told_as_such(http_camera: tuple[str, Answers]) -> None:
    # A 401 without a WWW-Authenticate challenge (or with an empty one) leaves FFmpeg no way
    # to send a password: it was told as "did not accept the user name and password", or
    # "asks for" them.
    base, answers = http_camera
    answers.status = 401
    scheme, host = base.split("://")
    for answers.challenge, url in itertools.product(
        (None, ""), (f"{base}/video", f"{scheme}://admin:s3cret@{host}/video")
    ):
        assert open_error(url).endswith(
            ": it refused without saying how to log in (HTTP 401 Unauthorized, with no WWW-Authenticate "
            "challenge), so OpenCV's FFmpeg can send it no password: check the stream's address in the camera's "
            "or app's instructions (some take the user name and password in it, after a ?)"
        )
    assert all(authorization is None for _, authorization in answers.requests)


def test_a_camera_that_asks_for_its_password_by_digest_is_answered(http_camera: tuple[str, Answers]) -> None:
    # Most cameras ask by Digest: the probe sent the password as Basic only, and so a wrong
    # path, the right password given, was told as "did not accept the user name and password".
    base, answers = http_camera
    answers.digest, answers.status = ("admin", "s3cret"), 404
    scheme, host = base.split("://")
    message = open_error(f"{scheme}://admin:s3cret@{host}/vidoe")
    assert "it has nothing at /vidoe (HTTP 404 Not Found): check the path" in message
    assert answers.requests[-2][1] is None  # no password until asked for
    assert "did not accept the user name and password (HTTP 401 Unauthorized)" in open_error(
        f"{scheme}://admin:wrong@{host}/video"
    )
    assert "it asks for a user name and password (HTTP 401 Unauthorized)" in open_error(f"{base}/video")


def test_a_user_name_with_no_colon_after_it_sends_no_password_as_in_ffmpeg(http_camera: tuple[str, Answers]) -> None:
    # FFmpeg sends a password only where a colon follows the user name (libavformat/httpauth.c):
    # the probe answered admin@ with an empty password, and so told of a wrong path (or "did not
    # accept" a password never given) where FFmpeg could not log in.
    base, answers = http_camera
    answers.digest, answers.status = ("admin", ""), 404
    scheme, host = base.split("://")
    assert open_error(f"{scheme}://admin@{host}/vidoe").endswith(
        ": it asks for a user name and password (HTTP 401 Unauthorized), and the address gives a user name with "
        f"no colon after it, so OpenCV's FFmpeg sends no password: write them as {scheme}://user:password@… "
        "(user:@… where the password is empty)"
    )
    assert all(authorization is None for _, authorization in answers.requests)
    assert "it has nothing at /vidoe (HTTP 404 Not Found)" in open_error(f"{scheme}://admin:@{host}/vidoe")


def test_a_camera_that_asks_by_digest_md5_sess_is_answered(http_camera: tuple[str, Answers]) -> None:
    # MD5-sess (RFC 2617 3.2.2.2) hashes the secret again with the camera's nonce and the
    # client's: FFmpeg answers it, the probe answered it as plain MD5, and a wrong path, the
    # right password given, was told as "did not accept the user name and password".
    base, answers = http_camera
    answers.digest, answers.algorithms, answers.status = ("admin", "s3cret"), ("MD5-sess",), 404
    scheme, host = base.split("://")
    message = open_error(f"{scheme}://admin:s3cret@{host}/vidoe")
    assert "it has nothing at /vidoe (HTTP 404 Not Found): check the path" in message
    assert ', algorithm="MD5-sess", ' in (answers.requests[-1][1] or "")  # in quotes, as FFmpeg writes it
    assert "did not accept the user name and password (HTTP 401 Unauthorized)" in open_error(
        f"{scheme}://admin:wrong@{host}/video"
    )


def test_a_camera_that_refuses_ffmpegs_quotes_is_told_apart_from_a_wrong_password(
    http_camera: tuple[str, Answers],
) -> None:
    # FFmpeg writes its Digest answer's qop and algorithm in quotes (qop="auth"), the probe
    # unquoted, as RFC 7616 asks: a camera that refuses the quotes let the probe in, which so
    # told of a wrong path where FFmpeg could not log in at all.
    base, answers = http_camera
    answers.digest, answers.algorithms, answers.status, answers.strict = ("admin", "s3cret"), ("MD5",), 404, True
    scheme, host = base.split("://")
    assert open_error(f"{scheme}://admin:s3cret@{host}/vidoe").endswith(
        ": it refuses the user name and password as OpenCV's FFmpeg writes them (HTTP 401 Unauthorized), with "
        "Digest's qop and algorithm in quotes, though it takes them unquoted, as RFC 7616 asks: the password is "
        "right, but FFmpeg cannot log in to it (allow Basic in the camera's settings, where it has that)"
    )
    assert ', algorithm="MD5", ' in str(answers.requests[-2][1]) and ', qop="auth", ' in str(answers.requests[-2][1])
    assert "did not accept the user name and password (HTTP 401 Unauthorized)" in open_error(
        f"{scheme}://admin:wrong@{host}/video"
    )
    answers.strict = False
    assert "it has nothing at /vidoe (HTTP 404 Not Found)" in open_error(f"{scheme}://admin:s3cret@{host}/vidoe")


def test_a_huge_challenge_is_read_in_a_moment(http_camera: tuple[str, Answers]) -> None:
    # A challenge's fields were found by a pattern that took time growing with the square of
    # its length: one 20,000 characters long held the probe (and Python's lock, the window
    # with it) for seconds on end, each time it was read.
    base, answers = http_camera
    answers.status, answers.challenge = 401, "Digest " + "a" * 20_000
    scheme, host = base.split("://")
    for url in (f"{base}/video", f"{scheme}://admin:s3cret@{host}/video"):
        began = time.monotonic()
        reason = why_not_opened(url)
        assert time.monotonic() - began < 2.0, reason  # about 5 s a reading before
        assert reason.startswith(("it asks for a user name and password", "it did not accept the user name"))


def test_a_check_ffmpeg_cannot_answer_is_named_not_told_as_a_wrong_password(
    http_camera: tuple[str, Answers],
) -> None:
    # FFmpeg answers Digest MD5 (and MD5-sess) and Basic only: a camera asking by Digest
    # SHA-256 (RFC 7616) alone, or by another scheme, was told as "did not accept the user
    # name and password", or "asks for" them where none was given, and no password opens it.
    base, answers = http_camera
    answers.digest, answers.algorithms = ("admin", "s3cret"), ("SHA-256",)
    scheme, host = base.split("://")
    cannot = "which OpenCV's FFmpeg cannot answer (HTTP 401 Unauthorized)"
    settings = "allow Digest MD5 or Basic in the camera's settings"
    for url in (f"{scheme}://admin:s3cret@{host}/video", f"{base}/video"):
        assert open_error(url).endswith(f": it asks for its password by Digest SHA-256, {cannot}: {settings}")
    assert all(authorization is None for _, authorization in answers.requests)  # as FFmpeg: none sent
    answers.digest, answers.status, answers.challenge = None, 401, 'Negotiate realm="cam"'
    assert open_error(f"{scheme}://admin:s3cret@{host}/video").endswith(f"by Negotiate, {cannot}: {settings}")


def test_digest_md5_spelt_otherwise_is_not_told_to_be_allowed(http_camera: tuple[str, Answers]) -> None:
    # FFmpeg matches the algorithm's name letter for letter: OpenCV's sends no password where
    # the camera names it "md5". The advice was "allow Digest MD5 or Basic", MD5 being on.
    base, answers = http_camera
    answers.digest, answers.algorithms = ("admin", "s3cret"), ("md5",)
    scheme, host = base.split("://")
    assert open_error(f"{scheme}://admin:s3cret@{host}/video").endswith(
        ": it asks for its password by Digest md5, which OpenCV's FFmpeg cannot answer (HTTP 401 Unauthorized): "
        "FFmpeg knows it only spelt MD5, as RFC 2617 writes it, so allow Basic in the camera's settings, where it "
        "has that"
    )
    assert all(authorization is None for _, authorization in answers.requests)


def test_of_several_digest_challenges_the_last_is_taken_up_as_ffmpeg_does(http_camera: tuple[str, Answers]) -> None:
    # FFmpeg takes up each Digest challenge in turn, the last replacing the ones before
    # (libavformat/httpauth.c): MD5 after SHA-256 is answered, and SHA-256 after MD5 is not.
    # The probe answered the first MD5 one, and so told of a wrong path where FFmpeg could
    # not log in at all.
    base, answers = http_camera
    answers.digest, answers.algorithms, answers.status = ("admin", "s3cret"), ("SHA-256", "MD5"), 404
    scheme, host = base.split("://")
    url = f"{scheme}://admin:s3cret@{host}/vidoe"
    assert "it has nothing at /vidoe (HTTP 404 Not Found): check the path" in open_error(url)
    assert ', algorithm="MD5", ' in (answers.requests[-1][1] or "")
    answers.algorithms = ("MD5", "SHA-256")
    assert open_error(url).endswith(
        ": it asks for its password by Digest SHA-256, which OpenCV's FFmpeg cannot answer (HTTP 401 "
        "Unauthorized): it offers Digest MD5 too, but FFmpeg takes up only the last Digest challenge, so turn "
        "Digest SHA-256 off in the camera's settings"
    )


def test_basic_offered_beside_digest_sha_256_is_not_told_to_be_allowed(http_camera: tuple[str, Answers]) -> None:
    # FFmpeg takes up a Digest challenge over a Basic one, in either order (libavformat/
    # httpauth.c), and OpenCV's sends no password to Basic beside Digest SHA-256: the advice was
    # "allow Digest MD5 or Basic in the camera's settings", Basic being allowed already.
    base, answers = http_camera
    answers.digest, answers.algorithms, answers.basic_too = ("admin", "s3cret"), ("SHA-256",), True
    scheme, host = base.split("://")
    assert open_error(f"{scheme}://admin:s3cret@{host}/video").endswith(
        ": it asks for its password by Digest SHA-256, which OpenCV's FFmpeg cannot answer (HTTP 401 "
        "Unauthorized): it offers Basic too, but FFmpeg takes up a Digest challenge over Basic, so turn Digest "
        "SHA-256 off in the camera's settings"
    )
    assert all(authorization is None for _, authorization in answers.requests)


def test_a_user_name_beyond_latin_1_is_answered_by_digest(http_camera: tuple[str, Answers]) -> None:
    # The Digest answer names the user in a header, which http.client would write in Latin-1
    # only: "Łukasz" raised out of the probe (UnicodeEncodeError) instead of a reason.
    base, answers = http_camera
    answers.digest, answers.status = ("Łukasz", "hasło"), 404
    scheme, host = base.split("://")
    user, password = quote("Łukasz"), quote("hasło")
    message = open_error(f"{scheme}://{user}:{password}@{host}/vidoe")
    assert "it has nothing at /vidoe (HTTP 404 Not Found): check the path" in message
    assert "hasło" not in message and password not in message


def test_a_path_beyond_ascii_is_asked_for_as_ffmpeg_asks(http_camera: tuple[str, Answers]) -> None:
    # http.client writes the request line in ASCII only: "/vidéo" raised out of the probe
    # (UnicodeEncodeError) instead of a reason. FFmpeg sends the path's UTF-8 bytes.
    base, answers = http_camera
    answers.status = 404
    message = open_error(f"{base}/vidéo?name=ö")
    assert "it has nothing at /vidéo (HTTP 404 Not Found): check the path" in message
    assert answers.requests[-1][0] == "/vid%C3%A9o?name=%C3%B6"


def test_a_probe_that_fails_itself_still_ends_in_a_reason(
    http_camera: tuple[str, Answers], caplog: pytest.LogCaptureFixture
) -> None:
    # A user name with a line break in it (%0D%0A) makes the Digest answer an invalid header:
    # http.client's ValueError escaped the open (and would have ended a reconnect's thread).
    base, answers = http_camera
    answers.digest = ("admin", "s3cret")
    scheme, host = base.split("://")
    url = f"{scheme}://a%0D%0AX:s3cret@{host}/video"
    message = open_error(url)
    assert message == (
        f"Could not open network camera {scheme}://a%0D%0AX:***@{host}/video: no answer, or not a video "
        "stream (check the address, and that the camera or app is on and on this network)"
    )
    assert "s3cret" not in caplog.text and "a\r\nX" not in caplog.text


def test_a_wrong_path_and_a_web_page_are_named(http_camera: tuple[str, Answers]) -> None:
    base, answers = http_camera
    answers.status = 404
    assert "it has nothing at /vidoe (HTTP 404 Not Found): check the path" in open_error(f"{base}/vidoe")
    answers.status = 200
    assert "/ is a web page, not a video stream" in open_error(f"{base}/")
    answers.content_type = "application/json"
    assert "sends no video stream OpenCV's FFmpeg can read there (HTTP 200 OK, application/json)" in open_error(
        f"{base}/status"
    )


def test_an_rtsp_camera_is_asked_with_describe(rtsp_camera: tuple[str, Answers]) -> None:
    base, answers = rtsp_camera
    answers.status = 401
    assert "it asks for a user name and password (RTSP 401 Unauthorized)" in why_not_opened(f"{base}/live")
    assert "did not accept the user name and password (RTSP 401 Unauthorized)" in why_not_opened(
        f"rtsp://admin:pw@{base.split('://')[1]}/live"
    )
    # The request line never carries the password, nor the first request (as FFmpeg's): the
    # second answers the camera's Digest challenge, the password hashed in (RFC 2617).
    first, second = answers.requests[-2:]
    assert first == (f"DESCRIBE {base}/live RTSP/1.0", None) and second[0] == first[0]
    response = md5(f"{md5('admin:cam:pw')}:abc:{md5(f'DESCRIBE:{base}/live')}")
    assert second[1] == f'Digest username="admin", realm="cam", nonce="abc", uri="{base}/live", response="{response}"'
    answers.status, answers.challenge = 401, None  # no way to log in named: no password sent
    assert why_not_opened(f"rtsp://admin:pw@{base.split('://')[1]}/live").startswith(
        "it refused without saying how to log in (RTSP 401 Unauthorized, with no WWW-Authenticate challenge)"
    )
    assert answers.requests[-1][1] is None
    answers.status = 404
    assert "it has nothing at /live (RTSP 404 Stream Not Found)" in why_not_opened(
        f"rtsp://admin:pw@{base.split('://')[1]}/live"
    )


def test_an_rtsp_camera_that_hangs_up_after_a_wrong_password_is_still_told_it(
    rtsp_camera: tuple[str, Answers],
) -> None:
    # The password refused as FFmpeg writes its answer, the probe asks once more as RFC 7616
    # writes it: a camera that resets the connection then (as some do after a failed login)
    # raised out of that ask, and a wrong password was told as "gives no RTSP answer".
    base, answers = rtsp_camera
    answers.status, answers.challenge = 401, 'Digest realm="cam", nonce="abc", qop="auth"'
    answers.hang_up_after_refusal = True
    reason = why_not_opened(f"rtsp://admin:wrong@{base.split('://')[1]}/live")
    assert reason == "it did not accept the user name and password (RTSP 401 Unauthorized): check them"


def test_a_port_nobody_listens_on_and_a_silent_server_are_told_apart() -> None:
    with socket.socket() as free:  # a port that was free a moment ago: nothing listens there
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    assert f"127.0.0.1 is there, but nothing listens on port {port}" in why_not_opened(f"http://127.0.0.1:{port}/video")
    with socket.socket() as silent:  # accepts connections (the backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        port = silent.getsockname()[1]
        reason = why_not_opened(f"rtsp://127.0.0.1:{port}/live", timeout_s=0.3)
    assert reason == f"127.0.0.1 accepts a connection on port {port} but gives no RTSP answer"
    assert why_not_opened("http://127.0.0.1:notaport/video") == "its port is not a number"
    # UDP streams have no connection to try: the reason stays general.
    assert why_not_opened(f"udp://127.0.0.1:{port}").startswith("no answer, or not a video stream (check the address")


@pytest.mark.skipif(not has_ipv6_loopback(), reason="this machine has no IPv6 loopback (::1)")
def test_an_ipv6_cameras_address_keeps_its_brackets_in_requests_and_reasons() -> None:
    # The HTTP probe's Host header read "::1" as host ":" and port 1 ("Host: [:]:1"), its
    # check for plain HTTP asked of an HTTPS address sent "Host: ::1", and the reasons named
    # "::1 is there, but nothing listens on port N".
    hosts: list[str | None] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server name
            hosts.append(self.headers["Host"])
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_HEAD = do_GET  # noqa: N815 - the http.server name

        def log_message(self, *args: object) -> None:
            pass

    class Server(http.server.ThreadingHTTPServer):
        address_family = socket.AF_INET6

    server = Server(("::1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        reason = why_not_opened(f"http://[::1]:{port}/vidoe")
        assert reason.startswith("it has nothing at /vidoe (HTTP 404 Not Found)")
        assert hosts == [f"[::1]:{port}"]  # as FFmpeg writes it
        reason = why_not_opened(f"https://[::1]:{port}/video")
        assert reason == f"it speaks plain HTTP on port {port}, not HTTPS: the address should begin with http://"
        assert hosts[1:] == ["[::1]"]
    finally:
        server.shutdown()
        server.server_close()
    assert why_not_opened(f"rtsp://[::1]:{port}/live").startswith(f"[::1] is there, but nothing listens on port {port}")
    with socket.socket(socket.AF_INET6) as silent:  # accepts connections (the backlog), never answers
        silent.bind(("::1", 0))
        silent.listen(4)
        port = silent.getsockname()[1]
        reason = why_not_opened(f"rtsp://[::1]:{port}/live", timeout_s=0.3)
    assert reason == f"[::1] accepts a connection on port {port} but gives no RTSP answer"


def test_a_camera_that_never_answers_is_asked_again_only_briefly(monkeypatch: pytest.MonkeyPatch) -> None:
    # FFmpeg waits out its open timeout here; the probe after it waits only QUICK_PROBE_TIMEOUT_S.
    # The probe is timed on its own: FFmpeg's own wait, on a loaded machine, varies by more
    # than the half second the quick probe saves.
    probes: list[tuple[float, float, float]] = []  # (step timeout, deadline, seconds taken)

    def timed_probe(
        url: str, timeout_s: float, waited_s: float | None, deadline_s: float, cancelled: Callable[[], bool]
    ) -> ProbeAnswer:
        began = time.monotonic()
        try:
            return probe(url, timeout_s, waited_s, deadline_s, cancelled)
        finally:
            probes.append((timeout_s, deadline_s, time.monotonic() - began))

    monkeypatch.setattr(network_camera, "probe", timed_probe)
    with socket.socket() as silent:  # accepts connections (the backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        port = silent.getsockname()[1]
        url = f"http://127.0.0.1:{port}/video"
        began = time.monotonic()
        message = open_error(url)
        waited = time.monotonic() - began
    said = f"127.0.0.1 accepts a connection on port {port} but gives no HTTP answer"
    assert message == f"Could not open network camera {url}: {said}"
    assert [call[:2] for call in probes] == [(QUICK_PROBE_TIMEOUT_S, QUICK_PROBE_DEADLINE_S)]
    assert probes[0][2] < PROBE_TIMEOUT_S  # the full probe waits PROBE_TIMEOUT_S for the answer
    assert waited < STREAM_OPEN_TIMEOUT_MS / 1000.0 + PROBE_DEADLINE_S + 3.0  # not waiting for good


def test_http_asked_of_an_https_camera_and_the_other_way_round_is_named(http_camera: tuple[str, Answers]) -> None:
    # Was "127.0.0.1 accepts a connection on port N but gives no HTTP answer" (or HTTPS).
    base, answers = http_camera
    answers.content_type = "multipart/x-mixed-replace; boundary=frame"
    scheme, host = base.split("://")
    other = {"http": "https", "https": "http"}[scheme]
    port = host.split(":")[1]
    spoken = {"http": "plain HTTP", "https": "HTTPS"}
    assert open_error(f"{other}://{host}/video") == (
        f"Could not open network camera {other}://{host}/video: it speaks {spoken[scheme]} on port {port}, not "
        f"{spoken[other]}: the address should begin with {scheme}://"
    )


def test_http_asked_of_a_web_servers_https_port_that_answers_400_is_named(camera_tls: ssl.SSLContext) -> None:
    # nginx (and Apache) answer plain HTTP on their HTTPS port with 400 Bad Request rather
    # than hang up: it was told as "it answered HTTP 400 Bad Request".
    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            connection: socket.socket = self.request
            try:
                if connection.recv(1, socket.MSG_PEEK) == b"\x16":  # a TLS handshake begins
                    connection = camera_tls.wrap_socket(connection, server_side=True)
                request = b""
                while b"\r\n\r\n" not in request and (data := connection.recv(4096)):
                    request += data
                if isinstance(connection, ssl.SSLSocket):
                    connection.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    return
                said = b"The plain HTTP request was sent to HTTPS port"
                body = b"<html><head><title>400 " + said + b"</title></head><body><center>" + said + b"</center>"
                connection.sendall(
                    b"HTTP/1.1 400 Bad Request\r\nServer: nginx\r\nContent-Type: text/html\r\n"
                    + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                    + body
                )
            except OSError:  # the probe hung up after the handshake
                pass

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        url = f"http://127.0.0.1:{port}/video"
        assert open_error(url) == (
            f"Could not open network camera {url}: it speaks HTTPS on port {port}, not plain HTTP: the address "
            "should begin with https://"
        )
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def slow_camera(delay_s: float, trickle_s: float = 0.0) -> Iterator[int]:
    """A camera on 127.0.0.1 that asks for a password by Digest (qop auth) in every answer,
    over HTTP or RTSP as asked, each answer ``delay_s`` after the request and each of its
    bytes ``trickle_s`` after the one before (a camera busy, or on a poor link); its port."""

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            while True:  # RTSP: every request on the connection; HTTP: one
                lines = []
                while line := self.rfile.readline(1024).decode("latin-1").rstrip("\r\n"):
                    lines.append(line)
                if not lines:
                    return
                protocol = lines[0].rsplit(" ", 1)[-1].partition("/")[0]
                cseq = next((h.split(":", 1)[1].strip() for h in lines if h.lower().startswith("cseq:")), "1")
                answer = (
                    f"{protocol}/1.0 401 Unauthorized\r\nCSeq: {cseq}\r\n"
                    'WWW-Authenticate: Digest realm="cam", nonce="abc", qop="auth"\r\nContent-Length: 0\r\n\r\n'
                ).encode()
                time.sleep(delay_s)
                try:
                    for at in range(0, len(answer), 1 if trickle_s else len(answer)):
                        self.wfile.write(answer[at : at + (1 if trickle_s else len(answer))])
                        time.sleep(trickle_s)
                except OSError:  # the probe gave up and hung up
                    return
                if protocol == "HTTP":
                    return

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("scheme", ["http", "rtsp"])
def test_a_camera_that_answers_each_step_slowly_is_given_up_at_the_probes_deadline(scheme: str) -> None:
    # Each step waited up to its own timeout, so a camera answering each just inside it held
    # the probe for as many timeouts as it took steps: the first ask, the Digest answer (over
    # HTTP on a connection of its own) and the ask as RFC 7616 writes it, 3 * 2 s here;
    # the deadline cuts the Digest answer, before the password's fate is known.
    step_s, deadline_s = 2.5, 3.0
    with slow_camera(delay_s=2.0) as port:
        began = time.monotonic()
        reason = why_not_opened(f"{scheme}://admin:wrong@127.0.0.1:{port}/live", step_s, deadline_s=deadline_s)
        took_s = time.monotonic() - began
    assert reason == f"it did not answer in time, within {deadline_s:g} s {CHECK_ADDRESS}"
    assert deadline_s <= took_s < deadline_s + 1.5  # slack for a loaded machine; 3 asks took 6 s and more


@pytest.mark.parametrize("scheme", ["http", "rtsp"])
def test_a_camera_that_trickles_its_answer_is_given_up_at_the_probes_deadline(scheme: str) -> None:
    # A timeout bounds each read, not the answer: a byte every 50 ms kept the probe reading
    # its answer's lines for seconds.
    with slow_camera(delay_s=0.0, trickle_s=0.05) as port:
        began = time.monotonic()
        reason = why_not_opened(f"{scheme}://127.0.0.1:{port}/live", 0.3, deadline_s=0.6)
        took_s = time.monotonic() - began
    assert reason == f"it did not answer in time, within 0.6 s {CHECK_ADDRESS}"
    assert 0.6 <= took_s < 2.6  # slack for a loaded machine; the whole answer took 6 s


def test_the_apps_own_open_gives_the_probe_its_deadline() -> None:
    # A camera trickling its answers (a byte every 30 ms, 3 s and more an answer): each of the
    # probe's reads is inside its step, the answer would take seconds, were it not for the
    # deadline. (One answering each ask in 0.8 s has refused the password before it: told.)
    with slow_camera(delay_s=0.0, trickle_s=0.03) as port:
        url = f"rtsp://admin:wrong@127.0.0.1:{port}/live"
        message = open_error(url)
    shown = url.replace(":wrong@", ":***@")
    # On a loaded machine FFmpeg's refusals may outlast its whole open, after which the probe
    # gets the quick deadline: either is the probe's deadline told.
    assert message in {
        f"Could not open network camera {shown}: it did not answer in time, within {deadline:g} s {CHECK_ADDRESS}"
        for deadline in (PROBE_DEADLINE_S, QUICK_PROBE_DEADLINE_S)
    }


@pytest.mark.parametrize("scheme", ["http", "rtsp"])
def test_a_password_refused_before_the_deadline_is_told_though_the_last_check_is_cut(scheme: str) -> None:
    # The camera refused the password twice (0.35 s an answer); only the last ask, whether it
    # takes it written as RFC 7616 writes it, ran past the deadline. Was: "it did not answer
    # in time (check the address, and that the camera ... is on)", though it had answered.
    reasons = []
    for delay_s in (0.35, 0.0):
        with slow_camera(delay_s=delay_s) as port:
            reason = why_not_opened(f"{scheme}://admin:wrong@127.0.0.1:{port}/live", 0.5, deadline_s=0.8)
            reasons.append(reason.replace(f":{port}", ":PORT").replace(f" {port} ", " PORT "))
    slow, quick = reasons
    assert "did not answer in time" not in quick, quick
    assert slow == quick


def _libavutil() -> ctypes.CDLL | None:
    """The libavutil OpenCV's FFmpeg runs on, where OpenCV's wheel bundles it beside itself."""
    found = sorted(Path(cv2.__file__).resolve().parents[1].glob("opencv_python*.libs/libavutil*.so*"))
    return ctypes.CDLL(str(found[0])) if found else None


def _read_by_ffmpeg(libavutil: ctypes.CDLL, text: str) -> dict[str, str]:
    """The options FFmpeg itself takes from ``text``, as OpenCV hands it the variable."""

    class Entry(ctypes.Structure):
        _fields_ = [("key", ctypes.c_char_p), ("value", ctypes.c_char_p)]

    libavutil.av_dict_get.restype = ctypes.POINTER(Entry)
    libavutil.av_dict_get.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(Entry), ctypes.c_int]
    libavutil.av_dict_parse_string.argtypes = [
        ctypes.POINTER(ctypes.c_void_p),
        ctypes.c_char_p,
        ctypes.c_char_p,
        ctypes.c_char_p,
        ctypes.c_int,
    ]
    libavutil.av_dict_free.argtypes = [ctypes.POINTER(ctypes.c_void_p)]
    options = ctypes.c_void_p()
    libavutil.av_dict_parse_string(ctypes.byref(options), text.encode(), b";", b"|", 0)  # its error ignored, as OpenCV
    read: dict[str, str] = {}
    entry = ctypes.POINTER(Entry)()
    while entry := libavutil.av_dict_get(options, b"", entry, 2):  # AV_DICT_IGNORE_SUFFIX: each in turn
        read[entry.contents.key.decode()] = entry.contents.value.decode()
    libavutil.av_dict_free(ctypes.byref(options))
    return read


def test_ffmpeg_options_from_the_environment_are_read_as_ffmpeg_reads_them() -> None:
    # The probe split the variable at "|" and ";" as they came: " tls_verify;1", which
    # FFmpeg reads as tls_verify, went unseen, so a certificate FFmpeg refuses was taken.
    libavutil = _libavutil()
    if libavutil is None:
        pytest.skip("OpenCV's FFmpeg libraries are not beside it (not the opencv-python wheel)")
    for text in (
        "tls_verify;1",
        " tls_verify;1",
        "tls_verify ; 1 |\tca_file; /a b.pem \r\n",
        "tls_verify;0|tls_verify;1",
        "tls_verify;1||ca_file;/c.pem",
        "tls_verify;|ca_file;/c.pem",
        "tls_verify|ca_file;/c.pem",
        ";1|tls_verify;1",
        "tls_verify;1|",
        "tls_verify;1| ",
        " ",
        "",
        "'tls_verify';'1'|ca_file;' /quoted ; | path '",
        r"ca_file;/a\|b\;c\ |tls_verify;1",
        "ca_file;'unclosed | tls_verify;1",
        "ca_file;\\",
        "rtsp_flags;prefer_tcp|rtsp_transport;tcp;udp",
    ):
        assert ffmpeg_options(text) == _read_by_ffmpeg(libavutil, text), text


def test_a_certificate_check_asked_for_with_spaces_is_heard_by_the_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    for text in (" tls_verify;1", "tls_verify ;1 ", "'tls_verify';1|ca_file; /etc/camera.pem "):
        monkeypatch.setenv("OPENCV_FFMPEG_CAPTURE_OPTIONS", text)
        assert ffmpeg_checks_certificates()[0], text
    assert ffmpeg_checks_certificates()[1] == "/etc/camera.pem"
    monkeypatch.setenv("OPENCV_FFMPEG_CAPTURE_OPTIONS", "tls_verify;|ca_file;/etc/camera.pem|tls_verify;1")
    assert ffmpeg_checks_certificates() == (False, None)  # FFmpeg stops at the empty value


def test_a_certificate_check_is_read_in_every_spelling_ffmpeg_takes(monkeypatch: pytest.MonkeyPatch) -> None:
    # Only "1" was heard as on, but FFmpeg reads tls_verify as a boolean: "01", "+1" or
    # "yes" checked the certificate while the probe took it. What it reads as what was
    # found with OpenCV's FFmpeg and an HTTPS camera (tests/test_network_camera_https.py).
    on = ("1", "01", "+1", " 1", "\t+001", "true", "TRUE", "On", "y", "enabled", "4294967297")
    off = ("0", "00", "-0", "+0", "false", "No", "OFF", "disable", "4294967296")
    refused = ("2", "-1", "0x1", "1.0", "0.6", "1e0", "max", "auto", "abc", "1 0", "1 ", "99999999999999999999")
    for value in on + off + refused:
        expected = True if value in on else False if value in off else None
        assert ffmpeg_bool(value) is expected, value
    for text, verify in (("tls_verify;01", True), ("tls_verify; +1 ", True), ("tls_verify;yes", True)):
        monkeypatch.setenv("OPENCV_FFMPEG_CAPTURE_OPTIONS", text)
        assert ffmpeg_checks_certificates()[0] is verify, text
    monkeypatch.setenv("OPENCV_FFMPEG_CAPTURE_OPTIONS", "tls_verify;2|ca_file;/etc/camera.pem")
    assert ffmpeg_checks_certificates() == (None, "/etc/camera.pem")


def test_the_certificates_file_is_heard_under_both_names_ffmpeg_takes(monkeypatch: pytest.MonkeyPatch) -> None:
    # FFmpeg's TLS options have "cafile" for "ca_file" too: the probe checked the camera
    # against the system's certificates where FFmpeg used the file named.
    monkeypatch.setenv("OPENCV_FFMPEG_CAPTURE_OPTIONS", "tls_verify;1|cafile;/etc/camera.pem")
    assert ffmpeg_checks_certificates() == (True, "/etc/camera.pem")
    monkeypatch.setenv("OPENCV_FFMPEG_CAPTURE_OPTIONS", "ca_file;/a.pem|tls_verify;1|cafile;/b.pem")
    assert ffmpeg_checks_certificates() == (True, "/b.pem")


def test_udp_alone_is_heard_only_where_rtsp_transport_leaves_ffmpeg_no_tcp(monkeypatch: pytest.MonkeyPatch) -> None:
    for options, udp_alone in (
        ("rtsp_transport;udp", "udp"),
        ("tls_verify;0| rtsp_transport ; udp_multicast ", "udp_multicast"),
        ("rtsp_transport;udp+tcp", None),
        ("rtsp_transport;tcp", None),
        ("rtsp_transport;udp+http", None),
        ("rtsp_flags;prefer_tcp", None),
        ("", None),
    ):
        monkeypatch.setenv("OPENCV_FFMPEG_CAPTURE_OPTIONS", options)
        assert ffmpeg_udp_alone() == udp_alone, options
