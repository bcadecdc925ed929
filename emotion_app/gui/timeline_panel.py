"""The session timeline dock: a row per tracked person with their shown emotion over the
last minutes (the overlay's colours) and their share of time per emotion, plus everyone's.

Frames only update the core's aggregates (:class:`emotion_app.timeline.SessionTimeline`,
a few dictionary updates per face); the panel repaints from them twice a second, so it
costs the video next to nothing however long the session runs.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from PyQt6.QtCore import QByteArray, QEvent, QRectF, QSize, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import (
    QColor,
    QFocusEvent,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QValidator,
)
from PyQt6.QtWidgets import (
    QApplication,
    QDockWidget,
    QHBoxLayout,
    QPushButton,
    QSizePolicy,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from emotion_app.io.overlay_layout import palette_for
from emotion_app.io.report_process import FAILED, STOP_WAIT_S, pickled_session, write_report_in_child
from emotion_app.io.session_report import ReportError, session_length_text
from emotion_app.names import cut_before, isolated
from emotion_app.percents import share_texts
from emotion_app.results import FaceResult
from emotion_app.sources.frame_source import WAIT_SLICE_S
from emotion_app.timeline import PersonSummary, SessionTimeline

from .messages import FileEnd, InferenceResult, SkippedFrame
from .paced_description import PacedDescription
from .plain_tips import plain_tip
from .qt_images import bgr_image
from .video_view import paint_focus_frame

log = logging.getLogger(__name__)

# How often the panel repaints from the aggregates.
REPAINT_MS = 500
# The row the keyboard is on is told again as its shares change at most this often: a
# reader speaks each change, and the shares move with every second played.
ROW_CHANGE_INTERVAL_S = 3.0
# A name longer than this would crowd the face's tag in the overlay.
MAX_NAME_CHARS = 24
# Space kept between the legend and the everyone row's caption.
_CAPTION_GAP_PX = 12
# A legend entry's colour key and the gap after it, before its label.
_SWATCH_PX = 14
_ELLIPSIS = "…"
# The strip's time axis grows with the session until it spans the timeline's window.
MIN_AXIS_S = 60.0
# A block drawn only where its person was seen: one of a frame or two (a tenth of a 60 s
# axis, under a pixel) is this wide still, not lost against the strip's edge.
_MIN_BLOCK_PX = 2.0
_ROW_PX = 22
_PORTRAIT_PX = 18  # each person's face, left of their "#N"
_NAME_PX = 70  # the name column: "#12" beside a portrait
# With names given it widens up to this (room for the " (#10)" after a name too), then
# names are cut short ("…"), never their id.
_MAX_NAME_PX = 210
_SHARE_PX = 150  # the share bars' width where the panel has room; a narrow one gets narrower bars
_MIN_SHARE_PX = 40
_MIN_STRIP_PX = 60  # the strips' least width: the panel is never narrower than it leaves them
# The most legend lines the least height makes room for: an 8-class model's (FER+'s), a class
# a line in the narrowest panel. With a line for each class of a model of more, docked at a
# side of a small window, Clear and Export were pushed out of it; past these the legend has
# the lines the panel's height leaves it.
_MOST_FITTED_LEGEND_LINES = 8
# Docked at the top or bottom of a window too small for the lines of whole labels, the least
# height makes room for this many at most: 8 lines of long labels there took the height of a
# small window's video and ran under its status bar. The labels are cut short to fit instead.
_MOST_FITTED_LEGEND_LINES_ACROSS = 4
# A label cut short to fit every class on the lines the legend has keeps the width of this
# many characters, its "…" among them: shorter, the keys no longer tell the classes apart.
_LEAST_CUT_LABEL_CHARS = 6
_BACKGROUND = QColor(30, 30, 33)
_EMPTY = QColor(52, 52, 56)
_TEXT = QColor(225, 225, 225)
EXPORT_TIP = "Write the timeline plot and seconds and share per person per emotion"
NOTHING_TO_EXPORT_TIP = "Nothing to export yet: no face seen in this session"
NO_TIME_YET_TIP = "Nothing to export yet: the faces shown have no time yet (play on to count it)"
# The same once nothing plays (a file finished or stopped, a camera stopped): "play on" asked
# for what could not be done.
NO_TIME_STOPPED_TIP = "Nothing to export: the faces shown have no time, and nothing is playing to count it"
EXPORTING_TIP = "Exporting the session timeline…"
# How long the window's close waits for an export's thread: the child's own wait once told
# to stop (STOP_WAIT_S), and a second for its poll and its answer. One still running past
# it is stuck in a file-system call (a share that no longer answers) and is left.
EXPORT_EXIT_WAIT_S = STOP_WAIT_S + 1.0


def _not_exported(folder: Path) -> str:
    return f"not exported: the session timeline into {folder}"


def _lines_of(entries: list[tuple[str, QRectF]]) -> int:
    """How many lines legend entries take."""
    return max((int(span.top() // _ROW_PX) + 1 for _, span in entries), default=0)


def qcolor(bgr: tuple[int, int, int]) -> QColor:
    b, g, r = bgr
    return QColor(r, g, b)


def drawn_name(person: PersonSummary) -> str:
    """``person``'s name as the panel draws it: the exports' ("Ada (#3)"), the name given
    kept to its own direction (see names.isolated): Qt lays text out by the bidi
    algorithm, and a Hebrew name put the "(#3)" before it, one holding U+202E reversed it."""
    if person.track_id is None or not person.given_name:
        return person.name
    return f"{isolated(person.given_name)} (#{person.track_id})"


class NameLength(QValidator):
    """Stops a name's field at :data:`MAX_NAME_CHARS` characters, counted as name_person
    counts them, where a character ends. Qt's maxLength counts UTF-16 units: it cut a flag
    or an emoji in half (a lone surrogate no UTF-8 file can hold) and an accent off its
    letter, and let 12 emoji fill a field of 24."""

    def validate(self, text: str | None, pos: int) -> tuple[QValidator.State, str, int]:
        text = text or ""
        excess = len(text) - MAX_NAME_CHARS
        if excess <= 0:
            return QValidator.State.Acceptable, text, pos
        # What was typed or pasted ends at the cursor: its end is dropped, as maxLength drops it.
        cursor = len(text.encode("utf-16-le")[: 2 * pos].decode("utf-16-le", "surrogatepass"))
        start = cut_before(text, max(0, cursor - excess))
        kept = text[:start] + text[cursor:]
        kept = kept[: cut_before(kept, MAX_NAME_CHARS)]  # a cursor inside a character (never typed so)
        return QValidator.State.Acceptable, kept, len(text[:start].encode("utf-16-le")) // 2


class TimelineView(QWidget):
    """Paints a :class:`SessionTimeline`: strips on the left, share bars on the right.
    A double-click on a person's row asks for their name (``person_double_clicked``), and so
    does Enter on the row chosen with Up and Down. A screen reader hears the row chosen
    (its accessible description, told as the keyboard comes or moves: :meth:`row_in_words`;
    while the keyboard is on the rows, told again as the row's words change: :meth:`follow_changes`)."""

    person_double_clicked = pyqtSignal(int)  # the row's track id

    def __init__(self, timeline: SessionTimeline, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.timeline = timeline
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        # Three people and everyone's row without scrolling, or more where the legend needs
        # it (see fit_height).
        self.setMinimumHeight(4 * _ROW_PX + 8)
        self.setMinimumWidth(_NAME_PX + _MIN_STRIP_PX + _MIN_SHARE_PX + 12)
        # Tab reaches the rows: naming someone must not take a mouse.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("People's emotions over time")
        self._chosen: int | None = None  # the track id of the row the keyboard is on
        self._colors: list[QColor] = []
        # Docked at the window's top or bottom: the height the view and the video share (see
        # set_height_shared); None at a side or floating, where the view's height is its own.
        self._shared_px: float | None = None
        self._told = PacedDescription(self, lambda: self.row_in_words(self.chosen_person()), ROW_CHANGE_INTERVAL_S)
        # The name column's width while one paint or count of lines lasts (see _names_measured).
        self._name_px: float | None = None
        self.set_labels(timeline.labels)

    def set_labels(self, labels: Sequence[str]) -> None:
        palette = palette_for(labels)
        self._colors = [qcolor(palette[label]) for label in labels]
        self.fit_height()

    def set_height_shared(self, shared_px: float | None) -> None:
        """Docked at the window's top or bottom, the height the view and the video above or
        below it share (theirs together; 0 where not known yet): the least height makes room
        for the legend's lines of whole labels only where the video keeps as much of it (see
        :meth:`fit_height`). None at a side or floating."""
        if shared_px != self._shared_px:
            self._shared_px = shared_px
            self.fit_height()

    def legend_lines_needed(self) -> int:
        """The lines the legend takes to name every class at this width (a label too wide
        for a line takes one of its own, cut short)."""
        strips = self.strip_rect()
        lines = len(self.timeline.labels) or 1
        return max(1, _lines_of(self.legend_entries(strips.left(), strips.right(), lines)))

    def legend_lines_cut_short(self) -> int:
        """The lines the legend takes to name every class at this width with each label cut
        short to :meth:`least_cut_px` (one narrower kept whole)."""
        strips = self.strip_rect()
        lines = len(self.timeline.labels) or 1
        entries = self.legend_entries(strips.left(), strips.right(), lines, most_px=self.least_cut_px())
        return max(1, _lines_of(entries))

    def least_cut_px(self) -> float:
        """The least width a legend entry (its swatch and its text) is cut to, to fit every
        class on the lines the legend has: :data:`_LEAST_CUT_LABEL_CHARS` characters."""
        metrics = self.fontMetrics()
        letters = metrics.averageCharWidth() * (_LEAST_CUT_LABEL_CHARS - 1)
        return float(_SWATCH_PX + letters + metrics.horizontalAdvance(_ELLIPSIS))

    def fit_height(self) -> None:
        """The least height: everyone's row and the legend's lines below it, with rows for
        three people where the legend takes one line and for one at least. A fixed three
        people's rows and everyone's left the legend 3 lines at the most: at the least width
        8 classes had 3 keys, the other colours in the strips named nowhere. The width, the
        classes and the names given (a wider name column) change the lines it needs; at most
        :data:`_MOST_FITTED_LEGEND_LINES` are made room for. Docked at the window's top or
        bottom, as many of those as fit in half the height the view and the video share
        (:meth:`set_height_shared`), the video keeping the larger part, and never fewer than
        the lines of labels cut short (:data:`_MOST_FITTED_LEGEND_LINES_ACROSS` at most): a
        small window's video keeps its room, and the legend cuts its labels to fit (see
        :meth:`legend_cut_px`).
        Before, docked so, it always asked for the lines of labels cut short: a window with
        room for them whole had every label cut to a few characters."""
        with self._names_measured():  # left before the height is set: that resizes
            lines = min(self.legend_lines_needed(), _MOST_FITTED_LEGEND_LINES)
            if self._shared_px is not None:
                cut_short = min(self.legend_lines_cut_short(), _MOST_FITTED_LEGEND_LINES_ACROSS, lines)
                # The lines whose rows (everyone's and the legend's, or four) fit in half of it.
                afforded = int((self._shared_px / 2 - self.row_top(0) - 4) // _ROW_PX) - 1
                lines = max(cut_short, min(lines, afforded))
        rows = max(4, 1 + lines)
        height = int(self.row_top(rows)) + 4
        if height != self.minimumHeight():
            self.setMinimumHeight(height)  # a shorter panel grows to it

    def resizeEvent(self, event: QResizeEvent | None) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self.fit_height()

    def sizeHint(self) -> QSize:
        return QSize(640, _ROW_PX * (len(self.timeline.people()) + 2) + 8)

    def strip_rect(self) -> QRectF:
        """Where the strips are drawn (the time axis spans its width)."""
        left = self.name_column_width()
        return QRectF(left, 4, max(10, self.width() - left - self.share_width() - 12), self.height() - 8)

    def share_width(self) -> float:
        """The share bars' width: a third of what the names leave, at most :data:`_SHARE_PX`.
        At a fixed 150 px, a panel docked at the window's side laid them over the strips."""
        room = self.width() - self.name_column_width() - 12
        return float(min(_SHARE_PX, max(_MIN_SHARE_PX, room // 3)))

    def name_column_width(self) -> float:
        """Room for the rows' portraits and names: wider for the names given ("Ada (#3)"),
        within bounds (the strips keep most of the panel)."""
        return self._name_px if self._name_px is not None else self._measure_name_column()

    @contextmanager
    def _names_measured(self) -> Iterator[None]:
        """Within it, :meth:`name_column_width` measures the names once: a paint (or a count
        of the legend's lines) changes no name, font nor width. A paint asked for it for each
        row's rectangles, measuring every row's name each time: with a crowd's rows, most of
        the paint (docs/measurements.md). Nothing is kept past it, so a name or font changed
        since is measured anew."""
        if self._name_px is not None:  # within one already
            yield
            return
        self._name_px = self._measure_name_column()
        try:
            yield
        finally:
            self._name_px = None

    def _measure_name_column(self) -> float:
        widest = max((self.fontMetrics().horizontalAdvance(p.name) for p in self.timeline.people()), default=0)
        return float(min(max(_NAME_PX, _PORTRAIT_PX + 14 + widest + 6), _MAX_NAME_PX, max(_NAME_PX, self.width() / 4)))

    def row_top(self, row: int) -> float:
        return 4 + row * _ROW_PX

    def portrait_rect(self, row: int) -> QRectF:
        top = self.row_top(row) + (_ROW_PX - 4 - _PORTRAIT_PX) / 2
        return QRectF(4, top, _PORTRAIT_PX, _PORTRAIT_PX)

    def time_to_x(self, seconds: float) -> float:
        start, span = self.axis()
        strips = self.strip_rect()
        return strips.left() + (seconds - start) / span * strips.width()

    def axis(self) -> tuple[float, float]:
        """Start and span of the time axis, in session seconds."""
        now = self.timeline.now_s
        span = min(self.timeline.window_s, max(MIN_AXIS_S, now))
        return max(0.0, now - span), span

    def visible_people(self) -> list[int]:
        """Track ids with a row on screen: the most recently seen that fit above everyone's
        row and the legend's lines (every class keeps its key; a row given way is "+N"), of
        those seen last at the same moment the highest numbers. While the rows have the
        keyboard, the person Up and Down chose has a row, in place of the last of those."""
        rows = self._rows()
        seen_last = self._seen_last(rows)
        chosen = self._chosen
        if self.hasFocus() and chosen is not None and chosen not in seen_last and self.timeline.person(chosen):
            # Up and Down go through everyone: without a mouse, "+N"'s people (drag the panel
            # taller, says its tooltip) were out of reach, never read nor named.
            return sorted([*self._seen_last(rows - 1), chosen])
        return seen_last

    def _rows(self) -> int:
        """How many people's rows fit."""
        return max(1, int((self.height() - 8) // _ROW_PX) - self.legend_lines_needed())

    def _seen_last(self, rows: int) -> list[int]:
        """The track ids of the ``rows`` people seen last (see :meth:`visible_people`)."""
        people = sorted(self.timeline.people(), key=lambda p: p.last_seen_s)[-rows:] if rows > 0 else []
        return sorted(p.track_id for p in people if p.track_id is not None)

    def hidden_people(self) -> int:
        """How many people have no row on screen (the panel is too short for them)."""
        return len(self.timeline.people()) - len(self.visible_people())

    def hidden_hint(self) -> str:
        """What the everyone row's "+N" means, as its tooltip says it ("" when all fit)."""
        hidden = self.hidden_people()
        if not hidden:
            return ""
        rows = "row" if hidden == 1 else "rows"
        # The rows kept are of those seen last; among those seen last at the same moment (a
        # photo's faces), of the highest numbers. "Seen longest ago" was said of a photo too.
        shown = set(self._seen_last(self._rows()))
        last_shown = min(p.last_seen_s for p in self.timeline.people() if p.track_id in shown)
        ties = sum(1 for p in self.timeline.people() if p.track_id not in shown and p.last_seen_s >= last_shown)
        if not ties:
            which = "the people seen longest ago"
        elif ties == hidden:
            which = "the lowest numbers of those last seen at the same moment"
        else:
            which = "the people seen longest ago and the lowest numbers of those last seen at the same moment"
        how = "drag the panel's top edge up to see them, or reach them with Up and Down"
        return f"{hidden} more {rows}, for {which}: {how}"

    def person_at(self, y: float) -> int | None:
        """The track id of the person whose row is at height ``y``, if any."""
        row = int((y - 4) // _ROW_PX)
        people = self.visible_people()
        return people[row] if 0 <= row < len(people) and y >= 4 else None

    def row_name(self, track_id: int) -> str:
        """The row's name in full, as the exports write it: "#3", or "Ada (#3)"."""
        person = self.timeline.person(track_id)
        return person.name if person is not None else f"#{track_id}"

    def name_rect(self, row: int) -> QRectF:
        """Where the row's name is written (right-aligned, beside the portrait)."""
        left = _PORTRAIT_PX + 8
        return QRectF(left, self.row_top(row), self.strip_rect().left() - left - 6, _ROW_PX - 4)

    def row_text(self, track_id: int, width: float) -> str:
        """What the row says in ``width`` pixels: :meth:`row_name`, a long name cut short
        before its id ("Alexandra Mont… (#10)"), or the id alone where none of the name
        fits. The id is never cut: cut at the end, "Alexandra Montgom…" hid who it was."""
        person = self.timeline.person(track_id)
        tag = f"#{track_id}"
        if person is None or not person.given_name:
            return tag
        metrics = self.fontMetrics()
        if metrics.horizontalAdvance(person.name) <= width:
            return drawn_name(person)
        suffix = f" ({tag})"
        room = int(width - metrics.horizontalAdvance(suffix))
        name = metrics.elidedText(person.given_name, Qt.TextElideMode.ElideRight, room) if room > 0 else ""
        return isolated(name) + suffix if len(name) > 1 else tag  # "…" alone says less than the id

    def chosen_person(self) -> int | None:
        """The track id of the row the keyboard is on: the one chosen with Up and Down while
        it has a row, else the first."""
        people = self.visible_people()
        if self._chosen in people:
            return self._chosen
        return people[0] if people else None

    def row_in_words(self, track_id: int | None) -> str:
        """A row as a screen reader hears it: "Row 1 of 2: Ada (#3), happy 60%, neutral
        40%" (the emotions by their share of the person's time, the model's own labels)."""
        people = self.visible_people()
        person = self.timeline.person(track_id) if track_id is not None else None
        if person is None or track_id not in people:
            return "No faces yet"
        shares = sorted(zip(person.shares, self.timeline.labels), key=lambda pair: -pair[0])
        # Whole percents adding up to 100, as the shares do; an emotion with no time is not
        # said, one with a moment "<1%" (it went unsaid, and the rest read "happy 100%").
        texts = share_texts([share for share, _label in shares])
        told = ", ".join(f"{label} {text}" for (share, label), text in zip(shares, texts) if share > 0)
        row = f"Row {people.index(track_id) + 1} of {len(people)}: {person.name}"
        return f"{row}, {told}" if told else f"{row}, no time yet"

    def tell_chosen(self) -> None:
        """Describe the row the keyboard is on now (Qt tells a screen reader of the change)."""
        self._told.tell_now()

    def follow_changes(self) -> None:
        """The rows may have changed (time played, people come or gone): while the keyboard is
        on them, the row's new words are told, at most once every :data:`ROW_CHANGE_INTERVAL_S`.
        Before, they were told only as the keyboard came or moved: a reader asking heard old
        shares, or a person gone."""
        if not self.hasFocus():
            return
        with self._names_measured():  # at each repaint: the rows' words need it a few times
            if self.row_in_words(self.chosen_person()) != self.accessibleDescription():
                self._told.changed()

    def keyPressEvent(self, event: QKeyEvent | None) -> None:  # noqa: N802 (Qt's name)
        if event is None:
            return
        key, chosen = event.key(), self.chosen_person()
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and chosen is not None:
            step = 1 if key == Qt.Key.Key_Down else -1
            # Through everyone in number order, those without a row too (see visible_people).
            everyone = sorted(p.track_id for p in self.timeline.people() if p.track_id is not None)
            self._chosen = everyone[max(0, min(len(everyone) - 1, everyone.index(chosen) + step))]
            self.tell_chosen()
            self.update()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2) and chosen is not None:
            self.person_double_clicked.emit(chosen)
        else:
            super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent | None) -> None:  # noqa: N802 (Qt's name)
        if event is not None and event.reason() == Qt.FocusReason.MouseFocusReason:
            # A click brings the keyboard before its press is read: a person Up and Down chose
            # earlier would take back a row under the pointer, and the click hit them instead.
            if self._chosen not in self._seen_last(self._rows()):
                self._chosen = None
        super().focusInEvent(event)
        self.tell_chosen()
        self.update()  # the chosen row's frame shows

    def focusOutEvent(self, event: QFocusEvent | None) -> None:  # noqa: N802 (Qt's name)
        super().focusOutEvent(event)
        # New words waiting for the pace were told after Tab had left the rows: focusInEvent
        # tells the row as it is then.
        self._told.cancel()
        self.update()

    def mousePressEvent(self, event: QMouseEvent | None) -> None:  # noqa: N802 (Qt's name)
        # A click gives the rows the keyboard: Enter and F2 then name the row clicked.
        track_id = self.person_at(event.position().y()) if event is not None else None
        if track_id is not None:
            self._chosen = track_id
            self.update()
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent | None) -> None:
        track_id = self.person_at(event.position().y()) if event is not None else None
        if track_id is not None:
            self.person_double_clicked.emit(track_id)

    def event(self, event: QEvent | None) -> bool:
        # The tooltip depends on how many rows fit now, so it is worked out when asked for.
        if event is not None and event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            track_id = self.person_at(event.pos().y())
            person = self.timeline.person(track_id) if track_id is not None else None
            label = self.legend_entry_at(event.pos().x(), event.pos().y())
            if label is not None:  # a legend entry: its class whole (cut short there where too wide)
                QToolTip.showText(event.globalPos(), plain_tip(label), self)
            elif person is not None:
                QToolTip.showText(
                    event.globalPos(), plain_tip(f"{drawn_name(person)}: double-click (or Enter) to give a name"), self
                )
            elif hint := self.hidden_hint():
                QToolTip.showText(event.globalPos(), hint, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def paintEvent(self, event: QPaintEvent | None) -> None:
        painter = QPainter(self)
        try:
            with self._names_measured():
                self._paint(painter)
        finally:
            painter.end()

    def row_blocks(self, track_id: int) -> list[tuple[float, float, int]]:
        """The blocks ``track_id``'s strip is painted with: (left, width, label index), in
        the view's pixels."""
        strips = self.strip_rect()
        start, span = self.axis()
        scale = strips.width() / span
        left, right = strips.left(), strips.right()
        blocks: list[tuple[float, float, int]] = []

        def add(run_start: float, run_end: float, label: int) -> None:
            x0 = left + max(0.0, run_start - start) * scale
            x1 = left + min(span, run_end - start) * scale
            if x1 > x0:
                width = max(_MIN_BLOCK_PX, x1 - x0)
                x0 = min(x0, right - width)  # a widened block at the end stays in
                blocks.append((x0, width, label))

        # Runs of one label become one rectangle: a few per row, not one per second. Each
        # second's label covers only when the person was seen in it, as the plot draws it;
        # a gap under a pixel cannot be drawn, so it joins the run: a face found on every
        # other frame made a rectangle a frame, thousands a row, each repaint slow. (The
        # loop is kept lean: it runs over every stretch of every row at each repaint.)
        join_s = max(1e-6, 1.0 / scale)
        run_start, run_label, run_end = -1.0, -1, -1.0
        for begin, end, label in self.timeline.seen_strip(track_id):
            if label == run_label and begin - run_end < join_s:
                if end > run_end:
                    run_end = end
                continue
            if run_label >= 0:
                add(run_start, run_end, run_label)
            run_start, run_label, run_end = begin, label, end
        if run_label >= 0:
            add(run_start, run_end, run_label)
        return blocks

    def _paint(self, painter: QPainter) -> None:
        painter.fillRect(self.rect(), _BACKGROUND)
        timeline = self.timeline
        strips = self.strip_rect()
        summaries = {p.track_id: p for p in timeline.people()}
        ids = self.visible_people()
        if not ids:
            painter.setPen(_TEXT)
            painter.drawText(
                strips,
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                "No faces yet: each tracked person gets a row here.",
            )
        chosen = self.chosen_person() if self.hasFocus() else None
        for row, track_id in enumerate(ids):
            top = self.row_top(row)
            painter.setPen(_TEXT)
            name_rect = self.name_rect(row)
            if track_id == chosen:  # where Enter gives a name
                painter.drawRect(QRectF(1, top - 1, strips.left() - 4, _ROW_PX - 2))
            painter.drawText(
                name_rect,
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                self.row_text(track_id, name_rect.width()),
            )
            portrait = self.timeline.portrait(track_id)
            if portrait is not None:
                painter.drawImage(self.portrait_rect(row), bgr_image(portrait))
            painter.fillRect(QRectF(strips.left(), top + 3, strips.width(), _ROW_PX - 8), _EMPTY)
            for x0, width, label in self.row_blocks(track_id):
                painter.fillRect(QRectF(x0, top + 3, width, _ROW_PX - 8), self._colors[label])
            self._paint_shares(painter, row, summaries[track_id].shares)
        overall_row = max(len(ids), 1)  # with nobody yet, row 0 holds the hint above the legend
        top = self.row_top(overall_row)
        entries, caption, caption_line = self.everyone_row(overall_row)
        self._paint_legend(painter, top, entries)
        painter.setPen(_TEXT)
        hidden = self.hidden_people()
        if hidden:  # people without a row are not silently dropped (see hidden_hint)
            painter.drawText(
                QRectF(2, top, strips.left() - 6, _ROW_PX - 4),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                f"+{hidden}",
            )
        painter.drawText(
            QRectF(strips.left(), top + caption_line * _ROW_PX, strips.width(), _ROW_PX - 4),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            caption,
        )
        self._paint_shares(painter, overall_row, timeline.overall().shares)
        if not ids and self.hasFocus():  # no row to frame: the panel shows it has the keyboard
            paint_focus_frame(painter, self)

    def caption_texts(self) -> tuple[str, str, str]:
        """The everyone row's caption: in full, without "everyone · ", and its length alone
        after an ellipsis ("… 8 s")."""
        # As the exported plot's title says it, and cut down as the seek bar's clock counts.
        length = session_length_text(self.timeline.now_s)
        return f"everyone · session {length}", f"session {length}", f"… {length}"

    def caption(self, room: float) -> str:
        """The everyone row's caption that fits in ``room`` pixels: in full, without
        "everyone · ", its length alone, or nothing."""
        metrics = self.fontMetrics()
        return next((text for text in self.caption_texts() if metrics.horizontalAdvance(text) <= room), "")

    def everyone_row(self, row: int) -> tuple[list[tuple[str, QRectF]], str, int]:
        """The legend and the caption of the everyone row, row ``row``: the legend's entries
        (as :meth:`legend_entries` gives them, cut to :meth:`legend_cut_px` where its lines
        cannot hold every class whole), the caption, and the line it is written on
        (right-aligned in the strips; 0 is the row itself, the lines below are the legend's).

        The caption keeps its room on the first line where the legend, wrapped around it,
        still holds every class it holds without it: the row itself where it can be, in full
        where the legend takes no more lines for it, else as "session N s"; where no line
        has room for that, as "… N s". Where none has room even for that, it is left out:
        the classes name the strips' colours, and a length cut short ("….1 min" of 2.1 min)
        misreads. Before, the caption had only what the legend left of the row: a legend
        wrapped in a side dock filled it, and the session's length was gone."""
        strips = self.strip_rect()
        left, right = strips.left(), strips.right()
        lines = self.legend_lines(row)
        metrics = self.fontMetrics()
        cut_px = self.legend_cut_px(left, right, lines)
        alone = self.legend_entries(left, right, lines, most_px=cut_px)
        full, short, least = self.caption_texts()
        # In full where the legend needs no more lines for it, else without "everyone · ";
        # the length alone only where no line has room for those.
        tries = ((full, _lines_of(alone)), (short, _lines_of(alone)), (short, lines))
        for passes in (tries, ((least, lines),)):
            for line in range(lines):
                for text, most in passes:
                    width = metrics.horizontalAdvance(text)
                    if width > strips.width():
                        continue
                    kept = min(strips.width(), width + _CAPTION_GAP_PX)
                    entries = self.legend_entries(left, right, lines, kept=(line, kept), most_px=cut_px)
                    if len(entries) == len(alone) and _lines_of(entries) <= most:
                        return entries, text, line
        return alone, "", 0

    def legend_entries(
        self,
        left: float,
        right: float,
        lines: int = 1,
        kept: tuple[int, float] | None = None,
        most_px: float | None = None,
    ) -> list[tuple[str, QRectF]]:
        """Each class label that fits between ``left`` and ``right`` on up to ``lines``
        lines, with its swatch's and text's span (its top: the line's, from the first line's;
        the classes are the model's own labels, in its order). ``kept``: a line and the
        pixels kept free at its right end (for the caption: see :meth:`everyone_row`).
        ``most_px``: the most an entry, swatch and text, takes (a wider label cut short).

        A label too wide for a line of its own takes one, cut short (:meth:`legend_text`):
        before, it ended the legend, and at the timeline's least width 8 classes had one key."""
        metrics = self.fontMetrics()
        least = _SWATCH_PX + metrics.horizontalAdvance(_ELLIPSIS)  # a swatch and "…"
        entries: list[tuple[str, QRectF]] = []
        x, line = left, 0

        def end_of(line: int) -> float:
            return right - kept[1] if kept is not None and line == kept[0] else right

        for label in self.timeline.labels:
            width = float(_SWATCH_PX + metrics.horizontalAdvance(label))  # swatch and text
            if most_px is not None:
                width = min(width, most_px)
            # On the next line where this one is taken, or kept too short for it (the
            # caption's line is never cut into: the caption keeps its room there).
            while line < lines and x + width > end_of(line) and (x > left or kept is not None and line == kept[0]):
                x, line = left, line + 1
            # Cut short only where it does not fit: a label narrower than "…" ("1", "怒")
            # that fits the line's end is no reason to end the legend there.
            if line >= lines or (x + width > end_of(line) and end_of(line) - x < least):
                break  # no line left: the rest are in the overlay's bars and the export
            # The text's 2 px margin where the line has it: counted in the fit, it cost a
            # label that fits to the pixel its place.
            span = min(width + 2, end_of(line) - x)
            entries.append((label, QRectF(x, line * _ROW_PX, span, _ROW_PX - 4)))
            # One cut short fills its line.
            x += width + 12 if width <= span else span + 12
        return entries

    def legend_cut_px(self, left: float, right: float, lines: int) -> float | None:
        """The width each legend entry is cut to (see :meth:`legend_entries`'s ``most_px``)
        for every class to have a key on ``lines`` lines between ``left`` and ``right``: None
        where they all fit whole; else the widest that lets them, or :meth:`least_cut_px`
        where none does (the classes past it are left out, as where none is cut). Before,
        the classes past the lines were left out whole: 20 long labels at the bottom of a
        small window had the least height make room for 8 lines, squeezing the video."""
        count = len(self.timeline.labels)
        if len(self.legend_entries(left, right, lines)) == count:
            return None
        metrics = self.fontMetrics()
        widest = max(_SWATCH_PX + metrics.horizontalAdvance(label) for label in self.timeline.labels)
        least = self.least_cut_px()
        if widest <= least:
            return None  # nothing to cut: labels this short are left out whole
        low, high = math.ceil(least), widest  # low fits (or is the least); high does not
        if len(self.legend_entries(left, right, lines, most_px=low)) < count:
            return least
        while high - low > 1:  # narrower entries never take more lines: the widest that fits
            middle = (low + high) // 2
            if len(self.legend_entries(left, right, lines, most_px=middle)) == count:
                low = middle
            else:
                high = middle
        return float(low)

    def legend_text(self, label: str, span: QRectF) -> str:
        """What the legend writes for ``label`` in its ``span``: the label, or cut short to
        fit (its tooltip says it whole): at its end ("happi…"), a name being read from its
        start, but in its middle ("expre…er 12") where what its start keeps begins another
        class's name too. Cut at the end, classes of one prefix ("expression number 0" to
        "19") all read "expres…", told apart by their colours alone."""
        metrics = self.fontMetrics()
        room = max(0, int(span.width() - _SWATCH_PX))
        if metrics.horizontalAdvance(label) <= span.width() - _SWATCH_PX:  # the fit legend_entries counts
            return label  # (elidedText's is stricter)
        text = metrics.elidedText(label, Qt.TextElideMode.ElideRight, room)
        start = text.removesuffix(_ELLIPSIS)
        if any(other != label and other.startswith(start) for other in self.timeline.labels):
            return metrics.elidedText(label, Qt.TextElideMode.ElideMiddle, room)
        return text

    def legend_entry_at(self, x: float, y: float) -> str | None:
        """The class whose legend entry (swatch or text) is at (``x``, ``y``), if any."""
        row = max(len(self.visible_people()), 1)
        top = self.row_top(row)
        entries, _, _ = self.everyone_row(row)
        return next((label for label, span in entries if span.translated(0, top).contains(x, y)), None)

    def legend_lines(self, row: int) -> int:
        """How many lines the legend may take from row ``row`` down: the rows the panel has
        to spare below it, at least :meth:`legend_lines_needed` below everyone's row (see
        :meth:`visible_people`). Docked at the window's side, the strips are too narrow for
        all the classes on one line, and the ones left out (surprise, neutral) had colours in
        the strips that nothing named."""
        return max(1, int((self.height() - 4 - self.row_top(row)) // _ROW_PX))

    def _paint_legend(self, painter: QPainter, top: float, entries: list[tuple[str, QRectF]]) -> None:
        """The classes in their colours (``entries``, from :meth:`everyone_row`), from the
        last row's top on (onto the rows below it where they have to and can)."""
        for (label, span), color in zip(entries, self._colors):
            y = top + span.top()
            painter.fillRect(QRectF(span.left(), y + 6, 10, 10), color)
            painter.setPen(_TEXT)
            painter.drawText(
                QRectF(span.left() + _SWATCH_PX, y, span.width() - _SWATCH_PX, _ROW_PX - 4),
                Qt.AlignmentFlag.AlignVCenter,
                self.legend_text(label, span),
            )

    def share_rect(self, row: int) -> QRectF:
        width = self.share_width()
        return QRectF(self.width() - width - 6, self.row_top(row) + 3, width, _ROW_PX - 8)

    def _paint_shares(self, painter: QPainter, row: int, shares: Sequence[float]) -> None:
        rect = self.share_rect(row)
        painter.fillRect(rect, _EMPTY)
        left = rect.left()
        for index, share in enumerate(shares):
            width = share * rect.width()
            if width > 0:
                painter.fillRect(QRectF(left, rect.top(), width, rect.height()), self._colors[index])
            left += width


class TimelinePanel(QDockWidget):
    """The dock: the view, and buttons to export the session (PNG + CSV) or start afresh."""

    exported = pyqtSignal(object, object)  # PNG path, CSV path
    export_failed = pyqtSignal(str)
    name_given = pyqtSignal(int, str)  # track id, name ("" takes a name back)
    cleared = pyqtSignal()  # everyone's time, and the names given, forgotten (Clear, another source)
    # From the export's pool thread to the GUI thread: (PNG, CSV) paths, or a message.
    _export_finished = pyqtSignal(object)

    def __init__(self, labels: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__("Session timeline", parent)
        self.setObjectName("timeline")
        self.timeline = SessionTimeline(labels)
        self._run: tuple[int, int] | None = None  # InferenceResult.run of the last frame added
        self._in_file = False  # the frame added last was of a file (see add)
        self._source_active = True  # frames may come to count the faces shown (see set_source_active)
        # The last frame added, (run, frame index, faces): a file's end counts on from it.
        self._last_added: tuple[tuple[int, int], int, tuple[FaceResult, ...]] | None = None
        self._file_end: FileEnd | None = None  # a file's end whose last frame has not come yet
        # (frame index, stream time) of the frame added last, and of the one on screen when a
        # model of other classes made new rows: labelled again by it (paused, or opened
        # again where a file ended), that frame starts them with no time (see add).
        self._shown: tuple[int, float] | None = None
        self._relabelled: tuple[int, float] | None = None
        self.view = TimelineView(self.timeline, self)
        self.export_button = QPushButton("Export PNG + CSV…")
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Start a new session: forget everyone's time so far")
        self.setAccessibleName("Session timeline")
        self.clear_button.setAccessibleDescription(self.clear_button.toolTip())
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.view, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.clear_button, self.export_button):
            # Enter presses it: Space plays and pauses whatever has the keyboard (PlayerKeys),
            # and a push button outside a dialog takes Enter only so.
            button.setAutoDefault(True)
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.setWidget(body)
        self.clear_button.clicked.connect(self._clear_clicked)
        # Asks the window for a folder (so a dialog pauses the video like every other).
        self.ask_folder: Callable[[], str] = lambda: ""
        # Asks the window for a person's name: (track id, current name) -> the name, or
        # None when cancelled.
        self.ask_name: Callable[[int, str], str | None] = lambda _track_id, _current: None
        # The frame on screen (the window's), whose faces keep their rows over a Clear.
        self.shown_now: Callable[[], InferenceResult | None] = lambda: None
        self.view.person_double_clicked.connect(self.name_person)
        self.export_button.clicked.connect(self._export_clicked)
        self._export_finished.connect(self._on_export_finished)
        self._stop_exports = threading.Event()  # set when the window closes (see finish_exports)
        # Each export's thread and its folder, while it runs.
        self._export_threads: dict[threading.Thread, Path] = {}
        self._exporting = False  # an export's child process is drawing
        # A face with time this session: something to export. Rows of no time yet (the
        # paused frame a Clear keeps, Home after it) exported a plot of "the last 0.0 s".
        self._has_time = False
        self._update_export_button()
        self._dirty = False
        self._length_painted = ""  # the session's length as the last repaint said it
        self._timer = QTimer(self)
        self._timer.setInterval(REPAINT_MS)
        self._timer.timeout.connect(self._repaint_if_changed)
        self._timer.start()

    # ---- place -----------------------------------------------------------------------------
    def float_next_at(self, saved: QByteArray) -> bool:
        """Have the docked panel's next float without a drag (its float button, a double-click
        on its title) open at ``saved`` (``saveGeometry``, fitted to today's screens);
        False, nothing changed, where Qt refuses it. Before the window is first shown."""
        # Qt floats a panel back where it last floated in the run: QDockWidget notes its
        # geometry at each resize while floating, and has none at first (it floats over its
        # dock). Floated for a moment, hidden (else it shows at once), and told of a resize
        # there, it notes where it floated in a run before.
        hidden = self.isHidden()
        self.hide()
        self.setFloating(True)
        restored = self.restoreGeometry(saved)
        if restored:
            QApplication.sendEvent(self, QResizeEvent(self.size(), self.size()))
        self.setFloating(False)
        self.setHidden(hidden)
        return restored

    def next_float_place(self) -> QByteArray:
        """Where the docked panel's next float without a drag opens (``saveGeometry``), as Qt
        keeps it in the run (see :meth:`float_next_at`): for the next run's. Only for a panel
        that has floated in the run, or was given a place by :meth:`float_next_at` (else Qt
        floats it over its dock, and this says where that is)."""
        # Qt gives no other way to read it: floated for a moment, hidden, it floats there.
        hidden = self.isHidden()
        self.hide()
        self.setFloating(True)
        place = self.saveGeometry()
        self.setFloating(False)
        self.setHidden(hidden)
        return place

    # ---- data ------------------------------------------------------------------------------
    def set_labels(self, labels: Sequence[str]) -> None:
        """A model with other classes: new rows (times of other classes cannot mix); the
        faces keep their ids over the switch, so the names given stay."""
        if tuple(labels) == self.timeline.labels:
            return
        names = self.timeline.given_names
        self.timeline = SessionTimeline(labels)
        self._relabelled = self._shown
        for track_id, name in names.items():
            self.timeline.set_name(track_id, name)
        self.view.timeline = self.timeline
        self.view.set_labels(labels)
        self._dirty = True
        self._update_export_button()

    def add(self, result: InferenceResult, in_file: bool = False) -> None:
        """One shown frame (cheap: aggregates only); ``in_file``: of a file, whose moments
        count once however often shown (SessionTimeline.add).

        One of a model whose classes the rows do not have is dropped: the model in use sets
        them as it loads (:meth:`set_labels`), and a result of the model before can come
        after that (labelled before the switch, held back by a busy GUI's gate and sent
        late). Taking its classes reset the rows to the old model's, their time lost, and
        the next frame of the new model reset them again."""
        if tuple(result.labels) != self.timeline.labels:
            return
        end = self._file_end
        if end is not None and result.stream_id > end.run[0]:
            # The file opened again since its end (a seek, Home, a model switch): one thread
            # labels the frames in order, so the last frame's result, had it been labelled,
            # came before this one. It never will be (the open emptied the capture mailbox
            # it waited in): the end counts from the frame added before it.
            self._count_file_end(last_frame_lost=True)
        # The frames labelled before it that a busy GUI skipped count first, each for its
        # own faces (counted in the one shown before them, a face seen only on them had none).
        for skipped in result.skipped_before:
            if tuple(skipped.labels) == self.timeline.labels:
                self._add_to_timeline(skipped, in_file)
        # The paused frame labelled again by a model of other classes: its faces start the
        # new rows with no time, as at a Clear, a picture's too (nothing played since).
        self._shown = (result.frame_index, result.source_time)
        again = self._relabelled == self._shown
        if not again:
            self._relabelled = None
        self._add_to_timeline(result, in_file, again)
        self._count_file_end()
        self._dirty = True
        if self.isVisible() and session_length_text(self.timeline.now_s) != self._length_painted:
            # The caption's length turns now, as the seek bar's clock does: painted at once,
            # not up to a repaint later ("session 12 s" beside "0:13"), the pace kept.
            self._repaint_if_changed()
            self._timer.start()
        # Asked per frame only until a face has time; after it, nothing is. Faces of no time
        # (a file's first frame, a paused one a model of other classes labels again) make
        # rows: the tooltip said "no face seen in this session" beside them.
        if not self._has_time and (result.faces or self.timeline.has_time):
            self._update_export_button()

    def _add_to_timeline(self, frame: InferenceResult | SkippedFrame, in_file: bool, again: bool = False) -> None:
        """One frame into the timeline (a skipped one gives no portrait): a jump where its
        run is not the last one's."""
        jumped, self._run = self._run is not None and frame.run != self._run, frame.run
        self.timeline.add(
            frame.source_time,
            frame.faces,
            frame.image if isinstance(frame, InferenceResult) else None,
            picture_s=0.0 if again else frame.picture_s,
            jumped=jumped or again,
            in_file=in_file,
            shown_s=frame.shown_s,
        )
        self._last_added = (frame.run, frame.frame_index, frame.faces)
        self._in_file = in_file

    def end_file(self, end: FileEnd) -> None:
        """A file played to its end, or stopped (Stop): its last frame's faces count on until
        that frame's own end (SessionTimeline.end), as ``analyze --report`` counts them: a
        frame's showing counts once the next one comes, and none follows the last (a GIF's
        last 0.5 s), nor the one a Stop left, paused or playing (its frame interval). Where
        its result has not come yet (the GUI was busy: it comes after the end's news), it
        counts once it does; where it never will (the file opened again before that frame
        was labelled), once the next stream's first frame is added (see :meth:`add`)."""
        self._file_end = end
        self._count_file_end()

    def add_unshown(self, result: InferenceResult) -> None:
        """A result the window does not show, of a stream replaced since it was labelled:
        counted only where it is a file's last frame whose end waits for it (see
        :meth:`end_file`), else dropped. A seek back, Home or a model switch between the
        file's end and that result opens the file again; the frame was played all the same,
        and ``analyze --report`` counts it (a moment of the file counts once, in any order).
        One of a model whose classes the rows no longer have is dropped too (see :meth:`add`)."""
        end = self._file_end
        if end is None or (result.run, result.frame_index) != (end.run, end.frame_index):
            return
        self.add(result, in_file=True)

    def _count_file_end(self, last_frame_lost: bool = False) -> None:
        """Count the pending file end once its last frame is added; ``last_frame_lost``:
        that frame will not come, so from the frame of its run added last (its faces count
        on to the end, as a frame never labelled counts in the one labelled before it). Once."""
        end, last = self._file_end, self._last_added
        if end is None:
            return
        if last_frame_lost:
            self._file_end = None  # nothing more comes for it
            if last is None or last[0] != end.run:
                return
        elif last is None or (last[0], last[1]) != (end.run, end.frame_index):
            return
        self._file_end = None
        self.timeline.end(end.end_s, last[2], in_file=True)
        self._dirty = True
        if not self._has_time and self.timeline.has_time:  # a file of one frame has its time only now
            self._update_export_button()

    def name_person(self, track_id: int) -> None:
        """Ask for the name of the person of ``track_id``; the overlay and the exports
        then call them so (see FaceNames)."""
        person = self.timeline.person(track_id)
        answer = self.ask_name(track_id, person.given_name if person is not None else "")
        if answer is None:
            return
        whole = " ".join(answer.split())  # one line
        # Of a tag's length, cut where a character ends: never an accent off its letter nor half an emoji.
        name = whole[: cut_before(whole, MAX_NAME_CHARS)].rstrip()
        self.timeline.set_name(track_id, name)
        self.name_given.emit(track_id, name)
        self.view.fit_height()  # a wider name column may take the legend a line more
        self.view.tell_chosen()
        self.view.update()

    def _clear_clicked(self) -> None:
        self.clear(keep_shown=True)

    def clear(self, keep_shown: bool = False, keep_names: bool = False) -> None:
        """A new session; ``keep_shown`` (Clear): the faces on screen start it, with rows of
        no time yet (another source's session starts with its own frames). ``keep_names``:
        only the time starts afresh, the names given stay (a file played again from its
        start, whose people keep their ids); ``cleared`` is not sent."""
        self.timeline.reset(keep_names=keep_names)
        self._last_added = self._file_end = None  # an end still to come is of the session before
        self._shown = self._relabelled = None
        shown = self.shown_now() if keep_shown else None
        if shown is not None and shown.faces and tuple(shown.labels) == self.timeline.labels:
            # A paused frame (or a picture) is not delivered again: "No faces yet" sat
            # beside its boxes until the video played on. A file's frame counts its showing
            # for these faces once the next one comes.
            self.timeline.add(
                shown.source_time,
                shown.faces,
                shown.image,
                jumped=True,
                in_file=self._in_file,
                shown_s=shown.shown_s,
            )
            # A Stop's end (a file's too) counts its showing for them, as a seek from it does.
            self._last_added = (shown.run, shown.frame_index, shown.faces)
        self._dirty = True
        self.view.update()
        self.view.tell_chosen()  # at once: the rows just described are gone
        self._update_export_button()
        if not keep_names:
            self.cleared.emit()

    def _repaint_if_changed(self) -> None:
        if self._dirty and self.isVisible():
            self._dirty = False
            self._length_painted = session_length_text(self.timeline.now_s)
            self.view.fit_height()  # rows named (kept over Play again) widen the name column
            self.view.update()
            self.view.follow_changes()

    # ---- export -----------------------------------------------------------------------------
    def export_to(self, folder: Path) -> tuple[Path, Path]:
        """Write ``emotion-timeline.png`` and ``emotion-summary.csv`` into ``folder`` (numbered
        names beside an earlier export's: it is kept); waits for the child process that
        draws them (see :meth:`export_in_background`)."""
        png, csv_path = write_report_in_child(pickled_session(self.timeline), Path(folder), keep_existing=True)
        self.exported.emit(png, csv_path)
        return png, csv_path

    def export_in_background(self, folder: Path) -> None:
        """:meth:`export_to` from a snapshot of the session as it is now, waited for on a
        thread of its own. A child process draws the plot: matplotlib's import and drawing
        are too long for the GUI thread, and on a thread of this process its Python code
        holds the GIL in stretches that stall the GUI thread too (figures:
        docs/measurements.md). ``exported`` or ``export_failed`` follows on the GUI thread.

        A daemon thread, not Qt's global pool: Qt waits for every thread of that pool as
        the application ends, and one removing the child's temporary files from a share that
        no longer answers kept the process from ever exiting (see :meth:`finish_exports`)."""
        session = pickled_session(self.timeline)  # the frames go on changing the panel's own
        folder = Path(folder)
        finished, stop = self._export_finished, self._stop_exports

        def export() -> None:
            outcome: tuple[Path, Path] | str
            try:
                outcome = write_report_in_child(session, folder, keep_existing=True, stop=stop)
            except ReportError as exc:  # each says what failed (write_report_in_child)
                outcome = str(exc)
            except Exception as exc:  # any failure must reach the user, not only the log
                outcome = f"{FAILED}: {type(exc).__name__}: {exc}"
            if stop.is_set():  # the window has closed (or is closing): only the log is left to tell
                news = outcome if isinstance(outcome, str) else f"exported {outcome[0]} and {outcome[1]}"
                log.warning("after the window closed, the session timeline export into %s: %s", folder, news)
                return
            try:
                finished.emit(outcome)
            except RuntimeError:  # the panel was deleted (its window closed) meanwhile
                pass

        thread = threading.Thread(target=export, name="timeline export", daemon=True)
        try:
            thread.start()
        except RuntimeError:  # no thread to be had
            self.export_failed.emit(f"{FAILED}: no thread could be started to wait for it")
            return
        self._export_threads[thread] = folder
        self._exporting = True
        self._update_export_button()

    def finish_exports(self, wait_s: float = EXPORT_EXIT_WAIT_S) -> list[Path]:
        """The window is closing: an export still drawing is waited for briefly, then left to
        finish on its own (its child process writes the files whole or not at all); one whose
        thread has not ended within ``wait_s`` (its folder does not answer) is left too. Returns
        the folders of those left, each also logged (on stderr by default)."""
        self._stop_exports.set()
        deadline = time.monotonic() + wait_s
        left: list[Path] = []
        for thread, folder in list(self._export_threads.items()):
            # In slices: a second Ctrl+C's handler runs only between them (gui/quitting).
            while thread.is_alive() and time.monotonic() < deadline:
                thread.join(min(WAIT_SLICE_S, max(0.0, deadline - time.monotonic())))
            if thread.is_alive():
                left.append(folder)
                log.warning(
                    "%s (the export had not ended %.0f s after the window closed: its folder is not answering?)",
                    _not_exported(folder),
                    wait_s,
                )
        return left

    def exports_left(self) -> list[str]:
        """The exports still running, as :meth:`finish_exports` names one it leaves."""
        return [_not_exported(folder) for thread, folder in list(self._export_threads.items()) if thread.is_alive()]

    def set_source_active(self, active: bool) -> None:
        """Whether the source runs (playing or paused) or is on its way, so that frames may
        come to count the faces shown; not for one finished, stopped or failed."""
        if active != self._source_active:
            self._source_active = active
            self._update_export_button()

    def _update_export_button(self) -> None:
        """Export is offered only with something to export (a face with time) and no export
        drawing: an empty session wrote a plot of nobody "over the last 0.0 s", and rows of
        no time yet a CSV of 0 s. The tooltip says why not, and asks to play on only where
        something can."""
        self._has_time = self.timeline.has_time
        if self._exporting:
            enabled, tip = False, EXPORTING_TIP
        elif not self._has_time and not self.timeline.people():
            enabled, tip = False, NOTHING_TO_EXPORT_TIP
        elif not self._has_time:
            enabled, tip = False, NO_TIME_YET_TIP if self._source_active else NO_TIME_STOPPED_TIP
        else:
            enabled, tip = True, EXPORT_TIP
        self.export_button.setEnabled(enabled)
        self.export_button.setToolTip(tip)
        self.export_button.setAccessibleDescription(tip)

    def _on_export_finished(self, outcome: tuple[Path, Path] | str) -> None:
        self._export_threads = {thread: folder for thread, folder in self._export_threads.items() if thread.is_alive()}
        self._exporting = False
        self._update_export_button()
        if isinstance(outcome, str):
            self.export_failed.emit(outcome)
        else:
            self.exported.emit(*outcome)

    def _export_clicked(self) -> None:
        folder = self.ask_folder()
        # A new source while the dialog was up cleared the session: nothing left to export.
        if folder and self._has_time:
            self.export_in_background(Path(folder))
