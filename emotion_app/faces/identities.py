"""Face ids: small integers in order of confirmation, and a returning face's id given back.

A face lost from view (a turned head, a hand across it, a missed detection) is
remembered for a while; a new face confirmed near where it was, at a similar size, is
that face again and gets its id back, so "#N" and a per-face timeline keep telling a
user who is who. A cut to another shot ends that: the place a face had in the last shot
says nothing about who is there in this one.

How long is measured in seconds on the tracker's clock (the frames' own times), not in
frames: a 60 fps camera delivers twice the frames of a 30 fps one in the same two seconds.
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

import numpy as np

from .geometry import Box, mirrored, scaled
from .template import FaceTemplate
from .track import Track

# A confirmed face lost from view is remembered this long (seconds).
KEEP_LOST_S = 2.0
# Times within this of each other count as equal: ages summed from frame intervals
# (1/30 s, say) land a hair either side of a whole second.
_TIME_TOLERANCE_S = 1e-6
# "Near": centres within this many face sides (of the larger of the two faces), and
# sides within this factor of each other.
REID_DISTANCE = 1.5
REID_SIZE_RATIO = 1.6


class LostFace(NamedTuple):
    """A confirmed face no longer in view."""

    track_id: int
    box: Box  # where it was last seen
    lost_at: float  # when it was lost, seconds on the tracker's clock
    look: FaceTemplate | None  # its thumbnail from its last passed face check (else last find)


class Returning(NamedTuple):
    """A recently lost face that a new track continues."""

    track_id: int
    owner: Track | None  # its track while still kept (missed for a few frames), else None


class FaceIds:
    """Hands out ids and remembers lost faces for ``keep_lost_s`` seconds."""

    def __init__(self, keep_lost_s: float = KEEP_LOST_S) -> None:
        if not keep_lost_s >= 0:
            raise ValueError(f"keep_lost_s must be >= 0, got {keep_lost_s}")
        self.keep_lost_s = float(keep_lost_s)
        self._next = itertools.count(1)
        self._lost: list[LostFace] = []  # newest last

    def reset(self, keep_count: bool = False) -> None:
        """Forget every face; ids start again at 1, or with ``keep_count`` go on from the
        last one given (the same source started again: whoever comes is told apart from
        the people seen before)."""
        if not keep_count:
            self._next = itertools.count(1)
        self._lost = []

    def mirror(self, width: int) -> None:
        """The frame is flipped left to right from now on: so are the places and looks of lost faces."""
        self._lost = [
            LostFace(lost.track_id, mirrored(lost.box, width), lost.lost_at, lost.look and lost.look.mirrored(width))
            for lost in self._lost
        ]

    def rescale(self, scale_x: float, scale_y: float) -> None:
        """The frames changed size by these factors: so do the places of lost faces. Their
        looks, thumbnails of the old size, are dropped."""
        self._lost = [
            LostFace(lost.track_id, scaled(lost.box, scale_x, scale_y), lost.lost_at, None) for lost in self._lost
        ]

    def lose(self, track: Track, now: float) -> None:
        """The confirmed ``track`` is gone from view as of ``now`` (seconds)."""
        self._lost.append(LostFace(track.track_id, track.box, now, track.look))

    @property
    def remembers_lost(self) -> bool:
        """Whether a lost face is remembered (and could get its id back)."""
        return bool(self._lost)

    @property
    def lost(self) -> list[LostFace]:
        """The lost faces remembered, newest last."""
        return list(self._lost)

    def forget_lost(self) -> None:
        """Forget every lost face (a cut: whoever is found next is someone new)."""
        self._lost = []

    def expire(self, now: float) -> None:
        """Forget faces lost longer than ``keep_lost_s`` before ``now``."""
        self._lost = [entry for entry in self._lost if self._remembered(now - entry.lost_at)]

    def _remembered(self, age: float) -> bool:
        return age <= self.keep_lost_s + _TIME_TOLERANCE_S

    def returning(self, track: Track, tracks: list[Track], now: float) -> Returning | None:
        """The recently lost face that ``track`` is near, if any, as of ``now`` (seconds):
        one among ``tracks`` (the tracker's, missed for a few frames, not across a cut) or
        among the lost ones."""
        side = max(track.box[2], track.box[3])
        cx, cy = track.box[0] + track.box[2] / 2, track.box[1] + track.box[3] / 2
        best: tuple[float, Returning] | None = None
        shown_ids = {t.track_id for t in tracks if t.confirmed and t.missed == 0}
        candidates: list[tuple[int, Box, float, Track | None]] = [
            (t.track_id, t.box, now - t.seen_at, t) for t in tracks if t.confirmed and t.missed > 0 and not t.shot_ended
        ] + [(lost.track_id, lost.box, now - lost.lost_at, None) for lost in self._lost]
        for tid, box, age, owner in candidates:
            if tid in shown_ids or not self._remembered(age):
                continue
            other = max(box[2], box[3])
            if not 1 / REID_SIZE_RATIO <= side / max(1, other) <= REID_SIZE_RATIO:
                continue
            distance = float(np.hypot(box[0] + box[2] / 2 - cx, box[1] + box[3] / 2 - cy)) / max(side, other)
            if distance <= REID_DISTANCE and (best is None or distance < best[0]):
                best = (distance, Returning(tid, owner))
        return None if best is None else best[1]

    def give(self, track: Track, returning: Returning | None) -> None:
        """Give ``track`` the id of the face it continues (``returning``), else the next one."""
        if returning is None:
            track.track_id = next(self._next)
        else:
            track.track_id = returning.track_id
            self._lost = [entry for entry in self._lost if entry.track_id != returning.track_id]
