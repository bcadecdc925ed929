"""Outputs that change together (``io.output_group.commit_together``) across folders: a failed
rename or a kill between the renames never leaves a new file in one folder beside an old
one in another. Real files, real renames failing, a real SIGKILL."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from emotion_app.io import atomic, temporary_names
from emotion_app.io.atomic import stage_bytes
from emotion_app.io.output_group import CommitError, commit_together
from emotion_app.io.output_recovery import recover_stopped
from tests.hostile_support import KILLED_AFTER_THE_FIRST_RENAME, hidden_files

REPO = Path(__file__).resolve().parent.parent


def two_folders(tmp_path: Path) -> tuple[Path, Path]:
    first, second = tmp_path / "rows", tmp_path / "videos"
    first.mkdir()
    second.mkdir()
    (first / "o.csv").write_text("earlier rows")
    (second / "o.mp4").write_bytes(b"earlier video")
    return first / "o.csv", second / "o.mp4"


def refuse_fsync(monkeypatch: pytest.MonkeyPatch, refused: list[int]) -> None:
    """os.fsync as on a file system that syncs nothing (EINVAL, some FUSE and SMB mounts):
    each handle asked for goes in ``refused``."""

    def refusing(handle: int) -> None:
        refused.append(handle)
        raise OSError(errno.EINVAL, os.strerror(errno.EINVAL))

    monkeypatch.setattr(os, "fsync", refusing)


def written_unsynced(path: Path, data: bytes) -> atomic.AtomicOutput:
    """An output whose writer wrote its temporary file without syncing it (OpenCV's video writer)."""
    output = atomic.AtomicOutput(path)
    output.open().write_bytes(data)
    return output


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
from emotion_app.io.output_group import commit_together
outputs = [atomic.stage_bytes(Path(sys.argv[1]), b"new rows"), atomic.stage_bytes(Path(sys.argv[2]), b"new video")]
commit_together(outputs)
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
    assert temporary_names.PART_MARK in seen[0][0]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
@pytest.mark.parametrize("damage", [b"", b'{"lists": ["'])
def test_a_damaged_group_list_decides_nothing(tmp_path: Path, damage: bytes) -> None:
    # Was: a list that did not read was removed and each folder decided on its own: the
    # CSV's folder (its rename done) lost its earlier file, the video's was undone. A power
    # loss could leave lists so (they were not synced before the renames); now nothing is
    # removed on the strength of one, and a line says so.
    table, video = two_folders(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", _KILLED_AFTER_THE_FIRST_RENAME, str(table), str(video)], capture_output=True, cwd=REPO
    )
    assert done.returncode == -signal.SIGKILL
    lists = [path for folder in (table.parent, video.parent) for path in folder.glob(".*.group.*")]
    assert len(lists) == 2
    for path in lists:
        path.write_bytes(damage)
    before = hidden_files(table.parent, video.parent)
    told = recover_stopped([table.parent, video.parent], ["o."])
    assert hidden_files(table.parent, video.parent) == before
    (record,) = [path for path in table.parent.glob(".o.csv.*") if ".old" in path.name]
    assert record.read_text() == "earlier rows" and video.read_bytes() == b"earlier video"
    assert sorted(told) == sorted(
        f"{path}: a damaged list of outputs written together; it and the other files of that write"
        " in its folder are left as they are"
        for path in lists
    )


# Python that makes the process die (SIGKILL) as its first group list is renamed into place.
_KILLED_WRITING_THE_LIST = """
import os, signal, sys
from pathlib import Path
from emotion_app.io import atomic, output_group
_replace = os.replace
def replace_or_die(source, *args, **kwargs):
    if ".groupw." in str(source):
        os.kill(os.getpid(), signal.SIGKILL)
    _replace(source, *args, **kwargs)
os.replace = replace_or_die
outputs = [atomic.stage_bytes(Path(sys.argv[1]), b"new rows"), atomic.stage_bytes(Path(sys.argv[2]), b"new video")]
output_group.commit_together(outputs)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_list_killed_before_it_was_in_place_is_removed_and_nothing_changes(tmp_path: Path) -> None:
    table, video = two_folders(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", _KILLED_WRITING_THE_LIST, str(table), str(video)], capture_output=True, cwd=REPO
    )
    assert done.returncode == -signal.SIGKILL
    assert any(".groupw." in name for name in hidden_files(table.parent, video.parent))
    assert recover_stopped([table.parent, video.parent], ["o."]) == []
    assert table.read_text() == "earlier rows" and video.read_bytes() == b"earlier video"
    assert hidden_files(table.parent, video.parent) == []


def test_new_files_lists_and_folders_are_synced_before_the_renames(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table, video = two_folders(tmp_path)
    events: list[tuple[str, int, str]] = []  # ("sync", inode, "") or ("rename", inode, new name)
    fsync, replace = os.fsync, os.replace

    def recorded_fsync(handle: int) -> None:
        fsync(handle)
        events.append(("sync", os.fstat(handle).st_ino, ""))

    def recorded_replace(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        inode = os.lstat(source).st_ino
        replace(source, target)
        events.append(("rename", inode, Path(target).name))

    monkeypatch.setattr(os, "fsync", recorded_fsync)
    monkeypatch.setattr(os, "replace", recorded_replace)
    # One synced by its writer as it is staged (not again), one whose writer syncs nothing (OpenCV's).
    outputs = [stage_bytes(table, b"new rows"), written_unsynced(video, b"new video")]
    new_files = [each.temp.stat().st_ino for each in outputs if each.temp is not None]
    commit_together(outputs)
    monkeypatch.undo()

    def first(kind: str, inode: int, name: str = "") -> int:
        return next(i for i, event in enumerate(events) if event[:2] == (kind, inode) and name in event[2])

    first_output_rename = min(first("rename", inode) for inode in new_files)
    last_output_rename = max(first("rename", inode) for inode in new_files)
    for inode in new_files:  # each new file's data synced before any output is renamed
        assert first("sync", inode) < first_output_rename
    list_renames = [i for i, event in enumerate(events) if event[0] == "rename" and ".group." in event[2]]
    assert len(list_renames) == 2 and max(list_renames) < first_output_rename
    for i in list_renames:  # each list's data synced before it gets its name
        assert first("sync", events[i][1]) < i
    for folder in (table.parent, video.parent):
        syncs = [i for i, event in enumerate(events) if event[:2] == ("sync", folder.stat().st_ino)]
        assert any(max(list_renames) < i < first_output_rename for i in syncs), events  # the lists' names
        assert max(syncs) > last_output_rename, events  # the renames
    assert table.read_text() == "new rows" and video.read_bytes() == b"new video"


# Python that waits for the file argv[3] to appear and prints what recovering argv[1] told.
_RECOVER_AT_ONCE = """
import json, sys
from pathlib import Path
from emotion_app.io.output_recovery import recover_stopped
Path(sys.argv[2]).touch()
while not Path(sys.argv[3]).exists():
    pass
print(json.dumps(recover_stopped([Path(sys.argv[1])], ["o"])))
"""

# Python that makes the process die (SIGKILL) after argv[2] of its argv[3] outputs are in place.
_KILLED_MIDWAY_THROUGH_MANY = """
import os, signal, sys
from pathlib import Path
from emotion_app.io import atomic, output_group
_commit = atomic.AtomicOutput.commit
done = []
def commit_then_die(self, *args, **kwargs):
    _commit(self, *args, **kwargs)
    done.append(self)
    if len(done) == int(sys.argv[2]):
        os.kill(os.getpid(), signal.SIGKILL)
atomic.AtomicOutput.commit = commit_then_die
folder = Path(sys.argv[1])
output_group.commit_together([atomic.stage_bytes(folder / f"o{i:03}.csv", b"new") for i in range(int(sys.argv[3]))])
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_two_runs_recovering_one_group_at_once_tell_each_file_once(tmp_path: Path) -> None:
    # Was: both runs undid the group at once; where one put a file back the other found
    # its record gone and told "kept as" a record that no longer was (about half the files
    # of 200, every time). Now a recovery locks the folder; the second finds it done.
    folder = tmp_path / "out"
    folder.mkdir()
    for index in range(200):
        (folder / f"o{index:03}.csv").write_text("earlier")
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_MIDWAY_THROUGH_MANY, str(folder), "100", "200"], capture_output=True, cwd=REPO
    )
    assert killed.returncode == -signal.SIGKILL
    go = tmp_path / "go"
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", _RECOVER_AT_ONCE, str(folder), str(tmp_path / f"ready{run}"), str(go)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        for run in range(2)
    ]
    while not all((tmp_path / f"ready{run}").exists() for run in range(2)):
        time.sleep(0.001)
    go.touch()
    told = [line for run in runs for line in json.loads(run.communicate(timeout=60)[0])]
    assert sorted(told) == [
        f"{folder / f'o{index:03}.csv'}: put back as it was before a write that was stopped midway"
        for index in range(100)
    ]
    assert {path.read_text() for path in folder.glob("o*.csv")} == {"earlier"}
    assert hidden_files(folder) == []


def test_a_group_is_put_in_place_where_the_file_system_syncs_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: the syncs added before the renames raised EINVAL there, and the whole commit
    # failed where it had worked before them (nothing synced). A sync refused leaves only
    # what such a file system gives.
    table, video = two_folders(tmp_path)
    outputs = [written_unsynced(table, b"new rows"), written_unsynced(video, b"new video")]
    refused: list[int] = []
    refuse_fsync(monkeypatch, refused)
    commit_together(outputs)
    assert refused  # asked, and refused
    assert table.read_text() == "new rows" and video.read_bytes() == b"new video"
    assert hidden_files(table.parent) == [] and hidden_files(video.parent) == []


def test_one_output_is_synced_before_its_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Was: AtomicOutput.commit renamed a file its writer had not synced (torch.save's, a
    # recording's): a power loss could leave the target empty where the earlier file was.
    target = tmp_path / "weights.bin"
    target.write_bytes(b"earlier")
    events: list[tuple[str, int]] = []
    fsync, replace = os.fsync, os.replace

    def recorded_fsync(handle: int) -> None:
        fsync(handle)
        events.append(("sync", os.fstat(handle).st_ino))

    def recorded_replace(source: str | os.PathLike[str], destination: str | os.PathLike[str]) -> None:
        events.append(("rename", os.lstat(source).st_ino))
        replace(source, destination)

    monkeypatch.setattr(os, "fsync", recorded_fsync)
    monkeypatch.setattr(os, "replace", recorded_replace)

    def write_new_weights(temp: Path) -> None:
        temp.write_bytes(b"new weights")

    atomic.write_with(target, write_new_weights)
    monkeypatch.undo()
    inode = target.stat().st_ino
    assert ("sync", inode) in events and events.index(("sync", inode)) < events.index(("rename", inode)), events
    assert target.read_bytes() == b"new weights" and hidden_files(tmp_path) == []


def test_one_output_is_put_in_place_where_the_file_system_syncs_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "recording.mp4"
    output = written_unsynced(target, b"frames")
    refused: list[int] = []
    refuse_fsync(monkeypatch, refused)
    output.commit()
    assert refused and target.read_bytes() == b"frames" and hidden_files(tmp_path) == []


@pytest.mark.skipif(sys.platform == "win32", reason="flock")
def test_a_folder_that_cannot_be_locked_is_recovered_and_left_no_lock_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: where flock fails (ENOLCK: an SMB or NFS mount without locks), the lock file
    # made to take it stayed in the user's folder for good.
    import fcntl

    table, video = two_folders(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", _KILLED_AFTER_THE_FIRST_RENAME, str(table), str(video)], capture_output=True, cwd=REPO
    )
    assert done.returncode == -signal.SIGKILL

    def no_locks(handle: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

    monkeypatch.setattr(fcntl, "flock", no_locks)
    told = recover_stopped([table.parent, video.parent], ["o."])
    assert told == [f"{table}: put back as it was before a write that was stopped midway"]
    assert table.read_text() == "earlier rows" and video.read_bytes() == b"earlier video"
    assert hidden_files(table.parent) == [] and hidden_files(video.parent) == []


def test_a_file_its_writer_synced_is_not_synced_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # stage_bytes syncs as it writes (a delayed write error shows there): the commit, alone
    # or in a group, does not sync that file a second time.
    synced: list[int] = []
    fsync = os.fsync

    def recorded_fsync(handle: int) -> None:
        fsync(handle)
        synced.append(os.fstat(handle).st_ino)

    monkeypatch.setattr(os, "fsync", recorded_fsync)
    alone, grouped = tmp_path / "snapshot.png", tmp_path / "o.csv"
    atomic.write_bytes(alone, b"picture")
    commit_together([stage_bytes(grouped, b"rows")])
    monkeypatch.undo()
    assert synced.count(alone.stat().st_ino) == 1 and synced.count(grouped.stat().st_ino) == 1, synced


def test_a_folder_with_nothing_stopped_is_not_locked(tmp_path: Path) -> None:
    # Was: every analyze run and every report made and removed a lock file in each output
    # folder, though there was nothing to recover (the folder changed, for a share's round
    # trips, a file watcher, a sync client). Now the lock is taken only for something found.
    table, video = two_folders(tmp_path)
    commit_together([stage_bytes(table, b"new rows"), stage_bytes(video, b"new video")])
    before = [folder.stat().st_mtime_ns for folder in (table.parent, video.parent)]
    time.sleep(0.01)
    assert recover_stopped([table.parent, video.parent], ["o."]) == []
    assert [folder.stat().st_mtime_ns for folder in (table.parent, video.parent)] == before


@pytest.mark.skipif(sys.platform == "win32", reason="no folder is opened on Windows")
def test_a_group_is_put_in_place_in_a_folder_that_cannot_be_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: the folder syncs added before the renames open each folder to read, and a folder
    # one may write in but not read (mode 0333, a drop box) failed the whole commit with
    # EACCES where it had worked before. Wrapped: the tests run as root, who reads any folder.
    table, video = two_folders(tmp_path)
    outputs = [stage_bytes(table, b"new rows"), stage_bytes(video, b"new video")]
    real_open = os.open
    unreadable = {str(video.parent)}

    def opened(path: str | os.PathLike[str], flags: int, *args: int, **kwargs: int) -> int:
        if os.fspath(path) in unreadable and not flags & (os.O_WRONLY | os.O_RDWR):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", opened)
    commit_together(outputs)
    assert table.read_text() == "new rows" and video.read_bytes() == b"new video"
    assert hidden_files(table.parent) == [] and hidden_files(video.parent) == []


def test_a_csv_and_a_report_file_are_written_where_the_file_system_syncs_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: the CSV writer's and stage_bytes' own syncs (older than the group's) raised
    # EINVAL there, so `analyze --csv`, reports and snapshots failed on such a mount.
    from emotion_app.io.csv_export import FaceCsvWriter

    refused: list[int] = []
    refuse_fsync(monkeypatch, refused)
    table = tmp_path / "faces.csv"
    with FaceCsvWriter(table, ["happy", "sad"]) as writer:
        writer.write_frame(0, 0.0, [])
    plot = stage_bytes(tmp_path / "plot.png", b"a plot")
    commit_together([plot])
    assert refused  # asked, and refused
    assert table.read_text(encoding="utf-8").startswith("frame")
    assert (tmp_path / "plot.png").read_bytes() == b"a plot"
