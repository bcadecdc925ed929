"""File > Open recent holds what opened: a file, a missing one or a folder that fails to
open is not added (nor written to the settings file); one there from a good earlier open
that fails now keeps its place, greyed out where it is gone; a file opened again by the
app itself (Play again, a seek after its end) is not listed anew."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from PyQt6.QtCore import QEvent, QPoint
from PyQt6.QtGui import QHelpEvent
from PyQt6.QtWidgets import QApplication, QToolTip
from pytestqt.qtbot import QtBot

from emotion_app.gui.main_window import RECENT_FILES, MainWindow
from emotion_app.gui.settings import AppSettings
from emotion_app.samples import VideoTruth
from emotion_app.sources.specs import VideoFileSpec
from tests.gui_support import WAIT_MS, WindowFactory, banner_button, shown_as_tip, wait_until_stopped


def listed(window: MainWindow) -> list[str]:
    """The paths File > Open recent lists, newest first."""
    return [action.data() for action in window.recent_menu.actions() if action.data()]


def open_and_wait_for_fault(qtbot: QtBot, window: MainWindow, path: Path) -> None:
    """Open ``path``, which fails, and wait till the banner names it."""
    window.open_video(path)
    qtbot.waitUntil(lambda: not window.is_running and str(path) in window.source_banner.text(), timeout=WAIT_MS)


def open_and_wait_till_opened(qtbot: QtBot, window: MainWindow, path: Path) -> None:
    window.open_video(path)

    def opened() -> bool:
        info = window.source_state.info
        return info is not None and isinstance(info.spec, VideoFileSpec) and info.spec.path == path

    qtbot.waitUntil(opened, timeout=WAIT_MS)


def test_what_fails_to_open_is_not_added_to_the_recent_files(
    qtbot: QtBot, make_window: WindowFactory, settings_path: Path, gui_video: VideoTruth, tmp_path: Path
) -> None:
    good = tmp_path / "talk.avi"
    shutil.copyfile(gui_video.path, good)
    window = make_window()
    open_and_wait_till_opened(qtbot, window, good)
    assert listed(window) == [str(good)]
    garbage = tmp_path / "holiday.mp4"
    garbage.write_bytes(os.urandom(8192))
    empty_folder = tmp_path / "no pictures"
    empty_folder.mkdir()
    (empty_folder / "notes.txt").write_text("not a picture\n")
    for failing in (garbage, tmp_path / "missing.mp4", empty_folder):
        open_and_wait_for_fault(qtbot, window, failing)
        assert listed(window) == [str(good)], failing
    assert window.settings.sync() and AppSettings.at_path(settings_path).recent_files == [str(good)]
    # As plain text, to read and edit by hand, not as Qt writes a list of one ("@Variant(…)").
    assert f"recent={good}\n" in settings_path.read_text()


def test_a_recent_file_that_fails_now_keeps_its_place_greyed_out_where_gone(
    qtbot: QtBot, make_window: WindowFactory, settings_path: Path, gui_video: VideoTruth, tmp_path: Path
) -> None:
    first, second = tmp_path / "first.avi", tmp_path / "second.avi"
    shutil.copyfile(gui_video.path, first)
    shutil.copyfile(gui_video.path, second)
    window = make_window()
    open_and_wait_till_opened(qtbot, window, first)
    open_and_wait_till_opened(qtbot, window, second)
    assert listed(window) == [str(second), str(first)]
    # Written over with something unreadable: it failed now, but it may be good again (a
    # copy half done), so it stays where it was, not moved first as if it had opened.
    first.write_bytes(os.urandom(8192))
    open_and_wait_for_fault(qtbot, window, first)
    assert listed(window) == [str(second), str(first)]
    # Gone since (a drive unplugged): still listed, greyed out as the menu finds it gone.
    first.unlink()
    (entry,) = (action for action in window.recent_menu.actions() if action.data() == str(first))
    assert entry.isEnabled()  # not asked again since it was there
    entry.trigger()
    qtbot.waitUntil(lambda: "not found" in window.source_banner.text(), timeout=WAIT_MS)
    assert listed(window) == [str(second), str(first)]
    (entry,) = (action for action in window.recent_menu.actions() if action.data() == str(first))
    qtbot.waitUntil(lambda: not entry.isEnabled(), timeout=WAIT_MS)
    assert window.settings.sync()
    assert AppSettings.at_path(settings_path).recent_files == [str(second), str(first)]


def test_a_file_opened_again_by_play_again_or_a_seek_is_not_listed_anew(
    qtbot: QtBot, make_window: WindowFactory, settings_path: Path, gui_video: VideoTruth, tmp_path: Path
) -> None:
    # Listed at each open, a file was listed again at each reopen the app made (Play again,
    # a seek after its end, a model switched at its end): the settings file rewritten each
    # time, and the file put back first over one another app instance opened since.
    played = tmp_path / "talk.avi"
    shutil.copyfile(gui_video.path, played)
    window = make_window(video=played)
    wait_until_stopped(qtbot, window)
    assert listed(window) == [str(played)]
    assert window.settings.sync()
    elsewhere = str(tmp_path / "opened in another window.avi")
    other_instance = AppSettings.at_path(settings_path)
    other_instance.remember_recent(elsewhere, RECENT_FILES)
    assert other_instance.sync()
    written = settings_path.stat().st_mtime_ns
    banner_button(window, "Play again").click()
    qtbot.waitUntil(lambda: window.is_running, timeout=WAIT_MS)
    wait_until_stopped(qtbot, window)
    ended = window.source_state.info
    window.player.seek(3)
    qtbot.waitUntil(lambda: window.source_state.info not in (None, ended), timeout=WAIT_MS)
    assert window.settings.sync()
    assert settings_path.stat().st_mtime_ns == written
    assert AppSettings.at_path(settings_path).recent_files == [elsewhere, str(played)]
    # Opened by name again (Open recent), it is listed first again, once it opened.
    reopened = window.source_state.info
    window.open_video(played)
    qtbot.waitUntil(lambda: window.source_state.info not in (None, reopened), timeout=WAIT_MS)
    assert window.settings.sync()
    assert AppSettings.at_path(settings_path).recent_files == [str(played), elsewhere]


def test_hovering_a_recent_file_shows_its_whole_path(
    qtbot: QtBot, make_window: WindowFactory, settings_path: Path, gui_video: VideoTruth, tmp_path: Path
) -> None:
    # Two takes of the same name in different folders read alike in the menu (it lists
    # names only): the full path, on hover, is the only way to tell which is which.
    # One named like markup shows as named (was: "<u>talk.avi" showed an underlined "talk.avi").
    takes = [tmp_path / "monday" / "talk.avi", tmp_path / "tuesday" / "talk.avi", tmp_path / "friday" / "<u>talk.avi"]
    for take in takes:
        take.parent.mkdir()
        shutil.copyfile(gui_video.path, take)
    stored = AppSettings.at_path(settings_path)
    stored.recent_files = [str(take) for take in takes]
    assert stored.sync()
    window = make_window()
    menu = window.recent_menu
    assert listed(window) == [str(take) for take in takes]
    menu.popup(window.mapToGlobal(QPoint(0, 0)))
    qtbot.waitExposed(menu)
    try:
        for take in takes:
            (entry,) = (action for action in menu.actions() if action.data() == str(take))
            place = menu.actionGeometry(entry).center()
            QApplication.sendEvent(menu, QHelpEvent(QEvent.Type.ToolTip, place, menu.mapToGlobal(place)))

            def tells(expected: str = str(take)) -> bool:
                return shown_as_tip(QToolTip.text()) == expected

            qtbot.waitUntil(tells, timeout=WAIT_MS)
    finally:
        QToolTip.hideText()
        menu.close()


def test_a_long_path_with_an_ampersand_wraps_its_tooltip_on_screen(qtbot: QtBot, tmp_path: Path) -> None:
    # Was: every path holding "&" went as rich text kept to its lines; wider than the
    # screen, it ran off it, where Qt wraps a plain tooltip that wide.
    from PyQt6.QtWidgets import QLabel

    from emotion_app.gui.recent_menu import RecentMenu

    folder = tmp_path / "Tom & Jerry clips"
    for part in range(6):
        folder = folder / f"the holiday videos of summer part {part}"
    folder.mkdir(parents=True)
    take = folder / "talk & questions.avi"
    take.write_bytes(b"")
    menu = RecentMenu()
    qtbot.addWidget(menu)
    menu.show_paths([str(take)])
    menu.popup(QPoint(0, 0))
    qtbot.waitExposed(menu)
    try:
        (entry,) = (action for action in menu.actions() if action.data() == str(take))
        place = menu.actionGeometry(entry).center()
        QApplication.sendEvent(menu, QHelpEvent(QEvent.Type.ToolTip, place, menu.mapToGlobal(place)))
        qtbot.waitUntil(lambda: shown_as_tip(QToolTip.text()) == str(take), timeout=WAIT_MS)
        (tip,) = (label for label in QApplication.allWidgets() if label.objectName() == "qtooltip_label")
        assert isinstance(tip, QLabel)
        screen = menu.screen()
        assert screen is not None
        assert menu.fontMetrics().horizontalAdvance(str(take)) > screen.geometry().width()  # too wide for one line
        assert tip.width() <= screen.geometry().width()
    finally:
        QToolTip.hideText()
        menu.close()
