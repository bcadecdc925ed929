"""Python's cyclic garbage collection kept on the GUI thread while a main window is open.

CPython collects in whichever thread's allocation crosses a threshold, and in this app
the capture and inference workers, the background scans and the classifier build all
allocate. A closed window, dialog or menu that sits in a reference cycle (a connected
slot that captures its widget: a closed main window is one) is freed only by such a
collection, and a Qt object destroyed from a thread it does not belong to can crash the
process (the likeliest cause of a segmentation fault the test suite showed once, with
closed windows and classifier builds running). So, as pyqtgraph and calibre do,
automatic collection is off while a window is open, and a timer on the GUI thread
collects each generation once it is due.

A full collection walks every object the process holds while keeping the GIL, so it
stalls the GUI whichever thread runs it; what was loaded before the window (torch, Qt,
OpenCV) is frozen out of it (``gc.freeze``), as those objects live as long as the app
(docs/measurements.md, "Garbage collection on the GUI thread").
"""

from __future__ import annotations

import gc
import threading

from PyQt6.QtCore import QTimer

# How often the GUI thread looks whether a generation is due: often enough that each
# collection stays as small as CPython's own (at a tenth of a second a busy worker's
# garbage piled up into collections many times longer: docs/measurements.md); a look
# that finds nothing due costs microseconds.
CHECK_INTERVAL_MS = 25


class _Collector:
    """The process's one collector: ``gc`` is process-wide, so are its holders."""

    def __init__(self) -> None:
        self.holders = 0
        self.timer: QTimer | None = None
        self.was_enabled = True


_COLLECTOR = _Collector()


class GcHold:
    """One window's hold on GUI-thread collection; :meth:`release` it once its threads
    have stopped (a second call does nothing)."""

    def __init__(self) -> None:
        self._released = False

    def release(self) -> None:
        if self._released:
            return
        self._released = True
        _release_one()


def hold() -> GcHold:
    """A window opens: collection moves to the GUI thread (call on that thread).

    The first holder collects the young garbage, freezes what is left (what the app loaded
    before its window: it lives as long as the app), turns automatic collection off and
    starts the timer; later holders only count.
    """
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("gui_thread_gc.hold() must be called on the GUI (main) thread")
    collector = _COLLECTOR
    collector.holders += 1
    if collector.holders == 1:
        collector.was_enabled = gc.isenabled()
        # The young generations only: a full collection here walks all that torch and Qt
        # loaded, a GUI stall of its own (docs/measurements.md).
        gc.collect(1)
        gc.freeze()
        gc.disable()
        timer = QTimer()
        timer.setInterval(CHECK_INTERVAL_MS)
        timer.timeout.connect(collect_due)
        timer.start()
        collector.timer = timer
    return GcHold()


def _release_one() -> None:
    collector = _COLLECTOR
    if collector.holders == 0:  # release_all() came first
        return
    collector.holders -= 1
    if collector.holders == 0:
        _give_back(collector)


def release_all() -> None:
    """Give collection back to CPython now, whatever holds it (``measure_gui
    --automatic-gc`` compares the two); the holds' own releases then do nothing."""
    collector = _COLLECTOR
    if collector.holders:
        collector.holders = 0
        _give_back(collector)


def _give_back(collector: _Collector) -> None:
    """The last hold is gone: unfreeze and give collection back to CPython as it was.

    A closed window is garbage only once nothing refers to it: whoever drops it while
    other threads still run (a test) should collect then, on the GUI thread.
    """
    if collector.timer is not None:
        collector.timer.stop()
        collector.timer = None
    gc.unfreeze()
    if collector.was_enabled:
        gc.enable()


def holding() -> bool:
    """Whether a window holds collection on the GUI thread now."""
    return _COLLECTOR.holders > 0


def collect_due() -> int:
    """Collect the oldest generation whose count is past its threshold, as CPython would
    have on its own; returns the number of unreachable objects found (0: none due)."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    due = [generation for generation, (count, limit) in enumerate(zip(counts, thresholds)) if limit and count > limit]
    if not due:
        return 0
    return gc.collect(max(due))
