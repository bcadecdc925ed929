"""Which weights file a GUI measurement runs: the one asked for, the shipped one, or random ones."""

from __future__ import annotations

from pathlib import Path

from emotion_app.weights import DEFAULT_WEIGHTS_PATH


def weights_or_random(asked: Path | None, work: Path) -> Path:
    """``asked``, else the shipped default, else a random-init model written into ``work``
    (the same cost per face: what the GUI scripts time does not depend on the weights)."""
    if asked is not None:
        if not asked.is_file():
            raise SystemExit(f"error: {asked}: no such weights file")
        return asked
    if DEFAULT_WEIGHTS_PATH.is_file():
        return DEFAULT_WEIGHTS_PATH
    from emotion_app.samples import make_random_weights

    return make_random_weights(work / "random.safetensors")
