"""EmotionClassifier: a loaded model plus its labels and preprocessing."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .preprocessing import Preprocessing, to_model_input
from .weights import DEFAULT_WEIGHTS_PATH, ModelCard, WeightsError, load_model


class EmotionClassifier:
    """Classifies 48x48 grayscale face crops; labels and preprocessing come from the file."""

    def __init__(self, model: nn.Module, card: ModelCard, source: Path | None = None) -> None:
        self.model = model.eval()
        self.card = card
        self.source = source
        self.labels: tuple[str, ...] = card.labels
        self.preprocessing: Preprocessing = card.preprocessing

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> "EmotionClassifier":
        """Load a weights file; with no path, the shipped default in ``weights/``."""
        if path is None:
            path = DEFAULT_WEIGHTS_PATH
            if not path.exists():
                raise WeightsError(
                    f"no default weights shipped yet at {path}; train one with "
                    "`python -m training.train` or pass a weights file"
                )
        path = Path(path)
        model, card = load_model(path)
        return cls(model, card, source=path)

    @property
    def num_classes(self) -> int:
        return len(self.labels)

    def predict(self, faces: np.ndarray) -> np.ndarray:
        """uint8 (N,48,48) gray crops -> float32 (N, num_classes) probabilities."""
        faces = np.asarray(faces)
        size = self.preprocessing.input_size
        if faces.ndim == 2 and faces.shape == (size, size):
            faces = faces[None]
        if faces.ndim != 3 or faces.shape[1:] != (size, size):
            raise ValueError(f"predict expects faces of shape (N,{size},{size}), got {faces.shape}")
        if faces.dtype != np.uint8:
            raise ValueError(f"predict expects uint8 faces, got {faces.dtype}")
        if len(faces) == 0:
            return np.zeros((0, self.num_classes), dtype=np.float32)
        with torch.inference_mode():
            logits = self.model(to_model_input(faces, self.preprocessing))
            return torch.softmax(logits.float(), dim=1).numpy().astype(np.float32)
