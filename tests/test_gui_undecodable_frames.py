"""A video's frame that does not decode keeps its place in the player, as in ``analyze``:
the frames after it are numbered as the file numbers them (their position, the seek bar,
seeks and steps), and the file's length is where it really ends."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from pytestqt.qtbot import QtBot

from emotion_app.gui.main_window import MainWindow
from emotion_app.io.video import MAX_UNDECODABLE_RUN
from emotion_app.samples import write_video
from emotion_app.sources.opencv_source import OpenCvFrameSource
from emotion_app.sources.opening import open_frame_source
from emotion_app.sources.specs import VideoFileSpec
from tests.gui_support import WAIT_MS, WindowFactory, play_looping, shown_result, wait_until_stopped
from tests.hostile_support import bar_number, damage_mjpeg_frame, numbered_frames
from tests.reordered_video import FPS as MPEG2_FPS
from tests.reordered_video import damaged_at_group, reads, write_mpeg2_mp4
from tests.variable_rate_video import write_variable_rate_mp4

FRAMES = 40
DAMAGED = 12


def damaged_video(folder: Path) -> Path:
    """40 numbered frames (10 fps MJPG), frame 12's JPEG damaged so that it does not decode."""
    path = write_video(folder / "damaged.avi", numbered_frames(FRAMES))
    damage_mjpeg_frame(path, DAMAGED, path)
    return path


def settled_on(qtbot: QtBot, window: MainWindow, frame: int) -> None:
    """Wait until the paused window shows its frame ``frame`` by the window's count and
    reports its position there; the picture is then that frame of the file."""

    def settled() -> bool:
        state, result = window.source_state.playback, window.view.result
        return (
            state is not None
            and state.paused
            and result is not None
            and result.stream_id == state.stream_id
            and result.frame_index == state.position == frame
        )

    qtbot.waitUntil(settled, timeout=WAIT_MS)
    assert bar_number(shown_result(window).image) == frame
    assert window.playback_bar.position == frame


def test_the_frames_after_one_that_does_not_decode_keep_the_files_numbers(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: the frame after the damaged one, the file's frame 13, was numbered 12 by the
    # window (and every one after it one short), and the end of the file, 39 frames counted,
    # was learnt as its length: its last frame out of the seek bar's reach.
    window = make_window(video=damaged_video(tmp_path))
    numbers: list[tuple[int, int]] = []
    window.controller.result_ready.connect(
        lambda result: numbers.append((result.frame_index, bar_number(result.image)))
    )
    wait_until_stopped(qtbot, window)
    assert any(number > DAMAGED for _, number in numbers), numbers  # frames after it were shown
    assert all(index == number for index, number in numbers), numbers
    assert f"Finished playing damaged.avi ({FRAMES} frames)" in window.source_banner.text()
    bar = window.playback_bar
    assert bar.slider.maximum() == FRAMES - 1
    # Its last frame is still where a seek reaches it, the file opened again.
    window.seek(FRAMES - 1)
    settled_on(qtbot, window, FRAMES - 1)
    assert bar.slider.maximum() == FRAMES - 1


def test_seeks_and_steps_onto_and_over_a_frame_that_does_not_decode(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    window = make_window(video=damaged_video(tmp_path))
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    window.pause()
    window.seek(DAMAGED - 2)
    settled_on(qtbot, window, DAMAGED - 2)
    window.step(1)
    settled_on(qtbot, window, DAMAGED - 1)
    window.step(1)  # over the damaged frame: the one after it, by the file's number
    settled_on(qtbot, window, DAMAGED + 1)
    window.step(1)
    settled_on(qtbot, window, DAMAGED + 2)
    window.step(-1)
    settled_on(qtbot, window, DAMAGED + 1)
    window.step(-1)  # back over it: the one before it, not the frame stepped back from again
    settled_on(qtbot, window, DAMAGED - 1)
    window.seek(DAMAGED)  # onto it: the frame after it is shown, as in playing
    settled_on(qtbot, window, DAMAGED + 1)
    window.seek(DAMAGED - 1)
    settled_on(qtbot, window, DAMAGED - 1)
    window.step(2)  # two on from the frame before it: the frame after it
    settled_on(qtbot, window, DAMAGED + 1)
    # Played on from there, each frame keeps its number to the end.
    numbers: list[tuple[int, int]] = []
    window.controller.result_ready.connect(
        lambda result: numbers.append((result.frame_index, bar_number(result.image)))
    )
    window.seek(DAMAGED - 3)
    window.resume()
    wait_until_stopped(qtbot, window)
    assert f"Finished playing damaged.avi ({FRAMES} frames)" in window.source_banner.text()
    assert any(number > DAMAGED for _, number in numbers), numbers
    assert all(index == number for index, number in numbers), numbers


def test_a_frame_the_decoder_held_back_past_a_failed_read_keeps_its_number(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: the frame FFmpeg's decoder gives after a damaged packet's read failed, at a file's
    # cut, one it held back, was numbered one past its place (each failed read counted a
    # frame lost), and the file said to stop after one frame more than it holds.
    video = write_mpeg2_mp4(tmp_path / "whole.mp4", numbered_frames(FRAMES))
    cut = damaged_at_group(video, -2, tmp_path / "cut.mp4", cut=True)
    read_ok = [ok for ok, _ in reads(cut)]
    decoded = read_ok.index(False) + 1
    assert read_ok[decoded] and not any(read_ok[decoded + 1 :])  # the frame held back, then the end
    window = make_window(video=cut)
    numbers: list[tuple[int, int, int]] = []
    window.controller.result_ready.connect(
        lambda result: numbers.append(
            (result.frame_index, round(result.source_time * MPEG2_FPS), bar_number(result.image))
        )
    )
    wait_until_stopped(qtbot, window)
    assert numbers and all(index == by_time == number for index, by_time, number in numbers), numbers
    assert f"stopped after {decoded} of {FRAMES} frames" in window.source_banner.text()
    qtbot.waitUntil(lambda: window.playback_bar.slider.maximum() == decoded - 1, timeout=WAIT_MS)


def test_a_seek_to_the_frame_next_keeps_the_reads_that_failed_before_it(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: a seek to the frame next after the one on screen does not move the file, but it
    # forgot the reads that failed before the frame the decoder held (frames 4-15, lost):
    # the frame after them, the file's frame 16, was numbered 4, and every one after it 12
    # short.
    video = write_mpeg2_mp4(tmp_path / "whole.mp4", numbered_frames(FRAMES))
    damaged = damaged_at_group(video, 2, tmp_path / "damaged.mp4", cut=False)
    read_ok = [ok for ok, _ in reads(damaged)]
    held = read_ok.index(False)  # the decoder's frame held back is given after the reads that failed
    failed = read_ok.index(True, held) - held  # as many frames lost after it
    assert held > 1 and failed > 1, read_ok
    window = make_window(video=damaged)
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    window.pause()
    window.seek(held - 1)
    settled_on(qtbot, window, held - 1)
    window.step(1)  # read past the damage: the frame held, at its own place
    settled_on(qtbot, window, held)
    window.seek(held + 1)  # one of the frames lost: the frame after them is shown
    qtbot.waitUntil(lambda: (result := window.view.result) is not None and result.frame_index > held, timeout=WAIT_MS)
    result = shown_result(window)
    assert result.frame_index == round(result.source_time * MPEG2_FPS) == held + failed + 1
    window.resume()  # played on from there, each frame keeps its number to the end
    numbers: list[tuple[int, int]] = []
    window.controller.result_ready.connect(
        lambda result: numbers.append((result.frame_index, round(result.source_time * MPEG2_FPS)))
    )
    wait_until_stopped(qtbot, window)
    assert numbers and all(index == by_time for index, by_time in numbers), numbers
    assert f"Finished playing damaged.mp4 ({FRAMES} frames)" in window.source_banner.text()


def damaged_start(folder: Path, damaged: int, frames: int = FRAMES) -> Path:
    """``frames`` numbered frames (10 fps MJPG) whose first ``damaged`` JPEGs do not decode."""
    path = write_video(folder / "damaged_start.avi", numbered_frames(frames))
    for frame in reversed(range(damaged)):  # from the last: a damaged JPEG's start is found no more
        damage_mjpeg_frame(path, frame, path)
    return path


def test_a_file_whose_first_frames_do_not_decode_plays_from_the_first_that_does(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: "Could not read any frame from video file damaged_start.avi: it is empty or
    # damaged", as for a file of no frame: only its first read was tried, and it failed.
    video = damaged_start(tmp_path, 2)
    assert [ok for ok, _ in reads(video)][:3] == [False, False, True]
    window = make_window(video=video)
    numbers: list[tuple[int, int]] = []
    window.controller.result_ready.connect(
        lambda result: numbers.append((result.frame_index, bar_number(result.image)))
    )
    wait_until_stopped(qtbot, window)
    # The frames lost keep their places, as a damaged stretch's further on do.
    assert numbers and numbers[0] == (2, 2) and all(index == number for index, number in numbers), numbers
    assert f"Finished playing damaged_start.avi ({FRAMES} frames)" in window.source_banner.text()
    assert window.playback_bar.slider.maximum() == FRAMES - 1
    # Home: the first frame that reads, at its place.
    window.seek(0)
    settled_on(qtbot, window, 2)
    window.step(1)
    settled_on(qtbot, window, 3)


def test_a_file_whose_first_group_of_pictures_does_not_decode_numbers_its_frames_by_their_times(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # MPEG-2's decoder drops the frames that depend on the damaged first picture with fewer
    # reads failing than frames lost: the first frame's time tells its place.
    video = write_mpeg2_mp4(tmp_path / "whole.mp4", numbered_frames(FRAMES))
    damaged = damaged_at_group(video, 0, tmp_path / "damaged.mp4", cut=False)
    failed = [ok for ok, _ in reads(damaged)].index(True)
    window = make_window(video=damaged)
    numbers: list[tuple[int, int, int]] = []
    window.controller.result_ready.connect(
        lambda result: numbers.append(
            (result.frame_index, round(result.source_time * MPEG2_FPS), bar_number(result.image))
        )
    )
    wait_until_stopped(qtbot, window)
    assert numbers and numbers[0][0] > failed > 0, numbers
    assert all(index == by_time == number for index, by_time, number in numbers), numbers
    assert f"Finished playing damaged.mp4 ({FRAMES} frames)" in window.source_banner.text()


def test_a_looping_file_whose_first_frame_does_not_decode_plays_on_past_its_end(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: played once, its start read past as it opened, then ended: the read back at its
    # start failed, and was taken for the end.
    window = make_window()
    numbers: list[int] = []
    window.controller.result_ready.connect(lambda result: numbers.append(bar_number(result.image)))
    play_looping(window, damaged_start(tmp_path, 1, frames=10))
    qtbot.waitUntil(lambda: numbers.count(1) >= 2, timeout=WAIT_MS)
    assert window.is_running and 0 not in numbers, numbers


def test_a_file_none_of_whose_frames_decodes_is_refused_in_one_line(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    video = damaged_start(tmp_path, 10, frames=10)
    window = make_window(video=video)
    wait_until_stopped(qtbot, window)
    assert window.source_banner.text() == f"Could not read any frame from video file {video}: it is empty or damaged"


def test_a_seek_in_a_file_whose_first_frames_do_not_decode_lands_on_the_frame_sought(tmp_path: Path) -> None:
    # Was: OpenCV numbers a file's frames from the first it decoded, so past a damaged start
    # each seek went as many frames too far (to 20: the file's frame 22), and one whose
    # keyframe was the damaged start went back to the first frame that decodes (to 10: 2).
    clips = {
        "mjpg": damaged_start(tmp_path, 2),
        "mpeg2": damaged_at_group(
            write_mpeg2_mp4(tmp_path / "whole.mp4", numbered_frames(FRAMES)), 0, tmp_path / "damaged.mp4", cut=False
        ),
    }
    for name, clip in clips.items():
        landed: list[tuple[int, int | None]] = []
        source = open_frame_source(VideoFileSpec(clip))
        try:
            assert isinstance(source, OpenCvFrameSource)
            first = source.read()
            assert first is not None
            first_place = bar_number(first)
            for frame in [*range(FRAMES), 0, FRAMES - 1, 1, 30, 3]:
                assert source.seek(frame)
                read = next((read for read in (source.read() for _ in range(5)) if read is not None), None)
                landed.append((frame, None if read is None else bar_number(read)))
        finally:
            source.release()
        assert all(number == max(frame, first_place) for frame, number in landed), (name, landed)


def test_seeks_and_steps_in_a_file_whose_first_frames_do_not_decode_show_the_frame_sought(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: the window showed the file's frame 22 as its frame 20 (its seek bar, the
    # timeline, a recording), a step back after the end showed frame 2 as 4.
    window = make_window(video=damaged_start(tmp_path, 2))
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    window.pause()
    for frame in (20, 5, 30, 3, 2):
        window.seek(frame)
        settled_on(qtbot, window, frame)
    window.seek(1)  # within the damaged start: its first frame that decodes
    settled_on(qtbot, window, 2)
    window.step(1)
    settled_on(qtbot, window, 3)
    window.step(-1)
    settled_on(qtbot, window, 2)
    window.step(-1)  # nothing before it decodes: it stays
    settled_on(qtbot, window, 2)
    window.seek(FRAMES - 2)
    settled_on(qtbot, window, FRAMES - 2)
    window.resume()
    wait_until_stopped(qtbot, window)
    # Not running, a move opens it again at the frame sought (as Mirror view and a model
    # picked open it again at the frame shown).
    window.step(-1)
    settled_on(qtbot, window, FRAMES - 2)
    window.seek(10)
    settled_on(qtbot, window, 10)


def test_a_variable_rate_file_whose_first_frames_do_not_decode_plays_with_its_numbers(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: 30 fps then 10 (15 on average), its frames 0-1 lost: the frame after them was
    # shown as frame 1, and every one after it one short.
    durations_s = [1 / 30] * 10 + [1 / 10] * 10
    path = write_variable_rate_mp4(tmp_path / "phone.mp4", numbered_frames(len(durations_s)), durations_s, mjpeg=True)
    for frame in (1, 0):  # from the last: a damaged JPEG's start is found no more
        damage_mjpeg_frame(path, frame, path)
    window = make_window(video=path)
    numbers: list[tuple[int, int]] = []
    window.controller.result_ready.connect(
        lambda result: numbers.append((result.frame_index, bar_number(result.image)))
    )
    wait_until_stopped(qtbot, window)
    assert numbers and numbers[0] == (2, 2) and all(index == number for index, number in numbers), numbers


def straight_read(path: Path) -> dict[int, np.ndarray]:
    """Each frame of ``path`` that decodes, read straight through by OpenCV, by its place
    (its time)."""
    capture = cv2.VideoCapture(str(path))
    try:
        fps = capture.get(cv2.CAP_PROP_FPS)
        frames: dict[int, np.ndarray] = {}
        for _ in range(int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) + 10):
            ok, frame = capture.read()
            if ok:
                frames[round(capture.get(cv2.CAP_PROP_POS_MSEC) / 1000 * fps)] = frame
        return frames
    finally:
        capture.release()


def test_a_seek_past_a_frame_that_does_not_decode_lands_on_the_frame_sought(tmp_path: Path) -> None:
    # Was: OpenCV's seek decodes on from 16 frames before the frame sought, counting the
    # frames it decodes, and stopped at one that does not: a seek to 14-28 of the MJPG file
    # whose frame 12 is damaged gave frame 13, numbered as the frame sought; in the MPEG-2 one
    # whose frames 4-15 do not decode, a seek to 3-31 gave frame 3 after 11 or 12 reads that
    # failed, numbered as many past the frame sought (to 20: frame 3 shown as 31).
    video = write_mpeg2_mp4(tmp_path / "whole.mp4", numbered_frames(FRAMES))
    clips = {"mjpg": damaged_video(tmp_path), "mpeg2": damaged_at_group(video, 2, tmp_path / "damaged.mp4", cut=False)}
    for name, clip in clips.items():
        straight = straight_read(clip)
        assert len(straight) < FRAMES, name  # a frame that does not decode, or more
        landed: list[tuple[int, int, bool]] = []
        source = open_frame_source(VideoFileSpec(clip))
        try:
            assert isinstance(source, OpenCvFrameSource)
            for frame in [*range(FRAMES), 0, FRAMES - 1, DAMAGED + 5, 3, 20]:
                assert source.seek(frame)
                failed = 0
                while (read := source.read()) is None and failed < FRAMES:
                    failed += 1  # the capture worker counts each as a frame lost
                assert read is not None, (name, frame)
                # Numbered as the frame sought, or the first after it that decodes; its picture is
                # that frame's, as a read straight through gives it.
                place = min(place for place in straight if place >= frame)
                landed.append((frame, frame + failed - place, np.array_equal(read, straight[place])))
        finally:
            source.release()
        assert all(off == 0 and same for _, off, same in landed), (name, landed)


def _noise_avi(path: Path, frames: int) -> Path:
    """An MJPG AVI of ``frames`` different noise pictures, each told apart from the others."""
    rng = np.random.default_rng(3)
    return write_video(path, [rng.integers(0, 256, (48, 64, 3), np.uint8) for _ in range(frames)])


def _cut_before_its_index(whole: Path, cut: Path) -> Path:
    """``whole`` less its last 3%: the AVI's index, at its end, lost."""
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) * 97 // 100])
    return cut


def test_a_far_seek_past_a_damaged_frame_in_an_avi_whose_index_was_lost_lands_on_the_frame_sought(
    tmp_path: Path,
) -> None:
    # Was: OpenCV seeks an AVI whose index was lost by decoding on from the last frame read,
    # and stopped at frame 10, which does not decode: a seek to 360, further than the frames
    # read on to a frame sought, gave frame 11 numbered 360. It is now sought again from
    # past the damaged frame.
    whole = _noise_avi(tmp_path / "whole.avi", 400)
    cut = _cut_before_its_index(whole, tmp_path / "cut.avi")
    damage_mjpeg_frame(cut, 10, cut)
    straight = straight_read(cut)
    assert 10 not in straight and 360 in straight
    source = open_frame_source(VideoFileSpec(cut))
    try:
        for frame in (360, 380):
            assert source.seek(frame)
            read = source.read()
            assert read is not None and np.array_equal(read, straight[frame]), frame
    finally:
        source.release()


def test_a_seek_past_a_damaged_frame_in_a_file_whose_start_does_not_decode_lands_on_the_frame_sought(
    tmp_path: Path,
) -> None:
    # Was: a seek in a file whose first frames do not decode went by OpenCV's seek alone,
    # never read on: past frame 340, which does not decode either, a seek to 342-358 gave
    # frame 341 numbered as the frame sought; in the same AVI cut short (its index lost), a
    # seek to 360 gave frame 11, past a damaged frame 10.
    whole = _noise_avi(tmp_path / "whole.avi", 400)
    cut = _cut_before_its_index(whole, tmp_path / "cut.avi")
    for path, damaged, sought in ((whole, 340, (343, 358)), (cut, 10, (360,))):
        for frame in (damaged, 1, 0):  # from the last: a damaged JPEG's start is found no more
            damage_mjpeg_frame(path, frame, path)
        straight = straight_read(path)
        assert min(straight) == 2 and damaged not in straight
        for frame in sought:
            source = open_frame_source(VideoFileSpec(path))
            try:
                assert isinstance(source, OpenCvFrameSource) and source.first_place == 2
                assert source.seek(frame)
                read = source.read()
                assert read is not None and np.array_equal(read, straight[frame]), (path.name, frame)
            finally:
                source.release()


def test_a_seek_into_a_damaged_stretch_too_long_to_read_past_gives_its_failed_reads(tmp_path: Path) -> None:
    # Was: the reads that failed while a seek read on to the frame sought were dropped where
    # they ran to a damaged stretch's length (100 in a row, the file's end): the capture worker
    # counted only those after them. With frames 10-159 damaged, a seek to 170 gave frame 160
    # numbered 219 (the window's position, and a seek to 200 then frame 161 shown as 200),
    # where such a stretch is the end, the frame on screen staying as it was.
    path = _noise_avi(tmp_path / "long.avi", 240)
    for frame in reversed(range(10, 160)):
        damage_mjpeg_frame(path, frame, path)
    straight = straight_read(path)
    assert min(place for place in straight if place >= 10) == 160
    source = open_frame_source(VideoFileSpec(path))
    try:
        for frame in (170, 150, 200):
            assert source.seek(frame)
            failed = 0
            while (read := source.read()) is None and failed < 300:
                failed += 1  # the capture worker counts each as a frame lost
            assert read is not None
            place = next(place for place, picture in straight.items() if np.array_equal(picture, read))
            # Numbered as the frame it is, or after a run of failed reads the capture worker takes for the end.
            assert frame + failed == place or failed >= MAX_UNDECODABLE_RUN, (frame, failed, place)
    finally:
        source.release()


def test_seeks_past_a_frame_that_does_not_decode_show_the_frame_sought(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: a seek to 14-28 showed frame 13 numbered as the frame sought (its seek bar, the
    # timeline, a recording), and a step on from there one frame short.
    window = make_window(video=damaged_video(tmp_path))
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    window.pause()
    for frame in (DAMAGED + 2, DAMAGED + 9, DAMAGED + 15, DAMAGED + 5):
        window.seek(frame)
        settled_on(qtbot, window, frame)
    window.step(1)
    settled_on(qtbot, window, DAMAGED + 6)
    window.step(-3)
    settled_on(qtbot, window, DAMAGED + 3)
    window.step(-3)  # back onto the damaged frame: the one before it
    settled_on(qtbot, window, DAMAGED - 1)
    # MPEG-2, its frames 4-15 lost in a group that does not decode: a seek into the frames
    # after them, or to the frame before them (held back by the decoder past their reads).
    video = write_mpeg2_mp4(tmp_path / "whole.mp4", numbered_frames(FRAMES))
    window.open_video(damaged_at_group(video, 2, tmp_path / "damaged.mp4", cut=False))
    qtbot.waitUntil(lambda: window.view.result is not None and window.is_running, timeout=WAIT_MS)
    window.pause()
    for frame in (20, 3, 30):
        window.seek(frame)
        settled_on(qtbot, window, frame)
