"""Counts read as people write them, in the app's messages and the commands' summaries."""

from emotion_app.wording import count_text


def test_one_is_singular_and_every_other_number_plural() -> None:
    assert count_text(1, "frame") == "1 frame"
    assert count_text(0, "frame") == "0 frames"
    assert count_text(275, "frame") == "275 frames"
    assert count_text(1, "person", "people") == "1 person"
    assert count_text(5, "person", "people") == "5 people"
