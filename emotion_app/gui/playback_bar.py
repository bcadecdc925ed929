"""The player controls under the video: a seek slider with position and duration, and the
player keys (Space, Left, Right, Home) that work whichever control has the focus.

A screen reader reads a QSlider's value as its number, here a frame's ("412"): Qt's
QAccessibleSlider gives ``QString::number(value())`` as its value text, and only a C++
accessibility factory could give other words (PyQt6 binds no QAccessible). The seek bar's
accessible description says the time instead, "0:12 of 1:30", as the labels beside it do.
Qt also tells a reader of every value set: while the slider has the keyboard, a file
playing on by itself moves its handle at most once a second (over AT-SPI it sent a value
change on every frame, 24 a second, each a number a reader speaks over the last). A frame
the user moved to (a step, a seek, Home) moves it at once.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

from PyQt6 import sip
from PyQt6.QtCore import QEvent, QObject, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QAction, QFocusEvent, QKeyEvent, QMouseEvent
from PyQt6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSlider,
    QStyle,
    QStyleOptionSlider,
    QTextEdit,
    QWidget,
)

from .messages import SourceInfo
from .paced_description import PacedDescription

# Dragging the slider asks for a seek at most this often; each one decodes a frame.
_SEEK_COALESCE_MS = 40
# The seek bar's time is told at most this often, as the video's words are: a reader
# speaks each change, and the time changes every second a file plays.
TIME_CHANGE_INTERVAL_S = 1.0
# The duration label while a file's length is not known (yet).
_UNKNOWN_LENGTH = "–"


def format_time(seconds: float) -> str:
    """``m:ss`` (``h:mm:ss`` from an hour on)."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class SeekSlider(QSlider):
    """A slider a click moves straight to the point clicked (Qt's own steps a page towards
    it: a tenth of a second on a long video), and the handle can be dragged on from there.

    Its accessible description is ``words()`` ("0:12 of 1:30"), kept up to date while it has
    the keyboard (as the timeline's rows are), told at once when it gets it."""

    def __init__(self, words: Callable[[], str], parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.spoken = PacedDescription(self, words, TIME_CHANGE_INTERVAL_S)

    def time_changed(self, by_user: bool = False) -> None:
        """The time shown changed (a new second, a length learnt); ``by_user``: the user
        moved the slider."""
        if self.hasFocus():
            self.spoken.changed(by_user)

    def focusInEvent(self, event: QFocusEvent | None) -> None:  # noqa: N802 (Qt's name)
        super().focusInEvent(event)
        self.spoken.tell_now()

    def focusOutEvent(self, event: QFocusEvent | None) -> None:  # noqa: N802 (Qt's name)
        super().focusOutEvent(event)
        # Nothing is told of a slider the keyboard has left: focusInEvent tells the time then.
        self.spoken.cancel()

    def mousePressEvent(self, event: QMouseEvent | None) -> None:  # noqa: N802 (Qt's name)
        if event is not None and event.button() == Qt.MouseButton.LeftButton and self.maximum() > self.minimum():
            option = QStyleOptionSlider()
            self.initStyleOption(option)
            style = self.style()
            if style is not None:
                handle = style.subControlRect(
                    QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, self
                )
                if not handle.contains(event.position().toPoint()):
                    span = max(1, self.width() - handle.width())
                    x = int(event.position().x()) - handle.width() // 2
                    self.setValue(QStyle.sliderValueFromPosition(self.minimum(), self.maximum(), x, span))
        super().mousePressEvent(event)


class PlaybackBar(QWidget):
    """Position, a seek slider over the file's frames, and its duration."""

    seek_requested = pyqtSignal(int)  # a frame index the user moved to
    # The position label says another time (time_text): the status line says it too, at once.
    time_said = pyqtSignal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.position_label = QLabel("0:00")
        self.duration_label = QLabel("0:00")
        self.slider = SeekSlider(self.time_in_words, self)
        self.slider.setRange(0, 0)
        self.slider.setPageStep(10)  # Page Up and Page Down: ten frames, as F1 says
        self.slider.setToolTip(
            "Drag or click to move through the video; Left/Right step, Home restarts; with the keyboard on it, "
            "Up/Down go a frame, Page Up/Page Down ten, End to the last"
        )
        # For a screen reader: what each control is; the times read as their text, the
        # slider's as its description (see the module's docstring).
        self.slider.setAccessibleName("Seek bar")
        self.position_label.setAccessibleDescription("Time of the frame shown")
        self.duration_label.setAccessibleDescription("Length of the video")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.position_label)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.duration_label)
        self._fps = 0.0
        self._shown: int | None = None  # the whole second (the frame, fps unknown) the position says
        self._pending = -1
        self._seek_timer = QTimer(self)
        self._seek_timer.setSingleShot(True)
        self._seek_timer.setInterval(_SEEK_COALESCE_MS)
        self._seek_timer.timeout.connect(self._send_seek)
        # While the slider has the keyboard: the frame the handle moves to when the pace allows.
        self._handle_waiting = -1
        self._handle_moved_at = float("-inf")  # time.monotonic() the handle last moved with the keyboard on it
        self._handle_timer = QTimer(self)
        self._handle_timer.setSingleShot(True)
        self._handle_timer.timeout.connect(self._move_waiting_handle)
        self.slider.valueChanged.connect(self._on_user_moved)
        self.setVisible(False)

    def set_source(self, info: SourceInfo) -> None:
        self._fps = info.fps
        self.set_frame_count(info.frame_count)
        self._handle_timer.stop()
        self._set_slider(0)
        self._shown = None  # said in this source's terms: a time, or a frame where no rate
        self._show_time(0)

    def clear(self) -> None:
        """No file's place or length (one that could not be opened): a drag still waiting
        to be sent is dropped with them."""
        self._seek_timer.stop()
        self._pending = -1
        self._fps = 0.0
        self.set_frame_count(0)
        self._handle_timer.stop()
        self._set_slider(0)
        self._shown = None
        self._say_time(format_time(0))
        self.slider.time_changed()

    def set_frame_count(self, frame_count: int) -> None:
        """The file's length (0: unknown, no seeking), also where it is learnt while the
        file plays (a raw MJPEG's JPEGs are counted on a thread of their own)."""
        self.slider.setEnabled(frame_count > 1)
        self._set_slider(self.slider.value(), maximum=max(0, frame_count - 1))
        known = self._fps > 0 and frame_count > 0  # not "0:00" for a length not known (yet)
        self.duration_label.setText(format_time(frame_count / self._fps) if known else _UNKNOWN_LENGTH)
        self.slider.time_changed()

    def show_position(self, frame: int, playing_on: bool = False) -> None:
        """The frame on screen; ignored while the user drags the slider. ``playing_on``: a
        frame of the file playing on by itself, not one the user moved to (a step, a seek):
        with the keyboard on the slider its handle follows those at a reader's pace."""
        if self.slider.isSliderDown() or self._seek_timer.isActive():
            return
        self._show_time(frame, by_user=not playing_on)
        self._move_handle(frame, paced=playing_on)

    def show_finished(self) -> None:
        """The file played to its end: the handle at the end, and the position its length
        (its last frame's start read "0:01 / 0:02", as if a second were left)."""
        self._handle_timer.stop()  # no frame's place waits to move the handle back
        self._set_slider(self.slider.maximum())
        self._shown = None  # the next frame shown says its own time again
        self._say_time(self.duration_label.text())
        self.slider.time_changed()

    @property
    def position(self) -> int:
        return self.slider.value()

    def time_text(self) -> str:
        """The time the position label says ("0:12"; a frame's number where the file has
        no frame rate)."""
        return self.position_label.text()

    def time_in_words(self) -> str:
        """The seek bar's place as a reader hears it: "0:12 of 1:30", "0:12, length not
        known yet", "Frame 12" (no frame rate: no time)."""
        position, length = self.position_label.text(), self.duration_label.text()
        if self._fps <= 0:
            return f"Frame {position}"
        return f"{position} of {length}" if length != _UNKNOWN_LENGTH else f"{position}, length not known yet"

    def _show_time(self, frame: int, by_user: bool = False) -> None:
        """The position label says ``frame``'s time: made anew only when its second changes
        (a file plays: once a second, not once a frame)."""
        shown = int(frame / self._fps) if self._fps > 0 else frame
        if shown != self._shown:
            self._shown = shown
            self._say_time(format_time(frame / self._fps) if self._fps > 0 else str(frame))
            self.slider.time_changed(by_user)

    def _say_time(self, text: str) -> None:
        if text != self.position_label.text():
            self.position_label.setText(text)
            self.time_said.emit()

    def _move_handle(self, frame: int, paced: bool) -> None:
        """Move the handle to ``frame``: at once, or (``paced``, with the keyboard on the
        slider) at most once per :data:`TIME_CHANGE_INTERVAL_S`, to the newest frame when
        the wait is over. A step paused waited up to a second paced: the handle lagged it."""
        if paced and self.slider.hasFocus():
            self._handle_waiting = frame
            if not self._handle_timer.isActive():
                wait = self._handle_moved_at + TIME_CHANGE_INTERVAL_S - time.monotonic()
                self._handle_timer.start(math.ceil(max(0.0, wait) * 1000))
            return
        self._handle_timer.stop()
        self._set_slider(frame)
        if self.slider.hasFocus():  # the frames playing on after it keep the reader's pace
            self._handle_moved_at = time.monotonic()

    def _move_waiting_handle(self) -> None:
        if self.slider.isSliderDown():
            return  # the handle is under the user's mouse: their place, not a frame's before
        self._set_slider(self._handle_waiting)
        self._handle_moved_at = time.monotonic()

    def _set_slider(self, value: int, maximum: int | None = None) -> None:
        self.slider.blockSignals(True)
        if maximum is not None:
            self.slider.setRange(0, maximum)
        self.slider.setValue(value)
        self.slider.blockSignals(False)

    def _on_user_moved(self, value: int) -> None:
        self._handle_timer.stop()  # the user's place, not a frame's shown before it
        self._pending = value
        if self._fps > 0:
            self._show_time(value, by_user=True)
        if not self._seek_timer.isActive():
            self._seek_timer.start()

    def _send_seek(self) -> None:
        if self._pending >= 0:
            self.seek_requested.emit(self._pending)
            self._pending = -1


class PlayerKeys(QObject):
    """Lets the player keys reach their actions whatever widget of ``window`` has focus.

    A focused slider, list or button would otherwise claim Space or the arrows (Qt asks
    the focus widget first, with a ShortcutOverride event). Text fields keep their keys.

    Only the widget that has the keyboard is watched, not the whole application: a filter
    on the application runs Python for every event of every object (each timer tick,
    paint and queued signal), each a wait for the GIL while a worker runs Python, which
    made the GUI thread's stalls longer (docs/measurements.md, "The desktop app under
    random use").
    """

    def __init__(self, window: QWidget, actions: Sequence[QAction]) -> None:
        super().__init__(window)
        self._window = window
        self._actions = list(actions)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._follow_keyboard)
            self._follow_keyboard(None, app.focusWidget())

    def _follow_keyboard(self, old: QWidget | None, new: QWidget | None) -> None:
        # Qt hands over the widget losing the keyboard while it still exists; one that is
        # being deleted from Python is gone already, and its filters with it.
        if old is not None and not sip.isdeleted(old):
            old.removeEventFilter(self)
        if new is not None and not sip.isdeleted(new) and new.window() is self._window:
            new.installEventFilter(self)

    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
        if event is None or event.type() != QEvent.Type.ShortcutOverride or not isinstance(event, QKeyEvent):
            return False
        if not isinstance(watched, QWidget) or watched.window() is not self._window:
            return False
        if isinstance(watched, (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox)):
            return False
        key = event.keyCombination()
        for action in self._actions:
            if action.isEnabled() and any(
                shortcut[0] == key for shortcut in action.shortcuts() if not shortcut.isEmpty()
            ):
                # Swallowed unaccepted: the focus widget does not claim the key, the shortcut fires.
                return True
        return False
