"""The Model menu: the weights files in weights/ (name, classes, labels trained on,
validation figure from each card), the one in use (or loading) ticked, plus "Load weights…"."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtGui import QAction, QActionGroup
from PyQt6.QtWidgets import QMenu, QWidget

from ..inference.catalog import WeightsEntry, list_weights
from ..weights import DEFAULT_WEIGHTS_DIR
from .mnemonics import escaped, mnemonic, numbered
from .plain_tips import plain_tip


class ModelMenu(QMenu):
    """Lists the models afresh each time it opens, so files added meanwhile show up."""

    weights_chosen = pyqtSignal(Path)

    def __init__(
        self,
        load_other: QAction,
        parent: QWidget | None = None,
        folder: Path = DEFAULT_WEIGHTS_DIR,
        lister: Callable[[Path], list[WeightsEntry]] = list_weights,
    ) -> None:
        super().__init__("&Model", parent)
        # Each entry's tooltip gives its file, or why an unreadable (greyed) one is not offered.
        self.setToolTipsVisible(True)
        self._folder = folder
        self._lister = lister
        self._load_other = load_other
        self._current: Path | None = None
        self._current_real: Path | None = None  # _current with its links resolved
        self._group = QActionGroup(self)
        self._group.setExclusive(True)
        self.entries: list[WeightsEntry] = []
        self.aboutToShow.connect(self.refresh)
        self.refresh()

    def set_current(self, path: Path | None, resolved: Path | None = None) -> None:
        """Tick the model in use, or the one chosen to replace it while it loads (None: none).

        ``resolved``: ``path`` with its links resolved, as the thread that loaded it found
        it. Without it only a file of the menu's own folder is resolved here: one elsewhere
        may be on a network share whose server has gone, whose stat would block the window
        (it is compared as it is named until its load says where it leads).
        """
        if path != self._current or (resolved is not None and resolved != self._current_real):
            self._current = path
            if resolved is not None:
                self._current_real = resolved
            elif path is not None and path.parent == self._folder:
                self._current_real = _real(path)
            else:
                self._current_real = path
        # Two entries may lead to one file (a link beside its target): the one named is
        # ticked, else the first that leads there (the group is exclusive: the last wins).
        actions = [action for action in self._group.actions() if isinstance(action.data(), Path)]
        named = [action for action in actions if path is not None and action.data() == path]
        same_file = [action for action in actions if path is not None and _real(action.data()) == self._current_real]
        ticked = next(iter(named + same_file), None)
        for action in self._group.actions():
            action.setChecked(action is ticked)

    def model_actions(self) -> list[QAction]:
        return list(self._group.actions())

    def refresh(self) -> None:
        for action in self._group.actions():
            self._group.removeAction(action)
        self.clear()
        self.entries = self._lister(self._folder)
        own_keys = [key for key in [mnemonic(self._load_other.text())] if key is not None]  # "Load weights…"
        for position, entry in enumerate(self.entries, start=1):
            action = QAction(numbered(position, entry.title, own_keys), self)
            action.setCheckable(True)
            action.setData(entry.path)
            if entry.error:
                action.setEnabled(False)
                action.setToolTip(plain_tip(f"Cannot read {entry.path.name}: {entry.error}"))
            else:
                action.setToolTip(plain_tip(f"{entry.path}\nClasses in output order: {', '.join(entry.labels)}"))
                action.triggered.connect(lambda _checked=False, path=entry.path: self.weights_chosen.emit(path))
            self._group.addAction(action)
            self.addAction(action)
        if not self.entries:
            empty = QAction(f"&No weights files in {escaped(str(self._folder))}", self)
            empty.setEnabled(False)
            self.addAction(empty)
        self.addSeparator()
        self.addAction(self._load_other)
        self.set_current(self._current)


def _real(path: Path | None) -> Path | None:
    if path is None:
        return None
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a loop of links, on Python before 3.13
        return path
