"""``python -m MODULE --help`` for many modules in one child process, as ``-m`` runs them
(runpy, the module as __main__): a child per module costs seconds each in imports (torch,
cv2, Qt), a minute in all. Standard output is the child's own (help_answers) or a file
opened as a redirection opens it (help_written_to)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

_RUN_ALL = """
import contextlib, io, json, runpy, sys
answers_path, names = sys.argv[1], sys.argv[2:]
answers = {}
for name in names:
    out = io.StringIO()
    sys.argv = ["-m", "--help"]
    with contextlib.redirect_stdout(out):
        try:
            runpy.run_module(name, run_name="__main__", alter_sys=True)
            code = "returned without exiting"
        except SystemExit as stop:
            code = stop.code
    answers[name] = [code, out.getvalue()]
with open(answers_path, "w", encoding="utf-8") as file:
    json.dump(answers, file)
"""


def help_answers(modules: list[str], folder: Path) -> dict[str, tuple[object, str]]:
    """Each module's exit code and standard output for ``--help``; ``folder`` holds the
    child's answers file."""
    answers_path = folder / "helps.json"
    subprocess.run([sys.executable, "-c", _RUN_ALL, str(answers_path), *modules], cwd=REPO, check=True, timeout=300)
    answers = json.loads(answers_path.read_text(encoding="utf-8"))
    return {name: (code, text) for name, (code, text) in answers.items()}


# What a tool says when its --help cannot be written to standard output (a full disk).
HELP_NOT_WRITTEN = "error: the help could not be printed to standard output (No space left on device)\n"

_RUN_ALL_INTO = """
import contextlib, io, json, runpy, sys
answers_path, stdout_path, names = sys.argv[1], sys.argv[2], sys.argv[3:]
answers = {}
for name in names:
    err = io.StringIO()
    sys.argv = ["-m", "--help"]
    out = open(stdout_path, "w", encoding="utf-8")  # block-buffered, as `> FILE` makes it
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            runpy.run_module(name, run_name="__main__", alter_sys=True)
            code = "returned without exiting"
        except SystemExit as stop:
            code = stop.code
    with contextlib.suppress(OSError):  # what is left in its buffer: lost, as at a process's exit
        out.close()
    answers[name] = [code, err.getvalue()]
with open(answers_path, "w", encoding="utf-8") as file:
    json.dump(answers, file)
"""


def help_written_to(stdout: Path, modules: list[str], folder: Path) -> dict[str, tuple[object, str]]:
    """Each module's exit code and standard error for ``--help`` with standard output
    redirected to the file ``stdout`` (/dev/full: a full disk)."""
    answers_path = folder / "helps.json"
    command = [sys.executable, "-c", _RUN_ALL_INTO, str(answers_path), str(stdout), *modules]
    subprocess.run(command, cwd=REPO, check=True, timeout=300)
    answers = json.loads(answers_path.read_text(encoding="utf-8"))
    return {name: (code, text) for name, (code, text) in answers.items()}
