"""``analyze -o``'s annotated video keeps the input's timing, as FFmpeg's constant-rate
output does: a variable-rate clip's frames are repeated or dropped, a constant-rate
clip's are written one for one."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from PIL import Image

from emotion_app.cli import main
from emotion_app.io.retime import MAX_JUMPS_KEPT, FrameSlots, output_rate
from emotion_app.io.video import AnnotatedVideoWriter
from emotion_app.samples import astronaut_bgr, write_video
from tests.variable_rate_video import write_variable_rate_mp4

# Ten frames at 30 fps, then ten at 10 fps (a phone that slowed down in dim light), the
# picture cutting from dark to bright at frame 15.
DURATIONS_S = [1 / 30] * 10 + [1 / 10] * 10
CUT = 15
# Flat grey levels far enough apart to tell each frame from the next after compression.
LEVEL_STEP = 12


def level_frames(count: int) -> list[np.ndarray]:
    return [np.full((96, 128, 3), 8 + LEVEL_STEP * index, np.uint8) for index in range(count)]


def read_levels(path: Path) -> tuple[float, list[float]]:
    """The video's frame rate and its frames' mean levels."""
    capture = cv2.VideoCapture(str(path))
    fps = capture.get(cv2.CAP_PROP_FPS)
    levels = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        levels.append(float(frame.mean()))
    capture.release()
    return fps, levels


def read_output(path: Path, source: Path) -> tuple[float, list[int]]:
    """The video's frame rate and, for each of its frames, the input frame it shows (the
    one nearest in level: each encoding shifts the levels a little)."""
    _, inputs = read_levels(source)
    fps, levels = read_levels(path)
    return fps, [int(np.argmin([abs(level - known) for known in inputs])) for level in levels]


def analyze(source: Path, out: Path, weights: Path, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert main(["analyze", str(source), "-o", str(out), "--weights", str(weights)]) == 0
    return capsys.readouterr().out


def test_a_variable_rate_clip_keeps_its_timing(
    tmp_path: Path, random_weights: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_variable_rate_mp4(tmp_path / "phone.mp4", level_frames(len(DURATIONS_S)), DURATIONS_S)
    starts = [sum(DURATIONS_S[:index]) for index in range(len(DURATIONS_S))]
    out = tmp_path / "annotated.mp4"
    printed = analyze(source, out, random_weights, capsys)
    fps, shown = read_output(out, source)
    interval = 1 / fps
    # The cut comes at its own time, within a frame interval.
    cut_at = shown.index(CUT) * interval
    assert cut_at == pytest.approx(starts[CUT], abs=interval)
    # Every output frame shows the input frame current at its time (within half an
    # interval, the rounding of a time to the output's frames), in order.
    assert shown == sorted(shown)
    for slot, index in enumerate(shown):
        assert starts[index] <= slot * interval + interval / 2 + 1e-6
        if index + 1 < len(starts):
            assert starts[index + 1] > slot * interval - interval / 2 - 1e-6
    # The last frame is kept; the video lasts as long as the input up to it.
    assert shown[-1] == len(DURATIONS_S) - 1
    assert (len(shown) - 1) * interval == pytest.approx(starts[-1], abs=interval)
    repeated = len(shown) - len(set(shown))
    dropped = len(DURATIONS_S) - len(set(shown))
    assert repeated or dropped
    summary = f"annotated video: {out} ({len(shown)} frames at {fps:.2f} fps"
    assert summary in printed
    assert f"{repeated} repeated" in printed and f"{dropped} dropped" in printed


def test_a_constant_rate_clip_is_written_frame_for_frame(
    tmp_path: Path, random_weights: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frames = level_frames(20)
    source = write_video(tmp_path / "steady.mp4", frames, fps=30.0)
    out = tmp_path / "annotated.mp4"
    printed = analyze(source, out, random_weights, capsys)
    fps, shown = read_output(out, source)
    assert fps == pytest.approx(30.0)
    assert shown == list(range(len(frames)))
    assert f"annotated video: {out} ({len(frames)} frames)\n" in printed


def test_an_avi_at_its_odd_rate_is_written_frame_for_frame(
    tmp_path: Path, random_weights: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 29.97 fps, the NTSC rate: its frames' times are not whole milliseconds.
    frames = level_frames(18)
    source = write_video(tmp_path / "ntsc.avi", frames, fps=30000 / 1001)
    out = tmp_path / "annotated.mp4"
    printed = analyze(source, out, random_weights, capsys)
    fps, shown = read_output(out, source)
    assert fps == pytest.approx(30000 / 1001, abs=1e-3)
    assert shown == list(range(len(frames)))
    assert f"({len(frames)} frames)\n" in printed


def test_frames_faster_than_the_output_are_dropped_and_slower_ones_repeated() -> None:
    slots = FrameSlots(10.0)
    # 0.1 s apart, then frames 30 ms apart (two of them dropped: each output frame shows
    # the last frame nearest its time), then a 0.3 s gap (a frame shown three times).
    times = [0.0, 0.1, 0.2, 0.23, 0.26, 0.3, 0.6, 0.7]
    filled = [slots.place(time_s) for time_s in times]
    # Each number is how many output frames the frame before fills.
    assert filled == [0, 1, 1, 0, 1, 0, 3, 1]
    # Without times the frames go one for one.
    slots = FrameSlots(10.0)
    assert [slots.place(None) for _ in range(3)] == [0, 1, 1]


def test_the_output_rate_is_the_fastest_steady_stretchs() -> None:
    steady = [index / 25 for index in range(40)]
    assert output_rate(steady, 25.0) == 25.0
    # Timestamps rounded to milliseconds (29.97 fps in a Matroska file) keep the rate reported.
    assert output_rate([round(index * 1001 / 30) / 1000 for index in range(60)], 30000 / 1001) == 30000 / 1001
    # Steps of 41.7 ms that the container reports as 23.67 fps: the steps' 24 fps.
    assert output_rate([index / 24 for index in range(90)], 23.67) == pytest.approx(24.0)
    # Ten frames at 30 fps, then ten at 10: 30 fps, every frame kept.
    times = [sum(DURATIONS_S[:index]) for index in range(len(DURATIONS_S))]
    assert output_rate(times, 15.0) == pytest.approx(30.0)
    # A 24 fps start in a clip whose average is 26.5 fps: a faster stretch is to come, so
    # not under the average.
    assert output_rate([index / 24 for index in range(90)], 26.495) == 26.495
    # No times: the container's rate.
    assert output_rate([], 12.0) == 12.0
    assert output_rate([None, None, None], None) is None


def test_the_output_rate_stands_jitter_and_a_glitch() -> None:
    # A phone's steps: 33.3 ms give or take 3 ms, and one glitch step of 30 ms at a cut.
    rng = np.random.default_rng(3)
    steps = [1 / 30 + rng.uniform(-0.003, 0.003) for _ in range(80)] + [0.030] * 6
    times = [float(sum(steps[:index])) for index in range(len(steps) + 1)]
    assert output_rate(times, 29.5) == pytest.approx(30.0, rel=0.01)


def test_an_animated_gifs_long_delay_is_kept(
    tmp_path: Path, random_weights: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    delays_ms = [100] * 6 + [500] + [100] * 5
    pictures = [Image.fromarray(frame[:, :, ::-1]) for frame in level_frames(len(delays_ms))]
    source = tmp_path / "blink.gif"
    pictures[0].save(source, save_all=True, append_images=pictures[1:], duration=delays_ms, loop=0)
    out = tmp_path / "annotated.mp4"
    analyze(source, out, random_weights, capsys)
    fps, shown = read_output(out, source)
    assert fps == pytest.approx(10.0)
    # The long frame lasts its half second; the others a tenth each.
    assert [shown.count(index) for index in range(len(delays_ms))] == [round(ms * fps / 1000) for ms in delays_ms]


def test_a_jump_in_the_timestamps_is_not_held() -> None:
    # A corrupt jump of an hour repeated the frame before it for the hour (108,000 frames
    # at 30 fps); a jump back dropped every frame after it.
    slots = FrameSlots(10.0)
    times = [0.0, 0.1, 0.2, 3600.2, 3600.3, 3600.5, 3.0, 3.1]
    assert [slots.place(time_s) for time_s in times] == [0, 1, 1, 1, 1, 2, 1, 1]
    assert [(index, round(step_s, 1)) for index, step_s in slots.jumps] == [(3, 3600.0), (6, -3597.5)]
    # A long hold short of the limit is kept.
    slots = FrameSlots(10.0)
    assert [slots.place(time_s) for time_s in (0.0, 9.0, 9.1)] == [0, 90, 1] and slots.jumps == []


def test_the_jumps_kept_are_bounded_and_all_counted(tmp_path: Path) -> None:
    # Timestamps broken at every frame (each 20 s from the one before, back and forth)
    # kept a list entry per frame for the summary, which names only the first.
    slots = FrameSlots(10.0)
    for index in range(100_000):
        slots.place(20.0 * (index % 2))
    assert slots.jump_count == 99_999
    assert len(slots.jumps) == MAX_JUMPS_KEPT and slots.jumps[0] == (1, 20.0)
    frames = MAX_JUMPS_KEPT + 20
    with AnnotatedVideoWriter(tmp_path / "jumps.avi", 10.0) as writer:
        for index in range(frames):
            writer.write_at(np.zeros((16, 16, 3), np.uint8), 20.0 * (index % 2), index + 7)
    assert writer.jump_count == frames - 1
    assert len(writer.jumps) == MAX_JUMPS_KEPT and writer.jumps[0] == (8, 20.0)


def test_the_output_rate_is_bounded_without_a_container_rate_or_with_a_jump() -> None:
    # Steps of 2 ms (a camera's glitch, or timestamps in the wrong unit): no 500 fps video.
    assert output_rate([index * 0.002 for index in range(40)], None) == 120.0
    assert output_rate([index / 30 for index in range(40)], None) == pytest.approx(30.0)
    # The container's average over a clip with an hour's jump (0.0056 fps) bounds nothing:
    # the steps' 30 fps, not 3 x 0.0056.
    times = [index / 30 for index in range(10)] + [3600 + index / 30 for index in range(10)]
    assert output_rate(times, 20 / 3600.6) == pytest.approx(30.0)


def test_a_clip_whose_timestamps_jump_an_hour_is_written_short(
    tmp_path: Path, random_weights: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    durations_s = [1 / 30] * 9 + [3600.0] + [1 / 30] * 10  # frame 9 lasts an hour
    source = write_variable_rate_mp4(tmp_path / "jump.mp4", level_frames(len(durations_s)), durations_s)
    out = tmp_path / "annotated.mp4"
    printed = analyze(source, out, random_weights, capsys)
    fps, shown = read_output(out, source)
    assert fps == pytest.approx(30.0, rel=0.01)
    assert shown == list(range(len(durations_s)))  # each frame once: none held for the hour
    assert f"annotated video: {out} ({len(shown)} frames; a jump of 3600.0 s in the input's timestamps at frame 10" in (
        printed
    ), printed


# An animation whose last frame is held longest: 1.0 s in all.
HOLD_DELAYS_MS = [100, 300, 100, 500]
# Under each picture of a face, a band of one flat level a frame (which frame an output
# frame shows is told by it).
BAND_ROWS = 64


def banded_faces(count: int) -> list[np.ndarray]:
    face = astronaut_bgr()
    return [
        np.vstack([face, np.full((BAND_ROWS, face.shape[1], 3), 20 + 60 * index, np.uint8)]) for index in range(count)
    ]


def write_banded_animation(path: Path, delays_ms: list[int]) -> Path:
    """An animation at ``path`` (GIF, WebP or PNG by its suffix; WebP lossless, so its
    bands stay apart) of :func:`banded_faces`, frame ``i`` shown ``delays_ms[i]``."""
    pictures = [Image.fromarray(frame[:, :, ::-1]) for frame in banded_faces(len(delays_ms))]
    lossless: dict[str, Any] = {"lossless": True} if path.suffix == ".webp" else {}
    pictures[0].save(path, save_all=True, append_images=pictures[1:], duration=delays_ms, loop=0, **lossless)
    return path


def shown_bands(path: Path, count: int) -> tuple[float, list[int]]:
    """The video's frame rate and, for each of its frames, which of ``count`` bands it shows."""
    capture = cv2.VideoCapture(str(path))
    fps = capture.get(cv2.CAP_PROP_FPS)
    shown = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        level = float(frame[-BAND_ROWS // 2 :].mean())
        shown.append(int(np.argmin([abs(level - (20 + 60 * index)) for index in range(count)])))
    capture.release()
    return fps, shown


def report_seconds(folder: Path) -> float:
    """Everyone's seconds in the report's table."""
    with (folder / "emotion-summary.csv").open(newline="", encoding="utf-8") as handle:
        return sum(float(row["seconds"]) for row in csv.DictReader(handle) if row["person"] == "everyone")


@pytest.mark.parametrize("suffix", [".gif", ".webp", ".png"])
def test_an_animations_last_frame_is_held_its_own_delay(
    tmp_path: Path, random_weights: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    # The last frame's own delay was lost: 100/300/100/500 ms made a video of 0.6 s (the
    # last frame written once) and a report of 0.5 s (each frame counts the time since the
    # one before; the last one's showing counted nothing).
    source = write_banded_animation(tmp_path / f"hold{suffix}", HOLD_DELAYS_MS)
    out, report = tmp_path / "annotated.mp4", tmp_path / "report"
    capsys.readouterr()
    arguments = ["analyze", str(source), "-o", str(out), "--report", str(report), "--weights", str(random_weights)]
    assert main(arguments) == 0
    printed = capsys.readouterr().out
    fps, shown = shown_bands(out, len(HOLD_DELAYS_MS))
    assert fps == pytest.approx(10.0)
    assert shown == sorted(shown)
    assert [shown.count(index) for index in range(len(HOLD_DELAYS_MS))] == [1, 3, 1, 5]
    assert f"annotated video: {out} (10 frames at 10.00 fps" in printed
    # The face is in every frame: the report counts the whole second.
    assert report_seconds(report) == pytest.approx(1.0, abs=1e-3)
    assert "(1.0 s, 1 person)" in printed


def test_a_videos_last_frame_counts_a_frame_interval_in_the_report(
    tmp_path: Path, random_weights: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Twenty frames at 10 fps are 2 s: the report counted 1.9 s, the last frame's tenth
    # lost. Its annotated video is still written frame for frame.
    source = write_video(tmp_path / "steady.avi", [astronaut_bgr()] * 20, fps=10.0)
    out, report = tmp_path / "annotated.mp4", tmp_path / "report"
    capsys.readouterr()
    arguments = ["analyze", str(source), "-o", str(out), "--report", str(report), "--weights", str(random_weights)]
    assert main(arguments) == 0
    printed = capsys.readouterr().out
    assert report_seconds(report) == pytest.approx(2.0, abs=1e-3)
    assert f"annotated video: {out} (20 frames)\n" in printed


def test_an_animations_long_frame_counts_in_the_report_as_long_as_in_the_video(
    tmp_path: Path, random_weights: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A frame held 3 s counted 1 s in the report (the cap on a live camera's stall), while
    # the annotated video holds it 3 s: 100/3000/100 ms made a report of 1.2 s.
    delays_ms = [100, 3000, 100]
    source = write_banded_animation(tmp_path / "slide.gif", delays_ms)
    out, report = tmp_path / "annotated.mp4", tmp_path / "report"
    capsys.readouterr()
    arguments = ["analyze", str(source), "-o", str(out), "--report", str(report), "--weights", str(random_weights)]
    assert main(arguments) == 0
    printed = capsys.readouterr().out
    fps, shown = shown_bands(out, len(delays_ms))
    assert fps == pytest.approx(10.0) and [shown.count(index) for index in range(len(delays_ms))] == [1, 30, 1]
    assert report_seconds(report) == pytest.approx(len(shown) / fps, abs=1e-3)
    assert "(3.2 s, 1 person)" in printed, printed


def test_an_animations_last_frame_held_over_ten_seconds_is_no_jump(
    tmp_path: Path, random_weights: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A last frame of 15 s (an end card) was told as "a jump of 15.0 s in the input's
    # timestamps at frame 3" of a 3-frame GIF: no frame 3 is there, nor any jump. It is
    # written one frame interval, as any hold over 10 s is, and told of no jump.
    delays_ms = [100, 100, 15000]
    source = write_banded_animation(tmp_path / "end_card.gif", delays_ms)
    out = tmp_path / "annotated.mp4"
    capsys.readouterr()
    assert main(["analyze", str(source), "-o", str(out), "--weights", str(random_weights)]) == 0
    printed = capsys.readouterr().out
    assert f"annotated video: {out} (3 frames)\n" in printed, printed
    fps, shown = shown_bands(out, len(delays_ms))
    assert fps == pytest.approx(10.0) and shown == [0, 1, 2]
