"""Face detection with OpenCV's frontal-face Haar cascade, at the coarsest useful scale.

A Haar cascade scans a fixed 24x24 window over an image pyramid, so a face of
``min_face_size`` pixels is only found once the pyramid has shrunk it to the window.
Every pyramid level above that one is wasted work; :class:`FaceDetector` skips them by
downscaling the frame first so the smallest wanted face is just above window size.
"""

from __future__ import annotations

import math
import threading
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ..preprocessing import to_gray
from .geometry import Box, centred_in
from .roll import RolledView

FRONTAL_FACE_CASCADE = "haarcascade_frontalface_default.xml"
OPENCV_FIX = 'install a 4.x headless OpenCV: pip install "opencv-python-headless>=4.8,<5"'
# The downscaled minimum face is made this much larger than the cascade window: within
# ~1.4 windows the cascade misses faces of some sizes (too few pyramid levels see them
# to reach min_neighbors). At 1.5 every astronaut face of min_face_size or more is found,
# at 1.25 some are not (docs/measurements.md; tests/test_detection.py checks the sizes).
DETECTION_SLACK = 1.5
# Local searches look for a face of known size over a band of side/1.35..side*1.35, so
# the face itself sits well above the band's minimum: less slack is enough there.
LOCAL_SEARCH_SLACK = 1.25
# Smallest face side found by default: the cascade's own window. Faces in a video call's
# gallery view, a classroom or an audience are 20-40 px; scans for them are affordable
# because they run over changed regions only (see tracker and scene_gate).
DEFAULT_MIN_FACE = 24
# The least --min-face the commands take (their bound before MAX_SEARCHED_SIDE joined it).
LOWEST_MIN_FACE = 8
# The longest shorter side of a picture searched for faces: a still is searched in up to
# 4096x4096 of its own pixels (pipeline.MAX_SMALL_FACE_PIXELS), a video frame in up to
# 1920x1080. A smallest face above it can never be found, in any input.
MAX_SEARCHED_SIDE = 4096
# A still is searched again in copies of itself shrunk by these factors (area averaging),
# for faces of STILL_COPY_MIN_WINDOWS cascade windows or more there: whether the cascade
# finds a large face depends on the face's exact size in pixels (a face found in a photo
# was missed in the same photo scaled up), and one of several sizes finds it
# (docs/measurements.md, "Big photos").
STILL_COPY_FACTORS = (2**0.25, 2**0.5, 2**0.75)
STILL_COPY_MIN_WINDOWS = 3.0
# A still searched in a shrunk copy (see pipeline.MAX_DETECTION_PIXELS) has its small faces,
# up to this many times the size where the copy's search takes over, searched again in a
# larger copy (detect_small): a 26 px face of a 4K still is 17 px in a 2560x1440 copy.
STILL_SMALL_OVERLAP = 1.5


def min_face_problem(pixels: int, option: str = "--min-face") -> str:
    """What is wrong with ``pixels`` as the smallest face side a command line or
    :class:`FaceDetector` asks for (``option``), "" when nothing: it must be
    :data:`LOWEST_MIN_FACE` to :data:`MAX_SEARCHED_SIDE`."""
    if LOWEST_MIN_FACE <= pixels <= MAX_SEARCHED_SIDE:
        return ""
    return (
        f"{option} must be {LOWEST_MIN_FACE} to {MAX_SEARCHED_SIDE} pixels (faces are searched in pictures of at "
        f"most {MAX_SEARCHED_SIDE}x{MAX_SEARCHED_SIDE}), got {pixels}"
    )


class OpenCVSetupError(RuntimeError):
    """OpenCV lacks the Haar cascade support the app needs; the message says how to fix it."""


def check_opencv() -> Path:
    """Check that cv2 has CascadeClassifier and its frontal-face cascade loads.

    Returns the cascade file's path; raises :class:`OpenCVSetupError` otherwise.
    OpenCV 5 dropped both ``cv2.CascadeClassifier`` from the main wheels and the XML
    files from ``cv2.data``, so an unpinned upgrade breaks detection.
    """
    version = getattr(cv2, "__version__", "unknown")
    if not hasattr(cv2, "CascadeClassifier"):
        raise OpenCVSetupError(f"OpenCV {version} has no cv2.CascadeClassifier (removed in OpenCV 5); {OPENCV_FIX}")
    data = getattr(cv2, "data", None)
    folder = getattr(data, "haarcascades", None)
    if not folder:
        raise OpenCVSetupError(f"OpenCV {version} ships no Haar cascade files (cv2.data.haarcascades); {OPENCV_FIX}")
    path = Path(folder) / FRONTAL_FACE_CASCADE
    if not path.is_file():
        raise OpenCVSetupError(f"the frontal-face cascade {path} is missing from OpenCV {version}; {OPENCV_FIX}")
    try:
        loaded = not cv2.CascadeClassifier(str(path)).empty()
    except Exception:  # cv2.error (or SystemError) for a malformed file
        loaded = False
    if not loaded:
        raise OpenCVSetupError(f"OpenCV {version} could not load the frontal-face cascade {path}; {OPENCV_FIX}")
    return path


def load_frontal_face_cascade() -> cv2.CascadeClassifier:
    """A freshly loaded frontal-face cascade (raises :class:`OpenCVSetupError`)."""
    path = check_opencv()
    return cv2.CascadeClassifier(str(path))


class FaceDetector:
    """OpenCV frontal-face Haar cascade with its parameters, loaded once.

    ``scale_factor``, ``min_neighbors``: as for ``detectMultiScale``.
    ``min_face_size`` / ``max_face_size``: smallest / largest face side in frame pixels
    (``min_face_size`` :data:`LOWEST_MIN_FACE` to :data:`MAX_SEARCHED_SIDE`, as ``--min-face``).
    ``detection_scale``: factor applied to the frame before detection; ``None`` picks
    the coarsest scale at which ``min_face_size`` is still found (1.0: full resolution).

    Safe to share between threads (two pipelines given one detector): their searches
    take turns, as the cascade keeps scratch buffers that two at once would corrupt. To
    search in parallel, give each thread its own (:meth:`clone`).

    Pickles (and copies) with its parameters; the copy loads its own cascade.
    """

    def __init__(
        self,
        scale_factor: float = 1.1,
        min_neighbors: int = 5,
        min_face_size: int = DEFAULT_MIN_FACE,
        max_face_size: int | None = None,
        detection_scale: float | None = None,
    ) -> None:
        if not scale_factor > 1.0:
            raise ValueError(f"scale_factor must be > 1, got {scale_factor}")
        if min_neighbors < 0:
            raise ValueError(f"min_neighbors must be >= 0, got {min_neighbors}")
        # The bounds the command lines give --min-face: a face no searched picture can hold
        # would never be found, and the API refuses it as they do.
        if problem := min_face_problem(min_face_size, "min_face_size"):
            raise ValueError(problem)
        if max_face_size is not None and max_face_size < min_face_size:
            raise ValueError(f"max_face_size {max_face_size} is below min_face_size {min_face_size}")
        if detection_scale is not None and not 0.0 < detection_scale <= 1.0:
            raise ValueError(f"detection_scale must be in (0, 1], got {detection_scale}")
        self.scale_factor = float(scale_factor)
        self.min_neighbors = int(min_neighbors)
        self.min_face_size = int(min_face_size)
        self.max_face_size = None if max_face_size is None else int(max_face_size)
        self.cascade = load_frontal_face_cascade()
        # Two detectMultiScale calls at once on one cascade return wrong boxes or raise cv2.error.
        self._cascade_lock = threading.Lock()
        self.window = int(min(self.cascade.getOriginalWindowSize()))
        self.detection_scale = (
            float(detection_scale) if detection_scale is not None else self.coarsest_scale(self.min_face_size)
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled (and copied) as the arguments clone() passes: the copy loads its own
        # cascade, and a damaged pickle's values meet __init__'s checks, not OpenCV's.
        return (FaceDetector, self._arguments())

    def __repr__(self) -> str:
        return (
            f"FaceDetector(scale_factor={self.scale_factor}, min_neighbors={self.min_neighbors}, "
            f"min_face_size={self.min_face_size}, max_face_size={self.max_face_size}, "
            f"detection_scale={self.detection_scale:.3f})"
        )

    def clone(self) -> FaceDetector:
        """A detector with the same parameters and its own cascade, for another thread."""
        return FaceDetector(*self._arguments())

    def _arguments(self) -> tuple[float, int, int, int | None, float]:
        """What :meth:`__init__` takes to make this detector again, in its order."""
        return self.scale_factor, self.min_neighbors, self.min_face_size, self.max_face_size, self.detection_scale

    def coarsest_scale(self, smallest_face: float, slack: float = DETECTION_SLACK) -> float:
        """The smallest image scale at which a face of ``smallest_face`` px is still found."""
        return min(1.0, self.window * slack / max(1.0, float(smallest_face)))

    def detect(self, frame: np.ndarray) -> list[Box]:
        """Face boxes (x, y, w, h) in ``frame`` pixels; ``frame`` is gray, BGR or BGRA."""
        gray = to_gray(frame)
        return self.detect_gray(gray)

    def detect_gray(
        self, gray: np.ndarray, scale_factor: float | None = None, min_neighbors: int | None = None
    ) -> list[Box]:
        """:meth:`detect` for a frame already converted with :func:`to_gray`.

        ``scale_factor`` / ``min_neighbors`` override the detector's own for this call.
        """
        height, width = gray.shape[:2]
        return self.detect_region(
            gray,
            (0, 0, width, height),
            self.min_face_size,
            self.max_face_size,
            self.detection_scale,
            scale_factor=scale_factor,
            min_neighbors=min_neighbors,
        )

    def detect_still(self, gray: np.ndarray, min_neighbors: int | None = None) -> list[list[Box]]:
        """Faces in a picture on its own, one list per size searched, the finest first:
        :meth:`detect_gray`'s, then those in each copy of :data:`STILL_COPY_FACTORS`
        (boxes in ``gray`` pixels; a face is usually in several lists)."""
        height, width = gray.shape[:2]
        passes = [self.detect_gray(gray, min_neighbors=min_neighbors)]
        for factor in STILL_COPY_FACTORS:
            size = (max(1, int(round(width / factor))), max(1, int(round(height / factor))))
            copy = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
            scale_x, scale_y = size[0] / width, size[1] / height
            smallest = max(self.min_face_size * scale_x, self.window * STILL_COPY_MIN_WINDOWS)
            largest = None if self.max_face_size is None else self.max_face_size * scale_x
            if largest is not None and largest < smallest:
                continue
            found = self.detect_region(copy, (0, 0, size[0], size[1]), smallest, largest, min_neighbors=min_neighbors)
            passes.append(
                [
                    (
                        int(round(x / scale_x)),
                        int(round(y / scale_y)),
                        int(round(w / scale_x)),
                        int(round(h / scale_y)),
                    )
                    for x, y, w, h in found
                ]
            )
        return passes

    def detect_small(self, fine: np.ndarray, ratio: float, min_neighbors: int | None = None) -> list[Box]:
        """Faces too small for a search of a copy of ``fine`` shrunk by ``ratio`` (< 1):
        from :attr:`min_face_size` in ``fine`` up to :data:`STILL_SMALL_OVERLAP` times the
        size of the copy's smallest (boxes in ``fine`` pixels)."""
        height, width = fine.shape[:2]
        largest = self.min_face_size / ratio * STILL_SMALL_OVERLAP
        if self.max_face_size is not None:
            largest = min(largest, self.max_face_size)
        if largest < self.min_face_size:
            return []
        return self.detect_region(
            fine, (0, 0, width, height), self.min_face_size, largest, self.detection_scale, min_neighbors=min_neighbors
        )

    def detect_region(
        self,
        gray: np.ndarray,
        region: Box,
        min_size: float,
        max_size: float | None = None,
        scale: float | None = None,
        scale_factor: float | None = None,
        slack: float = DETECTION_SLACK,
        min_neighbors: int | None = None,
        roll: float = 0.0,
        whole_region: bool = True,
    ) -> list[Box]:
        """Faces between ``min_size`` and ``max_size`` px inside ``region`` of ``gray``.

        The region is downscaled by ``scale`` (default: the coarsest that ``min_size``
        allows with ``slack``) before the cascade runs; boxes come back in frame pixels.
        ``roll``: look for faces tilted by this many degrees (see :mod:`.roll`), in a
        view of the region turned upright; their boxes are frame boxes around their centres.
        ``whole_region``: with a roll, the view holds the whole region turned (a scan: a
        face may be anywhere in it); False: a view of the region's own size about its
        centre, which leaves out the region's corners (a search around where a known face
        is expected).
        """
        if roll:
            return self._detect_rolled(
                gray, region, min_size, max_size, scale, scale_factor, slack, min_neighbors, roll, whole_region
            )
        height, width = gray.shape[:2]
        x, y, w, h = region
        x0, y0 = max(0, int(x)), max(0, int(y))
        x1, y1 = min(width, int(x + w)), min(height, int(y + h))
        if x1 - x0 < min_size or y1 - y0 < min_size:
            return []
        if scale is None:
            scale = self.coarsest_scale(min_size, slack)
        patch = gray[y0:y1, x0:x1]
        if scale < 1.0:
            size = (max(1, int(round((x1 - x0) * scale))), max(1, int(round((y1 - y0) * scale))))
            # Bilinear, as the cascade's own pyramid: area averaging blurs faces near
            # window size enough to lose some (docs/measurements.md).
            patch = cv2.resize(patch, size, interpolation=cv2.INTER_LINEAR)
            # Rounding the patch size changes the effective factor slightly.
            scale_x, scale_y = size[0] / (x1 - x0), size[1] / (y1 - y0)
        else:
            scale_x = scale_y = 1.0
        found = self._run_cascade(patch, min_size, max_size, scale_x, scale_y, scale_factor, min_neighbors)
        boxes: list[Box] = []
        for fx, fy, fw, fh in found:
            boxes.append(
                (
                    int(round(x0 + fx / scale_x)),
                    int(round(y0 + fy / scale_y)),
                    int(round(fw / scale_x)),
                    int(round(fh / scale_y)),
                )
            )
        return boxes

    def _detect_rolled(
        self,
        gray: np.ndarray,
        region: Box,
        min_size: float,
        max_size: float | None,
        scale: float | None,
        scale_factor: float | None,
        slack: float,
        min_neighbors: int | None,
        roll: float,
        whole_region: bool,
    ) -> list[Box]:
        """:meth:`detect_region` for ``roll`` other than 0, in a :class:`RolledView` of the region."""
        x, y, w, h = region
        if w < min_size or h < min_size:
            return []
        if scale is None:
            scale = self.coarsest_scale(min_size, slack)
        scale = min(1.0, scale)
        if whole_region:
            # The view holds the whole region turned about its centre (its corners are
            # filled from outside it), so a face anywhere in the region is in the view.
            cos, sin = abs(math.cos(math.radians(roll))), abs(math.sin(math.radians(roll)))
            size = (int(round((w * cos + h * sin) * scale)), int(round((w * sin + h * cos) * scale)))
        else:
            # Around an expected face, the turned region's bounding box would add up to as
            # many pixels again, in corners far from it (docs/measurements.md).
            size = (int(round(w * scale)), int(round(h * scale)))
        view = RolledView(gray, (x + w / 2.0, y + h / 2.0), roll, scale, size)
        found = self._run_cascade(view.image, min_size, max_size, scale, scale, scale_factor, min_neighbors)
        boxes = [view.frame_box((int(fx), int(fy), int(fw), int(fh))) for fx, fy, fw, fh in found]
        # The view's corners beyond the frame are replicated edge pixels, turned into
        # stripes the cascade now and then takes for a face: a face is in the picture.
        return [box for box in boxes if centred_in(box, gray.shape)]

    def _run_cascade(
        self,
        image: np.ndarray,
        min_size: float,
        max_size: float | None,
        scale_x: float,
        scale_y: float,
        scale_factor: float | None,
        min_neighbors: int | None,
    ) -> np.ndarray:
        """The cascade's boxes (N x 4, ``image`` pixels) for faces of ``min_size`` to
        ``max_size`` frame pixels in ``image``, which shows the frame scaled by
        (``scale_x``, ``scale_y``); none when even the smallest cannot fit."""
        small_min = max(self.window, int(round(min_size * min(scale_x, scale_y))))
        if small_min > min(image.shape[:2]):
            return np.empty((0, 4), dtype=np.int32)
        small_max = (0, 0) if max_size is None else (int(round(max_size * scale_x)), int(round(max_size * scale_y)))
        with self._cascade_lock:
            found = self.cascade.detectMultiScale(
                image,
                scaleFactor=scale_factor or self.scale_factor,
                minNeighbors=self.min_neighbors if min_neighbors is None else min_neighbors,
                minSize=(small_min, small_min),
                maxSize=small_max,
            )
        return np.asarray(found).reshape(-1, 4)


def full_frame_baseline_detector() -> FaceDetector:
    """Full-resolution detection as the ``fer`` package does it: scale 1.1, 5 neighbours, min 50."""
    return FaceDetector(scale_factor=1.1, min_neighbors=5, min_face_size=50, detection_scale=1.0)
