"""scripts/gui_monkey.py: random use of the real window leaves the app working and every
input as it was (no exception escaping a slot or thread, no failed frame, threads that
stop, no half-written file). Its figures (stalls, call times) are the script's to print."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from PyQt6.QtCore import QThread, QTimer
from pytestqt.qtbot import QtBot

from emotion_app.gui.camera_picker import CameraDevice
from emotion_app.samples import VideoTruth
from scripts.gui_monkey import ACTIONS, FaultLog, answer_dialogs, make_inputs, timeline_ticks_wrong
from tests.gui_support import WAIT_MS, CameraBench, WindowFactory, run_gui_script


def test_random_use_of_the_window_leaves_the_app_working(random_weights: Path) -> None:
    completed = run_gui_script(
        "gui_monkey",
        "--weights",
        str(random_weights),
        "--actions",
        "150",
        "--seed",
        "3",
        # A freeze, not a figure: a loaded CI machine may stall for a second.
        "--max-stall-ms",
        "5000",
        "--messages",
        "--timeline-moves",
        timeout=600,
    )
    output = completed.stdout
    assert completed.returncode == 0, output + completed.stderr[-3000:]
    assert "150 random actions (seed 3)" in output
    assert re.search(r"timeline in its own window \d+", output) and re.search(
        r"dock the timeline at a side \d+", output
    )
    assert "plays a good video at the end: yes" in output
    assert "threads stopped at close: yes" in output
    assert "faults: 0; half-written files: 0; changed inputs: 0" in output
    # What its banners said, one line each, for a reader to judge.
    shown = output.split("messages shown: ", 1)[1].split("\nplays a good video", 1)[0].splitlines()
    assert int(shown[0]) > 0 and all(re.fullmatch(r"  \d+ x (info|warning|error): .+", line) for line in shown[1:])
    assert sum(int(line.split(" x ", 1)[0]) for line in shown[1:]) == int(shown[0])
    assert output.rstrip().endswith("result: passed")


def test_an_object_used_from_a_thread_it_does_not_live_on_is_a_fault(qtbot: QtBot) -> None:
    # The recording writers' watch stopped its timer from the GUI thread in every run, and
    # each run passed: Qt only said so on stderr.
    thread = QThread()
    thread.start()
    timer = QTimer()
    timer.moveToThread(thread)
    try:
        with FaultLog() as log:
            timer.start(60_000)  # from here, the GUI thread: not the timer's
        assert len(log.faults) == 1
        assert log.faults[0].startswith(
            "Qt on thread MainThread: QObject::startTimer: Timers cannot be started from another thread"
        )
    finally:
        thread.quit()
        thread.wait()


def test_the_saves_it_asks_for_never_make_its_missing_file(
    make_window: WindowFactory, tmp_path: Path, random_weights: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its saves went into the folder of its missing file (the output folder set to that
    # file's path, recordings and snapshots to it): once made, "open a missing video" and
    # "missing weights" opened a folder or a recording for the rest of the run.
    inputs = make_inputs(tmp_path, None, random_weights)
    window = make_window()
    rng = random.Random(0)
    answer_dialogs(window, rng, inputs)
    chosen: list[Path] = []
    monkeypatch.setattr(window, "set_output_folder", lambda folder: chosen.append(Path(folder)))
    for _ in range(100):
        chosen.append(Path(window.ask_save_path("", "", "")))
        chosen.append(Path(window.ask_folder_path("", "")))
        ACTIONS["output folder"](window, rng, inputs)
    missing_folder = inputs.missing.parent
    assert not [path for path in chosen if path == missing_folder or missing_folder in path.parents]
    assert any(path.parent.parent == tmp_path / "unmade" for path in chosen)  # missing folders are still asked for


def test_its_saves_while_a_camera_plays_never_name_an_input(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, random_weights: Path, gui_video: VideoTruth
) -> None:
    # With no file played (a camera running) its "file being played" answer was its good
    # video: "Record to" it replaced that input, as a user may replace any file the dialog
    # asked them about, and the run failed on "input changed" (seed 5912 of --cameras).
    inputs = make_inputs(tmp_path, None, random_weights)
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window = make_window(devices=[CameraDevice("Desk Webcam", 0)], source_factory=bench)
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    answer_dialogs(window, random.Random(0), inputs)
    answers = {Path(window.ask_save_path("", "", "")) for _ in range(100)}
    assert not answers & set(inputs.originals())
    assert any(path.parent == inputs.output for path in answers)  # still answered with saves


def test_random_use_with_cameras_and_settings_trouble_leaves_the_app_working(random_weights: Path) -> None:
    # --cameras and --settings-trouble: cameras plugged and picked, banner buttons clicked,
    # links and a folder in the settings file's place; the same checks, and each put there
    # kept. This seed put a folder, then a chain: Qt wrote the settings it could not write
    # over the folder through the chain (8448d5b), the file at its end an input changed.
    completed = run_gui_script(
        "gui_monkey",
        "--weights",
        str(random_weights),
        "--actions",
        "80",
        "--seed",
        "5915",
        "--max-stall-ms",
        "5000",
        "--cameras",
        "--settings-trouble",
        timeout=600,
    )
    output = completed.stdout
    assert completed.returncode == 0, output + completed.stderr[-3000:]
    assert re.search(r"plug cameras \d+", output) and re.search(r"break the settings file \d+", output)
    assert "faults: 0; half-written files: 0; changed inputs: 0" in output
    assert output.rstrip().endswith("result: passed")


def test_view_ticks_that_disagree_with_the_timeline_are_a_fault(qtbot: QtBot, make_window: WindowFactory) -> None:
    # Each run checks after every action that View's ticks say where the panel is.
    window = make_window()
    assert timeline_ticks_wrong(window) is None
    window.timeline_side_actions["left"].setChecked(True)  # ticked so, the panel still at the bottom
    assert timeline_ticks_wrong(window) == "View ticks the timeline docked at left, it is docked at bottom"
    window.timeline_dock.dock_at("left")
    assert timeline_ticks_wrong(window) is None
    window.timeline_panel.setFloating(True)  # as its float button does
    assert timeline_ticks_wrong(window) is None
    window.timeline_floating_action.setChecked(False)
    assert timeline_ticks_wrong(window) == "View ticks the timeline docked at left, it is floating at left"
