"""Tooltips that show a name or a path as typed.

Qt takes a tooltip whose first line looks like markup ("<b>Al</b>", "&lt;") as rich text:
a person named "<b>Al</b>" showed as a bold "Al", a file "a<i>b.mp4" lost its "<i>".
Labels say so with ``setTextFormat(PlainText)``; a tooltip has no such setting.
"""

from __future__ import annotations

import html

from PyQt6.QtCore import Qt


def plain_tip(text: str) -> str:
    """``text`` as a tooltip shows it whole: as it is where Qt takes it as plain text
    ("Tom & Jerry.mp4"), else escaped inside rich text that keeps its lines and spaces, as a
    plain tooltip lays them out. Only the first: a plain tooltip wider than the screen wraps,
    a rich one kept to its lines does not (a long path with "&" ran off the screen)."""
    if not Qt.mightBeRichText(text):  # type: ignore[attr-defined]  # (PyQt6 has it; its stubs lack it)
        return text
    return f'<p style="white-space:pre">{html.escape(text, quote=False)}</p>'
