"""Whether the window can open here, asked before Qt is: on Linux, QApplication's
constructor aborts the process (SIGABRT) with a screenful that ends "Reinstalling the
application may fix this problem." where there is no display at all (an SSH session),
where the X libraries PyQt6's xcb plugin links against are missing (a fresh Ubuntu lacks
libxcb-cursor0), and where DISPLAY names an X server that does not answer (a broken
``ssh -X``, a stopped Xvfb); none of it says what to do. :func:`display_problem` says it in
a line.
"""

from __future__ import annotations

import ctypes
import os
import socket
import sys
import threading
from collections.abc import Callable, Mapping

# The shared libraries outside Qt's own folder that PyQt6's xcb platform plugin
# (Qt6/plugins/platforms/libqxcb.so and its libQt6XcbQpa.so.6) links against, by soname,
# with the Debian/Ubuntu package that provides each (`dpkg -S`). The C and C++ runtimes
# and GLib are left out: PyQt6's QtCore, already loaded, needs them too.
XCB_LIBRARIES: dict[str, str] = {
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libGL.so.1": "libgl1",
}

# How long the X server (or the Wayland compositor) has to accept a connection: a live
# one answers in milliseconds, ssh -X over a slow link in a few round trips; past this, Qt
# would wait as long (a stopped server: forever). Generous: refusing a working display is
# worse than a short wait before the refusal.
CONNECT_TIMEOUT_S = 2.0

# xcb_connection_has_error's codes (xcb.h) that the messages tell apart.
_XCB_CONN_CLOSED_PARSE_ERR = 5
_XCB_CONN_CLOSED_INVALID_SCREEN = 6

_XVFB = "a virtual X server (xvfb-run -a python main.py); `python -m emotion_app analyze` needs no display"
_ELSEWHERE = f"run it in a desktop session, or under {_XVFB}"
NO_DISPLAY = f"no display to open the window on (DISPLAY and WAYLAND_DISPLAY are not set): {_ELSEWHERE}"
_WHAT_TO_DO = f"start that X server, reconnect with ssh -X if it was forwarded, or run it under {_XVFB}"


def display_problem(
    environ: Mapping[str, str] | None = None,
    load: Callable[[str], object] = ctypes.CDLL,
    platform: str = sys.platform,
    timeout_s: float = CONNECT_TIMEOUT_S,
) -> str | None:
    """Why Qt could not open a window here, in one line, or None (also off Linux).

    ``load`` opens a shared library by soname and raises OSError when it cannot (a test
    passes its own). Qt 6 tries Wayland first where WAYLAND_DISPLAY is set or
    XDG_SESSION_TYPE is "wayland", falling back to X11 (xcb); the xcb libraries are
    looked for only where it goes to xcb, so a Wayland session is never refused for an X
    library it does not use. Then the display itself must accept a connection within
    ``timeout_s``: the compositor's socket, or the X server through libxcb, as Qt reaches it.
    """
    env = os.environ if environ is None else environ
    if not platform.startswith("linux") or env.get("QT_QPA_PLATFORM"):
        return None  # the user (or a test: offscreen) chose the platform
    wayland = bool(env.get("WAYLAND_DISPLAY")) or env.get("XDG_SESSION_TYPE") == "wayland"
    display = env.get("DISPLAY")
    if wayland:
        wayland_problem = _wayland_problem(env, timeout_s)
        if wayland_problem is None:
            return None
        if not display:
            return wayland_problem
        # Qt falls back to X11 where the compositor does not answer.
    elif not display:
        return NO_DISPLAY
    missing = [soname for soname in XCB_LIBRARIES if not _loads(soname, load)]
    if not missing:
        return x_server_problem(display, timeout_s)
    packages = " ".join(dict.fromkeys(XCB_LIBRARIES[soname] for soname in missing))
    return (
        f"Qt cannot open a window on this X display: missing {', '.join(missing)}, which its xcb "
        f"platform plugin needs; on Debian or Ubuntu: sudo apt-get install {packages}"
    )


# The connections a check found working, kept open until Qt has its own (see let_go): an X
# server resets when its last client leaves, and one started with -terminate exits then.
_held: list[tuple[ctypes.CDLL, int]] = []


def let_go() -> None:
    """Close the connections :func:`display_problem` kept open: call it once the
    QApplication (and with it Qt's own connection) exists."""
    while _held:
        xcb, connection = _held.pop()
        xcb.xcb_disconnect(connection)


def x_server_problem(display: str, timeout_s: float = CONNECT_TIMEOUT_S) -> str | None:
    """Why the X server DISPLAY names does not take a connection, in one line, or None.

    libxcb's own ``xcb_connect`` is asked, as Qt's xcb plugin asks it (so the same parsing,
    socket order, Xauthority cookie and screen number), on a thread of its own: it has no
    timeout, and a server that accepts but never answers would hold it for good, as it
    would hold Qt. libxcb must load (:data:`XCB_LIBRARIES` names it). A connection that
    works stays open until :func:`let_go`.
    """
    xcb = ctypes.CDLL("libxcb.so.1")
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]
    xcb.xcb_connection_has_error.restype = ctypes.c_int
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.restype = None
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    errors: list[int] = []
    screen = ctypes.c_int(0)

    def connect() -> None:
        connection = xcb.xcb_connect(os.fsencode(display), ctypes.byref(screen))
        error = xcb.xcb_connection_has_error(connection)
        if error:
            xcb.xcb_disconnect(connection)  # what xcb_connect's documentation asks on failure
        else:
            _held.append((xcb, connection))
        errors.append(error)

    # A daemon: one still waiting on a silent server must not keep the process from exiting.
    thread = threading.Thread(target=connect, name="x-server-check", daemon=True)

    def wait() -> None:
        thread.start()
        thread.join(timeout_s)

    refusal = _stderr_of(wait)
    if not errors:
        return (
            f"the X server of DISPLAY={display} did not answer within {timeout_s:g} s (a host "
            f"out of reach, or a stopped server; QT_QPA_PLATFORM=xcb skips this check): {_WHAT_TO_DO}"
        )
    if errors[0] == 0:
        return None
    if errors[0] == _XCB_CONN_CLOSED_PARSE_ERR:
        return f"DISPLAY={display} is not an X display name (such as :0 or host:10.0): {_WHAT_TO_DO}"
    if errors[0] == _XCB_CONN_CLOSED_INVALID_SCREEN:
        return f"the X server of DISPLAY={display} has no screen {screen.value}: {_WHAT_TO_DO}"
    if refusal:
        return (
            f"the X server of DISPLAY={display} refused the connection ({refusal}): run the app as "
            f"the desktop's user, or point XAUTHORITY at that server's cookie file; or run it under {_XVFB}"
        )
    return f"no X server at DISPLAY={display} accepted a connection: {_WHAT_TO_DO}"


def _stderr_of(call: Callable[[], object]) -> str:
    """What is written to the process's stderr (file descriptor 2) during ``call``, on one
    line, kept off the terminal: libxcb writes an X server's refusal there itself
    ("Authorization required, ..."), ahead of the one line the app means to write."""
    read_end, write_end = os.pipe()
    with os.fdopen(read_end, "rb") as said:  # closed also when the call raises
        try:
            kept = os.dup(2)
            os.dup2(write_end, 2)
        finally:
            os.close(write_end)  # fd 2 holds the pipe open while the call runs
        try:
            call()
        finally:
            os.dup2(kept, 2)  # what is written after goes where it did (a thread past the wait)
            os.close(kept)
        return "; ".join(line.strip() for line in said.read().decode(errors="replace").splitlines() if line.strip())


def _wayland_problem(env: Mapping[str, str], timeout_s: float) -> str | None:
    """Why the Wayland compositor libwayland would reach from ``env`` does not take a
    connection, in one line, or None: WAYLAND_DISPLAY (wayland-0 where unset), a path or a name
    in XDG_RUNTIME_DIR, as wl_display_connect finds it. Connecting is all a Wayland client
    does before its first request: the protocol has no handshake to wait on."""
    if env.get("WAYLAND_SOCKET"):
        return None  # a socket already connected, handed down by the compositor
    name = env.get("WAYLAND_DISPLAY") or "wayland-0"
    runtime_dir = env.get("XDG_RUNTIME_DIR")
    if not name.startswith("/") and not runtime_dir:
        return f"no Wayland compositor to reach (WAYLAND_DISPLAY={name}, XDG_RUNTIME_DIR not set): {_ELSEWHERE}"
    path = name if name.startswith("/") else os.path.join(runtime_dir or "", name)
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(timeout_s)
            client.connect(path)
    except OSError as error:
        reason = error.strerror or str(error)  # a timeout has no strerror
        return f"no Wayland compositor answers at {path} (WAYLAND_DISPLAY={name}: {reason}): {_ELSEWHERE}"
    return None


def _loads(soname: str, load: Callable[[str], object]) -> bool:
    try:
        load(soname)
    except OSError:
        return False
    return True
