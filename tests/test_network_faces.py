"""The CNN detector finds and follows faces the Haar cascades cannot see (sunglasses, a mask),
with the real shipped networks, real cascades and real pictures."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from skimage import data as skimage_data

from emotion_app.cli import main
from emotion_app.faces.detector import FaceDetector
from emotion_app.faces.geometry import Box, iou
from emotion_app.faces.network_detector import (
    DEFAULT_FOLDER,
    FULL_RANGE,
    NetworkDetectorError,
    NetworkFaceDetector,
    change_mask,
)
from emotion_app.faces.newcomer_scan import NETWORK_LONGEST_SCAN_S, NETWORK_REST_FACTOR
from emotion_app.faces.tracker import HELD_FRAME_S, FaceTracker
from emotion_app.samples import astronaut_face_patch, background, paste, photo_frame, write_video


def covered_face_frames(cover: str, face_size: int, count: int, seed: int = 0) -> tuple[list[np.ndarray], list[Box]]:
    """640x480 frames of the astronaut's face drifting right, its eyes behind dark glasses
    ("glasses") or its lower half behind a white mask ("mask"), with camera-like noise."""
    patch, (fx, fy, fw, fh) = astronaut_face_patch(face_size)
    patch = patch.copy()
    if cover == "glasses":
        for eye in (0.3, 0.7):
            centre = (int(fx + eye * fw), int(fy + 0.42 * fh))
            cv2.ellipse(patch, centre, (int(0.2 * fw), int(0.15 * fh)), 0, 0, 360, (15, 15, 15), -1)
        cv2.rectangle(patch, (fx, int(fy + 0.36 * fh)), (fx + fw, int(fy + 0.40 * fh)), (15, 15, 15), -1)
    else:
        cv2.rectangle(patch, (fx, int(fy + 0.55 * fh)), (fx + fw, fy + fh), (230, 230, 230), -1)
    rng = np.random.default_rng(seed)
    frames, boxes = [], []
    for index in range(count):
        frame = background(640, 480).copy()
        x, y = 200 + index, 150
        paste(frame, patch, x, y)
        noise = rng.integers(-4, 5, frame.shape)
        frames.append(np.clip(frame.astype(np.int16) + noise, 0, 255).astype(np.uint8))
        boxes.append((x + fx, y + fy, fw, fh))
    return frames, boxes


def shown_on_face(tracker: FaceTracker, frames: list[np.ndarray], boxes: list[Box], wait: bool = False) -> str:
    """Per frame: the id of the shown face on the true box, "x" for a shown box elsewhere, "." for none."""
    marks = ""
    for frame, box in zip(frames, boxes, strict=True):
        shown = tracker.update(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))
        if wait:
            assert tracker.wait_for_background_scan(30.0)
        on_face = [track for track in shown if iou(track.box, box) > 0.3]
        marks += str(on_face[0].track_id) if on_face else "x" if shown else "."
        assert len(shown) <= 1, marks
    return marks


@pytest.mark.parametrize(("cover", "face_size"), [("glasses", 60), ("glasses", 40), ("mask", 40)])
def test_a_covered_face_is_shown_by_the_network_and_never_by_the_cascade(cover: str, face_size: int) -> None:
    frames, boxes = covered_face_frames(cover, face_size, 40)
    cascade_only = shown_on_face(FaceTracker(FaceDetector(), network=None), frames, boxes)
    assert cascade_only == "." * 40
    with_network = shown_on_face(FaceTracker(FaceDetector(), network="shipped"), frames, boxes)
    # Found by the first frame's scan, shown at its second passed look, one id throughout.
    assert with_network == ".." + "1" * 38


def test_live_the_network_scan_runs_beside_the_frames() -> None:
    frames, boxes = covered_face_frames("glasses", 40, 30)
    with FaceTracker(FaceDetector(), background_scan=True) as tracker:
        assert tracker.network is not None  # on by default with background scans
        marks = shown_on_face(tracker, frames, boxes, wait=True)
        assert any(thread.startswith("cnn-face-scan") for thread in _thread_names())
    assert marks.strip(".") == "1" * len(marks.strip(".")), marks
    assert marks.index("1") <= 4, marks
    assert not any(thread.startswith("cnn-face-scan") for thread in _thread_names())


def test_analyze_finds_the_covered_face_only_with_cnn_faces(tmp_path: Path, random_weights: Path) -> None:
    frames, _ = covered_face_frames("glasses", 50, 12)
    video = write_video(tmp_path / "glasses.avi", frames, fps=12.0)
    rows = {}
    for flag in ([], ["--cnn-faces"]):
        out = tmp_path / f"faces{len(flag)}.csv"
        assert main(["analyze", str(video), "--csv", str(out), "--weights", str(random_weights), *flag]) == 0
        with out.open(newline="") as handle:
            rows[bool(flag)] = [row for row in csv.DictReader(handle) if row.get("track_id")]
    assert rows[False] == []
    assert len(rows[True]) >= 10
    assert {row["track_id"] for row in rows[True]} == {"1"}


def test_a_network_face_that_leaves_is_dropped_and_no_texture_becomes_one() -> None:
    frames, boxes = covered_face_frames("glasses", 50, 20)
    from skimage import data

    # The coffee photo's wood grain fooled the cascades before the verifier (see
    # face_verifier); here the network must not take it for a face either.
    empty = [photo_frame(data.coffee(), (640, 480)) for _ in range(45)]
    tracker = FaceTracker(FaceDetector(), network="shipped", network_scan_frames=5)
    marks = shown_on_face(tracker, frames + empty, boxes + [(0, 0, 1, 1)] * len(empty))
    assert marks[2:20] == "1" * 18
    # Gone within the frames a missed face is kept for (and never shown elsewhere).
    assert set(marks[20 + tracker.max_missed + 2 :]) == {"."}, marks
    assert "x" not in marks


def test_scan_looks_only_where_the_frame_changed() -> None:
    frames, boxes = covered_face_frames("mask", 40, 2)
    gray = cv2.cvtColor(frames[0], cv2.COLOR_BGR2GRAY)
    network = NetworkFaceDetector()
    finds = network.scan(gray, 24)
    assert [find for find in finds if iou(find.box, boxes[0]) > 0.3]
    reference, changed = change_mask(gray, None)
    assert changed is None
    _, unchanged = change_mask(gray, reference)
    assert unchanged is not None and not unchanged.any()
    assert network.scan(gray, 24, unchanged) == []
    # A look where the face is finds it; one beside it does not.
    assert network.look(gray, boxes[0]) is not None
    assert network.look(gray, (20, 20, 40, 40)) is None


def test_an_unusable_network_file_is_named_and_the_cascades_carry_on(tmp_path: Path) -> None:
    folder = tmp_path / "networks"
    shutil.copytree(DEFAULT_FOLDER, folder)
    (folder / FULL_RANGE.file_name).unlink()
    with pytest.raises(NetworkDetectorError, match=FULL_RANGE.file_name):
        NetworkFaceDetector(folder)
    # Another file under the shipped name (a damaged copy) is refused before OpenCV reads it.
    data = (DEFAULT_FOLDER / FULL_RANGE.file_name).read_bytes()
    (folder / FULL_RANGE.file_name).write_bytes(data[: len(data) // 2])
    with pytest.raises(NetworkDetectorError, match="checksum"):
        NetworkFaceDetector(folder)
    assert (DEFAULT_FOLDER / FULL_RANGE.file_name).read_bytes() == data  # the shipped file untouched
    frames, boxes = covered_face_frames("glasses", 40, 3)
    assert shown_on_face(FaceTracker(FaceDetector(), network=None), frames, boxes) == "..."


def _thread_names() -> list[str]:
    import threading

    return [thread.name for thread in threading.enumerate()]


def test_live_cnn_scans_rest_for_a_multiple_of_their_own_time() -> None:
    """Live, the next CNN scan waits until the frames' clock has moved on by several times the
    last scan's duration (at most a sixth of a core on any machine); inline it never waits."""
    frames, _ = covered_face_frames("glasses", 50, 1)
    gray = cv2.cvtColor(frames[0], cv2.COLOR_BGR2GRAY)
    live = FaceTracker(FaceDetector(), background_scan=True, network="shipped", network_scan_frames=1)
    try:
        clock = 0.0
        live.update(gray, time_s=clock)
        assert live.network_scans == 1 and live.wait_for_background_scan(30.0)
        for _ in range(10):  # frames a microsecond apart: the clock has not moved on enough
            clock += 1e-6
            live.update(gray, time_s=clock)
        assert live.network_scans == 1
        clock += 10.0  # far beyond any scan's rest: due again at once
        live.update(gray, time_s=clock)
        assert live.network_scans == 2
    finally:
        live.close()
    inline = FaceTracker(FaceDetector(), network="shipped", network_scan_frames=1)
    for step in range(4):
        inline.update(gray, time_s=step * 1e-6)
    assert inline.network_scans == 4


def test_a_scan_that_spanned_a_sleep_rests_no_longer_than_the_longest_scan() -> None:
    frames, _ = covered_face_frames("glasses", 50, 1)
    gray = cv2.cvtColor(frames[0], cv2.COLOR_BGR2GRAY)
    live = FaceTracker(FaceDetector(), background_scan=True, network="shipped", network_scan_frames=1)
    try:
        live.update(gray, time_s=0.0)
        assert live.wait_for_background_scan(30.0)
        scan = live._network_scans.thread if live._network_scans is not None else None
        # Its duration is measured, in seconds: within the wait above, however busy the machine.
        assert scan is not None and 0.0 < scan.last_duration_s < 30.0
        scan._last_duration_s = 3600.0  # as if the machine slept while it ran
        live.update(gray, time_s=1e-6)
        assert live.network_scans == 1
        live.update(gray, time_s=NETWORK_REST_FACTOR * NETWORK_LONGEST_SCAN_S + 1.0)
        assert live.network_scans == 2
    finally:
        live.close()


@pytest.mark.parametrize("background_scan", [False, True])
def test_a_covered_face_on_a_held_slide_is_shown_at_once(background_scan: bool) -> None:
    # A slide held 3 s (an animated GIF's) is one frame: the network scan, due every 30
    # frames, was never due on it, and a face only the network sees stood unboxed.
    frames, boxes = covered_face_frames("glasses", 60, 1)
    face = cv2.cvtColor(frames[0], cv2.COLOR_BGR2GRAY)
    blank = np.full_like(face, 90)
    with FaceTracker(FaceDetector(), network="shipped", background_scan=background_scan) as tracker:
        assert tracker.update(blank, time_s=0.0, shown_s=0.5) == []
        shown = tracker.update(face, time_s=0.5, shown_s=3.0)
    assert len(shown) == 1 and iou(shown[0].box, boxes[0]) > 0.3, shown


@pytest.mark.parametrize("background_scan", [False, True])
@pytest.mark.parametrize("opening", ["sought to while paused", "opened paused", "a picture"])
def test_a_covered_face_on_a_frame_no_frame_follows_is_shown_at_once(opening: str, background_scan: bool) -> None:
    # Was: a paused frame that begins a stream (sought to, opened paused) and a picture had
    # the CNN's find judged by the cascades' face check alone, which a face they cannot see
    # fails; playing, the next frame's look of the network at its box shows it, but no next
    # frame comes: unboxed for good, while the frame after it, stepped onto, boxed it.
    frames, boxes = covered_face_frames("glasses", 60, 3)
    grays = [cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) for frame in frames]
    with FaceTracker(FaceDetector(), network="shipped", background_scan=background_scan) as tracker:
        if opening == "sought to while paused":
            tracker.update(grays[0], time_s=0.0)
            tracker.update(grays[1], time_s=0.1)
            tracker.jump()
            shown = tracker.update(grays[2], time_s=0.2, shown_s=HELD_FRAME_S)
        elif opening == "opened paused":
            shown = tracker.update(grays[2], time_s=0.2, shown_s=HELD_FRAME_S)
        else:
            shown = tracker.update(grays[2], still=True)
    assert len(shown) == 1 and iou(shown[0].box, boxes[2]) > 0.5, shown


def lfw_gallery(size: int, step: int) -> np.ndarray:
    """A 640x480 gray picture of scikit-image's LFW faces in a grid, ``size`` px each
    (every ``step``-th face of the 100, every other one flipped): a video call's gallery."""
    faces = (skimage_data.lfw_subset()[:100] * 255).astype(np.uint8)
    picture = np.full((480, 640), 128, np.uint8)
    columns, rows = 640 // (size + 12), 480 // (size + 12)
    for index in range(columns * rows):
        face = cv2.resize(faces[(index * step) % 100], (size, size), interpolation=cv2.INTER_CUBIC)
        x, y = 6 + (index % columns) * (size + 12), 6 + (index // columns) * (size + 12)
        picture[y : y + size, x : x + size] = cv2.flip(face, 1) if index % 2 else face
    return picture


@pytest.mark.parametrize(("size", "step"), [(84, 7), (68, 13)])
def test_a_picture_shows_with_the_cnn_every_face_the_cascades_show(size: int, step: int) -> None:
    # Was: the CNN's finds, each confirmed by a local cascade search, came before the
    # picture's own search; of two boxes a pixel or two apart on one face the larger was
    # kept, and that one failed the face check, or stood right under the face above it as
    # a chin would: a face that analyze showed without --cnn-faces went unboxed with it
    # (and in the app, whose pictures the CNN scans: the group photo mirrored lost one).
    picture = lfw_gallery(size, step)
    with FaceTracker(FaceDetector(), network=None) as cascades, FaceTracker(FaceDetector(), network="shipped") as both:
        alone = [track.box for track in cascades.update(picture, still=True)]
        with_cnn = [track.box for track in both.update(picture, still=True)]
    assert len(alone) >= 20
    lost = [box for box in alone if all(iou(box, other) <= 0.5 for other in with_cnn)]
    assert lost == [], f"{len(lost)} of {len(alone)} faces lost with the CNN: {lost}"


def test_a_picture_shows_a_large_sunglasses_face_the_cascades_box_wrongly() -> None:
    # Was: in a picture the network's find that the face check failed waits for the
    # network's own look at its box (no frame follows to check it), but it counted as
    # failed: with a larger box of the picture's own search on the same face that the
    # check failed too, the larger was kept, and the face went unboxed for good.
    lost = []
    with FaceTracker(FaceDetector(), network="shipped") as tracker:
        for face_size in range(100, 175, 5):
            frames, boxes = covered_face_frames("glasses", face_size, 1)
            tracker.reset()  # each picture on its own, as the pipeline shows one
            shown = tracker.update(cv2.cvtColor(frames[0], cv2.COLOR_BGR2GRAY), still=True)
            if len(shown) != 1 or iou(shown[0].box, boxes[0]) <= 0.5:
                lost.append((face_size, [track.box for track in shown]))
    assert lost == [], f"sunglasses faces not shown (size, boxes shown): {lost}"
