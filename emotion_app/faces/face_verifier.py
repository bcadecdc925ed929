"""A trained face/non-face verifier: the face check's third opinion.

The face check's two cascades (:mod:`.face_check`) fire together on some textures: the
wood grain of a table in scikit-image's coffee photo, behind two people, gathered more
windows of both than the check asks for, in frame after frame, and was shown as a face
for as long as the video ran (figures: docs/measurements.md). :class:`FaceVerifier`, a small CNN trained on
FER-2013 faces against patches where the cascades fire in pictures without faces,
tells such textures from faces (``python -m training.train_verifier``; its card, data
and figures in ``weights/README.md``).

The weights file is safetensors (tensors only: loading it cannot run code) with a JSON
card under the ``emotion_app`` key: the architecture's width, the crop it expects and
the threshold chosen on validation faces.
"""

from __future__ import annotations

import json
import logging
import pickle
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..float_tensors import NonFiniteTensorError, finite_float32_tensors
from ..link_loops import link_trouble
from ..nul_names import NUL_IN_NAME, has_nul
from ..shipped import DEFAULT_VERIFIER_PATH as DEFAULT_VERIFIER_PATH
from .geometry import Box
from .roll import upright_crop

log = logging.getLogger(__name__)

VERIFIER_ARCHITECTURE = "face_verifier_cnn"
METADATA_KEY = "emotion_app"
FORMAT_VERSION = 1
# A crop's standard deviation is floored here (pixels / 255), so a flat patch is not
# blown up into noise by the standardisation.
MIN_CROP_STD = 0.02
# Far beyond the shipped card (a few hundred characters, width 16).
MAX_CARD_CHARS = 1 << 16
MAX_WIDTH = 256
# A verifier's header (its card and a dozen tensor entries) is a few kilobytes; the first
# 8 bytes of a picture or a text read as a size far past this.
MAX_HEADER_BYTES = 1 << 20
SCORE_BATCH = 512


class VerifierError(Exception):
    """A verifier weights file that cannot be used; the message names the file."""


class VerifierNet(nn.Module):
    """Four 3x3 convolutions (``width``, 2x, 4x, 4x channels; max pooling after the first
    three), global average pooling and one logit: face or not."""

    def __init__(self, width: int = 16) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, width, 3, padding=1)
        self.conv2 = nn.Conv2d(width, 2 * width, 3, padding=1)
        self.conv3 = nn.Conv2d(2 * width, 4 * width, 3, padding=1)
        self.conv4 = nn.Conv2d(4 * width, 4 * width, 3, padding=1)
        self.head = nn.Linear(4 * width, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.max_pool2d(F.relu(self.conv3(x)), 2)
        x = F.relu(self.conv4(x)).mean(dim=(2, 3))
        return self.head(x).squeeze(1)


@dataclass(frozen=True)
class VerifierCard:
    """What a verifier weights file says about itself."""

    width: int
    threshold: float  # a face scores at least this (sigmoid of the logit)
    input_size: int = 48
    crop_margin: float = 0.1  # context around the box on each side, a fraction of its side
    # A box is scored at each of these sizes about its centre, and its best score counts:
    # a cascade box is often larger or smaller than the face, which FER-2013's framing
    # does not show the network.
    crop_scales: tuple[float, ...] = (1.0,)
    training: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(
            {"format_version": FORMAT_VERSION, "architecture": VERIFIER_ARCHITECTURE, **asdict(self)}, sort_keys=True
        )

    @classmethod
    def from_json(cls, text: str) -> VerifierCard:
        """The card from its JSON text; ValueError (one line) for anything malformed."""
        if len(text) > MAX_CARD_CHARS:
            raise ValueError(f"card is {len(text)} characters long; at most {MAX_CARD_CHARS}")
        try:
            meta = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise ValueError(f"card is not JSON ({str(exc)[:80]})") from None
        if not isinstance(meta, dict):
            raise ValueError(f"card must be a JSON object, got {type(meta).__name__}")
        if meta.get("architecture") != VERIFIER_ARCHITECTURE:
            raise ValueError(f"architecture {meta.get('architecture')!r:.60} is not {VERIFIER_ARCHITECTURE!r}")
        version = meta.get("format_version")
        if not isinstance(version, int) or isinstance(version, bool) or not 0 <= version <= FORMAT_VERSION:
            raise ValueError(f"format version {version!r:.20}; this app reads up to {FORMAT_VERSION}")
        width, threshold = meta.get("width"), meta.get("threshold")
        input_size, margin = meta.get("input_size", 48), meta.get("crop_margin", 0.1)
        scales = meta.get("crop_scales", [1.0])
        training = meta.get("training", {})
        if not isinstance(width, int) or isinstance(width, bool) or not 1 <= width <= MAX_WIDTH:
            raise ValueError(f"width must be a whole number from 1 to {MAX_WIDTH}, got {width!r:.20}")
        if not isinstance(threshold, (int, float)) or isinstance(threshold, bool) or not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be a number from 0 to 1, got {threshold!r:.20}")
        if not isinstance(input_size, int) or isinstance(input_size, bool) or not 16 <= input_size <= 256:
            raise ValueError(f"input_size must be a whole number from 16 to 256, got {input_size!r:.20}")
        if not isinstance(margin, (int, float)) or isinstance(margin, bool) or not 0.0 <= margin <= 1.0:
            raise ValueError(f"crop_margin must be a number from 0 to 1, got {margin!r:.20}")
        if not isinstance(training, dict):
            raise ValueError("training must be a JSON object")
        if (
            not isinstance(scales, list)
            or not 1 <= len(scales) <= 4
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0.5 <= v <= 2.0 for v in scales)
        ):
            raise ValueError(f"crop_scales must be 1 to 4 numbers from 0.5 to 2, got {scales!r:.60}")
        return cls(width, float(threshold), input_size, float(margin), tuple(float(v) for v in scales), dict(training))


def standardised(crops: np.ndarray) -> torch.Tensor:
    """uint8 crops (N x side x side) as the network's input: each crop scaled to 0..1 and
    standardised on its own (brightness and contrast say nothing about a face)."""
    x = torch.as_tensor(np.ascontiguousarray(crops), dtype=torch.float32).unsqueeze(1) / 255.0
    mean = x.mean(dim=(2, 3), keepdim=True)
    std = x.std(dim=(2, 3), keepdim=True).clamp_min(MIN_CROP_STD)
    return (x - mean) / std


def verifier_crop(gray: np.ndarray, box: Box, roll: float, card: VerifierCard, scale: float = 1.0) -> np.ndarray:
    """The upright ``card.input_size`` square crop of ``box`` (with the card's margin; its
    side times ``scale``, about its centre) that the verifier looks at; the same function
    cuts its training patches."""
    side = max(box[2], box[3]) * scale
    return upright_crop(gray, box, roll, side * (0.5 + card.crop_margin), card.input_size)


class FaceVerifier:
    """Scores crops as faces with a :class:`VerifierNet` and its card's threshold.

    Pickles (and copies) as plain data, its card's JSON and its tensors as numpy arrays,
    never a torch module; the copy's network is built again from them, checked as a
    weights file's tensors are.
    """

    def __init__(self, net: VerifierNet, card: VerifierCard) -> None:
        self.net = net.eval()
        self.card = card

    def __getstate__(self) -> dict[str, Any]:
        if type(self.net) is not VerifierNet or self.net.conv1.out_channels != self.card.width:
            raise pickle.PicklingError(
                f"cannot pickle this FaceVerifier: its network is a {type(self.net).__name__} "
                f"(only the width-{self.card.width} VerifierNet its card names travels)"
            )
        tensors = {
            name: t.detach().to("cpu", torch.float32).numpy().copy() for name, t in self.net.state_dict().items()
        }
        return {"card_json": self.card.to_json(), "tensors": tensors}

    def __setstate__(self, state: dict[str, Any]) -> None:
        what = "a pickled face verifier"
        if not isinstance(state, dict) or set(state) != {"card_json", "tensors"}:
            held = f"[{', '.join(sorted(map(repr, state)))}]" if isinstance(state, dict) else type(state).__name__
            raise VerifierError(f"{what} holds {held:.120}, not a verifier's card_json and tensors")
        try:
            card = VerifierCard.from_json(state["card_json"])
        except (TypeError, ValueError) as exc:
            raise VerifierError(f"{what} has a bad card: {exc}") from None
        arrays = state["tensors"]
        if not isinstance(arrays, dict):
            raise VerifierError(f"{what} holds no tensors (got {type(arrays).__name__})")
        net = VerifierNet(card.width)
        expected = {name: tuple(t.shape) for name, t in net.state_dict().items()}
        found = {
            name: tuple(array.shape)
            for name, array in arrays.items()
            if isinstance(array, np.ndarray) and array.dtype.kind == "f"
        }
        if found != expected or len(arrays) != len(found):
            raise VerifierError(f"{what} does not hold the tensors of a width-{card.width} verifier")
        try:
            tensors = finite_float32_tensors(arrays)
        except NonFiniteTensorError:
            raise VerifierError(f"{what} holds NaN or infinite values") from None
        net.load_state_dict(tensors)
        FaceVerifier.__init__(self, net, card)

    @classmethod
    def load(cls, path: str | Path = DEFAULT_VERIFIER_PATH) -> FaceVerifier:
        """The verifier in ``path``; :class:`VerifierError` (one line, naming the file) if it
        is missing, damaged or not a verifier. As for the emotion models, the card and the
        tensors' shapes are checked from the file's header before any tensor is read."""
        from safetensors import SafetensorError, safe_open

        path = Path(path)
        if not path.parts:  # "" or Path(""), which is Path("."): was "weights not found: ."
            raise VerifierError(
                'the face verifier weights path is empty (or ".", the current folder): give a .safetensors weights file'
            )
        if has_nul(path):  # Path.exists() says False: it was "not found"
            raise VerifierError(f"face verifier weights path {path} {NUL_IN_NAME}")
        try:
            there, is_file = path.exists(), path.is_file()
        except OSError as exc:  # a name too long, a folder on the way the user may not search
            raise VerifierError(f"cannot read face verifier weights {path}: {exc.strerror or exc}") from None
        if there and not is_file:  # a folder was "not found", which it is not
            raise VerifierError(f"face verifier weights path is not a file: {path}")
        trouble = "" if is_file else link_trouble(path)
        if trouble:  # listed by ls, or behind a loop: "not found" would mislead
            raise VerifierError(f"face verifier weights path {path} {trouble}")
        if not is_file:
            raise VerifierError(f"face verifier weights not found: {path}")
        if _header_size(path) > MAX_HEADER_BYTES:
            # Its first bytes are no header size (a picture, a text): "damaged" would mislead;
            # named as weights (the shipped file overwritten), "expected" would deny its name.
            named = path.suffix.lower() == ".safetensors"
            why = "named .safetensors, but not in that format" if named else "a .safetensors model file is expected"
            raise VerifierError(f"{path} is not a weights file of this app ({why})")
        try:
            with safe_open(str(path), framework="pt") as handle:
                metadata = handle.metadata() or {}
                if METADATA_KEY not in metadata:
                    raise VerifierError(f"face verifier weights {path} have no card")
                try:
                    card = VerifierCard.from_json(metadata[METADATA_KEY])
                except ValueError as exc:
                    raise VerifierError(f"face verifier weights {path} have a bad card: {exc}") from None
                net = VerifierNet(card.width)
                expected = {name: tuple(t.shape) for name, t in net.state_dict().items()}
                found = {name: tuple(handle.get_slice(name).get_shape()) for name in handle.keys()}
                if found != expected:
                    raise VerifierError(f"face verifier weights {path} do not fit a width-{card.width} verifier")
                tensors = {name: handle.get_tensor(name) for name in expected}
        except OSError as exc:
            raise VerifierError(f"cannot read face verifier weights {path}: {exc.strerror or exc}") from None
        except (SafetensorError, ValueError, RuntimeError) as exc:
            raise VerifierError(f"{path}: the face verifier's weights file is damaged or incomplete ({exc})") from None
        if not all(bool(torch.isfinite(t).all()) for t in tensors.values()):
            raise VerifierError(f"face verifier weights {path} hold NaN or infinite values")
        net.load_state_dict(tensors)
        return cls(net, card)

    def scores(self, crops: np.ndarray) -> np.ndarray:
        """How much each of ``crops`` (N x side x side uint8, from :func:`verifier_crop`) looks
        like a face, 0..1; in batches of :data:`SCORE_BATCH` (thousands of validation faces
        at once would take gigabytes)."""
        with torch.inference_mode():
            parts = [
                torch.sigmoid(self.net(standardised(crops[start : start + SCORE_BATCH]))).numpy()
                for start in range(0, len(crops), SCORE_BATCH)
            ]
        return np.concatenate(parts) if parts else np.empty(0, np.float32)

    def score(self, gray: np.ndarray, box: Box, roll: float = 0.0) -> float:
        """How much ``box`` in ``gray`` (tilted by ``roll``) looks like a face, 0..1: the best
        of its crops at the card's ``crop_scales``."""
        crops = np.stack([verifier_crop(gray, box, roll, self.card, scale) for scale in self.card.crop_scales])
        return float(self.scores(crops).max())

    def passes(self, gray: np.ndarray, box: Box, roll: float = 0.0) -> bool:
        """Whether ``box`` in ``gray`` scores at least the card's threshold."""
        return self.score(gray, box, roll) >= self.card.threshold


def _header_size(path: Path) -> int:
    """The header size a safetensors file's first 8 bytes give (0 for a shorter file);
    VerifierError if it cannot be read."""
    try:
        with open(path, "rb") as handle:
            prefix = handle.read(8)
    except OSError as exc:
        raise VerifierError(f"cannot read face verifier weights {path}: {exc.strerror or exc}") from None
    return int.from_bytes(prefix, "little") if len(prefix) == 8 else 0


def load_shipped_verifier() -> FaceVerifier | None:
    """The verifier in the app's weights folder; None (logged once per call) if it cannot be
    used, and the face check then judges by its cascades alone."""
    try:
        return FaceVerifier.load(DEFAULT_VERIFIER_PATH)
    except VerifierError as exc:
        log.warning("%s; the face check uses its cascades alone", exc)
        return None
