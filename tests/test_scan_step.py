"""``scripts.scan_step`` on a clip the test writes: a face large enough is found at every step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emotion_app.samples import VideoTruth
from scripts import scan_step


def test_scan_step_counts_found_faces(moving_face_video: VideoTruth, capsys: pytest.CaptureFixture[str]) -> None:
    clips = moving_face_video.path.parent
    assert scan_step.main(["--clips", str(clips), "--steps", "1.2,1.3", "--sides", "96", "--every", "3", "--json"]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    # Frames 0, 3, ..., 18 minus the blank frame 9: the astronaut, scaled to 96 px, is
    # found at either step in every one of them.
    assert report["faces"] == 6
    assert report["found"]["96"] == {"1.2": 6, "1.3": 6}


def test_scan_step_rejects_bad_arguments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert scan_step.main(["--clips", str(tmp_path / "absent")]) == 2
    assert "is not a folder of clips" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        scan_step.main(["--clips", str(tmp_path), "--steps", "1.0"])
    assert "every step must be above 1" in capsys.readouterr().err
