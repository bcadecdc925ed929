"""A one-slot mailbox: the producer overwrites, the consumer always gets the newest item.

This is how the capture thread hands frames to the inference thread without a queue:
if inference is slower than the camera, old frames are dropped (and counted) instead of
piling up, so latency stays at one frame instead of growing without bound.
"""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

T = TypeVar("T")


class LatestMailbox(Generic[T]):
    """Thread-safe single slot holding the newest item; counts the items overwritten."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._item: T | None = None
        self._dropped = 0

    def put(self, item: T) -> bool:
        """Store ``item``; returns True if the slot was empty (the consumer needs a nudge)."""
        with self._lock:
            was_empty = self._item is None
            if not was_empty:
                self._dropped += 1
            self._item = item
            return was_empty

    def take(self) -> T | None:
        """The newest item, or None; empties the slot."""
        with self._lock:
            item, self._item = self._item, None
            return item

    @property
    def is_full(self) -> bool:
        """Whether an item is waiting (the consumer has not taken the last one yet)."""
        with self._lock:
            return self._item is not None

    def clear(self) -> None:
        """Discard a pending item without counting it as dropped (e.g. on stop)."""
        with self._lock:
            self._item = None

    @property
    def dropped(self) -> int:
        with self._lock:
            return self._dropped

    def reset_dropped(self) -> None:
        with self._lock:
            self._dropped = 0


class DeliveryGate:
    """Bounds how many results are in flight to a consumer that must acknowledge each.

    The GUI thread acknowledges a result once it has taken it; the worker skips emitting
    while too many are unacknowledged, so a busy GUI never gets a backlog of frames.
    """

    def __init__(self, capacity: int = 2) -> None:
        self._lock = threading.Lock()
        self._capacity = capacity
        self._in_flight = 0
        self._skipped = 0
        self._held_waiting = False

    def try_acquire(self, held: bool = False) -> bool:
        """Take a permit; False (the result skipped) when too many are in flight. ``held``:
        a result the consumer must get (a paused file's frame) may take one permit over the
        bound; refused past that, it waits for the next :meth:`release`, which says so."""
        with self._lock:
            if self._in_flight >= self._capacity + (1 if held else 0):
                if held:
                    self._held_waiting = True
                else:
                    self._skipped += 1
                return False
            self._in_flight += 1
            return True

    def release(self) -> bool:
        """Give a permit back; True when a held result waits for it (to be sent now)."""
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
            waiting, self._held_waiting = self._held_waiting, False
            return waiting

    def reset(self) -> None:
        with self._lock:
            self._in_flight = 0
            self._held_waiting = False

    @property
    def skipped(self) -> int:
        with self._lock:
            return self._skipped

    @property
    def capacity(self) -> int:
        return self._capacity

    @property
    def in_flight(self) -> int:
        """Results sent and not yet taken by the consumer."""
        with self._lock:
            return self._in_flight
