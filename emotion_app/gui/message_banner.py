"""A banner above the video for problems and their remedies (retry, open a file...)."""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

_STYLES = {
    "info": "background:#1e3a5f; color:#e8f0fe;",
    "warning": "background:#5f4b1e; color:#fff4e0;",
    "error": "background:#5f1e24; color:#fde8ea;",
}


class MessageBanner(QFrame):
    """Shows one message at a time with its action buttons; hidden when there is none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBanner")
        self._label = QLabel()
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(10, 6, 6, 6)
        self._layout.addWidget(self._label, 1)
        self._buttons: list[QPushButton] = []
        self._level = "info"
        self.hide()

    def show_message(
        self, text: str, level: str = "info", actions: list[tuple[str, Callable[[], None]]] | None = None
    ) -> None:
        """Replace the message; each action is a button (label, callback)."""
        self._clear_buttons()
        self._level = level
        self._label.setText(text)
        self.setStyleSheet(
            f"QFrame#messageBanner {{{_STYLES.get(level, _STYLES['info'])} border-radius:4px;}}"
            "QFrame#messageBanner QLabel { background: transparent; }"
        )
        for caption, callback in actions or []:
            button = QPushButton(caption, self)
            button.clicked.connect(lambda _checked=False, cb=callback: cb())
            self._layout.addWidget(button)
            self._buttons.append(button)
        close = QPushButton("✕", self)
        close.setToolTip("Dismiss")
        close.setFlat(True)
        close.setFixedWidth(28)
        close.clicked.connect(self.dismiss)
        self._layout.addWidget(close)
        self._buttons.append(close)
        self.show()

    def dismiss(self) -> None:
        self._clear_buttons()
        self._label.clear()
        self.hide()

    def text(self) -> str:
        """The message shown, or "" when the banner is hidden."""
        return "" if self.isHidden() else self._label.text()

    @property
    def level(self) -> str:
        return self._level

    def button_captions(self) -> list[str]:
        return [button.text() for button in self._buttons]

    def button(self, caption: str) -> QPushButton | None:
        for button in self._buttons:
            if button.text() == caption:
                return button
        return None

    def _clear_buttons(self) -> None:
        for button in self._buttons:
            self._layout.removeWidget(button)
            button.deleteLater()
        self._buttons.clear()
