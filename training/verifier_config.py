"""The settings of a face verifier training run (``training.face_verifier``): torch-free,
so ``training.train_verifier``'s --help and argument errors answer before torch loads."""

from __future__ import annotations

from dataclasses import dataclass

# What a run writes in its --out: its validation figures per epoch.
METRICS_NAME = "verifier_metrics.csv"

# scikit-image's pictures (offline with the dev requirements) that train and validate.
TRAIN_PICTURES = (
    "astronaut",
    "brick",
    "camera",
    "cat",
    "cell",
    "checkerboard",
    "clock",
    "coins",
    "colorwheel",
    "grass",
    "horse",
    "immunohistochemistry",
    "logo",
    "moon",
    "page",
    "retina",
    "shepp_logan_phantom",
    "text",
    "stereo_motorcycle",
    "binary_blobs",
    "microaneurysms",
)
VALIDATION_PICTURES = ("gravel", "rocket", "hubble_deep_field")


@dataclass
class VerifierConfig:
    """Everything a verifier training run depends on (seeded: the same config trains the
    same network)."""

    data: str
    export: str
    out: str = ""  # folder for the per-epoch metrics CSV (none if empty)
    epochs: int = 10
    width: int = 16
    batch_size: int = 128
    lr: float = 3e-3
    weight_decay: float = 1e-4
    seed: int = 0
    val_fraction: float = 0.1
    split_seed: int = 0
    keep: float = 0.995  # share of validation faces the threshold keeps
    crop_scales: tuple[float, ...] = (0.85, 1.0)  # the card's: the sizes a box is scored at in use
    crop_margin: float = 0.1
    random_patches: int = 300  # random negative patches per picture and scale
    face_parts: int = 20000  # part-of-a-face negatives tried
    grain: int = 15000  # generated grain negatives
    limit: int = 0  # at most this many training faces and look-alikes of each kind (0: all): a quick run
    train_pictures: tuple[str, ...] = TRAIN_PICTURES
    validation_pictures: tuple[str, ...] = VALIDATION_PICTURES
