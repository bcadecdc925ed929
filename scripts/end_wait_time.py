"""How long a file's end waits for its last frame's result in the desktop app: what
``END_WAIT_MS`` (``emotion_app/gui/end_wait.py``) bounds.

    python -m scripts.end_wait_time [--clips DIR] [--rounds 1] [--busy 0] [--weights PATH]

The real window (offscreen unless a display is set), with the shipped model (or
``--weights``), opens in turn each video and picture of DIR (default: the shared real
clips; one the app cannot read is refused before any is played) and a folder of DIR's
pictures as a slide show (copied into a temporary folder), each played to its end
("Finished playing" in the message area), ``--rounds`` times. Each end is timed on the GUI
thread from the file's end (the capture thread's ENDED fault) to its last frame's result,
where that result had not come by then. ``--busy N`` runs N busy processes beside (a loop
of nothing each, ended with the script), as a loaded machine.
Printed: each end, then for each file its ends, how many waited and the longest wait, and
the load average before and after.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from emotion_app.gui.app import create_application, release_window
from emotion_app.gui.camera_picker import StaticDeviceMonitor
from emotion_app.gui.launch import LaunchOptions
from emotion_app.gui.main_window import MainWindow
from emotion_app.gui.messages import FaultKind, InferenceResult, SourceFault
from emotion_app.gui.settings import AppSettings
from emotion_app.inference.runners import import_backends
from emotion_app.io.codecs import VIDEO_SUFFIXES
from emotion_app.io.video import IMAGE_SUFFIXES, InputError, open_input
from scripts.support.arguments import existing_folder, non_negative_int, positive_int, script_parser
from scripts.support.errors import refuse
from scripts.support.model_weights import weights_or_random
from scripts.support.qt_loop import spin, spin_until
from scripts.support.real_clips import DEFAULT_CLIPS

# The most a file may take to play to its end, and its last result after the end.
_END_S = 120.0
_RESULT_S = 30.0
# A frame, as a result names it: its ``run`` and ``frame_index``.
FrameKey = tuple[tuple[int, int], int]
# A busy process: a loop of nothing that ends itself once its pipe from the script closes,
# however the script ended (a second Ctrl+C exits at once, past the kill in main): left
# spinning, it took a core until someone killed it.
_BUSY = (
    "import os, sys, threading\n"
    "threading.Thread(target=lambda: (sys.stdin.buffer.read(), os._exit(0)), daemon=True).start()\n"
    "while True: pass\n"
)


class EndTimer:
    """Times, on the GUI thread, the wait from a file's end to its last frame's result."""

    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self.pending: tuple[float, FrameKey] | None = None  # the end and the frame awaited
        self.wait_s: float | None = None  # the last wait measured
        window.controller.source_fault.connect(self._on_fault)
        window.controller.result_ready.connect(self._on_result)

    def reset(self) -> None:
        self.pending = None
        self.wait_s = None

    def _on_fault(self, fault: SourceFault) -> None:
        if fault.kind is not FaultKind.ENDED or fault.last_frame is None:
            return
        shown = self._window.view.result
        if shown is None or (shown.run, shown.frame_index) != fault.last_frame:
            self.pending = (time.perf_counter(), fault.last_frame)

    def _on_result(self, result: InferenceResult) -> None:
        if self.pending is not None and (result.run, result.frame_index) == self.pending[1]:
            self.wait_s = time.perf_counter() - self.pending[0]
            self.pending = None


def failed(window: MainWindow) -> bool:
    """Whether the window says its file failed (could not open, or broke off)."""
    return window.source_banner.level == "error"


def files_of(folder: Path, work: Path) -> list[Path]:
    """The videos and pictures of ``folder``, and a slide show of its pictures in ``work``."""
    if not folder.is_dir():  # the default's, not checked by --clips's type
        refuse(f"{folder}: no such folder")
    videos = sorted(path for path in folder.iterdir() if path.suffix.lower() in VIDEO_SUFFIXES)
    pictures = sorted(path for path in folder.iterdir() if path.suffix.lower() in IMAGE_SUFFIXES)
    if not videos and not pictures:
        refuse(f"{folder}: no video or picture the app opens")
    files = [*videos, *pictures]
    for path in files:
        try:
            open_input(path)  # one the window cannot open would be waited on to its end in vain
        except InputError as exc:
            refuse(str(exc))
    if pictures:
        show = work / "slide_show"
        show.mkdir()
        for picture in pictures:
            shutil.copyfile(picture, show / picture.name)
        files.append(show)
    return files


def main() -> None:
    parser = script_parser(__file__, __doc__, raw_description=True)
    parser.add_argument("--clips", type=existing_folder, default=DEFAULT_CLIPS, help="the videos and pictures")
    parser.add_argument("--rounds", type=positive_int, default=1, help="times each file is played to its end")
    parser.add_argument("--busy", type=non_negative_int, default=0, help="busy processes run beside")
    parser.add_argument("--weights", type=Path, default=None, help="weights file (default: the shipped model)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        files = files_of(args.clips, work)
        weights = weights_or_random(args.weights, work)
        busy = start_busy(args.busy)
        try:
            measure(files, weights, work, args.rounds)
        finally:
            for process in busy:
                process.kill()
                process.wait()
                if process.stdin is not None:
                    process.stdin.close()


def start_busy(count: int) -> list[subprocess.Popen[bytes]]:
    """``count`` busy processes (see :data:`_BUSY`), each fed a pipe that closes with this one."""
    return [subprocess.Popen([sys.executable, "-c", _BUSY], stdin=subprocess.PIPE) for _ in range(count)]


def measure(files: list[Path], weights: Path, work: Path, rounds: int) -> None:
    print(f"load average before: {' '.join(f'{load:.2f}' for load in os.getloadavg())}", flush=True)
    create_application()
    import_backends()
    window = MainWindow(
        LaunchOptions(weights=weights),
        AppSettings.at_path(work / "settings.ini"),
        device_monitor=StaticDeviceMonitor([]),
    )
    waits: dict[str, list[float | None]] = {path.name: [] for path in files}
    try:
        window.resize(1000, 760)
        window.show()
        if not spin_until(lambda: window.model_status is not None, 120):
            raise RuntimeError("the model did not load in 120 s")
        timer = EndTimer(window)
        for _ in range(rounds):
            for path in files:
                timer.reset()
                window.open_video(path)
                told = spin_until(lambda: "Finished playing" in window.source_banner.text() or failed(window), _END_S)
                if failed(window):  # no end to wait for: a fault the window met (a file it read before)
                    raise RuntimeError(f"{path.name}: {window.source_banner.text()}")
                if not told:
                    raise RuntimeError(f"{path.name} was not told finished in {_END_S:.0f} s")
                if timer.pending is not None and not spin_until(lambda: timer.pending is None, _RESULT_S):
                    raise RuntimeError(f"{path.name}: its last frame's result did not come in {_RESULT_S:.0f} s")
                spin(0.3)  # the window settles before the next open
                waits[path.name].append(timer.wait_s)
                said = "none: its last result came before the end" if timer.wait_s is None else f"{timer.wait_s:.3f} s"
                print(f"{path.name}: waited {said}", flush=True)
    finally:
        release_window(window)
    print(f"load average after: {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    for name, ends in waits.items():
        waited = [wait for wait in ends if wait is not None]
        longest = f", longest {max(waited):.3f} s" if waited else ""
        print(f"{name}: {len(ends)} ends, {len(waited)} waited{longest}")


if __name__ == "__main__":
    main()
