"""Running the Qt event loop from a script's own code, with the GUI thread fully live."""

from __future__ import annotations

import time
from collections.abc import Callable

from PyQt6.QtCore import QEventLoop, QTimer


def spin(seconds: float) -> None:
    """Run the Qt event loop for ``seconds``."""
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def spin_until(done: Callable[[], bool], seconds: float) -> bool:
    """Run the event loop until ``done()`` or ``seconds`` pass; whether it came true."""
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            return False
        spin(0.05)
    return True
