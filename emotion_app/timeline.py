"""A session's emotions over time, per tracked person: what the timeline panel paints and
what ``analyze --report`` and the panel's export write.

Aggregated as frames arrive, in bounded memory whatever the session's length: per person
the seconds spent in each emotion, and a strip of the shown label per time bucket for the
last few minutes. Time is the stream's own clock (frame times of a file, the camera's
clock), advanced only forward, so a pause or a seek back adds no time. A file's frame is
a moment of the file (its place in it), shown until the next one's time (left by a seek,
for its own frame interval): that showing counts for its faces, once a session: one shown
again (after a seek or a step back, Home) adds nothing, so the totals are those of one
pass however the file was watched; a live camera's moments are each new, each frame
counting the time since the one before.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections import OrderedDict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import cv2
import numpy as np

from .io.overlay_layout import shown_label
from .io.retime import MAX_HOLD_S
from .results import FaceResult

# A jump of a live stream's clock longer than this (a stall) adds no more than this. A
# file's frame is shown until the next one's time, which its timestamps say: it counts
# that whole, as the annotated video holds it, up to MAX_HOLD_S (a longer step is a
# break in them, which that video does not hold either, and adds none).
MAX_STEP_S = 1.0
# Each person's portrait (so a row says who "#3" is): a square crop of their face this many
# pixels a side, with this much of the face's side around it.
PORTRAIT_PX = 48
PORTRAIT_MARGIN = 0.15
# Spans of a file's time this close join (a frame's span ends where the next one's starts).
_TOUCHING_S = 1e-6
# The rows never fold this many of the people seen longest (fewer where there are fewer
# rows): the report's plot draws them (io.session_report.MAX_PLOT_PEOPLE), each with its
# strip and portrait, which a folded person no longer has.
LONGEST_KEPT = 12


def seen_longest_key(track_id: int, seconds: Iterable[float]) -> tuple[float, int]:
    """Who was seen longer, as the rows and the report's plot rank people: by time to the
    microsecond (equal sums of frame steps differ in their last bits), of equal time the
    later found (the higher id). ``fsum``: the same whatever holds the seconds (a row's
    array, a summary's tuple), so the rows keep the very people the plot draws."""
    return round(math.fsum(seconds), 6), track_id


@dataclass(frozen=True)
class PersonSummary:
    """Seconds in each emotion (in the model's label order) of one person, or of everyone."""

    track_id: int | None  # None: everyone together
    seconds: tuple[float, ...]
    last_seen_s: float = 0.0
    given_name: str = ""  # what the user called them ("" for none)

    @property
    def total_s(self) -> float:
        return float(sum(self.seconds))

    @property
    def shares(self) -> tuple[float, ...]:
        """Share of the person's time in each emotion (sums to 1; all 0 before any time)."""
        total = self.total_s
        return tuple(value / total for value in self.seconds) if total > 0 else tuple(0.0 for _ in self.seconds)

    @property
    def short_name(self) -> str:
        """What the panel's row says: the name given, "#3", or "everyone"."""
        if self.track_id is None:
            return "everyone"
        return self.given_name or f"#{self.track_id}"

    @property
    def name(self) -> str:
        """The exports' name: everyone's, "#3", or with a name given "Alice (#3)" (the id
        tells two Alices apart)."""
        return f"{self.given_name} (#{self.track_id})" if self.given_name else self.short_name


class _Moments:
    """The stretches of a file's time counted so far: disjoint [start, end) spans, sorted;
    as many as the seeks that left gaps between them, since touching ones join."""

    __slots__ = ("starts", "ends")

    def __init__(self) -> None:
        self.starts: list[float] = []
        self.ends: list[float] = []

    def count(self, start: float, end: float) -> float:
        """Count [start, end); returns how much of it was not counted before."""
        if end <= start:
            return 0.0
        low = bisect.bisect_left(self.ends, start - _TOUCHING_S)  # the first span touching it
        high = bisect.bisect_right(self.starts, end + _TOUCHING_S)  # past the last one
        covered = sum(max(0.0, min(end, self.ends[i]) - max(start, self.starts[i])) for i in range(low, high))
        if low < high:
            self.starts[low:high] = [min(start, self.starts[low])]
            self.ends[low:high] = [max(end, self.ends[high - 1])]
        else:
            self.starts.insert(low, start)
            self.ends.insert(low, end)
        return max(0.0, end - start - covered)


class _Person:
    __slots__ = (
        "seconds",
        "strip",
        "bucket",
        "bucket_seconds",
        "seen",
        "last_seen_s",
        "portrait",
        "portrait_side",
        "name",
        "settled_pieces",
        "frame_mark",
    )

    def __init__(self, classes: int, buckets: int) -> None:
        self.seconds = np.zeros(classes, np.float64)
        self.strip: deque[tuple[int, int]] = deque(maxlen=buckets)  # (bucket number, label index)
        self.bucket = -1
        self.bucket_seconds = np.zeros(classes, np.float64)
        # When they were seen: [start, end) stretches of session time, touching ones joined,
        # those older than the window dropped. A bucket says which label; these say when in
        # it, so a face seen 0.3 s of a second is drawn 0.3 s, and its gaps stay gaps.
        self.seen: deque[list[float]] = deque()
        self.last_seen_s = 0.0
        self.portrait: np.ndarray | None = None  # BGR, PORTRAIT_PX square
        self.portrait_side = 0  # the face's side in the frame it was taken from
        self.name = ""
        # seen_strip's pieces of each closed bucket that no frame to come can change, by bucket
        # number: (its label, its pieces). Built once, not at each of the panel's repaints (a
        # face found on every other frame has thousands). Not pickled: built again on demand.
        self.settled_pieces: dict[int, tuple[int, list[tuple[float, float, int]]]] = {}
        self.frame_mark = 0  # the timeline's frame mark when they were last in a frame

    def __getstate__(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.__slots__ if name != "settled_pieces"}

    def __setstate__(self, state: dict[str, object]) -> None:
        for name, value in state.items():
            setattr(self, name, value)
        self.settled_pieces = {}


class SessionTimeline:
    """Per-person emotion time of one session; ``add`` each frame's faces as they come.

    ``labels``: the model's classes (from its weights card). ``window_s``: how much of the
    recent past the strips keep, in buckets of ``bucket_s``. At most ``max_people`` people
    keep their own row; the longest unseen ones are folded into the overall totals only,
    or, with ``keep_folded``, keep their seconds apart from the rows (:meth:`everyone`):
    ``analyze --report`` writes every person of a file, however many, while the panel's
    live session keeps its memory bounded. The :data:`LONGEST_KEPT` people seen longest
    are never folded (the report draws their strips and portraits), nor a face for another
    of its own frame, nor one of a file's frame before for a face of the frame that counts
    its showing: a face with no row to take (a crowd of more faces than rows) goes
    without one, as a folded person, rather than the crowd's rows being made anew each frame.
    """

    def __init__(
        self,
        labels: Sequence[str],
        bucket_s: float = 1.0,
        window_s: float = 300.0,
        max_people: int = 64,
        keep_folded: bool = False,
    ) -> None:
        if bucket_s <= 0 or window_s < bucket_s or max_people < 1:
            raise ValueError("bucket_s > 0, window_s >= bucket_s and max_people >= 1 are required")
        self.labels = tuple(labels)
        self.bucket_s = float(bucket_s)
        self.window_s = float(window_s)
        self.max_people = max_people
        self.keep_folded = keep_folded
        self._index = {label: i for i, label in enumerate(self.labels)}
        self.reset()

    def reset(self, keep_names: bool = False) -> None:
        """Forget everyone's time; with ``keep_names`` the names given stay, for their rows to
        come (a file played again from its start: its people are found with their ids)."""
        names = dict(self._names) if keep_names else {}
        self._people: OrderedDict[int, _Person] = OrderedDict()  # least recently seen first
        self._names: dict[int, str] = names  # names given, by track id (kept for a row not made yet)
        self._overall = np.zeros(len(self.labels), np.float64)
        self._clock_s = 0.0  # session time: only ever moves forward
        self._last_stream_s: float | None = None
        self._moments = _Moments()  # of a file: the stretches of it counted so far
        # The file's frame added last, (track id, label index) of each face: its showing runs
        # until the next frame's time, and counts for them then (see add); and how long the
        # file shows it, counted where a jump leaves it before the next frame's time says.
        self._showing: tuple[tuple[int, int], ...] = ()
        self._showing_s = 0.0
        self.frames = 0
        self.folded_people = 0  # rows folded, and faces left without one
        self._frame_mark = 0  # counts every add, never set back (frames is, by end)
        # The rows whose time the add under way counts and which its frame need not show (a
        # file's frame before: its showing counts now): none is folded for a face of it.
        self._counting: frozenset[int] = frozenset()
        # _longest_rows until a row's seconds or the rows change: a crowd's faces past the
        # rows ask for it each, on every frame.
        self._longest: tuple[dict[int, tuple[float, int]], tuple[float, int] | None] | None = None
        # With keep_folded, the totals of the people folded away (a summary each, no strip
        # or portrait), by track id, until their face comes back and has a row again.
        self._folded: dict[int, PersonSummary] = {}

    @property
    def has_time(self) -> bool:
        """Whether any face has time this session (rows of no time yet have nothing to report)."""
        return bool(self._overall.any())

    @property
    def now_s(self) -> float:
        """Session time so far (seconds the stream has run, pauses, seeks and a file's
        moments shown again excluded)."""
        return self._clock_s

    def add(
        self,
        stream_time_s: float | None,
        faces: Iterable[FaceResult],
        frame: np.ndarray | None = None,
        picture_s: float = 0.0,
        jumped: bool = False,
        in_file: bool = False,
        shown_s: float = 0.0,
    ) -> None:
        """One frame: ``stream_time_s`` is its time in the stream (None: one step of
        ``bucket_s``, as for a folder of stills); each face adds that frame's duration
        to its shown label (a file's frame once the next one comes, see ``in_file``). Each
        face gets its row at once, with no time yet where it has none, but where every row
        is of a face of this frame or of the people seen longest (see the class): it
        goes without one, as a folded person, and its time too. ``frame`` (BGR, the
        faces' boxes in its pixels): where each person's portrait comes from, their largest
        view so far (see :meth:`portrait`).

        ``picture_s``: the frame is a still of a slide show, which shows it this long (0: no
        still), timed by its place in the show. Each picture counts its own showing the
        first time it is shown, the first one too (the app's single photo): from the
        session's time before it, so the first new picture's faces fill the strip's buckets
        from 0 s, the second's from where the first's end; shown again (a paused frame
        delivered again, a seek or a step back to it, Home) it adds none. (``analyze``'s
        stills, given no time, count one step of ``bucket_s`` each.)

        ``jumped``: the stream was moved (a seek) or started again since the last frame, so
        the time between the two was not played: it adds none. A file's frame the jump
        leaves (for another moment) counts its own showing, ``shown_s`` as it was added with,
        as if played on to the next frame however long it stayed on screen (paused: a pause
        adds no time). Without it, a live stream's jump forward is taken for a stall and adds
        up to :data:`MAX_STEP_S`.

        ``shown_s``: how long the file shows this video frame (an animation's delay where it
        stores one, else a frame interval); 0: not known, and a jump leaving it counts none.

        ``in_file``: the frame is of a file (a video's, as pictures always are), so its time
        is a moment of the file, counted once: the part of its duration already counted
        (shown before a seek back) adds none. A frame is shown until the next one's time,
        so the step from the frame before is that frame's own showing (a GIF's frame held
        3 s, a slide of a video), counted for the faces it showed, whole up to
        :data:`.retime.MAX_HOLD_S`; a longer one is a break in its timestamps and adds
        none, as the annotated video holds it one frame interval, not the step. The last
        frame's showing counts at :meth:`end`. Counted for the frame after it, a face seen
        only on a video's first frame had no time (nor a block, nor a report). A live
        stream's frame counts the time since the one before for its own faces: its next
        frame's time is not known yet, and its times are each new.
        """
        if jumped and self._showing_s > 0 and stream_time_s != self._last_stream_s:
            self._count_showing_left()
        labelled = self._labelled(faces)
        shown = tuple((face.track_id, label) for face, label in labelled)
        counted = shown  # the faces the step counts for
        if picture_s > 0 and stream_time_s is not None and not jumped and stream_time_s == self._last_stream_s:
            # The picture of the frame before, delivered again while paused: nothing, also
            # where its showing was not counted (on screen at a Clear, which starts afresh).
            step = 0.0
        elif picture_s > 0 and stream_time_s is not None:
            # A picture is timed by its own showing, not by the frame after it.
            step = self._moments.count(stream_time_s, stream_time_s + picture_s)
        elif stream_time_s is None:
            step = self.bucket_s
        elif self._last_stream_s is None or jumped:
            step = 0.0
        elif in_file:
            step = stream_time_s - self._last_stream_s
            if 0.0 < step <= MAX_HOLD_S:
                step = self._moments.count(stream_time_s - step, stream_time_s)
            else:  # a step back (the paused frame again), or a break in the file's timestamps
                step = 0.0
            counted = self._showing  # the frame before's showing, until this one
        else:
            step = min(MAX_STEP_S, max(0.0, stream_time_s - self._last_stream_s))
        if stream_time_s is not None:
            self._last_stream_s = stream_time_s
        # A file's video frame is counted once the next one (or the end) says how long it
        # was shown; anything else counts at once.
        video_frame = in_file and picture_s <= 0 and stream_time_s is not None
        self._showing = shown if video_frame else ()
        self._showing_s = shown_s if video_frame else 0.0
        self.frames += 1
        # A step in a file is a showing: from the clock before it, each bucket of it (picture
        # k of a show of 2 s a picture fills [2k, 2k + 2) s, a GIF's slide held 3 s three
        # buckets). A live frame's step is the time since the frame before, so it ends at the
        # frame, in the bucket it ends in.
        start_s = self._clock_s
        self._clock_s += step
        if in_file or picture_s > 0 or stream_time_s is None:
            spans = self._still_spans(start_s, step)
        else:
            spans = [(int(self._clock_s // self.bucket_s), step)]
        self._frame_mark += 1
        pending = step > 0 and counted is not shown
        self._counting = frozenset(track_id for track_id, _label in counted) if pending else frozenset()
        # The faces with a row first, so that none of them is folded for a face after it
        # in the frame: a crowd of more faces than rows made its rows anew on every frame.
        newcomers: list[FaceResult] = []
        for face, _label in labelled:
            person = self._people.get(face.track_id)
            if person is None:
                newcomers.append(face)
            else:
                self._people.move_to_end(face.track_id)
                self._in_frame(person, face, frame)
        for face in newcomers:
            person = self._people.get(face.track_id) or self._new_row(face.track_id)
            if person is not None:
                self._in_frame(person, face, frame)
        if step <= 0:
            return  # rows, no time: only time counted marks a bucket (see below)
        folded: list[tuple[int, int]] = []
        for track_id, label_index in counted:
            self._overall[label_index] += step
            person = self._people.get(track_id)
            if person is None:  # folded since, or left without a row (a crowd)
                folded.append((track_id, label_index))
            else:
                self._count_row(person, label_index, step, start_s, spans)
        # After the rows' time: one of them passed now is not among the longest any more.
        in_frame = {face.track_id: face for face, _label in labelled} if folded else {}
        for track_id, label_index in folded:
            person = self._row_back(track_id, label_index, step)
            if person is None:
                self._count_folded(track_id, label_index, step)
                continue
            self._count_row(person, label_index, step, start_s, spans)
            seen = in_frame.get(track_id)
            if seen is not None:  # its portrait now: a video ending here gave it none
                self._in_frame(person, seen, frame)

    def _in_frame(self, person: _Person, face: FaceResult, frame: np.ndarray | None) -> None:
        person.last_seen_s = self._clock_s
        person.frame_mark = self._frame_mark
        if frame is not None and max(face.box[2], face.box[3]) > person.portrait_side:
            self._take_portrait(person, frame, face.box)

    def _count_row(
        self, person: _Person, label_index: int, step: float, start_s: float, spans: list[tuple[int, float]]
    ) -> None:
        """``step`` (from ``start_s``, over the buckets ``spans``) for ``person``'s row."""
        self._longest = None
        person.last_seen_s = self._clock_s  # shown until now
        self._mark_seen(person, start_s)
        for bucket, share in spans:
            if person.bucket != bucket:
                self._close_bucket(person)
                person.bucket = bucket
            # Only time counted marks a bucket: a face seen with none yet (a paused frame
            # after a Clear, a file's frame before the next) drew a block at 0-1 s of a 0 s session.
            person.bucket_seconds[label_index] += share
        person.seconds[label_index] += step

    def _new_row(self, track_id: int, seconds: Sequence[float] | None = None) -> _Person | None:
        """A row for ``track_id``, its seconds those it had when folded, if any; where the rows
        are full, made by folding the least recently seen row that is neither of this frame,
        nor among the people seen longest (:data:`LONGEST_KEPT`), nor of the file's frame
        before, whose showing this add counts (folded first, that showing went to a row made
        anew, or to none). None where there is no such row: it goes without one (with
        ``keep_folded``, its seconds kept apart as a folded person's), unless it is among the
        longest itself, of ``seconds`` (None: those it was folded with, or none; the faces of
        a crowd's first frame, all of no time yet, rank by their ids): then the least recently
        seen row not among them is folded, of this frame or not, one not counting if any."""
        if len(self._people) >= self.max_people:
            longest, _least = self._longest_rows()
            victim: int | None = None
            for row_id, row in self._people.items():  # least recently seen first
                if row.frame_mark == self._frame_mark:
                    break  # this frame's rows: they and all after them (moved to the end)
                if row_id not in longest and row_id not in self._counting:
                    victim = row_id
                    break
            if victim is None and self._among_longest(track_id, seconds):
                others = [row_id for row_id in self._people if row_id not in longest]
                victim = next((row_id for row_id in others if row_id not in self._counting), None)
                victim = others[0] if victim is None and others else victim
            if victim is None:
                self.folded_people += 1
                if self.keep_folded and track_id not in self._folded:
                    self._folded[track_id] = PersonSummary(
                        track_id, tuple(0.0 for _ in self.labels), self._clock_s, self._names.get(track_id, "")
                    )
                return None
            self._fold(victim)
        buckets = max(1, int(round(self.window_s / self.bucket_s)))
        self._longest = None
        person = self._people[track_id] = _Person(len(self.labels), buckets)
        person.name = self._names.get(track_id, "")
        folded = self._folded.pop(track_id, None)
        if folded is not None:  # back after a fold: its seconds go on from where they were
            person.seconds[:] = folded.seconds
        return person

    def _row_back(self, track_id: int, label_index: int, step: float) -> _Person | None:
        """A row again for a person without one whose ``step`` just counted (with
        ``keep_folded``) puts them among the people seen longest: the report draws them. A
        crowd's faces without a row gain time as the rows' faces do, and of equal time the
        later found (those) ranked first. None for any other."""
        folded = self._folded.get(track_id)
        if folded is None or len(self._people) < self.max_people:
            return None
        seconds = list(folded.seconds)
        seconds[label_index] += step  # as _count_folded would count it
        if not self._among_longest(track_id, seconds):
            return None
        return self._new_row(track_id, seconds)

    def _kept_longest(self) -> int:
        """How many of the people seen longest no fold takes: one row at least is left to the rest."""
        return min(LONGEST_KEPT, self.max_people - 1)

    def _longest_rows(self) -> tuple[dict[int, tuple[float, int]], tuple[float, int] | None]:
        """The rows of the people seen longest (:meth:`_kept_longest` of them), by track id,
        each with its :func:`seen_longest_key`; and the least of those keys (None: none)."""
        if self._longest is None:
            keys = (seen_longest_key(track_id, person.seconds.tolist()) for track_id, person in self._people.items())
            longest = heapq.nlargest(self._kept_longest(), keys)
            self._longest = {key[1]: key for key in longest}, (longest[-1] if longest else None)
        return self._longest

    def _among_longest(self, track_id: int, seconds: Iterable[float] | None = None) -> bool:
        """Whether ``track_id``, of ``seconds`` (None: those it was folded with, or none),
        would be seen longer than one of the rows of the people seen longest."""
        least = self._longest_rows()[1]
        if least is None:
            return False
        if seconds is None:
            folded = self._folded.get(track_id)
            seconds = folded.seconds if folded is not None else ()
        return seen_longest_key(track_id, seconds) > least

    def _count_folded(self, track_id: int, label_index: int, step: float) -> None:
        """``step`` for a face folded away after it was shown, or left without a row (a
        crowd's faces past the rows): with ``keep_folded`` its own, else in everyone's total
        only. Counted only into the rows, a crowd's faces past them had 0 s in analyze's report."""
        folded = self._folded.get(track_id)
        if folded is None:
            return
        seconds = list(folded.seconds)
        seconds[label_index] += step
        self._folded[track_id] = replace(folded, seconds=tuple(seconds), last_seen_s=self._clock_s)

    def _mark_seen(self, person: _Person, start_s: float) -> None:
        """``person`` was seen from ``start_s`` to now (the step just counted)."""
        seen = person.seen
        if seen and start_s <= seen[-1][1] + _TOUCHING_S:
            seen[-1][1] = max(seen[-1][1], self._clock_s)
        else:
            seen.append([start_s, self._clock_s])
        oldest = self._clock_s - self.window_s - self.bucket_s
        while len(seen) > 1 and seen[0][1] < oldest:
            seen.popleft()

    def _labelled(self, faces: Iterable[FaceResult]) -> list[tuple[FaceResult, int]]:
        """Each face with the index of its shown label; one of another model's classes (a
        late frame after a model change) is left out."""
        return [(face, label) for face in faces if (label := self._index.get(shown_label(face))) is not None]

    def _still_spans(self, start_s: float, step: float) -> list[tuple[int, float]]:
        """The buckets a still shown from ``start_s`` for ``step`` (session seconds) fills,
        each with its share of ``step``: one bucket for a still of no new time."""
        first = math.floor(start_s / self.bucket_s + _TOUCHING_S)
        end_s = start_s + step
        last = max(first, math.ceil(end_s / self.bucket_s - _TOUCHING_S) - 1)
        return [
            (bucket, max(0.0, min(end_s, (bucket + 1) * self.bucket_s) - max(start_s, bucket * self.bucket_s)))
            for bucket in range(first, last + 1)
        ]

    def _count_showing_left(self) -> None:
        """The file's frame added last is left by a jump (a seek, a step back, Home) before
        the next frame's time says how long it was shown: it counts its own showing, as
        :meth:`end` counts a last frame's. Before, a face seen only on a paused frame the
        user then sought away from had no time. No frame is added."""
        if self._last_stream_s is None or self._showing_s <= 0:
            return
        frames = self.frames
        self.add(self._last_stream_s + self._showing_s, (), in_file=True)
        self.frames = frames

    def end(self, stream_time_s: float | None, faces: Iterable[FaceResult], in_file: bool = False) -> None:
        """The stream ends at ``stream_time_s``, its last frame's own end (a video's frame
        interval after it, an animated GIF's last delay): that frame's ``faces``, as given
        to :meth:`add`, count on until then. A file's frame counts its showing once the next
        one comes, and after the last none does (a GIF's last 0.5 s hold was lost). Counted
        as :meth:`add` counts a frame's step; no frame is added. None: nothing."""
        if stream_time_s is None or self._last_stream_s is None:
            return
        frames = self.frames
        if in_file:  # that frame's showing, for the faces given (those it was added with)
            self._showing = tuple((face.track_id, label) for face, label in self._labelled(faces))
            self.add(stream_time_s, (), in_file=True)
        else:
            self.add(stream_time_s, faces)
        self.frames = frames  # the end is no frame of its own

    @staticmethod
    def _take_portrait(person: _Person, frame: np.ndarray, box: tuple[int, int, int, int]) -> None:
        x, y, w, h = box
        side = max(w, h)
        half = side * (0.5 + PORTRAIT_MARGIN)
        cx, cy = x + w / 2.0, y + h / 2.0
        height, width = frame.shape[:2]
        x0, y0 = max(0, int(round(cx - half))), max(0, int(round(cy - half)))
        x1, y1 = min(width, int(round(cx + half))), min(height, int(round(cy + half)))
        if x1 - x0 < 2 or y1 - y0 < 2:
            return
        crop = frame[y0:y1, x0:x1]
        if crop.ndim == 2:
            crop = cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR)
        person.portrait = cv2.resize(crop[:, :, :3], (PORTRAIT_PX, PORTRAIT_PX), interpolation=cv2.INTER_AREA)
        person.portrait_side = side

    def set_name(self, track_id: int, name: str) -> None:
        """Call a person ``name`` ("" takes it back), also one without a row yet. Only this
        sets it: a face's own name (FaceResult.name) may be a frame behind a change."""
        if name:
            self._names[track_id] = name
        else:
            self._names.pop(track_id, None)
        person = self._people.get(track_id)
        if person is not None:
            person.name = name

    @property
    def given_names(self) -> dict[int, str]:
        """The names given so far, by track id."""
        return dict(self._names)

    def portrait(self, track_id: int) -> np.ndarray | None:
        """The person's face as seen largest so far (BGR, :data:`PORTRAIT_PX` square), or
        None (never given a frame, or no longer kept)."""
        person = self._people.get(track_id)
        return None if person is None else person.portrait

    def _close_bucket(self, person: _Person) -> None:
        if person.bucket >= 0 and person.bucket_seconds.any():
            person.strip.append((person.bucket, int(np.argmax(person.bucket_seconds))))
        person.bucket_seconds[:] = 0.0

    def _fold(self, track_id: int) -> None:
        self._longest = None
        person = self._people.pop(track_id)  # its time stays in the overall totals
        self.folded_people += 1
        if self.keep_folded:
            self._folded[track_id] = self._summary(track_id, person)

    # ---- reading ------------------------------------------------------------------------
    def people(self) -> list[PersonSummary]:
        """Everyone with a row, by track id."""
        return [self._summary(track_id, person) for track_id, person in sorted(self._people.items())]

    def everyone(self) -> list[PersonSummary]:
        """Every person, by track id: those with a row, and with ``keep_folded`` those folded
        away too (without it, as :meth:`people`)."""
        # A name given since the fold is theirs too.
        folded = [
            replace(summary, given_name=self._names.get(track_id, "")) for track_id, summary in self._folded.items()
        ]
        return sorted([*self.people(), *folded], key=lambda person: person.track_id or 0)

    def person(self, track_id: int) -> PersonSummary | None:
        """The person of ``track_id``, if they have a row."""
        person = self._people.get(track_id)
        return None if person is None else self._summary(track_id, person)

    @staticmethod
    def _summary(track_id: int, person: _Person) -> PersonSummary:
        return PersonSummary(track_id, tuple(float(v) for v in person.seconds), person.last_seen_s, person.name)

    def overall(self) -> PersonSummary:
        return PersonSummary(None, tuple(float(v) for v in self._overall), self._clock_s)

    def strip(self, track_id: int) -> list[tuple[float, int]]:
        """The person's shown label per bucket within the window: (bucket start in session
        seconds, label index), oldest first; buckets without the person are absent."""
        person = self._people.get(track_id)
        if person is None:
            return []
        return [(b * self.bucket_s, label) for b, label in self._strip_buckets(person, self._first_bucket())]

    def _first_bucket(self) -> int:
        """The number of the first bucket starting inside the window: one starting right at
        its start (a slide show's, whose buckets start on whole steps) is in it, one before
        is not."""
        return math.ceil((self._clock_s - self.window_s) / self.bucket_s - _TOUCHING_S)

    @staticmethod
    def _strip_buckets(person: _Person, first: int) -> list[tuple[int, int]]:
        """``person``'s (bucket number, label index) from bucket ``first`` on, oldest first."""
        items = [(b, label) for b, label in person.strip if b >= first]
        if person.bucket >= first and person.bucket_seconds.any():
            items.append((person.bucket, int(np.argmax(person.bucket_seconds))))
        return items

    def seen_strip(self, track_id: int) -> list[tuple[float, float, int]]:
        """The person's :meth:`strip` cut to when they were seen: (start, end, label index)
        in session seconds, oldest first. A bucket's label is the one shown longest in it,
        drawn only over the parts of it the person was seen in, not the whole bucket."""
        person = self._people.get(track_id)
        if person is None:
            return []
        settled = person.settled_pieces
        first = self._first_bucket()
        for bucket in [bucket for bucket in settled if bucket < first]:  # out of the window now
            del settled[bucket]
        pieces: list[tuple[float, float, int]] = []
        for bucket, label in self._strip_buckets(person, first):
            kept = settled.get(bucket)
            if kept is not None and kept[0] == label:
                pieces.extend(kept[1])
                continue
            begin = bucket * self.bucket_s
            own = self._bucket_pieces(person.seen, begin, label)
            if bucket != person.bucket and self._settled(person, begin + self.bucket_s):
                settled[bucket] = (label, own)
            pieces.extend(own)
        return pieces

    def _bucket_pieces(self, seen: deque[list[float]], begin: float, label: int) -> list[tuple[float, float, int]]:
        """The parts of the bucket from ``begin`` that ``seen``'s stretches cover, each with
        ``label``: those ending after its start and starting before its end."""
        finish = begin + self.bucket_s
        pieces: list[tuple[float, float, int]] = []
        index = bisect.bisect_right(seen, begin + _TOUCHING_S, key=lambda stretch: stretch[1])
        while index < len(seen):
            start, end = seen[index]
            if start >= finish - _TOUCHING_S:
                break
            pieces.append((max(begin, start), min(finish, end), label))
            index += 1
        return pieces

    def _settled(self, person: _Person, finish: float) -> bool:
        """Whether no frame to come can change the pieces of ``person``'s closed bucket
        ending at ``finish``: a stretch to come starts at the clock or later, and only the
        last one grows, where the next step starts where it ends."""
        last_end = person.seen[-1][1] if person.seen else -math.inf
        return self._clock_s >= finish - _TOUCHING_S and (last_end >= finish or last_end + _TOUCHING_S < self._clock_s)
