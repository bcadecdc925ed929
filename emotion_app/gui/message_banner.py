"""A banner above the video for problems and their remedies (retry, open a file...)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

from PyQt6.QtCore import QElapsedTimer, QEvent, QObject, QSize, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QClipboard, QGuiApplication, QResizeEvent
from PyQt6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpacerItem,
    QVBoxLayout,
    QWidget,
)

_STYLES = {
    "info": "background:#1e3a5f; color:#e8f0fe;",
    "warning": "background:#5f4b1e; color:#fff4e0;",
    "error": "background:#5f1e24; color:#fde8ea;",
}

ZERO_WIDTH_SPACE = "\u200b"
ZERO_WIDTH_JOINER = "\u200d"
# Qt wraps a label only between words: a run of characters longer than this (a path, a file
# name with underscores) gets places to wrap after its separators, or every so many
# characters: about 100-180 px of text, less than the label has in the smallest window.
LONGEST_RUN = 16
_SEPARATORS = "/\\_.-"
# The least width a message's text keeps beside its buttons (about 35 characters a line);
# in a narrower banner the buttons go below the text.
LEAST_TEXT_PX = 240
# A new message is kept in view through the layout passes that make room for it, for this
# long after it shows: on a busy machine they take several turns of the event loop (the
# scroll bar that appears narrows the messages, which grow taller and move the new one).
FOLLOW_NEWEST_MS = 1000
_LONG_RUN = re.compile(rf"[^\s{ZERO_WIDTH_SPACE}]{{{LONGEST_RUN + 1},}}")


def breakable(text: str) -> str:
    """``text`` with a zero-width space where a long run may wrap: after a separator, or
    after :data:`LONGEST_RUN` characters without one. It looks the same unwrapped."""

    def split(run: re.Match[str]) -> str:
        pieces: list[str] = []
        since = 0
        chars = run.group()
        for at, char in enumerate(chars):
            pieces.append(char)
            since += 1
            following = chars[at + 1] if at + 1 < len(chars) else ""
            if (char in _SEPARATORS or since >= LONGEST_RUN) and not _holds_on(char, following):
                pieces.append(ZERO_WIDTH_SPACE)
                since = 0
        return "".join(pieces).rstrip(ZERO_WIDTH_SPACE)

    return _LONG_RUN.sub(split, text)


def _holds_on(char: str, following: str) -> bool:
    """Whether ``following`` belongs with ``char`` in one letter: an accent written after
    its letter (as a Mac writes file names), or either side of a zero-width joiner. No line
    breaks between them, so a zero-width space there would be no place to wrap."""
    return bool(following) and (
        unicodedata.category(following).startswith("M") or ZERO_WIDTH_JOINER in (char, following)
    )


class _MessageLabel(QLabel):
    """A message that wraps even inside a long path: shown with zero-width spaces in its
    long runs (:func:`breakable`), copied as written (a pasted path must open)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)  # a file name is never read as markup
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._message = ""
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.changed.connect(self._copied)

    def set_message(self, text: str) -> None:
        self._message = text
        self.setText(breakable(text))

    def message(self) -> str:
        return self._message

    def _copied(self, mode: QClipboard.Mode) -> None:
        # Ctrl+C, the context menu's Copy and X11's selection all copy the text shown:
        # what came from this label's selection is put back without the spaces added.
        clipboard = QGuiApplication.clipboard()
        if clipboard is None or not self.hasSelectedText():
            return
        copied = clipboard.text(mode)
        if ZERO_WIDTH_SPACE in copied and copied == self.selectedText():
            clipboard.setText(copied.replace(ZERO_WIDTH_SPACE, ""), mode)


class MessageBanner(QFrame):
    """Shows one message at a time with its action buttons; hidden when there is none."""

    message_shown = pyqtSignal()  # a new message, so its :class:`MessageArea` brings it into view
    # The user dismissed the message (its ✕), with the tag it was put up with: unlike a
    # message taken away by the app, one the user has read and turned down.
    closed = pyqtSignal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBanner")
        self.setAccessibleName("Message")
        self._label = _MessageLabel()
        self._layout = QGridLayout(self)
        self._layout.setContentsMargins(10, 6, 6, 6)
        self._layout.addWidget(self._label, 0, 0)
        self._layout.setColumnStretch(0, 1)
        self._button_row = QHBoxLayout()
        self._push_right = QSpacerItem(0, 0)  # right-aligns the buttons below the text
        self._button_row.addSpacerItem(self._push_right)
        self._buttons_below = True
        self._place_buttons(below=False)
        self._buttons: list[QPushButton] = []
        self._level = "info"
        self._tag = ""
        self.hide()

    def show_message(
        self,
        text: str,
        level: str = "info",
        actions: list[tuple[str, Callable[[], None]]] | None = None,
        tag: str = "",
    ) -> None:
        """Replace the message; each action is a button (label, callback). ``tag``: what put
        the message up, for whoever takes it away again (see :attr:`tag`)."""
        self._clear_buttons()
        self._level = level
        self._tag = tag
        self._label.set_message(text)
        self.setStyleSheet(
            f"QFrame#messageBanner {{{_STYLES.get(level, _STYLES['info'])} border-radius:4px;}}"
            "QFrame#messageBanner QLabel { background: transparent; }"
        )
        for caption, callback in actions or []:
            button = QPushButton(caption, self)
            button.clicked.connect(lambda _checked=False, cb=callback: cb())
            self._button_row.addWidget(button)
            self._buttons.append(button)
        close = QPushButton("✕", self)
        close.setToolTip("Dismiss")
        close.setAccessibleName("Dismiss message")  # a screen reader would read its "✕" as a letter
        close.setFlat(True)
        close.setFixedWidth(28)
        close.clicked.connect(self._close)
        self._button_row.addWidget(close)
        self._buttons.append(close)
        for button in self._buttons:
            # Enter presses it: Space plays and pauses whatever has the keyboard (PlayerKeys),
            # and a push button outside a dialog takes Enter only so.
            button.setAutoDefault(True)
        self._place_buttons(self._buttons_need_row(self.width()))
        self.show()
        self.message_shown.emit()

    def dismiss(self) -> None:
        self._clear_buttons()
        self._tag = ""
        self._label.set_message("")
        self.hide()

    def _close(self) -> None:
        tag = self.tag
        self.dismiss()
        self.closed.emit(tag)

    @property
    def tag(self) -> str:
        """The tag the message shown was put up with ("" for none, or when hidden): one who
        takes their own message away checks it is still theirs, not by its wording, which
        another message may share."""
        return "" if self.isHidden() else self._tag

    def text(self) -> str:
        """The message shown, or "" when the banner is hidden."""
        return "" if self.isHidden() else self._label.message()

    @property
    def level(self) -> str:
        return self._level

    def button_captions(self) -> list[str]:
        return [button.text() for button in self._buttons]

    def buttons(self) -> list[QPushButton]:
        """The message's buttons, as shown left to right, its ✕ last (none when hidden)."""
        return list(self._buttons)

    def button(self, caption: str) -> QPushButton | None:
        for button in self._buttons:
            if button.text() == caption:
                return button
        return None

    def resizeEvent(self, event: QResizeEvent | None) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._place_buttons(self._buttons_need_row(self.width()))

    def _buttons_need_row(self, width: int) -> bool:
        """Whether beside the buttons the text would have less than :data:`LEAST_TEXT_PX`."""
        margins = self._layout.contentsMargins()
        beside = width - margins.left() - margins.right() - self._layout.horizontalSpacing()
        return bool(self._buttons) and beside - self._button_row.sizeHint().width() < LEAST_TEXT_PX

    def _place_buttons(self, below: bool) -> None:
        # Beside the text where it keeps LEAST_TEXT_PX, else on a row of their own under it
        # (the banner's height for its width then changes, and the window lays it out anew).
        if below == self._buttons_below:
            return
        self._buttons_below = below
        self._layout.removeItem(self._button_row)
        if below:
            self._layout.addLayout(self._button_row, 1, 0)
        else:
            self._layout.addLayout(self._button_row, 0, 1, Qt.AlignmentFlag.AlignVCenter)
        self._push_right.changeSize(0, 0, QSizePolicy.Policy.Expanding if below else QSizePolicy.Policy.Fixed)
        self._button_row.invalidate()

    def _clear_buttons(self) -> None:
        for button in self._buttons:
            self._button_row.removeWidget(button)
            button.deleteLater()
        self._buttons.clear()


class MessageArea(QScrollArea):
    """The banners, one above the other over the video: as tall as their messages where the
    window has room, else as tall as the room the video leaves, and scrolled. Laid out
    directly, three long messages in the smallest window were squeezed below their height,
    their last lines cut off; hidden while no banner shows."""

    def __init__(self, banners: Sequence[MessageBanner], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        # A message wraps to the width it has (see breakable): it never needs to scroll sideways.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Not a Tab stop of its own: Tab goes through the banners' buttons (and scrolls to them).
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        content = QWidget(self)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self._banners = list(banners)
        # A new message is scrolled to once the layout has made room for it; the timer is
        # the area's own, so it cannot fire after the window is gone.
        self._newest: MessageBanner | None = None
        self._scroll_to_newest = QTimer(self)
        self._scroll_to_newest.setSingleShot(True)
        self._scroll_to_newest.setInterval(0)
        self._scroll_to_newest.timeout.connect(self._bring_newest_into_view)
        self._since_newest = QElapsedTimer()
        for banner in self._banners:
            layout.addWidget(banner)
            banner.installEventFilter(self)
            banner.message_shown.connect(lambda b=banner: self._shown(b))
        layout.addStretch(1)  # what the scroll bar's room adds is left below the messages
        self.setWidget(content)
        content.installEventFilter(self)
        # As tall as the messages, no taller: the video takes the rest.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self._follow_banners()

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt's name)
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt's name)
        # All the messages, whole: the window's layout gives the area that much, and takes
        # from it (the area then scrolls) only when the video would go below its minimum.
        # Measured as narrowed by a scroll bar: once one shows, a line that just fitted
        # wraps, and an area only as tall as the messages without it would keep it for good.
        content, bar = self.widget(), self.verticalScrollBar()
        if content is None:
            return 0
        return content.heightForWidth(width - (bar.sizeHint().width() if bar is not None else 0))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        # As wide as the banners' buttons need (as when they were laid out directly), and
        # room for the scroll bar that shows when they do not fit.
        content = self.widget()
        hint = content.minimumSizeHint() if content is not None else QSize(0, 0)
        bar = self.verticalScrollBar()
        return QSize(hint.width() + (bar.sizeHint().width() if bar is not None else 0), hint.height())

    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:  # noqa: N802 (Qt's name)
        if event is not None and event.type() in (QEvent.Type.ShowToParent, QEvent.Type.HideToParent):
            self._follow_banners()
        elif event is not None and event.type() == QEvent.Type.LayoutRequest and watched is self.widget():
            # A message came, went or changed: the window's layout asks the area's height
            # anew (it keeps the last answer until told).
            self.updateGeometry()
        elif event is not None and event.type() in (QEvent.Type.Resize, QEvent.Type.Move) and self._following():
            self._scroll_to_newest.start()  # the layout moved the new message: after it
        return super().eventFilter(watched, event)

    def _following(self) -> bool:
        """Whether a message shown a moment ago is still being kept in view (FOLLOW_NEWEST_MS)."""
        return self._since_newest.isValid() and self._since_newest.elapsed() < FOLLOW_NEWEST_MS

    def _follow_banners(self) -> None:
        self.setVisible(any(not banner.isHidden() for banner in self._banners))

    def _shown(self, banner: MessageBanner) -> None:
        self._newest = banner
        self._since_newest.start()
        self._scroll_to_newest.start()
        self._tab_top_to_bottom()

    def _tab_top_to_bottom(self) -> None:
        """Tab goes through the banners' buttons as they are shown, top to bottom. Qt puts a
        new button last in line, so a message put up above an older one was reached after it."""
        buttons = [button for banner in self._banners for button in banner.buttons()]
        for before, after in zip(buttons, buttons[1:]):
            QWidget.setTabOrder(before, after)

    def _bring_newest_into_view(self) -> None:
        if self._newest is not None and not self._newest.isHidden():
            self.ensureWidgetVisible(self._newest, 0, 0)
