"""EmotionClassifier: a loaded model plus its labels and preprocessing."""

from __future__ import annotations

import logging
import os
import pickle
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from ..preprocessing import Preprocessing, average_views, test_time_inputs
from ..weights import (
    DEFAULT_WEIGHTS_PATH,
    ModelCard,
    WeightsError,
    WeightsNotFoundError,
    load_model,
    model_arrays,
    model_from_arrays,
    weights_path,
)
from . import near_tie
from .runners import InferenceRunner, build_runner, eager_runner

log = logging.getLogger(__name__)


# What a pickled classifier's state leaves out of its __dict__, to be made again on load
# from the card and tensors (see EmotionClassifier.__getstate__); the rest is plain data.
_REBUILT = ("model", "card", "runner", "labels")
# What that state holds, and nothing else: the rest of the __dict__ (its preprocessing
# as a card holds it), then the card, the tensors and the runner's mode.
_STATE_KEYS = frozenset(
    ("source", "preprocessing", "_calibration_faces", "faces_seen", "faces_redone")
    + ("card_json", "tensors", "inference_mode")
)


class EmotionClassifier:
    """Classifies 48x48 grayscale face crops; labels and preprocessing come from the file.

    Pickles (and copies with :func:`copy.deepcopy`) as plain data: its card and tensors as
    a weights file holds them, never a torch module, rebuilt on load with a weights file's
    checks; a fast runner (int8 or fp32) is built again on load (see :meth:`__setstate__`).
    """

    def __init__(self, model: nn.Module, card: ModelCard, source: Path | None = None) -> None:
        self.model = model.eval()
        self.card = card
        self.source = source
        self.labels: tuple[str, ...] = card.labels
        self.preprocessing: Preprocessing = card.preprocessing
        self.runner: InferenceRunner = eager_runner(self.model)
        # The faces the runner in use was calibrated on, when not the default (see optimize).
        self._calibration_faces: np.ndarray | None = None
        # How many faces the int8 path saw and how many it redid in fp32 (for bench figures).
        self.faces_seen = 0
        self.faces_redone = 0

    def __getstate__(self) -> dict[str, Any]:
        """Plain data: the card's JSON, the model's tensors as numpy arrays and the mode of
        the runner in use, in place of the model and the runner (ONNX Runtime sessions);
        the rest of the classifier as it is (its preprocessing as a card holds it, which a
        calibration may have changed), less its labels, which the card gives.
        A model no weights file could hold (another architecture than its card names) is a
        :class:`pickle.PicklingError` saying so."""
        try:
            arrays = model_arrays(self.model, self.card)
            card_json = self.card.to_json()
        except (TypeError, ValueError) as exc:
            raise pickle.PicklingError(
                f"cannot pickle this EmotionClassifier: {exc} (only a model a weights file can hold travels)"
            ) from None
        state = {name: value for name, value in self.__dict__.items() if name not in _REBUILT}
        state.update(
            card_json=card_json,
            tensors=arrays,
            inference_mode=self.runner.mode,
            preprocessing=self.preprocessing.to_dict(),
        )
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """The model made again from the tensors and card, checked as a weights file is
        (:func:`~emotion_app.weights.model_from_arrays`), then the runner: an int8 or fp32
        one built again, as :meth:`optimize` builds it (from the runner cache when it holds
        it: the same graphs; else afresh, in seconds). A state with other parts than a
        classifier pickles, or parts of the wrong kind, is a :class:`WeightsError` too:
        nothing in it may stand in for what the card and tensors make."""
        what = "a pickled classifier"
        if not isinstance(state, dict):
            raise WeightsError(f"{what} holds no classifier state (got {type(state).__name__})")
        source = state.get("source")
        if source is not None and not isinstance(source, Path):
            raise WeightsError(f"{what} names its weights file by a {type(source).__name__}, not a path")
        what += f" (of {source})" if source is not None else ""
        missing, unknown = sorted(_STATE_KEYS - set(state)), sorted(map(repr, set(state) - _STATE_KEYS))
        if missing or unknown:
            raise WeightsError(
                f"{what} is not a classifier's state: missing {missing}, unexpected "
                f"[{', '.join(unknown[:5])}{', ...' if len(unknown) > 5 else ''}]"
            )
        mode, faces = state["inference_mode"], state["_calibration_faces"]
        if mode not in ("eager", "int8", "fp32"):
            raise WeightsError(f"{what} has unknown inference mode {mode!r:.40}")
        if faces is not None and not (isinstance(faces, np.ndarray) and faces.dtype == np.uint8):
            raise WeightsError(f"{what} holds calibration faces that are not a uint8 array")
        counts = (state["faces_seen"], state["faces_redone"])
        if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in counts):
            raise WeightsError(f"{what} holds face counts that are not whole numbers: {counts!r:.80}")
        try:
            preprocessing = Preprocessing.from_dict(state["preprocessing"])
        except (TypeError, ValueError) as exc:
            raise WeightsError(f"{what} has bad preprocessing: {exc}") from None
        model, card = model_from_arrays(state["card_json"], state["tensors"], what)
        if preprocessing.input_size != card.preprocessing.input_size:
            raise WeightsError(
                f"{what} prepares faces of {preprocessing.input_size} pixels for a model of "
                f"{card.preprocessing.input_size}"
            )
        EmotionClassifier.__init__(self, model, card, source)
        self.preprocessing = preprocessing
        self._calibration_faces = faces
        self.faces_seen, self.faces_redone = counts
        if mode != "eager":
            self.optimize(mode, self._calibration_faces)

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None, optimize: bool | str = False) -> EmotionClassifier:
        """Load a weights file; with no path, the shipped default in ``weights/``.

        ``optimize``: True (or a mode name, see :meth:`optimize`) builds the fast
        inference runner now; False keeps plain eager fp32. A file that is missing or is
        not usable weights raises :class:`~emotion_app.weights.WeightsError` (a ValueError),
        naming it; a missing one its subclass :class:`~emotion_app.weights.WeightsNotFoundError`, which is
        a FileNotFoundError too.
        """
        if path is None:
            path = DEFAULT_WEIGHTS_PATH
            if not path.exists():
                # The weights ship in the clone's weights/, beside the package: a plain
                # `pip install .` copies the package alone.
                raise WeightsNotFoundError.missing(
                    path,
                    f"the shipped weights are not at {path}: install from a clone with `pip install -e .` (a "
                    "plain `pip install .` leaves them behind), pass a weights file, or train one with "
                    "`python -m training.train`",
                )
        path = weights_path(path)
        model, card = load_model(path)
        classifier = cls(model, card, source=path)
        if optimize:
            classifier.optimize("auto" if optimize is True else str(optimize))
        return classifier

    def optimize(self, mode: str = "auto", calibration_faces: np.ndarray | None = None) -> str:
        """Switch :meth:`predict` to the fastest runner ``mode`` allows; returns the mode used.

        Never fails for an optimisation problem: it falls back to eager with a logged note
        (see :mod:`emotion_app.inference.runners`). ``mode``: auto, int8, fp32 or eager.
        """
        self.use_runner(self.build_runner(mode, calibration_faces))
        # A pickled copy builds its runner again from the same faces (see __setstate__).
        self._calibration_faces = None if calibration_faces is None else np.array(calibration_faces, np.uint8)
        return self.runner.mode

    def build_runner(
        self,
        mode: str = "auto",
        calibration_faces: np.ndarray | None = None,
        in_child_process: bool = False,
        cancelled: threading.Event | None = None,
    ) -> InferenceRunner:
        """Build (but do not use) the fast runner :meth:`optimize` would pick.

        Leaves this classifier untouched, so it may run on another thread while
        :meth:`predict` keeps classifying; hand the result to :meth:`use_runner`.
        ``in_child_process``: a runner that is not cached is built by a child process
        from this classifier's weights file, and ``cancelled`` stops it (see
        :func:`~emotion_app.inference.runners.build_runner`).
        """
        elsewhere = self.source if in_child_process else None
        return build_runner(
            self.model, self.preprocessing, mode, calibration_faces, build_elsewhere=elsewhere, cancelled=cancelled
        )

    def use_runner(self, runner: InferenceRunner) -> None:
        """Make :meth:`predict` use ``runner`` (one attribute swap: a call in progress
        finishes with the runner it started with)."""
        self.runner = runner
        self._calibration_faces = None  # built elsewhere: from the default faces, as the app builds

    @property
    def inference_mode(self) -> str:
        """What :meth:`predict` runs: "eager", "int8" or "fp32"."""
        return self.runner.mode

    @property
    def num_classes(self) -> int:
        return len(self.labels)

    def predict(self, faces: np.ndarray | Sequence[np.ndarray], eager: bool = False) -> np.ndarray:
        """uint8 (N,48,48) gray crops -> float32 (N, num_classes) probabilities.

        Also takes one (48,48) crop (N=1) or a list of crops ([] gives (0, num_classes)).
        ``eager=True`` bypasses the optimised runner (for comparisons and benchmarks).
        """
        size = self.preprocessing.input_size
        try:
            faces = np.asarray(faces)
        except ValueError:  # numpy's own words for a ragged list are a paragraph
            shapes = ", ".join(sorted({str(getattr(face, "shape", type(face).__name__)) for face in faces}))
            expected = f"predict expects faces of shape (N,{size},{size})"
            raise ValueError(f"{expected}, got crops of shapes {shapes}") from None
        if faces.shape == (0,):  # an empty list: no faces
            return np.zeros((0, self.num_classes), dtype=np.float32)
        if faces.ndim == 2 and faces.shape == (size, size):
            faces = faces[None]
        if faces.ndim != 3 or faces.shape[1:] != (size, size):
            raise ValueError(f"predict expects faces of shape (N,{size},{size}), got {faces.shape}")
        if faces.dtype != np.uint8:
            raise ValueError(f"predict expects uint8 faces, got {faces.dtype}")
        if len(faces) == 0:
            return np.zeros((0, self.num_classes), dtype=np.float32)
        # One batched pass over every test-time view the weights file asks for.
        inputs, num_views = test_time_inputs(faces, self.preprocessing)
        runner = self.runner  # read once: another thread may swap it in mid-call
        with torch.inference_mode():
            if eager or runner.mode == "eager":
                logits = self.model(inputs)
            else:
                try:
                    logits = runner(inputs)
                except Exception as exc:  # a broken fast path must not stop the app
                    log.warning("optimised %s inference failed (%s); switching to eager fp32", runner.mode, exc)
                    runner = self.runner = eager_runner(self.model, f"{runner.mode} failed at run time: {exc}")
                    logits = self.model(inputs)
            probabilities = average_views(torch.softmax(logits.float(), dim=1), num_views)
            if not eager and runner.recheck is not None:
                probabilities = self._redo_near_ties(inputs, probabilities, num_views, runner)
            return probabilities.numpy().astype(np.float32)

    def _redo_near_ties(
        self, inputs: torch.Tensor, probabilities: torch.Tensor, num_views: int, runner: InferenceRunner
    ) -> torch.Tensor:
        """fp32 for the faces whose view-averaged top two classes are near-tied (:mod:`.near_tie`)."""
        close = near_tie.near_ties(probabilities)
        self.faces_seen += int(close.numel())
        if not bool(close.any()):
            return probabilities
        self.faces_redone += int(close.sum())
        # Views are stacked view-major (view v of face i at v*N + i), so the mask tiles.
        redo_inputs = inputs[close.repeat(num_views)]
        try:
            redo = runner.recheck(redo_inputs) if runner.recheck is not None else self.model(redo_inputs)
        except Exception as exc:  # the fast path's fp32 half failing must not stop the app either
            log.warning("fp32 re-check of %s inference failed (%s); using eager fp32", runner.mode, exc)
            redo = self.model(redo_inputs)
        probabilities = probabilities.clone()
        probabilities[close] = average_views(torch.softmax(redo.float(), dim=1), num_views)
        return probabilities
