"""A name given to a face, kept to its own direction beside the app's text and cut only
where a character ends (emotion_app.names); how each renderer draws it is tested with it
(test_timeline, test_gui_timeline, test_overlay)."""

from __future__ import annotations

import unicodedata

import pytest

from emotion_app.names import cut_after, cut_before, is_bidi_control, isolated

FSI, PDI = "\u2068", "\u2069"


@pytest.mark.parametrize("name", ["Ada", "Zoë", "田中", "O'Brien 2", "", "#12"])
def test_a_name_that_turns_nothing_around_is_left_as_it_is(name: str) -> None:
    assert isolated(name) == name


@pytest.mark.parametrize(
    ("name", "drawn"),
    [
        ("שרה", FSI + "שרה" + PDI),
        ("\u202eAda", FSI + "\u202eAda" + PDI),  # the override ends with the isolate
        ("Ada\u2069\u202e", FSI + "Ada\u202e" + PDI),  # its own PDI would end the isolate early
        ("\u2067سارة", FSI + "\u2067سارة" + PDI + PDI),  # its own isolate closed first
        ("\u2066a\u2069b\u2069", FSI + "\u2066a\u2069b" + PDI),
        ("٣", FSI + "٣" + PDI),  # an Arabic digit turns a "(#" after it too
    ],
)
def test_a_name_that_could_turn_text_around_it_is_isolated_and_balanced(name: str, drawn: str) -> None:
    assert isolated(name) == drawn
    depth = 0
    for char in drawn:  # every isolate closed, none closed that was not opened
        depth += {"LRI": 1, "RLI": 1, "FSI": 1, "PDI": -1}.get(unicodedata.bidirectional(char), 0)
        assert depth >= 0
    assert depth == 0


def test_bidi_controls_and_marks_are_told_from_letters() -> None:
    assert all(
        is_bidi_control(char) for char in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
    )
    assert not any(is_bidi_control(char) for char in "aש ،٣\u0301\u200d")


@pytest.mark.parametrize(
    "unit",
    ["e\u0301", "👩\u200d💻", "🇫🇷", "👍🏽", "❤\ufe0f", "क्षि"],
    ids=["accent", "zwj", "flag", "skin tone", "variation", "devanagari"],
)
def test_a_cut_never_parts_a_character_from_what_belongs_to_it(unit: str) -> None:
    text = unit * 5
    for index in range(len(text) + 1):
        before, after = cut_before(text, index), cut_after(text, index)
        assert before <= index <= after
        assert before % len(unit) == 0 and after % len(unit) == 0, (index, before, after)
