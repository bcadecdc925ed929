"""The settings file as a person or another window leaves it: paths written relative to it,
and (see the tests below) lines Qt's reader would swallow, and two windows saving one file."""

from __future__ import annotations

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
