"""Settings remembered between runs (QSettings): last camera, probability bars, steadiness.

Tests and scripts pass an explicit INI path so they never touch the user's settings.
Every value is checked when read: one edited by hand or by another version (``0,6``,
which Qt reads as a list, ``abc``, ``cam0``) falls back to its default, logged once.

The GUI thread never waits for the disk here: :class:`AppSettings` reads the file once,
when made, and keeps its values in memory; each change is handed to the file's
:class:`_Writer`, whose thread writes it with a ``QSettings`` of its own (Qt rewrites the
whole file and forces it to disk, which took up to 127 ms under disk load, on the thread
that owns the ``QSettings``). :meth:`AppSettings.sync` waits for the writes.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import re
import sys
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from PyQt6.QtCore import QByteArray, QLockFile, QSettings

from emotion_app.inference.steadiness import DEFAULT_STEADINESS_LEVEL, STEADINESS_LEVELS
from emotion_app.weights import DEFAULT_WEIGHTS_DIR

from .camera_size import CameraSize, format_camera_size, parse_camera_size
from .identity import APPLICATION, FORMER_APPLICATIONS, ORGANIZATION
from .launch import MAX_CAMERA_INDEX, MAX_SETTINGS_BYTES
from .quitting import WAIT_SLICE_S
from .stream_url import check_stream_url, without_password

log = logging.getLogger(__name__)
T = TypeVar("T")


_CAMERA_NAME = "camera/name"
_CAMERA_INDEX = "camera/index"
_CAMERA_SIZE = "camera/size"
_SHOW_BARS = "overlay/show_bars"
_STEADINESS = "overlay/steadiness"
# Before the steadiness levels the app stored a per-frame EMA factor (0..0.95) here.
_OLD_SMOOTHING = "overlay/smoothing"
_VIDEO_DIR = "files/last_video_dir"
_GEOMETRY = "window/geometry"
_WEIGHTS = "model/weights"
_WEIGHTS_DIR = "model/last_weights_dir"
_SHOW_TIMELINE = "window/show_timeline"
_OUTPUT_FOLDER = "files/output_folder"
_EXPORT_DIR = "files/last_export_dir"
_RECENT = "files/recent"
_STREAM_URLS = "camera/stream_urls"
_NETWORK_CAMERA = "camera/network_url"
# A model shipped in the app's own weights/ folder is remembered by name with this prefix,
# not by its path: after an update, or from another copy of the app, the choice means
# that copy's own file (a path would keep loading the old one wherever it still exists).
_SHIPPED_PREFIX = "shipped:"
# The settings that hold paths (a shipped: model name is read as no Windows path).
_PATH_KEYS = frozenset({_VIDEO_DIR, _OUTPUT_FOLDER, _EXPORT_DIR, _WEIGHTS, _WEIGHTS_DIR, _RECENT})
_MIRROR_CAMERAS = "view/mirror_cameras"
_MIRROR_FILES = "view/mirror_files"

#: How many recent files, and recent network cameras, are kept and read back: a longer list
#: stored (another version, a hand edit) is cut to it, or its menu froze the window.
RECENT_KEPT = 8

#: The name of the thread that writes a settings file (one at a time per file, while
#: there are writes to make).
WRITER_THREAD_NAME = "settings-writer"


class _Removed:
    """A queued write that removes its key."""


_REMOVED = _Removed()


class _PutFirst:
    """A queued change to a recent list: ``items`` first (newest first), then the list the
    file holds when it is written, ``keep`` at most. Another window or app instance saving
    the file meanwhile keeps its items (a whole list written would replace them)."""

    def __init__(self, items: tuple[str, ...], keep: int) -> None:
        self.items, self.keep = items, keep

    def then(self, newer: _PutFirst) -> _PutFirst:
        return _PutFirst(newer.items + tuple(item for item in self.items if item not in newer.items), newer.keep)

    def onto(self, stored: object) -> list[str]:
        return _put_first(self.items, _texts(stored), self.keep)


class _Whole:
    """A queued change that writes the whole file anew as ``values`` (a file read repaired)."""

    def __init__(self, values: dict[str, object]) -> None:
        self.values = values


# The key of a _Whole change (Qt takes no empty key), written before the changes after it.
_WHOLE_FILE = ""

#: How long a write waits for another's merge of the recent lists (another app instance):
#: past it, the merge is made without the lock (a list may then miss the other's newest).
MERGE_LOCK_WAIT_MS = 5000
# A queued change (key, value or _REMOVED); None asks for a sync only.
_Change = tuple[str, object] | None


class _Writer:
    """Writes one settings file's changes, in order, on a thread of its own.

    The thread lives while there is something to write: it is started by the first change
    after it ended, and ends once everything queued is written and synced, so none is
    left at exit (nor while the app waits for nothing). Its ``QSettings`` is made and
    dropped on that thread: a thread without a Qt event loop never syncs by itself, so
    the file is written once per batch, at :meth:`QSettings.sync`.
    """

    def __init__(self, file_name: str, settings_format: QSettings.Format) -> None:
        self._file_name = file_name
        self._format = settings_format
        self._lock = threading.Lock()  # never held while writing: the GUI thread takes it
        self._queue: list[_Change] = []
        self._thread: threading.Thread | None = None  # the one writing now
        self._ended: threading.Thread | None = None  # the last one, maybe still returning
        self._status = QSettings.Status.NoError
        # The changes the last sync could not save, the latest of each key, tried again
        # with the next ones (Qt forgets them once no QSettings of the file is left).
        self._unsaved: dict[str, object] = {}
        # Path settings the app read otherwise than Qt did (a Windows path written by hand):
        # key -> (Qt's reading, the app's), stored as the app's at the next save that needs it.
        self._as_read: dict[str, tuple[object, object]] = {}

    def keep_as_read(self, values: dict[str, tuple[object, object]]) -> None:
        """At the next save, store each key of ``values`` as the app read it, where the file
        still holds what Qt read there and Qt's rewrite of that would read otherwise."""
        with self._lock:
            self._as_read.update(values)

    def put(self, change: _Change) -> None:
        """Queue ``change`` (None: only a sync); returns at once."""
        with self._lock:
            self._queue.append(change)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=WRITER_THREAD_NAME)
                self._thread.start()

    def wait(self) -> QSettings.Status:
        """Wait until every change queued is written and the thread has ended; the
        status of the last sync."""
        while True:
            with self._lock:
                thread, ended, status = self._thread, self._ended, self._status
            if thread is None:
                break
            thread.join(WAIT_SLICE_S)  # in slices: a second Ctrl+C's handler runs between (gui/quitting)
        while ended is not None and ended.is_alive():
            ended.join(WAIT_SLICE_S)
        return status

    @property
    def failed(self) -> bool:
        """Whether the last sync could not save the changes (they are tried again with the
        next ones). Without the lock: the GUI thread asks every status tick."""
        return self._status == QSettings.Status.AccessError

    @property
    def writing(self) -> bool:
        """Whether changes are being written (the thread runs). Without the lock: a signal's
        handler asks (gui/quitting), maybe on the thread holding it."""
        return self._thread is not None

    def _run(self) -> None:
        try:
            while True:
                self._write_queued()
                with self._lock:  # a change queued while the store was dropped: go on
                    if not self._queue:
                        # Under the lock: a change queued after this starts a new thread.
                        self._thread, self._ended = None, threading.current_thread()
                        return
        except BaseException:
            with self._lock:  # the next change starts a new thread
                self._thread, self._ended = None, threading.current_thread()
            raise

    def _write_queued(self) -> None:
        store = QSettings(self._file_name, self._format)
        while True:
            with self._lock:
                batch, self._queue = self._queue, []
            if not batch:
                return
            changes = self._unsaved
            for change in batch:
                if change is not None:
                    key, value = change
                    earlier = changes.pop(key, None)  # re-added last: the order of the changes holds
                    if isinstance(value, _PutFirst) and isinstance(earlier, _PutFirst):
                        value = earlier.then(value)
                    elif isinstance(value, _PutFirst) and isinstance(earlier, list):
                        value = value.onto(earlier)
                    changes[key] = value
            status = self._save(store, changes)
            self._unsaved = changes if status != QSettings.Status.NoError else {}
            with self._lock:
                self._status = status

    def _save(self, store: QSettings, changes: dict[str, object]) -> QSettings.Status:
        merging = any(isinstance(value, _PutFirst) for value in changes.values())
        # A recent list is merged into the file's list as it is now: read, merged and written
        # under a lock every instance of the app takes for it (not Qt's own "<file>.lock",
        # which QSettings.sync takes, and would wait for forever in this process).
        lock = QLockFile(self._file_name + ".merge-lock") if merging else None
        locked = lock is not None and lock.tryLock(MERGE_LOCK_WAIT_MS)
        try:
            if merging:
                store.sync()  # reads what another instance saved since
            with self._lock:
                as_read = dict(self._as_read)
            for key, (qt_read, read) in as_read.items() if changes else ():
                # Before the changes: a recent list is merged into the list as the app read it.
                if store.value(key) == qt_read and (key in changes or not _rewritten_as(key, qt_read, read)):
                    store.setValue(key, read)
            for key, value in changes.items():
                if value is _REMOVED:
                    store.remove(key)
                elif isinstance(value, _Whole):
                    store.clear()
                    for whole_key, whole_value in value.values.items():
                        store.setValue(whole_key, whole_value)
                elif isinstance(value, _PutFirst):
                    store.setValue(key, value.onto(store.value(key)))
                else:
                    store.setValue(key, value)
            store.sync()
            status = store.status()
            if changes and status == QSettings.Status.NoError:
                with self._lock:  # saved as read, or as Qt writes it back unchanged
                    for key, kept in as_read.items():
                        if self._as_read.get(key) == kept:
                            del self._as_read[key]
            return status
        finally:
            if locked and lock is not None:
                lock.unlock()


# One writer per file in this process, so that the changes of every AppSettings of a file
# are written in the order they were made, and a new one can wait for them.
_writers: weakref.WeakValueDictionary[str, _Writer] = weakref.WeakValueDictionary()
_writers_lock = threading.Lock()


def _writer_for(file_name: str, settings_format: QSettings.Format) -> _Writer:
    with _writers_lock:
        writer = _writers.get(file_name)
        if writer is None:
            writer = _writers[file_name] = _Writer(file_name, settings_format)
        return writer


class AppSettings:
    """Typed access to the app's settings; reads and changes never wait for the disk.

    ``store`` is read once, here; no ``QSettings`` call is made on the caller's thread
    after that. Qt keeps one in-memory copy of a file for all the ``QSettings`` of the
    process, behind one lock that ``sync`` holds while it writes and forces the file to
    disk: a read through any of them would wait for the writer thread's disk write.
    """

    def __init__(self, store: QSettings) -> None:
        self._location = store.fileName()
        # A relative path in the file is read against the file's own folder (as git reads
        # include.path): against the working folder it meant another file per launch place.
        self._folder = os.path.dirname(self._location)
        self._writer = _writer_for(self._location, store.format())
        # Another AppSettings of this file may still be writing (tests, a second window):
        # its changes are read from the store once written.
        self._writer.wait()
        self._values: dict[str, object] = {key: store.value(key) for key in store.allKeys()}
        self._reported: set[str] = set()
        self._read_problem = ""
        if _is_ini(store):
            # Qt never writes a line break unescaped: a value holding one ran on over lines
            # of a hand edit (an unclosed quote), which Qt then read as no setting at all.
            # A backslash ending a line joins the next one leaving no trace in the value:
            # the file's text says it (a cheap look first, the file is read anyway).
            text = self._file_text()
            save_whole = False
            if text is not None and "\\" in text:
                text, save_whole = self._read_windows_paths_as_written(text)
            run_on = any("\n" in value or "\r" in value for value in _all_texts(self._values.values()))
            if not (text is not None and self._repair_run_on_lines(text, run_on)) and save_whole:
                self._save_whole()

    def _save_whole(self) -> None:
        """Queue the file's save whole, as its settings were read."""
        self._writer.put((_WHOLE_FILE, _Whole({key: _copied(value) for key, value in self._values.items()})))

    def _file_text(self) -> str | None:
        """The file's text, byte for character as Qt's reader goes over it; None when it
        cannot be read or is too long to be a settings file."""
        try:
            with open(self._location, "rb") as file:
                data = file.read(MAX_SETTINGS_BYTES + 1)
        except OSError:
            return None
        return data.decode("latin-1") if len(data) <= MAX_SETTINGS_BYTES else None

    def _read_windows_paths_as_written(self, text: str) -> tuple[str, bool]:
        """Read the path settings that hold a Windows path written by hand (see
        :func:`_literal_paths`) with their backslashes as written; returns the file's text
        as Qt reads it so (those backslashes doubled), and whether the file is to be saved
        whole as read so (a backslash or quote ending such a path ran Qt's reading on into
        the lines after: Qt's save would write them into that value).

        Qt's own reading stays in the writer's ``QSettings``: the writer is told to store
        the path as read here when it saves the file, where Qt's rewrite of its reading
        would change it (Qt drops a backslash and the letter after it it has no escape for).
        """
        literal_text, keys = _literal_paths(text)
        if not keys:
            return text, False
        try:
            values = _read_ini_text(literal_text)
        except OSError as exc:  # no temporary folder to read the copy from
            log.warning("settings %s: Windows paths read as Qt reads them (%s)", self._location, exc.strerror or exc)
            return text, False
        as_qt_read, self._values = self._values, values
        others = {key: value for key, value in values.items() if key not in keys}
        if others != {key: value for key, value in as_qt_read.items() if key not in keys}:
            return literal_text, True
        self._writer.keep_as_read({key: (as_qt_read.get(key), values.get(key)) for key in keys})
        return literal_text, False

    def _repair_run_on_lines(self, text: str, run_on: bool) -> bool:
        """Read the file as if each quote left open closed at its line's end, and each
        backslash ending a line were part of its value (what a hand edit means: Qt writes
        no value over lines), say so, and save the file so. ``run_on``: a value read holds
        a line break (else only a backslash at a line's end is looked for). Returns whether
        the file was read so (and its save queued).

        Saved repaired rather than left alone: refusing to save would lose every change
        of the run with the file; the repair keeps every line as the setting it was meant
        to be, where Qt's own save would write them into the one value, as text.
        """
        if not (run_on or "\\\n" in text or "\\\r" in text):
            return False
        runs = _ini_scan(text, close_quotes=False)[1]
        if not runs:
            return False
        repaired = _ini_scan(text, close_quotes=True)[0]
        line, end, kind = runs[0]
        if end > line + 1:
            lost = f"lines {line + 1}-{end} were read as part of its value, not as settings"
        elif end > line:
            lost = f"line {end} was read as part of its value, not as a setting"
        else:
            lost = "its value ran on past the line's end"
        quote = kind == _QUOTE
        more = f" (and {len(runs) - 1} more such {'quotes' if quote else 'lines'})" if len(runs) > 1 else ""
        what = "a quote opened there is not closed" if quote else "it ends in a backslash, which joins the next line"
        problem = f"Settings file {self._location}, line {line}: {what}, so {lost}{more}"
        by_hand = "close the quote by hand" if quote else "write that backslash twice by hand"
        try:
            values = _read_ini_text(repaired)
        except OSError as exc:  # no temporary folder to read the repaired copy from
            self._read_problem = f"{problem}; not repaired ({exc.strerror or exc}): {by_hand}."
            log.warning("%s", self._read_problem)
            return False
        self._values = values
        self._save_whole()
        how = f"as if it closed at the end of line {line}" if quote else "with that backslash as part of the value"
        read = f"{problem}; read now {how}"
        # Waited for (once, at the start, as __init__ waits for the writer): the line says
        # whether the file was saved so, not "saved so" over a file that takes no changes.
        if self._writer.wait() == QSettings.Status.AccessError:
            self._read_problem = f"{read}, but it could not be saved so (read-only, or its folder): {by_hand}."
        else:
            self._read_problem = f"{read}, and saved so."
        log.warning("%s", self._read_problem)
        return True

    @property
    def read_problem(self) -> str:
        """One line saying that the file held a quote left open, and how it was read ("" when
        it held none)."""
        return self._read_problem

    def _set(self, key: str, value: object) -> None:
        self._values[key] = value
        # The writer thread gets a copy of its own of a byte array (one object is not
        # safe for a write on one thread and a read on another).
        self._writer.put((key, QByteArray(value) if isinstance(value, QByteArray) else value))

    def _remove(self, key: str) -> None:
        # As QSettings.remove: the key and every key under it.
        for stored in [stored for stored in self._values if stored == key or stored.startswith(key + "/")]:
            del self._values[stored]
        self._writer.put((key, _REMOVED))

    def _in_folder(self, text: str) -> str:
        """``text``, a path read from the file, made absolute against the file's folder; a
        leading ``~`` or ``~user`` is that home folder first (as a shell reads it: a hand
        written ``~/models/x.onnx`` meant no folder named "~")."""
        if text.startswith("~"):
            text = os.path.expanduser(text)  # left as it is for a user there is none of
        # A Windows path is no folder under this one on any system (a file moved over).
        absolute = os.path.isabs(text) or _WINDOWS_ABSOLUTE.match(text)
        return os.path.join(self._folder, text) if text and not absolute else text

    def _path(self, raw: object) -> str:
        return self._in_folder(_path_text(raw))

    def _read(self, key: str, default: T, parse: Callable[[object], T], shown: Callable[[str], str] = str) -> T:
        """The stored value of ``key`` through ``parse``; ``default`` when absent or bad
        (logged as ``shown`` writes it)."""
        raw = self._values.get(key)
        if raw is None:
            return default
        try:
            return parse(raw)
        except (TypeError, ValueError) as exc:
            if key not in self._reported:  # once per key: a bad value is read many times
                self._reported.add(key)
                stored = shown(raw) if isinstance(raw, str) else raw
                log.warning("settings %s: ignoring %s=%r (%s); using %r", self.location, key, stored, exc, default)
            return default

    @classmethod
    def user(cls) -> AppSettings:
        """The user's settings in the platform's usual place.

        On the first run under this name, the settings of a former name are copied in
        (they stay where they were, for an older copy of the app).
        """
        store = QSettings(ORGANIZATION, APPLICATION)
        if not store.allKeys():
            for former in FORMER_APPLICATIONS:
                old = QSettings(ORGANIZATION, former)
                if carry_over(old, store):
                    log.info("settings: carried over from %s to %s", old.fileName(), store.fileName())
                    break
        return cls(store)

    @classmethod
    def at_path(cls, path: str | os.PathLike[str]) -> AppSettings:
        """Settings kept in one INI file (tests, scripts, portable installs)."""
        return cls(QSettings(str(path), QSettings.Format.IniFormat))

    @property
    def location(self) -> str:
        return self._location

    # The camera is remembered by name first: indices shift when devices come and go.
    @property
    def camera_name(self) -> str:
        return self._read(_CAMERA_NAME, "", _text)

    @property
    def camera_index(self) -> int:
        return self._read(_CAMERA_INDEX, -1, _whole_number(-1, MAX_CAMERA_INDEX))

    def remember_camera(self, name: str, index: int) -> None:
        self._set(_CAMERA_NAME, name)
        self._set(_CAMERA_INDEX, index)
        self._remove(_NETWORK_CAMERA)

    @property
    def network_camera(self) -> str:
        """The network camera's URL when it was the camera chosen last, else ""."""
        # Its password is kept out of the log, as out of every message.
        return self._read(_NETWORK_CAMERA, "", lambda raw: check_stream_url(_text(raw)), without_password)

    def remember_network_camera(self, url: str) -> None:
        """``url`` as the camera chosen last (it opens at the next start)."""
        self._set(_NETWORK_CAMERA, url)

    def remember_stream_url(self, url: str, keep: int) -> None:
        """``url`` first of the ``keep`` recent network cameras (ones that opened: a
        mistyped address is not offered again)."""
        self._put_first(_STREAM_URLS, url, self.stream_urls, keep)

    @property
    def camera_size(self) -> CameraSize | None:
        """The picture size asked of cameras; None for each camera's own default."""
        return self._read(_CAMERA_SIZE, None, lambda raw: parse_camera_size(_text(raw)))

    @camera_size.setter
    def camera_size(self, size: CameraSize | None) -> None:
        self._set(_CAMERA_SIZE, format_camera_size(size))

    @property
    def show_bars(self) -> bool:
        return self._read(_SHOW_BARS, True, _flag)

    @show_bars.setter
    def show_bars(self, value: bool) -> None:
        self._set(_SHOW_BARS, bool(value))

    @property
    def steadiness(self) -> str:
        """A level name of :data:`STEADINESS_LEVELS`; the default for anything else stored."""
        if _STEADINESS not in self._values and _OLD_SMOOTHING in self._values:
            return self._read(_OLD_SMOOTHING, DEFAULT_STEADINESS_LEVEL, _level_for_old_smoothing)
        return self._read(_STEADINESS, DEFAULT_STEADINESS_LEVEL, _level)

    @steadiness.setter
    def steadiness(self, level: str) -> None:
        if level not in STEADINESS_LEVELS:
            raise ValueError(f"unknown steadiness {level!r}")
        self._set(_STEADINESS, level)
        self._remove(_OLD_SMOOTHING)

    @property
    def last_video_dir(self) -> str:
        return self._read(_VIDEO_DIR, str(Path.home()), self._path)

    @last_video_dir.setter
    def last_video_dir(self, value: str) -> None:
        self._set(_VIDEO_DIR, _absolute(value))

    @property
    def output_dir(self) -> str:
        """The folder for snapshots, recordings and exports ("" until the user picks one)."""
        return self._read(_OUTPUT_FOLDER, "", self._path)

    @output_dir.setter
    def output_dir(self, value: str) -> None:
        self._set(_OUTPUT_FOLDER, _absolute(value))

    @property
    def last_export_dir(self) -> str:
        """The folder the session timeline was last exported into ("" for none yet)."""
        return self._read(_EXPORT_DIR, "", self._path)

    @last_export_dir.setter
    def last_export_dir(self, value: str) -> None:
        self._set(_EXPORT_DIR, _absolute(value))

    @property
    def weights_path(self) -> Path | None:
        """The model chosen last time; None when none was.

        A shipped model is this copy of the app's own file (see :data:`_SHIPPED_PREFIX`),
        None if that is gone. Whether a file of the user's is still there is left to the
        model's loader, off the GUI thread: on a network share whose server has gone a
        stat blocks for minutes, and the window would not open.
        """
        value = self._read(_WEIGHTS, "", _path_text)  # a shipped: name is no path
        if not value:
            return None
        if value.startswith(_SHIPPED_PREFIX):
            name = value[len(_SHIPPED_PREFIX) :]
            path = DEFAULT_WEIGHTS_DIR / name
            return path if name == Path(name).name and path.is_file() else None
        return Path(self._in_folder(value))

    @weights_path.setter
    def weights_path(self, value: Path | None) -> None:
        if value is None:
            self._set(_WEIGHTS, "")
        elif Path(value).parent == DEFAULT_WEIGHTS_DIR:
            self._set(_WEIGHTS, _SHIPPED_PREFIX + Path(value).name)
        elif _is_shipped(value):  # a link from elsewhere: by the name of the file it leads to
            self._set(_WEIGHTS, _SHIPPED_PREFIX + Path(value).resolve().name)
        else:
            self._set(_WEIGHTS, _absolute(value))

    def remember_weights(self, path: Path, resolved: Path | None) -> None:
        """Store ``path`` as the model chosen, without a stat of it: ``resolved`` (its links
        resolved by the thread that loaded it; None: unknown) says whether it is a shipped
        one. Right after a load, on the GUI thread, where a stat of a file on a network
        share gone since would block the window."""
        if Path(path).parent == DEFAULT_WEIGHTS_DIR:
            self._set(_WEIGHTS, _SHIPPED_PREFIX + Path(path).name)
        elif resolved is not None and resolved.parent == _shipped_folder_resolved():
            # A link from elsewhere: by the name of the file it leads to (the link's own
            # name is no file of weights/, and the choice would be lost at the next start).
            self._set(_WEIGHTS, _SHIPPED_PREFIX + resolved.name)
        else:
            self._set(_WEIGHTS, _absolute(path))

    @property
    def last_weights_dir(self) -> str:
        """The folder a weights file was last loaded from with "Load weights…" ("" for none
        yet)."""
        return self._read(_WEIGHTS_DIR, "", self._path)

    @last_weights_dir.setter
    def last_weights_dir(self, value: str) -> None:
        self._set(_WEIGHTS_DIR, _absolute(value))

    @property
    def recent_files(self) -> list[str]:
        """Files and folders opened lately, newest first."""
        return [self._in_folder(path) for path in self._text_list(_RECENT) if "\0" not in path]

    @recent_files.setter
    def recent_files(self, paths: list[str]) -> None:
        self._set(_RECENT, [_absolute(path) for path in paths])

    def remember_recent(self, path: str, keep: int) -> None:
        self._put_first(_RECENT, _absolute(path), self.recent_files, keep)

    def _put_first(self, key: str, item: str, items: list[str], keep: int) -> None:
        """``item`` first of the list ``key``: in this window's list, and in the file's list
        as it is when written (another window's items are kept)."""
        self._values[key] = _put_first((item,), items, keep)
        self._writer.put((key, _PutFirst((item,), keep)))

    def _text_list(self, key: str) -> list[str]:
        """The texts stored under ``key``, newest first, :data:`RECENT_KEPT` at most."""
        return _texts(self._values.get(key))[:RECENT_KEPT]

    @property
    def stream_urls(self) -> list[str]:
        """Network cameras opened lately (their URLs), newest first."""
        return self._text_list(_STREAM_URLS)

    # Mirrored like a mirror by default for cameras (what people expect of a webcam), never
    # for files (text and scenes in a video would read backwards).
    @property
    def mirror_cameras(self) -> bool:
        return self._read(_MIRROR_CAMERAS, True, _flag)

    @mirror_cameras.setter
    def mirror_cameras(self, value: bool) -> None:
        self._set(_MIRROR_CAMERAS, bool(value))

    @property
    def mirror_files(self) -> bool:
        return self._read(_MIRROR_FILES, False, _flag)

    @mirror_files.setter
    def mirror_files(self, value: bool) -> None:
        self._set(_MIRROR_FILES, bool(value))

    @property
    def show_timeline(self) -> bool:
        return self._read(_SHOW_TIMELINE, True, _flag)

    @show_timeline.setter
    def show_timeline(self, value: bool) -> None:
        self._set(_SHOW_TIMELINE, bool(value))

    @property
    def window_geometry(self) -> QByteArray | None:
        return self._read(_GEOMETRY, None, _geometry)

    @window_geometry.setter
    def window_geometry(self, value: QByteArray) -> None:
        self._set(_GEOMETRY, QByteArray(value))  # a copy: the caller's may change later

    def unsaved(self) -> list[str]:
        """The file, while changes to it are still being written (what a forced exit loses)."""
        return [f"not saved: the settings {self._location}"] if self._writer.writing else []

    def save_problem(self) -> str:
        """One line saying that the changes cannot be saved and are lost at exit ("" while
        they are saved). Asks no disk: what the writer thread found at its last sync."""
        if not self._writer.failed:
            return ""
        return (
            f"Settings cannot be saved to {self._location} (read-only, or its folder): changes made now are "
            "lost when the app closes."
        )

    def sync(self) -> bool:
        """Wait until every change is written out; False, with a warning naming the file, if
        they could not be. The writer thread has ended when this returns."""
        self._writer.put(None)
        if self._writer.wait() == QSettings.Status.AccessError:
            log.warning("settings could not be saved to %s (read-only, or its folder)", self._location)
            return False
        return True


def _is_ini(store: QSettings) -> bool:
    """Whether ``store`` is an INI file (Qt's native format is one on Unix but macOS)."""
    native_ini = sys.platform != "win32" and sys.platform != "darwin"
    return store.format() == QSettings.Format.IniFormat or (
        store.format() == QSettings.Format.NativeFormat and native_ini
    )


def _all_texts(values: Iterable[object]) -> list[str]:
    """The texts among ``values``, and in the lists among them."""
    texts: list[str] = []
    for value in values:
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, list):
            texts += [item for item in value if isinstance(item, str)]
    return texts


def _copied(value: object) -> object:
    # The writer thread gets a byte array of its own (see AppSettings._set).
    return QByteArray(value) if isinstance(value, QByteArray) else value


_QUOTE, _BACKSLASH = "quote", "backslash"


def _ini_scan(text: str, close_quotes: bool) -> tuple[str, list[tuple[int, int, str]]]:
    """Go over an INI file's ``text`` as Qt's reader does (QConfFileSettingsPrivate::
    readIniLine): a line break inside quotes does not end the line, a backslash escapes
    the next character (a line break too: the line goes on), ";" starts a comment at a
    line's start or outside quotes.

    Returns the text (with ``close_quotes``, a quote closed before each line break found
    inside quotes, and each backslash before a line break doubled: one of the value) and,
    for each line a quote was left open in or a backslash joined a line holding more
    than blanks or a comment to, (that line, the last line Qt read into its value,
    :data:`_QUOTE` or :data:`_BACKSLASH`), numbered from 1.
    """
    out: list[str] = []
    runs: list[tuple[int, int, str]] = []
    in_quotes, line_start, open_line, line, i = False, True, 0, 1, 0
    # A backslash's line, while the line it joined holds nothing yet (Qt then loses
    # nothing but the backslash: not told), then once it does.
    joining, joined = 0, 0

    def end_runs() -> None:
        nonlocal open_line, joining, joined
        if open_line:
            runs.append((open_line, line, _QUOTE))
        if joined:
            runs.append((joined, line, _BACKSLASH))
        open_line = joining = joined = 0

    def to_line_end(start: int) -> int:
        ends = [at for at in (text.find("\n", start), text.find("\r", start)) if at >= 0]
        return min(ends, default=len(text))

    while i < len(text):
        ch = text[i]
        if ch in "\n\r" and in_quotes and not close_quotes:
            open_line = open_line or line
        elif ch in "\n\r":
            if in_quotes:  # close_quotes: closed at the line's end
                out.append('"')
                runs.append((line, line, _QUOTE))
                in_quotes = False
            end_runs()
            line_start = True
        elif ch in " \t\f\v" and line_start:
            pass
        elif ch == ";" and (line_start or not in_quotes):  # a comment, to the line's end
            end_runs()
            end = to_line_end(i)
            out.append(text[i:end])
            i = end
            continue
        else:
            line_start = False
            if joining and ch not in " \t\f\v":
                joined, joining = joined or joining, 0
            if ch == "\\":
                if text[i + 1 : i + 2] in ("\n", "\r"):
                    if close_quotes:
                        out.append("\\\\")  # a backslash of the value; the line ends here
                        i += 1
                        continue
                    joining = joining or line
                escaped = text[i : i + 2] + ("\n" if text[i + 1 : i + 3] == "\r\n" else "")
                out.append(escaped)
                line += escaped.count("\n")
                i += len(escaped)
                continue
            if ch == '"':
                in_quotes = not in_quotes
        out.append(ch)
        line += ch == "\n"
        i += 1
    line -= text.endswith("\n")
    end_runs()
    return "".join(out), runs


# A path setting's value (or list item) that is plainly a Windows path written by hand:
# a drive and one backslash, or \\host\share. Qt writes every backslash of a value twice,
# so it writes no such value for a path (only for one holding a control character or a
# quote right there, which no Windows name holds). ASCII blanks only: the text is bytes as
# Latin-1, where a UTF-8 letter's byte A0 or 85 is no blank.
_WINDOWS_PATH = re.compile(r'[A-Za-z]:\\(?!\\)|\\\\[^\\/"\s]+\\[^\\"]', re.ASCII)
_WINDOWS_ABSOLUTE = re.compile(r"[A-Za-z]:[\\/]|[\\/]{2}[^\\/]")


def _literal_paths(text: str) -> tuple[str, set[str]]:
    """An INI file's ``text`` with the backslashes doubled in each path setting's value
    (each item of a list) that :data:`_WINDOWS_PATH` matches, after blanks and an opening
    quote, and that holds no other quote than a closing one; so Qt reads it as written.
    Returns that text and the keys changed. Each line is a setting of its own, as the
    repair of run-on lines reads them (see :func:`_ini_scan`).
    """
    out: list[str] = []
    keys: set[str] = set()
    section = ""
    for line in re.findall(r"[^\r\n]*(?:\r\n|\r|\n)?", text):
        body = line.rstrip("\r\n")
        start = body.lstrip(" \t")
        if start.startswith("[") and "]" in start:
            section = start[1 : start.index("]")].strip()
        elif "=" in body and not start.startswith(";"):
            name = body[: body.index("=")].strip().replace("\\", "/")
            # Qt takes a section named "General" in any case for the file's top.
            key = name if section.lower() in ("", "general") else f"{section}/{name}"
            value, changed = _as_written(body[body.index("=") + 1 :]) if key in _PATH_KEYS else ("", False)
            if changed:
                keys.add(key)
                line = body[: body.index("=") + 1] + value + line[len(body) :]
        out.append(line)
    return "".join(out), keys


def _as_written(value: str) -> tuple[str, bool]:
    """A value's text (see :func:`_literal_paths`) with the backslashes of each Windows path
    item doubled, and whether there was one."""
    out: list[str] = []
    changed, i = False, 0
    while i <= len(value):
        # Positions, not slices of the rest: a list of many items stays one pass.
        start = i
        while start < len(value) and value[start] in " \t":
            start += 1
        literal = _WINDOWS_PATH.match(value, start + value.startswith('"', start)) is not None
        end = _item_end(value, start, literal)
        item = value[i:end]
        inner = item.strip(" \t").removeprefix('"')
        if literal and '"' in (inner[:-1] if item.strip(" \t").startswith('"') else inner):
            literal, end = False, _item_end(value, start, False)
            item = value[i:end]
        out.append(item.replace("\\", "\\\\") if literal else item)
        changed = changed or literal
        if end >= len(value) or value[end] == ";":  # the rest is a comment
            out.append(value[end:])
            break
        out.append(",")
        i = end + 1
    return "".join(out), changed


def _item_end(value: str, start: int, literal: bool) -> int:
    """Where the list item starting at ``start`` ends: at a comma or ";" outside quotes, or
    the value's end; ``literal``: a backslash is a character, not Qt's escape."""
    at, in_quotes = start, False
    while at < len(value) and (in_quotes or value[at] not in ",;"):
        if value[at] == "\\" and not literal:
            at += 2
            continue
        in_quotes ^= value[at] == '"'
        at += 1
    return min(at, len(value))


def _rewritten_as(key: str, stored: object, read: object) -> bool:
    """Whether Qt's rewrite of ``stored`` under ``key`` reads back as ``read``, as the app
    reads the file (Qt writes the drive path whose backslash it read as a vertical tab's
    escape back as it was)."""
    try:
        with tempfile.TemporaryDirectory(prefix="settings-") as folder:
            copy = os.path.join(folder, "rewritten.ini")
            store = QSettings(copy, QSettings.Format.IniFormat)
            store.setValue(key, stored)
            store.sync()
            del store
            with open(copy, "rb") as file:
                text = file.read().decode("latin-1")
        return _read_ini_text(_literal_paths(text)[0]).get(key) == read
    except OSError:  # no temporary folder: stored as read, which keeps it
        return False


def carry_over(old: QSettings, new: QSettings) -> int:
    """Copy every value of ``old`` into ``new`` (each is checked when read, as any value);
    returns how many. ``old`` is left as it is."""
    keys = old.allKeys()
    for key in keys:
        new.setValue(key, old.value(key))
    if keys:
        new.sync()
    return len(keys)


# Parsers for stored values: each returns the value or raises ValueError saying what it wanted.
def _text(raw: object) -> str:
    if not isinstance(raw, str):
        raise ValueError("not text")
    return raw


def _path_text(raw: object) -> str:
    # No file name holds a NUL: the OS calls refuse it with a ValueError, not an OSError,
    # which the places that create folders and files do not expect.
    text = _text(raw)
    if "\0" in text:
        raise ValueError("a path with a NUL character")
    return text


def _absolute(path: str | os.PathLike[str]) -> str:
    """A path the app chose, as written: absolute (its own folder for a relative one, as on
    the command line), since a relative one would be read against the file's folder."""
    text = os.fspath(path)
    return os.path.abspath(text) if text else text


def _put_first(first: tuple[str, ...], items: list[str], keep: int) -> list[str]:
    """``first``, then the others of ``items`` not in it, ``keep`` at most."""
    return (list(first) + [other for other in items if other not in first])[:keep]


def _texts(raw: object) -> list[str]:
    """A stored list of texts (Qt reads one of a single item as a text), without empty or
    other values."""
    if isinstance(raw, str):
        raw = [raw] if raw else []
    return [item for item in raw if isinstance(item, str) and item] if isinstance(raw, list) else []


def _flag(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower() if isinstance(raw, (str, int)) else ""
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise ValueError("not true or false")


def _whole_number(low: int, high: int) -> Callable[[object], int]:
    def parse(raw: object) -> int:
        if isinstance(raw, bool) or not isinstance(raw, (int, str)):
            raise ValueError(f"not a whole number in {low}..{high}")
        value = int(raw)
        if not low <= value <= high:
            raise ValueError(f"not in {low}..{high}")
        return value

    return parse


def _geometry(raw: object) -> QByteArray:
    if not isinstance(raw, QByteArray):
        raise ValueError("not saved window geometry")
    return raw


def _level(raw: object) -> str:
    level = raw.strip().lower() if isinstance(raw, str) else ""
    if level not in STEADINESS_LEVELS:
        raise ValueError(f"not one of {', '.join(STEADINESS_LEVELS)}")
    return level


def _level_for_old_smoothing(raw: object) -> str:
    """The level nearest an old EMA factor: 0 was "show every frame", the old default 0.6
    is today's default, the strongest settings were slow."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise ValueError("not an old smoothing factor 0..1")
    factor = float(raw)
    if not (math.isfinite(factor) and 0.0 <= factor <= 1.0):
        raise ValueError("not an old smoothing factor 0..1")
    if factor < 0.05:
        return "off"
    if factor < 0.45:
        return "low"
    if factor < 0.8:
        return "medium"
    return "high"


@functools.cache
def _shipped_folder_resolved() -> Path:
    """The app's own weights/ folder with its links resolved (local: asked once)."""
    return DEFAULT_WEIGHTS_DIR.resolve()


def _is_shipped(path: Path) -> bool:
    """Whether ``path`` is a file of the app's own weights/ folder."""
    try:
        return Path(path).resolve().parent == DEFAULT_WEIGHTS_DIR.resolve()
    except OSError:
        return False


def _read_ini_text(text: str) -> dict[str, object]:
    """The settings Qt reads from an INI file holding ``text`` (Latin-1, byte for character)."""
    with tempfile.TemporaryDirectory(prefix="settings-") as folder:
        copy = os.path.join(folder, "repaired.ini")
        with open(copy, "wb") as file:
            file.write(text.encode("latin-1"))
        store = QSettings(copy, QSettings.Format.IniFormat)
        values: dict[str, object] = {key: store.value(key) for key in store.allKeys()}
        del store
    return values
