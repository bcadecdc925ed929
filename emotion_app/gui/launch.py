"""What the user asked for on the command line: :class:`LaunchOptions` and its parser.

Qt-free and apart from ``app.py`` so the window can take the options without importing
the start-up code that creates it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LaunchOptions:
    """What the user asked for on the command line."""

    camera: str | None = None  # an OpenCV index ("0") or (part of) a camera's name
    video: Path | None = None
    weights: Path | None = None  # None: the shipped default in weights/
    settings: Path | None = None  # an INI file instead of the user's settings

    @property
    def camera_index(self) -> int | None:
        return int(self.camera) if self.camera is not None and self.camera.strip().isdigit() else None


def parse_args(argv: Sequence[str] | None = None) -> LaunchOptions:
    # No fixed prog: the usage line names what was run (main.py or emotion-app).
    parser = argparse.ArgumentParser(
        description="Emotion Camera: real-time facial-emotion recognition from a camera, a video file, an image or a "
        "folder of images.",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--camera", metavar="INDEX|NAME", help="camera to open: OpenCV index or (part of) its name")
    source.add_argument("--video", metavar="PATH", type=Path, help="play a video file instead of a camera")
    parser.add_argument(
        "--weights", metavar="PATH", type=Path, help="emotion model weights (default: weights/emotion_cnn.safetensors)"
    )
    parser.add_argument(
        "--settings", metavar="FILE", type=Path, help="keep settings in this INI file instead of the user's"
    )
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    return LaunchOptions(camera=args.camera, video=args.video, weights=args.weights, settings=args.settings)
