"""The measuring tools behind the status bar and scripts/measure_gui.py."""

from __future__ import annotations

import math
import time

import pytest
from pytestqt.qtbot import QtBot

from emotion_app.gui.stall_monitor import StallMonitor
from emotion_app.gui.stats import FramePace, RateMeter, RollingPercentiles, percentile, rate_text
from emotion_app.sources.stream_pace import STREAM_STALL_CEILING_S


def test_rate_meter_counts_events_per_second_over_its_window() -> None:
    meter = RateMeter(window_s=2.0)
    for i in range(61):
        meter.tick(100.0 + i / 30.0)  # 30 per second for two seconds
    assert meter.rate(102.0) == pytest.approx(30.0, rel=0.02)
    assert meter.rate(110.0) == 0.0  # all old: nothing in the window


def _shown(times: list[float]) -> tuple[RateMeter, FramePace]:
    meter, pace = RateMeter(window_s=2.0), FramePace()
    for t in times:
        meter.tick(t)
        pace.tick(t)
    return meter, pace


def _text(times: list[float], now: float) -> str | None:
    meter, pace = _shown(times)
    return rate_text(meter.settled_rate(now), pace, now)


def test_a_stream_at_video_rates_reads_its_window_rate() -> None:
    times = [100.0 + i / 30.0 for i in range(61)]
    assert _text(times, 102.0) == "30 fps"
    # Stopped for a moment (under the 3 s a stream may send nothing): the window says so.
    assert _text(times, 104.5) == "0 fps"


def test_a_slow_stream_reads_its_pace_not_0_fps() -> None:
    # A snapshot camera's frame every 8 s: its 2 s window held one frame and read "0 fps".
    every_8 = [100.0 + 8 * i for i in range(6)]
    assert _text(every_8, 141.0) == "1 frame every 8 s"
    # Late by more than a frame, within the 3 intervals it may be: still its pace.
    assert _text(every_8, 160.0) == "1 frame every 8 s"
    assert _text([100.0 + 2.5 * i for i in range(6)], 113.0) == "1 frame every 2.5 s"
    assert _text([100.0 + 12.4 * i for i in range(4)], 140.0) == "1 frame every 12 s"
    # 0.5-1.5 fps read "1 fps" or "0 fps" as the window's edge fell.
    for now in (105.0, 105.3, 105.6, 105.9):
        assert _text([100.0 + 1.25 * i for i in range(5)], now) == "0.8 fps"
    # One late frame or a burst does not move the median.
    assert _text([100.0, 108.0, 116.0, 130.0, 138.0, 138.05, 146.0], 147.0) == "1 frame every 8 s"


def test_0_fps_only_once_nothing_comes_for_longer_than_the_stream_may_send_nothing() -> None:
    every_8 = [100.0 + 8 * i for i in range(6)]
    assert _text(every_8, 140.0 + 3 * 8 + 0.1) == "0 fps"
    # One frame alone: no pace to tell yet ("0 fps" would read as stalled), until a reader
    # would have stopped waiting for the next.
    assert _text([100.0], 110.0) is None
    assert _text([100.0], 100.0 + STREAM_STALL_CEILING_S + 0.1) == "0 fps"
    assert _text([], 100.0) is None  # nothing shown since it opened: no rate to tell


def test_a_rate_is_told_only_once_a_whole_window_of_frames_is_counted() -> None:
    # Was: a file just opened read above its own rate from its first few frames ("26 fps"
    # for a 24 fps file; after Home "61 fps", then "34 fps" for a 30 fps one): its first two
    # frames were shown 14 ms apart, one frame too many over a fraction of a second.
    times = [100.0] + [100.014 + i / 30.0 for i in range(90)]
    meter, _ = _shown(times[:5])
    assert round(meter.rate(times[4])) == 35  # what was told, as the fifth frame was shown
    for shown in range(2, 60):  # each frame as it is shown, 1.95 s after the first
        now = times[shown - 1]
        assert _text(times[:shown], now) is None, now
        assert _shown(times[:shown])[0].settled_rate(now) is None
    # Counted for its whole window (2 s): told, and the file's own rate.
    assert _text(times[:63], times[62]) == "30 fps"
    # Anew after a reset (another source opened).
    meter.reset()
    meter.tick(200.0)
    meter.tick(200.033)
    assert meter.settled_rate(200.1) is None


def test_percentiles_interpolate_and_keep_only_recent_samples() -> None:
    assert percentile([10.0, 20.0, 30.0, 40.0, 50.0], 50) == 30.0
    assert percentile([10.0, 20.0], 95) == pytest.approx(19.5)
    assert math.isnan(percentile([], 95))
    rolling = RollingPercentiles(capacity=3)
    for value in (1000.0, 1.0, 2.0, 3.0):
        rolling.add(value)
    assert len(rolling) == 3 and rolling.percentile(100) == 3.0


def test_stall_monitor_sees_a_blocked_gui_thread(qtbot: QtBot) -> None:
    monitor = StallMonitor(interval_ms=5)
    monitor.start()
    qtbot.wait(50)
    time.sleep(0.12)  # the GUI thread does something slow
    qtbot.wait(50)
    monitor.stop()
    assert monitor.max_stall_ms >= 100.0
    assert monitor.stalls_over_50ms >= 1 and monitor.ticks > 5
