"""Template following: tracks kept between cascade searches, ids and boxes intact.

Real cascade, real template matching, videos written by the tests from the astronaut
photo and read back with OpenCV. Cascade calls are counted by wrapping the real
detector method (it still runs).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from emotion_app.faces.detector import FaceDetector
from emotion_app.faces.geometry import Box, iou
from emotion_app.faces.local_search import FOLLOW_MIN_SCORE, Placement
from emotion_app.faces.template import FaceTemplate, peak_offset
from emotion_app.faces.tracker import FaceTracker, Track
from emotion_app.samples import (
    VideoTruth,
    astronaut_face_patch,
    background,
    paste,
    read_video,
    write_astronaut_video,
    write_video,
)


def gray_frames(path: Path) -> list[np.ndarray]:
    return [cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) for frame in read_video(path)]


def count_cascade_calls(detector: FaceDetector, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Make ``detector`` count its cascade runs in the returned list (one entry per call)."""
    calls: list[int] = []
    real = detector.detect_region

    def counting(*args: Any, **kwargs: Any) -> list[Box]:  # detect_region's own
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(detector, "detect_region", counting)
    return calls


@pytest.fixture(scope="module")
def slow_pair(tmp_path_factory: pytest.TempPathFactory) -> VideoTruth:
    """Two faces drifting a few pixels a frame, 40 frames (most crops barely change)."""
    return write_astronaut_video(
        tmp_path_factory.mktemp("follow") / "pair.avi",
        num_frames=40,
        frame_size=(480, 240),
        face_size=72,
        copies=2,
        motion="move",
    )


@pytest.fixture(scope="module")
def fast_face(tmp_path_factory: pytest.TempPathFactory) -> VideoTruth:
    """One face crossing a 640x240 frame and back in 30 frames (about 30 px a frame)."""
    return write_astronaut_video(
        tmp_path_factory.mktemp("follow") / "fast.avi",
        num_frames=30,
        frame_size=(640, 240),
        face_size=72,
        motion="move",
    )


def test_a_template_finds_the_face_where_it_moved() -> None:
    patch, (fx, fy, fw, fh) = astronaut_face_patch(80)
    before, after = background(400, 300), background(400, 300)
    paste(before, patch, 100, 60)
    paste(after, patch, 113, 52)  # moved 13 px right, 8 px up
    template = FaceTemplate.capture(cv2.cvtColor(before, cv2.COLOR_BGR2GRAY), (100 + fx, 60 + fy, fw, fh))
    assert template is not None
    match = template.locate(cv2.cvtColor(after, cv2.COLOR_BGR2GRAY), (100 + fx, 60 + fy, fw, fh), margin=24)
    assert match is not None
    box, score = match
    assert score > 0.95
    assert abs(box[0] - (113 + fx)) <= 1 and abs(box[1] - (52 + fy)) <= 1
    assert box[2:] == (fw, fh)


def test_a_template_scores_low_where_the_face_is_gone() -> None:
    patch, (fx, fy, fw, fh) = astronaut_face_patch(80)
    frame = background(400, 300)
    paste(frame, patch, 100, 60)
    box = (100 + fx, 60 + fy, fw, fh)
    template = FaceTemplate.capture(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), box)
    assert template is not None
    blank = cv2.cvtColor(background(400, 300), cv2.COLOR_BGR2GRAY)
    noise = np.random.default_rng(1).integers(0, 256, (300, 400), dtype=np.uint8)
    for gray in (blank, noise):
        match = template.locate(gray, box, margin=24)
        assert match is not None and match[1] < FOLLOW_MIN_SCORE


def test_a_peak_is_placed_between_pixels_by_its_parabola_within_half_a_pixel() -> None:
    assert peak_offset(np.array([0.5, 1.0, 0.5], dtype=np.float32)) == 0.0
    assert peak_offset(np.array([0.6, 1.0, 0.2], dtype=np.float32)) == pytest.approx(-1 / 6, abs=1e-6)
    assert peak_offset(np.array([0.2, 1.0, 0.6], dtype=np.float32)) == pytest.approx(1 / 6, abs=1e-6)
    assert peak_offset(np.array([1.0, 0.9, 0.0], dtype=np.float32)) == -0.5  # no further than half a pixel
    assert peak_offset(np.array([1.0, 1.0, 1.0], dtype=np.float32)) == 0.0  # flat: no peak
    assert peak_offset(np.array([1.0, 0.5, 1.0], dtype=np.float32)) == 0.0  # a dip: no peak


def test_templates_need_a_box_inside_the_frame_with_some_structure() -> None:
    gray = cv2.cvtColor(background(200, 100), cv2.COLOR_BGR2GRAY)
    assert FaceTemplate.capture(gray, (-5, 10, 60, 60)) is None  # partly outside
    assert FaceTemplate.capture(gray, (170, 10, 60, 60)) is None
    assert FaceTemplate.capture(np.full((100, 200), 90, np.uint8), (10, 10, 60, 60)) is None  # flat: nothing to match
    patch, (fx, fy, fw, fh) = astronaut_face_patch(60)
    frame = background(200, 150)
    paste(frame, patch, 0, 0)
    template = FaceTemplate.capture(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), (fx, fy, fw, fh))
    assert template is not None
    # A search area that the frame cuts smaller than the face cannot hold it.
    assert template.locate(np.zeros((40, 200), np.uint8), (0, 0, fw, fh), margin=10) is None


def test_slow_faces_are_followed_between_cascade_searches_and_keep_their_ids(
    detector: FaceDetector, slow_pair: VideoTruth, monkeypatch: pytest.MonkeyPatch
) -> None:
    frames = gray_frames(slow_pair.path)
    with_cascade_only = FaceTracker(detector, confirm_checks=1, follow_frames=0)
    calls_without = count_cascade_calls(detector, monkeypatch)
    for gray in frames:
        with_cascade_only.update(gray)
    cascade_runs_without = len(calls_without)
    monkeypatch.undo()

    tracker = FaceTracker(detector, confirm_checks=1, follow_frames=4)
    calls = count_cascade_calls(detector, monkeypatch)
    followed_runs = []
    for gray, truth in zip(frames, slow_pair.faces):
        tracks = tracker.update(gray)
        assert [t.track_id for t in tracks] == [1, 2]
        for track, expected in zip(tracks, truth):
            assert iou(track.box, expected) > 0.6
            assert track.followed <= 4, "the cascade re-checks a followed face every fifth frame at least"
        followed_runs.append(tuple(t.followed for t in tracks))
    assert sum(1 for run in followed_runs if all(run)) >= 25, followed_runs
    assert len(calls) < cascade_runs_without / 2, (len(calls), cascade_runs_without)


def test_a_fast_face_is_followed_with_one_id(detector: FaceDetector, fast_face: VideoTruth) -> None:
    tracker = FaceTracker(detector, confirm_checks=1)
    followed = 0
    for gray, truth in zip(gray_frames(fast_face.path), fast_face.faces):
        tracks = tracker.update(gray)
        assert [t.track_id for t in tracks] == [1]
        assert iou(tracks[0].box, truth[0]) > 0.5
        followed += tracks[0].followed > 0
    assert followed >= 10


def test_a_growing_face_is_remeasured_by_the_cascade(detector: FaceDetector, tmp_path: Path) -> None:
    video = write_astronaut_video(
        tmp_path / "grow.avi", num_frames=30, frame_size=(360, 300), face_size=(60, 150), motion="scale"
    )
    tracker = FaceTracker(detector, confirm_checks=1)
    for gray, truth in zip(gray_frames(video.path), video.faces):
        tracks = tracker.update(gray)
        assert [t.track_id for t in tracks] == [1]
        assert iou(tracks[0].box, truth[0]) > 0.5
    assert tracks[0].box[2] > 120


@pytest.mark.parametrize("gone_at", [2, 3, 4, 5, 6])
def test_a_followed_face_that_vanishes_is_not_reported(detector: FaceDetector, tmp_path: Path, gone_at: int) -> None:
    # Whatever the point in the follow cycle, a face that is gone is not "followed" onto
    # the background: the template no longer matches and the cascade finds nothing.
    video = write_astronaut_video(
        tmp_path / "gone.avi",
        num_frames=10,
        frame_size=(320, 240),
        face_size=70,
        motion="move",
        blank_frames=range(gone_at, 10),
    )
    tracker = FaceTracker(detector, confirm_checks=1, follow_frames=4)
    counts = [len(tracker.update(gray)) for gray in gray_frames(video.path)]
    assert counts == [1] * gone_at + [0] * (10 - gone_at)


def test_a_face_along_the_frame_edge_is_followed(detector: FaceDetector, tmp_path: Path) -> None:
    # The face box runs 1-3 px from the left edge while the face slides down.
    patch, (fx, fy, fw, fh) = astronaut_face_patch(70)
    frames, truth = [], []
    for index in range(24):
        frame = background(320, 300)
        x, y = 2 - fx, 10 + 3 * index - fy
        paste(frame, patch, x, y)
        frames.append(frame)
        truth.append((x + fx, y + fy, fw, fh))
    tracker = FaceTracker(detector, confirm_checks=1)
    seen = []
    for gray, expected in zip(gray_frames(write_video(tmp_path / "edge.avi", frames)), truth):
        tracks = tracker.update(gray)
        assert [t.track_id for t in tracks] == [1]
        assert iou(tracks[0].box, expected) > 0.5
        seen.append(tracks[0].followed)
    assert any(seen), "edge faces are followed too"


def test_a_face_leaving_through_the_edge_is_dropped(detector: FaceDetector, tmp_path: Path) -> None:
    patch, (fx, fy, fw, fh) = astronaut_face_patch(70)
    frames = []
    for index in range(20):
        frame = background(320, 240)
        paste(frame, patch, 120 - 14 * index - fx, 60 - fy)  # exits left after ~10 frames
        frames.append(frame)
    tracker = FaceTracker(detector, confirm_checks=1, max_missed=2)
    counts = []
    for gray in gray_frames(write_video(tmp_path / "exit.avi", frames)):
        tracks = tracker.update(gray)
        counts.append(len(tracks))
        for track in tracks:
            assert track.box[0] >= -2 and track.track_id == 1
    assert counts[:5] == [1] * 5 and counts[-5:] == [0] * 5
    assert tracker.tracks == []


def test_following_can_be_switched_off(detector: FaceDetector, slow_pair: VideoTruth) -> None:
    tracker = FaceTracker(detector, confirm_checks=1, follow_frames=0)
    for gray in gray_frames(slow_pair.path)[:10]:
        tracks = tracker.update(gray)
        assert len(tracks) == 2 and all(t.followed == 0 and t.template is None for t in tracks)
    with pytest.raises(ValueError):
        FaceTracker(detector, confirm_checks=1, follow_frames=-1)


def test_a_track_without_a_template_uses_the_cascade(detector: FaceDetector, slow_pair: VideoTruth) -> None:
    frames = gray_frames(slow_pair.path)
    tracker = FaceTracker(detector, confirm_checks=1)
    tracker.update(frames[0])
    for track in tracker.tracks:
        track.template = None
    tracks = tracker.update(frames[1])
    assert [t.followed for t in tracks] == [0, 0]
    assert all(isinstance(t, Track) and t.template is not None for t in tracks), "the cascade find brings a template"


def test_cascade_checks_keep_a_followed_box_steady(detector: FaceDetector, slow_pair: VideoTruth) -> None:
    # Haar boxes of one face differ by several pixels from frame to frame; a check that
    # agrees with the followed box keeps it, so the box (and the face's crop) stays put.
    frames = gray_frames(slow_pair.path)
    sizes: dict[str, dict[int, set[tuple[int, int]]]] = {}
    for name, follow_frames in (("followed", 4), ("cascade only", 0)):
        tracker = FaceTracker(detector, confirm_checks=1, follow_frames=follow_frames)
        per_track: dict[int, set[tuple[int, int]]] = {}
        for gray in frames:
            for track in tracker.update(gray):
                per_track.setdefault(track.track_id, set()).add(track.box[2:])
        sizes[name] = per_track
    assert sorted(sizes["followed"]) == sorted(sizes["cascade only"]) == [1, 2]
    for track_id in (1, 2):
        assert len(sizes["followed"][track_id]) <= 2, sizes
        assert len(sizes["cascade only"][track_id]) > len(sizes["followed"][track_id]), sizes


def test_a_due_cascade_check_looks_where_the_template_puts_the_face(
    detector: FaceDetector, slow_pair: VideoTruth, monkeypatch: pytest.MonkeyPatch
) -> None:
    tracker = FaceTracker(detector, confirm_checks=1, follow_frames=4)
    # The cascade's regions while a followed face is placed (not the scans' for newcomers).
    regions: list[tuple[int, int, int, int]] = []
    placing = False
    real_detect, real_place = detector.detect_region, tracker.local_search.place

    def recording(gray: np.ndarray, region: Box, *args: Any, **kwargs: Any) -> list[Box]:
        if placing:
            x, y, width, height = region
            regions.append((int(x), int(y), int(width), int(height)))
        return real_detect(gray, region, *args, **kwargs)

    def place(gray: np.ndarray, track: Track) -> Placement | None:
        nonlocal placing
        placing = True
        try:
            return real_place(gray, track)
        finally:
            placing = False

    monkeypatch.setattr(detector, "detect_region", recording)
    monkeypatch.setattr(tracker.local_search, "place", place)
    frames = gray_frames(slow_pair.path)
    checks = 0
    for gray in frames:
        before = len(regions)
        tracks = tracker.update(gray)
        local = regions[before:]
        confirmed = [t for t in tracks if t.followed == 0]
        if tracker.tracks and confirmed and local:
            checks += 1
            side = max(confirmed[0].box[2:])
            # The narrow check: the face plus a fifth of its side each way (not 0.6).
            assert all(max(r[2:]) <= 1.5 * side for r in local), (local, side)
    assert checks >= 6
