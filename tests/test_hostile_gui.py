"""Issue 13 in the desktop app: bad settings never stop it (case 5), a recording never
overwrites the video being played (case 1), and a full disk ends a recording with a
banner, keeping what was written (case 4). Real window, threads, files and (where the
test may mount one) a real small file system."""

from __future__ import annotations

import logging
import os
import shutil
from functools import partial
from pathlib import Path

import cv2
import pytest
from PyQt6.QtCore import QByteArray, QMetaObject, QSettings, Qt
from pytestqt.qtbot import QtBot

from emotion_app.gui.main_window import MainWindow
from emotion_app.gui.messages import RecordingSummary
from emotion_app.gui.settings import AppSettings
from emotion_app.inference.steadiness import DEFAULT_STEADINESS_LEVEL
from emotion_app.io import atomic
from emotion_app.samples import VideoTruth, astronaut_frames, write_astronaut_video
from tests.gui_support import (
    WindowFactory,
    model_status_of,
    pause_on_shown_frame,
    play_looping,
    shown_result,
    use_output_folder,
)
from tests.hostile_support import SmallDisk, fill, fingerprint, leftovers

WAIT_MS = 20_000

BAD_SETTINGS = {
    "smoothing as a list": "[overlay]\nsmoothing=0,6\n",
    "smoothing text": "[overlay]\nsmoothing=abc\n",
    "smoothing out of range": "[overlay]\nsmoothing=7\n",
    "smoothing NaN": "[overlay]\nsmoothing=nan\n",
    "steadiness unknown": "[overlay]\nsteadiness=wobbly\n",
    "steadiness a list": "[overlay]\nsteadiness=low,high\n",
    "camera index text": "[camera]\nindex=cam0\nname=Some camera\n",
    "camera index a list": "[camera]\nindex=1,2\n",
    "camera name a list": "[camera]\nname=a,b\n",
    "bars not a flag": "[overlay]\nshow_bars=maybe\n",
    "folders as lists": "[files]\nlast_video_dir=a,b\noutput_folder=1,2,3\nlast_export_dir=x,y\n",
    "weights folder a list": "[model]\nlast_weights_dir=a,b\n",
    "geometry text": "[window]\ngeometry=abc\n",
    "weights a list": "[model]\nweights=a.safetensors,b.safetensors\n",
    # QSettings reads \0 as a NUL character; the output folder's mkdir then raised ValueError.
    "paths with a NUL": (
        "[files]\nlast_video_dir=/tmp/a\\0b\noutput_folder=/tmp/out\\0put\nlast_export_dir=/tmp/e\\0x\n"
        "[model]\nweights=/tmp/w\\0.safetensors\n"
    ),
}


@pytest.mark.parametrize("case", BAD_SETTINGS, ids=list(BAD_SETTINGS))
def test_a_bad_stored_value_falls_back_to_its_default_logged_once(
    case: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "settings.ini"
    path.write_text(BAD_SETTINGS[case])
    settings = AppSettings.at_path(path)
    with caplog.at_level(logging.WARNING, logger="emotion_app.gui.settings"):
        for _ in range(3):
            values = (
                settings.steadiness,
                settings.camera_index,
                settings.camera_name,
                settings.show_bars,
                settings.last_video_dir,
                settings.output_dir,
                settings.window_geometry,
                settings.weights_path,
                settings.last_export_dir,
                settings.last_weights_dir,
            )
    (
        steadiness,
        camera_index,
        camera_name,
        show_bars,
        video_dir,
        output_dir,
        geometry,
        weights,
        export_dir,
        weights_dir,
    ) = values
    assert (
        steadiness == DEFAULT_STEADINESS_LEVEL
        and camera_index == -1
        and show_bars is True
        and geometry is None
        and weights is None
        and export_dir == ""
        and weights_dir == ""
    )
    assert isinstance(camera_name, str) and isinstance(video_dir, str) and isinstance(output_dir, str)
    warnings = [record.getMessage() for record in caplog.records if record.name == "emotion_app.gui.settings"]
    assert warnings and len(warnings) == len(set(warnings))  # each bad key once, not per read
    assert all(str(path) in message and "ignoring" in message for message in warnings)


def test_good_stored_values_are_read(tmp_path: Path) -> None:
    path = tmp_path / "settings.ini"
    path.write_text("[overlay]\nsmoothing=0.3\nshow_bars=false\n[camera]\nindex=2\nname=USB cam\n")
    settings = AppSettings.at_path(path)
    # 0.3 was a light per-frame smoothing, stored before the steadiness levels: now "low".
    assert (settings.steadiness, settings.show_bars, settings.camera_index, settings.camera_name) == (
        "low",
        False,
        2,
        "USB cam",
    )


def test_the_app_starts_with_a_settings_file_full_of_bad_values(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path
) -> None:
    path = tmp_path / "bad.ini"
    path.write_text(
        "".join(BAD_SETTINGS[case] for case in ("smoothing as a list", "camera index text", "geometry text"))
    )
    window = make_window(video=gui_video.path, settings=path)
    assert window.isVisible() and window.model_status is not None and window.model_status.ok


def test_a_stored_window_geometry_qt_refuses_is_logged_once_and_the_first_size_used(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Was: bytes Qt's restoreGeometry refused (a hand edit, or saved on a screen of quite
    # another width) were dropped without a word, while the timeline's were logged.
    first = make_window(size=None, settings=tmp_path / "fresh.ini").size()
    path = tmp_path / "refused.ini"
    store = QSettings(str(path), QSettings.Format.IniFormat)
    store.setValue("window/geometry", QByteArray(b"\x00garbage bytes"))
    store.sync()
    del store
    with caplog.at_level(logging.WARNING, logger="emotion_app.gui.settings"):
        window = make_window(size=None, settings=path)
    assert window.isVisible() and window.size() == first
    # Only the settings' own lines: another part of the app may warn on a loaded start.
    warnings = [record.getMessage() for record in caplog.records if record.name == "emotion_app.gui.settings"]
    assert len(warnings) == 1 and "ignoring window/geometry" in warnings[0] and str(path) in warnings[0], warnings


def test_settings_that_cannot_be_saved_are_said_in_the_window_not_only_at_exit(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # A read-only settings file (or folder) lost every change of the run; the only word of
    # it was a log line after the window had gone, which nobody started from a menu sees.
    # (A file where its folder should be: no file can be made there, even as root.)
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    path = blocker / "settings.ini"
    # No camera and no video: a source opened is a change of its own (the recent files, see
    # the next test). The window's controls stored their values as they were set up: writes
    # that failed at once, and a warning of changes lost came up at every start.
    window = make_window(settings=path)
    qtbot.waitUntil(lambda: not window.settings.unsaved(), timeout=WAIT_MS)  # the start's writes made
    assert window.settings.save_problem() == ""
    assert not window.notice_banner.isVisible()  # nothing changed yet: nothing lost
    window.bars_action.toggle()  # a change the user expects to find at the next start
    qtbot.waitUntil(lambda: window.notice_banner.isVisible(), timeout=WAIT_MS)
    text = window.notice_banner.text()
    assert text.startswith(f"Settings cannot be saved to {path} (read-only, or its folder)"), text
    assert "\n" not in text and window.notice_banner.level == "warning"
    assert window.settings.show_bars is not True, "the change still holds in this run"
    # The folder is there again: the change is saved with the next, and the warning goes.
    blocker.unlink()
    blocker.mkdir()
    window.bars_action.toggle()
    qtbot.waitUntil(lambda: not window.notice_banner.isVisible(), timeout=WAIT_MS)
    assert window.settings.sync() and AppSettings.at_path(path).show_bars is True


def test_a_video_opened_with_settings_that_cannot_be_saved_is_warned_of(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path
) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    path = blocker / "settings.ini"
    window = make_window(video=gui_video.path, settings=path)
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    # Its place in the recent files, and its folder for the next Open, are lost at exit.
    qtbot.waitUntil(lambda: window.notice_banner.isVisible(), timeout=WAIT_MS)
    assert window.notice_banner.text().startswith(f"Settings cannot be saved to {path} "), window.notice_banner.text()
    assert window.notice_banner.level == "warning"


def test_an_output_folder_with_a_nul_character_is_refused_with_a_banner(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path
) -> None:
    window = make_window(video=gui_video.path)
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    kept = window.settings.output_dir
    assert use_output_folder(qtbot, window, f"{tmp_path}/out\0put") is False
    assert "it has a NUL character in its name" in window.notice_banner.text()
    assert window.notice_banner.level == "error" and window.settings.output_dir == kept
    assert not any(path.name.startswith("out") for path in tmp_path.iterdir())


# ---- the recorder never records onto its own source -----------------------------------------
def test_recording_onto_the_playing_video_is_refused(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path
) -> None:
    source = tmp_path / "playing.avi"
    shutil.copy(gui_video.path, source)
    link = tmp_path / "link.avi"
    link.symlink_to(source)
    before = fingerprint(source)
    window = make_window(video=source)
    # Was "Recording refused: recording {source} is the input; …", the word said twice.
    said = {
        (source, None): f"its video {source} is the input",
        (link, None): f"its video {link} is the input {source}",
        (tmp_path / "rec.avi", source): f"its CSV {source} is the input",
    }
    for (video, csv_path), refusal in said.items():
        window.notice_banner.dismiss()  # the last one's
        window.start_recording(video, csv_path)  # checked off the GUI thread
        qtbot.waitUntil(lambda: window.notice_banner.text().startswith("Recording refused: "), timeout=WAIT_MS)
        assert window.notice_banner.text() == f"Recording refused: {refusal}; writing it would destroy the input"
        assert window.notice_banner.level == "error"
        assert window.recording is None and not window.record_action.isChecked()
    qtbot.wait(300)  # frames keep coming; nothing is written to the source
    assert fingerprint(source) == before and not (tmp_path / "rec.avi").exists()


def _shows_a_frame(window: MainWindow) -> bool:
    return window.view.result is not None


def _snapshot_refused(window: MainWindow) -> bool:
    return window.notice_banner.text().startswith("Snapshot refused: ")


def test_a_snapshot_onto_the_shown_image_or_its_folder_is_refused(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Found by scripts/gui_monkey.py: "Save snapshot as…" wrote over the image being shown.
    folder = tmp_path / "stills"
    folder.mkdir()
    for index, flip in enumerate((False, True)):
        frame = astronaut_frames(1, (320, 240), face_size=90)[0][0]
        cv2.imwrite(str(folder / f"{index}.png"), cv2.flip(frame, 1) if flip else frame)
    before = {path: fingerprint(path) for path in folder.iterdir()}
    answer: list[Path] = []
    # Was "Snapshot refused: snapshot {file} is the input; …", the word said twice.
    said = {
        (folder / "0.png", folder / "0.png"): folder / "0.png",
        (folder, folder / "1.png"): folder / "1.png",
        (folder, folder / "1"): folder / "1.png",  # the PNG that name is saved as
    }
    for (source, target), file in said.items():
        window = make_window(video=source)
        qtbot.waitUntil(partial(_shows_a_frame, window), timeout=WAIT_MS)
        answer[:] = [target]
        monkeypatch.setattr(window, "ask_save_path", lambda title, suggestion, filters: str(answer[0]))
        window.snapshot_dialog()  # checked on the snapshot's thread
        qtbot.waitUntil(partial(_snapshot_refused, window), timeout=WAIT_MS)
        assert window.notice_banner.text() == (
            f"Snapshot refused: its file {file} is the input; writing it would destroy the input"
        )
        assert window.notice_banner.level == "error"
        window.close()
    qtbot.wait(300)  # a snapshot, had one been started, is written on a pool thread
    assert {path: fingerprint(path) for path in folder.iterdir()} == before


def test_a_snapshot_aimed_at_a_shown_jpeg_is_refused_not_written_beside_it(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Found by scripts/gui_monkey.py with JPEG pictures: "Save snapshot as…" onto the shown
    # 0.jpg was not refused; its PNG, 0.png, was written into the folder being played.
    folder = tmp_path / "stills"
    folder.mkdir()
    frame = astronaut_frames(1, (320, 240), face_size=90)[0][0]
    for name in ("0.jpg", "1.jpg"):
        cv2.imwrite(str(folder / name), frame)
    before = {path: fingerprint(path) for path in folder.iterdir()}
    for source, target in ((folder / "0.jpg", folder / "0.jpg"), (folder, folder / "1.jpg")):
        window = make_window(video=source)
        qtbot.waitUntil(partial(_shows_a_frame, window), timeout=WAIT_MS)
        monkeypatch.setattr(window, "ask_save_path", lambda title, suggestion, filters, target=target: str(target))
        window.snapshot_dialog()
        # Checked on the snapshot's writing thread.
        qtbot.waitUntil(partial(_snapshot_refused, window), timeout=WAIT_MS)
        assert "is the input" in window.notice_banner.text() and window.notice_banner.level == "error"
        window.close()
    assert {path: fingerprint(path) for path in folder.iterdir()} == before


# "photo." and "photo.png." (trailing dots dropped, as Record to… drops them) saved
# photo..png and photo.png..png.
@pytest.mark.parametrize("typed", ["photo.jpg", "photo", "photo.", "photo.png.", "photo.jpg."])
def test_a_snapshot_as_keeps_the_png_the_dialog_never_asked_about(
    typed: str,
    qtbot: QtBot,
    make_window: WindowFactory,
    gui_video: VideoTruth,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The dialog asks before replacing the name chosen, not the PNG the snapshot is written
    # as: an existing photo.png was replaced without a word.
    folder = tmp_path / "pictures"
    folder.mkdir()
    kept = folder / "photo.png"
    kept.write_bytes(b"someone's picture")
    window = make_window(video=gui_video.path)
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    monkeypatch.setattr(window, "ask_save_path", lambda title, suggestion, filters: str(folder / typed))
    window.snapshot_dialog()
    written = folder / "photo-2.png"
    qtbot.waitUntil(
        lambda: window.notice_banner.text() == f"Saved snapshot {written.name} in {folder}", timeout=WAIT_MS
    )
    assert kept.read_bytes() == b"someone's picture"
    assert cv2.imread(str(written)) is not None


def test_a_snapshot_as_of_a_type_alone_or_a_folder_is_refused_at_once(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: ".png" saved a hidden .png of no name, "..png" and ".PNG." hidden ones too, and
    # ".jpg" a hidden .jpg.png; Record to… refuses a type alone so.
    folder = tmp_path / "pictures"
    folder.mkdir()
    window = make_window(video=gui_video.path)
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    refused = {
        f"{folder}{os.sep}.png": "has no name before .png",
        f"{folder}{os.sep}..png": "has no name before ..png",
        f"{folder}{os.sep}.PNG.": "has no name before .PNG",
        f"{folder}{os.sep}.jpg": "has no name before .jpg",
        f"{folder}{os.sep}shots{os.sep}": "names a folder, not a file to save to",
    }
    for typed, why in refused.items():
        monkeypatch.setattr(window, "ask_save_path", lambda *_args, typed=typed: typed)
        window.snapshot_dialog()
        # At once, in one line: nothing is queued for the writing thread.
        assert window.notice_banner.text() == f"Snapshot refused: {typed} {why}"
        assert window.notice_banner.level == "error"
    assert window.snapshots.unsaved() == [] and list(folder.iterdir()) == []


def test_a_snapshot_as_with_no_numbered_name_left_is_refused_not_raised(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A 250-character name fits, with "-2" it does not (255 bytes a name): asking whether
    # that name is taken raises.
    stem = "x" * 250
    kept = tmp_path / f"{stem}.png"
    kept.write_bytes(b"someone's picture")
    window = make_window(video=gui_video.path)
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    monkeypatch.setattr(window, "ask_save_path", lambda title, suggestion, filters: str(tmp_path / f"{stem}.jpg"))
    window.snapshot_dialog()
    qtbot.waitUntil(  # asked on the snapshot's writing thread
        lambda: window.notice_banner.text().startswith(f"Snapshot refused: {kept} is there, and no numbered name"),
        timeout=WAIT_MS,
    )
    assert window.notice_banner.level == "error"
    assert sorted(path.name for path in tmp_path.iterdir() if path.suffix == ".png") == [kept.name]
    assert kept.read_bytes() == b"someone's picture"


# ---- a full disk ends a recording with a banner, keeping what was written ----------------------
def record_until_disk_full(qtbot: QtBot, window: MainWindow, target: Path) -> RecordingSummary:
    with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS) as finished:
        assert window.start_recording(target) is not None
    summary = finished.args[0]
    assert summary.error == f"disk full ({target})"
    qtbot.waitUntil(lambda: window.notice_banner.text() == f"Recording stopped: disk full ({target})", timeout=WAIT_MS)
    assert window.notice_banner.level == "error"
    assert window.recording is None and not window.record_action.isChecked()
    return summary


def test_a_disk_filling_up_stops_the_recording_with_a_banner(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, small_disk: SmallDisk
) -> None:
    disk = small_disk(8 * 1024)
    # Room for a few 320x240 MJPG frames above the margin the free-space check keeps.
    fill(disk, leave_bytes=atomic.ROOM_MARGIN_BYTES + 320 * 240 * 3 + 150_000)
    # The disk fills after about 24 recorded frames: a 6 s clip has frames to spare (the
    # shared 2 s one left 2-4 once its first frame was shown, and ended first now and then).
    video = write_astronaut_video(tmp_path / "long.avi", num_frames=90, frame_size=(320, 240), face_size=80, fps=15.0)
    window = make_window(video=video.path)
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    target = disk / "rec.avi"
    summary = record_until_disk_full(qtbot, window, target)
    # What was written before the disk filled is kept, and plays.
    capture = cv2.VideoCapture(str(target))
    assert capture.isOpened() and capture.read()[0]
    assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == summary.frames_written > 0
    capture.release()
    assert leftovers(disk) == []


def test_a_full_disk_reported_by_the_free_space_probe_stops_the_recording(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same on any machine: the disk reports room for five frames."""
    checks = iter(range(10**6))
    monkeypatch.setattr(atomic, "free_bytes", lambda folder: 10**9 if next(checks) < 5 else 0)
    window = make_window(video=gui_video.path)
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    target = tmp_path / "rec.avi"
    summary = record_until_disk_full(qtbot, window, target)
    capture = cv2.VideoCapture(str(target))
    assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == summary.frames_written == 5
    capture.release()
    assert leftovers(tmp_path) == []
    # The video's end does not take the message away (it did in the source's banner).
    qtbot.waitUntil(lambda: window.source_banner.text().startswith("Finished playing"), timeout=WAIT_MS)
    assert window.notice_banner.text() == f"Recording stopped: disk full ({target})"


def test_the_output_folder_deleted_mid_recording_stops_it_with_one_clear_line(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: recording went on unseen, then "the written video does not read back (-1 of N
    # frames); not kept; ….csv: could not be put in place (No such file or directory)".
    video = write_astronaut_video(tmp_path / "long.avi", num_frames=90, frame_size=(320, 240), face_size=80, fps=15.0)
    window = make_window()
    # Looping: 6 s could end before the second recording is paused on a busy machine.
    play_looping(window, video.path)
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    folder = tmp_path / "out"
    target = folder / "rec.avi"
    assert window.start_recording(target) is not None
    qtbot.waitUntil(lambda: any(folder.glob(".rec.avi.*")), timeout=WAIT_MS)  # frames are being written
    with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS) as finished:
        shutil.rmtree(folder)
    summary = finished.args[0]
    assert summary.error == f"{target}: its folder {folder} was removed while it was being written"
    qtbot.waitUntil(lambda: window.recording is None, timeout=WAIT_MS)
    assert window.notice_banner.text() == f"Recording stopped: {summary.error}"
    assert window.notice_banner.level == "error" and not window.record_action.isChecked()
    assert window.is_running and not folder.exists()  # the video plays on; nothing was made again
    # Deleted while paused (no frame written after it), then stopped by the user.
    assert window.start_recording(target) is not None
    qtbot.waitUntil(lambda: any(folder.glob(".rec.avi.*")), timeout=WAIT_MS)
    pause_on_shown_frame(qtbot, window)
    # Every frame read before the pause has been processed and written (the writer is
    # open) once a call queued behind them on the inference thread has returned.
    QMetaObject.invokeMethod(window.controller.inference, "process_pending", Qt.ConnectionType.BlockingQueuedConnection)
    shutil.rmtree(folder)
    with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS) as finished:
        window.stop_recording()
    assert finished.args[0].error == f"its folder {folder} was removed while recording; nothing could be kept"


# ---- a weights card that used to say "Loaded" and then fail every frame ----------------------
def test_weights_with_nan_values_keep_the_model_in_use(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, random_weights: Path, tmp_path: Path
) -> None:
    import torch
    from safetensors import safe_open
    from safetensors.torch import load_file, save_file

    from emotion_app.weights import METADATA_KEY

    tensors = load_file(str(random_weights))
    tensors["features.0.weight"] = torch.full_like(tensors["features.0.weight"], float("nan"))
    with safe_open(str(random_weights), framework="pt") as handle:
        card = handle.metadata()[METADATA_KEY]
    poisoned = tmp_path / "poisoned.safetensors"
    save_file(tensors, str(poisoned), metadata={METADATA_KEY: card})
    window = make_window(video=gui_video.path)
    qtbot.waitUntil(lambda: window.model_status is not None and window.model_status.ok, timeout=WAIT_MS)
    window.controller.load_weights(poisoned)
    qtbot.waitUntil(lambda: not model_status_of(window).ok, timeout=WAIT_MS)
    assert "poisoned.safetensors" in window.model_banner.text() and "NaN or infinite" in window.model_banner.text()
    assert window.status.model_label.text().startswith(f"Model {random_weights.stem} (")
    # Frames keep being classified by the model in use, with real probabilities.
    seen = window.view.result.frame_index if window.view.result else -1
    qtbot.waitUntil(
        lambda: bool(window.view.result and window.view.result.frame_index > seen and window.view.result.faces),
        timeout=WAIT_MS,
    )
    assert all(abs(sum(face.probabilities) - 1) < 1e-3 for face in shown_result(window).faces)
