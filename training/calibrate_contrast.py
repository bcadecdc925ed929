"""Choose how much contrast a live face crop needs before the model sees it.

FER-2013's faces are almost all well lit: few have a small spread between their 1st
and 99th percentile pixels. A face on a dim stage or in a dark room can have far less
than nearly all of them, and the model, which never saw such a face, reads it badly
(the figures are in weights/README.md, "Low-contrast faces"). The card's
``low_contrast`` (full, none) stretches such crops: fully at a spread of ``full`` or
less, not at all from ``none``, proportionally between. Both bounds are percentiles of
the spread over the faces the model *trained* on (its run's training part, never the
validation split or a test split), so faces like those it learned from are left as they
are; the validation split then shows what the rule changes.

    python -m training.calibrate_contrast --data FER [--votes VOTES.csv] [--weights W] [--write]
"""

from __future__ import annotations

import dataclasses
import json
import sys
from typing import TYPE_CHECKING, Any

import numpy as np

from emotion_app.arguments import ArgumentParser
from emotion_app.preprocessing import contrast

from .stopping import interruptible

if TYPE_CHECKING:
    from emotion_app.inference.classifier import EmotionClassifier

# The bounds, as percentiles of the training faces' contrast: below the lowest 0.1% a
# crop is stretched fully, from the lowest 1% up it is left alone.
FULL_PERCENTILE = 0.1
NONE_PERCENTILE = 1.0


def choose_bounds(train_faces: np.ndarray) -> tuple[float, float]:
    """(full, none) from the training faces' contrast (rounded to whole pixel levels)."""
    spread = contrast(train_faces)
    full, none = np.percentile(spread, [FULL_PERCENTILE, NONE_PERCENTILE])
    full, none = float(round(full)), float(round(none))
    return (full, none) if full < none else (max(0.0, none - 1.0), none)


def accuracy(classifier: EmotionClassifier, faces: np.ndarray, labels: np.ndarray) -> float:
    predicted = np.concatenate([classifier.predict(faces[i : i + 256]).argmax(1) for i in range(0, len(faces), 256)])
    return float((predicted == labels).mean())


@interruptible
def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(prog="python -m training.calibrate_contrast", description=__doc__.split("\n\n")[1])
    parser.add_argument("--weights", default=None, help="weights file (default: the shipped one)")
    parser.add_argument("--data", required=True, help="FER-2013 (CSV or folders)")
    parser.add_argument("--votes", default="", help="FER+ votes CSV, for a model trained on them")
    parser.add_argument("--write", action="store_true", help="store the bounds in the weights file's card")
    args = parser.parse_args(argv)
    # The engine (torch) loads only now: --help and a bad argument answer at once.
    from emotion_app.inference.classifier import EmotionClassifier
    from emotion_app.weights import WeightsError, load_model

    from .checkpoints import FINGERPRINT_KEY, check_validation_faces, note_other_labels, selection_config
    from .data import DataError
    from .datasets import load_data
    from .outputs import check_weights_writable, wrote_weights

    try:
        classifier = EmotionClassifier.load(args.weights)
        check_weights_writable(classifier.source, args.write)
        note_other_labels(classifier.card.training, str(classifier.source), args.votes)
        split = load_data(selection_config(classifier.card.training, args.data, len(classifier.labels), args.votes))
        recorded = classifier.card.training.get(FINGERPRINT_KEY)
        check_validation_faces(recorded, str(classifier.source), args.data, split.validation_fingerprint)
    except (WeightsError, DataError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    train_faces = split.train_images.numpy()
    val_faces, val_labels = split.val_images.numpy(), split.val_labels.numpy()
    full, none = choose_bounds(train_faces)
    original = classifier.preprocessing
    off = dataclasses.replace(original, low_contrast=())
    on = dataclasses.replace(original, low_contrast=(full, none))
    val_spread = contrast(val_faces)
    touched = val_spread < none
    results: dict[str, Any] = {
        "low_contrast": [full, none],
        "training_faces": len(train_faces),
        "validation_faces": len(val_faces),
        "validation_faces_changed": int(touched.sum()),
        "labels": "FER+ majority" if args.votes else "FER-2013",
    }
    try:
        for name, spec in (("off", off), ("on", on)):
            classifier.preprocessing = spec  # predict() reads the views and the rule from here
            results[f"validation_accuracy_{name}"] = accuracy(classifier, val_faces, val_labels)
            if touched.any():
                results[f"changed_faces_accuracy_{name}"] = accuracy(
                    classifier, val_faces[touched], val_labels[touched]
                )
    finally:
        classifier.preprocessing = original
    print(
        f"training faces: contrast below {full:.0f} in {FULL_PERCENTILE}% of them, below {none:.0f} in "
        f"{NONE_PERCENTILE}%; low_contrast = ({full:.0f}, {none:.0f})"
    )
    print(
        f"validation ({results['labels']}, {len(val_faces)} faces, {int(touched.sum())} of them stretched): accuracy "
        f"{results['validation_accuracy_off']:.4f} without, {results['validation_accuracy_on']:.4f} with"
    )
    if args.write and classifier.source is not None:
        model, card = load_model(classifier.source)
        # replace(), not a new card: every other section (the live thresholds) stays.
        new_card = dataclasses.replace(
            card,
            preprocessing=dataclasses.replace(card.preprocessing, low_contrast=(full, none)),
            training=dict(card.training, low_contrast_calibration=results),
        )
        if not wrote_weights(classifier.source, model, new_card):
            return 2
        print(f"wrote low_contrast=({full:.0f}, {none:.0f}) into {classifier.source}")
    print(json.dumps(results, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
