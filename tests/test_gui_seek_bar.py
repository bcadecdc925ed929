"""The seek bar reads true at a file's end: its length is where the file really ends,
and a picture shown to its end has a bar that reads as finished."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from PyQt6.QtCore import Qt
from pytestqt.qtbot import QtBot

from emotion_app.gui.main_window import MainWindow
from emotion_app.gui.playback_bar import format_time
from emotion_app.io.video import clearly_short
from emotion_app.samples import VideoTruth, astronaut_bgr, astronaut_frames, write_astronaut_video
from emotion_app.sources.files import StillsFrameSource, open_file
from emotion_app.sources.frame_source import FrameSource
from emotion_app.sources.opening import open_frame_source
from emotion_app.sources.specs import SourceSpec, VideoFileSpec
from tests.gui_support import (
    WAIT_MS,
    WindowFactory,
    shown_result,
    source_info_of,
    wait_for_face_result,
    wait_until_stopped,
)
from tests.hostile_support import damage_mjpeg_frame
from tests.slide_show import write_slide_show

FPS = 15.0


def cut_short(folder: Path, kept_percent: int) -> tuple[Path, int, int]:
    """A 60-frame AVI whose header announces more frames than decode (all but its first
    ``kept_percent`` of bytes cut off, as a copy that stopped short), with the counts
    announced and decoded."""
    full = write_astronaut_video(folder / "full.avi", num_frames=60, frame_size=(320, 240), face_size=80, fps=FPS)
    data = full.path.read_bytes()
    cut = folder / "cut.avi"
    cut.write_bytes(data[: len(data) * kept_percent // 100])
    capture = cv2.VideoCapture(str(cut))
    announced = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    decoded = 0
    while capture.read()[0]:
        decoded += 1
    capture.release()
    assert 0 < decoded < announced
    return cut, announced, decoded


def short_of_its_count(folder: Path) -> tuple[Path, int, int]:
    """:func:`cut_short` by too few frames to be called damaged."""
    cut, announced, decoded = cut_short(folder, 95)
    assert not clearly_short(decoded, announced)
    return cut, announced, decoded


def shows_its_frame(window: MainWindow, frame: int | None = None) -> bool:
    """Whether the file open shows its frame ``frame`` (None: any): one of its own stream,
    not the one left on screen by the run before (the status line says "Opening…" beside
    that)."""
    result = window.view.result
    return (
        window.is_running
        and result is not None
        and result.stream_id == window.source_state.stream_id
        and frame in (None, result.frame_index)
    )


def bar_reads(window: MainWindow, frames: int) -> None:
    bar = window.playback_bar
    assert bar.slider.maximum() == frames - 1
    assert bar.duration_label.text() == format_time(frames / FPS)
    assert f"/ {format_time(frames / FPS)}" in window.status_summary(0.0) or not window.is_running


def test_the_seek_bar_ends_where_a_file_short_of_its_announced_count_ends(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: "Finished playing no_face.mp4 (95 frames)" beside a slider stopped at 97%,
    # reading "0:03 / 0:04": the bar kept the 98 frames the container announced.
    cut, announced, decoded = short_of_its_count(tmp_path)
    window = make_window(video=cut)
    wait_until_stopped(qtbot, window)
    assert f"Finished playing cut.avi ({decoded} frames)" in window.source_banner.text()
    bar = window.playback_bar
    qtbot.waitUntil(lambda: bar.slider.maximum() == decoded - 1, timeout=WAIT_MS)
    assert bar.slider.value() == bar.slider.maximum()
    assert bar.duration_label.text() == format_time(decoded / FPS) != format_time(announced / FPS)
    assert bar.position_label.text() == bar.duration_label.text()
    # A seek after the end opens the file again there, paused: the length learnt stays.
    window.seek(10)
    qtbot.waitUntil(lambda: shows_its_frame(window, 10), timeout=WAIT_MS)
    bar_reads(window, decoded)
    assert window.source_state.info is not None and window.source_state.info.frame_count == decoded
    window.seek(announced - 1)  # past the real end: its last frame
    qtbot.waitUntil(lambda: shown_result(window).frame_index == decoded - 1, timeout=WAIT_MS)
    bar_reads(window, decoded)
    # Play again opens it from its start, with its real length at once.
    window.stop()
    qtbot.waitUntil(lambda: not window.is_running, timeout=WAIT_MS)
    window.retry()
    qtbot.waitUntil(lambda: shows_its_frame(window), timeout=WAIT_MS)
    bar_reads(window, decoded)


def test_the_seek_bar_ends_where_a_truncated_file_was_found_to_end(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: "stopped after 39 of 60 frames: the file may be truncated or damaged" beside a
    # seek bar that kept the 60 frames announced ("0:02 / 0:04"), and kept them when the
    # file was opened again: only a file that finished as a normal end learnt its length.
    cut, announced, decoded = cut_short(tmp_path, 67)
    assert clearly_short(decoded, announced)
    window = make_window(video=cut)
    wait_until_stopped(qtbot, window)
    assert "truncated or damaged" in window.source_banner.text()
    bar = window.playback_bar
    qtbot.waitUntil(lambda: bar.slider.maximum() == decoded - 1, timeout=WAIT_MS)
    assert bar.duration_label.text() == format_time(decoded / FPS) != format_time(announced / FPS)
    # A seek after it opens the file again there, paused: the length learnt stays.
    window.seek(10)
    qtbot.waitUntil(lambda: shows_its_frame(window, 10), timeout=WAIT_MS)
    bar_reads(window, decoded)
    window.seek(announced - 1)  # past the real end: its last frame
    qtbot.waitUntil(lambda: shown_result(window).frame_index == decoded - 1, timeout=WAIT_MS)
    bar_reads(window, decoded)
    # Played on to its end, it is still said to be cut short, not to have finished.
    window.resume()
    qtbot.waitUntil(lambda: not window.is_running and window.source_banner.text() != "", timeout=WAIT_MS)
    text = window.source_banner.text()
    assert f"stopped after {decoded} of {announced} frames" in text and "truncated or damaged" in text, text


def test_a_truncated_file_with_a_frame_passed_over_learns_its_length_as_the_file_counts(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # A frame that does not decode keeps its place, as in ``analyze``: the frames after it
    # have the file's own numbers, so where it is found to end is its length. Was: they were
    # numbered one short ("stopped after 38 of 60 frames" for 39), and the length announced
    # was kept, the bar running on past the end.
    window, cut, announced, decoded = played_to_its_end_with_frame_10_damaged(qtbot, make_window, tmp_path)
    assert f"stopped after {decoded} of {announced} frames" in window.source_banner.text()
    bar = window.playback_bar
    qtbot.waitUntil(lambda: bar.slider.maximum() == decoded - 1, timeout=WAIT_MS)
    assert bar.duration_label.text() == format_time(decoded / FPS)
    # Its last frame, shown at its end: the file's own last frame, by its number too.
    end = shown_result(window)
    assert end.frame_index == decoded - 1 and np.array_equal(end.image, last_frame(cut, decoded))
    # A seek past the end opens it again there: the length learnt stays.
    window.seek(announced - 1)
    qtbot.waitUntil(lambda: shows_its_frame(window, decoded - 1), timeout=WAIT_MS)
    bar_reads(window, decoded)


def played_to_its_end_with_frame_10_damaged(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> tuple[MainWindow, Path, int, int]:
    """A window that played a file cut short (67 frames announced) whose frame 10 does not
    decode to its end; with the cut file, its frames announced and those decoded."""
    cut, announced, decoded = cut_short(tmp_path, 67)
    damaged = tmp_path / "damaged.avi"
    damage_mjpeg_frame(cut, 10, damaged)
    window = make_window(video=damaged)
    wait_until_stopped(qtbot, window)
    return window, cut, announced, decoded


def last_frame(video: Path, frames: int) -> np.ndarray:
    capture = cv2.VideoCapture(str(video))
    last = [capture.read()[1] for _ in range(frames)][-1]
    capture.release()
    return last


def test_a_seek_to_the_end_of_a_truncated_file_with_a_frame_passed_over_shows_its_last_frame(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: OpenCV seeks an AVI cut short (its index lost) by reading from its start, and
    # stopped at frame 10, which does not decode: frame 11's picture was shown, numbered the
    # last. (Held before only by the run before's last frame, left on screen while the file
    # opened again: the wait took it for the seek's.)
    window, cut, announced, decoded = played_to_its_end_with_frame_10_damaged(qtbot, make_window, tmp_path)
    window.seek(announced - 1)
    qtbot.waitUntil(lambda: shows_its_frame(window, decoded - 1), timeout=WAIT_MS)
    assert np.array_equal(shown_result(window).image, last_frame(cut, decoded))


def test_a_single_picture_has_no_frame_to_step_to(qtbot: QtBot, make_window: WindowFactory, tmp_path: Path) -> None:
    # Was: Playback > Back and Forward stayed enabled for a photo; Right on the finished
    # photo (the real group photo) dropped "Finished playing …" for "Paused · 5 faces",
    # with Stop and Play, a picture with nothing to move through held as if a video.
    picture = tmp_path / "photo.png"
    assert cv2.imwrite(str(picture), astronaut_bgr())
    window = make_window(video=picture)
    qtbot.waitUntil(lambda: window.source_state.ended, timeout=WAIT_MS)
    assert not window.step_back_action.isEnabled() and not window.step_forward_action.isEnabled()
    assert window.restart_action.isEnabled()  # Home plays it again, as the banner's Play again
    for key in (Qt.Key.Key_Right, Qt.Key.Key_Left):
        qtbot.keyClick(window, key)
        assert not window.source_state.starting  # no reopen asked for
    qtbot.wait(300)
    assert window.source_state.ended and not window.is_running
    assert "Finished playing photo.png (1 picture)" in window.source_banner.text()
    assert window.status.summary_label.text().startswith("Finished"), window.status.summary_label.text()
    # A folder of pictures steps from one to the next.
    frames, _ = astronaut_frames(num_frames=2, frame_size=(240, 180), face_size=80, motion="static")
    folder = tmp_path / "stills"
    write_slide_show(folder, frames)
    window.open_video(folder)
    qtbot.waitUntil(lambda: source_info_of(window).frame_count == 2, timeout=WAIT_MS)
    assert window.step_back_action.isEnabled() and window.step_forward_action.isEnabled()


def test_a_still_gif_is_a_single_picture_an_animated_one_steps(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: a GIF of one frame, read as a video by FFmpeg, was a "video file" of 1 frame:
    # a seek bar reading "0:00 / 0:00", Back and Forward, and Right on it shown to its end
    # opened it again held "Paused · 0:00 / 0:00", as a photo did before it had none.
    picture = Image.fromarray(astronaut_bgr()[:, :, ::-1])
    still = tmp_path / "still.gif"
    picture.save(still)
    window = make_window(video=still)
    wait_until_stopped(qtbot, window)
    assert source_info_of(window).single_picture, source_info_of(window)
    assert not window.playback_bar.isVisible()
    assert not window.step_back_action.isEnabled() and not window.step_forward_action.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert not window.source_state.starting  # no reopen asked for
    assert window.status.summary_label.text().startswith("Finished"), window.status.summary_label.text()
    assert "Finished playing still.gif (1 picture)" in window.source_banner.text()
    # A GIF of two frames has one to step to.
    animated = tmp_path / "animated.gif"
    flipped = picture.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    picture.save(animated, save_all=True, append_images=[flipped], duration=500, loop=0)
    window.open_video(animated)
    wait_until_stopped(qtbot, window)
    assert source_info_of(window).what == "video file" and source_info_of(window).frame_count == 2
    assert window.playback_bar.isVisible() and window.step_back_action.isEnabled()


def test_a_video_of_one_frame_is_a_single_picture_one_of_two_steps(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: a JPEG or a PNG renamed .mp4 and a real video of one frame, each read as a video
    # of 1 frame, were "video file"s: a seek bar reading "0:00 / 0:00", Back and Forward
    # enabled, as a still GIF had before it was a single picture.
    picture = astronaut_bgr()
    height, width = picture.shape[:2]
    one_frame = tmp_path / "one_frame.avi"
    writer = cv2.VideoWriter(str(one_frame), cv2.VideoWriter.fourcc(*"MJPG"), FPS, (width, height))
    writer.write(picture)
    writer.release()
    photo = tmp_path / "photo.jpg"
    assert cv2.imwrite(str(photo), picture)
    renamed = photo.rename(tmp_path / "photo.mp4")  # read as a raw MJPEG of one JPEG
    png = tmp_path / "photo.png"
    assert cv2.imwrite(str(png), picture)
    png_renamed = png.rename(tmp_path / "png_photo.mp4")  # read by FFmpeg, which says no length
    window = make_window()
    for still in (one_frame, renamed, png_renamed):
        window.open_video(still)
        wait_until_stopped(qtbot, window)
        info = source_info_of(window)
        assert isinstance(info.spec, VideoFileSpec) and info.spec.path == still and info.single_picture, info
        assert not window.playback_bar.isVisible()
        assert not window.step_back_action.isEnabled() and not window.step_forward_action.isEnabled()
        qtbot.keyClick(window, Qt.Key.Key_Right)
        assert not window.source_state.starting  # no reopen asked for
        assert window.status.summary_label.text().startswith("Finished"), window.status.summary_label.text()
        assert f"Finished playing {still.name} (1 picture)" in window.source_banner.text()
    # A video of two frames has one to step to.
    two_frames = tmp_path / "two_frames.avi"
    writer = cv2.VideoWriter(str(two_frames), cv2.VideoWriter.fourcc(*"MJPG"), FPS, (width, height))
    writer.write(picture)
    writer.write(picture[:, ::-1].copy())
    writer.release()
    window.open_video(two_frames)
    wait_until_stopped(qtbot, window)
    assert source_info_of(window).what == "video file" and source_info_of(window).frame_count == 2
    assert window.playback_bar.isVisible() and window.step_back_action.isEnabled()


def test_a_stream_that_does_not_say_its_length_is_read_from_its_first_frame_again(tmp_path: Path) -> None:
    # Its second frame is read to tell a picture from a clip: a clip of two PNGs one after
    # the other (FFmpeg announces no length) is opened again, and plays both, from its first.
    dark, light = np.full((120, 160, 3), 40, np.uint8), np.full((120, 160, 3), 200, np.uint8)
    clip = tmp_path / "pair.mp4"
    clip.write_bytes(b"".join(cv2.imencode(".png", frame)[1].tobytes() for frame in (dark, light)))
    assert cv2.VideoCapture(str(clip)).get(cv2.CAP_PROP_FRAME_COUNT) <= 1  # no length said
    source = open_file(VideoFileSpec(clip))
    try:
        assert not isinstance(source, StillsFrameSource)  # a clip, not the picture of a file of one frame
        frames = [source.read(), source.read(), source.read()]
    finally:
        source.release()
    assert frames[2] is None
    assert [int(frame.mean()) for frame in frames[:2] if frame is not None] == [40, 200]


def test_a_raw_mjpeg_of_one_jpeg_written_on_as_it_opens_stays_one_picture(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: a raw MJPEG of one JPEG, a picture, read on the JPEGs a recorder wrote after it
    # opened: two more frames played with a seek bar under "Finished playing rec.mjpeg
    # (1 picture)". It is the picture it was when opened, as a PNG named .mp4 is.
    picture = astronaut_bgr()
    first, later = (cv2.imencode(".jpg", frame)[1].tobytes() for frame in (picture, picture[:, ::-1].copy()))
    written_on: dict[Path, bytes] = {}  # what a recorder writes into a file as it is opened

    def recorder_writes_on(spec: SourceSpec) -> FrameSource:
        source = open_frame_source(spec)
        if isinstance(spec, VideoFileSpec) and spec.path in written_on:
            with spec.path.open("ab") as out:
                out.write(written_on.pop(spec.path))
        return source

    window = make_window(source_factory=recorder_writes_on)
    recording = tmp_path / "rec.mjpeg"
    recording.write_bytes(first)
    written_on[recording] = later * 2
    window.open_video(recording)
    qtbot.waitUntil(lambda: window.source_banner.text().startswith("Finished"), timeout=WAIT_MS)
    assert window.source_banner.text().startswith("Finished playing rec.mjpeg (1 picture)")
    info = source_info_of(window)
    assert info.what == "image" and info.single_picture, info
    assert shown_result(window).frame_index == 0  # the JPEGs written after it were not played
    assert not window.playback_bar.isVisible() and not window.step_forward_action.isEnabled()
    # Played again, it is the clip it has become.
    window.restart()
    qtbot.waitUntil(lambda: source_info_of(window).frame_count == 3, timeout=WAIT_MS)
    assert source_info_of(window).what == "video file"
    # One JPEG and a second begun (still being written) is a clip: the second plays once whole.
    begun = tmp_path / "begun.mjpeg"
    begun.write_bytes(first + later[: len(later) // 2])
    written_on[begun] = later[len(later) // 2 :]
    window.open_video(begun)
    wait_until_stopped(qtbot, window)
    assert window.source_banner.text().startswith("Finished playing begun.mjpeg (2 frames)")
    assert source_info_of(window).what == "video file" and shown_result(window).frame_index == 1


def test_a_single_picture_has_no_seek_bar(qtbot: QtBot, make_window: WindowFactory, tmp_path: Path) -> None:
    # Was: a photo shown to its end ("Finished playing photo.png (1 picture)") had a
    # disabled seek bar reading "0:00 / 0:02", as if a 2 s video had not started.
    picture = tmp_path / "photo.png"
    assert cv2.imwrite(str(picture), astronaut_bgr())
    window = make_window(video=picture)
    seen: list[bool] = []
    wait_for_face_result(qtbot, window)
    seen.append(window.playback_bar.isVisibleTo(window))
    qtbot.waitUntil(lambda: window.source_state.ended, timeout=WAIT_MS)
    assert "Finished playing photo.png (1 picture)" in window.source_banner.text()
    assert seen == [False] and not window.playback_bar.isVisibleTo(window)
    # Shown to its end and looked at again (a seek after the end: a model or Mirror view
    # switched), it still has none; nor does the status line tell a time.
    window.seek(0)
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    assert not window.playback_bar.isVisibleTo(window)
    assert "0:0" not in window.status_summary(0.0), window.status_summary(0.0)
    # A folder of pictures is a slide show, seekable: its bar stays.
    frames, _ = astronaut_frames(num_frames=2, frame_size=(240, 180), face_size=80, motion="static")
    folder = tmp_path / "stills"
    write_slide_show(folder, frames)
    window.open_video(folder)
    qtbot.waitUntil(
        lambda: window.source_state.info is not None and window.source_state.info.frame_count == 2, timeout=WAIT_MS
    )
    assert window.playback_bar.isVisibleTo(window) and window.playback_bar.duration_label.text() == "0:04"


def test_a_video_played_to_its_end_reads_its_length_on_both_sides(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: "0:01 / 0:02" after "Finished playing astronaut.avi (30 frames)" at 15 fps: the
    # position was the last frame's start, as if a second were left.
    window = make_window(video=gui_video.path)
    wait_until_stopped(qtbot, window)
    bar = window.playback_bar
    qtbot.wait(200)  # a late frame's result after the end leaves it so
    assert bar.duration_label.text() == "0:02" and bar.position_label.text() == "0:02"
    assert bar.slider.value() == bar.slider.maximum() == 29
    window.seek(5)  # a seek after the end: the position is the frame's again
    qtbot.waitUntil(lambda: window.is_running and shown_result(window).frame_index == 5, timeout=WAIT_MS)
    assert bar.position_label.text() == format_time(5 / FPS) and bar.slider.value() == 5


def test_a_missing_file_opened_after_a_played_one_keeps_none_of_its_position(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: the seek bar kept the played file's place and length (frame 40 of 60), and
    # Left/Right opened the missing file again there, to be told "not found" again.
    played = write_astronaut_video(tmp_path / "played.avi", num_frames=60, frame_size=(320, 240), face_size=80, fps=FPS)
    window = make_window(video=played.path)
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    window.pause()
    window.seek(40)
    qtbot.waitUntil(lambda: shown_result(window).frame_index == 40, timeout=WAIT_MS)
    missing = tmp_path / "gone.avi"
    window.open_video(missing)
    qtbot.waitUntil(lambda: "not found" in window.source_banner.text(), timeout=WAIT_MS)
    bar = window.playback_bar
    assert not bar.isVisibleTo(window)
    assert bar.slider.value() == bar.slider.maximum() == 0 and not bar.slider.isEnabled()
    assert bar.position_label.text() == "0:00" and bar.duration_label.text() == "–"
    # Nothing to move through: the player's moves are off, and make no second attempt.
    assert not any(a.isEnabled() for a in (window.step_forward_action, window.step_back_action, window.restart_action))
    text = window.source_banner.text()
    window.step(1)
    window.seek(41)
    assert not window.source_state.active and window.source_banner.text() == text
    # The file put back, Retry plays it from its start.
    write_astronaut_video(missing, num_frames=60, frame_size=(320, 240), face_size=80, fps=FPS)
    window.retry()
    qtbot.waitUntil(lambda: window.is_running and bar.isVisibleTo(window), timeout=WAIT_MS)
    assert bar.slider.maximum() == 59 and bar.slider.isEnabled() and window.step_forward_action.isEnabled()


def test_the_status_line_says_the_seek_bars_time_in_the_same_moment(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: the seek bar said each frame's time as it was shown, the status line the time of
    # the frame shown at its next refresh (twice a second): "Playing · 0:01" beside "0:02"
    # for up to half a second of each second played, and after a seek paused until then.
    clip = write_astronaut_video(tmp_path / "clip.avi", num_frames=60, frame_size=(320, 240), face_size=80, fps=FPS)
    window = make_window(video=clip.path)
    bar = window.playback_bar
    pairs: list[tuple[str, str]] = []

    def note(done: Callable[[], bool]) -> Callable[[], bool]:
        """Each time the test is asked: the seek bar's time and the status line's."""

        def check() -> bool:
            said = re.match(r"(?:Playing|Paused) · (\d+:\d\d)", window.status.summary_label.text())
            if window.is_running and said is not None:
                pairs.append((bar.position_label.text(), said[1]))
            return done()

        return check

    qtbot.waitUntil(note(lambda: len({bar_time for bar_time, _ in pairs}) >= 3), timeout=WAIT_MS)
    window.pause()
    window.seek(50)  # paused: the bar moves with the position's report, before the frame shows
    qtbot.waitUntil(note(lambda: shown_result(window).frame_index == 50), timeout=WAIT_MS)
    qtbot.waitUntil(note(lambda: bar.position_label.text() == format_time(50 / FPS)), timeout=WAIT_MS)
    assert pairs[-1][0] == format_time(50 / FPS)
    differing = [pair for pair in pairs if pair[0] != pair[1]]
    assert not differing, f"{len(differing)} of {len(pairs)} looks differed: {differing[:5]}"


def test_the_status_line_of_a_file_without_a_frame_rate_changes_at_its_own_pace(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: its seek bar says each frame's number, and the status line (no time in it) was
    # made anew with each: "Playing · 1 face · 26 fps", "· 33 fps", "· 31 fps"... dozens of
    # times a second, not at its refresh, twice a second, that leaves it readable.
    clip = write_astronaut_video(tmp_path / "clip.avi", num_frames=1000, frame_size=(160, 120), face_size=40, fps=1000)
    window = make_window(video=clip.path)
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    assert source_info_of(window).fps == 0  # 1000 fps: no frame rate the app takes
    said: list[tuple[float, str]] = []
    numbers: set[str] = set()
    show = window.status.show_summary

    def note(text: str) -> None:
        if window.is_running and (not said or said[-1][1] != text):
            said.append((time.monotonic(), text))
        numbers.add(window.playback_bar.time_text())
        show(text)

    # The line's own method, each text it is given noted.
    monkeypatch.setattr(window.status, "show_summary", note)
    qtbot.waitUntil(lambda: window.source_state.ended, timeout=WAIT_MS)
    assert any(number.isdigit() and int(number) > 0 for number in numbers), numbers  # a frame's number, no time
    seconds = said[-1][0] - said[0][0]

    def without_rate(text: str) -> str:
        return re.sub(r" · [\d.]+ fps$", "", text)

    # Made anew at its refresh, twice a second (a face that comes or goes is said at once).
    anew = [text for (_, before), (_, text) in zip(said, said[1:]) if without_rate(before) == without_rate(text)]
    assert len(anew) <= 2 * seconds + 2, f"{len(anew)} rates in {seconds:.1f} s: {anew[:6]}"
