"""Loops of symbolic links (a link to itself, or a -> b -> a), made for real in tmp_path,
are told as such: ``ls`` lists one, so "not found" or "a file" would mislead."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from PyQt6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from emotion_app.cli import main
from emotion_app.faces.face_verifier import FaceVerifier, VerifierError
from emotion_app.gui.identity import APPLICATION, FORMER_APPLICATIONS, ORGANIZATION
from emotion_app.gui.launch import parse_args
from emotion_app.gui.settings import AppSettings
from emotion_app.io.output_folder import output_folder_problem
from emotion_app.io.path_lookup import LinkLoop, path_exists
from emotion_app.io.video import InputError, open_input
from emotion_app.link_loops import LINK_LOOP, link_trouble
from emotion_app.samples import VideoTruth
from tests.gui_support import WAIT_MS, WindowFactory, wait_until_stopped
from tests.synthetic_fer import write_fer_csv
from training.data import CLASSES_6, DataError, load_split

LOOP_KINDS = ("itself", "a pair")


def link_loop(folder: Path, kind: str, name: str = "loop") -> Path:
    """A loop of symbolic links named ``name`` in ``folder``: one to itself, or one of two
    pointing at each other."""
    loop = folder / name
    if kind == "itself":
        loop.symlink_to(name)
    else:
        other = folder / f"{name}-other"
        loop.symlink_to(other.name)
        other.symlink_to(name)
    assert loop.is_symlink() and not loop.exists()  # as ls sees it, and as Path.exists() does
    return loop


@pytest.mark.parametrize("kind", LOOP_KINDS)
def test_a_loop_is_told_apart_from_a_missing_path_and_a_path_through_one(tmp_path: Path, kind: str) -> None:
    loop = link_loop(tmp_path, kind)
    assert link_trouble(loop) == link_trouble(str(loop)) == f"is {LINK_LOOP}"
    with pytest.raises(LinkLoop) as error:
        path_exists(loop)
    assert str(error.value) == f"is {LINK_LOOP}"
    # Missing, or only passing through a loop, or a link to a real file: no loop itself.
    (tmp_path / "real.txt").write_text("x")
    (tmp_path / "link.txt").symlink_to("real.txt")
    for other in (tmp_path / "missing", loop / "inside", tmp_path / "link.txt", tmp_path / "real.txt"):
        assert link_trouble(other) != f"is {LINK_LOOP}", other
    assert path_exists(tmp_path / "link.txt") and not path_exists(tmp_path / "missing")


@pytest.mark.parametrize("kind", LOOP_KINDS)
def test_an_input_that_is_a_loop_is_told_so_not_missing(
    tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was "LOOP: no such file or folder", of a path ls lists.
    loop = link_loop(tmp_path, kind, "clip.mp4")
    with pytest.raises(InputError) as error:
        open_input(loop)
    assert str(error.value) == f"{loop}: it is {LINK_LOOP}"
    for command in ("analyze", "bench"):
        assert main([command, str(loop)]) == 2
        assert capsys.readouterr().err == f"error: {loop}: it is {LINK_LOOP}\n"


def test_the_window_tells_a_video_that_is_a_loop_so(qtbot: QtBot, make_window: WindowFactory, tmp_path: Path) -> None:
    # Was "Video file not found: LOOP".
    loop = link_loop(tmp_path, "a pair", "clip.mp4")
    window = make_window(video=loop)
    wait_until_stopped(qtbot, window)
    assert window.source_banner.text() == f"Could not open video file {loop}: it is {LINK_LOOP}"
    assert window.source_banner.level == "error"


def test_the_window_tells_a_video_behind_a_loop_so(qtbot: QtBot, make_window: WindowFactory, tmp_path: Path) -> None:
    # Was "Video file not found: LOOP/clip.mp4" (main.py --video).
    loop = link_loop(tmp_path, "itself")
    window = make_window(video=loop / "clip.mp4")
    wait_until_stopped(qtbot, window)
    assert window.source_banner.text() == (
        f"Could not open video file {loop / 'clip.mp4'}: it passes through {loop}, which is {LINK_LOOP}"
    )


def test_a_settings_file_that_is_a_loop_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # It was taken, and Qt's first save replaced the link with a plain file: the loop the
    # user made was gone without a word. A link to a real file is still taken, and Qt
    # writes through it (the settings writer's tests).
    loop = link_loop(tmp_path, "itself", "settings.ini")
    with pytest.raises(SystemExit):
        parse_args(["--settings", str(loop)])
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.endswith(f"argument --settings: {loop} is {LINK_LOOP}"), error
    assert loop.is_symlink()
    (tmp_path / "real.ini").write_text("[General]\n")
    (tmp_path / "link.ini").symlink_to("real.ini")
    assert parse_args(["--settings", str(tmp_path / "link.ini")]).settings == tmp_path / "link.ini"


@pytest.mark.parametrize("kind", LOOP_KINDS)
def test_training_data_that_is_a_loop_is_told_so_not_missing(tmp_path: Path, kind: str) -> None:
    # Was "data not found: LOOP".
    loop = link_loop(tmp_path, kind, "fer2013.csv")
    with pytest.raises(DataError) as error:
        load_split(loop, "Training", CLASSES_6)
    assert str(error.value) == f"data {loop} is {LINK_LOOP}"


def test_verifier_weights_that_are_a_loop_are_told_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Was "face verifier weights not found: LOOP" (evaluate_verifier, the app's face check);
    # the classifier's weights are told alike (test_hostile_weights).
    from training import evaluate_verifier

    loop = link_loop(tmp_path, "a pair", "verifier.safetensors")
    with pytest.raises(VerifierError) as verifier_error:
        FaceVerifier.load(loop)
    assert str(verifier_error.value) == f"face verifier weights path {loop} is {LINK_LOOP}"
    assert evaluate_verifier.main(["--data", str(tmp_path), "--weights", str(loop)]) == 2
    assert capsys.readouterr().err == f"error: face verifier weights path {loop} is {LINK_LOOP}\n"


@pytest.mark.parametrize("kind", LOOP_KINDS)
def test_calibrate_live_clips_that_are_a_loop_are_told_so_not_missing(
    tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was "--clips LOOP: no such folder", of a folder name ls lists.
    from training import calibrate_live

    loop = link_loop(tmp_path, kind, "clips")
    assert calibrate_live.main(["--weights", str(tmp_path / "unread.safetensors"), "--clips", str(loop)]) == 2
    assert capsys.readouterr().err == f"error: --clips {loop} is {LINK_LOOP}\n"
    assert loop.is_symlink()


@pytest.mark.parametrize("kind", LOOP_KINDS)
def test_an_output_folder_that_is_a_loop_is_told_so_not_a_file(tmp_path: Path, kind: str) -> None:
    # Was "it is a file, not a folder" (mkdir says "File exists" of a loop).
    loop = link_loop(tmp_path, kind, "out")
    assert output_folder_problem(loop) == f"it is {LINK_LOOP}"
    assert loop.is_symlink()


def test_a_report_folder_that_is_a_loop_is_told_so(
    tmp_path: Path, moving_face_video: VideoTruth, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was "--report LOOP/emotion-timeline.png: a loop of symbolic links, or a path that cannot be resolved".
    loop = link_loop(tmp_path, "itself", "report")
    assert main(["analyze", str(moving_face_video.path), "--report", str(loop)]) == 2
    assert capsys.readouterr().err == f"error: --report {loop}: it is {LINK_LOOP}\n"


def test_the_timeline_export_into_a_loop_says_so(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was "Could not export the session timeline: LOOP: cannot create the folder (File exists)".
    window = make_window(video=gui_video.path)
    loop = link_loop(tmp_path, "a pair", "exports")
    monkeypatch.setattr(window, "ask_folder_path", lambda title, start: str(loop))
    qtbot.waitUntil(window.timeline_panel.export_button.isEnabled, timeout=WAIT_MS)  # a face seen
    window.timeline_panel.export_button.click()
    qtbot.waitUntil(lambda: window.notice_banner.text() != "", timeout=WAIT_MS)
    # Then "Could not export the session timeline: LOOP: it is …", two colons stacked.
    exported = "Could not export the session timeline into the folder"
    assert window.notice_banner.text() == f"{exported} {loop}: it is {LINK_LOOP}"
    assert loop.readlink() == Path("exports-other")  # the link left as it was


def test_a_training_out_that_is_a_loop_is_told_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Was "--out LOOP is not writable (File exists)", and so for --export's folder.
    from training import train

    data = write_fer_csv(tmp_path / "fer2013.csv", {"Training": 6, "PublicTest": 2})
    loop = link_loop(tmp_path, "itself", "run")
    assert train.main(["--data", str(data), "--out", str(loop), "--epochs", "1"]) == 2
    assert capsys.readouterr().err == f"error: --out {loop} is {LINK_LOOP}\n"
    export = loop / "best.safetensors"
    assert train.main(["--data", str(data), "--out", str(tmp_path / "r"), "--export", str(export)]) == 2
    assert capsys.readouterr().err == f"error: --export {loop} is {LINK_LOOP}\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["fer2013.csv", "run"]  # nothing made


def test_a_run_file_that_is_a_loop_is_refused_before_any_training(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: the run trained its first epoch and then failed to save the checkpoint through
    # the loop ("output RUN/checkpoint.pt: a loop of symbolic links, ..."): an epoch lost.
    from training import train

    data = write_fer_csv(tmp_path / "fer2013.csv", {"Training": 6, "PublicTest": 2})
    run = tmp_path / "run"
    run.mkdir()
    loop = link_loop(run, "itself", "checkpoint.pt")
    fast = ["--batch-size", "16", "--threads", "1", "--no-progress", "--val-fraction", "0.2", "--epochs", "1"]
    assert train.main(["--data", str(data), "--out", str(run), *fast]) == 2
    said = capsys.readouterr()
    assert said.err == f"error: --out {run}: its checkpoint.pt is {LINK_LOOP}; remove that link first\n"
    assert "epoch" not in said.out  # refused at the start: no epoch run
    assert list(run.iterdir()) == [loop]
    # Was "--resume but no checkpoint at RUN/checkpoint.pt", of a file ls lists.
    assert train.main(["--resume", "--out", str(run), *fast]) == 2
    assert capsys.readouterr().err == f"error: --resume: {loop} is {LINK_LOOP}, not a checkpoint\n"
    # The files a run writes at its end are asked too: found only after the whole run.
    loop.unlink()
    link_loop(run, "a pair", "summary.json")
    assert train.main(["--data", str(data), "--out", str(run), *fast]) == 2
    assert capsys.readouterr().err == f"error: --out {run}: its summary.json is {LINK_LOOP}; remove that link first\n"


OTHER_TOOLS_FILES = [("evaluate", "report.json"), ("soup", "summary.json"), ("train_verifier", "verifier_metrics.csv")]


@pytest.mark.parametrize(("tool", "name"), OTHER_TOOLS_FILES)
def test_the_other_tools_refuse_an_output_file_that_is_a_loop_at_their_start(
    tmp_path: Path, tool: str, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: found when written, at the end (an evaluation's scoring, a soup's cooking, the
    # verifier's minutes of mining and training done).
    from emotion_app.samples import make_random_weights
    from training import evaluate, soup, train_verifier

    data = write_fer_csv(tmp_path / "fer2013.csv", {"Training": 6, "PublicTest": 2})
    out = tmp_path / "out"
    out.mkdir()
    link_loop(out, "a pair", name)
    export = tmp_path / "verifier.safetensors"
    commands = {
        "evaluate": lambda: evaluate.main(
            ["--weights", str(make_random_weights(tmp_path / "w.safetensors")), "--data", str(data), "--out", str(out)]
        ),
        "soup": lambda: soup.main(["--data", str(data), "--out", str(out), "a.pt", "b.pt"]),
        "train_verifier": lambda: train_verifier.main(
            ["--data", str(data), "--export", str(export), "--out", str(out)]
        ),
    }
    assert commands[tool]() == 2
    assert capsys.readouterr().err == f"error: --out {out}: its {name} is {LINK_LOOP}; remove that link first\n"
    assert not export.exists()


FAST = ["--batch-size", "16", "--threads", "1", "--no-progress", "--val-fraction", "0.2", "--epochs", "1"]


def test_an_export_that_is_a_loop_is_refused_and_a_link_to_a_file_replaced_as_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: the run's end replaced the loop with a plain weights file, without a word, where
    # analyze refuses an output that is a loop.
    from training import soup, train, train_verifier

    data = write_fer_csv(tmp_path / "fer2013.csv", {"Training": 6, "PublicTest": 2})
    loop = link_loop(tmp_path, "a pair", "model.safetensors")
    refused = f"error: --export {loop} is {LINK_LOOP}; remove that link first\n"
    assert train.main(["--data", str(data), "--out", str(tmp_path / "run"), *FAST, "--export", str(loop)]) == 2
    assert capsys.readouterr().err == refused
    assert soup.main(["--data", str(data), "--out", str(tmp_path / "soup"), "a.pt", "b.pt", "--export", str(loop)]) == 2
    assert capsys.readouterr().err == refused
    assert train_verifier.main(["--data", str(data), "--export", str(loop)]) == 2
    assert capsys.readouterr().err == refused
    assert loop.readlink() == Path("model.safetensors-other")
    assert not (tmp_path / "run").exists() and not (tmp_path / "soup").exists()
    # A link to a real file: the export replaces the link with the new file, as before;
    # the file it pointed at is left as it was.
    (tmp_path / "earlier.safetensors").write_bytes(b"an earlier model")
    link = tmp_path / "link.safetensors"
    link.symlink_to("earlier.safetensors")
    assert train.main(["--data", str(data), "--out", str(tmp_path / "run"), *FAST, "--export", str(link)]) == 0
    assert not link.is_symlink() and link.stat().st_size > 1000
    assert (tmp_path / "earlier.safetensors").read_bytes() == b"an earlier model"
    # A resume exports to the run's own file: one made a loop since is refused at the start.
    link.unlink()
    link.symlink_to(link.name)
    assert train.main(["--resume", "--out", str(tmp_path / "run"), "--no-progress"]) == 2
    assert capsys.readouterr().err.endswith(f"error: --export {link} is {LINK_LOOP}; remove that link first\n")
    assert link.readlink() == Path(link.name)


def test_a_settings_file_that_is_a_loop_is_not_replaced_and_its_loss_told(tmp_path: Path) -> None:
    # Was: Qt's save replaced the loop with a plain file, and said nothing.
    loop = link_loop(tmp_path, "a pair", "settings.ini")
    settings = AppSettings.at_path(loop)
    settings.show_bars = not settings.show_bars
    assert not settings.sync()
    assert settings.save_problem() == (
        f"Settings cannot be saved to {loop}: it is {LINK_LOOP}; changes made now are lost when the app closes."
    )
    assert loop.readlink() == Path("settings.ini-other")
    # A link to a real settings file is written through, as before: the link stays.
    (tmp_path / "real.ini").write_text("[General]\n")
    link = tmp_path / "link.ini"
    link.symlink_to("real.ini")
    through = AppSettings.at_path(link)
    through.show_bars = not through.show_bars
    assert through.sync() and through.save_problem() == ""
    assert link.is_symlink() and "show_bars" in (tmp_path / "real.ini").read_text()


@pytest.mark.skipif(
    not sys.platform.startswith("linux"),
    reason="only where Qt keeps user settings in INI files can the test move them away from the real ones",
)
def test_the_users_settings_file_that_is_a_loop_takes_nothing_carried_over(tmp_path: Path) -> None:
    # Was: a loop read as no settings, so the former app name's were carried over into it,
    # and Qt's save replaced the loop with a plain file.
    default_home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path))
    try:
        old = QSettings(ORGANIZATION, FORMER_APPLICATIONS[0])
        old.setValue("camera/name", "USB Webcam")
        old.sync()
        path = Path(QSettings(ORGANIZATION, APPLICATION).fileName())
        path.parent.mkdir(parents=True, exist_ok=True)
        loop = link_loop(path.parent, "itself", path.name)
        settings = AppSettings.user()
        assert settings.camera_name != "USB Webcam"
        settings.remember_camera("Another Camera", 1)
        assert not settings.sync() and LINK_LOOP in settings.save_problem()
        assert loop.readlink() == Path(path.name)
    finally:
        QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, default_home)


@pytest.mark.skipif(
    not sys.platform.startswith("linux"),
    reason="only where Qt keeps user settings in INI files can the test move them away from the real ones",
)
def test_settings_carried_over_where_a_folder_stands_are_told_unsaved_and_saved_later(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Was: the former app name's settings, carried over into the user's file with a folder
    # in its place, showed for the run and were lost, told nowhere ("carried over", logged).
    default_home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path))
    try:
        old = QSettings(ORGANIZATION, FORMER_APPLICATIONS[0])
        old.setValue("camera/name", "USB Webcam")
        old.sync()
        path = Path(QSettings(ORGANIZATION, APPLICATION).fileName())
        path.mkdir(parents=True)
        with caplog.at_level("INFO"):
            settings = AppSettings.user()
        assert settings.camera_name == "USB Webcam"
        assert settings.save_problem() == (
            f"Settings cannot be saved to {path}: it is a folder, not a file; changes made now are lost when the "
            "app closes."
        )
        assert f"settings could not be saved to {path}: it is a folder, not a file" in caplog.text
        assert "carried over" not in caplog.text and list(path.iterdir()) == []
        path.rmdir()  # the folder taken away: the next save writes them with its own change
        settings.show_bars = not settings.show_bars
        assert settings.sync() and settings.save_problem() == ""
        assert "name=USB Webcam" in path.read_text()
    finally:
        QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, default_home)


def link_chain(folder: Path, target: str, name: str = "chain", length: int = 45) -> Path:
    """``name`` in ``folder``: a chain of ``length`` symbolic links ending at ``target``, more
    than the system follows (40 on Linux), and no loop."""
    for number in range(length - 1, -1, -1):
        link = folder / (name if number == 0 else f"{name}-{number}")
        link.symlink_to(target)
        target = link.name
    return folder / name


def test_a_long_chain_of_links_is_told_as_one_not_as_a_loop(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Was "CHAIN: it is a loop of symbolic links (it points back to itself)": the system
    # gives up on a long chain too, but it ends at a file, which Python's resolve() reaches.
    from emotion_app.link_loops import LINK_CHAIN

    (tmp_path / "clip.mp4").write_bytes(b"behind the chain")
    chain = link_chain(tmp_path, "clip.mp4", "chain.mp4")
    assert link_trouble(chain) == f"is {LINK_CHAIN}" and chain.resolve() == tmp_path / "clip.mp4"
    for command in ("analyze", "bench"):
        assert main([command, str(chain)]) == 2
        assert capsys.readouterr().err == f"error: {chain}: it is {LINK_CHAIN}\n"
    assert (tmp_path / "clip.mp4").read_bytes() == b"behind the chain"


def test_an_input_behind_a_loop_or_a_chain_is_told_so_not_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was "LOOP/clip.mp4: no such file or folder", and so for a file that is there, behind
    # a chain of links to its folder.
    from emotion_app.link_loops import LINK_CHAIN

    loop = link_loop(tmp_path, "itself")
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "clip.mp4").write_bytes(b"behind the chain")
    chain = link_chain(tmp_path, "real")
    told = {
        loop / "clip.mp4": f"it passes through {loop}, which is {LINK_LOOP}",
        chain / "clip.mp4": f"it passes through {chain}, which is {LINK_CHAIN}",
    }
    for path, said in told.items():
        for command in ("analyze", "bench"):
            assert main([command, str(path)]) == 2
            assert capsys.readouterr().err == f"error: {path}: {said}\n"
        with pytest.raises(SystemExit):  # main.py --settings
            parse_args(["--settings", str(path.with_suffix(".ini"))])
        assert capsys.readouterr().err.strip().splitlines()[-1].endswith(f"{path.with_suffix('.ini')} {said[3:]}")
    assert (tmp_path / "real" / "clip.mp4").read_bytes() == b"behind the chain"


def test_outputs_through_a_loop_are_told_so(
    tmp_path: Path, moving_face_video: VideoTruth, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was "--output LOOP/out.mp4: a loop of symbolic links, or a path that cannot be
    # resolved", and "--report LOOP/r/emotion-timeline.png: ..." of the folder given.
    loop = link_loop(tmp_path, "a pair")
    through = f"passes through {loop}, which is {LINK_LOOP}"
    video = str(moving_face_video.path)
    assert main(["analyze", video, "-o", str(loop / "out.mp4")]) == 2
    assert capsys.readouterr().err == f"error: --output {loop / 'out.mp4'} {through}\n"
    assert main(["analyze", video, "--csv", str(loop / "faces.csv")]) == 2
    assert capsys.readouterr().err == f"error: --csv {loop / 'faces.csv'} {through}\n"
    assert main(["analyze", video, "--report", str(loop / "report")]) == 2
    assert capsys.readouterr().err == f"error: --report {loop / 'report'}: it {through}\n"
    assert output_folder_problem(loop / "snapshots") == f"it {through}"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["loop", "loop-other"]


def test_training_paths_through_a_loop_are_told_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Were "data not found: LOOP/fer2013.csv" and "--out LOOP/run is not writable (Too
    # many levels of symbolic links)", as if permissions were the trouble.
    from training import train

    data = write_fer_csv(tmp_path / "fer2013.csv", {"Training": 6, "PublicTest": 2})
    loop = link_loop(tmp_path, "itself")
    through = f"passes through {loop}, which is {LINK_LOOP}"
    with pytest.raises(DataError) as error:
        load_split(loop / "fer2013.csv", "Training", CLASSES_6)
    assert str(error.value) == f"data {loop / 'fer2013.csv'} {through}"
    assert train.main(["--data", str(data), "--out", str(loop / "run"), *FAST]) == 2
    assert capsys.readouterr().err == f"error: --out {loop / 'run'} {through}\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["fer2013.csv", "loop"]


def test_an_output_folder_that_is_a_pipe_is_not_called_a_file(tmp_path: Path) -> None:
    # Was "it is a file, not a folder" in the window (mkdir's "File exists"), where analyze's
    # --report said "not a folder": one check now, for both.
    from emotion_app.io.session_report import ReportError, check_folder

    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    assert output_folder_problem(pipe) == "it is not a folder"
    with pytest.raises(ReportError) as error:
        check_folder(pipe)
    assert str(error.value) == f"{pipe}: it is not a folder"


def test_a_settings_file_that_is_a_chain_of_links_keeps_what_it_holds(tmp_path: Path) -> None:
    # Was: Qt read the chain as no settings (the system gives up on it) and its save wrote
    # through to the file at the chain's end, the user's other settings in it gone.
    from emotion_app.link_loops import LINK_CHAIN

    held = "[General]\noutput_dir=/kept/folder\n"
    (tmp_path / "real.ini").write_text(held)
    chain = link_chain(tmp_path, "real.ini", "settings.ini")
    settings = AppSettings.at_path(chain)
    settings.show_bars = not settings.show_bars
    assert not settings.sync()
    assert settings.save_problem() == (
        f"Settings cannot be saved to {chain}: it is {LINK_CHAIN}; changes made now are lost when the app closes."
    )
    assert (tmp_path / "real.ini").read_text() == held and chain.is_symlink()


def test_a_settings_file_behind_a_loop_is_told_so_not_read_only(tmp_path: Path) -> None:
    # Was "Settings cannot be saved to LOOP/settings.ini (read-only, or its folder)": the
    # user's own settings under ~/.config, whose folder is a loop, are told so.
    loop = link_loop(tmp_path, "itself", "config")
    settings = AppSettings.at_path(loop / "settings.ini")
    settings.show_bars = not settings.show_bars
    assert not settings.sync()
    assert settings.save_problem() == (
        f"Settings cannot be saved to {loop / 'settings.ini'}: it passes through {loop}, which is {LINK_LOOP}; "
        "changes made now are lost when the app closes."
    )
    assert loop.readlink() == Path("config")


@pytest.mark.skipif(
    not sys.platform.startswith("linux"),
    reason="only where Qt keeps user settings in INI files can the test move them away from the real ones",
)
def test_the_users_settings_file_that_is_a_chain_takes_nothing_carried_over(tmp_path: Path) -> None:
    # Was: the chain read as no settings, so the former app name's were carried over into
    # it: written through to the file at its end, which held the user's settings.
    default_home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path))
    try:
        old = QSettings(ORGANIZATION, FORMER_APPLICATIONS[0])
        old.setValue("camera/name", "USB Webcam")
        old.sync()
        path = Path(QSettings(ORGANIZATION, APPLICATION).fileName())
        path.parent.mkdir(parents=True, exist_ok=True)
        held = "[camera]\nname=Kept Camera\n"
        (path.parent / "real.conf").write_text(held)
        link_chain(path.parent, "real.conf", path.name)
        AppSettings.user()
        assert (path.parent / "real.conf").read_text() == held
    finally:
        QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, default_home)


def test_outputs_through_a_chain_are_refused_as_the_report_folder_is(
    tmp_path: Path, moving_face_video: VideoTruth, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: -o and --csv through a chain of links the system gives up on were written (Python
    # follows the chain), where --report CHAIN/r and the input CHAIN/out.mp4 are refused: no
    # other program could open the file by the name given. So for ".." after a loop.
    from emotion_app.link_loops import LINK_CHAIN

    (tmp_path / "real").mkdir()
    chain = link_chain(tmp_path, "real")
    loop = link_loop(tmp_path, "itself")
    video = str(moving_face_video.path)
    through = f"passes through {chain}, which is {LINK_CHAIN}"
    assert main(["analyze", video, "-o", str(chain / "out.mp4")]) == 2
    assert capsys.readouterr().err == f"error: --output {chain / 'out.mp4'} {through}\n"
    assert main(["analyze", video, "--csv", str(chain / "faces.csv")]) == 2
    assert capsys.readouterr().err == f"error: --csv {chain / 'faces.csv'} {through}\n"
    assert main(["analyze", video, "--report", str(chain / "report")]) == 2
    assert capsys.readouterr().err == f"error: --report {chain / 'report'}: it {through}\n"
    after_loop = loop / ".." / "real" / "out.mp4"
    assert main(["analyze", video, "-o", str(after_loop)]) == 2
    assert capsys.readouterr().err == f"error: --output {after_loop} passes through {loop}, which is {LINK_LOOP}\n"
    assert list((tmp_path / "real").iterdir()) == []


def test_an_output_folder_that_is_a_link_to_a_missing_folder_is_told_so(tmp_path: Path) -> None:
    # Was "it cannot be created (File exists)" in the window (before that: "it is a file,
    # not a folder"), "cannot create the folder (File exists)" for --report and "is not
    # writable (File exists)" for --out. The missing target is not made: a drive not mounted.
    from emotion_app.io.session_report import ReportError, check_folder
    from training.outputs import check_folder_writable

    link = tmp_path / "out"
    link.symlink_to("unmounted")
    dangling = "a symbolic link to unmounted, which is missing"
    assert output_folder_problem(link) == f"it is {dangling}"
    assert output_folder_problem(link / "sub") == f"it passes through {link}, {dangling}"
    with pytest.raises(ReportError) as error:
        check_folder(link / "report")
    assert str(error.value) == f"{link / 'report'}: it passes through {link}, {dangling}"
    with pytest.raises(DataError) as data_error:
        check_folder_writable(link, "--out")
    assert str(data_error.value) == f"--out {link} is {dangling}"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]
    # A link into a folder the user may not search is no missing folder, nor a loop in it
    # a loop: the system says only "Permission denied". Asked as a user, not as root.
    from tests.user_rights import run_barred_from

    barred = tmp_path / "barred"
    barred.mkdir()
    link_loop(barred, "itself")
    (tmp_path / "in").symlink_to("barred/loop")
    child = (
        "import sys\n"
        "from pathlib import Path\n"
        "from emotion_app.io.output_folder import output_folder_problem\n"
        "print(output_folder_problem(Path(sys.argv[1])))\n"
        "print(output_folder_problem(Path(sys.argv[2])))\n"
    )
    done = run_barred_from(barred, 0, ["-c", child, str(tmp_path / "in"), str(barred / "loop" / "x")])
    assert done.stdout.splitlines() == ["it cannot be created (Permission denied)"] * 2, done.stdout + done.stderr


def test_an_output_file_through_a_link_to_a_missing_folder_is_refused(
    tmp_path: Path, moving_face_video: VideoTruth, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: -o LINK/out.mp4 and --csv LINK/sub/faces.csv, LINK a link to a missing folder,
    # made the link's target (a drive not mounted: the system disk) and wrote there without
    # a word, where --report LINK/r is refused. A missing folder of the output's own is made.
    (tmp_path / "out").symlink_to("unmounted")
    (tmp_path / "faces.csv").symlink_to(Path("gone") / "faces.csv")
    link, video = tmp_path / "out", str(moving_face_video.path)
    dangling = f"passes through {link}, a symbolic link to unmounted, which is missing"
    assert main(["analyze", video, "-o", str(link / "out.mp4")]) == 2
    assert capsys.readouterr().err == f"error: --output {link / 'out.mp4'} {dangling}\n"
    assert main(["analyze", video, "--csv", str(link / "sub" / "faces.csv")]) == 2
    assert capsys.readouterr().err == f"error: --csv {link / 'sub' / 'faces.csv'} {dangling}\n"
    csv_link = tmp_path / "faces.csv"
    assert main(["analyze", video, "--csv", str(csv_link)]) == 2
    told = f"is a symbolic link to {Path('gone') / 'faces.csv'}, which is missing"
    assert capsys.readouterr().err == f"error: --csv {csv_link} {told}\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["faces.csv", "out"]
    assert main(["analyze", video, "--csv", str(tmp_path / "new" / "faces.csv")]) == 0
    assert (tmp_path / "new" / "faces.csv").read_text().startswith("frame,")


@pytest.mark.parametrize("links", ["chain", "loop"])
def test_settings_that_could_not_be_saved_are_not_written_through_links_put_there_since(
    tmp_path: Path, links: str
) -> None:
    # Was (gui_monkey --settings-trouble, seed 5915): a save that failed (a folder in the
    # file's place) left its changes in Qt's one copy of the file for the process; the next
    # save's QSettings wrote them as it was made, before the app's check refused the links
    # put there since: through a chain, over the file at its end; over a loop, a plain file.
    path = tmp_path / "settings.ini"
    settings = AppSettings.at_path(path)
    settings.show_bars = not settings.show_bars
    assert settings.sync()
    path.unlink()
    path.mkdir()
    settings.show_bars = not settings.show_bars
    assert not settings.sync()  # Qt could not write over a folder
    path.rmdir()
    held = "[General]\noutput_dir=/kept/folder\n"
    (tmp_path / "real.ini").write_text(held)
    if links == "chain":
        link_chain(tmp_path, "real.ini", "settings.ini")
    else:
        link_loop(tmp_path, "two", "settings.ini")
    settings.mirror_cameras = not settings.mirror_cameras
    assert not settings.sync()
    assert path.is_symlink() and (tmp_path / "real.ini").read_text() == held
    assert "symbolic links" in settings.save_problem()


@pytest.mark.parametrize("what", ["folder", "link", "link on the way"])
def test_a_settings_file_with_a_folder_or_a_dangling_link_in_its_place_is_told_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, what: str
) -> None:
    # Was "Settings cannot be saved to FILE (read-only, or its folder)", as the output
    # folders were told before they said what stands there. Nothing is made, nor replaced.
    dangling = "a symbolic link to unmounted, which is missing"
    if what == "folder":
        path = tmp_path / "settings.ini"
        path.mkdir()
        told = "is a folder, not a file"
    elif what == "link":
        path = tmp_path / "settings.ini"
        path.symlink_to(Path("unmounted") / "settings.ini")
        told = f"is a symbolic link to {Path('unmounted') / 'settings.ini'}, which is missing"
    else:
        (tmp_path / "config").symlink_to("unmounted")
        path = tmp_path / "config" / "settings.ini"
        told = f"passes through {tmp_path / 'config'}, {dangling}"
    settings = AppSettings.at_path(path)
    settings.show_bars = not settings.show_bars
    with caplog.at_level("WARNING"):
        assert not settings.sync()
    assert settings.save_problem() == (
        f"Settings cannot be saved to {path}: it {told}; changes made now are lost when the app closes."
    )
    assert f"settings could not be saved to {path}: it {told}" in caplog.text
    made = "config" if what == "link on the way" else "settings.ini"
    assert sorted(entry.name for entry in tmp_path.iterdir()) == [made]
    assert what != "folder" or list(path.iterdir()) == []
