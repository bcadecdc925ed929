"""Choose what the live app needs from a weights file, on real data, and store it in its card.

    python -m training.calibrate_live --weights W --clips ../shared/data/real-clips [--data FER [--votes V]] [--write]

1. **Crop margin and test-time views, on real faces.** Every frame of a labelled range in
   ``CLIPS/truth.csv`` is searched by the app's own face detector (full frame, its default
   settings), each face found is cut at its natural resolution with every candidate margin
   and classified with each candidate set of views (only the card's own views or fewer, so
   the live path never gets slower). A face counts when its label is one the truth accepts.
   The score of a choice is the mean over the labelled ranges of their acceptable shares
   (every range weighs the same: a 200-frame clip does not drown a 40-frame one).
2. **Uncertainty thresholds** (``--data``): on the validation split carved from FER-2013's
   Training (the split every other choice is made on), faces are binned by their top
   probability and by their lead over the runner-up (bins 0.05 wide, at least
   :data:`MIN_BIN_FACES` faces). ``min_top`` / ``min_lead`` are the upper edges of the highest
   bins whose faces are right less than half the time: below them a label is more likely
   wrong than right, and the app marks it uncertain.

``--write`` re-saves the weights file atomically with the chosen margin and views in its
preprocessing and the thresholds in its ``live`` section, plus the figures behind them.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from emotion_app.arguments import ArgumentParser
from emotion_app.faces.detector import FaceDetector
from emotion_app.io.video import InputError, open_input
from emotion_app.link_loops import link_trouble
from emotion_app.preprocessing import Preprocessing, crop_face, to_gray
from emotion_app.wording import count_text

from .arguments import margins_argument
from .data import DataError, check_nameable, numbered_rows
from .stopping import interruptible

if TYPE_CHECKING:
    from emotion_app.inference.classifier import EmotionClassifier

DEFAULT_MARGINS = (-0.1, -0.05, 0.0, 0.05, 0.1, 0.15, 0.2)
BIN_WIDTH = 0.05
MIN_BIN_FACES = 30
# The fewest frames with a face found, over all labelled ranges, for --write to store a
# choice: as calibrate_margin's least number of faces. With none, every choice scored 0 and
# the first was stored; with a few, a frame or two would choose what the card keeps.
MIN_FRAMES_TO_WRITE = 100


# What truth.csv must say of each frame range (a "note" column may follow).
TRUTH_COLUMNS = ("file", "first_frame", "last_frame", "faces", "labels")


def read_truth_ranges(clips: Path) -> list[tuple[str, int, int, int | None, frozenset[str]]]:
    """(file, first, last, faces, acceptable labels) of every range that judges the
    expression. DataError, naming the file and row, for a truth.csv that judges none: with
    no range, every margin scored 0 and the first was called best (and written, --write)."""
    import csv

    truth = clips / "truth.csv"
    check_nameable(clips, "--clips")
    try:
        folder = clips.is_dir()
        there = folder or clips.exists()
    except OSError as exc:  # a folder on the way the user may not search: not Python's "[Errno 13]"
        raise DataError(f"cannot read {clips}: {exc.strerror or exc}") from None
    trouble = "" if there else link_trouble(clips)
    if trouble:  # listed by ls, or behind a loop: "no such folder" would mislead
        raise DataError(f"--clips {clips} {trouble}")
    if not folder:
        raise DataError(f"--clips {clips} is not a folder" if there else f"--clips {clips}: no such folder")
    try:
        handle = open(truth, newline="", encoding="utf-8-sig")  # a spreadsheet's byte-order mark is dropped
    except FileNotFoundError:
        raise DataError(f"--clips {clips} holds no truth.csv (columns {','.join(TRUTH_COLUMNS)})") from None
    except OSError as exc:
        raise DataError(f"cannot read {truth}: {exc.strerror or exc}") from None
    ranges = []
    with handle:
        try:
            reader = csv.DictReader(handle)
            missing = [name for name in TRUTH_COLUMNS if name not in (reader.fieldnames or [])]
            if missing:
                found = ",".join(reader.fieldnames or [])
                raise DataError(f"{truth}: expected columns {','.join(TRUTH_COLUMNS)}, found {found or 'none'}")
            for line, row in numbered_rows(reader):
                labels = frozenset(label.strip() for label in (row["labels"] or "").split("|") if label.strip())
                if not labels or not (row["first_frame"] or "").strip():
                    continue  # a range that judges no expression
                try:
                    faces = (row["faces"] or "").strip()
                    first, last = int(row["first_frame"]), int(row["last_frame"])
                    ranges.append(((row["file"] or "").strip(), first, last, int(faces) if faces else None, labels))
                except (TypeError, ValueError):  # a word, or a row cut short (None)
                    raise DataError(
                        f"{truth}, line {line}: first_frame, last_frame and faces must be whole numbers"
                    ) from None
        except (UnicodeDecodeError, csv.Error) as exc:
            raise DataError(f"{truth}: not a UTF-8 CSV ({type(exc).__name__})") from None
    if not ranges:
        raise DataError(f"{truth}: no frame range has labels to judge the crops by")
    return ranges


def labelled_faces(
    clips: Path, detector: FaceDetector
) -> list[tuple[int, np.ndarray, list[tuple[int, int, int, int]]]]:
    """(range index, gray frame, face boxes) for every frame of every labelled range.

    A range that expects n faces keeps the n largest boxes found (1 when it does not say)."""
    ranges = read_truth_ranges(clips)
    found = []
    for index, (name, first, last, faces, _labels) in enumerate(ranges):
        media = open_input(clips / name)
        for frame_index, _time, frame in media.frames():
            if frame_index > last:
                break
            if frame_index < first:
                continue
            gray = to_gray(frame)
            boxes = sorted(detector.detect_gray(gray), key=lambda b: -b[2] * b[3])[: faces or 1]
            if boxes:
                found.append((index, gray, boxes))
    return found


def view_choices(spec: Preprocessing) -> dict[str, Preprocessing]:
    """The card's own test-time views and every smaller set of them (never more)."""
    choices = {"as card": spec, "single view": dataclasses.replace(spec, flip_tta=False, tta_zooms=())}
    if spec.flip_tta and spec.tta_zooms:
        choices["flip only"] = dataclasses.replace(spec, tta_zooms=())
    return choices


def score_margins(
    classifier: EmotionClassifier, clips: Path, margins: list[float]
) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    ranges = read_truth_ranges(clips)
    found = labelled_faces(clips, FaceDetector())
    table: dict[str, dict[str, Any]] = {}
    original = classifier.preprocessing
    try:
        for views, view_spec in view_choices(original).items():
            for margin in margins:
                spec = dataclasses.replace(view_spec, crop_margin=margin)
                classifier.preprocessing = spec  # predict() reads the views from here
                per_range = np.zeros(len(ranges))
                counts = np.zeros(len(ranges))
                for index, gray, boxes in found:
                    crops = np.stack([crop_face(gray, box, spec) for box in boxes])
                    predicted = classifier.predict(crops).argmax(1)
                    per_range[index] += np.mean([classifier.labels[p] in ranges[index][4] for p in predicted])
                    counts[index] += 1
                shares = [float(a / c) if c else None for a, c in zip(per_range, counts)]
                usable = [s for s in shares if s is not None]
                table[f"{views} @ {margin:+.2f}"] = {
                    "views": views,
                    "margin": margin,
                    "mean": float(np.mean(usable)) if usable else 0.0,
                    "ranges": shares,
                }
    finally:
        classifier.preprocessing = original
    described = [
        {
            "file": name,
            "frames": f"{first}-{last}",
            "labels": "|".join(sorted(labels)),
            "frames_with_face": int(sum(1 for index, _g, _b in found if index == i)),
        }
        for i, (name, first, last, _faces, labels) in enumerate(ranges)
    ]
    return table, described


def too_few_frames(judged: int) -> str:
    """Why a choice made on ``judged`` frames with a face found is not stored."""
    if not judged:
        return (
            "no face was found in any frame of the labelled ranges (the margin and views are chosen on "
            f"{MIN_FRAMES_TO_WRITE} at least)"
        )
    return (
        f"a face was found in only {count_text(judged, 'frame')} of the labelled ranges, too few to choose the "
        f"margin and views from (at least {MIN_FRAMES_TO_WRITE})"
    )


def threshold_from_bins(statistic: np.ndarray, correct: np.ndarray) -> tuple[float, list[dict[str, float]]]:
    """Upper edge of the highest bin (BIN_WIDTH wide, MIN_BIN_FACES or more) right < 50% of the time."""
    bins = []
    threshold = 0.0
    for low in np.arange(0.0, 1.0, BIN_WIDTH):
        high = low + BIN_WIDTH
        inside = (statistic >= low) & (statistic < high if high < 1.0 - 1e-9 else statistic <= 1.0)
        if inside.sum() < MIN_BIN_FACES:
            continue
        accuracy = float(correct[inside].mean())
        bins.append(
            {
                "from": round(float(low), 2),
                "to": round(float(high), 2),
                "faces": int(inside.sum()),
                "accuracy": round(accuracy, 4),
            }
        )
        if accuracy < 0.5:
            threshold = round(float(high), 2)
    return threshold, bins


def validation_faces(classifier: EmotionClassifier, data: str, votes: str) -> tuple[np.ndarray, np.ndarray, str]:
    """The validation faces the model was selected on, with the labels it learned: its own
    split settings (``split_seed``, never ``seed``), and FER+ majorities when given votes."""
    from .checkpoints import FINGERPRINT_KEY, check_validation_faces, note_other_labels, selection_config
    from .datasets import load_data

    note_other_labels(classifier.card.training, str(classifier.source), votes)
    split = load_data(selection_config(classifier.card.training, data, len(classifier.labels), votes))
    recorded = classifier.card.training.get(FINGERPRINT_KEY)
    check_validation_faces(recorded, str(classifier.source), data, split.validation_fingerprint)
    return split.val_images.numpy(), split.val_labels.numpy(), "FER+ majority" if votes else "FER-2013"


def uncertainty_thresholds(classifier: EmotionClassifier, data: str, limit: int, votes: str = "") -> dict[str, Any]:
    images, labels, label_name = validation_faces(classifier, data, votes)
    val_idx = np.arange(len(labels))
    if len(val_idx) > limit:
        val_idx = np.sort(np.random.default_rng(0).choice(val_idx, limit, replace=False))
    probabilities = classifier.predict(images[val_idx])
    correct = probabilities.argmax(1) == labels[val_idx]
    ordered = np.sort(probabilities, axis=1)
    top, lead = ordered[:, -1], ordered[:, -1] - ordered[:, -2]
    min_top, top_bins = threshold_from_bins(top, correct)
    min_lead, lead_bins = threshold_from_bins(lead, correct)
    uncertain = (top < min_top) | (lead < min_lead)
    return {
        "min_top": min_top,
        "min_lead": min_lead,
        "chosen_on": f"{len(val_idx)} validation faces ({label_name} labels): the label is right less than half the "
        "time below these",
        "share_marked": round(float(uncertain.mean()), 4),
        "accuracy_marked": round(float(correct[uncertain].mean()), 4) if uncertain.any() else None,
        "accuracy_unmarked": round(float(correct[~uncertain].mean()), 4) if (~uncertain).any() else None,
        "top_bins": top_bins,
        "lead_bins": lead_bins,
    }


@interruptible
def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(prog="python -m training.calibrate_live", description=__doc__.split("\n\n")[0])
    parser.add_argument("--weights", type=Path, default=None, help="weights file (default: the shipped one)")
    parser.add_argument(
        "--clips",
        type=Path,
        required=True,
        help="folder of real clips with a truth.csv (e.g. ../shared/data/real-clips)",
    )
    parser.add_argument(
        "--data",
        default=None,
        help="FER-2013 (CSV or folders): choose the uncertainty thresholds on its validation split",
    )
    parser.add_argument(
        "--votes",
        default="",
        help="FER+ votes: judge the thresholds against the --data validation faces' FER+ majorities (for a model "
        "trained on them; needs --data)",
    )
    parser.add_argument(
        "--margins",
        type=margins_argument,
        default=",".join(str(m) for m in DEFAULT_MARGINS),
        help="comma-separated crop margins to try (default %(default)s)",
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=3000,
        help="validation faces for the thresholds (seeded sample; default %(default)s)",
    )
    parser.add_argument(
        "--write",
        action="store_true",
        help=f"store the choices in the weights file's card (refused where a face is found in fewer than "
        f"{MIN_FRAMES_TO_WRITE} frames of the labelled ranges)",
    )
    args = parser.parse_args(argv)
    if args.limit < 1:  # 0 wrote "NaN" shares into the card; a negative one was numpy's words
        parser.error(f"--limit must be at least 1, got {args.limit}")
    if args.votes and not args.data:  # was left unused without a word, after minutes of clips
        parser.error("--votes judges the thresholds on --data's validation faces; give --data too")
    # The engine (torch) loads only now: --help and a bad argument answer at once.
    from emotion_app.inference.classifier import EmotionClassifier
    from emotion_app.weights import WeightsError, load_model

    from .outputs import check_weights_writable, wrote_weights

    try:
        margins = list(args.margins)
        read_truth_ranges(args.clips)  # told at once, not after the model and the data
        classifier = EmotionClassifier.load(args.weights, optimize=True)
        check_weights_writable(classifier.source, args.write)
        # The data first: a wrong --data or --votes is told at once, not after minutes of clips.
        uncertain = uncertainty_thresholds(classifier, args.data, args.limit, args.votes) if args.data else None
        table, ranges = score_margins(classifier, args.clips, margins)
    except (WeightsError, DataError, InputError, OSError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for i, described in enumerate(ranges):
        print(
            f"range {i}: {described['file']} frames {described['frames']} ({described['labels']}): face found in "
            f"{described['frames_with_face']} frames"
        )
    judged = sum(described["frames_with_face"] for described in ranges)
    too_few = judged < MIN_FRAMES_TO_WRITE
    if too_few and args.write:  # the card keeps its margin, views and thresholds
        print(f"error: --write: {too_few_frames(judged)}; nothing written", file=sys.stderr)
        return 2
    current = classifier.preprocessing.crop_margin
    for key, row in table.items():
        shares = " ".join("-" if s is None else f"{s:.3f}" for s in row["ranges"])
        print(f"{key:>22}: mean {row['mean']:.3f}  per range {shares}")
    # Ties go to the card's own views, then to the margin nearest the current one.
    best_key = max(
        table,
        key=lambda k: (round(table[k]["mean"], 6), table[k]["views"] == "as card", -abs(table[k]["margin"] - current)),
    )
    best = table[best_key]
    print(f"best: {best_key} (mean acceptable {best['mean']:.3f}; the file has margin {current:+.2f})")
    if uncertain is not None:
        print(
            f"uncertain below top probability {uncertain['min_top']:.2f} or lead {uncertain['min_lead']:.2f}: "
            f"{uncertain['share_marked']:.1%} of validation faces marked, right {uncertain['accuracy_marked']} "
            f"against {uncertain['accuracy_unmarked']} unmarked"
        )
    if too_few:
        print(f"note: {too_few_frames(judged)}; --write would refuse it")
    if args.write and classifier.source is not None:
        model, card = load_model(classifier.source)
        chosen = view_choices(card.preprocessing)[best["views"]]
        preprocessing = dataclasses.replace(chosen, crop_margin=best["margin"])
        live = dict(card.live)
        live["crop_calibration"] = {
            "command": "python -m training.calibrate_live",
            "ranges": ranges,
            "mean_acceptable": {k: round(v["mean"], 4) for k, v in table.items()},
            "chosen": best_key,
        }
        if uncertain is not None:
            live["uncertain"] = {
                k: uncertain[k]
                for k in ("min_top", "min_lead", "chosen_on", "share_marked", "accuracy_marked", "accuracy_unmarked")
            }
        new_card = dataclasses.replace(card, preprocessing=preprocessing, live=live)
        if not wrote_weights(classifier.source, model, new_card):
            return 2
        print(f"wrote {best_key} and the uncertainty thresholds into {classifier.source}")
    print(json.dumps({"best": best_key, "margins": table, "ranges": ranges, "uncertain": uncertain}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
