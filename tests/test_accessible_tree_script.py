"""scripts/accessible_tree: refused in one line without its system parts, and everything it
starts (Xvfb, the D-Bus session, the app, the probe) ended with it, however it is stopped.

Run as the README says (``python -m scripts.accessible_tree``), in a process of its own.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.accessible_tree import missing
from tests.gui_support import WAIT_MS

REPO = Path(__file__).resolve().parent.parent
_WAIT_S = WAIT_MS / 1000


def test_without_pyatspi_it_is_refused_in_one_line(tmp_path: Path) -> None:
    # The check imported pyatspi in the system's python3 with its output shown: its
    # ImportError's traceback came above the line that says what to install.
    (tmp_path / "pyatspi.py").write_text('raise ImportError("No module named pyatspi")\n')
    answer = subprocess.run(
        [sys.executable, "-m", "scripts.accessible_tree"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},  # the system's python3 finds this pyatspi first
    )
    assert answer.returncode == 2 and answer.stdout == ""
    lines = answer.stderr.splitlines()
    assert len(lines) == 1 and "error" in lines[0] and "python3-pyatspi" in lines[0], answer.stderr


def _descendants(root: int) -> set[int]:
    """The processes under ``root`` now, by their parents in /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # gone meanwhile
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, new = set(), {root}
    while new:
        found |= new
        new = {pid for pid, parent in parents.items() if parent in new} - found
    return found - {root}


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, its exit not collected, counts)."""
    return Path(f"/proc/{pid}").exists()


@pytest.mark.skipif(bool(missing()), reason="needs Xvfb, dbus, at-spi2-core, python3-pyatspi and xdotool")
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_stopped_while_the_app_runs_it_leaves_nothing_running(stop: signal.Signals, tmp_path: Path) -> None:
    # Ctrl-C (SIGINT to the script, a terminal's, or a `timeout`'s SIGTERM) ended the script
    # alone, or Xvfb with it: the D-Bus session, the accessibility bus, the app and the probe
    # ran on, and the app's settings came back into the removed folder as it quit. Started
    # with Ctrl-C ignored, as a job a script puts in the background is (and as a test run
    # may leave it): the script must still end on it (it waited on, its app running).
    script = subprocess.Popen(
        [
            "bash",
            "-c",
            'trap "" INT; exec "$@"',
            "-",
            sys.executable,
            "-m",
            "scripts.accessible_tree",
            "--seconds",
            "120",
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "TMPDIR": str(tmp_path)},  # its folder, where this test sees it
    )
    started: set[int] = set()
    try:
        waited = 0.0
        while not list(tmp_path.glob("accessible_tree_*/app.log")) and waited < _WAIT_S:
            assert script.poll() is None, script.stderr.read() if script.stderr else ""
            subprocess.run(["sleep", "0.2"], check=True)
            waited += 0.2
        started = _descendants(script.pid)
        assert any("main.py" in _command(pid) for pid in started), "the app never started"
        script.send_signal(stop)
        _, stderr = script.communicate(timeout=60)
    finally:
        if script.poll() is None:
            script.kill()
            script.wait()
    assert script.returncode == 130
    assert len(stderr.decode().splitlines()) == 1 and "interrupted" in stderr.decode()
    assert [(pid, _command(pid)) for pid in started if _alive(pid)] == []
    assert list(tmp_path.glob("accessible_tree_*")) == []  # its folder, the app's settings too


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""
