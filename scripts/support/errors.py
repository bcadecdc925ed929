"""How a script refuses bad input: as the app's own commands do (``emotion_app.cli.common``),
one ``error:`` line on stderr and exit code 2, the code argparse gives a usage error. A
failure while measuring stays a traceback (exit 1), and a finding a script checks for (a
target missed, a check failed) its own exit 1. A script's ``main`` returns ``fail(message)``;
below it, :func:`refuse`: either way the line is folded to one, whatever the text holds."""

from __future__ import annotations

from typing import NoReturn

from emotion_app.cli.common import fail


def refuse(message: str) -> NoReturn:
    """Print ``error: message`` in one line and exit 2 (``fail``'s code), from anywhere
    below a script's ``main`` (a function that is no ``main`` has no exit code to return)."""
    raise SystemExit(fail(message))
