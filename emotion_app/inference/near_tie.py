"""The near-tie policy: when a face's top two classes are too close to trust a rounded pass.

int8 rounding can only flip a face's winning class where its top two probabilities are
nearly tied. One margin decides it everywhere: a face whose view-averaged top-2 gap is
below :data:`MARGIN` is redone in fp32 on the int8 path (all its test-time views: rounding
in each can add up even when no single view is close), and when a built runner is checked
against eager fp32, eager's own near-ties are coin flips and are not counted.
``python -m scripts.classifier_agreement`` measures what the margin buys
(docs/measurements.md).
"""

from __future__ import annotations

import torch

MARGIN = 0.03


def top2_gap(probabilities: torch.Tensor) -> torch.Tensor:
    """Top-1 minus top-2 probability per row (infinite with a single class: never a tie)."""
    if probabilities.shape[1] < 2:
        return torch.full((probabilities.shape[0],), float("inf"))
    top2 = probabilities.topk(2, dim=1).values
    return top2[:, 0] - top2[:, 1]


def near_ties(probabilities: torch.Tensor, margin: float | None = None) -> torch.Tensor:
    """Boolean mask of the rows of (N, classes) ``probabilities`` whose top two are within
    ``margin`` (default :data:`MARGIN`, read at call time)."""
    return top2_gap(probabilities) < (MARGIN if margin is None else margin)
