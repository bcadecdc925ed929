"""The real clips as a webcam in a dim room would see them, with their truth.

    python -m scripts.make_dim_clips OUT_DIR [--gain 0.25] [--noise 3] [--seed 0]
        [--clips ../shared/data/real-clips]

Writes the four video clips of one person (``WolfgangLanger_Pexels``, ``single_face``,
``face_noface``, ``noface_face``) to ``OUT_DIR`` as MJPG ``.avi`` files, every pixel
multiplied by ``--gain`` (default 0.25: two stops darker) with sensor noise added
(normal, ``--noise`` grey levels of standard deviation, default 3, drawn from ``--seed``:
the same clips every run), and ``OUT_DIR/truth.csv``: the clips' own truth, renamed. Then
``python -m scripts.face_quality --clips OUT_DIR`` scores the faces found and
``python -m scripts.live_quality OUT_DIR`` the labels, against the same clips in full light.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from emotion_app.cli.common import fail
from emotion_app.io.atomic import OutputError, write_bytes
from scripts.support.arguments import script_parser
from scripts.support.real_clips import DEFAULT_CLIPS, ONE_PERSON_CLIPS, truth_rows, truth_text
from scripts.support.video_out import rewrite_video

CLIPS = ONE_PERSON_CLIPS


def dimmed(frame: np.ndarray, gain: float, noise: float, rng: np.random.Generator) -> np.ndarray:
    """``frame`` (BGR uint8) times ``gain`` plus normal noise of ``noise`` grey levels."""
    dark = frame.astype(np.float32) * gain
    if noise > 0:
        dark += rng.normal(0.0, noise, frame.shape).astype(np.float32)
    return np.clip(np.rint(dark), 0, 255).astype(np.uint8)


def write_dimmed(source: Path, target: Path, gain: float, noise: float, seed: int) -> bool:
    """Write ``source`` dimmed (see the module notes) to ``target``; False if it cannot be read."""
    rng = np.random.default_rng(seed)
    return rewrite_video(source, target, lambda frame, _index, _fps: dimmed(frame, gain, noise, rng))


def main(argv: list[str] | None = None) -> int:
    parser = script_parser(__file__, __doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--clips", type=Path, default=DEFAULT_CLIPS)
    parser.add_argument("--gain", type=float, default=0.25, help="brightness factor, above 0 (default 0.25)")
    parser.add_argument("--noise", type=float, default=3.0, help="sensor noise, grey levels (default 3)")
    parser.add_argument("--seed", type=int, default=0, help="the noise's random seed (default 0)")
    args = parser.parse_args(argv)
    if not args.gain > 0 or not args.noise >= 0:
        message = f"--gain must be above 0 and --noise 0 or more, not {args.gain:g} and {args.noise:g}"
        return fail(message)
    truth_path = args.clips / "truth.csv"
    if not truth_path.is_file():
        return fail(f"{truth_path} not found")
    rows = truth_rows(truth_path, CLIPS)
    try:
        for name in CLIPS:
            target = args.out / (Path(name).stem + ".avi")
            if not write_dimmed(args.clips / name, target, args.gain, args.noise, args.seed):
                return fail(f"cannot read {args.clips / name}")
        renamed = [{**row, "file": Path(row["file"]).stem + ".avi"} for row in rows]
        write_bytes(args.out / "truth.csv", truth_text(renamed))
    except OutputError as exc:
        return fail(str(exc))
    print(f"{args.out}: {len(CLIPS)} clips at {args.gain:g} of their brightness, noise {args.noise:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
