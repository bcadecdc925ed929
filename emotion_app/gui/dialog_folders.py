"""Where the window's file dialogs open: the folders remembered in the settings (a video's,
the output folder, the last export's, the last model's), each only if it was found there,
asked off the GUI thread. The window owns one and asks it for each dialog's start."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PyQt6.QtCore import QObject

from emotion_app.io.existence import folder_and_parents, nearest_folder

from .background_exists import BackgroundExists
from .settings import AppSettings


class DialogFolders:
    """Whether the folders the file dialogs may open in are there, asked off the GUI
    thread: a folder on a network share whose server has gone blocks a stat for minutes.
    A dialog opens in the last answer's folder (or a fallback), never waiting for one."""

    def __init__(
        self, settings: AppSettings, output_dir: Callable[[], str], weights_dir: Path, parent: QObject
    ) -> None:
        """``output_dir``: the output folder now; ``weights_dir``: the shipped models'
        folder, where Load weights… opens before a model was loaded from elsewhere."""
        self._settings = settings
        self._output_dir = output_dir
        self._weights_dir = weights_dir
        self._exists = BackgroundExists(parent, test=os.path.isdir)

    def video_start(self) -> str:
        """Where "Open video" and "Open folder of images" open: the folder a file was last
        opened from (or the nearest folder above it that is there), else the home folder."""
        return self._dialog_folder(self._settings.last_video_dir, str(Path.home()))

    def export_start(self) -> str:
        """Where the export's folder dialog opens: the folder exported into last (in this or
        an earlier run), else the output folder (also when that folder is gone, or not known
        to be there yet)."""
        return self._dialog_folder(self._settings.last_export_dir, self.output_start(), or_above=False)

    def output_start(self) -> str:
        """Where a dialog offered the output folder opens: it, or the nearest folder above it
        that is there (it is made only when first saved into), else the home folder."""
        return self._dialog_folder(self._output_dir(), str(Path.home()))

    def weights_start(self) -> str:
        """Where "Load weights…" opens: the folder a model was loaded from last (in this or
        an earlier run), else the shipped models' folder (also when that folder is gone, or
        not known to be there yet)."""
        return self._dialog_folder(self._settings.last_weights_dir, str(self._weights_dir), or_above=False)

    def ask_about(self) -> None:
        """Find out, off the GUI thread, whether each folder a file dialog may open in is
        there, so that the dialog knows when it opens (see :meth:`_dialog_folder`): called
        whenever one of them changes."""
        for folders in self._choices():
            self._exists.check(folders)

    def answered(self) -> bool:
        """Whether an answer has come for each folder the file dialogs may open in (tests
        wait for it before they look where a dialog opens)."""
        return all(self._exists.last_answer(folder) is not None for folders in self._choices() for folder in folders)

    def found_there(self, folder: str) -> bool | None:
        """Whether the last answer found ``folder`` there; None before one came. Asks
        nothing (tests wait for it)."""
        return self._exists.last_answer(folder)

    def _dialog_folder(self, folder: str, fallback: str, *, or_above: bool = True) -> str:
        """Where a dialog offered ``folder`` opens: ``folder`` (with ``or_above``, the
        nearest folder above it when it is gone) if the last answer found it there, else
        ``fallback``, also while no answer has come; the GUI thread never stats it (see
        :meth:`ask_about`). It is asked about afresh for the next time."""
        if not folder:
            return fallback
        folders = folder_and_parents(folder) if or_above else [folder]
        self._exists.check(folders)
        return nearest_folder(folders, self._exists.last_answer) or fallback

    def _choices(self) -> list[list[str]]:
        """The remembered folders the file dialogs open in, each with those tried after it."""
        settings = self._settings
        choices = [folder_and_parents(settings.last_video_dir), folder_and_parents(self._output_dir())]
        choices += [[folder] for folder in (settings.last_export_dir, settings.last_weights_dir) if folder]
        return choices
