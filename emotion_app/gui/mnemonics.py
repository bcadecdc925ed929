"""Menu items' mnemonics: the letter a menu opened with Alt underlines, which chooses the
item. An item listed from outside (a recent file, a model, a screen) is numbered instead,
"&1 clip.mp4", and an "&" of its own is doubled, so that it shows and chooses nothing.

A list longer than nine goes on as lists of keys often do: the tenth item is "&0", the
ones after it "&a", "&b"…, skipping the letters of the menu's own items ("Load weights…"
keeps L), so that each of up to 36 items has a key; those after it have none (the arrow
keys reach them)."""

from __future__ import annotations

import re
import string
from collections.abc import Collection

# The keys a listed menu's items take, in order: the digits as on a keyboard's top row, then letters.
_LIST_KEYS = "1234567890" + string.ascii_lowercase


def escaped(text: str) -> str:
    """``text`` shown as it is in a menu: "Tom & Jerry.mp4" → "Tom && Jerry.mp4"."""
    return text.replace("&", "&&")


def numbered(position: int, text: str, taken: Collection[str] = ()) -> str:
    """The ``position``-th (from 1) item of a listed menu: "&1 clip.mp4", the tenth "&0 …",
    then "&a …" on, no letter of ``taken`` (the mnemonics of the menu's own items, lower
    case); ``text`` escaped, and alone past the keys there are."""
    keys = [key for key in _LIST_KEYS if key not in taken]
    return f"&{keys[position - 1]} {escaped(text)}" if 1 <= position <= len(keys) else escaped(text)


def plain(text: str) -> str:
    """A menu item's text as the user reads it: "&Open video…" → "Open video…",
    "Tom && Jerry" → "Tom & Jerry"."""
    return re.sub(r"&(.)", r"\1", text)


def mnemonic(text: str) -> str | None:
    """The key that chooses an item of this text, lower-cased ("&Open" → "o"); None for none."""
    found = re.search(r"(?:^|[^&])(?:&&)*&([^&])", text)
    return found.group(1).lower() if found else None
