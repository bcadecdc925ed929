"""Cameras of this computer, opened by their OpenCV index (a network camera: ``network_camera``)."""

from __future__ import annotations

import logging
from collections.abc import Callable

import cv2

from emotion_app.io.frame_format import normalise_frame

from .frame_source import SourceOpenError
from .opencv_source import OpenCvFrameSource, read_first_frame
from .specs import CameraSpec

log = logging.getLogger(__name__)

# What opens a camera device by its index: cv2.VideoCapture (tests hand in a stand-in).
DeviceOpener = Callable[[int], cv2.VideoCapture]


def open_camera(spec: CameraSpec, open_device: DeviceOpener = cv2.VideoCapture) -> OpenCvFrameSource:
    """Open the camera of ``spec`` at its ``size`` (when given) and read its first frame.

    A camera that cannot give that size keeps one it can (the frames tell which); one
    that accepts the request and then delivers nothing is opened again at its default.
    """
    capture = _open_device(spec, open_device)
    frame = None
    if spec.size is not None:
        _ask_for_size(capture, spec.size)
        frame = read_first_frame(capture)
        if frame is None:
            log.warning("%s delivers no frames at %dx%d: opening it at its default size", spec.describe(), *spec.size)
            capture.release()
            capture = _open_device(spec, open_device)
    if frame is None:
        frame = read_first_frame(capture)
    if frame is None:
        capture.release()
        raise SourceOpenError(
            f"{spec.describe(capital=True)} opened but delivers no frames: another application may be using it"
        )
    if spec.size is not None and (frame.shape[1], frame.shape[0]) != spec.size:
        log.info("%s gives %dx%d frames (asked for %dx%d)", spec.describe(), frame.shape[1], frame.shape[0], *spec.size)
    return OpenCvFrameSource(capture, normalise_frame(frame))


def _open_device(spec: CameraSpec, open_device: DeviceOpener) -> cv2.VideoCapture:
    capture = open_device(spec.index)
    if not capture.isOpened():
        capture.release()
        raise SourceOpenError(
            f"Could not open {spec.describe()}: it is absent or unplugged, or another application is using it"
        )
    return capture


def _ask_for_size(capture: cv2.VideoCapture, size: tuple[int, int]) -> None:
    # Motion JPEG first: USB webcams send uncompressed frames by default, and USB 2 carries
    # those at 1280x720 at about 10 frames a second; compressed, at the camera's full rate.
    # A camera or backend without it ignores the request and keeps its own format.
    capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*"MJPG"))
    capture.set(cv2.CAP_PROP_FRAME_WIDTH, size[0])
    capture.set(cv2.CAP_PROP_FRAME_HEIGHT, size[1])
