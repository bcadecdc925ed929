"""A raw Motion JPEG file's frames, found by where each of its JPEGs starts.

A raw MJPEG file (a camera's recording saved as .mjpeg) is JPEGs one after another with
no container: nothing says how many frames it holds or where any one of them is.
:class:`JpegIndex` finds each JPEG's start by its markers, without decoding, so the file's
length is known and any frame is one file seek away. It scans as far as it is asked to
(and, where asked, to the end on a thread of its own); a file that has grown since it
reached the end (a recording still being written) is scanned on from there. What a scan to
the end of a file not written to while open found is kept for the file while it stays as it
was: opened again, it is counted at once. After a long run of JPEGs none of which can
decode (no end marker, or too short: a file of nothing but start markers) the scan gives
up, and the file is taken to end there.
"""

from __future__ import annotations

import os
import threading
import time
from array import array
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from io import FileIO
from pathlib import Path
from types import TracebackType

import numpy as np

# What every JPEG starts with: its start-of-image marker and the next segment's marker.
# A JPEG's coded data cannot hold it (a 0xFF there is followed by 0x00 or a restart marker).
JPEG_START = b"\xff\xd8\xff"
JPEG_END = b"\xff\xd9"
# The scan reads the file this much at a time...
_CHUNK = 1 << 20
# ...and reads again once fewer bytes than this are left ahead of it in what it read.
_LOOKAHEAD = 64 << 10
# A JPEG's segments walked before its coded data, at most (a damaged file's may not end).
_MAX_SEGMENTS = 1024
# Markers that stand alone, with no length after them.
_NO_LENGTH = frozenset({0x01, *range(0xD0, 0xDA)})
_FILL = 0xFF  # a byte a marker may be preceded by, any number of times
_START_OF_SCAN = 0xDA
# How far past a segment's marker its length can point, with the 4 bytes read there.
_MAX_SEGMENT_REACH = 2 + 0xFFFF + 4
# A start-of-scan segment's length at most: its header names at most 4 components.
_MAX_SCAN_HEADER = 6 + 2 * 4
# No JPEG shorter than this decodes: the shortest that does is 97 bytes (its start and end
# markers, a quantization table, a frame header, a scan header, a byte of coded data).
_SHORTEST_JPEG = 64
# JPEGs in a row that cannot decode (no end marker before the next one's start, or too
# short) after which the scan gives up on the rest of the file: one of nothing but start
# markers would be walked a JPEG every 3 bytes. Well past the undecodable frames in a row
# that analyze and the app read on past (video.MAX_UNDECODABLE_RUN).
GIVE_UP_AFTER_UNDECODABLE = 1000
# A stretch from one JPEG's start to the next longer than this is not read into memory: it
# counts as a JPEG that does not decode (no camera's frame comes near it).
MAX_JPEG_BYTES = 1 << 30
# A file counted to its end is looked at this often (seconds) while its count is asked for:
# one still being written grows with no read to find it (the app paused on it).
_GROWTH_POLL_S = 0.5
# The starts of files counted to their end are kept, by file, up to this many bytes in all
# (8 a JPEG), the file used least recently going first.
COUNTED_BYTES = 64 << 20


@dataclass(frozen=True)
class _Counted:
    """What a scan to the end of a file found, and the file as it was then."""

    size: int
    mtime_ns: int
    starts: array[int]
    search_from: int
    count: int
    last_end: int | None


# By file (device, inode): a file opened again by another name is the same file.
_counted: OrderedDict[tuple[int, int], _Counted] = OrderedDict()
_counted_lock = threading.Lock()


class JpegIndex:
    """Where each JPEG of a raw MJPEG file starts; safe to use from several threads.

    Spans of JPEGs already found are looked up without waiting; one further on scans
    the file up to it (the file's end for one past the last).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = path.open("rb", buffering=0)  # OSError to the caller; see _read_at
        # Held while scanning; the starts found are read without it: they only grow, and a
        # start once found stays where it is.
        self._lock = threading.Lock()
        self._starts = array("q")
        self._search_from = 0  # where the search for the next JPEG's start goes on
        self._end: int | None = None  # the file's size when the scan reached its end; None before
        self._count: int | None = None
        self._last_end: int | None = None  # past the last JPEG's end marker, where the end was reached
        # Past the end marker of the last JPEG found, where the search for the next one's
        # start passed it: that JPEG is whole, whatever follows (a recorder's padding).
        self._tail_end: int | None = None
        self._failed = False  # a read failed: the JPEGs found are not all the file's
        # JPEGs just found in a row that cannot decode, and whether the scan gave up on the
        # file after GIVE_UP_AFTER_UNDECODABLE of them (the JPEGs found so far are then all).
        self._undecodable_run = 0
        self._gave_up = False
        self._buffer = b""
        self._buffer_at = 0
        self._buffer_short = False  # the read that filled it stopped at the file's end
        self._closed = False
        # Told whenever the count changes; held apart from the scan so that close() waits
        # for a call under way and none comes after it.
        self._telling = threading.Lock()
        self._on_count: Callable[[int], None] | None = None
        self._told: int | None = None
        self._counting = False  # a thread scans to the end (under the scan's lock)
        self._shut = threading.Event()  # set on close: the thread watching for growth ends
        # The file as it was opened: a count is kept only for a file that stayed so (one
        # written over in place while open is scanned on from where the old one ended).
        self._opened_as: tuple[int, int] | None = None
        # The file's size and modification time when last looked at, and whether it was
        # found written over in place since (the same file holding other JPEGs, at other
        # places): then it holds none of the JPEGs found, and nothing is scanned.
        self._seen: tuple[int, int] | None = None
        self._written_over = False
        self._checked_read: tuple[int, int] | None = None  # the read last checked for it
        self._reuse_count()
        self._seen = self._opened_as

    @property
    def written_over(self) -> bool:
        """Whether the file was found written over in place while open (truncated, or not
        holding a JPEG's start where one was found): no JPEG of it is given from then on."""
        return self._written_over

    def still_as_indexed(self) -> bool:
        """Look at the file now: False where it was written over in place since it was
        indexed (see :attr:`written_over`)."""
        try:  # unchanged since last looked at (each read of a frame asks): no wait for a scan
            state = os.fstat(self._file.fileno())
            if (state.st_size, state.st_mtime_ns) == self._seen and not self._written_over:
                return True
        except (OSError, ValueError):  # closed: the read that follows says so
            return True
        with self._lock:
            return self._still_as_indexed()

    @property
    def count(self) -> int | None:
        """The file's JPEGs, once the scan has reached its end (None before; at once for a
        file a scan reached the end of before, unchanged since). A last JPEG without its
        end marker (the file cut short, or still being written) is left out, and :meth:`span`
        does not give it (see :attr:`cut_short`)."""
        return self._count

    @property
    def cut_short(self) -> int | None:
        """The place of a last JPEG that has no end marker where the scan reached the
        file's end (cut short, or still being written): no frame, yet. None where there
        is none, or the scan has not reached the end."""
        with self._lock:  # the count and the starts found as of one scan
            if self._end is None or self._count is None or self._count >= len(self._starts):
                return None
            return self._count

    def span(self, frame: int, give_up: Callable[[], bool] | None = None) -> tuple[int, int] | None:
        """Where JPEG ``frame`` (0-based) starts and where the next begins (for the last
        found so far, past its end marker), scanning on as far as that needs; None where
        the file holds fewer, where ``give_up`` says so before the scan got there (it is
        asked between reads: a long scan need not hold its thread), or for a last JPEG
        whose end marker is not in the file (yet: a recording's next frame, half written,
        is not passed over, and is given once the file holds the rest of it)."""
        starts = self._starts
        if self._written_over or frame < 0:
            return None
        if frame < len(starts) - 1:
            return starts[frame], starts[frame + 1]
        with self._lock:
            # The last JPEG found needs no next start, once its end marker is found: what
            # follows it may be a gigabyte of padding, scanned on only to find the end.
            while (
                frame + 1 >= len(starts)
                and not (frame == len(starts) - 1 and self._tail_end is not None)
                and not (give_up is not None and give_up())
                and self._scan_step()
            ):
                pass
            found: tuple[int, int] | None = None
            if frame + 1 < len(starts):
                found = starts[frame], starts[frame + 1]
            elif frame < len(starts) and self._end is not None and self._last_end is not None:
                found = starts[frame], self._last_end
            elif frame == len(starts) - 1 and self._tail_end is not None:
                found = starts[frame], self._tail_end
            if self._end is None and self._on_count is not None:
                self._count_on()  # it grew: its new length is told once the thread has it
        self._tell()
        return found

    def scan(self, up_to: int | None = None) -> int | None:
        """Scan on to the file's end, or past byte ``up_to`` if sooner; the count, where
        the end was reached."""
        with self._lock:
            while (up_to is None or self._search_from <= up_to) and self._scan_step():
                pass
        self._tell()
        return self._count

    def count_in_background(self, on_count: Callable[[int], None]) -> None:
        """Scan to the file's end on a thread of its own, which then watches for the file
        to grow until :meth:`close`. ``on_count`` is called with the count whenever it
        changes from what it is now (known at last, or a file that grew), from whichever
        thread found it; never after :meth:`close` returns."""
        with self._telling, self._lock:
            self._on_count, self._told = on_count, self._count
            self._count_on()

    def close(self) -> None:
        """Stop scanning and close the file; safe to call twice, from any thread."""
        with self._telling:
            self._on_count = None
        self._shut.set()
        with self._lock:
            self._closed = True
            self._buffer = b""
            self._file.close()

    def __enter__(self) -> JpegIndex:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def _count_on(self) -> None:
        """Start the thread that scans to the end, where none does. Called with the lock held."""
        if not self._counting and not self._closed:
            self._counting = True
            threading.Thread(target=self._scan_all, name="mjpeg-index", daemon=True).start()

    def _scan_all(self) -> None:
        """Scan to the end; then, while the count is asked for, scan on whenever the file
        has grown (a recording still being written, with no read to find it)."""
        while True:
            with self._lock:  # a read's worth of the file at a time
                read_from = self._search_from
                while (more := self._scan_step()) and self._search_from - read_from < _CHUNK:
                    pass
                self._counting = more or (
                    self._on_count is not None and not self._closed and not self._written_over and not self._gave_up
                )
                counting = self._counting
            self._tell()
            if not counting:
                return
            if more:
                # Lets a thread waiting for the lock (a seek past the JPEGs found) take it.
                time.sleep(0)
            elif self._shut.wait(_GROWTH_POLL_S):
                with self._lock:
                    self._counting = False
                return

    def _scan_step(self) -> bool:
        """Scan on by one JPEG or one read's worth of bytes; False at the file's end (as
        it is now) or once closed. Called with the lock held."""
        if self._closed or self._written_over or self._gave_up:
            return False
        try:
            if self._end is not None:
                if not self._still_as_indexed():
                    return False
                size = os.fstat(self._file.fileno()).st_size
                if size <= self._end:
                    return False
                size_at_end = self._end
                self._end = self._last_end = None  # it grew: scan on from where the search stopped
                self._buffer = b""  # read before it grew
                if self._search_from > size_at_end:
                    # The last JPEG's walk trusted a length past the file's end (half
                    # written, or damaged): walked again, now with what follows it.
                    self._search_from = self._coded_data(self._starts[-1])
            buffer, offset = self._window(self._search_from, _LOOKAHEAD)
            if (self._buffer_at, len(buffer)) != self._checked_read:
                # Read anew (a read's worth of the file at a time): the file may have been
                # written over since the last read, the JPEGs found not where they were.
                self._checked_read = self._buffer_at, len(buffer)
                if not self._still_as_indexed():
                    return False
            found = buffer.find(JPEG_START, offset)
            if found >= 0:
                start = self._buffer_at + found
                if self._starts:
                    # Its end marker is where the search for this start passed it: most often
                    # just before it, so looked for from there back.
                    has_end = self._tail_end is not None or buffer.rfind(JPEG_END, offset, found) >= 0
                    decodes = has_end and start - self._starts[-1] >= _SHORTEST_JPEG
                    self._undecodable_run = 0 if decodes else self._undecodable_run + 1
                self._starts.append(start)
                self._tail_end = None
                self._search_from = self._coded_data(start)
                if self._undecodable_run < GIVE_UP_AFTER_UNDECODABLE:
                    return True
                # No JPEG that decodes in a long while: the file taken to end here (and not
                # scanned on where it grows).
                self._gave_up = True
                self._end = self._search_from
                self._count = len(self._starts) - (not self._last_is_whole())
                return False
            if self._tail_end is None and self._starts:
                # Searched from the last JPEG's coded data on, where only its end marker
                # can be: looked for only in a read with no next start, so seldom.
                if (ended := buffer.find(JPEG_END, offset)) >= 0:
                    self._tail_end = self._buffer_at + ended + len(JPEG_END)
            read_to = self._buffer_at + len(buffer)
            # Searched on where a start cut in two by the end of what was read would begin.
            self._search_from = max(self._search_from, read_to - (len(JPEG_START) - 1))
            if not self._buffer_short:
                return True
            # What was searched (a file grown since is scanned on from here), or the file's
            # end where a length was trusted past it: a growth short of that point is seen.
            self._end = min(read_to, os.fstat(self._file.fileno()).st_size)
        except OSError:  # a read that fails (a disk error): the JPEGs found so far are the file
            self._end = self._search_from
            self._failed = True
        self._count = len(self._starts) - (not self._last_is_whole())
        self._remember_count()
        return False

    def _still_as_indexed(self) -> bool:
        """Whether the file holds what was indexed: looked at again where its size or
        modification time changed since it was last looked at. A recording written on
        keeps its bytes and grows; one written over in place shrank short of the last JPEG
        found, or holds no JPEG start where it was. Called with the lock held."""
        if self._written_over:
            return False
        try:
            state = os.fstat(self._file.fileno())
            seen = (state.st_size, state.st_mtime_ns)
            if seen == self._seen:
                return True
            shrank = self._seen is not None and state.st_size < self._seen[0]
            # Shrunk but still long enough for the JPEGs found (a recorder cutting off the
            # padding it made ahead of its frames): told apart by the last start, as below.
            if shrank and (not self._starts or state.st_size < self._starts[-1] + len(JPEG_START)):
                self._written_over = True
            elif self._starts:
                self._written_over = _read_at(self._file, self._starts[-1], len(JPEG_START)) != JPEG_START
        except (OSError, ValueError):  # a read that fails is told where it fails; closed
            return True
        if self._written_over:
            self._buffer = b""
        else:
            self._seen = seen
        return not self._written_over

    def _reuse_count(self) -> None:
        """Take what a scan to the end of this file found before, where the file is as it
        was then (its size and modification time, and a JPEG still where its first and
        last were)."""
        try:
            state = os.fstat(self._file.fileno())
            self._opened_as = (state.st_size, state.st_mtime_ns)
            key = (state.st_dev, state.st_ino)
            with _counted_lock:
                counted = _counted.get(key)
                if counted is not None:
                    _counted.move_to_end(key)
            if counted is None or (counted.size, counted.mtime_ns) != self._opened_as:
                return
            for start in (counted.starts[0], counted.starts[-1]):
                if _read_at(self._file, start, len(JPEG_START)) != JPEG_START:
                    return
        except (OSError, IndexError):
            return
        self._starts = array("q", counted.starts)  # grown on where the file is
        self._search_from, self._end = counted.search_from, counted.size
        self._count, self._last_end = counted.count, counted.last_end

    def _remember_count(self) -> None:
        """Keep what this scan to the file's end found, where the file is as it was opened:
        one written to since may have been written over, not only grown, and what was
        found of it is not all at the places kept. Called with the lock held."""
        if self._failed or self._end is None or self._count is None or not self._starts:
            return
        try:
            state = os.fstat(self._file.fileno())
        except OSError:
            return
        if (state.st_size, state.st_mtime_ns) != self._opened_as:  # written to since it was opened
            return
        if state.st_size != self._end:  # grown since the scan reached its end
            return
        counted = _Counted(
            state.st_size, state.st_mtime_ns, array("q", self._starts), self._search_from, self._count, self._last_end
        )
        key = (state.st_dev, state.st_ino)
        with _counted_lock:
            _counted[key] = counted
            _counted.move_to_end(key)
            kept = sum(len(entry.starts) for entry in _counted.values()) * counted.starts.itemsize
            while kept > COUNTED_BYTES:
                kept -= len(_counted.popitem(last=False)[1].starts) * counted.starts.itemsize

    def _last_is_whole(self) -> bool:
        """Whether the last JPEG found has its end marker (True where there is none); where
        it has, that JPEG ends there (``_last_end``).

        Looked for from its coded data on, which cannot hold one: what follows the marker
        (zeros a writer padded the file with, a trailer) does not matter, and is not read
        with the JPEG."""
        self._last_end = None
        if not self._starts or self._end is None:
            return True
        try:
            at = self._coded_data(self._starts[-1])
            while self._end - at >= len(JPEG_END):
                buffer, offset = self._window(at, len(JPEG_END))
                piece = buffer[offset : offset + self._end - at]
                if (found := piece.find(JPEG_END)) >= 0:
                    self._last_end = at + found + len(JPEG_END)
                    return True
                if len(piece) < len(JPEG_END):  # shorter than when it was scanned
                    return False
                at += len(piece) - (len(JPEG_END) - 1)  # a marker cut in two by a read is found
        except OSError:
            return False
        return False

    def _coded_data(self, start: int) -> int:
        """Where the JPEG at ``start`` has its coded data: past its segments, whose contents
        are not searched for JPEG starts (an Exif thumbnail is a JPEG of its own). Where
        they do not read as segments (a damaged JPEG), where they stop doing so.

        A segment whose length lands on no marker was damaged: the search goes on from
        that segment, not from where its length points (past the next JPEGs' starts). So
        was one whose length points past the file's end where a JPEG ended after it and
        another started; otherwise that length is trusted: the file may be being written."""
        at = segment = start + 2
        buffer = self._window(at, 4)[0]
        for _ in range(_MAX_SEGMENTS):
            offset = at - self._buffer_at
            if offset + 4 > len(buffer):  # past what was read: read on from there
                buffer, offset = self._window(at, 4)
                if offset + 4 > len(buffer):
                    return segment if self._ended_before_another(segment) else at
            marker = buffer[offset + 1]
            if buffer[offset] != 0xFF or marker == 0x00:
                return segment
            if marker == _FILL:
                at += 1
                continue
            if marker in _NO_LENGTH:
                return at
            length = buffer[offset + 2] << 8 | buffer[offset + 3]
            if length < 2 or (marker == _START_OF_SCAN and length > _MAX_SCAN_HEADER):
                return at
            segment, at = at, at + 2 + length
            if marker == _START_OF_SCAN:
                return at
        return at

    def _ended_before_another(self, segment: int) -> bool:
        """Whether an end marker follows byte ``segment`` and a JPEG's start follows that,
        up to the file's end, which a segment's length (64 KiB at most) passed.

        A JPEG still being written has no end marker yet; one whose header held a smaller
        JPEG (a thumbnail), written up to past it, has that one's but no start after."""
        try:
            rest = _read_at(self._file, segment, _MAX_SEGMENT_REACH)
        except OSError:
            return False
        ended = rest.find(JPEG_END)
        return ended >= 0 and rest.find(JPEG_START, ended + len(JPEG_END)) >= 0

    def _window(self, at: int, need: int) -> tuple[bytes, int]:
        """The bytes read and where ``at`` falls in them, with ``need`` bytes from ``at``
        where the file holds them (read again from ``at`` where they are not there)."""
        offset = at - self._buffer_at
        if offset < 0 or offset + need > len(self._buffer):
            wanted = max(need, _CHUNK)
            self._buffer = _read_at(self._file, at, wanted)
            self._buffer_at, offset = at, 0
            self._buffer_short = len(self._buffer) < wanted
        return self._buffer, offset

    def _tell(self) -> None:
        """Call ``on_count`` where the count has changed since it was last told (under its
        own lock: close() then waits for the call; the call must not use the index)."""
        if self._count is None or self._count == self._told:
            return
        with self._telling:
            count = self._count
            if self._on_count is None or count is None or count == self._told:
                return
            self._told = count
            self._on_count(count)


def _read_at(file: FileIO, at: int, size: int) -> bytes:
    """``size`` bytes of ``file`` from byte ``at``, fewer only at its end. Read from the
    file itself (it is opened unbuffered): a buffer of bytes read before would still hold
    them after the file was written over in place."""
    file.seek(at)
    data = file.read(size)
    while len(data) < size and (more := file.read(size - len(data))):
        data += more  # a short read short of the end (a network file system's)
    return data


class RawMjpeg:
    """A raw MJPEG file's JPEGs, each read undecoded by its place in the file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.index = JpegIndex(path)  # OSError to the caller
        try:
            # A handle of its own: the index may be scanning its own on another thread.
            self._file = path.open("rb", buffering=0)
        except OSError:
            self.index.close()
            raise

    def jpeg(self, frame: int, give_up: Callable[[], bool] | None = None) -> np.ndarray | None:
        """JPEG ``frame``'s bytes (empty where they cannot be read); None past the last,
        where ``give_up`` said so before the scan for it got there (see
        :meth:`JpegIndex.span`), or where the file was written over in place while open
        (:attr:`JpegIndex.written_over`)."""
        span = self.index.span(frame, give_up)
        if span is None:
            return None
        start, end = span
        if end - start > MAX_JPEG_BYTES:
            return np.empty(0, np.uint8)
        try:
            data = _read_at(self._file, start, end - start)
        except (OSError, ValueError):  # a disk error, or closed
            return np.empty(0, np.uint8)
        # Looked at after the read: bytes read from a file written over since are not given.
        if not self.index.still_as_indexed():
            return None
        return np.frombuffer(data, np.uint8)

    def close(self) -> None:
        """Close the file and stop its index's scan; safe to call twice."""
        self.index.close()
        self._file.close()

    def __enter__(self) -> RawMjpeg:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
