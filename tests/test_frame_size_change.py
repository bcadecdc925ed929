"""Frames that change size mid-stream (a camera switching resolution, a video call's
recording whose layout changed): the faces are shown in every frame and keep their ids."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from emotion_app.faces.detector import FaceDetector
from emotion_app.faces.tracker import FaceTracker
from emotion_app.gui.camera_picker import CameraDevice
from emotion_app.samples import two_people
from emotion_app.sources.frame_source import FrameSource
from emotion_app.sources.opening import open_frame_source
from emotion_app.sources.specs import CameraSpec, SourceSpec
from tests.gui_support import WAIT_MS, CameraPacing, WindowFactory, shown_result
from tests.people_frames import ids_left_to_right

# Fifteen frames at each size, in this order: twice as large, half the first, the first.
SIZES = [(480, 360), (960, 720), (320, 240), (480, 360)]
# Over the photo blurred: its table's wood grain, enlarged, fools both cascades (the face
# check's verifier turns it down: tests/test_face_verifier.py), and these tests are about
# the two people alone, with or without it.
BLUR = 9


def resized(frame: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    return cv2.resize(frame, size, interpolation=cv2.INTER_AREA)


@pytest.mark.parametrize("background", [False, True], ids=["inline scans", "background scans"])
def test_faces_keep_their_ids_when_the_frames_change_size(background: bool) -> None:
    # Before, the frame of each change showed nobody and then new ids (inline), or
    # nobody for a second or for good (live, with background scans).
    tracker = FaceTracker(FaceDetector(), background_scan=background)
    shown = []
    try:
        for index, frame in enumerate(two_people(60, BLUR)):
            gray = cv2.cvtColor(resized(frame, SIZES[index // 15]), cv2.COLOR_BGR2GRAY)
            shown.append(ids_left_to_right(tracker.update(gray)))
            tracker.wait_for_background_scan()  # as a fast machine would; a no-op inline
    finally:
        tracker.close()
    assert all(ids == [1, 2] for ids in shown), shown


def test_faces_keep_their_ids_in_a_new_layout() -> None:
    # The picture pillarboxed into a wider frame: the people move as well as the frame
    # grows, each less than a face's side from where the old frame's scaled to the new.
    tracker = FaceTracker(FaceDetector())
    shown = []
    for index, frame in enumerate(two_people(30, BLUR)):
        if index >= 15:
            frame = cv2.copyMakeBorder(frame, 0, 0, 80, 80, cv2.BORDER_CONSTANT, value=(40, 40, 40))
        shown.append(ids_left_to_right(tracker.update(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))))
    assert all(ids == [1, 2] for ids in shown), shown


class ResizingCamera:
    """A camera that delivers the two people at 480x360, then at 960x720 (as when a
    webcam switches resolution), at 30 fps."""

    FPS = 30.0

    def __init__(self, switch_after: int) -> None:
        self._frames = two_people(20, BLUR)
        self._switch_after = switch_after
        self.reads = 0
        self.width, self.height = SIZES[0]
        self.fps, self.frame_count = self.FPS, 0
        self.last_time_s: float | None = None  # a camera: its clock is the capture worker's
        self._pacing = CameraPacing(self.FPS)

    def read(self) -> np.ndarray | None:
        self._pacing.wait()
        frame = self._frames[self.reads % len(self._frames)]
        self.reads += 1
        return frame if self.reads <= self._switch_after else resized(frame, SIZES[1])

    def rewind(self) -> bool:
        return False

    def seek(self, frame: int) -> bool:
        return False

    def release(self) -> None:
        pass


def test_the_app_follows_a_camera_that_switches_resolution(qtbot: QtBot, make_window: WindowFactory) -> None:
    def sources(spec: SourceSpec) -> FrameSource:
        return ResizingCamera(switch_after=45) if isinstance(spec, CameraSpec) else open_frame_source(spec)

    window = make_window(devices=[CameraDevice("Desk camera", 0)], source_factory=sources)
    qtbot.waitUntil(lambda: window.view.result is not None and len(window.view.result.faces) == 2, timeout=WAIT_MS)
    ids = set(face.track_id for face in shown_result(window).faces)
    assert ids == {1, 2}
    seen: set[int] = set()

    def switched_and_shown() -> bool:
        result = shown_result(window)
        seen.update(face.track_id for face in result.faces)
        return result.image.shape[:2] == (SIZES[1][1], SIZES[1][0]) and len(result.faces) == 2

    qtbot.waitUntil(switched_and_shown, timeout=WAIT_MS)
    assert seen == ids, "the same two people, with the same ids, at the new resolution"
