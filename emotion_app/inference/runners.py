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
Nothing here raises for an optimisation problem: it logs a note and falls back. The
graphs of a runner that passed are kept in the user's cache folder (:mod:`.runner_cache`),
so a later build of the same model skips quantisation, and the onnx package, but not the
check; the desktop app has a child process build them (:mod:`.build_process`). Building
works on copies of the weights and patches nothing process-wide, so it may run on one
thread while another thread classifies with the eager model. Which backend wins, and by
how much: docs/measurements.md (``python -m scripts.inference_candidates``).
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from ..preprocessing import Preprocessing, test_time_inputs
from . import build_process, near_tie, runner_cache
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
# Name prefix of the folder the quantiser works in during an int8 build.
QUANTISER_FOLDER_PREFIX = "emotion_app-int8-"
# Rows per ONNX Runtime call: its memory arena keeps the peak of the largest call, so a
# whole data set in one predict() would hold gigabytes; live frames are far below this.
_ROWS_PER_RUN = 256


@dataclass(frozen=True)
class InferenceRunner:
    """A ready forward function (float model input -> logits) and how it was made.

    ``recheck``: for a runner that rounds (int8), an fp32 forward of the same model, which
    the classifier uses for the faces that come out near-tied (:mod:`.near_tie`).
    ``graphs``: the ONNX graphs a builder ran, for the cache; :func:`build_runner`
    returns runners without them (the sessions hold their own copies).
    """

    mode: str  # "int8", "fp32" or "eager": what actually runs
    forward: Forward
    note: str = ""  # why this mode was chosen when it is not the requested one, or its backend
    recheck: Forward | None = None
    graphs: runner_cache.CachedGraphs | None = field(default=None, repr=False, compare=False)

    def __call__(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.forward(inputs)


def eager_runner(model: nn.Module, note: str = "") -> InferenceRunner:
    return InferenceRunner("eager", model.eval(), note)


def build_runner(
    model: nn.Module,
    spec: Preprocessing,
    mode: str = "auto",
    calibration_faces: np.ndarray | None = None,
    use_cache: bool = True,
    build_elsewhere: Path | None = None,
    cancelled: threading.Event | None = None,
) -> InferenceRunner:
    """The fastest runner ``mode`` allows that agrees with eager ``model``; never raises.

    ``mode``: "auto" (int8, else fp32, else eager), "int8", "fp32" or "eager".
    ``calibration_faces``: uint8 (N,H,W) crops like those the app will classify.
    ``use_cache``: take the graphs from the disk cache when an entry passes the check, and
    store those of a fresh build (only with the default calibration, which keys cover).
    ``build_elsewhere``: the weights file ``model`` was loaded from; a runner not in the
    cache is then built by a child process (:mod:`.build_process`), so that neither the
    onnx import nor the quantisation holds this process's GIL, and only if that fails
    here. ``cancelled`` stops such a child (the eager runner is then returned).
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
    references: list[torch.Tensor] = []  # eager's answers for the check, computed once for every build

    def reference() -> torch.Tensor:
        if not references:
            references.append(eager_probabilities(model, check_inputs))
        return references[0]

    # Keys name a model's graphs, in the cache and in a build process's folder.
    version = runner_cache.runtime_version() if calibration_faces is None else None
    keys = (
        {candidate: runner_cache.model_key(model.state_dict(), spec, candidate, version) for candidate in candidates}
        if version is not None
        else {}
    )
    if keys and use_cache:
        for candidate, key in keys.items():
            cached = _cached_runner(model, key, candidate, check_inputs, reference)
            if cached is not None:
                return dataclasses.replace(cached, graphs=None)
    if keys and build_elsewhere is not None:
        built = _runner_built_in_child(
            model, build_elsewhere, mode, keys, check_inputs, reference, cancelled, use_cache
        )
        if built is not None:
            return built
        if cancelled is not None and cancelled.is_set():
            return eager_runner(model, "build cancelled")
    for candidate in candidates:
        stored_as = keys.get(candidate) if use_cache else None
        for variant, builder in _BUILDERS[candidate]:
            name = f"{candidate} ({variant})" if variant else candidate
            try:
                runner = builder(model, spec, inputs)
                agreement = check_agreement(model, runner.forward, check_inputs, reference())
            except Exception as exc:  # an optimisation failing must never stop the app
                notes.append(f"{candidate} unavailable ({type(exc).__name__}: {exc})")
                break  # a variant would fail alike (a missing runtime, an unknown layer)
            if agreement < MIN_CHECK_AGREEMENT:
                notes.append(f"{name} rejected: agrees with eager on {agreement:.1%} of check faces")
                continue
            if stored_as and runner.graphs is not None:
                runner_cache.store(stored_as, dataclasses.replace(runner.graphs, variant=variant))
            parts = [*notes, f"using {variant}" if variant and notes else "", runner.note]
            note = "; ".join(part for part in parts if part)
            if notes:
                log.info("classifier inference: %s; using %s", "; ".join(notes), name)
            return InferenceRunner(candidate, runner.forward, note, runner.recheck)
    note = "; ".join(notes) or "no optimisation available"
    log.warning("classifier inference falls back to eager fp32: %s", note)
    return eager_runner(model, note)


def _cached_runner(
    model: nn.Module,
    key: str,
    mode: str,
    check_inputs: torch.Tensor,
    reference: Callable[[], torch.Tensor],
    folder: Path | None = None,
    note: str = "onnxruntime, cached",
) -> InferenceRunner | None:
    """The ``mode`` runner of entry ``key`` in ``folder`` (default: the cache), with its
    graphs, if there is one and it passes the check, else None."""
    cached = runner_cache.load(key, folder)
    if cached is None or cached.mode != mode:
        return None
    try:
        runner = _runner_from_graphs(cached, note)
        agreement = check_agreement(model, runner.forward, check_inputs, reference())
    except Exception as exc:  # a damaged entry: rebuild
        log.info("cached %s classifier unusable (%s: %s); rebuilding", mode, type(exc).__name__, exc)
        return None
    if agreement < MIN_CHECK_AGREEMENT:
        log.info("cached %s classifier failed the agreement check; rebuilding", mode)
        return None
    return runner


def _runner_built_in_child(
    model: nn.Module,
    weights: Path,
    mode: str,
    keys: dict[str, str],
    check_inputs: torch.Tensor,
    reference: Callable[[], torch.Tensor],
    cancelled: threading.Event | None,
    use_cache: bool,
) -> InferenceRunner | None:
    """The runner a child process built from ``weights``, checked here (and with
    ``use_cache`` then cached); None when the child failed or its runner is not this model's."""
    # A folder that cannot be removed (Windows: a file the killed child held a moment ago)
    # must not undo a finished build.
    with tempfile.TemporaryDirectory(prefix=build_process.FOLDER_PREFIX, ignore_cleanup_errors=True) as private:
        folder = Path(private)
        if not build_process.build_in_child(weights, mode, folder, cancelled):
            return None
        for candidate, key in keys.items():
            runner = _cached_runner(
                model, key, candidate, check_inputs, reference, folder, "onnxruntime, built in a child process"
            )
            if runner is not None:
                if use_cache and runner.graphs is not None:
                    runner_cache.store(key, runner.graphs)
                return dataclasses.replace(runner, graphs=None)
    log.warning("the build process made no runner for this model (was %s changed?); building here", weights)
    return None


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
    with tempfile.TemporaryDirectory(prefix=QUANTISER_FOLDER_PREFIX) as folder:
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
    return _runner_from_graphs(runner_cache.CachedGraphs("int8", "", int8_bytes, graph.SerializeToString()))


def _build_fp32(model: nn.Module, spec: Preprocessing, inputs: torch.Tensor) -> InferenceRunner:
    """ONNX Runtime fp32; where that cannot be had, eager in channels-last layout."""
    try:
        graph = seed_cnn_to_onnx(model, spec.input_size).SerializeToString()
        return _runner_from_graphs(runner_cache.CachedGraphs("fp32", "", graph))
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


def _runner_from_graphs(graphs: runner_cache.CachedGraphs, note: str = "onnxruntime") -> InferenceRunner:
    """An ONNX Runtime runner over ``graphs`` (which it keeps, for the cache)."""
    recheck = _session(graphs.recheck_graph) if graphs.recheck_graph is not None else None
    if graphs.variant:  # a cached build's: which variant passed
        note = f"{graphs.variant}; {note}"
    return InferenceRunner(graphs.mode, _session(graphs.graph), note, recheck, graphs)


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
    """Import ONNX Runtime now; whether it is installed.

    The desktop app calls this while its starting screen is up, so that the fast runner's
    first use costs no import. It never imports onnx or the quantiser: their first import
    holds the GIL long enough to freeze a video (onnx loads ml_dtypes, whose extension
    registers its number types with numpy), so the app builds runners in a child process
    (:mod:`.build_process`; figures: docs/measurements.md).
    """
    try:
        import onnxruntime  # noqa: F401
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
