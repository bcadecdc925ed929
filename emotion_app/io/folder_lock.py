"""A lock on folders that recovery may change (:mod:`.output_recovery`, :mod:`.unfinished`),
so that two runs never finish or undo one stopped writer's files at once.

A hidden lock file in each folder, locked by the system (``flock``; ``msvcrt.locking`` on
Windows), so a killed holder's lock goes with it, and removed as it is let go, so the
user's folder keeps no trace. Not Qt's QLockFile (the settings' merge lock): the io core is
Qt-free.
"""

from __future__ import annotations

import errno
import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from .atomic import unlink_quietly

if sys.platform == "win32":
    import msvcrt
else:
    import fcntl

#: How long a recovery waits for another's (another run's) of the same folder: past it,
#: that folder's stopped files are left for the next recovery.
RECOVERY_LOCK_WAIT_S = 10.0
# The lock file a recovery holds in each folder it may change (removed when released).
RECOVERY_LOCK_NAME = ".emotion_app-recovery.lock"


class FolderLocks:
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

    def __enter__(self) -> FolderLocks:
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
    ``deadline``; None where no lock can be had (see :class:`FolderLocks`)."""
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
                unlink_quietly(path)
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
        unlink_quietly(path)
    _unlock(handle)
    os.close(handle)
    if os.name != "posix":  # an open file cannot be removed on Windows
        unlink_quietly(path)


class FolderLock:
    """The recovery lock of ``folder`` (see :class:`FolderLocks`) while the block runs;
    :attr:`held` False when another recovery held it past :data:`RECOVERY_LOCK_WAIT_S`."""

    def __init__(self, folder: Path) -> None:
        self._folder = Path(folder)
        self._locks = FolderLocks([self._folder])
        self.held = False

    def __enter__(self) -> FolderLock:
        self._locks.__enter__()
        self.held = self._locks.held(self._folder)
        return self

    def __exit__(self, *_: object) -> None:
        self._locks.__exit__()
