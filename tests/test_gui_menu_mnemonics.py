"""Every menu item has a mnemonic, the letter a keyboard user presses once Alt has opened
its menu, and no two items of a menu share one (real window, real menus; offscreen).
Listed items are numbered, and an "&" of a file's own name shows as it is."""

from __future__ import annotations

import shutil
from pathlib import Path

from PyQt6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from emotion_app.gui.camera_picker import CameraDevice
from emotion_app.gui.main_window import MainWindow
from emotion_app.gui.mnemonics import escaped, mnemonic, numbered, plain
from emotion_app.samples import VideoTruth
from tests.gui_support import WAIT_MS, WindowFactory, wait_for_face_result


def _menus_without_their_own_letters(menu: QMenu, path: str = "") -> list[str]:
    """Each item of ``menu`` and of its submenus shown with no mnemonic, or with one another
    item of its menu has too, as "File > Open recent > 1 clip.mp4"."""
    faults: list[str] = []
    seen: dict[str, str] = {}
    for action in menu.actions():
        if action.isSeparator() or not action.isVisible():
            continue
        where = f"{path}{plain(menu.title())} > {plain(action.text())}"
        letter = mnemonic(action.text())
        if letter is None:
            faults.append(f"{where}: no mnemonic")
        elif letter in seen:
            faults.append(f"{where}: {letter!r} as {seen[letter]!r} has")
        else:
            seen[letter] = plain(action.text())
        submenu = action.menu()
        if isinstance(submenu, QMenu):
            faults += _menus_without_their_own_letters(submenu, f"{path}{plain(menu.title())} > ")
    return faults


def _faults(window: MainWindow) -> list[str]:
    bar = window.menuBar()
    assert bar is not None
    faults = []
    titles: dict[str, str] = {}
    for action in bar.actions():
        letter = mnemonic(action.text())
        assert letter is not None and letter not in titles, action.text()
        titles[letter] = action.text()
        menu = action.menu()
        assert isinstance(menu, QMenu)
        faults += _menus_without_their_own_letters(menu)
    return faults


def test_every_menu_item_has_a_letter_of_its_own(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, random_weights: Path, tmp_path: Path
) -> None:
    # A file and a model whose names hold "&", listed in Open recent and Model.
    folder = tmp_path / "weights"
    folder.mkdir()
    shutil.copy(random_weights, folder / "tom&jerry.safetensors")
    shutil.copy(random_weights, folder / "other.safetensors")
    clip = tmp_path / "Tom & Jerry.avi"
    shutil.copy(gui_video.path, clip)
    # Cameras listed in File > Camera, one of them named with an "&" too.
    cameras = [CameraDevice("Tom & Jerry Cam", 0), CameraDevice("Desk camera", 2)]
    window = make_window(video=clip, weights=folder / "tom&jerry.safetensors", weights_dir=folder, devices=cameras)
    wait_for_face_result(qtbot, window)  # a file plays: the Playback menu has Stop and Pause
    window.model_menu.refresh()
    assert _faults(window) == []
    recent = [action.text() for action in window.recent_menu.actions() if action.text()]
    assert recent[0] == "&1 Tom && Jerry.avi" and plain(recent[0]) == "1 Tom & Jerry.avi"
    models = [plain(action.text()) for action in window.model_menu.model_actions()]
    assert any(model.startswith("1 other — ") for model in models), models
    assert any(model.startswith("2 tom&jerry — ") for model in models), models
    assert [action.text() for action in window.camera_menu.camera_actions()] == [
        "&1 Tom && Jerry Cam",
        "&2 Desk camera",
    ]
    window.stop()  # nothing plays: the Playback menu's Start is Play/Pause's, Start/Stop's hidden
    qtbot.waitUntil(lambda: not window.is_running, timeout=WAIT_MS)
    assert _faults(window) == []


def test_a_listed_name_keeps_its_ampersand_and_is_numbered_then_lettered() -> None:
    assert escaped("Tom & Jerry") == "Tom && Jerry"
    assert numbered(1, "Tom & Jerry.mp4") == "&1 Tom && Jerry.mp4"
    assert mnemonic(numbered(9, "a&b")) == "9" and plain(numbered(9, "a&b")) == "9 a&b"
    # The tenth is 0, as on the keyboard's top row; the ones after it take letters, none a
    # letter of the menu's own items. Was: the tenth on had no key of its own.
    assert numbered(10, "a&b") == "&0 a&&b" and mnemonic(numbered(10, "a&b")) == "0"
    assert [mnemonic(numbered(position, "x", taken=["b"])) for position in (11, 12, 13)] == ["a", "c", "d"]
    assert numbered(36, "x") == "&z x"
    assert numbered(37, "a&b") == "a&&b" and mnemonic("a&&b") is None  # past the keys: arrows
    assert plain("&Open video…") == "Open video…" and mnemonic("Te&chnical figures") == "c"


def test_a_menu_of_more_than_nine_models_has_a_key_for_each(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, random_weights: Path, tmp_path: Path
) -> None:
    # A folder of a dozen training runs' weights: Model lists each.
    folder = tmp_path / "weights"
    folder.mkdir()
    for run in range(12):
        shutil.copy(random_weights, folder / f"run{run:02d}.safetensors")
    window = make_window(video=gui_video.path, weights=folder / "run00.safetensors", weights_dir=folder)
    window.model_menu.refresh()
    assert _faults(window) == []
    keys = [mnemonic(action.text()) for action in window.model_menu.model_actions()]
    assert keys == ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "a", "b"]
