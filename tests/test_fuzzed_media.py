"""What fuzzing the media readers with malformed files found (2026-12-03): pictures whose
header claims more pixels than OpenCV decodes, animations damaged part way that gave
none of their frames, and the decoders' own lines (OpenCV's, libjpeg's, libpng's,
FFmpeg's) on the terminal around the app's one-line refusals and warnings.

Every file is written by the test, from a valid one made with OpenCV.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from emotion_app.cli import main
from emotion_app.io.video import open_input
from emotion_app.sources.frame_source import SourceOpenError
from emotion_app.sources.opening import open_frame_source
from emotion_app.sources.specs import VideoFileSpec
from tests.hostile_support import number_of, numbered, one_error_line

# More pixels than OpenCV decodes (its limit is 2**30): a damaged size field, say.
HUGE_SIDE = 60000


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header (its CRC made right) claims ``width`` x ``height``."""
    data = bytearray(cv2.imencode(".png", np.full((8, 8, 3), 100, np.uint8))[1].tobytes())
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def jpeg_claiming(frame: np.ndarray, width: int, height: int) -> bytes:
    """``frame``'s JPEG whose start-of-frame segment claims ``width`` x ``height``."""
    data = bytearray(cv2.imencode(".jpg", frame)[1].tobytes())
    at = data.index(b"\xff\xc0")
    data[at + 5 : at + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def test_a_png_claiming_more_pixels_than_opencv_decodes_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: a traceback ending in OpenCV's "pixels <= CV_IO_MAX_IMAGE_PIXELS" assertion; then
    # "not an image OpenCV can decode". Its header is read before it is decoded: the size it
    # claims is named.
    picture = tmp_path / "huge.png"
    picture.write_bytes(png_claiming(HUGE_SIDE, HUGE_SIDE))
    assert main(["analyze", str(picture), "--csv", str(tmp_path / "out.csv")]) == 2
    err = one_error_line(capsys.readouterr().err)
    assert err == (
        f"error: {picture}: a PNG picture of 60000x60000 pixels (3,600 megapixels), more than the 536 "
        "megapixels the app decodes (it would take over 10.1 GiB of memory); scale it down first\n"
    )
    assert not (tmp_path / "out.csv").exists()


def test_a_jpeg_claiming_more_pixels_than_opencv_decodes_is_refused_as_damaged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: a traceback ending in OpenCV's "pixels <= CV_IO_MAX_IMAGE_PIXELS" assertion; then
    # "not an image OpenCV can decode"; then read at an eighth, 7500x7500 of grey but for a
    # strip (analyze took 1.4 GB). Its file cannot hold a bit for each block it claims: refused.
    picture = tmp_path / "huge.jpg"
    picture.write_bytes(jpeg_claiming(numbered(1)[0], HUGE_SIDE, HUGE_SIDE))
    assert main(["analyze", str(picture), "--csv", str(tmp_path / "out.csv")]) == 2
    err = one_error_line(capsys.readouterr().err)
    assert err == (
        f"error: {picture}: a JPEG picture whose header claims 60000x60000 pixels (3,600 megapixels), more than its "
        f"{picture.stat().st_size:,} bytes can hold and more than the 536 megapixels the app decodes (a damaged size "
        "field?); not decoded\n"
    )
    assert not (tmp_path / "out.csv").exists()


def test_a_folder_skips_a_picture_claiming_more_pixels_than_opencv_decodes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "a.png").write_bytes(cv2.imencode(".png", numbered(3)[2])[1].tobytes())
    (tmp_path / "b.png").write_bytes(png_claiming(HUGE_SIDE, HUGE_SIDE))
    frames = list(open_input(tmp_path).frames())
    assert [(index, number_of(frame)) for index, _, frame in frames] == [(0, 2)]
    assert f"skipping {tmp_path / 'b.png'}: a PNG picture of 60000x60000 pixels" in caplog.text


def test_a_raw_mjpeg_frame_claiming_more_pixels_than_opencv_decodes_is_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    frames = numbered(6)
    jpegs = [cv2.imencode(".jpg", frame)[1].tobytes() for frame in frames]
    jpegs[3] = jpeg_claiming(frames[3], HUGE_SIDE, HUGE_SIDE)
    clip = tmp_path / "camera.mjpeg"
    clip.write_bytes(b"".join(jpegs))
    read = [(index, number_of(frame)) for index, _, frame in open_input(clip).frames()]
    assert read == [(index, index) for index in range(6) if index != 3]
    assert "frame 3 could not be decoded; skipped" in caplog.text


def damage_frame(data: bytes, suffix: str, frame: int) -> bytes:
    """An animated picture's bytes damaged in frame ``frame``: an APNG cut in the middle of
    its data (libpng takes zeroed data with a warning), a WebP's data partly zeroed (libwebp
    refuses a WebP cut short whole)."""
    at = in_frame_data(data, suffix, frame)
    return data[:at] if suffix == ".png" else data[:at] + bytes(40) + data[at + 40 :]


def in_frame_data(data: bytes, suffix: str, frame: int) -> int:
    """A place in an APNG's or a WebP's frame ``frame``'s coded data."""
    marker = b"fcTL" if suffix == ".png" else b"ANMF"
    return [at for at in range(len(data)) if data.startswith(marker, at)][frame] + 60


def noisy_numbered(count: int) -> list[np.ndarray]:
    """Frames whose mean gray level tells their number (see :func:`noisy_number_of`), noisy
    so that no encoder merges two of them."""
    rng = np.random.default_rng(3)
    return [(20 + 30 * index + rng.integers(0, 10, (120, 160, 3))).astype(np.uint8) for index in range(count)]


def noisy_number_of(frame: np.ndarray) -> int:
    return int(round((float(frame.mean()) - 25) / 30))


@pytest.mark.parametrize("suffix", [".png", ".webp"], ids=["APNG", "WebP"])
def test_an_animation_with_a_damaged_frame_gives_the_frames_before_it(
    suffix: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Was: no frame at all (its first had decoded where the file was opened), and
    # analyze said "no frame could be read": the frames decoded before the damage were dropped.
    animation = cv2.Animation()
    animation.frames = noisy_numbered(6)
    animation.durations = [100] * 6
    ok, encoded = cv2.imencodeanimation(suffix, animation)
    assert ok
    picture = tmp_path / f"damaged{suffix}"
    picture.write_bytes(damage_frame(encoded.tobytes(), suffix, 3))
    media = open_input(picture)
    assert media.kind == "video" and media.frame_count == 6
    read = [(index, noisy_number_of(frame)) for index, _, frame in media.frames()]
    assert read == [(0, 0), (1, 1), (2, 2)]
    assert f"{picture}: 3 of the 6 frames it announces could be decoded (damaged)" in caplog.text


def written_video(path: Path, fourcc: str) -> bytes:
    """The bytes of a short video OpenCV wrote at ``path`` with codec ``fourcc``."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*fourcc), 10.0, (160, 120))
    for frame in numbered(5):
        writer.write(frame)
    writer.release()
    return path.read_bytes()


# Videos that do not open, by name, and how each is made from a whole one.
NO_VIDEOS: list[tuple[str, Callable[[Path], bytes]]] = [
    # OpenCV's own AVI reader printed "Unexpected element. Expected: LIST. Got: ..." (the
    # file's bytes, newlines and all) past its log.
    ("cut.avi", lambda folder: written_video(folder / "whole.avi", "MJPG")[:64]),
    # OpenCV logged "[ERROR:0@...] ... imread_(...): can't read header: ... grfmt_avif.cpp
    # ... Truncated data", its image-sequence backend trying the file as a picture.
    ("cut.mp4", lambda folder: written_video(folder / "whole.mp4", "mp4v")[:12]),
    ("cut.gif", lambda folder: cv2.imencode(".gif", numbered(1)[0])[1].tobytes()[:7]),
]


@pytest.fixture(params=NO_VIDEOS, ids=[name for name, _ in NO_VIDEOS])
def no_video(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """One of :data:`NO_VIDEOS`, written to ``tmp_path``."""
    name, make = request.param
    clip = tmp_path / name
    clip.write_bytes(make(tmp_path))
    return clip


def test_a_video_that_does_not_open_is_refused_in_one_line(
    no_video: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    clip = no_video
    assert main(["analyze", str(clip), "--csv", str(tmp_path / "out.csv")]) == 2
    out, err = capfd.readouterr()
    assert err == f"error: {clip}: not a video OpenCV can open (unknown format or corrupt)\n"
    assert out == ""


def test_the_app_refuses_a_video_that_does_not_open_without_opencvs_lines(
    no_video: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SourceOpenError, match="OpenCV cannot decode it"):
        open_frame_source(VideoFileSpec(no_video))
    assert capfd.readouterr() == ("", "")


def test_a_raw_mjpegs_damaged_jpegs_leave_the_terminal_clean(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    # libjpeg printed "Corrupt JPEG data: premature end of data segment" for each, past
    # OpenCV's log, from open_input and from reading the frames.
    jpegs = [cv2.imencode(".jpg", frame)[1].tobytes() for frame in noisy_numbered(6)]
    for damaged in (0, 3):  # their coded data cut short: they decode, grey below the cut
        jpegs[damaged] = jpegs[damaged][: len(jpegs[damaged]) // 2] + b"\xff\xd9"
    clip = tmp_path / "camera.mjpeg"
    clip.write_bytes(b"".join(jpegs))
    assert [index for index, _, _ in open_input(clip).frames()] == list(range(6))
    assert capfd.readouterr() == ("", "")


def test_an_animations_damaged_frames_leave_the_terminal_clean(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    # libpng printed "libpng warning: IDAT: IDAT: ADLER32 checksum mismatch" past OpenCV's
    # log for a frame whose data was damaged, which it then decodes all the same.
    animation = cv2.Animation()
    animation.frames = noisy_numbered(6)
    animation.durations = [100] * 6
    data = bytearray(cv2.imencodeanimation(".png", animation)[1].tobytes())
    at = in_frame_data(bytes(data), ".png", 3)
    data[at : at + 40] = bytes(40)
    picture = tmp_path / "damaged.png"
    picture.write_bytes(bytes(data))
    assert [index for index, _, _ in open_input(picture).frames()] == list(range(6))
    assert capfd.readouterr() == ("", "")


def test_a_jpeg_with_stray_bytes_in_its_header_leaves_the_terminal_clean(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    # It decodes; counting its pictures (one) printed libjpeg's "Corrupt JPEG data: 33
    # extraneous bytes before marker 0xc4" past OpenCV's log.
    data = cv2.imencode(".jpg", noisy_numbered(1)[0])[1].tobytes()
    at = data.index(b"\xff\xc4")
    picture = tmp_path / "photo.jpg"
    picture.write_bytes(data[:at] + bytes(33) + data[at:])
    media = open_input(picture)
    assert media.kind == "image" and len(list(media.frames())) == 1
    assert capfd.readouterr() == ("", "")
