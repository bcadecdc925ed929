"""FaceDetector: the real Haar cascade on real (astronaut) faces, blank and noise frames."""

from __future__ import annotations

import copy
import pickle
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest

from emotion_app.faces.detector import (
    LOWEST_MIN_FACE,
    MAX_SEARCHED_SIDE,
    FaceDetector,
    OpenCVSetupError,
    check_opencv,
    full_frame_baseline_detector,
    min_face_problem,
)
from emotion_app.faces.geometry import iou
from emotion_app.samples import astronaut_bgr, astronaut_frames, background

ASTRONAUT_FACE = (177, 66, 95, 95)


def test_check_opencv_finds_the_frontal_face_cascade() -> None:
    path = check_opencv()
    assert path.name == "haarcascade_frontalface_default.xml"
    assert path.is_file()


def test_missing_cascade_class_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    # What OpenCV 5's main wheels look like: no CascadeClassifier at all.
    monkeypatch.delattr(cv2, "CascadeClassifier")
    with pytest.raises(OpenCVSetupError, match=r"opencv-python-headless>=4\.8,<5"):
        check_opencv()


def test_missing_cascade_files_are_explained(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("cv2.data.haarcascades", str(tmp_path) + "/")
    with pytest.raises(OpenCVSetupError, match="haarcascade_frontalface_default.xml"):
        FaceDetector()


def test_unloadable_cascade_is_explained(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "haarcascade_frontalface_default.xml").write_text("<not a cascade/>")
    monkeypatch.setattr("cv2.data.haarcascades", str(tmp_path) + "/")
    with pytest.raises(OpenCVSetupError, match="could not load"):
        check_opencv()


@pytest.mark.parametrize("convert", [None, cv2.COLOR_BGR2BGRA, cv2.COLOR_BGR2GRAY])
def test_finds_the_astronaut_in_bgr_bgra_and_gray(detector: FaceDetector, convert: int | None) -> None:
    image = astronaut_bgr()
    if convert is not None:
        image = cv2.cvtColor(image, convert)
    boxes = detector.detect(image)
    assert len(boxes) == 1
    assert iou(boxes[0], ASTRONAUT_FACE) > 0.6


def test_detects_at_a_coarse_scale_set_by_the_minimum_face(detector: FaceDetector) -> None:
    assert detector.detection_scale == pytest.approx(detector.coarsest_scale(detector.min_face_size))
    # A larger minimum face allows a coarser scale; a tiny one (the default 24 px, the
    # cascade's window) needs full resolution.
    assert FaceDetector(min_face_size=48).detection_scale < 1.0
    assert FaceDetector(min_face_size=96).detection_scale < FaceDetector(min_face_size=48).detection_scale
    assert FaceDetector(min_face_size=20).detection_scale == 1.0
    assert FaceDetector().detection_scale == 1.0


@pytest.mark.parametrize("face_size", [56, 80, 140, 200])
def test_finds_faces_across_sizes(detector: FaceDetector, face_size: int) -> None:
    frames, truth = astronaut_frames(num_frames=3, frame_size=(480, 360), face_size=face_size, motion="move")
    for frame, boxes in zip(frames, truth):
        found = detector.detect(frame)
        assert len(found) == 1, (face_size, found)
        assert iou(found[0], boxes[0]) > 0.5


def test_blank_and_noise_frames_have_no_face(detector: FaceDetector) -> None:
    rng = np.random.default_rng(1)
    assert detector.detect(background(640, 480)) == []
    assert detector.detect(rng.integers(0, 256, (480, 640, 3), dtype=np.uint8)) == []
    assert detector.detect(np.zeros((240, 320), np.uint8)) == []


def test_frames_smaller_than_a_face_are_fine(detector: FaceDetector) -> None:
    assert detector.detect(np.zeros((10, 10, 3), np.uint8)) == []
    assert detector.detect(np.zeros((1, 1), np.uint8)) == []


def test_several_faces_side_by_side(detector: FaceDetector) -> None:
    frames, truth = astronaut_frames(num_frames=1, frame_size=(640, 240), face_size=70, copies=3, motion="static")
    found = sorted(detector.detect(frames[0]))
    assert len(found) == 3
    for box, expected in zip(found, truth[0]):
        assert iou(box, expected) > 0.5


def test_region_search_maps_boxes_back_to_the_frame(detector: FaceDetector) -> None:
    gray = cv2.cvtColor(astronaut_bgr(), cv2.COLOR_BGR2GRAY)
    region = (120, 10, 220, 220)
    boxes = detector.detect_region(gray, region, min_size=70, max_size=130)
    assert len(boxes) == 1
    assert iou(boxes[0], ASTRONAUT_FACE) > 0.6
    # The same face is outside another region, and outside a size band that excludes it.
    assert detector.detect_region(gray, (300, 300, 200, 200), min_size=70, max_size=130) == []
    assert detector.detect_region(gray, region, min_size=150, max_size=200) == []


def test_baseline_detector_uses_the_fer_parameters() -> None:
    baseline = full_frame_baseline_detector()
    assert (baseline.scale_factor, baseline.min_neighbors, baseline.min_face_size) == (1.1, 5, 50)
    assert baseline.detection_scale == 1.0
    assert len(baseline.detect(astronaut_bgr())) == 1


@pytest.mark.parametrize(
    "kwargs",
    [
        {"scale_factor": 1.0},
        {"min_neighbors": -1},
        {"min_face_size": 0},
        {"min_face_size": 80, "max_face_size": 40},
        {"detection_scale": 0.0},
        {"detection_scale": 1.5},
    ],
)
def test_bad_parameters_are_rejected(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        FaceDetector(**kwargs)  # type: ignore[arg-type]


def test_a_smallest_face_outside_the_command_lines_bounds_is_refused_as_they_refuse_it() -> None:
    # Was: FaceDetector(min_face_size=100000) was taken (only < 1 was refused), while
    # --min-face refuses anything outside 8..4096: no searched picture holds such a face.
    for pixels in (LOWEST_MIN_FACE - 1, MAX_SEARCHED_SIDE + 1, 100000):
        with pytest.raises(ValueError) as refused:
            FaceDetector(min_face_size=pixels)
        assert str(refused.value) == min_face_problem(pixels, "min_face_size") and "\n" not in str(refused.value)
    for pixels in (LOWEST_MIN_FACE, MAX_SEARCHED_SIDE):  # the bounds themselves are taken, and pickle
        detector = FaceDetector(min_face_size=pixels)
        copied = pickle.loads(pickle.dumps(detector))
        assert copied.min_face_size == pixels and copy.deepcopy(detector).min_face_size == pixels


def test_unsupported_frame_shapes_raise_a_clear_error(detector: FaceDetector) -> None:
    with pytest.raises(ValueError, match="unsupported frame shape"):
        detector.detect(np.zeros((10, 10, 2), np.uint8))


def test_one_detector_shared_by_threads_finds_what_it_finds_alone() -> None:
    # Two pipelines given one detector search from two threads; pictures of different
    # sizes at once made the cascade's shared scratch buffers raise cv2.error or lose faces.
    shared = FaceDetector()
    gray = cv2.cvtColor(astronaut_bgr(), cv2.COLOR_BGR2GRAY)
    pictures = [cv2.resize(gray, size) for size in ((300, 300), (640, 480), (800, 600), (512, 512))]
    alone = [shared.detect_gray(picture) for picture in pictures]
    assert all(len(boxes) == 1 for boxes in alone)
    found: dict[int, list[list[tuple[int, int, int, int]]]] = {}
    failures: list[BaseException] = []

    def search(index: int) -> None:
        try:
            found[index] = [shared.detect_gray(pictures[index]) for _ in range(10)]
        except Exception as exc:  # reported below: an exception in a thread would pass unseen
            failures.append(exc)

    threads = [threading.Thread(target=search, args=(index,)) for index in range(len(pictures))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert [found[index] for index in range(len(pictures))] == [[boxes] * 10 for boxes in alone]
