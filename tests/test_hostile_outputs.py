"""Issue 13, cases 1-4: ``analyze`` never destroys an input or an existing output, finishes
its outputs on SIGTERM/SIGHUP, and reports a full disk as an error.

Every file is real and written by the test; the full disk is a real small tmpfs where the
test may mount one (root on Linux) and otherwise the free-space probe reporting none left.
"""

from __future__ import annotations

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

from emotion_app.cli import main
from emotion_app.io import atomic
from emotion_app.samples import VideoTruth, astronaut_bgr, write_astronaut_video, write_video
from tests.hostile_support import (
    KILLED_AFTER_THE_FIRST_RENAME,
    SmallDisk,
    fill,
    fingerprint,
    hidden_files,
    leftovers,
    one_error_line,
)
from tests.user_rights import without_root_rights

pytestmark = pytest.mark.usefixtures("one_torch_thread")

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def video(tmp_path: Path) -> VideoTruth:
    return write_astronaut_video(tmp_path / "v.mp4", num_frames=8, frame_size=(320, 240), face_size=70)


def analyze(*args: object, weights: Path) -> int:
    return main(["analyze", *map(str, args), "--weights", str(weights)])


def frame_count(path: Path) -> int:
    capture = cv2.VideoCapture(str(path))
    try:
        assert capture.isOpened(), f"{path} does not open"
        ok, _ = capture.read()
        assert ok, f"{path}: first frame does not decode"
        return int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    finally:
        capture.release()


# ---- 1. outputs never destroy inputs ---------------------------------------------------------
@pytest.mark.parametrize("option", ["--csv", "--output"])
def test_an_output_onto_the_input_is_refused(
    option: str, video: VideoTruth, random_weights: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = fingerprint(video.path)
    assert analyze(video.path, option, video.path, weights=random_weights) == 2
    line = one_error_line(capsys.readouterr().err)
    # Was "... VIDEO is the input VIDEO; ...": the same path named twice.
    assert "is the input;" in line and line.count(str(video.path)) == 1
    assert fingerprint(video.path) == before and frame_count(video.path) == video.num_frames


def test_an_output_reaching_the_input_through_a_link_is_refused(
    video: VideoTruth, random_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = fingerprint(video.path)
    symlink, hardlink = tmp_path / "link.mp4", tmp_path / "hard.mp4"
    symlink.symlink_to(video.path)
    os.link(video.path, hardlink)
    for link in (symlink, hardlink):
        assert analyze(video.path, "--output", link, weights=random_weights) == 2
        assert "is the input" in one_error_line(capsys.readouterr().err)
    assert fingerprint(video.path) == before and symlink.is_symlink()


def test_csv_and_video_onto_one_file_is_refused(
    video: VideoTruth, random_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    both = tmp_path / "both.mp4"
    assert analyze(video.path, "--csv", both, "--output", both, weights=random_weights) == 2
    assert "same file as --csv" in one_error_line(capsys.readouterr().err)
    assert not both.exists() and leftovers(tmp_path) == []


def test_an_image_of_the_input_folder_is_not_overwritten(
    random_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "stills"
    folder.mkdir()
    for name in ("a.png", "b.png"):
        cv2.imwrite(str(folder / name), astronaut_bgr())
    before = fingerprint(folder / "b.png")
    assert analyze(folder, "--output", folder / "b.png", weights=random_weights) == 2
    assert "is the input" in one_error_line(capsys.readouterr().err)
    assert fingerprint(folder / "b.png") == before


def test_the_weights_file_is_an_input_too(
    video: VideoTruth, random_weights: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = fingerprint(random_weights)
    assert analyze(video.path, "--csv", random_weights, weights=random_weights) == 2
    one_error_line(capsys.readouterr().err)
    assert fingerprint(random_weights) == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_device_or_folder_is_never_replaced(
    video: VideoTruth, random_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    assert analyze(video.path, "--csv", fifo, weights=random_weights) == 2
    assert "not a regular file" in one_error_line(capsys.readouterr().err)
    assert analyze(video.path, "--output", tmp_path, weights=random_weights) == 2
    assert "is a folder" in one_error_line(capsys.readouterr().err)
    assert fifo.exists() and not fifo.is_file()


def test_an_output_link_to_another_file_writes_that_file(
    video: VideoTruth, random_weights: Path, tmp_path: Path
) -> None:
    """A link to a file that is not an input is followed: the link keeps working."""
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    assert analyze(video.path, "--csv", link, weights=random_weights) == 0
    assert link.is_symlink() and real.read_text().startswith("frame,time_s")


def test_a_good_run_replaces_an_old_output_and_leaves_no_temporary_file(
    video: VideoTruth, random_weights: Path, tmp_path: Path
) -> None:
    csv_path, out = tmp_path / "old.csv", tmp_path / "old.mp4"
    csv_path.write_text("old rows\n")
    write_video(out, [np.zeros((48, 64, 3), np.uint8)] * 3)
    os.chmod(csv_path, 0o640)
    assert analyze(video.path, "--csv", csv_path, "--output", out, weights=random_weights) == 0
    assert csv_path.read_text().startswith("frame,time_s") and frame_count(out) == video.num_frames
    assert oct(os.stat(csv_path).st_mode & 0o777) == oct(0o640)  # the replaced file's permissions
    assert leftovers(tmp_path) == []


# ---- 2. nothing existing is touched before every argument is checked -----------------------
def test_a_bad_output_type_leaves_an_existing_csv_alone(
    random_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    image = tmp_path / "a.jpg"
    cv2.imwrite(str(image), astronaut_bgr())
    precious = tmp_path / "precious.csv"
    precious.write_text("frame,label\n0,happy\n1,sad\n")
    before = fingerprint(precious)
    assert analyze(image, "--csv", precious, "--output", tmp_path / "x.gif", weights=random_weights) == 2
    assert "unsupported output type" in one_error_line(capsys.readouterr().err)
    assert fingerprint(precious) == before and leftovers(tmp_path) == []


@pytest.mark.parametrize(
    "bad", [["--threads", "100000"], ["--threads", "0"], ["--steadiness", "2"], ["--min-face", "3"]]
)
def test_bad_numbers_leave_existing_outputs_alone(
    bad: list[str], video: VideoTruth, random_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    precious = tmp_path / "precious.csv"
    precious.write_text("keep me\n")
    assert analyze(video.path, "--csv", precious, *bad, weights=random_weights) == 2
    assert bad[0] in one_error_line(capsys.readouterr().err)
    assert precious.read_text() == "keep me\n"


# ---- 3. SIGTERM and SIGHUP finish the outputs ------------------------------------------------
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_stop_signal_mid_run_leaves_playable_outputs(signum: int, random_weights: Path, tmp_path: Path) -> None:
    long_video = write_astronaut_video(tmp_path / "long.avi", num_frames=400, frame_size=(320, 240), face_size=70)
    out, csv_path = tmp_path / "o.mp4", tmp_path / "o.csv"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "emotion_app",
            "analyze",
            str(long_video.path),
            "--output",
            str(out),
            "--csv",
            str(csv_path),
            "--weights",
            str(random_weights),
            "--no-progress",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Signal once frames are being written (the temporary video has grown past its header).
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        partial = [p for p in tmp_path.glob(".o.mp4.*") if p.stat().st_size > 20_000]
        if partial:
            break
        time.sleep(0.05)
    assert process.poll() is None, "analyze ended before it could be signalled"
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 128 + signum, stderr
    match = re.search(
        rf"interrupted by {signal.Signals(signum).name} after (\d+) of 400 frames; outputs written so far are kept",
        stderr,
    )
    assert match, stderr
    done = int(match.group(1))
    assert 0 < done < 400
    assert "Traceback" not in stderr
    assert frame_count(out) == done  # reopens, index written, every frame analysed is there
    rows = csv_path.read_text().splitlines()
    assert rows[0].startswith("frame,") and int(rows[-1].split(",")[0]) == done - 1
    assert f"({done} frames)" in stdout and leftovers(tmp_path) == []


# ---- 4. a full disk is an error, and nothing existing is lost -------------------------------
def long_noise_video(path: Path, frames: int = 120) -> Path:
    rng = np.random.default_rng(1)
    return write_video(path, [rng.integers(0, 256, (240, 320, 3), dtype=np.uint8) for _ in range(frames)])


def test_a_disk_filling_up_is_an_error_and_the_old_video_stays(
    random_weights: Path, tmp_path: Path, small_disk: SmallDisk, capsys: pytest.CaptureFixture[str]
) -> None:
    source = long_noise_video(tmp_path / "noise.avi")
    disk = small_disk(8 * 1024)
    old = write_video(disk / "o.avi", [np.zeros((48, 64, 3), np.uint8)] * 3)
    before = fingerprint(old)
    # MJPG noise is ~100 KB a frame: 120 frames cannot fit in what is left of 8 MB.
    assert analyze(source, "--output", old, weights=random_weights) == 2
    err = one_error_line(capsys.readouterr().err)
    assert f"disk full ({old})" in err and "existing files left as they were" in err
    assert fingerprint(old) == before and leftovers(disk) == []


def test_a_csv_hitting_a_full_disk_is_an_error_and_the_old_csv_stays(
    random_weights: Path, tmp_path: Path, small_disk: SmallDisk, capsys: pytest.CaptureFixture[str]
) -> None:
    """Here the writes themselves fail with ENOSPC (no free-space check runs for a CSV)."""
    many_faces = write_astronaut_video(
        tmp_path / "faces.avi", num_frames=60, frame_size=(400, 200), face_size=64, copies=2
    )
    disk = small_disk(256)
    precious = disk / "precious.csv"
    precious.write_text("frame,label\n0,happy\n")
    fill(disk, leave_bytes=3000)  # room for the header and a few rows, not for 120 rows
    assert analyze(many_faces.path, "--csv", precious, weights=random_weights) == 2
    assert f"disk full ({precious})" in one_error_line(capsys.readouterr().err)
    assert precious.read_text() == "frame,label\n0,happy\n" and leftovers(disk) == []


def test_a_full_disk_reported_by_the_free_space_probe_is_an_error(
    video: VideoTruth,
    random_weights: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The same without mounting anything (any machine): the disk reports room for 3 frames."""
    out = tmp_path / "o.mp4"
    out.write_bytes(b"an older video")
    checks = iter(range(1000))
    monkeypatch.setattr(atomic, "free_bytes", lambda folder: 10**9 if next(checks) < 3 else 1000)
    assert analyze(video.path, "--output", out, weights=random_weights) == 2
    err = one_error_line(capsys.readouterr().err)
    assert f"disk full ({out}) while writing frame 3;" in err  # numbered as in the CSV
    assert out.read_bytes() == b"an older video" and leftovers(tmp_path) == []


# ---- 5. the report's files are outputs like the others ----------------------------------------
def test_a_report_file_onto_an_input_or_another_output_is_refused(
    random_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "stills"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), astronaut_bgr())
    cv2.imwrite(str(folder / "emotion-timeline.png"), astronaut_bgr())  # a picture of the input
    before = fingerprint(folder / "emotion-timeline.png")
    assert analyze(folder, "--report", folder, weights=random_weights) == 2
    assert "--report" in one_error_line(capsys.readouterr().err)
    assert fingerprint(folder / "emotion-timeline.png") == before

    report = tmp_path / "report"
    assert (
        analyze(folder / "a.png", "--csv", report / "emotion-summary.csv", "--report", report, weights=random_weights)
        == 2
    )
    assert "same file as --csv" in one_error_line(capsys.readouterr().err)
    assert not report.exists()  # refused before anything was made


def test_a_report_onto_an_existing_file_names_the_option(
    video: VideoTruth, random_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("kept")
    assert analyze(video.path, "--report", blocker, weights=random_weights) == 2
    # Was "error: NOTES: it is a file, not a folder": the only output error not naming its option.
    assert one_error_line(capsys.readouterr().err).strip() == f"error: --report {blocker}: it is a file, not a folder"
    assert blocker.read_text() == "kept"


def test_a_report_that_cannot_be_written_leaves_every_output_as_it_was(
    video: VideoTruth, random_weights: Path, tmp_path: Path, small_disk: SmallDisk, capsys: pytest.CaptureFixture[str]
) -> None:
    """The report is written last: a full disk there must not leave a new CSV and video
    beside an error (all or nothing), nor half a report."""
    csv_path, out = tmp_path / "old.csv", tmp_path / "old.avi"
    csv_path.write_text("old rows\n")
    write_video(out, [np.zeros((48, 64, 3), np.uint8)] * 3)
    before = fingerprint(csv_path), fingerprint(out)
    disk = small_disk(256)
    fill(disk, leave_bytes=4000)  # the plot takes tens of kilobytes
    report = disk / "report"
    assert analyze(video.path, "--csv", csv_path, "--output", out, "--report", report, weights=random_weights) == 2
    err = one_error_line(capsys.readouterr().err)
    assert "disk full" in err and "existing files left as they were" in err
    assert (fingerprint(csv_path), fingerprint(out)) == before
    assert leftovers(tmp_path) == [] and not any(report.glob("*.*"))


def earlier_outputs(tmp_path: Path) -> tuple[Path, Path, Path, dict[Path, str]]:
    """A CSV, a video and a report from an earlier run, in three folders; their fingerprints."""
    csv_path, out, report = tmp_path / "rows" / "o.csv", tmp_path / "videos" / "o.avi", tmp_path / "report"
    for folder in (csv_path.parent, out.parent, report):
        folder.mkdir()
    csv_path.write_text("old rows\n")
    write_video(out, [np.zeros((48, 64, 3), np.uint8)] * 3)
    (report / "emotion-timeline.png").write_bytes(b"an earlier plot")
    (report / "emotion-summary.csv").write_text("an earlier table")
    files = [csv_path, out, report / "emotion-timeline.png", report / "emotion-summary.csv"]
    return csv_path, out, report, {path: fingerprint(path) for path in files}


def test_a_report_rename_failing_leaves_the_csv_and_video_as_they_were(
    video: VideoTruth,
    random_weights: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Was: the video and the CSV were each renamed into place on their own, before the
    # report's files: the plot's rename failing (its temporary file gone) left the new CSV
    # and video beside the earlier report. Now every output of the run changes together.
    csv_path, out, report, before = earlier_outputs(tmp_path)
    commit = atomic.AtomicOutput.commit

    def plot_lost(self: atomic.AtomicOutput) -> None:
        if self.target.name == "emotion-timeline.png" and self.temp is not None:
            assert fingerprint(csv_path) != before[csv_path]  # renamed before the plot's
            self.temp.unlink()
        commit(self)

    monkeypatch.setattr(atomic.AtomicOutput, "commit", plot_lost)
    assert analyze(video.path, "--csv", csv_path, "--output", out, "--report", report, weights=random_weights) == 2
    err = one_error_line(capsys.readouterr().err)
    assert "emotion-timeline.png: could not be put in place" in err and err.endswith("; nothing was changed\n")
    assert {path: fingerprint(path) for path in before} == before
    assert hidden_files(csv_path.parent, out.parent, report) == []


def test_a_folder_made_in_a_targets_way_between_renames_changes_nothing(
    video: VideoTruth,
    random_weights: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The report's table becomes a folder with a file in it once the video is in place: its
    # rename fails. Was: the CSV and the video were already replaced by then.
    csv_path, out, report, before = earlier_outputs(tmp_path)
    table = report / "emotion-summary.csv"
    table.unlink()
    del before[table]
    commit = atomic.AtomicOutput.commit

    def folder_after_the_video(self: atomic.AtomicOutput) -> None:
        commit(self)
        if self.target == out.resolve():
            table.mkdir()
            (table / "something.txt").write_text("not ours")

    monkeypatch.setattr(atomic.AtomicOutput, "commit", folder_after_the_video)
    assert analyze(video.path, "--csv", csv_path, "--output", out, "--report", report, weights=random_weights) == 2
    err = one_error_line(capsys.readouterr().err)
    assert "emotion-summary.csv: could not be put in place" in err and err.endswith("; nothing was changed\n")
    assert {path: fingerprint(path) for path in before} == before
    assert (table / "something.txt").read_text() == "not ours"
    assert hidden_files(csv_path.parent, out.parent, report) == []


# Python for a process that runs analyze and dies (SIGKILL) right after its first output is
# put in place: a kill between the renames.
_ANALYZE_KILLED_AFTER_THE_FIRST_RENAME = f"""{KILLED_AFTER_THE_FIRST_RENAME}
import sys
from emotion_app.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_run_killed_between_its_renames_is_undone_in_every_folder_by_the_next(
    video: VideoTruth, random_weights: Path, tmp_path: Path
) -> None:
    # Was: a kill between the renames left one new output beside the earlier others, and
    # nothing put them back. Now the next run writing any of them (here the CSV alone)
    # undoes the stopped run's group first, in the video's folder too.
    csv_path, out, report, before = earlier_outputs(tmp_path)
    outputs = ["--csv", csv_path, "--output", out, "--report", report, "--weights", random_weights]
    done = subprocess.run(
        [sys.executable, "-c", _ANALYZE_KILLED_AFTER_THE_FIRST_RENAME, "analyze", str(video.path), *map(str, outputs)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]
    renamed = [path for path in (csv_path, out) if fingerprint(path) != before[path]]
    assert len(renamed) == 1  # the first rename (the CSV's) done, the video's not
    assert analyze(video.path, "--csv", csv_path, weights=random_weights) == 0
    assert csv_path.read_text().startswith("frame,time_s")  # this run's own
    del before[csv_path]
    assert {path: fingerprint(path) for path in before} == before
    assert hidden_files(csv_path.parent, out.parent, report) == []


def test_a_loop_of_links_as_an_output_is_one_error_line(
    video: VideoTruth, random_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "one.csv").symlink_to(tmp_path / "two.csv")
    (tmp_path / "two.csv").symlink_to(tmp_path / "one.csv")
    assert analyze(video.path, "--csv", tmp_path / "one.csv", weights=random_weights) == 2
    assert "loop of symbolic links" in one_error_line(capsys.readouterr().err)


def test_an_output_name_near_the_length_limit_is_written(
    video: VideoTruth, random_weights: Path, tmp_path: Path
) -> None:
    """The hidden temporary file's name must fit where the output's own name fits."""
    long_name = tmp_path / ("a" * 245 + ".csv")
    assert analyze(video.path, "--csv", long_name, weights=random_weights) == 0
    assert long_name.read_text().startswith("frame,time_s") and leftovers(tmp_path) == []


def test_a_picture_output_for_a_video_is_refused_before_the_work(
    video: VideoTruth, random_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One picture cannot hold a video's frames; it used to keep the last one silently."""
    assert analyze(video.path, "--output", tmp_path / "frame.png", weights=random_weights) == 2
    assert "is one picture" in one_error_line(capsys.readouterr().err)
    assert not (tmp_path / "frame.png").exists()


def test_a_gray_picture_format_is_written_in_gray(random_weights: Path, tmp_path: Path) -> None:
    image = tmp_path / "a.jpg"
    cv2.imwrite(str(image), astronaut_bgr())
    assert analyze(image, "--output", tmp_path / "a.pgm", weights=random_weights) == 0
    written = cv2.imread(str(tmp_path / "a.pgm"), cv2.IMREAD_UNCHANGED)
    assert written is not None and written.ndim == 2 and written.shape == astronaut_bgr().shape[:2]


def test_an_empty_path_is_refused(video: VideoTruth, random_weights: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        analyze("", weights=random_weights)
    assert exit_info.value.code == 2 and "argument INPUT: an empty path" in capsys.readouterr().err


def test_file_names_that_are_not_utf8(
    video: VideoTruth, random_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Legal on Linux (Latin-1 bytes); OpenCV's video functions crashed the process on them.
    from emotion_app.sources.opening import open_frame_source
    from emotion_app.sources.specs import VideoFileSpec

    latin = tmp_path / os.fsdecode(b"caf\xe9")
    latin.mkdir()
    clip = latin / os.fsdecode(b"cl\xedp.mp4")
    clip.write_bytes(video.path.read_bytes())
    csv_out, picture_out = tmp_path / "rows.csv", tmp_path / os.fsdecode(b"pr\xeave.png")
    assert analyze(clip, "--csv", csv_out, weights=random_weights) == 0
    assert len(csv_out.read_text().splitlines()) > 1
    image = latin / os.fsdecode(b"ph\xf6to.png")
    cv2.imwrite(str(tmp_path / "photo.png"), astronaut_bgr())
    image.write_bytes((tmp_path / "photo.png").read_bytes())
    assert analyze(image, "-o", picture_out, weights=random_weights) == 0
    assert cv2.imdecode(np.fromfile(str(picture_out), np.uint8), cv2.IMREAD_COLOR) is not None
    capsys.readouterr()
    # A video output with such a name cannot be written: refused, nothing left behind.
    assert analyze(video.path, "-o", latin / "out.mp4", weights=random_weights) == 2
    assert "not UTF-8" in one_error_line(capsys.readouterr().err)
    assert sorted(p.name for p in latin.iterdir()) == sorted([clip.name, image.name])
    # The app plays it.
    source = open_frame_source(VideoFileSpec(clip))
    try:
        assert source.read() is not None
    finally:
        source.release()


@pytest.mark.parametrize("stream", ["/dev/stdout", "/dev/stderr"])
def test_an_output_onto_a_redirected_stream_keeps_that_file(stream: str, video: VideoTruth, tmp_path: Path) -> None:
    """`analyze IN --csv /dev/stdout >> log`: the log was replaced by the CSV through the
    rename into place, losing its lines and the summary printed after."""
    log = tmp_path / "run.log"
    log.write_text("earlier run: keep me\n")
    with log.open("a") as appended:
        process = subprocess.run(
            [sys.executable, "-m", "emotion_app", "analyze", str(video.path), "--csv", stream, "--no-progress"],
            cwd=REPO,
            stdout=appended if stream == "/dev/stdout" else subprocess.PIPE,
            stderr=appended if stream == "/dev/stderr" else subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert process.returncode == 2
    text = log.read_text()
    assert text.startswith("earlier run: keep me\n"), text
    told = text.removeprefix("earlier run: keep me\n") if stream == "/dev/stderr" else process.stderr
    line = one_error_line(told)
    assert f"--csv {stream} is this command's standard" in line and str(log) in line
    assert leftovers(tmp_path) == []


def test_an_output_that_is_standard_input_is_written(video: VideoTruth, tmp_path: Path) -> None:
    """Standard input's file may be replaced: the process reads on from the file it opened
    (`analyze IN --csv rows.csv < rows.csv` was refused as if it were standard output)."""
    rows = tmp_path / "rows.csv"
    rows.write_text("old\n")
    with rows.open() as stdin:
        process = subprocess.run(
            [sys.executable, "-m", "emotion_app", "analyze", str(video.path), "--csv", str(rows), "--no-progress"],
            cwd=REPO,
            stdin=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert process.returncode == 0, process.stderr
    assert rows.read_text().startswith("frame,time_s")


def test_an_output_onto_a_piped_stream_is_refused_before_the_model_loads(video: VideoTruth, tmp_path: Path) -> None:
    # Was refused only at the first frame, after the model had loaded, as "cannot create a
    # file in its folder (No such file or directory)".
    process = subprocess.run(
        [sys.executable, "-m", "emotion_app", "analyze", str(video.path), "--csv", "/dev/stdout", "--no-progress"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert process.returncode == 2 and process.stdout == ""
    assert "--csv /dev/stdout is not a regular file" in one_error_line(process.stderr)


@pytest.mark.parametrize("option", ["--csv", "--output", "--report"])
def test_a_dash_for_an_output_is_refused_not_made_a_file(
    option: str,
    video: VideoTruth,
    random_weights: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`--csv -` wrote a file named "-" in the current folder (and `--report -` a folder)
    where the user meant standard output."""
    monkeypatch.chdir(tmp_path)
    assert analyze(video.path, option, "-", weights=random_weights) == 2
    line = one_error_line(capsys.readouterr().err)
    assert f"{option} -: analyze writes files, not to standard output" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.mp4"]


def test_a_failed_run_leaves_no_folder_it_made(
    random_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Outputs into folders that do not exist: a run that fails made them all the same and
    left them behind, empty, after saying that nothing changed."""
    pictures = tmp_path / "pictures"
    pictures.mkdir()
    (pictures / "a.jpg").write_bytes(b"not a jpeg")  # a picture by name; nothing decodes
    (tmp_path / "kept").mkdir()  # was there before: stays, though empty
    new = tmp_path / "new"
    outputs = ["--csv", new / "rows" / "o.csv", "--output", new / "video" / "o.mp4", "--report", new / "report"]
    assert analyze(pictures, *outputs, weights=random_weights) == 2
    assert "no frame could be read" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept", "pictures"]
    assert analyze(pictures, "--csv", tmp_path / "kept" / "o.csv", weights=random_weights) == 2
    assert list((tmp_path / "kept").iterdir()) == []
    # A run that succeeds keeps the folders it made, its outputs in them.
    write_astronaut_video(tmp_path / "v.mp4", num_frames=3, frame_size=(320, 240), face_size=70)
    assert analyze(tmp_path / "v.mp4", *outputs, weights=random_weights) == 0
    assert (new / "rows" / "o.csv").is_file() and (new / "video" / "o.mp4").is_file()
    assert sorted(p.name for p in (new / "report").iterdir()) == ["emotion-summary.csv", "emotion-timeline.png"]


@pytest.mark.parametrize("option", ["--csv", "--output"])
@pytest.mark.parametrize("ending", ["/", "/."])
def test_an_output_file_named_like_a_folder_is_refused(
    option: str,
    ending: str,
    video: VideoTruth,
    random_weights: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`--csv results/` (a folder meant, not yet there) made a file named results: Path
    drops the trailing "/", and the folder could then not be made."""
    given = f"{tmp_path / 'results'}{ending}"
    with pytest.raises(SystemExit) as exit_info:
        analyze(video.path, option, given, weights=random_weights)
    assert exit_info.value.code == 2
    assert f": {given} names a folder; give the file's name" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.mp4"]


def test_a_link_the_user_may_not_follow_leaves_the_played_folders_files_protected(tmp_path: Path) -> None:
    # Was: a played folder holding a link into a folder the user may not search (which the
    # app plays since such a link no longer refuses its folder) listed none of its files as
    # being played: asking the link's kind raised, and the whole list was dropped, so a
    # snapshot or a recording was let write over the folder's other pictures. Checked in a
    # child without root's right to search any folder, as a user's app would run.
    folder = tmp_path / "pics"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), astronaut_bgr())
    barred = tmp_path / "barred"
    barred.mkdir()
    cv2.imwrite(str(barred / "b.png"), astronaut_bgr())
    (folder / "b.png").symlink_to(barred / "b.png")
    before = fingerprint(folder / "a.png")
    # What the snapshot's and the recording's threads ask before writing (gui/snapshot.py,
    # gui/recording_control.py), for a snapshot aimed at the folder's a.png.
    child = (
        "import sys\n"
        "from pathlib import Path\n"
        "from emotion_app.io.atomic import OutputError, check_outputs, files_played_from\n"
        "folder = Path(sys.argv[1])\n"
        "protected = files_played_from(folder)\n"
        "print(sorted(path.name for path in protected))\n"
        "try:\n"
        "    check_outputs([('snapshot', folder / 'a.png')], protected)\n"
        "    print('not refused')\n"
        "except OutputError as exc:\n"
        "    print(exc)\n"
    )
    prefix = without_root_rights()
    barred.chmod(0)
    try:
        done = subprocess.run(
            [*prefix, sys.executable, "-c", child, str(folder)], capture_output=True, text=True, cwd=REPO, timeout=120
        )
    finally:
        barred.chmod(0o755)  # for pytest's clean-up
    assert done.returncode == 0, done.stderr
    listed, said = done.stdout.splitlines()
    assert listed == "['a.png', 'b.png']"  # the link too, as the picture it is named as
    assert said == f"snapshot {folder / 'a.png'} is the input; writing it would destroy the input"
    assert fingerprint(folder / "a.png") == before
