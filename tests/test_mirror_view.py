"""Mirror view turned on or off mid-stream: the faces flip with the picture and keep their ids."""

from __future__ import annotations

from pathlib import Path

import cv2
from PyQt6.QtCore import Qt
from pytestqt.qtbot import QtBot

from emotion_app.faces.detector import FaceDetector
from emotion_app.faces.tracker import FaceTracker
from emotion_app.samples import two_people, write_video
from gui_support import WAIT_MS, pause_on_shown_frame, play_looping
from people_frames import ids_left_to_right


def test_a_flipped_picture_keeps_each_face_its_id() -> None:
    frames = [cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) for frame in two_people(30)]
    width = frames[0].shape[1]
    tracker = FaceTracker(FaceDetector())
    before = [ids_left_to_right(tracker.update(gray)) for gray in frames[:15]]
    assert before[-1] == [1, 2], before
    tracker.mirror(width)
    after = [ids_left_to_right(tracker.update(cv2.flip(gray, 1))) for gray in frames[15:]]
    # The astronaut (1) now shows on the right, in every frame from the flip on.
    assert all(ids == [2, 1] for ids in after), after


def test_mirror_view_in_the_app_keeps_the_ids_with_the_people(qtbot: QtBot, make_window, tmp_path: Path) -> None:
    video = write_video(tmp_path / "two.avi", two_people(90), fps=15.0)
    window = make_window()
    play_looping(window, video)  # 6 s: it could end before it is paused
    qtbot.waitUntil(lambda: window.view.result is not None and len(window.view.result.faces) == 2, timeout=WAIT_MS)
    paused_at = pause_on_shown_frame(qtbot, window).frame_index
    assert ids_left_to_right(list(window.view.result.faces)) == [1, 2]
    qtbot.keyClick(window, Qt.Key.Key_M)  # the paused frame flips at once
    qtbot.waitUntil(lambda: ids_left_to_right(list(window.view.result.faces)) == [2, 1], timeout=WAIT_MS)
    window.resume()
    seen: set[int] = set()

    def played_on() -> bool:
        result = window.view.result
        seen.update(face.track_id for face in result.faces)
        return result.frame_index >= paused_at + 10

    qtbot.waitUntil(played_on, timeout=WAIT_MS)
    assert seen == {1, 2} and ids_left_to_right(list(window.view.result.faces)) == [2, 1]
