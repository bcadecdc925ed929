"""File > Capture screen: each screen, whole or a part of it dragged out (RegionSelector).

Each screen's key is its own number, the one the user reads: "Screen &2 — 1280x1024",
"&All screens". Numbered one after another, whole and part, the second screen read "3
Screen 2". Where there is one screen, "&Part of screen 1…" follows it; where there are
several, the parts are a submenu, "&Part of a screen", keyed as the screens are.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PyQt6.QtCore import QRect, QTimer, pyqtSignal
from PyQt6.QtGui import QGuiApplication
from PyQt6.QtWidgets import QMenu, QWidget

from emotion_app.sources.screen_capture import Screen, ScreenCaptureError, grab_screen

from .mnemonics import escaped
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
        self.parts_menu: QMenu | None = None  # "Part of a screen", where there are several
        self.aboutToShow.connect(self.rebuild)  # call it once too, after connecting ``listed``

    def rebuild(self) -> list[Screen]:
        """List the screens anew (and say so through ``listed``)."""
        self.clear()
        if self.parts_menu is not None:  # clear() leaves a submenu of its own to its parent
            self.parts_menu.deleteLater()
            self.parts_menu = None
        screens = self._lister()
        for screen in screens:
            whole = self.addAction(_keyed(screen, screen.describe()))
            assert whole is not None
            whole.setToolTip(
                "Find the faces on this screen: a video call's gallery, a webinar, a video in a browser "
                "(this window is left out of the picture)"
            )
            whole.triggered.connect(lambda _checked=False, number=screen.monitor: self.screen_chosen.emit(number, None))
        parts: QMenu = self
        if len(screens) > 1:
            parts = self.parts_menu = QMenu("&Part of a screen", self)
            parts.setToolTipsVisible(True)
            self.addMenu(parts)
        for screen in screens:
            part = parts.addAction(_keyed(screen, f"{screen.describe()}…") if parts is not self else _part_of(screen))
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


def _keyed(screen: Screen, text: str) -> str:
    """``text`` (starting "Screen 2" or "All screens") keyed by the screen's number, as read:
    "Screen &2 — 1280x1024", "&All screens — 3200x1080"; a tenth screen on has no key."""
    shown = escaped(text)
    if screen.monitor == 0:
        return f"&{shown}"
    label = f"Screen {screen.monitor}"
    return f"Screen &{screen.monitor}{shown[len(label) :]}" if 1 <= screen.monitor <= 9 else shown


def _part_of(screen: Screen) -> str:
    return f"&Part of {escaped(_name(screen))}…"


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
