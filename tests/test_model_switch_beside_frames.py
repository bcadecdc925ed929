"""A model switched to loads beside the frames; the one in use labels them meanwhile.

Before, the inference worker loaded the new model on its own thread, between two frames:
for as long as the load took (a second or more on a slow machine) no frame was processed,
the labels froze, and a person who moved meanwhile was no longer near their old box when
the new model took over the faces, so they got a new id and lost the name given to them.

The loads here are the real ones (shipped and random-init weights, the real detector),
held at a gate the test opens: a load as slow as a test needs, without timing. They are
eager (no fast-runner build): a child process building one would compete for the cores.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from emotion_app.gui.inference_worker import InferenceWorker
from emotion_app.gui.mailbox import DeliveryGate, LatestMailbox
from emotion_app.gui.messages import CapturedFrame, InferenceResult, ModelStatus
from emotion_app.live import LOAD_THREAD_NAME, PipelineBundle, load_eager_pipeline
from emotion_app.samples import (
    SEVEN_LABELS,
    SIX_LABELS,
    VideoTruth,
    astronaut_frames,
    make_random_weights,
    write_astronaut_video,
)
from emotion_app.sources.frame_source import FrameSource
from emotion_app.sources.opening import open_frame_source
from emotion_app.sources.specs import SourceSpec, VideoFileSpec
from emotion_app.weights import DEFAULT_WEIGHTS_DIR, DEFAULT_WEIGHTS_NAME
from tests.gui_support import WAIT_MS, WindowFactory, model_status_of, shown_result

FPS = 15.0
SHIPPED = DEFAULT_WEIGHTS_DIR / DEFAULT_WEIGHTS_NAME
# Only a safety net, so that a load the test never lets through (a failed test, or the
# code before the fix, which waited for the load on the worker's thread) ends at last.
GATE_TIMEOUT_S = 10.0


class GatedLoader:
    """The real eager loader; a load of a path in ``gated`` waits until :meth:`open`."""

    def __init__(self, gated: Iterable[Path]) -> None:
        self.gates = {path: threading.Event() for path in gated}
        self.started = {path: threading.Event() for path in self.gates}
        self.made: dict[Path | None, PipelineBundle] = {}
        self.calls: list[Path | None] = []  # the paths loaded, in the order the loads began

    def __call__(self, path: Path | None) -> PipelineBundle:
        self.calls.append(path)
        if path in self.gates:
            self.started[path].set()
            self.gates[path].wait(GATE_TIMEOUT_S)
        bundle = load_eager_pipeline(path)
        self.made[path] = bundle
        return bundle

    def open(self, *paths: Path) -> None:
        for path in paths or tuple(self.gates):
            self.gates[path].set()


def load_threads() -> set[threading.Thread]:
    return {thread for thread in threading.enumerate() if thread.name == LOAD_THREAD_NAME}


def wait_for_loads_to_end() -> None:
    for thread in threading.enumerate():
        if thread.name == LOAD_THREAD_NAME:
            thread.join(WAIT_MS / 1000)
            assert not thread.is_alive()


@pytest.fixture(scope="module")
def walk() -> list[np.ndarray]:
    """A face drifting right and back, about 10 px a frame."""
    frames, _ = astronaut_frames(num_frames=80, frame_size=(480, 240), face_size=80, motion="move")
    return frames


class Player:
    """Frames of ``walk`` into an InferenceWorker living on the test's thread."""

    def __init__(self, qtbot: QtBot, loader: GatedLoader, walk: list[np.ndarray]) -> None:
        self.worker = InferenceWorker(LatestMailbox(), DeliveryGate(), None, pipeline_loader=loader)
        self.statuses: list[ModelStatus] = []
        self.worker.model_status.connect(self.statuses.append)
        self.walk = walk
        self.index = 0
        self.worker.load_default()  # the shipped model, loaded at once as at start-up

    def play(self, count: int) -> list[InferenceResult]:
        results = []
        for _ in range(count):
            image = self.walk[self.index]
            time_s = self.index / FPS
            results.append(self.worker.process(CapturedFrame(1, self.index, image, time_s, time_s)))
            self.index += 1
        return results


@contextmanager
def playing(qtbot: QtBot, loader: GatedLoader, walk: list[np.ndarray]) -> Iterator[Player]:
    """A :class:`Player`; afterwards (a failed test too) every gate is opened and its
    worker ended, as the app's closing ends it."""
    player = Player(qtbot, loader, walk)
    try:
        yield player
    finally:
        loader.open()
        player.worker.on_thread_finished()


def ids(results: list[InferenceResult]) -> list[tuple[int, ...]]:
    return [tuple(face.track_id for face in result.faces) for result in results]


def test_frames_go_on_with_the_old_model_while_the_new_one_loads(
    qtbot: QtBot, random_weights_7: Path, walk: list[np.ndarray]
) -> None:
    loader = GatedLoader([random_weights_7])
    with playing(qtbot, loader, walk) as player:
        assert ids(player.play(8))[-1] == (1,)
        player.worker.load_weights(random_weights_7)
        assert loader.started[random_weights_7].wait(WAIT_MS / 1000)
        during = player.play(12)  # the face walks on; the load is still held
        assert all(result.labels == SIX_LABELS for result in during)
        assert ids(during) == [(1,)] * 12
        assert all(len(result.faces[0].probabilities) == 6 for result in during)
        assert len(player.statuses) == 1, "nothing said about the new model until it runs"
        loader.open()
        qtbot.waitUntil(lambda: player.worker.labels == SEVEN_LABELS, timeout=WAIT_MS)
        after = player.play(3)
        assert ids(after) == [(1,)] * 3  # the face the old model followed, taken over with its id
        assert all(len(result.faces[0].probabilities) == 7 for result in after)
        status = player.statuses[-1]
        assert status.ok and status.active_weights == random_weights_7 and status.labels == SEVEN_LABELS
        assert player.worker.loading is None
    assert loader.made[None].closed  # the old model was let go


def test_loads_run_one_at_a_time_and_only_the_newest_request_waits(
    qtbot: QtBot, random_weights: Path, random_weights_7: Path, walk: list[np.ndarray], tmp_path: Path
) -> None:
    # Models picked in quick succession each started a load at once: on 2 cores the loads
    # slowed each other, the frames and the GUI, and all but the newest were thrown away.
    third = make_random_weights(tmp_path / "third.safetensors", seed=9)
    loader = GatedLoader([random_weights, third, random_weights_7])
    before = load_threads()
    with playing(qtbot, loader, walk) as player:
        player.play(5)
        player.worker.load_weights(random_weights)
        assert loader.started[random_weights].wait(WAIT_MS / 1000)
        player.worker.load_weights(third)
        player.worker.load_weights(random_weights_7)  # both chosen before the first had loaded
        assert len(load_threads() - before) == 1, "one load at a time"
        during = player.play(3)
        assert all(result.labels == SIX_LABELS for result in during)
        loader.open(random_weights)  # the first ends: only now does the newest request load
        qtbot.waitUntil(loader.started[random_weights_7].is_set, timeout=WAIT_MS)
        assert player.worker.labels == SIX_LABELS, "the load no one wants any more is not used"
        loader.open(random_weights_7)
        qtbot.waitUntil(lambda: player.worker.labels == SEVEN_LABELS, timeout=WAIT_MS)
        wait_for_loads_to_end()
        after = player.play(3)
        assert all(result.labels == SEVEN_LABELS for result in after)
        assert ids(after)[-1] == (1,)
        assert loader.calls == [None, random_weights, random_weights_7], "a request replaced while waiting never loads"
        assert [status.active_weights for status in player.statuses] == [SHIPPED, random_weights_7]
        assert loader.made[random_weights].closed, "the model no one waits for any more is closed"
        assert not loader.made[random_weights_7].closed
        assert player.worker.loading is None


def test_choosing_the_model_that_loads_again_forgets_the_request_in_between(
    qtbot: QtBot, random_weights: Path, random_weights_7: Path, walk: list[np.ndarray]
) -> None:
    loader = GatedLoader([random_weights, random_weights_7])
    with playing(qtbot, loader, walk) as player:
        player.play(5)
        player.worker.load_weights(random_weights_7)
        assert loader.started[random_weights_7].wait(WAIT_MS / 1000)
        player.worker.load_weights(random_weights)
        player.worker.load_weights(random_weights_7)  # back to the one loading: it is the newest
        loader.open(random_weights_7)
        qtbot.waitUntil(lambda: player.worker.labels == SEVEN_LABELS, timeout=WAIT_MS)
        assert player.worker.loading is None
        assert loader.calls == [None, random_weights_7], "neither loaded again nor the one in between"
        assert [status.active_weights for status in player.statuses] == [SHIPPED, random_weights_7]
        assert ids(player.play(3))[-1] == (1,)


def test_a_request_waiting_when_the_worker_ends_never_loads(
    qtbot: QtBot, random_weights: Path, random_weights_7: Path, walk: list[np.ndarray]
) -> None:
    # The app closing: the exit waits for the load running (see PipelineLoad), so no
    # other may start after it, nor beside it.
    loader = GatedLoader([random_weights, random_weights_7])
    player = Player(qtbot, loader, walk)
    try:
        player.play(3)
        player.worker.load_weights(random_weights)
        assert loader.started[random_weights].wait(WAIT_MS / 1000)
        player.worker.load_weights(random_weights_7)
        player.worker.on_thread_finished()
    finally:
        loader.open()
    wait_for_loads_to_end()
    assert loader.calls == [None, random_weights]
    assert loader.made[random_weights].closed and loader.made[None].closed
    assert [status.active_weights for status in player.statuses] == [SHIPPED]


def test_a_load_that_fails_keeps_the_old_model_and_says_why(
    qtbot: QtBot, random_weights: Path, walk: list[np.ndarray], tmp_path: Path
) -> None:
    corrupt = tmp_path / "corrupt.safetensors"
    corrupt.write_bytes(random_weights.read_bytes()[:5000])  # truncated mid-tensor
    loader = GatedLoader([corrupt])
    with playing(qtbot, loader, walk) as player:
        assert ids(player.play(6))[-1] == (1,)
        player.worker.load_weights(corrupt)
        assert loader.started[corrupt].wait(WAIT_MS / 1000)
        during = player.play(4)
        assert ids(during) == [(1,)] * 4 and all(result.labels == SIX_LABELS for result in during)
        assert len(player.statuses) == 1
        loader.open()
        qtbot.waitUntil(lambda: len(player.statuses) == 2, timeout=WAIT_MS)
        failure = player.statuses[-1]
        assert not failure.ok and failure.weights_path == corrupt and str(corrupt) in failure.error
        assert "\n" not in failure.error
        assert failure.active_weights == SHIPPED and failure.labels == SIX_LABELS
        after = player.play(3)  # the model in use goes on, with the same face
        assert ids(after) == [(1,)] * 3 and all(result.labels == SIX_LABELS for result in after)
        assert player.worker.loading is None


class CountingSources:
    """Opens sources as the app does and counts the frames read from them."""

    def __init__(self) -> None:
        self.frames_read = 0

    def __call__(self, spec: SourceSpec) -> FrameSource:
        source = open_frame_source(spec)
        read = source.read

        def counted() -> np.ndarray | None:
            frame = read()
            if frame is not None:
                self.frames_read += 1
            return frame

        source.read = counted  # type: ignore[method-assign]
        return source


def test_a_named_face_that_walks_while_the_model_loads_keeps_its_id_and_name(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, random_weights_7: Path
) -> None:
    # Paced, as a video plays: frames that play while nothing takes them are skipped.
    clip = write_astronaut_video(tmp_path / "walk.avi", num_frames=150, frame_size=(480, 240), face_size=80, fps=FPS)
    loader = GatedLoader([random_weights_7])
    sources = CountingSources()
    window = make_window(weights=None, pipeline_loader=loader, source_factory=sources)
    try:
        window.start_source(VideoFileSpec(clip.path))
        panel = window.timeline_panel
        qtbot.waitUntil(lambda: window.view.result is not None and len(window.view.result.faces) == 1, timeout=WAIT_MS)
        face_id = shown_result(window).faces[0].track_id
        panel.ask_name = lambda track_id, current: "Ada"
        panel.name_person(face_id)
        results: list[InferenceResult] = []
        window.controller.result_ready.connect(results.append)
        asked_at = sources.frames_read
        window.controller.load_weights(random_weights_7)
        # The face walks 200 px while the load is held: far from where it was, for
        # longer than the tracker keeps a lost face's id (2 s of frame time).
        qtbot.waitUntil(lambda: sources.frames_read >= asked_at + 40, timeout=WAIT_MS)
        loader.open()
        qtbot.waitUntil(
            lambda: (
                window.view.result is not None
                and window.view.result.labels == SEVEN_LABELS
                and bool(window.view.result.faces)
            ),
            timeout=WAIT_MS,
        )
        assert [(face.track_id, face.name) for face in shown_result(window).faces] == [(face_id, "Ada")]
        assert [(person.track_id, person.given_name) for person in panel.timeline.people()] == [(face_id, "Ada")]
        # Meanwhile the old model labelled the frames, the named face and all.
        old = [r for r in results if r.labels == SIX_LABELS and r.faces]
        assert len(old) >= 10 and {r.faces[0].track_id for r in old} == {face_id}
        assert old[-1].faces[0].name == "Ada"
    finally:
        loader.open()


def test_closing_while_a_model_loads_is_prompt_and_the_load_is_dropped(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, random_weights_7: Path
) -> None:
    loader = GatedLoader([random_weights_7])
    window = make_window(video=gui_video.path, pipeline_loader=loader)
    try:
        qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
        window.controller.load_weights(random_weights_7)
        assert loader.started[random_weights_7].wait(WAIT_MS / 1000)
        assert window.shutdown(), "the worker threads stop without waiting for the load"
        window.close()
        assert not window.controller.is_running
    finally:
        loader.open()
    wait_for_loads_to_end()
    assert loader.made[random_weights_7].closed, "a load that ends after the close is closed"
    assert window.model_status is not None and window.model_status.active_weights != random_weights_7


def test_the_loading_note_stays_under_timed_messages_and_names_the_newest_pick(
    qtbot: QtBot, make_window: WindowFactory, random_weights: Path, random_weights_7: Path
) -> None:
    # A message shown for a few seconds during a load ("Opening …", "No frame to save yet")
    # took the place of "Loading NAME…", and when it ran out the bar said nothing while the
    # model still loaded: the switch looked finished, or ignored.
    loader = GatedLoader([random_weights, random_weights_7])
    window = make_window(weights=None, pipeline_loader=loader)
    status = window.status
    try:
        window.choose_weights(random_weights)
        assert loader.started[random_weights].wait(WAIT_MS / 1000)
        window.choose_weights(random_weights_7)  # picked while the first loads
        note = f"Loading {random_weights_7.name}…"
        assert status.currentMessage() == note
        status.showMessage("No frame to save yet", 50)
        assert status.currentMessage() == "No frame to save yet"
        qtbot.waitUntil(lambda: status.currentMessage() != "No frame to save yet", timeout=WAIT_MS)
        assert status.currentMessage() == note
        loader.open(random_weights)  # the first load ends unused: the newest pick loads now
        qtbot.waitUntil(loader.started[random_weights_7].is_set, timeout=WAIT_MS)
        status.showMessage("Stopped", 50)
        qtbot.waitUntil(lambda: status.currentMessage() != "Stopped", timeout=WAIT_MS)
        assert status.currentMessage() == note
        loader.open(random_weights_7)
        qtbot.waitUntil(lambda: model_status_of(window).active_weights == random_weights_7, timeout=WAIT_MS)
        assert status.currentMessage().startswith(f"Loaded {random_weights_7.name}")
        # The load has ended: a timed message now leaves the bar empty when it runs out.
        status.showMessage("Stopped", 50)
        qtbot.waitUntil(lambda: status.currentMessage() != "Stopped", timeout=WAIT_MS)
        assert status.currentMessage() == ""
        assert loader.calls == [None, random_weights, random_weights_7]
    finally:
        loader.open()
