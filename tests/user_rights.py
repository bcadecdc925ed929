"""Running a child process as a user would be, where the tests run as root."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest


def without_root_rights() -> list[str]:
    """A command prefix that takes away root's right to read and search any file or folder,
    so permissions hold in the child as they do for a user (empty where not root); skips
    the test where there is no setpriv to do it, or where it does not take them away."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("root, and no setpriv to give up the right to read any file")
        prefix = [setpriv, "--inh-caps=-all", "--bounding-set=-all", "--ambient-caps=-all"]
    if _reads_a_file_barred_to_it(tuple(prefix)):
        pytest.skip("a child here reads a file no one may read (setpriv without CAP_SETPCAP keeps root's rights)")
    return prefix


@functools.cache
def _reads_a_file_barred_to_it(prefix: tuple[str, ...]) -> bool:
    """Whether a child run with ``prefix`` still reads a file of mode 000: setpriv run
    without CAP_SETPCAP (a container started without it) leaves the rights in place without
    a word, and a permission test would then fail instead of skipping."""
    with tempfile.TemporaryDirectory() as folder:
        barred = os.path.join(folder, "barred")
        with open(barred, "w") as handle:
            handle.write("x")
        os.chmod(barred, 0)
        child = [*prefix, sys.executable, "-c", "import sys; open(sys.argv[1]).close()", barred]
        return subprocess.run(child, capture_output=True, timeout=60).returncode == 0


REPOSITORY = Path(__file__).resolve().parent.parent


def run_barred_from(
    barred: Path, mode: int, command: list[str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``command`` (after the interpreter) run from the repository as a user would run it,
    while the folder ``barred`` has ``mode``; then it is open again, for pytest's clean-up."""
    barred.chmod(mode)
    try:
        return subprocess.run(
            [*without_root_rights(), sys.executable, *command],
            capture_output=True,
            text=True,
            cwd=REPOSITORY,
            timeout=timeout,
        )
    finally:
        barred.chmod(0o755)
