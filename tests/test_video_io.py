"""Reading inputs, writing annotated video, and the incremental per-face CSV writer."""

from __future__ import annotations

import csv
import math
import os
import re
import shutil
import struct
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np
import pytest

from emotion_app.io.csv_export import FaceCsvWriter
from emotion_app.io.video import (
    MAX_UNDECODABLE_RUN,
    AnnotatedVideoWriter,
    InputError,
    OutputError,
    frame_span,
    letterbox,
    open_input,
)
from emotion_app.results import FaceResult
from emotion_app.samples import SIX_LABELS, VideoTruth, astronaut_bgr, background, read_video, write_video
from emotion_app.spreadsheet import spreadsheet_text
from tests.hostile_support import bar_number, damage_mjpeg_frame, numbered_frames
from tests.reordered_video import FPS as MPEG2_FPS
from tests.reordered_video import damaged_at_group, reads, write_mpeg2_mp4


def test_video_frames_with_times(moving_face_video: VideoTruth) -> None:
    media = open_input(moving_face_video.path)
    assert media.kind == "video"
    assert media.fps == pytest.approx(moving_face_video.fps)
    assert media.frame_count == moving_face_video.num_frames
    frames = list(media.frames())
    assert [index for index, _, _ in frames] == list(range(moving_face_video.num_frames))
    assert frames[5][1] == pytest.approx(5 / moving_face_video.fps)
    assert frames[0][2].shape == (240, 320, 3)


def test_single_image(tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    cv2.imwrite(str(path), astronaut_bgr())
    media = open_input(path)
    assert media.kind == "image" and media.frame_count == 1 and media.fps is None
    ((index, time_s, frame),) = list(media.frames())
    assert (index, time_s, frame.shape) == (0, None, (512, 512, 3))


def test_folder_in_natural_order_skipping_unreadable_files(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    for name in ("img10.png", "img2.png", "img1.png"):
        cv2.imwrite(str(tmp_path / name), background(40, 30))
    (tmp_path / "img3.png").write_bytes(b"not a png")
    (tmp_path / "readme.txt").write_text("ignored")
    (tmp_path / "sub").mkdir()
    media = open_input(tmp_path)
    assert media.kind == "folder"
    assert [p.name for p in media.images] == ["img1.png", "img2.png", "img3.png", "img10.png"]
    frames = list(media.frames())
    assert [index for index, _, _ in frames] == [0, 1, 3], "the broken image is skipped, indices keep file order"
    assert "img3.png" in caplog.text


@pytest.mark.parametrize(
    "setup, message",
    [
        (lambda d: d / "nothing.avi", "no such file or folder"),
        (lambda d: _write(d / "x.avi", b""), r"the file is empty \(0 bytes\)"),
        (lambda d: _write(d / "x.mkv", b"\x00" * 4096), "not a video|no readable frames"),
        (lambda d: _write(d / "x.png", b"\x89PNG broken"), "not an image"),
        (lambda d: _write(d / "x.jpg", b""), r"the file is empty \(0 bytes\)"),
    ],
)
def test_unreadable_inputs_raise_input_error(tmp_path: Path, setup: Callable[[Path], Path], message: str) -> None:
    path = setup(tmp_path)
    with pytest.raises(InputError, match=message) as error:
        open_input(path)
    assert str(path) in str(error.value)
    assert "\n" not in str(error.value)


def test_truncated_video_yields_the_frames_it_has(tmp_path: Path, moving_face_video: VideoTruth) -> None:
    data = moving_face_video.path.read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: len(data) // 2])
    media = open_input(cut)
    frames = list(media.frames())
    assert 0 < len(frames) < moving_face_video.num_frames + 1


def test_annotated_video_writer_keeps_the_first_size(tmp_path: Path) -> None:
    path = tmp_path / "out" / "video.avi"
    with AnnotatedVideoWriter(path, fps=12) as writer:
        writer.write(background(160, 120))
        writer.write(astronaut_bgr())  # another size: letterboxed
    capture = cv2.VideoCapture(str(path))
    assert capture.get(cv2.CAP_PROP_FPS) == pytest.approx(12)
    capture.release()
    sizes = [frame.shape for frame in read_video(path)]
    assert sizes == [(120, 160, 3), (120, 160, 3)]
    assert writer.frames_written == 2


def test_a_folder_removed_as_the_writer_opens_is_named_as_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: "OpenCV could not open a video writer for it", when another program deleted
    # the folder between the temporary file being made and OpenCV opening it (seen in CI).
    from emotion_app.io.atomic import AtomicOutput

    folder = tmp_path / "out"
    real_open = AtomicOutput.open

    def open_then_lose_the_folder(self: AtomicOutput) -> Path:
        temp = real_open(self)
        shutil.rmtree(folder)
        return temp

    monkeypatch.setattr(AtomicOutput, "open", open_then_lose_the_folder)
    writer = AnnotatedVideoWriter(folder / "video.avi", fps=12)
    with pytest.raises(OutputError) as raised:
        writer.write(background(160, 120))
    assert str(raised.value) == f"{folder / 'video.avi'}: its folder {folder} was removed while it was being written"
    assert not folder.exists()


def test_annotated_writer_rejects_unknown_types(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="unsupported output type"):
        AnnotatedVideoWriter(tmp_path / "out.xyz")


def test_letterbox_keeps_the_aspect_ratio() -> None:
    boxed = letterbox(np.full((100, 200, 3), 255, np.uint8), (100, 100))
    assert boxed.shape == (100, 100, 3)
    assert boxed[0, 50].tolist() == [0, 0, 0] and boxed[50, 50].tolist() == [255, 255, 255]


def make_face(track_id: int, label: str = "happy", uncertain: bool = False, roll: float = 0.0) -> FaceResult:
    probabilities = [0.1, 0.1, 0.5, 0.1, 0.1, 0.1]
    raw = [0.05, 0.05, 0.7, 0.1, 0.05, 0.05]
    box = (10 * track_id, 20, 64, 66)
    return FaceResult(box, track_id, label, 0.5, tuple(probabilities), uncertain, tuple(raw), roll)


def test_csv_writer_incremental_rows(tmp_path: Path) -> None:
    path = tmp_path / "rec" / "faces.csv"
    writer = FaceCsvWriter(path, SIX_LABELS)
    assert writer.write_frame(0, 0.0, [make_face(1), make_face(2, uncertain=True, roll=-25.0)]) == 2
    assert writer.write_frame(1, 0.0667, []) == 0
    # Flushed per frame into a file beside the target; the target appears only on close.
    assert writer.partial_path is not None and writer.partial_path.parent == path.parent
    assert len(writer.partial_path.read_text().splitlines()) == 3 and not path.exists()
    writer.write_frame(2, None, [make_face(1)])
    writer.close()
    assert writer.closed and writer.rows_written == 3 and writer.frames_written == 3
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [
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
    assert rows[1][:11] == ["0", "0.0000", "1", "10", "20", "64", "66", "0", "happy", "0.50000", "0"]
    assert rows[2][2] == "2" and rows[2][10] == "1"  # the uncertain face
    assert rows[2][7] == "-25"  # found leaning
    assert rows[3][:3] == ["2", "", "1"]
    assert [float(v) for v in rows[1][11:17]] == pytest.approx([0.1, 0.1, 0.5, 0.1, 0.1, 0.1])  # shown
    assert [float(v) for v in rows[1][17:]] == pytest.approx([0.05, 0.05, 0.7, 0.1, 0.05, 0.05])  # raw
    with pytest.raises(ValueError, match="closed"):
        writer.write_frame(3, 0.2, [])


def test_csv_writer_takes_a_time_as_the_pipeline_does(tmp_path: Path) -> None:
    # The README's loop passes one time to process() and write_frame(): a Fraction process
    # took was a TypeError from str.format here, and an infinite or numpy NaN time that
    # process counts as none was written "inf" or "nan".
    times = [Fraction(3, 2), np.array(0.25), Decimal("2.5"), np.float32(np.nan), math.inf, Decimal("sNaN"), 10**400]
    path = tmp_path / "faces.csv"
    with FaceCsvWriter(path, SIX_LABELS) as writer:
        for index, time_s in enumerate(times):
            writer.write_frame(index, time_s, [make_face(1)])
        with pytest.raises(TypeError, match=r"^time_s must be seconds \(a number\) or None, got str '1\.5'$"):
            # A str where a number belongs, as an untyped caller may pass one: the error checked.
            writer.write_frame(len(times), "1.5", [make_face(1)])  # type: ignore[arg-type]
    with open(path, newline="") as handle:
        written = [row[1] for row in list(csv.reader(handle))[1:]]
    assert written == ["1.5000", "0.2500", "2.5000", "", "", "", ""]


def test_csv_columns_never_collide_with_fixed_ones(tmp_path: Path) -> None:
    with FaceCsvWriter(tmp_path / "x.csv", ("label", "x", "other")) as writer:
        assert writer.columns[-6:] == ("p_label", "p_x", "p_other", "raw_label", "raw_x", "raw_other")
    with FaceCsvWriter(tmp_path / "y.csv", ("a", "raw_a")) as writer:  # "raw_a" is also a's raw column
        assert writer.columns[-4:] == ("p_a", "p_raw_a", "raw_a", "raw_raw_a")


def test_csv_file_column_names_each_row_and_collides_with_no_class(tmp_path: Path) -> None:
    names = ['a, "b".png', "new\nline.jpg", "café 写真.png", os.fsdecode(b"caf\xe9.png")]
    with FaceCsvWriter(tmp_path / "x.csv", ("file", "b"), file_column=True) as writer:
        assert writer.columns[:3] == ("frame", "file", "time_s")
        assert writer.columns[11:] == ("uncertain", "p_file", "p_b", "raw_file", "raw_b")
        for index, name in enumerate(names):
            writer.write_frame(index, None, [_two_class_face()], name)
        with pytest.raises(ValueError, match="file name"):
            writer.write_frame(9, None, [])  # no name for a CSV that has the column
    with open(tmp_path / "x.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert [row[1] for row in rows[1:]] == [*names[:3], "caf\\xe9.png"]
    with FaceCsvWriter(tmp_path / "y.csv", ("file", "b")) as writer:  # no column: "file" is a class's own
        assert writer.columns[-4:] == ("file", "b", "raw_file", "raw_b")
        with pytest.raises(ValueError, match="file name"):
            writer.write_frame(0, None, [], "a.png")


def test_csv_file_column_keeps_a_name_starting_like_a_formula_as_text(tmp_path: Path) -> None:
    # Was: a picture's name went in as it was, so "=cmd|' /C calc'!A0.png" was a formula to
    # a spreadsheet; a name is crafted by whoever supplies the folder, as a typed name is.
    names = ["=cmd|' /C calc'!A0.png", "+1.png", "-x.png", "@a.png", os.fsdecode(b"=caf\xe9.png"), "a=b.png", "'=x.png"]
    with FaceCsvWriter(tmp_path / "x.csv", ("a", "b"), file_column=True) as writer:
        for index, name in enumerate(names):
            writer.write_frame(index, None, [_two_class_face()], name)
    with open(tmp_path / "x.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert [row[1] for row in rows[1:]] == [
        "'=cmd|' /C calc'!A0.png",
        "'+1.png",
        "'-x.png",
        "'@a.png",
        "'=caf\\xe9.png",
        "a=b.png",
        "''=x.png",  # apart from a picture named "=x.png"
    ]


def test_csv_name_column_holds_each_faces_name_as_a_spreadsheet_shows_it(tmp_path: Path) -> None:
    # A recording's CSV: each face's name after its id, empty for none; a name typed like a
    # formula is kept as text a spreadsheet shows, never runs.
    names = ["Anna", "", 'Smith, "Jo"', "two\nlines", "Zoë 李", "=cmd|' /C calc'!A0", "+1", "-x", "@SUM(A1)", "'-x"]
    with FaceCsvWriter(tmp_path / "x.csv", ("name", "b"), name_column=True) as writer:
        assert writer.columns[:5] == ("frame", "time_s", "track_id", "name", "x")
        assert writer.columns[11:] == ("uncertain", "p_name", "p_b", "raw_name", "raw_b")  # "name" is also a class
        for index, name in enumerate(names):
            face = _two_class_face()
            writer.write_frame(index, index / 10, [replace(face, name=name), replace(face, track_id=2)])
    with open(tmp_path / "x.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert all(len(row) == len(rows[0]) for row in rows)
    assert [row[3] for row in rows[1::2]] == [
        *names[:5],
        "'=cmd|' /C calc'!A0",
        "'+1",
        "'-x",
        "'@SUM(A1)",
        "''-x",  # typed with its ' first: apart from "-x"
    ]
    assert {row[3] for row in rows[2::2]} == {""}  # the face nobody named
    assert rows[1][2:5] == ["1", "Anna", "1"]  # id, name, then the box as before
    # A folder's CSV with names too: file after frame, name after track_id.
    with FaceCsvWriter(tmp_path / "y.csv", ("a", "b"), file_column=True, name_column=True) as writer:
        assert writer.columns[:6] == ("frame", "file", "time_s", "track_id", "name", "x")
    # Without it (analyze) the columns are as they were.
    with FaceCsvWriter(tmp_path / "z.csv", ("a", "b")) as writer:
        assert "name" not in writer.columns and writer.columns[2:4] == ("track_id", "x")


def test_spreadsheet_text_keeps_plain_names_and_a_lone_surrogate_fails_no_file() -> None:
    assert spreadsheet_text("Anna-Lena") == "Anna-Lena"  # only the first character counts
    assert spreadsheet_text("\tx") == "'\tx" and spreadsheet_text("\r=x") == "'\r=x"
    assert spreadsheet_text("a\n=x") == "a\n=x"  # a line break within is the CSV writer's to quote


def test_spreadsheet_text_keeps_a_line_feed_or_full_width_sign_first_as_text() -> None:
    # Was: only ASCII = + - @, tab and CR were looked for. OWASP's list has a line feed
    # too, and Excel in a Japanese locale reads a full-width ＝ ＋ － ＠ as the ASCII sign.
    for text in ("\n=1+2", "＝cmd|' /C calc'!A0", "＋1", "－1", "＠SUM(1)"):
        assert spreadsheet_text(text) == "'" + text
    assert spreadsheet_text("ー") == "ー"  # the katakana long vowel mark is no minus
    assert spreadsheet_text("a\udce9") == "a\\udce9"  # UTF-8 cannot hold it: written as Python shows it
    assert spreadsheet_text("") == ""


def test_spreadsheet_text_keeps_a_name_starting_with_a_quote_apart_from_a_formula() -> None:
    # Was: "=x" got a ' first and "'=x" was left as it was, so both came out "'=x" and the
    # CSV could not say which had been typed; a ' first now gets one more, as a formula does.
    assert spreadsheet_text("=x") == "'=x"
    assert spreadsheet_text("'=x") == "''=x"
    assert spreadsheet_text("'") == "''" and spreadsheet_text("O'Brien") == "O'Brien"


def _two_class_face() -> FaceResult:
    return FaceResult((1, 2, 30, 30), 1, "b", 0.75, (0.25, 0.75), False, (0.3, 0.7), 0.0)


def test_csv_rejects_faces_from_another_model(tmp_path: Path) -> None:
    with FaceCsvWriter(tmp_path / "x.csv", ("a", "b")) as writer:
        with pytest.raises(ValueError, match="6 probabilities"):
            writer.write_frame(0, 0.0, [make_face(1)])


def test_csv_unwritable_path_names_it(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OutputError, match="CSV .*faces.csv.* not a folder"):
        FaceCsvWriter(blocker / "faces.csv", SIX_LABELS)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _run(args: list[str], timeout: int, **env: str) -> subprocess.CompletedProcess[str]:
    """This Python run with ``args`` in the repository, with ``env`` and none of the user's
    own FFmpeg log settings."""
    clean = {k: v for k, v in os.environ.items() if k not in ("OPENCV_FFMPEG_LOGLEVEL", "OPENCV_FFMPEG_DEBUG")}
    return subprocess.run(
        [sys.executable, *args],
        cwd=Path(__file__).resolve().parents[1],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return _run(["-c", code], 120, **env)


def test_the_codec_probe_and_a_damaged_file_leave_the_terminal_clean(tmp_path: Path) -> None:
    # FFmpeg's own lines (an H.264 encoder it cannot open, a file without its index) used
    # to reach stderr at every start-up; the app reports failures in its own words.
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(64))
    code = (
        "from emotion_app.io.codecs import codec_for\n"
        "from emotion_app.io.video import InputError, open_input\n"
        "print(codec_for('.mp4').name)\n"
        "try:\n"
        f"    open_input(__import__('pathlib').Path({str(broken)!r}))\n"
        "except InputError as exc:\n"
        "    print('refused:', exc)\n"
    )
    done = _run_python(code)
    assert done.returncode == 0, done.stderr
    assert "refused:" in done.stdout
    assert "@ 0x" not in done.stderr, done.stderr  # FFmpeg's "[codec @ 0x...]" prefix


def test_a_frame_too_wide_for_mpeg4_part2_is_refused_in_one_line_saying_what_works(tmp_path: Path) -> None:
    # A 9000 px panorama: FFmpeg's MPEG-4 Part 2 encoder takes sides up to 8191 px.
    code = (
        "import numpy as np\n"
        "from emotion_app.io.codecs import h264_codec\n"
        "from emotion_app.io.video import AnnotatedVideoWriter, OutputError\n"
        "if h264_codec() is not None:\n"
        "    raise SystemExit(0)\n"
        f"writer = AnnotatedVideoWriter(__import__('pathlib').Path({str(tmp_path / 'wide.mp4')!r}), 10.0)\n"
        "try:\n"
        "    writer.write(np.zeros((16, 9000, 3), np.uint8))\n"
        "except OutputError as exc:\n"
        "    print('refused:', exc)\n"
    )
    done = _run_python(code)
    assert done.returncode == 0, done.stderr
    if "refused" not in done.stdout:
        pytest.skip("this OpenCV writes H.264, whose limits differ")
    assert "at most 8191 px a side, these are 9000x16; write an .avi or .mkv instead" in done.stdout
    assert done.stderr == "" and list(tmp_path.iterdir()) == []
    # The suggestion holds.
    writer = AnnotatedVideoWriter(tmp_path / "wide.avi", 10.0)
    writer.write(np.zeros((16, 9000, 3), np.uint8))
    writer.close()
    assert (tmp_path / "wide.avi").is_file()


# FFmpeg's own lines as its default logger prints them ("[h264 @ 0x55...] error while
# decoding MB 3 4") and as OpenCV's does where a level is set ("[OPENCV:FFMPEG:16] ...").
_FFMPEG_LINE = re.compile(r"^\[\w+ @ 0x[0-9a-f]+\]|^\[OPENCV:FFMPEG:", re.MULTILINE)


def _damaged_video(folder: Path, fourcc: str) -> Path:
    """A short video whose data is overwritten in places: FFmpeg's decoder conceals the
    damage in some frames (and complains); a Motion JPEG's frame 5 does not decode at all."""
    suffix = ".mp4" if fourcc == "mp4v" else ".avi"
    good, damaged = folder / f"good{suffix}", folder / f"damaged{suffix}"
    writer = cv2.VideoWriter(str(good), cv2.VideoWriter.fourcc(*fourcc), 10.0, (160, 120))
    for frame in numbered_frames(24):
        writer.write(frame)
    writer.release()
    if fourcc == "MJPG":
        damage_mjpeg_frame(good, 5, good)
    data = bytearray(good.read_bytes())
    for tenth in (3, 4, 5, 6) if fourcc == "mp4v" else (5,):
        middle = len(data) * tenth // 10
        data[middle : middle + 64] = b"\x5a" * 64
    damaged.write_bytes(bytes(data))
    return damaged


def _run_analyze(video: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return _run(["-m", "emotion_app", "analyze", str(video), "--csv", str(video.with_suffix(".csv"))], 180, **env)


@pytest.mark.parametrize("fourcc", ["mp4v", "MJPG"])
def test_analyze_of_a_damaged_video_leaves_ffmpegs_decoder_errors_off_the_terminal(fourcc: str, tmp_path: Path) -> None:
    # FFmpeg's decoder printed a line or two per damaged frame ("[mpeg4 @ 0x...] ac-tex
    # damaged at 5 5", "[mjpeg @ 0x...] error count: 64") between analyze's own lines.
    video = _damaged_video(tmp_path, fourcc)
    done = _run_analyze(video)
    assert done.returncode == 0, done.stderr
    assert not _FFMPEG_LINE.search(done.stderr + done.stdout), done.stderr + done.stdout
    decoded = 24 if fourcc == "mp4v" else 23
    assert f"{video}: {decoded} frames analysed" in done.stdout
    # What the app says in its own words stays: the frame that did not decode.
    skipped = [line for line in done.stderr.splitlines() if "could not be decoded" in line]
    assert skipped == ([] if fourcc == "mp4v" else [f"WARNING: {video}: frame 5 could not be decoded; skipped"])


@pytest.mark.parametrize("setting", ["OPENCV_FFMPEG_LOGLEVEL=16", "OPENCV_FFMPEG_DEBUG=1"])
def test_ffmpegs_decoder_errors_show_where_the_user_asks_for_them(setting: str, tmp_path: Path) -> None:
    # OpenCV's two switches for FFmpeg's log: a level, or OPENCV_FFMPEG_DEBUG alone (FFmpeg's
    # verbose level). The app's quiet default overrode the second: nothing showed.
    name, value = setting.split("=")
    done = _run_analyze(_damaged_video(tmp_path, "mp4v"), **{name: value})
    assert done.returncode == 0, done.stderr
    assert "[OPENCV:FFMPEG:16] ac-tex damaged" in done.stdout, done.stdout


def test_a_users_own_ffmpeg_log_level_is_kept() -> None:
    code = "import os, emotion_app.io.codecs; print(os.environ['OPENCV_FFMPEG_LOGLEVEL'])"
    assert _run_python(code, OPENCV_FFMPEG_LOGLEVEL="32").stdout.strip() == "32"
    assert _run_python(code).stdout.strip() == "0"


def test_ffmpegs_fatal_lines_about_damaged_jpegs_stay_off_the_terminal(tmp_path: Path) -> None:
    # FFmpeg's JPEG decoder tells a frame with no JPEG in it at its fatal level, which the
    # app let through: "[OPENCV:FFMPEG:08] No JPEG data found in image", on standard
    # output (OpenCV prints FFmpeg's lines there), for each damaged frame of a Motion JPEG
    # video, and twice before the one-line refusal of a .jpg of no picture.
    write_video(tmp_path / "good.avi", numbered_frames(12))
    damaged = tmp_path / "damaged.avi"
    damage_mjpeg_frame(tmp_path / "good.avi", 5, damaged)
    no_picture = _write(tmp_path / "photo.jpg", bytes(range(256)) * 8)
    code = (
        "import logging, pathlib\n"
        "from emotion_app.io.video import InputError, open_input\n"
        "logging.disable(logging.WARNING)\n"
        f"print(len(list(open_input(pathlib.Path({str(damaged)!r})).frames())))\n"
        "try:\n"
        f"    open_input(pathlib.Path({str(no_picture)!r}))\n"
        "except InputError:\n"
        "    print('refused')\n"
    )
    done = _run_python(code)
    assert (done.stdout, done.stderr) == ("11\nrefused\n", "")


@pytest.mark.parametrize("kind", ["32-bit integer TIFF", "damaged PNG"])
def test_a_picture_opencv_cannot_decode_is_refused_in_one_line(kind: str, tmp_path: Path) -> None:
    # OpenCV's colour decoding refuses TIFFs of 32-bit samples with a warning of its own
    # ("[ WARN:0@...] ... can not handle images with 32-bit samples"); integers beyond 0..255
    # have no 8-bit reading either. libpng printed "libpng error: IDAT: CRC error" for a
    # damaged PNG, past OpenCV's log.
    if kind == "32-bit integer TIFF":
        picture = tmp_path / "wide.tiff"
        assert cv2.imwrite(str(picture), np.full((32, 32, 3), 100_000, np.int32))
    else:
        picture = tmp_path / "damaged.png"
        assert cv2.imwrite(str(picture), astronaut_bgr())
        data = bytearray(picture.read_bytes())
        middle = len(data) * 7 // 10
        data[middle : middle + 200] = bytes(200)
        picture.write_bytes(bytes(data))
    code = (
        "from emotion_app.cli import main\n"
        f"raise SystemExit(main(['analyze', {str(picture)!r}, '--csv', {str(tmp_path / 'out.csv')!r}]))\n"
    )
    done = _run_python(code)
    assert done.returncode != 0
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines == [f"error: {picture}: not an image OpenCV can decode (corrupt or unsupported)"], done.stderr
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize("scale", [1.0 / 255.0, 1.0], ids=["0..1", "0..255"])
def test_a_float_tiff_is_read_as_float_frames_are(scale: float, tmp_path: Path) -> None:
    # An HDR or scientific camera's TIFF of 32-bit floats: OpenCV's colour decoding
    # refuses it, and analyze said "not an image OpenCV can decode".
    face = astronaut_bgr()
    samples = face.astype(np.float32) * np.float32(scale)
    samples[:4, :4] = np.nan  # a dead sensor's pixels: black, not a refusal
    single, paged = tmp_path / "float.tiff", tmp_path / "pages.tiff"
    assert cv2.imwrite(str(single), samples)
    assert cv2.imwritemulti(str(paged), [samples, samples[::-1].copy()])
    ((_, _, frame),) = list(open_input(single).frames())
    pages = [page for _, _, page in open_input(paged).frames()]
    assert len(pages) == 2
    for picture, expected in ((frame, face), (pages[0], face), (pages[1], face[::-1])):
        assert picture.dtype == np.uint8 and picture.shape == face.shape
        difference = np.abs(picture.astype(np.int16) - expected.astype(np.int16))
        assert difference[4:-4].max() <= 1
    assert not frame[:4, :4].any()


def test_analyze_finds_the_face_in_a_float_tiff(tmp_path: Path) -> None:
    picture, report = tmp_path / "float.tiff", tmp_path / "faces.csv"
    assert cv2.imwrite(str(picture), astronaut_bgr().astype(np.float32) / np.float32(255.0))
    code = (
        "from emotion_app.cli import main\n"
        f"raise SystemExit(main(['analyze', {str(picture)!r}, '--csv', {str(report)!r}]))\n"
    )
    done = _run_python(code)
    assert done.returncode == 0, done.stderr
    with report.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1
    x, y, w, h = (int(rows[0][name]) for name in ("x", "y", "w", "h"))
    assert 150 <= x + w / 2 <= 260 and 60 <= y + h / 2 <= 170  # the astronaut's face


def test_a_jpeg_cut_short_gives_the_part_it_holds_once_with_a_warning(tmp_path: Path) -> None:
    # A download that stopped: image viewers show the top of such a picture, OpenCV's
    # in-memory decoder refused it whole.
    whole = tmp_path / "whole.jpg"
    assert cv2.imwrite(str(whole), astronaut_bgr())
    data = whole.read_bytes()
    cut = _write(tmp_path / "cut.jpg", data[: len(data) * 3 // 4])
    expected = cv2.imread(str(whole))
    assert expected is not None
    code = (
        "import cv2\n"
        "from emotion_app.cli import main\n"
        f"code = main(['analyze', {str(cut)!r}, '--csv', {str(tmp_path / 'out.csv')!r},"
        f" '--output', {str(tmp_path / 'out.png')!r}])\n"
        "from emotion_app.io.video import open_input\n"
        f"((_, _, frame),) = list(open_input({str(cut)!r}).frames())\n"
        f"cv2.imwrite({str(tmp_path / 'frame.png')!r}, frame)\n"
        "raise SystemExit(code)\n"
    )
    done = _run_python(code)
    assert done.returncode == 0, done.stderr
    frame = cv2.imread(str(tmp_path / "frame.png"))
    assert frame is not None and frame.shape == expected.shape
    assert np.array_equal(frame[:128], expected[:128]), "the part the file holds decodes as in the whole file"
    assert np.all(frame[-8:] == 128), "the rest is grey"
    rows = list(csv.DictReader((tmp_path / "out.csv").open()))
    assert len(rows) == 1, "the astronaut's face, in the top half, is found"
    warnings = [line for line in done.stderr.splitlines() if "cut short" in line]
    assert len(warnings) == 2 and str(cut) in warnings[0], done.stderr  # analyze's, then open_input's
    assert "Corrupt JPEG data" not in done.stderr, "libjpeg's own line, beside the warning that says it"
    assert cut.read_bytes() == data[: len(data) * 3 // 4]


# Exif blocks (APP1 "Exif\0\0", then a TIFF header) that a camera or an editor got wrong:
# an IFD whose entries lie past the block's end, and an orientation tag whose data does.
_BROKEN_EXIF = {
    "entries past the end": b"Exif\x00\x00II*\x00" + struct.pack("<IH", 8, 3),
    "tag data past the end": b"Exif\x00\x00II*\x00" + struct.pack("<IHHHII", 8, 1, 0x0112, 3, 5000, 0xFFFF),
}


@pytest.mark.parametrize("damage", list(_BROKEN_EXIF))
def test_a_jpeg_with_a_corrupt_exif_block_decodes_without_a_line_on_the_terminal(tmp_path: Path, damage: str) -> None:
    # Was: Pillow, reading the header (the size, before decoding) and the Exif orientation
    # of the player's JPEGs, printed "UserWarning: Corrupt EXIF data.  Expecting to read
    # 12 bytes but only got 0." on the terminal. The picture is the one the JPEG holds.
    clean = cv2.imencode(".jpg", astronaut_bgr())[1].tobytes()
    block = _BROKEN_EXIF[damage]
    app1 = b"\xff\xe1" + struct.pack(">H", len(block) + 2) + block
    broken = _write(tmp_path / "photo.jpg", clean[:2] + app1 + clean[2:])
    code = (
        "import pathlib, warnings\n"
        "import cv2, numpy as np\n"
        "from emotion_app.io.video import decode_jpeg_silently, read_image\n"
        f"path = pathlib.Path({str(broken)!r})\n"
        "filters = list(warnings.filters)\n"
        f"cv2.imwrite({str(tmp_path / 'read.png')!r}, read_image(path))\n"
        f"cv2.imwrite({str(tmp_path / 'decoded.png')!r}, decode_jpeg_silently(np.fromfile(path, np.uint8)))\n"
        "assert warnings.filters == filters, 'the warning filters are as they were'\n"
    )
    done = _run_python(code)
    assert (done.returncode, done.stderr) == (0, "")
    expected = cv2.imdecode(np.frombuffer(clean, np.uint8), cv2.IMREAD_COLOR)
    assert expected is not None
    for name in ("read.png", "decoded.png"):
        written = cv2.imread(str(tmp_path / name))
        assert written is not None and np.array_equal(written, expected), name


def _bar_position(frame: np.ndarray) -> int:
    return int(np.argmax(frame[:, :, 1].mean(axis=0) > 200))


def test_a_frame_that_does_not_decode_is_skipped_and_the_rest_still_read(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write_video(tmp_path / "good.avi", numbered_frames(40))
    damaged = tmp_path / "damaged.avi"
    damage_mjpeg_frame(tmp_path / "good.avi", 20, damaged)
    with caplog.at_level("WARNING"):
        frames = list(open_input(damaged).frames())
    # Frame 20 is missing; every later frame keeps its own index and picture.
    assert [index for index, _, _ in frames] == [index for index in range(40) if index != 20]
    assert all(abs(_bar_position(frame) - 3 * index) <= 1 for index, _, frame in frames)
    assert "frame 20 could not be decoded; skipped" in caplog.text
    assert "could be decoded (truncated or damaged)" not in caplog.text  # one frame short: no alarm


def test_a_frame_the_decoder_held_back_past_a_failed_read_keeps_its_place(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Was: each read that failed counted a frame lost, but the frame FFmpeg's decoder gives
    # after a damaged packet's read failed, at a file's cut, is one it held back (a B-frame
    # stream's): it was numbered one past its place, its time right (a real H.264 clip cut
    # short: its frame 223 numbered 224, at 9.30 s of 23.976 fps).
    video = write_mpeg2_mp4(tmp_path / "whole.mp4", numbered_frames(40))
    cut = damaged_at_group(video, -2, tmp_path / "cut.mp4", cut=True)
    read_ok = [ok for ok, _ in reads(cut)]
    failed = read_ok.index(False)
    assert read_ok[failed + 1] and not any(read_ok[failed + 2 :])  # the frame held back, then the end
    with caplog.at_level("WARNING"):
        frames = list(open_input(cut).frames())
    assert [index for index, _, _ in frames] == list(range(failed + 1))
    for index, time_s, frame in frames:
        assert time_s is not None and round(time_s * MPEG2_FPS) == index == bar_number(frame), (index, time_s)
    assert "could not be decoded" not in caplog.text  # no frame was lost before it
    assert f"{failed + 1} of the 40 frames the file announces could be decoded" in caplog.text


def test_frames_after_a_group_of_pictures_that_does_not_decode_keep_their_places(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The reads that fail, a group of pictures long, lose its frames but the one the decoder
    # held before it (given first, at its own place): those after are placed by their time.
    video = write_mpeg2_mp4(tmp_path / "whole.mp4", numbered_frames(40))
    damaged = damaged_at_group(video, -2, tmp_path / "damaged.mp4", cut=False)
    with caplog.at_level("WARNING"):
        frames = list(open_input(damaged).frames())
    for index, time_s, _ in frames:
        assert time_s is not None and round(time_s * MPEG2_FPS) == index, (index, time_s)
    lost = sorted(set(range(40)).difference(index for index, _, _ in frames))
    assert lost == list(range(lost[0], lost[-1] + 1)) and lost[-1] < 39
    assert f"{frame_span(lost[0], lost[-1] + 1)} could not be decoded; skipped" in caplog.text
    assert frames[-1][0] == 39 == bar_number(frames[-1][2])


def damaged_start(folder: Path, frames: int, damaged: int) -> Path:
    """``frames`` numbered frames (10 fps MJPG AVI) whose first ``damaged`` JPEGs do not decode."""
    path = write_video(folder / "damaged_start.avi", numbered_frames(frames))
    for frame in reversed(range(damaged)):  # from the last: a damaged JPEG's start is found no more
        damage_mjpeg_frame(path, frame, path)
    return path


def test_a_video_whose_first_frames_do_not_decode_is_read_from_the_first_that_does(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Was: refused, "video has no readable frames (empty, corrupt or unsupported codec)", as
    # a file of no frame is: only its first read was tried, and it failed.
    damaged = damaged_start(tmp_path, 40, 2)
    assert [ok for ok, _ in reads(damaged)][:3] == [False, False, True]
    with caplog.at_level("WARNING"):
        media = open_input(damaged)
        frames = list(media.frames())
    assert (media.kind, media.frame_count) == ("video", 40)
    # The lost frames keep their places, as a damaged stretch's further on do.
    assert [index for index, _, _ in frames] == list(range(2, 40))
    for index, time_s, frame in frames:
        assert time_s is not None and round(time_s * 10) == index == bar_number(frame), (index, time_s)
    assert "frames 0-1 could not be decoded; skipped" in caplog.text
    assert "could be decoded (truncated or damaged)" not in caplog.text
    assert media.first_times(3) == pytest.approx([0.2, 0.3, 0.4])  # the annotated video's rate, from them


def test_a_video_whose_first_group_of_pictures_does_not_decode_places_its_frames_by_their_times(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # MPEG-2's decoder drops the B-frames that depend on a damaged first picture without a
    # read of their own failing: fewer reads fail than frames are lost, and the frames'
    # times tell their places.
    video = write_mpeg2_mp4(tmp_path / "whole.mp4", numbered_frames(40))
    damaged = damaged_at_group(video, 0, tmp_path / "damaged.mp4", cut=False)
    read_ok = [ok for ok, _ in reads(damaged)]
    failed = read_ok.index(True)
    assert failed > 0
    with caplog.at_level("WARNING"):
        frames = list(open_input(damaged).frames())
    first = frames[0][0]
    assert first > failed
    for index, time_s, frame in frames:
        assert time_s is not None and round(time_s * MPEG2_FPS) == index == bar_number(frame), (index, time_s)
    assert [index for index, _, _ in frames] == list(range(first, 40))
    assert f"{frame_span(0, first)} could not be decoded; skipped" in caplog.text


def test_a_video_whose_frames_do_not_decode_for_longer_than_a_damaged_stretch_is_refused(tmp_path: Path) -> None:
    # The reads at its start are as many as a damaged stretch's further on: a file of
    # garbage that opens is refused once they fail, not read on to its end. The frame
    # after them is not looked for; one within them is.
    readable = damaged_start(tmp_path, MAX_UNDECODABLE_RUN + 10, MAX_UNDECODABLE_RUN - 1)
    assert next(open_input(readable).frames())[0] == MAX_UNDECODABLE_RUN - 1
    refused = damaged_start(tmp_path, MAX_UNDECODABLE_RUN + 10, MAX_UNDECODABLE_RUN)
    assert [ok for ok, _ in reads(refused)].index(True) == MAX_UNDECODABLE_RUN
    with pytest.raises(InputError, match=r"damaged_start\.avi: video has no readable frames \(empty, corrupt"):
        open_input(refused)


def test_a_video_cut_short_says_how_much_of_it_was_read(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    write_video(tmp_path / "good.avi", numbered_frames(40))
    data = (tmp_path / "good.avi").read_bytes()
    starts = [match.start() for match in re.finditer(b"\xff\xd8\xff", data)]
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: starts[15]] + data[-2000:])  # frames 15 on gone, the index kept
    with caplog.at_level("WARNING"):
        frames = list(open_input(cut).frames())
    assert 0 < len(frames) <= 15
    assert f"{len(frames)} of the 40 frames the file announces could be decoded" in caplog.text


def test_only_a_clear_shortfall_of_frames_counts_as_a_cut_file() -> None:
    from emotion_app.io.video import clearly_short

    assert not clearly_short(95, 98)  # a real clip whose container's count is 3 frames off
    assert not clearly_short(10, 0)  # no count given
    assert clearly_short(57, 472) and clearly_short(20, 30)


def test_quiet_blocks_on_two_threads_give_the_log_level_back() -> None:
    import threading

    from emotion_app.io.codecs import quiet_opencv_log

    before = cv2.utils.logging.getLogLevel()
    first_in, second_out = threading.Event(), threading.Event()

    def first() -> None:
        with quiet_opencv_log():
            first_in.set()
            second_out.wait(5)

    thread = threading.Thread(target=first)
    thread.start()
    first_in.wait(5)
    with quiet_opencv_log():  # overlaps the first block, and outlives it
        second_out.set()
        thread.join(5)
        assert cv2.utils.logging.getLogLevel() == cv2.utils.logging.LOG_LEVEL_SILENT
    assert cv2.utils.logging.getLogLevel() == before


@pytest.mark.parametrize("segments", [3, 6])
def test_a_jpegs_size_behind_its_metadata_is_read(tmp_path: Path, segments: int) -> None:
    # The header reader walks a JPEG's segments within its first JPEG_HEADER_BYTES (16 MiB;
    # it gave Pillow 256 KiB, and past them left the size unchecked): the size is read
    # behind 3 or 6 segments of 64 KiB, and the picture is read.
    from emotion_app.io.picture_size import JPEG_HEADER_BYTES, read_header
    from emotion_app.io.video import read_image

    clean = cv2.imencode(".jpg", astronaut_bgr())[1].tobytes()
    app2 = b"\xff\xe2" + struct.pack(">H", 0xFFFF) + bytes(0xFFFD)  # 64 KiB: the most a segment holds
    photo = _write(tmp_path / "photo.jpg", clean[:2] + app2 * segments + clean[2:])
    header = read_header(photo)
    assert len(app2) * segments < JPEG_HEADER_BYTES
    assert header is not None and (header.width, header.height, header.kind) == (512, 512, "JPEG")
    image, expected = read_image(photo), cv2.imdecode(np.frombuffer(clean, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None and expected is not None and np.array_equal(image, expected)
