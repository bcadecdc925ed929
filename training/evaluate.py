"""Evaluate a weights file on FER-2013 (CSV, train/test folders, or any <emotion>/ folders).

    python -m training.evaluate --data /path/to/fer2013 --split PublicTest [--weights W] [--tta]

Prints a report and, as its last line, one JSON object with at least accuracy, macro_f1, n.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

from emotion_app.inference.classifier import EmotionClassifier
from emotion_app.weights import WeightsError

from .data import USAGES, DataError, load_split
from .train import predict_probabilities


def predict(classifier: EmotionClassifier, images: np.ndarray, flip_tta: bool = False) -> np.ndarray:
    """Eager fp32 class probabilities for uint8 faces (N,48,48), with the test-time views
    the weights file asks for (and the mirror image too when ``flip_tta``)."""
    probabilities = predict_probabilities(classifier.model, images, classifier.preprocessing, torch.device("cpu"), flip_tta)
    return probabilities.numpy() if len(images) else np.zeros((0, classifier.num_classes), np.float32)


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray, num_classes: int) -> np.ndarray:
    """Rows: true class; columns: predicted class."""
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (labels, predictions), 1)
    return matrix


def classification_report(matrix: np.ndarray, classes: tuple[str, ...]) -> dict[str, Any]:
    """Accuracy, per-class precision/recall/F1/support and macro-F1 from a confusion matrix."""
    true_positive = np.diag(matrix).astype(float)
    predicted = matrix.sum(axis=0).astype(float)
    actual = matrix.sum(axis=1).astype(float)
    precision = np.divide(true_positive, predicted, out=np.zeros_like(true_positive), where=predicted > 0)
    recall = np.divide(true_positive, actual, out=np.zeros_like(true_positive), where=actual > 0)
    denominator = precision + recall
    f1 = np.divide(2 * precision * recall, denominator, out=np.zeros_like(true_positive), where=denominator > 0)
    present = actual > 0  # macro-F1 over classes that occur in the data
    total = matrix.sum()
    return {
        "accuracy": float(true_positive.sum() / total) if total else 0.0,
        "macro_f1": float(f1[present].mean()) if present.any() else 0.0,
        "per_class": {
            name: {"precision": round(float(precision[i]), 4), "recall": round(float(recall[i]), 4), "f1": round(float(f1[i]), 4), "support": int(actual[i])}
            for i, name in enumerate(classes)
        },
    }


def plot_confusion(matrix: np.ndarray, classes: tuple[str, ...], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = matrix.sum(axis=1, keepdims=True)
    normalised = np.divide(matrix, rows, out=np.zeros(matrix.shape, dtype=float), where=rows > 0)
    fig, ax = plt.subplots(figsize=(6.4, 5.6))
    image = ax.imshow(normalised, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(classes)), classes, rotation=45, ha="right")
    ax.set_yticks(range(len(classes)), classes)
    ax.set_xlabel("predicted"), ax.set_ylabel("true"), ax.set_title(title)
    for i in range(len(classes)):
        for j in range(len(classes)):
            colour = "white" if normalised[i, j] > 0.5 else "black"
            ax.text(j, i, f"{normalised[i, j]:.2f}\n({matrix[i, j]})", ha="center", va="center", fontsize=7, color=colour)
    fig.colorbar(image, ax=ax, fraction=0.046)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m training.evaluate", description="Score a weights file on labelled faces: accuracy, per-class precision/recall/F1, macro-F1, confusion matrix.")
    parser.add_argument("--weights", default=None, help="weights file (default: the shipped weights/emotion_cnn.safetensors)")
    parser.add_argument("--data", required=True, help="fer2013.csv, a folder with train/ and test/, or a folder of <emotion>/ subfolders")
    parser.add_argument("--split", default="PublicTest", choices=USAGES, help="which FER-2013 split (ignored for a plain <emotion>/ folder); default PublicTest")
    parser.add_argument("--tta", action="store_true", help="average each face's prediction with its horizontal mirror (always on for a model whose card sets flip_tta)")
    parser.add_argument("--out", default=None, help="folder for confusion_matrix.png and report.json")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        classifier = EmotionClassifier.load(args.weights)
        faces = load_split(args.data, args.split, classifier.labels)
    except (WeightsError, DataError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    # A model whose card asks for flip TTA is always scored the way the app runs it.
    flip_tta = bool(args.tta or classifier.preprocessing.flip_tta)
    probabilities = predict(classifier, faces.images, flip_tta=flip_tta)
    predictions = probabilities.argmax(axis=1)
    matrix = confusion_matrix(faces.labels, predictions, classifier.num_classes)
    report = classification_report(matrix, classifier.labels)
    report["tta_zooms"] = list(classifier.preprocessing.tta_zooms)
    report.update({
        "n": int(len(faces)),
        "excluded": faces.skipped,  # faces of classes the model lacks, left out
        "split": args.split, "data": faces.source, "weights": str(classifier.source), "tta": flip_tta,
        "labels": list(classifier.labels), "confusion_matrix": matrix.tolist(),
    })
    print(f"{faces.source}: {len(faces)} faces" + (f" (left out, not in the model: {faces.skipped})" if faces.skipped else ""))
    print(f"{'class':<10} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}")
    for name, row in report["per_class"].items():
        print(f"{name:<10} {row['precision']:>9.4f} {row['recall']:>7.4f} {row['f1']:>6.4f} {row['support']:>8d}")
    print(f"accuracy {report['accuracy']:.4f}  macro-F1 {report['macro_f1']:.4f}" + ("  (flip TTA" + "".join(f", zoom {z}" for z in classifier.preprocessing.tta_zooms) + ")" if flip_tta else ""))
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        plot_confusion(matrix, classifier.labels, out / "confusion_matrix.png", f"{args.split}: accuracy {report['accuracy']:.3f}")
        (out / "report.json").write_text(json.dumps(report, indent=2) + "\n")
        print(f"wrote {out / 'confusion_matrix.png'} and {out / 'report.json'}")
    summary = {k: report[k] for k in ("accuracy", "macro_f1", "n", "excluded", "split", "tta")}
    summary["per_class_f1"] = {k: v["f1"] for k, v in report["per_class"].items()}
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
