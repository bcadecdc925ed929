"""Mirror view turned on or off mid-stream: the faces flip with the picture and keep their
ids; on a file's frame left on screen (paused, stopped, played to its end) they keep what
is said of them too."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from PyQt6.QtCore import Qt
from pytestqt.qtbot import QtBot

from emotion_app.faces.detector import FaceDetector
from emotion_app.faces.tracker import FaceTracker
from emotion_app.gui.inference_worker import InferenceWorker
from emotion_app.gui.mailbox import DeliveryGate, LatestMailbox
from emotion_app.gui.main_window import MainWindow
from emotion_app.gui.messages import CapturedFrame, InferenceResult
from emotion_app.live import load_eager_pipeline
from emotion_app.results import FaceResult
from emotion_app.samples import astronaut_frames, two_people, write_video
from emotion_app.shipped import DEFAULT_WEIGHTS_DIR
from tests.gui_support import WAIT_MS, WindowFactory, model_status_of, pause_on_shown_frame, play_looping, shown_result
from tests.people_frames import ids_left_to_right

# Ends on the first frame without her smile, where what is shown stands furthest from it.
CHANGING_FRAMES = 88
CHANGING_SIZE = (320, 240)
FPS = 15.0


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


def test_mirror_view_in_the_app_keeps_the_ids_with_the_people(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    video = write_video(tmp_path / "two.avi", two_people(90), fps=15.0)
    window = make_window()
    play_looping(window, video)  # 6 s: it could end before it is paused
    qtbot.waitUntil(lambda: window.view.result is not None and len(window.view.result.faces) == 2, timeout=WAIT_MS)
    paused_at = pause_on_shown_frame(qtbot, window).frame_index
    assert ids_left_to_right(list(shown_result(window).faces)) == [1, 2]
    qtbot.keyClick(window, Qt.Key.Key_M)  # the paused frame flips at once
    qtbot.waitUntil(lambda: ids_left_to_right(list(shown_result(window).faces)) == [2, 1], timeout=WAIT_MS)
    window.resume()
    seen: set[int] = set()

    def played_on() -> bool:
        result = shown_result(window)
        seen.update(face.track_id for face in result.faces)
        return result.frame_index >= paused_at + 10

    qtbot.waitUntil(played_on, timeout=WAIT_MS)
    assert seen == {1, 2} and ids_left_to_right(list(shown_result(window).faces)) == [2, 1]


def changing_face_frames() -> list[np.ndarray]:
    """The astronaut smiling, then not (her mouth painted over with a flat line), three
    frames each: what is shown of her, steadied over time, is never the result of the frame
    on screen alone (the shipped model: happy, then neutral)."""
    frames, truth = astronaut_frames(
        num_frames=CHANGING_FRAMES, frame_size=CHANGING_SIZE, face_size=100, motion="static"
    )
    for index, (frame, boxes) in enumerate(zip(frames, truth)):
        if index // 3 % 2:
            x, y, w, h = boxes[0]
            skin = frame[y + h * 5 // 10 : y + h * 6 // 10, x + w * 15 // 100 : x + w * 3 // 10].reshape(-1, 3).mean(0)
            frame[y + h * 6 // 10 : y + h * 95 // 100, x + w * 2 // 10 : x + w * 8 // 10] = skin
            cv2.line(frame, (x + w * 35 // 100, y + h * 8 // 10), (x + w * 65 // 100, y + h * 8 // 10), (60, 50, 90), 2)
    return frames


@pytest.fixture(scope="module")
def changing_face_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """:func:`changing_face_frames` at 15 fps: six seconds."""
    return write_video(tmp_path_factory.mktemp("changing") / "changing.avi", changing_face_frames(), fps=FPS)


def test_a_file_opened_again_at_the_frame_the_worker_took_last_is_that_frame_looked_at_anew(qtbot: QtBot) -> None:
    frames = changing_face_frames()
    worker = InferenceWorker(LatestMailbox(), DeliveryGate(), None, pipeline_loader=load_eager_pipeline)
    worker.load_default()  # the shipped model

    def face_of(stream_id: int, index: int, mirrored: bool = False) -> FaceResult:
        image = np.ascontiguousarray(cv2.flip(frames[index], 1)) if mirrored else frames[index]
        frame = CapturedFrame(stream_id, index, image, 0.0, index / FPS, mirrored, in_file=True)
        faces = worker.process(frame).faces
        assert len(faces) == 1
        return faces[0]

    try:
        for index in range(21):
            played = face_of(1, index)
        assert max(abs(shown - own) for shown, own in zip(played.probabilities, played.raw_probabilities)) > 0.1
        # Opened again there, flipped (Mirror view after Stop): the same face at the same moment.
        again = face_of(2, 20, mirrored=True)
        assert said_of(again) == said_of(played)
        assert again.probabilities == pytest.approx(played.probabilities, abs=1e-4)
        # Opened again at another frame (a step, Home): labelled afresh from there, as before.
        other = face_of(3, 19, mirrored=True)
        assert other.track_id == played.track_id
        assert other.probabilities == pytest.approx(other.raw_probabilities, abs=1e-6)
    finally:
        worker.on_thread_finished()


def left_on_screen(qtbot: QtBot, window: MainWindow, video: Path, how: str) -> InferenceResult:
    """Play ``video`` a second or more, then pause, Stop, or let it play to its end; the
    frame left on screen, once nothing more comes."""
    if how == "Pause":
        play_looping(window, video)  # it cannot end before the pause reaches it
    else:
        window.open_video(video)
    qtbot.waitUntil(lambda: window.view.result is not None and window.view.result.frame_index >= 15, timeout=WAIT_MS)
    if how == "Pause":
        return pause_on_shown_frame(qtbot, window)
    if how.startswith("Stop"):
        if how == "Stop, the window busy":
            # Held up meanwhile (a repaint, a collection), the window lets the frames labelled
            # in that time wait: the newest ones, over the bound of those waiting, are skipped.
            time.sleep(0.6)
        window.stop()
    else:
        window.seek(CHANGING_FRAMES - 20)  # played from there on to its end
        qtbot.waitUntil(lambda: window.source_state.ended, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: shown_result(window).frame_index == CHANGING_FRAMES - 1, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not window.source_state.active, timeout=WAIT_MS)
    qtbot.wait(300)  # a frame still being labelled at the Stop shows too
    result = window.view.result
    assert result is not None and not window.source_state.active
    return result


def mirrored_again(qtbot: QtBot, window: MainWindow, before: InferenceResult) -> InferenceResult:
    """Mirror view turned on: the frame ``before`` shown again, flipped."""
    window.mirror_action.trigger()
    flipped = np.ascontiguousarray(before.image[:, ::-1])
    qtbot.waitUntil(lambda: np.array_equal(shown_result(window).image, flipped), timeout=WAIT_MS)
    qtbot.wait(200)  # nothing else comes: it holds still on that frame
    after = window.view.result
    assert after is not None and np.array_equal(after.image, flipped) and after.frame_index == before.frame_index
    return after


def said_of(face: FaceResult) -> tuple[int, str, bool]:
    """Whom a face's label is of, and what it says (its probabilities apart)."""
    return face.track_id, face.label, face.uncertain


@pytest.mark.parametrize("how", ["Stop", "Stop, the window busy", "its end", "Pause"])
def test_mirror_view_on_a_frame_left_on_screen_keeps_what_is_said_of_its_face(
    qtbot: QtBot, make_window: WindowFactory, changing_face_video: Path, how: str
) -> None:
    # Was: after Stop or the file's end (not paused), Mirror view opened the file again at
    # the frame shown and labelled it afresh: the face's label steadied over the moments
    # before gave way to that one flipped frame's own result (here "happy" became
    # "neutral"), though only the view had changed.
    window = make_window(weights=None)  # the shipped model
    before = left_on_screen(qtbot, window, changing_face_video, how)
    assert len(before.faces) == 1
    face = before.faces[0]
    # What is shown is steadied over time, not this frame's own result: a fresh start would tell.
    assert max(abs(shown - own) for shown, own in zip(face.probabilities, face.raw_probabilities)) > 0.1
    after = mirrored_again(qtbot, window, before)
    assert len(after.faces) == 1
    mirrored = after.faces[0]
    # The same face at the same moment: said of as before (the steadying adds nothing for a
    # moment already counted, whichever way the picture faces) ...
    assert said_of(mirrored) == said_of(face)
    assert mirrored.probabilities == pytest.approx(face.probabilities, abs=1e-4)
    # ... where it now is in the flipped picture.
    x, y, w, h = face.box
    assert mirrored.box[0] == pytest.approx(CHANGING_SIZE[0] - x - w, abs=4) and mirrored.box[1:] == pytest.approx(
        (y, w, h), abs=4
    )
    standing = "Paused" if how == "Pause" else "Finished" if how == "its end" else "Stopped"
    assert window.status_summary(0.0).split(" · ")[0] == standing


def test_a_model_picked_after_stop_labels_the_frame_afresh_and_mirror_view_keeps_it(
    qtbot: QtBot, make_window: WindowFactory, changing_face_video: Path
) -> None:
    # Another model's labels owe nothing to the last one's steadied ones: the frame left on
    # screen gets the new model's own result, which Mirror view then keeps.
    window = make_window(weights=None)  # the shipped model
    before = left_on_screen(qtbot, window, changing_face_video, "Stop")
    other = DEFAULT_WEIGHTS_DIR / "emotion_cnn_fer2013.safetensors"
    window.choose_weights(other)
    qtbot.waitUntil(
        lambda: (
            model_status_of(window).active_weights == other.absolute()
            and shown_result(window).stream_id != before.stream_id
            and len(shown_result(window).faces) == 1
        ),
        timeout=WAIT_MS,
    )
    qtbot.wait(200)
    picked = shown_result(window)
    assert picked.frame_index == before.frame_index and np.array_equal(picked.image, before.image)
    face = picked.faces[0]
    assert face.track_id == before.faces[0].track_id
    assert face.probabilities == pytest.approx(face.raw_probabilities, abs=1e-6)
    after = mirrored_again(qtbot, window, picked)
    assert said_of(after.faces[0]) == said_of(face)
    assert after.faces[0].probabilities == pytest.approx(face.probabilities, abs=1e-4)
