"""A training run's settings (:class:`TrainConfig`), which labels they train on, and
what is in range for them."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from emotion_app.arguments import threads_problem
from emotion_app.preprocessing import CROP_MARGIN_LIMITS

from .arguments import SEED_MAX
from .data import USAGES
from .ferplus import LABEL_SOURCES

# The test-time views an export may use: name -> (mirror image, zoomed-in views). Each adds
# views (and classifier cost), so one must beat the cheaper ones on validation to be picked.
TTA_VIEWS: dict[str, tuple[bool, tuple[float, ...]]] = {
    "off": (False, ()),
    "flip": (True, ()),
    "flip+zoom0.95": (True, (0.95,)),
    "flip+zoom0.9": (True, (0.9,)),
}
TTA_CHOICES: tuple[str, ...] = ("auto", *TTA_VIEWS)


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
    overwrite: bool = False  # start afresh in an --out that holds a run (replacing it)
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


# The files a run reads or writes that its checkpoint records: a --resume started in another
# folder reads and writes the same ones (--out is always given again).
RECORDED_PATHS = ("data", "votes", "init_from", "distill_from", "export")


def label_source(config: TrainConfig) -> str:
    return config.labels or ("ferplus" if config.votes else "fer2013")


def type_problem(saved: dict[str, Any]) -> str:
    """The first setting of a recorded config (a checkpoint's) whose value is not of its
    type ("" when none): a number as text would otherwise fail deep inside a run."""
    for f in dataclasses.fields(TrainConfig):
        if f.name not in saved:
            continue
        value, kind = saved[f.name], type(getattr(TrainConfig(), f.name))
        if kind is float:
            fits = isinstance(value, (int, float)) and not isinstance(value, bool)
        elif kind is int:
            fits = isinstance(value, int) and not isinstance(value, bool)
        else:
            fits = isinstance(value, kind)
        if not fits:
            return f"{f.name} should be {kind.__name__}, got {value!r}"
    return ""


def range_problem(config: TrainConfig, this_machine: bool = True) -> str:
    """What is out of range in ``config`` ("" when nothing): found now, not as a traceback
    mid-run or a weights file the app then refuses. ``this_machine``: also the settings
    that depend on the machine (--device, --threads); a checkpoint's recorded ones were
    another machine's, and a resume takes --threads from its own command line."""
    low_margin, high_margin = CROP_MARGIN_LIMITS
    checks = (
        (config.tta in TTA_CHOICES, f"--tta must be one of {', '.join(TTA_CHOICES)}, got {config.tta!r}"),
        (
            math.isfinite(config.augment_strength) and config.augment_strength >= 0,
            f"--augment-strength must be >= 0, got {config.augment_strength}",
        ),
        (config.classes in (6, 7), f"--classes must be 6 or 7, got {config.classes}"),
        (
            config.labels in ("", *LABEL_SOURCES),
            f"--labels must be one of {', '.join(LABEL_SOURCES)}, got {config.labels!r}",
        ),
        (0 < config.val_fraction < 1, f"--val-fraction must be between 0 and 1, got {config.val_fraction}"),
        (config.epochs >= 1, f"--epochs must be at least 1, got {config.epochs}"),
        # After --epochs: "--epochs -1" was refused for the --swa-epochs the user never gave.
        (
            0 <= config.swa_epochs <= config.epochs,
            f"--swa-epochs must be between 0 and --epochs ({config.epochs}), got {config.swa_epochs}",
        ),
        (config.batch_size >= 1, f"--batch-size must be at least 1, got {config.batch_size}"),
        (0 <= config.seed <= SEED_MAX, f"--seed must be between 0 and {SEED_MAX}, got {config.seed}"),
        (0 <= config.split_seed <= SEED_MAX, f"--split-seed must be between 0 and {SEED_MAX}, got {config.split_seed}"),
        (math.isfinite(config.lr) and config.lr >= 0, f"--lr must be 0 or more, got {config.lr}"),
        (
            math.isfinite(config.swa_lr) and config.swa_lr >= 0,
            f"--swa-lr must be 0 or more, got {config.swa_lr}",
        ),
        (0 <= config.warmup_fraction < 1, f"--warmup-fraction must be in [0, 1), got {config.warmup_fraction}"),
        (0 <= config.momentum < 1, f"--momentum must be in [0, 1), got {config.momentum}"),
        (
            math.isfinite(config.weight_decay) and config.weight_decay >= 0,
            f"--weight-decay must be 0 or more, got {config.weight_decay}",
        ),
        (0 <= config.label_smoothing < 1, f"--label-smoothing must be in [0, 1), got {config.label_smoothing}"),
        (0 <= config.dropout < 1, f"--dropout must be in [0, 1), got {config.dropout}"),
        (0 <= config.distill_weight <= 1, f"--distill-weight must be in [0, 1], got {config.distill_weight}"),
        (
            low_margin <= config.crop_margin <= high_margin,
            f"--crop-margin must be in {low_margin}..{high_margin}, got {config.crop_margin}",
        ),
        (config.stop_after_steps >= 0, f"--stop-after-steps must be 0 or more, got {config.stop_after_steps}"),
        (
            config.test_split in ("", *USAGES),
            f"--test-split must be one of {', '.join(USAGES)} (or empty: none), got {config.test_split!r}",
        ),
        (not this_machine or _device_usable(config.device), f"--device {config.device}: not a device this machine has"),
        (not this_machine or not threads_problem(config.threads, lowest=0), threads_problem(config.threads, lowest=0)),
    )
    return next((message for ok, message in checks if not ok), "")


def _device_usable(name: str) -> bool:
    if name == "auto":
        return True
    import torch  # only for a --device named: the front ends' --help and errors answer before torch loads

    try:
        device = torch.device(name)
    except (RuntimeError, ValueError):
        return False
    if device.type == "cpu":
        return True
    if device.type == "cuda":
        return torch.cuda.is_available() and (device.index or 0) < torch.cuda.device_count()
    return False


# --help text of each setting (the flag is the field's name with dashes).
FIELD_HELP: dict[str, str] = {
    "data": "fer2013.csv, or the folder with train/ and test/ (image-folder layout); needed unless --resume",
    "out": "run folder: config.json, metrics.csv, curves.png, checkpoint.pt, best.safetensors, summary.json",
    "export": "also write the best model's weights file here (e.g. weights/emotion_cnn.safetensors)",
    "classes": "6 (without disgust) or 7",
    "val_fraction": "share of Training held out, stratified and seeded, to select the model",
    "seed": "seed of the weights, data order and augmentation",
    "split_seed": "seed of the validation split (independent of --seed, so differently seeded runs hold out the same "
    "faces)",
    "lr": "peak learning rate of the one-cycle schedule",
    "warmup_fraction": "share of the steps spent rising to the peak",
    "label_smoothing": "cross-entropy label smoothing (FER-2013 labels; not applied to FER+ votes)",
    "class_weighting": "weight the loss by inverse class frequency (FER-2013 labels; not applied to FER+ votes)",
    "batch_norm": "BatchNorm after each convolution while training (folded away at export)",
    "augment": "flips, small rotations/shifts/scaling, brightness/contrast, random erasing",
    "augment_strength": "multiplies every jitter's size and the erasing chance (0: flips only); e.g. 0.3 for a light "
    "final fine-tune",
    "threads": "torch CPU threads, up to the CPUs this process may use (0: torch's default)",
    "bf16": "bfloat16 autocast on CPU with channels-last tensors (about 3x faster on AVX512-BF16 CPUs)",
    "device": "auto (CUDA when present, per LOCAL_RANK under torchrun), cpu, cuda, cuda:1, ...",
    "resume": "continue the run in --out exactly where it stopped, with its own recorded settings (a note names any "
    "other given here)",
    "overwrite": (
        "start afresh even though --out holds a run, replacing its checkpoint, metrics and weights "
        "(without it, or --resume, such an --out is refused)"
    ),
    "stop_after_steps": "stop after this many steps of this invocation, resumable (0: run to the end)",
    "init_from": "fine-tune: start from the best model in an earlier run's checkpoint.pt",
    "swa_epochs": "stochastic weight averaging over the last N epochs at --swa-lr (0: off); the average is exported "
    "when it beats the best epoch on validation",
    "swa_lr": "constant learning rate of the weight-averaging epochs",
    "distill_from": "teacher weights file: its test-time-averaged predictions on the training faces become soft "
    "targets (empty: off)",
    "distill_weight": "share of the teacher's probabilities in the targets (the rest is the smoothed true label)",
    "labels": "labels to learn: fer2013 (the original single label) or ferplus (the FER+ vote distribution; needs "
    "--votes); default: ferplus when --votes is given, else fer2013",
    "votes": "FER+ votes: the per-file votes CSV (image-folder data) or Microsoft's fer2013new.csv (with fer2013.csv)",
    "crop_margin": "context around a Haar box recorded for the app (training.calibrate_margin tunes it)",
    "test_split": "split reported after training (never used for selection)",
    "progress": "progress bars with loss, accuracy and ETA",
}
