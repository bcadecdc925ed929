"""How often reusing a face's last result changes what the pipeline reports.

    python -m scripts.reuse_agreement CLIP [CLIP ...] [--weights W]

Feeds every frame of each clip to two pipelines that differ only in result reuse: one
as shipped (``reuse_frames=4``), one that classifies every face in every frame
(``reuse_frames=0``). Tracking does not depend on reuse, so both see the same faces;
no smoothing, so each reported result is the model's output for that frame. Prints,
per clip: faces, faces that reused a result, faces whose label differs between the
two, and the largest probability difference.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
import torch

from emotion_app.inference.classifier import EmotionClassifier
from emotion_app.pipeline import EmotionPipeline
from scripts.support.arguments import script_parser
from scripts.support.detectors import detector_or_refuse
from scripts.support.errors import refuse
from scripts.support.model_weights import classifier_or_refuse


def compare(clip: Path, classifier: EmotionClassifier) -> dict[str, float]:
    reusing = EmotionPipeline(detector_or_refuse(), classifier, reuse_frames=4, steadiness="off")
    every_frame = EmotionPipeline(detector_or_refuse(), classifier, reuse_frames=0, steadiness="off")
    capture = cv2.VideoCapture(str(clip))
    if not capture.isOpened():
        refuse(f"cannot open {clip}")
    faces = reused = label_changes = 0
    largest = 0.0
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        a, b = reusing.process(frame), every_frame.process(frame)
        if [r.box for r in a] != [r.box for r in b]:
            raise SystemExit(f"error: {clip}: the two pipelines tracked different faces")
        faces += len(a)
        reused += len(a) - reusing.last_timings.classified
        for x, y in zip(a, b):
            label_changes += x.label != y.label
            largest = max(largest, float(np.max(np.abs(np.subtract(x.probabilities, y.probabilities)))))
    capture.release()
    return {
        "faces": faces,
        "reused": reused,
        "label_changes": label_changes,
        "largest_probability_difference": round(largest, 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = script_parser(__file__, __doc__.splitlines()[0])
    parser.add_argument("clips", type=Path, nargs="+")
    parser.add_argument("--weights", type=Path, default=None, help="default: the shipped weights")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    classifier = classifier_or_refuse(args.weights, optimize=False)
    for clip in args.clips:
        print(clip.name, compare(clip, classifier), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
