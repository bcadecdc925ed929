"""Recording and snapshots people can see and find: a REC indicator with elapsed time, a
saved notice that stays (with Open folder), an output-folder setting (created when
missing, refused when unusable), one-key snapshot and record, and the codec named."""

from __future__ import annotations

import csv
import gc
import os
import re
import threading
import weakref
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from PyQt6.QtCore import Qt
from pytestqt.qtbot import QtBot

from emotion_app.gui.annotation import saved_picture, with_names
from emotion_app.gui.main_window import FIRST_WINDOW_SIZE, MIN_WINDOW_SIZE, MainWindow
from emotion_app.gui.messages import InferenceResult
from emotion_app.gui.settings import AppSettings
from emotion_app.io.codecs import MPEG4_PART2, codec_for, h264_codec
from emotion_app.io.video import AnnotatedVideoWriter
from emotion_app.samples import SIX_LABELS, VideoTruth, astronaut_frames, write_video
from tests.gui_support import (
    WAIT_MS,
    ThreadHold,
    WindowFactory,
    busy_until,
    pause_on_shown_frame,
    paused_at,
    play_looping,
    playback_of,
    shown_result,
    thread_held,
    use_output_folder,
    wait_for_face_result,
    wait_for_recording,
    wait_until_recorded,
)
from tests.slide_show import write_slide_show


def no_dialog(*_args: object) -> str:
    raise AssertionError("a one-key action must not ask")


def test_one_key_snapshot_and_record_go_into_the_output_folder(
    qtbot: QtBot,
    make_window: WindowFactory,
    gui_video: VideoTruth,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    settings_path: Path,
) -> None:
    window = make_window()
    play_looping(window, gui_video.path)
    monkeypatch.setattr(window, "ask_save_path", no_dialog)
    monkeypatch.setattr(window, "ask_folder_path", no_dialog)
    folder = tmp_path / "not" / "yet" / "there"
    assert use_output_folder(qtbot, window, folder) and folder.is_dir()  # created when missing
    assert AppSettings.at_path(settings_path).output_dir == str(folder)
    wait_for_face_result(qtbot, window)
    window.pause()

    with qtbot.waitSignal(window.snapshots.saved, timeout=WAIT_MS) as saved:
        qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    snapshot = saved.args[0]
    assert snapshot.parent == folder and snapshot.suffix == ".png" and cv2.imread(str(snapshot)) is not None
    # The notice stays (a banner, not a status-bar line that is cut off and gone) and opens the folder.
    assert snapshot.name in window.notice_banner.text() and "Open folder" in window.notice_banner.button_captions()

    window.resume()
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    recording = wait_for_recording(qtbot, window)
    assert recording.video_path.parent == folder
    assert window.rec_label.isVisible() and re.fullmatch(r"● REC 0:0\d", window.rec_label.text())
    qtbot.waitUntil(lambda: window.rec_label.text() != "● REC 0:00", timeout=WAIT_MS)  # time runs
    wait_until_recorded(qtbot, window)
    video = recording.video_path
    with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS) as finished:
        qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert window.recording is None and not window.rec_label.isVisible()
    summary = finished.args[0]
    assert summary.frames_written > 0 and video.is_file() and video.with_suffix(".csv").is_file()
    notice = window.notice_banner.text()
    assert video.name in notice and summary.codec.split(":")[0] in notice
    assert "Open folder" in window.notice_banner.button_captions()


def test_the_rec_time_stands_still_while_the_recorded_file_is_paused(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path
) -> None:
    # A paused frame is written once, so the file holds none of a pause: REC counted on
    # from the wall clock, reading 0:13 for a recording of 5 s paused for 8.
    window = make_window()
    play_looping(window, gui_video.path)
    assert use_output_folder(qtbot, window, tmp_path)
    wait_for_face_result(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    wait_for_recording(qtbot, window)
    wait_until_recorded(qtbot, window)
    pause_on_shown_frame(qtbot, window)
    paused_text = window.rec_label.text()
    qtbot.wait(2500)  # the status line's refreshes (twice a second) come meanwhile
    window.recordings.refresh_indicator()
    assert window.rec_label.text() == paused_text
    window.resume()
    qtbot.waitUntil(lambda: window.rec_label.text() != paused_text, timeout=WAIT_MS)  # time runs again
    with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS):
        qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)


def rec_seconds(window: MainWindow) -> int:
    """The seconds the REC indicator reads ("● REC 1:05": 65)."""
    minutes, seconds = window.rec_label.text().removeprefix("● REC ").split(":")
    return int(minutes) * 60 + int(seconds)


def test_each_frame_stepped_to_while_paused_counts_in_the_rec_time(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path
) -> None:
    # A step (or a seek) while paused writes the frame it moves to, once: a frame's time of
    # video (1/15 s here). REC stood still through them: 45 steps left it 3 s short.
    window = make_window()
    play_looping(window, gui_video.path)
    assert use_output_folder(qtbot, window, tmp_path)
    wait_for_face_result(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    wait_for_recording(qtbot, window)
    wait_until_recorded(qtbot, window)
    paused_at(qtbot, window, 5)
    before = rec_seconds(window)
    for step in range(45):  # back and forth between frames 6 and 5: each is written
        frame = 6 - step % 2

        def there(frame: int = frame) -> bool:
            return shown_result(window).frame_index == playback_of(window).position == frame

        qtbot.keyClick(window, Qt.Key.Key_Right if frame == 6 else Qt.Key.Key_Left)
        qtbot.waitUntil(there, timeout=WAIT_MS)
    window.recordings.refresh_indicator()
    assert rec_seconds(window) >= before + 3  # 45 frames at 15 fps
    with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS) as finished:
        qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert finished.args[0].frames_written >= 45


def test_an_unusable_output_folder_is_refused_with_a_way_out(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path
) -> None:
    window = make_window(video=gui_video.path)
    good = tmp_path / "good"
    assert use_output_folder(qtbot, window, good)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert not use_output_folder(qtbot, window, blocker / "inside")
    assert window.settings.output_dir == str(good)  # the working folder is kept
    assert "Cannot save into the output folder" in window.notice_banner.text()
    assert "Choose output folder…" in window.notice_banner.button_captions()
    # A remembered folder that went bad is told when used, not silently replaced.
    window.settings.output_dir = str(blocker / "inside")
    wait_for_face_result(qtbot, window)
    window.snapshot()  # the folder is made and checked on the snapshot's thread
    qtbot.waitUntil(lambda: "Cannot save into the output folder" in window.notice_banner.text(), timeout=WAIT_MS)
    assert "Choose output folder…" in window.notice_banner.button_captions()
    assert blocker.read_text() == "not a folder"


def test_mp4_recordings_use_the_codec_the_probe_found(tmp_path: Path) -> None:
    codec = codec_for(".mp4")
    assert codec == (h264_codec() or MPEG4_PART2)
    writer = AnnotatedVideoWriter(tmp_path / "clip.mp4", 10.0)
    for shade in range(0, 250, 25):
        writer.write(np.full((120, 160, 3), shade, np.uint8))
    writer.close()
    capture = cv2.VideoCapture(str(tmp_path / "clip.mp4"))
    fourcc = int(capture.get(cv2.CAP_PROP_FOURCC))
    capture.release()
    written = fourcc.to_bytes(4, "little").decode("ascii", "replace")
    assert writer.codec is not None
    # What the decoder reports for the stream: FMP4 is FFmpeg's name for mp4v.
    expected = {"avc1", "h264"} if writer.codec.name == "H.264" else {"mp4v", "fmp4"}
    assert written.lower() in expected
    assert writer.codec.describe().startswith(("H.264", "MPEG-4 Part 2: this OpenCV build has no H.264"))


def _frame_result(index: int, source_time: float, wall_time: float, seeks: int = 0) -> InferenceResult:
    image = np.full((48, 64, 3), index % 250, np.uint8)
    return InferenceResult(
        stream_id=1,
        frame_index=index,
        image=image,
        annotated=image,
        display_image=image,
        faces=(),
        labels=SIX_LABELS,
        capture_time=wall_time,
        source_time=source_time,
        inference_done_time=wall_time,
        seeks=seeks,
    )


def test_a_recording_of_no_type_written_offers_no_picture_type(tmp_path: Path) -> None:
    # Was: "Recording stopped: talk.gif: unsupported output type; use .avi, ... or .mp4 for
    # a video, or .bmp, ..., .png, ... for one picture", where a recording to a picture's
    # name is refused ("a recording is a video").
    from emotion_app.gui.messages import RecordingRequest
    from emotion_app.gui.recorder import Recorder
    from emotion_app.io.atomic import OutputError

    video = tmp_path / "talk.gif"
    with pytest.raises(OutputError) as refused:
        Recorder(RecordingRequest(video, tmp_path / "talk.csv"), fps=10.0)
    assert str(refused.value) == f"{video}: unsupported output type; use .avi, .m4v, .mkv, .mov or .mp4"
    assert list(tmp_path.iterdir()) == []


def test_a_recording_holds_a_stall_but_cuts_at_a_seek_and_writes_a_paused_frame_once(tmp_path: Path) -> None:
    from emotion_app.gui.messages import RecordingRequest
    from emotion_app.gui.recorder import Recorder

    recorder = Recorder(RecordingRequest(tmp_path / "r.avi", tmp_path / "r.csv"), fps=10.0)
    for index in range(5):  # 0.0-0.4 s, in real time
        recorder.write(_frame_result(index, index / 10, index / 10))
    recorder.write(_frame_result(10, 1.0, 1.0))  # frames 5-9 skipped under load: held for them
    assert recorder.frames_written == 11
    recorder.write(_frame_result(60, 6.0, 1.1))  # the user jumped 5 s ahead: a cut
    recorder.write(_frame_result(61, 6.1, 1.2))
    recorder.write(_frame_result(61, 6.1, 3.0))  # paused on it: delivered again, not written again
    recorder.write(_frame_result(62, 6.2, 9.0))  # played on after the pause
    summary = recorder.close()
    assert summary.error == "" and summary.frames_written == 14
    assert summary.rows_written == 0  # no faces, no rows
    video = cv2.VideoCapture(str(tmp_path / "r.avi"))
    assert int(video.get(cv2.CAP_PROP_FRAME_COUNT)) == 14
    video.release()


def test_a_frame_left_out_of_a_full_recording_queue_is_filled_by_the_frame_after_it(tmp_path: Path) -> None:
    # README said the video "holds the one before it for the gap": the recorder keeps its
    # pace by the frames' times, so the frame after the gap is written for it too.
    import dataclasses
    import time

    from emotion_app.gui.messages import RecordingRequest, RecordingSummary
    from emotion_app.gui.recording_writer import MAX_WAITING_FRAMES, RecordingWriter

    def frame(index: int) -> InferenceResult:
        image = np.full((48, 64, 3), 50 * index, np.uint8)  # each frame its own grey
        result = _frame_result(index, index / 10, index / 10)
        return dataclasses.replace(result, image=image, annotated=image, display_image=image)

    summaries: list[RecordingSummary] = []
    writer = RecordingWriter(RecordingRequest(tmp_path / "r.avi", tmp_path / "r.csv"), 10.0, summaries.append)
    for index in (0, 1):
        assert writer.put(frame(index))
    deadline = time.monotonic() + WAIT_MS / 1000
    while writer._waiting:  # both taken by the writer's thread
        assert time.monotonic() < deadline
        time.sleep(0.01)
    writer.max_waiting = 0  # as if 8 waited: the next frame is left out
    assert writer.put(frame(2)) and writer.dropped == 1
    writer.max_waiting = MAX_WAITING_FRAMES
    for index in (3, 4):
        assert writer.put(frame(index))
    assert writer.finish() and summaries[0].error == ""
    video = cv2.VideoCapture(str(tmp_path / "r.avi"))
    greys = []
    while True:
        ok, picture = video.read()
        if not ok:
            break
        greys.append(round(float(picture.mean()) / 50))
    video.release()
    assert greys == [0, 1, 3, 3, 4]  # frame 2's place: frame 3, the one after it


def test_snapshots_and_recordings_in_quick_succession_each_keep_their_file(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path
) -> None:
    # Named by the second and written in the background, the second press's file replaced the first's.
    window = make_window()
    play_looping(window, gui_video.path)
    assert use_output_folder(qtbot, window, tmp_path)
    wait_for_face_result(qtbot, window)
    saved: list[Path] = []
    window.snapshots.saved.connect(saved.append)
    for _ in range(3):
        qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(saved) == 3, timeout=WAIT_MS)
    assert len(set(saved)) == 3 and len(list(tmp_path.glob("*.png"))) == 3
    finished: list[object] = []
    window.controller.recording_finished.connect(finished.append)
    for _ in range(2):
        qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: window.rec_label.isVisible(), timeout=WAIT_MS)
        wait_until_recorded(qtbot, window)
        qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(finished) == 2, timeout=WAIT_MS)
    assert len(list(tmp_path.glob("*.mp4"))) == 2


def test_recording_ends_with_stop_and_says_when_nothing_was_recorded(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window()
    play_looping(window, gui_video.path)
    assert use_output_folder(qtbot, window, tmp_path)
    wait_for_face_result(qtbot, window)
    # Started and stopped while paused: no frame played, and no "Saved" for a file that is not there.
    window.pause()
    qtbot.waitUntil(lambda: window.source_state.playback is not None, timeout=WAIT_MS)
    with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS):
        qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
        wait_for_recording(qtbot, window)
        qtbot.wait(300)
        qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert "Nothing was recorded" in window.notice_banner.text()
    window.resume()
    # Cancelling "Record as…" leaves a running recording alone; Stop ends it.
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    running = wait_for_recording(qtbot, window)
    monkeypatch.setattr(window, "ask_save_path", lambda *_args: "")  # the user cancels
    window.record_dialog()
    assert window.recording == running is not None
    with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS) as finished:
        window.stop()
    assert window.recording is None and not window.rec_label.isVisible()
    assert finished.args[0].request == running


def test_a_recording_of_one_stepped_frame_says_1_frame_and_1_row(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path
) -> None:
    # Recorded while paused, then one step: one frame with one face. The saved notice said
    # "(1 frames, …)" and "(1 rows)".
    window = make_window()
    play_looping(window, gui_video.path)
    assert use_output_folder(qtbot, window, tmp_path)
    wait_for_face_result(qtbot, window)
    paused_at(qtbot, window, 5)
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    wait_for_recording(qtbot, window)
    window.step(1)
    qtbot.waitUntil(lambda: shown_result(window).frame_index == 6, timeout=WAIT_MS)
    wait_until_recorded(qtbot, window)
    with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS) as finished:
        qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    summary = finished.args[0]
    assert summary.error == "" and (summary.frames_written, summary.rows_written) == (1, 1)
    notice = window.notice_banner.text()
    assert f"{summary.request.video_path.name} (1 frame, {summary.codec}) and " in notice
    assert f"{summary.request.csv_path.name} (1 row) in " in notice
    # One level of brackets: "(1 frame, MPEG-4 Part 2 (this OpenCV build has no H.264 …))"
    # read badly; the codec's note is kept, after a colon.
    assert bracket_depth(notice) == 1, notice
    assert all(part in notice for part in summary.codec.split(": "))


def bracket_depth(text: str) -> int:
    """How deep round brackets nest in ``text``."""
    depth = deepest = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        deepest = max(deepest, depth)
    return deepest


def test_a_recording_into_a_folder_not_yet_made_that_got_no_frame_says_nothing_was_recorded(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A missing folder is made with the first frame written; stopped before any, it was
    # never there, and the notice said it "was removed while recording".
    window = make_window()
    play_looping(window, gui_video.path)
    wait_for_face_result(qtbot, window)
    paused_at(qtbot, window, 5)
    folder = tmp_path / "not" / "yet"
    monkeypatch.setattr(window, "ask_save_path", lambda *_args: str(folder / "talk.mp4"))
    window.record_dialog()
    wait_for_recording(qtbot, window)
    qtbot.wait(300)
    with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS) as finished:
        qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    summary = finished.args[0]
    assert (summary.error, summary.frames_written) == ("", 0)
    assert window.notice_banner.text() == "Nothing was recorded: no frame played while the recording ran."
    assert not folder.exists()


def test_record_to_a_picture_name_is_refused_not_cut_to_its_last_frame(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The video writer makes a still of the last frame for a picture's name (analyze's
    # output for a picture): a recording "saved" so kept one frame of all it recorded.
    window = make_window()
    play_looping(window, gui_video.path)
    wait_for_face_result(qtbot, window)
    folder = tmp_path / "out"
    folder.mkdir()
    # "x.png.", its trailing dot dropped, is a picture's name too; the refusal names it as
    # typed, as Record to…'s others do (was "… x.png is a picture's name", not typed).
    for typed in (str(folder / "talk.PNG"), f"{folder / 'x.png'}.", str(folder / "x.png")):
        window.notice_banner.dismiss()
        monkeypatch.setattr(window, "ask_save_path", lambda *_args, typed=typed: typed)
        window.record_dialog()
        qtbot.waitUntil(
            lambda: "refused" in window.notice_banner.text() or window.recording is not None, timeout=WAIT_MS
        )
        assert window.recording is None and not window.record_action.isChecked()
        assert window.notice_banner.text() == (
            f"Recording refused: {typed} is a picture's name; a recording is a video (.mp4 or .avi)"
        )
        # The API's name is read alike.
        window.notice_banner.dismiss()
        assert window.start_recording(typed) is None and window.recording is None
        assert window.notice_banner.text().startswith(f"Recording refused: {typed} is a picture's name;")
    assert window.is_running and list(folder.iterdir()) == []


def test_record_to_a_name_of_no_video_type_is_refused_at_once_and_asked_again(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: Record to… talk.gif started a recording (Record checked, the banner cleared),
    # which its writer then refused: "Recording stopped: talk.gif: unsupported output type;
    # ...", and a recording running before was stopped for it.
    window = make_window()
    play_looping(window, gui_video.path)
    folder = tmp_path / "out"
    assert use_output_folder(qtbot, window, folder)
    wait_for_face_result(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    running = wait_for_recording(qtbot, window)
    for typed in ("talk.xyz", "talk.MP4.txt", "talk.gif", "talk.gif."):
        chosen = folder / typed
        monkeypatch.setattr(window, "ask_save_path", lambda *_args, chosen=chosen: str(chosen))
        window.record_dialog()
        # At once, in the recorder's words; nothing checked nor started, the recording
        # running goes on and so does the video.
        assert window.notice_banner.text() == (
            f"Recording refused: {chosen}: unsupported output type; use .avi, .m4v, .mkv, .mov or .mp4"
        )
        assert window.notice_banner.level == "error"
        assert not window.recordings._recording_check.pending and window.recording == running
        assert window.record_action.isChecked() and window.is_running and not window.source_state.paused
    assert not any(path.name.startswith("talk") for path in folder.iterdir())
    # Chosen again from the banner, the dialog offers the last name refused as a video.
    monkeypatch.setattr(window, "ask_save_path", lambda _title, suggestion, _filters: suggestion)
    again = window.notice_banner.button("Record to…")
    assert again is not None, window.notice_banner.button_captions()
    with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS) as finished:
        again.click()
    assert finished.args[0].request == running and finished.args[0].error == ""
    recording = wait_for_recording(qtbot, window)
    assert recording.video_path == folder / "talk.mp4" and recording.csv_path == folder / "talk.csv"
    wait_until_recorded(qtbot, window)
    with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS) as finished:
        window.stop_recording()
    assert finished.args[0].error == "" and (folder / "talk.mp4").is_file()
    assert not any(path.suffix.lower() in (".gif", ".xyz", ".txt") for path in folder.iterdir())


def test_record_to_a_folder_or_a_type_alone_is_refused_and_trailing_dots_dropped(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: Record to… ".mp4" recorded to the hidden .mp4.mp4 (Path(".mp4").suffix is ""),
    # "clips/" to clips.mp4 beside the folder (a Path drops the separator), and "talk." to
    # talk..mp4.
    window = make_window()
    play_looping(window, gui_video.path)
    folder = tmp_path / "out"
    assert use_output_folder(qtbot, window, folder)
    (folder / "clips").mkdir()
    wait_for_face_result(qtbot, window)
    # Held still at a frame: the dialogs, answered at once here, neither pause nor play it
    # on, and the last recording takes the frame stepped to, however busy the machine.
    paused_at(qtbot, window, 5)
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    running = wait_for_recording(qtbot, window)
    refused = {
        f"{folder}{os.sep}.mp4": ("has no name before .mp4", folder),
        f"{folder}{os.sep}.AVI.": ("has no name before .AVI", folder),
        f"{folder}{os.sep}..mp4": ("has no name before ..mp4", folder),  # not a hidden "..mp4"
        f"{folder}{os.sep}.csv": ("has no name before .csv", folder),  # not a hidden .csv.mp4
        f"{folder / 'clips'}{os.sep}": ("names a folder, not a file to record to", folder / "clips"),
        f"{folder / 'new'}{os.sep}": ("names a folder, not a file to record to", folder / "new"),
        # Offered in the folder meant, not in ".../clips/..": the folder's path tidied.
        f"{folder / 'clips'}{os.sep}..": ("names a folder, not a file to record to", folder),
        f"{folder / 'clips'}{os.sep}..{os.sep}.mp4": ("has no name before .mp4", folder),
    }
    for typed, (why, offered_in) in refused.items():
        monkeypatch.setattr(window, "ask_save_path", lambda *_args, typed=typed: typed)
        window.record_dialog()
        # At once, in one line; nothing checked nor started, the recording running goes on.
        assert window.notice_banner.text() == f"Recording refused: {typed} {why}"
        assert window.notice_banner.level == "error"
        assert not window.recordings._recording_check.pending and window.recording == running
        assert window.record_action.isChecked() and window.is_running
        # Chosen again from the banner, the dialog offers a new name in the folder meant.
        offered: list[str] = []
        monkeypatch.setattr(
            window,
            "ask_save_path",
            lambda _title, suggestion, _filters, offered=offered: offered.append(suggestion) or "",
        )
        again = window.notice_banner.button("Record to…")
        assert again is not None, window.notice_banner.button_captions()
        again.click()
        assert len(offered) == 1 and os.path.dirname(offered[0]) == str(offered_in) and offered[0].endswith(".mp4")
        assert window.recording == running
    # (Ctrl+R's recording running writes hidden .part files beside its name.)
    assert [path.name for path in folder.iterdir() if "emotion-recording-" not in path.name] == ["clips"]
    assert list((folder / "clips").iterdir()) == [] and not (tmp_path / "out.mp4").exists()
    # A folder of a video's name (no separator typed) is refused too, once checked.
    (folder / "talk.mp4").mkdir()
    monkeypatch.setattr(window, "ask_save_path", lambda *_args: str(folder / "talk.mp4"))
    window.record_dialog()
    qtbot.waitUntil(lambda: not window.recordings._recording_check.pending, timeout=WAIT_MS)
    assert window.notice_banner.text() == (
        f"Recording refused: its video {folder / 'talk.mp4'} is a folder; it would not be replaced"
    )
    # The recording running goes on, as for a name refused at once. Was: it was stopped
    # before the check, and its "Saved …" notice, often coming after, replaced the refusal.
    assert window.recording == running and window.record_action.isChecked()
    (folder / "talk.mp4").rmdir()
    # Its trailing dots dropped, "talk." records to talk.mp4; the one running ends as it starts.
    monkeypatch.setattr(window, "ask_save_path", lambda *_args: f"{folder / 'talk'}...")
    with qtbot.waitSignal(
        window.controller.recording_finished, timeout=WAIT_MS, check_params_cb=lambda s: s.request == running
    ):
        window.record_dialog()
    recording = window.recording
    assert recording is not None and recording != running
    assert recording.video_path == folder / "talk.mp4" and recording.csv_path == folder / "talk.csv"
    window.step(1)
    qtbot.waitUntil(lambda: shown_result(window).frame_index == 6, timeout=WAIT_MS)
    wait_until_recorded(qtbot, window)
    with qtbot.waitSignal(
        window.controller.recording_finished, timeout=WAIT_MS, check_params_cb=lambda s: s.request == recording
    ) as finished:
        window.stop_recording()
    assert finished.args[0].error == "" and (folder / "talk.mp4").is_file()
    assert not any(".." in path.name or path.name.startswith(".mp4") for path in folder.iterdir())


def test_start_recording_reads_a_name_as_record_to_does(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path
) -> None:
    # Was: window.start_recording("talk.") recorded to talk..mp4, ".mp4" to a hidden
    # .mp4.mp4 and "clips/" to clips.mp4 beside the folder, where Record to… records the
    # first to talk.mp4 and refuses the others at once.
    window = make_window()
    play_looping(window, gui_video.path)
    folder = tmp_path / "out"
    folder.mkdir()
    wait_for_face_result(qtbot, window)
    refused = {
        f"{folder}{os.sep}.mp4": "has no name before .mp4",
        f"{folder}{os.sep}..mp4": "has no name before ..mp4",
        f"{folder / 'clips'}{os.sep}": "names a folder, not a file to record to",
    }
    for typed, why in refused.items():
        assert window.start_recording(typed) is None
        assert window.notice_banner.text() == f"Recording refused: {typed} {why}"
        assert window.notice_banner.level == "error" and window.notice_banner.button("Record to…") is not None
        assert not window.recordings.busy and not window.record_action.isChecked()
    # The empty name is named: was "Recording refused:  names a folder", two spaces.
    assert window.start_recording("") is None
    assert window.notice_banner.text() == 'Recording refused: "" names a folder, not a file to record to'
    assert list(folder.iterdir()) == [] and not (folder / "clips.mp4").exists()
    # Its trailing dot dropped, "talk." records to talk.mp4, as the API has it: a talk.mp4
    # there is replaced (no dialog asked about another name).
    (folder / "talk.mp4").write_bytes(b"an earlier recording")
    request = window.start_recording(f"{folder / 'talk'}.")
    assert request is not None and request.video_path == folder / "talk.mp4"
    assert wait_for_recording(qtbot, window).csv_path == folder / "talk.csv"
    wait_until_recorded(qtbot, window)
    with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS) as finished:
        window.stop_recording()
    assert finished.args[0].error == ""
    assert sorted(path.name for path in folder.iterdir()) == ["talk.csv", "talk.mp4"]
    assert (folder / "talk.mp4").read_bytes() != b"an earlier recording"


def test_a_recording_that_saw_no_face_names_the_csv_it_kept(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A recording's CSV is kept with its header when no face was seen (as analyze's is), but
    # the notice named the video only: a file was saved that no notice spoke of.
    blank = write_video(tmp_path / "blank.avi", [np.full((240, 320, 3), 90, np.uint8)] * 30, fps=15.0)
    window = make_window()
    play_looping(window, blank)
    folder = tmp_path / "out"
    assert use_output_folder(qtbot, window, folder)
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    request = wait_for_recording(qtbot, window)

    def written() -> bool:  # a frame classified (the CSV opened) and written
        recording = window.controller.inference._recording
        return recording is not None and recording.request == request and recording._frames_written > 0

    qtbot.waitUntil(written, timeout=WAIT_MS)
    with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS) as finished:
        qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    summary = finished.args[0]
    assert summary.error == "" and summary.frames_written > 0 and summary.rows_written == 0
    assert request.csv_path.read_text().count("\n") == 1  # its header
    assert f" and {request.csv_path.name} (0 rows) in {folder}" in window.notice_banner.text()


def test_a_recording_after_a_seek_back_holds_frames_the_busy_worker_skipped(tmp_path: Path) -> None:
    from emotion_app.gui.messages import RecordingRequest
    from emotion_app.gui.recorder import Recorder

    recorder = Recorder(RecordingRequest(tmp_path / "r.avi", tmp_path / "r.csv"), fps=10.0)
    for index in range(21):  # 0.0-2.0 s, in real time
        recorder.write(_frame_result(index, index / 10, index / 10))
    # Back to 1.0 s (still after the recording began); then every other frame is processed.
    for step, index in enumerate(range(10, 20, 2)):
        recorder.write(_frame_result(index, index / 10, 2.1 + step * 0.2, seeks=1))
    # The second played again is a second of video: 1 frame at the seek, then 2 per frame shown.
    assert recorder.frames_written == 21 + 1 + 2 * 4
    assert recorder.close().error == ""


def test_a_switch_to_a_model_with_other_emotions_ends_the_recording_with_its_files_whole(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, random_weights_7: Path
) -> None:
    from emotion_app.samples import write_astronaut_video

    clip = write_astronaut_video(tmp_path / "long.avi", num_frames=150, frame_size=(320, 240), face_size=80, fps=15.0)
    window = make_window()
    play_looping(window, clip.path)
    assert use_output_folder(qtbot, window, tmp_path / "out")
    wait_for_face_result(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    request = wait_for_recording(qtbot, window)
    wait_until_recorded(qtbot, window)
    with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS) as finished:
        window.controller.load_weights(random_weights_7)
    summary = finished.args[0]
    assert summary.error == "" and "other emotions (7)" in summary.ended_by and summary.rows_written > 0
    assert window.recording is None and not window.rec_label.isVisible() and not window.record_action.isChecked()
    notice = window.notice_banner.text()
    assert notice.startswith("Recording stopped: the model now in use has other emotions") and "Saved" in notice
    with open(request.csv_path, newline="") as handle:
        header = handle.readline()
    assert "angry" in header and "disgust" not in header
    video = cv2.VideoCapture(str(request.video_path))
    assert int(video.get(cv2.CAP_PROP_FRAME_COUNT)) == summary.frames_written
    video.release()


def test_a_recording_started_while_a_file_opens_has_that_files_frame_rate(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: the recording took the frame rate of the source before (15 fps), held by the
    # window until the file opening had opened: the 10 fps file's frames, written at
    # 15 fps, played one and a half times too fast.
    from emotion_app.samples import write_astronaut_video

    before = write_astronaut_video(tmp_path / "before.avi", num_frames=300, face_size=80, fps=15.0)
    slower = write_astronaut_video(tmp_path / "slower.avi", num_frames=150, face_size=80, fps=10.0)
    window = make_window(video=before.path)
    wait_for_face_result(qtbot, window)
    with thread_held(window.controller.capture_thread):  # the open waits behind it
        window.open_video(slower.path)
        assert window.start_recording(tmp_path / "take.avi") is not None
        wait_for_recording(qtbot, window)
        assert window.source_state.starting
    wait_until_recorded(qtbot, window)
    with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS) as finished:
        window.stop_recording()
    summary = finished.args[0]
    assert summary.error == "" and summary.frames_written > 0
    video = cv2.VideoCapture(str(summary.request.video_path))
    try:
        assert video.get(cv2.CAP_PROP_FPS) == pytest.approx(10.0)
    finally:
        video.release()
    with open(summary.request.csv_path, newline="") as handle:
        assert next(csv.DictReader(handle))["frame"] == "0"  # from its first frame, none of the one before
    # Stopped before the file has opened, the recording waiting for it has nothing, and says so.
    with thread_held(window.controller.capture_thread):
        window.open_video(before.path)
        assert window.start_recording(tmp_path / "none.avi") is not None
        wait_for_recording(qtbot, window)
        with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS):
            window.stop()
    assert "Nothing was recorded" in window.notice_banner.text() and not (tmp_path / "none.avi").exists()


def test_an_output_folder_whose_name_is_not_utf8_is_refused_and_not_made(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, settings_path: Path
) -> None:
    import os

    window = make_window()
    good = tmp_path / "good"
    assert use_output_folder(qtbot, window, good)
    odd = tmp_path / os.fsdecode(b"caf\xe9")  # Latin-1 bytes on a UTF-8 system
    assert not use_output_folder(qtbot, window, odd)
    assert "not valid UTF-8" in window.notice_banner.text()
    assert not os.path.exists(os.fsencode(odd))
    assert AppSettings.at_path(settings_path).output_dir == str(good)


def test_record_to_keeps_a_csv_of_that_name_it_was_not_asked_about(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: the dialog confirms replacing the video only; an unrelated talk.csv beside the
    # new talk.mp4 was replaced by the recording's rows without a word.
    mine = tmp_path / "talk.csv"
    mine.write_text("my own notes\n")
    window = make_window()
    play_looping(window, gui_video.path)
    wait_for_face_result(qtbot, window)
    monkeypatch.setattr(window, "ask_save_path", lambda *_args: str(tmp_path / "talk"))
    window.record_dialog()
    recording = wait_for_recording(qtbot, window)
    assert recording.video_path == tmp_path / "talk.mp4" and recording.csv_path == tmp_path / "talk-2.csv"
    wait_until_recorded(qtbot, window)
    with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS) as finished:
        window.stop_recording()
    summary = finished.args[0]
    assert summary.error == "" and summary.rows_written > 0
    assert mine.read_text() == "my own notes\n" and (tmp_path / "talk-2.csv").is_file()
    assert "talk-2.csv" in window.notice_banner.text()


@pytest.mark.parametrize("typed", ["talk", "talk.", "talk.mp4."])
def test_record_to_a_name_typed_without_suffix_keeps_the_video_of_that_name(
    qtbot: QtBot,
    make_window: WindowFactory,
    gui_video: VideoTruth,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    typed: str,
) -> None:
    # Was: "talk" typed in the dialog, which asked about no file "talk"; the recording went
    # to talk.mp4 and replaced the video already there, and the talk.csv beside it. So too
    # "talk.mp4.", its trailing dot dropped: the dialog asked about "talk.mp4." only.
    kept_video, kept_csv = tmp_path / "talk.mp4", tmp_path / "talk.csv"
    kept_video.write_bytes(b"an earlier recording")
    kept_csv.write_text("its rows\n")
    window = make_window()
    play_looping(window, gui_video.path)
    wait_for_face_result(qtbot, window)
    monkeypatch.setattr(window, "ask_save_path", lambda *_args: str(tmp_path / typed))
    window.record_dialog()
    recording = wait_for_recording(qtbot, window)
    assert (recording.video_path, recording.csv_path) == (tmp_path / "talk-2.mp4", tmp_path / "talk-2.csv")
    wait_until_recorded(qtbot, window)
    with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS) as finished:
        window.stop_recording()
    assert finished.args[0].error == ""
    assert kept_video.read_bytes() == b"an earlier recording" and kept_csv.read_text() == "its rows\n"
    assert (tmp_path / "talk-2.mp4").is_file() and (tmp_path / "talk-2.csv").is_file()


@pytest.mark.parametrize("typed", ["x" * 252, "x" * 300 + ".mp4"], ids=["fits only without its suffix", "too long"])
def test_record_to_a_name_too_long_for_the_file_system_is_refused_not_raised(
    typed: str,
    qtbot: QtBot,
    make_window: WindowFactory,
    gui_video: VideoTruth,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Was: asking whether talk.mp4 (or its CSV) was there raised OSError (ENAMETOOLONG, 255
    # bytes a name) out of the slot: no recording, no word.
    window = make_window()
    play_looping(window, gui_video.path)
    wait_for_face_result(qtbot, window)
    monkeypatch.setattr(window, "ask_save_path", lambda *_args: str(tmp_path / typed))
    window.record_dialog()
    qtbot.waitUntil(  # the names are asked of the disk off the GUI thread
        lambda: window.notice_banner.text().startswith("Recording refused: "), timeout=WAIT_MS
    )
    assert window.recording is None and not window.record_action.isChecked()
    assert "File name too long" in window.notice_banner.text() and window.notice_banner.level == "error"
    assert not any(path.name.startswith("xxx") for path in tmp_path.iterdir())


def test_a_snapshot_whose_name_the_output_folder_cannot_hold_is_told(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path
) -> None:
    # Was: asking whether the snapshot's name was free raised (the folder's path leaves no
    # room for it: ENAMETOOLONG) on the snapshot's thread, which ended with no file and no word.
    folder = tmp_path
    while len(str(folder)) < 4070:  # made and writable, but no file name fits under it
        folder = folder / ("d" * min(200, 4070 - len(str(folder)) - 1))
    window = make_window(video=gui_video.path)
    assert use_output_folder(qtbot, window, folder)
    wait_for_face_result(qtbot, window)
    window.snapshot()
    qtbot.waitUntil(lambda: "could not write snapshot" in window.notice_banner.text(), timeout=WAIT_MS)
    assert "File name too long" in window.notice_banner.text()
    assert list(folder.iterdir()) == []


def test_a_recording_whose_name_the_output_folder_cannot_hold_is_refused(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path
) -> None:
    # Was: asking whether the recording's name was free raised (ENAMETOOLONG) out of the
    # Record action's slot: no message, and Record stayed checked with nothing recording.
    folder = tmp_path
    while len(str(folder)) < 4070:  # made and writable, but no file name fits under it
        folder = folder / ("d" * min(200, 4070 - len(str(folder)) - 1))
    window = make_window()
    play_looping(window, gui_video.path)
    assert use_output_folder(qtbot, window, folder)
    wait_for_face_result(qtbot, window)
    window.record_action.trigger()
    qtbot.waitUntil(lambda: "Recording refused" in window.notice_banner.text(), timeout=WAIT_MS)
    assert window.recording is None and not window.record_action.isChecked()
    assert "File name too long" in window.notice_banner.text()


def message_room(window: MainWindow) -> int:
    """The width Qt draws the status bar's message in: from its left margin to the first
    permanent label shown (QStatusBarPrivate::messageRect), the REC indicator while recording."""
    status = window.status
    labels = [label for label in (window.rec_label, *status._permanent) if label.isVisible()]
    return min(label.x() for label in labels) - 2 - 6


def message_in_view(window: MainWindow, figures: str) -> bool:
    shown = window.status.currentMessage()
    return shown.endswith(figures) and window.status.fontMetrics().horizontalAdvance(shown) <= message_room(window)


def test_the_rec_indicator_leaves_the_status_message_its_end(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path
) -> None:
    # Before, "Video file /work/…/WolfgangLanger_Pexels.mp4: 640x360, 2" while recording:
    # the message was fitted to the room without the REC indicator, which then hid its end.
    window = make_window()
    assert use_output_folder(qtbot, window, tmp_path / "out")
    play_looping(window, gui_video.path)
    qtbot.waitUntil(lambda: window.source_state.info is not None, timeout=WAIT_MS)
    status = window.status
    message = (
        f"Video file {tmp_path / ('a folder with a long name ' * 4).strip() / gui_video.path.name}: 320x240, 15 fps"
    )
    # Shown before the recording starts: the indicator that comes takes room from it.
    status.showMessage(message, 60_000)
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    wait_for_recording(qtbot, window)
    qtbot.waitUntil(window.rec_label.isVisible, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: message_in_view(window, "320x240, 15 fps"), timeout=WAIT_MS)
    # Shown while it records, in a window of the usual size and in the smallest one.
    for size in (FIRST_WINDOW_SIZE, MIN_WINDOW_SIZE):
        window.resize(*size)

        def resized(size: tuple[int, int] = size) -> bool:
            return window.width() == size[0]

        qtbot.waitUntil(resized, timeout=WAIT_MS)
        status.showMessage(message, 60_000)
        qtbot.waitUntil(lambda: message_in_view(window, "320x240, 15 fps"), timeout=WAIT_MS)
        assert "…" in status.currentMessage() and status.currentMessage().startswith("Video file /")
    # Fitted again, the message keeps its time: it still goes when that runs out.
    status.showMessage(message, 500)
    window.resize(*FIRST_WINDOW_SIZE)
    qtbot.waitUntil(lambda: status.currentMessage() == "", timeout=WAIT_MS)
    # The model's name gave way to the message, and has its room back once it has gone.
    qtbot.waitUntil(lambda: status.model_label.shown_text() == status.model_label.text(), timeout=WAIT_MS)
    window.stop_recording()


def test_the_recording_watch_runs_beside_the_frames_and_stops_once_the_recording_is_done(
    qtbot: QtBot, qtlog: Any, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path
) -> None:
    # The watch of a recording's writer ran on the GUI thread (a plain method's connection
    # made before the worker moved to its thread): it raced the inference thread for the
    # recordings it watched, and its timer, stopped from the wrong thread, ticked on for ever.
    window = make_window()
    play_looping(window, gui_video.path)
    assert use_output_folder(qtbot, window, tmp_path)
    wait_for_face_result(qtbot, window)
    worker = window.controller.inference
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    wait_for_recording(qtbot, window)
    wait_until_recorded(qtbot, window)
    with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS):
        qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not worker._recording_check.isActive(), timeout=WAIT_MS)
    assert [record.message for record in qtlog.records if "another thread" in record.message] == []


def test_a_recording_whose_files_cannot_be_finished_says_so_at_once(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: an error out of the video's close (an I/O error on the share, say) ended the
    # recording's writer thread with no summary; the window said nothing, then, 10 s later,
    # that the folder "stopped answering", and exit counted the recording as saved.
    window = make_window()
    play_looping(window, gui_video.path)
    assert use_output_folder(qtbot, window, tmp_path)
    wait_for_face_result(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    running = wait_for_recording(qtbot, window)
    wait_until_recorded(qtbot, window)

    def broken_close(self: AnnotatedVideoWriter) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(AnnotatedVideoWriter, "close", broken_close)
    with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS) as finished:
        qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    summary = finished.args[0]
    assert summary.request == running
    assert "Input/output error" in summary.error
    assert "Input/output error" in window.notice_banner.text() and window.notice_banner.level == "error"
    assert "stopped answering" not in window.notice_banner.text()


def test_a_name_given_while_homes_first_frame_waits_for_inference_is_on_it_in_the_recording(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path
) -> None:
    # Was: names reached the inference thread queued behind the nudge of a frame waiting for
    # it, so Home's first frame was labelled, and recorded, without the name given meanwhile:
    # the window showed it with the name (it puts the names it holds on each frame), the
    # recording without.
    window = make_window()
    play_looping(window, gui_video.path)
    controller, panel = window.controller, window.timeline_panel
    qtbot.waitUntil(lambda: window.view.result is not None and window.view.result.frame_index >= 5, timeout=WAIT_MS)
    face_id = wait_for_face_result(qtbot, window).faces[0].track_id
    pause_on_shown_frame(qtbot, window)  # so that Home's first frame is all the recording gets
    assert window.start_recording(tmp_path / "home.avi") is not None
    wait_for_recording(qtbot, window)
    with thread_held(controller.inference_thread):
        window.restart()
        qtbot.waitUntil(lambda: controller.frames.is_full, timeout=WAIT_MS)  # Home's first frame waits
        panel.ask_name = lambda track_id, current: "Anna"
        panel.name_person(face_id)
    qtbot.waitUntil(lambda: shown_result(window).frame_index == 0 and bool(shown_result(window).faces), timeout=WAIT_MS)
    shown = shown_result(window)
    assert [face.name for face in shown.faces if face.track_id == face_id] == ["Anna"]
    wait_until_recorded(qtbot, window)
    with qtbot.waitSignal(controller.recording_finished, timeout=WAIT_MS) as finished:
        window.stop_recording()
    summary = finished.args[0]
    assert summary.error == "" and summary.frames_written == 1
    capture = cv2.VideoCapture(str(summary.request.video_path))
    try:
        read, recorded = capture.read()
    finally:
        capture.release()
    assert read
    # Where the name's tag differs from the frame drawn without it, the recorded frame is
    # the one the window showed (the video's compression blurs both alike).
    named, unnamed = saved_picture(shown).astype(np.int16), saved_picture(with_names(shown, {})).astype(np.int16)
    tag = np.abs(named - unnamed).max(axis=2) > 40
    assert tag.sum() > 50
    off_named = float(np.abs(recorded.astype(np.int16) - named)[tag].mean())
    off_unnamed = float(np.abs(recorded.astype(np.int16) - unnamed)[tag].mean())
    assert off_named < off_unnamed, (off_named, off_unnamed)


def test_a_recordings_csv_names_each_face_as_its_frame_showed_it_a_rename_from_then_on(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path
) -> None:
    # The recording's frames showed the names given, its CSV only "track_id": a meeting
    # recorded with everyone named came out with nobody named in its rows.
    window = make_window()
    play_looping(window, gui_video.path)
    panel, worker = window.timeline_panel, window.controller.inference
    face_id = wait_for_face_result(qtbot, window).faces[0].track_id
    panel.ask_name = lambda track_id, current: "'Anna"  # a ' first of its own gets one more
    panel.name_person(face_id)
    request = window.start_recording(tmp_path / "meeting.avi")
    assert request is not None and wait_for_recording(qtbot, window) == request
    qtbot.waitUntil(lambda: worker._recording is not None and worker._recording.request == request, timeout=WAIT_MS)
    recording = worker._recording
    assert recording is not None
    qtbot.waitUntil(lambda: recording.rows_written >= 3, timeout=WAIT_MS)
    # Typed like a formula, with a comma, quotes and letters beyond ASCII.
    renamed = '=Zoë, "Z" Ünal'
    panel.ask_name = lambda track_id, current: renamed
    panel.name_person(face_id)
    # More rows than frames can be on their way (one labelled, one waiting for it, the
    # writer's queue): some were labelled after the rename.
    rows_at_rename = recording.rows_written
    qtbot.waitUntil(lambda: recording.rows_written >= rows_at_rename + 15, timeout=WAIT_MS)
    with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS) as finished:
        window.stop_recording()
    summary = finished.args[0]
    assert summary.error == "" and summary.csv_kept
    with open(request.csv_path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == summary.rows_written
    header = list(rows[0])
    assert header[header.index("track_id") + 1] == "name"
    names = [row["name"] for row in rows if row["track_id"] == str(face_id)]
    before = names.index("'" + renamed)  # a spreadsheet shows it, never runs it
    # Named from the first row, renamed from a row on: never the old name after the new.
    assert before >= 3 and names == ["''Anna"] * before + ["'" + renamed] * (len(names) - before)
    assert {row["name"] for row in rows if row["track_id"] != str(face_id)} <= {""}  # nobody else was named


@pytest.mark.parametrize("asked", ["behind a frame of the file before", "ahead of one"])
def test_a_recording_started_while_a_file_opens_behind_a_busy_model_keeps_its_first_frame(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, asked: str
) -> None:
    # Was: the inference thread, busy as the next file opened, took that file's first frame
    # at the nudge of a frame of the file before still waiting for it, ahead of the news of
    # the open (and of the recording, asked for behind that nudge): the recording waiting
    # for the file began after it, without frame 0.
    from emotion_app.samples import write_astronaut_video

    before = write_astronaut_video(tmp_path / "before.avi", num_frames=300, face_size=80, fps=15.0)
    slow = write_astronaut_video(tmp_path / "slow.avi", num_frames=12, face_size=80, fps=2.0)
    window = make_window(video=before.path)
    wait_for_face_result(qtbot, window)
    controller = window.controller
    inference, capture = ThreadHold(controller.inference_thread), ThreadHold(controller.capture_thread)
    try:
        if asked == "behind a frame of the file before":
            inference.hold.emit()
            assert inference.busy.wait(WAIT_MS / 1000)
            # A frame of the file before waits, and with it its nudge, behind the busy thread.
            qtbot.waitUntil(lambda: controller.frames.is_full, timeout=WAIT_MS)
        capture.hold.emit()
        assert capture.busy.wait(WAIT_MS / 1000)
        window.open_video(slow.path)
        assert window.start_recording(tmp_path / "take.avi") is not None
        wait_for_recording(qtbot, window)
        assert window.source_state.starting
        if asked == "ahead of one":
            qtbot.waitUntil(lambda: controller.inference._recording_waits is not None, timeout=WAIT_MS)
            inference.hold.emit()
            assert inference.busy.wait(WAIT_MS / 1000)
            controller.capture.frame_available.emit()  # the nudge of a frame of the file before
        capture.release.set()  # it opens (the frame before is let go), and hands over its first frame
        qtbot.waitUntil(lambda: window.source_state.running, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: controller.frames.is_full, timeout=WAIT_MS)
    finally:
        capture.release.set()
        inference.release.set()
    wait_until_recorded(qtbot, window)
    with qtbot.waitSignal(controller.recording_finished, timeout=WAIT_MS) as finished:
        window.stop_recording()
    summary = finished.args[0]
    assert summary.error == "" and summary.frames_written > 0
    with open(summary.request.csv_path, newline="") as handle:
        assert next(csv.DictReader(handle))["frame"] == "0"


def test_a_recording_asked_for_as_a_file_opens_behind_a_busy_window_keeps_its_first_frames(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: the window, busy as the file it opened opened, heard of the open only after some
    # of its frames were labelled; a recording it asked for meanwhile (still waiting for that
    # open) reached the model's thread after them, and began with the newest, not frame 0.
    from emotion_app.samples import write_astronaut_video

    before = write_astronaut_video(tmp_path / "before.avi", num_frames=300, face_size=80, fps=15.0)
    after = write_astronaut_video(tmp_path / "after.avi", num_frames=300, face_size=80, fps=15.0)
    window = make_window(video=before.path)
    wait_for_face_result(qtbot, window)
    controller, worker = window.controller, window.controller.inference
    answered = threading.Event()  # the recording's files checked: the answer is on its way here
    # PyQt6's stubs leave out connect's second argument, the connection type: hence the ignore.
    window.recordings._recording_check._reported.connect(lambda *_: answered.set(), Qt.ConnectionType.DirectConnection)  # type: ignore[call-arg]
    waits_for: list[int] = []  # the open each recording asked for waits for (-1: none)
    controller._record_requested.connect(lambda _request, _fps, opening: waits_for.append(opening))

    def labelled_since_the_open() -> bool:
        newest, opened = worker._newest, worker._opened
        if newest is None or opened is None or opened.request != controller.requests_sent:
            return False  # the file opening has not opened yet
        return newest.stream_id == opened.stream_id and newest.frame_index >= 2

    capture = ThreadHold(controller.capture_thread)
    try:
        capture.hold.emit()
        assert capture.busy.wait(WAIT_MS / 1000)
        window.open_video(after.path)  # it opens once the capture thread is let go
        assert window.start_recording(tmp_path / "take.avi") is not None
        # This thread busy from before the check's answer is taken: the file opens, and its
        # first frames are labelled, before the window hears of it; then it asks for the recording.
        busy_until(answered.is_set)
        capture.release.set()
        busy_until(labelled_since_the_open)
    finally:
        capture.release.set()
    wait_for_recording(qtbot, window)
    assert waits_for == [controller.requests_sent]  # asked for as the file opened, as README says
    wait_until_recorded(qtbot, window)
    with qtbot.waitSignal(controller.recording_finished, timeout=WAIT_MS) as finished:
        window.stop_recording()
    summary = finished.args[0]
    assert summary.error == "" and summary.frames_written > 0
    with open(summary.request.csv_path, newline="") as handle:
        frames = [int(row["frame"]) for row in csv.DictReader(handle)]
    assert frames[0] == 0 and frames == sorted(frames)  # from its first frame on, in order


def _four_picture_show(tmp_path: Path) -> Path:
    """A folder of four stills, each of one face: a slide show of 8 s."""
    frames, _ = astronaut_frames(num_frames=4, frame_size=(320, 240), face_size=80, motion="static")
    folder = tmp_path / "pictures"
    write_slide_show(folder, frames)
    return folder


def _recorded(summary_video: Path) -> tuple[float, list[int]]:
    """A slide show's recording: its length in seconds, and the pictures its CSV rows are of."""
    video = cv2.VideoCapture(str(summary_video))
    try:
        seconds = video.get(cv2.CAP_PROP_FRAME_COUNT) / video.get(cv2.CAP_PROP_FPS)
    finally:
        video.release()
    with open(summary_video.with_suffix(".csv"), newline="") as handle:
        pictures = [int(row["frame"]) for row in csv.DictReader(handle)]
    return seconds, pictures


def _rec_seconds_at_the_last_picture(qtbot: QtBot, window: MainWindow) -> int:
    """REC's seconds once the show's last picture (of four) is on screen: a recording ends
    with its source, REC with it."""
    qtbot.waitUntil(lambda: shown_result(window).frame_index == 3, timeout=WAIT_MS)
    window.recordings.refresh_indicator()
    return rec_seconds(window)


def test_a_slide_show_recorded_as_it_plays_holds_the_picture_on_screen_as_rec_says(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: recorded from halfway through a picture, REC counted that picture's rest (0:07 of
    # three and a half pictures) while the file began at the next picture (6.00 s): a
    # picture is one frame of 2 s, and the one on screen was never handed to the recording.
    window = make_window()
    assert use_output_folder(qtbot, window, tmp_path / "out")
    window.open_video(_four_picture_show(tmp_path))
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    qtbot.wait(500)  # into the first picture's showing
    window.start_recording(tmp_path / "out" / "show.avi")
    wait_for_recording(qtbot, window)
    on_screen = shown_result(window).frame_index
    assert on_screen < 3
    with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS) as finished:
        rec_s = _rec_seconds_at_the_last_picture(qtbot, window)  # the recording ends with the show
    seconds, pictures = _recorded(finished.args[0].request.video_path)
    assert pictures == list(range(on_screen, 4))  # the picture on screen, then each after it
    assert seconds == pytest.approx(2.0 * len(pictures))
    assert rec_s == round(seconds)  # REC read what the file holds


def test_a_paused_slide_show_recorded_then_played_on_holds_the_picture_it_plays_from(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: paused on a picture, recorded, then played on: REC counted that picture's showing
    # from there, the file began at the next picture.
    window = make_window()
    assert use_output_folder(qtbot, window, tmp_path / "out")
    window.open_video(_four_picture_show(tmp_path))
    paused_at(qtbot, window, 2)
    window.start_recording(tmp_path / "out" / "show.avi")
    wait_for_recording(qtbot, window)
    window.recordings.refresh_indicator()
    assert rec_seconds(window) == 0  # paused: nothing recorded yet
    with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS) as finished:
        window.resume()
        rec_s = _rec_seconds_at_the_last_picture(qtbot, window)
    seconds, pictures = _recorded(finished.args[0].request.video_path)
    assert pictures == [2, 3]
    assert seconds == pytest.approx(4.0)
    assert rec_s == 4


@pytest.mark.parametrize("newest_on_their_way", [1, 2], ids=["one-on-its-way", "two-on-their-way"])
def test_a_slide_show_recorded_as_pictures_are_on_their_way_holds_them_all(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, newest_on_their_way: int
) -> None:
    # Was: the recording began (on the GUI thread) with the picture on screen while the next
    # was labelled already, on its way to the window: the file went without it, while REC
    # counted it once shown (8 s for a file of 6). Then, with the window held busy for two
    # pictures (the gate's two), only the newest was recorded: pictures [0, 2, 3].
    window = make_window()
    assert use_output_folder(qtbot, window, tmp_path / "out")
    window.open_video(_four_picture_show(tmp_path))
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    worker = window.controller.inference
    answered = threading.Event()  # the recording's files checked: the answer is on its way here
    # PyQt6's stubs leave out connect's second argument, the connection type: hence the ignore.
    window.recordings._recording_check._reported.connect(lambda *_: answered.set(), Qt.ConnectionType.DirectConnection)  # type: ignore[call-arg]
    assert shown_result(window).frame_index == 0
    assert window.start_recording(tmp_path / "out" / "show.avi") is not None
    # This thread busy from before the check's answer is taken till the picture
    # ``newest_on_their_way`` is labelled: the recording begins on picture 0, the pictures
    # up to that one on their way.
    busy_until(answered.is_set)
    busy_until(lambda: worker._newest is not None and worker._newest.frame_index == newest_on_their_way)
    with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS) as finished:
        wait_for_recording(qtbot, window)
        rec_s = _rec_seconds_at_the_last_picture(qtbot, window)
    seconds, pictures = _recorded(finished.args[0].request.video_path)
    assert pictures == [0, 1, 2, 3]
    assert seconds == pytest.approx(8.0) and rec_s == 8


def test_the_pictures_kept_for_a_recording_go_with_their_slide_show(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path
) -> None:
    # The pictures a recording begun on the one on screen takes (those on their way) are kept
    # while sent: another source opened, none of the show's is kept (each is a picture, its
    # annotated copy and the screen's: some 75 MB for a 4K photo).
    window = make_window()
    window.open_video(_four_picture_show(tmp_path))
    qtbot.waitUntil(lambda: window.view.result is not None and window.view.result.frame_index == 1, timeout=WAIT_MS)
    worker = window.controller.inference
    show_stream = shown_result(window).stream_id
    kept = [weakref.ref(picture.image) for picture in list(worker._sent_pictures)]
    assert kept  # the one on screen at least
    window.open_video(gui_video.path)
    qtbot.waitUntil(
        lambda: window.view.result is not None and window.view.result.stream_id != show_stream, timeout=WAIT_MS
    )
    qtbot.waitUntil(lambda: worker._newest is not None and worker._newest.stream_id != show_stream, timeout=WAIT_MS)
    gc.collect()
    assert [picture() is None for picture in kept] == [True] * len(kept)
