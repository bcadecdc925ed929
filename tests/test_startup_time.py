"""scripts/startup_time times the app's real start-up: the starting screen, then the window."""

from __future__ import annotations

import json

import pytest

from emotion_app.samples import VideoTruth
from scripts import startup_time


def test_startup_time_reports_the_starting_screen_before_the_window(
    gui_video: VideoTruth, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert startup_time.main(["--runs", "1", "--", "--video", str(gui_video.path)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    report = json.loads(lines[-1])
    assert len(report["runs"]) == 1
    assert 0 < report["starting_screen_median_s"] < report["MainWindow_median_s"]
    assert lines[0].startswith("starting screen: median ")


def test_startup_time_refuses_no_runs() -> None:
    with pytest.raises(SystemExit):
        startup_time.main(["--runs", "0"])
