"""A file's frame held on screen (paused, or a picture shown to its end) follows what the
user changes: another model labels it, and Mirror view flips it, at once."""

from __future__ import annotations

import gc
import shutil
import time
import weakref
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
import pytest
from PyQt6.QtCore import QCoreApplication, QMetaObject, Qt
from pytestqt.qtbot import QtBot

from emotion_app.gui.main_window import APP_TITLE, MainWindow
from emotion_app.gui.messages import CapturedFrame, InferenceResult
from emotion_app.live import load_eager_pipeline
from emotion_app.results import FaceResult
from emotion_app.samples import SEVEN_LABELS, SIX_LABELS, astronaut_bgr, write_astronaut_video
from emotion_app.sources.frame_source import FrameSource
from emotion_app.sources.opening import open_frame_source
from emotion_app.sources.specs import SourceSpec, VideoFileSpec
from tests.gui_support import (
    WAIT_MS,
    ThreadHold,
    WindowFactory,
    busy_until,
    gated_worker,
    pause_on_shown_frame,
    shown_result,
    thread_held,
    wait_for_face_result,
)


def test_the_paused_frame_is_shown_when_the_window_was_behind_as_it_was_paused(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: with results still waiting for a busy GUI thread, the paused frame sent again was
    # skipped like a playing one: the window stayed on an earlier frame for good (snapshots
    # saved that one), its seek bar on the frame paused on.
    video = write_astronaut_video(tmp_path / "long.avi", num_frames=300, frame_size=(320, 240), face_size=80, fps=15.0)
    window = make_window(video=video.path)
    wait_for_face_result(qtbot, window)
    controller = window.controller
    skipped = controller.gate.skipped
    # The GUI thread busy, taking no results: those sent wait for it, and the frames after are skipped.
    busy_until(lambda: controller.gate.skipped > skipped)
    window.pause()
    # Still busy while the capture thread pauses and the worker takes the paused frame again...
    busy_until(lambda: controller.capture.paused and not controller.frames.is_full)
    time.sleep(0.5)  # ...and labels it (a few milliseconds for one face at 320x240)
    paused = pause_on_shown_frame(qtbot, window)
    assert window.source_state.playback is not None and paused.frame_index == window.source_state.playback.position


def test_paused_steps_sent_while_the_window_is_behind_queue_no_backlog(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: each paused step's frame was sent to the GUI over the gate's bound, so Right held
    # down on a large file while the window lagged queued one 1280x720 result per step (each
    # a frame and its drawing) for the GUI thread. Only the newest held frame need reach it.
    video = write_astronaut_video(
        tmp_path / "large.avi", num_frames=120, frame_size=(1280, 720), face_size=240, fps=5.0, motion="scale"
    )
    window = make_window(video=video.path)
    wait_for_face_result(qtbot, window)
    paused = pause_on_shown_frame(qtbot, window)
    controller = window.controller
    handled: list[InferenceResult] = []
    controller.result_ready.connect(handled.append)
    steps = 10
    for _ in range(steps):  # as key repeat: each step taken by the workers while the GUI thread takes nothing
        window.step(1)
        busy_until(lambda: not controller.frames.is_full)
        time.sleep(0.3)  # the worker labels the frame it took (tens of milliseconds at 1280x720)
    assert controller.gate.in_flight <= controller.gate.capacity + 1
    qtbot.waitUntil(lambda: shown_result(window).frame_index == paused.frame_index + steps, timeout=WAIT_MS)
    qtbot.wait(200)  # nothing older comes after it
    assert shown_result(window).frame_index == paused.frame_index + steps and window.is_paused
    assert len(handled) <= controller.gate.capacity + 2, [result.frame_index for result in handled]


def test_the_files_last_frame_is_shown_when_the_window_was_behind_at_its_end(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: with results still waiting for a busy GUI thread as the file ended, the last
    # frame's result was skipped like any playing one: the window stayed on an earlier frame
    # for good (a snapshot saved that one) beside "Finished playing" and the bar at its end.
    video = write_astronaut_video(tmp_path / "short.avi", num_frames=45, frame_size=(320, 240), face_size=80, fps=15.0)
    window = make_window(video=video.path)
    wait_for_face_result(qtbot, window)
    controller = window.controller
    skipped = controller.gate.skipped
    # The GUI thread busy, taking no results, from before the file's end until after the
    # inference worker has taken its last frame.
    busy_until(
        lambda: (
            controller.gate.skipped > skipped and not controller.capture.has_source and not controller.frames.is_full
        )
    )
    # Returns once the inference thread has labelled the frame it took.
    QMetaObject.invokeMethod(controller.inference, "process_pending", Qt.ConnectionType.BlockingQueuedConnection)
    qtbot.waitUntil(lambda: window.source_state.ended, timeout=WAIT_MS)
    QCoreApplication.processEvents()  # the results sent before the end
    assert window.source_banner.text().startswith("Finished playing")
    assert shown_result(window).frame_index == len(video.faces) - 1
    assert controller.gate.in_flight == 0  # each result sent, the last one's too, was taken


def _playing_beside_a_file_slow_to_open(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> tuple[MainWindow, Path]:
    """A window playing a file with a face, and a copy of that file that takes 1.5 s to open."""
    video = write_astronaut_video(tmp_path / "long.avi", num_frames=300, frame_size=(320, 240), face_size=80, fps=15.0)
    slow = tmp_path / "slow.avi"
    shutil.copy(video.path, slow)

    def slow_to_open(spec: SourceSpec) -> FrameSource:
        if isinstance(spec, VideoFileSpec) and spec.path == slow:
            time.sleep(1.5)  # a file on a slow share
        return open_frame_source(spec)

    window = make_window(video=video.path, source_factory=slow_to_open)
    wait_for_face_result(qtbot, window)
    return window, slow


def test_a_stop_while_another_file_opens_shows_nothing_of_the_one_before(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: the newest result a busy window had skipped was sent at any Stop (so that a file
    # stopped shows its newest frame), also one of the file before the source being opened:
    # stopped while the next file opened, the window took it for its own, showed it and put
    # that file's face in the new source's timeline, whose session had seen no one.
    window, slow = _playing_beside_a_file_slow_to_open(qtbot, make_window, tmp_path)
    controller = window.controller
    skipped = controller.gate.skipped
    # The GUI thread busy, taking no results: a result the worker has just labelled skipped.
    busy_until(lambda: controller.gate.skipped > skipped and not controller.frames.is_full)
    shown = window.view.result
    window.open_video(slow)
    busy_until(lambda: not controller.capture.has_source)  # the first file let go of, the next opening
    QCoreApplication.processEvents()  # the results sent before: the next file opens, they are not shown
    assert window.source_state.starting and window.view.result is shown
    with qtbot.waitSignal(controller.source_stopped, timeout=WAIT_MS):
        window.stop()
    qtbot.wait(300)  # anything the worker sends at the stop has come
    assert window.timeline_panel.timeline.people() == []
    assert window.view.result is None  # nor the frame it showed (see the test below)


def test_results_in_flight_of_the_file_before_are_dropped_after_a_stop_while_another_opens(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: results the worker had sent of the file before, still waiting for a busy window,
    # came after a Stop pressed while the next file opened: the window, stopped (no longer
    # "opening") and still holding that file's info, took them for its own, showed that
    # file's newer frame beside "Stopped" and put its face in the new source's timeline.
    window, slow = _playing_beside_a_file_slow_to_open(qtbot, make_window, tmp_path)
    controller = window.controller
    skipped = controller.gate.skipped
    # The GUI thread busy, taking no results: those sent wait for it (the gate full).
    busy_until(lambda: controller.gate.skipped > skipped)
    assert controller.gate.in_flight > 0
    window.open_video(slow)
    with qtbot.waitSignal(controller.source_stopped, timeout=WAIT_MS):
        window.stop()  # before the window has taken the results in flight
    qtbot.wait(300)  # every result in flight has come
    assert controller.gate.in_flight == 0
    assert window.timeline_panel.timeline.people() == []
    assert window.view.result is None


@pytest.mark.parametrize("look", ["Mirror view", "a model"])
def test_after_a_stop_while_another_file_opens_nothing_of_the_one_before_is_looked_at_again(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, random_weights_7: Path, look: str
) -> None:
    # Was: the frame of the file before stayed on screen (and its place and length on the
    # seek bar, its name in the title) beside the file stopped as it opened; Mirror view or
    # a model picked then opened that new file again at the frame number of the one before,
    # "to show it anew". Now the window holds the stopped file's own state: nothing of it
    # was shown, so nothing is looked at again, and Start plays it from its start.
    window, slow = _playing_beside_a_file_slow_to_open(qtbot, make_window, tmp_path)
    qtbot.waitUntil(lambda: shown_result(window).frame_index >= 20, timeout=WAIT_MS)
    window.open_video(slow)
    assert window.source_state.starting
    with qtbot.waitSignal(window.controller.source_stopped, timeout=WAIT_MS):
        window.stop()
    qtbot.wait(300)  # anything the worker sends at the stop has come
    assert window.view.result is None and window.view.placeholder == "Stopped"
    assert not window.playback_bar.isVisibleTo(window) and window.windowTitle() == APP_TITLE
    assert not window.step_forward_action.isEnabled() and window.status_summary(0.0) == "Stopped"
    requests = window.controller.requests_sent
    if look == "Mirror view":
        window.mirror_action.trigger()
    else:
        window.choose_weights(random_weights_7)
        qtbot.waitUntil(
            lambda: window.model_status is not None and window.model_status.labels == SEVEN_LABELS, timeout=WAIT_MS
        )
    qtbot.wait(300)
    assert window.controller.requests_sent == requests and not window.source_state.starting
    assert window.view.result is None
    window.start_stop_action.trigger()  # Start: the file stopped, from its first frame
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    assert window.source == VideoFileSpec(slow) and window.view.result.frame_index < 20


@pytest.mark.parametrize("ended", ["its open failed", "it was stopped as it opened"])
def test_the_worker_lets_go_of_the_file_befores_frame_once_the_next_source_has(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, ended: str
) -> None:
    # Was: the inference worker kept the newest result of the file before (its frame and the
    # screen's picture of it: some 58 MB for a 4K frame) until a frame came, which after an
    # open that failed, or a Stop while it opened, none did: the window had let go of it,
    # the worker not.
    window, slow = _playing_beside_a_file_slow_to_open(qtbot, make_window, tmp_path)
    controller = window.controller
    inference = ThreadHold(controller.inference_thread)
    try:
        inference.hold.emit()  # none labelled from here: its newest result is the file's last
        assert inference.busy.wait(WAIT_MS / 1000)
        newest = controller.inference._newest
        assert newest is not None and newest.stream_id == window.source_state.stream_id
        pictures = [weakref.ref(newest.image), weakref.ref(newest.display_image)]
        del newest
        if ended == "its open failed":
            broken = tmp_path / "broken.avi"
            broken.write_bytes(b"no video in here" * 64)
            window.open_video(broken)
            qtbot.waitUntil(lambda: not window.source_state.starting, timeout=WAIT_MS)
            assert window.source_state.info is None and "broken.avi" in window.source_banner.text()
        else:
            window.open_video(slow)
            qtbot.waitUntil(lambda: not controller.capture.has_source, timeout=WAIT_MS)  # the first file let go of
            with qtbot.waitSignal(controller.source_stopped, timeout=WAIT_MS):
                window.stop()
    finally:
        inference.release.set()
    # Returns once the inference thread has done what was sent to it before.
    QMetaObject.invokeMethod(controller.inference, "process_pending", Qt.ConnectionType.BlockingQueuedConnection)
    qtbot.wait(300)  # the results in flight have come to the window, which drops them
    assert window.view.result is None
    gc.collect()
    assert [picture() is None for picture in pictures] == [True, True]  # the frame, the screen's picture


def test_the_worker_sends_at_a_stop_only_a_skipped_result_of_the_stream_stopped(qtbot: QtBot) -> None:
    frame = cv2.resize(astronaut_bgr(), (320, 320))
    with gated_worker(None, load_eager_pipeline) as (mailbox, gate, worker, sent):

        def labelled_unseen(stream_id: int) -> None:
            """Three frames of ``stream_id`` for a window that takes none: the third is skipped."""
            gate.reset()  # a new source opens (StreamController.open_at)
            for index in range(3):
                mailbox.put(CapturedFrame(stream_id, index, frame, 0.0, index / 15.0))
                worker.process_pending()

        labelled_unseen(1)
        assert [result.frame_index for result in sent] == [0, 1]
        gate.reset()  # stream 2 opens, and is stopped while it does
        worker.send_skipped_last(2)
        assert len(sent) == 2
        labelled_unseen(3)
        worker.send_skipped_last(3)  # the stream playing stopped: its newest frame shown after all
        assert [(result.stream_id, result.frame_index) for result in sent[2:]] == [(3, 0), (3, 1), (3, 2)]


def test_a_model_picked_while_a_video_is_paused_labels_the_paused_frame(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, random_weights_7: Path
) -> None:
    # Was: the paused frame kept the old model's labels and bars beside "Loaded random7…" in
    # the status bar, until the video played on: two models compared on one frame agreed.
    video = write_astronaut_video(tmp_path / "long.avi", num_frames=300, frame_size=(320, 240), face_size=80, fps=15.0)
    window = make_window(video=video.path)
    wait_for_face_result(qtbot, window)
    paused = pause_on_shown_frame(qtbot, window)
    assert paused.labels == SIX_LABELS and paused.faces
    window.choose_weights(random_weights_7)
    qtbot.waitUntil(lambda: shown_result(window).labels == SEVEN_LABELS, timeout=WAIT_MS)
    shown = shown_result(window)
    assert shown.frame_index == paused.frame_index and window.is_paused
    assert [f.track_id for f in shown.faces] == [f.track_id for f in paused.faces]
    assert all(len(face.probabilities) == len(SEVEN_LABELS) for face in shown.faces)


def test_a_model_picked_after_stop_labels_the_frame_left_on_screen(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, random_weights_7: Path
) -> None:
    # Stop leaves the file's frame on screen: the model picked then kept the old one's
    # labels on it until the file played again, as a paused frame did before.
    video = write_astronaut_video(tmp_path / "long.avi", num_frames=300, frame_size=(320, 240), face_size=80, fps=15.0)
    window = make_window(video=video.path)
    wait_for_face_result(qtbot, window)
    paused = pause_on_shown_frame(qtbot, window)
    window.stop()
    qtbot.waitUntil(lambda: not window.source_state.active, timeout=WAIT_MS)
    assert shown_result(window).labels == SIX_LABELS
    window.choose_weights(random_weights_7)
    qtbot.waitUntil(
        lambda: shown_result(window).labels == SEVEN_LABELS and len(shown_result(window).faces) > 0, timeout=WAIT_MS
    )
    assert shown_result(window).frame_index == paused.frame_index and window.is_paused


def picture_shown_to_its_end(qtbot: QtBot, make_window: WindowFactory, tmp_path: Path) -> MainWindow:
    picture = tmp_path / "astronaut.png"
    assert cv2.imwrite(str(picture), astronaut_bgr())
    window = make_window(video=picture)
    wait_for_face_result(qtbot, window)
    qtbot.waitUntil(lambda: window.source_state.ended, timeout=WAIT_MS)
    return window


def test_a_model_picked_after_a_picture_was_shown_labels_the_picture(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, random_weights_7: Path
) -> None:
    # A picture is shown to its end at once ("Finished playing astronaut.png (1 picture)"):
    # the model picked to read it kept the old one's labels on it until Play again.
    window = picture_shown_to_its_end(qtbot, make_window, tmp_path)
    assert shown_result(window).labels == SIX_LABELS
    window.choose_weights(random_weights_7)
    qtbot.waitUntil(
        lambda: shown_result(window).labels == SEVEN_LABELS and len(shown_result(window).faces) > 0, timeout=WAIT_MS
    )
    assert shown_result(window).frame_index == 0


def test_mirror_view_flips_a_picture_shown_to_its_end(qtbot: QtBot, make_window: WindowFactory, tmp_path: Path) -> None:
    # Was: M ticked Mirror view and the picture stayed as it was, until Play again.
    window = picture_shown_to_its_end(qtbot, make_window, tmp_path)
    before = shown_result(window)
    assert np.array_equal(before.image, astronaut_bgr())
    qtbot.keyClick(window, Qt.Key.Key_M)
    assert window.mirror_action.isChecked()
    flipped = cv2.flip(astronaut_bgr(), 1)
    qtbot.waitUntil(
        lambda: np.array_equal(shown_result(window).image, flipped) and len(shown_result(window).faces) > 0,
        timeout=WAIT_MS,
    )
    # The face moved with the picture: its box is the old one's mirror image.
    (ox, _, ow, _), (nx, _, nw, _) = before.faces[0].box, shown_result(window).faces[0].box
    assert abs((nx + nw / 2) - (flipped.shape[1] - (ox + ow / 2))) < ow / 4


def _playing_smoothed(qtbot: QtBot, make_window: WindowFactory, tmp_path: Path) -> MainWindow:
    """A window playing a moving face at Steadiness High, long enough for the smoothed
    probabilities to part from a frame's own."""
    video = write_astronaut_video(
        tmp_path / "moving.avi", num_frames=300, frame_size=(320, 240), face_size=80, fps=15.0, motion="scale"
    )
    window = make_window(video=video.path)
    window.set_steadiness("high")
    wait_for_face_result(qtbot, window)
    qtbot.wait(1000)
    return window


def _labelled_raw(faces: Sequence[FaceResult]) -> bool:
    """Whether every face shows its frame's own probabilities (Steadiness Off)."""
    return all(face.probabilities == (face.raw_probabilities or face.probabilities) for face in faces)


def test_steadiness_off_while_paused_shows_the_paused_frames_own_label(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: the paused frame kept its smoothed label and bars after Steadiness > Off until
    # the video played on.
    window = _playing_smoothed(qtbot, make_window, tmp_path)
    paused = pause_on_shown_frame(qtbot, window)
    assert paused.faces and any(f.raw_probabilities and f.probabilities != f.raw_probabilities for f in paused.faces)
    window.set_steadiness("off")
    qtbot.waitUntil(
        lambda: _labelled_raw(shown_result(window).faces) and len(shown_result(window).faces) == len(paused.faces),
        timeout=WAIT_MS,
    )
    shown = shown_result(window)
    assert shown.frame_index == paused.frame_index and window.is_paused
    assert [f.track_id for f in shown.faces] == [f.track_id for f in paused.faces]


def test_steadiness_off_while_inference_is_busy_labels_the_paused_frame_raw(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: a Steadiness change just after a pause, with the pause's frame still waiting for
    # a busy inference thread (1080p frames), left the frame smoothed: the frame handed over
    # again joined the one waiting, and was labelled before the new level was in use.
    window = _playing_smoothed(qtbot, make_window, tmp_path)
    controller = window.controller
    with thread_held(controller.inference_thread):
        qtbot.waitUntil(lambda: controller.frames.is_full, timeout=WAIT_MS)  # a frame waits for it
        window.pause()
        qtbot.waitUntil(lambda: controller.capture.paused, timeout=WAIT_MS)
        window.set_steadiness("off")
        qtbot.wait(200)  # the capture thread has done all it was asked
    qtbot.waitUntil(
        lambda: (
            window.source_state.playback is not None
            and window.source_state.playback.paused
            and shown_result(window).frame_index == window.source_state.playback.position
        ),
        timeout=WAIT_MS,
    )
    qtbot.waitUntil(lambda: _labelled_raw(shown_result(window).faces), timeout=WAIT_MS)
    assert shown_result(window).faces and window.is_paused
