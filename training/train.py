"""Train the seed CNN on FER-2013 and export a self-describing weights file.

    python -m training.train --data /path/to/fer2013 --epochs 60 --out runs/seed \
        --export weights/emotion_cnn.safetensors

Runs under torchrun (DistributedDataParallel: gloo on CPU, NCCL on GPUs) as well.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import math
import os
import shlex
import signal
import sys
import threading
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn

from emotion_app.model import SEED_ARCHITECTURE, SeedCNN, build_model, fold_batch_norm
from emotion_app.preprocessing import Preprocessing, average_views, test_time_inputs
from emotion_app.weights import ModelCard, WeightsError, load_model, save_weights

from .augment import AugmentConfig, augment
from .data import CLASSES_7, DataError, FaceSet, classes_for, load_split, stratified_split
from .ferplus import LABEL_SOURCES, Votes, read_votes, relabel, soft_targets, vote_matrix

CHECKPOINT_NAME = "checkpoint.pt"
TTA_CHOICES = ("auto", "off", "flip", "flip+zoom0.95", "flip+zoom0.9")


@dataclass
class TrainConfig:
    data: str = ""
    out: str = "runs/seed"
    export: str = ""  # also write the best model's weights file here
    classes: int = 6
    val_fraction: float = 0.1
    epochs: int = 70
    batch_size: int = 64
    lr: float = 0.05  # peak of the one-cycle schedule
    warmup_fraction: float = 0.15
    momentum: float = 0.9
    weight_decay: float = 5e-4
    label_smoothing: float = 0.1
    class_weighting: bool = False
    dropout: float = 0.3
    batch_norm: bool = True  # folded into the convolutions at export
    augment: bool = True
    augment_strength: float = 1.0  # scales every jitter and the erasing chance; flips stay
    seed: int = 0  # weights, data order, augmentation
    # The validation split's own seed, so runs with different --seed (e.g. fine-tunes to
    # average) hold out the same faces and none selects on faces another trained on.
    split_seed: int = 0
    threads: int = 0  # 0: torch's default
    bf16: bool = False  # CPU autocast to bfloat16 (fast on CPUs with AVX512-BF16/AMX)
    device: str = "auto"
    resume: bool = False
    # Start from the best model of an earlier run's checkpoint.pt (fine-tuning); the
    # optimiser and schedule start afresh.
    init_from: str = ""
    stop_after_steps: int = 0  # stop (resumable) after this many steps in this run; 0: never
    # Stochastic weight averaging: the last ``swa_epochs`` epochs train at a constant
    # ``swa_lr`` (the one-cycle schedule covers the epochs before them) and the weights are
    # averaged at the end of each; the average, with BatchNorm statistics recomputed on the
    # training faces, then competes with the best single epoch on the validation split.
    swa_epochs: int = 0
    swa_lr: float = 0.01
    # Distillation: a weights file (e.g. an earlier run's export) whose predictions on the
    # training faces, averaged over its own test-time views, are mixed into the targets
    # with weight ``distill_weight``. Computed once before training, so a step costs no more.
    distill_from: str = ""
    distill_weight: float = 0.5
    # Which labels to learn: "fer2013" (one labeller per face) or "ferplus" (the ten FER+
    # votes per face, as a probability distribution); "" picks ferplus when --votes is given.
    labels: str = ""
    votes: str = ""  # FER+ votes: the per-file votes CSV or Microsoft's fer2013new.csv
    crop_margin: float = 0.1  # recorded for the live pipeline: context around a Haar box
    test_split: str = "PublicTest"
    # Test-time augmentation of the exported model: "auto" picks, on the *validation*
    # split, among off, flip, flip+zoom0.95 and flip+zoom0.9; or name one of them.
    tta: str = "auto"
    progress: bool = True


@dataclass
class Datasets:
    train_images: torch.Tensor  # uint8 (N,48,48)
    train_labels: torch.Tensor
    val_images: torch.Tensor
    val_labels: torch.Tensor
    classes: tuple[str, ...]
    test: FaceSet | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    train_soft_targets: torch.Tensor | None = None  # float (N, C): teacher probabilities when distilling
    # float (N, C): the FER+ vote distribution of each training face (--labels ferplus)
    train_vote_targets: torch.Tensor | None = None


# ----------------------------------------------------------------------------- helpers


def is_main_process() -> bool:
    return not dist.is_initialized() or dist.get_rank() == 0


def world() -> tuple[int, int]:
    if dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def log(message: str) -> None:
    if is_main_process():
        print(message, flush=True)


def step_seed(seed: int, epoch: int, step: int) -> int:
    # Every step's randomness depends only on (seed, epoch, step), so a resumed run
    # draws exactly what the uninterrupted run would have drawn.
    return (seed * 1_000_003 + epoch * 10_007 + step) % (2**63 - 1)


def select_device(config: TrainConfig) -> torch.device:
    if config.device != "auto":
        return torch.device(config.device)
    if torch.cuda.is_available():
        local_rank = int(os.environ.get("LOCAL_RANK", 0))
        return torch.device("cuda", local_rank)
    return torch.device("cpu")


def label_source(config: TrainConfig) -> str:
    return config.labels or ("ferplus" if config.votes else "fer2013")


def load_data(config: TrainConfig) -> Datasets:
    if label_source(config) == "ferplus":
        return load_ferplus_data(config, read_votes(config.votes))
    classes = classes_for(config.classes)
    training = load_split(config.data, "Training", classes)
    train_idx, val_idx = stratified_split(training.labels, config.val_fraction, config.split_seed)
    test = None
    try:
        test = load_split(config.data, config.test_split, classes) if config.test_split else None
    except DataError as exc:
        log(f"note: no {config.test_split} split ({exc}); the test figure is skipped")
    images = torch.from_numpy(training.images)
    labels = torch.from_numpy(training.labels)
    return Datasets(
        images[train_idx], labels[train_idx], images[val_idx], labels[val_idx], classes, test,
        {"skipped_training": training.skipped, "training_source": training.source},
    )


def load_ferplus_data(config: TrainConfig, votes: Votes) -> Datasets:
    """Training faces with their FER+ vote distributions; validation and test faces labelled
    by their FER+ majority.

    The validation faces are exactly those a FER-2013-label run with the same split settings
    holds out, so models trained on either label set are compared on faces neither saw.
    Faces FER-2013 labelled disgust (never held out there) may train when their votes fall
    in the model's classes.
    """
    classes = classes_for(config.classes)
    every = load_split(config.data, "Training", CLASSES_7)
    assert every.keys is not None
    original = np.array([CLASSES_7[i] for i in every.labels])
    usual = np.flatnonzero(np.isin(original, classes))  # the faces a fer2013-label run would load
    usual_labels = np.array([classes.index(name) for name in original[usual]])
    _, val_idx = stratified_split(usual_labels, config.val_fraction, config.split_seed)
    held_out = np.zeros(len(every), dtype=bool)
    held_out[usual[val_idx]] = True
    counts = vote_matrix(every, votes)
    targets, keep = soft_targets(counts, classes)
    train_mask = keep & ~held_out
    val_faces = FaceSet(every.images[held_out], every.labels[held_out], CLASSES_7, every.source, {}, [k for k, h in zip(every.keys, held_out) if h])
    validation, val_reasons = relabel(val_faces, votes, classes)
    test = None
    if config.test_split:
        try:
            test, _ = relabel(load_split(config.data, config.test_split, CLASSES_7), votes, classes)
        except DataError as exc:
            log(f"note: no {config.test_split} split with FER+ votes ({exc}); the test figure is skipped")
    train_targets = torch.from_numpy(targets[train_mask])
    extra = {
        "training_source": every.source, "votes": votes.source, "labels": "ferplus",
        "left_out_training": int((~keep & ~held_out).sum()), "validation_left_out": val_reasons,
    }
    log(f"FER+ votes: {int(train_mask.sum())} training faces kept, {extra['left_out_training']} left out (mostly not-a-face, unknown, disgust or contempt)")
    return Datasets(
        torch.from_numpy(every.images[train_mask]), train_targets.argmax(1), torch.from_numpy(validation.images),
        torch.from_numpy(validation.labels), classes, test, extra, train_vote_targets=train_targets,
    )


def make_preprocessing(train_images: torch.Tensor, crop_margin: float) -> Preprocessing:
    pixels = train_images.to(torch.float32) / 255.0
    return Preprocessing(mean=round(float(pixels.mean()), 5), std=round(float(pixels.std()), 5), crop_margin=crop_margin)


# ----------------------------------------------------------------------------- core loop


def train_one_epoch(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    data: Datasets,
    spec: Preprocessing,
    config: TrainConfig,
    epoch: int,
    start_step: int,
    class_weights: torch.Tensor | None,
    device: torch.device,
    budget: list[int],
) -> tuple[dict[str, float], int, bool]:
    """Train from ``start_step`` to the end of ``epoch``.

    Returns (metrics, next step, finished). ``finished`` is False when the step budget
    (``--stop-after-steps``) ran out or the user pressed Ctrl-C; the caller then saves a
    checkpoint that resumes at the returned step.
    """
    rank, world_size = world()
    steps = steps_per_epoch(len(data.train_labels), config.batch_size, world_size)
    order = torch.randperm(len(data.train_labels), generator=torch.Generator().manual_seed(step_seed(config.seed, epoch, -1)))
    per_rank = len(order) // world_size
    shard = order[rank * per_rank : (rank + 1) * per_rank]
    model.train()
    totals = torch.zeros(3, dtype=torch.float64)  # loss sum, correct, count
    progress = None
    if config.progress and is_main_process():
        from tqdm import tqdm

        progress = tqdm(total=steps, initial=start_step, desc=f"epoch {epoch + 1}/{config.epochs}", unit="batch", leave=False, dynamic_ncols=True)
    augmentation = AugmentConfig().scaled(config.augment_strength)
    step = start_step
    try:
        while step < steps:
            if budget[0] == 0:
                return _metrics(totals), step, False
            torch.manual_seed(step_seed(config.seed, epoch, step) + rank)
            generator = torch.Generator().manual_seed(step_seed(config.seed, epoch, step) * 7 + rank)
            index = shard[step * config.batch_size : (step + 1) * config.batch_size]
            images = data.train_images[index].to(torch.float32).unsqueeze(1) / 255.0
            if config.augment:
                images = augment(images, augmentation, generator)
            inputs = ((images - spec.mean) / spec.std).to(device)
            targets = data.train_labels[index].to(device)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=config.bf16):
                logits = model(inputs)
            if data.train_vote_targets is not None:
                loss = soft_cross_entropy(logits.float(), data.train_vote_targets[index].to(device))
            elif data.train_soft_targets is None:
                loss = F.cross_entropy(logits.float(), targets, weight=class_weights, label_smoothing=config.label_smoothing)
            else:
                loss = distillation_loss(logits.float(), targets, data.train_soft_targets[index].to(device), config, class_weights)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            totals += torch.tensor([loss.item() * len(index), (logits.argmax(1) == targets).sum().item(), len(index)], dtype=torch.float64)
            step += 1
            if budget[0] > 0:
                budget[0] -= 1
            if progress is not None:
                progress.update(1)
                progress.set_postfix(loss=f"{totals[0] / totals[2]:.3f}", acc=f"{totals[1] / totals[2]:.3f}", lr=f"{scheduler.get_last_lr()[0]:.4f}")
    except KeyboardInterrupt:
        log(f"\ninterrupted at epoch {epoch + 1}, step {step}; saving a checkpoint to resume from")
        return _metrics(totals), step, False
    finally:
        if progress is not None:
            progress.close()
    if dist.is_initialized():
        dist.all_reduce(totals)
    return _metrics(totals), step, True


def soft_cross_entropy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Cross-entropy to a probability distribution per face (FER+'s vote distribution)."""
    return -(targets * F.log_softmax(logits, dim=1)).sum(1).mean()


def distillation_loss(logits: torch.Tensor, targets: torch.Tensor, teacher: torch.Tensor, config: TrainConfig, class_weights: torch.Tensor | None) -> torch.Tensor:
    """Cross-entropy against the teacher's probabilities mixed with the smoothed true label."""
    num_classes = logits.shape[1]
    hard = F.one_hot(targets, num_classes).float() * (1.0 - config.label_smoothing) + config.label_smoothing / num_classes
    soft = config.distill_weight * teacher + (1.0 - config.distill_weight) * hard
    per_face = -(soft * F.log_softmax(logits, dim=1)).sum(1)
    if class_weights is None:
        return per_face.mean()
    weights = class_weights[targets]
    return (per_face * weights).sum() / weights.sum()


def teacher_probabilities(path: str, data: Datasets, device: torch.device) -> torch.Tensor:
    """The teacher's test-time-averaged probabilities for every training face."""
    teacher, card = load_model(path)
    if tuple(card.labels) != tuple(data.classes):
        raise DataError(f"teacher {path} predicts {list(card.labels)}, but this run trains {list(data.classes)}")
    return predict_probabilities(teacher.to(device), data.train_images, card.preprocessing, device).float().cpu()


def _metrics(totals: torch.Tensor) -> dict[str, float]:
    count = max(float(totals[2]), 1.0)
    return {"loss": float(totals[0]) / count, "accuracy": float(totals[1]) / count}


def steps_per_epoch(n: int, batch_size: int, world_size: int) -> int:
    return max(1, math.ceil((n // world_size) / batch_size))


@torch.no_grad()
def predict_probabilities(model: nn.Module, images: torch.Tensor | np.ndarray, spec: Preprocessing, device: torch.device, flip_tta: bool = False, batch_size: int = 256) -> torch.Tensor:
    """Softmax outputs for uint8 faces (N,48,48), averaged over the test-time views of
    ``spec`` (plus the mirror image when ``flip_tta``)."""
    model.eval()
    if isinstance(images, torch.Tensor):
        images = images.numpy()
    spec = dataclasses.replace(spec, flip_tta=flip_tta or spec.flip_tta)
    outputs = []
    for start in range(0, len(images), batch_size):
        inputs, num_views = test_time_inputs(images[start : start + batch_size], spec)
        # Channels-last: PyTorch's CPU max-pool (5x5 here) is ~3x slower on NCHW tensors.
        probs = torch.softmax(model(inputs.to(device, memory_format=torch.channels_last)).float(), dim=1)
        outputs.append(average_views(probs, num_views).cpu())
    return torch.cat(outputs) if outputs else torch.zeros(0, 0)


def evaluate(model: nn.Module, images: torch.Tensor | np.ndarray, labels: torch.Tensor | np.ndarray, spec: Preprocessing, device: torch.device, flip_tta: bool = False) -> dict[str, float]:
    """Loss and accuracy of ``model`` on uint8 faces."""
    labels = torch.as_tensor(labels)
    probs = predict_probabilities(model, images, spec, device, flip_tta)
    loss = F.nll_loss(torch.log(probs.clamp_min(1e-8)), labels).item()
    return {"loss": loss, "accuracy": float((probs.argmax(1) == labels).float().mean())}


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
    # weights_only: a checkpoint is data, never code.
    return torch.load(path, map_location="cpu", weights_only=True)


def checkpoint_config(state: dict[str, Any]) -> TrainConfig:
    """The config a checkpoint was trained with. Runs from before ``split_seed`` existed
    seeded their validation split with ``seed``."""
    saved = state["config"]
    return TrainConfig(**{"split_seed": saved.get("seed", 0), **saved})


def validation_split(config: TrainConfig) -> tuple[float, int, int]:
    """What decides which Training faces a run holds out: fraction, split seed, classes."""
    return config.val_fraction, config.split_seed, config.classes


def write_metrics(out: Path, history: list[dict[str, Any]]) -> None:
    if not history:
        return
    with open(out / "metrics.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(history[0]))
        writer.writeheader()
        writer.writerows(history)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = [row["epoch"] for row in history]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    ax_loss.plot(epochs, [row["train_loss"] for row in history], label="train")
    ax_loss.plot(epochs, [row["val_loss"] for row in history], label="validation")
    ax_loss.set_xlabel("epoch"), ax_loss.set_ylabel("loss"), ax_loss.legend()
    ax_acc.plot(epochs, [row["train_accuracy"] for row in history], label="train")
    ax_acc.plot(epochs, [row["val_accuracy"] for row in history], label="validation")
    ax_acc.set_xlabel("epoch"), ax_acc.set_ylabel("accuracy"), ax_acc.legend()
    fig.tight_layout()
    fig.savefig(out / "curves.png", dpi=100)
    plt.close(fig)


def averaged_model_with_fresh_statistics(averaged: torch.optim.swa_utils.AveragedModel, data: Datasets, spec: Preprocessing, config: TrainConfig, device: torch.device) -> nn.Module:
    """The weight average as a plain model, its BatchNorm statistics recomputed."""
    model = build_model(len(data.classes), dropout=config.dropout, batch_norm=config.batch_norm)
    model.load_state_dict(averaged.module.state_dict())
    return recompute_batch_norm(model.to(device), data, spec, device)


def recompute_batch_norm(model: nn.Module, data: Datasets, spec: Preprocessing, device: torch.device) -> nn.Module:
    """Measure ``model``'s BatchNorm statistics again with one pass over the (unaugmented)
    training faces; returns it in eval mode.

    Averaged weights match no single run's running statistics, so theirs must be measured.
    """

    def batches() -> Any:
        for start in range(0, len(data.train_images), 256):
            images = data.train_images[start : start + 256].to(torch.float32).unsqueeze(1) / 255.0
            yield ((images - spec.mean) / spec.std).to(device, memory_format=torch.channels_last)

    torch.optim.swa_utils.update_bn(batches(), model, device)
    return model.eval()


def export_weights(path: Path, folded: SeedCNN, classes: tuple[str, ...], spec: Preprocessing, training_meta: dict[str, Any]) -> Path:
    """Write the inference-form (BatchNorm-folded) model with its card."""
    card = ModelCard(SEED_ARCHITECTURE, folded.architecture_kwargs(), classes, spec, training_meta)
    return save_weights(path, folded, card)


# ----------------------------------------------------------------------------- main


def publish(folded: SeedCNN, data: Datasets, spec: Preprocessing, config: TrainConfig, meta: dict[str, Any], out: Path, device: torch.device) -> dict[str, Any]:
    """Choose the test-time views on validation, report the test split(s), export.

    Writes ``out/best.safetensors`` (and ``config.export``) with ``meta`` completed, and
    ``out/summary.json``; prints the summary's headline figures as one JSON line.
    """
    # Test-time augmentation is chosen on the validation split only: each candidate adds
    # views (and classifier cost), so one must beat the cheaper ones to be picked.
    candidates = {
        "off": dataclasses.replace(spec, flip_tta=False, tta_zooms=()),
        "flip": dataclasses.replace(spec, flip_tta=True, tta_zooms=()),
        "flip+zoom0.95": dataclasses.replace(spec, flip_tta=True, tta_zooms=(0.95,)),
        "flip+zoom0.9": dataclasses.replace(spec, flip_tta=True, tta_zooms=(0.9,)),
    }
    val_by_tta = {name: evaluate(folded, data.val_images, data.val_labels, candidate, device)["accuracy"] for name, candidate in candidates.items()}
    if config.tta == "auto":
        chosen = "off"
        for name, accuracy in val_by_tta.items():
            if accuracy > val_by_tta[chosen]:
                chosen = name
    elif config.tta in candidates:
        chosen = config.tta
    else:
        raise ValueError(f"--tta must be auto or one of {', '.join(candidates)}, got {config.tta!r}")
    spec = candidates[chosen]
    meta["validation_accuracy_by_tta"] = {name: round(acc, 5) for name, acc in val_by_tta.items()}
    meta["validation_accuracy_flip_tta"] = round(val_by_tta["flip"], 5)
    meta["tta"] = chosen
    meta["flip_tta"] = spec.flip_tta
    log("validation accuracy by test-time augmentation: " + ", ".join(f"{n} {a:.4f}" for n, a in val_by_tta.items()) + f"; exported with {chosen}")
    if data.test is not None:
        test = evaluate(folded, data.test.images, data.test.labels, candidates["off"], device)
        test_tta = evaluate(folded, data.test.images, data.test.labels, candidates["flip"], device)
        shipped = evaluate(folded, data.test.images, data.test.labels, spec, device)
        meta["test_split"] = config.test_split
        meta["test_accuracy"] = round(test["accuracy"], 5)
        meta["test_accuracy_flip_tta"] = round(test_tta["accuracy"], 5)
        meta["test_accuracy_as_shipped"] = round(shipped["accuracy"], 5)
        log(f"{config.test_split}: accuracy {test['accuracy']:.4f} (flip TTA {test_tta['accuracy']:.4f}; as exported, {chosen}: {shipped['accuracy']:.4f})")
        if data.train_vote_targets is not None:
            # Against FER+ majorities above; the original single labels are reported too.
            original = load_split(config.data, config.test_split, data.classes)
            on_original = evaluate(folded, original.images, original.labels, spec, device)
            meta["test_accuracy_as_shipped_fer2013_labels"] = round(on_original["accuracy"], 5)
            log(f"{config.test_split} against the original FER-2013 labels: accuracy {on_original['accuracy']:.4f} (as exported)")
    if config.test_split != "PrivateTest":
        # The hold-out split, when the user's copy has it (the Kaggle CSV does): reported, never used to select.
        try:
            private = load_split(config.data, "PrivateTest", data.classes)
        except DataError:
            private = None
        if private is not None and private.source != (data.test.source if data.test else None):
            held_out = evaluate(folded, private.images, private.labels, spec, device)
            meta["private_test_accuracy"] = round(held_out["accuracy"], 5)
            log(f"PrivateTest: accuracy {held_out['accuracy']:.4f}")
    final_path = export_weights(out / "best.safetensors", folded, data.classes, spec, meta)
    log(f"wrote {final_path}")
    if config.export:
        log(f"wrote {export_weights(Path(config.export), folded, data.classes, spec, meta)}")
    (out / "summary.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(json.dumps({k: meta[k] for k in ("validation_accuracy", "best_epoch", "selected") if k in meta} | {k: meta[k] for k in ("test_accuracy", "test_accuracy_flip_tta", "test_accuracy_as_shipped", "private_test_accuracy") if k in meta}))
    return meta


_HELP = {
    "data": "fer2013.csv, or the folder with train/ and test/ (image-folder layout)",
    "out": "run folder: config.json, metrics.csv, curves.png, checkpoint.pt, best.safetensors, summary.json",
    "export": "also write the best model's weights file here (e.g. weights/emotion_cnn.safetensors)",
    "classes": "6 (without disgust) or 7",
    "val_fraction": "share of Training held out, stratified and seeded, to select the model",
    "seed": "seed of the weights, data order and augmentation",
    "split_seed": "seed of the validation split (independent of --seed, so differently seeded runs hold out the same faces)",
    "lr": "peak learning rate of the one-cycle schedule",
    "warmup_fraction": "share of the steps spent rising to the peak",
    "label_smoothing": "cross-entropy label smoothing",
    "class_weighting": "weight the loss by inverse class frequency",
    "batch_norm": "BatchNorm after each convolution while training (folded away at export)",
    "augment": "flips, small rotations/shifts/scaling, brightness/contrast, random erasing",
    "augment_strength": "multiplies every jitter's size and the erasing chance (0: flips only); e.g. 0.3 for a light final fine-tune",
    "threads": "torch CPU threads (0: torch's default)",
    "bf16": "bfloat16 autocast on CPU with channels-last tensors (about 3x faster on AVX512-BF16 CPUs)",
    "device": "auto (CUDA when present, per LOCAL_RANK under torchrun), cpu, cuda, cuda:1, ...",
    "resume": "continue the run in --out exactly where it stopped",
    "stop_after_steps": "stop after this many steps of this invocation, resumable (0: run to the end)",
    "init_from": "fine-tune: start from the best model in an earlier run's checkpoint.pt",
    "swa_epochs": "stochastic weight averaging over the last N epochs at --swa-lr (0: off); the average is exported when it beats the best epoch on validation",
    "swa_lr": "constant learning rate of the weight-averaging epochs",
    "distill_from": "teacher weights file: its test-time-averaged predictions on the training faces become soft targets (empty: off)",
    "distill_weight": "share of the teacher's probabilities in the targets (the rest is the smoothed true label)",
    "labels": "labels to learn: fer2013 (the original single label) or ferplus (the FER+ vote distribution; needs --votes); default: ferplus when --votes is given",
    "votes": "FER+ votes: the per-file votes CSV (image-folder data) or Microsoft's fer2013new.csv (with fer2013.csv)",
    "crop_margin": "context around a Haar box recorded for the app (training.calibrate_margin tunes it)",
    "test_split": "split reported after training (never used for selection)",
    "tta": "test-time views of the export: auto (chosen on validation), off, flip, flip+zoom0.95, flip+zoom0.9",
    "progress": "progress bars with loss, accuracy and ETA",
}


def parse_args(argv: list[str] | None = None) -> TrainConfig:
    parser = argparse.ArgumentParser(prog="python -m training.train", description="Train the seed CNN on FER-2013 (CSV or image folders) and export a weights file.")
    defaults = TrainConfig()
    for f in dataclasses.fields(TrainConfig):
        flag = "--" + f.name.replace("_", "-")
        default = getattr(defaults, f.name)
        help_text = _HELP.get(f.name, "")
        if isinstance(default, bool):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=default, help=help_text)
        else:
            parser.add_argument(flag, type=type(default), default=default, help=f"{help_text} (default: {default!r})".strip())
    args = parser.parse_args(argv)
    config = TrainConfig(**vars(args))
    if config.tta not in TTA_CHOICES:
        parser.error(f"--tta must be one of {', '.join(TTA_CHOICES)}")
    if config.augment_strength < 0:
        parser.error("--augment-strength must be >= 0")
    if config.classes not in (6, 7):
        parser.error("--classes must be 6 or 7")
    if not 0 <= config.swa_epochs <= config.epochs:
        parser.error("--swa-epochs must be between 0 and --epochs")
    if config.labels not in ("",) + LABEL_SOURCES:
        parser.error(f"--labels must be one of {', '.join(LABEL_SOURCES)}")
    if label_source(config) == "ferplus" and not config.votes and not config.resume:
        parser.error("--labels ferplus needs --votes (the FER+ votes CSV)")
    if config.votes and label_source(config) == "fer2013":
        parser.error("--votes is only used with --labels ferplus")
    if config.distill_from and label_source(config) == "ferplus":
        parser.error("--distill-from trains toward the original labels; it cannot be combined with --labels ferplus")
    if not config.data and not config.resume:
        parser.error("--data is required (fer2013.csv or the folder with train/ and test/)")
    return config


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    config = parse_args(argv)
    if threading.current_thread() is threading.main_thread():
        # SIGTERM (a scheduler's or `kill`'s stop) and SIGINT save a resumable checkpoint
        # like Ctrl-C does; SIGINT is installed explicitly because shells start background
        # jobs with it ignored.
        signal.signal(signal.SIGTERM, _interrupt)
        signal.signal(signal.SIGINT, _interrupt)
    command = "python -m training.train " + " ".join(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))
    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    device = select_device(config)
    if distributed and not dist.is_initialized():
        dist.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
    if device.type == "cuda":
        torch.cuda.set_device(device)
    if config.threads > 0:
        torch.set_num_threads(config.threads)
    try:
        return run(config, device, command)
    except (DataError, WeightsError) as exc:
        log(f"error: {exc}")
        return 2
    except KeyboardInterrupt:
        # Interrupted outside the training steps (loading, evaluating, writing files): the
        # last checkpoint on disk is consistent, so it is left as it is.
        log(f"\ninterrupted; resume from the last checkpoint with: python -m training.train --out {config.out} --resume")
        return 130
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()


def run(config: TrainConfig, device: torch.device, command: str) -> int:
    out = Path(config.out)
    checkpoint_path = out / CHECKPOINT_NAME
    state: dict[str, Any] | None = None
    if config.resume:
        if not checkpoint_path.exists():
            log(f"error: --resume but no checkpoint at {checkpoint_path}")
            return 2
        state = load_checkpoint(checkpoint_path)
        saved = checkpoint_config(state)
        # The run continues with its own settings; only run-control flags come from the CLI.
        config = dataclasses.replace(saved, resume=True, stop_after_steps=config.stop_after_steps, progress=config.progress, data=config.data or saved.data, export=config.export or saved.export, threads=config.threads)
        if state["epoch"] >= config.epochs:
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
        log(f"note: starting afresh; {checkpoint_path} will be overwritten (use --resume to continue it)")

    torch.manual_seed(config.seed)
    np.random.seed(config.seed)
    started = time.time()
    data = load_data(config)
    spec = make_preprocessing(data.train_images, config.crop_margin) if state is None else Preprocessing.from_dict(state["preprocessing"])
    rank, world_size = world()
    if config.distill_from:
        data.train_soft_targets = teacher_probabilities(config.distill_from, data, device)
        agreement = float((data.train_soft_targets.argmax(1) == data.train_labels).float().mean())
        log(f"distilling from {config.distill_from} (weight {config.distill_weight}; it agrees with {agreement:.1%} of the training labels)")
    log(f"data: {len(data.train_labels)} train, {len(data.val_labels)} validation, {len(data.test) if data.test else 0} {config.test_split}; classes {list(data.classes)}; device {device}, world {world_size}")

    model = build_model(len(data.classes), dropout=config.dropout, batch_norm=config.batch_norm).to(device)
    if device.type == "cpu":
        # oneDNN's channels-last convolutions are ~1.4x faster here (3x with --bf16).
        model = model.to(memory_format=torch.channels_last)
    train_model: nn.Module = model
    if dist.is_initialized():
        train_model = nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    decay = [p for n, p in model.named_parameters() if p.ndim > 1]
    no_decay = [p for n, p in model.named_parameters() if p.ndim <= 1]
    optimizer = torch.optim.SGD([{"params": decay, "weight_decay": config.weight_decay}, {"params": no_decay, "weight_decay": 0.0}], lr=config.lr, momentum=config.momentum, nesterov=True)
    steps = steps_per_epoch(len(data.train_labels), config.batch_size, world_size)
    cycle_epochs = config.epochs - config.swa_epochs
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None
    if cycle_epochs > 0:
        scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=config.lr, total_steps=cycle_epochs * steps, pct_start=config.warmup_fraction, div_factor=20.0, final_div_factor=200.0)
    averaged: torch.optim.swa_utils.AveragedModel | None = None
    if config.swa_epochs > 0:
        averaged = torch.optim.swa_utils.AveragedModel(model)
    class_weights = None
    if config.class_weighting:
        counts = torch.bincount(data.train_labels, minlength=len(data.classes)).float()
        class_weights = (counts.sum() / (len(counts) * counts.clamp_min(1))).to(device)

    if config.init_from and state is None:
        source = load_checkpoint(Path(config.init_from))
        if source.get("best_state") is None:
            log(f"error: {config.init_from} holds no trained model (best_state)")
            return 2
        source_split = validation_split(checkpoint_config(source))
        if source_split != validation_split(config):
            # The source trained on this run's validation faces: selecting on them would flatter it.
            log(
                f"error: {config.init_from} held out a different validation split (val_fraction, split_seed, "
                f"classes = {source_split}); use the same (here {validation_split(config)})"
            )
            return 2
        model.load_state_dict(source["best_state"])
        lineage = starting_point(config.init_from, source)
        log(f"initialised from the best model of {config.init_from} (epoch {source['best']['epoch']})")
    epoch, step, history = 0, 0, []
    best = {"val_accuracy": -1.0, "epoch": -1}
    best_state: dict[str, torch.Tensor] | None = None
    elapsed_before = 0.0
    if state is not None:
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        if scheduler is not None:
            scheduler.load_state_dict(state["scheduler"])
        if averaged is not None:
            averaged.load_state_dict(state["averaged"])
        epoch, step, history = state["epoch"], state["step"], list(state["history"])
        best, best_state = dict(state["best"]), state["best_state"]
        elapsed_before = float(state.get("elapsed_s", 0.0))

    def checkpoint() -> None:
        if is_main_process():
            save_checkpoint(checkpoint_path, {
                "config": dataclasses.asdict(config), "preprocessing": spec.to_dict(), "model": model.state_dict(),
                "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict() if scheduler is not None else None,
                "averaged": averaged.state_dict() if averaged is not None else None, "epoch": epoch, "step": step,
                "history": history, "best": best, "best_state": best_state, "elapsed_s": elapsed_before + time.time() - started,
                "command": command, "resume_commands": resumes, "initialised_from": lineage,
            })

    if is_main_process():
        out.mkdir(parents=True, exist_ok=True)
        (out / "config.json").write_text(json.dumps(dataclasses.asdict(config), indent=2) + "\n")
    budget = [config.stop_after_steps if config.stop_after_steps > 0 else -1]
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
        train_metrics, step, finished = train_one_epoch(train_model, optimizer, epoch_scheduler, data, spec, config, epoch, step, class_weights, device, budget)
        if not finished:
            checkpoint()
            log(f"stopped; continue with: python -m training.train --out {out} --resume")
            return 130 if budget[0] != 0 else 0
        val = evaluate(model, data.val_images, data.val_labels, spec, device)
        if averaged is not None and epoch >= cycle_epochs:
            averaged.update_parameters(model)
        row = {"epoch": epoch + 1, "train_loss": round(train_metrics["loss"], 5), "train_accuracy": round(train_metrics["accuracy"], 5), "val_loss": round(val["loss"], 5), "val_accuracy": round(val["accuracy"], 5), "lr": epoch_scheduler.get_last_lr()[0], "seconds": round(time.time() - epoch_start, 1)}
        history.append(row)
        if val["accuracy"] > best["val_accuracy"]:
            best = {"val_accuracy": val["accuracy"], "epoch": epoch + 1}
            best_state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
        log(f"epoch {epoch + 1}/{config.epochs}: train loss {row['train_loss']:.4f} acc {row['train_accuracy']:.4f} | val loss {row['val_loss']:.4f} acc {row['val_accuracy']:.4f} (best {best['val_accuracy']:.4f} @ {best['epoch']}) | {row['seconds']:.0f}s")
        epoch, step = epoch + 1, 0
        checkpoint()
        if is_main_process():
            write_metrics(out, history)

    if not is_main_process():
        return 0
    assert best_state is not None
    total_seconds = elapsed_before + time.time() - started
    best_model = build_model(len(data.classes), dropout=config.dropout, batch_norm=config.batch_norm)
    best_model.load_state_dict(best_state)
    selected = f"epoch {best['epoch']}"
    swa_accuracy: float | None = None
    if averaged is not None:
        swa_model = averaged_model_with_fresh_statistics(averaged, data, spec, config, device)
        swa_accuracy = evaluate(swa_model, data.val_images, data.val_labels, spec, device)["accuracy"]
        log(f"weight average of the last {config.swa_epochs} epochs: val acc {swa_accuracy:.4f} (best single epoch {best['val_accuracy']:.4f} @ {best['epoch']})")
        if swa_accuracy > best["val_accuracy"]:
            best_model, selected = swa_model.cpu(), f"average of epochs {cycle_epochs + 1}-{config.epochs}"
    folded = fold_batch_norm(best_model.cpu()).to(device)
    meta: dict[str, Any] = {
        "data": str(config.data), "classes": list(data.classes), "epochs": config.epochs, "best_epoch": best["epoch"],
        "split_sizes": {"train": len(data.train_labels), "validation": len(data.val_labels), config.test_split: len(data.test) if data.test else 0},
        "validation_accuracy": round(max(best["val_accuracy"], swa_accuracy or 0.0), 5), "selected": selected,
        "best_epoch_validation_accuracy": round(best["val_accuracy"], 5),
        **({"swa_validation_accuracy": round(swa_accuracy, 5)} if swa_accuracy is not None else {}),
        "labels": label_source(config), **({"votes": str(config.votes)} if config.votes else {}),
        "seed": config.seed, "command": command, "resume_commands": resumes,
        "config": dataclasses.asdict(config), "training_seconds": round(total_seconds, 1), "device": str(device), "world_size": world()[1],
    }
    if lineage is not None:
        meta["initialised_from"] = lineage
        meta["total_training_seconds"] = round(total_seconds + lineage_seconds(lineage), 1)
    publish(folded, data, spec, config, meta, out, device)
    return 0


if __name__ == "__main__":
    sys.exit(main())
