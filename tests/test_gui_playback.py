"""Playing a file like a player: pause and resume in place, seek, frame step, Home, the
player keys with the focus on another control, and dialogs that pause the video.

The real window, threads and pipeline play real files; every position is checked against
the number written into each frame of the clip, not only against the index the app reports.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import TypedDict

import numpy as np
import pytest
from PIL import Image
from PyQt6.QtCore import QEvent, QMimeData, QObject, QPoint, QPointF, Qt, QUrl
from PyQt6.QtGui import QAction, QDropEvent, QKeySequence
from PyQt6.QtWidgets import QApplication, QLabel, QSlider, QToolButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from emotion_app.gui.camera_picker import CameraDevice
from emotion_app.gui.main_window import MainWindow
from emotion_app.gui.messages import PlaybackState
from emotion_app.gui.mnemonics import plain
from emotion_app.gui.playback_bar import PlayerKeys
from emotion_app.live import PipelineBundle, load_eager_pipeline
from emotion_app.samples import SEVEN_LABELS, VideoTruth, astronaut_frames, read_video, write_video
from emotion_app.sources.specs import VideoFileSpec
from tests.gui_support import (
    WAIT_MS,
    ThreadHold,
    WindowFactory,
    playback_of,
    shown_result,
    source_info_of,
    thread_held,
)

CLIP_FRAMES = 135
_BITS = 8
_BIT_W, _BIT_H = 20, 14
# The clip fixture: the file, and the frames written into it.
Clip = tuple[Path, list[np.ndarray]]


@pytest.fixture(scope="module", params=[".avi", ".mp4", ".gif"])
def clip(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Clip:
    """A 9-second 160x120 clip at 15 fps (MJPG and mp4v; a GIF, which FFmpeg seeks from its
    first frame, at 70 ms a frame): an astronaut face, and each frame's number written along
    its bottom edge in big black and white blocks."""
    frames, _ = astronaut_frames(num_frames=CLIP_FRAMES, frame_size=(160, 120), face_size=60, motion="static")
    for index, frame in enumerate(frames):
        for bit in range(_BITS):
            frame[-_BIT_H:, bit * _BIT_W : (bit + 1) * _BIT_W] = 255 if index >> bit & 1 else 0
    path = tmp_path_factory.mktemp("player") / f"numbered{request.param}"
    if request.param == ".gif":
        pictures = [Image.fromarray(np.ascontiguousarray(frame[..., ::-1])).quantize(64) for frame in frames]
        pictures[0].save(path, save_all=True, append_images=pictures[1:], duration=70, loop=0)
    else:
        path = write_video(path, frames, fps=15.0)
    decoded = read_video(path)
    assert [frame_number(frame) for frame in decoded] == list(range(CLIP_FRAMES))
    return path, decoded


def frame_number(image: np.ndarray) -> int:
    """The frame number written into a frame of the clip."""
    strip = image[-_BIT_H + 3 : -3].astype(float).mean(axis=(0, 2))
    return sum(1 << bit for bit in range(_BITS) if strip[bit * _BIT_W + 4 : (bit + 1) * _BIT_W - 4].mean() > 128)


def wait_settled(qtbot: QtBot, window: MainWindow, frame: int | None = None) -> int:
    """Wait until a paused window shows the frame it is paused on (``frame`` if given)."""

    def settled() -> bool:
        state, result = window.source_state.playback, window.view.result
        if state is None or not state.paused or result is None or result.stream_id != state.stream_id:
            return False
        return result.frame_index == state.position and (frame is None or state.position == frame)

    qtbot.waitUntil(settled, timeout=WAIT_MS)
    return shown_result(window).frame_index


def open_paused(qtbot: QtBot, make_window: WindowFactory, clip: Clip) -> MainWindow:
    """A window playing ``clip``, paused on the first frame it showed."""
    window = make_window(video=clip[0])
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    window.pause()
    wait_settled(qtbot, window)
    return window


def test_pause_holds_the_frame_and_resume_goes_on_from_the_next(
    qtbot: QtBot, make_window: WindowFactory, clip: Clip
) -> None:
    path, _ = clip
    window = make_window(video=path)
    qtbot.waitUntil(lambda: window.view.result is not None and window.view.result.frame_index >= 8, timeout=WAIT_MS)
    window.pause()
    position = wait_settled(qtbot, window)
    assert window.is_paused and plain(window.play_pause_action.text()) == "Play"
    # A file has its player button in the toolbar, saying what a click does.
    button = window.toolbar.widgetForAction(window.play_pause_button_action)
    assert button is not None and button.isVisibleTo(window) and window.play_pause_button_action.text() == "Play"
    qtbot.wait(400)  # six frame periods: nothing moves while paused
    assert shown_result(window).frame_index == position
    assert frame_number(shown_result(window).image) == position
    assert window.playback_bar.position == position

    indices: list[int] = []
    window.controller.result_ready.connect(lambda result: indices.append(result.frame_index))
    window.resume()
    qtbot.waitUntil(lambda: any(index > position for index in indices), timeout=WAIT_MS)
    assert [index for index in indices if index > position][0] == position + 1  # not a frame skipped
    assert not window.is_paused and plain(window.play_pause_action.text()) == "Pause"
    assert window.play_pause_button_action.text() == "Pause"
    button.click()  # the toolbar button pauses as Space does
    qtbot.waitUntil(lambda: window.is_paused, timeout=WAIT_MS)


def test_seek_lands_on_the_requested_frame(qtbot: QtBot, make_window: WindowFactory, clip: Clip) -> None:
    window = open_paused(qtbot, make_window, clip)
    for target in (100, 37, 3, 134):
        window.seek(target)
        wait_settled(qtbot, window, target)
        assert frame_number(shown_result(window).image) == target
        assert window.playback_bar.position == target
    assert window.playback_bar.duration_label.text() == "0:09"
    # The slider seeks too (coalesced while dragging).
    window.playback_bar.slider.setValue(60)
    wait_settled(qtbot, window, 60)
    assert frame_number(shown_result(window).image) == 60


def test_a_seek_forward_adds_no_time_to_the_session_timeline(
    qtbot: QtBot, make_window: WindowFactory, clip: Clip
) -> None:
    window = open_paused(qtbot, make_window, clip)
    timeline = window.timeline_panel.timeline
    before, left = timeline.now_s, shown_result(window).shown_s
    assert left == pytest.approx(1 / 15, abs=0.01)  # its frame interval, or its GIF delay
    window.seek(120)  # 8 s ahead: none of it was watched
    wait_settled(qtbot, window, 120)
    # Only the paused frame left counts, its own showing, as if played on.
    assert timeline.now_s == pytest.approx(before + left, abs=1e-9)
    assert shown_result(window).seeks == 1
    window.step(1)  # a frame played on from there counts its own time
    wait_settled(qtbot, window, 121)
    assert timeline.now_s == pytest.approx(before + left + 1 / 15, abs=0.01)


def test_frame_step_home_and_the_keys_with_the_focus_on_another_control(
    qtbot: QtBot, make_window: WindowFactory, clip: Clip
) -> None:
    path, _ = clip
    cameras = [CameraDevice("Front camera", 0), CameraDevice("Back camera", 1)]
    window = make_window(video=path, devices=cameras)
    qtbot.waitUntil(lambda: window.view.result is not None and window.view.result.frame_index >= 3, timeout=WAIT_MS)
    # The focus is on the camera list, which would take Space and the arrows for itself
    # (and switch to another camera on Right).
    other = window.picker
    window.activateWindow()
    qtbot.waitActive(window)
    other.setFocus()
    qtbot.waitUntil(other.hasFocus, timeout=WAIT_MS)
    chosen = other.currentIndex()
    qtbot.keyClick(other, Qt.Key.Key_Space)
    position = wait_settled(qtbot, window)
    assert window.is_paused
    qtbot.keyClick(other, Qt.Key.Key_Right)
    wait_settled(qtbot, window, position + 1)
    assert frame_number(shown_result(window).image) == position + 1
    qtbot.keyClick(other, Qt.Key.Key_Left)
    qtbot.keyClick(other, Qt.Key.Key_Left)
    wait_settled(qtbot, window, position - 1)
    assert frame_number(shown_result(window).image) == position - 1
    qtbot.keyClick(other, Qt.Key.Key_Home)
    wait_settled(qtbot, window, 0)
    assert frame_number(shown_result(window).image) == 0
    assert other.currentIndex() == chosen and window.is_file  # the list never saw the keys

    # Playing, the arrows jump a few seconds.
    qtbot.keyClick(other, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not window.is_paused, timeout=WAIT_MS)
    qtbot.keyClick(other, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: shown_result(window).frame_index >= 5 * 15, timeout=WAIT_MS)


def test_a_modal_dialog_pauses_the_file_and_it_plays_on_after(
    qtbot: QtBot, make_window: WindowFactory, clip: Clip, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _ = clip
    window = make_window(video=path)
    qtbot.waitUntil(lambda: window.view.result is not None and window.view.result.frame_index >= 5, timeout=WAIT_MS)
    seen: dict[str, object] = {}

    def answer(title: str, suggestion: str, filters: str) -> str:
        # The user takes a while to choose: the video must not move meanwhile.
        seen["paused"] = window.is_paused
        wait_settled(qtbot, window)
        seen["position"] = shown_result(window).frame_index
        qtbot.wait(400)
        seen["after_wait"] = shown_result(window).frame_index
        return str(tmp_path / "clip.mp4")

    monkeypatch.setattr(window, "ask_save_path", answer)
    window.record_as_action.trigger()
    assert seen["paused"] is True and seen["position"] == seen["after_wait"]
    qtbot.waitUntil(lambda: not window.is_paused, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: shown_result(window).frame_index > int(seen["position"]) + 3, timeout=WAIT_MS)  # type: ignore[call-overload]
    with qtbot.waitSignal(window.controller.recording_finished, timeout=WAIT_MS):
        window.stop_recording()
    rows = (tmp_path / "clip.csv").read_text().splitlines()
    first_frame = int(rows[1].split(",")[0])
    # The recording starts where the dialog was opened, not seconds later.
    assert first_frame <= int(seen["position"]) + 2  # type: ignore[call-overload]


def test_after_the_end_the_keys_still_move_through_the_file(
    qtbot: QtBot, make_window: WindowFactory, clip: Clip
) -> None:
    path, _ = clip
    window = make_window(video=path)
    window.seek(130)
    qtbot.waitUntil(lambda: not window.is_running and window.source_banner.text() != "", timeout=WAIT_MS)
    last = CLIP_FRAMES - 1
    # The end is told by the capture thread; the last frame's result may still be on its way.
    qtbot.waitUntil(lambda: shown_result(window).frame_index == last, timeout=WAIT_MS)
    window.step_back_action.trigger()
    wait_settled(qtbot, window, last - 1)
    assert frame_number(shown_result(window).image) == last - 1
    window.play_pause_action.trigger()  # Space plays on from there
    qtbot.waitUntil(lambda: not window.is_running and shown_result(window).frame_index == last, timeout=WAIT_MS)


def stop_and_wait(qtbot: QtBot, window: MainWindow) -> None:
    window.stop()
    qtbot.waitUntil(lambda: not window.source_state.active, timeout=WAIT_MS)


def stopped_at(qtbot: QtBot, make_window: WindowFactory, clip: Clip, frame: int) -> MainWindow:
    """A window whose file was shown paused at ``frame``, then stopped."""
    window = open_paused(qtbot, make_window, clip)
    window.seek(frame)
    wait_settled(qtbot, window, frame)
    stop_and_wait(qtbot, window)
    return window


def test_after_stop_the_seek_bar_opens_the_file_again_paused_there(
    qtbot: QtBot, make_window: WindowFactory, clip: Clip
) -> None:
    # The seek bar stays on screen after Stop: a move on it shows that frame, as after the end.
    window = stopped_at(qtbot, make_window, clip, 40)
    assert window.playback_bar.isVisibleTo(window) and window.playback_bar.slider.isEnabled()
    window.playback_bar.slider.setValue(90)
    wait_settled(qtbot, window, 90)
    assert frame_number(shown_result(window).image) == 90 and window.is_running and window.is_paused


def test_after_stop_left_and_right_open_the_file_again_a_frame_on(
    qtbot: QtBot, make_window: WindowFactory, clip: Clip
) -> None:
    # Was: after Stop, Left and Right stayed enabled and did nothing, while the seek bar
    # beside them, and the same keys after the end, opened the file again.
    window = stopped_at(qtbot, make_window, clip, 40)
    assert window.step_forward_action.isEnabled()
    window.step_forward_action.trigger()
    wait_settled(qtbot, window, 41)
    assert frame_number(shown_result(window).image) == 41 and window.is_running and window.is_paused
    stop_and_wait(qtbot, window)
    window.step_back_action.trigger()
    wait_settled(qtbot, window, 40)
    assert frame_number(shown_result(window).image) == 40


def test_after_stop_mirror_view_flips_the_frame_left_on_screen(
    qtbot: QtBot, make_window: WindowFactory, clip: Clip
) -> None:
    # Was: Stop leaves the file's last frame on screen, and M ticked Mirror view beside it
    # unflipped: only a frame paused or shown to the file's end was looked at again.
    window = stopped_at(qtbot, make_window, clip, 40)
    assert window.view.result is not None and not window.mirror_action.isChecked()
    window.mirror_action.trigger()
    assert window.mirror_action.isChecked()
    # Opened again there, paused, as a seek after Stop does: the frame flipped, not another
    # (its number read from the pixels flipped back; read unflipped, 40 reads as 20).
    qtbot.waitUntil(lambda: frame_number(shown_result(window).image[:, ::-1]) == 40, timeout=WAIT_MS)
    assert wait_settled(qtbot, window, 40) == 40 and window.is_running and window.is_paused
    window.mirror_action.trigger()  # and back, at once
    qtbot.waitUntil(lambda: frame_number(shown_result(window).image) == 40, timeout=WAIT_MS)


@pytest.mark.parametrize("key", [Qt.Key.Key_Space, Qt.Key.Key_Home], ids=["Space", "Home"])
@pytest.mark.parametrize("look", ["Mirror view", "a model"])
def test_space_or_home_after_stop_plays_from_the_start_though_the_frame_was_looked_at_again(
    qtbot: QtBot, make_window: WindowFactory, clip: Clip, random_weights_7: Path, look: str, key: Qt.Key
) -> None:
    # Was: Mirror view or a model picked after Stop opens the file again at the frame left
    # on screen, paused, to show it anew; Space then played on from that frame (and Home
    # showed the first frame, paused), where after a plain Stop both play the file from its
    # start.
    window = stopped_at(qtbot, make_window, clip, 40)
    if look == "Mirror view":
        window.mirror_action.trigger()
        qtbot.waitUntil(lambda: frame_number(shown_result(window).image[:, ::-1]) == 40, timeout=WAIT_MS)
    else:
        window.choose_weights(random_weights_7)
        qtbot.waitUntil(lambda: shown_result(window).labels == SEVEN_LABELS, timeout=WAIT_MS)
    assert wait_settled(qtbot, window, 40) == 40 and window.is_running and window.is_paused
    qtbot.keyClick(window, key)
    qtbot.waitUntil(lambda: not window.is_paused and shown_result(window).frame_index < 40, timeout=WAIT_MS)
    result = shown_result(window)
    picture = result.image[:, ::-1] if window.mirror_action.isChecked() else result.image
    assert frame_number(picture) == result.frame_index
    # A move after the look is the user's, as after a seek: Space plays on from there.
    stop_and_wait(qtbot, window)
    stopped_on = shown_result(window).frame_index
    window.mirror_action.trigger()
    wait_settled(qtbot, window, stopped_on)
    window.step_forward_action.trigger()
    wait_settled(qtbot, window, stopped_on + 1)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not window.is_paused and shown_result(window).frame_index > stopped_on + 1, timeout=WAIT_MS)


# What what_the_window_says() reads off a window, by the name a user would give each.
WindowSays = TypedDict(
    "WindowSays",
    {
        "status line": str,
        "standing": str,
        "Start/Stop": str,
        "Space": str,
        "Play/Pause shown": bool,
        "banner": str,
        "seek bar": tuple[str, str, int],
    },
)


def what_the_window_says(window: MainWindow) -> WindowSays:
    """What a user sees and hears of a file's state: status line, the video's description,
    the toolbar's Start/Stop and Play/Pause, the banner, the seek bar."""
    bar = window.playback_bar
    return {
        "status line": window.status_summary(0.0),
        "standing": window._standing_words(),
        "Start/Stop": window.start_stop_action.text(),
        "Space": plain(window.play_pause_action.text()),
        "Play/Pause shown": window.play_pause_button_action.isVisible(),
        "banner": window.source_banner.text(),
        "seek bar": (bar.position_label.text(), bar.duration_label.text(), bar.slider.value()),
    }


def stopped_or_finished(qtbot: QtBot, make_window: WindowFactory, clip: Clip, how: str) -> tuple[MainWindow, int, str]:
    """A window whose file was stopped at frame 40, or played to its end: the frame left on
    screen, and what the window says of it."""
    if how == "Stop":
        return stopped_at(qtbot, make_window, clip, 40), 40, "Stopped"
    window = make_window(video=clip[0])
    window.seek(130)
    qtbot.waitUntil(lambda: window.source_state.ended, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: shown_result(window).frame_index == CLIP_FRAMES - 1, timeout=WAIT_MS)
    return window, CLIP_FRAMES - 1, "Finished"


def look_again(qtbot: QtBot, window: MainWindow, look: str, frame: int, weights: Path) -> None:
    """Mirror view, or a model picked, on the frame left on screen: shown anew."""
    if look == "Mirror view":
        window.mirror_action.trigger()
        qtbot.waitUntil(lambda: frame_number(shown_result(window).image[:, ::-1]) == frame, timeout=WAIT_MS)
    else:
        window.choose_weights(weights)
        qtbot.waitUntil(lambda: shown_result(window).labels == SEVEN_LABELS, timeout=WAIT_MS)
    assert wait_settled(qtbot, window, frame) == frame and window.is_running and window.is_paused


@pytest.mark.parametrize("how", ["Stop", "its end"])
@pytest.mark.parametrize("look", ["Mirror view", "a model"])
def test_a_file_looked_at_again_after_stop_or_its_end_still_reads_so(
    qtbot: QtBot, make_window: WindowFactory, clip: Clip, random_weights_7: Path, tmp_path: Path, look: str, how: str
) -> None:
    # Was: Mirror view or a model picked after Stop (or the end) opened the file again at
    # its frame, paused, and the window said so: "Paused · 0:02 / 0:09" and "Paused at 0:02"
    # (to a screen reader too), Stop and Play in the toolbar, the end's banner and the bar's
    # length gone, Record recording it; yet Space played it from its start, as after Stop.
    window, frame, words = stopped_or_finished(qtbot, make_window, clip, how)
    before = what_the_window_says(window)
    assert before["status line"].partition(" · ")[0] == before["standing"] == words and before["Start/Stop"] == "Start"
    look_again(qtbot, window, look, frame, random_weights_7)
    qtbot.wait(100)  # the opened file's news, and a frame or two, are in
    assert what_the_window_says(window) == before
    qtbot.waitUntil(lambda: window.view.accessibleDescription().startswith(f"{words}. "), timeout=WAIT_MS)
    assert window.start_recording(tmp_path / "take.mp4") is None and window.recording is None  # nothing to record
    # A move of the user's from there (a seek) opens it for them, paused there as a seek
    # after Stop does: Space plays on from there.
    window.playback_bar.slider.setValue(60)
    wait_settled(qtbot, window, 60)
    said = what_the_window_says(window)
    assert (said["standing"], said["Start/Stop"], said["Space"], said["Play/Pause shown"]) == (
        "Paused at 0:04",
        "Stop",
        "Play",
        True,
    )
    assert said["status line"].startswith("Paused · 0:04 / 0:09") and "Finished" not in said["banner"]
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not window.is_paused and shown_result(window).frame_index > 60, timeout=WAIT_MS)


@pytest.mark.parametrize("how", ["Space", "Start"])
def test_space_or_start_while_a_file_opens_again_to_be_looked_at_plays_it(
    qtbot: QtBot, make_window: WindowFactory, clip: Clip, how: str
) -> None:
    # Was: Space or Start pressed while the file stopped opened again for Mirror view (a
    # moment) stopped it, as if it were playing, instead of playing it from its start.
    window = stopped_at(qtbot, make_window, clip, 40)
    window.mirror_action.trigger()
    assert window.source_state.starting
    if how == "Space":
        qtbot.keyClick(window, Qt.Key.Key_Space)
    else:
        window.start_stop_action.trigger()
    qtbot.waitUntil(lambda: window.is_running and not window.is_paused, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: shown_result(window).frame_index < 40, timeout=WAIT_MS)
    assert frame_number(shown_result(window).image[:, ::-1]) == shown_result(window).frame_index


@pytest.mark.parametrize("move", ["seek bar drag", "Right"])
def test_a_move_while_a_file_opens_again_to_be_looked_at_is_taken_up(
    qtbot: QtBot, make_window: WindowFactory, clip: Clip, move: str
) -> None:
    # Was: a seek-bar drag (or Right) while the file stopped opened again for Mirror view
    # was dropped: the handle jumped back to the frame looked at, which stayed "Stopped".
    window = stopped_at(qtbot, make_window, clip, 40)
    with thread_held(window.controller.capture_thread):  # the reopen waits behind it
        window.mirror_action.trigger()
        assert window.source_state.starting and window.source_state.looked_at_again
        slider = window.playback_bar.slider
        if move == "Right":
            qtbot.keyClick(window, Qt.Key.Key_Right)
            wanted = 41
        else:  # as a mouse drag does: the handle held down, moved, let go
            slider.setSliderDown(True)
            slider.setValue(70)
            slider.setSliderDown(False)
            qtbot.wait(200)  # the drag's seek is sent (coalesced), the file still opening
            wanted = 70
    assert wait_settled(qtbot, window, wanted) == wanted and slider.value() == wanted
    assert frame_number(shown_result(window).image[:, ::-1]) == wanted
    # The user's now, paused there, as after a seek once it opened: Space plays on from there.
    said = what_the_window_says(window)
    assert (said["Start/Stop"], said["Space"], said["standing"]) == ("Stop", "Play", window._standing_words())
    assert said["standing"].startswith("Paused at")
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not window.is_paused and shown_result(window).frame_index > wanted, timeout=WAIT_MS)


@pytest.mark.parametrize("clip", [".avi"], indirect=True)
@pytest.mark.parametrize("after", ["Stop", "Mirror view after Stop"])
def test_space_while_a_file_opens_paused_at_a_move_plays_on_from_there(
    qtbot: QtBot, make_window: WindowFactory, clip: Clip, after: str
) -> None:
    # Was: Right after Stop (or while the file opened again for Mirror view) opens it paused
    # a frame on, and Space, reading "Play", pressed before it had opened stopped it there
    # instead: "Stopped" on frame 40, the step lost.
    window = stopped_at(qtbot, make_window, clip, 40)
    with thread_held(window.controller.capture_thread):  # the reopen waits behind it
        if after != "Stop":
            window.mirror_action.trigger()
        qtbot.keyClick(window, Qt.Key.Key_Right)
        assert window.source_state.starting and plain(window.play_pause_action.text()) == "Play"
        qtbot.keyClick(window, Qt.Key.Key_Space)
        assert window.source_state.active and plain(window.play_pause_action.text()) == "Pause"
    qtbot.waitUntil(lambda: window.is_running and not window.is_paused, timeout=WAIT_MS)
    assert shown_result(window).frame_index >= 40  # on from the frame stepped to, not from the start
    qtbot.waitUntil(lambda: shown_result(window).frame_index > 41, timeout=WAIT_MS)
    result = shown_result(window)
    picture = result.image[:, ::-1] if window.mirror_action.isChecked() else result.image
    assert frame_number(picture) == result.frame_index


def test_pause_while_a_file_opens_opens_it_paused_at_its_first_frame(
    qtbot: QtBot, make_window: WindowFactory, clip: Clip
) -> None:
    # Was: Space, the action reading "Pause", pressed while a file opened stopped it instead:
    # "Stopped", none of its frames shown. Now it holds still at its first frame once opened,
    # as Space while a file opens paused at a move plays it on once opened.
    window = make_window(video=clip[0])
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    with thread_held(window.controller.capture_thread):  # the open waits behind it
        window.open_video(clip[0])
        assert window.source_state.starting and plain(window.play_pause_action.text()) == "Pause"
        qtbot.keyClick(window, Qt.Key.Key_Space)
        assert window.source_state.active and plain(window.play_pause_action.text()) == "Play"
    assert wait_settled(qtbot, window, 0) == 0
    qtbot.wait(300)  # held still there, not played on
    result = shown_result(window)
    assert window.is_paused and result.frame_index == 0 and frame_number(result.image) == 0
    assert window.source_state.running and plain(window.play_pause_action.text()) == "Play"
    qtbot.keyClick(window, Qt.Key.Key_Space)  # plays on from there, as a paused file does
    qtbot.waitUntil(lambda: shown_result(window).frame_index > 2, timeout=WAIT_MS)


@pytest.mark.parametrize("clip", [".avi"], indirect=True)
@pytest.mark.parametrize("how", ["the session's first open", "Open recent", "a drop"])
def test_space_while_a_file_opens_by_any_way_opens_it_paused(
    qtbot: QtBot, make_window: WindowFactory, clip: Clip, how: str
) -> None:
    # Space stopped a file opening, though it read "Pause" (fixed for an open from the
    # toolbar or menu by a0e9741): checked for the ways a file is opened by name too, the
    # first (named on the command line, opened once the model has loaded) among them.
    if how == "the session's first open":
        window = make_window(video=clip[0], wait_for_model=False)
    else:
        window = make_window(video=clip[0])
        qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
        window.stop()
    with thread_held(window.controller.capture_thread):  # the open waits behind it
        if how == "Open recent":
            next(a for a in window.recent_menu.actions() if a.data() == str(clip[0])).trigger()
        elif how == "a drop":
            dropped = QMimeData()
            dropped.setUrls([QUrl.fromLocalFile(str(clip[0]))])
            window.dropEvent(
                QDropEvent(
                    QPointF(10, 10),
                    Qt.DropAction.CopyAction,
                    dropped,
                    Qt.MouseButton.NoButton,
                    Qt.KeyboardModifier.NoModifier,
                )
            )
        qtbot.waitUntil(lambda: window.source_state.starting, timeout=WAIT_MS)
        assert plain(window.play_pause_action.text()) == "Pause"
        qtbot.keyClick(window, Qt.Key.Key_Space)
        assert window.source_state.active and plain(window.play_pause_action.text()) == "Play"
    assert wait_settled(qtbot, window, 0) == 0
    qtbot.wait(300)  # held still there, not played on
    assert window.is_paused and frame_number(shown_result(window).image) == 0


@pytest.mark.parametrize("clip", [".avi"], indirect=True)
def test_pause_and_resume_called_while_a_file_opens_do_as_space_does(
    qtbot: QtBot, make_window: WindowFactory, clip: Clip
) -> None:
    # Was: MainWindow.pause() (the API scripts call) did nothing while a file opened, where
    # Space, reading "Pause", opens it paused at its first frame; and resume() did nothing
    # while a file opened paused at a move, where Space plays it on from there once opened.
    window = make_window(video=clip[0])
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    with thread_held(window.controller.capture_thread):  # the open waits behind it
        window.open_video(clip[0])
        assert window.source_state.starting and not window.is_paused
        window.pause()
        assert window.is_paused and plain(window.play_pause_action.text()) == "Play"
    assert wait_settled(qtbot, window, 0) == 0
    qtbot.wait(300)  # held still there, not played on
    assert window.is_paused and frame_number(shown_result(window).image) == 0
    stop_and_wait(qtbot, window)
    with thread_held(window.controller.capture_thread):  # the reopen waits behind it
        qtbot.keyClick(window, Qt.Key.Key_Right)  # opens it again paused a frame on
        assert window.source_state.starting and window.is_paused
        window.resume()
        assert not window.is_paused and plain(window.play_pause_action.text()) == "Pause"
    qtbot.waitUntil(lambda: window.is_running and shown_result(window).frame_index > 2, timeout=WAIT_MS)
    assert not window.is_paused


def test_a_pause_report_of_the_file_before_leaves_the_file_opened_next_playing(
    qtbot: QtBot, make_window: WindowFactory, clip: Clip
) -> None:
    # Was: the capture thread's report of a pause (or a move while paused) of the file
    # before, still waiting for a busy window as another file was opened, was taken for the
    # new one's: the window read "Play" (paused) while that file played, and Space did nothing.
    window = make_window(video=clip[0])
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    window.pause()
    capture = window.controller.capture
    deadline = time.monotonic() + WAIT_MS / 1000
    while not capture.paused and time.monotonic() < deadline:  # the GUI thread busy meanwhile
        time.sleep(0.01)
    time.sleep(0.2)  # its report sent, waiting for the window
    window.open_video(clip[0])
    qtbot.waitUntil(lambda: window.source_state.running, timeout=WAIT_MS)
    stream = source_info_of(window).stream_id
    qtbot.waitUntil(
        lambda: shown_result(window).stream_id == stream and shown_result(window).frame_index > 3, timeout=WAIT_MS
    )
    assert not window.is_paused and plain(window.play_pause_action.text()) == "Pause"
    qtbot.keyClick(window, Qt.Key.Key_Space)  # pauses it, as it reads
    assert wait_settled(qtbot, window) > 3


def test_a_late_report_of_a_pause_or_play_asked_before_does_not_undo_the_one_asked_last(
    qtbot: QtBot, make_window: WindowFactory, clip: Clip
) -> None:
    # Was: pause, play and pause asked in a moment (Space thrice, or a dialog's pause and
    # play-on answered at once) read "playing" when the capture thread's report of the play
    # came in, though the pause asked last was on its way: a play-on asked then (a dialog
    # closed) was skipped as not needed, and the file was held still for good.
    window = make_window(video=clip[0])
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    read: list[bool] = []  # what the window reads after each report (its own slot runs first)
    window.controller.playback.connect(lambda _state: read.append(window.is_paused))
    window.pause()
    window.resume()
    window.pause()
    qtbot.waitUntil(lambda: len(read) == 3, timeout=WAIT_MS)
    assert read == [True, True, True] and window.controller.capture.paused
    assert plain(window.play_pause_action.text()) == "Play"


def test_a_dialogs_play_on_after_a_late_report_of_the_one_before_plays_the_file_on(
    qtbot: QtBot, make_window: WindowFactory, clip: Clip
) -> None:
    # Was: two dialogs answered at once (Record to…, then its check's), the capture thread
    # busy: the first one's play-on reported "playing" while the second one's pause was on
    # its way, the second one's play-on was skipped as not needed, and the file stayed paused.
    window = make_window(video=clip[0])
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    reports: list[PlaybackState] = []
    with thread_held(window.controller.capture_thread):  # the pauses and plays wait behind it
        with window.player.paused_for_dialog():
            pass
        play_on = window.player.hold_still()  # the second dialog opens

        def closed_after_the_first_play_on(state: PlaybackState) -> None:
            reports.append(state)
            if len(reports) == 2:  # the first dialog's play-on reported: the second one closes
                play_on()

        window.controller.playback.connect(closed_after_the_first_play_on)
    qtbot.waitUntil(lambda: len(reports) >= 3, timeout=WAIT_MS)  # the second one's pause too
    qtbot.waitUntil(lambda: not window.controller.capture.paused, timeout=WAIT_MS)  # its play-on
    assert not window.is_paused and plain(window.play_pause_action.text()) == "Pause"
    played = shown_result(window).frame_index
    qtbot.waitUntil(lambda: shown_result(window).frame_index > played + 3, timeout=WAIT_MS)


def test_a_file_not_playing_has_one_button_that_plays_it(qtbot: QtBot, make_window: WindowFactory, clip: Clip) -> None:
    # Before, a finished (or stopped) file had "Start" and "Play" side by side in the
    # toolbar: two buttons that did the same thing, playing it again from its start.
    path, _ = clip
    window = make_window(video=path)
    window.seek(130)
    qtbot.waitUntil(lambda: window.source_state.ended, timeout=WAIT_MS)
    start = window.toolbar.widgetForAction(window.start_stop_action)
    play = window.toolbar.widgetForAction(window.play_pause_button_action)
    assert isinstance(start, QToolButton) and isinstance(play, QToolButton)
    window.resize(900, 650)  # a toolbar laid out again re-shows a button merely hidden
    qtbot.wait(50)
    assert start.isVisibleTo(window) and start.text() == "Start" and not play.isVisibleTo(window)
    assert window.play_pause_action.isVisible()  # Space still plays it
    start.click()
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    # Playing, the two differ (Stop lets go of the file, Pause holds the frame): both shown.
    assert start.text() == "Stop" and play.isVisibleTo(window) and play.text() == "Pause"
    start.click()  # stopped: Start alone again (the toolbar hides a button as it lays out)
    qtbot.waitUntil(lambda: not window.source_state.active and not play.isVisibleTo(window), timeout=WAIT_MS)
    assert start.text() == "Start"


def test_a_click_on_the_seek_bar_goes_to_the_point_clicked(
    qtbot: QtBot, make_window: WindowFactory, clip: Clip
) -> None:
    window = open_paused(qtbot, make_window, clip)
    window.seek(0)
    wait_settled(qtbot, window, 0)
    slider = window.playback_bar.slider
    qtbot.mouseClick(slider, Qt.MouseButton.LeftButton, pos=QPoint(slider.width() * 3 // 4, slider.height() // 2))
    target = slider.value()
    assert abs(target - slider.maximum() * 3 / 4) <= slider.maximum() / 20  # not a page step from 0
    wait_settled(qtbot, window, target)
    assert frame_number(shown_result(window).image) == target


def test_home_and_a_seek_on_the_only_frame_of_a_one_frame_video_keep_it_paused(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: "Finished playing one.avi (0 frames)", the file closed (OpenCV reads nothing
    # after seeking back to a one-frame video's only frame).
    frames, _ = astronaut_frames(num_frames=1, frame_size=(160, 120), face_size=60, motion="static")
    window = make_window(video=write_video(tmp_path / "one.avi", frames, fps=15.0))
    qtbot.waitUntil(lambda: window.source_banner.text() == "Finished playing one.avi (1 picture)", timeout=WAIT_MS)
    window.seek(0)  # reopened there, paused
    wait_settled(qtbot, window, 0)
    for move in (window.restart, lambda: window.seek(0), lambda: window.step(-1), lambda: window.step(1)):
        move()
        qtbot.wait(300)
        assert wait_settled(qtbot, window, 0) == 0
        assert window.is_running and window.is_paused and window.source_banner.text() == ""


def test_the_player_keys_watch_the_control_with_the_keyboard_not_every_event(qtbot: QtBot) -> None:
    # Was: a filter on the whole application, so every event of every object (each timer
    # tick, paint and queued signal) ran its Python, a wait for the GIL while a worker
    # runs Python: longer GUI stalls (docs/measurements.md).
    seen: list[QObject | None] = []

    class Watching(PlayerKeys):
        def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
            seen.append(watched)
            return super().eventFilter(watched, event)

    window = QWidget()
    slider, other, label = QSlider(Qt.Orientation.Horizontal, window), QSlider(window), QLabel("x", window)
    layout = QVBoxLayout(window)
    for widget in (slider, other, label):
        layout.addWidget(widget)
    slider.setRange(0, 10)
    step = QAction("Step", window)
    step.setShortcut(QKeySequence(Qt.Key.Key_Right))
    window.addAction(step)
    stepped: list[bool] = []
    step.triggered.connect(lambda: stepped.append(True))
    qtbot.addWidget(window)
    Watching(window, [step])
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    slider.setFocus()
    qtbot.waitUntil(slider.hasFocus, timeout=WAIT_MS)

    # The key reaches the action, not the focused slider.
    qtbot.keyClick(slider, Qt.Key.Key_Right)
    assert stepped == [True] and slider.value() == 0
    # Other widgets' events never reach the filter.
    seen.clear()
    QApplication.sendEvent(label, QEvent(QEvent.Type.User))
    QApplication.sendEvent(other, QEvent(QEvent.Type.User))
    assert label not in seen and other not in seen
    # The keyboard moves on: so does the watch.
    other.setFocus()
    qtbot.waitUntil(other.hasFocus, timeout=WAIT_MS)
    qtbot.keyClick(other, Qt.Key.Key_Right)
    assert stepped == [True, True] and other.value() == 0
    seen.clear()
    QApplication.sendEvent(slider, QEvent(QEvent.Type.User))
    assert slider not in seen


@pytest.mark.parametrize("cameras", [[], [CameraDevice("Desk camera", 7)]], ids=["no camera", "a camera listed"])
def test_space_before_the_model_has_loaded_plays_the_file_named_on_the_command_line(
    qtbot: QtBot,
    make_window: WindowFactory,
    gui_video: VideoTruth,
    cameras: list[CameraDevice],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Was: the file named on the command line is asked for only once the model has loaded;
    # Space (or Start) before then knew of no source, and opened the "Open video" dialog,
    # or started the first camera listed in the file's place.
    loaded = threading.Event()

    def held_load(path: Path | None) -> PipelineBundle:
        loaded.wait(WAIT_MS / 1000)
        return load_eager_pipeline(path)

    window = make_window(video=gui_video.path, wait_for_model=False, pipeline_loader=held_load, devices=cameras)
    asked: list[str] = []

    def ask_open_path(title: str, folder: str, filters: str) -> str:
        asked.append(title)
        return ""  # cancelled

    monkeypatch.setattr(window, "ask_open_path", ask_open_path)
    try:
        assert window.model_status is None
        window.activateWindow()  # for the key to reach the window's shortcuts
        qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
        qtbot.keyClick(window, Qt.Key.Key_Space)
        assert asked == [] and window.model_status is None
    finally:
        loaded.set()
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    assert window.source_state.spec == VideoFileSpec(gui_video.path) and window.source_state.active
    assert asked == []


@pytest.mark.parametrize("remembered", ["a camera", "a network camera"])
def test_space_before_the_model_has_loaded_starts_the_camera_chosen_last(
    qtbot: QtBot, make_window: WindowFactory, settings_path: Path, remembered: str
) -> None:
    # Was: with nothing named on the command line, Space (or Start) before the model had
    # loaded started the first camera listed, in place of the camera chosen last time.
    from emotion_app.gui.settings import AppSettings
    from emotion_app.sources.frame_source import FrameSource, SourceOpenError
    from emotion_app.sources.specs import CameraSpec, SourceSpec

    settings = AppSettings.at_path(settings_path)
    url = "http://127.0.0.1:9/video"
    if remembered == "a camera":
        settings.remember_camera("Desk camera", 7)
    else:
        settings.remember_network_camera(url)
    loaded = threading.Event()

    def held_load(path: Path | None) -> PipelineBundle:
        loaded.wait(WAIT_MS / 1000)
        return load_eager_pipeline(path)

    asked: list[SourceSpec] = []

    def no_camera_here(spec: SourceSpec) -> FrameSource:
        asked.append(spec)
        raise SourceOpenError(f"Could not open {spec.describe()}: not plugged in")

    cameras = [CameraDevice("Other camera", 3), CameraDevice("Desk camera", 7)]
    window = make_window(
        wait_for_model=False, pipeline_loader=held_load, devices=cameras, source_factory=no_camera_here
    )
    try:
        assert window.model_status is None
        with qtbot.waitActive(window):  # for the key to reach the window's shortcuts
            window.activateWindow()
        qtbot.keyClick(window, Qt.Key.Key_Space)
        assert window.model_status is None
    finally:
        loaded.set()
    qtbot.waitUntil(lambda: bool(asked), timeout=WAIT_MS)
    want = CameraSpec(7, "Desk camera") if remembered == "a camera" else CameraSpec(-1, url=url)
    cameras_asked = [spec for spec in asked if isinstance(spec, CameraSpec)]
    assert cameras_asked == asked and [(spec.index, spec.url) for spec in cameras_asked] == [(want.index, want.url)]


def test_the_status_line_says_what_the_view_says_until_a_first_frame_shows(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: while the model loaded (the view: "Loading the emotion model…") the status line
    # read "Stopped"; then, the file opened but its first frame not yet looked at (the view:
    # "Opening …"; the real group photo took a second), "Playing · no faces", five faces
    # before any was looked for.
    frames, _ = astronaut_frames(num_frames=20, frame_size=(160, 120), face_size=60, motion="static")
    video = write_video(tmp_path / "clip.avi", frames, fps=15.0)
    loading = threading.Event()

    def slow_loader(weights: Path | None) -> PipelineBundle:
        assert loading.wait(WAIT_MS / 1000)
        return load_eager_pipeline(weights)

    window = make_window(video=video, wait_for_model=False, pipeline_loader=slow_loader)
    assert window.view.placeholder == "Loading the emotion model…"
    # From the window's first moment, not only at the status line's first refresh (its
    # label read "Stopped" for half a second).
    assert window.status.summary_label.text() == "Loading the emotion model…"
    assert window.status_summary(0.0) == "Loading the emotion model…"
    # Held once the model is in: its thread waits for the load, then takes the hold, and
    # no frame is looked at while the file opens and plays.
    hold = ThreadHold(window.controller.inference_thread)
    hold.hold.emit()
    try:
        loading.set()
        assert hold.busy.wait(WAIT_MS / 1000)
        qtbot.waitUntil(lambda: window.source_state.running, timeout=WAIT_MS)
        qtbot.wait(300)
        assert window.view.result is None and window.view.placeholder.startswith("Opening ")
        assert window.status_summary(0.0) == "Opening…"
    finally:
        hold.release.set()
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    assert window.status_summary(0.0).split(" · ")[0] in ("Playing", "Finished")


def test_right_while_a_file_plays_from_its_open_moves_5_s_on(
    qtbot: QtBot, make_window: WindowFactory, clip: Clip
) -> None:
    # Was: until the file had once been paused or moved (no position report yet), a step
    # while playing took the fallback 30 fps for the file's rate: Right moved 150 frames
    # (this 15 fps clip to its end, a slide show of 2 s a picture 5 minutes on), not 5 s.
    path, _ = clip
    window = make_window(video=path)
    qtbot.waitUntil(lambda: window.view.result is not None and window.source_state.playing, timeout=WAIT_MS)
    fps = window.source_state.info.fps if window.source_state.info is not None else 0.0
    assert fps > 0
    from_frame = window.playback_bar.position  # what the step moves from
    window.step_forward_action.trigger()
    window.pause()  # where the step landed, held still
    landed = wait_settled(qtbot, window)
    assert frame_number(shown_result(window).image) == landed
    step = round(5.0 * fps)
    # Played on a little after the step (the GUI hears of frames late), never 150 frames on.
    assert from_frame + step <= landed <= from_frame + step + fps, (from_frame, landed, fps)
    assert not window.source_state.ended


def test_left_and_right_while_a_slide_show_plays_move_a_picture(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: a step while playing went round(5 s x 0.5 fps) = 2 places, a picture skipped
    # unseen, while Help said "5 s" (it was 4 s). A slide show's viewer moves a picture.
    frames, _ = astronaut_frames(num_frames=6, frame_size=(160, 120), face_size=60, motion="static")
    folder = tmp_path / "show"
    folder.mkdir()
    for index, frame in enumerate(frames):
        Image.fromarray(frame[:, :, ::-1]).save(folder / f"shot{index}.png")
    window = make_window(video=folder)
    qtbot.waitUntil(lambda: window.view.result is not None and window.source_state.playing, timeout=WAIT_MS)
    info = source_info_of(window)
    assert info.slide_show and info.frame_count == 6
    for action, direction in ((window.step_forward_action, 1), (window.step_back_action, -1)):
        if direction < 0:
            window.resume()  # played on: its pause's report told, not the one wait_settled saw
            qtbot.waitUntil(lambda: not playback_of(window).paused, timeout=WAIT_MS)
        from_picture = shown_result(window).frame_index  # what the step moves from
        action.trigger()
        window.pause()  # where the step landed, held still (the next picture is 2 s off)
        assert wait_settled(qtbot, window) == from_picture + direction, (action.text(), from_picture)
        assert not window.source_state.ended
