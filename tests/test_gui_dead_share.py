"""A file on a network share whose server has gone (a hard NFS or SMB mount): ``stat()``
on it blocks for minutes or for ever. The window must never wait on one: it shows at once
and answers while the share hangs.

The share itself is simulated (this machine has none): ``os.stat``, ``os.lstat``,
``os.mkdir``, ``os.access`` and ``os.statvfs`` (a folder's free space) of a path in its
folder wait until the test lets the server come back; the files are real.
"""

from __future__ import annotations

import logging
import os
import queue
import re
import shutil
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import cv2
import pytest
from PyQt6.QtCore import QCoreApplication, QTimer
from pytestqt.qtbot import QtBot

from emotion_app.gui import quitting, recording_writer, snapshot
from emotion_app.gui.main_window import MainWindow
from emotion_app.gui.messages import InferenceResult, RecordingRequest
from emotion_app.gui.settings import AppSettings
from emotion_app.gui.snapshot import MAX_WAITING_SNAPSHOTS, save_snapshot
from emotion_app.io.temporary_names import is_unfinished
from emotion_app.samples import VideoTruth, make_random_weights
from emotion_app.weights import DEFAULT_WEIGHTS_DIR, DEFAULT_WEIGHTS_NAME
from tests.gui_support import (
    REPO,
    WAIT_MS,
    DeadShare,
    WindowFactory,
    active_weights_of,
    join_file_checks,
    model_status_of,
    play_looping,
    shown_result,
    temp_folder_env,
    use_output_folder,
    wait_for_face_result,
    wait_for_recording,
    wait_until_recorded,
)

# How long a closed app may take to exit: its start on a busy machine, then the close.
EXIT_BOUND_S = 120.0


def _pixels(path: Path) -> bytes:
    """The pixels of the picture written at ``path``."""
    picture = cv2.imread(str(path))
    assert picture is not None, f"{path} does not decode"
    return picture.tobytes()


def play_saving_into(qtbot: QtBot, window: MainWindow, video: Path, folder: Path) -> None:
    """Play ``video`` looping with ``folder`` as the output folder, every check of the
    folder and of the dialogs' folders answered before the test hangs up its share."""
    play_looping(window, video)
    assert use_output_folder(qtbot, window, folder)
    qtbot.waitUntil(window.dialog_folders_answered, timeout=WAIT_MS)


def window_saving_into_a_share(
    qtbot: QtBot, make_window: WindowFactory, video: Path, tmp_path: Path
) -> tuple[MainWindow, Path]:
    """A new window playing ``video`` with ``snapshots`` in ``tmp_path``'s "share" as its output
    folder (see :func:`play_saving_into`); the window and that folder."""
    folder = tmp_path / "share" / "snapshots"
    window = make_window()
    play_saving_into(qtbot, window, video, folder)
    return window, folder


def test_a_recent_file_on_a_dead_share_never_holds_up_the_window(
    qtbot: QtBot,
    make_window: WindowFactory,
    settings_path: Path,
    gui_video: VideoTruth,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    here, gone, on_share = gui_video.path, tmp_path / "deleted.avi", tmp_path / "share" / "talk.mp4"
    seeded = AppSettings.at_path(settings_path)
    seeded.recent_files = [str(on_share), str(here), str(gone)]
    assert seeded.sync()
    with DeadShare(on_share.parent).hang_up(monkeypatch) as share:
        window = make_window()
        assert share.asked_on_gui_thread == []
        qtbot.waitUntil(share.waiting.is_set, timeout=WAIT_MS)
        # While the check waits on the share, the window handles its events.
        ticks: list[int] = []
        QTimer.singleShot(0, lambda: ticks.append(1))
        qtbot.waitUntil(lambda: ticks == [1], timeout=WAIT_MS)
        listed = {action.data(): action for action in window.recent_menu.actions() if action.data()}
        assert list(listed) == [str(on_share), str(here), str(gone)]
        # The other entries' answers do not wait for the share's.
        qtbot.waitUntil(lambda: not listed[str(gone)].isEnabled(), timeout=WAIT_MS)
        assert listed[str(here)].isEnabled()
        assert listed[str(on_share)].isEnabled()  # no answer yet: left as it is
        share.back.set()  # the server is back, and the file gone from it
        qtbot.waitUntil(lambda: not listed[str(on_share)].isEnabled(), timeout=WAIT_MS)
        assert listed[str(here)].isEnabled()
        assert share.asked_on_gui_thread == []


def test_choosing_a_recent_file_on_a_dead_share_never_holds_up_the_window(
    qtbot: QtBot,
    make_window: WindowFactory,
    settings_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    on_share = tmp_path / "share" / "talk.mp4"
    seeded = AppSettings.at_path(settings_path)
    seeded.recent_files = [str(on_share)]
    assert seeded.sync()
    with DeadShare(on_share.parent).hang_up(monkeypatch) as share:
        window = make_window()
        qtbot.waitUntil(share.waiting.is_set, timeout=WAIT_MS)  # the menu's check waits on it
        (entry,) = (action for action in window.recent_menu.actions() if action.data() == str(on_share))
        entry.trigger()  # no answer yet: it can be chosen, and the capture thread waits on it too
        ticks: list[int] = []
        QTimer.singleShot(0, lambda: ticks.append(1))
        qtbot.waitUntil(lambda: ticks == [1], timeout=WAIT_MS)
        assert share.asked_on_gui_thread == []
        assert window.view.placeholder == f"Opening {on_share}…"
        share.back.set()  # the server is back, and the file gone from it: the usual one line
        qtbot.waitUntil(lambda: window.source_banner.text() == f"Video file not found: {on_share}", timeout=WAIT_MS)
        assert window.source_banner.button_captions()[:-1] == ["Open video file…"]  # (and the close button)
        assert share.asked_on_gui_thread == []


def test_a_remembered_model_on_a_dead_share_never_holds_up_the_window(
    qtbot: QtBot,
    make_window: WindowFactory,
    settings_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    on_share = tmp_path / "share" / "mine.safetensors"
    seeded = AppSettings.at_path(settings_path)
    seeded.weights_path = on_share
    assert seeded.sync()
    with DeadShare(on_share.parent).hang_up(monkeypatch) as share:
        window = make_window(weights=None, wait_for_model=False)
        assert share.asked_on_gui_thread == []
        qtbot.waitUntil(share.waiting.is_set, timeout=WAIT_MS)  # the model's load waits on it
        ticks: list[int] = []
        QTimer.singleShot(0, lambda: ticks.append(1))
        qtbot.waitUntil(lambda: ticks == [1], timeout=WAIT_MS)
        assert window.view.placeholder == "Loading the emotion model…"
        share.back.set()  # the server is back, and the file gone from it: the shipped model, quietly
        qtbot.waitUntil(lambda: window.model_status is not None, timeout=WAIT_MS)
        assert model_status_of(window).ok and active_weights_of(window).name == DEFAULT_WEIGHTS_NAME
        assert window.model_banner.text() == ""
        assert share.asked_on_gui_thread == []


def test_a_model_on_a_share_that_has_gone_never_holds_up_the_window(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "share"
    folder.mkdir()
    mine = make_random_weights(folder / "mine.safetensors", seed=5)
    (folder / "README.md").write_text("# Mine\n\n## Known limits\n\nMany.\n", encoding="utf-8")
    window = make_window()
    window.choose_weights(mine)
    qtbot.waitUntil(lambda: model_status_of(window).active_weights == mine, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "#known-limits" in window.about_text(), timeout=WAIT_MS)
    with DeadShare(folder).hang_up(monkeypatch) as share:
        window.model_menu.refresh()  # as the Model menu opens
        about = window.about_text()
        window._on_model_status(model_status_of(window))  # later news of the same model (its fast classifier)
        ticks: list[int] = []
        QTimer.singleShot(0, lambda: ticks.append(1))
        qtbot.waitUntil(lambda: ticks == [1], timeout=WAIT_MS)
        assert share.asked_on_gui_thread == []
        assert "#known-limits" in about  # as found while the share answered


def test_a_share_that_goes_just_after_its_model_loaded_never_holds_up_the_window(
    qtbot: QtBot, make_window: WindowFactory, settings_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from emotion_app.live import PipelineBundle, load_eager_pipeline

    folder = tmp_path / "share"
    folder.mkdir()
    mine = make_random_weights(folder / "mine.safetensors", seed=5)
    share = DeadShare(folder)

    def load_then_lose_the_share(path: Path | None) -> PipelineBundle:
        bundle = load_eager_pipeline(path)
        if path == mine:
            share.hang_up(monkeypatch)  # the server goes between the read and the news of it
        return bundle

    window = make_window(pipeline_loader=load_then_lose_the_share)
    with share:
        window.choose_weights(mine)
        qtbot.waitUntil(lambda: model_status_of(window).active_weights == mine, timeout=WAIT_MS)
        ticks: list[int] = []
        QTimer.singleShot(0, lambda: ticks.append(1))
        qtbot.waitUntil(lambda: ticks == [1], timeout=WAIT_MS)
        # Was: ticking it in the Model menu and storing it as the choice each resolved its
        # path on the GUI thread, whose stat would have frozen the window.
        assert share.asked_on_gui_thread == []
        assert window.settings.sync()
        assert AppSettings.at_path(settings_path).weights_path == mine
        window.model_menu.refresh()
        assert not any(action.isChecked() for action in window.model_menu.model_actions())


def test_a_dialog_folder_on_a_dead_share_never_holds_up_the_window(
    qtbot: QtBot,
    make_window: WindowFactory,
    settings_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Ctrl+O froze the window: the file dialog was handed the folder a video was last
    # opened from, and looked at it on the GUI thread (so did "Load weights…").
    videos, models = tmp_path / "share" / "videos", tmp_path / "share" / "models"
    videos.mkdir(parents=True)
    models.mkdir()
    seeded = AppSettings.at_path(settings_path)
    seeded.last_video_dir = str(videos)
    seeded.last_weights_dir = str(models)
    assert seeded.sync()
    with DeadShare(tmp_path / "share").hang_up(monkeypatch) as share:
        window = make_window()
        starts: list[str] = []

        def choose(title: str, folder: str, filters: str) -> str:
            starts.append(folder)
            return ""  # cancelled

        monkeypatch.setattr(window, "ask_open_path", choose)
        window.open_video_action.trigger()
        window.load_weights_action.trigger()
        assert share.asked_on_gui_thread == []
        assert starts == [str(Path.home()), str(DEFAULT_WEIGHTS_DIR)]  # no answer yet: the usual fallbacks
        qtbot.waitUntil(share.waiting.is_set, timeout=WAIT_MS)  # the window's checks wait on the share
        share.back.set()  # the server is back: the folders remembered are used again
        qtbot.waitUntil(window.dialog_folders_answered, timeout=WAIT_MS)
        window.open_video_action.trigger()
        window.load_weights_action.trigger()
        assert starts[2:] == [str(videos), str(models)]
        assert share.asked_on_gui_thread == []


def test_a_snapshot_into_an_output_folder_on_a_dead_share_never_holds_up_the_window(
    qtbot: QtBot,
    make_window: WindowFactory,
    gui_video: VideoTruth,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Ctrl+S froze the window: the output folder was made and checked, and a free name
    # looked for in it, on the GUI thread before the picture went to be written.
    window, folder = window_saving_into_a_share(qtbot, make_window, gui_video.path, tmp_path)
    saved: list[Path] = []
    window.snapshots.saved.connect(saved.append)
    with DeadShare(tmp_path / "share").hang_up(monkeypatch) as share:
        first = wait_for_face_result(qtbot, window)
        window.snapshot_action.trigger()
        qtbot.waitUntil(lambda: window.view.result is not first, timeout=WAIT_MS)
        second = window.view.result
        assert second is not None
        window.snapshot_action.trigger()  # within the second: it needs a name of its own
        assert share.asked_on_gui_thread == []
        qtbot.waitUntil(share.waiting.is_set, timeout=WAIT_MS)  # the snapshots wait on the share
        ticks: list[int] = []
        QTimer.singleShot(0, lambda: ticks.append(1))
        qtbot.waitUntil(lambda: ticks == [1], timeout=WAIT_MS)
        assert saved == []
        share.back.set()  # the server is back: both are written there
        qtbot.waitUntil(lambda: len(saved) == 2, timeout=WAIT_MS)
        assert share.asked_on_gui_thread == []
    assert len(set(saved)) == 2 and all(path.parent == folder for path in saved)
    # Whole: each file is the picture of the frame on screen when its key was pressed.
    expected = {
        _pixels(save_snapshot(result, tmp_path / f"expected-{index}.png"))
        for index, result in enumerate((first, second))
    }
    assert {_pixels(path) for path in saved} == expected
    assert sorted(folder.iterdir()) == sorted(saved)  # and nothing half written beside them


def served_meanwhile(qtbot: QtBot) -> None:
    """Wait till a timer started now fires: the window handles its events."""
    ticks: list[int] = []
    QTimer.singleShot(0, lambda: ticks.append(1))
    qtbot.waitUntil(lambda: ticks == [1], timeout=WAIT_MS)


def test_a_recording_into_an_output_folder_on_a_dead_share_never_holds_up_the_window(
    qtbot: QtBot,
    make_window: WindowFactory,
    gui_video: VideoTruth,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Ctrl+R froze the window: the output folder was made and checked, a free name looked
    # for in it and the recording's files checked, all on the GUI thread.
    folder = tmp_path / "share" / "recordings"
    window = make_window()
    play_saving_into(qtbot, window, gui_video.path, folder)
    wait_for_face_result(qtbot, window)
    with DeadShare(tmp_path / "share").hang_up(monkeypatch) as share:
        window.record_action.trigger()
        assert share.asked_on_gui_thread == []
        qtbot.waitUntil(share.waiting.is_set, timeout=WAIT_MS)  # the check waits on the share
        served_meanwhile(qtbot)
        assert window.recording is None and window.record_action.isChecked()  # under way
        share.back.set()  # the server is back: the recording starts there
        qtbot.waitUntil(lambda: window.recording is not None, timeout=WAIT_MS)
        request = window.recording
        assert request is not None and request.video_path.parent == folder and window.rec_label.isVisible()
        wait_until_recorded(qtbot, window)
        with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS) as finished:
            window.record_action.trigger()
        assert share.asked_on_gui_thread == []
    assert finished.args[0].error == "" and request.video_path.is_file()


def test_a_recording_into_a_share_that_never_answers_is_refused_in_words(
    qtbot: QtBot,
    make_window: WindowFactory,
    gui_video: VideoTruth,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "share" / "recordings"
    window = make_window(file_check_timeout_s=0.2)
    play_saving_into(qtbot, window, gui_video.path, folder)
    wait_for_face_result(qtbot, window)
    with DeadShare(tmp_path / "share").hang_up(monkeypatch) as share:
        window.record_action.trigger()
        qtbot.waitUntil(lambda: "did not answer" in window.notice_banner.text(), timeout=WAIT_MS)
        assert window.notice_banner.text() == (
            f"Recording refused: {folder} did not answer within 0.2 s (a network share whose server has gone?); "
            "nothing was recorded."
        )
        assert "Choose output folder…" in window.notice_banner.button_captions()
        assert window.recording is None and not window.record_action.isChecked()
        share.back.set()  # the server is back after all: the answer given up on starts nothing
        join_file_checks()
        assert window.recording is None and not window.record_action.isChecked()
        assert share.asked_on_gui_thread == []


def test_record_to_while_a_video_on_a_dead_share_plays_never_holds_up_the_window(
    qtbot: QtBot,
    make_window: WindowFactory,
    gui_video: VideoTruth,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # "Record to…" froze the window: whether the recording would overwrite the video
    # playing was found by a stat of that video (and, for a name typed without a suffix,
    # of the names in the folder chosen), on the GUI thread.
    (tmp_path / "share").mkdir()
    playing = Path(shutil.copy(gui_video.path, tmp_path / "share" / gui_video.path.name))
    out = tmp_path / "out"
    out.mkdir()
    window = make_window()
    play_looping(window, playing)
    wait_for_face_result(qtbot, window)
    monkeypatch.setattr(window, "ask_save_path", lambda *_args: str(out / "talk"))
    with DeadShare(tmp_path / "share").hang_up(monkeypatch) as share:
        window.record_as_action.trigger()
        assert share.asked_on_gui_thread == []
        qtbot.waitUntil(share.waiting.is_set, timeout=WAIT_MS)  # the check waits on the share
        served_meanwhile(qtbot)
        assert window.recording is None and window.is_paused  # held still till it starts
        share.back.set()  # the server is back: the recording starts, and the video plays on
        qtbot.waitUntil(lambda: window.recording is not None, timeout=WAIT_MS)
        assert window.recording is not None and window.recording.video_path == out / "talk.mp4"
        qtbot.waitUntil(lambda: not window.is_paused, timeout=WAIT_MS)
        wait_until_recorded(qtbot, window)
        with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS) as finished:
            window.stop_recording()
        assert share.asked_on_gui_thread == []
    assert finished.args[0].error == "" and (out / "talk.mp4").is_file()


def test_save_snapshot_as_while_a_video_on_a_dead_share_plays_never_holds_up_the_window(
    qtbot: QtBot,
    make_window: WindowFactory,
    gui_video: VideoTruth,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # "Save snapshot as…" froze the window: whether the snapshot would overwrite the video
    # playing was found by a stat of that video on the GUI thread.
    (tmp_path / "share").mkdir()
    playing = Path(shutil.copy(gui_video.path, tmp_path / "share" / gui_video.path.name))
    window = make_window()
    play_looping(window, playing)
    wait_for_face_result(qtbot, window)
    monkeypatch.setattr(window, "ask_save_path", lambda *_args: str(tmp_path / "still.png"))
    saved: list[Path] = []
    window.snapshots.saved.connect(saved.append)
    with DeadShare(tmp_path / "share").hang_up(monkeypatch) as share:
        window.snapshot_as_action.trigger()
        assert share.asked_on_gui_thread == []
        qtbot.waitUntil(share.waiting.is_set, timeout=WAIT_MS)  # the snapshot's check waits on the share
        served_meanwhile(qtbot)
        assert saved == []
        share.back.set()  # the server is back: it is written
        qtbot.waitUntil(lambda: saved == [tmp_path / "still.png"], timeout=WAIT_MS)
        assert share.asked_on_gui_thread == []
    assert cv2.imread(str(saved[0])) is not None


def test_choosing_an_output_folder_on_a_dead_share_never_holds_up_the_window(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # File > Output folder… froze the window: the folder chosen was made and checked
    # (mkdir, access) on the GUI thread before it was taken.
    folder = tmp_path / "share" / "out"
    window = make_window()
    kept = window.settings.output_dir
    monkeypatch.setattr(window, "ask_folder_path", lambda *_args: str(folder))
    with DeadShare(tmp_path / "share").hang_up(monkeypatch) as share:
        window.output_folder_action.trigger()
        assert share.asked_on_gui_thread == []
        qtbot.waitUntil(share.waiting.is_set, timeout=WAIT_MS)  # the check waits on the share
        served_meanwhile(qtbot)
        assert window.settings.output_dir == kept  # not taken before it answers
        share.back.set()  # the server is back: the folder is made there, and taken
        qtbot.waitUntil(lambda: window.settings.output_dir == str(folder), timeout=WAIT_MS)
        assert share.asked_on_gui_thread == []
    assert folder.is_dir()


def test_an_output_folder_on_a_share_that_never_answers_is_refused_in_words(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "share" / "out"
    window = make_window(file_check_timeout_s=0.2)
    kept = window.settings.output_dir
    with DeadShare(tmp_path / "share").hang_up(monkeypatch) as share:
        window.set_output_folder(folder)
        qtbot.waitUntil(lambda: "did not answer" in window.notice_banner.text(), timeout=WAIT_MS)
        assert window.notice_banner.text() == (
            f"Cannot save into the output folder {folder}: it did not answer within 0.2 s (a network share whose "
            "server has gone?)."
        )
        assert "Choose output folder…" in window.notice_banner.button_captions()
        share.back.set()  # the server is back after all: the answer given up on changes nothing
        join_file_checks()
        assert window.settings.output_dir == kept and share.asked_on_gui_thread == []


class LatestFirstShare(DeadShare):
    """A share whose server, back, answers the threads waiting on it one at a time, the
    latest to have asked first (a server owes its clients no order), each to its end."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self._turns: list[tuple[threading.Thread, threading.Event]] = []
        self._served: set[threading.Thread] = set()
        self._guard = threading.Lock()

    def _wait_for_server(self) -> None:
        with self._guard:
            if threading.current_thread() in self._served:
                return
            turn = threading.Event()
            self._turns.append((threading.current_thread(), turn))
        self.waiting.set()
        turn.wait()

    def all_waiting(self, name: str) -> bool:
        """Whether every live thread called ``name`` waits on the share."""
        with self._guard:
            waiting = {thread for thread, _ in self._turns}
        return all(thread in waiting for thread in threading.enumerate() if thread.name == name)

    def answer_latest_first(self, qtbot: QtBot) -> None:
        while True:
            with self._guard:
                if not self._turns:
                    return
                thread, turn = self._turns.pop()
                self._served.add(thread)
            turn.set()

            def answered(thread: threading.Thread = thread) -> bool:
                return not thread.is_alive()

            qtbot.waitUntil(answered, timeout=WAIT_MS)


def _snapshot_order(path: Path) -> tuple[str, int]:
    """(its second, its number in that second) of an ``emotion-snapshot-<when>[-N].png``."""
    found = re.fullmatch(r"emotion-snapshot-(\d{8}-\d{6})(?:-(\d+))?\.png", path.name)
    assert found, path
    return found.group(1), int(found.group(2) or 1)


def _snapshot_threads() -> int:
    return sum(thread.name == "snapshot" for thread in threading.enumerate())


def _next_result(qtbot: QtBot, window: MainWindow, after: InferenceResult | None) -> InferenceResult:
    qtbot.waitUntil(lambda: window.view.result is not None and window.view.result is not after, timeout=WAIT_MS)
    return shown_result(window)


def test_snapshots_come_back_from_a_share_named_in_the_order_they_were_taken(
    qtbot: QtBot,
    make_window: WindowFactory,
    gui_video: VideoTruth,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Each snapshot had a thread of its own, and they raced for the names of a second: the
    # share's server, back, answered the last one first, which got the second's first name.
    window, folder = window_saving_into_a_share(qtbot, make_window, gui_video.path, tmp_path)
    taken: list[InferenceResult] = []
    with LatestFirstShare(tmp_path / "share").hang_up(monkeypatch) as share:
        for _ in range(4):
            taken.append(_next_result(qtbot, window, taken[-1] if taken else None))
            window.snapshot_action.trigger()
        qtbot.waitUntil(lambda: share.all_waiting("snapshot"), timeout=WAIT_MS)
        share.answer_latest_first(qtbot)
    pictures = [
        _pixels(save_snapshot(result, tmp_path / f"expected-{index}.png")) for index, result in enumerate(taken)
    ]
    assert len(set(pictures)) == 4  # four frames that can be told apart
    written = {_pixels(path): path for path in folder.iterdir()}
    assert set(written) == set(pictures)
    names = [written[picture] for picture in pictures]
    assert sorted(names, key=_snapshot_order) == names, [path.name for path in names]


def test_ctrl_s_held_into_a_dead_share_is_refused_after_a_few_not_piled_up(
    qtbot: QtBot,
    make_window: WindowFactory,
    gui_video: VideoTruth,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Each press started a thread that blocked on the share for ever, holding its frame.
    window, folder = window_saving_into_a_share(qtbot, make_window, gui_video.path, tmp_path)
    saved: list[Path] = []
    window.snapshots.saved.connect(saved.append)
    window.snapshots.not_answering_s = 0.0  # (ten seconds in use) the share counts as gone at once
    with DeadShare(tmp_path / "share").hang_up(monkeypatch) as share:
        wait_for_face_result(qtbot, window)
        window.snapshot_action.trigger()
        qtbot.waitUntil(share.waiting.is_set, timeout=WAIT_MS)
        for _ in range(29):  # a second of key repeat
            window.snapshot_action.trigger()
        assert _snapshot_threads() == 1
        held = 1 + MAX_WAITING_SNAPSHOTS  # the one the share holds, and those waiting for it
        assert window.notice_banner.text() == (
            f"Cannot save into the output folder {folder}: it is not answering (a network share whose "
            f"server has gone?): {held} snapshots have waited for it for 0 s, and no more are taken till it does."
        )
        assert window.notice_banner.button_captions()[0] == "Choose output folder…"
        assert share.asked_on_gui_thread == []
        share.back.set()  # the server is back: those taken are written, no more
        qtbot.waitUntil(lambda: len(saved) == held, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: _snapshot_threads() == 0, timeout=WAIT_MS)  # none left behind
    assert sorted(folder.iterdir()) == sorted(saved)


def test_closing_waits_for_a_snapshot_on_a_slow_share_with_the_window_gone(
    qtbot: QtBot,
    make_window: WindowFactory,
    gui_video: VideoTruth,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The window waited 5 s for snapshots being written, in sight and not answering, then
    # exited under them: a share taking 6 s to make one safe lost it.
    folder = tmp_path / "snapshots"
    window = make_window()
    play_looping(window, gui_video.path)
    assert use_output_folder(qtbot, window, folder)
    saved: list[Path] = []
    window.snapshots.saved.connect(saved.append)
    closing, visible = threading.Event(), list[bool]()
    real_fsync = os.fsync

    def slow_fsync(descriptor: int) -> None:
        if threading.current_thread().name == "snapshot":
            closing.wait()
            time.sleep(1.0)  # the window is closing
            visible.append(window.isVisible())
            time.sleep(5.0)  # and the share slow to answer
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", slow_fsync)
    result = wait_for_face_result(qtbot, window)
    window.snapshot_action.trigger()
    closing.set()
    window.close()
    assert visible == [False]
    qtbot.waitUntil(lambda: len(saved) == 1, timeout=WAIT_MS)  # (the signal crosses threads)
    assert sorted(folder.iterdir()) == saved
    expected = save_snapshot(result, tmp_path / "expected.png")
    assert _pixels(saved[0]) == _pixels(expected)


def test_closing_leaves_snapshots_on_a_dead_share_and_says_so(
    qtbot: QtBot,
    make_window: WindowFactory,
    gui_video: VideoTruth,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The window waited 5 s, then exited under the snapshots without a word.
    window, folder = window_saving_into_a_share(qtbot, make_window, gui_video.path, tmp_path)
    window.snapshots.not_answering_s = 0.0  # (ten seconds in use) the share counts as gone at once
    with DeadShare(tmp_path / "share").hang_up(monkeypatch) as share:
        wait_for_face_result(qtbot, window)
        window.snapshot_action.trigger()
        qtbot.waitUntil(share.waiting.is_set, timeout=WAIT_MS)
        window.snapshot_action.trigger()
        with caplog.at_level(logging.WARNING, logger="emotion_app.gui.snapshot"):
            window.close()
        unsaved = [record.getMessage() for record in caplog.records if record.getMessage().startswith("not saved")]
        assert len(unsaved) == 2
        assert all(
            re.fullmatch(
                rf"not saved: a snapshot taken at \d\d:\d\d:\d\d for {re.escape(str(folder))} "
                rf"\(the folder {re.escape(str(folder))} did not answer for \d+ s\)",
                message,
            )
            for message in unsaved
        ), unsaved
        assert share.asked_on_gui_thread == []
    # The server back after the exit gave it up: the snapshot it held is written, and only
    # the log tells (the window has gone); the one waiting is not started.
    with caplog.at_level(logging.WARNING, logger="emotion_app.gui.snapshot"):
        qtbot.waitUntil(lambda: _snapshot_threads() == 0, timeout=WAIT_MS)
    (written,) = folder.iterdir()
    assert f"after the window closed, a snapshot was saved after all: {written}" in caplog.messages


def test_a_snapshot_waiting_for_a_dead_share_says_so_once_till_it_is_saved(
    qtbot: QtBot,
    make_window: WindowFactory,
    gui_video: VideoTruth,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A snapshot waiting for a share whose server had gone waited in silence: nothing said
    # it was not saved till 8 waited and more were refused.
    window, folder = window_saving_into_a_share(qtbot, make_window, gui_video.path, tmp_path)
    saved: list[Path] = []
    window.snapshots.saved.connect(saved.append)
    notices: list[str] = []
    window.notice_banner.message_shown.connect(lambda: notices.append(window.notice_banner.text()))
    window.snapshots.not_answering_s = 0.0  # (ten seconds in use) the share counts as gone at once
    waiting = (
        f"Snapshot waiting: {folder} is not answering (a network share whose server has gone?); "
        "it is saved when the folder answers."
    )
    with DeadShare(tmp_path / "share").hang_up(monkeypatch) as share:
        first = wait_for_face_result(qtbot, window)
        window.snapshot_action.trigger()
        qtbot.waitUntil(share.waiting.is_set, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: window.notice_banner.text() == waiting, timeout=WAIT_MS)
        assert window.notice_banner.level == "warning"
        _next_result(qtbot, window, first)
        window.snapshot_action.trigger()  # another waits behind it
        for _ in range(2):  # the saver has looked again since: told once, not once a snapshot
            with qtbot.waitSignal(window.snapshots._not_answering_check.timeout, timeout=WAIT_MS):
                pass
        assert notices == [waiting] and saved == []
        assert share.asked_on_gui_thread == []
        share.back.set()  # the server is back: both are written, and the notice says so
        qtbot.waitUntil(lambda: len(saved) == 2, timeout=WAIT_MS)
    assert window.notice_banner.text() == f"Saved snapshot {saved[1].name} in {folder}"
    assert sorted(folder.iterdir()) == sorted(saved)


def test_snapshots_waiting_for_a_share_hold_a_bounded_memory_of_pictures(
    qtbot: QtBot,
    make_window: WindowFactory,
    gui_video: VideoTruth,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Snapshots waiting for a share held a frame each, however many and however large.
    window, folder = window_saving_into_a_share(qtbot, make_window, gui_video.path, tmp_path)
    saved: list[Path] = []
    window.snapshots.saved.connect(saved.append)
    with DeadShare(tmp_path / "share").hang_up(monkeypatch) as share:
        first = wait_for_face_result(qtbot, window)
        window.snapshot_action.trigger()  # written first: the share holds it
        qtbot.waitUntil(share.waiting.is_set, timeout=WAIT_MS)
        second = _next_result(qtbot, window, first)
        held = (second.image, second.annotated, second.display_image, second.shown_frame)
        pictures = {id(picture): picture.nbytes for picture in held if picture is not None}
        window.snapshots.max_waiting_bytes = sum(pictures.values())  # room for the second frame's alone
        window.snapshots.save_into(second, folder, datetime.now())
        window.snapshots.save_into(second, folder, datetime.now())  # the same frame again: no more memory
        assert window.notice_banner.text() == ""
        third = _next_result(qtbot, window, second)
        window.snapshots.save_into(third, folder, datetime.now())  # another frame: refused
        assert window.notice_banner.text() == (
            f"Cannot save into the output folder {folder}: 3 earlier snapshots are still being written "
            "into it; try again in a moment."
        )
        share.back.set()
        qtbot.waitUntil(lambda: len(saved) == 3, timeout=WAIT_MS)
    assert len(list(folder.iterdir())) == 3


def test_save_snapshot_as_elsewhere_is_not_held_up_by_an_output_folder_on_a_dead_share(
    qtbot: QtBot,
    make_window: WindowFactory,
    gui_video: VideoTruth,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Snapshots are written one after the other a folder: another folder's go by.
    folder, elsewhere = tmp_path / "share" / "snapshots", tmp_path / "local" / "mine.png"
    window = make_window()
    play_saving_into(qtbot, window, gui_video.path, folder)
    saved: list[Path] = []
    window.snapshots.saved.connect(saved.append)
    with DeadShare(tmp_path / "share").hang_up(monkeypatch) as share:
        wait_for_face_result(qtbot, window)
        window.snapshot_action.trigger()
        qtbot.waitUntil(share.waiting.is_set, timeout=WAIT_MS)
        monkeypatch.setattr(window, "ask_save_path", lambda title, suggestion, filters: str(elsewhere))
        window.snapshot_as_action.trigger()
        qtbot.waitUntil(lambda: saved == [elsewhere], timeout=WAIT_MS)
        assert share.asked_on_gui_thread == []
        share.back.set()
        qtbot.waitUntil(lambda: len(saved) == 2, timeout=WAIT_MS)
    assert saved[1].parent == folder


_EXPORT_INTO_A_DEAD_SHARE = """
import sys, threading
from pathlib import Path
import pytest
from PyQt6.QtCore import QTimer
from emotion_app.gui import app as gui_app
from emotion_app.io import report_process
from tests.gui_support import DeadShare

folder = Path({folder!r})
report_process.PYTHON = {stand_in!r}
share = DeadShare(folder.parent)
real_create = gui_app.create_main_window


def create_and_export(options):
    window = real_create(options)
    panel = window.timeline_panel

    def close_once_waiting():
        if not share.waiting.is_set():
            QTimer.singleShot(50, close_once_waiting)
            return
        print("export waits on the share", flush=True)
        window.close()

    def export_once_a_face_is_seen():
        if not panel.export_button.isEnabled():
            QTimer.singleShot(50, export_once_a_face_is_seen)
            return
        share.hang_up(pytest.MonkeyPatch())
        panel.export_in_background(folder)
        close_once_waiting()

    QTimer.singleShot(0, export_once_a_face_is_seen)
    return window


gui_app.create_main_window = create_and_export
code = gui_app.run(["--video", {video!r}, "--settings", {settings!r}])
print("asked on the GUI thread:", share.asked_on_gui_thread, flush=True)
sys.exit(code)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell script stands in for the export's drawing process")
def test_quitting_during_an_export_into_a_dead_share_exits_and_says_what_was_not_exported(
    gui_video: VideoTruth, tmp_path: Path
) -> None:
    # Quitting hung for ever: the export's thread, on Qt's global pool, was removing its
    # drawing process's temporary files from a share that no longer answered, and Qt waits
    # for every thread of that pool as the application ends. The drawing process here ends
    # at once (killed: by its own deadline, or by anyone), as one stuck on the share would.
    folder = tmp_path / "share" / "exports"
    stand_in = tmp_path / "stand-in-python"
    stand_in.write_text("#!/bin/sh\nkill -KILL $$\n")
    stand_in.chmod(stand_in.stat().st_mode | stat.S_IXUSR)
    script = _EXPORT_INTO_A_DEAD_SHARE.format(
        folder=str(folder),
        stand_in=str(stand_in),
        video=str(gui_video.path),
        settings=str(tmp_path / "settings.ini"),
    )
    temp = tmp_path / "temp"
    temp.mkdir()
    # The repository's root, for the share the child imports from tests.gui_support, through PYTHONPATH.
    importable = str(REPO)
    env = dict(
        os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path), PYTHONPATH=importable, **temp_folder_env(temp)
    )
    app = subprocess.Popen(
        [sys.executable, "-X", "faulthandler", "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )
    try:
        # Bounds a hang, not a speed: the window's start on a busy machine takes most of it.
        output, errors = app.communicate(timeout=EXIT_BOUND_S)
    except subprocess.TimeoutExpired:
        app.kill()
        output, errors = app.communicate()
        pytest.fail(f"the app did not exit within {EXIT_BOUND_S} s:\n{output}\n{errors[-3000:]}")
    assert app.returncode == 0, errors[-3000:]
    assert "export waits on the share" in output and "asked on the GUI thread: []" in output
    assert f"not exported: the session timeline into {folder}" in errors


def _results_shown_after(qtbot: QtBot, window: MainWindow, count: int) -> None:
    """Wait till ``count`` more results reach the window: the picture goes on."""
    shown: list[InferenceResult] = []
    window.controller.result_ready.connect(shown.append)
    try:
        qtbot.waitUntil(lambda: len(shown) >= count, timeout=WAIT_MS)
    finally:
        window.controller.result_ready.disconnect(shown.append)


def _record_into_share(qtbot: QtBot, window: MainWindow, gui_video: VideoTruth, folder: Path) -> RecordingRequest:
    """Start a recording into ``folder`` (while its share answers) that holds a face; its request."""
    play_saving_into(qtbot, window, gui_video.path, folder)
    wait_for_face_result(qtbot, window)
    window.record_action.trigger()
    request = wait_for_recording(qtbot, window)
    wait_until_recorded(qtbot, window)
    return request


def test_a_share_that_stops_answering_mid_recording_never_stops_the_picture(
    qtbot: QtBot,
    make_window: WindowFactory,
    gui_video: VideoTruth,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The video froze while the window answered: the inference thread wrote the recording's
    # frames itself, and each write's free-space check of the folder (statvfs) blocked on
    # the share, and the encoder's write with it.
    monkeypatch.setattr(recording_writer, "MAX_WAITING_FRAMES", 2)
    folder = tmp_path / "share" / "recordings"
    window = make_window()
    request = _record_into_share(qtbot, window, gui_video, folder)
    with DeadShare(tmp_path / "share").hang_up(monkeypatch) as share:
        qtbot.waitUntil(share.waiting.is_set, timeout=WAIT_MS)  # the recording's next write waits on the share
        _results_shown_after(qtbot, window, 10)
        # The frames that come meanwhile are not piled up for it: 2 wait, the rest are left out.
        writer = window.controller.inference._recording
        assert writer is not None, "the recording's writer has gone"
        qtbot.waitUntil(lambda: writer.dropped > 0, timeout=WAIT_MS)
        assert len(writer._waiting) == 2
        writer.not_answering_s = 2.0  # from now on, as if it had not answered for long
        qtbot.waitUntil(lambda: window.recording is None, timeout=WAIT_MS)
        assert window.notice_banner.text() == (
            f"Recording stopped: {folder} stopped answering (a write to it has not returned for 2 s: a network "
            "share whose server has gone?); what was recorded is finished there if it answers again"
        )
        assert not window.record_action.isChecked() and not window.rec_label.isVisible()
        _results_shown_after(qtbot, window, 10)  # and on after it
        assert share.asked_on_gui_thread == []
        share.back.set()  # the server is back: what was written is finished there, and plays
        qtbot.waitUntil(request.video_path.is_file, timeout=WAIT_MS)
    capture = cv2.VideoCapture(str(request.video_path))
    try:
        ok, frame = capture.read()
        assert ok and frame is not None and capture.get(cv2.CAP_PROP_FRAME_COUNT) > 0
    finally:
        capture.release()


def test_closing_during_a_recording_on_a_dead_share_exits_and_says_what_was_not_saved(
    qtbot: QtBot,
    make_window: WindowFactory,
    gui_video: VideoTruth,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Closing waited for ever: the inference thread, blocked on the share, never ended.
    monkeypatch.setattr(recording_writer, "NOT_ANSWERING_S", 2.0)
    folder = tmp_path / "share" / "recordings"
    window = make_window()
    request = _record_into_share(qtbot, window, gui_video, folder)
    with DeadShare(tmp_path / "share").hang_up(monkeypatch) as share:
        qtbot.waitUntil(share.waiting.is_set, timeout=WAIT_MS)
        with caplog.at_level(logging.WARNING):
            window.close()  # returns: the writer is left once it has not answered for 2 s
        assert not window.controller.is_running
        assert f"not saved: the recording {request.video_path} ({folder} stopped answering" in caplog.text
        assert share.asked_on_gui_thread == []


_RECORDING_INTO_A_DEAD_SHARE = """
import sys
from pathlib import Path
import pytest
from PyQt6.QtCore import QTimer
from emotion_app.gui import app as gui_app, recording_writer
from emotion_app.gui.main_window import MainWindow
from emotion_app.sources.specs import VideoFileSpec
from tests.gui_support import DeadShare

folder, video, settings = Path({folder!r}), Path({video!r}), {settings!r}
recording_writer.NOT_ANSWERING_S = {not_answering_s!r}
close_once_waiting = {close_once_waiting!r}  # else the exit waits for a signal
share = DeadShare(folder.parent)
real_create, real_shutdown = gui_app.create_main_window, MainWindow.shutdown


def shutdown(window, *args, **kwargs):
    print("the exit waits", flush=True)
    return real_shutdown(window, *args, **kwargs)


def when(condition, then):
    def look():
        if condition():
            then()
        else:
            QTimer.singleShot(50, look)
    QTimer.singleShot(0, look)


def create_and_record(options):
    window = real_create(options)
    writer = lambda: window.controller.inference._recording

    def hang_up():
        print("recording", window.recording.video_path, flush=True)
        share.hang_up(pytest.MonkeyPatch())
        when(share.waiting.is_set, waiting)

    def waiting():
        print("the recording waits on the share", flush=True)
        if close_once_waiting:
            window.close()

    def record():
        window.record_action.trigger()
        when(lambda: writer() is not None and writer().rows_written > 0, hang_up)

    window.start_source(VideoFileSpec(video, loop=True))
    window.set_output_folder(folder)
    answered = lambda: window.output_folder_checked() and window.dialog_folders_answered()
    face = lambda: window.view.result is not None and len(window.view.result.faces) > 0
    when(lambda: answered() and window.settings.output_dir == str(folder) and face(), record)
    return window


MainWindow.shutdown = shutdown
gui_app.create_main_window = create_and_record
sys.exit(gui_app.run(["--settings", settings]))
"""


class _AppRecordingIntoADeadShare:
    """The app in a child process, recording into a share that stops answering once a face is
    recorded; its stdout read line by line as it comes."""

    def __init__(self, gui_video: VideoTruth, tmp_path: Path, not_answering_s: float, close: bool) -> None:
        self.folder = tmp_path / "share" / "recordings"
        script = _RECORDING_INTO_A_DEAD_SHARE.format(
            folder=str(self.folder),
            video=str(gui_video.path),
            settings=str(tmp_path / "settings.ini"),
            not_answering_s=not_answering_s,
            close_once_waiting=close,
        )
        temp = tmp_path / "temp"
        temp.mkdir()
        importable = str(REPO)
        env = dict(
            os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path), PYTHONPATH=importable, **temp_folder_env(temp)
        )
        self.process = subprocess.Popen(
            [sys.executable, "-X", "faulthandler", "-c", script],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=REPO,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        self.errors: list[str] = []
        threading.Thread(target=self._read, args=(self.process.stdout, self.lines.put), daemon=True).start()
        self._errors_read = threading.Thread(target=self._read, args=(self.process.stderr, self.errors.append))
        self._errors_read.start()

    @staticmethod
    def _read(stream: Any, put: Any) -> None:
        for line in stream:
            put(line)

    def wait_for_line(self, start: str, timeout_s: float = EXIT_BOUND_S) -> str:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self.kill()
                pytest.fail(f"no {start!r} from the app within {timeout_s} s:\n{''.join(self.output)}\n{self.stderr}")
            self.output.append(line)
            if line.startswith(start):
                return line.strip()

    def wait(self, timeout_s: float) -> int | None:
        """The exit code, None if it ran on past ``timeout_s`` (then killed)."""
        try:
            code: int | None = self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            code = None
            self.kill()
        self._errors_read.join()
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    @property
    def stderr(self) -> str:
        return "".join(self.errors)


def _start_recording_into_a_dead_share(
    gui_video: VideoTruth, tmp_path: Path, not_answering_s: float, close: bool = False
) -> tuple[_AppRecordingIntoADeadShare, Path]:
    """The app, its recording's next write waiting on the share (then its window closed, if
    ``close``); and that recording's video."""
    app = _AppRecordingIntoADeadShare(gui_video, tmp_path, not_answering_s, close)
    video = Path(app.wait_for_line("recording ").removeprefix("recording "))
    app.wait_for_line("the recording waits on the share")
    return app, video


@pytest.mark.parametrize(
    ("signal_name", "quit_by"), [("SIGINT", "a signal"), ("SIGTERM", "a signal"), ("SIGINT", "the window closed")]
)
def test_a_second_signal_while_the_exit_waits_for_a_dead_share_exits_at_once(
    gui_video: VideoTruth, tmp_path: Path, signal_name: str, quit_by: str
) -> None:
    # A second Ctrl+C did nothing: the exit waited on for the recording's writer, up to its
    # 10 s (here 120 s) after the share stopped answering, in a QThread.wait where Python's
    # signal handler never ran. After the window closed, the first signal only says so: a
    # session manager's one SIGTERM must not lose a recording that would have been saved.
    import signal

    number = getattr(signal, signal_name)
    closed = quit_by == "the window closed"
    app, video = _start_recording_into_a_dead_share(gui_video, tmp_path, not_answering_s=120.0, close=closed)
    try:
        if not closed:
            app.process.send_signal(number)  # the first: the quit starts, and waits for the writer
        app.wait_for_line("the exit waits")
        time.sleep(1.0)  # into the exit's wait for the writer (its first second is a bounded one)
        if closed:
            app.process.send_signal(number)  # the first signal, the window already closed
        time.sleep(1.0)
        assert app.process.poll() is None, app.stderr
        sent = time.monotonic()
        app.process.send_signal(number)
        code = app.wait(timeout_s=10.0)
        took_s = time.monotonic() - sent
    finally:
        app.kill()
    again = "press Ctrl+C again" if signal_name == "SIGINT" else f"send {signal_name} again"
    assert [line for line in app.stderr.splitlines() if "quitting once" in line] == [
        f"{signal_name}: quitting once what is still being written is done; {again} to quit without waiting"
    ]
    assert code == 128 + number, f"exit code {code} after {took_s:.1f} s:\n{app.stderr[-3000:]}"
    assert took_s < 5.0, app.stderr[-3000:]
    told = [line for line in app.stderr.splitlines() if ": quit without waiting" in line]
    assert told == [
        f"{signal_name}: quit without waiting for what was still being written; not saved: the recording {video}"
    ]
    # Nothing half written took a file's name: what was being written stays in its
    # temporary (hidden, .part) files.
    assert not video.exists()
    assert all(is_unfinished(path) for path in app.folder.iterdir()), list(app.folder.iterdir())


def test_one_signal_still_waits_for_a_recording_on_a_dead_share(gui_video: VideoTruth, tmp_path: Path) -> None:
    import signal

    app, video = _start_recording_into_a_dead_share(gui_video, tmp_path, not_answering_s=6.0)
    try:
        app.process.send_signal(signal.SIGINT)
        code = app.wait(timeout_s=EXIT_BOUND_S)
    finally:
        app.kill()
    assert code == 0, app.stderr[-3000:]
    # Waited for the writer until it had not answered for its 6 s, then said so.
    assert f"not saved: the recording {video} ({app.folder} stopped answering" in app.stderr
    assert ": quit without waiting" not in app.stderr
    assert "SIGINT: quitting once what is still being written is done; press Ctrl+C again" in app.stderr


def _pictures_bytes(*results: InferenceResult) -> int:
    """What the saver counts for ``results``: the bytes of their pictures, each once."""
    pictures = {
        id(picture): picture.nbytes
        for result in results
        for picture in (result.image, result.annotated, result.display_image, result.shown_frame)
        if picture is not None
    }
    return sum(pictures.values())


def test_snapshots_waiting_for_several_dead_shares_share_one_bound_of_memory(
    qtbot: QtBot,
    make_window: WindowFactory,
    gui_video: VideoTruth,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The bound on the pictures waiting was a folder's: switching the output folder while
    # shares hung piled up that much again for each folder.
    first_folder, second_folder = tmp_path / "share" / "first", tmp_path / "share" / "second"
    local = tmp_path / "local"
    window = make_window()
    play_saving_into(qtbot, window, gui_video.path, first_folder)
    saver = window.snapshots
    saved: list[Path] = []
    saver.saved.connect(saved.append)
    saver.not_answering_s = 0.0  # (ten seconds in use) the share counts as gone at once
    with DeadShare(tmp_path / "share").hang_up(monkeypatch) as share:
        taken = [wait_for_face_result(qtbot, window)]
        asked = time.monotonic()
        saver.save_into(taken[-1], first_folder, datetime.now())  # the share holds it
        qtbot.waitUntil(share.waiting.is_set, timeout=WAIT_MS)
        for _ in range(5):
            taken.append(_next_result(qtbot, window, taken[-1]))
        saver.max_waiting_bytes = _pictures_bytes(taken[1], taken[2])  # room for two frames' alone
        saver.save_into(taken[1], first_folder, datetime.now())
        saver.save_into(taken[2], first_folder, datetime.now())  # the first folder holds all of it
        saver.save_into(taken[3], second_folder, datetime.now())  # the second's thread takes it...
        qtbot.waitUntil(lambda: not saver._lanes[second_folder].waiting, timeout=WAIT_MS)
        # ...and one waits: a folder with none waiting takes one.
        saver.save_into(taken[4], second_folder, datetime.now())
        assert window.notice_banner.text() == ""
        saver.save_into(taken[5], second_folder, datetime.now())  # another frame: over the bound of both together
        # The share's silence so far: 0 s, or more where a busy machine is slow to show the frames.
        silent = re.search(r"has not answered for (\d+) s", window.notice_banner.text())
        assert silent is not None and int(silent[1]) <= round(time.monotonic() - asked)
        assert window.notice_banner.text() == (
            f"Snapshot not saved: 2 snapshots waiting for {first_folder} hold most of the "
            f"{saver.max_waiting_bytes / (1 << 20):g} MiB kept for snapshots waiting to be written, and it has not "
            f"answered for {silent[1]} s (a network share whose server has gone?); another is taken for "
            f"{second_folder} once the 1 waiting for it is written."
        )
        assert window.notice_banner.level == "error"
        # A folder that answers is not held up by the memory the dead share's snapshots hold.
        saver.save_into(taken[5], local, datetime.now())
        qtbot.waitUntil(lambda: [path.parent for path in saved] == [local], timeout=WAIT_MS)
        assert share.asked_on_gui_thread == []
        share.back.set()  # the server is back: those taken are written, no more
        qtbot.waitUntil(lambda: len(saved) == 6, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: _snapshot_threads() == 0, timeout=WAIT_MS)
    assert len(list(first_folder.iterdir())) == 3 and len(list(second_folder.iterdir())) == 2


class _WatchedLock:
    """A reentrant lock that tells (:attr:`wanted`) when a snapshot's thread asks for it
    once :attr:`after` is set; the rest as ``threading.RLock``, for a Condition around it."""

    def __init__(self, after: threading.Event) -> None:
        self.after, self.wanted = after, threading.Event()
        self._lock = threading.RLock()
        self._release_save = self._lock._release_save  # type: ignore[attr-defined]
        self._acquire_restore = self._lock._acquire_restore  # type: ignore[attr-defined]
        self._is_owned = self._lock._is_owned  # type: ignore[attr-defined]

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if threading.current_thread().name == "snapshot" and self.after.is_set():
            self.wanted.set()
        return self._lock.acquire(blocking, timeout)

    def release(self) -> None:
        self._lock.release()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *_exc: object) -> None:
        self.release()


def test_a_snapshot_written_as_the_exit_gives_its_share_up_is_told_once_and_truly(
    qtbot: QtBot,
    make_window: WindowFactory,
    gui_video: VideoTruth,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The writing thread looked at whether the exit had given it up, then told the window:
    # the exit could give it up in between. Stderr then said "not saved" of a snapshot that
    # was saved, and "Saved snapshot" went to a window that had gone (lost, at an exit).
    window, folder = window_saving_into_a_share(qtbot, make_window, gui_video.path, tmp_path)
    saver = window.snapshots
    saved: list[Path] = []
    saver.saved.connect(saved.append)
    saver.not_answering_s = 0.0  # (ten seconds in use) the share counts as gone at once
    written, closing = threading.Event(), threading.Event()
    lock = _WatchedLock(written)
    saver._lock = threading.Condition(lock)  # type: ignore[arg-type]
    real_replace, real_not_answering = os.replace, snapshot._Lane.not_answering

    def replace(source: Any, target: Any) -> None:
        real_replace(source, target)
        if threading.current_thread().name == "snapshot":
            written.set()

    def not_answering(lane: snapshot._Lane, now: float, limit_s: float) -> bool:
        given_up = real_not_answering(lane, now, limit_s)
        if given_up and closing.is_set() and threading.current_thread() is threading.main_thread():
            closing.clear()
            # The exit has given the share up; now it answers, and the snapshot is written
            # before the exit says so: the thread goes on till it asks for the saver's lock.
            share.back.set()
            assert lock.wanted.wait(WAIT_MS / 1000)
        return given_up

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(snapshot._Lane, "not_answering", not_answering)
    with DeadShare(tmp_path / "share").hang_up(monkeypatch) as share:
        wait_for_face_result(qtbot, window)
        window.snapshot_action.trigger()
        qtbot.waitUntil(share.waiting.is_set, timeout=WAIT_MS)
        closing.set()
        with caplog.at_level(logging.WARNING, logger="emotion_app.gui.snapshot"):
            window.close()
            qtbot.waitUntil(lambda: _snapshot_threads() == 0, timeout=WAIT_MS)
            QCoreApplication.processEvents()  # what the thread sent the window, if anything
    assert not closing.is_set()  # the interleaving above took place
    (file,) = folder.iterdir()
    unsaved = [message for message in caplog.messages if message.startswith("not saved")]
    # Told once, and truly: given up by the exit, then saved after all (only the log is left).
    assert len(unsaved) == 1 and saved == []
    assert f"after the window closed, a snapshot was saved after all: {file}" in caplog.messages


class _LogHeldByTheGuiThread(logging.Handler):
    """A log handler whose lock the GUI thread holds while it writes a line, as a stream
    handler's is held while it writes to stderr; a signal's handler may run on the GUI
    thread right then. A snapshot's thread asking for it says so (:attr:`arrived`) and waits
    at most :attr:`patience_s` (:attr:`gave_up`), where a real one would wait for ever.
    :attr:`while_held` runs on the GUI thread once, while it writes a "not saved" line."""

    patience_s = 5.0

    def __init__(self, while_held: Callable[[], None]) -> None:
        super().__init__(logging.WARNING)
        self.arrived = threading.Event()
        self.gave_up = False
        self._while_held: Callable[[], None] | None = while_held
        self._held = threading.local()

    def acquire(self) -> None:
        assert self.lock is not None
        if threading.current_thread().name != "snapshot":
            self.lock.acquire()
            return
        self.arrived.set()
        self._held.held = self.lock.acquire(timeout=self.patience_s)
        self.gave_up = self.gave_up or not self._held.held

    def release(self) -> None:
        assert self.lock is not None
        if getattr(self._held, "held", True):
            self.lock.release()

    def emit(self, record: logging.LogRecord) -> None:
        if threading.current_thread() is threading.main_thread() and record.getMessage().startswith("not saved"):
            while_held, self._while_held = self._while_held, None
            if while_held is not None:
                while_held()


def test_a_second_signal_while_the_exit_logs_a_snapshot_unsaved_never_deadlocks(
    qtbot: QtBot,
    make_window: WindowFactory,
    gui_video: VideoTruth,
    tmp_path: Path,
) -> None:
    # The writing thread logged "saved after all" holding the saver's lock. Had the exit's
    # GUI thread just been writing a "not saved" line (a log handler's lock held) when a
    # second Ctrl+C came, the handler asked the saver what was unsaved, under its lock: each
    # thread waited for the other's lock, and the process hung till SIGKILL.
    window, folder = window_saving_into_a_share(qtbot, make_window, gui_video.path, tmp_path)
    window.snapshots.not_answering_s = 0.0  # (ten seconds in use) the share counts as gone at once
    asked: list[tuple[float, list[str]]] = []

    def second_signal() -> None:
        # The exit has given the share up and says so; the share answers now, and the
        # snapshot's thread, its file written, goes to log so.
        share.back.set()
        assert held.arrived.wait(WAIT_MS / 1000)
        start = time.monotonic()
        told = quitting.unsaved_now()  # what the second signal's handler asks first (exit_now)
        asked.append((time.monotonic() - start, told))

    held = _LogHeldByTheGuiThread(second_signal)
    logger = logging.getLogger("emotion_app.gui.snapshot")
    logger.addHandler(held)
    try:
        with DeadShare(tmp_path / "share").hang_up(pytest.MonkeyPatch()) as share:
            wait_for_face_result(qtbot, window)
            window.snapshot_action.trigger()
            qtbot.waitUntil(share.waiting.is_set, timeout=WAIT_MS)
            window.close()
            qtbot.waitUntil(lambda: _snapshot_threads() == 0, timeout=WAIT_MS)
    finally:
        logger.removeHandler(held)
    assert len(asked) == 1, "the interleaving above took place"
    took_s, told = asked[0]
    # Deadlocked, it waited out the log handler's 5 s patience (gave_up), for good for real.
    assert not held.gave_up and took_s < 2.5, f"the handler waited {took_s:.1f} s for the saver's lock"
    # The snapshot was written: not among what a forced exit would leave unsaved.
    assert not [what for what in told if "snapshot" in what], told
    assert len(list(folder.iterdir())) == 1


def test_ctrl_c_while_a_snapshot_waits_for_a_dead_share_says_a_second_quits_at_once(
    qtbot: QtBot,
    make_window: WindowFactory,
    gui_video: VideoTruth,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    # The window's outputs were known to the signal's handler only once the window had begun
    # closing: a first Ctrl+C while a snapshot waited for a dead share said nothing (the exit
    # then waited up to 10 s for it), and a second one before the close began said "nothing
    # was left unsaved" of it.
    import signal

    quitting.reset()  # as a new application does: no exit under way
    window, folder = window_saving_into_a_share(qtbot, make_window, gui_video.path, tmp_path)
    with DeadShare(tmp_path / "share").hang_up(monkeypatch) as share:
        wait_for_face_result(qtbot, window)
        window.snapshot_action.trigger()
        qtbot.waitUntil(share.waiting.is_set, timeout=WAIT_MS)
        capfd.readouterr()
        # What the first signal's handler says (gui/app), then what a second one would name.
        quitting.tell_waiting(signal.SIGINT)
        told = quitting.unsaved_now()
        assert not quitting.is_exiting()
    errors = capfd.readouterr().err
    assert (
        "SIGINT: quitting once what is still being written is done; press Ctrl+C again to quit without waiting"
        in errors.splitlines()
    ), errors
    snapshots = [what for what in told if "snapshot" in what]
    assert len(snapshots) == 1, told
    assert re.fullmatch(rf"not saved: a snapshot taken at \d\d:\d\d:\d\d for {re.escape(str(folder))}", snapshots[0])
