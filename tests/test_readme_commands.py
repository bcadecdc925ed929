"""The command lines of the README and the model card against the commands themselves: the
options they show exist, and what the measured figures say the --help texts say too."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from emotion_app.cli import main
from emotion_app.gui.launch import parse_args
from tests.module_help import help_answers

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")
OPTION = re.compile(r"(?<![\w-])(--?[a-zA-Z][\w-]*)")


def _help(command: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as stop:
        if command[0] == "main.py":
            parse_args(["--help"])
        else:
            main([*command, "--help"])
    assert stop.value.code == 0
    return capsys.readouterr().out


def _options(help_text: str) -> set[str]:
    """Every option string the help's option list defines (``--output annotated.mp4, -o
    annotated.mp4``: both), less help and verbose (the README puts -v before the command)."""
    listed = re.findall(r"^  (-[^ ].*?)(?:  |$)", help_text, flags=re.MULTILINE)
    names = {OPTION.findall(name)[0] for entry in listed for name in entry.split(", ")}
    return names - {"-h", "--help", "-v", "--verbose"}


@pytest.mark.parametrize(
    ("command", "readme_start"),
    [
        (["analyze"], "python -m emotion_app [-v] analyze INPUT "),
        (["bench"], "python -m emotion_app [-v] bench INPUT "),
        (["main.py"], "python main.py "),
    ],
)
def test_readme_usage_line_shows_every_option_of_the_command(
    command: list[str], readme_start: str, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [line for line in README.splitlines() if line.startswith(readme_start)]
    assert len(lines) == 1, f"README: one usage line starting {readme_start!r}, found {len(lines)}"
    shown = {option for part in OPTION.findall(lines[0][len(readme_start) :]) for option in part.split("/")} - {"-v"}
    assert shown == _options(_help(command, capsys))


def test_analyze_help_gives_the_readmes_cost_of_a_cnn_scan(capsys: pytest.CaptureFixture[str]) -> None:
    # Was: the README's figure was re-measured (a scan in a file costs about a tenth of a
    # second), but analyze --help still said "tens of milliseconds".
    measured = re.search(r"In a file it costs (about [^(]+?) a scan \(", " ".join(README.split()))
    assert measured, "README: the CNN scan's cost in a file"
    help_text = " ".join(_help(["analyze"], capsys).split())
    cnn_faces = help_text[help_text.index("--cnn-faces also scan") :].split(" --progress")[0]
    assert f"a scan costs {measured.group(1)}" in cnn_faces, cnn_faces


DOCS = ("README.md", "weights/README.md", "docs/architecture.md")
COMMAND = re.compile(r"python -m ((?:scripts|training)\.\w+)((?:(?!python ).)*)")


def _code_spans(text: str) -> list[str]:
    """Each line of a bash block (continued lines joined) and each inline code span, its
    line breaks read as spaces, as they render."""
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.DOTALL)
    lines = [line for block in blocks for line in block.replace("\\\n", " ").splitlines()]
    prose = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    return lines + [" ".join(span.split()) for span in re.findall(r"`([^`]+)`", prose)]


def test_every_script_and_training_command_in_the_docs_takes_the_options_shown(tmp_path: Path) -> None:
    shown: dict[str, set[str]] = {}
    for doc in DOCS:
        for span in _code_spans((REPO / doc).read_text(encoding="utf-8")):
            for module, rest in COMMAND.findall(span):
                shown.setdefault(module, set()).update(OPTION.findall(rest))
    shown.pop("scripts.NAME", None)  # the README's "python -m scripts.NAME"
    assert len(shown) > 30, sorted(shown)
    missing = sorted(m for m in shown if not (REPO / (m.replace(".", "/") + ".py")).is_file())
    assert not missing, f"the docs run modules that do not exist: {missing}"
    helps = {module: text for module, (_, text) in help_answers(sorted(shown), tmp_path).items()}
    unknown = {
        module: sorted(o for o in options if not re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", helps[module]))
        for module, options in shown.items()
    }
    assert not {m: o for m, o in unknown.items() if o}, "options the docs show that --help does not list"


def test_readme_layout_table_names_every_module_of_the_packages_it_lists() -> None:
    # Was: `emotion_app/io/retime.py` (the annotated video's one frame rate) was missing from
    # the io row, so a reader of the table could not find where that is done.
    table = README[README.index("| path | what |") :].split("\n\n")[0]
    rows = {cells[1].strip().strip("`"): cells[2] for cells in (row.split("|") for row in table.splitlines()[2:])}
    # Was: `percents` (emotion_app/) and three of scripts/support/'s modules were missing
    # too, in rows this test did not read.
    packages = ("emotion_app/", "emotion_app/faces/", "emotion_app/inference/", "emotion_app/io/")
    for package in (*packages, "emotion_app/sources/", "emotion_app/cli/", "scripts/support/"):
        named = set(re.findall(r"`(\w+)`", rows[package]))
        modules = {path.stem for path in (REPO / package).glob("*.py")} - {"__init__", "__main__"}
        assert modules <= named, f"README layout, {package}: not named {sorted(modules - named)}"
    training = set(re.findall(r"`(\w+)`", rows["training/"] + rows["training/` (library)"]))
    modules = {path.stem for path in (REPO / "training").glob("*.py")} - {"__init__"}
    assert modules <= training, f"README layout, training/: not named {sorted(modules - training)}"


@pytest.mark.parametrize("command", [["analyze"], ["bench"], ["main.py"]])
def test_readme_says_what_each_option_of_the_command_does(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: -v, --bars/--no-bars, --progress/--no-progress and bench's --frames and
    # --no-bars stood only in the usage lines; what they do was in --help alone.
    prose = re.sub(r"```.*?```", "", README, flags=re.DOTALL)
    # analyze's and bench's options where the paragraph names the command, as other commands
    # share their names (--frames, --progress, /usr/bin/time -v).
    word = "" if command[0] == "main.py" else command[0]
    paragraphs = [part for part in re.split(r"\n\s*\n|\n- ", prose) if re.search(rf"\b{word}\b", part)]
    spans = [" ".join(span.split()) for part in paragraphs for span in re.findall(r"`([^`]+)`", part)]
    said = {option for span in spans for option in OPTION.findall(span)}
    # Long forms only (-o is --output), and -v, whose long form the README never uses.
    options = {o for o in _options(_help(command, capsys)) if o.startswith("--")} | ({"-v"} if word else set())
    assert not options - said, f"README prose does not name {sorted(options - said)} ({command[0]})"


def test_analyze_help_fits_an_80_column_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: its description one line of 390 characters and its CSV table and notes of up
    # to 97, which a terminal of 80 columns broke in the middle of words.
    monkeypatch.setenv("COLUMNS", "80")
    help_text = _help(["analyze"], capsys)
    too_wide = [line for line in help_text.splitlines() if len(line) > 80]
    assert not too_wide, too_wide
    # The table still names every column beside its meaning.
    for column in ("frame", "file", "time_s", "track_id", "x, y, w, h", "roll", "label", "confidence", "uncertain"):
        assert re.search(rf"^  {re.escape(column)} +\S", help_text, flags=re.MULTILINE), column


def test_the_export_library_module_run_as_a_command_names_the_commands_that_export() -> None:
    # Was: `python -m training.export` (the weights file's library, its name the option
    # --export of three commands) printed nothing and exited 0, as if it had exported.
    ran = subprocess.run(
        [sys.executable, "-m", "training.export", "--out", "runs/x"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (ran.returncode, ran.stdout, ran.stderr.count("\n")) == (2, "", 1), ran
    assert ran.stderr.startswith("error: training.export is a library module, not a command"), ran.stderr
    # The commands it names export, as README's Commands show them.
    usage = re.findall(r"^python -m (training\.\w+) .*--export", README, flags=re.MULTILINE)
    assert {"training.train", "training.soup", "training.train_verifier"} <= set(usage), usage
    for module in ("training.train", "training.soup", "training.train_verifier"):
        assert f"python -m {module} --export W" in ran.stderr, ran.stderr
