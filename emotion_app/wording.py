"""How counts read in what the app and the commands say ("1 frame", "2 frames"), and a
message's first letter as a capital."""

from __future__ import annotations


def count_text(number: int, noun: str, plural: str | None = None) -> str:
    """``number`` with ``noun`` in the right number (``plural``: when not noun + "s")."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def capitalised(text: str) -> str:
    """``text`` with its first letter a capital, the rest as it is (a path's case kept)."""
    return text[:1].upper() + text[1:]
