"""A recording written on a thread of its own, fed through a bounded queue.

Writing a frame asks the recording's folder how much room is left and hands the frame to
the encoder, which writes it there. On a network share whose server has gone either call
blocks for minutes or for ever; made on the inference thread, they stopped the picture
with it. The inference thread only hands each result over (:meth:`RecordingWriter.put`,
never blocking), and a writer that has not answered for :data:`NOT_ANSWERING_S` ends
the recording in words; the frames waiting for it stay bounded meanwhile.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

from emotion_app.io.atomic import NOT_ANSWERING_S  # a write (or the close) unanswered this long ends it

from .messages import InferenceResult, RecordingRequest, RecordingSummary
from .recorder import OtherClasses, Recorder

log = logging.getLogger(__name__)

# Frames that may wait for the writer; a frame that comes while this many wait is not
# recorded (the frame after it is written for the gap too, as under load). A quarter
# of a second at 30 fps: a disk's hiccup costs no frame (memory: docs/measurements.md).
MAX_WAITING_FRAMES = 8
# The recording's thread's name (tests and logs find it by it).
THREAD_NAME = "recording writer"

# The writers whose thread runs: a process ending now would leave their recordings unsaved.
# Reentrant: a signal's handler on a thread holding it asks too (gui/quitting).
_running_lock = threading.RLock()
_running: set[RecordingWriter] = set()


def unsaved() -> list[str]:
    """The recordings still being written, as :meth:`RecordingWriter.finish` names one left."""
    with _running_lock:
        return [writer.not_saved for writer in _running]


class RecordingWriter:
    """Makes a :class:`Recorder` for ``request`` and writes the results :meth:`put` to it,
    in order, on a daemon thread (one stuck on a dead share never keeps the process from
    exiting). ``report`` is called once, with the recording's summary: on the writer's
    thread when it ends (stopped, failed, or the model's classes changed), or on the
    caller's of :meth:`check` or :meth:`finish` when the writer stopped answering. A writer
    that answers after that finishes what it wrote (its files are kept, playable) and logs it.
    """

    def __init__(self, request: RecordingRequest, fps: float, report: Callable[[RecordingSummary], None]) -> None:
        self.request = request
        self.not_answering_s = NOT_ANSWERING_S
        self.max_waiting = MAX_WAITING_FRAMES
        self.dropped = 0  # frames not recorded: they came while max_waiting waited
        self._fps = fps
        self._report = report
        self._lock = threading.Condition()
        self._waiting: deque[InferenceResult] = deque()
        # Why it is to end, once stopped: (error, ended_by) for Recorder.close.
        self._stop: tuple[str, str] | None = None
        # time.monotonic() when the writer's call now under way began; None between calls.
        self._asked_since: float | None = None
        self._given_up = False  # it stopped answering: reported, and nothing more taken
        self._done = False  # reported by the writer's thread, or given up: nothing left to watch
        self._frames_written = 0
        self.rows_written = 0  # CSV rows written so far (set on the writer's thread)
        self._thread = threading.Thread(target=self._run, name=THREAD_NAME, daemon=True)
        with _running_lock:
            _running.add(self)
        try:
            self._thread.start()  # RuntimeError where no thread can be had: the caller says so
        except RuntimeError:
            with _running_lock:
                _running.discard(self)
            raise

    @property
    def not_saved(self) -> str:
        return f"not saved: the recording {self.request.video_path}"

    def put(self, result: InferenceResult) -> bool:
        """Hand ``result`` to the writer; returns at once. False once it takes no more
        frames (stopped, ended by a failure, or not answering: see :meth:`check`), when
        only :meth:`check` is left to call till it returns False."""
        if not self.check():
            return False
        with self._lock:
            if self._stop is not None or self._done:
                return False
            if len(self._waiting) >= self.max_waiting:
                self.dropped += 1
            else:
                self._waiting.append(result)
                self._lock.notify_all()
            return True

    def check(self) -> bool:
        """End the recording (reported in words) if the writer has not answered for
        :attr:`not_answering_s`; False when nothing is left to watch (its summary reported)."""
        with self._lock:
            if self._done:
                return False
            since = self._asked_since
            if since is None or time.monotonic() - since < self.not_answering_s:
                return True
            self._give_up()
        self._report(self._unanswered_summary())
        return False

    def stop(self, error: str = "", ended_by: str = "") -> None:
        """End the recording after the frames waiting; returns at once (the summary follows)."""
        with self._lock:
            if self._stop is None:
                self._stop = (error, ended_by)
                self._lock.notify_all()

    def finish(self) -> bool:
        """At exit: :meth:`stop`, then wait while the writer answers; one that has not for
        :attr:`not_answering_s` is left (reported, and logged). True if it finished."""
        self.stop()
        newly_given_up = False
        with self._lock:
            while not self._given_up and self._thread.is_alive():
                since = self._asked_since
                if since is not None and time.monotonic() - since >= self.not_answering_s:
                    self._give_up()
                    newly_given_up = True
                    break
                self._lock.wait(0.1)  # woken at each answer; the folder can stop answering meanwhile
            if not self._given_up:
                return True
        summary = self._unanswered_summary()
        if newly_given_up:
            self._report(summary)
        log.warning("%s (%s)", self.not_saved, summary.error)
        return False

    def _give_up(self) -> None:
        """With the lock held: no more frames, no report from the writer's thread."""
        self._given_up = self._done = True
        self._waiting.clear()  # their pictures are not held for a writer that may never come back
        self._lock.notify_all()

    def _unanswered_summary(self) -> RecordingSummary:
        folder = self.request.video_path.parent
        error = (
            f"{folder} stopped answering (a write to it has not returned for {self.not_answering_s:.0f} s: a network "
            "share whose server has gone?); what was recorded is finished there if it answers again"
        )
        return RecordingSummary(self.request, self._frames_written, self.rows_written, error)

    def _run(self) -> None:
        """The writer's thread: the Recorder made, each frame written, then closed."""
        try:
            self._write_all()
        finally:
            with _running_lock:
                _running.discard(self)

    def _write_all(self) -> None:
        recorder: Recorder | None = None
        error, ended_by = "", ""
        try:
            self._asking()
            recorder = Recorder(self.request, self._fps)
            while self._answered():
                with self._lock:
                    while not self._waiting and self._stop is None and not self._given_up:
                        self._lock.wait()
                    if self._given_up or not self._waiting:
                        break  # stopped, and nothing left to write
                    result = self._waiting.popleft()
                    self._asked_since = time.monotonic()
                recorder.write(result)
                self._frames_written, self.rows_written = recorder.frames_written, recorder.rows_written
        except OtherClasses as exc:  # the model was switched: what was recorded is whole
            ended_by = str(exc)
        except Exception as exc:  # a bad path, a full disk or a codec problem ends the recording, not the app
            error = str(exc) or type(exc).__name__
        with self._lock:
            stop = self._stop or ("", "")
            if self._stop is None:  # ended by a failure: nothing more is taken while it closes
                self._stop = (error, ended_by)
        if recorder is None:
            summary = RecordingSummary(self.request, 0, 0, error)
        else:
            self._asking()
            try:
                summary = recorder.close(error=error or stop[0], ended_by=ended_by or stop[1])
            except Exception as exc:  # documented never to raise; were it to, the window must still hear
                problem = "; ".join(part for part in (error or stop[0], f"could not finish it: {exc}") if part)
                summary = RecordingSummary(self.request, recorder.frames_written, recorder.rows_written, problem)
        with self._lock:
            self._asked_since = None
            self._lock.notify_all()
            late, self._done = self._given_up, True
        if late:
            log.warning(
                "after it stopped answering, the recording %s was finished: %d frames%s",
                self.request.video_path,
                summary.frames_written,
                f"; {summary.error}" if summary.error else "",
            )
            return
        self._report(summary)

    def _asking(self) -> None:
        with self._lock:
            self._asked_since = time.monotonic()

    def _answered(self) -> bool:
        """The call made has returned; False once given up (the recording is only closed)."""
        with self._lock:
            self._asked_since = None
            self._lock.notify_all()
            return not self._given_up
