"""Shared by the issue-13 tests: filling a disk, and files' fingerprints (the small_disk
fixture, a real small file system, is in conftest.py)."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

from emotion_app.io.atomic import is_unfinished

SmallDisk = Callable[[int], Path]


def fill(folder: Path, leave_bytes: int) -> Path:
    """Fill ``folder``'s file system until about ``leave_bytes`` are free."""
    filler = folder / "filler.bin"
    free = shutil.disk_usage(folder).free
    with open(filler, "wb") as handle:
        handle.write(b"\0" * max(0, free - leave_bytes))
    return filler


def fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(folder: Path) -> list[str]:
    """Temporary output files left in ``folder`` (there must be none)."""
    return sorted(p.name for p in folder.iterdir() if is_unfinished(p))
