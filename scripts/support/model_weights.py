"""Which weights a measurement runs: for a GUI one the file asked for, the shipped one, or
random ones; for the others the classifier loaded, or a one-line refusal."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from emotion_app.weights import DEFAULT_WEIGHTS_PATH
from scripts.support.errors import refuse

if TYPE_CHECKING:
    from emotion_app.inference.classifier import EmotionClassifier


def weights_or_random(asked: Path | None, work: Path) -> Path:
    """``asked``, else the shipped default, else a random-init model written into ``work``
    (the same cost per face: what the GUI scripts time does not depend on the weights)."""
    if asked is not None:
        if not asked.is_file():
            refuse(f"{asked}: no such weights file")
        return asked
    if DEFAULT_WEIGHTS_PATH.is_file():
        return DEFAULT_WEIGHTS_PATH
    from emotion_app.samples import make_random_weights

    return make_random_weights(work / "random.safetensors")


def classifier_or_refuse(weights: Path | None, optimize: bool = True) -> EmotionClassifier:
    """``load_classifier``'s classifier (the shipped one for None); weights it can't use
    (missing, damaged) are bad input, refused in one line with exit 2 as by the app's commands."""
    from emotion_app.cli.common import CommandError, load_classifier

    try:
        return load_classifier(weights, optimize)
    except CommandError as exc:
        refuse(str(exc))
