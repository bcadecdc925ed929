"""Low-contrast faces (a dim stage, a dark room) are stretched before the model sees them,
as the weights card says; faces lit like the training faces are left exactly as they are."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from emotion_app import EmotionClassifier
from emotion_app.faces.detector import FaceDetector
from emotion_app.preprocessing import Preprocessing, contrast, crop_face, lift_low_contrast, to_gray, to_model_input
from emotion_app.samples import astronaut_bgr


def dimmed(face: np.ndarray, gain: float, offset: float) -> np.ndarray:
    return np.clip(face.astype(np.float32) * gain + offset, 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def astronaut_crop() -> np.ndarray:
    gray = to_gray(astronaut_bgr())
    box = max(FaceDetector().detect_gray(gray), key=lambda b: b[2])
    return crop_face(gray, box, Preprocessing(crop_margin=0.05))


def test_a_dim_face_gets_full_contrast_and_a_lit_one_is_untouched(astronaut_crop: np.ndarray) -> None:
    dim = dimmed(astronaut_crop, 0.25, 10)
    assert contrast(dim[None])[0] < 75 < 108 < contrast(astronaut_crop[None])[0]
    lifted = lift_low_contrast(np.stack([dim, astronaut_crop]), 75, 108)
    assert contrast(lifted[:1])[0] >= 250
    np.testing.assert_array_equal(lifted[1], astronaut_crop)  # enough contrast: not a pixel changes
    # What the stretch undoes is the dimming: the face's pixels come back near their own.
    assert np.corrcoef(lifted[0].ravel(), astronaut_crop.ravel())[0, 1] > 0.99


def test_the_stretch_fades_out_between_the_bounds_without_a_jump(astronaut_crop: np.ndarray) -> None:
    # A face whose light changes a little changes a little for the model too: in steps of
    # about 2 levels of contrast, the stretched contrast moves by far less than the 147
    # levels a hard threshold at 108 would jump by.
    gains = np.linspace(0.2, 0.6, 41)
    faces = np.stack([dimmed(astronaut_crop, gain, 20) for gain in gains])
    before, after = contrast(faces), contrast(lift_low_contrast(faces, 75, 108))
    assert before.min() < 75 and before.max() > 108
    assert np.all(np.abs(np.diff(after)) < 20)
    assert np.all(after[before <= 75] >= 250)  # fully stretched up to the lower bound
    np.testing.assert_allclose(after[before >= 108], before[before >= 108], atol=1)  # untouched from the upper
    assert np.all(after >= before - 1)  # never less contrast than before


def test_shipped_model_reads_a_dim_face_as_it_reads_the_lit_one(astronaut_crop: np.ndarray) -> None:
    classifier = EmotionClassifier.load()
    spec = classifier.preprocessing
    assert len(spec.low_contrast) == 2 and spec.low_contrast[0] < spec.low_contrast[1]
    without = dataclasses.replace(spec, low_contrast=())

    def logits(face: np.ndarray, preprocessing: Preprocessing) -> np.ndarray:
        with torch.inference_mode():
            return classifier.model(to_model_input(face[None], preprocessing))[0].numpy()

    lit = logits(astronaut_crop, without)
    for gain, offset in ((0.25, 10), (0.2, 20)):
        dim = dimmed(astronaut_crop, gain, offset)
        # With the card's rule the dim face scores as the lit one does; without it, the
        # model (which never saw such a face) scores it differently.
        assert np.abs(logits(dim, spec) - lit).max() < 0.5
        assert np.abs(logits(dim, without) - lit).max() > 1.0


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([75], "two numbers"),
        ([75, 108, 120], "two numbers"),
        (["a", "b"], "list of numbers"),
        ([108, 75], "full < none"),
        ([75, 300], "full < none"),
        ([-1, 75], "full < none"),
        ("75,108", "list of numbers"),
    ],
)
def test_a_bad_low_contrast_in_a_card_is_refused_with_its_reason(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Preprocessing.from_dict({"low_contrast": value})


def test_the_card_round_trips_the_rule() -> None:
    spec = Preprocessing(low_contrast=(75.0, 108.0))
    assert Preprocessing.from_dict(spec.to_dict()) == spec
    assert Preprocessing.from_dict({}).low_contrast == ()
