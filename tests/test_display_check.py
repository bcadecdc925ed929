"""Where the window cannot open (no display, X libraries missing, an X server or Wayland
compositor that does not answer), the app says why in one line and exits 2, instead of Qt
aborting the process with advice the user cannot act on, or waiting on a silent server for
good (emotion_app/gui/display_check.py)."""

from __future__ import annotations

import ctypes
import os
import shutil
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from emotion_app.gui.display_check import XCB_LIBRARIES, _stderr_of, display_problem, let_go
from tests.gui_support import own_xvfb

REPO = Path(__file__).resolve().parent.parent
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the check is for Linux")


@pytest.fixture(scope="module")
def xvfb_display() -> Iterator[str]:
    """The DISPLAY of a real X server (Xvfb) of its own."""
    if shutil.which("Xvfb") is None:
        pytest.skip("not installed: Xvfb (scripts/install-system-deps.sh)")
    with own_xvfb("640x480x24") as display:
        yield display


@pytest.fixture
def xcb_libraries() -> None:
    """Skip where the X libraries are missing: the check refuses for those first."""
    for soname in XCB_LIBRARIES:
        try:
            ctypes.CDLL(soname)
        except OSError:
            pytest.skip(f"not installed: {soname} (scripts/install-system-deps.sh)")


@contextmanager
def display_nobody_serves() -> Iterator[int]:
    """A display number no X server answers on, held for the test: its lock file taken (an
    Xvfb looking for a free display meanwhile skips it), no socket of its name, and its TCP
    port (libxcb's last try for ":N") bound here without listening, so a connection there
    is refused."""
    sockets = Path("/proc/net/unix").read_text() if Path("/proc/net/unix").exists() else ""
    for number in range(400, 1000):
        lock = Path(f"/tmp/.X{number}-lock")
        socket_name = f"/tmp/.X11-unix/X{number}"
        if Path(socket_name).exists() or f"@{socket_name}\n" in sockets:  # a file, or abstract
            continue
        try:
            descriptor = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
        except OSError:
            continue
        try:
            os.write(descriptor, f"{os.getpid():10d}\n".encode())  # as an X server writes it
            os.close(descriptor)
            with socket.socket() as port:
                try:
                    port.bind(("127.0.0.1", 6000 + number))
                except OSError:
                    continue
                yield number
                return
        finally:
            lock.unlink()
    pytest.fail("no free X display number in 400-999")


def run_main_py(**env: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """``python main.py`` with ``env`` for the display (none of the caller's own); how it
    ended, and how long it took."""
    own = ("DISPLAY", "WAYLAND_DISPLAY", "WAYLAND_SOCKET", "XDG_SESSION_TYPE", "QT_QPA_PLATFORM")
    environment = {k: v for k, v in os.environ.items() if k not in own} | env
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "main.py"], capture_output=True, text=True, timeout=60, env=environment, cwd=REPO
    )
    return completed, time.monotonic() - started


def assert_one_error_line(completed: subprocess.CompletedProcess[str], took: float) -> str:
    assert completed.returncode == 2, completed.stderr[-3000:]
    lines = completed.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), completed.stderr
    assert "xvfb-run" in lines[0] and "Reinstalling" not in lines[0]
    assert completed.stdout == ""
    assert took < 20, f"{took:.1f} s: it should refuse before loading the model code"
    return lines[0]


@linux_only
def test_main_py_without_a_display_says_so_in_one_line_and_exits_2() -> None:
    # It died inside QApplication's constructor: Qt's screenful, then SIGABRT (exit -6).
    line = assert_one_error_line(*run_main_py())
    assert "DISPLAY" in line


@linux_only
def test_main_py_on_a_display_no_x_server_answers_says_so_in_one_line(xcb_libraries: None) -> None:
    # It died inside QApplication's constructor as well ("could not connect to display",
    # advice to install libxcb-cursor0 and to reinstall, SIGABRT): a broken ssh -X.
    with display_nobody_serves() as number:
        line = assert_one_error_line(*run_main_py(DISPLAY=f":{number}"))
        assert f"DISPLAY=:{number} " in line and "ssh -X" in line


@linux_only
def test_an_x_server_that_never_answers_is_given_up_on_in_time(xcb_libraries: None) -> None:
    # A stopped server (or a forwarding that leads nowhere): the connection is taken but the
    # X handshake is never answered. libxcb, and Qt with it, waited on it for good.
    with socket.socket() as server:
        for number in range(400, 1000):
            try:
                server.bind(("127.0.0.1", 6000 + number))
                break
            except OSError:
                continue
        else:
            pytest.fail("no free port in 6400-6999")
        server.listen(1)  # never accepted: the kernel takes the connection, nobody answers
        display = f"127.0.0.1:{number}"
        started = time.monotonic()
        problem = display_problem({"DISPLAY": display}, platform="linux", timeout_s=0.3)
        took = time.monotonic() - started
        assert problem is not None and f"DISPLAY={display} did not answer within 0.3 s" in problem
        assert took < 10, f"{took:.1f} s"  # libxcb waited for good
        # The thread still waiting in libxcb does not hold the process up at its exit.
        line = assert_one_error_line(*run_main_py(DISPLAY=display))
        assert "did not answer" in line


@linux_only
def test_an_x_server_that_refuses_this_user_is_named_with_its_reason(
    tmp_path: Path, xcb_libraries: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Qt printed the server's reason, then its screenful and SIGABRT; libxcb writes the
    # reason itself, so the check keeps it off stderr and puts it in its line.
    if shutil.which("Xvfb") is None:
        pytest.skip("not installed: Xvfb (scripts/install-system-deps.sh)")
    cookie = tmp_path / "server.auth"  # one Xauthority entry: any address, any display
    fields = (b"", b"", b"MIT-MAGIC-COOKIE-1", os.urandom(16))
    cookie.write_bytes(struct.pack(">H", 0xFFFF) + b"".join(struct.pack(">H", len(f)) + f for f in fields))
    with own_xvfb("64x64x24", "-auth", str(cookie)) as display:
        line = assert_one_error_line(*run_main_py(DISPLAY=display, XAUTHORITY=str(tmp_path / "none")))
        assert f"DISPLAY={display} refused the connection (Authorization required" in line, line
        monkeypatch.setenv("XAUTHORITY", str(cookie))  # libxcb reads it from the process
        assert display_problem({"DISPLAY": display}) is None


@linux_only
def test_the_check_does_not_end_a_server_that_ends_with_its_last_client(xcb_libraries: None) -> None:
    # Its connection closed at once was the server's last client leaving: an Xvfb started
    # with -terminate exited there, and Qt, which connects next, found no display.
    if shutil.which("Xvfb") is None:
        pytest.skip("not installed: Xvfb (scripts/install-system-deps.sh)")
    with own_xvfb("64x64x24", "-terminate") as display:
        try:
            assert display_problem({"DISPLAY": display}, platform="linux") is None
            time.sleep(0.5)  # the server's exit, where its last client has left, is not at once
            assert display_problem({"DISPLAY": display}, platform="linux") is None
        finally:
            let_go()


def test_a_display_name_libxcb_cannot_read_is_named(xcb_libraries: None) -> None:
    problem = display_problem({"DISPLAY": "nonsense"}, platform="linux")
    assert problem is not None and "DISPLAY=nonsense is not an X display name" in problem


def test_a_missing_xcb_library_is_named_with_its_package() -> None:
    soname = "libxcb-cursor.so.0"

    def load_all_but_one(name: str) -> object:
        if name == soname:
            raise OSError(f"{name}: cannot open shared object file: No such file or directory")
        return ctypes.CDLL(name)

    problem = display_problem({"DISPLAY": ":0"}, load=load_all_but_one, platform="linux")
    assert problem is not None and "\n" not in problem
    assert soname in problem and "sudo apt-get install libxcb-cursor0" in problem
    # Only the missing one is named (the others are on this machine: install-system-deps.sh).
    assert "libxcb-icccm" not in problem


def nothing_loads(name: str) -> object:
    """A ``load`` for which no X library is installed."""
    raise OSError(name)


@pytest.fixture
def compositor(tmp_path: Path) -> Iterator[Path]:
    """A runtime folder (XDG_RUNTIME_DIR) with a socket listening as a Wayland
    compositor's does, named wayland-0."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(tmp_path / "wayland-0"))
        server.listen(4)
        yield tmp_path


@linux_only
def test_the_check_stays_out_of_the_way_where_qt_will_not_use_xcb(compositor: Path) -> None:
    runtime = str(compositor)

    everything_missing = display_problem({"DISPLAY": ":0"}, load=nothing_loads, platform="linux")
    assert everything_missing is not None
    for soname, package in XCB_LIBRARIES.items():
        assert soname in everything_missing and package in everything_missing
    for env in (
        {"QT_QPA_PLATFORM": "offscreen"},  # chosen by the user (the tests' own)
        {"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":0"},
        # Qt 6 tries Wayland first; the compositor answers.
        {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "XDG_RUNTIME_DIR": runtime},
        {"DISPLAY": ":0", "XDG_SESSION_TYPE": "wayland", "XDG_RUNTIME_DIR": runtime},
        {"WAYLAND_DISPLAY": "wayland-0", "XDG_RUNTIME_DIR": runtime},
        {"WAYLAND_DISPLAY": str(compositor / "wayland-0")},  # a path: XDG_RUNTIME_DIR not needed
        {"XDG_SESSION_TYPE": "wayland", "XDG_RUNTIME_DIR": runtime},  # libwayland's default socket
    ):
        assert display_problem(env, load=nothing_loads, platform="linux") is None, env
    assert display_problem({}, load=nothing_loads, platform="darwin") is None
    assert display_problem({}, load=nothing_loads, platform="win32") is None
    assert "DISPLAY" in (display_problem({"XDG_SESSION_TYPE": "x11"}, platform="linux") or "")


@linux_only
def test_a_wayland_compositor_that_does_not_answer_is_named(compositor: Path) -> None:
    gone = str(compositor / "wayland-1")  # no compositor listens there
    problem = display_problem({"WAYLAND_DISPLAY": "wayland-1", "XDG_RUNTIME_DIR": str(compositor)})
    assert problem is not None and f"no Wayland compositor answers at {gone}" in problem, problem
    assert "xvfb-run" in problem and "\n" not in problem
    problem = display_problem({"WAYLAND_DISPLAY": "wayland-0"})
    assert problem is not None and "XDG_RUNTIME_DIR not set" in problem, problem
    # Qt falls back to X11 where DISPLAY is set, so it is the X display that is checked.
    fallback = {"DISPLAY": ":0", "WAYLAND_DISPLAY": gone}
    assert "sudo apt-get install" in (display_problem(fallback, load=nothing_loads) or "")


@linux_only
def test_a_real_x_server_with_the_libraries_passes(xvfb_display: str) -> None:
    assert display_problem({"DISPLAY": xvfb_display}) is None


def test_stderr_is_given_back_and_no_descriptor_left_open_when_the_call_raises() -> None:
    # A call that raises (a bug, a KeyboardInterrupt) must not leak the pipe that caught
    # its stderr: the check may run again in the same process.
    def raising() -> object:
        os.write(2, b"written while caught\n")
        raise RuntimeError("the call failed")

    stderr_before = os.fstat(2)
    open_before = set(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    with pytest.raises(RuntimeError, match="the call failed"):
        _stderr_of(raising)
    assert (os.fstat(2).st_dev, os.fstat(2).st_ino) == (stderr_before.st_dev, stderr_before.st_ino)
    if open_before is not None:
        assert set(os.listdir("/proc/self/fd")) == open_before
