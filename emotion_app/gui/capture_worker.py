"""The capture worker: reads frames on its own thread into a one-slot mailbox.

It is event-driven (a single-shot timer re-armed after every read) rather than a
``while True`` loop, so its thread's event loop keeps running: start/stop requests
arrive as queued signals, and ``QThread.quit()`` stops it after at most one read.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Callable

import cv2
import numpy as np
from PyQt6.QtCore import QObject, Qt, QThread, QTimer, pyqtSignal, pyqtSlot

from emotion_app.io.frame_times import UnplacedReads
from emotion_app.io.video import MAX_UNDECODABLE_RUN, clearly_short, frame_span
from emotion_app.sources.files import AnimationFrameSource, StillsFrameSource
from emotion_app.sources.frame_source import (
    FALLBACK_FPS,
    FrameSource,
    OpenAbandoned,
    SourceFactory,
    SourceOpenError,
    opening_cancelled_when,
)
from emotion_app.sources.network_camera import NetworkStreamSource
from emotion_app.sources.opencv_source import OpenCvFrameSource
from emotion_app.sources.opening import open_frame_source
from emotion_app.sources.specs import CameraSpec, ScreenSpec, SourceSpec, VideoFileSpec
from emotion_app.wording import count_text

from .mailbox import LatestMailbox
from .messages import CapturedFrame, FaultKind, FileEnd, PlaybackState, SourceFault, SourceInfo, SourceNotice

log = logging.getLogger(__name__)

# A paced video that falls this far behind its clock (slow decode, a stalled machine)
# restarts its clock instead of reading a burst of frames to catch up.
_MAX_PACING_LAG_S = 0.25
# A longer step between two frames' times is a damaged timestamp, not a pause in the
# file, and is not waited for.
_MAX_FRAME_STEP_S = 5.0
# Unpaced files wait for the consumer instead of decoding frames only to drop them.
_CONSUMER_POLL_MS = 2
# A video read can fail once on a damaged packet; retry before calling it the end.
_VIDEO_READ_RETRIES = 2
# The files whose real length (short of the count their container announces) is kept.
_REAL_LENGTHS_KEPT = 32


class CaptureWorker(QObject):
    """Owns the frame source; lives on the capture thread (``moveToThread``)."""

    opened = pyqtSignal(object)  # SourceInfo
    fault = pyqtSignal(object)  # SourceFault: could not open, reads failed, or video ended
    # After stop_source() released the source: the request it answers (see requests_sent).
    stopped = pyqtSignal(int)
    frame_available = pyqtSignal()  # the mailbox went from empty to full
    file_ended = pyqtSignal(int)  # a stream id: the file's last frame is delivered, no other comes
    # After stop_source(): the stream id it stopped (one still opening, given up, is that
    # one's: a frame of the source before it is not what the stop left on screen).
    stream_stopped = pyqtSignal(int)
    # A stream id: open_at began it, before its source is opened (which may yet fail, or be
    # given up for a stop); the streams before it are over, replaced.
    stream_began = pyqtSignal(int)
    playback = pyqtSignal(object)  # PlaybackState: a file paused, resumed or moved, or its length learnt
    notice = pyqtSignal(object)  # SourceNotice: a network camera reconnecting, or playing again
    # A source's frame count changed (a raw MJPEG counted on a thread of its own), for the
    # stream of this id: sent from that thread, taken on the capture thread.
    _count_changed = pyqtSignal(int)

    def __init__(
        self,
        mailbox: LatestMailbox[CapturedFrame],
        source_factory: SourceFactory = open_frame_source,
        camera_timeout_s: float = 2.0,
        camera_retry_ms: int = 50,
    ) -> None:
        super().__init__()
        self._mailbox = mailbox
        self._source_factory = source_factory
        # How long a camera may go without a good frame before it counts as unplugged:
        # long enough for an auto-exposure hiccup, short enough that the user is told.
        self._camera_timeout_s = camera_timeout_s
        self._camera_retry_ms = camera_retry_ms
        # A child of the worker, so moveToThread() takes it along to the capture thread.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._read_next)
        # Queued also where the capture thread finds the change itself (a file that grew, on
        # a read): the read is not interrupted by a playback report.
        self._count_changed.connect(self._on_count_changed, Qt.ConnectionType.QueuedConnection)  # type: ignore[call-arg]
        self._source: FrameSource | None = None
        self._spec: SourceSpec | None = None
        self._stream_id = 0
        self._seeks = 0  # seeks in the current stream (CapturedFrame.seeks)
        self._session = 0  # CapturedFrame.session
        # The file opened last in the session (_file_key) and the session: the same file
        # changed on disk since (written over, replaced) is another file, and its own session.
        self._session_file: tuple[int, tuple[str, int, int] | None] | None = None
        self._index = 0
        # A file's reads that failed, read past: a frame that did not decode keeps its place
        # (as in ``analyze``), so the frames after it are numbered as the file numbers them,
        # where their times show it lost (not a frame the decoder held, given after them).
        self._unplaced = UnplacedReads()
        # Reading from the file's start (opened, sought to 0, looped back), no frame delivered
        # since: the first frame read is placed by its time from the start (a damaged start).
        self._from_start = False
        self._fps = 0.0
        self._count_told = 0  # the source's frame count as last told the GUI (opened, playback)
        self._clock_start = 0.0  # when a camera started: its frames' times count from here
        # A file is paced by its frames' own times (a variable-rate file's frames are not
        # 1/fps apart): the stream time _pace_ref_s is due at _pace_start (None: the next
        # frame delivered is due at once and sets the clock), the next frame a step after
        # the one delivered last: how long that one is shown where the file says (an
        # animation), else the last step between frames.
        self._pace_start = 0.0
        self._pace_ref_s: float | None = None
        self._last_time_s: float | None = None
        self._step_s: float | None = None
        # A looping file's time goes on: the length of the loops played before this one,
        # and the frames delivered in them.
        self._loop_start_s = 0.0
        self._loop_start_index = 0
        self._last_good_time = 0.0
        self._paused = False
        self._last_frame: CapturedFrame | None = None
        self._mirror = False
        # Stops and openings sent (counted on the sending thread) and taken (on this one):
        # while one waits, a seek or a read that scans a file for its frame gives up (see
        # _superseded).
        self._requests_sent = 0
        self._requests_taken = 0
        # Pauses, seeks and steps sent and taken, likewise: while one waits, a read of the
        # file playing that scans for its frame gives up (see _scan_given_up).
        self._moves_sent = 0
        self._moves_taken = 0
        # Pauses and plays sent and taken, likewise: a position report says how many it
        # follows, so the window keeps the one it asked for last over a report before it.
        self._holds_sent = 0
        self._holds_taken = 0
        self._playing_read = False  # a read of _read_next's is under way
        # A network camera's reconnecting and reconnected, as last told the GUI.
        self._stream_news_told: tuple[str | None, int, str | None] = (None, 0, None)
        # Files played to an end short of the frames their container announces (a normal
        # end, or one found cut short where the frames read say where it ends): the file
        # (path, size, modification time) -> (announced, real), for the seek bar's length
        # after a reopen (a seek after the end, Play again).
        self._real_lengths: dict[tuple[str, int, int], tuple[int, int]] = {}
        # The count the open file's container announces where a real length learnt before
        # stands in for it (0: none): its end is judged against what it announces.
        self._announced = 0

    # ---- from any thread ---------------------------------------------------------------
    def supersede(self) -> None:
        """Say, on the sending thread, that a stop or an opening is on its way: a seek or a
        read under way that scans a long file for its frame gives up for it, where the
        request would wait for the scan (the GUI's Stop, with a multi-gigabyte file being
        scanned, or the gigabyte of padding after a recording's last frame)."""
        self._requests_sent += 1

    @property
    def requests_sent(self) -> int:
        """The stops and openings sent so far (read on the sending thread)."""
        return self._requests_sent

    def move_sent(self) -> None:
        """Say, on the sending thread, that a pause, a seek or a step is on its way: a read
        of the file playing that scans for its next frame (the padding after a recording's
        last) gives up for it, and the frame read next is where the move leaves it."""
        self._moves_sent += 1

    def _scan_given_up(self) -> bool:
        """Whether a scan for a frame gives up: for a stop or an opening, and in a read of
        the file playing, for a move (a read for a move itself is not given up for the
        next one: steps given up would be lost, not done one after the other)."""
        return self._superseded() or (self._playing_read and self._moves_taken < self._moves_sent)

    def hold_sent(self) -> None:
        """Say, on the sending thread, that a pause or a play is on its way (see
        PlaybackState.holds_taken)."""
        self._holds_sent += 1

    @property
    def holds_sent(self) -> int:
        """The pauses and plays sent so far (read on the sending thread)."""
        return self._holds_sent

    def _take_hold(self) -> None:
        if self._holds_taken < self._holds_sent:  # never past the count sent, as requests
            self._holds_taken += 1

    def _take_move(self) -> None:
        if self._moves_taken < self._moves_sent:  # never past the count sent, as requests
            self._moves_taken += 1

    def _superseded(self) -> bool:
        """Whether a stop or an opening waits (or the thread is to end): asked on this thread."""
        thread = QThread.currentThread()
        return self._requests_taken < self._requests_sent or (thread is not None and thread.isInterruptionRequested())

    def _take_request(self) -> None:
        # Never past the count sent: a request made by a direct call is not one sent.
        if self._requests_taken < self._requests_sent:
            self._requests_taken += 1

    # ---- requests from the GUI thread (queued) -------------------------------------
    @pyqtSlot(object)
    def start_source(self, spec: SourceSpec) -> None:
        """Open ``spec`` (closing any current source) and start reading."""
        self.open_at(spec, 0, False)

    @pyqtSlot()
    def start_session(self) -> None:
        """The sources opened from now on are another session's (see CapturedFrame.session)."""
        self._session += 1

    @pyqtSlot(object, int, bool)
    def open_at(self, spec: SourceSpec, frame: int, paused: bool) -> None:
        """Open ``spec`` at ``frame`` (files), delivering that frame; ``paused`` stays on it."""
        self._take_request()
        self._close_source()
        self._stream_id += 1
        self._seeks = 0
        self._mailbox.clear()
        self._mailbox.reset_dropped()
        self.stream_began.emit(self._stream_id)
        try:
            # A network camera's open waits on a thread of its own: a stop, another source or
            # the thread's end, sent meanwhile, gives it up at once (it lets go of the camera
            # on that thread) and comes next, with nothing to tell of this open. A long wait
            # in it (a slow camera's first frame) is told the window as it begins.
            with opening_cancelled_when(self._superseded, lambda what: self._tell_opening(spec, what)):
                source = self._source_factory(spec)
        except OpenAbandoned:
            return
        except SourceOpenError as exc:
            self.fault.emit(_fault(FaultKind.OPEN_FAILED, spec, str(exc), request=self._requests_taken))
            return
        except Exception as exc:  # a driver or backend error must not kill the thread
            message = f"Could not open {spec.describe()}: {exc}"
            self.fault.emit(_fault(FaultKind.OPEN_FAILED, spec, message, request=self._requests_taken))
            return
        self._source, self._spec = source, spec
        self._start_session_if_changed(spec)
        self._announced = 0
        self._use_real_length(source, spec)
        count_in_background = getattr(source, "count_in_background", None)
        if count_in_background is not None:  # before its count is read below: no change is missed
            stream_id = self._stream_id
            count_in_background(lambda: self._count_changed.emit(stream_id))
        give_up_scans_when = getattr(source, "give_up_scans_when", None)
        if give_up_scans_when is not None:
            give_up_scans_when(self._scan_given_up)
        self._fps = source.fps if source.fps > 0 else FALLBACK_FPS
        self._placed_at(0)
        # A file's damaged start, read past as it opened: its reads that failed wait for
        # the first frame's place, as a damaged stretch's further on do.
        self._unplaced.failed(getattr(source, "failed_before", 0))
        self._forget_pace()
        self._loop_start_s = 0.0
        self._loop_start_index = 0
        self._paused = False
        self._last_frame = None
        self._clock_start = self._last_good_time = time.perf_counter()
        self._count_told = source.frame_count
        info = SourceInfo(
            spec,
            self._stream_id,
            source.width,
            source.height,
            source.fps,
            self._count_told,
            _what_plays(spec, source),
            request=self._requests_taken,  # none is taken while it opens
            session=self._session,
        )
        self.opened.emit(info)
        if isinstance(spec, VideoFileSpec) and (frame > 0 or paused):
            self._paused = paused
            self.seek(frame)
            return
        self._timer.start(0)

    # ---- playback of files (queued from the GUI thread) ----------------------------------
    @pyqtSlot()
    def pause(self) -> None:
        """Stop reading a file and stay on the last frame delivered."""
        self._take_move()
        self._take_hold()
        if not self._is_file_open() or self._paused:
            return
        self._paused = True
        self._timer.stop()
        last = self._last_frame
        # Deliver the frame playback will resume after once more: frames still on their way
        # may be skipped by a busy GUI, and the screen must settle on exactly this one.
        if last is not None:
            self._deliver_held(last)
        else:  # paused as it opened, before a frame was read: its first frame is shown
            self._deliver_next()
        self._emit_playback()

    @pyqtSlot()
    def resume(self) -> None:
        """Continue a paused file with the frame after the one on screen."""
        self._take_hold()
        if not self._is_file_open() or not self._paused:
            return
        self._paused = False
        self._pace_ref_s = None  # the frame after the one on screen is due at once
        self._emit_playback()
        self._timer.start(0)

    @pyqtSlot(int)
    def seek(self, frame: int) -> None:
        """Show frame ``frame`` of a file (clamped to the file); playing continues from there."""
        self._take_move()
        self._seek(frame)

    def _seek(self, frame: int, backward: bool = False) -> None:
        """:meth:`seek`; ``backward``: a step back, which a frame that does not read sends
        on back, not on to the frame stepped back from."""
        source = self._source
        if source is None or not self._is_file_open():
            return
        self._timer.stop()
        if source.frame_count > 0:
            frame = min(frame, source.frame_count - 1)
        frame = max(0, frame)
        last = self._last_frame
        if self._paused and last is not None and frame == last.index:
            # Paused on it already: shown again, not read again (OpenCV cannot read a
            # one-frame video's only frame after seeking back to it, and called it the end).
            self._deliver_held(last)
            self._emit_playback()
            return
        seek = getattr(source, "seek", None)
        # Not moved where it is already there: the reads that failed before a frame the
        # decoder held still wait for their place in the frames read on.
        moves = frame != self._index
        if moves and (seek is None or not _seek_safely(seek, frame)):
            if self._superseded():
                return  # given up for a stop or an opening, which comes next
            frame = self._index  # cannot move: stay, and say where we are
        else:
            if source.frame_count > 0:  # a file that does not say its length finds its end on a seek past it
                frame = min(frame, source.frame_count - 1)
            self._seeks += frame != self._index  # already there: no jump
            if moves:
                self._placed_at(frame)
            self._loop_start_s = 0.0
            self._loop_start_index = 0
            self._forget_pace()
        # A slide show's place past its last picture that reads is its end (unreadable
        # pictures are skipped), not a file cut short.
        slide_show = isinstance(source, StillsFrameSource)
        self._deliver_next(
            back_to=last if last is not None and frame > last.index and not slide_show else None, backward=backward
        )

    @pyqtSlot(int)
    def step(self, frames: int) -> None:
        """Move ``frames`` from the frame on screen (negative: back); a paused file stays paused."""
        self._take_move()
        if not self._is_file_open() or frames == 0:
            return
        current = self._index - 1 if self._last_frame is not None else 0
        count = self._source.frame_count if self._source is not None else 0
        if self._paused and count > 0 and not 0 <= current + frames < count:
            self._emit_playback()  # already at the first or last frame: stay on it
            return
        if frames == 1 and self._paused:
            self._timer.stop()
            # The next frame: a plain read, no seeking. A file that does not say its length
            # (a raw MJPEG) finds its end here: the frame on screen stays, as at a known end.
            self._deliver_next(back_to=self._last_frame if count == 0 else None)
            return
        self._seek(current + frames, backward=frames < 0)

    @pyqtSlot(bool)
    def set_mirror(self, on: bool) -> None:
        """Flip frames left-right from now on; a paused frame is shown flipped at once.

        Flipped here, before detection, so the overlay's text reads normally and
        snapshots and recordings show what the screen shows."""
        if on == self._mirror:
            return
        self._mirror = on
        last = self._last_frame
        if self._paused and last is not None:
            self._last_frame = dataclasses.replace(
                last, image=np.ascontiguousarray(cv2.flip(last.image, 1)), mirrored=on
            )
            self._deliver_held(self._last_frame)

    @pyqtSlot()
    def show_again(self) -> None:
        """A paused file's frame on screen is delivered once more: another model labels it."""
        last = self._last_frame
        if self._paused and last is not None:
            self._deliver_held(last)

    def _deliver_held(self, frame: CapturedFrame) -> None:
        """Hand a paused file's frame over (again): one the screen must settle on."""
        if self._mailbox.put(dataclasses.replace(frame, held=True)):
            self.frame_available.emit()

    @property
    def paused(self) -> bool:
        return self._paused

    def _is_file_open(self) -> bool:
        return self._source is not None and isinstance(self._spec, VideoFileSpec)

    def _deliver_next(self, back_to: CapturedFrame | None = None, backward: bool = False) -> None:
        """Read and deliver one frame now; paused files then wait, playing ones go on.

        ``back_to``: after a seek or step forward, the frame on screen, delivered again
        where no frame reads (see _went_back). ``backward``: after a step back, the
        nearest frame before one that does not read."""
        source, spec = self._source, self._spec
        if source is None or spec is None:
            return
        now = time.perf_counter()
        frame = self._read_in_file(source)
        if frame is None and self._superseded():
            return  # given up for a stop or an opening, which comes next: not the end
        if frame is None and backward:
            frame = self._read_before(source)
        if frame is None and isinstance(spec, VideoFileSpec):
            # A damaged frame sought or stepped onto is read past, as in playing: taken for
            # the end, it closed a file that has more frames.
            frame = self._read_past_damage(source)
        if frame is None and self._superseded():
            return  # the run read past was given up for a stop or an opening: not the end
        if frame is None and back_to is not None and self._went_back(source, back_to):
            frame = _read_safely(source)
        if frame is None:
            # Past the last frame: say so like a file that played to its end.
            self._on_read_failed(source, spec, now)
            return
        self._put(frame, now, spec, source)
        # The frame just delivered is on time now; the next one is due a step later.
        self._pace_start, self._pace_ref_s = now, self._last_time_s
        self._emit_playback()
        if not self._paused:
            self._timer.start(self._delay_ms(time.perf_counter()))

    def _went_back(self, source: FrameSource, frame: CapturedFrame) -> bool:
        """Whether the file went back to ``frame``, after a seek forward found none: a file
        cut short announces frames it does not hold. Playing on from there finds where it
        really ends (and says it is damaged where that is clearly short), where the end
        at the frame sought to was called the file's end, its number the frames played."""
        seek = getattr(source, "seek", None)
        if seek is None or not _seek_safely(seek, frame.index):
            return False
        self._placed_at(frame.index)
        self._forget_pace()
        return True

    def _placed_at(self, frame: int) -> None:
        """The file is at its frame ``frame`` (opened, sought): the frames read on from
        here are numbered as the file numbers them."""
        self._index = frame
        self._unplaced.clear()
        self._from_start = frame == 0

    def _forget_pace(self) -> None:
        """After an open or a seek: the next frame delivered sets the clock, and the step
        between frames is learnt anew."""
        self._pace_ref_s = self._last_time_s = self._step_s = None

    @pyqtSlot(int)
    def _on_count_changed(self, stream_id: int) -> None:
        """A file's length, learnt as it plays: the playback bar shows it (paused too)."""
        if stream_id == self._stream_id and self._source is not None:
            self._emit_playback()

    def _emit_playback(self) -> None:
        source = self._source
        if source is None:
            return
        position = max(0, self._index - 1)
        self._count_told = source.frame_count
        self.playback.emit(
            PlaybackState(self._stream_id, position, source.frame_count, self._fps, self._paused, self._holds_taken)
        )

    @pyqtSlot()
    def stop_source(self) -> None:
        """Stop reading and release the device or file."""
        self._take_request()
        self._close_source()
        self._mailbox.clear()
        self.stream_stopped.emit(self._stream_id)
        self.stopped.emit(self._requests_taken)

    @pyqtSlot()
    def on_thread_finished(self) -> None:
        """Connected with a direct connection to ``QThread.finished``: runs on the capture
        thread as it ends, so the timer is stopped by its own thread and the camera is
        released before ``QThread.wait()`` returns."""
        self._close_source()

    def release(self) -> None:
        """Free the source from any thread once the capture thread has finished."""
        source, self._source = self._source, None
        if source is not None:
            source.release()

    @property
    def has_source(self) -> bool:
        return self._source is not None

    @property
    def stream_id(self) -> int:
        return self._stream_id

    # ---- the read loop ------------------------------------------------------------
    # A decorated slot: PyQt then connects the timer to this QObject itself, so the slot
    # runs on the capture thread (a plain method would get a helper living on the GUI thread).
    @pyqtSlot()
    def _read_next(self) -> None:
        source, spec = self._source, self._spec
        thread = QThread.currentThread()
        if source is None or spec is None or (thread is not None and thread.isInterruptionRequested()):
            return
        if self._paused:
            return
        file_spec = spec if isinstance(spec, VideoFileSpec) else None
        if file_spec is not None and not file_spec.pace and self._mailbox.is_full:
            # Unpaced: let the consumer catch up rather than decode frames to drop them.
            self._timer.start(_CONSUMER_POLL_MS)
            return
        self._playing_read = True
        try:
            frame = self._read_in_file(source) if file_spec is not None else _read_safely(source)
            if frame is None and self._scan_given_up():
                return  # given up for a request, which comes next: not the end
            if frame is None and file_spec is not None:
                frame = self._retry_video_read(source, file_spec)
                if frame is None and self._scan_given_up():
                    return
        finally:
            self._playing_read = False
        self._tell_reconnecting(source, spec)
        now = time.perf_counter()
        if frame is None:
            self._on_read_failed(source, spec, now)
            return
        self._put(frame, now, spec, source)
        if source.frame_count != self._count_told:
            # Learnt by this read (a raw MJPEG's read that scanned on to the file's end):
            # the seek bar's length follows at once, not at the next seek.
            self._emit_playback()
        self._timer.start(self._delay_ms(now) if file_spec is not None and file_spec.pace else 0)

    def _put(self, frame: np.ndarray, now: float, spec: SourceSpec, source: FrameSource) -> None:
        self._last_good_time = now
        self._from_start = False
        if self._mirror:
            frame = np.ascontiguousarray(cv2.flip(frame, 1))
        # The frame's place is after those that did not decode before it (_read_in_file): a
        # frame timed by its number (a slide show's picture) is timed as a seek to it times it.
        position = getattr(source, "position", None)
        if position is not None:
            # A source that knows its place (a folder's or a raw MJPEG's): a picture or JPEG
            # that did not read is counted.
            self._index = self._loop_start_index + position
        file_time = None
        picture_s = source.shown_s if isinstance(source, StillsFrameSource) else 0.0
        shown_s = 0.0
        if isinstance(spec, VideoFileSpec):
            source_time, file_time = self._file_frame_time(source)
            own_s = _shown_for_s(source)
            self._keep_pace(source_time, now, own_s)
            if not picture_s:  # as a file's end times its last frame (_last_frame_end)
                shown_s = own_s if own_s is not None else 1.0 / self._fps
        else:
            source_time = now - self._clock_start  # a camera's: since it started
        captured = CapturedFrame(
            self._stream_id,
            self._index,
            frame,
            now,
            source_time,
            self._mirror,
            picture_s,
            self._seeks,
            self._session,
            in_file=isinstance(spec, VideoFileSpec),
            file_time=file_time if file_time != source_time else None,
            held=self._paused,  # a step or seek while paused
            shown_s=shown_s,
        )
        self._index += 1
        self._last_frame = captured
        if self._mailbox.put(captured):
            self.frame_available.emit()

    def _file_frame_time(self, source: FrameSource) -> tuple[float, float]:
        """A file's frame's time in the stream, counting on across loops, and in the file
        itself: from its container (where it gives none, the frame's number over the frame
        rate)."""
        file_time = source.last_time_s
        if file_time is None:
            return self._index / self._fps, (self._index - self._loop_start_index) / self._fps
        return self._loop_start_s + file_time, file_time

    def _retry_video_read(self, source: FrameSource, spec: VideoFileSpec) -> np.ndarray | None:
        frame = self._read_past_damage(source)
        if frame is not None:
            return frame
        if self._scan_given_up():
            return None  # the run was given up for a request, not read to the file's end
        if spec.loop and self._index > 0 and source.rewind():
            # The next loop starts a step after this one's last frame.
            if self._last_time_s is not None:
                self._loop_start_s = self._last_time_s + (self._step_s or 1.0 / self._fps)
            self._loop_start_index = self._index
            self._unplaced.clear()  # the reads that failed were past its end, not frames
            self._from_start = True
            # Looping keeps the frame index counting up so the stream stays one stream; a
            # damaged start is read past, as it was as the file opened.
            for _ in range(_undecodable_run_limit(source)):
                if self._scan_given_up():
                    return None
                frame = self._read_in_file(source)
                if frame is not None:
                    return frame
        return None

    def _read_before(self, source: FrameSource) -> np.ndarray | None:
        """After a step back onto a frame that did not read: the nearest one before it that
        does. Read past, forward, it would be the frame stepped back from, again and again.
        None (the file where it was) where none of the frames before it reads."""
        seek, target = getattr(source, "seek", None), self._index
        if seek is None:
            return None
        for frame in range(target - 1, max(-1, target - 1 - _undecodable_run_limit(source)), -1):
            if self._superseded():
                return None  # a stop or an opening waits: a slide show's run can be long
            if not _seek_safely(seek, frame):
                break
            read = _read_safely(source)
            if read is not None:
                self._placed_at(frame)
                return read
        _seek_safely(seek, target)
        self._placed_at(target)  # read again from there: its read that failed is not counted twice
        return None

    def _read_in_file(self, source: FrameSource) -> np.ndarray | None:
        """The file's next frame: a read that fails passes over a frame that did not decode
        (see _unplaced), where the file does not end there. A frame read is placed after
        the frames its time shows lost before it (a file's frame's step from the one
        before, where its source tells it; else after every read that failed)."""
        frame = _read_safely(source)
        if frame is None:
            self._unplaced.failed()
            return None
        if self._from_start:
            period_s = 1.0 / source.fps if source.fps > 0 else None
            lost = self._unplaced.place_first(source.last_time_s, period_s, source.frame_count)
        else:
            lost = self._unplaced.place(getattr(source, "step_periods", None))
        if lost:
            spec = self._spec
            name = spec.path if isinstance(spec, VideoFileSpec) else "the file"
            log.warning("%s: %s could not be decoded; skipped", name, frame_span(self._index, self._index + lost))
            self._index += lost
        return frame

    def _read_past_damage(self, source: FrameSource) -> np.ndarray | None:
        """After a read that failed: the next frame that reads, where it is not the end."""
        # Short of the frames the file announces, a damaged stretch is read past (as
        # ``analyze`` does) instead of being taken for the end.
        retries = _undecodable_run_limit(source) if self._index < source.frame_count else _VIDEO_READ_RETRIES
        for _ in range(retries):
            if self._scan_given_up():
                return None  # a request waits: a slide show's run of broken files can be long
            frame = self._read_in_file(source)
            if frame is not None:
                return frame
        return None

    def _keep_pace(self, time_s: float, now: float, shown_for_s: float | None = None) -> None:
        """Note a file's frame delivered at ``now`` with stream time ``time_s`` (shown for
        ``shown_for_s`` where the file says so)."""
        last = self._last_time_s
        if shown_for_s is not None:
            self._step_s = shown_for_s  # the file's own word, however long
        elif last is not None and 0.0 < time_s - last <= _MAX_FRAME_STEP_S:
            self._step_s = time_s - last
        self._last_time_s = time_s
        if self._pace_ref_s is None:
            self._pace_start, self._pace_ref_s = now, time_s

    def _delay_ms(self, now: float) -> int:
        """Milliseconds until the next frame is due, at the file's own pace: the last step
        between frames after the frame delivered last (a frame period before two frames
        were read)."""
        if self._pace_ref_s is None or self._last_time_s is None:
            return 0
        step = self._step_s if self._step_s is not None else 1.0 / self._fps
        due = self._pace_start + (self._last_time_s + step - self._pace_ref_s)
        if now - due > _MAX_PACING_LAG_S:
            self._pace_ref_s = None  # the next frame is due at once and restarts the clock
            return 0
        return max(0, int(round((due - now) * 1000.0)))

    def _tell_opening(self, spec: SourceSpec, what: str) -> None:
        """Tell the GUI what the open of ``spec`` under way waits for (a notice before it
        opened: see SourceNotice), with the request it answers (none is taken while it waits)."""
        text = f"{spec.describe(capital=True)}: {what}…"
        self.notice.emit(SourceNotice(spec, self._stream_id, text, calm=True, request=self._requests_taken))

    def _tell_reconnecting(self, source: FrameSource, spec: SourceSpec) -> None:
        """Tell the GUI when a network camera starts opening its stream again, and when it
        plays again: counted, so that a reconnect over before this read is told too."""
        if not isinstance(source, NetworkStreamSource):
            return
        state = source.news()  # one moment's: a give-up between reads read as playing again
        if state.why_ended:
            return  # given up: the fault that follows says so, not "playing again"
        news = (state.reconnecting, state.reconnected, state.waiting)
        if news == self._stream_news_told:
            return
        self._stream_news_told = news
        reconnecting, reconnected, waiting = news
        told = reconnecting or waiting
        text = f"{spec.describe(capital=True)}: {told}…" if told else ""
        self.notice.emit(SourceNotice(spec, self._stream_id, text, reconnected, calm=not reconnecting))

    def _on_read_failed(self, source: FrameSource, spec: SourceSpec, now: float) -> None:
        file_end: FileEnd | None = None
        last_frame: tuple[tuple[int, int], int] | None = None
        if isinstance(spec, (CameraSpec, ScreenSpec)):
            # A network camera's own thread opens its stream again where it breaks off, and
            # the source says when it gives the stream up (why_ended): its word, not the clock's.
            ended: str | None = None
            if isinstance(source, NetworkStreamSource):
                ended = source.why_ended
                if not ended:
                    self._timer.start(self._camera_retry_ms)
                    return
            if now - self._last_good_time < self._camera_timeout_s and not ended:
                self._timer.start(self._camera_retry_ms)  # maybe a hiccup: try again soon
                return
            if isinstance(spec, ScreenSpec):
                why = " (the display was closed or the screen unplugged)"
            elif ended:
                why = f": {ended}"
            else:
                why = " (unplugged, or taken by another application)"
            delivered = count_text(self._index, "frame")
            message = f"{spec.describe(capital=True)} stopped delivering frames after {delivered}{why}"
            kind = FaultKind.READ_FAILED
        else:
            self.file_ended.emit(self._stream_id)
            # Its last frame was shown, whether the file ended or was cut short there.
            file_end = self._last_frame_end(source)
            last = self._last_frame
            if last is not None and last.stream_id == self._stream_id:
                last_frame = ((last.stream_id, last.seeks), last.index)
            if source.frame_count != self._count_told:
                # Learnt by this last read (a raw MJPEG's padding scanned to its end): its
                # news, queued, would find the file closed, and the seek bar left at 0:00.
                self._emit_playback()
            # A file cut short is still said to be, opened again with its real length.
            expected = self._announced or source.frame_count
            why_ended = getattr(source, "why_ended", None)  # a reason the source knows (a raw MJPEG's)
            if why_ended:
                message = f"Video file {spec.path} {why_ended}"
                kind = FaultKind.READ_FAILED
            # Frame counts in containers are estimates; only a clear shortfall is an error
            # (a slide show skips files that are not pictures, and says so at its end).
            elif not isinstance(source, StillsFrameSource) and clearly_short(self._index, expected):
                message = (
                    f"Video file {spec.path} stopped after {self._index} of {expected} frames: "
                    "the file may be truncated or damaged"
                )
                kind = FaultKind.READ_FAILED
                if self._loop_start_index == 0:
                    # Where it ends is known (the frames read, numbered as the file numbers
                    # them): its length, as at a normal end, else the bar ran on past it.
                    self._learn_real_length(source, spec)
            else:
                # The show's length, as a file's frames: not the place a seek left it at.
                played = _show_length(source) if isinstance(source, StillsFrameSource) else None
                message = f"Finished playing {spec.path.name} ({played or count_text(self._index, 'frame')})"
                kind = FaultKind.ENDED
                self._learn_real_length(source, spec)
        frames_read = self._index
        self._close_source()
        fault = _fault(kind, spec, message, frames_read, request=self._requests_taken, file_end=file_end)
        self.fault.emit(dataclasses.replace(fault, last_frame=last_frame))

    def _last_frame_end(self, source: FrameSource) -> FileEnd | None:
        """The end of the file's last frame delivered, read to its end just now (or to where
        it is cut short, or stops for ``why_ended``): its own duration where the file says
        (a GIF's, WebP's or PNG's), else a frame interval after it, as ``analyze`` ends it
        (MediaInput.end_s). None for a slide show's picture, which counts its own showing."""
        last = self._last_frame
        if last is None or last.picture or last.stream_id != self._stream_id:
            return None
        duration_s = _shown_for_s(source)
        end_s = last.source_time + (duration_s if duration_s is not None else 1.0 / self._fps)
        return FileEnd((last.stream_id, last.seeks), last.index, end_s)

    def _learn_real_length(self, source: FrameSource, spec: VideoFileSpec) -> None:
        """A video played to its end short of the frames its container announced (an
        estimate, or a file cut short): its length is the frames read, told the seek bar
        now and kept for the file's next open, else the bar stopped short of its end
        ("0:03 / 0:04")."""
        real, announced = self._index, source.frame_count
        if not isinstance(source, OpenCvFrameSource) or not 0 < real < announced:
            return
        source.frame_count = real
        self._emit_playback()
        key = _file_key(spec)
        if key is not None:
            self._real_lengths.pop(key, None)
            self._real_lengths[key] = (announced, real)
            while len(self._real_lengths) > _REAL_LENGTHS_KEPT:
                del self._real_lengths[next(iter(self._real_lengths))]

    def _start_session_if_changed(self, spec: SourceSpec) -> None:
        """``spec``, a file opened again in its session (Play again, Home or a seek after
        its end), that has changed on disk since starts a session of its own, as another
        file does: else the people of the file written over it at the places seen were
        given the ids, and names, of those seen there before."""
        if not isinstance(spec, VideoFileSpec):
            return
        key = _file_key(spec)
        before = self._session_file
        if before is not None and before[0] == self._session and before[1] != key:
            self._session += 1
        self._session_file = (self._session, key)

    def _use_real_length(self, source: FrameSource, spec: SourceSpec) -> None:
        """A file opened again, unchanged, has the real length learnt at its end."""
        if not self._real_lengths or not isinstance(source, OpenCvFrameSource) or not isinstance(spec, VideoFileSpec):
            return
        key = _file_key(spec)
        known = self._real_lengths.get(key) if key is not None else None
        if known is not None and known[0] == source.frame_count:
            self._announced, source.frame_count = known

    def _close_source(self) -> None:
        self._timer.stop()
        self._stream_news_told = (None, 0, None)
        source, self._source = self._source, None
        self._spec = None
        self._paused = False
        self._last_frame = None
        if source is not None:
            source.release()


def _file_key(spec: VideoFileSpec) -> tuple[str, int, int] | None:
    """What tells a file from another, or from itself changed: its path, size and
    modification time (None: it cannot be asked, taken for changed)."""
    try:
        stat = os.stat(spec.path)
    except (OSError, ValueError):
        return None
    return str(spec.path), stat.st_size, stat.st_mtime_ns


# The most names of unreadable files an ended slide show lists; the others are counted.
_UNREADABLE_NAMED = 3


def _show_length(show: StillsFrameSource) -> str:
    """A finished slide show's pictures, and the files it left out (with their names), and
    the folder's videos and subfolders it did not play."""
    played = count_text(show.pictures, "picture")
    unreadable = show.unreadable
    if unreadable:
        names = ", ".join(unreadable[:_UNREADABLE_NAMED])
        if len(unreadable) > _UNREADABLE_NAMED:
            names += f" and {len(unreadable) - _UNREADABLE_NAMED} more"
        played += f"; {count_text(len(unreadable), 'file')} could not be read: {names}"
    if show.videos_left_out:  # a folder of clips showed its pictures alone, without a word why
        each = "it" if show.videos_left_out == 1 else "each"
        played += f"; {count_text(show.videos_left_out, 'video file')} left out: open {each} on its own"
    if show.subfolders_left_out:
        played += f"; {count_text(show.subfolders_left_out, 'subfolder')} not looked into"
    return played


def _shown_for_s(source: FrameSource) -> float | None:
    """How long the frame read last is shown, where the file says (an animation's frame
    durations, a slide show's picture); None where only the next frame's time tells."""
    if isinstance(source, StillsFrameSource):
        # Each picture its own showing: the time between two pictures is two steps past
        # one that did not read, which taken for the step held the next one three steps
        # and had the one after it due at once (replaced before it was seen).
        return source.shown_s
    end, begin = getattr(source, "last_end_s", None), source.last_time_s
    if end is None or begin is None or end <= begin:
        return None
    return float(end - begin)


def _undecodable_run_limit(source: FrameSource) -> int:
    """How many frames in a row that do not read are passed over before the file counts as
    ended there. A slide show's places are all known, so any number of broken pictures in a
    row is passed (each read is one place on); a video's damaged stretch, as ``analyze``'s."""
    return source.frame_count if isinstance(source, StillsFrameSource) else MAX_UNDECODABLE_RUN


def _seek_safely(seek: Callable[[int], bool], frame: int) -> bool:
    try:
        return bool(seek(frame))
    except Exception as exc:
        log.debug("seek to frame %d raised %s", frame, exc)
        return False


def _read_safely(source: FrameSource) -> np.ndarray | None:
    """A read that treats a backend exception (cv2.error from a driver) as a failed read."""
    try:
        return source.read()
    except Exception as exc:
        log.debug("frame read raised %s", exc)
        return None


def _what_plays(spec: SourceSpec, source: FrameSource) -> str:
    """What the file of ``spec`` turned out to be (see SourceInfo.what); "" for others."""
    if not isinstance(spec, VideoFileSpec):
        return ""
    if isinstance(source, StillsFrameSource):
        # The file's pages are known once it is opened (here, on the capture thread): its
        # name alone says only "image".
        if source.paged:
            return "multi-page image"
        # A file of one frame (a still GIF, a picture named .mp4, a video of one frame) is
        # shown as the picture it is, whatever its name: it had a seek bar ("0:00 / 0:00"),
        # and Back and Forward, which opened it again held "Paused".
        return "folder of images" if spec.kind == "folder of images" else "image"
    return "animation" if isinstance(source, AnimationFrameSource) else "video file"


def _fault(
    kind: FaultKind,
    spec: SourceSpec,
    message: str,
    frames_read: int = 0,
    *,
    request: int,
    file_end: FileEnd | None = None,
) -> SourceFault:
    """The fault of the open ``request`` (see SourceFault.request), with whether a file
    source's file is there (looked up here, on the capture thread, for the window: see
    SourceFault.file_there). Not at a file's end, which offers Play again whatever the
    file's state."""
    there = kind is not FaultKind.ENDED and isinstance(spec, VideoFileSpec) and os.path.isfile(spec.path)
    return SourceFault(kind, spec, message, frames_read, file_there=there, request=request, file_end=file_end)
