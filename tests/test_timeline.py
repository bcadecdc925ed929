"""The session timeline (Qt-free): seconds and shares per person per emotion, strips of
the recent past in bounded memory, and the PNG + CSV report, also from ``analyze --report``."""

from __future__ import annotations

import csv
import os
import pickle
import random
import re
import signal
import stat
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import cv2
import numpy as np
import pytest

from emotion_app.cli import main
from emotion_app.io import atomic, report_process
from emotion_app.io.font_fallback import fallback_font
from emotion_app.io.overlay import overlay_font_path
from emotion_app.io.report_process import FAILED, pickled_session, write_report_in_child
from emotion_app.io.retime import MAX_HOLD_S
from emotion_app.io.session_report import (
    CSV_COLUMNS,
    MAX_LABEL_CHARS,
    ReportError,
    commit_report,
    discard_report,
    duration_text,
    plotted_people,
    stage_report,
    summary_csv,
    summary_rows,
    tenths_text,
    timeline_figure,
    write_report,
)
from emotion_app.results import FaceResult
from emotion_app.samples import SIX_LABELS, astronaut_frames, write_astronaut_video
from emotion_app.timeline import MAX_STEP_S, PORTRAIT_PX, SessionTimeline
from tests.drawn_text import ending_match, inked
from tests.hostile_support import KILLED_AFTER_THE_FIRST_RENAME, hidden_files
from tests.slide_show import write_one_frame_files, write_slide_show

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.text import Text

REPO = Path(__file__).resolve().parent.parent


def face(track_id: int, label: str) -> FaceResult:
    probabilities = tuple(0.6 if name == label else 0.08 for name in SIX_LABELS)
    return FaceResult((10 * track_id, 10, 50, 50), track_id, label, 0.6, probabilities)


def play(timeline: SessionTimeline, seconds: float, fps: float, faces: list[FaceResult], start: float = 0.0) -> float:
    frames = int(round(seconds * fps))
    for index in range(frames):
        timeline.add(start + index / fps, faces)
    return start + frames / fps


def test_seconds_and_shares_per_person_and_overall() -> None:
    timeline = SessionTimeline(SIX_LABELS)
    t = play(timeline, 10.0, 30.0, [face(1, "happy"), face(2, "sad")])
    t = play(timeline, 5.0, 30.0, [face(1, "surprise")], start=t)
    people = {p.track_id: p for p in timeline.people()}
    assert set(people) == {1, 2}
    one = dict(zip(SIX_LABELS, people[1].seconds))
    assert one["happy"] == pytest.approx(10.0, abs=0.1) and one["surprise"] == pytest.approx(5.0, abs=0.1)
    assert sum(people[1].shares) == pytest.approx(1.0) and sum(people[2].shares) == pytest.approx(1.0)
    assert dict(zip(SIX_LABELS, people[2].shares))["sad"] == pytest.approx(1.0)
    overall = timeline.overall()
    assert sum(overall.shares) == pytest.approx(1.0)
    assert overall.total_s == pytest.approx(people[1].total_s + people[2].total_s)
    assert timeline.now_s == pytest.approx(15.0, abs=0.1)


def test_pauses_and_seeks_add_no_time() -> None:
    timeline = SessionTimeline(SIX_LABELS)
    play(timeline, 2.0, 10.0, [face(1, "happy")])
    timeline.add(1.9, [face(1, "happy")])  # the paused frame again
    timeline.add(0.5, [face(1, "happy")])  # a seek back
    timeline.add(60.0, [face(1, "happy")])  # a seek forward: at most a second
    assert timeline.now_s == pytest.approx(1.9 + 1.0, abs=0.01)
    # Told that it was a jump (the app counts its seeks), a seek forward adds nothing.
    timeline.add(120.0, [face(1, "happy")], jumped=True)
    assert timeline.now_s == pytest.approx(1.9 + 1.0, abs=0.01)
    timeline.add(120.1, [face(1, "happy")])
    assert timeline.now_s == pytest.approx(1.9 + 1.1, abs=0.01)


def test_a_files_frame_counts_its_own_time_up_to_the_annotated_videos_hold() -> None:
    # A file's frame held 3 s (a GIF's slide) counted 1 s, the cap meant for a live
    # camera's stall, while the annotated video holds it 3 s.
    timeline = SessionTimeline(SIX_LABELS)
    for time_s in (0.0, 0.1, 3.1, 3.2):
        timeline.add(time_s, [face(1, "happy")], in_file=True)
    assert timeline.now_s == pytest.approx(3.2)
    assert timeline.person(1).seconds[SIX_LABELS.index("happy")] == pytest.approx(3.2)  # type: ignore[union-attr]
    # Held up to the annotated video's 10 s whole; a longer step is a break in the file's
    # timestamps, which that video does not hold either: no time.
    timeline.add(3.2 + MAX_HOLD_S, [face(1, "happy")], in_file=True)
    assert timeline.now_s == pytest.approx(3.2 + MAX_HOLD_S)
    timeline.add(3600.0, [face(1, "happy")], in_file=True)
    timeline.add(3600.1, [face(1, "happy")], in_file=True)
    assert timeline.now_s == pytest.approx(3.2 + MAX_HOLD_S + 0.1)
    # A live camera's stall of 3 s still adds at most a second.
    live = SessionTimeline(SIX_LABELS)
    for time_s in (0.0, 0.1, 3.1, 3.2):
        live.add(time_s, [face(1, "happy")])
    assert live.now_s == pytest.approx(0.1 + MAX_STEP_S + 0.1)


def test_a_name_given_before_a_persons_row_is_made_is_used_for_it() -> None:
    timeline = SessionTimeline(SIX_LABELS)
    timeline.set_name(2, "Ada")
    play(timeline, 1.0, 10.0, [face(1, "happy"), face(2, "sad")])
    assert [(p.track_id, p.given_name) for p in timeline.people()] == [(1, ""), (2, "Ada")]
    timeline.set_name(2, "")
    assert timeline.given_names == {} and timeline.person(2).given_name == ""  # type: ignore[union-attr]
    timeline.set_name(1, "Bo")
    timeline.reset()
    assert timeline.given_names == {}


def test_a_reset_that_keeps_the_names_starts_the_time_afresh_and_names_the_rows_to_come() -> None:
    timeline = SessionTimeline(SIX_LABELS)
    play(timeline, 1.0, 10.0, [face(1, "happy"), face(2, "sad")])
    timeline.set_name(1, "Ada")
    timeline.reset(keep_names=True)  # a file played again from its start
    assert timeline.people() == [] and timeline.now_s == 0.0 and timeline.given_names == {1: "Ada"}
    play(timeline, 1.0, 10.0, [face(1, "happy"), face(2, "sad")])
    assert [(p.track_id, p.given_name) for p in timeline.people()] == [(1, "Ada"), (2, "")]
    assert timeline.person(1).total_s == pytest.approx(0.9, abs=0.01)  # type: ignore[union-attr]


def test_each_new_picture_of_a_slide_show_counts_its_showing() -> None:
    # Was: each picture counted one 1 s bucket, whatever the show held it (2 s a picture).
    timeline = SessionTimeline(SIX_LABELS)
    timeline.add(0.0, [face(1, "happy")], picture_s=2.0)  # a single photo counts too
    assert timeline.people()[0].total_s == pytest.approx(2.0)
    timeline.add(0.0, [face(1, "happy")], picture_s=2.0)  # the paused picture again
    timeline.add(2.0, [face(1, "sad")], picture_s=2.0)  # the show's next picture, 2 s later
    timeline.add(0.0, [face(1, "sad")], picture_s=2.0)  # a seek back to the first
    seconds = dict(zip(SIX_LABELS, timeline.people()[0].seconds))
    assert (seconds["happy"], seconds["sad"]) == (pytest.approx(2.0), pytest.approx(2.0))
    assert timeline.now_s == pytest.approx(4.0)
    happy, sad = SIX_LABELS.index("happy"), SIX_LABELS.index("sad")
    assert timeline.strip(1) == [(0.0, happy), (1.0, happy), (2.0, sad), (3.0, sad)]  # each bucket of each


def test_a_picture_shown_again_adds_no_time_but_one_skipped_does() -> None:
    # Was: a seek back (or Home) to a picture already shown counted it again, so the
    # totals held that moment twice; a picture first reached by a seek back counts.
    timeline = SessionTimeline(SIX_LABELS)
    timeline.add(0.0, [face(1, "happy")], picture_s=2.0)
    timeline.add(4.0, [face(1, "happy")], picture_s=2.0, jumped=True)  # a seek over the second
    timeline.add(0.0, [face(2, "sad")], picture_s=2.0, jumped=True)  # Home after the end: a new id
    timeline.add(2.0, [face(2, "sad")], picture_s=2.0)  # the one skipped: new
    timeline.add(4.0, [face(2, "sad")], picture_s=2.0)
    assert [person.total_s for person in timeline.people()] == [pytest.approx(4.0), pytest.approx(2.0)]
    assert timeline.overall().total_s == pytest.approx(6.0) and timeline.now_s == pytest.approx(6.0)
    # The row of someone seen only again has no strip of made-up time: only the skipped
    # picture's showing, 4-6 s.
    assert timeline.strip(2) == [(4.0, SIX_LABELS.index("sad")), (5.0, SIX_LABELS.index("sad"))]


def test_a_paused_picture_delivered_again_after_a_clear_adds_no_time() -> None:
    # Was: Clear adds the paused frame on screen with no time; the picture's moment was not
    # counted, so the same picture delivered again (Mirror, a model relabelling it) counted
    # its 2 s though nothing played, where a video's paused frame adds none.
    timeline = SessionTimeline(SIX_LABELS)
    timeline.add(0.0, [face(1, "happy")], picture_s=2.0)
    timeline.add(2.0, [face(1, "happy")], picture_s=2.0)
    timeline.reset()  # Clear, paused on the second picture
    timeline.add(2.0, [face(1, "happy")], jumped=True)  # the panel's row for the face on screen
    timeline.add(2.0, [face(1, "sad")], picture_s=2.0)  # the paused picture again
    assert timeline.now_s == 0.0 and timeline.people()[0].total_s == 0.0
    timeline.add(4.0, [face(1, "sad")], picture_s=2.0)  # played on: the next picture counts
    assert timeline.now_s == pytest.approx(2.0) and timeline.people()[0].total_s == pytest.approx(2.0)
    assert timeline.strip(1) == [(0.0, SIX_LABELS.index("sad")), (1.0, SIX_LABELS.index("sad"))]


@pytest.mark.parametrize("in_file", [True, False], ids=["file", "live"])
def test_a_files_moments_count_once_however_often_shown(in_file: bool) -> None:
    # Was: the frames played again after a seek back each added their time again, so a
    # second pass doubled the totals. A live stream's clock never shows a moment twice.
    timeline = SessionTimeline(SIX_LABELS)

    def run(start: float, end: float, label: str, fps: float = 10.0) -> None:
        for index in range(int(round((end - start) * fps)) + 1):
            timeline.add(start + index / fps, [face(1, label)], jumped=index == 0, in_file=in_file)

    run(0.0, 4.0, "happy")
    assert timeline.overall().total_s == pytest.approx(4.0)
    run(1.0, 3.0, "sad")  # a seek back over seen frames
    run(2.0, 6.0, "sad")  # and again, then on past the end of what was seen
    seconds = dict(zip(SIX_LABELS, timeline.people()[0].seconds))
    if in_file:
        assert (seconds["happy"], seconds["sad"]) == (pytest.approx(4.0), pytest.approx(2.0))
        assert timeline.now_s == pytest.approx(6.0)
        # Someone seen only in moments counted already gets no strip of made-up time.
        timeline.add(1.0, [face(2, "angry")], jumped=True, in_file=True)
        timeline.add(1.1, [face(2, "angry")], in_file=True)
        assert timeline.strip(2) == [] and timeline.person(2).total_s == 0.0  # type: ignore[union-attr]
    else:
        assert (seconds["happy"], seconds["sad"]) == (pytest.approx(4.0), pytest.approx(6.0))


def test_strips_show_the_label_per_second_for_the_recent_window() -> None:
    timeline = SessionTimeline(SIX_LABELS, bucket_s=1.0, window_s=10.0)
    t = play(timeline, 4.0, 10.0, [face(7, "happy")])
    play(timeline, 10.0, 10.0, [face(7, "sad")], start=t)
    strip = timeline.strip(7)
    assert len(strip) <= 11
    happy, sad = SIX_LABELS.index("happy"), SIX_LABELS.index("sad")
    assert [label for _start, label in strip][-3:] == [sad] * 3
    assert all(label in (happy, sad) for _start, label in strip)
    assert strip[0][0] >= timeline.now_s - 10.0 - 1.0  # nothing older than the window


def test_memory_stays_bounded_over_a_long_session_with_many_people() -> None:
    timeline = SessionTimeline(SIX_LABELS, bucket_s=1.0, window_s=60.0, max_people=8)
    for index in range(20_000):  # 11 minutes at 30 fps; a new person every 100 frames
        track = index // 100
        timeline.add(index / 30.0, [face(track, SIX_LABELS[index % 6]), face(track + 1000, "happy")])
    people = timeline.people()
    assert len(people) <= 8 and timeline.folded_people > 100
    assert all(len(timeline.strip(p.track_id)) <= 61 for p in people if p.track_id is not None)
    # Folded people's time stays in everyone's total.
    assert timeline.overall().total_s == pytest.approx(2 * 19_999 / 30.0, rel=1e-3)


def test_folded_people_keep_their_seconds_where_asked_and_come_back_with_them() -> None:
    # analyze --report keeps every person's seconds past the rows (was: folded into
    # everyone's total only, so its CSV lost them); the panel's session keeps only the rows.
    for keep in (False, True):
        timeline = SessionTimeline(SIX_LABELS, max_people=2, keep_folded=keep)
        t = play(timeline, 1.0, 10.0, [face(1, "happy")])
        timeline.set_name(1, "Ada")
        # #1, seen longest ago, is folded for #3; #2, seen longest, keeps its row.
        t = play(timeline, 3.0, 10.0, [face(2, "sad")], start=t)
        t = play(timeline, 1.0, 10.0, [face(3, "angry")], start=t)
        assert [p.track_id for p in timeline.people()] == [2, 3]
        everyone = {p.track_id: p for p in timeline.everyone()}
        assert list(everyone) == ([1, 2, 3] if keep else [2, 3])
        if keep:
            assert everyone[1].name == "Ada (#1)"
            assert dict(zip(SIX_LABELS, everyone[1].seconds))["happy"] == pytest.approx(0.9)
            # Back in sight, #1 has a row again, its seconds going on from before the fold.
            play(timeline, 1.0, 10.0, [face(1, "happy")], start=t)
            again = timeline.person(1)
            assert again is not None and dict(zip(SIX_LABELS, again.seconds))["happy"] == pytest.approx(1.9)
            assert [p.track_id for p in timeline.everyone()] == [1, 2, 3]
        # Everyone's total is the people's, listed or folded.
        total = sum(p.total_s for p in timeline.everyone())
        assert (total == pytest.approx(timeline.overall().total_s)) is keep


def test_a_face_folded_away_by_its_own_frames_faces_keeps_its_time_where_asked() -> None:
    # Was: a frame of more faces than rows (a crowd photo, a stadium's video) folded its
    # first faces away before their time was counted, so analyze --report's CSV gave them
    # 0 s, and a video's frame folded the faces of the frame before, whose showing it counts.
    crowd = [face(track_id, "happy") for track_id in range(1, 5)]
    still = SessionTimeline(SIX_LABELS, max_people=2, keep_folded=True)
    still.add(None, crowd)  # a folder's picture: a second
    assert {p.track_id: p.total_s for p in still.everyone()} == pytest.approx(dict.fromkeys(range(1, 5), 1.0))
    video = SessionTimeline(SIX_LABELS, max_people=2, keep_folded=True)
    for index in range(10):  # the four faces on every frame of a 10 fps video, 1 s in all
        video.add(index / 10, crowd, in_file=True, shown_s=0.1)
    video.end(1.0, crowd, in_file=True)
    assert {p.track_id: p.total_s for p in video.everyone()} == pytest.approx(dict.fromkeys(range(1, 5), 1.0))
    assert sum(p.total_s for p in video.everyone()) == pytest.approx(video.overall().total_s)


def test_the_people_the_plot_draws_keep_their_strips_and_portraits_past_the_rows() -> None:
    # Was: past 64 people the rows folded those seen longest ago, the session's main person
    # too: analyze --report's plot gave #1, seen longest, a share bar with no strip and no
    # portrait, and the panel's export left #1 out of its plot and its CSV.
    from matplotlib.offsetbox import AnnotationBbox

    picture = framed((255, 0, 255), (0, 0, 800, 100), size=(800, 100))
    for keep in (True, False):
        timeline = SessionTimeline(SIX_LABELS, keep_folded=keep)
        t = 0.0
        for track_id, seconds in [(1, 30.0), *((n, 1.0) for n in range(2, 70))]:  # #1 30 s, then 68 a second each
            for _ in range(int(seconds * 10)):
                timeline.add(t, [face(track_id, "happy" if track_id == 1 else "sad")], picture)
                t += 0.1
        plotted = [person.track_id for person in plotted_people(timeline)]
        assert plotted == [1, *range(59, 70)], keep
        for drawn in plotted:
            assert drawn is not None
            assert timeline.seen_strip(drawn) and timeline.portrait(drawn) is not None, (keep, drawn)
        assert len(timeline.people()) <= 64  # the rows stay bounded
        assert "#1" in {name for name, *_ in summary_rows(timeline)}
        strips = timeline_figure(timeline).axes[0]
        assert sum(isinstance(artist, AnnotationBbox) for artist in strips.artists) == 12


def test_a_crowd_of_more_faces_than_rows_keeps_its_rows_from_frame_to_frame() -> None:
    # Was: each face past the 64th of a frame folded the row of a face seen before it in that
    # frame, so a crowd's rows were dropped and made again on every frame: each strip was
    # its last frame's tenth of a second, and each portrait taken again.
    crowd = [face(track_id, "happy") for track_id in range(1, 71)]
    for keep in (False, True):
        timeline = SessionTimeline(SIX_LABELS, keep_folded=keep)
        for index in range(50):  # 5 s of a live stream at 10 fps
            timeline.add(index / 10, crowd)
        people = timeline.people()
        # The 64 found last: of equal time (no time yet on the first frame) the later found.
        assert [person.track_id for person in people] == list(range(7, 71))
        for person in people:
            assert person.track_id is not None
            pieces = timeline.seen_strip(person.track_id)
            assert pieces[0][0] == 0.0 and pieces[-1][1] == pytest.approx(4.9), (keep, person.track_id)
            assert all(after[0] == pytest.approx(before[1]) for before, after in zip(pieces, pieces[1:]))
        assert all(timeline.person(p.track_id) is not None for p in plotted_people(timeline) if p.track_id)
        if keep:  # analyze --report: the six without a row have their seconds all the same
            assert {p.track_id: p.total_s for p in timeline.everyone()} == pytest.approx(
                dict.fromkeys(range(1, 71), 4.9)
            )


class _TenthsFeed:
    """Frames of one picture fed to a timeline a tenth of a second apart, each shown 0.1 s."""

    def __init__(self, timeline: SessionTimeline, picture: np.ndarray, in_file: bool) -> None:
        self.timeline, self.picture, self.in_file = timeline, picture, in_file
        self.t = 0.0

    def show(self, faces: list[FaceResult]) -> None:
        self.timeline.add(self.t, faces, self.picture, in_file=self.in_file, shown_s=0.1)
        self.t += 0.1

    def twelve_happy_for_2_s(self) -> None:
        """#1 to #12, one after another, 2 s each."""
        for track_id in range(1, 13):
            for _ in range(20):
                self.show([face(track_id, "happy")])


@pytest.mark.parametrize("in_file", [False, True])
def test_a_person_given_a_row_back_by_their_time_has_their_portrait_of_that_frame(in_file: bool) -> None:
    # Was: a face without a row whose time put it among the 12 seen longest got its row back
    # as its time counted, after the frame's faces had been given theirs (and their
    # portraits): it had none, and where the video ended there, analyze --report's plot drew
    # that person's strip beside no portrait.
    magenta, box = (255, 0, 255), (0, 0, 60, 60)
    picture = framed(magenta, box, size=(400, 100))
    timeline = SessionTimeline(SIX_LABELS, keep_folded=True, max_people=16)
    feed = _TenthsFeed(timeline, picture, in_file)
    show = feed.show
    feed.twelve_happy_for_2_s()  # the 12 seen longest, then gone
    returning = FaceResult(box, 13, "sad", 0.6, face(13, "sad").probabilities)
    for _ in range(15):  # 1.5 s: not among them, folded for the crowd's last face
        show([returning])
    show([])  # (a file's frame counts the one before's showing: #13's last, here)
    crowd = [face(track_id, "angry") for track_id in range(20, 24)]
    show(crowd)
    assert timeline.person(13) is None
    for _ in range(10):  # the crowd's rows are theirs: #13 counts without one, up past 2 s
        show([*crowd, returning])
        if timeline.person(13) is not None:
            break
    assert 13 in {person.track_id for person in plotted_people(timeline)}
    if in_file:  # the video ends: that frame's showing counts, and no frame comes
        timeline.end(feed.t, [*crowd, returning], in_file=True)
    portrait = timeline.portrait(13)
    assert portrait is not None and tuple(portrait[PORTRAIT_PX // 2, PORTRAIT_PX // 2]) == magenta
    assert timeline.strip(13)
    assert sum(person.total_s for person in timeline.everyone()) == pytest.approx(timeline.overall().total_s)


@pytest.mark.parametrize("keep", [True, False])
def test_a_files_row_is_not_folded_before_its_last_frames_showing_counts(keep: bool) -> None:
    # Was: a video's frame counts its showing once the next frame comes, but the next frame's
    # new face could take the row of one only on the frame before: its last showing then
    # went to a row made anew (analyze --report: #13, among the 12 seen longest, drawn with
    # a strip of that last frame alone and no portrait) or, in the panel, to none (#13 and
    # its 2 s gone from the export's plot and CSV).
    picture = framed((255, 0, 255), (0, 0, 400, 100), size=(400, 100))
    timeline = SessionTimeline(SIX_LABELS, keep_folded=keep, max_people=16)
    feed = _TenthsFeed(timeline, picture, in_file=True)
    show = feed.show
    feed.twelve_happy_for_2_s()  # the 12 seen longest so far, then gone
    crowd = [face(track_id, "angry") for track_id in (20, 21, 22)]
    show([*crowd, face(13, "sad")])
    first_s = timeline.now_s  # where #13's first showing starts
    for _ in range(19):  # #13's 2 s: the last frame's showing puts it among the 12
        show([*crowd, face(13, "sad")])
    last = [*crowd, face(30, "fear")]  # #13 gone, a new face: the rows are full
    show(last)
    timeline.end(feed.t, last, in_file=True)
    assert 13 in {person.track_id for person in plotted_people(timeline)}
    person = timeline.person(13)
    assert person is not None and person.total_s == pytest.approx(2.0)
    assert timeline.seen_strip(13)[0][0] == pytest.approx(first_s)
    assert timeline.portrait(13) is not None
    assert len(timeline.people()) <= 16
    if keep:
        assert sum(person.total_s for person in timeline.everyone()) == pytest.approx(timeline.overall().total_s)


@pytest.mark.parametrize("seed", range(8))
def test_every_person_the_plot_draws_has_a_row_through_random_sessions(seed: int) -> None:
    # The rows never fold one of the people the plot draws (the 12 seen longest), whatever
    # comes: people one after another, crowds of more faces than rows, a file's frames
    # counted once the next comes, stills, a seek, an end.
    rng = random.Random(seed)
    max_people = [13, 16, 64][seed % 3]
    timeline = SessionTimeline(SIX_LABELS, keep_folded=seed % 2 == 0, max_people=max_people)
    kind = ["live", "file", "stills"][seed % 3]
    t = 0.0
    for _ in range(400):
        count = rng.choice([0, 1, 2, 5, max_people - 1, max_people + 8])
        faces = [face(track_id, rng.choice(SIX_LABELS)) for track_id in rng.sample(range(1, 2 * max_people), count)]
        t += rng.choice([0.1, 0.1, 0.5, 0.0])
        if kind == "live":
            timeline.add(t, faces)
        elif kind == "file" and rng.random() < 0.03:
            timeline.end(t, faces, in_file=True)
        elif kind == "file":
            timeline.add(t, faces, in_file=True, shown_s=0.1, jumped=rng.random() < 0.05)
        else:
            timeline.add(None, faces)
        assert len(timeline.people()) <= max_people
        for person in plotted_people(timeline):
            assert person.track_id is not None and timeline.person(person.track_id) is not None, (seed, person)


def test_the_plot_says_how_many_people_it_has_no_row_for() -> None:
    # Was: past 12 people the plot drew the 12 found last and said nothing of the others.
    timeline = SessionTimeline(SIX_LABELS, keep_folded=True, max_people=13)
    for track_id in range(1, 16):  # fifteen pictures, one face each, as analyze adds a folder's
        timeline.add(None, [face(track_id, "happy")])
    strips = timeline_figure(timeline).axes[0]
    assert strips.get_title() == (
        "Shown emotion over the last 15 s\n12 of 15 people: those seen longest (the CSV has everyone)"
    )
    # Each seen a second: of equal time, the later found.
    assert [label.get_text() for label in strips.get_yticklabels()] == [f"#{n}" for n in range(4, 16)]
    # Twelve or fewer: every one has a row, and the title says no more.
    twelve = SessionTimeline(SIX_LABELS)
    for track_id in range(1, 13):
        twelve.add(None, [face(track_id, "happy")])
    assert timeline_figure(twelve).axes[0].get_title() == "Shown emotion over the last 12 s"


def test_the_plot_keeps_the_row_of_the_person_seen_longest_of_many() -> None:
    # Was: the 12 found last (highest ids), so a long video's main person, #1, on screen
    # most of the time, had no row beside 14 people seen a moment each.
    timeline = SessionTimeline(SIX_LABELS)
    t = play(timeline, 60.0, 10.0, [face(1, "happy")])
    for track_id in range(2, 16):  # #k seen k tenths of a second, one after another
        t = play(timeline, track_id / 10, 10.0, [face(track_id, "sad")], start=t)
    strips, shares = timeline_figure(timeline).axes[:2]
    rows = ["#1", *(f"#{n}" for n in range(5, 16))]  # by id, the eleven next longest after #1
    assert [label.get_text() for label in strips.get_yticklabels()] == rows
    assert [label.get_text().split(" (")[0] for label in shares.get_yticklabels()] == [*rows, "everyone"]
    assert strips.get_title().endswith("\n12 of 15 people: those seen longest (the CSV has everyone)")


def test_the_panels_plot_does_not_promise_the_people_its_rows_forgot() -> None:
    # Was "(the CSV has everyone)" from the panel's session too, whose rows forget the people
    # seen longest ago (past 64 of them): its CSV lacks them, as the plot does.
    panel = SessionTimeline(SIX_LABELS, max_people=13)  # as the panel's, with 13 rows
    for track_id in range(1, 16):
        panel.add(None, [face(track_id, "happy")])
    title = timeline_figure(panel).axes[0].get_title()
    assert title.endswith("\n12 of the 13 people kept: those seen longest (the CSV has the 13)")
    assert {name for name, *_ in summary_rows(panel)} == {f"#{n}" for n in range(3, 16)} | {"everyone"}


def test_the_report_writes_a_png_and_a_csv(tmp_path: Path) -> None:
    timeline = SessionTimeline(SIX_LABELS)
    play(timeline, 6.0, 10.0, [face(1, "happy"), face(3, "angry")])
    png, summary = write_report(timeline, tmp_path / "new" / "folder")
    image = cv2.imread(str(png))
    assert image is not None and image.shape[0] > 200 and image.shape[1] > 600
    with open(summary, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert {row["person"] for row in rows} == {"#1", "#3", "everyone"}
    assert [row["emotion"] for row in rows if row["person"] == "#1"] == list(SIX_LABELS)
    for person in ("#1", "#3", "everyone"):
        assert sum(float(row["share"]) for row in rows if row["person"] == person) == pytest.approx(1.0, abs=1e-3)
    happy = next(row for row in rows if row["person"] == "#1" and row["emotion"] == "happy")
    assert float(happy["seconds"]) == pytest.approx(5.9, abs=0.05)


def test_a_report_before_any_model_or_face_is_written(tmp_path: Path) -> None:
    # The app's timeline has no classes until its model has loaded: its export must
    # still write both files (it raised inside matplotlib's legend, found by
    # scripts/gui_monkey.py).
    png, summary = write_report(SessionTimeline(()), tmp_path)
    image = cv2.imread(str(png))
    assert image is not None and image.shape[1] > 600
    with open(summary, newline="") as handle:
        assert list(csv.reader(handle)) == [list(CSV_COLUMNS)]


def test_a_report_into_a_file_path_is_refused_and_nothing_is_overwritten(tmp_path: Path) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("keep me")
    with pytest.raises(ReportError, match="not a folder"):
        write_report(SessionTimeline(SIX_LABELS), blocker)
    assert blocker.read_text() == "keep me"


@pytest.mark.usefixtures("one_torch_thread")
def test_analyze_report_writes_the_same_files(
    tmp_path: Path, random_weights: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    video = write_astronaut_video(
        tmp_path / "two.avi", num_frames=20, frame_size=(320, 160), face_size=70, copies=2, fps=10.0
    )
    report = tmp_path / "report"
    code = main(["analyze", str(video.path), "--report", str(report), "--weights", str(random_weights)])
    assert code == 0
    assert "report:" in capsys.readouterr().out
    assert cv2.imread(str(report / "emotion-timeline.png")) is not None
    with open(report / "emotion-summary.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    people = {row["person"] for row in rows} - {"everyone"}
    assert len(people) == 2  # both faces, tracked
    everyone = [row for row in rows if row["person"] == "everyone"]
    assert [row["emotion"] for row in everyone] == list(SIX_LABELS)  # the weights' classes
    # Two faces, each in 20 frames at 10 fps: 2 s, the last frame's tenth too (1.9 s once).
    assert sum(float(row["seconds"]) for row in everyone) == pytest.approx(2 * 2.0, abs=0.15)
    # A report folder that cannot be made is refused before any work, with one line.
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["analyze", str(video.path), "--report", str(blocker / "sub"), "--weights", str(random_weights)]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{blocker} is not a folder" in err


def plotted_blocks(png: Path) -> list[list[tuple[float, float]]]:
    """Each row's coloured blocks in the report's PNG, as fractions of the strips' time axis
    (0: its left end, 1: its right end), top row first: read off the pixels."""
    picture = cv2.imread(str(png))
    assert picture is not None, f"{png} does not decode"
    image = picture.astype(np.int16)
    dark = image.max(axis=2) < 90
    # The axes' frames are the long vertical dark lines; the strips' are the two leftmost.
    lines: list[tuple[int, int, int]] = []  # x, top, bottom
    for x in range(image.shape[1]):
        edges = np.flatnonzero(np.diff(np.r_[0, dark[:, x], 0]))
        if edges.size:
            longest = int(np.argmax(edges[1::2] - edges[::2]))
            top, bottom = int(edges[2 * longest]), int(edges[2 * longest + 1])
            if bottom - top > image.shape[0] // 4 and not (lines and x - lines[-1][0] <= 2):
                lines.append((x, top, bottom))
    (left, top, bottom), (right, _, _) = lines[0], lines[1]
    coloured = (image.max(axis=2) - image.min(axis=2) > 60)[top + 2 : bottom - 1, left + 2 : right - 1]
    rows_with_colour = np.r_[0, coloured.any(axis=1), 0]
    edges = np.flatnonzero(np.diff(rows_with_colour))
    blocks: list[list[tuple[float, float]]] = []
    for top, bottom in zip(edges[::2], edges[1::2]):
        line = np.r_[0, coloured[(top + bottom) // 2], 0]
        ends = np.flatnonzero(np.diff(line)) + left + 2
        span = float(right - left)
        blocks.append([((a - left) / span, (b - left) / span) for a, b in zip(ends[::2], ends[1::2])])
    return blocks


@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("pictures", [1, 4])
def test_analyze_reports_each_picture_of_a_folder_in_its_own_second(
    tmp_path: Path, random_weights: Path, capsys: pytest.CaptureFixture[str], pictures: int
) -> None:
    # Was: picture k's block at k to k + 1 s, so 4 pictures drew at 1-5 s on a 0-5 s axis
    # titled "last 4.0 s", and one photo at 1-2 s on a 0-2 s axis titled "last 1.0 s".
    frames, _ = astronaut_frames(num_frames=pictures, frame_size=(240, 200), face_size=90, motion="static")
    folder = tmp_path / "pictures"
    stills = write_slide_show(folder, frames)
    source = folder if pictures > 1 else stills[0]
    report = tmp_path / "report"
    assert main(["analyze", str(source), "--report", str(report), "--weights", str(random_weights)]) == 0
    assert f"({pictures:.1f} s, " in capsys.readouterr().out
    with open(report / "emotion-summary.csv", newline="") as handle:
        seconds: dict[str, float] = {}
        for row in csv.DictReader(handle):
            seconds[row["person"]] = seconds.get(row["person"], 0.0) + float(row["seconds"])
    assert seconds.pop("everyone") == float(pictures)
    assert sorted(seconds.values()) == [1.0] * pictures  # a face in each picture, a second each
    # Each picture's row, in their order, holds one block: the k-th Nth of the axis (N s).
    blocks = plotted_blocks(report / "emotion-timeline.png")
    assert len(blocks) == pictures
    for number, row_blocks in enumerate(blocks):
        [(start, end)] = row_blocks
        assert start == pytest.approx(number / pictures, abs=0.01)
        assert end == pytest.approx((number + 1) / pictures, abs=0.01)


@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("name", ["one_frame.mp4", "one_frame.avi", "png_named.mp4", "jpeg_named.mp4", "still.gif"])
def test_analyze_reports_a_file_of_one_frame_as_the_picture_it_is(
    tmp_path: Path, random_weights: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    # Was: a video of one frame was a clip of one frame interval: "1 of 1 frame", a report
    # of <0.1 s (a still GIF's, its delay: 0.1 s) and an annotated video of that, where the
    # app shows it as a picture ("(1 picture)") and a photo's report counts it a second.
    frames, _ = astronaut_frames(num_frames=1, frame_size=(240, 200), face_size=90, motion="static")
    still = write_one_frame_files(tmp_path, frames[0])[name]
    report, annotated = tmp_path / "report", tmp_path / "annotated.avi"
    arguments = ["analyze", str(still), "--report", str(report), "-o", str(annotated)]
    assert main([*arguments, "--csv", str(tmp_path / "faces.csv"), "--weights", str(random_weights)]) == 0
    printed = capsys.readouterr().out
    assert "faces: 1 in 1 of 1 image (100%)\n" in printed and "(1.0 s, 1 person)" in printed
    with open(report / "emotion-summary.csv", newline="") as handle:
        seconds = {row["person"]: float(row["seconds"]) for row in csv.DictReader(handle) if float(row["seconds"])}
    assert seconds == {"#1": 1.0, "everyone": 1.0}
    video = cv2.VideoCapture(str(annotated))
    try:
        assert (video.get(cv2.CAP_PROP_FRAME_COUNT), video.get(cv2.CAP_PROP_FPS)) == (1, 1.0)  # a second
    finally:
        video.release()
    with open(tmp_path / "faces.csv", newline="") as handle:
        assert [row["time_s"] for row in csv.DictReader(handle)] == [""]  # a picture has no time in a file


def test_a_files_frame_counts_its_own_showing_for_the_faces_it_shows() -> None:
    # Was: each frame counted the time since the one before for its own faces, so a face
    # seen only on a video's first frame had no time (no block, Export greyed out, a report
    # of 0 s), and a GIF's slide held 3 s counted the 0.1 s frame before it for its faces.
    happy, sad = SIX_LABELS.index("happy"), SIX_LABELS.index("sad")
    timeline = SessionTimeline(SIX_LABELS)
    timeline.add(0.0, [face(1, "happy")], in_file=True)  # the first frame: its face alone
    for index in range(1, 5):
        timeline.add(index / 10, [], in_file=True)
    timeline.end(0.5, [], in_file=True)
    assert timeline.person(1).seconds[happy] == pytest.approx(0.1)  # type: ignore[union-attr]
    assert timeline.has_time and timeline.overall().total_s == pytest.approx(0.1)
    assert timeline.strip(1) == [(0.0, happy)]  # a block for it, at the file's start
    # A slide held 3 s counts its 3 s for its own face, each second of the strip its own.
    slides = SessionTimeline(SIX_LABELS)
    for time_s, faces in ((0.0, []), (0.1, [face(1, "sad")]), (3.1, []), (3.2, [face(2, "happy")])):
        slides.add(time_s, faces, in_file=True)
    slides.end(3.3, [face(2, "happy")], in_file=True)
    assert slides.person(1).seconds[sad] == pytest.approx(3.0)  # type: ignore[union-attr]
    assert slides.person(2).seconds[happy] == pytest.approx(0.1)  # type: ignore[union-attr]
    assert slides.now_s == pytest.approx(3.3) and slides.overall().total_s == pytest.approx(3.1)
    assert slides.strip(1) == [(0.0, sad), (1.0, sad), (2.0, sad), (3.0, sad)]
    # A seek (jumped) counts none of the frame before it: its moment was not played on.
    seeks = SessionTimeline(SIX_LABELS)
    seeks.add(0.0, [face(1, "happy")], in_file=True)
    seeks.add(5.0, [face(2, "sad")], jumped=True, in_file=True)
    seeks.add(5.1, [], in_file=True)
    assert seeks.person(1).total_s == 0.0 and seeks.person(2).total_s == pytest.approx(0.1)  # type: ignore[union-attr]


def test_a_files_frame_left_by_a_jump_counts_its_own_showing_once() -> None:
    # Was: the frame a seek (a step back, Home) left counted none of its showing, so a face
    # seen only on a paused frame the user then sought away from had no time. It counts its
    # own showing, as if played on, however long it stayed on screen (a pause adds no time).
    happy, sad = SIX_LABELS.index("happy"), SIX_LABELS.index("sad")
    timeline = SessionTimeline(SIX_LABELS)
    timeline.add(0.0, [], in_file=True, shown_s=0.1)  # the first frame, no face
    timeline.add(4.0, [face(1, "happy")], jumped=True, in_file=True, shown_s=0.1)  # sought to, paused
    assert timeline.now_s == pytest.approx(0.1) and timeline.person(1).total_s == 0.0  # type: ignore[union-attr]
    # The paused frame looked at again (a model picked, Mirror view): the same moment, on screen still.
    timeline.add(4.0, [face(1, "happy")], jumped=True, in_file=True, shown_s=0.1)
    assert timeline.now_s == pytest.approx(0.1) and timeline.person(1).total_s == 0.0  # type: ignore[union-attr]
    timeline.add(1.0, [face(2, "sad")], jumped=True, in_file=True, shown_s=0.1)  # a seek back leaves it
    assert timeline.person(1).seconds[happy] == pytest.approx(0.1)  # type: ignore[union-attr]
    assert timeline.strip(1) == [(0.0, happy)]  # a block for it
    timeline.add(4.0, [face(1, "happy")], jumped=True, in_file=True, shown_s=0.1)
    assert timeline.person(2).seconds[sad] == pytest.approx(0.1)  # type: ignore[union-attr]
    timeline.add(1.0, [], jumped=True, in_file=True, shown_s=0.1)  # left again: counted once
    assert timeline.person(1).total_s == pytest.approx(0.1)  # type: ignore[union-attr]
    assert timeline.now_s == pytest.approx(0.3) and timeline.overall().total_s == pytest.approx(0.2)
    # An animation's frame held 3 s counts its 3 s; one of no known showing (analyze's,
    # which never seeks) none.
    timeline.add(10.0, [face(3, "happy")], jumped=True, in_file=True, shown_s=3.0)
    timeline.add(20.0, [face(4, "happy")], jumped=True, in_file=True)
    timeline.add(30.0, [], jumped=True, in_file=True)
    assert timeline.person(3).total_s == pytest.approx(3.0) and timeline.person(4).total_s == 0.0  # type: ignore[union-attr]


@pytest.mark.usefixtures("one_torch_thread")
def test_analyze_reports_the_time_of_a_face_seen_only_on_a_videos_first_frame(
    tmp_path: Path, random_weights: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: "report: ... (1.0 s, 1 person)" with 0.0 s in every emotion for that person and
    # for everyone, and a plot of no block: the first frame's own tenth counted for nobody.
    video = write_astronaut_video(
        tmp_path / "first.avi", num_frames=10, motion="static", blank_frames=range(1, 10), fps=10.0
    )
    report = tmp_path / "report"
    assert main(["analyze", str(video.path), "--report", str(report), "--weights", str(random_weights)]) == 0
    assert "(1.0 s, 1 person)" in capsys.readouterr().out
    with open(report / "emotion-summary.csv", newline="") as handle:
        seconds: dict[str, float] = {}
        for row in csv.DictReader(handle):
            seconds[row["person"]] = seconds.get(row["person"], 0.0) + float(row["seconds"])
    assert seconds == {"#1": pytest.approx(0.1), "everyone": pytest.approx(0.1)}
    # Its row's block: the strip's first second, where its tenth is.
    [[(start, _end)]] = plotted_blocks(report / "emotion-timeline.png")
    assert start == pytest.approx(0.0, abs=0.01)


def test_the_plot_labels_a_brief_face_with_its_tenths_of_a_second() -> None:
    assert duration_text(0.43) == "0.4 s"
    assert duration_text(0.03) == "<0.1 s"  # a frame of a face: seen, if briefly
    assert duration_text(0.0) == "0.0 s"
    assert duration_text(sum([1 / 15] * 15)) == "1.0 s"  # 15 frames' times added up: a second
    assert duration_text(9.2) == "9.2 s"
    # Cut down, as the session's length is: never more than the session it was seen in.
    assert duration_text(9.97) == "9.9 s"
    assert duration_text(47.4) == "47 s"
    assert duration_text(150.0) == "2.5 min"


@pytest.mark.parametrize(
    ("played_s", "fps", "title", "face_time"),
    [(2.68, 50.0, "2 s", "2.6 s"), (19.8, 10.0, "19 s", "19 s"), (155.6, 10.0, "2.5 min", "2.5 min")],
)
def test_the_plots_session_length_reads_as_the_panels(played_s: float, fps: float, title: str, face_time: str) -> None:
    # Was: the panel's caption cut the length down, as the seek bar's clock does ("session
    # 19 s" beside "0:19" for 19.7 s), while the exported plot rounded it: "over the last
    # 20 s" and "#1 (20 s)", "2.6 min" beside the panel's "2.5 min" at 155.5 s, and "2.7 s"
    # beside "2 s" at 2.66 s. A face's time keeps its tenths under 10 s, cut down too.
    timeline = SessionTimeline(SIX_LABELS)
    play(timeline, played_s, fps, [face(1, "happy")])
    assert timeline.now_s == pytest.approx(played_s - 1 / fps)
    strips, shares = timeline_figure(timeline).axes[:2]
    assert strips.get_title() == f"Shown emotion over the last {title}"
    labels = [text.get_text() for text in shares.get_yticklabels()]
    assert labels == [f"#1 ({face_time})", f"everyone ({face_time} of faces)"]


def framed(
    colour: tuple[int, int, int], box: tuple[int, int, int, int], size: tuple[int, int] = (320, 240)
) -> np.ndarray:
    """A gray frame with ``box`` filled with one BGR colour (a face, for the portraits)."""
    frame = np.full((size[1], size[0], 3), 90, np.uint8)
    x, y, w, h = box
    frame[y : y + h, x : x + w] = colour
    return frame


def test_each_person_keeps_a_portrait_of_their_largest_view() -> None:
    timeline = SessionTimeline(SIX_LABELS)
    small, large = (100, 100, 30, 30), (60, 60, 120, 120)
    green, magenta = (0, 200, 0), (255, 0, 255)
    timeline.add(0.0, [face(1, "happy")])  # no frame given: no portrait yet
    assert timeline.portrait(1) is None
    timeline.add(0.1, [FaceResult(small, 1, "happy", 0.6, face(1, "happy").probabilities)], framed(green, small))
    portrait = timeline.portrait(1)
    assert portrait is not None and portrait.shape == (PORTRAIT_PX, PORTRAIT_PX, 3)
    assert tuple(portrait[PORTRAIT_PX // 2, PORTRAIT_PX // 2]) == green
    timeline.add(0.2, [FaceResult(large, 1, "happy", 0.6, face(1, "happy").probabilities)], framed(magenta, large))
    assert tuple(timeline.portrait(1)[PORTRAIT_PX // 2, PORTRAIT_PX // 2]) == magenta  # type: ignore[index]
    # A smaller view later does not replace the larger one; a gray frame gives one too.
    timeline.add(0.3, [FaceResult(small, 1, "happy", 0.6, face(1, "happy").probabilities)], framed(green, small))
    assert tuple(timeline.portrait(1)[PORTRAIT_PX // 2, PORTRAIT_PX // 2]) == magenta  # type: ignore[index]
    gray = cv2.cvtColor(framed(green, small), cv2.COLOR_BGR2GRAY)
    timeline.add(0.4, [FaceResult(small, 2, "sad", 0.6, face(2, "sad").probabilities)], gray)
    assert timeline.portrait(2) is not None and timeline.portrait(2).shape == (PORTRAIT_PX, PORTRAIT_PX, 3)  # type: ignore[union-attr]
    timeline.reset()
    assert timeline.portrait(1) is None


def test_the_report_shows_each_persons_portrait_beside_their_row(tmp_path: Path) -> None:
    magenta, box = (255, 0, 255), (60, 60, 120, 120)
    timeline = SessionTimeline(SIX_LABELS)
    faces = [FaceResult(box, 1, "happy", 0.6, face(1, "happy").probabilities)]
    for index in range(20):
        timeline.add(index / 10.0, faces, framed(magenta, box))
    png, _ = write_report(timeline, tmp_path / "with")
    without = SessionTimeline(SIX_LABELS)
    play(without, 2.0, 10.0, faces)
    plain, _ = write_report(without, tmp_path / "without")

    def magenta_pixels(path: Path) -> int:
        image = cv2.imread(str(path))
        assert image is not None
        return int(np.count_nonzero(np.all(np.abs(image.astype(int) - magenta) < 30, axis=2)))

    assert magenta_pixels(png) > 400 and magenta_pixels(plain) == 0


def test_a_persons_portrait_in_the_report_covers_no_part_of_their_name() -> None:
    # Was: each portrait sat a fixed distance left of the strips, room for "#12" only: a
    # name given ("Ada (#2)") was drawn under it, "Ada" hidden.
    from matplotlib.offsetbox import AnnotationBbox

    box = (60, 60, 120, 120)
    timeline = SessionTimeline(SIX_LABELS)
    faces = [FaceResult(box, track_id, "happy", 0.6, face(track_id, "happy").probabilities) for track_id in (1, 2, 3)]
    for index in range(20):
        timeline.add(index / 10.0, faces, framed((255, 0, 255), box))
    timeline.set_name(1, "Alexandra Montgomery-Smith")
    timeline.set_name(2, "Ada")
    figure = timeline_figure(timeline)
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    figure.canvas.draw()
    strips = figure.axes[0]
    names = [label.get_window_extent(renderer) for label in strips.get_yticklabels()]
    portraits = sorted(
        (artist.get_window_extent(renderer) for artist in strips.artists if isinstance(artist, AnnotationBbox)),
        key=lambda extent: -extent.y0,  # top row first, as the names
    )
    assert [label.get_text() for label in strips.get_yticklabels()] == [
        "Alexandra Montgomery-Smith (#1)",
        "Ada (#2)",
        "#3",
    ]
    assert len(portraits) == len(names) == 3
    left_of_strips = strips.get_window_extent(renderer).x0
    for name, portrait in zip(names, portraits):
        assert not name.overlaps(portrait), (name, portrait)
        assert portrait.x1 <= left_of_strips and name.x0 >= 0


def test_a_name_given_to_a_person_is_in_their_row_and_the_csv(tmp_path: Path) -> None:
    timeline = SessionTimeline(SIX_LABELS)
    named = FaceResult((10, 10, 50, 50), 2, "sad", 0.6, face(2, "sad").probabilities, name="Old")
    play(timeline, 2.0, 10.0, [face(1, "happy"), named])
    assert timeline.people()[1].name == "#2"  # a face's own name is not taken (it may be stale)
    timeline.set_name(1, "Grace")
    timeline.set_name(2, "Ada")
    timeline.set_name(9, "Nobody")  # no such person: nothing happens
    assert [p.name for p in timeline.people()] == ["Grace (#1)", "Ada (#2)"]
    timeline.set_name(1, "")
    assert timeline.people()[0].name == "#1" and timeline.overall().name == "everyone"
    _, summary = write_report(timeline, tmp_path)
    with open(summary, newline="") as handle:
        assert {row["person"] for row in csv.DictReader(handle)} == {"#1", "Ada (#2)", "everyone"}
    assert named.tag_name == "Old" and face(1, "happy").tag_name == "#1"


def test_a_name_typed_like_a_formula_is_text_in_the_exports_csv(tmp_path: Path) -> None:
    # Was: the name went into emotion-summary.csv as it was typed, so "=cmd|..." (#1) was a
    # formula a spreadsheet ran on opening the export; the recording's CSV writes it the same way.
    timeline = SessionTimeline(SIX_LABELS)
    play(timeline, 1.0, 10.0, [face(1, "happy"), face(2, "sad"), face(3, "sad"), face(4, "sad")])
    timeline.set_name(1, "=cmd|' /C calc'!A0")
    timeline.set_name(2, '@Zoë, "Z"')
    timeline.set_name(3, "Anna-Lena")
    timeline.set_name(4, "'=cmd|' /C calc'!A0")  # typed with its ' first: apart from #1's
    _, summary = write_report(timeline, tmp_path)
    with open(summary, newline="", encoding="utf-8") as handle:
        people = {row["person"] for row in csv.DictReader(handle)}
    assert people == {
        "'=cmd|' /C calc'!A0 (#1)",
        '\'@Zoë, "Z" (#2)',
        "Anna-Lena (#3)",
        "''=cmd|' /C calc'!A0 (#4)",
        "everyone",
    }


def test_names_with_dollars_line_breaks_or_great_length_are_drawn_as_one_line_each(tmp_path: Path) -> None:
    # Was: matplotlib read "$\\frac$" as mathematics, and drawing the plot failed; a picture's
    # file name (analyze --report of a folder) or a name given in the app can hold one.
    names = ["$\\frac$ x.png", "a$b$c", "new\nline.png", "x" * 200 + ".png"]
    timeline = SessionTimeline(SIX_LABELS)
    for track_id, name in enumerate(names, 1):
        timeline.set_name(track_id, name)
    play(timeline, 2.0, 10.0, [face(track_id, "happy") for track_id in range(1, len(names) + 1)])
    figure = timeline_figure(timeline)
    strips = figure.axes[0]
    shown = [label.get_text() for label in strips.get_yticklabels()]
    assert shown[:3] == ["\\$\\frac\\$ x.png (#1)", "a\\$b\\$c (#2)", "new line.png (#3)"]
    assert len(shown[3]) == MAX_LABEL_CHARS and shown[3].endswith(".png (#4)") and "…" in shown[3]
    png, summary = write_report(timeline, tmp_path)
    assert cv2.imread(str(png)) is not None
    with open(summary, newline="", encoding="utf-8") as handle:  # the table has each name whole
        people = {row["person"] for row in csv.DictReader(handle)} - {"everyone"}
    assert people == {f"{name} (#{track_id})" for track_id, name in enumerate(names, 1)}


def _drawn_ink(figure: Figure, text: Text) -> np.ndarray:
    """How dark each pixel of ``text`` is as ``figure`` draws it (0: none), its box a pixel wider."""
    canvas = figure.canvas
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())[:, :, :3].astype(np.float32)  # type: ignore[attr-defined]
    extent = text.get_window_extent(canvas.get_renderer())  # type: ignore[attr-defined]
    top = pixels.shape[0] - int(np.ceil(extent.y1)) - 1
    bottom = pixels.shape[0] - int(np.floor(extent.y0)) + 1
    left, right = max(0, int(np.floor(extent.x0)) - 1), int(np.ceil(extent.x1)) + 1
    ink: np.ndarray = 255.0 - pixels[max(0, top) : bottom, left:right].mean(axis=2)
    return ink


@pytest.mark.parametrize(
    "name", ["\u202eAda", "שרה", "سارة", "Ada\u2069\u202e", "\u2067Ada"], ids=["override", "he", "ar", "pdi", "rli"]
)
def test_a_name_written_right_to_left_leaves_the_plots_own_text_in_its_order(
    name: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Was: matplotlib (3.11, with libraqm) lays text out by the bidi algorithm, and a name
    # holding U+202E RIGHT-TO-LEFT OVERRIDE drew "(#1) (0.9 s)" after it as "(s 9.0) (1#)",
    # a Hebrew name put its "(#1)" first. The CSV keeps the name as given.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    timeline = SessionTimeline(SIX_LABELS)
    play(timeline, 1.0, 10.0, [face(1, "happy")])
    timeline.set_name(1, name)
    figure = timeline_figure(timeline)
    for axes in figure.axes[:2]:
        label = axes.get_yticklabels()[0]
        found = re.search(r" \(#1\)( \([^()]*\))?$", label.get_text())
        assert found is not None, label.get_text()
        alone = Figure(figsize=(8, 1), dpi=figure.dpi)
        FigureCanvasAgg(alone)
        own = alone.text(0.05, 0.5, found.group(0), fontproperties=label.get_fontproperties())
        match = ending_match(_drawn_ink(figure, label), inked(_drawn_ink(alone, own)))
        assert match > 0.8, (label.get_text(), match)
    assert "no installed font draws" not in caplog.text  # the isolate's marks draw nothing
    assert summary_rows(timeline)[0][0] == f"{name} (#1)"


@pytest.mark.parametrize("unit", ["e\u0301", "👩\u200d💻", "🇫🇷"], ids=["accent", "zwj", "flag"])
def test_a_long_name_in_the_plot_is_cut_where_a_character_ends(unit: str) -> None:
    # Was: cut by code point, "é" (e and a combining accent) lost its accent at the cut, an
    # emoji sequence was split at its joiner, a flag halved.
    timeline = SessionTimeline(SIX_LABELS)
    play(timeline, 1.0, 10.0, [face(1, "happy")])
    timeline.set_name(1, "a" + unit * 40)
    text = timeline_figure(timeline).axes[0].get_yticklabels()[0].get_text()
    head, tail = text.removesuffix(" (#1)").split("…")
    assert head == "a" + unit * ((len(head) - 1) // len(unit)), text
    assert tail == unit * (len(tail) // len(unit)), text
    assert len(text) <= MAX_LABEL_CHARS


def test_a_session_shorter_than_a_second_is_not_titled_as_lasting_nothing() -> None:
    # Was: "Shown emotion over the last 0 s" for analyze --report of a clip of a few frames,
    # beside its row's "#1 (0.4 s)"; a session of none (no frame's time yet) keeps "0 s".
    timeline = SessionTimeline(SIX_LABELS)
    play(timeline, 0.5, 10.0, [face(1, "happy")])
    assert timeline_figure(timeline).axes[0].get_title() == "Shown emotion over the last <1 s"
    assert [text.get_text() for text in timeline_figure(timeline).axes[1].get_yticklabels()][0] == "#1 (0.4 s)"
    empty = SessionTimeline(SIX_LABELS)
    assert timeline_figure(empty).axes[0].get_title() == "Shown emotion over the last 0 s"


def test_a_second_of_frames_whose_times_add_up_just_short_of_it_is_titled_1_s() -> None:
    # Was "over the last <1 s" for analyze --report of 24 frames at 24 fps, beside its row's
    # "#1 (1.0 s)" and the printed "1.0 s": the last frame's time as a video gives it (958.33
    # ms) and its frame interval add up to 0.9999999999999999 s.
    timeline = SessionTimeline(SIX_LABELS)
    for index in range(24):
        timeline.add(index * (1000.0 / 24.0) / 1000.0, [face(1, "happy")], in_file=True)
    timeline.end(23 * (1000.0 / 24.0) / 1000.0 + 1.0 / 24.0, [face(1, "happy")], in_file=True)
    figure = timeline_figure(timeline)
    assert figure.axes[0].get_title() == "Shown emotion over the last 1 s"
    assert [text.get_text() for text in figure.axes[1].get_yticklabels()][0] == "#1 (1.0 s)"
    assert tenths_text(timeline.now_s) == "1.0 s"


def _plots_and_titles(timeline: SessionTimeline) -> tuple[float, list[tuple[float, float, float]]]:
    """The figure's width, and for the strips and the shares: the plot's width, its
    title's left and right edge (all in pixels)."""
    figure = timeline_figure(timeline)
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    figure.canvas.draw()
    drawn = []
    for axes in figure.axes[:2]:
        title = axes.title.get_window_extent(renderer)
        drawn.append((axes.get_window_extent(renderer).width, title.x0, title.x1))
    return figure.bbox.width, drawn


def test_long_names_widen_the_plot_rather_than_squeeze_it_or_cut_its_titles() -> None:
    # Was (analyze --report of a folder of pictures named like "a very long picture name
    # from the holiday trip number 1.jpg"): both columns of names took their width from
    # the two plots, the shares' 100 px wide, its title "Share per emotion" cut at the PNG's edge.
    def played(names: list[str]) -> SessionTimeline:
        timeline = SessionTimeline(SIX_LABELS)
        for track_id, name in enumerate(names, 1):
            timeline.set_name(track_id, name)
        play(timeline, 2.0, 10.0, [face(track_id, "happy") for track_id in range(1, len(names) + 1)])
        return timeline

    short_width, short = _plots_and_titles(played(["", "", ""]))
    long_width, long = _plots_and_titles(
        played([f"a very long picture name from the trip number {n}.jpg" for n in (1, 2, 3)])
    )
    assert long_width > short_width
    for (plot, left, right), (short_plot, _, _) in zip(long, short):
        assert 0.0 <= left and right <= long_width, (left, right, long_width)
        assert plot >= 0.9 * short_plot, (plot, short_plot)


def test_names_wider_than_the_figure_widen_it_too_not_run_over_the_plots() -> None:
    # Was: 40 capital Ws (wide as a Japanese file name's characters in a CJK font) in both
    # columns needed more than the figure's 10 in; tight_layout gave up ("Tight layout not
    # applied"), the widening measured the plots it had left as they were, and the names ran
    # over the strips and past the PNG's left edge.
    timeline = SessionTimeline(SIX_LABELS)
    for track_id in (1, 2, 3):
        timeline.set_name(track_id, "W" * 45)
    play(timeline, 2.0, 10.0, [face(track_id, "happy") for track_id in (1, 2, 3)])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure = timeline_figure(timeline)
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    figure.canvas.draw()
    strips, shares = figure.axes[:2]
    for axes, left_limit in ((strips, 0.0), (shares, strips.get_window_extent(renderer).x1)):
        for label in axes.get_yticklabels():
            assert label.get_window_extent(renderer).x0 >= left_limit, (label.get_text(), left_limit)
    assert shares.get_window_extent(renderer).width >= 2.0 * figure.dpi
    assert not [str(w.message) for w in caught if "ight layout" in str(w.message)]


def test_a_name_in_a_script_dejavu_lacks_is_drawn_in_a_font_that_has_it() -> None:
    # Was: a Chinese name (given in the app, or a folder picture's file name in analyze
    # --report) was empty boxes in the plot, and matplotlib warned of each missing glyph.
    primary = overlay_font_path()
    if primary is None or fallback_font("写", primary) is None:
        pytest.skip("no installed font draws 写")
    timeline = SessionTimeline(SIX_LABELS)
    timeline.set_name(1, "café 写真.png")
    play(timeline, 1.0, 10.0, [face(1, "happy")])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure = timeline_figure(timeline)
        figure.canvas.draw()
    assert not [str(w.message) for w in caught if "missing from font" in str(w.message)]


def test_a_name_no_installed_font_draws_is_one_warning_not_one_per_glyph_and_draw(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Was (analyze --report of a folder holding "日本語の写真.jpg" on a machine with no CJK
    # font): matplotlib's UserWarning for each glyph at each drawing, 12 lines of stderr
    # naming session_report.py's source lines, and still no word of what was lost.
    primary = overlay_font_path()
    lacking = "\U000f0000\U000f0001"  # private use: no font has them
    if primary is None or any(fallback_font(char, primary) is not None for char in lacking):
        pytest.skip("an installed font draws the private-use characters")
    timeline = SessionTimeline(SIX_LABELS)
    timeline.set_name(1, f"{lacking}.png")
    play(timeline, 1.0, 10.0, [face(1, "happy")])
    with warnings.catch_warnings(record=True) as caught, caplog.at_level("WARNING"):
        warnings.simplefilter("always")
        png, summary = write_report(timeline, tmp_path)
    assert not [str(w.message) for w in caught if "missing from font" in str(w.message)]
    told = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
    assert len(told) == 1 and "\\U000f0000" in told[0] and "empty boxes" in told[0], told
    assert cv2.imread(str(png)) is not None and f"{lacking}.png (#1)" in summary.read_text(encoding="utf-8")


def test_a_control_character_or_a_class_no_font_draws_is_named_in_that_warning_too(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Was: with matplotlib's missing-glyph warnings ignored for the whole drawing, only a
    # name's characters outside ASCII were named: a file name's control character
    # ("x\x01y.png") and a model's class named in a script no font has drew empty boxes
    # in silence (matplotlib had warned of them).
    primary = overlay_font_path()
    lacking = "\U000f0002"  # private use: no font has it
    if primary is None or fallback_font(lacking, primary) is not None:
        pytest.skip("an installed font draws the private-use character")
    labels = (f"{lacking}angry", *SIX_LABELS[1:])
    timeline = SessionTimeline(labels)
    timeline.set_name(1, "x\x01y.png")
    play(timeline, 1.0, 10.0, [face(1, "happy")])
    with warnings.catch_warnings(record=True) as caught, caplog.at_level("WARNING"):
        warnings.simplefilter("always")
        png, summary = write_report(timeline, tmp_path)
    assert not [str(w.message) for w in caught if "missing from font" in str(w.message)]
    told = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
    assert len(told) == 1 and "\\u0001" in told[0] and "\\U000f0002" in told[0], told
    assert cv2.imread(str(png)) is not None and f"{lacking}angry" in summary.read_text(encoding="utf-8")


def drawn_spans(timeline: SessionTimeline) -> tuple[tuple[float, float], list[list[tuple[float, float]]]]:
    """The plot's time axis, and each row's blocks as (start, end) in session seconds."""
    strips = timeline_figure(timeline).axes[0]
    left, right = strips.get_xlim()
    spans: list[list[tuple[float, float]]] = [[] for _ in timeline.people()]
    for bars in strips.collections:  # a broken_barh per label of a row, a path per block
        for path in bars.get_paths():
            extent = path.get_extents()
            spans[round(extent.y0 + 0.35)].append((round(extent.x0, 6), round(extent.x1, 6)))
    return (left, right), [sorted(row) for row in spans]


def test_the_plot_of_a_face_found_on_every_other_frame_draws_its_blocks_together() -> None:
    # Was: a broken_barh (a collection of its own) for each block, one a frame for a face the
    # detector finds on every other frame: 3 such faces seen 5 min took 42 s to draw (1.2 s
    # before blocks were cut to when faces were seen). Now one per label of each row.
    timeline = SessionTimeline(SIX_LABELS)
    for index in range(2 * 60 * 30):  # 2 min at 30 fps
        label = "happy" if index < 1800 else "sad"
        timeline.add(index / 30.0, [face(1, label)] if index % 2 == 0 else [])
    pieces = timeline.seen_strip(1)
    assert len(pieces) > 1500  # a block for each frame it was found on
    strips = timeline_figure(timeline).axes[0]
    assert len(strips.collections) == 2  # happy's and sad's
    _axis, [spans] = drawn_spans(timeline)
    assert spans == sorted((round(begin, 6), round(end, 6)) for begin, end, _label in pieces)


@pytest.mark.parametrize(("shown", "each_s"), [("analyze", 1), ("slide-show", 2)])
def test_each_picture_fills_the_strip_from_the_session_time_before_it(shown: str, each_s: int) -> None:
    # Was: the clock moved on before the bucket was chosen, so picture k's block sat at
    # [k, k + 1) s: the first at 1-2 s, the last past the session's end (the plot's axis was
    # widened to 0-5 s for 4 pictures, titled "last 4.0 s"). analyze counts a picture one
    # bucket; the app's slide show its showing, here 2 s: each of its buckets.
    timeline = SessionTimeline(SIX_LABELS)
    labels = ["happy", "sad", "happy", "angry"]
    for number, label in enumerate(labels):
        faces = [face(1, label), face(10 + number, label)]  # one face in all, one in each
        if shown == "analyze":
            timeline.add(None, faces)
        else:
            timeline.add(2.0 * number, faces, picture_s=2.0)  # the show's place: 2 s apart
    assert timeline.now_s == 4.0 * each_s

    def buckets(number: int) -> list[float]:  # the buckets picture ``number`` fills
        return [float(number * each_s + k) for k in range(each_s)]

    indexes = [SIX_LABELS.index(label) for label in labels]
    assert timeline.strip(1) == [(start, indexes[n]) for n in range(4) for start in buckets(n)]
    for number in range(4):
        assert timeline.strip(10 + number) == [(start, indexes[number]) for start in buckets(number)]
    axis, spans = drawn_spans(timeline)
    assert axis == (0.0, 4.0 * each_s)
    blocks = [[(start, start + 1.0) for start in buckets(number)] for number in range(4)]
    # #1's row (in all), then each picture's face
    assert spans == [[block for picture in blocks for block in picture], *blocks]
    assert timeline_figure(timeline).axes[0].get_title() == f"Shown emotion over the last {4 * each_s} s"


def test_a_single_photos_block_fills_the_plot() -> None:
    # Was: its block at 1-2 s on a 0-2 s axis titled "last 1.0 s"; then a 1 s block for a
    # photo the app shows 2 s.
    timeline = SessionTimeline(SIX_LABELS)
    timeline.add(0.0, [face(1, "happy")], picture_s=2.0)
    assert timeline.strip(1) == [(0.0, SIX_LABELS.index("happy")), (1.0, SIX_LABELS.index("happy"))]
    assert drawn_spans(timeline) == ((0.0, 2.0), [[(0.0, 1.0), (1.0, 2.0)]])
    assert timeline_figure(timeline).axes[0].get_title() == "Shown emotion over the last 2 s"


def test_pictures_of_longer_buckets_fill_one_bucket_each_from_the_start() -> None:
    timeline = SessionTimeline(SIX_LABELS, bucket_s=2.0, window_s=10.0)
    for _ in range(3):
        timeline.add(None, [face(1, "sad")])
    assert [start for start, _label in timeline.strip(1)] == [0.0, 2.0, 4.0]
    assert timeline.now_s == 6.0


def test_a_slide_show_longer_than_the_window_fills_the_whole_window() -> None:
    # Was: the strip kept only buckets starting after the window's start, so the picture
    # shown right at it (its block starts there) was left out: 2-3 s empty on a 2-12 s axis.
    timeline = SessionTimeline(SIX_LABELS, window_s=10.0)
    for number in range(12):
        timeline.add(float(number), [face(1, "happy")], picture_s=1.0)  # a show of 1 s a picture
    assert [start for start, _label in timeline.strip(1)] == [float(k) for k in range(2, 12)]
    axis, [spans] = drawn_spans(timeline)
    assert axis == (2.0, 12.0) and spans == [(float(k), float(k + 1)) for k in range(2, 12)]


def test_the_plot_draws_a_person_only_when_they_were_seen() -> None:
    # Was: each second's block was drawn whole for a face seen in any of it, so a face seen
    # 0-0.5 s, 2.5-2.75 s and 3-3.25 s of a 4 fps file drew 0-1 s and 2-4 s (on a real clip, a
    # person seen 2.8-7.0 s, 4.2 s in the report, spanned 2-8 s), and a gap inside a second
    # was lost. Each second's label now covers only the parts of it they were seen in.
    timeline = SessionTimeline(SIX_LABELS)
    seen = {0, 1, 10, 12}  # frames at 0, 0.25, 2.5 and 3.0 s
    for index in range(16):
        timeline.add(index / 4.0, [face(1, "happy")] if index in seen else [], in_file=True, shown_s=0.25)
    timeline.end(4.0, [], in_file=True)
    assert timeline.person(1).total_s == 1.0  # type: ignore[union-attr]
    _axis, [spans] = drawn_spans(timeline)
    assert spans == [(0.0, 0.5), (2.5, 2.75), (3.0, 3.25)]


def test_a_videos_frame_is_in_the_bucket_its_time_ends_in() -> None:
    # A video frame's step is the time since the frame before: the strips of videos stay
    # where they were, the frame at 1.0 s in the bucket from 1 s on.
    timeline = SessionTimeline(SIX_LABELS)
    for index in range(12):  # 4 fps (exact in binary) for 3 s
        t = index / 4.0
        faces = [face(1, "happy" if t < 1.0 else "sad")]
        if 1.0 <= t < 2.0:
            faces.append(face(2, "angry"))  # seen from 1 s to 1.75 s
        timeline.add(t, faces, in_file=True)
    happy, sad = SIX_LABELS.index("happy"), SIX_LABELS.index("sad")
    assert timeline.strip(1) == [(0.0, happy), (1.0, sad), (2.0, sad)]
    assert timeline.strip(2) == [(1.0, SIX_LABELS.index("angry"))]
    assert timeline.now_s == 2.75


def test_the_plots_axis_is_the_session_time_its_title_says() -> None:
    # Was (42e8beb): a block beginning at the session's end widened the axis past it, so a
    # video whose last frame fell on a second's start drew 0-4 s titled "last 3.0 s".
    timeline = SessionTimeline(SIX_LABELS)
    play(timeline, 3.25, 4.0, [face(1, "happy")])  # frames 0 to 3.0 s
    assert timeline.now_s == 3.0
    strips = timeline_figure(timeline).axes[0]
    assert strips.get_xlim() == (0.0, 3.0)
    assert strips.get_title() == "Shown emotion over the last 3 s"


def test_the_plots_axis_runs_to_the_sessions_end_after_the_last_face_has_gone() -> None:
    # Was: the loop over the blocks reused the name of the session's end, so the axis ended
    # where the last row's person was last seen: a face seen 0-5 s of 20 s drew 0-4.9 s.
    timeline = SessionTimeline(SIX_LABELS)
    for index in range(200):  # 10 fps for 20 s, the face only in its first 5 s
        timeline.add(index / 10.0, [face(1, "happy")] if index < 50 else [])
    assert timeline.now_s == pytest.approx(19.9)
    axis, [spans] = drawn_spans(timeline)
    assert axis == (0.0, pytest.approx(19.9))
    assert spans[0][0] == 0.0 and spans[-1][1] == pytest.approx(4.9)
    # And its title says the session's length, not the time till the face went ("last 4 s").
    assert timeline_figure(timeline).axes[0].get_title() == "Shown emotion over the last 19 s"


def test_a_face_with_no_time_yet_draws_no_block_in_the_strip_or_the_plot() -> None:
    # Was: a frame of no time (the paused frame a Clear keeps, Home's first frame after it)
    # gave its faces a "token" bucket: the panel and the plot drew a block at 0-1 s under
    # "the last 0.0 s" while the CSV said 0 s for everyone.
    timeline = SessionTimeline(SIX_LABELS)
    timeline.add(0.0, [face(1, "happy"), face(2, "sad")], jumped=True, in_file=True)
    assert [person.track_id for person in timeline.people()] == [1, 2]  # rows, of no time yet
    assert timeline.now_s == 0.0
    assert timeline.strip(1) == [] and timeline.strip(2) == []
    assert drawn_spans(timeline) == ((0.0, 1.0), [[], []])
    assert {row[2] for row in summary_rows(timeline)} == {0.0}
    assert not timeline.has_time  # the panel offers no export of it
    # Once played on, the time counted is drawn, and only it: the frame's showing, for both
    # faces it showed, and none for the next frame's yet (its showing is still going on).
    timeline.add(0.5, [face(1, "happy"), face(3, "angry")], in_file=True)
    assert timeline.has_time and timeline.strip(1) == [(0.0, SIX_LABELS.index("happy"))]
    assert timeline.strip(2) == [(0.0, SIX_LABELS.index("sad"))] and timeline.strip(3) == []
    assert drawn_spans(timeline) == ((0.0, 1.0), [[(0.0, 0.5)], [(0.0, 0.5)], []])  # its 0.5 s, not the second


def test_an_export_beside_an_earlier_one_keeps_it(tmp_path: Path) -> None:
    timeline = SessionTimeline(SIX_LABELS)
    play(timeline, 2.0, 10.0, [face(1, "happy")])
    first = write_report(timeline, tmp_path, keep_existing=True)
    before = [path.read_bytes() for path in first]
    play(timeline, 2.0, 10.0, [face(1, "sad")])
    second = write_report(timeline, tmp_path, keep_existing=True)
    assert [path.name for path in second] == ["emotion-timeline-2.png", "emotion-summary-2.csv"]
    assert [path.read_bytes() for path in first] == before  # the earlier export is untouched
    assert second[1].read_text() != first[1].read_text()
    assert write_report(timeline, tmp_path) == first  # analyze --report: the fixed names, replaced


def test_a_folder_in_the_way_of_the_table_leaves_the_earlier_plot(tmp_path: Path) -> None:
    # Was: the plot went in place first, then the table's rename failed on the folder in its
    # way: a new plot stood beside no table of its own. Now nothing is renamed at all.
    (tmp_path / "emotion-timeline.png").write_bytes(b"an earlier plot")
    (tmp_path / "emotion-summary.csv").mkdir()
    timeline = SessionTimeline(SIX_LABELS)
    play(timeline, 2.0, 10.0, [face(1, "happy")])
    with pytest.raises(ReportError, match="emotion-summary.csv is a folder; .*nothing was changed"):
        write_report(timeline, tmp_path)
    assert (tmp_path / "emotion-timeline.png").read_bytes() == b"an earlier plot"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["emotion-summary.csv", "emotion-timeline.png"]


def test_a_table_that_cannot_go_in_place_puts_the_earlier_plot_back(tmp_path: Path) -> None:
    # The earlier plot is set aside before the table's rename; that rename failing (here on a
    # folder made in its way after the check) brings it back: the folder as it was.
    (tmp_path / "emotion-timeline.png").write_bytes(b"an earlier plot")
    timeline = SessionTimeline(SIX_LABELS)
    play(timeline, 2.0, 10.0, [face(1, "happy")])
    staged = stage_report(timeline, tmp_path)
    with pytest.raises(ReportError, match="nothing was changed"):
        commit_report(staged, announce=lambda renames: (tmp_path / "emotion-summary.csv").mkdir())
    assert (tmp_path / "emotion-timeline.png").read_bytes() == b"an earlier plot"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["emotion-summary.csv", "emotion-timeline.png"]


def test_a_plot_that_cannot_go_in_place_puts_the_earlier_table_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: the table went in place, then the plot's rename failed (its temporary file gone
    # with the disk it was on): the earlier table was lost, the new one stood alone. Now
    # the earlier table is kept until both renames are done, and put back.
    (tmp_path / "emotion-timeline.png").write_bytes(b"an earlier plot")
    (tmp_path / "emotion-summary.csv").write_text("an earlier table")
    timeline = SessionTimeline(SIX_LABELS)
    play(timeline, 2.0, 10.0, [face(1, "happy")])
    staged = stage_report(timeline, tmp_path)
    commit = atomic.AtomicOutput.commit

    def plot_lost(self: atomic.AtomicOutput) -> None:
        if self.target.name == "emotion-timeline.png" and self.temp is not None:
            assert (tmp_path / "emotion-summary.csv").read_bytes() == summary_csv(timeline)  # the table came first
            self.temp.unlink()
        commit(self)

    monkeypatch.setattr(atomic.AtomicOutput, "commit", plot_lost)
    with pytest.raises(ReportError, match="emotion-timeline.png: could not be put in place .*; nothing was changed$"):
        commit_report(staged)
    assert (tmp_path / "emotion-summary.csv").read_text() == "an earlier table"
    assert (tmp_path / "emotion-timeline.png").read_bytes() == b"an earlier plot"
    assert hidden_files(tmp_path) == []


def test_a_new_report_whose_plot_cannot_go_in_place_leaves_no_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    timeline = SessionTimeline(SIX_LABELS)
    play(timeline, 2.0, 10.0, [face(1, "happy")])
    staged = stage_report(timeline, tmp_path)
    commit = atomic.AtomicOutput.commit

    def plot_lost(self: atomic.AtomicOutput) -> None:
        if self.target.name == "emotion-timeline.png" and self.temp is not None:
            self.temp.unlink()
        commit(self)

    monkeypatch.setattr(atomic.AtomicOutput, "commit", plot_lost)
    with pytest.raises(ReportError, match="nothing was changed$"):
        commit_report(staged)
    assert list(tmp_path.iterdir()) == []


def _child_python(tmp_path: Path, first: str) -> Path:
    """A stand-in for the export child's Python: the real child, with ``first`` run before."""
    hook = tmp_path / "child.py"
    hook.write_text(
        f"{first}\nimport sys\nfrom emotion_app.io import report_process\nsys.exit(report_process.main(sys.argv[3:]))\n"
    )
    stand_in = tmp_path / "stand-in-python"
    stand_in.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{hook}" "$@"\n')
    stand_in.chmod(stand_in.stat().st_mode | stat.S_IXUSR)
    return stand_in


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_report_writer_killed_between_its_renames_leaves_no_plot_beside_another_table(tmp_path: Path) -> None:
    # Was (analyze --report, killed between the renames): the new plot stood beside the
    # earlier export's table. Now the table goes first and the earlier plot is set aside
    # before it: the new table stays alone, its plot missing, never beside the wrong one.
    out = tmp_path / "out"
    out.mkdir()
    (out / "emotion-timeline.png").write_bytes(b"an earlier plot")
    (out / "emotion-summary.csv").write_text("an earlier table")
    session = saved_session(tmp_path)
    writer = f"""{KILLED_AFTER_THE_FIRST_RENAME}
import pickle
from pathlib import Path
from emotion_app.io.session_report import write_report

write_report(pickle.loads(Path({str(session)!r}).read_bytes()), Path({str(out)!r}))
"""
    done = subprocess.run([sys.executable, "-c", writer], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]
    visible = sorted(path.name for path in out.iterdir() if not path.name.startswith("."))
    assert visible == ["emotion-summary.csv"]
    timeline = pickle.loads(session.read_bytes())
    assert (out / "emotion-summary.csv").read_bytes() == summary_csv(timeline)
    # Was: the earlier plot stayed for good in a hidden file, the earlier table was lost. The
    # next report written there finds the writer gone and puts the earlier pair back first.
    staged = stage_report(SessionTimeline(SIX_LABELS), out)
    assert (out / "emotion-summary.csv").read_text() == "an earlier table"
    assert (out / "emotion-timeline.png").read_bytes() == b"an earlier plot"
    assert sorted(hidden_files(out)) == sorted(output.temp.name for output in staged if output.temp is not None)
    discard_report(staged)
    assert hidden_files(out) == []


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_report_file_a_killed_writer_never_replaced_is_not_told_put_back(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Killed after its records were made, before any rename: the earlier table never left
    # its place (its record is a hard link), yet the next report there warned "put back as
    # it was" for it too. Only the plot, which was set aside, was put back.
    out = tmp_path / "out"
    out.mkdir()
    (out / "emotion-timeline.png").write_bytes(b"an earlier plot")
    (out / "emotion-summary.csv").write_text("an earlier table")
    session = saved_session(tmp_path)
    writer = f"""
import os, pickle, signal
from pathlib import Path
from emotion_app.io.session_report import commit_report, stage_report

staged = stage_report(pickle.loads(Path({str(session)!r}).read_bytes()), Path({str(out)!r}))
commit_report(staged, lambda renames: os.kill(os.getpid(), signal.SIGKILL))
"""
    done = subprocess.run([sys.executable, "-c", writer], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]
    with caplog.at_level("WARNING", logger="emotion_app.io.session_report"):
        discard_report(stage_report(SessionTimeline(SIX_LABELS), out))
    assert (out / "emotion-summary.csv").read_text() == "an earlier table"
    assert (out / "emotion-timeline.png").read_bytes() == b"an earlier plot"
    assert hidden_files(out) == []
    assert caplog.messages == [
        f"{out / 'emotion-timeline.png'}: put back as it was before a write that was stopped midway"
    ]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_temporary_files_of_a_killed_report_writer_are_removed_by_the_next_one(tmp_path: Path) -> None:
    # Was: a report writer killed while its files were being written (analyze --report, or
    # an export left to finish when the window closed) left its hidden temporary files for
    # good. The next report there removes them once their writer is gone, and only them.
    out = tmp_path / "out"
    out.mkdir()
    not_ours = out / ".emotion-timeline.png.abcd1234.part.png"
    not_ours.write_bytes(b"someone else's")
    session = saved_session(tmp_path)
    writer = f"""
import pickle, sys, time
from pathlib import Path
from emotion_app.io.session_report import stage_report

stage_report(pickle.loads(Path({str(session)!r}).read_bytes()), Path({str(out)!r}))
print("staged", flush=True)
time.sleep(600)
"""
    child = subprocess.Popen([sys.executable, "-c", writer], stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "staged"
        left = set(hidden_files(out)) - {not_ours.name}
        assert len(left) == 2
        discard_report(stage_report(SessionTimeline(SIX_LABELS), out))
        assert set(hidden_files(out)) == left | {not_ours.name}  # its writer still runs: kept
    finally:
        child.kill()
        child.wait()
    discard_report(stage_report(SessionTimeline(SIX_LABELS), out))
    assert hidden_files(out) == [not_ours.name]
    assert not_ours.read_bytes() == b"someone else's"


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell script stands in for the child's Python")
@pytest.mark.parametrize("keep_existing", [True, False], ids=["numbered", "replacing"])
def test_a_drawing_process_killed_between_its_renames_leaves_a_whole_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keep_existing: bool
) -> None:
    # Was: the app's export child killed after its first rename left the new plot without
    # its table (numbered names: the app's export) or beside the earlier table, and the app
    # said the export failed. It tells its renames first; the app finishes them.
    monkeypatch.setattr(report_process, "PYTHON", str(_child_python(tmp_path, KILLED_AFTER_THE_FIRST_RENAME)))
    out = tmp_path / "out"
    out.mkdir()
    (out / "emotion-timeline.png").write_bytes(b"an earlier plot")
    (out / "emotion-summary.csv").write_text("an earlier table")
    timeline = SessionTimeline(SIX_LABELS)
    play(timeline, 3.0, 10.0, [face(1, "happy")])
    png, summary = write_report_in_child(pickled_session(timeline), out, keep_existing=keep_existing)
    mark = "-2" if keep_existing else ""
    assert (png.name, summary.name) == (f"emotion-timeline{mark}.png", f"emotion-summary{mark}.csv")
    assert summary.read_bytes() == summary_csv(timeline)
    assert cv2.imread(str(png)) is not None
    names = {"emotion-timeline.png", "emotion-summary.csv", png.name, summary.name}
    assert sorted(path.name for path in out.iterdir()) == sorted(names)  # no temporary file left
    if keep_existing:
        assert (out / "emotion-timeline.png").read_bytes() == b"an earlier plot"
        assert (out / "emotion-summary.csv").read_text() == "an earlier table"


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell script stands in for the child's Python")
def test_a_drawing_process_killed_after_a_failed_rename_is_not_finished_by_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A child whose table could not go in place (a folder made in its way after the check)
    # removed its temporary files, then was killed before it could say so: the app must not
    # take the files' absence for renames done, and say the export was written.
    failing_then_killed = """
import os, signal
from emotion_app.io import session_report

_commit = session_report.commit_report

def commit_then_die(staged, announce=None):
    def folder_in_the_way(renames):
        announce(renames)
        staged[1].target.mkdir()
    try:
        _commit(staged, folder_in_the_way)
    finally:
        os.kill(os.getpid(), signal.SIGKILL)

session_report.commit_report = commit_then_die
"""
    monkeypatch.setattr(report_process, "PYTHON", str(_child_python(tmp_path, failing_then_killed)))
    out = tmp_path / "out"
    out.mkdir()
    (out / "emotion-timeline.png").write_bytes(b"an earlier plot")
    with pytest.raises(ReportError, match=re.escape("its drawing process was stopped (SIGKILL)")):
        write_report_in_child(pickled_session(SessionTimeline(SIX_LABELS)), out)
    assert (out / "emotion-timeline.png").read_bytes() == b"an earlier plot"
    assert sorted(path.name for path in out.iterdir()) == ["emotion-summary.csv", "emotion-timeline.png"]


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell script stands in for the child's Python")
def test_an_earlier_plot_the_app_says_it_kept_after_a_killed_export_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Was: the export child was killed with the earlier plot set aside and another file
    # put at the plot's name meanwhile; the app warned the earlier plot "is kept as" its
    # hidden record, then removed that record with the child's temporary files.
    another_file_then_killed = """
import os, signal
from emotion_app.io import session_report

_commit = session_report.commit_report

def commit_then_die(staged, announce=None):
    def another_file_in_place(renames):
        staged[0].target.write_bytes(b"another plot")
        os.kill(os.getpid(), signal.SIGKILL)
    _commit(staged, another_file_in_place)

session_report.commit_report = commit_then_die
"""
    monkeypatch.setattr(report_process, "PYTHON", str(_child_python(tmp_path, another_file_then_killed)))
    out = tmp_path / "out"
    out.mkdir()
    (out / "emotion-timeline.png").write_bytes(b"an earlier plot")
    (out / "emotion-summary.csv").write_text("an earlier table")
    with pytest.raises(ReportError):
        write_report_in_child(pickled_session(SessionTimeline(SIX_LABELS)), out)
    kept = [line for line in caplog.messages if "is kept as" in line]
    assert len(kept) == 1, caplog.messages
    record = Path(kept[0].rsplit(" is kept as ", 1)[1])
    assert record.read_bytes() == b"an earlier plot"
    assert (out / "emotion-timeline.png").read_bytes() == b"another plot"
    assert (out / "emotion-summary.csv").read_text() == "an earlier table"


def saved_session(tmp_path: Path) -> Path:
    """A short session (one happy face), pickled as the app hands it to the drawing child,
    in a file for a test's stand-in app to read."""
    timeline = SessionTimeline(SIX_LABELS)
    play(timeline, 3.0, 10.0, [face(1, "happy")])
    session = tmp_path / "session.pickle"
    session.write_bytes(pickled_session(timeline))
    return session


def run_app(code: str, temp_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``code`` run as the app's process would run an export, its temporary files (the
    hand-over of the session) in ``temp_dir``; ``env`` added to its environment."""
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        env={**os.environ, "TMPDIR": str(temp_dir), **env},
    )


@pytest.mark.skipif(sys.platform == "win32", reason="process groups, and a POSIX shell script for the child")
def test_ctrl_c_in_the_terminal_leaves_an_export_to_finish(tmp_path: Path) -> None:
    # Was: the drawing process was in the app's process group, so the terminal's Ctrl+C
    # (sent to the whole group) stopped it with the app: the export under way was lost,
    # where a window closed during one waits for it and then leaves it to finish.
    started, go, out = tmp_path / "started", tmp_path / "go", tmp_path / "out"
    stand_in = tmp_path / "stand-in-python"  # the child's Python, started but held till "go"
    stand_in.write_text(
        f'#!/bin/sh\ntouch "{started}"\nwhile [ ! -e "{go}" ]; do sleep 0.05; done\nexec "{sys.executable}" "$@"\n'
    )
    stand_in.chmod(stand_in.stat().st_mode | stat.S_IXUSR)
    session = saved_session(tmp_path)
    app = f"""
import os, signal, threading, time
from pathlib import Path
from emotion_app.io import atomic, report_process
from emotion_app.io.session_report import ReportError

report_process.PYTHON = {str(stand_in)!r}
signal.signal(signal.SIGINT, lambda signum, frame: None)  # the app's own handler (quits)
stop = threading.Event()

def export():
    try:
        report_process.write_report_in_child(Path({str(session)!r}).read_bytes(), Path({str(out)!r}), stop=stop)
    except ReportError as exc:
        print(exc)

worker = threading.Thread(target=export)
worker.start()
while not os.path.exists({str(started)!r}):
    time.sleep(0.05)
os.killpg(0, signal.SIGINT)  # Ctrl+C: the terminal signals its whole foreground group
Path({str(go)!r}).touch()
stop.set()  # the window closes
worker.join()
"""
    out.mkdir()
    # A session of its own: the signal reaches this test's process group not at all.
    done = subprocess.run(
        [sys.executable, "-c", app], capture_output=True, text=True, cwd=REPO, timeout=60, start_new_session=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "SIGINT" not in done.stdout
    deadline = time.monotonic() + 60  # not a timing check: how long a failure takes to show
    # The table is put in place before the plot (commit_report): the report is done once both are.
    summary, png = out / "emotion-summary.csv", out / "emotion-timeline.png"
    while not (summary.exists() and png.exists()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert summary.exists() and png.exists()


def test_a_report_drawn_in_a_child_process_is_the_same_report(tmp_path: Path) -> None:
    # The app's export: the child gets a snapshot of the session and answers with the paths.
    timeline = SessionTimeline(SIX_LABELS)
    play(timeline, 3.0, 10.0, [face(1, "happy"), face(2, "sad")])
    timeline.set_name(2, "Ada")
    session = pickled_session(timeline)
    play(timeline, 3.0, 10.0, [face(3, "angry")])  # after the snapshot: not in the report
    png, summary = write_report_in_child(session, tmp_path / "new" / "folder")
    assert (png.name, summary.name) == ("emotion-timeline.png", "emotion-summary.csv")
    assert cv2.imread(str(png)) is not None
    with open(summary, newline="") as handle:
        assert {row["person"] for row in csv.DictReader(handle)} == {"#1", "Ada (#2)", "everyone"}
    again = write_report_in_child(pickled_session(timeline), tmp_path / "new" / "folder", keep_existing=True)
    assert [path.name for path in again] == ["emotion-timeline-2.png", "emotion-summary-2.csv"]
    assert again[1].read_bytes() == summary_csv(timeline)
    with pytest.raises(ReportError, match="not a folder"):
        write_report_in_child(session, summary)


def test_an_export_into_no_folder_is_refused_as_the_output_folder_is(tmp_path: Path) -> None:
    # Was "Could not export the session timeline: X: it is a file, not a folder": two colons,
    # and X not said to be the folder, where the output folder's is "Cannot save into the
    # output folder X: it is a file, not a folder."
    notes = tmp_path / "notes.txt"
    notes.write_text("keep me")
    session = pickled_session(SessionTimeline(SIX_LABELS))
    with pytest.raises(ReportError) as error:
        write_report_in_child(session, notes)
    assert str(error.value) == f"{FAILED} into the folder {notes}: it is a file, not a folder"
    # Was "…: X/sub: cannot create the folder (Not a directory)".
    with pytest.raises(ReportError) as error:
        write_report_in_child(session, notes / "sub")
    assert str(error.value) == f"{FAILED} into the folder {notes / 'sub'}: it cannot be created (Not a directory)"
    assert notes.read_text() == "keep me" and [path.name for path in tmp_path.iterdir()] == ["notes.txt"]


@pytest.mark.skipif(sys.platform == "win32", reason="a symbolic link to a file's folder stands in for a bad file")
def test_an_export_that_fails_on_its_file_says_so_in_one_sentence(tmp_path: Path) -> None:
    # Was "Could not export the session timeline: X/emotion-timeline.png: cannot create a
    # file in its folder (File exists)", colons stacked, where the folder's refusal reads
    # "Could not export the session timeline into the folder X: …".
    notes = tmp_path / "notes.txt"
    notes.write_text("keep me")
    folder = tmp_path / "out"
    folder.mkdir()
    png = folder / "emotion-timeline.png"
    png.symlink_to(notes / "plot.png")  # its folder would be a file: no file can be made there
    session = pickled_session(SessionTimeline(SIX_LABELS))
    with pytest.raises(ReportError) as error:
        write_report_in_child(session, folder, keep_existing=True)
    told = str(error.value)
    assert told.startswith(f"{FAILED} to {png}: cannot create a file in its folder ("), told
    assert told.count(": ") == 1, told
    assert notes.read_text() == "keep me" and [path.name for path in folder.iterdir()] == [png.name]


def _stuck_python(tmp_path: Path, then: str, exec_it: bool = True) -> tuple[Path, Path]:
    """A stand-in for the child's Python: the real child, but once both of the report's
    temporary files are written (a PNG of a few bytes: no drawing to wait for) it runs
    ``then`` instead of putting them in place. Returns the stand-in and the file the child
    writes its process id to at that point. Without ``exec_it`` the stand-in's shell stays,
    and writes the child's exit status to ``status`` beside it."""
    staged, status = tmp_path / "staged", tmp_path / "status"
    hook = tmp_path / "stuck_child.py"
    hook.write_text(
        f"""import os, re, signal, sys, time
from pathlib import Path
from emotion_app.io import report_process, session_report

def commit_report(staged, announce=None):
    Path({str(staged)!r}).write_text(str(os.getpid()))
    {then}

session_report.timeline_png = lambda timeline, dpi=110: b"a PNG, half of it"
session_report.commit_report = commit_report
sys.exit(report_process.main(sys.argv[3:]))
"""
    )
    stand_in = tmp_path / "stand-in-python"
    run = f'"{sys.executable}" "{hook}" "$@"'
    stand_in.write_text(f"#!/bin/sh\nexec {run}\n" if exec_it else f'#!/bin/sh\n{run}\necho $? > "{status}"\n')
    stand_in.chmod(stand_in.stat().st_mode | stat.S_IXUSR)
    return stand_in, staged


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell script stands in for the child's Python")
@pytest.mark.parametrize(
    ("then", "reason"),
    [
        ("time.sleep(3600)", "its drawing process took over 10 s; stopped it"),
        ("os.kill(os.getpid(), signal.SIGKILL)", "its drawing process was stopped (SIGKILL)"),
    ],
    ids=["timed-out", "killed"],
)
def test_a_drawing_process_stopped_midway_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, then: str, reason: str
) -> None:
    # Was: a child killed at the timeout (or by anyone) left its hidden ".NAME.*.part.*"
    # files in the user's export folder for good. The app removes them, and only them.
    stand_in, staged = _stuck_python(tmp_path, then)
    monkeypatch.setattr(report_process, "PYTHON", str(stand_in))
    hand_overs = tmp_path / "tmp"
    hand_overs.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(hand_overs))  # where the session is handed over
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "emotion-timeline.png").write_bytes(b"an earlier report")
    # A link's target is replaced in its own folder: the temporary file goes there.
    (elsewhere / "summary.csv").write_text("an earlier table")
    (out / "emotion-summary.csv").symlink_to(elsewhere / "summary.csv")
    not_ours = out / ".emotion-timeline.png.abcd1234.part.png"  # no other export's file is touched
    not_ours.write_bytes(b"another export's")
    timeline = SessionTimeline(SIX_LABELS)
    play(timeline, 3.0, 10.0, [face(1, "happy")])
    with pytest.raises(ReportError, match=re.escape(reason)):
        write_report_in_child(pickled_session(timeline), out, timeout_s=10)
    assert staged.exists()  # the child had written its temporary files
    assert sorted(path.name for path in out.iterdir()) == sorted(
        [not_ours.name, "emotion-timeline.png", "emotion-summary.csv"]
    )
    assert (out / "emotion-timeline.png").read_bytes() == b"an earlier report"
    assert not_ours.read_bytes() == b"another export's"
    assert [path.name for path in elsewhere.iterdir()] == ["summary.csv"]
    assert (out / "emotion-summary.csv").read_text() == "an earlier table"
    assert not any(hand_overs.iterdir())


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell script stands in for the child's Python")
@pytest.mark.parametrize(
    ("then", "status"),
    [
        ("time.sleep(3600)", report_process.EXIT_OVERDUE),
        # Holds the GIL all along: the watchdog thread never runs, faulthandler's does.
        ("re.match(r'(a+)+$', 'a' * 60 + 'b')", 1),
    ],
    ids=["stuck", "stuck-holding-the-gil"],
)
def test_a_stuck_drawing_process_outlives_the_app_only_briefly(tmp_path: Path, then: str, status: int) -> None:
    # Was: the child runs in a session of its own (a Ctrl+C must not stop it midway) and a
    # window closing leaves it to finish; one stuck then ran on for ever after the app exited.
    stand_in, staged = _stuck_python(tmp_path, then, exec_it=False)
    hand_overs, out = tmp_path / "tmp", tmp_path / "out"
    hand_overs.mkdir()
    session = saved_session(tmp_path)
    app = f"""
import threading
from pathlib import Path
from emotion_app.io import atomic, report_process
from emotion_app.io.session_report import ReportError

report_process.PYTHON = {str(stand_in)!r}
report_process.STOP_WAIT_S = 0.5
stop = threading.Event()
stop.set()  # the window closes at once: the app leaves the child to finish, and exits
try:
    session = Path({str(session)!r}).read_bytes()
    report_process.write_report_in_child(session, Path({str(out)!r}), stop=stop, timeout_s=3)
except ReportError as exc:
    print(exc)
"""
    done = run_app(app, hand_overs)
    assert "the window closed" in done.stdout, done.stderr[-2000:]
    try:
        deadline = time.monotonic() + 90  # not a timing check: how long a failure takes to show
        while not (tmp_path / "status").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert (tmp_path / "status").exists(), "the stuck child is still running"
        assert int((tmp_path / "status").read_text()) == status
    finally:
        if staged.exists() and not (tmp_path / "status").exists():  # the test's own stuck child
            os.kill(int(staged.read_text()), signal.SIGKILL)
    assert staged.exists()  # it was stuck with its temporary files written
    if status == report_process.EXIT_OVERDUE:  # it could clean up after itself
        assert not any(out.iterdir())
    assert not any(hand_overs.iterdir())


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX file size limit stands in for a full disk")
def test_a_session_that_cannot_be_handed_over_leaves_no_file_behind(tmp_path: Path) -> None:
    # Was: where the temporary folder had no room for the session (a full disk), the export
    # failed, rightly, but left the part of the session written in the temporary folder.
    hand_overs, out = tmp_path / "tmp", tmp_path / "out"
    hand_overs.mkdir()
    session = saved_session(tmp_path)
    app = f"""
import resource, signal
from pathlib import Path
from emotion_app.io import atomic, report_process
from emotion_app.io.session_report import ReportError

session = Path({str(session)!r}).read_bytes()
# Files of at most 64 bytes from now on: a write past that fails (EFBIG), as on a full disk.
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (64, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
try:
    report_process.write_report_in_child(session, Path({str(out)!r}))
except ReportError as exc:
    print(exc)
"""
    done = run_app(app, hand_overs, PYTHONDONTWRITEBYTECODE="1")
    assert "could not hand the session to its drawing process" in done.stdout, done.stderr[-2000:]
    assert not any(hand_overs.iterdir())
    assert not out.exists()


def test_a_report_without_faces_says_so_and_draws_everyones_row_in_its_place() -> None:
    # Was (analyze --report of a faceless clip): two empty plots and no word why, and the
    # share plot's lone "everyone (0.0 s)" row name at its top corner beside the title.
    timeline = SessionTimeline(SIX_LABELS)
    play(timeline, 3.0, 10.0, [])  # what analyze feeds it for frames without a face
    figure = timeline_figure(timeline)
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    figure.canvas.draw()
    strips, shares = figure.axes[:2]
    assert [text.get_text() for text in strips.texts] == ["No face was found"]
    [everyone] = shares.get_yticklabels()
    assert everyone.get_text() == "everyone (0.0 s of faces)"
    row, plot = everyone.get_window_extent(renderer), shares.get_window_extent(renderer)
    middle = (row.y0 + row.y1) / 2
    assert plot.y0 + 0.25 * plot.height < middle < plot.y1 - 0.25 * plot.height, (row, plot)


class _Frame(NamedTuple):
    t: float
    faces: list[FaceResult]
    in_file: bool = False
    shown_s: float = 0.0
    picture_s: float = 0.0


def _fed(case: str) -> list[_Frame]:
    """Frames for a case of the seen strip."""
    happy, sad = face(1, "happy"), face(1, "sad")
    if case == "slide show":  # 2 s a picture, the face on two of every three
        return [_Frame(2.0 * k, [happy] if k % 3 else [], in_file=True, picture_s=2.0) for k in range(30)]
    frames: list[_Frame] = []
    for index in range(30 * 45):  # 45 s at 30 fps: the 20 s window rolls on
        t = index / 30.0
        if case == "gap":  # a file's frames: seen, gone 4.5 s, seen again, gone 1.2 s, seen
            frames.append(_Frame(t, [] if 3.0 <= t < 7.5 or 30.0 <= t < 31.2 else [happy], True, 1 / 30.0))
        elif case == "every other frame":
            frames.append(_Frame(t, [happy] if index % 2 == 0 else []))
        else:  # "label turns": a second's label turns in it (its bucket read before and after)
            frames.append(_Frame(t, [sad if (index // 7) % 3 == 0 else happy] if index % 5 else []))
    return frames


@pytest.mark.parametrize("case", ["gap", "every other frame", "label turns", "slide show"])
def test_the_seen_strip_kept_as_frames_come_is_the_one_built_afresh(case: str) -> None:
    # The panel reads each row's seen strip at each repaint as frames come; the pieces of the
    # seconds no frame to come can change are kept from one reading to the next, not cut
    # again from thousands of stretches each time (a face found on every other frame for
    # 5 min). Read between frames, the strip is the one built afresh from the stretches (a
    # copy, as an export's child gets the session, keeps none of them).
    timeline = SessionTimeline(SIX_LABELS, window_s=20.0)
    readings = 0
    for index, frame in enumerate(_fed(case)):
        timeline.add(frame.t, frame.faces, in_file=frame.in_file, shown_s=frame.shown_s, picture_s=frame.picture_s)
        if index % 4 == 0 or case == "slide show":
            kept = timeline.seen_strip(1)
            assert kept == pickle.loads(pickle.dumps(timeline)).seen_strip(1), f"{frame.t:.3f} s"
            readings += 1
    pieces = timeline.seen_strip(1)
    assert readings > 25 and pieces and pieces[0][0] >= timeline.now_s - 20.0 - 1e-6  # the window rolled
    if case == "gap":  # 30-31.2 s not drawn
        assert any(
            end <= 30.0 + 1e-6 and after >= 31.2 - 1e-6 for (_, end, _), (after, _, _) in zip(pieces, pieces[1:])
        )


@pytest.mark.parametrize("seed", range(12))
def test_the_seen_strip_kept_through_random_sessions_is_the_one_built_afresh(seed: int) -> None:
    # The seconds kept between readings must be those a reading builds afresh whatever comes
    # between: a file sought back and forth (its time going back, a jump), a slide show's
    # pictures out of order, stills of no time, a live stream's clock stalling or going back,
    # an end, a Clear (Play again keeps the names), a name given, faces of another model's
    # classes, people folded away and back, the window rolling, buckets of no round size.
    rng = random.Random(seed)
    bucket_s = rng.choice([0.1, 1 / 3, 0.7, 1.0, 2.0])
    timeline = SessionTimeline(
        SIX_LABELS, bucket_s=bucket_s, window_s=bucket_s * rng.choice([1, 3, 20, 90]), max_people=rng.choice([1, 2, 64])
    )
    session_kind = ["live", "file", "pictures", "stills"][seed % 4]  # with a frame of another kind now and then
    t = 0.0
    readings = 0
    for _ in range(1500):
        roll = rng.random()
        if roll < 0.005:
            timeline.reset(keep_names=rng.random() < 0.5)
            t = 0.0
            continue
        if roll < 0.01:
            timeline.set_name(rng.randint(1, 3), rng.choice(["", "Alice"]))
            continue
        faces = [face(i, rng.choice([*SIX_LABELS[:3], "another model's"])) for i in range(1, 4) if rng.random() < 0.5]
        kind = session_kind if rng.random() < 0.9 else rng.choice(["live", "file", "pictures", "stills"])
        if kind == "live":
            t += rng.choice([1 / 30, 1 / 30, 0.5, 2.0, -0.2, 0.0])
            timeline.add(t, faces)
        elif kind == "file":
            jumped = rng.random() < 0.05
            t = max(0.0, t + (rng.uniform(-10.0, 10.0) if jumped else rng.choice([1 / 30, 1 / 30, 3.0, 0.0])))
            if rng.random() < 0.02:
                timeline.end(t, faces, in_file=True)
            else:
                timeline.add(t, faces, in_file=True, shown_s=1 / 30, jumped=jumped)
        elif kind == "pictures":
            t = 2.0 * (rng.randint(0, 30) if rng.random() < 0.2 else int(t / 2.0) + 1)
            timeline.add(t, faces, in_file=True, picture_s=2.0, jumped=rng.random() < 0.1)
        else:
            timeline.add(None, faces)
        if rng.random() < 0.3:
            afresh = pickle.loads(pickle.dumps(timeline))
            for track_id in range(1, 4):
                assert timeline.seen_strip(track_id) == afresh.seen_strip(track_id), (seed, timeline.now_s, track_id)
                readings += 1
    assert readings > 1000 and timeline.frames > 0
