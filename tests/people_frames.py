"""Helpers for tests that follow two people (emotion_app.samples.two_people) through a change of view."""

from __future__ import annotations

from collections.abc import Sequence

from emotion_app.faces.track import Track
from emotion_app.results import FaceResult


def ids_left_to_right(faces: Sequence[Track | FaceResult]) -> list[int]:
    """The ids of tracks or face results, in order of their boxes from left to right."""
    return [face.track_id for face in sorted(faces, key=lambda face: face.box[0])]
