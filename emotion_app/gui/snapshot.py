"""Snapshots: the frame on screen at its own resolution, with the overlay sized by the
frame alone, as recordings and ``analyze --output`` have it (drawn by the core renderer).
A small window shows the text larger to keep it readable; the saved picture, seen at its
own size, needs no such help."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import cv2
from PyQt6.QtCore import QObject, QTimer, pyqtSignal

from emotion_app.arguments import names_no_file
from emotion_app.io.atomic import (
    NOT_ANSWERING_S,
    OutputError,
    check_outputs,
    check_target,
    files_played_from,
    write_bytes,
)
from emotion_app.io.output_folder import free_name, output_folder_problem, unique_output_path
from emotion_app.io.unfinished import Tidied, tidy_stopped_once
from emotion_app.io.video import no_name_problem

from .annotation import saved_or_shown
from .messages import InferenceResult

log = logging.getLogger(__name__)

# Snapshots that may wait for one folder while an earlier one is written there, each holding
# its frame: Ctrl+S held down (key repeat, ~30 a second) into a folder that does not answer
# is refused from here on, rather than costing a thread and a frame a press.
MAX_WAITING_SNAPSHOTS = 8
# ...and the pictures the snapshots waiting for all folders together hold, each counted once
# however many snapshots share it (Ctrl+S again and again on one still): a folder with none
# waiting still takes one however large, so one that answers always takes its next snapshot
# (only one more behind a waiting one can be refused for the memory snapshots waiting for a
# hung folder hold), and a still above the bound is saved.
MAX_WAITING_BYTES = 512 << 20
# How often the GUI thread looks for a folder that has stopped answering while snapshots
# wait for it (the writing thread, blocked in the call, cannot tell): the notice comes this
# much late at most.
NOT_ANSWERING_CHECK_MS = 1000


def snapshot_file(path: Path) -> Path:
    """Where a snapshot asked for at ``path`` goes: ``path`` with a .png suffix."""
    path = Path(path)
    return path if path.suffix.lower() == ".png" else path.with_suffix(".png")


def snapshot_name(typed: str | Path) -> Path:
    """The name a snapshot asked for as ``typed`` is taken as, before :func:`snapshot_file`
    gives it its .png: read as Record to… reads a name, its trailing dots dropped ("photo."
    and "x.png." are photo and x.png, not photo..png and x.png..png). OSError, in a line,
    where the name alone refuses it: a folder's ("", ".", "..", "shots/") or a type alone
    (".png", "..png": a hidden file of no name). Asks no disk."""
    text = str(typed)  # a str as given: Path("shots/") drops what names a folder
    if names_no_file(text):
        # Not the bare ValueError of Path(".").with_suffix(), nor a file "...png" for "..".
        raise OSError(f"Snapshot refused: {text or chr(34) * 2} names a folder, not a file to save to")
    last = Path(text).name
    nameless = no_name_problem(last)
    if nameless:
        raise OSError(f"Snapshot refused: {text} {nameless}")
    return Path(text).with_name(last.rstrip("."))


def snapshot_path(path: Path) -> Path:
    """:func:`snapshot_file` of ``path``, its folder created."""
    path = snapshot_file(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def save_snapshot(result: InferenceResult, path: str | Path) -> Path:
    """Write the annotated frame as PNG now, at ``path`` read as :func:`snapshot_name` reads
    it (a file there replaced); raises OSError naming the path on failure, and for a name
    refused by itself (a folder's, a type alone)."""
    path = snapshot_file(snapshot_name(path))
    _check_target(path)  # before its folder is made: a file in the way is named, not mkdir's errno
    path = snapshot_path(path)
    _write_png(result, path)
    return path


def _check_target(path: Path) -> None:
    """Raise OSError unless a snapshot can be written at ``path``, in the words the menu's
    snapshot is refused in (its own check, :meth:`SnapshotSaver.save`)."""
    try:
        check_target(path, "its file")
    except OutputError as exc:
        # Not "could not write snapshot: snapshot PATH is a folder", the word twice.
        raise OSError(f"Snapshot refused: {exc}") from exc


def _write_png(result: InferenceResult, path: Path, lane: _Lane | None = None) -> bool:
    """Write the PNG; False where its own overlay raised and the picture on screen was saved.
    ``lane``: told when the disk is being asked and each time it answers."""
    picture, own_overlay = saved_or_shown(result)
    ok, encoded = cv2.imencode(".png", picture)
    if not ok:
        raise OSError(f"could not encode snapshot {path}")
    # Through Python's file API rather than cv2.imwrite: non-ASCII paths work everywhere.
    # Via a temporary file: an existing file is only ever replaced by a complete one.
    try:
        with _asking_disk(lane):
            # What a save there cut short by a kill or a crash left (hidden .part files).
            tidied = tidy_stopped_once(path.parent)
            for line in tidied.lines:
                log.warning("%s", line)
            if lane is not None and tidied.notice():
                lane.tidied = tidied  # told to the window with the snapshot's news
            _check_target(path)
            write_bytes(path, encoded.tobytes(), answered=lane.answered if lane is not None else None)
    except OutputError as exc:
        # Not "could not write snapshot: PATH: could not write (…)": the error names the failure.
        raise OSError(f"Snapshot not saved: {exc}") from exc
    return own_overlay


# What a snapshot's writing ended in, for the window: a signal's name and its arguments.
_News = tuple[str, tuple[object, ...]]


@dataclass
class _Snapshot:
    """One snapshot asked for: what it shows, what to call it in a log, how to write it."""

    result: InferenceResult
    what: str  # "snapshot FILE", "a snapshot taken at 12:03:04 for FOLDER"
    write: Callable[[_Lane], _News]


# What a snapshot that ended after the exit's wait gave it up says in the log.
_AFTER_EXIT_NEWS = {
    "saved": "a snapshot was saved after all",
    "saved_as_shown": "a snapshot was saved (as shown) after all",
    "failed": "a snapshot failed",
    "folder_refused": "a snapshot's folder was refused",
}


class _Lane:
    """The snapshots asked for one folder, written one after the other in the order asked by
    one thread, which ends when none is left. The saver's lock guards all but
    :attr:`asked_since`, which only the writing thread sets."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.waiting: deque[_Snapshot] = deque()
        self.current: _Snapshot | None = None
        self.thread: threading.Thread | None = None
        # time.monotonic() when the file-system call now made began (or last answered);
        # None while the thread computes, or has nothing to do.
        self.asked_since: float | None = None
        # The asked_since of the call the window was told does not answer: told once a call,
        # not once for each snapshot waiting behind it. Only the GUI thread sets it.
        self.told_since: float | None = None
        # What the tidy before the snapshot being written did (io.unfinished), for the window;
        # only the writing thread sets it.
        self.tidied: Tidied | None = None

    def pending(self) -> list[_Snapshot]:
        return ([self.current] if self.current is not None else []) + list(self.waiting)

    def answered(self) -> None:
        self.asked_since = time.monotonic()

    def unanswered_s(self, now: float) -> float:
        """How long the disk has kept this lane's thread waiting (0 while it computes)."""
        since = self.asked_since
        return 0.0 if since is None else max(0.0, now - since)

    def not_answering(self, now: float, limit_s: float) -> bool:
        """Whether the disk has kept this lane's thread waiting ``limit_s`` or more."""
        since = self.asked_since
        return since is not None and now - since >= limit_s

    def waiting_bytes(self) -> int:
        """The bytes of the pictures this lane's waiting snapshots hold, each once."""
        return _pictures_bytes(snapshot.result for snapshot in self.waiting)


def _pictures_bytes(results: Iterable[InferenceResult]) -> int:
    """The bytes of the pictures ``results`` hold, each counted once."""
    pictures: dict[int, int] = {}
    for result in results:
        for picture in (result.image, result.annotated, result.display_image, result.shown_frame):
            if picture is not None:
                pictures[id(picture)] = picture.nbytes
    return sum(pictures.values())


@contextmanager
def _asking_disk(lane: _Lane | None) -> Iterator[None]:
    """Marks ``lane`` as waiting for the disk for the block's length."""
    if lane is None:
        yield
        return
    lane.answered()
    try:
        yield
    finally:
        lane.asked_since = None


def _not_saved(snapshot: _Snapshot) -> str:
    return f"not saved: {snapshot.what}"


class SnapshotSaver(QObject):
    """Saves snapshots in the background: PNG-encoding a 1080p frame takes too long for the
    GUI thread (docs/measurements.md, "Snapshots"), and on a network share whose server has
    gone each file system call blocks for minutes.

    One thread for each folder being saved into writes its snapshots one after the other,
    in the order they were asked for (a second's snapshots are numbered in that order), and
    at most :attr:`max_waiting` wait for it, the rest refused with a message, as are those
    past :attr:`max_waiting_bytes` of pictures waiting for all folders together but for one
    a folder with none waiting: a folder that does not answer holds one thread and a bounded
    number of frames, however long Ctrl+S is held. Daemon threads: one stuck on a dead share
    never keeps the process from exiting (:meth:`finish` says what it leaves unsaved)."""

    saved = pyqtSignal(object)  # Path
    # Path: saved as shown on screen, its overlay's text sized for the window, because the
    # overlay at the frame's own size could not be drawn (emitted instead of ``saved``).
    saved_as_shown = pyqtSignal(object)
    failed = pyqtSignal(str)
    # (folder: Path, why: str): the output folder of :meth:`save_into` cannot be saved into,
    # or does not answer while many snapshots wait for it.
    folder_refused = pyqtSignal(object, str)
    # (folder: Path, waiting: int): a snapshot's file-system call there has not returned for
    # :attr:`not_answering_s`; ``waiting`` snapshots wait for it, and are written when it
    # answers (then ``saved`` or ``failed`` follows). Once a call, however many wait.
    not_answering = pyqtSignal(object, int)
    # Tidied (io.unfinished): the snapshot's save tidied what a session cut short left in its
    # folder; emitted just before that snapshot's ``saved`` (or ``failed``).
    tidied = pyqtSignal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.max_waiting = MAX_WAITING_SNAPSHOTS
        self.max_waiting_bytes = MAX_WAITING_BYTES
        self.not_answering_s = NOT_ANSWERING_S
        # Held only to look and change, never over a wait (the disk, a log handler's lock):
        # a signal's handler takes it on the GUI thread (gui/quitting), maybe mid-log.
        self._lock = threading.Condition()
        self._lanes: dict[Path, _Lane] = {}
        self._finished = False  # the app is exiting: no snapshot is started any more
        self._not_answering_check = QTimer(self)  # runs while any snapshot is being written
        self._not_answering_check.setInterval(NOT_ANSWERING_CHECK_MS)
        self._not_answering_check.timeout.connect(self._tell_not_answering)

    def save(self, result: InferenceResult, path: str | Path, playing: Path | None = None) -> None:
        """Save to ``path`` as the dialog gave it (:func:`snapshot_name`, then
        :func:`snapshot_file`, its folder made); returns at once. A name refused by itself
        (a folder's, a type alone) is refused at once (``failed``); a path that is the file
        ``playing`` (or one of the folder's), after links, or cannot be written, is refused
        too, checked on the writing thread. Where the PNG's name is not the one asked for
        (``photo.jpg``, ``photo.``), a file of that name is kept and the snapshot numbered
        (``photo-2.png``)."""
        try:
            asked = snapshot_name(path)
        except OSError as exc:
            self.failed.emit(str(exc))
            return
        file = snapshot_file(asked)

        def write(lane: _Lane) -> _News:
            try:
                with _asking_disk(lane):
                    protected = files_played_from(playing) if playing is not None else []
                    # Aimed at a shown JPEG, its PNG would go into the folder being played.
                    check_outputs([("its file", asked)], protected)
                    check_outputs([("its file", file)], protected)
            except OutputError as exc:
                return "failed", (f"Snapshot refused: {exc}",)
            target = file
            if file != Path(path):
                # The dialog asked before replacing the name chosen ("photo.jpg", "photo",
                # "photo.png."), never about the PNG written instead.
                try:
                    with _asking_disk(lane):
                        target = free_name(file)
                except OSError as exc:  # its numbered name too long for the file system: asking of it raises
                    return "failed", (
                        f"Snapshot refused: {file} is there, and no numbered name beside it: {exc.strerror or exc}",
                    )
            try:
                with _asking_disk(lane):
                    target = snapshot_path(target)
            except OSError as exc:
                return "failed", (f"could not write snapshot {target}: {exc}",)
            return _write(lane, result, target)

        refused = self._queue(file.parent, _Snapshot(result, f"snapshot {file}", write))
        if refused is not None:
            about, why = refused
            where = f"its folder {file.parent}: " if about == file.parent else ""
            self.failed.emit(f"Snapshot {file} not saved: {where}{why}.")

    def save_into(self, result: InferenceResult, folder: Path, when: datetime) -> None:
        """Save under a new name (taken at ``when``) in the output folder ``folder``, made
        if missing; returns at once. The folder's checks and the name's choice are made on
        the writing thread too, in the order the snapshots were asked for."""

        def write(lane: _Lane) -> _News:
            with _asking_disk(lane):
                problem = output_folder_problem(folder)
                if problem:
                    return "folder_refused", (folder, problem)
                try:
                    target = unique_output_path(folder, "snapshot", ".png", when)
                except OSError as exc:  # a name too long for the file system, say: asking of it raises
                    return "failed", (f"could not write snapshot in {folder}: {exc.strerror or exc}",)
            return _write(lane, result, target)

        refused = self._queue(folder, _Snapshot(result, f"a snapshot taken at {when:%H:%M:%S} for {folder}", write))
        if refused is None:
            return
        about, why = refused
        if about == folder:
            self.folder_refused.emit(folder, why)
        else:  # not this folder's doing: choosing another would not help
            self.failed.emit(f"Snapshot not saved: {why}.")

    def finish(self) -> list[str]:
        """At exit: wait for every snapshot asked for as long as its folder answers (a
        file-system call unanswered for :attr:`not_answering_s` gives that folder up), then
        start none. Returns what is left unsaved, also logged (on stderr by default)."""
        with self._lock:
            told = False
            while True:
                now = time.monotonic()
                busy = [lane for lane in self._lanes.values() if lane.pending()]
                answering = [lane for lane in busy if not lane.not_answering(now, self.not_answering_s)]
                if not answering:
                    break
                if not told:
                    count = sum(len(lane.pending()) for lane in answering)
                    log.warning("writing %d snapshot%s before exiting", count, "" if count == 1 else "s")
                    told = True
                self._lock.wait(0.1)  # woken when one is written; a folder can stop answering meanwhile
            self._finished = True
            unsaved = [(lane, snapshot) for lane in busy for snapshot in lane.pending()]
        for lane, snapshot in unsaved:
            log.warning(
                "%s (the folder %s did not answer for %.0f s)",
                _not_saved(snapshot),
                lane.folder,
                lane.unanswered_s(time.monotonic()),
            )
        return [snapshot.what for _, snapshot in unsaved]

    def unsaved(self) -> list[str]:
        """Every snapshot not yet written, as :meth:`finish` names them: what a process
        ending now would lose (see ``gui/quitting``)."""
        with self._lock:  # (reentrant: a signal's handler may ask while this thread holds it)
            return [_not_saved(snapshot) for lane in self._lanes.values() for snapshot in lane.pending()]

    def _queue(self, folder: Path, snapshot: _Snapshot) -> tuple[Path, str] | None:
        """Hand ``snapshot`` to ``folder``'s thread (started if none runs); None when it is
        written, else why it is refused: (the folder that it is about, the reason, which
        reads on after "the folder FOLDER: " where that is ``folder``, else on its own)."""
        with self._lock:
            lane = self._lanes.get(folder)
            if lane is None:
                lane = self._lanes[folder] = _Lane(folder)
            # A folder with none waiting takes one however large (see MAX_WAITING_BYTES).
            if lane.waiting:
                refused = self._refusal(lane, snapshot)
                if refused is not None:
                    return refused
            lane.waiting.append(snapshot)
            if not self._not_answering_check.isActive():  # started again, Ctrl+S held would put it off
                self._not_answering_check.start()
            if lane.thread is not None:
                return None
            lane.thread = threading.Thread(target=self._run, args=(lane,), name="snapshot", daemon=True)
            try:
                lane.thread.start()
            except RuntimeError:  # no thread to be had
                lane.waiting.pop()
                lane.thread = None
                return folder, "no thread could be started to write into it"
            return None

    def _refusal(self, lane: _Lane, snapshot: _Snapshot) -> tuple[Path, str] | None:
        """Why ``snapshot`` cannot wait for ``lane`` (which has some waiting), as
        :meth:`_queue` says it; None when it can. The lock is held."""
        now = time.monotonic()
        if len(lane.waiting) < self.max_waiting:
            lanes = list(self._lanes.values())
            held = _pictures_bytes([waiting.result for other in lanes for waiting in other.waiting] + [snapshot.result])
            if held <= self.max_waiting_bytes:
                return None
            # Named: the folder whose waiting snapshots hold the most of it.
            holder = max(lanes, key=_Lane.waiting_bytes)
            if holder is not lane and holder.waiting_bytes() > lane.waiting_bytes():
                count, mib = len(holder.waiting), self.max_waiting_bytes / (1 << 20)
                hanging = (
                    f", and it has not answered for {holder.unanswered_s(now):.0f} s (a network share whose server "
                    "has gone?)"
                    if holder.not_answering(now, self.not_answering_s)
                    else ""
                )
                return holder.folder, (
                    f"{count} snapshot{' waiting for ' if count == 1 else 's waiting for '}{holder.folder} "
                    f"{'holds' if count == 1 else 'hold'} most of the {mib:g} MiB kept for snapshots waiting to be "
                    f"written{hanging}; another is taken for {lane.folder} "
                    f"once the {len(lane.waiting)} waiting for it {'is' if len(lane.waiting) == 1 else 'are'} written"
                )
        count = len(lane.pending())
        if lane.not_answering(now, self.not_answering_s):
            return lane.folder, (
                f"it is not answering (a network share whose server has gone?): {count} snapshots "
                f"have waited for it for {lane.unanswered_s(now):.0f} s, and no more are taken till it does"
            )
        return lane.folder, f"{count} earlier snapshots are still being written into it; try again in a moment"

    def _tell_not_answering(self) -> None:
        """On the GUI thread, every :data:`NOT_ANSWERING_CHECK_MS`: ``not_answering`` for
        each folder whose thread's call has kept it waiting :attr:`not_answering_s`, once a
        call; the check stops while nothing is being written."""
        news: list[tuple[Path, int]] = []
        with self._lock:
            now = time.monotonic()
            busy = [lane for lane in self._lanes.values() if lane.pending()]
            for lane in busy:
                since = lane.asked_since
                if since is not None and since != lane.told_since and now - since >= self.not_answering_s:
                    lane.told_since = since
                    news.append((lane.folder, len(lane.pending())))
            if not busy or self._finished:
                self._not_answering_check.stop()
        if self._finished:
            return
        for folder, waiting in news:
            self.not_answering.emit(folder, waiting)

    def _run(self, lane: _Lane) -> None:
        """``lane``'s thread: its snapshots one after the other, till none is left."""
        news: _News | None = None
        while True:
            with self._lock:
                # Told and taken off the lane under the lock :meth:`finish` gives lanes up
                # under: a snapshot is either told to the window before it has gone, or
                # named unsaved by the exit and then only logged, never both nor neither.
                # The tidy first: the window puts it in the snapshot's own notice.
                if lane.tidied is not None:
                    self._tell("tidied", (lane.tidied,))  # (its lines are in the log already)
                    lane.tidied = None
                late = news if news is not None and not self._tell(*news) else None
                lane.current = None
                self._lock.notify_all()
                done = self._finished or not lane.waiting
                if done:
                    lane.thread = None
                    if not lane.waiting:
                        self._lanes.pop(lane.folder, None)
                else:
                    current = lane.current = lane.waiting.popleft()
            if late is not None:
                # Logged without the lock: a signal's handler asks for it on the GUI thread
                # (gui/quitting), maybe while that thread holds a log handler's lock.
                signal, args = late
                log.warning("after the window closed, %s: %s", _AFTER_EXIT_NEWS[signal], " ".join(map(str, args)))
            if done:
                return
            try:
                news = current.write(lane)
            except Exception:  # a bug in one snapshot must not take the ones after it
                log.exception("%s failed", current.what)
                news = "failed", (f"could not write {current.what}: an internal error (see the log)",)

    def _tell(self, signal: str, args: tuple[object, ...]) -> bool:
        """Emit ``signal`` (on the writing thread, with the lock held; the connections
        deliver it on the GUI thread); False where the window has gone, for the caller to
        log once it has let the lock go."""
        if self._finished:
            return False
        try:
            getattr(self, signal).emit(*args)
        except RuntimeError:  # this object went with its window, though not through finish()
            return False
        return True


def _write(lane: _Lane, result: InferenceResult, target: Path) -> _News:
    try:
        own_overlay = _write_png(result, target, lane)
    except OSError as exc:
        return "failed", (str(exc),)
    return ("saved" if own_overlay else "saved_as_shown"), (target,)
