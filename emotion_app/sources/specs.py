"""What to open as a source of frames: a camera (or network camera), a video file or
pictures, a screen. Frozen dataclasses, so a spec can be handed to another thread as it is;
``describe`` names one in the app's messages (a network camera's password left out).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from emotion_app.wording import capitalised

from .stream_url import redacted


@dataclass(frozen=True)
class CameraSpec:
    """A camera, opened by its OpenCV index; ``name`` is what the user saw in the picker.

    ``size``: the picture size (width, height) to ask of it; None for its own default.
    ``url``: a network camera (an IP camera, a phone's camera app) by its stream URL
    instead of a device index (which is then unused).
    """

    index: int
    name: str = ""
    size: tuple[int, int] | None = None
    url: str = ""

    def describe(self, capital: bool = False) -> str:
        if self.url:
            text = f"network camera {redacted(self.url)}"
        elif self.name:
            text = f"camera '{self.name}' (index {self.index})"
        else:
            text = f"camera {self.index}"
        return capitalised(text) if capital else text


@dataclass(frozen=True)
class VideoFileSpec:
    """A video file; ``pace`` plays it at its native frame rate like a camera would."""

    path: Path
    pace: bool = True
    # Start again from the first frame at the end (used by the soak measurement).
    loop: bool = False

    @property
    def kind(self) -> str:
        """What the path names, in words: "video file", "image" or "folder of images"."""
        from emotion_app.io.video import IMAGE_SUFFIXES  # OpenCV: only once a source is described

        try:
            if self.path.is_dir():
                return "folder of images"
        except OSError:  # a name too long for the file system, say: no folder; opening it says why
            pass
        return "image" if self.path.suffix.lower() in IMAGE_SUFFIXES else "video file"

    def describe(self, capital: bool = False) -> str:
        text = f"{self.kind} {self.path}"
        return capitalised(text) if capital else text


class ScreenArea:
    """Where the app's own window is on the screens, in screen pixels (x, y, w, h), or
    None while it is not shown. The GUI thread writes it as the window moves; the capture
    thread reads it for every screen grab, so the app never sees itself (a capture of its
    own window would show every face again, smaller, inside the picture)."""

    def __init__(self) -> None:
        self.rect: tuple[int, int, int, int] | None = None  # one tuple, swapped whole


@dataclass(frozen=True)
class ScreenSpec:
    """A screen of this computer captured as a live source (a video call's gallery, a
    webinar, a video in a browser): ``monitor`` numbers the screens from 1; 0 is all of
    them together. ``region``: only this part of it (x, y, w, h in screen pixels, as the
    screens' own coordinates), e.g. the call's window. ``own_window``: the area blanked
    from every grab (see :class:`ScreenArea`); not part of what the spec names."""

    monitor: int = 1
    region: tuple[int, int, int, int] | None = None
    own_window: ScreenArea | None = field(default=None, compare=False, repr=False)

    def describe(self, capital: bool = False) -> str:
        text = f"screen {self.monitor}" if self.monitor else "all screens"
        if self.region is not None:
            text = f"part of {text} ({self.region[2]}x{self.region[3]})"
        return capitalised(text) if capital else text


SourceSpec = CameraSpec | VideoFileSpec | ScreenSpec
