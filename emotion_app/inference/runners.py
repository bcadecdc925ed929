"""Fast CPU inference for the classifier: ONNX Runtime int8 or fp32, with an eager fallback.

The loaded model is written as an ONNX graph in memory (:mod:`.onnx_graph`: layer by
layer from its tensors, no exporter, no file the app must trust) and run by ONNX Runtime:

* ``int8``: static post-training quantisation of the convolutional trunk by ONNX
  Runtime's own tool (QDQ format, per-channel int8 weights, uint8 activations with
  min/max ranges from calibration faces); the small fc head stays fp32. Rounding can flip a face only
  where its top two classes are nearly tied, so the runner carries an fp32 forward that
  the classifier uses to redo those faces (the policy: :mod:`.near_tie`).
* ``fp32``: the same graph unquantised in ONNX Runtime; without ONNX Runtime, the model
  in channels-last layout, where oneDNN runs the convolutions without layout conversions.

Calibration needs face-like inputs and no face data ships with the app, so by default it
uses :func:`synthetic_calibration_faces` (every test-time view of them); callers may pass
real crops instead. Every optimised runner is checked against eager fp32 on those faces
before it is used; if building or checking fails, the next form is tried, ending at eager.
Nothing here raises for an optimisation problem: it logs a note and falls back. Building
works on copies of the weights and patches nothing process-wide, so it may run on one
thread while another thread classifies with the eager model. Which backend wins, and by
how much: docs/measurements.md (``python -m scripts.inference_candidates``).
"""

from __future__ import annotations

import copy
import logging
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from ..preprocessing import Preprocessing, test_time_inputs
from . import near_tie
from .calibration import synthetic_calibration_faces
from .onnx_graph import INPUT_NAME, seed_cnn_to_onnx

log = logging.getLogger(__name__)

Forward = Callable[[torch.Tensor], torch.Tensor]

MODES: tuple[str, ...] = ("auto", "int8", "fp32", "eager")
# What "auto" tries, best first.
_AUTO_ORDER: tuple[str, ...] = ("int8", "fp32")
# An optimised runner must pick the same class as eager fp32 on at least this share of
# the check faces that are not eager near-ties, or it is rejected.
MIN_CHECK_AGREEMENT = 0.97
# Calibration batch size: the calibrator keeps every batch's activations until it is done.
_CALIBRATION_BATCH = 64
# Layers run in int8: the convolutional trunk, so activations stay int8 from the input to
# the head (quantising only the convolutions dequantises and requantises around every ReLU
# and pool: slower, further from eager). The small fc head stays fp32: as fast with the
# one-view default model, and much closer to eager. Figures: docs/measurements.md.
INT8_OPS: tuple[str, ...] = ("Conv", "Relu", "MaxPool", "AveragePool")
# Rows per ONNX Runtime call: its memory arena keeps the peak of the largest call, so a
# whole data set in one predict() would hold gigabytes; live frames are far below this.
_ROWS_PER_RUN = 256


@dataclass(frozen=True)
class InferenceRunner:
    """A ready forward function (float model input -> logits) and how it was made.

    ``recheck``: for a runner that rounds (int8), an fp32 forward of the same model, which
    the classifier uses for the faces that come out near-tied (:mod:`.near_tie`).
    """

    mode: str  # "int8", "fp32" or "eager": what actually runs
    forward: Forward
    note: str = ""  # why this mode was chosen when it is not the requested one, or its backend
    recheck: Forward | None = None

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
    faces = np.asarray(faces, dtype=np.uint8)
    # Calibrate on every test-time view (the runner will see them all); check on the plain
    # crops alone (views are stacked view-major), since eager, the reference, is the slow part.
    inputs, _ = test_time_inputs(faces, spec)
    check_inputs = inputs[: len(faces)]
    candidates = _AUTO_ORDER if mode == "auto" else (mode,)
    notes: list[str] = []
    reference: torch.Tensor | None = None  # eager's answers for the check, computed once for every build
    for candidate in candidates:
        for variant, builder in _BUILDERS[candidate]:
            name = f"{candidate} ({variant})" if variant else candidate
            try:
                runner = builder(model, spec, inputs)
                if reference is None:
                    reference = eager_probabilities(model, check_inputs)
                agreement = check_agreement(model, runner.forward, check_inputs, reference)
            except Exception as exc:  # an optimisation failing must never stop the app
                notes.append(f"{candidate} unavailable ({type(exc).__name__}: {exc})")
                break  # a variant would fail alike (a missing runtime, an unknown layer)
            if agreement < MIN_CHECK_AGREEMENT:
                notes.append(f"{name} rejected: agrees with eager on {agreement:.1%} of check faces")
                continue
            parts = [*notes, f"using {variant}" if variant and notes else "", runner.note]
            note = "; ".join(part for part in parts if part)
            if notes:
                log.info("classifier inference: %s; using %s", "; ".join(notes), name)
            return InferenceRunner(candidate, runner.forward, note, runner.recheck)
    note = "; ".join(notes) or "no optimisation available"
    log.warning("classifier inference falls back to eager fp32: %s", note)
    return eager_runner(model, note)


def eager_probabilities(model: nn.Module, inputs: torch.Tensor) -> torch.Tensor:
    """Eager fp32's class probabilities for model ``inputs``: the reference of :func:`check_agreement`."""
    with torch.inference_mode():
        return torch.softmax(model(inputs).float(), dim=1)


def check_agreement(
    model: nn.Module, forward: Forward, inputs: torch.Tensor, reference: torch.Tensor | None = None
) -> float:
    """Share of ``inputs`` (excluding eager near-ties) where ``forward`` and eager agree.

    ``reference``: :func:`eager_probabilities` of ``inputs`` when already known (the
    eager pass costs more than the candidate's).
    """
    if reference is None:
        reference = eager_probabilities(model, inputs)
    with torch.inference_mode():
        candidate = torch.softmax(forward(inputs).float(), dim=1)
    if candidate.shape != reference.shape or not torch.isfinite(candidate).all():
        return 0.0
    decisive = ~near_tie.near_ties(reference)
    if not bool(decisive.any()):
        # Every face is a near-tie: judge by how close the probabilities are instead.
        return 1.0 if float((candidate - reference).abs().max()) < near_tie.MARGIN else 0.0
    agree = reference.argmax(1) == candidate.argmax(1)
    return float(agree[decisive].float().mean())


# ----------------------------------------------------------------------------- builders


def _build_int8(
    model: nn.Module, spec: Preprocessing, inputs: torch.Tensor, reduce_range: bool = False
) -> InferenceRunner:
    """ONNX Runtime static int8 (QDQ) trunk, fp32 head; with the fp32 graph for re-checks.

    ``reduce_range``: 7-bit weights. x86 CPUs without VNNI (AVX2 only: most laptops
    before about 2020, AMD before Zen 4) multiply u8 by s8 with an instruction whose
    16-bit sums saturate; with full-range weights the shipped models then fail the
    agreement check, with 7-bit weights they pass it (docs/measurements.md).
    """
    import onnxruntime  # noqa: F401  (an absent runtime fails here, before any work)
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Faces(CalibrationDataReader):
        def __init__(self) -> None:
            self._batches = iter([{INPUT_NAME: batch.numpy()} for batch in inputs.split(_CALIBRATION_BATCH)])

        def get_next(self) -> dict[str, np.ndarray] | None:
            return next(self._batches, None)

    graph = seed_cnn_to_onnx(model, spec.input_size)
    # The quantiser works on files: a private folder that lives only for this build.
    with tempfile.TemporaryDirectory(prefix="emotion_app-int8-") as folder:
        plain, prepared, quantized = (Path(folder) / name for name in ("fp32.onnx", "prepared.onnx", "int8.onnx"))
        plain.write_bytes(graph.SerializeToString())
        # ONNX Runtime's recommended pre-processing (shape inference, graph clean-up).
        quant_pre_process(str(plain), str(prepared), skip_symbolic_shape=True)
        quantize_static(
            str(prepared),
            str(quantized),
            Faces(),
            quant_format=QuantFormat.QDQ,
            op_types_to_quantize=list(INT8_OPS),
            per_channel=True,
            # u8 activations x s8 weights: the pair x86 int8 kernels (VNNI) are built for.
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            reduce_range=reduce_range,
        )
        int8_bytes = quantized.read_bytes()
    return InferenceRunner("int8", _session(int8_bytes), "onnxruntime", recheck=_session(graph.SerializeToString()))


def _build_fp32(model: nn.Module, spec: Preprocessing, inputs: torch.Tensor) -> InferenceRunner:
    """ONNX Runtime fp32; where that cannot be had, eager in channels-last layout."""
    try:
        return InferenceRunner(
            "fp32", _session(seed_cnn_to_onnx(model, spec.input_size).SerializeToString()), "onnxruntime"
        )
    except ImportError as exc:
        reason = f"{exc.name or 'onnxruntime'} not installed"
    except TypeError as exc:  # a layer the ONNX graph builder has no form for
        reason = str(exc)
    fused = copy.deepcopy(model).eval().to(memory_format=torch.channels_last)  # type: ignore[call-overload]

    def forward(batch: torch.Tensor) -> torch.Tensor:
        return fused(batch.contiguous(memory_format=torch.channels_last))

    return InferenceRunner("fp32", forward, f"torch channels-last ({reason})")


def session_options() -> Any:
    """ONNX Runtime options for the runners' sessions (``onnxruntime.SessionOptions``)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    # As many threads as torch has when the runner is built (the app uses one).
    options.intra_op_num_threads = torch.get_num_threads()
    options.inter_op_num_threads = 1
    # Idle pool threads would spin between a frame's runs and take the cores from OpenCV's
    # cascade threads, slowing the whole pipeline (docs/measurements.md, "ONNX Runtime's
    # spinning threads").
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return options


def _session(graph: bytes) -> Forward:
    """A forward function over an ONNX Runtime CPU session of ``graph`` (serialised bytes)."""
    import onnxruntime as ort

    options = session_options()
    session: Any = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])

    def forward(batch: torch.Tensor) -> torch.Tensor:
        array = np.ascontiguousarray(batch.detach().numpy(), dtype=np.float32)
        if len(array) <= _ROWS_PER_RUN:
            return torch.from_numpy(session.run(None, {INPUT_NAME: array})[0])
        chunks = [array[start : start + _ROWS_PER_RUN] for start in range(0, len(array), _ROWS_PER_RUN)]
        return torch.from_numpy(np.concatenate([session.run(None, {INPUT_NAME: chunk})[0] for chunk in chunks]))

    return forward


Builder = Callable[[nn.Module, Preprocessing, torch.Tensor], InferenceRunner]
# Each mode's builds, tried in order until one passes the check: (variant name, builder).
# Full-range int8 first, as VNNI CPUs run it exactly; 7-bit weights where it saturates.
_BUILDERS: dict[str, tuple[tuple[str, Builder], ...]] = {
    "int8": (("full-range weights", _build_int8), ("7-bit weights", partial(_build_int8, reduce_range=True))),
    "fp32": (("", _build_fp32),),
}


def import_backends() -> bool:
    """Import ONNX Runtime and onnx, with the quantiser, now; whether they are installed.

    Their first import holds the GIL long enough to freeze a video (onnx loads ml_dtypes,
    whose extension registers its number types with numpy): done by the fast runner's
    build thread, it stalls every thread, the GUI's too, as the first frames play. The
    desktop app calls this while its starting screen is up (figures: docs/measurements.md).
    """
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
        import onnxruntime.quantization  # noqa: F401
        import onnxruntime.quantization.shape_inference  # noqa: F401
    except ImportError:
        return False
    return True


def describe(runner: InferenceRunner) -> str:
    """One line for logs and the bench report."""
    return runner.mode + (f" ({runner.note})" if runner.note else "")


__all__: Sequence[str] = (
    "MODES",
    "InferenceRunner",
    "build_runner",
    "check_agreement",
    "describe",
    "eager_runner",
    "import_backends",
)
