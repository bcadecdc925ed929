"""A pipeline pickles and copies: plain data out, the same faces, ids and labels after.

Real cascades, a real (random-init) model and its fast runner, frames made here. The
spawn-started process pool runs the README's own example (tests/test_readme_api.py).
"""

from __future__ import annotations

import copy
import dataclasses
import io
import pickle
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from torch import nn

from emotion_app import EmotionClassifier, EmotionPipeline, FaceDetector, WeightsError
from emotion_app.faces.face_verifier import FaceVerifier, VerifierCard, VerifierError, VerifierNet
from emotion_app.samples import astronaut_frames

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def two_faces(count: int = 14, blank: tuple[int, ...] = ()) -> list[np.ndarray]:
    """Two astronaut faces drifting side by side."""
    frames, _ = astronaut_frames(count, frame_size=(400, 200), face_size=64, copies=2, blank_frames=blank)
    return frames


class RecordingUnpickler(pickle.Unpickler):
    """Loads a pickle, noting every class and function it names."""

    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data))
        self.names: set[str] = set()

    def find_class(self, module: str, name: str) -> Any:
        self.names.add(f"{module}.{name}")
        return super().find_class(module, name)


def test_a_pickled_pipeline_goes_on_with_the_faces_ids_and_labels_of_the_original(
    detector: FaceDetector, classifier: EmotionClassifier
) -> None:
    pipeline = EmotionPipeline(detector, classifier)  # the int8 runner, as the app runs
    assert pipeline.classifier.inference_mode == "int8"
    frames = two_faces()
    for index, frame in enumerate(frames[:7]):
        pipeline.process(frame, index / 10)
    data = pickle.dumps(pipeline)
    unpickler = RecordingUnpickler(data)
    loaded = unpickler.load()
    # No torch module, tensor or runtime session in it: arrays and the app's own classes,
    # the model made again from its tensors by the weights file's checks.
    assert not [name for name in unpickler.names if name.startswith(("torch", "onnx", "cv2"))], unpickler.names
    assert isinstance(loaded, EmotionPipeline) and loaded.classifier.inference_mode == "int8"
    assert loaded.tracker.detector is loaded.detector  # one detector, shared as in the original
    for index, frame in enumerate(frames[7:], 7):
        faces, copied = pipeline.process(frame, index / 10), loaded.process(frame, index / 10)
        assert copied == faces  # boxes, ids, labels, probabilities: all equal
        # The tracker came along: the copy's first frame shows both faces with their ids
        # (a fresh tracker shows a face only once two frames confirmed it).
        assert [face.track_id for face in copied] == [1, 2]


def test_a_deep_copy_goes_on_as_the_original_and_apart_from_it(random_weights: Path) -> None:
    pipeline = EmotionPipeline(FaceDetector(), EmotionClassifier.load(random_weights), optimize=False)
    frames = two_faces()
    for index, frame in enumerate(frames[:5]):
        pipeline.process(frame, index / 10)
    twin = copy.deepcopy(pipeline)
    assert twin.classifier is not pipeline.classifier and twin.detector.cascade is not pipeline.detector.cascade
    for index, frame in enumerate(frames[5:10], 5):
        assert twin.process(frame, index / 10) == pipeline.process(frame, index / 10)
    pipeline.reset()  # the original starts afresh; the copy keeps its faces
    assert len(twin.tracker.shown_tracks) == 2 and pipeline.tracker.tracks == []


def test_a_background_scan_in_flight_travels_with_the_pipeline(random_weights: Path) -> None:
    # Background scans, as live: the faces walk in over blank frames and are found by the
    # scan on the thread; the copy is made while that scan runs.
    pipeline = EmotionPipeline(
        FaceDetector(), EmotionClassifier.load(random_weights), optimize=False, background_scan=True
    )
    frames = two_faces(16, blank=(0, 1, 2))
    index = 0
    while True:
        assert pipeline.process(frames[index], index / 10) == []
        index += 1
        if index > 3 and pipeline.tracker.background_scan_running:
            break  # a scan of the frames with faces, maybe still running: pickling waits for it
        pipeline.tracker.wait_for_background_scan()
    loaded = pickle.loads(pickle.dumps(pipeline))
    try:
        shown = []
        for number, frame in enumerate(frames[index:], index):
            faces, copied = pipeline.process(frame, number / 10), loaded.process(frame, number / 10)
            assert copied == faces
            shown.append(len(faces))
            pipeline.tracker.wait_for_background_scan()
            loaded.tracker.wait_for_background_scan()
        # The scan carried over found them: the next frame confirms them, the one after
        # shows them (not a later scan's, 5 frames on).
        assert shown[:3] == [0, 2, 2], shown
    finally:
        pipeline.close()
        loaded.close()


def test_a_model_its_card_does_not_name_cannot_travel_and_says_so(random_weights: Path) -> None:
    card = EmotionClassifier.load(random_weights).card
    own_model = nn.Sequential(nn.Flatten(), nn.Linear(48 * 48, 6))
    classifier = EmotionClassifier(own_model, card)
    pipeline = EmotionPipeline(FaceDetector(), classifier, optimize=False)
    expected = "cannot pickle this EmotionClassifier: its model is a Sequential, not the 'seed_cnn' its card names"
    for attempt in (lambda: pickle.dumps(pipeline), lambda: copy.deepcopy(pipeline), lambda: pickle.dumps(classifier)):
        with pytest.raises(pickle.PicklingError, match=expected):
            attempt()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("nan", r"a pickled classifier \(of .*random6.safetensors\): tensor '.*' holds NaN or infinite values"),
        ("shape", r"a pickled classifier .*: tensor 'classifier.6.bias' has shape \(7,\)"),
        ("card", r"a pickled classifier .* has a bad card: card is not JSON"),
    ],
)
def test_a_damaged_pickled_model_is_refused_as_a_damaged_weights_file_is(
    random_weights: Path, damage: str, message: str
) -> None:
    state = EmotionClassifier.load(random_weights).__getstate__()
    if damage == "nan":
        state["tensors"]["features.0.weight"][0, 0, 0, 0] = np.nan
    elif damage == "shape":
        state["tensors"]["classifier.6.bias"] = np.zeros(7, np.float32)
    else:
        state["card_json"] = state["card_json"][:-1]
    restored = EmotionClassifier.__new__(EmotionClassifier)
    with pytest.raises(WeightsError, match=message):
        restored.__setstate__(state)  # what pickle.loads calls


def hostile(state: dict[str, Any], damage: str) -> dict[str, Any] | list[int]:
    """``state`` (a classifier's, from __getstate__) damaged as ``damage`` says."""
    tensors = state["tensors"]
    if damage == "labels":  # would have named the model's outputs otherwise than its card
        state["labels"] = ("one",)
    elif damage == "model":
        state["model"] = "not a model"
    elif damage == "no mode":
        del state["inference_mode"]
    elif damage == "preprocessing":
        state["preprocessing"] = {**state["preprocessing"], "input_size": 96}
    elif damage == "names":
        tensors.update({1: np.zeros(3, np.float32), "extra": np.zeros(3, np.float32)})
    elif damage == "many":
        tensors.update({f"extra.{index}": np.zeros(1, np.float32) for index in range(2000)})
    elif damage == "float64":
        tensors["features.0.bias"] = np.full(tensors["features.0.bias"].shape, 1e300)
    elif damage == "order":  # a file's shapes are checked before its values: so are these
        tensors["features.0.weight"][0, 0, 0, 0] = np.nan
        tensors["classifier.6.bias"] = np.zeros(7, np.float32)
    else:
        return [1, 2]
    return state


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("labels", r"is not a classifier's state: missing \[\], unexpected \['labels'\]$"),
        ("model", r"is not a classifier's state: missing \[\], unexpected \['model'\]$"),
        ("no mode", r"is not a classifier's state: missing \['inference_mode'\], unexpected \[\]$"),
        ("preprocessing", r"prepares faces of 96 pixels for a model of 48$"),
        ("names", r"holds a tensor named 1; tensors are named by strings$"),
        ("many", r"holds 2,016 tensors; at most 1000$"),
        ("float64", r"tensor 'features.0.bias' holds NaN or infinite values$"),
        ("order", r"tensor 'classifier.6.bias' has shape \(7,\)"),
        ("list", r"^a pickled classifier holds no classifier state \(got list\)$"),
    ],
)
def test_a_hostile_pickled_classifier_state_is_one_weights_error_and_nothing_of_it_is_used(
    random_weights: Path, damage: str, message: str
) -> None:
    state = hostile(EmotionClassifier.load(random_weights).__getstate__(), damage)
    restored = EmotionClassifier.__new__(EmotionClassifier)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's overflow warning is no answer either
        with pytest.raises(WeightsError, match=message) as caught:
            restored.__setstate__(state)  # type: ignore[arg-type]  # what pickle.loads calls
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 300


def test_a_pickled_classifier_keeps_the_preprocessing_it_was_given(random_weights: Path) -> None:
    # A calibration script swaps a classifier's preprocessing for a variant of its card's.
    classifier = EmotionClassifier.load(random_weights)
    classifier.preprocessing = dataclasses.replace(classifier.preprocessing, flip_tta=True, tta_zooms=(0.9,))
    loaded = pickle.loads(pickle.dumps(classifier))
    assert loaded.preprocessing == classifier.preprocessing != loaded.card.preprocessing
    faces = np.random.default_rng(0).integers(0, 256, (3, 48, 48), dtype=np.uint8)
    assert np.array_equal(loaded.predict(faces), classifier.predict(faces))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("no card", r"holds \['tensors'\], not a verifier's card_json and tensors$"),
        ("extra", r"holds \['card_json', 'net', 'tensors'\], not a verifier's card_json and tensors$"),
        ("tensors", r"holds no tensors \(got list\)$"),
        ("float64", r"holds NaN or infinite values$"),
    ],
)
def test_a_hostile_pickled_face_verifier_state_is_a_verifier_error(damage: str, message: str) -> None:
    state = FaceVerifier(VerifierNet(4), VerifierCard(width=4, threshold=0.5)).__getstate__()
    if damage == "no card":
        del state["card_json"]
    elif damage == "extra":
        state["net"] = "not a network"
    elif damage == "tensors":
        state["tensors"] = [1]
    else:
        state["tensors"]["head.bias"] = np.full(1, 1e300)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(VerifierError, match=message):
            FaceVerifier.__new__(FaceVerifier).__setstate__(state)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("min_neighbors", -3, "min_neighbors must be >= 0, got -3"),
        ("scale_factor", 1.0, "scale_factor must be > 1, got 1.0"),
        ("detection_scale", 0.0, r"detection_scale must be in \(0, 1\], got 0.0"),
    ],
)
def test_a_damaged_pickled_detector_meets_the_detectors_own_checks(name: str, value: float, message: str) -> None:
    # Values that the constructor refuses, set behind its back: a copy would have searched
    # with them (garbage boxes, none, or an OpenCV assertion at the first frame).
    detector = FaceDetector()
    setattr(detector, name, value)
    for attempt in (lambda: pickle.loads(pickle.dumps(detector)), lambda: copy.deepcopy(detector)):
        with pytest.raises(ValueError, match=message):
            attempt()


def test_a_deep_copy_shares_the_classifier_only_when_asked_to(random_weights: Path) -> None:
    # As the pipeline's docstring and the README say: its own classifier, unless the memo
    # hands the original's over.
    classifier = EmotionClassifier.load(random_weights)
    pipeline = EmotionPipeline(FaceDetector(), classifier, optimize=False)
    other = EmotionPipeline(FaceDetector(), classifier, optimize=False)
    own = copy.deepcopy(pipeline)
    shared = copy.deepcopy(pipeline, {id(classifier): classifier})
    assert own.classifier is not classifier and shared.classifier is classifier is other.classifier
    frames = two_faces(4)
    for index, frame in enumerate(frames):
        expected = pipeline.process(frame, index / 10)
        assert own.process(frame, index / 10) == expected == shared.process(frame, index / 10)
