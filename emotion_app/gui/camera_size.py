"""The picture size asked of a camera: the sizes the app offers and their text form.

A camera opens at its driver's default: through OpenCV on Linux that is 640x480 whatever
the camera can do, so an HD webcam delivers HD only when asked. Qt-free, so the command
line and the settings read sizes the same way.
"""

from __future__ import annotations

CameraSize = tuple[int, int]

# What the View menu offers besides the camera's default: the usual webcam modes.
CAMERA_SIZES: tuple[CameraSize, ...] = ((640, 480), (1280, 720), (1920, 1080))
DEFAULT_SIZE_TEXT = "default"
# Beyond 8K no webcam delivers, and a typo like 12800x720 should not reach the driver.
_LARGEST: CameraSize = (7680, 4320)
_SMALLEST = 16


def parse_camera_size(text: str) -> CameraSize | None:
    """``"1280x720"`` as (1280, 720), ``"default"`` as None (the camera's own size).

    Raises ValueError with the reason for anything else.
    """
    value = text.strip().lower()
    if value == DEFAULT_SIZE_TEXT:
        return None
    parts = [part.strip() for part in value.replace("×", "x").split("x")]
    if len(parts) != 2 or not all(part.isdecimal() for part in parts):
        raise ValueError(f"{text!r} is not WIDTHxHEIGHT (e.g. 1280x720) or '{DEFAULT_SIZE_TEXT}'")
    width, height = int(parts[0]), int(parts[1])
    if not (_SMALLEST <= width <= _LARGEST[0] and _SMALLEST <= height <= _LARGEST[1]):
        raise ValueError(f"{text!r} is outside {_SMALLEST}x{_SMALLEST} to {_LARGEST[0]}x{_LARGEST[1]}")
    return width, height


def format_camera_size(size: CameraSize | None) -> str:
    """The text :func:`parse_camera_size` reads back."""
    return DEFAULT_SIZE_TEXT if size is None else f"{size[0]}x{size[1]}"


def describe_camera_size(size: CameraSize | None) -> str:
    """How the menu names a size: as it is typed (``--camera-size 1280x720``) and as the
    rest of the app writes sizes, "1280x720 (HD)", not "1280 × 720"."""
    if size is None:
        return "Camera's default"
    names = {(1280, 720): " (HD)", (1920, 1080): " (Full HD)"}
    return f"{format_camera_size(size)}{names.get(size, '')}"
