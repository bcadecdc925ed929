"""What a scan for new faces looks at: bands of face sizes, each on a cadence of its own.

The tracker (:mod:`.tracker`) decides when a scan for newcomers is due; this module
decides what it covers. A 24 px scan spends most of its time on faces under twice the
smallest size (the cascade's image pyramid is largest there), so that
band is looked at only every ``small_scan_every``-th due scan, larger faces (the usual
webcam face) at every one. Each band keeps its own change record
(:class:`.scene_gate.SceneChangeGate`), so nothing that changed between two of its scans
is left out: a due band scans the regions that changed since its last scan, or the
whole frame when most of it changed, and now and then whole regardless, for faces a
scan missed. The small band is also scanned at every due scan while a small face is
tracked (a gallery, an audience: more may be about) and whenever the large band sees a
new picture (a cut). Figures: docs/measurements.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

import numpy as np

from .geometry import Box
from .scene_gate import FrameCells, SceneChangeGate

# The small band covers the smallest face size up to this factor times it, plus one
# pyramid step (a face near the boundary needs the cascade window at a size above its
# own to gather neighbours); it is scanned at every this-many-th due scan. At 4, a small
# newcomer shows within 20 frames in an empty scene and 40 while faces are tracked (at
# the tracker's defaults); what it saves: docs/measurements.md.
SMALL_BAND_FACTOR = 2.0
SMALL_BAND_OVERLAP = 1.2
SMALL_SCAN_EVERY = 4
# Changed regions are scanned with this margin around them, as a fraction of their
# side, plus half the band's smallest face side: a face entering the frame changes its
# own area, and the cascade needs the whole face inside the region.
REGION_MARGIN = 0.25

# Whether a frame's scan for newcomers is due: not at all, over what changed, or whole.
ScanDue = Literal["none", "changed", "everything"]


class ScanJob(NamedTuple):
    """One band of a scan for newcomers: where (None: the whole frame) and which face sides."""

    regions: list[Box] | None
    min_size: float
    max_size: float | None


@dataclass
class ScanBand:
    """A band of face sizes the scans for newcomers look for, on a cadence of its own."""

    min_size: float
    max_size: float | None
    every: int  # scanned at every this-many-th due scan
    gate: SceneChangeGate = field(default_factory=SceneChangeGate)  # changes since its last scan
    slots: int = 0  # due scans since this band was last scanned
    since_full: int = 0  # frames since this band last covered the whole frame


class ScanPlan:
    """The size bands of the scans for newcomers, and what each due scan covers.

    ``min_face`` / ``max_face``: the detector's face sides (None: no largest).
    ``small_scan_every``: the small band is scanned at every this-many-th due scan (1:
    one band with every size, at every scan). ``full_period``: frames after which a band
    covers the whole frame again even if little changed (times its cadence).
    """

    def __init__(self, min_face: float, max_face: float | None, small_scan_every: int, full_period: int) -> None:
        if small_scan_every < 1:
            raise ValueError(f"small_scan_every must be >= 1, got {small_scan_every}")
        self.min_face = float(min_face)
        self.max_face = max_face
        self.small_scan_every = int(small_scan_every)
        self.full_period = int(full_period)
        # The sizes (min, max; None: no limit) the last planned scan looks for, a band each.
        self.last_bands: list[tuple[float, float | None]] = []
        # Each frame's cells, computed once for every band's gate (and the tracker's cut
        # detector: see ShotCuts).
        self.cells = FrameCells()
        self.bands = self._make_bands()

    def _make_bands(self) -> list[ScanBand]:
        """Largest faces first (see :meth:`jobs`)."""
        smallest, largest = self.min_face, self.max_face
        split = smallest * SMALL_BAND_FACTOR
        if self.small_scan_every == 1 or (largest is not None and largest <= split):
            return [ScanBand(smallest, largest, 1, SceneChangeGate(self.cells))]
        small_top = smallest * SMALL_BAND_FACTOR * SMALL_BAND_OVERLAP
        if largest is not None:
            small_top = min(small_top, largest)
        return [
            ScanBand(split, largest, 1, SceneChangeGate(self.cells)),
            ScanBand(smallest, small_top, self.small_scan_every, SceneChangeGate(self.cells)),
        ]

    def reset(self) -> None:
        """Forget what was scanned (a new source): the next due scan covers every band."""
        self.last_bands = []
        self.bands = self._make_bands()

    def mirror(self) -> None:
        """The frames are flipped left to right from the next one on (see :meth:`SceneChangeGate.mirror`)."""
        for band in self.bands:
            band.gate.mirror()

    @property
    def has_reference(self) -> bool:
        """Whether a scan has been recorded since the last :meth:`reset`."""
        return self.bands[0].gate.has_reference

    def next_frame(self) -> None:
        """A new frame: no scan planned for it yet."""
        self.last_bands = []
        self.cells.next_frame()
        for band in self.bands:
            band.since_full += 1
            band.gate.next_frame()

    def new_picture(self, gray: np.ndarray) -> bool:
        """Whether most of ``gray`` changed since the last scan of the large faces (a cut)."""
        return self.bands[0].gate.new_picture(gray)

    def changed_away_from_faces(self, gray: np.ndarray) -> bool:
        """Whether most of ``gray`` away from tracked faces changed since the last scan of
        the large faces (see :meth:`SceneChangeGate.changed_away_from_faces`)."""
        return self.bands[0].gate.changed_away_from_faces(gray)

    def cut(self, gray: np.ndarray) -> bool:
        """Whether ``gray`` comes right after a cut (see :meth:`SceneChangeGate.cut`)."""
        return self.bands[0].gate.cut(gray)

    def cover(self, box: Box) -> None:
        """A tracked face is at ``box``: changes around it are explained."""
        for band in self.bands:
            band.gate.cover(box)

    def rescan(self, box: Box) -> None:
        """Have the next scan of every band look at ``box`` again."""
        for band in self.bands:
            band.gate.rescan(box)

    def jobs(
        self,
        gray: np.ndarray,
        everything: bool,
        tracked_sides: Sequence[float],
        first_frame: bool = False,
        sizes: tuple[float, float] | None = None,
        every_band: bool = False,
    ) -> list[ScanJob]:
        """The bands a due scan covers, and where; records them as scanned.

        ``everything``: every band over the whole frame (a still, a stream's first frame,
        a recovery). ``tracked_sides``: the sides of the faces tracked now (a small one
        brings the small band to every scan). ``first_frame``: the stream's first frame,
        searched with the detector's own stricter settings: every band's scan follows at
        the next due scan. ``sizes``: only the bands that may hold faces of these sides (a
        recovery looks for the lost face's size). ``every_band``: no band waits for a later
        scan (each looks at what changed, or everything where most did).
        """
        jobs: list[ScanJob] = []
        self.last_bands = []
        new_picture = False
        smallest_tracked = min(tracked_sides, default=None)
        # Bands are largest faces first: when that band finds most of the frame changed
        # (a cut, a camera move), the other bands look at the new picture now as well.
        for band in self.bands:
            if sizes is not None and not _overlaps(band, sizes):
                continue
            band.slots += 1
            crowd = smallest_tracked is not None and band.max_size is not None and smallest_tracked < band.max_size
            if not (everything or every_band or new_picture or crowd) and band.slots < band.every:
                continue
            band.slots = band.every - 1 if everything and first_frame else 0
            regions: list[Box] | None = None
            if not everything and band.since_full < self.full_period * band.every:
                changed = band.gate.changed_regions(gray)
                new_picture = new_picture or changed is None
                regions = None if changed is None else padded_regions(gray.shape[:2], changed, band.min_size)
            if regions is None:
                band.gate.scanned(gray)
                band.since_full = 0
            else:
                band.gate.scanned_regions(gray, regions)
            if regions != []:
                jobs.append(ScanJob(regions, band.min_size, band.max_size))
                self.last_bands.append((band.min_size, band.max_size))
        return jobs


def _overlaps(band: ScanBand, sizes: tuple[float, float]) -> bool:
    low, high = sizes
    return band.min_size <= high and (band.max_size is None or band.max_size >= low)


def padded_regions(shape: tuple[int, ...], regions: list[Box], min_size: float) -> list[Box]:
    """``regions`` widened by :data:`REGION_MARGIN` and half of ``min_size``, clipped to a
    frame of ``shape`` (height, width), overlapping ones merged."""
    height, width = shape[:2]
    boxes: list[list[int]] = []
    for x, y, w, h in regions:
        margin = REGION_MARGIN * max(w, h) + min_size / 2
        x0, y0 = max(0, int(x - margin)), max(0, int(y - margin))
        x1, y1 = min(width, int(x + w + margin)), min(height, int(y + h + margin))
        if x1 > x0 and y1 > y0:
            boxes.append([x0, y0, x1, y1])
    # Overlapping regions are scanned as one: the overlap would be searched twice.
    merged = True
    while merged:
        merged = False
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                a, b = boxes[i], boxes[j]
                if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]:
                    boxes[i] = [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])]
                    del boxes[j]
                    merged = True
                    break
            if merged:
                break
    return [(x0, y0, x1 - x0, y1 - y0) for x0, y0, x1, y1 in boxes]
