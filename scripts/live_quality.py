"""Live quality: what the app would show on real clips, scored against hand-made truth.

(Over 400 lines: the truth reader, the scoring and the report of one measurement, kept
together so the script stands alone beside the clips it scores.)

    python -m scripts.live_quality CLIPS_DIR [--json] [--weights W] [--steadiness LEVEL] [--every N]
    python -m scripts.live_quality CLIPS_DIR --sweep     # how the steadiness levels were chosen
    python -m scripts.live_quality CLIPS_DIR --window    # what the desktop window showed

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
- the share of frames whose face count matches the truth;
- contradicted labels: face-frames whose shown label's smoothed probability is more than
  :data:`CONTRADICTED_GAP` below the highest smoothed probability (the label beside bars
  that plainly say otherwise), and the longest such stretch of one track in seconds.

truth.csv columns: file, first_frame, last_frame, faces, labels, note (``|`` separates
acceptable labels; an empty field = no judgement). Frames between ranges have no truth.
The pipeline runs with inline (deterministic) new-face scans, where the app runs them on a
background thread, so a figure is the same on every run. ``--every N`` keeps every Nth frame
(with its own timestamp), as a slower camera would deliver them.

``--window`` plays each video clip once in the real desktop window instead (offscreen unless
a display is set; the app's pipeline loader, its background new-face scans, the fast
classifier in use before the first clip), at the clip's own rate as the app plays a file,
and scores what the screen showed: every frame the player read counts, with the faces of
the last result the window painted before that frame's turn ended (when the next frame was
read); a frame before the first result painted shows no face (the window shows "Opening…"
then, or the last frame of the clip before with its faces, not this clip's: each clip is
scored as if opened on its own). A frame a busy machine drops counts with the labels held
from before it. The figures on the results the window was sent only (each once; how
``--window`` scored before) follow as "received". Its figures depend on the machine's load;
pictures are left out (a truth file naming no video is refused).

``--sweep`` runs the pipeline once per clip and replays each face's raw probabilities
through the core's steadiness rule (the same class the pipeline uses, so the figures are
the ones the pipeline gives) for a grid of time constants, holds and margins.
"""

from __future__ import annotations

import bisect
import dataclasses
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from emotion_app.cli.common import fail
from emotion_app.inference.steadiness import (
    DEFAULT_STEADINESS_LEVEL,
    PLAIN_LEAD,
    STEADINESS_LEVELS,
    LabelSteadier,
    Steadiness,
    UncertaintyRule,
)
from emotion_app.io.video import InputError, open_input
from emotion_app.pipeline import EmotionPipeline
from emotion_app.results import FaceResult
from scripts.support.arguments import script_parser
from scripts.support.detectors import detector_or_refuse
from scripts.support.model_weights import classifier_or_refuse
from scripts.support.real_clips import TruthRange, truth_or_error

if TYPE_CHECKING:
    # The GUI is imported only by --window.
    from emotion_app.gui.messages import CapturedFrame, InferenceResult

# A followed change must hold this long to count as followed (seconds).
FOLLOW_HOLD_S = 0.5
# A shown label more than this far (smoothed probability) below the top class is contradicted
# by its own bars: the core's own measure of it.
CONTRADICTED_GAP = PLAIN_LEAD


@dataclass(frozen=True)
class ShownFace:
    track_id: int
    label: str
    uncertain: bool
    raw: tuple[float, ...] = ()
    smoothed: tuple[float, ...] = ()  # what the bars show; () where unknown
    shown_index: int = -1  # index of ``label`` in ``smoothed``

    @property
    def contradicted(self) -> bool:
        if not self.smoothed or self.shown_index < 0:
            return False
        return max(self.smoothed) - self.smoothed[self.shown_index] > CONTRADICTED_GAP


@dataclass
class ClipRecord:
    """What was shown in every frame of one clip."""

    name: str
    fps: float | None  # of the frames kept
    frames: list[tuple[int, list[ShownFace]]] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    # The file's frames a second, where the frames kept are not evenly spaced (those the
    # window was sent): a follow's hold and seconds count the file's frames, not a step.
    file_fps: float | None = None


def run_clip(path: Path, make_pipeline: Callable[[], EmotionPipeline], every: int = 1) -> ClipRecord:
    """Every kept frame's shown faces, from a fresh pipeline (stills: no tracking across images)."""
    media = open_input(path)
    record = ClipRecord(path.name, media.fps / every if media.fps else None)
    with make_pipeline() as pipeline:
        for index, time_s, frame in media.frames():
            if index % every:
                continue
            if media.kind != "video":
                pipeline.reset()
            time_s = time_s if time_s is not None else 0.0
            faces = pipeline.process(frame, time_s, still=media.kind != "video")
            record.times.append(time_s)
            record.frames.append((index, [_shown_face(f, pipeline.classifier.labels) for f in faces]))
    return record


def _shown_face(face: FaceResult, labels: tuple[str, ...]) -> ShownFace:
    return ShownFace(
        face.track_id,
        face.label,
        face.uncertain,
        face.raw_probabilities,
        face.probabilities,
        labels.index(face.label) if face.label in labels else -1,
    )


def window_record(name: str, fps: float, received: list[InferenceResult], stream_id: int | None) -> ClipRecord:
    """What the window was sent of the stream ``stream_id`` (one clip played once at ``fps``),
    each frame once: the frames received, not the screen (see :func:`screen_record`)."""
    record = ClipRecord(name, fps)
    seen: set[int] = set()
    for result in received:
        if result.stream_id != stream_id:  # a late one of the clip before
            continue
        if result.frame_index in seen:  # a frame sent again (its last one at the end)
            continue
        seen.add(result.frame_index)
        record.times.append(result.source_time)
        record.frames.append((result.frame_index, [_shown_face(f, result.labels) for f in result.faces]))
    if seen:
        # The rate of the frames the window was sent, as --every's: a face's time is
        # its frames over it, and a frame dropped does not shorten it.
        record.fps = fps * len(seen) / (max(seen) - min(seen) + 1)
        record.file_fps = fps
    return record


@dataclass(frozen=True)
class PlayedFrame:
    """A frame of a file as the window's player read it."""

    index: int
    source_time: float
    read_at: float  # time.perf_counter() when read: its turn on screen begins


@dataclass(frozen=True)
class PaintedResult:
    """A result the window painted."""

    at: float  # time.perf_counter() when first painted
    frame_index: int
    faces: tuple[ShownFace, ...]


def screen_record(name: str, fps: float, played: list[PlayedFrame], painted: list[PaintedResult]) -> ClipRecord:
    """What the screen showed for each frame the player read of one clip played once at
    ``fps``: the faces of the last result painted before the frame's turn ended (the next
    frame's read; the last frame's, a frame period after its own), none before the first."""
    record = ClipRecord(name, fps)
    frames = sorted({frame.index: frame for frame in played}.values(), key=lambda frame: frame.index)
    paints = sorted(painted, key=lambda paint: paint.at)
    paint_times = [paint.at for paint in paints]
    for position, frame in enumerate(frames):
        turn_ends = frames[position + 1].read_at if position + 1 < len(frames) else frame.read_at + 1.0 / fps
        shown = bisect.bisect_right(paint_times, turn_ends)
        record.times.append(frame.source_time)
        record.frames.append((frame.index, list(paints[shown - 1].faces) if shown else []))
    return record


@dataclass(frozen=True)
class WindowPlay:
    """One clip played in the window: what the screen showed and what the window was sent."""

    screen: ClipRecord
    received: ClipRecord
    painted: int  # results of the clip's stream painted
    first_painted_s: float | None  # from its first frame's read to the first result painted


def run_clips_in_window(
    clips: list[tuple[Path, float]], weights: Path | None, steadiness: str, timeout_s: float = 600.0
) -> list[WindowPlay] | str:
    """What the desktop window showed and was sent for each frame of each (video, its frame
    rate), played once at its own rate; or a line saying which one the window could not play."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # Qt only here: the other modes run without it.
    from emotion_app.gui.app import create_application, release_window
    from emotion_app.gui.camera_picker import StaticDeviceMonitor
    from emotion_app.gui.launch import LaunchOptions
    from emotion_app.gui.main_window import MainWindow
    from emotion_app.gui.messages import FaultKind, SourceFault
    from emotion_app.gui.settings import AppSettings
    from emotion_app.inference.runners import import_backends
    from emotion_app.sources.specs import VideoFileSpec
    from scripts.support.qt_loop import spin, spin_until

    create_application()
    import_backends()  # as the app does under its starting screen
    received: list[InferenceResult] = []
    # Each with its stream's id: a late one of the clip before is not this one's.
    played: list[tuple[int, PlayedFrame]] = []
    painted: list[tuple[int, PaintedResult]] = []
    faults: list[SourceFault] = []
    ended: list[SourceFault] = []
    plays: list[WindowPlay] = []
    with tempfile.TemporaryDirectory() as work:
        window = MainWindow(
            LaunchOptions(weights=weights),
            AppSettings.at_path(Path(work) / "settings.ini"),
            device_monitor=StaticDeviceMonitor([]),
        )
        try:
            window.resize(1000, 760)
            window.show()
            window.set_steadiness(steadiness)
            window.controller.result_ready.connect(received.append)

            def on_painted(result: InferenceResult, at: float) -> None:
                faces = tuple(_shown_face(face, result.labels) for face in result.faces)
                painted.append((result.stream_id, PaintedResult(at, result.frame_index, faces)))

            # Painted, not only sent: a result the next one replaces before a paint is never seen.
            window.view.frame_presented.connect(on_painted)
            mailbox = window.controller.frames
            put = mailbox.put

            def put_and_note(item: CapturedFrame) -> bool:
                # On the capture thread: every frame the player reads, the dropped ones too.
                played.append((item.stream_id, PlayedFrame(item.index, item.source_time, item.capture_time)))
                return put(item)

            mailbox.put = put_and_note  # type: ignore[method-assign]

            def on_fault(fault: SourceFault) -> None:
                (ended if fault.kind is FaultKind.ENDED else faults).append(fault)

            window.controller.source_fault.connect(on_fault)
            inference = window.controller.inference

            def final_classifier() -> bool:
                bundle = inference._bundle
                return bundle is not None and not bundle.optimizing

            spin_until(final_classifier, timeout_s)
            for path, fps in clips:
                received.clear()
                played.clear()
                painted.clear()
                ended.clear()
                window.start_source(VideoFileSpec(path, pace=True))
                spin_until(lambda: bool(ended or faults), timeout_s)
                if faults or not ended:
                    why = faults[0].message if faults else f"it did not end within {timeout_s:g} s"
                    return f"the window could not play {path}: {why}"
                spin(0.5)  # the last results on their way
                # Its own stream's only: a late result of the clip before, on a busy machine,
                # would be counted as this one's (a frame of it, or one taken for it).
                stream_id = window.source_state.stream_id
                own_frames = [frame for stream, frame in played if stream == stream_id]
                own_paints = [paint for stream, paint in painted if stream == stream_id]
                first_read = min((frame.read_at for frame in own_frames), default=None)
                first_paint = min((paint.at for paint in own_paints), default=None)
                plays.append(
                    WindowPlay(
                        screen_record(path.name, fps, own_frames, own_paints),
                        window_record(path.name, fps, received, stream_id),
                        len(own_paints),
                        None if first_read is None or first_paint is None else first_paint - first_read,
                    )
                )
        finally:
            window.shutdown()
            release_window(window)
    return plays


def replay(
    record: ClipRecord, labels: tuple[str, ...], steadiness: Steadiness, uncertainty: UncertaintyRule
) -> ClipRecord:
    """What the pipeline would have shown with ``steadiness``: the same raw probabilities
    through the same rule (track ids are never reused, so per-track state matches)."""
    steadier = LabelSteadier(steadiness, uncertainty)
    replayed = ClipRecord(record.name, record.fps, times=record.times)
    still = record.fps is None
    for (index, faces), time_s in zip(record.frames, record.times):
        if still:
            steadier.reset()
        shown = []
        for face in faces:
            result = steadier.update(face.track_id, np.asarray(face.raw, np.float32), time_s)
            shown.append(
                ShownFace(
                    face.track_id,
                    labels[result.label_index],
                    result.uncertain,
                    face.raw,
                    tuple(float(p) for p in result.smoothed),
                    result.label_index,
                )
            )
        replayed.frames.append((index, shown))
    return replayed


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


def contradicted_labels(record: ClipRecord) -> tuple[int, float]:
    """(contradicted face-frames, longest run of them in one track in seconds) of a clip."""
    count = 0
    run_start: dict[int, float] = {}
    longest = 0.0
    for (_index, faces), time_s in zip(record.frames, record.times):
        seen = set()
        for face in faces:
            seen.add(face.track_id)
            if not face.contradicted:
                run_start.pop(face.track_id, None)
                continue
            count += 1
            # A run lasts from its first frame to one frame past its last (a lone frame counts a frame).
            start = run_start.setdefault(face.track_id, time_s)
            longest = max(longest, time_s - start + (1.0 / record.fps if record.fps else 0.0))
        for track_id in [t for t in run_start if t not in seen]:
            del run_start[track_id]
    return count, longest


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
    if record.file_fps:
        # Not by the first step: the frames a window's opening dropped made that the hold's
        # unit (frames 0 and 5 the first sent, at 10 fps: a hold of 20 frames, not 5).
        per_second: float | None = record.file_fps
        hold = max(1, round(FOLLOW_HOLD_S * record.file_fps))
    else:
        step = _frame_step(record)
        per_second = record.fps * step if record.fps else None
        hold = max(1, round(FOLLOW_HOLD_S * (record.fps or 25.0))) * step
    lags = []
    for before, after in zip(labelled, labelled[1:]):
        if before.labels == after.labels:
            continue
        lag: int | None = None
        # The change may show during the untruthed frames between the ranges: then 0.
        for start in range(before.last + 1, after.last + 1):
            if start not in by_index:
                continue
            stop = min(start + hold, after.last + 1)
            if all(_acceptable_count(by_index[i], after.labels) > 0 for i in range(start, stop) if i in by_index):
                lag = max(0, start - after.first)
                break
        lags.append(
            {
                "from": "|".join(sorted(before.labels)),
                "to": "|".join(sorted(after.labels)),
                "at_frame": after.first,
                "frames": lag,
                "seconds": None if lag is None or not per_second else round(lag / per_second, 3),
            }
        )
    return lags


def _frame_step(record: ClipRecord) -> int:
    indices = [index for index, _faces in record.frames]
    return indices[1] - indices[0] if len(indices) > 1 else 1


def score_clip(record: ClipRecord, ranges: list[TruthRange]) -> dict[str, Any]:
    changes, face_frames = label_changes(record)
    face_seconds = face_frames / record.fps if record.fps else 0.0
    uncertain = sum(face.uncertain for _i, faces in record.frames for face in faces)
    contradicted, longest_contradicted = contradicted_labels(record)
    return {
        "clip": record.name,
        "frames": len(record.frames),
        "fps": round(record.fps, 3) if record.fps else None,
        "face_seconds": round(face_seconds, 2),
        "face_frames": face_frames,
        "label_changes": changes,
        "changes_per_minute": round(changes / face_seconds * 60.0, 1) if face_seconds else None,
        "uncertain_share": _share(uncertain, face_frames),
        "contradicted": contradicted,
        "contradicted_share": _share(contradicted, face_frames),
        "longest_contradicted_s": round(longest_contradicted, 3),
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
    face_frames = sum(c["face_frames"] for c in clips)
    contradicted = sum(c["contradicted"] for c in clips)
    return {
        "face_seconds": round(seconds, 2),
        "label_changes": changes,
        "changes_per_minute": round(changes / seconds * 60.0, 1) if seconds else None,
        "acceptable": _pooled(labelled, "acceptable"),
        "confident_wrong": _pooled(labelled, "confident_wrong"),
        "count_match": _pooled(counted, "count_match"),
        "follow_frames": lags,
        "contradicted": contradicted,
        "contradicted_share": _share(contradicted, face_frames),
        "longest_contradicted_s": max((c["longest_contradicted_s"] for c in clips), default=0.0),
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
        print(
            f"\n{clip['clip']}: {clip['frames']} frames, {clip['face_seconds']:.1f} s of tracked faces, "
            f"{clip['label_changes']} label changes = {rate}/min, uncertain {_pct(clip['uncertain_share'])}, "
            f"contradicted {clip['contradicted']} ({_pct(clip['contradicted_share'])}, "
            f"longest {clip['longest_contradicted_s']:.2f} s)"
        )
        for r in clip["ranges"]:
            parts = [f"  frames {r['first']}-{r['last']}"]
            if "faces" in r:
                parts.append(f"{r['faces']} face(s): count right {_pct(r['count_match'])}")
            if "acceptable" in r:
                parts.append(
                    f"{r['labels']}: acceptable {_pct(r['acceptable'])}, confident wrong {_pct(r['confident_wrong'])}"
                )
            print(";  ".join(parts))
        for f in clip["follow"]:
            took = "never" if f["frames"] is None else f"{f['frames']} frames ({f['seconds']} s)"
            print(f"  follow {f['from']} -> {f['to']} at frame {f['at_frame']}: {took}")
        if "window" in clip:
            window = clip["window"]
            first = "never" if window["first_painted_s"] is None else f"{window['first_painted_s']:.3f} s"
            print(
                f"  window: {window['received']} of the {clip['frames']} frames received, {window['painted']} "
                f"results painted, the first {first} after its first frame was read"
            )
    total = report["overall"]
    print(
        f"\noverall: {total['changes_per_minute']} label changes/min over {total['face_seconds']:.1f} s of tracked "
        "faces; "
        f"acceptable {_pct(total['acceptable'])}, confident wrong {_pct(total['confident_wrong'])}; "
        f"face count right {_pct(total['count_match'])}; follow frames {total['follow_frames']}; "
        f"contradicted (label over {CONTRADICTED_GAP:g} below the top class) {total['contradicted']} face-frames "
        f"({_pct(total['contradicted_share'])}), longest {total['longest_contradicted_s']:.2f} s"
    )
    if "received" in report:
        # The frames the window was sent only, each once: it rises as a busy machine drops frames.
        received = report["received"]["overall"]
        print(
            f"received frames only (not the screen): acceptable {_pct(received['acceptable'])}, confident wrong "
            f"{_pct(received['confident_wrong'])}; face count right {_pct(received['count_match'])}; "
            f"follow frames {received['follow_frames']}"
        )


SWEEP_TIME_CONSTANTS = (0.0, 0.15, 0.3, 0.5, 0.8)
SWEEP_HOLDS = (0.0, 0.2, 0.4, 0.6)
SWEEP_MARGINS = (0.0, 0.1, 0.2)


def sweep(
    records: list[tuple[ClipRecord, list[TruthRange]]], labels: tuple[str, ...], uncertainty: UncertaintyRule
) -> list[dict[str, Any]]:
    """Per grid point: changes/min per clip with faces, acceptable share per labelled range, follow lags."""
    rows = []
    for tau in SWEEP_TIME_CONSTANTS:
        for hold in SWEEP_HOLDS:
            for margin in SWEEP_MARGINS:
                steadiness = Steadiness(tau, hold, margin)
                clips = [
                    score_clip(replay(record, labels, steadiness, uncertainty), ranges) for record, ranges in records
                ]
                rows.append(
                    {
                        "time_constant_s": tau,
                        "hold_s": hold,
                        "switch_margin": margin,
                        "clips": clips,
                        "overall": overall(clips),
                    }
                )
    return rows


def print_sweep(rows: list[dict[str, Any]]) -> None:
    names = [c["clip"] for c in rows[0]["clips"] if c["face_seconds"]]
    labelled = [
        (c["clip"], r["first"]) for c in rows[0]["clips"] for r in c["ranges"] if "acceptable" in r and c["fps"]
    ]
    head = (
        ["tau", "hold", "margin"]
        + [f"{n[:10]}/min" for n in names]
        + [f"{n[:8]}@{f}" for n, f in labelled]
        + ["follow"]
    )
    print("  ".join(f"{h:>12}" for h in head))
    for row in rows:
        by_name = {c["clip"]: c for c in row["clips"]}
        cells = [row["time_constant_s"], row["hold_s"], row["switch_margin"]]
        cells += [by_name[n]["changes_per_minute"] for n in names]
        cells += [_pct(next(r["acceptable"] for r in by_name[n]["ranges"] if r["first"] == f)) for n, f in labelled]
        cells += [",".join(str(f["frames"]) for c in row["clips"] for f in c["follow"])]
        print("  ".join(f"{c!s:>12}" for c in cells))


def main(argv: list[str] | None = None) -> int:
    parser = script_parser(__file__, __doc__.split("\n\n")[0])
    parser.add_argument("clips", type=Path, metavar="CLIPS_DIR", help="folder holding the clips and their truth.csv")
    parser.add_argument("--truth", type=Path, help="truth file (default: CLIPS_DIR/truth.csv)")
    parser.add_argument("--weights", type=Path, help="weights file (default: the shipped one)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument(
        "--steadiness",
        choices=tuple(STEADINESS_LEVELS),
        default=DEFAULT_STEADINESS_LEVEL,
        help=f"steadiness level (default: the app's, {DEFAULT_STEADINESS_LEVEL})",
    )
    parser.add_argument("--every", type=int, default=1, metavar="N", help="keep every Nth frame (a slower camera)")
    parser.add_argument(
        "--decisive-lead",
        type=float,
        default=None,
        metavar="P",
        help="the level's decisive lead replaced by P (1: never switch before the hold), to compare choices",
    )
    parser.add_argument("--sweep", action="store_true", help="replay each clip through a grid of steadiness settings")
    parser.add_argument(
        "--window",
        action="store_true",
        help="play each video in the real desktop window at its own rate and score what its screen showed",
    )
    args = parser.parse_args(argv)
    if args.every < 1:
        parser.error("--every must be at least 1")
    if args.window and (args.every != 1 or args.decisive_lead is not None or args.sweep):
        parser.error("--window plays the clips as the app does: not with --every, --decisive-lead or --sweep")
    steadiness = STEADINESS_LEVELS[args.steadiness]
    if args.decisive_lead is not None:
        try:
            steadiness = dataclasses.replace(steadiness, decisive_lead=args.decisive_lead)
        except ValueError as exc:
            parser.error(str(exc))
    truth_path = args.truth or args.clips / "truth.csv"
    truth = truth_or_error(truth_path)
    if truth is None:
        return 2
    classifier = classifier_or_refuse(args.weights)

    def make_pipeline() -> EmotionPipeline:
        # The app's detector and steadiness; inline new-face scans (see the module notes).
        return EmotionPipeline(detector_or_refuse(), classifier, steadiness=steadiness)

    records = []
    plays: list[tuple[WindowPlay, list[TruthRange]]] = []
    if args.window:
        videos = []
        for name, ranges in truth.items():
            try:
                media = open_input(args.clips / name)
            except InputError as exc:
                return fail(str(exc))
            if media.kind == "video" and media.fps:
                videos.append((args.clips / name, media.fps, ranges))
        if not videos:
            # Not a window opened to report empty figures.
            return fail(f"{truth_path} names no video to play (--window leaves pictures out)")
        played = run_clips_in_window([(path, fps) for path, fps, _ in videos], args.weights, args.steadiness)
        if isinstance(played, str):
            return fail(played)
        plays = [(play, ranges) for play, (_path, _fps, ranges) in zip(played, videos)]
        records = [(play.screen, ranges) for play, ranges in plays]
    else:
        for name, ranges in truth.items():
            try:
                records.append((run_clip(args.clips / name, make_pipeline, args.every), ranges))
            except InputError as exc:
                return fail(str(exc))
    if args.sweep:
        with make_pipeline() as pipeline:
            uncertainty = pipeline.uncertainty
        rows = sweep(records, classifier.labels, uncertainty)
        print(json.dumps(rows, indent=1) if args.json else "", end="")
        if not args.json:
            print_sweep(rows)
        return 0
    clips = [score_clip(record, ranges) for record, ranges in records]
    report = {
        "weights": str(classifier.source),
        "settings": {"steadiness": args.steadiness, **vars_of(steadiness), "every": args.every, "window": args.window},
        "clips": clips,
        "overall": overall(clips),
    }
    if args.window:
        for clip, (play, _ranges) in zip(clips, plays):
            clip["window"] = {
                "received": len(play.received.frames),
                "painted": play.painted,
                "first_painted_s": None if play.first_painted_s is None else round(play.first_painted_s, 3),
            }
        received = [score_clip(play.received, ranges) for play, ranges in plays]
        report["received"] = {"clips": received, "overall": overall(received)}
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        print_report(report)
    return 0


def vars_of(steadiness: Steadiness) -> dict[str, float]:
    return {
        "time_constant_s": steadiness.time_constant_s,
        "hold_s": steadiness.hold_s,
        "switch_margin": steadiness.switch_margin,
        "decisive_lead": steadiness.decisive_lead,
    }


if __name__ == "__main__":
    sys.exit(main())
