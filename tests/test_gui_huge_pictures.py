"""A huge still on screen: its picture is drawn shrunk, what a snapshot saves is not.

The screen's picture was a full-size BGRA copy of a full-size overlay drawing: at the
largest picture the app reads (2**29 pixels) that made 3.7 GB beside the frame, and Qt
scaled all of it at every paint. Real window, real worker threads, real Haar detector and
model, an 8000x6000 picture with the astronaut's face written by the test.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import cv2
import numpy as np
import pytest
from PyQt6.QtCore import QRectF
from pytestqt.qtbot import QtBot

from emotion_app.gui import annotation
from emotion_app.gui.annotation import MAX_SHOWN_SIDE
from emotion_app.io.overlay import draw_results
from emotion_app.samples import astronaut_face_patch, paste
from tests.gui_support import WAIT_MS, WindowFactory, changed_fraction, grab_view, shown_result, wait_for_face_result

WIDTH, HEIGHT = 8000, 6000
FACE_AT = (5200, 2600)  # the patch's top left: the face and its tag well inside the right half


def test_a_huge_stills_screen_picture_is_shrunk_and_its_snapshot_is_not(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    picture = np.full((HEIGHT, WIDTH, 3), 128, np.uint8)
    patch, _ = astronaut_face_patch(900)
    paste(picture, patch, *FACE_AT)
    path = tmp_path / "huge.png"
    assert cv2.imwrite(str(path), picture, [cv2.IMWRITE_PNG_COMPRESSION, 1])

    window = make_window(video=path, size=(800, 600))
    wait_for_face_result(qtbot, window)
    # The still ends at once, and its end's banner takes room from the view: the picture is
    # then redrawn with text for the smaller view. Which one the test would get depended on
    # how busy the machine was (the larger text's chart reaches further left).
    qtbot.waitUntil(lambda: window.source_banner.text().startswith("Finished playing"), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: shown_result(window).overlay_scale == window.view.display_scale, timeout=WAIT_MS)
    result = shown_result(window)
    assert (result.width, result.height) == (WIDTH, HEIGHT)  # the still's frame itself
    assert np.array_equal(result.image, picture)

    shown = result.display_image
    assert max(shown.shape[:2]) <= MAX_SHOWN_SIDE, f"the screen's picture is {shown.shape[1]}x{shown.shape[0]}"
    assert abs(shown.shape[1] / shown.shape[0] - WIDTH / HEIGHT) < 0.01
    plain = cv2.resize(picture, (shown.shape[1], shown.shape[0]), interpolation=cv2.INTER_AREA)
    # The plain picture shrunk, away from the face (its chart takes much of the frame's
    # middle: the text is sized to read in the small window); the box and tag drawn on it.
    assert _far_from_the_face_is_plain(shown, plain)
    scale = shown.shape[1] / WIDTH
    x, y, w, h = (int(round(value * scale)) for value in result.faces[0].box)
    drawn = np.abs(shown[:, :, :3].astype(int) - plain).sum(axis=2) > 60
    assert drawn[y + h // 4 : y + h // 2, x - 1 : x + 3].any(axis=1).all(), "no box along the face's left edge"
    assert drawn[max(0, y - h // 8) : y, x : x + w // 2].mean() > 0.5, "no tag above the face"

    # The view paints it where the frame goes: the tag shows above where it maps the face.
    with_tag = grab_view(window)
    bare = dataclasses.replace(
        result, faces=(), annotated=picture, display_image=cv2.cvtColor(plain, cv2.COLOR_BGR2BGRA), shown_frame=plain
    )
    window.view.set_result(bare)
    without = grab_view(window)
    window.view.set_result(result)
    face = window.view.map_box(result.faces[0].box)
    tag_band = QRectF(face.left() + 2, face.top() - 10, face.width() / 2, 6)
    assert changed_fraction(without, with_tag, tag_band) > 0.5, "no tag above where the view maps the face"

    # A snapshot keeps the frame's size and its own overlay, as `analyze --output` draws it.
    snapshot = cv2.imread(str(window.save_snapshot(tmp_path / "snapshot.png")))
    assert snapshot is not None and snapshot.shape == (HEIGHT, WIDTH, 3)
    own = draw_results(result.image, result.faces, result.labels, show_bars=result.overlay_bars)
    assert np.array_equal(snapshot, own)

    # Redrawn on the GUI thread (the charts toggled): still from the shrunk picture.
    window.set_show_bars(not result.overlay_bars)
    qtbot.waitUntil(lambda: shown_result(window).overlay_bars != result.overlay_bars, timeout=WAIT_MS)
    redrawn = shown_result(window).display_image
    assert redrawn.shape == shown.shape and not np.array_equal(redrawn, shown)
    assert _far_from_the_face_is_plain(redrawn, plain)

    # Where the frame's own overlay cannot be drawn, the picture as shown is saved, at the
    # frame's size still (a recording's frames must all have one size).
    def fails(*args: object, **options: object) -> None:
        raise RuntimeError("raqm_layout() failed")

    monkeypatch.setattr(annotation, "draw_results", fails)
    as_shown = cv2.imread(str(window.save_snapshot(tmp_path / "as_shown.png")))
    assert as_shown is not None and as_shown.shape == (HEIGHT, WIDTH, 3)
    enlarged = cv2.resize(redrawn[:, :, :3], (WIDTH, HEIGHT), interpolation=cv2.INTER_LINEAR)
    assert np.array_equal(as_shown, enlarged)


def _far_from_the_face_is_plain(shown: np.ndarray, plain: np.ndarray) -> bool:
    """Whether the top fifth and the left tenth of the screen's picture are ``plain``'s (the
    chart, left of the face, reaches to a fifth of the width in the small view)."""
    rows, columns = shown.shape[0] // 5, shown.shape[1] // 10
    top = np.array_equal(shown[:rows, :, :3], plain[:rows])
    return top and np.array_equal(shown[:, :columns, :3], plain[:, :columns])
