"""The main window: toolbar, messages, live view, status bar; owns the stream controller.

Over 400 lines because it is where every control, menu, key and worker signal meets. Each
part with state or logic of its own lives in its own module (source_state, playback_bar,
model_menu, recent_menu, timeline_panel, timeline_dock, message_banner, tidy_banner,
snapshot, recording_control, dialog_folders, output_folder_control, player_control,
source_messages, end_wait, stream_controller, window_cover; its actions, toolbar and menus in
window_actions, the Help menu's texts in help_texts); what stays here is the wiring
between them.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from PyQt6 import sip
from PyQt6.QtCore import QByteArray, QEvent, QMimeData, QRect, QSize, Qt, QThreadPool, QTimer, QUrl
from PyQt6.QtGui import (
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
)
from PyQt6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from emotion_app.inference.steadiness import DEFAULT_STEADINESS_LEVEL, STEADINESS_LEVELS
from emotion_app.io.codecs import h264_codec
from emotion_app.io.video import IMAGE_SUFFIXES
from emotion_app.live import PipelineLoader, load_pipeline
from emotion_app.sources.frame_source import SourceFactory
from emotion_app.sources.opening import open_frame_source
from emotion_app.sources.screen_capture import Screen, list_screens
from emotion_app.sources.specs import CameraSpec, ScreenSpec, SourceSpec, VideoFileSpec
from emotion_app.sources.stream_url import EXAMPLE_URL, check_stream_url, looks_like_url, url_host
from emotion_app.wording import count_text

from ..weights import DEFAULT_WEIGHTS_DIR
from . import gui_thread_gc, quitting
from .annotation import with_names
from .camera_picker import (
    CameraDevice,
    CameraDeviceMonitor,
    CameraPicker,
    create_device_monitor,
    find_camera,
    index_name,
    listed_camera,
    names_apart,
    namesakes,
    not_connected_beside,
)
from .camera_size import CameraSize
from .camera_taken import CAMERA_TAKEN_TAG, CameraTaken, CameraTakenNotice
from .dialog_folders import DialogFolders
from .end_wait import EndWait
from .help_texts import AboutText, shortcuts_text
from .identity import APPLICATION
from .launch import LaunchOptions
from .message_banner import MessageArea, MessageBanner
from .messages import (
    FaceNames,
    FaultKind,
    FileEnd,
    InferenceResult,
    ModelStatus,
    PlaybackState,
    RecordingRequest,
    SourceFault,
    SourceInfo,
)
from .mnemonics import plain
from .output_folder_control import OutputFolderControl
from .playback_bar import PlaybackBar, format_time
from .player_control import PlayerControl
from .recording_control import NOTHING_TO_RECORD_TAG, RecordingControl
from .settings import RECENT_KEPT, AppSettings
from .snapshot import SnapshotSaver, save_snapshot
from .source_messages import LOADING_MODEL, SourceMessages
from .source_state import SourceState, same_source
from .stats import rate_text
from .status_bar import PerformanceStats, PerformanceStatusBar
from .stream_controller import StreamController
from .tidy_banner import TidyBanner
from .timeline_dock import TimelineDock
from .timeline_panel import NameLength, TimelinePanel
from .video_view import VideoView
from .window_actions import WindowActions
from .window_cover import WINDOW_PLACE_EVENTS, WindowCover

log = logging.getLogger(__name__)

APP_TITLE = APPLICATION
# GIFs play as videos, and raw MJPEG files (a camera's recording) too: without them here
# the dialog hid them unless "All files" was chosen.
_VIDEO_PATTERNS = "*.mp4 *.avi *.mkv *.mov *.webm *.m4v *.wmv *.mpg *.mpeg *.gif *.mjpeg *.mjpg"
_IMAGE_PATTERNS = " ".join(f"*{suffix}" for suffix in sorted(IMAGE_SUFFIXES))
VIDEO_FILTER = (
    f"Videos and images ({_VIDEO_PATTERNS} {_IMAGE_PATTERNS});;Videos ({_VIDEO_PATTERNS});;"
    f"Images ({_IMAGE_PATTERNS});;All files (*)"
)
# The window never gets smaller than this: the video, the toolbar (its overflow menu holds
# what does not fit) and the status bar stay usable. On a screen with less room (a
# 1280x720 laptop at 150% scaling leaves about 853x450), the room it has.
MIN_WINDOW_SIZE = (720, 540)
# A first window (no saved geometry) opens this size, or at most this share of the screen's
# free area each way, so its title bar and status bar are on the screen: a 1920x1080
# laptop at 150% scaling has about 1280x690 free, a 1366x768 one at 125% about 1093x580.
FIRST_WINDOW_SIZE = (1000, 720)
FIRST_WINDOW_SCREEN_SHARE = 0.9
RECENT_FILES = RECENT_KEPT
# The notice banner's tag for "settings cannot be saved": taken away once they are again.
_UNSAVED_SETTINGS_TAG = "unsaved settings"
_LEFT_ASIDE_TAG = "dropped files left aside"
# The source banner's tag for "… is not connected: the one at index 1 is the other …" (or
# "index 2 is Microsoft LifeCam now"): the camera chosen gone, and not opened.
_CHOSEN_GONE_TAG = "camera chosen gone"
WEIGHTS_SUFFIX = ".safetensors"
WEIGHTS_FILTER = f"Weights (*{WEIGHTS_SUFFIX});;All files (*)"
# The status bar changes twice a second: often enough to follow, rarely enough to read.
_STATUS_INTERVAL_MS = 500
# How long the output folder and a recording's files may take to answer their checks
# (made off the GUI thread) before the user is told they do not: on a network share whose
# server has gone they never answer, and the press would otherwise come to nothing unsaid.
FILE_CHECK_TIMEOUT_S = 5.0


class MainWindow(QMainWindow):
    """The app's single window."""

    def __init__(
        self,
        options: LaunchOptions,
        settings: AppSettings,
        device_monitor: CameraDeviceMonitor | None = None,
        source_factory: SourceFactory = open_frame_source,
        pipeline_loader: PipelineLoader = load_pipeline,
        camera_timeout_s: float = 2.0,
        weights_dir: Path = DEFAULT_WEIGHTS_DIR,
        screen_lister: Callable[[], list[Screen]] = list_screens,
        file_check_timeout_s: float = FILE_CHECK_TIMEOUT_S,
    ) -> None:
        super().__init__()
        # Before any worker starts: a Qt object freed by a worker thread's garbage
        # collection can crash the process (see gui_thread_gc); released by shutdown().
        self._gc_hold = gui_thread_gc.hold()
        self._weights_dir = weights_dir
        self._list_screens = screen_lister
        self.options = options
        self.settings = settings
        # --camera-size wins for this run; otherwise the size chosen in the menu last time.
        self._camera_size = options.camera_size if options.camera_size_given else settings.camera_size
        self.setWindowTitle(APP_TITLE)
        self.stats = PerformanceStats()
        self.source_state = SourceState()
        self._model_status: ModelStatus | None = None
        # A model switched to is loading (the faces keep the one in use meanwhile): the
        # status bar says so until it has loaded or failed.
        self._loading_model: Path | None = None
        self._shut_down = False
        self._initial_source_started = False
        self._pending_source: SourceSpec | None = None  # asked for before the model was ready
        # A file or folder asked for by name (opened, dropped, picked from Open recent, on the
        # command line): listed in the recent files once it opens, not at the app's own
        # reopens of it (Play again, a seek after its end), each a write of the settings file.
        self._to_list_once_opened: Path | None = None
        # A file's end, told before its last frame's result came (the inference thread busy):
        # "Finished playing" shown once that result comes, or after a short wait at most.
        self._end_wait = EndWait(self._show_end_waited, self)

        self.controller = StreamController(
            # --weights wins; otherwise the model chosen last time, if it is still there.
            options.weights or settings.weights_path,
            source_factory,
            pipeline_loader,
            camera_timeout_s=camera_timeout_s,
            parent=self,
            remembered_weights=options.weights is None and settings.weights_path is not None,
        )
        self._unsaved_settings_shown = False  # see _tell_unsaved_settings
        self.picker = CameraPicker(device_monitor or create_device_monitor(self), self)
        self.picker.set_network_cameras(settings.stream_urls)
        self.view = VideoView(self)
        self.playback_bar = PlaybackBar(self)
        self.timeline_panel = TimelinePanel((), self)
        self.timeline_panel.ask_folder = self._ask_export_folder
        self.timeline_panel.ask_name = self.ask_person_name
        self.timeline_panel.shown_now = lambda: self.view.result
        self._names = FaceNames(-1, ())  # the names given in the stream playing
        self._opened_session: int | None = None  # SourceInfo.session of the last source opened
        self.source_banner = MessageBanner(self)
        self.model_banner = MessageBanner(self)
        self.notice_banner = MessageBanner(self)  # "Saved …" notices, apart from source faults
        # Which camera was taken where several answer what was asked for.
        self.camera_taken = CameraTakenNotice(self.notice_banner)
        # What a save's tidy did with what a killed session left (io.unfinished), on its own:
        # a later notice neither hides it nor carries it on, nor does it hide an error.
        self.tidy_banner = TidyBanner(self)
        # Where this window is, for screen captures to leave out, and a word while it covers
        # most of what they watch.
        self.window_cover = WindowCover(self, self.source_state, self.picker, self.notice_banner)
        if settings.read_problem:  # a quote left open by a hand edit: read repaired, said once
            self.notice_banner.show_message(settings.read_problem, "warning")
        self.status = PerformanceStatusBar(self)
        self.setStatusBar(self.status)
        # No camera, a source that failed or ended, a network camera's waits and reconnects.
        self.source_messages = SourceMessages(
            self.controller,
            self.source_state,
            self.source_banner,
            self.view,
            self.status,
            self.picker,
            retry=self.retry,
            open_video_dialog=self.open_video_dialog,
            open_stream_dialog=self.open_stream_dialog,
            stop=self.stop,
            choose_camera=self.choose_camera,
            waiting_for_model=lambda: not self._initial_source_started,
        )
        self.snapshots = SnapshotSaver(self)
        self._about = AboutText(self)  # looks for the model in use's card as it loads
        # Space, the arrows, Home and the seek bar; a file held still under a dialog.
        self.player = PlayerControl(
            self.controller,
            self.source_state,
            self.source_banner,
            shown=lambda: self.view.result,
            start_stop=self.toggle_start_stop,
            start=self.start_source,
            actions_changed=self._update_actions,
            played_on=self._played_on,
        )
        # Where the file dialogs open: their folders are asked about off the GUI thread.
        self.dialog_folders = DialogFolders(settings, lambda: self.output_folder.path(), weights_dir, self)
        self.output_folder = OutputFolderControl(
            settings,
            self.notice_banner,
            self.status,
            dialog_start=self.dialog_folders.output_start,
            # Looked up at each call: tests answer the dialog by replacing the method.
            ask_folder_path=lambda title, start: self.ask_folder_path(title, start),
            hold_still=self.player.hold_still,
            folders_changed=self.dialog_folders.ask_about,
            check_timeout_s=file_check_timeout_s,
            parent=self,
        )
        timeline_action = self.timeline_panel.toggleViewAction()
        assert timeline_action is not None
        self.window_actions = actions = WindowActions(
            self,
            app_title=APP_TITLE,
            show_bars=settings.show_bars,
            timeline_action=timeline_action,
            # Made with the layout, below.
            float_timeline=lambda floating: self.timeline_dock.set_floating(floating),
            dock_timeline=lambda side: self.timeline_dock.dock_at(side),
            keyboard_to_timeline=lambda: self.timeline_dock.keyboard_there_and_back(),
            toggle_start_stop=self.toggle_start_stop,
            toggle_play_pause=self.player.toggle_play_pause,
            step=self.player.step,
            restart=self.player.restart,
            open_video_dialog=self.open_video_dialog,
            snapshot=self.snapshot,
            snapshot_dialog=self.snapshot_dialog,
            record_dialog=self.record_dialog,
            open_stream_dialog=self.open_stream_dialog,
            open_folder_dialog=self.open_folder_dialog,
            set_fullscreen=self.set_fullscreen,
            set_mirror=self.set_mirror,
            show_details=lambda show: self.status.show_details(show),
            show_shortcuts=self.show_shortcuts,
            show_about=self.show_about,
            choose_output_folder=self.output_folder.choose,
            set_show_bars=self.set_show_bars,
            load_weights_dialog=self.load_weights_dialog,
            refresh_sources=self.refresh_sources,
            close=self.close,
        )
        self.view.set_show_bars(settings.show_bars)
        # The names tests and scripts press them by.
        self.start_stop_action = actions.start_stop_action
        self.start_stop_menu_action = actions.start_stop_menu_action
        self.play_pause_action = actions.play_pause_action
        self.play_pause_button_action = actions.play_pause_button_action
        self.step_back_action = actions.step_back_action
        self.step_forward_action = actions.step_forward_action
        self.restart_action = actions.restart_action
        self.open_video_action = actions.open_video_action
        self.snapshot_action = actions.snapshot_action
        self.snapshot_as_action = actions.snapshot_as_action
        self.record_action = actions.record_action
        self.record_as_action = actions.record_as_action
        self.open_stream_action = actions.open_stream_action
        self.fullscreen_action = actions.fullscreen_action
        self.leave_fullscreen_action = actions.leave_fullscreen_action
        self.mirror_action = actions.mirror_action
        self.details_action = actions.details_action
        self.output_folder_action = actions.output_folder_action
        self.bars_action = actions.bars_action
        self.load_weights_action = actions.load_weights_action
        self.timeline_action = actions.timeline_action
        self.timeline_floating_action = actions.timeline_floating_action
        self.timeline_side_actions = actions.timeline_side_actions
        self.timeline_keyboard_action = actions.timeline_keyboard_action
        # Record and Record to…: a recording's folder and files are checked off the GUI
        # thread, as the dialogs' folders are, and the recording starts on the answer.
        self.recordings = RecordingControl(
            self.controller,
            self.source_state,
            self.record_action,
            self.status,
            self.notice_banner,
            self.source_banner,
            output_dir=self.output_folder.path,
            dialog_start=self.dialog_folders.output_start,
            # Looked up at each call: tests answer the dialog by replacing the method.
            ask_save_path=lambda title, suggestion, filters: self.ask_save_path(title, suggestion, filters),
            hold_still=self.player.hold_still,
            shown=lambda: self.view.result,
            refuse_folder=self.output_folder.refuse,
            choose_output_folder=self.output_folder.choose,
            show_saved=self.show_saved,
            play_again=self.retry,
            open_video_dialog=self.open_video_dialog,
            check_timeout_s=file_check_timeout_s,
            parent=self,
        )
        self.rec_label = self.recordings.rec_label
        self.toolbar = actions.build_toolbar(self.picker)
        self.steadiness_box = actions.steadiness_box
        actions.build_menus(
            picker=self.picker,
            choose_camera=self.choose_camera,
            list_screens=self._list_screens,
            weights_dir=self._weights_dir,
            camera_size=self._camera_size,
            set_screens=self.picker.set_screens,
            open_screen=self.open_screen,
            screen_failed=lambda message: self.source_messages.show_problem(message, None),
            open_video=self.open_video,
            clear_recent=self._clear_recent,
            recent_menu_made=self._on_recent_menu_made,
            choose_weights=self.choose_weights,
            set_steadiness=self.set_steadiness,
            set_camera_size=self.set_camera_size,
        )
        self.screen_menu, self.recent_menu = actions.screen_menu, actions.recent_menu
        self.camera_menu = actions.camera_menu
        self.model_menu, self.camera_size_menu = actions.model_menu, actions.camera_size_menu
        self._build_layout()
        self._update_actions()  # no source yet: no player controls until a file opens
        self._connect()

        self._status_timer = QTimer(self)
        self._status_timer.setInterval(_STATUS_INTERVAL_MS)
        self._status_timer.timeout.connect(self._refresh_status)
        self._status_timer.start()

        self.setAcceptDrops(True)
        self._fit_to_screen(settings.window_geometry)
        self.set_steadiness(settings.steadiness)
        # The window opens with the keyboard on the video, never on a toolbar control, where
        # arrow keys would quietly change the camera or how labels behave.
        self.view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.view.setFocus()
        self.controller.set_show_bars(settings.show_bars)
        # The first source starts once the model has loaded (or failed to): frames are
        # shown through the inference thread, so a video started earlier would skip its
        # first frames while the model loads.
        self.view.set_placeholder(LOADING_MODEL)
        # The status line says so too from the first moment, not only at its first refresh
        # (its label's own "Stopped" read for half a second beside the view's words).
        self._say_status()
        app = QApplication.instance()
        if app is not None:
            # Also stop the threads when the app quits without this window being closed.
            app.aboutToQuit.connect(self.shutdown)
        self.player.watch_keys(
            self, (self.play_pause_action, self.step_back_action, self.step_forward_action, self.restart_action)
        )
        self._had_keyboard: QWidget | None = self.view  # the control of this window that had it last
        self._activated = False  # the window just became active (see event)
        self._keys_move_keyboard = False  # keys moved it last, not the mouse (see _keep_keyboard_on_video)
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._keep_keyboard_on_video)
        self.controller.start_threads()
        # Which codec recordings get is found by trying to write one (FFmpeg builds differ);
        # done now, off the GUI thread, so the first recording does not wait for it.
        pool = QThreadPool.globalInstance()
        if pool is not None:
            pool.start(_probe_codecs)
        # Last: a signal's handler may ask it (gui/quitting) as soon as it is known.
        quitting.watch(self.unsaved_now)

    # ---- construction ---------------------------------------------------------------
    def _build_layout(self) -> None:
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.setSpacing(4)
        self.messages = MessageArea(
            (self.model_banner, self.source_banner, self.notice_banner, self.tidy_banner), central
        )
        layout.addWidget(self.messages)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.playback_bar)
        self.setCentralWidget(central)
        # Docked or floating, its size and whether it shows, as at the last close.
        self.timeline_dock = TimelineDock(self, self.timeline_panel, self.settings, self.view)
        self.timeline_dock.moved.connect(self.window_actions.show_timeline_place)
        self.window_actions.show_timeline_place(self.timeline_dock.floating, self.timeline_dock.side)

    def _connect(self) -> None:
        self.controller.source_opened.connect(self._on_source_opened)
        self.controller.source_fault.connect(self._on_source_fault)
        self.controller.source_stopped.connect(self._on_source_stopped)
        self.controller.source_notice.connect(self.source_messages.on_notice)
        self.controller.model_status.connect(self._on_model_status)
        self.controller.result_ready.connect(self._on_result)
        self.controller.stream_left.connect(self._on_stream_left)
        self.controller.playback.connect(self._on_playback)
        self.playback_bar.seek_requested.connect(self.player.seek)
        self.playback_bar.time_said.connect(self._on_time_said)
        self.timeline_panel.exported.connect(self._on_timeline_exported)
        self.timeline_panel.name_given.connect(self._on_name_given)
        self.timeline_panel.cleared.connect(self._forget_names)
        # Beside the other saves' notices: the source banner's next message (a video's end) would replace it.
        self.timeline_panel.export_failed.connect(lambda message: self.notice_banner.show_message(message, "error"))
        self.view.frame_presented.connect(self.stats.on_presented)
        # The worker sizes the overlay's text to read at the scale the view shows frames at,
        # and draws it at the screen's pixels (a high-DPI screen).
        self.view.display_scale_changed.connect(self.controller.set_display_scale)
        self.snapshots.saved.connect(lambda path: self.show_saved(f"Saved snapshot {path.name} in {path.parent}", path))
        self.snapshots.saved_as_shown.connect(
            lambda path: self.show_saved(
                f"Saved snapshot {path.name} in {path.parent} as shown: its overlay could not be drawn at full size",
                path,
            )
        )
        # Save failures go beside the saves' notices: the source banner's next message (a
        # video's end, a reopen) would replace them before they are read.
        self.snapshots.failed.connect(lambda message: self.notice_banner.show_message(message, "error"))
        self.snapshots.folder_refused.connect(self.output_folder.refuse)
        self.snapshots.not_answering.connect(self.output_folder.snapshot_folder_not_answering)
        self.snapshots.tidied.connect(self.tidy_banner.show_tidied)
        self.recordings.tidied.connect(self.tidy_banner.show_tidied, Qt.ConnectionType.QueuedConnection)  # type: ignore[call-arg]
        self.picker.camera_chosen.connect(self.choose_camera)
        self.picker.network_camera_chosen.connect(self.open_network_camera)
        self.picker.screen_chosen.connect(self.open_screen)
        self.picker.devices_refreshed.connect(self.source_messages.on_devices_refreshed)
        self.picker.devices_refreshed.connect(self.camera_taken.retell)
        self.steadiness_box.currentIndexChanged.connect(
            lambda index: self.set_steadiness(self.steadiness_box.itemData(index))
        )

    # ---- sources ----------------------------------------------------------------------
    def _start_initial_source(self) -> None:
        """Command line first, then the remembered camera (a device or a network camera),
        then the first camera."""
        if self.options.video is not None:
            self.open_video(self.options.video)
            return
        if self.options.screen is not None:
            self.open_screen(self.options.screen)
            return
        devices = self.picker.devices()
        if self.options.camera is not None and looks_like_url(self.options.camera):
            self.open_network_camera(self.options.camera)
            return
        if self.options.camera is not None:
            wanted = self.options.camera
            index = self.options.camera_index
            device = find_camera(devices, "" if index is not None else wanted, index if index is not None else -1)
            if device is not None:
                self.choose_camera(device)
                if index is None:  # by its name: of several it names, the first listed, as Start says
                    self._tell_taken(devices, device, None, frozenset(), typed=wanted)
            elif index is not None:
                # Not listed (no device list on this system?): OpenCV may still open it.
                self.start_source(CameraSpec(index, index_name(index)))
            else:
                self.source_messages.show_problem(
                    _name_not_found_text(wanted, devices),
                    None,
                    reason=f"No camera named '{wanted}'.",
                    # One of that name plugged in: Retry opens it, the offer does not deny it.
                    retold=lambda listed: _name_not_found_text(wanted, listed),
                )
            return
        if self.settings.network_camera:  # the camera chosen last was a network camera
            self.open_network_camera(self.settings.network_camera)
            return
        # The picker's rule, as Start and Retry follow it: of two cameras of one name, the one
        # at the index remembered. A remembered name is one the list gave: a camera whose name
        # matches it only in another case or in part is another camera (a typed one may).
        chosen_index = self.settings.camera_index
        device = listed_camera(devices, self.settings.camera_name, chosen_index)
        if device is not None:
            self.choose_camera(device)
            self._tell_taken(devices, device, chosen_index, frozenset())  # as Start and Retry tell it
        elif devices:
            self.choose_camera(devices[0])
        else:
            self.source_messages.show_no_camera()

    def start_source(self, spec: SourceSpec) -> None:
        """Open ``spec`` on the capture thread; the result arrives as opened or fault.

        A camera is asked for the size chosen now, whatever size ``spec`` names.
        """
        if isinstance(spec, CameraSpec):
            # A stream's size is the sender's to choose.
            spec = dataclasses.replace(spec, size=None if spec.url else self._camera_size)
        # What Start and Retry open, in the toolbar too, at once (its open may fail) and
        # through every refresh: not the camera before, nor the first one listed.
        self.picker.show_source(spec)
        another = not same_source(spec, self.source_state.spec)
        if another and self.notice_banner.tag in (_LEFT_ASIDE_TAG, CAMERA_TAKEN_TAG):
            # "Playing clip.mp4; 1 other item … left aside" named a file no longer playing, and
            # which camera was taken one no longer asked for (asked for before the model loaded too).
            self.notice_banner.dismiss()
        if not self._initial_source_started:
            # Before the model is ready: remember it, start it once the model is loaded. What
            # was said of a source before (Start's error) is of it no more, as an open says.
            self._pending_source = spec
            self.source_state.spec = spec
            self.source_banner.dismiss()
            self.view.set_placeholder(LOADING_MODEL)
            return
        if self.recordings.busy and self.source_state.spec != spec:
            self.stop_recording()
        if another:
            # Another source is another session: its ids count from #1 again, and belong to
            # other people than the names given.
            self.timeline_panel.clear()
            self.controller.start_session()
        elif isinstance(spec, VideoFileSpec):
            # A file played from its start again (Play again, Space after its end or Stop,
            # Retry): a new viewing, its time counted afresh, but in the same session, so its
            # people, found again at the moments seen, keep their ids and the names given.
            # (Home or a seek after its end keeps their rows and time too.)
            self.timeline_panel.clear(keep_names=True)
        self._end_wait.take()  # the source before is not told ended now: this one opens
        self.source_banner.dismiss()
        if self.notice_banner.tag == NOTHING_TO_RECORD_TAG:
            self.notice_banner.dismiss()  # there is something to record now
        # A file by its path alone: whether it is a folder takes a stat, which blocks for
        # minutes on a network share whose server has gone (the capture thread finds out).
        opening = f"Opening {spec.path}…" if isinstance(spec, VideoFileSpec) else f"Opening {spec.describe()}…"
        self.view.set_placeholder(opening)
        self.status.showMessage(opening, 3000)
        self.source_state.opening(spec)
        self._apply_mirror(spec)
        self.controller.start(spec)
        self._update_actions()

    def set_camera_size(self, size: CameraSize | None) -> None:
        """Ask cameras for ``size`` (None: each camera's default) from now on, and remember
        it; a camera that is on starts again at that size."""
        self._camera_size = size
        self.settings.camera_size = size
        if self.camera_size_menu.current != size:
            self.camera_size_menu.set_current(size)
        spec = self.source_state.spec
        if isinstance(spec, CameraSpec) and not spec.url and self.source_state.active and spec.size != size:
            self.start_source(spec)

    def choose_camera(self, device: CameraDevice) -> None:
        self.picker.select(device.name, device.index)
        self.settings.remember_camera(device.name, device.index)
        self.start_source(CameraSpec(device.index, device.name))

    def open_video(self, path: str | Path) -> None:
        """Play a video file, an image or a folder of images."""
        path = Path(path).absolute()  # remembered in the recent files, for any later folder
        self.settings.last_video_dir = str(path.parent)
        self.dialog_folders.ask_about()
        self._to_list_once_opened = path
        self.start_source(VideoFileSpec(path))

    def open_folder_dialog(self) -> None:
        with self.player.paused_for_dialog():
            folder = self.ask_folder_path("Open folder of images", self.dialog_folders.video_start())
        if folder:
            self.open_video(folder)

    def ask_person_name(self, track_id: int, current: str) -> str | None:
        """The name the user gives the person of ``track_id`` (None when cancelled)."""
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Name this person")
        dialog.setLabelText(f"Name for #{track_id} (shown on their face and in the exports):")
        dialog.setTextValue(current)
        field = dialog.findChild(QLineEdit)
        if field is not None:  # a longer name was cut short after OK, unseen: the field stops there
            field.setValidator(NameLength(dialog))
        with self.player.paused_for_dialog():
            accepted = dialog.exec() == QDialog.DialogCode.Accepted
        name = dialog.textValue()
        dialog.deleteLater()
        return name if accepted else None

    def _on_name_given(self, track_id: int, name: str) -> None:
        info = self.source_state.info
        stream_id = info.stream_id if info is not None else -1
        names = dict(self._names.names) if self._names.stream_id == stream_id else {}
        if name:
            names[track_id] = name
        else:
            names.pop(track_id, None)
        self._names = FaceNames(stream_id, tuple(sorted(names.items())))
        self.controller.set_names(self._names)
        shown = self.view.result
        if shown is not None and shown.stream_id == stream_id:  # a paused frame shows it now too
            self.view.set_result(with_names(shown, names))

    def _forget_names(self) -> None:
        if self._names.names:
            self._names = FaceNames(-1, ())
            self.controller.set_names(self._names)
            shown = self.view.result
            if shown is not None:  # a held frame (paused, a picture) kept the old tags until the next one
                self.view.set_result(with_names(shown, {}))

    def refresh_sources(self) -> None:
        """F5: the cameras and the screens listed anew."""
        self.screen_menu.rebuild()
        self.picker.refresh()

    def open_screen(self, monitor: int, region: tuple[int, int, int, int] | None = None) -> None:
        """Find the faces on screen ``monitor`` (0: all screens; ``region``: only that part
        of it, in screen pixels), live, as from a camera."""
        self.start_source(ScreenSpec(monitor, region, own_window=self.window_cover.area))

    def _on_recent_menu_made(self) -> None:
        self._rebuild_recent_menu()
        self.dialog_folders.ask_about()

    def _rebuild_recent_menu(self) -> None:
        self.window_actions.recent_menu.show_paths(self.settings.recent_files)

    def _clear_recent(self) -> None:
        self.settings.recent_files = []
        self._rebuild_recent_menu()

    # ---- view ---------------------------------------------------------------------------
    def set_fullscreen(self, on: bool) -> None:
        """F11 and Esc: full screen and back to the state before it (maximised stays so)."""
        if on != self.isFullScreen():
            # Not showFullScreen/showNormal: they drop a maximised state on the way.
            state = self.windowState()
            full = Qt.WindowState.WindowFullScreen
            self.setWindowState(state | full if on else state & ~full)
            self.setVisible(True)
        self._sync_fullscreen_actions()

    def _sync_fullscreen_actions(self) -> None:
        """The F11 check and Esc follow the window, however it went full screen or left it
        (a geometry restored in full screen, the window manager's own key)."""
        on = self.isFullScreen()
        self.leave_fullscreen_action.setEnabled(on)
        if self.fullscreen_action.isChecked() != on:
            self.fullscreen_action.setChecked(on)

    def set_mirror(self, on: bool) -> None:
        """Mirror the picture of this kind of source (cameras and files remembered apart;
        a screen starts unmirrored every time: its text must read)."""
        if isinstance(self.source_state.spec, VideoFileSpec):
            self.settings.mirror_files = on
        elif not isinstance(self.source_state.spec, ScreenSpec):
            self.settings.mirror_cameras = on
        self.controller.set_mirror(on)  # flips a paused frame too
        self.player.look_again(paused_too=False)

    def _keep_keyboard_on_video(self, old: QWidget | None, new: QWidget | None) -> None:
        """A control that goes away with the keyboard on it (the timeline hidden from its
        own button, a message dismissed, the seek bar gone with the file, a button greyed
        out) hands it to the video: Qt's next in line may be a toolbar control, where Up or
        Down would quietly switch the camera or the source."""
        if new is None or sip.isdeleted(new) or new.window() is not self:
            return
        keyed = Qt.WidgetAttribute.WA_KeyboardFocusChange
        if self.testAttribute(keyed):
            self._keys_move_keyboard = True
        elif QApplication.mouseButtons() != Qt.MouseButton.NoButton:
            self._keys_move_keyboard = False
        if old is not None and not sip.isdeleted(old) and old.window() is self:
            gone: QWidget | None = old
        elif self._activated and QApplication.mouseButtons() == Qt.MouseButton.NoButton:
            # Back from a dialog or another window: the control that had the keyboard may
            # have gone meanwhile, and Qt then gives it to the next in line (not so where
            # a click brought the window back: the keyboard goes where it clicked).
            gone = self._had_keyboard
        else:
            gone = None
        self._activated = False
        # Only a widget made from Python: sip knows when Qt deletes those (see _went_away).
        self._had_keyboard = new if sip.ispycreated(new) else None
        if new is not self.view and gone is not None and _went_away(gone):
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        if self._keys_move_keyboard and not self.testAttribute(keyed):
            # Qt forgets keys moved the keyboard once it moves it itself (the control it was on
            # hidden by Enter, a dialog closed, the hand-over above): where it lands shows it.
            self.setAttribute(keyed)
            focused = QApplication.focusWidget()
            if focused is not None:
                focused.update()

    def _apply_mirror(self, spec: SourceSpec) -> None:
        if isinstance(spec, ScreenSpec):
            on = False
        else:
            on = self.settings.mirror_files if isinstance(spec, VideoFileSpec) else self.settings.mirror_cameras
        self.mirror_action.blockSignals(True)
        self.mirror_action.setChecked(on)
        self.mirror_action.blockSignals(False)
        self.controller.set_mirror(on)

    # ---- drag and drop --------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent | None) -> None:
        if event is not None and _dropped_paths(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent | None) -> None:
        if event is None:
            return
        paths = _dropped_paths(event.mimeData())
        if not paths:
            return
        event.acceptProposedAction()
        # A weights file is a model to use, as with Load weights…: OpenCV would only call it
        # a damaged video. Its name says so; the loader refuses what is no weights file.
        models = [path for path in paths if path.suffix.lower() == WEIGHTS_SUFFIX]
        media = [path for path in paths if path.suffix.lower() != WEIGHTS_SUFFIX]
        if models:
            self.choose_weights(models[0])
        if media:
            self.open_video(media[0])
        left_aside = len(paths) - bool(models) - bool(media)
        if left_aside:  # one source plays and one model runs at a time: say which, rather than drop the rest unsaid
            taken = " and ".join(path.name for path in (media[:1] + models[:1]))
            others = count_text(left_aside, "other item")
            self.notice_banner.show_message(
                f"{'Playing' if media else 'Loading'} {taken}; {others} dropped with it left aside (one at a "
                "time, or drop their folder to play them as a slide show).",
                "info",
                tag=_LEFT_ASIDE_TAG,
            )

    # ---- help -------------------------------------------------------------------------------
    def shortcuts_text(self) -> str:
        """F1's list of keys (see :func:`help_texts.shortcuts_text`): Esc, in no menu, beside F11."""
        return shortcuts_text(self, self.play_pause_action, {self.leave_fullscreen_action: self.fullscreen_action})

    def about_text(self) -> str:
        """About's text, with the model in use."""
        return self._about.text(self._model_status)

    def show_shortcuts(self) -> None:
        self._show_info("Keyboard shortcuts", self.shortcuts_text())

    def show_about(self) -> None:
        self._show_info(f"About {APP_TITLE}", self.about_text())

    def _show_info(self, title: str, html: str) -> None:
        # Its words scroll, and the box is no taller than the screen: a message box grows
        # with its text and never scrolls, and F1's ran past the bottom of a small screen.
        dialog = QDialog(self)
        dialog.setWindowTitle(title)
        text = QLabel(html)
        text.setTextFormat(Qt.TextFormat.RichText)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        text.setOpenExternalLinks(True)
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        scroll = QScrollArea()
        scroll.setWidget(text)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(scroll)
        layout.addWidget(buttons)
        screen = self.screen() or QGuiApplication.primaryScreen()
        area = screen.availableGeometry() if screen is not None else QRect(0, 0, 1024, 768)
        width = min(text.fontMetrics().averageCharWidth() * 70, area.width() * 4 // 5)
        margins = layout.contentsMargins()
        style = scroll.style()
        scrollbar = style.pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent) if style is not None else 16
        chrome = margins.top() + margins.bottom() + layout.spacing() + buttons.sizeHint().height()
        # A tenth of the screen is left for the title bar the window manager adds.
        height = min(text.heightForWidth(width) + chrome, area.height() * 9 // 10)
        dialog.resize(width + margins.left() + margins.right() + scrollbar, height)
        with self.player.paused_for_dialog():
            dialog.exec()

    def stop(self) -> None:
        # A recording ends with the stream it records, as at a file's end: it would count
        # on with nothing written, and take a restart's frames from the beginning.
        self.stop_recording()
        self.controller.stop()
        if self.source_state.starting:  # nothing opens now: neither "Opening…" nor a wait on
            self.view.set_placeholder("Stopped")  # a first frame, whatever banner covers it
        self.source_messages.source_stopped()  # waiting for a first frame, or reconnecting, no more
        if self.source_state.stopped():
            # Stopped as it opened, after another source: none of that one's frame, place and
            # length, or name stays beside it (Mirror view would open this one at that frame).
            self.view.clear()
            self.playback_bar.clear()
            self.setWindowTitle(APP_TITLE)
        self.window_cover.update_notice()
        self._update_actions()

    # ---- playback of files (see PlayerControl) ----------------------------------------------
    @property
    def is_file(self) -> bool:
        return self.source_state.is_file

    @property
    def is_paused(self) -> bool:
        return self.source_state.paused

    # The player's moves by the names tests and scripts call them by.
    def toggle_play_pause(self) -> None:
        self.player.toggle_play_pause()

    def pause(self) -> None:
        self.player.pause()

    def resume(self) -> None:
        self.player.resume()

    def seek(self, frame: int) -> None:
        self.player.seek(frame)

    def step(self, direction: int) -> None:
        self.player.step(direction)

    def restart(self) -> None:
        self.player.restart()

    def toggle_start_stop(self) -> None:
        if self.source_state.active:
            self.stop()
            return
        spec = self.source_state.spec
        options = self.options
        named = options.video is not None or options.screen is not None or options.camera is not None
        # Or the camera chosen last (a network camera; a device, else the first one listed).
        remembered = bool(self.settings.network_camera) or bool(self.picker.devices())
        if spec is None and (named or remembered) and not self._initial_source_started:
            # The source named on the command line, or remembered, is asked for once the model
            # has loaded: Start (Space) before then asks for it, not for a file in a dialog or
            # the first camera listed.
            self._start_initial_source()
            return
        device, url = self.picker.current_device(), self.picker.current_url()
        if spec is None and device is not None:
            spec = CameraSpec(device.index, device.name)
        if spec is None and url is not None:
            self.open_network_camera(url)
            return
        screen = self.picker.current_screen()
        if spec is None and screen is not None:
            self.open_screen(screen.monitor)
            return
        if spec is None:
            self.open_video_dialog()
        elif isinstance(spec, CameraSpec) and not spec.url:
            self._start_camera_again(spec)
        else:
            self.start_source(spec)

    def retry(self) -> None:
        """Try the last source again (a camera plugged back in, a file fixed)."""
        self.picker.refresh()
        self._start_by_starts_rule(self.source_state.spec)

    def _start_by_starts_rule(self, spec: SourceSpec | None) -> None:
        """``spec`` started as Start starts it: a camera by name (the list may have changed
        since it was asked for, another camera taken its index: then it is refused); none
        asked for, the first source there is."""
        if isinstance(spec, CameraSpec) and not spec.url:
            self._start_camera_again(spec)
        elif spec is not None:
            self.start_source(spec)
        else:
            self._start_initial_source()

    def _start_camera_again(self, spec: CameraSpec) -> None:
        """Start the camera ``spec`` opened (Start, Retry) as the picker shows it: plugged
        back in, one chosen by its name may come back under another index, and is followed
        by its name (see :func:`.listed_camera`); where several share the name, a notice says
        which was taken."""
        devices = self.picker.devices()
        beside = self.picker.beside(spec.name, spec.index)
        device = listed_camera(devices, spec.name, spec.index, beside)
        if device is None:
            held = any(other.index == spec.index for other in devices)
            # Opened, its index would show another camera under this one's name; the others
            # of its name were all listed beside it before, so are other cameras of one
            # model: none is opened in its place, nor remembered as the one chosen.
            if spec.name != index_name(spec.index) and (held or namesakes(devices, spec.name)):
                self.source_messages.show_problem(
                    self._chosen_gone_text(spec, devices),
                    spec,
                    tag=_CHOSEN_GONE_TAG,
                    # Said as the list is read anew: it names cameras listed, which may go,
                    # and goes once the camera chosen is listed again (Retry opens it).
                    retold=lambda listed: self._chosen_gone_retold(spec, listed),
                )
                return
            self.start_source(spec)  # not listed: OpenCV may still open it by its index
            return
        self.choose_camera(device)
        self._tell_taken(devices, device, spec.index, beside)

    def _tell_taken(
        self,
        devices: list[CameraDevice],
        device: CameraDevice,
        chosen_index: int | None,
        beside: frozenset[int],
        typed: str = "",
    ) -> None:
        """``device`` was started for the camera chosen at ``chosen_index`` (of its name;
        None: asked for by the name ``typed`` after ``--camera``; ``beside``: the others
        known, see :meth:`.CameraPicker.beside`): where others answer that too (of its name,
        none at that index; or named by ``typed``), a notice says which was taken."""
        if device.index != chosen_index:
            taken = CameraTaken.of(devices, device, chosen_index, beside, typed)
            # Asked for before the model has loaded, it is not started yet: it opens then.
            waiting = not self._initial_source_started
            self.camera_taken.tell(devices, dataclasses.replace(taken, waiting_for_model=waiting))

    def _chosen_gone_text(self, spec: CameraSpec, devices: list[CameraDevice]) -> str:
        """Why the camera ``spec`` chosen by its name, not among ``devices``, is not opened:
        another camera at its index, or others of its name listed beside it (or none now)."""
        held = next((other for other in devices if other.index == spec.index), None)
        if held is not None:
            return f"{spec.name} is not connected: index {spec.index} is {held.name} now."
        beside = self.picker.beside(spec.name, spec.index)
        others = [other for other in namesakes(devices, spec.name) if other.index in beside]
        return not_connected_beside(spec.name, spec.index, others)

    def _chosen_gone_retold(self, spec: CameraSpec, devices: list[CameraDevice]) -> str:
        """:meth:`_chosen_gone_text` for ``devices`` listed now; "" where the camera chosen
        is one of them again, as Start and Retry find it (see :meth:`_start_camera_again`)."""
        if listed_camera(devices, spec.name, spec.index, self.picker.beside(spec.name, spec.index)) is not None:
            return ""
        return self._chosen_gone_text(spec, devices)

    def open_stream_dialog(self) -> None:
        with self.player.paused_for_dialog():
            url = self.ask_stream_url(self.settings.stream_urls)
        if url.strip():
            self.open_network_camera(url)

    def ask_stream_url(self, recent: list[str]) -> str:
        """The URL the user types or picks from ``recent`` ("" when cancelled)."""
        url, ok = QInputDialog.getItem(
            self,
            "Open network camera",
            f"Stream URL of an IP camera or a phone's camera app (e.g. {EXAMPLE_URL} or rtsp://…):",
            recent or [""],
            0,
            True,
        )
        return url if ok else ""

    def open_network_camera(self, url: str) -> None:
        """Play the network camera at ``url``; a URL that cannot be one is refused in one line."""
        try:
            url = check_stream_url(url)
        except ValueError as exc:
            self.source_messages.show_problem(f"Not a network camera address: {exc}.", None)
            return
        self.start_source(CameraSpec(-1, url=url))

    def open_video_dialog(self) -> None:
        with self.player.paused_for_dialog():
            path = self.ask_open_path("Open video", self.dialog_folders.video_start(), VIDEO_FILTER)
        if path:
            self.open_video(path)

    def dialog_folders_answered(self) -> bool:
        """See :meth:`DialogFolders.answered` (tests wait for it)."""
        return self.dialog_folders.answered()

    # Dialogs go through these two methods, so tests can answer them.
    def ask_open_path(self, title: str, folder: str, filters: str) -> str:
        path, _ = QFileDialog.getOpenFileName(self, title, folder, filters)
        return path

    def ask_save_path(self, title: str, suggestion: str, filters: str) -> str:
        path, _ = QFileDialog.getSaveFileName(self, title, suggestion, filters)
        return path

    def ask_folder_path(self, title: str, start: str) -> str:
        return QFileDialog.getExistingDirectory(self, title, start)

    def _ask_export_folder(self) -> str:
        with self.player.paused_for_dialog():
            return self.ask_folder_path("Export the session timeline into folder", self.dialog_folders.export_start())

    def _on_timeline_exported(self, png: Path, csv_path: Path) -> None:
        self.settings.last_export_dir = str(png.parent)
        self.show_saved(f"Saved the session timeline {png.name} and {csv_path.name} in {png.parent}", png)

    def show_saved(self, message: str, path: Path) -> None:
        """A notice that stays until dismissed (not a status-bar line that is cut off and
        gone after seconds), with a button to open the folder."""
        folder = Path(path).parent
        # A save may have made its folder (the output folder's first snapshot): the dialogs
        # asked at the start would open above it, in the home folder, till asked again.
        self.dialog_folders.ask_about()
        self.notice_banner.show_message(message, "info", [("Open folder", lambda: _open_folder(folder))])

    @property
    def is_running(self) -> bool:
        return self.source_state.running

    @property
    def source(self) -> SourceSpec | None:
        return self.source_state.spec

    # ---- model --------------------------------------------------------------------------
    def choose_weights(self, path: Path) -> None:
        """Switch to another model; the video keeps playing, labelled by the model in use,
        while it loads."""
        path = Path(path)
        self._loading_model = path.absolute()  # as the controller hands it on, and the status names it
        self.status.show_standing(f"Loading {path.name}…")
        self.model_menu.set_current(self._loading_model)  # the pick is taken, as the note says
        self.controller.load_weights(path)

    def load_weights_dialog(self) -> None:
        with self.player.paused_for_dialog():
            path = self.ask_open_path("Load emotion model", self.dialog_folders.weights_start(), WEIGHTS_FILTER)
        if path:
            self.settings.last_weights_dir = str(Path(path).absolute().parent)
            self.dialog_folders.ask_about()
            self.choose_weights(Path(path))

    # ---- overlay settings -----------------------------------------------------------------
    def set_show_bars(self, show: bool) -> None:
        self.view.set_show_bars(show)
        self.controller.set_show_bars(show)
        self.settings.show_bars = show
        if self.bars_action.isChecked() != show:
            self.bars_action.setChecked(show)

    def set_steadiness(self, level: str) -> None:
        """A level of STEADINESS_LEVELS: for the pipeline, the settings and the control."""
        if level not in STEADINESS_LEVELS:
            level = DEFAULT_STEADINESS_LEVEL
        changed = level != self.settings.steadiness
        self.controller.set_steadiness(level)
        self.settings.steadiness = level
        if changed and self.is_file and self.source_state.running and self.source_state.paused:
            # The paused frame is labelled again at once (Off: its own raw label). The new
            # time constant cannot be applied to the frames before it (only the smoothed
            # state is kept). A frame left on screen by a file stopped or shown to its end
            # keeps its labels: the level is for the frames played from there.
            self.controller.show_again()
        self.window_actions.steadiness_actions[level].setChecked(True)
        index = self.steadiness_box.findData(level)
        if self.steadiness_box.currentIndex() != index:
            self.steadiness_box.blockSignals(True)
            self.steadiness_box.setCurrentIndex(index)
            self.steadiness_box.blockSignals(False)

    # ---- snapshot and recording -------------------------------------------------------------
    def save_snapshot(self, path: str | Path) -> Path:
        """Save the frame on screen with its overlay now (the menu action saves in the
        background); OSError where it cannot be saved (see :func:`.snapshot.save_snapshot`)."""
        result = self.view.result
        if result is None:
            raise RuntimeError("no frame to save yet")
        return save_snapshot(result, path)  # as given: Path("shots/") drops what names a folder

    def snapshot(self) -> None:
        """One key: the frame on screen into the output folder, without asking."""
        result = self.view.result  # the frame on screen when the key was pressed
        if result is None:
            self.status.showMessage("No frame to save yet", 3000)
            return
        # Made, checked and given a free name on the writing thread: on a network share
        # whose server has gone each of those waits for minutes (folder_refused tells).
        self.snapshots.save_into(result, Path(self.output_folder.path()), datetime.now())

    def snapshot_dialog(self) -> None:
        result = self.view.result  # the frame on screen when the button was pressed
        if result is None:
            self.status.showMessage("No frame to save yet", 3000)
            return
        suggestion = Path(self.dialog_folders.output_start()) / f"emotion-snapshot-{datetime.now():%Y%m%d-%H%M%S}.png"
        with self.player.paused_for_dialog():
            path = self.ask_save_path("Save snapshot", str(suggestion), "PNG image (*.png)")
        if path:  # checked on the writing thread: never over the image being shown
            self.snapshots.save(result, path, self.source_state.played_path)

    def start_recording(self, video_path: str | Path, csv_path: str | Path | None = None) -> RecordingRequest | None:
        """See :meth:`RecordingControl.start`."""
        return self.recordings.start(video_path, csv_path)

    def stop_recording(self) -> None:
        """End the recording, or the check of one about to start."""
        self.recordings.stop()

    @property
    def recording(self) -> RecordingRequest | None:
        return self.recordings.recording

    def record_dialog(self) -> None:
        """See :meth:`RecordingControl.record_dialog`."""
        self.recordings.record_dialog()

    # ---- output folder -------------------------------------------------------------------------
    def set_output_folder(self, folder: str | Path) -> None:
        """See :meth:`OutputFolderControl.set`."""
        self.output_folder.set(folder)

    def output_folder_checked(self) -> bool:
        """Whether the output folder chosen last has been taken or refused (tests wait for it)."""
        return self.output_folder.checked()

    # ---- worker signals ------------------------------------------------------------------------
    def _on_source_opened(self, info: SourceInfo) -> None:
        if info.request != self.controller.requests_sent:
            return  # stopped or opened again since (its open could not be given up)
        end_waiting = self._end_wait.take()  # that frame's result will not be shown
        self.source_state.opened(info)
        if info.session != self._opened_session:
            # Another session than the last source opened: another source (cleared already),
            # or a file changed on disk since (written over), whose people are not those named
            # (its frames count ids from #1 again). Told by its number, not a flag: an open
            # given up for a newer one before it was heard of would have taken the flag along.
            self._opened_session = info.session
            self.timeline_panel.clear()
        if self._names.names:
            # Opened again in its session (another session clears them): a file's people
            # found again keep their ids, so the names given stay theirs.
            self._names = FaceNames(info.stream_id, self._names.names)
            self.controller.set_names(self._names)
        self.window_cover.update_notice()
        if isinstance(info.spec, CameraSpec):  # "started", where its open had failed before (Retry)
            self.camera_taken.opened(info.spec, self.picker.devices())
        if isinstance(info.spec, CameraSpec) and info.spec.url:
            # Remembered once it opened: a mistyped address is neither offered again nor
            # reopened at the next start.
            self.settings.remember_network_camera(info.spec.url)
            self.settings.remember_stream_url(info.spec.url, RECENT_FILES)
            self.picker.set_network_cameras(self.settings.stream_urls)  # and selected, the source
        named, self._to_list_once_opened = self._to_list_once_opened, None  # this open answers it
        if isinstance(info.spec, VideoFileSpec) and info.spec.path == named:
            # Listed once it opened, as a network camera is: a file, or a folder, that did not
            # open is not offered again as if it would.
            self.settings.remember_recent(str(info.spec.path), RECENT_FILES)
            self._rebuild_recent_menu()
        self.playback_bar.set_source(info)
        self.stats.reset()
        if self.source_state.looked_at_again:
            # Opened again only for its frame to be looked at anew: still stopped or finished
            # to the user, its bar, banner ("Play again") and status line stay as they were.
            if self.source_state.ended:
                self.playback_bar.show_finished()
                if end_waiting is not None:  # its frame is labelled anew: the end is told now
                    self.source_messages.show_ended(end_waiting)
            self._update_actions()
            return
        self.source_banner.dismiss()
        self.setWindowTitle(f"{APP_TITLE} — {_short_name(info.spec)}")
        rate = f", {info.fps:.0f} fps" if info.fps > 0 and not info.slide_show else ""
        asked = info.spec.size if isinstance(info.spec, CameraSpec) else None
        # A camera that cannot give the size asked for keeps one it can: say so.
        refused = f" (asked for {asked[0]}x{asked[1]})" if asked and asked != (info.width, info.height) else ""
        text = f"{info.describe()}: {info.width}x{info.height}{refused}{rate}"
        self.status.showMessage(text, 8000 if refused else 4000)
        self._update_actions()

    def _on_source_fault(self, fault: SourceFault) -> None:
        if fault.spec != self.source_state.spec or fault.request != self.controller.requests_sent:
            return  # a source the user has already moved away from, or stopped or opened again
        self._end_wait.take()
        if fault.kind is FaultKind.OPEN_FAILED:
            if isinstance(fault.spec, CameraSpec):  # not "started" where it did not open
                self.camera_taken.open_failed(fault.spec, self.picker.devices())
            # Nothing of the source shown before stays on screen as if it were this one: not
            # its frame, nor its place and length on the seek bar.
            self.source_state.failed_to_open()
            self.view.clear()
            self.playback_bar.clear()
            self.setWindowTitle(APP_TITLE)
            if isinstance(fault.spec, VideoFileSpec):
                # A recent file that opened before keeps its place (it may open again: a
                # drive plugged back in); listed anew, it is greyed out where it is gone.
                self._rebuild_recent_menu()
        else:
            self.source_state.failed(ended=fault.kind is FaultKind.ENDED)
        self.window_cover.update_notice()
        self.stop_recording()
        self._update_actions()
        if fault.file_end is not None:  # its last frame's own showing, at an end or a cut
            self.timeline_panel.end_file(fault.file_end)
        if fault.kind is FaultKind.ENDED:
            self.playback_bar.show_finished()
            shown = self.view.result
            last = fault.last_frame
            if last is not None and (shown is None or (shown.run, shown.frame_index) != last):
                # Its last frame's result has not come yet (the inference thread busy): a
                # slide show's "Finished playing" beside the picture before, unlabelled. The
                # wait has a bound (END_WAIT_MS): a result may come late, or never.
                self._end_wait.wait(last, fault.message)
                return
            self.source_messages.show_ended(fault.message)
            return
        self.source_messages.show_problem(fault.message, fault.spec, fault.file_there)

    def _show_end_waited(self, message: str) -> None:
        """The end that waited for its last frame's result, told where the file is still
        finished: a seek, a step or Home since opened it again, not through start_source (the
        wait's time ran on there, its banner over the file opening)."""
        if self.source_state.ended:
            self.source_messages.show_ended(message)

    def _on_source_stopped(self, request: int) -> None:
        if request != self.controller.requests_sent:
            return  # the source was opened again since (Stop, then Start at once)
        self.source_state.stopped()
        waiting = self._end_wait.take()
        if waiting is not None and self.source_state.ended:
            # Stopped while its last frame waited to be labelled: the stop let that frame go
            # unlabelled, so the end is told now (it waited for a result that never came).
            self.source_messages.show_ended(waiting)
        self.window_cover.update_notice()
        # Said once, by the summary on the right, at once (with the buttons): a message
        # "Stopped" on the left beside it said it twice.
        self._update_actions()

    def _on_model_status(self, status: ModelStatus) -> None:
        before = self._model_status.active_weights if self._model_status is not None else None
        self._model_status = status
        # While a model chosen loads, only its own news ends the "Loading" note: not the model
        # in use getting its fast classifier, nor the start-up model (or the one standing in
        # for it) arriving after the choice.
        loading = self._loading_model
        quiet = loading is not None and (
            status.weights_path != loading or status.stand_in or (status.ok and status.runner_changed)
        )
        if loading is not None and not quiet:
            self._loading_model = None
            self.status.show_standing("")
            if not status.ok:
                self.status.clearMessage()  # the banner says why
        # The tick is on the model chosen while it loads; else on the one in use (a failed
        # load leaves the old one ticked).
        if self._loading_model is not None:
            self.model_menu.set_current(self._loading_model)
        else:
            self.model_menu.set_current(status.active_weights, status.active_resolved)
        picked = loading is not None and not quiet  # the model picked has loaded (maybe the one in use)
        if status.ok and status.active_weights is not None and (status.active_weights != before or picked):
            # Once per model, as it loads: storing it resolves its path, a stat that would
            # block on a network share gone since (news of its fast classifier comes later).
            # A model standing in for one that did not load is no choice: the user's stays
            # remembered until they pick another (its share may be back next time). Nor is
            # one named with --weights, which is for that run, as other options are.
            named_for_this_run = not picked and status.active_weights == self.options.weights
            if not status.stand_in and not named_for_this_run:
                self.settings.remember_weights(status.active_weights, status.active_resolved)
            self._about.look_for_card(status.active_weights)
        self.status.show_model(status)
        if not self._initial_source_started:
            self._initial_source_started = True
            self.camera_taken.model_loaded(self.picker.devices())
            with self.source_messages.started_unasked():  # Start's error meanwhile is not news
                self._start_by_starts_rule(self._pending_source)
        if status.ok:
            self.timeline_panel.set_labels(status.labels)
            if not status.runner_changed:
                self.model_banner.dismiss()
                if status.active_weights != before or picked:
                    self.player.look_again(paused_too=True)
            name = status.weights_path.name if status.weights_path else "model"
            mode = f" ({status.inference_mode})" if status.inference_mode else ""
            if not quiet:
                self.status.showMessage(f"Loaded {name}{mode}", 5000)
            return
        if status.active_weights is not None:
            self.model_banner.show_message(
                f"Could not load the model: {status.error}. {self._still_using(status, status.active_weights)}",
                "warning",
                [("Load weights…", self.load_weights_dialog)],
            )
            return
        self.model_banner.show_message(
            f"Emotion model not loaded: {status.error}. The video plays without face boxes or labels until a "
            "model loads: start with --weights FILE, or load one.",
            "error",
            [("Load weights…", self.load_weights_dialog)],
        )

    def _still_using(self, status: ModelStatus, active: Path) -> str:
        """What runs after ``status``'s model did not load, and what becomes of it."""
        if not status.stand_in:
            return f"Still using {active.name}."
        remembered = status.weights_path
        if self.options.weights is None and remembered is not None:  # the model chosen last time
            return f"Using {active.name} for now; the next start tries {remembered.name} again."
        return f"Using {active.name} instead."

    def _on_result(self, result: InferenceResult) -> None:
        self.stats.on_result(result)
        if result.stream_id != self.source_state.stream_id:
            # A late frame of the previous source: while another opens (its session has
            # begun), after it failed to or was stopped as it opened, or after it was
            # replaced. Not shown; but a file's last frame, whose end came first, still
            # counts in the timeline.
            self.timeline_panel.add_unshown(result)
            return
        # A frame labelled before a name was given, or a Clear or a rename (it waited here, or
        # was being labelled) has the names before: it shows those held now. Every frame
        # labelled after has them, so recorded (see InferenceWorker.set_names).
        result = with_names(result, dict(self._names.names) if self._names.stream_id == result.stream_id else {})
        shown_before = self.view.result
        self.view.set_result(result)
        self.recordings.result_shown(result)  # a slide show's picture recorded counts in REC
        if self.is_file and not self.source_state.ended:  # a late frame after the end: the bar reads finished
            # Playing on by itself: the same stream, moved by no seek since the frame before.
            playing_on = (
                self.source_state.playing
                and shown_before is not None
                and shown_before.stream_id == result.stream_id
                and shown_before.seeks == result.seeks
            )
            # First: the time it says is the status line's and the screen reader's (below).
            self.playback_bar.show_position(result.frame_index, playing_on=playing_on)
        if self.source_state.paused:  # a step's or a seek's frame: where it is, for a screen reader
            self.view.set_standing(self._standing_words())
        if (
            shown_before is None
            or shown_before.stream_id != result.stream_id
            or len(result.faces) != len(shown_before.faces)
        ):
            # A face that comes or goes shows in the status line with its box, not up to
            # a refresh later ("no faces" beside a boxed face reads as a fault); so does a
            # source's first frame, which ends its "Opening…".
            self._say_status()
        self.timeline_panel.add(result, in_file=self.is_file)
        # The file's last frame shown: now it has finished.
        self._end_wait.result_shown((result.run, result.frame_index))

    def _played_on(self) -> None:
        """A paused file is about to play on (see PlayerControl.resume)."""
        self.stats.restart_rates()
        self.recordings.playing_on()  # a slide show's picture on screen is recorded whole

    def _on_stream_left(self, end: FileEnd) -> None:
        """A file stopped on a frame: that frame's faces count its own showing, as at the
        file's end; not where another source's session has begun since (its rows are new)."""
        if end.run[0] == self.source_state.stream_id:
            self.timeline_panel.end_file(end)

    def _on_playback(self, state: PlaybackState) -> None:
        info = self.source_state.info
        if not self.source_state.reported(state, self.controller.holds_sent):
            return
        if info is not None and self.source_state.info is not info:  # its length learnt
            self.playback_bar.set_frame_count(state.frame_count)
        # A report comes with a move (pause, resume, seek, step, a length learnt), never
        # with a frame played: the handle shows it at once (a finished file's bar reads
        # its end).
        if not self.source_state.ended:
            self.playback_bar.show_position(state.position)
        self._update_actions()

    @property
    def model_status(self) -> ModelStatus | None:
        return self._model_status

    # ---- actions and status line -----------------------------------------------------------------
    def _update_actions(self) -> None:
        start_stop = "Stop" if self.source_state.active else "Start"
        self.timeline_panel.set_source_active(self.source_state.active)
        self.start_stop_action.setText(start_stop)
        file_open = self.is_file and self.source_state.active
        if file_open:
            self.play_pause_action.setText("&Play" if self.source_state.paused else "&Pause")
        else:
            # A camera, or a file not playing (finished, stopped): Space starts it, as Start does.
            self.play_pause_action.setText(f"&{start_stop}")
        # The action stays enabled (Space starts and stops a camera); only its button hides.
        # A file not playing has Start alone, in the toolbar and the menu: its "Play" did the same.
        self.play_pause_button_action.setText(plain(self.play_pause_action.text()))
        self.play_pause_button_action.setVisible(file_open)
        # The menu's letter: S, beside Play/Pause's P (hidden where that says Start or Stop).
        self.start_stop_menu_action.setText(f"&{start_stop}")
        self.start_stop_menu_action.setVisible(file_open)
        info = self.source_state.info
        # A file that could not be opened has nothing to move through: Start or Retry opens it.
        movable = self.is_file and (info is not None or self.source_state.active)
        # A single picture has no other frame to step to: Right on a photo shown to its end
        # held it "Paused", with Stop and Play. Home plays it again, as its Play again does.
        single = info is not None and info.single_picture
        self.step_back_action.setEnabled(movable and not single)
        self.step_forward_action.setEnabled(movable and not single)
        self.restart_action.setEnabled(movable)
        # A single picture has no seek bar: it read "0:00 / 0:02" beside a picture shown to its end.
        self.playback_bar.setVisible(self.is_file and info is not None and not info.single_picture)
        self.view.set_standing(self._standing_words())
        self.recordings.playback_changed()  # REC's time stands still with a paused file
        # The status line turns with the buttons: "Playing · …" stayed beside Pause's "Play",
        # and beside a finished file's "Start", until its next refresh (half a second).
        self._say_status()
        spec = self.source_state.spec
        if isinstance(spec, CameraSpec) and not spec.url and self.source_state.active:
            self.camera_menu.set_running(spec.name, spec.index)
        else:
            self.camera_menu.set_running("", -1)

    def _standing_words(self) -> str:
        """How the frame shown stands still, for a screen reader (the view's description):
        "Paused at 0:12", "Finished", "Stopped"; "" while frames play on."""
        state = self.source_state
        if state.running and state.paused and not state.looked_at_again:
            position = self._position_text()
            return f"Paused at {position}" if position else "Paused"
        if state.active:
            return ""
        return "Finished" if state.ended else "Stopped"

    def _position_text(self) -> str:
        """Where the file is, as the status line tells it: as the seek bar says it ("0:12";
        "" where its frames have no times, or for a single picture). Worked out from the
        frame shown at each status refresh, it said the time up to a refresh (half a second)
        after the seek bar did."""
        info = self.source_state.info
        if info is None or info.fps <= 0 or info.single_picture:
            return ""
        return self.playback_bar.time_text()

    def _on_time_said(self) -> None:
        # The seek bar says another time (a second played on, a seek, a step): the status line
        # says it in the same moment, not at its next refresh. Only where the line says a
        # time: the bar of a file without a frame rate says each frame's number, and the line
        # was made anew each frame, its rate changing faster than it can be read.
        if self._position_text():
            self._say_status()

    def _say_status(self) -> None:
        """The status line's summary now, and its technical figures worked out at the same
        moment: the summary said alone read "25 fps" beside "Display 26.9 fps"."""
        now = time.perf_counter()
        self.status.show_stats(self.stats, now)
        self.status.show_summary(self.status_summary(now))

    def _refresh_status(self) -> None:
        self._say_status()
        self.recordings.refresh_indicator()
        self._tell_unsaved_settings()

    def _tell_unsaved_settings(self) -> None:
        """Say in the window, once, that the settings file takes no changes (read-only, or
        its folder): logged only at the exit, after the window had gone, nobody saw it."""
        problem = self.settings.save_problem()
        if problem and not self._unsaved_settings_shown:
            self.notice_banner.show_message(problem, "warning", tag=_UNSAVED_SETTINGS_TAG)
        elif not problem and self._unsaved_settings_shown and self.notice_banner.tag == _UNSAVED_SETTINGS_TAG:
            self.notice_banner.dismiss()
        self._unsaved_settings_shown = bool(problem)

    def status_summary(self, now: float) -> str:
        """The state in plain words: "Live · 2 faces · 30 fps", "Paused · 0:12 / 1:30"; a
        slow camera's pace: "Live · 1 face · 1 frame every 8 s"; a network camera's drops
        that were reconnected: "Live · 1 face · 30 fps · reconnected after 2 drops"; a frame
        left on screen: "Finished · 5 faces", "Stopped · no faces"; as the view says, "Loading
        the emotion model…" and "Opening…" until a first frame has been looked at."""
        if not self._initial_source_started:
            return LOADING_MODEL  # as the view says: "Stopped" read as if nothing would play
        result = self.view.result
        faces = len(result.faces) if result is not None else 0
        faces_text = "no faces" if faces == 0 else count_text(faces, "face")
        if self.source_state.looked_at_again or not (self.source_state.running or self.source_state.starting):
            # Opened again only for its frame to be looked at anew, a file still reads as it
            # was; the frame left on screen keeps its boxes, counted as paused they are.
            standing = "Finished" if self.source_state.ended else "Stopped"
            return standing if result is None else f"{standing} · {faces_text}"
        if self.source_state.starting or result is None or result.stream_id != self.source_state.stream_id:
            # Opened, but no frame of it looked at yet: the view still says "Opening …" (or
            # holds the source before's frame), and its faces are not "no faces" before
            # anyone looked for them, nor that frame's ("Playing · 0:00 / 0:19 · 1 face · 0 fps").
            return "Opening…"
        parts: list[str] = []
        info = self.source_state.info
        if isinstance(self.source_state.spec, VideoFileSpec):
            parts.append("Paused" if self.source_state.paused else "Playing")
            if position := self._position_text():
                parts.append(
                    f"{position} / {format_time(info.frame_count / info.fps)}"
                    if info is not None and info.frame_count
                    else position
                )
        else:
            parts.append("Live")
        parts.append(faces_text)
        # A slide show's picture every 2 s read "0 fps", as if it had stalled; so did a
        # source's first frame, looked at but not painted yet (the display counts paints).
        painted = self.stats.display_pace.last is not None
        if not self.source_state.paused and not (info is not None and info.slide_show) and painted:
            # A snapshot camera's frame every 8 s read "0 fps" too: its pace is told instead.
            rate = rate_text(self.stats.display_rate.settled_rate(now), self.stats.display_pace, now)
            if rate is not None:
                parts.append(rate)
        if self.source_state.reconnected:
            parts.append(f"reconnected after {count_text(self.source_state.reconnected, 'drop')}")
        return " · ".join(parts)

    # ---- shutdown --------------------------------------------------------------------------------
    def shutdown(self, timeout_s: float = 1.0) -> bool:
        """Stop every worker thread (and release the camera); True if within ``timeout_s``."""
        if self._shut_down:
            return not self.controller.is_running
        self._shut_down = True
        # From here a Ctrl+C or SIGTERM says the exit waits for what is being written.
        quitting.exit_begun()
        self._status_timer.stop()
        self._end_wait.take()
        self.settings.window_geometry = self.saveGeometry()
        self.timeline_dock.remember_at_close()
        self.settings.sync()
        # Gone from the screen before the waits below (the snapshots' may take a while): a
        # window that no longer answers clicks would look frozen.
        self.hide()
        stopped = self.controller.shutdown(timeout_s)
        # An export's thread waits for its child process: briefly now, not till it is done;
        # one stuck on a share that does not answer is left (a daemon thread), and said so.
        self.timeline_panel.finish_exports()
        # A process that exits under a snapshot being written loses it: each is waited for
        # while its folder answers; those on a share that has stopped answering are told
        # on stderr and left (daemon threads).
        self.snapshots.finish()
        deadline = time.monotonic() + 5.0
        # The codec probe runs on the global pool: a process that exits under it can
        # crash in FFmpeg's teardown (measure_gui exited with SIGSEGV once).
        pool = QThreadPool.globalInstance()
        if pool is not None:
            quitting.wait_for_pool(pool, max(0.0, deadline - time.monotonic()))
        self._gc_hold.release()
        return stopped

    def unsaved_now(self) -> list[str]:
        """What a process ending now would leave unsaved of this window's: the settings,
        snapshots and timeline exports still being written (recordings and model loads are
        their modules' to tell: see ``gui/quitting``)."""
        return self.settings.unsaved() + self.snapshots.unsaved() + self.timeline_panel.exports_left()

    def _fit_to_screen(self, saved: QByteArray | None) -> None:
        """Size the window: the saved geometry (Qt fits it to today's screens), else a first
        size the screen has room for (:data:`FIRST_WINDOW_SIZE`); saved bytes Qt refuses are
        logged once."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        room = screen.availableGeometry().size() if screen is not None else QSize()
        minimum = QSize(*MIN_WINDOW_SIZE)
        if room.isValid() and not room.isEmpty():
            minimum = minimum.boundedTo(room)
        self.setMinimumSize(minimum)
        if saved is not None:
            if self.restoreGeometry(saved):
                return
            self.settings.window_geometry_refused()
        first = QSize(*FIRST_WINDOW_SIZE)
        if room.isValid() and not room.isEmpty():
            share = FIRST_WINDOW_SCREEN_SHARE
            first = first.boundedTo(QSize(int(room.width() * share), int(room.height() * share)))
        self.resize(first.expandedTo(minimum))

    def event(self, event: QEvent | None) -> bool:
        handled = super().event(event)
        if event is not None and event.type() in WINDOW_PLACE_EVENTS:
            self.window_cover.note_window()
        if event is not None and event.type() == QEvent.Type.WindowStateChange:
            self._sync_fullscreen_actions()
        if event is not None and event.type() in (QEvent.Type.WindowActivate, QEvent.Type.WindowDeactivate):
            # Qt gives the keyboard back right after this: see _keep_keyboard_on_video.
            self._activated = event.type() == QEvent.Type.WindowActivate
        return handled

    def closeEvent(self, event: QCloseEvent | None) -> None:
        self.shutdown()
        if event is not None:
            event.accept()


def _name_not_found_text(wanted: str, devices: list[CameraDevice]) -> str:
    """Why no camera named ``wanted`` (typed after ``--camera``) was started, with ``devices``
    listed; "" where one of them is found by that name now (see :func:`.find_camera`)."""
    if find_camera(devices, wanted) is not None:
        return ""
    names = names_apart(devices) or "none found"
    return f"No camera named '{wanted}'. Cameras: {names}."


def _went_away(widget: QWidget) -> bool:
    """Deleted, hidden or greyed out: no place for the keyboard."""
    return sip.isdeleted(widget) or not widget.isVisible() or not widget.isEnabled()


def _dropped_paths(mime: QMimeData | None) -> list[Path]:
    """The local files and folders among dropped URLs, in their order."""
    if mime is None or not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile() and url.toLocalFile()]


def _probe_codecs() -> None:
    h264_codec()  # cached: the first recording then knows its codec at once


def _open_folder(folder: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def _short_name(spec: SourceSpec) -> str:
    if isinstance(spec, VideoFileSpec):
        return Path(spec.path).name
    if isinstance(spec, ScreenSpec):
        return spec.describe(capital=True)
    if spec.url:
        return url_host(urlsplit(spec.url).hostname or "") or "network camera"
    return spec.name or f"camera {spec.index}"
