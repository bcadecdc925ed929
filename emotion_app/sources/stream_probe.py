"""Why a network camera did not open, in words a user can act on.

OpenCV's FFmpeg backend only says that a stream did not open. A camera that wants a
password, a wrong path, the address of the camera app's web page instead of its stream and
a port nobody listens on need different fixes, so when FFmpeg fails the app asks the
camera itself: a TCP connection, then for HTTP(S) a GET (its redirects followed as FFmpeg
follows them) and for RTSP(S) a DESCRIBE, whose status line tells which it is (a password
is sent only when asked for, by Digest or Basic, as FFmpeg does: a wrong path behind a
password is told as such; a check FFmpeg cannot answer, such as Digest SHA-256, is named
as such). A camera's TLS certificate (https, rtsps) is checked only where FFmpeg was told
to check it (tls_verify), as FFmpeg would. Each step waits at most a timeout, and the whole probe
ends at a deadline, with "it did not answer in time". Qt-free; it runs on the capture
thread, like the open, never on the GUI's.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import io
import os
import re
import secrets
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, cast
from urllib.parse import quote, unquote, urljoin, urlsplit

from .stream_url import redacted, url_host

# Each step (a connection, an answer, a TLS handshake) waits at most this long: the probe
# follows a quick refusal by FFmpeg, and the exit waits for an open given up to let go.
PROBE_TIMEOUT_S = 1.0
# And the whole probe ends within this, however many steps it takes (the password's second
# ask, the checks after) and however slowly a camera trickles its answer: two steps, a
# connection and one answer, as a stop or close allows for (network_camera._LET_GO_S).
PROBE_DEADLINE_S = 2 * PROBE_TIMEOUT_S
# After FFmpeg waited out its whole open timeout, a shorter probe: only whether the camera
# answers at all, and with what (the user has waited long already).
QUICK_PROBE_TIMEOUT_S = 0.5
QUICK_PROBE_DEADLINE_S = 2 * QUICK_PROBE_TIMEOUT_S
# A wait of the probe's that no socket timeout bounds (a name's lookup) asks this often
# whether it was cancelled.
_CANCEL_SLICE_S = 0.05
DEFAULT_PORTS = {"http": 80, "https": 443, "rtsp": 554, "rtsps": 322, "rtmp": 1935, "rtmps": 443}
CHECK_ADDRESS = "(check the address, and that the camera or app is on and on this network)"
NO_ANSWER = f"no answer {CHECK_ADDRESS}"
NOT_A_STREAM = "it answers, but sends no video stream OpenCV's FFmpeg can read there"
# What IP cameras and phone apps send an MJPEG stream as, over HTTP(S).
MULTIPART = "multipart/x-mixed-replace"
# The environment variable whose FFmpeg options OpenCV passes on to every stream it opens.
CAPTURE_OPTIONS = "OPENCV_FFMPEG_CAPTURE_OPTIONS"
# The redirects FFmpeg's http protocol follows, and how many in a row (libavformat/http.c,
# MAX_REDIRECTS): the probe and the app's own reader follow them as far.
REDIRECT_STATUSES = frozenset((301, 302, 303, 307, 308))
MAX_REDIRECTS = 8


def why_not_opened(
    url: str,
    timeout_s: float = PROBE_TIMEOUT_S,
    waited_s: float | None = None,
    deadline_s: float | None = None,
) -> str:
    """The likely reason the stream at ``url`` did not open, as a phrase for an error
    message (after "Could not open network camera URL: "). ``waited_s``: FFmpeg waited this
    long for the stream and gave up; a camera that answers with a stream then did not send
    its first frames in that time (a link too slow for them, or a camera that stalls).
    ``timeout_s``: the longest each step waits; ``deadline_s``: the whole probe (None: two
    steps), after which it says the camera did not answer in time."""
    return probe(url, timeout_s, waited_s, deadline_s).reason


@dataclass(frozen=True)
class ProbeAnswer:
    """What the probe found: why the stream did not open, as a phrase, and where the camera
    answered with an MJPEG stream over HTTP(S) (200, multipart/x-mixed-replace), that
    answer, as a phrase ("HTTP 200 OK, multipart/x-mixed-replace"); None otherwise."""

    reason: str
    mjpeg: str | None = None


def probe(
    url: str,
    timeout_s: float = PROBE_TIMEOUT_S,
    waited_s: float | None = None,
    deadline_s: float | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> ProbeAnswer:
    """:func:`why_not_opened`'s reason, and whether the camera answered with an MJPEG stream
    (which the app may read itself: sources/http_mjpeg). ``cancelled``: asked before each step
    (a step already waiting waits on, at most ``timeout_s``); where it says so, the probe
    ends as at its deadline."""
    clock = _Clock(timeout_s, 2 * timeout_s if deadline_s is None else deadline_s, cancelled)
    try:
        reason = _why_not_opened(url, clock, waited_s)
    except _OutOfTime:
        return ProbeAnswer(f"it did not answer in time, within {clock.deadline_s:g} s {CHECK_ADDRESS}")
    return ProbeAnswer(reason, clock.mjpeg)


def sent_no_first_frames(answer: str, waited_s: float, udp_alone: str | None = None) -> str:
    """Why a stream that answered (``answer``, as a phrase: "HTTP 200 OK, ...") did not open:
    no first frames within ``waited_s``; ``udp_alone``: the rtsp_transport value of
    :data:`CAPTURE_OPTIONS` that had FFmpeg ask an RTSP camera for UDP alone, if any."""
    said = (
        f"it answered ({answer}) but did not send its first frames within {waited_s:g} s "
        "(a link too slow for them, or a camera that stalls)"
    )
    if udp_alone is None:
        return said
    # Else the likeliest cause: a firewall or NAT dropping the camera's UDP, which TCP passes.
    return (
        f"{said}, and {CAPTURE_OPTIONS} asks for it over UDP alone (rtsp_transport;{udp_alone}), which a "
        "firewall or NAT may block: without that the app asks for TCP first"
    )


def ffmpeg_udp_alone() -> str | None:
    """The rtsp_transport value of :data:`CAPTURE_OPTIONS`, as FFmpeg reads it, where it names
    UDP (or UDP multicast) and neither TCP nor HTTP(S); else None."""
    transport = ffmpeg_options(os.environ.get(CAPTURE_OPTIONS, "")).get("rtsp_transport")
    if transport is None:
        return None
    named = set(re.split(r"[+-]", transport))  # FFmpeg's flags, as "udp+udp_multicast"
    return transport if named & {"udp", "udp_multicast"} and not named & {"tcp", "http", "https"} else None


class _OutOfTime(Exception):
    """The probe's deadline passed. No OSError: a step's own handling of a connection or
    answer that failed must not take it for the camera's doing and ask on."""


class _Clock:
    """The probe's time: each step waits at most ``step_s``, and none past the deadline,
    ``deadline_s`` from now."""

    def __init__(self, step_s: float, deadline_s: float, cancelled: Callable[[], bool] = lambda: False) -> None:
        self.step_s = step_s
        self.deadline_s = deadline_s
        # An open abandoned (a stop, another source, the window's closing) ends the probe
        # before its next step, as its deadline would.
        self.cancelled = cancelled
        self._ends = time.monotonic() + deadline_s
        # The camera's answer, as a phrase, where it was an MJPEG stream (see ProbeAnswer).
        self.mjpeg: str | None = None

    def left_s(self) -> float:
        """The time left; :class:`_OutOfTime` where none is (or the probe was cancelled)."""
        left = self._ends - time.monotonic()
        if left <= 0 or self.cancelled():
            raise _OutOfTime
        return left

    @contextlib.contextmanager
    def step(self, sock: socket.socket) -> Iterator[None]:
        """One wait on ``sock`` (a connection, a read, a send, a handshake): a step's time at
        most, and the time left; a wait cut short by the deadline raises :class:`_OutOfTime`."""
        sock.settimeout(min(self.step_s, self.left_s()))
        try:
            yield
        except TimeoutError:
            if time.monotonic() >= self._ends - 0.005:  # a timeout rounds up to the millisecond
                raise _OutOfTime from None
            raise


def _look_up(host: str, port: int, clock: _Clock) -> list[tuple]:
    """``host``'s addresses, as :func:`socket.getaddrinfo` finds them, waited for only until
    the deadline: a lookup takes no timeout, and an unknown name may take seconds (a .local
    one with nothing answering mDNS). One still running then ends on its own thread."""
    found: list[tuple] = []
    failed: list[Exception] = []
    done = threading.Event()

    def look_up() -> None:
        try:
            found.extend(socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM))
        except Exception as exc:  # socket.gaierror, or UnicodeError for a name IDNA refuses
            failed.append(exc)
        finally:
            done.set()

    threading.Thread(target=look_up, name="camera name lookup", daemon=True).start()
    # In slices: a cancel is heard within one, not at the deadline.
    while not done.wait(min(_CANCEL_SLICE_S, clock.left_s())):
        pass
    if failed:
        raise failed[0]
    return found


def _connect(host: str, port: int, clock: _Clock) -> socket.socket:
    """A TCP connection to ``host``:``port``, as :func:`socket.create_connection` makes one
    (each address in turn; the last one's error), each wait as ``clock`` allows."""
    error: OSError = OSError(f"no address for {host}")
    for family, kind, protocol, _, address in _look_up(host, port, clock):
        sock = socket.socket(family, kind, protocol)
        try:
            with clock.step(sock):
                sock.connect(address)
        except OSError as exc:
            sock.close()
            error = exc
            continue
        except _OutOfTime:
            sock.close()
            raise
        return sock
    raise error


class _Answer(io.RawIOBase):
    """The answer read from ``sock``, each read as ``clock`` allows: with the socket's own
    timeout, a camera trickling its answer a byte at a time held a read-line for as many
    timeouts as the line had bytes."""

    def __init__(self, sock: socket.socket, clock: _Clock) -> None:
        self._sock = sock
        self._clock = clock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        with self._clock.step(self._sock):
            return self._sock.recv_into(buffer)


def _answers(sock: socket.socket, clock: _Clock) -> BinaryIO:
    return cast(BinaryIO, io.BufferedReader(_Answer(sock, clock)))


class _TimedSocket:
    """What http.client uses of its socket (sendall, makefile, close), each wait as
    ``clock`` allows."""

    def __init__(self, sock: socket.socket, clock: _Clock) -> None:
        self._sock = sock
        self._clock = clock

    def sendall(self, data: bytes) -> None:
        with self._clock.step(self._sock):
            self._sock.sendall(data)

    def makefile(self, mode: str = "rb", *args: object, **kwargs: object) -> BinaryIO:
        return _answers(self._sock, self._clock)

    def close(self) -> None:
        self._sock.close()


def redirect_location(headers: http.client.HTTPMessage) -> str:
    """An answer's Location ("" where none): the last, where it sends more than one, as
    FFmpeg takes it (libavformat/http.c, each replacing the one before)."""
    return (headers.get_all("Location") or [""])[-1]


def content_kind(headers: http.client.HTTPMessage) -> str:
    """An answer's media type, lower case, without its parameters ("" where none): of the
    last Content-Type where it sends more than one, as FFmpeg takes it (libavformat/http.c,
    each replacing the one before)."""
    return (headers.get_all("Content-Type") or [""])[-1].partition(";")[0].strip().lower()


def redirect_target(hops: list[str], location: str) -> str:
    """Where a camera at ``hops[-1]`` (the last of the URLs asked so far) that redirects to
    ``location`` (its Location header, maybe relative) is asked next, appended to ``hops``:
    with the user name and password of the URL before only where it is on the same host,
    never sent to another, nor from https:// down to http:// (in the clear). ValueError
    saying why it is not followed, as a phrase: another kind of address, a loop, or more
    than :data:`MAX_REDIRECTS` in a row."""
    here = urlsplit(hops[-1])
    try:
        target = urljoin(hops[-1], location.strip())
        parts = urlsplit(target)
        host, _ = parts.hostname, parts.port  # a port that is no number raises
        # As check_stream_url: a host with an empty or over-long part ("cam..local") raises
        # UnicodeError only at the lookup, out of the probe.
        (host or "").encode("idna")
    except ValueError:
        raise ValueError(f"it redirects to {redacted(location.strip()[:200])!r}, which is no address") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise ValueError(f"it redirects to {redacted(target)[:200]}, which is no http:// or https:// address")
    downgraded = here.scheme.lower() == "https" and parts.scheme.lower() == "http"
    if "@" not in parts.netloc and here.username is not None and here.hostname == host and not downgraded:
        target = parts._replace(netloc=here.netloc.rpartition("@")[0] + "@" + parts.netloc).geturl()

    def asked(url: str) -> str:  # as told apart: not by its password
        split = urlsplit(url)
        return split._replace(scheme=split.scheme.lower(), netloc=split.netloc.rpartition("@")[2].lower()).geturl()

    if asked(target) in map(asked, hops):
        raise ValueError(f"it redirects in a loop, back to {redacted(target)}")
    if len(hops) > MAX_REDIRECTS:
        raise ValueError(f"it redirects more than {MAX_REDIRECTS} times in a row (the last to {redacted(target)})")
    hops.append(target)
    return target


def _why_not_opened(url: str, clock: _Clock, waited_s: float | None, hops: tuple[str, ...] = ()) -> str:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    try:
        port = parts.port or DEFAULT_PORTS.get(scheme)
    except ValueError:
        return "its port is not a number"
    if scheme in ("udp", "srt") or port is None:  # nothing to connect to over TCP and ask
        return f"no answer, or not a video stream {CHECK_ADDRESS}"
    try:
        connection = _connect(host, port, clock)
    except socket.gaierror:
        return f"no computer is named {url_host(host)} on this network (check the address)"
    except ConnectionRefusedError:
        return (
            f"{url_host(host)} is there, but nothing listens on port {port} "
            "(check the port, and that the camera app is streaming)"
        )
    except OSError:
        return NO_ANSWER
    try:
        if scheme in ("http", "https"):
            return _http_reason(connection, parts.geturl(), scheme == "https", clock, waited_s, hops)
        if scheme == "rtsp":
            return _rtsp_reason(connection, url, clock, waited_s)
        if scheme == "rtsps":
            wrapped = _tls(connection, host, clock)
            return wrapped if isinstance(wrapped, str) else _rtsp_reason(wrapped, url, clock, waited_s)
        return NOT_A_STREAM
    except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
        # The usual slip with HTTPS cameras: the one scheme asked of the other's port, which
        # answers in its own or hangs up (one that does not answer in time is not asked again).
        answered = not isinstance(exc, TimeoutError)
        if answered and scheme == "http" and _shakes_hands_in_tls(host, port, clock):
            return _speaks_https(port)
        if answered and scheme == "https" and _answers_plain_http(host, port, clock):
            return f"it speaks plain HTTP on port {port}, not HTTPS: the address should begin with http://"
        return f"{url_host(host)} accepts a connection on port {port} but gives no {scheme.upper()} answer"
    finally:
        connection.close()


def _speaks_https(port: int) -> str:
    return f"it speaks HTTPS on port {port}, not plain HTTP: the address should begin with https://"


def _shakes_hands_in_tls(host: str, port: int, clock: _Clock) -> bool:
    """Whether the server at ``host``:``port`` speaks TLS (its certificate unchecked)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with _connect(host, port, clock) as connection, clock.step(connection):
            context.wrap_socket(connection, server_hostname=host).close()
            return True
    except OSError:  # ssl.SSLError too: no handshake
        return False


def _answers_plain_http(host: str, port: int, clock: _Clock) -> bool:
    """Whether the server at ``host``:``port`` answers a plain HTTP request in HTTP."""
    try:
        with _connect(host, port, clock) as connection:
            request = f"HEAD / HTTP/1.0\r\nHost: {url_host(host)}\r\nUser-Agent: EmotionCamera\r\n\r\n"
            with clock.step(connection):
                connection.sendall(request.encode())
            return _answers(connection, clock).readline(64).startswith(b"HTTP/")
    except OSError:
        return False


def ffmpeg_checks_certificates() -> tuple[bool | None, str | None]:
    """Whether the FFmpeg options OpenCV passes on (:data:`CAPTURE_OPTIONS`, "key;value|...")
    ask it to check an HTTPS camera's certificate (``tls_verify;1``; None: a value FFmpeg
    refuses, and with it the camera), and the file of the certificates it trusts then
    (``ca_file``, or its other name ``cafile``, the later one given; None: its default)."""
    options = ffmpeg_options(os.environ.get(CAPTURE_OPTIONS, ""))
    verify = options.get("tls_verify")
    # Both names set the same field of FFmpeg's TLS options: the one set last is kept.
    ca_files = [value for key, value in options.items() if key in ("ca_file", "cafile")]
    return False if verify is None else ffmpeg_bool(verify), (ca_files[-1] if ca_files else "") or None


def ffmpeg_bool(value: str) -> bool | None:
    """``value`` as FFmpeg reads a boolean option such as tls_verify (libavutil's
    set_string_bool), or None where it refuses it: a name (true, yes, on... or false, no,
    off..., any case), or a whole decimal number as C's strtol reads it (blanks and a sign
    before it) that is 0 or 1 once cut to a C int; "2", "0x1", "1.0" or "auto" refused."""
    if value.lower() in ("true", "y", "yes", "enable", "enabled", "on"):
        return True
    if value.lower() in ("false", "n", "no", "disable", "disabled", "off"):
        return False
    number = re.fullmatch(r"[ \t\n\v\f\r]*([+-]?[0-9]+)", value)
    if number is None:
        return None
    as_long = max(-(2**63), min(2**63 - 1, int(number[1])))  # strtol saturates, the int keeps the low bits
    as_int = (as_long + 2**31) % 2**32 - 2**31
    return None if as_int not in (0, 1) else as_int == 1


def ffmpeg_options(text: str) -> dict[str, str]:
    """The options FFmpeg takes from ``text`` as OpenCV hands it :data:`CAPTURE_OPTIONS`
    (libavutil's av_dict_parse_string, with ";" between a name and its value and "|" between
    pairs): each name and value a token (:func:`_ffmpeg_token`), a name's last value kept,
    and none read after a pair with no ";", an empty name or an empty value (FFmpeg stops
    there; OpenCV keeps the pairs read before). A name runs to its ";", "|" and all: after
    "||" a name begins with "|"."""
    options: dict[str, str] = {}
    at = 0
    while at < len(text):
        name, at = _ffmpeg_token(text, at, ";")
        if not name or at >= len(text):
            break
        value, at = _ffmpeg_token(text, at + 1, "|")
        if not value:
            break
        options[name] = value
        at += 1  # past the "|"
    return options


def _ffmpeg_token(text: str, at: int, ends: str) -> tuple[str, int]:
    """The token at ``text[at:]`` as libavutil's av_get_token reads it, and where it ended
    (at one of ``ends``, or the text's end): spaces, tabs and line ends before and after
    it left out, a backslash taking the character after it as it is, and text in single
    quotes as it is up to the next quote (spaces escaped or quoted kept at its end)."""
    blanks = " \n\t\r"
    while at < len(text) and text[at] in blanks:
        at += 1
    token: list[str] = []
    kept = 0  # what an escape or a closed quote wrote last is never trimmed
    while at < len(text) and text[at] not in ends:
        character = text[at]
        at += 1
        if character == "\\" and at < len(text):
            token.append(text[at])
            at += 1
            kept = len(token)
        elif character == "'":
            close = text.find("'", at)
            token.extend(text[at:] if close < 0 else text[at:close])
            at = len(text) if close < 0 else close + 1
            kept = kept if close < 0 else len(token)
        else:
            token.append(character)
    while len(token) > kept and token[-1] in blanks:
        token.pop()
    return "".join(token), at


def _credentials(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.username is None:
        return None
    pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
    return base64.b64encode(pair.encode()).decode("ascii")


def _host_header(url: str) -> str:
    """The Host header of a request for ``url``, as FFmpeg writes it (libavformat/http.c):
    an IPv6 address in brackets, the port only where the URL gives one."""
    parts = urlsplit(url)
    return url_host(parts.hostname or "") + (f":{parts.port}" if parts.port is not None else "")


def _target(url: str) -> str:
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    # Beyond ASCII ("/vidéo") percent-encoded as UTF-8, as a browser asks for it: http.client
    # writes the request line in ASCII only, and raised out of the probe.
    return quote(target, safe=_PRINTABLE_ASCII)


_PRINTABLE_ASCII = "".join(chr(code) for code in range(33, 127))


def _authorization(challenges: list[str], method: str, target: str, url: str, rfc: bool = False) -> str | None:
    """The Authorization header answering a 401's ``challenges`` (its WWW-Authenticate
    headers) with ``url``'s user name and password, as FFmpeg answers them (see
    :func:`_ffmpeg_challenge`), written as FFmpeg writes it, or where ``rfc``, as RFC 7616
    asks (qop and algorithm unquoted); None without a password, where FFmpeg cannot answer, or
    where ``rfc`` and the two are written alike."""
    parts = urlsplit(url)
    chosen = _ffmpeg_challenge(challenges)
    # FFmpeg sends none without a colon after the user name (admin@; admin:@ has an empty password).
    if parts.password is None or chosen is None or _unanswerable(challenges):
        return None
    scheme, fields = chosen
    if scheme == "basic":
        return f"Basic {_credentials(url)}"
    user, password = unquote(parts.username or ""), unquote(parts.password)
    algorithm = fields.get("algorithm", "")
    realm, nonce = fields.get("realm", ""), fields.get("nonce", "")
    secret = _md5(f"{user}:{realm}:{password}")
    request = _md5(f"{method}:{target}")
    cnonce = secrets.token_hex(8)
    if algorithm == "MD5-sess":  # the secret bound to this nonce and the client's own
        secret = _md5(f"{secret}:{nonce}:{cnonce}")
    qop = "auth" in (option.strip() for option in fields.get("qop", "").split(","))
    if rfc and not (qop or algorithm):
        return None
    response = _md5(f"{secret}:{nonce}:00000001:{cnonce}:auth:{request}" if qop else f"{secret}:{nonce}:{request}")
    # FFmpeg's own words and order (libavformat/httpauth.c, make_digest_auth), algorithm and
    # qop in quotes: a camera strict about RFC 7616 refuses them, and must refuse the probe too.
    quote_mark = "" if rfc else '"'
    header = f'Digest username="{user}", realm="{realm}", nonce="{nonce}", uri="{target}", response="{response}"'
    if algorithm:  # named back, as FFmpeg does: the camera checks the answer by it
        header += f", algorithm={quote_mark}{algorithm}{quote_mark}"
    if "opaque" in fields:
        header += f', opaque="{fields["opaque"]}"'
    if qop:
        header += f', qop={quote_mark}auth{quote_mark}, cnonce="{cnonce}", nc=00000001'
    return header


def _ffmpeg_challenge(challenges: list[str]) -> tuple[str, dict[str, str]] | None:
    """The challenge FFmpeg takes up among ``challenges`` (libavformat/httpauth.c): each
    Digest one replaces the one before, and any Basic one, so it answers the last Digest
    challenge where there is one, else Basic; as its scheme ("digest" or "basic") and fields.
    None where there is neither."""
    chosen: tuple[str, dict[str, str]] | None = None
    for challenge in challenges:
        scheme, _, params = challenge.strip().partition(" ")
        scheme = scheme.lower()
        if scheme == "digest" or (scheme == "basic" and (chosen is None or chosen[0] == "basic")):
            chosen = (
                scheme,
                {name.lower(): quoted or bare for name, quoted, bare in re.findall(_CHALLENGE_FIELD, params)},
            )
    return chosen


# The Digest algorithms FFmpeg answers, named exactly so ("" where none is named): it has
# no SHA-256 (RFC 7616), and compares the names case by case.
_FFMPEG_DIGEST_ALGORITHMS = ("", "MD5", "MD5-sess")


def _unanswerable(challenges: list[str]) -> str | None:
    """The kind of password check the camera asks for by ``challenges`` that FFmpeg cannot
    answer ("Digest SHA-256", "NTLM"); None where it can, or where none was asked for."""
    chosen = _ffmpeg_challenge(challenges)
    if chosen is None:
        named = challenges[0].strip().partition(" ")[0] if challenges else ""
        return _printable(named) or None
    scheme, fields = chosen
    algorithm = fields.get("algorithm", "")
    if scheme == "digest" and algorithm not in _FFMPEG_DIGEST_ALGORITHMS:
        return f"Digest {_printable(algorithm)}"
    return None


def _printable(said: str) -> str:
    """A camera's word, as a message may show it: printable, and short."""
    return "".join(character for character in said if character.isprintable())[:32]


def _scheme(challenge: str) -> str:
    return challenge.strip().partition(" ")[0].lower()


def _answerable_digest_before(challenges: list[str]) -> str | None:
    """The first Digest challenge among ``challenges`` that FFmpeg would answer but passes
    over for a later one, named ("Digest MD5"); None where there is none."""
    digests = [challenge for challenge in challenges if _scheme(challenge) == "digest"]
    for digest in digests[:-1]:
        chosen = _ffmpeg_challenge([digest])
        if chosen is not None and not _unanswerable([digest]):
            return f"Digest {chosen[1].get('algorithm') or 'MD5'}"
    return None


# A challenge's field: name=value or name="value". A name begins only where a word does:
# tried from inside each word too, a long one took time growing with the square of its length.
_CHALLENGE_FIELD = r'(?<!\w)(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]*))'


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _http_reason(
    sock: socket.socket, url: str, tls: bool, clock: _Clock, waited_s: float | None, hops: tuple[str, ...]
) -> str:
    parts = urlsplit(url)
    answer = _http_get(sock, url, tls, clock, None)
    if isinstance(answer, str):
        return answer
    status, reason, kind, challenges, location = answer
    port = parts.port or DEFAULT_PORTS[parts.scheme.lower()]
    # No password is sent until asked for (as FFmpeg does): then once more, answering the
    # challenge, on a connection of its own (the first one's answer is not read to its end).
    asked = challenges
    authorization = _authorization(challenges, "GET", _target(url), url) if status == 401 else None
    if authorization is not None:
        with _connect(parts.hostname or "", port, clock) as again:
            answer = _http_get(again, url, tls, clock, authorization)
            if isinstance(answer, str):
                return answer
            status, reason, kind, challenges, location = answer
        rfc = _authorization(asked, "GET", _target(url), url, rfc=True) if status == 401 else None
        if rfc is not None and _in_time(lambda: _http_lets_in(parts.hostname or "", port, url, tls, clock, rfc)):
            return _refuses_ffmpegs_quotes(f"HTTP {status} {reason}".strip())
    if status in REDIRECT_STATUSES and location:  # followed as FFmpeg follows it
        followed = [*hops, url]
        try:
            target = redirect_target(followed, location)  # appended to followed
        except ValueError as exc:
            return str(exc)
        return _why_not_opened(target, clock, waited_s, (*hops, url))
    # A web server's HTTPS port asked in plain HTTP may answer 400 rather than hang up (nginx:
    # "The plain HTTP request was sent to HTTPS port"): whether it speaks TLS tells.
    if status == 400 and not tls and _in_time(lambda: _shakes_hands_in_tls(parts.hostname or "", port, clock)):
        return _speaks_https(port)
    if status == 200 and kind == MULTIPART:
        clock.mjpeg = f"HTTP {status} {reason}".strip() + f", {kind}"
    return _status_reason(status, reason, "HTTP", url, kind, waited_s, challenges)


def _in_time(check: Callable[[], bool]) -> bool:
    """``check``, a second look after the camera answered: False where the deadline cuts
    it, so that the answer had is told, not "it did not answer in time"."""
    try:
        return check()
    except _OutOfTime:
        return False


def _http_lets_in(host: str, port: int, url: str, tls: bool, clock: _Clock, authorization: str) -> bool:
    """Whether a GET of ``url`` with ``authorization`` is let in (answered, not with 401): the
    password refused as FFmpeg writes it, asked once more as RFC 7616 writes it. A camera that
    does not answer this once more has told already."""
    try:
        with _connect(host, port, clock) as sock:
            answer = _http_get(sock, url, tls, clock, authorization)
    except (OSError, http.client.HTTPException):
        return False
    return not isinstance(answer, str) and answer[0] != 401


def _http_get(
    sock: socket.socket, url: str, tls: bool, clock: _Clock, authorization: str | None
) -> tuple[int, str, str, list[str], str] | str:
    """The answer to a GET of ``url`` on ``sock``: its status, reason, content type,
    challenges and Location ("" where none); or why it gave none, as a phrase (a
    certificate refused as FFmpeg would)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if tls:
        wrapped = _tls(sock, host, clock)
        if isinstance(wrapped, str):
            return wrapped
        sock = wrapped
    # The port given, not read out of the host: "::1" read as host "::" and port 1.
    connection = http.client.HTTPConnection(host, parts.port or DEFAULT_PORTS[parts.scheme.lower()])
    # The socket already connected (and wrapped), its waits as the clock allows: http.client
    # uses only its sendall, makefile and close.
    connection.sock = cast(socket.socket, _TimedSocket(sock, clock))
    headers: dict[str, str | bytes] = {
        "Host": _host_header(url),
        "User-Agent": "EmotionCamera",
        "Connection": "close",
    }
    if authorization is not None:
        # As UTF-8, as FFmpeg sends it: http.client writes a str header in Latin-1 only, and
        # a user name beyond it ("Łukasz") raised out of the probe.
        headers["Authorization"] = authorization.encode()
    connection.request("GET", _target(url), headers=headers)
    response = connection.getresponse()  # the status line and headers; the body is never read
    kind = content_kind(response.headers)
    challenges = response.headers.get_all("WWW-Authenticate") or []
    return response.status, response.reason, kind, challenges, redirect_location(response.headers)


def _tls(sock: socket.socket, host: str, clock: _Clock) -> ssl.SSLSocket | str:
    """``sock`` in TLS, its certificate checked as FFmpeg checks it; or why not, as a phrase
    (a certificate refused, where FFmpeg was told to check it)."""
    verify, ca_file = ffmpeg_checks_certificates()
    if verify is None:  # FFmpeg refuses to open the camera at all
        return (
            f"{CAPTURE_OPTIONS} gives tls_verify a value FFmpeg does not take: "
            "1 to check the camera's certificate, 0 not to"
        )
    if verify:  # as FFmpeg was told to: the certificate and the host it names
        try:
            context = ssl.create_default_context(cafile=ca_file)
        except OSError as exc:  # FFmpeg cannot read it either (ssl.SSLError: no certificate in it)
            said = exc.reason if isinstance(exc, ssl.SSLError) else None
            why = said.replace("_", " ").lower() if said else exc.strerror or str(exc)
            return f"the certificates file {ca_file} named in {CAPTURE_OPTIONS} (ca_file) does not read: {why}"
    else:
        # Cameras serve self-signed certificates, and FFmpeg does not check them by
        # default either: this only reads the answer.
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    try:
        with clock.step(sock):  # the handshake
            return context.wrap_socket(sock, server_hostname=host)
    except ssl.SSLCertVerificationError as exc:
        return (
            f"its certificate is not trusted ({exc.verify_message}) and {CAPTURE_OPTIONS} asks FFmpeg to "
            "check it (tls_verify): name the camera's certificate there (ca_file;PATH), or take tls_verify out"
        )


def _rtsp_reason(sock: socket.socket, url: str, clock: _Clock, waited_s: float | None) -> str:
    parts = urlsplit(url)
    port = parts.port or DEFAULT_PORTS[parts.scheme.lower()]
    # The request's URI as FFmpeg writes it (libavformat/rtsp.c, url.c): no credentials, an
    # IPv6 address in brackets, and the port even where the URL names none.
    plain = parts._replace(netloc=f"{url_host(parts.hostname or '')}:{port}").geturl()
    answers = _answers(sock, clock)
    not_rtsp = f"{url_host(parts.hostname or '')} answers on port {port}, but not as an RTSP camera"
    answer = _rtsp_describe(sock, answers, clock, plain, 1, None)
    if answer is None:
        return not_rtsp
    status, reason, challenges = answer
    # No password is sent until asked for (as FFmpeg does): then once more, answering the challenge.
    asked = challenges
    authorization = _authorization(challenges, "DESCRIBE", plain, url) if status == 401 else None
    if authorization is not None:
        answer = _rtsp_describe(sock, answers, clock, plain, 2, authorization)
        if answer is None:
            return not_rtsp
        status, reason, challenges = answer
        rfc = _authorization(asked, "DESCRIBE", plain, url, rfc=True) if status == 401 else None
        if rfc is not None:  # refused as FFmpeg writes it: taken as RFC 7616 writes it, the password is right
            try:
                answer = _rtsp_describe(sock, answers, clock, plain, 3, rfc)
            except (OSError, _OutOfTime):  # hung up after the refusal, or too late: it was told
                answer = None
            if answer is not None and answer[0] != 401:
                return _refuses_ffmpegs_quotes(f"RTSP {status} {reason}".strip())
    return _status_reason(status, reason, "RTSP", url, "", waited_s, challenges)


def _refuses_ffmpegs_quotes(said: str) -> str:
    return (
        f"it refuses the user name and password as OpenCV's FFmpeg writes them ({said}), with Digest's qop and "
        "algorithm in quotes, though it takes them unquoted, as RFC 7616 asks: the password is right, but "
        "FFmpeg cannot log in to it (allow Basic in the camera's settings, where it has that)"
    )


def _rtsp_describe(
    sock: socket.socket, answers: BinaryIO, clock: _Clock, target: str, sequence: int, authorization: str | None
) -> tuple[int, str, list[str]] | None:
    """The answer to a DESCRIBE of ``target``: its status, reason and challenges (the
    answer read to its end); None where it is no RTSP answer."""
    request = (
        f"DESCRIBE {target} RTSP/1.0\r\nCSeq: {sequence}\r\nAccept: application/sdp\r\nUser-Agent: EmotionCamera\r\n"
    )
    if authorization is not None:
        request += f"Authorization: {authorization}\r\n"
    with clock.step(sock):
        sock.sendall((request + "\r\n").encode())
    status_line = answers.readline(512).decode("latin-1").strip()
    fields = status_line.split(" ", 2)
    if len(fields) < 2 or not fields[0].startswith("RTSP/") or not fields[1].isdecimal():
        return None
    challenges, length = [], 0
    for _ in range(100):  # the headers, up to the empty line
        name, _, value = answers.readline(4096).decode("latin-1").partition(":")
        if not name.strip():
            break
        if name.strip().lower() == "www-authenticate":
            challenges.append(value.strip())
        elif name.strip().lower() == "content-length" and value.strip().isdecimal():
            length = int(value)
    answers.read(min(length, 1 << 16))  # its body: the next answer follows it
    return int(fields[1]), fields[2] if len(fields) > 2 else "", challenges


def _status_reason(
    status: int, reason: str, protocol: str, url: str, kind: str, waited_s: float | None, challenges: list[str]
) -> str:
    said = f"{protocol} {status} {reason}".strip()
    parts = urlsplit(url)
    path = parts.path or "/"
    scheme_and_host = url.split("://", 1)[0] + "://user:password@…"
    if status == 401 and not any(challenge.strip() for challenge in challenges):  # none, or an empty one
        return (
            f"it refused without saying how to log in ({said}, with no WWW-Authenticate challenge), so OpenCV's "
            "FFmpeg can send it no password: check the stream's address in the camera's or app's instructions "
            "(some take the user name and password in it, after a ?)"
        )
    unanswerable = _unanswerable(challenges) if status == 401 else None
    if unanswerable:  # no password given, or the right one, would open it
        told = f"it asks for its password by {unanswerable}, which OpenCV's FFmpeg cannot answer ({said})"
        if offered := _answerable_digest_before(challenges):
            return (
                f"{told}: it offers {offered} too, but FFmpeg takes up only the last Digest challenge, so turn "
                f"{unanswerable} off in the camera's settings"
            )
        if unanswerable.startswith("Digest ") and any(_scheme(challenge) == "basic" for challenge in challenges):
            return (
                f"{told}: it offers Basic too, but FFmpeg takes up a Digest challenge over Basic, so turn "
                f"{unanswerable} off in the camera's settings"
            )
        named = unanswerable.removeprefix("Digest ")
        if named != unanswerable and named.lower() in ("md5", "md5-sess"):  # MD5 to the camera, spelt otherwise
            spelt = next(name for name in _FFMPEG_DIGEST_ALGORITHMS if name.lower() == named.lower())
            return (
                f"{told}: FFmpeg knows it only spelt {spelt}, as RFC 2617 writes it, so allow Basic in the camera's "
                "settings, where it has that"
            )
        return f"{told}: allow Digest MD5 or Basic in the camera's settings"
    if status in (401, 403):
        if parts.username is not None and parts.password is None:
            return (
                f"it asks for a user name and password ({said}), and the address gives a user name with no colon "
                f"after it, so OpenCV's FFmpeg sends no password: write them as {scheme_and_host} (user:@… where "
                "the password is empty)"
            )
        if _credentials(url):
            return f"it did not accept the user name and password ({said}): check them"
        return f"it asks for a user name and password ({said}): give them in the address, as {scheme_and_host}"
    if status == 404:
        return f"it has nothing at {path} ({said}): check the path in the camera's or app's instructions"
    if status >= 400:
        return f"it answered {said}"
    if kind == "text/html":
        return (
            f"{path} is a web page, not a video stream: use the stream's own address (the camera's or "
            "app's instructions give it; phone apps' often end in /video)"
        )
    answer = f"{said}, {kind}" if kind else said
    if waited_s is not None:
        return sent_no_first_frames(answer, waited_s, ffmpeg_udp_alone() if protocol == "RTSP" else None)
    return f"{NOT_A_STREAM} ({answer})"


# For the app's own reader of an HTTP MJPEG stream (sources/http_mjpeg), which asks the camera
# as the probe does: the same connection, TLS, request and password.


def connect_as_probe(
    url: str, timeout_s: float, deadline_s: float, cancelled: Callable[[], bool] = lambda: False
) -> socket.socket | str:
    """A connection to the camera of the http(s) ``url``, in TLS for https (its certificate
    checked as FFmpeg would), each step within ``timeout_s`` and all within ``deadline_s``;
    or why not, as a phrase (a certificate refused); OSError where it failed (TimeoutError
    too where ``cancelled`` said so before a step)."""
    clock = _Clock(timeout_s, deadline_s, cancelled)
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        sock = _connect(host, parts.port or DEFAULT_PORTS[parts.scheme.lower()], clock)
        if parts.scheme.lower() != "https":
            return sock
        try:
            wrapped = _tls(sock, host, clock)
        except BaseException:
            sock.close()
            raise
    except _OutOfTime:
        raise TimeoutError(f"no connection within {deadline_s:g} s") from None
    if isinstance(wrapped, str):
        sock.close()
    return wrapped


def get_request(url: str, authorization: str | None) -> bytes:
    """A GET of ``url`` as the probe asks for it (and FFmpeg): its Host header, and the
    ``authorization`` answering the camera's challenge where given."""
    lines = [
        f"GET {_target(url)} HTTP/1.1",
        f"Host: {_host_header(url)}",
        "User-Agent: EmotionCamera",
        "Connection: close",
    ]
    request = "\r\n".join(lines).encode()
    if authorization is not None:  # as UTF-8, as FFmpeg sends it (see _http_get)
        request += b"\r\nAuthorization: " + authorization.encode()
    return request + b"\r\n\r\n"


def get_authorization(challenges: list[str], url: str) -> str | None:
    """The Authorization header answering a 401's ``challenges`` to a GET of ``url`` with
    its user name and password, as FFmpeg would answer them; None where it would send none."""
    return _authorization(challenges, "GET", _target(url), url)
