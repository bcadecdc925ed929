"""A NUL character in a path, from a Python caller (a shell cannot pass one), is told as
such in one line, by the command lines and by the API alike; nothing is created. The OS
calls refuse such a name with a bare ValueError ("embedded null byte"), which escaped as a
traceback, or read as "no such file", or (training's --export) only at a run's end."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from emotion_app.nul_names import NUL_IN_NAME
from emotion_app.samples import VideoTruth
from tests.synthetic_fer import write_fer_csv

pytestmark = pytest.mark.usefixtures("one_torch_thread")

# What a path with a lone surrogate, "\ud800", is told as (see nul_names.name_trouble).
SURROGATE_TOLD = "has the character \\ud800 in its name, which no file name can hold"


def _cli_analyze_output(tmp_path: Path, video: Path) -> int:
    from emotion_app.cli import main

    return main(["analyze", str(video), "-o", f"{tmp_path}/o\0.mp4"])


def _cli_analyze_input(tmp_path: Path, video: Path) -> int:
    from emotion_app.cli import main

    return main(["analyze", f"{tmp_path}/clip\0.mp4", "--csv", str(tmp_path / "faces.csv")])


def _train_out(tmp_path: Path, video: Path) -> int:
    from training.train import main

    data = write_fer_csv(tmp_path / "fer.csv", {"Training": 2, "PublicTest": 1, "PrivateTest": 1})
    return main(["--data", str(data), "--out", f"{tmp_path}/r\0un", "--epochs", "1"])


def _window_settings(tmp_path: Path, video: Path) -> int:
    from emotion_app.gui.launch import parse_args

    parse_args(["--settings", f"{tmp_path}/s\0.ini", "--video", str(video)])
    return 0


COMMANDS: dict[str, Callable[[Path, Path], int]] = {
    "analyze -o": _cli_analyze_output,
    "analyze INPUT": _cli_analyze_input,
    "train --out": _train_out,
    "the window's --settings": _window_settings,
}


@pytest.mark.parametrize("command", COMMANDS, ids=list(COMMANDS))
def test_a_command_line_argument_with_a_nul_is_refused_before_anything_is_read(
    tmp_path: Path, moving_face_video: VideoTruth, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    # Was a ValueError traceback (analyze -o, train --out), "no such file or folder" (an
    # input), a settings file taken that could never be saved.
    with pytest.raises(SystemExit) as stop:
        COMMANDS[command](tmp_path, moving_face_video.path)
    assert stop.value.code == 2
    last = capsys.readouterr().err.splitlines()[-1]
    assert last.endswith(" has a NUL character, which no file name or command line can hold"), last
    assert ": error: the argument " in last and "\\0" in last and "\0" not in last, last
    assert [name for name in os.listdir(tmp_path) if name != "fer.csv"] == []


def test_the_api_tells_a_path_with_a_nul_as_such(tmp_path: Path) -> None:
    # Was: ValueError from resolved, check_outputs and the CSV writer, "no such file or
    # folder" from open_input, "not found" from the face verifier, and nothing at all from
    # the report folder's check (the ValueError came later).
    from emotion_app.faces.face_verifier import FaceVerifier, VerifierError
    from emotion_app.io.atomic import OutputError, check_outputs, resolved
    from emotion_app.io.csv_export import FaceCsvWriter
    from emotion_app.io.session_report import ReportError, check_folder
    from emotion_app.io.video import InputError, open_input
    from emotion_app.weights import WeightsError, read_header

    calls: list[tuple[Callable[[], object], type[Exception], str]] = [
        (lambda: resolved(tmp_path / "o\0.mp4", "--output"), OutputError, f"--output {tmp_path}/o\0.mp4"),
        (lambda: check_outputs([("--csv", tmp_path / "o\0.csv")], []), OutputError, f"--csv {tmp_path}/o\0.csv"),
        (lambda: FaceCsvWriter(tmp_path / "x\0" / "f.csv", ("happy",)), OutputError, f"CSV {tmp_path}/x\0/f.csv"),
        (lambda: open_input(tmp_path / "clip\0.mp4"), InputError, f"{tmp_path}/clip\0.mp4: it"),
        (lambda: check_folder(tmp_path / "r\0"), ReportError, f"{tmp_path}/r\0: it"),
        (lambda: read_header(tmp_path / "w\0.safetensors"), WeightsError, f"weights path {tmp_path}/w\0.safetensors"),
        (
            lambda: FaceVerifier.load(tmp_path / "v\0.safetensors"),
            VerifierError,
            f"face verifier weights path {tmp_path}/v\0.safetensors",
        ),
    ]
    for call, error, subject in calls:
        with pytest.raises(error) as raised:
            call()
        assert str(raised.value) == f"{subject} {NUL_IN_NAME}", str(raised.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("argv", "called"),
    [
        (["analyze", "clip.mp4", "-o", "o\0.mp4"], "python -m emotion_app analyze"),
        (["bench", "clip\0.mp4"], "python -m emotion_app bench"),
        (["analyze\0", "clip.mp4"], "python -m emotion_app"),
    ],
)
def test_a_commands_argument_with_a_nul_is_told_by_the_commands_own_parser(
    argv: list[str], called: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was told by the top parser, as any argument's: its usage ("COMMAND ..."), and under
    # its name, where every other error of a command's arguments is the command's own.
    from emotion_app.cli import main

    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    lines = capsys.readouterr().err.splitlines()
    wrong = next(text for text in argv if "\0" in text).replace("\0", "\\0")
    assert lines[0].startswith(f"usage: {called} [-h]"), lines
    assert (
        lines[-1]
        == f"{called}: error: the argument {wrong} has a NUL character, which no file name or command line can hold"
    )


def test_the_analyze_entry_points_nul_error_names_it(capsys: pytest.CaptureFixture[str]) -> None:
    from emotion_app.cli import analyze_main

    with pytest.raises(SystemExit) as stop:
        analyze_main(["clip.mp4", "--csv", "f\0.csv"])
    assert stop.value.code == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("usage: emotion-app-analyze [-h]"), lines
    told = "the argument f\\0.csv has a NUL character, which no file name or command line can hold"
    assert lines[-1] == f"emotion-app-analyze: error: {told}"


def test_an_argument_with_a_nul_no_commands_parser_reads_is_refused_too(capsys: pytest.CaptureFixture[str]) -> None:
    # An option's value spelt as a command's name: what stands between it and the command
    # is no command's to check, and was taken as given.
    from emotion_app.arguments import ArgumentParser

    parser = ArgumentParser(prog="tool")
    parser.add_argument("--label")
    parser.add_argument("name")
    parser.add_subparsers(dest="command").add_parser("run")
    assert parser.parse_args(["--label", "run", "x", "run"]).name == "x"
    with pytest.raises(SystemExit) as stop:
        parser.parse_args(["--label", "run", "x\0", "run"])
    assert stop.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "tool: error: the argument x\\0 has a NUL character, which no file name or command line can hold"
    )


def test_a_name_the_system_cannot_encode_is_not_told_as_holding_a_nul(tmp_path: Path) -> None:
    # Was "has a NUL character in its name": the OS calls' ValueError for a lone surrogate
    # (a Python caller's text, not a file system's name) was taken for a NUL's.
    from emotion_app.weights import WeightsError, read_header

    path = tmp_path / "w\ud800.safetensors"
    with pytest.raises(WeightsError) as raised:
        read_header(path)
    assert str(raised.value).startswith(f"cannot read weights file {path}: "), str(raised.value)
    assert "surrogates not allowed" in str(raised.value) and "NUL" not in str(raised.value)


def test_an_output_path_the_system_cannot_encode_is_told_as_such(tmp_path: Path) -> None:
    # Was a bare UnicodeEncodeError ("'utf-8' codec can't encode character '\ud800' ...:
    # surrogates not allowed") from resolved, check_outputs and the CSV writer, and nothing
    # from the report folder's check (mkdir raised it later). A lone surrogate comes from a
    # Python caller's text only: names read from the disk carry theirs encodable.
    from emotion_app.io.atomic import AtomicOutput, OutputError, check_outputs, resolved
    from emotion_app.io.csv_export import FaceCsvWriter
    from emotion_app.io.session_report import ReportError, check_folder

    told = SURROGATE_TOLD
    calls: list[tuple[Callable[[], object], type[Exception], str]] = [
        (lambda: resolved(tmp_path / "o\ud800.mp4", "--output"), OutputError, f"--output {tmp_path}/o\ud800.mp4"),
        (lambda: AtomicOutput(tmp_path / "o\ud800.mp4"), OutputError, f"output {tmp_path}/o\ud800.mp4"),
        (
            lambda: check_outputs([("--csv", tmp_path / "o\ud800.csv")], []),
            OutputError,
            f"--csv {tmp_path}/o\ud800.csv",
        ),
        (
            lambda: FaceCsvWriter(tmp_path / "x\ud800" / "f.csv", ("happy",)),
            OutputError,
            f"CSV {tmp_path}/x\ud800/f.csv",
        ),
        (lambda: check_folder(tmp_path / "r\ud800"), ReportError, f"{tmp_path}/r\ud800: it"),
    ]
    for call, error, subject in calls:
        with pytest.raises(error) as raised:
            call()
        assert str(raised.value) == f"{subject} {told}", str(raised.value)
    assert list(tmp_path.iterdir()) == []
    # One a file system gave (the bytes of a Latin-1 name) is a name like any other.
    latin = Path(os.fsdecode(bytes(tmp_path) + b"/caf\xe9.mp4"))
    assert resolved(latin) == latin


@pytest.mark.parametrize(
    ("character", "told"), [("\0", NUL_IN_NAME), ("\ud800", SURROGATE_TOLD)], ids=["NUL", "surrogate"]
)
def test_trainings_readers_tell_a_path_no_file_can_have_as_such(tmp_path: Path, character: str, told: str) -> None:
    # Was: "data not found" (load_split), "not a folder" (read_emotion_folders), "--clips
    # ...: no such folder", and a bare ValueError ("embedded null byte") or
    # UnicodeEncodeError from read_csv, read_votes and load_checkpoint: the same path the
    # app's readers tell as holding a NUL character or a character no file name can hold.
    from training.calibrate_live import read_truth_ranges
    from training.checkpoints import load_checkpoint
    from training.data import DataError, classes_for, load_split, read_csv, read_emotion_folders
    from training.ferplus import read_votes

    path = tmp_path / f"fer{character}2013"
    classes = classes_for(7)
    calls: list[tuple[Callable[[], object], str]] = [
        (lambda: load_split(path, "Training", classes), f"data {path}"),
        (lambda: read_csv(path, "Training", classes), f"data {path}"),
        (lambda: read_emotion_folders(path, classes), f"data {path}"),
        (lambda: read_votes(path), f"votes file {path}"),
        (lambda: load_checkpoint(path), f"checkpoint {path}"),
        (lambda: read_truth_ranges(path), f"--clips {path}"),
    ]
    for call, subject in calls:
        with pytest.raises(DataError) as raised:
            call()
        assert str(raised.value) == f"{subject} {told}", str(raised.value)
    assert list(tmp_path.iterdir()) == []


def _cli_analyze_report(tmp_path: Path, video: Path) -> int:
    from emotion_app.cli import main

    return main(["analyze", str(video), "--report", f"{tmp_path}/r\ud800"])


def _train_export(tmp_path: Path, video: Path) -> int:
    from training.train import main

    data = write_fer_csv(tmp_path / "fer.csv", {"Training": 2, "PublicTest": 1, "PrivateTest": 1})
    return main(
        [
            "--data",
            str(data),
            "--out",
            f"{tmp_path}/run",
            "--epochs",
            "1",
            "--export",
            f"{tmp_path}/w\ud800.safetensors",
        ]
    )


SURROGATE_COMMANDS: dict[str, Callable[[Path, Path], int]] = {
    "analyze --report": _cli_analyze_report,
    "train --export": _train_export,
}


@pytest.mark.parametrize("command", SURROGATE_COMMANDS, ids=list(SURROGATE_COMMANDS))
def test_a_command_line_argument_no_file_name_can_hold_is_refused_before_anything_is_read(
    tmp_path: Path, moving_face_video: VideoTruth, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    # Was: analyze told it, then a traceback (the folders it would have made, none made, were
    # removed: rmdir's bare UnicodeEncodeError); train ran to its end, then raised one at the
    # export. A lone surrogate comes from a Python caller: a command line's bytes decode to
    # characters that encode again (see the test below).
    before = {path.name for path in tmp_path.iterdir()}
    with pytest.raises(SystemExit) as stop:
        SURROGATE_COMMANDS[command](tmp_path, moving_face_video.path)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    told = err.splitlines()[-1]
    assert told.endswith("has the character \\ud800, which no file name or command line can hold"), err
    assert told.count("\\ud800") == 2 and "\ud800" not in told, told  # the argument shown escaped too
    assert "Traceback" not in err and not {path.name for path in tmp_path.iterdir()} - before - {"fer.csv"}


def test_a_command_line_argument_of_bytes_no_encoding_names_is_read_as_before(tmp_path: Path) -> None:
    # A file system's name that is no UTF-8 (Latin-1's "café") reaches argv as \udce9: it is a
    # name like any other, taken by the parser.
    from emotion_app.arguments import ArgumentParser

    parser = ArgumentParser(prog="tool")
    parser.add_argument("path")
    latin = os.fsdecode(bytes(tmp_path) + b"/caf\xe9.mp4")
    assert parser.parse_args([latin]).path == latin
