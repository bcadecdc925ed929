"""The ONNX graph written from a loaded model computes exactly what the model does."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
import torch
from torch import nn

from emotion_app.inference.onnx_graph import INPUT_NAME, seed_cnn_to_onnx
from emotion_app.weights import DEFAULT_WEIGHTS_PATH, load_model

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("onnx") is None or importlib.util.find_spec("onnxruntime") is None,
    reason="onnx / onnxruntime not installed",
)


def run_graph(model: nn.Module, inputs: torch.Tensor) -> np.ndarray:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(seed_cnn_to_onnx(model, inputs.shape[-1]).SerializeToString(), options)
    return session.run(None, {INPUT_NAME: inputs.numpy()})[0]


@pytest.mark.parametrize("weights", ["random_weights", "random_weights_7", "shipped"])
def test_graph_matches_the_model_for_any_batch(weights: str, request: pytest.FixtureRequest) -> None:
    path = DEFAULT_WEIGHTS_PATH if weights == "shipped" else request.getfixturevalue(weights)
    model, _ = load_model(path)
    generator = torch.Generator().manual_seed(0)
    for batch in (1, 3, 32):
        inputs = torch.randn(batch, 1, 48, 48, generator=generator)
        with torch.inference_mode():
            expected = model(inputs).numpy()
        got = run_graph(model, inputs)
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


def test_a_layer_without_an_onnx_form_is_refused() -> None:
    model = nn.Module()
    model.features = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.Flatten())
    model.classifier = nn.Sequential(nn.Linear(4 * 46 * 46, 3))
    with pytest.raises(TypeError, match="no ONNX form for layer BatchNorm2d"):
        seed_cnn_to_onnx(model, 48)


def test_a_model_without_the_seed_split_is_refused() -> None:
    with pytest.raises(TypeError, match="Sequential 'features'"):
        seed_cnn_to_onnx(nn.Sequential(nn.Flatten(), nn.Linear(48 * 48, 3)), 48)
