"""The small things people expect: full screen, a mirror view, Help with shortcuts and
About, images and folders, drag and drop, recent files, one product name (and the settings
of the former one kept), a plain status line with the technical figures on request, and a
minimum window size, on the screen however small."""

from __future__ import annotations

import fnmatch
import os
import re
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from PyQt6.QtCore import QMimeData, QPointF, QSettings, Qt, QUrl
from PyQt6.QtGui import QAction, QDropEvent, QKeySequence
from PyQt6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from emotion_app.gui.camera_picker import CameraDevice
from emotion_app.gui.help_texts import app_version
from emotion_app.gui.identity import APPLICATION, FORMER_APPLICATIONS, ORGANIZATION
from emotion_app.gui.main_window import APP_TITLE, FIRST_WINDOW_SIZE, MIN_WINDOW_SIZE, VIDEO_FILTER, MainWindow
from emotion_app.gui.messages import InferenceResult
from emotion_app.gui.mnemonics import mnemonic, plain
from emotion_app.gui.settings import AppSettings
from emotion_app.inference.steadiness import DEFAULT_STEADINESS_LEVEL
from emotion_app.samples import (
    SEVEN_LABELS,
    SIX_LABELS,
    VideoTruth,
    astronaut_bgr,
    astronaut_frames,
    make_random_weights,
    read_video,
    write_astronaut_video,
)
from emotion_app.sources.specs import VideoFileSpec
from emotion_app.sources.stream_pace import STREAM_STALL_FLOOR_S
from emotion_app.wording import count_text
from tests.gui_support import (
    WAIT_MS,
    CameraBench,
    WindowFactory,
    active_weights_of,
    menu_bar,
    model_status_of,
    pause_on_shown_frame,
    play_looping,
    shown_result,
    source_info_of,
    submenus,
    wait_for_face_result,
    wait_until_stopped,
)
from tests.slide_show import write_slide_show


def test_f11_fills_the_screen_and_escape_leaves(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    window = make_window(video=gui_video.path)
    qtbot.keyClick(window, Qt.Key.Key_F11)
    qtbot.waitUntil(window.isFullScreen, timeout=WAIT_MS)
    assert window.fullscreen_action.isChecked()
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.isFullScreen(), timeout=WAIT_MS)
    assert not window.fullscreen_action.isChecked()


def test_cameras_are_mirrored_by_default_files_not_and_the_choice_is_remembered(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, settings_path: Path, tmp_path: Path
) -> None:
    frames = read_video(gui_video.path)
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window = make_window(devices=[CameraDevice("Desk camera", 0)], source_factory=bench)
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    assert window.mirror_action.isChecked()
    image = shown_result(window).image
    # The camera plays the video: the frame on screen is one of its frames, flipped.
    assert min(np.abs(cv2.flip(frame, 1).astype(int) - image).mean() for frame in frames) < 1.0
    # Opened as the user opens a file (played once): 15 s at 2 fps, never ended before it is
    # paused, as the 2 s clip could be on a busy machine.
    video = write_astronaut_video(
        tmp_path / "long.avi", num_frames=30, frame_size=(320, 240), face_size=80, motion="static", fps=2.0
    )
    window.open_video(video.path)
    qtbot.waitUntil(lambda: window.is_file and window.is_running, timeout=WAIT_MS)
    assert not window.mirror_action.isChecked()  # files: off
    index = pause_on_shown_frame(qtbot, window).frame_index
    qtbot.keyClick(window, Qt.Key.Key_M)
    paused = read_video(video.path, limit=index + 1)[index]
    qtbot.waitUntil(
        lambda: np.abs(shown_result(window).image.astype(int) - cv2.flip(paused, 1)).mean() < 1.0, timeout=WAIT_MS
    )  # a paused frame flips at once
    window.close()
    stored = AppSettings.at_path(settings_path)
    assert stored.mirror_files is True and stored.mirror_cameras is True


def test_help_lists_the_shortcuts_and_about_names_the_version_model_and_its_limits(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    window = make_window(video=gui_video.path)
    shortcuts = window.shortcuts_text()
    for keys, name in (
        ("Space", "Play / pause a file; start / stop a camera or screen"),
        ("F11", "Full screen"),
        ("Ctrl+S", "Snapshot"),
        ("T", "Session timeline"),
        ("M", "Mirror view"),
    ):
        assert re.search(rf"<b>{re.escape(keys)}</b>&nbsp;&nbsp;</td><td>{name}", shortcuts), keys
    # The timeline's keys belong to its widget, not to an action, yet Help must name them too.
    assert "Enter or F2 names them" in shortcuts and "Up and Down" in shortcuts
    # Nor has a submenu a key of its own: the cameras' menu is named with its letters.
    camera = window.camera_menu
    assert f"File &gt; {plain(camera.title())} lists the cameras" in shortcuts
    key = mnemonic(camera.title())
    assert key is not None and f"Alt+F, {key.upper()}, then a camera's number" in shortcuts
    about = window.about_text()
    assert APP_TITLE in about and app_version() in about and re.fullmatch(r"\d+\.\d+\.\d+", app_version())
    assert ", ".join(SIX_LABELS) in about and active_weights_of(window).name in about
    assert "#known-limits" in about or not (active_weights_of(window).parent / "README.md").exists()
    assert list(submenus(menu_bar(window)))[-1] == "&Help"


def test_help_says_how_far_left_and_right_move(qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth) -> None:
    # Was: F1 listed "Left  Back" and "Right  Forward", and their tips "a few seconds": a
    # first-time user could not tell a frame from 5 s, nor back from the file before.
    window = make_window(video=gui_video.path)
    shortcuts = window.shortcuts_text()
    for key, way in (("Left", "Back"), ("Right", "Forward")):
        found = re.search(rf"<b>{key}</b>&nbsp;&nbsp;</td><td>([^<]*)<", shortcuts)
        assert found is not None, key
        # A slide show's step is a picture, playing too: its 5 s was 2 pictures (4 s).
        assert found.group(1) == f"{way} a frame when paused, 5 s while playing (a picture in a slide show)"
    for action in (window.step_back_action, window.step_forward_action):
        assert "5 s" in action.toolTip() and "a few seconds" not in action.toolTip()
        assert "a picture in a slide show" in action.toolTip()
    # The menu keeps its short words, beside their keys.
    assert plain(window.step_back_action.text()) == "Back"


def test_the_shortcut_list_says_what_a_key_does_whatever_is_playing(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Before, Space was listed under its button's word of the moment: "Pause" while a file
    # played, "Play" once paused, "Stop" for a camera, as if that were all it did.
    bench = CameraBench(gui_video.path, good_frames=10_000)
    window = make_window(devices=[CameraDevice("Desk camera", 0)], source_factory=bench)
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    assert plain(window.play_pause_action.text()) == "Stop"
    lists = [window.shortcuts_text()]
    play_looping(window, gui_video.path)  # never ended before it is paused
    qtbot.waitUntil(lambda: window.is_file and window.is_running, timeout=WAIT_MS)
    assert plain(window.play_pause_action.text()) == "Pause"
    lists.append(window.shortcuts_text())
    pause_on_shown_frame(qtbot, window)
    assert plain(window.play_pause_action.text()) == "Play"
    lists.append(window.shortcuts_text())
    assert lists[1:] == lists[:-1]
    assert "<b>Space</b>&nbsp;&nbsp;</td><td>Play / pause a file; start / stop a camera or screen<" in lists[0]


def _menu_keys(menu: QMenu) -> list[str]:
    """The keys of ``menu``'s entries and its submenus', in the order it shows them."""
    keys: list[str] = []
    for action in menu.actions():
        opened = action.menu()
        if opened is not None:
            keys += _menu_keys(opened)
        elif not action.shortcut().isEmpty():
            keys.append(action.shortcut().toString(QKeySequence.SequenceFormat.NativeText))
    return keys


def test_the_shortcut_list_follows_the_menus(make_window: WindowFactory) -> None:
    # Was: sorted by what the keys do, it read Left, Right, F11, F1, Esc, M, Ctrl+Shift+O…:
    # no order a user could follow, Space in the middle and Esc apart from F11.
    window = make_window()
    shortcuts = window.shortcuts_text()
    table = shortcuts[: shortcuts.index("</table>")]
    groups: dict[str, list[str]] = {"": []}
    heading = ""
    for title, key in re.findall(r"<th[^>]*>(?:<[^>]+>)*([^<]+)|<b>([^<]+)</b>&nbsp;", table):
        if title:
            heading = title
            groups[heading] = []
        else:
            groups[heading].append(key)
    menus = {plain(title): _menu_keys(menu) for title, menu in submenus(menu_bar(window)).items()}
    assert [title for title, keys in groups.items() if keys] == [title for title, keys in menus.items() if keys]
    assert groups["Playback"] == ["Space", "Left", "Right", "Home"]
    # Esc, which no menu lists, beside the F11 it undoes; each menu's keys in its own order.
    assert groups["View"] == [*menus["View"], "Esc"] and menus["View"][-1] == "F11"
    for title, keys in menus.items():
        assert groups.get(title, []) == keys or title == "View", title
    # Every key of the window's actions is listed, once.
    actions = [a for a in window.findChildren(QAction) if not a.shortcut().isEmpty() and a.text()]
    assert sorted(key for keys in groups.values() for key in keys) == sorted(
        a.shortcut().toString(QKeySequence.SequenceFormat.NativeText) for a in actions
    )


def test_the_open_dialogs_first_filter_shows_every_kind_the_app_plays() -> None:
    # The dialog opens on its first filter: a file it does not match stays hidden.
    first = VIDEO_FILTER.split(";;")[0]
    patterns = first[first.index("(") + 1 : first.rindex(")")].split()
    for name in ("talk.mp4", "still.png", "wave.webp", "pages.tiff", "loop.gif", "camera.mjpeg", "camera.mjpg"):
        assert any(fnmatch.fnmatch(name, pattern) for pattern in patterns), name


def test_images_and_folders_open_like_videos(qtbot: QtBot, make_window: WindowFactory, tmp_path: Path) -> None:
    assert "*.png" in VIDEO_FILTER and "*.mp4" in VIDEO_FILTER
    frames, _ = astronaut_frames(num_frames=3, frame_size=(240, 180), face_size=80, motion="static")
    folder = tmp_path / "stills"
    write_slide_show(folder, frames)
    window = make_window(video=folder)
    wait_for_face_result(qtbot, window)
    assert source_info_of(window).frame_count == 3 and window.playback_bar.isVisible()
    window.seek(2)
    qtbot.waitUntil(lambda: shown_result(window).frame_index == 2, timeout=WAIT_MS)
    assert window.settings.recent_files[0] == str(folder)


def test_the_end_of_a_picture_counts_pictures(qtbot: QtBot, make_window: WindowFactory, tmp_path: Path) -> None:
    frames, _ = astronaut_frames(num_frames=1, frame_size=(240, 180), face_size=80, motion="static")
    picture = tmp_path / "group.png"
    cv2.imwrite(str(picture), frames[0])
    window = make_window(video=picture)
    qtbot.waitUntil(lambda: "Finished playing" in window.source_banner.text(), timeout=WAIT_MS)
    assert "Finished playing group.png (1 picture)" in window.source_banner.text()


def test_a_folder_of_clips_and_pictures_says_its_videos_were_left_out(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # A folder of real clips (six videos, two photos) played its two photos and ended
    # "Finished playing real-clips (2 pictures)": why the clips (or a subfolder's pictures)
    # never played was said only on stderr, which a window's user does not see.
    folder = tmp_path / "clips"
    folder.mkdir()
    cv2.imwrite(str(folder / "group.png"), astronaut_bgr())
    for name in ("talk.avi", "interview.mp4"):
        write_astronaut_video(folder / name, num_frames=3, frame_size=(160, 120), face_size=50)
    (folder / "day two").mkdir()  # its pictures are not looked for either
    cv2.imwrite(str(folder / "day two" / "more.png"), astronaut_bgr())
    window = make_window(video=folder)
    wait_for_face_result(qtbot, window)
    qtbot.waitUntil(lambda: "Finished playing" in window.source_banner.text(), timeout=WAIT_MS)
    assert window.source_banner.text() == (
        "Finished playing clips (1 picture; 2 video files left out: open each on its own; 1 subfolder not looked into)"
    )


def test_a_folder_with_one_clip_says_to_open_it_not_each(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was "1 video file left out: open each on its own", and subfolders counted in the plural.
    folder = tmp_path / "clips"
    folder.mkdir()
    cv2.imwrite(str(folder / "group.png"), astronaut_bgr())
    write_astronaut_video(folder / "talk.avi", num_frames=3, frame_size=(160, 120), face_size=50)
    for name in ("day two", "day three"):
        (folder / name).mkdir()
    window = make_window(video=folder)
    wait_for_face_result(qtbot, window)
    qtbot.waitUntil(lambda: "Finished playing" in window.source_banner.text(), timeout=WAIT_MS)
    assert window.source_banner.text() == (
        "Finished playing clips (1 picture; 1 video file left out: open it on its own; 2 subfolders not looked into)"
    )


def test_the_end_of_a_slide_show_counts_its_pictures_not_the_place_sought(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    frames, _ = astronaut_frames(num_frames=3, frame_size=(240, 180), face_size=80, motion="static")
    folder = tmp_path / "stills"
    write_slide_show(folder, frames)
    (folder / "zz1-damaged.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"not the rest of an image")
    (folder / "zz2-empty.jpg").write_bytes(b"")  # no picture's first bytes: no place in the show
    window = make_window(video=folder)
    wait_for_face_result(qtbot, window)
    window.pause()
    window.seek(3)  # the last place, a file that does not read: the show ends there
    qtbot.waitUntil(lambda: "Finished playing" in window.source_banner.text(), timeout=WAIT_MS)
    assert window.source_banner.text() == (
        "Finished playing stills (3 pictures; 2 files could not be read: zz1-damaged.png, zz2-empty.jpg)"
    )


def test_a_slide_show_with_a_broken_file_counts_only_its_pictures_and_names_the_file(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: the seek bar said 0:06 (a slot kept for the broken file) and the end said
    # "Finished playing stills (2 pictures)", the skip written only to the log.
    frames, _ = astronaut_frames(num_frames=2, frame_size=(240, 180), face_size=80, motion="static")
    folder = tmp_path / "stills"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), frames[0])
    (folder / "b.jpg").write_bytes(np.random.default_rng(7).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    cv2.imwrite(str(folder / "c.png"), frames[1])
    window = make_window(video=folder)
    qtbot.waitUntil(lambda: "Finished playing" in window.source_banner.text(), timeout=WAIT_MS)
    assert window.source_banner.text() == "Finished playing stills (2 pictures; 1 file could not be read: b.jpg)"
    assert window.playback_bar.duration_label.text() == "0:04"
    assert window.playback_bar.slider.maximum() == 1


def test_a_slide_show_with_a_name_that_is_not_utf8_counts_it_without_asking_opencv(tmp_path: Path) -> None:
    import os

    from emotion_app.sources.files import StillsFrameSource

    frames, _ = astronaut_frames(num_frames=3, frame_size=(120, 90), face_size=60, motion="static")
    names = [b"a1.png", b"a2-caf\xe9.png", b"a3.png"]  # OpenCV 4.14 crashed on the second
    for name, frame in zip(names, frames):
        ok, data = cv2.imencode(".png", frame)
        with open(os.path.join(os.fsencode(tmp_path), name), "wb") as handle:
            handle.write(data.tobytes())
    show = StillsFrameSource(tuple(tmp_path / os.fsdecode(name) for name in names))
    assert show.seek(2) and show.read() is not None and show.read() is None  # the second one passed over
    assert show.pictures == 3


def test_a_single_image_is_decoded_once_when_it_opens(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from emotion_app.samples import astronaut_bgr
    from emotion_app.sources.opening import open_frame_source
    from emotion_app.sources.specs import VideoFileSpec

    whole = tmp_path / "whole.jpg"
    assert cv2.imwrite(str(whole), astronaut_bgr())
    cut = tmp_path / "cut.jpg"  # a download that stopped: each decode of it warns
    cut.write_bytes(whole.read_bytes()[:-2000])
    show = open_frame_source(VideoFileSpec(cut))
    frame = show.read()
    assert frame is not None and frame.shape == (512, 512, 3) and show.read() is None
    assert caplog.text.count("cut short") == 1, caplog.text


def test_a_dropped_file_plays_and_recent_files_are_listed(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path
) -> None:
    window = make_window()
    assert window.acceptDrops()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(gui_video.path))])
    event = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    window.dropEvent(event)
    assert isinstance(window.source, VideoFileSpec) and Path(window.source.path) == gui_video.path
    wait_for_face_result(qtbot, window)
    other = tmp_path / "other.avi"
    other.write_bytes(gui_video.path.read_bytes())
    window.open_video(other)
    # Listed once it opened (see test_gui_recent_files.py).
    qtbot.waitUntil(lambda: window.settings.recent_files[:1] == [str(other)], timeout=WAIT_MS)
    names = [action.text() for action in window.recent_menu.actions() if action.text()]
    assert names[:2] == ["&1 other.avi", f"&2 {gui_video.path.name}"]
    other.unlink()
    window.open_video(gui_video.path)
    qtbot.waitUntil(lambda: window.settings.recent_files[:1] == [str(gui_video.path)], timeout=WAIT_MS)
    listed = {action.data(): action for action in window.recent_menu.actions()}
    # Gone from disk: shown, and greyed out once the background check answers.
    qtbot.waitUntil(lambda: not listed[str(other)].isEnabled(), timeout=WAIT_MS)
    assert listed[str(gui_video.path)].isEnabled()


def test_a_stored_list_of_thousands_of_recent_files_is_cut_not_listed_whole(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path
) -> None:
    # 20 000 recent files in a settings file of 1 MB (under --settings' limit) froze the
    # window for minutes: a menu entry each, every one looked up again as each answer came.
    path = tmp_path / "settings.ini"
    files = ", ".join(f"{tmp_path}/gone{i}.mp4" for i in range(3000))
    urls = ", ".join(f"http://10.0.{i // 250}.{i % 250}:8080/video" for i in range(3000))
    path.write_text(f"[files]\nrecent={files}\n[camera]\nstream_urls={urls}\n")
    window = make_window(settings=path)  # no source: nothing opened cuts the list first
    entries = [action.text() for action in window.recent_menu.actions() if action.text()]
    assert entries == [f"&{i + 1} gone{i}.mp4" for i in range(8)] + ["&Clear the list"]
    assert window.picker.count() == 8  # the network cameras: the newest 8
    # Each is looked up in the background, and greyed out as it is found gone.
    qtbot.waitUntil(lambda: not any(action.isEnabled() for action in window.recent_menu.actions()[:8]), timeout=WAIT_MS)
    window.open_video(gui_video.path)
    wait_for_face_result(qtbot, window)
    assert window.settings.sync() and len(AppSettings.at_path(path).recent_files) == 8


def test_one_name_a_plain_status_and_a_minimum_size(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    window = make_window()
    play_looping(window, gui_video.path)  # 2 s: it could end before it is paused
    assert APP_TITLE == APPLICATION == "Emotion Camera"
    wait_for_face_result(qtbot, window)
    assert window.windowTitle() == f"Emotion Camera — {gui_video.path.name}"
    qtbot.waitUntil(
        lambda: (
            re.fullmatch(r"Playing · 0:0\d / 0:02 · 1 face · \d+ fps", window.status.summary_label.text()) is not None
        ),
        timeout=WAIT_MS,
    )
    assert not window.status.display_label.isVisible()  # figures for engineers: in the tooltip
    assert "Latency" in window.status.summary_label.toolTip()
    window.details_action.trigger()
    assert window.status.display_label.isVisible()
    window.pause()
    qtbot.waitUntil(lambda: window.status.summary_label.text().startswith("Paused · "), timeout=WAIT_MS)
    window.resize(200, 150)
    assert window.width() >= MIN_WINDOW_SIZE[0] and window.height() >= MIN_WINDOW_SIZE[1]


def test_a_first_window_and_a_restored_one_fit_the_screen(
    qtbot: QtBot, make_window: WindowFactory, settings_path: Path
) -> None:
    # A laptop at 125-150% scaling has less room than the first window's size: it opened
    # taller than the screen, its status bar and seek bar out of reach.
    window = make_window(size=None)
    screen = window.screen()
    assert screen is not None
    room = screen.availableGeometry()
    assert FIRST_WINDOW_SIZE[0] > room.width() or FIRST_WINDOW_SIZE[1] > room.height(), "the test needs a small screen"
    assert window.width() <= room.width() and window.height() <= room.height(), (window.size(), room)
    assert window.width() >= min(MIN_WINDOW_SIZE[0], room.width())
    assert window.height() >= min(MIN_WINDOW_SIZE[1], room.height())

    window.resize(2 * room.width(), 2 * room.height())  # saved on a larger screen
    window.close()
    again = make_window(size=None, settings=settings_path)
    assert again.width() <= room.width() and again.height() <= room.height(), (again.size(), room)


def test_the_status_line_names_a_new_face_with_its_box(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    window = make_window(video=gui_video.path)
    window._status_timer.stop()  # only the face's arrival may update it now
    wait_for_face_result(qtbot, window)
    # Its rate, if any, after it: none in the first 2 s of a file, nor before a frame is painted.
    assert re.search(r" · 1 face( · |$)", window.status.summary_label.text()), window.status.summary_label.text()


def test_the_status_line_turns_with_play_and_pause(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: Pause pressed, the toolbar read "Play" beside "Playing · 0:01 / 0:02 · …" in the
    # status line until its next refresh, half a second later.
    window = make_window()
    play_looping(window, gui_video.path)  # never at its end when paused
    wait_for_face_result(qtbot, window)
    window.pause()
    assert plain(window.play_pause_action.text()) == "Play"
    assert window.status.summary_label.text().startswith("Paused · "), window.status.summary_label.text()
    window.resume()
    assert plain(window.play_pause_action.text()) == "Pause"
    assert window.status.summary_label.text().startswith("Playing · "), window.status.summary_label.text()


def test_the_status_line_says_finished_with_the_start_button(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: at a file's end the toolbar read "Start" beside "Playing · 0:02 / 0:02 · 1 face
    # · 28 fps" until the status line's next refresh (seen on the real single_face.mp4):
    # a file whose last second is its length's (2.9 s) says no new time at its end.
    clip = write_astronaut_video(tmp_path / "clip.avi", num_frames=44, frame_size=(320, 240), face_size=80, fps=15.0)
    window = make_window(video=clip.path)
    said: list[tuple[str, str]] = []
    # Connected after the window's own handler: it runs once the window has taken the end.
    window.controller.source_fault.connect(
        lambda _fault: said.append((window.start_stop_action.text(), window.status.summary_label.text()))
    )
    wait_for_face_result(qtbot, window)
    wait_until_stopped(qtbot, window)
    assert window.source_state.ended
    assert said, "no end was told"
    button, line = said[0]
    assert button == "Start"
    assert line.startswith("Finished"), line


def test_the_status_line_says_opening_until_the_new_sources_first_frame(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path
) -> None:
    # Was: from the moment another file opened, the line read "Playing · 0:00 / 0:02 · 1
    # face · 0 fps", the face that of the source before's frame left on screen and "0 fps"
    # as if it had stalled, until the new file's first frame was looked at (0.2-1 s on the
    # real clips; a photo of 5 faces read "1 face" for a second).
    window = make_window(video=gui_video.path)
    wait_for_face_result(qtbot, window)
    window._status_timer.stop()  # only the window's own moments may update the line now
    other = write_astronaut_video(tmp_path / "other.avi", num_frames=20, frame_size=(320, 240), face_size=80)
    said_at_open: list[str] = []
    said_at_first: list[str] = []
    # Connected after the window's own handlers: each runs once the window has taken the news.
    window.controller.source_opened.connect(lambda _info: said_at_open.append(window.status.summary_label.text()))

    def first_frame(result: InferenceResult) -> None:
        if result.stream_id == window.source_state.stream_id and not said_at_first:
            said_at_first.append(window.status.summary_label.text())

    window.controller.result_ready.connect(first_frame)
    window.open_video(other.path)
    qtbot.waitUntil(lambda: bool(said_at_first), timeout=WAIT_MS)
    assert said_at_open == ["Opening…"]
    # The same count of faces as the frame before: the line still turns with the first frame.
    assert re.fullmatch(r"Playing · 0:00 / 0:02 · 1 face", said_at_first[0]), said_at_first


def test_the_status_lines_frame_rate_and_its_technical_figure_agree(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: "Playing · 0:08 / 0:09 · 2 faces · 25 fps" beside "Display 26.9 fps" (the real
    # stage clip): the summary said at each second of the clock, its figures half-second apart.
    window = make_window()
    window.details_action.setChecked(True)
    window._status_timer.stop()  # only the clock's seconds may update the line now
    play_looping(window, gui_video.path)
    said: list[tuple[str, str]] = []
    window.playback_bar.time_said.connect(
        lambda: said.append((window.status.summary_label.text(), window.status.display_label.text()))
    )
    qtbot.waitUntil(lambda: len([s for s in said if s[0].endswith(" fps")]) >= 3, timeout=WAIT_MS)
    for summary, display in said:
        rate = re.search(r" · (\d+) fps$", summary)
        if rate is None:
            continue  # a summary without a rate (a frame alone tells none)
        shown = re.fullmatch(r"Display (\d+\.\d) fps", display)
        assert shown is not None, (summary, display)
        assert abs(int(rate.group(1)) - float(shown.group(1))) <= 0.55, (summary, display)


def test_a_file_just_opened_tells_its_frame_rate_once_two_seconds_are_counted(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: "26 fps" for a 24 fps file at 0:00, "33 fps" for a 30 fps one after Home: a rate
    # from the few frames shown since it opened.
    window = make_window()
    window.details_action.setChecked(True)
    shown: list[float] = []
    window.view.frame_presented.connect(lambda _result, at: shown.append(at))
    play_looping(window, gui_video.path)
    said: list[tuple[float, str, str]] = []

    def told() -> bool:
        said.append(_status_now(window))
        return said[-1][1].endswith(" fps")

    qtbot.waitUntil(told, timeout=WAIT_MS)
    assert shown
    _assert_rates_told_two_seconds_after(said, shown)


def _status_now(window: MainWindow) -> tuple[float, str, str]:
    return time.perf_counter(), window.status.summary_label.text(), window.status.display_label.text()


def _assert_rates_told_two_seconds_after(said: list[tuple[float, str, str]], shown: list[float]) -> None:
    """Every status line ``said`` that tells a rate came 2 s or more after the first frame
    ``shown``, beside a display figure; one playing without a rate, beside "Display –"."""
    for at, summary, display in said:
        if summary.endswith(" fps"):
            assert shown and at - shown[0] >= 2.0, (at - shown[0] if shown else None, summary)
            assert re.fullmatch(r"Display \d+\.\d fps", display), display
        elif summary.startswith("Playing"):
            assert display == "Display –", (summary, display)


def test_a_paused_file_played_on_tells_its_frame_rate_once_two_seconds_are_counted(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: played on after a pause, it read "Playing · 0:01 / 0:02 · 1 face · 0 fps" (its
    # last frame shown before the pause, seconds ago, as if it had stalled), then a rate of
    # the few frames since ("25 fps" for 30 fps), as a file just opened did.
    window = make_window()
    window.details_action.setChecked(True)
    shown: list[float] = []
    window.view.frame_presented.connect(lambda _result, at: shown.append(at))
    play_looping(window, gui_video.path)
    qtbot.waitUntil(lambda: bool(shown), timeout=WAIT_MS)
    window.pause()
    qtbot.waitUntil(lambda: window.status.summary_label.text().startswith("Paused · "), timeout=WAIT_MS)
    qtbot.wait(int(STREAM_STALL_FLOOR_S * 1000) + 200)  # paused longer than a stream may stall
    shown.clear()
    window.resume()
    said = [_status_now(window)]

    def told() -> bool:
        said.append(_status_now(window))
        return said[-1][1].endswith(" fps") and bool(shown)

    qtbot.waitUntil(told, timeout=WAIT_MS)
    assert said[0][1].startswith("Playing · "), said[0]
    _assert_rates_told_two_seconds_after(said, shown)


def test_a_finished_files_status_line_counts_the_boxes_left_on_screen(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # Was: "Finished" alone beside the boxed faces of the last frame, where the paused
    # state says "· 1 face" and the view's description "Finished. 1 face: …".
    window = make_window(video=gui_video.path)
    wait_for_face_result(qtbot, window)
    wait_until_stopped(qtbot, window)
    assert window.source_state.ended
    shown = window.view.result
    assert shown is not None and shown.faces  # the astronaut is on the last frame
    faces = count_text(len(shown.faces), "face")
    qtbot.waitUntil(lambda: window.status.summary_label.text() == f"Finished · {faces}", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.view.accessibleDescription().startswith(f"Finished. {faces}: "), timeout=WAIT_MS)


@pytest.mark.skipif(
    not sys.platform.startswith("linux"),
    reason="only where Qt keeps user settings in INI files can the test move them away from the real ones",
)
def test_settings_of_the_former_app_name_are_carried_over_once(qtbot: QtBot, tmp_path: Path) -> None:
    # Point the user's settings at tmp_path for this test, then back where Qt keeps them.
    default_home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path))
    try:
        old = QSettings(ORGANIZATION, FORMER_APPLICATIONS[0])
        old.setValue("camera/name", "USB Webcam")
        old.setValue("overlay/show_bars", False)
        old.setValue("overlay/steadiness", "bogus")
        old.setValue("files/recent", [str(tmp_path / "talk.mp4")])  # Qt writes a list of one as "@Variant(…)"
        old.sync()
        before = Path(old.fileName()).read_bytes()

        settings = AppSettings.user()
        assert APPLICATION in settings.location and FORMER_APPLICATIONS[0] not in settings.location
        assert settings.camera_name == "USB Webcam" and settings.show_bars is False
        assert settings.steadiness == DEFAULT_STEADINESS_LEVEL, "a bad old value is checked like any other"
        assert Path(old.fileName()).read_bytes() == before, "the old settings are left as they were"
        assert settings.recent_files == [str(tmp_path / "talk.mp4")]
        assert f"recent={tmp_path / 'talk.mp4'}\n" in Path(settings.location).read_text(), "carried over as text"

        settings.show_bars = True
        old.setValue("camera/name", "Another Camera")
        old.sync()
        again = AppSettings.user()
        assert again.show_bars is True and again.camera_name == "USB Webcam", "carried over only once"
    finally:
        QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, default_home)


def test_a_long_status_message_keeps_its_end_in_view(qtbot: QtBot, make_window: WindowFactory) -> None:
    # "Video file /a/long/path/clip.mp4: 1280x720, 30 fps": the permanent labels (state,
    # model) took the room of the message's end, the part that tells something.
    window = make_window()
    window.resize(MIN_WINDOW_SIZE[0], MIN_WINDOW_SIZE[1])
    window.show()
    qtbot.waitExposed(window)
    status = window.status
    message = "Video file /" + "/".join(f"folder{i}" for i in range(40)) + "/clip.mp4: 1280x720, 30 fps"
    status.showMessage(message, 5000)
    shown = status.currentMessage()
    assert shown != message and "…" in shown and shown.endswith("1280x720, 30 fps"), shown
    assert shown.startswith("Video file /folder0")
    # The model's name gives way to the message: it takes no more than its maximum width.
    room = status.width() - sum(
        min(label.sizeHint().width(), label.maximumWidth()) for label in status._permanent if label.isVisible()
    )
    assert status.fontMetrics().horizontalAdvance(shown) <= room
    status.showMessage("Stopped", 2000)
    assert status.currentMessage() == "Stopped"


def test_with_the_technical_figures_shown_a_status_message_is_not_cut_off(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth
) -> None:
    # With View > Technical figures, "Loaded emotion_cnn.safetensors (int8)" was drawn as
    # "Loaded emotion_cnn.safetensors (int": fitted with the gaps of two labels beside it,
    # not of the six shown, its end went under the first of them, with no "…" to say so.
    window = make_window(video=gui_video.path, size=FIRST_WINDOW_SIZE)
    wait_for_face_result(qtbot, window)
    window.details_action.setChecked(True)
    status = window.status

    def room() -> int:  # where Qt draws the message: up to the first label (QStatusBarPrivate::messageRect)
        return min(label.x() for label in status._labels_shown()) - 2 - 6

    for message in ("Loaded emotion_cnn.safetensors (int8)", "Video file /" + "a/" * 60 + "clip.mp4: 640x360, 24 fps"):
        status.showMessage(message, 60_000)
        qtbot.wait(100)  # the bar's layout settles
        shown = status.currentMessage()
        assert status.fontMetrics().horizontalAdvance(shown) <= room(), (shown, room())
        assert shown == message or ("…" in shown and shown.endswith(message[-6:])), shown


def test_a_dialog_offered_a_folder_not_made_yet_opens_in_its_nearest_existing_one(tmp_path: Path) -> None:
    from emotion_app.io.existence import folder_and_parents, nearest_folder

    # The window answers from checks made off its thread; os.path.isdir is what they ask.
    assert nearest_folder(folder_and_parents(str(tmp_path / "Pictures" / "Emotion Camera")), os.path.isdir) == str(
        tmp_path
    )
    assert nearest_folder(folder_and_parents(str(tmp_path)), os.path.isdir) == str(tmp_path)
    unanswered = {str(tmp_path / "Pictures"): None, str(tmp_path / "Pictures" / "Emotion Camera"): False}
    chain = folder_and_parents(str(tmp_path / "Pictures" / "Emotion Camera"))
    assert nearest_folder(chain, lambda folder: unanswered.get(folder, True)) is None  # no answer yet: no guess


def _drop_with_a_copy(window: MainWindow, video: Path, folder: Path) -> Path:
    """Drop ``video`` and a copy of it (``folder``/other.avi, returned) on ``window`` at once."""
    other = folder / "other.avi"
    other.write_bytes(video.read_bytes())
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(video)), QUrl.fromLocalFile(str(other))])
    event = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    window.dropEvent(event)
    return other


def test_dropping_several_files_plays_the_first_and_says_so(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path
) -> None:
    window = make_window()
    _drop_with_a_copy(window, gui_video.path, tmp_path)
    assert isinstance(window.source, VideoFileSpec) and Path(window.source.path) == gui_video.path
    assert "1 other item" in window.notice_banner.text() and gui_video.path.name in window.notice_banner.text()


def test_the_note_of_files_left_aside_goes_when_another_source_plays(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path
) -> None:
    # "Playing clip.avi; 1 other item dropped with it left aside" stayed over the next file
    # opened, naming a file no longer playing.
    window = make_window()
    other = _drop_with_a_copy(window, gui_video.path, tmp_path)
    note = window.notice_banner.text()
    assert "1 other item" in note
    wait_for_face_result(qtbot, window)
    assert window.source is not None
    window.start_source(window.source)  # the dropped file played again: still the one it names
    assert window.notice_banner.text() == note
    window.open_video(other)
    assert window.notice_banner.text() == ""
    # A notice of something else (a snapshot saved) stays over another source, as before.
    window.notice_banner.show_message("Saved snapshot x.png in /tmp", "info")
    window.open_video(gui_video.path)
    assert window.notice_banner.text() == "Saved snapshot x.png in /tmp"


def test_a_picture_or_a_folder_is_not_called_a_video_file(tmp_path: Path, gui_video: VideoTruth) -> None:
    from emotion_app.sources.specs import VideoFileSpec

    picture = tmp_path / "group.png"
    cv2.imwrite(str(picture), astronaut_frames(num_frames=1, motion="static")[0][0])
    assert VideoFileSpec(picture).describe(capital=True) == f"Image {picture}"
    assert VideoFileSpec(tmp_path).describe() == f"folder of images {tmp_path}"
    assert VideoFileSpec(gui_video.path).describe() == f"video file {gui_video.path}"


def test_a_multi_page_tiff_is_called_so_once_opened(qtbot: QtBot, make_window: WindowFactory, tmp_path: Path) -> None:
    # Its pages played as a slide show while the window called it "Image PATH": only the
    # capture side, opening the file, learns it holds several pages.
    frames, _ = astronaut_frames(num_frames=3, frame_size=(240, 180), face_size=80, motion="static")
    scans = tmp_path / "scans.tiff"
    assert cv2.imwritemulti(str(scans), list(frames))
    single = tmp_path / "single.tiff"
    cv2.imwrite(str(single), frames[0])
    window = make_window()
    shown: list[str] = []
    window.status.messageChanged.connect(shown.append)
    window.open_video(scans)
    # A long path is elided in its middle to fit the status bar.
    qtbot.waitUntil(lambda: any(text.startswith("Multi-page image ") for text in shown), timeout=WAIT_MS)
    assert any(text.endswith("scans.tiff (3 pages): 240x180") for text in shown), shown
    assert window.playback_bar.slider.maximum() == 2 and not any(text.startswith("Image ") for text in shown)
    window.open_video(single)  # one picture: still an image
    qtbot.waitUntil(lambda: any(text.startswith("Image ") for text in shown), timeout=WAIT_MS)
    assert any(text.endswith("single.tiff: 240x180") for text in shown), shown


def test_a_playing_slide_show_is_not_said_to_run_at_0_fps(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # A picture every 2 s read "Playing · 0:02 / 0:06 · 1 face · 0 fps", as if it had stalled;
    # the source's own line already leaves a slide show's rate out.
    frames, _ = astronaut_frames(num_frames=3, frame_size=(240, 180), face_size=80, motion="static")
    folder = tmp_path / "stills"
    write_slide_show(folder, frames)
    window = make_window(video=folder)
    wait_for_face_result(qtbot, window)
    qtbot.waitUntil(lambda: window.status.summary_label.text().startswith("Playing · "), timeout=WAIT_MS)
    assert re.fullmatch(r"Playing · 0:0\d / 0:06 · 1 face", window.status.summary_label.text())


def test_a_dropped_weights_file_is_loaded_as_the_model(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, tmp_path: Path
) -> None:
    window = make_window()
    mine = make_random_weights(tmp_path / "mine.safetensors", num_classes=7, seed=4)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(mine))])
    event = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    window.dropEvent(event)
    # Was: opened as a video, "OpenCV cannot decode it (damaged, or not a video)".
    qtbot.waitUntil(lambda: model_status_of(window).active_weights == mine, timeout=WAIT_MS)
    assert model_status_of(window).labels == SEVEN_LABELS and "decode" not in window.source_banner.text()

    # With a video: the video plays and the model loads.
    other = make_random_weights(tmp_path / "other.safetensors", num_classes=6, seed=5)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(other)), QUrl.fromLocalFile(str(gui_video.path))])
    event = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    window.dropEvent(event)
    assert isinstance(window.source, VideoFileSpec) and Path(window.source.path) == gui_video.path
    qtbot.waitUntil(lambda: model_status_of(window).active_weights == other, timeout=WAIT_MS)
    assert window.notice_banner.text() == ""  # nothing left aside


def test_a_weights_file_opened_as_a_video_is_told_a_model_not_a_damaged_video(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was (gui_monkey seeds 7105-7112, File > Open with "All files"): "Could not open
    # video file …/model.safetensors: OpenCV cannot decode it (damaged, or not a video)",
    # the words the drop of a weights file was freed from, the model called damaged.
    window = make_window()
    qtbot.waitUntil(lambda: window.model_status is not None, timeout=WAIT_MS)
    model_before = active_weights_of(window)
    mine = make_random_weights(tmp_path / "mine.bin", num_classes=7, seed=4)  # told by its bytes, not its name
    garbage = tmp_path / "garbage.safetensors"  # no weights, whatever its name says
    garbage.write_bytes(bytes(range(256)) * 64)
    said = {
        mine: "it is a model's weights file (safetensors), not a video; models load through Model > Load weights…",
        garbage: "OpenCV cannot decode it (damaged, or not a video)",
    }
    for path, reason in said.items():
        content = path.read_bytes()
        monkeypatch.setattr(window, "ask_open_path", lambda _title, _folder, _filters, path=path: str(path))
        window.source_banner.dismiss()
        window.open_video_dialog()
        qtbot.waitUntil(lambda: window.source_banner.text() != "", timeout=WAIT_MS)
        assert window.source_banner.text() == f"Could not open video file {path}: {reason}"
        assert active_weights_of(window) == model_before and path.read_bytes() == content


def test_save_as_suggests_the_names_snapshot_and_record_give(
    qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ctrl+S and Ctrl+R name their files emotion-snapshot-… and emotion-recording-…, but
    # their "as" dialogs suggested emotion-<when>.png and .mp4: two naming schemes side by
    # side in the output folder.
    window = make_window(video=gui_video.path)
    wait_for_face_result(qtbot, window)
    suggested: list[str] = []

    def cancel(title: str, suggestion: str, filters: str) -> str:
        suggested.append(Path(suggestion).name)
        return ""

    monkeypatch.setattr(window, "ask_save_path", cancel)
    window.snapshot_dialog()
    window.record_as_action.trigger()
    assert len(suggested) == 2, suggested
    assert re.fullmatch(r"emotion-snapshot-\d{8}-\d{6}\.png", suggested[0]), suggested
    assert re.fullmatch(r"emotion-recording-\d{8}-\d{6}\.mp4", suggested[1]), suggested


def test_stop_is_said_once_in_the_status_bar(qtbot: QtBot, make_window: WindowFactory, gui_video: VideoTruth) -> None:
    # Was: "Stopped" on the left (a message for 2 s) beside "Stopped" on the right (the
    # summary), twice in one bar.
    window = make_window(video=gui_video.path)
    wait_for_face_result(qtbot, window)
    window.pause()  # the file stays open, its end far off
    messages: list[str] = []
    window.status.messageChanged.connect(messages.append)
    with qtbot.waitSignal(window.controller.source_stopped, timeout=WAIT_MS):
        window.stop()
    qtbot.wait(50)  # its handler has run
    assert "Stopped" not in messages and window.status.currentMessage() != "Stopped"
    # At once, not a refresh later; with the faces of the frame left on screen, as paused.
    shown = window.view.result
    assert shown is not None
    faces = count_text(len(shown.faces), "face") if shown.faces else "no faces"
    assert window.status.summary_label.text() == f"Stopped · {faces}"
    assert window.source_banner.text() == ""  # nor in a banner
