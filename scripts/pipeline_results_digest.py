"""A digest of everything the pipeline gives on the real clips, to tell a change that must
not alter results (a speed-up, a tidy-up) from one that does.

    python -m scripts.pipeline_results_digest [--clips ../shared/data/real-clips] [--per-frame] [--exact]
        [--json]

Runs :class:`EmotionPipeline` as ``bench`` and ``analyze`` do (shipped weights and their
fast runner, the app's detector at 24 px, scans inline, torch on one thread: results that
depend only on the frames) over every video and picture of the folder, each from a fresh
pipeline, and hashes (SHA-256) every frame's results in order: each face's box, id, label,
roll, uncertain flag, and its shown and raw probabilities rounded to 1e-6 (``--exact``: as
they are, every bit). Per file it prints the frames, the faces and the digest, then one
digest over all files. Two runs of the same code give the same digests; a change that
leaves them all the same gave the same results on every frame. ``--per-frame`` also prints
each frame's line as hashed (file, frame number, results), so two runs' outputs can be
compared with ``diff`` to find the first frame that differs. The last line printed is one
JSON object.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from emotion_app.io.codecs import VIDEO_SUFFIXES
from emotion_app.io.video import IMAGE_SUFFIXES, InputError, open_input
from emotion_app.results import FaceResult
from scripts.support.arguments import script_parser
from scripts.support.errors import refuse
from scripts.support.real_clips import DEFAULT_CLIPS


def face_text(result: FaceResult, exact: bool = False) -> str:
    """One face's results as hashed: floats rounded to 1e-6, so that only a change in what
    the app shows or writes (a CSV keeps 4 decimals) tells; ``exact``: every bit of them."""

    def number(value: float) -> str:
        return repr(value) if exact else f"{value:.6f}"

    x, y, w, h = result.box
    shown = ",".join(number(p) for p in result.probabilities)
    raw = ",".join(number(p) for p in result.raw_probabilities)
    return (
        f"#{result.track_id} {x},{y},{w},{h} {result.label} {number(result.confidence)} "
        f"{'uncertain' if result.uncertain else 'sure'} roll {number(result.roll)} shown {shown} raw {raw}"
    )


def files_in(folder: Path) -> list[Path]:
    """The videos and pictures of ``folder`` (by their suffix), in name order; one the app
    cannot read is refused, not left out (a digest without it would still match)."""
    if not folder.is_dir():
        refuse(f"{folder} is not a folder of clips")
    suffixes = VIDEO_SUFFIXES | IMAGE_SUFFIXES
    files = sorted(path for path in folder.iterdir() if path.is_file() and path.suffix.lower() in suffixes)
    if not files:
        refuse(f"no video or picture in {folder}")
    for path in files:
        try:
            open_input(path)
        except InputError as exc:
            refuse(str(exc))
    return files


def main() -> int:
    parser = script_parser(__file__, __doc__, raw_description=True)
    parser.add_argument("--clips", type=Path, default=DEFAULT_CLIPS, help="folder of videos and pictures")
    parser.add_argument("--per-frame", action="store_true", help="print every frame's results as hashed")
    parser.add_argument("--exact", action="store_true", help="hash the floats' every bit, not rounded to 1e-6")
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    args = parser.parse_args()
    files = files_in(args.clips)

    import torch

    from emotion_app.faces.detector import DEFAULT_MIN_FACE
    from emotion_app.pipeline import EmotionPipeline
    from scripts.support.detectors import detector_or_refuse
    from scripts.support.model_weights import classifier_or_refuse

    torch.set_num_threads(1)  # as bench, analyze and the app run the model
    classifier = classifier_or_refuse(None)
    overall = hashlib.sha256()
    report: dict[str, dict[str, object]] = {}
    for path in files:
        media = open_input(path)
        pipeline = EmotionPipeline(detector_or_refuse(DEFAULT_MIN_FACE), classifier)
        digest = hashlib.sha256()
        frames = faces = 0
        for index, time_s, frame in media.frames():
            results = pipeline.process(frame, time_s, still=media.kind != "video")
            line = f"{path.name} {index}: " + "; ".join(face_text(result, args.exact) for result in results)
            digest.update(line.encode() + b"\n")
            if args.per_frame:
                print(line)
            frames += 1
            faces += len(results)
        pipeline.close()
        overall.update(f"{path.name} {digest.hexdigest()}\n".encode())
        report[path.name] = {"frames": frames, "faces": faces, "digest": digest.hexdigest()}
        if not args.json:
            print(f"{path.name}: {frames} frames, {faces} faces, digest {digest.hexdigest()}")
    if not args.json:
        print(f"all files: digest {overall.hexdigest()}")
    print(json.dumps({"clips": str(args.clips), "exact": args.exact, "files": report, "digest": overall.hexdigest()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
