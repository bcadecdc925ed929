"""Outputs that never destroy anything: checked first, written beside the target, renamed last.

Every file the app writes (analyze's CSV and annotated video, GUI recordings and
snapshots) goes through :class:`AtomicOutput`: the data goes to a hidden temporary file
in the target's folder, is verified by its writer, and only then replaces the target in
one ``os.replace``. An error, a full disk or a crash therefore leaves the old file as it
was (after a SIGKILL the partial data stays in the hidden ``.NAME.*.part.SUFFIX`` file).
Outputs that must change together (a report's pair; all of one analyze run's outputs, in
one folder or several) go in place with :func:`commit_together`, which keeps the files they
replace until all are in place and lists the group in each of its folders;
:func:`recover_stopped` finishes or undoes, as one group, what a writer killed midway left.
:func:`check_outputs` refuses, before anything is opened, an output that is (after
resolving links) an input or another output.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import socket
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

if sys.platform == "win32":
    import msvcrt
else:
    import fcntl

# Errors that mean "no room": the disk, or the user's quota, is full.
_NO_ROOM = frozenset({errno.ENOSPC, errno.EDQUOT})
# Room kept free on top of what the next write needs, so a container's index (an mp4's
# moov box, ~20 bytes a frame) still fits when a recording stops for lack of space.
ROOM_MARGIN_BYTES = 4 * 1024 * 1024


class OutputError(Exception):
    """An output that cannot be written; the message names it and the reason."""


class DiskFullError(OutputError):
    """The disk (or quota) holding ``path`` is full; the message reads ``disk full (PATH)``."""

    def __init__(self, path: Path, detail: str = "") -> None:
        super().__init__(f"disk full ({path})")
        self.path = path
        self.detail = detail  # e.g. how much room was left


def output_error(path: Path, exc: OSError, doing: str = "could not write") -> OutputError:
    """The OutputError for an OSError while writing ``path``: DiskFullError for ENOSPC/EDQUOT."""
    if exc.errno in _NO_ROOM:
        return DiskFullError(path)
    return OutputError(f"{path}: {doing} ({exc.strerror or exc})")


def resolved(path: Path, name: str = "output") -> Path:
    """``path`` with its links resolved; OutputError for a loop of links (no file can be there)."""
    try:
        return Path(path).resolve()
    except (RuntimeError, OSError) as exc:  # RuntimeError: Python before 3.13 on a loop
        raise OutputError(f"{name} {path}: a loop of symbolic links, or a path that cannot be resolved") from exc


def same_file(first: Path, second: Path) -> bool:
    """Whether two paths name one file: equal after resolving links, or hard links of one."""
    try:
        if Path(first).resolve() == Path(second).resolve():
            return True
    except (RuntimeError, OSError):
        return False  # a loop of links names no file
    try:
        return os.path.samefile(first, second)
    except OSError:  # one of them does not exist (yet)
        return False


# In the name of the temporary file an output is written to until it is complete.
PART_MARK = ".part"
# The longest file name most file systems take, and what a temporary name adds to the
# target's (two dots and mkstemp's 8 random characters, with a spare).
NAME_MAX = 255
TEMP_NAME_EXTRA = 12


# The inode of the machine's own PID namespace (the kernel's PROC_PID_INIT_INO): the same
# on every boot, so a temporary's name made outside any container reads alike after one.
_MACHINE_PID_NAMESPACE = 0xEFFFFFFC


def owner_mark(pid: int | None = None) -> str:
    """What a temporary file's name says of the process that made it: its id and this
    machine's (a shared folder's files from another machine are never taken for ours).
    In a PID namespace of its own (a container, a Flatpak sandbox) the namespace is part
    of the machine's mark: the ids seen there are not the machine's, so a live writer
    outside it looks gone from in it, and one in it from outside."""
    host = socket.gethostname()
    try:
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:  # no /proc (not Linux): the ids are the machine's
        namespace = _MACHINE_PID_NAMESPACE
    if namespace != _MACHINE_PID_NAMESPACE:
        host += f"\0pid:[{namespace}]"
    return f"{os.getpid() if pid is None else pid}-{hashlib.sha1(host.encode('utf-8', 'replace')).hexdigest()[:8]}"


# A temporary file of ours: ``.NAME.PID-HOST.[old|newINODE.|group.][TAG.]RANDOM.part[SUFFIX]``.
# "old": the file NAME held before a group of outputs replaced it (NAME's new file has
# inode INODE); "new": an empty mark that NAME had no file before and gets INODE; "group":
# the list of every record of NAME's group, in each folder the group has outputs in
# ("groupw": that list while it is written, before it is renamed to its "group" name).
_OWNED = re.compile(
    r"\.(?P<name>.+)\.(?P<pid>\d+)-(?P<host>[0-9a-f]{8})\."
    r"(?:(?P<kind>old|new)(?P<inode>\d+)\.|(?P<group>group)(?P<writing>w?)\.)?"
    r"(?:[^.]+\.)?[a-z0-9_]{8}\.part(?:\.[^.]*)?",
    re.DOTALL,
)


def is_unfinished(path: Path) -> bool:
    """Whether ``path`` is an output's temporary file: still being written, or left half
    written by a crash (never by a finished or failed write)."""
    return PART_MARK in Path(path).name


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
    """Whether ``path`` is the record of an earlier file (see :func:`commit_together`)."""
    found = _OWNED.fullmatch(path.name)
    return found is not None and found["kind"] == "old"


def check_outputs(outputs: Sequence[tuple[str, Path]], inputs: Iterable[Path], app_files: Iterable[Path] = ()) -> None:
    """Refuse outputs that would overwrite an input, one of ``app_files`` (the files the
    app ships, such as its weights) or each other, or cannot be files.

    ``outputs``: (what it is, e.g. "--csv", path). Raises :class:`OutputError` naming
    both paths; nothing is created or opened.
    """
    inputs = [Path(path) for path in inputs]
    app_files = [Path(path) for path in app_files]
    for index, (name, path) in enumerate(outputs):
        path = Path(path)
        for source in inputs:
            if same_file(path, source):
                # The input is named again only when it is spelt otherwise (a link, another path).
                named = "" if os.path.abspath(path) == os.path.abspath(source) else f" {source}"
                raise OutputError(f"{name} {path} is the input{named}; writing it would destroy the input")
        for shipped in app_files:
            if same_file(path, shipped):
                raise OutputError(f"{name} {path} is {shipped}, part of the app; writing it would break the app")
        for other_name, other in outputs[:index]:
            if same_file(path, Path(other)):
                raise OutputError(
                    f"{name} {path} is the same file as {other_name} {other}; give each output its own name"
                )
        check_target(path, name)


def files_played_from(path: Path) -> list[Path]:
    """The file ``path``, or each file of the folder ``path``: what is being read from it,
    that no output may be written over. [] for a folder that cannot be read."""
    path = Path(path)
    if path.is_dir():
        try:
            return [member for member in path.iterdir() if member.is_file()]
        except OSError:  # the folder went away: nothing of it to protect
            return []
    return [path]


def standard_stream(path: Path) -> str:
    """Which of this process's output streams the existing file ``path`` is (a shell
    redirected it there), or "". (Standard input is left out: replacing its file loses
    nothing, the process reads on from the file it opened.)"""
    try:
        file = os.stat(path)
    except OSError:  # not there (yet): no stream writes to it
        return ""
    for fd, stream in ((1, "standard output"), (2, "standard error")):
        try:
            opened = os.fstat(fd)
        except OSError:  # closed (`>&-`)
            continue
        if stat.S_ISREG(opened.st_mode) and (opened.st_dev, opened.st_ino) == (file.st_dev, file.st_ino):
            return stream
    return ""


def check_target(path: Path, name: str = "output") -> None:
    """Raise OutputError unless ``path`` could become a regular file in a writable folder."""
    path = Path(path)
    real = resolved(path, name)
    stream = standard_stream(real)
    if stream:
        # /dev/stdout redirected to a file (`> log`, `>> log`): the rename into place would
        # replace that file, losing what it held and everything printed after.
        raise OutputError(
            f"{name} {path} is this command's {stream} ({real}); writing it would replace that file: "
            "give the output a file name of its own"
        )
    try:
        # Under /proc: a stream's /dev/stdout or /dev/fd/N that is a pipe or a terminal.
        if (real.exists() and not real.is_file()) or real.is_relative_to("/proc"):
            kind = "a folder" if real.is_dir() else "not a regular file"
            raise OutputError(f"{name} {path} is {kind}; it would not be replaced")
        folder = real.parent
        while not folder.exists():  # the missing folders are made when writing starts
            folder = folder.parent
    except OSError as exc:  # a name too long for the file system, say
        raise OutputError(f"{name} {path}: {exc.strerror or exc}") from None
    if not folder.is_dir():
        raise OutputError(f"{name} {path}: {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{name} {path}: folder {folder} is not writable")


class AtomicOutput:
    """One output file written via a temporary file beside it.

    ``open()`` makes the temporary file (and missing folders) and returns its path, which
    keeps the target's suffix so OpenCV picks the same container; ``commit()`` renames it
    onto the target; ``discard()`` removes it. The target is the link's target when
    ``path`` is a symbolic link, so the link keeps working and shows the new file.
    ``tag`` goes in the temporary file's name (:func:`tagged_unfinished` finds it again):
    whoever chose it can remove what a writer killed midway left behind.
    """

    def __init__(self, path: str | os.PathLike[str], tag: str = "") -> None:
        self.path = Path(path)
        self.target = resolved(self.path)
        self.temp: Path | None = None
        self.tag = tag
        # The permissions the file gets in place; None: those of the file it replaces, as it
        # is at commit (one set aside before then would leave mkstemp's 0600).
        self.mode: int | None = None
        # Whether the temporary file's data is on the disk (its writer or commit_together
        # synced it): the commit does not sync it again.
        self.synced = False

    def open(self) -> Path:
        if self.temp is not None:
            return self.temp
        folder = self.target.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle, name = _make_hidden(self.target, self.tag)
        except OSError as exc:
            raise output_error(self.path, exc, "cannot create a file in its folder") from exc
        os.close(handle)
        self.temp = Path(name)
        self.synced = False
        return self.temp

    def ensure_room(self, needed_bytes: int) -> None:
        """Raise DiskFullError before a write of ``needed_bytes`` could fill the disk.

        OpenCV's writers report no write errors at all: a video written onto a full disk
        just lacks its index and will not open. Stopping while there is still room keeps
        what was written playable.
        """
        folder = self.temp.parent if self.temp is not None else self.target.parent
        try:
            free = free_bytes(folder)
        except FileNotFoundError:
            if self.temp is not None:  # deleted under the writer: nothing written from now on can be kept
                raise self.folder_removed() from None
            return  # not made yet: open() makes it
        except OSError:
            return  # cannot tell; the verification on commit still catches a bad file
        if free < needed_bytes + ROOM_MARGIN_BYTES:
            raise DiskFullError(self.path, f"{free / 1e6:.1f} MB free")

    def folder_removed(self) -> OutputError:
        """The error to tell when the temporary file's folder has gone (deleted under the writer)."""
        folder = self.temp.parent if self.temp is not None else self.target.parent
        return OutputError(f"{self.path}: its folder {folder} was removed while it was being written")

    def sync(self) -> None:
        """The temporary file's data on the disk, before its name can replace the target's
        (a file system that syncs nothing passed over, see :func:`_fsync`)."""
        assert self.temp is not None  # opened
        if not self.synced:
            _sync_file(self.temp)
            self.synced = True

    def commit(self) -> None:
        """Move the finished temporary file onto the target (same folder: one atomic rename),
        synced first, so a power loss leaves the earlier file or the whole new one."""
        if self.temp is None:
            raise OutputError(f"{self.path}: nothing was written")
        try:
            self.sync()  # before the chmod, which may leave it read-only
            os.chmod(self.temp, self.mode if self.mode is not None else mode_for(self.target))
            os.replace(self.temp, self.target)
        except OSError as exc:
            self.discard()
            raise output_error(self.path, exc, "could not be put in place") from exc
        self.temp = None

    def discard(self) -> None:
        if self.temp is not None:
            try:
                self.temp.unlink(missing_ok=True)
            except OSError:
                pass  # a device that is gone; nothing more can be done
            self.temp = None


def _make_hidden(target: Path, tag: str = "", kind: str = "") -> tuple[int, str]:
    """A new hidden file beside ``target``, named as :data:`_OWNED` reads it (``kind``:
    "" for the data, or "oldINODE"/"newINODE"); its handle and name."""
    suffix = f"{PART_MARK}{target.suffix}"
    marks = f"{owner_mark()}.{kind + '.' if kind else ''}{tag + '.' if tag else ''}"
    # The hidden name adds characters: a target name near the folder's limit is cut.
    room = max(1, NAME_MAX - len(suffix) - len(marks) - TEMP_NAME_EXTRA)
    return tempfile.mkstemp(prefix=f".{target.name[:room]}.{marks}", suffix=suffix, dir=target.parent)


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
    then the records. A writer killed midway leaves them, which :func:`recover_stopped`
    reads on the next write there. ``before_renames`` runs once the records are made.
    CommitError in one line when a rename fails; a folder (or other file that is not a
    regular one) in a target's way is found before anything is renamed."""
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
        raise CommitError(f"{output.path}: could not be put in place ({exc.strerror or exc}); {kept}") from exc
    if before_renames is not None:
        before_renames()
    for output in outputs:
        try:
            output.commit()
        except OutputError as exc:
            kept = _undo(records, lists)
            for each in outputs:
                each.discard()
            raise CommitError(f"{exc}; {kept}") from exc
    # The renames on the disk before the lists go: a list lost before them could not undo.
    for folder in {output.target.parent for output in outputs}:
        try:
            _sync_folder(folder)
        except OSError:
            pass  # the renames are made; the lists are removed as after any success
    # The lists first: records left without one (a kill here) each hold a new file in place,
    # which the recovery of their own folder then keeps.
    for path in lists:
        _unlink(path)
    for _, record, _ in records:
        _unlink(record)


def _group_lists(records: Sequence[tuple[AtomicOutput, Path, int]]) -> list[Path]:
    """A hidden list of the group's records in each folder it has a record in, named after
    that folder's first target: a recovery that finds one there sees the whole group, its
    files in other folders too (see :func:`recover_stopped`). The lists' paths."""
    firsts: dict[Path, AtomicOutput] = {}
    for output, record, _ in records:
        firsts.setdefault(record.parent, output)
    writing: list[Path] = []
    lists: list[Path] = []
    try:
        for output in firsts.values():
            # Written under a "groupw" name and renamed: a list under its own name is whole.
            handle, name = _make_hidden(output.target, output.tag, "groupw")
            os.close(handle)
            writing.append(Path(name))
            found = _OWNED.fullmatch(writing[-1].name)
            assert found is not None  # named so by _make_hidden
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
            _sync_folder(folder)
    except OSError:
        for path in [*writing, *lists]:
            _unlink(path)
        raise
    return lists


def _name_without(name: str, span: tuple[int, int]) -> str:
    """``name`` less the characters in ``span`` (start, end)."""
    return name[: span[0]] + name[span[1] :]


# What fsync answers on a file system that syncs nothing (some FUSE and SMB mounts), or no
# folder: a write there goes on with what that file system gives, as before any sync.
_NO_SYNC = frozenset({errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP})


def sync_if_supported(handle: int) -> None:
    """``os.fsync(handle)``, passing over a file system that syncs nothing (see :data:`_NO_SYNC`)."""
    try:
        os.fsync(handle)
    except OSError as exc:
        if exc.errno not in _NO_SYNC:
            raise


def _sync_file(path: Path) -> None:
    """``path``'s data and size on the disk."""
    if sys.platform == "win32":  # Windows syncs only a file opened for writing
        handle = os.open(path, os.O_RDWR | os.O_BINARY)
    else:  # read only: a file made read-only (its target's mode) is synced too
        handle = os.open(path, os.O_RDONLY)
    try:
        sync_if_supported(handle)
    finally:
        os.close(handle)


def _sync_folder(folder: Path) -> None:
    """The names in ``folder`` (made, renamed, removed) on the disk. POSIX only: Python
    cannot open a folder on Windows."""
    if os.name != "posix":
        return
    try:
        handle = os.open(folder, os.O_RDONLY)
    except PermissionError:  # a folder one may write in but not read (a drop box): unsynced, as before
        return
    try:
        sync_if_supported(handle)
    finally:
        os.close(handle)


def _record(output: AtomicOutput, aside: bool, inode: int) -> Path:
    """The hidden record beside ``output``'s target (see :func:`commit_together`), for the
    new file of inode ``inode``."""
    try:
        os.lstat(output.target)
    except FileNotFoundError:
        handle, name = _make_hidden(output.target, output.tag, f"new{inode}")
        os.close(handle)
        return Path(name)
    handle, name = _make_hidden(output.target, output.tag, f"old{inode}")
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
        _unlink(record)
        raise
    return record


def _undo(records: Sequence[tuple[AtomicOutput, Path, int]], lists: Sequence[Path] = ()) -> str:
    """Every target as it was before its group's renames, then the group's lists removed;
    says so, or what could not be put back."""
    kept = [record for output, record, inode in records if not _undo_one(output.target, record, inode)]
    for path in lists:
        _unlink(path)
    if kept:
        return "the earlier files could not all be put back: " + ", ".join(
            f"{target_name(record)} is kept as {record}" for record in kept
        )
    return "nothing was changed"


def target_name(record: Path) -> str:
    """The name of the file ``record`` (a temporary file of ours) was to become, or stood for."""
    found = _OWNED.fullmatch(record.name)
    return found["name"] if found else record.name


def _undo_one(target: Path, record: Path, inode: int) -> bool:
    """``target`` as it was: the earlier file back over our new one (inode ``inode``) or into
    its empty place, or our new file removed where there was none. False where the earlier
    file is left in ``record`` (something else is in its place now)."""
    kind = _OWNED.fullmatch(record.name)
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
            _unlink(record)
            return True
        if now is not None and now.st_ino == os.lstat(record).st_ino:
            _unlink(record)  # a link to the earlier file, still in place
            return True
        if now is None or now.st_ino == inode:
            os.replace(record, target)
            return True
    except OSError:
        pass
    return False


def _unlink(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:  # a device that is gone; nothing more can be done
        pass


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
    group's list (see :func:`commit_together`) found in one of ``folders`` decides for the
    whole group, its files in other folders too; records without one are decided per
    folder. A list that does not read (damaged) decides nothing: it and its writer's files
    in its folder are left as they are, and a line says so. ``temporaries``: the writers'
    other temporary files (unfinished data) are removed too. Only hidden files named by
    :func:`_make_hidden` on this machine whose process is gone (or, with ``tag``, tagged so
    and ``owner_gone``) are touched. Every folder touched is locked (see
    :class:`_FolderLocks`), so two recoveries at once never both act on one group; a
    folder another recovery holds past :data:`RECOVERY_LOCK_WAIT_S` is left for the next.
    Returns a line for each earlier file put back or left in its record."""
    folders = list(folders)
    seen, stopped = _stopped_files(folders, names, tag, owner_gone)
    if not seen and not stopped:
        return []  # the usual case: nothing to lock, no lock file made in the user's folders
    # Lists seen before locking name the other folders their groups are to be locked in too.
    touched = set(folders)
    for path, _ in seen:
        touched.update(_group_folders(path))
    with _FolderLocks(touched) as locks:
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


class FolderLock:
    """The recovery lock of ``folder`` (see :class:`_FolderLocks`) while the block runs;
    :attr:`held` False when another recovery held it past :data:`RECOVERY_LOCK_WAIT_S`."""

    def __init__(self, folder: Path) -> None:
        self._folder = Path(folder)
        self._locks = _FolderLocks([self._folder])
        self.held = False

    def __enter__(self) -> FolderLock:
        self._locks.__enter__()
        self.held = self._locks.held(self._folder)
        return self

    def __exit__(self, *_: object) -> None:
        self._locks.__exit__()


def _stopped_entries(
    folder: Path, names: Sequence[str], tag: str, owner_gone: bool
) -> list[tuple[Path, re.Match[str]]]:
    """The hidden files in ``folder`` (each with its name read by :data:`_OWNED`) that
    stopped writers on this machine of outputs named ``names`` left (see
    :func:`recover_stopped`); [] for a folder that cannot be read."""
    here = owner_mark(0).split("-", 1)[1]
    try:
        entries = list(folder.iterdir())
    except OSError:  # gone, or not a folder: nothing of ours there
        return []
    stopped: list[tuple[Path, re.Match[str]]] = []
    for entry in entries:
        found = _OWNED.fullmatch(entry.name)
        if found is None or found["host"] != here or not found["name"].startswith(tuple(names)):
            continue
        if tag and f".{tag}." not in entry.name:
            continue
        if owner_gone if tag else not owner_alive(int(found["pid"])):
            stopped.append((entry, found))
    return stopped


# A stopped writer's files in one folder: (path, its name read by _OWNED), by (folder, pid).
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
                _unlink(entry)
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
            _unlink(record)  # every new file came: the earlier ones are not needed
    else:
        for target, record, inode, kind in targets:
            # A name cut to fit beside the target's names no file: the record stays.
            whole = len(record.name) < NAME_MAX - 2
            if whole and kind == "old" and _same_file(target, record):
                _unlink(record)  # a link to the earlier file, never replaced: nothing to tell
            elif whole and _undo_one(target, record, inode):
                if kind == "old":
                    told.append(f"{target}: put back as it was before a write that was stopped midway")
            elif kind == "old":
                told.append(f"{target}: the file it held before a write stopped midway is kept as {record}")
    for temp in temps:
        _unlink(temp)
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
    never comes here: written whole and synced before any rename (see :func:`_group_lists`),
    it can only be damaged, and says nothing of which renames came."""
    files, lists = group
    told: list[str] = []
    present = [(target, record, inode) for target, record, inode, _ in files if os.path.lexists(record)]
    if all(_holds(target, inode) for target, _, inode, _ in files):
        for each in lists:
            _unlink(each)
        for _, record, _ in present:
            _unlink(record)  # every new file came: the earlier ones are not needed
    else:
        for target, record, inode in present:
            old = _OWNED.fullmatch(record.name)
            # Told only where the earlier file was not in place still (a hard link to it).
            try:
                changed = not _holds(target, os.lstat(record).st_ino)
            except OSError:  # gone meanwhile: nothing to put back
                continue
            if _undo_one(target, record, inode):
                if old is not None and old["kind"] == "old" and changed:
                    told.append(f"{target}: put back as it was before a write that was stopped midway")
            elif old is None or old["kind"] == "old":
                told.append(f"{target}: the file it held before a write stopped midway is kept as {record}")
        for _, _, inode, temp in files:
            if _holds(temp, inode):  # a new file that was never renamed into place
                _unlink(temp)
        for each in lists:
            _unlink(each)
    done.update(record for _, record, _, _ in files)
    return told


#: How long a recovery waits for another's (another run's) of the same folder: past it,
#: that folder's stopped files are left for the next recovery.
RECOVERY_LOCK_WAIT_S = 10.0
# The lock file a recovery holds in each folder it may change (removed when released).
RECOVERY_LOCK_NAME = ".emotion_app-recovery.lock"


class _FolderLocks:
    """A lock on each of some folders, taken in one order (of their resolved paths, so two
    takers never wait for each other) and released together: a hidden lock file in each,
    locked by the system (``flock``; ``msvcrt.locking`` on Windows), so a killed holder's
    lock goes with it. Not Qt's QLockFile (the settings' merge lock): the io core is Qt-free.
    A folder where no lock file can be made (read-only, gone) or locking is not supported
    counts as held: this process can change nothing there, or nothing can be locked."""

    def __init__(self, folders: Iterable[Path]) -> None:
        self._folders: set[Path] = set()  # resolved
        for folder in folders:
            try:
                self._folders.add(Path(folder).resolve())
            except (RuntimeError, OSError):  # a loop of links: no file of ours there
                continue
        self._handles: dict[Path, int] = {}
        self._busy: set[Path] = set()

    def __enter__(self) -> _FolderLocks:
        deadline = time.monotonic() + RECOVERY_LOCK_WAIT_S
        for folder in sorted(self._folders, key=str):
            handle = _lock_folder(folder, deadline)
            if handle is False:
                self._busy.add(folder)
            elif handle is not None:
                self._handles[folder] = handle
        return self

    def __exit__(self, *_: object) -> None:
        for folder, handle in self._handles.items():
            _unlock_folder(folder, handle)
        self._handles.clear()

    def held(self, folder: Path) -> bool:
        try:
            return Path(folder).resolve() not in self._busy
        except (RuntimeError, OSError):
            return True  # a loop of links: no file of ours there


def _lock_folder(folder: Path, deadline: float) -> int | bool | None:
    """The handle of ``folder``'s lock file, locked; False when another holds it past
    ``deadline``; None where no lock can be had (see :class:`_FolderLocks`)."""
    path = folder / RECOVERY_LOCK_NAME
    flags = os.O_RDWR | getattr(os, "O_BINARY", 0)
    while True:
        try:
            handle, made = os.open(path, flags | os.O_CREAT | os.O_EXCL, 0o600), True
        except FileExistsError:
            try:
                handle, made = os.open(path, flags), False
            except FileNotFoundError:
                continue  # removed by its holder as it let go: made anew
            except OSError:
                return None
        except OSError:
            return None
        try:
            locked = _try_lock(handle)
        except OSError:  # no locks on this file system (ENOLCK, EOPNOTSUPP)
            os.close(handle)
            if made:  # not left in the user's folder
                _unlink(path)
            return None
        if locked:
            try:  # the holder before removes the file as it lets go: a lock on that one is no lock
                if os.path.samestat(os.fstat(handle), os.stat(path)):
                    return handle
            except OSError:
                pass
            _unlock(handle)
        os.close(handle)
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)


def _try_lock(handle: int) -> bool:
    """Whether ``handle``'s file is now locked by this process (False: another holds it)."""
    try:
        if sys.platform == "win32":
            msvcrt.locking(handle, msvcrt.LK_NBLCK, 1)
        else:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES, errno.EDEADLK):
            return False
        raise
    return True


def _unlock(handle: int) -> None:
    try:
        if sys.platform == "win32":
            os.lseek(handle, 0, os.SEEK_SET)
            msvcrt.locking(handle, msvcrt.LK_UNLCK, 1)
        else:
            fcntl.flock(handle, fcntl.LOCK_UN)
    except OSError:
        pass  # closing the handle lets go of it too


def _unlock_folder(folder: Path, handle: int) -> None:
    """Lets go of ``folder``'s lock and removes its file (not left in the user's folder).
    Removed while still locked where the system allows (POSIX): one who opens it after
    finds it gone and makes another (see :func:`_lock_folder`)."""
    path = folder / RECOVERY_LOCK_NAME
    if os.name == "posix":
        _unlink(path)
    _unlock(handle)
    os.close(handle)
    if os.name != "posix":  # an open file cannot be removed on Windows
        _unlink(path)


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


def write_bytes(path: str | os.PathLike[str], data: bytes, answered: Callable[[], None] | None = None) -> None:
    """``data`` as the file ``path``, all or nothing; OutputError naming the path on failure.
    ``answered``: see :func:`stage_bytes`."""
    stage_bytes(path, data, answered=answered).commit()


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """``text`` (UTF-8) as the file ``path``, all or nothing (:func:`write_bytes`)."""
    write_bytes(path, text.encode("utf-8"))


def write_with(path: str | os.PathLike[str], write: Callable[[Path], None]) -> None:
    """``write`` fills ``path``'s temporary file (a writer that takes a file name: torch.save,
    a figure's savefig), which then replaces ``path`` in one rename: an error or a stop
    midway leaves the earlier file whole and no temporary one. OutputError (one line,
    naming ``path``) for an OSError."""
    output = AtomicOutput(path)
    temp = output.open()
    try:
        write(temp)
    except OSError as exc:
        output.discard()
        raise output_error(output.path, exc) from exc
    except BaseException:
        output.discard()
        raise
    output.commit()


# Written a piece at a time: a writer can tell a slow disk (each piece answered) from one
# that does not answer at all.
WRITE_PIECE_BYTES = 1 << 20
# A file-system call of a background writer's (a snapshot's, a recording's) that has not
# returned in this long: its folder is taken to be not answering (a network share whose
# server has gone), and the app stops waiting for it. A write takes milliseconds and a
# recording's close reads back one frame; a busy share may stall a few seconds and come
# back, so not less.
NOT_ANSWERING_S = 10.0


def stage_bytes(
    path: str | os.PathLike[str], data: bytes, tag: str = "", answered: Callable[[], None] | None = None
) -> AtomicOutput:
    """``data`` written to ``path``'s temporary file (named with ``tag``: see AtomicOutput),
    not yet in place: the caller commits it (with the other outputs of the same job) or
    discards it. ``answered`` is called each time the disk has taken another piece."""
    output = AtomicOutput(path, tag)
    temp = output.open()
    pieces = memoryview(data)
    try:
        with open(temp, "wb") as handle:
            for start in range(0, len(pieces), WRITE_PIECE_BYTES):
                handle.write(pieces[start : start + WRITE_PIECE_BYTES])
                if answered is not None:
                    answered()
            handle.flush()
            sync_if_supported(handle.fileno())
    except OSError as exc:
        output.discard()
        raise output_error(output.path, exc) from exc
    output.synced = True
    return output


def free_bytes(folder: Path) -> int:
    """Bytes an unprivileged write may still use in ``folder``'s file system."""
    return shutil.disk_usage(folder).free


def mode_for(target: Path) -> int:
    """The replaced file's permissions, or the usual ones for a new file (mkstemp's are 0600)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
