"""Choose the crop margin that frames a live Haar box the way FER-2013 frames its faces.

The classifier was trained on FER-2013's own 48x48 crops, but in the app it sees crops
cut around an OpenCV Haar box. This tool re-creates that path on *validation* faces
(the split carved from Training, never a test split): each face is enlarged, set in a
larger frame, found by the app's FaceDetector, cut with `crop_face` at several margins,
and classified. The margin with the best validation accuracy is the one to ship.

    python -m training.calibrate_margin --weights W --data /path/to/fer2013 [--write]
"""

from __future__ import annotations

import dataclasses
import json
import sys
from typing import Any

import cv2
import numpy as np

from emotion_app.arguments import ArgumentParser
from emotion_app.faces.detector import FaceDetector
from emotion_app.preprocessing import crop_face, to_gray
from emotion_app.wording import count_text

from .arguments import margins_argument
from .data import DataError, FaceSet, check_split_layout, load_split
from .stopping import interruptible

UPSCALE = 4  # 48 px faces become 192 px, a typical webcam face size
CANVAS_PAD = 64
# The fewest faces Haar must find for --write to store a margin. Each face found is 1/N of
# every margin's accuracy: below a hundred, one face is more than a percentage point of it,
# and a face or two would choose the margin the card keeps.
MIN_FACES_TO_WRITE = 100


def staged_frames(images: np.ndarray) -> list[np.ndarray]:
    """Each face enlarged and set in a bigger frame with replicated borders."""
    frames = []
    for image in images:
        big = cv2.resize(image, None, fx=UPSCALE, fy=UPSCALE, interpolation=cv2.INTER_CUBIC)
        frames.append(cv2.copyMakeBorder(big, CANVAS_PAD, CANVAS_PAD, CANVAS_PAD, CANVAS_PAD, cv2.BORDER_REPLICATE))
    return frames


def validation_faces(
    card_training: dict[str, Any], training: FaceSet, limit: int, weights: str = "the weights file"
) -> tuple[np.ndarray, np.ndarray]:
    """Images and labels of the faces the model was selected on, a seeded sample of at most
    ``limit``: its run's validation split (chosen by the split seed, not the seed), so no
    face it trained on is scored. DataError when the card records other held-out faces
    (``training`` is another copy or order of the data)."""
    from .checkpoints import FINGERPRINT_KEY, check_validation_faces, recorded_config
    from .datasets import split_indices, validation_fingerprint

    _, val_idx = split_indices(training.labels, recorded_config(card_training.get("config", {})))
    held_out = validation_fingerprint(training.images[val_idx], training.labels[val_idx], training.classes)
    check_validation_faces(card_training.get(FINGERPRINT_KEY), weights, training.source, held_out)
    if len(val_idx) > limit:
        val_idx = np.sort(np.random.default_rng(0).choice(val_idx, limit, replace=False))
    return training.images[val_idx], training.labels[val_idx]


def too_few_faces(found: int, faces: int, limit: int) -> str:
    """Why a margin chosen from ``found`` faces (of ``faces`` staged, at most ``limit``) is not
    stored, and what would give more."""
    more = "; a larger --limit gives more" if faces >= limit else ""
    return (
        f"Haar found a face in only {found} of {count_text(faces, 'validation face')}, too few to choose a margin from "
        f"(at least {MIN_FACES_TO_WRITE}{more})"
    )


@interruptible
def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(prog="python -m training.calibrate_margin", description=__doc__.split("\n\n")[1])
    parser.add_argument("--weights", default=None, help="weights file (default: the shipped one)")
    parser.add_argument("--data", required=True, help="FER-2013 (CSV or folders); its Training split is used")
    parser.add_argument(
        "--margins",
        type=margins_argument,
        default="0,0.05,0.1,0.15,0.2,0.25,0.3",
        help="comma-separated margins to try (default %(default)s)",
    )
    parser.add_argument(
        "--limit", type=int, default=1500, help="validation faces to use (seeded sample; default %(default)s)"
    )
    parser.add_argument(
        "--write",
        action="store_true",
        help=f"store the best margin in the weights file (refused where Haar finds fewer than {MIN_FACES_TO_WRITE} "
        "faces)",
    )
    args = parser.parse_args(argv)
    if args.limit < 1:
        parser.error(f"--limit must be at least 1, got {args.limit}")
    # The engine (torch) loads only now: --help and a bad argument answer at once.
    from emotion_app.inference.classifier import EmotionClassifier
    from emotion_app.weights import WeightsError, load_model

    from .outputs import check_weights_writable, wrote_weights

    try:
        classifier = EmotionClassifier.load(args.weights)
        check_weights_writable(classifier.source, args.write)
        check_split_layout(args.data)  # a plain folder would be taken whole as Training: test faces too
        training = load_split(args.data, "Training", classifier.labels)
        images, labels = validation_faces(classifier.card.training, training, args.limit, str(classifier.source))
    except (WeightsError, DataError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    direct_correct = classifier.predict(images).argmax(1) == labels
    direct = float(direct_correct.mean())
    detector = FaceDetector()
    found: list[tuple[np.ndarray, tuple[int, int, int, int], int]] = []
    found_index = []
    for index, (frame, label) in enumerate(zip(staged_frames(images), labels)):
        boxes = detector.detect(frame)
        if boxes:
            found.append((frame, max(boxes, key=lambda b: b[2] * b[3]), int(label)))
            found_index.append(index)
    direct_found = float(direct_correct[found_index].mean()) if found_index else 0.0
    print(
        f"{len(images)} validation faces: accuracy on FER's own crops {direct:.4f}; Haar found a face in {len(found)} "
        f"(accuracy on their own crops {direct_found:.4f})"
    )
    if not found:
        print("error: the detector found no faces; nothing to calibrate", file=sys.stderr)
        return 2
    too_few = len(found) < MIN_FACES_TO_WRITE
    if too_few and args.write:  # refused before the margins are scored: the card is not replaced
        print(f"error: --write: {too_few_faces(len(found), len(images), args.limit)}; nothing written", file=sys.stderr)
        return 2
    results = {}
    for margin in args.margins:
        spec = dataclasses.replace(classifier.preprocessing, crop_margin=margin)
        crops = np.stack([crop_face(to_gray(frame), box, spec) for frame, box, _ in found])
        truth = np.array([label for _, _, label in found])
        results[margin] = float((classifier.predict(crops).argmax(1) == truth).mean())
        print(f"margin {margin:.2f}: accuracy {results[margin]:.4f} on Haar crops")
    best = max(results, key=lambda m: results[m])
    print(f"best margin {best:.2f} (file has {classifier.preprocessing.crop_margin:.2f})")
    if too_few:
        print(f"note: {too_few_faces(len(found), len(images), args.limit)}; --write would refuse it")
    if args.write and classifier.source is not None:
        model, card = load_model(classifier.source)
        training_meta = dict(
            card.training,
            crop_margin_calibration={
                "validation_faces": len(found),
                "accuracy_by_margin": results,
                "direct_accuracy": direct,
            },
        )
        # replace(), not a new card: every other section (the live thresholds) stays.
        new_card = dataclasses.replace(
            card, preprocessing=dataclasses.replace(card.preprocessing, crop_margin=best), training=training_meta
        )
        if not wrote_weights(classifier.source, model, new_card):
            return 2
        print(f"wrote crop_margin={best} into {classifier.source}")
    print(
        json.dumps(
            {
                "best_margin": best,
                "accuracy_by_margin": results,
                "direct_accuracy": direct,
                "direct_accuracy_found": direct_found,
                "faces_found": len(found),
                "faces": len(images),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
