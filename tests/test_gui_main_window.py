"""The real main window on the offscreen platform, fed by an astronaut video.

Real worker threads, real Haar detector and a real (randomly initialised) model: frames
arrive, results arrive, the overlay paints over the face, the bars toggle beside it,
snapshots and recordings are written, settings persist, and closing stops every thread.
"""

from __future__ import annotations

import csv
import dataclasses
import inspect
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
from PyQt6.QtCore import QRectF, QSettings, Qt
from PyQt6.QtWidgets import QApplication, QToolBar
from pytestqt.qtbot import QtBot

from emotion_app.gui.camera_picker import CameraDevice
from emotion_app.gui.main_window import MainWindow
from emotion_app.gui.messages import InferenceResult
from emotion_app.gui.mnemonics import plain
from emotion_app.gui.settings import AppSettings
from emotion_app.inference.steadiness import DEFAULT_STEADINESS_LEVEL, STEADINESS_LEVELS
from emotion_app.io.overlay import PillowText
from emotion_app.io.overlay_layout import layout_overlay
from emotion_app.samples import SIX_LABELS, VideoTruth, write_astronaut_video
from emotion_app.sources.specs import VideoFileSpec
from tests.gui_support import (
    REPO,
    WAIT_MS,
    CameraBench,
    WindowFactory,
    WindowOptions,
    active_weights_of,
    changed_fraction,
    grab_view,
    menu_bar,
    model_status_of,
    play_looping,
    shown_result,
    submenus,
    wait_for_face_result,
    wait_until_stopped,
)


def test_the_window_factory_type_names_make_windows_options_and_defaults(make_window: WindowFactory) -> None:
    # mypy checks each make_window(...) call against WindowFactory, not against the fixture
    # itself: a default or an option changed in one and not the other would go unseen.
    def options(call: Callable[..., MainWindow]) -> list[tuple[str, object, object]]:
        parameters = inspect.signature(call).parameters.values()
        return [(p.name, p.annotation, p.default) for p in parameters if p.name != "self"]

    assert options(WindowFactory.__call__) == options(make_window)
    # WindowOptions, which window_showing passes on, names the same options but camera, of
    # the same types (as written: these modules' annotations are strings, unevaluated).
    passed_on = {name: annotation for name, annotation, _ in options(WindowFactory.__call__) if name != "camera"}
    assert {name: hint.__forward_arg__ for name, hint in WindowOptions.__annotations__.items()} == passed_on


def face_rect_in_view(window: MainWindow, result: InferenceResult) -> QRectF:
    return window.view.map_box(result.faces[0].box)


def test_frames_and_results_arrive_from_a_video(qtbot: QtBot, make_window: WindowFactory, tmp_path: Path) -> None:
    # Unpaced, the file waits for inference: between two results the face moves one frame's
    # step however slow the machine (paced, a busy one skips frames and the face jumps
    # ahead of its track), and 90 frames outlast the test.
    video = write_astronaut_video(
        tmp_path / "astronaut.avi", num_frames=90, frame_size=(320, 240), face_size=80, motion="move", fps=15.0
    )
    window = make_window()
    window.start_source(VideoFileSpec(video.path, pace=False))
    qtbot.waitUntil(lambda: window.model_status is not None, timeout=WAIT_MS)
    assert model_status_of(window).ok and model_status_of(window).labels == SIX_LABELS
    # The status bar names the model in use for good, its classes in order in the tooltip.
    weights = active_weights_of(window)
    assert window.status.model_label.text().startswith(f"Model {weights.stem} (6 classes")
    assert ", ".join(SIX_LABELS) in window.status.model_label.toolTip()
    result = wait_for_face_result(qtbot, window)
    assert result.image.shape == (240, 320, 3)
    assert result.labels == SIX_LABELS
    face = result.faces[0]
    assert face.label in SIX_LABELS and len(face.probabilities) == 6
    assert abs(sum(face.probabilities) - 1.0) < 1e-3
    # The detected box lies on the astronaut's face in that frame.
    ((tx, ty, tw, th),) = video.faces[result.frame_index]
    x, y, w, h = face.box
    assert abs((x + w / 2) - (tx + tw / 2)) < tw / 3 and abs((y + h / 2) - (ty + th / 2)) < th / 3
    # Later frames keep arriving, and the face keeps its track id while it is tracked.
    first_index, track_id = result.frame_index, face.track_id
    qtbot.waitUntil(lambda: shown_result(window).frame_index >= first_index + 5, timeout=WAIT_MS)
    later = shown_result(window)
    assert [f.track_id for f in later.faces] == [track_id]
    assert window.is_running and window.windowTitle().endswith(video.path.name)


def test_the_overlay_paints_over_the_face_and_the_bars_beside_it(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    window = make_window(video=gui_video.path)
    wait_for_face_result(qtbot, window)
    wait_until_stopped(qtbot, window)  # the video ends; its last frame stays on screen
    result = window.view.result
    assert result is not None and result.faces
    face_rect = face_rect_in_view(window, result)

    window.set_show_bars(False)
    with_boxes = grab_view(window)
    window.view.set_result(dataclasses.replace(result, faces=()))
    bare = grab_view(window)
    window.view.set_result(result)
    # The box outline and its tag change the pixels on and around the face.
    assert changed_fraction(bare, with_boxes, face_rect.adjusted(-4, -4, 4, 4)) > 0.05

    (drawn,) = layout_overlay(result.faces, result.labels, result.width, result.height, True, PillowText())
    assert drawn.chart is not None
    chart = window.view.map_box(drawn.chart.rect)
    window.bars_action.trigger()  # the menu/toolbar action, as a user would
    assert window.view.show_bars
    with_bars = grab_view(window)
    assert changed_fraction(with_boxes, with_bars, chart) > 0.2
    assert changed_fraction(with_boxes, with_bars, face_rect.adjusted(3, 3, -3, -3)) < 0.2 or chart.intersects(
        face_rect
    )
    # Pressing B (the shortcut) turns them off again.
    qtbot.keyClick(window, Qt.Key.Key_B)
    assert not window.view.show_bars
    assert changed_fraction(with_boxes, grab_view(window), chart) < 0.01


def test_bars_and_steadiness_are_remembered_between_runs(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, settings_path: Path
) -> None:
    window = make_window(video=gui_video.path)
    assert window.bars_action.isChecked()  # on by default
    assert window.steadiness_box.currentData() == DEFAULT_STEADINESS_LEVEL
    window.bars_action.trigger()
    window.steadiness_box.setCurrentIndex(window.steadiness_box.findData("high"))
    window.close()
    stored = AppSettings.at_path(settings_path)
    assert stored.show_bars is False and stored.steadiness == "high"
    again = make_window(video=gui_video.path)
    assert not again.bars_action.isChecked() and not again.view.show_bars
    assert again.steadiness_box.currentData() == "high"
    assert again.steadiness_box.currentText() == "High"


@pytest.mark.parametrize(
    ("stored", "level"),
    [
        (0.6, "medium"),
        (0.0, "off"),
        (0.3, "low"),
        (0.95, "high"),
        ("garbage", DEFAULT_STEADINESS_LEVEL),
        (7.5, DEFAULT_STEADINESS_LEVEL),
    ],
)
def test_an_old_smoothing_setting_migrates_to_a_steadiness_level(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, settings_path: Path, stored: object, level: str
) -> None:
    old = QSettings(str(settings_path), QSettings.Format.IniFormat)
    old.setValue("overlay/smoothing", stored)  # what versions with the smoothing slider wrote
    old.sync()
    window = make_window(video=gui_video.path)
    assert window.steadiness_box.currentData() == level
    window.close()
    stored_now = QSettings(str(settings_path), QSettings.Format.IniFormat)
    assert stored_now.value("overlay/steadiness") == level
    assert not stored_now.contains("overlay/smoothing")  # migrated once, then gone


def test_a_bad_stored_steadiness_falls_back_to_the_default(settings_path: Path) -> None:
    store = QSettings(str(settings_path), QSettings.Format.IniFormat)
    store.setValue("overlay/steadiness", "wobbly")
    assert AppSettings(store).steadiness == DEFAULT_STEADINESS_LEVEL


def test_keyboard_focus_does_not_start_on_the_steadiness_control(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    window = make_window(video=gui_video.path)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=WAIT_MS)
    assert QApplication.focusWidget() is window.view
    assert not window.steadiness_box.hasFocus()


def test_status_bar_shows_rates_latency_and_drops(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    window = make_window()
    play_looping(window, gui_video.path)  # 2 s: a rate is told once 2 s of frames are counted
    wait_for_face_result(qtbot, window)
    # A rate, not "Display –" (which it reads till then) nor "Display 0.0 fps".
    qtbot.waitUntil(
        lambda: re.fullmatch(r"Display [1-9]\d*\.\d fps", window.status.display_label.text()) is not None,
        timeout=WAIT_MS,
    )
    qtbot.waitUntil(lambda: "ms (p95" in window.status.latency_label.text(), timeout=WAIT_MS)
    assert window.status.inference_label.text().startswith("Inference ")
    assert window.status.dropped_label.text().startswith("Dropped ")
    assert len(window.stats.latency_ms) > 0 and window.stats.latency_ms.percentile(50) > 0


def test_snapshot_writes_the_annotated_frame_as_png(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path
) -> None:
    window = make_window(video=gui_video.path)
    result = wait_for_face_result(qtbot, window)
    saved = window.save_snapshot(tmp_path / "shot")
    assert saved.suffix == ".png" and saved.is_file()
    image = cv2.imread(str(saved))
    assert image is not None and image.shape == result.image.shape
    # The overlay is burnt in: the snapshot differs from the raw frame around the face.
    x, y, w, h = result.faces[0].box
    y0, x0 = max(0, y - 3), max(0, x - 3)
    region = (slice(y0, y + h + 3), slice(x0, x + w + 3))
    assert np.abs(image[region].astype(int) - result.image[region].astype(int)).max() > 60
    # The menu action's path: encoded on a pool thread, announced on the GUI thread.
    with qtbot.waitSignal(window.snapshots.saved, timeout=WAIT_MS) as saved_signal:
        window.snapshots.save(result, tmp_path / "async.png")
    assert saved_signal.args[0] == tmp_path / "async.png"
    written = cv2.imread(str(tmp_path / "async.png"))
    assert written is not None and written.shape == result.image.shape


def test_a_snapshot_that_cannot_be_written_names_itself_once(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path
) -> None:
    # Was: "could not write snapshot: snapshot …/shot.png is a folder; …" (the word twice),
    # and a folder blocked by a file raised mkdir's bare "[Errno 17] File exists: '…'".
    window = make_window(video=gui_video.path)
    result = wait_for_face_result(qtbot, window)
    folder = tmp_path / "shot.png"
    folder.mkdir()
    (folder / "kept.txt").write_text("kept")
    blocker = tmp_path / "blocker"
    blocker.write_text("kept")

    def banner_says(text: str) -> Callable[[], bool]:
        return lambda: window.notice_banner.text() == text

    for target in (folder, blocker / "shot.png", blocker / "sub" / "shot.png"):
        with pytest.raises(OSError) as raised:
            window.save_snapshot(target)
        message = str(raised.value)
        assert message.startswith(f"Snapshot refused: its file {target}"), message
        assert message.replace(str(tmp_path), "").lower().count("snapshot") == 1, message
        # The menu's snapshot, refused for the same reason, says so in the same words.
        window.snapshots.save(result, target)
        qtbot.waitUntil(banner_says(message), timeout=WAIT_MS)
    assert [path.name for path in folder.iterdir()] == ["kept.txt"] and blocker.read_text() == "kept"


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX file size limit stands in for a failing disk")
def test_a_snapshot_whose_write_fails_names_itself_once(tmp_path: Path) -> None:
    # Was: "could not write snapshot: …/shot.png: could not write (File too large)", the
    # failure said twice, where the write itself fails (past every check made before it).
    target = tmp_path / "shot.png"
    child = f"""
import resource, signal
from pathlib import Path
import numpy as np
from emotion_app.gui.messages import InferenceResult
from emotion_app.gui.snapshot import save_snapshot
from emotion_app.samples import SIX_LABELS

noise = np.random.default_rng(0).integers(0, 256, (240, 320, 3), dtype=np.uint8)  # a PNG of ~230 KB
result = InferenceResult(1, 0, noise, noise, noise, (), SIX_LABELS, 0.0, 0.0, 0.0)
# Files of at most 4 KiB from now on: the PNG's write fails (EFBIG), as on a failing disk.
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
try:
    save_snapshot(result, Path({str(target)!r}))
except OSError as exc:
    print(exc)
"""
    done = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.stdout.strip() == f"Snapshot not saved: {target}: could not write (File too large)", done
    assert list(tmp_path.iterdir()) == []  # nor a part of it left beside


def test_a_snapshot_named_as_a_folder_raises_oserror_as_its_docstring_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: save_snapshot("") and (".") raised ValueError ("PosixPath('.') has an empty
    # name"), where its docstring says OSError; ".." and "shots/.." wrote a file "...png".
    from emotion_app.gui.snapshot import save_snapshot

    monkeypatch.chdir(tmp_path)  # the relative names are in it
    (tmp_path / "shots").mkdir()
    picture = np.full((120, 160, 3), 128, np.uint8)
    result = InferenceResult(1, 0, picture, picture, picture, (), SIX_LABELS, 0.0, 0.0, 0.0)
    for given in ("", ".", "..", f"shots{os.sep}", f"shots{os.sep}..", Path("."), Path("shots/..")):
        with pytest.raises(OSError) as raised:
            save_snapshot(result, given)
        shown = str(given) or '""'
        assert str(raised.value) == f"Snapshot refused: {shown} names a folder, not a file to save to"
    assert sorted(path.name for path in tmp_path.rglob("*")) == ["shots"]
    assert save_snapshot(result, f"shots{os.sep}x") == Path("shots", "x.png")  # and a name still saves


def test_a_snapshot_name_is_read_as_record_to_reads_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Was: "photo." saved photo..png, "x.png." x.png..png, and ".png" a hidden .png (".jpg"
    # a hidden .jpg.png), where Record to… drops trailing dots and refuses a type alone.
    from emotion_app.gui.snapshot import save_snapshot

    monkeypatch.chdir(tmp_path)  # the relative names are in it
    picture = np.full((120, 160, 3), 128, np.uint8)
    result = InferenceResult(1, 0, picture, picture, picture, (), SIX_LABELS, 0.0, 0.0, 0.0)
    refused: dict[str | Path, str] = {
        ".png": ".png",
        "..png": "..png",
        ".PNG.": ".PNG",
        ".jpg": ".jpg",
        Path("shots", ".png"): ".png",
    }
    for given, kind in refused.items():
        with pytest.raises(OSError) as raised:
            save_snapshot(result, given)
        assert str(raised.value) == f"Snapshot refused: {given} has no name before {kind}"
    assert list(tmp_path.iterdir()) == []
    saved = {given: save_snapshot(result, given) for given in ("photo.", "x.png.", "y.jpg..", "z.PNG.")}
    assert saved == {
        "photo.": Path("photo.png"),
        "x.png.": Path("x.png"),
        "y.jpg..": Path("y.png"),
        "z.PNG.": Path("z.PNG"),
    }
    assert sorted(path.name for path in tmp_path.iterdir()) == ["photo.png", "x.png", "y.png", "z.PNG"]
    assert all(cv2.imread(str(path)) is not None for path in saved.values())


def test_recording_writes_an_annotated_video_and_the_per_face_csv(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path
) -> None:
    window = make_window(video=gui_video.path)
    wait_for_face_result(qtbot, window)
    request = window.start_recording(tmp_path / "rec.avi")
    assert request is not None, "the recording was refused"
    assert request.csv_path == tmp_path / "rec.csv"
    with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS) as finished:
        wait_until_stopped(qtbot, window)  # the video ends, which finishes the recording
    summary = finished.args[0]
    assert summary.error == "" and summary.frames_written > 0 and summary.rows_written > 0
    capture = cv2.VideoCapture(str(request.video_path))
    assert capture.isOpened() and int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == summary.frames_written
    capture.release()
    with request.csv_path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == summary.rows_written
    assert set(SIX_LABELS) <= set(rows[0])  # one probability column per class
    assert not window.record_action.isChecked()


def test_closing_stops_every_thread_promptly(qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth) -> None:
    window = make_window(video=gui_video.path)
    wait_for_face_result(qtbot, window)
    controller = window.controller
    assert controller.capture_thread.isRunning() and controller.inference_thread.isRunning()
    started = time.perf_counter()
    window.close()
    assert time.perf_counter() - started < 3.0  # a thread that does not stop holds the close for good
    assert not controller.capture_thread.isRunning() and not controller.inference_thread.isRunning()
    assert not controller.capture.has_source  # the file (or camera) is released


def test_stop_and_start_again(qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth) -> None:
    window = make_window(video=gui_video.path)
    wait_for_face_result(qtbot, window)
    # Stopped a third of the way in: the mailbox keeps only the newest frame, so on loaded
    # cores the replay's first frames may go unshown, but not all of its first ten.
    qtbot.waitUntil(lambda: shown_result(window).frame_index >= 10, timeout=WAIT_MS)
    window.start_stop_action.trigger()
    qtbot.waitUntil(lambda: not window.controller.capture.has_source, timeout=WAIT_MS)
    assert window.start_stop_action.text() == "Start"
    index = shown_result(window).frame_index
    window.start_stop_action.trigger()
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    # Start replays the file from its beginning.
    qtbot.waitUntil(lambda: shown_result(window).frame_index < index, timeout=WAIT_MS)
    assert window.start_stop_action.text() == "Stop"


def test_start_stop_sits_in_the_playback_menu_and_the_toolbar(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # It was the View menu's first item: a menu of how the picture looks, not where a user
    # looks for starting or stopping the camera or video.
    window = make_window(video=gui_video.path)
    menus = submenus(menu_bar(window))
    holding = [title for title, menu in menus.items() if window.start_stop_menu_action in menu.actions()]
    assert holding == ["&Playback"]
    assert menus["&Playback"].actions()[0] is window.start_stop_menu_action
    toolbar = window.findChild(QToolBar, "controls")
    assert window.start_stop_action in toolbar.actions()
    button = toolbar.widgetForAction(window.start_stop_action)
    assert button is not None and button.isVisible()


def _playback_entries(window: MainWindow) -> list[str]:
    """The Playback menu's entries a user sees: each text, with its shortcut if any."""
    bar = window.menuBar()
    assert bar is not None
    menu = next(action.menu() for action in bar.actions() if action.text() == "&Playback")
    assert menu is not None
    return [
        f"{plain(action.text())} {action.shortcut().toString()}".strip()
        for action in menu.actions()
        if action.isVisible() and not action.isSeparator()
    ]


def test_the_playback_menu_says_stop_once_for_a_camera(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # A camera's menu read "Stop", then "Stop  Space": Start/Stop, and Play/Pause (which
    # starts and stops a camera) with its text. A file's menu keeps both: they differ.
    bench = CameraBench(gui_video.path, good_frames=1_000_000)
    window = make_window(devices=[CameraDevice("Desk camera", 0)], source_factory=bench)
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    assert _playback_entries(window) == ["Stop Space", "Back Left", "Forward Right", "Restart Home"]
    toolbar = window.findChild(QToolBar, "controls")
    button = toolbar.widgetForAction(window.start_stop_action)
    assert button is not None and button.isVisibleTo(window) and window.start_stop_action.text() == "Stop"
    window.activateWindow()
    qtbot.waitActive(window)
    qtbot.keyClick(window.view, Qt.Key.Key_Space)  # Space still stops the camera
    qtbot.waitUntil(lambda: not window.controller.capture.has_source, timeout=WAIT_MS)
    assert _playback_entries(window) == ["Start Space", "Back Left", "Forward Right", "Restart Home"]
    window.open_video(gui_video.path)
    qtbot.waitUntil(lambda: window.is_running and window.is_file, timeout=WAIT_MS)
    assert _playback_entries(window) == ["Stop", "Pause Space", "Back Left", "Forward Right", "Restart Home"]


def test_the_playback_menu_has_one_entry_that_plays_a_file_not_playing(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # A finished or stopped file's menu read "Start", then "Play  Space": two entries that
    # both played it again from its start (the toolbar had shown Start alone since 5961b8a).
    window = make_window(video=gui_video.path)
    qtbot.waitUntil(lambda: window.source_state.ended, timeout=WAIT_MS)  # the 2 s clip played to its end
    assert _playback_entries(window) == ["Start Space", "Back Left", "Forward Right", "Restart Home"]
    window.activateWindow()
    qtbot.waitActive(window)
    qtbot.keyClick(window.view, Qt.Key.Key_Space)  # Space plays the finished file again
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    # Open, the two differ (Stop lets go of the file, Pause holds the frame): both listed.
    assert _playback_entries(window) == ["Stop", "Pause Space", "Back Left", "Forward Right", "Restart Home"]
    window.start_stop_menu_action.trigger()
    qtbot.waitUntil(lambda: not window.source_state.active, timeout=WAIT_MS)
    assert _playback_entries(window) == ["Start Space", "Back Left", "Forward Right", "Restart Home"]
    qtbot.keyClick(window.view, Qt.Key.Key_Space)  # and plays the stopped one
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)


def test_the_steadiness_control_reaches_the_pipeline(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    window = make_window(video=gui_video.path)
    wait_for_face_result(qtbot, window)
    bundle = window.controller.inference._bundle
    assert bundle is not None
    assert [window.steadiness_box.itemData(i) for i in range(window.steadiness_box.count())] == list(STEADINESS_LEVELS)
    window.steadiness_box.setCurrentIndex(window.steadiness_box.findData("high"))
    qtbot.waitUntil(lambda: bundle.pipeline.steadiness == STEADINESS_LEVELS["high"], timeout=WAIT_MS)
    window.steadiness_box.setCurrentIndex(window.steadiness_box.findData("off"))
    qtbot.waitUntil(lambda: bundle.pipeline.steadiness.is_off, timeout=WAIT_MS)
