"""What tells a cut from a camera move or a light switched on: the figures behind ``ShotCuts``.

    python -m scripts.shot_cuts [--clips ../shared/data/real-clips] [--json]

For every video of ``--clips``, each frame against the one before, as the tracker's
:class:`emotion_app.faces.scene_gate.ShotCuts` sees them (8x8-pixel cell means): the share
of cells that changed and the cells' correlation. Printed per clip:

* cuts: frames where more than ``CUT_SHARE`` of the cells changed, with their correlation;
* moves: the correlation range of the other frames where over 15% of the cells changed (a
  camera move, a zoom, a face close to the camera moving);
* light: the correlation of the clip's frame 5 with itself 1.6 times brighter plus 25 (a
  light switched on: every cell changes, the picture stays).

A cut needs its correlation under ``SHOT_CORRELATION``; moves and light should stay above
it. The last line is one JSON object.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from emotion_app.cli.common import fail
from emotion_app.faces.scene_gate import CHANGE_LEVEL, CUT_SHARE, SHOT_CORRELATION, coarse_cells
from emotion_app.io.video import InputError, open_input
from emotion_app.preprocessing import to_gray
from scripts.support.arguments import script_parser
from scripts.support.real_clips import DEFAULT_CLIPS, clips_in

MOVE_SHARE = 0.15  # a frame pair this much changed, and no cut, counts as a move
LIGHT_FRAME = 5
LIGHT_GAIN, LIGHT_OFFSET = 1.6, 25.0


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two coarse frames' cells (0 when one is flat)."""
    x = a.astype(np.float64).ravel() - float(a.mean())
    y = b.astype(np.float64).ravel() - float(b.mean())
    spread = float(np.sqrt(np.dot(x, x) * np.dot(y, y)))
    return float(np.dot(x, y)) / spread if spread else 0.0


def changed_share(a: np.ndarray, b: np.ndarray) -> float:
    return float((cv2.absdiff(a, b) > CHANGE_LEVEL).mean())


def measure(path: Path) -> dict[str, Any]:
    """One clip's cuts, moves and light figures (see the module notes)."""
    cuts: list[dict[str, float]] = []
    moves: list[float] = []
    light: float | None = None
    previous: np.ndarray | None = None
    for index, _, frame in open_input(path).frames():
        current = coarse_cells(to_gray(frame))
        if index == LIGHT_FRAME:
            lit = np.clip(current.astype(np.float32) * LIGHT_GAIN + LIGHT_OFFSET, 0, 255).astype(np.uint8)
            light = correlation(current, lit)
        if previous is not None:
            share = changed_share(current, previous)
            if share > CUT_SHARE:
                cuts.append({"frame": index, "share": share, "correlation": correlation(current, previous)})
            elif share > MOVE_SHARE:
                moves.append(correlation(current, previous))
        previous = current
    return {"cuts": cuts, "moves": [min(moves), max(moves)] if moves else None, "light": light}


def main(argv: list[str] | None = None) -> int:
    parser = script_parser(__file__, __doc__.splitlines()[0])
    parser.add_argument("--clips", type=Path, default=DEFAULT_CLIPS)
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    args = parser.parse_args(argv)
    try:
        clips = clips_in(args.clips)
    except InputError as exc:
        return fail(str(exc))
    report: dict[str, Any] = {"shot_correlation": SHOT_CORRELATION, "clips": {}}
    for path in clips:
        try:
            figures = measure(path)
        except InputError as exc:
            return fail(str(exc))
        report["clips"][path.name] = figures
        if not args.json:
            cuts = ", ".join(f"{c['frame']} ({c['correlation']:.2f})" for c in figures["cuts"]) or "none"
            moves = "none" if figures["moves"] is None else "{:.2f}-{:.2f}".format(*figures["moves"])
            light = "-" if figures["light"] is None else f"{figures['light']:.2f}"
            print(f"{path.name}: cuts at {cuts}; moves {moves}; light {light}")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
