"""Outputs that change together (``io.atomic.commit_together``) across folders: a failed
rename or a kill between the renames never leaves a new file in one folder beside an old
one in another. Real files, real renames failing, a real SIGKILL."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from emotion_app.io import atomic
from emotion_app.io.atomic import CommitError, commit_together, recover_stopped, stage_bytes
from hostile_support import KILLED_AFTER_THE_FIRST_RENAME, hidden_files

REPO = Path(__file__).resolve().parent.parent


def two_folders(tmp_path: Path) -> tuple[Path, Path]:
    first, second = tmp_path / "rows", tmp_path / "videos"
    first.mkdir()
    second.mkdir()
    (first / "o.csv").write_text("earlier rows")
    (second / "o.mp4").write_bytes(b"earlier video")
    return first / "o.csv", second / "o.mp4"


def test_a_failed_rename_in_one_folder_puts_back_the_file_in_the_other(tmp_path: Path) -> None:
    table, video = two_folders(tmp_path)
    video.unlink()  # a new video: its name is free when the run starts
    outputs = [stage_bytes(table, b"new rows"), stage_bytes(video, b"new video")]

    def folder_in_the_way() -> None:  # made after the records: the rename finds it
        video.mkdir()
        (video / "x").touch()

    with pytest.raises(CommitError, match=r"o\.mp4: could not be put in place .*; nothing was changed$"):
        commit_together(outputs, before_renames=folder_in_the_way)
    assert table.read_text() == "earlier rows"
    assert hidden_files(table.parent) == [] and hidden_files(video.parent) == []


# Python that makes the process die (SIGKILL) right after its first output is put in place.
_KILLED_AFTER_THE_FIRST_RENAME = f"""{KILLED_AFTER_THE_FIRST_RENAME}
import sys
from pathlib import Path
outputs = [atomic.stage_bytes(Path(sys.argv[1]), b"new rows"), atomic.stage_bytes(Path(sys.argv[2]), b"new video")]
atomic.commit_together(outputs)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
@pytest.mark.parametrize("scanned", ["first", "second", "linked"])
def test_a_writer_killed_between_renames_in_two_folders_is_undone_from_either(tmp_path: Path, scanned: str) -> None:
    # Was: each folder's records were decided on their own, and only where the next writer
    # looked: recovering the CSV's folder kept its new CSV (its rename was done) beside the
    # earlier video, whose record stayed in the other folder for good. Now a list of the
    # whole group beside each folder's records undoes both, from either folder.
    table, video = two_folders(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", _KILLED_AFTER_THE_FIRST_RENAME, str(table), str(video)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]
    assert table.read_text() == "new rows"  # killed between the renames
    assert video.read_bytes() == b"earlier video"
    folder, name = (video.parent, "o.mp4") if scanned == "second" else (table.parent, "o.csv")
    if scanned == "linked":  # the folder spelt otherwise than in the group's list
        folder = tmp_path / "link"
        folder.symlink_to(table.parent)
    told = recover_stopped([folder], [name])
    assert told == [f"{table}: put back as it was before a write that was stopped midway"]
    assert table.read_text() == "earlier rows" and video.read_bytes() == b"earlier video"
    assert hidden_files(table.parent) == [] and hidden_files(video.parent) == []


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_group_whose_renames_were_all_done_keeps_its_new_files(tmp_path: Path) -> None:
    table, video = two_folders(tmp_path)
    killed_after_both = _KILLED_AFTER_THE_FIRST_RENAME.replace(
        "os.kill(os.getpid(), signal.SIGKILL)",
        "os.kill(os.getpid(), signal.SIGKILL) if 'mp4' in str(self.path) else None",
    )
    done = subprocess.run(
        [sys.executable, "-c", killed_after_both, str(table), str(video)], capture_output=True, cwd=REPO, timeout=60
    )
    assert done.returncode == -signal.SIGKILL
    assert len(hidden_files(table.parent)) == 2 and len(hidden_files(video.parent)) == 2  # a record and a list each
    assert recover_stopped([video.parent], ["o.mp4"]) == []
    assert table.read_text() == "new rows" and video.read_bytes() == b"new video"
    assert hidden_files(table.parent) == [] and hidden_files(video.parent) == []


def test_a_live_writers_group_is_left_alone(tmp_path: Path) -> None:
    table, video = two_folders(tmp_path)
    outputs = [stage_bytes(table, b"new rows"), stage_bytes(video, b"new video")]
    seen: list[list[str]] = []

    def look() -> None:
        assert recover_stopped([table.parent, video.parent], ["o."]) == []  # this process: alive
        seen.append(hidden_files(table.parent) + hidden_files(video.parent))

    commit_together(outputs, before_renames=look)
    assert len(seen[0]) == 6  # per folder: the new file, the earlier one's record, the list
    assert table.read_text() == "new rows" and video.read_bytes() == b"new video"
    assert hidden_files(table.parent) == [] and hidden_files(video.parent) == []
    assert atomic.PART_MARK in seen[0][0]
