"""What a run writes for people to look at: the metrics table with its curves, and
confusion matrices."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

# Figure objects, not pyplot: no process-wide backend or figure registry. Imported here, at
# start-up, so a Ctrl-C during a run never lands inside matplotlib's own import; so is the
# Agg canvas that tight_layout and savefig load on first use (a Ctrl-C inside that import
# left its extension half-initialised, and the interrupted run's own write_metrics failed).
import matplotlib.backends.backend_agg  # noqa: F401
import numpy as np
from matplotlib.figure import Figure

from emotion_app.io.atomic import write_text, write_with


def write_metrics(out: Path, history: list[dict[str, Any]]) -> None:
    """metrics.csv and curves.png in ``out``, each replaced whole or not at all."""
    if not history:
        return
    table = io.StringIO(newline="")
    writer = csv.DictWriter(table, fieldnames=list(history[0]))
    writer.writeheader()
    writer.writerows(history)
    write_text(out / "metrics.csv", table.getvalue())
    epochs = [row["epoch"] for row in history]
    fig = Figure(figsize=(10, 4))
    ax_loss, ax_acc = fig.subplots(1, 2)
    ax_loss.plot(epochs, [row["train_loss"] for row in history], label="train")
    ax_loss.plot(epochs, [row["val_loss"] for row in history], label="validation")
    ax_loss.set_xlabel("epoch"), ax_loss.set_ylabel("loss"), ax_loss.legend()
    ax_acc.plot(epochs, [row["train_accuracy"] for row in history], label="train")
    ax_acc.plot(epochs, [row["val_accuracy"] for row in history], label="validation")
    ax_acc.set_xlabel("epoch"), ax_acc.set_ylabel("accuracy"), ax_acc.legend()
    fig.tight_layout()
    save_figure(fig, out / "curves.png", dpi=100)


def plot_confusion(matrix: np.ndarray, classes: tuple[str, ...], path: Path, title: str) -> None:
    rows = matrix.sum(axis=1, keepdims=True)
    normalised = np.divide(matrix, rows, out=np.zeros(matrix.shape, dtype=float), where=rows > 0)
    fig = Figure(figsize=(6.4, 5.6))
    ax = fig.subplots()
    image = ax.imshow(normalised, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(classes)), classes, rotation=45, ha="right")
    ax.set_yticks(range(len(classes)), classes)
    ax.set_xlabel("predicted"), ax.set_ylabel("true"), ax.set_title(title)
    for i in range(len(classes)):
        for j in range(len(classes)):
            colour = "white" if normalised[i, j] > 0.5 else "black"
            ax.text(
                j, i, f"{normalised[i, j]:.2f}\n({matrix[i, j]})", ha="center", va="center", fontsize=7, color=colour
            )
    fig.colorbar(image, ax=ax, fraction=0.046)
    fig.tight_layout()
    save_figure(fig, path, dpi=110)


def save_figure(fig: Figure, path: Path, dpi: int) -> None:
    """``fig`` as the PNG ``path``, replaced whole or not at all."""
    write_with(path, lambda temp: fig.savefig(temp, dpi=dpi, format="png"))
