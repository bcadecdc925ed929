"""Settings remembered between runs (QSettings): last camera, probability bars, smoothing.

Tests and scripts pass an explicit INI path so they never touch the user's settings.
"""

from __future__ import annotations

import os
from pathlib import Path

from PyQt6.QtCore import QByteArray, QSettings

ORGANIZATION = "emotion_app"
APPLICATION = "Emotion Recognition"
DEFAULT_SMOOTHING = 0.6

_CAMERA_NAME = "camera/name"
_CAMERA_INDEX = "camera/index"
_SHOW_BARS = "overlay/show_bars"
_SMOOTHING = "overlay/smoothing"
_VIDEO_DIR = "files/last_video_dir"
_OUTPUT_DIR = "files/last_output_dir"
_GEOMETRY = "window/geometry"
_WEIGHTS = "model/weights"


class AppSettings:
    """Typed access to the app's QSettings."""

    def __init__(self, store: QSettings) -> None:
        self._store = store

    @classmethod
    def user(cls) -> "AppSettings":
        """The user's settings in the platform's usual place."""
        return cls(QSettings(ORGANIZATION, APPLICATION))

    @classmethod
    def at_path(cls, path: str | os.PathLike[str]) -> "AppSettings":
        """Settings kept in one INI file (tests, scripts, portable installs)."""
        return cls(QSettings(str(path), QSettings.Format.IniFormat))

    @property
    def location(self) -> str:
        return self._store.fileName()

    # The camera is remembered by name first: indices shift when devices come and go.
    @property
    def camera_name(self) -> str:
        return str(self._store.value(_CAMERA_NAME, "", type=str))

    @property
    def camera_index(self) -> int:
        return int(self._store.value(_CAMERA_INDEX, -1, type=int))

    def remember_camera(self, name: str, index: int) -> None:
        self._store.setValue(_CAMERA_NAME, name)
        self._store.setValue(_CAMERA_INDEX, index)

    @property
    def show_bars(self) -> bool:
        return bool(self._store.value(_SHOW_BARS, True, type=bool))

    @show_bars.setter
    def show_bars(self, value: bool) -> None:
        self._store.setValue(_SHOW_BARS, bool(value))

    @property
    def smoothing(self) -> float:
        value = float(self._store.value(_SMOOTHING, DEFAULT_SMOOTHING, type=float))
        return min(0.95, max(0.0, value))

    @smoothing.setter
    def smoothing(self, value: float) -> None:
        self._store.setValue(_SMOOTHING, float(value))

    @property
    def last_video_dir(self) -> str:
        return str(self._store.value(_VIDEO_DIR, str(Path.home()), type=str))

    @last_video_dir.setter
    def last_video_dir(self, value: str) -> None:
        self._store.setValue(_VIDEO_DIR, value)

    @property
    def last_output_dir(self) -> str:
        return str(self._store.value(_OUTPUT_DIR, str(Path.home()), type=str))

    @last_output_dir.setter
    def last_output_dir(self, value: str) -> None:
        self._store.setValue(_OUTPUT_DIR, value)

    @property
    def weights_path(self) -> Path | None:
        """The model chosen last time; None when none was, or its file is gone."""
        value = self._store.value(_WEIGHTS, "")
        if not isinstance(value, str) or not value:
            return None
        path = Path(value)
        return path if path.is_file() else None

    @weights_path.setter
    def weights_path(self, value: Path | None) -> None:
        self._store.setValue(_WEIGHTS, str(value) if value is not None else "")

    @property
    def window_geometry(self) -> QByteArray | None:
        value = self._store.value(_GEOMETRY)
        return value if isinstance(value, QByteArray) else None

    @window_geometry.setter
    def window_geometry(self, value: QByteArray) -> None:
        self._store.setValue(_GEOMETRY, value)

    def sync(self) -> None:
        self._store.sync()
