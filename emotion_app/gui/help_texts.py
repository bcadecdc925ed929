"""The Help menu's texts: the keyboard shortcuts (F1), read off the window's actions, and
About's, with the app's version and the model in use. The window shows them."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from pathlib import Path

from PyQt6.QtCore import QObject, QUrl
from PyQt6.QtGui import QAction, QKeySequence
from PyQt6.QtWidgets import QMainWindow, QMenu, QMenuBar

from .background_exists import BackgroundExists
from .identity import APPLICATION
from .messages import ModelStatus
from .mnemonics import plain

# What Space does, whatever word its button shows now ("Pause", "Play", "Stop"): the
# shortcut list names the key by this, not by that word.
PLAY_PAUSE_IN_GENERAL = "Play / pause a file; start / stop a camera or screen"


def shortcuts_text(window: QMainWindow, play_pause_action: QAction, beside: Mapping[QAction, QAction]) -> str:
    """The keys of ``window``'s actions with what they do, as an HTML table, and the keys
    of its widgets' own; ``play_pause_action`` (Space) is named in general.

    Listed as the menu bar shows them, under each menu's title: sorted by what they do,
    they read Left, Right, F11, F1, Esc…, in no order a user could follow. An action no
    menu shows comes after the one ``beside`` names for it (Esc after F11), else last."""
    in_general = {play_pause_action: PLAY_PAUSE_IN_GENERAL}  # its text is the word of the moment
    keyed = [action for action in window.findChildren(QAction) if _keys(action) and action.text()]
    bar = window.menuBar()
    groups = [(plain(menu.title()), _in_menu_order(menu)) for menu in _menus(bar)] if bar is not None else []
    listed = {action for _, actions in groups for action in actions}
    left = [action for action in keyed if action not in listed]
    for _, actions in groups:
        for action in [action for action in left if beside.get(action) in actions]:
            actions.insert(actions.index(beside[action]) + 1, action)
            left.remove(action)
    groups.append(("Other", left))
    lines = ""
    for title, actions in groups:
        rows = [action for action in actions if action in keyed]
        if rows:
            # Set apart from the group above: in bold alone, a title read as one more key.
            space = ' style="padding-top: 8px"' if lines else ""
            lines += f'<tr><th colspan="2" align="left"{space}><u>{html.escape(title)}</u></th></tr>'
        for action in rows:
            # Its What's This, where it has one, says more than its menu's word.
            name = in_general.get(action) or action.whatsThis() or plain(action.text()).rstrip("…")
            lines += f"<tr><td><b>{_keys(action)}</b>&nbsp;&nbsp;</td><td>{name}</td></tr>"
    # Keys of a widget's own, not of a menu action, so the table above cannot list them.
    return (
        f"<table>{lines}</table><p>Tab and Shift+Tab go from control to control. Space, Left, Right and Home "
        "work whichever control has the focus; Enter presses the button that has it.</p>"
        "<p>On the seek bar, Up and Down go a frame, Page Up and Page Down ten, and End to the last frame.</p>"
        "<p>In the session timeline, Up and Down choose a person (those its rows have no room for too) "
        "and Enter or F2 names them.</p>"
        "<p>Over a part of a screen to choose (File &gt; Capture screen), the arrow keys move a frame, "
        "Shift+arrows size it, Ctrl+arrows go a pixel at a time and Enter chooses it; Esc cancels.</p>"
        # A submenu has no key of its own to list in the table above.
        "<p>File &gt; Camera lists the cameras, as the toolbar's list does: Alt+F, M, then a camera's number.</p>"
        "<p>View &gt; Dock the timeline at puts the session timeline at a side of the window: Alt+V, A, then "
        "B, L, R or T (bottom, left, right, top).</p>"
    )


def _keys(action: QAction) -> str:
    return action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)


def _menus(bar: QMenuBar) -> list[QMenu]:
    return [menu for action in bar.actions() if (menu := action.menu()) is not None]


def _in_menu_order(menu: QMenu) -> list[QAction]:
    """``menu``'s entries and its submenus', as it shows them."""
    actions: list[QAction] = []
    for action in menu.actions():
        opened = action.menu()
        actions += _in_menu_order(opened) if opened is not None else [action]
    return actions


class AboutText:
    """About's text. The model in use is named with a link to its card's known limits when
    it has a card, looked for off the GUI thread as the model loads (:meth:`look_for_card`):
    About never stats a file on a share that may have gone."""

    def __init__(self, parent: QObject) -> None:
        self._cards = BackgroundExists(parent)  # whether the model in use has a card

    def look_for_card(self, weights: Path) -> None:
        """Find out, off the GUI thread, whether ``weights`` has a card."""
        self._cards.check([str(card_of(weights))])

    def text(self, status: ModelStatus | None) -> str:
        """The app, its version and the model of ``status`` (None: none loaded yet)."""
        model = "No emotion model loaded."
        if status is not None and status.active_weights is not None:
            weights = status.active_weights
            card = card_of(weights)
            limits = (
                f' Its card: <a href="{QUrl.fromLocalFile(str(card)).toString()}#known-limits">known limits</a>.'
                if self._cards.last_answer(str(card))  # looked for off the GUI thread as it loaded
                else ""
            )
            # The file's name and its card's labels are text, never markup (a card could plant links).
            model = (
                f"Model: <b>{html.escape(weights.name)}</b> ({status.inference_mode or 'eager'}), classes in output "
                f"order: {html.escape(', '.join(status.labels))}.{limits}"
            )
        return (
            f"<h3>{APPLICATION} {app_version()}</h3>"
            "<p>Real-time facial-emotion recognition from a camera, a screen, a video or images. Emotions are "
            "guessed from a face's appearance only; they are not what a person feels.</p>"
            f"<p>{model}</p>"
        )


def app_version() -> str:
    """The version in pyproject.toml (a source checkout), else the installed package's."""
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    try:
        # The first `version = "..."`: the [project] table's (tomllib needs Python 3.11).
        found = re.search(r'^version\s*=\s*"([^"]+)"', pyproject.read_text(encoding="utf-8"), re.MULTILINE)
        if found:
            return found.group(1)
    except OSError:
        pass
    try:
        from importlib.metadata import PackageNotFoundError, version

        return version("emotion-app")
    except PackageNotFoundError:
        return "(version unknown)"


def card_of(weights: Path) -> Path:
    """The model card (README.md) beside a weights file, if it has one."""
    return weights.parent / "README.md"
