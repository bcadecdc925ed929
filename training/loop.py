"""The training loop and the passes over faces it needs: one epoch of steps, the losses,
prediction and evaluation, BatchNorm statistics for averaged weights."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn

from emotion_app.model import SeedCNN, build_model
from emotion_app.preprocessing import Preprocessing, average_views, test_time_inputs
from emotion_app.weights import load_model

from .augment import AugmentConfig, augment
from .config import TrainConfig
from .data import DataError
from .datasets import Datasets
from .distributed import is_main_process, log, step_seed, world
from .stopping import STOP, stop_agreed


@dataclasses.dataclass(frozen=True)
class EpochOutcome:
    """Where :func:`train_one_epoch` got to. ``totals`` (loss sum, correct, faces) cover
    the epoch's steps so far, so a resumed epoch reports all of its steps."""

    metrics: dict[str, float]
    step: int
    finished: bool
    totals: tuple[float, float, float]


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
    start_totals: tuple[float, float, float] = (0.0, 0.0, 0.0),
) -> EpochOutcome:
    """Train from ``start_step`` to the end of ``epoch``, ``start_totals`` being the sums of
    the steps before it.

    ``finished`` is False when the step budget (``--stop-after-steps``) ran out or a signal
    asked to stop (:mod:`.stopping`); the caller then saves a checkpoint that resumes at the
    returned step.
    """
    rank, world_size = world()
    steps = steps_per_epoch(len(data.train_labels), config.batch_size, world_size)
    order = torch.randperm(
        len(data.train_labels), generator=torch.Generator().manual_seed(step_seed(config.seed, epoch, -1))
    )
    per_rank = len(order) // world_size
    shard = order[rank * per_rank : (rank + 1) * per_rank]
    model.train()
    totals = torch.tensor(start_totals, dtype=torch.float64)  # loss sum, correct, count
    progress = None
    if config.progress and is_main_process():
        from tqdm import tqdm

        progress = tqdm(
            total=steps,
            initial=start_step,
            desc=f"epoch {epoch + 1}/{config.epochs}",
            unit="batch",
            leave=False,
            dynamic_ncols=True,
        )
    augmentation = AugmentConfig().scaled(config.augment_strength)
    step = start_step

    def stopped(together: bool = True) -> EpochOutcome:
        # Every process stops at the same step (stop_agreed, the step budget): the sums of
        # all of them are saved, and a resumed run starts its main process from them.
        if together and dist.is_initialized():
            dist.all_reduce(totals)
        return EpochOutcome(_metrics(totals), step, False, _as_triple(totals))

    try:
        with STOP.deferred():
            while step < steps:
                if budget[0] == 0:
                    return stopped()
                if stop_agreed(device):
                    log(f"\nstopped at epoch {epoch + 1}, step {step}; saving a checkpoint to resume from")
                    return stopped()
                torch.manual_seed(step_seed(config.seed, epoch, step) + rank)
                generator = torch.Generator().manual_seed(step_seed(config.seed, epoch, step) * 7 + rank)
                index = shard[step * config.batch_size : (step + 1) * config.batch_size]
                images = data.train_images[index].to(torch.float32).unsqueeze(1) / 255.0
                if config.augment:
                    images = augment(images, augmentation, generator)
                inputs = ((images - spec.mean) / spec.std).to(device)
                targets = data.train_labels[index].to(device)
                # From the forward pass (which moves BatchNorm's statistics) to the step
                # count, nothing may be cut short: a second signal waits for the end too.
                with STOP.updating():
                    with torch.autocast(device.type, dtype=torch.bfloat16, enabled=config.bf16):
                        logits = model(inputs)
                    if data.train_vote_targets is not None:
                        loss = soft_cross_entropy(logits.float(), data.train_vote_targets[index].to(device))
                    elif data.train_soft_targets is None:
                        loss = F.cross_entropy(
                            logits.float(), targets, weight=class_weights, label_smoothing=config.label_smoothing
                        )
                    else:
                        loss = distillation_loss(
                            logits.float(), targets, data.train_soft_targets[index].to(device), config, class_weights
                        )
                    optimizer.zero_grad(set_to_none=True)
                    loss.backward()
                    optimizer.step()
                    scheduler.step()
                    totals += torch.tensor(
                        [loss.item() * len(index), (logits.argmax(1) == targets).sum().item(), len(index)],
                        dtype=torch.float64,
                    )
                    step += 1
                    if budget[0] > 0:
                        budget[0] -= 1
                if progress is not None:
                    progress.update(1)
                    progress.set_postfix(
                        loss=f"{totals[0] / totals[2]:.3f}",
                        acc=f"{totals[1] / totals[2]:.3f}",
                        lr=f"{scheduler.get_last_lr()[0]:.4f}",
                    )
    except KeyboardInterrupt:
        # A second signal before the step's update began: none of the step was applied,
        # so the checkpoint resumes at its start.
        log(f"\ninterrupted at epoch {epoch + 1}, step {step}; saving a checkpoint to resume from")
        return stopped(together=False)
    finally:
        if progress is not None:
            progress.close()
    if dist.is_initialized():
        dist.all_reduce(totals)
    return EpochOutcome(_metrics(totals), step, True, _as_triple(totals))


def _as_triple(totals: torch.Tensor) -> tuple[float, float, float]:
    loss_sum, correct, count = (float(value) for value in totals)
    return loss_sum, correct, count


def soft_cross_entropy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Cross-entropy to a probability distribution per face (FER+'s vote distribution)."""
    return -(targets * F.log_softmax(logits, dim=1)).sum(1).mean()


def distillation_loss(
    logits: torch.Tensor,
    targets: torch.Tensor,
    teacher: torch.Tensor,
    config: TrainConfig,
    class_weights: torch.Tensor | None,
) -> torch.Tensor:
    """Cross-entropy against the teacher's probabilities mixed with the smoothed true label."""
    num_classes = logits.shape[1]
    hard = (
        F.one_hot(targets, num_classes).float() * (1.0 - config.label_smoothing) + config.label_smoothing / num_classes
    )
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
def predict_probabilities(
    model: nn.Module,
    images: torch.Tensor | np.ndarray,
    spec: Preprocessing,
    device: torch.device,
    flip_tta: bool = False,
    batch_size: int = 256,
) -> torch.Tensor:
    """Softmax outputs for uint8 faces (N,48,48), averaged over the test-time views of
    ``spec`` (plus the mirror image when ``flip_tta``)."""
    model.eval()
    if isinstance(images, torch.Tensor):
        images = images.numpy()
    spec = dataclasses.replace(spec, flip_tta=flip_tta or spec.flip_tta)
    outputs = []
    for start in range(0, len(images), batch_size):
        inputs, num_views = test_time_inputs(images[start : start + batch_size], spec)
        # Channels-last: PyTorch's CPU max-pool (5x5 here) is much slower on NCHW tensors
        # (docs/measurements.md).
        probs = torch.softmax(model(inputs.to(device, memory_format=torch.channels_last)).float(), dim=1)
        outputs.append(average_views(probs, num_views).cpu())
    return torch.cat(outputs) if outputs else torch.zeros(0, 0)


def evaluate(
    model: nn.Module,
    images: torch.Tensor | np.ndarray,
    labels: torch.Tensor | np.ndarray,
    spec: Preprocessing,
    device: torch.device,
    flip_tta: bool = False,
) -> dict[str, float]:
    """Loss and accuracy of ``model`` on uint8 faces."""
    labels = torch.as_tensor(labels)
    probs = predict_probabilities(model, images, spec, device, flip_tta)
    loss = F.nll_loss(torch.log(probs.clamp_min(1e-8)), labels).item()
    return {"loss": loss, "accuracy": float((probs.argmax(1) == labels).float().mean())}


def averaged_model_with_fresh_statistics(
    averaged: torch.optim.swa_utils.AveragedModel,
    data: Datasets,
    spec: Preprocessing,
    config: TrainConfig,
    device: torch.device,
) -> SeedCNN:
    """The weight average as a plain model, its BatchNorm statistics recomputed."""
    model = build_model(len(data.classes), dropout=config.dropout, batch_norm=config.batch_norm)
    model.load_state_dict(averaged.module.state_dict())
    return recompute_batch_norm(model.to(device), data, spec, device)


def recompute_batch_norm(model: SeedCNN, data: Datasets, spec: Preprocessing, device: torch.device) -> SeedCNN:
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


def make_optimizer(
    model: nn.Module, config: TrainConfig, steps: int
) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler | None]:
    """Nesterov SGD (no weight decay on biases and BatchNorm) and the one-cycle schedule
    over the epochs before weight averaging (None when every epoch averages)."""
    decay = [p for n, p in model.named_parameters() if p.ndim > 1]
    no_decay = [p for n, p in model.named_parameters() if p.ndim <= 1]
    optimizer = torch.optim.SGD(
        [{"params": decay, "weight_decay": config.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=config.lr,
        momentum=config.momentum,
        nesterov=True,
    )
    cycle_epochs = config.epochs - config.swa_epochs
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None
    if cycle_epochs > 0:
        scheduler = torch.optim.lr_scheduler.OneCycleLR(
            optimizer,
            max_lr=config.lr,
            total_steps=cycle_epochs * steps,
            pct_start=config.warmup_fraction,
            div_factor=20.0,
            final_div_factor=200.0,
        )
    return optimizer, scheduler


def inverse_frequency_weights(data: Datasets, device: torch.device) -> torch.Tensor:
    """Loss weight per class, inversely proportional to its share of the training faces."""
    counts = torch.bincount(data.train_labels, minlength=len(data.classes)).float()
    return (counts.sum() / (len(counts) * counts.clamp_min(1))).to(device)


def select_final_model(
    best_state: dict[str, torch.Tensor],
    best: dict[str, Any],
    averaged: torch.optim.swa_utils.AveragedModel | None,
    data: Datasets,
    spec: Preprocessing,
    config: TrainConfig,
    device: torch.device,
) -> tuple[SeedCNN, str, float | None]:
    """The model to export: the best epoch's, or the weight average of the last epochs when
    it beats that on validation. Returns it, what was selected, and the average's accuracy."""
    model = build_model(len(data.classes), dropout=config.dropout, batch_norm=config.batch_norm)
    model.load_state_dict(best_state)
    if averaged is None:
        return model, f"epoch {best['epoch']}", None
    swa_model = averaged_model_with_fresh_statistics(averaged, data, spec, config, device)
    swa_accuracy = evaluate(swa_model, data.val_images, data.val_labels, spec, device)["accuracy"]
    log(
        f"weight average of the last {config.swa_epochs} epochs: val acc {swa_accuracy:.4f} (best single epoch "
        f"{best['val_accuracy']:.4f} @ {best['epoch']})"
    )
    if swa_accuracy > best["val_accuracy"]:
        return (
            swa_model.cpu(),
            f"average of epochs {config.epochs - config.swa_epochs + 1}-{config.epochs}",
            swa_accuracy,
        )
    return model, f"epoch {best['epoch']}", swa_accuracy


def metrics_row(
    epoch: int, train: dict[str, float], val: dict[str, float], lr: float, seconds: float
) -> dict[str, float | int]:
    """One line of metrics.csv: epoch ``epoch`` (0-based) as numbered for people (1-based)."""
    return {
        "epoch": epoch + 1,
        "train_loss": round(train["loss"], 5),
        "train_accuracy": round(train["accuracy"], 5),
        "val_loss": round(val["loss"], 5),
        "val_accuracy": round(val["accuracy"], 5),
        "lr": lr,
        "seconds": round(seconds, 1),
    }
