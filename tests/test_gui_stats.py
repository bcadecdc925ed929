"""The measuring tools behind the status bar and scripts/measure_gui.py."""

from __future__ import annotations

import math
import time

import pytest
from pytestqt.qtbot import QtBot

from emotion_app.gui.stall_monitor import StallMonitor
from emotion_app.gui.stats import RateMeter, RollingPercentiles, percentile


def test_rate_meter_counts_events_per_second_over_its_window() -> None:
    meter = RateMeter(window_s=2.0)
    for i in range(61):
        meter.tick(100.0 + i / 30.0)  # 30 per second for two seconds
    assert meter.rate(102.0) == pytest.approx(30.0, rel=0.02)
    assert meter.rate(110.0) == 0.0  # all old: nothing in the window


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
