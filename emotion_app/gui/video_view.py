"""The live video view: the newest frame with its overlay, scaled to fit (aspect ratio kept).

The overlay is already in the picture (drawn by the core renderer on the inference
thread). The view tells the worker the scale it shows frames at, so a large frame in a
small window gets text large enough to read once scaled down; snapshots and recordings keep
the frame's own sizes. A huge still's picture comes shrunk (``annotation.MAX_SHOWN_SIDE``),
and on a high-DPI screen a frame shown larger than its size comes enlarged up to the
screen's device pixel ratio, its overlay drawn at the screen's pixels
(``annotation.screen_pixel_ratio``); either is drawn into the frame's place all the same:
the view maps boxes by the frame's size.

A screen reader hears it as "Video", described by the faces it shows, in words
(:mod:`spoken_view`).
"""

from __future__ import annotations

import time

from PyQt6.QtCore import QEvent, QRectF, QSize, Qt, pyqtSignal
from PyQt6.QtGui import QColor, QFocusEvent, QImage, QPainter, QPaintEvent, QPalette, QPen, QResizeEvent
from PyQt6.QtWidgets import QSizePolicy, QWidget

from emotion_app.io.overlay_layout import quantised_display_scale

from .annotation import screen_pixel_ratio, with_bars, with_display_scale
from .message_banner import breakable
from .messages import InferenceResult
from .spoken_view import SpokenDescription

_BACKGROUND = QColor(18, 18, 20)
# Small: the view takes the room the messages above it and the seek bar below leave. With a
# larger minimum, a small window (the timeline open, or a laptop at 200%) laid the seek bar
# over the picture and cut the messages off; they can be dismissed to give it back.
MIN_VIEW_SIZE = (160, 40)
# The frame that shows the keyboard is on a view, in the palette's highlight: two pixels,
# seen over a dark picture as over a light one.
FOCUS_FRAME_PX = 2
# The view was moved to a screen of another pixel ratio (or that screen's scaling changed):
# Qt 6.6 says so; an older one (PyQt6 6.5 is supported) only repaints, where paintEvent asks.
_PIXEL_RATIO_EVENTS = tuple(
    kind for kind in (getattr(QEvent.Type, "DevicePixelRatioChange", None),) if kind is not None
)


def result_image(result: InferenceResult) -> QImage:
    """Wrap the result's BGRA pixels as a QImage without copying.

    The QImage borrows the numpy buffer, so it must not outlive ``result``; the view
    keeps the result alive for as long as it keeps the image.
    """
    pixels = result.display_image
    height, width = pixels.shape[:2]
    # PyQt6 takes any buffer here; its stubs list only bytes, which would copy the frame.
    return QImage(pixels.data, width, height, int(pixels.strides[0]), QImage.Format.Format_RGB32)  # type: ignore[call-overload]


class VideoView(QWidget):
    """Paints the current :class:`InferenceResult`; the GUI thread's only per-frame work."""

    # Emitted once per new result, right after it was first painted, with the
    # time.perf_counter() of that moment: capture-to-overlay latency ends here.
    frame_presented = pyqtSignal(object, float)
    # The scale frames are shown at (view pixels per frame pixel, quantised) and how many
    # times the screen's picture enlarges them (annotation.screen_pixel_ratio), each time
    # either changes: the overlay's text is drawn to read at the one, at the other's pixels.
    display_scale_changed = pyqtSignal(float, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Every pixel is painted each time: Qt can skip erasing the background.
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(*MIN_VIEW_SIZE)
        self._result: InferenceResult | None = None
        self._image: QImage | None = None
        self._presented = True
        self._show_bars = True
        self._placeholder = "No video"
        self._display_scale: float | None = None
        self._pixel_ratio = 1.0
        # The device pixel ratio the current scale and enlargement were worked out at.
        self._device_ratio = 0.0
        self.setAccessibleName("Video")
        # What it shows, in words, for a screen reader: the faces, or the placeholder.
        self.spoken = SpokenDescription(self)
        self.spoken.show_placeholder(self._placeholder)

    def sizeHint(self) -> QSize:
        return QSize(800, 600)

    # ---- state ----------------------------------------------------------------------
    def set_result(self, result: InferenceResult) -> None:
        # A result drawn before the bars toggle reached the worker gets the user's choice.
        result = with_bars(result, self._show_bars)
        # Text for this view's size, when the worker drew it for another (it has not heard
        # of a resize yet, or the frames changed size).
        result = with_display_scale(result, *self._scale_for(result.width, result.height))
        self._result = result
        self._image = result_image(result)
        self._presented = False
        self.spoken.show_faces(result.faces)
        self.update()

    def clear(self, placeholder: str | None = None) -> None:
        self._result, self._image = None, None
        if placeholder is not None:
            self._placeholder = placeholder
        self.spoken.show_placeholder(self._placeholder)
        self.update()

    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        if self._result is None:
            self.spoken.show_placeholder(text)
            self.update()

    def set_standing(self, words: str) -> None:
        """The frame shown stands still, as ``words`` say ("Paused at 0:12", "Finished");
        "" while frames play on: the description says so."""
        self.spoken.set_standing(words)

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
        if self._result is not None:
            # Redrawn now, so the toggle shows even on a paused frame.
            self._result = with_bars(self._result, show)
            self._image = result_image(self._result)
        self.update()

    @property
    def display_scale(self) -> float | None:
        """The quantised scale the current frame is shown at (None before the first frame)."""
        return self._display_scale

    @property
    def pixel_ratio(self) -> float:
        """How many times the screen's picture enlarges the current frame (1 but on a
        high-DPI screen showing it larger than its size)."""
        return self._pixel_ratio

    def _scale_for(self, frame_width: int, frame_height: int) -> tuple[float, float]:
        """The quantised scale frames of this size are shown at and the screen picture's
        enlargement (see :attr:`display_scale_changed`); says so when either changed."""
        shown, target = fit_frame(frame_width, frame_height, QRectF(self.rect()))
        # Qt paints the view at this many screen pixels per view pixel (2 on a laptop at 200%).
        device = self._device_ratio = self.devicePixelRatioF()
        scale, ratio = quantised_display_scale(shown), screen_pixel_ratio(shown * device, device)
        if target.isEmpty():
            # A view of no size shows nothing: frames enlarged for the screen would be drawn
            # for nobody (its next resize asks again).
            ratio = 1.0
        if (scale, ratio) != (self._display_scale, self._pixel_ratio):
            self._display_scale, self._pixel_ratio = scale, ratio
            self.display_scale_changed.emit(scale, ratio)
        return scale, ratio

    def resizeEvent(self, event: QResizeEvent | None) -> None:
        super().resizeEvent(event)
        self._rescale()

    def event(self, event: QEvent | None) -> bool:
        handled = super().event(event)
        if event is not None and event.type() in _PIXEL_RATIO_EVENTS:
            self._rescale()
        return handled

    def _rescale(self, repaint: bool = True) -> None:
        result = self._result
        if result is not None:
            # Redrawn now for a paused frame; the frames that follow come sized for it.
            self._result = with_display_scale(result, *self._scale_for(result.width, result.height))
            if self._result is not result:
                self._image = result_image(self._result)
                if repaint:
                    self.update()

    def image_rect(self) -> QRectF:
        """Where the frame is drawn inside the view (empty without a frame)."""
        if self._result is None:
            return QRectF()
        return fit_frame(self._result.width, self._result.height, QRectF(self.rect()))[1]

    def map_box(self, box: tuple[int, int, int, int]) -> QRectF:
        """A rectangle in frame pixels, where it appears in the view."""
        if self._result is None:
            return QRectF()
        scale, target = fit_frame(self._result.width, self._result.height, QRectF(self.rect()))
        x, y, w, h = box
        return QRectF(target.left() + x * scale, target.top() + y * scale, w * scale, h * scale)

    # ---- painting -------------------------------------------------------------------
    def focusInEvent(self, event: QFocusEvent | None) -> None:
        super().focusInEvent(event)
        self.update()  # its focus frame

    def focusOutEvent(self, event: QFocusEvent | None) -> None:
        super().focusOutEvent(event)
        self.update()

    def paintEvent(self, event: QPaintEvent | None) -> None:
        if self.devicePixelRatioF() != self._device_ratio:
            # On a screen of another ratio, and Qt did not say so (before 6.6): a paused
            # frame is redrawn for it, and the worker told, before it is painted.
            self._rescale(repaint=False)
        painter = QPainter(self)
        try:
            painter.fillRect(self.rect(), _BACKGROUND)
            result, image = self._result, self._image
            if result is None or image is None:
                painter.setPen(QColor(200, 200, 200))
                painter.drawText(
                    QRectF(self.rect()).adjusted(20, 20, -20, -20),
                    Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                    breakable(self._placeholder),  # a long path wraps rather than running off
                )
            else:
                _scale, target = fit_frame(result.width, result.height, QRectF(self.rect()))
                painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
                painter.drawImage(target, image)
            # Once keys have moved the keyboard in this window, as Qt's own controls show it:
            # the window opens with it here, and a mouse user never needs the frame.
            window = self.window()
            if (
                self.hasFocus()
                and window is not None
                and window.testAttribute(Qt.WidgetAttribute.WA_KeyboardFocusChange)
            ):
                paint_focus_frame(painter, self)
        finally:
            painter.end()
        if self._result is not None and not self._presented:
            self._presented = True
            self.frame_presented.emit(self._result, time.perf_counter())


def paint_focus_frame(painter: QPainter, widget: QWidget) -> None:
    """A frame around ``widget``'s edges, inside it: the keyboard is on it. Drawn by hand, as
    Qt's own focus rectangle is a thin line a picture or a dark panel hides."""
    pen = QPen(widget.palette().color(QPalette.ColorRole.Highlight), FOCUS_FRAME_PX)
    pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    half = FOCUS_FRAME_PX / 2
    painter.drawRect(QRectF(widget.rect()).adjusted(half, half, -half, -half))


def fit_frame(frame_width: int, frame_height: int, target: QRectF) -> tuple[float, QRectF]:
    """The scale and rectangle of the largest aspect-preserving placement of a frame
    centred in ``target``."""
    if frame_width <= 0 or frame_height <= 0 or target.width() <= 0 or target.height() <= 0:
        return 1.0, QRectF()
    scale = min(target.width() / frame_width, target.height() / frame_height)
    width, height = frame_width * scale, frame_height * scale
    x = target.left() + (target.width() - width) / 2.0
    y = target.top() + (target.height() - height) / 2.0
    return scale, QRectF(x, y, width, height)
