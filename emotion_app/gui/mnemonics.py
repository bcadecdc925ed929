"""Menu items' mnemonics: the letter a menu opened with Alt underlines, which chooses the
item. An item listed from outside (a recent file, a model, a screen) is numbered instead,
"&1 clip.mp4", and an "&" of its own is doubled, so that it shows and chooses nothing."""

from __future__ import annotations

import re

# Digits 1 to 9: a list's tenth item on is reached with the arrow keys.
_NUMBERED = 9


def escaped(text: str) -> str:
    """``text`` shown as it is in a menu: "Tom & Jerry.mp4" → "Tom && Jerry.mp4"."""
    return text.replace("&", "&&")


def numbered(position: int, text: str) -> str:
    """The ``position``-th (from 1) item of a listed menu: "&1 clip.mp4"; ``text`` escaped."""
    return f"&{position} {escaped(text)}" if 1 <= position <= _NUMBERED else escaped(text)


def plain(text: str) -> str:
    """A menu item's text as the user reads it: "&Open video…" → "Open video…",
    "Tom && Jerry" → "Tom & Jerry"."""
    return re.sub(r"&(.)", r"\1", text)


def mnemonic(text: str) -> str | None:
    """The key that chooses an item of this text, lower-cased ("&Open" → "o"); None for none."""
    found = re.search(r"(?:^|[^&])(?:&&)*&([^&])", text)
    return found.group(1).lower() if found else None
