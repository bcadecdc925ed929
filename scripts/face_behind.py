"""A face that another passes in front of: how soon is it shown again, and with which id?

    python -m scripts.face_behind [--clips ../shared/data/real-clips] [--only NAME] [--write DIR]
                                  [--set NAME=VALUE] [--json]

Two real people from the real clips (the laughing woman of ``WolfgangLanger_Pexels.mp4``,
the man of ``single_face.mp4``; their heads cut out and halved, faces of about 90 and 100
px) over a blurred frame of the stage clip, 640x480 at 30 fps:

* ``crossing``: she walks left to right, he right to left in front of her;
* ``passing N``: she stands; he walks in from the right, stands in front of her for N
  frames, and walks on to the left edge, where he stays (N = 0, 30, 60);
* ``quick 40``: the same, walking 5 times as fast, standing 40 frames.

Each frame is run through the pipeline as ``analyze`` runs it, and looked at afresh, as a
stream's first frame (the detector's full search and the face check on that frame alone): the
frames where the fresh look finds both faces are the ones where both could be shown.
Printed per clip: those frames, the frames where the pipeline shows two faces among them,
when she is visible again after his pass (the fresh look's first frame of the last run of
both faces, after the first one-face frame), when the pipeline shows her from then, and
the ids it gave. The last line is one JSON object. ``--only NAME`` runs one clip (say
``crossing``); ``--write DIR`` also writes the clips (MJPG .avi) to look at in the app.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from emotion_app.cli.common import fail
from emotion_app.io.atomic import OutputError
from emotion_app.pipeline import EmotionPipeline
from emotion_app.samples import paste, read_video
from scripts.support.arguments import script_parser
from scripts.support.detectors import detector_or_refuse
from scripts.support.model_weights import classifier_or_refuse
from scripts.support.overrides import apply_overrides
from scripts.support.real_clips import DEFAULT_CLIPS
from scripts.support.video_out import VideoOut

SIZE = (640, 480)
FPS = 30.0
# Where the heads are in their clips (frame pixels: x, y, width, height) and from which
# frame on: the woman laughing, the man smiling; both scaled to half, or a little more.
WOMAN = ("WolfgangLanger_Pexels.mp4", 250, (250, 20, 360, 360), 0.5)
MAN = ("single_face.mp4", 0, (140, 40, 300, 300), 0.6)
BACKDROP = ("short_hamilton_clip.mp4", 40)  # a frame of the stage clip, blurred
STAND = (230, 120)  # where she stands (patch top-left) while he passes
WALK_FRAMES = 75  # frames he takes from the right edge to her, and from her to the left
# The clips, in the order they are made and printed.
SCENES = ("crossing", "passing 0", "passing 30", "passing 60", "quick 40")


def heads(clips: Path, source: tuple[str, int, tuple[int, int, int, int], float]) -> list[np.ndarray]:
    name, first, (x, y, w, h), scale = source
    return [
        cv2.resize(frame[y : y + h, x : x + w], None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        for frame in read_video(clips / name)[first:]
    ]


def scenes(clips: Path) -> Iterator[tuple[str, list[np.ndarray]]]:
    """(name, frames) of every clip of the module notes."""
    woman, man = heads(clips, WOMAN), heads(clips, MAN)
    backdrop = read_video(clips / BACKDROP[0], limit=BACKDROP[1] + 1)[BACKDROP[1]]
    backdrop = cv2.GaussianBlur(cv2.resize(backdrop, SIZE, interpolation=cv2.INTER_AREA), (0, 0), 3)
    width = SIZE[0]

    frames = []
    count = 150
    for index in range(count):
        her, him = woman[index % len(woman)], man[index % len(man)]
        t = index / (count - 1)
        frame = backdrop.copy()
        paste(frame, her, int(20 + t * (width - 40 - her.shape[1])), 120)
        paste(frame, him, int(width - 20 - him.shape[1] - t * (width - 40 - him.shape[1])), 150)
        frames.append(frame)
    yield "crossing", frames

    passes = (("passing 0", 0, WALK_FRAMES), ("passing 30", 30, WALK_FRAMES), ("passing 60", 60, WALK_FRAMES))
    for name, pause, walk in (*passes, ("quick 40", 40, WALK_FRAMES // 5)):
        frames = []
        for index in range(2 * walk + pause + 60):
            her, him = woman[index % len(woman)], man[index % len(man)]
            over = STAND[0] + her.shape[1] // 2 - him.shape[1] // 2
            start = width - him.shape[1]
            if index < walk:
                x = int(start - (start - over) * index / walk)
            elif index < walk + pause:
                x = over
            else:
                x = max(0, int(over - over * (index - walk - pause) / walk))
            frame = backdrop.copy()
            paste(frame, her, *STAND)
            paste(frame, him, x, 100)
            frames.append(frame)
        yield name, frames


def measure(frames: list[np.ndarray], pipeline: EmotionPipeline, fresh: EmotionPipeline) -> dict[str, Any]:
    both: list[bool] = []
    shown: list[int] = []
    ids: set[int] = set()
    pipeline.reset()
    for index, frame in enumerate(frames):
        results = pipeline.process(frame, time_s=index / FPS)
        shown.append(len(results))
        ids.update(result.track_id for result in results)
        fresh.reset()
        both.append(len(fresh.process(frame)) >= 2)  # a stream's first frame: found and checked at once
    hidden = both.index(False) if False in both else len(both)
    back = next((i for i in range(len(both) - 1, hidden - 1, -1) if not both[i]), len(both) - 1) + 1
    shown_again = next((i for i in range(back, len(frames)) if shown[i] >= 2), None)
    return {
        "frames": len(frames),
        "both_visible": sum(both),
        "both_shown": sum(1 for b, s in zip(both, shown) if b and s >= 2),
        "visible_again": back if back < len(frames) else None,
        "shown_again": shown_again,
        "ids": sorted(ids),
    }


def main(argv: list[str] | None = None) -> int:
    parser = script_parser(__file__, __doc__.splitlines()[0])
    parser.add_argument("--clips", type=Path, default=DEFAULT_CLIPS)
    parser.add_argument("--only", metavar="NAME", help="only this clip (crossing, passing 0, ...)")
    parser.add_argument("--write", type=Path, metavar="DIR", help="also write the clips here")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="a tracker constant")
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    args = parser.parse_args(argv)
    missing = [name for name in (WOMAN[0], MAN[0], BACKDROP[0]) if not (args.clips / name).is_file()]
    if missing:
        return fail(f"{args.clips}: no {', '.join(missing)}")
    if args.only is not None and args.only not in SCENES:
        return fail(f"--only: no clip {args.only!r} (one of: {', '.join(SCENES)})")
    applied = apply_overrides(args.set)
    classifier = classifier_or_refuse(None)
    pipeline = EmotionPipeline(detector_or_refuse(), classifier)
    fresh = EmotionPipeline(detector_or_refuse(), classifier)
    report: dict[str, Any] = {"set": applied, "clips": {}}
    if not args.json:
        print(f"{'clip':<12} {'both visible':>12} {'both shown':>10} {'visible again':>13} {'shown again':>11}  ids")
    for name, frames in scenes(args.clips):
        if args.only is not None and name != args.only:
            continue
        if args.write is not None:
            try:
                args.write.mkdir(parents=True, exist_ok=True)
                with VideoOut(args.write / f"{name.replace(' ', '_')}.avi", "MJPG", FPS, SIZE) as video:
                    for frame in frames:
                        video.write(frame)
            except (OSError, OutputError) as exc:
                return fail(str(exc))
        figures = measure(frames, pipeline, fresh)
        report["clips"][name] = figures
        if not args.json:
            again = figures["shown_again"]
            print(
                f"{name:<12} {figures['both_visible']:>12} {figures['both_shown']:>10} "
                f"{str(figures['visible_again']):>13} {'never' if again is None else again:>11}  {figures['ids']}"
            )
    print(json.dumps(report, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
