"""What a spreadsheet reads as a formula in a CSV cell, and text made safe from it.

Below both the CSV writers (``io``) and the weights card's checks (``weights``, which the
inference layer imports), so it imports nothing of the app: ``weights`` reaching ``io``
would tie ``inference`` to ``io``, which the import contracts keep apart.
"""

from __future__ import annotations

# A first character that makes a spreadsheet read a cell as a formula (OWASP's list): a tab
# or a line break first is skipped by some before they look, and Excel in a Japanese locale
# reads the full-width signs as the ASCII ones.
FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")

# A cell given a ``'`` first: a formula's start, and a ``'`` itself, or text typed ``'=x``
# would come out as ``=x`` typed does, and the two could not be told apart.
_QUOTED_STARTS: tuple[str, ...] = (*FORMULA_STARTS, "'")


def spreadsheet_text(text: str) -> str:
    """Text a person typed (a name), as a CSV cell a spreadsheet shows and never runs: one
    starting like a formula (``=cmd|...``) gets a ``'`` first, as OWASP advises, and so does
    one starting with a ``'``, so ``'=x`` (``''=x``) stays apart from ``=x`` (``'=x``); the
    rest is as it is (commas, quotes and line breaks are the CSV writer's to quote). A lone
    surrogate, which UTF-8 cannot hold, is written ``\\udcxx`` rather than failing the file."""
    safe = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return "'" + safe if safe.startswith(_QUOTED_STARTS) else safe
