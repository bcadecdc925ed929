"""The Makefile's set-up, run for real: a venv that fails half-made is not left behind,
nor trusted when an older Makefile left it."""

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
    return _make(tmp_path, python, f"{tmp_path / 'venv'}/bin/python", env)


def _make(
    tmp_path: Path,
    python: Path,
    target: str | list[str],
    env: dict[str, str] | None = None,
    jobs: list[str] | None = None,
) -> subprocess.CompletedProcess[str]:
    venv = tmp_path / "venv"
    targets = [target] if isinstance(target, str) else target
    return subprocess.run(
        ["make", *(jobs or []), "-f", str(REPO / "Makefile"), f"PYTHON={python}", f"VENV={venv}", *targets],
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


def _requirements(tmp_path: Path) -> None:
    """Empty requirements beside the venv: the install rules read them from make's folder."""
    for name in ("requirements.txt", "requirements-dev.txt"):
        (tmp_path / name).write_text("")


def _venv_without_pip(tmp_path: Path) -> Path:
    """What an older Makefile left and trusted when `python3 -m venv` failed at ensurepip."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    return venv


@pytest.mark.parametrize("jobs", [[], ["-j2"]])
def test_a_venv_an_older_makefile_left_without_pip_is_made_again(tmp_path: Path, jobs: list[str]) -> None:
    # Its bin/python was trusted, so every make run stopped at "No module named pip". With
    # -j (or MAKEFLAGS=-jN set for all makes) a make run inside the rule warned that it had
    # no jobserver and to "add '+'", which would have run its rm -rf under make -n too.
    _requirements(tmp_path)
    venv = _venv_without_pip(tmp_path)
    offline = {**os.environ, "PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1"}
    result = _make(tmp_path, Path(sys.executable), "install", env=offline, jobs=jobs)
    assert result.returncode == 0, result.stderr
    assert "removing it and making it again" in result.stderr
    assert "warning" not in result.stderr
    pip = subprocess.run([venv / "bin" / "python", "-m", "pip", "--version"], capture_output=True, timeout=120)
    assert pip.returncode == 0, pip.stderr
    assert (venv / ".installed-runtime").is_file()


def test_both_installs_at_once_remake_a_venv_without_pip_once(tmp_path: Path) -> None:
    # make -j2 install install-dev (or make -j run test) ran both install rules at once:
    # one removed the venv to remake it while the other checked it, which then stopped at
    # "no venv (no pyvenv.cfg)" or installed into a venv being removed.
    _requirements(tmp_path)
    venv = _venv_without_pip(tmp_path)
    offline = {**os.environ, "PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1"}
    result = _make(tmp_path, Path(sys.executable), ["install", "install-dev"], env=offline, jobs=["-j2"])
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("removing it and making it again") == 1, result.stderr
    pip = subprocess.run([venv / "bin" / "python", "-m", "pip", "--version"], capture_output=True, timeout=120)
    assert pip.returncode == 0, pip.stderr
    assert (venv / ".installed-runtime").is_file() and (venv / ".installed-dev").is_file()


def test_a_venv_without_pip_that_cannot_be_made_again_is_removed(tmp_path: Path) -> None:
    # make test's install, on Debian without python3-venv: remade, it fails half-made again.
    _requirements(tmp_path)
    _venv_without_pip(tmp_path)
    result = _make(tmp_path, _python_like_debian_without_python3_venv(tmp_path), "install-dev")
    assert result.returncode != 0
    assert not (tmp_path / "venv").exists()
    assert "python3-venv" in result.stderr


def _python_without_pip(path: Path) -> None:
    """A stand-in bin/python: each call logged beside it, and no pip."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'#!/bin/sh\necho "$*" >> "{path.parent}/calls"\necho "No module named pip" >&2\nexit 1\n')
    path.chmod(0o755)


def _a_folder_of_the_users_with_python(tmp_path: Path) -> Path:
    folder = tmp_path / "venv"
    _python_without_pip(folder / "bin" / "python")
    return folder


def _a_project_made_a_venv(tmp_path: Path) -> Path:
    return _venv_without_pip(tmp_path)


@pytest.mark.parametrize(
    ("make_folder", "why_left"),
    [
        (_a_folder_of_the_users_with_python, "is no venv (no pyvenv.cfg)"),
        (_a_project_made_a_venv, "holds notes.txt besides a venv's own files"),
    ],
)
def test_a_folder_without_pip_that_is_no_venv_made_here_is_never_removed(
    tmp_path: Path, make_folder: Callable[[Path], Path], why_left: str
) -> None:
    # VENV naming a prefix with a Python (/usr) or a project folder made a venv: remaking
    # the venv would remove it all.
    _requirements(tmp_path)
    folder = make_folder(tmp_path)
    (folder / "notes.txt").write_text("mine")
    result = _make(tmp_path, _python_like_debian_without_python3_venv(tmp_path), "install")
    assert result.returncode != 0
    assert (folder / "notes.txt").read_text() == "mine"
    assert (folder / "bin" / "python").exists()
    assert why_left in result.stderr


def test_a_venv_with_packages_whose_python_has_lost_pip_is_left_with_a_true_reason(tmp_path: Path) -> None:
    # This Makefile's own venv once installed holds share/ (fonttools' and sympy's man pages);
    # its Python upgraded (bin/python3 -> /usr/bin/python3, now 3.12) finds no pip. Being
    # called "not a venv made here" and told to give another VENV= sent the user wrong.
    _requirements(tmp_path)
    venv = _venv_without_pip(tmp_path)
    man_page = venv / "share" / "man" / "man1" / "ttx.1"
    man_page.parent.mkdir(parents=True)
    man_page.write_text("installed by fonttools")
    result = _make(tmp_path, _python_like_debian_without_python3_venv(tmp_path), "install")
    assert result.returncode != 0
    assert man_page.read_text() == "installed by fonttools"
    assert "not a venv made here" not in result.stderr
    assert "No module named 'pip'" in result.stderr, "the reason pip failed was not shown"
    assert "holds share besides a venv's own files" in result.stderr
    assert "if it is a venv, remove it" in result.stderr


def test_with_nothing_to_install_make_runs_no_pip(tmp_path: Path) -> None:
    # Pins the cost of the pip check: made only before an install, never on an up-to-date
    # venv, even one whose pip no longer runs.
    _requirements(tmp_path)
    venv = tmp_path / "venv"
    _python_without_pip(venv / "bin" / "python")
    (venv / "pyvenv.cfg").write_text("")
    for stamp in (".installed-runtime", ".installed-dev"):
        (venv / stamp).write_text("")
    for name in ("requirements.txt", "requirements-dev.txt"):
        os.utime(tmp_path / name, (0, 0))
    for target in ("install", "install-dev"):
        result = _make(tmp_path, _python_like_debian_without_python3_venv(tmp_path), target)
        assert result.returncode == 0, result.stderr
    assert not (venv / "bin" / "calls").exists()
    assert (venv / "bin" / "python").exists()


def test_a_pip_that_stops_at_a_broken_config_is_not_taken_for_a_missing_pip(tmp_path: Path) -> None:
    # pip --version fails on a bad pip.conf or PIP_ variable too: the venv was removed
    # (or called no venv made here) and pip's own error, the one to act on, never shown.
    _requirements(tmp_path)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    installed = venv / "lib" / "installed.txt"
    installed.write_text("what the venv holds")
    config = tmp_path / "pip.conf"
    config.write_text("[global\nno section header")
    result = _make(tmp_path, Path(sys.executable), "install", env={**os.environ, "PIP_CONFIG_FILE": str(config)})
    assert result.returncode != 0
    assert installed.read_text() == "what the venv holds"
    assert str(config) in result.stderr, "pip's own error was not shown"
    assert "removing" not in result.stderr and "not a venv" not in result.stderr


def _venv_whose_python_is_gone(tmp_path: Path) -> Path:
    """A venv whose bin/python points to a Python since removed (pyenv uninstall, an upgrade)."""
    venv = _venv_without_pip(tmp_path)
    python = venv / "bin" / "python"
    python.unlink()
    python.symlink_to(tmp_path / "a-python-since-removed")
    return venv


def test_a_venv_whose_python_is_gone_is_made_again(tmp_path: Path) -> None:
    # make saw no bin/python and ran venv over the old one, which failed on the dangling
    # link: removed, with the user sent to install python3-venv.
    venv = _venv_whose_python_is_gone(tmp_path)
    offline = {**os.environ, "PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1"}
    result = _make_venv(tmp_path, Path(sys.executable), env=offline)
    assert result.returncode == 0, result.stderr
    assert "removing it and making it again" in result.stderr
    pip = subprocess.run([venv / "bin" / "python", "-m", "pip", "--version"], capture_output=True, timeout=120)
    assert pip.returncode == 0, pip.stderr


@pytest.mark.parametrize("entry", ["notes.txt", "share"])
def test_a_venv_whose_python_is_gone_is_left_if_it_holds_more_than_a_venv(tmp_path: Path, entry: str) -> None:
    # A project folder made a venv (notes.txt), or this Makefile's venv with its packages
    # (share/man): the failed remake removed it all, ad5d2f7's "removed only if it holds no
    # more than a venv made here" held only for a venv whose bin/python still ran.
    venv = _venv_whose_python_is_gone(tmp_path)
    mine = venv / entry / "mine.txt" if entry == "share" else venv / entry
    mine.parent.mkdir(exist_ok=True)
    mine.write_text("mine")
    result = _make_venv(tmp_path, _python_like_debian_without_python3_venv(tmp_path))
    assert result.returncode != 0
    assert mine.read_text() == "mine"
    assert f"holds {entry} besides a venv's own files" in result.stderr
    assert "python3-venv" not in result.stderr
