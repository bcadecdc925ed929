"""What a save's tidy did with what a killed session left in its folder (io.unfinished), in
a banner of its own: else only in the log, and an "(unfinished)" file in the folder would
go unexplained. A later notice neither hides it nor carries it on, nor does it hide an
error. The window owns one among its banners; the snapshots and the recordings tell it."""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import QUrl
from PyQt6.QtGui import QDesktopServices
from PyQt6.QtWidgets import QWidget

from emotion_app.io.unfinished import Tidied
from emotion_app.wording import count_text

from .message_banner import MessageBanner
from .plain_tips import plain_tip

# The folders the tidy banner lists a line for, the newest: more lines would push the video
# down; the earlier ones are counted (each line of what was kept is in the log).
TIDY_FOLDERS_SHOWN = 3


class TidyBanner(MessageBanner):
    """A line a folder tidied, newest last, until dismissed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Each folder's tidy notice since the banner was last dismissed, newest last: a
        # second folder's tidy adds its line, never hides the first's.
        self._tidied: dict[Path, str] = {}

    def show_tidied(self, tidied: Tidied) -> None:
        """Add ``tidied``'s line (the last :data:`TIDY_FOLDERS_SHOWN`, the rest counted); a
        folder tidied again has its line replaced and moved last, whatever path named it
        (a link, ".."): it goes by the folder the tidy resolved off this thread (a dead
        share's path is never asked here). Open folder opens the newest one's folder, by
        the path it was chosen by."""
        folder = tidied.folder
        if self.isHidden():
            self._tidied.clear()  # dismissed: what it said was read
        same = tidied.real or folder
        self._tidied.pop(same, None)
        self._tidied[same] = tidied.notice()
        lines = list(self._tidied.values())
        earlier = len(lines) - TIDY_FOLDERS_SHOWN
        if earlier > 0:
            lines = [f"{count_text(earlier, 'earlier folder')} tidied too: see the log.", *lines[earlier:]]
        caption = "Open folder" if len(self._tidied) == 1 else "Open newest folder"
        self.show_message("\n".join(lines), "info", [(caption, lambda: _open_folder(folder))])
        button = self.button(caption)
        if button is not None:
            button.setToolTip(plain_tip(str(folder)))


def _open_folder(folder: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
