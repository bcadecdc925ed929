"""Network cameras (IP cameras, a phone's camera app) by their stream URL.

OpenCV's FFmpeg opens a stream first; where it does not, the probe (``stream_probe``) asks
the camera why, and an HTTP(S) MJPEG stream FFmpeg cannot open is read by the app's own
reader (``http_mjpeg``). A stream is read on a thread of its own
(:class:`NetworkStreamSource`), opened again when it breaks off (``stream_drops``), its
reads waiting as its own pace allows (``stream_pace``); its first open too runs on a thread
of its own, so a stop never waits for it.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from emotion_app.io.codecs import NativeStderrFilter, quiet_opencv_log
from emotion_app.io.frame_format import normalise_frame
from emotion_app.io.video import decode_jpeg_silently, jpeg_packets

from .frame_source import WAIT_SLICE_S, OpenAbandoned, SourceOpenError, open_cancelled, open_told, usable_fps
from .http_mjpeg import HttpMjpegCapture, open_http_mjpeg
from .opencv_source import read_first_frame
from .specs import CameraSpec
from .stream_drops import StreamDrops
from .stream_pace import STREAM_STALL_CEILING_S, STREAM_STALL_FLOOR_S, StreamPace
from .stream_probe import (
    CAPTURE_OPTIONS,
    CHECK_ADDRESS,
    PROBE_DEADLINE_S,
    PROBE_TIMEOUT_S,
    QUICK_PROBE_DEADLINE_S,
    QUICK_PROBE_TIMEOUT_S,
    ProbeAnswer,
    ffmpeg_options,
    probe,
    sent_no_first_frames,
)
from .stream_url import check_stream_url

log = logging.getLogger(__name__)

# A network camera that does not answer must not hold the capture thread (and so a stop
# or the app's closing) for long: FFmpeg gives up on opening or on a read after these. A
# stream's read waits longer where its own pace asks for it (see stream_pace), and an open
# again of such a stream as long (three of its frames are read in an open).
STREAM_OPEN_TIMEOUT_MS = 4000
STREAM_READ_TIMEOUT_MS = int(STREAM_STALL_FLOOR_S * 1000)
# A stream that breaks off while it plays (a sender's glitch: bytes that are no frame, a
# part claiming gigabytes, a dropped connection) is opened again by its own thread: one try
# after each of these waits, and the stream is given up after the last. Each drop has all
# of them; one that breaks off too often is given up all the same (see stream_drops).
STREAM_RECONNECT_DELAYS_S = (0.2, 0.5, 1.0, 2.0, 4.0)

# What turns a stream's read into a picture, where the capture hands over encoded packets.
Decoder = Callable[[np.ndarray], np.ndarray | None]


class StreamRefusedError(Exception):
    """A network stream that did not open, or sent no frame: the message says why, as a
    phrase; ``opened``: whether FFmpeg opened it (it answered as a stream)."""

    def __init__(self, reason: str, opened: bool) -> None:
        super().__init__(reason)
        self.opened = opened


# How long the app's own reader waits for a stream's first frame at its first open: a camera
# in a snapshot or timelapse mode may send one only when its interval comes round, and no
# stream is waited for longer than its pace ever allows between two frames.
OWN_READER_FIRST_FRAME_S = STREAM_STALL_CEILING_S


def _open_timeout_ms(read_timeout_ms: int) -> int:
    return max(STREAM_OPEN_TIMEOUT_MS, read_timeout_ms)


def rtsp_over_tcp_first() -> None:
    """Have OpenCV's FFmpeg ask an RTSP camera for RTP over TCP first, where FFmpeg options
    of one's own (:data:`CAPTURE_OPTIONS`) name no RTSP transport (rtsp_transport,
    rtsp_flags) as FFmpeg reads them (stream_probe.ffmpeg_options): ``rtsp_flags;prefer_tcp``
    put before them.

    OpenCV asks so only where no options are given. With options of one's own (tls_verify
    for an HTTPS camera) FFmpeg asked for UDP first, and where a NAT or firewall drops the
    camera's UDP packets it waited for them past the open timeout, asking over TCP only
    after its own ``timeout`` option, unset by default: the camera never played. The app
    calls it at start, before its threads (an environment written while another thread
    reads it can crash the process); the call at each RTSP open, for other callers, then
    writes nothing."""
    options = os.environ.get(CAPTURE_OPTIONS, "")
    if options and not ffmpeg_options(options).keys() & {"rtsp_transport", "rtsp_flags"}:
        # First: FFmpeg stops at a pair it cannot read (a blank) and reads one after "||" as a
        # name starting with "|". Written once: the options then name rtsp_flags.
        os.environ[CAPTURE_OPTIONS] = f"rtsp_flags;prefer_tcp|{options}"


def open_stream_capture(url: str, read_timeout_ms: int = STREAM_READ_TIMEOUT_MS) -> cv2.VideoCapture:
    """``url`` through OpenCV's FFmpeg backend, with the timeouts above (FFmpeg's read
    timeout is fixed once a stream is open: a read it cut short leaves the stream dead),
    an RTSP camera asked for TCP first (:func:`rtsp_over_tcp_first`)."""
    if url.split(":", 1)[0].lower() in ("rtsp", "rtsps"):
        rtsp_over_tcp_first()
    return cv2.VideoCapture(
        url,
        cv2.CAP_FFMPEG,
        [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
            _open_timeout_ms(read_timeout_ms),
            cv2.CAP_PROP_READ_TIMEOUT_MSEC,
            read_timeout_ms,
        ],
    )


# A stream's capture: OpenCV's FFmpeg, or where that refused an HTTP MJPEG stream the app's own.
StreamCapture = cv2.VideoCapture | HttpMjpegCapture


def connect_stream(
    url: str,
    cancelled: Callable[[], bool] = lambda: False,
    read_timeout_ms: int = STREAM_READ_TIMEOUT_MS,
    own_reader_first: bool = False,
    first_frame_ms: int | None = None,
    told: Callable[[str], None] | None = None,
) -> tuple[StreamCapture, Decoder | None, np.ndarray]:
    """The stream at ``url`` (checked) opened, with its first frame read and decoded, and
    the decoder of its reads (None: they are pictures already); :class:`StreamRefusedError`
    with the reason. ``cancelled``: asked between the steps, each of which waits up to a
    timeout; where it says so, the stream is let go of and refused with no reason.
    ``read_timeout_ms``: how long each read of it may wait (its open at least as long).

    FFmpeg first; where it does not open a stream that the probe finds is an HTTP(S) MJPEG
    one, the app's own reader (sources/http_mjpeg), which opens a camera too slow for FFmpeg's
    open (it reads three frames in it). ``own_reader_first``: that reader alone (a stream
    it read before). ``first_frame_ms``: how long that reader waits for the first frame
    (None: as long as a read; a first open, which knows nothing of the stream's pace, waits
    :data:`OWN_READER_FIRST_FRAME_S`), ``told`` what it waits for as it begins."""
    open_timeout_ms = _open_timeout_ms(read_timeout_ms)
    with quiet_opencv_log():
        began = time.monotonic()
        capture = None if own_reader_first else open_stream_capture(url, read_timeout_ms)
        if capture is None or not capture.isOpened():
            waited_out = False
            if capture is not None:
                capture.release()
                waited_out = _waited_out(began, open_timeout_ms)
            first_ms = max(read_timeout_ms, first_frame_ms or 0)
            return _open_refused(url, cancelled, read_timeout_ms, waited_out, own_reader_first, first_ms, told)
        frame = None
        decode = jpeg_packets(capture)
        began = time.monotonic()
        if not cancelled():
            frame = read_first_frame(capture)
        if frame is not None and decode is not None:
            frame = decode(frame)
    if frame is None or frame.size == 0:
        capture.release()
        reason = "answered but sends no frames"
        if _waited_out(began, read_timeout_ms):
            reason = f"answered but sent no complete frame within {read_timeout_ms / 1000.0:g} s"
        raise StreamRefusedError("" if cancelled() else reason, opened=True)
    return capture, decode, normalise_frame(frame)


def _open_refused(
    url: str,
    cancelled: Callable[[], bool],
    read_timeout_ms: int,
    waited_out: bool,
    own_reader_first: bool,
    first_frame_ms: int,
    told: Callable[[str], None] | None = None,
) -> tuple[StreamCapture, Decoder | None, np.ndarray]:
    """The stream at ``url`` that FFmpeg did not open (``waited_out``: it waited out its
    open timeout; ``own_reader_first``: not tried), read by the app's own MJPEG reader where
    the camera answers with such a stream, its first frame waited for up to
    ``first_frame_ms``; else :class:`StreamRefusedError` saying why. ``told``: what that
    wait is, as it begins (see :func:`connect_stream`)."""
    _refused_if(cancelled)
    open_timeout_ms = _open_timeout_ms(read_timeout_ms)
    answer = None
    if not own_reader_first:
        # FFmpeg waited out its timeout: nobody answered, or the answer was a stream too
        # slow for a frame. Asked briefly which: the user has waited out FFmpeg's open already.
        if waited_out:
            answer = _probe(url, QUICK_PROBE_TIMEOUT_S, QUICK_PROBE_DEADLINE_S, open_timeout_ms / 1000.0, cancelled)
        else:
            answer = _probe(url, PROBE_TIMEOUT_S, PROBE_DEADLINE_S, None, cancelled)
        _refused_if(cancelled)
        if answer.mjpeg is None:
            raise StreamRefusedError(answer.reason, opened=False)
    own = open_http_mjpeg(url, read_timeout_ms / 1000.0, cancelled)
    if own is not None and told is not None:
        told(f"it answered with an MJPEG stream; waiting for its first frame (up to {first_frame_ms / 1000.0:g} s)")
    opened = _own_first_frame(own, cancelled, first_frame_ms, read_timeout_ms) if own is not None else None
    if opened is not None:
        return opened
    _refused_if(cancelled)
    if answer is None:  # the app's reader alone was tried: asked why now
        answer = _probe(url, PROBE_TIMEOUT_S, PROBE_DEADLINE_S, None, cancelled)
        _refused_if(cancelled)
    if own is not None and answer.mjpeg is not None:  # it answered with a stream, and sent no frame
        waited_ms = first_frame_ms + (open_timeout_ms if waited_out else 0)
        raise StreamRefusedError(sent_no_first_frames(answer.mjpeg, waited_ms / 1000.0), opened=False)
    raise StreamRefusedError(answer.reason, opened=False)


def _refused_if(cancelled: Callable[[], bool]) -> None:
    """:class:`StreamRefusedError` with no reason (the open given up) where ``cancelled`` says so."""
    if cancelled():
        raise StreamRefusedError("", opened=False)


def _own_first_frame(
    capture: HttpMjpegCapture, cancelled: Callable[[], bool], first_frame_ms: int, read_timeout_ms: int
) -> tuple[StreamCapture, Decoder | None, np.ndarray] | None:
    """The first frame of an MJPEG stream the app's own reader opened, with the capture and
    its decoder, waited for up to ``first_frame_ms``; parts that do not decode are passed
    over for a read's timeout from the first. None (the capture released) where no part
    came; :class:`StreamRefusedError` where parts came and none decoded (a camera sending no
    frames is told apart from one sending no pictures)."""
    deadline = time.monotonic() + first_frame_ms / 1000.0
    parts = 0
    while (left_s := deadline - time.monotonic()) > 0 and not cancelled():
        # Each read within the time left: the stream's reads set their own timeout after.
        capture.read_timeout_s = left_s
        ok, packet = capture.read()
        if not ok or packet is None:
            break
        if not parts:  # what comes is no longer waited for as a slow camera's first frame
            deadline = min(deadline, time.monotonic() + read_timeout_ms / 1000.0)
        parts += 1
        frame = decode_jpeg_silently(packet)
        if frame is not None and frame.size > 0:
            return capture, decode_jpeg_silently, normalise_frame(frame)
    capture.release()
    if parts and not cancelled():
        waited_s = read_timeout_ms / 1000.0
        raise StreamRefusedError(f"answered but for {waited_s:g} s nothing it sent decoded as a picture", opened=True)
    return None


def _probe(
    url: str, timeout_s: float, deadline_s: float, waited_s: float | None, cancelled: Callable[[], bool]
) -> ProbeAnswer:
    """:func:`probe`, whose own failure on an odd camera or address must not end the open,
    nor a reconnect's thread (which would leave "reconnecting" on screen for good)."""
    try:
        return probe(url, timeout_s, waited_s, deadline_s, cancelled)
    except Exception as exc:
        # Its type only: the message may quote the request, the user name in it.
        log.warning("asking the network camera why it did not open failed (%s)", type(exc).__name__)
        return ProbeAnswer(f"no answer, or not a video stream {CHECK_ADDRESS}")


def _waited_out(began: float, timeout_ms: int) -> bool:
    """Whether a step that began at ``began`` (``time.monotonic()``) and failed took about
    FFmpeg's whole ``timeout_ms``: it gave up waiting, rather than being refused."""
    return time.monotonic() - began >= 0.9 * timeout_ms / 1000.0


def open_network_camera(
    spec: CameraSpec, cancelled: Callable[[], bool] | None = None, told: Callable[[str], None] | None = None
) -> NetworkStreamSource:
    """The stream of ``spec.url`` with its first frame read; :class:`SourceOpenError` with a
    reason. ``cancelled`` (default: :func:`.frame_source.opening_cancelled_when`'s): asked every
    :data:`_OPEN_POLL_S` while the open waits; where it says so, :class:`OpenAbandoned` at
    once, and the open, on a thread of its own, lets go of the camera (see :class:`_StreamOpen`).
    ``told`` (default: :func:`.frame_source.opening_cancelled_when`'s): called on this thread with what
    the open waits for, in words, as it begins waiting for a slow camera's first frame."""
    try:
        url = check_stream_url(spec.url)
    except ValueError as exc:
        raise SourceOpenError(f"Could not open {spec.describe()}: {exc}") from None
    began = time.monotonic()
    try:
        capture, decode, frame = _StreamOpen(url).result(
            cancelled or open_cancelled.get() or (lambda: False), told or open_told.get()
        )
    except StreamRefusedError as exc:
        if exc.opened:
            raise SourceOpenError(f"{spec.describe(capital=True)} {exc}") from None
        raise SourceOpenError(f"Could not open {spec.describe()}: {exc}") from None
    pace = StreamPace()
    pace.opened_in(time.monotonic() - began)
    return NetworkStreamSource(url, capture, frame, decode, pace)


# How often a read waiting for a stream's next frame asks whether to give up.
_STREAM_POLL_S = 0.05
# How often a stream's first open, waited for, asks whether it is given up.
_OPEN_POLL_S = 0.05


class _StreamOpen:
    """A network camera's first open (:func:`connect_stream`), on a thread of its own.

    FFmpeg's open cannot be cut short (it waits up to :data:`STREAM_OPEN_TIMEOUT_MS`), nor
    can a socket's wait already under way in the probe (a step's timeout): held by them on
    the capture thread, a stop, another source or the window's closing waited for the whole
    open (FFmpeg's, the probe's and the app's own reader's: about 35 s for a camera that
    answers with a stream and sends no frame). :meth:`result` waits for it only until its
    ``cancelled`` says so; the open then gives up at its next step (the probe's and the
    reader's waits are cut within a step or a slice), releases what it opened, and ends.
    Its thread counts among the streams' (:func:`wait_for_streams_let_go`) until then."""

    def __init__(self, url: str) -> None:
        self._abandoned = threading.Event()
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._opened: tuple[StreamCapture, Decoder | None, np.ndarray] | None = None
        self._failed: BaseException | None = None
        self._waiting: str | None = None  # what the open waits for, in words (set on its thread)
        _start_stream_thread(lambda: self._open(url), "network camera open")

    def _open(self, url: str) -> None:
        opened = None
        try:
            # Its pace unknown yet, a slow camera may send its first frame only when its
            # interval comes round: waited for as long as any stream's pace allows.
            opened = connect_stream(
                url, self._abandoned.is_set, first_frame_ms=int(OWN_READER_FIRST_FRAME_S * 1000), told=self._waits_for
            )
        except Exception as exc:  # StreamRefusedError, or a backend's: the waiter's to raise
            self._failed = exc
        finally:
            with self._lock:
                if self._abandoned.is_set() and opened is not None:
                    opened[0].release()  # nobody takes it
                else:
                    self._opened = opened
                self._done.set()

    def _waits_for(self, what: str) -> None:
        self._waiting = what

    def result(
        self, cancelled: Callable[[], bool], told: Callable[[str], None] | None = None
    ) -> tuple[StreamCapture, Decoder | None, np.ndarray]:
        """What :func:`connect_stream` returned (or raised); :class:`OpenAbandoned` as soon
        as ``cancelled`` says so (asked on the caller's thread). ``told``: called on the
        caller's thread with what the open waits for, once it waits for it (never once
        ``cancelled`` says so)."""
        told_of: str | None = None
        while not self._done.wait(_OPEN_POLL_S):
            # Asked first: an open the user has replaced tells of no wait of its own.
            if cancelled():
                with self._lock:
                    if not self._done.is_set():
                        self._abandoned.set()
                        raise OpenAbandoned
                break  # done meanwhile: let go of below
            waiting = self._waiting
            if told is not None and waiting is not None and waiting != told_of:
                told_of = waiting
                told(waiting)
        if cancelled():
            if self._opened is not None:
                self._opened[0].release()
            raise OpenAbandoned
        if self._failed is not None:
            raise self._failed
        assert self._opened is not None
        return self._opened


# A read of a stream is watched from this long before FFmpeg's read timeout would end it.
_TIMEOUT_WATCH_LEAD_S = 0.5


def _is_timeout_line(line: bytes) -> bool:
    return b"Stream timeout triggered" in line


class _ReadTimeoutWatch:
    """Keeps the line OpenCV logs where a read of a stream times out ("... Stream timeout
    triggered after 3006.4 ms") off the terminal: standard error passes through a
    :class:`NativeStderrFilter`, that line left out, from shortly before a read would time
    out until it returns. OpenCV's log stays on for the other threads (their lines go on
    as they come); the app says in its own words what became of the stream."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._began: float | None = None  # when the read under way began; None between reads
        self._timeout_s = STREAM_STALL_FLOOR_S  # FFmpeg's read timeout of that read
        self._filter = NativeStderrFilter(_is_timeout_line)
        self._filtering = False
        self._closed = False
        threading.Thread(target=self._watch, name="network camera read watch", daemon=True).start()

    def read_began(self, timeout_s: float) -> None:
        with self._changed:
            self._began = time.monotonic()
            self._timeout_s = timeout_s
            self._changed.notify_all()

    def read_ended(self) -> None:
        with self._changed:
            self._began = None
            if self._filtering:
                self._filter.stop()
                self._filtering = False
            self._changed.notify_all()

    def close(self) -> None:
        """End the watch (after :meth:`read_ended`)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def _watch(self) -> None:
        with self._changed:
            while not self._closed:
                if self._began is None or self._filtering:
                    self._changed.wait()
                    continue
                due = self._began + self._timeout_s - _TIMEOUT_WATCH_LEAD_S
                if time.monotonic() < due:
                    self._changed.wait(due - time.monotonic())
                    continue
                self._filtering = self._filter.start()
                if not self._filtering:  # standard error silenced by another thread meanwhile
                    self._changed.wait(0.01)


@dataclass(frozen=True)
class StreamNews:
    """A network camera's :attr:`~NetworkStreamSource.reconnecting`,
    :attr:`~NetworkStreamSource.reconnected` and :attr:`~NetworkStreamSource.why_ended`,
    taken together: read one by one, a give-up between the reads looked like playing again."""

    reconnecting: str | None
    reconnected: int
    why_ended: str | None
    waiting: str | None = None


class NetworkStreamSource:
    """A network camera's stream, read on a thread of its own.

    A stream that goes quiet holds its read for FFmpeg's read timeout, and nothing can cut
    that short: read here, it would keep a stop, another source and the window's closing
    waiting for it. Its own thread reads on, and :meth:`read` waits for it only until
    :meth:`give_up_scans_when` says to give up; :meth:`release` returns at once, and the
    thread releases the stream when its read returns (:func:`wait_for_streams_let_go`).

    The thread reads the stream as fast as the sender sends, keeping only the newest frame
    (undecoded, for an MJPEG stream): a sender faster than the app would otherwise queue
    its frames in the connection, each shown later than the one before.

    A stream that breaks off is opened again by the thread (:data:`STREAM_RECONNECT_DELAYS_S`):
    meanwhile :attr:`reconnecting` says so, :attr:`reconnected` counts the times it played
    again, and after the last try (or a drop too many: :class:`StreamDrops`) :attr:`why_ended`
    says why it was given up. A read returns None (the frame not yet there) when reconnecting
    or why_ended changes; :meth:`news` gives the three as they were at one moment.
    """

    def __init__(
        self,
        url: str,
        capture: StreamCapture,
        first_frame: np.ndarray,
        decode: Decoder | None,
        pace: StreamPace | None = None,
    ) -> None:
        """``url``: where the stream is opened again if it breaks off; ``decode``: what
        turns each read into a picture, where the capture hands over encoded packets (see
        :func:`connect_stream`); ``pace``: what is known of its pace (the open's time), and
        ``capture``'s read timeout the floor (:data:`STREAM_READ_TIMEOUT_MS`)."""
        self._url = url
        self._pace = pace if pace is not None else StreamPace()
        self._pending: np.ndarray | None = first_frame
        self.height, self.width = first_frame.shape[:2]
        self.fps = usable_fps(float(capture.get(cv2.CAP_PROP_FPS) or 0.0))
        self.frame_count = 0
        self.last_time_s: float | None = None
        # While the thread opens the stream again: what happened to it and which try this
        # is, in words (for the window's message); None while it plays.
        self.reconnecting: str | None = None
        # While the thread opens the stream again because it sends frames more slowly than
        # its reads waited for (not a drop): that, in words; None otherwise.
        self.waiting: str | None = None
        # Why the stream was given up (it broke off, and each try to open it again failed).
        self.why_ended: str | None = None
        # The times it broke off and was opened again: a reconnect may be over before anyone
        # looks at reconnecting, and a drop must still be told.
        self.reconnected = 0
        self._give_up: Callable[[], bool] | None = None
        self._changed = threading.Condition()
        # Read and not taken yet, with its decoder; older ones are dropped.
        self._newest: tuple[np.ndarray, Decoder | None] | None = None
        self._news = False  # reconnecting or why_ended changed since read() last returned
        self._undecodable_since: float | None = None  # the first of the packets in a row that did not decode
        self._closing = False
        # Read by the app's own MJPEG reader (FFmpeg refused it): opened again by that alone.
        self._own_reader = isinstance(capture, HttpMjpegCapture)
        if isinstance(capture, HttpMjpegCapture):
            capture.stop_when(lambda: self._closing)  # its reads let go within a slice
        _start_stream_thread(lambda: self._read_stream(capture, decode), "network camera")

    def give_up_scans_when(self, give_up: Callable[[], bool]) -> None:
        """A read waiting for the next frame gives up (None) once ``give_up`` says so: asked
        on the reading thread, every few milliseconds of the wait."""
        self._give_up = give_up

    def news(self) -> StreamNews:
        """Its reconnecting, reconnected and why_ended, as they were at one moment: the
        stream's thread changes them together (see :meth:`_end`)."""
        with self._changed:
            return StreamNews(self.reconnecting, self.reconnected, self.why_ended, self.waiting)

    def read(self) -> np.ndarray | None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            return pending
        while True:
            with self._changed:
                while self._newest is None and not self._news:
                    if self._closing or (self._give_up is not None and self._give_up()):
                        return None
                    self._changed.wait(_STREAM_POLL_S)
                newest, self._newest = self._newest, None
                if newest is None:  # no frame, but news: reconnecting, or given up
                    self._news = False
                    return None
            packet, decode = newest
            frame = decode(packet) if decode is not None else packet
            if frame is not None and frame.size > 0:
                self._undecodable_since = None
                return normalise_frame(frame)
            # A packet that does not decode (a glitch, or the end of a read FFmpeg gave up
            # on) is skipped; a stream that sends nothing else is given up.
            now = time.monotonic()
            if self._undecodable_since is None:
                self._undecodable_since = now
            else:
                with self._changed:
                    allowed_s = self._pace.allowed_stall_s()
                if now - self._undecodable_since >= allowed_s:
                    with self._changed:
                        self.why_ended = f"for {allowed_s:g} s nothing it sent decoded as a picture"
                    return None

    def _read_stream(self, capture: StreamCapture, decode: Decoder | None) -> None:
        opened: StreamCapture | None = capture
        drops = StreamDrops()
        # Whether the read before this one waited out FFmpeg's read timeout: such a read may
        # still hand over what it read so far (no picture), and only the next one fail.
        slow_before = False
        watch = _ReadTimeoutWatch()
        timeout_ms = STREAM_READ_TIMEOUT_MS  # of the connection open
        try:
            while opened is not None:
                if isinstance(opened, HttpMjpegCapture):
                    # The app's own reader waits as the pace allows, read by read (FFmpeg's
                    # cannot): a slow frame needs no connection opened again.
                    with self._changed:
                        timeout_ms = max(STREAM_READ_TIMEOUT_MS, int(self._pace.allowed_stall_s() * 1000))
                    opened.read_timeout_s = timeout_ms / 1000.0
                began = time.monotonic()
                watch.read_began(timeout_ms / 1000.0)
                frame = _read_stream_frame(opened)
                watch.read_ended()
                slow = _waited_out(began, timeout_ms)
                timed_out, slow_before = slow or slow_before, slow
                # FFmpeg cut the read short at its timeout, and yet it gave a frame: what it
                # held (RTSP's gives one at each of two timeouts before a read fails). The
                # stream went quiet all the same: opened again now, not two timeouts later.
                interrupted = time.monotonic() - began >= timeout_ms / 1000.0
                with self._changed:
                    if self._closing:
                        return
                    if frame is not None:
                        self._newest = (frame, decode)
                        self._pace.frame_at(time.monotonic())
                        self._changed.notify_all()
                        if not interrupted:
                            continue
                    allowed_ms = int(self._pace.allowed_stall_s() * 1000)
                opened.release()
                released, opened = opened, None
                self._pace.restart()
                if timed_out and allowed_ms > timeout_ms:
                    # Quiet for longer than this connection's read could wait, not than the
                    # stream's own pace allows (learnt since it opened): no drop. Opened again
                    # with reads that wait as long; meanwhile the window says why, calmly.
                    reconnected = self._reconnect(None, allowed_ms)
                    if reconnected is not None:
                        opened, decode = reconnected
                        timeout_ms = allowed_ms
                    continue
                what = _why_stream_broke(released, timed_out, timeout_ms)
                if drops.too_often(time.monotonic()):
                    self._end(
                        f"{what}, {drops.limit} times within {drops.window_s:g} s: the connection keeps "
                        "breaking, so the app stopped reconnecting (check the camera's Wi-Fi signal or cable "
                        "and its power, or lower its resolution or frame rate)"
                    )
                    return
                timeout_ms = max(STREAM_READ_TIMEOUT_MS, allowed_ms)
                reconnected = self._reconnect(what, timeout_ms)
                if reconnected is not None:
                    opened, decode = reconnected
        finally:
            watch.close()
            if opened is not None:
                opened.release()

    def _reconnect(self, what: str | None, timeout_ms: int) -> tuple[StreamCapture, Decoder | None] | None:
        """Open the stream again after ``what`` happened to it (None: it sends frames more
        slowly than its reads could wait, see :meth:`_read_stream`), its reads waiting up to
        ``timeout_ms``: the capture and its decoder; None where it was given up or released."""
        last = ""
        for tries, delay in enumerate(STREAM_RECONNECT_DELAYS_S, start=1):
            with self._changed:
                if self._closing:
                    return None
                if what is not None:
                    self.reconnecting = f"{what}: reconnecting (try {tries} of {len(STREAM_RECONNECT_DELAYS_S)})"
                else:
                    self.waiting = (
                        f"waiting for its next frame (it sends one every ~{self._pace.interval_s or 0.0:.0f} s)"
                    )
                self._news = True
                self._changed.notify_all()
                if self._changed.wait_for(lambda: self._closing, delay):
                    return None
            try:
                capture, decode, frame = connect_stream(
                    self._url, lambda: self._closing, timeout_ms, own_reader_first=self._own_reader
                )
            except StreamRefusedError as exc:
                if what is None:  # not the slow stream thought: a stream that broke off
                    what = "no frame could be read from it"
                last = f"it {exc}" if exc.opened else str(exc)
                continue
            with self._changed:
                if self._closing:
                    capture.release()
                    return None
                self._newest = (frame, None)  # decoded already; the frame read tells it plays again
                self._own_reader = isinstance(capture, HttpMjpegCapture)
                self.reconnecting = self.waiting = None
                if what is not None:
                    self.reconnected += 1
                self._changed.notify_all()
            return capture, decode
        count = len(STREAM_RECONNECT_DELAYS_S)
        what = what or "no frame could be read from it"
        self._end(f"{what}, and reconnecting failed {count} times (the last time: {last})")
        return None

    def _end(self, why: str) -> None:
        """Give the stream up, saying ``why``."""
        with self._changed:
            self.why_ended = why
            self.reconnecting = self.waiting = None
            self._news = True
            self._changed.notify_all()

    def rewind(self) -> bool:
        return False

    def seek(self, frame: int) -> bool:
        return False

    def release(self) -> None:
        with self._changed:
            self._closing = True
            self._pending = self._newest = None
            self._changed.notify_all()


def _read_stream_frame(capture: StreamCapture) -> np.ndarray | None:
    """The stream's next read, or None where it failed (a backend error too)."""
    try:
        ok, read = capture.read()
    except Exception as exc:  # a backend error: the stream broke off, as a failed read
        log.debug("network camera read raised %s", exc)
        return None
    return read if ok and read is not None and read.size > 0 else None


def _why_stream_broke(capture: StreamCapture, timed_out: bool, timeout_ms: int) -> str:
    """What happened to the stream of ``capture`` whose read failed, in words: what the
    camera sent wrong, where the app's own reader could tell; else ``timed_out``: the read,
    or the one before it, waited out FFmpeg's read timeout, ``timeout_ms``."""
    if isinstance(capture, HttpMjpegCapture) and capture.why_broken:
        return f"its stream broke off: {capture.why_broken}"
    if timed_out:
        return f"no frame could be read from it for {timeout_ms / 1000.0:g} s"
    return "its stream broke off (the connection closed, or it sent something that is not a frame)"


_readers_lock = threading.Lock()
_stream_readers: set[threading.Thread] = set()
# The longest a stream's thread may still hold its connection once released: in a read, or
# in opening the stream again (an open, and the probe of why it failed). A first open given
# up holds it at most FFmpeg's open, or a step of the probe's.
_LET_GO_S = max(STREAM_STALL_CEILING_S, STREAM_OPEN_TIMEOUT_MS / 1000.0) + PROBE_DEADLINE_S
# How long the process's exit waits for them (see gui/app).
STREAM_LET_GO_WAIT_S = _LET_GO_S + 1.0


def _start_stream_thread(run: Callable[[], None], name: str) -> None:
    """``run`` on a daemon thread named ``name``, counted among the streams' threads
    (:func:`wait_for_streams_let_go`) from before it starts until it has ended."""

    def counted() -> None:
        try:
            run()
        finally:
            with _readers_lock:
                _stream_readers.discard(threading.current_thread())

    thread = threading.Thread(target=counted, name=name, daemon=True)
    with _readers_lock:
        _stream_readers.add(thread)
    thread.start()


def wait_for_streams_let_go(timeout_s: float = STREAM_LET_GO_WAIT_S) -> bool:
    """Wait until the threads of the network streams released have let go of them (at most
    a read timeout, or an open's: see :class:`NetworkStreamSource`); True if they all did.
    For the process's end, after its window has gone: one still in FFmpeg then may crash
    the exit."""
    deadline = time.monotonic() + timeout_s
    while True:
        with _readers_lock:
            readers = list(_stream_readers)
        if not readers:
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        readers[0].join(min(remaining, WAIT_SLICE_S))  # a second Ctrl+C runs between (gui/quitting)
