"""The window's source state: one transition per event, and what it allows next."""

from __future__ import annotations

from pathlib import Path

from emotion_app.gui.messages import PlaybackState, SourceInfo
from emotion_app.gui.source_state import SourceState
from emotion_app.sources.specs import CameraSpec, VideoFileSpec

CLIP = VideoFileSpec(Path("clip.mp4"))


def opened_file(state: SourceState, stream_id: int = 1) -> SourceInfo:
    info = SourceInfo(CLIP, stream_id, 320, 240, 15.0, 30)
    state.opening(CLIP)
    state.opened(info)
    return info


def test_a_source_being_opened_is_active_but_not_running_and_cannot_be_paused() -> None:
    state = SourceState()
    state.opening(CLIP)
    assert state.active and state.starting and not state.running
    assert state.pause() is False and not state.paused


def test_a_running_file_pauses_and_resumes_once_each() -> None:
    state = SourceState()
    opened_file(state)
    assert state.playing
    assert state.pause() is True and state.paused and not state.playing
    assert state.pause() is False  # already paused: nothing for the worker to do
    assert state.resume() is True and state.playing
    assert state.resume() is False


def test_only_a_file_opening_paused_at_a_move_is_played_on_once_opened() -> None:
    state = SourceState()
    state.opening(CLIP)  # a plain open plays anyway: Space pauses it (pause_once_opened)
    assert state.resume_once_opened() is False
    state.opening(CLIP, paused=True, looked_at_again=True)  # only looked at: Space plays from the start
    assert state.resume_once_opened() is False
    state.taken_up()  # a seek while it opens: the user's, paused there
    assert state.resume_once_opened() is True and state.active and not state.paused
    assert state.resume_once_opened() is False
    state.opening(CameraSpec(0, "cam"), paused=True)
    assert state.resume_once_opened() is False


def test_only_a_file_opening_to_play_is_held_still_once_opened() -> None:
    state = SourceState()
    state.opening(CLIP)  # its action reads "Pause"
    assert state.pause_once_opened() is True and state.active and state.paused
    assert state.pause_once_opened() is False
    assert state.resume_once_opened() is True and not state.paused  # Space again: it plays
    state.opening(CLIP, paused=True, looked_at_again=True)  # reads "Start": Space plays it
    assert state.pause_once_opened() is False
    state.opening(CameraSpec(0, "cam"))  # reads "Stop"
    assert state.pause_once_opened() is False
    opened_file(state)  # running: pause() holds it
    assert state.pause_once_opened() is False


def test_no_stream_is_this_sources_from_another_open_until_that_one_has_opened() -> None:
    state = SourceState()
    assert state.stream_id is None
    opened_file(state, stream_id=1)
    assert state.stream_id == 1
    state.opening(VideoFileSpec(Path("next.mp4")))
    assert state.stream_id is None  # stream 1's frames still coming are of the file replaced
    assert state.stopped() is True  # given up as it opened: stream 1 is still not this source's
    assert state.stream_id is None and state.info is None
    state.opening(CLIP, paused=True)
    state.opened(SourceInfo(CLIP, 3, 320, 240, 15.0, 30))
    assert state.stream_id == 3
    state.stopped()  # stopped while playing: its newest frame still comes and is its own
    assert state.stream_id == 3


def test_a_stop_as_another_source_opens_keeps_nothing_of_the_one_before() -> None:
    # Its frame number, looked at again (Mirror view, a model picked), opened the next file there.
    state = SourceState()
    opened_file(state)
    state.stopped()
    state.playback = PlaybackState(1, 20, 30, 15.0, paused=False)
    state.opening(CLIP, paused=True)  # the same file opened again at a frame: its own stay
    assert state.stopped() is False and state.info is not None and state.playback is not None
    state.opening(CameraSpec(0, "cam"))
    state.opened(SourceInfo(CameraSpec(0, "cam", size=(640, 480)), 2, 640, 480, 30.0, 0))
    state.opening(CameraSpec(0, "cam", size=(1280, 720)))  # the same camera at another size
    assert state.stopped() is False and state.info is not None
    state.opening(CLIP)  # another source: none of the camera's
    assert state.stopped() is True and state.info is None and state.playback is None
    assert not state.active and state.stream_id is None
    assert state.stopped() is False  # stopped again (the capture thread's answer): nothing more to let go of


def test_a_camera_never_pauses() -> None:
    state = SourceState()
    state.opening(CameraSpec(0, "cam"))
    state.opened(SourceInfo(CameraSpec(0, "cam"), 1, 640, 480, 30.0, 0))
    assert state.running and not state.is_file and state.pause() is False


def test_a_file_at_its_end_stays_ended_until_it_is_opened_again() -> None:
    state = SourceState()
    opened_file(state)
    state.pause()
    state.failed(ended=True)
    assert state.ended and not state.active and not state.paused
    state.stopped()
    assert state.ended  # stopping a finished file does not forget that it finished
    state.opening(CLIP, paused=True)  # reopened at a frame, held there
    assert not state.ended and state.paused and state.starting


def test_position_reports_of_an_earlier_stream_are_ignored() -> None:
    state = SourceState()
    opened_file(state, stream_id=2)
    assert state.reported(PlaybackState(1, 99, 30, 15.0, True)) is False
    assert state.playback is None and not state.paused
    assert state.reported(PlaybackState(2, 7, 30, 15.0, True)) is True
    assert state.playback is not None and state.playback.position == 7 and state.paused
    state.opened(SourceInfo(CLIP, 3, 320, 240, 15.0, 30))
    assert state.playback is None  # a new stream starts without a position
    state.opening(CLIP)  # to play: a report of the stream before, still on its way, is not its
    assert state.reported(PlaybackState(3, 8, 30, 15.0, True)) is False
    assert state.playback is None and not state.paused


def test_a_report_before_the_pause_or_play_asked_last_keeps_that_one_and_gives_its_place() -> None:
    # A report of a play, sent before the pause asked after it was taken, read "playing"
    # while that pause was on its way (a dialog's play-on then skipped as not needed).
    state = SourceState()
    opened_file(state)
    assert state.pause()  # one pause and play sent
    assert state.reported(PlaybackState(1, 5, 30, 15.0, False, holds_taken=0), holds_sent=1)
    assert state.paused and state.playback is not None and state.playback.position == 5
    assert state.resume()  # two sent
    assert state.reported(PlaybackState(1, 6, 30, 15.0, True, holds_taken=1), holds_sent=2)
    assert not state.paused and state.playback is not None and state.playback.position == 6
    # Once it follows every one sent, its word is taken, whatever the window thought.
    assert state.reported(PlaybackState(1, 6, 30, 15.0, True, holds_taken=2), holds_sent=2)
    assert state.paused


def test_a_file_that_learns_its_length_as_it_plays_has_it_from_then_on() -> None:
    # A raw MJPEG's JPEGs are counted on a thread of their own: the count comes in a
    # position report after the file opened without one.
    state = SourceState()
    state.opening(CLIP)
    state.opened(SourceInfo(CLIP, 1, 320, 240, 25.0, 0))
    assert state.reported(PlaybackState(1, 3, 50, 25.0, True)) is True
    assert state.info is not None and state.info.frame_count == 50 and state.info.stream_id == 1


def test_the_path_played_is_a_files_and_none_for_a_camera() -> None:
    # What a snapshot or a recording must never be written over.
    state = SourceState()
    assert state.played_path is None
    opened_file(state)
    assert state.played_path == CLIP.path
    state.opening(CameraSpec(0, "cam"))
    assert state.played_path is None
