"""Which thread ran each of Python's garbage collections, and for how long.

A collection holds the GIL for its whole length, so a long one stalls the GUI whichever
thread runs it; one run off the GUI thread may free a Qt object off its thread
(emotion_app.gui.gui_thread_gc). ``measure_gui`` reports both.
"""

from __future__ import annotations

import gc
import re
import threading
import time
from typing import Any, NamedTuple

from emotion_app.wording import count_text

GUI_THREAD = "GUI thread"


class Collection(NamedTuple):
    at_s: float  # time.perf_counter() when it ended
    generation: int
    thread: str
    ms: float


def thread_kind(thread: threading.Thread) -> str:
    """The GUI (main) thread, a QThread worker (Python sees those as dummy threads), or
    a Python thread by its name without its pool number."""
    if thread is threading.main_thread():
        return GUI_THREAD
    if isinstance(thread, threading._DummyThread):  # noqa: SLF001 (how foreign threads show)
        return "QThread worker"
    return re.sub(r"_\d+$", "", thread.name)


class GcLog:
    """Records every collection from :meth:`start` to :meth:`stop` (``gc.callbacks``)."""

    def __init__(self) -> None:
        self.collections: list[Collection] = []
        self._started: dict[int, float] = {}

    def start(self) -> None:
        if self._callback not in gc.callbacks:
            gc.callbacks.append(self._callback)

    def stop(self) -> None:
        if self._callback in gc.callbacks:
            gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        ident = threading.get_ident()
        now = time.perf_counter()
        if phase == "start":
            self._started[ident] = now
            return
        began = self._started.pop(ident, None)
        if began is not None:
            kind = thread_kind(threading.current_thread())
            self.collections.append(Collection(now, int(info["generation"]), kind, (now - began) * 1000.0))

    def summary(self, since_s: float = float("-inf"), until_s: float = float("inf")) -> dict[str, Any]:
        """Collections that ended in [since_s, until_s]: how many per thread, how many off
        the GUI thread, and the longest (ms, thread, generation)."""
        chosen = [c for c in self.collections if since_s <= c.at_s <= until_s]
        per_thread: dict[str, int] = {}
        for collection in chosen:
            per_thread[collection.thread] = per_thread.get(collection.thread, 0) + 1
        longest = max(chosen, key=lambda c: c.ms, default=None)
        return {
            "collections": len(chosen),
            "off_gui_thread": sum(1 for c in chosen if c.thread != GUI_THREAD),
            "per_thread": per_thread,
            "longest_ms": round(longest.ms, 2) if longest else 0.0,
            "longest_thread": longest.thread if longest else "",
            "longest_generation": longest.generation if longest else -1,
        }


def describe(summary: dict[str, Any]) -> str:
    """One line for a :meth:`GcLog.summary`."""
    if not summary["collections"]:
        return "no collection"
    threads = ", ".join(f"{name} {count}" for name, count in sorted(summary["per_thread"].items()))
    return (
        f"{count_text(summary['collections'], 'collection')} ({threads}); "
        f"{summary['off_gui_thread']} off the GUI thread; "
        f"longest {summary['longest_ms']:.1f} ms (generation {summary['longest_generation']}, "
        f"{summary['longest_thread']})"
    )
