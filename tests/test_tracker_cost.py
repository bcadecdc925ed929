"""scripts.tracker_cost: the tracker's own cost and frames with a face, on a test-made clip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emotion_app.faces.local_search import LocalSearch
from emotion_app.samples import VideoTruth
from scripts import tracker_cost
from scripts.support.variants import VARIANT_STARTS


def run(folder: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, object]:
    assert tracker_cost.main(["--clips", str(folder), *extra]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    clips = report["clips"]
    assert isinstance(clips, dict) and len(clips) == 1
    row = next(iter(clips.values()))
    assert isinstance(row, dict)
    return row


def test_variants_sum_eight_runs_from_later_starts_and_mirrored(
    moving_face_video: VideoTruth, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = moving_face_video.path.parent
    single = run(folder, capsys)
    assert single["frames"] == moving_face_video.num_frames
    # The tracker shows the face where it is, not in the two blank frames.
    assert single["frames_with_face"] == moving_face_video.frames_with_face
    summed = run(folder, capsys, "--variants")
    n = moving_face_video.num_frames
    assert summed["frames"] == 2 * sum(max(0, n - start) for start in VARIANT_STARTS)
    counts = summed["variants_with_face"]
    assert isinstance(counts, list) and len(counts) == 8
    assert counts[0] == single["frames_with_face"] and sum(counts) == summed["frames_with_face"]
    # Mirrored, the astronaut is still one face in every frame she is in.
    assert counts[1] == counts[0]


def test_steps_times_each_call_of_the_costly_steps_and_puts_the_methods_back(
    moving_face_video: VideoTruth, capsys: pytest.CaptureFixture[str]
) -> None:
    follow = LocalSearch.follow
    assert tracker_cost.main(["--clips", str(moving_face_video.path.parent), "--steps"]) == 0
    out = capsys.readouterr().out
    report = json.loads(out.strip().splitlines()[-1])
    steps = report["steps"][moving_face_video.path.name]
    assert set(steps) <= set(tracker_cost.step_names())
    # The face is followed by its thumbnail in most frames, each call timed.
    followed = steps["thumbnail follow"]
    assert moving_face_video.frames_with_face // 2 <= followed["calls"] < moving_face_video.num_frames
    assert 0 <= followed["min_ms"] <= followed["median_ms"] <= followed["max_ms"]
    assert "thumbnail follow" in out
    assert LocalSearch.follow is follow
