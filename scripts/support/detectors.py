"""The face detectors a measurement runs, or a one-line refusal where OpenCV cannot load
its Haar cascades (``OpenCVSetupError``), as ``analyze`` and ``bench`` refuse: a broken
OpenCV install is the user's to fix, not a failure of the measurement."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from emotion_app.faces.detector import DEFAULT_MIN_FACE, FaceDetector, OpenCVSetupError
from scripts.support.errors import refuse

T = TypeVar("T")


def with_cascades_or_refuse(make: Callable[[], T]) -> T:
    """``make()`` (a detector, the baseline's, a face check: anything that loads OpenCV's
    cascades); its ``OpenCVSetupError`` refused in one ``error:`` line with exit 2."""
    try:
        return make()
    except OpenCVSetupError as exc:
        refuse(str(exc))


def detector_or_refuse(min_face_size: int = DEFAULT_MIN_FACE) -> FaceDetector:
    """The app's detector (``emotion_app.cli.common.make_detector``'s), or a refusal."""
    return with_cascades_or_refuse(lambda: FaceDetector(min_face_size=min_face_size))
