"""Shared pieces for the GUI tests: a camera that gets unplugged, a share that stops
answering, and helpers to wait for frames and compare rendered pixels (the window
fixtures are in ``conftest.py``).

Everything drives the real main window, the real worker threads and the real core
pipeline on the offscreen platform; only the camera hardware is simulated (this
machine has none), by playing a real video file through the camera code path.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol, TypedDict, TypeVar

import cv2
import numpy as np
import pytest
from PyQt6.QtCore import QCoreApplication, QObject, QRectF, Qt, QThread, QTimer, pyqtSignal, pyqtSlot
from PyQt6.QtGui import QImage, QTextDocument
from PyQt6.QtWidgets import QApplication, QDialog, QMenu, QMenuBar, QPushButton
from pytestqt.qtbot import QtBot

from emotion_app.gui.camera_picker import CameraDevice, StaticDeviceMonitor
from emotion_app.gui.inference_worker import InferenceWorker
from emotion_app.gui.mailbox import DeliveryGate, LatestMailbox
from emotion_app.gui.main_window import FILE_CHECK_TIMEOUT_S, MainWindow
from emotion_app.gui.messages import (
    CapturedFrame,
    InferenceResult,
    ModelStatus,
    PlaybackState,
    RecordingRequest,
    SourceInfo,
)
from emotion_app.inference.build_process import CHILD_TIMEOUT_S, TEMP_VARIABLES
from emotion_app.io.video import read_picture
from emotion_app.live import PipelineLoader, load_pipeline
from emotion_app.sources.files import StillsFrameSource
from emotion_app.sources.frame_source import FrameSource, SourceFactory
from emotion_app.sources.opening import open_frame_source
from emotion_app.sources.specs import CameraSpec, SourceSpec, VideoFileSpec
from emotion_app.weights import DEFAULT_WEIGHTS_DIR

if TYPE_CHECKING:
    # typing.Unpack is Python 3.11's; mypy checks these modules as for 3.10.
    from typing_extensions import Unpack

# Generous: two cores shared with a training job; a healthy run takes well under a second.
WAIT_MS = 20_000
# A fast classifier is built by a child process at a lower priority: seconds on idle cores,
# minutes on busy ones. The app gives it CHILD_TIMEOUT_S; a test waits as long.
BUILD_WAIT_MS = int(CHILD_TIMEOUT_S * 1000) + WAIT_MS
REPO = Path(__file__).resolve().parent.parent


class WindowFactory(Protocol):
    """What conftest.py's make_window fixture gives: a real main window built with the
    options named (its defaults are the fixture's; test_gui_main_window checks they agree)."""

    def __call__(
        self,
        *,
        video: Path | None = None,
        camera: str | None = None,
        weights: Path | None | Literal["random"] = "random",
        devices: list[CameraDevice] | None = None,
        source_factory: SourceFactory = open_frame_source,
        camera_timeout_s: float = 0.3,
        settings: Path | None = None,
        wait_for_model: bool = True,
        weights_dir: Path = DEFAULT_WEIGHTS_DIR,
        size: tuple[int, int] | None = (800, 600),
        camera_size: str | None = None,
        screen: int | None = None,
        real_screens: bool = False,
        pipeline_loader: PipelineLoader = load_pipeline,
        file_check_timeout_s: float = FILE_CHECK_TIMEOUT_S,
    ) -> MainWindow: ...


class WindowOptions(TypedDict, total=False):
    """``make_window``'s options but ``camera``, for the helpers that open a window on a
    camera they are given and pass the rest on: mypy checks their callers' options as it
    checks ``make_window``'s (test_gui_main_window checks the two lists agree)."""

    video: Path | None
    weights: Path | None | Literal["random"]
    devices: list[CameraDevice] | None
    source_factory: SourceFactory
    camera_timeout_s: float
    settings: Path | None
    wait_for_model: bool
    weights_dir: Path
    size: tuple[int, int] | None
    camera_size: str | None
    screen: int | None
    real_screens: bool
    pipeline_loader: PipelineLoader
    file_check_timeout_s: float


def temp_folder_env(temp: Path) -> dict[str, str]:
    """Environment variables that give a child process ``temp`` as its temporary folder."""
    return dict.fromkeys(TEMP_VARIABLES, str(temp))


def run_child_pytest(child: str, env: dict[str, str], *select: str) -> str:
    """Run the test file ``child`` (beside this module) in a child pytest with ``env``
    (those of its tests ``select`` picks); its output. Fails unless they all pass."""
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(Path(__file__).parent / child), *select],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
        cwd=REPO,
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]
    return completed.stdout


def assert_stream_gives_a_frame(url: str) -> None:
    """A network camera at ``url`` opens and hands over a frame."""
    source = open_frame_source(CameraSpec(-1, url=url))
    try:
        assert source.read() is not None
    finally:
        source.release()


def run_gui_script(
    name: str, *args: str, timeout: float, display: str | None = None, temp: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m scripts.NAME ARGS`` from the repository root on the offscreen platform
    (``display``: the X server it may capture; ``temp``: its temporary folder), its output
    captured as text."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    if display is not None:
        env["DISPLAY"] = display
    if temp is not None:
        env.update(temp_folder_env(temp))
    return subprocess.run(
        [sys.executable, "-m", f"scripts.{name}", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=REPO,
    )


def is_cut_from(text: str, label: str) -> bool:
    """Whether a legend's ``text`` is ``label`` cut short: its start and its end (either may
    be empty) kept around one "…" (TimelineView.legend_text)."""
    start, ellipsis, end = text.partition("…")
    kept = len(start) + len(end)
    return bool(ellipsis) and kept < len(label) and label.startswith(start) and label.endswith(end)


def shown_as_tip(text: str) -> str:
    """What a tooltip of ``text`` shows: ``text`` read as markup where Qt takes it so."""
    if not Qt.mightBeRichText(text):  # type: ignore[attr-defined]  # (PyQt6 has it; its stubs lack it)
        return text
    document = QTextDocument()
    document.setHtml(text)
    return document.toPlainText()


def cut_short_copy(video: Path, to: Path) -> Path:
    """A copy of ``video`` at ``to`` that stops two thirds of the way through its bytes, as
    a copy broken off: its header announces frames it does not hold."""
    data = video.read_bytes()
    to.write_bytes(data[: len(data) * 2 // 3])
    return to


def window_showing(
    qtbot: QtBot, make_window: WindowFactory, camera: str, **options: Unpack[WindowOptions]
) -> MainWindow:
    """A real window opened on ``camera`` (as ``--camera`` takes it: an index, a network
    camera's URL; ``options`` as ``make_window`` takes them), once it shows a frame."""
    window = make_window(camera=camera, **options)
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    return window


def wait_until_it_plays_on(qtbot: QtBot, window: MainWindow) -> None:
    """Wait until the view shows a frame more than five after the one it shows now: the
    source plays on, not a frame or two left over from before."""
    result = window.view.result
    assert result is not None
    played = result.frame_index
    qtbot.waitUntil(
        lambda: window.view.result is not None and window.view.result.frame_index > played + 5, timeout=WAIT_MS
    )


def shown_result(window: MainWindow) -> InferenceResult:
    """The result the view shows; fails the test (or, in a ``waitUntil``, waits on) while
    it shows none."""
    result = window.view.result
    assert result is not None, "the view shows no frame yet"
    return result


def model_status_of(window: MainWindow) -> ModelStatus:
    """The window's last model status; fails the test (or, in a ``waitUntil``, waits on)
    while no model load has reported."""
    status = window.model_status
    assert status is not None, "no model load has reported yet"
    return status


def active_weights_of(window: MainWindow) -> Path:
    """The weights file of the model in use; fails the test (or waits on) while there is none."""
    weights = model_status_of(window).active_weights
    assert weights is not None, f"no model in use: {window.model_status}"
    return weights


def source_info_of(window: MainWindow) -> SourceInfo:
    """What the open source reported; fails the test (or waits on) before it has opened."""
    info = window.source_state.info
    assert info is not None, f"no source has reported opening: {window.source_banner.text()!r}"
    return info


def playback_of(window: MainWindow) -> PlaybackState:
    """The file's latest position report; fails the test (or waits on) before the capture
    thread has sent one (a camera's stream never does)."""
    playback = window.source_state.playback
    assert playback is not None, f"no playback position reported yet: {window.source_banner.text()!r}"
    return playback


def device_monitor_of(window: MainWindow) -> StaticDeviceMonitor:
    """The window's camera monitor, the fixed list make_window gives (the test sets its cameras)."""
    monitor = window.picker.monitor
    assert isinstance(monitor, StaticDeviceMonitor), f"not make_window's monitor: {monitor!r}"
    return monitor


def banner_button(window: MainWindow, caption: str) -> QPushButton:
    """The source banner's button ``caption``; fails the test (or waits on) while the banner has none."""
    button = window.source_banner.button(caption)
    assert button is not None, (
        f"no {caption!r} button on the banner {window.source_banner.text()!r}: {window.source_banner.button_captions()}"
    )
    return button


def wait_for_face_result(qtbot: QtBot, window: MainWindow) -> InferenceResult:
    """Wait until the view shows a frame with at least one face, and return it."""
    qtbot.waitUntil(lambda: window.view.result is not None and len(window.view.result.faces) > 0, timeout=WAIT_MS)
    result = window.view.result
    assert result is not None
    return result


def pause_on_shown_frame(qtbot: QtBot, window: MainWindow) -> InferenceResult:
    """Pause the video and wait until the view shows the frame it paused on; return that result.

    The file must still be playing when the pause reaches the capture thread: a short clip
    can end first on a loaded machine (its first frame shown late), and a file that ended
    has no paused frame to wait for however long. That fails at once, saying so: play such
    a clip with :func:`play_looping`."""
    window.pause()
    qtbot.waitUntil(
        lambda: (
            (
                window.source_state.playback is not None
                and window.view.result is not None
                and window.view.result.frame_index == window.source_state.playback.position
            )
            or window.source_state.ended
        ),
        timeout=WAIT_MS,
    )
    assert not window.source_state.ended, "the file played to its end before it was paused: play it looping"
    result = window.view.result
    assert result is not None
    return result


def paused_at(qtbot: QtBot, window: MainWindow, frame: int) -> None:
    """Once the file shows a frame, pause it and seek to ``frame``; wait until the view and
    the position report both show it."""
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    window.pause()
    window.seek(frame)

    def there() -> None:
        # Each asserts with where it stands: the timeout's error shows the last one failed.
        shown = shown_result(window).frame_index
        assert shown == frame, f"the view shows frame {shown}, not {frame}"
        reported = playback_of(window).position
        assert reported == frame, f"the position report says frame {reported}, not {frame}"

    qtbot.waitUntil(there, timeout=WAIT_MS)


def menu_bar(window: MainWindow) -> QMenuBar:
    """The window's menu bar (Qt's type allows none)."""
    bar = window.menuBar()
    assert bar is not None, "the window has no menu bar"
    return bar


def submenus(menu: QMenuBar | QMenu) -> dict[str, QMenu]:
    """The menus ``menu`` opens (the menu bar's, or a menu's submenus) by their titles as
    written, "&" and all, in their order."""
    return {action.text(): opened for action in menu.actions() if (opened := action.menu()) is not None}


def play_looping(window: MainWindow, video: Path) -> None:
    """Play ``video`` in ``window`` over and over. A test that records while it plays then
    never outlasts the clip: a short clip ends within seconds of its first frame shown, and
    the first shown comes late in it when the machine is busy (the file plays in real time)."""
    window.start_source(VideoFileSpec(video, loop=True))


def use_output_folder(qtbot: QtBot, window: MainWindow, folder: str | Path) -> bool:
    """Choose ``folder`` as the output folder and wait till it is taken or refused (it is
    made and checked off the GUI thread); whether it was taken."""
    window.set_output_folder(folder)
    qtbot.waitUntil(window.output_folder_checked, timeout=WAIT_MS)
    return window.settings.output_dir == str(folder)


def wait_for_recording(qtbot: QtBot, window: MainWindow) -> RecordingRequest:
    """Wait till the recording asked for has started: its folder and files are checked off
    the GUI thread first (see RecordingControl._record_when_checked)."""
    qtbot.waitUntil(lambda: window.recording is not None, timeout=WAIT_MS)
    assert window.recording is not None
    return window.recording


def wait_until_recorded(qtbot: QtBot, window: MainWindow) -> None:
    """Wait until the running recording holds a frame with a face (a CSV row).

    The recording's writer thread writes its frames; a fixed wait may pass with none
    written on a loaded machine, and a recording with no frame leaves no file at all.
    """
    worker, request = window.controller.inference, window.recording
    assert request is not None

    def recorded() -> bool:
        # The one started last: the thread may not have got to an earlier one's stop yet.
        recording = worker._recording
        return recording is not None and recording.request == request and recording.rows_written > 0

    qtbot.waitUntil(recorded, timeout=WAIT_MS)


def wait_until_stopped(qtbot: QtBot, window: MainWindow, timeout_ms: int = WAIT_MS) -> None:
    try:
        qtbot.waitUntil(lambda: not window.is_running and window.source_banner.text() != "", timeout=timeout_ms)
    except qtbot.TimeoutError as timeout:
        # Where it stood, for a failure seen once in a full run and never again alone.
        state = window.source_state
        raise AssertionError(
            f"not stopped after {timeout_ms} ms: running={window.is_running}, starting={state.starting}, "
            f"paused={state.paused}, ended={state.ended}, banner={window.source_banner.text()!r}, "
            f"status={window.status.currentMessage()!r}"
        ) from timeout


def summary_seconds(path: Path) -> dict[str, float]:
    """The seconds of each person of a summary CSV (an export's or ``analyze --report``'s),
    their emotions' summed."""
    seconds: dict[str, float] = {}
    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            seconds[row["person"]] = seconds.get(row["person"], 0.0) + float(row["seconds"])
    return seconds


def busy_until(condition: Callable[[], bool]) -> None:
    """Hold the GUI thread (no events, as in a long paint) until ``condition`` holds."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while not condition():
        assert time.monotonic() < deadline, "the worker threads never got there"
        time.sleep(0.01)


def grab_view(window: MainWindow) -> np.ndarray:
    """The view's current rendering as an RGB array (height, width, 3)."""
    image = window.view.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    width, height = image.width(), image.height()
    buffer = image.constBits()
    assert buffer is not None
    buffer.setsize(image.sizeInBytes())
    rows = np.frombuffer(buffer.asstring(), dtype=np.uint8).reshape(height, image.bytesPerLine())
    return rows[:, : width * 3].reshape(height, width, 3).copy()


def changed_fraction(before: np.ndarray, after: np.ndarray, rect: QRectF) -> float:
    """Share of pixels inside ``rect`` (view coordinates) that differ between two grabs."""
    x0, y0 = max(0, int(rect.left())), max(0, int(rect.top()))
    x1, y1 = min(before.shape[1], int(rect.right()) + 1), min(before.shape[0], int(rect.bottom()) + 1)
    assert x1 > x0 and y1 > y0, f"empty region {rect}"
    region_before, region_after = before[y0:y1, x0:x1].astype(int), after[y0:y1, x0:x1].astype(int)
    return float((np.abs(region_before - region_after).sum(axis=2) > 30).mean())


class CameraPacing:
    """A camera's frame clock: :meth:`wait` blocks until the next frame is exposed, at
    ``fps``, as a real camera's read does."""

    def __init__(self, fps: float) -> None:
        self.fps = fps
        self._next_frame_at = time.perf_counter()

    def wait(self) -> None:
        delay = self._next_frame_at - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        self._next_frame_at = max(self._next_frame_at, time.perf_counter() - 1.0) + 1.0 / self.fps


class UnpluggedCamera:
    """A "camera" that plays a real video (looped) at 30 fps and then stops delivering
    frames, as a webcam does when its cable is pulled (reads fail, the device stays open)."""

    FPS = 30.0

    def __init__(self, video: Path, good_frames: int) -> None:
        self._inner: FrameSource = open_frame_source(VideoFileSpec(video))
        self._good_frames = good_frames
        self.reads = 0
        self.released = False
        self.width, self.height = self._inner.width, self._inner.height
        self.fps, self.frame_count = self.FPS, 0
        self.last_time_s: float | None = None  # a camera: its clock is the capture worker's
        self._pacing = CameraPacing(self.FPS)

    def read(self) -> np.ndarray | None:
        self._pacing.wait()
        self.reads += 1
        if self.reads > self._good_frames:
            return None
        frame = self._inner.read()
        if frame is None and self._inner.rewind():
            frame = self._inner.read()
        return frame

    def rewind(self) -> bool:
        return False

    def seek(self, frame: int) -> bool:
        return False  # a camera cannot go to a frame, as the app's own camera sources cannot

    def release(self) -> None:
        self.released = True
        self._inner.release()


class CameraBench:
    """A source factory: camera specs open :class:`UnpluggedCamera`, files open normally."""

    def __init__(self, video: Path, good_frames: int) -> None:
        self.video = video
        self.good_frames = good_frames
        self.opened: list[UnpluggedCamera] = []
        self.specs: list[SourceSpec] = []

    def __call__(self, spec: SourceSpec) -> FrameSource:
        self.specs.append(spec)
        if isinstance(spec, CameraSpec):
            camera = UnpluggedCamera(self.video, self.good_frames)
            self.opened.append(camera)
            return camera
        return open_frame_source(spec)

    def last_camera(self) -> CameraSpec:
        """The spec opened last, a camera's (fails the test, or in a ``waitUntil`` waits on,
        while the last one opened is a file's or a screen's)."""
        assert self.specs, "nothing opened yet"
        spec = self.specs[-1]
        assert isinstance(spec, CameraSpec), f"the last source opened is no camera: {spec}"
        return spec


class LastPictureGate:
    """A source factory: the folder of ``stills`` (:func:`tests.slide_show.write_slide_show`'s)
    opens as a real slide show, its last picture read from its file only once
    :meth:`let_through` is called (or after ``WAIT_MS``, so a failed test's window still
    closes); other specs open normally.

    A test sets up first what must come before that read (the inference thread held):
    the show's 2 s a picture is no bound on a loaded machine, where the first picture's
    labelling can take longer and the last picture is labelled before the test holds it."""

    def __init__(self, stills: list[Path]) -> None:
        self._stills = tuple(stills)
        self._through = threading.Event()

    def __call__(self, spec: SourceSpec) -> FrameSource:
        if not isinstance(spec, VideoFileSpec) or spec.path.resolve() != self._stills[0].parent.resolve():
            return open_frame_source(spec)
        return StillsFrameSource(self._stills, load=self._load, paged=False)

    def let_through(self) -> None:
        self._through.set()

    def _load(self, index: int) -> np.ndarray | None:
        if index == len(self._stills) - 1:
            self._through.wait(WAIT_MS / 1000)  # on the capture thread, as a slow disk would
        return read_picture(self._stills[index])


class ThreadHold(QObject):
    """Keeps a worker thread busy (as a large frame's inference does) until released."""

    hold = pyqtSignal()

    def __init__(self, thread: QThread) -> None:
        super().__init__()
        self.busy, self.release = threading.Event(), threading.Event()
        self._holder = _Holder(self)
        self._holder.moveToThread(thread)
        self.hold.connect(self._holder.wait)


@contextmanager
def thread_held(thread: QThread) -> Iterator[None]:
    """``thread`` kept busy (see :class:`ThreadHold`) for the block, released after it, even on a failure."""
    hold = ThreadHold(thread)
    hold.hold.emit()
    try:
        assert hold.busy.wait(WAIT_MS / 1000)
        yield
    finally:
        hold.release.set()


class _Holder(QObject):
    def __init__(self, hold: ThreadHold) -> None:
        super().__init__()
        self._hold = hold

    @pyqtSlot()
    def wait(self) -> None:
        self._hold.busy.set()
        self._hold.release.wait(WAIT_MS / 1000)


class GatedWorker(NamedTuple):
    """An inference worker on the test's own thread, fed by its mailbox, its results let
    through a gate of two in flight, as the window's are; those it sent, in ``sent``."""

    mailbox: LatestMailbox[CapturedFrame]
    gate: DeliveryGate
    worker: InferenceWorker
    sent: list[InferenceResult]


@contextmanager
def gated_worker(weights: Path | None, pipeline_loader: PipelineLoader) -> Iterator[GatedWorker]:
    """A :class:`GatedWorker` with ``weights`` loaded, for the block; the test calls its
    ``process_pending`` (no thread runs it). Its end is the thread's, even on a failure."""
    mailbox: LatestMailbox[CapturedFrame] = LatestMailbox()
    gate = DeliveryGate(capacity=2)
    worker = InferenceWorker(mailbox, gate, weights, pipeline_loader=pipeline_loader)
    worker.load_default()
    sent: list[InferenceResult] = []
    worker.result_ready.connect(sent.append)
    try:
        yield GatedWorker(mailbox, gate, worker, sent)
    finally:
        worker.on_thread_finished()


def wait_for_dialog_folders(qtbot: QtBot, window: MainWindow) -> None:
    """Wait till ``window`` knows whether the folders its file dialogs open in are there: it
    asks off the GUI thread, and a dialog opened before the answer opens in its fallback."""
    qtbot.waitUntil(window.dialog_folders_answered, timeout=WAIT_MS)


def when_a_dialog_is_open(act: Callable[[QDialog], None]) -> None:
    """``act`` on the modal dialog about to open, once it is open (as the user would)."""

    def check() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QDialog) and dialog.isVisible():
            act(dialog)
        else:
            QTimer.singleShot(20, check)

    QTimer.singleShot(20, check)


def sharpness(picture: np.ndarray) -> float:
    """Mean absolute Laplacian: how crisp the edges are (an enlarged edge is spread out)."""
    gray = cv2.cvtColor(picture, cv2.COLOR_BGR2GRAY) if picture.ndim == 3 else picture
    return float(np.abs(cv2.Laplacian(gray.astype(np.float32), cv2.CV_32F)).mean())


def blurred_difference(one: np.ndarray, other: np.ndarray) -> float:
    """Mean difference of two pictures blurred alike: small where the same shapes are in the
    same places, however crisp either is."""
    soft = [cv2.GaussianBlur(p, (0, 0), 4).astype(np.float32) for p in (one, other)]
    return float(np.abs(soft[0] - soft[1]).mean())


def assert_stream_opens_with_its_frames(url: str, frame_size: tuple[int, int]) -> None:
    """A network camera at ``url`` opens at ``frame_size`` (width, height) and hands over
    its first five frames whole."""
    source = open_frame_source(CameraSpec(-1, url=url))
    try:
        assert (source.width, source.height) == frame_size
        frames = [source.read() for _ in range(5)]
        assert all(frame is not None and frame.shape == (*frame_size[::-1], 3) for frame in frames)
    finally:
        source.release()


_Share = TypeVar("_Share", bound="DeadShare")


class DeadShare:
    """``stat``, ``lstat``, ``mkdir``, ``access`` and ``statvfs`` for ``os``: a path in
    ``folder`` (or the folder itself) blocks until :attr:`back` is set, then gets the file
    system's real answer; one asked on the GUI thread is noted instead (it would freeze the
    window, and the test with it) and answered at once. :meth:`hang_up` puts them in place.

    Leaving it as a context manager brings the share back, so that no thread stays blocked
    whatever the test found: ``with DeadShare(folder).hang_up(monkeypatch) as share:``."""

    def __init__(self, folder: Path) -> None:
        self.folder = str(folder)
        self.back = threading.Event()
        self.waiting = threading.Event()  # a check off the GUI thread is blocked on it
        self.asked_on_gui_thread: list[str] = []
        self._real_stat, self._real_lstat = os.stat, os.lstat
        self._real_mkdir, self._real_access = os.mkdir, os.access
        self._real_statvfs = os.statvfs

    def hang_up(self: _Share, monkeypatch: pytest.MonkeyPatch) -> _Share:
        monkeypatch.setattr(os, "stat", self.stat)
        monkeypatch.setattr(os, "lstat", self.lstat)
        monkeypatch.setattr(os, "mkdir", self.mkdir)
        monkeypatch.setattr(os, "access", self.access)
        monkeypatch.setattr(os, "statvfs", self.statvfs)
        return self

    def __enter__(self: _Share) -> _Share:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.back.set()

    def stat(self, path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        self._hang_if_on_share(path)
        return self._real_stat(path, *args, **kwargs)

    def lstat(self, path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        self._hang_if_on_share(path)
        return self._real_lstat(path, *args, **kwargs)

    def mkdir(self, path: Any, *args: Any, **kwargs: Any) -> None:
        self._hang_if_on_share(path)
        self._real_mkdir(path, *args, **kwargs)

    def access(self, path: Any, *args: Any, **kwargs: Any) -> bool:
        self._hang_if_on_share(path)
        return self._real_access(path, *args, **kwargs)

    def statvfs(self, path: Any) -> os.statvfs_result:
        self._hang_if_on_share(path)
        return self._real_statvfs(path)

    def _hang_if_on_share(self, path: Any) -> None:
        text = os.fspath(path) if isinstance(path, (str, os.PathLike)) else None
        if not isinstance(text, str) or not (text == self.folder or text.startswith(self.folder + os.sep)):
            return
        if threading.current_thread() is threading.main_thread():
            self.asked_on_gui_thread.append(text)
        else:
            self._wait_for_server()

    def _wait_for_server(self) -> None:
        """Hold the asking thread until the share is back."""
        self.waiting.set()
        self.back.wait()


def join_file_checks() -> None:
    """Wait till the window's file checks have given their answers (queued for the GUI
    thread, which acts on them at its next events)."""
    for thread in threading.enumerate():
        if thread.name == "file check":
            thread.join(WAIT_MS / 1000)
    QCoreApplication.processEvents()


@contextmanager
def own_xvfb(screen: str, *options: str) -> Iterator[str]:
    """The DISPLAY of an Xvfb of its own with one screen of ``screen`` ("WxHxDEPTH") and
    ``options``, stopped on leaving: the server picks a free display (-displayfd) and says
    its number once it listens, so no two runs race for one."""
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", screen, "-nolisten", "tcp", *options],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        with os.fdopen(read) as numbers:
            number = numbers.readline().strip()
        if not number:
            pytest.fail(f"Xvfb did not start (exit status {server.poll()})")
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=30)
