"""A second Ctrl+C (or SIGTERM) while the app's exit waits for its outputs: exit at once.

The exit waits for what is still being written (a recording, snapshots, a timeline export,
a model load), on a share whose server has gone for up to about half a minute. A first
signal then says so on stderr; a second ends the process there, with one line on stderr
naming what was left unsaved. One signal never loses an output that would have been
saved (a session manager's SIGTERM after the window closed, say). Python runs a signal
handler only on the main thread between two bytecodes, so every wait of the exit on that
thread is cut into slices of :data:`WAIT_SLICE_S`.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import weakref
from collections.abc import Callable
from typing import NoReturn

from PyQt6.QtCore import QThread, QThreadPool

from emotion_app.sources.frame_source import WAIT_SLICE_S

_exit_begun = threading.Event()
# What the window has left unsaved, asked only when the exit is cut short. Weak: a test's
# many windows are not kept for it.
_window_unsaved: weakref.WeakMethod[Callable[[], list[str]]] | None = None


def reset() -> None:
    """A new application: no exit under way (tests make one after another in a process)."""
    global _window_unsaved
    _exit_begun.clear()
    _window_unsaved = None


def watch(unsaved: Callable[[], list[str]]) -> None:
    """``unsaved``, a bound method of the window, names what it is still writing, each as its
    exit's warning does ("not saved: ..."): from the window's start, so a first signal
    while it is open tells of its snapshots and exports too, and a second names them."""
    global _window_unsaved
    _window_unsaved = weakref.WeakMethod(unsaved)


def exit_begun() -> None:
    """The exit has started to wait for outputs (the window is closing)."""
    _exit_begun.set()


def is_exiting() -> bool:
    return _exit_begun.is_set()


def unsaved_now() -> list[str]:
    """What a process ending now would leave unsaved: the window's outputs, then the model
    loads and recordings still under way (their modules' own lists)."""
    found: list[str] = []
    method = _window_unsaved() if _window_unsaved is not None else None
    sources: list[Callable[[], list[str]]] = [method] if method is not None else []
    # Only modules already imported: a signal at start-up must not import torch. One being
    # imported is in sys.modules before its functions are: it has nothing under way yet.
    for module_name, name in (("emotion_app.gui.recording_writer", "unsaved"), ("emotion_app.live", "loads_left")):
        function = getattr(sys.modules.get(module_name), name, None)
        if function is not None:
            sources.append(function)
    for source in sources:
        try:
            found += [what for what in source() if what not in found]
        except Exception as exc:  # the window half torn down: say so rather than not exit
            found.append(f"(could not tell what else: {exc})")
    return found


def tell_waiting(signum: int) -> None:
    """A first signal: when the exit will wait for what is being written (or already
    waits), say so on stderr, and that the signal again quits without waiting."""
    if not (is_exiting() or unsaved_now()):
        return  # the quit will be quick: nothing to say
    name = signal.Signals(signum).name
    again = "press Ctrl+C again" if signum == signal.SIGINT else f"send {name} again"
    _write_stderr(f"{name}: quitting once what is still being written is done; {again} to quit without waiting\n")


def _write_stderr(line: str) -> None:
    try:
        # Not through sys.stderr: the handler may have interrupted a write to it.
        os.write(2, line.encode("utf-8", "replace"))
    except OSError:
        pass


def exit_now(signum: int) -> NoReturn:
    """End the process at once with 128 + ``signum``, saying what is left unsaved.

    ``os._exit`` runs no Python code more: no ``finally``, no atexit, no rename. Every output
    is written to a hidden temporary file renamed onto its target only once complete
    (``io/atomic``), so what is cut short leaves its temporary file, never a partial one in
    place of a good one.
    """
    unsaved = unsaved_now()
    told = f" for what was still being written; {'; '.join(unsaved)}" if unsaved else "; nothing was left unsaved"
    _write_stderr(f"{signal.Signals(signum).name}: quit without waiting{told}\n")
    os._exit(128 + signum)


def wait_for_thread(thread: QThread, timeout_s: float | None = None) -> bool:
    """``thread.wait``, in slices so a signal's handler runs meanwhile; True if it ended."""
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    while True:
        slice_s = WAIT_SLICE_S if deadline is None else min(WAIT_SLICE_S, deadline - time.monotonic())
        if thread.wait(max(1, round(slice_s * 1000))):
            return True
        if deadline is not None and time.monotonic() >= deadline:
            return False


def wait_for_pool(pool: QThreadPool, timeout_s: float) -> bool:
    """``pool.waitForDone``, in slices as :func:`wait_for_thread`; True if it is done."""
    deadline = time.monotonic() + timeout_s
    while True:
        slice_s = min(WAIT_SLICE_S, deadline - time.monotonic())
        if pool.waitForDone(max(0, round(slice_s * 1000))):
            return True
        if time.monotonic() >= deadline:
            return False
