"""The Makefile's set-up, run for real: a venv that fails half-made is not left behind."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _make_venv(tmp_path: Path, python: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    venv = tmp_path / "venv"
    return subprocess.run(
        ["make", "-f", str(REPO / "Makefile"), f"PYTHON={python}", f"VENV={venv}", f"{venv}/bin/python"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _python_like_debian_without_python3_venv(tmp_path: Path) -> Path:
    """A Python whose `-m venv` makes bin/python and then fails, as Debian's does when
    ensurepip is missing (python3-venv not installed)."""
    script = tmp_path / "python-without-ensurepip"
    script.write_text(
        f'#!/bin/sh\n"{sys.executable}" -m venv --without-pip "$3" || exit 2\n'
        'echo "ensurepip is not available" >&2\nexit 1\n'
    )
    script.chmod(0o755)
    return script


def _python_making_a_venv_without_pip(tmp_path: Path) -> Path:
    script = tmp_path / "python-venv-without-pip"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m venv --without-pip "$3"\n')
    script.chmod(0o755)
    return script


@pytest.mark.parametrize("make_python", [_python_like_debian_without_python3_venv, _python_making_a_venv_without_pip])
def test_a_venv_that_fails_half_made_is_removed_and_the_error_names_python3_venv(
    tmp_path: Path, make_python: Callable[[Path], Path]
) -> None:
    python = make_python(tmp_path)
    result = _make_venv(tmp_path, python)
    assert result.returncode != 0
    assert not (tmp_path / "venv").exists(), "the half-made venv was left for the next make to trust"
    assert "python3-venv" in result.stderr


def _pip_that_cannot_upgrade(tmp_path: Path) -> dict[str, str]:
    """pip's settings for a download that breaks: the only newer pip it finds is no wheel."""
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    (wheels / "pip-999.0-py3-none-any.whl").write_bytes(b"cut short")
    return {
        **os.environ,
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheels),
    }


def test_a_pip_that_fails_to_upgrade_is_not_blamed_on_python3_venv(tmp_path: Path) -> None:
    # A real venv with pip in it, whose upgrade fails as a cut download does: the error
    # sent the user to install python3-venv, which was there.
    result = _make_venv(tmp_path, Path(sys.executable), env=_pip_that_cannot_upgrade(tmp_path))
    assert result.returncode != 0
    assert not (tmp_path / "venv").exists()
    assert "python3-venv" not in result.stderr
    assert "could not upgrade pip" in result.stderr


def test_a_folder_that_is_no_venv_is_never_removed(tmp_path: Path) -> None:
    # VENV naming a folder of the user's (".", a project): a failed venv in it removed it all.
    folder = tmp_path / "venv"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    result = _make_venv(tmp_path, _python_like_debian_without_python3_venv(tmp_path))
    assert result.returncode != 0
    assert (folder / "notes.txt").read_text() == "mine"
    assert "not a venv" in result.stderr


def test_a_venv_path_with_a_space_stops_make_before_it_runs_anything(tmp_path: Path) -> None:
    # make splits "my venv" in two: the failed venv's clean-up removed the folder "my", and
    # quoted, the later rules still ran "my" as the venv's Python.
    mine = tmp_path / "my"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    for name in ("requirements.txt", "requirements-dev.txt"):
        (tmp_path / name).write_text("")
    python = _python_like_debian_without_python3_venv(tmp_path)
    result = subprocess.run(
        ["make", "-f", str(REPO / "Makefile"), f"PYTHON={python}", f"VENV={tmp_path}/my venv", "install"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert (mine / "notes.txt").read_text() == "mine"
    assert not (mine / "bin").exists() and not (tmp_path / "my venv").exists()
    assert f'VENV "{tmp_path}/my venv" must be one path without spaces' in result.stderr
