"""Whether paths exist, found out off the asking thread.

On a network share whose server has gone (a hard NFS or SMB mount), ``stat()`` blocks
for minutes or for ever; a window that asked on its own thread would freeze with it.
Each path is checked on a daemon thread of its own, so one dead share holds back only
its own answers, and a blocked thread never keeps the process from exiting. From such
answers :func:`nearest_folder` finds where a file dialog can open without a stat.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path


class ExistenceChecks:
    """Checks paths in the background; ``report(path, exists)`` is called on the checking
    thread as each answer comes (a path that never answers is never reported). ``test``
    is the question asked of each path: whether it exists, or e.g. whether it is a folder
    (:func:`os.path.isdir`); it must answer False for any error, as those two do."""

    def __init__(self, report: Callable[[str, bool], None], test: Callable[[str], bool] = os.path.exists) -> None:
        self._report = report
        self._test = test
        self._lock = threading.Lock()
        # Paths whose check has not answered yet: asking again would only add another
        # thread stuck on the same dead share.
        self._pending: set[str] = set()

    def check(self, paths: Iterable[str]) -> None:
        """Start checking each of ``paths`` not already being checked; returns at once."""
        for path in paths:
            with self._lock:
                if path in self._pending:
                    continue
                self._pending.add(path)
            try:
                threading.Thread(target=self._check_one, args=(path,), name="existence check", daemon=True).start()
            except RuntimeError:  # no thread to be had: no answer, as for a share that never answers
                with self._lock:
                    self._pending.discard(path)

    def _check_one(self, path: str) -> None:
        try:
            exists = self._test(path)  # False for any error (no permission, a NUL in the name)
        finally:
            with self._lock:
                self._pending.discard(path)
        self._report(path, exists)


def folder_and_parents(folder: str) -> list[str]:
    """``folder`` (``~`` expanded) and each folder above it, nearest first, found from the
    name alone: no stat."""
    try:
        path = Path(folder).expanduser()
    except RuntimeError:  # "~someone" with no such user: the name as it is
        path = Path(folder)
    return [str(path), *(str(parent) for parent in path.parents)]


def nearest_folder(folders: Iterable[str], is_folder: Callable[[str], bool | None]) -> str | None:
    """The first of ``folders`` that ``is_folder``, passing over those that are not; None
    where one on the way has no answer yet (None), or none of them is a folder."""
    for folder in folders:
        answer = is_folder(folder)
        if answer is None:
            return None
        if answer:
            return folder
    return None
