"""The real window on a high-DPI screen, run only as a child of ``test_gui_hidpi.py``, which
starts it with QT_SCALE_FACTOR=2 (all) or 1.5 (the snapshot and resize tests; this file's
name keeps it out of the suite's own run)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import cv2
import numpy as np
from PyQt6.QtCore import Qt
from pytestqt.qtbot import QtBot

from emotion_app.gui.annotation import annotate_frame, enlarged_size
from emotion_app.gui.messages import InferenceResult
from emotion_app.gui.video_view import VideoView
from emotion_app.io.overlay import draw_results
from emotion_app.results import FaceResult
from emotion_app.samples import SIX_LABELS, VideoTruth, astronaut_frames, write_astronaut_video
from tests.gui_support import (
    WAIT_MS,
    WindowFactory,
    blurred_difference,
    grab_view,
    pause_on_shown_frame,
    paused_at,
    play_looping,
    sharpness,
    shown_result,
    use_output_folder,
    wait_for_face_result,
    wait_for_recording,
    wait_until_recorded,
)


def test_window_at_the_childs_device_pixel_ratio(qtbot: QtBot, make_window: WindowFactory, tmp_path: Path) -> None:
    # A still face: one that moves is lost for a while after frames dropped on a busy
    # machine, and the frame paused on may have none. Looping: 2 s could end before it shows.
    video = write_astronaut_video(
        tmp_path / "still.avi", num_frames=30, frame_size=(320, 240), face_size=80, motion="static", fps=15.0
    )
    window = make_window(size=(800, 600))
    play_looping(window, video.path)
    assert window.view.devicePixelRatioF() == 2.0
    wait_for_face_result(qtbot, window)
    pause_on_shown_frame(qtbot, window)
    qtbot.waitUntil(
        lambda: bool(shown_result(window).faces) and shown_result(window).overlay_pixels == 2.0, timeout=WAIT_MS
    )
    result = shown_result(window)
    assert window.view.image_rect().width() / result.width > 1.0  # shown larger than the frame
    assert result.display_image.shape[:2] == (2 * result.height, 2 * result.width)

    sharp = grab_view(window)
    assert sharp.shape[:2] == (2 * window.view.height(), 2 * window.view.width())  # the screen's pixels
    # The same frame with the same overlay at the frame's pixels, as it was shown before.
    own = draw_results(result.image, result.faces, result.labels, display_scale=result.overlay_scale)
    own = cv2.cvtColor(own, cv2.COLOR_BGR2BGRA)
    window.view.set_result(dataclasses.replace(result, display_image=own))
    window.view.repaint()
    blurred = grab_view(window)
    rect = window.view.image_rect()
    x0, y0, x1, y1 = (int(2 * v) for v in (rect.left(), rect.top(), rect.right(), rect.bottom()))
    sharp, blurred = sharp[y0:y1, x0:x1], blurred[y0:y1, x0:x1]
    # Boxes, tags and charts in the same places and sizes (alike once both are blurred) ...
    assert blurred_difference(sharp, blurred) < 2
    # ... and crisp at the screen's pixels.
    assert sharpness(sharp) > 1.3 * sharpness(blurred)


def test_snapshot_and_recording_keep_the_frames_size_with_its_own_overlay(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path
) -> None:
    # The screen's picture is the frame enlarged for the screen; what is saved is the frame's own.
    window = make_window(size=(800, 600))
    play_looping(window, gui_video.path)
    assert use_output_folder(qtbot, window, tmp_path)
    wait_for_face_result(qtbot, window)
    paused_at(qtbot, window, 5)
    qtbot.waitUntil(
        lambda: bool(shown_result(window).faces) and shown_result(window).overlay_pixels > 1, timeout=WAIT_MS
    )
    result = shown_result(window)
    width, height = enlarged_size(result.width, result.height, result.overlay_pixels)
    assert result.display_image.shape[:2] == (height, width) and width > result.width
    own = draw_results(result.image, result.faces, result.labels, show_bars=result.overlay_bars)

    with qtbot.waitSignal(window.snapshots.saved, timeout=WAIT_MS) as saved:
        qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    snapshot = cv2.imread(str(saved.args[0]))
    assert snapshot is not None and snapshot.shape == result.image.shape
    assert np.array_equal(snapshot, own)  # a PNG keeps every pixel: the frame's own drawing

    # Recorded while paused, then one step: one frame, whose result the view shows.
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    wait_for_recording(qtbot, window)
    window.step(1)
    qtbot.waitUntil(lambda: shown_result(window).frame_index == 6, timeout=WAIT_MS)
    wait_until_recorded(qtbot, window)
    stepped = shown_result(window)
    assert stepped.faces and stepped.display_image.shape[:2] == (height, width)
    with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS) as finished:
        qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    summary = finished.args[0]
    assert summary.error == "" and summary.frames_written == 1
    capture = cv2.VideoCapture(str(summary.request.video_path))
    ok, recorded = capture.read()
    capture.release()
    assert ok and recorded.shape == stepped.image.shape
    expected = draw_results(stepped.image, stepped.faces, stepped.labels, show_bars=stepped.overlay_bars)
    # The overlay where the faces are: where the frame's own drawing differs from the bare
    # frame, the recorded frame is that drawing but for the codec's losses.
    overlay = np.abs(expected.astype(np.int16) - stepped.image.astype(np.int16)).max(axis=2) > 60
    assert overlay.sum() > 500
    to_drawn = np.abs(recorded.astype(np.int16) - expected.astype(np.int16)).mean(axis=2)[overlay]
    to_bare = np.abs(recorded.astype(np.int16) - stepped.image.astype(np.int16)).mean(axis=2)[overlay]
    assert np.median(to_drawn) < 0.25 * np.median(to_bare)


def test_resizing_the_window_while_paused_redraws_a_sharp_overlay(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # A 1280x720 clip: shown smaller than its size in the first window, larger than it in
    # a large one, so the screen's picture is enlarged by other ratios than 2 on the way.
    video = write_astronaut_video(
        tmp_path / "wide.avi", num_frames=20, frame_size=(1280, 720), face_size=240, motion="static", fps=10.0
    )
    window = make_window(size=(800, 600))
    play_looping(window, video.path)
    wait_for_face_result(qtbot, window)
    pause_on_shown_frame(qtbot, window)
    qtbot.waitUntil(lambda: bool(shown_result(window).faces), timeout=WAIT_MS)
    ratios = set()
    for size in ((1400, 1000), (720, 540), (1900, 1300), (1000, 700), (800, 600)):
        window.resize(*size)

        def laid_out(size: tuple[int, int] = size) -> bool:
            return (window.width(), window.height()) == size

        qtbot.waitUntil(laid_out, timeout=WAIT_MS)
        qtbot.wait(50)  # the view laid out anew in the window
        result, ratio = shown_result(window), window.view.pixel_ratio
        ratios.add(ratio)
        assert result.faces and result.overlay_scale == window.view.display_scale
        width, height = enlarged_size(result.width, result.height, ratio)
        assert result.display_image.shape[:2] == (height, width)
        # What the view paints is that picture: the same overlay, laid out as on the frame,
        # as sharp as drawn at the screen's pixels (not the frame's overlay enlarged).
        painted = grab_view(window)
        rect = window.view.image_rect()
        dpr = window.view.devicePixelRatioF()
        x0, y0, x1, y1 = (int(dpr * v) for v in (rect.left(), rect.top(), rect.right(), rect.bottom()))
        painted = painted[y0:y1, x0:x1]
        drawn = cv2.cvtColor(cv2.resize(result.display_image, (x1 - x0, y1 - y0)), cv2.COLOR_BGRA2RGB)
        assert blurred_difference(painted, drawn) < 2
        if ratio > 1:
            own = draw_results(result.image, result.faces, result.labels, display_scale=result.overlay_scale)
            enlarged = cv2.cvtColor(
                cv2.resize(own, (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR), cv2.COLOR_BGR2RGB
            )
            assert blurred_difference(painted, enlarged) < 3
            # Compared where the overlay is: the video's own edges are as blurred in both.
            bare = cv2.cvtColor(cv2.resize(result.image, (x1 - x0, y1 - y0)), cv2.COLOR_BGR2RGB)
            ys, xs = np.nonzero(np.abs(enlarged.astype(np.int16) - bare.astype(np.int16)).max(axis=2) > 40)
            top, bottom, left, right = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
            sharp, soft = sharpness(painted[top:bottom, left:right]), sharpness(enlarged[top:bottom, left:right])
            # Enlarged 1.19 times (the frame shown 0.6 times its size) it gains least.
            assert sharp > (1.15 if width >= 1.5 * result.width else 1.0) * soft
    assert len(ratios) > 1  # the resizes did change the enlargement
    window.resume()
    qtbot.waitUntil(lambda: shown_result(window).frame_index != result.frame_index, timeout=WAIT_MS)


def test_an_empty_view_asks_for_no_enlarged_frames(qtbot: QtBot) -> None:
    # A view of no size showed frames at "scale 1.0" (fit_frame's answer for an empty rect),
    # which at a device pixel ratio of 2 asked the worker for frames enlarged twice that
    # nobody saw. Empty: ratio 1; the enlargement is asked again once the view has a size.
    frames, boxes = astronaut_frames(num_frames=1, frame_size=(320, 240), face_size=80, copies=1, motion="static")
    faces = tuple(FaceResult(box, 1, "happy", 0.7, (0.05, 0.05, 0.7, 0.1, 0.05, 0.05)) for box in boxes[0])
    annotated, shown = annotate_frame(frames[0], faces, SIX_LABELS, show_bars=True)
    result = InferenceResult(1, 0, frames[0], annotated, shown, faces, SIX_LABELS, 0.0, 0.0, 0.0)
    view = VideoView()
    qtbot.addWidget(view)
    assert view.devicePixelRatioF() == 2.0
    asked: list[tuple[float, float]] = []
    view.display_scale_changed.connect(lambda scale, ratio: asked.append((scale, ratio)))
    view.setMinimumSize(0, 0)
    view.resize(0, 0)
    view.set_result(result)
    assert view.result is not None
    assert view.rect().isEmpty() and view.pixel_ratio == 1.0 and view.result.overlay_pixels == 1.0
    assert view.result.display_image.shape[:2] == (240, 320)  # the frame's own size: not enlarged
    assert not any(ratio > 1 for _, ratio in asked)
    view.resize(800, 600)  # shown 2.5 times its size: enlarged up to the screen's ratio
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: view.pixel_ratio == 2.0, timeout=WAIT_MS)
    assert view.result is not None
    assert asked[-1] == (view.display_scale, 2.0) and view.result.overlay_pixels == 2.0
    assert view.result.display_image.shape[:2] == (480, 640)
