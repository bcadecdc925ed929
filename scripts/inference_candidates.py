"""Candidates for fast CPU inference of the seed CNN, measured side by side on real faces.

(Over 400 lines: every candidate runtime is built and timed in this one script, so all
figures of the comparison come from one run on the same faces.)

    python -m scripts.inference_candidates --data /path/to/fer2013 [--weights W] [--batches 100]

For each candidate: ms per face at batch 8 on one thread through the app's whole predict
path (every test-time view the weights file asks for, softmax, view averaging and, for
int8 paths, the near-tie re-check in fp32), as the median over random PublicTest batches
timed round-robin in one run (so machine load hits every candidate alike) and as a ratio
to eager fp32; agreement with eager fp32 on every PublicTest face (raw and with the
re-check); build time from the loaded model to a ready runner, including the agreement
check against eager that the app runs before using one; the backend's first-import time
(fresh process, after torch); and the installed size of the packages it adds to torch.
The fastest single batch (min) is printed too: on a loaded machine it shows the cost
without other processes' interference.
"""

from __future__ import annotations

import copy
import importlib.metadata
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import cv2
import numpy as np
import torch
from torch import nn

from emotion_app.cli.common import fail
from emotion_app.inference import near_tie
from emotion_app.inference.calibration import synthetic_calibration_faces
from emotion_app.inference.classifier import EmotionClassifier
from emotion_app.inference.onnx_graph import INPUT_NAME, seed_cnn_to_onnx
from emotion_app.inference.runners import INT8_OPS, build_runner, check_agreement
from emotion_app.preprocessing import average_views, test_time_inputs
from emotion_app.weights import WeightsError
from scripts.support.arguments import script_parser
from training.data import DataError, load_split

Forward = Callable[[torch.Tensor], torch.Tensor]
BATCH = 8
CALIBRATION_FACES = 128  # synthetic_calibration_faces' default, as the app calibrates


@dataclass
class Candidate:
    name: str
    forward: Forward
    build_s: float
    imports: str = ""  # module whose first import this candidate pays (beyond torch)
    packages: tuple[str, ...] = ()  # distributions it adds to torch
    recheck: Forward | None = None  # fp32 forward for near-tie faces (int8 paths)
    margin: float = near_tie.MARGIN  # view-averaged top-2 gap below which a face is redone
    figures: dict[str, float] = field(default_factory=dict)


def main(argv: list[str] | None = None) -> int:
    parser = script_parser(__file__, __doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="FER-2013 CSV or folder")
    parser.add_argument("--weights", type=Path, default=None, help="weights file (default: the shipped one)")
    parser.add_argument("--usage", default="PublicTest")
    parser.add_argument("--batches", type=int, default=100, help="random batches of 8 to time (default 100)")
    parser.add_argument(
        "--only", default="", help="comma-separated substrings: measure only matching candidates (and the reference)"
    )
    parser.add_argument(
        "--torchao",
        action="store_true",
        help="also torchao PT2E int8 through torch.compile (needs torchao and a C++ compiler; compiles for minutes)",
    )
    args = parser.parse_args(argv)

    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    try:
        classifier = EmotionClassifier.load(args.weights)
    except WeightsError as exc:
        return fail(str(exc))
    spec = classifier.preprocessing
    try:
        data = load_split(args.data, args.usage, classifier.labels)
    except DataError as exc:
        return fail(str(exc))
    calibration, _ = test_time_inputs(synthetic_calibration_faces(spec.input_size, CALIBRATION_FACES), spec)
    candidates = [
        c
        for index, c in enumerate(build_candidates(classifier, calibration, args.torchao))
        if index == 0 or not args.only or any(s in c.name for s in args.only.split(","))
    ]

    def predict(candidate: Candidate, faces: np.ndarray, recheck: bool = True) -> tuple[np.ndarray, int]:
        inputs, views = test_time_inputs(faces, spec)
        with torch.inference_mode():
            probabilities = average_views(torch.softmax(candidate.forward(inputs).float(), 1), views)
            redone = 0
            if candidate.recheck is not None and recheck:
                close = near_tie.near_ties(probabilities, candidate.margin)
                redone = int(close.sum())
                if redone:
                    again = candidate.recheck(inputs[close.repeat(views)])
                    probabilities[close] = average_views(torch.softmax(again.float(), 1), views)
        return probabilities.numpy(), redone

    eager_labels = np.concatenate(
        [classifier.predict(chunk, eager=True).argmax(1) for chunk in np.array_split(data.images, 64)]
    )
    for candidate in candidates:
        if candidate is candidates[0]:  # the reference itself
            candidate.figures.update(agree_raw=1.0, agree=1.0, redone=0.0)
            continue
        raw = np.concatenate(
            [predict(candidate, chunk, recheck=False)[0].argmax(1) for chunk in np.array_split(data.images, 64)]
        )
        candidate.figures["agree_raw"] = float(np.mean(raw == eager_labels))
        if candidate.recheck is not None:
            results = [predict(candidate, chunk) for chunk in np.array_split(data.images, 64)]
            checked = np.concatenate([r[0].argmax(1) for r in results])
            candidate.figures["agree"] = float(np.mean(checked == eager_labels))
            candidate.figures["redone"] = sum(r[1] for r in results) / len(data)
        else:
            candidate.figures["agree"] = candidate.figures["agree_raw"]
            candidate.figures["redone"] = 0.0
        print(f"  agreement measured: {candidate.name}", file=sys.stderr)

    rng = np.random.default_rng(0)
    batches = [data.images[rng.choice(len(data), BATCH, replace=False)] for _ in range(args.batches)]
    times: dict[str, list[float]] = {c.name: [] for c in candidates}
    for batch in batches[:3]:
        for candidate in candidates:
            predict(candidate, batch)
    for index, batch in enumerate(batches):
        order = candidates[index % len(candidates) :] + candidates[: index % len(candidates)]
        for candidate in order:
            start = time.perf_counter()
            predict(candidate, batch)
            times[candidate.name].append((time.perf_counter() - start) * 1000 / BATCH)
    eager_median = statistics.median(times[candidates[0].name])

    print(
        f"{classifier.source}: {len(data)} {args.usage} faces, {len(calibration) // CALIBRATION_FACES} test-time "
        "views per face; "
        f"batch {BATCH}, 1 thread, {args.batches} batches round-robin; "
        f"load average {' '.join(f'{x:.2f}' for x in __import__('os').getloadavg())}"
    )
    print(
        "| candidate | ms/face median | vs eager | ms/face min | agreement raw | agreement with re-check | faces "
        "re-checked | build s | import s | install MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for candidate in candidates:
        median = statistics.median(times[candidate.name])
        figures = candidate.figures
        recheck = candidate.recheck is not None
        print(
            f"| {candidate.name} | {median:.3f} | {eager_median / median:.2f}x | {min(times[candidate.name]):.3f} | "
            f"{figures['agree_raw']:.2%} | "
            f"{figures['agree']:.2%} | {figures['redone']:.1%} | {candidate.build_s:.2f} | "
            f"{import_seconds(candidate.imports):.2f} | {install_mb(candidate.packages):.0f} |"
            if recheck
            else f"| {candidate.name} | {median:.3f} | {eager_median / median:.2f}x | "
            f"{min(times[candidate.name]):.3f} | {figures['agree_raw']:.2%} | "
            f"- | - | {candidate.build_s:.2f} | {import_seconds(candidate.imports):.2f} | "
            f"{install_mb(candidate.packages):.0f} |"
        )
    return 0


def build_candidates(classifier: EmotionClassifier, calibration: torch.Tensor, torchao: bool) -> list[Candidate]:
    model = classifier.model.eval()
    spec = classifier.preprocessing
    size = spec.input_size
    candidates: list[Candidate] = [Candidate("torch eager fp32 (reference; the fallback)", model, 0.0)]

    def timed(build: Callable[[], Candidate], name: str = "", check: bool = True) -> None:
        """Build and keep a candidate; its build time includes the agreement check against
        eager that the app runs before using a runner (build_runner runs its own)."""
        start = time.perf_counter()
        try:
            candidate = build()
            if check:
                check_agreement(model, candidate.forward, calibration[:CALIBRATION_FACES])
        except Exception as exc:
            print(f"  {name or build.__name__}: unavailable ({type(exc).__name__}: {exc})", file=sys.stderr)
            return
        candidate.build_s = time.perf_counter() - start
        candidates.append(candidate)

    def channels_last() -> Candidate:
        # Module.to takes memory_format; torch's stubs omit it.
        copy_ = copy.deepcopy(model).eval().to(memory_format=torch.channels_last)  # type: ignore[call-overload]
        return Candidate(
            "torch eager fp32 channels-last (new fp32 without onnxruntime)",
            lambda x: copy_(x.contiguous(memory_format=torch.channels_last)),
            0,
        )

    def adopted(mode: str, label: str) -> Callable[[], Candidate]:
        def build() -> Candidate:
            # The app's own path, agreement check included; built afresh, as its build time is reported.
            runner = build_runner(model, spec, mode, use_cache=False)
            if runner.mode != mode:
                raise RuntimeError(runner.note)
            return Candidate(
                label,
                runner.forward,
                0,
                "onnxruntime.quantization" if mode == "int8" else "onnxruntime",
                ORT_PACKAGES,
                recheck=runner.recheck,
            )

        return build

    timed(channels_last)
    timed(lambda: torchscript_before(model, calibration), "TorchScript")
    timed(lambda: torch_ao_before(model, calibration), "torch.ao")
    timed(adopted("fp32", "ONNX Runtime fp32 (new fp32)"), "ORT fp32", check=False)
    timed(
        adopted("int8", "ONNX Runtime int8 static QDQ, all but the fc head (fp32) (new int8)"), "ORT int8", check=False
    )

    import onnxruntime as ort
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quantize_dynamic,
        quantize_static,
    )

    def session(proto_bytes: bytes) -> Forward:
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        sess = ort.InferenceSession(proto_bytes, options, providers=["CPUExecutionProvider"])
        return lambda x: torch.from_numpy(sess.run(None, {INPUT_NAME: x.numpy()})[0])

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.batches = iter([{INPUT_NAME: b.numpy()} for b in calibration.split(64)])

        def get_next(self) -> dict[str, np.ndarray] | None:
            return next(self.batches, None)

    fp32_session = session(seed_cnn_to_onnx(model, size).SerializeToString())

    def ort_static(ops: list[str], label: str) -> Callable[[], Candidate]:
        def build() -> Candidate:
            with tempfile.TemporaryDirectory() as folder:
                out = Path(folder) / "int8.onnx"
                quantize_static(
                    seed_cnn_to_onnx(model, size),
                    out,
                    Reader(),
                    quant_format=QuantFormat.QDQ,
                    op_types_to_quantize=ops,
                    per_channel=True,
                    activation_type=QuantType.QUInt8,
                    weight_type=QuantType.QInt8,
                )
                data = out.read_bytes()
            return Candidate(label, session(data), 0, "onnxruntime.quantization", ORT_PACKAGES, recheck=fp32_session)

        return build

    def ort_dynamic() -> Candidate:
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "dynamic.onnx"
            quantize_dynamic(
                seed_cnn_to_onnx(model, size),
                out,
                op_types_to_quantize=["Conv", "Gemm", "MatMul"],
                per_channel=True,
                weight_type=QuantType.QInt8,
            )
            data = out.read_bytes()
        return Candidate(
            "ONNX Runtime int8 dynamic, conv+fc",
            session(data),
            0,
            "onnxruntime.quantization",
            ORT_PACKAGES,
            recheck=fp32_session,
        )

    def opencv_dnn() -> Candidate:
        net = cv2.dnn.readNetFromONNX(np.frombuffer(seed_cnn_to_onnx(model, size).SerializeToString(), dtype=np.uint8))
        net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
        net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)

        def forward(x: torch.Tensor) -> torch.Tensor:
            net.setInput(x.numpy())
            return torch.from_numpy(net.forward().copy())

        # OpenCV is already a dependency; the graph builder needs the onnx package.
        return Candidate("OpenCV DNN fp32 (same ONNX graph)", forward, 0, "onnx", ("onnx", "protobuf", "ml_dtypes"))

    timed(ort_static(["Conv"], "ONNX Runtime int8 static QDQ, convolutions only"), "ORT conv only")
    timed(ort_static([*INT8_OPS, "Gemm"], "ONNX Runtime int8 static QDQ, all layers"), "ORT all layers")
    timed(ort_dynamic)
    timed(opencv_dnn)
    if torchao:
        timed(lambda: torchao_pt2e(model, calibration), "torchao")
    return candidates


def torchao_pt2e(model: nn.Module, calibration: torch.Tensor) -> Candidate:
    """torchao's CPU int8 path: PT2E export, X86InductorQuantizer (static, per-channel
    weights), calibration, then torch.compile with freezing. Compiled for one batch shape
    (8 faces x their views; a dynamic batch dimension fails in Inductor's int8 conv lowering
    with torch 2.13 / torchao 0.18), so other batches are run in padded slices of it."""
    from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e
    from torchao.quantization.pt2e.quantizer import x86_inductor_quantizer as x86

    rows = BATCH * (len(calibration) // CALIBRATION_FACES)
    example = calibration[:rows]
    exported = torch.export.export(copy.deepcopy(model).eval(), (example,)).module()
    quantizer = x86.X86InductorQuantizer()
    quantizer.set_global(x86.get_default_x86_inductor_quantization_config())
    prepared = prepare_pt2e(exported, quantizer)
    with torch.no_grad():
        for batch in calibration.split(rows):
            if len(batch) == rows:
                prepared(batch)
    converted = convert_pt2e(prepared)
    import torch._inductor.config as inductor_config

    inductor_config.freezing = True
    compiled = torch.compile(converted)
    with torch.no_grad():
        compiled(example)

    def forward(x: torch.Tensor) -> torch.Tensor:
        outputs = []
        with torch.no_grad():
            for chunk in x.split(rows):
                padded = torch.cat([chunk, chunk.new_zeros(rows - len(chunk), *chunk.shape[1:])])
                outputs.append(compiled(padded)[: len(chunk)])
        return torch.cat(outputs)

    return Candidate(
        "torchao int8 PT2E + torch.compile", forward, 0, "torchao", ("torchao",), recheck=model, margin=near_tie.MARGIN
    )


ORT_PACKAGES = ("onnxruntime", "onnx", "protobuf", "flatbuffers", "ml_dtypes")


# ----------------------------------------------------------------------------- the runners before
# Copies of the app's runners before ONNX Runtime replaced them, kept here so that the
# table can compare against them: TorchScript fp32 and torch.ao static int8 (deprecated).


def torchscript_before(model: nn.Module, calibration: torch.Tensor) -> Candidate:
    """The old fp32 runner: channels-last, TorchScript trace + freeze + optimize_for_inference."""
    # Module.to takes memory_format; torch's stubs omit it.
    fused = copy.deepcopy(model).eval().to(memory_format=torch.channels_last)  # type: ignore[call-overload]
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        traced = torch.jit.trace(fused, calibration[:8].contiguous(memory_format=torch.channels_last))
        frozen = torch.jit.optimize_for_inference(torch.jit.freeze(traced))
    return Candidate(
        "before, fp32: TorchScript frozen, channels-last",
        lambda x: frozen(x.contiguous(memory_format=torch.channels_last)),
        0,
    )


def torch_ao_before(model: nn.Module, calibration: torch.Tensor) -> Candidate:
    """The old int8 runner: torch.ao eager-mode static quantisation of the conv trunk (x86
    engine, per-channel weights, min/max activations), fc head fp32; views whose int8 top-2
    gap was under 0.01 redone in channels-last fp32, then faces whose view-averaged gap was
    under 0.02 redone in eager fp32."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization is deprecated: that is the point
        from torch.ao.quantization import (
            DeQuantStub,
            QConfig,
            QuantStub,
            convert,
            fuse_modules,
            prepare,
        )
        from torch.ao.quantization.observer import (
            MinMaxObserver,
            PerChannelMinMaxObserver,
        )

        engines = torch.backends.quantized.supported_engines
        torch.backends.quantized.engine = next(e for e in ("x86", "fbgemm", "onednn", "qnnpack") if e in engines)
        probe = getattr(torch.cpu, "_is_vnni_supported", None)
        qconfig = QConfig(
            activation=MinMaxObserver.with_args(reduce_range=not (probe is not None and probe())),
            weight=PerChannelMinMaxObserver.with_args(dtype=torch.qint8, qscheme=torch.per_channel_symmetric),
        )
        # SeedCNN's two Sequential parts (nn.Module's attribute lookup is typed Tensor | Module).
        trunk = copy.deepcopy(cast(nn.Sequential, model.features)).eval()
        pairs = [
            [str(i), str(i + 1)]
            for i in range(len(trunk) - 1)
            if isinstance(trunk[i], nn.Conv2d) and isinstance(trunk[i + 1], nn.ReLU)
        ]
        trunk = fuse_modules(trunk, pairs)

        class Quantized(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.quant, self.features, self.dequant = QuantStub(), trunk, DeQuantStub()
                self.head = copy.deepcopy(cast(nn.Sequential, model.classifier)).eval()

            def forward(self, x: torch.Tensor) -> torch.Tensor:
                return self.head(self.dequant(self.features(self.quant(x))))

        quantized = Quantized()
        for part in (quantized.quant, quantized.features, quantized.dequant):
            part.qconfig = qconfig
        prepare(quantized, inplace=True)
        with torch.inference_mode():
            for batch in calibration[:CALIBRATION_FACES].split(64):  # the plain crops (view-major)
                quantized(batch)
        convert(quantized, inplace=True)
    # Module.to takes memory_format; torch's stubs omit it.
    reference = copy.deepcopy(model).eval().to(memory_format=torch.channels_last)  # type: ignore[call-overload]

    def forward(x: torch.Tensor) -> torch.Tensor:
        logits = quantized(x)
        close = near_tie.near_ties(torch.softmax(logits, 1), 0.01)
        if bool(close.any()):
            logits = logits.clone()
            logits[close] = reference(x[close].contiguous(memory_format=torch.channels_last))
        return logits

    return Candidate("before, int8: torch.ao eager static (deprecated)", forward, 0, recheck=model, margin=0.02)


def import_seconds(module: str) -> float:
    if not module:
        return 0.0
    code = f"import time, torch; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(result.stdout.strip().splitlines()[-1])


def install_mb(packages: tuple[str, ...]) -> float:
    total = 0
    for name in packages:
        try:
            files = importlib.metadata.distribution(name).files or []
        except importlib.metadata.PackageNotFoundError:
            continue
        total += sum(f.size or 0 for f in files)
    return total / 1e6


if __name__ == "__main__":
    raise SystemExit(main())
