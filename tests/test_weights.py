import os
import pickle
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch

from emotion_app import EmotionClassifier, Preprocessing, WeightsError, build_model
from emotion_app.weights import ModelCard, load_model, save_weights

LABELS_6 = ("angry", "fear", "happy", "sad", "surprise", "neutral")


def write_weights(
    path: Path,
    num_classes: int = 6,
    labels: tuple[str, ...] = LABELS_6,
    preprocessing: Preprocessing | None = None,
    architecture: str = "seed_cnn",
) -> Path:
    torch.manual_seed(0)
    model = build_model(num_classes)
    card = ModelCard(
        architecture=architecture,
        architecture_kwargs={"num_classes": num_classes},
        labels=labels,
        preprocessing=preprocessing or Preprocessing(mean=0.5, std=0.25),
        training={"note": "random init for tests"},
    )
    return save_weights(path, model, card)


def test_round_trip_keeps_labels_preprocessing_and_tensors(tmp_path: Path) -> None:
    spec = Preprocessing(mean=0.51, std=0.26, crop_margin=0.15, equalize=True)
    path = write_weights(
        tmp_path / "w.safetensors", labels=("happy", "sad", "angry", "fear", "surprise", "neutral"), preprocessing=spec
    )
    classifier = EmotionClassifier.load(path)
    # Labels come from the file, in the file's order, not from any constant.
    assert classifier.labels == ("happy", "sad", "angry", "fear", "surprise", "neutral")
    assert classifier.preprocessing == spec
    torch.manual_seed(0)
    reference = build_model(6).state_dict()
    for name, tensor in classifier.model.state_dict().items():
        assert torch.equal(tensor, reference[name])


def test_predict_gives_distributions(tmp_path: Path) -> None:
    classifier = EmotionClassifier.load(write_weights(tmp_path / "w.safetensors"))
    faces = np.random.default_rng(0).integers(0, 256, size=(5, 48, 48), dtype=np.uint8)
    probs = classifier.predict(faces)
    assert probs.dtype == np.float32 and probs.shape == (5, 6)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert (probs >= 0).all()
    assert classifier.predict(np.zeros((0, 48, 48), np.uint8)).shape == (0, 6)


def test_predict_rejects_wrong_shapes(tmp_path: Path) -> None:
    classifier = EmotionClassifier.load(write_weights(tmp_path / "w.safetensors"))
    with pytest.raises(ValueError, match="48"):
        classifier.predict(np.zeros((2, 32, 32), np.uint8))
    with pytest.raises(ValueError, match="uint8"):
        classifier.predict(np.zeros((2, 48, 48), np.float32))


def test_predict_takes_one_crop_a_list_of_crops_and_an_empty_list(tmp_path: Path) -> None:
    classifier = EmotionClassifier.load(write_weights(tmp_path / "w.safetensors"))
    crops = list(np.random.default_rng(1).integers(0, 256, size=(3, 48, 48), dtype=np.uint8))
    batch = classifier.predict(np.stack(crops))
    np.testing.assert_array_equal(classifier.predict(crops), batch)
    np.testing.assert_array_equal(classifier.predict(crops[1]), batch[1:2])
    # No faces found in a frame: a script's list of crops is empty.
    empty = classifier.predict([])
    assert empty.shape == (0, 6) and empty.dtype == np.float32
    with pytest.raises(ValueError, match=r"got crops of shapes \(40, 40\), \(48, 48\)$"):
        classifier.predict([crops[0], np.zeros((40, 40), np.uint8)])


def test_seven_class_file_loads(tmp_path: Path) -> None:
    labels = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
    classifier = EmotionClassifier.load(write_weights(tmp_path / "w7.safetensors", num_classes=7, labels=labels))
    assert classifier.labels == labels
    assert classifier.predict(np.zeros((1, 48, 48), np.uint8)).shape == (1, 7)


def test_missing_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope.safetensors"
    with pytest.raises(WeightsError, match="not found.*nope.safetensors"):
        EmotionClassifier.load(missing)


def test_truncated_file_is_named(tmp_path: Path) -> None:
    path = write_weights(tmp_path / "w.safetensors")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(WeightsError, match="w.safetensors: the weights file is damaged or incomplete"):
        EmotionClassifier.load(path)


def test_garbage_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "garbage.safetensors"
    path.write_bytes(os.urandom(1000))
    with pytest.raises(WeightsError, match="garbage.safetensors"):
        EmotionClassifier.load(path)


def test_malicious_pickle_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self) -> tuple[Callable[[str], int], tuple[str]]:
            return (os.system, (f"touch {marker}",))

    for name in ("evil.pt", "evil.safetensors"):
        path = tmp_path / name
        path.write_bytes(pickle.dumps({"state_dict": Exploit()}))
        with pytest.raises(WeightsError, match=name):
            EmotionClassifier.load(path)
    # A torch.save'd checkpoint (a zip of pickles) is refused the same way.
    torch_path = tmp_path / "evil_torch.pt"
    torch.save({"x": Exploit()}, torch_path)
    assert not marker.exists(), "torch.save itself must not run the payload"
    with pytest.raises(WeightsError, match="evil_torch.pt"):
        EmotionClassifier.load(torch_path)
    assert not marker.exists(), "loading a weights file ran code from it"


def test_unknown_architecture_is_named(tmp_path: Path) -> None:
    path = write_weights(tmp_path / "w.safetensors", architecture="resnet9000")
    with pytest.raises(WeightsError, match="w.safetensors.*unknown architecture 'resnet9000'"):
        EmotionClassifier.load(path)


def test_shape_mismatch_is_named(tmp_path: Path) -> None:
    # Tensors of a 7-class model under a card that claims 6 classes.
    torch.manual_seed(0)
    card = ModelCard("seed_cnn", {"num_classes": 6}, LABELS_6, Preprocessing())
    path = save_weights(tmp_path / "mismatch.safetensors", build_model(7), card)
    with pytest.raises(WeightsError, match=r"mismatch.safetensors.*classifier.6.*has shape \(7,?"):
        EmotionClassifier.load(path)


def test_label_count_mismatch_is_named(tmp_path: Path) -> None:
    path = write_weights(tmp_path / "labels.safetensors", labels=("angry", "happy", "sad"))
    with pytest.raises(WeightsError, match="labels.safetensors.*3 class names.*6 outputs"):
        EmotionClassifier.load(path)


def test_file_without_card_is_refused(tmp_path: Path) -> None:
    from safetensors.torch import save_file

    path = tmp_path / "plain.safetensors"
    save_file({k: v.contiguous() for k, v in build_model(6).state_dict().items()}, str(path))
    with pytest.raises(WeightsError, match="plain.safetensors.*metadata"):
        load_model(path)


def test_default_weights_load_or_say_clearly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import emotion_app.inference.classifier as classifier_module

    monkeypatch.setattr(classifier_module, "DEFAULT_WEIGHTS_PATH", tmp_path / "absent.safetensors")
    with pytest.raises(WeightsError, match="the shipped weights are not at"):
        EmotionClassifier.load()


def test_flip_tta_from_the_card_averages_with_the_mirror_image(tmp_path: Path) -> None:
    plain = EmotionClassifier.load(write_weights(tmp_path / "plain.safetensors"))
    flipped = EmotionClassifier.load(
        write_weights(tmp_path / "tta.safetensors", preprocessing=Preprocessing(mean=0.5, std=0.25, flip_tta=True))
    )
    faces = np.random.default_rng(1).integers(0, 256, size=(4, 48, 48), dtype=np.uint8)
    expected = (plain.predict(faces) + plain.predict(faces[:, :, ::-1].copy())) / 2
    np.testing.assert_allclose(flipped.predict(faces), expected, atol=1e-5)
    # A mirrored face gets the same answer as the face itself.
    np.testing.assert_allclose(flipped.predict(faces[:, :, ::-1].copy()), flipped.predict(faces), atol=1e-5)


def test_zoom_views_are_averaged_with_their_mirrors(tmp_path: Path) -> None:
    from emotion_app.preprocessing import zoom_faces

    plain = EmotionClassifier.load(write_weights(tmp_path / "plain.safetensors"))
    spec = Preprocessing(mean=0.5, std=0.25, flip_tta=True, tta_zooms=(0.9,))
    with_views = EmotionClassifier.load(write_weights(tmp_path / "views.safetensors", preprocessing=spec))
    assert with_views.preprocessing.tta_zooms == (0.9,)  # survives the JSON round trip as a tuple
    faces = np.random.default_rng(2).integers(0, 256, size=(3, 48, 48), dtype=np.uint8)
    zoomed = zoom_faces(faces, 0.9)
    assert zoomed.shape == faces.shape and not np.array_equal(zoomed, faces)
    views = [faces, zoomed, faces[:, :, ::-1].copy(), zoomed[:, :, ::-1].copy()]
    expected = np.mean([plain.predict(v) for v in views], axis=0)
    np.testing.assert_allclose(with_views.predict(faces), expected, atol=1e-5)
