"""Scoring a weights file on labelled faces: predictions through the app's classifier,
the confusion matrix, accuracy, per-class precision/recall/F1 and macro-F1."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from emotion_app.inference.classifier import EmotionClassifier

from .data import FaceSet


def predict(
    classifier: EmotionClassifier, images: np.ndarray, flip_tta: bool = False, batch_size: int = 256
) -> np.ndarray:
    """Class probabilities for uint8 faces (N,48,48) from :meth:`EmotionClassifier.predict`,
    the code the app classifies with: the test-time views the weights file asks for (and
    the mirror image too when ``flip_tta``), in eager fp32, so the figure is the model's own."""
    if flip_tta and not classifier.preprocessing.flip_tta:
        spec = dataclasses.replace(classifier.preprocessing, flip_tta=True)
        classifier = EmotionClassifier(
            classifier.model, dataclasses.replace(classifier.card, preprocessing=spec), classifier.source
        )
    parts = [
        classifier.predict(images[start : start + batch_size], eager=True)
        for start in range(0, len(images), batch_size)
    ]
    return np.concatenate(parts) if parts else np.zeros((0, classifier.num_classes), np.float32)


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
            name: {
                "precision": round(float(precision[i]), 4),
                "recall": round(float(recall[i]), 4),
                "f1": round(float(f1[i]), 4),
                "support": int(actual[i]),
            }
            for i, name in enumerate(classes)
        },
    }


def score(classifier: EmotionClassifier, faces: FaceSet, flip_tta: bool) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class figures and the confusion matrix of ``classifier`` on ``faces``."""
    probabilities = predict(classifier, faces.images, flip_tta=flip_tta)
    matrix = confusion_matrix(faces.labels, probabilities.argmax(axis=1), classifier.num_classes)
    report = classification_report(matrix, classifier.labels)
    report.update({"n": int(len(faces)), "data": faces.source, "confusion_matrix": matrix.tolist()})
    return report
