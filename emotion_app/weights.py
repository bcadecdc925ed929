"""Self-describing weight files (safetensors + JSON metadata).

A weights file holds tensors only, plus one JSON string under the ``emotion_app``
metadata key describing the architecture, the class names in output order, the input
preprocessing and how the model was trained. safetensors never unpickles anything, so
loading a file cannot execute code from it.
"""

from __future__ import annotations

import errno
import json
import math
import os
import stat
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch
from torch import nn

from .float_tensors import NonFiniteTensorError, finite_float32_tensors
from .inference.steadiness import UncertaintyRule
from .link_loops import link_trouble
from .model import ARCHITECTURES, build_architecture
from .nul_names import NUL_IN_NAME, has_nul
from .preprocessing import Preprocessing, test_time_inputs

# Where the shipped model lives is defined apart, torch-free (help texts name it); named here too.
from .shipped import DEFAULT_WEIGHTS_DIR as DEFAULT_WEIGHTS_DIR
from .shipped import DEFAULT_WEIGHTS_NAME as DEFAULT_WEIGHTS_NAME
from .shipped import DEFAULT_WEIGHTS_PATH as DEFAULT_WEIGHTS_PATH
from .spreadsheet import FORMULA_STARTS

FORMAT_VERSION = 1
METADATA_KEY = "emotion_app"
# Limits on what a file may ask for before anything is built: far beyond any real model
# (the shipped models: cards under 5 KB nested at most 7 deep, 6 classes, 16 tensors,
# 1.5 M numbers), far below what would exhaust memory or the stack.
MAX_CARD_CHARS = 1 << 20
MAX_CARD_NESTING = 32
MAX_CLASSES = 1000
MAX_LABEL_CHARS = 64
MAX_TENSORS = 1000
MAX_TENSOR_ELEMENTS = 200_000_000
# The header (JSON: the card, escaped, plus each tensor's entry) of a file within the
# limits above; read before anything else, so a huge one is refused at once.
MAX_HEADER_BYTES = 8 << 20
_DTYPE_BYTES = {"F16": 2, "BF16": 2, "F32": 4, "F64": 8}
# Label characters that would break a line of text (tags, charts, CSV cells): control
# characters and the line and paragraph separators.
_BREAKING_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})


class WeightsError(ValueError):
    """A weights file that cannot be used; the message always names the file. A bad value
    given (a damaged file, or none of this app's), so ``except ValueError`` catches it too."""


# FileNotFoundError first: OSError's construction and str() (errno, file) come before
# ValueError's, which would take an OSError's (errno, words, file) for a bare tuple.
class WeightsNotFoundError(FileNotFoundError, WeightsError):
    """A weights file that is not there: caught as a :class:`WeightsError` or, as any
    missing file is, as a FileNotFoundError. The app raises it with :meth:`missing`: its
    message, with errno, strerror and filename as ``open()``'s error has them."""

    @classmethod
    def missing(cls, path: str | os.PathLike[str], message: str) -> WeightsNotFoundError:
        """The error for the missing ``path``: ``message`` as its words (str and args),
        ``errno.ENOENT``, its strerror and ``path`` (a str, as ``open()`` gives it) as filename."""
        error = cls(message)
        error.errno = errno.ENOENT
        error.strerror = os.strerror(errno.ENOENT)
        error.filename = os.fspath(path)
        return error

    def __str__(self) -> str:
        # Made with one message: it, not "[Errno 2] ...: 'file'", which OSError makes of a
        # filename set after (as :meth:`missing` sets it).
        if len(self.args) == 1:
            return str(self.args[0])
        return super().__str__()

    def __reduce__(self) -> tuple[Any, ...]:
        # OSError's keeps errno and filename only where they were its arguments: set after,
        # they go as state, which BaseException's __setstate__ sets again (those not set stay
        # unset: a filename of None would read "...: None").
        fields = {
            "errno": self.errno,
            "strerror": self.strerror,
            "filename": self.filename,
            "filename2": self.filename2,
        }
        return (
            type(self),
            self.args,
            {**self.__dict__, **{name: value for name, value in fields.items() if value is not None}},
        )


@dataclass(frozen=True)
class ModelCard:
    """Everything needed to rebuild and use a model, as stored beside its tensors."""

    architecture: str
    architecture_kwargs: dict[str, Any]
    labels: tuple[str, ...]
    preprocessing: Preprocessing
    training: dict[str, Any] = field(default_factory=dict)
    # What the live app needs from this model beyond its input: the thresholds below which
    # its label is shown as uncertain (``{"uncertain": {"min_top": p, "min_lead": d, ...}}``),
    # chosen for it by ``python -m training.calibrate_live``. Empty: the app's defaults.
    live: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(
            {
                "format_version": FORMAT_VERSION,
                "architecture": self.architecture,
                "architecture_kwargs": self.architecture_kwargs,
                "labels": list(self.labels),
                "preprocessing": self.preprocessing.to_dict(),
                "training": self.training,
                "live": self.live,
            },
            sort_keys=True,
        )


class SavableCard(Protocol):
    """A card a weights file can carry: a :class:`ModelCard`, or the face verifier's."""

    def to_json(self) -> str: ...


def save_weights(path: str | os.PathLike[str], model: nn.Module, card: SavableCard) -> Path:
    """Write ``model``'s tensors and ``card`` atomically (temp file, then rename)."""
    from safetensors.torch import save

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {name: t.detach().cpu().contiguous() for name, t in model.state_dict().items()}
    # Made in memory (a few MB), written here: a full disk is then an OSError naming its
    # errno, not safetensors' own error.
    data = save(tensors, metadata={METADATA_KEY: card.to_json()})
    fd, tmp_name = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        # mkstemp makes the file owner-only; a weights file is meant to be shared.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_name, 0o666 & ~umask)
        os.replace(tmp_name, path)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    return path


def weights_path(path: str | os.PathLike[str]) -> Path:
    """``path`` as a Path; an empty one is a :class:`WeightsError`. ``Path("")`` is
    ``Path(".")``, so "", ``Path("")`` and "." are one error, which names both readings
    (each was refused as "not a file: .", which told the empty one nothing)."""
    if not Path(path).parts:
        raise WeightsError('the weights path is empty (or ".", the current folder): give a .safetensors weights file')
    return Path(path)


def read_header(path: str | os.PathLike[str]) -> tuple[ModelCard, dict[str, tuple[tuple[int, ...], str]]]:
    """The card and each tensor's (shape, dtype) from the file's header, checked; no tensor
    is read. Errors (:class:`WeightsError`) name the file."""
    path = weights_path(path)
    # Not Path.exists(): it says False for a loop of links too, a file there that cannot
    # be read, which the GUI would then skip quietly as one deleted.
    try:
        is_file = stat.S_ISREG(path.stat().st_mode)
    except (FileNotFoundError, NotADirectoryError):  # not there: its folder gone, a link to such a file
        raise WeightsNotFoundError.missing(path, f"weights file not found: {path}") from None
    except OSError as exc:  # a name too long, a folder on the way the user may not search, a loop
        trouble = link_trouble(path)
        if trouble:
            raise WeightsError(f"weights path {path} {trouble}") from None
        raise WeightsError(f"cannot read weights file {path}: {exc.strerror or exc}") from exc
    except ValueError as exc:  # a NUL in the name ("embedded null byte"), a lone surrogate
        if has_nul(path):
            raise WeightsError(f"weights path {path} {NUL_IN_NAME}") from None
        raise WeightsError(f"cannot read weights file {path}: {exc}") from None
    if not is_file:
        raise WeightsError(f"weights path is not a file: {path}")
    metadata, headers = _read_safetensors_header(path)
    if METADATA_KEY not in metadata:
        raise WeightsError(f"weights file {path} has no '{METADATA_KEY}' metadata; it was not written by this app")
    try:
        card = parse_card(metadata[METADATA_KEY])
    except ValueError as exc:
        raise WeightsError(f"weights file {path} has a bad card: {exc}") from exc
    _check_tensor_headers(path, headers)
    return card, headers


def _read_safetensors_header(path: Path) -> tuple[dict[str, str], dict[str, tuple[tuple[int, ...], str]]]:
    """The metadata and each tensor's (shape, dtype), read by this module, not by
    safetensors: its size is checked before it is read, its tensor count before each entry
    is looked at, and a path that is not UTF-8 (which safetensors cannot open) reads too.

    The safetensors format: an 8-byte little-endian header length, the JSON header, then
    the tensors' bytes back to back, each entry's ``data_offsets`` within them.
    """

    def corrupt(reason: str) -> WeightsError:
        return _damaged(path, reason)

    # Bytes no safetensors file begins with are "damaged" only in a file named as one.
    named_as_weights = path.suffix.lower() == ".safetensors"

    def not_weights() -> WeightsError:
        # Named as one, "a .safetensors model file is expected" would deny what the user sees.
        why = (
            "named .safetensors, but not in that format"
            if named_as_weights
            else "a .safetensors model file is expected"
        )
        return WeightsError(f"{path} is not a weights file of this app ({why})")

    try:
        with open(path, "rb") as handle:
            prefix = handle.read(8)
            if len(prefix) < 8:
                if not named_as_weights:
                    # Too short for its bytes to tell: its name says no model file (an empty clip.mp4), not damaged.
                    raise not_weights()
                raise corrupt(f"only {_bytes(len(prefix))} long" if prefix else "it is empty")
            size = int.from_bytes(prefix, "little")
            # torch.save's zip, or a bare pickle (its protocol mark), read as a header size.
            if size > MAX_HEADER_BYTES and (prefix.startswith(b"PK\x03\x04") or prefix[:1] == b"\x80"):
                raise WeightsError(
                    f"weights file {path} looks like a PyTorch checkpoint (a pickle), not this app's .safetensors "
                    "weights; pickles are never loaded (they can run code): export weights from a training run "
                    "with its --export option"
                )
            file_bytes = os.fstat(handle.fileno()).st_size
            if size > MAX_HEADER_BYTES:
                # A header longer than the file: its first bytes are no header size (a
                # picture, a text), and the figure would say nothing a user can act on.
                if size > file_bytes - 8:
                    raise not_weights()
                raise WeightsError(
                    f"{path} is not a weights file of this app: its safetensors header is {size:,} bytes, "
                    f"at most {MAX_HEADER_BYTES:,}"
                )
            raw = handle.read(size)
            data_bytes = file_bytes - 8 - size
    except OSError as exc:
        raise WeightsError(f"cannot read weights file {path}: {exc.strerror or exc}") from exc
    if not raw.startswith(b"{") and not named_as_weights:
        # A safetensors header is a JSON object: these bytes begin none, and the name says
        # no model file either (a zero-filled clip.mp4), not a damaged one.
        raise not_weights()
    if len(raw) < size:
        raise corrupt("the header is cut short")
    try:
        header = json.loads(raw.decode("utf-8"))  # UTF-8 only, as safetensors reads it
    except (ValueError, RecursionError):
        raise corrupt("its header is not JSON") from None
    if not isinstance(header, dict):
        raise corrupt("its header is not a JSON object")
    metadata = header.pop("__metadata__", None)
    metadata = {} if metadata is None else metadata
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise corrupt("its metadata is not a map of strings")
    if len(header) > MAX_TENSORS:
        raise WeightsError(f"weights file {path} holds {len(header):,} tensors; at most {MAX_TENSORS}")
    headers: dict[str, tuple[tuple[int, ...], str]] = {}
    spans: list[tuple[int, int, int | None, str]] = []
    for name, entry in header.items():
        if not isinstance(entry, dict):
            raise corrupt(f"tensor '{name:.80}' has no entry")
        dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
        if not isinstance(dtype, str) or not isinstance(shape, list) or not isinstance(offsets, list):
            raise corrupt(f"tensor '{name:.80}' lacks its dtype, shape or data offsets")
        numbers = [*shape, *offsets]
        if len(offsets) != 2 or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in numbers):
            raise corrupt(f"tensor '{name:.80}' has a bad shape or data offsets")
        headers[name] = (tuple(shape), dtype)
        nbytes = math.prod(shape) * _DTYPE_BYTES[dtype] if dtype in _DTYPE_BYTES else None
        spans.append((offsets[0], offsets[1], nbytes, name))
    # The tensors' bytes must tile the rest of the file exactly (as safetensors requires).
    end = 0
    for begin, stop, expected, name in sorted(spans, key=lambda span: span[:2]):
        if begin != end or stop < begin or (expected is not None and stop - begin != expected):
            raise corrupt(f"tensor '{name:.80}' is not where its entry says")
        end = stop
    if end < data_bytes:
        raise corrupt(f"{_bytes(data_bytes - end)} more than its header describes")
    if end > data_bytes:
        raise corrupt(f"cut short by {_bytes(end - data_bytes)}")
    return metadata, headers


def read_tensors(path: str | os.PathLike[str]) -> dict[str, torch.Tensor]:
    """The tensors of a weights file whose header :func:`read_header` passed; each checked
    finite. Read through Python's own file handle, so any file name the system allows works."""
    from safetensors import SafetensorError
    from safetensors.torch import load

    path = weights_path(path)
    try:
        tensors = load(path.read_bytes())
    except OSError as exc:
        raise WeightsError(f"cannot read weights file {path}: {exc.strerror or exc}") from exc
    except (SafetensorError, ValueError, RuntimeError) as exc:
        raise _damaged(path, str(exc)) from exc
    for name, tensor in tensors.items():
        if not bool(torch.isfinite(tensor).all()):
            raise WeightsError(f"weights file {path}: tensor '{name}' holds NaN or infinite values")
    return tensors


def _damaged(path: Path, reason: str) -> WeightsError:
    """The error for a weights file cut short or garbled (a copy stopped part way, a bad
    disk): what a user can act on first, the technical ``reason`` after it."""
    return WeightsError(f"{path}: the weights file is damaged or incomplete ({reason})")


def _bytes(count: int) -> str:
    return f"{count:,} byte" if count == 1 else f"{count:,} bytes"


def read_card(path: str | os.PathLike[str]) -> tuple[ModelCard, dict[str, torch.Tensor]]:
    """Parse a weights file into its card and tensors, with errors that name the file.

    Everything is checked before a tensor is built: the card's types and ranges, then the
    tensors' count, sizes and dtypes from the file's header (:func:`read_header`), then
    their values (finite).
    """
    card, _ = read_header(path)
    return card, read_tensors(path)


def parse_card(text: str) -> ModelCard:
    """The card from its JSON text; ValueError (one line) for anything malformed or out of range."""
    if len(text) > MAX_CARD_CHARS:
        raise ValueError(f"card is {len(text)} characters long; at most {MAX_CARD_CHARS}")
    try:
        meta = json.loads(text)
    except RecursionError:
        raise ValueError("card JSON is nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"card is not JSON ({exc})") from None
    if not isinstance(meta, dict):
        raise ValueError(f"card must be a JSON object, got {type(meta).__name__}")
    if _nesting_depth(meta) > MAX_CARD_NESTING:
        raise ValueError(f"card JSON is nested more than {MAX_CARD_NESTING} levels deep")
    version = meta.get("format_version", 0)
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise ValueError(f"format_version must be a whole number, got {version!r}")
    if version > FORMAT_VERSION:
        raise ValueError(f"format version {version}; this app reads up to {FORMAT_VERSION}")
    for key in ("architecture", "labels", "preprocessing"):
        if key not in meta:
            raise ValueError(f"card has no '{key}'")
    architecture = meta["architecture"]
    if not isinstance(architecture, str):
        raise ValueError(f"architecture must be a name, got {architecture!r}")
    labels = meta["labels"]
    if not isinstance(labels, list) or not all(isinstance(label, str) and label.strip() for label in labels):
        raise ValueError(f"labels must be a list of non-empty names, got {labels!r:.200}")
    if not labels or len(set(labels)) != len(labels):
        raise ValueError(f"empty or repeated class list: {labels}")
    if len(labels) > MAX_CLASSES or max(len(label) for label in labels) > MAX_LABEL_CHARS:
        raise ValueError(f"{len(labels)} labels; at most {MAX_CLASSES}, each at most {MAX_LABEL_CHARS} characters")
    for label in labels:
        if any(unicodedata.category(character) in _BREAKING_CATEGORIES for character in label):
            raise ValueError(f"label {label!r:.80} holds a line break or control character")
        if label.startswith(FORMULA_STARTS):
            raise ValueError(f"label {label!r:.80} starts with {label[0]} (a spreadsheet would run it as a formula)")
    kwargs = meta.get("architecture_kwargs", {})
    training = meta.get("training", {})
    if not isinstance(kwargs, dict) or not isinstance(training, dict):
        raise ValueError("architecture_kwargs and training must be JSON objects")
    _check_architecture_kwargs(kwargs, len(labels))
    try:
        preprocessing = Preprocessing.from_dict(meta["preprocessing"])
    except TypeError as exc:
        raise ValueError(str(exc)) from None
    live = meta.get("live", {})
    if not isinstance(live, dict):
        raise ValueError(f"live must be a JSON object, got {live!r:.100}")
    UncertaintyRule.from_live(live)  # a stated rule must be usable
    return ModelCard(architecture, dict(kwargs), tuple(labels), preprocessing, dict(training), dict(live))


def _check_architecture_kwargs(kwargs: dict[str, Any], num_labels: int) -> None:
    """The seed CNN's arguments, checked before building it: num_classes 10**9 would
    try to allocate terabytes."""
    if "num_classes" in kwargs:
        num_classes = kwargs["num_classes"]
        if not isinstance(num_classes, int) or isinstance(num_classes, bool) or not 1 <= num_classes <= MAX_CLASSES:
            raise ValueError(f"architecture num_classes must be 1..{MAX_CLASSES}, got {num_classes!r}")
        if num_classes != num_labels:
            raise ValueError(f"{num_labels} class names but the architecture's output layer has {num_classes} outputs")
    if "dropout" in kwargs:
        dropout = kwargs["dropout"]
        if not isinstance(dropout, (int, float)) or isinstance(dropout, bool) or not 0.0 <= dropout < 1.0:
            raise ValueError(f"architecture dropout must be in [0, 1), got {dropout!r}")
    if "batch_norm" in kwargs and not isinstance(kwargs["batch_norm"], bool):
        raise ValueError(f"architecture batch_norm must be true or false, got {kwargs['batch_norm']!r}")


def _check_tensor_headers(path: Path, headers: dict[str, tuple[tuple[int, ...], str]]) -> None:
    # Their count (MAX_TENSORS) was checked as the header was read.
    total = 0
    for name, (shape, dtype) in headers.items():
        if dtype not in _DTYPE_BYTES:
            raise WeightsError(f"weights file {path}: tensor '{name}' has dtype {dtype}; expected a float type")
        total += math.prod(shape)
    if total > MAX_TENSOR_ELEMENTS:
        raise WeightsError(f"weights file {path} holds {total:,} numbers; at most {MAX_TENSOR_ELEMENTS:,}")


def _nesting_depth(value: Any) -> int:
    """Deepest list/object nesting, without recursion (the value may be deep)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in item)
    return deepest


def load_model(path: str | os.PathLike[str]) -> tuple[nn.Module, ModelCard]:
    """Build the model a weights file describes and load its tensors (eval mode).

    The tensors' names and shapes are compared with the architecture's from the header,
    before any tensor is read; the model is then tried on a plain face, whose probabilities
    must be numbers (a card's extreme preprocessing, or huge weights, can make every face NaN).
    """
    path = weights_path(path)
    card, headers = read_header(path)
    shapes = {name: shape for name, (shape, _dtype) in headers.items()}
    return _checked_model(card, shapes, lambda: read_tensors(path), f"weights file {path}"), card


def model_arrays(model: nn.Module, card: ModelCard) -> dict[str, np.ndarray]:
    """``model``'s tensors as numpy arrays, what a weights file would hold: plain data that
    :func:`model_from_arrays` makes a model of again (a pickled classifier's state).

    ValueError (one line) for a model no weights file could hold: not the architecture its
    card names, or other tensors than it has.
    """
    if card.architecture not in ARCHITECTURES:
        raise ValueError(f"its card names unknown architecture '{card.architecture}'")
    try:
        # On the meta device: the names, shapes and class, without building its weights.
        with torch.device("meta"):
            expected = build_architecture(card.architecture, card.architecture_kwargs)
    except TypeError as exc:
        raise ValueError(f"its card has bad architecture arguments {card.architecture_kwargs}: {exc}") from None
    if type(model) is not type(expected):
        raise ValueError(f"its model is a {type(model).__name__}, not the '{card.architecture}' its card names")
    tensors = model.state_dict()
    shapes = {name: tuple(tensor.shape) for name, tensor in tensors.items()}
    if shapes != {name: tuple(tensor.shape) for name, tensor in expected.state_dict().items()}:
        raise ValueError(f"its model's tensors are not those of the '{card.architecture}' {card.architecture_kwargs}")
    arrays: dict[str, np.ndarray] = {}
    for name, tensor in tensors.items():
        if not tensor.is_floating_point():
            raise ValueError(f"its tensor '{name}' has dtype {tensor.dtype}; a weights file holds float tensors")
        arrays[name] = tensor.detach().to("cpu", torch.float32).numpy().copy()
    return arrays


def model_from_arrays(card_json: str, arrays: dict[str, np.ndarray], what: str) -> tuple[nn.Module, ModelCard]:
    """The model a card (its JSON text) and its tensors (numpy arrays, from
    :func:`model_arrays`) describe, checked as a weights file is (:func:`load_model`): the
    card, the tensors' count, names, dtypes and sizes, then their shapes against the
    architecture before any is converted, then their values, a plain face. Nothing but
    plain data goes in, so no code runs from it. Errors (:class:`WeightsError`) start with ``what``."""
    try:
        card = parse_card(card_json)
    except (TypeError, ValueError) as exc:
        raise WeightsError(f"{what} has a bad card: {exc}") from exc
    if not isinstance(arrays, dict):
        raise WeightsError(f"{what} holds no tensors (got {type(arrays).__name__})")
    # The limits a file's header is held to: a damaged state's thousands of names would
    # otherwise make the error below thousands of names long.
    if len(arrays) > MAX_TENSORS:
        raise WeightsError(f"{what} holds {len(arrays):,} tensors; at most {MAX_TENSORS}")
    shapes: dict[str, tuple[int, ...]] = {}
    for name, array in arrays.items():
        if not isinstance(name, str):
            raise WeightsError(f"{what} holds a tensor named {name!r:.80}; tensors are named by strings")
        if not isinstance(array, np.ndarray) or array.dtype.kind != "f":
            kind = array.dtype if isinstance(array, np.ndarray) else type(array).__name__
            raise WeightsError(f"{what}: tensor '{name:.80}' is {kind}; expected an array of floats")
        shapes[name] = tuple(array.shape)
    total = sum(math.prod(shape) for shape in shapes.values())
    if total > MAX_TENSOR_ELEMENTS:
        raise WeightsError(f"{what} holds {total:,} numbers; at most {MAX_TENSOR_ELEMENTS:,}")

    def read() -> dict[str, torch.Tensor]:
        try:
            return finite_float32_tensors(arrays)
        except NonFiniteTensorError as exc:
            raise WeightsError(f"{what}: {exc}") from None

    return _checked_model(card, shapes, read, what), card


def _checked_model(
    card: ModelCard,
    shapes: dict[str, tuple[int, ...]],
    read: Callable[[], dict[str, torch.Tensor]],
    what: str,
) -> nn.Module:
    """The model ``card`` describes with the tensors ``read`` gives (called once the
    tensors' ``shapes`` fit its architecture), tried on a plain face; errors start with ``what``."""
    if card.architecture not in ARCHITECTURES:
        raise WeightsError(
            f"{what} names unknown architecture '{card.architecture}' (known: {', '.join(sorted(ARCHITECTURES))})"
        )
    try:
        model = build_architecture(card.architecture, card.architecture_kwargs)
    except TypeError as exc:
        raise WeightsError(f"{what} has bad architecture arguments {card.architecture_kwargs}: {exc}") from exc
    expected = model.state_dict()
    missing = sorted(set(expected) - set(shapes))
    unexpected = sorted(set(shapes) - set(expected))
    if missing or unexpected:
        raise WeightsError(f"{what} does not match '{card.architecture}': missing {missing}, unexpected {unexpected}")
    for name, shape in shapes.items():
        if shape != tuple(expected[name].shape):
            raise WeightsError(
                f"{what}: tensor '{name}' has shape {shape}, the architecture expects {tuple(expected[name].shape)}"
            )
    model.load_state_dict(read())
    model.eval()
    try:
        outputs = _probe_outputs(model, card)
    except RuntimeError as exc:
        raise WeightsError(
            f"{what}: input_size {card.preprocessing.input_size} does not fit '{card.architecture}' "
            f"({' '.join(str(exc).split())[:200]})"
        ) from exc
    if outputs.shape[1] != len(card.labels):
        raise WeightsError(
            f"{what}: {len(card.labels)} class names {list(card.labels)} "
            f"but the output layer has {outputs.shape[1]} outputs"
        )
    if not bool(torch.isfinite(torch.softmax(outputs.double(), dim=1)).all()):
        raise WeightsError(
            f"{what}: its model gives no probabilities (NaN) for a plain face; its preprocessing "
            f"{card.preprocessing.to_dict()} or its weights are out of any usable range"
        )
    return model


def _probe_outputs(model: nn.Module, card: ModelCard) -> torch.Tensor:
    """The model's outputs for a plain face (a smooth ramp of grey levels), as the app
    prepares faces (every test-time view)."""
    size = card.preprocessing.input_size
    ramp = np.linspace(40, 220, size * size, dtype=np.float64).reshape(1, size, size)
    inputs, _views = test_time_inputs(ramp.astype(np.uint8), card.preprocessing)
    with torch.no_grad():
        return model(inputs)
