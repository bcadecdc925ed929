"""Reusing a face's class probabilities while its crop has not visibly changed.

One batched forward pass over every face of a frame costs several milliseconds (the
weights file may ask for several test-time views per face), more than detecting and
tracking the faces. When a tracked face's crop looks the same as the crop last
classified for it, that classification is reused: the model's answer for the new crop
would differ by a rounding (``python -m scripts.reuse_agreement CLIP ...`` compares
reused results with fresh ones; figures in docs/measurements.md). That a changed
expression is caught, the tests show.

"Looks the same" is judged on block means: the new crop is first aligned with the old
one to a fraction of a pixel (a tracked face's box sits a little differently on the
face from frame to frame, and half a pixel alone moves the mean of every block along a
sharp edge by 10 grey levels or more), then the mean of each block of an 8x8 grid over
the overlap is compared. Averaging over a block removes sensor noise and JPEG ringing,
while an expression change (a mouth opening, brows rising) moves the mean of the
blocks it touches by far more than :data:`REUSE_LEVEL` grey levels. A face is
reclassified after ``max_reuse`` reuses in a row in any case, so a slow change cannot
go unnoticed for long.

A forward pass costs mostly the same for one face as for three, so when it runs anyway
the faces that are at least half-way to their next forced reclassification go along
(:meth:`PredictionReuse.due_soon`): the faces of a frame then fall due together
rather than each in a frame of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ..faces.template import peak_offset

# Blocks per side of the grid whose means are compared.
SIGNATURE_GRID = 8
# Largest change of any block mean (grey levels) for a crop to count as unchanged.
REUSE_LEVEL = 4.0
# Largest shift (pixels of a 48 px crop, each way) between two crops of one face that
# alignment looks for: a box a few frame pixels off, not a different view.
MAX_SHIFT = 3


def crop_signature(crop: np.ndarray) -> np.ndarray:
    """Block means of a uint8 face crop on a :data:`SIGNATURE_GRID` grid (float32)."""
    size = (SIGNATURE_GRID, SIGNATURE_GRID)
    return cv2.resize(crop, size, interpolation=cv2.INTER_AREA).astype(np.float32)


def crop_change(old: np.ndarray, new: np.ndarray) -> float:
    """Largest block-mean difference (grey levels) between two crops, once aligned.

    The middle of ``old`` (all but :data:`MAX_SHIFT` pixels at each edge) is looked
    for in ``new`` within that shift, to a fraction of a pixel (a parabola through the
    best match and its neighbours), and compared with ``new`` resampled there.
    """
    if old.shape != new.shape or min(old.shape[:2]) <= 2 * MAX_SHIFT + SIGNATURE_GRID:
        return float("inf")
    height, width = old.shape[:2]
    middle = old[MAX_SHIFT : height - MAX_SHIFT, MAX_SHIFT : width - MAX_SHIFT].astype(np.float32)
    moved = new.astype(np.float32)
    # Negated squared differences: the best alignment is then a peak, as peak_offset expects.
    scores = -cv2.matchTemplate(moved, middle, cv2.TM_SQDIFF)
    _, _, _, (bx, by) = cv2.minMaxLoc(scores)
    fx = bx + peak_offset(scores[by, bx - 1 : bx + 2]) if 0 < bx < scores.shape[1] - 1 else float(bx)
    fy = by + peak_offset(scores[by - 1 : by + 2, bx]) if 0 < by < scores.shape[0] - 1 else float(by)
    shift = np.array([[1, 0, fx], [0, 1, fy]], dtype=np.float32)
    size = (middle.shape[1], middle.shape[0])
    aligned = cv2.warpAffine(moved, shift, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)
    return float(np.max(np.abs(crop_signature(aligned) - crop_signature(middle))))


@dataclass
class _Classified:
    crop: np.ndarray  # the crop that was classified
    probabilities: np.ndarray  # the model's output for it, before any smoothing
    reused: int = 0  # times in a row it stood in for a fresh classification


class PredictionReuse:
    """Each track's last classified crop and probabilities, and whether they may stand in.

    ``max_reuse``: times in a row one result may be reused; 0 never reuses.
    """

    def __init__(self, max_reuse: int = 4) -> None:
        if max_reuse < 0:
            raise ValueError(f"max_reuse must be >= 0, got {max_reuse}")
        self.max_reuse = int(max_reuse)
        self._last: dict[int, _Classified] = {}

    def reset(self) -> None:
        self._last = {}

    def reusable(self, track_id: int, crop: np.ndarray) -> np.ndarray | None:
        """The probabilities last computed for ``track_id`` if ``crop`` looks the same (counts a reuse)."""
        last = self._last.get(track_id)
        if last is None or last.reused >= self.max_reuse:
            return None
        if crop_change(last.crop, crop) > REUSE_LEVEL:
            return None
        last.reused += 1
        return last.probabilities

    def due_soon(self, track_id: int) -> bool:
        """Whether ``track_id``'s result has been reused at least half of ``max_reuse`` times."""
        last = self._last.get(track_id)
        return last is not None and last.reused >= max(1, self.max_reuse // 2)

    def remember(self, track_id: int, crop: np.ndarray, probabilities: np.ndarray) -> None:
        """``probabilities`` were just computed for ``crop`` of ``track_id``."""
        if self.max_reuse:
            self._last[track_id] = _Classified(np.array(crop, copy=True), np.array(probabilities, dtype=np.float32))

    def keep_only(self, track_ids: set[int]) -> None:
        """Forget tracks that no longer exist."""
        if len(self._last) > len(track_ids) or any(tid not in track_ids for tid in self._last):
            self._last = {tid: entry for tid, entry in self._last.items() if tid in track_ids}
