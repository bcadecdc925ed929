"""Report a face verifier on a FER-2013 split (--usage, PublicTest by default): the share of
faces it passes, per emotion, and the time it takes to judge a box.

    python -m training.evaluate_verifier --data /path/to/fer2013 [--weights FILE] [--usage SPLIT]

The threshold was chosen on validation faces carved from Training (training/face_verifier.py);
a test split's report is the held-out one.
"""

from __future__ import annotations

import sys

from emotion_app.arguments import ArgumentParser
from emotion_app.shipped import DEFAULT_VERIFIER_PATH

from .data import USAGES, DataError, check_split_layout
from .stopping import interruptible


@interruptible
def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(
        prog="python -m training.evaluate_verifier",
        description=" ".join(__doc__.split("\n\n")[0].split()),
    )
    parser.add_argument(
        "--data",
        required=True,
        help="FER-2013 (CSV, train/+test/ folders; a plain <emotion>/ folder has no splits and is refused)",
    )
    parser.add_argument(
        "--weights", default=str(DEFAULT_VERIFIER_PATH), help="the verifier's weights file (default: the shipped one)"
    )
    parser.add_argument(
        "--usage",
        default="PublicTest",
        choices=USAGES,
        help="the FER-2013 split to report on (default PublicTest; its threshold was chosen on validation faces "
        "carved from Training)",
    )
    args = parser.parse_args(argv)
    # The engine (torch) loads only now: --help and a bad argument answer at once.
    import torch

    from emotion_app.faces.face_verifier import FaceVerifier, VerifierError

    from .face_verifier import box_time_ms, faces_passing

    torch.set_num_threads(1)
    try:
        verifier = FaceVerifier.load(args.weights)
        # A plain folder is taken whole whatever --usage says: ROOT/train would be reported
        # as PublicTest, and those are the faces the verifier trained on.
        check_split_layout(args.data)
        shares = faces_passing(verifier, args.data, args.usage)
    except (VerifierError, DataError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2  # bad input, as every other command
    print(f"{args.weights} (threshold {verifier.card.threshold:.4f}) on {args.usage}:")
    for name, (count, share) in shares.items():
        print(f"  {name:<9} {count:>5} faces, {share:.2%} pass")
    print(f"time to judge a box in a frame: {box_time_ms(verifier):.2f} ms median (1 thread)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
