"""Argument types shared by the command lines: the app's (``main.py``) and the CLI's.

Qt-free and light (no OpenCV, no torch), so ``main.py --help`` stays instant.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def path_argument(text: str) -> Path:
    """A path given on the command line; an empty one is refused (``Path("")`` is the
    current folder, which nobody means by it)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path")
    return Path(text)
