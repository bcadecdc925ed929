"""How far the optimised classifier strays from eager fp32 on real faces, and how fast it is.

    python -m scripts.classifier_agreement weights/emotion_cnn.safetensors --data /path/to/fer2013

Reads a FER-2013 split the way training does (CSV, ``train/``+``test/`` folders, or a
folder of ``<emotion>/`` subfolders; ``--usage PublicTest`` by default), classifies
every face with the optimised runner and with eager fp32, and prints the share of
faces on which they agree, both accuracies, how many faces int8 redid in fp32 (near-ties),
and ms per face at batch 8 on one thread (mean and median over random batches).
"""

from __future__ import annotations

import dataclasses
import statistics
import time
from pathlib import Path

import numpy as np
import torch

from emotion_app.cli.common import fail
from emotion_app.inference import near_tie
from emotion_app.inference.classifier import EmotionClassifier
from emotion_app.weights import WeightsError
from scripts.support.arguments import script_parser
from training.data import DataError, load_split


def main(argv: list[str] | None = None) -> int:
    parser = script_parser(__file__, __doc__.splitlines()[0])
    parser.add_argument("weights", type=Path)
    parser.add_argument("--data", required=True, help="FER-2013 CSV or folder")
    parser.add_argument("--usage", default="PublicTest", help="split to read (default PublicTest)")
    parser.add_argument("--mode", default="auto", help="auto, int8, fp32 (default auto)")
    parser.add_argument("--batches", type=int, default=200, help="random batches of 8 to time (default 200)")
    parser.add_argument(
        "--margins",
        default="",
        metavar="M,M,...",
        help="int8 only: agreement and share of faces redone at each of these near-tie margins "
        f"(the app uses {near_tie.MARGIN})",
    )
    args = parser.parse_args(argv)

    torch.set_num_threads(1)
    try:
        classifier = EmotionClassifier.load(args.weights)
    except WeightsError as exc:
        return fail(str(exc))
    mode = classifier.optimize(args.mode)
    try:
        faces = load_split(args.data, args.usage, classifier.labels)
    except DataError as exc:
        return fail(str(exc))
    eager = predict_all(classifier, faces.images, eager=True).argmax(1)
    faces_seen_before, faces_redone_before = classifier.faces_seen, classifier.faces_redone
    fast = predict_all(classifier, faces.images).argmax(1)
    faces_seen = classifier.faces_seen - faces_seen_before
    faces_redone = classifier.faces_redone - faces_redone_before
    print(f"{args.weights}: {len(faces)} {args.usage} faces, classes {', '.join(classifier.labels)}; runner {mode}")
    print(f"agreement with eager fp32: {np.mean(fast == eager):.2%}")
    print(f"accuracy: eager {np.mean(eager == faces.labels):.2%}, optimised {np.mean(fast == faces.labels):.2%}")
    if faces_seen:
        print(f"redone in fp32: {faces_redone / faces_seen:.1%} of faces (near-tied after averaging the views)")
    if args.margins and classifier.runner.recheck is not None:
        runner = classifier.runner
        classifier.use_runner(dataclasses.replace(runner, recheck=None))
        rounded = predict_all(classifier, faces.images)
        classifier.use_runner(runner)
        gaps = near_tie.top2_gap(torch.from_numpy(rounded)).numpy()
        for margin in (float(m) for m in args.margins.split(",")):
            redo = gaps < margin
            # A redone face gets fp32 probabilities, so eager's label.
            labels = np.where(redo, eager, rounded.argmax(1))
            print(
                f"near-tie margin {margin:g}: agreement {np.mean(labels == eager):.2%}, {redo.mean():.1%} of faces "
                "redone"
            )

    rng = np.random.default_rng(0)
    fast_ms: list[float] = []
    eager_ms: list[float] = []
    for _ in range(args.batches):
        batch = faces.images[rng.choice(len(faces), 8, replace=False)]
        start = time.perf_counter()
        classifier.predict(batch)
        fast_ms.append((time.perf_counter() - start) * 1000 / 8)
        start = time.perf_counter()
        classifier.predict(batch, eager=True)
        eager_ms.append((time.perf_counter() - start) * 1000 / 8)
    print(
        f"ms/face at batch 8, 1 thread: optimised mean {statistics.fmean(fast_ms):.3f} median "
        f"{statistics.median(fast_ms):.3f}; eager mean {statistics.fmean(eager_ms):.3f} median "
        f"{statistics.median(eager_ms):.3f}; speed-up {statistics.fmean(eager_ms) / statistics.fmean(fast_ms):.2f}x "
        f"(mean), {statistics.median(eager_ms) / statistics.median(fast_ms):.2f}x (median)"
    )
    return 0


def predict_all(classifier: EmotionClassifier, images: np.ndarray, eager: bool = False) -> np.ndarray:
    """predict() over a whole split in slices, so memory stays that of one slice."""
    return np.concatenate(
        [classifier.predict(images[start : start + 512], eager=eager) for start in range(0, len(images), 512)]
    )


if __name__ == "__main__":
    raise SystemExit(main())
