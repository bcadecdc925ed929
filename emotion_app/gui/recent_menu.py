"""File > Open recent: the files and folders opened lately, newest first, one that is
gone greyed out. Whether each is there is asked off the GUI thread (see
:mod:`background_exists`): a recent file on a dead network share must not freeze the
window, at start-up or later; until its answer comes an entry stays as it was."""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import QMenu, QWidget

from .background_exists import BackgroundExists
from .mnemonics import mnemonic, numbered
from .plain_tips import plain_tip

_CLEAR = "&Clear the list"
# Its letter is none of the listed files' keys (a list past nine goes on with letters).
_OWN_KEYS = [key for key in [mnemonic(_CLEAR)] if key is not None]


class RecentMenu(QMenu):
    """Shows the paths it is given at once, and greys out each one found missing."""

    file_chosen = pyqtSignal(str)
    clear_chosen = pyqtSignal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Open r&ecent", parent)
        # The entries name files only; hovering one is how to tell same-named files apart.
        self.setToolTipsVisible(True)
        self._exists = BackgroundExists(self)
        self._exists.answered.connect(self._on_answered)

    def show_paths(self, paths: list[str]) -> None:
        """List ``paths`` (newest first) now, and ask again whether each is there."""
        self.clear()
        for position, path in enumerate(paths, start=1):
            action = self.addAction(numbered(position, Path(path).name or path, _OWN_KEYS))
            assert action is not None
            action.setToolTip(plain_tip(path))
            action.setData(path)
            action.setEnabled(self._exists.last_answer(path) is not False)  # the last answer, till the next
            action.triggered.connect(lambda _checked=False, chosen=path: self.file_chosen.emit(chosen))
        if not paths:
            empty = self.addAction("&No recent files")
            assert empty is not None
            empty.setEnabled(False)
        self.addSeparator()
        clear = self.addAction(_CLEAR)
        assert clear is not None
        clear.setEnabled(bool(paths))
        clear.triggered.connect(self.clear_chosen.emit)
        self._exists.check(paths)

    def _on_answered(self, path: str, exists: bool) -> None:
        for action in self.actions():
            if action.data() == path:
                action.setEnabled(exists)
