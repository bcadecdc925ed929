"""Asking whether a path exists, or what a folder's entry is, where the asking itself can fail.

Python 3.11's ``Path.exists()`` raises, rather than answering False, for a name longer
than the file system takes (ENAMETOOLONG) or a folder the user may not search (EACCES).
It says False for a loop of symbolic links, which ``ls`` lists, and for a path through one:
that is told as such. Each caller turns that into its own error type, in the words given
here. :func:`folder_in_the_way` is every output folder's check of what stands where it
should be (the CLI's --report, the window's output folder, the training tools' --out);
:func:`file_in_the_way` an output file's (analyze's -o and --csv, the window's settings file).
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from ..link_loops import link_trouble
from ..nul_names import NUL_IN_NAME, has_nul, name_trouble


class PathCannotBeLookedAt(Exception):
    """A path whose stat failed for another reason than its absence. ``str()`` is the
    shared wording, "cannot be looked at (File name too long)", for a caller to put after
    the path's name."""

    def __init__(self, path: Path, cause: OSError) -> None:
        super().__init__(f"cannot be looked at ({cause.strerror or cause})")
        self.path = path


class LinkLoop(PathCannotBeLookedAt):
    """A path whose links the system gives up on: a loop, one on its way, or too long a
    chain; ``str()`` reads as :func:`.link_loops.link_trouble` says it ("is a loop of
    symbolic links (it points back to itself)"), for a caller to put after the path's name
    or "it"."""

    def __init__(self, path: Path, trouble: str) -> None:
        Exception.__init__(self, trouble)
        self.path = path


class NulInName(PathCannotBeLookedAt):
    """A path with a NUL character, which no file can have; ``str()`` reads as
    :data:`.nul_names.NUL_IN_NAME`, for a caller to put after the path's name or "it"."""

    def __init__(self, path: Path) -> None:
        Exception.__init__(self, NUL_IN_NAME)
        self.path = path


def path_exists(path: Path) -> bool:
    """Whether ``path`` exists (as :meth:`Path.exists`); raises :class:`PathCannotBeLookedAt`
    where that cannot be found out, :class:`LinkLoop` for a loop of links and
    :class:`NulInName` for a NUL in it (each said "missing")."""
    if has_nul(path):
        raise NulInName(path)
    try:
        if path.exists():
            return True
    except OSError as exc:
        raise PathCannotBeLookedAt(path, exc) from None
    trouble = link_trouble(path)
    if trouble:  # a file behind a loop or a long chain was "not found"
        raise LinkLoop(path, trouble)
    return False


def folder_in_the_way(folder: Path) -> str:
    """What stands where ``folder`` should be, or be made, in words to put after "it": "is
    a file, not a folder", "is not a folder" (a device, a pipe), or the links the system
    gives up on (:func:`.link_loops.link_trouble`: ``mkdir`` said "File exists" of a loop,
    and "not writable" of a path through one), or a link to a missing target on the way;
    or a NUL or a lone surrogate in its name; "" for a folder, or nothing there yet.
    Nothing is created: whether a folder can be made or written is each caller's to try."""
    unnamable = name_trouble(folder)
    if unnamable:  # mkdir raises a bare ValueError (UnicodeEncodeError)
        return unnamable
    trouble = link_trouble(folder)
    if trouble:
        return trouble
    # os.path's answer False where the asking fails (a NUL, EACCES): mkdir says why.
    if os.path.exists(folder) and not os.path.isdir(folder):
        return "is a file, not a folder" if os.path.isfile(folder) else "is not a folder"
    if not os.path.exists(folder):
        return _dangling_link_on(folder)
    return ""


def file_in_the_way(path: Path) -> str:
    """What stands where the file ``path`` should be written, in words to put after "it":
    the links the system gives up on (:func:`.link_loops.link_trouble`), "is a folder, not
    a file", or a link to a missing target, at ``path`` or on its way, where the file cannot
    be made (a link to a file not made yet, in a folder that is there, is written through),
    or a NUL or a lone surrogate in its name; "" otherwise (a read-only file: the writer's
    own error says it)."""
    unnamable = name_trouble(path)
    if unnamable:
        return unnamable
    trouble = link_trouble(path)
    if trouble:
        return trouble
    if os.path.isdir(path):
        return "is a folder, not a file"
    # realpath follows the links as far as they go: the folder the file would be made in.
    if os.path.exists(path) or os.path.isdir(os.path.dirname(os.path.realpath(path))):
        return ""
    return _dangling_link_on(path)


def _dangling_link_on(folder: Path) -> str:
    """A link to a missing target at ``folder`` or on its way, told so: mkdir says "File
    exists" of one, and its target is not made (a drive not mounted: not the system disk)."""
    for part in (*reversed(folder.parents), folder):
        if os.path.islink(part) and _missing(part):
            try:
                target = os.readlink(part)
            except OSError:  # gone since: mkdir says what is there now
                return ""
            what = f"a symbolic link to {target}, which is missing"
            return f"is {what}" if part == folder else f"passes through {part}, {what}"
    return ""


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


def _missing(path: Path) -> bool:
    """Whether nothing is at ``path``: not a target the user may not look at (EACCES)."""
    try:
        os.stat(path)
    except OSError as exc:
        return exc.errno == errno.ENOENT
    return False
