"""The near-tie policy: when a face's top two classes are too close to trust a rounded pass.

int8 rounding can only flip a face's winning class where its top two probabilities are
nearly tied, so the fast path redoes exactly those faces in fp32, and the check that
admits a fast runner does not count eager's own coin flips. The three margins live here
together; ``python -m scripts.classifier_agreement`` measures what they buy.
"""

from __future__ import annotations

import torch

# Per forward pass (one test-time view): int8 outputs whose top-2 probability gap is
# below this are redone in fp32 (how many and what it buys: docs/measurements.md).
VIEW_MARGIN = 0.01
# Per face, after averaging its test-time views: rounding in each view can add up to flip
# a face whose averaged top two are close even when no single view is a near-tie, so such
# faces have all their views redone in eager fp32.
AVERAGED_MARGIN = 0.02
# When a built runner is checked against eager fp32: eager gaps below this are coin flips
# (a random-init model's faces almost all are), so those faces are not counted.
CHECK_MARGIN = 0.02


def top2_gap(probabilities: torch.Tensor) -> torch.Tensor:
    """Top-1 minus top-2 probability per row (infinite with a single class: never a tie)."""
    if probabilities.shape[1] < 2:
        return torch.full((probabilities.shape[0],), float("inf"))
    top2 = probabilities.topk(2, dim=1).values
    return top2[:, 0] - top2[:, 1]


def near_ties(probabilities: torch.Tensor, margin: float) -> torch.Tensor:
    """Boolean mask of the rows of (N, classes) ``probabilities`` whose top two are within ``margin``."""
    return top2_gap(probabilities) < margin
