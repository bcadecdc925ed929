"""Model soups: the weight average of fine-tunes of one model, checked on validation.

Fine-tunes started from the same model stay close enough in weight space that their
average is a model too (Wortsman et al., 2022). ``python -m training.soup`` is the front end.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from emotion_app.model import SeedCNN, build_model
from emotion_app.preprocessing import Preprocessing

from .checkpoints import FINGERPRINT_KEY, checkpoint_config, load_checkpoint, starting_point
from .config import TrainConfig, label_source
from .data import DataError
from .datasets import Datasets
from .loop import evaluate, recompute_batch_norm


@dataclass
class Ingredient:
    path: str
    config: TrainConfig
    preprocessing: Preprocessing
    state: dict[str, torch.Tensor]  # the run's best model, training form (with BatchNorm)
    record: dict[str, Any]  # what made it: commands, epochs, time, starting point
    fingerprint: str | None  # of its held-out faces; None in checkpoints from before it was kept
    validation_accuracy: float = 0.0


def read_ingredients(paths: list[str]) -> list[Ingredient]:
    """Load each checkpoint's best model; all must share architecture, classes, split and
    preprocessing, or their average (and its validation score) would mean nothing."""
    ingredients: list[Ingredient] = []
    for path in paths:
        try:
            state = load_checkpoint(Path(path))
        except (OSError, RuntimeError) as exc:
            raise DataError(f"cannot read checkpoint {path}: {exc}") from exc
        if state.get("best_state") is None:
            raise DataError(f"{path} holds no trained model (best_state)")
        ingredients.append(
            Ingredient(
                path,
                checkpoint_config(state),
                Preprocessing.from_dict(state["preprocessing"]),
                state["best_state"],
                starting_point(path, state),
                state.get(FINGERPRINT_KEY),
            )
        )
    first = ingredients[0]
    for other in ingredients[1:]:
        for name in ("classes", "val_fraction", "split_seed", "dropout", "batch_norm"):
            mine, theirs = getattr(first.config, name), getattr(other.config, name)
            if mine != theirs:
                raise DataError(
                    f"{other.path} differs from {first.path} in {name} ({theirs} vs {mine}); a soup needs runs that "
                    "share it"
                )
        mine, theirs = label_source(first.config), label_source(other.config)
        if mine != theirs:  # told before the preprocessing, which then differs too (other training faces)
            raise DataError(
                f"{other.path} learned {theirs} labels and {first.path} {mine}; a soup needs runs of one label set"
            )
        if None not in (first.fingerprint, other.fingerprint) and other.fingerprint != first.fingerprint:
            raise DataError(
                f"{other.path} held out other validation faces than {first.path} (trained on another data file, "
                "layout or row order); a soup needs runs that share them"
            )
        if other.preprocessing != first.preprocessing:
            raise DataError(
                f"{other.path} normalises faces differently from {first.path}; a soup needs the same preprocessing"
            )
        if other.state.keys() != first.state.keys():
            raise DataError(f"{other.path} has other layers than {first.path}")
    return ingredients


def average_states(states: list[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    """The element-wise mean of floating-point tensors; integer ones (BatchNorm's batch
    counter) are taken from the first, since the statistics are measured again anyway."""
    averaged: dict[str, torch.Tensor] = {}
    for name, first in states[0].items():
        if first.is_floating_point():
            averaged[name] = torch.stack([state[name].float() for state in states]).mean(0).to(first.dtype)
        else:
            averaged[name] = first.clone()
    return averaged


def as_model(state: dict[str, torch.Tensor], config: TrainConfig, num_classes: int, device: torch.device) -> SeedCNN:
    model = build_model(num_classes, dropout=config.dropout, batch_norm=config.batch_norm)
    model.load_state_dict(state)
    # (torch's stubs for Module.to lack memory_format, which it accepts.)
    return model.to(device, memory_format=torch.channels_last).eval()  # type: ignore[call-overload]


def score(model: nn.Module, data: Datasets, spec: Preprocessing, device: torch.device) -> float:
    return evaluate(model, data.val_images, data.val_labels, spec, device)["accuracy"]


def cook(members: list[Ingredient], data: Datasets, spec: Preprocessing, device: torch.device) -> SeedCNN:
    """The average of ``members`` with its BatchNorm statistics measured."""
    first = members[0]
    model = as_model(average_states([m.state for m in members]), first.config, len(data.classes), device)
    return recompute_batch_norm(model, data, spec, device) if first.config.batch_norm else model


def chain_totals(records: list[dict[str, Any]]) -> tuple[float, int, int]:
    """Training seconds and epochs of the ingredients and everything they started from,
    shared starting points counted once, and the longest chain's epochs (one model's worth)."""
    seen: dict[tuple[str, str], tuple[float, int]] = {}
    longest = 0
    for record in records:
        node: dict[str, Any] | None = record
        chain = 0
        while node is not None:
            seconds, epochs = float(node.get("training_seconds", 0.0)), int(node.get("epochs", 0))
            run = run_identity(node)
            # Records of one run taken at different times (a fine-tune started before a
            # resume, another after it): the later one's time includes the earlier's.
            before = seen.get(run, (0.0, 0))
            seen[run] = (max(before[0], seconds), max(before[1], epochs))
            chain += epochs
            node = node.get("initialised_from")
        longest = max(longest, chain)
    return sum(t for t, _ in seen.values()), sum(e for _, e in seen.values()), longest


def run_identity(record: dict[str, Any]) -> tuple[str, str]:
    """Which run a record of a starting point or an ingredient (:func:`starting_point`)
    names: its checkpoint's real path and the command that started it. Runs recorded
    their paths as typed before they were recorded absolute, as a soup's own ingredients
    still are, so one run's checkpoint can be written several ways (relative, absolute,
    through a link); a relative one is read from the current folder, as a resume reads
    it (checkpoints.same_recorded_path)."""
    checkpoint = str(record.get("checkpoint", ""))
    return (os.path.realpath(checkpoint) if checkpoint else "", str(record.get("command", "")))
