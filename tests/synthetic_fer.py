"""Tiny synthetic FER-2013 stand-ins, in the CSV and the image-folder forms.

Each class gets a distinct, learnable pattern plus noise, so a short training run can
beat chance; nothing here comes from FER-2013 itself.
"""

from __future__ import annotations

import csv
from pathlib import Path

import cv2
import numpy as np

EMOTIONS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")


def synthetic_face(code: int, rng: np.random.Generator) -> np.ndarray:
    """A 48x48 uint8 image whose pattern depends on the emotion code."""
    image = rng.normal(110, 20, size=(48, 48))
    row = 4 + code * 6
    image[row : row + 5, :] += 100  # a bright band whose height encodes the class
    image[:, (code * 7) % 43 : (code * 7) % 43 + 4] -= 60
    return np.clip(image, 0, 255).astype(np.uint8)


def write_fer_csv(path: Path, per_class: dict[str, int], seed: int = 0) -> Path:
    """A fer2013.csv with ``per_class[usage]`` rows of each emotion per Usage."""
    rng = np.random.default_rng(seed)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["emotion", "pixels", "Usage"])
        for usage, count in per_class.items():
            for code in range(7):
                for _ in range(count):
                    writer.writerow([code, " ".join(str(int(v)) for v in synthetic_face(code, rng).ravel()), usage])
    return path


def write_fer_folders(root: Path, train_per_class: int, test_per_class: int, seed: int = 0) -> Path:
    """ROOT/train/<emotion>/Training_<id>.jpg and ROOT/test/<emotion>/PublicTest_<id>.jpg."""
    rng = np.random.default_rng(seed)
    counter = 0
    for folder, usage, count in (("train", "Training", train_per_class), ("test", "PublicTest", test_per_class)):
        for code, emotion in enumerate(EMOTIONS):
            target = root / folder / emotion
            target.mkdir(parents=True, exist_ok=True)
            for _ in range(count):
                counter += 1
                # PNG keeps pixels exact; the loader accepts any common image type.
                cv2.imwrite(str(target / f"{usage}_{counter}.png"), synthetic_face(code, rng))
    return root


def copy_as_folders(csv_path: Path, root: Path, reverse: bool = False) -> Path:
    """The faces of a FER-2013 CSV as the image-folder layout, pixel for pixel (PNG).

    Files are numbered in the CSV's row order, so each class's faces are read in that
    order; ``reverse`` numbers them backwards, the same faces in another order."""
    with open(csv_path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    for index, row in enumerate(rows):
        number = len(rows) - index if reverse else index
        folder = root / ("train" if row["Usage"] == "Training" else "test") / EMOTIONS[int(row["emotion"])]
        folder.mkdir(parents=True, exist_ok=True)
        pixels = np.array(row["pixels"].split(), dtype=np.uint8).reshape(48, 48)
        cv2.imwrite(str(folder / f"{row['Usage']}_{number:06d}.png"), pixels)
    return root
