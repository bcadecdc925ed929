"""Random use of the desktop app, to find what no planned test thought of.

Opens the real main window (real threads, model, cascade and files) and does random
things a user can do, one every 0-150 ms: opens good, corrupt, empty and missing
videos, an image and a folder of images (also dropped on the window, from the recent
list and the camera list); plays, pauses, seeks (the slider too), steps and restarts;
presses the player and view keys; mirrors, toggles the bars, the timeline, full screen
and the figures; changes steadiness (an unknown level too) and the camera size; loads
good, other-class, corrupt and missing weights (the Model menu too); takes snapshots and records, to good
paths, into missing folders and onto the playing video; sets the output folder to a
file; opens a missing camera, refused and malformed network cameras and the screen;
exports the timeline, names people, opens the About and shortcut dialogs (closed again
after a moment); resizes the window. The file dialogs are answered through the
window's ``ask_*`` hooks, with a random one of those paths or a cancel.

Then it checks that the app came through (View's ticks of where the timeline is agree
with where it is, after every action): no exception escaped a slot or a thread, Qt
never warned of an object used from a thread it does not live on, no frame failed in
the pipeline, the GUI thread never stalled longer than ``--max-stall-ms``, the app
still plays a good video with the given weights, every thread stops when the window
closes, no half-written file is left behind and every input file is as it was. It
prints what it did and what it saw, and exits 1 if any check failed (2 for bad input,
such as a video it can't read, as the app's commands).

With ``--messages`` it also lists every message the window's banners showed, counted
alike: no check can tell a wrong word from a right one, but a reader can.

With ``--cameras`` the window starts with no file, on a camera (``--camera`` a name, an
index or none), and the monkey also plugs and unplugs cameras (three of one name among
them: the good video played at 30 fps through the camera code path; one unplugged while
running stops delivering frames, one not listed fails to open as OpenCV's own would),
picks them, and clicks the banners' buttons (Start, Retry, dismiss, ...). With
``--settings-trouble`` it also puts a loop of links, a chain of more links than the
system follows (ending at a file that must stay as it was), a link to a missing folder
or a folder in the settings file's place, and mends it again: the app must say its
settings cannot be saved and keep whatever stands there. With ``--timeline-moves`` it
also floats the session timeline and docks it back or at a side (View's items and the
panel's float button) and takes the keyboard to it and back (F6).

    python -m scripts.gui_monkey [--video CLIP] [--weights W] [--pictures PICTURE ...]
                                 [--actions 300] [--seed 0] [--max-stall-ms 1000] [--stall-stacks]
                                 [--messages] [--cameras] [--settings-trouble] [--timeline-moves]
"""

from __future__ import annotations

import contextlib
import faulthandler
import hashlib
import logging
import random
import shutil
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PyQt6.QtCore import QMessageLogContext, QMimeData, QPointF, Qt, QTimer, QtMsgType, QUrl, qInstallMessageHandler
from PyQt6.QtGui import QAction, QDragEnterEvent, QDropEvent
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QApplication, QPushButton

from emotion_app.gui.app import create_application, release_window
from emotion_app.gui.camera_picker import CameraDevice, StaticDeviceMonitor
from emotion_app.gui.camera_size import parse_camera_size
from emotion_app.gui.launch import LaunchOptions
from emotion_app.gui.main_window import MainWindow
from emotion_app.gui.message_banner import MessageBanner
from emotion_app.gui.settings import AppSettings
from emotion_app.gui.stall_monitor import StallMonitor
from emotion_app.inference.runners import import_backends
from emotion_app.inference.steadiness import STEADINESS_LEVELS
from emotion_app.io.temporary_names import is_unfinished
from emotion_app.samples import make_random_weights, write_demo_video
from emotion_app.sources.frame_source import FrameSource
from emotion_app.sources.opening import open_frame_source
from emotion_app.sources.specs import CameraSpec, SourceSpec, VideoFileSpec
from scripts.support.arguments import script_parser
from scripts.support.errors import refuse
from scripts.support.model_weights import weights_or_random
from scripts.support.qt_loop import spin, spin_until

# Log lines that mean a fault of the app, not of the input it was given.
FAULT_MESSAGES = ("unhandled exception", "could not be processed")
# Qt's words for an object used from a thread it does not live on (a timer stopped, a child
# made, an event sent there): each is a race, however well the run went.
QT_THREAD_FAULTS = ("another thread", "different thread")
# How long the last checks wait for the window to show a frame, or for a model to load.
SETTLE_S = 60.0
# A stall this long gets every busy thread's stack noted (see StallWatch).
STALL_STACK_MS = 200.0
# Innermost frames of a thread that is waiting, not working (left out of stall reports).
IDLE_FRAMES = ("threading.py", "queue.py", "concurrent/futures/thread.py", "selectors.py", "<no Python frame>")
# The cameras --cameras plugs in and out: three of one name (one of them gone, two of its
# name are left: the "camera taken" notice's case), and another.
CAMERAS = (
    CameraDevice("Monkey Cam", 0),
    CameraDevice("Monkey Cam", 1),
    CameraDevice("Desk Webcam", 2),
    CameraDevice("Monkey Cam", 3),
)
# What --cameras asks --camera for at launch: a name several cameras hold, part of it, part
# of another, an index, a name none holds, nothing.
LAUNCH_CAMERAS = ("Monkey Cam", "Monkey", "Desk", "1", "Hubble", None)
# Banner buttons that open a file manager, outside the app: on a real desktop (xcb) each
# click would leave a window of another program open.
OUTSIDE_CAPTIONS = ("Open folder", "Open newest folder")
# More links than the system follows in one path (Linux's limit is 40).
LONG_CHAIN = 45
# The keys a user presses on the video: the player's and the view's.
KEYS = (
    Qt.Key.Key_Space,
    Qt.Key.Key_Left,
    Qt.Key.Key_Right,
    Qt.Key.Key_Home,
    Qt.Key.Key_B,
    Qt.Key.Key_M,
    Qt.Key.Key_T,
    Qt.Key.Key_Escape,
)


def digest(path: Path) -> str:
    """What a file holds (a folder: its files' names and contents)."""
    hasher = hashlib.sha256()
    for member in sorted(path.rglob("*")) if path.is_dir() else [path]:
        if member.is_file():
            hasher.update(member.name.encode())
            hasher.update(member.read_bytes())
    return hasher.hexdigest()


class StallWatch:
    """Where every thread is when the GUI thread stalls (``--stall-stacks``).

    The GUI thread re-arms faulthandler's watchdog every few milliseconds; if it has not
    for ``threshold_ms``, the watchdog (C code, which needs no GIL: a worker holding it is
    a cause worth seeing) writes every thread's stack to ``dump``. :meth:`stalls` reads
    them back: per stall, each busy thread's innermost frames. A diagnostic only: the
    watchdog reads threads' frames while they run, and with frequent dumps it has crashed
    the process (docs/measurements.md).
    """

    def __init__(self, dump: Path, threshold_ms: float = STALL_STACK_MS) -> None:
        self.threshold_s = threshold_ms / 1000.0
        self._dump_path = dump
        self._dump = dump.open("w")
        self._names: dict[int, str] = {}
        self._beats = 0
        self._timer = QTimer()
        self._timer.setInterval(5)
        self._timer.timeout.connect(self._on_beat)

    def _on_beat(self) -> None:
        faulthandler.dump_traceback_later(self.threshold_s, repeat=False, file=self._dump)
        self._beats += 1
        if self._beats % 100 == 1:  # the dump names threads by id only
            self._names.update((thread.ident, thread.name) for thread in threading.enumerate() if thread.ident)

    def __enter__(self) -> StallWatch:
        self._on_beat()
        self._timer.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._timer.stop()
        faulthandler.cancel_dump_traceback_later()
        self._dump.close()

    def stalls(self) -> Counter[str]:
        """Each stall's busy threads (name: innermost frames), counted alike."""
        found: Counter[str] = Counter()
        for dump in self._dump_path.read_text().split("Timeout (")[1:]:
            busy = []
            for block in dump.split("\nThread ")[1:]:
                header, *frames = block.strip().splitlines()
                ident = int(header.split()[0], 16)
                name = "GUI" if ident == threading.main_thread().ident else self._names.get(ident, header.split()[0])
                innermost = [frame.strip() for frame in frames[:3]]
                if innermost and not any(idle in innermost[0] for idle in IDLE_FRAMES):
                    busy.append(f"{name}: " + " <- ".join(innermost))
            found["\n".join(busy) or "(no Python frame busy)"] += 1
        return found


class FaultLog(logging.Handler):
    """Every warning or worse of the app, exceptions that escaped a thread, and Qt's
    warnings of an object used from a thread it does not live on."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[str] = []
        self.faults: list[str] = []
        self._hook_before = threading.excepthook
        self._qt_handler_before: Callable[[QtMsgType, QMessageLogContext, str | None], None] | None = None

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += f": {record.exc_info[0].__name__ if record.exc_info[0] else ''} {record.exc_info[1]}"
        self.records.append(f"{record.levelname} {record.name}: {text}")
        if any(message in text for message in FAULT_MESSAGES):
            where = "".join(traceback.format_exception(*record.exc_info)[-4:]) if record.exc_info else ""
            self.faults.append(f"{self.records[-1]}\n{where}".rstrip())

    def thread_died(self, args: threading.ExceptHookArgs) -> None:
        name = args.thread.name if args.thread is not None else "?"
        self.faults.append(f"thread {name} died: {args.exc_type.__name__} {args.exc_value}")
        self._hook_before(args)

    def qt_message(self, kind: QtMsgType, context: QMessageLogContext, message: str | None) -> None:
        text = message or ""
        if any(words in text for words in QT_THREAD_FAULTS):
            where = "".join(traceback.format_stack(limit=6)[:-1])  # the Python code that made Qt say it
            self.faults.append(f"Qt on thread {threading.current_thread().name}: {text}\n{where}".rstrip())
        if self._qt_handler_before is not None:
            self._qt_handler_before(kind, context, message)
        else:
            print(text, file=sys.stderr)

    def __enter__(self) -> FaultLog:
        logging.getLogger("emotion_app").addHandler(self)
        threading.excepthook = self.thread_died
        self._qt_handler_before = qInstallMessageHandler(self.qt_message)
        return self

    def __exit__(self, *_exc: object) -> None:
        logging.getLogger("emotion_app").removeHandler(self)
        threading.excepthook = self._hook_before
        qInstallMessageHandler(self._qt_handler_before)


class PluggedCamera:
    """A listed camera: the good video, looped, at 30 fps; reads fail once it is unplugged
    (no longer listed), as a webcam's do when its cable is pulled."""

    FPS = 30.0

    def __init__(self, video: Path, index: int, listed: Callable[[], frozenset[int]]) -> None:
        self._inner = open_frame_source(VideoFileSpec(video))
        self._index, self._listed = index, listed
        self.width, self.height = self._inner.width, self._inner.height
        self.fps, self.frame_count = self.FPS, 0
        self.last_time_s: float | None = None
        self._next_at = time.perf_counter()

    def read(self) -> np.ndarray | None:
        delay = self._next_at - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        self._next_at = max(self._next_at, time.perf_counter() - 1.0) + 1.0 / self.FPS
        if self._index not in self._listed():
            return None
        frame = self._inner.read()
        if frame is None and self._inner.rewind():
            frame = self._inner.read()
        return frame

    def rewind(self) -> bool:
        return False

    def seek(self, frame: int) -> bool:
        return False

    def release(self) -> None:
        self._inner.release()


class CameraDesk:
    """The cameras of ``--cameras``: what the device monitor lists and the source factory
    opens. A camera listed opens as a :class:`PluggedCamera`; any other through the app's
    own opening (on a machine without cameras: its own refusal)."""

    def __init__(self, video: Path) -> None:
        self.video = video
        self.monitor = StaticDeviceMonitor([])
        self._listed: frozenset[int] = frozenset()  # read by the capture thread: replaced whole

    def plug(self, devices: list[CameraDevice]) -> None:
        self._listed = frozenset(device.index for device in devices)
        self.monitor.set_devices(devices)

    def listed(self) -> frozenset[int]:
        return self._listed

    def __call__(self, spec: SourceSpec) -> FrameSource:
        if isinstance(spec, CameraSpec) and not spec.url and spec.index in self._listed:
            return PluggedCamera(self.video, spec.index, self.listed)
        return open_frame_source(spec)


@dataclass
class Inputs:
    """The files the monkey offers the app: good ones, bad ones and places to write."""

    work: Path
    video: Path
    weights: Path
    other_weights: Path  # another model, with seven classes
    garbage_video: Path
    empty_video: Path
    image: Path
    image_folder: Path
    corrupt_weights: Path
    output: Path
    animation: Path  # an animated WebP: a video read by the picture decoders
    pages: Path  # a multi-page TIFF: a slide show of its pages
    raw_mjpeg: Path  # JPEGs one after another: no container, its JPEGs counted by the app
    misnamed_video: Path  # the video under a picture's name
    settings: Path  # the settings file (--settings-trouble puts links and a folder in its place)
    chain_end: Path  # the file a chain of links in the settings file's place ends at: kept as it is
    missing: Path = field(init=False)  # never written: the saves' missing folders are others
    _unmade: int = field(default=0, init=False)
    # What --settings-trouble put in the settings file's place ("" none), and each time the
    # app replaced it before it was mended (a user's links or folder lost).
    settings_put: str = field(default="", init=False)
    settings_replaced: list[str] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        self.missing = self.work / "missing" / "nothing.mp4"

    def unmade_folder(self) -> Path:
        """A folder not there yet, new each time, to save into: were the saves aimed at
        ``missing``, it would be made, and later opens of it would open a file or folder."""
        self._unmade += 1
        return self.work / "unmade" / str(self._unmade)

    def originals(self) -> list[Path]:
        return [
            self.video,
            self.weights,
            self.other_weights,
            self.garbage_video,
            self.empty_video,
            self.image,
            self.image_folder,
            self.corrupt_weights,
            self.animation,
            self.pages,
            self.raw_mjpeg,
            self.misnamed_video,
            self.chain_end,
        ]

    def videos(self) -> list[Path]:
        return [
            self.video,
            self.garbage_video,
            self.empty_video,
            self.image,
            self.image_folder,
            self.missing,
            self.animation,
            self.pages,
            self.raw_mjpeg,
            self.misnamed_video,
        ]

    def all_weights(self) -> list[Path]:
        return [self.weights, self.other_weights, self.corrupt_weights, self.missing.with_suffix(".safetensors")]


def make_inputs(work: Path, video: Path | None, weights: Path | None, pictures: Sequence[Path] = ()) -> Inputs:
    """The good and bad files of a run, written into ``work``; ``video``, ``weights`` and
    ``pictures`` (the folder of images; else the video's first frame and its mirror image)
    are copied there, since the dialogs' answers are these paths and a snapshot or
    recording saved "as" one of them lands beside it."""
    if video is None:
        video = write_demo_video(work / "clip.avi", size=(320, 240), fps=15.0, seconds=4.0)
    else:
        video = Path(shutil.copy2(video, work / ("video" + Path(video).suffix)))
    capture = cv2.VideoCapture(str(video))
    frames: list[np.ndarray] = []
    while len(frames) < 30 and (read := capture.read())[0]:
        frames.append(read[1])
    capture.release()
    if not frames:
        refuse(f"{video}: not a video OpenCV can open")
    frame = frames[0]
    animation = cv2.Animation()
    animation.frames = frames
    animation.durations = [66] * len(frames)
    cv2.imwriteanimation(str(work / "animation.webp"), animation)
    cv2.imwritemulti(str(work / "pages.tiff"), frames[:3])
    (work / "raw.mjpeg").write_bytes(b"".join(cv2.imencode(".jpg", each)[1].tobytes() for each in frames))
    shutil.copy2(video, work / "video-named.jpg")
    folder = work / "images"
    folder.mkdir()
    if pictures:
        images = [
            Path(shutil.copy2(picture, folder / f"{number}{picture.suffix}"))
            for number, picture in enumerate(pictures, 1)
        ]
    else:
        images = [folder / "1.png", folder / "2.png"]
        cv2.imwrite(str(images[0]), frame)
        cv2.imwrite(str(images[1]), cv2.flip(frame, 1))
    (work / "garbage.mp4").write_bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    (work / "empty.mp4").write_bytes(b"")
    (work / "corrupt.safetensors").write_bytes(b"not a safetensors file")
    output = work / "output"
    output.mkdir()
    (work / "links").mkdir()
    chain_end = work / "links" / "kept.ini"
    chain_end.write_text("[General]\nkept=yes\n")
    return Inputs(
        work=work,
        video=video,
        weights=Path(shutil.copy2(weights_or_random(weights, work), work / "model.safetensors")),
        other_weights=make_random_weights(work / "seven.safetensors", num_classes=7),
        garbage_video=work / "garbage.mp4",
        empty_video=work / "empty.mp4",
        image=images[0],
        image_folder=folder,
        corrupt_weights=work / "corrupt.safetensors",
        output=output,
        animation=work / "animation.webp",
        pages=work / "pages.tiff",
        raw_mjpeg=work / "raw.mjpeg",
        misnamed_video=work / "video-named.jpg",
        settings=work / "settings.ini",
        chain_end=chain_end,
    )


Action = Callable[[MainWindow, random.Random, Inputs], None]


def close_dialog_soon() -> None:
    """Close the modal dialog about to open (About, shortcuts) after a moment, as a user would."""

    def close() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is not None:
            dialog.close()

    QTimer.singleShot(200, close)


def answer_dialogs(window: MainWindow, rng: random.Random, inputs: Inputs) -> None:
    """The window's file dialogs answered at random: a good or bad path, or a cancel."""

    def open_path(_title: str, _folder: str, _filters: str) -> str:
        return str(rng.choice([*inputs.videos(), *inputs.all_weights(), ""]))

    def save_path(_title: str, _suggestion: str, _filters: str) -> str:
        # Among them the file being played, which the app must refuse to write over. (Any
        # other existing file it may replace: a real dialog has asked the user first; so
        # with no file played, a camera's, not an input the checks expect unchanged.)
        name = f"saved-{rng.randrange(1000)}"
        spec = window.source
        playing = spec.path if isinstance(spec, VideoFileSpec) else inputs.output / "camera-take.mp4"
        if playing.is_dir():  # one of its files (an empty folder: the good video)
            playing = rng.choice(sorted(playing.iterdir()) or [inputs.video])
        return str(
            rng.choice(
                [
                    inputs.output / f"{name}.png",
                    inputs.output / f"{name}.mp4",
                    inputs.unmade_folder() / f"{name}.mp4",
                    playing,
                    "",
                ]
            )
        )

    def folder_path(_title: str, _start: str) -> str:
        return str(rng.choice([inputs.output, inputs.image_folder, inputs.unmade_folder(), ""]))

    window.ask_open_path = open_path  # type: ignore[method-assign, assignment]
    window.ask_save_path = save_path  # type: ignore[method-assign, assignment]
    window.ask_folder_path = folder_path  # type: ignore[method-assign, assignment]
    window.ask_stream_url = lambda _recent: rng.choice(["not a url", "http://127.0.0.1:9/video", ""])  # type: ignore[method-assign, assignment]
    window.timeline_panel.ask_folder = lambda: str(rng.choice([inputs.output, inputs.video, ""]))
    window.timeline_panel.ask_name = lambda _track_id, _current: rng.choice(["Ann", "", None, "x" * 500])


def note_messages(window: MainWindow, shown: Counter[str]) -> None:
    """Count in ``shown`` each message the window's banners show ("level: text")."""
    for banner in window.findChildren(MessageBanner):
        show = banner.show_message

        def noted(
            text: str, level: str = "info", *args: object, show: Callable[..., None] = show, **kwargs: object
        ) -> None:
            shown[f"{level}: {text}"] += 1
            show(text, level, *args, **kwargs)

        banner.show_message = noted  # type: ignore[method-assign]


def _about(window: MainWindow, _rng: random.Random, _inputs: Inputs) -> None:
    close_dialog_soon()
    window.show_about()


def _shortcuts(window: MainWindow, _rng: random.Random, _inputs: Inputs) -> None:
    close_dialog_soon()
    window.show_shortcuts()


def _output_folder(window: MainWindow, rng: random.Random, inputs: Inputs) -> None:
    # The good video stands for a file given as a folder.
    window.set_output_folder(rng.choice([inputs.output, inputs.video, inputs.unmade_folder()]))


def _slider(window: MainWindow, rng: random.Random, _inputs: Inputs) -> None:
    slider = window.playback_bar.slider
    if slider.isEnabled():
        slider.setValue(rng.randint(slider.minimum(), slider.maximum()))  # as a click on it


def _trigger_one_of(actions: list[QAction], rng: random.Random) -> None:
    usable = [action for action in actions if action.isEnabled() and not action.isSeparator()]
    if usable:
        rng.choice(usable).trigger()


def _recent(window: MainWindow, rng: random.Random, _inputs: Inputs) -> None:
    _trigger_one_of(window.recent_menu.actions(), rng)


def _model_menu(window: MainWindow, rng: random.Random, _inputs: Inputs) -> None:
    _trigger_one_of(window.model_menu.actions(), rng)


def _picker(window: MainWindow, rng: random.Random, _inputs: Inputs) -> None:
    picker = window.picker
    if picker.count():
        picker.activated.emit(rng.randrange(picker.count()))  # as a choice in the list


def _drop(window: MainWindow, rng: random.Random, inputs: Inputs) -> None:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(rng.choice(inputs.videos())))])
    point = QPointF(window.width() / 2, window.height() / 2)
    actions = Qt.DropAction.CopyAction
    buttons, modifiers = Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier
    window.dragEnterEvent(QDragEnterEvent(point.toPoint(), actions, data, buttons, modifiers))
    window.dropEvent(QDropEvent(point, actions, data, buttons, modifiers))


def _key(window: MainWindow, rng: random.Random, _inputs: Inputs) -> None:
    QTest.keyClick(window.view, rng.choice(KEYS))  # type: ignore[call-overload]  # PyQt6's stub of a static method


def _plug(desk: CameraDesk) -> Action:
    def plug(_window: MainWindow, rng: random.Random, _inputs: Inputs) -> None:
        desk.plug(rng.sample(CAMERAS, rng.randint(0, len(CAMERAS))))

    return plug


def _banner_button(window: MainWindow, rng: random.Random, _inputs: Inputs) -> None:
    buttons = [
        button
        for banner in window.findChildren(MessageBanner)
        if banner.isVisible()
        for button in banner.findChildren(QPushButton)
        if button.isVisible() and button.isEnabled() and button.text() not in OUTSIDE_CAPTIONS
    ]
    if buttons:
        rng.choice(buttons).click()


def _replace(path: Path) -> None:
    """Whatever stands at ``path`` (a file, a link, a folder) taken away."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _standing(path: Path) -> str:
    """What stands at ``path``: a link (and where it points), a folder, a file or nothing."""
    if path.is_symlink():
        return f"a link to {path.readlink()}"
    return "a folder" if path.is_dir() else "a file" if path.exists() else "nothing"


def _dock_the_timeline(window: MainWindow, rng: random.Random, _inputs: Inputs) -> None:
    rng.choice(list(window.timeline_side_actions.values())).trigger()  # View > Dock the timeline at > a side


def timeline_ticks_wrong(window: MainWindow) -> str | None:
    """What View's ticks say of the timeline panel where they disagree with where it is
    (in its own window or not, the side it docks at), else None."""
    panel = window.timeline_panel
    floating, side = panel.isFloating(), window.timeline_dock.side
    ticked = window.timeline_floating_action.isChecked()
    ticked_side = next((name for name, action in window.timeline_side_actions.items() if action.isChecked()), None)
    if ticked == floating and ticked_side == side:
        return None
    said, real = "floating" if ticked else "docked", "floating" if floating else "docked"
    return f"View ticks the timeline {said} at {ticked_side}, it is {real} at {side}"


def _check_settings_kept(inputs: Inputs) -> None:
    """Note it if what was put in the settings file's place is no longer there."""
    if inputs.settings_put and (now := _standing(inputs.settings)) != inputs.settings_put:
        inputs.settings_replaced.append(f"{inputs.settings}: {inputs.settings_put} became {now}")
    inputs.settings_put = ""


def _break_settings(window: MainWindow, rng: random.Random, inputs: Inputs) -> None:
    settings, links = inputs.settings, inputs.work / "links"
    _check_settings_kept(inputs)
    # Not while a save is under way: it checked the file before the links were there, and
    # its rename would replace them, as it would had they come a moment before the user's
    # last change rather than during its save. Until this returns no new save can start:
    # settings are only changed on this thread.
    spin_until(lambda: not window.settings.unsaved(), SETTLE_S)
    _replace(settings)
    kind = rng.choice(["loop", "chain", "missing folder", "folder"])
    if kind == "loop":
        (links / "loop-b").unlink(missing_ok=True)
        (links / "loop-b").symlink_to(settings)
        settings.symlink_to(links / "loop-b")
    elif kind == "chain":
        for number in range(LONG_CHAIN):
            link = links / f"chain-{number}"
            link.unlink(missing_ok=True)
            link.symlink_to(links / f"chain-{number + 1}" if number + 1 < LONG_CHAIN else inputs.chain_end)
        settings.symlink_to(links / "chain-0")
    elif kind == "missing folder":
        settings.symlink_to(inputs.work / "no-such-folder" / "settings.ini")
    else:
        settings.mkdir()
    inputs.settings_put = _standing(settings)


def _mend_settings(_window: MainWindow, _rng: random.Random, inputs: Inputs) -> None:
    _check_settings_kept(inputs)
    if inputs.settings.is_symlink() or inputs.settings.is_dir():
        _replace(inputs.settings)


def extra_actions(desk: CameraDesk | None, settings_trouble: bool, timeline_moves: bool) -> dict[str, Action]:
    """The actions of ``--cameras``, ``--settings-trouble`` and ``--timeline-moves`` (none
    without them: a seed draws the same choices as before they were added)."""
    extra: dict[str, Action] = {}
    if desk is not None:
        extra["plug cameras"] = _plug(desk)
        extra["choose a camera"] = lambda w, r, i: w.choose_camera(r.choice(CAMERAS))
        extra["banner button"] = _banner_button
    if settings_trouble:
        extra["break the settings file"] = _break_settings
        extra["mend the settings file"] = _mend_settings
    if timeline_moves:
        extra["timeline in its own window"] = lambda w, r, i: w.timeline_floating_action.trigger()
        extra["dock the timeline at a side"] = _dock_the_timeline
        # As the panel's float button does (and a double-click on its title).
        extra["timeline float button"] = lambda w, r, i: w.timeline_panel.setFloating(not w.timeline_panel.isFloating())
        extra["keyboard to the timeline and back"] = lambda w, r, i: w.timeline_keyboard_action.trigger()
    return extra


ACTIONS: dict[str, Action] = {
    "open a video or image": lambda w, r, i: w.open_video(r.choice(i.videos())),
    "open through the dialog": lambda w, r, i: w.open_video_dialog(),
    "start/stop": lambda w, r, i: w.toggle_start_stop(),
    "play/pause": lambda w, r, i: w.toggle_play_pause(),
    "step": lambda w, r, i: w.step(r.choice([-1, 1])),
    "restart": lambda w, r, i: w.restart(),
    "seek": lambda w, r, i: w.seek(r.randint(-5, 500)),
    "stop": lambda w, r, i: w.stop(),
    "retry": lambda w, r, i: w.retry(),
    "key": _key,
    "mirror": lambda w, r, i: w.mirror_action.toggle(),
    "bars": lambda w, r, i: w.bars_action.toggle(),
    "full screen": lambda w, r, i: w.fullscreen_action.toggle(),
    "figures": lambda w, r, i: w.details_action.toggle(),
    "timeline": lambda w, r, i: w.timeline_action.trigger(),
    "steadiness": lambda w, r, i: w.set_steadiness(r.choice([*STEADINESS_LEVELS, "wobbly"])),
    "camera size": lambda w, r, i: w.set_camera_size(r.choice([None, parse_camera_size("640x480")])),
    "weights": lambda w, r, i: w.choose_weights(r.choice(i.all_weights())),
    "weights through the dialog": lambda w, r, i: w.load_weights_dialog(),
    "snapshot": lambda w, r, i: w.snapshot(),
    "snapshot as": lambda w, r, i: w.snapshot_dialog(),
    "record": lambda w, r, i: w.record_action.trigger(),
    "record to": lambda w, r, i: w.record_dialog(),
    "output folder": _output_folder,
    "missing camera": lambda w, r, i: w.choose_camera(CameraDevice("Gone camera", 63)),
    "network camera": lambda w, r, i: w.open_stream_dialog(),
    "screen": lambda w, r, i: w.open_screen(0),
    "export timeline": lambda w, r, i: w.timeline_panel.export_button.click(),
    "name a person": lambda w, r, i: w.timeline_panel.name_person(r.randint(1, 3)),
    "about": _about,
    "shortcuts": _shortcuts,
    "resize": lambda w, r, i: w.resize(r.randint(300, 1400), r.randint(200, 900)),
    "refresh sources": lambda w, r, i: w.refresh_sources(),
    "slider": _slider,
    "open recent": _recent,
    "model menu": _model_menu,
    "camera list": _picker,
    "drop a file": _drop,
}


@dataclass
class Outcome:
    """What a run did and saw."""

    done: Counter[str] = field(default_factory=Counter)
    faults: list[str] = field(default_factory=list)
    warnings: Counter[str] = field(default_factory=Counter)
    slowest_ms: dict[str, float] = field(default_factory=lambda: defaultdict(float))  # each action's longest call
    max_stall_ms: float = 0.0
    worst_stall_after: str = ""  # the action after which the longest stall began
    stall_stacks: Counter[str] = field(default_factory=Counter)  # the busy threads of each long stall
    stalls_over_50ms: int = 0
    still_plays: bool = False
    threads_stopped: bool = False
    half_written: list[Path] = field(default_factory=list)
    changed_inputs: list[Path] = field(default_factory=list)
    messages: Counter[str] = field(default_factory=Counter)  # the banners' messages ("level: text")
    replaced: list[str] = field(default_factory=list)  # what --settings-trouble put there, replaced by the app

    def problems(self, max_stall_ms: float) -> list[str]:
        found = [f"fault: {fault}" for fault in self.faults]
        if self.max_stall_ms > max_stall_ms:
            found.append(f"the GUI thread stalled {self.max_stall_ms:.0f} ms (allowed {max_stall_ms:.0f})")
        if not self.still_plays:
            found.append("the window did not show a frame of the good video at the end")
        if not self.threads_stopped:
            found.append("the window's threads did not stop when it closed")
        found += [f"half-written file left: {path}" for path in self.half_written]
        found += [f"input changed: {path}" for path in self.changed_inputs]
        found += [f"replaced by the app: {what}" for what in self.replaced]
        return found


def run(
    inputs: Inputs,
    actions: int,
    seed: int,
    stall_stacks: bool = False,
    cameras: bool = False,
    settings_trouble: bool = False,
    timeline_moves: bool = False,
) -> Outcome:
    """``actions`` random actions on a real window, then the checks (see the module's doc).

    ``stall_stacks``: note the busy threads of each long stall (see :class:`StallWatch`);
    ``cameras``, ``settings_trouble``, ``timeline_moves``: the module doc's ``--cameras``,
    ``--settings-trouble``, ``--timeline-moves``.
    """
    rng = random.Random(seed)
    before = {path: digest(path) for path in inputs.originals()}
    outcome = Outcome()
    create_application()
    import_backends()  # as the app does under its starting screen
    desk = CameraDesk(inputs.video) if cameras else None
    actions_here = {**ACTIONS, **extra_actions(desk, settings_trouble, timeline_moves)}
    with FaultLog() as faults:
        launch = LaunchOptions(weights=inputs.weights, video=inputs.video)
        if desk is not None:
            desk.plug(rng.sample(CAMERAS, rng.randint(0, len(CAMERAS))))
            # No file: the app starts the camera asked for (--camera: by name, two cameras
            # holding "Monkey Cam"; by index; none), else the first it finds.
            launch = LaunchOptions(weights=inputs.weights, camera=rng.choice(LAUNCH_CAMERAS))
        window = MainWindow(
            launch,
            AppSettings.at_path(inputs.settings),
            device_monitor=desk.monitor if desk is not None else StaticDeviceMonitor([]),
            source_factory=desk if desk is not None else open_frame_source,
            camera_timeout_s=1.0,
        )
        note_messages(window, outcome.messages)
        window.set_output_folder(inputs.output)
        answer_dialogs(window, rng, inputs)
        window.resize(900, 700)
        window.show()
        try:
            watch = StallWatch(inputs.work / "stalls.txt") if stall_stacks else None
            with watch or contextlib.nullcontext():
                stall = StallMonitor(interval_ms=5)
                stall.start()
                names = sorted(actions_here)
                ticks_wrong: str | None = None
                for _ in range(actions):
                    name = rng.choice(names)
                    worst_before = stall.max_stall_ms
                    started = time.perf_counter()
                    try:
                        actions_here[name](window, rng, inputs)
                    except Exception:  # a user's action raising is a fault; the run goes on
                        faults.faults.append(f"{name} raised:\n" + "".join(traceback.format_exc(limit=-4)).rstrip())
                    took_ms = (time.perf_counter() - started) * 1000.0
                    outcome.done[name] += 1
                    outcome.slowest_ms[name] = max(outcome.slowest_ms[name], took_ms)
                    spin(rng.uniform(0.0, 0.15))
                    wrong = timeline_ticks_wrong(window)
                    if wrong is not None and wrong != ticks_wrong:  # once, not after every action since
                        faults.faults.append(f"after {name}: {wrong}")
                    ticks_wrong = wrong
                    if stall.max_stall_ms > worst_before:
                        outcome.worst_stall_after = name
                stall.stop()
            outcome.stall_stacks = watch.stalls() if watch is not None else Counter()
            outcome.max_stall_ms, outcome.stalls_over_50ms = stall.max_stall_ms, stall.stalls_over_50ms

            # Still a working app: the good model, the good video, a new frame on screen.
            if window.recording is not None:
                window.stop_recording()
            window.set_fullscreen(False)
            if settings_trouble:
                _mend_settings(window, rng, inputs)
            window.choose_weights(inputs.weights)
            spin_until(
                lambda: (status := window.model_status) is not None and status.active_weights == inputs.weights,
                SETTLE_S,
            )
            window.open_video(inputs.video)
            shown = window.view.result
            outcome.still_plays = spin_until(
                lambda: window.view.result is not None and window.view.result is not shown and window.is_running,
                SETTLE_S,
            )
            outcome.threads_stopped = window.shutdown(timeout_s=10.0)
        finally:
            release_window(window)  # while the QApplication exists, whatever happened
        spin(0.2)
    outcome.faults = faults.faults
    outcome.warnings = Counter(
        record.split(": ", 1)[0] + ": " + record.split(": ", 1)[1][:90] for record in faults.records
    )
    outcome.half_written = sorted(path for path in inputs.work.rglob("*") if is_unfinished(path))
    outcome.changed_inputs = [path for path, value in before.items() if digest(path) != value]
    outcome.replaced = inputs.settings_replaced
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = script_parser(__file__, __doc__.split("\n\n")[0])
    parser.add_argument("--video", type=Path, help="the good video (default: a test-made 320x240 clip)")
    parser.add_argument("--weights", type=Path, help="the good weights (default: the shipped model)")
    parser.add_argument(
        "--pictures",
        type=Path,
        nargs="+",
        default=[],
        metavar="PICTURE",
        help="the folder of images and the image opened (the first); default: the video's first frame and its mirror",
    )
    parser.add_argument("--actions", type=int, default=300, help="how many random actions (default 300)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random choices (default 0)")
    parser.add_argument(
        "--max-stall-ms",
        type=float,
        default=1000.0,
        help="longest GUI-thread stall that counts as alive, not frozen (default 1000)",
    )
    parser.add_argument(
        "--messages",
        action="store_true",
        help="list every message the window's banners showed, counted alike (paths of the run's temporary "
        "folder as WORK)",
    )
    parser.add_argument(
        "--stall-stacks",
        action="store_true",
        help=f"note which threads were busy in each GUI stall over {STALL_STACK_MS:.0f} ms (faulthandler's "
        "watchdog; a diagnostic: reading running threads' stacks can crash the process)",
    )
    parser.add_argument(
        "--cameras",
        action="store_true",
        help="start with no file; also plug and unplug cameras (the good video played as a camera), pick them and "
        "click the banners' buttons",
    )
    parser.add_argument(
        "--settings-trouble",
        action="store_true",
        help="also put a loop of links, a too-long chain of links, a link to a missing folder or a folder in the "
        "settings file's place, and mend it",
    )
    parser.add_argument(
        "--timeline-moves",
        action="store_true",
        help="also float the session timeline, dock it back or at a side and take the keyboard to it and back (F6)",
    )
    args = parser.parse_args(argv)
    if args.actions < 1:
        parser.error(f"--actions must be at least 1, got {args.actions}")
    for path in (args.video, args.weights, *args.pictures):
        if path is not None and not path.is_file():
            parser.error(f"{path}: no such file")
    with tempfile.TemporaryDirectory(prefix="gui-monkey-") as folder:
        work = Path(folder)
        inputs = make_inputs(work, args.video, args.weights, args.pictures)
        started = time.monotonic()
        outcome = run(
            inputs,
            args.actions,
            args.seed,
            args.stall_stacks,
            args.cameras,
            args.settings_trouble,
            args.timeline_moves,
        )
        elapsed = time.monotonic() - started
    print(f"{args.actions} random actions (seed {args.seed}) in {elapsed:.1f} s on the real window:")
    print("  " + ", ".join(f"{name} {count}" for name, count in sorted(outcome.done.items())))
    print(
        f"GUI thread: longest stall {outcome.max_stall_ms:.1f} ms, {outcome.stalls_over_50ms} over 50 ms; "
        f"the longest began during or after: {outcome.worst_stall_after or '-'}"
    )
    print(
        "longest call of each action on the GUI thread (ms; a dialog's includes its time open): "
        + ", ".join(f"{name} {ms:.0f}" for name, ms in sorted(outcome.slowest_ms.items(), key=lambda item: -item[1]))
    )
    for busy, count in outcome.stall_stacks.most_common():
        print(f"  {count} stall(s) over {STALL_STACK_MS:.0f} ms with these threads busy (innermost frame first):")
        print("    " + busy.replace("\n", "\n    "))
    print(f"warnings logged: {sum(outcome.warnings.values())}")
    for text, count in outcome.warnings.most_common():
        print(f"  {count} x {text}")
    if args.messages:
        print(f"messages shown: {sum(outcome.messages.values())}")
        for text, count in sorted(outcome.messages.items()):
            print(f"  {count} x " + text.replace(str(work), "WORK").replace("\n", " "))
    print(f"plays a good video at the end: {'yes' if outcome.still_plays else 'NO'}")
    print(f"threads stopped at close: {'yes' if outcome.threads_stopped else 'NO'}")
    problems = outcome.problems(args.max_stall_ms)
    print(
        f"faults: {len(outcome.faults)}; half-written files: {len(outcome.half_written)}; "
        f"changed inputs: {len(outcome.changed_inputs)}"
    )
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print("result: " + ("passed" if not problems else "FAILED"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
