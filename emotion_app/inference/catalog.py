"""The weights files a user can choose between, described from their cards alone.

Only a file's header is read (:func:`~emotion_app.weights.read_header`: the card and the
tensors' shapes, checked as loading checks them), so listing a folder of models is
cheap and never builds a tensor or runs code.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..weights import DEFAULT_WEIGHTS_DIR, DEFAULT_WEIGHTS_NAME, WeightsError, read_header

# How a card's ``training.labels`` is said to a user.
_TRAINED_ON = {"ferplus": "FER+ votes", "fer2013": "FER-2013 labels"}


@dataclass(frozen=True)
class WeightsEntry:
    """One weights file as the Model menu shows it."""

    path: Path
    labels: tuple[str, ...] = ()
    trained_on: str = ""  # "FER+ votes", "FER-2013 labels", or what the card says
    validation_accuracy: float | None = None  # on the labels it was trained on
    error: str = ""  # why the card could not be read; the file is listed, not offered

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def title(self) -> str:
        if self.error:
            return f"{self.name} (unreadable)"
        parts = [f"{len(self.labels)} classes"]
        if self.trained_on:
            parts.append(self.trained_on)
        if self.validation_accuracy is not None:
            parts.append(f"validation {self.validation_accuracy:.1%}")
        return f"{self.name} — {', '.join(parts)}"


def describe_weights(path: str | os.PathLike[str]) -> WeightsEntry:
    """The card's summary of ``path``; a file that cannot be read gets ``error`` set."""
    path = Path(path)
    try:
        card, _ = read_header(path)
    except WeightsError as exc:
        return WeightsEntry(path, error=str(exc))
    training = card.training
    source = str(training.get("labels", "fer2013"))
    accuracy = training.get("validation_accuracy")
    return WeightsEntry(
        path,
        labels=tuple(card.labels),
        trained_on=_TRAINED_ON.get(source, source),
        validation_accuracy=_share(accuracy),
    )


def _share(value: object) -> float | None:
    """A card's accuracy as a share in 0..1; None for anything else (a hand-edited card's
    NaN, ``true`` or 83 would read "validation nan%", "100.0%" or "8300.0%")."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    share = float(value)
    return share if 0.0 <= share <= 1.0 else None


def list_weights(folder: str | os.PathLike[str] = DEFAULT_WEIGHTS_DIR) -> list[WeightsEntry]:
    """Every ``*.safetensors`` in ``folder``, the shipped default first, then by name."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.safetensors"), key=lambda p: (p.name != DEFAULT_WEIGHTS_NAME, p.name))
    return [describe_weights(path) for path in files if path.is_file()]
