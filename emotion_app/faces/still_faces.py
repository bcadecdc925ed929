"""A still picture's upright faces: the detector's searches at several sizes, each find judged.

A picture on its own has no frame before or after it, so its faces are looked for
everywhere, at once: in the picture and in smaller copies of it
(:meth:`.FaceDetector.detect_still`), and, given a larger copy of the same picture, the
faces too small for the picture searched there (:meth:`.FaceDetector.detect_small`),
judged where they have the pixels to be. A face is then usually found by several of
those searches: one box of each group that overlaps is kept (:func:`best_of_overlapping`).
What the tracker does with them (leaning faces too, confirmation) is :mod:`.tracker`'s.
"""

from __future__ import annotations

import numpy as np

from .detector import FaceDetector
from .face_check import FaceCheck, FaceVerdict
from .geometry import DUPLICATE_IOU, Box, iou


def still_faces(
    detector: FaceDetector,
    face_check: FaceCheck,
    gray: np.ndarray,
    min_neighbors: int,
    fine: tuple[np.ndarray, float] | None = None,
) -> tuple[list[Box], dict[Box, FaceVerdict]]:
    """The faces of the still ``gray`` (with ``min_neighbors``), one box of each group that
    overlaps, and the face check's verdict on every box found.

    ``fine``: a larger gray copy of the same picture and the ratio of ``gray``'s size to it
    (< 1): faces too small for ``gray`` are searched and checked there (see
    :meth:`.FaceDetector.detect_small`), their boxes given in ``gray`` pixels.
    """
    passes = detector.detect_still(gray, min_neighbors=min_neighbors)
    judged = {box: face_check.judge(gray, box) for boxes in passes for box in boxes}
    if fine is not None:
        small = small_faces(detector, face_check, *fine, min_neighbors=min_neighbors)
        passes.insert(0, list(small))
        judged.update(small)
    return best_of_overlapping(passes, judged), judged


def small_faces(
    detector: FaceDetector, face_check: FaceCheck, fine: np.ndarray, ratio: float, min_neighbors: int
) -> dict[Box, FaceVerdict]:
    """The faces of ``fine`` too small for its copy shrunk by ``ratio`` (the frame
    searched), checked in ``fine`` where they have the pixels to be judged; boxes in
    the copy's pixels."""
    found: dict[Box, FaceVerdict] = {}
    for box in detector.detect_small(fine, ratio, min_neighbors=min_neighbors):
        x, y, w, h = box
        shrunk = (
            int(round(x * ratio)),
            int(round(y * ratio)),
            max(1, int(round(w * ratio))),
            max(1, int(round(h * ratio))),
        )
        found[shrunk] = face_check.judge(fine, box)
    return found


def best_of_overlapping(passes: list[list[Box]], verdicts: dict[Box, FaceVerdict]) -> list[Box]:
    """One box of each group of overlapping ones in ``passes`` (a still's searches, the
    finest first): one that passed the face check over one that did not, then the finest
    search's, then one clearly a face, then the larger. (Largest first, as elsewhere, let a
    box around a face and its hair, from a coarse search, stand for the face.)"""

    def rank(item: tuple[Box, int]) -> tuple[bool, int, bool, int]:
        box, level = item
        return (not verdicts[box].passed, level, not verdicts[box].strong, -box[2] * box[3])

    ranked = sorted(((box, level) for level, boxes in enumerate(passes) for box in boxes), key=rank)
    kept: list[Box] = []
    for box, _ in ranked:
        if all(iou(box, other) <= DUPLICATE_IOU for other in kept):
            kept.append(box)
    return kept


def own_boxes_first(earlier: list[Box], own: list[Box], verdicts: dict[Box, FaceVerdict]) -> list[Box]:
    """A first look's boxes, one a face: ``earlier`` finds of this frame (the CNN's,
    confirmed by a local search) and the look's ``own``, each judged in ``verdicts``. Of
    boxes on one face (overlapping by more than :data:`DUPLICATE_IOU`), the look's own
    that passed the face check stands for it, else one that passed: a box a pixel or two
    off may fail the check, or be taken for something under the chin of the face above,
    where the look's passed. A box with no verdict (a network find whose check is the
    network's look at it: see the tracker's first look) comes next, before one that failed:
    the face check fails most faces the network finds, and a larger failed box on one was
    kept over it, the face unboxed."""

    def rank(box: Box) -> int:
        verdict = verdicts.get(box)
        return 1 if verdict is None else 0 if verdict.passed else 2

    def apart(box: Box, others: list[Box]) -> bool:
        return all(iou(box, other) <= DUPLICATE_IOU for other in others)

    own_passed = [box for box in own if rank(box) == 0]
    boxes = [box for box in earlier if apart(box, own_passed)] + own
    return [box for box in boxes if apart(box, [other for other in boxes if rank(other) < rank(box)])]
