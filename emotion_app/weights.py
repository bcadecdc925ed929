"""Self-describing weight files (safetensors + JSON metadata).

A weights file holds tensors only, plus one JSON string under the ``emotion_app``
metadata key describing the architecture, the class names in output order, the input
preprocessing and how the model was trained. safetensors never unpickles anything, so
loading a file cannot execute code from it.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from .model import ARCHITECTURES, build_architecture
from .preprocessing import Preprocessing

FORMAT_VERSION = 1
METADATA_KEY = "emotion_app"
DEFAULT_WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"
DEFAULT_WEIGHTS_NAME = "emotion_cnn.safetensors"
DEFAULT_WEIGHTS_PATH = DEFAULT_WEIGHTS_DIR / DEFAULT_WEIGHTS_NAME


class WeightsError(Exception):
    """A weights file that cannot be used; the message always names the file."""


@dataclass(frozen=True)
class ModelCard:
    """Everything needed to rebuild and use a model, as stored beside its tensors."""

    architecture: str
    architecture_kwargs: dict[str, Any]
    labels: tuple[str, ...]
    preprocessing: Preprocessing
    training: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(
            {
                "format_version": FORMAT_VERSION,
                "architecture": self.architecture,
                "architecture_kwargs": self.architecture_kwargs,
                "labels": list(self.labels),
                "preprocessing": self.preprocessing.to_dict(),
                "training": self.training,
            },
            sort_keys=True,
        )


def save_weights(path: str | os.PathLike[str], model: nn.Module, card: ModelCard) -> Path:
    """Write ``model``'s tensors and ``card`` atomically (temp file, then rename)."""
    from safetensors.torch import save_file

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {name: t.detach().cpu().contiguous() for name, t in model.state_dict().items()}
    fd, tmp_name = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        save_file(tensors, tmp_name, metadata={METADATA_KEY: card.to_json()})
        # mkstemp makes the file owner-only; a weights file is meant to be shared.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_name, 0o666 & ~umask)
        os.replace(tmp_name, path)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    return path


def read_card(path: str | os.PathLike[str]) -> tuple[ModelCard, dict[str, torch.Tensor]]:
    """Parse a weights file into its card and tensors, with errors that name the file."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file, safe_open

    path = Path(path)
    if not path.exists():
        raise WeightsError(f"weights file not found: {path}")
    if not path.is_file():
        raise WeightsError(f"weights path is not a file: {path}")
    try:
        with safe_open(str(path), framework="pt") as handle:
            metadata = handle.metadata() or {}
        tensors = load_file(str(path))
    except (SafetensorError, OSError, ValueError, RuntimeError) as exc:
        raise WeightsError(
            f"weights file {path} is truncated, corrupt or not a safetensors file ({exc})"
        ) from exc
    if METADATA_KEY not in metadata:
        raise WeightsError(f"weights file {path} has no '{METADATA_KEY}' metadata; it was not written by this app")
    try:
        meta = json.loads(metadata[METADATA_KEY])
        labels = tuple(str(label) for label in meta["labels"])
        card = ModelCard(
            architecture=str(meta["architecture"]),
            architecture_kwargs=dict(meta.get("architecture_kwargs", {})),
            labels=labels,
            preprocessing=Preprocessing.from_dict(meta["preprocessing"]),
            training=dict(meta.get("training", {})),
        )
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise WeightsError(f"weights file {path} has malformed metadata: {exc!r}") from exc
    if int(meta.get("format_version", 0)) > FORMAT_VERSION:
        raise WeightsError(
            f"weights file {path} uses format version {meta['format_version']}; this app reads up to {FORMAT_VERSION}"
        )
    if not labels or len(set(labels)) != len(labels):
        raise WeightsError(f"weights file {path} has an empty or repeated class list: {list(labels)}")
    return card, tensors


def load_model(path: str | os.PathLike[str]) -> tuple[nn.Module, ModelCard]:
    """Build the model a weights file describes and load its tensors (eval mode)."""
    path = Path(path)
    card, tensors = read_card(path)
    if card.architecture not in ARCHITECTURES:
        raise WeightsError(
            f"weights file {path} names unknown architecture '{card.architecture}' "
            f"(known: {', '.join(sorted(ARCHITECTURES))})"
        )
    try:
        model = build_architecture(card.architecture, card.architecture_kwargs)
    except TypeError as exc:
        raise WeightsError(f"weights file {path} has bad architecture arguments {card.architecture_kwargs}: {exc}") from exc
    expected = model.state_dict()
    missing = sorted(set(expected) - set(tensors))
    unexpected = sorted(set(tensors) - set(expected))
    if missing or unexpected:
        raise WeightsError(f"weights file {path} does not match '{card.architecture}': missing {missing}, unexpected {unexpected}")
    for name, tensor in tensors.items():
        if tuple(tensor.shape) != tuple(expected[name].shape):
            raise WeightsError(
                f"weights file {path}: tensor '{name}' has shape {tuple(tensor.shape)}, "
                f"the architecture expects {tuple(expected[name].shape)}"
            )
    model.load_state_dict(tensors)
    model.eval()
    num_outputs = _count_outputs(model, card)
    if num_outputs != len(card.labels):
        raise WeightsError(
            f"weights file {path}: {len(card.labels)} class names {list(card.labels)} "
            f"but the output layer has {num_outputs} outputs"
        )
    return model, card


def _count_outputs(model: nn.Module, card: ModelCard) -> int:
    size = card.preprocessing.input_size
    with torch.no_grad():
        return int(model(torch.zeros(1, 1, size, size)).shape[1])
