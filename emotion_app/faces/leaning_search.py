"""The searches for leaning faces: at the tilts beside upright, and the live idle scans.

The cascades see upright faces only, to about 15 degrees; :mod:`.roll` turns a view of
the frame so a leaning face stands upright in it. This module decides where and when to
look at a tilt: a shown face the local searches miss is looked for :data:`ROLL_STEP`
degrees either side of its own tilt (:meth:`LeaningSearch.search`); a still, and a video
that opens or cuts on no upright face, is scanned whole at both tilts
(:meth:`LeaningSearch.find`); live, with nothing tracked, the idle scan thread looks for
large leaning newcomers now and then (:class:`LiveTiltedScans`). :mod:`.tracker`'s module
notes tell when the tracker runs each.
"""

from __future__ import annotations

import numpy as np

from .detector import FaceDetector
from .geometry import DUPLICATE_IOU, Box, iou
from .local_search import LocalSearch
from .scan_plan import ScanJob
from .track import Track

# A shown face the cascade misses at its own tilt (see .roll) is looked for this many
# degrees either side of it: the cascade finds faces up to about 15 degrees off the tilt
# it looks at, so steps of 25 leave no gap. Up to MAX_ROLL either way.
ROLL_STEP = 25.0
MAX_ROLL = 50.0
# Live (background scans), with nothing tracked, the idle scan thread looks for leaning
# newcomers at most every this many frames, at one tilt and then the other, from
# TILTED_SCAN_MIN_FACTOR times the smallest face (docs/measurements.md).
TILTED_LIVE_SCAN_FRAMES = 30
# A video that opens on no upright face (none that passes the face check), or cuts to
# one with nothing tracked, scanned inline, looks for leaning ones from this many times
# the smallest face side up (LeaningSearch.find).
TILTED_SCAN_MIN_FACTOR = 2.0


def side_tilts() -> tuple[float, float]:
    """The tilts either side of upright that leaning faces are looked for at."""
    return (-ROLL_STEP, ROLL_STEP)


class LeaningSearch:
    """Looks for faces at the tilts beside upright, with ``detector`` (whole frames) and
    ``local_search`` (near a known face); ``scale_factor``: the scans' pyramid step (None:
    the detector's own)."""

    def __init__(self, detector: FaceDetector, local_search: LocalSearch, scale_factor: float | None) -> None:
        self.detector = detector
        self.local_search = local_search
        self.scale_factor = scale_factor

    def find(
        self,
        gray: np.ndarray,
        upright: list[Box],
        rolls: dict[Box, float],
        min_neighbors: int,
        every_size: bool = False,
    ) -> list[Box]:
        """Faces in the whole of ``gray`` leaning :data:`ROLL_STEP` degrees either way, other
        than those ``upright`` found, with ``min_neighbors``; records their tilts in ``rolls``.

        ``every_size``: down to the smallest face (a still); else from
        :data:`TILTED_SCAN_MIN_FACTOR` times it, at the coarse scale that allows (a few
        milliseconds, where every size would cost a full-frame pass per tilt). Either way
        with the scans' pyramid step, not the detector's finer one: in a still that took
        most of the time and found no more faces (docs/measurements.md).
        """
        height, width = gray.shape[:2]
        min_size = self.detector.min_face_size * (1.0 if every_size else TILTED_SCAN_MIN_FACTOR)
        found: list[Box] = []
        for roll in side_tilts():
            for box in self.detector.detect_region(
                gray,
                (0, 0, width, height),
                min_size,
                self.detector.max_face_size,
                scale=self.detector.detection_scale if every_size else None,
                scale_factor=self.scale_factor,
                min_neighbors=min_neighbors,
                roll=roll,
            ):
                if all(iou(box, other) <= DUPLICATE_IOU for other in upright + found):
                    found.append(box)
                    rolls[box] = roll
        return found

    def search(self, gray: np.ndarray, track: Track) -> tuple[list[Box], float]:
        """A local search for ``track`` at the tilts :data:`ROLL_STEP` either side of its
        own (up to :data:`MAX_ROLL`), the one nearer upright first; its finds and their tilt."""
        rolls = sorted(
            (roll for roll in (track.roll - ROLL_STEP, track.roll + ROLL_STEP) if abs(roll) <= MAX_ROLL), key=abs
        )
        for roll in rolls:
            found = self.local_search.search(gray, track, roll=roll)
            if found:
                return found, roll
        return [], track.roll


class LiveTiltedScans:
    """When the live idle scan thread looks for leaning newcomers (see the module notes):
    at most every :data:`TILTED_LIVE_SCAN_FRAMES` frames, at one tilt and then the other,
    or at both back to back (a new picture with nobody in it may show someone leaning
    either way)."""

    def __init__(self) -> None:
        self._next_frame = 0  # the frame of the next scan
        self._side = 1  # the side of the last (-1 or 1)
        self._back_to_back = 0  # how many more follow back to back

    def reset(self) -> None:
        """A new source: the next scan is due at once (the side goes on alternating)."""
        self._next_frame = 0
        self._back_to_back = 0

    def both_tilts_next(self) -> None:
        """The next two scans, when due, are one per tilt, back to back."""
        self._back_to_back = 2

    def after_cut(self, frame: int) -> None:
        """A cut in ``frame`` to a picture with nothing tracked: one scan per tilt, from now."""
        self._next_frame = frame
        self._back_to_back = 2

    def due(self, frame: int, detector: FaceDetector) -> tuple[ScanJob, float] | None:
        """The scan to start in ``frame`` (for ``detector``'s face sizes) and its tilt, if
        one is due (counted as started); None if not."""
        if frame < self._next_frame:
            return None
        self._back_to_back = max(0, self._back_to_back - 1)
        self._next_frame = frame + (1 if self._back_to_back else TILTED_LIVE_SCAN_FRAMES)
        self._side = -self._side
        smallest = detector.min_face_size * TILTED_SCAN_MIN_FACTOR
        return ScanJob(None, smallest, detector.max_face_size), self._side * ROLL_STEP
