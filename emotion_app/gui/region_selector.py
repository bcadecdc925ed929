"""Choosing the part of a screen to watch (a video call's window) by dragging over it, or
with the keys: the arrows move a frame, Shift and the arrows size it, Enter chooses it.

The selector covers the screen with a still picture of it, dimmed, and shows the part
being dragged out at full brightness, as screenshot tools do: a still picture works with
or without a compositor (a see-through window needs one), and nothing moves under the
pointer while the user aims.
"""

from __future__ import annotations

import math

import numpy as np
from PyQt6.QtCore import QPoint, QRect, Qt, pyqtSignal
from PyQt6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PyQt6.QtWidgets import QWidget

from emotion_app.sources.screen_capture import MIN_REGION_SIDE, Screen

from .qt_images import bgr_image

HINT = (
    "Drag over the part of the screen to watch (a video call's window), or move a frame with the arrow keys "
    "(Shift: size it; Ctrl: a pixel at a time) and press Enter. Esc cancels."
)
# How far an arrow key moves the frame, or sizes it, in Qt's coordinates (Ctrl: one).
KEY_STEP_PX = 10
_ARROWS = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1)}


class RegionSelector(QWidget):
    """A frameless window over ``screen`` showing ``picture`` (a BGR grab of that screen);
    ``chosen`` carries the part dragged out, in screen pixels (x, y, w, h), and
    ``cancelled`` says the user gave up (Esc, or a click without a drag). A user without a
    mouse puts a frame up with an arrow key or Enter, moves and sizes it with the arrows, and
    chooses it with Enter."""

    chosen = pyqtSignal(tuple)
    cancelled = pyqtSignal()

    def __init__(self, screen: Screen, picture: np.ndarray, geometry: QRect) -> None:
        super().__init__(None, Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint)
        self.setWindowTitle("Choose the part of the screen to watch")
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setMouseTracking(True)
        self._screen = screen
        self._picture = bgr_image(picture)
        self._start: QPoint | None = None
        self._end: QPoint | None = None
        self.setGeometry(geometry)  # the screen's own area, in Qt's coordinates

    def selection(self) -> QRect | None:
        """The part dragged out so far, in this widget's coordinates, on the screen: a drag
        carried past its edge stops there, as the picture grabbed does."""
        if self._start is None or self._end is None:
            return None
        # Corner to corner, as dragged (QRect(QPoint, QPoint) counts both corners' pixels in).
        left, top = min(self._start.x(), self._end.x()), min(self._start.y(), self._end.y())
        dragged = QRect(left, top, abs(self._end.x() - self._start.x()), abs(self._end.y() - self._start.y()))
        return dragged.intersected(self.rect())

    def to_screen_pixels(self, rect: QRect) -> tuple[int, int, int, int]:
        """``rect`` (widget coordinates) in the screen's pixels, which a high-DPI screen
        has more of than Qt's coordinates; never past the screen's edges."""
        scale_x = self._screen.width / max(1, self.width())
        scale_y = self._screen.height / max(1, self.height())
        # Both edges scaled, not the width: rounded apart, they could end a pixel past the screen.
        left = min(max(0, round(rect.x() * scale_x)), self._screen.width)
        top = min(max(0, round(rect.y() * scale_y)), self._screen.height)
        right = min(max(left, round((rect.x() + rect.width()) * scale_x)), self._screen.width)
        bottom = min(max(top, round((rect.y() + rect.height()) * scale_y)), self._screen.height)
        return self._screen.left + left, self._screen.top + top, right - left, bottom - top

    def mousePressEvent(self, event: QMouseEvent | None) -> None:
        if event is not None and event.button() == Qt.MouseButton.LeftButton:
            self._start = self._end = event.position().toPoint()
            self.update()

    def mouseMoveEvent(self, event: QMouseEvent | None) -> None:
        if event is not None and self._start is not None:
            self._end = event.position().toPoint()
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent | None) -> None:
        if event is None or event.button() != Qt.MouseButton.LeftButton or self._start is None:
            return
        self._end = event.position().toPoint()
        self._finish()

    def _finish(self) -> None:
        rect = self.selection()
        self.close()
        region = self.to_screen_pixels(rect) if rect is not None else None
        if region is None or region[2] < MIN_REGION_SIDE or region[3] < MIN_REGION_SIDE:
            self.cancelled.emit()  # a click, not a drag
        else:
            self.chosen.emit(region)

    def keyPressEvent(self, event: QKeyEvent | None) -> None:
        if event is None:
            return
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.close()
            self.cancelled.emit()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.selection() is None:
                self._put_frame_up()
            else:
                self._finish()
        elif key in _ARROWS:
            if self.selection() is None:
                self._put_frame_up()  # the first key shows the frame where it starts
                return
            modifiers = event.modifiers()
            step = 1 if modifiers & Qt.KeyboardModifier.ControlModifier else KEY_STEP_PX
            dx, dy = _ARROWS[Qt.Key(key)]
            if modifiers & Qt.KeyboardModifier.ShiftModifier:
                self._size_frame(dx * step, dy * step)
            else:
                self._move_frame(dx * step, dy * step)
        else:
            super().keyPressEvent(event)

    def _put_frame_up(self) -> None:
        """A frame half the screen's width and height, in its middle, for the keys to move."""
        area = self.rect()
        self._set_frame(QRect(area.width() // 4, area.height() // 4, area.width() // 2, area.height() // 2))

    def _move_frame(self, dx: int, dy: int) -> None:
        frame, area = self.selection() or QRect(), self.rect()
        left = min(max(0, frame.x() + dx), area.width() - frame.width())
        top = min(max(0, frame.y() + dy), area.height() - frame.height())
        self._set_frame(QRect(left, top, frame.width(), frame.height()))

    def _size_frame(self, dx: int, dy: int) -> None:
        """Wider or narrower by its right edge, taller or shorter by its bottom one: on the
        screen, and never below the least part a screen's pixels allow."""
        frame, area = self.selection() or QRect(), self.rect()
        least_x = math.ceil(MIN_REGION_SIDE * area.width() / max(1, self._screen.width))
        least_y = math.ceil(MIN_REGION_SIDE * area.height() / max(1, self._screen.height))
        width = min(max(least_x, frame.width() + dx), area.width() - frame.x())
        height = min(max(least_y, frame.height() + dy), area.height() - frame.y())
        self._set_frame(QRect(frame.x(), frame.y(), width, height))

    def _set_frame(self, frame: QRect) -> None:
        self._start = frame.topLeft()
        # Corner to corner, as selection() reads a drag: the far corner is one past the frame.
        self._end = QPoint(frame.x() + frame.width(), frame.y() + frame.height())
        self.update()

    def paintEvent(self, event: QPaintEvent | None) -> None:
        painter = QPainter(self)
        try:
            painter.drawImage(self.rect(), self._picture)
            painter.fillRect(self.rect(), QColor(0, 0, 0, 140))
            rect = self.selection()
            if rect is not None and not rect.isEmpty():
                # The part chosen at full brightness: the picture's own pixels under it.
                # (The still may be smaller than the screen: large screens are grabbed shrunk.)
                scale_x = self._picture.width() / max(1, self.width())
                scale_y = self._picture.height() / max(1, self.height())
                source = QRect(
                    round(rect.x() * scale_x),
                    round(rect.y() * scale_y),
                    round(rect.width() * scale_x),
                    round(rect.height() * scale_y),
                )
                painter.drawImage(rect, self._picture, source)
                painter.setPen(QPen(QColor(255, 204, 0), 2))
                painter.drawRect(rect)
            painter.setPen(QColor(255, 255, 255))
            painter.drawText(  # wrapped on a narrow screen rather than cut off
                self.rect().adjusted(24, 24, -24, 0), Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap, HINT
            )
        finally:
            painter.end()
