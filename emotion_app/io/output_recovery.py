"""What a writer stopped midway (killed, crashed) left beside its outputs, found by its
owner's mark and finished or undone by the next writer there.

A temporary file's name says which process on which machine made it
(:mod:`.temporary_names`); only those of a process that is gone (:func:`owner_alive`), or
tagged by a caller that knows its writer stopped, are touched. :func:`recover_stopped`
finishes or undoes, as one group, the records and lists :func:`.output_group.commit_together`
left, in every folder the group spans, under each folder's lock (:mod:`.folder_lock`).
:func:`stopped_temporaries` and :func:`tagged_unfinished` find a stopped writer's unfinished
data, which :mod:`.unfinished` keeps where it reads back and the report's export removes.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from .atomic import unlink_quietly
from .folder_lock import FolderLocks
from .output_group import undo_one
from .temporary_names import NAME_MAX, OWNED_NAME, is_unfinished, owner_mark


def owner_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs on this machine (True where that cannot be told:
    only a writer known to be gone has its files cleaned up)."""
    if pid == os.getpid():
        return True
    if os.name != "posix":  # os.kill would end the process on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def recover_stopped(
    folders: Iterable[Path],
    names: Sequence[str],
    tag: str = "",
    owner_gone: bool = False,
    temporaries: bool = True,
) -> list[str]:
    """Finish what writers of outputs named ``names`` (file names, or their starts) that
    stopped midway (killed) left in ``folders``: a group whose files all came is left so,
    records removed; one cut short gets its earlier files back and loses its new ones. A
    group's list (see :func:`.output_group.commit_together`) found in one of ``folders``
    decides for the whole group, its files in other folders too; records without one are
    decided per folder. A list that does not read (damaged) decides nothing: it and its
    writer's files in its folder are left as they are, and a line says so.
    ``temporaries``: the writers' other temporary files (unfinished data) are removed too.
    Only hidden files named by :func:`.temporary_names.make_hidden` on this machine whose
    process is gone (or, with ``tag``, tagged so and ``owner_gone``) are touched. Every
    folder touched is locked (see :class:`.folder_lock.FolderLocks`), so two recoveries at
    once never both act on one group; a folder another recovery holds past
    :data:`.folder_lock.RECOVERY_LOCK_WAIT_S` is left for the next.
    Returns a line for each earlier file put back or left in its record."""
    folders = list(folders)
    seen, stopped = _stopped_files(folders, names, tag, owner_gone)
    if not seen and not stopped:
        return []  # the usual case: nothing to lock, no lock file made in the user's folders
    # Lists seen before locking name the other folders their groups are to be locked in too.
    touched = set(folders)
    for path, _ in seen:
        touched.update(_group_folders(path))
    with FolderLocks(touched) as locks:
        lists, groups = _stopped_files([folder for folder in folders if locks.held(folder)], names, tag, owner_gone)
        told: list[str] = []
        done: set[Path] = set()
        damaged: set[tuple[Path, str]] = set()
        for path, (folder, pid) in lists:
            group = _read_group(path) if os.path.lexists(path) else None
            if group is None:
                continue  # removed with its group (another folder's list), or damaged: below
            if all(locks.held(each) for each in _folders_of(group)):
                told += _recover_group(group, done)
            else:
                damaged.add((folder, pid))  # left for a later recovery, as a damaged one is
        for path, (folder, pid) in lists:
            if os.path.lexists(path) and _read_group(path) is None:
                damaged.add((folder, pid))
                told.append(
                    f"{path}: a damaged list of outputs written together; it and the other files"
                    " of that write in its folder are left as they are"
                )
        for (folder, pid), files in groups.items():
            if (folder, pid) not in damaged:
                told += _recover_folder(folder, files, done, temporaries)
    return told


def stopped_temporaries(folder: Path) -> list[Path]:
    """The unfinished data files (no group's records or lists) that writers on this machine
    whose process is gone left in ``folder``; none of a writer that left other files there
    (a group :func:`recover_stopped` left undecided keeps all its files). [] for a folder
    that cannot be read."""
    data: dict[str, list[Path]] = {}
    undecided: set[str] = set()
    for entry, found in _stopped_entries(Path(folder), [""], "", False):
        if found["kind"] or found["group"]:
            undecided.add(found["pid"])
        else:
            data.setdefault(found["pid"], []).append(entry)
    return [path for pid, paths in data.items() if pid not in undecided for path in paths]


def tagged_unfinished(folder: Path, tag: str) -> list[Path]:
    """The temporary files in ``folder`` of the outputs given ``tag`` (AtomicOutput) that
    are still there: unfinished, for a writer that has stopped. None without a tag, so no
    other file can be taken for one, and no earlier file :func:`recover_stopped` kept in
    its record (it said so: the file is the user's)."""
    if not tag:
        return []
    mark = f".{tag}."
    try:
        return [
            entry
            for entry in Path(folder).iterdir()
            if entry.name.startswith(".") and mark in entry.name and is_unfinished(entry) and not _is_kept(entry)
        ]
    except OSError:  # the folder is gone, or cannot be read: nothing of ours to find there
        return []


def _is_kept(path: Path) -> bool:
    """Whether ``path`` is the record of an earlier file (see
    :func:`.output_group.commit_together`)."""
    found = OWNED_NAME.fullmatch(path.name)
    return found is not None and found["kind"] == "old"


def _stopped_entries(
    folder: Path, names: Sequence[str], tag: str, owner_gone: bool
) -> list[tuple[Path, re.Match[str]]]:
    """The hidden files in ``folder`` (each with its name read by
    :data:`.temporary_names.OWNED_NAME`) that stopped writers on this machine of outputs
    named ``names`` left (see :func:`recover_stopped`); [] for a folder that cannot be read."""
    here = owner_mark(0).split("-", 1)[1]
    try:
        entries = list(folder.iterdir())
    except OSError:  # gone, or not a folder: nothing of ours there
        return []
    stopped: list[tuple[Path, re.Match[str]]] = []
    for entry in entries:
        found = OWNED_NAME.fullmatch(entry.name)
        if found is None or found["host"] != here or not found["name"].startswith(tuple(names)):
            continue
        if tag and f".{tag}." not in entry.name:
            continue
        if owner_gone if tag else not owner_alive(int(found["pid"])):
            stopped.append((entry, found))
    return stopped


# A stopped writer's files in one folder: (path, its name read by OWNED_NAME), by (folder, pid).
_Stopped = dict[tuple[Path, str], list[tuple[Path, re.Match[str]]]]


def _stopped_files(
    folders: Iterable[Path], names: Sequence[str], tag: str, owner_gone: bool
) -> tuple[list[tuple[Path, tuple[Path, str]]], _Stopped]:
    """The group lists (each with its folder and writer) and the other files that stopped
    writers (see :func:`recover_stopped`) left in ``folders``. A list still being written
    when its writer stopped is removed here: no rename is made before it is whole."""
    groups: _Stopped = {}
    lists: list[tuple[Path, tuple[Path, str]]] = []
    for folder in folders:
        for entry, found in _stopped_entries(Path(folder), names, tag, owner_gone):
            if found["group"] and found["writing"]:
                unlink_quietly(entry)
            elif found["group"]:
                lists.append((entry, (Path(folder), found["pid"])))
            else:
                groups.setdefault((Path(folder), found["pid"]), []).append((entry, found))
    return lists, groups


def _recover_folder(
    folder: Path, files: list[tuple[Path, re.Match[str]]], done: set[Path], temporaries: bool
) -> list[str]:
    """One stopped writer's ``files`` in ``folder`` decided without a list (see
    :func:`recover_stopped`), less those a group's list already dealt with (in ``done``)."""
    told: list[str] = []
    records = [
        (entry, found) for entry, found in files if found["kind"] and entry not in done and os.path.lexists(entry)
    ]
    temps = [entry for entry, found in files if not found["kind"]] if temporaries else []
    targets = [(folder / found["name"], entry, int(found["inode"]), found["kind"]) for entry, found in records]
    if all(_holds(target, inode) for target, _, inode, _ in targets):
        for _, record, _, _ in targets:
            unlink_quietly(record)  # every new file came: the earlier ones are not needed
    else:
        for target, record, inode, kind in targets:
            # A name cut to fit beside the target's names no file: the record stays.
            whole = len(record.name) < NAME_MAX - 2
            if whole and kind == "old" and _same_file(target, record):
                unlink_quietly(record)  # a link to the earlier file, never replaced: nothing to tell
            elif whole and undo_one(target, record, inode):
                if kind == "old":
                    told.append(f"{target}: put back as it was before a write that was stopped midway")
            elif kind == "old":
                told.append(f"{target}: the file it held before a write stopped midway is kept as {record}")
    for temp in temps:
        unlink_quietly(temp)
    return told


# A group's list as read by _read_group: its files (target, record, new file's inode, new
# file) and its lists.
_Group = tuple[list[tuple[Path, Path, int, Path]], list[Path]]


def _read_group(path: Path) -> _Group | None:
    """The group list ``path``'s files (target, record, new file's inode, new file) and
    lists; None where it does not read."""
    try:
        group = json.loads(path.read_bytes().decode("utf-8", "surrogateescape"))
        files = [
            (Path(each["target"]), Path(each["record"]), int(each["inode"]), Path(each["temp"]))
            for each in group["files"]
        ]
        return files, [Path(each) for each in group["lists"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _group_folders(path: Path) -> set[Path]:
    """The folders the group whose list is ``path`` has files in (none where it does not read)."""
    group = _read_group(path)
    return set() if group is None else _folders_of(group)


def _folders_of(group: _Group) -> set[Path]:
    files, lists = group
    return {target.parent for target, _, _, _ in files} | {each.parent for each in lists}


def _recover_group(group: _Group, done: set[Path]) -> list[str]:
    """The group of the list read as ``group`` finished (every new file came) or undone, in
    all its folders; its records, new files not renamed and lists removed. Each record
    handled goes in ``done``. Lines as :func:`recover_stopped`'s. A list that does not read
    never comes here: written whole and synced before any rename (see
    :func:`.output_group.commit_together`), it can only be damaged, and says nothing of
    which renames came."""
    files, lists = group
    told: list[str] = []
    present = [(target, record, inode) for target, record, inode, _ in files if os.path.lexists(record)]
    if all(_holds(target, inode) for target, _, inode, _ in files):
        for each in lists:
            unlink_quietly(each)
        for _, record, _ in present:
            unlink_quietly(record)  # every new file came: the earlier ones are not needed
    else:
        for target, record, inode in present:
            old = OWNED_NAME.fullmatch(record.name)
            # Told only where the earlier file was not in place still (a hard link to it).
            try:
                changed = not _holds(target, os.lstat(record).st_ino)
            except OSError:  # gone meanwhile: nothing to put back
                continue
            if undo_one(target, record, inode):
                if old is not None and old["kind"] == "old" and changed:
                    told.append(f"{target}: put back as it was before a write that was stopped midway")
            elif old is None or old["kind"] == "old":
                told.append(f"{target}: the file it held before a write stopped midway is kept as {record}")
        for _, _, inode, temp in files:
            if _holds(temp, inode):  # a new file that was never renamed into place
                unlink_quietly(temp)
        for each in lists:
            unlink_quietly(each)
    done.update(record for _, record, _, _ in files)
    return told


def _same_file(one: Path, other: Path) -> bool:
    try:
        first, second = os.lstat(one), os.lstat(other)
    except OSError:
        return False
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


def _holds(target: Path, inode: int) -> bool:
    try:
        return os.lstat(target).st_ino == inode
    except OSError:
        return False
