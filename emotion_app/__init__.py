"""Real-time facial-emotion recognition: Qt-free core (detector, model, classifier, pipeline)."""

from .classifier import EmotionClassifier
from .model import build_model
from .preprocessing import Preprocessing
from .weights import WeightsError

__all__ = ["EmotionClassifier", "Preprocessing", "WeightsError", "build_model"]
