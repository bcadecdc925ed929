"""scripts.face_quality: counts against hand-made truth, once and over start/mirror variants."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from emotion_app.samples import VideoTruth
from scripts import face_quality
from scripts.support.variants import VARIANT_STARTS


def truth_csv(video: VideoTruth, name: str) -> str:
    """Ranges of consecutive frames with the same number of faces, as truth.csv rows."""
    rows, first = [], 0
    counts = [len(boxes) for boxes in video.faces]
    for index in range(1, len(counts) + 1):
        if index == len(counts) or counts[index] != counts[first]:
            rows.append(f"{name},{first},{index - 1},{counts[first]},,")
            first = index
    return "file,first_frame,last_frame,faces,labels,note\n" + "\n".join(rows) + "\n"


def run(folder: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:  # a JSON row
    assert face_quality.main(["--clips", str(folder), *extra]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    files = report["files"]
    assert isinstance(files, dict) and list(files) == ["moving.avi"]
    row = files["moving.avi"]
    assert isinstance(row, dict)
    return row


@pytest.fixture
def clip_folder(moving_face_video: VideoTruth, tmp_path: Path) -> Path:
    """A folder with the test-made clip and its truth.csv."""
    shutil.copy(moving_face_video.path, tmp_path / "moving.avi")
    (tmp_path / "truth.csv").write_text(truth_csv(moving_face_video, "moving.avi"), encoding="utf-8")
    return tmp_path


def test_variants_sum_eight_runs_against_the_truth(
    moving_face_video: VideoTruth, clip_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    n = moving_face_video.num_frames

    single = run(clip_folder, capsys)
    assert single["truth_frames"] == n and single["phantom_rows"] == 0 and single["ids"] == 1
    # The astronaut is shown from her first frame and again after the two blank ones.
    assert single["count_right"] == n

    summed = run(clip_folder, capsys, "--variants")
    assert summed["truth_frames"] == 2 * sum(max(0, n - start) for start in VARIANT_STARTS)
    right = summed["variants_count_right"]
    assert isinstance(right, list) and len(right) == 2 * len(VARIANT_STARTS)
    assert right[0] == single["count_right"] and sum(right) == summed["count_right"]
    assert right[1] == right[0]  # mirrored, she is still one face in every frame she is in
    assert summed["phantom_rows"] == 0 and summed["ids"] == 1


def test_live_runs_as_the_app_at_the_clips_own_rate(
    moving_face_video: VideoTruth, clip_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    n = moving_face_video.num_frames
    began = time.perf_counter()
    live = run(clip_folder, capsys, "--live")
    # Paced at the clip's frame rate: the run lasts about the clip's length.
    assert time.perf_counter() - began >= 0.9 * (n - 1) / moving_face_video.fps
    assert live["truth_frames"] == n and live["phantom_rows"] == 0 and live["ids"] == 1
    # The first frame is scanned inline; the face that comes back after the blank frames
    # is found by a scan on the tracker's thread, a frame or so later.
    assert n - 3 <= live["count_right"] <= n


def test_every_nth_frame_as_a_slower_camera_gives_it(
    moving_face_video: VideoTruth, clip_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    n = moving_face_video.num_frames
    kept = len(range(0, n, 3))
    third = run(clip_folder, capsys, "--every", "3")
    assert third["frames"] == third["truth_frames"] == kept
    # The astronaut moves three times as far between kept frames; she may be shown a
    # kept frame late when she comes back after the blank frames.
    assert kept - 1 <= third["count_right"] <= kept and third["phantom_rows"] == 0 and third["ids"] == 1
    summed = run(clip_folder, capsys, "--every", "3", "--variants")
    assert summed["frames"] == 2 * sum(len(range(start, n, 3)) for start in VARIANT_STARTS)
    with pytest.raises(SystemExit):
        face_quality.main(["--clips", str(clip_folder), "--every", "0"])
