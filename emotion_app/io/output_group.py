"""Outputs that must change together, put in place all or none: a report's pair; all of
one analyze run's outputs, in one folder or several.

:func:`commit_together` keeps each file the group replaces in a hidden record beside it
until every rename is done, and lists the whole group in each folder it has outputs in, so
that :func:`.output_recovery.recover_stopped` can finish or undo, as one group, what a
writer killed midway left. :func:`undo_one` puts a target back from its record, for a
failed commit here and for that recovery.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from .atomic import AtomicOutput, OutputError, mode_for, sync_folder, sync_if_supported, unlink_quietly
from .temporary_names import OWNED_NAME, make_hidden, target_name


class CommitError(OutputError):
    """A group of outputs that could not all be put in place; the message says so and what
    became of the files they were to replace."""


def commit_together(
    outputs: Sequence[AtomicOutput],
    set_aside: Sequence[AtomicOutput] = (),
    before_renames: Callable[[], None] | None = None,
) -> None:
    """Put ``outputs`` (each opened and written) in place, in their order, all or none.

    Before any rename each output's target gets a hidden record beside it: a hard link to
    the file it replaces (or, for one in ``set_aside``, that file renamed there: its place
    stays empty until the new file comes), or an empty mark where there was none; then each
    folder of the group gets a hidden list of all its records (targets and new files), so
    that outputs in different folders are finished or undone as one group. The new files,
    then the lists (each written under a name of its own and renamed) and their folders
    are synced to the disk before the first rename, and the folders again after the last,
    so that a power loss leaves either no rename or a whole list. A rename that
    fails puts every earlier file back and removes the new ones; success removes the lists,
    then the records. A writer killed midway leaves them, which
    :func:`.output_recovery.recover_stopped` reads on the next write there.
    ``before_renames`` runs once the records are made. CommitError in one line when a
    rename fails; a folder (or other file that is not a regular one) in a target's way is
    found before anything is renamed."""
    for output in outputs:
        if output.target.is_dir() or (output.target.exists() and not output.target.is_file()):
            for each in outputs:
                each.discard()
            kind = "a folder" if output.target.is_dir() else "not a regular file"
            raise CommitError(f"{output.path} is {kind}; it would not be replaced, and nothing was changed")
    records: list[tuple[AtomicOutput, Path, int]] = []
    lists: list[Path] = []
    try:
        for output in outputs:
            assert output.temp is not None  # opened
            output.mode = mode_for(output.target)  # now, before the file is set aside
            # Its data on the disk before the first rename; before the chmod, which may leave
            # it read-only (Windows syncs only a file opened for writing).
            output.sync()
            os.chmod(output.temp, output.mode)
            inode = output.temp.stat().st_ino
            records.append((output, _record(output, output in set_aside, inode), inode))
        lists = _group_lists(records)
    except OSError as exc:
        kept = _undo(records, lists)
        for each in outputs:
            each.discard()
        problem = f"could not be put in place ({exc.strerror or exc}); {kept}"
        raise CommitError(f"{output.path}: {problem}", about=output.path, problem=problem) from exc
    if before_renames is not None:
        before_renames()
    for output in outputs:
        try:
            output.commit()
        except OutputError as exc:
            kept = _undo(records, lists)
            for each in outputs:
                each.discard()
            problem = f"{exc.problem}; {kept}" if exc.about is not None else ""
            raise CommitError(f"{exc}; {kept}", about=exc.about, problem=problem) from exc
    # The renames on the disk before the lists go: a list lost before them could not undo.
    for folder in {output.target.parent for output in outputs}:
        try:
            sync_folder(folder)
        except OSError:
            pass  # the renames are made; the lists are removed as after any success
    # The lists first: records left without one (a kill here) each hold a new file in place,
    # which the recovery of their own folder then keeps.
    for path in lists:
        unlink_quietly(path)
    for _, record, _ in records:
        unlink_quietly(record)


def _group_lists(records: Sequence[tuple[AtomicOutput, Path, int]]) -> list[Path]:
    """A hidden list of the group's records in each folder it has a record in, named after
    that folder's first target: a recovery that finds one there sees the whole group, its
    files in other folders too (see :func:`.output_recovery.recover_stopped`). The lists' paths."""
    firsts: dict[Path, AtomicOutput] = {}
    for output, record, _ in records:
        firsts.setdefault(record.parent, output)
    writing: list[Path] = []
    lists: list[Path] = []
    try:
        for output in firsts.values():
            # Written under a "groupw" name and renamed: a list under its own name is whole.
            handle, name = make_hidden(output.target, output.tag, "groupw")
            os.close(handle)
            writing.append(Path(name))
            found = OWNED_NAME.fullmatch(writing[-1].name)
            assert found is not None  # named so by make_hidden
            lists.append(writing[-1].with_name(_name_without(writing[-1].name, found.span("writing"))))
        group = {
            "lists": [str(path) for path in lists],
            "files": [
                {"target": str(output.target), "record": str(record), "inode": inode, "temp": str(output.temp)}
                for output, record, inode in records
            ],
        }
        text = json.dumps(group).encode("utf-8", "surrogateescape")
        for path in writing:
            with open(path, "wb") as written:
                written.write(text)
                written.flush()
                sync_if_supported(written.fileno())
        for path, final in zip(writing, lists, strict=True):
            os.replace(path, final)
        for folder in firsts:  # the records' and lists' names on the disk before any rename
            sync_folder(folder)
    except OSError:
        for path in [*writing, *lists]:
            unlink_quietly(path)
        raise
    return lists


def _name_without(name: str, span: tuple[int, int]) -> str:
    """``name`` less the characters in ``span`` (start, end)."""
    return name[: span[0]] + name[span[1] :]


def _record(output: AtomicOutput, aside: bool, inode: int) -> Path:
    """The hidden record beside ``output``'s target (see :func:`commit_together`), for the
    new file of inode ``inode``."""
    try:
        os.lstat(output.target)
    except FileNotFoundError:
        handle, name = make_hidden(output.target, output.tag, f"new{inode}")
        os.close(handle)
        return Path(name)
    handle, name = make_hidden(output.target, output.tag, f"old{inode}")
    os.close(handle)
    record = Path(name)
    try:
        if aside:
            os.replace(output.target, record)
        else:
            record.unlink()
            try:
                os.link(output.target, record, follow_symlinks=False)
            except OSError:  # no hard links on this file system (FAT): set aside instead
                os.replace(output.target, record)
    except OSError:
        unlink_quietly(record)
        raise
    return record


def _undo(records: Sequence[tuple[AtomicOutput, Path, int]], lists: Sequence[Path] = ()) -> str:
    """Every target as it was before its group's renames, then the group's lists removed;
    says so, or what could not be put back."""
    kept = [record for output, record, inode in records if not undo_one(output.target, record, inode)]
    for path in lists:
        unlink_quietly(path)
    if kept:
        return "the earlier files could not all be put back: " + ", ".join(
            f"{target_name(record)} is kept as {record}" for record in kept
        )
    return "nothing was changed"


def undo_one(target: Path, record: Path, inode: int) -> bool:
    """``target`` as it was: the earlier file back over our new one (inode ``inode``) or into
    its empty place, or our new file removed where there was none. False where the earlier
    file is left in ``record`` (something else is in its place now)."""
    kind = OWNED_NAME.fullmatch(record.name)
    try:
        now = os.lstat(target)
    except FileNotFoundError:
        now = None
    except OSError:
        return kind is not None and kind["kind"] == "new"
    try:
        if kind is not None and kind["kind"] == "new":
            if now is not None and now.st_ino == inode:
                os.unlink(target)
            unlink_quietly(record)
            return True
        if now is not None and now.st_ino == os.lstat(record).st_ino:
            unlink_quietly(record)  # a link to the earlier file, still in place
            return True
        if now is None or now.st_ino == inode:
            os.replace(record, target)
            return True
    except OSError:
        pass
    return False
