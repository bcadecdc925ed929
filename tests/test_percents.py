"""Shares shown as whole percents add up to 100, as the shares do (largest remainder)."""

from __future__ import annotations

import random

import pytest

from emotion_app.percents import share_text, share_texts, whole_percents


def test_three_shares_that_round_to_101_alone_add_up_to_100() -> None:
    # 41, 32 and 8 faces of 81: each rounded alone, 51% + 40% + 10% = 101%.
    shares = [41 / 81, 32 / 81, 8 / 81]
    assert [round(100 * share) for share in shares] == [51, 40, 10]
    assert whole_percents(shares) == [51, 39, 10]


def test_shares_that_round_to_99_alone_add_up_to_100() -> None:
    assert whole_percents([1 / 3, 1 / 3, 1 / 3]) == [34, 33, 33]  # a tie: the first share takes the point


@pytest.mark.parametrize("count", [1, 2, 3, 6, 7, 20])
def test_every_set_of_shares_adds_up_to_100_each_its_own_percent_rounded_down_or_up(count: int) -> None:
    rng = random.Random(count)
    for _ in range(500):
        weights = [rng.random() ** 3 for _ in range(count)]
        shares = [weight / sum(weights) for weight in weights]
        percents = whole_percents(shares)
        assert sum(percents) == 100, shares
        for share, percent in zip(shares, percents, strict=True):
            assert 100 * share - 1 < percent < 100 * share + 1, (shares, percents)


def test_a_whole_given_as_a_softmax_in_float32_still_makes_100() -> None:
    assert sum(whole_percents([0.3333333, 0.3333333, 0.3333333])) == 100
    assert whole_percents([0.0, 0.0, 1.0]) == [0, 0, 100]


def test_nothing_yet_is_all_zero_and_odd_values_count_as_zero() -> None:
    assert whole_percents([0.0, 0.0]) == [0, 0]
    assert whole_percents([]) == []
    assert whole_percents([float("nan"), -0.5, 0.25]) == [0, 0, 25]


def test_equal_fractions_tie_to_the_earlier_share_despite_float_rounding() -> None:
    # 297, 98 and 3 faces of 398: 74.62%, 24.62% and 0.75%; the first two leave the same
    # fraction (248/398), so the point left after the 0.75 goes to the first. In floats,
    # 100 * 297 / 398 came out a hair below and the second took it.
    assert whole_percents([297 / 398, 98 / 398, 3 / 398]) == [75, 24, 1]
    # A face at 97.6% with three rows at 0.6%: the label, earliest of the four equal
    # fractions, reads 98% (it read 97% while 100 * 0.976 was 97.59999999999999).
    assert whole_percents([0.004, 0.002, 0.976, 0.006, 0.006, 0.006]) == [0, 0, 98, 1, 1, 0]


def test_a_share_reads_none_or_all_only_when_it_is() -> None:
    # Rounded alone, 1 box of 250 read "0%" (as if none) and 249 "100%" (as if all).
    assert [share_text(part / 250) for part in (0, 1, 2, 124, 248, 249, 250)] == [
        "0%",
        "<1%",
        "1%",
        "50%",
        "99%",
        ">99%",
        "100%",
    ]
    assert [share_text(part / 2000, 1) for part in (0, 1, 1000, 1999, 2000)] == [
        "0%",
        "0.1%",
        "50.0%",
        ">99.9%",
        "100%",
    ]
    assert share_text(1 / 30_000, 1) == "<0.1%"
    assert [share_text(value) for value in (float("nan"), float("inf"), -0.5)] == ["0%", "0%", "0%"]


def test_shares_present_never_read_0_nor_a_part_100() -> None:
    # 249 happy boxes and 1 sad read "happy 100%, sad 0%".
    assert share_texts([249 / 250, 1 / 250]) == [">99%", "<1%"]
    assert share_texts([0.994, 0.003, 0.003, 0.0]) == [">99%", "<1%", "<1%", "0%"]
    # Rounded to 0 or 100 where they are none or all; the rest as whole_percents gives them.
    assert share_texts([1.0, 0.0, 0.0]) == ["100%", "0%", "0%"]
    assert share_texts([41 / 81, 32 / 81, 8 / 81]) == ["51%", "39%", "10%"]
    assert share_texts([0.0, 0.0]) == ["0%", "0%"] and share_texts([]) == []
    assert share_texts([float("nan"), 1.0]) == ["0%", "100%"]


def test_a_share_short_of_all_never_reads_100_where_the_rest_is_not_shown() -> None:
    # Shares adding up to less than a whole (whole_percents' sum rounded): 0.996 alone, or
    # beside shares of none, read "100%" as if it were all.
    assert share_texts([0.996]) == [">99%"]
    assert share_texts([0.996, 0.0]) == [">99%", "0%"]
    assert share_texts([1.0]) == ["100%"] and share_texts([0.0, 1.0]) == ["0%", "100%"]
