"""How long the session timeline panel takes to paint with many stretches a row: by default
six people each found on every other frame of a live stream for 5 minutes at 30 fps (a
stretch a frame, about 4,500 a row in the panel's 5-minute window).

    python -m scripts.timeline_paint_cost [--people 6] [--every 2] [--minutes 5] [--fps 30]
        [--paints 20] [--rounds 1] [--size 420x500] [--memory]

A real ``TimelinePanel`` of ``--size`` (offscreen, unless QT_QPA_PLATFORM names another
platform) has its ``SessionTimeline`` fed frames on a live clock (the frames' times, no
file): #1 to #N (``--people``) found on every ``--every``-th frame (1: every frame, one
stretch a person), ``--minutes`` of them. Then ``--paints`` times: half a second of frames
more (what the panel's twice-a-second repaint sees) and the view painted (``view.grab()``)
and timed ("live"), then painted again with no frame between ("still"). Printed for each
round (a fresh panel): the medians of those paints in ms, the view's size, the stretches
in #1's row, and what the first minutes of frames took the timeline a frame ("fed"; more
people than its 64 rows: a crowd's). ``--memory``: also what a timeline fed the same way takes, and what the pieces
its rows keep for their settled seconds take beside it (``tracemalloc``).
"""

from __future__ import annotations

import os
import statistics
import time
import tracemalloc

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PyQt6.QtWidgets import QApplication

from emotion_app.gui.timeline_panel import TimelinePanel
from emotion_app.results import FaceResult
from emotion_app.timeline import SessionTimeline
from scripts.support.arguments import frame_size, positive_float, positive_int, script_parser

LABELS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")


class LiveFeed:
    """Frames for ``timeline`` on a live clock at ``fps``: ``people`` faces (#1 to #N, each
    with a label of its own) on every ``every``-th frame, none on the others."""

    def __init__(self, timeline: SessionTimeline, people: int, every: int, fps: float) -> None:
        self.timeline = timeline
        self.every = every
        self.fps = fps
        self.frames = 0
        self.faces = [_face(person) for person in range(1, people + 1)]

    def feed(self, frames: int) -> None:
        for _ in range(frames):
            found = self.frames % self.every == 0
            self.timeline.add(self.frames / self.fps, self.faces if found else [])
            self.frames += 1


def _face(track_id: int) -> FaceResult:
    shown = (track_id + 2) % len(LABELS)
    others = 0.1 / (len(LABELS) - 1)
    probabilities = tuple(0.9 if label == shown else others for label in range(len(LABELS)))
    return FaceResult((60 * track_id - 50, 10, 50, 50), track_id, LABELS[shown], 0.9, probabilities)


def paint_round(size: tuple[int, int], people: int, every: int, fps: float, frames: int, paints: int) -> str:
    """One round on a fresh panel: its line of figures."""
    panel = TimelinePanel(LABELS)
    panel.resize(*size)
    panel.show()
    view = panel.view
    stream = LiveFeed(view.timeline, people, every, fps)
    start = time.perf_counter()
    stream.feed(frames)
    fed_us = (time.perf_counter() - start) / frames * 1e6
    view.grab()  # the first paint untimed: fonts loaded, the seconds settled so far kept
    half_second = max(1, round(fps / 2))
    live: list[float] = []
    still: list[float] = []
    for _ in range(paints):
        stream.feed(half_second)
        start = time.perf_counter()
        view.grab()
        live.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        view.grab()
        still.append((time.perf_counter() - start) * 1000)
    line = (
        f"live median {statistics.median(live):.2f} ms, still median {statistics.median(still):.2f} ms "
        f"(view {view.width()}x{view.height()}, {len(view.timeline.seen_strip(1))} stretches in #1's row); "
        f"fed {fed_us:.1f} us a frame"
    )
    panel.close()  # and freed with this function's reference to it: no parent holds it
    return line


def memory(people: int, every: int, fps: float, frames: int) -> str:
    """What a timeline fed ``frames`` takes, and the pieces its rows then keep beside it."""
    timeline = SessionTimeline(LABELS)
    stream = LiveFeed(timeline, people, every, fps)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        stream.feed(frames)
        fed = tracemalloc.get_traced_memory()[0]
        for track_id in range(1, people + 1):
            timeline.seen_strip(track_id)
        kept = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    fed_mb, kept_mb = (fed - before) / 2**20, (kept - fed) / 2**20
    return f"memory: the timeline fed {fed_mb:.2f} MB; the pieces its rows keep {kept_mb:.2f} MB beside it"


def main() -> None:
    parser = script_parser(__file__, __doc__, raw_description=True)
    parser.add_argument("--people", type=positive_int, default=6, help="people found, #1 to #N")
    parser.add_argument("--every", type=positive_int, default=2, help="each found on every Nth frame (1: every one)")
    parser.add_argument("--minutes", type=positive_float, default=5.0, help="minutes of frames fed before the paints")
    parser.add_argument("--fps", type=positive_float, default=30.0, help="the stream's frames per second")
    parser.add_argument("--paints", type=positive_int, default=20, help="paints timed a round (their medians printed)")
    parser.add_argument("--rounds", type=positive_int, default=1, help="rounds, each on a fresh panel")
    parser.add_argument("--size", type=frame_size, default=(420, 500), help="the panel's WIDTHxHEIGHT")
    parser.add_argument("--memory", action="store_true", help="also the timeline's memory (tracemalloc)")
    args = parser.parse_args()
    _app = QApplication.instance() or QApplication([])  # held while the panels paint
    frames = max(1, round(args.minutes * 60 * args.fps))
    print(
        f"{args.people} people, each found on 1 frame in {args.every}, {args.minutes:g} min at {args.fps:g} fps "
        f"({frames} frames); {args.paints} paints a round, each after half a second of frames more"
    )
    for round_number in range(1, args.rounds + 1):
        line = paint_round(args.size, args.people, args.every, args.fps, frames, args.paints)
        print(f"round {round_number}: {line}", flush=True)
    if args.memory:
        print(memory(args.people, args.every, args.fps, frames))


if __name__ == "__main__":
    main()
