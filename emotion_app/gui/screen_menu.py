"""File > Capture screen: each screen, whole or a part of it dragged out (RegionSelector)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PyQt6.QtCore import QRect, QTimer, pyqtSignal
from PyQt6.QtGui import QGuiApplication
from PyQt6.QtWidgets import QMenu, QWidget

from emotion_app.sources.screen_capture import Screen, ScreenCaptureError, grab_screen

from .mnemonics import numbered
from .region_selector import RegionSelector

# How long a closed menu takes to leave the screen (its area repainted) before a grab.
MENU_GONE_MS = 250


class ScreenMenu(QMenu):
    """Lists the screens each time it opens (a projector plugged in shows up).

    ``screen_chosen``: (monitor, region or None) to capture; ``failed``: a one-line reason
    a part could not be chosen; ``listed``: the screens just listed, for the camera picker.
    """

    screen_chosen = pyqtSignal(int, object)  # monitor, (x, y, w, h) | None
    failed = pyqtSignal(str)
    listed = pyqtSignal(list)

    def __init__(
        self,
        lister: Callable[[], list[Screen]],
        grabber: Callable[[int], np.ndarray] = grab_screen,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("&Capture screen", parent)
        self.setToolTipsVisible(True)
        self._lister = lister
        self._grab = grabber
        self.region_selector: RegionSelector | None = None  # while a part is being chosen
        self.aboutToShow.connect(self.rebuild)  # call it once too, after connecting ``listed``

    def rebuild(self) -> list[Screen]:
        """List the screens anew (and say so through ``listed``)."""
        self.clear()
        screens = self._lister()
        # Numbered one after another: a screen, then a part of it ("&1 Screen 1", "&2 Part of…").
        for index, screen in enumerate(screens):
            whole = self.addAction(numbered(2 * index + 1, screen.describe()))
            assert whole is not None
            whole.setToolTip(
                "Find the faces on this screen: a video call's gallery, a webinar, a video in a browser "
                "(this window is left out of the picture)"
            )
            whole.triggered.connect(lambda _checked=False, number=screen.monitor: self.screen_chosen.emit(number, None))
            part = self.addAction(numbered(2 * index + 2, f"Part of {_name(screen)}…"))
            assert part is not None
            part.setToolTip("Drag over the part to watch, e.g. the video call's window: its faces show larger")
            part.triggered.connect(lambda _checked=False, chosen=screen: self.choose_part(chosen))
        if not screens:
            empty = self.addAction("&No screen can be captured here")
            assert empty is not None
            empty.setEnabled(False)
        self.listed.emit(screens)
        return screens

    def choose_part(self, screen: Screen) -> None:
        """Let the user drag out the part of ``screen`` to watch."""
        # The menu that asked has just closed: the screen behind it repaints before the grab.
        QTimer.singleShot(MENU_GONE_MS, lambda: self._show_selector(screen))

    def _show_selector(self, screen: Screen) -> None:
        try:
            picture = self._grab(screen.monitor)
        except ScreenCaptureError as exc:
            self.failed.emit(f"Could not capture {_name(screen)}: {exc}")
            return
        selector = RegionSelector(screen, picture, _qt_geometry(screen))
        selector.chosen.connect(lambda region: self.screen_chosen.emit(screen.monitor, region))
        selector.chosen.connect(self._forget_selector)
        selector.cancelled.connect(self._forget_selector)
        self.region_selector = selector
        selector.show()
        selector.activateWindow()

    def _forget_selector(self) -> None:
        selector, self.region_selector = self.region_selector, None
        if selector is not None:
            selector.deleteLater()  # its still picture of the screen goes with it


def _name(screen: Screen) -> str:
    return f"screen {screen.monitor}" if screen.monitor else "all screens"


def _qt_geometry(screen: Screen) -> QRect:
    """Where ``screen`` (screen pixels) is in Qt's coordinates: the Qt screen that starts at
    its corner, else (all screens together, or no match) the whole desktop or its pixels."""
    for candidate in QGuiApplication.screens():
        area, scale = candidate.geometry(), candidate.devicePixelRatio()
        if screen.monitor and (round(area.x() * scale), round(area.y() * scale)) == (screen.left, screen.top):
            return area
    primary = QGuiApplication.primaryScreen()
    if screen.monitor == 0 and primary is not None:
        return primary.virtualGeometry()
    return QRect(screen.left, screen.top, screen.width, screen.height)
