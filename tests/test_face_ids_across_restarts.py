"""Face ids over a session: a model switch keeps them, the same camera started again goes
on counting, a file opened again by Home after its end gives its people their ids back
(see test_seen_faces.py), a file played again and another source start again at 1.

Before, a model switch started a new tracker (ids given again in the order faces were
found, so a name could move to another person), and Play again restarted ids at 1 (the
new "#1" was added to the timeline row of the old one, under its name); Play again now
starts a fresh timeline, as another video, so it counts from 1 again.
"""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from emotion_app.faces.detector import FaceDetector
from emotion_app.gui.inference_worker import InferenceWorker
from emotion_app.gui.mailbox import DeliveryGate, LatestMailbox
from emotion_app.gui.messages import CapturedFrame, InferenceResult
from emotion_app.inference.classifier import EmotionClassifier
from emotion_app.live import load_eager_pipeline
from emotion_app.pipeline import EmotionPipeline
from emotion_app.samples import VideoTruth, astronaut_frames, two_people, write_astronaut_video
from emotion_app.sources.specs import VideoFileSpec
from tests.gui_support import (
    WAIT_MS,
    WindowFactory,
    banner_button,
    shown_result,
    wait_for_face_result,
    wait_until_stopped,
)

FPS = 15.0


@pytest.fixture(scope="module")
def face_frames() -> list[np.ndarray]:
    frames, _ = astronaut_frames(num_frames=12, frame_size=(320, 240), face_size=80, motion="move")
    return frames


def ids_over(pipeline: EmotionPipeline, frames: list[np.ndarray]) -> list[tuple[int, ...]]:
    """Each frame's face ids, frames timed at FPS from 0."""
    return [tuple(face.track_id for face in pipeline.process(frame, index / FPS)) for index, frame in enumerate(frames)]


def test_the_same_source_again_goes_on_counting_and_another_starts_at_1(
    detector: FaceDetector, classifier: EmotionClassifier, face_frames: list[np.ndarray]
) -> None:
    pipeline = EmotionPipeline(detector, classifier, optimize=False)
    assert set(ids_over(pipeline, face_frames)[-1]) == {1}
    pipeline.reset(keep_ids=True)
    assert set(ids_over(pipeline, face_frames)[-1]) == {2}
    pipeline.reset()
    assert set(ids_over(pipeline, face_frames)[-1]) == {1}


def test_a_new_pipeline_takes_over_the_faces_with_their_ids(
    detector: FaceDetector, classifier: EmotionClassifier, face_frames: list[np.ndarray]
) -> None:
    first = EmotionPipeline(detector, classifier, optimize=False)
    ids_over(first, face_frames)
    first.reset(keep_ids=True)
    ids_over(first, face_frames[:8])
    second = EmotionPipeline(FaceDetector(), classifier, optimize=False)
    second.take_faces_from(first)
    # Shown from the first frame on, with the id it had: no new confirmation, no new id.
    assert [face.track_id for face in second.process(face_frames[8], 8 / FPS)] == [2]
    assert first.tracker.tracks == []  # the other one got the new pipeline's unused tracker


def captured(
    stream_id: int, index: int, image: np.ndarray, session: int = 0, in_file: bool = False, mirrored: bool = False
) -> CapturedFrame:
    if mirrored:
        image = np.ascontiguousarray(cv2.flip(image, 1))
    return CapturedFrame(
        stream_id,
        index,
        image,
        capture_time=index / FPS,
        source_time=index / FPS,
        mirrored=mirrored,
        session=session,
        in_file=in_file,
    )


def test_the_worker_keeps_ids_over_a_model_switch_and_counts_on_in_a_session(
    qtbot: QtBot, random_weights: Path, random_weights_7: Path, face_frames: list[np.ndarray]
) -> None:
    worker = InferenceWorker(LatestMailbox(), DeliveryGate(), random_weights, pipeline_loader=load_eager_pipeline)
    worker.load_default()
    try:

        def faces_of(
            stream_id: int, frames: list[np.ndarray], session: int = 0, in_file: bool = False, mirrored: bool = False
        ) -> list[tuple[int, ...]]:
            """Each frame's ids, left to right."""
            results = [
                worker.process(captured(stream_id, i, f, session, in_file, mirrored)) for i, f in enumerate(frames)
            ]
            return [tuple(face.track_id for face in sorted(r.faces, key=lambda face: face.box[0])) for r in results]

        assert faces_of(1, face_frames)[-1] == (1,)
        faces_of(2, face_frames)  # the same source started again
        assert worker.labels and len(worker.labels) == 6
        worker.load_weights(random_weights_7)  # loads beside the frames, swapped in by a timer
        qtbot.waitUntil(lambda: len(worker.labels) == 7, timeout=WAIT_MS)
        after_switch = worker.process(captured(2, len(face_frames), face_frames[-1]))
        assert [face.track_id for face in after_switch.faces] == [2]
        assert len(after_switch.faces[0].probabilities) == 7
        # Another source: its frames say so themselves (a message beside them could be
        # overtaken by a frame already on its way).
        assert faces_of(3, face_frames, session=1)[-1] == (1,)
        assert faces_of(4, face_frames, session=1)[-1] == (2,)
        # A file opened again in its session: the same moments, the same person. (A
        # camera's times start again at 0 at each start: its newcomer above got #2.)
        assert faces_of(5, face_frames, session=2, in_file=True)[-1] == (1,)
        assert faces_of(6, face_frames, session=2, in_file=True)[-1] == (1,)
        # Two people, opened again with the mirror view turned on while it was stopped:
        # each keeps their id (the one on the left now is the one on the right before).
        pair = two_people(12)
        assert faces_of(8, pair, session=3, in_file=True)[-1] == (1, 2)
        assert faces_of(9, pair, session=3, in_file=True, mirrored=True)[-1] == (2, 1)
    finally:
        worker.on_thread_finished()


def test_home_after_the_end_gives_the_face_its_id_back_play_again_starts_afresh(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path
) -> None:
    window = make_window(video=gui_video.path)

    def faces_of_a_new_stream(last: InferenceResult) -> list[int]:
        qtbot.waitUntil(
            lambda: (
                window.view.result is not None
                and window.view.result.stream_id != last.stream_id
                and len(window.view.result.faces) > 0
            ),
            timeout=WAIT_MS,
        )
        return [face.track_id for face in shown_result(window).faces]

    first = wait_for_face_result(qtbot, window)
    assert [face.track_id for face in first.faces] == [1]
    wait_until_stopped(qtbot, window)
    window.restart()  # Home after the end: the file opened again in the same session
    # The same person at the same moments: their id and row (was #2, a row of no time).
    assert faces_of_a_new_stream(first) == [1]
    assert [person.track_id for person in window.timeline_panel.timeline.people()] == [1]
    wait_until_stopped(qtbot, window)
    # Play again is a new viewing, as another video: a fresh timeline, counted from #1.
    replayed = shown_result(window)
    banner_button(window, "Play again").click()
    assert faces_of_a_new_stream(replayed) == [1]
    assert [person.track_id for person in window.timeline_panel.timeline.people()] == [1]
    other = write_astronaut_video(tmp_path / "other.avi", num_frames=30, frame_size=(320, 240), face_size=80, fps=15.0)
    again = shown_result(window)
    window.open_video(other.path)  # another source: a new session, counted from #1
    assert faces_of_a_new_stream(again) == [1]


def test_a_looping_file_gives_its_person_their_id_back_in_each_loop(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # A looping file's time went on across loops, so no moment of it was ever seen again:
    # its face, gone longer than a lost face's id is kept at the end of each loop, came
    # back with a new id every loop (Home after the end gave it back its id).
    length, shown = 60, 20
    clip = write_astronaut_video(
        tmp_path / "loop.avi",
        num_frames=length,
        frame_size=(320, 240),
        face_size=80,
        blank_frames=range(shown, length),  # 2.7 s without the face: past KEEP_LOST_S
        fps=FPS,
    )
    window = make_window()
    ids: dict[int, set[int]] = {}  # a loop's face ids
    times: dict[int, float] = {}  # a loop's latest frame time

    def heard(result: InferenceResult) -> None:
        loop = result.frame_index // length
        ids.setdefault(loop, set()).update(face.track_id for face in result.faces)
        times[loop] = max(times.get(loop, 0.0), result.source_time)

    window.controller.result_ready.connect(heard)
    # Unpaced, the file waits for inference: no frame of a loop is skipped on a busy machine.
    window.start_source(VideoFileSpec(clip.path, pace=False, loop=True))
    # Three loops that showed the face (a busy window may skip every result of one).
    qtbot.waitUntil(lambda: sum(1 for faces in ids.values() if faces) >= 3, timeout=3 * WAIT_MS)
    window.stop()
    assert set().union(*ids.values()) == {1}, ids
    # Its time still goes on from one loop to the next (the timeline, steadiness, latency).
    assert max(times.values()) > 2 * length / FPS


def test_a_named_face_keeps_its_name_on_screen_and_in_the_timeline_over_a_model_switch(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, random_weights_7: Path
) -> None:
    # Unpaced, the file waits for inference: the frames played while the new model loads
    # (long on a busy machine) are not skipped, so the face has not moved away meanwhile.
    clip = write_astronaut_video(tmp_path / "long.avi", num_frames=90, frame_size=(320, 240), face_size=80, fps=FPS)
    window = make_window()
    window.start_source(VideoFileSpec(clip.path, pace=False))
    panel = window.timeline_panel
    face_id = wait_for_face_result(qtbot, window).faces[0].track_id
    panel.ask_name = lambda track_id, current: "Ada"
    panel.name_person(face_id)
    window.controller.load_weights(random_weights_7)
    qtbot.waitUntil(
        lambda: (
            window.view.result is not None and len(window.view.result.labels) == 7 and bool(window.view.result.faces)
        ),
        timeout=WAIT_MS,
    )
    assert [(face.track_id, face.name) for face in shown_result(window).faces] == [(face_id, "Ada")]
    assert [(person.track_id, person.given_name) for person in panel.timeline.people()] == [(face_id, "Ada")]


def test_after_a_seek_the_frame_shows_its_face_at_once_and_a_face_in_place_keeps_its_id(
    detector: FaceDetector, classifier: EmotionClassifier
) -> None:
    moving, _ = astronaut_frames(num_frames=15, frame_size=(320, 240), face_size=80, motion="move")
    still, _ = astronaut_frames(num_frames=15, frame_size=(320, 240), face_size=80, motion="static")
    for frames, target, same_picture in ((moving, 7, False), (still, 12, True)):
        pipeline = EmotionPipeline(detector, classifier, optimize=False)
        assert ids_over(pipeline, frames[:4])[-1] == (1,)
        pipeline.jump()
        # One frame is all a paused video shows after a seek. In the same picture the face
        # where one was is that person; this moving face changes most of the small frame,
        # which then counts as another shot.
        ids = [face.track_id for face in pipeline.process(frames[target], target / FPS)]
        assert len(ids) == 1 and (ids == [1]) == same_picture


def test_a_paused_video_shows_the_face_of_each_frame_sought(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    clip = write_astronaut_video(tmp_path / "walk.avi", num_frames=15, frame_size=(320, 240), face_size=80)
    window = make_window(video=clip.path)
    wait_for_face_result(qtbot, window)
    window.pause()
    for target in (7, 3, 5, 1, 12):
        window.seek(target)
        qtbot.waitUntil(lambda target=target: shown_result(window).frame_index == target, timeout=WAIT_MS)  # type: ignore[misc]
        assert len(shown_result(window).faces) == 1, target


@pytest.mark.parametrize(("frames_before", "mirrored"), [(8, False), (1, False), (8, True)])
def test_a_seek_to_another_shot_gives_the_face_there_a_new_id(
    detector: FaceDetector, frames_before: int, mirrored: bool
) -> None:
    """Also after a single frame (a video opened paused: the face shown in the first frame
    it was seen in), and with a mirror turned on with the seek."""
    from emotion_app.faces.tracker import FaceTracker

    first_shot, _ = astronaut_frames(num_frames=8, frame_size=(480, 360), face_size=90, motion="static")
    other_shot = two_people(4)[0]  # another picture; its left face near where the astronaut was
    tracker = FaceTracker(detector)
    for index, frame in enumerate(first_shot[:frames_before]):
        shown = tracker.update(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), time_s=index / FPS)
    assert [track.track_id for track in shown] == [1]
    if mirrored:
        tracker.mirror(480)
        other_shot = cv2.flip(other_shot, 1)
    tracker.jump()
    after = tracker.update(cv2.cvtColor(other_shot, cv2.COLOR_BGR2GRAY), time_s=100.0)
    assert after and 1 not in {track.track_id for track in after}  # nobody inherits #1 (or its name)
    # Within the same shot, the face near its old place is the same person (see above).
    tracker.reset()
    for index, frame in enumerate(first_shot):
        tracker.update(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), time_s=index / FPS)
    tracker.jump()
    assert [t.track_id for t in tracker.update(cv2.cvtColor(first_shot[3], cv2.COLOR_BGR2GRAY), time_s=50.0)] == [1]


def test_a_mirror_turned_on_with_a_seek_keeps_each_persons_id(qtbot: QtBot, random_weights: Path) -> None:
    frames = two_people(26)
    worker = InferenceWorker(LatestMailbox(), DeliveryGate(), random_weights, pipeline_loader=load_eager_pipeline)
    worker.load_default()
    try:

        def ids_left_to_right(index: int, image: np.ndarray, mirrored: bool, seeks: int) -> list[int]:
            frame = CapturedFrame(1, index, image, 0.0, index / FPS, mirrored, seeks=seeks)
            return [face.track_id for face in sorted(worker.process(frame).faces, key=lambda face: face.box[0])]

        for index in range(20):
            before = ids_left_to_right(index, frames[index], False, 0)
        assert before == [1, 2]
        # The flipped frame and a seek arrive together (the mailbox dropped the frame between).
        flipped = np.ascontiguousarray(cv2.flip(frames[20], 1))
        assert ids_left_to_right(20, flipped, True, 1) == [2, 1]
    finally:
        worker.on_thread_finished()


def test_scrubbing_does_not_queue_a_cnn_scan_per_seek(detector: FaceDetector) -> None:
    from emotion_app.faces.tracker import FaceTracker

    frames, _ = astronaut_frames(num_frames=30, frame_size=(640, 360), face_size=100, motion="move")
    grays = [cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) for frame in frames]
    tracker = FaceTracker(detector, background_scan=True, network="shipped")
    started: list[bool] = []  # whether the thread was still busy at each start (a queued scan)
    assert tracker._network_scans is not None
    scans = tracker._network_scans.thread
    run_scan = scans.start

    def noted_start(gray: np.ndarray, min_side: float, changed: np.ndarray | None) -> None:
        started.append(scans.busy)
        run_scan(gray, min_side, changed)

    scans.start = noted_start  # type: ignore[method-assign]  # the scan thread's own start, watched
    try:
        tracker.update(grays[0], time_s=0.0)
        scans.wait(30.0)  # a first scan done, so its duration is known
        tracker.update(grays[1], time_s=1 / FPS)
        for index in range(2, 30):  # a seek every frame, as dragging the seek bar does
            tracker.jump()
            tracker.update(grays[index], time_s=index / FPS)
            time.sleep(1 / FPS)  # at the pace of the display: dropped scans end meanwhile
        assert not any(started), "a scan was queued behind another"
        # Each scan that ended, dropped at a seek or not, is followed by a rest of five
        # times its duration on the frames' clock (a frame a 30th of a second here).
        assert len(started) <= 1 + 28 // 5, len(started)
    finally:
        tracker.close()
