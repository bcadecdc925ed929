"""Screens as a live source: the faces of a video call, a webinar or a video in a browser.

The ``mss`` library grabs a screen (X11 on Linux, GDI on Windows, Quartz on macOS) from
any thread (its cost: ``python -m scripts.measure_gui --screen N``, figures in the
README): Qt's own grab runs on the GUI thread only, where it would take that time from
painting. Qt-free; the capture thread opens and reads it like a camera.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import cv2
import mss
import numpy as np

from .specs import ScreenArea, ScreenSpec

# A screen has no frame rate of its own: grabbed this often. Video calls send 15-30
# frames a second, and an expression lasts far longer than a frame.
SCREEN_FPS = 15.0
# A larger screen (4K, a 5K display) is shrunk to this many pixels as it is grabbed, before
# anything else touches it: the pipeline looks for faces in video at most at this size
# anyway (pipeline.MAX_STREAM_PIXELS), and drawing, showing and recording a 4K frame cost
# four times as much for a picture the window shows smaller (docs/measurements.md).
MAX_SCREEN_PIXELS = 1920 * 1080
# A part of a screen smaller than this a side holds no face the detector can find.
MIN_REGION_SIDE = 32


class ScreenCaptureError(Exception):
    """Screens cannot be grabbed here; the message says why in one line."""


@dataclass(frozen=True)
class Screen:
    """One screen as :func:`list_screens` found it, in screen pixels."""

    monitor: int  # 1-based; 0 is all screens together
    left: int
    top: int
    width: int
    height: int
    name: str = ""  # the output's name where the system gives one ("HDMI-1")

    def describe(self) -> str:
        label = f"Screen {self.monitor}" if self.monitor else "All screens"
        named = f" ({self.name})" if self.name and self.name != "screen" else ""
        return f"{label}{named} — {self.width}x{self.height}"


def _grabber() -> mss.MSS:
    """An ``mss`` grabber for this thread (each one holds its own display connection)."""
    try:
        return mss.MSS()
    except Exception as exc:  # mss.ScreenShotError: no display to connect to, and the like
        raise ScreenCaptureError(f"this system lets no screen be captured ({exc})") from exc


def list_screens() -> list[Screen]:
    """The screens that can be captured, then all of them together when there are
    several; [] with no display to capture (a headless machine, a Wayland session
    without X11)."""
    try:
        grabber = _grabber()
    except ScreenCaptureError:
        return []
    try:
        monitors = list(grabber.monitors)
    except Exception:
        return []
    finally:
        grabber.close()
    screens = [_screen(number, monitor) for number, monitor in enumerate(monitors) if number > 0]
    if len(screens) > 1:
        screens.append(_screen(0, monitors[0]))
    return screens


def _part(screen: Screen, region: tuple[int, int, int, int]) -> Screen:
    """The part of ``screen`` inside ``region`` (screen pixels), as a screen of its own."""
    x, y, w, h = region
    left, top = max(x, screen.left), max(y, screen.top)
    right, bottom = min(x + w, screen.left + screen.width), min(y + h, screen.top + screen.height)
    return Screen(screen.monitor, left, top, max(0, right - left), max(0, bottom - top), screen.name)


def _screen(number: int, monitor: Mapping[str, Any]) -> Screen:
    return Screen(
        number,
        int(monitor["left"]),
        int(monitor["top"]),
        int(monitor["width"]),
        int(monitor["height"]),
        str(monitor.get("output", "")),
    )


def grab_screen(monitor: int) -> np.ndarray:
    """One still BGR picture of screen ``monitor`` (0: all of them), for choosing a part
    of it; :class:`ScreenCaptureError` when it cannot be grabbed."""
    source = ScreenFrameSource(ScreenSpec(monitor))
    try:
        frame = source.read()
    finally:
        source.release()
    if frame is None:
        raise ScreenCaptureError(f"screen {monitor} gave no picture")
    return frame


class ScreenFrameSource:
    """A screen grabbed :data:`SCREEN_FPS` times a second, as BGR frames; the app's own
    window (``spec.own_window``) is blacked out of each.

    ``read`` waits for the next grab's time, as a camera's read waits for its next frame.
    """

    frame_count = 0
    last_time_s: float | None = None

    def __init__(self, spec: ScreenSpec, fps: float = SCREEN_FPS) -> None:
        grabber = _grabber()
        monitors = list(grabber.monitors)
        if not 0 <= spec.monitor < len(monitors) or (spec.monitor == 0 and len(monitors) < 2):
            grabber.close()
            count = max(0, len(monitors) - 1)
            raise ScreenCaptureError(f"there is no screen {spec.monitor} (this computer has {count})")
        self._grabber: mss.MSS | None = grabber
        self.screen = _screen(spec.monitor, monitors[spec.monitor])
        if spec.region is not None:
            self.screen = _part(self.screen, spec.region)
            if self.screen.width < MIN_REGION_SIDE or self.screen.height < MIN_REGION_SIDE:
                self.release()
                raise ScreenCaptureError(
                    f"the part asked for is not on screen {spec.monitor}, or under {MIN_REGION_SIDE} pixels a side"
                )
        self._own_window: ScreenArea | None = spec.own_window
        # Frames at most MAX_SCREEN_PIXELS: the picture's scale (1.0 at 1080p and under).
        self.scale = min(1.0, math.sqrt(MAX_SCREEN_PIXELS / (self.screen.width * self.screen.height)))
        self.width = max(1, round(self.screen.width * self.scale))
        self.height = max(1, round(self.screen.height * self.scale))
        self.fps = fps
        self._due: float | None = None
        if os.environ.get("XDG_SESSION_TYPE", "").lower() == "wayland" and not self._grab(grabber).any():
            # XWayland hands X11 clients a black picture of everything but their own windows.
            self.release()
            raise ScreenCaptureError(
                "the picture comes out black: a Wayland session does not let applications capture the screen "
                "(log in to an X11 session to use this)"
            )

    def read(self) -> np.ndarray | None:
        grabber = self._grabber
        if grabber is None:
            return None
        now = time.monotonic()
        if self._due is not None and now < self._due:
            time.sleep(self._due - now)
            now = self._due
        # The next grab one period on; after a stall, one period from now (no burst).
        self._due = max(now, (self._due or now)) + 1.0 / self.fps
        return self._grab(grabber)

    def _grab(self, grabber: mss.MSS) -> np.ndarray:
        screen = self.screen
        region = {"left": screen.left, "top": screen.top, "width": screen.width, "height": screen.height}
        pixels = np.asarray(grabber.grab(region))
        if self.scale < 1.0:
            pixels = cv2.resize(pixels, (self.width, self.height), interpolation=cv2.INTER_AREA)
        frame = cv2.cvtColor(pixels, cv2.COLOR_BGRA2BGR)
        self._blank_own_window(frame)
        return frame

    def _blank_own_window(self, frame: np.ndarray) -> None:
        rect = self._own_window.rect if self._own_window is not None else None
        if rect is None:
            return
        x, y, w, h = rect
        # Screen pixels to the frame's: a pixel partly covered by the window is blanked too.
        x0 = max(0, math.floor((x - self.screen.left) * self.scale))
        y0 = max(0, math.floor((y - self.screen.top) * self.scale))
        x1 = min(frame.shape[1], math.ceil((x + w - self.screen.left) * self.scale))
        y1 = min(frame.shape[0], math.ceil((y + h - self.screen.top) * self.scale))
        if x1 > x0 and y1 > y0:
            frame[y0:y1, x0:x1] = 0

    def rewind(self) -> bool:
        return False

    def seek(self, frame: int) -> bool:
        return False

    def release(self) -> None:
        grabber, self._grabber = self._grabber, None
        if grabber is not None:
            grabber.close()
