"""Names people give faces, drawn beside the app's own text: kept to their own direction,
and cut only where a character ends.

A name in Hebrew or Arabic, or holding a bidi control (U+202E RIGHT-TO-LEFT OVERRIDE, say),
turned the text after it around where a renderer lays text out by the Unicode bidi
algorithm (Qt, matplotlib from 3.11, Pillow with libraqm): "Ada (#1) (0.9 s)" drew as
"(s 9.0) (1#) adA", and a Hebrew name put "(#5)" before it. :func:`isolated` makes such a
name a unit of its own (FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE), which the text
around it flows past. What is stored, and the CSVs, keep the name as given.
"""

from __future__ import annotations

import unicodedata

FIRST_STRONG_ISOLATE = "\u2068"
POP_DIRECTIONAL_ISOLATE = "\u2069"
ZERO_WIDTH_JOINER = "\u200d"
# The bidi classes of the explicit controls (embeddings, overrides, isolates and their ends).
_CONTROL_CLASSES = frozenset({"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"})
# What may turn text around it: right-to-left letters, Arabic digits, and the controls.
_TURNING_CLASSES = _CONTROL_CLASSES | {"R", "AL", "AN"}
_ISOLATE_OPENERS = frozenset({"LRI", "RLI", "FSI"})
# The marks (LRM, RLM, ALM): no glyph, like the controls, but they open and close nothing.
_MARKS = frozenset({"\u200e", "\u200f", "\u061c"})
_VIRAMA = 9  # the canonical combining class of a virama (a conjunct's joiner)


def is_bidi_control(char: str) -> bool:
    """Whether ``char`` is a bidi control or mark: it steers direction and draws nothing
    where the text is laid out by the bidi algorithm (no font need have it)."""
    return char in _MARKS or unicodedata.bidirectional(char) in _CONTROL_CLASSES


def isolated(name: str) -> str:
    """``name`` as a unit the text beside it flows past, in whatever direction it runs:
    between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE, its own isolates closed and
    a POP DIRECTIONAL ISOLATE of its own with none to close dropped (it would end the unit
    early). A name with nothing right-to-left and no control is given back as it is."""
    if not any(unicodedata.bidirectional(char) in _TURNING_CLASSES for char in name):
        return name
    depth = 0
    kept: list[str] = []
    for char in name:
        kind = unicodedata.bidirectional(char)
        if kind in _ISOLATE_OPENERS:
            depth += 1
        elif kind == "PDI":
            if depth == 0:
                continue
            depth -= 1
        kept.append(char)
    return FIRST_STRONG_ISOLATE + "".join(kept) + POP_DIRECTIONAL_ISOLATE * (depth + 1)


def cut_before(text: str, index: int) -> int:
    """The place at or before ``index`` where ``text`` may be cut: not between a letter and
    its combining accent, nor inside an emoji sequence (after a ZERO WIDTH JOINER, before a
    variation selector or skin tone, inside a flag's pair) or an Indic conjunct. Unicode's
    grapheme clusters, near enough for a name; 0 where no place is."""
    index = max(0, min(index, len(text)))
    while 0 < index < len(text) and not _may_cut(text, index):
        index -= 1
    return index


def cut_after(text: str, index: int) -> int:
    """As :func:`cut_before`, the place at or after ``index`` (the end of ``text`` where no
    place is before it)."""
    index = max(0, min(index, len(text)))
    while 0 < index < len(text) and not _may_cut(text, index):
        index += 1
    return index


def _may_cut(text: str, index: int) -> bool:
    before, char = text[index - 1], text[index]
    if before == ZERO_WIDTH_JOINER or _extends(char):
        return False
    if unicodedata.combining(before) == _VIRAMA and unicodedata.category(char) == "Lo":
        return False  # an Indic conjunct: "क्ष" is one character to its reader
    if _regional_indicator(char) and _regional_indicator(before):
        # A flag is a pair of these: cut between pairs only.
        run = 0
        while index - run > 0 and _regional_indicator(text[index - run - 1]):
            run += 1
        return run % 2 == 0
    return True


def _extends(char: str) -> bool:
    """Whether ``char`` belongs to the character before it: a combining or spacing mark, a
    joiner, a variation selector, a skin tone, an emoji tag."""
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc")
        or char == ZERO_WIDTH_JOINER
        or 0xFE00 <= code <= 0xFE0F
        or 0xE0100 <= code <= 0xE01EF
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
    )


def _regional_indicator(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF
