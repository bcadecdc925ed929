"""Whether a periodic new-face scan can find anything: has the scene changed outside the tracked faces?

A face can only enter the picture by changing its pixels. The tracker's periodic
full-frame scan looks for such newcomers and costs about ten local searches, yet in a
scene where only the tracked faces move (a fixed camera, people sitting still) it can
find nothing new. :class:`SceneChangeGate` keeps a coarse thumbnail of the frame each
scan saw (8x8-pixel cell means: sensor noise mostly averages out), and the area the
tracked faces covered since; a due scan is skipped when no cell outside that area has
changed. A flickering light or auto exposure changes every cell, and so does a moving
camera: such scenes are scanned as before.

A skipped scan would also be the chance to catch a face that a scan missed (a scan
sees every face a little differently); ``max_skips`` in a row bounds how long that can
wait.
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


class SceneChangeGate:
    """Tracks what changed since the last full-frame scan, outside the tracked faces.

    ``max_skips``: due scans that may be skipped in a row before one runs regardless.
    """

    def __init__(self, max_skips: int = 4) -> None:
        if max_skips < 0:
            raise ValueError(f"max_skips must be >= 0, got {max_skips}")
        self.max_skips = int(max_skips)
        self.skipped = 0  # due scans skipped since the last one that ran
        self._frame_shape: tuple[int, ...] | None = None
        self._reference: np.ndarray | None = None  # coarse frame of the last scan
        self._covered: np.ndarray | None = None  # cells tracked faces covered since

    def reset(self) -> None:
        """Forget the last scan: the next due scan runs."""
        self.skipped = 0
        self._frame_shape = None
        self._reference = None
        self._covered = None

    def scanned(self, gray: np.ndarray) -> None:
        """A full-frame scan has looked at ``gray``: it becomes the reference."""
        self._frame_shape = gray.shape[:2]
        self._reference = self._coarse(gray)
        self._covered = np.zeros(self._reference.shape, dtype=bool)
        self.skipped = 0

    def cover(self, box: Box) -> None:
        """A tracked face was at ``box`` in the current frame: changes around it are explained."""
        if self._covered is None:
            return
        x, y, w, h = box
        margin = COVER_MARGIN * max(w, h)
        rows, cols = self._covered.shape
        c0 = max(0, int(np.floor((x - margin) / CELL_SIDE)))
        r0 = max(0, int(np.floor((y - margin) / CELL_SIDE)))
        c1 = min(cols, int(np.ceil((x + w + margin) / CELL_SIDE)))
        r1 = min(rows, int(np.ceil((y + h + margin) / CELL_SIDE)))
        if c1 > c0 and r1 > r0:
            self._covered[r0:r1, c0:c1] = True

    def scan_needed(self, gray: np.ndarray) -> bool:
        """Whether a due scan of ``gray`` should run; a False answer counts as a skip."""
        if self._reference is None or self._covered is None or gray.shape[:2] != self._frame_shape:
            return True
        if self.skipped >= self.max_skips:
            return True
        change = cv2.absdiff(self._coarse(gray), self._reference)
        if bool(np.any((change > CHANGE_LEVEL) & ~self._covered)):
            return True
        self.skipped += 1
        return False

    @staticmethod
    def _coarse(gray: np.ndarray) -> np.ndarray:
        height, width = gray.shape[:2]
        # Partial cells at the right and bottom edges are dropped by the floor; a face
        # is far larger than a cell, so one entering there still changes whole cells.
        size = (max(1, width // CELL_SIDE), max(1, height // CELL_SIDE))
        return cv2.resize(gray[: size[1] * CELL_SIDE, : size[0] * CELL_SIDE], size, interpolation=cv2.INTER_AREA)
