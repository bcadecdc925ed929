"""Where the timeline panel sits in the window: the side it docks at or floating, its
width at a side or height at the top or bottom, where it floated last, and whether it
shows, all as at the last close (remembered in the settings); moved to a side, it takes two
fifths of the window; floated the first time, it goes beside the window (see
:mod:`float_place`); docked at the top or bottom, the height its view shares with the
video (which sizes the legend's lines). Keys float it, dock it at a side and take the
keyboard there and back (View menu): floating, it is a window of its own, which Tab never
reaches. The window owns one, made once its central widget is set; the panel's contents
(the timeline, names, exports) are the panel's own."""

from __future__ import annotations

from PyQt6 import sip
from PyQt6.QtCore import QEvent, QMargins, QObject, QPoint, QRect, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QResizeEvent
from PyQt6.QtWidgets import QApplication, QMainWindow, QMenuBar, QWidget

from .float_place import first_float_place
from .settings import AppSettings
from .timeline_panel import TimelinePanel

# The sides the timeline panel docks at, by the names settings_values.TIMELINE_SIDES stores.
_DOCK_AREAS = {
    "bottom": Qt.DockWidgetArea.BottomDockWidgetArea,
    "left": Qt.DockWidgetArea.LeftDockWidgetArea,
    "right": Qt.DockWidgetArea.RightDockWidgetArea,
    "top": Qt.DockWidgetArea.TopDockWidgetArea,
}
_SIDES = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea)


class TimelineDock(QObject):
    """Puts ``panel`` where the settings say, and keeps them told of where the user moves
    it; a child of ``window`` (what it sizes by), so a sizing queued for after a layout
    never runs on a window gone since. ``video``: the window's picture, which a panel
    floated first with no room beside the window is inset over."""

    # Wherever it went (keys, a drag, its float button): whether it floats, and the side it
    # is docked at (floating, the side it docks back at), by TIMELINE_PLACES' names.
    moved = pyqtSignal(bool, str)

    def __init__(self, window: QMainWindow, panel: TimelinePanel, settings: AppSettings, video: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._panel = panel
        self._settings = settings
        self._video = video
        self._closed = False  # see remember_at_close
        # Whether the panel has a place to float at: floated in this run (Qt then floats it
        # there again), or one saved from a run before; else Qt floats it over its dock.
        self._has_float_place = False
        # Whether it has floated in this run: Qt then keeps where, newer than any place stored.
        self._floated = settings.timeline_place == "floating"
        # The window's control the keyboard came into the panel from last (by F6, Tab or a
        # click), for F6 to take it back to; the one it was in last outside the panel; and
        # whether it is in the panel now.
        self._keyboard_left: QWidget | None = None
        self._keyboard_outside: QWidget | None = None
        self._keyboard_in_panel = False
        self._keyboard_was_floating = False  # the floating panel had the keyboard last
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._follow_keyboard)
        place = settings.timeline_place
        floating = place == "floating"
        # Floating, the place names no side: the one it docks back at is stored beside it.
        side = settings.timeline_side if floating else place
        window.addDockWidget(_DOCK_AREAS[side], panel)
        panel.setFloating(floating)
        self._restore_size()
        panel.setVisible(settings.show_timeline)
        # Only now: the placing above (a float for a moment among it) is no move of the user's.
        panel.visibilityChanged.connect(self._remember_visibility)
        panel.dockLocationChanged.connect(self._fit_to_side)
        panel.dockLocationChanged.connect(self._remember_place)
        panel.topLevelChanged.connect(self._place_first_float)
        panel.topLevelChanged.connect(self._remember_place)
        panel.dockLocationChanged.connect(self._tell_moved)
        panel.topLevelChanged.connect(self._tell_moved)
        panel.visibilityChanged.connect(self._keyboard_back_from_hidden)
        # The height the timeline's view and the video share changes as either is resized;
        # read once the layout has sized both (see eventFilter).
        self._share_once_laid_out = QTimer(self)
        self._share_once_laid_out.setSingleShot(True)
        self._share_once_laid_out.setInterval(0)
        self._share_once_laid_out.timeout.connect(self._share_height)
        panel.dockLocationChanged.connect(self._share_height)
        panel.topLevelChanged.connect(self._share_height)
        video.installEventFilter(self)
        panel.view.installEventFilter(self)
        panel.installEventFilter(self)  # its moves while floating (see _note_float_place)
        self._share_height()

    @property
    def floating(self) -> bool:
        return self._panel.isFloating()

    @property
    def side(self) -> str:
        """The side the panel is docked at, or docks back at while it floats."""
        area = self._window.dockWidgetArea(self._panel)
        return next((name for name, known in _DOCK_AREAS.items() if known == area), "bottom")

    def set_floating(self, floating: bool) -> None:
        """Float the panel in a window of its own, or dock it back at its side, shown
        either way; the keyboard, where it was on the panel, goes with it. As its float
        button does: floated first, it goes beside the window (_place_first_float)."""
        panel = self._panel
        keyboard, came_from = self._keyboard_on_panel(), (self._keyboard_left, self._keyboard_outside)
        if floating:
            panel.show()  # floated from its place in the dock, as by its float button
            if not panel.isFloating():
                panel.setFloating(True)
        else:
            if panel.isFloating():
                panel.setFloating(False)
            panel.show()  # docked first: a hidden panel's window never shows
        self._keyboard_along(keyboard, came_from)

    def dock_at(self, side: str) -> None:
        """Dock the panel at ``side`` ("bottom", "left", "right" or "top"), shown, floating
        or not before; the keyboard, where it was on the panel, goes with it."""
        panel, area = self._panel, _DOCK_AREAS[side]
        keyboard, came_from = self._keyboard_on_panel(), (self._keyboard_left, self._keyboard_outside)
        if self._window.dockWidgetArea(panel) != area:
            self._window.addDockWidget(area, panel)  # a floating panel floats on, to dock there
        if panel.isFloating():
            panel.setFloating(False)
        panel.show()  # docked first: a hidden panel's window never shows
        self._keyboard_along(keyboard, came_from)

    def _keyboard_along(self, keyboard: QWidget | None, came_from: tuple[QWidget | None, QWidget | None]) -> None:
        """``keyboard``, the panel's control that had it before the panel moved, has it
        again, and F6 goes back from it where it went before the move (``came_from``: the
        control it came into the panel from, and the one it was in last outside): the move
        handed the window's keyboard on for a moment (to the video, as a Tab would), which
        was no leaving of the panel's."""
        if keyboard is not None:
            self._keyboard_to_panel(keyboard)
            self._keyboard_left, self._keyboard_outside = came_from
            self._keyboard_in_panel = True

    def keyboard_there_and_back(self) -> None:
        """F6: the keyboard to the panel's rows (shown, and its window brought up where it
        floats), or, from the panel, back to the window's control it came into the panel
        from last, by F6, Tab or a click (else the video). Tab never reaches a floating
        panel, nor leaves one."""
        panel = self._panel
        if self._keyboard_on_panel() is not None:
            self._keyboard_back()
            return
        focused = QApplication.focusWidget()
        self._keyboard_left = focused if focused is not None and self._kept(focused) else None
        panel.show()
        self._keyboard_to_panel(panel.view)

    def _kept(self, control: QWidget) -> bool:
        """Whether ``control``, the window's, outside the panel, is one to give the keyboard
        back to: only one made from Python, as sip knows when Qt deletes those."""
        return sip.ispycreated(control) and control.window() is self._window and not self._on_panel(control)

    def _on_panel(self, control: QWidget) -> bool:
        return control is self._panel or self._panel.isAncestorOf(control)

    def _keyboard_on_panel(self) -> QWidget | None:
        """The control of the panel's that has the keyboard, if one has."""
        focused = QApplication.focusWidget()
        return focused if focused is not None and self._on_panel(focused) else None

    def _keyboard_to_panel(self, control: QWidget) -> None:
        """``control`` of the panel's gets the keyboard, in the panel's window where it floats."""
        if self._panel.isFloating():
            self._panel.raise_()
            self._panel.activateWindow()
        else:
            self._bring_up_window()
        # Given so, the control shows it has the keyboard (as after Tab), at once or once its
        # window is active.
        control.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _keyboard_back(self) -> None:
        back, self._keyboard_left = self._keyboard_left, None
        if back is None or sip.isdeleted(back) or not back.isVisible() or not back.isEnabled():
            back = self._video
        elif back.window() is not self._window or self._panel.isAncestorOf(back):
            back = self._video
        self._bring_up_window()
        back.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _bring_up_window(self) -> None:
        """The window active, first shown again where minimised (full screen or maximised
        as before): where the floating panel stays on screen without it, the keys reach the
        panel, and the keyboard handed to the window would go to one not shown."""
        window = self._window
        if window.isMinimized():
            window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
        window.activateWindow()

    def _follow_keyboard(self, _old: QWidget | None, new: QWidget | None) -> None:
        # None: no window of the app's has it now (the one that had it hidden, another
        # app's chosen); what had it last is what counts.
        if new is None or sip.isdeleted(new):
            return
        on_panel = self._on_panel(new)
        self._keyboard_was_floating = self._panel.isFloating() and on_panel
        if isinstance(new, QMenuBar):
            # Its menus walked by the keys (Alt), it holds the keyboard only till they close
            # and gives it back where it took it from: no leaving of the panel's.
            return
        if on_panel:
            if not self._keyboard_in_panel:
                # Come in, by F6, Tab or a click: F6 goes back where it came from, not where
                # an F6 before came from (the keyboard has left the panel since).
                self._keyboard_left = self._keyboard_outside
            self._keyboard_in_panel = True
        elif new.window() is self._window:
            # Another window's (a dialog, a menu) is none of the panel's comings and goings.
            self._keyboard_outside = new if self._kept(new) else None
            self._keyboard_in_panel = False

    def _keyboard_back_from_hidden(self, visible: bool) -> None:
        """The floating panel hidden with the keyboard in it (T): the keyboard back to the
        window. Else no window had it, and no key did anything, T to show the panel again
        neither."""
        if not visible and self._keyboard_was_floating and self._panel.isFloating():
            # Once Qt is done: docking it hides its window for a moment too.
            QTimer.singleShot(0, self._keyboard_back_if_hidden)

    def _keyboard_back_if_hidden(self) -> None:
        if self._closed or self._panel.isVisible() or not self._keyboard_was_floating:
            return
        self._keyboard_was_floating = False
        # Qt took it from the window it hid: none of the app's has it.
        if QApplication.activeWindow() is None:
            self._keyboard_back()

    def _tell_moved(self) -> None:
        self.moved.emit(self._panel.isFloating(), self.side)

    def remember_at_close(self) -> None:
        """Where the floating panel is and its size, or the docked one's width or height
        and where it floated last in the run (its next float's place), for the next start;
        from here on nothing is remembered (the window's close hides the panel, which is no
        choice of the user's)."""
        self._closed = True
        panel = self._panel
        if panel.isFloating():
            self._settings.timeline_geometry = panel.saveGeometry()
            return
        if panel.isVisible():  # hidden, it may never have been laid out: the stored size is kept
            if self._at_side():
                self._settings.timeline_width = panel.width()
            else:
                self._settings.timeline_height = panel.height()
        if self._floated:
            # Docked back since: its float button floats it there in this run, and the next
            # run's there too (else it went where an older run's close had found it floating).
            self._settings.timeline_geometry = panel.next_float_place()

    def _place_first_float(self, floating: bool) -> None:
        """Floated from the dock with no place floated before (Qt leaves it over its dock,
        hiding the seek bar): beside the window, else inset over the video. One floated
        where it floated before (in this run, or as saved) is left there, and one torn off
        by a drag is the drag's to place."""
        panel = self._panel
        dragged = bool(panel.windowFlags() & Qt.WindowType.X11BypassWindowManagerHint)  # Qt's flag while torn off
        # A first float is told by the dock's own record, not by the panel's place: under
        # X11, Qt floats it grown to its least floating size, so not exactly over its dock.
        first = floating and not self._has_float_place
        self._has_float_place = self._has_float_place or floating
        self._floated = self._floated or floating
        screen = self._window.screen()
        if not first or dragged or screen is None:
            return
        frame, inner = panel.frameGeometry(), panel.geometry()
        # Its title and border, where the platform draws them.
        border = QMargins(
            inner.left() - frame.left(),
            inner.top() - frame.top(),
            frame.right() - inner.right(),
            frame.bottom() - inner.bottom(),
        )
        video = QRect(self._video.mapToGlobal(QPoint(0, 0)), self._video.size())
        minimum = panel.minimumSizeHint().grownBy(border)
        place = first_float_place(
            frame.size(), minimum, self._window.frameGeometry(), video, screen.availableGeometry()
        )
        panel.setGeometry(place.marginsRemoved(border))
        # Qt notes where a panel floats (for its next float) at a resize only: one placed
        # at its own size was floated over its dock again (see TimelinePanel.float_next_at).
        QApplication.sendEvent(panel, QResizeEvent(panel.size(), panel.size()))

    def _fit_to_side(self, area: Qt.DockWidgetArea) -> None:
        """Moved to a side, the timeline takes two fifths of the window (room for a name
        beside each id): Qt gave it the width it asks for at the bottom, over half the
        window, the video squeezed beside it."""
        if area not in _SIDES:
            return
        # Once the move's own layout is done (it would size the panel again).
        QTimer.singleShot(0, self._narrow_at_side)

    def _narrow_at_side(self) -> None:
        if self._at_side():
            width = max(self._panel.minimumSizeHint().width(), self._window.width() * 2 // 5)
            self._window.resizeDocks([self._panel], [width], Qt.Orientation.Horizontal)

    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:  # noqa: N802 (Qt's name)
        """The video or the timeline's view resized: the height they share is told again, once
        the layout has sized both. Told at once, amid a layout that had resized the video but
        not yet the view, the sum held the view's old height: a least height lowered was
        raised again, and the two flipped forever in a window left at one size. The panel
        moved: see _note_float_place."""
        if event is None:
            return False
        if watched is self._panel:
            if event.type() == QEvent.Type.Move:
                self._note_float_place()
        elif event.type() == QEvent.Type.Resize:
            self._share_once_laid_out.start()
        return False

    def _note_float_place(self) -> None:
        """The floating panel moved (its window's title dragged): Qt notes where it floats,
        for its next float, at a resize only, so one moved, docked back and floated again
        went where it floated before the move, in the run and in the next (its place read
        at a docked close, TimelinePanel.next_float_place). Told of a resize, it notes it."""
        panel = self._panel
        # Torn off by a drag of its title (Qt's flag while torn off under X11, or the mouse
        # Qt holds for such a drag elsewhere): a spot on the way, which the drag places.
        dragged = bool(panel.windowFlags() & Qt.WindowType.X11BypassWindowManagerHint)
        if panel.isFloating() and not dragged and QWidget.mouseGrabber() is not panel:
            QApplication.sendEvent(panel, QResizeEvent(panel.size(), panel.size()))

    def _share_height(self) -> None:
        """Docked at the top or bottom, tells the timeline's view the height it and the video
        share (their heights together: the panel's buttons and title, the messages and the
        seek bar keep theirs), by which its least height is fitted (TimelineView.fit_height);
        0 until both are laid out, its least then the smaller. At a side or floating, none."""
        panel, view = self._panel, self._panel.view
        across = (Qt.DockWidgetArea.TopDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea)
        if panel.isFloating() or self._window.dockWidgetArea(panel) not in across:
            view.set_height_shared(None)
        elif panel.isVisible() and self._video.isVisible():
            view.set_height_shared(float(view.height() + self._video.height()))
        else:
            view.set_height_shared(0.0)

    def _remember_visibility(self, visible: bool) -> None:
        if not self._closed:
            self._settings.show_timeline = visible

    def _remember_place(self) -> None:
        """Docked at a side (or floating, and the side it docks back at) is where the panel
        opens next time."""
        if not self._closed:
            self._settings.timeline_place = "floating" if self._panel.isFloating() else self.side
            self._settings.timeline_side = self.side

    def _restore_size(self) -> None:
        """The panel as at the last close: floating, where it floated and its size (Qt
        brings one saved on a screen gone since onto one there is, as for the window
        itself); docked, its width at a side or height at the top or bottom, and where it
        floated last is where its float button (or a double-click on its title) floats it."""
        panel = self._panel
        saved = self._settings.timeline_geometry
        if not panel.isFloating():
            # Once the window's first layout is done (it would size the panel again).
            QTimer.singleShot(0, self._restore_docked_size)
            if saved is not None:
                self._has_float_place = panel.float_next_at(saved)
                if not self._has_float_place:
                    self._settings.timeline_geometry_refused()
            return
        self._has_float_place = True  # floating now: where it floats is Qt's to keep
        if saved is not None and not panel.restoreGeometry(saved):
            self._settings.timeline_geometry_refused()

    def _restore_docked_size(self) -> None:
        if self._panel.isFloating():
            return
        at_side = self._at_side()
        size = self._settings.timeline_width if at_side else self._settings.timeline_height
        if size is None:
            self._narrow_at_side()  # none stored: as a move to a side sizes it
        else:
            across = Qt.Orientation.Horizontal if at_side else Qt.Orientation.Vertical
            self._window.resizeDocks([self._panel], [size], across)

    def _at_side(self) -> bool:
        return self._window.dockWidgetArea(self._panel) in _SIDES
