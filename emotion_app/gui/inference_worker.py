"""The inference worker: owns the detector and model and turns frames into results.

It lives on its own thread. Each time the capture worker says the mailbox has a frame,
it takes the newest one, runs the core pipeline (one batched forward pass for all faces
of the frame) and emits a frozen :class:`InferenceResult`, then hands it to the
recording, if any, whose writer runs on a thread of its own (:class:`RecordingWriter`):
writing files never delays what the user sees, nor a folder that stops answering. A model
the user switches to loads on a thread of its own (:class:`PipelineLoad`) while the frames
go on with the model in use; the worker swaps it in between two frames.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

import cv2
from PyQt6.QtCore import QObject, QThread, QTimer, pyqtSignal, pyqtSlot

from emotion_app.faces.tracker import HELD_FRAME_S
from emotion_app.inference.steadiness import STEADINESS_LEVELS
from emotion_app.live import PipelineBundle, PipelineLoad, PipelineLoader, load_pipeline
from emotion_app.pipeline import StageTimings
from emotion_app.results import FaceResult
from emotion_app.sources.frame_source import FALLBACK_FPS
from emotion_app.weights import WeightsNotFoundError

from .annotation import StreamChartPlaces, annotate_frame, shown_frame_of
from .mailbox import DeliveryGate, LatestMailbox
from .messages import (
    CapturedFrame,
    FaceNames,
    FileEnd,
    InferenceResult,
    ModelStatus,
    RecordingRequest,
    RecordingSummary,
    SkippedFrame,
    SourceInfo,
)
from .recording_writer import MAX_WAITING_FRAMES, RecordingWriter

log = logging.getLogger(__name__)

# How often the worker looks whether the fast runner's build is done (ms); the swap waits at most this.
RUNNER_POLL_MS = 100
# How often it looks whether a model switched to has loaded (ms): meanwhile the faces
# keep the old model's labels, so the swap waits at most this.
LOAD_POLL_MS = 20
# How long a model's load may take before the worker gives up waiting for it: a load takes
# well under a second (docs/measurements.md); past this, its read never returns (a file
# on a network share whose server has gone). A model loading at start-up (remembered, or
# named with --weights) then gives way to the shipped one, as it does when it fails at once,
# and a model picked later to one picked after it.
LOAD_GIVE_UP_S = 10.0
# How often a recording's writer is looked at while no frame comes (a paused video): one
# that has stopped answering is given up within this of its limit.
RECORDING_CHECK_MS = 500
# The most results skipped by a busy GUI kept for the timeline until one is sent (a minute
# at 30 fps): memory stays bounded however long the GUI is held; past it the oldest go,
# their time counted with the frame added before them, as every skipped one's was.
MAX_SKIPPED_KEPT = 1800
# The most of a source's first frames kept for a recording the window may yet ask to record
# it from its first frame (see open_heard): each is a frame and its screen picture, and
# with the newest they fit a recording's queue with room left for the frames after them.
MAX_OPENING_KEPT = MAX_WAITING_FRAMES // 2
# The most of a slide show's pictures kept as sent (see picture_taken): the one on screen
# and those the gate lets be on their way to the window (a held one over its bound), with
# room for one sent at a stream's end; the bound holds however the window lags.
MAX_SENT_PICTURES_KEPT = 5


class InferenceWorker(QObject):
    """Owns the pipeline; lives on the inference thread (``moveToThread``)."""

    model_status = pyqtSignal(object)  # ModelStatus
    result_ready = pyqtSignal(object)  # InferenceResult
    recording_finished = pyqtSignal(object)  # RecordingSummary
    show_again_wanted = pyqtSignal()  # see pass_show_again
    # A file's stream stopped (Stop) on the newest frame labelled: that frame's own showing
    # ends it, as a file's end ends its last frame (FileEnd; sent after that frame's result).
    stream_left = pyqtSignal(object)

    def __init__(
        self,
        mailbox: LatestMailbox[CapturedFrame],
        gate: DeliveryGate,
        weights_path: Path | None,
        pipeline_loader: PipelineLoader = load_pipeline,
        torch_threads: int | None = 1,
        opencv_threads: int | None = 1,
        remembered_weights: bool = False,
    ) -> None:
        super().__init__()
        # ``weights_path`` is the model remembered from last time (not one the user named
        # now): if it is gone, the shipped model runs in its place without a word. (Any
        # start-up model that does not load gives way to the shipped one: see load_default.)
        self._remembered_weights = remembered_weights
        self._mailbox = mailbox
        self._gate = gate
        self._weights_path = weights_path
        self._pipeline_loader = pipeline_loader
        # One intra-op thread: a batch of 1-3 faces gains nothing from more, and on a
        # 2-core laptop a second spinning OpenMP thread steals the GUI thread's core.
        self._torch_threads = torch_threads
        # One OpenCV thread per caller, for the same reason: a parallel cascade would take
        # both cores, so the background new-face scan would crowd out the frames' local
        # searches and the GUI. Single-threaded, each gets a core (``python -m
        # scripts.measure_gui``: lower latency; docs/measurements.md).
        self._opencv_threads = opencv_threads
        self._bundle: PipelineBundle | None = None
        self._steadiness: str | None = None
        self._stream_id = -1
        # The session of the last stream (CapturedFrame.session): a stream of another
        # source starts ids again at 1; the same source started again (a camera's Stop and
        # Start, Home after a file's end, Play again) goes on counting, so a returning
        # person is not taken for someone earlier. A file's people found again
        # at moments already seen get the ids they had then (FaceTracker.reset's replay),
        # and keep the names given to them.
        self._session: int | None = None
        self._seeks = 0  # of the last frame processed (CapturedFrame.seeks)
        # Where the stream's charts were last frame, so they keep their places.
        self._chart_places = StreamChartPlaces()
        # A paused file's frame's result refused by a full gate, sent at the next permit.
        self._held_waiting: InferenceResult | None = None
        self._mirrored = False  # whether the last frame processed was flipped (see process)
        # A file's frame the pipeline took last, and the times it was given: that frame opened
        # again (Mirror view or a model picked after Stop or the file's end) is looked at anew,
        # not started from (see process).
        self._last_file_frame: _FileFrame | None = None
        self._skipped: InferenceResult | None = None  # the newest result, where the gate skipped it
        # Every result of the stream not sent since the last one sent (skipped, or a held one
        # replaced by a newer), oldest first: the next one sent carries them for the timeline.
        self._not_sent: deque[SkippedFrame] = deque(maxlen=MAX_SKIPPED_KEPT)
        # The newest result labelled, sent or not (a Stop's end; a recording waiting for a
        # source), till its stream is stopped or replaced (see stream_began).
        self._newest: InferenceResult | None = None
        # The slide show's pictures sent, oldest first, from the one the window took last (on
        # screen): a recording begun on that one records those after it, on their way to the
        # window, which counts each once shown. Each shares its pictures with the window or
        # with the signal taking it there (see picture_taken).
        self._sent_pictures: deque[InferenceResult] = deque(maxlen=MAX_SENT_PICTURES_KEPT)
        self._recording: RecordingWriter | None = None  # the recording frames go to
        # A recording asked for as a source opened, and the open request it waits for: it
        # begins once that source has opened, at its frame rate (see start_recording).
        self._recording_waits: tuple[RecordingRequest, int] | None = None
        # The source opened last: set on the capture thread (see source_opened), read here.
        self._opened: SourceInfo | None = None
        # The newest stream whose open the window has heard of (see open_heard), and the
        # first results of a stream opened since, kept meanwhile (at most MAX_OPENING_KEPT):
        # a recording the window asks for while it waits for that open comes here after
        # them, and records them.
        self._heard_stream = -1
        self._opening: list[InferenceResult] = []
        # Recordings stopped, or ended, whose writers are still closing them: watched till they answer.
        self._closing: list[RecordingWriter] = []
        self._recording_check = QTimer(self)
        self._recording_check.setInterval(RECORDING_CHECK_MS)
        self._recording_check.timeout.connect(self._check_recordings)
        self._failed_frames = 0
        self._show_bars = True
        # The view's scale (view pixels per frame pixel): the screen's text is sized by it.
        self._display_scale: float | None = None
        self._pixel_ratio = 1.0
        # Names the user gave, by track id, and the stream whose ids they are: set from the
        # GUI thread (see set_names). They name the faces of that stream's session only: a
        # new session's ids start again at 1 and belong to other people.
        self._names: FaceNames = FaceNames(-1, ())
        # The streams of the last stream's session (a file opened again by Home keeps its
        # people's ids): names given in any of them are of the same people. One per opening.
        self._session_streams: set[int] = set()
        # Looks for a finished fast-runner build; a child, so it moves to the worker's thread.
        self._runner_poll = QTimer(self)
        self._runner_poll.setInterval(RUNNER_POLL_MS)
        self._runner_poll.timeout.connect(self._install_fast_runner)
        # A model switched to, loading beside the frames, and the timer that looks for it.
        self._load: PipelineLoad | None = None
        self._load_started = 0.0  # when it started (time.monotonic())
        # The newest model asked for while another loads: it loads once that one ends.
        self._queued: _LoadRequest | None = None
        self._load_poll = QTimer(self)
        self._load_poll.setInterval(LOAD_POLL_MS)
        self._load_poll.timeout.connect(self._install_loaded_model)

    # ---- model ------------------------------------------------------------------
    @pyqtSlot()
    def load_default(self) -> None:
        """Load the weights given at construction (runs when the thread starts).

        This thread waits for it: there is no model yet whose frames could go on meanwhile.
        A model that fails to load, or has not loaded within :data:`LOAD_GIVE_UP_S`, gives
        way to the shipped one; should that fail too, the status says why neither runs.
        """
        path = self._weights_path
        outcome = self._wait_for_load(path, LOAD_GIVE_UP_S if path is not None else None)
        if isinstance(outcome, PipelineBundle):
            self._install(outcome)
            return
        if outcome is None:
            return  # the app is closing: nothing would use a model
        failure = self._load_failed(path, outcome, announce=path is None)
        thread = QThread.currentThread()
        if path is None or (thread is not None and thread.isInterruptionRequested()):
            return  # nothing to fall back from, or the app is closing
        shipped = self._wait_for_load(None, None)
        if shipped is None:
            return  # the app is closing
        # A remembered file deleted since last time goes quietly, as if none had been
        # remembered (it stays remembered all the same: a drive not plugged in yet brings it
        # back). One named for this run is always said: the user asked for it. The load's
        # own verdict tells a file not there from one that is there but cannot be reached (a
        # folder the user may not search, a name too long), which is said as any failed load.
        quietly = self._remembered_weights and isinstance(outcome, WeightsNotFoundError)
        if isinstance(shipped, Exception):  # no weights/ (a plain `pip install .`): no model runs
            if quietly:
                self._load_failed(None, shipped)
            else:
                self.model_status.emit(
                    dataclasses.replace(
                        failure, error=f"{failure.error}; the shipped model did not load either: {shipped}"
                    )
                )
            return
        self._install(shipped, stand_in=True)
        if not quietly:  # why the shipped model runs
            self.model_status.emit(
                dataclasses.replace(
                    failure,
                    labels=shipped.labels,
                    active_weights=shipped.weights_path,
                    active_resolved=shipped.resolved_path,
                    stand_in=True,
                )
            )

    @pyqtSlot(object)
    def load_weights(self, weights_path: Path | None) -> None:
        """Switch to another model. It loads on a thread of its own while the frames go on
        with the model in use, which hands over the faces between two frames once the new
        one is ready (:meth:`_install_loaded_model`). One load runs at a time: a request
        made meanwhile waits for it, and only the newest one waiting is kept. If it fails,
        the model in use stays and ``model_status`` says why."""
        thread = QThread.currentThread()
        if thread is not None and thread.isInterruptionRequested():
            return  # the app is closing: nothing would take the model
        load = self._load
        if load is not None:
            # Loads running together (several picks in quick succession) slowed each other
            # and, on 2 cores, the frames and the GUI; only the newest one was used anyway.
            self._queued = None if weights_path == load.weights_path else _LoadRequest(weights_path)
            return
        self._start_load(weights_path)

    def _start_load(self, weights_path: Path | None) -> None:
        self._set_thread_counts()
        try:
            self._load = PipelineLoad(weights_path, self._pipeline_loader, self._torch_threads)
            self._load_started = time.monotonic()
        except RuntimeError as exc:  # no thread to be had: the model in use goes on
            self._load_poll.stop()
            self._load_failed(weights_path, exc)
            return
        self._load_poll.start()

    @property
    def loading(self) -> PipelineLoad | None:
        """The model switched to that is still loading, if any."""
        return self._load

    def _set_thread_counts(self) -> None:
        if self._torch_threads:
            import torch

            torch.set_num_threads(self._torch_threads)
        if self._opencv_threads:
            cv2.setNumThreads(self._opencv_threads)  # process-wide: only the worker sets it

    def _wait_for_load(
        self, weights_path: Path | None, give_up_after_s: float | None
    ) -> PipelineBundle | Exception | None:
        """Load a model, this thread waiting for it at most ``give_up_after_s`` (None: for as
        long as it takes): the model, why there is none (:class:`LoadGaveUp` once waited
        for too long), or None if the app closes meanwhile. A load not taken is dropped.

        The load runs on a thread of its own (:class:`PipelineLoad`), so that one whose
        read never returns (a file on a dead network share) does not hold this thread, and
        with it the window's close, forever."""
        self._set_thread_counts()
        try:
            load = PipelineLoad(weights_path, self._pipeline_loader, self._torch_threads)
        except RuntimeError as exc:  # no thread to be had
            return exc
        thread = QThread.currentThread()
        deadline = None if give_up_after_s is None else time.monotonic() + give_up_after_s
        while not load.wait(LOAD_POLL_MS / 1000):
            if thread is not None and thread.isInterruptionRequested():
                load.drop()  # the app is closing: nothing would take the model
                return None
            if deadline is not None and time.monotonic() >= deadline:
                # Left to its thread (the exit does not wait for it for long); should its
                # read ever return, the model it made is closed, never put in use.
                load.drop()
                assert give_up_after_s is not None
                return LoadGaveUp(weights_path, give_up_after_s)
        return load.take()

    def _load_failed(self, weights_path: Path | None, exc: Exception, announce: bool = True) -> ModelStatus:
        # WeightsError names the file; anything else gets it added.
        message = str(exc)
        if weights_path is not None and str(weights_path) not in message:
            message = f"{weights_path}: {message}"
        # A bad file picked later must not throw away the model that works.
        current = self._bundle
        failure = ModelStatus(
            weights_path,
            current.labels if current else (),
            message,
            active_weights=current.weights_path if current else None,
            active_resolved=current.resolved_path if current else None,
        )
        if announce:
            self.model_status.emit(failure)
        return failure

    @pyqtSlot()
    def _install_loaded_model(self) -> None:
        """Timer slot on the worker's thread, so the swap always falls between two frames
        and the old pipeline hands over the faces where the last frame saw them."""
        load = self._load
        if load is None:
            self._load_poll.stop()
            return
        stuck = time.monotonic() - self._load_started >= LOAD_GIVE_UP_S
        if not load.done and not (stuck and self._queued is not None):
            return
        self._load = None
        queued, self._queued = self._queued, None
        if queued is not None:
            # A newer model was asked for meanwhile: no one wants this one now. One whose
            # read has not returned is not waited for (the newer one would never load).
            load.drop()
            self._start_load(queued.weights_path)
            return
        self._load_poll.stop()
        outcome = load.take()
        if isinstance(outcome, Exception):
            self._load_failed(load.weights_path, outcome)
            return
        self._install(outcome)

    def _install(self, bundle: PipelineBundle, stand_in: bool = False) -> None:
        previous, self._bundle = self._bundle, bundle
        if previous is not None:
            # The faces in view keep their ids (and so their names) under the new model.
            bundle.pipeline.take_faces_from(previous.pipeline)
            previous.close()
        else:
            self._stream_id = -1
        if self._steadiness is not None:
            bundle.pipeline.steadiness = self._steadiness
        self._emit_model_ready(bundle, stand_in=stand_in)
        if bundle.optimizing:
            self._runner_poll.start()
        else:
            self._runner_poll.stop()

    @pyqtSlot()
    def _install_fast_runner(self) -> None:
        """Timer slot on the worker's thread, so the swap always falls between two frames."""
        bundle = self._bundle
        if bundle is None or not bundle.optimizing:
            self._runner_poll.stop()
            return
        if bundle.install_fast_runner():
            self._runner_poll.stop()
            log.info("classifier now runs %s", bundle.pipeline.classifier.inference_mode)
            self._emit_model_ready(bundle, runner_changed=True)

    def _emit_model_ready(self, bundle: PipelineBundle, runner_changed: bool = False, stand_in: bool = False) -> None:
        runner = bundle.pipeline.classifier.runner
        note = f"building the fast classifier; {runner.mode} meanwhile" if bundle.optimizing else runner.note
        self.model_status.emit(
            ModelStatus(
                bundle.weights_path,
                bundle.labels,
                active_weights=bundle.weights_path,
                active_resolved=bundle.resolved_path,
                inference_mode=runner.mode,
                note=note,
                runner_changed=runner_changed,
                stand_in=stand_in,
            )
        )

    @pyqtSlot(str)
    def set_steadiness(self, level: str) -> None:
        """How calm each face's label is (a level name; unknown names are ignored)."""
        if level not in STEADINESS_LEVELS:
            log.warning("ignoring unknown steadiness %r", level)
            return
        self._steadiness = level
        if self._bundle is not None:
            self._bundle.pipeline.steadiness = level

    @pyqtSlot(int)
    def send_skipped_last(self, stream_id: int) -> None:
        """The stream ``stream_id`` ended: a file at its end (the capture worker's
        ``file_ended``) or a stop (its ``stream_stopped``). Its newest result, skipped by a
        busy GUI, is sent after all: nothing comes after it, and the screen stayed on an
        earlier frame beside "Finished playing" or "Stopped" (a snapshot saved that one;
        Mirror view or a model picked then opened the file again at a frame this worker no
        longer held, its faces found and labelled afresh). Queued after the frame's own
        nudge, so that frame has been labelled. One of another stream is not sent: stopped
        while it opened, the window took one of the source before for its own and put that
        source's faces in the new source's timeline."""
        result, self._skipped = self._skipped, None
        if result is None or result.stream_id != stream_id:
            return
        self._take_back(result)
        if self._gate.try_acquire(held=True):
            self._emit(result)
        else:  # one over the bound is waiting already: this one waits for the next permit
            self._held_waiting = result

    @pyqtSlot(int)
    def stream_stopped(self, stream_id: int) -> None:
        """The stream ``stream_id`` was stopped (the capture worker's ``stream_stopped``):
        its newest result skipped is sent (:meth:`send_skipped_last`), then, for a file's
        video frame, the end of that frame's own showing (``stream_left``), which the
        timeline counts for its faces as a file's end counts its last frame's. Before, a
        face seen only on the frame a Stop left had no time."""
        self.send_skipped_last(stream_id)
        newest = self._newest
        if newest is not None and newest.stream_id <= stream_id:
            # Nothing needs it now: the window has it (sent, or waiting for a permit as
            # _held_waiting), a look again opens the file anew (_last_file_frame), and a
            # recording asked for as it opened came here before this.
            self._newest = None
        self._opening = [result for result in self._opening if result.stream_id > stream_id]
        self._let_go_of_sent(lambda picture: picture.stream_id <= stream_id)
        if newest is None or newest.stream_id != stream_id or newest.shown_s <= 0:
            return
        self.stream_left.emit(FileEnd(newest.run, newest.frame_index, newest.source_time + newest.shown_s))

    @pyqtSlot(int)
    def stream_began(self, stream_id: int) -> None:
        """The capture worker began the stream ``stream_id`` (an open, before its source has
        opened): the streams before it are over, replaced. What was kept of theirs goes (a
        frame and its screen picture each: large): none of it is sent or recorded any more.
        A stream that ended by a file's end or a stop had its end dealt with before this
        (send_skipped_last, stream_stopped). One replaced by another open while it played
        gets no end (no ``stream_stopped``): its newest result skipped by a busy GUI and its
        records of results not sent (``_not_sent``) are dropped here, never sent, so the
        timeline counts none of them. A result waiting for a permit would wait for good, the
        permits counted afresh for the new stream (DeliveryGate.reset). Kept till a frame
        came, it stayed for good where none did (an open that failed, a stop as it opened):
        the window had let go of it."""

        def replaced(result: InferenceResult | None) -> bool:
            return result is not None and result.stream_id < stream_id

        if replaced(self._newest):
            self._newest = None
        if replaced(self._skipped):
            self._skipped = None
        if replaced(self._held_waiting):
            self._held_waiting = None
        self._opening = [result for result in self._opening if not replaced(result)]
        self._let_go_of_sent(replaced)
        if self._not_sent and self._not_sent[-1].stream_id < stream_id:
            self._not_sent.clear()  # all of one stream: a change of stream clears them

    def _let_go_of_sent(self, gone: Callable[[InferenceResult], bool]) -> None:
        """Keep no more the pictures sent (see picture_taken) that are ``gone``: of a stream over."""
        kept = [picture for picture in self._sent_pictures if not gone(picture)]
        if len(kept) < len(self._sent_pictures):
            self._sent_pictures = deque(kept, maxlen=MAX_SENT_PICTURES_KEPT)

    @pyqtSlot()
    def pass_show_again(self) -> None:
        """A held frame's re-send, passed on to the capture thread from here: after the
        settings sent before it (a Steadiness level) are in use. Sent straight there, it
        could join a frame waiting for this thread and be labelled by the old ones."""
        self.show_again_wanted.emit()

    def set_names(self, names: FaceNames) -> None:
        """The names to show for faces of ``names.stream_id`` (see :class:`FaceNames`).

        Called on the sending thread, not queued: every frame labelled from now on has them,
        one already waiting for this thread too. Queued, they came after the nudge of a frame
        that waited for a busy thread, which was labelled, and recorded, with the old names
        (Home's first frame without a name given at the end)."""
        self._names = names

    @property
    def labels(self) -> tuple[str, ...]:
        return self._bundle.labels if self._bundle else ()

    # ---- frames -----------------------------------------------------------------
    @pyqtSlot()
    def process_pending(self) -> None:
        """Run the pipeline on the newest captured frame, if any."""
        thread = QThread.currentThread()
        if thread is not None and thread.isInterruptionRequested():
            return
        frame = self._mailbox.take()
        if frame is None:
            return
        self._begin_waiting_recording(frame.stream_id)  # before it is drawn: for the recording too
        result = self.process(frame)
        if self._not_sent and self._not_sent[-1].stream_id != result.stream_id:
            self._not_sent.clear()  # of a stream replaced: none of this one's time
        self._newest = result
        self._keep_if_opening(result)
        # Only a bounded number of results may wait for the GUI; a busy GUI skips
        # frames instead of collecting a backlog of them. A paused file's frame is never
        # skipped (nothing comes after it: the screen stayed on an earlier frame), but only
        # the newest waits: one per paused step queued up while the GUI lagged. The newest
        # playing result skipped is kept for a file's end or a stop (see send_skipped_last).
        # Each one not sent is told with the next one sent (InferenceResult.skipped_before).
        self._held_waiting = None  # a newer frame's result comes after it
        if self._gate.try_acquire(held=frame.held):
            self._skipped = None
            self._emit(result)
        else:
            self._not_sent.append(_skipped_frame(result))
            if frame.held:
                self._skipped = None
                self._held_waiting = result
            else:
                self._skipped = result
        recording = self._recording
        if recording is not None and not recording.put(result):  # ended: a failure, or its folder stopped answering
            self._recording = None
            self._closing.append(recording)

    def _keep_if_opening(self, result: InferenceResult) -> None:
        """Keep ``result`` for a recording the window may yet ask to take its source from
        its first frame: one of a source opened that the window has not heard of, among
        its first :data:`MAX_OPENING_KEPT`."""
        if self._opening and self._opening[-1].stream_id != result.stream_id:
            self._opening = []  # of a source opened before
        opened = self._opened
        if opened is None or opened.stream_id != result.stream_id or opened.stream_id <= self._heard_stream:
            return
        if len(self._opening) < MAX_OPENING_KEPT:
            self._opening.append(result)

    @pyqtSlot(int)
    def open_heard(self, stream_id: int) -> None:
        """The window has heard that the source of ``stream_id`` opened (queued from the GUI
        thread as it took that news): from then on it asks no recording to wait for that
        open (StreamController.start_recording), and one it asked for before is here
        already. The frames kept for one (see start_recording) go."""
        self._heard_stream = max(self._heard_stream, stream_id)
        self._opening = [result for result in self._opening if result.stream_id > self._heard_stream]

    @pyqtSlot()
    def send_held(self) -> None:
        """Send the held result waiting for a permit (see process_pending): the GUI has
        taken one."""
        result = self._held_waiting
        if result is not None and self._gate.try_acquire(held=True):
            self._held_waiting = None
            self._take_back(result)
            self._emit(result)

    def _take_back(self, result: InferenceResult) -> None:
        """``result``, not sent when labelled, is sent now: no longer one not sent."""
        last = self._not_sent[-1] if self._not_sent else None
        if last is not None and (last.run, last.frame_index) == (result.run, result.frame_index):
            self._not_sent.pop()

    def _emit(self, result: InferenceResult) -> None:
        """Send ``result``, the newest labelled, with the results not sent before it."""
        if self._not_sent:
            result = dataclasses.replace(result, skipped_before=tuple(self._not_sent))
            self._not_sent.clear()
        if result.picture_s > 0:
            self._sent_pictures.append(result)
        self.result_ready.emit(result)

    def process(self, frame: CapturedFrame) -> InferenceResult:
        """Faces of one frame (no faces when no model is loaded)."""
        faces: list[FaceResult] = []
        timings: dict[str, float] = {}
        bundle = self._bundle
        if bundle is not None:
            time_s, moment_s = frame.source_time, frame.file_time
            if frame.stream_id != self._stream_id:
                same_session = frame.session == self._session
                if same_session and frame.mirrored != self._mirrored:
                    # Mirror view turned while it was stopped: the faces remembered by
                    # their places (see reset's replay) flip with the picture first.
                    bundle.pipeline.mirror()
                last = self._last_file_frame
                if frame.in_file and last is not None and (last.session, last.index) == (frame.session, frame.index):
                    # The frame taken last (the one on screen) opened again to be looked at
                    # anew: its faces keep their tracks and steadied labels, as a paused frame
                    # shown again does. At the times it had: a moment counted once adds nothing.
                    time_s, moment_s = last.time_s, last.moment_s
                else:
                    # A new stream: tracks of the last one would attach to the wrong faces.
                    bundle.pipeline.reset(keep_ids=same_session, replay=same_session and frame.in_file)
                if not same_session:
                    self._session_streams = set()
                # In its session its people keep their ids, so their names: shown from its
                # first frame (the window sends them for the new stream too, a little later).
                self._session_streams.add(frame.stream_id)
                self._stream_id, self._session = frame.stream_id, frame.session
                self._chart_places = StreamChartPlaces()  # charts placed afresh
            else:
                if frame.mirrored != self._mirrored:
                    # Mirror view turned on or off: the faces flip with the picture, and keep
                    # their ids (found anew, they would swap or change them).
                    bundle.pipeline.mirror()
                if frame.seeks != self._seeks:
                    # A seek: the frame may be all a paused video shows, so its faces show
                    # at once (after a mirror: the faces left behind are flipped first).
                    bundle.pipeline.jump()
                    self._chart_places = StreamChartPlaces()
            self._mirrored = frame.mirrored
            self._seeks = frame.seeks
            self._last_file_frame = None
            try:
                shown_s = _shown_for_faces_s(frame)
                faces = bundle.pipeline.process(frame.image, time_s, moment_s=moment_s, shown_s=shown_s)
                timings = stage_ms(bundle.pipeline.last_timings)
                if frame.in_file:
                    self._last_file_frame = _FileFrame(frame.session, frame.index, time_s, moment_s)
            except Exception as exc:  # one bad frame must not stop the stream
                self._failed_frames += 1
                # The first failure and then every hundredth: a persistent fault must not
                # flood the log at 30 lines a second.
                if self._failed_frames % 100 == 1:
                    log.warning(
                        "frame %d could not be processed (%d so far): %s", frame.index, self._failed_frames, exc
                    )
        given = self._names  # read once: the GUI thread may set others meanwhile
        names = dict(given.names) if given.stream_id in self._session_streams else {}
        if names:
            faces = [dataclasses.replace(face, name=names.get(face.track_id, "")) for face in faces]
        labels = bundle.labels if bundle else ()
        # Drawn here, off the GUI thread, by the same renderer as recordings and `analyze`.
        shown = shown_frame_of(frame.image)
        drawn_with = self._chart_places.copy()  # for the GUI thread's redraws of this frame
        try:
            # The frame's own overlay is drawn beside the screen's only for a recording;
            # a snapshot draws it when taken.
            annotated, display = annotate_frame(
                frame.image,
                tuple(faces),
                labels,
                self._show_bars,
                self._display_scale,
                saved_too=self._recording is not None,
                shown_frame=shown,
                pixel_ratio=self._pixel_ratio,
                chart_places=self._chart_places,
            )
        except Exception as exc:  # an overlay that cannot be drawn must not stop the picture
            self._failed_frames += 1
            if self._failed_frames % 100 == 1:
                log.warning(
                    "frame %d's overlay could not be drawn (%d so far): %s", frame.index, self._failed_frames, exc
                )
            annotated, display = annotate_frame(frame.image, (), labels, False, shown_frame=shown)
        return InferenceResult(
            stream_id=frame.stream_id,
            frame_index=frame.index,
            image=frame.image,
            annotated=annotated,
            display_image=display,
            faces=tuple(faces),
            labels=labels,
            capture_time=frame.capture_time,
            source_time=frame.source_time,
            inference_done_time=time.perf_counter(),
            stage_ms=timings,
            dropped_frames=self._mailbox.dropped,
            overlay_bars=self._show_bars,
            overlay_scale=self._display_scale,
            overlay_pixels=self._pixel_ratio,
            picture_s=frame.picture_s,
            seeks=frame.seeks,
            shown_frame=shown if shown is not frame.image else None,
            shown_s=frame.shown_s,
            chart_places=drawn_with,
        )

    # ---- recording ----------------------------------------------------------------
    @pyqtSlot(object, float, int, object, bool)
    def start_recording(
        self,
        request: RecordingRequest,
        fps: float,
        opening: int = -1,
        shown: InferenceResult | None = None,
        from_shown: bool = False,
    ) -> None:
        """Record the frames from here on at ``fps``; or, ``opening`` not -1, those of the
        source of that open request (StreamController.requests_sent), at its own rate, from
        its first frame: the window knew only the rate of the source before. Its first
        frames labelled before this came (a window busy as it opened) are kept for it (see
        open_heard): up to :data:`MAX_OPENING_KEPT`, then the newest.

        ``shown``: the frame on screen as the window asked, recorded first where
        ``from_shown`` (a slide show's picture it plays on from: see :meth:`record_picture`);
        the slide show's pictures labelled after it, not shown yet as the window asked, are
        recorded too (the window counts each once shown), or a picture went missing."""
        self._finish_recording()
        if opening >= 0:
            self._recording_waits = (request, opening)
            self._begin_waiting_recording(None)  # that source's first frame begins it, or it has opened
            return
        self._begin_recording(request, fps)
        if shown is not None and from_shown:
            self.record_picture(shown)
        for picture in self._pictures_on_their_way(shown):
            self.record_picture(picture)

    def _pictures_on_their_way(self, shown: InferenceResult | None) -> list[InferenceResult]:
        """The slide show's pictures labelled after ``shown`` (the one on screen as the window
        asked), oldest first: those sent and not shown yet (a window held busy may have two
        on their way), and the newest, sent or not. The window counts each once shown."""
        opened = self._opened
        if opened is None:
            return []
        sent = list(self._sent_pictures)
        keys = [_picture_key(picture) for picture in sent]
        shown_key = _picture_key(shown) if shown is not None else None
        if shown_key in keys:  # those sent after it (the last time it was: a paused one is sent again)
            sent = sent[len(keys) - keys[::-1].index(shown_key) :]
        newest = self._newest
        if newest is not None and newest.picture_s > 0 and _picture_key(newest) not in keys[-1:]:
            sent.append(newest)  # skipped by the gate: told with the next one sent, and counted
        return [
            picture for picture in sent if picture.stream_id == opened.stream_id and _picture_key(picture) != shown_key
        ]

    @pyqtSlot(int, int)
    def picture_taken(self, stream_id: int, frame_index: int) -> None:
        """The window took the slide show's picture ``frame_index`` of ``stream_id`` (queued
        from the GUI thread as it took it, so after a recording it asked for before): the
        pictures sent before it are kept no longer."""
        keys = [_picture_key(picture) for picture in self._sent_pictures]
        taken = (stream_id, frame_index)
        if taken in keys:
            for _ in range(len(keys) - 1 - keys[::-1].index(taken)):
                self._sent_pictures.popleft()

    @pyqtSlot(object)
    def record_picture(self, result: InferenceResult) -> None:
        """Record ``result``, the slide show's picture on screen, which the show plays on
        from (a recording begun or a pause ended on it): a picture is recorded whole, one
        frame of its showing, and it was labelled before it was asked for (the recorder
        writes it once, however often it is given)."""
        recording = self._recording
        if recording is not None and not recording.put(result):
            self._recording = None
            self._closing.append(recording)

    def source_opened(self, info: SourceInfo) -> None:
        """The capture worker opened ``info``'s source: called on the capture thread
        (a direct connection), before it hands over its first frame. Queued, it came after
        the nudge of a frame of the source before, still waiting for this busy thread, which
        took the new source's first frame: a recording waiting for it began without it."""
        self._opened = info  # one reference, set whole: read on this worker's thread

    def _begin_waiting_recording(self, stream_id: int | None) -> None:
        """Begin the recording waiting for a source to open (see start_recording), where
        that source has opened: with the frame of ``stream_id`` taken (not one of the source
        before, taken just as the new one opened), or between frames (None)."""
        waiting, opened = self._recording_waits, self._opened
        if waiting is None or opened is None or opened.request < waiting[1]:
            return
        if stream_id is not None and stream_id < opened.stream_id:
            return
        self._recording_waits = None
        self._begin_recording(waiting[0], opened.fps)
        recording = self._recording
        if recording is None:
            return
        # Its frames came first: the window, busy, heard of the open after some were labelled,
        # or the nudge of a frame of the source before, waiting for this busy thread ahead of
        # the request, took its first. Those kept go in from its first, and the newest.
        kept = [result for result in self._opening if result.stream_id == opened.stream_id]
        newest = self._newest
        if newest is not None and newest.stream_id == opened.stream_id and (not kept or kept[-1] is not newest):
            kept.append(newest)
        for result in kept:
            recording.put(result)

    def _begin_recording(self, request: RecordingRequest, fps: float) -> None:
        try:
            # Its files are made (and a bad path refused, in words) on the writer's thread.
            self._recording = RecordingWriter(request, fps if fps > 0 else FALLBACK_FPS, self._report_recording)
        except RuntimeError:  # no thread to be had
            self.recording_finished.emit(RecordingSummary(request, 0, 0, "no thread could be started to write it"))
            return
        self._recording_check.start()

    @pyqtSlot(bool)
    def set_show_bars(self, show: bool) -> None:
        """The overlay drawn from now on (screen and recordings alike) has charts or not."""
        self._show_bars = show

    @pyqtSlot(float, float)
    def set_display_scale(self, scale: float, pixel_ratio: float = 1.0) -> None:
        """How large the view shows the frames (view pixels per frame pixel, quantised):
        the screen's text is drawn large enough to read there; and how many times the
        screen's picture enlarges them (annotation.screen_pixel_ratio: a high-DPI screen)."""
        self._display_scale = scale if scale > 0 else None
        self._pixel_ratio = pixel_ratio if pixel_ratio > 1 else 1.0

    @pyqtSlot()
    def stop_recording(self) -> None:
        self._finish_recording()

    def _finish_recording(self) -> None:
        """Stop the recording; its summary follows once its writer has closed it (at once
        for one still waiting for its source to open: nothing was recorded)."""
        waiting, self._recording_waits = self._recording_waits, None
        if waiting is not None:
            self._report_recording(RecordingSummary(waiting[0], 0, 0, ""))
        recording, self._recording = self._recording, None
        if recording is not None:
            recording.stop()
            self._closing.append(recording)

    @pyqtSlot()  # a plain method's connection would run it on the GUI thread, racing this one
    def _check_recordings(self) -> None:
        """Give up the writers that have stopped answering (each says so in its summary)."""
        if self._recording is not None and not self._recording.check():
            self._recording = None
        self._closing = [recording for recording in self._closing if recording.check()]
        if self._recording is None and not self._closing:
            self._recording_check.stop()

    def _report_recording(self, summary: RecordingSummary) -> None:
        """A recording's summary, from its writer's thread (or this one, given up)."""
        try:
            self.recording_finished.emit(summary)
        except RuntimeError:  # this object went with its window while the writer closed
            log.warning("after the window closed, the recording %s ended: %s", summary.request.video_path, summary)

    @pyqtSlot()
    def on_thread_finished(self) -> None:
        """Direct-connected to ``QThread.finished``: close recordings on the way out so
        the video and CSV are complete even when the window is closed mid-recording,
        and ends the pipeline's background scan thread."""
        self._runner_poll.stop()
        self._load_poll.stop()
        self._queued = None  # never started: nothing would take it
        if self._load is not None:
            # Not waited for: the close must be prompt; the load closes what it made.
            self._load.drop()
            self._load = None
        self._recording_check.stop()
        self._finish_recording()
        # Each is waited for while its folder answers: a process that exits under a writer
        # loses what it wrote. One on a share that has stopped answering is left, and logged.
        for recording in self._closing:
            recording.finish()
        self._closing = []
        if self._bundle is not None:
            self._bundle.close()


class LoadGaveUp(TimeoutError):
    """A model's load not waited for any longer: its read has not returned."""

    def __init__(self, weights_path: Path | None, waited_s: float) -> None:
        name = weights_path if weights_path is not None else "the shipped model"
        super().__init__(f"{name} did not load within {waited_s:g} s (a network share that does not answer?)")


@dataclasses.dataclass(frozen=True)
class _FileFrame:
    """A file's frame as the pipeline took it: which (its session, its number) and when
    (the ``time_s`` and ``moment_s`` it was given)."""

    session: int
    index: int
    time_s: float
    moment_s: float | None


def _shown_for_faces_s(frame: CapturedFrame) -> float | None:
    """How long ``frame`` shows, as the face finding weighs it (the pipeline's ``shown_s``):
    one shown :data:`HELD_FRAME_S` or more shows its new faces at once.

    A file's frame says how long it shows (a GIF's slide held seconds, a slide show's
    picture); a camera's, nothing (None). A paused file's frame (stepped or sought to,
    shown again) shows for as long as the user looks at it: held, whatever its own length
    (a face first on a frame stepped onto stood unboxed until the next step). The time the
    timeline counts for it stays the frame's own (``frame.shown_s``).
    """
    showing_s = frame.shown_s if frame.shown_s > 0 else frame.picture_s
    if frame.held:
        showing_s = max(showing_s, HELD_FRAME_S)
    return showing_s if showing_s > 0 else None


def _picture_key(result: InferenceResult) -> tuple[int, int]:
    """Which frame ``result`` is of: a picture sent again (paused, looked at anew) is the same."""
    return result.stream_id, result.frame_index


def _skipped_frame(result: InferenceResult) -> SkippedFrame:
    """What the timeline needs of a result not sent (no pictures: they are large)."""
    return SkippedFrame(
        result.stream_id,
        result.frame_index,
        result.source_time,
        result.faces,
        result.labels,
        result.picture_s,
        result.seeks,
        result.shown_s,
    )


@dataclasses.dataclass(frozen=True)
class _LoadRequest:
    """A model asked for while another loads (``weights_path`` None: the shipped one)."""

    weights_path: Path | None


def stage_ms(timings: StageTimings) -> dict[str, float]:
    """The pipeline's timings of its last call, as the status bar and scripts read them."""
    return {"detect": timings.detect_ms, "classify": timings.classify_ms, "total": timings.total_ms}
