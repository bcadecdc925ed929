"""A network camera's MJPEG stream over HTTP(S) (multipart/x-mixed-replace JPEGs) read by
the app itself, where OpenCV's FFmpeg refused it.

FFmpeg reads about three frames within its open timeout to open such a stream, so a camera
in a snapshot or timelapse mode (a frame every 2 s or more) never opens through it, and
its read timeout is fixed once open. This reader needs one frame to open, asks the camera
as the probe does (sources/stream_probe: its TLS, and a password only when asked for), and
waits on its socket in short slices, so a stop or the window's closing is heard within
one. It stands where a ``cv2.VideoCapture`` would (read, get, release), handing over each
part undecoded, as FFmpeg's MJPEG packets are. A stream sent in chunks (Transfer-Encoding:
chunked, as the ESP32-CAM's example firmware sends it) is taken out of them as it comes.
Qt-free; it runs on the capture threads.
"""

from __future__ import annotations

import http.client
import io
import socket
import ssl
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import numpy as np

from .stream_probe import (
    MULTIPART,
    PROBE_DEADLINE_S,
    PROBE_TIMEOUT_S,
    REDIRECT_STATUSES,
    connect_as_probe,
    content_kind,
    get_authorization,
    get_request,
    redirect_location,
    redirect_target,
)

# A socket wait lasts at most this long before a stop is asked about.
_SLICE_S = 0.1
# An answer's headers, or a part's, longer than this are no camera's: not read on.
_HEADERS_LIMIT = 64 << 10
# A part (or the bytes before its boundary) longer than this is no camera's frame: the
# stream is taken as broken off, as FFmpeg takes a part claiming gigabytes.
_PART_LIMIT = 64 << 20
# A chunk's size line (with its extensions) longer than this is no camera's.
_CHUNK_LINE_LIMIT = 4 << 10
_HEX_DIGITS = frozenset(b"0123456789abcdefABCDEF")


class _BrokenOff(Exception):
    """The stream ended, or sent what is no MJPEG part; its message, where it has one, says
    what the camera sent wrong, in a phrase."""


class _Dechunked:
    """A chunked body (RFC 9112 7.1) taken out of its chunks as its bytes come: each
    chunk's size line (extensions after a ";" ignored), its data, the line end after it,
    and after the last (empty) chunk the trailer, up to an empty line. Lenient as FFmpeg
    is (libavformat/http.c): a line may end in a bare LF, and empty lines before a size
    line are passed over."""

    def __init__(self) -> None:
        self._raw = bytearray()  # received and not taken out yet: part of a line
        self._left = 0  # of the chunk's data still to come
        self._trailer = False  # after the last chunk
        self.ended = False  # the trailer read: the body is over
        # What was wrong with a size line, as a phrase; the data before it was handed on.
        self.malformed: str | None = None

    def decode(self, data: bytes) -> bytes:
        """The body's bytes in ``data`` (the stream's next received), in order."""
        self._raw += data
        body = bytearray()
        while not self.ended and self.malformed is None:
            if self._left:
                taken = self._raw[: self._left]
                if not taken:
                    break
                body += taken
                del self._raw[: len(taken)]
                self._left -= len(taken)
                continue
            end = self._raw.find(b"\n")
            if end < 0:
                if len(self._raw) > _CHUNK_LINE_LIMIT:
                    self.malformed = f"a chunk's size line runs past {_CHUNK_LINE_LIMIT} bytes"
                break
            line = bytes(self._raw[:end]).strip()
            del self._raw[: end + 1]
            if self._trailer:
                self.ended = not line
                continue
            if not line:  # the line end after a chunk's data
                continue
            size = line.partition(b";")[0].strip()
            if not size or not _HEX_DIGITS.issuperset(size):
                shown = "".join(c if c.isprintable() else "?" for c in line[:32].decode("latin-1"))
                self.malformed = f"a chunk began with {shown!r}, which is no chunk size"
                break
            self._left = int(size, 16)
            self._trailer = self._left == 0
        return bytes(body)


class HttpMjpegCapture:
    """An open multipart/x-mixed-replace stream: :meth:`read` gives its next part's bytes
    (a JPEG, undecoded), waiting at most ``read_timeout_s`` for it in all, and gives up
    within a slice once ``cancelled`` says so."""

    def __init__(
        self,
        sock: socket.socket,
        received: bytes,
        read_timeout_s: float,
        cancelled: Callable[[], bool],
        chunked: bool = False,
    ) -> None:
        self._sock: socket.socket | None = sock
        self._buffer = bytearray()
        # The body's bytes received with the answer's headers, taken as the first received.
        self._unread = received
        self._chunks = _Dechunked() if chunked else None
        self.read_timeout_s = read_timeout_s
        self._cancelled = cancelled
        # Why the stream was given up where the camera sent what it should not (a malformed
        # chunk), as a phrase; None where it did not.
        self.why_broken: str | None = None

    def stop_when(self, cancelled: Callable[[], bool]) -> None:
        """A read gives up (fails) within a slice once ``cancelled`` says so."""
        self._cancelled = cancelled

    def isOpened(self) -> bool:  # noqa: N802 - cv2.VideoCapture's name
        return self._sock is not None

    def get(self, prop: int) -> float:
        return 0.0  # no rate, size or count is announced: the frames tell

    def read(self) -> tuple[bool, np.ndarray | None]:
        if self._sock is None:
            return False, None
        try:
            part = self._next_part(time.monotonic() + self.read_timeout_s)
        except _BrokenOff as exc:
            self.why_broken = str(exc) or None
            return False, None
        except OSError:  # TimeoutError too: the read waited out its timeout
            return False, None
        return True, np.frombuffer(part, np.uint8)

    def release(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()

    def _next_part(self, deadline: float) -> bytes:
        # Its boundary line: the first that is not empty, whatever it says. FFmpeg's mpjpeg
        # demuxer takes any line beginning with "--" (whatever boundary the Content-Type
        # names, or none), and OpenCV's FFmpeg reads a stream whose lines lack the dashes all
        # the same (by another of its demuxers; tests/test_http_mjpeg): so this asks neither.
        boundary = b""
        while not boundary:
            boundary = self._line(deadline)
        headers, size = [], 0
        while line := self._line(deadline):
            headers.append(line)
            size += len(line)
            if size > _HEADERS_LIMIT:
                raise _BrokenOff
        length = _content_length(headers)
        if length:  # as FFmpeg, a length of 0 is none
            if length > _PART_LIMIT:
                raise _BrokenOff
            while len(self._buffer) < length:
                self._fill(deadline)
            end = length
        else:  # up to the next line like the one that began it
            end = _find(self._buffer, b"\r\n" + boundary, _PART_LIMIT, lambda: self._fill(deadline))
        part = bytes(self._buffer[:end])
        del self._buffer[:end]
        return part

    def _line(self, deadline: float) -> bytes:
        """The next line received (ended by LF, or CR LF), taken off, stripped."""
        end = _find(self._buffer, b"\n", _HEADERS_LIMIT, lambda: self._fill(deadline))
        line = bytes(self._buffer[:end]).strip()
        del self._buffer[: end + 1]
        return line

    def _fill(self, deadline: float) -> None:
        chunks = self._chunks
        if chunks is not None and chunks.malformed:
            raise _BrokenOff(chunks.malformed)
        if chunks is not None and chunks.ended:
            raise _BrokenOff
        received, self._unread = self._unread, b""
        sock = self._sock
        if sock is None:
            raise _BrokenOff
        if not received:
            received = _receive(sock, deadline, self._cancelled)
        # A recv of a chunk's size line alone adds nothing: the caller looks again and fills on.
        self._buffer += chunks.decode(received) if chunks is not None else received


def _find(buffer: bytearray, wanted: bytes, limit: int, fill: Callable[[], None]) -> int:
    """Where ``wanted`` begins in ``buffer``, ``fill`` adding to it until it is; :class:`_BrokenOff`
    once ``buffer`` holds more than ``limit`` bytes without it."""
    searched = 0
    while True:
        found = buffer.find(wanted, searched)
        if found >= 0:
            return found
        if len(buffer) > limit:
            raise _BrokenOff
        # Only what comes next, and the end of this that it may complete, is looked at
        # again: searched whole at each fill, a long part took the square of its length.
        searched = max(0, len(buffer) - len(wanted) + 1)
        fill()


def _receive(sock: socket.socket, deadline: float, cancelled: Callable[[], bool]) -> bytes:
    """The next bytes ``sock`` receives by ``deadline`` (else TimeoutError), waited for a
    slice at a time; :class:`_BrokenOff` where it closed or ``cancelled`` says so."""
    while True:
        if cancelled():
            raise _BrokenOff
        sock.settimeout(min(_SLICE_S, _time_left(deadline)))
        try:
            received = sock.recv(1 << 16)
        except TimeoutError:
            continue
        if not received:
            raise _BrokenOff
        return received


def _time_left(deadline: float) -> float:
    """The seconds left until ``deadline``; TimeoutError where none are."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left


def _content_length(headers: list[bytes]) -> int | None:
    for line in headers:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            return int(value.strip())
    return None


def open_http_mjpeg(url: str, read_timeout_s: float, cancelled: Callable[[], bool]) -> HttpMjpegCapture | None:
    """The MJPEG stream at the http(s) ``url``, where the camera answers a GET with one
    (multipart/x-mixed-replace), its password sent when asked for and its redirects
    followed as FFmpeg follows them (see stream_probe.redirect_target: the password only to
    the same host); None where it answers otherwise or not within the probe's deadline, the
    whole chain of redirects and challenges within it as the probe's, a step at a time (or
    where ``cancelled`` says so). The probe tells why."""
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return None
    # One deadline for every hop: a fresh one each let a slow chain (8 redirects, each
    # answering a password's challenge) hold the open for many times what the probe allows.
    deadline = time.monotonic() + PROBE_DEADLINE_S
    authorization: str | None = None
    hops = [url]
    while True:  # each redirect, and a second time answering a password's challenge, bounded
        try:
            answer = _get(url, authorization, deadline, cancelled)
        except (OSError, ValueError, _BrokenOff, http.client.HTTPException):
            return None
        if answer is None:
            return None
        sock, status, headers, received = answer
        if status == 401 and authorization is None:
            sock.close()
            authorization = get_authorization(headers.get_all("WWW-Authenticate") or [], url)
            if authorization is None:
                return None
            continue
        if status in REDIRECT_STATUSES and (location := redirect_location(headers)):
            sock.close()
            try:
                url = redirect_target(hops, location)
            except ValueError:
                return None
            authorization = None  # the next host asks for its own
            continue
        kind = content_kind(headers)
        if status != 200 or kind != MULTIPART:  # its boundary parameter not needed (see _next_part)
            sock.close()
            return None
        chunked = "chunked" in (headers.get("Transfer-Encoding") or "").lower()
        return HttpMjpegCapture(sock, received, read_timeout_s, cancelled, chunked)


def _get(
    url: str, authorization: str | None, deadline: float, cancelled: Callable[[], bool]
) -> tuple[socket.socket, int, http.client.HTTPMessage, bytes] | None:
    """A GET of ``url``: its connection, status and headers, and the body's bytes received
    with them, all by ``deadline`` (else TimeoutError); None where refused as the probe
    would tell (a certificate)."""
    connected = connect_as_probe(url, PROBE_TIMEOUT_S, _time_left(deadline), cancelled)
    if isinstance(connected, str):
        return None
    try:
        connected.settimeout(min(PROBE_TIMEOUT_S, _time_left(deadline)))
        connected.sendall(get_request(url, authorization))
        buffer = bytearray()
        end = _find(
            buffer, b"\r\n\r\n", _HEADERS_LIMIT, lambda: buffer.extend(_receive(connected, deadline, cancelled))
        )
        received = bytes(buffer)
        status_line, _, header_lines = received[:end].partition(b"\r\n")
        version, status, *_ = status_line.decode("latin-1").split(" ", 2) + [""]
        if not version.startswith("HTTP/") or not status.isdigit():
            raise _BrokenOff
        headers = http.client.parse_headers(io.BytesIO(header_lines + b"\r\n\r\n"))
    except (OSError, ssl.SSLError, _BrokenOff, ValueError):
        connected.close()
        raise
    return connected, int(status), headers, received[end + 4 :]
