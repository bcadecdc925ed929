"""The window as screen captures see it: where it is on the screen, in screen pixels, for
them to black out of every grab (a ScreenArea that each ScreenSpec opened carries), and a
notice while it hides most of the screen the capture watches. The window owns one and
tells it of each move, resize, show, hide or minimise."""

from __future__ import annotations

from PyQt6.QtCore import QEvent
from PyQt6.QtGui import QGuiApplication
from PyQt6.QtWidgets import QWidget

from emotion_app.faces.geometry import Box, overlap_area
from emotion_app.sources.specs import ScreenArea, ScreenSpec

from .camera_picker import CameraPicker
from .message_banner import MessageBanner
from .source_state import SourceState

# A screen capture this much hidden by the app's own window gets a word of explanation.
COVERED_SHARE = 0.8
COVER_NOTICE = "This window covers"
# The notice banner's tag for that word: the window's move takes away its own notice,
# never a message put up since, whatever either says.
_COVER_TAG = "cover"
# Whatever moves, resizes, shows, hides or minimises the window: screen captures must know.
WINDOW_PLACE_EVENTS = frozenset(
    {
        QEvent.Type.Move,
        QEvent.Type.Resize,
        QEvent.Type.Show,
        QEvent.Type.Hide,
        QEvent.Type.WindowStateChange,
    }
)


class WindowCover:
    """Keeps :attr:`area` where ``window`` is, and a notice in ``notice_banner`` while the
    window covers most of the screen (or the part of it) that the source in
    ``source_state`` captures; ``picker``: the screens listed, a screen's area by its number."""

    def __init__(
        self,
        window: QWidget,
        source_state: SourceState,
        picker: CameraPicker,
        notice_banner: MessageBanner,
    ) -> None:
        self._window = window
        self._source_state = source_state
        self._picker = picker
        self._notice_banner = notice_banner
        self.area = ScreenArea()  # where screen captures must not look (this window)
        self._notice_shown = False  # see update_notice

    def note_window(self) -> None:
        """Tell screen captures where the window is, in screen pixels (see ScreenArea): on
        each of :data:`WINDOW_PLACE_EVENTS`, once the window has handled it."""
        window = self._window
        # Offscreen (tests, measurements) the window is on no screen a capture could see.
        on_screen = window.isVisible() and not window.isMinimized() and QGuiApplication.platformName() != "offscreen"
        if not on_screen:
            self.area.rect = None
            return
        frame = window.frameGeometry()
        scale = window.devicePixelRatioF()
        self.area.rect = (
            int(frame.x() * scale),
            int(frame.y() * scale),
            int(round(frame.width() * scale)),
            int(round(frame.height() * scale)),
        )
        self.update_notice()

    def update_notice(self) -> None:
        """Say so while the window hides most of the screen it captures: that part of
        every grab is blacked out (see ScreenArea), and a maximised window would leave a
        black picture with no explanation. Told of each start, stop and failure too."""
        spec, rect = self._source_state.spec, self.area.rect
        watched = None
        if isinstance(spec, ScreenSpec) and self._source_state.active:  # a stopped capture has no picture to spoil
            watched = self._watched_area(spec)
        covered = watched is not None and rect is not None and covered_share(rect, watched) >= COVERED_SHARE
        if covered and not self._notice_shown:
            self._notice_banner.show_message(
                f"{COVER_NOTICE} most of the screen it watches, and is left out of the picture: make it "
                "smaller, move it to another screen, or watch a part of the screen (File > Capture screen).",
                "warning",
                tag=_COVER_TAG,
            )
        elif not covered and self._notice_shown and self._notice_banner.tag == _COVER_TAG:
            self._notice_banner.dismiss()  # (not a later notice that took its place)
        self._notice_shown = covered

    def _watched_area(self, spec: ScreenSpec) -> tuple[int, int, int, int] | None:
        if spec.region is not None:
            return spec.region
        screen = next((s for s in self._picker.screens() if s.monitor == spec.monitor), None)
        return (screen.left, screen.top, screen.width, screen.height) if screen is not None else None


def covered_share(rect: Box, area: Box) -> float:
    """How much of ``area`` (x, y, w, h) ``rect`` covers, from 0 to 1."""
    return overlap_area(rect, area) / max(1, area[2] * area[3])
