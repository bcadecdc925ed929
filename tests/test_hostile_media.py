"""What a hostile-user session over odd media found (2026-12-03): a clip renamed to a
picture's name refused; raw MJPEG files stretched and sought past their end; animated
pictures and multi-page TIFFs read as their first frame or page without a word.

Every file is real and written by the test.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from emotion_app.cli import main
from emotion_app.gui.frame_sources import VideoFileSpec, open_frame_source
from emotion_app.samples import write_astronaut_video

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def analyze(*args: object, weights: Path) -> int:
    return main(["analyze", *map(str, args), "--weights", str(weights)])


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_a_video_named_like_a_picture_is_read_as_a_video(
    random_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    # Before, "clip.jpg: not an image OpenCV can decode" (exit 2), in the app too.
    clip = write_astronaut_video(tmp_path / "clip.mp4", num_frames=12, fps=10.0)
    named = clip.path.rename(tmp_path / "clip.jpg")
    assert analyze(named, "--csv", tmp_path / "faces.csv", weights=random_weights) == 0
    assert "12 frames analysed" in capsys.readouterr().out
    assert [record.getMessage() for record in caplog.records] == [
        f"{named}: a video file named like a picture; read as a video"
    ]
    rows = csv_rows(tmp_path / "faces.csv")
    assert {int(row["frame"]) for row in rows} == set(range(12)), "a face in every frame"
    assert float(rows[-1]["time_s"]) == pytest.approx(1.1)
    source = open_frame_source(VideoFileSpec(named))
    try:
        frames = 0
        while source.read() is not None:
            frames += 1
    finally:
        source.release()
    assert (source.frame_count, frames) == (12, 12)
