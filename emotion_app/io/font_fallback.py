"""Which installed font draws a character the overlay's own font lacks.

The overlay draws with DejaVu Sans (Latin, Greek, Cyrillic and more), but a name the user
gives a face may be Chinese, Japanese, Korean, Thai, Arabic...: drawn in DejaVu it would
show as empty boxes. Such a character is drawn in the first installed font that has it,
preferring the families made to fill these gaps (Noto, Droid Sans Fallback, the
systems' own CJK fonts). Fonts are found and read with matplotlib (already a dependency),
imported only when a character outside plain ASCII first needs it.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

# Font files whose names contain these are tried first, in this order: families made to
# cover many scripts, then the big system fonts of Windows and macOS.
PREFERRED_NAMES = (
    "notosans",
    "noto",
    "droidsansfallback",
    "cjk",
    "unifont",
    "yahei",
    "msgothic",
    "malgun",
    "pingfang",
    "hiragino",
    "arialuni",
    "simsun",
    "segoeui",
    "nirmala",
)
# Fonts read at most, per character looked for: a character no font has must not make
# every frame read every font on a machine with hundreds.
MAX_FONTS_TRIED = 80

_LOCK = threading.Lock()


def fallback_font(char: str, primary: Path) -> Path | None:
    """The font to draw ``char`` in: None when ``primary`` has it (or no installed font
    does, so the primary's box is as good as any), else an installed font's file."""
    if char.isascii() or ord(char) in _charmap(str(primary)):
        return None
    return _first_font_with(ord(char))


def undrawable(char: str, primary: Path) -> bool:
    """Whether neither ``primary`` nor any installed font has ``char``: it shows as a box (a
    control character too, ASCII's among them)."""
    return ord(char) not in _charmap(str(primary)) and _first_font_with(ord(char)) is None


@lru_cache(maxsize=4096)
def _first_font_with(code: int) -> Path | None:
    for path in _installed_fonts()[:MAX_FONTS_TRIED]:
        if code in _charmap(path):
            return Path(path)
    return None


@lru_cache(maxsize=1)
def _installed_fonts() -> tuple[str, ...]:
    try:
        from matplotlib import font_manager

        found = font_manager.findSystemFonts(fontext="ttf")
    except Exception as exc:  # a broken font setup must not break drawing
        log.info("no installed fonts found for characters DejaVu Sans lacks: %s", exc)
        return ()
    return tuple(sorted(found, key=_preference))


def _preference(path: str) -> tuple[int, str]:
    name = Path(path).name.lower().replace(" ", "").replace("-", "").replace("_", "")
    rank = next((index for index, part in enumerate(PREFERRED_NAMES) if part in name), len(PREFERRED_NAMES))
    return rank, name


@lru_cache(maxsize=256)
def _charmap(path: str) -> frozenset[int]:
    """The code points ``path`` has glyphs for (empty when it cannot be read)."""
    with _LOCK:  # FreeType faces are not for two threads at once
        try:
            from matplotlib.ft2font import FT2Font

            return frozenset(FT2Font(path).get_charmap())
        except Exception as exc:
            log.debug("cannot read the font %s: %s", path, exc)
            return frozenset()
