"""Face tracks: stable ids, cheap local search, periodic full scans."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from emotion_app.faces.detector import FaceDetector
from emotion_app.faces.geometry import iou, suppress_duplicates
from emotion_app.faces.tracker import FaceTracker
from emotion_app.samples import (
    VideoTruth,
    astronaut_face_patch,
    astronaut_frames,
    background,
    noise_frames_with_face,
    paste,
    read_video,
)


def read_gray_frames(video: VideoTruth) -> list[np.ndarray]:
    frames = [cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) for frame in read_video(video.path)]
    assert len(frames) == video.num_frames
    return frames


def test_iou() -> None:
    assert iou((0, 0, 10, 10), (0, 0, 10, 10)) == 1.0
    assert iou((0, 0, 10, 10), (20, 20, 5, 5)) == 0.0
    assert iou((0, 0, 10, 10), (5, 0, 10, 10)) == pytest.approx(50 / 150)
    assert iou((0, 0, 0, 0), (0, 0, 0, 0)) == 0.0


def test_duplicates_are_suppressed_keeping_the_larger_box() -> None:
    kept = suppress_duplicates([(10, 10, 50, 50), (12, 11, 54, 54), (200, 10, 50, 50)])
    assert sorted(kept) == [(12, 11, 54, 54), (200, 10, 50, 50)]


def test_one_moving_face_keeps_one_id(detector: FaceDetector, moving_face_video: VideoTruth) -> None:
    tracker = FaceTracker(detector, confirm_checks=1)
    frames = read_gray_frames(moving_face_video)
    ids_per_frame = []
    for gray, truth in zip(frames, moving_face_video.faces):
        tracks = tracker.update(gray)
        assert len(tracks) == len(truth), "a face in every face frame, none in blank frames"
        for track, expected in zip(tracks, truth):
            assert iou(track.box, expected) > 0.5
        ids_per_frame.append([t.track_id for t in tracks])
    before_gap = {i for ids in ids_per_frame[:9] for i in ids}
    after_gap = {i for ids in ids_per_frame[11:] for i in ids}
    assert before_gap == {1}
    assert len(after_gap) == 1


def test_ids_survive_a_short_gap_when_the_face_stays(detector: FaceDetector) -> None:
    frames, truth = astronaut_frames(
        num_frames=8, frame_size=(320, 240), face_size=70, motion="static", blank_frames=(3, 4)
    )
    tracker = FaceTracker(detector, confirm_checks=1, max_missed=3)
    ids = [[t.track_id for t in tracker.update(cv2.cvtColor(f, cv2.COLOR_BGR2GRAY))] for f in frames]
    assert ids == [[1], [1], [1], [], [], [1], [1], [1]]


def test_two_faces_get_two_stable_ids_left_to_right(detector: FaceDetector, two_faces_video: VideoTruth) -> None:
    tracker = FaceTracker(detector, confirm_checks=1, max_missed=3)
    frames = read_gray_frames(two_faces_video)
    seen: list[list[int]] = []
    for gray, truth in zip(frames, two_faces_video.faces):
        tracks = tracker.update(gray)
        assert len(tracks) == len(truth)
        assert [t.box[0] for t in tracks] == sorted(t.box[0] for t in tracks)
        seen.append([t.track_id for t in tracks])
    assert seen[0] == [1, 2]
    assert all(ids == [1, 2] for ids in seen[:6])
    assert seen[6] == [] and seen[7] == []  # blank, then noise
    assert len({tuple(ids) for ids in seen[8:]}) == 1 and len(seen[8]) == 2


def test_most_frames_search_locally(detector: FaceDetector, moving_face_video: VideoTruth) -> None:
    tracker = FaceTracker(detector, confirm_checks=1, full_scan_interval=10)
    full = []
    for gray in read_gray_frames(moving_face_video):
        tracker.update(gray)
        full.append(tracker.last_pass_was_full)
    assert full[0], "the first frame has nothing to track, so it is scanned fully"
    assert sum(full) <= 8, full  # periodic scans plus the frames with nothing tracked
    assert not any(full[1:9])


@pytest.mark.parametrize("discovery", [(1.2, 3), None])
def test_periodic_full_scan_finds_a_face_that_enters(
    detector: FaceDetector, discovery: tuple[float, int] | None
) -> None:
    patch, face = astronaut_face_patch(64)
    frames = []
    for index in range(12):
        frame = background(480, 240)
        paste(frame, patch, 20, 40)
        if index >= 3:
            paste(frame, patch, 300, 40)  # a second face walks in at frame 3
        frames.append(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))
    tracker = FaceTracker(detector, confirm_checks=1, full_scan_interval=4, discovery=discovery)
    counts = [len(tracker.update(gray)) for gray in frames]
    assert counts[:3] == [1, 1, 1]
    first_two = counts.index(2)
    assert 3 <= first_two <= 3 + 4, counts
    assert all(c == 2 for c in counts[first_two:])


def test_a_face_that_leaves_is_forgotten(detector: FaceDetector) -> None:
    frames, _ = astronaut_frames(
        num_frames=10, frame_size=(320, 240), face_size=70, motion="static", blank_frames=range(3, 10)
    )
    tracker = FaceTracker(detector, confirm_checks=1, max_missed=2)
    for frame in frames:
        tracker.update(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))
    assert tracker.tracks == []


def test_reset_forgets_tracks_and_restarts_ids(detector: FaceDetector) -> None:
    frames, truth = astronaut_frames(num_frames=2, frame_size=(320, 240), face_size=70, motion="static")
    gray = cv2.cvtColor(frames[0], cv2.COLOR_BGR2GRAY)
    # The face covered (not a cut to black: a cut ends a missed face at once).
    x, y, w, h = truth[0][0]
    covered = gray.copy()
    covered[y : y + h, x : x + w] = 128
    tracker = FaceTracker(detector, confirm_checks=1)
    tracker.update(gray)
    tracker.update(covered)
    tracker.update(covered)
    assert tracker.tracks
    tracker.reset()
    assert tracker.tracks == []
    assert [t.track_id for t in tracker.update(gray)] == [1]


def test_bad_tracker_parameters_are_rejected(detector: FaceDetector) -> None:
    with pytest.raises(ValueError):
        FaceTracker(detector, confirm_checks=1, full_scan_interval=0)
    with pytest.raises(ValueError):
        FaceTracker(detector, confirm_checks=1, size_range=1.0)


def test_discovery_finds_need_confirmation(detector: FaceDetector) -> None:
    # min_neighbors 0 makes the discovery scan report every raw cascade hit, most of
    # them junk in a noisy frame; only the confirmed real face may become a track.
    frames_bgr, face_box = noise_frames_with_face(9)
    frames = [cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) for frame in frames_bgr]
    assert len(detector.detect_gray(frames[0], scale_factor=1.2, min_neighbors=0)) > 3
    tracker = FaceTracker(detector, confirm_checks=1, full_scan_interval=2, discovery=(1.2, 0))
    for gray in frames:
        tracks = tracker.update(gray)
        assert [t.track_id for t in tracks] == [1]
        assert iou(tracks[0].box, face_box) > 0.5
