"""Whether paths exist, found out off the asking thread.

On a network share whose server has gone (a hard NFS or SMB mount), ``stat()`` blocks
for minutes or for ever; a window that asked on its own thread would freeze with it.
Each path is checked on a daemon thread of its own, so one dead share holds back only
its own answers, and a blocked thread never keeps the process from exiting.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable


class ExistenceChecks:
    """Checks paths in the background; ``report(path, exists)`` is called on the checking
    thread as each answer comes (a path that never answers is never reported)."""

    def __init__(self, report: Callable[[str, bool], None]) -> None:
        self._report = report
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
            exists = os.path.exists(path)  # False for any error (no permission, a NUL in the name)
        finally:
            with self._lock:
                self._pending.discard(path)
        self._report(path, exists)
