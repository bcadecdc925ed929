"""Building the fast classifier in a child Python process, for the desktop app.

A build imports onnx, whose first import holds the GIL long enough to freeze a video
(every thread of the process stops, the GUI's too), and quantises and calibrates in
Python (figures: docs/measurements.md). In a
child process none of that touches the app's threads. The child writes the runner's graphs
in the disk cache's format (:mod:`.runner_cache`) into a private folder it is given; the
app loads them from there with ONNX Runtime alone, after the same agreement check against
its own eager model as any cached entry (:func:`.runners.build_runner`).

    EMOTION_APP_CACHE_DIR=FOLDER python -m emotion_app.inference.build_process WEIGHTS MODE
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from .runner_cache import ENVIRONMENT_VARIABLE, SUFFIX, cache_folder

log = logging.getLogger(__name__)

MODULE = "emotion_app.inference.build_process"
# Name prefix of the private temporary folder a child hands its graphs over in.
FOLDER_PREFIX = "emotion_app-build-"
# A build takes seconds; a child still running after this is stuck, not slow.
CHILD_TIMEOUT_S = 300.0
# How often the waiting thread looks at its cancel flag.
_POLL_S = 0.1
# The child's temporary folder, inside the hand-over folder, and the variables that name
# a process's temporary folder (POSIX; Windows).
SCRATCH_FOLDER = "tmp"
TEMP_VARIABLES = ("TMPDIR", "TEMP", "TMP")
# Below the app's threads: on two cores the child would otherwise take frames' time.
_NICENESS = 10


def build_in_child(
    weights: Path,
    mode: str,
    folder: Path,
    cancelled: threading.Event | None = None,
    timeout_s: float = CHILD_TIMEOUT_S,
) -> bool:
    """Build ``mode``'s runner for the weights file ``weights`` in a child process, which
    stores its graphs in ``folder``; True when it finished and left them there. The
    child's temporary files go in ``folder`` too (the caller removes it).

    Kills the child when ``cancelled`` is set or after ``timeout_s``; never raises.
    """
    package_root = Path(__file__).resolve().parents[2]
    env = dict(os.environ)
    env[ENVIRONMENT_VARIABLE] = str(folder)
    # The child must import this very package, wherever the app was started from.
    env["PYTHONPATH"] = os.pathsep.join(part for part in (str(package_root), env.get("PYTHONPATH", "")) if part)
    output = folder / "build.log"
    try:
        # The child's temporary files (the quantiser's graphs) inside the folder: a child
        # killed mid-build cannot remove them itself, and the caller removes the folder.
        scratch = folder / SCRATCH_FOLDER
        scratch.mkdir(exist_ok=True)
        env.update({name: str(scratch) for name in TEMP_VARIABLES})
        with output.open("wb") as log_file:
            child = subprocess.Popen(
                [sys.executable, "-m", MODULE, str(weights), mode],
                env=env,
                cwd=folder,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                creationflags=getattr(subprocess, "BELOW_NORMAL_PRIORITY_CLASS", 0),
            )
    except OSError as exc:
        log.warning("could not start the fast classifier's build process (%s)", exc)
        return False
    _lower_priority(child.pid)
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            code = child.wait(timeout=_POLL_S)
            break
        except subprocess.TimeoutExpired:
            stopped = cancelled is not None and cancelled.is_set()
            if stopped or time.monotonic() > deadline:
                child.kill()
                child.wait()
                if not stopped:
                    log.warning("the fast classifier's build process took over %.0f s; stopped it", timeout_s)
                return False
    if code != 0:
        tail = output.read_text(errors="replace").strip().splitlines()[-1:] if output.exists() else []
        log.warning("the fast classifier's build process failed (exit %s): %s", code, tail[0] if tail else "no output")
        return False
    return True


def _lower_priority(pid: int) -> None:
    if hasattr(os, "setpriority"):
        try:
            os.setpriority(os.PRIO_PROCESS, pid, _NICENESS)
        except OSError:  # gone already, or not allowed: it only costs smoothness
            pass


def main(argv: Sequence[str] | None = None) -> int:
    """The child: build the runner, which stores its graphs in the cache folder it was given."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if len(arguments) != 2:
        print(f"usage: python -m {MODULE} WEIGHTS MODE", file=sys.stderr)
        return 2
    import torch

    from .classifier import EmotionClassifier
    from .runners import describe

    torch.set_num_threads(1)
    classifier = EmotionClassifier.load(arguments[0])
    runner = classifier.build_runner(arguments[1])
    print(describe(runner))
    # Success is graphs handed over: a runner without them (eager, or torch channels-last
    # when onnx is missing) would leave the app looking for an entry that is not there.
    folder = cache_folder()
    return 0 if folder is not None and any(folder.glob("*" + SUFFIX)) else 1


if __name__ == "__main__":
    raise SystemExit(main())
