"""Training and evaluation tools for the emotion CNN (FER-2013)."""

from .stopping import stop_quietly_while_loading

# Before `python -m training.TOOL` imports the tool's module (numpy, OpenCV and the rest).
stop_quietly_while_loading()
