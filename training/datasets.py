"""The faces a run trains, selects and reports on: the Training split with its held-out
validation faces (FER-2013 or FER+ labels) and the test split, as tensors."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from emotion_app.preprocessing import Preprocessing

from .config import TrainConfig, label_source
from .data import CLASSES_7, DataError, FaceSet, check_split_layout, classes_for, load_split, stratified_split
from .distributed import log
from .ferplus import Votes, has_votes, majority_labels, read_votes, relabel, soft_targets, vote_matrix


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
    # Which Training faces were held out, whatever their order or file layout (see
    # validation_fingerprint): what a checkpoint or weights card is checked against.
    validation_fingerprint: str = ""


def validation_fingerprint(images: np.ndarray, labels: np.ndarray, classes: tuple[str, ...]) -> str:
    """SHA-256 over the sorted digests of each held-out face's pixels and class name.

    Sorted, so the value names the faces and not their order: the same data read as CSV or
    as image folders gives the same value only when the split held out the same faces.
    """
    digests = sorted(
        hashlib.sha256(np.ascontiguousarray(image, dtype=np.uint8).tobytes() + classes[int(label)].encode()).digest()
        for image, label in zip(images, labels)
    )
    return hashlib.sha256(b"".join(digests)).hexdigest()


def split_indices(labels: np.ndarray, config: TrainConfig) -> tuple[np.ndarray, np.ndarray]:
    """(train, validation) indices of the Training faces with these ``labels``: the
    validation faces depend on ``val_fraction`` and ``split_seed`` only, never on ``seed``,
    so every run and tool that shares those settings holds out the same faces."""
    return stratified_split(labels, config.val_fraction, config.split_seed)


def load_data(config: TrainConfig) -> Datasets:
    check_split_layout(config.data)
    if label_source(config) == "ferplus":
        return load_ferplus_data(config, read_votes(config.votes))
    classes = classes_for(config.classes)
    training = load_split(config.data, "Training", classes)
    train_idx, val_idx = split_indices(training.labels, config)
    test = None
    try:
        test = load_split(config.data, config.test_split, classes) if config.test_split else None
    except DataError as exc:
        log(f"note: no {config.test_split} split ({exc}); the test figure is skipped")
    images = torch.from_numpy(training.images)
    labels = torch.from_numpy(training.labels)
    return Datasets(
        images[train_idx],
        labels[train_idx],
        images[val_idx],
        labels[val_idx],
        classes,
        test,
        {"skipped_training": training.skipped, "training_source": training.source},
        validation_fingerprint=validation_fingerprint(training.images[val_idx], training.labels[val_idx], classes),
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
    _, val_idx = split_indices(usual_labels, config)
    held_out = np.zeros(len(every), dtype=bool)
    held_out[usual[val_idx]] = True
    counts = vote_matrix(every, votes)
    voted = has_votes(every, votes)
    targets, keep = soft_targets(counts, classes)
    train_mask = keep & ~held_out
    # The held-out faces' votes are already in ``counts``: their majorities label them.
    val_labels, val_reasons = majority_labels(counts[held_out], classes)
    val_keep = val_labels >= 0
    if not val_keep.any():
        raise DataError(f"{every.source}: no validation face has a FER+ majority among {list(classes)}")
    test = None
    if config.test_split:
        try:
            test, _ = relabel(load_split(config.data, config.test_split, CLASSES_7), votes, classes)
        except DataError as exc:
            log(f"note: no {config.test_split} split with FER+ votes ({exc}); the test figure is skipped")
    train_targets = torch.from_numpy(targets[train_mask])
    extra = {
        "training_source": every.source,
        "votes": votes.source,
        "labels": "ferplus",
        # Left out by their votes, and (apart) for want of any: a votes file that lacks rows
        # should say so, not pass for faces FER+ judged unclear.
        "left_out_training": int((~keep & ~held_out & voted).sum()),
        "training_without_votes": int((~voted & ~held_out).sum()),
        "validation_left_out": val_reasons,
    }
    missing = (
        f"; {extra['training_without_votes']} training faces have no votes row"
        if extra["training_without_votes"]
        else ""
    )
    log(
        f"FER+ votes: {int(train_mask.sum())} training faces kept, {extra['left_out_training']} left out by their "
        f"votes (mostly not-a-face, unknown, disgust or contempt){missing}"
    )
    return Datasets(
        torch.from_numpy(every.images[train_mask]),
        train_targets.argmax(1),
        torch.from_numpy(every.images[held_out][val_keep]),
        torch.from_numpy(val_labels[val_keep]),
        classes,
        test,
        extra,
        train_vote_targets=train_targets,
        # By their FER-2013 labels, as a FER-2013-label run with these settings records
        # them: both hold out the same faces (the FER+ majorities only relabel them).
        validation_fingerprint=validation_fingerprint(every.images[usual[val_idx]], usual_labels[val_idx], classes),
    )


def make_preprocessing(train_images: torch.Tensor, crop_margin: float) -> Preprocessing:
    pixels = train_images.to(torch.float32) / 255.0
    return Preprocessing(
        mean=round(float(pixels.mean()), 5), std=round(float(pixels.std()), 5), crop_margin=crop_margin
    )
