"""``python -m MODULE --help`` for many modules in one child process, as ``-m`` runs them
(runpy, the module as __main__): a child per module costs seconds each in imports (torch,
cv2, Qt), a minute in all."""

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
