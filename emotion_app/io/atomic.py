"""Single outputs that never destroy anything: checked first, written beside the target,
renamed last.

Every file the app writes (analyze's CSV and annotated video, GUI recordings and
snapshots) goes through :class:`AtomicOutput`: the data goes to a hidden temporary file
in the target's folder (named as :mod:`.temporary_names` says), is verified by its writer,
and only then replaces the target in one ``os.replace``. An error, a full disk or a crash
therefore leaves the old file as it was (after a SIGKILL the partial data stays in the
hidden ``.NAME.*.part.SUFFIX`` file). :func:`check_outputs` refuses, before anything is
opened, an output that is (after resolving links) an input or another output. Here too:
the errors an output gives (:class:`OutputError`), the whole-file writers
(:func:`write_bytes`, :func:`write_with`, :func:`stage_bytes`) and the syncs to disk the
other output modules share. Outputs that must change together go in place with
:func:`.output_group.commit_together`; what a killed writer left is finished or undone by
:mod:`.output_recovery`.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from ..link_loops import link_trouble
from ..nul_names import name_trouble
from .path_lookup import file_in_the_way, holds_a_file
from .temporary_names import make_hidden

# Errors that mean "no room": the disk, or the user's quota, is full.
# Errors that mean "no room": the disk, or the user's quota, is full.
_NO_ROOM = frozenset({errno.ENOSPC, errno.EDQUOT})
# Room kept free on top of what the next write needs, so a container's index (an mp4's
# moov box, ~20 bytes a frame) still fits when a recording stops for lack of space.
ROOM_MARGIN_BYTES = 4 * 1024 * 1024


class OutputError(Exception):
    """An output that cannot be written; the message names it and the reason. Where the
    message is "PATH: PROBLEM" of one file, ``about`` and ``problem`` are those two, for a
    caller that names the file in a sentence of its own ("Could not export … to PATH:
    PROBLEM", not "…: PATH: PROBLEM"); None and "" otherwise."""

    def __init__(self, message: str = "", *, about: Path | None = None, problem: str = "") -> None:
        super().__init__(message)
        self.about = about
        self.problem = problem


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
    problem = f"{doing} ({exc.strerror or exc})"
    return OutputError(f"{path}: {problem}", about=path, problem=problem)


def resolved(path: Path, name: str = "output") -> Path:
    """``path`` with its links resolved; OutputError for a loop of links on its way (no file
    can be there), a chain of links the system gives up on, or another path that cannot be
    resolved (a folder the user may not search), or a NUL character or a lone surrogate in
    it (Python's bare ValueError, UnicodeEncodeError)."""
    unnamable = name_trouble(path)
    if unnamable:
        raise OutputError(f"{name} {path} {unnamable}")
    try:
        real = Path(path).resolve()
    except (RuntimeError, OSError) as exc:  # RuntimeError: Python before 3.13 on a loop
        trouble = link_trouble(path)
        if trouble:
            raise OutputError(f"{name} {path} {trouble}") from exc
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise OutputError(f"{name} {path}: it cannot be resolved ({reason})") from exc
    # Python follows a chain past the system's limit (and ".." after a loop): written, the
    # file could not be opened by the name given, nor read back as an input is; refused so.
    trouble = link_trouble(path)
    if trouble:
        raise OutputError(f"{name} {path} {trouble}")
    return real


def same_file(first: Path, second: Path) -> bool:
    """Whether two paths name one file: equal after resolving links, or hard links of one."""
    try:
        if Path(first).resolve() == Path(second).resolve():
            return True
    except (RuntimeError, OSError, ValueError):
        return False  # a loop of links, or a NUL in a name, names no file
    try:
        return os.path.samefile(first, second)
    except (OSError, ValueError):  # one of them does not exist (yet)
        return False


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
            # A link the user may not follow is a file too: its kind asked with is_file()
            # raised, and the folder's other files were left unprotected.
            return [member for member in path.iterdir() if holds_a_file(member)]
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
    """Raise OutputError unless ``path`` could become a regular file in a writable folder
    (made where missing, but never a link's missing target: see :func:`.path_lookup.file_in_the_way`)."""
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
        # A link to a missing folder on the way: writing made its target (a drive not
        # mounted: the system disk), where an output folder's is not; a plain one is made.
        in_the_way = file_in_the_way(path)
        if in_the_way:
            raise OutputError(f"{name} {path} {in_the_way}")
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
    ``tag`` goes in the temporary file's name (:func:`.output_recovery.tagged_unfinished`
    finds it again): whoever chose it can remove what a writer killed midway left behind.
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
            handle, name = make_hidden(self.target, self.tag)
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
        (a file system that syncs nothing passed over, see :func:`sync_if_supported`)."""
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


def sync_folder(folder: Path) -> None:
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


def unlink_quietly(path: Path) -> None:
    """``path`` removed if it is there; nothing said where it cannot be (a device gone)."""
    try:
        path.unlink(missing_ok=True)
    except OSError:  # a device that is gone; nothing more can be done
        pass
