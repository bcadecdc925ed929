"""A small CNN face detector for the faces the Haar cascades cannot see.

The cascades look for the light-dark pattern of eyes, brows and nose: behind sunglasses,
or at 26 px in a video call's gallery, a face often gathers no windows at all, so it is
never shown however finely it is scanned (README, "Faces from 24 px up"). MediaPipe's
BlazeFace networks (Apache-2.0; the files and their origin: ``weights/README.md``) see
those faces, and OpenCV's own ``cv2.dnn`` runs them, so they add no dependency:

- :meth:`NetworkFaceDetector.scan` looks over the whole frame with the full-range network
  in overlapping tiles, sized so the smallest wanted face is still large enough for it,
  plus one pass over the whole frame for faces larger than a tile. The tracker runs it
  now and then for newcomers the cascade's scans miss (:mod:`.tracker`).
- :meth:`NetworkFaceDetector.look` looks for one face where it is expected, with the
  short-range network on a crop a few times the face's side: it follows such a face from
  frame to frame and is its face check (the cascades' check fails it for the same reason
  the cascade misses it).

The networks see colour pictures; the pipeline works on gray frames, which they are given
as three equal channels (measured both ways: docs/measurements.md). A ``.tflite`` file is a
flatbuffer of tensors and operators: loading one runs no code of its own.
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import cv2
import numpy as np

from .geometry import Box, iou

log = logging.getLogger(__name__)

DEFAULT_FOLDER = Path(__file__).resolve().parents[2] / "weights" / "face_detector"


@dataclass(frozen=True)
class NetworkSpec:
    """One BlazeFace network: its file, input side and anchor layout (grid side, anchors per cell)."""

    file_name: str
    sha256: str
    input_side: int
    grids: tuple[tuple[int, int], ...]


# MediaPipe's own settings for the two networks (anchors of a fixed size, one grid per
# stride; box offsets in input pixels).
FULL_RANGE = NetworkSpec(
    "face_detection_full_range.tflite",
    "99bf9494d84f50acc6617d89873f71bf6635a841ea699c17cb3377f9507cfec3",
    192,
    ((48, 1),),
)
SHORT_RANGE = NetworkSpec(
    "face_detection_short_range.tflite",
    "3bc182eb9f33925d9e58b5c8d59308a760f4adea8f282370e428c51212c26633",
    128,
    ((16, 2), (8, 6)),
)
# A scan's tile is this many times the smallest wanted face: the full-range network then
# sees that face at 24 px of its 192 px input, where it finds the gallery clip's 26 px
# sunglasses face in every scan; at 13.3 (14 px) it missed it in most (docs/measurements.md).
# Tiles overlap by TILE_OVERLAP of a side.
TILE_FACES = 8.0
TILE_OVERLAP = 0.25
# At most this many tiles a scan (a large still, a 1080p frame): beyond, tiles grow, and
# the smallest face the scan sees with them.
MAX_SCAN_TILES = 24
# Scores (0..1) a find needs: a scan's candidate, and a look's face (a face's own score
# is higher on a crop centred on it). Chosen on the gallery clip and the real clips:
# docs/measurements.md.
SCAN_SCORE = 0.5
LOOK_SCORE = 0.6
# A scan between two full ones looks only at tiles that changed since the last (a face
# comes into view by changing pixels): by more than this many gray levels, on a thumbnail
# of an eighth of the frame's side (camera noise and compression stay below it).
THUMBNAIL_STEP = 8
CHANGE_LEVEL = 12
# A look crops this many face sides around the expected face.
LOOK_CROP_FACTOR = 3.0
# A look's find must overlap the expected box this much (it moved at most a little).
LOOK_IOU = 0.3
# Overlapping finds of one face (neighbouring tiles, the whole-frame pass) are merged.
MERGE_IOU = 0.3


class NetworkFind(NamedTuple):
    """A face the network found: its box in frame pixels and its score (0..1)."""

    box: Box
    score: float


class NetworkDetectorError(Exception):
    """A network file that cannot be used; the message names the file."""


class _Network:
    """One loaded network: runs it on square BGR pictures."""

    def __init__(self, spec: NetworkSpec, folder: Path) -> None:
        path = folder / spec.file_name
        data = _verified_bytes(path, spec.sha256)
        read = getattr(cv2.dnn, "readNetFromTFLite", None)
        if read is None:
            raise NetworkDetectorError(f"{path}: this OpenCV ({cv2.__version__}) cannot read TFLite networks")
        try:
            self.net = read(np.frombuffer(data, np.uint8))
        except cv2.error as exc:
            raise NetworkDetectorError(f"{path}: OpenCV cannot load it ({str(exc).strip().splitlines()[-1]})") from exc
        self.spec = spec
        self.outputs = list(self.net.getUnconnectedOutLayersNames())
        centres = []
        for grid, per_cell in spec.grids:
            steps = (np.arange(grid) + 0.5) / grid
            ys, xs = np.meshgrid(steps, steps, indexing="ij")
            cells = np.stack([xs.ravel(), ys.ravel()], axis=1)
            centres.append(np.repeat(cells, per_cell, axis=0))
        self.anchors = np.concatenate(centres).astype(np.float32)

    def run(self, square: np.ndarray, min_score: float) -> tuple[np.ndarray, np.ndarray]:
        """Boxes (x, y, w, h as fractions of ``square``'s side) and scores of its finds."""
        side = self.spec.input_side
        blob = cv2.dnn.blobFromImage(square, 1.0 / 127.5, (side, side), (127.5, 127.5, 127.5), swapRB=True)
        self.net.setInput(blob)
        outputs = self.net.forward(self.outputs)
        regressors = next(out for out in outputs if out.shape[-1] == 16).reshape(-1, 16)
        logits = next(out for out in outputs if out.shape[-1] == 1).reshape(-1)
        scores = 1.0 / (1.0 + np.exp(-np.clip(logits, -80.0, 80.0)))
        keep = scores >= min_score
        offsets, anchors = regressors[keep, :4] / side, self.anchors[keep]
        centre_x, centre_y = anchors[:, 0] + offsets[:, 0], anchors[:, 1] + offsets[:, 1]
        boxes = np.stack([centre_x - offsets[:, 2] / 2, centre_y - offsets[:, 3] / 2, offsets[:, 2], offsets[:, 3]], 1)
        return boxes, scores[keep]


class NetworkFaceDetector:
    """Faces by the BlazeFace networks in ``folder`` (see the module notes).

    Not safe to use from two threads at once (a network keeps its buffers): give another
    thread a :meth:`clone`. Raises :class:`NetworkDetectorError` for a missing, altered or
    unreadable file (also where a pickled detector is loaded).
    """

    def __init__(self, folder: Path = DEFAULT_FOLDER) -> None:
        self.folder = Path(folder)
        self._full = _Network(FULL_RANGE, self.folder)
        self._short = _Network(SHORT_RANGE, self.folder)

    def clone(self) -> NetworkFaceDetector:
        return NetworkFaceDetector(self.folder)

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled (and copied) as its folder: the copy loads the networks again, checked
        # against the shipped files' checksums as any detector's are (OpenCV's nets do not pickle).
        return (type(self), (self.folder,))

    def scan(self, gray: np.ndarray, min_side: float, changed: np.ndarray | None = None) -> list[NetworkFind]:
        """Faces of ``min_side`` pixels or more in ``gray`` (uint8 2-D), best first.

        ``changed``: a mask of the frame (any size; True where it changed since the last
        scan, see :func:`change_mask`): only the tiles with a change are looked at, and
        the whole frame only if anything changed. None: everywhere.
        """
        height, width = gray.shape[:2]
        tile = max(int(round(TILE_FACES * min_side)), FULL_RANGE.input_side)
        while len(_starts(height, tile)) * len(_starts(width, tile)) > MAX_SCAN_TILES:
            tile = int(tile * 1.25)
        squares = []
        if max(height, width) > tile:
            squares = [(x, y, tile) for y in _starts(height, tile) for x in _starts(width, tile)]
        # Faces larger than a tile, or a frame no larger than one: the whole frame.
        squares.append((0, 0, max(height, width)))
        if changed is not None:
            squares = [square for square in squares if _any_change(changed, square, gray.shape)]
        if not squares:
            return []
        picture = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
        finds = [find for square in squares for find in self._in_square(self._full, picture, square, SCAN_SCORE)]
        return _merged([find for find in finds if max(find.box[2], find.box[3]) >= min_side])

    def look(self, gray: np.ndarray, expected: Box, min_score: float = LOOK_SCORE) -> NetworkFind | None:
        """The face at about ``expected`` in ``gray`` (uint8 2-D), or None if the network
        sees none there with ``min_score``."""
        x, y, w, h = expected
        side = int(math.ceil(LOOK_CROP_FACTOR * max(w, h)))
        if side < 1:
            return None
        left, top = int(round(x + w / 2 - side / 2)), int(round(y + h / 2 - side / 2))
        picture = cv2.cvtColor(_crop(gray, left, top, side), cv2.COLOR_GRAY2BGR)
        finds = self._in_square(self._short, picture, (left, top, side), min_score, cropped=True)
        near = [find for find in finds if iou(find.box, expected) >= LOOK_IOU]
        return max(near, key=lambda find: find.score) if near else None

    def _in_square(
        self,
        network: _Network,
        picture: np.ndarray,
        square: tuple[int, int, int],
        min_score: float,
        cropped: bool = False,
    ) -> list[NetworkFind]:
        """Finds in the ``square`` (left, top, side) of ``picture`` (the square itself
        with ``cropped``), in ``picture``'s pixels; parts outside it are black."""
        left, top, side = square
        view = picture if cropped else _crop(picture, left, top, side)
        boxes, scores = network.run(view, min_score)
        return [
            NetworkFind(
                (
                    int(round(left + bx * side)),
                    int(round(top + by * side)),
                    int(round(bw * side)),
                    int(round(bh * side)),
                ),
                float(score),
            )
            for (bx, by, bw, bh), score in zip(boxes, scores, strict=True)
            if bw > 0 and bh > 0
        ]


def change_mask(gray: np.ndarray, reference: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
    """``gray``'s thumbnail (the next reference), and where it differs from ``reference``
    (a thumbnail of an earlier frame of the same size) by more than CHANGE_LEVEL; None
    (everywhere) without one."""
    height, width = gray.shape[:2]
    size = (max(1, width // THUMBNAIL_STEP), max(1, height // THUMBNAIL_STEP))
    thumbnail = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
    if reference is None or reference.shape != thumbnail.shape:
        return thumbnail, None
    return thumbnail, cv2.absdiff(thumbnail, reference) > CHANGE_LEVEL


def _any_change(changed: np.ndarray, square: tuple[int, int, int], shape: tuple[int, ...]) -> bool:
    """Whether the ``changed`` mask (of a frame of ``shape``) shows a change in ``square``."""
    left, top, side = square
    step_y, step_x = shape[0] / changed.shape[0], shape[1] / changed.shape[1]
    y0, x0 = max(0, int(top / step_y)), max(0, int(left / step_x))
    y1, x1 = int(math.ceil((top + side) / step_y)), int(math.ceil((left + side) / step_x))
    return bool(changed[y0:y1, x0:x1].any())


@cache
def _verified_bytes(path: Path, sha256: str) -> bytes:
    """The file at ``path``, read and checked once per process (every tracker and scan
    thread loads its own copy of the networks)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise NetworkDetectorError(f"{path}: cannot read it ({exc.strerror or exc})") from exc
    # The files ship with the app: another file under the same name (a damaged
    # download, a different network) would give boxes that mean nothing.
    if hashlib.sha256(data).hexdigest() != sha256:
        raise NetworkDetectorError(f"{path}: not the shipped network (its checksum differs)")
    return data


def _starts(length: int, tile: int) -> list[int]:
    """Where tiles of ``tile`` pixels start to cover ``length``, overlapping by about TILE_OVERLAP."""
    if length <= tile:
        return [0]
    count = math.ceil((length - tile) / (tile * (1.0 - TILE_OVERLAP))) + 1
    return [int(round(i * (length - tile) / (count - 1))) for i in range(count)]


def _crop(image: np.ndarray, left: int, top: int, side: int) -> np.ndarray:
    """The ``side``-pixel square of ``image`` at (``left``, ``top``), black beyond its edges."""
    height, width = image.shape[:2]
    square = np.zeros((side, side, *image.shape[2:]), image.dtype)
    x0, y0, x1, y1 = max(left, 0), max(top, 0), min(left + side, width), min(top + side, height)
    if x1 > x0 and y1 > y0:
        square[y0 - top : y1 - top, x0 - left : x1 - left] = image[y0:y1, x0:x1]
    return square


def _merged(finds: list[NetworkFind]) -> list[NetworkFind]:
    """One find per face: the best scoring of those overlapping by MERGE_IOU, best first."""
    kept: list[NetworkFind] = []
    for find in sorted(finds, key=lambda find: -find.score):
        if all(iou(find.box, other.box) <= MERGE_IOU for other in kept):
            kept.append(find)
    return kept


@cache
def _shipped_or_error() -> NetworkFaceDetector | str:
    try:
        return NetworkFaceDetector()
    except NetworkDetectorError as exc:
        return str(exc)


def load_shipped_network() -> NetworkFaceDetector | None:
    """A new :class:`NetworkFaceDetector` of the shipped files, or None (logged once) when
    they cannot be used: the tracker then finds faces with the cascades alone."""
    shipped = _shipped_or_error()
    if isinstance(shipped, str):
        _warn_once(shipped)
        return None
    return shipped.clone()


@cache
def _warn_once(message: str) -> None:
    log.warning("the CNN face detector is off: %s", message)
