"""Stops asked for by a signal (Ctrl-C, SIGTERM). During a training step one waits for the
step's end, so the checkpoint saved at the stop resumes exactly: a step cut short would
already have moved BatchNorm's statistics or the weights, and be done again on resume. A
second signal stops at once, unless the step's update has begun: that always finishes.
The other tools' ``main`` ends on Ctrl-C or SIGTERM in one line (:func:`interruptible`), and
so does a Ctrl-C while a tool's module loads, before its ``main`` (:func:`stop_quietly_while_loading`)."""

from __future__ import annotations

import functools
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import torch

_HANDLED = (signal.SIGINT, signal.SIGTERM)


class StopRequest:
    """What a signal asked for; the training steps poll :attr:`requested` between steps."""

    def __init__(self) -> None:
        self.requested = False
        self._deferring = False
        self._updating = False

    def handle(self, signum: int, _frame: FrameType | None) -> None:
        # A second signal during a step that does not end (a hung data read) stops at
        # once: the user asked twice. Within a step's update it is only noted, as the
        # checkpoint saved then must not hold half of one.
        # Under torchrun every signal is only noted: a process that left mid-step would
        # leave the others waiting in its gradient all-reduce (stop_agreed stops them together).
        if self._updating or (self._deferring and not self.requested) or _process_group_running():
            self.requested = True
            return
        raise KeyboardInterrupt(f"signal {signum}")

    @contextmanager
    def updating(self) -> Iterator[None]:
        """A step's changes to the model, optimiser, schedule and counts: every signal
        within is only noted (:attr:`requested`), so they are made all or not at all."""
        self._updating = True
        try:
            yield
        finally:
            self._updating = False

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Signals within wait for the caller to look at :attr:`requested` (which stays set
        after: one that came in an epoch's last step is seen at the epoch's end)."""
        self._deferring = True
        try:
            yield
        finally:
            self._deferring = False


STOP = StopRequest()


def _process_group_running() -> bool:
    """Whether torchrun's process group is up. Asked in a signal handler, and by tools
    whose --help must answer before torch loads: a group exists only once
    torch.distributed has been imported, so it is never imported here."""
    distributed = sys.modules.get("torch.distributed")
    # A signal while torch loads finds torch.distributed half imported, without
    # is_initialized yet (and no group): asked for, it raised AttributeError, not the stop.
    is_initialized = getattr(distributed, "is_initialized", None)
    return is_initialized is not None and bool(is_initialized())


def stop_agreed(device: torch.device) -> bool:
    """Whether the run was asked to stop, agreed by all its processes under torchrun (each
    gets the signal at its own moment; one that stopped a step before the others would
    leave them waiting in that step's gradient all-reduce)."""
    import torch
    import torch.distributed as dist

    if not dist.is_initialized():
        return STOP.requested
    flag = torch.tensor([1 if STOP.requested else 0], device=device)
    dist.all_reduce(flag, op=dist.ReduceOp.MAX)
    return bool(flag.item())


def _interrupted_while_loading(_signum: int, _frame: FrameType | None) -> None:
    # Nothing has started yet (no arguments read, no file written): nothing to clean up.
    if os.environ.get("RANK", "0") == "0":  # torchrun's other processes stay quiet, as later
        print("\ninterrupted", file=sys.stderr)
    raise SystemExit(130)


def stop_quietly_while_loading() -> None:
    """Under ``python -m training.TOOL``, a Ctrl-C before the tool's ``main`` runs ends in
    one line and exit code 130, as one after does, not in a traceback from inside an import.

    Called by the package's ``__init__``, the only code of ours that runs before the tool's
    module imports numpy, OpenCV and the rest; :func:`stop_on_signals`, entered by every
    tool's ``main``, puts Python's own handler back. Python sets ``sys.argv[0]`` to ``"-m"``
    only while it imports the package of the module it was told to run: importing the
    package otherwise (a test, a script) changes nothing. An ignored SIGINT stays ignored.
    """
    if sys.argv[:1] == ["-m"] and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _interrupted_while_loading)


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """SIGINT and SIGTERM go to :data:`STOP` within, and back to their handlers after.

    SIGINT is installed explicitly because shells start background jobs with it ignored.
    Signals can only be handled on the main thread; elsewhere nothing changes.
    """
    STOP.requested = False
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    if signal.getsignal(signal.SIGINT) is _interrupted_while_loading:
        # The tool's main runs: its modules have loaded, and a stop is its own from now on.
        signal.signal(signal.SIGINT, signal.default_int_handler)
    before: dict[signal.Signals, Any] = {number: signal.getsignal(number) for number in _HANDLED}
    for number in _HANDLED:
        signal.signal(number, STOP.handle)
    try:
        yield
    finally:
        for number, handler in before.items():
            if handler is not None:  # None: installed outside Python, and cannot be put back from it
                signal.signal(number, handler)


class ToolMain(Protocol):
    def __call__(self, argv: list[str] | None = None) -> int: ...


def interruptible(main: ToolMain) -> ToolMain:
    """A tool's ``main`` that ends on Ctrl-C or SIGTERM with one line and exit code 130, as
    ``training.train`` does, not a traceback or a silent death: the files the tools write are
    each renamed into place whole, and a stop raised in Python (SIGTERM's default ends the
    process at once) discards the hidden temporary file of one being written.
    (``training.train`` handles its own, to checkpoint.)"""

    @functools.wraps(main)
    def stoppable(argv: list[str] | None = None) -> int:
        try:
            # No training steps here to defer a stop to: every signal raises KeyboardInterrupt.
            with stop_on_signals():
                return main(argv)
        except KeyboardInterrupt:
            print("\ninterrupted", file=sys.stderr)
            return 130

    return stoppable
