"""What a writer stopped dead (a kill -9, a crash, a second Ctrl+C while the exit waits)
left in a folder, tidied by the next save there.

Every output is written to a hidden temporary file beside its target and renamed only when
finished (:mod:`.atomic`), so a writer killed midway leaves that file. An MP4 gets its index
(the moov box) only when closed: a killed MP4 recording does not read back. An AVI's or
MKV's Motion JPEG frames do, and so do a CSV's rows (flushed a frame at a time). So what
reads back is kept beside the name it was to have, ``NAME (unfinished).SUFFIX``, and the
rest is removed: only the files of a writer on this machine whose process is gone, never
another running instance's, and only plain files (never through a link, never a fifo).
"""

from __future__ import annotations

import os
import stat
import threading
from dataclasses import dataclass
from pathlib import Path

import cv2

from ..wording import count_text
from .atomic import mode_for
from .codecs import VIDEO_SUFFIXES, quiet_opencv_log
from .folder_lock import FolderLock
from .output_folder import free_name
from .output_recovery import recover_stopped, stopped_temporaries
from .session_report import recover_stopped_report
from .temporary_names import PART_MARK, target_name

# What a kept file's name says after its stem.
UNFINISHED_MARK = " (unfinished)"

# The folders tidied in this process: a dead writer's files come from a run before this
# one, so once a folder is enough (Ctrl+S held down lists it once, not 30 times a second).
_tidied: set[Path] = set()
_tidied_lock = threading.Lock()


@dataclass(frozen=True)
class Tidied:
    """What :func:`tidy_stopped` did in ``folder``: ``lines`` for the log, a line for each
    file kept, put back or removed; ``kept``, the files kept as unfinished; ``removed``, the
    unfinished videos and CSVs removed (they did not read back); ``not_kept``, those that
    could not be kept (left where they were, a line says why); ``real``, the folder itself
    whatever path named it (through a link, with ``..``), the window's one line a folder
    goes by it (None when the tidy did not run)."""

    folder: Path
    lines: tuple[str, ...] = ()
    kept: tuple[Path, ...] = ()
    removed: int = 0
    not_kept: int = 0
    real: Path | None = None

    def notice(self) -> str:
        """The one line a window shows of it; "" when nothing of a recording was kept or removed."""
        told = [", ".join(path.name for path in self.kept)] if self.kept else []
        if self.removed:
            told.append(f"{'and ' if told else ''}removed {count_text(self.removed, 'unreadable file')}")
        if self.not_kept:
            told.append(f"{'and ' if told else ''}could not keep {count_text(self.not_kept, 'file')} (see the log)")
        if not told:
            return ""
        return f"{'Kept' if self.kept else 'Tidied'} what a session cut short left in {self.folder}: {', '.join(told)}"


def tidy_stopped_once(folder: Path) -> Tidied:
    """:func:`tidy_stopped` for ``folder``, the first time it is asked in this process;
    nothing done after. Asks the disk: off the GUI thread."""
    key = Path(folder).absolute()
    with _tidied_lock:
        if key in _tidied:
            return Tidied(key)
        _tidied.add(key)
    return tidy_stopped(key)


def tidy_stopped(folder: Path) -> Tidied:
    """What writers whose process is gone left in ``folder``: a timeline report's files
    recovered as its next export would (:func:`.session_report.recover_stopped_report`,
    which warns itself), a group cut short between its renames finished or undone
    (:func:`.output_recovery.recover_stopped`); then each unfinished file that reads back (a video
    with a frame, a CSV with a row) kept as ``NAME (unfinished).SUFFIX`` and any other
    removed (see :class:`Tidied`)."""
    folder = Path(folder)
    real = _real_folder(folder)
    # A timeline report's files first, whole or not at all: never half a pair kept.
    recover_stopped_report(folder)
    told = recover_stopped([folder], [""], temporaries=False)
    if not stopped_temporaries(folder):
        return Tidied(folder, tuple(told), real=real)  # the usual case: no lock file made in the user's folder
    kept: list[Path] = []
    removed = not_kept = 0
    with FolderLock(folder) as lock:
        if not lock.held:
            return Tidied(folder, tuple(told), real=real)  # another run tidies it now
        for temp in stopped_temporaries(folder):
            line, done = _keep_or_remove(folder, temp)
            if line:
                told.append(line)
            if isinstance(done, Path):
                kept.append(done)
            elif done == "removed":
                removed += 1
            elif done == "not kept":
                not_kept += 1
    return Tidied(folder, tuple(told), tuple(sorted(kept)), removed, not_kept, real)


def _real_folder(folder: Path) -> Path:
    """``folder`` with its links followed and its ``..`` undone, as far as it is there (a
    folder gone since is resolved as far as its parents are). Asks the disk, and a dead share
    may hold it: on the tidy's thread, never the window's."""
    try:
        return Path(os.path.realpath(folder))
    except (OSError, ValueError):  # refused (the working folder gone): tidied up in words only
        return Path(os.path.normpath(folder.absolute()))


def _keep_or_remove(folder: Path, temp: Path) -> tuple[str, Path | str]:
    """A line for the log (or ""), and what was done: the file kept, "removed" (a video's
    or a CSV's that did not read back), "not kept", or "" (nothing a recording wrote)."""
    stem, suffix = _target_stem_and_suffix(temp)
    target = folder / f"{stem}{suffix}"
    try:
        # Never through a link (a user's file elsewhere cut back or its permissions
        # widened), nor into a fifo or a device (opened or read, it may never answer).
        if not stat.S_ISREG(os.lstat(temp).st_mode):
            return "", ""
        handle = os.open(temp, os.O_RDWR | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return "", ""  # gone meanwhile, or not a file of ours to write: left as it is
    try:
        try:
            if not stat.S_ISREG(os.fstat(handle).st_mode):
                return "", ""  # something else put in its place since the look just before
            if suffix.lower() in VIDEO_SUFFIXES:
                keep = _video_reads_back(temp)
            elif suffix.lower() == ".csv":
                keep = _csv_rows_kept(handle)
            else:  # a picture or a report written whole in one go: nothing worth keeping in part
                keep = False
            if keep:
                os.fchmod(handle, mode_for(target))  # mkstemp's 0600: what a finished one gets
        finally:
            os.close(handle)  # before the link or rename: a share may refuse either on an open file
        if keep:
            kept = _keep(temp, folder / f"{stem}{UNFINISHED_MARK}{suffix}")
            return (
                f"{target}: cut short when its writer was stopped (killed or crashed); what it holds is kept as {kept}",
                kept,
            )
    except OSError as exc:
        why = exc.strerror or exc
        return f"{target}: what a writer stopped midway left could not be kept ({why}); it stays in {temp}", "not kept"
    try:
        temp.unlink(missing_ok=True)
    except OSError:
        return "", ""  # a device that is gone: left for the next save
    if suffix.lower() in VIDEO_SUFFIXES:
        return (
            f"{target}: cut short when its writer was stopped (killed or crashed); an unfinished {suffix} "
            "has no index and does not play, so it was removed"
        ), "removed"
    # A CSV without a row: counted (its recording's user looks for it); a picture's or a
    # report's part is nothing a user saw or would look for.
    return "", "removed" if suffix.lower() == ".csv" else ""


def _target_stem_and_suffix(temp: Path) -> tuple[str, str]:
    """The name the temporary ``temp`` was to become, as its stem and suffix. A long name
    is cut short in the temporary's (it must fit beside the marks), its suffix with it, but
    the suffix is whole again after the temporary's ``.part``."""
    name = target_name(temp)
    suffix = temp.suffix
    if not temp.name[: -len(suffix)].endswith(PART_MARK):  # a target without a suffix
        suffix = ""
    return (name[: -len(suffix)] if suffix and name.endswith(suffix) else name), suffix


def _keep(temp: Path, wanted: Path) -> Path:
    """``temp`` under a free name like ``wanted``, never over a file there; that name."""
    for _ in range(100):
        kept = free_name(wanted)
        try:
            os.link(temp, kept, follow_symlinks=False)
        except FileExistsError:  # taken meanwhile: the next free one
            continue
        except OSError:  # no hard links on this file system (FAT): renamed, checked just before
            os.rename(temp, kept)
            return kept
        temp.unlink()
        return kept
    raise FileExistsError(f"no free name beside {wanted}")


def _video_reads_back(path: Path) -> bool:
    """Whether a frame of the video ``path`` decodes (an MP4 without its index: no)."""
    # FFmpeg's own complaint ("moov atom not found") is kept off the terminal by its log
    # level (see .codecs); the line returned says it in the app's words.
    with quiet_opencv_log():
        capture = cv2.VideoCapture(str(path))
        try:
            return bool(capture.isOpened() and capture.read()[0])
        finally:
            capture.release()


def _csv_rows_kept(handle: int) -> bool:
    """Whether the CSV open as ``handle`` holds a row past its header: True with it cut
    back to its last complete row (a kill midway through a frame's row leaves part of one)."""
    try:
        with open(handle, "rb", closefd=False) as stream:
            data = stream.read()
        ends = _last_row_ends(data, 2)
        if len(ends) < 2:
            return False
        if ends[0] != len(data):
            os.ftruncate(handle, ends[0])
    except OSError:
        return False
    return True


def _last_row_ends(data: bytes, wanted: int) -> list[int]:
    """Where the last ``wanted`` complete rows of the CSV ``data`` end (just past their line
    break), last first; fewer when it has fewer. A line break inside a quoted field (a file
    name or a face's name holding one) ends no row: it is one where the quotes before it
    are even in number, as the CSV writer doubles a quote inside a field and quotes any
    field holding one. Read backwards, since only the last rows are asked about."""
    ends: list[int] = []
    end = len(data)
    quotes_before = data.count(b'"')
    while len(ends) < wanted:
        newline = data.rfind(b"\n", 0, end)
        if newline < 0:
            break
        quotes_before -= data.count(b'"', newline, end)
        if quotes_before % 2 == 0:
            ends.append(newline + 1)
        end = newline
    return ends
