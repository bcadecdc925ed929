"""The filter that keeps a native library's line off standard error loses no other line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Another thread's last line goes into the filter's pipe just before it stops, and the
# process ends right after: the line must be on standard error. The slow ``drop`` stands
# for a forwarding thread not yet scheduled on busy cores.
_LAST_LINE_SCRIPT = """
import os, time
from emotion_app.io.codecs import NativeStderrFilter

def slow_drop(line):
    time.sleep(0.3)
    return line.startswith(b"drop me")

native = NativeStderrFilter(slow_drop)
assert native.start()
os.write(2, b"drop me\\nother thread's last line\\n")
native.stop()
os._exit(0)
"""


def test_a_line_still_in_the_pipe_when_the_filter_stops_reaches_standard_error() -> None:
    run = subprocess.run(
        [sys.executable, "-c", _LAST_LINE_SCRIPT], capture_output=True, text=True, timeout=60, cwd=REPO
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr == "other thread's last line\n"
