"""The real clips of ``../shared/data/real-clips`` and their hand-made truth (``truth.csv``).

Each row of ``truth.csv`` names a file, a frame range, the number of faces in it (empty:
not counted) and the expressions acceptable there (``|``-separated; empty: not judged).
Frames between two ranges (cuts, transitions) have no truth. :func:`videos_in` lists a
folder's clips; :func:`clips_in` the same, or InputError where there are none.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from emotion_app.cli.common import fail
from emotion_app.io.codecs import VIDEO_SUFFIXES
from emotion_app.io.video import InputError

REPO = Path(__file__).resolve().parents[2]

# ../shared beside the main checkout; a git worktree sits one level deeper.
DEFAULT_CLIPS = next(
    (
        base / "shared" / "data" / "real-clips"
        for base in (REPO.parent, REPO.parent.parent)
        if (base / "shared").is_dir()
    ),
    REPO.parent / "shared" / "data" / "real-clips",
)


TRUTH_COLUMNS = ("file", "first_frame", "last_frame", "faces", "labels", "note")

# The video clips of one person, with truth: the ones the turned and dimmed copies are made of.
ONE_PERSON_CLIPS = ("WolfgangLanger_Pexels.mp4", "single_face.mp4", "face_noface.mov", "noface_face.mov")


@dataclass(frozen=True)
class TruthRange:
    """Frames ``first`` to ``last`` (inclusive) of one file, as the truth describes them."""

    first: int
    last: int
    faces: int | None  # None: the faces are not counted here
    labels: frozenset[str]  # empty: no judgement of the expression

    def covers(self, frame: int) -> bool:
        return self.first <= frame <= self.last


def read_truth(path: Path) -> dict[str, list[TruthRange]]:
    """File name -> its truth ranges (in file order); files named without a range map to []."""
    clips: dict[str, list[TruthRange]] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            ranges = clips.setdefault(row["file"].strip(), [])
            if not row["first_frame"].strip():
                continue
            faces = row["faces"].strip()
            labels = frozenset(label.strip() for label in (row["labels"] or "").split("|") if label.strip())
            ranges.append(
                TruthRange(int(row["first_frame"]), int(row["last_frame"]), int(faces) if faces else None, labels)
            )
    return clips


def truth_or_error(path: Path) -> dict[str, list[TruthRange]] | None:
    """:func:`read_truth` of ``path``; None, after a one-line error on stderr saying why,
    where it does not read (missing, or a row that is no truth row)."""
    try:
        return read_truth(path)
    except (OSError, KeyError, ValueError) as exc:
        fail(f"cannot read truth {path}: {exc}")  # the caller's main returns the exit code
        return None


def truth_rows(path: Path, files: Sequence[str]) -> list[dict[str, str]]:
    """The rows of the truth file ``path`` that name one of ``files``, as written: to copy
    into the truth of clips made from those files."""
    with open(path, newline="", encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["file"] in files]


def truth_text(rows: Iterable[Mapping[str, object]]) -> bytes:
    """``rows`` (the columns of ``truth.csv``) as the bytes of a truth file."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(TRUTH_COLUMNS))
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode()


def faces_at(ranges: list[TruthRange], frame: int) -> int | None:
    """The truth's face count at ``frame`` (None: no counted range covers it)."""
    for truth in ranges:
        if truth.faces is not None and truth.covers(frame):
            return truth.faces
    return None


def counted(ranges: list[TruthRange]) -> bool:
    """Whether any of ``ranges`` counts faces."""
    return any(truth.faces is not None for truth in ranges)


def videos_in(folder: Path) -> list[Path]:
    """The video files of ``folder`` (the suffixes the app reads), in name order."""
    return sorted(path for path in folder.iterdir() if path.suffix.lower() in VIDEO_SUFFIXES)


def clips_in(folder: Path) -> list[Path]:
    """The video files of ``folder``, in name order; InputError where ``folder`` is no
    folder or holds no video (a script then says so in one line and returns 2, as for a
    clip it cannot read), so that no script reports on nothing."""
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder of clips")
    videos = videos_in(folder)
    if not videos:
        raise InputError(f"no video in {folder}")
    return videos
