"""A face found again at a moment of a file seen before (a seek back, the file opened again
in its session) gets the id it had then.

Was: the frame after a seek back shows another picture than the one before it, a cut, so
the faces lost at the seek were forgotten and the same people came back as #3 and #4,
seen only in moments the timeline had counted already (rows of no time), their names left
on ids nobody had any more.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from emotion_app.faces.detector import FaceDetector
from emotion_app.faces.geometry import Box
from emotion_app.faces.identities import REID_SIZE_RATIO
from emotion_app.faces.seen_faces import SLOT_S, SeenFaces
from emotion_app.faces.tracker import FaceTracker
from emotion_app.samples import astronaut_frames

FPS = 15.0
PLAYED = 16  # frames of the first pass: the faces drift right, so frame 3 is another picture


def grays(copies: int, frame_size: tuple[int, int]) -> list[np.ndarray]:
    frames, _ = astronaut_frames(num_frames=30, frame_size=frame_size, face_size=80, copies=copies, motion="move")
    return [cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) for frame in frames]


def ids_left_to_right(tracker: FaceTracker, frames: list[np.ndarray], start: int) -> list[list[int]]:
    """Each frame's ids, left to right, the frames timed as frame ``start`` on of the file."""
    shown = []
    for offset, gray in enumerate(frames):
        tracks = tracker.update(gray, time_s=(start + offset) / FPS)
        shown.append([track.track_id for track in sorted(tracks, key=lambda track: track.box[0])])
    return shown


@pytest.mark.parametrize(("copies", "frame_size"), [(1, (320, 240)), (2, (400, 200))], ids=["one", "two"])
@pytest.mark.parametrize("back", ["seek", "opened-again"])
def test_a_face_seen_again_at_a_moment_seen_before_gets_its_id_back(
    detector: FaceDetector, copies: int, frame_size: tuple[int, int], back: str
) -> None:
    frames = grays(copies, frame_size)
    tracker = FaceTracker(detector)
    first_pass = ids_left_to_right(tracker, frames[:PLAYED], 0)
    assert first_pass[-1] == list(range(1, copies + 1))
    if back == "seek":
        tracker.jump()
    else:  # Home or a seek after the end: a new stream of the same file, in its session
        tracker.reset(keep_ids=True, replay=True)
    again = ids_left_to_right(tracker, frames[3:12], 3)
    assert all(ids == first_pass[-1] for ids in again), again
    # Played on past the moments seen, a newcomer would get the next id: none came.
    assert ids_left_to_right(tracker, frames[12:], 12)[-1] == first_pass[-1]


@pytest.mark.parametrize("moment", ["last", "only"])
def test_the_moment_seen_last_opened_again_gives_the_face_its_id_back(detector: FaceDetector, moment: str) -> None:
    # A seek after the end to the last frame, or a single picture opened again: the frame
    # comes at the very time recorded last, a moment seen too.
    frames = grays(1, (320, 240))
    played = PLAYED if moment == "last" else 1
    tracker = FaceTracker(detector)
    assert ids_left_to_right(tracker, frames[:played], 0)[-1] == [1]
    tracker.reset(keep_ids=True, replay=True)
    assert ids_left_to_right(tracker, frames[played - 1 : played], played - 1) == [[1]]


def test_another_source_or_a_camera_started_again_gives_no_id_back(detector: FaceDetector) -> None:
    frames = grays(2, (400, 200))
    tracker = FaceTracker(detector)
    ids_left_to_right(tracker, frames[:PLAYED], 0)
    # A camera's times start again at 0 at each start: they say nothing about who is where.
    tracker.reset(keep_ids=True)
    assert ids_left_to_right(tracker, frames[3:8], 3)[-1] == [3, 4]
    tracker.reset()  # another source: ids from 1, and nothing remembered of the last one
    assert ids_left_to_right(tracker, frames[:PLAYED], 0)[-1] == [1, 2]
    tracker.reset()
    tracker.reset(keep_ids=True, replay=True)
    assert ids_left_to_right(tracker, frames[3:8], 3)[-1] == [1, 2]


def test_a_mirrored_replay_keeps_each_persons_id(detector: FaceDetector) -> None:
    frames = grays(2, (400, 200))
    tracker = FaceTracker(detector)
    assert ids_left_to_right(tracker, frames[:PLAYED], 0)[-1] == [1, 2]
    tracker.mirror(400)
    tracker.jump()
    flipped = [np.ascontiguousarray(cv2.flip(gray, 1)) for gray in frames[3:12]]
    # The right-hand person (#2) now shows on the left.
    assert all(ids == [2, 1] for ids in ids_left_to_right(tracker, flipped, 3))


def test_a_resized_replay_keeps_each_persons_id(detector: FaceDetector) -> None:
    frames = grays(2, (400, 200))
    tracker = FaceTracker(detector)
    assert ids_left_to_right(tracker, frames[:PLAYED], 0)[-1] == [1, 2]
    # The frames grow mid-stream (a camera switching resolution), then a seek back.
    bigger = [cv2.resize(gray, (600, 300), interpolation=cv2.INTER_LINEAR) for gray in frames]
    assert ids_left_to_right(tracker, bigger[PLAYED : PLAYED + 4], PLAYED)[-1] == [1, 2]
    tracker.jump()
    assert all(ids == [1, 2] for ids in ids_left_to_right(tracker, bigger[3:12], 3))


def test_a_single_pass_never_looks_up_and_memory_is_bounded() -> None:
    seen = SeenFaces(max_slots=50)
    box: Box = (100, 100, 80, 80)
    for frame in range(1000):  # time only goes forward: never a moment seen again
        time_s = frame / 30
        assert not seen.went_back(time_s)
        seen.record(time_s, [(1, box)])
    assert len(seen) == 50  # the oldest slots dropped
    assert seen.went_back(999 / 30 - SLOT_S)
    assert seen.who(999 / 30 - SLOT_S, (104, 98, 82, 82), set(), REID_SIZE_RATIO) == 1
    assert seen.who(1.0, box, set(), REID_SIZE_RATIO) is None  # dropped long ago
    assert seen.who(999 / 30, box, {1}, REID_SIZE_RATIO) is None  # shown on another face now
    assert seen.who(999 / 30, (200, 100, 80, 80), set(), REID_SIZE_RATIO) is None  # a side away
