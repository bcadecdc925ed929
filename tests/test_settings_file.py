"""The settings file as a person or another window leaves it: paths written relative to it,
and (see the tests below) lines Qt's reader would swallow, and two windows saving one file."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from PyQt6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from emotion_app.gui import settings_specs as setting
from emotion_app.gui.settings import RECENT_KEPT, AppSettings
from emotion_app.gui.settings_ini import literal_paths
from emotion_app.gui.settings_specs import Setting
from tests.gui_support import WAIT_MS, WindowFactory


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


def test_each_read_of_a_list_default_is_a_list_of_its_own() -> None:
    # RECENT and STREAM_URLS handed every reader one shared []: a change made to it by one
    # reader was the default every later reader got.
    lists = [spec for spec in vars(setting).values() if isinstance(spec, Setting) and isinstance(spec.default(), list)]
    assert {spec.key for spec in lists} >= {setting.RECENT.key, setting.STREAM_URLS.key}
    for spec in lists:
        spec.default().append("changed by one reader")
        assert spec.default() == []


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


def test_a_list_of_one_is_written_as_plain_text_and_one_qt_wrote_binary_still_reads(tmp_path: Path) -> None:
    # Qt writes a list of one text as "@Variant(\0\0\0\t\0\0\0\x1…)", which reads back but
    # is no text to edit by hand; two or more it writes as plain text, "a, b".
    path = tmp_path / "settings.ini"
    clip = str(tmp_path / "talk, part 1.mp4")  # a comma: written quoted, read as one path
    settings = AppSettings.at_path(path)
    settings.remember_recent(clip, keep=8)
    settings.remember_stream_url("rtsp://cam-a/live", keep=8)
    assert settings.sync()
    text = path.read_text()
    assert "@Variant" not in text and f'recent="{clip}"\n' in text and "stream_urls=rtsp://cam-a/live\n" in text
    again = AppSettings.at_path(path)
    assert again.recent_files == [clip] and again.stream_urls == ["rtsp://cam-a/live"]
    other = str(tmp_path / "b.mp4")
    again.recent_files = [clip, other]
    assert again.sync() and f'recent="{clip}", {other}\n' in path.read_text()
    again.recent_files = [other]  # a list set whole, as Clear or a list cut short sets it
    assert again.sync() and f"recent={other}\n" in path.read_text()
    assert AppSettings.at_path(path).recent_files == [other]
    # A file written before, by Qt itself, still reads; its list is rewritten as text once changed.
    old = tmp_path / "old.ini"
    store = QSettings(str(old), QSettings.Format.IniFormat)
    store.setValue("files/recent", [clip])
    store.sync()
    del store
    assert "@Variant(" in old.read_text()
    settings = AppSettings.at_path(old)
    assert settings.recent_files == [clip]
    settings.remember_recent(clip, keep=8)
    assert settings.sync() and f'recent="{clip}"\n' in old.read_text()


SWALLOWING = (
    "[camera]\n"
    "size=1280x720\n"
    "[model]\n"
    'weights="{weights}\n'  # line 4: the quote is never closed
    "last_weights_dir={folder}\n"
    "\n"
    "[overlay]\n"
    "steadiness=high\n"
    "show_bars=false\n"  # line 9
)


def test_an_unclosed_quote_is_told_with_its_line_and_the_lines_after_it_kept(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Qt's reader took every line after the quote into that one value, silently: the model,
    # steadiness and bars went back to their defaults, and a save wrote them into the value.
    path = tmp_path / "settings.ini"
    weights = tmp_path / "models" / "a.safetensors"
    path.write_text(SWALLOWING.format(weights=weights, folder=tmp_path / "models"))
    with caplog.at_level("WARNING", logger="emotion_app.gui.settings"):
        settings = AppSettings.at_path(path)
    problem = settings.read_problem
    assert f"{path}, line 4" in problem and "lines 5-9" in problem and "\n" not in problem, problem
    assert [record.getMessage() for record in caplog.records] == [problem]
    assert settings.weights_path == weights and settings.last_weights_dir == str(tmp_path / "models")
    assert (settings.steadiness, settings.show_bars, settings.camera_size) == ("high", False, (1280, 720))
    settings.mirror_files = True
    assert settings.sync()
    # Saved repaired, as told: every line is a setting of its own in the file written.
    text = path.read_text()
    assert "steadiness=high" in text and "show_bars=false" in text and f"weights={weights}\n" in text, text
    again = AppSettings.at_path(path)
    assert again.read_problem == "" and again.weights_path == weights and again.mirror_files is True


def test_an_unclosed_quote_that_took_one_line_names_that_line_once(tmp_path: Path) -> None:
    # Was: "so lines 3-3 were read as part of its value, not as settings".
    path = tmp_path / "settings.ini"
    path.write_text('[files]\noutput_folder="/tmp/a\nlast_video_dir=/tmp/v\n')
    problem = AppSettings.at_path(path).read_problem
    assert f"{path}, line 2: a quote opened there is not closed, so line 3 was read as part of its value" in problem
    assert "not as a setting;" in problem and "3-3" not in problem, problem


def test_an_unclosed_quote_in_a_file_that_takes_no_changes_is_not_told_saved(tmp_path: Path) -> None:
    # Was: "read now as if it closed at the end of line 2, and saved so." in the window,
    # where the file could not be written (and was not).
    folder = tmp_path / "locked"
    folder.mkdir()
    path = folder / "settings.ini"
    before = '[files]\nlast_video_dir="vids\n[overlay]\nshow_bars=false\n'
    path.write_text(before)
    # An immutable folder: Qt's save, which writes a new file beside the old, fails even for root.
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here")
    try:
        settings = AppSettings.at_path(path)
        problem = settings.read_problem
        settings.sync()
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    assert path.read_text() == before
    assert "and saved so" not in problem and "\n" not in problem, problem
    assert problem.endswith("but it could not be saved so (read-only, or its folder): close the quote by hand."), (
        problem
    )
    assert settings.show_bars is False  # read as repaired all the same


def test_an_unclosed_quote_with_no_temporary_folder_is_told_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The repaired copy is read from a temporary folder; without one the window must still
    # open, with the file read as Qt reads it and the quote named.
    path = tmp_path / "settings.ini"
    path.write_text(SWALLOWING.format(weights=tmp_path / "a.safetensors", folder=tmp_path))
    before = path.read_text()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "gone"))
    settings = AppSettings.at_path(path)
    assert f"{path}, line 4" in settings.read_problem and "not repaired" in settings.read_problem
    assert "\n" not in settings.read_problem
    assert path.read_text() == before


def test_a_file_qt_reads_whole_tells_nothing(tmp_path: Path) -> None:
    # Quotes Qt closes, an escaped quote and a quote in a comment run on over no line.
    path = tmp_path / "settings.ini"
    path.write_text(
        '[camera]\nname="USB \\"Cam\\""\n; a "comment\nnetwork_url=rtsp://cam/live\n[overlay]\nsteadiness=low\n'
    )
    settings = AppSettings.at_path(path)
    assert settings.read_problem == ""
    assert (settings.camera_name, settings.network_camera, settings.steadiness) == (
        'USB "Cam"',
        "rtsp://cam/live",
        "low",
    )


def test_the_window_tells_an_unclosed_quote_once(qtbot: QtBot, make_window: WindowFactory, tmp_path: Path) -> None:
    path = tmp_path / "hand-edited.ini"
    path.write_text(SWALLOWING.format(weights=tmp_path / "gone.safetensors", folder=tmp_path))
    window = make_window(settings=path)
    qtbot.waitUntil(lambda: "line 4" in window.notice_banner.text(), timeout=WAIT_MS)
    assert str(path) in window.notice_banner.text() and window.notice_banner.level == "warning"
    assert window.settings.steadiness == "high"


def test_a_line_ending_in_a_backslash_is_told_and_the_next_line_kept(tmp_path: Path) -> None:
    # Qt's reader takes a backslash at a line's end as "the value goes on on the next line":
    # output_folder=C:/videos\ took the next line into the folder's name, silently (and a
    # section header after it moved that section's settings into [files]).
    path = tmp_path / "settings.ini"
    path.write_text("[files]\noutput_folder=/data/videos\\\n[overlay]\nsteadiness=high\nshow_bars=false\n")
    settings = AppSettings.at_path(path)
    problem = settings.read_problem
    assert f"{path}, line 2: it ends in a backslash" in problem and "line 3 was read as part of its value" in problem
    assert "\n" not in problem and problem.endswith("and saved so."), problem
    assert settings.output_dir == "/data/videos\\"  # the backslash kept, as written
    assert (settings.steadiness, settings.show_bars) == ("high", False)
    assert settings.sync()
    again = AppSettings.at_path(path)
    assert again.read_problem == "" and again.output_dir == "/data/videos\\" and again.show_bars is False


def test_a_backslash_that_joins_only_a_blank_line_or_a_comment_tells_nothing(tmp_path: Path) -> None:
    # Qt reads the value right there (the backslash aside): no setting is lost, nothing said.
    path = tmp_path / "settings.ini"
    before = "[files]\noutput_folder=/data/videos\\\n\nlast_video_dir=/v\\\n; a note\n[overlay]\nshow_bars=false\n"
    path.write_text(before)
    settings = AppSettings.at_path(path)
    assert settings.read_problem == ""
    assert (settings.output_dir, settings.last_video_dir, settings.show_bars) == ("/data/videos", "/v", False)
    assert path.read_text() == before


def test_a_leading_tilde_in_a_path_setting_is_the_home_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Was read against the settings file's folder: <folder>/~/models/x.safetensors.
    home, conf = tmp_path / "home", tmp_path / "conf"
    conf.mkdir()
    monkeypatch.setenv("HOME", str(home))
    path = conf / "settings.ini"
    path.write_text(
        "[model]\nweights=~/models/x.safetensors\nlast_weights_dir=~/models\n"
        "[files]\nrecent=~/clips/a.mp4, clips/b~.mp4\nlast_video_dir=~\noutput_folder=~/out\n"
        "last_export_dir=~/exports\n"
    )
    settings = AppSettings.at_path(path)
    assert settings.weights_path == home / "models" / "x.safetensors"
    assert settings.last_weights_dir == str(home / "models")
    assert settings.recent_files == [str(home / "clips" / "a.mp4"), str(conf / "clips" / "b~.mp4")]
    assert (settings.last_video_dir, settings.output_dir) == (str(home), str(home / "out"))
    assert settings.last_export_dir == str(home / "exports")


# Hand-written Windows paths, as a user on Windows types them into the file.
HAND_WRITTEN = (
    "[files]\n"
    "last_video_dir=C:\\videos\n"  # Qt read "\v" as a vertical tab
    "output_folder=C:\\new\\test\n"  # "\n" a line break, "\t" a tab
    "last_export_dir=\\\\server\\share\\clips\n"  # "\\" one backslash, "\s" and "\c" nothing
    'recent=C:\\a.mp4, "\\\\nas\\media\\b, c.mp4"\n'
    "[model]\n"
    'weights="C:\\My Models\\x.safetensors"\n'
    "last_weights_dir=D:/models\n"  # no folder under the settings file's on any system
    "[overlay]\n"
    "show_bars=false\n"
)


def test_windows_paths_written_by_hand_are_read_as_written(tmp_path: Path) -> None:
    path = tmp_path / "settings.ini"
    path.write_text(HAND_WRITTEN)
    settings = AppSettings.at_path(path)
    assert settings.read_problem == ""
    assert settings.last_video_dir == "C:\\videos"
    assert settings.output_dir == "C:\\new\\test"
    assert settings.last_export_dir == "\\\\server\\share\\clips"
    assert settings.recent_files == ["C:\\a.mp4", "\\\\nas\\media\\b, c.mp4"]
    assert settings.weights_path == Path("C:\\My Models\\x.safetensors") and settings.last_weights_dir == "D:/models"
    assert settings.show_bars is False
    settings.show_bars = True  # Qt rewrites the whole file
    assert settings.sync()
    text = path.read_text()
    # Lines Qt's rewrite gives back as written are left so; the others are stored in Qt's
    # form (backslashes doubled), which reads back the same.
    assert "last_video_dir=C:\\videos\n" in text and "output_folder=C:\\new\\test\n" in text, text
    assert "last_export_dir=\\\\\\\\server\\\\share\\\\clips\n" in text, text
    again = AppSettings.at_path(path)
    assert (again.last_video_dir, again.output_dir, again.last_export_dir) == (
        "C:\\videos",
        "C:\\new\\test",
        "\\\\server\\share\\clips",
    )
    assert again.recent_files == settings.recent_files and again.weights_path == settings.weights_path
    assert again.show_bars is True


def test_a_hand_written_windows_path_is_left_as_written_until_a_save(tmp_path: Path) -> None:
    # Reading it changes nothing in the file; nor does a save with no change.
    path = tmp_path / "settings.ini"
    path.write_text(HAND_WRITTEN)
    settings = AppSettings.at_path(path)
    assert settings.sync()
    assert path.read_text() == HAND_WRITTEN


def test_a_recent_file_added_keeps_the_hand_written_ones(tmp_path: Path) -> None:
    # The list is merged into the file's list as the app read it, not as Qt did.
    path = tmp_path / "settings.ini"
    path.write_text(HAND_WRITTEN)
    settings = AppSettings.at_path(path)
    settings.remember_recent(str(tmp_path / "new.mp4"), keep=8)
    assert settings.sync()
    assert AppSettings.at_path(path).recent_files == [
        str(tmp_path / "new.mp4"),
        "C:\\a.mp4",
        "\\\\nas\\media\\b, c.mp4",
    ]


def test_a_hand_written_windows_folder_ending_in_a_backslash_keeps_the_lines_after_it(tmp_path: Path) -> None:
    # "C:\videos\" ended in a backslash, which Qt read as "the value goes on on the next line".
    path = tmp_path / "settings.ini"
    path.write_text("[files]\noutput_folder=C:\\videos\\\n[overlay]\nshow_bars=false\n")
    settings = AppSettings.at_path(path)
    assert settings.read_problem == ""
    assert (settings.output_dir, settings.show_bars) == ("C:\\videos\\", False)
    assert settings.sync()  # saved as read: Qt's save would write the next line into the folder
    again = AppSettings.at_path(path)
    assert (again.output_dir, again.show_bars) == ("C:\\videos\\", False)


def test_windows_paths_qt_wrote_read_back_as_qt_stored_them(tmp_path: Path) -> None:
    # Qt doubles every backslash and quotes a value with a comma: each is read as Qt reads
    # it (a person doubling the backslashes writes the same), and left so by a save.
    path = tmp_path / "settings.ini"
    store = QSettings(str(path), QSettings.Format.IniFormat)
    stored = {
        "files/last_video_dir": "C:\\videos",
        "files/output_folder": "C:\\new\\test",
        "files/last_export_dir": "\\\\server\\share\\clips",
        # A folder under the drive's root, which Qt writes starting with two backslashes.
        "files/recent": ["C:\\new\\test", "\\\\server\\share\\a, b.mp4", "\\root\\c.mp4"],
        "model/last_weights_dir": "D:\\My Models, old",
    }
    for key, value in stored.items():
        store.setValue(key, value)
    store.sync()
    assert store.status() == QSettings.Status.NoError
    del store
    text = path.read_text()
    assert "last_video_dir=C:\\\\videos\n" in text and "output_folder=C:\\\\new\\\\test\n" in text, text
    assert "last_export_dir=\\\\\\\\server\\\\share\\\\clips\n" in text, text
    assert 'last_weights_dir="D:\\\\My Models, old"\n' in text, text
    assert literal_paths(text) == (text, set())  # no value Qt wrote is taken as written
    settings = AppSettings.at_path(path)
    assert settings.last_video_dir == "C:\\videos" and settings.output_dir == "C:\\new\\test"
    assert settings.last_export_dir == "\\\\server\\share\\clips"
    assert settings.recent_files[:2] == stored["files/recent"][:2]
    assert settings.last_weights_dir == "D:\\My Models, old"
    settings.show_bars = False
    assert settings.sync()
    assert path.read_text().replace("show_bars=false\n", "").replace("[overlay]\n", "").strip() == text.strip()


def test_a_windows_path_after_an_unclosed_quote_is_read_as_written_and_the_quote_told(tmp_path: Path) -> None:
    path = tmp_path / "settings.ini"
    path.write_text('[model]\nweights="C:/models/a.onnx\n[files]\nlast_video_dir=C:\\videos\n')
    settings = AppSettings.at_path(path)
    assert f"{path}, line 2: a quote opened there is not closed" in settings.read_problem
    assert settings.weights_path == Path("C:/models/a.onnx") and settings.last_video_dir == "C:\\videos"
    assert settings.sync()
    again = AppSettings.at_path(path)
    assert again.read_problem == "" and again.last_video_dir == "C:\\videos"


def test_a_long_list_beside_a_hand_written_windows_path_is_read_in_one_pass(tmp_path: Path) -> None:
    # A file at the size limit with a long list in a path setting was gone over once per
    # item (a copy of the rest of the line each), which froze the start for seconds. Compared
    # with a 16 times shorter file: one pass takes about 16 times as long, per item 256.
    def read_s(items: int) -> float:
        path = tmp_path / f"settings-{items}.ini"
        path.write_text("[files]\nrecent=" + ",".join(["a.mp4"] * items) + "\noutput_folder=C:\\videos\n")
        took = []
        for _ in range(2):
            began = time.perf_counter()
            settings = AppSettings.at_path(path)
            took.append(time.perf_counter() - began)
        assert settings.output_dir == "C:\\videos" and len(settings.recent_files) == RECENT_KEPT
        return min(took)

    assert read_s(160_000) < 64 * read_s(10_000)


def test_a_hand_written_network_path_with_a_non_ascii_host_is_read_as_written(tmp_path: Path) -> None:
    # The file is gone over byte for character: the UTF-8 "Š" ends in byte A0, which a
    # Unicode-aware pattern took for a blank ending the host (Qt then dropped "\v" and "\k").
    path = tmp_path / "settings.ini"
    path.write_text("[files]\nlast_export_dir=\\\\Šárka-PC\\videa\\klipy\n", encoding="utf-8")
    settings = AppSettings.at_path(path)
    assert settings.last_export_dir == "\\\\Šárka-PC\\videa\\klipy"


def test_a_windows_path_under_general_in_any_case_is_read_as_written(tmp_path: Path) -> None:
    # Qt reads "[general]" in any case as the file's top (files\last_video_dir there is
    # files/last_video_dir); only "[General]" was looked at for a hand-written path.
    path = tmp_path / "settings.ini"
    path.write_text("[general]\nfiles\\last_video_dir=C:\\videos\n[GENERAL]\nfiles\\output_folder=C:\\new\n")
    settings = AppSettings.at_path(path)
    assert (settings.last_video_dir, settings.output_dir) == ("C:\\videos", "C:\\new")
