import numpy as np
import pytest
import torch
from torch import nn

from emotion_app import build_model
from emotion_app.model import fold_batch_norm

# Output shape after each stage, from the seed's layer table.
EXPECTED_SHAPES = [
    (64, 44, 44),  # conv 5x5
    (64, 20, 20),  # max-pool 5, stride 2
    (64, 18, 18),  # conv 3x3
    (64, 16, 16),  # conv 3x3
    (64, 7, 7),  # avg-pool 3, stride 2
    (128, 5, 5),  # conv 3x3
    (128, 3, 3),  # conv 3x3
    (128, 1, 1),  # avg-pool 3, stride 2
    (1024,),
    (1024,),
    (6,),
]


def test_parameter_count_matches_the_seed() -> None:
    assert sum(p.numel() for p in build_model(6).parameters()) == 1_484_806


def test_seven_class_model_builds() -> None:
    model = build_model(7)
    assert model(torch.zeros(2, 1, 48, 48)).shape == (2, 7)
    assert sum(p.numel() for p in model.parameters()) == 1_484_806 + 1025


def test_layer_output_shapes_follow_the_seed_table() -> None:
    model = build_model(6).eval()
    shapes = []
    stages = [
        m
        for m in list(model.features) + list(model.classifier)
        if isinstance(m, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d, nn.Linear))
    ]
    hooks = [m.register_forward_hook(lambda _m, _i, out: shapes.append(tuple(out.shape[1:]))) for m in stages]
    model(torch.zeros(1, 1, 48, 48))
    for hook in hooks:
        hook.remove()
    assert shapes == EXPECTED_SHAPES


def test_batch_norm_folds_into_an_exact_seed_network() -> None:
    torch.manual_seed(0)
    trained = build_model(6, batch_norm=True)
    # Give the BatchNorm layers non-trivial statistics, as training would.
    trained.train()
    for _ in range(3):
        trained(torch.randn(16, 1, 48, 48) * 2 + 0.5)
    for module in trained.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.weight.data.uniform_(0.5, 1.5)
            module.bias.data.uniform_(-0.2, 0.2)
    trained.eval()
    folded = fold_batch_norm(trained)
    assert sum(p.numel() for p in folded.parameters()) == 1_484_806
    assert not any(isinstance(m, nn.BatchNorm2d) for m in folded.modules())
    x = torch.randn(8, 1, 48, 48)
    with torch.no_grad():
        np.testing.assert_allclose(folded(x).numpy(), trained(x).numpy(), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("num_classes", [6, 7])
def test_output_is_logits_of_the_right_width(num_classes: int) -> None:
    out = build_model(num_classes).eval()(torch.randn(3, 1, 48, 48))
    assert out.shape == (3, num_classes)
