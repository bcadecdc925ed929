"""The capture worker on a real QThread with real video files, and the one-slot mailbox."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np
import pytest
from PyQt6.QtCore import QThread
from pytestqt.qtbot import QtBot

from emotion_app.gui.capture_worker import CaptureWorker
from emotion_app.gui.mailbox import DeliveryGate, LatestMailbox
from emotion_app.gui.messages import CapturedFrame, FaultKind, SourceFault, SourceInfo
from emotion_app.samples import VideoTruth, write_astronaut_video
from emotion_app.sources.frame_source import SourceFactory
from emotion_app.sources.opening import open_frame_source
from emotion_app.sources.specs import CameraSpec, SourceSpec, VideoFileSpec
from tests.gui_support import WAIT_MS, CameraBench
from tests.variable_rate_video import write_variable_rate_mp4


def test_mailbox_keeps_only_the_newest_item_and_counts_drops() -> None:
    mailbox: LatestMailbox[int] = LatestMailbox()
    assert mailbox.put(1) is True  # was empty: the consumer needs a nudge
    assert mailbox.put(2) is False
    assert mailbox.put(3) is False
    assert mailbox.dropped == 2
    assert mailbox.take() == 3
    assert mailbox.take() is None
    mailbox.put(4)
    mailbox.clear()
    assert mailbox.take() is None and mailbox.dropped == 2


def test_delivery_gate_bounds_results_in_flight() -> None:
    gate = DeliveryGate(capacity=2)
    assert gate.try_acquire() and gate.try_acquire()
    assert not gate.try_acquire()
    assert gate.skipped == 1
    gate.release()
    assert gate.try_acquire()


def test_delivery_gate_lets_one_held_result_over_its_bound_and_says_when_one_waits() -> None:
    # A paused file's frame must reach the GUI, but one per paused step sent over the bound
    # queued a backlog of large frames for a lagging GUI: one goes over, the next waits.
    gate = DeliveryGate(capacity=2)
    assert gate.try_acquire() and gate.try_acquire()
    assert gate.try_acquire(held=True) and gate.in_flight == 3
    assert not gate.try_acquire(held=True) and gate.skipped == 0
    assert gate.release() and not gate.release()
    assert gate.try_acquire() and not gate.try_acquire() and gate.skipped == 1
    assert gate.try_acquire(held=True) and not gate.try_acquire(held=True)
    gate.reset()
    assert not gate.release() and gate.in_flight == 0


class RecordingMailbox(LatestMailbox[CapturedFrame]):
    """The real mailbox, noting every frame the worker puts in it: a paced stream's frames
    may be overwritten before a busy consumer takes them, but their read times still count."""

    def __init__(self) -> None:
        super().__init__()
        self.put_frames: list[CapturedFrame] = []

    def put(self, item: CapturedFrame) -> bool:
        self.put_frames.append(item)
        return super().put(item)


class CaptureRig:
    """A capture worker on its own QThread, recording what it emits."""

    def __init__(self, factory: SourceFactory = open_frame_source, camera_timeout_s: float = 0.3) -> None:
        self.mailbox = RecordingMailbox()
        self.worker = CaptureWorker(self.mailbox, source_factory=factory, camera_timeout_s=camera_timeout_s)
        self.thread = QThread()
        self.worker.moveToThread(self.thread)
        self.frames: list[CapturedFrame] = []
        self.opened: list[SourceInfo] = []
        self.faults: list[SourceFault] = []
        self.worker.opened.connect(self.opened.append)
        self.worker.fault.connect(self.faults.append)
        # Taking frames on the GUI thread stands in for the inference worker.
        self.worker.frame_available.connect(self._take)
        self.thread.finished.connect(self.worker.on_thread_finished)
        self.thread.start()

    def _take(self) -> None:
        frame = self.mailbox.take()
        if frame is not None:
            self.frames.append(frame)

    def start(self, spec: SourceSpec) -> None:
        # Cross-thread call through the worker's event loop, as the controller does it.
        from PyQt6.QtCore import Q_ARG, QMetaObject, Qt

        QMetaObject.invokeMethod(self.worker, "start_source", Qt.ConnectionType.QueuedConnection, Q_ARG(object, spec))

    def stop(self) -> bool:
        self.thread.requestInterruption()
        self.thread.quit()
        # Slack for a loaded machine: a thread that does not stop waits for good.
        return self.thread.wait(5000)


class RigFactory(Protocol):
    """What the rig_factory fixture gives: a capture rig, stopped at the test's end."""

    def __call__(self, factory: SourceFactory = open_frame_source) -> CaptureRig: ...


@pytest.fixture
def rig_factory() -> Iterator[RigFactory]:
    rigs: list[CaptureRig] = []

    def make(factory: SourceFactory = open_frame_source) -> CaptureRig:
        rig = CaptureRig(factory)
        rigs.append(rig)
        return rig

    yield make
    for rig in rigs:
        assert rig.stop()


def test_video_frames_arrive_in_order_then_the_end_is_reported(
    qtbot: QtBot, rig_factory: RigFactory, gui_video: VideoTruth
) -> None:
    rig = rig_factory()
    rig.start(VideoFileSpec(gui_video.path, pace=False))
    qtbot.waitUntil(lambda: len(rig.faults) == 1, timeout=WAIT_MS)
    info = rig.opened[0]
    assert (info.width, info.height) == gui_video.frame_size
    assert info.fps == pytest.approx(gui_video.fps)
    fault = rig.faults[0]
    assert fault.kind is FaultKind.ENDED and gui_video.path.name in fault.message
    # Unpaced files wait for the consumer, so nothing is dropped and every frame arrives.
    assert [f.index for f in rig.frames] == list(range(gui_video.num_frames))
    assert rig.frames[0].image.shape == (240, 320, 3)
    assert rig.frames[3].source_time == pytest.approx(3 / gui_video.fps)
    assert not rig.worker.has_source  # the file is released at the end


def test_paced_video_plays_at_its_native_rate_not_as_fast_as_possible(
    qtbot: QtBot, rig_factory: RigFactory, tmp_path: Path
) -> None:
    video = write_astronaut_video(tmp_path / "slow.avi", num_frames=12, frame_size=(160, 120), face_size=40, fps=20.0)
    rig = rig_factory()
    started = time.perf_counter()
    rig.start(VideoFileSpec(video.path))
    qtbot.waitUntil(lambda: len(rig.faults) == 1, timeout=WAIT_MS)
    # 12 frames at 20 fps span 0.55 s between the first and the last; decoding them
    # unpaced takes a few milliseconds. A lower bound only, so a loaded machine can't fail it.
    read = rig.mailbox.put_frames
    assert [f.index for f in read] == list(range(12))
    span = read[-1].capture_time - read[0].capture_time
    assert span >= 0.45, f"12 frames at 20 fps came within {span:.3f} s"
    assert time.perf_counter() - started >= 0.45


def test_a_video_that_will_not_open_is_reported_with_its_path(
    qtbot: QtBot, rig_factory: RigFactory, tmp_path: Path
) -> None:
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(os.urandom(4096))
    missing = tmp_path / "missing.avi"
    rig = rig_factory()
    rig.start(VideoFileSpec(garbage))
    rig.start(VideoFileSpec(missing))
    qtbot.waitUntil(lambda: len(rig.faults) == 2, timeout=WAIT_MS)
    assert all(f.kind is FaultKind.OPEN_FAILED for f in rig.faults)
    assert str(garbage) in rig.faults[0].message and "decode" in rig.faults[0].message
    assert str(missing) in rig.faults[1].message and "not found" in rig.faults[1].message
    assert rig.frames == []


def test_a_truncated_video_is_reported_as_damaged_not_as_finished(
    qtbot: QtBot, rig_factory: RigFactory, tmp_path: Path
) -> None:
    video = write_astronaut_video(tmp_path / "whole.avi", num_frames=40, frame_size=(320, 240), face_size=70)
    data = video.path.read_bytes()
    truncated = tmp_path / "truncated.avi"
    truncated.write_bytes(data[: len(data) // 2])
    rig = rig_factory()
    rig.start(VideoFileSpec(truncated, pace=False))
    qtbot.waitUntil(lambda: len(rig.faults) == 1, timeout=WAIT_MS)
    fault = rig.faults[0]
    assert fault.kind is FaultKind.READ_FAILED
    assert str(truncated) in fault.message and "of 40 frames" in fault.message
    assert 0 < len(rig.frames) < 40


def test_a_camera_that_stops_delivering_frames_is_released_and_reported(
    qtbot: QtBot, rig_factory: RigFactory, gui_video: VideoTruth
) -> None:
    bench = CameraBench(gui_video.path, good_frames=5)
    rig = rig_factory(bench)
    rig.start(CameraSpec(0, "Test Cam"))
    qtbot.waitUntil(lambda: len(rig.faults) == 1, timeout=WAIT_MS)
    fault = rig.faults[0]
    assert fault.kind is FaultKind.READ_FAILED
    assert "Test Cam" in fault.message and "stopped delivering frames" in fault.message
    assert len(rig.frames) == 5
    camera = bench.opened[0]
    assert camera.released and camera.reads > 5  # it retried before giving up


def test_an_absent_camera_is_reported_as_could_not_open(qtbot: QtBot, rig_factory: RigFactory) -> None:
    rig = rig_factory()  # the real OpenCV path: this machine has no camera at index 97
    rig.start(CameraSpec(97, "Ghost Cam"))
    qtbot.waitUntil(lambda: len(rig.faults) == 1, timeout=WAIT_MS)
    fault = rig.faults[0]
    assert fault.kind is FaultKind.OPEN_FAILED and "Ghost Cam" in fault.message


def test_stopping_the_thread_releases_the_source(qtbot: QtBot, gui_video: VideoTruth) -> None:
    rig = CaptureRig()
    rig.start(VideoFileSpec(gui_video.path, loop=True))
    qtbot.waitUntil(lambda: len(rig.frames) >= 3, timeout=WAIT_MS)
    assert rig.worker.has_source
    assert rig.stop()  # within its wait's limit
    assert not rig.worker.has_source


def test_a_variable_rate_file_is_timed_by_its_container_and_loops_on_forward(
    qtbot: QtBot, rig_factory: RigFactory, tmp_path: Path
) -> None:
    # Ten frames at 30 fps, then ten at 10 fps, as a phone records in dim light.
    durations = [1 / 30] * 10 + [1 / 10] * 10
    frames = [np.full((96, 128, 3), 10 * index, np.uint8) for index in range(len(durations))]
    path = write_variable_rate_mp4(tmp_path / "phone.mp4", frames, durations)
    rig = rig_factory()
    rig.start(VideoFileSpec(path, pace=False, loop=True))
    qtbot.waitUntil(lambda: len(rig.frames) >= 30, timeout=WAIT_MS)
    times = [frame.source_time for frame in rig.frames[:30]]
    expected = [sum(durations[:index]) for index in range(len(durations))]
    assert times[:20] == pytest.approx(expected, abs=1e-3)
    # The second loop goes on from the first: later, and the same steps apart.
    assert times[20] > times[19]
    assert [t - times[20] for t in times[20:30]] == pytest.approx(expected[:10], abs=1e-3)


def test_a_variable_rate_file_plays_at_its_own_pace(qtbot: QtBot, rig_factory: RigFactory, tmp_path: Path) -> None:
    # Ten frames 1/30 s apart, then ten 1/10 s apart: 1.33 s, an average of 15 fps. Paced by
    # the average, both stretches would take 0.6 s.
    durations = [1 / 30] * 10 + [1 / 10] * 10
    frames = [np.full((96, 128, 3), 10 * index, np.uint8) for index in range(len(durations))]
    path = write_variable_rate_mp4(tmp_path / "phone.mp4", frames, durations)
    rig = rig_factory()
    rig.start(VideoFileSpec(path))
    qtbot.waitUntil(lambda: len(rig.faults) == 1, timeout=WAIT_MS)
    read = rig.mailbox.put_frames
    assert [frame.index for frame in read] == list(range(20))
    # A consumer late by a frame may miss one (the newest-frame mailbox), never more than it counts.
    assert len(rig.frames) + rig.mailbox.dropped == 20
    fast = read[9].capture_time - read[0].capture_time
    slow = read[19].capture_time - read[10].capture_time
    # Lower bounds and a ratio only: a loaded machine delivers late, never early.
    assert slow >= 0.8, f"the 10 fps stretch took {slow:.3f} s, not 0.9"
    # 3 as paced, 1 paced by the average: a fast stretch held up by a busy machine still passes.
    assert slow >= 1.4 * fast, f"fast stretch {fast:.3f} s, slow {slow:.3f} s"


def test_an_animations_frames_are_shown_each_for_its_own_length(
    qtbot: QtBot, rig_factory: RigFactory, tmp_path: Path
) -> None:
    # Was: each frame shown for the one before it's length (the pace learnt from the last
    # step), so the long third frame went by in 0.1 s and the fourth held 0.7 s instead;
    # a frame over 5 s was cut to the last step.
    durations_ms = [100, 100, 700, 100]
    animation = cv2.Animation()
    animation.frames = [np.full((48, 64, 3), 50 * index, np.uint8) for index in range(len(durations_ms))]
    animation.durations = durations_ms
    path = tmp_path / "pause.webp"
    assert cv2.imwriteanimation(str(path), animation)
    rig = rig_factory()
    rig.start(VideoFileSpec(path))
    qtbot.waitUntil(lambda: len(rig.faults) == 1, timeout=WAIT_MS)
    read = rig.mailbox.put_frames
    assert [frame.index for frame in read] == [0, 1, 2, 3]
    assert [frame.source_time for frame in read] == pytest.approx([0.0, 0.1, 0.2, 0.9])
    # A lower bound only: a loaded machine delivers late, never early.
    held = read[3].capture_time - read[2].capture_time
    assert held >= 0.6, f"the 0.7 s frame was shown {held:.3f} s"
