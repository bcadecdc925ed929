"""Start-up: the command line, choosing the camera, remembering it, and main.py itself."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from emotion_app.gui.camera_picker import CameraDevice
from emotion_app.gui.launch import parse_args
from emotion_app.gui.settings import AppSettings
from emotion_app.inference import build_process, runner_cache
from emotion_app.inference.classifier import EmotionClassifier
from emotion_app.samples import VideoTruth
from emotion_app.sources.specs import CameraSpec
from emotion_app.weights import DEFAULT_WEIGHTS_PATH
from scripts import startup_time
from tests.gui_support import BUILD_WAIT_MS, WAIT_MS, CameraBench, WindowFactory, temp_folder_env
from tests.slow_import import start_held_in_import

REPO = Path(__file__).resolve().parent.parent
BUILT_IN, USB = CameraDevice("Integrated Webcam", 0), CameraDevice("USB Cam", 2)


def test_a_settings_file_that_is_not_one_is_refused_not_overwritten(
    tmp_path: Path, moving_face_video: VideoTruth, capsys: pytest.CaptureFixture[str]
) -> None:
    # Saving settings rewrote whatever --settings named: the video being played, a script.
    from emotion_app.gui.settings import AppSettings

    script = tmp_path / "notes.sh"
    script.write_text("alias ll='ls -l'\n")
    for path in (moving_face_video.path, script):
        before = path.read_bytes()
        with pytest.raises(SystemExit):
            parse_args(["--settings", str(path), "--video", str(moving_face_video.path)])
        assert "is not a settings (INI) file" in capsys.readouterr().err and path.read_bytes() == before
    # A folder was taken, and the settings silently never saved; a device could be replaced.
    for path, reason in ((tmp_path, "is a folder; give a settings file in it"), (Path("/dev/null"), "not a regular")):
        with pytest.raises(SystemExit):
            parse_args(["--settings", str(path)])
        assert reason in capsys.readouterr().err
    written = tmp_path / "app.ini"
    settings = AppSettings.at_path(written)
    settings.show_bars = False
    # Characters Python splits lines at, which QSettings writes raw inside a value.
    settings.last_video_dir = "/videos/a\u2028b\u0085c\u2029d"
    assert settings.sync() and "\u2028" in written.read_text(encoding="utf-8")
    (tmp_path / "empty.ini").write_bytes(b"")
    (tmp_path / "marked.ini").write_bytes(b"\xef\xbb\xbf[overlay]\nshow_bars=false\n")
    for accepted in (written, tmp_path / "empty.ini", tmp_path / "marked.ini", tmp_path / "new.ini"):
        assert parse_args(["--settings", str(accepted)]).settings == accepted


@pytest.mark.parametrize("ending", ["/", "/."])
def test_a_settings_file_named_like_a_folder_is_refused(
    ending: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # "--settings cfg/" (a folder meant, not yet there) saved the settings in a file named
    # cfg: Path drops the trailing "/".
    given = f"{tmp_path / 'cfg'}{ending}"
    with pytest.raises(SystemExit):
        parse_args(["--settings", given])
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert f"argument --settings: {given} names a folder; give a settings file in it" in error, error


def test_a_settings_file_that_cannot_be_looked_at_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Its stat raised out of the argument's check: a traceback instead of a usage line. A
    # name too long for the file system does it as root too (as does a folder the user
    # may not search).
    long_name = tmp_path / ("a" * 300 + ".ini")
    with pytest.raises(SystemExit):
        parse_args(["--settings", str(long_name)])
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert "argument --settings:" in error and "cannot be looked at (File name too long)" in error, error


def test_a_settings_file_in_another_encoding_is_refused_for_that(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Refused (rewritten by Qt, its "é" would become U+FFFD) but said to be "not a settings
    # (INI) file", of an INI file.
    latin1 = tmp_path / "latin1.ini"
    latin1.write_bytes("[camera]\nname=Caméra USB\n".encode("latin-1"))
    before = latin1.read_bytes()
    with pytest.raises(SystemExit):
        parse_args(["--settings", str(latin1)])
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert f"{latin1} is not UTF-8 text, as settings files are, and saving settings would overwrite it" in error
    assert latin1.read_bytes() == before


def test_parse_args() -> None:
    options = parse_args(["--camera", "2", "--weights", "w.safetensors"])
    assert options.camera_index == 2 and options.weights == Path.cwd() / "w.safetensors" and options.video is None
    assert parse_args(["--camera", "Logitech"]).camera_index is None
    assert parse_args(["--video", "clip.mp4"]).video == Path.cwd() / "clip.mp4"
    with pytest.raises(SystemExit):
        parse_args(["--camera", "0", "--video", "clip.mp4"])  # one source at a time
    for option in ("--video", "--weights", "--settings"):
        with pytest.raises(SystemExit):
            parse_args([option, ""])  # not the current folder


def test_a_camera_index_beyond_any_camera_is_refused_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    # It reached OpenCV, whose refusal of an index past a C int filled the window's banner
    # with eight lines of overload resolution.
    for wanted, reason in (
        ("99999999999999999999", "camera index 99999999999999999999 is beyond 1023"),
        (" 1024 ", "camera index 1024 is beyond 1023"),
        ("", "an empty camera"),
        ("  ", "an empty camera"),
    ):
        with pytest.raises(SystemExit):
            parse_args(["--camera", wanted])
        error = capsys.readouterr().err.strip().splitlines()[-1]
        assert f"argument --camera: {reason}" in error, error
    assert parse_args(["--camera", "1023"]).camera_index == 1023
    assert parse_args(["--camera", "Camera 99999999999999999999"]).camera_index is None  # a name


def test_main_py_help_runs_without_a_display_or_torch() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", str(REPO / "main.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=REPO,
    )
    assert completed.returncode == 0
    assert "--camera INDEX|NAME" in completed.stdout and "--video PATH" in completed.stdout
    # Python's import log: one line per module imported. Loading torch takes seconds.
    imported = {line.rsplit("|", 1)[-1].strip() for line in completed.stderr.splitlines() if "|" in line}
    assert "emotion_app.gui.launch" in imported
    assert "torch" not in imported and "emotion_app.pipeline" not in imported


def test_the_starting_screen_shows_before_torch_loads_and_closes_for_the_window(
    gui_video: VideoTruth, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    # The real start-up in a fresh interpreter (exits 0, else SystemExit).
    _, events = startup_time.start_up(["--video", str(gui_video.path)])
    # First the starting screen, before torch; then the window, with it; then the starting
    # screen is gone by the time the event loop runs.
    assert [[what, flag] for what, _, flag in events] == [
        ["StartingScreen", False],
        ["MainWindow", True],
        ["loop", False],
    ]


_ONNX_IN_THE_GUI_PROCESS = """
import sys, time
from pathlib import Path

from PyQt6.QtWidgets import QApplication

from emotion_app.gui.app import create_application, create_main_window, release_window
from emotion_app.gui.launch import LaunchOptions

app = create_application()
window = create_main_window(
    LaunchOptions(video=Path(sys.argv[1]), weights=Path(sys.argv[2]), settings=Path(sys.argv[3]))
)
window.show()
deadline = time.monotonic() + float(sys.argv[4])  # the build may take minutes on busy cores
mode = ""
while time.monotonic() < deadline and mode != "int8":
    QApplication.processEvents()
    time.sleep(0.02)
    bundle = window.controller.inference._bundle
    mode = bundle.pipeline.classifier.inference_mode if bundle is not None else ""
print("classifier:", mode, "onnx imported:", "onnx" in sys.modules)
window.shutdown()
release_window(window)
"""


@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("cached", [False, True], ids=["first start", "runner cached"])
def test_the_gui_process_never_imports_onnx(
    gui_video: VideoTruth, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cached: bool
) -> None:
    # onnx's first import holds the GIL long enough to freeze a video (docs/measurements.md):
    # the app builds its fast classifier in a child process, or takes it from the cache.
    if importlib.util.find_spec("onnx") is None:
        pytest.skip("onnx is not installed")
    cache = tmp_path / "cache"
    monkeypatch.setenv(runner_cache.ENVIRONMENT_VARIABLE, str(cache))
    if cached:
        assert EmotionClassifier.load(DEFAULT_WEIGHTS_PATH, optimize=True).inference_mode == "int8"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **{runner_cache.ENVIRONMENT_VARIABLE: str(cache)})
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            _ONNX_IN_THE_GUI_PROCESS,
            str(gui_video.path),
            str(DEFAULT_WEIGHTS_PATH),
            str(tmp_path / "settings.ini"),
            str(BUILD_WAIT_MS / 1000),
        ],
        capture_output=True,
        text=True,
        timeout=BUILD_WAIT_MS / 1000 + 120,
        env=env,
        cwd=REPO,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "classifier: int8 onnx imported: False" in completed.stdout, completed.stdout + completed.stderr[-2000:]
    # The first start's child process left its runner in the cache for the next.
    shipped = EmotionClassifier.load(DEFAULT_WEIGHTS_PATH)
    assert runner_cache.has_entry_for_model(shipped.model.state_dict(), shipped.preprocessing)


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_ctrl_c_or_sigterm_quits_main_py_cleanly(gui_video: VideoTruth, tmp_path: Path, signal_name: str) -> None:
    # Ctrl+C in the terminal, or a system shutting the session down: threads stop, the
    # process exits 0. (Quitting inside the handler's timer dispatch crashed with SIGSEGV.)
    import signal

    temp = tmp_path / "temp"
    temp.mkdir()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path), **temp_folder_env(temp))
    command = [sys.executable, "-X", "faulthandler", str(REPO / "main.py")]
    command += ["--video", str(gui_video.path), "--settings", str(tmp_path / "settings.ini")]
    app = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=REPO)
    try:
        try:
            # Long enough for the window, the model and the video's threads to be up.
            app.wait(timeout=10.0)
        except subprocess.TimeoutExpired:
            pass  # running, as it should until told to stop
        assert app.poll() is None, "the app runs until it is told to stop"
        app.send_signal(getattr(signal, signal_name))
        output, _ = app.communicate(timeout=60)
    finally:
        if app.poll() is None:
            app.kill()
            app.communicate()
    assert app.returncode == 0, output[-3000:]
    assert (tmp_path / "settings.ini").exists(), "the settings were saved on the way out"
    assert not list(temp.glob(build_process.FOLDER_PREFIX + "*")), "the fast classifier's build folder is removed"


# emotion_app: main.py's first import, the package's own, before entry_point can handle a
# Ctrl-C (it was a traceback once main.py's guard moved into entry_point).
@pytest.mark.parametrize("held", ["emotion_app", "PyQt6"])
def test_a_ctrl_c_while_main_py_loads_qt_quits_as_one_once_it_runs(held: str, tmp_path: Path) -> None:
    # It printed KeyboardInterrupt's traceback, from inside PyQt6's import: the app's own
    # handling (a quiet quit, exit 0) is installed only once Qt has loaded.
    import signal

    child = start_held_in_import([str(REPO / "main.py"), "--settings", str(tmp_path / "s.ini")], held, tmp_path)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    assert (child.returncode, out, err) == (0, "", "")
    assert not (tmp_path / "s.ini").exists()  # it never started


def test_a_ctrl_c_while_the_emotion_app_command_loads_qt_quits_as_main_py_does(tmp_path: Path) -> None:
    # The installed command's wrapper imported emotion_app.gui.app (PyQt6) before any code
    # of the app's ran: a Ctrl-C then was KeyboardInterrupt's traceback.
    import signal

    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    entry = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]["emotion-app"]
    module, _, function = entry.partition(":")
    # What pip writes for a console command.
    wrapper = f"import sys\nfrom {module} import {function}\nsys.exit({function}())\n"
    child = start_held_in_import(["-c", wrapper, "--settings", str(tmp_path / "s.ini")], "PyQt6", tmp_path)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    assert (child.returncode, out, err) == (0, "", "")
    assert not (tmp_path / "s.ini").exists()  # it never started


def test_a_signal_before_the_event_loop_starts_still_quits(gui_video: VideoTruth, tmp_path: Path) -> None:
    # A SIGTERM while the app was starting queued a quit that the starting screen's
    # processEvents then ran with no event loop yet, where Qt ignores it: the window
    # opened and the app ran on. The signal arrives here right before that processEvents.
    script = f"""
import os, signal, sys
from emotion_app.gui import app as gui_app
real_screen = gui_app.show_starting_screen
def screen_after_a_signal():
    os.kill(os.getpid(), signal.SIGTERM)
    return real_screen()
gui_app.show_starting_screen = screen_after_a_signal
sys.exit(gui_app.run(["--video", {str(gui_video.path)!r}, "--settings", {str(tmp_path / "settings.ini")!r}]))
"""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path))
    try:
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=REPO, timeout=60
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the app ran on after a SIGTERM during its start")
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.mark.parametrize("signals", [1, 2])
def test_a_signal_while_the_window_s_modules_load_quits_without_a_traceback(
    gui_video: VideoTruth, tmp_path: Path, signals: int
) -> None:
    # Ctrl+C at start-up asks what is still being written of the modules imported, and
    # emotion_app.live is in sys.modules from the start of its import: one signal while it
    # loaded (under the starting screen) raised AttributeError into that import, and the
    # app died with a traceback; a second one did so rather than exit at once.
    script = f"""
import os, signal, sys
from emotion_app.gui import app as gui_app

class SignalMidImport:
    # As the user's Ctrl+C comes: the first as the window's modules start loading, the
    # last while emotion_app.live is half imported (in sys.modules, its functions not yet).
    sent = 0

    def find_spec(self, name, path=None, target=None):
        live = sys.modules.get("emotion_app.live")
        first = name == "emotion_app.gui.main_window" and self.sent == 0 and {signals} == 2
        last = live is not None and not hasattr(live, "loads_left") and self.sent < {signals}
        if first or last:
            self.sent += 1
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, SignalMidImport())
code = gui_app.run(["--video", {str(gui_video.path)!r}, "--settings", {str(tmp_path / "settings.ini")!r}])
print("run returned", code, flush=True)
sys.exit(code)
"""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=REPO, timeout=60)
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    if signals == 1:  # the quit the signal asked for, once the window is made
        assert done.returncode == 0 and "run returned 0" in done.stdout, done.stderr[-3000:]
    else:  # ended at once, nothing being written yet
        assert done.returncode == 130, done.stderr[-3000:]
        assert "SIGINT: quit without waiting; nothing was left unsaved" in done.stderr.splitlines()


def test_a_signal_keeps_a_floating_timeline_remembered_as_shown(gui_video: VideoTruth, tmp_path: Path) -> None:
    # Quitting closes every window, in no set order: the session timeline dragged out of the
    # window was sometimes closed before the window, taken for the user hiding it, and the
    # next start opened without it.
    settings = tmp_path / "settings.ini"
    script = f"""
import os, signal, sys
from PyQt6.QtCore import QTimer
from emotion_app.gui import app as gui_app
real_create = gui_app.create_main_window
def create_and_float(options):
    window = real_create(options)
    def float_then_quit():
        window.timeline_panel.setFloating(True)  # as the user drags it out of the window
        QTimer.singleShot(300, lambda: os.kill(os.getpid(), signal.SIGTERM))
    QTimer.singleShot(500, float_then_quit)
    return window
gui_app.create_main_window = create_and_float
sys.exit(gui_app.run(["--video", {str(gui_video.path)!r}, "--settings", {str(settings)!r}]))
"""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=REPO, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    assert AppSettings.at_path(settings).show_timeline is True


def test_the_package_names_its_api_when_first_used() -> None:
    import emotion_app

    assert emotion_app.EmotionPipeline.__name__ == "EmotionPipeline"
    assert set(emotion_app.__all__) <= set(dir(emotion_app))
    # The type checkers' list (the TYPE_CHECKING imports) names the same API, from the same modules.
    source = Path(str(emotion_app.__file__)).read_text()
    checked = {
        name.strip(): module
        for module, names in re.findall(r"^    from (\S+) import (.+)$", source, flags=re.MULTILINE)
        for name in names.split(",")
    }
    assert checked == emotion_app._SOURCES and sorted(emotion_app.__all__) == sorted(checked)
    with pytest.raises(AttributeError, match="no attribute 'Nonesuch'"):
        emotion_app.Nonesuch  # noqa: B018


def test_the_remembered_camera_is_opened_and_a_choice_is_remembered(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, settings_path: Path
) -> None:
    AppSettings.at_path(settings_path).remember_camera("USB Cam", 2)
    bench = CameraBench(gui_video.path, good_frames=1000)
    window = make_window(devices=[BUILT_IN, USB], source_factory=bench)
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    assert bench.specs[0] == CameraSpec(2, "USB Cam") and window.picker.current_device() == USB
    window.picker.camera_chosen.emit(BUILT_IN)
    qtbot.waitUntil(lambda: len(bench.specs) == 2, timeout=WAIT_MS)
    window.close()
    stored = AppSettings.at_path(settings_path)
    assert (stored.camera_name, stored.camera_index) == ("Integrated Webcam", 0)


@pytest.mark.parametrize(
    "wanted,expected", [("usb", CameraSpec(2, "USB Cam")), ("0", CameraSpec(0, "Integrated Webcam"))]
)
def test_camera_chosen_on_the_command_line(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, wanted: str, expected: CameraSpec
) -> None:
    bench = CameraBench(gui_video.path, good_frames=1000)
    window = make_window(camera=wanted, devices=[BUILT_IN, USB], source_factory=bench)
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    assert bench.specs[0] == expected


def test_an_unknown_camera_name_lists_the_cameras(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window(camera="Hubble", devices=[BUILT_IN, USB])
    text = window.source_banner.text()
    assert "No camera named 'Hubble'" in text and "Integrated Webcam, USB Cam" in text
