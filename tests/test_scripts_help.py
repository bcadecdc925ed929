"""Every measurement script's --help: it says how the script is run, and its defaults."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from scripts.support.arguments import frame_size, script_parser
from tests.module_help import help_answers, help_written_to

REPO = Path(__file__).resolve().parent.parent
SCRIPTS = sorted(path.stem for path in (REPO / "scripts").glob("*.py") if path.stem != "__init__")


def test_every_scripts_help_says_python_dash_m(tmp_path: Path) -> None:
    answers = {
        name.removeprefix("scripts."): answer
        for name, answer in help_answers([f"scripts.{name}" for name in SCRIPTS], tmp_path).items()
    }
    assert len(SCRIPTS) > 20 and sorted(answers) == SCRIPTS
    for name, (code, out) in answers.items():
        assert code in (0, None), f"{name} --help: exit {code}"
        assert out.startswith(f"usage: python -m scripts.{name} "), f"{name} --help: {out[:80]!r}"
        # Was: two scripts gave their docstring's first line as the description, which for
        # them stopped mid-sentence ("... libfacedetection (Shiqi Yu's").
        description = out.split("\n\n")[1].rstrip()
        assert description.endswith((".", "?")), f"{name} --help: description cut short: {description[-60:]!r}"
    # And once for real, the way the README and the docstrings say to run a script.
    shown = subprocess.run(
        [sys.executable, "-m", "scripts.frame_times", "--help"], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert shown.returncode == 0 and shown.stdout.startswith("usage: python -m scripts.frame_times ")


def test_a_scripts_help_that_cannot_be_written_is_an_error(tmp_path: Path) -> None:
    # argparse ignores a failed write of its help and exits 0: a script saving `--help`
    # onto a full disk took it for written.
    answers = help_written_to(Path("/dev/full"), [f"scripts.{name}" for name in SCRIPTS], tmp_path)
    assert len(answers) == len(SCRIPTS)
    for name, (code, err) in answers.items():
        assert (code, err) == (
            2,
            "error: the help could not be printed to standard output (No space left on device)\n",
        ), name


def test_a_scripts_help_shows_defaults_once() -> None:
    parser = script_parser("/somewhere/scripts/measure_it.py", "What it measures.")
    parser.add_argument("--every", type=int, default=3)
    parser.add_argument("--runs", type=int, default=5, help="runs to time")
    parser.add_argument("--size", type=frame_size, default=(640, 360), help="WIDTHxHEIGHT (default 640x360)")
    parser.add_argument("--steps", type=float, nargs="+", default=[1.2, 1.3], help="pyramid steps")
    parser.add_argument("--share", type=float, default=0.5, help="share of frames, e.g. 50%%")
    parser.add_argument("--json", action="store_true", help="one JSON line")
    parser.add_argument("--weights", type=Path, default=None, help="weights file")
    text = parser.format_help()
    assert text.startswith("usage: python -m scripts.measure_it ")
    assert re.search(r"--every EVERY +\(default: 3\)\n", text)
    assert "runs to time (default: 5)" in text
    assert "(default 640x360)" in text and "(default: 640x360)" not in text
    assert "pyramid steps (default: 1.2,1.3)" in text
    assert "e.g. 50% (default: 0.5)" in text
    assert "one JSON line\n" in text and "weights file\n" in text


def test_a_scripts_help_says_no_default_for_an_empty_one() -> None:
    # Was: an option whose default is the empty text (no filter, no margins) ended its help
    # with "(default: )", as if a default had been left out of the help.
    parser = script_parser("/somewhere/scripts/measure_it.py", "What it measures.")
    parser.add_argument("--only", default="", help="measure only these candidates")
    parser.add_argument("--margins", default="", metavar="M,M,...")
    text = parser.format_help()
    assert "(default: )" not in text and "(default:)" not in text, text
    assert "measure only these candidates\n" in text
