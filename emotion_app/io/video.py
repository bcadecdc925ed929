"""Reading inputs (video file, single image, folder of images) and writing annotated output."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import cv2
import numpy as np

log = logging.getLogger(__name__)

IMAGE_SUFFIXES: frozenset[str] = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm"})
# FourCC per output container; mp4v and MJPG are built into every OpenCV wheel.
_FOURCC: dict[str, str] = {".mp4": "mp4v", ".m4v": "mp4v", ".mov": "mp4v", ".avi": "MJPG", ".mkv": "MJPG"}


class InputError(Exception):
    """An input that cannot be read; the message is one line naming it and the reason."""


class OutputError(Exception):
    """An output that cannot be written; the message names it and the reason."""


Frame = tuple[int, float | None, np.ndarray]  # index, time in seconds (None for still images), BGR


@dataclass(frozen=True)
class MediaInput:
    """An opened input: iterate :meth:`frames` for (index, time_s, BGR frame)."""

    path: Path
    kind: str  # "video", "image" or "folder"
    frame_count: int | None  # None when the container does not say
    fps: float | None  # None for images
    images: tuple[Path, ...] = ()

    def frames(self) -> Iterator[Frame]:
        if self.kind == "video":
            yield from _video_frames(self.path, self.fps)
        else:
            yield from _image_frames(self.images)


def open_input(path: str | os.PathLike[str]) -> MediaInput:
    """Open a video file, an image or a folder of images; raises :class:`InputError`."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if path.is_dir():
        images = tuple(sorted((p for p in path.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES), key=_natural_key))
        if not images:
            raise InputError(f"{path}: folder holds no images ({', '.join(sorted(IMAGE_SUFFIXES))})")
        return MediaInput(path, "folder", len(images), None, images)
    if not path.is_file():
        raise InputError(f"{path}: not a regular file")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: permission denied")
    if path.suffix.lower() in IMAGE_SUFFIXES:
        if _read_image(path) is None:
            raise InputError(f"{path}: not an image OpenCV can decode (corrupt or unsupported)")
        return MediaInput(path, "image", 1, None, (path,))
    return _open_video(path)


def _open_video(path: Path) -> MediaInput:
    capture = cv2.VideoCapture(str(path))
    try:
        if not capture.isOpened():
            raise InputError(f"{path}: not a video OpenCV can open (unknown format or corrupt)")
        ok, frame = capture.read()
        if not ok or frame is None or frame.size == 0:
            raise InputError(f"{path}: video has no readable frames (empty, corrupt or unsupported codec)")
        fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
        count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
    finally:
        capture.release()
    return MediaInput(path, "video", count if count > 0 else None, fps if 0 < fps < 1000 else None)


def _video_frames(path: Path, fps: float | None) -> Iterator[Frame]:
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        raise InputError(f"{path}: video could not be reopened")
    try:
        index = 0
        while True:
            ok, frame = capture.read()
            if not ok or frame is None:
                break
            if fps:
                time_s: float | None = index / fps
            else:
                millis = capture.get(cv2.CAP_PROP_POS_MSEC)
                time_s = millis / 1000.0 if millis and millis > 0 else None
            yield index, time_s, frame
            index += 1
    finally:
        capture.release()


def _image_frames(images: tuple[Path, ...]) -> Iterator[Frame]:
    for index, image_path in enumerate(images):
        frame = _read_image(image_path)
        if frame is None:
            # One bad file in a folder should not cost the rest of the folder.
            log.warning("skipping %s: not an image OpenCV can decode", image_path)
            continue
        yield index, None, frame


def _read_image(path: Path) -> np.ndarray | None:
    # imdecode via numpy handles non-ASCII paths, which cv2.imread does not on Windows.
    try:
        data = np.fromfile(str(path), dtype=np.uint8)
    except OSError:
        return None
    if data.size == 0:
        return None
    return cv2.imdecode(data, cv2.IMREAD_COLOR)


def _natural_key(path: Path) -> list[object]:
    """Sort frame2.png before frame10.png."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", path.name)]


class AnnotatedVideoWriter:
    """Writes BGR frames to a video; opened on the first frame, whose size it keeps.

    Later frames of another size (a folder of mixed images) are letterboxed to fit.
    ``path`` with an image suffix writes a single still image instead (last frame).
    """

    def __init__(self, path: str | os.PathLike[str], fps: float | None = None) -> None:
        self.path = Path(path)
        self.fps = float(fps) if fps and fps > 0 else 10.0
        suffix = self.path.suffix.lower()
        self.still = suffix in IMAGE_SUFFIXES
        if not self.still and suffix not in _FOURCC:
            raise OutputError(f"{self.path}: unsupported output type; use {', '.join(sorted(_FOURCC))} or an image suffix")
        parent = self.path.parent
        if not parent.exists():
            try:
                parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise OutputError(f"{self.path}: cannot create folder {parent} ({exc.strerror or exc})") from exc
        if not os.access(parent, os.W_OK):
            raise OutputError(f"{self.path}: folder {parent} is not writable")
        self._writer: cv2.VideoWriter | None = None
        self._size: tuple[int, int] | None = None
        self.frames_written = 0

    def write(self, frame: np.ndarray) -> None:
        if self.still:
            if not cv2.imwrite(str(self.path), frame):
                raise OutputError(f"{self.path}: OpenCV could not write the image")
            self.frames_written += 1
            return
        if self._writer is None:
            height, width = frame.shape[:2]
            self._size = (width, height)
            fourcc = cv2.VideoWriter_fourcc(*_FOURCC[self.path.suffix.lower()])
            self._writer = cv2.VideoWriter(str(self.path), fourcc, self.fps, self._size)
            if not self._writer.isOpened():
                self._writer = None
                raise OutputError(f"{self.path}: OpenCV could not open a video writer for it")
        assert self._size is not None
        if (frame.shape[1], frame.shape[0]) != self._size:
            frame = letterbox(frame, self._size)
        self._writer.write(frame)
        self.frames_written += 1

    def close(self) -> None:
        if self._writer is not None:
            self._writer.release()
            self._writer = None

    def __enter__(self) -> "AnnotatedVideoWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def letterbox(frame: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``frame`` scaled to fit ``size`` (width, height) without distortion, black borders."""
    width, height = size
    scale = min(width / frame.shape[1], height / frame.shape[0])
    new_w, new_h = max(1, int(frame.shape[1] * scale)), max(1, int(frame.shape[0] * scale))
    resized = cv2.resize(frame, (new_w, new_h), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    canvas = np.zeros((height, width, 3), dtype=np.uint8)
    x, y = (width - new_w) // 2, (height - new_h) // 2
    canvas[y : y + new_h, x : x + new_w] = resized
    return canvas
