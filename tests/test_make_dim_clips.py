"""scripts.make_dim_clips: the real clips as a dim room's webcam sees them, on test-made stand-ins."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from emotion_app.samples import astronaut_bgr, read_video
from scripts import make_dim_clips
from tests.stand_in_clips import one_person_stand_ins


def stand_ins(folder: Path) -> Path:
    return one_person_stand_ins(folder, cv2.resize(astronaut_bgr(), (160, 160)))


def test_the_clips_are_darker_noisy_the_same_for_a_seed_and_keep_their_truth(tmp_path: Path) -> None:
    clips = stand_ins(tmp_path / "clips")
    original = read_video(clips / "single_face.mp4")
    for out, seed in (("a", "0"), ("b", "0"), ("c", "1")):
        assert make_dim_clips.main([str(tmp_path / out), "--clips", str(clips), "--seed", seed]) == 0
    first = {out: read_video(tmp_path / out / "single_face.avi") for out in "abc"}
    assert len(first["a"]) == len(original) == 4
    # A quarter of the brightness (MJPG keeps it to within a few grey levels).
    assert abs(first["a"][0].mean() - 0.25 * original[0].mean()) < 3
    assert np.array_equal(first["a"][0], first["b"][0]), "one seed, one clip"
    assert not np.array_equal(first["a"][0], first["c"][0]), "another seed, other noise"
    truth = (tmp_path / "a" / "truth.csv").read_text().splitlines()
    assert truth[1:] == ["single_face.avi,0,3,1,happy,a note"]


@pytest.mark.parametrize("extra", [["--gain", "0"], ["--noise", "-1"]])
def test_bad_settings_or_missing_clips_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str]
) -> None:
    clips = stand_ins(tmp_path / "clips")
    assert make_dim_clips.main([str(tmp_path / "out"), "--clips", str(clips), *extra]) == 2
    assert make_dim_clips.main([str(tmp_path / "out"), "--clips", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert err.count("error: ") == 2 and "truth.csv not found" in err
    assert not (tmp_path / "out").exists()
