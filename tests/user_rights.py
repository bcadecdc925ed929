"""Running a child process as a user would be, where the tests run as root."""

from __future__ import annotations

import os
import shutil

import pytest


def without_root_rights() -> list[str]:
    """A command prefix that takes away root's right to read and search any file or folder,
    so permissions hold in the child as they do for a user (empty where not root); skips
    the test where there is no setpriv to do it."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("root, and no setpriv to give up the right to read any file")
    return [setpriv, "--inh-caps=-all", "--bounding-set=-all", "--ambient-caps=-all"]
