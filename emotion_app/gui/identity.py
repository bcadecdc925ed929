"""The app's name, as QSettings and the window know it: Qt-light, so start-up can name the
application before the model code (torch) is imported."""

from __future__ import annotations

ORGANIZATION = "emotion_app"
APPLICATION = "Emotion Camera"
# The app's name before it was "Emotion Camera": its settings are carried over once.
FORMER_APPLICATIONS = ("Emotion Recognition",)
