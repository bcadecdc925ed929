"""FER+ votes: ten annotators' labels for every FER-2013 face (Barsoum et al., 2016).

Two formats are read:

- the per-file votes CSV (``split,file,neutral,happiness,...,NF``), keyed by the image's path
  inside the FER-2013 image-folder layout (``train/angry/Training_10118481.jpg``);
- Microsoft's ``fer2013new.csv`` (``Usage,Image name,neutral,...,NF``), whose rows follow
  ``fer2013.csv`` row for row, so it pairs with the Kaggle CSV.

Votes become training targets over the model's classes: single votes are dropped as annotator
noise when the face has others (as the FER+ reference code does), faces whose votes are mostly
not-a-face, unknown, disgust or contempt are left out, and the rest is renormalised.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .data import USAGES, DataError, FaceSet, check_nameable, numbered_rows

VOTE_COLUMNS: tuple[str, ...] = (
    "neutral",
    "happiness",
    "surprise",
    "sadness",
    "anger",
    "disgust",
    "fear",
    "contempt",
    "unknown",
    "NF",
)
# FER+ column -> this project's class name; columns missing here never count as a class.
COLUMN_TO_CLASS = {
    "neutral": "neutral",
    "happiness": "happy",
    "surprise": "surprise",
    "sadness": "sad",
    "anger": "angry",
    "disgust": "disgust",
    "fear": "fear",
}
LABEL_SOURCES = ("fer2013", "ferplus")


@dataclass(frozen=True)
class Votes:
    """Vote counts (N, 10) in ``VOTE_COLUMNS`` order, with each row's key."""

    counts: dict[str, np.ndarray]
    source: str
    key_kind: str  # "file" (per-file CSV) or "row" (fer2013new.csv, "<Usage>#<row within usage>")

    def __len__(self) -> int:
        return len(self.counts)


def read_votes(path: str | os.PathLike[str]) -> Votes:
    """Either format; the header decides which."""
    path = Path(path)
    check_nameable(path, "votes file")
    try:
        handle = open(path, newline="", encoding="utf-8-sig")  # a spreadsheet's byte-order mark is dropped
    except OSError as exc:
        raise DataError(f"cannot read votes file {path}: {exc.strerror}") from exc
    counts: dict[str, np.ndarray] = {}
    first_line: dict[str, int] = {}
    per_usage: dict[str, int] = {}
    with handle:
        try:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in reader.fieldnames or []]
        except (UnicodeDecodeError, csv.Error) as exc:
            raise DataError(f"{path}: not a votes CSV ({exc})") from None
        missing = [c for c in VOTE_COLUMNS if c not in header]
        if {"split", "file"} <= set(header):
            key_kind = "file"
        elif {"Usage", "Image name"} <= set(header):
            key_kind = "row"
        else:
            raise DataError(
                f"{path}: expected a FER+ votes CSV (split,file,... or Usage,Image name,...), found columns "
                f"{header[:12]}"
            )
        if missing:
            raise DataError(f"{path}: missing vote columns {missing}")
        columns = len(reader.fieldnames or [])
        try:
            for line, row in numbered_rows(reader):
                # A row cut short (a file cut off mid-row) read its missing counts as 0 votes,
                # and one with extra fields dropped them: either would change a face's target.
                fields = columns + len(row.get(None) or []) - sum(value is None for value in row.values())
                if fields != columns:
                    raise DataError(
                        f"{path}, line {line}: {fields} fields, but the header has {columns} (a row cut short, "
                        "or a stray comma)"
                    )
                row = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
                if key_kind == "file":
                    key = row["file"]
                else:
                    usage = row["Usage"]
                    index = per_usage.get(usage, 0)
                    per_usage[usage] = index + 1
                    if not row["Image name"]:
                        continue  # a face FER+ left out: it keeps its place in the row order
                    key = f"{usage}#{index}"
                try:
                    values = np.array([int(float(row[c] or 0)) for c in VOTE_COLUMNS], dtype=np.int64)
                except (ValueError, OverflowError):  # text, or inf / a number past int64
                    raise DataError(f"{path}, line {line}: vote counts must be numbers of votes") from None
                if values.min() < 0:
                    raise DataError(f"{path}, line {line}: negative vote count")
                if key in first_line:  # which of the two holds the face's votes cannot be told
                    raise DataError(
                        f"{path}, line {line}: a second row for {key} (the first is on line {first_line[key]})"
                    )
                first_line[key] = line
                counts[key] = values
        except (UnicodeDecodeError, csv.Error) as exc:
            raise DataError(f"{path}: not a votes CSV ({exc})") from None
    if not counts:
        raise DataError(f"{path}: no vote rows")
    return Votes(counts, str(path), key_kind)


def vote_matrix(faces: FaceSet, votes: Votes) -> np.ndarray:
    """Votes (N, 10) for each face of ``faces`` in order; rows of faces without votes are zero."""
    if faces.keys is None:
        raise DataError(f"{faces.source}: faces without file or row keys cannot be matched to votes")
    first = faces.keys[0] if faces.keys else ""
    wanted = "row" if first.split("#")[0] in USAGES and "#" in first else "file"
    if wanted != votes.key_kind:
        if votes.key_kind == "row":
            raise DataError(
                f"{votes.source} (fer2013new.csv format) follows fer2013.csv row by row; use it with the Kaggle CSV, "
                f"not {faces.source}"
            )
        raise DataError(
            f"{votes.source} (per-file votes) names image files; use it with the image-folder layout, not "
            f"{faces.source}"
        )
    matrix = np.zeros((len(faces.keys), len(VOTE_COLUMNS)), dtype=np.int64)
    for i, key in enumerate(faces.keys):
        row = votes.counts.get(key)
        if row is not None:
            matrix[i] = row
    if faces.keys and not has_votes(faces, votes).any():
        raise DataError(
            f"{votes.source}: none of its {len(votes)} rows names a face of {faces.source} (its paths or rows do not "
            "match this data)"
        )
    return matrix


def has_votes(faces: FaceSet, votes: Votes) -> np.ndarray:
    """Whether each face of ``faces`` has a row in ``votes`` (N,) bool."""
    return np.array([key in votes.counts for key in faces.keys or []], dtype=bool)


def class_columns(classes: tuple[str, ...]) -> list[int]:
    """Index in ``VOTE_COLUMNS`` of each of ``classes`` (in class order)."""
    by_class = {name: VOTE_COLUMNS.index(column) for column, name in COLUMN_TO_CLASS.items()}
    unknown = [c for c in classes if c not in by_class]
    if unknown:
        raise DataError(f"FER+ has no votes for the classes {unknown}")
    return [by_class[c] for c in classes]


def soft_targets(counts: np.ndarray, classes: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(targets (N, C) float32 summing to 1 on kept rows, keep mask (N,)).

    A face is kept when, after dropping single votes, its votes for ``classes`` are more than
    its votes for everything else (not-a-face, unknown and the classes the model lacks).
    """
    cleaned = counts.astype(np.float64)
    has_more = (cleaned > 1).any(axis=1, keepdims=True)
    cleaned = np.where((cleaned <= 1) & has_more, 0.0, cleaned)
    in_classes = cleaned[:, class_columns(classes)]
    inside = in_classes.sum(axis=1)
    outside = cleaned.sum(axis=1) - inside
    keep = (inside > 0) & (inside > outside)
    targets = np.divide(in_classes, inside[:, None], out=np.zeros_like(in_classes), where=inside[:, None] > 0)
    return targets.astype(np.float32), keep


def majority_labels(counts: np.ndarray, classes: tuple[str, ...]) -> tuple[np.ndarray, dict[str, int]]:
    """The FER+ majority over all ten columns as an index into ``classes``, or -1 when there is
    no single majority (a tie), it is not one of ``classes``, or the face has no votes.

    Returns (labels (N,), counts of the faces left out by reason)."""
    labels = np.full(len(counts), -1, dtype=np.int64)
    reasons = {"no_votes": 0, "tie": 0, "other_majority": 0}
    columns = class_columns(classes)
    for i, row in enumerate(counts):
        if row.sum() == 0:
            reasons["no_votes"] += 1
            continue
        top = np.flatnonzero(row == row.max())
        if len(top) > 1:
            reasons["tie"] += 1
        elif int(top[0]) in columns:
            labels[i] = columns.index(int(top[0]))
        else:
            reasons["other_majority"] += 1
    return labels, reasons


def relabel(faces: FaceSet, votes: Votes, classes: tuple[str, ...]) -> tuple[FaceSet, dict[str, int]]:
    """The faces with a single FER+ majority among ``classes``, labelled by it."""
    labels, reasons = majority_labels(vote_matrix(faces, votes), classes)
    keep = labels >= 0
    if not keep.any():
        raise DataError(f"{faces.source}: no face has a FER+ majority among {list(classes)} in {votes.source}")
    keys = [k for k, kept in zip(faces.keys or [], keep) if kept] if faces.keys is not None else None
    return FaceSet(faces.images[keep], labels[keep], classes, f"{faces.source} [FER+ majority]", reasons, keys), reasons
