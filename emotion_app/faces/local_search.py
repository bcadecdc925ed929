"""Looking for a known face where it should be: template following and local cascade searches.

Even a local search costs over a millisecond per face (docs/measurements.md), so a frame
with three faces spends most of its detection time there. Between local searches a track
is therefore followed by template matching (:mod:`.template`): a thumbnail of the face,
taken where the cascade last found it, is matched around the predicted position, for a
fraction of the cost. A match only counts when it correlates strongly; otherwise, and every
``follow_frames + 1``-th frame regardless, the track gets a cascade search, which
re-checks that it is still a face and re-measures its size. That check first looks
narrowly, right where the template puts the face and at sizes close to its own; only
if that finds nothing does the full local search run. A check that agrees with the
followed box keeps it (Haar boxes jitter by several pixels; the face's crop, and so its
classification, should not); one that disagrees brings the cascade's box. Either way
the thumbnail is taken afresh.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from .detector import LOCAL_SEARCH_SLACK, FaceDetector
from .geometry import DUPLICATE_IOU, Box, iou, suppress_duplicates
from .track import Track

# Template following (see the module notes). A match must score at least this
# (normalised cross-correlation) to stand in for the cascade: the same face a few
# frames on scores above 0.9 even when moving, turning a little or flickering, while a
# blank or noisy frame where the face was scores below 0.5.
FOLLOW_MIN_SCORE = 0.85
# The match is looked for this far (a fraction of the face side) around where the
# track's velocity predicts the face: more than a smooth motion's error from one frame
# to the next, and much less than the cascade's region, since a miss costs only a
# cascade search.
FOLLOW_MARGIN = 0.3
# A followed face due for its cascade check is first looked for right where template
# matching puts it: a region this much (a fraction of its side) larger each way and
# sides within this factor of its own, about a sixth of a full local search's cost.
# Only when that finds nothing does the full local search run.
CONFIRM_MARGIN = 0.2
CONFIRM_RANGE = 1.15
# So few windows fit that narrow region that a face often gathers fewer than the
# detector's 5 neighbours there, while blank or textured regions gather none with 3
# (docs/measurements.md); the template match has already vouched for the face.
CONFIRM_NEIGHBORS = 3
# A cascade box that overlaps the followed box at least this much (IoU) confirms it,
# and the followed box is kept: Haar boxes of one still face differ by several pixels
# from frame to frame, and a box that jumps every few frames would change the face's
# crop (and so its classification) for nothing. A larger disagreement is a real
# change of size or place, and the cascade's box is taken.
STEADY_IOU = 0.75

# The fine retry of a missed face also widens the sizes it looks at, by this factor
# beyond the local search's band, on this many first missed frames: a face missed for
# longer is looked for further away, at the size it had (on the Hamilton clip wider
# sizes on every missed frame cost a tenth of the tracker's time and found no face
# more: docs/measurements.md).
FINE_SIZE_FACTOR = 1.25
FINE_WIDER_SIZES_FRAMES = 1
# A scan's candidate that the confirming local search misses is looked for again at
# this many times that search's scale (docs/measurements.md).
CONFIRM_RETRY_FINER = 1.5


class Placement(NamedTuple):
    """Where a track was put in a frame without a full local search."""

    box: Box
    confirmed: bool  # the cascade confirmed it (else template matching alone placed it)


class CandidateSearch(NamedTuple):
    """What the local searches around a scan's candidates made of them."""

    found: list[Box]  # the faces they confirmed
    missed: list[Box]  # candidates they missed that got no finer retry


class LocalSearch:
    """Searches for known faces near where they were (see the module notes).

    ``search_margin``: the search region beyond the face box, as a fraction of its
    side. ``size_range``: sides from side/size_range to side*size_range are searched.
    ``follow_frames``: frames in a row a track may be placed by template matching alone.
    ``iou_threshold``: the least overlap at which a cascade box still confirms a
    followed one.
    """

    def __init__(
        self, detector: FaceDetector, search_margin: float, size_range: float, follow_frames: int, iou_threshold: float
    ) -> None:
        self.detector = detector
        self.search_margin = float(search_margin)
        self.size_range = float(size_range)
        self.follow_frames = int(follow_frames)
        self.iou_threshold = float(iou_threshold)

    def place(self, gray: np.ndarray, track: Track) -> Placement | None:
        """Place ``track`` in ``gray`` by template matching (and a narrow cascade check when due).

        None when the track has no template, was missed in the previous frame (its
        predicted position is then unreliable), the match does not convince, or the due
        cascade check finds no face there: the caller then runs a full local search.
        A track is followed for ``follow_frames`` frames in a row at most, so the
        cascade regularly re-checks that it is still a face and re-measures its size.
        """
        followed = self.follow(gray, track)
        if followed is None or track.followed < self.follow_frames:
            return followed
        box, side = followed.box, max(track.box[2], track.box[3])
        margin = CONFIRM_MARGIN * side
        region = (int(box[0] - margin), int(box[1] - margin), int(box[2] + 2 * margin), int(box[3] + 2 * margin))
        min_size = max(self.detector.min_face_size, side / CONFIRM_RANGE)
        max_size = side * CONFIRM_RANGE
        if self.detector.max_face_size is not None:
            max_size = min(max_size, self.detector.max_face_size)
        if max_size < min_size:
            return None
        found = self.detector.detect_region(
            gray,
            region,
            min_size,
            max_size,
            slack=LOCAL_SEARCH_SLACK,
            min_neighbors=CONFIRM_NEIGHBORS,
            roll=track.roll,
            whole_region=False,  # a leaning face is looked for where it is expected, not in corners
        )
        if not found:
            return None
        best = max(found, key=lambda candidate: iou(candidate, box))
        overlap = iou(best, box)
        if overlap >= STEADY_IOU:
            return Placement(box, confirmed=True)
        if overlap >= self.iou_threshold:
            return Placement(best, confirmed=True)
        return None  # some other face at the region's edge: let the full search decide

    def follow(self, gray: np.ndarray, track: Track) -> Placement | None:
        """Where template matching alone puts ``track`` in ``gray`` (unconfirmed), or None
        when it has no template, was missed in the previous frame, or the match does not
        convince."""
        template = track.template
        if template is None or track.missed > 0:
            return None
        side = max(track.box[2], track.box[3])
        match = template.locate(gray, track.predicted_box(), FOLLOW_MARGIN * side)
        if match is None or match[1] < FOLLOW_MIN_SCORE:
            return None
        return Placement(match[0], confirmed=False)

    def search(
        self,
        gray: np.ndarray,
        track: Track,
        fine: bool = False,
        min_neighbors: int | None = None,
        roll: float | None = None,
        finer: float = 1.0,
    ) -> list[Box]:
        """Faces near ``track`` (where it was and where its motion says it is going) at sizes
        near its own: at the coarsest scale that sees them, or with ``fine`` at full
        resolution over a wider region (and, on its first missed frame, wider sizes).
        ``min_neighbors``: None for the detector's own. ``roll``: the tilt to look for
        (see :mod:`.roll`); None for the track's own. ``finer``: without ``fine``, search
        at this many times the coarsest scale (at most full resolution).
        """
        # Cover both where the face was and where its motion says it is going, so a
        # face that stops or turns back is inside the region too.
        last, predicted = track.box, track.predicted_box()
        x0, y0 = min(last[0], predicted[0]), min(last[1], predicted[1])
        x1 = max(last[0] + last[2], predicted[0] + predicted[2])
        y1 = max(last[1] + last[3], predicted[1] + predicted[3])
        side = max(last[2], last[3])
        # A face not seen for a while may have moved further: widen the region.
        margin = side * (self.search_margin + 0.25 * track.missed + (0.25 if fine else 0.0))
        region = (int(x0 - margin), int(y0 - margin), int(x1 - x0 + 2 * margin), int(y1 - y0 + 2 * margin))
        size_range = self.size_range * (FINE_SIZE_FACTOR if fine and track.missed < FINE_WIDER_SIZES_FRAMES else 1.0)
        min_size = max(self.detector.min_face_size, side / size_range)
        max_size = side * size_range
        if self.detector.max_face_size is not None:
            max_size = min(max_size, self.detector.max_face_size)
        if max_size < min_size:
            return []
        return self.detector.detect_region(
            gray,
            region,
            min_size,
            max_size,
            scale=1.0 if fine else min(1.0, finer * self.detector.coarsest_scale(min_size, LOCAL_SEARCH_SLACK)),
            slack=LOCAL_SEARCH_SLACK,
            min_neighbors=min_neighbors,
            roll=track.roll if roll is None else roll,
            whole_region=False,
        )

    def confirm_candidates(
        self,
        gray: np.ndarray,
        candidates: list[Box],
        known: list[Box],
        known_iou: float,
        min_neighbors: int,
        retry: bool,
        roll: float = 0.0,
        retry_near: Sequence[Box] = (),
    ) -> CandidateSearch:
        """Local searches around scan ``candidates`` not already among ``known`` boxes
        (overlapping one by more than ``known_iou``).

        A candidate from a cheap scan may be junk, and one from an earlier frame may have
        moved since: a local search in ``gray`` with ``min_neighbors`` settles both.
        ``retry``: search again, finer, where that finds nothing (candidates of this frame, or
        of a live idle scan for leaning faces); ``retry_near``: so for a candidate where one
        of these boxes is (a place a live scan's candidate was missed before).
        ``roll``: the tilt the candidates were found at (see :mod:`.roll`).
        """
        known = suppress_duplicates(list(known))
        result = CandidateSearch([], [])
        for candidate in candidates:
            if any(iou(candidate, box) > known_iou for box in known):
                continue
            track = Track(track_id=0, box=candidate, roll=roll)
            found = self.search(gray, track, min_neighbors=min_neighbors)
            gets_retry = retry or any(iou(candidate, box) > DUPLICATE_IOU for box in retry_near)
            if not found and not gets_retry:
                result.missed.append(candidate)
            elif not found:
                # The scan saw the face at a finer scale than a local search's coarsest
                # (a large face's: a third of the frame's resolution), which can lose it.
                # Only for a scan of this frame and live idle scans for leaning faces: a
                # background scan's candidate that is not there may have moved, and a
                # retry of every one at 1080p costs frames (the next scan brings it
                # again).
                found = self.search(gray, track, min_neighbors=min_neighbors, finer=CONFIRM_RETRY_FINER)
            result.found.extend(found)
        return result
