"""Shared fixtures: random-init weights files and small astronaut videos.

The builders themselves live in ``helpers.py`` (import them with ``from helpers import ...``)
so other test modules can make variations of their own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import VideoTruth, make_random_weights, write_astronaut_video


@pytest.fixture(scope="session")
def random_weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 6-class randomly initialised weights file."""
    return make_random_weights(tmp_path_factory.mktemp("weights") / "random6.safetensors", num_classes=6)


@pytest.fixture(scope="session")
def random_weights_7(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 7-class (with disgust) randomly initialised weights file."""
    return make_random_weights(tmp_path_factory.mktemp("weights7") / "random7.safetensors", num_classes=7)


@pytest.fixture(scope="session")
def moving_face_video(tmp_path_factory: pytest.TempPathFactory) -> VideoTruth:
    """One astronaut face drifting across a 320x240 frame, two blank frames in the middle."""
    return write_astronaut_video(
        tmp_path_factory.mktemp("video") / "moving.avi",
        num_frames=20,
        frame_size=(320, 240),
        face_size=70,
        motion="move",
        blank_frames=(9, 10),
    )


@pytest.fixture(scope="session")
def scaling_face_video(tmp_path_factory: pytest.TempPathFactory) -> VideoTruth:
    """One astronaut face growing from 60 to 140 px in a 320x240 frame."""
    return write_astronaut_video(
        tmp_path_factory.mktemp("video") / "scaling.avi",
        num_frames=16,
        frame_size=(320, 240),
        face_size=(60, 140),
        motion="scale",
    )


@pytest.fixture(scope="session")
def two_faces_video(tmp_path_factory: pytest.TempPathFactory) -> VideoTruth:
    """Two astronaut copies side by side, moving; one blank and one noise frame between."""
    return write_astronaut_video(
        tmp_path_factory.mktemp("video") / "two_faces.avi",
        num_frames=16,
        frame_size=(400, 200),
        face_size=64,
        copies=2,
        motion="move",
        blank_frames=(6,),
        noise_frames=(7,),
    )
