"""Frames are timed by their container's timestamps: variable-rate video has the right seconds."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from emotion_app.cli import main
from emotion_app.io.frame_times import MAX_REORDER_FRAMES, FrameTimes, UnplacedReads
from emotion_app.io.video import open_input
from emotion_app.samples import astronaut_face_patch, paste
from tests.hostile_support import bar_number, damage_mjpeg_frame, numbered_frames
from tests.variable_rate_video import write_variable_rate_mp4

# Ten frames at 30 fps, then ten at 10 fps: a phone that slowed down in dim light.
DURATIONS_S = [1 / 30] * 10 + [1 / 10] * 10
# A frame of the 30 fps stretch.
LOST = 6


def expected_times() -> list[float]:
    return [sum(DURATIONS_S[:index]) for index in range(len(DURATIONS_S))]


def face_frames(count: int) -> list[np.ndarray]:
    patch, _ = astronaut_face_patch(110)
    frames = []
    for index in range(count):
        frame = np.full((240, 320, 3), 90, np.uint8)
        paste(frame, patch, 80 + index, 40)
        frames.append(frame)
    return frames


def test_container_timestamps_are_the_times() -> None:
    times = FrameTimes(25.0)
    assert [times.next(ms) for ms in (0.0, 33.3, 66.7, 166.7)] == pytest.approx([0.0, 0.0333, 0.0667, 0.1667])


def test_missing_or_stuck_timestamps_step_a_frame_period() -> None:
    times = FrameTimes(25.0)
    # Backends without timestamps give 0 (or nothing) for every frame.
    assert [times.next(ms) for ms in (0.0, 0.0, float("nan"), None, -5.0)] == pytest.approx([0, 0.04, 0.08, 0.12, 0.16])
    # A timestamp that goes back (a damaged packet) is not followed back.
    assert times.next(100.0) == pytest.approx(0.2)
    assert times.next(500.0) == pytest.approx(0.5)
    times.restart()
    assert times.next(0.0) == 0.0


def placed(times: FrameTimes, unplaced: UnplacedReads, reads: list[float | None]) -> list[int]:
    """The frames' numbers for ``reads`` (a frame's timestamp in ms; None: a read that
    failed), as the video readers number them."""
    numbers: list[int] = []
    index = 0
    for timestamp in reads:
        if timestamp is None:
            unplaced.failed()
            continue
        times.next(timestamp)
        index += unplaced.place(times.step_periods)
        numbers.append(index)
        index += 1
    return numbers


def test_reads_that_failed_are_frames_lost_where_the_times_show_them() -> None:
    # A frame lost: the next is two periods on. A frame held back by the decoder: the next
    # period on, the read that failed placed at the gap further on (a group of pictures).
    assert placed(FrameTimes(10.0), UnplacedReads(), [0, 100, None, 300]) == [0, 1, 3]
    assert placed(FrameTimes(10.0), UnplacedReads(), [0, 100, None, None, 200, 500]) == [0, 1, 2, 5]
    # Timestamps that do not tell (none, or stuck): each read that failed is a frame lost.
    assert placed(FrameTimes(10.0), UnplacedReads(), [0, 0, None, 0]) == [0, 1, 3]
    assert placed(FrameTimes(None), UnplacedReads(), [0, 100, None, 200]) == [0, 1, 3]
    # A jump long after the read that failed (a variable rate) is not taken for its frame.
    steady = [100.0 * index for index in range(1, MAX_REORDER_FRAMES + 1)]
    numbers = placed(FrameTimes(10.0), UnplacedReads(), [0, None, *steady, 10_000])
    assert numbers == list(range(MAX_REORDER_FRAMES + 2))


def test_a_frame_lost_where_frames_come_faster_than_the_average_rate_is_counted() -> None:
    # Was: the step was measured in the container's average frame period only. A clip at
    # 15 fps on average, in a stretch at 30 fps, moves two of its frames in one average
    # period: a frame lost there (a step of 67 ms) went uncounted, the frames after it one
    # short and no warning given. The step before it, 33 ms, tells.
    fast = [1000 / 30 * index for index in range(5)]
    assert placed(FrameTimes(15.0), UnplacedReads(), [*fast, None, 1000 / 30 * 6]) == [0, 1, 2, 3, 4, 6]
    # A frame the decoder held, given after the read that failed, is still no frame lost.
    assert placed(FrameTimes(15.0), UnplacedReads(), [*fast, None, 1000 / 30 * 5]) == [0, 1, 2, 3, 4, 5]


def test_a_frame_lost_in_a_variable_rate_clip_keeps_its_place(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # A phone clip, 30 fps then 10 (15 fps on average), its frame 6 damaged: the frames
    # after it keep their numbers, and the frame is named as lost.
    path = write_variable_rate_mp4(tmp_path / "phone.mp4", numbered_frames(len(DURATIONS_S)), DURATIONS_S, mjpeg=True)
    damage_mjpeg_frame(path, LOST, path)
    with caplog.at_level("WARNING"):
        frames = list(open_input(path).frames())
    assert [(index, bar_number(frame)) for index, _, frame in frames] == [
        (index, index) for index in range(len(DURATIONS_S)) if index != LOST
    ]
    assert [time_s for _, time_s, _ in frames] == pytest.approx(
        [time_s for index, time_s in enumerate(expected_times()) if index != LOST], abs=1e-3
    )
    assert f"frame {LOST} could not be decoded; skipped" in caplog.text


def test_a_variable_rate_clip_whose_first_frames_do_not_decode_numbers_them_all(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Was: its frames 0-1 lost in its 30 fps stretch, the frame after them (at 0.067 s, one
    # period of its 15 fps average) was numbered 1, and every frame after it one short: a
    # failed read at a stream's start is a frame lost, whatever the times say.
    path = write_variable_rate_mp4(tmp_path / "phone.mp4", numbered_frames(len(DURATIONS_S)), DURATIONS_S, mjpeg=True)
    for frame in (1, 0):  # from the last: a damaged JPEG's start is found no more
        damage_mjpeg_frame(path, frame, path)
    with caplog.at_level("WARNING"):
        frames = list(open_input(path).frames())
    assert [(index, bar_number(frame)) for index, _, frame in frames] == [
        (index, index) for index in range(2, len(DURATIONS_S))
    ]
    assert "frames 0-1 could not be decoded; skipped" in caplog.text


def test_without_timestamps_or_frame_rate_there_is_no_time() -> None:
    times = FrameTimes(None)
    assert [times.next(None), times.next(float("nan"))] == [None, None]
    # A first frame at 0 is at the start; later zeros say nothing.
    assert [times.next(0.0), times.next(0.0)] == [0.0, None]
    assert times.next(40.0) == pytest.approx(0.04)


def test_a_variable_rate_video_reads_with_its_own_times(tmp_path: Path) -> None:
    path = write_variable_rate_mp4(tmp_path / "phone.mp4", face_frames(len(DURATIONS_S)), DURATIONS_S)
    media = open_input(path)
    times = [time_s for _, time_s, _ in media.frames()]
    assert times == pytest.approx(expected_times(), abs=1e-3)
    # What timing by the average frame rate would have said, for contrast.
    average = [index / media.fps for index in range(len(times))] if media.fps else []
    timed = [time_s for time_s in times if time_s is not None]
    assert max(abs(a - b) for a, b in zip(average, timed, strict=True)) > 0.1


def test_analyze_writes_a_variable_rate_videos_own_seconds(tmp_path: Path, random_weights: Path) -> None:
    path = write_variable_rate_mp4(tmp_path / "phone.mp4", face_frames(len(DURATIONS_S)), DURATIONS_S)
    out = tmp_path / "faces.csv"
    assert main(["analyze", str(path), "--csv", str(out), "--weights", str(random_weights)]) == 0
    rows = list(csv.DictReader(out.open()))
    by_frame = {int(row["frame"]): float(row["time_s"]) for row in rows if row["time_s"]}
    assert len(by_frame) >= 15
    expected = expected_times()
    for frame, time_s in by_frame.items():
        assert time_s == pytest.approx(expected[frame], abs=1e-3)


def test_the_mp4_helper_keeps_every_frame(tmp_path: Path) -> None:
    frames = [np.full((48, 64, 3), 12 * index, np.uint8) for index in range(len(DURATIONS_S))]
    path = write_variable_rate_mp4(tmp_path / "levels.mp4", frames, DURATIONS_S)
    capture = cv2.VideoCapture(str(path))
    read = 0
    while capture.read()[0]:
        read += 1
    capture.release()
    assert read == len(frames)


def test_the_frame_times_script_reports_how_far_off_the_frame_rate_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from scripts.frame_times import main as frame_times

    frames = [np.full((48, 64, 3), 12 * index, np.uint8) for index in range(len(DURATIONS_S))]
    path = write_variable_rate_mp4(tmp_path / "levels.mp4", frames, DURATIONS_S)
    assert frame_times([str(path)]) == 0
    row = json.loads(capsys.readouterr().out.strip().splitlines()[-1])[0]
    assert row["frames"] == len(frames)
    assert row["step_ms"] == pytest.approx([1000 / 30, 100.0], abs=1.0)
    # 20 frames over 1.33 s read as 15 fps: the tenth frame is 0.6 s by the rate, 0.33 s in the file.
    assert row["largest_gap_ms"] > 200.0
