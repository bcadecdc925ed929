"""FER-2013 readers: the Kaggle CSV, the image-folder layout, and plain <emotion>/ folders.

Labels are always mapped by emotion *name*, never by folder listing order.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from emotion_app.io.picture_size import decoding_flags, decoding_reduction, read_header
from emotion_app.io.video import IMAGE_SUFFIXES, MAX_IMAGE_FILE_BYTES, unreadable_image_reason
from emotion_app.link_loops import link_trouble
from emotion_app.nul_names import name_trouble

# The CSV's emotion codes 0..6, in this order (FER-2013's definition).
FER_EMOTIONS: tuple[str, ...] = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
CLASSES_6: tuple[str, ...] = ("angry", "fear", "happy", "sad", "surprise", "neutral")
CLASSES_7: tuple[str, ...] = FER_EMOTIONS
USAGES = ("Training", "PublicTest", "PrivateTest")
IMAGE_SIZE = 48
# Folder names people use for the same emotion.
_ALIASES = {
    "anger": "angry",
    "fearful": "fear",
    "happiness": "happy",
    "sadness": "sad",
    "surprised": "surprise",
    "disgusted": "disgust",
    "neutrality": "neutral",
}


class DataError(Exception):
    """Malformed or missing data; the message names the file, line or path."""


def numbered_rows(reader: csv.DictReader[str]) -> Iterator[tuple[int, dict[str | None, Any]]]:
    """``reader``'s rows as its own iteration gives them (blank lines skipped, a short row's
    missing fields None, extra ones listed under None), each with the line it starts on.

    That line is what a user finds in an editor: a count of rows is off after a blank line or a
    quoted field over several lines, and csv's ``line_num`` is the line a row ends on."""
    names = reader.fieldnames or []  # reads the header
    raw = reader.reader
    end = raw.line_num
    for fields in raw:
        start, end = end + 1, raw.line_num
        if not fields:
            continue  # a blank line
        row: dict[str | None, Any] = dict(zip(names, fields))
        if len(fields) > len(names):
            row[None] = fields[len(names) :]
        for name in names[len(fields) :]:
            row[name] = None
        yield start, row


@dataclass
class FaceSet:
    """Faces (N,48,48) uint8 with integer labels indexing ``classes``."""

    images: np.ndarray
    labels: np.ndarray
    classes: tuple[str, ...]
    source: str
    # Faces whose emotion the chosen class list lacks (e.g. disgust for 6 classes).
    skipped: dict[str, int]
    # Each face's identity in its source, to match other annotations (FER+ votes): the path
    # inside the data folder ("train/angry/Training_1.jpg") or "<Usage>#<row within usage>".
    keys: list[str] | None = None

    def __len__(self) -> int:
        return int(len(self.labels))

    def counts(self) -> dict[str, int]:
        return {name: int((self.labels == i).sum()) for i, name in enumerate(self.classes)}


def classes_for(num_classes: int) -> tuple[str, ...]:
    if num_classes == 6:
        return CLASSES_6
    if num_classes == 7:
        return CLASSES_7
    raise ValueError(f"--classes must be 6 or 7, got {num_classes}")


def canonical_emotion(name: str) -> str | None:
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    return key if key in FER_EMOTIONS else None


def _build(
    images: list[np.ndarray], names: list[str], classes: tuple[str, ...], source: str, keys: list[str]
) -> FaceSet:
    index = {name: i for i, name in enumerate(classes)}
    keep_images, keep_labels, keep_keys = [], [], []
    skipped: dict[str, int] = {}
    for image, name, key in zip(images, names, keys):
        if name in index:
            keep_images.append(image)
            keep_labels.append(index[name])
            keep_keys.append(key)
        else:
            skipped[name] = skipped.get(name, 0) + 1
    if not keep_images:
        raise DataError(f"{source}: empty split (no faces of the classes {list(classes)})")
    return FaceSet(
        np.stack(keep_images).astype(np.uint8),
        np.asarray(keep_labels, dtype=np.int64),
        classes,
        source,
        skipped,
        keep_keys,
    )


def read_csv(path: str | os.PathLike[str], usage: str, classes: tuple[str, ...]) -> FaceSet:
    """Rows of the Kaggle ``fer2013.csv`` whose Usage is ``usage``."""
    path = Path(path)
    check_nameable(path)
    if usage not in USAGES:
        raise ValueError(f"usage must be one of {USAGES}, got {usage!r}")
    images: list[np.ndarray] = []
    names: list[str] = []
    keys: list[str] = []
    try:
        # utf-8-sig: a spreadsheet's "CSV UTF-8" starts with a byte-order mark, which would
        # otherwise become part of the first column's name.
        handle = open(path, newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror}") from exc
    with handle:
        reader = csv.DictReader(handle)
        columns = len(reader.fieldnames or [])
        header = set(reader.fieldnames or [])
        if not {"emotion", "pixels", "Usage"} <= header:
            raise DataError(f"{path}: expected columns emotion,pixels,Usage, found {sorted(header)}")
        for line, row in numbered_rows(reader):
            # Every row is checked this far, whatever its Usage: a row cut short or a
            # misspelt Usage would otherwise drop a face from every split unnoticed.
            fields = columns + len(row.get(None) or []) - sum(value is None for value in row.values())
            if fields != columns:
                raise DataError(
                    f"{path}, line {line}: {fields} fields, but the header has {columns} (a row cut short, or a "
                    "stray comma)"
                )
            row_usage = (row["Usage"] or "").strip()
            if row_usage not in USAGES:
                raise DataError(f"{path}, line {line}: Usage {row_usage!r} is not one of {', '.join(USAGES)}")
            if row_usage != usage:
                continue  # another split's row, read when that split is
            try:
                code = int(row["emotion"])
            except (TypeError, ValueError):
                raise DataError(f"{path}, line {line}: emotion {row['emotion']!r} is not an integer") from None
            if not 0 <= code < len(FER_EMOTIONS):
                raise DataError(f"{path}, line {line}: unknown emotion code {code} (expected 0..6)")
            parts = (row["pixels"] or "").split()
            if len(parts) != IMAGE_SIZE * IMAGE_SIZE:
                raise DataError(f"{path}, line {line}: {len(parts)} pixels, expected {IMAGE_SIZE * IMAGE_SIZE}")
            try:
                values = np.array([int(p) for p in parts], dtype=np.int64)
            except ValueError:
                raise DataError(f"{path}, line {line}: pixels must be integers 0..255") from None
            if values.min() < 0 or values.max() > 255:
                raise DataError(f"{path}, line {line}: pixel values outside 0..255")
            keys.append(f"{usage}#{len(images)}")
            images.append(values.astype(np.uint8).reshape(IMAGE_SIZE, IMAGE_SIZE))
            names.append(FER_EMOTIONS[code])
    if not images:
        raise DataError(f"{path}: empty split (no rows with Usage {usage})")
    return _build(images, names, classes, f"{path} [{usage}]", keys)


def _read_image(path: Path) -> np.ndarray:
    # Read by Python, decoded by OpenCV, as the app reads pictures: cv2.imread crashes the
    # process on a name that is not UTF-8, and of a file it may not read says only a
    # warning of its own (the OSError here is told with its reason by load_split). Within the
    # app's limits, checked before the file is read whole: its size on disk, then the pixels
    # its header claims (a small file may decode to gigabytes); a JPEG over the pixel limit is
    # decoded shrunk by libjpeg, as the app decodes it (every face is made 48x48 anyway).
    reduction = decoding_reduction(read_header(path)) if path.stat().st_size <= MAX_IMAGE_FILE_BYTES else None
    if reduction is None:
        raise DataError(f"{path}: {unreadable_image_reason(path, video_checked=True)}")
    data = np.fromfile(path, dtype=np.uint8)
    try:
        image = cv2.imdecode(data, decoding_flags(reduction, gray=True)) if data.size else None
    except cv2.error:  # a header the app does not read (a Sun raster, a PFM) past OpenCV's own pixel limit
        image = None
    if image is None:
        raise DataError(f"unreadable image: {path}")
    if image.shape != (IMAGE_SIZE, IMAGE_SIZE):
        image = cv2.resize(image, (IMAGE_SIZE, IMAGE_SIZE), interpolation=cv2.INTER_AREA)
    return image


def read_emotion_folders(
    root: str | os.PathLike[str],
    classes: tuple[str, ...],
    prefix: str | None = None,
    key_root: str | os.PathLike[str] | None = None,
) -> FaceSet:
    """``root/<emotion>/*.jpg``; with ``prefix``, only files whose name starts with it.
    Each face's key is its path relative to ``key_root`` (default ``root``)."""
    root = Path(root)
    check_nameable(root)
    if not root.is_dir():
        raise DataError(f"not a folder: {root}")
    key_base = Path(key_root) if key_root is not None else root
    images: list[np.ndarray] = []
    names: list[str] = []
    keys: list[str] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        emotion = canonical_emotion(folder.name)
        if emotion is None:
            raise DataError(f"unknown emotion folder: {folder} (expected one of {', '.join(FER_EMOTIONS)})")
        for file in sorted(folder.iterdir()):
            if file.suffix.lower() not in IMAGE_SUFFIXES:
                continue
            if prefix is not None and not file.name.startswith(prefix):
                continue
            images.append(_read_image(file))
            names.append(emotion)
            keys.append(file.relative_to(key_base).as_posix())
    if not images:
        named = f" named {prefix}*" if prefix else ""
        raise DataError(f"{root}: empty split (no images{named} in <emotion>/ subfolders)")
    return _build(images, names, classes, str(root), keys)


# The image-folder layout of FER-2013: which subfolder holds which Usage. test/ holds two
# Usages, told apart by the file names' prefix ("PublicTest_1.jpg").
_USAGE_FOLDERS = {"Training": "train", "PublicTest": "test", "PrivateTest": "test"}


def _usage_prefix(folder: Path, usage: str) -> str | None:
    """The file-name prefix that picks ``usage``'s images out of ``folder``; None for all.

    train/ holds Training only, whatever its files are called. A test/ folder whose images
    carry neither test prefix (another export of FER-2013, or a user's own data) is the
    public test set whole, and has no private one.
    """
    if usage == "Training":
        return None
    prefixes = tuple(f"{name}_" for name, folder_name in _USAGE_FOLDERS.items() if folder_name == folder.name)
    for emotion in (p for p in folder.iterdir() if p.is_dir()):
        if any(file.name.startswith(prefixes) for file in emotion.iterdir()):
            return usage + "_"
    if usage == "PublicTest":
        return None
    raise DataError(
        f"{folder}: no images named {usage}_* (its images carry no FER-2013 test prefix, so it is taken as "
        "PublicTest whole)"
    )


def _layout_root(data: Path) -> Path:
    """``data``, or its ``fer2013/`` subfolder where it holds the unpacked archive."""
    if data.is_dir() and (data / "fer2013").is_dir() and not (data / "train").is_dir():
        return data / "fer2013"  # the archive unpacks to fer2013/
    return data


def _has_layout(data: Path) -> bool:
    return (data / "train").is_dir() or (data / "test").is_dir()


def has_splits(data: str | os.PathLike[str]) -> bool:
    """Whether ``data`` holds FER-2013's splits apart: a CSV file or the ``train/``+``test/``
    layout (what is not there is named when it is read). A plain folder of ``<emotion>/``
    subfolders has none: it is taken whole for every split."""
    path = Path(data)
    try:
        return not path.is_dir() or _has_layout(_layout_root(path))
    except OSError as exc:  # a folder the user may not search
        raise unreadable_data(path, exc) from None


def check_split_layout(data: str | os.PathLike[str]) -> None:
    """DataError if the folder ``data`` lacks the ``train/``+``test/`` layout. A plain folder
    of ``<emotion>/`` subfolders is taken whole for every split, so a run would hold out, and
    report as its test figure, faces of the set it trains on (``ROOT/train`` given for
    ``ROOT``, or ``ROOT/test`` trained on)."""
    path = Path(data)
    if has_splits(path):
        return
    try:
        tables = sorted(path.glob("*.csv"))
    except OSError as exc:
        raise unreadable_data(path, exc) from None
    if path.name in _USAGE_FOLDERS.values():
        hint = f"give the folder that holds it, {path.parent}"
    elif tables:
        hint = f"for the Kaggle CSV give the file itself, {tables[0]}"
    else:
        hint = "give the folder that holds them, or fer2013.csv (training.evaluate takes a plain <emotion>/ folder)"
    raise DataError(f"{path} has no train/ or test/ folder (FER-2013's layout); {hint}")


def load_split(data: str | os.PathLike[str], usage: str, classes: tuple[str, ...]) -> FaceSet:
    """One FER-2013 split from a CSV file, the ``train/``+``test/`` layout, or a folder.

    A plain folder of ``<emotion>/`` subfolders is taken whole, whatever ``usage`` says.
    """
    data = Path(data)
    check_nameable(data)
    try:
        return _load_split(data, usage, classes)
    except OSError as exc:  # a folder the user may not list or search, a disk error
        raise unreadable_data(data, exc) from None


def check_nameable(path: Path, name: str = "data") -> None:
    """DataError for a ``path`` no file can have (a NUL character, a lone surrogate: a
    Python caller's), as the app tells one: it was "data not found", "not a folder" or a
    bare ValueError."""
    unnamable = name_trouble(path)
    if unnamable:
        raise DataError(f"{name} {path} {unnamable}")


def unreadable_data(data: Path, exc: OSError) -> DataError:
    """The one-line error for ``data`` (or a file or folder in it, ``exc.filename``) that
    cannot be read: Python's "[Errno 13] ..." named a path the user never gave."""
    refused = _refusing_path(data, Path(os.fsdecode(exc.filename))) if exc.filename else data
    inside = f" at {refused}" if refused != data else ""
    return DataError(f"cannot read {data}: {exc.strerror or exc}{inside}")


def _refusing_path(data: Path, named: Path) -> Path:
    """``named``, or the folder on the way to it from ``data`` that the user may not search:
    a ``data`` folder barred to them was told as "at DATA/fer2013", the first path asked."""
    on_the_way = [folder for folder in reversed(named.parents) if data == folder or data in folder.parents]
    return next((folder for folder in on_the_way if not os.access(folder, os.X_OK)), named)


def _load_split(data: Path, usage: str, classes: tuple[str, ...]) -> FaceSet:
    if data.is_file():
        try:
            return read_csv(data, usage, classes)
        except (UnicodeDecodeError, csv.Error) as exc:  # a binary file, or not CSV at all
            raise DataError(f"{data}: not a FER-2013 CSV ({type(exc).__name__}: {str(exc)[:80]})") from None
    if not data.exists():
        trouble = link_trouble(data)
        if trouble:  # listed by ls, or behind a loop: "not found" would mislead
            raise DataError(f"data {data} {trouble}")
        raise DataError(f"data not found: {data}")
    data = _layout_root(data)
    subfolder = data / _USAGE_FOLDERS[usage]
    if _has_layout(data):
        if not subfolder.is_dir():
            raise DataError(f"{data}: no {subfolder.name}/ folder for {usage}")
        return read_emotion_folders(subfolder, classes, prefix=_usage_prefix(subfolder, usage), key_root=data)
    return read_emotion_folders(data, classes)


def stratified_split(labels: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, validation), ``fraction`` of each class to validation, seeded."""
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"validation fraction must be in (0, 1), got {fraction}")
    rng = np.random.default_rng(seed)
    train_idx, val_idx = [], []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        rng.shuffle(members)
        n_val = max(1, int(round(len(members) * fraction))) if len(members) > 1 else 0
        val_idx.append(members[:n_val])
        train_idx.append(members[n_val:])
    return np.sort(np.concatenate(train_idx)), np.sort(np.concatenate(val_idx))
