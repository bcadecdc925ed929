"""Where the shipped emotion model lives: torch-free, so help texts can name it without loading torch."""

from __future__ import annotations

from pathlib import Path

DEFAULT_WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"
DEFAULT_WEIGHTS_NAME = "emotion_cnn.safetensors"
DEFAULT_WEIGHTS_PATH = DEFAULT_WEIGHTS_DIR / DEFAULT_WEIGHTS_NAME
