"""Loops of symbolic links (a link to itself, or a -> b -> a), told as what they are.

``ls`` lists such a link, but Python 3.11's ``Path.exists()`` says False for it (so it
was told "not found"), ``mkdir`` says "File exists" (so an output folder read as a file)
and ``Path.resolve()`` raises RuntimeError. The system gives up (ELOOP) on a path that
passes through a loop (``LOOP/x``) too, and on a chain of more links than it follows
(40 on Linux) that is no loop at all: each is told as what it is. Below the io layer and
``faces``, so that any reader or writer of a path can ask.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

#: What a loop is, put after a path or "it is" in a message.
LINK_LOOP = "a loop of symbolic links (it points back to itself)"
#: What a chain of links the system gives up on is (no loop: Python alone can follow it).
LINK_CHAIN = "a chain of more symbolic links than the system follows"


def link_trouble(path: str | os.PathLike[str]) -> str:
    """Why the system gives up on ``path``'s symbolic links (ELOOP), in words to put after
    the path or "it": "is LOOP", "passes through PART, which is LOOP" (PART the first
    leading part of ``path`` it gives up on), or the same with a chain of too many links;
    "" where it does not give up (the path is there, missing, or fails otherwise)."""
    if not _gives_up(path):
        return ""
    whole = Path(path)
    part = next((part for part in (*reversed(whole.parents), whole) if _gives_up(part)), whole)
    what = LINK_LOOP if _loops(part) else LINK_CHAIN
    return f"is {what}" if part == whole else f"passes through {part}, which is {what}"


def _gives_up(path: str | os.PathLike[str]) -> bool:
    try:
        os.stat(path)
    except OSError as exc:
        return exc.errno == errno.ELOOP
    except ValueError:  # a NUL in the name: no file, and no link either
        return False
    return False


def _loops(path: str | os.PathLike[str]) -> bool:
    """Whether ``path``, which the system gives up on, holds a loop: ``realpath`` follows
    links without the system's limit and leaves a loop unresolved, where a chain ends."""
    try:
        return _gives_up(os.path.realpath(path))
    except (OSError, ValueError):  # cannot tell: taken as the loop it most likely is
        return True
