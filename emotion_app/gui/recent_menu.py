"""File > Open recent: the files and folders opened lately, newest first, one that is
gone greyed out. Whether each is there is asked off the GUI thread (see
:mod:`emotion_app.io.existence`): a recent file on a dead network share must not freeze
the window, at start-up or later; until its answer comes an entry stays as it was."""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtWidgets import QMenu, QWidget

from emotion_app.io.existence import ExistenceChecks


class RecentMenu(QMenu):
    """Shows the paths it is given at once, and greys out each one found missing."""

    file_chosen = pyqtSignal(str)
    clear_chosen = pyqtSignal()
    _answered = pyqtSignal(str, bool)  # emitted on a checking thread

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Open recent", parent)
        # The last answer for each path, so a list shown again starts from it.
        self._exists: dict[str, bool] = {}
        # Queued: the answers come on the checking threads; the menu changes on its own.
        self._answered.connect(self._on_answered, Qt.ConnectionType.QueuedConnection)  # type: ignore[call-arg]
        self._checks = ExistenceChecks(self._post)

    def show_paths(self, paths: list[str]) -> None:
        """List ``paths`` (newest first) now, and ask again whether each is there."""
        self.clear()
        for path in paths:
            action = self.addAction(Path(path).name or path)
            assert action is not None
            action.setToolTip(path)
            action.setData(path)
            action.setEnabled(self._exists.get(path, True))
            action.triggered.connect(lambda _checked=False, chosen=path: self.file_chosen.emit(chosen))
        if not paths:
            empty = self.addAction("No recent files")
            assert empty is not None
            empty.setEnabled(False)
        self.addSeparator()
        clear = self.addAction("Clear the list")
        assert clear is not None
        clear.setEnabled(bool(paths))
        clear.triggered.connect(self.clear_chosen.emit)
        self._checks.check(paths)

    def _post(self, path: str, exists: bool) -> None:
        try:
            self._answered.emit(path, exists)
        except RuntimeError:  # the menu went with its window while the check waited
            pass

    def _on_answered(self, path: str, exists: bool) -> None:
        self._exists[path] = exists
        for action in self.actions():
            if action.data() == path:
                action.setEnabled(exists)
