"""The live video view: the newest frame scaled to fit (aspect ratio kept) plus its overlay."""

from __future__ import annotations

import time

from PyQt6.QtCore import QRectF, QSize, Qt, pyqtSignal
from PyQt6.QtGui import QColor, QImage, QPainter, QPaintEvent
from PyQt6.QtWidgets import QSizePolicy, QWidget

from .messages import InferenceResult
from .overlay_painter import fit_frame, paint_faces

_BACKGROUND = QColor(18, 18, 20)


def result_image(result: InferenceResult) -> QImage:
    """Wrap the result's BGRA pixels as a QImage without copying.

    The QImage borrows the numpy buffer, so it must not outlive ``result``; the view
    keeps the result alive for as long as it keeps the image.
    """
    pixels = result.display_image
    height, width = pixels.shape[:2]
    return QImage(pixels.data, width, height, int(pixels.strides[0]), QImage.Format.Format_RGB32)


class VideoView(QWidget):
    """Paints the current :class:`InferenceResult`; the GUI thread's only per-frame work."""

    # Emitted once per new result, right after it was first painted, with the
    # time.perf_counter() of that moment: capture-to-overlay latency ends here.
    frame_presented = pyqtSignal(object, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Every pixel is painted each time: Qt can skip erasing the background.
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 240)
        self._result: InferenceResult | None = None
        self._image: QImage | None = None
        self._presented = True
        self._show_bars = True
        self._placeholder = "No video"

    def sizeHint(self) -> QSize:
        return QSize(800, 600)

    # ---- state ----------------------------------------------------------------------
    def set_result(self, result: InferenceResult) -> None:
        self._result = result
        self._image = result_image(result)
        self._presented = False
        self.update()

    def clear(self, placeholder: str | None = None) -> None:
        self._result, self._image = None, None
        if placeholder is not None:
            self._placeholder = placeholder
        self.update()

    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        if self._result is None:
            self.update()

    @property
    def placeholder(self) -> str:
        return self._placeholder

    @property
    def result(self) -> InferenceResult | None:
        return self._result

    @property
    def show_bars(self) -> bool:
        return self._show_bars

    def set_show_bars(self, show: bool) -> None:
        self._show_bars = show
        self.update()  # repaint now, so the toggle shows even on a paused frame

    def image_rect(self) -> QRectF:
        """Where the frame is drawn inside the view (empty without a frame)."""
        if self._result is None:
            return QRectF()
        return fit_frame(self._result.width, self._result.height, QRectF(self.rect()))[1]

    # ---- painting -------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent | None) -> None:
        painter = QPainter(self)
        try:
            painter.fillRect(self.rect(), _BACKGROUND)
            result, image = self._result, self._image
            if result is None or image is None:
                painter.setPen(QColor(200, 200, 200))
                painter.drawText(
                    QRectF(self.rect()).adjusted(20, 20, -20, -20),
                    Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                    self._placeholder,
                )
                return
            mapping, target = fit_frame(result.width, result.height, QRectF(self.rect()))
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            painter.drawImage(target, image)
            # The overlay is bounded by the picture, not the widget, so charts never
            # spill onto the letterbox bars.
            paint_faces(painter, result.faces, result.labels, mapping, target, self._show_bars)
        finally:
            painter.end()
        if self._result is not None and not self._presented:
            self._presented = True
            self.frame_presented.emit(self._result, time.perf_counter())
