"""Many small faces from real video: a mosaic of the real clips, scored per tile against their truth.

    python -m scripts.grid_faces [--clips ../shared/data/real-clips] [--grid 8] [--size 640x360]
                                 [--frames N] [--set NAME=VALUE ...] [--write MOSAIC.avi]

Tiles the single-person clips that have truth (the crying-then-laughing woman, the selfie, the
two clips that cut between a face and a cartoon) into a GRID x GRID mosaic of SIZE pixels,
clip after clip, each tile starting its clip at its own offset and looping it. At the default
8 x 8 in 640x360 the faces are 25-38 px, the smallest the app looks for: a video-call gallery
or a classroom of real, moving, talking faces. Runs the app's pipeline on it (defaults, scans
inline as ``analyze`` runs them) and prints, per clip, over its tiles and the frames its truth
covers: frames whose face count in the tile is right, the worst tile's share, faces shown
beyond the truth (phantoms) and faces missing, ids per tile, and the sides of the shown
boxes; then the pipeline's time per frame (median and mean: re-checks of many faces come in
bursts). ``--set`` overrides a tracker constant as in ``scripts.tracker_cost``, to compare a
choice with the default. ``--write`` also saves the mosaic as an MJPG video at 30 fps (for
``python -m scripts.measure_gui --video``: the desktop app with that many faces). The last
line printed is one JSON object.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any, TypedDict

import cv2
import numpy as np

from emotion_app.cli.common import fail
from emotion_app.io.atomic import OutputError
from emotion_app.io.video import open_input
from emotion_app.pipeline import EmotionPipeline
from scripts.support.arguments import frame_size, script_parser
from scripts.support.detectors import detector_or_refuse
from scripts.support.model_weights import classifier_or_refuse
from scripts.support.overrides import apply_overrides
from scripts.support.real_clips import DEFAULT_CLIPS, faces_at, read_truth
from scripts.support.video_out import VideoOut

CLIPS = ("WolfgangLanger_Pexels.mp4", "single_face.mp4", "face_noface.mov", "noface_face.mov")
# Tiles showing the same clip start it this many frames apart, so they differ.
TILE_OFFSET = 37


class TileStats(TypedDict):
    """One tile's tally over the frames its clip's truth covers."""

    truth: int  # frames with truth
    right: int  # frames whose face count is right
    phantom: int  # faces beyond the truth
    missed: int  # faces the truth has and the tile lacks
    ids: set[int]  # track ids seen in the tile


def tile_frames(path: Path, size: tuple[int, int]) -> list[np.ndarray]:
    """Every frame of ``path``, shrunk to ``size`` (width, height)."""
    return [cv2.resize(frame, size, interpolation=cv2.INTER_AREA) for _, _, frame in open_input(path).frames()]


def main(argv: list[str] | None = None) -> int:
    parser = script_parser(__file__, __doc__.splitlines()[0])
    parser.add_argument("--clips", type=Path, default=DEFAULT_CLIPS)
    parser.add_argument("--grid", type=int, default=8, help="tiles per side (default 8)")
    parser.add_argument("--size", type=frame_size, default=(640, 360), help="mosaic size (default 640x360)")
    parser.add_argument("--frames", type=int, default=0, help="frames to run (default: the longest clip's)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--write", type=Path, metavar="MOSAIC.avi", help="also save the mosaic as a video")
    args = parser.parse_args(argv)
    overrides = apply_overrides(args.overrides)
    if args.grid < 1:
        return fail(f"--grid must be at least 1, got {args.grid}")
    truth_path = args.clips / "truth.csv"
    if not truth_path.is_file():
        return fail(f"no truth.csv in {args.clips}")
    truth = read_truth(truth_path)
    tile = (args.size[0] // args.grid, args.size[1] // args.grid)
    frames = {name: tile_frames(args.clips / name, tile) for name in CLIPS}
    if any(not clip for clip in frames.values()):
        return fail(f"{args.clips} lacks one of {', '.join(CLIPS)}")
    count = args.frames or max(len(clip) for clip in frames.values())
    tiles = [(CLIPS[k % len(CLIPS)], TILE_OFFSET * (k // len(CLIPS))) for k in range(args.grid * args.grid)]
    classifier = classifier_or_refuse(None)
    pipeline = EmotionPipeline(detector_or_refuse(), classifier)
    # Per tile: truth frames, right, phantom faces, missing faces, ids; per clip: shown sides.
    per_tile: list[TileStats] = [{"truth": 0, "right": 0, "phantom": 0, "missed": 0, "ids": set()} for _ in tiles]
    sides: dict[str, list[int]] = {name: [] for name in CLIPS}
    times: list[float] = []
    video: VideoOut | None = None
    if args.write is not None:
        try:
            video = VideoOut(args.write, "MJPG", 30.0, (tile[0] * args.grid, tile[1] * args.grid))
        except OutputError as exc:
            return fail(str(exc))
    # The mosaic video is put in place only if every frame was written.
    with video if video is not None else nullcontext():
        for index in range(count):
            pictures = [frames[name][(index + offset) % len(frames[name])] for name, offset in tiles]
            rows = [np.hstack(pictures[row * args.grid : (row + 1) * args.grid]) for row in range(args.grid)]
            mosaic = np.vstack(rows)
            if video is not None:
                video.write(mosaic)
            start = time.perf_counter()
            results = pipeline.process(mosaic, time_s=index / 30.0)
            times.append((time.perf_counter() - start) * 1000.0)
            for k, (name, offset) in enumerate(tiles):
                x0, y0 = (k % args.grid) * tile[0], (k // args.grid) * tile[1]
                inside = [
                    r
                    for r in results
                    if x0 <= r.box[0] + r.box[2] / 2 < x0 + tile[0] and y0 <= r.box[1] + r.box[3] / 2 < y0 + tile[1]
                ]
                stats = per_tile[k]
                stats["ids"].update(r.track_id for r in inside)
                sides[name].extend(r.box[2] for r in inside)
                want = faces_at(truth.get(name, []), (index + offset) % len(frames[name]))
                if want is None:
                    continue
                stats["truth"] += 1
                stats["right"] += len(inside) == want
                stats["phantom"] += max(0, len(inside) - want)
                stats["missed"] += max(0, want - len(inside))
    report: dict[str, Any] = {
        "grid": args.grid,
        "size": list(args.size),
        "frames": count,
        "overrides": overrides,
        "clips": {},
    }
    print(f"{args.grid}x{args.grid} tiles of {tile[0]}x{tile[1]} in {args.size[0]}x{args.size[1]}, {count} frames")
    print(
        f"{'clip':28s}{'tiles':>6}{'right':>16}{'worst tile':>12}{'phantom':>9}{'missed':>8}"
        f"{'ids/tile':>10}{'face px':>10}"
    )
    for name in CLIPS:
        mine = [stats for (clip, _), stats in zip(tiles, per_tile, strict=True) if clip == name]
        truth_frames = sum(s["truth"] for s in mine)
        right = sum(s["right"] for s in mine)
        worst = min((s["right"] / s["truth"] for s in mine if s["truth"]), default=1.0)
        row: dict[str, Any] = {
            "tiles": len(mine),
            "truth_frames": truth_frames,
            "right": right,
            "right_share": right / truth_frames if truth_frames else 1.0,
            "worst_tile_share": worst,
            "phantom_faces": sum(s["phantom"] for s in mine),
            "missed_faces": sum(s["missed"] for s in mine),
            "max_ids_per_tile": max((len(s["ids"]) for s in mine), default=0),
            "face_px": [min(sides[name], default=0), max(sides[name], default=0)],
        }
        report["clips"][name] = row
        print(
            f"{name:28s}{len(mine):>6}{right:>8}/{truth_frames:<7}{100 * worst:>11.1f}%{row['phantom_faces']:>9}"
            f"{row['missed_faces']:>8}{row['max_ids_per_tile']:>10}{row['face_px'][0]:>6}-{row['face_px'][1]}"
        )
    report["pipeline_ms_median"] = statistics.median(times)
    report["pipeline_ms_mean"] = statistics.fmean(times)
    print(f"pipeline: {report['pipeline_ms_median']:.1f} ms per frame median, {report['pipeline_ms_mean']:.1f} mean")
    print(json.dumps(report, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
