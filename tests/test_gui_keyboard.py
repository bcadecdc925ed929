"""The window used with the keyboard alone, as a user who cannot use a mouse would: every
button has a key, Tab goes through the controls in the order they are shown, and the
control the keyboard is on can be seen (real windows, real pipeline; offscreen)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PyQt6.QtCore import QEvent, QPoint, QRect, QSize, Qt
from PyQt6.QtGui import QAction, QFont, QImage, QPalette
from PyQt6.QtWidgets import QApplication, QDialog, QMainWindow, QMenu, QPushButton, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from emotion_app.gui import help_texts
from emotion_app.gui.main_window import MainWindow
from emotion_app.gui.region_selector import HINT, RegionSelector
from emotion_app.gui.settings import AppSettings
from emotion_app.gui.timeline_panel import TimelineView
from emotion_app.results import FaceResult
from emotion_app.samples import SIX_LABELS, VideoTruth
from emotion_app.sources.screen_capture import MIN_REGION_SIDE, Screen
from emotion_app.timeline import SessionTimeline
from tests.gui_support import (
    WAIT_MS,
    WindowFactory,
    pause_on_shown_frame,
    play_looping,
    shown_result,
    wait_for_face_result,
    when_a_dialog_is_open,
)


def _keyboard_on(qtbot: QtBot, window: MainWindow, widget: QWidget) -> None:
    """The keyboard on ``widget``, as Tab puts it there."""
    window.activateWindow()
    qtbot.waitActive(window)
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(widget.hasFocus, timeout=WAIT_MS)


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter], ids=["Return", "Enter"])
def test_enter_presses_the_button_the_keyboard_is_on(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, key: Qt.Key, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: with a file open Space plays and pauses whichever control has the keyboard, and a
    # push button outside a dialog takes no Enter: the timeline's Clear and Export and the
    # messages' buttons could not be pressed without a mouse.
    window = make_window(video=gui_video.path)
    play_looping(window, gui_video.path)
    panel = window.timeline_panel
    panel.show()
    wait_for_face_result(qtbot, window)
    qtbot.waitUntil(panel.export_button.isEnabled, timeout=WAIT_MS)  # a face has time to export
    pause_on_shown_frame(qtbot, window)
    assert window.play_pause_action.isEnabled()  # Space is the player's here

    asked: list[str] = []

    def no_folder(title: str, _start: str) -> str:  # the dialog asked, and cancelled
        asked.append(title)
        return ""

    monkeypatch.setattr(window, "ask_folder_path", no_folder)
    assert panel.export_button.isEnabled()
    _keyboard_on(qtbot, window, panel.export_button)
    qtbot.keyClick(panel.export_button, key)
    assert len(asked) == 1, "Enter on Export asks for a folder"

    _keyboard_on(qtbot, window, panel.clear_button)
    with qtbot.waitSignal(panel.cleared, timeout=WAIT_MS):
        qtbot.keyClick(panel.clear_button, key)

    pressed: list[str] = []
    window.notice_banner.show_message("Saved snapshot a.png", "info", [("Open folder", lambda: pressed.append("open"))])
    open_folder = window.notice_banner.button("Open folder")
    assert open_folder is not None
    _keyboard_on(qtbot, window, open_folder)
    qtbot.keyClick(open_folder, key)
    assert pressed == ["open"]
    dismiss = window.notice_banner.button("✕")
    assert dismiss is not None
    _keyboard_on(qtbot, window, dismiss)
    qtbot.keyClick(dismiss, key)
    assert window.notice_banner.isHidden()
    assert window.is_paused, "Enter on a button leaves the file as it was"
    assert "Enter presses the button that has it" in window.shortcuts_text()  # F1 says so


def _border(picture: np.ndarray, width: int = 3) -> np.ndarray:
    """The pixels of ``picture``'s edges, ``width`` deep, top, bottom, left and right."""
    return np.concatenate(
        [
            picture[:width].reshape(-1, 3),
            picture[-width:].reshape(-1, 3),
            picture[:, :width].reshape(-1, 3),
            picture[:, -width:].reshape(-1, 3),
        ]
    ).astype(int)


def _grab(widget: QWidget) -> np.ndarray:
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    buffer = image.constBits()
    assert buffer is not None
    buffer.setsize(image.sizeInBytes())
    rows = np.frombuffer(buffer.asstring(), dtype=np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width() * 3].reshape(image.height(), image.width(), 3).copy()


def _differs(one: np.ndarray, other: np.ndarray) -> float:
    """The share of pixels that differ between two grabs of the same size."""
    return float((np.abs(one.astype(int) - other.astype(int)).sum(axis=-1) > 60).mean())


def test_tab_onto_the_video_and_the_empty_timeline_shows_where_the_keyboard_is(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    # Was: the video (where the window opens with the keyboard) and the timeline before
    # anyone is seen looked the same with the keyboard on them as without: Tab landed on
    # them and nothing on screen changed.
    window = make_window(size=(1000, 700))  # no camera: the view shows its words
    window.timeline_panel.show()
    for banner in (window.model_banner, window.source_banner, window.notice_banner, window.tidy_banner):
        banner.dismiss()  # Tab goes from the toolbar's last list to the video
    window.activateWindow()
    qtbot.waitActive(window)
    timeline = window.timeline_panel.view
    assert not timeline.visible_people()
    for control, before in ((window.view, window.steadiness_box), (timeline, window.view)):
        before.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(before.hasFocus, timeout=WAIT_MS)
        away = _grab(control)
        qtbot.keyClick(before, Qt.Key.Key_Tab)
        assert control.hasFocus(), f"Tab from {before} went to {QApplication.focusWidget()}"
        on = _grab(control)
        # A frame around it: most of its edge changes, little inside it.
        assert _differs(_border(away), _border(on)) > 0.5, type(control).__name__
        assert _differs(away, on) < 0.2, type(control).__name__


def _tab_from(qtbot: QtBot, start: QWidget, until: QWidget) -> list[QWidget]:
    """The controls Tab goes through from ``start`` until it reaches ``until``, pressed as keys."""
    start.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(start.hasFocus, timeout=WAIT_MS)
    reached: list[QWidget] = []
    for _ in range(30):
        focused = QApplication.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
        focused = QApplication.focusWidget()
        assert focused is not None
        if focused is until:
            return reached
        reached.append(focused)
    raise AssertionError(f"Tab never reached {until}: {reached}")


def test_tab_goes_through_the_messages_top_to_bottom_whichever_came_first(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    # Was: Tab went through the messages' buttons in the order the messages came, so a
    # snapshot's "Open folder", shown below the file's "Finished playing", came first when
    # it came first: the keyboard jumped down the window, then back up, then down again.
    window = make_window(size=(1000, 700))  # no source: no message of the app's own comes
    window.activateWindow()
    qtbot.waitActive(window)
    for banner in (window.model_banner, window.source_banner, window.notice_banner, window.tidy_banner):
        banner.dismiss()
    window.notice_banner.show_message("Saved snapshot a.png", "info", [("Open folder", lambda: None)])
    window.source_banner.show_message("Finished playing a.avi", "info", [("Play again", lambda: None)])
    QApplication.sendPostedEvents(
        None, QEvent.Type.DeferredDelete.value
    )  # the buttons replaced go, as in the event loop
    assert window.source_banner.y() < window.notice_banner.y()  # shown above it
    reached = _tab_from(qtbot, window.steadiness_box, window.view)
    banners = (window.source_banner, window.notice_banner)
    said = {
        button: f"{banner.text()}: {button.text()}" for banner in banners for button in banner.findChildren(QPushButton)
    }
    buttons = [said[widget] for widget in reached if isinstance(widget, QPushButton)]
    assert len(buttons) == len(reached), reached
    assert buttons == [
        "Finished playing a.avi: Play again",
        "Finished playing a.avi: ✕",
        "Saved snapshot a.png: Open folder",
        "Saved snapshot a.png: ✕",
    ]
    # And back, Shift+Tab, the other way.
    window.view.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(window.view.hasFocus, timeout=WAIT_MS)
    back: list[QWidget] = []
    for _ in range(4):
        focused = QApplication.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
        back.append(QApplication.focusWidget() or window)
    assert back == reached[::-1]


def test_the_part_of_a_screen_to_watch_is_chosen_with_the_keys(qtbot: QtBot) -> None:
    # Was: only a mouse drag chose it; the keyboard had Esc alone, to give up.
    picture = np.zeros((600, 800, 3), np.uint8)
    selector = RegionSelector(Screen(1, 0, 0, 800, 600), picture, QRect(0, 0, 800, 600))
    qtbot.addWidget(selector)
    selector.show()
    assert selector.selection() is None
    qtbot.keyClick(selector, Qt.Key.Key_Right)  # a frame half the screen's size, in its middle
    assert selector.selection() == QRect(200, 150, 400, 300)
    qtbot.keyClick(selector, Qt.Key.Key_Right)  # moved, by a step
    moved = selector.selection()
    assert moved is not None and moved.size() == QSize(400, 300)
    step = moved.x() - 200
    assert 5 <= step <= 20
    qtbot.keyClick(selector, Qt.Key.Key_Up)
    qtbot.keyClick(selector, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)  # a pixel at a time
    for _ in range(2):
        qtbot.keyClick(selector, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)  # taller
    qtbot.keyClick(selector, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)  # narrower
    assert selector.selection() == QRect(200 + step - 1, 150 - step, 400 - step, 300 + 2 * step)
    with qtbot.waitSignal(selector.chosen) as chosen:
        qtbot.keyClick(selector, Qt.Key.Key_Return)
    assert chosen.args == [(200 + step - 1, 150 - step, 400 - step, 300 + 2 * step)]
    # The hint over the screen and F1 say how.
    assert "arrow keys" in HINT and "Enter" in HINT
    bare = QMainWindow()
    qtbot.addWidget(bare)
    assert "the arrow keys move a frame" in help_texts.shortcuts_text(bare, QAction(bare), {})


def test_the_keys_keep_the_frame_on_the_screen_and_no_smaller_than_a_part_can_be(qtbot: QtBot) -> None:
    picture = np.zeros((600, 800, 3), np.uint8)
    # Shown at half size (high DPI): a part's least side, in screen pixels, is half as many here.
    selector = RegionSelector(Screen(2, 800, 0, 800, 600), picture, QRect(0, 0, 400, 300))
    qtbot.addWidget(selector)
    selector.show()
    qtbot.keyClick(selector, Qt.Key.Key_Return)  # Enter first puts the frame up; a second chooses it
    assert selector.selection() == QRect(100, 75, 200, 150)
    for _ in range(100):
        qtbot.keyClick(selector, Qt.Key.Key_Left)
        qtbot.keyClick(selector, Qt.Key.Key_Down)
        qtbot.keyClick(selector, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    assert selector.selection() == QRect(0, 300 - 150, MIN_REGION_SIDE // 2, 150)
    for _ in range(100):
        qtbot.keyClick(selector, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert selector.selection() == QRect(0, 150, 400, 150)
    with qtbot.waitSignal(selector.chosen) as chosen:
        qtbot.keyClick(selector, Qt.Key.Key_Enter)
    assert chosen.args == [(800, 300, 800, 300)]


def _five_people_in_three_rows(qtbot: QtBot) -> TimelineView:
    """A shown, active panel of five people with room for three rows: #1 and #2, seen last
    at 0 s, have none ("+2")."""
    timeline = SessionTimeline(SIX_LABELS)
    happy = tuple(1.0 if label == "happy" else 0.0 for label in SIX_LABELS)
    for second in range(3):  # #1 and #2 seen last at 0 s
        faces = [FaceResult((10 * i, 0, 40, 40), i, "happy", 1.0, happy) for i in range(1, 6) if second == 0 or i > 2]
        timeline.add(float(second), faces)
    view = TimelineView(timeline)
    qtbot.addWidget(view)
    view.resize(700, view.minimumHeight())  # room for three people and everyone's row
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow, timeout=WAIT_MS)
    return view


def test_up_and_down_reach_the_people_the_timeline_has_no_row_for(qtbot: QtBot) -> None:
    # Was: five people in a panel with room for three rows: "+2" said to drag the panel's
    # top edge up to see #1 and #2, and Up and Down stopped at the rows shown, so without a
    # mouse those two could be neither read nor named.
    view = _five_people_in_three_rows(qtbot)
    assert view.visible_people() == [3, 4, 5] and view.hidden_people() == 2
    assert "Up and Down" in view.hidden_hint()  # the "+2" says how, not only to drag
    asked: list[int] = []
    view.person_double_clicked.connect(asked.append)
    view.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(view.hasFocus, timeout=WAIT_MS)
    assert view.chosen_person() == 3
    qtbot.keyClick(view, Qt.Key.Key_Up)
    # #2 takes the row of one seen last (still three rows), and is told and framed there.
    assert view.chosen_person() == 2 and view.visible_people() == [2, 4, 5]
    assert view.accessibleDescription().startswith("Row 1 of 3: #2")
    qtbot.keyClick(view, Qt.Key.Key_Up)
    assert view.chosen_person() == 1 and view.visible_people() == [1, 4, 5]
    qtbot.keyClick(view, Qt.Key.Key_Up)  # the first: Up stays there
    assert view.chosen_person() == 1
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert asked == [1]
    for expected in (2, 3, 4, 5, 5):
        qtbot.keyClick(view, Qt.Key.Key_Down)
        assert view.chosen_person() == expected
    assert view.visible_people() == [3, 4, 5]
    qtbot.keyClick(view, Qt.Key.Key_Up)
    qtbot.keyClick(view, Qt.Key.Key_Up)
    qtbot.keyClick(view, Qt.Key.Key_Up)
    assert view.visible_people() == [2, 4, 5]
    view.clearFocus()  # the keyboard gone, the rows are those seen last again
    assert view.visible_people() == [3, 4, 5] and view.hidden_people() == 2


def test_a_click_after_the_keys_chose_a_hidden_person_hits_the_row_shown(qtbot: QtBot) -> None:
    # Was: Up chose #2, who has no row of their own, and Tab took the keyboard away (the rows
    # showed #3, #4 and #5 again); a click on #3's row brought the keyboard back before its
    # press was read, #2 took the row back under the pointer, and a double-click named #2.
    view = _five_people_in_three_rows(qtbot)
    view.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(view.hasFocus, timeout=WAIT_MS)
    qtbot.keyClick(view, Qt.Key.Key_Up)
    assert view.visible_people() == [2, 4, 5]
    view.clearFocus()
    assert view.visible_people() == [3, 4, 5]  # what the pointer is over
    asked: list[int] = []
    view.person_double_clicked.connect(asked.append)
    first_row = QPoint(view.width() // 2, int(view.row_top(0)) + 10)
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=first_row)
    assert view.hasFocus()
    assert view.chosen_person() == 3 and view.visible_people() == [3, 4, 5]
    qtbot.mouseDClick(view, Qt.MouseButton.LeftButton, pos=first_row)
    # QTest's double-click ends pressed: let go, as a hand does, or the next test's window
    # reads the button as still down (a mouse, not a key, moving the keyboard).
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=first_row)
    assert asked == [3]
    # The keys still reach #2 from there, as before.
    qtbot.keyClick(view, Qt.Key.Key_Up)
    assert view.chosen_person() == 2 and view.visible_people() == [2, 4, 5]


def _framed(widget: QWidget) -> bool:
    """Whether most of ``widget``'s edge is drawn in the palette's highlight: its focus frame."""
    highlight = widget.palette().color(QPalette.ColorRole.Highlight)
    wanted = np.array([highlight.red(), highlight.green(), highlight.blue()])
    return float((np.abs(_border(_grab(widget), 2) - wanted).sum(axis=-1) < 40).mean()) > 0.9


def test_the_video_shows_the_keyboard_when_it_is_handed_there_after_a_key(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    # Was: Enter on a message's ✕ hid it and handed the keyboard to the video, and no frame
    # showed there: Qt forgets keys moved the keyboard once a control it is on is hidden.
    window = make_window(size=(1000, 700))
    for banner in (window.model_banner, window.source_banner, window.notice_banner, window.tidy_banner):
        banner.dismiss()
    window.notice_banner.show_message("Saved snapshot a.png", "info", [("Open folder", lambda: None)])
    window.activateWindow()
    qtbot.waitActive(window)
    reached = _tab_from(qtbot, window.steadiness_box, window.view)
    dismiss = window.notice_banner.button("✕")
    assert dismiss is not None and reached[-1] is dismiss
    assert _framed(window.view)  # Tab put the keyboard there
    qtbot.keyClick(window.view, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)  # Tab went on: back
    assert dismiss.hasFocus()
    qtbot.keyClick(dismiss, Qt.Key.Key_Return)
    assert window.notice_banner.isHidden()
    qtbot.waitUntil(window.view.hasFocus, timeout=WAIT_MS)
    assert _framed(window.view)
    # The mouse moving the keyboard is no key: no frame.
    window.timeline_panel.show()
    qtbot.mouseClick(window.timeline_panel.view, Qt.MouseButton.LeftButton)
    assert window.timeline_panel.view.hasFocus()
    qtbot.mouseClick(window.view, Qt.MouseButton.LeftButton)
    assert window.view.hasFocus() and not _framed(window.view)


def test_the_seek_bars_own_keys_work_and_f1_names_them(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: End, Page Up, Page Down, Up and Down moved the seek bar (a slider's own keys), and
    # neither F1 nor the seek bar's tip said so: only Left, Right and Home were listed.
    window = make_window(video=gui_video.path)
    play_looping(window, gui_video.path)
    wait_for_face_result(qtbot, window)
    pause_on_shown_frame(qtbot, window)
    slider = window.playback_bar.slider
    _keyboard_on(qtbot, window, slider)
    last = gui_video.num_frames - 1
    for key, frame in (
        (Qt.Key.Key_End, last),
        (Qt.Key.Key_PageDown, last - 10),
        (Qt.Key.Key_Up, last - 9),
        (Qt.Key.Key_Down, last - 10),
        (Qt.Key.Key_PageUp, last),
    ):
        qtbot.keyClick(slider, key)

        def shown(frame: int = frame) -> bool:
            return shown_result(window).frame_index == frame

        qtbot.waitUntil(shown, timeout=WAIT_MS)
    assert window.is_paused
    shortcuts = window.shortcuts_text()
    assert "On the seek bar, Up and Down go a frame, Page Up and Page Down ten, and End to the last" in shortcuts
    assert "End" in slider.toolTip() and "Page Up" in slider.toolTip()


def test_f1_fits_on_the_screen_and_scrolls_to_its_last_words(qtbot: QtBot, make_window: WindowFactory) -> None:
    # Was: F1's box grew by the keys it names (Tab, Enter, the seek bar's, the part of a
    # screen's) and, at an 11-point font, ran past the bottom of the screen: no scrolling, its
    # last lines and its Close button out of sight.
    font = QApplication.font()
    large = QFont(font)
    large.setPointSizeF(11)
    QApplication.setFont(large)
    try:
        window = make_window(size=(700, 600))
        window.activateWindow()
        qtbot.waitActive(window)
        seen: dict[str, object] = {}

        def look(dialog: QDialog) -> None:
            screen = dialog.screen()
            seen["fits"] = screen is not None and dialog.frameGeometry().bottom() <= screen.availableGeometry().bottom()
            close = next((b for b in dialog.findChildren(QPushButton) if b.text() == "Close"), None)
            seen["close"] = close is not None and close.isVisible() and dialog.rect().contains(close.geometry())
            scroll = dialog.findChild(QScrollArea)
            if scroll is not None:
                bar = scroll.verticalScrollBar()
                assert bar is not None
                bar.setValue(bar.maximum())
                label = scroll.widget()
                assert label is not None
                viewport = scroll.viewport()
                assert viewport is not None
                # The text's end is in view once scrolled to the bottom.
                seen["end"] = label.geometry().bottom() <= viewport.height() + 1
            dialog.reject()

        when_a_dialog_is_open(look)
        window.show_shortcuts()
        assert seen.get("fits") and seen.get("close"), seen
        assert seen.get("end", True), seen
    finally:
        QApplication.setFont(font)


def _press(
    qtbot: QtBot, window: MainWindow, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    """``key`` pressed where a user's key goes: an open menu, else the control that has the
    keyboard (the floating timeline's too), else the window."""
    target = QApplication.activePopupWidget() or QApplication.focusWidget() or window
    qtbot.keyClick(target, key, modifier)


def _dock_by_the_menu(qtbot: QtBot, window: MainWindow, letter: Qt.Key) -> None:
    """View > Dock the timeline at > a side, by their letters: Alt+V, A, then ``letter``."""
    _press(qtbot, window, Qt.Key.Key_V, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu), timeout=WAIT_MS)
    view_menu = QApplication.activePopupWidget()
    _press(qtbot, window, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() not in (None, view_menu), timeout=WAIT_MS)
    _press(qtbot, window, letter)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is None, timeout=WAIT_MS)


def test_the_timeline_floats_docks_back_and_moves_to_a_side_by_the_keys(
    qtbot: QtBot, make_window: WindowFactory, settings_path: Path
) -> None:
    # Was: only a drag of its title moved it to a side, and only its float button or a
    # double-click on its title floated it: none of it without a mouse.
    window = make_window(size=(700, 500))
    panel = window.timeline_panel
    _keyboard_on(qtbot, window, window.view)
    assert not panel.isFloating() and window.dockWidgetArea(panel) == Qt.DockWidgetArea.BottomDockWidgetArea
    _press(qtbot, window, Qt.Key.Key_T, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(panel.isFloating, timeout=WAIT_MS)
    qtbot.waitExposed(panel)
    floating, sides = window.timeline_floating_action, window.timeline_side_actions
    # Beside the window, as its float button floats it the first time; the menu ticks it.
    assert not window.frameGeometry().intersects(panel.frameGeometry())
    first_floated_at = panel.geometry().topLeft()
    assert floating.isChecked() and sides["bottom"].isChecked()
    # As the float returns only: the platform may then make the panel's new window active
    # (the offscreen one does, an event later), as at a float by its button.
    assert window.view.hasFocus(), "the keys' float itself leaves the keyboard on the video"
    _press(qtbot, window, Qt.Key.Key_T, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: not panel.isFloating(), timeout=WAIT_MS)
    assert window.dockWidgetArea(panel) == Qt.DockWidgetArea.BottomDockWidgetArea and not floating.isChecked()
    for letter, side, area in (
        (Qt.Key.Key_L, "left", Qt.DockWidgetArea.LeftDockWidgetArea),
        (Qt.Key.Key_R, "right", Qt.DockWidgetArea.RightDockWidgetArea),
        (Qt.Key.Key_T, "top", Qt.DockWidgetArea.TopDockWidgetArea),
        (Qt.Key.Key_B, "bottom", Qt.DockWidgetArea.BottomDockWidgetArea),
    ):
        _dock_by_the_menu(qtbot, window, letter)
        assert window.dockWidgetArea(panel) == area and not panel.isFloating() and panel.isVisible(), side
        assert sides[side].isChecked(), side
    # Hidden (T), the panel is shown where the keys put it; floating, it docks there.
    _press(qtbot, window, Qt.Key.Key_T)
    assert not panel.isVisible()
    _press(qtbot, window, Qt.Key.Key_T, Qt.KeyboardModifier.ShiftModifier)
    assert panel.isFloating() and panel.isVisible()
    _dock_by_the_menu(qtbot, window, Qt.Key.Key_L)
    assert window.dockWidgetArea(panel) == Qt.DockWidgetArea.LeftDockWidgetArea and not panel.isFloating()
    assert sides["left"].isChecked() and not floating.isChecked()
    # Remembered at a clean close: docked at the left; floating, where it floats and the
    # side it docks back at.
    window.close()
    assert AppSettings.at_path(settings_path).timeline_place == "left"
    again = make_window(size=(700, 500))
    panel = again.timeline_panel
    assert again.dockWidgetArea(panel) == Qt.DockWidgetArea.LeftDockWidgetArea
    assert again.timeline_side_actions["left"].isChecked() and not again.timeline_floating_action.isChecked()
    _keyboard_on(qtbot, again, again.view)
    _press(qtbot, again, Qt.Key.Key_T, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(panel.isFloating, timeout=WAIT_MS)
    # Where it floated last run, docked at its close. Its size is the one it had floating
    # last, which its layout may change a moment after a float, or not yet (a busy machine).
    assert panel.geometry().topLeft() == first_floated_at
    floated_at = QRect(40, 30, 420, 240)  # moved there, and left floating at the close
    panel.setGeometry(floated_at)
    qtbot.waitUntil(lambda: panel.geometry() == floated_at, timeout=WAIT_MS)
    again.close()
    stored = AppSettings.at_path(settings_path)
    assert stored.timeline_place == "floating" and stored.timeline_geometry is not None
    last = make_window(size=(700, 500))
    assert last.timeline_panel.isFloating() and last.timeline_panel.geometry() == floated_at
    # Floated from the left, it docks back there: so the menu ticks.
    assert last.timeline_floating_action.isChecked() and last.timeline_side_actions["left"].isChecked()
    # F1 names the letters pressed above: the sides have no key of their own to list.
    assert "Dock the timeline at puts the session timeline at a side of the window: Alt+V, A, then B, L, R or T" in (
        last.shortcuts_text()
    )


def _active(window: QWidget) -> bool:
    return QApplication.activeWindow() is window


def test_f6_takes_the_keyboard_to_the_timeline_in_its_own_window_and_back(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    # Was: floating, the timeline is a window of its own: Tab (and Ctrl+Tab) go round the
    # main window's controls only, and no key reached it; hidden (T) with the keyboard in
    # it, no window had the keyboard and no key did anything, T to show it again neither.
    window = make_window(size=(1000, 700))  # the toolbar's lists in reach of Tab
    panel = window.timeline_panel
    panel.setFloating(True)  # as its float button does
    qtbot.waitExposed(panel)
    for modifier in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ControlModifier):
        _keyboard_on(qtbot, window, window.view)
        for _ in range(12):
            _press(qtbot, window, Qt.Key.Key_Tab, modifier)
            focused = QApplication.focusWidget()
            assert focused is not None and focused.window() is window, "Qt's Tab stays in its window"
    _keyboard_on(qtbot, window, window.steadiness_box)
    _press(qtbot, window, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: _active(panel) and panel.view.hasFocus(), timeout=WAIT_MS)
    assert _framed(panel.view)  # it shows it has the keyboard, as after Tab
    _press(qtbot, window, Qt.Key.Key_F6)  # back where it came from
    qtbot.waitUntil(lambda: _active(window) and window.steadiness_box.hasFocus(), timeout=WAIT_MS)
    _press(qtbot, window, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: _active(panel) and panel.view.hasFocus(), timeout=WAIT_MS)
    # Docked back from its own window, the keyboard stays on it, and goes with it floated again.
    _press(qtbot, window, Qt.Key.Key_T, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: not panel.isFloating() and _active(window) and panel.view.hasFocus(), timeout=WAIT_MS)
    _press(qtbot, window, Qt.Key.Key_T, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: panel.isFloating() and _active(panel) and panel.view.hasFocus(), timeout=WAIT_MS)
    # Its Clear button too: Tab goes round the panel's own window.
    _press(qtbot, window, Qt.Key.Key_Tab)
    assert panel.clear_button.hasFocus() or panel.export_button.hasFocus()
    # Hidden with the keyboard in it, the keyboard goes back to the window, and T shows it again.
    _press(qtbot, window, Qt.Key.Key_T)
    qtbot.waitUntil(lambda: _active(window) and window.steadiness_box.hasFocus(), timeout=WAIT_MS)
    assert not panel.isVisible()
    _press(qtbot, window, Qt.Key.Key_T)
    assert panel.isVisible() and panel.isFloating()
    # Docked, F6 goes to its rows and back too; hidden, F6 shows it.
    _press(qtbot, window, Qt.Key.Key_T, Qt.KeyboardModifier.ShiftModifier)
    _press(qtbot, window, Qt.Key.Key_T)
    assert not panel.isVisible() and not panel.isFloating()
    _keyboard_on(qtbot, window, window.view)
    _press(qtbot, window, Qt.Key.Key_F6)
    assert panel.isVisible() and panel.view.hasFocus()
    _press(qtbot, window, Qt.Key.Key_F6)
    assert window.view.hasFocus()
    shortcuts = window.shortcuts_text()
    assert "<b>F6</b>&nbsp;&nbsp;</td><td>Keyboard to the session timeline and back" in shortcuts
    assert "<b>Shift+T</b>&nbsp;&nbsp;</td><td>Timeline in its own window" in shortcuts


@pytest.mark.parametrize("how", ["Tab", "mouse"])
def test_f6_from_the_timeline_goes_back_to_where_the_keyboard_came_into_it_from_last(
    qtbot: QtBot, make_window: WindowFactory, how: str
) -> None:
    # Was: F6 went back to the control an earlier F6 had come from, though the keyboard had
    # left the panel since (Tab or a click) and come back in from another control.
    window = make_window(size=(1000, 700))  # the toolbar's lists in reach of Tab
    panel = window.timeline_panel
    assert not panel.isFloating() and panel.isVisible()
    _keyboard_on(qtbot, window, window.steadiness_box)
    _press(qtbot, window, Qt.Key.Key_F6)
    qtbot.waitUntil(panel.view.hasFocus, timeout=WAIT_MS)
    if how == "Tab":
        _press(qtbot, window, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)  # out, before the panel
        came_from = QApplication.focusWidget()
        assert came_from is not None and came_from is not window.steadiness_box
        assert not panel.isAncestorOf(came_from) and came_from.window() is window
        _press(qtbot, window, Qt.Key.Key_Tab)  # and in again
    else:
        came_from = window.view
        qtbot.mouseClick(window.view, Qt.MouseButton.LeftButton)
        assert window.view.hasFocus()
        qtbot.mouseClick(panel.view, Qt.MouseButton.LeftButton)
    assert panel.view.hasFocus()
    _press(qtbot, window, Qt.Key.Key_F6)
    qtbot.waitUntil(came_from.hasFocus, timeout=WAIT_MS)
    # And F6 to it and back from there: the same control again.
    _press(qtbot, window, Qt.Key.Key_F6)
    qtbot.waitUntil(panel.view.hasFocus, timeout=WAIT_MS)
    _press(qtbot, window, Qt.Key.Key_F6)
    qtbot.waitUntil(came_from.hasFocus, timeout=WAIT_MS)


@pytest.mark.parametrize("how", ["Go to the timeline and back", "Dock the timeline at"])
def test_f6_from_the_timeline_goes_back_where_it_came_from_over_the_menus_by_the_keys(
    qtbot: QtBot, make_window: WindowFactory, how: str
) -> None:
    # Was: the menu bar, walked by the keys (Alt+V), holds the keyboard till its menus
    # close, and was taken for a control the keyboard had come into the panel from: F6 by
    # the View menu, or after docking the panel at a side by it, went to the video.
    window = make_window(size=(1000, 700))
    panel = window.timeline_panel
    _keyboard_on(qtbot, window, window.steadiness_box)
    _press(qtbot, window, Qt.Key.Key_F6)
    qtbot.waitUntil(panel.view.hasFocus, timeout=WAIT_MS)
    if how == "Go to the timeline and back":
        _press(qtbot, window, Qt.Key.Key_V, Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu), timeout=WAIT_MS)
        _press(qtbot, window, Qt.Key.Key_G)
    else:
        _dock_by_the_menu(qtbot, window, Qt.Key.Key_L)
        assert window.dockWidgetArea(panel) == Qt.DockWidgetArea.LeftDockWidgetArea
        qtbot.waitUntil(panel.view.hasFocus, timeout=WAIT_MS)
        _press(qtbot, window, Qt.Key.Key_F6)
    qtbot.waitUntil(window.steadiness_box.hasFocus, timeout=WAIT_MS)


def test_the_keyboard_handed_back_from_the_floating_timeline_brings_up_a_minimised_window(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    # Was: minimised, the window stayed so when F6, Shift+T or T took the keyboard back to
    # it from the floating timeline (where a platform leaves that on screen, its keys still
    # reach the window's actions): the keyboard went to a window not shown, and no key did
    # anything.
    window = make_window(size=(1000, 700))  # the toolbar's lists in reach of Tab
    panel = window.timeline_panel
    panel.setFloating(True)
    qtbot.waitExposed(panel)
    _keyboard_on(qtbot, window, window.steadiness_box)

    def minimised_from_the_panel() -> None:
        _press(qtbot, window, Qt.Key.Key_F6)
        qtbot.waitUntil(lambda: _active(panel) and panel.view.hasFocus(), timeout=WAIT_MS)
        window.setWindowState(window.windowState() | Qt.WindowState.WindowMinimized)
        qtbot.waitUntil(window.isMinimized, timeout=WAIT_MS)
        assert panel.isVisible()

    minimised_from_the_panel()
    _press(qtbot, window, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: not window.isMinimized() and window.steadiness_box.hasFocus(), timeout=WAIT_MS)
    # Docked back by its key, the keyboard goes with it into the window, shown again.
    minimised_from_the_panel()
    _press(qtbot, window, Qt.Key.Key_T, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: not window.isMinimized() and panel.view.hasFocus(), timeout=WAIT_MS)
    assert not panel.isFloating()
    # Full screen, minimised, hidden (T) with the keyboard in it: full screen again.
    _press(qtbot, window, Qt.Key.Key_F6)  # back to Steadiness, from the docked panel
    qtbot.waitUntil(window.steadiness_box.hasFocus, timeout=WAIT_MS)
    _press(qtbot, window, Qt.Key.Key_T, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(panel.isFloating, timeout=WAIT_MS)
    _press(qtbot, window, Qt.Key.Key_F11)
    qtbot.waitUntil(window.isFullScreen, timeout=WAIT_MS)
    _keyboard_on(qtbot, window, window.view)  # full screen, Steadiness may sit in the toolbar's overflow
    minimised_from_the_panel()
    _press(qtbot, window, Qt.Key.Key_T)
    qtbot.waitUntil(lambda: not window.isMinimized() and window.view.hasFocus(), timeout=WAIT_MS)
    assert window.isFullScreen() and not panel.isVisible()
