"""EmotionPipeline end to end: real cascade, real (random-init) model, astronaut frames."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from emotion_app import EmotionClassifier, EmotionPipeline, FaceDetector, FaceResult, StageTimings
from emotion_app.faces.geometry import iou
from emotion_app.inference.steadiness import DEFAULT_STEADINESS, STEADINESS_LEVELS, Steadiness
from emotion_app.preprocessing import crop_face, to_gray
from emotion_app.samples import (
    astronaut_bgr,
    astronaut_face_patch,
    astronaut_frames,
    background,
    make_random_weights,
    paste,
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")

ASTRONAUT_FACE = (177, 66, 95, 95)


@pytest.fixture
def pipeline(detector: FaceDetector, classifier: EmotionClassifier) -> EmotionPipeline:
    return EmotionPipeline(detector, classifier, confirm_checks=1)


def check_result(result: FaceResult, labels: tuple[str, ...]) -> None:
    assert len(result.probabilities) == len(labels)
    assert sum(result.probabilities) == pytest.approx(1.0, abs=1e-5)
    best = int(np.argmax(result.probabilities))
    assert result.label == labels[best]
    assert result.confidence == pytest.approx(result.probabilities[best])
    assert all(isinstance(v, int) for v in result.box)


def test_one_face(pipeline: EmotionPipeline) -> None:
    results = pipeline.process(astronaut_bgr())
    assert len(results) == 1
    check_result(results[0], pipeline.labels)
    assert iou(results[0].box, ASTRONAUT_FACE) > 0.6
    assert results[0].track_id == 1


def test_results_match_the_eager_classifier_on_the_same_crop(pipeline: EmotionPipeline) -> None:
    frame = astronaut_bgr()
    (result,) = pipeline.process(frame)
    crop = crop_face(to_gray(frame), result.box, pipeline.classifier.preprocessing)
    eager = pipeline.classifier.predict(crop[None], eager=True)[0]
    np.testing.assert_allclose(result.probabilities, eager, atol=0.02)


@pytest.mark.parametrize("convert", [cv2.COLOR_BGR2BGRA, cv2.COLOR_BGR2GRAY])
def test_bgra_and_gray_frames_give_the_same_result(
    detector: FaceDetector, classifier: EmotionClassifier, convert: int
) -> None:
    frame = astronaut_bgr()
    reference = EmotionPipeline(detector, classifier, confirm_checks=1).process(frame)
    other = EmotionPipeline(detector, classifier, confirm_checks=1).process(cv2.cvtColor(frame, convert))
    assert [r.box for r in other] == [r.box for r in reference]
    np.testing.assert_allclose(other[0].probabilities, reference[0].probabilities, atol=1e-5)


def test_no_face_gives_an_empty_list(pipeline: EmotionPipeline) -> None:
    rng = np.random.default_rng(3)
    assert pipeline.process(background(640, 480)) == []
    assert pipeline.process(rng.integers(0, 256, (480, 640, 3), dtype=np.uint8)) == []
    assert pipeline.process(np.zeros((5, 7), np.uint8)) == []
    assert pipeline.last_timings.faces == 0


def test_faces_touching_the_frame_edges_are_cropped_safely(pipeline: EmotionPipeline) -> None:
    patch, (fx, fy, fw, fh) = astronaut_face_patch(80)
    frame = background(360, 240)
    # The face box starts 2 px from the left and top edges: its crop margin runs outside.
    paste(frame, patch, 2 - fx, 2 - fy)
    paste(frame, patch, 360 - 2 - fx - fw, 240 - 2 - fy - fh)  # and one at the bottom-right corner
    results = pipeline.process(frame)
    assert len(results) == 2
    for result in results:
        check_result(result, pipeline.labels)


def test_several_faces_share_one_batched_forward_pass(
    detector: FaceDetector, classifier: EmotionClassifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real_predict = classifier.predict

    def counting_predict(faces: np.ndarray, eager: bool = False) -> np.ndarray:
        calls.append(len(faces))
        return real_predict(faces, eager)

    monkeypatch.setattr(classifier, "predict", counting_predict)
    frames, truth = astronaut_frames(num_frames=1, frame_size=(600, 200), face_size=64, copies=3, motion="static")
    results = EmotionPipeline(detector, classifier, confirm_checks=1).process(frames[0])
    assert calls == [3]
    assert len(results) == 3
    assert len({r.track_id for r in results}) == 3
    assert [r.box[0] for r in results] == sorted(r.box[0] for r in results)


def test_many_faces(detector: FaceDetector, classifier: EmotionClassifier) -> None:
    patch, _ = astronaut_face_patch(56)
    frame = background(4 * patch.shape[1], 2 * patch.shape[0])
    for row in range(2):
        for column in range(4):
            paste(frame, patch, column * patch.shape[1], row * patch.shape[0])
    results = EmotionPipeline(detector, classifier, confirm_checks=1).process(frame)
    assert len(results) == 8
    for result in results:
        check_result(result, classifier.labels)


def test_large_and_odd_sized_frames(detector: FaceDetector, classifier: EmotionClassifier) -> None:
    patch, _ = astronaut_face_patch(420)
    frame = background(1279, 721)  # odd sizes on purpose
    paste(frame, patch, 300, 20)
    results = EmotionPipeline(detector, classifier, confirm_checks=1).process(frame)
    assert len(results) == 1
    assert results[0].box[2] > 300


def test_a_face_filling_the_frame(detector: FaceDetector, classifier: EmotionClassifier) -> None:
    image = astronaut_bgr()[40:190, 150:300]  # the face nearly edge to edge
    results = EmotionPipeline(detector, classifier, confirm_checks=1).process(image)
    assert len(results) == 1
    check_result(results[0], classifier.labels)


def test_track_ids_follow_faces_across_frames(detector: FaceDetector, classifier: EmotionClassifier) -> None:
    frames, truth = astronaut_frames(num_frames=8, frame_size=(480, 240), face_size=64, copies=2, motion="move")
    pipeline = EmotionPipeline(detector, classifier, confirm_checks=1)
    ids = [[r.track_id for r in pipeline.process(frame)] for frame in frames]
    assert ids == [[1, 2]] * 8


def test_steadiness_smooths_in_time_and_keeps_raw_probabilities(
    detector: FaceDetector, classifier: EmotionClassifier
) -> None:
    frame = astronaut_bgr()
    darker = (frame * 0.5).astype(np.uint8)  # same face, different crop -> different probabilities
    raw = EmotionPipeline(detector, classifier, confirm_checks=1, steadiness="off")
    raw_first = np.array(raw.process(frame, 0.0)[0].probabilities)
    raw_second = np.array(raw.process(darker, 0.1)[0].probabilities)
    assert not np.allclose(raw_first, raw_second, atol=1e-6)

    steady = EmotionPipeline(detector, classifier, confirm_checks=1, steadiness=Steadiness(time_constant_s=0.2))
    np.testing.assert_allclose(steady.process(frame, 0.0)[0].probabilities, raw_first, atol=1e-6)
    second = steady.process(darker, 0.1)[0]  # half a time constant later
    weight = 1.0 - np.exp(-0.1 / 0.2)
    expected = (1 - weight) * raw_first + weight * raw_second
    np.testing.assert_allclose(second.probabilities, expected / expected.sum(), atol=1e-5)
    np.testing.assert_allclose(second.raw_probabilities, raw_second, atol=1e-6)
    assert second.label == classifier.labels[int(np.argmax(expected))]

    steady.steadiness = "off"  # changed at run time, e.g. from the GUI's control
    third = steady.process(darker, 0.2)[0]
    crop = crop_face(to_gray(darker), third.box, classifier.preprocessing)
    np.testing.assert_allclose(third.probabilities, classifier.predict(crop[None])[0], atol=1e-6)
    assert third.probabilities == third.raw_probabilities


def test_steadiness_is_validated(pipeline: EmotionPipeline) -> None:
    with pytest.raises(ValueError, match="choose one of"):
        pipeline.steadiness = "extreme"
    with pytest.raises(TypeError):
        EmotionPipeline(pipeline.detector, pipeline.classifier, steadiness=0.6)  # type: ignore[arg-type]
    pipeline.steadiness = "high"
    assert pipeline.steadiness == STEADINESS_LEVELS["high"]
    assert EmotionPipeline(pipeline.detector, pipeline.classifier).steadiness == DEFAULT_STEADINESS


def test_reset_forgets_tracks(pipeline: EmotionPipeline) -> None:
    frame = astronaut_bgr()
    pipeline.process(frame)
    pipeline.process(background(512, 512))
    pipeline.process(frame)
    pipeline.reset()
    assert pipeline.last_timings == StageTimings()
    assert [r.track_id for r in pipeline.process(frame)] == [1]


def test_a_still_starts_afresh_without_a_reset(pipeline: EmotionPipeline) -> None:
    # A folder of pictures through the API: the second picture's face, where the first
    # picture had one, took over that face's track (its box and label) unless reset() came first.
    first = astronaut_bgr()
    second = background(512, 512)
    patch, _ = astronaut_face_patch(110)
    paste(second, patch, 160, 40)
    (alone,) = pipeline.process(second, still=True)
    pipeline.reset()
    pipeline.process(first, still=True)
    pipeline.process(first, time_s=0.5)  # a video frame between them is forgotten as well
    (after,) = pipeline.process(second, still=True)
    assert (after.box, after.label, after.probabilities) == (alone.box, alone.label, alone.probabilities)
    assert after.track_id == 2, "ids go on counting, as a folder's faces in analyze"


def test_timings_of_the_last_call(pipeline: EmotionPipeline) -> None:
    pipeline.process(astronaut_bgr())
    timings = pipeline.last_timings
    assert timings.faces == 1
    assert timings.full_scan
    assert timings.detect_ms > 0 and timings.classify_ms > 0
    assert timings.total_ms == pytest.approx(timings.detect_ms + timings.classify_ms, rel=0.01)
    pipeline.process(astronaut_bgr())
    assert not pipeline.last_timings.full_scan  # the tracked face is searched locally


def test_without_tracking_every_frame_is_a_full_scan(detector: FaceDetector, classifier: EmotionClassifier) -> None:
    pipeline = EmotionPipeline(detector, classifier, confirm_checks=1, tracking=False)
    for _ in range(3):
        assert len(pipeline.process(astronaut_bgr())) == 1
        assert pipeline.last_timings.full_scan


def test_labels_come_from_the_weights_file(tmp_path: Path, detector: FaceDetector) -> None:
    labels = ("calm", "cheerful", "cross", "startled", "glum", "wary", "bored")
    classifier = EmotionClassifier.load(make_random_weights(tmp_path / "w.safetensors", labels=labels))
    (result,) = EmotionPipeline(detector, classifier, confirm_checks=1, optimize=False).process(astronaut_bgr())
    assert classifier.inference_mode == "eager"
    assert result.label in labels
    assert len(result.probabilities) == 7


def test_the_pipeline_builds_the_fast_runner_by_default(random_weights: Path, detector: FaceDetector) -> None:
    classifier = EmotionClassifier.load(random_weights)
    assert classifier.inference_mode == "eager"
    EmotionPipeline(detector, classifier, confirm_checks=1)
    assert classifier.inference_mode in {"int8", "fp32"}


def test_the_fast_runner_can_wait_for_a_count_of_faces(random_weights: Path, detector: FaceDetector) -> None:
    # As analyze runs it: a photo or a short clip is classified eagerly rather than wait
    # seconds for a build it would not pay back; the build comes once enough faces went by.
    classifier = EmotionClassifier.load(random_weights)
    pipeline = EmotionPipeline(detector, classifier, confirm_checks=1, optimize_after_faces=3, reuse_frames=0)
    modes = []
    for _ in range(4):
        assert len(pipeline.process(astronaut_bgr())) == 1
        modes.append(classifier.inference_mode)
    assert modes[:2] == ["eager", "eager"]
    assert modes[2] in {"int8", "fp32"}  # built right after the third face
    assert modes[3] == modes[2]


def test_an_empty_frame_is_an_error(pipeline: EmotionPipeline) -> None:
    with pytest.raises(ValueError, match="empty frame"):
        pipeline.process(np.zeros((0, 0, 3), np.uint8))
