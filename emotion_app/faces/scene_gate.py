"""What changed in the scene since the last scan for new faces, outside the tracked faces?

A face can only enter the picture by changing its pixels. A scan for newcomers costs
many local searches, yet in a scene where only the tracked faces move (a fixed camera,
people sitting still) it can find nothing new. :class:`SceneChangeGate` keeps a coarse
thumbnail of the frame each scan saw (8x8-pixel cell means: sensor noise mostly
averages out), and where the tracked faces were in the last few frames.
:meth:`SceneChangeGate.changed_regions` says which parts changed outside that area: a
scan of those regions finds every newcomer for a fraction of a full scan's cost. That
is what makes a fine (24 px) search for new faces affordable in an empty scene and
between full scans while faces are tracked. A flickering light or auto exposure
changes every cell, and so do a moving camera and a cut: such frames are scanned whole
(:meth:`SceneChangeGate.new_picture`). :class:`ShotCuts` tells cuts from every frame to
the next, for the ids a cut ends. Both look at a frame's cells through one
:class:`FrameCells`, which computes them once a frame.
"""

from __future__ import annotations

import cv2
import numpy as np

from .geometry import Box

# Side of one cell of the change map, in frame pixels: averaging a cell's pixels
# removes most sensor noise and makes the check about a tenth of a millisecond.
CELL_SIDE = 8
# Mean grey-level change of a cell that counts as a change: well above what
# compression and sensor noise leave after averaging over a cell, well below a face
# appearing in front of a background.
CHANGE_LEVEL = 12.0
# Area around a tracked face (a fraction of its side, each way) whose changes the face
# explains: its hair, ears and neck move with it.
COVER_MARGIN = 0.5
# When more than this share of the frame (outside tracked faces) changed, a region scan
# would cost about as much as a full one: a cut, a camera move, a light switched on.
FULL_SCAN_SHARE = 0.3
# A cut changes most of the frame from one frame to the next; a camera move or a zoom
# changes as much between scans, but far less between two frames (docs/measurements.md).
CUT_SHARE = 0.4
# Two frames whose cells correlate less than this show different pictures: a cut, not the
# same picture brighter or darker (docs/measurements.md, "The stage clip in HD").
SHOT_CORRELATION = 0.5
# A tracked face explains the changes around it while it is there, and for this many
# frames after (a face missed for a frame or two). What it leaves is looked at once it
# changes: a person it passed in front of is found at the next scan, not at the next
# full one, up to 5 s later (docs/measurements.md, "A face behind another").
COVER_FRAMES = 3
_LONG_AGO = 2**30  # the cover age of a cell no tracked face covered since it was scanned


class FrameCells:
    """The cells (:func:`coarse_cells`) of the frame being looked at, computed once for every
    check of that frame that needs them: each size band's gate and the cut detector."""

    def __init__(self) -> None:
        self._gray: np.ndarray | None = None
        self._cells: np.ndarray | None = None

    def next_frame(self) -> None:
        """A new frame comes: the last one's cells are no longer its (even if the new frame
        was written into the same array)."""
        self._gray = None
        self._cells = None

    def of(self, gray: np.ndarray) -> np.ndarray:
        """The cells of ``gray``, the frame of now (read them only: every check shares them)."""
        if self._cells is None or gray is not self._gray:
            self._gray, self._cells = gray, coarse_cells(gray)
        return self._cells


class SceneChangeGate:
    """Tracks what changed since the last scan, outside the tracked faces.

    ``cells``: the :class:`FrameCells` it shares with the other checks of each frame
    (default: its own); whoever shares one calls its ``next_frame`` at every frame.
    """

    def __init__(self, cells: FrameCells | None = None) -> None:
        self._frame_cells = cells if cells is not None else FrameCells()
        self._owns_cells = cells is None
        self._frame_shape: tuple[int, ...] | None = None
        self._reference: np.ndarray | None = None  # coarse frame of the last scan
        self._cover_age: np.ndarray | None = None  # frames since a tracked face last covered each cell
        self._dirty: np.ndarray | None = None  # cells to scan again whether changed or not
        # The coarse frames of this frame and the one before, where they were looked at (see cut).
        self._current: np.ndarray | None = None
        self._previous: np.ndarray | None = None

    def reset(self) -> None:
        """Forget the last scan: the next scan covers the whole frame."""
        self._frame_shape = None
        self._reference = None
        self._cover_age = None
        self._dirty = None
        self._current = None
        self._previous = None

    def mirror(self) -> None:
        """The frames are flipped left to right from the next one on: so is what the gate
        keeps (to within a cell where the frame's width is no multiple of :data:`CELL_SIDE`)."""
        self._reference, self._cover_age, self._dirty, self._current, self._previous = (
            None if cells is None else np.ascontiguousarray(cells[:, ::-1])
            for cells in (self._reference, self._cover_age, self._dirty, self._current, self._previous)
        )

    def next_frame(self) -> None:
        """The next frame comes: what this one looked like is kept for :meth:`cut`."""
        if self._owns_cells:
            self._frame_cells.next_frame()
        self._previous = self._current
        self._current = None
        if self._cover_age is not None:
            np.minimum(self._cover_age + 1, _LONG_AGO, out=self._cover_age)

    def cut(self, gray: np.ndarray) -> bool:
        """Whether more than :data:`CUT_SHARE` of ``gray`` differs from the frame before it
        (a cut, not a camera move). False when the gate did not look at the frame before
        (none of its checks ran then) or it had another size."""
        previous = self._previous
        current = self._current if self._current is not None else self._coarse_of(gray)
        if previous is None or previous.shape != current.shape:
            return False
        return float(_changed_cells(current, previous).mean()) > CUT_SHARE

    def scanned(self, gray: np.ndarray) -> None:
        """A full-frame scan has looked at ``gray``: it becomes the reference."""
        self._frame_shape = gray.shape[:2]
        # A copy: region scans update the reference in place, and this frame's coarse
        # frame must stay as it was for cut().
        self._reference = self._coarse_of(gray).copy()
        self._cover_age = np.full(self._reference.shape, _LONG_AGO, dtype=np.int64)
        self._dirty = np.zeros(self._reference.shape, dtype=bool)

    def rescan(self, box: Box) -> None:
        """Have the next region scan look at ``box`` again even if it does not change (say,
        a face first seen half out of the frame and rejected for it, that then stands still)."""
        cells = self._cells(box, 0.0)
        if cells is not None and self._dirty is not None:
            r0, r1, c0, c1 = cells
            self._dirty[r0:r1, c0:c1] = True

    def _cells(self, box: Box, margin_share: float) -> tuple[int, int, int, int] | None:
        if self._cover_age is None:
            return None
        x, y, w, h = box
        margin = margin_share * max(w, h)
        rows, cols = self._cover_age.shape
        c0 = max(0, int(np.floor((x - margin) / CELL_SIDE)))
        r0 = max(0, int(np.floor((y - margin) / CELL_SIDE)))
        c1 = min(cols, int(np.ceil((x + w + margin) / CELL_SIDE)))
        r1 = min(rows, int(np.ceil((y + h + margin) / CELL_SIDE)))
        return (r0, r1, c0, c1) if c1 > c0 and r1 > r0 else None

    def cover(self, box: Box) -> None:
        """A tracked face was at ``box`` in the current frame: changes around it are explained."""
        cells = self._cells(box, COVER_MARGIN)
        if cells is not None and self._cover_age is not None:
            r0, r1, c0, c1 = cells
            self._cover_age[r0:r1, c0:c1] = 0

    def new_picture(self, gray: np.ndarray, full_share: float = FULL_SCAN_SHARE) -> bool:
        """Whether more than ``full_share`` of ``gray`` changed outside tracked faces since the
        last scan (a cut, a camera move), or there is no reference to compare with. Unlike
        :meth:`changed_regions`, places marked for a rescan do not count."""
        changed = self._changed(gray)
        return changed is None or float(changed.mean()) > full_share

    def changed_away_from_faces(self, gray: np.ndarray, share: float = CUT_SHARE) -> bool:
        """Whether more than ``share`` of the part of ``gray`` away from tracked faces changed
        since the last scan (of all of it, if faces covered everything); True without a
        comparable reference. Unlike :meth:`new_picture`, a large face does not hide a cut:
        it covers most of the frame, so the rest's share of the frame stays small."""
        changed = self._changed_cells(gray)
        covered = self._covered
        if changed is None or covered is None:
            return True
        away = ~covered
        if not away.any():
            return float(changed.mean()) > share
        return float(changed[away].mean()) > share

    def changed_regions(self, gray: np.ndarray, full_share: float = FULL_SCAN_SHARE) -> list[Box] | None:
        """Boxes (frame pixels) around the parts of ``gray`` that changed outside tracked faces
        since they were last scanned; [] when none did, None when a full scan is called for
        (no reference yet, another frame size, or more than ``full_share`` of it changed)."""
        changed = self._changed(gray)
        if changed is None:
            return None
        if self._dirty is not None:
            changed |= self._dirty
        if float(changed.mean()) > full_share:
            return None
        if not changed.any():
            return []
        # Neighbouring changed cells are one region: a face changes a blob of cells, not
        # every cell of it above the level.
        mask = cv2.dilate(changed.astype(np.uint8), np.ones((3, 3), np.uint8))
        count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        return [
            (int(x * CELL_SIDE), int(y * CELL_SIDE), int(w * CELL_SIDE), int(h * CELL_SIDE))
            for x, y, w, h, _ in stats[1:count]
        ]

    def scanned_regions(self, gray: np.ndarray, regions: list[Box]) -> None:
        """A scan has looked at ``regions`` of ``gray``: they become the reference there."""
        if self._reference is None or self._cover_age is None or gray.shape[:2] != self._frame_shape:
            self.scanned(gray)
            return
        coarse = self._coarse_of(gray)
        rows, cols = self._reference.shape
        for x, y, w, h in regions:
            c0, r0 = max(0, int(x // CELL_SIDE)), max(0, int(y // CELL_SIDE))
            c1, r1 = min(cols, int(np.ceil((x + w) / CELL_SIDE))), min(rows, int(np.ceil((y + h) / CELL_SIDE)))
            if c1 > c0 and r1 > r0:
                self._reference[r0:r1, c0:c1] = coarse[r0:r1, c0:c1]
                self._cover_age[r0:r1, c0:c1] = _LONG_AGO
                if self._dirty is not None:
                    self._dirty[r0:r1, c0:c1] = False

    def _changed(self, gray: np.ndarray) -> np.ndarray | None:
        """Cells of ``gray`` changed since the reference outside tracked faces; None without a
        comparable reference (none yet, or another frame size)."""
        changed = self._changed_cells(gray)
        covered = self._covered
        return None if changed is None or covered is None else changed & ~covered

    def _changed_cells(self, gray: np.ndarray) -> np.ndarray | None:
        """Cells of ``gray`` changed since the reference, tracked faces or not; None without a
        comparable reference (none yet, or another frame size)."""
        if self._reference is None or self._cover_age is None or gray.shape[:2] != self._frame_shape:
            return None
        return _changed_cells(self._coarse_of(gray), self._reference)

    @property
    def _covered(self) -> np.ndarray | None:
        """The cells whose changes a tracked face explains (see :data:`COVER_FRAMES`)."""
        return None if self._cover_age is None else self._cover_age <= COVER_FRAMES

    @property
    def has_reference(self) -> bool:
        """Whether a scan has been recorded since the last :meth:`reset`."""
        return self._reference is not None

    def _coarse_of(self, gray: np.ndarray) -> np.ndarray:
        """:func:`coarse_cells`, the first one of a frame kept for :meth:`cut`."""
        coarse = self._frame_cells.of(gray)
        if self._current is None:
            self._current = coarse
        return coarse


class ShotCuts:
    """Cuts to another shot, for face ids: looks at every frame it is given, apart from
    :class:`SceneChangeGate`, whose checks look only at the frames that need them.

    A cut changes more than :data:`CUT_SHARE` of the picture from one frame to the next,
    and what the picture shows (the cells' correlation stays under
    :data:`SHOT_CORRELATION`: a light switched on or an exposure jump changes every cell
    but keeps the picture); it counts as a new shot once the frame after it is no more like
    the frame before it (a flash or a damaged frame changes as much, and then the picture
    comes back).

    ``cells``: the :class:`FrameCells` it shares with the other checks of each frame
    (default: its own, made anew for every frame it looks at).
    """

    def __init__(self, cells: FrameCells | None = None) -> None:
        self._frame_cells = cells
        self._previous: np.ndarray | None = None  # the coarse frame before this one
        self._before_cut: np.ndarray | None = None  # the one before a cut, while it is judged
        self._jumped = False  # the next frame follows a seek
        # The last frame looked at or seen (see saw): what the frame after a seek is judged against.
        self._last_seen: np.ndarray | None = None

    def reset(self) -> None:
        """Forget the frames seen: the next frame is no cut."""
        self._previous = None
        self._before_cut = None
        self._jumped = False
        self._last_seen = None

    def saw(self, gray: np.ndarray) -> None:
        """``gray`` was not looked at for cuts (nothing to follow yet), but a seek after it
        is judged against it (see :meth:`jumped`); cuts in playback are not."""
        self._last_seen = coarse_cells(gray) if self._frame_cells is None else self._frame_cells.of(gray)

    def mirror(self) -> None:
        """The frames are flipped left to right from the next one on: no cut is judged
        at the next frame, and a seek after it is judged against the last frame flipped."""
        last_seen = self._last_seen
        self.reset()
        self._last_seen = None if last_seen is None else np.ascontiguousarray(last_seen[:, ::-1])

    def jumped(self) -> None:
        """The next frame follows a seek: it is a new shot at once if it shows another
        picture than the last frame seen (a seek is no flash, to be waited out a frame)."""
        self._before_cut = None
        self._jumped = self._last_seen is not None

    def look(self, gray: np.ndarray) -> tuple[bool, bool]:
        """(whether ``gray`` comes right after a cut, whether it shows that the cut before
        it stayed: a new shot). Give it every frame while cuts matter, else :meth:`reset`."""
        current = coarse_cells(gray) if self._frame_cells is None else self._frame_cells.of(gray)
        if self._jumped:
            assert self._last_seen is not None
            self._jumped = False
            new_shot = _differs(current, self._last_seen)
            self._previous = self._last_seen = current
            return new_shot, new_shot
        new_shot = self._before_cut is not None and _differs(current, self._before_cut)
        cut = self._previous is not None and _differs(current, self._previous)
        self._before_cut = self._previous if cut else None
        self._previous = self._last_seen = current
        return cut, new_shot


def _differs(coarse: np.ndarray, other: np.ndarray) -> bool:
    """Whether two coarse frames show different pictures (see :class:`ShotCuts`; another size: no)."""
    if coarse.shape != other.shape or float(_changed_cells(coarse, other).mean()) <= CUT_SHARE:
        return False
    a = coarse.astype(np.float32).ravel() - float(coarse.mean())
    b = other.astype(np.float32).ravel() - float(other.mean())
    spread = float(np.sqrt(np.dot(a, a) * np.dot(b, b)))
    return spread == 0.0 or float(np.dot(a, b)) / spread < SHOT_CORRELATION


def _changed_cells(coarse: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Which cells of two coarse frames of one size differ by more than :data:`CHANGE_LEVEL`."""
    return cv2.absdiff(coarse, other) > CHANGE_LEVEL


def coarse_cells(gray: np.ndarray) -> np.ndarray:
    """``gray`` as the means of its :data:`CELL_SIDE`-pixel cells."""
    height, width = gray.shape[:2]
    # Partial cells at the right and bottom edges are dropped by the floor; a face is far
    # larger than a cell, so one entering there still changes whole cells.
    size = (max(1, width // CELL_SIDE), max(1, height // CELL_SIDE))
    return cv2.resize(gray[: size[1] * CELL_SIDE, : size[0] * CELL_SIDE], size, interpolation=cv2.INTER_AREA)
