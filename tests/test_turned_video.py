"""A phone's portrait video (landscape frames in the file, turned upright by its track's
display matrix) is seen upright everywhere: ``analyze`` and its annotated video, the
Python API over ``open_input``'s frames, and the desktop app's player, its seeks, steps,
seek bar, snapshots and recordings.

OpenCV's FFmpeg reader turns the frames (``CAP_PROP_ORIENTATION_AUTO``, on by default):
these tests fail where that is turned off, or where a path reads the file otherwise.
"""

from __future__ import annotations

import csv
from pathlib import Path

import cv2
import numpy as np
import pytest
from PyQt6.QtCore import Qt
from pytestqt.qtbot import QtBot

from emotion_app import EmotionClassifier, EmotionPipeline, FaceDetector
from emotion_app.cli import main
from emotion_app.faces.geometry import Box, iou
from emotion_app.gui.playback_bar import format_time
from emotion_app.io.video import jpeg_packets, open_input
from emotion_app.samples import astronaut_frames, read_video
from tests.gui_support import (
    WAIT_MS,
    WindowFactory,
    paused_at,
    play_looping,
    shown_result,
    use_output_folder,
    wait_for_face_result,
    wait_for_recording,
)
from tests.turned_video import STORED_AS, turned_mp4, write_turned_mp4

# A portrait phone clip, small: 240 wide, 360 tall as shown (360x240 in the file).
UPRIGHT_SIZE = (240, 360)
FPS = 15.0
_MARK_PX = 5


def portrait_clip(folder: Path, degrees: int, frames: int = 12) -> tuple[Path, list[np.ndarray], list[Box]]:
    """A clip of the astronaut drifting across a portrait frame and back, each frame marked
    with its number, stored turned as a phone stores it (to be turned ``degrees``
    clockwise); its upright frames and face boxes."""
    upright, truth = astronaut_frames(num_frames=frames, frame_size=UPRIGHT_SIZE, face_size=80, motion="move")
    for index, frame in enumerate(upright):
        # The face drifts there and back: a white block along the bottom, further right in
        # each frame, tells the frames on the way back from those on the way out.
        frame[-_MARK_PX:] = 0
        frame[-_MARK_PX:, index * _MARK_PX : (index + 1) * _MARK_PX] = 255
    path = write_turned_mp4(folder / f"phone_{degrees}.mp4", upright, degrees, fps=FPS)
    stored = cv2.VideoCapture(str(path))
    try:
        # The file holds what a phone's does: frames not upright, and the turn that makes them so.
        assert stored.get(cv2.CAP_PROP_ORIENTATION_META) == degrees
        assert stored.set(cv2.CAP_PROP_ORIENTATION_AUTO, 0)
        ok, as_stored = stored.read()
        width, height = UPRIGHT_SIZE if degrees == 180 else UPRIGHT_SIZE[::-1]
        assert ok and as_stored.shape == (height, width, 3)
    finally:
        stored.release()
    return path, upright, [boxes[0] for boxes in truth]


def nearest_upright(image: np.ndarray, upright: list[np.ndarray]) -> int:
    """The index of the upright frame ``image`` shows (checked to be upright and of its size)."""
    assert image.shape == upright[0].shape, f"shown {image.shape[1]}x{image.shape[0]}, upright {UPRIGHT_SIZE}"
    differences = [float(np.abs(image.astype(np.int16) - frame).mean()) for frame in upright]
    nearest = int(np.argmin(differences))
    # Upright: close to its frame (MPEG-4 loses a little), far from that frame upside down.
    turned = float(np.abs(image.astype(np.int16) - cv2.rotate(upright[nearest], cv2.ROTATE_180)).mean())
    assert differences[nearest] < 8 < turned, (differences[nearest], turned)
    return nearest


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_analyze_finds_the_face_upright_in_every_frame_and_writes_an_upright_video(
    tmp_path: Path, random_weights: Path, degrees: int
) -> None:
    path, upright, truth = portrait_clip(tmp_path, degrees)
    rows_csv, annotated = tmp_path / "faces.csv", tmp_path / "annotated.mp4"
    args = ["analyze", str(path), "--csv", str(rows_csv), "-o", str(annotated), "--no-bars"]
    assert main([*args, "--weights", str(random_weights), "--no-progress"]) == 0
    rows = list(csv.DictReader(rows_csv.open()))
    assert sorted(int(row["frame"]) for row in rows) == list(range(len(upright)))  # one face, every frame
    for row in rows:
        box = (int(row["x"]), int(row["y"]), int(row["w"]), int(row["h"]))
        assert iou(box, truth[int(row["frame"])]) > 0.6, (row["frame"], box)
        assert row["roll"] == "0"  # found upright, not as a leaning face
    # The annotated video is upright at the size shown, with no turn of its own left to make.
    written = cv2.VideoCapture(str(annotated))
    assert written.get(cv2.CAP_PROP_ORIENTATION_META) == 0
    written.release()
    frames = read_video(annotated)
    assert [nearest_upright(frame, upright) for frame in frames] == list(range(len(upright)))


def test_the_python_api_finds_the_face_in_a_full_hd_portrait_clip(
    tmp_path: Path, classifier: EmotionClassifier
) -> None:
    # 1080x1920 shown (1920x1080 stored): no more pixels than the 1920x1080 a video frame is
    # searched at, so it is searched at its own size, as the landscape clip would be.
    upright, truth = astronaut_frames(num_frames=3, frame_size=(1080, 1920), face_size=200, motion="static")
    path = write_turned_mp4(tmp_path / "full_hd.mp4", upright, 90, fps=30.0)
    media = open_input(path)
    assert (media.kind, media.frame_count) == ("video", 3)
    pipeline = EmotionPipeline(FaceDetector(), classifier, optimize=False, confirm_checks=1)
    found = []
    for index, time_s, frame in media.frames():
        assert frame.shape == (1920, 1080, 3)
        assert time_s == pytest.approx(index / 30.0, abs=1e-3)
        faces = pipeline.process(frame, time_s)
        assert len(faces) == 1 and faces[0].roll == 0
        assert iou(faces[0].box, truth[index][0]) > 0.6, (index, faces[0].box)
        found.append(index)
    assert found == [0, 1, 2]


def test_the_player_shows_a_portrait_clip_upright_through_seeks_steps_snapshots_and_recordings(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    path, upright, truth = portrait_clip(tmp_path, 90, frames=45)
    window = make_window()
    play_looping(window, path)
    shown = wait_for_face_result(qtbot, window)
    nearest_upright(shown.image, upright)
    info = window.source_state.info
    assert info is not None and (info.width, info.height) == UPRIGHT_SIZE and info.frame_count == 45
    bar = window.playback_bar
    assert bar.slider.maximum() == 44 and bar.duration_label.text() == format_time(45 / FPS)
    # A seek while paused, then a step: each shows its own frame, upright, its face found.
    paused_at(qtbot, window, 30)
    assert nearest_upright(shown_result(window).image, upright) == 30
    assert shown_result(window).faces and iou(shown_result(window).faces[0].box, truth[30]) > 0.6
    folder = tmp_path / "saved"
    assert use_output_folder(qtbot, window, folder)
    with qtbot.waitSignal(window.snapshots.saved, timeout=WAIT_MS) as saved:
        qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    snapshot = cv2.imread(str(saved.args[0]))
    assert snapshot is not None and (snapshot.shape[1], snapshot.shape[0]) == UPRIGHT_SIZE
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    wait_for_recording(qtbot, window)
    window.step(1)
    qtbot.waitUntil(lambda: shown_result(window).frame_index == 31, timeout=WAIT_MS)
    assert nearest_upright(shown_result(window).image, upright) == 31
    assert shown_result(window).faces and iou(shown_result(window).faces[0].box, truth[31]) > 0.6
    with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS) as finished:
        qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    summary = finished.args[0]
    assert summary.error == "" and summary.frames_written == 1
    recorded = read_video(summary.request.video_path)
    assert len(recorded) == 1 and (recorded[0].shape[1], recorded[0].shape[0]) == UPRIGHT_SIZE
    # Back to the start: upright still, the seek bar as long.
    window.seek(0)
    qtbot.waitUntil(lambda: shown_result(window).frame_index == 0, timeout=WAIT_MS)
    assert nearest_upright(shown_result(window).image, upright) == 0
    assert bar.slider.maximum() == 44


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_an_mjpeg_streams_jpegs_read_undecoded_are_turned_as_its_container_says(tmp_path: Path, degrees: int) -> None:
    # A network camera's MJPEG is read as JPEGs, each decoded alone (jpeg_packets), past
    # FFmpeg's decoder and its turn: an MJPEG QuickTime clip of a phone held upright, served
    # over HTTP, was shown on its side at 90 degrees, and at 180 or 270 sent "no frames":
    # OpenCV turned the undecoded JPEG itself, reversing its bytes.
    upright, _ = astronaut_frames(num_frames=3, frame_size=UPRIGHT_SIZE, face_size=80, motion="static")
    path = tmp_path / "phone.mov"
    stored = [cv2.rotate(frame, STORED_AS[degrees]) for frame in upright]
    stored_size = (stored[0].shape[1], stored[0].shape[0])
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), FPS, stored_size)
    for frame in stored:
        writer.write(frame)
    writer.release()
    path.write_bytes(turned_mp4(path.read_bytes(), degrees, stored_size))
    capture = cv2.VideoCapture(str(path))
    try:
        decode = jpeg_packets(capture)
        assert decode is not None
        for frame in upright:
            ok, packet = capture.read()
            decoded = decode(packet) if ok else None
            assert decoded is not None and decoded.shape == frame.shape
            assert float(np.abs(decoded.astype(np.int16) - frame).mean()) < 8
    finally:
        capture.release()
