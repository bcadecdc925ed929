"""The seed CNN: the project's fixed architecture for 48x48 grayscale faces.

The layer table (issue 2) is reproduced exactly. Training may insert BatchNorm after
each convolution (``batch_norm=True``); :func:`fold_batch_norm` folds those into the
convolution weights so the exported model has the seed's exact layers and parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn

SEED_ARCHITECTURE = "seed_cnn"

# (in_channels, out_channels, kernel) of each convolution, in order; pools sit between.
_CONV_SPECS: tuple[tuple[int, int, int], ...] = (
    (1, 64, 5),
    (64, 64, 3),
    (64, 64, 3),
    (64, 128, 3),
    (128, 128, 3),
)


class SeedCNN(nn.Module):
    """Conv(1,64,5) MaxPool(5,2) Conv(64,64,3)x2 AvgPool(3,2) Conv(64,128,3) Conv(128,128,3)
    AvgPool(3,2) Flatten FC(128,1024) FC(1024,1024) FC(1024,C). Returns logits."""

    def __init__(self, num_classes: int = 6, dropout: float = 0.2, batch_norm: bool = False) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.dropout = dropout
        self.batch_norm = batch_norm

        def conv_block(index: int) -> list[nn.Module]:
            cin, cout, k = _CONV_SPECS[index]
            layers: list[nn.Module] = [nn.Conv2d(cin, cout, k)]
            if batch_norm:
                layers.append(nn.BatchNorm2d(cout))
            layers.append(nn.ReLU(inplace=True))
            return layers

        self.features = nn.Sequential(
            *conv_block(0),
            nn.MaxPool2d(5, stride=2),
            *conv_block(1),
            *conv_block(2),
            nn.AvgPool2d(3, stride=2),
            *conv_block(3),
            *conv_block(4),
            nn.AvgPool2d(3, stride=2),
            nn.Flatten(),
        )
        self.classifier = nn.Sequential(
            nn.Linear(128, 1024),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Linear(1024, 1024),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Linear(1024, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))

    def architecture_kwargs(self) -> dict[str, Any]:
        """Arguments that rebuild the *inference* form of this network."""
        return {"num_classes": self.num_classes, "dropout": self.dropout}


def build_model(num_classes: int = 6, dropout: float = 0.2, batch_norm: bool = False) -> SeedCNN:
    """The seed CNN; with 6 classes it has exactly 1,484,806 parameters."""
    return SeedCNN(num_classes=num_classes, dropout=dropout, batch_norm=batch_norm)


# Registry so a weights file can name its architecture; only names listed here can be
# built, which is part of why loading a file never runs code from it.
ARCHITECTURES: dict[str, Callable[..., nn.Module]] = {SEED_ARCHITECTURE: build_model}


def build_architecture(name: str, kwargs: dict[str, Any]) -> nn.Module:
    """Build a registered architecture; raises KeyError for an unknown name."""
    if name not in ARCHITECTURES:
        raise KeyError(name)
    return ARCHITECTURES[name](**kwargs)


@torch.no_grad()
def fold_batch_norm(model: SeedCNN) -> SeedCNN:
    """Return the inference-form seed CNN with every BatchNorm folded into its conv.

    w' = w * g / sqrt(v + eps) and b' = (b - m) * g / sqrt(v + eps) + beta, per channel.
    """
    folded = build_model(model.num_classes, dropout=model.dropout, batch_norm=False)
    if not model.batch_norm:
        folded.load_state_dict(model.state_dict())
        return folded.eval()
    source = [m for m in model.features if isinstance(m, (nn.Conv2d, nn.BatchNorm2d))]
    target_convs = [m for m in folded.features if isinstance(m, nn.Conv2d)]
    pairs = list(zip(source[0::2], source[1::2]))
    assert len(pairs) == len(target_convs)
    for (conv, bn), target in zip(pairs, target_convs):
        assert isinstance(conv, nn.Conv2d) and isinstance(bn, nn.BatchNorm2d) and target.bias is not None
        assert bn.running_var is not None and bn.running_mean is not None  # tracked by default
        scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
        target.weight.copy_(conv.weight * scale.reshape(-1, 1, 1, 1))
        bias = conv.bias if conv.bias is not None else torch.zeros_like(bn.running_mean)
        target.bias.copy_((bias - bn.running_mean) * scale + bn.bias)
    folded.classifier.load_state_dict(model.classifier.state_dict())
    return folded.eval()
