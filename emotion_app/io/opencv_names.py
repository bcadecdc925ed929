"""File names OpenCV's video functions can take.

Linux allows file names that are not UTF-8 (bytes of another encoding, such as Latin-1
from an old USB stick; Python keeps them as lone surrogates). OpenCV's ``VideoCapture``
and ``VideoWriter`` crash the process on such a name (a segmentation fault), so none
reaches them: a video is read through a link with a UTF-8 name, and a video output with
such a name is refused. Pictures are read and written through numpy, whatever the name.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import cv2

LINK_FOLDER_PREFIX = "emotion-app-link-"


def is_utf8_name(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` encodes to UTF-8, as OpenCV needs."""
    try:
        os.fspath(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def open_video_capture(path: str | os.PathLike[str]) -> cv2.VideoCapture:
    """``cv2.VideoCapture`` of ``path``, whatever its name; OSError when no name OpenCV can
    take could be made for it."""
    with opencv_readable(path) as name:
        return cv2.VideoCapture(name)


@contextmanager
def opencv_readable(path: str | os.PathLike[str]) -> Iterator[str]:
    """A name under which OpenCV can open ``path``: its own, or a link to it with a UTF-8
    name in a private temporary folder, removed on exit (an open capture keeps reading)."""
    if is_utf8_name(path):
        yield os.fspath(path)
        return
    suffix = Path(path).suffix if is_utf8_name(Path(path).suffix) else ""
    with tempfile.TemporaryDirectory(prefix=LINK_FOLDER_PREFIX) as folder:
        link = Path(folder) / f"video{suffix}"
        if not is_utf8_name(link):
            raise OSError(f"neither {os.fsencode(path)!r} nor the temporary folder has a UTF-8 name")
        os.symlink(os.path.abspath(path), link)
        yield str(link)
