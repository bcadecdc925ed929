"""Whether the window can open here, asked before Qt is: on Linux, QApplication's
constructor aborts the process (SIGABRT) with a screenful that ends "Reinstalling the
application may fix this problem." both where there is no display at all (an SSH session)
and where the X libraries PyQt6's xcb plugin links against are missing (a fresh Ubuntu
lacks libxcb-cursor0). Neither says what to do; :func:`display_problem` says it in a line.
"""

from __future__ import annotations

import ctypes
import os
import sys
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

NO_DISPLAY = (
    "no display to open the window on (DISPLAY and WAYLAND_DISPLAY are not set): run it in a "
    "desktop session, or under a virtual X server (xvfb-run -a python main.py); "
    "`python -m emotion_app analyze` needs no display"
)


def display_problem(
    environ: Mapping[str, str] | None = None,
    load: Callable[[str], object] = ctypes.CDLL,
    platform: str = sys.platform,
) -> str | None:
    """Why Qt could not open a window here, in one line, or None (also off Linux).

    ``load`` opens a shared library by soname and raises OSError when it cannot (a test
    passes its own). Qt 6 tries Wayland first where WAYLAND_DISPLAY is set or
    XDG_SESSION_TYPE is "wayland", falling back to X11 (xcb); the xcb libraries are
    looked for only where it goes to xcb straight away, so a Wayland session is never
    refused for an X library it does not use.
    """
    env = os.environ if environ is None else environ
    if not platform.startswith("linux") or env.get("QT_QPA_PLATFORM"):
        return None  # the user (or a test: offscreen) chose the platform
    wayland = bool(env.get("WAYLAND_DISPLAY")) or env.get("XDG_SESSION_TYPE") == "wayland"
    if not env.get("DISPLAY"):
        # A Wayland session: its compositor's default socket (wayland-0) may answer.
        return None if wayland else NO_DISPLAY
    if wayland:
        return None
    missing = [soname for soname in XCB_LIBRARIES if not _loads(soname, load)]
    if not missing:
        return None
    packages = " ".join(dict.fromkeys(XCB_LIBRARIES[soname] for soname in missing))
    return (
        f"Qt cannot open a window on this X display: missing {', '.join(missing)}, which its xcb "
        f"platform plugin needs; on Debian or Ubuntu: sudo apt-get install {packages}"
    )


def _loads(soname: str, load: Callable[[str], object]) -> bool:
    try:
        load(soname)
    except OSError:
        return False
    return True
