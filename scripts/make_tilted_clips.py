"""The real clips with every head leaning: turned by a fixed angle, or swaying, with their truth.

    python -m scripts.make_tilted_clips OUT_DIR [--angle DEG | --sway DEG,SECONDS]
        [--clips ../shared/data/real-clips]

Writes the four video clips of one person (``WolfgangLanger_Pexels``, ``single_face``,
``face_noface``, ``noface_face``) to ``OUT_DIR`` as MJPG ``.avi`` files, every frame turned
about its centre (edges filled by reflection), and ``OUT_DIR/truth.csv``: the clips' own
truth, renamed. ``--angle``: a fixed tilt (counter-clockwise as shown; default 25).
``--sway A,P``: the tilt swings as A·sin(2πt/P), upright at the start. Then
``python -m scripts.face_quality --clips OUT_DIR`` scores the app on leaning heads.

``--cut-from-upright``: each clip opens instead with :data:`LEAD_IN_SECONDS` of someone
else upright (the selfie clip; the crying clip before the selfie), resized to the clip's
frame, and then cuts to the turned clip: a cut from a shown face to a leaning one. The
truth gains a row for those frames (one face) and its other rows move after them.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import cv2
import numpy as np

from emotion_app.cli.common import fail
from emotion_app.io.atomic import OutputError, write_bytes
from scripts.support.arguments import script_parser
from scripts.support.real_clips import DEFAULT_CLIPS, ONE_PERSON_CLIPS, truth_rows, truth_text
from scripts.support.video_out import rewrite_video

CLIPS = ONE_PERSON_CLIPS
# --cut-from-upright: the clip whose opening comes first, and for how long.
LEAD_IN_FROM = {name: "single_face.mp4" for name in CLIPS} | {"single_face.mp4": "WolfgangLanger_Pexels.mp4"}
LEAD_IN_SECONDS = 2.0


def turned(frame: np.ndarray, angle: float) -> np.ndarray:
    height, width = frame.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2.0, height / 2.0), angle, 1.0)
    return cv2.warpAffine(frame, matrix, (width, height), borderMode=cv2.BORDER_REFLECT)


def opening(source: Path, seconds: float) -> list[np.ndarray]:
    """The first ``seconds`` of ``source`` ([] if it cannot be read)."""
    capture = cv2.VideoCapture(str(source))
    try:
        count = round(seconds * (capture.get(cv2.CAP_PROP_FPS) or 30.0))
        frames: list[np.ndarray] = []
        while len(frames) < count:
            ok, frame = capture.read()
            if not ok:
                break
            frames.append(frame)
        return frames
    finally:
        capture.release()


def write_turned(
    source: Path, target: Path, angle: float, swaying: tuple[float, float] | None, lead_in: list[np.ndarray]
) -> bool:
    """Write ``source`` turned (see the module notes) to ``target``, after the ``lead_in``
    frames (upright, resized to its frame); False if it cannot be read."""

    def turn(frame: np.ndarray, index: int, fps: float) -> np.ndarray:
        tilt = angle if swaying is None else swaying[0] * math.sin(2.0 * math.pi * index / fps / swaying[1])
        return turned(frame, tilt)

    return rewrite_video(source, target, turn, lead_in)


def sway(text: str) -> tuple[float, float]:
    try:
        amplitude, period = (float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected DEG,SECONDS such as 40,4, got {text!r}") from None
    if not period > 0:
        raise argparse.ArgumentTypeError(f"the period must be positive, got {period:g}")
    return amplitude, period


def main(argv: list[str] | None = None) -> int:
    parser = script_parser(__file__, __doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--clips", type=Path, default=DEFAULT_CLIPS)
    tilt = parser.add_mutually_exclusive_group()
    tilt.add_argument("--angle", type=float, default=25.0, help="fixed tilt in degrees (default 25)")
    tilt.add_argument("--sway", type=sway, help="DEG,SECONDS: the tilt swings this far, with this period")
    parser.add_argument(
        "--cut-from-upright",
        action="store_true",
        help=f"open each clip with {LEAD_IN_SECONDS:g} s of someone else upright, then cut to it",
    )
    args = parser.parse_args(argv)
    truth_path = args.clips / "truth.csv"
    if not truth_path.is_file():
        return fail(f"{truth_path} not found")
    rows = truth_rows(truth_path, CLIPS)
    lead_ins: dict[str, int] = {}
    written: list[dict[str, object]] = []
    try:
        for name in CLIPS:
            lead_in = opening(args.clips / LEAD_IN_FROM[name], LEAD_IN_SECONDS) if args.cut_from_upright else []
            if args.cut_from_upright and not lead_in:
                return fail(f"cannot read {args.clips / LEAD_IN_FROM[name]}")
            lead_ins[name] = len(lead_in)
            if not write_turned(
                args.clips / name, args.out / (Path(name).stem + ".avi"), args.angle, args.sway, lead_in
            ):
                return fail(f"cannot read {args.clips / name}")
        for name in CLIPS:
            file = Path(name).stem + ".avi"
            shift = lead_ins[name]
            if shift:
                written.append(
                    {
                        "file": file,
                        "first_frame": 0,
                        "last_frame": shift - 1,
                        "faces": 1,
                        "labels": "",
                        "note": "upright lead-in",
                    }
                )
            for row in rows:
                if row["file"] == name:
                    moved = {key: str(int(row[key]) + shift) for key in ("first_frame", "last_frame")}
                    written.append({**row, **moved, "file": file})
        write_bytes(args.out / "truth.csv", truth_text(written))
    except OutputError as exc:
        return fail(str(exc))
    if args.sway is None:
        how = f"a fixed tilt of {args.angle:g} degrees"
    else:
        how = "a tilt of {:g} degrees swaying every {:g} s".format(*args.sway)
    if args.cut_from_upright:
        how += f", each after {LEAD_IN_SECONDS:g} s of someone else upright"
    print(f"{args.out}: {len(CLIPS)} clips with {how}; truth in {args.out / 'truth.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
