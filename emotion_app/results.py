"""Result types the core hands to its users (CLI, GUI); immutable so threads can share them."""

from __future__ import annotations

from dataclasses import dataclass

from .faces.geometry import Box


@dataclass(frozen=True)
class FaceResult:
    """One face in one frame: what is shown for it, and the model's own output.

    ``label``, ``confidence``, ``probabilities`` and ``uncertain`` are what is shown
    (after the steadiness rule of :mod:`emotion_app.inference.steadiness`);
    ``raw_probabilities`` is the model's output for this frame alone.
    """

    box: Box  # x, y, width, height in frame pixels
    track_id: int  # stable while the face is tracked across frames
    label: str  # the shown label (steady: it changes only when another class clearly leads)
    confidence: float  # smoothed probability of ``label``
    probabilities: tuple[float, ...]  # smoothed, one per class, in the classifier's label order
    uncertain: bool = False  # weak evidence: draw muted, with a "?"
    raw_probabilities: tuple[float, ...] = ()  # this frame's model output; () = same as probabilities
    roll: float = 0.0  # the face's tilt in degrees, counter-clockwise as shown (emotion_app.faces.roll)
    name: str = ""  # what the user calls this person (the app's timeline); "" shows "#track_id"

    @property
    def tag_name(self) -> str:
        """How the overlay names the face: its given name, else "#track_id"."""
        return self.name or f"#{self.track_id}"

    def __post_init__(self) -> None:
        if not self.raw_probabilities:
            object.__setattr__(self, "raw_probabilities", tuple(self.probabilities))
