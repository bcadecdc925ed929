"""Running a scan for new faces: its jobs through the cascade (or the CNN detector's scan),
inline or on a thread of its own.

What a scan covers is :mod:`.scan_plan`'s; when one is due, and what becomes of its
finds (a local search confirms each), the tracker's, except for the CNN detector's
scans, whose cadence, tiles and rests are :class:`NetworkNewcomerScans`'. A scan of a 1280x720 frame for
24 px faces costs several frame periods, so the live app runs it on a
:class:`BackgroundScan` thread: the frame that starts it is not delayed, and its
candidates are picked up by the first frame processed after it ends.
``detectMultiScale`` releases the GIL, so the scan really runs beside the caller.
"""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any, Generic, Literal, NamedTuple, TypeVar

import numpy as np

from .detector import FaceDetector
from .geometry import Box, centre_inside, iou, suppress_duplicates
from .network_detector import NetworkFaceDetector, NetworkFind, change_mask
from .scan_plan import ScanJob

log = logging.getLogger(__name__)

Finds = TypeVar("Finds")

# Name prefix of the background scan thread (tests and debuggers look for it).
SCAN_THREAD_PREFIX = "face-scan"
NETWORK_SCAN_THREAD_PREFIX = "cnn-face-scan"

# The CNN detector's scan for newcomers (see the tracker's module notes) runs every this
# many frames, over the tiles that changed since the last one, and over every tile at
# every NETWORK_FULL_SCAN_EVERY-th: a face only it sees is shown about a second after it
# comes into view, and a still scene costs nothing (a whole frame costs tens of
# milliseconds: docs/measurements.md).
NETWORK_SCAN_FRAMES = 30
NETWORK_FULL_SCAN_EVERY = 8
# Live, a CNN scan starts only once the frames' clock has moved on by this many times the
# last one's duration since it ended: at most about a sixth of a core, whatever the
# machine. On a slow one, a scan of an HD frame every second crowded out the frames
# (docs/measurements.md).
NETWORK_REST_FACTOR = 5.0
# A scan's duration counts up to this many seconds: one that spanned a laptop's sleep must
# not hold the next off for hours.
NETWORK_LONGEST_SCAN_S = 2.0
# A candidate of that scan within this overlap of a track (any, shown or not) is that face.
NETWORK_KNOWN_IOU = 0.2


def discover(
    detector: FaceDetector,
    gray: np.ndarray,
    jobs: list[ScanJob],
    settings: tuple[float, int] | None,
    roll: float = 0.0,
) -> list[Box]:
    """Candidate new faces of each job's sizes, where it says (None: the whole frame).

    ``settings``: (scale factor, min neighbours) of the scan, or None for the detector's own.
    ``roll``: look for faces leaning this many degrees (see :mod:`.roll`).
    """
    scale_factor, min_neighbors = settings if settings is not None else (None, None)
    height, width = gray.shape[:2]
    found: list[Box] = []
    for job in jobs:
        for region in job.regions if job.regions is not None else [(0, 0, width, height)]:
            found.extend(
                detector.detect_region(
                    gray,
                    region,
                    job.min_size,
                    job.max_size,
                    scale_factor=scale_factor,
                    min_neighbors=min_neighbors,
                    roll=roll,
                )
            )
    return suppress_duplicates(found)


# What a ScanThread's pickled state holds as None: the thread, its futures, and a clone
# of the detector for it (made again on the copy's first scan).
_THREAD_PARTS = ("_executor", "_pending", "_dropped", "_thread_detector")


class FinishedScan(NamedTuple):
    """A background scan's candidate boxes, and the tilt (see :mod:`.roll`) it looked for."""

    candidates: list[Box]
    roll: float


class ScanThread(Generic[Finds]):
    """One scan at a time on a thread of its own, never waited for: what
    :class:`BackgroundScan` and :class:`BackgroundNetworkScan` share.

    ``thread_prefix`` names the thread; ``what`` names the scan in a failure's log line.
    The thread starts on the first :meth:`submit` and ends with :meth:`close` (or when this
    object is collected); a later :meth:`submit` starts a new one.

    Pickled (or copied), it waits for the scan in flight and carries its finds, which the
    copy's :meth:`collect` takes as the original's does; the copy starts a thread of its
    own when it next submits. A scan it has forgotten is not carried.
    """

    def __init__(self, thread_prefix: str, what: str) -> None:
        self.thread_prefix = thread_prefix
        self.what = what
        self._executor: ThreadPoolExecutor | None = None
        # The scan in flight and its frame's shape.
        self._pending: tuple[Future[Finds], tuple[int, ...]] | None = None
        self._dropped: Future[Finds] | None = None  # a forgotten scan, maybe still running
        self._last_duration_s = 0.0
        self._ended = 0  # scans that have ended on the thread, taken or not

    def __getstate__(self) -> dict[str, Any]:
        pending = self._pending
        if pending is not None:
            # Its finds belong to the frames seen so far: dropped, a newcomer it found
            # would wait for the next scan of its region (seconds, between full scans).
            wait([pending[0]])
        # Read once the scan has ended: its duration and count are part of the state.
        state = {name: None if name in _THREAD_PARTS else value for name, value in self.__dict__.items()}
        if pending is not None:
            future, shape = pending
            error = future.exception()
            failure = None if error is None else f"{type(error).__name__}: {error}"
            state["finished_scan"] = (None if error is not None else future.result(), shape, failure)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        finished = state.pop("finished_scan", None)
        self.__dict__.update(state)
        if finished is not None:
            finds, shape, failure = finished
            future: Future[Finds] = Future()
            if failure is None:
                future.set_result(finds)
            else:
                future.set_exception(RuntimeError(failure))
            self._pending = (future, shape)

    @property
    def running(self) -> bool:
        """Whether a scan has been started and its finds not yet taken."""
        return self._pending is not None

    @property
    def busy(self) -> bool:
        """Whether the thread still works: on a scan in flight, or on one forgotten (a new
        scan would only queue behind it)."""
        return self._pending is not None or (self._dropped is not None and not self._dropped.done())

    @property
    def last_duration_s(self) -> float:
        """How long the last scan that ended took, in seconds of wall time (0 before any)."""
        return self._last_duration_s

    @property
    def ended(self) -> int:
        """How many scans have ended on the thread, their finds taken or dropped."""
        return self._ended

    def submit(self, scan: Callable[[np.ndarray], Finds], gray: np.ndarray) -> None:
        """Run ``scan`` on a copy of ``gray`` (the caller may reuse its buffer)."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=self.thread_prefix)
            # An owner dropped without close() still ends the thread when collected.
            weakref.finalize(self, self._executor.shutdown, wait=False, cancel_futures=True)
        self._pending = (self._executor.submit(self._timed, scan, np.array(gray, copy=True)), gray.shape)

    def _timed(self, scan: Callable[[np.ndarray], Finds], gray: np.ndarray) -> Finds:
        """Runs on the thread: ``scan``, its duration recorded (read once it is done)."""
        start = time.perf_counter()
        try:
            return scan(gray)
        finally:
            self._last_duration_s = time.perf_counter() - start
            self._ended += 1

    def collect(self, shape: tuple[int, ...]) -> Finds | Literal["none"] | None:
        """The finds of the scan in flight once it has ended (None while it runs or when
        none was started); "none" if it failed or scanned frames of another ``shape``,
        whose boxes mean nothing in this one."""
        pending = self._pending
        if pending is None or not pending[0].done():
            return None
        self._pending = None
        future, scanned_shape = pending
        try:
            finds = future.result()
        except Exception as exc:  # a failed scan only delays newcomers to the next one
            log.warning("%s failed: %s", self.what, exc)
            return "none"
        return finds if scanned_shape == shape else "none"

    def wait(self, timeout_s: float) -> bool:
        """Wait up to ``timeout_s`` for the scan in flight to end; whether none is still
        running. For tests and measurements that must not depend on the machine's speed."""
        pending = self._pending
        if pending is None:
            return True
        return not wait([pending[0]], timeout=timeout_s).not_done

    def forget(self) -> None:
        """Drop the scan in flight (a new source): its finds are never taken."""
        if self._pending is not None:
            self._dropped = self._pending[0]
        self._pending = None

    def close(self) -> None:
        """End the thread, if one runs (waits for a scan in progress)."""
        self._pending = None
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)


class BackgroundScan(ScanThread[list[Box]]):
    """One scan for newcomers at a time on a thread of its own, never waited for.

    ``detector``: cloned for the thread on its first scan (a cascade must not be used by
    two threads at once). ``settings``: as for :func:`discover`.
    """

    def __init__(self, detector: FaceDetector, settings: tuple[float, int] | None) -> None:
        super().__init__(SCAN_THREAD_PREFIX, "background face scan")
        self.detector = detector
        self.settings = settings
        self._thread_detector: FaceDetector | None = None
        self._roll = 0.0  # the tilt the scan in flight looks for

    def start(self, gray: np.ndarray, jobs: list[ScanJob], roll: float = 0.0) -> None:
        """Scan a copy of ``gray`` (the caller may reuse its buffer) for ``jobs``, looking
        for faces leaning by ``roll`` degrees (see :mod:`.roll`)."""
        self._roll = roll
        self.submit(lambda copy: self._scan(copy, jobs, roll), gray)

    def take_finished(self, shape: tuple[int, ...]) -> FinishedScan | None:
        """The scan in flight once it has ended (None while it runs or when none was
        started); with no candidates if it failed or scanned frames of another ``shape``."""
        finds = self.collect(shape)
        if finds is None:
            return None
        return FinishedScan([] if finds == "none" else finds, self._roll)

    def _scan(self, gray: np.ndarray, jobs: list[ScanJob], roll: float) -> list[Box]:
        """Runs on the scan thread, the only user of ``_thread_detector``."""
        if self._thread_detector is None:
            # Loading a cascade takes tens of milliseconds: done here, not in a frame.
            self._thread_detector = self.detector.clone()
        return discover(self._thread_detector, gray, jobs, self.settings, roll)


class BackgroundNetworkScan(ScanThread[list[NetworkFind]]):
    """The CNN detector's scan for newcomers (:meth:`.NetworkFaceDetector.scan`) on a
    thread of its own, one at a time, never waited for.

    ``detector``: cloned for the thread on its first scan (a network keeps buffers).
    """

    def __init__(self, detector: NetworkFaceDetector) -> None:
        super().__init__(NETWORK_SCAN_THREAD_PREFIX, "background CNN face scan")
        self.detector = detector
        self._thread_detector: NetworkFaceDetector | None = None

    def start(self, gray: np.ndarray, min_side: float, changed: np.ndarray | None) -> None:
        """Scan a copy of ``gray`` for faces of ``min_side`` or more, where ``changed``
        says (see :meth:`.NetworkFaceDetector.scan`)."""
        self.submit(lambda copy: self._scan(copy, min_side, changed), gray)

    def take_finished(self, shape: tuple[int, ...]) -> list[NetworkFind] | None:
        """The finds of the scan in flight once it has ended (None while it runs or when
        none was started); none if it failed or scanned frames of another ``shape``."""
        finds = self.collect(shape)
        return [] if finds == "none" else finds

    def _scan(self, gray: np.ndarray, min_side: float, changed: np.ndarray | None) -> list[NetworkFind]:
        """Runs on the scan thread, the only user of ``_thread_detector``."""
        if self._thread_detector is None:
            self._thread_detector = self.detector.clone()
        return self._thread_detector.scan(gray, min_side, changed)


def network_scan_frames_or_default(given: int | None) -> int:
    """Frames between the CNN detector's scans for newcomers: ``given``, or by default
    :data:`NETWORK_SCAN_FRAMES`; a ValueError below 1."""
    frames = NETWORK_SCAN_FRAMES if given is None else given
    if frames < 1:
        raise ValueError(f"network_scan_frames must be >= 1, got {frames}")
    return int(frames)


def known_to_network(box: Box, taken: list[Box]) -> bool:
    """Whether a CNN scan's find at ``box`` is a face already among ``taken`` boxes
    (:data:`NETWORK_KNOWN_IOU`, or centred inside one)."""
    return any(iou(box, other) > NETWORK_KNOWN_IOU or centre_inside(box, other) for other in taken)


class NetworkNewcomerScans:
    """The CNN detector's (``network``) scans for newcomers, every ``scan_frames`` frames of a
    stream: over the tiles that changed since the last one (all of them at every
    :data:`NETWORK_FULL_SCAN_EVERY`-th), inline or on ``thread``, where each that ended is
    followed by a rest on the frames' clock (:data:`NETWORK_REST_FACTOR`)."""

    def __init__(self, network: NetworkFaceDetector, scan_frames: int) -> None:
        self.network = network
        self.scan_frames = scan_frames
        self.thread = BackgroundNetworkScan(network)
        # A thumbnail of the frame the last scan looked at, and the scans since the stream
        # began.
        self._reference: np.ndarray | None = None
        self.scans = 0
        # The frames' clock before which no scan on the thread starts, and the scans ended
        # on the thread that it counts.
        self._rest_until = 0.0
        self._rested = 0

    def finds(
        self, gray: np.ndarray, now: float, frame_in_stream: int, still: bool, inline: bool, min_side: float
    ) -> list[NetworkFind] | None:
        """The finds of a scan of ``gray`` for faces of ``min_side`` or more, if one is due
        (in a ``still``, or ``frame_in_stream`` frames after a stream's first, every
        ``scan_frames``) and ``inline``; else, on the thread, those of the last one that
        ended, starting the next when due and rested at ``now`` (the frames' clock)."""
        due = still or frame_in_stream % self.scan_frames == 0
        finds = None if inline else self.thread.take_finished(gray.shape)
        ended = self.thread.ended
        if not inline and ended != self._rested:
            # A rest after every scan that ended, one dropped at a seek too: dragging the
            # seek bar otherwise ran dropped scans back to back, a core's worth.
            self._rested = ended
            duration = min(self.thread.last_duration_s, NETWORK_LONGEST_SCAN_S)
            self._rest_until = now + NETWORK_REST_FACTOR * duration
        rested = now >= self._rest_until
        # Not while the thread still runs a scan dropped at a seek or a new source: one
        # started now would queue behind it (a seek bar dragged queued one per seek).
        if due and (inline or (not self.thread.busy and rested)):
            reference, changed = change_mask(gray, self._reference)
            if self.scans % NETWORK_FULL_SCAN_EVERY == 0:
                changed = None
            self._reference = reference
            self.scans += 1
            if inline:
                finds = self.network.scan(gray, min_side, changed)
            else:
                self.thread.start(gray, min_side, changed)
        return finds

    def forget(self, keep_rest: bool = False) -> None:
        """A new picture: the next scan covers every tile and counts as a stream's first;
        a scan still running is dropped. ``keep_rest``: the rest after the last scan goes on
        (scrubbing seeks often: the scans keep resting between them as in playback)."""
        self._reference = None
        self.scans = 0
        if not keep_rest:
            self._rest_until = 0.0
        self.thread.forget()

    def mirror(self) -> None:
        """The frames are flipped: the next scan covers every tile, and a scan still running
        (of the unflipped picture) is dropped."""
        self._reference = None
        self.thread.forget()

    def wait(self, timeout_s: float) -> bool:
        """Wait up to ``timeout_s`` for the scan on the thread to end; whether none still runs."""
        return self.thread.wait(timeout_s)

    def close(self) -> None:
        """End the scans' thread, if one runs (waits for a scan in progress)."""
        self.thread.close()
