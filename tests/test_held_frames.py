"""A frame a file holds on screen for long (an animated GIF's slide of seconds) shows its
faces at once, as a still picture does: no next frame comes while it shows to confirm a
face in, and a face held 3 s was never boxed, in the window (playing or paused on it) or by
``analyze``, while the same face in a video or a picture was. A paused file's frame is held
too, for as long as the user looks at it: a face first on a frame stepped onto shows there."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from pytestqt.qtbot import QtBot
from skimage import data

from emotion_app.cli import main
from emotion_app.faces.detector import FaceDetector
from emotion_app.faces.tracker import HELD_FRAME_S, FaceTracker
from emotion_app.gui.main_window import MainWindow
from emotion_app.gui.messages import InferenceResult
from emotion_app.samples import astronaut_bgr, astronaut_face_patch, paste, photo_frame, write_astronaut_video
from tests.gui_support import (
    WAIT_MS,
    WindowFactory,
    pause_on_shown_frame,
    paused_at,
    shown_result,
    summary_seconds,
    wait_until_stopped,
)
from tests.slide_show import write_slide_show

# A slide show: a grey slide, the astronaut's face held 3 s, another grey slide.
SLIDE_DELAYS_MS = [500, 3000, 500]


def slide_show_gif(path: Path) -> Path:
    face = astronaut_bgr()
    slides = [np.full_like(face, 90), face, np.full_like(face, 140)]
    pictures = [Image.fromarray(slide[:, :, ::-1]) for slide in slides]
    pictures[0].save(path, save_all=True, append_images=pictures[1:], duration=SLIDE_DELAYS_MS, loop=0)
    return path


def test_a_face_on_a_held_slide_is_shown_while_it_plays_and_when_paused_on_it(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: the slide's one frame passed one face check and a new face needs two (a frame
    # after it to pass the second in): the face stood unboxed for its 3 s, and forever
    # once paused on it.
    window = make_window(video=slide_show_gif(tmp_path / "slides.gif"))
    qtbot.waitUntil(lambda: window.view.result is not None and window.view.result.frame_index == 1, timeout=WAIT_MS)
    playing = shown_result(window)
    assert not window.is_paused
    assert len(playing.faces) == 1
    paused = pause_on_shown_frame(qtbot, window)
    assert paused.frame_index == 1 and len(paused.faces) == 1


def test_a_face_on_a_slide_shows_picture_is_shown_while_the_picture_shows(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: a folder's picture, shown 2 s, went to the face finding as an ordinary frame
    # (its showing is the show's, not a file frame's): the face on the second picture
    # stood unboxed its 2 s, as a GIF's slide did.
    face = astronaut_bgr()
    folder = tmp_path / "show"
    write_slide_show(folder, [np.full_like(face, 90), face, np.full_like(face, 140)])
    window = make_window(video=folder)
    qtbot.waitUntil(lambda: window.view.result is not None and window.view.result.frame_index == 1, timeout=WAIT_MS)
    assert len(shown_result(window).faces) == 1


def _stepped(qtbot: QtBot, window: MainWindow, direction: int, frame: int) -> InferenceResult:
    """Step a paused file once and return the result the view shows for ``frame``, the
    frame stepped onto (once shown, no other result of it comes: no second check)."""
    window.step(direction)
    qtbot.waitUntil(lambda: window.view.result is not None and window.view.result.frame_index == frame, timeout=WAIT_MS)
    assert window.is_paused
    return shown_result(window)


def test_a_face_first_on_a_frame_stepped_onto_while_paused_is_shown_on_it(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: a step forward while paused reads the next frame (no seek), and a new face on it
    # needed its face check passed in a second frame: it stood unboxed on the frame the user
    # looked at, until the next step. The user holds a paused frame as long as they like.
    first_face = 60  # six seconds of empty background first: paused long before the face
    video = write_astronaut_video(
        tmp_path / "steps.avi",
        num_frames=first_face + 12,
        face_size=80,
        motion="static",
        blank_frames=range(first_face),
        fps=10.0,
    )
    window = make_window(video=video.path)
    paused_at(qtbot, window, first_face - 2)
    timeline = window.timeline_panel.timeline
    assert timeline.people() == [], "the face was shown before the pause: the machine was too slow"
    # A stepped frame without a face shows no box (held, it is still only the face check's).
    assert _stepped(qtbot, window, 1, first_face - 1).faces == ()
    face = _stepped(qtbot, window, 1, first_face).faces
    assert len(face) == 1 and face[0].track_id == 1
    # Its track carries on: the same id on the next step, one step back, and played on.
    for direction, frame in ((1, first_face + 1), (-1, first_face), (1, first_face + 1)):
        assert [found.track_id for found in _stepped(qtbot, window, direction, frame).faces] == [1], frame
    shown: list[InferenceResult] = []
    window.controller.result_ready.connect(shown.append)
    window.resume()
    wait_until_stopped(qtbot, window)
    assert [result.frame_index for result in shown if result.frame_index > first_face + 1], "nothing played on"
    assert all([found.track_id for found in result.faces] == [1] for result in shown), shown
    # Each frame with the face counts its own showing (a frame interval), steps and all:
    # a step's frame is held for the face check, not for the time counted.
    assert [person.track_id for person in timeline.people()] == [1]
    assert timeline.people()[0].total_s == pytest.approx(12 / video.fps)


def test_a_held_slides_face_counts_its_showing_in_analyze_and_in_the_window_alike(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, random_weights: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gif = slide_show_gif(tmp_path / "slides.gif")
    report = tmp_path / "report"
    assert main(["analyze", str(gif), "--report", str(report), "--weights", str(random_weights)]) == 0
    capsys.readouterr()
    analyzed = summary_seconds(report / "emotion-summary.csv")
    assert analyzed["#1"] == pytest.approx(SLIDE_DELAYS_MS[1] / 1000)
    window = make_window(video=gif)
    timeline = window.timeline_panel.timeline
    wait_until_stopped(qtbot, window)
    qtbot.waitUntil(lambda: timeline.now_s == pytest.approx(sum(SLIDE_DELAYS_MS) / 1000), timeout=WAIT_MS)
    assert [person.total_s for person in timeline.people()] == pytest.approx([analyzed["#1"]])


def test_only_a_frame_held_long_shows_a_new_face_after_one_check() -> None:
    # An ordinary frame still needs a second one to confirm a new face in (the cascade
    # fires on hair and letters frame after frame); a held one is looked at as a picture.
    face = cv2.cvtColor(astronaut_bgr(), cv2.COLOR_BGR2GRAY)
    blank = np.full_like(face, 90)
    for shown_s, faces in ((0.1, 0), (HELD_FRAME_S, 1)):
        tracker = FaceTracker(FaceDetector())
        assert tracker.update(blank, time_s=0.0, shown_s=shown_s) == []  # the stream's first frame
        assert len(tracker.update(face, time_s=0.5, shown_s=shown_s)) == faces, shown_s


@pytest.mark.parametrize("background_scan", [False, True])
def test_a_looping_slide_shows_face_keeps_its_id_at_every_loop(background_scan: bool) -> None:
    # Was: the face, lost at the cut to the next slide, was kept as a track a few frames
    # (seconds of slides) and blocked the face found in its place a loop later: shown
    # again under a new id (#2), or, with background scans (the window), never again.
    face = cv2.cvtColor(astronaut_bgr(), cv2.COLOR_BGR2GRAY)
    slides = [np.full_like(face, 90), face, np.full_like(face, 140)]
    shown: list[list[int]] = []
    with FaceTracker(FaceDetector(), background_scan=background_scan) as tracker:
        time_s = 0.0
        for _ in range(3):
            moment_s = 0.0
            for slide, delay_ms in zip(slides, SLIDE_DELAYS_MS, strict=True):
                shown_s = delay_ms / 1000
                tracks = tracker.update(slide, time_s=time_s, moment_s=moment_s, shown_s=shown_s)
                shown.append([track.track_id for track in tracks])
                time_s, moment_s = time_s + shown_s, moment_s + shown_s
    assert shown == [[], [1], []] * 3, shown


@pytest.mark.parametrize("background_scan", [False, True])
def test_a_slow_videos_frames_are_scanned_where_they_changed_not_whole(background_scan: bool) -> None:
    # Was: every frame of a 2 fps video (each shown 0.5 s, so held) was scanned whole,
    # inline: in HD that took longer than the frame showed, and the window dropped frames.
    base = photo_frame(data.coffee(), (1280, 720))
    patch, _ = astronaut_face_patch(120)
    rng = np.random.default_rng(0)
    scans, shown = [], []
    with FaceTracker(FaceDetector(), background_scan=background_scan) as tracker:
        for index in range(8):
            frame = base.copy()
            paste(frame, patch, 300 + 25 * index, 200)
            noisy = np.clip(frame.astype(np.int16) + rng.integers(-3, 4, frame.shape), 0, 255).astype(np.uint8)
            tracks = tracker.update(cv2.cvtColor(noisy, cv2.COLOR_BGR2GRAY), time_s=index * 0.5, shown_s=0.5)
            scans.append(tracker.last_scan)
            shown.append([track.track_id for track in tracks])
    assert shown == [[1]] * 8, shown
    assert scans[0] == "full" and "full" not in scans[1:], scans


def blurred_title(word: str, font: int, scale: float, thickness: int, blur: int) -> np.ndarray:
    """A 640x360 film title's frame: pale letters, out of focus, on a blue sky."""
    rows = np.linspace(0.0, 1.0, 360)[:, None, None]
    sky = np.array([120, 80, 20]) * (1 - rows) + np.array([200, 190, 150]) * rows
    frame = np.ascontiguousarray(np.broadcast_to(sky, (360, 640, 3)).astype(np.uint8))
    (width, _), _ = cv2.getTextSize(word, font, scale, thickness)
    cv2.putText(frame, word, ((640 - width) // 2, 180), font, scale, (190, 200, 235), thickness, cv2.LINE_AA)
    return cv2.GaussianBlur(frame, (blur, blur), 0)


# Titles on which one look of the CNN saw a face and the next look, at the box it gave, none.
TITLES = [
    ("Caminantes", cv2.FONT_HERSHEY_DUPLEX, 1.84, 10, 13),
    ("Welcome", cv2.FONT_HERSHEY_COMPLEX, 2.9, 16, 5),
    ("Welcome", cv2.FONT_HERSHEY_TRIPLEX, 2.81, 15, 9),
    ("Bienvenidos", cv2.FONT_HERSHEY_TRIPLEX, 1.6, 9, 5),
]


@pytest.mark.parametrize("background_scan", [False, True])
@pytest.mark.parametrize("title", TITLES, ids=lambda title: f"{title[0]}-{title[1]}")
def test_a_paused_frame_boxes_no_letters_that_playing_never_boxes(
    title: tuple[str, int, float, int, int], background_scan: bool
) -> None:
    # Was: on a held frame (a paused video's, so every step too) the CNN's find was shown on
    # the one look that placed it, while playing its next look, at that box, is its check:
    # blurred letters of a title got a box (#1) when paused on, never while playing (a real
    # clip's title too, stepped through).
    gray = cv2.cvtColor(blurred_title(*title), cv2.COLOR_BGR2GRAY)
    sky = cv2.cvtColor(blurred_title("", *title[1:]), cv2.COLOR_BGR2GRAY)
    frame_s = 1 / 30
    # Played (its CNN scans inline, every 5 frames, whatever the machine's speed): no box.
    with FaceTracker(FaceDetector(), network="shipped", network_scan_frames=5) as tracker:
        tracker.update(sky, time_s=0.0, shown_s=frame_s)
        playing = [tracker.update(gray, time_s=index * frame_s, shown_s=frame_s) for index in range(1, 31)]
        assert tracker.network_scans > 1
    assert playing == [[]] * 30, "the CNN takes these letters for a face playing too: not this test's title"
    with FaceTracker(FaceDetector(), network="shipped", background_scan=background_scan) as tracker:
        tracker.update(sky, time_s=0.0, shown_s=frame_s)
        assert tracker.wait_for_background_scan(30.0)
        paused = tracker.update(gray, time_s=frame_s, shown_s=max(frame_s, HELD_FRAME_S))
        assert tracker.network_scans == 2  # the held frame was scanned by the CNN
        # Sought to while paused (a stream's first frame, held): a find the face check
        # fails is shown only if the network's second look at its box sees a face too.
        tracker.jump()
        sought = tracker.update(gray, time_s=2 * frame_s, shown_s=max(frame_s, HELD_FRAME_S))
        assert tracker.network_scans == 1  # counted from the seek
    assert paused == [] and sought == []
