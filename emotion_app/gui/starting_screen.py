"""The small window shown while the app starts: the model code (torch) takes seconds to
import on a slow machine, and a launch that shows nothing for that long looks broken.

Qt only: importing it loads nothing of the model's. A plain frameless label, not a
QSplashScreen: on X11 that one's ``show`` waited a second for the window manager.
"""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QApplication, QLabel

from .identity import APPLICATION

STARTING_TEXT = "Starting: loading the emotion model…"


class StartingScreen(QLabel):
    """The app's name and what it is doing, centred on the screen, until closed."""

    def __init__(self) -> None:
        super().__init__(f"<h2>{APPLICATION}</h2><p>{STARTING_TEXT}</p>")
        self.setWindowFlags(Qt.WindowType.SplashScreen | Qt.WindowType.FramelessWindowHint)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMargin(24)
        self.setAutoFillBackground(True)
        self.setFrameShape(QLabel.Shape.Box)
        self.adjustSize()
        screen = QApplication.primaryScreen()
        if screen is not None:
            frame = self.frameGeometry()
            frame.moveCenter(screen.availableGeometry().center())
            self.move(frame.topLeft())


def show_starting_screen() -> StartingScreen:
    """Show the starting screen, painted before this returns; close it once the main window
    is shown. A QApplication must exist."""
    screen = StartingScreen()
    screen.show()
    # The imports that follow hold the event loop: paint it now.
    screen.repaint()
    QApplication.processEvents()
    return screen
