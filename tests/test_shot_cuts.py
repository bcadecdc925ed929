"""scripts.shot_cuts: the figures behind ShotCuts, on a test-made clip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from skimage import data

from emotion_app.faces.scene_gate import SHOT_CORRELATION
from emotion_app.samples import photo_frame, write_video
from scripts import shot_cuts


def test_a_cut_correlates_low_and_a_brighter_picture_high(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rocket = photo_frame(data.rocket(), (320, 240))
    cells = photo_frame(data.immunohistochemistry(), (320, 240))
    write_video(tmp_path / "cut.avi", [rocket] * 10 + [cells] * 10, fps=10.0)
    assert shot_cuts.main(["--clips", str(tmp_path)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    figures = json.loads(out[-1])["clips"]["cut.avi"]
    (cut,) = figures["cuts"]
    assert cut["frame"] == 10 and cut["correlation"] < SHOT_CORRELATION
    assert figures["moves"] is None and figures["light"] > SHOT_CORRELATION
    assert out[0].startswith("cut.avi: cuts at 10 (")


def test_a_missing_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert shot_cuts.main(["--clips", str(tmp_path / "none")]) == 2
    assert "error:" in capsys.readouterr().err
