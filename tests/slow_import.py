"""A child process whose import of one module is held until a signal comes: how a
Ctrl-C while a command's modules load (OpenCV, numpy, Qt: a second or more on a slow
machine) is tested. A ``sitecustomize`` on the child's PYTHONPATH, which Python runs at
start, holds that import; the child is signalled once it has begun."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

_SITECUSTOMIZE = """
import os, sys, time

class HeldImport:
    def find_spec(self, name, path=None, target=None):
        if name == os.environ["HELD_IMPORT"]:
            sys.meta_path.remove(self)
            open(os.environ["HELD_IMPORT_BEGUN"], "w").close()
            time.sleep(120)  # a signal's KeyboardInterrupt comes out of the import
        return None

sys.meta_path.insert(0, HeldImport())
"""


def _ctrl_c_as_at_a_terminal() -> None:
    # The suite may run with SIGINT ignored (a background job, nohup): the child would
    # inherit that, Python keeps an ignored SIGINT ignored, and the Ctrl-C tested never came.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _ctrl_c_ignored_as_in_a_background_job() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # what a shell's `command &` starts it with


def start_held_in_import(
    command: list[str], module: str, folder: Path, background_job: bool = False
) -> subprocess.Popen[str]:
    """``command`` (after the interpreter) started from the repository, once its import of
    ``module`` has begun and is held; ``folder`` holds the child's sitecustomize.
    ``background_job``: started with SIGINT ignored, as a shell starts ``command &``."""
    (folder / "sitecustomize.py").write_text(_SITECUSTOMIZE, encoding="utf-8")
    begun = folder / "import-begun"
    path = os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, PYTHONPATH=path, HELD_IMPORT=module, HELD_IMPORT_BEGUN=str(begun))
    child = subprocess.Popen(
        [sys.executable, *command],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_ctrl_c_ignored_as_in_a_background_job if background_job else _ctrl_c_as_at_a_terminal,
    )
    deadline = time.monotonic() + 60
    while not begun.exists():
        if child.poll() is not None or time.monotonic() > deadline:
            child.kill()
            _, err = child.communicate()
            raise AssertionError(f"the import of {module} never began: {err[-2000:]}")
        time.sleep(0.02)
    return child
