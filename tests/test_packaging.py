"""The package as others see it: its console commands resolve, and no code edits sys.path."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from emotion_app.cli import analyze_main

REPO = Path(__file__).resolve().parent.parent


def console_scripts() -> dict[str, str]:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]


def test_every_console_command_names_a_function_that_exists() -> None:
    scripts = console_scripts()
    assert {"emotion-app", "emotion-app-analyze"} <= set(scripts)
    for command, target in scripts.items():
        module_name, _, attribute = target.partition(":")
        function = getattr(importlib.import_module(module_name), attribute, None)
        assert callable(function), f"{command} -> {target} is not a function"


def test_the_analyze_command_is_the_analyze_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        analyze_main(["--help"])
    assert exit_info.value.code == 0
    assert "--csv" in capsys.readouterr().out


def test_no_python_file_edits_sys_path() -> None:
    sources = [
        path
        for top in ("emotion_app", "training", "scripts", "tests")
        for path in (REPO / top).rglob("*.py")
        if path != Path(__file__).resolve()
    ]
    sources.append(REPO / "main.py")
    offenders = [str(path.relative_to(REPO)) for path in sources if "sys.path" in path.read_text(encoding="utf-8")]
    assert offenders == [], "run scripts as `python -m scripts.NAME` from the repository root instead"


def test_a_users_type_checker_reads_the_packages_type_hints(tmp_path: Path) -> None:
    # Without a py.typed marker mypy skips an installed package ("missing library stubs
    # or py.typed marker") and every name from it is Any in the user's own script.
    pytest.importorskip("mypy")
    script = tmp_path / "user_script.py"
    script.write_text("from emotion_app import EmotionClassifier\n\nlabels: int = EmotionClassifier.load().labels\n")
    # The package as installed: found on the interpreter's path, outside the user's folder.
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "mypy", "--no-incremental", "--cache-dir", os.devnull, script.name]
    checked = subprocess.run(command, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=300)
    assert "py.typed" not in checked.stdout
    assert 'expression has type "tuple[str, ...]", variable has type "int"' in checked.stdout
