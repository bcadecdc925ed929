"""Finds that belong to a face already known, not to another face: a part of it, or its body.

The cascades fire on parts of a face (an eye and its brow at some scale or tilt), on a
box around a face and its shoulders, and on what sits right under a chin (a neck, a
collar, a hand holding a microphone), often passing the face check as well. A head sits
on a body and a face is not inside another, so where a find stands to a known face's box
tells these apart: :func:`part_of` and :func:`body_under`. What the tracker does with
such a find (drops it, weighs two nested faces against each other) is :mod:`.tracker`'s.
"""

from __future__ import annotations

import numpy as np

from .geometry import Box, mostly_inside, under_chin
from .template import FaceTemplate

# A new find with at least this share of its area inside a shown face's box is a part
# of that face (see FaceTracker._inside_shown_face); a new face confirmed around a shown
# box that far inside it is weighed against it (see FaceTracker._check_new).
INSIDE_SHARE = 0.6
# A find whose box starts right under a face seen in the last 2 s (its top from this
# many sides above that face's bottom edge to this many below, its centre within this
# many sides of that face's width) is that person's neck, collar or hands, unless it
# looks like that face (thumbnail correlation, boxes shifted up to CHIN_SHIFT of a
# side): the face itself, moved down. It starts no track and does not continue that
# face's. A head sits on a body, so no other face's box starts at a chin (a head tucked
# under a chin still shows its hair and forehead, over a quarter of its side). On the
# stage clip in HD, the singer's hand holding the microphone under his mouth passed the
# face check with ease and was shown as a second face, or took his box. The correlation
# threshold lies between another person's face and the same face moved down
# (docs/measurements.md, "The stage clip in HD").
CHIN_ABOVE, CHIN_BELOW, CHIN_ASIDE = 0.35, 0.15, 0.25
CHIN_RESEMBLANCE, CHIN_SHIFT = 0.65, 0.15


def part_of(box: Box, face: Box) -> bool:
    """Whether ``box`` lies mostly inside the box ``face`` (:data:`INSIDE_SHARE`)."""
    return mostly_inside(box, face, INSIDE_SHARE)


def body_under(gray: np.ndarray, box: Box, face: Box, look: FaceTemplate | None) -> bool:
    """Whether ``box`` in ``gray`` is the body under ``face`` (whose thumbnail is ``look``):
    it starts right under its chin and does not look like it (see :data:`CHIN_ABOVE`)."""
    return under_chin(box, face, CHIN_ABOVE, CHIN_BELOW, CHIN_ASIDE) and (
        look is None or look.resemblance(gray, box, CHIN_SHIFT) < CHIN_RESEMBLANCE
    )
