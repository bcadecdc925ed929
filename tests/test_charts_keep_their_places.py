"""Charts keep their places from frame to frame through the app's real drawing paths: the
desktop app's inference worker and ``analyze --output``, over real faces the real cascade
finds, jittering by a pixel or three (``overlay_layout.ChartPlaces``)."""

from __future__ import annotations

import csv
from pathlib import Path

import cv2
import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from emotion_app.cli import main
from emotion_app.faces.geometry import Box, overlap_area
from emotion_app.gui.inference_worker import InferenceWorker
from emotion_app.gui.mailbox import DeliveryGate, LatestMailbox
from emotion_app.gui.messages import CapturedFrame
from emotion_app.io.overlay import PillowText
from emotion_app.io.overlay_layout import PANEL_ALPHA, PANEL_COLOR, layout_overlay
from emotion_app.live import load_eager_pipeline
from emotion_app.samples import astronaut_face_patch, paste, read_video, write_video

FRAME_SIZE = (800, 480)
FPS = 10.0
FRAMES = 24
# Where the two faces' boxes lie, jitter aside: the right one a little less than a chart's
# width (and its gap) right of the left one. So the left face's chart fits on its right (its
# first choice) in some frames and not in others, and always on its left: laid out afresh
# each frame, it jumps from side to side as the faces jitter.
LEFT_FACE = (180, 200)
RIGHT_FACE = (425, 180)
FACE_SIDE = 80
BACKDROP = 205  # a light wall: a chart's panel darkens it plainly
# How far a kept chart may lie from its first place: a face moves at most 3 px from its
# place, and its box's edges a pixel or two more. A chart gone to another side moves 80+.
JITTER_PX = 6


def jittering_pair(count: int = FRAMES, seed: int = 3) -> list[np.ndarray]:
    """``count`` frames of two astronaut faces on a light wall (see ``LEFT_FACE``), each face
    moving 1-3 px a frame along each axis, at most 3 px from its place; the first frame
    has both at their places."""
    patch, (fx, fy, _fw, _fh) = astronaut_face_patch(FACE_SIDE)
    rng = np.random.default_rng(seed)
    offsets = [0, 0, 0, 0]  # left face's x, y; right face's x, y
    frames = []
    for index in range(count):
        if index:
            for axis, offset in enumerate(offsets):
                step = int(rng.choice([-3, -2, -1, 1, 2, 3]))
                offsets[axis] = offset + (step if abs(offset + step) <= 3 else -step)
        frame = np.full((FRAME_SIZE[1], FRAME_SIZE[0], 3), BACKDROP, np.uint8)
        paste(frame, patch, LEFT_FACE[0] - fx + offsets[0], LEFT_FACE[1] - fy + offsets[1])
        paste(frame, patch, RIGHT_FACE[0] - fx + offsets[2], RIGHT_FACE[1] - fy + offsets[3])
        frames.append(frame)
    return frames


def drawn_charts(frame: np.ndarray, drawn: np.ndarray) -> list[Box]:
    """The chart panels the overlay drew on ``frame`` (as ``drawn``, BGR): the largest areas
    of pixels darkened as the panel's translucent fill darkens them. Only what was drawn
    counts, so the faces' own dark pixels are no panel."""
    before, after = frame.astype(np.float32), drawn[:, :, :3].astype(np.float32)
    fill = PANEL_ALPHA * np.array(PANEL_COLOR, np.float32) + (1 - PANEL_ALPHA) * before
    panel = (np.abs(after - fill).max(axis=2) < 20) & ((before - after).min(axis=2) > 50)
    count, _labels, stats, _centres = cv2.connectedComponentsWithStats(panel.astype(np.uint8), connectivity=8)
    return [(int(x), int(y), int(w), int(h)) for x, y, w, h, area in stats[1:count] if area > 1500]


def same_charts(charts: list[Box], were: list[Box]) -> bool:
    """Whether ``charts`` are ``were`` (as many, of the same sizes), each within the faces'
    jitter of where it was: a chart that went to another side of its face is not."""
    if len(charts) != len(were):
        return False
    unmatched = list(were)
    for x, y, w, h in charts:
        near = [was for was in unmatched if was[2:] == (w, h) and max(abs(x - was[0]), abs(y - was[1])) <= JITTER_PX]
        if not near:
            return False
        unmatched.remove(near[0])
    return True


def assert_charts_stay(drawn: list[list[Box]]) -> None:
    """Both faces' charts drawn in every frame where they were in the first."""
    first = drawn[0]
    assert len(first) == 2, f"expected both faces' charts in the first frame, got {first}"
    for index, charts in enumerate(drawn[1:], 1):
        assert same_charts(charts, first), f"frame {index}: charts at {charts}, not kept at {first}"


def right_side_free(boxes: list[Box], charts: list[Box]) -> bool:
    """Whether the left face's chart (``charts``' left one, on its left) would have fitted
    on its right, its first choice, before the right face, at the same gap."""
    left, right = sorted(boxes)
    x, _y, width, _height = min(charts)
    gap = left[0] - (x + width)
    return right[0] - (left[0] + left[2]) >= gap + width


def test_the_inference_worker_keeps_each_charts_place_as_the_faces_jitter(qtbot: QtBot) -> None:
    frames = jittering_pair()
    worker = InferenceWorker(LatestMailbox(), DeliveryGate(), None, pipeline_loader=load_eager_pipeline)
    worker.load_default()  # the shipped model
    try:
        results = [
            worker.process(CapturedFrame(1, index, image, 0.0, index / FPS, in_file=True))
            for index, image in enumerate(frames)
        ]
    finally:
        worker.on_thread_finished()
    measure = PillowText()
    drawn: list[list[Box]] = []
    moved_afresh = 0
    for result in results:
        assert len(result.faces) == 2 and result.annotated is not None
        charts = drawn_charts(result.image, result.annotated)
        # The screen's picture is the same drawing (the frame shown at its own size).
        assert charts == drawn_charts(result.image, result.display_image)
        assert all(overlap_area(chart, face.box) == 0 for chart in charts for face in result.faces)
        drawn.append(charts)
        # Laid out afresh, a chart would have gone to another side in some frames.
        afresh = layout_overlay(result.faces, result.labels, *FRAME_SIZE, True, measure)
        moved_afresh += not same_charts([item.chart.rect for item in afresh if item.chart is not None], charts)
    assert_charts_stay(drawn)
    assert moved_afresh >= 3, "the scene no longer gives the left face's chart two places"


@pytest.mark.usefixtures("one_torch_thread")
def test_analyze_output_keeps_each_charts_place_as_the_faces_jitter(tmp_path: Path) -> None:
    frames = jittering_pair()
    video, output, table = tmp_path / "pair.avi", tmp_path / "annotated.avi", tmp_path / "faces.csv"
    write_video(video, frames, fps=FPS)
    assert main(["analyze", str(video), "--output", str(output), "--csv", str(table)]) == 0
    shown, annotated = read_video(video), read_video(output)  # the frames analyze read, and drew on
    assert len(shown) == len(annotated) == FRAMES
    boxes: list[list[Box]] = [[] for _ in range(FRAMES)]
    with open(table, newline="") as handle:
        for row in csv.DictReader(handle):
            boxes[int(row["frame"])].append((int(row["x"]), int(row["y"]), int(row["w"]), int(row["h"])))
    drawn = []
    for index, (frame, picture) in enumerate(zip(shown, annotated)):
        assert len(boxes[index]) == 2, f"frame {index}: faces at {boxes[index]}"
        charts = drawn_charts(frame, picture)
        assert all(overlap_area(chart, box) == 0 for chart in charts for box in boxes[index])
        drawn.append(charts)
    assert_charts_stay(drawn)
    # The left face's first choice was free in some frames: its chart stayed, not went there.
    assert sum(right_side_free(faces, drawn[0]) for faces in boxes) >= 3
