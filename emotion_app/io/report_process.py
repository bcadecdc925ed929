"""Writing a session report in a child Python process, for the desktop app.

Drawing the plot runs matplotlib's Python code, which holds the GIL in stretches of tens of
milliseconds; on a thread of the app's process every other thread, the GUI's too, waits
meanwhile (figures: docs/measurements.md). In a child process none of that touches the
app's threads. The child gets the session pickled in a temporary file (which it removes
once read: a child left to finish on its own needs nothing more from the app), writes the
report as :func:`.session_report.write_report` does (staged, then put in place: each file
whole) and answers with one line of JSON on its standard output. Before its first rename
it tells the renames on a line of their own: the app finishes them for a child killed
between them, so the plot and its table in the folder are always of one export.

    python -m emotion_app.io.report_process keep|replace FOLDER PICKLED_SESSION TAG DEADLINE_S

TAG, chosen by the app for this export alone, goes in the names of the child's temporary
files: when the child stops midway (killed at the app's timeout or by anyone, or
stopping itself past DEADLINE_S seconds) the app, or the child, removes them and nothing
else. The child keeps its own deadline as it runs out of the app's session (a Ctrl+C must
not stop an export midway) and may be left to finish when the window closes: were it
stuck, nothing else would ever stop it.

A plain child interpreter rather than multiprocessing's "spawn": spawn runs the parent's
main script again in the child, and the app's ``main.py`` imports the GUI (PyQt6).
"""

from __future__ import annotations

import faulthandler
import json
import os
import pickle
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from ..timeline import SessionTimeline
from . import session_report
from .session_report import ReportError, ReportFolderError, recover_stopped_report, unfinished_report_files

MODULE = "emotion_app.io.report_process"
# The child's first argument: numbered names beside an earlier report's, or the fixed ones.
KEEP, REPLACE = "keep", "replace"
# The start of the message for a failure that is not the report's own (those name the path).
FAILED = "Could not export the session timeline"
# An export takes about a second; a child still running after this is stuck, not slow.
CHILD_TIMEOUT_S = 120.0
# How long a stopped wait (the window closing) still gives the child before leaving it to
# finish on its own: within the window's 5 s wait for its pool threads at the close.
STOP_WAIT_S = 4.0
# How often the waiting thread looks at its stop flag.
_POLL_S = 0.1
# Name prefix of the temporary file the session is handed over in.
SESSION_PREFIX = "emotion_app-session-"
# What an export's tag (in its temporary files' names) looks like: a mark and random hex.
TAG_PREFIX = "export-"
_TAG = re.compile(r"export-[0-9a-f]{16}")
# The child's exit status when it stopped itself at its deadline.
EXIT_OVERDUE = 3
# A child whose main thread never lets its watchdog run (stuck in C code holding the GIL)
# is ended this much after its deadline by faulthandler's own thread, without cleaning up.
OVERDUE_GRACE_S = 10.0
# The Python that runs the child; tests put a stand-in here.
PYTHON = sys.executable
# The key of the child's line that tells the renames it is about to make.
RENAMES = "renames"
# How long the child's watchdog waits for renames under way (microseconds each) to end
# before cleaning up anyway: one held longer is stuck.
COMMIT_WAIT_S = 2.0
# Held by the child while it puts the files in place: its watchdog cleaning up meanwhile
# would remove a file between the renames.
_COMMITTING = threading.Lock()


def pickled_session(timeline: SessionTimeline) -> bytes:
    """What the child gets: a snapshot of ``timeline``, so the frames can go on changing it."""
    return pickle.dumps(timeline, protocol=pickle.HIGHEST_PROTOCOL)


def write_report_in_child(
    session: bytes,
    folder: Path,
    keep_existing: bool = False,
    stop: threading.Event | None = None,
    timeout_s: float = CHILD_TIMEOUT_S,
) -> tuple[Path, Path]:
    """:func:`.session_report.write_report` of the :func:`pickled_session` ``session`` into
    ``folder``, drawn in a child process. Returns the two paths; raises :class:`ReportError`
    with a one-line message starting with :data:`FAILED` for any failure, the child's death
    included.

    Once ``stop`` is set, waits at most :data:`STOP_WAIT_S` more, then leaves the child to
    finish on its own (it stops itself past ``timeout_s``) and raises ReportError. A child
    running past ``timeout_s`` is killed. A child that ends without finishing leaves no
    temporary file in ``folder``, nor the session's.
    """
    folder = Path(folder).absolute()
    tag = TAG_PREFIX + secrets.token_hex(8)
    name = ""
    try:
        handle, name = tempfile.mkstemp(prefix=SESSION_PREFIX, suffix=".pickle")
        with os.fdopen(handle, "wb") as hand_over:
            hand_over.write(session)
    except OSError as exc:
        if name:  # made but not filled (a full disk): no one else would remove it
            _clean_up(folder, tag, Path(name))
        raise ReportError(
            f"{FAILED}: could not hand the session to its drawing process ({exc.strerror or exc})"
        ) from exc
    package_root = Path(__file__).resolve().parents[2]
    env = dict(os.environ)
    # The child must import this very package, wherever the app was started from.
    env["PYTHONPATH"] = os.pathsep.join(part for part in (str(package_root), env.get("PYTHONPATH", "")) if part)
    try:
        child = subprocess.Popen(
            [PYTHON, "-m", MODULE, KEEP if keep_existing else REPLACE, str(folder), name, tag, repr(timeout_s)],
            env=env,
            # Not the app's working folder, whose own "emotion_app" (another checkout) would
            # come first on the child's path.
            cwd=package_root,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),  # no console flashing up on Windows
            # Out of the app's process group (POSIX): a Ctrl+C in the terminal, which the app
            # quits on, would stop the child too, and the export under way with it.
            start_new_session=True,
        )
    except OSError as exc:
        Path(name).unlink(missing_ok=True)
        raise ReportError(f"{FAILED}: could not start its drawing process ({exc.strerror or exc})") from exc
    deadline = time.monotonic() + timeout_s
    stop_deadline: float | None = None
    while True:
        try:
            # Called again after a timeout it goes on where it was: no output is lost.
            answer, errors = child.communicate(timeout=_POLL_S)
            break
        except subprocess.TimeoutExpired:
            now = time.monotonic()
            if stop_deadline is None and stop is not None and stop.is_set():
                stop_deadline = now + STOP_WAIT_S
            if stop_deadline is not None and now > stop_deadline:
                # Not killed: what it writes goes in place whole or not at all, and the
                # user asked for it. It removes the session's file itself, and stops itself
                # past timeout_s; a parent that exits first leaves no zombie (the child is
                # handed to the system).
                raise ReportError(f"{FAILED}: the window closed; {folder} gets the report when it is done") from None
            if now > deadline:
                child.kill()
                answer, _ = child.communicate()
                finished = _finish_renames(answer)
                _clean_up(folder, tag, Path(name))
                if finished is not None:
                    return finished
                raise ReportError(f"{FAILED}: {_overdue(timeout_s)}") from None
    # A child that died between its renames left them to the app; one that died before
    # reading the session left its file; one killed while writing (by the system, or by
    # the user), its temporary files.
    finished = _finish_renames(answer)
    _clean_up(folder, tag, Path(name))
    if finished is not None:
        return finished
    if child.returncode == EXIT_OVERDUE:
        raise ReportError(f"{FAILED}: {_overdue(timeout_s)}")
    return _outcome(child.returncode, answer, errors)


def _overdue(timeout_s: float) -> str:
    return f"its drawing process took over {timeout_s:.0f} s; stopped it"


def _finish_renames(answer: bytes) -> tuple[Path, Path] | None:
    """For a child that stopped between its renames (its last line tells them, not the
    outcome): the renames it had left done, and the report's two paths; None otherwise,
    or where a rename fails (the clean-up then removes what is left).

    A temporary file that is gone was renamed, or removed by a failure: its target holding
    that very file (a rename keeps the inode number) tells which. After a failure nothing
    more is renamed: a plot put beside an earlier table would be the wrong one."""
    lines = answer.decode("utf-8", "replace").strip().splitlines()
    try:
        told = json.loads(lines[-1]) if lines else {}
        renames = [(Path(temp), Path(target), int(inode)) for temp, target, inode in told[RENAMES]]
        paths = Path(told["png"]), Path(told["csv"])
    except (ValueError, TypeError, KeyError):
        return None  # an outcome, or no line: nothing was being put in place
    try:
        for temp, target, inode in renames:
            if temp.exists():
                os.replace(temp, target)
            elif target.stat().st_ino != inode:  # removed, not renamed: the child failed
                return None
    except OSError:
        return None
    return paths


def _clean_up(folder: Path, tag: str, session: Path) -> None:
    """Remove what a child that has stopped left of the export tagged ``tag``: a finished
    one leaves nothing tagged (its files were renamed into place), so this is safe always."""
    # Its earlier files put back where its renames did not all happen, or its records of
    # them removed where they did; then whatever else it left (unfinished data).
    recover_stopped_report(folder, tag)
    for path in [session, *unfinished_report_files(folder, tag)]:
        try:
            path.unlink(missing_ok=True)
        except OSError:  # a device that is gone; nothing more can be done
            pass


def _outcome(code: int, answer: bytes, errors: bytes) -> tuple[Path, Path]:
    """The child's answer as the paths written, or ReportError with its one-line reason."""
    try:
        reply = json.loads(answer.decode("utf-8").strip().splitlines()[-1]) if answer.strip() else None
    except (ValueError, UnicodeDecodeError):
        reply = None
    if code == 0 and isinstance(reply, dict) and RENAMES not in reply:
        if isinstance(reply.get("error"), str):
            raise ReportError(reply["error"])
        if isinstance(reply.get("png"), str) and isinstance(reply.get("csv"), str):
            return Path(reply["png"]), Path(reply["csv"])
    if code < 0:
        try:
            how = signal.Signals(-code).name
        except ValueError:
            how = f"signal {-code}"
        raise ReportError(f"{FAILED}: its drawing process was stopped ({how})")
    last = errors.decode("utf-8", "replace").strip().splitlines()[-1:]
    raise ReportError(f"{FAILED}: its drawing process failed (exit {code}){': ' + last[0] if last else ''}")


def main(argv: Sequence[str] | None = None) -> int:
    """The child: the session from its file (removed), the report into the folder, the answer
    (``{"png": ..., "csv": ...}`` or ``{"error": ...}``) as one JSON line on standard output."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    deadline_s = _seconds(arguments[4]) if len(arguments) == 5 else None
    if deadline_s is None or arguments[0] not in (KEEP, REPLACE) or not _TAG.fullmatch(arguments[3]):
        print(f"usage: python -m {MODULE} {KEEP}|{REPLACE} FOLDER PICKLED_SESSION TAG DEADLINE_S", file=sys.stderr)
        return 2
    mode, folder, session, tag = arguments[:4]
    watchdog = _keep_deadline(deadline_s, Path(folder), tag, Path(session))
    answer_to = sys.stdout
    sys.stdout = sys.stderr  # anything a library prints stays out of the answer
    reply: dict[str, str]
    try:
        try:
            with open(session, "rb") as hand_over:
                timeline = pickle.load(hand_over)
        finally:
            Path(session).unlink(missing_ok=True)
        if not isinstance(timeline, SessionTimeline):
            raise TypeError(f"expected a SessionTimeline, got {type(timeline).__name__}")
        staged = session_report.stage_report(timeline, Path(folder), keep_existing=mode == KEEP, tag=tag)
        png, csv_path = staged[0].path, staged[1].path

        def announce(renames: list[tuple[Path, Path]]) -> None:
            try:
                # Each file's inode number: a rename keeps it (see _finish_renames).
                told = [[str(temp), str(target), temp.stat().st_ino] for temp, target in renames]
                answer_to.write(json.dumps({RENAMES: told, "png": str(png), "csv": str(csv_path)}) + "\n")
                answer_to.flush()
            except OSError:  # nobody is listening (the app closed): the renames go on all the same
                pass

        with _COMMITTING:
            session_report.commit_report(staged, announce)
        reply = {"png": str(png), "csv": str(csv_path)}
    except ReportFolderError as exc:  # as the output folder's refusal words it, not "FAILED: FOLDER: it …"
        reply = {"error": f"{FAILED} into the folder {exc.folder}: {exc.problem}"}
    except ReportError as exc:  # it names only the path: a banner left up says what failed
        # One of its files: said as the folder's refusal is, not "FAILED: PATH: could not …".
        told = f"{FAILED} to {exc.about}: {exc.problem}" if exc.about is not None else f"{FAILED}: {exc}"
        reply = {"error": told}
    except Exception as exc:  # any failure must reach the user as a message
        reply = {"error": f"{FAILED}: {type(exc).__name__}: {exc}"}
    watchdog.cancel()  # done: whatever the answer, nothing is left to clean up
    faulthandler.cancel_dump_traceback_later()
    try:
        answer_to.write(json.dumps(reply) + "\n")
        answer_to.flush()
    except OSError:  # nobody is listening any more (the app closed): the files are written
        pass
    return 0


def _seconds(text: str) -> float | None:
    try:
        seconds = float(text)
    except ValueError:
        return None
    return seconds if 0 < seconds < float("inf") else None


def _keep_deadline(deadline_s: float, folder: Path, tag: str, session: Path) -> threading.Timer:
    """The child's own end past ``deadline_s``: its temporary files and the session's file
    removed, then out, wherever its main thread is stuck. Returns the watchdog to cancel."""

    def overdue() -> None:
        try:
            # Renames under way end first: the table alone in place, its plot removed, would
            # be half a report. Past the wait, released or not, the clean-up goes on.
            _COMMITTING.acquire(timeout=COMMIT_WAIT_S)
            _clean_up(folder, tag, session)
            print(f"{FAILED}: {_overdue(deadline_s)}", file=sys.stderr, flush=True)
        except OSError:  # nobody reads its errors any more (the app closed)
            pass
        finally:
            os._exit(EXIT_OVERDUE)  # not SystemExit: the main thread is stuck, not waiting for it

    watchdog = threading.Timer(deadline_s, overdue)
    watchdog.daemon = True
    watchdog.start()
    # Runs without the GIL: ends a child whose main thread never lets the watchdog run.
    faulthandler.dump_traceback_later(deadline_s + OVERDUE_GRACE_S, exit=True)
    return watchdog


if __name__ == "__main__":
    raise SystemExit(main())
