"""Checkpoint files and what a run's record says: its config, its validation split, the
chain of runs it was fine-tuned from."""

from __future__ import annotations

import dataclasses
import os
import pickle
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import torch
from torch import nn

from .config import TrainConfig
from .data import DataError
from .distributed import log

CHECKPOINT_NAME = "checkpoint.pt"
# Where checkpoints and weights cards record which faces their run held out
# (datasets.validation_fingerprint); those written before it was kept lack it.
FINGERPRINT_KEY = "validation_fingerprint"
# What every checkpoint of training.train holds (resume and --init-from read them).
_CHECKPOINT_KEYS = ("config", "preprocessing", "model", "epoch", "step", "history", "best", "best_state")


def starting_point(path: str, source: dict[str, Any]) -> dict[str, Any]:
    """The record of the run a fine-tune starts from, including that run's own start."""
    return {
        "checkpoint": path,
        "command": source.get("command", ""),
        "resume_commands": list(source.get("resume_commands", [])),
        "epochs": int(source["config"]["epochs"]),
        "epoch_used": int(source["best"]["epoch"]),
        "training_seconds": round(float(source.get("elapsed_s", 0.0)), 1),
        "initialised_from": source.get("initialised_from"),
    }


def lineage_seconds(lineage: dict[str, Any] | None) -> float:
    """Training time of every run in a fine-tune's chain of starting points."""
    total = 0.0
    while lineage is not None:
        total += float(lineage.get("training_seconds", 0.0))
        lineage = lineage.get("initialised_from")
    return total


def save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """torch.save to a temp file in the same folder, then an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        torch.save(state, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def load_checkpoint(path: Path) -> dict[str, Any]:
    """A checkpoint's contents; DataError (one line) for a file that is not one.

    weights_only: a checkpoint is data, never code. A file that needs more is refused as
    such: torch's own message would suggest loading it unsafely, which must never be done.
    """
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise DataError(f"checkpoint not found: {path}") from None
    except Exception as exc:  # a damaged file fails in many ways (UnpicklingError, IndexError, KeyError, ...)
        if isinstance(exc, pickle.UnpicklingError) and zipfile.is_zipfile(path):  # whole, but not plain data
            raise DataError(
                f"{path}: holds objects other than tensors and plain data; not loaded (a checkpoint is data, never "
                "code)"
            ) from None
        reason = "empty" if isinstance(exc, EOFError) else "truncated, corrupt or not written by training.train"
        raise DataError(f"{path}: not a readable checkpoint ({reason})") from None
    keys = state if isinstance(state, dict) else {}
    missing = [key for key in _CHECKPOINT_KEYS if key not in keys]
    if missing or not isinstance(state.get("config"), dict):
        raise DataError(f"{path}: not a checkpoint written by training.train (no {', '.join(missing) or 'config'})")
    return state


def saved_epoch_totals(state: dict[str, Any]) -> tuple[float, float, float]:
    """The loss sum, correct count and face count of the interrupted epoch's steps so far.

    A checkpoint from before they were kept gives zeros: its resumed epoch then reports the
    steps since the resume only.
    """
    saved = state.get("epoch_totals")
    try:
        loss_sum, correct, count = (float(value) for value in saved or (0.0, 0.0, 0.0))
    except (TypeError, ValueError):
        raise DataError("the checkpoint's epoch_totals are not three numbers") from None
    return loss_sum, correct, count


def checkpoint_config(state: dict[str, Any]) -> TrainConfig:
    """The config a checkpoint was trained with."""
    return recorded_config(state["config"])


def recorded_config(saved: dict[str, Any]) -> TrainConfig:
    """A :class:`TrainConfig` from its record (a checkpoint's, or a weights card's
    ``training.config``). Runs from before ``split_seed`` existed seeded their validation
    split with ``seed``; settings this version does not know are left out."""
    known = {f.name for f in dataclasses.fields(TrainConfig)}
    return TrainConfig(**{"split_seed": saved.get("seed", 0), **{k: v for k, v in saved.items() if k in known}})


def selection_config(card_training: dict[str, Any], data: str, classes: int, votes: str = "") -> TrainConfig:
    """The settings that load a model's own split of ``data`` again (the validation faces it
    was selected on, by its split seed, never its seed), labelled by FER+ majorities when
    given ``votes``, else by FER-2013's labels; no test split."""
    return dataclasses.replace(
        recorded_config(card_training.get("config", {})),
        data=data,
        classes=classes,
        votes=votes,
        labels="ferplus" if votes else "fer2013",
        test_split="",
    )


def validation_split(config: TrainConfig) -> tuple[float, int, int]:
    """What decides which Training faces a run holds out: fraction, split seed, classes."""
    return config.val_fraction, config.split_seed, config.classes


def check_validation_faces(recorded: Any, source: str, data: str, fingerprint: str) -> None:
    """DataError unless the run whose record (a checkpoint, a weights card's ``training``)
    holds the fingerprint ``recorded`` held out the faces that ``data`` now gives
    (``fingerprint``): figures on other faces, some of which it may have trained on, would
    not be honest.

    A record from before fingerprints were kept (None) passes with a note: its split
    settings are all that can be compared, as they were then."""
    if recorded is None:
        log(f"note: {source} predates validation fingerprints; only its split settings could be compared")
    elif recorded != fingerprint:
        raise DataError(
            f"{source} held out other validation faces than {data} gives (the data file, its layout or its row order "
            "changed), so its validation figures would not be honest here; use the data it was trained on"
        )


def initialise_from(model: nn.Module, config: TrainConfig, fingerprint: str) -> dict[str, Any]:
    """Load the best model of ``config.init_from``'s run into ``model`` (a fine-tune's
    start); returns the record of that run. DataError when it holds no model or held out
    other validation faces than this run's (``fingerprint``): selecting on faces the start
    trained on would flatter it."""
    source = load_checkpoint(Path(config.init_from))
    if source.get("best_state") is None:
        raise DataError(f"{config.init_from} holds no trained model (best_state)")
    source_split = validation_split(checkpoint_config(source))
    if source_split != validation_split(config):
        raise DataError(
            f"{config.init_from} held out a different validation split (val_fraction, split_seed, "
            f"classes = {source_split}); use the same (here {validation_split(config)})"
        )
    check_validation_faces(source.get(FINGERPRINT_KEY), config.init_from, config.data, fingerprint)
    try:
        model.load_state_dict(source["best_state"])
    except (RuntimeError, TypeError) as exc:  # another architecture (e.g. --no-batch-norm)
        raise DataError(
            f"{config.init_from} holds a model of another shape than this run's (batch norm, classes); "
            "use the same settings"
        ) from exc
    log(f"initialised from the best model of {config.init_from} (epoch {source['best']['epoch']})")
    return starting_point(config.init_from, source)


def check_schedule(path: Path, state: dict[str, Any], data: str, cycle_steps: int) -> None:
    """DataError when the checkpoint's one-cycle schedule spans another number of steps
    than ``data`` gives now (``cycle_steps``): more training faces (or processes) than it
    was made for would step it past its end mid-run."""
    saved = state.get("scheduler")
    total = saved.get("total_steps") if isinstance(saved, dict) else None
    if total is not None and total != cycle_steps:
        raise DataError(
            f"{path}: its learning-rate schedule spans {total} steps, but {data} gives {cycle_steps} (the training "
            "data or the number of processes changed); resume with the data it was trained on"
        )


def resumed_config(command_line: TrainConfig, state: dict[str, Any]) -> TrainConfig:
    """A resumed run continues with its own settings; only the run-control flags (and a
    data or export path given again) come from the command line."""
    saved = checkpoint_config(state)
    return dataclasses.replace(
        saved,
        resume=True,
        stop_after_steps=command_line.stop_after_steps,
        progress=command_line.progress,
        data=command_line.data or saved.data,
        export=command_line.export or saved.export,
        threads=command_line.threads,
    )
