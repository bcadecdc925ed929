"""The writing of a settings file, on a thread of its own, and Qt's reading of an INI text.

The GUI thread never waits for the disk: :class:`~emotion_app.gui.settings.AppSettings`
hands each change to the file's :class:`Writer`, whose thread writes it with a ``QSettings``
of its own (Qt rewrites the whole file and forces it to disk, on the thread that owns the
``QSettings``). The app's reading of the file's text as written (``settings_ini``) ends in
:func:`read_ini_text`: Qt reads the text so rewritten, from a copy.
"""

from __future__ import annotations

import os
import tempfile
import threading
import weakref
from pathlib import Path

from PyQt6.QtCore import QLockFile, QSettings

from emotion_app.io.path_lookup import file_in_the_way
from emotion_app.link_loops import link_trouble
from emotion_app.sources.frame_source import WAIT_SLICE_S

from .settings_ini import literal_paths
from .settings_values import texts

#: The name of the thread that writes a settings file (one at a time per file, while
#: there are writes to make).
WRITER_THREAD_NAME = "settings-writer"


class Removed:
    """A queued write that removes its key."""


REMOVED = Removed()


class PutFirst:
    """A queued change to a recent list: ``items`` first (newest first), then the list the
    file holds when it is written, ``keep`` at most. Another window or app instance saving
    the file meanwhile keeps its items (a whole list written would replace them)."""

    def __init__(self, items: tuple[str, ...], keep: int) -> None:
        self.items, self.keep = items, keep

    def then(self, newer: PutFirst) -> PutFirst:
        return PutFirst(newer.items + tuple(item for item in self.items if item not in newer.items), newer.keep)

    def onto(self, stored: object) -> list[str]:
        return put_first(self.items, texts(stored), self.keep)


class Whole:
    """A queued change that writes the whole file anew as ``values`` (a file read repaired)."""

    def __init__(self, values: dict[str, object]) -> None:
        self.values = values


# The key of a Whole change (Qt takes no empty key), written before the changes after it.
WHOLE_FILE = ""

#: How long a write waits for another's merge of the recent lists (another app instance):
#: past it, the merge is made without the lock (a list may then miss the other's newest).
MERGE_LOCK_WAIT_MS = 5000
# A queued change (key, value or REMOVED); None asks for a sync only.
Change = tuple[str, object] | None


class Writer:
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
        self._queue: list[Change] = []
        self._thread: threading.Thread | None = None  # the one writing now
        self._ended: threading.Thread | None = None  # the last one, maybe still returning
        self._status = QSettings.Status.NoError
        # What stood in the file's place when the last save was refused or failed (a loop of
        # links, one on its way, a chain the system gives up on, a folder, a link to a missing
        # target), in file_in_the_way's words; "" if none did (or a read-only file).
        self._in_the_way = ""
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

    def put(self, change: Change) -> None:
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
    def in_the_way(self) -> str:
        """What stood in the file's place when the last save was refused or failed, to put
        after "it" (:func:`.path_lookup.file_in_the_way`); "" when it was saved, or failed
        for another reason (a read-only file)."""
        return self._in_the_way

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
        # Made only once the file passes _refused's check: a QSettings, as it is made, writes
        # what an earlier save could not, kept in Qt's one copy of the file for the process:
        # through a chain, or over a loop, put there since.
        store: QSettings | None = None
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
                    if isinstance(value, PutFirst) and isinstance(earlier, PutFirst):
                        value = earlier.then(value)
                    elif isinstance(value, PutFirst) and isinstance(earlier, list):
                        value = value.onto(earlier)
                    changes[key] = value
            refused = _refused(self._file_name)
            if refused:  # refused as a file that takes no changes (nothing to save: nothing lost)
                status = QSettings.Status.AccessError if changes else QSettings.Status.NoError
                self._in_the_way = refused if changes else ""
            else:
                if store is None:
                    store = QSettings(self._file_name, self._format)
                status = self._save(store, changes)
                # Said for a failure (a link to a missing folder): "read-only" misled.
                failed = status == QSettings.Status.AccessError
                self._in_the_way = file_in_the_way(Path(self._file_name)) if failed else ""
            self._unsaved = changes if status != QSettings.Status.NoError else {}
            with self._lock:
                self._status = status

    def _save(self, store: QSettings, changes: dict[str, object]) -> QSettings.Status:
        """Write ``changes``; what stands in the file's place is checked before
        (:func:`_refused`, by :meth:`_write_queued`)."""
        merging = any(isinstance(value, PutFirst) for value in changes.values())
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
                    store.setValue(key, qt_stored(read))
            for key, value in changes.items():
                if value is REMOVED:
                    store.remove(key)
                elif isinstance(value, Whole):
                    store.clear()
                    for whole_key, whole_value in value.values.items():
                        store.setValue(whole_key, qt_stored(whole_value))
                elif isinstance(value, PutFirst):
                    store.setValue(key, qt_stored(value.onto(store.value(key))))
                else:
                    store.setValue(key, qt_stored(value))
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


def _refused(file_name: str) -> str:
    """What stands in the file's place that Qt is not let near, in words to put after "it";
    "" for none. Qt's save replaces a loop of links with a plain file, the user's links gone
    without a word, and writes through a chain the system gives up on to the file at its
    end, which Qt read as empty: its settings lost. A folder: Qt's failed read of it empties
    its one copy of the file's settings, and the file put back as it was (its size and time
    the same) is not read again: its next save writes only the changes, the others lost."""
    trouble = link_trouble(file_name)
    if trouble:
        return trouble
    return "is a folder, not a file" if os.path.isdir(file_name) else ""


# One writer per file in this process, so that the changes of every AppSettings of a file
# are written in the order they were made, and a new one can wait for them.
_writers: weakref.WeakValueDictionary[str, Writer] = weakref.WeakValueDictionary()
_writers_lock = threading.Lock()


def writer_for(file_name: str, settings_format: QSettings.Format) -> Writer:
    with _writers_lock:
        writer = _writers.get(file_name)
        if writer is None:
            writer = _writers[file_name] = Writer(file_name, settings_format)
        return writer


def put_first(first: tuple[str, ...], items: list[str], keep: int) -> list[str]:
    """``first``, then the others of ``items`` not in it, ``keep`` at most."""
    return (list(first) + [other for other in items if other not in first])[:keep]


def qt_stored(value: object) -> object:
    """``value`` as handed to ``QSettings``: a list of one text as that text. Qt writes a
    list of one as ``@Variant(…)`` (Qt's binary form, which a person cannot edit), a longer
    one as plain text ("a, b"); a text it writes plain (quoted where it holds a comma), and
    the app reads a text stored for a list as a list of one (:func:`.settings_values.texts`)."""
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
        return value[0]
    return value


def read_ini_text(text: str) -> dict[str, object]:
    """The settings Qt reads from an INI file holding ``text`` (Latin-1, byte for character)."""
    with tempfile.TemporaryDirectory(prefix="settings-") as folder:
        copy = os.path.join(folder, "repaired.ini")
        with open(copy, "wb") as file:
            file.write(text.encode("latin-1"))
        store = QSettings(copy, QSettings.Format.IniFormat)
        values: dict[str, object] = {key: store.value(key) for key in store.allKeys()}
        del store
    return values


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
        return read_ini_text(literal_paths(text)[0]).get(key) == read
    except OSError:  # no temporary folder: stored as read, which keeps it
        return False
