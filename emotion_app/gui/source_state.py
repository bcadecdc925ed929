"""The window's view of its frame source: which one, and where it is in its life.

One small object instead of flags set by hand in each handler: the window calls one
transition per event (opening, opened, paused, stopped, failed) and reads the rest.
Qt-free; the capture worker's messages feed it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from emotion_app.sources.specs import CameraSpec, SourceSpec, VideoFileSpec

from .messages import PlaybackState, SourceInfo


@dataclass
class SourceState:
    spec: SourceSpec | None = None  # what Start (re)starts
    info: SourceInfo | None = None  # what the open source reported
    running: bool = False  # frames are flowing
    starting: bool = False  # being opened on the capture thread
    paused: bool = False  # a file holds still on one frame
    ended: bool = False  # a file played to its end (and was released)
    playback: PlaybackState | None = None  # the file's latest position report
    reconnected: int = 0  # the times a network camera's stream broke off and played again
    # A file stopped or finished, open again at its frame only for that frame to be looked at
    # anew (Mirror view, a model picked): to the user it is still stopped or finished (not
    # active, ``ended`` kept), and Space plays it from its start, as it would have.
    looked_at_again: bool = False
    # Another stream was opened since ``info``'s (and may have been stopped or given up as
    # it opened): frames of ``info``'s stream still on their way are of a source replaced.
    replaced: bool = False

    @property
    def is_file(self) -> bool:
        return isinstance(self.spec, VideoFileSpec)

    @property
    def played_path(self) -> Path | None:
        """The file or folder being played: what a snapshot or a recording must never be
        written over (its files are listed off the GUI thread, see io.atomic.files_played_from)."""
        return self.spec.path if isinstance(self.spec, VideoFileSpec) else None

    @property
    def active(self) -> bool:
        """Running or on its way: Stop applies (not to a file only looked at again: it
        reads as stopped, and Start plays it from its start)."""
        return (self.running or self.starting) and not self.looked_at_again

    @property
    def stream_id(self) -> int | None:
        """The stream whose frames are this source's: none while another opens, after a
        stop while it did (the window took the results in flight of the one before for its
        own), or after an open that failed."""
        return self.info.stream_id if self.info is not None and not self.replaced else None

    @property
    def playing(self) -> bool:
        """A file moving forward (what a modal dialog pauses)."""
        return self.is_file and self.running and not self.paused

    def opening(self, spec: SourceSpec, paused: bool = False, looked_at_again: bool = False) -> None:
        """``spec`` is being opened (or a file reopened at a frame, ``paused`` there;
        ``looked_at_again``: only to show that frame anew). Not running until it has opened:
        until then pause and seek must not reach the source being replaced."""
        self.spec = spec
        self.running, self.starting, self.paused = False, True, paused
        self.replaced = True
        self.ended = self.ended and looked_at_again  # looked at again, a finished file stays so
        self.looked_at_again = looked_at_again

    def opened(self, info: SourceInfo) -> None:
        self.info = info
        self.running, self.starting = True, False
        self.replaced = False
        self.playback = None
        self.reconnected = 0

    def pause(self) -> bool:
        """Hold a running file still; False when there is nothing to pause."""
        if not (self.is_file and self.running and not self.paused):
            return False
        self.paused = True
        return True

    def resume(self) -> bool:
        """Play a paused file on; False when there is nothing to resume."""
        if not (self.is_file and self.running and self.paused):
            return False
        self.paused = False
        self.taken_up()
        return True

    def resume_once_opened(self) -> bool:
        """Play on, once it has opened, a file opening paused at a move of the user's (a seek
        or step after Stop, or one that took up a file opening to be looked at); False where
        none is opening so."""
        if not (self.is_file and self.starting and self.paused and not self.looked_at_again):
            return False
        self.paused = False
        return True

    def pause_once_opened(self) -> bool:
        """Hold still, once it has opened, a file opening to play (its action reads "Pause"),
        at its first frame, as :meth:`resume_once_opened` plays one on; False where none is
        opening so (a file only looked at again reads "Start": Space plays it)."""
        if not (self.is_file and self.starting and not self.paused and not self.looked_at_again):
            return False
        self.paused = True
        return True

    def taken_up(self) -> None:
        """The user moved the file only looked at again (a seek, a step, a resume): it is
        open for them from here, no longer stopped or finished."""
        if self.looked_at_again:
            self.looked_at_again = self.ended = False

    def reported(self, playback: PlaybackState, holds_sent: int = 0) -> bool:
        """Take a position report; False (ignored) when it is not of :attr:`stream_id`: one
        of the source before, sent as another opened, held that one paused. A file that
        learns its length as it plays (a raw MJPEG) has it in ``info`` from then on. Its
        pause is taken only once it follows the ``holds_sent`` pauses and plays asked for:
        a report of one before would undo the one asked last, still on its way."""
        if playback.stream_id != self.stream_id:
            return False
        self.playback = playback
        if playback.holds_taken >= holds_sent:
            self.paused = playback.paused
        if self.info is not None and playback.frame_count != self.info.frame_count:
            self.info = replace(self.info, frame_count=playback.frame_count)
        return True

    def stopped(self) -> bool:
        """Stopped by the user (a file that had ended stays ended). Stopped as another source
        opened, it has nothing of the one before (its info, a file's position: a look again
        would open this one at that one's frame): True then, for the window to let go of that
        one's frame, seek bar and title too."""
        another = self.starting and self.info is not None and not same_source(self.info.spec, self.spec)
        self.running = self.starting = self.paused = self.looked_at_again = False
        if another:
            self.info = None
            self.playback = None
        return another

    def failed(self, ended: bool) -> None:
        """The source stopped by itself: a fault, or a file at its end (``ended``)."""
        self.running = self.starting = self.paused = self.looked_at_again = False
        self.ended = ended

    def failed_to_open(self) -> None:
        """The source could not be opened: nothing of the one before (its frame count, a
        file's position) is taken for this one's."""
        self.failed(ended=False)
        self.info = None
        self.playback = None


def same_source(spec: SourceSpec, other: SourceSpec | None) -> bool:
    """Whether two specs name the same camera or file (a camera at another size is the same)."""
    if isinstance(spec, CameraSpec) and isinstance(other, CameraSpec):
        return replace(spec, size=None) == replace(other, size=None)
    return spec == other
