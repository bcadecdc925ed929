"""Real-time facial-emotion recognition: Qt-free core (detector, model, classifier, pipeline).

The names below are imported when first used, so `main.py --help` (and anything else that
touches the package without them) answers without loading torch, which takes seconds.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .faces.detector import FaceDetector, OpenCVSetupError, check_opencv
    from .inference.classifier import EmotionClassifier
    from .io.atomic import DiskFullError, OutputError
    from .io.csv_export import FaceCsvWriter
    from .model import build_model
    from .pipeline import EmotionPipeline, StageTimings
    from .preprocessing import Preprocessing
    from .results import FaceResult
    from .weights import WeightsError, WeightsNotFoundError

# Each public name and the module that defines it. The names are listed three times: the
# TYPE_CHECKING imports for type checkers, this table for the lazy imports, and a literal
# __all__, which ruff needs to see the imports as exported; a test keeps the three equal.
_SOURCES = {
    "DiskFullError": ".io.atomic",
    "EmotionClassifier": ".inference.classifier",
    "EmotionPipeline": ".pipeline",
    "FaceCsvWriter": ".io.csv_export",
    "FaceDetector": ".faces.detector",
    "FaceResult": ".results",
    "OpenCVSetupError": ".faces.detector",
    "OutputError": ".io.atomic",
    "Preprocessing": ".preprocessing",
    "StageTimings": ".pipeline",
    "WeightsError": ".weights",
    "WeightsNotFoundError": ".weights",
    "build_model": ".model",
    "check_opencv": ".faces.detector",
}

__all__ = [
    "DiskFullError",
    "EmotionClassifier",
    "EmotionPipeline",
    "FaceCsvWriter",
    "FaceDetector",
    "FaceResult",
    "OpenCVSetupError",
    "OutputError",
    "Preprocessing",
    "StageTimings",
    "WeightsError",
    "WeightsNotFoundError",
    "build_model",
    "check_opencv",
]


def __getattr__(name: str) -> Any:
    source = _SOURCES.get(name)
    if source is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(source, __name__), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    # The API and the module's own dunders; not the helpers this file imports (Any,
    # importlib, ...), nor the submodules loaded so far, which would vary with use.
    return sorted({*__all__, *(name for name in globals() if name.startswith("__") and name.endswith("__"))})
