"""Sample data made on the fly: random-init weights files and astronaut videos with known faces.

For the tests, the demo clips and the measurement scripts. Nothing here downloads
anything: scikit-image (a dev dependency, imported only when a photo is needed) ships the
astronaut photo, and the weights are randomly initialised.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch

from .faces.geometry import Box
from .model import SEED_ARCHITECTURE, build_model
from .preprocessing import Preprocessing
from .weights import ModelCard, save_weights

SIX_LABELS: tuple[str, ...] = ("angry", "fear", "happy", "sad", "surprise", "neutral")
SEVEN_LABELS: tuple[str, ...] = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")

# Where the frontal-face Haar cascade finds the astronaut's face in the 512x512 photo
# (scale 1.1, 5 neighbours): x, y, w, h.
_ASTRONAUT_FACE: Box = (177, 66, 95, 95)
# Context kept around the face when it is pasted into a frame, as a fraction of the face
# side; the cascade needs some forehead, chin and cheeks to fire reliably.
_PATCH_CONTEXT = 0.45


def make_random_weights(
    path: str | os.PathLike[str],
    num_classes: int = 6,
    labels: Sequence[str] | None = None,
    seed: int = 0,
    preprocessing: Preprocessing | None = None,
) -> Path:
    """Save a randomly initialised seed CNN as a weights file and return its path."""
    if labels is None:
        if num_classes == 6:
            labels = SIX_LABELS
        elif num_classes == 7:
            labels = SEVEN_LABELS
        else:
            labels = tuple(f"class{i}" for i in range(num_classes))
    torch.manual_seed(seed)
    model = build_model(num_classes=len(labels)).eval()
    card = ModelCard(
        architecture=SEED_ARCHITECTURE,
        architecture_kwargs=model.architecture_kwargs(),
        labels=tuple(labels),
        preprocessing=preprocessing or Preprocessing(),
        training={"note": "random init, for tests"},
    )
    return save_weights(path, model, card)


def photo_frame(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """An RGB photo (say scikit-image's ``data.coffee()``) as a BGR uint8 frame of ``size``
    (width, height), resized with area averaging."""
    return cv2.resize(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), size, interpolation=cv2.INTER_AREA)


def astronaut_bgr() -> np.ndarray:
    """The scikit-image astronaut photo as a BGR uint8 array (512x512x3)."""
    from skimage import data

    return cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)


def astronaut_face_patch(face_size: int) -> tuple[np.ndarray, Box]:
    """A BGR patch around the astronaut's face scaled so the face is ``face_size`` wide.

    Returns the patch and the face box inside the patch.
    """
    image = astronaut_bgr()
    fx, fy, fw, fh = _ASTRONAUT_FACE
    pad = int(round(fw * _PATCH_CONTEXT))
    x0, y0 = max(0, fx - pad), max(0, fy - pad)
    x1, y1 = min(image.shape[1], fx + fw + pad), min(image.shape[0], fy + fh + pad)
    patch = image[y0:y1, x0:x1]
    factor = face_size / fw
    size = (max(1, int(round(patch.shape[1] * factor))), max(1, int(round(patch.shape[0] * factor))))
    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
    patch = cv2.resize(patch, size, interpolation=interpolation)
    face = (
        int(round((fx - x0) * factor)),
        int(round((fy - y0) * factor)),
        int(round(fw * factor)),
        int(round(fh * factor)),
    )
    return patch, face


def background(width: int, height: int) -> np.ndarray:
    """A smooth, face-free BGR background (a soft diagonal gradient)."""
    xs = np.linspace(60, 140, width, dtype=np.float32)[None, :]
    ys = np.linspace(0, 50, height, dtype=np.float32)[:, None]
    gray = (xs + ys).astype(np.uint8)
    frame = np.stack([gray, gray, np.clip(gray.astype(np.int16) + 15, 0, 255).astype(np.uint8)], axis=2)
    return np.ascontiguousarray(frame)


def noise_frames_with_face(
    count: int, face_size: int = 70, at: tuple[int, int] = (20, 30), seed: int = 5
) -> tuple[list[np.ndarray], Box]:
    """``count`` 400x240 BGR frames of uniform noise, each with the astronaut's face pasted at ``at``.

    Noise makes an unconfirmed cascade (min_neighbors 0) report many junk hits. Returns
    the frames and the face box in frame coordinates.
    """
    rng = np.random.default_rng(seed)
    patch, face = astronaut_face_patch(face_size)
    frames = []
    for _ in range(count):
        frame = rng.integers(0, 256, (240, 400, 3), dtype=np.uint8)
        paste(frame, patch, *at)
        frames.append(frame)
    return frames, (at[0] + face[0], at[1] + face[1], face[2], face[3])


def paste(frame: np.ndarray, patch: np.ndarray, x: int, y: int) -> None:
    """Paste ``patch`` with its top-left at (x, y), clipped to the frame, in place."""
    height, width = frame.shape[:2]
    px0, py0 = max(0, -x), max(0, -y)
    fx0, fy0 = max(0, x), max(0, y)
    fx1 = min(width, x + patch.shape[1])
    fy1 = min(height, y + patch.shape[0])
    if fx1 <= fx0 or fy1 <= fy0:
        return
    frame[fy0:fy1, fx0:fx1] = patch[py0 : py0 + (fy1 - fy0), px0 : px0 + (fx1 - fx0)]


@dataclass(frozen=True)
class VideoTruth:
    """What a synthetic video contains: per frame, the true face boxes (empty when blank)."""

    path: Path
    fps: float
    frame_size: tuple[int, int]  # width, height
    faces: tuple[tuple[Box, ...], ...]

    @property
    def num_frames(self) -> int:
        return len(self.faces)

    @property
    def frames_with_face(self) -> int:
        return sum(1 for boxes in self.faces if boxes)


def astronaut_frames(
    num_frames: int = 24,
    frame_size: tuple[int, int] = (320, 240),
    face_size: int | tuple[int, int] = 80,
    copies: int = 1,
    motion: str = "move",
    blank_frames: Sequence[int] = (),
    noise_frames: Sequence[int] = (),
    seed: int = 0,
) -> tuple[list[np.ndarray], list[tuple[Box, ...]]]:
    """Frames with ``copies`` astronaut faces side by side, and their true face boxes.

    ``motion``: "static", "move" (drift left to right and back) or "scale" (the face
    grows from ``face_size[0]`` to ``face_size[1]``; an int means no change).
    ``blank_frames`` show only the background; ``noise_frames`` show uniform noise.
    """
    width, height = frame_size
    size_from, size_to = (face_size, face_size) if isinstance(face_size, int) else face_size
    blank, noisy = set(blank_frames), set(noise_frames)
    rng = np.random.default_rng(seed)
    frames: list[np.ndarray] = []
    truth: list[tuple[Box, ...]] = []
    for index in range(num_frames):
        if index in noisy:
            frames.append(rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8))
            truth.append(())
            continue
        frame = background(width, height)
        if index in blank:
            frames.append(frame)
            truth.append(())
            continue
        phase = index / max(1, num_frames - 1)
        size = int(round(size_from + (size_to - size_from) * phase)) if motion == "scale" else size_from
        patch, (fx, fy, fw, fh) = astronaut_face_patch(size)
        slot = width / copies
        travel = max(0.0, slot - patch.shape[1])
        if motion == "move":
            offset = travel * (1 - abs(1 - 2 * phase))  # there and back
        else:
            offset = travel / 2
        y = (height - patch.shape[0]) // 2
        boxes: list[Box] = []
        for copy in range(copies):
            x = int(round(copy * slot + offset))
            paste(frame, patch, x, y)
            boxes.append((x + fx, y + fy, fw, fh))
        frames.append(frame)
        truth.append(tuple(boxes))
    return frames, truth


def two_people(count: int, backdrop_blur: int = 0) -> list[np.ndarray]:
    """``count`` 480x360 frames: the astronaut on the left, another person (scikit-image's
    LFW sample) on the right, over scikit-image's coffee photo (its table's wood grain
    fools both frontal-face cascades: see emotion_app/faces/face_verifier.py), both
    moving by a pixel or two, with sensor noise (``backdrop_blur``: the photo blurred
    with a box this wide)."""
    from skimage import data

    rng = np.random.default_rng(5)
    patch, _ = astronaut_face_patch(90)
    other = cv2.cvtColor(
        cv2.resize((data.lfw_subset()[1] * 255).astype(np.uint8), (96, 96), interpolation=cv2.INTER_CUBIC),
        cv2.COLOR_GRAY2BGR,
    )
    base = photo_frame(data.coffee(), (480, 360))
    if backdrop_blur:
        base = cv2.blur(base, (backdrop_blur, backdrop_blur))
    frames = []
    for index in range(count):
        frame = base.copy()
        paste(frame, patch, 20 + index % 3, 60)
        paste(frame, other, 330, 90 + index % 2)
        frames.append(np.clip(frame.astype(np.int16) + rng.integers(-2, 3, frame.shape), 0, 255).astype(np.uint8))
    return frames


def write_video(path: str | os.PathLike[str], frames: Sequence[np.ndarray], fps: float = 10.0) -> Path:
    """Write BGR frames to a video (codec from the suffix: .avi MJPG, else mp4v)."""
    path = Path(path)
    if not frames:
        raise ValueError("no frames to write")
    height, width = frames[0].shape[:2]
    fourcc = cv2.VideoWriter.fourcc(*("MJPG" if path.suffix.lower() == ".avi" else "mp4v"))
    writer = cv2.VideoWriter(str(path), fourcc, fps, (width, height))
    if not writer.isOpened():
        raise RuntimeError(f"cv2.VideoWriter could not open {path}")
    try:
        for frame in frames:
            writer.write(frame)
    finally:
        writer.release()
    return path


def read_video(path: str | os.PathLike[str], limit: int | None = None) -> list[np.ndarray]:
    """Every frame of a video file (the first ``limit`` with one), decoded with OpenCV as BGR."""
    capture = cv2.VideoCapture(str(path))
    frames: list[np.ndarray] = []
    while limit is None or len(frames) < limit:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    capture.release()
    return frames


def write_astronaut_video(
    path: str | os.PathLike[str],
    num_frames: int = 24,
    frame_size: tuple[int, int] = (320, 240),
    face_size: int | tuple[int, int] = 80,
    copies: int = 1,
    motion: str = "move",
    blank_frames: Sequence[int] = (),
    noise_frames: Sequence[int] = (),
    fps: float = 10.0,
    seed: int = 0,
) -> VideoTruth:
    """Write an astronaut video (see :func:`astronaut_frames`) and return what it holds."""
    frames, truth = astronaut_frames(
        num_frames=num_frames,
        frame_size=frame_size,
        face_size=face_size,
        copies=copies,
        motion=motion,
        blank_frames=blank_frames,
        noise_frames=noise_frames,
        seed=seed,
    )
    written = write_video(path, frames, fps=fps)
    return VideoTruth(path=written, fps=fps, frame_size=frame_size, faces=tuple(truth))


def one_to_three_faces(num_frames: int, size: tuple[int, int], face_size: int = 90) -> list[np.ndarray]:
    """Frames with 1, then 2, then 3 astronaut faces drifting, each part a third of ``num_frames``."""
    frames: list[np.ndarray] = []
    part = max(1, num_frames // 3)
    for copies in (1, 2, 3):
        count = part if copies < 3 else num_frames - 2 * part
        segment, _ = astronaut_frames(
            num_frames=count, frame_size=size, face_size=face_size, copies=copies, motion="move"
        )
        frames.extend(segment)
    return frames


def write_demo_video(path: Path, size: tuple[int, int] = (640, 480), fps: float = 30.0, seconds: float = 10.0) -> Path:
    """The GUI demo clip (:func:`one_to_three_faces`, ``seconds`` long) written to ``path``."""
    return write_video(path, one_to_three_faces(int(round(fps * seconds)), size), fps=fps)
