"""Recording from the window: Record (Ctrl+R) into the output folder, Record to… a file the
user names, the check of its folder and files off the GUI thread before it starts, the REC
indicator in the status bar, and what the recording's end says. The window owns one and
tells it, through its constructor, what it shows messages in and asks with."""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PyQt6.QtCore import QObject, pyqtSignal
from PyQt6.QtGui import QAction
from PyQt6.QtWidgets import QLabel, QStatusBar

from emotion_app.arguments import names_no_file
from emotion_app.io.atomic import OutputError, check_outputs, files_played_from
from emotion_app.io.output_folder import free_name, output_folder_problem, unique_output_path
from emotion_app.io.unfinished import Tidied, tidy_stopped_once
from emotion_app.io.video import IMAGE_SUFFIXES, no_name_problem, video_name_problem
from emotion_app.sources.frame_source import FALLBACK_FPS
from emotion_app.wording import count_text

from .background_call import BackgroundCall
from .message_banner import MessageBanner
from .messages import CheckedRecording, InferenceResult, RecordingRequest, RecordingSummary, SkippedFrame
from .plain_tips import plain_tip
from .playback_bar import format_time
from .source_state import SourceState
from .stream_controller import StreamController

log = logging.getLogger(__name__)

# The notice banner's tag for "Nothing to record": the window takes it down once a source starts.
NOTHING_TO_RECORD_TAG = "nothing to record"


class RecordingControl(QObject):
    """Starts and stops the window's recordings (written by the controller's inference
    thread) and says how each went.

    A recording's folder and files are checked off the GUI thread first (each of their
    stats blocks for minutes on a network share whose server has gone): Record stays
    checked meanwhile, pressed again cancels, and the recording starts on the answer, or
    the notice banner says why not. :attr:`rec_label`, in the status bar, shows the one
    running and for how long (:meth:`refresh_indicator`, on the window's status timer)."""

    # What a recording check's tidy did in a folder (io.unfinished.Tidied; once a folder), told
    # from the check's thread: also when its answer comes too late and is dropped (see
    # _tell_tidied). The window shows it through a queued connection.
    tidied = pyqtSignal(object)

    def __init__(
        self,
        controller: StreamController,
        source_state: SourceState,
        record_action: QAction,
        status_bar: QStatusBar,
        notice_banner: MessageBanner,
        source_banner: MessageBanner,
        *,
        output_dir: Callable[[], str],
        dialog_start: Callable[[], str],
        ask_save_path: Callable[[str, str, str], str],
        hold_still: Callable[[], Callable[[], None]],
        shown: Callable[[], InferenceResult | None],
        refuse_folder: Callable[[Path, str], None],
        choose_output_folder: Callable[[], None],
        show_saved: Callable[[str, Path], None],
        play_again: Callable[[], None],
        open_video_dialog: Callable[[], None],
        check_timeout_s: float,
        parent: QObject | None = None,
    ) -> None:
        """``record_action``: the checkable Record action (Ctrl+R), kept checked while a
        recording runs or is being checked; ``status_bar``: where the REC indicator goes;
        ``notice_banner``: where refusals and the end's news go; ``source_banner``: where
        "nothing to record" goes. ``output_dir``: the folder Record records into;
        ``dialog_start``: where Record to…'s dialog opens; ``ask_save_path(title,
        suggestion, filters)``: its file, "" when cancelled; ``hold_still``: pause a playing
        file, returning what plays it on; ``shown``: the frame on screen (asked, not kept:
        the window lets go of a large frame's pictures); ``refuse_folder``: say the output folder cannot be
        saved into; ``choose_output_folder``, ``play_again``, ``open_video_dialog``: the
        banners' buttons; ``show_saved``: a recording's "Saved" notice; ``check_timeout_s``:
        how long the check may take before the recording is refused."""
        super().__init__(parent)
        self._controller = controller
        self._source_state = source_state
        self._record_action = record_action
        self._notices = notice_banner
        self._source_banner = source_banner
        self._output_dir = output_dir
        self._dialog_start = dialog_start
        self._ask_save_path = ask_save_path
        self._hold_still = hold_still
        self._shown = shown
        self._refuse_folder = refuse_folder
        self._choose_output_folder = choose_output_folder
        self._show_saved = show_saved
        self._play_again = play_again
        self._open_video_dialog = open_video_dialog
        self._recording: RecordingRequest | None = None
        # The REC indicator's time: what the recording holds, so a file's pause (its frame is
        # written once) stops it; it counted on from the wall clock, past the file's length.
        self._recorded_s = 0.0  # before the stretch now playing
        self._playing_since: float | None = None  # time.monotonic() since the file played on
        # The paused file's frame last reported: a step or a seek away from it (or Home)
        # writes the frame moved to, once, so REC takes a frame's time for it.
        self._held_at: int | None = None
        # A slide show's REC counts the pictures recorded, each whole (one frame of its
        # showing, however long it was on screen while recording): the picture on screen as
        # it plays on (from the recording's start, or a pause), and each shown after it.
        self._pictures_s = 0.0
        self._counted: tuple[int, int] | None = None  # the picture counted last: (stream, frame)
        # A recording's folder and files, checked off the GUI thread; the recording starts
        # on the answer (see _record_when_checked).
        self._recording_check = BackgroundCall(check_timeout_s, self)
        self._after_recording_check: Callable[[], None] | None = None
        self.rec_label = QLabel(status_bar)
        self.rec_label.setObjectName("recIndicator")
        self.rec_label.setAccessibleDescription("Recording")
        self.rec_label.setStyleSheet(
            "QLabel#recIndicator { color: white; background: #c62828; font-weight: bold;"
            " padding: 1px 6px; border-radius: 3px; }"
        )
        self.rec_label.hide()
        status_bar.insertPermanentWidget(0, self.rec_label)
        record_action.triggered.connect(self._on_record_triggered)
        controller.recording_finished.connect(self._on_recording_finished)

    @property
    def recording(self) -> RecordingRequest | None:
        """The recording running (None while one is only being checked; the one before
        while one named to replace it is)."""
        return self._recording

    @property
    def busy(self) -> bool:
        """A recording runs, or the check of one about to start does."""
        return self._recording is not None or self._recording_check.pending

    def start(self, video_path: str | Path, csv_path: str | Path | None = None) -> RecordingRequest | None:
        """Record to ``video_path`` (and a CSV beside it) once both are checked, off the GUI
        thread; returns the request checked, None (with a banner) when there is nothing to
        record or its name is refused. The name is read as Record to… reads it (trailing dots
        dropped, .mp4 added to a name without a suffix; a folder's name or a type alone
        refused at once), but a file of that name is replaced: no dialog asked about another.
        A path that is the playing video (after links) or unusable is refused with a banner
        instead of recorded to."""
        if self._nothing_to_record():
            return None
        named = self._named_video(str(video_path))
        if named is None:
            return None
        video_path = named if named.suffix else _as_mp4(named)
        request = RecordingRequest(video_path, Path(csv_path) if csv_path else video_path.with_suffix(".csv"))
        playing = self._source_state.played_path
        self._record_when_checked(lambda: _checked_recording(request, playing), video_path.parent)
        return request

    def stop(self) -> None:
        """End the recording, or the check of one about to start."""
        if self._recording_check.pending:
            self._recording_check.cancel()
            self._record_action.setChecked(False)
            self._settle_recording_check()
        if self._recording is None:
            return
        self._controller.stop_recording()
        self._recording = None
        self._record_action.setChecked(False)
        self.refresh_indicator()

    def record_dialog(self, suggestion: Path | None = None) -> None:
        """Record to a file the user names (the dialog offers ``suggestion``, else a new name
        where the last dialog was); a file holds still meanwhile and the recording starts
        when the dialog closes and its files are checked; a recording running goes on till
        then, and on if the dialog is cancelled or its name refused (by its name alone, or
        once checked)."""
        if self._nothing_to_record():
            return
        if suggestion is None:
            suggestion = _new_recording_name(Path(self._dialog_start()))
        play_on = self._hold_still()
        try:
            path = self._ask_save_path(
                "Record annotated video (a CSV is written beside it)",
                str(suggestion),
                "MP4 video (*.mp4);;AVI video (*.avi)",
            )
        except BaseException:
            play_on()
            raise
        if not path:
            play_on()
            return
        # Refused now, by its name alone: it started and its writer refused it ("Recording
        # stopped: talk.gif: unsupported output type"), and a recording running was stopped.
        named = self._named_video(path)
        if named is None:
            play_on()
            return
        if self._nothing_to_record():  # the source ended while the dialog was open
            self.stop()
            play_on()
            return
        # The dialog asked before replacing the name typed ("talk.mp4."), not the one kept.
        video, asked, playing = named, named.name == Path(path).name, self._source_state.played_path
        # Started before the video plays on, so it begins at the frame on screen. A recording
        # running is not stopped here but by the start (see _begin_recording): stopped before a
        # refusal, its "Saved" notice, coming after, took the refusal's place in the banner.
        self._record_when_checked(lambda: _recording_to(video, playing, asked), video.parent, then=play_on)

    def _named_video(self, typed: str) -> Path | None:
        """The file a recording named ``typed`` goes to (a name without a suffix is recorded
        to as an MP4 later), or None where its name alone refuses it: said in a banner whose
        Record to… opens the dialog on a name that would do. Asks no disk."""
        named = _typed_video(typed)
        if isinstance(named, tuple):
            refusal, again = named
        else:
            # Named as typed ("x.png." for x.png), as the refusals above name it: the user
            # finds what they typed; "talk" records to talk.mp4.
            refusal = _name_refusal(named if named.suffix else _as_mp4(named), typed if named.suffix else "")
            again = _as_mp4(named)  # offered when chosen again: talk.gif as talk.mp4
        if not refusal and not isinstance(named, tuple):
            return named
        self._notices.show_message(refusal, "error", [("Record to…", lambda: self.record_dialog(again))])
        return None

    def refresh_indicator(self) -> None:
        """The REC indicator: the recording running and its time so far, else hidden."""
        if self._recording is None:
            self.rec_label.hide()
            return
        self.rec_label.setText(f"● REC {format_time(self._recorded_time())}")
        self.rec_label.setToolTip(
            plain_tip(f"Recording to {self._recording.video_path} and {self._recording.csv_path.name}")
        )
        self.rec_label.show()

    def result_shown(self, result: InferenceResult) -> None:
        """The window shows ``result``, of the source on: a slide show's picture recorded
        counts its showing in REC (and so do those a busy window passed over)."""
        if self._recording is not None:
            frames: list[InferenceResult | SkippedFrame] = [*result.skipped_before, result]
            for frame in frames:
                self._count_picture(frame)

    def playback_changed(self) -> None:
        """The source was paused or played on (the window calls it with each change of its
        actions): the REC indicator's time stands still while a file holds still."""
        held = self._source_state.paused
        if held and self._playing_since is not None:
            self._recorded_s += time.monotonic() - self._playing_since
            self._playing_since = None
        elif not held and self._playing_since is None and self._recording is not None:
            self._playing_since = time.monotonic()
        held_at = self._held_position()
        moved = held_at is not None and self._held_at is not None and held_at != self._held_at
        if moved and self._recording is not None:
            self._recorded_s += 1.0 / self._frame_rate()
        self._held_at = held_at
        self.refresh_indicator()

    def playing_on(self) -> None:
        """A paused file plays on (called before the capture thread is asked to, so that
        thread's next frame comes after): a slide show's picture on screen is recorded, whole."""
        picture = self._playing_picture() if self._recording is not None else None
        if picture is not None and self._count_picture(picture):
            self._controller.record_picture(picture)

    def _recorded_time(self) -> float:
        info = self._source_state.info
        if info is not None and info.slide_show:
            return self._pictures_s
        playing = time.monotonic() - self._playing_since if self._playing_since is not None else 0.0
        return self._recorded_s + playing

    def _count_picture(self, frame: InferenceResult | SkippedFrame) -> bool:
        """Count ``frame``'s showing in REC where it is a slide show's picture other than the
        one counted last (the recorder writes a picture given again in a row once); whether
        it was counted."""
        key = (frame.stream_id, frame.frame_index)
        if frame.picture_s <= 0 or key == self._counted:
            return False
        self._counted = key
        self._pictures_s += frame.picture_s
        return True

    def _playing_picture(self) -> InferenceResult | None:
        """The slide show's picture on screen, where the show plays on (None while paused, or
        opening, or for another source's frames)."""
        state, shown = self._source_state, self._shown()
        if state.paused or state.starting or shown is None or shown.picture_s <= 0:
            return None
        return shown if shown.stream_id == state.stream_id else None

    def _held_position(self) -> int | None:
        """The frame a paused file holds, as its capture thread reported it; None while it
        plays, or before its pause is reported (the frame paused on was recorded playing)."""
        state = self._source_state
        playback = state.playback
        return playback.position if state.paused and playback is not None and playback.paused else None

    def _frame_rate(self) -> float:
        """The rate the recording of the source open is written at (see _begin_recording)."""
        info = self._source_state.info
        return info.fps if info is not None and info.fps > 0 else FALLBACK_FPS

    def _on_record_triggered(self, checked: bool) -> None:
        if not checked:
            self.stop()
            return
        if self._nothing_to_record():
            return
        # Made, checked and given a free name off the GUI thread: on a network share whose
        # server has gone each of those waits for minutes.
        folder, when, playing = Path(self._output_dir()), datetime.now(), self._source_state.played_path
        self._record_when_checked(lambda: _recording_in(folder, when, playing), folder)

    def _record_when_checked(
        self,
        check: Callable[[], CheckedRecording | _Refusal],
        folder: Path,
        then: Callable[[], None] | None = None,
    ) -> None:
        """Run ``check`` off the GUI thread (each of its stats blocks for minutes on a
        network share whose server has gone) and start the recording it answers, or show
        why not; ``folder``, where it records, is named if no answer comes in time. Record
        stays checked meanwhile, and pressed again cancels. ``then`` follows in any case."""
        if self._recording_check.pending:  # replaced by this one
            self._recording_check.cancel()
            self._settle_recording_check()
        self._record_action.setChecked(True)
        self._after_recording_check = then
        if not self._recording_check.start(
            lambda: self._tell_tidied(check), self._on_recording_checked, lambda: self._on_recording_unanswered(folder)
        ):
            self._on_recording_checked(_Refusal("Recording refused: no thread could be started to check its files"))

    def _tell_tidied(self, check: Callable[[], CheckedRecording | _Refusal]) -> CheckedRecording | _Refusal:
        """``check``'s answer, its tidy's notice told to the window as soon as it is done
        (on the check's thread): the tidy happened even if the answer is given up on."""
        answer = check()
        for tidied in answer.tidied if isinstance(answer, CheckedRecording) else ():
            try:
                self.tidied.emit(tidied)
            except RuntimeError:  # the window went while the check waited
                return answer
        return answer

    def _on_recording_checked(self, answer: CheckedRecording | _Refusal) -> None:
        if isinstance(answer, _Refusal):
            self._record_action.setChecked(self._recording is not None)  # one running goes on
            if answer.folder is not None:
                self._refuse_folder(answer.folder, answer.message)
            else:
                self._notices.show_message(answer.message, "error")
        elif not self._nothing_to_record():  # (the source was stopped meanwhile: said there)
            self._begin_recording(answer.request)
        self._settle_recording_check()

    def _on_recording_unanswered(self, folder: Path) -> None:
        self._record_action.setChecked(self._recording is not None)
        self._notices.show_message(
            f"Recording refused: {folder} did not answer within {self._recording_check.timeout_s:g} s (a network "
            "share whose server has gone?); nothing was recorded.",
            "error",
            [("Choose output folder…", self._choose_output_folder)],
        )
        self._settle_recording_check()

    def _settle_recording_check(self) -> None:
        then, self._after_recording_check = self._after_recording_check, None
        if then is not None:
            then()

    def _begin_recording(self, request: RecordingRequest) -> None:
        # The inference thread ends a recording running before it begins this one.
        state = self._source_state
        # A slide show's picture on screen as it plays: its frame was labelled before the
        # recording began, and would be missing from it (a picture is one frame of 2 s).
        picture = self._playing_picture()
        if state.starting:
            # The info held is the source before's: the recording takes the rate of the one
            # opening once it has opened (the inference thread hears of it first).
            self._controller.start_recording(request, None)
        else:
            shown = self._shown()
            if shown is not None and shown.stream_id != state.stream_id:
                shown = None  # a frame of the source before
            self._controller.start_recording(request, self._frame_rate(), shown, picture is not None)
        self._recording = request
        self._recorded_s = 0.0
        self._playing_since = None if state.paused else time.monotonic()
        self._held_at = self._held_position()  # not recorded: a move from it is
        self._pictures_s, self._counted = 0.0, None
        if picture is not None:
            self._count_picture(picture)
        self._record_action.setChecked(True)
        self.refresh_indicator()

    def _nothing_to_record(self) -> bool:
        """True, with a banner, when no source is on that a recording could take frames
        from: asked first, before a file name is asked for or the output folder made."""
        state = self._source_state
        if state.active:
            return False
        self._record_action.setChecked(False)
        info = state.info
        if state.ended and state.is_file and info is not None:
            # The finished file is still on screen: "nothing" would read as a fault, and the
            # banner it replaces offered Play again, which this one keeps.
            # A single photo is no "slide show", and played again its one frame most often
            # comes before the recording's check ends ("Nothing was recorded").
            if info.single_picture:
                told = "The picture has been shown: Snapshot (Ctrl+S) saves it with its boxes."
            else:
                what = "slide show" if info.slide_show else "animation" if info.what == "animation" else "video"
                told = f"The {what} has finished: play it again to record."
            self._source_banner.show_message(
                told,
                "info",
                [("Play again", self._play_again), ("Open video file…", self._open_video_dialog)],
            )
            return True
        # A notice of its own: in the source banner it took the place of what that said (a
        # file that failed to open, and why) and of its Retry and Open video file… buttons.
        self._notices.show_message(
            "Nothing to record: start a camera, a screen or a video first.", "warning", tag=NOTHING_TO_RECORD_TAG
        )
        return True

    def _on_recording_finished(self, summary: RecordingSummary) -> None:
        if (summary.error or summary.ended_by) and self._recording == summary.request:
            # It ended by itself: the Record button and the REC indicator say so (the button
            # stays checked while one named to replace it is checked).
            self._recording = None
            self._record_action.setChecked(self._recording_check.pending)
            self.refresh_indicator()
        if summary.error:
            self._notices.show_message(f"Recording stopped: {summary.error}", "error")
            return
        video, csv_path = summary.request.video_path, summary.request.csv_path
        ended = f"Recording stopped: {summary.ended_by}. " if summary.ended_by else ""
        if summary.frames_written == 0:  # started and stopped while paused: nothing was written
            self._notices.show_message("Nothing was recorded: no frame played while the recording ran.", "info")
            return
        codec = f", {summary.codec}" if summary.codec else ""
        # Named when kept, rows or none: with no face seen it holds its header, as analyze's does.
        rows = f" and {csv_path.name} ({count_text(summary.rows_written, 'row')})" if summary.csv_kept else ""
        frames = count_text(summary.frames_written, "frame")
        self._show_saved(f"{ended}Saved {video.name} ({frames}{codec}){rows} in {video.parent}", video)


@dataclasses.dataclass(frozen=True)
class _Refusal:
    """Why a recording cannot start, in a line; ``folder``: the output folder that cannot
    be saved into (the message reads on after its name)."""

    message: str
    folder: Path | None = None


def _checked_recording(request: RecordingRequest, playing: Path | None) -> CheckedRecording | _Refusal:
    """``request``, or why it cannot be recorded: one of its files is the file (or one of
    the folder's) being ``playing``, or cannot be written. Tidies its folders (see
    io.unfinished). Asks the disk: off the GUI thread."""
    refusal = _name_refusal(request.video_path)
    if refusal:
        return _Refusal(refusal)
    try:
        protected = files_played_from(playing) if playing is not None else []
        check_outputs([("its video", request.video_path), ("its CSV", request.csv_path)], protected)
    except OutputError as exc:  # never record over the video being played
        return _Refusal(f"Recording refused: {exc}")
    except (OSError, ValueError) as exc:  # a name too long, a NUL in it
        return _Refusal(f"Recording refused: {request.video_path}: {getattr(exc, 'strerror', None) or exc}")
    # What a recording there cut short by a kill or a crash left (hidden .part files).
    told: list[Tidied] = []
    for folder in dict.fromkeys((request.video_path.parent, request.csv_path.parent)):
        tidied = tidy_stopped_once(folder)
        for line in tidied.lines:
            log.warning("%s", line)
        if tidied.notice():  # each folder's line apart: the window lists them by folder
            told.append(tidied)
    return CheckedRecording(request, tuple(told))


def _name_refusal(video: Path, typed: str = "") -> str:
    """Why a recording to ``video`` is refused by its name alone ("" for none), as its
    writer would refuse it; ``typed``: the name the user gave for it, said in its stead.
    Asks no disk: the window says it before anything starts."""
    if video.suffix.lower() in IMAGE_SUFFIXES:
        # The video writer would keep only the last frame, as a still (analyze's way with a picture).
        return f"Recording refused: {typed or video} is a picture's name; a recording is a video (.mp4 or .avi)"
    problem = video_name_problem(video, shown=typed)
    return f"Recording refused: {problem}" if problem else ""


def _typed_video(typed: str) -> Path | tuple[str, Path]:
    """The file Record to… records to for ``typed``, its dialog's answer, its trailing dots
    dropped ("talk." is talk.mp4, not talk..mp4; .mp4 is added later to a name without a
    suffix), or why it is refused and what its dialog offers when chosen again: a
    folder's name ("clips/", which a Path reads as clips), or a type alone (".mp4", which
    would record to the hidden .mp4.mp4). Asks no disk."""
    if names_no_file(typed):  # "", ".", "..", "clips/": as analyze --output's and a snapshot's
        shown = typed or '""'  # start_recording(""): not "refused:  names a folder", two spaces
        return f"Recording refused: {shown} names a folder, not a file to record to", _new_recording_name(Path(typed))
    last = Path(typed).name
    nameless = no_name_problem(last)  # ".mp4", "..mp4", ".AVI.": as analyze --output's
    if nameless:
        return f"Recording refused: {typed} {nameless}", _new_recording_name(Path(typed).parent)
    return Path(typed).with_name(last.rstrip("."))


def _new_recording_name(folder: Path) -> Path:
    """A name Record to…'s dialog offers in ``folder``, its path tidied ("clips/.." typed
    offers the folder above clips, not a path through it): the time now. Tidied by its
    text alone, asking no disk on the GUI thread: "link/.." is the folder holding the link,
    as its reader takes it."""
    return Path(os.path.normpath(folder)) / f"emotion-recording-{datetime.now():%Y%m%d-%H%M%S}.mp4"


def _as_mp4(video: Path) -> Path:
    """``video`` named as an MP4 (itself where no name can take a suffix: "/")."""
    try:
        return video.with_suffix(".mp4")
    except ValueError:
        return video


def _recording_in(folder: Path, when: datetime, playing: Path | None) -> CheckedRecording | _Refusal:
    """Ctrl+R's recording: a new name at ``when`` in the output folder ``folder``, made if
    missing, checked. Asks the disk: off the GUI thread."""
    problem = output_folder_problem(folder)
    if problem:
        return _Refusal(problem, folder)
    try:
        video = unique_output_path(folder, "recording", ".mp4", when)
    except OSError as exc:  # a name too long for the file system, say: asking of it raises
        return _Refusal(f"Recording refused: no name for it in {folder}: {exc.strerror or exc}")
    return _checked_recording(RecordingRequest(video, video.with_suffix(".csv")), playing)


def _recording_to(video: Path, playing: Path | None, asked: bool = True) -> CheckedRecording | _Refusal:
    """Record to…'s recording, to the file ``video`` the user named; ``asked``: its dialog
    asked before replacing ``video`` (not when its name was typed with trailing dots). Asks
    the disk: off the GUI thread."""
    try:
        if not video.suffix or not asked:
            # The dialog asked about the name typed ("talk"), not the one recorded to
            # (talk.mp4): a video of that name is kept, the recording numbered.
            video = free_name(video if video.suffix else _as_mp4(video))
        # The dialog asked before replacing the video, never about the CSV beside it: a
        # CSV there without that video is another file, kept under a numbered name.
        csv_path = video.with_suffix(".csv")
        if not video.exists():
            csv_path = free_name(csv_path)
    except (OSError, ValueError) as exc:  # a name too long, a NUL in it
        return _Refusal(f"Recording refused: {video}: {getattr(exc, 'strerror', None) or exc}")
    return _checked_recording(RecordingRequest(video, csv_path), playing)
