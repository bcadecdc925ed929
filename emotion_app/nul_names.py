"""A NUL character in a path, told as such. No file name can hold one, and the OS calls
refuse it with a ValueError ("embedded null byte") where the places that read, write or
make files expect an OSError. A shell cannot pass one; a Python caller can. Below the io
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
