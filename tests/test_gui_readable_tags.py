"""A face's tag on screen stays readable when a large frame is shown in a small window.

The overlay is drawn into the frame and the view scales the whole picture to fit: a 720p
frame in a window of 800x600 had tags with capitals 6 px tall. Real window, real worker
threads, real Haar detector and model, a 1280x720 astronaut clip written by the test; the
text's height is read from the pixels the view paints.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import cv2
import numpy as np
from pytestqt.qtbot import QtBot

from emotion_app.gui.annotation import StreamChartPlaces, annotate_frame, with_display_scale, with_names
from emotion_app.gui.main_window import MainWindow
from emotion_app.gui.messages import InferenceResult
from emotion_app.io.overlay import draw_results
from emotion_app.samples import SIX_LABELS, write_astronaut_video
from tests.gui_support import WindowFactory, grab_view, shown_result, wait_for_face_result, wait_until_stopped
from tests.test_overlay_layout import face, jittered_crowd_frames

# Capitals (digits, "#", "%": every tag has them) at least this tall on screen, in view pixels.
READABLE_CAP_PX = 11


def test_a_720p_faces_tag_is_readable_in_a_small_window(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    video = write_astronaut_video(
        tmp_path / "astronaut.avi", num_frames=20, frame_size=(1280, 720), face_size=130, motion="still", fps=15.0
    )
    window = make_window(video=video.path, size=(800, 600))
    window.set_show_bars(False)  # the tag alone above the face's box
    wait_for_face_result(qtbot, window)
    wait_until_stopped(qtbot, window)  # the video ends; its last frame stays on screen
    result = window.view.result
    assert result is not None and len(result.faces) == 1
    scale = window.view.image_rect().width() / result.width
    assert scale < 0.5, f"the view shows the frame at {scale:.2f}: not a small window"

    assert _tag_cap_height(window, result) >= READABLE_CAP_PX

    # A snapshot keeps the frame's own sizes, as recordings and `analyze --output` do.
    own = draw_results(result.image, result.faces, result.labels, show_bars=False)
    snapshot = cv2.imread(str(window.save_snapshot(tmp_path / "snapshot.png")))
    assert snapshot is not None and np.array_equal(snapshot, own)

    # In a window large enough to show the frame at full size the text is the frame's own,
    # no larger: the screen shows the saved picture itself.
    window.resize(1900, 1200)
    qtbot.waitUntil(lambda: window.view.image_rect().width() >= result.width, timeout=5000)
    shown = shown_result(window)
    assert np.array_equal(shown.display_image[:, :, :3], own)


def _tag_cap_height(window: MainWindow, result: InferenceResult) -> int:
    """How tall the tag's first character, "#", shows (as tall as a capital), in view pixels."""
    face = window.view.map_box(result.faces[0].box)
    with_tag = grab_view(window).astype(int)
    bare_frame = dataclasses.replace(
        result, faces=(), annotated=result.image, display_image=cv2.cvtColor(result.image, cv2.COLOR_BGR2BGRA)
    )
    window.view.set_result(bare_frame)
    bare = grab_view(window).astype(int)
    window.view.set_result(result)
    # The tag starts at the box's left edge; its band is the rows above the box that the
    # overlay changed along the left half of the box.
    left, right = int(face.left()) + 1, int(face.left() + face.width() / 2)
    changed = np.abs(with_tag - bare).sum(axis=2) > 30
    rows = [y for y in range(int(face.top()) - 1, -1, -1) if changed[y, left:right].mean() > 0.9]
    assert rows, "no tag above the face's box"
    band = with_tag[min(rows) : max(rows) + 1, left:right]
    background = np.median(band.reshape(-1, 3), axis=0)
    # Text pixels: far from the tag's colour (the text is near black or near white on it).
    ink = np.abs(band - background).sum(axis=2) > 150
    columns = np.flatnonzero(ink.any(axis=0))
    assert columns.size, "no text in the tag"
    # The "#": a third of the band's height from where the text starts (the band is about
    # 1.4 times the font's size, the "#" 0.7 of it wide).
    first = ink[:, columns[0] : columns[0] + max(1, len(band) // 3)]
    ink_rows = np.flatnonzero(first.any(axis=1))
    return int(ink_rows[-1] - ink_rows[0] + 1)


def test_a_paused_frame_redrawn_on_the_gui_thread_keeps_the_charts_the_worker_placed() -> None:
    # A jittering crowd whose charts keep their places: the worker's drawing differs from
    # one laid out afresh. A paused frame redrawn (a name given and taken back, another
    # screen's pixel ratio) shows its charts where the worker placed them.
    places = StreamChartPlaces()
    image = np.full((480, 640, 3), 90, np.uint8)
    differed = 0
    for index, boxes in enumerate(jittered_crowd_frames(8)):
        faces = tuple(face(box, "happy", SIX_LABELS, i + 1) for i, box in enumerate(boxes))
        drawn_with = places.copy()  # as the worker keeps them for the result
        annotated, display = annotate_frame(image, faces, SIX_LABELS, True, chart_places=places)
        result = InferenceResult(
            1, index, image, annotated, display, faces, SIX_LABELS, 0.0, 0.0, 0.0, chart_places=drawn_with
        )
        fresh = annotate_frame(image, faces, SIX_LABELS, True)[1]
        differed += not np.array_equal(fresh, display)
        named_and_back = with_names(with_names(result, {8: "Bo"}), {})
        assert np.array_equal(named_and_back.display_image, display), f"frame {index}'s charts moved"
        sharper = with_display_scale(result, 2.0, 2.0)
        sharper_fresh = with_display_scale(dataclasses.replace(result, chart_places=None), 2.0, 2.0)
        assert sharper.display_image.shape[:2] == (960, 1280)
        if not np.array_equal(fresh, display):
            assert not np.array_equal(sharper.display_image, sharper_fresh.display_image)
    assert differed  # the crowd does keep places a fresh layout would not
