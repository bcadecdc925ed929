"""Faces the cascade finds only with few neighbours (shaded eyes, as behind sunglasses) are shown.

The face check judges every new track, so the tracker asks for 3 neighbours (not the
detector's 5) where it looks for a face anew: in a stream's first frame, in the local
search that confirms a scan's candidate, and in the first retry for a shown face that
the coarse local search just missed. The faces here are scikit-image's astronaut with
a dark band over the eyes (the group photo of the real clips has such a face, behind
sunglasses), walking along a dim band of the coffee photo, written to and read back
from a real video file.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from skimage import data

from emotion_app.faces.detector import FaceDetector
from emotion_app.faces.face_check import FaceCheck
from emotion_app.faces.geometry import Box, iou
from emotion_app.faces.tracker import FaceTracker
from emotion_app.samples import astronaut_face_patch, paste, photo_frame, read_video, write_video


def shaded_face(face_size: int, shade: float, blur: float) -> tuple[np.ndarray, Box]:
    """The astronaut's face with its eyes ``shade`` of the way to black, blurred by ``blur`` (sigma)."""
    patch, (fx, fy, fw, fh) = astronaut_face_patch(face_size)
    patch = patch.copy()
    top, height = fy + int(0.3 * fh), max(2, int(0.14 * fh))
    eyes = patch[top : top + height, fx + int(0.12 * fw) : fx + int(0.88 * fw)]
    eyes[:] = (eyes * (1 - shade) + 20 * shade).astype(np.uint8)
    if blur:
        patch = cv2.GaussianBlur(patch, (0, 0), blur)
    return patch, (fx, fy, fw, fh)


def shaded_face_video(
    path: Path,
    face: tuple[np.ndarray, Box],
    count: int,
    appear_at: int = 0,
    leave_at: int | None = None,
    drift: int = 1,
    start: tuple[int, int] = (100, 320),
) -> tuple[list[np.ndarray], list[Box]]:
    """640x480 frames (gray, read back from ``path``) with ``face`` in frames ``appear_at`` to ``leave_at``.

    The face's patch starts at ``start`` and moves ``drift`` px right per frame.
    Returns the frames and the face's box in each (where it would be when absent).
    """
    rng = np.random.default_rng(2)
    base = photo_frame(data.coffee(), (640, 480))
    base[300:420] = (base[300:420] * 0.3 + 90).astype(np.uint8)  # a dim wall behind the person
    patch, (fx, fy, fw, fh) = face
    frames, boxes = [], []
    for index in range(count):
        frame = base.copy()
        x, y = start[0] + drift * index, start[1]
        if appear_at <= index < (count if leave_at is None else leave_at):
            paste(frame, patch, x, y)
        frames.append(np.clip(frame.astype(np.int16) + rng.integers(-2, 3, frame.shape), 0, 255).astype(np.uint8))
        boxes.append((x + fx, y + fy, fw, fh))
    written = write_video(path, frames, fps=30.0)
    return [cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) for frame in read_video(written)], boxes


def shown_frames(frames: list[np.ndarray], boxes: list[Box]) -> list[bool]:
    """Per frame, whether the default tracker shows the face; it never shows anything else, and keeps id 1."""
    tracker = FaceTracker(FaceDetector())
    shown: list[bool] = []
    ids: set[int] = set()
    for index, (gray, box) in enumerate(zip(frames, boxes, strict=True)):
        tracks = tracker.update(gray)
        assert all(iou(track.box, box) > 0.4 for track in tracks), (index, box, tracks)
        shown.append(len(tracks) == 1)
        ids.update(track.track_id for track in tracks)
    assert ids <= {1}, ids
    return shown


def test_a_face_only_three_neighbours_find_is_shown_from_the_first_frame(tmp_path: Path) -> None:
    frames, boxes = shaded_face_video(tmp_path / "sunglasses.avi", shaded_face(36, 0.5, 0.0), 40)
    # The premise: the detector's own 5 neighbours miss this face, 3 find it, the check passes it.
    detector = FaceDetector()
    assert not any(iou(found, boxes[0]) > 0.4 for found in detector.detect_gray(frames[0]))
    assert any(iou(found, boxes[0]) > 0.4 for found in detector.detect_gray(frames[0], min_neighbors=3))
    assert FaceCheck()(frames[0], boxes[0])
    shown = shown_frames(frames, boxes)
    assert shown[0] and sum(shown) >= len(shown) - 2, "".join(".#"[s] for s in shown)


def test_a_shaded_face_entering_mid_stream_is_confirmed(tmp_path: Path) -> None:
    # Its scan candidate needs 3 neighbours in the local search that confirms it: with 5,
    # the smaller region never gathers enough and the face is never shown.
    frames, boxes = shaded_face_video(tmp_path / "enters.avi", shaded_face(40, 0.4, 0.0), 40, appear_at=5, drift=0)
    shown = shown_frames(frames, boxes)
    assert not any(shown[:5])
    assert all(shown[10:]), "".join(".#"[s] for s in shown)


def test_a_shown_face_the_coarse_search_misses_stays_shown(tmp_path: Path) -> None:
    # Darker glasses: the coarse local search often misses this face; the fine retry
    # with 3 neighbours keeps it shown (with 5 it blinks out in 15 of 60 frames).
    frames, boxes = shaded_face_video(tmp_path / "darker.avi", shaded_face(44, 0.7, 0.8), 60)
    shown = shown_frames(frames, boxes)
    assert sum(shown) >= len(shown) - 3, "".join(".#"[s] for s in shown)


def test_a_face_that_leaves_is_not_replaced_by_a_false_find_nearby(tmp_path: Path) -> None:
    # Once the face has gone, the ever wider search for it covers part of the coffee
    # photo where 3 neighbours (but not 5) find a false face that passes the face check:
    # with 3 there, the track would jump onto it. Only the first retry, right where the
    # face just was, may use 3.
    frames, boxes = shaded_face_video(
        tmp_path / "leaves.avi", shaded_face(40, 0.5, 0.0), 50, leave_at=20, start=(20, 340)
    )
    tracker = FaceTracker(FaceDetector())
    shown = [[track.box for track in tracker.update(gray)] for gray in frames]  # (tracks change later)
    assert all(len(found) == 1 and iou(found[0], box) > 0.4 for found, box in zip(shown[:20], boxes, strict=False))
    assert not any(shown[20:]), [(index, found) for index, found in enumerate(shown) if index >= 20 and found]
