"""Shared fixtures: random-init weights files, small astronaut videos, and real main windows.

The builders themselves live in ``emotion_app/samples.py`` (``from emotion_app.samples import ...``)
so other test modules can make variations of their own.
"""

from __future__ import annotations

import gc
import os
import shutil
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest
from pytestqt.qtbot import QtBot

from emotion_app.faces.detector import FaceDetector
from emotion_app.gui.camera_picker import CameraDevice, StaticDeviceMonitor
from emotion_app.gui.camera_size import parse_camera_size
from emotion_app.gui.launch import LaunchOptions
from emotion_app.gui.main_window import FILE_CHECK_TIMEOUT_S, MainWindow
from emotion_app.gui.settings import AppSettings
from emotion_app.inference.classifier import EmotionClassifier
from emotion_app.inference.runner_cache import ENVIRONMENT_VARIABLE
from emotion_app.live import PipelineLoader, load_pipeline
from emotion_app.samples import VideoTruth, make_random_weights, write_astronaut_video
from emotion_app.sources.frame_source import SourceFactory
from emotion_app.sources.opening import open_frame_source
from emotion_app.sources.screen_capture import list_screens
from emotion_app.weights import DEFAULT_WEIGHTS_DIR
from tests.gui_support import WAIT_MS, WindowFactory
from tests.hostile_support import SmallDisk
from tests.mjpeg_server import self_signed_certificate, server_tls

# `make test` runs Qt offscreen; a bare `pytest` on a machine with no display would otherwise
# abort at the first window (Qt's xcb plugin finds no X server), so it runs offscreen too.
if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# No disk cache of classifier runners unless a test asks for one (tests/test_runner_cache.py):
# every other test, and the scripts tests start, builds its runner as a first start does,
# and nothing is written into the user's cache folder.
os.environ[ENVIRONMENT_VARIABLE] = ""


@pytest.fixture(scope="session")
def random_weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 6-class randomly initialised weights file."""
    return make_random_weights(tmp_path_factory.mktemp("weights") / "random6.safetensors", num_classes=6)


@pytest.fixture(scope="session")
def random_weights_7(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 7-class (with disgust) randomly initialised weights file."""
    return make_random_weights(tmp_path_factory.mktemp("weights7") / "random7.safetensors", num_classes=7)


@pytest.fixture(scope="session")
def moving_face_video(tmp_path_factory: pytest.TempPathFactory) -> VideoTruth:
    """One astronaut face drifting across a 320x240 frame, two blank frames in the middle."""
    return write_astronaut_video(
        tmp_path_factory.mktemp("video") / "moving.avi",
        num_frames=20,
        frame_size=(320, 240),
        face_size=70,
        motion="move",
        blank_frames=(9, 10),
    )


@pytest.fixture(scope="session")
def scaling_face_video(tmp_path_factory: pytest.TempPathFactory) -> VideoTruth:
    """One astronaut face growing from 60 to 140 px in a 320x240 frame."""
    return write_astronaut_video(
        tmp_path_factory.mktemp("video") / "scaling.avi",
        num_frames=16,
        frame_size=(320, 240),
        face_size=(60, 140),
        motion="scale",
    )


@pytest.fixture(scope="session")
def camera_certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An HTTPS camera's certificate, signed by itself as cameras' are (made offline), and its key."""
    try:
        return self_signed_certificate(tmp_path_factory.mktemp("tls"))
    except FileNotFoundError as exc:  # the only reason to skip: nothing here makes a certificate
        pytest.skip(f"no certificate for an HTTPS camera: {exc}")


@pytest.fixture(scope="session")
def camera_tls(camera_certificate: tuple[Path, Path]) -> ssl.SSLContext:
    """The TLS context of an HTTPS camera showing :func:`camera_certificate`."""
    return server_tls(*camera_certificate)


@pytest.fixture(scope="session")
def two_faces_video(tmp_path_factory: pytest.TempPathFactory) -> VideoTruth:
    """Two astronaut copies side by side, moving; one blank and one noise frame between."""
    return write_astronaut_video(
        tmp_path_factory.mktemp("video") / "two_faces.avi",
        num_frames=16,
        frame_size=(400, 200),
        face_size=64,
        copies=2,
        motion="move",
        blank_frames=(6,),
        noise_frames=(7,),
    )


@pytest.fixture(scope="session")
def classifier(random_weights: Path) -> EmotionClassifier:
    """The 6-class random-init classifier with its fast runner built (shared: building takes a second)."""
    return EmotionClassifier.load(random_weights, optimize=True)


@pytest.fixture(scope="session")
def detector() -> FaceDetector:
    """The default detector (min face 48 px, coarsest scale)."""
    return FaceDetector()


@pytest.fixture
def one_torch_thread() -> Iterator[None]:
    """Run a test with one intra-op thread, as the app's inference worker does.

    A frame's few faces gain nothing from more threads, and on a busy 2-core machine
    spinning OpenMP workers make small batches many times slower.
    """
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


# ----------------------------------------------------------------------------- GUI


@pytest.fixture(scope="session")
def gui_video(tmp_path_factory: pytest.TempPathFactory) -> VideoTruth:
    """One large astronaut face drifting across a 320x240 frame: 30 frames at 15 fps."""
    return write_astronaut_video(
        tmp_path_factory.mktemp("gui_video") / "astronaut.avi",
        num_frames=30,
        frame_size=(320, 240),
        face_size=80,
        motion="move",
        fps=15.0,
    )


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    """A private settings file: tests never read or write the user's settings."""
    return tmp_path / "settings.ini"


@pytest.fixture
def make_window(qtbot: QtBot, settings_path: Path, random_weights: Path) -> Iterator[WindowFactory]:
    """Builds real main windows; each is closed (threads stopped) at the end of the test."""
    windows: list[MainWindow] = []

    def factory(
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
    ) -> MainWindow:
        chosen_weights = random_weights if weights == "random" else weights
        options = LaunchOptions(
            camera=camera,
            video=video,
            screen=screen,
            weights=chosen_weights,
            camera_size=parse_camera_size(camera_size) if camera_size is not None else None,
            camera_size_given=camera_size is not None,
        )
        window = MainWindow(
            options,
            AppSettings.at_path(settings or settings_path),
            device_monitor=StaticDeviceMonitor(devices or []),
            source_factory=source_factory,
            pipeline_loader=pipeline_loader,
            camera_timeout_s=camera_timeout_s,
            # The machine's own screens only where a test asks: whether a display is there
            # must not change what the other tests see in the camera picker.
            screen_lister=list_screens if real_screens else list,
            weights_dir=weights_dir,
            file_check_timeout_s=file_check_timeout_s,
        )
        qtbot.addWidget(window)
        if size is not None:  # None: the size the window gave itself
            window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        if wait_for_model:  # the first source starts once the model has loaded
            qtbot.waitUntil(lambda: window.model_status is not None, timeout=WAIT_MS)
        return window

    yield factory
    for window in windows:
        window.close()
        assert not window.controller.is_running
    # A closed window sits in reference cycles and is freed only by a cyclic collection:
    # here, on the GUI thread, not later in whichever thread (a build left running) next
    # trips the collector (see emotion_app.gui.gui_thread_gc).
    windows.clear()
    gc.collect()


# ----------------------------------------------------------------------------- disks


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[SmallDisk]:
    """``small_disk(kib)`` mounts a tmpfs of that size and returns its folder: a disk that
    really fills up. Skips where mounting is not allowed (not root, not Linux); the tests
    that simulate a full disk instead run everywhere."""
    mounts: list[Path] = []

    def mount(kib: int) -> Path:
        if sys.platform != "linux" or os.geteuid() != 0 or shutil.which("mount") is None:
            pytest.skip("mounting a small tmpfs needs root on Linux")
        point = tmp_path / f"small_disk_{len(mounts)}"
        point.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kib}k", "tmpfs", str(point)], capture_output=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
        mounts.append(point)
        return point

    yield mount
    for point in mounts:
        subprocess.run(["umount", str(point)], capture_output=True)
