"""Each setting stored under one key, stated once: its key, the value it reads as where none
(or a bad one) is stored, and the parser of a stored value.

:class:`~emotion_app.gui.settings.AppSettings`' getter of a setting reads through its spec,
and its setter too: a value is written only where it reads otherwise than what is stored
(see ``AppSettings._set``), so the getter and the setter must read it alike.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

from PyQt6.QtCore import QByteArray

from emotion_app.inference.steadiness import DEFAULT_STEADINESS_LEVEL
from emotion_app.sources.stream_url import check_stream_url, without_password

from . import settings_keys as keys
from . import settings_values as read_as
from .camera_size import CameraSize, parse_camera_size
from .launch import MAX_CAMERA_INDEX

T = TypeVar("T")

#: The most pixels a docked timeline panel's stored width or height is read as (Qt's own
#: limit is far above any screen; the window's layout then gives it what there is room for).
MAX_PANEL_PX = 16384
# A path absolute on Windows: a drive, or \\host\share (either slash).
_WINDOWS_ABSOLUTE = re.compile(r"[A-Za-z]:[\\/]|[\\/]{2}[^\\/]")


class Setting(Generic[T]):
    """A setting stored under ``key``: ``parse`` reads a stored value (raising ValueError or
    TypeError for a bad one), ``default`` is read where none or a bad one is stored, and
    ``shown`` writes a bad stored text into the log (a password kept out, say)."""

    def __init__(self, key: str, default: T, parse: Callable[[object], T], shown: Callable[[str], str] = str) -> None:
        self.key = key
        self.shown = shown
        self._default = default
        self._parse = parse

    def default(self) -> T:
        return self._default

    def parse(self, raw: object, folder: str) -> T:
        """``raw``, a value stored (or given to the setter), as the setting reads it;
        ``folder``: the settings file's folder, which a relative path is read against."""
        return self._parse(raw)


class PathSetting(Setting[str]):
    """A folder or file the app chose ("" for none yet): a relative path stored is read
    against the settings file's folder (see :func:`in_folder`). ``home_by_default``: the
    home folder, not "", where none is stored."""

    def __init__(self, key: str, home_by_default: bool = False) -> None:
        super().__init__(key, "", read_as.path_text)
        self._home_by_default = home_by_default

    def default(self) -> str:
        # Asked at each read, as the home folder is then.
        return str(Path.home()) if self._home_by_default else ""

    def parse(self, raw: object, folder: str) -> str:
        return in_folder(read_as.path_text(raw), folder)


class TextListSetting(Setting[list[str]]):
    """A list of texts, newest first ([] where none is stored): each read of its default is
    a list of its own, which its reader may change (one shared [] took every change)."""

    def __init__(self, key: str) -> None:
        super().__init__(key, [], read_as.texts)

    def default(self) -> list[str]:
        return []


def in_folder(text: str, folder: str) -> str:
    """``text``, a path read from the file, made absolute against the file's ``folder``; a
    leading ``~`` or ``~user`` is that home folder first (as a shell reads it: a hand
    written ``~/models/x.onnx`` meant no folder named "~")."""
    if text.startswith("~"):
        text = os.path.expanduser(text)  # left as it is for a user there is none of
    # A Windows path is no folder under this one on any system (a file moved over).
    absolute = os.path.isabs(text) or _WINDOWS_ABSOLUTE.match(text)
    return os.path.join(folder, text) if text and not absolute else text


def _camera_size(raw: object) -> CameraSize | None:
    return parse_camera_size(read_as.text(raw))


def _stream_url(raw: object) -> str:
    return check_stream_url(read_as.text(raw))


CAMERA_NAME: Setting[str] = Setting(keys.CAMERA_NAME, "", read_as.text)
CAMERA_INDEX: Setting[int] = Setting(keys.CAMERA_INDEX, -1, read_as.whole_number(-1, MAX_CAMERA_INDEX))
# Its password is kept out of the log, as out of every message.
NETWORK_CAMERA: Setting[str] = Setting(keys.NETWORK_CAMERA, "", _stream_url, without_password)
CAMERA_SIZE: Setting[CameraSize | None] = Setting(keys.CAMERA_SIZE, None, _camera_size)
SHOW_BARS: Setting[bool] = Setting(keys.SHOW_BARS, True, read_as.flag)
STEADINESS: Setting[str] = Setting(keys.STEADINESS, DEFAULT_STEADINESS_LEVEL, read_as.level)
# Read only while no steadiness is stored, and migrated at the first change of it.
OLD_SMOOTHING: Setting[str] = Setting(keys.OLD_SMOOTHING, DEFAULT_STEADINESS_LEVEL, read_as.level_for_old_smoothing)
VIDEO_DIR = PathSetting(keys.VIDEO_DIR, home_by_default=True)
OUTPUT_FOLDER = PathSetting(keys.OUTPUT_FOLDER)
EXPORT_DIR = PathSetting(keys.EXPORT_DIR)
# The text stored, not a path: a shipped model is stored by name (see AppSettings.weights_path).
WEIGHTS: Setting[str] = Setting(keys.WEIGHTS, "", read_as.path_text)
WEIGHTS_DIR = PathSetting(keys.WEIGHTS_DIR)
# Lists newest first: their paths are read against the file's folder by AppSettings, item by item.
RECENT = TextListSetting(keys.RECENT)
STREAM_URLS = TextListSetting(keys.STREAM_URLS)
MIRROR_CAMERAS: Setting[bool] = Setting(keys.MIRROR_CAMERAS, True, read_as.flag)
MIRROR_FILES: Setting[bool] = Setting(keys.MIRROR_FILES, False, read_as.flag)
SHOW_TIMELINE: Setting[bool] = Setting(keys.SHOW_TIMELINE, True, read_as.flag)
TIMELINE_PLACE: Setting[str] = Setting(keys.TIMELINE_PLACE, "bottom", read_as.timeline_place)
TIMELINE_SIDE: Setting[str] = Setting(keys.TIMELINE_SIDE, "bottom", read_as.timeline_side)
TIMELINE_GEOMETRY: Setting[QByteArray | None] = Setting(keys.TIMELINE_GEOMETRY, None, read_as.geometry)
TIMELINE_WIDTH: Setting[int | None] = Setting(keys.TIMELINE_WIDTH, None, read_as.whole_number(1, MAX_PANEL_PX))
TIMELINE_HEIGHT: Setting[int | None] = Setting(keys.TIMELINE_HEIGHT, None, read_as.whole_number(1, MAX_PANEL_PX))
WINDOW_GEOMETRY: Setting[QByteArray | None] = Setting(keys.GEOMETRY, None, read_as.geometry)
