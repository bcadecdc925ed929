"""Result types the core hands to its users (CLI, GUI); immutable so threads can share them."""

from __future__ import annotations

from dataclasses import dataclass

from .faces.geometry import Box


@dataclass(frozen=True)
class FaceResult:
    """One face in one frame."""

    box: Box  # x, y, width, height in frame pixels
    track_id: int  # stable while the face is tracked across frames
    label: str  # the most probable class (after smoothing, if any)
    confidence: float  # probability of ``label``
    probabilities: tuple[float, ...]  # one per class, in the classifier's label order
