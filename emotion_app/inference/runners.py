"""Fast CPU inference for the classifier: int8 or fused fp32, always with an eager fallback.

Eager fp32 spends most of its time in layout conversions and unfused small convolutions.
Two optimised forms are built here:

* ``int8``: static post-training quantisation of the convolutional trunk (eager-mode
  stubs and module swaps, per-channel weights, min/max-calibrated activations) on the
  ``x86`` engine (fbgemm, VNNI); the small fully connected head stays fp32. Faces whose
  top two classes come out nearly tied are recomputed in fp32 (see
  :mod:`.near_tie`), since those are the only ones int8 rounding can flip.
  Calibration needs face-like inputs and no face data ships with the app, so by default
  it uses :func:`synthetic_calibration_faces`; callers may pass real crops instead.
* ``fp32``: channels-last, TorchScript trace + freeze + ``optimize_for_inference`` so
  oneDNN fuses conv+ReLU and keeps its blocked layout between layers.

Every optimised runner is checked against eager fp32 on the calibration faces before it
is used; if building or checking fails, the next form is tried, ending at eager. Nothing
here raises for an optimisation problem: it logs a note and falls back. Building works
on copies of the model and patches nothing process-wide, so it may run on one thread
while another thread classifies with the eager model.
"""

from __future__ import annotations

import copy
import logging
import warnings
from dataclasses import dataclass
from collections.abc import Callable, Sequence

import numpy as np
import torch
from torch import nn

from ..preprocessing import Preprocessing, to_model_input
from . import near_tie
from .calibration import synthetic_calibration_faces

log = logging.getLogger(__name__)

Forward = Callable[[torch.Tensor], torch.Tensor]

MODES: tuple[str, ...] = ("auto", "int8", "fp32", "eager")
# What "auto" tries, best first.
_AUTO_ORDER: tuple[str, ...] = ("int8", "fp32")
# An optimised runner must pick the same class as eager fp32 on at least this share of
# the check faces whose eager top-2 margin is not a near-tie, or it is rejected.
MIN_CHECK_AGREEMENT = 0.97


@dataclass(frozen=True)
class InferenceRunner:
    """A ready forward function (float model input -> logits) and how it was made."""

    mode: str  # "int8", "fp32" or "eager": what actually runs
    forward: Forward
    note: str = ""  # why this mode was chosen when it is not the requested one

    def __call__(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.forward(inputs)


def eager_runner(model: nn.Module, note: str = "") -> InferenceRunner:
    return InferenceRunner("eager", model.eval(), note)


def build_runner(
    model: nn.Module,
    spec: Preprocessing,
    mode: str = "auto",
    calibration_faces: np.ndarray | None = None,
) -> InferenceRunner:
    """The fastest runner ``mode`` allows that agrees with eager ``model``; never raises.

    ``mode``: "auto" (int8, else fp32, else eager), "int8", "fp32" or "eager".
    ``calibration_faces``: uint8 (N,H,W) crops like those the app will classify.
    """
    if mode not in MODES:
        raise ValueError(f"unknown inference mode {mode!r}; choose from {', '.join(MODES)}")
    model = model.eval()
    if mode == "eager":
        return eager_runner(model)
    faces = calibration_faces if calibration_faces is not None else synthetic_calibration_faces(spec.input_size)
    inputs = to_model_input(np.asarray(faces, dtype=np.uint8), spec)
    candidates = _AUTO_ORDER if mode == "auto" else (mode,)
    notes: list[str] = []
    for candidate in candidates:
        try:
            forward = _BUILDERS[candidate](model, inputs)
            agreement = check_agreement(model, forward, inputs)
        except Exception as exc:  # an optimisation failing must never stop the app
            notes.append(f"{candidate} unavailable ({type(exc).__name__}: {exc})")
            continue
        if agreement < MIN_CHECK_AGREEMENT:
            notes.append(f"{candidate} rejected: agrees with eager on {agreement:.1%} of check faces")
            continue
        note = "; ".join(notes)
        if note:
            log.info("classifier inference: %s; using %s", note, candidate)
        return InferenceRunner(candidate, forward, note)
    note = "; ".join(notes) or "no optimisation available"
    log.warning("classifier inference falls back to eager fp32: %s", note)
    return eager_runner(model, note)


def check_agreement(model: nn.Module, forward: Forward, inputs: torch.Tensor) -> float:
    """Share of ``inputs`` (excluding eager near-ties) where ``forward`` and eager agree."""
    with torch.inference_mode():
        reference = torch.softmax(model(inputs).float(), dim=1)
        candidate = torch.softmax(forward(inputs).float(), dim=1)
    if candidate.shape != reference.shape or not torch.isfinite(candidate).all():
        return 0.0
    decisive = ~near_tie.near_ties(reference, near_tie.CHECK_MARGIN)
    if not bool(decisive.any()):
        # Every face is a near-tie: judge by how close the probabilities are instead.
        return 1.0 if float((candidate - reference).abs().max()) < near_tie.CHECK_MARGIN else 0.0
    agree = reference.argmax(1) == candidate.argmax(1)
    return float(agree[decisive].float().mean())


# ----------------------------------------------------------------------------- builders


def _build_int8(model: nn.Module, inputs: torch.Tensor) -> Forward:
    """Eager-mode static quantisation of the convolutional trunk; the FC head stays fp32.

    Eager mode (stubs + module swaps), not FX: FX tracing patches ``nn.Module.__call__``
    process-wide while it runs, which would break inference running on another thread
    (the GUI builds this runner while it already classifies with eager fp32).
    """
    from torch.ao.quantization import QConfig, convert, fuse_modules, prepare
    from torch.ao.quantization.observer import MinMaxObserver, PerChannelMinMaxObserver

    features = getattr(model, "features", None)
    head = getattr(model, "classifier", None)
    if not isinstance(features, nn.Sequential) or not isinstance(head, nn.Module):
        raise TypeError(f"int8 needs a model with 'features' (Sequential) and 'classifier'; got {type(model).__name__}")
    engine = _quantized_engine()
    torch.backends.quantized.engine = engine
    qconfig = QConfig(
        # Without VNNI, fbgemm's u8*s8 pair sums can saturate int16, hence 7-bit
        # activations there; VNNI accumulates in int32, so all 8 bits are safe.
        # Min/max ranges rather than histogram-optimised ones: calibration faces are
        # synthetic, and real faces drive the deeper layers harder than drawn ones, so
        # ranges that clip the calibration tails would clip real faces (measured on
        # FER-2013 PublicTest: 99.4% agreement with eager vs 99.2% for histograms).
        activation=MinMaxObserver.with_args(reduce_range=not _has_vnni()),
        weight=PerChannelMinMaxObserver.with_args(dtype=torch.qint8, qscheme=torch.per_channel_symmetric),
    )
    trunk = copy.deepcopy(features).eval()
    pairs = [
        [str(i), str(i + 1)]
        for i in range(len(trunk) - 1)
        if isinstance(trunk[i], nn.Conv2d) and isinstance(trunk[i + 1], nn.ReLU)
    ]
    trunk = fuse_modules(trunk, pairs)
    # The fully connected head stays fp32: it is ~4% of the work, and int8 rounding
    # there moves the logits of close calls the most (measured: agreement with eager
    # on FER-2013 PublicTest rises from ~98.6% to ~99.0% for an undertrained model).
    quantizable = _QuantizedTrunk(trunk, copy.deepcopy(head).eval())
    for part in (quantizable.quant, quantizable.features, quantizable.dequant):
        part.qconfig = qconfig  # type: ignore[assignment]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecation notes about the future move to torchao
        prepare(quantizable, inplace=True)
        with torch.inference_mode():
            for batch in inputs.split(64):
                quantizable(batch)
        convert(quantizable, inplace=True)
    # Channels-last fp32 for the re-check: same arithmetic as eager, ~2.5x faster per face.
    # (torch's stubs for Module.to lack memory_format, which it accepts.)
    reference = copy.deepcopy(model).eval().to(memory_format=torch.channels_last)  # type: ignore[call-overload]
    return _CloseCallRecheck(quantizable.eval(), reference)


class _CloseCallRecheck(nn.Module):
    """int8 logits, with the faces whose top-2 probabilities are close redone in fp32.

    ``faces_seen`` / ``faces_rechecked`` count how often the fp32 path ran (for bench).
    """

    def __init__(self, quantized: nn.Module, reference: nn.Module) -> None:
        super().__init__()
        self.quantized = quantized
        self.reference = reference
        self.faces_seen = 0
        self.faces_rechecked = 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logits = self.quantized(x)
        self.faces_seen += int(logits.shape[0])
        if logits.shape[0] == 0 or logits.shape[1] < 2:
            return logits
        close = near_tie.near_ties(torch.softmax(logits, dim=1), near_tie.VIEW_MARGIN)
        if bool(close.any()):
            self.faces_rechecked += int(close.sum())
            logits = logits.clone()
            redo = x[close].contiguous(memory_format=torch.channels_last)
            logits[close] = self.reference(redo).to(logits.dtype)
        return logits


class _QuantizedTrunk(nn.Module):
    """quantize -> conv trunk (int8) -> dequantize -> fp32 head."""

    def __init__(self, features: nn.Module, head: nn.Module) -> None:
        super().__init__()
        from torch.ao.quantization import DeQuantStub, QuantStub

        self.quant = QuantStub()
        self.features = features
        self.dequant = DeQuantStub()
        self.head = head

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.dequant(self.features(self.quant(x))))


def _has_vnni() -> bool:
    probe = getattr(torch.cpu, "_is_vnni_supported", None)
    try:
        return bool(probe()) if probe is not None else False
    except Exception:
        return False


def _build_fp32(model: nn.Module, inputs: torch.Tensor) -> Forward:
    fused = copy.deepcopy(model).eval().to(memory_format=torch.channels_last)  # type: ignore[call-overload]
    example = inputs[:8].contiguous(memory_format=torch.channels_last)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        traced = torch.jit.trace(fused, example)
        frozen = torch.jit.optimize_for_inference(torch.jit.freeze(traced))

    def forward(batch: torch.Tensor) -> torch.Tensor:
        return frozen(batch.contiguous(memory_format=torch.channels_last))

    return forward


_BUILDERS: dict[str, Callable[[nn.Module, torch.Tensor], Forward]] = {"int8": _build_int8, "fp32": _build_fp32}


def _quantized_engine() -> str:
    engines = torch.backends.quantized.supported_engines
    for engine in ("x86", "fbgemm", "onednn", "qnnpack"):
        if engine in engines:
            return engine
    raise RuntimeError(f"no quantized engine in this torch build (have {engines})")


def describe(runner: InferenceRunner) -> str:
    """One line for logs and the bench report."""
    return runner.mode + (f" ({runner.note})" if runner.note else "")


__all__: Sequence[str] = (
    "InferenceRunner",
    "MODES",
    "build_runner",
    "check_agreement",
    "describe",
    "eager_runner",
)
