"""scripts/end_wait_time.py's busy processes (its timing runs the real window on the real
clips: run by hand, see docs/measurements.md)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _running(pid: int) -> bool:
    """Whether process ``pid`` is there and not a zombie left unreaped (a container's init may not reap)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the busy process's state in /proc")
def test_the_busy_processes_end_once_the_script_has_gone(tmp_path: Path) -> None:
    # Was: a second Ctrl+C or SIGTERM exits the script at once (the app's handler), past the
    # `finally` that kills its busy processes: each spun on, a core taken until someone killed it.
    script = (
        "import os\n"
        "from scripts.end_wait_time import start_busy\n"
        "print(start_busy(1)[0].pid, flush=True)\n"
        "os._exit(130)\n"  # as the app's second signal exits
    )
    pid_file = tmp_path / "pid"
    with pid_file.open("w") as out:
        subprocess.run([sys.executable, "-c", script], stdout=out, stderr=subprocess.DEVNULL, cwd=ROOT, timeout=120)
    pid = int(pid_file.read_text())
    try:
        deadline = time.monotonic() + 10.0  # a wait for it to go, not a timing check
        while _running(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _running(pid), "the busy process spins on with the script gone"
    finally:
        if _running(pid):
            os.kill(pid, signal.SIGKILL)
