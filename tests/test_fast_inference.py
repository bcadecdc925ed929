"""Fast classifier inference: agreement with eager fp32, any batch size, safe fallback."""

from __future__ import annotations

import importlib.util
import logging
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from emotion_app import preprocessing
from emotion_app.inference import near_tie, runners
from emotion_app.inference.calibration import synthetic_calibration_faces
from emotion_app.inference.classifier import EmotionClassifier
from emotion_app.inference.runners import (
    MIN_CHECK_AGREEMENT,
    InferenceRunner,
    build_runner,
    check_agreement,
)
from emotion_app.model import SEED_ARCHITECTURE, build_model
from emotion_app.preprocessing import Preprocessing, crop_face, to_gray, to_model_input
from emotion_app.samples import SIX_LABELS, astronaut_bgr, make_random_weights
from emotion_app.weights import ModelCard, save_weights

pytestmark = pytest.mark.usefixtures("one_torch_thread")

# The int8 path is ONNX Runtime's (a runtime dependency); without it the app falls back.
int8_available = importlib.util.find_spec("onnxruntime") is not None and importlib.util.find_spec("onnx") is not None


def check_faces(spec: Preprocessing, count: int = 80) -> np.ndarray:
    """Astronaut crops at jittered boxes plus uniform-noise crops."""
    rng = np.random.default_rng(7)
    gray = to_gray(astronaut_bgr())
    crops = [
        crop_face(gray, (177 + int(dx), 66 + int(dy), 95 + int(ds), 95 + int(ds)), spec)
        for dx, dy, ds in rng.integers(-25, 25, size=(count // 2, 3))
    ]
    noise = rng.integers(0, 256, size=(count - len(crops), spec.input_size, spec.input_size), dtype=np.uint8)
    return np.concatenate([np.stack(crops), noise])


@pytest.mark.parametrize("shape", [(1, 48, 48), (3, 48, 48), (2, 7, 7), (48, 48), (1, 1, 48, 48)])
@pytest.mark.parametrize("numbers", [(1.0 / 255.0, 0.50675, 0.25452), (1.0, 0.5, 0.25), (0.0039, 0.1, 3.0)])
def test_model_input_is_the_standardised_pixels_to_the_bit(
    shape: tuple[int, ...], numbers: tuple[float, float, float]
) -> None:
    # The uint8 faces' inputs are looked up per pixel value: they must be the numbers the
    # tensor steps give, every bit, at any batch shape (the classifier's results with them).
    scale, mean, std = numbers
    spec = Preprocessing(scale=scale, mean=mean, std=std)
    faces = np.resize(np.arange(256, dtype=np.uint8), shape)
    np.random.default_rng(5).shuffle(faces.reshape(-1))
    pixels = torch.from_numpy(faces).to(torch.float32)
    expected = (pixels.unsqueeze(1) if pixels.ndim == 3 else pixels) * scale
    expected = (expected - mean) / std
    inputs = to_model_input(faces, spec)
    assert inputs.dtype == torch.float32 and inputs.shape == expected.shape
    assert torch.equal(inputs.view(torch.int32), expected.view(torch.int32))
    # One view: the input itself; its probabilities are their own average.
    views, count = preprocessing.test_time_inputs(faces.reshape(-1, *shape[-2:]), spec)
    assert count == 1 and torch.equal(views, to_model_input(faces.reshape(-1, *shape[-2:]), spec))
    probabilities = torch.softmax(torch.linspace(-3.0, 3.0, 12).reshape(2, 6), dim=1)
    assert torch.equal(preprocessing.average_views(probabilities, 1), probabilities)


@pytest.fixture(scope="module")
def eager_classifier(random_weights: Path) -> EmotionClassifier:
    return EmotionClassifier.load(random_weights)


@pytest.mark.parametrize("mode", ["int8", "fp32"])
def test_optimised_runner_agrees_with_eager(eager_classifier: EmotionClassifier, mode: str) -> None:
    if mode == "int8" and not int8_available:
        pytest.skip("onnxruntime is not installed")
    spec = eager_classifier.preprocessing
    runner = build_runner(eager_classifier.model, spec, mode)
    assert runner.mode == mode, runner.note
    faces = check_faces(spec)
    inputs = to_model_input(faces, spec)
    with torch.inference_mode():
        eager = torch.softmax(eager_classifier.model(inputs), 1)
        fast = torch.softmax(runner(inputs), 1)
    agreement = float((eager.argmax(1) == fast.argmax(1)).float().mean())
    assert agreement >= 0.99
    assert float((eager - fast).abs().max()) < (0.02 if mode == "int8" else 1e-4)


def confident_weights(path: Path) -> Path:
    """A random-init model with a scaled-up output layer: decisive, like a trained one.

    (A plain random-init model is a near-tie on every face, so int8 would re-check them all.)
    """
    torch.manual_seed(1)
    model = build_model(6).eval()
    output_layer = model.classifier[-1]
    assert isinstance(output_layer, nn.Linear)
    with torch.no_grad():
        output_layer.weight.mul_(100.0)
    card = ModelCard(SEED_ARCHITECTURE, model.architecture_kwargs(), SIX_LABELS, Preprocessing())
    return save_weights(path, model, card)


def test_int8_itself_agrees_on_decisive_faces(tmp_path: Path) -> None:
    if not int8_available:
        pytest.skip("onnxruntime is not installed")
    classifier = EmotionClassifier.load(confident_weights(tmp_path / "confident.safetensors"), optimize="int8")
    assert classifier.inference_mode == "int8"
    runner = classifier.runner
    assert runner.recheck is not None, "an int8 runner carries its fp32 forward for near-ties"
    spec = classifier.preprocessing
    faces = check_faces(spec)
    inputs = to_model_input(faces, spec)
    with torch.inference_mode():
        eager = classifier.model(inputs).argmax(1)
        int8_only = runner(inputs).argmax(1)
    assert float((eager == int8_only).float().mean()) >= 0.99
    seen, redone = classifier.faces_seen, classifier.faces_redone
    full = classifier.predict(faces).argmax(1)
    assert np.mean(full == classifier.predict(faces, eager=True).argmax(1)) >= 0.99
    assert classifier.faces_seen - seen == len(faces)
    assert classifier.faces_redone - redone < len(faces) // 4, "decisive faces stay on the int8 path"


def test_int8_redoes_near_ties_in_fp32(random_weights: Path) -> None:
    if not int8_available:
        pytest.skip("onnxruntime is not installed")
    classifier = EmotionClassifier.load(random_weights, optimize="int8")
    assert classifier.inference_mode == "int8"
    faces = check_faces(classifier.preprocessing, 16)
    eager = classifier.predict(faces, eager=True)
    assert float(near_tie.top2_gap(torch.from_numpy(eager)).max()) < near_tie.MARGIN
    redone = classifier.faces_redone
    fast = classifier.predict(faces)
    # Random-init: every face is a near-tie, so every face is recomputed in fp32.
    assert classifier.faces_redone - redone == len(faces)
    np.testing.assert_allclose(fast, eager, atol=1e-5)


def test_shipped_weights_int8_agrees_with_eager_on_real_faces() -> None:
    """The shipped model (any weights of the seed architecture) through the whole int8 path."""
    if not int8_available:
        pytest.skip("onnxruntime is not installed")
    classifier = EmotionClassifier.load(optimize="int8")
    assert classifier.inference_mode == "int8"
    faces = check_faces(classifier.preprocessing, 120)[:60]  # the astronaut crops only
    fast = classifier.predict(faces)
    eager = classifier.predict(faces, eager=True)
    # Near-ties carry eager's own labels, so only a rounding slip on a clear face can differ.
    assert np.mean(fast.argmax(1) == eager.argmax(1)) >= 0.98
    assert float(np.abs(fast - eager).max()) < 0.1


def test_load_with_optimize_builds_a_fast_runner(classifier: EmotionClassifier) -> None:
    assert classifier.inference_mode in {"int8", "fp32"}
    faces = check_faces(classifier.preprocessing, 40)
    fast = classifier.predict(faces)
    eager = classifier.predict(faces, eager=True)
    assert fast.dtype == np.float32 and fast.shape == eager.shape == (40, 6)
    np.testing.assert_allclose(fast.sum(1), 1.0, atol=1e-5)
    assert np.mean(fast.argmax(1) == eager.argmax(1)) >= 0.99


@pytest.mark.parametrize("count", [0, 1, 2, 8, 37])
def test_any_number_of_faces(classifier: EmotionClassifier, count: int) -> None:
    faces = check_faces(classifier.preprocessing, 40)[:count]
    probabilities = classifier.predict(faces)
    assert probabilities.shape == (count, classifier.num_classes)
    assert probabilities.dtype == np.float32
    if count:
        np.testing.assert_allclose(probabilities.sum(1), 1.0, atol=1e-5)
        # Each face's result is independent of what else is in the batch.
        singles = np.concatenate([classifier.predict(face[None]) for face in faces])
        np.testing.assert_allclose(singles, probabilities, atol=1e-5)


def test_a_batch_larger_than_one_onnx_runtime_call(classifier: EmotionClassifier) -> None:
    """ONNX Runtime runs a big batch in chunks (bounded memory); results do not change."""
    rng = np.random.default_rng(3)
    faces = np.concatenate([check_faces(classifier.preprocessing, 80)] * 4)[rng.permutation(320)]
    whole = classifier.predict(faces)
    halves = np.concatenate([classifier.predict(faces[:160]), classifier.predict(faces[160:])])
    assert whole.shape == (320, classifier.num_classes)
    np.testing.assert_allclose(whole, halves, atol=1e-5)


def test_seven_class_model_optimises(random_weights_7: Path) -> None:
    classifier = EmotionClassifier.load(random_weights_7, optimize=True)
    assert classifier.inference_mode != "eager"
    assert "disgust" in classifier.labels
    assert classifier.predict(check_faces(classifier.preprocessing, 4)).shape == (4, 7)


def test_eager_mode_is_plain_eager(eager_classifier: EmotionClassifier) -> None:
    runner = build_runner(eager_classifier.model, eager_classifier.preprocessing, "eager")
    assert runner.mode == "eager" and runner.forward is eager_classifier.model


def test_unknown_mode_is_rejected(eager_classifier: EmotionClassifier) -> None:
    with pytest.raises(ValueError, match="unknown inference mode"):
        build_runner(eager_classifier.model, eager_classifier.preprocessing, "fp4")


class PlainNet(nn.Module):
    """A model without the seed CNN's features/classifier split, which int8 needs."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)
        self.fc = nn.Linear(4, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.conv(x).mean(dim=(2, 3)))


def test_a_failed_optimisation_falls_back_with_a_logged_note(caplog: pytest.LogCaptureFixture) -> None:
    torch.manual_seed(0)
    model = PlainNet().eval()
    with caplog.at_level(logging.WARNING, logger="emotion_app.inference.runners"):
        runner = build_runner(model, Preprocessing(), "int8")
    assert runner.mode == "eager"
    assert "int8 unavailable" in runner.note
    assert "falls back to eager" in caplog.text
    # "auto" still finds an fp32 path for it: torch channels-last, as ONNX has no form for it.
    fp32 = build_runner(model, Preprocessing(), "auto")
    assert fp32.mode == "fp32" and "channels-last" in fp32.note and "int8 unavailable" in fp32.note
    inputs = torch.rand(5, 1, 48, 48)
    with torch.inference_mode():
        torch.testing.assert_close(fp32(inputs), model(inputs), atol=1e-5, rtol=1e-4)


def test_without_onnxruntime_the_fallback_is_torch(
    eager_classifier: EmotionClassifier, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A machine without ONNX Runtime still gets a working, faster-than-eager fp32 runner."""
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # `import onnxruntime` now raises ImportError
    spec = eager_classifier.preprocessing
    model = eager_classifier.model
    with caplog.at_level(logging.WARNING, logger="emotion_app.inference.runners"):
        int8 = build_runner(model, spec, "int8")
    assert int8.mode == "eager" and "int8 unavailable" in int8.note and "onnxruntime" in int8.note
    assert "falls back to eager" in caplog.text
    runner = build_runner(model, spec, "auto")
    assert runner.mode == "fp32" and runner.recheck is None
    assert "onnxruntime not installed" in runner.note
    inputs = to_model_input(check_faces(spec, 20), spec)
    with torch.inference_mode():
        torch.testing.assert_close(runner(inputs), model(inputs), atol=1e-5, rtol=1e-4)


def test_the_fast_path_raises_no_deprecation_warning(random_weights: Path) -> None:
    """A fresh process (so every import happens in it) builds and runs each runner with
    DeprecationWarning made an error."""
    code = (
        "import sys, numpy as np\n"
        "from emotion_app.inference.classifier import EmotionClassifier\n"
        "classifier = EmotionClassifier.load(sys.argv[1])\n"
        "faces = np.random.default_rng(0).integers(0, 256, (9, 48, 48), dtype=np.uint8)\n"
        "for mode in ('int8', 'fp32', 'auto'):\n"
        "    used = classifier.optimize(mode)\n"
        "    assert classifier.predict(faces).shape == (9, 6), used\n"
        "    print(used)\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", code, str(random_weights)],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "DeprecationWarning" not in result.stderr
    expected = ["int8", "fp32", "int8"] if int8_available else ["eager", "fp32", "fp32"]
    assert result.stdout.split() == expected, result.stdout + result.stderr[-2000:]


def test_a_runner_failing_at_run_time_switches_to_eager(random_weights: Path, caplog: pytest.LogCaptureFixture) -> None:
    classifier = EmotionClassifier.load(random_weights)
    faces = check_faces(classifier.preprocessing, 3)
    expected = classifier.predict(faces)

    def broken(_: torch.Tensor) -> torch.Tensor:
        raise RuntimeError("kernel not available on this CPU")

    classifier.runner = InferenceRunner("int8", broken)
    with caplog.at_level(logging.WARNING, logger="emotion_app.inference.classifier"):
        got = classifier.predict(faces)
    np.testing.assert_allclose(got, expected, atol=1e-6)
    assert classifier.inference_mode == "eager"
    assert "switching to eager" in caplog.text


def test_check_agreement_catches_a_wrong_runner(eager_classifier: EmotionClassifier) -> None:
    spec = eager_classifier.preprocessing
    inputs = to_model_input(check_faces(spec), spec)
    model = eager_classifier.model
    assert check_agreement(model, model, inputs) == 1.0
    # A trained-looking model (large margins) whose "optimised" form ranks classes backwards.
    sharp = nn.Sequential(model, nn.Identity())
    with torch.no_grad():
        scale = 50.0

        def confident(x: torch.Tensor) -> torch.Tensor:
            return sharp(x) * scale

        def backwards(x: torch.Tensor) -> torch.Tensor:
            return -sharp(x) * scale

        assert check_agreement(confident, backwards, inputs) < 0.5  # type: ignore[arg-type]


def test_synthetic_calibration_faces_are_deterministic_face_sized_crops() -> None:
    faces = synthetic_calibration_faces(48, count=32, seed=3)
    assert faces.shape == (32, 48, 48) and faces.dtype == np.uint8
    np.testing.assert_array_equal(faces, synthetic_calibration_faces(48, count=32, seed=3))
    assert faces.std() > 30  # real contrast, not flat grey


def test_building_beside_live_inference_is_safe(random_weights: Path) -> None:
    """The GUI classifies with eager fp32 while the fast runner is built on another thread."""
    classifier = EmotionClassifier.load(random_weights)
    faces = check_faces(classifier.preprocessing, 6)
    expected = classifier.predict(faces, eager=True)
    errors: list[BaseException] = []
    done = threading.Event()
    results: list[str] = []

    def build() -> None:
        try:
            results.append(classifier.optimize("auto"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            done.set()

    thread = threading.Thread(target=build)
    thread.start()
    rounds = 0
    while not done.is_set() or rounds < 3:
        np.testing.assert_allclose(classifier.predict(faces, eager=True), expected, atol=1e-6)
        rounds += 1
    thread.join()
    assert not errors
    assert results and results[0] in {"int8", "fp32"}
    assert classifier.predict(faces).argmax(1).tolist() == expected.argmax(1).tolist()


def test_custom_calibration_faces_are_used(random_weights: Path) -> None:
    classifier = EmotionClassifier.load(random_weights)
    faces = check_faces(classifier.preprocessing, 64)
    mode = classifier.optimize("auto", calibration_faces=faces)
    assert mode in {"int8", "fp32"}
    assert np.mean(classifier.predict(faces).argmax(1) == classifier.predict(faces, eager=True).argmax(1)) >= 0.99


def test_make_random_weights_helper_round_trips(tmp_path: Path) -> None:
    path = make_random_weights(tmp_path / "w.safetensors", labels=("calm", "excited", "bored"))
    assert EmotionClassifier.load(path).labels == ("calm", "excited", "bored")


def test_faces_near_tied_after_averaging_the_views_are_redone_in_fp32(monkeypatch: pytest.MonkeyPatch) -> None:
    if not int8_available:
        pytest.skip("onnxruntime is not installed")
    classifier = EmotionClassifier.load(optimize="int8")  # shipped weights: 4 test-time views
    assert classifier.inference_mode == "int8"
    faces = check_faces(classifier.preprocessing)
    eager = classifier.predict(faces, eager=True)
    monkeypatch.setattr(near_tie, "MARGIN", 0.0)
    int8_only = classifier.predict(faces)
    top2 = np.sort(int8_only, axis=1)[:, -2:]
    margin = 0.2  # wide, so that these 80 faces include both close and clear ones
    close = (top2[:, 1] - top2[:, 0]) < margin
    assert 0 < close.sum() < len(faces)
    monkeypatch.setattr(near_tie, "MARGIN", margin)
    redone_before = classifier.faces_redone
    mixed = classifier.predict(faces)
    assert classifier.faces_redone - redone_before == int(close.sum())
    # Close faces now carry fp32 probabilities (ONNX Runtime's, equal to eager's); clear ones keep int8's.
    np.testing.assert_allclose(mixed[close], eager[close], atol=1e-5)
    np.testing.assert_array_equal(mixed[~close], int8_only[~close])


def test_the_shipped_model_gets_an_int8_runner_that_agrees() -> None:
    """On x86 CPUs without VNNI (AVX2 only) full-range int8 saturates and the shipped model's
    runner was rejected for fp32; 7-bit weights agree, so those CPUs get int8 too."""
    if not int8_available:
        pytest.skip("onnxruntime is not installed")
    classifier = EmotionClassifier.load(optimize="int8")
    assert classifier.inference_mode == "int8", classifier.runner.note
    spec = classifier.preprocessing
    faces = synthetic_calibration_faces(spec.input_size, 64, seed=5)  # not the calibration faces (seed 0)
    inputs, _ = preprocessing.test_time_inputs(faces, spec)
    reduced = runners._build_int8(classifier.model, spec, inputs, reduce_range=True)
    assert check_agreement(classifier.model, reduced.forward, inputs[: len(faces)]) >= MIN_CHECK_AGREEMENT


def test_a_rejected_int8_build_is_retried_with_7_bit_weights(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not int8_available:
        pytest.skip("onnxruntime is not installed")

    def saturated(model: nn.Module, spec: Preprocessing, inputs: torch.Tensor) -> InferenceRunner:
        real = runners._build_int8(model, spec, inputs)
        return InferenceRunner("int8", lambda batch: -real.forward(batch), "onnxruntime", real.recheck)

    variants = (("full-range weights", saturated), runners._BUILDERS["int8"][1])
    monkeypatch.setitem(runners._BUILDERS, "int8", variants)
    classifier = EmotionClassifier.load(confident_weights(tmp_path / "confident.safetensors"))
    runner = build_runner(classifier.model, classifier.preprocessing, "auto")
    assert runner.mode == "int8"
    assert "int8 (full-range weights) rejected" in runner.note and "using 7-bit weights" in runner.note


def test_runner_sessions_do_not_spin_between_runs() -> None:
    # Spinning pool threads took the cores from OpenCV's cascade threads between frames.
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        options = runners.session_options()
    finally:
        torch.set_num_threads(before)
    assert options.intra_op_num_threads == 2
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
