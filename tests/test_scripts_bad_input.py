"""Every measurement script refuses bad input in one line, with exit code 2 as the app's
commands (argparse's usage errors, ``emotion_app.cli.common.fail``), and writes nothing:
run as the README says (``python -m scripts.NAME``), never its workload."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import cv2
import cv2.data
import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent

# {tmp}: a fresh folder holding "empty/" (no files), "bad/x.mp4", "x.mp4" and
# "gallery/" with gallery.avi and multi_face.jpg (all text: no video, no picture),
# "truth/" with a truth.csv of no rows, "nothing.mp4" (no bytes) and "no_frames.avi" (an
# AVI's header, its frame rate, and no frame).
CASES = [
    # Were: a report on no clips, exit 0.
    ("shot_cuts", "--clips {tmp}/empty"),
    ("scan_step", "--clips {tmp}/empty"),
    ("recheck_resemblance", "--clips {tmp}/empty"),
    # Were: a traceback from the video reader.
    ("shot_cuts", "--clips {tmp}/missing"),
    ("recheck_resemblance", "--clips {tmp}/bad"),
    ("scan_step", "--clips {tmp}/bad"),
    ("tracker_cost", "--clips {tmp}/bad"),
    ("jpeg_decode_cost", "--clips {tmp}/missing"),
    # Were: a count of 0 or below ran on (a StatisticsError, an IndexError, a
    # ZeroDivisionError, OpenCV's assertion) or reported nothing with exit 0.
    ("scan_step", "--clips {tmp}/empty --every 0"),
    ("tracker_cost", "--clips {tmp}/empty --small-scan-every 0"),
    ("jpeg_decode_cost", "--clips {tmp}/empty --frames 0"),
    ("chart_layout_crowds", "--scenes 0"),
    ("commit_group_time", "--runs -1"),
    ("huge_image_memory", "--side -5"),
    ("overlay_speed", "--frames 0"),
    ("raw_mjpeg_flood", "--runs 0"),
    ("raw_mjpeg_flood", "--megabytes 0"),
    ("raw_mjpeg_count_time", "--quality 0"),
    ("raw_mjpeg_count_time", "--runs 0"),
    ("recording_handoff_cost", "--frames 0"),
    ("recording_handoff_cost", "--fps 0"),
    ("recording_handoff_cost", "--size x"),
    ("tiff_pages_speed", "--pages 0"),
    ("animation_stretch_cost", "--side 0"),
    ("gui_demo_video", "{tmp}/out.avi --fps 0"),
    ("measure_gui", "--seconds 0"),
    # Were: a traceback, or the run went on (into the folder, or with other weights).
    ("commit_group_time", "--folder {tmp}/missing"),
    ("recording_handoff_cost", "--folder {tmp}/missing"),
    ("snapshot_write_time", "--folder {tmp}/missing"),
    ("gui_demo_video", "{tmp}/missing/out.avi"),
    ("gui_demo_video", "{tmp}/out.txt"),
    ("measure_gui", "--weights {tmp}/missing.safetensors"),
    ("gui_screenshot", "{tmp}/shot.png --weights {tmp}/missing.safetensors"),
    ("classifier_agreement", "{tmp}/x.mp4 --data {tmp}/empty"),
    ("inference_candidates", "--weights {tmp}/missing.safetensors --data {tmp}/empty"),
    # Were: the one line with exit 1 (a bare SystemExit message, or a return 1), not the
    # app's 2; frame_times's and raw_mjpeg_count_time's lines did not say "error".
    ("jpeg_decode_cost", "--clips {tmp}/bad"),
    ("frame_times", "{tmp}/x.mp4"),
    ("raw_mjpeg_count_time", "--clip {tmp}/x.mp4"),
    ("animation_seek_cost", "--clip {tmp}/x.mp4 --file {tmp}/made.gif"),
    ("reuse_agreement", "{tmp}/x.mp4"),
    ("gallery_faces", "{tmp}/gallery --clips {tmp}/gallery"),
    ("tracker_cost", "--clips {tmp}/empty --set NO_SUCH_CONSTANT=1"),
    ("tracker_cost", "--clips {tmp}/empty --set EMPTY_SCAN_INTERVAL=three"),
    ("make_bench_clip", "{tmp}/x.mp4/out.mp4"),
    ("make_bench_clip", "{tmp}/out.txt"),
    ("gui_screenshot", "{tmp}/x.mp4/shot.png"),
    ("gui_monkey", "--video {tmp}/x.mp4"),
    # Were: a traceback (WeightsError, SourceOpenError).
    ("reuse_agreement", "{tmp}/bad/x.mp4 --weights {tmp}/missing.safetensors"),
    ("animation_seek_cost", "--file {tmp}/x.mp4"),
    ("live_quality", "{tmp}/truth --weights {tmp}/missing.safetensors"),
    ("face_quality", "--clips {tmp}/truth --weights {tmp}/missing.safetensors"),
    # Were taken: 0 ended in a traceback, 100000 found nothing, in silence.
    ("face_quality", "--clips {tmp}/truth --min-face 0"),
    ("face_quality", "--clips {tmp}/truth --min-face 100000"),
    # Refused from their start.
    ("timeline_paint_cost", "--every 0"),
    ("timeline_paint_cost", "--size x"),
    # Was: an OverflowError's traceback, exit 1.
    ("timeline_paint_cost", "--minutes inf"),
    ("end_wait_time", "--clips {tmp}/empty"),
    ("end_wait_time", "--clips {tmp}/gallery --weights {tmp}/missing.safetensors"),
    ("pipeline_results_digest", "--clips {tmp}/empty"),
    ("pipeline_results_digest", "--clips {tmp}/missing"),
    ("pipeline_results_digest", "--clips {tmp}/bad"),
    # --window plays every frame as the app does: it takes no sampling of them.
    ("live_quality", "{tmp}/truth --window --every 3"),
]
# Cases whose old answer was a wait: measure_gui waited 120 s for a frame in its window,
# then exit 1. A refusal takes seconds, so these are given far less than that.
QUICK_CASES = [
    ("measure_gui", "--video {tmp}/no_frames.avi"),
    # Were refused, but with "the video does not say its frame rate".
    ("measure_gui", "--video {tmp}/x.mp4"),
    ("measure_gui", "--video {tmp}/nothing.mp4"),
    ("measure_gui", "--video {tmp}/missing.mp4"),
    # Was: the window waited 120 s for a file it could not open to be told finished, then
    # a traceback.
    ("end_wait_time", "--clips {tmp}/bad"),
]
QUICK_TIMEOUT_S = 40


def _tree(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


def _refused(command: list[str], timeout: int = 120) -> str:
    """``command`` (after the interpreter) run from the repository, offscreen; asserts it
    refused (exit 2, nothing on stdout) and returns its stderr."""
    answer = subprocess.run(
        [sys.executable, *command],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert answer.returncode == 2, f"exit {answer.returncode}: {answer.stderr[-600:]!r}"
    assert answer.stdout == "", answer.stdout[-300:]
    return answer.stderr


def _no_frames_avi(path: Path) -> None:
    """An MJPEG AVI cut just after its header: OpenCV opens it and reads its frame rate,
    but no frame."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 15.0, (64, 48))
    for _ in range(3):
        writer.write(np.zeros((48, 64, 3), np.uint8))
    writer.release()
    data = path.read_bytes()
    path.write_bytes(data[: data.index(b"movi") + 4])


@pytest.mark.parametrize(
    ("script", "arguments", "timeout"),
    [(s, a, 120) for s, a in CASES] + [(s, a, QUICK_TIMEOUT_S) for s, a in QUICK_CASES],
    ids=[f"{s} {a.split('{tmp}/')[-1]}" for s, a in CASES + QUICK_CASES],
)
def test_bad_input_is_one_line_and_exit_2(script: str, arguments: str, timeout: int, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "x.mp4").write_text("not a video\n")
    (tmp_path / "x.mp4").write_text("not a video\n")
    (tmp_path / "gallery").mkdir()
    (tmp_path / "gallery" / "gallery.avi").write_text("not a video\n")
    (tmp_path / "gallery" / "multi_face.jpg").write_text("not a picture\n")
    (tmp_path / "truth").mkdir()
    (tmp_path / "truth" / "truth.csv").write_text("file,first_frame,last_frame,faces,labels\n")
    (tmp_path / "nothing.mp4").write_bytes(b"")
    _no_frames_avi(tmp_path / "no_frames.avi")
    before = _tree(tmp_path)
    stderr = _refused(["-m", f"scripts.{script}", *arguments.format(tmp=tmp_path).split()], timeout)
    # argparse's own errors come after its usage lines; anything else is the one line.
    lines = [line for line in stderr.splitlines() if not line.startswith(("usage:", " "))]
    assert len(lines) == 1 and "error" in lines[0], stderr[-600:]
    assert _tree(tmp_path) == before, "nothing written"


# Refusals whose line names a path: run on files in a folder whose name holds a newline,
# the message (often an exception's text) has two lines unless the shared helper folds it.
NEWLINE_CASES = [
    ("shot_cuts", "--clips {tmp}/bad"),
    ("recheck_resemblance", "--clips {tmp}/bad"),
    ("scan_step", "--clips {tmp}/bad"),
    ("tracker_cost", "--clips {tmp}/bad"),
    ("classifier_agreement", "{tmp}/x.mp4 --data {tmp}/empty"),
    ("inference_candidates", "--data {tmp}/missing"),
    ("make_bench_clip", "{tmp}/out.txt"),
    ("make_hd_clip", "{tmp}/out.mp4 --source {tmp}/x.mp4"),
    ("make_dim_clips", "{tmp}/out --clips {tmp}/empty"),
    ("grid_faces", "--clips {tmp}/empty"),
    ("face_quality", "--clips {tmp}/empty"),
    ("measure_gui", "--video {tmp}/missing.mp4"),
    # Was: the window waited 120 s for a file it could not open to be told finished, then
    # a traceback.
    ("end_wait_time", "--clips {tmp}/bad"),
]


@pytest.mark.parametrize(("script", "arguments"), NEWLINE_CASES, ids=[" ".join(case) for case in NEWLINE_CASES])
def test_a_message_of_several_lines_is_one_error_line(script: str, arguments: str, tmp_path: Path) -> None:
    tmp = tmp_path / "two\nlines"
    (tmp / "empty").mkdir(parents=True)
    (tmp / "bad").mkdir()
    (tmp / "bad" / "x.mp4").write_text("not a video\n")
    (tmp / "x.mp4").write_text("not a video\n")
    before = _tree(tmp_path)
    stderr = _refused(["-m", f"scripts.{script}", *(part.format(tmp=tmp) for part in arguments.split())])
    assert stderr.count("\n") == 1, stderr[-600:]
    assert stderr.startswith("error: ") and "two lines" in stderr, stderr[-600:]
    assert _tree(tmp_path) == before, "nothing written"


# A child that runs the script with OpenCV's cascade folder pointed at a file that is no
# cascade, as tests/test_detection.py makes it unloadable (an OpenCV 5 install, a broken one).
_UNLOADABLE_CASCADE = """
import runpy, sys
import cv2
cv2.data.haarcascades = sys.argv[1]
sys.argv = sys.argv[2:]
runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
"""


# Script -> its arguments ({clip}: a 3-frame grey AVI; {clips}: a folder holding it as
# clip.avi and a truth.csv counting one face in it), each enough to reach the cascades.
_CASCADE_CASES = {
    # Were: make_detector's CommandError (or the baseline detector's OpenCVSetupError) as a
    # traceback, exit 1.
    "stage_clip_boxes": "{clip} --runs 1",
    "pipeline_budget": "{clip} --runs 1",
    "pipeline_results_digest": "--clips {clips}",
    # Were: FaceDetector's, FaceCheck's or the cascade's own OpenCVSetupError as a
    # traceback, exit 1.
    "scan_step": "--clips {clips}",
    "recheck_resemblance": "--clips {clips}",
    "face_check_data": "--clips {clips}",
    "live_quality": "{clips}",
    "lookalike_scene": "--frames 1 --sizes 64x48",
    "reuse_agreement": "{clip}",
    "tracker_cost": "--clips {clips}",
}


# Was: face_check_data loaded the eye cascade bare, and with it missing failed later in an
# OpenCV error (traceback, exit 1).
_CASCADE_ALONE_CASES = [("face_check_data", "haarcascade_eye.xml")]


@pytest.mark.parametrize(
    ("script", "unloadable"),
    [(script, "haarcascade_frontalface_default.xml") for script in sorted(_CASCADE_CASES)] + _CASCADE_ALONE_CASES,
)
def test_an_unloadable_cascade_is_one_line_and_exit_2(script: str, unloadable: str, tmp_path: Path) -> None:
    cascades = tmp_path / "cascades"
    cascades.mkdir()
    for shipped in Path(cv2.data.haarcascades).glob("*.xml"):  # all others OpenCV's own
        (cascades / shipped.name).symlink_to(shipped)
    (cascades / unloadable).unlink(missing_ok=True)
    if unloadable == "haarcascade_frontalface_default.xml":
        (cascades / unloadable).write_text("<not a cascade/>")
    clips = tmp_path / "clips"
    clips.mkdir()
    clip = clips / "clip.avi"
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter.fourcc(*"MJPG"), 15.0, (64, 48))
    for _ in range(3):
        writer.write(np.full((48, 64, 3), 128, np.uint8))
    writer.release()
    (clips / "truth.csv").write_text("file,first_frame,last_frame,faces,labels,note\nclip.avi,0,2,1,neutral,\n")
    arguments = _CASCADE_CASES[script].format(clip=clip, clips=clips).split()
    stderr = _refused(["-c", _UNLOADABLE_CASCADE, f"{cascades}/", f"scripts.{script}", *arguments])
    assert stderr.count("\n") == 1, stderr[-600:]
    assert stderr.startswith("error: ")
    if unloadable == "haarcascade_frontalface_default.xml":
        assert "could not load the frontal-face cascade" in stderr
    else:
        assert f"could not load the cascade {cascades / unloadable};" in stderr
