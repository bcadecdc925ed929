"""The main window's actions (each with its text, key and tip), its toolbar and its menus,
in the order they are shown. The window owns one and tells it, through named callbacks,
what each action does; the window keeps its public names for the actions (tests and
scripts press them)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QAction, QActionGroup, QKeySequence
from PyQt6.QtWidgets import QComboBox, QLabel, QMainWindow, QToolBar, QWidget

from emotion_app.inference.steadiness import STEADINESS_LEVELS
from emotion_app.sources.screen_capture import Screen

from .camera_size import CameraSize
from .camera_size_menu import CameraSizeMenu
from .model_menu import ModelMenu
from .recent_menu import RecentMenu
from .screen_menu import ScreenMenu

STEADINESS_TIP = (
    "How calm each face's label is. Off: every frame's own reading (it flickers). "
    "Low, Medium (default), High: a label changes only after another emotion has clearly "
    'led for about 0.2, 0.4 or 0.8 seconds. A label shown with "?" is uncertain.'
)


class WindowActions:
    """The window's actions, made as the window is; :meth:`build_toolbar` and
    :meth:`build_menus` then lay them out (the toolbar's steadiness box and the menus
    that list screens, recent files, models and camera sizes are made there)."""

    def __init__(
        self,
        window: QMainWindow,
        *,
        app_title: str,
        show_bars: bool,
        timeline_action: QAction,
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
        timeline dock's own toggle, given its text and key here."""
        self._window = window
        self.start_stop_action = QAction("Start", window)
        self.start_stop_action.setToolTip("Start or stop the camera or video")
        self.start_stop_action.triggered.connect(toggle_start_stop)
        # The Playback menu's entry for it, shown only for a file open (playing, paused or
        # opening): otherwise the Play/Pause entry below it starts and stops (with Space),
        # and "Stop" twice, or "Start" and "Play" that both play a file, read as two things.
        # The toolbar keeps its Start/Stop button, so the menu has an action of its own.
        self.start_stop_menu_action = QAction("Start", window)
        self.start_stop_menu_action.setToolTip(self.start_stop_action.toolTip())
        self.start_stop_menu_action.triggered.connect(toggle_start_stop)

        self.play_pause_action = QAction("Pause", window)
        self.play_pause_action.setShortcut(QKeySequence(Qt.Key.Key_Space))
        self.play_pause_action.setToolTip("Pause or play a video; start or stop a camera (Space)")
        self.play_pause_action.triggered.connect(toggle_play_pause)
        # The toolbar's button for it, shown for files only. A hidden action loses its
        # shortcut, and a toolbar re-shows a hidden button when it lays itself out again,
        # so the button has an action of its own (no shortcut) that is hidden instead.
        self.play_pause_button_action = QAction("Pause", window)
        self.play_pause_button_action.setToolTip(self.play_pause_action.toolTip())
        self.play_pause_button_action.triggered.connect(toggle_play_pause)

        self.step_back_action = QAction("Back", window)
        self.step_back_action.setShortcut(QKeySequence(Qt.Key.Key_Left))
        self.step_back_action.setToolTip("One frame back when paused, a few seconds back when playing (Left)")
        self.step_back_action.triggered.connect(lambda: step(-1))
        self.step_forward_action = QAction("Forward", window)
        self.step_forward_action.setShortcut(QKeySequence(Qt.Key.Key_Right))
        self.step_forward_action.setToolTip("One frame on when paused, a few seconds on when playing (Right)")
        self.step_forward_action.triggered.connect(lambda: step(1))
        self.restart_action = QAction("Restart", window)
        self.restart_action.setShortcut(QKeySequence(Qt.Key.Key_Home))
        self.restart_action.setToolTip("Back to the first frame (Home)")
        self.restart_action.triggered.connect(restart)

        self.open_video_action = QAction("Open video…", window)
        self.open_video_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_video_action.triggered.connect(open_video_dialog)

        self.snapshot_action = QAction("Snapshot", window)
        self.snapshot_action.setShortcut(QKeySequence("Ctrl+S"))
        self.snapshot_action.setToolTip(
            "Save the frame on screen with its overlay as PNG into the output folder (Ctrl+S)"
        )
        self.snapshot_action.triggered.connect(snapshot)
        self.snapshot_as_action = QAction("Save snapshot as…", window)
        self.snapshot_as_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.snapshot_as_action.triggered.connect(snapshot_dialog)

        # Connected by the window's RecordingControl.
        self.record_action = QAction("Record", window)
        self.record_action.setCheckable(True)
        self.record_action.setShortcut(QKeySequence("Ctrl+R"))
        self.record_action.setToolTip(
            "Record the annotated video and a per-face CSV into the output folder; again to stop (Ctrl+R)"
        )
        self.record_as_action = QAction("Record to…", window)
        self.record_as_action.setShortcut(QKeySequence("Ctrl+Shift+R"))
        self.record_as_action.triggered.connect(record_dialog)

        self.open_stream_action = QAction("Open network camera…", window)
        self.open_stream_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.open_stream_action.setToolTip(
            "An IP camera or a phone's camera app, by its stream URL (http://…, rtsp://…)"
        )
        self.open_stream_action.triggered.connect(open_stream_dialog)

        self.open_folder_action = QAction("Open folder of images…", window)
        self.open_folder_action.setToolTip("Play every image of a folder, in name order, as a slide show")
        self.open_folder_action.triggered.connect(open_folder_dialog)

        self.fullscreen_action = QAction("Full screen", window)
        self.fullscreen_action.setCheckable(True)
        self.fullscreen_action.setShortcut(QKeySequence(Qt.Key.Key_F11))
        self.fullscreen_action.setToolTip("The video fills the screen (F11; Esc leaves)")
        self.fullscreen_action.toggled.connect(set_fullscreen)
        self.leave_fullscreen_action = QAction("Leave full screen", window)
        self.leave_fullscreen_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.leave_fullscreen_action.setEnabled(False)
        self.leave_fullscreen_action.triggered.connect(lambda: set_fullscreen(False))
        window.addAction(self.leave_fullscreen_action)

        self.mirror_action = QAction("Mirror view", window)
        self.mirror_action.setCheckable(True)
        self.mirror_action.setShortcut(QKeySequence(Qt.Key.Key_M))
        self.mirror_action.setToolTip(
            "Show the picture mirrored, like a mirror (M); remembered for cameras and files apart. "
            "Snapshots and recordings are mirrored too, as on screen."
        )
        self.mirror_action.toggled.connect(set_mirror)

        self.details_action = QAction("Technical figures", window)
        self.details_action.setCheckable(True)
        self.details_action.setToolTip("Frame rates, latency and dropped frames in the status bar")
        self.details_action.toggled.connect(show_details)

        self.shortcuts_action = QAction("Keyboard shortcuts", window)
        self.shortcuts_action.setShortcut(QKeySequence(Qt.Key.Key_F1))
        self.shortcuts_action.triggered.connect(show_shortcuts)
        self.about_action = QAction(f"About {app_title}", window)
        self.about_action.triggered.connect(show_about)

        self.output_folder_action = QAction("Output folder…", window)
        self.output_folder_action.setToolTip("Where snapshots, recordings and timeline exports go")
        self.output_folder_action.triggered.connect(choose_output_folder)

        self.bars_action = QAction("Probability bars", window)
        self.bars_action.setCheckable(True)
        self.bars_action.setShortcut(QKeySequence(Qt.Key.Key_B))
        self.bars_action.setToolTip("Show every class's probability beside each face (B)")
        self.bars_action.setChecked(show_bars)
        self.bars_action.toggled.connect(set_show_bars)

        self.load_weights_action = QAction("Load weights…", window)
        self.load_weights_action.triggered.connect(load_weights_dialog)

        self.timeline_action = timeline_action
        self.timeline_action.setText("Session timeline")
        self.timeline_action.setShortcut(QKeySequence(Qt.Key.Key_T))
        self.timeline_action.setToolTip("Each person's emotions over the session, and their share of time (T)")

        self.refresh_cameras_action = QAction("Refresh cameras and screens", window)
        self.refresh_cameras_action.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.refresh_cameras_action.triggered.connect(refresh_sources)

        self.quit_action = QAction("Quit", window)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(close)

    def build_toolbar(self, picker: QWidget) -> QToolBar:
        """The Controls toolbar, with ``picker`` (the camera list) first; makes
        :attr:`steadiness_box`, which the window connects."""
        window = self._window
        toolbar = QToolBar("Controls", window)
        toolbar.setObjectName("controls")
        toolbar.setMovable(False)
        toolbar.addWidget(QLabel(" Camera "))
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
        steadiness_label = QLabel("  Steadiness ")
        steadiness_label.setToolTip(STEADINESS_TIP)
        toolbar.addWidget(steadiness_label)
        toolbar.addWidget(self.steadiness_box)
        window.addToolBar(toolbar)
        self.toolbar = toolbar
        return toolbar

    def build_menus(
        self,
        *,
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
        """The menu bar: File, Model, View, Playback, Help. ``recent_menu_made`` runs once
        the recent files' menu is in the File menu (the window fills it)."""
        window = self._window
        menu_bar = window.menuBar()
        assert menu_bar is not None
        file_menu = menu_bar.addMenu("&File")
        assert file_menu is not None
        file_menu.addAction(self.open_video_action)
        file_menu.addAction(self.open_folder_action)
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
        steadiness_menu = view_menu.addMenu("Steadiness")
        assert steadiness_menu is not None
        steadiness_menu.setToolTipsVisible(True)
        group = QActionGroup(window)
        self.steadiness_actions: dict[str, QAction] = {}
        for level in STEADINESS_LEVELS:
            action = QAction(level.capitalize(), group)
            action.setCheckable(True)
            action.setToolTip(STEADINESS_TIP)
            action.triggered.connect(lambda _checked=False, chosen=level: set_steadiness(chosen))
            steadiness_menu.addAction(action)
            self.steadiness_actions[level] = action
        view_menu.addAction(self.timeline_action)
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
