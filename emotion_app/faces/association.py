"""Which of a frame's detections continues which track: greedy matching by overlap and motion."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from .geometry import Box, iou
from .track import Track


class Association(NamedTuple):
    """A frame's detections matched to tracks."""

    matched: list[Track]  # tracks that got a detection (each has observed it), in their order
    fresh: list[Box]  # detections no track claimed, left to right


def associate(
    tracks: list[Track],
    detections: list[Box],
    iou_threshold: float,
    size_range: float,
    may_match: Callable[[Track, Box], bool] | None = None,
) -> Association:
    """Greedy matching of ``detections`` to ``tracks``, best affinity first.

    A matched track observes its detection; the others count a miss. ``iou_threshold``:
    the least affinity that matches. ``size_range``: how much a face's side may change
    between frames (see :func:`affinity`). ``may_match``: False for a pair that must not
    match, however close.
    """
    pairs = sorted(
        (
            (affinity(track, box, iou_threshold, size_range), ti, di)
            for ti, track in enumerate(tracks)
            for di, box in enumerate(detections)
        ),
        reverse=True,
    )
    matched_tracks: set[int] = set()
    matched_detections: set[int] = set()
    for score, ti, di in pairs:
        if score < iou_threshold:
            break
        if ti in matched_tracks or di in matched_detections:
            continue
        if may_match is not None and not may_match(tracks[ti], detections[di]):
            continue
        tracks[ti].observe(detections[di])
        matched_tracks.add(ti)
        matched_detections.add(di)
    for ti, track in enumerate(tracks):
        if ti not in matched_tracks:
            track.missed += 1
    # Left to right: new faces are confirmed in that order, so a frame's new ids read in order.
    fresh = sorted(detections[di] for di in range(len(detections)) if di not in matched_detections)
    return Association([tracks[ti] for ti in sorted(matched_tracks)], fresh)


def affinity(track: Track, box: Box, iou_threshold: float, size_range: float) -> float:
    """IoU of ``box`` with where ``track`` was or was predicted to be, whichever is larger.

    A fast face may overlap neither; one whose centre lies within half a side of either
    and whose side is within ``size_range`` of the track's still counts, at
    ``iou_threshold``.
    """
    overlap = max(iou(track.box, box), iou(track.predicted_box(), box))
    if overlap >= iou_threshold:
        return overlap
    side = max(track.box[2], track.box[3])
    if not side / size_range <= max(box[2], box[3]) <= side * size_range:
        return overlap
    cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
    for ref in (track.box, track.predicted_box()):
        rx, ry = ref[0] + ref[2] / 2, ref[1] + ref[3] / 2
        if np.hypot(cx - rx, cy - ry) <= 0.5 * side * (1 + track.missed):
            return iou_threshold
    return overlap
