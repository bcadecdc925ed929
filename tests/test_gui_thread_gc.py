"""Cyclic garbage is collected on the GUI thread while a main window is open.

A worker thread that allocates trips CPython's collector in that thread; a Qt object
freed there, off the GUI thread, can crash the process (emotion_app.gui.gui_thread_gc).
"""

from __future__ import annotations

import gc
import threading

from pytestqt.qtbot import QtBot

from emotion_app.gui import gui_thread_gc
from emotion_app.samples import VideoTruth
from tests.gui_support import WAIT_MS, WindowFactory, wait_for_face_result


class _Cycle:
    """An object that only the cyclic collector frees, noting the thread that freed it."""

    def __init__(self, freed_on: list[int]) -> None:
        self.me = self
        self.freed_on = freed_on

    def __del__(self) -> None:
        self.freed_on.append(threading.get_ident())


def _allocate_on_a_worker() -> list[list[int]]:
    """Far more container objects than any generation's threshold, made on another thread
    and kept (freeing them would take the count back down)."""
    kept: list[list[int]] = []

    def churn() -> None:
        kept.extend([] for _ in range(300_000))

    worker = threading.Thread(target=churn)
    worker.start()
    worker.join()
    return kept


def test_a_workers_allocations_do_not_free_gui_garbage_off_the_gui_thread(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    window = make_window(video=gui_video.path)
    wait_for_face_result(qtbot, window)  # capture and inference threads at work
    freed_on: list[int] = []
    _Cycle(freed_on)  # garbage made on the GUI thread, in a cycle
    allocated = _allocate_on_a_worker()
    assert freed_on == []  # without the GUI-thread collector the worker frees it
    qtbot.waitUntil(lambda: bool(freed_on), timeout=WAIT_MS)  # the next check finds it due
    assert freed_on == [threading.main_thread().ident]
    del allocated


def test_windows_hold_collection_until_the_last_one_closes(qtbot: QtBot, make_window: WindowFactory) -> None:
    assert not gui_thread_gc.holding() and gc.isenabled()
    first = make_window()
    second = make_window()
    assert gui_thread_gc.holding() and not gc.isenabled() and gc.get_freeze_count() > 0
    first.close()
    first.close()  # closing twice releases once: the other window still holds it
    assert gui_thread_gc.holding() and not gc.isenabled()
    second.close()
    assert not gui_thread_gc.holding() and gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_release_all_gives_collection_back_and_holds_then_release_nothing(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window()
    extra = gui_thread_gc.hold()
    gui_thread_gc.release_all()
    assert not gui_thread_gc.holding() and gc.isenabled() and gc.get_freeze_count() == 0
    extra.release()
    window.close()
    assert not gui_thread_gc.holding() and gc.isenabled()
    again = make_window()  # a later window holds afresh
    assert gui_thread_gc.holding() and not gc.isenabled()
    again.close()
    assert not gui_thread_gc.holding() and gc.isenabled()


def test_collect_due_collects_a_generation_past_its_threshold(qtbot: QtBot, make_window: WindowFactory) -> None:
    make_window()
    freed_on: list[int] = []
    _Cycle(freed_on)
    # Well past the threshold below, whatever the count was: the window's other threads
    # (its model's build among them) free objects meanwhile, which lowers the count.
    young: list[list[object]] = [[] for _ in range(5000)]
    old = gc.get_threshold()
    try:
        gc.set_threshold(10, *old[1:])
        found = gui_thread_gc.collect_due()
    finally:
        gc.set_threshold(*old)
    assert found >= 1 and freed_on == [threading.get_ident()]
    assert gui_thread_gc.collect_due() == 0  # nothing due right after a collection
    del young
