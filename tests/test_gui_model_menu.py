"""The Model menu: lists the weights files with their cards' facts, switches without
stopping the video, and remembers the choice."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest
from PyQt6.QtCore import QEvent, QPoint
from PyQt6.QtGui import QAction, QHelpEvent
from PyQt6.QtWidgets import QApplication, QToolTip, QWidget
from pytestqt.qtbot import QtBot
from safetensors.torch import load_file, save_file

from emotion_app.gui.main_window import MainWindow
from emotion_app.gui.messages import ModelStatus
from emotion_app.gui.mnemonics import plain
from emotion_app.gui.model_menu import ModelMenu
from emotion_app.inference.catalog import describe_weights, list_weights
from emotion_app.link_loops import LINK_LOOP
from emotion_app.samples import SEVEN_LABELS, SIX_LABELS, astronaut_bgr, make_random_weights, write_astronaut_video
from emotion_app.weights import DEFAULT_WEIGHTS_DIR, DEFAULT_WEIGHTS_NAME, DEFAULT_WEIGHTS_PATH, METADATA_KEY, read_card
from tests.gui_support import (
    WAIT_MS,
    WindowFactory,
    active_weights_of,
    model_status_of,
    shown_result,
    wait_for_dialog_folders,
    wait_for_face_result,
)


def with_training_facts(path: Path, labels: str, validation: float) -> Path:
    """Rewrite a weights file's card as training would have filled it."""
    card, tensors = read_card(path)
    card.training.update({"labels": labels, "validation_accuracy": validation})
    save_file(tensors, str(path), metadata={METADATA_KEY: card.to_json()})
    return path


def models_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "weights"
    folder.mkdir()
    with_training_facts(make_random_weights(folder / "zz_seven.safetensors", num_classes=7), "fer2013", 0.61)
    with_training_facts(make_random_weights(folder / DEFAULT_WEIGHTS_NAME, num_classes=6, seed=1), "ferplus", 0.8234)
    (folder / "broken.safetensors").write_bytes(b"not a weights file")
    (folder / "notes.txt").write_text("not listed")
    return folder


def test_the_catalogue_reads_each_card_and_lists_the_default_first(tmp_path: Path) -> None:
    entries = list_weights(models_folder(tmp_path))
    assert [e.path.name for e in entries] == [DEFAULT_WEIGHTS_NAME, "broken.safetensors", "zz_seven.safetensors"]
    default, broken, seven = entries
    assert default.labels == SIX_LABELS and default.trained_on == "FER+ votes"
    assert default.title == "emotion_cnn — 6 classes, FER+ votes, validation 82.3%"
    assert seven.labels == SEVEN_LABELS and seven.title == "zz_seven — 7 classes, FER-2013 labels, validation 61.0%"
    assert broken.error and broken.title == "broken (unreadable)"
    assert list_weights(tmp_path / "missing") == []


def test_an_accuracy_that_is_no_share_is_not_shown(tmp_path: Path) -> None:
    for odd in (float("nan"), float("inf"), True, 83.7, -0.1, "0.8"):
        path = make_random_weights(tmp_path / "odd.safetensors", num_classes=6)
        card, tensors = read_card(path)
        card.training.update({"labels": "ferplus", "validation_accuracy": odd})
        save_file(tensors, str(path), metadata={METADATA_KEY: card.to_json()})
        entry = describe_weights(path)
        assert entry.validation_accuracy is None and entry.title == "odd — 6 classes, FER+ votes", odd


def test_every_shipped_weights_file_is_listed_with_its_facts() -> None:
    entries = list_weights(DEFAULT_WEIGHTS_DIR)
    assert entries and entries[0].path.name == DEFAULT_WEIGHTS_NAME
    for entry in entries:
        assert not entry.error, entry
        tensors = load_file(str(entry.path))
        assert (
            entry.labels
            and entry.validation_accuracy is not None
            and entry.trained_on in ("FER+ votes", "FER-2013 labels")
        )
        assert tensors, entry
        assert describe_weights(entry.path) == entry


def fast_classifier_arrived(in_use: ModelStatus) -> ModelStatus:
    """What the worker says when the model in use has got its fast (int8) classifier."""
    return ModelStatus(
        in_use.weights_path,
        in_use.labels,
        active_weights=in_use.active_weights,
        inference_mode="int8",
        runner_changed=True,
    )


def test_choosing_a_model_switches_without_stopping_the_video_and_is_remembered(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, settings_path: Path
) -> None:
    folder = models_folder(tmp_path)
    # Long enough (40 s) that it is still playing when the other model has loaded, even on a busy machine.
    video = write_astronaut_video(
        tmp_path / "long.avi", num_frames=600, frame_size=(320, 240), face_size=80, motion="move", fps=15.0
    )
    window = make_window(video=video.path, weights=folder / DEFAULT_WEIGHTS_NAME, weights_dir=folder)
    wait_for_face_result(qtbot, window)
    menu = window.model_menu
    menu.refresh()
    titles = [plain(a.text()) for a in menu.actions() if a.text()]
    assert titles[0].startswith("1 emotion_cnn — 6 classes") and titles[-1] == "Load weights…"
    actions = {a.data().name: a for a in menu.model_actions()}
    assert actions[DEFAULT_WEIGHTS_NAME].isChecked() and not actions["broken.safetensors"].isEnabled()
    frame_before = shown_result(window).frame_index

    actions["zz_seven.safetensors"].trigger()
    qtbot.waitUntil(lambda: model_status_of(window).labels == SEVEN_LABELS, timeout=WAIT_MS)
    # The video never stopped: results with the new model's classes keep arriving.
    qtbot.waitUntil(
        lambda: window.view.result is not None and window.view.result.labels == SEVEN_LABELS, timeout=WAIT_MS
    )
    assert shown_result(window).frame_index > frame_before and window.is_running
    assert actions["zz_seven.safetensors"].isChecked() and not actions[DEFAULT_WEIGHTS_NAME].isChecked()
    window.close()

    # The next launch without --weights starts with the remembered model.
    again = make_window(weights=None, weights_dir=folder)
    assert model_status_of(again).ok and model_status_of(again).labels == SEVEN_LABELS
    assert active_weights_of(again).name == "zz_seven.safetensors"


def test_a_remembered_model_that_is_gone_falls_back_to_the_default(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, settings_path: Path
) -> None:
    from emotion_app.gui.settings import AppSettings

    gone = tmp_path / "deleted.safetensors"
    settings = AppSettings.at_path(settings_path)
    settings.weights_path = gone
    settings.sync()
    window = make_window(weights=None)
    assert model_status_of(window).ok and active_weights_of(window).name == DEFAULT_WEIGHTS_NAME
    assert window.model_banner.text() == ""  # gone since last time: nothing to say
    # Still the user's choice (a drive not plugged in, a share not mounted yet): once the
    # file is back, the next start loads it. Was: the shipped model was stored instead.
    assert window.settings.sync()
    assert AppSettings.at_path(settings_path).weights_path == gone
    window.close()
    make_random_weights(gone, seed=5)
    again = make_window(weights=None)
    assert model_status_of(again).ok and model_status_of(again).active_weights == gone


def test_a_remembered_model_that_cannot_be_reached_is_said_not_taken_for_gone(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, settings_path: Path
) -> None:
    # Was: a remembered file whose look-up fails (here a name longer than the file system
    # takes; a folder the user may not search fails alike) was taken for one deleted, and
    # the shipped model ran without a word, though the load said why it could not be read.
    from emotion_app.gui.settings import AppSettings

    unreachable = tmp_path / f"{'m' * 300}.safetensors"
    settings = AppSettings.at_path(settings_path)
    settings.weights_path = unreachable
    settings.sync()
    window = make_window(weights=None)
    qtbot.waitUntil(lambda: window.model_banner.text() != "", timeout=WAIT_MS)
    assert active_weights_of(window).name == DEFAULT_WEIGHTS_NAME
    assert window.model_banner.text() == (
        f"Could not load the model: cannot read weights file {unreachable}: File name too long. "
        f"Using {DEFAULT_WEIGHTS_NAME} for now; the next start tries {unreachable.name} again."
    )
    assert "\n" not in window.model_banner.text()
    assert window.settings.sync()
    assert AppSettings.at_path(settings_path).weights_path == unreachable  # still the user's choice


def test_a_remembered_model_that_is_a_loop_of_links_is_said_and_kept(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, settings_path: Path
) -> None:
    # Was: storing it raised RuntimeError out of the setter (Python 3.11's resolve() says so
    # for a loop of links, where 3.13 raises OSError, the only error asked about there).
    from emotion_app.gui.settings import AppSettings

    loop = tmp_path / "mine.safetensors"
    loop.symlink_to(tmp_path / "other.safetensors")
    (tmp_path / "other.safetensors").symlink_to(loop)
    settings = AppSettings.at_path(settings_path)
    settings.weights_path = loop
    assert settings.sync()
    window = make_window(weights=None)
    qtbot.waitUntil(lambda: window.model_banner.text() != "", timeout=WAIT_MS)
    assert active_weights_of(window).name == DEFAULT_WEIGHTS_NAME
    assert window.model_banner.text() == (
        f"Could not load the model: weights path {loop} is {LINK_LOOP}. "
        f"Using {DEFAULT_WEIGHTS_NAME} for now; the next start tries {loop.name} again."
    )
    assert window.settings.sync()
    assert AppSettings.at_path(settings_path).weights_path == loop  # still the user's choice


@pytest.mark.parametrize("name", ["clip.mp4", "notes.txt"])
def test_an_empty_file_not_named_as_weights_is_told_no_weights_file_not_damaged_weights(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, name: str
) -> None:
    # Was (gui_monkey seeds 7101, 7102, 7104): an empty clip.mp4 picked in Load weights…
    # (with "All files") was "the weights file is damaged or incomplete (it is empty)",
    # where a clip with frames in it is "not a weights file of this app".
    window = make_window()
    qtbot.waitUntil(lambda: window.model_status is not None, timeout=WAIT_MS)
    in_use = active_weights_of(window)
    empty = tmp_path / name
    empty.write_bytes(b"")
    window.choose_weights(empty)
    qtbot.waitUntil(lambda: model_status_of(window).weights_path == empty, timeout=WAIT_MS)
    assert window.model_banner.text() == (
        f"Could not load the model: {empty} is not a weights file of this app (a .safetensors model file is "
        f"expected). Still using {in_use.name}."
    )
    assert model_status_of(window).active_weights == in_use and empty.read_bytes() == b""


def test_a_file_named_as_weights_whose_bytes_are_no_header_is_not_told_safetensors_are_expected(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was (gui_monkey seeds 7116-7125, its corrupt.safetensors): "… notes.safetensors is not
    # a weights file of this app (a .safetensors model file is expected)": it is named so.
    window = make_window()
    qtbot.waitUntil(lambda: window.model_status is not None, timeout=WAIT_MS)
    in_use = active_weights_of(window)
    notes = tmp_path / "notes.safetensors"
    notes.write_bytes(b"not a safetensors file")
    window.choose_weights(notes)
    qtbot.waitUntil(lambda: model_status_of(window).weights_path == notes, timeout=WAIT_MS)
    assert window.model_banner.text() == (
        f"Could not load the model: {notes} is not a weights file of this app (named .safetensors, but not in "
        f"that format). Still using {in_use.name}."
    )
    assert model_status_of(window).active_weights == in_use
    assert notes.read_bytes() == b"not a safetensors file"


def test_a_model_of_the_menus_folder_that_is_a_loop_of_links_is_said_not_to_load(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: the menu's tick resolved the file chosen and raised RuntimeError (Python 3.11 on
    # a loop of links): the load was never asked for and "Loading loop.safetensors…" stayed.
    folder = models_folder(tmp_path)
    window = make_window(weights=folder / DEFAULT_WEIGHTS_NAME, weights_dir=folder)
    in_use = active_weights_of(window)
    loop = folder / "loop.safetensors"
    loop.symlink_to(folder / "back.safetensors")
    (folder / "back.safetensors").symlink_to(loop)
    window.choose_weights(loop)
    qtbot.waitUntil(lambda: model_status_of(window).weights_path == loop, timeout=WAIT_MS)
    assert window.model_banner.text() == (
        f"Could not load the model: weights path {loop} is {LINK_LOOP}. Still using {in_use.name}."
    )
    assert model_status_of(window).active_weights == in_use
    window.model_menu.refresh()  # as opening the menu does: the loop is no entry, the model in use ticked
    assert [action.data().name for action in window.model_menu.model_actions() if action.isChecked()] == [
        DEFAULT_WEIGHTS_NAME
    ]


def test_a_shipped_model_is_remembered_by_name_not_by_path(settings_path: Path, tmp_path: Path) -> None:
    # Remembered by path, the choice of the shipped model kept loading an older copy of
    # the app's weights (another checkout's) after this copy's own file had been updated.
    from PyQt6.QtCore import QSettings

    from emotion_app.gui.settings import AppSettings
    from emotion_app.weights import DEFAULT_WEIGHTS_PATH

    settings = AppSettings.at_path(settings_path)
    settings.weights_path = DEFAULT_WEIGHTS_PATH
    settings.sync()
    raw = QSettings(str(settings_path), QSettings.Format.IniFormat)
    assert raw.value("model/weights") == f"shipped:{DEFAULT_WEIGHTS_NAME}"
    assert AppSettings.at_path(settings_path).weights_path == DEFAULT_WEIGHTS_PATH
    # A model of the user's own is still remembered by its path.
    own = tmp_path / "mine.safetensors"
    own.write_bytes(DEFAULT_WEIGHTS_PATH.read_bytes())
    settings.weights_path = own
    settings.sync()
    assert QSettings(str(settings_path), QSettings.Format.IniFormat).value("model/weights") == str(own)
    assert AppSettings.at_path(settings_path).weights_path == own
    # A hand-edited name that is not a plain file of the folder, or is gone, is no choice.
    for bad in ("shipped:../README.md", "shipped:absent.safetensors", "shipped:"):
        raw = QSettings(str(settings_path), QSettings.Format.IniFormat)
        raw.setValue("model/weights", bad)
        raw.sync()
        assert AppSettings.at_path(settings_path).weights_path is None, bad


def test_a_link_to_a_shipped_model_is_remembered_by_the_shipped_files_name(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, settings_path: Path
) -> None:
    # A link elsewhere that leads to a file of weights/ is the shipped model: it was stored
    # by the link's own name ("shipped:best.safetensors"), a file weights/ does not have, and
    # the next start had no choice remembered.
    from emotion_app.gui.settings import AppSettings

    link = tmp_path / "best.safetensors"
    link.symlink_to(DEFAULT_WEIGHTS_PATH)
    window = make_window()
    window.choose_weights(link)
    qtbot.waitUntil(lambda: model_status_of(window).active_weights == link, timeout=WAIT_MS)
    assert [action.isChecked() for action in window.model_menu.model_actions()] == [
        action.data() == DEFAULT_WEIGHTS_PATH for action in window.model_menu.model_actions()
    ]
    assert window.settings.sync()
    assert AppSettings.at_path(settings_path).weights_path == DEFAULT_WEIGHTS_PATH
    # Stored through the setting itself, the same.
    settings = AppSettings.at_path(tmp_path / "other.ini")
    settings.weights_path = link
    assert settings.sync()
    assert AppSettings.at_path(tmp_path / "other.ini").weights_path == DEFAULT_WEIGHTS_PATH


def test_a_model_chosen_by_a_relative_path_is_kept_by_its_full_path(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, settings_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The fast classifier's build process starts in a folder of its own, and the next launch
    # may start in any folder: a relative path would name another file there, or none.
    from emotion_app.gui.launch import parse_args
    from emotion_app.gui.settings import AppSettings

    make_random_weights(tmp_path / "mine.safetensors", seed=3)
    monkeypatch.chdir(tmp_path)
    assert parse_args(["--weights", "mine.safetensors", "--video", "clip.avi"]).weights == tmp_path / "mine.safetensors"
    assert parse_args(["--video", "clip.avi"]).video == tmp_path / "clip.avi"
    window = make_window()
    window.choose_weights(Path("mine.safetensors"))
    qtbot.waitUntil(lambda: model_status_of(window).active_weights == tmp_path / "mine.safetensors", timeout=WAIT_MS)
    window.settings.sync()
    assert AppSettings.at_path(settings_path).weights_path == tmp_path / "mine.safetensors"


def test_a_failed_load_stays_on_screen_when_the_fast_classifier_arrives(
    qtbot: QtBot, make_window: WindowFactory
) -> None:

    window = make_window()
    current = model_status_of(window)
    failed = ModelStatus(
        Path("/nowhere/bad.safetensors"), current.labels, "weights file not found", current.active_weights
    )
    window._on_model_status(failed)
    assert window.model_banner.isVisible() and "Could not load the model" in window.model_banner.text()
    # The model in use finished building its fast classifier: no load happened.
    window._on_model_status(fast_classifier_arrived(current))
    assert window.model_banner.isVisible()
    # A model that did load clears it.
    window._on_model_status(current)
    assert not window.model_banner.isVisible()


def test_about_shows_a_cards_labels_as_text_never_as_markup(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    labels = ["<b>bold</b>", '<a href="http://x">x</a>', "happy", "sad", "surprise", "neutral"]
    window = make_window(weights=make_random_weights(tmp_path / "markup.safetensors", labels=labels))
    about = window.about_text()
    assert "&lt;b&gt;bold&lt;/b&gt;" in about and '<a href="http://x">' not in about


def test_the_status_bar_says_a_model_is_loading_until_it_has_or_failed(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # The faces keep the old model's labels while another loads beside the frames: without
    # a word, a switch looked as if it had been ignored until "Loaded" came.
    window = make_window()
    mine = make_random_weights(tmp_path / "mine.safetensors", seed=4)
    window.choose_weights(mine)
    assert window.status.currentMessage() == "Loading mine.safetensors…"
    qtbot.waitUntil(lambda: model_status_of(window).active_weights == mine, timeout=WAIT_MS)
    assert window.status.currentMessage().startswith("Loaded mine.safetensors")

    broken = tmp_path / "broken.safetensors"
    broken.write_bytes(b"not a weights file")
    window.choose_weights(broken)
    assert window.status.currentMessage() == "Loading broken.safetensors…"
    qtbot.waitUntil(lambda: model_status_of(window).weights_path == broken, timeout=WAIT_MS)
    assert window.status.currentMessage() == ""
    assert "Could not load the model" in window.model_banner.text()
    assert model_status_of(window).active_weights == mine


def test_a_picture_loaded_as_weights_is_said_to_be_no_weights_file(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: "... has a header of 5,064,878,326,892,452,095 bytes; at most 8,388,608 (not a
    # model of this app)": a JPEG's first bytes read as a safetensors header's size.
    window = make_window()
    in_use = model_status_of(window).active_weights
    assert in_use is not None
    picture = tmp_path / "holiday.jpg"
    cv2.imwrite(str(picture), astronaut_bgr())
    window.choose_weights(picture)
    qtbot.waitUntil(lambda: model_status_of(window).weights_path == picture, timeout=WAIT_MS)
    assert window.model_banner.text() == (
        f"Could not load the model: {picture} is not a weights file of this app (a .safetensors model file is "
        f"expected). Still using {in_use.name}."
    )
    assert model_status_of(window).active_weights == in_use


def test_a_truncated_weights_file_is_said_to_be_damaged(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Was: "... is truncated, corrupt or not a safetensors file (the file holds 2,966,840
    # bytes of tensors, its header 5,939,224)": the format's words before the plain fact.
    window = make_window()
    in_use = model_status_of(window).active_weights
    assert in_use is not None
    copy = tmp_path / "half copied.safetensors"
    data = DEFAULT_WEIGHTS_PATH.read_bytes()
    copy.write_bytes(data[: len(data) // 2])
    window.choose_weights(copy)
    qtbot.waitUntil(lambda: model_status_of(window).weights_path == copy, timeout=WAIT_MS)
    assert window.model_banner.text() == (
        f"Could not load the model: {copy}: the weights file is damaged or incomplete (cut short by "
        f"{len(data) - len(data) // 2:,} bytes). Still using {in_use.name}."
    )
    assert model_status_of(window).active_weights == in_use


def test_the_start_up_model_arriving_late_does_not_end_the_loading_note(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # A model chosen while the one given at start-up was still loading: the start-up model's
    # status said "Loaded" over "Loading" while the chosen one still loaded.

    window = make_window()
    start_up = model_status_of(window)
    mine = make_random_weights(tmp_path / "mine.safetensors", seed=5)
    window.choose_weights(mine)
    window._on_model_status(ModelStatus(start_up.weights_path, start_up.labels, active_weights=start_up.active_weights))
    assert window.status.currentMessage() == "Loading mine.safetensors…"
    qtbot.waitUntil(lambda: model_status_of(window).active_weights == mine, timeout=WAIT_MS)
    assert window.status.currentMessage().startswith("Loaded mine.safetensors")


def test_the_menu_ticks_the_model_chosen_while_it_loads_and_the_old_one_if_it_fails(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # Reopened during a load, the menu ticked the model still in use beside "Loading NEW…",
    # as if the pick had not been taken.

    folder = models_folder(tmp_path)
    window = make_window(weights=folder / DEFAULT_WEIGHTS_NAME, weights_dir=folder)
    in_use = model_status_of(window)
    menu = window.model_menu

    def ticked() -> list[str]:
        menu.refresh()  # as opening the menu does
        return [action.data().name for action in menu.model_actions() if action.isChecked()]

    window.choose_weights(folder / "zz_seven.safetensors")
    assert ticked() == ["zz_seven.safetensors"]
    # The model in use getting its fast classifier meanwhile does not take the tick back.
    window._on_model_status(fast_classifier_arrived(in_use))
    assert ticked() == ["zz_seven.safetensors"]
    qtbot.waitUntil(lambda: model_status_of(window).labels == SEVEN_LABELS, timeout=WAIT_MS)
    assert ticked() == ["zz_seven.safetensors"]

    window.choose_weights(folder / "broken.safetensors")
    qtbot.waitUntil(lambda: model_status_of(window).weights_path == folder / "broken.safetensors", timeout=WAIT_MS)
    assert ticked() == ["zz_seven.safetensors"]  # the model still in use


def test_load_weights_opens_where_a_model_was_loaded_last_else_in_the_shipped_folder(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, settings_path: Path
) -> None:
    # It always opened in the working directory: wherever the app happened to be started.
    from PyQt6.QtCore import QSettings

    mine = make_random_weights(tmp_path / "my models" / "mine.safetensors", seed=5)
    starts: list[str] = []

    def load_from(window: MainWindow, answer: str) -> None:
        """Load weights in ``window``, noting where the file dialog opened."""

        def choose(title: str, folder: str, filters: str) -> str:
            starts.append(folder)
            return answer

        window.ask_open_path = choose  # type: ignore[method-assign]
        wait_for_dialog_folders(qtbot, window)
        window.load_weights_action.trigger()

    window = make_window()
    load_from(window, "")  # cancelled: nothing remembered
    load_from(window, str(mine))
    qtbot.waitUntil(lambda: model_status_of(window).active_weights == mine, timeout=WAIT_MS)
    load_from(window, "")
    assert starts == [str(DEFAULT_WEIGHTS_DIR), str(DEFAULT_WEIGHTS_DIR), str(mine.parent)]
    window.close()
    load_from(make_window(), "")  # remembered in the settings
    assert starts[-1] == str(mine.parent)
    mine.parent.rename(tmp_path / "moved")  # a folder gone: the shipped folder again
    load_from(make_window(), "")
    assert starts[-1] == str(DEFAULT_WEIGHTS_DIR)
    # A stored value edited by hand or by another version is ignored, without a crash.
    for bad in (["a", "b"], "relative/folder", "", 7, f"{tmp_path}/a\0b"):
        store = QSettings(str(settings_path), QSettings.Format.IniFormat)
        store.setValue("model/last_weights_dir", bad)
        store.sync()
        del store
        load_from(make_window(), "")
        assert starts[-1] == str(DEFAULT_WEIGHTS_DIR), bad


def test_a_model_named_with_weights_is_for_that_run_and_a_pick_after_it_is_remembered(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, settings_path: Path
) -> None:
    from emotion_app.gui.settings import AppSettings

    folder = models_folder(tmp_path)
    chosen = folder / "zz_seven.safetensors"
    settings = AppSettings.at_path(settings_path)
    settings.weights_path = chosen  # picked in the Model menu some day before
    settings.sync()
    one_off = make_random_weights(tmp_path / "trying.safetensors", num_classes=6, seed=3)
    window = make_window(weights=one_off, weights_dir=folder)
    assert model_status_of(window).ok and model_status_of(window).active_weights == one_off
    assert window.settings.sync()
    # Was: the --weights file replaced the user's choice for every later start.
    assert AppSettings.at_path(settings_path).weights_path == chosen
    window.close()
    again = make_window(weights=None, weights_dir=folder)
    assert model_status_of(again).ok and model_status_of(again).active_weights == chosen
    again.close()

    # A model picked in a run started with --weights is the user's choice.
    third = make_window(weights=one_off, weights_dir=folder)
    actions = {a.data().name: a for a in third.model_menu.model_actions()}
    actions[DEFAULT_WEIGHTS_NAME].trigger()
    qtbot.waitUntil(lambda: model_status_of(third).active_weights == folder / DEFAULT_WEIGHTS_NAME, timeout=WAIT_MS)
    assert third.settings.sync()
    assert AppSettings.at_path(settings_path).weights_path == folder / DEFAULT_WEIGHTS_NAME


def test_of_two_entries_leading_to_one_file_the_one_picked_is_ticked(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, settings_path: Path
) -> None:
    # Two entries of weights/ that are one file (a link beside its target): loading either
    # ticked the later one, whichever the user had picked, named at launch or remembered.
    from emotion_app.gui.settings import AppSettings

    folder = models_folder(tmp_path)
    alias = folder / "alias.safetensors"  # listed before zz_seven, its target
    alias.symlink_to("zz_seven.safetensors")
    elsewhere = tmp_path / "elsewhere.safetensors"
    elsewhere.symlink_to(folder / "zz_seven.safetensors")

    def ticked(window: MainWindow) -> list[str]:
        window.model_menu.refresh()  # as opening the menu does
        return [action.data().name for action in window.model_menu.model_actions() if action.isChecked()]

    def pick(window: MainWindow, name: str) -> None:
        actions = {action.data().name: action for action in window.model_menu.model_actions()}
        actions[name].trigger()
        assert ticked(window) == [name]  # while it loads
        qtbot.waitUntil(
            lambda: window.model_status is not None and window.model_status.active_weights == folder / name,
            timeout=WAIT_MS,
        )

    # Named at launch: the entry named.
    window = make_window(weights=alias, weights_dir=folder)
    assert model_status_of(window).ok and model_status_of(window).labels == SEVEN_LABELS
    assert ticked(window) == ["alias.safetensors"]
    # Picked in the menu: the entry picked, either of the two.
    pick(window, "zz_seven.safetensors")
    assert ticked(window) == ["zz_seven.safetensors"]
    pick(window, "alias.safetensors")
    assert ticked(window) == ["alias.safetensors"]
    # Loaded through a link from elsewhere, which is no entry: the first entry that is its file.
    window.choose_weights(elsewhere)
    qtbot.waitUntil(lambda: model_status_of(window).active_weights == elsewhere, timeout=WAIT_MS)
    assert ticked(window) == ["alias.safetensors"]
    pick(window, "alias.safetensors")
    assert window.settings.sync()
    window.close()

    # Remembered: the next start loads the entry picked, and ticks it.
    assert AppSettings.at_path(settings_path).weights_path == alias
    again = make_window(weights=None, weights_dir=folder)
    assert model_status_of(again).ok and model_status_of(again).active_weights == alias
    assert ticked(again) == ["alias.safetensors"]


def test_of_two_links_in_the_folder_to_one_file_elsewhere_the_one_in_use_is_ticked(
    qtbot: QtBot, tmp_path: Path
) -> None:
    from PyQt6.QtGui import QAction

    from emotion_app.gui.model_menu import ModelMenu

    target = make_random_weights(tmp_path / "kept" / "model.safetensors", seed=4)
    folder = tmp_path / "weights"
    folder.mkdir()
    first, second = folder / "first.safetensors", folder / "second.safetensors"
    first.symlink_to(target)
    second.symlink_to(target)
    menu = ModelMenu(QAction("Load weights…"), folder=folder)
    qtbot.addWidget(menu)

    def ticked() -> list[str]:
        menu.refresh()
        return [action.data().name for action in menu.model_actions() if action.isChecked()]

    menu.set_current(first, target)
    assert ticked() == ["first.safetensors"]
    menu.set_current(second, target)
    assert ticked() == ["second.safetensors"]
    menu.set_current(first)  # chosen, not loaded yet: only its name to go by
    assert ticked() == ["first.safetensors"]
    menu.set_current(target, target)  # the file itself, which no entry names
    assert ticked() == ["first.safetensors"]
    menu.set_current(None)
    assert ticked() == []


def test_hovering_a_model_shows_its_file_or_why_it_cannot_be_read(qtbot: QtBot, tmp_path: Path) -> None:
    # "broken (unreadable)" is greyed out: its tooltip is the only place that says why.
    folder = models_folder(tmp_path)
    window = QWidget()
    qtbot.addWidget(window)
    menu = ModelMenu(QAction("&Load weights…", window), window, folder=folder)
    window.show()
    qtbot.waitExposed(window)
    menu.popup(window.mapToGlobal(QPoint(0, 0)))
    qtbot.waitExposed(menu)
    try:
        by_name = {action.data().name: action for action in menu.actions() if isinstance(action.data(), Path)}
        broken, shipped = by_name["broken.safetensors"], by_name[DEFAULT_WEIGHTS_NAME]
        assert not broken.isEnabled()
        for entry, expected in [
            (broken, "Cannot read broken.safetensors: "),
            (shipped, f"{folder / DEFAULT_WEIGHTS_NAME}\nClasses in output order: {', '.join(SIX_LABELS)}"),
        ]:
            place = menu.actionGeometry(entry).center()
            QApplication.sendEvent(menu, QHelpEvent(QEvent.Type.ToolTip, place, menu.mapToGlobal(place)))

            def tells(expected: str = expected) -> bool:
                return QToolTip.text().startswith(expected)

            qtbot.waitUntil(tells, timeout=WAIT_MS)
    finally:
        QToolTip.hideText()
        menu.close()
