"""Reusing a face's probabilities while its crop has not visibly changed.

Real cascade, tracker and (random-init) model; the classifier's predict is wrapped to
count the faces it is given (it still runs).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from emotion_app import EmotionClassifier, EmotionPipeline, FaceDetector
from emotion_app.inference.reuse import REUSE_LEVEL, PredictionReuse, crop_change, crop_signature
from emotion_app.inference.steadiness import Steadiness
from emotion_app.preprocessing import crop_face, to_gray
from emotion_app.samples import astronaut_face_patch, background, make_random_weights, paste

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture
def batches(classifier: EmotionClassifier, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Faces per forward pass of the pipeline, one entry per call, for the test's duration.

    The tests' own eager reference predictions are not counted.
    """
    calls: list[int] = []
    real = classifier.predict

    def counting(faces: np.ndarray, eager: bool = False) -> np.ndarray:
        if not eager:
            calls.append(len(faces))
        return real(faces, eager)

    monkeypatch.setattr(classifier, "predict", counting)
    return calls


def still_faces(
    copies: int = 2, size: tuple[int, int] = (480, 240)
) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """A frame with ``copies`` still astronaut faces side by side, and their boxes."""
    patch, (fx, fy, fw, fh) = astronaut_face_patch(70)
    frame = background(*size)
    boxes = []
    for copy in range(copies):
        x = 20 + copy * 230
        paste(frame, patch, x, 40)
        boxes.append((x + fx, 40 + fy, fw, fh))
    return frame, boxes


def open_mouth(frame: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """The frame with a dark open mouth drawn on the face in ``box`` (an expression change)."""
    x, y, w, h = box
    changed = frame.copy()
    cv2.ellipse(changed, (x + w // 2, y + int(0.8 * h)), (w // 7, h // 10), 0, 0, 360, (20, 20, 40), -1)
    return changed


def eager_probabilities(classifier: EmotionClassifier, frame: np.ndarray, box: tuple[int, ...]) -> np.ndarray:
    crop = crop_face(to_gray(frame), box, classifier.preprocessing)  # type: ignore[arg-type]
    return classifier.predict(crop[None], eager=True)[0]


def test_unchanged_faces_are_classified_every_fifth_frame(
    detector: FaceDetector, classifier: EmotionClassifier, batches: list[int]
) -> None:
    frame, _ = still_faces()
    pipeline = EmotionPipeline(detector, classifier, confirm_checks=1, reuse_frames=4)
    classified = []
    for _ in range(12):
        results = pipeline.process(frame)
        assert [r.track_id for r in results] == [1, 2]
        for result in results:
            np.testing.assert_allclose(
                result.probabilities, eager_probabilities(classifier, frame, result.box), atol=0.02
            )
        classified.append(pipeline.last_timings.classified)
    assert classified == [2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0]
    assert batches == [2, 2, 2], "faces due together still share one forward pass"


def test_a_face_whose_expression_changes_is_classified_at_once(
    detector: FaceDetector, classifier: EmotionClassifier, batches: list[int]
) -> None:
    frame, boxes = still_faces()
    changed = open_mouth(frame, boxes[1])
    pipeline = EmotionPipeline(detector, classifier, confirm_checks=1, reuse_frames=4)
    pipeline.process(frame)
    assert batches == [2]
    results = pipeline.process(changed)
    assert batches == [2, 1], "only the changed face goes through the model"
    assert pipeline.last_timings.classified == 1
    np.testing.assert_allclose(
        results[1].probabilities, eager_probabilities(classifier, changed, results[1].box), atol=0.02
    )
    # The unchanged face keeps the result computed for its (same) crop.
    np.testing.assert_allclose(
        results[0].probabilities, eager_probabilities(classifier, frame, results[0].box), atol=0.02
    )


def test_faces_half_way_to_their_refresh_join_a_pass_that_runs_anyway(
    detector: FaceDetector, classifier: EmotionClassifier, batches: list[int]
) -> None:
    frame, boxes = still_faces()
    changed = open_mouth(frame, boxes[1])
    pipeline = EmotionPipeline(detector, classifier, confirm_checks=1, reuse_frames=4)
    for _ in range(3):
        pipeline.process(frame)
    assert batches == [2]
    pipeline.process(changed)  # the first face was reused twice: it goes along
    assert batches == [2, 2]
    classified = []
    for _ in range(10):
        pipeline.process(changed)
        classified.append(pipeline.last_timings.classified)
    assert classified == [0, 0, 0, 0, 2, 0, 0, 0, 0, 2], "from then on both fall due together"


def test_without_reuse_every_face_is_classified_every_frame(
    detector: FaceDetector, classifier: EmotionClassifier, batches: list[int]
) -> None:
    frame, _ = still_faces()
    for pipeline in (
        EmotionPipeline(detector, classifier, confirm_checks=1, reuse_frames=0),
        EmotionPipeline(detector, classifier, confirm_checks=1, tracking=False),
    ):
        batches.clear()
        for _ in range(4):
            pipeline.process(frame)
            assert pipeline.last_timings.classified == 2
        assert batches == [2, 2, 2, 2]


def test_reset_a_new_face_and_a_new_model_are_classified_afresh(
    tmp_path: Path, detector: FaceDetector, classifier: EmotionClassifier, batches: list[int]
) -> None:
    frame, _ = still_faces(copies=1)
    pipeline = EmotionPipeline(detector, classifier, confirm_checks=1, reuse_frames=10, full_scan_interval=3)
    pipeline.process(frame)
    pipeline.process(frame)
    assert batches == [1]
    pipeline.reset()
    pipeline.process(frame)
    assert batches == [1, 1]
    two, _ = still_faces(copies=2)
    for _ in range(3):  # until the next scan finds the newcomer
        if len(pipeline.process(two)) == 2:
            break
    assert pipeline.last_timings.classified == 1 and batches[-1] == 1, "the first face is unchanged, the second is new"

    other = EmotionClassifier.load(make_random_weights(tmp_path / "other.safetensors", seed=7))
    pipeline.classifier = other
    results = pipeline.process(two)
    assert pipeline.last_timings.classified == 2
    np.testing.assert_allclose(results[0].probabilities, eager_probabilities(other, two, results[0].box), atol=0.02)


def test_steadiness_still_blends_reused_results(detector: FaceDetector, classifier: EmotionClassifier) -> None:
    frame, boxes = still_faces(copies=1)
    changed = open_mouth(frame, boxes[0])
    tau = 0.1 / np.log(2.0)  # a frame 0.1 s later gets half the weight
    pipeline = EmotionPipeline(detector, classifier, confirm_checks=1, steadiness=Steadiness(time_constant_s=tau))
    first = np.array(pipeline.process(frame, 0.0)[0].probabilities)
    second = np.array(pipeline.process(frame, 0.1)[0].probabilities)  # reused: the same answer again
    np.testing.assert_allclose(second, first, atol=1e-6)
    third = pipeline.process(changed, 0.2)[0]
    fresh = eager_probabilities(classifier, changed, third.box)
    expected = 0.5 * first + 0.5 * fresh
    np.testing.assert_allclose(third.probabilities, expected / expected.sum(), atol=0.02)


def test_the_reuse_rule_itself() -> None:
    rng = np.random.default_rng(0)
    crop = rng.integers(60, 200, (48, 48), dtype=np.uint8)
    reuse = PredictionReuse(max_reuse=2)
    probabilities = np.array([0.2, 0.8], np.float32)
    assert reuse.reusable(1, crop) is None, "nothing remembered yet"
    reuse.remember(1, crop, probabilities)
    noisy = np.clip(crop.astype(np.int16) + rng.integers(-6, 7, crop.shape), 0, 255).astype(np.uint8)
    assert float(np.abs(crop_signature(noisy) - crop_signature(crop)).max()) <= REUSE_LEVEL
    assert not reuse.due_soon(1)
    np.testing.assert_array_equal(reuse.reusable(1, noisy), probabilities)  # pixel noise averages out
    assert reuse.due_soon(1), "half of max_reuse used up"
    np.testing.assert_array_equal(reuse.reusable(1, crop), probabilities)
    assert reuse.reusable(1, crop) is None, "max_reuse reuses in a row at most"
    reuse.remember(1, crop, probabilities)
    patched = crop.copy()
    patched[30:40, 18:30] = 0  # a local change: one block's mean moves a lot
    assert reuse.reusable(1, patched) is None
    assert reuse.reusable(2, crop) is None, "another track"
    reuse.keep_only({2})
    assert reuse.reusable(1, crop) is None, "forgotten with its track"
    never = PredictionReuse(max_reuse=0)
    never.remember(1, crop, probabilities)
    assert never.reusable(1, crop) is None
    with pytest.raises(ValueError):
        PredictionReuse(max_reuse=-1)


@pytest.mark.parametrize("dx, dy", [(1, 0), (0, 1), (3, -2), (5, 4)])
def test_a_box_sitting_a_little_differently_on_the_same_face_counts_as_unchanged(
    classifier: EmotionClassifier, dx: int, dy: int
) -> None:
    # A tracked box moves with the face to the nearest pixel, and crop rounding adds a
    # half pixel more: crops of one unchanged face are shifted copies of each other.
    patch, (fx, fy, fw, fh) = astronaut_face_patch(93)
    frame = background(400, 300)
    paste(frame, patch, 100, 60)
    gray = to_gray(frame)
    spec = classifier.preprocessing
    box = (100 + fx, 60 + fy, fw, fh)
    crop = crop_face(gray, box, spec)
    shifted = crop_face(gray, (box[0] + dx, box[1] + dy, fw, fh), spec)
    assert np.abs(shifted.astype(int) - crop.astype(int)).max() > 40, "the raw crops do differ"
    assert crop_change(crop, shifted) <= REUSE_LEVEL
    changed = crop_face(to_gray(open_mouth(frame, box)), (box[0] + dx, box[1] + dy, fw, fh), spec)
    assert crop_change(crop, changed) > 3 * REUSE_LEVEL
    other_face = crop_face(gray, (box[0] + fw // 3, box[1], fw, fh), spec)  # far more than a nudge
    assert crop_change(crop, other_face) > REUSE_LEVEL
