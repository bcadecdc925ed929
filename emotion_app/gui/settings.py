"""Settings remembered between runs (QSettings): last camera, probability bars, steadiness.

Tests and scripts pass an explicit INI path so they never touch the user's settings.
Every value is checked when read: one edited by hand or by another version (``0,6``,
which Qt reads as a list, ``abc``, ``cam0``) falls back to its default, logged once.

The GUI thread never waits for the disk here: :class:`AppSettings` reads the file once,
when made, and keeps its values in memory; each change is handed to the file's
:class:`~.settings_writer.Writer`, whose thread writes it with a ``QSettings`` of its own (Qt rewrites the
whole file and forces it to disk, which under disk load stalls the thread that owns the
``QSettings``: docs/measurements.md, "What the GUI thread waits for in its long stalls").
:meth:`AppSettings.sync` waits for the writes.

The parts live beside this module: the keys in ``settings_keys``, the parsers of stored
values in ``settings_values``, each setting's key, default and parser, stated once for its
getter and setter, in ``settings_specs``, the reading of an INI file's text as a hand wrote
it in ``settings_ini`` and the writer thread in ``settings_writer``.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from PyQt6.QtCore import QByteArray, QSettings

from emotion_app.inference.steadiness import STEADINESS_LEVELS
from emotion_app.link_loops import link_trouble
from emotion_app.weights import DEFAULT_WEIGHTS_DIR

from . import settings_specs as setting
from . import settings_values as read_as
from .camera_size import CameraSize, format_camera_size
from .identity import APPLICATION, FORMER_APPLICATIONS, ORGANIZATION
from .launch import MAX_SETTINGS_BYTES
from .settings_ini import QUOTE, ini_scan, literal_paths
from .settings_writer import REMOVED, WHOLE_FILE, PutFirst, Whole, put_first, read_ini_text, writer_for

log = logging.getLogger(__name__)
T = TypeVar("T")


#: How many recent files, and recent network cameras, are kept and read back: a longer list
#: stored (another version, a hand edit) is cut to it, or its menu froze the window.
RECENT_KEPT = 8
# A model shipped in the app's own weights/ folder is remembered by name with this prefix,
# not by its path: after an update, or from another copy of the app, the choice means
# that copy's own file (a path would keep loading the old one wherever it still exists).
_SHIPPED_PREFIX = "shipped:"


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
        self._writer = writer_for(self._location, store.format())
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
        self._writer.put((WHOLE_FILE, Whole({key: _copied(value) for key, value in self._values.items()})))

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
        :func:`literal_paths`) with their backslashes as written; returns the file's text
        as Qt reads it so (those backslashes doubled), and whether the file is to be saved
        whole as read so (a backslash or quote ending such a path ran Qt's reading on into
        the lines after: Qt's save would write them into that value).

        Qt's own reading stays in the writer's ``QSettings``: the writer is told to store
        the path as read here when it saves the file, where Qt's rewrite of its reading
        would change it (Qt drops a backslash and the letter after it it has no escape for).
        """
        literal_text, keys = literal_paths(text)
        if not keys:
            return text, False
        try:
            values = read_ini_text(literal_text)
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
        runs = ini_scan(text, close_quotes=False)[1]
        if not runs:
            return False
        repaired = ini_scan(text, close_quotes=True)[0]
        line, end, kind = runs[0]
        if end > line + 1:
            lost = f"lines {line + 1}-{end} were read as part of its value, not as settings"
        elif end > line:
            lost = f"line {end} was read as part of its value, not as a setting"
        else:
            lost = "its value ran on past the line's end"
        quote = kind == QUOTE
        more = f" (and {len(runs) - 1} more such {'quotes' if quote else 'lines'})" if len(runs) > 1 else ""
        what = "a quote opened there is not closed" if quote else "it ends in a backslash, which joins the next line"
        problem = f"Settings file {self._location}, line {line}: {what}, so {lost}{more}"
        by_hand = "close the quote by hand" if quote else "write that backslash twice by hand"
        try:
            values = read_ini_text(repaired)
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

    def _set(self, spec: setting.Setting[T], value: object) -> None:
        """Store ``value`` under ``spec``'s key, read back as the getter reads it (the spec's
        default where nothing is stored); nothing is written where the setting reads so already.

        The window's controls store their value as they are set up at each start: a write
        of each, which a file that takes no changes refused at once, and the window warned
        of changes lost where the user had made none. A bad value stored is replaced.
        """
        if not self._reads_already(spec, value):
            self._put(spec.key, value)

    def _reads_already(self, spec: setting.Setting[T], value: object) -> bool:
        default = spec.default()
        raw = self._values.get(spec.key)
        try:
            return bool(spec.parse(value, self._folder) == (default if raw is None else spec.parse(raw, self._folder)))
        except (TypeError, ValueError):  # a bad value stored (or given): written
            return False

    def _put(self, key: str, value: object) -> None:
        self._values[key] = value
        # The writer thread gets a copy of its own of a byte array (one object is not
        # safe for a write on one thread and a read on another).
        self._writer.put((key, QByteArray(value) if isinstance(value, QByteArray) else value))

    def _remove(self, key: str) -> None:
        # As QSettings.remove: the key and every key under it (nothing to write for none).
        under = [stored for stored in self._values if stored == key or stored.startswith(key + "/")]
        if not under:
            return
        for stored in under:
            del self._values[stored]
        self._writer.put((key, REMOVED))

    def _in_folder(self, text: str) -> str:
        """``text``, a path read from the file, made absolute against the file's folder (see
        :func:`~.settings_specs.in_folder`)."""
        return setting.in_folder(text, self._folder)

    def _read(self, spec: setting.Setting[T]) -> T:
        """The stored value of ``spec``'s key as it reads it; its default when absent or bad
        (logged once)."""
        return self._read_as(spec, lambda raw: spec.parse(raw, self._folder))

    def _read_as(self, spec: setting.Setting[T], parse: Callable[[object], T]) -> T:
        """The stored value of ``spec``'s key through ``parse``; the spec's default when
        absent or bad (logged as the spec's ``shown`` writes it)."""
        default = spec.default()
        raw = self._values.get(spec.key)
        if raw is None:
            return default
        try:
            return parse(raw)
        except (TypeError, ValueError) as exc:
            if spec.key not in self._reported:  # once per key: a bad value is read many times
                self._reported.add(spec.key)
                stored = spec.shown(raw) if isinstance(raw, str) else raw
                log.warning("settings %s: ignoring %s=%r (%s); using %r", self.location, spec.key, stored, exc, default)
            return default

    @classmethod
    def user(cls) -> AppSettings:
        """The user's settings in the platform's usual place.

        On the first run under this name, the settings of a former name are copied in
        (they stay where they were, for an older copy of the app).
        """
        store = QSettings(ORGANIZATION, APPLICATION)
        # A loop of links reads as no settings: carried over into, it would be replaced by a
        # file (a chain the system gives up on: the file at its end overwritten).
        carry = not store.allKeys() and not link_trouble(store.fileName())
        settings = cls(store)
        # Dropped first: while a QSettings of the file lives, Qt keeps a failed save's
        # changes in its memory of the file, for the next QSettings made to write unchecked.
        del store
        if carry:
            for former in FORMER_APPLICATIONS:
                if settings._carry_over(QSettings(ORGANIZATION, former)):
                    break
        return settings

    def _carry_over(self, old: QSettings) -> bool:
        """Every value of ``old`` (left as it is) put in, each checked when read, as any
        value; returns whether it held any. Saved by the writer, as every change is, waited
        for once at the first start: one that cannot be saved (a folder in the file's place)
        is told as any, and kept for the next save. (Written through the reading
        ``QSettings``, such a save failed without a word, and stayed in Qt's memory of the
        file, which a ``QSettings`` made meanwhile wrote as it was made, past any check.)"""
        keys = old.allKeys()
        for key in keys:
            self._put(key, old.value(key))
        if keys and self.sync():  # else sync() and save_problem() say why
            log.info("settings: carried over from %s to %s", old.fileName(), self._location)
        return bool(keys)

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
        return self._read(setting.CAMERA_NAME)

    @property
    def camera_index(self) -> int:
        return self._read(setting.CAMERA_INDEX)

    def remember_camera(self, name: str, index: int) -> None:
        self._set(setting.CAMERA_NAME, name)
        self._set(setting.CAMERA_INDEX, index)
        self._remove(setting.NETWORK_CAMERA.key)

    @property
    def network_camera(self) -> str:
        """The network camera's URL when it was the camera chosen last, else ""."""
        return self._read(setting.NETWORK_CAMERA)

    def remember_network_camera(self, url: str) -> None:
        """``url`` as the camera chosen last (it opens at the next start)."""
        self._set(setting.NETWORK_CAMERA, url)

    def remember_stream_url(self, url: str, keep: int) -> None:
        """``url`` first of the ``keep`` recent network cameras (ones that opened: a
        mistyped address is not offered again)."""
        self._put_first(setting.STREAM_URLS.key, url, self.stream_urls, keep)

    @property
    def camera_size(self) -> CameraSize | None:
        """The picture size asked of cameras; None for each camera's own default."""
        return self._read(setting.CAMERA_SIZE)

    @camera_size.setter
    def camera_size(self, size: CameraSize | None) -> None:
        self._set(setting.CAMERA_SIZE, format_camera_size(size))

    @property
    def show_bars(self) -> bool:
        return self._read(setting.SHOW_BARS)

    @show_bars.setter
    def show_bars(self, value: bool) -> None:
        self._set(setting.SHOW_BARS, bool(value))

    @property
    def steadiness(self) -> str:
        """A level name of :data:`STEADINESS_LEVELS`; the default for anything else stored."""
        if setting.STEADINESS.key not in self._values and setting.OLD_SMOOTHING.key in self._values:
            return self._read(setting.OLD_SMOOTHING)
        return self._read(setting.STEADINESS)

    @steadiness.setter
    def steadiness(self, level: str) -> None:
        if level not in STEADINESS_LEVELS:
            raise ValueError(f"unknown steadiness {level!r}")
        if setting.OLD_SMOOTHING.key in self._values:  # stored the old way: migrated, whatever the level
            self._put(setting.STEADINESS.key, level)
            self._remove(setting.OLD_SMOOTHING.key)
        else:
            self._set(setting.STEADINESS, level)

    @property
    def last_video_dir(self) -> str:
        return self._read(setting.VIDEO_DIR)

    @last_video_dir.setter
    def last_video_dir(self, value: str) -> None:
        self._set(setting.VIDEO_DIR, _absolute(value))

    @property
    def output_dir(self) -> str:
        """The folder for snapshots, recordings and exports ("" until the user picks one)."""
        return self._read(setting.OUTPUT_FOLDER)

    @output_dir.setter
    def output_dir(self, value: str) -> None:
        self._set(setting.OUTPUT_FOLDER, _absolute(value))

    @property
    def last_export_dir(self) -> str:
        """The folder the session timeline was last exported into ("" for none yet)."""
        return self._read(setting.EXPORT_DIR)

    @last_export_dir.setter
    def last_export_dir(self, value: str) -> None:
        self._set(setting.EXPORT_DIR, _absolute(value))

    @property
    def weights_path(self) -> Path | None:
        """The model chosen last time; None when none was.

        A shipped model is this copy of the app's own file (see :data:`_SHIPPED_PREFIX`),
        None if that is gone. Whether a file of the user's is still there is left to the
        model's loader, off the GUI thread: on a network share whose server has gone a
        stat blocks for minutes, and the window would not open.
        """
        value = self._read(setting.WEIGHTS)  # a shipped: name is no path
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
            self._store_weights("")
        elif Path(value).parent == DEFAULT_WEIGHTS_DIR:
            self._store_weights(_SHIPPED_PREFIX + Path(value).name)
        elif _is_shipped(value):  # a link from elsewhere: by the name of the file it leads to
            self._store_weights(_SHIPPED_PREFIX + Path(value).resolve().name)
        else:
            self._store_weights(_absolute(value))

    def remember_weights(self, path: Path, resolved: Path | None) -> None:
        """Store ``path`` as the model chosen, without a stat of it: ``resolved`` (its links
        resolved by the thread that loaded it; None: unknown) says whether it is a shipped
        one. Right after a load, on the GUI thread, where a stat of a file on a network
        share gone since would block the window."""
        if Path(path).parent == DEFAULT_WEIGHTS_DIR:
            self._store_weights(_SHIPPED_PREFIX + Path(path).name)
        elif resolved is not None and resolved.parent == _shipped_folder_resolved():
            # A link from elsewhere: by the name of the file it leads to (the link's own
            # name is no file of weights/, and the choice would be lost at the next start).
            self._store_weights(_SHIPPED_PREFIX + resolved.name)
        else:
            self._store_weights(_absolute(path))

    def _store_weights(self, text: str) -> None:
        self._set(setting.WEIGHTS, text)  # the text weights_path reads

    @property
    def last_weights_dir(self) -> str:
        """The folder a weights file was last loaded from with "Load weights…" ("" for none
        yet)."""
        return self._read(setting.WEIGHTS_DIR)

    @last_weights_dir.setter
    def last_weights_dir(self, value: str) -> None:
        self._set(setting.WEIGHTS_DIR, _absolute(value))

    @property
    def recent_files(self) -> list[str]:
        """Files and folders opened lately, newest first."""
        return [self._in_folder(path) for path in self._text_list(setting.RECENT) if "\0" not in path]

    @recent_files.setter
    def recent_files(self, paths: list[str]) -> None:
        self._set(setting.RECENT, [_absolute(path) for path in paths])

    def remember_recent(self, path: str, keep: int) -> None:
        self._put_first(setting.RECENT.key, _absolute(path), self.recent_files, keep)

    def _put_first(self, key: str, item: str, items: list[str], keep: int) -> None:
        """``item`` first of the list ``key``: in this window's list, and in the file's list
        as it is when written (another window's items are kept)."""
        self._values[key] = put_first((item,), items, keep)
        self._writer.put((key, PutFirst((item,), keep)))

    def _text_list(self, spec: setting.Setting[list[str]]) -> list[str]:
        """The texts stored under ``spec``'s key, newest first, :data:`RECENT_KEPT` at most."""
        return spec.parse(self._values.get(spec.key), self._folder)[:RECENT_KEPT]

    @property
    def stream_urls(self) -> list[str]:
        """Network cameras opened lately (their URLs), newest first."""
        return self._text_list(setting.STREAM_URLS)

    # Mirrored like a mirror by default for cameras (what people expect of a webcam), never
    # for files (text and scenes in a video would read backwards).
    @property
    def mirror_cameras(self) -> bool:
        return self._read(setting.MIRROR_CAMERAS)

    @mirror_cameras.setter
    def mirror_cameras(self, value: bool) -> None:
        self._set(setting.MIRROR_CAMERAS, bool(value))

    @property
    def mirror_files(self) -> bool:
        return self._read(setting.MIRROR_FILES)

    @mirror_files.setter
    def mirror_files(self, value: bool) -> None:
        self._set(setting.MIRROR_FILES, bool(value))

    @property
    def show_timeline(self) -> bool:
        return self._read(setting.SHOW_TIMELINE)

    @show_timeline.setter
    def show_timeline(self, value: bool) -> None:
        self._set(setting.SHOW_TIMELINE, bool(value))

    @property
    def timeline_place(self) -> str:
        """One of :data:`~.settings_values.TIMELINE_PLACES`; "bottom" for anything else stored."""
        return self._read(setting.TIMELINE_PLACE)

    @timeline_place.setter
    def timeline_place(self, value: str) -> None:
        self._set(setting.TIMELINE_PLACE, setting.TIMELINE_PLACE.parse(value, self._folder))

    @property
    def timeline_side(self) -> str:
        """The side the timeline panel docks back at while :attr:`timeline_place` is
        "floating", one of :data:`~.settings_values.TIMELINE_SIDES`; "bottom" for none
        stored (a file of before it) or anything else."""
        return self._read(setting.TIMELINE_SIDE)

    @timeline_side.setter
    def timeline_side(self, value: str) -> None:
        self._set(setting.TIMELINE_SIDE, setting.TIMELINE_SIDE.parse(value, self._folder))

    @property
    def timeline_geometry(self) -> QByteArray | None:
        """Where the timeline panel last floated, and its size (``QWidget.saveGeometry``);
        None while it never has."""
        return self._read(setting.TIMELINE_GEOMETRY)

    @timeline_geometry.setter
    def timeline_geometry(self, value: QByteArray) -> None:
        self._set(setting.TIMELINE_GEOMETRY, QByteArray(value))  # a copy: the caller's may change later

    def timeline_geometry_refused(self) -> None:
        """Qt could not restore the stored :attr:`timeline_geometry` (bytes of none, or one
        saved on a screen of quite another width): logged once, as any bad value read."""
        self._read_as(setting.TIMELINE_GEOMETRY, read_as.refused_geometry)

    @property
    def timeline_width(self) -> int | None:
        """The docked panel's width at the window's left or right; None while never stored."""
        return self._read(setting.TIMELINE_WIDTH)

    @timeline_width.setter
    def timeline_width(self, value: int) -> None:
        self._set(setting.TIMELINE_WIDTH, int(value))

    @property
    def timeline_height(self) -> int | None:
        """The docked panel's height at the window's top or bottom; None while never stored."""
        return self._read(setting.TIMELINE_HEIGHT)

    @timeline_height.setter
    def timeline_height(self, value: int) -> None:
        self._set(setting.TIMELINE_HEIGHT, int(value))

    @property
    def window_geometry(self) -> QByteArray | None:
        return self._read(setting.WINDOW_GEOMETRY)

    @window_geometry.setter
    def window_geometry(self, value: QByteArray) -> None:
        self._set(setting.WINDOW_GEOMETRY, QByteArray(value))  # a copy: the caller's may change later

    def window_geometry_refused(self) -> None:
        """Qt could not restore the stored :attr:`window_geometry`: logged once, as the
        timeline's (:meth:`timeline_geometry_refused`)."""
        self._read_as(setting.WINDOW_GEOMETRY, read_as.refused_geometry)

    def unsaved(self) -> list[str]:
        """The file, while changes to it are still being written (what a forced exit loses)."""
        return [f"not saved: the settings {self._location}"] if self._writer.writing else []

    def save_problem(self) -> str:
        """One line saying that the changes cannot be saved and are lost at exit ("" while
        they are saved). Asks no disk: what the writer thread found at its last sync."""
        if not self._writer.failed:
            return ""
        lost = "changes made now are lost when the app closes."
        if self._writer.in_the_way:
            return f"Settings cannot be saved to {self._location}: it {self._writer.in_the_way}; {lost}"
        return f"Settings cannot be saved to {self._location} (read-only, or its folder): {lost}"

    def _why_unsaved(self) -> str:
        """Why the last save failed, to follow the file's name, as the writer thread found it."""
        in_the_way = self._writer.in_the_way
        return f": it {in_the_way}" if in_the_way else " (read-only, or its folder)"

    def sync(self) -> bool:
        """Wait until every change is written out; False, with a warning naming the file, if
        they could not be. The writer thread has ended when this returns."""
        self._writer.put(None)
        if self._writer.wait() == QSettings.Status.AccessError:
            log.warning("settings could not be saved to %s%s", self._location, self._why_unsaved())
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


def _absolute(path: str | os.PathLike[str]) -> str:
    """A path the app chose, as written: absolute (its own folder for a relative one, as on
    the command line), since a relative one would be read against the file's folder."""
    text = os.fspath(path)
    return os.path.abspath(text) if text else text


@functools.cache
def _shipped_folder_resolved() -> Path:
    """The app's own weights/ folder with its links resolved (local: asked once)."""
    return DEFAULT_WEIGHTS_DIR.resolve()


def _is_shipped(path: Path) -> bool:
    """Whether ``path`` is a file of the app's own weights/ folder."""
    try:
        return Path(path).resolve().parent == DEFAULT_WEIGHTS_DIR.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a loop of links, on Python before 3.13
        return False
