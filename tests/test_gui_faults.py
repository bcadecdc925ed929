"""Faults in the real window: each gives a message naming the file or device and a way on.

Never a crash, never a frozen window: after every fault the window still answers and
can be pointed at another source.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from PyQt6.QtCore import pyqtBoundSignal
from pytestqt.qtbot import QtBot

from emotion_app.gui.camera_picker import CameraDevice
from emotion_app.gui.end_wait import END_WAIT_MS
from emotion_app.gui.main_window import APP_TITLE
from emotion_app.gui.mnemonics import plain
from emotion_app.results import FaceResult
from emotion_app.samples import VideoTruth, astronaut_bgr, write_astronaut_video, write_video
from emotion_app.sources.frame_source import FrameSource
from emotion_app.sources.specs import SourceSpec
from tests.gui_support import (
    REPO,
    WAIT_MS,
    CameraBench,
    LastPictureGate,
    WindowFactory,
    active_weights_of,
    banner_button,
    cut_short_copy,
    device_monitor_of,
    grab_view,
    model_status_of,
    pause_on_shown_frame,
    play_looping,
    shown_result,
    source_info_of,
    thread_held,
    use_output_folder,
    wait_for_face_result,
    wait_until_stopped,
)
from tests.hostile_support import damage_mjpeg_frame, numbered_frames
from tests.slide_show import write_slide_show
from tests.user_rights import without_root_rights


def test_a_video_that_will_not_open_names_the_file(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, gui_video: VideoTruth
) -> None:
    garbage = tmp_path / "holiday.mp4"
    garbage.write_bytes(os.urandom(8192))
    window = make_window(video=garbage)
    wait_until_stopped(qtbot, window)
    assert str(garbage) in window.source_banner.text()
    assert window.source_banner.level == "error"
    assert window.source_banner.button_captions()[:2] == ["Retry", "Open video file…"]  # the file is there
    # The window still works: open a good video instead.
    window.open_video(gui_video.path)
    wait_for_face_result(qtbot, window)
    assert window.source_banner.text() == ""


def test_a_missing_video_file_names_the_file(qtbot: QtBot, make_window: WindowFactory, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "clip.avi"
    window = make_window(video=missing)
    wait_until_stopped(qtbot, window)
    assert "not found" in window.source_banner.text() and str(missing) in window.source_banner.text()


def test_a_video_path_too_long_for_the_file_system_says_so(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: asking whether it named a folder raised (ENAMETOOLONG, 255 bytes a name), and so
    # did the message about it: the window said "Opening …" and nothing more.
    too_long = tmp_path / ("clip" * 80 + ".mp4")
    window = make_window(video=too_long)
    wait_until_stopped(qtbot, window)
    said = window.source_banner.text()
    assert said.startswith(f"Could not open video file {too_long}: ")
    assert "File name too long" in said and window.source_banner.level == "error"
    # One line naming the file once, not Python's "[Errno 36] … '<the path again>'".
    assert said.count(str(too_long)) == 1 and "Errno" not in said


def test_a_picture_path_too_long_for_the_file_system_says_so(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # A picture's name (or a folder's) is opened as a picture, by another way than a video's.
    too_long = tmp_path / ("photo" * 60 + ".jpg")
    window = make_window(video=too_long)
    wait_until_stopped(qtbot, window)
    said = window.source_banner.text()
    assert "File name too long" in said and window.source_banner.level == "error"
    assert said.count(str(too_long)) == 1 and "Errno" not in said


def test_the_end_of_a_video_is_announced_with_play_again(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    window = make_window(video=gui_video.path)
    wait_until_stopped(qtbot, window)
    assert "Finished playing astronaut.avi (30 frames)" in window.source_banner.text()
    assert window.source_banner.level == "info"
    last_index = shown_result(window).frame_index
    banner_button(window, "Play again").click()
    qtbot.waitUntil(lambda: window.is_running and shown_result(window).frame_index < last_index, timeout=WAIT_MS)


def test_a_truncated_video_says_it_is_damaged(qtbot: QtBot, make_window: WindowFactory, tmp_path: Path) -> None:
    video = write_astronaut_video(tmp_path / "full.avi", num_frames=30, frame_size=(320, 240), face_size=80, fps=30.0)
    truncated = cut_short_copy(video.path, tmp_path / "cut.avi")
    window = make_window(video=truncated)
    wait_until_stopped(qtbot, window)
    text = window.source_banner.text()
    assert str(truncated) in text and "truncated or damaged" in text


def test_a_seek_past_a_truncated_videos_end_stays_and_then_says_it_is_damaged(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Before, "Finished playing cut.avi (118 frames)" and the file closed: the frame
    # sought to, in a file that holds about 80 of the 120 frames its header announces
    # (under 3 s of play before the pause: a loaded machine once ran a 20-frame one to its end).
    video = write_astronaut_video(tmp_path / "full.avi", num_frames=120, frame_size=(320, 240), face_size=80, fps=30.0)
    truncated = cut_short_copy(video.path, tmp_path / "cut.avi")
    window = make_window(video=truncated)
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    window.pause()
    window.seek(3)
    qtbot.waitUntil(lambda: shown_result(window).frame_index == 3, timeout=WAIT_MS)
    seeks = shown_result(window).seeks
    window.seek(118)  # nothing there: the frame on screen stays, shown again
    qtbot.waitUntil(lambda: shown_result(window).seeks > seeks, timeout=WAIT_MS)
    assert window.is_running and shown_result(window).frame_index == 3
    assert window.source_state.playback is not None and window.source_state.playback.position == 3
    window.resume()  # plays on to where the file really ends
    wait_until_stopped(qtbot, window)
    text = window.source_banner.text()
    assert str(truncated) in text and "truncated or damaged" in text and "Finished" not in text, text


@pytest.mark.parametrize("fault", ["missing", "damaged"])
def test_weights_named_on_the_command_line_that_fail_give_way_to_the_shipped_model(
    qtbot: QtBot,
    make_window: WindowFactory,
    tmp_path: Path,
    settings_path: Path,
    gui_video: VideoTruth,
    random_weights: Path,
    fault: str,
) -> None:
    # Was: "Emotion model not loaded: weights file not found: …", and the video played
    # without a face box or label although the shipped model was there to run.
    from emotion_app.gui.settings import AppSettings
    from emotion_app.weights import DEFAULT_WEIGHTS_NAME, DEFAULT_WEIGHTS_PATH

    if fault == "missing":
        named = tmp_path / "models" / "emotion.safetensors"
        reason = f"weights file not found: {named}"
    else:
        named = tmp_path / "corrupt.safetensors"
        data = random_weights.read_bytes()
        named.write_bytes(data[:5000])  # truncated mid-tensor
        reason = f"{named}: the weights file is damaged or incomplete (cut short by {len(data) - 5000:,} bytes)"
    seeded = AppSettings.at_path(settings_path)
    seeded.weights_path = random_weights  # chosen in an earlier run
    assert seeded.sync()
    window = make_window(video=gui_video.path, weights=named, wait_for_model=False)
    qtbot.waitUntil(lambda: str(named) in window.model_banner.text(), timeout=WAIT_MS)
    assert window.model_banner.text() == (f"Could not load the model: {reason}. Using {DEFAULT_WEIGHTS_NAME} instead.")
    assert window.model_banner.level == "warning"
    assert "Load weights…" in window.model_banner.button_captions()
    assert model_status_of(window).active_weights == DEFAULT_WEIGHTS_PATH
    assert window.status.model_label.text().startswith(f"Model {DEFAULT_WEIGHTS_PATH.stem} (")
    result = wait_for_face_result(qtbot, window)  # the shipped model labels the faces
    assert result.labels == model_status_of(window).labels
    # Nothing is remembered: neither the file named for this run nor the stand-in.
    assert window.settings.sync()
    assert AppSettings.at_path(settings_path).weights_path == random_weights
    # A good model loaded afterwards clears the message; a bad one keeps the model in use.
    window.controller.load_weights(random_weights)
    qtbot.waitUntil(lambda: model_status_of(window).active_weights == random_weights, timeout=WAIT_MS)
    assert window.model_banner.text() == ""
    window.controller.load_weights(named)
    qtbot.waitUntil(lambda: not model_status_of(window).ok, timeout=WAIT_MS)
    assert window.status.model_label.text().startswith(f"Model {random_weights.stem} (")


@pytest.mark.parametrize("asked", ["named", "remembered", "none"])
def test_without_the_shipped_model_the_window_says_no_model_runs_and_why(
    qtbot: QtBot,
    make_window: WindowFactory,
    tmp_path: Path,
    settings_path: Path,
    gui_video: VideoTruth,
    monkeypatch: pytest.MonkeyPatch,
    asked: str,
) -> None:
    # As a checkout without weights/emotion_cnn.safetensors would be: nothing can stand in.
    import emotion_app.inference.classifier as classifier_module
    from emotion_app.gui.settings import AppSettings
    from emotion_app.weights import DEFAULT_WEIGHTS_NAME

    shipped = tmp_path / "weights" / DEFAULT_WEIGHTS_NAME
    monkeypatch.setattr(classifier_module, "DEFAULT_WEIGHTS_PATH", shipped)
    missing = tmp_path / "models" / "emotion.safetensors"
    broken = tmp_path / "mine.safetensors"
    broken.write_bytes(b"damaged since last time")
    if asked == "remembered":
        seeded = AppSettings.at_path(settings_path)
        seeded.weights_path = broken
        assert seeded.sync()
    window = make_window(video=gui_video.path, weights=missing if asked == "named" else None)
    qtbot.waitUntil(lambda: window.model_status is not None, timeout=WAIT_MS)
    assert not model_status_of(window).ok and model_status_of(window).active_weights is None
    text = window.model_banner.text()
    # The file asked for first, then why the shipped one is no help either.
    said = {
        "named": f"Emotion model not loaded: weights file not found: {missing}; the shipped model did not load "
        "either: ",
        "remembered": f"Emotion model not loaded: {broken}",
        "none": "Emotion model not loaded: the shipped weights",
    }[asked]
    assert text.startswith(said), text
    assert f"the shipped weights are not at {shipped}" in text
    assert text.endswith(
        "The video plays without face boxes or labels until a model loads: start with --weights FILE, or load one."
    )
    assert window.model_banner.level == "error"
    assert "Load weights…" in window.model_banner.button_captions()
    assert window.status.model_label.text() == "No model"
    # Frames still arrive, without faces, as the banner says.
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    assert shown_result(window).faces == ()


def test_a_camera_unplugged_mid_stream_offers_retry(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    bench = CameraBench(gui_video.path, good_frames=8)
    window = make_window(devices=[CameraDevice("Test Cam", 0)], source_factory=bench)
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    wait_until_stopped(qtbot, window)
    text = window.source_banner.text()
    assert "Test Cam" in text and "stopped delivering frames" in text
    assert bench.opened[0].released  # the device is let go, so another app (or a retry) can have it
    assert "Retry" in window.source_banner.button_captions()
    banner_button(window, "Retry").click()  # "plugged back in"
    qtbot.waitUntil(lambda: len(bench.opened) == 2 and window.is_running, timeout=WAIT_MS)


def test_an_absent_or_busy_camera_says_so_and_lets_you_pick_another(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Index 97 goes through the real OpenCV path: nothing is there on this machine.
    bench = CameraBench(gui_video.path, good_frames=1000)
    devices = [CameraDevice("Ghost Cam", 97), CameraDevice("Test Cam", 0)]

    def factory(spec: SourceSpec) -> FrameSource:
        from emotion_app.sources.opening import open_frame_source

        return open_frame_source(spec) if getattr(spec, "index", None) == 97 else bench(spec)

    window = make_window(devices=devices, source_factory=factory)
    wait_until_stopped(qtbot, window)
    text = window.source_banner.text()
    assert "Could not open camera 'Ghost Cam'" in text and "Pick another camera" in text
    window.picker.camera_chosen.emit(devices[1])  # the user picks the other one
    wait_for_face_result(qtbot, window)
    assert window.source_banner.text() == ""


def test_no_camera_at_all_says_so_and_offers_a_video_file(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window(devices=[])
    assert "No camera found" in window.source_banner.text()
    assert "Open video file…" in window.source_banner.button_captions()
    assert "Network camera…" in window.source_banner.button_captions()
    assert "screen" not in window.source_banner.text()  # none to offer in this test
    assert "No camera found" in window.view.placeholder and "network camera" in window.view.placeholder
    assert not window.picker.isEnabled()
    # Nothing to pause: the toolbar offers Start, and no player button.
    assert window.start_stop_action.text() == "Start"
    button = window.toolbar.widgetForAction(window.play_pause_button_action)
    assert button is not None and not button.isVisibleTo(window)
    window.resize(500, 400)  # a toolbar laid out again re-shows a button merely hidden
    qtbot.wait(50)
    assert not button.isVisibleTo(window) and window.play_pause_action.isVisible()
    assert not window.playback_bar.isVisibleTo(window)


def test_a_camera_plugged_in_later_is_offered(qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth) -> None:
    bench = CameraBench(gui_video.path, good_frames=1000)
    window = make_window(devices=[], source_factory=bench)
    device_monitor_of(window).set_devices([CameraDevice("New Cam", 1)])
    assert window.source_banner.text() == "Camera available: New Cam (in the toolbar's list)."
    banner_button(window, "Start New Cam").click()
    wait_for_face_result(qtbot, window)
    assert bench.last_camera().index == 1


def test_a_camera_named_with_an_ampersand_is_offered_by_its_whole_name(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # The button's caption took the name's "&" for a mnemonic: "Start AB Cam", with Alt+B
    # for a shortcut.
    bench = CameraBench(gui_video.path, good_frames=1000)
    window = make_window(devices=[], source_factory=bench)
    device_monitor_of(window).set_devices([CameraDevice("A&B Cam", 1)])
    assert window.source_banner.text() == "Camera available: A&B Cam (in the toolbar's list)."
    (caption, _dismiss) = window.source_banner.button_captions()
    button = window.source_banner.button(caption)
    assert button is not None and plain(caption) == "Start A&B Cam" and button.shortcut().isEmpty()
    button.click()
    wait_for_face_result(qtbot, window)
    assert bench.last_camera().index == 1


@pytest.mark.parametrize("before", ["none started", "a camera that failed"])
def test_cameras_offered_and_unplugged_again_are_no_longer_offered(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, before: str
) -> None:
    # The offer stayed up, its button starting a camera no longer there.
    bench = CameraBench(gui_video.path, good_frames=8)
    devices = [] if before == "none started" else [CameraDevice("Test Cam", 0)]
    window = make_window(devices=devices, source_factory=bench)
    error = ""
    if devices:
        wait_until_stopped(qtbot, window)  # its frames ran out: "stopped delivering frames"
        error = window.source_banner.text()
        assert "Test Cam" in error and "stopped delivering frames" in error
    device_monitor_of(window).set_devices([CameraDevice("New Cam", 1)])
    # Why the camera before stopped comes first: the offer takes the place of that error.
    why = f"{error}. " if error else ""
    assert window.source_banner.text() == f"{why}Camera available: New Cam (in the toolbar's list)."
    device_monitor_of(window).set_devices([])
    assert "New Cam" not in window.source_banner.text()
    assert window.source_banner.button("Start New Cam") is None
    if not devices:  # as at the start: what to open instead
        assert window.source_banner.text().startswith("No camera found.")
        assert "Open video file…" in window.source_banner.button_captions()
    else:  # that error alone again, with its Retry
        assert window.source_banner.text() == error and "Retry" in window.source_banner.button_captions()
    opened = len(bench.specs)
    qtbot.wait(100)
    assert len(bench.specs) == opened and not window.source_state.active


def test_a_file_that_fails_to_open_leaves_nothing_of_the_last_source_on_screen(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, gui_video: VideoTruth
) -> None:
    """Its last frame, title, seek bar and late results all belonged to another source."""
    window = make_window(video=gui_video.path)
    old = wait_for_face_result(qtbot, window)
    garbage = tmp_path / "holiday.mp4"
    garbage.write_bytes(os.urandom(8192))
    window.open_video(garbage)
    window._on_result(old)  # a result of the old stream delivered while the new one opens
    assert window.timeline_panel.timeline.people() == []  # the new session holds nobody yet
    wait_until_stopped(qtbot, window)
    assert str(garbage) in window.source_banner.text()
    window._on_result(old)  # ... or after it failed
    assert window.view.result is None and str(garbage) in window.view.placeholder
    assert window.windowTitle() == APP_TITLE and not window.playback_bar.isVisible()
    assert window.timeline_panel.timeline.people() == []


def test_a_slide_show_starts_at_the_first_picture_that_reads_and_ends_as_finished(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    folder = tmp_path / "pictures"
    folder.mkdir()
    (folder / "a_broken.jpg").write_bytes(b"not a picture")
    cv2.imwrite(str(folder / "b_face.png"), astronaut_bgr())
    (folder / "c_broken.jpg").write_bytes(b"")
    window = make_window(video=folder)
    wait_for_face_result(qtbot, window)
    window.playback_bar.slider.setValue(2)  # straight to the end
    wait_until_stopped(qtbot, window)
    assert "Finished playing pictures" in window.source_banner.text()
    assert window.source_banner.level == "info"


def test_a_slide_shows_finished_banner_waits_for_its_last_pictures_result(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: the end was told as the capture thread read past the last picture, while the
    # inference thread was still busy (the CPU loaded, the fast classifier being built):
    # "Finished playing pictures" showed beside the picture before, the last one unlabelled.
    folder = tmp_path / "pictures"
    show = LastPictureGate(write_slide_show(folder, [astronaut_bgr()] * 2))
    window = make_window(video=folder, source_factory=show)
    wait_for_face_result(qtbot, window)
    with thread_held(window.controller.inference_thread):  # the last picture waits to be labelled
        show.let_through()  # the last picture is read now, not before
        qtbot.waitUntil(lambda: window.source_state.ended, timeout=WAIT_MS)
        qtbot.wait(100)  # time for a banner shown too early
        assert "Finished playing" not in window.source_banner.text()
        assert shown_result(window).frame_index == 0
    qtbot.waitUntil(lambda: "Finished playing" in window.source_banner.text(), timeout=WAIT_MS)
    assert shown_result(window).frame_index == 1 and shown_result(window).faces
    assert "Finished playing pictures (2 pictures)" in window.source_banner.text()


def test_a_slides_shows_end_is_told_in_time_where_its_last_pictures_result_does_not_come(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was (5a328fc): "Finished playing" waited for the last picture's result with no bound:
    # an inference thread busy for longer (a picture slow to label, a loaded machine), or a
    # result that never came, held back the banner and its Play again as long.
    folder = tmp_path / "pictures"
    show = LastPictureGate(write_slide_show(folder, [astronaut_bgr()] * 2))
    window = make_window(video=folder, source_factory=show)
    wait_for_face_result(qtbot, window)
    with thread_held(window.controller.inference_thread):  # its result does not come while held
        show.let_through()  # the last picture is read now, not before
        qtbot.waitUntil(lambda: window.source_state.ended, timeout=WAIT_MS)
        # Within the bound (and some slack for a loaded machine), well before the hold ends.
        qtbot.waitUntil(lambda: "Finished playing pictures" in window.source_banner.text(), timeout=END_WAIT_MS + 5000)
        assert shown_result(window).frame_index == 0  # told without the last picture's result
        assert window.source_banner.button_captions()[0] == "Play again"
    # The result, once it comes, is shown beside the banner, which stays as it was.
    qtbot.waitUntil(lambda: shown_result(window).frame_index == 1, timeout=WAIT_MS)
    assert shown_result(window).faces
    assert "Finished playing pictures (2 pictures)" in window.source_banner.text()
    assert window.source_banner.button_captions()[0] == "Play again"


def test_a_stop_while_the_last_pictures_result_waits_still_tells_the_end(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: the stop let the capture thread drop the last picture still waiting for the busy
    # inference thread, so the result the "Finished playing" banner waited for never came:
    # a finished show with no banner and no Play again.
    folder = tmp_path / "pictures"
    show = LastPictureGate(write_slide_show(folder, [astronaut_bgr()] * 2))
    window = make_window(video=folder, source_factory=show)
    wait_for_face_result(qtbot, window)
    with thread_held(window.controller.inference_thread):  # the last picture waits to be labelled
        show.let_through()  # the last picture is read now, not before
        qtbot.waitUntil(lambda: window.source_state.ended and not window.is_running, timeout=WAIT_MS)
        window.stop()
    qtbot.waitUntil(lambda: "Finished playing pictures" in window.source_banner.text(), timeout=WAIT_MS)
    assert window.source_banner.button_captions()[0] == "Play again"
    assert window.source_state.ended


def test_recording_with_nothing_playing_is_refused(qtbot: QtBot, make_window: WindowFactory, tmp_path: Path) -> None:
    window = make_window()  # no camera, no video
    window.record_action.trigger()
    assert not window.record_action.isChecked() and window.recording is None
    assert "Nothing to record" in window.notice_banner.text()


def test_nothing_to_record_keeps_the_sources_fault_and_its_way_out(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path
) -> None:
    # Ctrl+R after a file failed to open put "Nothing to record" in the fault's place: which
    # file failed and why, and its Retry and Open video file… buttons, were gone.
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video")
    window = make_window(video=broken)
    qtbot.waitUntil(lambda: "Could not open" in window.source_banner.text(), timeout=WAIT_MS)
    fault, ways_out = window.source_banner.text(), window.source_banner.button_captions()
    assert "Retry" in ways_out
    window.record_action.trigger()
    assert not window.record_action.isChecked() and window.recording is None
    assert window.source_banner.text() == fault and window.source_banner.button_captions() == ways_out
    assert "Nothing to record" in window.notice_banner.text()
    window.open_video(gui_video.path)  # something to record now: the notice goes
    assert window.notice_banner.text() == ""
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)


def test_recording_after_a_video_ended_is_refused_before_asking_or_making_anything(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Record to... once the video had finished asked for a file name (and whether to replace
    # it), then said "Nothing to record"; Record made the output folder, then said the same.
    window = make_window(video=gui_video.path)
    qtbot.waitUntil(lambda: "Finished playing" in window.source_banner.text(), timeout=WAIT_MS)
    asked: list[tuple[object, ...]] = []

    def answer(*args: object) -> str:
        asked.append(args)
        return str(tmp_path / "talk.mp4")

    monkeypatch.setattr(window, "ask_save_path", answer)
    window.record_as_action.trigger()
    assert asked == [] and window.recording is None
    # The finished video is on screen: "Nothing to record: start ... a video first" read
    # as if it were not, and took the "Finished playing" banner's Play again away.
    finished = "The video has finished: play it again to record."
    assert window.source_banner.text() == finished
    assert "Play again" in window.source_banner.button_captions()
    window.settings.output_dir = str(tmp_path / "not made yet")
    window.record_action.trigger()
    assert not window.record_action.isChecked() and window.recording is None
    assert not (tmp_path / "not made yet").exists()
    assert window.source_banner.text() == finished
    play_again = window.source_banner.button("Play again")
    assert play_again is not None
    play_again.click()
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)


def test_recording_after_a_photo_was_shown_points_to_a_snapshot(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Ctrl+R after a single photo had been shown said "The slide show has finished: play it
    # again to record.", where the banner it replaced had said "(1 picture)"; and played
    # again, the photo's one frame most often came before the recording started: "Nothing
    # was recorded". A snapshot is what saves it.
    photo = tmp_path / "photo.png"
    cv2.imwrite(str(photo), astronaut_bgr())
    window = make_window(video=photo)
    qtbot.waitUntil(lambda: "Finished playing photo.png (1 picture)" in window.source_banner.text(), timeout=WAIT_MS)
    window.record_action.trigger()
    assert not window.record_action.isChecked() and window.recording is None
    told = "The picture has been shown: Snapshot (Ctrl+S) saves it with its boxes."
    assert window.source_banner.text() == told
    assert "Play again" in window.source_banner.button_captions()


def test_a_remembered_model_that_no_longer_loads_gives_way_to_the_shipped_one(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, settings_path: Path, gui_video: VideoTruth
) -> None:
    from emotion_app.gui.settings import AppSettings
    from emotion_app.weights import DEFAULT_WEIGHTS_NAME

    broken = tmp_path / "mine.safetensors"
    broken.write_bytes(b"damaged since last time")
    settings = AppSettings.at_path(settings_path)
    settings.weights_path = broken
    settings.sync()
    window = make_window(video=gui_video.path, weights=None)
    qtbot.waitUntil(lambda: str(broken) in window.model_banner.text(), timeout=WAIT_MS)
    assert active_weights_of(window).name == DEFAULT_WEIGHTS_NAME
    assert f"Using {DEFAULT_WEIGHTS_NAME} for now; the next start tries mine.safetensors again" in (
        window.model_banner.text()
    )
    wait_for_face_result(qtbot, window)  # faces are labelled: a model runs
    # Still the user's choice (it may be mid-copy, or its share half back): only a model
    # the user picks replaces it. Was: the shipped model stood in and was stored for good.
    assert window.settings.sync()
    assert AppSettings.at_path(settings_path).weights_path == broken


def test_the_player_plays_past_frames_that_do_not_decode(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    damaged = tmp_path / "damaged.avi"
    write_video(damaged, numbered_frames(40))
    for frame in (22, 21, 20):  # a damaged stretch, longer than a retry or two gets past
        damage_mjpeg_frame(damaged, frame, damaged)
    window = make_window(video=damaged)
    wait_until_stopped(qtbot, window)
    # To its end, the damaged frames passed over (each keeping its place, as in
    # ``analyze``): finished, not "stopped after 20 frames".
    assert "Finished playing damaged.avi (40 frames)" in window.source_banner.text()
    assert window.source_banner.level == "info"


def test_an_overlay_that_cannot_be_drawn_leaves_the_picture_playing(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A fault in the renderer (a label a font library chokes on was one) raised out of
    # the worker's slot on every frame with a face: no picture ever reached the window.
    from emotion_app.gui import inference_worker

    drawn = inference_worker.annotate_frame

    def fails_with_faces(
        image: np.ndarray,
        faces: tuple[FaceResult, ...],
        labels: tuple[str, ...],
        show_bars: bool,
        *more: Any,
        **options: Any,
    ) -> tuple[np.ndarray | None, np.ndarray]:
        if faces:
            raise RuntimeError("raqm_layout() failed")
        return drawn(image, faces, labels, show_bars, *more, **options)

    monkeypatch.setattr(inference_worker, "annotate_frame", fails_with_faces)
    window = make_window(video=gui_video.path)
    wait_for_face_result(qtbot, window)  # the faces are found and reach the window, undrawn
    first = shown_result(window).frame_index
    qtbot.waitUntil(lambda: shown_result(window).frame_index > first + 5, timeout=WAIT_MS)
    assert window.is_running


def test_an_overlay_that_cannot_be_redrawn_on_screen_keeps_the_picture_shown(
    qtbot: QtBot,
    make_window: WindowFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The view redraws a paused frame's overlay itself, on the GUI thread (bars toggled,
    # the window resized): a renderer fault raised out of the toggle and the resize.
    from emotion_app.gui import annotation

    # A still face: one that moves is lost for a while after frames dropped on a busy
    # machine, and the frame paused on may have none. Looping: 2 s could end before it shows.
    video = write_astronaut_video(
        tmp_path / "still.avi", num_frames=30, frame_size=(320, 240), face_size=80, motion="still", fps=15.0
    )
    window = make_window(size=(800, 600))
    play_looping(window, video.path)
    wait_for_face_result(qtbot, window)
    shown = pause_on_shown_frame(qtbot, window)
    assert shown.faces and shown.overlay_bars

    def fails(*args: object, **options: object) -> None:
        raise RuntimeError("raqm_layout() failed")

    monkeypatch.setattr(annotation, "draw_results", fails)
    monkeypatch.setattr(annotation, "_failed_redraws", 0)  # the first is logged
    with caplog.at_level(logging.WARNING, logger=annotation.__name__):
        window.bars_action.trigger()  # off: the paused frame is redrawn without charts
        window.resize(480, 400)  # smaller: its text is redrawn larger
        qtbot.waitUntil(lambda: window.view.display_scale is not None and window.view.display_scale < 1.4)
        window.bars_action.trigger()  # on again: the picture shown has its charts
    assert window.bars_action.isChecked() and window.view.show_bars
    # The picture on screen stays the one drawn before, its overlay and all.
    assert window.view.result is not None and window.view.result.frame_index == shown.frame_index
    assert np.array_equal(window.view.result.display_image, shown.display_image)
    assert grab_view(window).std() > 10  # a picture, not the bare background
    warnings = [record for record in caplog.records if "could not be redrawn" in record.getMessage()]
    assert len(warnings) == 1, [record.getMessage() for record in caplog.records]


def test_a_slide_show_with_an_unreadable_picture_seeks_to_the_picture_asked_for(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # The position counted pictures shown, not their place: past a skipped picture every
    # seek landed one late, and a seek to the last ended the show. A file with no picture's
    # first bytes has no place in the show (the seek bar counts the pictures): c is second.
    folder = tmp_path / "pictures"
    folder.mkdir()
    shades = {"a.png": 40, "c.png": 120, "d.png": 200}
    for name, shade in shades.items():
        picture = astronaut_bgr().copy()
        picture[:8, :8] = shade  # a corner that says which picture is shown
        cv2.imwrite(str(folder / name), picture)
    (folder / "b.png").write_bytes(b"not a picture")
    window = make_window(video=folder)
    wait_for_face_result(qtbot, window)
    window.pause()
    window.step(1)  # past the unreadable picture
    qtbot.waitUntil(lambda: int(shown_result(window).image[2, 2, 0]) == shades["c.png"], timeout=WAIT_MS)
    assert shown_result(window).frame_index == 1 and source_info_of(window).frame_count == 3
    for position, name in ((2, "d.png"), (1, "c.png"), (0, "a.png")):
        window.seek(position)

        def shows(at: int = position) -> bool:
            return shown_result(window).frame_index == at

        qtbot.waitUntil(shows, timeout=WAIT_MS)
        assert int(shown_result(window).image[2, 2, 0]) == shades[name], name
    assert "Finished" not in window.source_banner.text()


def test_a_slide_show_holds_each_picture_its_time_past_one_that_does_not_read(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: the picture after one that did not read came 4 s after the one before (two
    # places), which the show took for its step: that picture was held 6 s and the one
    # after it was due at once, replaced within a frame (never seen).
    folder = tmp_path / "pictures"
    stills = write_slide_show(folder, [astronaut_bgr()] * 6)
    stills[1].write_bytes(b"\x89PNG\r\n\x1a\n" + b"cut")  # starts as one: keeps its place
    window = make_window(video=folder)
    delivered: dict[int, tuple[float, float]] = {}  # place: (when read, time in the show)
    window.controller.result_ready.connect(
        lambda result: delivered.setdefault(result.frame_index, (result.capture_time, result.source_time))
    )
    wait_until_stopped(qtbot, window, timeout_ms=30_000)
    assert sorted(delivered) == [0, 2, 3, 4, 5]
    assert [delivered[place][1] for place in sorted(delivered)] == [0.0, 4.0, 6.0, 8.0, 10.0]  # by place
    # Each picture is held its 2 s, the one read in the broken one's stead its place's too
    # (as a video's frame after a damaged one): the show's 10 s, as the seek bar's.
    places = sorted(delivered)
    gaps = [delivered[after][0] - delivered[before][0] for before, after in zip(places, places[1:])]
    assert all(want - 0.5 < gap < want + 1.0 for gap, want in zip(gaps, (2.0, 4.0, 2.0, 2.0))), gaps


def test_a_slide_show_seeks_to_the_same_picture_before_and_after_meeting_a_broken_file(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: a broken file left the show only once met, so a seek back past it moved every
    # picture after it down one place: 3 showed e.png, then (b met) d's place, then nothing.
    folder = tmp_path / "pictures"
    folder.mkdir()
    shades = {"a.png": 40, "c.png": 120, "e.png": 200}
    for name, shade in shades.items():
        picture = astronaut_bgr().copy()
        picture[:8, :8] = shade  # a corner that says which picture is shown
        cv2.imwrite(str(folder / name), picture)
    (folder / "b.png").write_bytes(b"not a picture")  # no picture's first bytes: no place
    (folder / "d.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"cut")  # starts as one: keeps its place
    window = make_window(video=folder)
    wait_for_face_result(qtbot, window)
    window.pause()
    assert source_info_of(window).frame_count == 4  # a, c, d's place and e: from the start

    def shown_after(move: Callable[[], None], at: int) -> str:
        move()
        qtbot.waitUntil(lambda: shown_result(window).frame_index == at, timeout=WAIT_MS)
        return {shade: name for name, shade in shades.items()}[int(shown_result(window).image[2, 2, 0])]

    assert shown_after(lambda: window.seek(3), 3) == "e.png"
    assert shown_after(lambda: window.seek(1), 1) == "c.png"  # past b's file and d's place
    assert shown_after(lambda: window.seek(3), 3) == "e.png"
    assert shown_after(lambda: window.step(-1), 1) == "c.png"  # d's place is stepped over
    assert shown_after(lambda: window.seek(2), 3) == "e.png"  # and read past
    assert shown_after(lambda: window.seek(0), 0) == "a.png"
    assert window.source_state.playback is not None and window.source_state.playback.frame_count == 4
    assert "Finished" not in window.source_banner.text()


def test_a_slide_show_passes_any_number_of_broken_pictures_in_a_row(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: more than 100 files in a row that start like a picture but do not decode ended
    # the show at them (a video's limit on a damaged stretch), the pictures after unshown.
    folder = tmp_path / "pictures"
    folder.mkdir()
    shades = {"a.png": 40, "z.png": 200}
    for name, shade in shades.items():
        cv2.imwrite(str(folder / name), np.full((48, 64, 3), shade, np.uint8))
    for number in range(102):
        (folder / f"b{number:03d}.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"cut")  # starts as one
    window = make_window(video=folder)
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    window.pause()
    assert source_info_of(window).frame_count == 104

    def shown_after(move: Callable[[], None], at: int) -> str:
        move()
        qtbot.waitUntil(lambda: shown_result(window).frame_index == at, timeout=WAIT_MS)
        return {shade: name for name, shade in shades.items()}[int(shown_result(window).image[2, 2, 0])]

    assert shown_after(lambda: window.step(1), 103) == "z.png"  # past all 102
    assert shown_after(lambda: window.step(-1), 0) == "a.png"  # and back before them
    assert shown_after(lambda: window.step(1), 103) == "z.png"
    window.resume()  # from the last picture: the show's end
    wait_until_stopped(qtbot, window)
    assert window.source_banner.text().splitlines()[0] == (
        "Finished playing pictures (2 pictures; 102 files could not be read: b000.png, b001.png, b002.png and 99 more)"
    ), window.source_banner.text()
    assert window.source_banner.level == "info"


def test_a_snapshot_and_a_recording_whose_overlay_cannot_be_drawn_save_the_picture_shown(
    qtbot: QtBot,
    make_window: WindowFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A large frame in a small window: the frame's own overlay is drawn only when a snapshot
    # or a recording asks for it. A renderer fault there raised on the snapshot's pool thread
    # (no file, no message) and ended a recording.
    import dataclasses

    from emotion_app.gui import annotation
    from emotion_app.gui.messages import RecordingRequest
    from emotion_app.gui.recorder import Recorder

    video = write_astronaut_video(
        tmp_path / "wide.avi", num_frames=20, frame_size=(1280, 720), face_size=130, motion="still", fps=15.0
    )
    window = make_window(size=(800, 600))
    play_looping(window, video.path)  # 1.3 s: it could end before its first face is shown
    wait_for_face_result(qtbot, window)
    pause_on_shown_frame(qtbot, window)
    # Charts off: the paused frame is redrawn for the screen alone.
    window.bars_action.trigger()
    qtbot.waitUntil(lambda: not shown_result(window).overlay_bars, timeout=WAIT_MS)
    # A reply the worker drew before it heard of the pause or the toggle can still land on a
    # loaded machine: the frame shown is taken once none has come for half a second.
    shown = shown_result(window)
    for _ in range(WAIT_MS // 500):
        qtbot.wait(500)
        if window.view.result is shown:
            break
        shown = shown_result(window)
    assert not shown.overlay_bars
    assert shown.faces and shown.annotated is None  # the saved picture is not drawn yet

    def fails(*args: object, **options: object) -> None:
        raise RuntimeError("raqm_layout() failed")

    monkeypatch.setattr(annotation, "draw_results", fails)
    monkeypatch.setattr(annotation, "_failed_saved", 0, raising=False)  # the first is logged
    use_output_folder(qtbot, window, tmp_path / "out")
    with caplog.at_level(logging.WARNING, logger=annotation.__name__):
        with qtbot.waitSignal(window.snapshots.saved_as_shown, timeout=WAIT_MS) as saved:
            window.snapshot_action.trigger()
        snapshot = saved.args[0]
        # The picture as shown on screen, its overlay and all, written whole.
        written = cv2.imread(str(snapshot))
        assert written is not None and np.array_equal(written, shown.display_image[:, :, :3])
        assert window.notice_banner.text().count("\n") == 0
        assert "overlay could not be drawn" in window.notice_banner.text()
        assert snapshot.name in window.notice_banner.text()

        request = RecordingRequest(tmp_path / "out" / "rec.avi", tmp_path / "out" / "rec.csv")
        recorder = Recorder(request, 15.0)
        for index in range(3):
            frame = dataclasses.replace(shown, frame_index=index, source_time=index / 15.0)
            recorder.write(frame)
        summary = recorder.close()
    assert summary.error == "" and summary.frames_written == 3 and summary.rows_written == 3
    capture = cv2.VideoCapture(str(request.video_path))
    ok, first = capture.read()
    capture.release()
    assert ok and first.shape == shown.image.shape
    warnings = [record for record in caplog.records if "could not be drawn at its own size" in record.getMessage()]
    assert len(warnings) == 1, [record.getMessage() for record in caplog.records]
    assert window.view.result is shown  # the window still shows the paused frame


@pytest.mark.parametrize("move", ["step", "play"])
def test_stop_is_heard_inside_a_long_run_of_broken_pictures(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, move: str
) -> None:
    # Was: the capture thread read the whole run of broken files (a slide show allows as
    # many as it has places) before it heard Stop: a run of slow ones held the stop.
    from emotion_app.sources import files

    folder = tmp_path / "pictures"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), np.full((48, 64, 3), 40, np.uint8))
    cv2.imwrite(str(folder / "z.png"), np.full((48, 64, 3), 200, np.uint8))
    for number in range(300):
        (folder / f"b{number:03d}.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"cut")
    reads: list[str] = []
    real_read = files.read_picture

    def slow_read(path: Path) -> np.ndarray | None:
        reads.append(path.name)
        if path.name.startswith("b"):
            time.sleep(0.02)  # as a file on a slow share: the run takes 6 s
        return real_read(path)

    monkeypatch.setattr(files, "read_picture", slow_read)
    window = make_window(video=folder)
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    if move == "step":
        window.pause()
        window.step(1)
    # Playing: the run comes after a.png's two seconds.
    qtbot.waitUntil(lambda: sum(name.startswith("b") for name in reads) >= 5, timeout=WAIT_MS)
    read_at_stop = len(reads)
    with qtbot.waitSignal(window.controller.source_stopped, timeout=WAIT_MS):
        window.stop()
    # Counted when the capture thread says it stopped: before, all 300 came first.
    assert len(reads) - read_at_stop <= 2, f"{len(reads) - read_at_stop} broken files read before Stop was heard"
    assert "z.png" not in reads


def test_stop_inside_a_looping_slide_shows_broken_run_does_not_start_the_next_loop(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: the read past the run, given up for Stop, was taken for the loop's end: the
    # slide show went back to its first picture and read and delivered it before the stop.
    from emotion_app.sources import files

    folder = tmp_path / "pictures"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), np.full((48, 64, 3), 40, np.uint8))
    for number in range(300):
        (folder / f"b{number:03d}.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"cut")
    reads: list[str] = []
    real_read = files.read_picture

    def slow_read(path: Path) -> np.ndarray | None:
        reads.append(path.name)
        if path.name.startswith("b"):
            time.sleep(0.02)  # as a file on a slow share: the run takes 6 s
        return real_read(path)

    monkeypatch.setattr(files, "read_picture", slow_read)
    window = make_window()
    play_looping(window, folder)
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    # The run comes after a.png's two seconds.
    qtbot.waitUntil(lambda: sum(name.startswith("b") for name in reads) >= 5, timeout=WAIT_MS)
    read_at_stop = len(reads)
    with qtbot.waitSignal(window.controller.source_stopped, timeout=WAIT_MS):
        window.stop()
    assert "a.png" not in reads[read_at_stop:], "the next loop began after Stop was pressed"


def test_a_video_file_the_user_may_not_read_is_told_so_not_as_damaged(gui_video: VideoTruth, tmp_path: Path) -> None:
    # OpenCV refused it and the banner said "OpenCV cannot decode it (damaged, or not a
    # video)" of a good video. Opened in a child process without root's right to read
    # any file (where the tests run as root), as a user's own app would be.
    locked = tmp_path / "locked.mp4"
    locked.write_bytes(gui_video.path.read_bytes())
    locked.chmod(0)
    prefix = without_root_rights()
    child = (
        "import sys\n"
        "from emotion_app.sources.frame_source import SourceOpenError\n"
        "from emotion_app.sources.opening import open_frame_source\n"
        "from emotion_app.sources.specs import VideoFileSpec\n"
        "try:\n"
        "    open_frame_source(VideoFileSpec(__import__('pathlib').Path(sys.argv[1])))\n"
        "except SourceOpenError as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run(
        [*prefix, sys.executable, "-c", child, str(locked)], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert done.stdout.strip() == f"Could not open video file {locked}: it cannot be read (Permission denied)", (
        done.stdout + done.stderr
    )


@pytest.mark.parametrize("first", ["opened", "fault"])
def test_a_replaced_opens_late_answer_is_not_taken_for_the_next_opens(
    qtbot: QtBot,
    make_window: WindowFactory,
    gui_video: VideoTruth,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    first: str,
) -> None:
    # A file on a slow share opened (or failed) just as the user stopped and opened it again:
    # the first open's answer, arriving while the second still opened, was taken for the
    # second's: the window played a stream no longer there, or showed a fault over an open
    # about to succeed. Each answer is held on the capture thread until the test lets it go.
    clip = tmp_path / "share" / "clip.mp4"
    clip.parent.mkdir()
    if first == "opened":
        shutil.copyfile(gui_video.path, clip)
    worker_holds: list[tuple[threading.Event, threading.Event]] = []

    class Held:
        """The worker's signal, each message held until its own release."""

        def __init__(self, signal: pyqtBoundSignal) -> None:
            self.signal = signal

        def emit(self, message: object) -> None:
            reached, release = threading.Event(), threading.Event()
            worker_holds.append((reached, release))
            reached.set()
            release.wait(10.0)
            self.signal.emit(message)

    window = make_window()
    worker = window.controller.capture
    monkeypatch.setattr(worker, "opened", Held(worker.opened))
    monkeypatch.setattr(worker, "fault", Held(worker.fault))
    window.open_video(clip)
    qtbot.waitUntil(lambda: len(worker_holds) == 1, timeout=WAIT_MS)  # the first open's answer
    spec = window.source_state.spec
    assert spec is not None
    shutil.copyfile(gui_video.path, clip)  # there for the second open in either case
    window.stop()
    window.start_source(spec)
    worker_holds[0][1].set()
    qtbot.waitUntil(lambda: len(worker_holds) == 2, timeout=WAIT_MS)  # the second open's answer
    qtbot.wait(300)  # the first open's answer has arrived
    try:
        assert window.source_state.starting and not window.source_state.running
        assert window.view.placeholder == f"Opening {clip}…"
        assert window.source_banner.text() == ""  # no fault of the first open's
        assert window.start_stop_action.text() == "Stop"
        assert not window.playback_bar.isVisible()
    finally:
        worker_holds[1][1].set()
    qtbot.waitUntil(lambda: window.source_state.running, timeout=WAIT_MS)
    wait_for_face_result(qtbot, window)


def test_a_camera_with_a_long_name_is_offered_by_a_short_button(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    bench = CameraBench(gui_video.path, good_frames=1000)
    window = make_window(devices=[], source_factory=bench)
    name = "HD Pro Webcam C920: HD Pro Webcam C920 (usb-0000:00:14.0-1)"
    device_monitor_of(window).set_devices([CameraDevice(name, 2)])
    assert window.source_banner.text() == f"Camera available: {name} (in the toolbar's list)."
    (caption, _dismiss) = window.source_banner.button_captions()
    assert caption.startswith("Start HD Pro Webcam C920") and caption.endswith("…") and len(caption) < 40
    banner_button(window, caption).click()
    wait_for_face_result(qtbot, window)
    assert bench.last_camera().index == 2


@pytest.mark.parametrize("name", ["download.mp4", "download.jpg"])
def test_an_empty_file_is_told_empty_not_damaged(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, name: str
) -> None:
    # A failed download or copy: the banner said "OpenCV cannot decode it (damaged, or not
    # a video)", or "not an image OpenCV can decode (corrupt or unsupported)".
    empty = tmp_path / name
    empty.write_bytes(b"")
    window = make_window(video=empty)
    qtbot.waitUntil(lambda: window.source_banner.level == "error", timeout=WAIT_MS)
    assert window.source_banner.text().endswith(f"{empty}: the file is empty (0 bytes)"), window.source_banner.text()
    assert "Open video file…" in window.source_banner.button_captions()
    assert empty.read_bytes() == b""


@pytest.mark.parametrize("names", [["download.jpg"], ["a.jpg", "b.png"]])
def test_a_folder_of_empty_pictures_is_told_empty_not_damaged(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, names: list[str]
) -> None:
    # Opened as a folder, its empty pictures were "damaged, or not an image", where each
    # of them opened on its own is told empty.
    folder = tmp_path / "downloads"
    folder.mkdir()
    for name in names:
        (folder / name).write_bytes(b"")
    window = make_window(video=folder)
    qtbot.waitUntil(lambda: window.source_banner.level == "error", timeout=WAIT_MS)
    said = window.source_banner.text()
    if len(names) == 1:
        assert said.endswith(f"Could not read the image {folder / names[0]}: the file is empty (0 bytes)"), said
    else:
        assert said.endswith("Could not read any of the 2 images: each file is empty (0 bytes)"), said
    assert all((folder / name).read_bytes() == b"" for name in names)


def test_a_slide_shows_end_is_not_told_once_a_seek_has_opened_it_again(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: a seek back while the end waited for the last picture's result opened the file
    # again (not through start_source), and the wait's time ran on: on a slow open, the
    # banner "Finished playing pictures" and its Play again came up over the file opening.
    folder = tmp_path / "pictures"
    show = LastPictureGate(write_slide_show(folder, [astronaut_bgr()] * 2))
    window = make_window(video=folder, source_factory=show)
    wait_for_face_result(qtbot, window)
    with thread_held(window.controller.inference_thread):  # the last picture waits to be labelled
        show.let_through()  # the last picture is read now, not before
        qtbot.waitUntil(lambda: window.source_state.ended, timeout=WAIT_MS)
        assert "Finished playing" not in window.source_banner.text()
        with thread_held(window.controller.capture_thread):  # the open takes long
            window.seek(0)
            assert window.source_state.starting and not window.source_state.ended
            qtbot.wait(END_WAIT_MS + 1000)  # past the wait's bound, still opening
            assert "Finished playing" not in window.source_banner.text()
    qtbot.waitUntil(lambda: window.source_state.running, timeout=WAIT_MS)
    assert "Finished playing" not in window.source_banner.text()
