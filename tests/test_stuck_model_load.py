"""A model load whose read never returns (a weights file on a dead network share) does not
hold the app's exit: the window closes and the process ends, the load left behind. Nor
does it leave the app without a model: a remembered one gives way to the shipped model,
and one picked in the Model menu to a model picked after it.

The app itself runs in a child process (``app.run``, offscreen), so its exit is what is
looked at. The weights read blocks on a FIFO nobody writes to: the real loader refuses a
FIFO at once (not a file), and a dead share cannot be made in a test, so the child's
``read_header`` reads the FIFO first, as a hung share's read would hang, for one file only.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

import emotion_app.weights as weights
from emotion_app.gui import inference_worker
from emotion_app.gui.messages import ModelStatus
from emotion_app.gui.settings import AppSettings
from emotion_app.live import wait_for_loads_to_end
from emotion_app.samples import VideoTruth, write_astronaut_video
from emotion_app.weights import DEFAULT_WEIGHTS_NAME, DEFAULT_WEIGHTS_PATH
from tests.gui_support import REPO, WAIT_MS, WindowFactory, model_status_of, wait_for_face_result

# A guard against a hung child, not a measure: before the fix the child never ended.
CHILD_GUARD_S = 120

CHILD = """
import sys, threading
from pathlib import Path
from PyQt6.QtCore import QTimer
import emotion_app.weights as weights
from emotion_app.gui import app

mode, stuck, fifo, settings, video = sys.argv[1:]
stuck = Path(stuck).absolute()
blocked = threading.Event()
real_read_header = weights.read_header

def read_header(path):
    if Path(path).absolute() == stuck:
        blocked.set()
        with open(fifo, "rb") as handle:  # returns only once someone opens it for writing
            handle.read()
    return real_read_header(path)

weights.read_header = read_header
qapp = app.create_application(["emotion-app"])

picked = []

def step():
    window = next((w for w in qapp.topLevelWidgets() if type(w).__name__ == "MainWindow"), None)
    if window is not None and mode == "switch" and window.model_status is not None and not picked:
        window.choose_weights(stuck)  # the start-up model runs: pick the stuck one
        picked.append(stuck)
    if window is None or not blocked.is_set():
        QTimer.singleShot(50, step)
        return
    window.close()
    print("window closed", flush=True)

QTimer.singleShot(0, step)
args = ["--settings", settings, "--video", video] + (["--weights", str(stuck)] if mode == "startup" else [])
print("run returned", app.run(args), flush=True)
"""


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "never-written"
    os.mkfifo(path)
    yield path
    release(path)


def release(fifo: Path) -> None:
    """Let a reader still waiting on ``fifo`` go on (it reads its end); none: ENXIO."""
    try:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    except OSError:
        pass


@pytest.mark.parametrize("mode", ["startup", "switch"])
def test_a_load_that_never_returns_does_not_hold_the_exit(mode: str, fifo: Path, tmp_path: Path) -> None:
    # Was: a start-up load stuck (--weights on a dead share) held the window's close
    # forever ("worker threads did not stop within 1.0 s; waiting for them"); a model
    # picked in the Model menu let the window close, then held the process's exit forever
    # (its thread joined by the interpreter).
    stuck = tmp_path / "on a dead share.safetensors"
    stuck.write_bytes(DEFAULT_WEIGHTS_PATH.read_bytes())
    video = write_astronaut_video(tmp_path / "clip.avi")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, mode, str(stuck), str(fifo), str(tmp_path / "settings.ini"), str(video)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO)),
    )
    try:
        out, err = child.communicate(timeout=CHILD_GUARD_S)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == 0, err
    assert out.splitlines() == ["window closed", "run returned 0"], err
    assert "did not stop" not in err, "the window's close waited for the load"
    assert "a model load did not end within 5 s" in err, "the stuck load is left behind, and said so"


def hang_reads_of(stuck: Path, fifo: Path, monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Make reads of ``stuck`` (a real weights file) wait on ``fifo`` first, as a read on a
    dead share would (the real loader refuses a FIFO itself at once); the event is set once
    one waits. The test must :func:`release` the FIFO, so that no thread stays blocked."""
    blocked = threading.Event()
    real_read_header = weights.read_header

    def read_header(path: str | os.PathLike[str]) -> tuple[object, object]:
        if Path(path).absolute() == stuck.absolute():
            blocked.set()
            with open(fifo, "rb") as handle:  # returns only once someone opens it for writing
                handle.read()
        return real_read_header(path)

    monkeypatch.setattr(weights, "read_header", read_header)
    return blocked


def remember_a_model_on_a_dead_share(
    settings_path: Path, tmp_path: Path, fifo: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, threading.Event]:
    """A real weights file remembered as last run's choice whose reads hang (see
    :func:`hang_reads_of`), with the load's give-up at 1 s (10 s in the app): the file and
    the event set once a read waits."""
    stuck = tmp_path / "on a dead share.safetensors"
    stuck.write_bytes(DEFAULT_WEIGHTS_PATH.read_bytes())
    seeded = AppSettings.at_path(settings_path)
    seeded.weights_path = stuck
    assert seeded.sync()
    blocked = hang_reads_of(stuck, fifo, monkeypatch)
    monkeypatch.setattr(inference_worker, "LOAD_GIVE_UP_S", 1.0)
    return stuck, blocked


def test_a_remembered_model_that_never_loads_gives_way_to_the_shipped_one(
    qtbot: QtBot,
    make_window: WindowFactory,
    settings_path: Path,
    gui_video: VideoTruth,
    fifo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Was: the window said "Loading the emotion model…" for ever and showed no emotions.
    stuck, blocked = remember_a_model_on_a_dead_share(settings_path, tmp_path, fifo, monkeypatch)
    try:
        window = make_window(video=gui_video.path, weights=None, wait_for_model=False)
        qtbot.waitUntil(lambda: "did not load within 1 s" in window.model_banner.text(), timeout=WAIT_MS)
        assert blocked.is_set()
        assert window.model_banner.text() == (
            f"Could not load the model: {stuck} did not load within 1 s (a network share that does not "
            f"answer?). Using {DEFAULT_WEIGHTS_NAME} for now; the next start tries {stuck.name} again."
        )
        assert model_status_of(window).active_weights == DEFAULT_WEIGHTS_PATH
        result = wait_for_face_result(qtbot, window)  # the shipped model labels the faces
        assert result.labels == model_status_of(window).labels
        assert len(result.faces[0].probabilities) == len(result.labels) > 0
    finally:
        release(fifo)
        assert wait_for_loads_to_end(WAIT_MS / 1000)
    # Its read returned at last: the model it made is dropped, not put in use silently.
    assert model_status_of(window).active_weights == DEFAULT_WEIGHTS_PATH


def test_a_model_picked_after_one_that_never_loads_is_not_held_up_by_it(
    qtbot: QtBot,
    make_window: WindowFactory,
    random_weights: Path,
    gui_video: VideoTruth,
    fifo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Was: the model picked next waited for the stuck one's load for ever ("Loading …").
    stuck = tmp_path / "on a dead share.safetensors"
    stuck.write_bytes(DEFAULT_WEIGHTS_PATH.read_bytes())
    blocked = hang_reads_of(stuck, fifo, monkeypatch)
    monkeypatch.setattr(inference_worker, "LOAD_GIVE_UP_S", 1.0)
    try:
        window = make_window(video=gui_video.path, weights=DEFAULT_WEIGHTS_PATH)
        window.choose_weights(stuck)
        qtbot.waitUntil(blocked.is_set, timeout=WAIT_MS)
        wait_for_face_result(qtbot, window)  # the model in use goes on meanwhile
        assert model_status_of(window).active_weights == DEFAULT_WEIGHTS_PATH
        window.choose_weights(random_weights)
        qtbot.waitUntil(lambda: model_status_of(window).active_weights == random_weights, timeout=WAIT_MS)
        assert model_status_of(window).ok
    finally:
        release(fifo)
        assert wait_for_loads_to_end(WAIT_MS / 1000)
    assert model_status_of(window).active_weights == random_weights  # the stuck one, dropped


def test_a_remembered_model_that_never_loads_stays_the_users_choice(
    qtbot: QtBot,
    make_window: WindowFactory,
    settings_path: Path,
    gui_video: VideoTruth,
    fifo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Was: the shipped model that stood in for it was stored as the choice, so a share
    # offline for one start-up made the app forget the user's model for good.
    stuck, _ = remember_a_model_on_a_dead_share(settings_path, tmp_path, fifo, monkeypatch)
    try:
        window = make_window(video=gui_video.path, weights=None, wait_for_model=False)
        qtbot.waitUntil(lambda: "did not load within 1 s" in window.model_banner.text(), timeout=WAIT_MS)
        wait_for_face_result(qtbot, window)  # the shipped model runs
        assert model_status_of(window).active_weights == DEFAULT_WEIGHTS_PATH
        assert window.settings.sync()
        assert AppSettings.at_path(settings_path).weights_path == stuck
        # What the banner says stays true: nothing is forgotten.
        assert window.model_banner.text().endswith(
            f"Using {DEFAULT_WEIGHTS_NAME} for now; the next start tries {stuck.name} again."
        )
    finally:
        release(fifo)
        assert wait_for_loads_to_end(WAIT_MS / 1000)
    # The user picks the shipped model themselves: that is a choice, and replaces it.
    window.choose_weights(DEFAULT_WEIGHTS_PATH)
    qtbot.waitUntil(lambda: window.model_banner.text() == "", timeout=WAIT_MS)
    assert window.settings.sync()
    assert AppSettings.at_path(settings_path).weights_path == DEFAULT_WEIGHTS_PATH


def test_a_model_picked_while_a_remembered_one_never_loads_is_remembered(
    qtbot: QtBot,
    make_window: WindowFactory,
    settings_path: Path,
    gui_video: VideoTruth,
    fifo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The shipped model picked in the Model menu while the start-up waits: the one standing
    # in arrives first, and must not be taken for the pick (which would then go unstored).
    stuck, blocked = remember_a_model_on_a_dead_share(settings_path, tmp_path, fifo, monkeypatch)
    try:
        window = make_window(video=gui_video.path, weights=None, wait_for_model=False)
        statuses: list[ModelStatus] = []
        window.controller.model_status.connect(statuses.append)  # after the window's own slot
        qtbot.waitUntil(blocked.is_set, timeout=WAIT_MS)
        window.choose_weights(DEFAULT_WEIGHTS_PATH)
        qtbot.waitUntil(lambda: any(s.ok and not s.stand_in for s in statuses), timeout=WAIT_MS)
        assert [s.stand_in for s in statuses if not s.runner_changed] == [True, True, False]
        assert window.model_banner.text() == ""  # the pick loaded: nothing is wrong now
        assert window.settings.sync()
        assert AppSettings.at_path(settings_path).weights_path == DEFAULT_WEIGHTS_PATH
    finally:
        release(fifo)
        assert wait_for_loads_to_end(WAIT_MS / 1000)


def test_a_model_named_on_the_command_line_that_never_loads_gives_way_to_the_shipped_one(
    qtbot: QtBot,
    make_window: WindowFactory,
    settings_path: Path,
    random_weights: Path,
    gui_video: VideoTruth,
    fifo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Was: no time limit for --weights: the window said "Loading the emotion model…" for
    # ever and played nothing, and a model picked in the Model menu never loaded (the
    # worker waited on the read); only closing the window worked.
    stuck = tmp_path / "on a dead share.safetensors"
    stuck.write_bytes(DEFAULT_WEIGHTS_PATH.read_bytes())
    seeded = AppSettings.at_path(settings_path)
    seeded.weights_path = random_weights  # chosen in an earlier run
    assert seeded.sync()
    blocked = hang_reads_of(stuck, fifo, monkeypatch)
    monkeypatch.setattr(inference_worker, "LOAD_GIVE_UP_S", 1.0)
    try:
        window = make_window(video=gui_video.path, weights=stuck, wait_for_model=False)
        qtbot.waitUntil(lambda: "did not load within 1 s" in window.model_banner.text(), timeout=WAIT_MS)
        assert blocked.is_set()
        assert window.model_banner.text() == (
            f"Could not load the model: {stuck} did not load within 1 s (a network share that does not "
            f"answer?). Using {DEFAULT_WEIGHTS_NAME} instead."
        )
        assert model_status_of(window).active_weights == DEFAULT_WEIGHTS_PATH
        result = wait_for_face_result(qtbot, window)  # the video plays, labelled by the shipped model
        assert result.labels == model_status_of(window).labels
        # Nothing is remembered: neither the file named for this run nor the stand-in.
        assert window.settings.sync()
        assert AppSettings.at_path(settings_path).weights_path == random_weights
    finally:
        release(fifo)
        assert wait_for_loads_to_end(WAIT_MS / 1000)
    # Its read returned at last: the model it made is dropped, not put in use silently.
    assert model_status_of(window).active_weights == DEFAULT_WEIGHTS_PATH
