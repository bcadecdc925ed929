"""Seeking in a GIF the player reads through FFmpeg (``OpenCvFrameSource``): a seek forward
reads on from where the reader is, a seek back among the last frames read gives them again,
and the frames after any seek are those of a play from the start."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from emotion_app.io import recent_frames
from emotion_app.sources.opencv_source import OpenCvFrameSource
from emotion_app.sources.opening import open_frame_source
from emotion_app.sources.specs import VideoFileSpec

FRAMES = 120


@pytest.fixture(scope="module")
def gif(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A GIF whose frames depend on those before them: small moving patches over a
    background, every disposal method in turn, a transparent colour, frames of 1-3 ms."""
    rng = np.random.default_rng(7)
    frames: list[Image.Image] = []
    for index in range(FRAMES):
        picture = np.full((48, 64), 3, dtype=np.uint8)
        picture[rng.integers(0, 48, 40), rng.integers(0, 64, 40)] = 0  # transparent specks
        top, left = (index * 3) % 40, (index * 5) % 56
        picture[top : top + 8, left : left + 8] = 1 + index % 2
        frame = Image.fromarray(picture, mode="L").convert("P")
        frame.putpalette([0, 0, 0, 250, 40, 40, 40, 200, 40, 90, 90, 220] + [0] * (252 * 3))
        frames.append(frame)
    path = tmp_path_factory.mktemp("gif") / "moving.gif"
    frames[0].save(
        path,
        save_all=True,
        append_images=frames[1:],
        duration=40,
        loop=0,
        transparency=0,
        disposal=[index % 4 for index in range(FRAMES)],
        optimize=False,
    )
    return path


def opened(path: Path) -> OpenCvFrameSource:
    source = open_frame_source(VideoFileSpec(path, pace=False))
    assert isinstance(source, OpenCvFrameSource)
    return source


def played(path: Path) -> list[np.ndarray]:
    return [frame for frame, _ in timed_play(path)]


def timed_play(path: Path) -> list[tuple[np.ndarray, float | None]]:
    source = opened(path)
    frames = []
    while (frame := source.read()) is not None:
        frames.append((frame, source.last_time_s))
    source.release()
    return frames


def shows_after_seeks(
    source: OpenCvFrameSource, expected: list[tuple[np.ndarray, float | None]], targets: tuple[int, ...]
) -> None:
    """Each frame of ``targets`` sought and read: the frame, and its time, of a play from the start."""
    for at in targets:
        assert source.seek(at)
        frame = source.read()
        assert frame is not None
        np.testing.assert_array_equal(frame, expected[at][0], err_msg=f"frame {at}")
        assert source.last_time_s == expected[at][1], f"frame {at}"


def test_a_play_with_seeks_forward_decodes_each_frame_once(gif: Path) -> None:
    source = opened(gif)
    read = 0
    while source.read() is not None:
        read += 1
        if read % 10 == 0:  # where a seek bar's click or drag lands, at the frame due
            assert source.seek(read)
        if read == 55:
            assert source.seek(read + 7)  # a little ahead: the frames between passed over
            read += 7
    source.release()
    assert read == FRAMES
    # Each frame decoded once (each seek used to decode again from the first frame).
    assert source.decoded_frames <= FRAMES + 1


def test_frames_after_seeks_are_those_of_a_play_from_the_start(gif: Path) -> None:
    expected = played(gif)
    assert len(expected) == FRAMES
    assert len({frame.tobytes() for frame in expected}) > FRAMES // 2  # the frames differ
    source = opened(gif)
    for target in (5, 40, 41, 90, 20, 21, 0, 119, 60):  # forward, back, to the first and last
        assert source.seek(target)
        for offset in range(2 if target < FRAMES - 1 else 1):
            frame = source.read()
            assert frame is not None
            np.testing.assert_array_equal(frame, expected[target + offset], err_msg=f"frame {target + offset}")
    source.release()


def test_a_seek_forward_past_the_end_reads_no_frame(gif: Path) -> None:
    source = opened(gif)
    source.read()
    source.seek(FRAMES + 5)
    assert source.read() is None
    source.release()


def test_steps_back_among_the_last_frames_decode_nothing_again(gif: Path) -> None:
    expected = timed_play(gif)
    source = opened(gif)
    shown: list[tuple[int, np.ndarray, float | None]] = []
    index = 0
    while (frame := source.read()) is not None:
        shown.append((index, frame, source.last_time_s))
        index += 1
        if len(shown) % 20 == 0:  # 5 s back while playing, then a frame back as if paused
            index -= 10
            assert source.seek(index)
            frame = source.read()
            assert frame is not None
            shown.append((index, frame, source.last_time_s))
            assert source.seek(index)  # the same frame again, as a step back from the next shows
    source.release()
    assert index == FRAMES
    for at, frame, time_s in shown:
        np.testing.assert_array_equal(frame, expected[at][0], err_msg=f"frame {at}")
        assert time_s == expected[at][1], f"frame {at}"
    # Each frame decoded once, and the end's failed read (a seek back used to decode the
    # file again from its first frame).
    assert source.decoded_frames <= FRAMES + 1


def test_steps_back_after_a_seek_forward_decode_nothing_again(gif: Path) -> None:
    expected = timed_play(gif)
    source = opened(gif)
    assert source.seek(100)
    assert source.read() is not None
    before = source.decoded_frames
    shows_after_seeks(source, expected, (99, 98, 97, 70, 71))
    assert source.decoded_frames == before
    source.release()


def test_a_seek_back_past_the_frames_kept_decodes_from_the_first(gif: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = played(gif)
    monkeypatch.setattr(recent_frames, "RECENT_FRAMES_BYTES", 8 * expected[0].nbytes)
    source = opened(gif)
    for _ in range(70):
        source.read()
    before = source.decoded_frames
    assert source.seek(50)  # 20 back, past the 8 kept
    assert source.decoded_frames - before == 50
    for at in range(50, FRAMES):
        frame = source.read()
        assert frame is not None
        np.testing.assert_array_equal(frame, expected[at], err_msg=f"frame {at}")
    assert source.seek(FRAMES - 3)  # among the 8 kept again
    frame = source.read()
    assert frame is not None
    np.testing.assert_array_equal(frame, expected[FRAMES - 3])
    source.release()


def test_steps_back_from_the_end_decode_nothing_again(gif: Path) -> None:
    # Played to its end (its last read fails), then stepped back as the player's keys do
    # after the end: the last frames are those kept, not decoded again from the first.
    expected = timed_play(gif)
    source = opened(gif)
    while source.read() is not None:
        pass
    before = source.decoded_frames
    shows_after_seeks(source, expected, (FRAMES - 1, FRAMES - 2, FRAMES - 10))
    assert source.decoded_frames == before
    # Played on from there, it ends where it did.
    assert source.seek(FRAMES - 2)
    assert source.read() is not None and source.read() is not None
    assert source.read() is None
    source.release()


def test_a_released_source_gives_no_frame_kept(gif: Path) -> None:
    # Released while a seek back was to give its frames kept again: those frames (up to
    # RECENT_FRAMES_BYTES) were still read out, and held, after the file was let go of.
    source = opened(gif)
    for _ in range(30):
        source.read()
    assert source.seek(20)
    source.release()
    assert source.read() is None
    assert not source.seek(25)
    assert source.read() is None


def test_each_frame_says_how_long_it_is_shown_the_last_one_too(tmp_path: Path) -> None:
    # FFmpeg gives a GIF frame's start only: the player showed each frame for the step
    # before it, and the last one (500 ms here) for 100 ms before "Finished playing".
    # A WebP's or PNG's animation said each frame's own duration; a GIF now does too.
    from emotion_app.gui.capture_worker import _shown_for_s

    delays_ms = [100, 300, 100, 500]
    pictures = [Image.fromarray(np.full((24, 32, 3), 40 * index, np.uint8)) for index in range(len(delays_ms))]
    path = tmp_path / "hold.gif"
    pictures[0].save(path, save_all=True, append_images=pictures[1:], duration=delays_ms, loop=0)
    source = opened(path)
    shown_ms = []
    while source.read() is not None:
        shown_for_s = _shown_for_s(source)
        assert shown_for_s is not None
        shown_ms.append(round(shown_for_s * 1000))
    assert shown_ms == delays_ms
    # After a seek back (the frames kept given again) and one from the start.
    for at in (1, 0, 3):
        assert source.seek(at) and source.read() is not None
        assert _shown_for_s(source) == pytest.approx(delays_ms[at] / 1000)
    source.release()
