"""A ``python -m training.train`` run, once its command line is parsed (the front end,
``training.train``, loads this, and torch with it, only then): its device and process
group, the training itself, its stops and errors, the export at its end."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
from torch import nn

from emotion_app.io.atomic import OutputError, write_text
from emotion_app.model import build_model, fold_batch_norm
from emotion_app.preprocessing import Preprocessing
from emotion_app.weights import WeightsError, read_header

from .checkpoints import (
    CHECKPOINT_NAME,
    FINGERPRINT_KEY,
    check_resume_point,
    check_validation_faces,
    checkpoint_config,
    initialise_from,
    load_checkpoint,
    read_starting_run,
    resumed_config,
    same_recorded_path,
    save_checkpoint,
    saved_epoch_totals,
    unused_settings,
)
from .config import TrainConfig
from .data import DataError
from .datasets import load_data, make_preprocessing
from .distributed import is_main_process, launched_distributed, log, log_error, select_device, world
from .export import publish, run_record
from .loop import (
    evaluate,
    inverse_frequency_weights,
    make_optimizer,
    metrics_row,
    select_final_model,
    steps_per_epoch,
    teacher_probabilities,
    train_one_epoch,
)
from .outputs import (
    check_export_not_a_loop,
    check_run_outputs,
    missing_folders,
    note_replaced_export,
    remove_if_empty,
    remove_old_results,
)
from .plots import write_metrics
from .stopping import stop_agreed, stop_on_signals


def start(config: TrainConfig, command: str, given: set[str] | frozenset[str]) -> int:
    """The run ``config`` asks for (``command``: its command line; ``given``: the settings
    it names), from its device to its exit code: 2 for an error, told in one line; 130 for
    a stop, with how to go on."""
    device = select_device(config)
    if launched_distributed() and not dist.is_initialized():
        dist.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
    if device.type == "cuda":
        torch.cuda.set_device(device)
    if config.threads > 0:
        torch.set_num_threads(config.threads)
    made = missing_folders(config) if is_main_process() else []
    checkpoint_path, config_path = Path(config.out) / CHECKPOINT_NAME, Path(config.out) / "config.json"
    found_checkpoint, found_config = file_identity(checkpoint_path), file_identity(config_path)
    try:
        # SIGTERM (a scheduler's or `kill`'s stop) saves a resumable checkpoint as Ctrl-C does.
        with stop_on_signals():
            return run(config, device, command, given)
    except (DataError, WeightsError, OutputError) as exc:
        log_error(str(exc))  # (a --data that is not there leaves no empty --out: see finally)
        return 2
    except KeyboardInterrupt:
        # Interrupted outside the training steps (loading, evaluating, writing files): the
        # last checkpoint on disk is consistent, so it is left as it is.
        if config.resume or file_identity(checkpoint_path) != found_checkpoint:
            log(
                f"\ninterrupted; resume from the last checkpoint with: python -m training.train --out {config.out} "
                "--resume"
            )
        else:
            # A --resume now would find no checkpoint, or (after --overwrite) continue the earlier run.
            if found_config is None and is_main_process():
                # Written just before the first step: left, it would refuse the same command again.
                config_path.unlink(missing_ok=True)
            log("\ninterrupted before this run saved a checkpoint; nothing to resume: run the same command again")
        return 130
    finally:
        # However it ends (a stop, a resume that finds no checkpoint), no folder it made
        # stays empty: one holding a checkpoint or an export is not empty, and stays.
        remove_if_empty(made)
        if dist.is_initialized():
            dist.destroy_process_group()


def file_identity(path: Path) -> tuple[int, int] | None:
    """(inode, modification time) of ``path``, None if it is not there: a checkpoint saved
    since (renamed into place) has another."""
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_ino, status.st_mtime_ns


def written_since(path: Path, since: Path) -> bool:
    """Whether ``path`` was modified after ``since`` last was (False if either is not there)."""
    first, second = file_identity(path), file_identity(since)
    return first is not None and second is not None and first[1] > second[1]


def run(config: TrainConfig, device: torch.device, command: str, given: set[str] | frozenset[str] = frozenset()) -> int:
    """One training run; ``given``: the settings named on the command line."""
    out = Path(config.out)
    checkpoint_path = out / CHECKPOINT_NAME
    state: dict[str, Any] | None = None
    finished_before = False
    export_given = bool(config.export)
    if is_main_process():
        check_run_outputs(config)
    if config.resume:
        if not checkpoint_path.exists():
            log_error(f"--resume but no checkpoint at {checkpoint_path}")
            return 2
        state = load_checkpoint(checkpoint_path)
        command_line, config = config, resumed_config(config, state)
        if config.export and is_main_process():  # the run's own, not given now: asked only now
            check_export_not_a_loop(Path(config.export))
        if command_line.export and not same_recorded_path(command_line.export, checkpoint_config(state).export):
            if is_main_process():  # another file than the run's own export, which its start told of
                note_replaced_export(config.export)
        unused = unused_settings(command_line, config, given)
        if unused:
            log(f"note: --resume continues with the run's own settings; not used: {', '.join(unused)}")
        finished_before = state["epoch"] >= config.epochs
        if finished_before:
            log(f"{checkpoint_path} has finished all {config.epochs} epochs; exporting its best model again")
        else:
            log(f"resuming {checkpoint_path} at epoch {state['epoch'] + 1}, step {state['step']}")
        # The weights file records the command that started the run (it reproduces the
        # model), plus every resume.
        resumes = list(state.get("resume_commands", [])) + [command]
        command = state.get("command", command)
    else:
        resumes = []
    # What a fine-tune started from (the earlier run's commands and time), so the weights
    # file names every step that made the model, not only the last.
    lineage: dict[str, Any] | None = state.get("initialised_from") if state is not None else None
    if not config.resume and checkpoint_path.exists() and is_main_process():
        log(f"note: --overwrite: starting afresh; {checkpoint_path} will be replaced")

    # The files a start reads besides its data are checked before the data loads, not
    # after a mistyped path has waited for the whole data set.
    starting_run = read_starting_run(config) if config.init_from and state is None else None
    if config.distill_from:
        read_header(config.distill_from)
    torch.manual_seed(config.seed)
    np.random.seed(config.seed)
    started = time.time()
    data = load_data(config)
    if len(data.train_labels) == 0 or len(data.val_labels) == 0:
        raise DataError(
            f"{config.data}: {len(data.train_labels)} training and {len(data.val_labels)} validation faces; "
            "a run needs both (a class needs at least 2 faces to give one to validation)"
        )
    if state is not None:  # --data may name another file, or another copy of the same faces
        check_validation_faces(
            state.get(FINGERPRINT_KEY), str(checkpoint_path), config.data, data.validation_fingerprint
        )
    if config.overwrite and not config.resume and is_main_process():
        removed = remove_old_results(out)
        if removed:
            log(f"note: --overwrite: removed the earlier run's {', '.join(removed)}")
    spec = (
        make_preprocessing(data.train_images, config.crop_margin)
        if state is None
        else Preprocessing.from_dict(state["preprocessing"])
    )
    world_size = world()[1]
    if config.distill_from:
        data.train_soft_targets = teacher_probabilities(config.distill_from, data, device)
        agreement = float((data.train_soft_targets.argmax(1) == data.train_labels).float().mean())
        log(
            f"distilling from {config.distill_from} (weight {config.distill_weight}; it agrees with {agreement:.1%} "
            "of the training labels)"
        )
    log(
        f"data: {len(data.train_labels)} train, {len(data.val_labels)} validation, "
        f"{len(data.test) if data.test else 0} {config.test_split}; classes {list(data.classes)}; device {device}, "
        f"world {world_size}"
    )

    model = build_model(len(data.classes), dropout=config.dropout, batch_norm=config.batch_norm).to(device)
    if device.type == "cpu":
        # oneDNN's channels-last convolutions are faster here, more so with --bf16
        # (docs/measurements.md).
        model = model.to(memory_format=torch.channels_last)  # type: ignore[call-overload]  # (a gap in torch's stubs)
    train_model: nn.Module = model
    if dist.is_initialized():
        train_model = nn.parallel.DistributedDataParallel(
            model, device_ids=[device.index] if device.type == "cuda" else None
        )
    steps = steps_per_epoch(len(data.train_labels), config.batch_size, world_size)
    optimizer, scheduler = make_optimizer(model, config, steps)
    cycle_epochs = config.epochs - config.swa_epochs
    if state is not None and state["epoch"] < config.epochs:
        check_resume_point(
            checkpoint_path, state, config.data, steps, cycle_epochs * steps if scheduler is not None else None
        )
    averaged = torch.optim.swa_utils.AveragedModel(model) if config.swa_epochs > 0 else None
    class_weights = inverse_frequency_weights(data, device) if config.class_weighting else None

    if starting_run is not None:
        lineage = initialise_from(model, config, starting_run, data.validation_fingerprint)
    epoch, step, history = 0, 0, []
    epoch_totals = (0.0, 0.0, 0.0)
    best = {"val_accuracy": -1.0, "epoch": -1}
    best_state: dict[str, torch.Tensor] | None = None
    elapsed_before = 0.0
    if state is not None:
        try:
            model.load_state_dict(state["model"])
            optimizer.load_state_dict(state["optimizer"])
            if scheduler is not None:
                scheduler.load_state_dict(state["scheduler"])
            if averaged is not None:
                averaged.load_state_dict(state["averaged"])
        except (RuntimeError, TypeError, ValueError, KeyError) as exc:
            raise DataError(f"{checkpoint_path}: its model does not match its own settings") from exc
        epoch, step, history = state["epoch"], state["step"], list(state["history"])
        # The saved sums are every process's (see train_one_epoch): the main process carries them.
        epoch_totals = saved_epoch_totals(state) if is_main_process() else (0.0, 0.0, 0.0)
        best, best_state = dict(state["best"]), state["best_state"]
        elapsed_before = float(state.get("elapsed_s", 0.0))

    def checkpoint() -> None:
        if is_main_process():
            save_checkpoint(
                checkpoint_path,
                {
                    "config": dataclasses.asdict(config),
                    "preprocessing": spec.to_dict(),
                    "model": model.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict() if scheduler is not None else None,
                    "averaged": averaged.state_dict() if averaged is not None else None,
                    "epoch": epoch,
                    "step": step,
                    "epoch_totals": list(epoch_totals),
                    "history": history,
                    "best": best,
                    "best_state": best_state,
                    "elapsed_s": elapsed_before + time.time() - started,
                    "command": command,
                    "resume_commands": resumes,
                    "initialised_from": lineage,
                    FINGERPRINT_KEY: data.validation_fingerprint,
                },
            )

    if is_main_process():
        out.mkdir(parents=True, exist_ok=True)
        write_text(out / "config.json", json.dumps(dataclasses.asdict(config), indent=2) + "\n")
        if history:  # from the checkpoint: mends a metrics.csv or curves.png a stop cut short
            write_metrics(out, history)
    budget = [config.stop_after_steps if config.stop_after_steps > 0 else -1]
    resume_hint = f"stopped; continue with: python -m training.train --out {out} --resume"
    while epoch < config.epochs:
        epoch_start = time.time()
        epoch_scheduler = scheduler
        if epoch >= cycle_epochs:
            # The averaging phase holds the rate constant; it is set on every (re)entry
            # so a resumed run needs no scheduler state for it.
            for group in optimizer.param_groups:
                group["lr"] = config.swa_lr
            epoch_scheduler = torch.optim.lr_scheduler.ConstantLR(optimizer, factor=1.0, total_iters=0)
        assert epoch_scheduler is not None
        outcome = train_one_epoch(
            train_model,
            optimizer,
            epoch_scheduler,
            data,
            spec,
            config,
            epoch,
            step,
            class_weights,
            device,
            budget,
            epoch_totals,
        )
        step, epoch_totals = outcome.step, outcome.totals
        if not outcome.finished:
            checkpoint()
            log(resume_hint)
            return 130 if budget[0] != 0 else 0
        val = evaluate(model, data.val_images, data.val_labels, spec, device)
        if averaged is not None and epoch >= cycle_epochs:
            averaged.update_parameters(model)
        row = metrics_row(
            epoch, outcome.metrics, val, float(epoch_scheduler.get_last_lr()[0]), time.time() - epoch_start
        )
        history.append(row)
        if val["accuracy"] > best["val_accuracy"]:
            best = {"val_accuracy": val["accuracy"], "epoch": epoch + 1}
            best_state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
        log(
            f"epoch {epoch + 1}/{config.epochs}: train loss {row['train_loss']:.4f} acc {row['train_accuracy']:.4f} | "
            f"val loss {row['val_loss']:.4f} acc {row['val_accuracy']:.4f} (best {best['val_accuracy']:.4f} @ "
            f"{best['epoch']}) | {row['seconds']:.0f}s"
        )
        epoch, step, epoch_totals = epoch + 1, 0, (0.0, 0.0, 0.0)
        try:
            checkpoint()
            if is_main_process():
                write_metrics(out, history)
        except KeyboardInterrupt:
            # A stop between epochs (in a fresh install, the plotting library's first
            # import takes long enough to be hit): the epoch is done, so save it whole.
            checkpoint()
            log(resume_hint)
            return 130
        if stop_agreed(device):  # asked during the epoch's last step: the epoch is saved whole
            log(resume_hint)
            return 130

    if not is_main_process():
        return 0
    assert best_state is not None
    total_seconds = elapsed_before + time.time() - started
    chosen, selected, swa_accuracy = select_final_model(best_state, best, averaged, data, spec, config, device)
    folded = fold_batch_norm(chosen.cpu()).to(device)
    meta = run_record(config, data, best, selected, swa_accuracy, device, total_seconds, lineage)
    meta.update({"command": command, "resume_commands": resumes})
    # A finished run's resume (to mend its metrics, or finish an export a stop cut off)
    # replaced its --export, and with it the calibrations written into that file since.
    # An --export holding another model since (another run's, exported there later) was
    # replaced by this old one without a word; given on this command line, it is replaced.
    # One older than the run's last checkpoint was never replaced by it (a stop cut its
    # export off): the resume the stop's line names finishes that export.
    keep_other_export = finished_before and not export_given and written_since(Path(config.export), checkpoint_path)
    publish(folded, data, spec, config, meta, out, device, finished_before, keep_other_export)
    return 0
