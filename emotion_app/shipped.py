"""Where the shipped emotion model and the other shipped files live: torch-free, so help texts can
name them without loading torch."""

from __future__ import annotations

from pathlib import Path

DEFAULT_WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"
DEFAULT_WEIGHTS_NAME = "emotion_cnn.safetensors"
DEFAULT_WEIGHTS_PATH = DEFAULT_WEIGHTS_DIR / DEFAULT_WEIGHTS_NAME
# The face check's verifier, apart from the emotion models the Model menu lists.
DEFAULT_VERIFIER_PATH = DEFAULT_WEIGHTS_DIR / "face_check" / "face_verifier.safetensors"


def shipped_files() -> list[Path]:
    """Every file the app ships in ``weights/`` (models, face detectors, their cards and
    figures): an output must never be written over one."""
    if not DEFAULT_WEIGHTS_DIR.is_dir():
        return []
    return [path for path in DEFAULT_WEIGHTS_DIR.rglob("*") if path.is_file()]
