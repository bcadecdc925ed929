"""Real-time facial-emotion recognition: Qt-free core (detector, model, classifier, pipeline)."""

from .faces.detector import FaceDetector, OpenCVSetupError, check_opencv
from .inference.classifier import EmotionClassifier
from .model import build_model
from .pipeline import EmotionPipeline, StageTimings
from .preprocessing import Preprocessing
from .results import FaceResult
from .weights import WeightsError

__all__ = [
    "EmotionClassifier",
    "EmotionPipeline",
    "FaceDetector",
    "FaceResult",
    "OpenCVSetupError",
    "Preprocessing",
    "StageTimings",
    "WeightsError",
    "build_model",
    "check_opencv",
]
