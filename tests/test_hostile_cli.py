"""What a hostile-user session found in ``analyze`` (2026-12-03): shipped files overwritten,
`nohup` ignored, a complete output replaced by a cut-short rerun, closed standard streams,
a stop signal at the loop's end, odd file names and sizes in a folder.

Every file is real and written by the test; the signals are real signals.
"""

from __future__ import annotations

import math
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from emotion_app import shipped
from emotion_app.cli import analyze_main, main
from emotion_app.io.video import open_input
from emotion_app.samples import astronaut_bgr, write_astronaut_video
from tests.hostile_support import fingerprint, leftovers, one_error_line

pytestmark = pytest.mark.usefixtures("one_torch_thread")

REPO = Path(__file__).resolve().parent.parent


def analyze(*args: object, weights: Path) -> int:
    return main(["analyze", *map(str, args), "--weights", str(weights)])


def start_analyze(
    args: list[str], ignored: signal.Signals | None = None, close_fd: int | None = None
) -> subprocess.Popen[str]:
    def before_exec() -> None:
        if ignored is not None:
            signal.signal(ignored, signal.SIG_IGN)  # as `nohup` (SIGHUP) or a shell's `&` (SIGINT) start it
        if close_fd is not None:
            os.close(close_fd)  # as `2>&-` or `>&-`

    return subprocess.Popen(
        [sys.executable, "-m", "emotion_app", "analyze", *args],
        cwd=REPO,
        stdout=subprocess.PIPE if close_fd != 1 else None,
        stderr=subprocess.PIPE if close_fd != 2 else None,
        text=True,
        preexec_fn=before_exec,
    )


def wait_for_frames(folder: Path, pattern: str, process: subprocess.Popen[str]) -> None:
    """Until the temporary video has grown past its header: frames are being written."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if any(p.stat().st_size > 20_000 for p in folder.glob(pattern)):
            return
        time.sleep(0.05)
    assert process.poll() is None, "analyze ended before it could be signalled"


def test_an_output_onto_a_file_the_app_ships_is_refused(
    random_weights: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The shipped folder stands in a temporary copy, so a regression cannot harm the checkout.
    shipped_dir = tmp_path / "weights"
    (shipped_dir / "face_check").mkdir(parents=True)
    model = shipped_dir / "emotion_cnn.safetensors"
    model.write_bytes(random_weights.read_bytes())
    checker = shipped_dir / "face_check" / "face_verifier.safetensors"
    checker.write_bytes(b"a shipped verifier")
    monkeypatch.setattr(shipped, "DEFAULT_WEIGHTS_DIR", shipped_dir)
    picture = tmp_path / "a.png"
    cv2.imwrite(str(picture), astronaut_bgr())
    for option, target in (("--csv", model), ("--output", checker.with_suffix(".png"))):
        before = {path: fingerprint(path) for path in (model, checker)}
        if option == "--output":
            checker.with_suffix(".png").write_bytes(b"shipped figure")
            before[checker.with_suffix(".png")] = fingerprint(checker.with_suffix(".png"))
        assert analyze(picture, option, target, weights=random_weights) == 2
        err = one_error_line(capsys.readouterr().err)
        assert "part of the app" in err and str(target) in err, err
        assert {path: fingerprint(path) for path in before} == before


def start_long_run(tmp_path: Path, weights: Path, ignored: signal.Signals) -> tuple[subprocess.Popen[str], Path]:
    """analyze of a 300-frame video started with ``ignored`` ignored, once it writes frames."""
    long_video = write_astronaut_video(tmp_path / "long.avi", num_frames=300, frame_size=(320, 240), face_size=70)
    out = tmp_path / "o.mp4"
    process = start_analyze(
        [str(long_video.path), "--output", str(out), "--weights", str(weights), "--no-progress"], ignored=ignored
    )
    wait_for_frames(tmp_path, ".o.mp4.*", process)
    return process, out


def test_a_signal_ignored_at_start_stays_ignored(random_weights: Path, tmp_path: Path) -> None:
    process, _ = start_long_run(tmp_path, random_weights, signal.SIGHUP)
    process.send_signal(signal.SIGHUP)  # the terminal `nohup` protects the run from closes
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr
    assert "(300 frames)" in stdout and "interrupted" not in stderr


def test_sigint_stops_a_run_started_in_the_background(random_weights: Path, tmp_path: Path) -> None:
    # A shell's `cmd &` starts it with SIGINT ignored; `kill -INT` should still stop it cleanly.
    process, out = start_long_run(tmp_path, random_weights, signal.SIGINT)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 128 + signal.SIGINT, stderr
    assert "interrupted by SIGINT" in stderr and out.is_file() and leftovers(tmp_path) == []


def test_a_rerun_cut_short_leaves_the_outputs_that_existed(random_weights: Path, tmp_path: Path) -> None:
    long_video = write_astronaut_video(tmp_path / "long.avi", num_frames=400, frame_size=(320, 240), face_size=70)
    out, csv_path, report = tmp_path / "o.mp4", tmp_path / "o.csv", tmp_path / "report"
    out.write_bytes(b"a complete earlier video")
    csv_path.write_text("frame,label\n0,happy\n")
    before = {path: fingerprint(path) for path in (out, csv_path)}
    process = start_analyze(
        [
            str(long_video.path),
            "--output",
            str(out),
            "--csv",
            str(csv_path),
            "--report",
            str(report),
            "--weights",
            str(random_weights),
            "--no-progress",
        ]
    )
    wait_for_frames(tmp_path, ".o.mp4.*", process)
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 128 + signal.SIGTERM, stderr
    assert re.search(
        rf"interrupted by SIGTERM after \d+ of 400 frames; outputs written so far are kept; "
        rf"{re.escape(str(csv_path))} and {re.escape(str(out))} existed and were left as before",
        stderr,
    ), stderr
    assert {path: fingerprint(path) for path in before} == before
    assert (report / "emotion-summary.csv").is_file(), "a new output still gets the frames done"
    assert "Traceback" not in stderr and leftovers(tmp_path) == [] and "CSV:" not in stdout


@pytest.mark.parametrize("closed", [1, 2])
def test_a_closed_standard_stream_still_writes_the_outputs(closed: int, random_weights: Path, tmp_path: Path) -> None:
    # Over 25 frames: the progress bar's terminal check ran on a closed standard error.
    video = write_astronaut_video(tmp_path / "v.avi", num_frames=30, frame_size=(320, 240), face_size=70)
    csv_path = tmp_path / "o.csv"
    process = start_analyze(
        [str(video.path), "--csv", str(csv_path), "--weights", str(random_weights)], close_fd=closed
    )
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, (stdout, stderr)
    assert len(csv_path.read_text().splitlines()) == 31
    assert not stderr


def test_a_stop_signal_as_the_frames_loop_closes_still_finishes_the_outputs(
    random_weights: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The signal lands while the progress bar closes, after the last frame: it escaped the
    # loop's handler and left hidden part files behind "nothing was written".
    from tqdm import tqdm

    video = write_astronaut_video(tmp_path / "v.avi", num_frames=6, frame_size=(320, 240), face_size=70)
    close = tqdm.close

    def close_with_a_signal(bar: tqdm) -> None:
        if not getattr(bar, "signalled", False):
            bar.signalled = True
            # SIGTERM: a shell's background job (a CI runner's, say) starts with SIGINT ignored.
            os.kill(os.getpid(), signal.SIGTERM)
        close(bar)

    monkeypatch.setattr(tqdm, "close", close_with_a_signal)
    out, csv_path = tmp_path / "o.avi", tmp_path / "o.csv"
    csv_path.write_text("an earlier run's CSV\n")  # every frame is done: the new one is whole, and replaces it
    code = analyze(video.path, "--csv", csv_path, "--output", out, "--progress", weights=random_weights)
    err = capsys.readouterr().err
    assert code == 128 + signal.SIGTERM, err
    assert "interrupted by SIGTERM after 6 of 6 frames; outputs written so far are kept" in err
    rows = csv_path.read_text().splitlines()
    assert rows[0].startswith("frame,") and int(rows[-1].split(",")[0]) == 5, "the last frame's face is in"
    assert out.is_file()
    assert leftovers(tmp_path) == []


def test_a_folder_with_odd_names_sizes_and_a_video(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "pictures"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), astronaut_bgr())
    cv2.imwrite(str(folder / "²1.png"), astronaut_bgr())  # a digit to isdigit(), not to int()
    with open(folder / "b.jpg", "wb") as handle:  # 5 GiB, sparse: more than a picture can take
        handle.truncate(5 << 30)
    (folder / "clip.mp4").write_bytes(b"a video")
    media = open_input(folder)
    assert [p.name for p in media.images] == ["a.png", "b.jpg", "²1.png"]
    frames = list(media.frames())
    assert [index for index, _, _ in frames] == [0, 2]
    assert "skipping " + str(folder / "b.jpg") + ": 5.0 GiB, too large for a picture" in caplog.text
    assert "its 1 video file is left out" in caplog.text


def test_pictures_in_subfolders_are_not_passed_over_in_silence(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder's subfolders are not read; that went unsaid, so their pictures were
    missing from the CSV with no word (and a folder of subfolders "held no images")."""
    folder = tmp_path / "pictures"
    (folder / "more").mkdir(parents=True)
    (folder / ".thumbnails").mkdir()  # hidden: not counted
    cv2.imwrite(str(folder / "a.png"), astronaut_bgr())
    cv2.imwrite(str(folder / "more" / "b.png"), astronaut_bgr())
    csv_path = tmp_path / "o.csv"
    assert main(["analyze", str(folder), "--csv", str(csv_path), "--no-progress"]) == 0
    assert "only the folder's own pictures are read; its 1 subfolder is not looked into" in caplog.text
    assert {row.split(",")[0] for row in csv_path.read_text().splitlines()[1:]} == {"0"}
    capsys.readouterr()
    (folder / "a.png").unlink()
    assert main(["analyze", str(folder), "--csv", str(csv_path), "--no-progress"]) == 2
    assert one_error_line(capsys.readouterr().err).endswith("; its 1 subfolder is not looked into\n")


def test_a_folder_of_only_videos_says_they_are_left_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Was "folder holds no images (.bmp, ...)" alone: a folder of clips gave no word that
    # its clips were there and why they were not read (a video is given on its own); and
    # then "its 2 video file(s) are ...; its 2 subfolder(s) are ...", as no one writes.
    folder = tmp_path / "clips"
    (folder / "more").mkdir(parents=True)
    (folder / "most").mkdir()
    for name in ("a.mp4", "b.avi"):
        write_astronaut_video(folder / name, num_frames=2, frame_size=(96, 72), face_size=40)
    assert main(["analyze", str(folder), "--no-progress"]) == 2
    assert one_error_line(capsys.readouterr().err).endswith(
        "; its 2 video files are left out (a video is read on its own); its 2 subfolders are not looked into\n"
    )


def test_a_folder_whose_first_picture_is_tiny_keeps_the_others_legible(random_weights: Path, tmp_path: Path) -> None:
    folder = tmp_path / "pictures"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), np.zeros((1, 1, 3), np.uint8))
    cv2.imwrite(str(folder / "b.png"), astronaut_bgr())
    out = tmp_path / "o.mp4"
    assert analyze(folder, "--output", out, weights=random_weights) == 0
    video = cv2.VideoCapture(str(out))
    size = (int(video.get(cv2.CAP_PROP_FRAME_WIDTH)), int(video.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    video.release()
    assert size == (640, 640)


def test_a_picture_into_the_input_folder_is_refused(
    random_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "pictures"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), astronaut_bgr())
    assert analyze(folder, "--report", folder, weights=random_weights) == 2
    assert "the next run would analyse it" in one_error_line(capsys.readouterr().err)
    assert sorted(p.name for p in folder.iterdir()) == ["a.png"]
    assert analyze(folder, "--csv", folder / "faces.csv", weights=random_weights) == 0, "a CSV there is no picture"


def test_an_output_name_too_long_names_its_option(
    random_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    picture = tmp_path / "a.png"
    cv2.imwrite(str(picture), astronaut_bgr())
    assert analyze(picture, "--csv", tmp_path / ("x" * 300 + ".csv"), weights=random_weights) == 2
    assert one_error_line(capsys.readouterr().err).startswith("error: --csv ")


def test_an_unknown_option_is_told_by_the_command_under_its_own_name(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        analyze_main(["clip.mp4", "--bogus"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "usage: emotion-app-analyze" in err and "emotion-app-analyze: error: unrecognized arguments: --bogus" in err


def test_a_pytorch_checkpoint_as_weights_says_what_it_is(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import torch

    checkpoint = tmp_path / "run.pt"
    torch.save({"model": {"w": torch.zeros(2)}}, checkpoint)
    picture = tmp_path / "a.png"
    cv2.imwrite(str(picture), astronaut_bgr())
    assert main(["analyze", str(picture), "--weights", str(checkpoint)]) == 2
    err = one_error_line(capsys.readouterr().err)
    assert "PyTorch checkpoint" in err and "never loaded" in err, err


def test_a_frame_time_that_is_not_finite_counts_as_none(random_weights: Path) -> None:
    from emotion_app import EmotionClassifier, EmotionPipeline, FaceDetector

    pipeline = EmotionPipeline(FaceDetector(), EmotionClassifier.load(random_weights, optimize=False))
    picture = astronaut_bgr()
    for time_s in (0.0, math.nan, 0.08, math.inf, 0.16):
        (face,) = pipeline.process(picture, time_s)
        assert all(math.isfinite(p) for p in face.probabilities), (time_s, face)
    with pytest.raises(ValueError, match="2-D .* or 3-D"):
        pipeline.process(np.array(5, np.uint8))


def test_an_interrupted_run_says_how_far_it_got_in_words() -> None:
    from emotion_app.cli.analyze import frames_done

    # Was "after 1 frames" where the input's length is not known (a stream, a raw MJPEG).
    assert frames_done(1, None) == "1 frame"
    assert frames_done(0, None) == "0 frames"
    assert frames_done(7, 0) == "7 frames"
    assert frames_done(1, 300) == "1 of 300 frames"
    assert frames_done(1, None, "image") == "1 image" and frames_done(4, 40, "image") == "4 of 40 images"


def test_an_interrupted_folder_says_images_as_its_summary_does(tmp_path: Path) -> None:
    """Was "interrupted by SIGINT after 4 of 40 frames" above a summary of "4 images"."""
    folder = tmp_path / "pictures"
    folder.mkdir()
    cv2.imwrite(str(folder / "p0.png"), astronaut_bgr())
    for index in range(1, 300):
        os.link(folder / "p0.png", folder / f"p{index}.png")
    csv_path = tmp_path / "o.csv"
    process = start_analyze([str(folder), "--csv", str(csv_path), "--no-progress"])
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        parts = list(tmp_path.glob(".o.csv.*"))
        if parts and parts[0].read_text().count("\n") > 2:
            break
        time.sleep(0.05)
    assert process.poll() is None, "analyze ended before it could be signalled"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    match = re.search(r"interrupted by SIGINT after (\d+) of 300 images; outputs written so far are kept", err)
    assert match, err
    assert f"{folder}: {match.group(1)} images analysed" in out
