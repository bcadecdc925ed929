"""Where the app puts its boxes in the stage clip's singer shot, and which ids cross its cuts.

    python -m scripts.stage_clip_boxes [CLIP] [--runs N] [--inline] [--json]

CLIP: ``short_hamilton_clip.mp4`` of ``../shared/data/real-clips`` (default) or a copy of it
scaled to any size (``python -m scripts.make_hd_clip``). The clip has no hand-made truth;
this script measures one thing a look at it shows. From the cut at frame 82 to the cut at
frame 211 it shows one person, the singer, a microphone in the hand under his mouth. His
face stays in the top 35% of the picture; whatever a box marks below that is his hands,
the microphone or his shirt. Per run it prints:

* frames of that shot with a box on his face (a box whose top lies in the top 35%), of 128;
* boxes below it (a box on his hands or shirt, shown as a face);
* ids shown on both sides of a cut (one person's id given to another after a cut, unless
  the same person is in both shots: the clip's three cuts change who is in view).

Runs are live by default, as the desktop app runs the pipeline (new-face scans on their own
thread, frames fed at the clip's frame rate), so they vary from run to run; ``--inline``
runs it as ``analyze`` does (deterministic: one run is enough). The last line printed is
one JSON object with every run's figures.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from emotion_app.cli.common import fail
from emotion_app.io.video import InputError, open_input
from emotion_app.pipeline import EmotionPipeline
from scripts.support.arguments import script_parser
from scripts.support.detectors import detector_or_refuse
from scripts.support.model_weights import classifier_or_refuse
from scripts.support.real_clips import DEFAULT_CLIPS

# The clip's cuts (first frame of each new shot, found by the tracker's own cut test) and
# the singer's shot between the second and the third.
CUTS = (20, 82, 211)
SINGER_SHOT = range(83, 211)
# His face's box starts above this share of the frame's height; his hands' below it.
FACE_ZONE = 0.35


def measure(path: Path, pipeline: EmotionPipeline, paced: bool) -> dict[str, Any]:
    """One run's figures (see the module notes)."""
    media = open_input(path)
    pipeline.reset()
    period = 1.0 / media.fps if paced and media.fps else 0.0
    began = time.perf_counter()
    shots_of_id: dict[int, set[int]] = {}
    face_frames = body_boxes = frames = 0
    for index, time_s, frame in media.frames():
        if period:
            delay = began + frames * period - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        results = pipeline.process(frame, time_s)
        frames += 1
        shot = sum(index >= cut for cut in CUTS)
        for result in results:
            shots_of_id.setdefault(result.track_id, set()).add(shot)
        if index in SINGER_SHOT:
            limit = FACE_ZONE * frame.shape[0]
            face_frames += any(result.box[1] < limit for result in results)
            body_boxes += sum(result.box[1] >= limit for result in results)
    return {
        "frames": frames,
        "singer_shot_frames": len(SINGER_SHOT),
        "face_boxed_frames": face_frames,
        "boxes_below_face": body_boxes,
        "ids": len(shots_of_id),
        "ids_across_cuts": sorted(i for i, shots in shots_of_id.items() if len(shots) > 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = script_parser(__file__, __doc__.splitlines()[0])
    parser.add_argument("clip", type=Path, nargs="?", default=DEFAULT_CLIPS / "short_hamilton_clip.mp4")
    parser.add_argument("--runs", type=int, default=4, help="live runs (default 4; --inline: 1)")
    parser.add_argument("--inline", action="store_true", help="scans inline, as analyze runs them")
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    args = parser.parse_args(argv)
    if args.runs < 1:
        return fail(f"--runs must be at least 1, got {args.runs}")
    try:
        open_input(args.clip)
    except InputError as exc:
        return fail(str(exc))
    runs = 1 if args.inline else args.runs
    with EmotionPipeline(detector_or_refuse(), classifier_or_refuse(None), background_scan=not args.inline) as pipeline:
        figures = [measure(args.clip, pipeline, paced=not args.inline) for _ in range(runs)]
    if not args.json:
        for number, run in enumerate(figures, 1):
            print(
                f"run {number}: singer's face boxed in {run['face_boxed_frames']} of {run['singer_shot_frames']} "
                f"frames, {run['boxes_below_face']} boxes below it; {run['ids']} ids, across cuts: "
                f"{run['ids_across_cuts'] or 'none'}"
            )
    print(json.dumps({"clip": str(args.clip), "inline": args.inline, "runs": figures}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
