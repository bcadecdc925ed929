"""``python -m emotion_app analyze`` and ``bench`` on videos, images and folders the tests write."""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from emotion_app.cli import main
from emotion_app.cli.analyze import _print_summary, _Tally
from emotion_app.cli.bench import print_report
from emotion_app.io.video import MediaInput
from emotion_app.samples import (
    SIX_LABELS,
    VideoTruth,
    astronaut_bgr,
    background,
    read_video,
    write_astronaut_video,
    write_video,
)
from tests.hostile_support import damage_mjpeg_frame
from tests.module_help import HELP_NOT_WRITTEN
from tests.slide_show import write_slide_show
from tests.slow_import import start_held_in_import
from tests.user_rights import run_barred_from

pytestmark = pytest.mark.usefixtures("one_torch_thread")

REPO = Path(__file__).resolve().parent.parent
BENCH_KEYS = {
    "fps",
    "baseline_fps",
    "ratio",
    "frames_with_face",
    "baseline_frames_with_face",
    "opencv_threads",
    "classify_ms_per_face",
    "classify_ms_per_face_eager",
}


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def test_analyze_video_writes_csv_and_annotated_video(
    tmp_path: Path, random_weights: Path, two_faces_video: VideoTruth, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_path, video_path = tmp_path / "faces.csv", tmp_path / "annotated.mp4"
    code = main(
        [
            "analyze",
            str(two_faces_video.path),
            "--csv",
            str(csv_path),
            "--output",
            str(video_path),
            "--weights",
            str(random_weights),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    columns, rows = read_csv(csv_path)
    assert columns == [
        "frame",
        "time_s",
        "track_id",
        "x",
        "y",
        "w",
        "h",
        "roll",
        "label",
        "confidence",
        "uncertain",
        *SIX_LABELS,
        *(f"raw_{label}" for label in SIX_LABELS),
    ]
    expected_rows = sum(len(boxes) for boxes in two_faces_video.faces)
    assert len(rows) == expected_rows
    frames_in_csv = sorted({int(row["frame"]) for row in rows})
    assert frames_in_csv == [i for i, boxes in enumerate(two_faces_video.faces) if boxes]
    for row in rows:
        assert float(row["time_s"]) == pytest.approx(int(row["frame"]) / two_faces_video.fps, abs=1e-3)
        probabilities = [float(row[label]) for label in SIX_LABELS]
        raw = [float(row[f"raw_{label}"]) for label in SIX_LABELS]
        assert sum(probabilities) == pytest.approx(1.0, abs=1e-3) and sum(raw) == pytest.approx(1.0, abs=1e-3)
        assert float(row["confidence"]) == pytest.approx(float(row[row["label"]]), abs=1e-5)
        # The shown label leads its smoothed probabilities, unless it has been beaten for
        # less than the hold, and then it is marked uncertain.
        assert row["label"] == SIX_LABELS[int(np.argmax(probabilities))] or row["uncertain"] == "1"
        assert row["uncertain"] in ("0", "1")
        assert int(row["w"]) > 40 and int(row["h"]) > 40
    assert {row["track_id"] for row in rows if int(row["frame"]) < 6} == {"1", "2"}

    annotated = read_video(video_path)
    assert len(annotated) == two_faces_video.num_frames
    assert annotated[0].shape[:2] == (two_faces_video.frame_size[1], two_faces_video.frame_size[0])
    # Each face's box is drawn: its outline changed, while the background far away did not.
    original = read_video(two_faces_video.path)
    drawn, plain = annotated[0].astype(int), original[0].astype(int)
    for row in (r for r in rows if r["frame"] == "0"):
        x, y, w, h = (int(row[k]) for k in ("x", "y", "w", "h"))
        outline = np.concatenate(
            [
                np.abs(drawn[y + 4 : y + h - 4, x] - plain[y + 4 : y + h - 4, x]).ravel(),
                np.abs(drawn[y + 4 : y + h - 4, x + w - 1] - plain[y + 4 : y + h - 4, x + w - 1]).ravel(),
            ]
        )
        assert outline.mean() > 15
    corner = (slice(two_faces_video.frame_size[1] - 12, None), slice(0, 12))
    assert np.abs(drawn[corner] - plain[corner]).mean() < 4
    # Blank frames are left as they were.
    assert np.abs(annotated[6].astype(int) - original[6].astype(int)).mean() < 3.0

    assert f"{two_faces_video.num_frames} frames" in out
    assert "faces:" in out and "emotions:" in out
    assert str(csv_path) in out and str(video_path) in out


def test_analyze_one_image_to_an_annotated_image(
    tmp_path: Path, random_weights: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    image = tmp_path / "astronaut.png"
    cv2.imwrite(str(image), astronaut_bgr())
    annotated = tmp_path / "out" / "annotated.png"
    csv_path = tmp_path / "one.csv"
    assert (
        main(
            [
                "analyze",
                str(image),
                "--csv",
                str(csv_path),
                "-o",
                str(annotated),
                "--weights",
                str(random_weights),
                "--no-bars",
            ]
        )
        == 0
    )
    _, rows = read_csv(csv_path)
    assert len(rows) == 1
    assert rows[0]["frame"] == "0" and rows[0]["time_s"] == ""
    drawn = cv2.imread(str(annotated))
    assert drawn is not None and drawn.shape == (512, 512, 3)
    out = capsys.readouterr().out
    assert "1 image analysed" in out
    assert f"CSV: {csv_path} (1 row)\n" in out
    assert f"annotated image: {annotated}\n" in out  # one picture: no frame count


def test_analyze_a_folder_of_images(tmp_path: Path, random_weights: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "shots"
    folder.mkdir()
    cv2.imwrite(str(folder / "frame10.jpg"), astronaut_bgr())
    cv2.imwrite(str(folder / "frame2.png"), background(320, 240))
    cv2.imwrite(str(folder / "frame3.png"), cv2.resize(astronaut_bgr(), (300, 300)))
    (folder / "notes.txt").write_text("not an image")
    csv_path = tmp_path / "folder.csv"
    report = tmp_path / "report"
    args = ["analyze", str(folder), "--csv", str(csv_path), "--report", str(report), "--weights", str(random_weights)]
    assert main(args) == 0
    _, rows = read_csv(csv_path)
    # Natural order: frame2 (no face), frame3, frame10; each image on its own, each face an
    # id of its own. Was: ids restarted at 1 in every image, and the report added up the
    # first faces of all pictures as one person "#1".
    assert [(row["frame"], row["track_id"]) for row in rows] == [("1", "1"), ("2", "2")]
    out = capsys.readouterr().out
    assert "3 images analysed" in out
    assert "faces: 2 in 2 of 3 images (67%)" in out
    assert "2 people)" in out
    _, summary = read_csv(report / "emotion-summary.csv")
    assert {row["person"] for row in summary} == {"frame3.png (#1)", "frame10.jpg (#2)", "everyone"}


def test_a_folders_annotated_video_shows_each_picture_for_a_second(
    tmp_path: Path, random_weights: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: written at 10 fps, so five photos flashed by in half a second, while the report
    # of the same run counts each picture a second.
    folder = tmp_path / "shots"
    write_slide_show(folder, [astronaut_bgr()] * 3)
    single = tmp_path / "one.png"
    cv2.imwrite(str(single), astronaut_bgr())
    for source, pictures in ((folder, 3), (single, 1)):
        video_path, report = tmp_path / f"{source.stem}.mp4", tmp_path / f"{source.stem}-report"
        args = ["analyze", str(source), "-o", str(video_path), "--report", str(report)]
        assert main([*args, "--weights", str(random_weights)]) == 0
        assert f"({float(pictures):.1f} s, " in capsys.readouterr().out  # the report's own seconds
        capture = cv2.VideoCapture(str(video_path))
        frames, fps = capture.get(cv2.CAP_PROP_FRAME_COUNT), capture.get(cv2.CAP_PROP_FPS)
        capture.release()
        assert (frames, frames / fps) == (pictures, pytest.approx(pictures))


def test_a_folders_report_has_every_person_past_the_panels_64_rows(
    tmp_path: Path, random_weights: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: the report's timeline kept the panel's 64 rows, so a folder of 66 faces printed
    # "64 people" and its CSV left out the first two faces (their seconds only in everyone's).
    folder = tmp_path / "faces"
    write_slide_show(folder, [cv2.resize(astronaut_bgr(), (200, 200))] * 66)
    csv_path, report = tmp_path / "rows.csv", tmp_path / "report"
    args = ["analyze", str(folder), "--csv", str(csv_path), "--report", str(report), "--weights", str(random_weights)]
    assert main(args) == 0
    _, rows = read_csv(csv_path)
    assert len(rows) == 66
    _, summary = read_csv(report / "emotion-summary.csv")
    people = {f"{row['file']} (#{row['track_id']})" for row in rows}
    assert {row["person"] for row in summary} == people | {"everyone"}
    seconds: dict[str, float] = {}
    for row in summary:
        seconds[row["person"]] = seconds.get(row["person"], 0.0) + float(row["seconds"])
    assert seconds == pytest.approx({**dict.fromkeys(people, 1.0), "everyone": 66.0})  # a second a picture
    assert "(66.0 s, 66 people)" in capsys.readouterr().out


def test_the_reports_length_is_cut_down_as_its_plot_cuts_it(
    tmp_path: Path, random_weights: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: rounded, so 95 frames at 24 fps (3.96 s) printed "(4.0 s, ..." beside a plot
    # titled "over the last 3 s", its rows' times cut down as the seek bar's clock counts.
    video = write_astronaut_video(tmp_path / "clip.avi", num_frames=95, motion="static", fps=24.0)
    report = tmp_path / "report"
    assert main(["analyze", str(video.path), "--report", str(report), "--weights", str(random_weights)]) == 0
    assert f"report: {report / 'emotion-timeline.png'} and emotion-summary.csv (3.9 s, 1 person)" in (
        capsys.readouterr().out
    )
    _, summary = read_csv(report / "emotion-summary.csv")
    everyone = [float(row["seconds"]) for row in summary if row["person"] == "everyone"]
    assert sum(everyone) == pytest.approx(95 / 24, abs=0.001)  # the CSV's, to the millisecond


def test_a_clip_shorter_than_a_tenth_is_not_told_as_lasting_nothing(
    tmp_path: Path, random_weights: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: two frames at 30 fps (0.067 s) printed "(0.0 s, 1 person)", beside the plot's
    # "#1 (<0.1 s)" and the summary CSV's 0.067 s.
    video = write_astronaut_video(tmp_path / "clip.avi", num_frames=2, motion="static", fps=30.0)
    report = tmp_path / "report"
    assert main(["analyze", str(video.path), "--report", str(report), "--weights", str(random_weights)]) == 0
    assert f"{report / 'emotion-timeline.png'} and emotion-summary.csv (<0.1 s, 1 person)" in capsys.readouterr().out
    _, summary = read_csv(report / "emotion-summary.csv")
    assert sum(float(row["seconds"]) for row in summary if row["person"] == "everyone") == pytest.approx(
        2 / 30, abs=0.001
    )


def _picture_file(path: Path, picture: np.ndarray) -> None:
    """``picture`` as a PNG at ``path``, whatever characters its name holds."""
    ok, data = cv2.imencode(".png", picture)
    assert ok
    path.write_bytes(data.tobytes())


def test_a_folders_rows_name_their_pictures(
    tmp_path: Path, random_weights: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: a folder's rows said only the picture's index in natural order ("frame"), so a
    # user could not tell which photo a row was without sorting the folder as analyze does.
    folder = tmp_path / "photos"
    folder.mkdir()
    face, small_face = astronaut_bgr(), cv2.resize(astronaut_bgr(), (300, 300))
    names = ['1 a, "quoted" one.png', "2 new\nline.png", "3 no face.png", "10 café 写真 ü.png"]
    for name, picture in zip(names, (face, small_face, background(320, 240), face)):
        _picture_file(folder / name, picture)
    # A name that is not UTF-8 (Latin-1 from an old camera's card): told by its bytes.
    latin1 = os.fsdecode(b"11 caf\xe9.png")
    _picture_file(folder / latin1, small_face)
    csv_path, report = tmp_path / "rows.csv", tmp_path / "report"
    args = ["analyze", str(folder), "--csv", str(csv_path), "--report", str(report), "--weights", str(random_weights)]
    assert main(args) == 0
    columns, rows = read_csv(csv_path)
    assert columns[:3] == ["frame", "file", "time_s"]
    expected = [("0", names[0]), ("1", names[1]), ("3", names[3]), ("4", "11 caf\\xe9.png")]
    assert [(row["frame"], row["file"]) for row in rows] == expected
    assert [row["track_id"] for row in rows] == ["1", "2", "3", "4"]
    with open(csv_path, encoding="utf-8", newline="") as handle:
        assert handle.read().count("\n") == len(rows) + 2  # the header, the rows, one name's own
    _, summary = read_csv(report / "emotion-summary.csv")
    people = {f"{file} (#{row['track_id']})" for file, row in zip([n for _, n in expected], rows)}
    assert {row["person"] for row in summary} == people | {"everyone"}
    assert "4 people)" in capsys.readouterr().out


def test_a_picture_named_like_a_formula_is_text_in_the_folders_csv(tmp_path: Path, random_weights: Path) -> None:
    # Was: the file column held the name as it was, so a picture named "=HYPERLINK(1).png"
    # by whoever filled the folder was a formula a spreadsheet ran on opening the CSV.
    folder = tmp_path / "photos"
    folder.mkdir()
    names = ["1 plain-name.png", "=HYPERLINK(1).png", "+1.png", "-x.png", "@SUM(1).png", "'=HYPERLINK(1).png"]
    for name in names:
        _picture_file(folder / name, astronaut_bgr())
    csv_path, report = tmp_path / "rows.csv", tmp_path / "report"
    args = ["analyze", str(folder), "--csv", str(csv_path), "--report", str(report), "--weights", str(random_weights)]
    assert main(args) == 0
    _, rows = read_csv(csv_path)
    # In natural order; a name with its own ' first stays apart from the formula's.
    files = ["1 plain-name.png", "''=HYPERLINK(1).png", "'+1.png", "'-x.png", "'=HYPERLINK(1).png", "'@SUM(1).png"]
    assert [row["file"] for row in rows] == files
    # The report names each face by its picture, made safe the same way.
    _, summary = read_csv(report / "emotion-summary.csv")
    people = {f"{file} (#{row['track_id']})" for file, row in zip(files, rows)}
    assert {row["person"] for row in summary} == people | {"everyone"}


def test_a_video_or_single_pictures_csv_has_no_file_column(
    tmp_path: Path, random_weights: Path, two_faces_video: VideoTruth
) -> None:
    image = tmp_path / "one, picture.png"
    _picture_file(image, astronaut_bgr())
    for source in (image, two_faces_video.path):
        csv_path = tmp_path / f"{source.stem}.csv"
        assert main(["analyze", str(source), "--csv", str(csv_path), "--weights", str(random_weights)]) == 0
        columns, rows = read_csv(csv_path)
        assert columns[:2] == ["frame", "time_s"] and "file" not in columns and rows


@pytest.mark.parametrize(
    "make_input, reason",
    [
        (lambda d: d / "missing.mp4", "no such file"),
        (lambda d: _write(d / "fake.mp4", b"this is not a video"), "not a video|no readable frames"),
        (lambda d: _write(d / "broken.jpg", b"\xff\xd8\xff garbage"), "not an image"),
        (lambda d: _mkdir(d / "empty"), "holds no images"),
        # A failed download or copy: was "not a video OpenCV can open (unknown format or
        # corrupt)", and "not an image OpenCV can decode" for a picture.
        (lambda d: _write(d / "download.mp4", b""), r": the file is empty \(0 bytes\)$"),
        (lambda d: _write(d / "download.jpg", b""), r": the file is empty \(0 bytes\)$"),
    ],
)
def test_unreadable_input_exits_2_with_a_one_line_reason(
    tmp_path: Path,
    random_weights: Path,
    capsys: pytest.CaptureFixture[str],
    make_input: Callable[[Path], Path],
    reason: str,
) -> None:
    path = make_input(tmp_path)
    csv_path = tmp_path / "never.csv"
    assert main(["analyze", str(path), "--csv", str(csv_path), "--weights", str(random_weights)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith("error: ") and str(path) in err
    assert re.search(reason, err)
    assert not csv_path.exists(), "nothing is written for an input that cannot be read"


@pytest.mark.parametrize("command", ["analyze", "bench"])
def test_a_video_whose_first_frame_does_not_decode_is_analysed_from_its_next(
    tmp_path: Path,
    random_weights: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    command: str,
) -> None:
    # Was: exit 2, "error: damaged.avi: video has no readable frames (empty, corrupt or
    # unsupported codec)", for a clip whose first frame alone is damaged (a file cut there).
    truth = write_astronaut_video(tmp_path / "whole.avi", num_frames=10, motion="static")
    damaged = tmp_path / "damaged.avi"
    damage_mjpeg_frame(truth.path, 0, damaged)
    capture = cv2.VideoCapture(str(damaged))
    assert [capture.read()[0] for _ in range(2)] == [False, True]
    capture.release()
    csv_path = tmp_path / "faces.csv"
    options = ["--csv", str(csv_path)] if command == "analyze" else ["--json"]
    with caplog.at_level("WARNING"):
        assert main([command, str(damaged), *options, "--weights", str(random_weights)]) == 0
    out = capsys.readouterr().out
    # Told as a frame lost further on is, the lost frame keeping its place.
    assert f"{damaged}: frame 0 could not be decoded; skipped" in caplog.text
    if command == "bench":
        assert json.loads(out.strip().splitlines()[-1])["frames"] == 9
        return
    assert f"{damaged}: 9 frames analysed" in out
    _, rows = read_csv(csv_path)
    assert {int(row["frame"]) for row in rows} == set(range(1, 10))  # a face on each frame read
    assert all(float(row["time_s"]) == pytest.approx(int(row["frame"]) / truth.fps) for row in rows)


@pytest.mark.parametrize("command", ["analyze", "bench"])
def test_a_weights_file_given_as_the_input_is_told_a_model_not_a_corrupt_video(
    tmp_path: Path, random_weights: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    # Was "not a video OpenCV can open (unknown format or corrupt)", where the window says
    # it is a model's weights file (by its bytes: this one is named .bin) and where models go.
    model = _write(tmp_path / "model.bin", random_weights.read_bytes())
    garbage = _write(tmp_path / "garbage.safetensors", bytes(range(256)) * 64)  # no model, whatever its name
    csv_path = tmp_path / "never.csv"
    options = ["--csv", str(csv_path)] if command == "analyze" else []
    said = {
        model: "it is a model's weights file (safetensors), not a video; models are given with --weights",
        garbage: "not a video OpenCV can open (unknown format or corrupt)",
    }
    for path, reason in said.items():
        assert main([command, str(path), *options, "--weights", str(random_weights)]) == 2
        assert capsys.readouterr().err == f"error: {path}: {reason}\n"
    assert model.read_bytes() == random_weights.read_bytes() and not csv_path.exists()


def test_missing_weights_exit_2_naming_the_file(
    tmp_path: Path, moving_face_video: VideoTruth, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.safetensors"
    assert main(["analyze", str(moving_face_video.path), "--weights", str(missing)]) == 2
    err = capsys.readouterr().err
    assert str(missing) in err and len(err.strip().splitlines()) == 1


def test_without_shipped_weights_the_commands_say_so(
    tmp_path: Path, moving_face_video: VideoTruth, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # As a checkout without weights/emotion_cnn.safetensors would be.
    import emotion_app.inference.classifier as classifier_module

    monkeypatch.setattr(classifier_module, "DEFAULT_WEIGHTS_PATH", tmp_path / "emotion_cnn.safetensors")
    assert main(["analyze", str(moving_face_video.path)]) == 2
    err = capsys.readouterr().err
    assert "the shipped weights are not at" in err and "pip install -e ." in err


def test_unwritable_output_exits_2(
    tmp_path: Path, random_weights: Path, moving_face_video: VideoTruth, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            ["analyze", str(moving_face_video.path), "-o", str(tmp_path / "out.gif"), "--weights", str(random_weights)]
        )
        == 2
    )
    assert "unsupported output type" in capsys.readouterr().err


def test_an_output_of_no_type_written_names_its_option_and_the_picture_types(
    tmp_path: Path, random_weights: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: "error: x.gif: unsupported output type; use .avi, .m4v, .mkv, .mov, .mp4 or an
    # image suffix" for one picture: a GIF is an image to its user (and read as one in a
    # folder), and the line named no option, where analyze's others name theirs.
    image = tmp_path / "face.jpg"
    cv2.imwrite(str(image), astronaut_bgr())
    assert main(["analyze", str(image), "-o", str(tmp_path / "x.gif"), "--weights", str(random_weights)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: --output {tmp_path / 'x.gif'}: unsupported output type") and err.count("\n") == 1
    assert all(suffix in err for suffix in (".mp4", ".jpg", ".png", ".webp")), err


def test_an_output_of_no_type_written_for_a_video_offers_no_picture_type(
    tmp_path: Path, random_weights: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: "... or .bmp, ..., .png, ... or .webp for one picture" for a video's -o x.GIF
    # too, and its -o x.png is refused in turn ("is one picture and clip.avi is a video").
    video = write_astronaut_video(tmp_path / "clip.avi", num_frames=3, motion="static")
    output = tmp_path / "x.GIF"
    assert main(["analyze", str(video.path), "-o", str(output), "--weights", str(random_weights)]) == 2
    assert capsys.readouterr().err == (
        f"error: --output {output}: unsupported output type; use .avi, .m4v, .mkv, .mov or .mp4\n"
    )
    assert not output.exists()


VIDEO_TYPES = ".avi, .m4v, .mkv, .mov or .mp4"


@pytest.mark.parametrize(
    ("name", "told"),
    [
        # Was "unsupported output type; use ...", where the window says what is wrong.
        (".mp4", "{output} has no name before .mp4"),
        (".MKV.", "{output} has no name before .MKV"),
        # Were written: a hidden file of no name, or refused as "one picture".
        ("..mp4", "{output} has no name before ..mp4"),
        ("..png", "{output} has no name before ..png"),
        # Was "unsupported output type; use ... or .mp4", its end said nowhere.
        ("talk.mp4.", f"{{output}}: unsupported output type (its name ends in a dot); use {VIDEO_TYPES}"),
        ("talk.", f"{{output}}: unsupported output type (its name ends in a dot); use {VIDEO_TYPES}"),
        # Was "talk.mp4 : unsupported output type; use ... or .mp4", the space unseen.
        ("talk.mp4 ", f"{{output}}: unsupported output type (its name ends in a space); use {VIDEO_TYPES}"),
    ],
)
def test_an_output_of_no_name_or_ending_in_a_dot_is_told_so(
    tmp_path: Path, random_weights: Path, capsys: pytest.CaptureFixture[str], name: str, told: str
) -> None:
    video = write_astronaut_video(tmp_path / "clip.avi", num_frames=3, motion="static")
    output = tmp_path / "out" / name
    assert main(["analyze", str(video.path), "-o", str(output), "--weights", str(random_weights)]) == 2
    assert capsys.readouterr().err == f"error: --output {told.format(output=output)}\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["clip.avi"]


def test_an_output_ending_in_dot_dot_names_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Was "--output X/..: unsupported output type", where "X/." and "X/" name a folder, and
    # so does ".." in the window's Record to….
    given = f"{tmp_path / 'clips'}{os.sep}.."
    with pytest.raises(SystemExit) as exit_info:
        main(["analyze", str(tmp_path / "in.avi"), "-o", given])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.endswith(f"argument --output/-o: {given} names a folder; give the file's name\n")


@pytest.mark.parametrize(
    ("name", "told"),
    [
        # Each was written, a hidden file of no name, where --output .mp4 is refused.
        (".csv", "has no name before .csv"),
        (".CSV.", "has no name before .CSV"),
        ("..csv", "has no name before ..csv"),
        (".mp4", "has no name before .mp4"),
        ("...", "has no name"),
    ],
)
def test_a_csv_of_no_name_is_refused_as_an_output_of_no_name_is(
    tmp_path: Path, random_weights: Path, capsys: pytest.CaptureFixture[str], name: str, told: str
) -> None:
    video = write_astronaut_video(tmp_path / "clip.avi", num_frames=3, motion="static")
    csv_path = tmp_path / "out" / name
    assert main(["analyze", str(video.path), "--csv", str(csv_path), "--weights", str(random_weights)]) == 2
    assert capsys.readouterr().err == f"error: --csv {csv_path} {told}\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["clip.avi"]


def _run_module(args: list[str]) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """The real ``python -m emotion_app`` process, as a user runs it, and the modules it imported."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "emotion_app", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # Python's import log: one line per module imported (on stderr, before the command's own).
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    return done, imported


def test_module_entry_point_exit_code(tmp_path: Path) -> None:
    done, imported = _run_module(["analyze", str(tmp_path / "absent.avi")])
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if not line.startswith("import time:")]
    assert errors == [f"error: {tmp_path / 'absent.avi'}: no such file or folder"]
    # Told before the engine loads: torch takes seconds to import.
    assert "torch" not in imported and "emotion_app.pipeline" not in imported


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--help"], "analyze"),
        (["analyze", "--help"], "--steadiness"),
        (["bench", "--help"], "--opencv-threads"),
        (["bench", "absent.mp4", "--threads", "1"], "error: absent.mp4: no such file or folder"),
    ],
)
def test_help_and_bad_input_answer_without_loading_torch(args: list[str], expected: str) -> None:
    done, imported = _run_module(args)
    assert expected in done.stdout + done.stderr
    assert "emotion_app.cli.analyze" in imported and "emotion_app.cli.bench" in imported
    assert "torch" not in imported and "emotion_app.pipeline" not in imported


@pytest.mark.parametrize("command", ["analyze", "bench"])
@pytest.mark.parametrize(
    ("given", "told"),
    [
        ("rtsp://user:secret@cam/live", "rtsp://user:***@cam/live is a network address"),
        ("http://192.168.1.20:8080/video", "http://192.168.1.20:8080/video is a network address"),
        ("file:///tmp/clip.mp4", "file:///tmp/clip.mp4 is a URL; give the file's path itself"),
    ],
)
def test_a_url_given_as_input_is_told_where_it_plays(
    command: str, given: str, told: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # It was "rtsp:/cam/live: no such file or folder": the '//' collapsed, no word of the window.
    with pytest.raises(SystemExit) as exited:
        main([command, given])
    assert exited.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert told in error and "secret" not in error
    if "network" in told:
        assert "python main.py --camera URL" in error


def test_a_folder_named_like_a_url_is_still_read(
    tmp_path: Path, random_weights: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "http://x" is the relative path http:/x; where that folder is there, it is what is meant.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "http:").mkdir()
    write_slide_show(tmp_path / "http:" / "x", [astronaut_bgr()])
    args = ["analyze", "http://x", "--csv", str(tmp_path / "rows.csv"), "--weights", str(random_weights)]
    assert main(args) == 0
    assert (tmp_path / "rows.csv").is_file()


def test_bench_json(random_weights: Path, moving_face_video: VideoTruth, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", str(moving_face_video.path), "--json", "--weights", str(random_weights)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    report = json.loads(lines[-1])
    assert BENCH_KEYS <= set(report)
    assert report["frames"] == moving_face_video.num_frames
    assert report["frames_with_face"] == moving_face_video.frames_with_face
    assert report["baseline_frames_with_face"] == moving_face_video.frames_with_face
    assert report["fps"] > 0 and report["baseline_fps"] > 0
    assert report["ratio"] == pytest.approx(report["fps"] / report["baseline_fps"])
    assert report["classify_ms_per_face"] > 0 and report["classify_ms_per_face_eager"] > 0
    for stage in ("decode", "detect", "classify", "draw", "baseline"):
        assert report["stages_ms"][stage]["p95"] >= report["stages_ms"][stage]["median"] >= 0
    text = "\n".join(lines[:-1])
    assert "baseline" in text and "ratio" in text and "ms/face" in text


def test_bench_says_when_the_classifier_was_timed_on_synthetic_faces(
    tmp_path: Path, random_weights: Path, moving_face_video: VideoTruth, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was "face in 0/6 frames" and then "same label on 100.0% of 64 faces": faces the
    # input never had, made up for the timing, named as if found.
    empty = write_video(tmp_path / "nobody.avi", [background(160, 120) for _ in range(6)])
    assert main(["bench", str(empty), "--json", "--weights", str(random_weights)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    report = json.loads(lines[-1])
    assert report["frames_with_face"] == 0 and report["classify_synthetic_faces"] is True
    said = next(line for line in lines if line.startswith("classifier ("))
    assert f"of {report['classify_agreement_faces']} synthetic faces (the input gave fewer than 8)" in said
    # A clip with faces enough is timed on them, and says faces only.
    assert main(["bench", str(moving_face_video.path), "--json", "--weights", str(random_weights)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert json.loads(lines[-1])["classify_synthetic_faces"] is False
    assert "synthetic" not in next(line for line in lines if line.startswith("classifier ("))


def test_benchs_figures_read_0_and_100_percent_only_for_none_and_all(
    random_weights: Path, moving_face_video: VideoTruth, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was "0% re-checked in fp32" with 3 faces of 1,000 re-checked, and "same label on
    # 100.0%" with 1 face of 2,000 labelled otherwise.
    assert main(["bench", str(moving_face_video.path), "--json", "--weights", str(random_weights)]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    faces = 2_000  # a real run's report, given figures a longer input could have
    report.update(classify_rechecked_share=3 / 1_000, classify_agreement=1 - 1 / faces, classify_agreement_faces=faces)
    print_report(report)
    said = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("classifier ("))
    assert f"same label on >99.9% of {faces} faces; <1% re-checked in fp32" in said


def test_bench_of_a_folder_names_its_pictures_sizes_and_counts_images(
    tmp_path: Path, random_weights: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was "2 frames of 200x200" for a folder of a 512x512 and a 200x200 picture (the last
    # one's size named as all of theirs), and "1 full-frame scans".
    folder = tmp_path / "shots"
    write_slide_show(folder, [astronaut_bgr(), cv2.resize(astronaut_bgr(), (200, 200))])
    assert main(["bench", str(folder), "--json", "--weights", str(random_weights)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    report = json.loads(lines[-1])
    assert lines[0].startswith(f"bench {folder}: 2 images of 200x200 to 512x512, ")
    assert report["frame_size_range"] == [[200, 200], [512, 512]] and report["input_kind"] == "folder"
    pipeline = next(line for line in lines if line.startswith("pipeline: "))
    assert f"face in 2/2 images, {report['full_frame_scans']} full-frame scan" in pipeline
    baseline = next(line for line in lines if line.startswith("baseline: "))
    assert baseline.endswith(f"face in {report['baseline_frames_with_face']}/2 images")
    # One picture: one size, one scan.
    assert main(["bench", str(folder / "shot1.png"), "--json", "--weights", str(random_weights)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith(f"bench {folder / 'shot1.png'}: 1 image of 512x512, ")
    assert next(line for line in lines if line.startswith("pipeline: ")).endswith(", 1 full-frame scan")


def test_bench_of_a_folder_names_a_portrait_and_a_landscape_of_one_size(
    tmp_path: Path, random_weights: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was "2 images of 300x200": sizes compared by pixels alone, a photo turned upright
    # (the same pixels) was never named.
    folder = tmp_path / "shots"
    landscape = cv2.resize(astronaut_bgr(), (300, 200))
    write_slide_show(folder, [landscape, cv2.rotate(landscape, cv2.ROTATE_90_CLOCKWISE)])
    assert main(["bench", str(folder), "--json", "--weights", str(random_weights)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith(f"bench {folder}: 2 images of 200x300 to 300x200, ")
    assert json.loads(lines[-1])["frame_size_range"] == [[200, 300], [300, 200]]


def test_bench_opencv_threads(
    random_weights: Path, moving_face_video: VideoTruth, capsys: pytest.CaptureFixture[str]
) -> None:
    before = cv2.getNumThreads()
    args = ["bench", str(moving_face_video.path), "--json", "--weights", str(random_weights), "--frames", "6"]
    assert main([*args, "--opencv-threads", "1"]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["opencv_threads"] == 1 and report["frames"] == 6
    assert cv2.getNumThreads() == before  # the process's own setting is back
    assert main([*args, "--opencv-threads", "0"]) == 2
    assert "--opencv-threads must be between 1 and" in capsys.readouterr().err


def test_bench_unreadable_input(tmp_path: Path, random_weights: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", str(tmp_path / "gone.mp4"), "--weights", str(random_weights)]) == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["analyze", "bench"])
@pytest.mark.parametrize("mode", [0o000, 0o444], ids=["not listable", "listable, not searchable"])
def test_a_folder_the_user_may_not_read_is_one_line(tmp_path: Path, command: str, mode: int) -> None:
    # Was: bench printed PermissionError's traceback, analyze "[Errno 13] Permission
    # denied: 'pics/a.png'" (Python's words, naming a picture for the folder).
    folder = tmp_path / "pics"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), astronaut_bgr())
    csv_path = tmp_path / "never.csv"
    outputs = ["--csv", str(csv_path)] if command == "analyze" else []
    done = run_barred_from(folder, mode, ["-m", "emotion_app", command, str(folder), *outputs])
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == f"error: {folder}: the folder cannot be read (Permission denied)", done.stderr
    assert not csv_path.exists()


def test_an_empty_picture_in_a_folder_is_skipped_as_empty(
    tmp_path: Path, random_weights: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Was "not an image OpenCV can decode (corrupt or unsupported)" for a file of no bytes.
    folder = tmp_path / "pics"
    folder.mkdir()
    _picture_file(folder / "a.png", astronaut_bgr())
    (folder / "b.jpg").write_bytes(b"")
    csv_path = tmp_path / "out.csv"
    assert main(["analyze", str(folder), "--csv", str(csv_path), "--weights", str(random_weights)]) == 0
    assert f"skipping {folder / 'b.jpg'}: the file is empty (0 bytes)" in caplog.text
    with csv_path.open() as rows:
        assert {row["file"] for row in csv.DictReader(rows)} == {"a.png"}


@pytest.mark.skipif(not Path("/proc/version").is_file(), reason="needs Linux's /proc")
@pytest.mark.parametrize("name", ["version.mp4", "version.jpg"])
def test_a_file_whose_size_is_told_as_0_but_has_content_is_not_called_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    # /proc's files say a size of 0 and yet read: was "the file
    # is empty (0 bytes)", of a file that is not.
    link = tmp_path / name
    link.symlink_to("/proc/version")
    assert Path("/proc/version").stat().st_size == 0 and Path("/proc/version").read_bytes()
    assert main(["analyze", str(link)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith(f"error: {link}: "), err
    assert "empty" not in err, err


def test_a_link_the_user_may_not_follow_in_a_folder_skips_that_picture_only(tmp_path: Path) -> None:
    # Was: a link into a folder the user may not search refused the whole folder, "the
    # folder cannot be read", though the folder and its other pictures could be.
    folder = tmp_path / "pics"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), astronaut_bgr())
    barred = tmp_path / "barred"
    barred.mkdir()
    cv2.imwrite(str(barred / "b.png"), astronaut_bgr())
    (folder / "b.png").symlink_to(barred / "b.png")
    (folder / "more").symlink_to(barred / "more")  # counted as no subfolder
    csv_path = tmp_path / "out.csv"
    analyze = ["-m", "emotion_app", "analyze", str(folder), "--csv", str(csv_path)]
    done = run_barred_from(barred, 0, analyze)
    assert done.returncode == 0, done.stderr
    assert f"skipping {folder / 'b.png'}: permission denied" in done.stderr
    assert "subfolder" not in done.stderr
    with csv_path.open() as rows:
        assert [row["file"] for row in csv.DictReader(rows)] == ["a.png"]


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "analyze" in capsys.readouterr().err


def test_analyze_steadiness_and_scaling_video(
    tmp_path: Path, random_weights: Path, scaling_face_video: VideoTruth
) -> None:
    csv_path = tmp_path / "s.csv"
    assert (
        main(
            [
                "analyze",
                str(scaling_face_video.path),
                "--csv",
                str(csv_path),
                "--steadiness",
                "high",
                "--weights",
                str(random_weights),
            ]
        )
        == 0
    )
    _, rows = read_csv(csv_path)
    assert len(rows) == scaling_face_video.num_frames
    assert {row["track_id"] for row in rows} == {"1"}
    widths = [int(row["w"]) for row in rows]
    assert widths[-1] > 1.6 * widths[0]


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _mkdir(path: Path) -> Path:
    path.mkdir()
    return path


def test_a_min_face_no_picture_can_hold_is_refused(
    moving_face_video: VideoTruth, random_weights: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # --min-face 100000 was taken, and the run found nothing, in silence.
    for command in ("analyze", "bench"):
        for pixels in ("100000", "4097", "7"):
            args = [command, str(moving_face_video.path), "--min-face", pixels, "--weights", str(random_weights)]
            assert main(args) == 2
            assert capsys.readouterr().err == (
                "error: --min-face must be 8 to 4096 pixels (faces are searched in pictures of at most 4096x4096), "
                f"got {pixels}\n"
            )


def test_a_min_face_larger_than_the_frames_as_searched_is_warned_about_once(
    tmp_path: Path,
    moving_face_video: VideoTruth,
    random_weights: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    weights = ["--weights", str(random_weights)]
    video = str(moving_face_video.path)  # 320x240
    assert main(["analyze", video, "--min-face", "241", *weights]) == 0
    assert "emotions: no face found" in capsys.readouterr().out
    told = [record.getMessage() for record in caplog.records if "--min-face" in record.getMessage()]
    assert told == [
        f"{video}: --min-face 241 is larger than its frames as searched for faces (320x240 pixels): no face can be "
        "found in them"
    ]
    caplog.clear()
    assert main(["bench", video, "--frames", "3", "--min-face", "241", *weights]) == 0
    assert [record.getMessage() for record in caplog.records if "--min-face" in record.getMessage()] == told
    caplog.clear()
    # The frame's shorter side itself is no warning: a face that fills it can be found.
    assert main(["analyze", video, "--min-face", "240", *weights]) == 0
    assert "--min-face" not in caplog.text
    # A folder's pictures: the first too small for it is named, once.
    folder = tmp_path / "shots"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), cv2.resize(astronaut_bgr(), (600, 600)))
    cv2.imwrite(str(folder / "b.png"), cv2.resize(astronaut_bgr(), (300, 300)))
    cv2.imwrite(str(folder / "c.png"), cv2.resize(astronaut_bgr(), (200, 200)))
    capsys.readouterr()
    assert main(["analyze", str(folder), "--min-face", "400", *weights]) == 0
    assert "3 images analysed" in capsys.readouterr().out
    told = [record.getMessage() for record in caplog.records if "--min-face" in record.getMessage()]
    assert told == [
        f"{folder / 'b.png'}: --min-face 400 is larger than the picture as searched for faces (300x300 pixels): no "
        "face can be found in it; said for the first such picture only"
    ]


def test_a_warning_during_the_progress_bar_is_a_line_of_its_own(tmp_path: Path, random_weights: Path) -> None:
    # The --min-face warning comes at the first frame, with the bar up: it was written onto
    # the bar's line ("analyze:   0%| ... [00:00<?, ?frame/s]WARNING: ...").
    clip = write_astronaut_video(tmp_path / "long.avi", num_frames=60, frame_size=(160, 120), face_size=50)
    command = [sys.executable, "-m", "emotion_app", "analyze", str(clip.path), "--progress", "--min-face", "200"]
    done = subprocess.run(
        [*command, "--weights", str(random_weights)], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    shown = [_as_a_terminal_shows(line) for line in done.stderr.split("\n")]
    told = [line for line in shown if "--min-face 200" in line]
    assert told == [
        f"WARNING: {clip.path}: --min-face 200 is larger than its frames as searched for faces (160x120 pixels): no "
        "face can be found in them"
    ]
    assert any(line.startswith("analyze: 100%") for line in shown)  # the bar went on


def _as_a_terminal_shows(line: str) -> str:
    """A line of output as a terminal leaves it: each carriage return writes over it from the start."""
    shown = ""
    for part in line.split("\r"):
        shown = part + shown[len(part) :]
    return shown.rstrip()


def test_a_frame_is_searched_for_faces_at_the_size_the_min_face_warning_names() -> None:
    from emotion_app.pipeline import MAX_SMALL_FACE_PIXELS, searched_size

    # A 4K video frame is searched at 1920x1080, a 4K picture at its own size, a 9000x6003
    # photo in the 4096x4096 pixels its small faces are searched in (as the README says).
    assert searched_size(2160, 3840, still=False) == (1920, 1080)
    assert searched_size(2160, 3840, still=True) == (3840, 2160)
    width, height = searched_size(6003, 9000, still=True)
    assert (width, height) == (5015, 3345) and width * height <= MAX_SMALL_FACE_PIXELS


def test_write_astronaut_video_helper_matches_its_truth(tmp_path: Path) -> None:
    video = write_astronaut_video(tmp_path / "v.mp4", num_frames=5, blank_frames=(2,))
    assert len(read_video(video.path)) == 5
    assert video.frames_with_face == 4


def test_the_entry_points_take_verbose_and_say_their_own_name(capsys: pytest.CaptureFixture[str]) -> None:
    from emotion_app.cli import analyze_main, bench_main, build_parser

    parser = build_parser()
    assert parser.parse_args(["analyze", "x.mp4", "-v"]).verbose
    assert parser.parse_args(["-v", "analyze", "x.mp4"]).verbose
    assert not parser.parse_args(["analyze", "x.mp4"]).verbose
    for entry, name in ((analyze_main, "emotion-app-analyze"), (bench_main, "emotion-app-bench")):
        with pytest.raises(SystemExit):
            entry(["--help"])
        assert capsys.readouterr().out.startswith(f"usage: {name} ")


def _run_onto_a_full_disk(command: list[str], timeout: int) -> subprocess.CompletedProcess[str]:
    """``command`` (after the interpreter) run from the repository with standard output on
    /dev/full, block-buffered as a redirection makes it: the failure comes at the flush."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    with open("/dev/full", "w") as full:
        return subprocess.run(
            [sys.executable, *command],
            cwd=REPO,
            env=env,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=timeout,
        )


def test_a_full_standard_output_is_one_line_and_the_outputs_stay(
    tmp_path: Path, random_weights: Path, moving_face_video: VideoTruth
) -> None:
    rows = tmp_path / "rows.csv"
    common = ["--weights", str(random_weights)]
    for args in (
        ["analyze", str(moving_face_video.path), "--csv", str(rows)],
        ["bench", str(moving_face_video.path)],
    ):
        done = _run_onto_a_full_disk(["-m", "emotion_app", *args, *common], timeout=300)
        assert done.returncode == 2 and done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
        assert "could not be printed" in done.stderr
    assert len(rows.read_text().splitlines()) > 1  # the analysis was kept


def test_help_that_cannot_be_written_is_an_error() -> None:
    # argparse ignores a failed write of its help and exits 0: a script saving `--help`
    # onto a full disk (or into a closed pipe) took it for written.
    commands = [["-m", "emotion_app", *args] for args in (["--help"], ["analyze", "--help"], ["bench", "--help"])]
    commands.append([str(REPO / "main.py"), "--help"])  # the desktop app's command line
    for command in commands:
        done = _run_onto_a_full_disk(command, timeout=120)
        assert (done.returncode, done.stderr) == (2, HELP_NOT_WRITTEN), command
    # The entry points' parsers too (emotion-app-analyze: its own program name).
    from emotion_app.cli import analyze_main, bench_main

    for entry in (analyze_main, bench_main):
        with open("/dev/full", "w") as full, pytest.MonkeyPatch.context() as patch:
            patch.setattr(sys, "stdout", full)
            with pytest.raises(SystemExit) as stop:
                entry(["--help"])
        assert stop.value.code == 2


@pytest.mark.parametrize(
    "command",
    [
        ["-m", "emotion_app", "analyze", "clip.mp4"],
        # What the installed emotion-app-bench's wrapper runs.
        ["-c", "import sys; from emotion_app.cli import bench_main; sys.exit(bench_main())", "clip.mp4"],
    ],
    ids=["python -m emotion_app", "emotion-app-bench"],
)
def test_a_ctrl_c_while_the_commands_modules_load_is_one_line(command: list[str], tmp_path: Path) -> None:
    # It printed KeyboardInterrupt's traceback, from deep inside OpenCV's import.
    child = start_held_in_import(command, "cv2", tmp_path)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    assert (child.returncode, out, err) == (130, "", "interrupted by SIGINT; nothing was written\n")


def test_kill_int_while_a_background_jobs_modules_load_stops_it(tmp_path: Path) -> None:
    # A shell starts `python -m emotion_app analyze … &` with SIGINT ignored, and Python keeps
    # it so: a `kill -INT` before the command took the signal over (its modules loading, a
    # second here) was lost, and the run went on to write every output.
    child = start_held_in_import(["-m", "emotion_app", "analyze", "clip.mp4"], "cv2", tmp_path, background_job=True)
    child.send_signal(signal.SIGINT)
    try:
        out, err = child.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise AssertionError("the SIGINT was ignored: the import went on") from None
    assert (child.returncode, out, err) == (130, "", "interrupted by SIGINT; nothing was written\n")


def test_a_closed_progress_bar_terminal_does_not_lose_the_analysis(tmp_path: Path, random_weights: Path) -> None:
    # stderr piped into `head -c 100`: the bar's next write failed and every output was dropped.
    clip = write_astronaut_video(tmp_path / "long.avi", num_frames=300, frame_size=(160, 120), face_size=50)
    rows = tmp_path / "rows.csv"
    command = [sys.executable, "-m", "emotion_app", "analyze", str(clip.path), "--csv", str(rows), "--progress"]
    process = subprocess.Popen(
        [*command, "--weights", str(random_weights)], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert process.stderr is not None
    assert b"analyze" in process.stderr.read(20)  # the bar is up
    process.stderr.close()
    assert process.wait(timeout=300) == 0
    frames = {row["frame"] for row in csv.DictReader(rows.open(newline=""))}
    assert len(frames) == 300


def test_help_in_a_terminal_without_unicode_is_printed_escaped() -> None:
    # The help texts hold "…" and "×": under an ASCII locale (PYTHONIOENCODING=ascii, a
    # C-locale ssh session) main.py's --help ended in a UnicodeEncodeError traceback.
    env = dict(os.environ, PYTHONIOENCODING="ascii", QT_QPA_PLATFORM="offscreen")
    for command in ([str(REPO / "main.py"), "--help"], ["-m", "emotion_app", "analyze", "--help"]):
        done = subprocess.run(
            [sys.executable, *command], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0 and done.stderr == "", (command, done.stderr)
        assert done.stdout.startswith("usage: ") and "--help" in done.stdout, command


def test_the_summarys_emotion_shares_add_up_to_100(capsys: pytest.CaptureFixture[str]) -> None:
    # 41, 32 and 8 faces of 81 read "happy 51%, sad 40%, neutral 10%": 101%.
    tally = _Tally(frames=81, frames_with_face=81, faces=81, label_counts=Counter(happy=41, sad=32, neutral=8))
    media = MediaInput(Path("clip.mp4"), "video", 81, 30.0)
    _print_summary(argparse.Namespace(input="clip.mp4"), media, tally, 1.0, SIX_LABELS)
    (emotions,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("emotions: ")]
    assert emotions == "emotions: happy 51%, sad 39%, neutral 10%"


def test_the_summary_reads_100_percent_of_frames_only_when_every_frame_had_a_face(
    tmp_path: Path, random_weights: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: a share rounded on its own, so 249 frames of 250 with a face read "(100%)".
    video = write_astronaut_video(tmp_path / "clip.avi", num_frames=250, motion="static", blank_frames=[125])
    assert main(["analyze", str(video.path), "--weights", str(random_weights)]) == 0
    (faces,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("faces: ")]
    assert faces == "faces: 249 in 249 of 250 frames (>99%), 1 track"


def test_the_summarys_emotions_read_0_and_100_percent_only_for_none_and_all(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Was "happy 100%, sad 0%" for 249 happy boxes and 1 sad: a sad face told as none.
    tally = _Tally(frames=250, frames_with_face=250, faces=250, label_counts=Counter(happy=249, sad=1))
    media = MediaInput(Path("clip.mp4"), "video", 250, 30.0)
    _print_summary(argparse.Namespace(input="clip.mp4"), media, tally, 1.0, SIX_LABELS)
    lines = capsys.readouterr().out.splitlines()
    assert "faces: 250 in 250 of 250 frames (100%), 0 tracks" in lines
    assert "emotions: happy >99%, sad <1%" in lines
    tally = _Tally(frames=400, frames_with_face=1, faces=3, label_counts=Counter(neutral=3))
    _print_summary(
        argparse.Namespace(input="clip.mp4"), MediaInput(Path("clip.mp4"), "video", 400, 30.0), tally, 1.0, SIX_LABELS
    )
    lines = capsys.readouterr().out.splitlines()
    assert "faces: 3 in 1 of 400 frames (<1%), 0 tracks" in lines and "emotions: neutral 100%" in lines


def test_an_analysed_videos_printed_shares_add_up_to_100_and_follow_its_csv(
    tmp_path: Path, random_weights: Path, two_faces_video: VideoTruth, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_path = tmp_path / "faces.csv"
    assert main(["analyze", str(two_faces_video.path), "--csv", str(csv_path), "--weights", str(random_weights)]) == 0
    (emotions,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("emotions: ")]
    printed = {label: int(percent) for label, percent in re.findall(r"(\w+) (\d+)%", emotions)}
    assert sum(printed.values()) == 100, emotions
    _columns, rows = read_csv(csv_path)
    for label, percent in printed.items():
        share = 100 * sum(row["label"] == label for row in rows) / len(rows)
        assert share - 1 < percent < share + 1, (emotions, label)
