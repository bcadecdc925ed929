"""A training run's settings (:class:`TrainConfig`) and which labels they train on."""

from __future__ import annotations

from dataclasses import dataclass


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


def label_source(config: TrainConfig) -> str:
    return config.labels or ("ferplus" if config.votes else "fer2013")


# --help text of each setting (the flag is the field's name with dashes).
FIELD_HELP: dict[str, str] = {
    "data": "fer2013.csv, or the folder with train/ and test/ (image-folder layout)",
    "out": "run folder: config.json, metrics.csv, curves.png, checkpoint.pt, best.safetensors, summary.json",
    "export": "also write the best model's weights file here (e.g. weights/emotion_cnn.safetensors)",
    "classes": "6 (without disgust) or 7",
    "val_fraction": "share of Training held out, stratified and seeded, to select the model",
    "seed": "seed of the weights, data order and augmentation",
    "split_seed": "seed of the validation split (independent of --seed, so differently seeded runs hold out the same "
    "faces)",
    "lr": "peak learning rate of the one-cycle schedule",
    "warmup_fraction": "share of the steps spent rising to the peak",
    "label_smoothing": "cross-entropy label smoothing",
    "class_weighting": "weight the loss by inverse class frequency",
    "batch_norm": "BatchNorm after each convolution while training (folded away at export)",
    "augment": "flips, small rotations/shifts/scaling, brightness/contrast, random erasing",
    "augment_strength": "multiplies every jitter's size and the erasing chance (0: flips only); e.g. 0.3 for a light "
    "final fine-tune",
    "threads": "torch CPU threads, up to the CPUs this process may use (0: torch's default)",
    "bf16": "bfloat16 autocast on CPU with channels-last tensors (about 3x faster on AVX512-BF16 CPUs)",
    "device": "auto (CUDA when present, per LOCAL_RANK under torchrun), cpu, cuda, cuda:1, ...",
    "resume": "continue the run in --out exactly where it stopped",
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
    "--votes); default: ferplus when --votes is given",
    "votes": "FER+ votes: the per-file votes CSV (image-folder data) or Microsoft's fer2013new.csv (with fer2013.csv)",
    "crop_margin": "context around a Haar box recorded for the app (training.calibrate_margin tunes it)",
    "test_split": "split reported after training (never used for selection)",
    "progress": "progress bars with loss, accuracy and ETA",
}
