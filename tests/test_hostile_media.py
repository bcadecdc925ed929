"""What a hostile-user session over odd media found (2026-12-03): a clip renamed to a
picture's name refused; raw MJPEG files stretched and sought past their end; animated
pictures and multi-page TIFFs read as their first frame or page without a word.

Every file is real and written by the test.
"""

from __future__ import annotations

import csv
from pathlib import Path

import cv2
import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from emotion_app.cli import main
from emotion_app.gui.frame_sources import VideoFileSpec, open_frame_source
from emotion_app.io.video import open_input
from emotion_app.samples import astronaut_frames, write_astronaut_video
from gui_support import WAIT_MS

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


def write_raw_mjpeg(path: Path, frames: list[np.ndarray]) -> Path:
    """A raw Motion JPEG file: the frames' JPEGs one after another, no container."""
    path.write_bytes(b"".join(cv2.imencode(".jpg", frame)[1].tobytes() for frame in frames))
    return path


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


def numbered(count: int) -> list[np.ndarray]:
    """Frames whose gray level is their number (times 4): one JPEG each keeps it."""
    return [np.full((120, 160, 3), 4 * index, np.uint8) for index in range(count)]


def number_of(frame: np.ndarray) -> int:
    return int(round(float(frame.mean()) / 4))


def test_a_seek_in_a_raw_mjpeg_lands_on_the_frame_or_the_last(tmp_path: Path) -> None:
    # Before, a seek said yes and moved nowhere; past the end it claimed a frame that is not there.
    clip = write_raw_mjpeg(tmp_path / "numbered.mjpeg", numbered(50))
    source = open_frame_source(VideoFileSpec(clip))
    try:
        assert source.frame_count == 0, "a raw MJPEG file does not say its length"
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


def test_the_app_seeking_past_a_raw_mjpegs_end_shows_its_last_frame(qtbot: QtBot, make_window, tmp_path: Path) -> None:
    clip = write_raw_mjpeg(tmp_path / "numbered.mjpeg", numbered(50))
    window = make_window(video=clip)
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    window.pause()
    window.seek(20)
    qtbot.waitUntil(
        lambda: window.view.result.frame_index == 20 and window.source_state.playback.position == 20, timeout=WAIT_MS
    )
    assert number_of(window.view.result.image) == 20
    window.seek(400)
    qtbot.waitUntil(lambda: window.view.result.frame_index == 49, timeout=WAIT_MS)
    assert number_of(window.view.result.image) == 49
    assert window.source_state.playback.position == 49


def test_a_damaged_jpeg_in_a_raw_mjpeg_is_skipped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    frames = [cv2.imencode(".jpg", frame)[1].tobytes() for frame in numbered(12)]
    frames[5] = frames[5][:4] + bytes(len(frames[5]) - 6) + frames[5][-2:]  # its tables and data gone
    clip = tmp_path / "damaged.mjpeg"
    clip.write_bytes(b"".join(frames))
    read = [(index, number_of(frame)) for index, _, frame in open_input(clip).frames()]
    assert read == [(index, index) for index in range(12) if index != 5]
    assert "frame 5 could not be decoded; skipped" in caplog.text
