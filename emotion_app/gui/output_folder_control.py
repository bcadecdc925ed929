"""The output folder, where snapshots, recordings and timeline exports go: the one chosen
(Output folder…), else the app's folder in Pictures; a folder chosen is made and checked
off the GUI thread before it is taken, and what a folder that cannot be saved into says.
The window owns one and tells it, through its constructor, what it shows messages in and
asks with."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PyQt6.QtCore import QObject, QStandardPaths
from PyQt6.QtWidgets import QStatusBar

from emotion_app.io.output_folder import output_folder_problem

from .background_call import BackgroundCall
from .identity import APPLICATION
from .message_banner import MessageBanner
from .settings import AppSettings


class OutputFolderControl:
    """Takes the output folder the user chooses once it is made (if missing) and checked,
    off the GUI thread: on a network share whose server has gone mkdir and access block for
    minutes. One that cannot be used, or does not answer in time, is refused in the notice
    banner, and the folder in use is kept."""

    def __init__(
        self,
        settings: AppSettings,
        notice_banner: MessageBanner,
        status_bar: QStatusBar,
        *,
        dialog_start: Callable[[], str],
        ask_folder_path: Callable[[str, str], str],
        hold_still: Callable[[], Callable[[], None]],
        folders_changed: Callable[[], None],
        check_timeout_s: float,
        parent: QObject,
    ) -> None:
        """``dialog_start``: where Output folder…'s dialog opens; ``ask_folder_path(title,
        start)``: its folder, "" when cancelled; ``hold_still``: pause a playing file,
        returning what plays it on; ``folders_changed``: the output folder taken (the file
        dialogs' folders are asked about again); ``check_timeout_s``: how long the check may
        take before the folder is refused."""
        self._settings = settings
        self._notices = notice_banner
        self._status_bar = status_bar
        self._dialog_start = dialog_start
        self._ask_folder_path = ask_folder_path
        self._hold_still = hold_still
        self._folders_changed = folders_changed
        self._check = BackgroundCall(check_timeout_s, parent)  # of the folder chosen

    def path(self) -> str:
        """The output folder: the one chosen, else the app's folder in Pictures (or home)."""
        chosen = self._settings.output_dir
        if chosen:
            return chosen
        pictures = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
        return str(Path(pictures or Path.home()) / APPLICATION)

    def set(self, folder: str | Path) -> None:
        """Use ``folder`` for snapshots, recordings and exports once it is made (if missing)
        and checked, off the GUI thread; returns at once. One that cannot be used, or does
        not answer in time, is refused with a message, and the folder in use is kept."""
        folder = Path(folder)
        # Made and checked off the GUI thread: on a network share whose server has gone
        # mkdir and access block for minutes.
        if not self._check.start(
            lambda: output_folder_problem(folder),
            lambda problem: self._on_checked(folder, problem),
            lambda: self.refuse(
                folder,
                f"it did not answer within {self._check.timeout_s:g} s (a network share whose server has gone?)",
            ),
        ):
            self.refuse(folder, "no thread could be started to check it")

    def checked(self) -> bool:
        """Whether the output folder chosen last has been taken or refused (tests wait for it)."""
        return not self._check.pending

    def choose(self) -> None:
        """Output folder…: the folder the user picks, taken once checked (see :meth:`set`);
        a file holds still while the dialog is open."""
        play_on = self._hold_still()
        try:
            folder = self._ask_folder_path("Output folder for snapshots, recordings and exports", self._dialog_start())
        finally:
            play_on()
        if folder:
            self.set(folder)

    def refuse(self, folder: Path, problem: str) -> None:
        """Say that ``folder`` cannot be saved into, and why (``problem``)."""
        self._notices.show_message(
            f"Cannot save into the output folder {folder}: {problem}.",
            "error",
            [("Choose output folder…", self.choose)],
        )

    def snapshot_folder_not_answering(self, folder: Path, waiting: int) -> None:
        """Say that ``waiting`` snapshots wait for ``folder`` to answer."""
        # Else nothing said so till 8 snapshots waited and more were refused. The "Saved
        # snapshot" notice (or a failure's) replaces this one when the folder answers.
        self._notices.show_message(
            f"{'Snapshot' if waiting == 1 else 'Snapshots'} waiting: {folder} is not answering (a network "
            f"share whose server has gone?); {'it is' if waiting == 1 else 'they are'} saved when the folder answers.",
            "warning",
        )

    def _on_checked(self, folder: Path, problem: str) -> None:
        # Checked before it is stored: the settings refuse some names when read back (see
        # AppSettings.output_dir), and the default folder would then be checked instead.
        if problem:
            self.refuse(folder, problem)
            return
        self._settings.output_dir = str(folder)
        self._folders_changed()
        self._notices.dismiss()
        self._status_bar.showMessage(f"Saving into {folder}", 4000)
