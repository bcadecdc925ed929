"""One overlay: the screen, a snapshot, a recording frame and ``analyze --output`` are the
same picture, drawn by the one core renderer (pixel for pixel, apart from the screen's
scaling)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PyQt6.QtGui import QImage
from pytestqt.qtbot import QtBot

from emotion_app.cli import main
from emotion_app.cli.common import load_classifier, make_detector
from emotion_app.gui.messages import RecordingRequest
from emotion_app.gui.recorder import Recorder
from emotion_app.io.overlay import draw_results
from emotion_app.pipeline import EmotionPipeline
from emotion_app.samples import astronaut_frames, write_astronaut_video
from tests.gui_support import WindowFactory, grab_view, pause_on_shown_frame, play_looping, wait_for_face_result


def qimage_bgr(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    buffer = image.constBits()
    assert buffer is not None
    buffer.setsize(image.sizeInBytes())
    rows = np.frombuffer(buffer.asstring(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return cv2.cvtColor(rows[:, : image.width() * 3].reshape(image.height(), image.width(), 3), cv2.COLOR_RGB2BGR)


def test_screen_snapshot_and_recording_show_the_same_picture(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # A window that shows the frame large enough for its own text to read: in a smaller one
    # the screen's text is drawn larger (tests/test_gui_readable_tags.py), the saved files' not.
    # A still face: one that moves is lost for a while after frames dropped on a busy
    # machine, and the frame paused on may have none. Looping: 2 s could end before it shows.
    video = write_astronaut_video(
        tmp_path / "still.avi", num_frames=30, frame_size=(320, 240), face_size=80, motion="still", fps=15.0
    )
    window = make_window(size=(1000, 800))
    play_looping(window, video.path)
    wait_for_face_result(qtbot, window)
    result = pause_on_shown_frame(qtbot, window)
    assert result is not None and result.faces and result.overlay_bars

    snapshot = cv2.imread(str(window.save_snapshot(tmp_path / "snapshot.png")))
    recorder = Recorder(RecordingRequest(tmp_path / "recording.png", tmp_path / "recording.csv"), 15.0)
    recorder.write(result)  # an image suffix: the recorder's frame, written losslessly
    recorder.close()
    recorded = cv2.imread(str(tmp_path / "recording.png"))
    assert snapshot is not None and recorded is not None
    image = window.view._image  # the picture the view scales onto the screen
    assert image is not None
    on_screen = qimage_bgr(image)
    redrawn = draw_results(result.image, result.faces, result.labels, show_bars=True)  # what analyze draws

    assert np.array_equal(snapshot, recorded)
    assert np.array_equal(snapshot, on_screen)
    assert np.array_equal(snapshot, redrawn)
    assert np.abs(snapshot.astype(int) - result.image.astype(int)).max() > 100  # the overlay is there
    # And the screen shows it, scaled: the view's pixels match the snapshot resized.
    target = window.view.image_rect()
    grabbed = cv2.cvtColor(grab_view(window), cv2.COLOR_RGB2BGR)
    x0, y0 = int(np.ceil(target.left())), int(np.ceil(target.top()))
    x1, y1 = int(target.right()) - 1, int(target.bottom()) - 1
    shown = grabbed[y0:y1, x0:x1]
    scaled = cv2.resize(
        snapshot, (int(round(target.width())), int(round(target.height()))), interpolation=cv2.INTER_LINEAR
    )
    scaled = scaled[y0 - int(target.top()) : y1 - int(target.top()), x0 - int(target.left()) : x1 - int(target.left())]
    assert np.abs(shown.astype(int) - scaled.astype(int)).mean() < 6

    # Toggling the bars redraws the paused frame; the snapshot follows the screen.
    window.set_show_bars(False)
    without = cv2.imread(str(window.save_snapshot(tmp_path / "without.png")))
    assert without is not None
    assert np.array_equal(without, draw_results(result.image, result.faces, result.labels, show_bars=False))
    assert not np.array_equal(without, snapshot)


@pytest.mark.usefixtures("one_torch_thread")
def test_analyze_output_is_the_core_renderer_on_its_faces(tmp_path: Path, random_weights: Path) -> None:
    frames, _ = astronaut_frames(num_frames=1, frame_size=(480, 240), face_size=90, copies=2, motion="static")
    image = tmp_path / "two.png"
    cv2.imwrite(str(image), frames[0])
    out = tmp_path / "annotated.png"
    assert main(["analyze", str(image), "--output", str(out), "--weights", str(random_weights)]) == 0
    # The same pipeline as analyze runs, in this process: its faces drawn by the core renderer.
    pipeline = EmotionPipeline(make_detector(), load_classifier(random_weights))
    faces = pipeline.process(frames[0], still=True)
    assert len(faces) == 2
    expected = draw_results(frames[0], faces, pipeline.classifier.labels, show_bars=True)
    annotated = cv2.imread(str(out))
    assert annotated is not None and np.array_equal(annotated, expected)
