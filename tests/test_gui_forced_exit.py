"""What a forced exit (kill -9, a crash, a second Ctrl+C while the exit waits) leaves of a
recording or a snapshot, and the next save into that folder tidying it."""

from __future__ import annotations

import csv
import logging
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import cv2
import pytest
from PyQt6.QtCore import Qt
from pytestqt.qtbot import QtBot

from emotion_app.gui.main_window import MainWindow
from emotion_app.gui.message_banner import MessageBanner
from emotion_app.io.temporary_names import is_unfinished, owner_mark
from emotion_app.io.unfinished import UNFINISHED_MARK, Tidied, tidy_stopped
from emotion_app.samples import VideoTruth
from tests.gui_support import (
    WAIT_MS,
    DeadShare,
    WindowFactory,
    join_file_checks,
    play_looping,
    temp_folder_env,
    use_output_folder,
    wait_for_recording,
    wait_until_recorded,
)

REPO = Path(__file__).resolve().parent.parent

# The app in a child process: plays the video, records into the folder (Ctrl+R for an
# .mp4, Record to… for another suffix) and says so once 20 rows of faces are written.
_RECORDING_APP = """
import sys
from pathlib import Path
from PyQt6.QtCore import QTimer
from emotion_app.gui import app as gui_app
from emotion_app.sources.specs import VideoFileSpec

folder, video, settings, suffix = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]
real_create = gui_app.create_main_window


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

    def record():
        if suffix == ".mp4":
            window.record_action.trigger()
        else:
            window.start_recording(folder / f"talk{suffix}")
        said = lambda: print("recording", window.recording.video_path, flush=True)
        when(lambda: writer() is not None and writer().rows_written > 20, said)

    window.start_source(VideoFileSpec(video, loop=True))
    window.set_output_folder(folder)
    answered = lambda: window.output_folder_checked() and window.dialog_folders_answered()
    face = lambda: window.view.result is not None and len(window.view.result.faces) > 0
    when(lambda: answered() and window.settings.output_dir == str(folder) and face(), record)
    return window


gui_app.create_main_window = create_and_record
sys.exit(gui_app.run(["--settings", settings]))
"""


def _child_env(tmp_path: Path) -> dict[str, str]:
    temp = tmp_path / "temp"
    temp.mkdir(exist_ok=True)
    return dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path), **temp_folder_env(temp))


def _record_then_kill(gui_video: VideoTruth, tmp_path: Path, folder: Path, suffix: str) -> Path:
    """The real app recording into ``folder``, killed (SIGKILL) mid-recording; the video it
    was recording to."""
    command = [sys.executable, "-c", _RECORDING_APP, str(folder), str(gui_video.path), str(tmp_path / "s.ini"), suffix]
    app = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=_child_env(tmp_path), cwd=REPO)
    lines: queue.Queue[str] = queue.Queue()

    def pass_lines_on() -> None:
        for line in app.stdout or ():
            lines.put(line)

    threading.Thread(target=pass_lines_on, daemon=True).start()
    try:
        deadline = time.monotonic() + 120
        while True:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if line.startswith("recording "):
                break
        time.sleep(2.0)  # more frames: the AVI writer puts them on disk 256 KiB at a time
    finally:
        app.kill()
        app.wait()
    return Path(line.strip().removeprefix("recording "))


def _frames_read(path: Path) -> int:
    capture = cv2.VideoCapture(str(path))
    count = 0
    while capture.isOpened() and capture.read()[0]:
        count += 1
    capture.release()
    return count


def _csv_rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


@pytest.mark.parametrize("suffix", [".mp4", ".avi"])
def test_a_recording_cut_by_a_kill_is_kept_as_unfinished_by_the_next_recording_there(
    qtbot: QtBot,
    make_window: WindowFactory,
    gui_video: VideoTruth,
    tmp_path: Path,
    suffix: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A kill left the recording's hidden .part files in the output folder for good: nothing
    # ever looked at them again (analyze's own outputs are recovered by its next run).
    folder = tmp_path / "recordings"
    video = _record_then_kill(gui_video, tmp_path, folder, suffix)
    left = sorted(path.name for path in folder.iterdir())
    # What the kill left: the video's and the CSV's hidden temporary files, nothing in place.
    assert len(left) == 2 and all(name.startswith(".") and is_unfinished(Path(name)) for name in left), left
    assert not video.exists() and not video.with_suffix(".csv").exists()

    window = make_window()
    play_looping(window, gui_video.path)
    assert use_output_folder(qtbot, window, folder)
    qtbot.waitUntil(lambda: window.view.result is not None and len(window.view.result.faces) > 0, timeout=WAIT_MS)
    with caplog.at_level(logging.WARNING):
        window.record_action.trigger()
        wait_for_recording(qtbot, window)
    # Told in the window too, not only on stderr (unseen by an app started from an icon).
    kept_names = (
        f"{video.stem}{UNFINISHED_MARK}.csv"
        if suffix == ".mp4"
        else f"{video.stem}{UNFINISHED_MARK}.avi, {video.stem}{UNFINISHED_MARK}.csv"
    )
    removed = ", and removed 1 unreadable file" if suffix == ".mp4" else ""
    notice = f"Kept what a session cut short left in {folder}: {kept_names}{removed}"
    assert window.tidy_banner.text() == notice
    assert window.tidy_banner.button_captions()[0] == "Open folder"
    wait_until_recorded(qtbot, window)  # a frame in it: its "Saved …" follows when stopped
    with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS):
        window.record_action.trigger()  # stopped: its own files come into place
    qtbot.waitUntil(lambda: window.recording is None, timeout=WAIT_MS)
    # Its "Saved …" says what it saved, and the tidy's notice stays as it was, on its own.
    saved = window.notice_banner.text()
    assert saved.startswith("Saved ") and "cut short" not in saved, saved
    assert window.tidy_banner.text() == notice

    hidden = [path.name for path in folder.iterdir() if path.name.startswith(".")]
    assert hidden == [], hidden
    kept_csv = folder / f"{video.stem}{UNFINISHED_MARK}.csv"
    rows = _csv_rows(kept_csv)
    assert rows[0][0] == "frame" and len(rows) > 20 and kept_csv.read_bytes().endswith(b"\n")
    assert all(len(row) == len(rows[0]) for row in rows)
    kept_video = folder / f"{video.stem}{UNFINISHED_MARK}{suffix}"
    if suffix == ".mp4":
        # An MP4 gets its index when closed: the one killed does not play, and is removed.
        assert not kept_video.exists()
        assert f"{video}: cut short when its writer was stopped" in caplog.text
        assert "has no index and does not play, so it was removed" in caplog.text
    else:
        assert _frames_read(kept_video) > 0
        assert f"what it holds is kept as {kept_video}" in caplog.text
    assert f"what it holds is kept as {kept_csv}" in caplog.text


_HALF_WRITTEN = """
import sys, time
from pathlib import Path
from emotion_app.io.atomic import AtomicOutput

temp = AtomicOutput(Path(sys.argv[1])).open()
temp.write_bytes(b"\\x89PNG\\r\\n\\x1a\\n half a picture")
print(temp, flush=True)
time.sleep(600)
"""


def test_a_snapshot_s_leftover_goes_with_the_next_snapshot_there_and_a_live_writer_s_stays(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path
) -> None:
    folder = tmp_path / "snapshots"
    folder.mkdir()
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _HALF_WRITTEN, str(folder / name)],
            stdout=subprocess.PIPE,
            text=True,
            env=_child_env(tmp_path),
            cwd=REPO,
        )
        for name in ("dead.png", "alive.png")
    ]
    try:
        dead, alive = (Path((writer.stdout.readline() if writer.stdout else "").strip()) for writer in writers)
        writers[0].kill()
        writers[0].wait()
        window = make_window()
        saved = _saving_into(qtbot, window, gui_video.path, folder)
        window.snapshot()
        qtbot.waitUntil(lambda: len(saved) == 1, timeout=WAIT_MS)
        # The killed writer's half picture is gone (nothing of a picture is worth keeping);
        # the writer still running (another instance of the app) keeps its file.
        assert not dead.exists() and alive.exists()
        assert sorted(path.name for path in folder.iterdir()) == sorted([alive.name, saved[0].name])
    finally:
        for writer in writers:
            writer.kill()
            writer.wait()


_HALF_A_ROW = """
import sys, time
from pathlib import Path
from emotion_app.io.atomic import AtomicOutput

temp = AtomicOutput(Path(sys.argv[1])).open()
temp.write_bytes(b"frame,label\\n1,happy\\n2,sa")
print(temp, flush=True)
time.sleep(600)
"""


def _killed_writer(tmp_path: Path, script: str, target: Path, *args: str) -> Path:
    """``script`` writing ``target`` (``args`` after it) in a child process, killed midway;
    the temporary it left."""
    writer = subprocess.Popen(
        [sys.executable, "-c", script, str(target), *args],
        stdout=subprocess.PIPE,
        text=True,
        env=_child_env(tmp_path),
        cwd=REPO,
    )
    try:
        return Path((writer.stdout.readline() if writer.stdout else "").strip())
    finally:
        writer.kill()
        writer.wait()


def _saving_into(qtbot: QtBot, window: MainWindow, video: Path, folder: Path) -> list[Path]:
    """``window`` playing ``video`` with ``folder`` as its output folder, its first result
    shown; the list each snapshot saved is added to."""
    play_looping(window, video)
    assert use_output_folder(qtbot, window, folder)
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    saved: list[Path] = []
    window.snapshots.saved.connect(saved.append)
    return saved


def _shown(window: MainWindow) -> list[str]:
    """The messages the window's banners show, from the top."""
    return [banner.text() for banner in window.messages.findChildren(MessageBanner) if banner.text()]


def test_a_snapshot_s_tidy_is_told_on_its_own_and_stays_past_a_later_save_elsewhere(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The tidy runs on the snapshot's writing thread; what it kept was glued onto the
    # snapshot's "Saved …" notice, and onto any "Saved …" after it while it showed: a
    # snapshot saved into another folder minutes later claimed the first folder's tidy.
    folder, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    folder.mkdir()
    elsewhere.mkdir()
    _killed_writer(tmp_path, _HALF_A_ROW, folder / "talk.csv")
    _killed_writer(tmp_path, _HALF_WRITTEN, folder / "old.png")  # a picture's part: removed unsaid
    window = make_window()
    saved = _saving_into(qtbot, window, gui_video.path, folder)
    window.snapshot()
    qtbot.waitUntil(lambda: len(saved) == 1, timeout=WAIT_MS)
    kept = folder / f"talk{UNFINISHED_MARK}.csv"
    assert sorted(folder.iterdir()) == sorted([kept, saved[0]])
    tidied = f"Kept what a session cut short left in {folder}: {kept.name}"
    qtbot.waitUntil(lambda: window.notice_banner.text().startswith("Saved snapshot"), timeout=WAIT_MS)
    assert _shown(window) == [f"Saved snapshot {saved[0].name} in {folder}", tidied]
    assert window.tidy_banner.button_captions()[0] == "Open folder"
    # Save snapshot as… into another folder: its notice says only what it saved, and the
    # tidy's stays as it was.
    monkeypatch.setattr(window, "ask_save_path", lambda title, suggestion, filters: str(elsewhere / "mine.png"))
    window.snapshot_as_action.trigger()
    qtbot.waitUntil(lambda: len(saved) == 2, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: saved[1].name in window.notice_banner.text(), timeout=WAIT_MS)
    assert _shown(window) == [f"Saved snapshot {saved[1].name} in {elsewhere}", tidied]
    # Dismissed, it is gone; the next snapshot into the folder has nothing to tidy.
    window.tidy_banner.dismiss()
    window.snapshot()
    qtbot.waitUntil(lambda: len(saved) == 3, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: saved[2].name in window.notice_banner.text(), timeout=WAIT_MS)
    assert _shown(window) == [f"Saved snapshot {saved[2].name} in {folder}"]


def test_a_recording_check_given_up_still_tells_its_tidy_beside_the_refusal(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The recording check tidies its folder off the GUI thread; one given up on (a share
    # slower than its deadline) had its answer dropped, and the tidy with it: the
    # "(unfinished)" file it kept was only in the log.
    folder = tmp_path / "share" / "recordings"
    folder.mkdir(parents=True)
    _killed_writer(tmp_path, _HALF_A_ROW, folder / "talk.csv")
    window = make_window(file_check_timeout_s=0.2)
    play_looping(window, gui_video.path)
    assert use_output_folder(qtbot, window, folder)
    qtbot.waitUntil(window.dialog_folders_answered, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    refused = (
        f"Recording refused: {folder} did not answer within 0.2 s (a network share whose server has gone?); "
        "nothing was recorded."
    )
    with DeadShare(tmp_path / "share").hang_up(monkeypatch) as share:
        window.record_action.trigger()
        qtbot.waitUntil(lambda: window.notice_banner.text() == refused, timeout=WAIT_MS)
        share.back.set()  # the share answers after all: the check goes on, and tidies
        join_file_checks()
        kept = folder / f"talk{UNFINISHED_MARK}.csv"
        qtbot.waitUntil(lambda: len(_shown(window)) == 2, timeout=WAIT_MS)
    assert kept.is_file()
    # Both shown: the refusal is not hidden by the tidy's notice, nor the notice lost.
    assert _shown(window) == [refused, f"Kept what a session cut short left in {folder}: {kept.name}"]
    assert window.notice_banner.level == "error" and window.recording is None


def _kept_line(folder: Path, *names: str) -> str:
    return f"Kept what a session cut short left in {folder}: {', '.join(names)}"


def test_each_folder_s_tidy_keeps_its_line_in_the_tidy_banner_until_dismissed(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The banner held one notice: a recording's tidy in another folder soon after a
    # snapshot's replaced the snapshot's, and what was kept there was only in the log.
    a, b, c, d, e = (tmp_path / name for name in "abcde")
    for folder in (a, b, c, d, e):
        folder.mkdir()
        _killed_writer(tmp_path, _HALF_A_ROW, folder / "talk.csv")
    kept = f"talk{UNFINISHED_MARK}.csv"
    window = make_window()
    _saving_into(qtbot, window, gui_video.path, a)
    window.snapshot()
    qtbot.waitUntil(lambda: window.tidy_banner.text() == _kept_line(a, kept), timeout=WAIT_MS)
    assert window.tidy_banner.button_captions()[0] == "Open folder"
    # A recording into another folder, its own leftovers tidied: a line of its own, last.
    window.start_recording(b / "clip.avi")
    wait_for_recording(qtbot, window)
    both = "\n".join([_kept_line(a, kept), _kept_line(b, kept)])
    qtbot.waitUntil(lambda: window.tidy_banner.text() == both, timeout=WAIT_MS)
    newest = window.tidy_banner.button("Open newest folder")
    assert newest is not None and newest.toolTip() == str(b)
    with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS):
        window.stop_recording()
    assert window.tidy_banner.text() == both  # the recording's end leaves it as it was
    # Two more folders: the last three are listed, the first counted.
    for folder in (c, d):
        monkeypatch.setattr(
            window, "ask_save_path", lambda title, suggestion, filters, folder=folder: str(folder / "mine.png")
        )
        window.snapshot_as_action.trigger()

        def told(folder: Path = folder) -> bool:
            return _kept_line(folder, kept) in window.tidy_banner.text()

        qtbot.waitUntil(told, timeout=WAIT_MS)
    earlier = "1 earlier folder tidied too: see the log."
    assert window.tidy_banner.text() == "\n".join([earlier, *(_kept_line(f, kept) for f in (b, c, d))])
    # A folder tidied again (what the snapshot lane tells of it): its line replaced, moved last.
    _killed_writer(tmp_path, _HALF_A_ROW, c / "more.csv")
    again = tidy_stopped(c)
    assert again.kept == (c / f"more{UNFINISHED_MARK}.csv",)
    window.snapshots.tidied.emit(again)
    lines = [earlier, _kept_line(b, kept), _kept_line(d, kept), _kept_line(c, f"more{UNFINISHED_MARK}.csv")]
    assert window.tidy_banner.text() == "\n".join(lines)
    # Dismissed, all of it goes: the next folder's tidy is told alone.
    window.tidy_banner.dismiss()
    monkeypatch.setattr(window, "ask_save_path", lambda title, suggestion, filters: str(e / "mine.png"))
    window.snapshot_as_action.trigger()
    qtbot.waitUntil(lambda: window.tidy_banner.text() == _kept_line(e, kept), timeout=WAIT_MS)
    assert window.tidy_banner.button_captions()[0] == "Open folder"
    assert _shown(window)[-1] == _kept_line(e, kept)


def test_one_folder_named_by_other_paths_keeps_one_line_in_the_tidy_banner(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The banner went by the path as given: the same folder through a link, or with "..",
    # got a line for each path it was saved by, as if it were several folders.
    real, other = tmp_path / "real", tmp_path / "other"
    real.mkdir()
    other.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    window = make_window()
    _saving_into(qtbot, window, gui_video.path, other)
    kept = f"talk{UNFINISHED_MARK}.csv"
    shown = []
    for name, path in [("talk", link), ("more", real), ("last", other / ".." / "link")]:
        _killed_writer(tmp_path, _HALF_A_ROW, real / f"{name}.csv")  # a writer killed since the last tidy
        monkeypatch.setattr(
            window, "ask_save_path", lambda title, suggestion, filters, path=path: str(path / "mine.png")
        )
        window.snapshot_as_action.trigger()
        line = _kept_line(path, f"{name}{UNFINISHED_MARK}.csv")  # the path as chosen
        shown.append(line)

        def told(line: str = line) -> bool:
            return line in window.tidy_banner.text()

        qtbot.waitUntil(told, timeout=WAIT_MS)
        assert window.tidy_banner.text() == line  # one line: the folder's newest tidy
        assert window.tidy_banner.button_captions()[0] == "Open folder"
    assert (real / kept).is_file()
    # Another folder is still a line of its own, and the folder's line stays one.
    _killed_writer(tmp_path, _HALF_A_ROW, other / "talk.csv")
    window.snapshots.tidied.emit(tidy_stopped(other))
    assert window.tidy_banner.text() == "\n".join([shown[-1], _kept_line(other, kept)])
    _killed_writer(tmp_path, _HALF_A_ROW, real / "gone.csv")
    again = tidy_stopped(link)
    shutil.rmtree(real)  # gone before the window hears of it: the window asks nothing of it
    window.snapshots.tidied.emit(again)
    gone = _kept_line(link, f"gone{UNFINISHED_MARK}.csv")
    assert window.tidy_banner.text() == "\n".join([_kept_line(other, kept), gone])


def test_a_recording_that_fails_at_once_is_told_beside_its_folder_s_tidy(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path
) -> None:
    # The recording's check tidies the folder; its writer then cannot make the video (a
    # folder took its name meanwhile): the failure and the tidy's notice are both shown.
    folder = tmp_path / "out"
    folder.mkdir()
    _killed_writer(tmp_path, _HALF_A_ROW, folder / "talk.csv")
    video = folder / "talk.avi"
    window = make_window()
    play_looping(window, gui_video.path)
    qtbot.waitUntil(window.dialog_folders_answered, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    # On the check's thread, as soon as it has tidied: before the writer opens the video. (PyQt6's
    # stubs leave out connect's second argument, the connection type: hence the ignore.)
    window.recordings.tidied.connect(lambda *_told: video.mkdir(), Qt.ConnectionType.DirectConnection)  # type: ignore[call-arg]
    with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS) as finished:
        window.start_recording(video)
    failed = f"Recording stopped: output {video} is a folder; it would not be replaced"
    assert finished.args[0].error.endswith("is a folder; it would not be replaced")
    qtbot.waitUntil(lambda: window.recording is None and not window.record_action.isChecked(), timeout=WAIT_MS)
    assert _shown(window) == [failed, _kept_line(folder, f"talk{UNFINISHED_MARK}.csv")]
    assert window.notice_banner.level == "error"
    assert not (folder / "talk.csv").exists() and sorted(path.name for path in folder.iterdir()) == sorted(
        ["talk.avi", f"talk{UNFINISHED_MARK}.csv"]
    )


def test_a_killed_csv_is_cut_to_its_last_whole_row_beside_an_earlier_unfinished_one(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    earlier = folder / f"talk{UNFINISHED_MARK}.csv"
    earlier.write_text("an earlier crash's\n")
    temp = _killed_writer(tmp_path, _HALF_A_ROW, folder / "talk.csv")
    # Named as ours but by another machine (a shared folder): its process cannot be asked about.
    other_machine = folder / temp.name.replace(temp.name.split(".")[3].split("-")[1], "0" * 8)
    assert other_machine != temp
    other_machine.write_bytes(temp.read_bytes())
    told = tidy_stopped(folder)
    kept = folder / f"talk{UNFINISHED_MARK}-2.csv"
    assert kept.read_bytes() == b"frame,label\n1,happy\n"
    assert earlier.read_text() == "an earlier crash's\n"
    assert sorted(folder.iterdir()) == sorted([earlier, kept, other_machine])
    cut_short = f"{folder / 'talk.csv'}: cut short when its writer was stopped (killed or crashed)"
    assert told.lines == (f"{cut_short}; what it holds is kept as {kept}",)
    assert told.kept == (kept,) and told.removed == 0
    assert tidy_stopped(folder).lines == ()  # nothing left of that writer


# The app's CSV writer, a frame of one face a row, never closed: a recording's CSV (its
# faces' names) or analyze's for a folder (its pictures' names), each name from argv.
_NAMED_ROWS = """
import sys, time
from pathlib import Path
from emotion_app.io.csv_export import FaceCsvWriter
from emotion_app.results import FaceResult

target, column, names = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
writer = FaceCsvWriter(target, ("happy", "sad"), file_column=column == "file", name_column=column == "name")
for index, name in enumerate(names):
    face = FaceResult((1, 2, 3, 4), 1, "happy", 0.9, (0.9, 0.1), name=name if column == "name" else "")
    writer.write_frame(index, index / 10, [face], file=name if column == "file" else None)
print(writer.partial_path, flush=True)
time.sleep(600)
"""


def _killed_in_a_line_break(tmp_path: Path, target: Path, column: str, names: list[str]) -> Path:
    """The temporary a writer of a row for each of ``names`` left, cut just past the last
    name's first line break, as a kill there leaves it (a frame's rows reach the file in
    pieces once they outgrow the write buffer)."""
    temp = _killed_writer(tmp_path, _NAMED_ROWS, target, column, *names)
    data = temp.read_bytes()
    last = names[-1].encode()
    temp.write_bytes(data[: data.rindex(last) + last.index(b"\n") + 1])
    return temp


@pytest.mark.parametrize("column", ["name", "file"])
def test_a_killed_csv_cut_in_a_name_s_line_break_keeps_only_whole_rows(tmp_path: Path, column: str) -> None:
    # A file name may hold a line break (Linux allows it), and so may a pasted name: the
    # CSV quotes it, and a line break inside quotes ends no row.
    folder = tmp_path / "out"
    folder.mkdir()
    _killed_in_a_line_break(tmp_path, folder / "talk.csv", column, ["Ann\nLee", "Bo\nKay"])
    told = tidy_stopped(folder)
    kept = folder / f"talk{UNFINISHED_MARK}.csv"
    assert told.kept == (kept,) and told.removed == 0
    with open(kept, newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream, strict=True))
    assert [row[0] for row in rows] == ["frame", "0"] and len(rows[1]) == len(rows[0])
    assert rows[1][rows[0].index(column)] == "Ann\nLee"


def test_a_killed_csv_whose_one_row_is_cut_in_a_name_s_line_break_is_removed(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    _killed_in_a_line_break(tmp_path, folder / "talk.csv", "name", ["Ann\nLee"])
    told = tidy_stopped(folder)
    assert told.kept == () and told.removed == 1
    assert list(folder.iterdir()) == []


_REPORT_STAGED = """
import sys, time
from pathlib import Path
from emotion_app.io.atomic import stage_bytes
from emotion_app.io.session_report import CSV_NAME

staged = stage_bytes(Path(sys.argv[1]) / CSV_NAME, b"emotion,seconds\\nhappy,1.0\\n")
print(staged.temp, flush=True)
time.sleep(600)
"""


def test_a_killed_report_s_staged_csv_is_removed_not_kept_as_unfinished(tmp_path: Path) -> None:
    # A report is a pair, put in place together or not at all: half of one is not kept.
    folder = tmp_path / "out"
    folder.mkdir()
    temp = _killed_writer(tmp_path, _REPORT_STAGED, folder)
    assert temp.exists()
    tidy_stopped(folder)
    assert list(folder.iterdir()) == []


def test_a_link_or_fifo_named_as_a_dead_writer_s_temporary_is_left_alone(tmp_path: Path) -> None:
    # Anyone who can write in a shared folder can put these there: a link to the user's own
    # file elsewhere must not get that file cut back or its permissions widened, and a fifo
    # must not hold the tidy (and the recording check waiting on it) for ever.
    folder = tmp_path / "shared"
    folder.mkdir()
    private = tmp_path / "private.csv"
    private.write_bytes(b"frame,label\n1,happy\n2,ha")
    private.chmod(0o600)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    mark = owner_mark(gone.pid)
    link = folder / f".talk.csv.{mark}.abcdefgh.part.csv"
    link.symlink_to(private)
    video_link = folder / f".talk.avi.{mark}.abcdefgi.part.avi"
    video_link.symlink_to(private)
    fifo = folder / f".clip.csv.{mark}.abcdefgj.part.csv"
    os.mkfifo(fifo)
    told: queue.Queue[Tidied] = queue.Queue()
    tidy = threading.Thread(target=lambda: told.put(tidy_stopped(folder)), daemon=True)
    tidy.start()
    tidy.join(30)
    if tidy.is_alive():  # blocked opening the fifo: a writer at its other end lets it go
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        tidy.join(30)
    assert not told.empty(), "the tidy hung on the fifo"
    assert told.get() == Tidied(folder, real=folder.resolve())  # nothing done, nothing said
    assert private.read_bytes() == b"frame,label\n1,happy\n2,ha"
    assert private.stat().st_mode & 0o777 == 0o600
    assert sorted(folder.iterdir()) == sorted([link, video_link, fifo])


_TIDY = """
import sys
from pathlib import Path
from emotion_app.io.unfinished import tidy_stopped

print(list(tidy_stopped(Path(sys.argv[1])).lines), flush=True)
"""

# A new PID namespace (as a container or a Flatpak sandbox has) on this machine, its host name unchanged.
_IN_OWN_PID_NAMESPACE = ["unshare", "--user", "--map-root-user", "--pid", "--fork"]


def test_a_live_writer_s_file_is_left_by_a_tidy_in_another_pid_namespace(tmp_path: Path) -> None:
    # From in a namespace of its own the writer's id names no process (or another one).
    if shutil.which("unshare") is None or subprocess.run([*_IN_OWN_PID_NAMESPACE, "true"]).returncode != 0:
        pytest.skip("no unshare that makes a PID namespace here")
    folder = tmp_path / "out"
    folder.mkdir()
    env = _child_env(tmp_path)
    writer = subprocess.Popen(
        [sys.executable, "-c", _HALF_A_ROW, str(folder / "talk.csv")],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )
    try:
        temp = Path((writer.stdout.readline() if writer.stdout else "").strip())
        tidy = subprocess.run(
            [*_IN_OWN_PID_NAMESPACE, sys.executable, "-c", _TIDY, str(folder)],
            capture_output=True,
            text=True,
            env=env,
            cwd=REPO,
            timeout=120,
        )
        assert tidy.returncode == 0, tidy.stderr
        assert tidy.stdout.strip() == "[]"
        assert sorted(folder.iterdir()) == [temp]
        assert temp.read_bytes() == b"frame,label\n1,happy\n2,sa"
    finally:
        writer.kill()
        writer.wait()


def test_a_killed_csv_with_a_long_name_is_kept_as_a_csv(tmp_path: Path) -> None:
    # Its temporary's name has room for only part of it, ".csv" cut off there.
    folder = tmp_path / "out"
    folder.mkdir()
    name = "talk-" + "x" * 230 + ".csv"
    temp = _killed_writer(tmp_path, _HALF_A_ROW, folder / name)
    assert ".csv." not in temp.name  # cut short there
    told = tidy_stopped(folder)
    [kept] = folder.iterdir()
    assert kept.name.startswith("talk-xxx") and kept.name.endswith(f"x{UNFINISHED_MARK}.csv")
    assert kept.read_bytes() == b"frame,label\n1,happy\n"
    assert told.lines == (
        f"{folder / kept.name.replace(UNFINISHED_MARK, '')}: cut short when its writer was stopped (killed or"
        f" crashed); what it holds is kept as {kept}",
    )
