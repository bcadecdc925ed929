"""An RTSP camera for the tests: a real RTSP server on localhost (standard library only)
sending a video as IP cameras do, for OpenCV's FFmpeg to play.

The video is an MPEG-TS file (OpenCV writes it: :func:`write_transport_stream`) sent as
RTP payload type 33 (MP2T, RFC 2250), seven 188-byte TS packets to an RTP packet, at the
video's own pace. The RTP packets go over the RTSP connection itself (interleaved, RFC
2326 10.12); a SETUP asking for UDP is answered 461 Unsupported Transport, and FFmpeg then
asks again for TCP, as it does with cameras behind a firewall. A camera made with
``transports=("udp",)`` does the opposite: RTP over UDP alone (RFC 2326 12.39), sent from a
port of its own to the client's RTP port (client_port in the SETUP), its RTCP ignored.
"""

from __future__ import annotations

import base64
import hashlib
import re
import socket
import socketserver
import ssl
import struct
import threading
import time
from collections.abc import Callable
from io import BufferedIOBase
from pathlib import Path
from urllib.parse import urlsplit

import cv2
import numpy as np

TS_PACKET = 188
TS_PER_RTP = 7
MP2T = 33  # RTP payload type (static, 90 kHz clock)


def write_transport_stream(frames: list[np.ndarray], fps: float, path: Path) -> Path:
    """``frames`` written by OpenCV as MPEG-4 video in an MPEG-TS file at ``path``."""
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.CAP_FFMPEG, cv2.VideoWriter.fourcc(*"mp4v"), fps, (width, height))
    assert writer.isOpened(), "this OpenCV cannot write MPEG-4 into MPEG-TS"
    for frame in frames:
        writer.write(frame)
    writer.release()
    size = path.stat().st_size
    assert size and size % TS_PACKET == 0, f"{path} is no transport stream ({size} bytes)"
    return path


class RtspCamera:
    """Serves ``stream`` (an MPEG-TS file's bytes, looped) lasting ``duration_s`` at
    ``rtsp://127.0.0.1:PORT/live`` (or at ``host``: ``"::1"`` serves ``rtsp://[::1]:PORT/live``).

    ``credentials`` (user, password): DESCRIBE wants them (401 until given), by ``auth``:
    "Basic", or "Digest" (RFC 2617, MD5, as most cameras ask), its challenges one header each
    by ``algorithms``, in that order ("": none named, MD5; "MD5-sess"; "SHA-256", RFC 7616; a
    named one with qop auth); ``strict``: the Digest check refuses qop and algorithm in quotes,
    as RFC 7616 says none are sent (FFmpeg sends them so). A path other than ``/live``
    is 404. :meth:`drop` closes every connection, as a camera that restarts does;
    :meth:`stall` stops sending on every stream and keeps its connection open, as a camera
    whose network went quiet does, until :meth:`resume`. ``streams`` counts the PLAYs
    answered; ``requests`` holds each request's method and Transport header (None where it
    has none), ``described`` each DESCRIBE's URI and the Digest ``uri=`` answering it (None
    where none was). ``tls``: served over TLS with that context, at ``rtsps://``.

    ``transports``: the lower transports a SETUP may ask for ("tcp": interleaved, "udp"),
    others answered 461 Unsupported Transport. ``udp_arrives``: False sends no RTP packet
    over UDP at all, the SETUP and PLAY answered as ever, as where a NAT or firewall between
    camera and client drops them. ``udp_packets`` counts the RTP packets sent over UDP.
    """

    path = "/live"

    def __init__(
        self,
        stream: Path,
        duration_s: float,
        credentials: tuple[str, str] | None = None,
        auth: str = "Basic",
        tls: ssl.SSLContext | None = None,
        algorithms: tuple[str, ...] = ("",),
        strict: bool = False,
        host: str = "127.0.0.1",
        transports: tuple[str, ...] = ("tcp",),
        udp_arrives: bool = True,
    ) -> None:
        self._stream = stream.read_bytes()
        self._packets_per_s = len(self._stream) / TS_PACKET / duration_s
        self._credentials = credentials
        self._auth = auth
        self._algorithms = algorithms
        self._strict = strict
        self.transports = transports
        self._udp_arrives = udp_arrives
        self.udp_packets = 0
        self.streams = 0
        self.requests: list[tuple[str, str | None]] = []
        self.described: list[tuple[str, str | None]] = []
        self._connections: list[socket.socket] = []
        self._stalled = threading.Event()
        self._lock = threading.Lock()
        camera = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                camera._serve(self.request, self.rfile)

        class Server(socketserver.ThreadingTCPServer):
            address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
            daemon_threads = True

        self._host = host
        self._server = Server((host, 0), Handler)
        self._scheme = "rtsps" if tls else "rtsp"
        if tls is not None:  # the handshake on the connection's own thread, at its first read
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True, do_handshake_on_connect=False)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"{self._scheme}://{host}:{self._server.server_address[1]}{self.path}"

    def drop(self) -> None:
        """Close every connection (the camera restarted); new ones are answered."""
        with self._lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:  # closed by the other end already
                pass

    @property
    def open_connections(self) -> int:
        """The connections the client has not closed yet (nor :meth:`drop`)."""
        with self._lock:
            return len(self._connections)

    def stall(self) -> None:
        """Stop sending on every stream, keeping its connection open."""
        self._stalled.set()

    def resume(self) -> None:
        self._stalled.clear()

    def close(self) -> None:
        self.drop()
        self._server.shutdown()
        self._server.server_close()

    def _serve(self, connection: socket.socket, rfile: BufferedIOBase) -> None:
        with self._lock:
            self._connections.append(connection)
        writing = threading.Lock()  # the RTSP answers and the RTP packets share the connection
        playing = threading.Event()
        session = f"{id(connection) & 0xFFFFFF:08d}"
        channel = 0  # the RTP packets' interleaved channel, as SETUP agreed
        # Over UDP: the camera's RTP and RTCP ports (a pair, as RFC 3550 asks), the RTCP one
        # only held; the client's RTP port as SETUP said (None: interleaved).
        family = self._server.address_family  # as the camera's RTSP port
        rtp, rtcp = socket.socket(family, socket.SOCK_DGRAM), socket.socket(family, socket.SOCK_DGRAM)
        rtp.bind((self._host, 0))
        rtcp.bind((self._host, 0))
        ports = (rtp.getsockname()[1], rtcp.getsockname()[1])
        client_port: int | None = None
        try:
            while True:
                request = _read_request(rfile)
                if request is None:
                    return
                method, uri, headers = request
                self.requests.append((method, headers.get("transport")))
                status, extra, body = self._answer(method, uri, headers, session, ports)
                answer = f"RTSP/1.0 {status}\r\nCSeq: {headers.get('cseq', '0')}\r\n" + "".join(
                    f"{name}: {value}\r\n" for name, value in extra.items()
                )
                if body:
                    answer += f"Content-Length: {len(body)}\r\n"
                with writing:
                    connection.sendall((answer + "\r\n").encode() + body)
                if method in ("SETUP", "PAUSE") and status.startswith("200"):
                    # FFmpeg, its UDP packets not arriving, pauses and sets the stream up again
                    # over TCP (libavformat/rtspdec.c): a PLAY after starts the new transport.
                    playing.clear()
                    playing = threading.Event()
                if method == "SETUP" and status.startswith("200"):
                    transport = extra["Transport"]
                    if "interleaved=" in transport:
                        channel, client_port = int(transport.split("interleaved=")[1].split("-")[0]), None
                    else:
                        client_port = int(transport.split("client_port=")[1].split("-")[0])
                if method == "PLAY" and status.startswith("200") and not playing.is_set():
                    playing.set()
                    self.streams += 1
                    send = self._interleaved(connection, writing, channel)
                    if client_port is not None:
                        send = self._over_udp(rtp, (self._host, client_port))
                    threading.Thread(target=self._send, args=(send, playing), daemon=True).start()
                if method == "TEARDOWN":
                    return
        except OSError:  # the connection dropped
            return
        finally:
            playing.clear()
            with self._lock:
                if connection in self._connections:
                    self._connections.remove(connection)
            connection.close()
            rtp.close()
            rtcp.close()

    def _answer(
        self, method: str, uri: str, headers: dict[str, str], session: str, ports: tuple[int, int]
    ) -> tuple[str, dict[str, str], bytes]:
        """The status, headers and body answering ``method`` (``ports``: the camera's RTP and
        RTCP ports, where SETUP asks for UDP)."""
        if method == "OPTIONS":
            return "200 OK", {"Public": "OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER"}, b""
        if method == "DESCRIBE":
            digest_uri = re.search(r'\buri="([^"]*)"', headers.get("authorization", ""))
            self.described.append((uri, digest_uri.group(1) if digest_uri else None))
            if self._credentials is not None and not self._authorized(method, headers.get("authorization", "")):
                return "401 Unauthorized", {"WWW-Authenticate": self._challenges()}, b""
            if urlsplit(uri).path.rstrip("/") != self.path:
                return "404 Not Found", {}, b""
            sdp = (
                "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=Test camera\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
                f"a=control:*\r\nm=video 0 RTP/AVP {MP2T}\r\na=rtpmap:{MP2T} MP2T/90000\r\na=control:track1\r\n"
            )
            base = uri.rstrip("/") + "/"
            return "200 OK", {"Content-Type": "application/sdp", "Content-Base": base}, sdp.encode()
        if method == "SETUP":
            transport = headers.get("transport", "")
            # FFmpeg asks for one transport a SETUP ("RTP/AVP/UDP;unicast;client_port=..." or
            # "RTP/AVP/TCP;unicast;interleaved=..."), and on a 461 again for the next it may use.
            asked = "tcp" if "RTP/AVP/TCP" in transport else "udp"
            parts = dict(p.split("=", 1) for p in transport.split(";") if "=" in p)
            if asked not in self.transports or (asked == "udp" and "client_port" not in parts):
                return "461 Unsupported Transport", {}, b""
            if asked == "udp":
                given = f"RTP/AVP/UDP;unicast;client_port={parts['client_port']};server_port={ports[0]}-{ports[1]}"
            else:
                given = f"RTP/AVP/TCP;unicast;interleaved={parts.get('interleaved', '0-1')}"
            return "200 OK", {"Transport": given, "Session": f"{session};timeout=60"}, b""
        if method == "PLAY":
            return "200 OK", {"Session": session, "Range": "npt=0.000-"}, b""
        if method in ("PAUSE", "TEARDOWN", "GET_PARAMETER", "SET_PARAMETER"):
            return "200 OK", {"Session": session}, b""
        return "501 Not Implemented", {}, b""

    def _authorized(self, method: str, authorization: str) -> bool:
        assert self._credentials is not None
        user, password = self._credentials
        if self._auth == "Basic":
            return authorization == "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        if not authorization.startswith("Digest ") or (self._strict and re.search(r'(qop|algorithm)="', authorization)):
            return False
        fields = {
            name: quoted or bare for name, quoted, bare in re.findall(r'(\w+)=(?:"([^"]*)"|([^,\s]*))', authorization)
        }

        def md5(text: str) -> str:
            return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()

        algorithm = fields.get("algorithm", "")
        if algorithm not in self._algorithms:
            return False

        def digest(text: str) -> str:
            return hashlib.sha256(text.encode()).hexdigest() if algorithm == "SHA-256" else md5(text)

        secret, request = digest(f"{user}:camera:{password}"), digest(f"{method}:{fields.get('uri', '')}")
        if algorithm == "MD5-sess":
            secret = md5(f"{secret}:5eed:{fields.get('cnonce')}")
        said = f"{fields.get('nc')}:{fields.get('cnonce')}:auth:" if fields.get("qop") == "auth" else ""
        return fields.get("username") == user and fields.get("response") == digest(f"{secret}:5eed:{said}{request}")

    def _challenges(self) -> str:
        """The 401's WWW-Authenticate headers (lines joined by CRLF: one header each)."""
        if self._auth == "Basic":
            return 'Basic realm="camera"'
        return "\r\nWWW-Authenticate: ".join(
            'Digest realm="camera", nonce="5eed"' + (f', qop="auth", algorithm={name}' if name else "")
            for name in self._algorithms
        )

    @staticmethod
    def _interleaved(connection: socket.socket, writing: threading.Lock, channel: int) -> Callable[[bytes], None]:
        def send(packet: bytes) -> None:
            with writing:
                connection.sendall(struct.pack("!cBH", b"$", channel, len(packet)) + packet)

        return send

    def _over_udp(self, rtp: socket.socket, client: tuple[str, int]) -> Callable[[bytes], None]:
        def send(packet: bytes) -> None:
            if self._udp_arrives:
                rtp.sendto(packet, client)
                self.udp_packets += 1

        return send

    def _send(self, send: Callable[[bytes], None], playing: threading.Event) -> None:
        """RTP packets of the stream (each handed to ``send``), looped, at its pace, until
        the connection ends."""
        chunk = TS_PACKET * TS_PER_RTP
        began = time.monotonic()
        sequence, offset, packets = 0, 0, 0  # packets: the TS packets sent so far
        while playing.is_set():
            if self._stalled.is_set():
                time.sleep(0.02)
                began += 0.02  # the pace picks up where it stopped, with no burst after
                continue
            # The last RTP packet of the file may be short: the next starts the file again,
            # its tables and first frame whole (an offset counted in whole chunks skipped some).
            payload = self._stream[offset : offset + chunk]
            offset = (offset + len(payload)) % len(self._stream)
            elapsed = time.monotonic() - began
            header = struct.pack("!BBHII", 0x80, MP2T, sequence & 0xFFFF, int(elapsed * 90_000) & 0xFFFFFFFF, 0x5EED)
            packet = header + payload
            try:
                send(packet)
            except OSError:  # the connection dropped (or the client's port is closed: over UDP)
                return
            sequence, packets = sequence + 1, packets + len(payload) // TS_PACKET
            due = began + packets / self._packets_per_s
            time.sleep(max(0.0, due - time.monotonic()))


def _read_request(rfile: BufferedIOBase) -> tuple[str, str, dict[str, str]] | None:
    """The next request (method, URI, headers by lower-case name) on the connection, skipping
    the client's interleaved RTCP packets; None where it ended."""
    while True:
        first = rfile.read(1)
        if not first:
            return None
        if first == b"$":  # an interleaved packet of the client's (its RTCP reports)
            _channel, length = struct.unpack("!BH", rfile.read(3))
            rfile.read(length)
            continue
        line = (first + rfile.readline(4096)).decode("latin-1").strip()
        if not line:
            continue
        headers: dict[str, str] = {}
        while header := rfile.readline(4096).decode("latin-1").strip():
            name, _, value = header.partition(":")
            headers[name.strip().lower()] = value.strip()
        rfile.read(int(headers.get("content-length", "0")))
        method, uri = (line.split(" ") + ["", ""])[:2]
        return method, uri, headers


def has_ipv6_loopback() -> bool:
    """Whether this machine can listen on ``::1`` (a container may have IPv6 off)."""
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True
