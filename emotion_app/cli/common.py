"""Pieces the commands share: loading the engine with one-line errors."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..inference.classifier import EmotionClassifier
from ..faces.detector import FaceDetector, OpenCVSetupError
from ..weights import DEFAULT_WEIGHTS_PATH, WeightsError


class CommandError(Exception):
    """A user-fixable problem; the CLI prints ``error: <message>`` and exits with code 2."""


def add_weights_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--weights",
        type=Path,
        default=None,
        metavar="W",
        help=f"weights file (default: the shipped {DEFAULT_WEIGHTS_PATH.name} in weights/)",
    )


def add_threads_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--threads", type=int, default=1, metavar="N",
        help="torch intra-op threads for the classifier (default 1: a frame's few faces gain nothing "
        "from more, and spinning worker threads slow everything else on small machines)",
    )


def apply_threads(threads: int) -> None:
    import torch

    if threads < 1:
        raise CommandError(f"--threads must be at least 1, got {threads}")
    torch.set_num_threads(threads)


def load_classifier(weights: Path | None, optimize: bool = True) -> EmotionClassifier:
    """The classifier from ``weights`` (default: shipped), fast runner built; CommandError if unusable."""
    try:
        return EmotionClassifier.load(weights, optimize=optimize)
    except WeightsError as exc:
        hint = "" if weights is not None else " (pass --weights FILE)"
        raise CommandError(f"{exc}{hint}") from exc


def make_detector(min_face_size: int = 48) -> FaceDetector:
    try:
        return FaceDetector(min_face_size=min_face_size)
    except OpenCVSetupError as exc:
        raise CommandError(str(exc)) from exc


def fail(message: str) -> int:
    """Print a one-line error and return the bad-input exit code."""
    print(f"error: {' '.join(str(message).split())}", file=sys.stderr)
    return 2
