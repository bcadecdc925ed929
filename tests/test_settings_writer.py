"""The settings are written on a thread of their own: the GUI thread never waits for the disk.

Qt's QSettings rewrites the whole file and forces it to disk on the thread that owns it,
and all the QSettings of a file in a process share one lock that the write holds: a
change or a read on the GUI thread waited for the disk (a 92 ms stall in a gui_monkey run).
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PyQt6.QtCore import QByteArray, QSettings

from emotion_app.gui.settings import AppSettings
from emotion_app.gui.settings_writer import WRITER_THREAD_NAME, read_ini_text

# Generous: only a broken writer comes near it (then the test fails rather than hangs).
STUCK_S = 20.0
QSETTINGS_CALLS = ("value", "contains", "allKeys", "setValue", "remove", "sync", "status")


def change_everything(settings: AppSettings, tmp_path: Path) -> None:
    """Every setter of AppSettings, with values unlike the defaults."""
    settings.remember_camera("USB Cam", 2)
    settings.remember_network_camera("rtsp://camera.local/stream")
    settings.remember_stream_url("rtsp://camera.local/stream", keep=5)
    settings.camera_size = (1280, 720)
    settings.show_bars = False
    settings.steadiness = "high"
    settings.last_video_dir = str(tmp_path)
    settings.output_dir = str(tmp_path / "out")
    settings.last_export_dir = str(tmp_path / "exports")
    settings.weights_path = tmp_path / "mine.safetensors"
    settings.last_weights_dir = str(tmp_path / "models")
    settings.remember_recent(str(tmp_path / "clip.mp4"), keep=5)
    settings.mirror_cameras = False
    settings.mirror_files = True
    settings.show_timeline = False
    settings.timeline_place = "right"
    settings.timeline_side = "left"
    settings.timeline_geometry = QByteArray(b"\x03\x04panel")
    settings.timeline_width = 260
    settings.timeline_height = 310
    settings.window_geometry = QByteArray(b"\x01\x02geometry")


def read_everything(settings: AppSettings) -> dict[str, object]:
    return {
        "camera": (settings.camera_name, settings.camera_index),
        "network_camera": settings.network_camera,
        "stream_urls": settings.stream_urls,
        "camera_size": settings.camera_size,
        "show_bars": settings.show_bars,
        "steadiness": settings.steadiness,
        "last_video_dir": settings.last_video_dir,
        "output_dir": settings.output_dir,
        "last_export_dir": settings.last_export_dir,
        "last_weights_dir": settings.last_weights_dir,
        "recent": settings.recent_files,
        "mirror": (settings.mirror_cameras, settings.mirror_files),
        "show_timeline": settings.show_timeline,
        "timeline_place": settings.timeline_place,
        "timeline_side": settings.timeline_side,
        "timeline_geometry": (settings.timeline_geometry or QByteArray()).data(),
        "timeline_size": (settings.timeline_width, settings.timeline_height),
        "geometry": (settings.window_geometry or QByteArray()).data(),
    }


def expected(tmp_path: Path) -> dict[str, object]:
    return {
        "camera": ("USB Cam", 2),
        "network_camera": "rtsp://camera.local/stream",
        "stream_urls": ["rtsp://camera.local/stream"],
        "camera_size": (1280, 720),
        "show_bars": False,
        "steadiness": "high",
        "last_video_dir": str(tmp_path),
        "output_dir": str(tmp_path / "out"),
        "last_export_dir": str(tmp_path / "exports"),
        "last_weights_dir": str(tmp_path / "models"),
        "recent": [str(tmp_path / "clip.mp4")],
        "mirror": (False, True),
        "show_timeline": False,
        "timeline_place": "right",
        "timeline_side": "left",
        "timeline_geometry": b"\x03\x04panel",
        "timeline_size": (260, 310),
        "geometry": b"\x01\x02geometry",
    }


@pytest.fixture
def qsettings_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, threading.Thread]]]:
    """Every QSettings call made from Python: (method, the thread it was made on)."""
    calls: list[tuple[str, threading.Thread]] = []
    for name in QSETTINGS_CALLS:
        original = getattr(QSettings, name)

        def noted(self: QSettings, *args: Any, _name: str = name, _original: Callable[..., Any] = original) -> Any:
            calls.append((_name, threading.current_thread()))
            return _original(self, *args)

        monkeypatch.setattr(QSettings, name, noted)
    yield calls


def writer_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == WRITER_THREAD_NAME]


def test_a_change_is_read_back_at_once_and_from_the_file_after_sync(tmp_path: Path) -> None:
    path = tmp_path / "settings.ini"
    settings = AppSettings.at_path(path)
    change_everything(settings, tmp_path)
    assert read_everything(settings) == expected(tmp_path)
    assert settings.sync()
    assert read_everything(AppSettings.at_path(path)) == expected(tmp_path)
    assert "show_bars=false" in path.read_text(encoding="utf-8")


def test_the_gui_thread_makes_no_qsettings_call_once_the_file_is_read(
    tmp_path: Path, qsettings_calls: list[tuple[str, threading.Thread]]
) -> None:
    # A read through a QSettings of the file waits while another writes it out: Qt's lock
    # is held across the write and its fdatasync.
    settings = AppSettings.at_path(tmp_path / "settings.ini")
    qsettings_calls.clear()  # the file is read once, as the settings are made
    change_everything(settings, tmp_path)
    read_everything(settings)
    settings.steadiness = "low"
    settings.remember_camera("Other Cam", 0)
    assert settings.steadiness == "low"
    assert settings.sync()
    on_gui_thread = [name for name, thread in qsettings_calls if thread is threading.main_thread()]
    assert on_gui_thread == []
    writes = [thread for name, thread in qsettings_calls if name in ("setValue", "remove", "sync")]
    assert writes and all(thread.name == WRITER_THREAD_NAME for thread in writes)
    assert not any(thread.is_alive() for thread in writes), "the writer thread ends once all is written"
    assert writer_threads() == []
    assert AppSettings.at_path(tmp_path / "settings.ini").camera_name == "Other Cam"


def test_a_write_held_up_on_the_disk_holds_up_nothing_on_the_gui_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "settings.ini"
    writing = threading.Event()
    disk_free = threading.Event()
    real_sync = QSettings.sync

    def slow_disk_sync(self: QSettings) -> None:
        if threading.current_thread() is not threading.main_thread():
            writing.set()
            disk_free.wait(STUCK_S)
        real_sync(self)

    monkeypatch.setattr(QSettings, "sync", slow_disk_sync)
    settings = AppSettings.at_path(path)
    settings.show_bars = False
    assert writing.wait(STUCK_S), "the change is written on a thread of its own"
    # The writer is inside its sync until disk_free is set here: a GUI-thread call that
    # waited for it would return only after STUCK_S, with the writer gone on.
    change_everything(settings, tmp_path)
    assert read_everything(settings) == expected(tmp_path)
    assert not disk_free.is_set() and [thread.is_alive() for thread in writer_threads()] == [True]
    disk_free.set()
    assert settings.sync()
    assert read_everything(AppSettings.at_path(path)) == expected(tmp_path)


def test_settings_that_cannot_be_saved_say_so_at_every_sync(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    settings = AppSettings.at_path(blocker / "settings.ini")  # no file can be made there
    settings.show_bars = False
    with caplog.at_level("WARNING"):
        assert not settings.sync()
        assert not settings.sync()  # the window's close may sync again: same answer
    warnings = [record.getMessage() for record in caplog.records if "could not be saved" in record.getMessage()]
    assert len(warnings) == 2 and all(str(blocker / "settings.ini") in warning for warning in warnings)
    assert settings.show_bars is False, "the change is still in use in this run"
    assert writer_threads() == []
    blocker.unlink()  # the folder can be made now: nothing changed since is lost
    blocker.mkdir()
    settings.steadiness = "low"
    assert settings.sync()
    assert read_everything(AppSettings.at_path(blocker / "settings.ini"))["show_bars"] is False
    assert AppSettings.at_path(blocker / "settings.ini").steadiness == "low"


def store_as_read(settings: AppSettings) -> None:
    """Every setter of AppSettings, with the value its getter reads now (the recent lists
    whole, as "Clear recent" stores them)."""
    if settings.network_camera:
        settings.remember_network_camera(settings.network_camera)
    else:  # a camera by name leaves no network camera stored
        settings.remember_camera(settings.camera_name, settings.camera_index)
    settings.camera_size = settings.camera_size
    settings.show_bars = settings.show_bars
    settings.steadiness = settings.steadiness
    settings.last_video_dir = settings.last_video_dir
    settings.output_dir = settings.output_dir
    settings.last_export_dir = settings.last_export_dir
    settings.weights_path = settings.weights_path
    settings.last_weights_dir = settings.last_weights_dir
    settings.recent_files = settings.recent_files
    settings.mirror_cameras = settings.mirror_cameras
    settings.mirror_files = settings.mirror_files
    settings.show_timeline = settings.show_timeline
    settings.timeline_place = settings.timeline_place
    settings.timeline_side = settings.timeline_side
    if settings.timeline_geometry is not None:
        settings.timeline_geometry = settings.timeline_geometry
    if settings.window_geometry is not None:
        settings.window_geometry = settings.window_geometry
    if settings.timeline_width is not None:
        settings.timeline_width = settings.timeline_width
    if settings.timeline_height is not None:
        settings.timeline_height = settings.timeline_height


def test_a_setting_stored_as_it_reads_already_is_no_write(tmp_path: Path) -> None:
    # The window stores its controls' values as it sets them up, at every start: each was
    # a write, which a file that takes no changes refused, and the window then warned of
    # changes lost where the user had changed nothing.
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    unwritable = AppSettings.at_path(blocker / "settings.ini")  # no file can be made there
    store_as_read(unwritable)  # every default, as nothing is stored
    assert unwritable.sync() and unwritable.save_problem() == ""
    unwritable.show_bars = False  # a change is written, and its loss told
    assert not unwritable.sync() and unwritable.save_problem().startswith("Settings cannot be saved to ")

    path = tmp_path / "settings.ini"
    written = AppSettings.at_path(path)
    change_everything(written, tmp_path)
    assert written.sync()
    path.write_text("; written by hand, which Qt's rewrite of the file drops\n" + path.read_text(encoding="utf-8"))
    before = path.read_bytes()
    again = AppSettings.at_path(path)
    store_as_read(again)
    assert again.sync() and path.read_bytes() == before
    assert read_everything(AppSettings.at_path(path)) == expected(tmp_path)


def test_a_change_made_just_before_the_program_ends_is_written(tmp_path: Path) -> None:
    # No sync and no event loop: the writer thread must still finish before the exit.
    path = tmp_path / "settings.ini"
    script = (
        "import sys; from emotion_app.gui.settings import AppSettings; "
        "AppSettings.at_path(sys.argv[1]).steadiness = 'high'"
    )
    subprocess.run([sys.executable, "-c", script, str(path)], check=True, timeout=120)
    assert AppSettings.at_path(path).steadiness == "high"


@pytest.mark.parametrize("then", ["sync", "change"])
def test_a_settings_file_put_back_after_a_folder_stood_in_its_place_keeps_its_settings(
    tmp_path: Path, then: str
) -> None:
    # Was: Qt's failed read of the folder emptied its one copy of the file's settings, and
    # the file put back as it was (its size and time unchanged) was not read again: the
    # next save wrote the changes alone, every other setting in the file gone.
    path = tmp_path / "settings.ini"
    settings = AppSettings.at_path(path)
    settings.output_dir = str(tmp_path / "out")
    settings.steadiness = "high"
    assert settings.sync()
    path.rename(tmp_path / "away.ini")
    path.mkdir()
    settings.show_bars = not settings.show_bars
    assert not settings.sync()
    path.rmdir()
    (tmp_path / "away.ini").rename(path)
    if then == "change":
        settings.mirror_files = not settings.mirror_files
    assert settings.sync()
    saved = read_ini_text(path.read_text(encoding="latin-1"))
    assert saved.get("files/output_folder") == str(tmp_path / "out"), saved
    assert saved.get("overlay/steadiness") == "high", saved
    assert saved.get("overlay/show_bars") == str(settings.show_bars).lower(), saved


def test_a_settings_file_that_is_a_link_is_written_through_it(tmp_path: Path) -> None:
    # Qt writes the file a link leads to (its last link followed, however many there are
    # short of the system's limit); the links are kept, the file's other settings too.
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "settings.ini"
    real.write_text("[files]\noutput_folder=/kept/folder\n")
    (tmp_path / "middle.ini").symlink_to("real/settings.ini")
    path = tmp_path / "settings.ini"
    path.symlink_to("middle.ini")
    settings = AppSettings.at_path(path)
    assert settings.output_dir == "/kept/folder"
    settings.show_bars = not settings.show_bars
    assert settings.sync() and settings.save_problem() == ""
    assert path.readlink() == Path("middle.ini") and (tmp_path / "middle.ini").is_symlink()
    saved = read_ini_text(real.read_text(encoding="latin-1"))
    assert saved.get("files/output_folder") == "/kept/folder", saved
    assert saved.get("overlay/show_bars") == str(settings.show_bars).lower(), saved
    # A link to a file not made yet, in a folder that is there: the file is made there.
    new = tmp_path / "new.ini"
    new.symlink_to("real/new.ini")
    fresh = AppSettings.at_path(new)
    fresh.show_bars = False
    assert fresh.sync() and new.is_symlink()
    assert read_ini_text((tmp_path / "real" / "new.ini").read_text(encoding="latin-1"))["overlay/show_bars"] == "false"
