"""Argument types the scripts share, each failing with a one-line argparse error."""

from __future__ import annotations

import argparse
import copy
import math
from pathlib import Path
from typing import Any

from emotion_app.arguments import ArgumentParser

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


def positive_int(text: str) -> int:
    """A count: a whole number of at least 1."""
    return _whole_number(text, 1)


def non_negative_int(text: str) -> int:
    """A count where 0 means none: a whole number of at least 0."""
    return _whole_number(text, 0)


def _whole_number(text: str, least: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < least:
        raise argparse.ArgumentTypeError(f"must be at least {least}, got {value}")
    return value


def positive_float(text: str) -> float:
    """A length or rate: a number above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be above 0, got {text}")
    if not math.isfinite(value):  # no length or rate: a count of frames made of it overflowed
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text}")
    return value


def existing_folder(text: str) -> Path:
    """A folder that is there (where a script writes its files, or reads them)."""
    path = Path(text)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: no such folder")
    return path


def new_video(text: str) -> Path:
    """A video file to write: .avi or .mp4 (the codecs the writers pick by suffix), in a
    folder that is there (else OpenCV prints its own warnings before failing)."""
    path = Path(text)
    if path.suffix.lower() not in (".avi", ".mp4"):
        raise argparse.ArgumentTypeError(f"{text}: expected a .avi or .mp4 file name")
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(f"{path.parent}: no such folder")
    return path


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


def script_parser(script_file: str, description: str | None, raw_description: bool = False) -> argparse.ArgumentParser:
    """The parser of the script ``script_file`` (its ``__file__``): its usage line says
    ``python -m scripts.NAME``, the one way the scripts run (they import ``scripts.support``),
    and its --help shows each option's default."""
    formatter = _RawDescriptionScriptFormatter if raw_description else _ScriptFormatter
    return ArgumentParser(
        prog=f"python -m scripts.{Path(script_file).stem}", description=description, formatter_class=formatter
    )


class _ScriptFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Adds "(default: X)" to an option's help, also to an option without help, unless its
    help already names its default or it has none worth saying (None, off, empty)."""

    def _format_action(self, action: argparse.Action) -> str:
        if action.help is None and _shows_default(action):
            # argparse prints nothing after an option without help: give a copy one to print.
            action = copy.copy(action)
            action.help = f"(default: {_shown(action.default)})"
        return super()._format_action(action)

    def _get_help_string(self, action: argparse.Action) -> str | None:
        help_text = action.help or ""
        if not _shows_default(action) or "default" in help_text.lower():
            return action.help
        return f"{help_text} (default: {_shown(action.default)})".lstrip()


class _RawDescriptionScriptFormatter(_ScriptFormatter, argparse.RawDescriptionHelpFormatter):
    """The same, with the description printed as written (a docstring's own layout)."""


def _shows_default(action: argparse.Action) -> bool:
    default: Any = action.default
    if default is None or default is argparse.SUPPRESS or isinstance(default, bool):
        return False
    if isinstance(default, (str, list, tuple)) and not default:  # no filter, no margins: nothing to say
        return False
    return bool(action.option_strings) or action.nargs in (argparse.OPTIONAL, argparse.ZERO_OR_MORE)


def _shown(default: Any) -> str:
    """A default as it would be typed (1.2,1.3 for a list, 640x360 for a frame size);
    ``%`` doubled, as argparse formats help texts with ``%``."""
    if isinstance(default, (list, tuple)):
        joiner = "x" if isinstance(default, tuple) and len(default) == 2 else ","
        text = joiner.join(str(value) for value in default)
    else:
        text = str(default)
    return text.replace("%", "%%")
