"""Asking whether a path exists, or what a folder's entry is, where the asking itself can fail.

Python 3.11's ``Path.exists()`` raises, rather than answering False, for a name longer
than the file system takes (ENAMETOOLONG) or a folder the user may not search (EACCES).
It says False for a loop of symbolic links, which ``ls`` lists: that is told as such.
Each caller turns that into its own error type, in the words given here.
"""

from __future__ import annotations

from pathlib import Path

from ..link_loops import LINK_LOOP, is_link_loop


class PathCannotBeLookedAt(Exception):
    """A path whose stat failed for another reason than its absence. ``str()`` is the
    shared wording, "cannot be looked at (File name too long)", for a caller to put after
    the path's name."""

    def __init__(self, path: Path, cause: OSError) -> None:
        super().__init__(f"cannot be looked at ({cause.strerror or cause})")
        self.path = path


class LinkLoop(PathCannotBeLookedAt):
    """A path that is a loop of symbolic links; ``str()`` reads "is a loop of symbolic links
    (it points back to itself)", for a caller to put after the path's name or "it"."""

    def __init__(self, path: Path) -> None:
        Exception.__init__(self, f"is {LINK_LOOP}")
        self.path = path


def path_exists(path: Path) -> bool:
    """Whether ``path`` exists (as :meth:`Path.exists`); raises :class:`PathCannotBeLookedAt`
    where that cannot be found out, :class:`LinkLoop` for a loop of links (not "missing")."""
    try:
        if path.exists():
            return True
    except OSError as exc:
        raise PathCannotBeLookedAt(path, exc) from None
    if is_link_loop(path):
        raise LinkLoop(path)
    return False


def holds_a_file(entry: Path) -> bool:
    """Whether a folder's ``entry`` is a file. A link whose target may not be looked at (in a
    folder the user may not search) is taken as the file it is named as: the folder is not
    at fault. Raises OSError where the entry itself may not be looked at (a folder
    listable, not searchable)."""
    try:
        return entry.is_file()
    except OSError:
        entry.lstat()
        return True


def holds_a_folder(entry: Path) -> bool:
    """Whether a folder's ``entry`` is a folder; as :func:`holds_a_file` for a link whose
    target may not be looked at, which is not counted as one."""
    try:
        return entry.is_dir()
    except OSError:
        entry.lstat()
        return False
