"""One face followed over frames: where it is, how it moves, and where it stands with the face check."""

from __future__ import annotations

from dataclasses import dataclass, field

from .geometry import Box, mirrored
from .template import FaceTemplate


@dataclass
class Track:
    """One face followed over frames."""

    track_id: int  # 0 until confirmed (never shown before); then small integers in order of confirmation
    box: Box  # where it was last detected, frame pixels
    roll: float = 0.0  # the face's tilt in degrees where the cascade last found it (see .roll)
    velocity: tuple[float, float] = (0.0, 0.0)  # centre motion per frame, pixels
    missed: int = 0  # frames since it was last detected
    seen_at: float = 0.0  # when it was last detected, seconds on the tracker's clock
    hits: int = 1  # frames it was detected in
    # The face as the cascade last found it, for following it by template matching in
    # the frames between cascade searches; None when it cannot be followed.
    template: FaceTemplate | None = field(default=None, repr=False)
    followed: int = 0  # frames in a row found by template matching, not the cascade
    checks: int = 0  # face checks passed (before confirmation)
    fails: int = 0  # face checks failed (before confirmation: in all; after: in a row)
    since_check: int = 0  # frames since the last face check of a confirmed track
    strong: bool = False  # the last face check passed beyond doubt
    # The face as its last passed full check saw it, and re-checks passed since by
    # resembling that look instead of running the check's cascades (see the tracker).
    verified: FaceTemplate | None = field(default=None, repr=False)
    resembled: int = 0
    # Missed across a cut to another shot: no longer looked for, and its id is given to
    # nobody; it is dropped when a missed track would be.
    shot_ended: bool = False
    # Found by the CNN detector where the cascade sees no face (sunglasses, a tiny face):
    # followed and checked by the network's looks, not the cascades (see the tracker).
    by_network: bool = False

    @property
    def confirmed(self) -> bool:
        return self.track_id > 0

    @property
    def look(self) -> FaceTemplate | None:
        """The face as its last passed check saw it, else as the cascade last found it."""
        return self.verified or self.template

    def predicted_box(self) -> Box:
        """Where the face should be in the next frame, by constant velocity."""
        x, y, w, h = self.box
        steps = self.missed + 1
        return (
            int(round(x + self.velocity[0] * steps)),
            int(round(y + self.velocity[1] * steps)),
            w,
            h,
        )

    def mirror(self, width: int) -> None:
        """The frame is flipped left to right from now on (``width`` pixels wide): so is the face."""
        self.box = mirrored(self.box, width)
        self.velocity = (-self.velocity[0], self.velocity[1])
        self.roll = -self.roll
        self.template = self.template.mirrored(width) if self.template is not None else None
        self.verified = self.verified.mirrored(width) if self.verified is not None else None

    def observe(self, box: Box) -> None:
        old_cx, old_cy = self.box[0] + self.box[2] / 2, self.box[1] + self.box[3] / 2
        new_cx, new_cy = box[0] + box[2] / 2, box[1] + box[3] / 2
        steps = self.missed + 1
        motion = ((new_cx - old_cx) / steps, (new_cy - old_cy) / steps)
        # Haar boxes jitter by a few pixels; averaging keeps the prediction steady.
        self.velocity = (0.5 * self.velocity[0] + 0.5 * motion[0], 0.5 * self.velocity[1] + 0.5 * motion[1])
        self.box = box
        self.missed = 0
        self.hits += 1
