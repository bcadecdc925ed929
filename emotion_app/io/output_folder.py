"""The output folder one-key snapshots and recordings go into: made when missing, checked,
and a free name in it for each save, never the same one twice in a session.

Everything here touches the file system, and on a network share whose server has gone
(a hard NFS or SMB mount) each call can block for minutes: a window calls it off its
own thread. So names are reserved under a lock that is never held while the disk is asked.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from .opencv_names import is_utf8_name
from .path_lookup import folder_in_the_way


def output_folder_problem(folder: Path) -> str:
    """Why nothing can be saved into ``folder``, made first when missing; "" when it can.
    The reason reads on after "Cannot save into the output folder FOLDER: "."""
    if not is_utf8_name(folder):
        # Settings would store it with the odd bytes dropped (a later session saving
        # elsewhere), and OpenCV cannot write a video there.
        return "its name is not valid UTF-8, so it could be neither remembered nor recorded into"
    in_the_way = folder_in_the_way(folder)
    if in_the_way:  # mkdir says only "File exists" of a file or a loop there (a NUL: ValueError)
        return f"it {in_the_way}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"it cannot be created ({exc.strerror or exc})"
    if not os.access(folder, os.W_OK):
        return "it is not writable"
    return ""


def name_taken(path: Path) -> bool:
    """Whether a file (or a link, even a dangling one) has ``path``'s name."""
    return path.exists() or path.is_symlink()


def free_name(path: Path, taken: Callable[[Path], bool] = name_taken) -> Path:
    """``path``, or ``stem-2.suffix``, ``stem-3.suffix``… the first not ``taken``."""
    number = 2
    free = path
    while taken(free):
        free = path.with_name(f"{path.stem}-{number}{path.suffix}")
        number += 1
    return free


# Every name unique_output_path gave: a snapshot is written in the background and a
# recording while it runs, so a name handed out may not be on disk yet when the next is
# asked for, on this thread or another.
_names_given: set[Path] = set()
_names_lock = threading.Lock()


def unique_output_path(folder: Path, stem: str, suffix: str, when: datetime) -> Path:
    """``folder/emotion-<stem>-<when><suffix>``, numbered when that name (or its .csv) is
    taken or was given before in this session (two snapshots within a second), from any
    thread at once."""
    return free_name(folder / f"emotion-{stem}-{when:%Y%m%d-%H%M%S}{suffix}", taken=lambda path: not _claim(path))


def _claim(path: Path) -> bool:
    """Reserve ``path`` for one caller: False when it was given already or is on disk."""
    key = path.absolute()
    with _names_lock:
        if key in _names_given:
            return False
        # Reserved before the disk is asked (outside the lock, which a dead share would
        # hold for minutes); a name found on disk stays reserved, as it is taken anyway.
        _names_given.add(key)
    return not (name_taken(path) or name_taken(path.with_suffix(".csv")))
