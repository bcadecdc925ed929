"""What a hostile-user session over odd media found (2026-12-03): a clip renamed to a
picture's name refused; raw MJPEG files stretched and sought past their end; animated
pictures and multi-page TIFFs read as their first frame or page without a word.

Every file is real and written by the test.
"""

from __future__ import annotations

import contextlib
import csv
import re
import struct
import subprocess
import sys
from collections import Counter
from pathlib import Path

import cv2
import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from emotion_app.cli import main
from emotion_app.gui.main_window import MainWindow
from emotion_app.io import multi_picture
from emotion_app.io.video import open_input
from emotion_app.samples import astronaut_frames, write_astronaut_video
from emotion_app.sources.opening import open_frame_source
from emotion_app.sources.specs import VideoFileSpec
from tests.gui_support import WAIT_MS, WindowFactory, paused_at, playback_of, shown_result
from tests.hostile_support import number_of, numbered, write_raw_mjpeg

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def analyze(*args: object, weights: Path) -> int:
    return main(["analyze", *map(str, args), "--weights", str(weights)])


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def app_frames(path: Path, count: int | None = None) -> list[np.ndarray]:
    """Every frame the app's source for ``path`` reads (``count``: the count it announces)."""
    source = open_frame_source(VideoFileSpec(path))
    frames = []
    try:
        if count is not None:
            assert source.frame_count == count
        while (frame := source.read()) is not None:
            frames.append(frame)
    finally:
        source.release()
    return frames


def test_a_video_named_like_a_picture_is_read_as_a_video(
    random_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    # Before, "clip.jpg: not an image OpenCV can decode" (exit 2), in the app too.
    clip = write_astronaut_video(tmp_path / "clip.mp4", num_frames=12, fps=10.0)
    named = clip.path.rename(tmp_path / "clip.jpg")
    assert analyze(named, "--csv", tmp_path / "faces.csv", weights=random_weights) == 0
    assert "12 frames analysed" in capsys.readouterr().out
    assert [record.getMessage() for record in caplog.records] == [
        f"{named}: a video file named like a picture; read as a video"
    ]
    rows = csv_rows(tmp_path / "faces.csv")
    assert {int(row["frame"]) for row in rows} == set(range(12)), "a face in every frame"
    assert float(rows[-1]["time_s"]) == pytest.approx(1.1)
    assert len(app_frames(named, count=12)) == 12


def test_a_file_named_like_a_picture_that_is_neither_is_tried_as_a_video_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: tried twice, the second time only to word the error (a slow probe on a big file).
    from emotion_app.io import video

    junk = tmp_path / "junk.jpg"
    junk.write_bytes(bytes(range(256)) * 64)
    opened: list[Path] = []
    real_open = video.open_video_capture

    def counted_open(path: Path) -> cv2.VideoCapture:
        opened.append(path)
        return real_open(path)

    monkeypatch.setattr(video, "open_video_capture", counted_open)
    with pytest.raises(video.InputError, match=r"junk\.jpg: not an image OpenCV can decode"):
        open_input(junk)
    assert opened == [junk]


def test_a_raw_mjpeg_that_turns_to_portrait_is_not_stretched(
    random_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before, every frame came at the first one's 320x240, the portrait ones squeezed.
    landscape, _ = astronaut_frames(num_frames=8, frame_size=(320, 240), face_size=80, motion="static")
    portrait, _ = astronaut_frames(num_frames=8, frame_size=(240, 400), face_size=80, motion="static")
    # The portrait face low in its frame: below the landscape frames' height.
    portrait = [np.roll(frame, 120, axis=0) for frame in portrait]
    clip = write_raw_mjpeg(tmp_path / "turned.mjpeg", landscape + portrait)
    sizes = [frame.shape for _, _, frame in open_input(clip).frames()]
    assert sizes == [(240, 320, 3)] * 8 + [(400, 240, 3)] * 8
    assert [frame.shape for frame in app_frames(clip)] == sizes
    out = tmp_path / "faces.csv"
    assert analyze(clip, "--csv", out, "-o", tmp_path / "turned.avi", weights=random_weights) == 0
    assert "16 frames analysed" in capsys.readouterr().out
    boxes = {int(row["frame"]): (int(row["x"]), int(row["y"]), int(row["w"]), int(row["h"])) for row in csv_rows(out)}
    assert set(boxes) == set(range(16))
    for frame in range(8, 16):
        x, y, w, h = boxes[frame]
        assert x + w <= 240 and y + h > 240, (frame, boxes[frame])  # where the portrait frame has the face


def test_a_seek_in_a_raw_mjpeg_lands_on_the_frame_or_the_last(tmp_path: Path) -> None:
    # Before, a seek said yes and moved nowhere; past the end it claimed a frame that is not there.
    clip = write_raw_mjpeg(tmp_path / "numbered.mjpeg", numbered(50))
    source = open_frame_source(VideoFileSpec(clip))
    try:
        assert source.frame_count == 50, "a short file's JPEGs are counted as it opens"
        first = source.read()
        assert first is not None and number_of(first) == 0
        for target in (30, 5, 49):
            assert source.seek(target)
            frame = source.read()
            assert frame is not None and number_of(frame) == target
        assert source.seek(500)
        frame = source.read()
        assert frame is not None and number_of(frame) == 49, "past the end: the last frame"
        assert source.frame_count == 50
        assert source.read() is None
    finally:
        source.release()


def test_a_seek_in_a_raw_mjpeg_reads_on_in_the_open_file(tmp_path: Path) -> None:
    # Was: every seek read the file again from its start up to the frame (seconds per
    # seek-ahead key press in a long recording), so one that can no longer be opened
    # (moved or deleted while it plays) could not even seek ahead; later, a seek ahead
    # read on, and one behind still opened the file again.
    clip = write_raw_mjpeg(tmp_path / "numbered.mjpeg", numbered(50))
    source = open_frame_source(VideoFileSpec(clip))
    try:
        for _ in range(3):
            assert source.read() is not None
        clip.unlink()  # the open file reads on; a second open would fail
        for target in (3, 30, 45):
            assert source.seek(target)
            frame = source.read()
            assert frame is not None and number_of(frame) == target
        assert source.last_time_s == pytest.approx(45 / 25.0), "FFmpeg's 25 fps for a raw MJPEG"
        assert source.seek(10), "behind too: a seek is a seek in the open file, not a second opening"
        frame = source.read()
        assert frame is not None and number_of(frame) == 10
    finally:
        source.release()


def paused_on_a_raw_mjpeg(qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, frame: int) -> MainWindow:
    """The app playing a 50-frame raw MJPEG file, paused and sought to ``frame``."""
    window = make_window(video=write_raw_mjpeg(tmp_path / "numbered.mjpeg", numbered(50)))
    paused_at(qtbot, window, frame)
    return window


def test_the_app_seeking_past_a_raw_mjpegs_end_shows_its_last_frame(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    window = paused_on_a_raw_mjpeg(qtbot, make_window, tmp_path, 20)
    assert number_of(shown_result(window).image) == 20
    window.seek(400)
    qtbot.waitUntil(lambda: shown_result(window).frame_index == 49, timeout=WAIT_MS)
    assert number_of(shown_result(window).image) == 49
    # The seek bar's report comes from the capture thread on its own, not with the result.
    qtbot.waitUntil(lambda: playback_of(window).position == 49, timeout=WAIT_MS)


def test_a_frame_step_past_a_raw_mjpegs_end_stays_on_its_last_frame(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: "Finished playing numbered.mjpeg (50 frames)" and the file closed, where a video
    # that says its length stays on its last frame.
    window = paused_on_a_raw_mjpeg(qtbot, make_window, tmp_path, 48)
    window.step(1)
    qtbot.waitUntil(lambda: shown_result(window).frame_index == 49, timeout=WAIT_MS)
    with qtbot.waitSignal(window.controller.playback, timeout=WAIT_MS):
        window.step(1)  # past the end
    assert window.is_running and window.source_state.paused, window.source_banner.text()
    assert shown_result(window).frame_index == 49 and number_of(shown_result(window).image) == 49
    assert playback_of(window).position == 49
    window.step(-1)
    qtbot.waitUntil(lambda: shown_result(window).frame_index == 48, timeout=WAIT_MS)
    assert number_of(shown_result(window).image) == 48


def test_a_damaged_jpeg_in_a_raw_mjpeg_is_skipped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    frames = [cv2.imencode(".jpg", frame)[1].tobytes() for frame in numbered(12)]
    frames[5] = frames[5][:4] + bytes(len(frames[5]) - 6) + frames[5][-2:]  # its tables and data gone
    clip = tmp_path / "damaged.mjpeg"
    clip.write_bytes(b"".join(frames))
    read = [(index, number_of(frame)) for index, _, frame in open_input(clip).frames()]
    assert read == [(index, index) for index in range(12) if index != 5]
    assert "frame 5 could not be decoded; skipped" in caplog.text


def test_a_raw_mjpeg_cut_short_in_its_last_jpeg_says_so(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # Was: the last frame left out without a word (a raw MJPEG file announces no count).
    jpegs = [cv2.imencode(".jpg", frame)[1].tobytes() for frame in numbered(12)]
    clip = tmp_path / "cut.mjpeg"
    clip.write_bytes(b"".join(jpegs)[: -len(jpegs[-1]) // 2])
    read = [index for index, _, _ in open_input(clip).frames()]
    assert read == list(range(11))
    assert f"{clip}: frame 11 could not be decoded; left out" in caplog.text


DURATIONS_MS = [100, 200, 100, 300, 100, 100]
STARTS_S = [0.0, 0.1, 0.3, 0.4, 0.7, 0.8]


def write_animation(path: Path) -> Path:
    """An animated picture (its format by its suffix) of the astronaut, its frames of uneven lengths."""
    frames, _ = astronaut_frames(num_frames=len(DURATIONS_MS), frame_size=(320, 240), face_size=80, motion="static")
    for index, frame in enumerate(frames):
        frame[:8] = 40 * index  # no two frames alike: an encoder would merge them
    animation = cv2.Animation()
    animation.frames = frames
    animation.durations = DURATIONS_MS
    assert cv2.imwriteanimation(str(path), animation)
    return path


def write_pages(path: Path, pages: int = 3) -> Path:
    frames, _ = astronaut_frames(num_frames=pages, frame_size=(320, 240), face_size=80, motion="static")
    for index, frame in enumerate(frames):
        frame[:8] = 60 * index  # a band that tells the pages apart
    assert cv2.imwritemulti(str(path), frames)
    return path


@pytest.mark.parametrize("suffix", [".webp", ".png"], ids=["WebP", "APNG"])
def test_an_animated_picture_is_read_as_a_video_at_its_frames_times(
    random_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    # Before, "1 image analysed": its first frame, without a word.
    animation = write_animation(tmp_path / f"wave{suffix}")
    out = tmp_path / "faces.csv"
    assert analyze(animation, "--csv", out, "-o", tmp_path / "wave.avi", weights=random_weights) == 0
    printed = capsys.readouterr().out
    assert "6 frames analysed" in printed and "annotated video" in printed
    rows = csv_rows(out)
    assert [int(row["frame"]) for row in rows] == list(range(6))
    assert [float(row["time_s"]) for row in rows] == pytest.approx(STARTS_S)
    assert len({row["track_id"] for row in rows}) == 1, "one face, followed as in a video"
    source = open_frame_source(VideoFileSpec(animation))
    try:
        assert (source.frame_count, source.width, source.height) == (6, 320, 240)
        times = []
        while source.read() is not None:
            times.append(source.last_time_s)
        assert times == pytest.approx(STARTS_S)
        assert source.seek(3) and source.read() is not None and source.last_time_s == pytest.approx(0.4)
    finally:
        source.release()


def test_a_multi_page_tiffs_pages_are_read_as_pictures(
    random_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before, "1 image analysed": its first page, without a word.
    pages = write_pages(tmp_path / "scans.tiff")
    out = tmp_path / "faces.csv"
    assert analyze(pages, "--csv", out, weights=random_weights) == 0
    assert "3 images analysed" in capsys.readouterr().out
    rows = csv_rows(out)
    assert [(int(row["frame"]), row["time_s"]) for row in rows] == [(0, ""), (1, ""), (2, "")]
    assert [int(frame[2, 300, 0]) for frame in app_frames(pages, count=3)] == [0, 60, 120]
    media = open_input(pages)
    for _ in range(2):  # a second reading has every page too, the first decoded again
        assert [(index, int(frame[2, 300, 0])) for index, _, frame in media.frames()] == [(0, 0), (1, 60), (2, 120)]


def tiff_directories(data: bytes) -> list[int]:
    """Where each directory (one a page) of the little-endian classic TIFF ``data`` starts."""
    starts, start = [], struct.unpack_from("<I", data, 4)[0]
    while start:
        starts.append(start)
        start = struct.unpack_from("<I", data, start + 2 + 12 * struct.unpack_from("<H", data, start)[0])[0]
    return starts


def test_a_tiffs_pages_are_read_without_walking_the_pages_before_each(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before, OpenCV found page N by reading the directories of the N pages before it, for
    # every page: a file's pages took time growing with the square of their number (400 of
    # 4x4 pixels, 8 s). Each page's directory gets a tag libtiff does not know, a tag of its
    # own: libtiff's warning on it (OpenCV's log) tells each time that directory is read.
    pages = 40
    path = tmp_path / "scans.tiff"
    assert cv2.imwritemulti(str(path), [np.full((4, 4, 3), index, np.uint8) for index in range(pages)])
    data = bytearray(path.read_bytes())
    for index, start in enumerate(tiff_directories(bytes(data))):
        assert struct.unpack_from("<H", data, start + 2) == (254,)  # NewSubfileType, the first entry
        struct.pack_into("<H", data, start + 2, 200 + index)  # unknown, and still in tag order
    path.write_bytes(data)
    media = open_input(path)  # its first page decoded, its pages counted: both silently
    monkeypatch.setattr(multi_picture, "quiet_opencv_log", contextlib.nullcontext)
    level = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_WARNING)
    try:
        capfd.readouterr()
        read = [(index, int(frame[0, 0, 0])) for index, _, frame in media.frames()]
        warnings = capfd.readouterr().err
    finally:
        cv2.utils.logging.setLogLevel(level)
    assert read == [(index, index) for index in range(pages)]
    directories_read = Counter(int(tag) - 200 for tag in re.findall(r"Unknown field with tag (\d+)", warnings))
    assert directories_read == dict.fromkeys(range(1, pages), 1)  # each page's own, once


def test_a_page_opencv_refuses_loses_no_page_after_it(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # Before, a page whose header OpenCV refuses (here nine samples a pixel) ended OpenCV's
    # walk to each later page: every page after it was skipped, a warning each.
    path = write_pages(tmp_path / "scans.tiff", pages=4)
    data = bytearray(path.read_bytes())
    start = tiff_directories(bytes(data))[1]
    for entry in range(start + 2, start + 2 + 12 * struct.unpack_from("<H", data, start)[0], 12):
        if struct.unpack_from("<HHI", data, entry) == (277, 3, 1):  # SamplesPerPixel
            struct.pack_into("<H", data, entry + 8, 9)
    path.write_bytes(data)
    media = open_input(path)
    assert media.frame_count == 4
    assert [(index, int(frame[2, 300, 0])) for index, _, frame in media.frames()] == [(0, 0), (2, 120), (3, 180)]
    assert [record.getMessage() for record in caplog.records] == [f"skipping page 1 of {path}: it does not decode"]


def test_a_folders_animated_or_paged_pictures_are_their_first_said_so(
    random_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    # Before, their first frame or page without a word, and a GIF was left out unsaid.
    folder = tmp_path / "pictures"
    folder.mkdir()
    for name in ("a.gif", "b.webp"):
        write_animation(folder / name)
    write_pages(folder / "c.tiff")
    out = tmp_path / "faces.csv"
    assert analyze(folder, "--csv", out, weights=random_weights) == 0
    assert "3 images analysed" in capsys.readouterr().out
    told = sorted(record.getMessage() for record in caplog.records)
    assert told == [
        f"{folder / name}: only the first of its {count} is used (a folder's files are read as one picture each; "
        "give it alone to read them all)"
        for name, count in (("a.gif", "6 frames"), ("b.webp", "6 frames"), ("c.tiff", "3 pages"))
    ]
    assert sorted({int(row["frame"]) for row in csv_rows(out)}) == [0, 1, 2]


def test_the_app_names_a_file_by_what_it_holds(qtbot: QtBot, make_window: WindowFactory, tmp_path: Path) -> None:
    # Before, "Image …/clip.jpg: 320x240" and "Image …/wave.webp: 320x240": by the name, no rate.
    clip = write_astronaut_video(tmp_path / "clip.mp4", num_frames=60, fps=10.0).path.rename(tmp_path / "clip.jpg")
    window = make_window(video=clip)
    qtbot.waitUntil(lambda: window.source_state.info is not None, timeout=WAIT_MS)
    shown = window.status.currentMessage()  # a long path is shortened in the middle
    assert shown.startswith("Video file /") and shown.endswith("clip.jpg: 320x240, 10 fps"), shown
    animation = write_animation(tmp_path / "wave.webp")
    window.open_video(animation)
    qtbot.waitUntil(lambda: "wave.webp: " in window.status.currentMessage(), timeout=WAIT_MS)
    shown = window.status.currentMessage()
    assert shown.startswith("Animation /") and re.search(r"wave\.webp: 320x240, \d+ fps$", shown), shown
    picture = tmp_path / "still.png"
    cv2.imwrite(str(picture), astronaut_frames(num_frames=1, frame_size=(320, 240))[0][0])
    window.open_video(picture)
    qtbot.waitUntil(lambda: "still.png: " in window.status.currentMessage(), timeout=WAIT_MS)
    shown = window.status.currentMessage()
    assert shown.startswith("Image /") and shown.endswith("still.png: 320x240"), shown


def test_a_video_named_like_a_picture_in_a_folder_is_named_as_one(
    random_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    # Before, "skipping clip.jpg: not an image OpenCV can decode (corrupt or unsupported)".
    folder = tmp_path / "pictures"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), astronaut_frames(num_frames=1, frame_size=(320, 240))[0][0])
    write_astronaut_video(tmp_path / "clip.mp4", num_frames=5, fps=10.0).path.rename(folder / "clip.jpg")
    assert analyze(folder, "--csv", tmp_path / "faces.csv", weights=random_weights) == 0
    assert "1 image analysed" in capsys.readouterr().out
    assert [record.getMessage() for record in caplog.records if "clip.jpg" in record.getMessage()] == [
        f"skipping {folder / 'clip.jpg'}: a video file named like a picture (give it on its own to play it)"
    ]


def write_numbered_animation(path: Path, count: int, size: tuple[int, int] = (160, 120)) -> Path:
    """An animation (lossless APNG) whose frames' gray levels are their numbers (see number_of)."""
    animation = cv2.Animation()
    animation.frames = [np.full((size[1], size[0], 3), 4 * index % 256, np.uint8) for index in range(count)]
    animation.durations = [40] * count
    assert cv2.imwriteanimation(str(path), animation)
    return path


def test_stepping_back_through_a_long_animation_does_not_decode_it_at_every_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: a frame just behind the stretch held was decoded as the start of a new stretch,
    # so each step back further decoded the file again from its start (seconds a key press
    # in a long or large animation).
    animation = write_numbered_animation(tmp_path / "long.png", 40)
    monkeypatch.setattr(multi_picture, "MAX_STRETCH_BYTES", 16 * 160 * 120 * 3)  # a few frames a stretch
    decodes: list[tuple[int, int]] = []  # each decode's (start, count)
    decode = cv2.imdecodeanimation

    def counted(buf: np.ndarray, start: int, count: int) -> tuple[bool, cv2.Animation]:
        decodes.append((start, count))
        return decode(buf, start, count)

    monkeypatch.setattr(cv2, "imdecodeanimation", counted)
    source = open_frame_source(VideoFileSpec(animation))
    try:
        assert source.seek(39)
        frame = source.read()
        assert frame is not None and number_of(frame) == 39
        decodes.clear()
        for target in range(38, -1, -1):  # one step back at a time, as the app's key does
            assert source.seek(target)
            frame = source.read()
            assert frame is not None and number_of(frame) == target
            assert source.last_time_s == pytest.approx(0.04 * target)
        assert len(decodes) <= 12, decodes
    finally:
        source.release()


def test_decoding_a_long_animation_keeps_to_its_memory_cap(tmp_path: Path) -> None:
    # Was: the stretch decoded at once held MAX_STRETCH_BYTES of frames, and while decoding
    # OpenCV's own frames besides the copies Python gets: twice the cap at its peak.
    if not Path("/proc/self/clear_refs").exists():
        pytest.skip("the peak memory of a process is read from Linux's /proc")
    animation = write_numbered_animation(tmp_path / "long.png", 60, size=(640, 480))
    cap = 32 << 20  # about 36 of its frames
    script = f"""
from pathlib import Path
from emotion_app.io import multi_picture
def peak_kib():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
multi_picture.MAX_STRETCH_BYTES = {cap}
data = Path({str(animation)!r}).read_bytes()  # the file itself is not the frames
with open("/proc/self/clear_refs", "w") as refs:
    refs.write("5")  # the peak from here on
before = peak_kib()
frames = sum(1 for _ in multi_picture.AnimatedPicture(Path({str(animation)!r}), 60).frames())
print(frames, (peak_kib() - before) * 1024)
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=Path(__file__).parents[1],
    )
    frames, grown = map(int, done.stdout.split())
    assert frames == 60
    assert grown < 1.3 * cap, f"{grown >> 20} MiB at its peak for a cap of {cap >> 20} MiB"


def test_an_animated_webp_named_like_a_video_is_read_as_the_animation_it_is(
    random_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    # Before, "anim.mp4: video has no readable frames (empty, corrupt or unsupported codec)"
    # (exit 2), and in the app "Could not read any frame from video file ...: it is empty or
    # damaged": FFmpeg does not decode an animated WebP.
    from PIL import Image

    frames, _ = astronaut_frames(num_frames=len(DURATIONS_MS), frame_size=(320, 240), face_size=80, motion="static")
    pictures = []
    for index, frame in enumerate(frames):
        frame[:8] = 40 * index  # no two frames alike: an encoder would merge them
        pictures.append(Image.fromarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)))
    named = tmp_path / "anim.mp4"
    pictures[0].save(
        named, format="WEBP", save_all=True, append_images=pictures[1:], duration=DURATIONS_MS, lossless=True
    )
    assert analyze(named, "--csv", tmp_path / "faces.csv", weights=random_weights) == 0
    assert "6 frames analysed" in capsys.readouterr().out
    assert [record.getMessage() for record in caplog.records if record.levelname == "WARNING"] == [
        f"{named}: an animated WebP picture named like a video; read as a picture"
    ]
    rows = csv_rows(tmp_path / "faces.csv")
    assert [float(row["time_s"]) for row in rows] == pytest.approx(STARTS_S), "a face in every frame, at its time"
    assert open_input(named).animation is not None
    source = open_frame_source(VideoFileSpec(named))
    try:
        assert (source.frame_count, source.width, source.height) == (6, 320, 240)
    finally:
        source.release()
    assert len(app_frames(named, count=6)) == 6
