"""Live quality: what the app would show on real clips, scored against hand-made truth.

    python -m scripts.live_quality CLIPS_DIR [--json] [--weights W]

Runs the core pipeline, set up as the app sets it up (its default steadiness, its detector),
on every file named in ``CLIPS_DIR/truth.csv`` and prints, per clip and overall:

- label changes per minute of tracked face time (a track's shown label differing from its
  previous frame's; a new track's first label is not a change);
- per truth range with labels: the share of its frames in which the face shows an
  acceptable label (a frame with no face shown counts as not acceptable), and the share
  shown as a confident wrong label (neither acceptable nor marked uncertain);
- frames needed to follow a labelled change: from the first frame of a range whose labels
  differ from the range before, how many frames until the shown label is acceptable and
  stays so for half a second (0 when it already was);
- the share of frames whose face count matches the truth.

truth.csv columns: file, first_frame, last_frame, faces, labels, note (``|`` separates
acceptable labels; an empty field = no judgement). Frames between ranges have no truth.
The pipeline runs with inline (deterministic) new-face scans, where the app runs them on a
background thread, so a figure is the same on every run.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import Callable, Iterable


from emotion_app.inference.classifier import EmotionClassifier
from emotion_app.faces.detector import FaceDetector
from emotion_app.pipeline import EmotionPipeline
from emotion_app.io.video import InputError, open_input

# A followed change must hold this long to count as followed (seconds).
FOLLOW_HOLD_S = 0.5
# What the app uses today (gui/settings.py DEFAULT_SMOOTHING): a per-frame EMA factor.
APP_SMOOTHING = 0.6


@dataclass(frozen=True)
class TruthRange:
    first: int
    last: int
    faces: int | None
    labels: frozenset[str]  # empty: no judgement of the expression

    def covers(self, frame: int) -> bool:
        return self.first <= frame <= self.last


@dataclass(frozen=True)
class ShownFace:
    track_id: int
    label: str
    uncertain: bool


@dataclass
class ClipRecord:
    """What was shown in every frame of one clip."""

    name: str
    fps: float | None
    frames: list[tuple[int, list[ShownFace]]] = field(default_factory=list)


def read_truth(path: Path) -> dict[str, list[TruthRange]]:
    """File name -> its truth ranges (in file order); files without ranges map to []."""
    clips: dict[str, list[TruthRange]] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            ranges = clips.setdefault(row["file"].strip(), [])
            if not row["first_frame"].strip():
                continue
            faces = row["faces"].strip()
            labels = frozenset(label.strip() for label in row["labels"].split("|") if label.strip())
            ranges.append(TruthRange(int(row["first_frame"]), int(row["last_frame"]), int(faces) if faces else None, labels))
    return clips


def run_clip(path: Path, make_pipeline: Callable[[], EmotionPipeline]) -> ClipRecord:
    """Every frame's shown faces, from a fresh pipeline (stills: no tracking across images)."""
    media = open_input(path)
    record = ClipRecord(path.name, media.fps)
    with make_pipeline() as pipeline:
        for index, _time_s, frame in media.frames():
            if media.kind != "video":
                pipeline.reset()
            faces = pipeline.process(frame)
            record.frames.append((index, [ShownFace(f.track_id, f.label, bool(getattr(f, "uncertain", False))) for f in faces]))
    return record


def label_changes(record: ClipRecord) -> tuple[int, int]:
    """(label changes, face-frames) over all tracks of a clip."""
    last_label: dict[int, str] = {}
    changes = face_frames = 0
    for _index, faces in record.frames:
        for face in faces:
            face_frames += 1
            previous = last_label.get(face.track_id)
            if previous is not None and previous != face.label:
                changes += 1
            last_label[face.track_id] = face.label
    return changes, face_frames


def _acceptable_count(faces: list[ShownFace], labels: frozenset[str]) -> int:
    return sum(face.label in labels for face in faces)


def score_range(record: ClipRecord, truth: TruthRange) -> dict[str, Any]:
    frames = [(index, faces) for index, faces in record.frames if truth.covers(index)]
    result: dict[str, Any] = {"first": truth.first, "last": truth.last, "frames": len(frames)}
    if truth.faces is not None:
        result["faces"] = truth.faces
        result["count_match"] = _share(sum(len(faces) == truth.faces for _i, faces in frames), len(frames))
    if truth.labels:
        wanted = truth.faces or 1
        acceptable = confident_wrong = 0.0
        for _index, faces in frames:
            good = min(_acceptable_count(faces, truth.labels), wanted)
            acceptable += good / wanted
            wrong = sum(face.label not in truth.labels and not face.uncertain for face in faces)
            confident_wrong += min(wrong, wanted) / wanted
        result["labels"] = "|".join(sorted(truth.labels))
        result["acceptable"] = _share(acceptable, len(frames))
        result["confident_wrong"] = _share(confident_wrong, len(frames))
    return result


def follow_lags(record: ClipRecord, ranges: list[TruthRange]) -> list[dict[str, Any]]:
    """Frames from the start of each range whose labels differ from the previous range's
    until the shown label is acceptable and holds for :data:`FOLLOW_HOLD_S`."""
    labelled = [r for r in ranges if r.labels]
    by_index = dict(record.frames)
    hold = max(1, round(FOLLOW_HOLD_S * (record.fps or 25.0)))
    lags = []
    for before, after in zip(labelled, labelled[1:]):
        if before.labels == after.labels:
            continue
        lag: int | None = None
        # The change may show during the untruthed frames between the ranges: then 0.
        for start in range(before.last + 1, after.last + 1):
            stop = min(start + hold, after.last + 1)
            if all(_acceptable_count(by_index.get(i, []), after.labels) > 0 for i in range(start, stop)):
                lag = max(0, start - after.first)
                break
        lags.append({"from": "|".join(sorted(before.labels)), "to": "|".join(sorted(after.labels)), "at_frame": after.first,
                     "frames": lag, "seconds": None if lag is None or not record.fps else round(lag / record.fps, 3)})
    return lags


def score_clip(record: ClipRecord, ranges: list[TruthRange]) -> dict[str, Any]:
    changes, face_frames = label_changes(record)
    face_seconds = face_frames / record.fps if record.fps else 0.0
    uncertain = sum(face.uncertain for _i, faces in record.frames for face in faces)
    return {
        "clip": record.name,
        "frames": len(record.frames),
        "fps": round(record.fps, 3) if record.fps else None,
        "face_seconds": round(face_seconds, 2),
        "label_changes": changes,
        "changes_per_minute": round(changes / face_seconds * 60.0, 1) if face_seconds else None,
        "uncertain_share": _share(uncertain, face_frames),
        "ranges": [score_range(record, r) for r in ranges],
        "follow": follow_lags(record, ranges),
    }


def overall(clips: list[dict[str, Any]]) -> dict[str, Any]:
    changes = sum(c["label_changes"] for c in clips if c["fps"])
    seconds = sum(c["face_seconds"] for c in clips)
    ranges = [r for c in clips for r in c["ranges"]]
    labelled = [r for r in ranges if "acceptable" in r]
    counted = [r for r in ranges if "count_match" in r]
    lags = [f["frames"] for c in clips for f in c["follow"]]
    return {
        "face_seconds": round(seconds, 2),
        "label_changes": changes,
        "changes_per_minute": round(changes / seconds * 60.0, 1) if seconds else None,
        "acceptable": _pooled(labelled, "acceptable"),
        "confident_wrong": _pooled(labelled, "confident_wrong"),
        "count_match": _pooled(counted, "count_match"),
        "follow_frames": lags,
    }


def _share(part: float, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _pooled(ranges: Iterable[dict[str, Any]], key: str) -> float | None:
    ranges = [r for r in ranges if r[key] is not None]
    frames = sum(r["frames"] for r in ranges)
    return round(sum(r[key] * r["frames"] for r in ranges) / frames, 4) if frames else None


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def print_report(report: dict[str, Any]) -> None:
    print(f"weights: {report['weights']}  settings: {report['settings']}")
    for clip in report["clips"]:
        rate = "-" if clip["changes_per_minute"] is None else f"{clip['changes_per_minute']:.1f}"
        print(f"\n{clip['clip']}: {clip['frames']} frames, {clip['face_seconds']:.1f} s of tracked faces, "
              f"{clip['label_changes']} label changes = {rate}/min, uncertain {_pct(clip['uncertain_share'])}")
        for r in clip["ranges"]:
            parts = [f"  frames {r['first']}-{r['last']}"]
            if "faces" in r:
                parts.append(f"{r['faces']} face(s): count right {_pct(r['count_match'])}")
            if "acceptable" in r:
                parts.append(f"{r['labels']}: acceptable {_pct(r['acceptable'])}, confident wrong {_pct(r['confident_wrong'])}")
            print(";  ".join(parts))
        for f in clip["follow"]:
            took = "never" if f["frames"] is None else f"{f['frames']} frames ({f['seconds']} s)"
            print(f"  follow {f['from']} -> {f['to']} at frame {f['at_frame']}: {took}")
    total = report["overall"]
    print(f"\noverall: {total['changes_per_minute']} label changes/min over {total['face_seconds']:.1f} s of tracked faces; "
          f"acceptable {_pct(total['acceptable'])}, confident wrong {_pct(total['confident_wrong'])}; "
          f"face count right {_pct(total['count_match'])}; follow frames {total['follow_frames']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("clips", type=Path, metavar="CLIPS_DIR", help="folder holding the clips and their truth.csv")
    parser.add_argument("--truth", type=Path, help="truth file (default: CLIPS_DIR/truth.csv)")
    parser.add_argument("--weights", type=Path, help="weights file (default: the shipped one)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--smoothing", type=float, default=APP_SMOOTHING, help=f"per-frame EMA factor (default: the app's {APP_SMOOTHING})")
    args = parser.parse_args(argv)
    truth_path = args.truth or args.clips / "truth.csv"
    try:
        truth = read_truth(truth_path)
    except (OSError, KeyError, ValueError) as exc:
        print(f"error: cannot read truth {truth_path}: {exc}", file=sys.stderr)
        return 2
    classifier = EmotionClassifier.load(args.weights, optimize=True)

    def make_pipeline() -> EmotionPipeline:
        return EmotionPipeline(FaceDetector(), classifier, smoothing=args.smoothing)

    clips = []
    for name, ranges in truth.items():
        try:
            record = run_clip(args.clips / name, make_pipeline)
        except InputError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        clips.append(score_clip(record, ranges))
    report = {
        "weights": str(classifier.source),
        "settings": {"smoothing": args.smoothing},
        "clips": clips,
        "overall": overall(clips),
    }
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
