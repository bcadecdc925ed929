"""Network cameras: an IP camera's or a phone camera app's stream, named by its URL.

Qt-free, so the command line (``--camera URL``), the settings and the Open network camera
dialog read URLs the same way. OpenCV's FFmpeg backend reads the stream.
"""

from __future__ import annotations

from urllib.parse import urlsplit

# What IP cameras and phone camera apps serve: MJPEG or H.264 over HTTP, RTSP, RTMP, SRT
# or plain UDP/TCP. Other FFmpeg "protocols" (file:, concat:, pipe:) are not cameras.
STREAM_SCHEMES = ("http", "https", "rtsp", "rtsps", "rtmp", "rtmps", "srt", "udp", "tcp")
EXAMPLE_URL = "http://192.168.1.20:8080/video"


def looks_like_url(text: str) -> bool:
    """Whether ``text`` is meant as a URL (a camera's name or index never holds '://')."""
    return "://" in text


def check_stream_url(text: str) -> str:
    """``text`` stripped, if it names a network stream; ValueError with the reason if not."""
    url = text.strip()
    if not url:
        raise ValueError("no URL given")
    # The URL refused is shown without its password, as every other message shows one.
    shown = without_password(url)
    if any(ch.isspace() for ch in url):
        raise ValueError(f"{shown!r:.80} has spaces; a URL has none")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if not looks_like_url(url) or not scheme:
        raise ValueError(f"{shown!r:.80} is not a URL such as {EXAMPLE_URL}")
    if scheme not in STREAM_SCHEMES:
        raise ValueError(f"{scheme}:// is not a camera stream (use one of {', '.join(STREAM_SCHEMES)})")
    if not parts.hostname:
        raise ValueError(f"{shown!r:.80} names no host")
    try:
        # The name lookup encodes the host so; an empty or over-long part ("cam..local")
        # would otherwise fail there with a codec's message instead of this one.
        parts.hostname.encode("idna")
    except UnicodeError:
        raise ValueError(f"{parts.hostname!r:.80} is not a host name (a part of it is empty or too long)") from None
    try:
        _ = parts.port  # read for its check: a port that is no number, or out of range, raises
    except ValueError:
        if _password_cut_short(url):
            raise ValueError(
                f"{shown!r:.80}: the host part ends at the first '/', '?' or '#', as FFmpeg reads it; "
                "write one in the password as %2F, %3F or %23"
            ) from None
        port = parts.netloc.rpartition(":")[2]
        raise ValueError(f"port {port!r:.20} is not a number from 0 to 65535") from None
    return url


def _host_part_end(rest: str) -> int:
    """Where the host part of ``rest`` (a URL after its "scheme://") ends: at the first "/",
    "?" or "#", as FFmpeg's av_url_split, and urlsplit, end it."""
    return min((at for at in (rest.find(mark) for mark in "/?#") if at >= 0), default=len(rest))


def _password_cut_short(text: str) -> bool:
    """Whether ``text`` reads as ``scheme://user:pass/word@host``, a password cut short by a
    raw "/", "?" or "#": no "@" before the end of the host part (:func:`_host_part_end`), a
    ":" there, an "@" after it, and a port that is no number, so the URL is refused. With a
    port that is one ("cam:8080/snap@2x.jpg"), FFmpeg reads host, port and path and sends no
    password, so nothing is hidden: the two cannot be told apart. "[" begins an IPv6 host,
    not a user name."""
    rest = text.partition("://")[2]
    end = _host_part_end(rest)
    if rest.startswith("[") or "@" in rest[:end] or ":" not in rest[:end] or "@" not in rest[end:]:
        return False
    try:
        _ = urlsplit(text).port  # read for its check, as check_stream_url does
    except ValueError:
        return True
    return False


def without_password(text: str) -> str:
    """``text`` with the password of its user part (``scheme://user:password@``) as ``***``,
    for a message about a URL refused: found by hand, as ``urlsplit`` may refuse it. As
    FFmpeg's av_url_split, the user part ends at the last "@" before the first "/", "?" or
    "#"; an "@" after them is the path's, query's or fragment's."""
    scheme, sep, rest = text.partition("://")
    if not sep:
        # No scheme ("admin:pw@host"): all before the last "@" is taken for user and password.
        scheme, rest = "", text
    end = _host_part_end(rest)
    if sep and _password_cut_short(text):
        # Refused, and the refusal calls it a password: all from the first ":" to the last
        # "@" is hidden, as it may all be the password.
        end = rest.rfind("@") + 1
    user_info, at_sign, host = rest[:end].rpartition("@")
    if not at_sign or ":" not in user_info:
        return text
    user = user_info.partition(":")[0]
    return f"{scheme}{sep}{user}:***@{host}{rest[end:]}"


def url_host(host: str) -> str:
    """``host`` (as ``urlsplit`` reads it) as a URL writes it: an IPv6 address in brackets, as
    FFmpeg writes one (libavformat/url.c), or "::1:8554" reads as neither address nor port."""
    return f"[{host}]" if ":" in host else host


def redacted(url: str) -> str:
    """``url`` without a password (RTSP cameras often carry one), for messages and titles."""
    parts = urlsplit(url)
    if parts.password is None:
        # A password holding a raw "/" ends the host part early, as no password.
        return without_password(url)
    netloc = f"{parts.username}:***@{url_host(parts.hostname or '')}" + (f":{parts.port}" if parts.port else "")
    return parts._replace(netloc=netloc).geturl()


def short_name(url: str, with_path: bool = False, longest: int = 40) -> str:
    """``url`` as a list entry: host and port (and with ``with_path`` the path, for two
    streams of one camera), no scheme or credentials, at most ``longest`` characters (the
    full URL, redacted, belongs in a tooltip)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:  # a port that is no number: the URL is refused when opened
        port = None
    path = parts.path
    if _password_cut_short(url):  # "user:pa/ss@cam/a", refused when opened: the path holds "ss"
        path = urlsplit(without_password(url)).path
    name = url_host(host) + (f":{port}" if port else "") + (path.rstrip("/") if with_path else "")
    return name if len(name) <= longest else name[: longest - 1] + "…"
