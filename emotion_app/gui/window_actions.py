"""The main window's actions (each with its text, key and tip), its toolbar and its menus,
in the order they are shown. The window owns one and tells it, through named callbacks,
what each action does; the window keeps its public names for the actions (tests and
scripts press them)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PyQt6.QtCore import QEvent, Qt
from PyQt6.QtGui import QAction, QActionGroup, QKeySequence
from PyQt6.QtWidgets import QComboBox, QLabel, QMainWindow, QToolBar, QWidget

from emotion_app.inference.steadiness import STEADINESS_LEVELS
from emotion_app.sources.screen_capture import Screen

from .camera_menu import CameraMenu
from .camera_picker import CameraDevice, CameraPicker
from .camera_size import CameraSize
from .camera_size_menu import CameraSizeMenu
from .mnemonics import escaped
from .model_menu import ModelMenu
from .player_control import SEEK_STEP_S
from .recent_menu import RecentMenu
from .screen_menu import ScreenMenu

# The sides View > Dock the timeline at docks it at, by TIMELINE_PLACES' names, as the menu lists them.
TIMELINE_SIDES = (("bottom", "&Bottom"), ("left", "&Left"), ("right", "&Right"), ("top", "&Top"))

STEADINESS_TIP = (
    "How calm each face's label is. Off: every frame's own reading (it flickers). "
    "Low, Medium (default), High: a label changes only after other emotions have clearly "
    'beaten it for about 0.2, 0.4 or 0.8 seconds. A label shown with "?" is uncertain.'
)


class WindowActions:
    """The window's actions, made as the window is; :meth:`build_toolbar` and
    :meth:`build_menus` then lay them out (the toolbar's steadiness box and the menus
    that list cameras, screens, recent files, models and camera sizes are made there)."""

    def __init__(
        self,
        window: QMainWindow,
        *,
        app_title: str,
        show_bars: bool,
        timeline_action: QAction,
        float_timeline: Callable[[bool], None],
        dock_timeline: Callable[[str], None],
        keyboard_to_timeline: Callable[[], None],
        toggle_start_stop: Callable[[], None],
        toggle_play_pause: Callable[[], None],
        step: Callable[[int], None],
        restart: Callable[[], None],
        open_video_dialog: Callable[[], None],
        snapshot: Callable[[], None],
        snapshot_dialog: Callable[[], None],
        record_dialog: Callable[[], None],
        open_stream_dialog: Callable[[], None],
        open_folder_dialog: Callable[[], None],
        set_fullscreen: Callable[[bool], None],
        set_mirror: Callable[[bool], None],
        show_details: Callable[[bool], None],
        show_shortcuts: Callable[[], None],
        show_about: Callable[[], None],
        choose_output_folder: Callable[[], None],
        set_show_bars: Callable[[bool], None],
        load_weights_dialog: Callable[[], None],
        refresh_sources: Callable[[], None],
        close: Callable[[], object],
    ) -> None:
        """The actions are the window's children (its shortcut list finds them there);
        ``show_bars``: whether Probability bars starts checked; ``timeline_action``: the
        timeline dock's own toggle, given its text and key here; ``float_timeline``,
        ``dock_timeline`` (a side's name) and ``keyboard_to_timeline`` move the timeline
        panel and the keyboard without a mouse."""
        self._window = window
        make = self._action
        self.start_stop_action = make("Start", toggle_start_stop, tip="Start or stop the camera or video")
        # The Playback menu's entry for it, shown only for a file open (playing, paused or
        # opening): otherwise the Play/Pause entry below it starts and stops (with Space),
        # and "Stop" twice, or "Start" and "Play" that both play a file, read as two things.
        # The toolbar keeps its Start/Stop button, so the menu has an action of its own.
        self.start_stop_menu_action = make("&Start", toggle_start_stop, tip=self.start_stop_action.toolTip())

        self.play_pause_action = make(
            "&Pause",
            toggle_play_pause,
            key=Qt.Key.Key_Space,
            tip="Pause or play a video; start or stop a camera (Space)",
        )
        # The toolbar's button for it, shown for files only. A hidden action loses its
        # shortcut, and a toolbar re-shows a hidden button when it lays itself out again,
        # so the button has an action of its own (no shortcut) that is hidden instead.
        self.play_pause_button_action = make("Pause", toggle_play_pause, tip=self.play_pause_action.toolTip())

        self.step_back_action = make(
            "&Back",
            lambda: step(-1),
            key=Qt.Key.Key_Left,
            tip=f"One frame back when paused, {SEEK_STEP_S:g} s back when playing, a picture in a slide show (Left)",
        )
        self.step_forward_action = make(
            "&Forward",
            lambda: step(1),
            key=Qt.Key.Key_Right,
            tip=f"One frame on when paused, {SEEK_STEP_S:g} s on when playing, a picture in a slide show (Right)",
        )
        # F1's list says how far they go: "Left  Back" alone read as nothing in particular.
        # A slide show moves by a picture, playing too (PlayerControl.step).
        for action, way in ((self.step_back_action, "Back"), (self.step_forward_action, "Forward")):
            action.setWhatsThis(
                f"{way} a frame when paused, {SEEK_STEP_S:g} s while playing (a picture in a slide show)"
            )
        self.restart_action = make("&Restart", restart, key=Qt.Key.Key_Home, tip="Back to the first frame (Home)")

        self.open_video_action = make("&Open video…", open_video_dialog, key=QKeySequence.StandardKey.Open)

        self.snapshot_action = make(
            "&Snapshot",
            snapshot,
            key="Ctrl+S",
            tip="Save the frame on screen with its overlay as PNG into the output folder (Ctrl+S)",
        )
        self.snapshot_as_action = make("S&ave snapshot as…", snapshot_dialog, key="Ctrl+Shift+S")

        # Connected by the window's RecordingControl.
        self.record_action = make(
            "&Record",
            None,
            key="Ctrl+R",
            tip="Record the annotated video and a per-face CSV into the output folder; again to stop (Ctrl+R)",
            checkable=True,
        )
        self.record_as_action = make("Record &to…", record_dialog, key="Ctrl+Shift+R")

        self.open_stream_action = make(
            "Open &network camera…",
            open_stream_dialog,
            key="Ctrl+Shift+O",
            tip="An IP camera or a phone's camera app, by its stream URL (http://…, rtsp://…)",
        )

        self.open_folder_action = make(
            "Open &folder of images…",
            open_folder_dialog,
            tip="Play every image of a folder, in name order, as a slide show",
        )

        self.fullscreen_action = make(
            "&Full screen",
            set_fullscreen,
            key=Qt.Key.Key_F11,
            tip="The video fills the screen (F11; Esc leaves)",
            checkable=True,
        )
        self.leave_fullscreen_action = make("Leave full screen", lambda: set_fullscreen(False), key=Qt.Key.Key_Escape)
        self.leave_fullscreen_action.setEnabled(False)
        window.addAction(self.leave_fullscreen_action)

        self.mirror_action = make(
            "&Mirror view",
            set_mirror,
            key=Qt.Key.Key_M,
            tip=(
                "Show the picture mirrored, like a mirror (M); remembered for cameras and files apart. "
                "Snapshots and recordings are mirrored too, as on screen."
            ),
            checkable=True,
        )

        self.details_action = make(
            "Te&chnical figures",
            show_details,
            tip="Frame rates, latency and dropped frames in the status bar",
            checkable=True,
        )

        self.shortcuts_action = make("&Keyboard shortcuts", show_shortcuts, key=Qt.Key.Key_F1)
        self.about_action = make(f"&About {escaped(app_title)}", show_about)

        self.output_folder_action = make(
            "O&utput folder…", choose_output_folder, tip="Where snapshots, recordings and timeline exports go"
        )

        self.bars_action = make(
            "&Probability bars",
            set_show_bars,
            key=Qt.Key.Key_B,
            tip="Show every class's probability beside each face (B)",
            checkable=True,
            checked=show_bars,
        )

        self.load_weights_action = make("&Load weights…", load_weights_dialog)

        self.timeline_action = timeline_action
        self.timeline_action.setText("Session &timeline")
        self.timeline_action.setShortcut(QKeySequence(Qt.Key.Key_T))
        self.timeline_action.setToolTip("Each person's emotions over the session, and their share of time (T)")

        # A drag or the panel's float button moved it, and a floating panel is a window Tab
        # never reaches: these do both from the keys.
        self.timeline_floating_action = make(
            "Timeline in its own &window",
            None,
            key="Shift+T",
            tip="The session timeline in a window of its own, or docked back in this one (Shift+T)",
            checkable=True,
        )
        self.timeline_floating_action.triggered.connect(float_timeline)  # not at setChecked (show_timeline_place)
        self.timeline_side_actions: dict[str, QAction] = {}
        sides = QActionGroup(window)
        for side, text in TIMELINE_SIDES:
            action = QAction(text, sides)
            action.setCheckable(True)
            action.triggered.connect(lambda _checked=False, chosen=side: dock_timeline(chosen))
            self.timeline_side_actions[side] = action
        self.timeline_keyboard_action = make(
            "&Go to the timeline and back",
            keyboard_to_timeline,
            key=Qt.Key.Key_F6,
            tip="The keyboard to the session timeline, in its own window too, and back (F6)",
        )
        self.timeline_keyboard_action.setWhatsThis("Keyboard to the session timeline and back, in its own window too")

        self.refresh_cameras_action = make("R&efresh cameras and screens", refresh_sources, key=Qt.Key.Key_F5)

        self.quit_action = make("&Quit", close, key=QKeySequence.StandardKey.Quit)

    def _action(
        self,
        text: str,
        on: Callable[..., object] | None,
        *,
        key: Qt.Key | QKeySequence.StandardKey | str | None = None,
        tip: str | None = None,
        checkable: bool = False,
        checked: bool = False,
    ) -> QAction:
        """An action of the window's: ``on`` is called when it is triggered, or, for a
        checkable one, with its new state when it is toggled (after ``checked`` is set, so
        the starting state calls nothing)."""
        action = QAction(text, self._window)
        if key is not None:
            action.setShortcut(QKeySequence(key))
        if tip is not None:
            action.setToolTip(tip)
        if checkable:
            action.setCheckable(True)
            action.setChecked(checked)
        if on is not None:
            (action.toggled if checkable else action.triggered).connect(on)
        return action

    def build_toolbar(self, picker: QWidget) -> QToolBar:
        """The Controls toolbar, with ``picker`` (the camera list) first; makes
        :attr:`steadiness_box`, which the window connects."""
        window = self._window
        toolbar = QToolBar("Controls", window)
        toolbar.setObjectName("controls")
        toolbar.setMovable(False)
        # Each list's label is its buddy: on Linux Qt names a combo box by the item chosen
        # ("Medium"), and a screen reader finds what it is by the label that labels it.
        toolbar.addWidget(_toolbar_label("Camera", picker, spaces_before=1))
        toolbar.addWidget(picker)
        toolbar.addAction(self.start_stop_action)
        toolbar.addAction(self.play_pause_button_action)
        toolbar.addSeparator()
        toolbar.addAction(self.open_video_action)
        toolbar.addAction(self.snapshot_action)
        toolbar.addAction(self.record_action)
        toolbar.addSeparator()
        toolbar.addAction(self.bars_action)
        self.steadiness_box = QComboBox(window)
        for level in STEADINESS_LEVELS:
            self.steadiness_box.addItem(level.capitalize(), level)
        self.steadiness_box.setToolTip(STEADINESS_TIP)
        self.steadiness_box.setAccessibleName("Steadiness")  # as the label beside it says
        self.steadiness_box.setAccessibleDescription(STEADINESS_TIP)
        steadiness_label = _toolbar_label("Steadiness", self.steadiness_box, spaces_before=2)
        steadiness_label.setToolTip(STEADINESS_TIP)
        toolbar.addWidget(steadiness_label)
        toolbar.addWidget(self.steadiness_box)
        window.addToolBar(toolbar)
        self.toolbar = toolbar
        return toolbar

    def build_menus(
        self,
        *,
        picker: CameraPicker,
        choose_camera: Callable[[CameraDevice], None],
        list_screens: Callable[[], list[Screen]],
        weights_dir: Path,
        camera_size: CameraSize | None,
        set_screens: Callable[[list[Screen]], None],
        open_screen: Callable[[int, tuple[int, int, int, int] | None], None],
        screen_failed: Callable[[str], None],
        open_video: Callable[[Path], None],
        clear_recent: Callable[[], None],
        recent_menu_made: Callable[[], None],
        choose_weights: Callable[[Path], None],
        set_steadiness: Callable[[str], None],
        set_camera_size: Callable[[CameraSize | None], None],
    ) -> None:
        """The menu bar: File, Model, View, Playback, Help. File > Camera lists ``picker``'s
        cameras; ``recent_menu_made`` runs once the recent files' menu is in the File menu
        (the window fills it)."""
        window = self._window
        menu_bar = window.menuBar()
        assert menu_bar is not None
        file_menu = menu_bar.addMenu("&File")
        assert file_menu is not None
        file_menu.addAction(self.open_video_action)
        file_menu.addAction(self.open_folder_action)
        # The toolbar's picker's cameras, where the keyboard reaches them from Alt+F.
        self.camera_menu = CameraMenu(picker, window)
        self.camera_menu.camera_chosen.connect(choose_camera)
        file_menu.addMenu(self.camera_menu)
        file_menu.addAction(self.open_stream_action)
        self.screen_menu = ScreenMenu(list_screens, parent=window)
        self.screen_menu.listed.connect(set_screens)
        self.screen_menu.screen_chosen.connect(open_screen)
        self.screen_menu.failed.connect(screen_failed)
        self.screen_menu.rebuild()
        file_menu.addMenu(self.screen_menu)
        self.recent_menu = RecentMenu(window)
        self.recent_menu.file_chosen.connect(open_video)
        self.recent_menu.clear_chosen.connect(clear_recent)
        file_menu.addMenu(self.recent_menu)
        recent_menu_made()
        for action in (
            self.load_weights_action,
            self.snapshot_action,
            self.snapshot_as_action,
            self.record_action,
            self.record_as_action,
            self.output_folder_action,
        ):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        self.model_menu = ModelMenu(self.load_weights_action, window, folder=weights_dir)
        self.model_menu.weights_chosen.connect(choose_weights)
        menu_bar.addMenu(self.model_menu)
        view_menu = menu_bar.addMenu("&View")
        assert view_menu is not None
        playback_menu = menu_bar.addMenu("&Playback")
        assert playback_menu is not None
        # Starting and stopping the source is where pausing and stepping it are, as in a
        # media player; the View menu only changes how the picture is shown.
        playback_menu.addAction(self.start_stop_menu_action)
        playback_menu.addSeparator()  # hidden with the entry above it (a menu drops a leading one)
        for action in (self.play_pause_action, self.step_back_action, self.step_forward_action, self.restart_action):
            playback_menu.addAction(action)
        view_menu.addAction(self.bars_action)
        # Beside the toolbar's control, which a narrow window (its smallest, a laptop at
        # 150%) puts in the toolbar's overflow, out of Tab's reach.
        steadiness_menu = view_menu.addMenu("&Steadiness")
        assert steadiness_menu is not None
        steadiness_menu.setToolTipsVisible(True)
        group = QActionGroup(window)
        self.steadiness_actions: dict[str, QAction] = {}
        for level in STEADINESS_LEVELS:
            action = QAction(f"&{level.capitalize()}", group)
            action.setCheckable(True)
            action.setToolTip(STEADINESS_TIP)
            action.triggered.connect(lambda _checked=False, chosen=level: set_steadiness(chosen))
            steadiness_menu.addAction(action)
            self.steadiness_actions[level] = action
        view_menu.addAction(self.timeline_action)
        view_menu.addAction(self.timeline_floating_action)
        sides_menu = view_menu.addMenu("Dock the timeline &at")
        assert sides_menu is not None
        for action in self.timeline_side_actions.values():
            sides_menu.addAction(action)
        view_menu.addAction(self.timeline_keyboard_action)
        view_menu.addAction(self.refresh_cameras_action)
        self.camera_size_menu = CameraSizeMenu(camera_size, window)
        self.camera_size_menu.size_chosen.connect(set_camera_size)
        view_menu.addMenu(self.camera_size_menu)
        view_menu.addSeparator()
        view_menu.addAction(self.mirror_action)
        view_menu.addAction(self.fullscreen_action)
        view_menu.addAction(self.details_action)
        help_menu = menu_bar.addMenu("&Help")
        assert help_menu is not None
        help_menu.addAction(self.shortcuts_action)
        help_menu.addAction(self.about_action)

    def show_timeline_place(self, floating: bool, side: str) -> None:
        """The View menu ticks where the timeline panel is: in its own window or not, and
        the side it is docked at (floating, the side it docks back at)."""
        self.timeline_floating_action.setChecked(floating)
        self.timeline_side_actions[side].setChecked(True)


def _toolbar_label(text: str, buddy: QWidget, spaces_before: int) -> QLabel:
    """A toolbar list's label, ``buddy``'s: set apart from the control before it by margins
    as wide as ``spaces_before`` spaces (one after), not by spaces in its text, which a
    screen reader read out as its name and the list's (" Camera ")."""
    label = _SpacedLabel(text, spaces_before)
    label.setBuddy(buddy)
    return label


class _SpacedLabel(QLabel):
    """A label with margins a space wide in its font, kept so when its font changes (a
    text size chosen while the app runs), as spaces in its text would be."""

    def __init__(self, text: str, spaces_before: int) -> None:
        super().__init__(text)
        self._spaces_before = spaces_before
        self._set_margins()

    def changeEvent(self, event: QEvent | None) -> None:
        super().changeEvent(event)
        if event is not None and event.type() == QEvent.Type.FontChange:
            self._set_margins()

    def _set_margins(self) -> None:
        space = self.fontMetrics().horizontalAdvance(" ")
        self.setContentsMargins(space * self._spaces_before, 0, space, 0)
