"""Numpy arrays from a pickled network's state, as finite float32 tensors.

Below both the classifier's pickled state (``weights``) and the face verifier's
(``faces.face_verifier``), so it imports nothing of the app: ``faces`` may not import
``weights``, which imports the inference layer above it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch


class NonFiniteTensorError(ValueError):
    """An array holding NaN or an infinity (or a float64 beyond float32's range);
    ``name`` is its tensor's, for the caller's own one-line error."""

    def __init__(self, name: str) -> None:
        super().__init__(f"tensor '{name}' holds NaN or infinite values")
        self.name = name


def finite_float32_tensors(arrays: Mapping[str, np.ndarray]) -> dict[str, torch.Tensor]:
    """Each array (of floats, checked by the caller) as a float32 tensor of its own memory,
    in ``arrays``' order; :class:`NonFiniteTensorError` for the first that is not finite,
    before any later one is converted."""
    tensors: dict[str, torch.Tensor] = {}
    for name, array in arrays.items():
        with np.errstate(over="ignore"):  # a float64 past float32's range: refused just below
            tensors[name] = torch.from_numpy(np.array(array, dtype=np.float32))
        if not bool(torch.isfinite(tensors[name]).all()):
            raise NonFiniteTensorError(name)
    return tensors
