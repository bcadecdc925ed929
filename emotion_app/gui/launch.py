"""What the user asked for on the command line: :class:`LaunchOptions` and its parser.

Qt-free and apart from ``app.py`` so the window can take the options without importing
the start-up code that creates it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..arguments import ArgumentParser, names_a_folder, path_argument
from ..io.path_lookup import PathCannotBeLookedAt, path_exists
from ..shipped import DEFAULT_WEIGHTS_NAME
from .camera_size import CAMERA_SIZES, CameraSize, format_camera_size, parse_camera_size


@dataclass(frozen=True)
class LaunchOptions:
    """What the user asked for on the command line."""

    camera: str | None = None  # an OpenCV index ("0"), (part of) a camera's name, or a stream URL
    video: Path | None = None
    screen: int | None = None  # a screen's number (0: all screens together)
    weights: Path | None = None  # None: the shipped default in weights/
    settings: Path | None = None  # an INI file instead of the user's settings
    # --camera-size: the picture size to ask of cameras in this run (None: each camera's
    # default). Without it (camera_size_given False) the size last chosen in the menu.
    camera_size: CameraSize | None = None
    camera_size_given: bool = False

    @property
    def camera_index(self) -> int | None:
        return int(self.camera) if self.camera is not None and self.camera.strip().isdecimal() else None


def parse_args(argv: Sequence[str] | None = None) -> LaunchOptions:
    # No fixed prog: the usage line names what was run (main.py or emotion-app).
    parser = ArgumentParser(
        description="Emotion Camera: real-time facial-emotion recognition from a camera, a screen, a video file, an "
        "image or a folder of images.",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--camera",
        metavar="INDEX|NAME|URL",
        type=_camera,
        help=f"camera to open: OpenCV index (0 to {MAX_CAMERA_INDEX}), (part of) its name, or a network camera's "
        "stream URL (an IP camera or a phone's camera app: http://…, rtsp://…)",
    )
    source.add_argument(
        "--video",
        metavar="PATH",
        type=path_argument,
        help="play a video file, an image or a folder of images instead of a camera",
    )
    source.add_argument(
        "--screen",
        metavar="N",
        type=_screen_number,
        help="find the faces on screen N (1 for the first; 0 for all screens together): a video call's gallery, "
        "a webinar, a video in a browser (this window is left out of the picture; File > Capture screen lists them)",
    )
    parser.add_argument(
        "--weights",
        metavar="PATH",
        type=path_argument,
        help="emotion model weights for this run, not remembered (default: the model last chosen in the Model "
        "menu; at first "
        f"weights/{DEFAULT_WEIGHTS_NAME}); a file that does not load gives way to {DEFAULT_WEIGHTS_NAME}, "
        "and the window says why",
    )
    parser.add_argument(
        "--settings",
        metavar="FILE",
        type=_settings_file,
        help="keep settings in this INI file instead of the user's (a new file, or one this app wrote)",
    )
    sizes = ", ".join(format_camera_size(size) for size in CAMERA_SIZES)
    parser.add_argument(
        "--camera-size",
        metavar="WxH",
        type=_camera_size,
        help=f"picture size to ask of the camera, e.g. {sizes}, or 'default' for the camera's own "
        "(default: the size last chosen in View > Camera resolution; a camera that cannot give it keeps one it can)",
    )
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    return LaunchOptions(
        camera=args.camera,
        # Absolute: both are remembered in the settings and handed to other processes, which
        # may start in another folder (the fast classifier's build does).
        video=args.video.absolute() if args.video else None,
        screen=args.screen,
        weights=args.weights.absolute() if args.weights else None,
        settings=args.settings,
        camera_size=args.camera_size[0] if args.camera_size else None,
        camera_size_given=args.camera_size is not None,
    )


#: The highest camera index taken (on the command line, and from the settings): beyond
#: any computer's cameras, and OpenCV refuses one past a C int with a page of overloads.
MAX_CAMERA_INDEX = 1023

# Far beyond any settings file this app writes (a few kilobytes).
MAX_SETTINGS_BYTES = 1 << 20


def _settings_file(text: str) -> Path:
    """A settings file that may be (re)written: a new one, or an INI file; anything else (a
    video, a script, the played file) would be overwritten with settings at the first save."""
    path = path_argument(text).absolute()
    try:
        exists = path_exists(path)
    except PathCannotBeLookedAt as exc:
        raise argparse.ArgumentTypeError(f"{path} {exc}") from None
    is_file = exists and path.is_file()
    if exists and not is_file:
        # A folder was taken and the app ran, every change lost with one line in its log at
        # the end; a device (/dev/null) could be replaced by a file when settings are saved.
        if path.is_dir():
            raise argparse.ArgumentTypeError(
                f"{path} is a folder; give a settings file in it, e.g. {path / 'settings.ini'}"
            )
        raise argparse.ArgumentTypeError(f"{path} is not a regular file; give a settings file's name")
    if not exists and names_a_folder(text):
        # Path drops the "/": "--settings cfg/" made a file named cfg.
        raise argparse.ArgumentTypeError(
            f"{text} names a folder; give a settings file in it, e.g. {path / 'settings.ini'}"
        )
    if is_file:
        if not os.access(path, os.R_OK):
            raise argparse.ArgumentTypeError(f"{path} cannot be read (permission denied)")
        if not looks_like_settings(path):
            # An INI file saved in another encoding by a hand edit is told as such: Qt would
            # read its other characters as U+FFFD and write them back so.
            what = (
                "is not UTF-8 text, as settings files are"
                if _ini_in_another_encoding(path)
                else "is not a settings (INI) file"
            )
            raise argparse.ArgumentTypeError(
                f"{path} {what}, and saving settings would overwrite it; give a new file name"
            )
    return path


def _ini_in_another_encoding(path: Path) -> bool:
    """Whether ``path`` is no UTF-8 text, yet reads as an INI file byte for character."""
    return looks_like_settings(path, "latin-1") and not looks_like_settings(path)


def looks_like_settings(path: Path, encoding: str = "utf-8-sig") -> bool:
    """Whether ``path`` reads as an INI file (empty, or a [section] first, then only
    sections, key=value lines, comments and blank lines), as QSettings writes them (in
    UTF-8; a byte-order mark from a hand edit is fine)."""
    try:
        if path.stat().st_size > MAX_SETTINGS_BYTES:
            return False
        text = path.read_bytes().decode(encoding)
    except (OSError, UnicodeDecodeError):
        return False
    if "\0" in text:
        return False
    # Lines end at "\n" only: QSettings writes U+2028 and the like raw inside values.
    lines = [line.strip() for line in text.split("\n")]
    content = [line for line in lines if line and not line.startswith((";", "#"))]
    if not content:
        return True

    def is_section(line: str) -> bool:
        return line.startswith("[") and line.endswith("]")

    return is_section(content[0]) and all(is_section(line) or "=" in line for line in content)


def _camera(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty camera; give its index (0 for the first), name or URL")
    if text.strip().isdecimal() and int(text) > MAX_CAMERA_INDEX:
        raise argparse.ArgumentTypeError(f"camera index {text.strip()} is beyond {MAX_CAMERA_INDEX}")
    return text


def _screen_number(text: str) -> int:
    if not text.strip().isdecimal():
        raise argparse.ArgumentTypeError(f"expected a screen number such as 1 (0 for all screens), got {text!r}")
    return int(text)


def _camera_size(text: str) -> tuple[CameraSize | None]:
    # In a 1-tuple: argparse's None means "not given", and None is a size here ("default").
    try:
        return (parse_camera_size(text),)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
