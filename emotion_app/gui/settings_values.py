"""Parsers of the values stored in the settings file: each returns the value, or raises
ValueError saying what it wanted (:meth:`AppSettings._read <emotion_app.gui.settings.AppSettings>`
then logs the value once and uses the setting's default).

A value may have been edited by hand or written by another version of the app (``0,6``,
which Qt reads as a list, ``abc``, ``cam0``): none is trusted to be of its setting's type.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PyQt6.QtCore import QByteArray

from emotion_app.inference.steadiness import STEADINESS_LEVELS


def text(raw: object) -> str:
    if not isinstance(raw, str):
        raise ValueError("not text")
    return raw


def path_text(raw: object) -> str:
    # No file name holds a NUL: the OS calls refuse it with a ValueError, not an OSError,
    # which the places that create folders and files do not expect.
    path = text(raw)
    if "\0" in path:
        raise ValueError("a path with a NUL character")
    return path


def texts(raw: object) -> list[str]:
    """A stored list of texts (Qt reads one of a single item as a text), without empty or
    other values."""
    if isinstance(raw, str):
        raw = [raw] if raw else []
    return [item for item in raw if isinstance(item, str) and item] if isinstance(raw, list) else []


def flag(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower() if isinstance(raw, (str, int)) else ""
    if word in ("true", "1"):
        return True
    if word in ("false", "0"):
        return False
    raise ValueError("not true or false")


def whole_number(low: int, high: int) -> Callable[[object], int]:
    def parse(raw: object) -> int:
        if isinstance(raw, bool) or not isinstance(raw, (int, str)):
            raise ValueError(f"not a whole number in {low}..{high}")
        value = int(raw)
        if not low <= value <= high:
            raise ValueError(f"not in {low}..{high}")
        return value

    return parse


def geometry(raw: object) -> QByteArray:
    if not isinstance(raw, QByteArray):
        raise ValueError("not saved window geometry")
    return raw


def refused_geometry(raw: object) -> QByteArray:
    """For a saved geometry that ``QWidget.restoreGeometry`` refused: bytes of none, or one
    saved on a screen of quite another width (Qt's check)."""
    raise ValueError("not window geometry Qt restores on these screens")


# The sides of the window the timeline panel docks at.
TIMELINE_SIDES = ("bottom", "left", "right", "top")
# Where the timeline panel sits: a side of the window it is docked at, or floating on its own.
TIMELINE_PLACES = (*TIMELINE_SIDES, "floating")


def timeline_place(raw: object) -> str:
    return _one_of(raw, TIMELINE_PLACES)


def timeline_side(raw: object) -> str:
    return _one_of(raw, TIMELINE_SIDES)


def _one_of(raw: object, names: tuple[str, ...]) -> str:
    name = raw.strip().lower() if isinstance(raw, str) else ""
    if name not in names:
        raise ValueError(f"not one of {', '.join(names)}")
    return name


def level(raw: object) -> str:
    name = raw.strip().lower() if isinstance(raw, str) else ""
    if name not in STEADINESS_LEVELS:
        raise ValueError(f"not one of {', '.join(STEADINESS_LEVELS)}")
    return name


def level_for_old_smoothing(raw: object) -> str:
    """The level nearest an old EMA factor: 0 was "show every frame", the old default 0.6
    is today's default, the strongest settings were slow."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise ValueError("not an old smoothing factor 0..1")
    factor = float(raw)
    if not (math.isfinite(factor) and 0.0 <= factor <= 1.0):
        raise ValueError("not an old smoothing factor 0..1")
    if factor < 0.05:
        return "off"
    if factor < 0.45:
        return "low"
    if factor < 0.8:
        return "medium"
    return "high"
