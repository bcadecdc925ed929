"""Wires the capture and inference workers to their threads and to the GUI.

The window talks only to this controller. Requests go to the workers as queued
signals (so they run on the workers' threads), but for the few a worker reads as it goes
(a stop or a move on its way, the names given), set from the sending thread; results
come back as queued signals.
Shutdown is cooperative: requestInterruption(), quit(), wait(); never terminate().
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from PyQt6.QtCore import QObject, Qt, QThread, pyqtSignal

from emotion_app.live import PipelineLoader, load_pipeline
from emotion_app.sources.frame_source import SourceFactory
from emotion_app.sources.opening import open_frame_source
from emotion_app.sources.specs import SourceSpec

from .capture_worker import CaptureWorker
from .inference_worker import InferenceWorker
from .mailbox import DeliveryGate, LatestMailbox
from .messages import CapturedFrame, FaceNames, InferenceResult, RecordingRequest, SourceInfo
from .quitting import wait_for_thread

log = logging.getLogger(__name__)


class StreamController(QObject):
    """Owns the capture and inference threads for the lifetime of a window."""

    # Re-emitted from the workers, delivered on the GUI thread.
    source_opened = pyqtSignal(object)  # SourceInfo
    source_fault = pyqtSignal(object)  # SourceFault
    source_stopped = pyqtSignal(int)  # the request it answers (see requests_sent)
    source_notice = pyqtSignal(object)  # SourceNotice
    model_status = pyqtSignal(object)  # ModelStatus
    result_ready = pyqtSignal(object)  # InferenceResult
    stream_left = pyqtSignal(object)  # FileEnd: a file stopped on that frame (after its result)
    recording_finished = pyqtSignal(object)  # RecordingSummary
    playback = pyqtSignal(object)  # PlaybackState

    # Requests, connected to worker slots; queued because the workers live elsewhere.
    _start_requested = pyqtSignal(object)
    _stop_requested = pyqtSignal()
    _open_at_requested = pyqtSignal(object, int, bool)
    _pause_requested = pyqtSignal()
    _resume_requested = pyqtSignal()
    _seek_requested = pyqtSignal(int)
    _step_requested = pyqtSignal(int)
    _mirror_requested = pyqtSignal(bool)
    _show_again_requested = pyqtSignal()
    _held_send_requested = pyqtSignal()  # a permit freed for a paused file's frame waiting
    _load_requested = pyqtSignal(object)
    _steadiness_requested = pyqtSignal(str)
    _record_requested = pyqtSignal(object, float, int, object, bool)
    _record_picture_requested = pyqtSignal(object)
    _record_stop_requested = pyqtSignal()
    _bars_requested = pyqtSignal(bool)
    _display_scale_requested = pyqtSignal(float, float)
    _session_requested = pyqtSignal()
    _open_heard = pyqtSignal(int)  # a stream id: see InferenceWorker.open_heard
    _picture_taken = pyqtSignal(int, int)  # a stream id, a frame: see InferenceWorker.picture_taken

    def __init__(
        self,
        weights_path: Path | None,
        source_factory: SourceFactory = open_frame_source,
        pipeline_loader: PipelineLoader = load_pipeline,
        camera_timeout_s: float = 2.0,
        parent: QObject | None = None,
        remembered_weights: bool = False,
    ) -> None:
        super().__init__(parent)
        self.frames: LatestMailbox[CapturedFrame] = LatestMailbox()
        self.gate = DeliveryGate(capacity=2)
        self.capture_thread = QThread()
        self.capture_thread.setObjectName("capture")
        self.inference_thread = QThread()
        self.inference_thread.setObjectName("inference")
        self.capture = CaptureWorker(self.frames, source_factory, camera_timeout_s=camera_timeout_s)
        self.inference = InferenceWorker(
            self.frames, self.gate, weights_path, pipeline_loader, remembered_weights=remembered_weights
        )
        self.capture.moveToThread(self.capture_thread)
        self.inference.moveToThread(self.inference_thread)

        self._start_requested.connect(self.capture.start_source)
        self._stop_requested.connect(self.capture.stop_source)
        self._open_at_requested.connect(self.capture.open_at)
        self._pause_requested.connect(self.capture.pause)
        self._resume_requested.connect(self.capture.resume)
        self._seek_requested.connect(self.capture.seek)
        self._step_requested.connect(self.capture.step)
        self._mirror_requested.connect(self.capture.set_mirror)
        # By way of the inference thread: labelled after the requests sent to it before.
        self._show_again_requested.connect(self.inference.pass_show_again)
        self.inference.show_again_wanted.connect(self.capture.show_again)
        self._load_requested.connect(self.inference.load_weights)
        self._steadiness_requested.connect(self.inference.set_steadiness)
        self._record_requested.connect(self.inference.start_recording)
        self._record_stop_requested.connect(self.inference.stop_recording)
        self._record_picture_requested.connect(self.inference.record_picture)
        self._bars_requested.connect(self.inference.set_show_bars)
        self._display_scale_requested.connect(self.inference.set_display_scale)
        self._session_requested.connect(self.capture.start_session)
        self.capture.frame_available.connect(self.inference.process_pending)
        self._held_send_requested.connect(self.inference.send_held)
        self.capture.file_ended.connect(self.inference.send_skipped_last)  # after the last frame's nudge
        self.capture.stream_stopped.connect(self.inference.stream_stopped)  # likewise, and its last frame's end
        self.capture.stream_began.connect(self.inference.stream_began)  # after the frames before's nudges
        self.inference.stream_left.connect(self.stream_left)

        self.capture.opened.connect(self.source_opened)
        # After the window has taken that news (connected after it): a recording it asked for
        # as that source opened has gone to the inference thread before (see open_heard).
        self.capture.opened.connect(self._tell_open_heard)
        self._open_heard.connect(self.inference.open_heard)
        self._picture_taken.connect(self.inference.picture_taken)
        # Direct, so before that source's first frame is handed over: a recording asked for
        # as it opened begins with that frame, at its rate.
        self.capture.opened.connect(self.inference.source_opened, Qt.ConnectionType.DirectConnection)  # type: ignore[call-arg]
        self.capture.fault.connect(self.source_fault)
        self.capture.stopped.connect(self.source_stopped)
        self.capture.notice.connect(self.source_notice)
        self.capture.playback.connect(self.playback)
        self.inference.model_status.connect(self.model_status)
        self.inference.result_ready.connect(self._deliver_result)
        self.inference.recording_finished.connect(self.recording_finished)

        # Load the model on the inference thread as soon as it runs: loading may take a
        # moment, and the window must be up and responsive meanwhile.
        self.inference_thread.started.connect(self.inference.load_default)
        # Direct: these run on the ending worker thread itself, so the camera is released
        # and recordings are closed before wait() returns.
        # (PyQt6's stubs omit connect's connection-type argument.)
        self.capture_thread.finished.connect(self.capture.on_thread_finished, Qt.ConnectionType.DirectConnection)  # type: ignore[call-arg]
        self.inference_thread.finished.connect(self.inference.on_thread_finished, Qt.ConnectionType.DirectConnection)  # type: ignore[call-arg]
        self._is_shut_down = False

    def start_threads(self) -> None:
        self.capture_thread.start()
        self.inference_thread.start()

    # ---- requests ---------------------------------------------------------------------
    def start(self, spec: SourceSpec) -> None:
        self.gate.reset()
        self.capture.supersede()
        self._start_requested.emit(spec)

    @property
    def requests_sent(self) -> int:
        """The stops and opens sent to the capture thread so far: a notice, an opened or a
        fault of an open (their ``request``) below it is of one replaced since."""
        return self.capture.requests_sent

    def start_session(self) -> None:
        """The next source started is another one: its faces' ids count from 1 again.
        Call it before :meth:`start`: the capture worker, which gets both in turn, marks
        that source's frames with a new session (CapturedFrame.session)."""
        self._session_requested.emit()

    def stop(self) -> None:
        self.capture.supersede()
        self._stop_requested.emit()

    def open_at(self, spec: SourceSpec, frame: int, paused: bool) -> None:
        """Open a file at ``frame``; ``paused`` shows that frame and waits."""
        self.gate.reset()
        self.capture.supersede()
        self._open_at_requested.emit(spec, int(frame), bool(paused))

    def pause(self) -> None:
        self.capture.move_sent()
        self.capture.hold_sent()
        self._pause_requested.emit()

    def resume(self) -> None:
        self.capture.hold_sent()
        self._resume_requested.emit()

    @property
    def holds_sent(self) -> int:
        """The pauses and plays sent to the capture thread so far: a position report that
        follows fewer (its ``holds_taken``) is not yet of the one sent last."""
        return self.capture.holds_sent

    def seek(self, frame: int) -> None:
        self.capture.move_sent()
        self._seek_requested.emit(int(frame))

    def step(self, frames: int) -> None:
        self.capture.move_sent()
        self._step_requested.emit(int(frames))

    def set_mirror(self, on: bool) -> None:
        """Flip frames left-right as they are read (before faces are found)."""
        self._mirror_requested.emit(bool(on))

    def show_again(self) -> None:
        """A paused file's frame on screen is looked at again (by a model just loaded, or
        with a Steadiness level just set)."""
        self._show_again_requested.emit()

    def load_weights(self, path: Path | None) -> None:
        """Switch to the model of ``path`` (None: the shipped one); a relative path is taken
        from the current folder now (it is remembered and handed to a build process)."""
        self._load_requested.emit(Path(path).absolute() if path is not None else None)

    def set_names(self, names: FaceNames) -> None:
        """Show these names for the faces of their stream (see FaceNames), from the next
        frame labelled on: handed to the inference worker directly, not queued behind the
        frames waiting for it (see InferenceWorker.set_names)."""
        self.inference.set_names(names)

    def set_steadiness(self, level: str) -> None:
        """A level name of emotion_app.inference.steadiness.STEADINESS_LEVELS."""
        self._steadiness_requested.emit(str(level))

    def start_recording(
        self,
        request: RecordingRequest,
        fps: float | None,
        shown: InferenceResult | None = None,
        from_shown: bool = False,
    ) -> None:
        """Record at ``fps``, from the frame ``shown`` on screen where ``from_shown`` (a
        slide show's picture it plays on from: InferenceWorker.start_recording); None: the
        source being opened (the open sent last), at its own rate, once it has opened."""
        opening = self.requests_sent if fps is None else -1
        self._record_requested.emit(request, float(fps or 0.0), opening, shown, from_shown)

    def record_picture(self, result: InferenceResult) -> None:
        """Record ``result``, the slide show's picture on screen, which it plays on from."""
        self._record_picture_requested.emit(result)

    def stop_recording(self) -> None:
        self._record_stop_requested.emit()

    def set_show_bars(self, show: bool) -> None:
        self._bars_requested.emit(bool(show))

    def set_display_scale(self, scale: float, pixel_ratio: float = 1.0) -> None:
        """How large the view shows the frames: the overlay's text is sized to read there,
        and drawn at ``pixel_ratio`` times the frame's pixels (a high-DPI screen)."""
        self._display_scale_requested.emit(float(scale), float(pixel_ratio))

    @property
    def dropped_frames(self) -> int:
        return self.frames.dropped

    @property
    def is_running(self) -> bool:
        return self.capture_thread.isRunning() or self.inference_thread.isRunning()

    def _tell_open_heard(self, info: SourceInfo) -> None:
        self._open_heard.emit(info.stream_id)

    def _deliver_result(self, result: InferenceResult) -> None:
        # The GUI has taken it: let the worker send another. Released before handing it
        # on so a slow slot downstream cannot starve the worker of permits.
        if self.gate.release():
            self._held_send_requested.emit()
        if result.picture_s > 0:  # the worker keeps the pictures from it on (see InferenceWorker.picture_taken)
            self._picture_taken.emit(result.stream_id, result.frame_index)
        if not self._is_shut_down:
            self.result_ready.emit(result)

    # ---- shutdown -----------------------------------------------------------------------
    def shutdown(self, timeout_s: float = 1.0) -> bool:
        """Stop both threads within ``timeout_s``; True if they did. Idempotent."""
        if self._is_shut_down:
            return not self.is_running
        self._is_shut_down = True
        deadline = time.monotonic() + timeout_s
        threads = (self.capture_thread, self.inference_thread)
        for thread in threads:
            thread.requestInterruption()
            thread.quit()
        stopped = True
        # In slices (quitting.wait_for_thread): a QThread.wait holds this thread in C, where a
        # second Ctrl+C's handler cannot run, and the exit waits here for a recording's close.
        for thread in threads:
            if not wait_for_thread(thread, max(0.001, deadline - time.monotonic())):
                stopped = False
        if not stopped:
            # A driver call that will not return (a wedged camera). Terminating a thread
            # that holds the GIL or a device lock is worse than waiting: wait, and say so.
            log.warning("worker threads did not stop within %.1f s; waiting for them", timeout_s)
            for thread in threads:
                wait_for_thread(thread)
        # Threads are done: their workers can be touched from here safely.
        self.capture.release()
        self.frames.clear()
        return stopped
