"""Who was where at each moment of a file: a face found again at a moment seen before is that person.

A file's frames are the same each time they are played. After a seek back (or the file
opened again in the same session: Home after its end; or a looping file's next loop, whose
frames come by their times in the file) the people found at a moment the
session has already shown are the people who were there then, though the tracker has
lost them across the jump (another picture than the one before it counts as a cut). So
the confirmed faces are recorded by the frames' own times, in coarse slots; a face
confirmed at a time up to the latest recorded one gets the id of the face recorded at
about that time and place. While time only goes forward (a single pass: ``analyze``, a
camera) nothing is ever looked up.

Places are kept as centres and sides in the frames' pixels as they were when recorded,
with the map from those to the frames' pixels now (a mirror view turned on, a change of
frame size), so neither costs more than a few multiplications, however much is recorded.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterable

from .geometry import Box

# The time slots faces are recorded in (seconds of the frames' times): a few frames each.
SLOT_S = 0.2
# At most this many slots are kept, those recorded longest ago dropped first: an hour of
# a file's time. A camera records for as long as it runs (it never looks up); a few faces
# a slot keep this to a few megabytes, and a file longer than this seen back to its start
# gives the faces of its earliest moments new ids, as before.
MAX_SLOTS = 18_000
# A face is looked for in the records this close in time (seconds): a face is confirmed
# a few frames after it came into view, in either pass.
WINDOW_S = 0.5
# ... at a centre within this many face sides (of the larger face) of a recorded one, and
# a side within REID_SIZE_RATIO of its side (see .identities). Faces side by side are a
# side or more apart: under this, a neighbour is never taken for the face.
SEEN_DISTANCE = 0.6

_Place = tuple[float, float, float]  # centre x, centre y, side: frame pixels as recorded


class SeenFaces:
    """The confirmed faces' ids and places by the frames' times (see the module notes)."""

    def __init__(self, max_slots: int = MAX_SLOTS) -> None:
        self.max_slots = int(max_slots)
        self._slots: OrderedDict[int, dict[int, _Place]] = OrderedDict()
        self._latest = -math.inf  # the latest time recorded
        # Frame pixels now = scale * recorded + offset, per axis (see mirror, rescale); new
        # records are mapped back to the recorded frame's pixels.
        self._scale = (1.0, 1.0)
        self._offset = (0.0, 0.0)

    def clear(self) -> None:
        """Forget everything (another source)."""
        self._slots.clear()
        self._latest = -math.inf
        self._scale, self._offset = (1.0, 1.0), (0.0, 0.0)

    def __len__(self) -> int:
        return len(self._slots)

    def went_back(self, time_s: float | None) -> bool:
        """Whether ``time_s`` is at or before the latest time recorded: a moment seen again
        (at it: the last frame sought to after the end, a single picture opened again)."""
        return time_s is not None and time_s <= self._latest

    def mirror(self, width: int) -> None:
        """The frames are flipped left to right (``width`` pixels wide) from now on."""
        (sx, sy), (ox, oy) = self._scale, self._offset
        self._scale, self._offset = (-sx, sy), (width - ox, oy)

    def rescale(self, scale_x: float, scale_y: float) -> None:
        """The frames changed size by these factors."""
        (sx, sy), (ox, oy) = self._scale, self._offset
        self._scale, self._offset = (sx * scale_x, sy * scale_y), (ox * scale_x, oy * scale_y)

    def record(self, time_s: float | None, faces: Iterable[tuple[int, Box]]) -> None:
        """The faces (id, box) shown in the frame of ``time_s`` (None: not recorded)."""
        faces = list(faces)
        if time_s is None or not faces:
            return
        slot = math.floor(time_s / SLOT_S)
        places = self._slots.setdefault(slot, {})
        self._slots.move_to_end(slot)
        (sx, sy), (ox, oy) = self._scale, self._offset
        side_scale = (abs(sx) + abs(sy)) / 2
        for track_id, (x, y, w, h) in faces:
            places.setdefault(track_id, ((x + w / 2 - ox) / sx, (y + h / 2 - oy) / sy, max(w, h) / side_scale))
        self._latest = max(self._latest, time_s)
        while len(self._slots) > self.max_slots:
            self._slots.popitem(last=False)

    def who(self, time_s: float, box: Box, taken: set[int], size_ratio: float) -> int | None:
        """The id of the face recorded nearest in time to ``time_s`` (within WINDOW_S) at
        about ``box``'s place and size, leaving out the ids in ``taken``; None if none."""
        (sx, sy), (ox, oy) = self._scale, self._offset
        side_scale = (abs(sx) + abs(sy)) / 2
        side = max(box[2], box[3])
        cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
        here = math.floor(time_s / SLOT_S)
        reach = math.ceil(WINDOW_S / SLOT_S)
        best: tuple[int, float, int] | None = None  # slots away, distance in sides, id
        for slot in range(here - reach, here + reach + 1):
            for track_id, (rx, ry, rside) in self._slots.get(slot, {}).items():
                other = rside * side_scale
                if track_id in taken or not 1 / size_ratio <= side / max(1.0, other) <= size_ratio:
                    continue
                distance = math.hypot(rx * sx + ox - cx, ry * sy + oy - cy) / max(side, other)
                ranked = (abs(slot - here), distance, track_id)
                if distance <= SEEN_DISTANCE and (best is None or ranked < best):
                    best = ranked
        return None if best is None else best[2]
