"""Seeking in an animated WebP or PNG (``AnimationFrameSource``): a WebP's seek forward
reads on from where its decoder is, a seek back among the last frames read gives them
again; after any seek, the frames and times of OpenCV's decode of the whole file."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from emotion_app.io import multi_picture, recent_frames
from emotion_app.io.frame_format import normalise_frame
from emotion_app.sources.files import AnimationFrameSource
from emotion_app.sources.opening import open_frame_source
from emotion_app.sources.specs import VideoFileSpec

FRAMES = 120
SIZE = (64, 48)  # width, height
FRAME_BYTES = SIZE[0] * SIZE[1] * 4  # as OpenCV decodes them (BGRA)


def pictures(alpha: bool) -> list[Image.Image]:
    """Frames that depend on those before them where the writer crops them to what changed:
    a moving patch over a gradient, with transparent specks and a half-transparent band."""
    rng = np.random.default_rng(11)
    frames = []
    for index in range(FRAMES):
        picture = np.zeros((SIZE[1], SIZE[0], 4), np.uint8)
        picture[..., 0] = (np.arange(SIZE[0]) * 4 + index) % 256
        picture[..., 1], picture[..., 2], picture[..., 3] = 90, 40, 255
        if alpha:
            picture[rng.integers(0, SIZE[1], 60), rng.integers(0, SIZE[0], 60), 3] = 0
            picture[10:20, (index * 3) % 50 : (index * 3) % 50 + 10, 3] = 120
        top, left = (index * 3) % 40, (index * 5) % 56
        picture[top : top + 8, left : left + 8, :3] = (250, 40, 40)
        frames.append(Image.fromarray(picture if alpha else picture[..., :3].copy()))
    return frames


@pytest.fixture(scope="module", params=["lossy.webp", "lossless.webp", "opaque.webp", "blended.png"])
def animation(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    name = request.param
    frames = pictures(alpha=name != "opaque.webp")
    path = tmp_path_factory.mktemp("animation") / name
    options = {"lossless": name == "lossless.webp"} if name.endswith(".webp") else {"disposal": 0, "blend": 1}
    durations = [30 + index % 3 * 10 for index in range(FRAMES)]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=durations, loop=0, **options)
    return path


@pytest.fixture
def webp(tmp_path: Path) -> Path:
    frames = pictures(alpha=True)
    path = tmp_path / "moving.webp"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=40, loop=0)
    return path


@pytest.fixture
def long_animation(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader's stretch of 10 frames: an animation of 120 is as one of 12 stretches
    (a 640x360 one of 1,800 frames at the real bound)."""
    monkeypatch.setattr(multi_picture, "MAX_STRETCH_BYTES", 2 * 10 * FRAME_BYTES)


def straight_decode(path: Path) -> list[tuple[np.ndarray, float]]:
    """OpenCV's frames of the whole file in one call, with their start times."""
    ok, decoded = cv2.imdecodeanimation(np.fromfile(path, np.uint8).reshape(1, -1))
    assert ok and len(decoded.frames) == FRAMES
    starts = np.concatenate([[0], np.cumsum(decoded.durations)[:-1]]) / 1000.0
    return [(normalise_frame(frame), float(start)) for frame, start in zip(decoded.frames, starts, strict=True)]


def opened(path: Path) -> AnimationFrameSource:
    source = open_frame_source(VideoFileSpec(path, pace=False))
    assert isinstance(source, AnimationFrameSource)
    return source


def shows_after_seeks(
    source: AnimationFrameSource, expected: list[tuple[np.ndarray, float]], targets: tuple[int, ...]
) -> None:
    """Each frame of ``targets`` sought and read, and the one after it: those of OpenCV's decode."""
    for target in targets:
        assert source.seek(target)
        for at in range(target, min(target + 2, FRAMES)):
            frame = source.read()
            assert frame is not None
            np.testing.assert_array_equal(frame, expected[at][0], err_msg=f"frame {at}")
            assert source.last_time_s == pytest.approx(expected[at][1]), f"frame {at}"


@pytest.mark.usefixtures("long_animation")
def test_frames_after_seeks_are_those_of_a_straight_decode(animation: Path) -> None:
    expected = straight_decode(animation)
    assert len({frame.tobytes() for frame, _ in expected}) > FRAMES // 2  # the frames differ
    source = opened(animation)
    played = []
    while (frame := source.read()) is not None:
        played.append(frame)
    assert len(played) == FRAMES
    for at, frame in enumerate(played):
        np.testing.assert_array_equal(frame, expected[at][0], err_msg=f"frame {at}")
    # Forward, back a step and further, to the first and last, after the end.
    shows_after_seeks(source, expected, (5, 40, 41, 90, 89, 20, 21, 0, 119, 60, 118))
    source.release()


@pytest.mark.usefixtures("long_animation")
def test_a_play_with_seeks_forward_decodes_each_frame_once(webp: Path) -> None:
    source = opened(webp)
    read = 0
    while source.read() is not None:
        read += 1
        if read % 10 == 0 and read < FRAMES:  # where a seek bar's click or drag lands, at the frame due
            assert source.seek(read)
        if read == 55:
            assert source.seek(read + 7)  # a little ahead: the frames between passed over
            read += 7
    source.release()
    assert read == FRAMES
    # Each frame decoded once, and the first once more as the file opened (each stretch
    # was decoded from the first frame).
    assert source.decoded_frames <= FRAMES + 1


@pytest.mark.usefixtures("long_animation")
def test_steps_back_after_a_seek_forward_decode_nothing_again(webp: Path) -> None:
    expected = straight_decode(webp)
    source = opened(webp)
    assert source.seek(100)
    assert source.read() is not None
    assert source.decoded_frames <= 101 + 1
    before = source.decoded_frames
    # Steps back as the player's Left does while paused, then 5 s back.
    for at in range(99, 69, -1):
        shows_after_seeks(source, expected, (at,))
    shows_after_seeks(source, expected, (45,))
    assert source.decoded_frames == before
    source.release()


@pytest.mark.usefixtures("long_animation")
def test_a_seek_back_past_the_frames_kept_decodes_from_the_first(webp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = straight_decode(webp)
    monkeypatch.setattr(recent_frames, "RECENT_FRAMES_BYTES", 8 * expected[0][0].nbytes)
    source = opened(webp)
    for _ in range(70):
        assert source.read() is not None
    before = source.decoded_frames
    assert source.seek(50)  # 20 back, past the 8 kept
    for at in range(50, FRAMES):
        frame = source.read()
        assert frame is not None
        np.testing.assert_array_equal(frame, expected[at][0], err_msg=f"frame {at}")
    # Frames 0..49 passed over again, then 50.. read once: no stretch decoded again.
    assert source.decoded_frames - before == FRAMES
    shows_after_seeks(source, expected, (FRAMES - 3,))  # among the 8 kept again
    assert source.decoded_frames - before == FRAMES
    source.release()


@pytest.mark.usefixtures("long_animation")
def test_an_apngs_seek_far_ahead_decodes_no_stretch_before_its_own(tmp_path: Path) -> None:
    # An APNG stays OpenCV's (decoded from its first frame for every stretch), but the
    # times of the frames before a seek's target come from the file's chunks: each stretch
    # before it was decoded (each from the first frame) to learn them.
    frames = pictures(alpha=True)
    path = tmp_path / "blended.png"
    durations = [30 + index % 3 * 10 for index in range(FRAMES)]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=durations, loop=0, disposal=0, blend=1)
    expected = straight_decode(path)
    source = opened(path)
    before = source.decoded_frames
    shows_after_seeks(source, expected, (100,))
    assert source.decoded_frames - before <= 100 + 10  # to the stretch from frame 100
    source.release()


@pytest.mark.usefixtures("long_animation")
def test_a_webp_over_pillows_bomb_warning_is_read_on_with_no_warning(
    webp: Path, monkeypatch: pytest.MonkeyPatch, recwarn: pytest.WarningsRecorder
) -> None:
    # Pillow warns of a "decompression bomb" over Image.MAX_IMAGE_PIXELS (89 megapixels),
    # under the app's own bound: lowered here under this small file's pixels.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", SIZE[0] * SIZE[1] * 2 // 3)
    expected = straight_decode(webp)
    source = opened(webp)
    shows_after_seeks(source, expected, (100,))
    assert source.decoded_frames <= 2 + 101  # the open's two, then frames 1..101 read on once
    assert not [warning for warning in recwarn if issubclass(warning.category, Image.DecompressionBombWarning)]
    source.release()
