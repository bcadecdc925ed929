"""What a screen reader hears: every control a user reaches has an accessible name, and the
video view's description says what it shows, in words, without being rewritten on frames
where nothing changed (real windows, real pipeline, real results; offscreen)."""

from __future__ import annotations

import dataclasses
import itertools
import time
from pathlib import Path

from PyQt6 import sip
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QFont
from PyQt6.QtWidgets import QAbstractButton, QLabel, QStyle, QStyleOptionSlider, QWidget
from pytestqt.qtbot import QtBot

from emotion_app.gui.camera_picker import CameraDevice
from emotion_app.gui.main_window import MainWindow
from emotion_app.gui.messages import InferenceResult, SourceInfo
from emotion_app.gui.paced_description import SETTLE_S
from emotion_app.gui.playback_bar import TIME_CHANGE_INTERVAL_S, PlaybackBar, format_time
from emotion_app.gui.spoken_view import MIN_CHANGE_INTERVAL_S, faces_in_words
from emotion_app.gui.timeline_panel import ROW_CHANGE_INTERVAL_S, TimelinePanel, TimelineView
from emotion_app.gui.video_view import VideoView
from emotion_app.results import FaceResult
from emotion_app.samples import SIX_LABELS, VideoTruth, write_astronaut_video
from emotion_app.sources.specs import VideoFileSpec
from emotion_app.timeline import SessionTimeline
from tests.gui_support import (
    WAIT_MS,
    WindowFactory,
    pause_on_shown_frame,
    play_looping,
    shown_result,
    wait_for_face_result,
)

# The view tells a change while frames play at most once a second: a test waits longer.
_TOLD_MS = 3_000
# Wide enough for the whole toolbar: a narrow window puts its end in the overflow menu.
_WIDE = (1400, 800)


def _reached_by_tab(window: MainWindow) -> list[QWidget]:
    """The window's controls Tab visits, in its order, from the video on."""
    reached: list[QWidget] = []
    widget: QWidget | None = window.view
    for _ in range(500):
        assert widget is not None
        widget = widget.nextInFocusChain()
        if widget is window.view or widget is None:
            break
        if (
            widget.window() is window
            and widget.isVisible()
            and widget.isEnabled()
            and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
        ):
            reached.append(widget)
    return [window.view, *reached]


def _spoken_name(widget: QWidget) -> str:
    """What a reader calls the control: its accessible name, else a button's own text."""
    if widget.accessibleName():
        return widget.accessibleName()
    text = widget.text() if isinstance(widget, QAbstractButton) else ""
    return text if any(character.isalnum() for character in text) else ""


def test_every_control_tab_reaches_has_a_name(qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth) -> None:
    window = make_window(video=gui_video.path, size=_WIDE, devices=[CameraDevice("Desk camera", 0)])
    window.timeline_panel.show()
    wait_for_face_result(qtbot, window)
    window.notice_banner.show_message("Saved snapshot a.png", "info", [("Open folder", lambda: None)])
    reached = _reached_by_tab(window)
    assert {
        window.view,
        window.playback_bar.slider,
        window.timeline_panel.view,
        window.picker,
        window.steadiness_box,
    } <= set(reached)
    assert [widget for widget in reached if not _spoken_name(widget)] == []
    # Names say what a control is, not how it looks: the banner's "✕" is a dismiss button.
    assert window.view.accessibleName() == "Video"
    assert window.playback_bar.slider.accessibleName() == "Seek bar"
    assert window.timeline_panel.accessibleName() == "Session timeline"
    assert window.picker.accessibleName() == "Camera"
    assert window.steadiness_box.accessibleName() == "Steadiness"
    assert window.status.accessibleName() == "Status bar"
    assert "Dismiss message" in [_spoken_name(widget) for widget in reached]


def test_the_toolbars_lists_are_labelled_by_the_labels_beside_them(qtbot: QtBot, make_window: WindowFactory) -> None:
    # On Linux, Qt names a combo box by the item chosen: over AT-SPI Steadiness read
    # "Medium, combo box" (its accessible name unused), and with no label relation a reader
    # could not say what it sets. Each label is its list's buddy: Qt relates them.
    window = make_window()
    toolbar_labels = {label.buddy(): label.text() for label in window.findChildren(QLabel) if label.buddy() is not None}
    assert toolbar_labels[window.steadiness_box] == "Steadiness"
    assert toolbar_labels[window.picker] == "Camera"


def test_the_toolbars_labels_are_named_without_the_spaces_that_set_them_apart(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    # Was: " Camera " and "  Steadiness ", spaces padding them in the toolbar, so those spaces
    # were in the name a reader was given for each label (Qt's accessible interface names a
    # QLabel by its text where no accessible name is set) and, on Windows, for its list.
    window = make_window()
    labels = {label.buddy(): label for label in window.toolbar.findChildren(QLabel) if label.buddy() is not None}
    names = {buddy: label.accessibleName() or label.text() for buddy, label in labels.items()}
    assert names == {window.picker: "Camera", window.steadiness_box: "Steadiness"}
    # Set apart from the control before each as far as the spaces did, by margins.
    for label, padded in ((labels[window.picker], " Camera "), (labels[window.steadiness_box], "  Steadiness ")):
        spaced = QLabel(padded)
        spaced.setFont(label.font())
        assert abs(label.sizeHint().width() - spaced.sizeHint().width()) <= 1, (label.text(), padded)


def test_the_toolbars_labels_keep_their_spaces_width_when_the_font_grows(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    # Was: the margins were a space wide in the font the label had when made, so a larger
    # text size chosen while the app runs (the system's font, which Qt passes on) grew the
    # label's text but left it crowding the control before it, as spaces in its text never did.
    window = make_window()
    labels = {label.buddy(): label for label in window.toolbar.findChildren(QLabel) if label.buddy() is not None}
    larger = QFont(window.font())
    larger.setPointSizeF(larger.pointSizeF() * 3)
    window.setFont(larger)  # passed on to the labels, as the application's font is
    for label, padded in ((labels[window.picker], " Camera "), (labels[window.steadiness_box], "  Steadiness ")):
        assert label.font().pointSizeF() == larger.pointSizeF()
        spaced = QLabel(padded)
        spaced.setFont(label.font())
        assert abs(label.sizeHint().width() - spaced.sizeHint().width()) <= 1, (label.text(), padded)


def test_tab_goes_through_the_window_top_to_bottom(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # The toolbar's controls, the video, its seek bar, then the timeline docked below it.
    window = make_window(video=gui_video.path, size=_WIDE, devices=[CameraDevice("Desk camera", 0)])
    window.timeline_panel.show()
    wait_for_face_result(qtbot, window)
    reached = _reached_by_tab(window)
    order = [
        window.view,
        window.playback_bar.slider,
        window.timeline_panel.view,
        window.timeline_panel.clear_button,
        window.picker,
        window.steadiness_box,
    ]
    places = [reached.index(widget) for widget in order]
    assert places == sorted(places)


def test_the_view_says_which_face_it_shows_and_when_it_has_gone(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Frames 12 to 17 are blank: the face has left the picture there.
    video = write_astronaut_video(tmp_path / "leaves.avi", num_frames=30, face_size=80, blank_frames=range(12, 18))
    window = make_window(video=video.path)
    play_looping(window, video.path)
    wait_for_face_result(qtbot, window)
    result = pause_on_shown_frame(qtbot, window)
    if not result.faces:  # paused on a blank frame: step back to one with the face
        window.seek(5)
        qtbot.waitUntil(lambda: shown_result(window).frame_index == 5, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: bool(shown_result(window).faces), timeout=WAIT_MS)
        result = shown_result(window)
    face = result.faces[0]
    assert face.label in result.labels  # a label the model's results carry, not one of the app's
    spoken = f"#{face.track_id} {face.label}" + (" (uncertain)" if face.uncertain else "")
    qtbot.waitUntil(lambda: spoken in window.view.accessibleDescription(), timeout=_TOLD_MS)
    assert window.view.accessibleDescription().startswith("Paused at 0:")
    # A name given shows in the tag, and in what the reader hears.
    window.timeline_panel.ask_name = lambda _track_id, _current: "Anna"
    window.timeline_panel.name_person(face.track_id)
    named = f"#{face.track_id} Anna {face.label}"
    qtbot.waitUntil(lambda: named in window.view.accessibleDescription(), timeout=_TOLD_MS)
    window.seek(14)
    qtbot.waitUntil(lambda: shown_result(window).frame_index == 14, timeout=WAIT_MS)
    assert shown_result(window).faces == ()
    qtbot.waitUntil(lambda: window.view.accessibleDescription().endswith("No face"), timeout=_TOLD_MS)


def test_frames_alike_do_not_rewrite_the_description(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    view, result, renamed = _view_and_flickering(qtbot, make_window, gui_video)
    view.set_result(result)
    qtbot.waitUntil(lambda: view.spoken.changes == 1, timeout=_TOLD_MS)
    told = view.accessibleDescription()
    assert told.startswith("1 face: #") or told.startswith(f"{len(result.faces)} faces: #")
    for index in range(60):  # two seconds of frames at 30 fps, the same faces on each
        view.set_result(dataclasses.replace(result, frame_index=result.frame_index + index))
    qtbot.wait(1_500)
    assert view.spoken.changes == 1 and view.accessibleDescription() == told
    # Labels flickering faster than a reader can speak: told at most once a second, the newest.
    for index in range(40):
        view.set_result(renamed if index % 2 else result)
    qtbot.waitUntil(lambda: "Ada" in view.accessibleDescription(), timeout=_TOLD_MS)
    qtbot.wait(1_500)
    assert view.spoken.changes == 2
    view.clear("No video")
    qtbot.waitUntil(lambda: view.accessibleDescription() == "No video", timeout=_TOLD_MS)


def test_the_timeline_row_the_keyboard_is_on_is_described(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    window = make_window(video=gui_video.path)
    window.timeline_panel.show()
    result = wait_for_face_result(qtbot, window)
    rows = window.timeline_panel.view
    # Someone with time in an emotion (a row's first second counts once it is over).
    qtbot.waitUntil(lambda: any(person.total_s > 0 for person in rows.timeline.people()), timeout=WAIT_MS)
    window.activateWindow()
    rows.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: rows.accessibleDescription().startswith("Row 1 of "), timeout=WAIT_MS)
    qtbot.keyClick(rows, Qt.Key.Key_Down)
    track_id = rows.chosen_person()
    assert f"#{track_id}" in rows.accessibleDescription()
    assert any(label in rows.accessibleDescription() for label in result.labels)


def _told_times(view: QWidget) -> list[float]:
    """The ``time.monotonic()`` of each description the view sets from now on (its own
    setter, watched: what a reader hears is each of these)."""
    told: list[float] = []
    set_description = view.setAccessibleDescription

    def watched(text: str | None) -> None:
        told.append(time.monotonic())
        set_description(text)

    # A spy on this widget's own setter: mypy compares it with the unbound method, self and all.
    view.setAccessibleDescription = watched  # type: ignore[method-assign,assignment]
    return told


def _view_and_flickering(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> tuple[VideoView, InferenceResult, InferenceResult]:
    """A video view of its own (the window's frames do not reach it), and a real result of
    the window's with the same frame's faces named "Ada": told apart in words."""
    window = make_window(video=gui_video.path)
    result = wait_for_face_result(qtbot, window)
    view = VideoView()
    qtbot.addWidget(view)
    named = tuple(dataclasses.replace(face, name="Ada") for face in result.faces)
    return view, result, dataclasses.replace(result, faces=named)


def _told_then_quiet(qtbot: QtBot, view: VideoView) -> None:
    """Wait for the view's first description, then past the pace: the next change is the
    first in its second."""
    qtbot.waitUntil(lambda: view.spoken.changes == 1, timeout=_TOLD_MS)
    qtbot.wait(1_100)


def _assert_paced(told: list[float], interval_s: float) -> None:
    """At least two descriptions set, none closer than ``interval_s`` to the one before."""
    gaps = [later - earlier for earlier, later in itertools.pairwise(told)]
    assert len(told) >= 2 and min(gaps) >= interval_s, gaps


def test_frames_playing_change_the_description_at_most_once_a_second(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Labels changing on every other frame for three seconds, told as they come.
    view, plain, named = _view_and_flickering(qtbot, make_window, gui_video)
    told = _told_times(view)
    for index in range(90):
        view.set_result(named if index % 2 else plain)
        qtbot.wait(33)
    qtbot.waitUntil(lambda: "Ada" in view.accessibleDescription(), timeout=_TOLD_MS)
    _assert_paced(told, MIN_CHANGE_INTERVAL_S)


def test_a_held_step_key_does_not_flood_the_reader(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Right held while paused: a step's frame and its place a few times a second, every
    # one a change the user made. The first is told at once, the rest at most once a second.
    view, plain, named = _view_and_flickering(qtbot, make_window, gui_video)
    view.set_standing("Paused at 0:01")
    view.set_result(plain)
    _told_then_quiet(qtbot, view)
    told = _told_times(view)
    for step in range(20):
        view.set_result(named if step % 2 == 0 else plain)
        view.set_standing(f"Paused at 0:0{2 + step // 10}")
        qtbot.wait(150)
    qtbot.waitUntil(lambda: view.accessibleDescription() == f"Paused at 0:03. {faces_in_words(plain.faces)}")
    _assert_paced(told, MIN_CHANGE_INTERVAL_S)


def test_a_step_after_a_quiet_moment_is_told_at_once(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    view, plain, named = _view_and_flickering(qtbot, make_window, gui_video)
    view.set_result(plain)
    _told_then_quiet(qtbot, view)
    told = _told_times(view)
    view.set_result(named)  # a frame playing, its change told
    qtbot.waitUntil(lambda: "Ada" in view.accessibleDescription(), timeout=_TOLD_MS)
    # Space at once after it: the pause is the user's first change.
    view.set_standing("Paused at 0:02")
    view.set_result(plain)
    # Due after the short settling wait, not a second after the frame's change: the user
    # is not kept waiting. (Asked of the timer, not timed: a loaded machine runs late.)
    due = view.spoken.due_in_ms()
    assert due is not None and due <= SETTLE_S * 1000 < MIN_CHANGE_INTERVAL_S * 1000 / 2
    qtbot.waitUntil(lambda: view.accessibleDescription().startswith("Paused at 0:02. "), timeout=_TOLD_MS)
    assert "Ada" not in view.accessibleDescription() and len(told) == 2


def test_a_view_gone_with_words_waiting_is_left_alone(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    window = make_window(video=gui_video.path)
    result = wait_for_face_result(qtbot, window)
    view = VideoView()
    view.set_result(result)  # its words wait to be told
    spoken = view.spoken
    view.deleteLater()
    qtbot.waitUntil(lambda: sip.isdeleted(spoken), timeout=_TOLD_MS)
    qtbot.wait(300)  # past the wait: a timer left behind would fire on a deleted view


def _timeline_with_the_keyboard(qtbot: QtBot, result: InferenceResult) -> TimelinePanel:
    """A session timeline of its own (the window's frames do not reach it), shown, its rows
    holding the keyboard, the person of ``result`` seen for a moment."""
    panel = TimelinePanel(result.labels)
    qtbot.addWidget(panel)
    panel.add(dataclasses.replace(result, source_time=0.0))
    panel.resize(700, 200)
    panel.show()
    qtbot.waitExposed(panel)
    panel.activateWindow()
    qtbot.waitUntil(panel.isActiveWindow, timeout=WAIT_MS)
    panel.view.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: panel.view.accessibleDescription().startswith("Row 1 of 1: "), timeout=WAIT_MS)
    return panel


def _labelled(result: InferenceResult, label: str, source_time: float) -> InferenceResult:
    faces = tuple(dataclasses.replace(face, label=label, uncertain=False) for face in result.faces)
    return dataclasses.replace(result, faces=faces, source_time=source_time)


def test_the_timeline_row_the_keyboard_is_on_follows_the_time_played_without_flooding(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Before, the row was told only as the keyboard came or moved: as the video played on,
    # a reader asking heard the shares of that moment, long gone.
    window = make_window(video=gui_video.path)
    result = wait_for_face_result(qtbot, window)
    first, then = result.labels[0], result.labels[1]
    panel = _timeline_with_the_keyboard(qtbot, _labelled(result, first, 0.0))
    rows = panel.view
    told = _told_times(rows)
    # Five seconds of frames at 15 fps, shown as they come: one emotion, then another, so
    # the shares move with nearly every frame.
    for index in range(1, 76):
        panel.add(_labelled(result, first if index < 30 else then, index / 15))
        qtbot.wait(66)
    now = rows.row_in_words(rows.chosen_person())
    assert f"{then} " in now  # the second emotion has its share now
    qtbot.waitUntil(lambda: rows.accessibleDescription() == now, timeout=int(ROW_CHANGE_INTERVAL_S * 1000) + 1_000)
    _assert_paced(told, ROW_CHANGE_INTERVAL_S)


def test_clear_and_a_name_given_are_told_at_once(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    window = make_window(video=gui_video.path)
    result = wait_for_face_result(qtbot, window)
    panel = _timeline_with_the_keyboard(qtbot, result)
    panel.add(dataclasses.replace(result, source_time=1.0))
    rows = panel.view
    track_id = rows.chosen_person()
    assert track_id is not None
    panel.ask_name = lambda _track_id, _current: "Ada"
    panel.name_person(track_id)
    assert rows.accessibleDescription().startswith(f"Row 1 of 1: Ada (#{track_id}), ")
    panel.clear()  # no frame on screen: no one keeps a row
    assert rows.accessibleDescription() == "No faces yet"


def test_the_timeline_row_is_not_told_once_the_keyboard_has_left_it(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # The row's new words waited for the pace when Tab took the keyboard away; they were set
    # even so, up to 3 s later: an event for rows no one is on, work with the rows unfocused.
    window = make_window(video=gui_video.path)
    result = wait_for_face_result(qtbot, window)
    first, then = result.labels[0], result.labels[1]
    panel = _timeline_with_the_keyboard(qtbot, _labelled(result, first, 0.0))
    rows = panel.view
    for index in range(1, 20):  # a little over a second of another emotion: its share grows
        panel.add(_labelled(result, then, index / 15))
        qtbot.wait(66)
    qtbot.wait(600)  # a repaint tick with the rows focused: the new words wait for the pace
    waiting = rows.row_in_words(rows.chosen_person())
    assert rows.hasFocus() and waiting != rows.accessibleDescription()
    told = _told_times(rows)
    panel.clear_button.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: not rows.hasFocus(), timeout=WAIT_MS)
    qtbot.wait(int(ROW_CHANGE_INTERVAL_S * 1000) + 500)
    assert told == []
    rows.setFocus(Qt.FocusReason.TabFocusReason)  # back: the row as it is now, at once
    qtbot.waitUntil(lambda: rows.accessibleDescription() == waiting, timeout=WAIT_MS)


def _with_the_keyboard(qtbot: QtBot, widget: QWidget) -> None:
    """Give ``widget`` (shown, in a window of its own or the window's) the keyboard."""
    window = widget.window()
    assert window is not None
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(widget.hasFocus, timeout=WAIT_MS)


def _paused_with_the_keyboard_on_the_seek_bar(qtbot: QtBot, window: MainWindow, video: Path) -> InferenceResult:
    """``window`` playing ``video`` in a loop, paused on a frame with its faces shown, the
    seek bar given the keyboard: that frame's results."""
    play_looping(window, video)
    wait_for_face_result(qtbot, window)
    paused = pause_on_shown_frame(qtbot, window)
    _with_the_keyboard(qtbot, window.playback_bar.slider)
    return paused


def test_the_seek_bar_is_read_as_a_time_of_the_length(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was read as the frame number, Qt's value text for a slider; and described by its keys.
    window = make_window(video=gui_video.path)
    assert format_time(gui_video.num_frames / gui_video.fps) == "0:02"
    paused = _paused_with_the_keyboard_on_the_seek_bar(qtbot, window, gui_video.path)
    slider = window.playback_bar.slider
    qtbot.waitUntil(
        lambda: slider.accessibleDescription() == f"{format_time(paused.frame_index / gui_video.fps)} of 0:02",
        timeout=_TOLD_MS,
    )
    window.seek(3)  # 0.2 s in
    qtbot.waitUntil(lambda: slider.accessibleDescription() == "0:00 of 0:02", timeout=_TOLD_MS)
    qtbot.keyClick(slider, Qt.Key.Key_End)  # the slider's own key: its last frame, 1.93 s in
    qtbot.waitUntil(lambda: shown_result(window).frame_index == gui_video.num_frames - 1, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: slider.accessibleDescription() == "0:01 of 0:02", timeout=_TOLD_MS)


def test_the_seek_bar_says_its_time_once_a_second_not_once_a_frame(qtbot: QtBot) -> None:
    bar = PlaybackBar()
    qtbot.addWidget(bar)
    bar.set_source(SourceInfo(VideoFileSpec(Path("talk.mp4")), 1, 320, 240, fps=30.0, frame_count=2_700))
    bar.show()
    qtbot.waitExposed(bar)
    _with_the_keyboard(qtbot, bar.slider)
    assert bar.slider.accessibleDescription() == "0:00 of 1:30"  # told at once as the keyboard comes
    texts_set: list[str] = []
    set_text = bar.position_label.setText

    def watched(text: str | None) -> None:
        texts_set.append(text or "")
        set_text(text)

    # A spy on this label's own setter: mypy compares it with the unbound method, self and all.
    bar.position_label.setText = watched  # type: ignore[method-assign,assignment]
    for frame in range(90):  # three seconds of frames, as fast as they come
        bar.show_position(frame)
    # The words are made as the second changes, not on every frame; told once, the newest.
    assert texts_set == ["0:01", "0:02"]
    qtbot.waitUntil(lambda: bar.slider.accessibleDescription() == "0:02 of 1:30", timeout=_TOLD_MS)
    qtbot.wait(int(TIME_CHANGE_INTERVAL_S * 1000) + 200)
    assert bar.slider.spoken.changes == 2
    # Nothing is told while the keyboard is elsewhere; the time as it is now when it is back.
    bar.slider.clearFocus()
    qtbot.waitUntil(lambda: not bar.slider.hasFocus(), timeout=WAIT_MS)
    bar.show_position(150)
    qtbot.wait(int(TIME_CHANGE_INTERVAL_S * 1000) + 200)
    assert bar.slider.accessibleDescription() == "0:02 of 1:30"
    _with_the_keyboard(qtbot, bar.slider)
    assert bar.slider.accessibleDescription() == "0:05 of 1:30"


def test_a_file_playing_moves_the_seek_bar_with_the_keyboard_once_a_second(qtbot: QtBot) -> None:
    # Qt tells a reader of every value a slider is set to, as a number: over AT-SPI the
    # focused seek bar sent a value change on every frame (24 a second), each spoken over
    # the last. With the keyboard on it, the handle moves at most once a second, to the newest.
    bar = PlaybackBar()
    qtbot.addWidget(bar)
    bar.set_source(SourceInfo(VideoFileSpec(Path("talk.mp4")), 1, 320, 240, fps=30.0, frame_count=2_700))
    bar.show()
    qtbot.waitExposed(bar)
    _with_the_keyboard(qtbot, bar.slider)
    values_set: list[int] = []
    set_value = bar.slider.setValue

    def watched(value: int) -> None:
        values_set.append(value)
        set_value(value)

    # A spy on this slider's own setter: mypy compares it with the unbound method, self and all.
    bar.slider.setValue = watched  # type: ignore[method-assign,assignment]
    for frame in range(90):  # three seconds of frames, as fast as they come
        bar.show_position(frame, playing_on=True)
    qtbot.waitUntil(lambda: bar.slider.value() == 89, timeout=_TOLD_MS)
    assert values_set == [89]
    for frame in range(90, 101):  # the next frames, under a second later: the newest, once
        bar.show_position(frame, playing_on=True)
    qtbot.waitUntil(lambda: bar.slider.value() == 100, timeout=_TOLD_MS)
    qtbot.wait(int(TIME_CHANGE_INTERVAL_S * 1000) + 200)
    assert values_set == [89, 100]
    # The keyboard elsewhere: the handle follows every frame, as it always has.
    bar.slider.clearFocus()
    qtbot.waitUntil(lambda: not bar.slider.hasFocus(), timeout=WAIT_MS)
    for frame in range(101, 111):
        bar.show_position(frame, playing_on=True)
    assert values_set == [89, 100, *range(101, 111)] and bar.position == 110


def test_a_step_or_home_moves_the_focused_seek_bar_at_once(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # The handle's pace is for a file playing on by itself: a paused user's steps (and
    # Home) with the keyboard on the seek bar each waited up to a second, the handle a
    # frame or more behind the frame shown and the time beside it.
    window = make_window(video=gui_video.path)
    paused = _paused_with_the_keyboard_on_the_seek_bar(qtbot, window, gui_video.path)
    slider = window.playback_bar.slider
    direction = Qt.Key.Key_Right if paused.frame_index < gui_video.num_frames // 2 else Qt.Key.Key_Left
    shown = paused.frame_index
    for _ in range(3):  # one after another, well within a second
        qtbot.keyClick(slider, direction)

        def moved_on(before: int = shown) -> bool:
            return shown_result(window).frame_index != before

        qtbot.waitUntil(moved_on, timeout=WAIT_MS)
        shown = shown_result(window).frame_index
        assert slider.value() == shown  # set with the frame shown, not a second later
    qtbot.keyClick(slider, Qt.Key.Key_Home)
    qtbot.waitUntil(lambda: shown_result(window).frame_index == 0, timeout=WAIT_MS)
    assert slider.value() == 0


def test_a_paced_handle_does_not_move_under_the_users_mouse(qtbot: QtBot) -> None:
    # A frame's place waiting for the pace moved the handle while the user held it down
    # (pressed, not yet dragged): the handle jumped from under the mouse.
    bar = PlaybackBar()
    qtbot.addWidget(bar)
    bar.set_source(SourceInfo(VideoFileSpec(Path("talk.mp4")), 1, 320, 240, fps=30.0, frame_count=2_700))
    bar.resize(600, 40)
    bar.show()
    qtbot.waitExposed(bar)
    _with_the_keyboard(qtbot, bar.slider)
    bar.show_position(1_000, playing_on=True)  # the first: the pace allows it at once
    qtbot.waitUntil(lambda: bar.slider.value() == 1_000, timeout=_TOLD_MS)
    bar.show_position(1_020, playing_on=True)  # waits for the pace
    option = QStyleOptionSlider()
    bar.slider.initStyleOption(option)
    style = bar.slider.style()
    assert style is not None
    handle = style.subControlRect(
        QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, bar.slider
    )
    qtbot.mousePress(bar.slider, Qt.MouseButton.LeftButton, pos=handle.center())
    assert bar.slider.isSliderDown()
    qtbot.wait(int(TIME_CHANGE_INTERVAL_S * 1000) + 200)
    assert bar.slider.value() == 1_000
    qtbot.mouseRelease(bar.slider, Qt.MouseButton.LeftButton, pos=handle.center())


def test_a_timeline_rows_shares_in_words_add_up_to_100(qtbot: QtBot) -> None:
    # 41, 32 and 8 seconds of 81: each rounded alone, "happy 51%, sad 40%, neutral 10%".
    timeline = SessionTimeline(SIX_LABELS)
    for label, seconds in (("happy", 41), ("sad", 32), ("neutral", 8)):
        for _ in range(seconds):  # stills of no time of their own: a step of 1 s each
            timeline.add(None, [FaceResult((10, 10, 50, 50), 1, label, 0.9, (0.02, 0.02, 0.9, 0.02, 0.02, 0.02))])
    rows = TimelineView(timeline)
    qtbot.addWidget(rows)
    rows.resize(700, 200)
    assert rows.row_in_words(1) == "Row 1 of 1: #1, happy 51%, sad 39%, neutral 10%"


def test_a_timeline_rows_emotion_of_a_moment_is_told_and_the_rest_not_as_all(qtbot: QtBot) -> None:
    # 249 seconds happy and 1 sad were told "happy 100%": the sad second went unsaid, as
    # if the person had never looked sad.
    timeline = SessionTimeline(SIX_LABELS)
    for index in range(250):  # stills of no time of their own: a step of 1 s each
        label = "sad" if index == 100 else "happy"
        timeline.add(None, [FaceResult((10, 10, 50, 50), 1, label, 0.9, (0.02, 0.02, 0.9, 0.02, 0.02, 0.02))])
    rows = TimelineView(timeline)
    qtbot.addWidget(rows)
    rows.resize(700, 200)
    told = "Row 1 of 1: #1, happy >99%, sad <1%"
    assert rows.row_in_words(1) == told
    rows.show()
    qtbot.waitExposed(rows)
    rows.activateWindow()
    qtbot.waitUntil(rows.isActiveWindow, timeout=WAIT_MS)
    rows.setFocus(Qt.FocusReason.TabFocusReason)
    # What a screen reader hears as the rows get the keyboard.
    qtbot.waitUntil(lambda: rows.accessibleDescription() == told, timeout=WAIT_MS)
