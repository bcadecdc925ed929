"""The file player's controls: Space plays and pauses a file in place, Left and Right step
(a frame paused, a few seconds playing, a picture in a slide show), Home goes back to the
first frame, the seek bar moves to a frame; a file played to its end or stopped is opened
again where it is asked to be shown (and, opened again only to show its frame anew, plays
from its start on Space as it would have); a playing file holds still while a modal dialog is open, and the player keys
reach their actions whichever control has the keyboard. The window owns one and tells it,
through its constructor, what it plays through and shows with."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from PyQt6.QtGui import QAction
from PyQt6.QtWidgets import QWidget

from emotion_app.sources.frame_source import FALLBACK_FPS
from emotion_app.sources.specs import VideoFileSpec

from .message_banner import MessageBanner
from .messages import InferenceResult
from .playback_bar import PlayerKeys
from .source_state import SourceState
from .stream_controller import StreamController

# Left/Right while a file plays jump this far (a slide show: one picture).
SEEK_STEP_S = 5.0


class PlayerControl:
    """Moves the file playing through the controller and keeps ``source_state`` (the
    window's) told; a camera, a screen or nothing open leaves every move but Space a
    no-op (Space starts and stops them, as Start does)."""

    def __init__(
        self,
        controller: StreamController,
        source_state: SourceState,
        source_banner: MessageBanner,
        *,
        shown: Callable[[], InferenceResult | None],
        start_stop: Callable[[], None],
        start: Callable[[VideoFileSpec], None],
        actions_changed: Callable[[], None],
        played_on: Callable[[], None],
    ) -> None:
        """``source_banner``: the banner a file opened again takes away (its end's "Play
        again"); ``shown``: the frame on screen; ``start_stop``: Start/Stop, what Space
        does for a camera or a file not playing; ``start``: what Start does for a file not
        playing, which plays it from its start; ``actions_changed``: the window's actions
        follow the state (Play or Pause, stepping enabled); ``played_on``: a paused file
        is about to play on (its frame rate is counted afresh; a recording takes a slide
        show's picture on screen)."""
        self._controller = controller
        self._source_state = source_state
        self._source_banner = source_banner
        self._shown = shown
        self._start_stop = start_stop
        self._start = start
        self._actions_changed = actions_changed
        self._played_on = played_on
        self._keys: PlayerKeys | None = None

    def watch_keys(self, window: QWidget, actions: Sequence[QAction]) -> None:
        """The player keys of ``actions`` win over whichever control of ``window`` has the
        focus (a slider or a list would otherwise take Space and the arrows for themselves)."""
        self._keys = PlayerKeys(window, actions)

    @property
    def position(self) -> int:
        """Index of the file's frame on screen (0 before any)."""
        result = self._shown()
        state = self._source_state
        info = state.info
        if result is not None and info is not None and result.stream_id == info.stream_id:
            return result.frame_index
        return state.playback.position if state.playback is not None else 0

    def toggle_play_pause(self) -> None:
        """Space: pause or play a file in place (one opening paused at a seek or step plays
        on from there once opened, one opening to play holds still at its first frame once
        opened); a camera (or a finished or stopped file, one only looked at again since
        too) starts or stops."""
        state = self._source_state
        if isinstance(state.spec, VideoFileSpec) and state.running and state.paused and state.looked_at_again:
            # Stopped or finished before its frame was looked at again: from its start, as
            # Space would have played it, not on from the frame shown.
            self._start(state.spec)
        elif state.is_file and (state.running or state.starting) and not state.looked_at_again:
            # Play or Pause, as it reads; a file still opening takes it once it has opened
            # (see pause and resume: scripts call them, and get the same).
            self.resume() if state.paused else self.pause()
        else:
            self._start_stop()

    def pause(self) -> None:
        """Hold a playing file still; one opening to play (reading "Pause") is held still at
        its first frame once it has opened, as Space does there."""
        if self._source_state.pause() or self._source_state.pause_once_opened():
            self._controller.pause()  # the capture thread takes it after the open
            self._actions_changed()

    def resume(self) -> None:
        """Play a paused file on; one opening paused at a seek or step (reading "Play") plays
        on from there once it has opened, as Space does there."""
        looked_at = self._source_state.looked_at_again
        if self._source_state.resume() or self._source_state.resume_once_opened():
            if looked_at:
                self._source_banner.dismiss()  # its end's "Play again": it plays on now
            # Before the capture thread is asked (a slide show's picture on screen is recorded
            # ahead of its next), and before the status line is said anew with the actions.
            self._played_on()
            self._controller.resume()  # the capture thread takes it after the open
            self._actions_changed()

    def seek(self, frame: int) -> None:
        """Show frame ``frame`` of the file: a playing or paused one moves there, and so
        does one opening again only to be looked at (see :meth:`_move_while_looked_at`); one
        not running (played to its end, stopped, or broken off) is opened again there, paused,
        as its seek bar stays on screen after Stop too; one still opening otherwise is left to
        open, and one that could not be opened has no frame to go to (Start or Retry tries it)."""
        state = self._source_state
        spec = state.spec
        if not isinstance(spec, VideoFileSpec):
            return
        if state.running or self._move_while_looked_at():
            self._taken_up()  # moved there: Space plays on from there
            self._controller.seek(frame)
        elif self._reopenable():
            self._reopen_at(spec, frame, paused=True)

    def step(self, direction: int) -> None:
        """Left/Right: a frame when paused, :data:`SEEK_STEP_S` when playing (a slide show: a
        picture, paused or playing); a file not running (played to its end, stopped, or
        broken off) is opened again a frame from the one shown, paused, as a seek there does."""
        state = self._source_state
        spec = state.spec
        if not isinstance(spec, VideoFileSpec):
            return
        if state.running and not state.paused and state.info is not None and state.info.slide_show:
            # A picture on or back, as a slide show's viewer goes: 5 s there was 2 of its
            # 2 s pictures, each step skipping one never seen.
            self._controller.seek(self.position + direction)
        elif state.running and not state.paused:
            # Its rate as the capture thread plays it. Before a first position report (no pause
            # or move yet) the fallback rate stood in: Right moved a 15 fps clip 10 s on.
            if state.playback is not None:
                fps = state.playback.fps
            elif state.info is not None and state.info.fps > 0:
                fps = state.info.fps
            else:
                fps = FALLBACK_FPS
            self._controller.seek(self.position + direction * int(round(SEEK_STEP_S * fps)))
        elif state.running or self._move_while_looked_at():
            self._taken_up()  # moved there: Space plays on from there
            self._controller.step(direction)
        elif self._reopenable():
            self._reopen_at(spec, self.position + direction, paused=True)

    def restart(self) -> None:
        """Home: the first frame; a playing file plays on from there, one not running (or
        only looked at again since) plays from there (one that could not be opened has
        none: Start or Retry tries it)."""
        spec = self._source_state.spec
        if not isinstance(spec, VideoFileSpec):
            return
        if self._source_state.running and not self._source_state.looked_at_again:
            self._controller.seek(0)
        elif self._source_state.info is not None:
            self._reopen_at(spec, 0, paused=False)

    def look_again(self, paused_too: bool) -> None:
        """The file's frame held on screen is looked at anew, after a change of model or
        mirror: a paused one handed over again (when ``paused_too``), one left on screen by
        a file not running (shown to its end, as every picture is at once, stopped, or
        broken off) opened again there, paused, as a seek there does. Left as it was, it
        kept the old model's labels, or stayed unflipped, until played again."""
        state = self._source_state
        if not state.is_file or self._shown() is None:
            return
        if paused_too and state.running and state.paused:
            self._controller.show_again()
        elif not state.running and self._reopenable() and isinstance(state.spec, VideoFileSpec):
            self._reopen_at(state.spec, self.position, paused=True, looked_at_again=True)

    @contextmanager
    def paused_for_dialog(self) -> Iterator[None]:
        """A file holds still while a modal dialog is open and plays on after it."""
        play_on = self.hold_still()
        try:
            yield
        finally:
            play_on()

    def hold_still(self) -> Callable[[], None]:
        """Pause a playing file; returns what plays it on again (if it is still that file,
        paused)."""
        state = self._source_state
        spec = state.spec
        was_playing = state.playing
        if was_playing:
            self.pause()

        def play_on() -> None:
            if was_playing and state.spec == spec and state.running and state.paused:
                self.resume()

        return play_on

    def _reopenable(self) -> bool:
        """Whether a file not running opens again at a frame: not while it is opening, nor
        one that could not be opened (it has no frames to go to)."""
        state = self._source_state
        return not state.starting and state.info is not None

    def _move_while_looked_at(self) -> bool:
        """Whether a seek or step goes to the file as it opens: one opened again only to be
        looked at (Mirror view, a model picked) opens at the frame shown, paused, and the
        move, sent after the open, is done once it has opened (a move dropped there, the
        handle dragged went back to the frame looked at)."""
        state = self._source_state
        return state.starting and state.looked_at_again

    def _taken_up(self) -> None:
        """A file only looked at again, moved by the user: paused where it is, as a seek
        after Stop opens it, no longer stopped or finished (nor its end's banner shown)."""
        state = self._source_state
        if state.looked_at_again:
            state.taken_up()
            self._source_banner.dismiss()
            self._actions_changed()

    def _reopen_at(self, spec: VideoFileSpec, frame: int, paused: bool, looked_at_again: bool = False) -> None:
        if not looked_at_again:  # only looked at again, a finished file keeps its banner's "Play again"
            self._source_banner.dismiss()
        self._source_state.opening(spec, paused, looked_at_again)
        self._controller.open_at(spec, max(0, frame), paused)
        self._actions_changed()
