"""Periodic new-face scans skipped when nothing changed outside the tracked faces.

Real cascade and tracker on frames built from the astronaut photo; which passes were
full-frame scans is read from the tracker itself.
"""

from __future__ import annotations

import time

import cv2
import numpy as np
import pytest
from skimage import data

from emotion_app.faces.detector import FaceDetector
from emotion_app.faces.geometry import Box, iou
from emotion_app.faces.scene_gate import CELL_SIDE, COVER_FRAMES, FrameCells, SceneChangeGate
from emotion_app.faces.tracker import FaceTracker
from emotion_app.samples import (
    astronaut_bgr,
    astronaut_face_patch,
    astronaut_frames,
    background,
    one_to_three_faces,
    paste,
    photo_frame,
)

INTERVAL = 4


def to_gray(frames: list[np.ndarray]) -> list[np.ndarray]:
    return [cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) for frame in frames]


def run(tracker: FaceTracker, frames: list[np.ndarray]) -> tuple[list[int], list[bool]]:
    counts, full = [], []
    for gray in frames:
        counts.append(len(tracker.update(gray)))
        full.append(tracker.last_pass_was_full)
    return counts, full


def newcomer_frames(arrives_at: int, num_frames: int = 30) -> tuple[list[np.ndarray], tuple[int, int, int, int]]:
    """A still face on the left; a second one appears on the right at ``arrives_at``."""
    patch, (fx, fy, fw, fh) = astronaut_face_patch(64)
    frames = []
    for index in range(num_frames):
        frame = background(480, 240)
        paste(frame, patch, 20, 40)
        if index >= arrives_at:
            paste(frame, patch, 300, 40)
        frames.append(frame)
    return to_gray(frames), (300 + fx, 40 + fy, fw, fh)


def the_one_region(gate: SceneChangeGate, gray: np.ndarray) -> Box:
    """The one region of ``gray`` the gate says changed (fails unless it says exactly one)."""
    regions = gate.changed_regions(gray)
    assert regions is not None and len(regions) == 1, regions
    return regions[0]


def test_a_still_scene_skips_due_scans_but_never_more_than_allowed_in_a_row(detector: FaceDetector) -> None:
    frames, _ = newcomer_frames(arrives_at=1000)
    counts, full = run(FaceTracker(detector, confirm_checks=1, full_scan_interval=INTERVAL, scan_skips=2), frames)
    assert counts == [1] * len(frames)
    # Frame 0 has nothing tracked; then due scans at 4 and 8 are skipped, 12 runs, ...
    assert [i for i, f in enumerate(full) if f] == [0, 12, 24]


def test_without_skips_every_due_scan_runs(detector: FaceDetector) -> None:
    frames, _ = newcomer_frames(arrives_at=1000)
    _, full = run(FaceTracker(detector, confirm_checks=1, full_scan_interval=INTERVAL, scan_skips=0), frames)
    assert [i for i, f in enumerate(full) if f] == list(range(0, len(frames), INTERVAL))
    with pytest.raises(ValueError):
        FaceTracker(detector, confirm_checks=1, scan_skips=-1)


@pytest.mark.parametrize("arrives_at", [3, 5, 9, 14])
def test_a_newcomer_is_found_within_the_scan_interval_even_when_scans_were_skipped(
    detector: FaceDetector, arrives_at: int
) -> None:
    frames, newcomer = newcomer_frames(arrives_at)
    tracker = FaceTracker(detector, confirm_checks=1, full_scan_interval=INTERVAL, scan_skips=2)
    found_at = None
    for index, gray in enumerate(frames):
        tracks = tracker.update(gray)
        if len(tracks) == 2 and found_at is None:
            found_at = index
            assert tracker.last_scan != "none", "found by a new-face scan of that very frame"
            assert iou(tracks[1].box, newcomer) > 0.5 and [t.track_id for t in tracks] == [1, 2]
    assert found_at is not None and arrives_at <= found_at <= arrives_at + INTERVAL, found_at


def test_moving_tracked_faces_alone_do_not_force_scans(detector: FaceDetector) -> None:
    frames, truth = astronaut_frames(num_frames=40, frame_size=(480, 240), face_size=64, copies=2, motion="move")
    counts, full = run(
        FaceTracker(detector, confirm_checks=1, full_scan_interval=INTERVAL, scan_skips=2), to_gray(frames)
    )
    assert counts == [2] * 40
    # Without skips there would be 10 scans; the faces' own motion explains every change.
    assert sum(full) == 4, [i for i, f in enumerate(full) if f]


def test_a_flickering_scene_is_scanned_as_before(detector: FaceDetector) -> None:
    # Auto exposure or a flickering light changes every cell: no skip is safe then.
    frames, _ = newcomer_frames(arrives_at=1000, num_frames=17)
    flickering = [cv2.convertScaleAbs(gray, alpha=1.0, beta=25 * (index % 3)) for index, gray in enumerate(frames)]
    counts, full = run(FaceTracker(detector, confirm_checks=1, full_scan_interval=INTERVAL, scan_skips=2), flickering)
    assert counts == [1] * 17
    assert [i for i, f in enumerate(full) if f] == [0, 4, 8, 12, 16]


def test_the_gate_ignores_changes_around_tracked_faces_only() -> None:
    gray = cv2.cvtColor(background(320, 240), cv2.COLOR_BGR2GRAY)
    gate = SceneChangeGate()
    assert gate.changed_regions(gray) is None and gate.new_picture(gray), "nothing scanned yet: scan it all"
    gate.scanned(gray)
    assert gate.changed_regions(gray) == [] and not gate.new_picture(gray)
    changed = gray.copy()
    changed[100:140, 100:140] = 255  # something appears there
    x, y, w, h = the_one_region(gate, changed)
    assert x <= 100 and y <= 100 and x + w >= 140 and y + h >= 140, "the region holds the change"
    assert w * h < 320 * 240 / 4, "and not much more"
    gate.cover((110, 110, 30, 30))  # a tracked face there explains it (with its margin)
    assert gate.changed_regions(changed) == []
    elsewhere = changed.copy()
    elsewhere[10:50, 250:290] = 0
    x, y, w, h = the_one_region(gate, elsewhere)
    assert x >= 200 and y + h <= 80, "only the change away from the tracked face"
    cut = 255 - gray
    assert gate.changed_regions(cut) is None and gate.new_picture(cut), "most of the frame changed: scan it all"
    assert gate.changed_regions(np.zeros((120, 160), np.uint8)) is None, "another frame size: scan it all"
    gate.reset()
    assert gate.changed_regions(gray) is None


def test_a_tracked_face_explains_changes_only_where_it_is_or_just_was() -> None:
    # Where a tracked face walked off, what it uncovered (a person it passed in front of)
    # counts as a change again after COVER_FRAMES frames.
    gray = cv2.cvtColor(background(320, 240), cv2.COLOR_BGR2GRAY)
    gate = SceneChangeGate()
    gate.scanned(gray)
    changed = gray.copy()
    changed[100:140, 100:140] = 255
    gate.next_frame()
    gate.cover((110, 110, 30, 30))
    for _ in range(COVER_FRAMES):
        gate.next_frame()
        assert gate.changed_regions(changed) == [], "a face missed for a frame or two still explains it"
        gate.cover((250, 110, 30, 30))  # it is over there now
    gate.next_frame()
    x, y, w, h = the_one_region(gate, changed)
    assert x <= 100 and y <= 100 and x + w >= 140 and y + h >= 140
    gate.scanned_regions(changed, [(x, y, w, h)])
    gate.next_frame()
    assert gate.changed_regions(changed) == [], "once scanned, it is the reference there"


def test_a_mirrored_gate_sees_a_flipped_frame_as_unchanged() -> None:
    gray = cv2.cvtColor(background(320, 240), cv2.COLOR_BGR2GRAY)
    gray[40:100, 20:80] = 255  # something on the left, so the flip changes the picture
    gate = SceneChangeGate()
    gate.scanned(gray)
    flipped = cv2.flip(gray, 1)
    assert gate.changed_regions(flipped) != []
    gate.mirror()
    assert gate.changed_regions(flipped) == [] and not gate.new_picture(flipped)


def test_newcomers_where_tracked_faces_have_been_are_found_at_the_next_scan(detector: FaceDetector) -> None:
    # The GUI demo clip's parts: one drifting face, then two, then three. Each newcomer
    # comes in where a tracked face had drifted over before: found within the scan
    # interval (10 frames here) and its check, not at the next full scan (150 frames on).
    part = 60
    frames = to_gray(one_to_three_faces(3 * part, (640, 480)))
    counts, _ = run(FaceTracker(detector), frames)
    for faces in (2, 3):
        arrival = (faces - 1) * part
        shown = counts[arrival : arrival + part]
        assert faces in shown[:13], (faces, shown)
        assert shown[13:].count(faces) == len(shown) - 13, (faces, shown)


def test_the_background_scan_is_skipped_too(detector: FaceDetector) -> None:
    frames, newcomer = newcomer_frames(arrives_at=12)
    with FaceTracker(
        detector, confirm_checks=1, full_scan_interval=INTERVAL, background_scan=True, scan_skips=2
    ) as tracker:
        started = []
        seen = []
        for gray in frames:
            was_running = tracker.background_scan_running
            tracks = tracker.update(gray)
            started.append(tracker.background_scan_running and not was_running)
            seen.append(len(tracks))
            time.sleep(1 / 30)  # frames arrive like a camera's, so a scan has time to finish
        assert not any(started[:12]), "a still scene starts no background scan"
        assert any(started[12:17])
        assert 2 in seen and all(c == 2 for c in seen[seen.index(2) :])


def test_a_cut_behind_a_large_tracked_face_is_seen_away_from_it() -> None:
    # A face filling most of the frame covers most cells (with their margin): the share of
    # the whole frame changed outside it stays small even at a cut, the share of the rest
    # does not.
    photo = cv2.cvtColor(cv2.resize(astronaut_bgr(), (320, 240)), cv2.COLOR_BGR2GRAY)
    gate = SceneChangeGate()
    gate.scanned(photo)
    gate.cover((90, 50, 120, 120))  # with its margin, 72% of the frame
    other = cv2.cvtColor(photo_frame(data.coffee(), (320, 240)), cv2.COLOR_BGR2GRAY)
    assert gate.changed_away_from_faces(other)
    assert not gate.new_picture(other, full_share=0.4), "the frame's share would miss it"
    moved_inside = photo.copy()
    moved_inside[50:170, 90:210] = 255 - moved_inside[50:170, 90:210]  # the face itself changes
    assert not gate.changed_away_from_faces(moved_inside)
    assert not gate.changed_away_from_faces(np.ascontiguousarray(np.roll(photo, 2, axis=1)))
    gate.cover((0, 0, 320, 240))  # faces everywhere: the whole frame counts
    assert gate.changed_away_from_faces(other) and not gate.changed_away_from_faces(photo)
    gate.reset()
    assert gate.changed_away_from_faces(photo), "no reference to compare with"


def test_a_frames_cells_are_shared_within_it_and_made_anew_for_the_next() -> None:
    # The gates and the cut detector share one computation a frame; a camera that writes
    # each frame into the same array must not get the last frame's cells.
    cells = FrameCells()
    gray = np.zeros((64, 96), np.uint8)
    assert cells.of(gray) is cells.of(gray)
    assert cells.of(gray).shape == (64 // CELL_SIDE, 96 // CELL_SIDE)
    gray[:] = 200
    cells.next_frame()
    assert float(cells.of(gray).mean()) == 200.0
    other = np.full((64, 96), 50, np.uint8)
    assert float(cells.of(other).mean()) == 50.0, "another array is another frame's"
