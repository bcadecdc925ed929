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

from emotion_app.gui.main_window import MainWindow
from emotion_app.gui.messages import InferenceResult
from emotion_app.io.overlay import draw_results
from emotion_app.samples import write_astronaut_video
from tests.gui_support import WindowFactory, grab_view, shown_result, wait_for_face_result, wait_until_stopped

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
