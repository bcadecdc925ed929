"""The settings file as a person or another window leaves it: paths written relative to it,
and (see the tests below) lines Qt's reader would swallow, and two windows saving one file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from emotion_app.gui.settings import AppSettings


def test_relative_paths_in_the_file_are_read_against_its_own_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A portable install keeps "models/mine.safetensors" next to its settings.ini: read
    # against the working folder, it meant another file wherever the app was started.
    home, elsewhere = tmp_path / "portable", tmp_path / "elsewhere"
    home.mkdir()
    elsewhere.mkdir()
    path = home / "settings.ini"
    path.write_text(
        "[model]\nweights=models/mine.safetensors\nlast_weights_dir=models\n"
        "[files]\nrecent=clips/a.mp4, /abs/b.mp4\nlast_video_dir=clips\noutput_folder=out\nlast_export_dir=../exports\n"
    )
    monkeypatch.chdir(elsewhere)
    settings = AppSettings.at_path(path)
    assert settings.weights_path == home / "models" / "mine.safetensors"
    assert settings.last_weights_dir == str(home / "models")
    assert settings.recent_files == [str(home / "clips" / "a.mp4"), "/abs/b.mp4"]
    assert settings.last_video_dir == str(home / "clips")
    assert settings.output_dir == str(home / "out")
    assert settings.last_export_dir == str(home / ".." / "exports")


def test_paths_the_app_chooses_are_written_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A relative path written would change meaning once read against the file's folder.
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "conf" / "settings.ini"
    settings = AppSettings.at_path(path)
    settings.weights_path = Path("mine.safetensors")
    settings.remember_recent("clip.mp4", keep=8)
    settings.remember_weights(Path("other.safetensors"), None)
    settings.last_video_dir = "videos"
    settings.output_dir = "out"
    settings.last_export_dir = "exports"
    settings.last_weights_dir = "models"
    assert settings.sync()
    again = AppSettings.at_path(path)  # a relative path stored would be read in conf/
    assert again.weights_path == tmp_path / "other.safetensors"
    assert again.recent_files == [str(tmp_path / "clip.mp4")]
    assert (again.last_video_dir, again.output_dir) == (str(tmp_path / "videos"), str(tmp_path / "out"))
    assert (again.last_export_dir, again.last_weights_dir) == (str(tmp_path / "exports"), str(tmp_path / "models"))


def test_two_windows_on_one_file_keep_each_others_recent_files(tmp_path: Path) -> None:
    # The last to save wrote its own list over the other's: each remembers what it opened,
    # newest first, merged into the file's list as it is when saved.
    path = tmp_path / "settings.ini"
    first, second = AppSettings.at_path(path), AppSettings.at_path(path)
    first.remember_recent(str(tmp_path / "a.mp4"), keep=3)
    first.remember_stream_url("rtsp://cam-a/live", keep=3)
    assert first.sync()
    second.remember_recent(str(tmp_path / "b.mp4"), keep=3)
    second.remember_stream_url("rtsp://cam-b/live", keep=3)
    assert second.sync()
    first.remember_recent(str(tmp_path / "c.mp4"), keep=3)
    assert first.sync()
    stored = AppSettings.at_path(path)
    assert stored.recent_files == [str(tmp_path / name) for name in ("c.mp4", "b.mp4", "a.mp4")]
    assert stored.stream_urls == ["rtsp://cam-b/live", "rtsp://cam-a/live"]
    second.remember_recent(str(tmp_path / "d.mp4"), keep=3)  # cut to the length kept
    second.remember_recent(str(tmp_path / "a.mp4"), keep=3)  # one already there moves first
    assert second.sync()
    assert AppSettings.at_path(path).recent_files == [str(tmp_path / name) for name in ("a.mp4", "d.mp4", "c.mp4")]
    first.recent_files = []  # Clear recent files clears the file's list, the other's too
    assert first.sync()
    assert AppSettings.at_path(path).recent_files == []


def test_another_app_instance_saving_the_file_keeps_its_recent_files(tmp_path: Path) -> None:
    path = tmp_path / "settings.ini"
    mine = AppSettings.at_path(path)
    mine.remember_recent(str(tmp_path / "mine.mp4"), keep=8)
    assert mine.sync()
    script = (
        "import sys; from emotion_app.gui.settings import AppSettings; "
        "s = AppSettings.at_path(sys.argv[1]); s.remember_recent(sys.argv[2], keep=8); s.sync()"
    )
    subprocess.run([sys.executable, "-c", script, str(path), str(tmp_path / "theirs.mp4")], check=True, timeout=120)
    mine.remember_recent(str(tmp_path / "mine2.mp4"), keep=8)
    mine.steadiness = "high"
    assert mine.sync()
    again = AppSettings.at_path(path)
    assert again.recent_files == [str(tmp_path / name) for name in ("mine2.mp4", "theirs.mp4", "mine.mp4")]
    assert again.steadiness == "high"
