"""A second opinion on a cascade find: is there really a face in this box?

The frontal-face cascade, searched finely enough to find 24 px faces, also fires on
hair, letters of a cartoon title or a whole upper body. :class:`FaceCheck` looks at a
find again with evidence the detection did not use:

* OpenCV's ``haarcascade_frontalface_alt2``, a cascade trained apart from the default
  one, must fire on windows of about the same size and place as the box, a few times;
* the default cascade, run with no grouping over a fine grid of positions and sizes
  around the box, must fire there many times (a face gathers dozens of raw windows
  across positions and scales, most false finds only a handful).

Both counts are of raw windows (no grouping) centred near the box's centre. A new find
that passes both is then shown to a small trained verifier (:mod:`.face_verifier`): the two
cascades fire together on some textures (a table's wood grain), and the verifier, trained
on faces against such patches, has the last word.

Both are run on the box and a margin around it, resized so the face is
:data:`CHECK_SIDE` pixels: a cost that does not grow with the face's size. A verdict
counts windows only as far as it needs them (:meth:`FaceCheck.judge`).
The thresholds were chosen on candidates from the real clips with hand-made truth
(``python -m scripts.face_check_data``, figures in the README): the eye cascade, the
obvious alternative, misses closed eyes and sunglasses.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path
from typing import Any, Literal, NamedTuple

import cv2
import numpy as np

from ..preprocessing import Box
from .detector import FRONTAL_FACE_CASCADE, OPENCV_FIX, OpenCVSetupError, check_opencv
from .face_verifier import FaceVerifier, load_shipped_verifier
from .roll import RolledView

SECOND_CASCADE = "haarcascade_frontalface_alt2.xml"
# The face is resized to this side before checking: the cascades' 20-24 px window then
# meets it at a few scales, and the patch stays small.
CHECK_SIDE = 72
# Margin around the box, a fraction of its side: a find's box may sit a few pixels off.
CHECK_MARGIN = 1.0 / 3.0
# Sizes searched in the check, as factors of CHECK_SIDE, and how far from the box's
# centre (a fraction of CHECK_SIDE) a window's centre may be to count.
SIZE_LOW, SIZE_HIGH = 0.7, 1.4
# The check's pyramid step: fine, so that a face gathers many windows.
CHECK_SCALE = 1.05
CENTRE_TOLERANCE = 0.25
# Raw windows needed around a face (see the module notes): faces gather dozens of each;
# of the false finds on the real clips and scikit-image's cell micrograph, none reaches
# both. The sunglasses face of the group photo is the closest call (3 and 9).
MIN_SECOND_WINDOWS = 3
MIN_RAW_WINDOWS = 8
# Evidence at least this many times both thresholds is beyond doubt: a real face seen
# frontally gathers dozens of windows of each, the closest true call (sunglasses) 3 and 9.
# The tracker re-checks such a face less often (a check of a real face costs
# milliseconds: its windows pass deep into both cascades).
STRONG_FACTOR = 3


class FaceVerdict(NamedTuple):
    """What the check made of a box: a face or not, and whether beyond doubt."""

    passed: bool
    strong: bool


@cache
def shipped_verifier() -> FaceVerifier | None:
    """The shipped :class:`FaceVerifier`, loaded once per process (its network is only
    read, so the checks of every thread share it); None if it cannot be used."""
    return load_shipped_verifier()


class FaceCheck:
    """Checks cascade finds with a second cascade, the default cascade's raw windows and a
    trained verifier (``verifier``: default the shipped one; None: the cascades alone).

    Not safe to use from two threads at once (the cascades keep scratch buffers).
    Pickles (and copies) with its verifier; the copy loads its own cascades.
    """

    def __init__(self, verifier: FaceVerifier | Literal["shipped"] | None = "shipped") -> None:
        self._load_cascades()
        self.verifier = shipped_verifier() if verifier == "shipped" else verifier

    def _load_cascades(self) -> None:
        self.second = load_second_cascade()
        self.default = _load(Path(check_opencv()).parent / FRONTAL_FACE_CASCADE)

    def __getstate__(self) -> dict[str, Any]:
        # The cascades are native objects: loaded again by __setstate__.
        return {name: value for name, value in self.__dict__.items() if name not in ("second", "default")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._load_cascades()

    def evidence(self, gray: np.ndarray, box: Box, roll: float = 0.0) -> tuple[int, int]:
        """(raw second-cascade windows, raw default windows) centred on ``box`` in ``gray``.

        ``roll``: the face's tilt (see :mod:`.roll`); it is checked in a view turned upright.
        """
        view = self._check_view(gray, box, roll)
        if view is None:
            return 0, 0
        patch, centre = view
        return _raw_windows(self.second, patch, centre), _raw_windows(self.default, patch, centre)

    def _check_view(self, gray: np.ndarray, box: Box, roll: float) -> tuple[np.ndarray, tuple[float, float]] | None:
        """The patch the cascades search (``box`` and its margin, the face CHECK_SIDE
        pixels, turned upright by ``roll``) and the box's centre in it; None for a box too
        small to look at."""
        height, width = gray.shape[:2]
        x, y, w, h = (int(v) for v in box)
        side = max(w, h)
        if side < 2:
            return None
        margin = int(round(side * CHECK_MARGIN))
        if roll:
            factor = CHECK_SIDE / side
            size = (int(round((w + 2 * margin) * factor)), int(round((h + 2 * margin) * factor)))
            view = RolledView(gray, (x + w / 2, y + h / 2), roll, factor, size)
            return view.image, (size[0] / 2, size[1] / 2)
        x0, y0, x1, y1 = x - margin, y - margin, x + w + margin, y + h + margin
        # A face at the frame's edge gets its missing margin by replication: the cascades
        # then see it framed as they see any other face.
        pad = (max(0, -y0), max(0, y1 - height), max(0, -x0), max(0, x1 - width))
        region = gray[max(0, y0) : min(height, y1), max(0, x0) : min(width, x1)]
        if region.shape[0] < 2 or region.shape[1] < 2:
            return None
        if any(pad):
            region = cv2.copyMakeBorder(region, *pad, cv2.BORDER_REPLICATE)
        factor = CHECK_SIDE / side
        size = (max(1, int(round((x1 - x0) * factor))), max(1, int(round((y1 - y0) * factor))))
        # Bilinear, as the cascades' own pyramids, also when shrinking: area averaging
        # smooths a face enough to cost windows (the sunglasses face of the group photo
        # gathers 9 raw windows bilinear, 5 area-averaged).
        patch = cv2.resize(region, size, interpolation=cv2.INTER_LINEAR)
        return patch, ((x + w / 2 - x0) * factor, (y + h / 2 - y0) * factor)

    def clarity(self, gray: np.ndarray, box: Box, roll: float = 0.0) -> float:
        """How clearly ``box`` in ``gray`` holds a face: its :meth:`evidence` as a multiple of
        the check's thresholds, the lesser of the two (1 or more: it passes)."""
        second, raw = self.evidence(gray, box, roll)
        return min(second / MIN_SECOND_WINDOWS, raw / MIN_RAW_WINDOWS)

    def judge(
        self, gray: np.ndarray, box: Box, roll: float = 0.0, strictness: float = 1.0, verify: bool = True
    ) -> FaceVerdict:
        """Whether ``box`` in ``gray`` (uint8 2-D) holds a face by both window counts and
        (with ``verify``) the verifier, and how clearly (by the window counts): the verdict
        :meth:`clarity` gives.

        ``roll``: the face's tilt in degrees (see :mod:`.roll`). ``strictness``: both
        thresholds are this many times their own.
        """
        view = self._check_view(gray, box, roll)
        if view is None:
            return FaceVerdict(passed=False, strong=False)
        patch, centre = view
        # Windows are counted only as far as the verdict can tell them apart, the second
        # cascade first: a real face's windows are most of the check's cost, and where the
        # second cascade fails the default one cannot make it pass.
        strong_at = max(strictness, STRONG_FACTOR)
        second = _raw_windows(self.second, patch, centre, math.ceil(strong_at * MIN_SECOND_WINDOWS))
        if second < strictness * MIN_SECOND_WINDOWS:
            return FaceVerdict(passed=False, strong=False)
        raw_needed = strong_at if second >= STRONG_FACTOR * MIN_SECOND_WINDOWS else strictness
        raw = _raw_windows(self.default, patch, centre, math.ceil(raw_needed * MIN_RAW_WINDOWS))
        clarity = min(second / MIN_SECOND_WINDOWS, raw / MIN_RAW_WINDOWS)
        passed = clarity >= strictness
        if passed and verify and self.verifier is not None:
            passed = self.verifier.passes(gray, box, roll)
        return FaceVerdict(passed=passed, strong=passed and clarity >= STRONG_FACTOR)

    def __call__(self, gray: np.ndarray, box: Box, roll: float = 0.0) -> bool:
        """Whether ``box`` in ``gray`` (uint8 2-D) holds a face (see :meth:`judge`)."""
        return self.judge(gray, box, roll).passed


def _raw_windows(
    cascade: cv2.CascadeClassifier, patch: np.ndarray, centre: tuple[float, float], enough: int | None = None
) -> int:
    """``cascade``'s raw windows of the check's sizes in ``patch`` centred near ``centre``.

    With ``enough``, the pyramid is searched a level at a time, largest windows first (the
    cheapest levels, and where a face's windows gather: a cascade's box is larger than the
    face), and the count stops once it reaches ``enough``. Below that it is the count of
    one search of every level: OpenCV scales each level from the patch itself.
    """
    low, high = int(CHECK_SIDE * SIZE_LOW), int(CHECK_SIDE * SIZE_HIGH)
    if enough is None:
        found = cascade.detectMultiScale(patch, CHECK_SCALE, 0, minSize=(low, low), maxSize=(high, high))
        return _centred(found, centre)
    count = 0
    for side in reversed(_level_sides(cascade.getOriginalWindowSize()[0], low, high)):
        found = cascade.detectMultiScale(patch, CHECK_SCALE, 0, minSize=(side, side), maxSize=(side, side))
        count += _centred(found, centre)
        if count >= enough:
            break
    return count


@cache
def _level_sides(window: int, low: int, high: int) -> tuple[int, ...]:
    """The window sides, from ``low`` to ``high``, of the pyramid levels ``detectMultiScale``
    searches at CHECK_SCALE for a cascade of ``window`` pixels (rounded as OpenCV does,
    half to even)."""
    sides: list[int] = []
    factor = 1.0
    while (side := round(window * factor)) <= high:
        if side >= low:
            sides.append(side)
        factor *= CHECK_SCALE
    return tuple(sides)


def _centred(found: object, centre: tuple[float, float]) -> int:
    tolerance = CENTRE_TOLERANCE * CHECK_SIDE
    count = 0
    for fx, fy, fw, fh in np.asarray(found).reshape(-1, 4):
        if abs(fx + fw / 2 - centre[0]) <= tolerance and abs(fy + fh / 2 - centre[1]) <= tolerance:
            count += 1
    return count


def load_second_cascade() -> cv2.CascadeClassifier:
    """A freshly loaded :data:`SECOND_CASCADE` (raises :class:`OpenCVSetupError`); the
    verifier's training mines look-alikes with it too."""
    return load_opencv_cascade(SECOND_CASCADE)


def load_opencv_cascade(name: str) -> cv2.CascadeClassifier:
    """OpenCV's cascade file ``name`` (beside its frontal-face one), freshly loaded; raises
    :class:`OpenCVSetupError` where it does not load, as an empty cascade finds nothing."""
    return _load(Path(check_opencv()).parent / name)


def _load(path: Path) -> cv2.CascadeClassifier:
    # A missing file is not handed to OpenCV, which logs its own line about it to stderr.
    cascade = cv2.CascadeClassifier(str(path)) if path.is_file() else None
    if cascade is None or cascade.empty():
        raise OpenCVSetupError(f"OpenCV could not load the cascade {path}; {OPENCV_FIX}")
    return cascade
