"""The status bar: the model in use, display fps, inference fps, capture-to-overlay latency,
dropped frames."""

from __future__ import annotations

import math
import time

from PyQt6.QtCore import QEvent, QSize, Qt
from PyQt6.QtGui import QPainter, QPaintEvent
from PyQt6.QtWidgets import QLabel, QSizeGrip, QStatusBar, QWidget

from .messages import InferenceResult, ModelStatus
from .plain_tips import plain_tip
from .stats import FramePace, RateMeter, RollingPercentiles


class PerformanceStats:
    """Figures gathered on the GUI thread as results are painted (Qt-free bookkeeping)."""

    def __init__(self) -> None:
        self.display_rate = RateMeter()
        # A slow stream's pace (a frame every few seconds), which the window's rate cannot tell.
        self.display_pace = FramePace()
        self.inference_rate = RateMeter()
        # About four seconds of frames: recent enough to follow changes, long enough for a p95.
        self.latency_ms = RollingPercentiles(capacity=120)
        self.inference_ms = RollingPercentiles(capacity=120)
        self.dropped_frames = 0

    def restart_rates(self) -> None:
        """Count the rates afresh, as for a source just opened (a paused file plays on): its
        last frame, shown before the pause, read "0 fps" as if it had stalled, and the few
        frames since then a rate as noisy as a file's first."""
        self.display_rate.reset()
        self.display_pace.reset()
        self.inference_rate.reset()

    def on_result(self, result: InferenceResult) -> None:
        """A result arrived (counted even if the GUI skips painting it)."""
        self.inference_rate.tick(result.inference_done_time)
        self.dropped_frames = result.dropped_frames
        total = result.stage_ms.get("total")
        if total is not None:
            self.inference_ms.add(total)

    def on_presented(self, result: InferenceResult, presented_at: float) -> None:
        self.display_rate.tick(presented_at)
        self.display_pace.tick(presented_at)
        self.latency_ms.add((presented_at - result.capture_time) * 1000.0)

    def reset(self) -> None:
        """Start afresh (a new source): old figures would describe another stream."""
        self.restart_rates()
        self.latency_ms.reset()
        self.inference_ms.reset()
        self.dropped_frames = 0


# A shortened label keeps at least this many characters' room, its "…" included.
_SHORTEST_CHARS = 6
# ... and one with shorter forms (the model's name) the room of its shortest, up to this
# many: six read "e…n" for "emotion_cnn", which names nothing.
_SHORTEST_FORM_CHARS = 16


class ElidedLabel(QLabel):
    """A one-line label that gives way where the bar has less room than its text: shown
    shortened with "…" (``text()`` stays whole), instead of making the bar wider than the
    window and being cut off at its edge. Shorter forms of the text, where it has them
    (:meth:`set_text`), are shown first, and the last of them shortened."""

    def __init__(self, text: str = "", mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight) -> None:
        super().__init__(text)
        self._mode = mode
        self._shorter: tuple[str, ...] = ()
        # Drawn as plain text: a file name like "a<b>c" must not be sized as markup.
        self.setTextFormat(Qt.TextFormat.PlainText)

    def set_text(self, text: str, shorter: tuple[str, ...] = ()) -> None:
        """Show ``text``, or where it does not fit, the first of ``shorter`` (shortest last)
        that does, else the last one shortened with "…": "Model emotion_cnn (6 classes,
        int8)" gives way to "Model emotion_cnn", then "emotion_cnn" (a long name shortened),
        not to "M…)", which names nothing. The label keeps room for its shortest form (see
        :data:`_SHORTEST_FORM_CHARS`)."""
        self._shorter = shorter
        super().setText(text)
        self.updateGeometry()  # its least width follows its shortest form

    def setText(self, text: str | None) -> None:  # noqa: N802 (Qt's name)
        self._shorter = ()  # another text: the shorter forms were of the one before
        super().setText(text)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        hint = super().minimumSizeHint()
        metrics = self.fontMetrics()
        least = metrics.averageCharWidth() * _SHORTEST_CHARS
        if self._shorter:
            margins = self.contentsMargins()
            shortest = metrics.horizontalAdvance(self._shorter[-1]) + margins.left() + margins.right() + 1
            least = max(least, min(shortest, metrics.averageCharWidth() * _SHORTEST_FORM_CHARS))
        return QSize(min(hint.width(), least), hint.height())

    def shown_text(self) -> str:
        """The text as it is drawn: whole, or shortened to the label's width."""
        metrics, room = self.fontMetrics(), self.contentsRect().width()
        forms = (self.text(), *self._shorter)
        for form in forms[:-1]:
            if metrics.elidedText(form, self._mode, room) == form:  # it fits whole
                return form
        shortened, asked = metrics.elidedText(forms[-1], self._mode, room), room
        # Shortened in the middle, Qt's answer is now and then a few pixels wider than asked.
        while asked > 0 and metrics.horizontalAdvance(shortened) > room:
            asked -= 1
            shortened = metrics.elidedText(forms[-1], self._mode, asked)
        return shortened

    def paintEvent(self, event: QPaintEvent | None) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        try:
            painter.drawText(self.contentsRect(), int(self.alignment().value), self.shown_text())
        finally:
            painter.end()


def _width_wanted(label: QWidget) -> int:
    """The width ``label`` takes in the bar when there is room: its text's, within its maximum."""
    return min(label.sizeHint().width(), label.maximumWidth())


# Pixels of a status bar's width that neither its transient message nor its permanent
# labels get: margins, the gaps between labels and the size grip, with two labels shown
# (each more label adds a gap: see PerformanceStatusBar._margin).
MESSAGE_MARGIN = 48


class PerformanceStatusBar(QStatusBar):
    """A plain-language summary ("Live · 2 faces · 30 fps") and the model on the right, the
    technical figures in the summary's tooltip (and shown with ``show_details``);
    transient messages on the left as usual."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Status bar")
        # Labels are read by their text: a name would hide it; the description says what it is.
        self.summary_label = QLabel("Stopped")
        self.summary_label.setAccessibleDescription("What plays, how many faces, how fast")
        self.addPermanentWidget(self.summary_label)
        # Permanent, so the model stays named after the transient messages have gone; short,
        # so it leaves room for them (the labels in output order are in its tooltip). Where
        # the bar is short of room it gives way first, shortened in the middle.
        self.model_label = ElidedLabel("Model –", Qt.TextElideMode.ElideMiddle)
        self.model_label.setAccessibleDescription("The emotion model in use")
        self.addPermanentWidget(self.model_label)
        self.display_label = ElidedLabel()
        self.inference_label = ElidedLabel()
        self.latency_label = ElidedLabel()
        self.dropped_label = ElidedLabel()
        self.display_label.setToolTip("Frames painted per second")
        self.inference_label.setToolTip("Frames through detection + classification per second (per-frame time)")
        self.latency_label.setToolTip("From the frame leaving the camera/file to its overlay on screen: median (p95)")
        self.dropped_label.setToolTip("Frames replaced by a newer one before inference could take them")
        self._details = (self.display_label, self.inference_label, self.latency_label, self.dropped_label)
        for label in self._details:
            self.addPermanentWidget(label)
        self._permanent = (self.summary_label, self.model_label, *self._details)
        self._standing = ""  # see show_standing
        self._whole_message = ""  # the message shown, before it was fitted to the room
        self._message_ends: float | None = None  # time.monotonic() when it goes; None: stays
        self.messageChanged.connect(self._bring_back_standing)
        self.show_details(False)
        self.show_stats(PerformanceStats(), time.perf_counter())

    def showMessage(self, message: str | None, msecs: int = 0) -> None:  # noqa: N802 (Qt's name)
        """A transient message, shortened in the middle to the room the permanent labels
        leave: a long file path would otherwise hide the message's end ("1280x720, 30 fps")
        behind them. Fitted again whenever that room changes (see _refit_message)."""
        self._whole_message = message or ""
        self._message_ends = time.monotonic() + msecs / 1000 if msecs > 0 else None
        self._fit_model_label(self._whole_message)
        super().showMessage(self._fitted(self._whole_message), msecs)

    def shows(self, message: str) -> bool:
        """Whether the transient message shown now is ``message``, whole or shortened to fit
        (``currentMessage()`` gives the shortened text)."""
        return bool(self.currentMessage()) and self._whole_message == message

    def show_instead(self, message: str) -> None:
        """Show ``message`` in place of the transient message shown now, for the time that
        one had left ("": clear it): a correction of it, not news told for a time anew."""
        if not self.currentMessage():
            return
        if not message:
            self.clearMessage()
            return
        left_ms = 0 if self._message_ends is None else max(1, round((self._message_ends - time.monotonic()) * 1000))
        self.showMessage(message, left_ms)

    def _fitted(self, text: str) -> str:
        """``text`` shortened in the middle to the room the labels shown leave it."""
        labels = self._labels_shown()
        taken = sum(_width_wanted(label) for label in labels)
        room = self.width() - taken - self._margin(len(labels))
        return self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideMiddle, room) if room > 0 else text

    def _margin(self, labels: int) -> int:
        """The bar's margins, its size grip and the gaps between ``labels`` labels, generously.
        One margin for all, as for two labels, fitted a message beside the six of the
        technical figures 14 px too wide: its end went under the first of them, uncut."""
        layout = self.layout()
        gap = layout.spacing() if layout is not None and layout.spacing() >= 0 else 6
        return MESSAGE_MARGIN + gap * max(0, labels - 2)

    def _labels_shown(self) -> list[QWidget]:
        """The permanent labels shown, whoever added them: the window's REC indicator too."""
        children = self.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
        return [child for child in children if child.isVisible() and not isinstance(child, QSizeGrip)]

    def _refit_message(self) -> None:
        # The room changed under a message shown (the REC indicator came, the window
        # shrank): fitted to the old room, its end ("640x360, 25 fps") was hidden.
        shown = self.currentMessage()
        if not shown:
            return
        fitted = self._fitted(self._whole_message)
        if fitted == shown:
            return
        # Shown again for the time it had left, not for its whole time anew.
        left_ms = 0 if self._message_ends is None else max(1, round((self._message_ends - time.monotonic()) * 1000))
        super().showMessage(fitted, left_ms)

    def show_standing(self, message: str) -> None:
        """A message that holds until ``show_standing("")`` ("Loading NAME…"): shown now, and
        again whenever a timed message shown over it runs out. Ending it leaves the
        message shown as it is, for the caller to replace or clear."""
        self._standing = message
        if message:
            self.showMessage(message)

    def _bring_back_standing(self, message: str) -> None:
        # A message over the standing one ran out (or was cleared): "Loading NAME…" went
        # with it while the model still loaded, so a switch looked finished, or ignored.
        if not message and self._standing:
            self.showMessage(self._standing)
        elif not message:
            self._fit_model_label("")  # the model's name has its room back

    def event(self, event: QEvent | None) -> bool:
        # Before each layout (a resize, a label's new text, the REC indicator shown).
        if event is not None and event.type() in (QEvent.Type.LayoutRequest, QEvent.Type.Resize):
            self._fit_model_label(self._whole_message if self.currentMessage() else "")
            handled = super().event(event)
            self._refit_message()
            return handled
        return super().event(event)

    def _fit_model_label(self, message: str) -> None:
        """The model's name gets the room the other labels and ``message`` (the transient
        message shown) leave: it gives way first, so the summary, the technical figures
        asked for and a message's end ("640x360, 25 fps") stay whole where they can."""
        labels = self._labels_shown()
        others = sum(child.sizeHint().width() for child in labels if child is not self.model_label)
        room = self.width() - others - self.fontMetrics().horizontalAdvance(message) - self._margin(len(labels))
        self.model_label.setMaximumWidth(max(self.model_label.minimumSizeHint().width(), room))

    def show_details(self, show: bool) -> None:
        """The technical figures beside the summary (View > Technical figures)."""
        for label in self._details:
            label.setVisible(show)

    def show_summary(self, text: str) -> None:
        """What is happening, in words: "Live · 2 faces · 30 fps", "Paused · 0:12 / 1:30"."""
        self.summary_label.setText(text)

    def show_model(self, status: ModelStatus) -> None:
        """Name the model in use (``status.active_weights``)."""
        active = status.active_weights
        if status.error and active is not None:
            return  # a file that failed to load left the model in use, and this label, as they were
        if active is None:
            self.model_label.setText("No model")
            self.model_label.setToolTip(plain_tip(f"No emotion model loaded: {status.error}") if status.error else "")
            return
        mode = f", {status.inference_mode}" if status.inference_mode else ""
        # Short of room, the details go first, then "Model": the name is what tells models apart.
        self.model_label.set_text(
            f"Model {active.stem} ({len(status.labels)} classes{mode})", (f"Model {active.stem}", active.stem)
        )
        lines = [str(active), "Classes in output order: " + ", ".join(status.labels)]
        if status.note:
            lines.append(status.note)
        self.model_label.setToolTip(plain_tip("\n".join(lines)))

    def show_stats(self, stats: PerformanceStats, now: float) -> None:
        # Short of room (the smallest window, the REC indicator), each figure drops words
        # before its number is cut: "Display 2…" and "Dropp…" hid what was asked for.
        # The rates as the summary's, once counted for a whole window ("–" before).
        display = stats.display_rate.settled_rate(now)
        if display is None:
            self.display_label.setText("Display –")
        else:
            self.display_label.set_text(f"Display {display:.1f} fps", (f"Display {display:.1f}", f"Disp {display:.1f}"))
        inference = stats.inference_rate.settled_rate(now)
        inference_ms = stats.inference_ms.percentile(50)
        per_frame = f" ({inference_ms:.0f} ms)" if not math.isnan(inference_ms) else ""
        if inference is None:
            self.inference_label.set_text(f"Inference –{per_frame}", ("Inference –",))
        else:
            self.inference_label.set_text(
                f"Inference {inference:.1f} fps{per_frame}",
                (f"Inference {inference:.1f} fps", f"Inference {inference:.1f}", f"Inf {inference:.1f}"),
            )
        median, p95 = stats.latency_ms.percentile(50), stats.latency_ms.percentile(95)
        if math.isnan(median):
            self.latency_label.setText("Latency –")
        else:
            self.latency_label.set_text(
                f"Latency {median:.0f} ms (p95 {p95:.0f})", (f"Latency {median:.0f} ms", f"Lat {median:.0f} ms")
            )
        self.dropped_label.set_text(f"Dropped {stats.dropped_frames}", (f"Drop {stats.dropped_frames}",))
        self.summary_label.setToolTip(
            "\n".join(label.text() for label in self._details) + "\n(View > Technical figures shows them here)"
        )
