"""Loops of symbolic links (a link to itself, or a -> b -> a), told as what they are.

``ls`` lists such a link, but Python 3.11's ``Path.exists()`` says False for it (so it
was told "not found"), ``mkdir`` says "File exists" (so an output folder read as a file)
and ``Path.resolve()`` raises RuntimeError. Below the io layer and ``faces``, so that any
reader or writer of a path can ask.
"""

from __future__ import annotations

import errno
import os

#: What a loop is, put after a path or "it is" in a message.
LINK_LOOP = "a loop of symbolic links (it points back to itself)"


def is_link_loop(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a symbolic link whose links never reach a file: the system gives
    up on it (ELOOP). A path that only passes through a loop on its way (``LOOP/x``) is no
    link itself, and not one."""
    try:
        os.stat(path)
    except OSError as exc:
        return exc.errno == errno.ELOOP and os.path.islink(path)
    except ValueError:  # a NUL in the name: no file, and no link either
        return False
    return False
