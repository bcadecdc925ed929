"""A NUL character in a path, told as such. No file name can hold one, and the OS calls
refuse it with a ValueError ("embedded null byte") where the places that read, write or
make files expect an OSError. A shell cannot pass one; a Python caller can, and a
character the file system's encoding cannot write too, a lone surrogate ("\\ud800"), which
the OS calls refuse with a UnicodeEncodeError: :func:`name_trouble` tells either. Below the io
layer and ``faces``, as :mod:`.link_loops` is, so that any reader or writer of a path can
ask.
"""

from __future__ import annotations

import os

#: What a path with a NUL is, put after the path or "it".
NUL_IN_NAME = "has a NUL character in its name, which no file name can hold"


def has_nul(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` holds a NUL character."""
    return "\0" in os.fsdecode(path)


def nul_shown(text: str) -> str:
    """``text`` (a message naming such a path) with each NUL written ``\\0``: printed as it
    is, a NUL shows as nothing at all, and the name read as another."""
    return text.replace("\0", "\\0")


def name_trouble(path: str | os.PathLike[str]) -> str:
    """What makes ``path`` no file's name, put after the path or "it": :data:`NUL_IN_NAME`,
    or a character the file system's encoding cannot write (a lone surrogate from a Python
    caller; those of a name read from the disk, its undecodable bytes, write back), shown
    escaped; "" for neither."""
    if has_nul(path):
        return NUL_IN_NAME
    shown = unencodable(os.fspath(path))
    return f"has the character {shown} in its name, which no file name can hold" if shown else ""


def unencodable(text: str) -> str:
    """The first character of ``text`` the file system's encoding cannot write (see
    :func:`name_trouble`), escaped ("\\ud800"); "" for none."""
    try:
        os.fsencode(text)
    except UnicodeEncodeError as exc:
        return exc.object[exc.start].encode("ascii", "backslashreplace").decode("ascii")
    return ""


def unencodable_shown(text: str) -> str:
    """``text`` with each character :func:`unencodable` finds escaped, the others as they are:
    a message that names it can be printed to any stream."""
    return "".join(unencodable(character) or character for character in text)
