"""Argument types the scripts share, each failing with a one-line argparse error."""

from __future__ import annotations

import argparse

# Below this a frame or mosaic holds no face the cascade could find.
MIN_SIDE = 16


def frame_size(text: str) -> tuple[int, int]:
    """``WIDTHxHEIGHT`` (e.g. 1280x720) -> (width, height)."""
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 1280x720, got {text!r}") from None
    if width < MIN_SIDE or height < MIN_SIDE:
        raise argparse.ArgumentTypeError(f"{text} is too small: both sides must be at least {MIN_SIDE}")
    return width, height


def positive_ints(text: str) -> list[int]:
    """``1,3,5`` -> [1, 3, 5]: a comma-separated list of whole numbers of at least 1."""
    try:
        values = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected whole numbers separated by commas such as 1,3,5, got {text!r}"
        ) from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"every number must be at least 1, got {text!r}")
    return values
