"""Checkpoint files and what a run's record says: its config, its validation split, the
chain of runs it was fine-tuned from."""

from __future__ import annotations

import dataclasses
import io
import math
import os
import pickle
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

import torch
from torch import nn

from emotion_app.io.atomic import write_with
from emotion_app.preprocessing import Preprocessing

from .config import RECORDED_PATHS, TrainConfig, label_source, range_problem, type_problem
from .data import DataError, check_nameable
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
    """torch.save into memory, written to a temporary file beside ``path``, then one
    rename (see write_with)."""
    # Made in memory, written here: torch.save's own writer turns a full disk into a
    # RuntimeError ("unexpected pos"), where a plain write raises the OSError write_with names.
    buffer = io.BytesIO()
    torch.save(state, buffer)

    def write(temp: Path) -> None:
        temp.write_bytes(buffer.getbuffer())

    write_with(path, write)


def load_checkpoint(path: Path) -> dict[str, Any]:
    """A checkpoint's contents; DataError (one line) for a file that is not one.

    weights_only: a checkpoint is data, never code. A file that needs more is refused as
    such: torch's own message would suggest loading it unsafely, which must never be done.
    """
    check_nameable(path, "checkpoint")
    try:
        with warnings.catch_warnings():
            # A damaged file can look like a pickle of an unknown protocol: torch warns before
            # it fails, and the one line below says all there is to say.
            warnings.simplefilter("ignore", UserWarning)
            state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise DataError(f"checkpoint not found: {path}") from None
    except IsADirectoryError:  # a run's folder given for its checkpoint was "truncated, corrupt"
        inside = f" (the run's is {path / CHECKPOINT_NAME})" if os.path.isfile(path / CHECKPOINT_NAME) else ""
        raise DataError(f"checkpoint {path} is a folder, not a checkpoint file{inside}") from None
    except OSError as exc:  # a file the user may not read, a disk error: not "truncated, corrupt"
        raise DataError(f"cannot read checkpoint {path}: {exc.strerror or exc}") from None
    except Exception as exc:  # a damaged file fails in many ways (UnpicklingError, IndexError, KeyError, ...)
        if isinstance(exc, pickle.UnpicklingError) and zipfile.is_zipfile(path):  # whole, but not plain data
            raise DataError(
                f"{path}: holds objects other than tensors and plain data; not loaded (a checkpoint is data, never "
                "code)"
            ) from None
        if _is_weights_file(path):
            raise DataError(
                f"{path}: a weights file, not a checkpoint; give the checkpoint.pt of the training run that made it"
            ) from None
        reason = "empty" if isinstance(exc, EOFError) else "truncated, corrupt or not written by training.train"
        raise DataError(f"{path}: not a readable checkpoint ({reason})") from None
    keys = state if isinstance(state, dict) else {}
    missing = [key for key in _CHECKPOINT_KEYS if key not in keys]
    if missing or not isinstance(state.get("config"), dict):
        if _is_weights_file(path):  # loads as a pickle of something: "no config, preprocessing, ..." said nothing
            raise DataError(
                f"{path}: a weights file, not a checkpoint; give the checkpoint.pt of the training run that made it"
            )
        raise DataError(f"{path}: not a checkpoint written by training.train (no {', '.join(missing) or 'config'})")
    problem = _damage(state)
    if problem:
        raise DataError(f"{path}: a damaged checkpoint: {problem}")
    return state


def _is_weights_file(path: Path) -> bool:
    """Whether ``path`` starts as a safetensors file does (a weights file, such as an
    --export or the shipped model): an 8-byte little-endian header length, then JSON."""
    try:
        with open(path, "rb") as handle:
            start = handle.read(9)
            size = os.fstat(handle.fileno()).st_size
    except OSError:
        return False
    return len(start) == 9 and start[8:9] == b"{" and 0 < int.from_bytes(start[:8], "little") <= size - 8


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _damage(state: dict[str, Any]) -> str:
    """What in a loaded checkpoint cannot be what training.train wrote ("" when nothing):
    a file that unpickles may still hold values a resume would trip over mid-run."""
    problem = type_problem(state["config"])
    if problem:
        return f"its config's {problem}"
    config = recorded_config(state["config"])
    problem = range_problem(config, this_machine=False)
    if problem:
        return f"its config is out of range ({problem})"
    try:
        Preprocessing.from_dict(state["preprocessing"])
    except (ValueError, TypeError) as exc:
        return f"its preprocessing: {exc}"
    epoch, step, history, best = state["epoch"], state["step"], state["history"], state["best"]
    if not _is_count(epoch) or not 0 <= epoch <= config.epochs:
        return f"epoch {epoch!r} is not a count of epochs done (0..{config.epochs})"
    if not _is_count(step) or step < 0 or (step > 0 and epoch == config.epochs):
        return f"step {step!r} is not a step within epoch {epoch + 1}"
    if not isinstance(history, list) or len(history) != epoch:
        return f"its history is not a list of {epoch} epochs' metrics"
    if not all(isinstance(row, dict) and all(_is_number(v) for v in row.values()) for row in history):
        return "its history holds rows other than metrics"
    if any(row.keys() != history[0].keys() for row in history):
        return "its history's rows hold different metrics"
    if not isinstance(best, dict) or not _is_number(best.get("val_accuracy")) or not _is_count(best.get("epoch")):
        return f"best {best!r} is not a validation accuracy and an epoch"
    best_state = state["best_state"]
    if best_state is None and epoch > 0:
        return f"it holds no best model (best_state) after {epoch} epochs"
    for name in ("model", "best_state"):
        value = state[name]
        if value is not None and not (isinstance(value, dict) and all(torch.is_tensor(v) for v in value.values())):
            return f"its {name} is not a model's tensors"
    totals = state.get("epoch_totals")
    if totals is not None and not (
        isinstance(totals, (list, tuple)) and len(totals) == 3 and all(map(_is_number, totals))
    ):
        return f"epoch_totals {totals!r} are not three numbers"
    elapsed = state.get("elapsed_s", 0.0)
    if not _is_number(elapsed) or not math.isfinite(elapsed) or elapsed < 0:
        return f"elapsed_s {elapsed!r} is not a number of seconds"
    commands = state.get("resume_commands", [])
    if not isinstance(state.get("command", ""), str) or not (
        isinstance(commands, list) and all(isinstance(c, str) for c in commands)
    ):
        return "its command or resume_commands are not text"
    problem = _lineage_damage(state.get("initialised_from"))
    if problem:
        return problem
    fingerprint = state.get(FINGERPRINT_KEY)
    if fingerprint is not None and not (isinstance(fingerprint, str) and re.fullmatch("[0-9a-f]{64}", fingerprint)):
        return f"its {FINGERPRINT_KEY} is not a SHA-256 digest"
    return ""


def _lineage_damage(node: Any) -> str:
    """What is wrong with a record of starting points (:func:`starting_point`), "" if nothing."""
    while node is not None:
        if not isinstance(node, dict):
            return "its initialised_from is not a record of a run"
        if not _is_number(node.get("training_seconds", 0.0)) or not _is_count(node.get("epochs", 0)):
            return "its initialised_from holds a run's seconds or epochs that are not numbers"
        node = node.get("initialised_from")
    return ""


def saved_epoch_totals(state: dict[str, Any]) -> tuple[float, float, float]:
    """The loss sum, correct count and face count of the interrupted epoch's steps so far
    (checked by :func:`load_checkpoint`).

    A checkpoint from before they were kept gives zeros: its resumed epoch then reports the
    steps since the resume only.
    """
    loss_sum, correct, count = (float(value) for value in state.get("epoch_totals") or (0.0, 0.0, 0.0))
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


def note_other_labels(card_training: dict[str, Any], source: str, votes: str) -> None:
    """A note when a calibration of the model whose card's ``training`` is ``card_training``
    is given other labels than it learned: without the votes of a model trained on FER+, its
    faces and labels are FER-2013's (with them, the reverse), and the figures are not those
    the model was selected on. A card that records no training settings (not made by
    ``training.train`` or ``soup``) says nothing of its labels, so no note."""
    recorded = card_training.get("config")
    if not isinstance(recorded, dict):
        return
    learned = label_source(recorded_config(recorded))
    if learned == "ferplus" and not votes:
        log(
            f"note: {source} was trained on FER+ votes; without --votes its faces are judged by FER-2013's labels "
            "(give the votes file it was trained with)"
        )
    elif learned == "fer2013" and votes:
        log(f"note: {source} was trained on FER-2013's labels; --votes judges its faces by FER+ majorities")


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
            f"{source} held out other validation faces than {data} gives (the data file, its layout, its row order "
            "or the JPEG decoder changed), so its validation figures would not be honest here; use the data it was "
            "trained on"
        )


def read_starting_run(config: TrainConfig) -> dict[str, Any]:
    """The checkpoint ``config.init_from`` names, read before the data loads (a path mistyped
    was told only once the whole data set had loaded); DataError when it holds no
    model, or a model of another split or architecture than ``config`` asks for."""
    source = load_checkpoint(Path(config.init_from))
    if source.get("best_state") is None:
        raise DataError(f"{config.init_from} holds no trained model (best_state)")
    source_config = checkpoint_config(source)
    # Named as options, each as it differs: "(val_fraction, split_seed, classes = (0.1, 0, 7))"
    # and "another shape than this run's (batch norm, classes)" left the user to find which.
    split_options = _differing_options(source_config, config, ("val_fraction", "split_seed", "classes"))
    if split_options:
        raise DataError(
            f"{config.init_from} held out another validation split: its run had {split_options[0]}, this one "
            f"{split_options[1]}; give the same"
        )
    shape_options = _differing_options(source_config, config, ("batch_norm",))
    if shape_options:
        raise DataError(
            f"{config.init_from} holds a model of another shape: its run had {shape_options[0]}, this one "
            f"{shape_options[1]}; give the same"
        )
    return source


def initialise_from(model: nn.Module, config: TrainConfig, source: dict[str, Any], fingerprint: str) -> dict[str, Any]:
    """Load the best model of ``source`` (``config.init_from``'s run, read by
    :func:`read_starting_run`) into ``model`` (a fine-tune's start); returns the record of
    that run. DataError when it held out other validation faces than this run's
    (``fingerprint``): selecting on faces the start trained on would flatter it."""
    check_validation_faces(source.get(FINGERPRINT_KEY), config.init_from, config.data, fingerprint)
    try:
        model.load_state_dict(source["best_state"])
    except (RuntimeError, TypeError) as exc:  # a best model unlike its own run's settings
        raise DataError(f"{config.init_from}: its model does not match its own run's settings") from exc
    log(f"initialised from the best model of {config.init_from} (epoch {source['best']['epoch']})")
    return starting_point(config.init_from, source)


def _differing_options(first: TrainConfig, second: TrainConfig, names: tuple[str, ...]) -> tuple[str, str] | None:
    """Those of the settings ``names`` that differ, as each config's options
    (``("--classes 7", "--classes 6")``); None where all agree."""
    differing = [name for name in names if getattr(first, name) != getattr(second, name)]
    if not differing:
        return None
    return _as_options(first, differing), _as_options(second, differing)


def _as_options(config: TrainConfig, names: list[str]) -> str:
    options = []
    for name in names:
        flag, value = name.replace("_", "-"), getattr(config, name)
        options.append((f"--{flag}" if value else f"--no-{flag}") if isinstance(value, bool) else f"--{flag} {value}")
    return " ".join(options)


def check_resume_point(path: Path, state: dict[str, Any], data: str, steps: int, cycle_steps: int | None) -> None:
    """DataError when the checkpoint's step lies past the ``steps`` of an epoch, or its
    one-cycle schedule spans another number of steps than ``data`` gives now
    (``cycle_steps``; None: no schedule): more training faces (or processes) than it was
    made for would step it past its end mid-run."""
    if state["step"] >= steps:
        raise DataError(
            f"{path}: step {state['step']} is past the {steps} steps of an epoch on {data} (a damaged checkpoint, "
            "or other data); resume with the data it was trained on"
        )
    if cycle_steps is None:
        return
    saved = state.get("scheduler")
    total = saved.get("total_steps") if isinstance(saved, dict) else None
    if total is not None and total != cycle_steps:
        raise DataError(
            f"{path}: its learning-rate schedule spans {total} steps, but {data} gives {cycle_steps} (the training "
            "data or the number of processes changed); resume with the data it was trained on"
        )


def resumed_config(command_line: TrainConfig, state: dict[str, Any]) -> TrainConfig:
    """A resumed run continues with its own settings; only the run-control flags, where
    the run now is (--out), the machine's (--device, --threads: the run may go on
    elsewhere) and a data or export path given again come from the command line."""
    saved = checkpoint_config(state)
    return dataclasses.replace(
        saved,
        device=command_line.device,
        out=command_line.out,
        resume=True,
        stop_after_steps=command_line.stop_after_steps,
        progress=command_line.progress,
        data=command_line.data or saved.data,
        export=command_line.export or saved.export,
        threads=command_line.threads,
    )


def same_recorded_path(given: str, recorded: str) -> bool:
    """Whether the path ``given`` on a resume's command line (made absolute) names the file a
    run recorded as ``recorded``. A run from before paths were recorded absolute holds them as
    typed, and where it was started is not recorded: its resume reads them from the current
    folder, so they are compared from there."""
    if not given or not recorded:
        return given == recorded
    return os.path.abspath(given) == os.path.abspath(recorded)


def unused_settings(command_line: TrainConfig, resumed: TrainConfig, given: set[str] | frozenset[str]) -> list[str]:
    """Each setting given on a resume's command line (``given``) that its recorded one
    overrides, as ``--flag VALUE (the run's: VALUE)`` (``on``/``off`` for a switch, ``not set``
    for an empty path): the resume says so rather than quietly training with other settings
    than the user typed."""
    unused = []
    for f in dataclasses.fields(TrainConfig):
        mine, theirs = getattr(command_line, f.name), getattr(resumed, f.name)
        if f.name not in given or mine == theirs:
            continue
        if f.name in RECORDED_PATHS and same_recorded_path(mine, theirs):
            continue  # made absolute here, recorded as typed by an older run: the same file
        flag = f.name.replace("_", "-")
        typed = (f"--{flag}" if mine else f"--no-{flag}") if isinstance(mine, bool) else f"--{flag} {mine}"
        unused.append(f"{typed} (the run's: {_as_said(theirs)})")
    return unused


def _as_said(value: object) -> str:
    """A recorded setting in a note's words: a switch "on" or "off", an empty path "not set"."""
    if isinstance(value, bool):
        return "on" if value else "off"
    return "not set" if value == "" else str(value)
