"""Scans for newcomers look for small faces on a cadence of their own; clear faces are re-checked less often.

Real cascade, face check and tracker on frames built from the astronaut photo; which size
bands a scan covered is read from the tracker itself (``last_scan_bands``).
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from emotion_app.faces import tracker as tracker_module
from emotion_app.faces.detector import FaceDetector
from emotion_app.faces.face_check import FaceCheck, FaceVerdict
from emotion_app.faces.geometry import Box, iou
from emotion_app.faces.scan_plan import SMALL_SCAN_EVERY
from emotion_app.faces.tracker import (
    EMPTY_SCAN_INTERVAL,
    RESEMBLANCE_RECHECKS,
    STRONG_RECHECK_FRAMES,
    FaceTracker,
)
from emotion_app.samples import astronaut_face_patch, background, paste

INTERVAL = 4
SMALL = 34  # px: only the small faces' band (up to about twice 24 px) can find it
LARGE = 64


def gray(frame: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


def scene(
    num_frames: int, newcomer_size: int | None = None, arrives_at: int = 0, blinker: bool = True
) -> tuple[list[np.ndarray], Box | None]:
    """A still large face on the left; a sliding block (no face) changes the scene every
    frame, so every due scan has something to look at; optionally a newcomer on the right."""
    large, _ = astronaut_face_patch(LARGE)
    frames = []
    newcomer_box: Box | None = None
    for index in range(num_frames):
        frame = background(480, 240)
        paste(frame, large, 20, 40)
        if blinker:
            x = 150 + 3 * index
            frame[180:220, x : x + 40] = 40
        if newcomer_size is not None and index >= arrives_at:
            patch, (fx, fy, fw, fh) = astronaut_face_patch(newcomer_size)
            paste(frame, patch, 340, 60)
            newcomer_box = (340 + fx, 60 + fy, fw, fh)
        frames.append(gray(frame))
    return frames, newcomer_box


def band_log(tracker: FaceTracker, frames: list[np.ndarray]) -> list[list[tuple[float, float | None]]]:
    bands = []
    for frame in frames:
        tracker.update(frame)
        bands.append(list(tracker.last_scan_bands))
    return bands


def test_small_faces_are_looked_for_at_every_fourth_due_scan(detector: FaceDetector) -> None:
    frames, _ = scene(60)
    tracker = FaceTracker(detector, confirm_checks=1, full_scan_interval=INTERVAL)
    bands = band_log(tracker, frames)
    due = [index for index, scanned in enumerate(bands[1:], start=1) if scanned]
    small = [index for index, scanned in enumerate(bands[1:], start=1) if any(lo < 48 for lo, _ in scanned)]
    assert len(due) >= 12, bands
    # Every due scan looks for large faces; the small band at the first and every fourth one.
    assert all(any(lo >= 48 for lo, _ in bands[index]) for index in due)
    assert small == due[::SMALL_SCAN_EVERY], (due, small)


def test_a_small_newcomer_is_found_within_the_small_bands_cadence(detector: FaceDetector) -> None:
    arrives_at = 10
    frames, newcomer = scene(60, newcomer_size=SMALL, arrives_at=arrives_at)
    assert newcomer is not None
    tracker = FaceTracker(detector, confirm_checks=1, full_scan_interval=INTERVAL)
    found_at = None
    for index, frame in enumerate(frames):
        tracks = tracker.update(frame)
        if found_at is None and any(iou(t.box, newcomer) > 0.4 for t in tracks):
            found_at = index
    assert found_at is not None
    assert found_at <= arrives_at + INTERVAL * SMALL_SCAN_EVERY + 1, found_at


def test_with_a_small_face_in_view_every_due_scan_looks_for_small_ones(detector: FaceDetector) -> None:
    # A gallery or an audience: where one small face is, more may come.
    frames, _ = scene(40, newcomer_size=SMALL, arrives_at=0)
    tracker = FaceTracker(detector, confirm_checks=1, full_scan_interval=INTERVAL)
    bands = band_log(tracker, frames)
    assert len(tracker.shown_tracks) == 2
    due = [index for index, scanned in enumerate(bands[1:], start=1) if scanned]
    assert len(due) >= 6
    assert all(any(lo < 48 for lo, _ in bands[index]) for index in due), bands


def test_a_cut_has_every_band_look_at_the_new_picture(detector: FaceDetector) -> None:
    before, _ = scene(12, blinker=False)
    patch, _ = astronaut_face_patch(LARGE)
    after = []
    for _ in range(12):
        frame = np.full((240, 480, 3), 30, np.uint8)
        cv2.circle(frame, (100, 120), 90, (200, 180, 160), -1)
        paste(frame, patch, 300, 100)
        after.append(gray(frame))
    tracker = FaceTracker(detector, confirm_checks=1, full_scan_interval=INTERVAL)
    bands = band_log(tracker, before + after)
    first_after = next(index for index in range(12, 24) if bands[index])
    assert len(bands[first_after]) == 2, bands[first_after]


class CountingCheck(FaceCheck):
    """The real face check, counting how often it runs."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def judge(
        self, gray: np.ndarray, box: Box, roll: float = 0.0, strictness: float = 1.0, verify: bool = True
    ) -> FaceVerdict:
        self.calls += 1
        return super().judge(gray, box, roll, strictness, verify)


def test_a_clear_face_is_rechecked_every_strong_period(detector: FaceDetector, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every re-check a full one (no look resembles enough), to see the cadence alone.
    monkeypatch.setattr(tracker_module, "RESEMBLANCE_SCORE", 2.0)
    frames, _ = scene(1 + 3 * STRONG_RECHECK_FRAMES, blinker=False)
    check = CountingCheck()
    tracker = FaceTracker(detector, full_scan_interval=INTERVAL, face_check=check)
    for frame in frames:
        tracks = tracker.update(frame)
        assert len(tracks) == 1
    assert tracks[0].strong
    # One check shows it in the stream's first frame; then one every STRONG_RECHECK_FRAMES.
    assert check.calls == 1 + 3, check.calls


def test_a_face_that_still_looks_as_checked_skips_the_checks_cascades(detector: FaceDetector) -> None:
    # Of the due re-checks of an unchanged face, only every RESEMBLANCE_RECHECKS + 1-th
    # runs the check's cascades; the others pass on its look alone.
    rechecks = 2 * (RESEMBLANCE_RECHECKS + 1)
    frames, _ = scene(1 + rechecks * STRONG_RECHECK_FRAMES, blinker=False)
    check = CountingCheck()
    tracker = FaceTracker(detector, full_scan_interval=INTERVAL, face_check=check)
    for frame in frames:
        tracks = tracker.update(frame)
        assert len(tracks) == 1
    assert check.calls == 1 + rechecks // (RESEMBLANCE_RECHECKS + 1), check.calls


def test_a_box_off_the_checked_face_does_not_resemble_it(detector: FaceDetector) -> None:
    # The look of the last passed check is the face itself: the same box resembles it, a
    # box moved a little over half a face down (onto the collar) or aside does not.
    frames, _ = scene(3, blinker=False)
    tracker = FaceTracker(detector, full_scan_interval=INTERVAL)
    for frame in frames:
        (track,) = tracker.update(frame)
    assert track.verified is not None
    assert tracker._resembles_verified(frames[-1], track)
    x, y, w, h = track.box
    for dx, dy in ((0.0, 0.6), (0.6, 0.0), (-0.6, 0.0)):
        track.box = (int(x + dx * w), int(y + dy * h), w, h)
        track.resembled = 0
        assert not tracker._resembles_verified(frames[-1], track), (dx, dy)


def test_with_nothing_tracked_a_cut_is_looked_at_at_once(detector: FaceDetector) -> None:
    # Empty scenes are scanned every EMPTY_SCAN_INTERVAL frames only, but a cut to a new
    # picture with a face must not wait for the next due scan.
    assert EMPTY_SCAN_INTERVAL >= 3
    cut_at = 7
    frames = []
    patch, (fx, fy, fw, fh) = astronaut_face_patch(LARGE)
    for index in range(cut_at + 4):
        if index < cut_at:
            frame = background(480, 240)
            x = 150 + 3 * index
            frame[180:220, x : x + 40] = 40
        else:
            frame = np.full((240, 480, 3), 70, np.uint8)
            paste(frame, patch, 300, 100)
        frames.append(gray(frame))
    tracker = FaceTracker(detector)
    shown = [len(tracker.update(frame)) for frame in frames]
    assert shown[:cut_at] == [0] * cut_at
    # Two passed checks show a face in a stream: the cut frame and the next.
    assert shown[cut_at + 1 :] == [1] * 3, shown
    assert tracker.shown_tracks[0].box[0] == pytest.approx(300 + fx, abs=8)


def test_faces_confirmed_together_are_rechecked_in_different_frames(
    detector: FaceDetector, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Four faces shown in the stream's first frame: their re-checks must not all land in
    # one frame (a burst of checks, a stall of the video, every period).
    monkeypatch.setattr(tracker_module, "RESEMBLANCE_SCORE", 2.0)  # every re-check a full one
    patch, _ = astronaut_face_patch(LARGE)
    frame = background(480, 240)
    for x in (10, 125, 240, 355):
        paste(frame, patch, x, 60)
    still = gray(frame)
    check = CountingCheck()
    tracker = FaceTracker(detector, full_scan_interval=INTERVAL, face_check=check)
    assert len(tracker.update(still)) == 4
    per_frame = []
    for _ in range(2 * STRONG_RECHECK_FRAMES):
        before = check.calls
        assert len(tracker.update(still)) == 4
        per_frame.append(check.calls - before)
    assert sum(per_frame) >= 4  # each face was re-checked...
    assert max(per_frame) == 1, per_frame  # ...each in a frame of its own
