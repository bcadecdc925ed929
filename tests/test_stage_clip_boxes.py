"""scripts.stage_clip_boxes: counting boxes in the stage clip's singer shot, on test-made clips."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from emotion_app.samples import astronaut_face_patch, background, paste, write_video
from scripts import stage_clip_boxes


def clip(path: Path, face_top: int) -> Path:
    """240 frames (past the stage clip's last cut) of one face whose box top is at ``face_top``."""
    patch, (_, fy, _, _) = astronaut_face_patch(60)
    rng = np.random.default_rng(0)
    frames = []
    for index in range(240):
        frame = background(320, 240)
        paste(frame, patch, 120 + index % 3, face_top - fy)
        frames.append(np.clip(frame.astype(np.int16) + rng.integers(-2, 3, frame.shape), 0, 255).astype(np.uint8))
    return write_video(path, frames, fps=30.0)


@pytest.mark.parametrize(("face_top", "high"), [(20, True), (150, False)])
def test_boxes_above_and_below_the_face_line_and_ids_across_cuts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], face_top: int, high: bool
) -> None:
    video = clip(tmp_path / "stage.avi", face_top)
    assert stage_clip_boxes.main([str(video), "--inline"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    (run,) = json.loads(lines[-1])["runs"]
    shot = len(stage_clip_boxes.SINGER_SHOT)
    assert run["frames"] == 240 and run["singer_shot_frames"] == shot
    # Top at 20 of 240 px is in the face zone (the top 35%); at 150, below it.
    assert (run["face_boxed_frames"], run["boxes_below_face"]) == ((shot, 0) if high else (0, shot))
    # One face in every shot: its id is on both sides of every cut.
    assert run["ids"] == 1 and run["ids_across_cuts"] == [1]
    assert lines[0].startswith("run 1: ")


def test_a_bad_clip_or_run_count_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert stage_clip_boxes.main([str(tmp_path / "missing.mp4"), "--inline"]) == 2
    assert stage_clip_boxes.main([str(tmp_path / "missing.mp4"), "--runs", "0"]) == 2
    assert "error:" in capsys.readouterr().err
