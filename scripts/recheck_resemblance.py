"""How the tracker's re-checks by resemblance behave on real clips: how many pass on the
face's look alone, whether the full face check would have agreed, and what a box moved
off the face scores.

    python -m scripts.recheck_resemblance [--clips ../shared/data/real-clips] [--also VIDEO ...]

Runs :class:`FaceTracker` (app defaults, scans inline) over every video of ``--clips``
(and each ``--also``, e.g. the gallery clip) and watches every due re-check of a shown
face. For each it prints, per clip:

* resembled: re-checks passed on the look of the last passed full check (no cascades),
  and of those, how many the full face check (run here only to compare) would fail;
* full: re-checks that ran the full check;
* moved: the same look matched against the box moved 0.6 of a side down, up, left and
  right (a box slid onto a collar, or beside the face): tries, how many would pass, and
  the highest score (the threshold is ``RESEMBLANCE_SCORE``).

The last line printed is one JSON object.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from emotion_app.cli.common import fail
from emotion_app.faces import tracker as tracker_module
from emotion_app.faces.track import Track
from emotion_app.io.video import InputError, open_input
from emotion_app.preprocessing import to_gray
from scripts.support.arguments import script_parser
from scripts.support.detectors import detector_or_refuse
from scripts.support.real_clips import DEFAULT_CLIPS, clips_in

# Where a box that left its face is tried: shifts as fractions of the face's side.
MOVES = ((0.0, 0.6), (0.0, -0.6), (-0.6, 0.0), (0.6, 0.0))


def measure(path: Path) -> dict[str, Any]:
    tracker = tracker_module.FaceTracker(detector_or_refuse())
    counts: Counter[str] = Counter()
    best_moved = 0.0
    decide = tracker._resembles_verified

    def watched(gray: Any, track: Track) -> bool:
        nonlocal best_moved
        look = track.verified
        if look is not None:
            x, y, w, h = track.box
            side = max(w, h)
            for dx, dy in MOVES:
                moved = (int(x + dx * side), int(y + dy * side), w, h)
                match = look.locate(gray, moved, tracker_module.RESEMBLANCE_MARGIN * side)
                if match is not None:
                    counts["moved"] += 1
                    counts["moved_pass"] += match[1] >= tracker_module.RESEMBLANCE_SCORE
                    best_moved = max(best_moved, match[1])
        resembled = decide(gray, track)
        if resembled:
            counts["resembled"] += 1
            counts["resembled_full_fails"] += not tracker.face_check(gray, track.box)
        else:
            counts["full"] += 1
        return resembled

    tracker._resembles_verified = watched  # type: ignore[method-assign]
    for _, _, frame in open_input(path).frames():
        tracker.update(to_gray(frame))
    return {
        **{key: counts[key] for key in ("resembled", "resembled_full_fails", "full", "moved", "moved_pass")},
        "moved_best_score": round(best_moved, 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = script_parser(__file__, __doc__.split("\n\n")[0])
    parser.add_argument("--clips", type=Path, default=DEFAULT_CLIPS)
    parser.add_argument("--also", type=Path, action="append", default=[], metavar="VIDEO")
    args = parser.parse_args(argv)
    try:
        videos = clips_in(args.clips) + list(args.also)
    except InputError as exc:
        return fail(str(exc))
    report: dict[str, Any] = {}
    for video in videos:
        try:
            row = measure(video)
        except InputError as exc:
            return fail(str(exc))
        if not report:  # the header once a clip could be read: an unreadable one is the one error line
            print(f"{'clip':28s}{'resembled':>10}{'full fails':>11}{'full':>6}{'moved':>7}{'pass':>6}{'best':>7}")
        report[video.name] = row
        print(
            f"{video.name:28s}{row['resembled']:>10}{row['resembled_full_fails']:>11}{row['full']:>6}"
            f"{row['moved']:>7}{row['moved_pass']:>6}{row['moved_best_score']:>7.2f}"
        )
    totals = {key: sum(row[key] for row in report.values()) for key in ("resembled", "resembled_full_fails", "full")}
    print(
        f"all: {totals['resembled']} of {totals['resembled'] + totals['full']} re-checks by resemblance, "
        f"the full check would fail {totals['resembled_full_fails']} of those"
    )
    print(json.dumps(report, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
