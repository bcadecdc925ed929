"""Evaluate a weights file on FER-2013 (CSV, train/test folders, or any <emotion>/ folders).

    python -m training.evaluate --data /path/to/fer2013 --split PublicTest [--weights W] [--tta]

    python -m training.evaluate --data /path/to/fer2013 --labels ferplus --votes ferplus-votes.csv

Prints a report and, as its last line, one JSON object with at least accuracy, macro_f1, n
(against the original labels), split (null for a plain <emotion>/ folder, scored whole),
data and, with FER+ votes, a "ferplus" object with the same
figures against each face's FER+ majority (ties and majorities outside the model's
classes left out, counted in "left_out").
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

from emotion_app.arguments import ArgumentParser
from emotion_app.io.atomic import OutputError, write_text

from .data import CLASSES_7, USAGES, DataError, FaceSet, has_splits, load_split
from .ferplus import read_votes, relabel
from .stopping import interruptible

# What a report writes in its --out (the FER+ matrix with --votes only).
REPORT_FILES = ("report.json", "confusion_matrix.png", "confusion_matrix_ferplus.png")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = ArgumentParser(
        prog="python -m training.evaluate",
        description="Score a weights file on labelled faces: accuracy, per-class precision/recall/F1, macro-F1, "
        "confusion matrix.",
    )
    parser.add_argument(
        "--weights", default=None, help="weights file (default: the shipped weights/emotion_cnn.safetensors)"
    )
    parser.add_argument(
        "--data",
        required=True,
        help="fer2013.csv, a folder with train/ and test/, or a folder of <emotion>/ subfolders",
    )
    parser.add_argument(
        "--split",
        default="PublicTest",
        choices=USAGES,
        help="which FER-2013 split (ignored for a plain <emotion>/ folder); default PublicTest",
    )
    parser.add_argument(
        "--tta",
        action="store_true",
        help="average each face's prediction with its horizontal mirror (always on for a model whose card sets "
        "flip_tta)",
    )
    parser.add_argument(
        "--labels",
        default="",
        choices=("fer2013", "ferplus"),  # the default "" (chosen by --votes) is not one to type
        help="ferplus: also score against the FER+ majority of each face (needs --votes); default: ferplus when "
        "--votes is given",
    )
    parser.add_argument(
        "--votes",
        default="",
        help="FER+ votes: the per-file votes CSV (image-folder data) or Microsoft's fer2013new.csv (with fer2013.csv)",
    )
    parser.add_argument(
        "--out",
        default=None,
        help="folder for confusion_matrix.png and report.json (an earlier report's there are replaced, "
        "as a note at the start says)",
    )
    return parser.parse_args(argv)


def print_report(title: str, report: dict[str, Any]) -> None:
    print(title)
    print(f"{'class':<10} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}")
    for name, row in report["per_class"].items():
        print(f"{name:<10} {row['precision']:>9.4f} {row['recall']:>7.4f} {row['f1']:>6.4f} {row['support']:>8d}")
    print(f"accuracy {report['accuracy']:.4f}  macro-F1 {report['macro_f1']:.4f}")


def write_outputs(out: Path, report: dict[str, Any], labels: tuple[str, ...], scored: str) -> None:
    """The confusion matrices (titled with ``scored``, the faces scored) and report.json in
    ``out``, each replaced whole or not at all."""
    from .plots import plot_confusion

    out.mkdir(parents=True, exist_ok=True)
    written = [out / "confusion_matrix.png"]
    plot_confusion(
        np.array(report["confusion_matrix"]),
        labels,
        written[0],
        f"{scored}, FER-2013 labels: accuracy {report['accuracy']:.3f}",
    )
    ferplus_matrix = out / "confusion_matrix_ferplus.png"
    if "ferplus" in report:
        plot_confusion(
            np.array(report["ferplus"]["confusion_matrix"]),
            labels,
            ferplus_matrix,
            f"{scored}, FER+ majority: accuracy {report['ferplus']['accuracy']:.3f}",
        )
        written.append(ferplus_matrix)
    write_text(out / "report.json", json.dumps(report, indent=2) + "\n")
    written.append(out / "report.json")
    print(f"wrote {', '.join(str(path) for path in written[:-1])} and {written[-1]}")
    if "ferplus" not in report and ferplus_matrix.is_file():
        # An earlier report's with FER+ votes: beside this one it would pass for this model's.
        ferplus_matrix.unlink()
        print(f"removed the earlier {ferplus_matrix} (this report has no FER+ figures)")


def describe_views(flip_tta: bool, zooms: tuple[float, ...]) -> str:
    """The test-time views a score averaged, in words ("single view", "flip TTA, zoom 0.9")."""
    parts = (["flip TTA"] if flip_tta else []) + [f"zoom {zoom}" for zoom in zooms]
    return ", ".join(parts) or "single view"


@interruptible
def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    ferplus = (args.labels or ("ferplus" if args.votes else "fer2013")) == "ferplus"
    if ferplus and not args.votes:
        print("error: --labels ferplus needs --votes (the FER+ votes CSV)", file=sys.stderr)
        return 2
    if args.votes and not ferplus:  # was left unused without a word, as train refuses it
        print("error: --votes is only used with --labels ferplus", file=sys.stderr)
        return 2
    # The engine (torch) loads only now: --help and a bad argument answer at once.
    from .outputs import missing_among, remove_if_empty

    made = missing_among([Path(args.out)] if args.out else [])
    try:
        return report_on(args, ferplus, made)
    except KeyboardInterrupt:
        # A stop (Ctrl-C, SIGTERM) before the report is written leaves no empty --out either.
        remove_if_empty(made)
        raise


def report_on(args: argparse.Namespace, ferplus: bool, made: list[Path]) -> int:
    """Score and report as ``args`` say; ``made``: the folders of --out this run made."""
    from emotion_app.inference.classifier import EmotionClassifier
    from emotion_app.weights import WeightsError

    from .outputs import check_out_folder, note_replaced_outputs, remove_if_empty
    from .scoring import score

    try:
        if args.out:
            check_out_folder(Path(args.out), REPORT_FILES)
            note_replaced_outputs(Path(args.out), REPORT_FILES, "report")
        classifier = EmotionClassifier.load(args.weights)
        faces = load_split(args.data, args.split, classifier.labels)
        majority: FaceSet | None = None
        if ferplus:
            majority, _ = relabel(
                load_split(args.data, args.split, CLASSES_7), read_votes(args.votes), classifier.labels
            )
    except (WeightsError, DataError) as exc:
        remove_if_empty(made)  # a --data or --weights that is not there must not leave an empty --out
        print(f"error: {exc}", file=sys.stderr)
        return 2
    # A model whose card asks for flip TTA is always scored the way the app runs it.
    flip_tta = bool(args.tta or classifier.preprocessing.flip_tta)
    views = describe_views(flip_tta, classifier.preprocessing.tta_zooms)
    # A plain <emotion>/ folder is scored whole: no FER-2013 split, whatever --split says.
    split = args.split if has_splits(args.data) else None
    scored = split or f"all of {Path(args.data).name}/"
    report = score(classifier, faces, flip_tta)
    report.update(
        {
            "excluded": faces.skipped,  # faces of classes the model lacks, left out
            "split": split,
            "data": os.path.abspath(args.data),
            "weights": str(classifier.source),
            "tta": flip_tta,
            "tta_zooms": list(classifier.preprocessing.tta_zooms),
            "labels": list(classifier.labels),
            "trained_on": classifier.card.training.get("labels", "fer2013"),
        }
    )
    print_report(
        f"{faces.source}: {len(faces)} faces, original FER-2013 labels"
        + (f" (left out, not in the model: {faces.skipped})" if faces.skipped else "")
        + f"; {views}",
        report,
    )
    if majority is not None:
        report["ferplus"] = score(classifier, majority, flip_tta) | {"left_out": majority.skipped, "votes": args.votes}
        print_report(
            f"{scored} against the FER+ majority: {len(majority)} faces (left out: {majority.skipped}); {views}",
            report["ferplus"],
        )
    if args.out:
        try:
            write_outputs(Path(args.out), report, classifier.labels, scored)
        except OutputError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    summary = {k: report[k] for k in ("accuracy", "macro_f1", "n", "excluded", "split", "data", "tta")}
    summary["per_class_f1"] = {k: v["f1"] for k, v in report["per_class"].items()}
    if "ferplus" in report:
        summary["ferplus"] = {k: report["ferplus"][k] for k in ("accuracy", "macro_f1", "n", "left_out")}
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
