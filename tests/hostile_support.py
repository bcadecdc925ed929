"""Shared by the issue-13 tests: a real small file system, and files' fingerprints."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable, Iterator

import pytest

SmallDisk = Callable[[int], Path]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[SmallDisk]:
    """``small_disk(kib)`` mounts a tmpfs of that size and returns its folder: a disk that
    really fills up. Skips where mounting is not allowed (not root, not Linux); the tests
    that simulate a full disk instead run everywhere."""
    mounts: list[Path] = []

    def mount(kib: int) -> Path:
        if sys.platform != "linux" or os.geteuid() != 0 or shutil.which("mount") is None:
            pytest.skip("mounting a small tmpfs needs root on Linux")
        point = tmp_path / f"small_disk_{len(mounts)}"
        point.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kib}k", "tmpfs", str(point)], capture_output=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
        mounts.append(point)
        return point

    yield mount
    for point in mounts:
        subprocess.run(["umount", str(point)], capture_output=True)


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
    return sorted(p.name for p in folder.iterdir() if ".part" in p.name)
