"""A network camera for the tests: a real HTTP (or HTTPS) server on localhost sending a
video's frames as an MJPEG stream (multipart/x-mixed-replace), as IP cameras and phone
camera apps do."""

from __future__ import annotations

import base64
import hashlib
import http.server
import re
import select
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Sequence
from io import BufferedIOBase
from pathlib import Path

import cv2
import numpy as np

from emotion_app.samples import read_video


class MjpegCamera:
    """Serves ``video``'s frames, looped, at ``fps`` on ``http://127.0.0.1:PORT/video``.

    :meth:`unplug` ends every stream and refuses new ones, as a camera switched off would;
    :meth:`plug_in` switches it on again. :meth:`stall` makes the streams stop sending and
    keep their connections open, as a camera whose network went quiet does. :meth:`glitch`
    sends bytes of its own between two frames of every stream (garbage, a part's header
    that lies), as a camera with a bug or a flaky link may. ``fps`` 0: each frame as soon as
    the one before is taken (a sender faster than the app); ``sent`` then counts the frames
    sent. ``drip_s``: each stream, once its HTTP answer is sent, sends its frames one byte
    every ``drip_s`` seconds (a link too slow for a frame, or a camera that stalls).
    ``tls``: served over HTTPS with that context (see :func:`server_tls`), at ``https://``.
    A frame given as bytes is sent as they are, as its JPEG (a damaged one, as a flaky link
    delivers it).
    ``intervals``: the seconds each stream waits after each of its frames, in turn (looped;
    ``fps`` then unused), as a camera in a snapshot or timelapse mode sends them.
    ``first_after_s``: each stream sends its first frame that long after its answer, as
    such a camera does that sends a frame only when its interval comes round.
    ``answer_after_s``: each request (a redirect's and a password's too) is answered that
    long after it came, as a camera, or a link, slow to answer does.
    ``password``: a user name and password the camera asks for by Basic (401 until given);
    ``digest``: by Digest (MD5, qop auth) instead.
    ``chunked``: each stream sent in HTTP/1.1 chunks (Transfer-Encoding: chunked), a chunk
    each for a part's boundary and headers, its JPEG and the line end after it, as the
    ESP32-CAM's example firmware sends them; a glitch is then sent outside the chunks.
    ``lengths``: False sends each part with no Content-Length (it runs to the next boundary),
    as some cameras do.
    ``boundary``: the boundary its Content-Type names (None: none) and the line that begins
    each part, as cameras write them, RFC 2046's way ("frame", "--frame") or otherwise.
    :attr:`earlier_types`: Content-Types its streams' answers send before their own.
    :attr:`redirects` maps a path to the status and Location it is answered with (a camera
    moved, or one whose stream is at another address); :attr:`asked` lists each request's
    path, Host and Authorization (empty where none), as received.
    """

    def __init__(
        self,
        video: Path | None = None,
        fps: float = 30.0,
        frames: Sequence[np.ndarray | bytes] | None = None,
        drip_s: float = 0.0,
        tls: ssl.SSLContext | None = None,
        intervals: Sequence[float] = (),
        password: tuple[str, str] | None = None,
        digest: bool = False,
        chunked: bool = False,
        lengths: bool = True,
        boundary: tuple[str | None, str] = ("frame", "--frame"),
        first_after_s: float = 0.0,
        answer_after_s: float = 0.0,
    ) -> None:
        self.frames: list[np.ndarray | bytes] = list(
            frames if frames is not None else read_video(video) if video else []
        )
        self.fps = fps
        self.intervals = list(intervals)
        self.drip_s = drip_s
        self.refused = 0  # requests answered 401 (no password, or a wrong one)
        # A list of Locations is sent as that many Location headers, in order.
        self.redirects: dict[str, tuple[int, str | list[str]]] = {}
        # Content-Types a stream's answer sends before its own (a camera that sends two).
        self.earlier_types: list[str] = []
        self.asked: list[tuple[str, str, str]] = []
        credentials = base64.b64encode(":".join(password).encode()).decode() if password else None
        self.sent = 0  # frames written to the streams so far, all of them together
        self.streams = 0  # streams answered so far (each a connection of the reader's)
        self._glitches: list[bytes] = []  # sent once by every stream, in turn, between frames
        self._connections: list[socket.socket] = []  # of every stream answered
        self._on = threading.Event()
        self._on.set()
        self._stalled = threading.Event()
        self._mid_frame = False
        self._held: list[socket.socket] = []  # the connections of streams stalled
        camera = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if chunked else "HTTP/1.0"  # no chunks in HTTP/1.0

            def do_GET(self) -> None:  # noqa: N802 - the http.server name
                said = self.headers.get("Authorization") or ""
                camera.asked.append((self.path, self.headers.get("Host") or "", said))
                time.sleep(answer_after_s)
                if self.path in camera.redirects:
                    status, location = camera.redirects[self.path]
                    self.send_response(status)
                    for each in [location] if isinstance(location, str) else location:
                        self.send_header("Location", each)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.path != "/video" or not camera._on.is_set():
                    self.send_error(404)
                    return
                let_in = _digest_answered(said, password) if digest else said == f"Basic {credentials}"
                if password is not None and not let_in:
                    camera.refused += 1
                    self.send_response(401)
                    challenge = (
                        f'Digest realm="camera", nonce="{_NONCE}", qop="auth"' if digest else 'Basic realm="camera"'
                    )
                    self.send_header("WWW-Authenticate", challenge)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                named, line = boundary
                kind = "multipart/x-mixed-replace" + (f"; boundary={named}" if named is not None else "")
                for earlier in camera.earlier_types:
                    self.send_header("Content-Type", earlier)
                self.send_header("Content-Type", kind)
                if chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                # Those sent before this stream began are not its own: counted before the
                # stream is, so that a glitch sent once it is counted is its own.
                glitches = len(camera._glitches)
                camera.streams += 1
                camera._connections.append(self.connection)
                index = 0
                try:
                    time.sleep(first_after_s)
                    while camera._on.is_set():
                        jpeg = _jpeg(camera.frames[index % len(camera.frames)])
                        length = b"Content-Length: %d\r\n" % len(jpeg) if lengths else b""
                        part = b"%s\r\nContent-Type: image/jpeg\r\n%s\r\n" % (line.encode(), length)
                        if chunked:  # an extension on the first, as a size line may carry
                            part = b"%x;part=1\r\n%s\r\n" % (len(part), part)
                            part += b"%x\r\n%s\r\n2\r\n\r\n\r\n" % (len(jpeg), jpeg)
                        else:
                            part += jpeg + b"\r\n"
                        while glitches < len(camera._glitches):
                            self.wfile.write(camera._glitches[glitches])
                            glitches += 1
                        if camera.drip_s > 0:
                            if not camera._drip(self.connection, self.wfile, part):
                                return
                            index += 1
                            continue
                        if camera._stalled.is_set():
                            half = part[: len(part) // 2] if camera._mid_frame else b""
                            camera._hold(self.connection, self.wfile, half)
                            return
                        self.wfile.write(part)
                        camera.sent += 1
                        index += 1
                        if camera.intervals:
                            time.sleep(camera.intervals[(index - 1) % len(camera.intervals)])
                        elif camera.fps > 0:
                            time.sleep(1.0 / camera.fps)
                except (BrokenPipeError, ConnectionResetError, ssl.SSLError):  # the reader went
                    pass

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._scheme = "https" if tls else "http"
        if tls is not None:
            # The handshake on the connection's own thread, at its first read: done as it is
            # accepted, one client that never shakes hands would hold up every other.
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True, do_handshake_on_connect=False)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"{self._scheme}://127.0.0.1:{self._server.server_address[1]}/video"

    def unplug(self) -> None:
        self._on.clear()

    def plug_in(self) -> None:
        self._on.set()

    def glitch(self, data: bytes) -> None:
        """Make every stream send ``data`` once, before its next frame."""
        self._glitches.append(data)

    def _drip(self, connection: socket.socket, wfile: BufferedIOBase, part: bytes) -> bool:
        """Send ``part`` a byte at a time; False where the stream ended meanwhile."""
        for byte in range(len(part)):
            if not self._on.is_set() or not self.is_open(connection):
                return False
            wfile.write(part[byte : byte + 1])
            wfile.flush()
            time.sleep(self.drip_s)
        return True

    @property
    def open_streams(self) -> int:
        """The streams answered whose reader has not closed its connection (nor the server)."""
        return sum(self.is_open(connection) for connection in self._connections)

    def all_closed_within(self, timeout_s: float) -> bool:
        """Whether every stream's connection is closed within ``timeout_s`` seconds."""
        until = time.monotonic() + timeout_s
        while self.open_streams:
            if time.monotonic() > until:
                return False
            time.sleep(0.02)
        return True

    def stall(self, mid_frame: bool = False) -> None:
        """Stop sending on every stream and keep its connection open (``mid_frame``: after
        half a frame, else between two frames) until :meth:`close`."""
        self._mid_frame = mid_frame
        self._stalled.set()

    def _hold(self, connection: socket.socket, wfile: BufferedIOBase, half: bytes) -> None:
        if half:
            wfile.write(half)
        self._held.append(connection)
        while self._on.is_set() and self.is_open(connection):
            time.sleep(0.02)

    @property
    def held_streams(self) -> int:
        """The stalled streams whose reader has not closed its connection."""
        return sum(self.is_open(connection) for connection in self._held)

    @property
    def stalled_streams(self) -> int:
        """The streams stalled so far, closed since or not."""
        return len(self._held)

    @staticmethod
    def is_open(connection: socket.socket) -> bool:
        """Whether the other end still holds ``connection`` (it has not closed it)."""
        try:
            readable, _, _ = select.select([connection], [], [], 0)
            # Peeked at below TLS (an SSL socket peeks at nothing): the connection's own bytes.
            return not readable or socket.socket.recv(connection, 1, socket.MSG_PEEK) != b""
        except (OSError, ValueError):  # ValueError: closed here since
            return False

    def close(self) -> None:
        self._on.clear()
        self._server.shutdown()
        self._server.server_close()


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost signed by itself (as cameras' are), and its
    key, made in ``folder`` by the ``openssl`` command (offline); FileNotFoundError where
    that command is missing."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise FileNotFoundError("the openssl command is not installed")
    certificate, key = folder / "camera.pem", folder / "camera.key"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost"]
        + ["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(key), "-out", str(certificate)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return certificate, key


def server_tls(certificate: Path, key: Path) -> ssl.SSLContext:
    """A server's TLS context that shows ``certificate``."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    return context


_NONCE = "5ca1ab1e"


def _digest_answered(said: str, password: tuple[str, str] | None) -> bool:
    """Whether ``said`` (an Authorization header) answers the camera's Digest challenge
    (MD5, qop auth: RFC 7616) with ``password``."""
    if password is None or not said.startswith("Digest "):
        return False
    fields = {name.lower(): quoted or bare for name, quoted, bare in re.findall(r'(\w+)=(?:"([^"]*)"|([^\s,]*))', said)}
    user, secret = password

    def md5(text: str) -> str:
        return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()

    first, second = md5(f"{user}:camera:{secret}"), md5(f"GET:{fields.get('uri', '')}")
    expected = md5(f"{first}:{_NONCE}:{fields.get('nc', '')}:{fields.get('cnonce', '')}:auth:{second}")
    return fields.get("username") == user and fields.get("response") == expected


def _jpeg(frame: np.ndarray | bytes) -> bytes:
    if isinstance(frame, bytes):
        return frame
    ok, jpeg = cv2.imencode(".jpg", frame)
    assert ok
    return jpeg.tobytes()
