"""The library behind the measurement scripts: the truth reader, argument types, overrides, videos."""

from __future__ import annotations

import argparse
import gc
import importlib
import importlib.util
import json
import re
import shutil
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest

from emotion_app.faces import detector as detector_module
from emotion_app.faces import (
    face_verifier,
    geometry,
    leaning_search,
    local_search,
    network_detector,
    scan_plan,
    still_faces,
    tracker,
)
from emotion_app.faces.detector import FaceDetector
from emotion_app.faces.face_verifier import FaceVerifier, VerifierError
from emotion_app.faces.geometry import Box, iou
from emotion_app.faces.network_detector import NetworkFaceDetector
from emotion_app.io.atomic import OutputError
from emotion_app.io.video import InputError
from emotion_app.samples import astronaut_face_patch, background, paste, read_video
from scripts import cnn_face_detector, tracker_cost
from scripts.gallery_faces import dense_finds, small_band_scan
from scripts.support.arguments import (
    existing_folder,
    frame_size,
    new_video,
    non_negative_int,
    positive_float,
    positive_int,
    positive_ints,
)
from scripts.support.gc_log import GUI_THREAD, GcLog, describe
from scripts.support.overrides import apply_overrides, defaults_named, tunable_modules
from scripts.support.real_clips import TruthRange, clips_in, counted, faces_at, read_truth, videos_in
from scripts.support.video_out import VideoOut


def test_the_truth_reader_keeps_ranges_counts_and_labels(tmp_path: Path) -> None:
    truth = tmp_path / "truth.csv"
    truth.write_text(
        "file,first_frame,last_frame,faces,labels,note\n"
        'clip.mp4,0,9,1,sad,"crying, then"\n'
        "clip.mp4,12,20,2,happy|neutral,\n"
        "clip.mp4,21,25,,,faces not counted here\n"
        "stage.mp4,,,,,no truth kept\n",
        encoding="utf-8",
    )
    clips = read_truth(truth)
    assert clips["stage.mp4"] == [] and not counted(clips["stage.mp4"])
    ranges = clips["clip.mp4"]
    assert ranges[0] == TruthRange(0, 9, 1, frozenset({"sad"}))
    assert ranges[1].labels == {"happy", "neutral"} and ranges[2].faces is None
    assert counted(ranges)
    assert [faces_at(ranges, frame) for frame in (0, 9, 10, 12, 20, 22, 30)] == [1, 1, None, 2, 2, None, None]


@pytest.mark.parametrize("script", ["face_quality", "face_check_data", "live_quality"])
def test_a_clips_folder_without_truth_is_one_line_not_a_traceback(
    script: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: python -m scripts.face_quality where ../shared/data/real-clips is not (a clone
    # elsewhere) ended in a FileNotFoundError traceback from the truth reader.
    module = importlib.import_module(f"scripts.{script}")
    argv = [str(tmp_path)] if script == "live_quality" else ["--clips", str(tmp_path)]
    assert module.main(argv) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and error.count("\n") == 1, error
    assert str(tmp_path / "truth.csv") in error


def test_a_gallery_clip_without_its_clips_is_one_line(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    # Was: OpenCV's own "[ WARN:0@0.961] global loadsave.cpp ... can't open/read file" came
    # before the script's error line for a --clips folder without the group photo.
    make_gallery_clip = importlib.import_module("scripts.make_gallery_clip")
    assert make_gallery_clip.main([str(tmp_path / "out"), "--clips", str(tmp_path)]) == 2
    error = capfd.readouterr().err
    assert error.startswith("error: ") and error.count("\n") == 1, error


def test_paths_to_read_and_write_are_checked_before_the_work(tmp_path: Path) -> None:
    assert existing_folder(str(tmp_path)) == tmp_path
    assert new_video(str(tmp_path / "a.avi")) == tmp_path / "a.avi"
    for parse, bad in (
        (existing_folder, tmp_path / "missing"),
        (new_video, tmp_path / "missing" / "a.avi"),
        (new_video, tmp_path / "a.txt"),
    ):
        with pytest.raises(argparse.ArgumentTypeError):
            parse(str(bad))
    with pytest.raises(InputError, match="no video in"):
        clips_in(tmp_path)
    (tmp_path / "a.mp4").write_bytes(b"")
    assert clips_in(tmp_path) == [tmp_path / "a.mp4"]


def test_the_videos_of_a_folder_in_name_order(tmp_path: Path) -> None:
    for name in ("b.MOV", "a.mp4", "truth.csv", "photo.jpg", "c.avi"):
        (tmp_path / name).write_bytes(b"")
    assert [p.name for p in videos_in(tmp_path)] == ["a.mp4", "b.MOV", "c.avi"]


def test_argument_types_fail_with_one_line_reasons() -> None:
    assert frame_size("1280x720") == (1280, 720) and frame_size("640X360") == (640, 360)
    for bad in ("1280", "axb", "1280x720x3", "8x8"):
        with pytest.raises(argparse.ArgumentTypeError):
            frame_size(bad)
    assert positive_ints("1,3,24") == [1, 3, 24]
    for bad in ("", "1,,3", "0", "2,-1", "x"):
        with pytest.raises(argparse.ArgumentTypeError):
            positive_ints(bad)
    assert positive_int("3") == 3 and non_negative_int("0") == 0 and positive_float("0.5") == 0.5
    for parse, bad in ((positive_int, "0"), (positive_int, "1.5"), (non_negative_int, "-1"), (positive_float, "0")):
        with pytest.raises(argparse.ArgumentTypeError):
            parse(bad)
    for bad in ("nan", "inf", "1e400"):  # no length or rate: "inf" ended in an OverflowError
        with pytest.raises(argparse.ArgumentTypeError):
            positive_float(bad)


def test_overrides_set_a_tracker_constant_and_refuse_what_is_not_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(local_search, "STEADY_IOU", local_search.STEADY_IOU)  # restored after the test
    assert apply_overrides(["STEADY_IOU=0.5"]) == {"STEADY_IOU": 0.5}
    assert local_search.STEADY_IOU == 0.5
    # Each refused in one line with exit code 2, as the app's commands refuse bad input.
    for pair, said in (
        ("NO_SUCH_THING=1", "no constant 'NO_SUCH_THING'"),
        ("LocalSearch=1", "no constant 'LocalSearch'"),  # a class, not a constant
        ("STEADY_IOU=half", "not a Python literal"),
        ("STEADY_IOU={[1]: 2}", "not a Python literal"),  # was a TypeError's traceback
        ("STEADY_IOU=" + "-" * 100_000 + "1", "not a Python literal"),  # was a MemoryError's
    ):
        with pytest.raises(SystemExit) as exited:
            apply_overrides([pair])
        assert exited.value.code == 2
        error = capsys.readouterr().err
        assert error.startswith("error: ") and error.count("\n") == 1 and said in error, error


def restored_after_the_test(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Every copy of the constant ``name`` that --set changes, restored after the test: the
    module attributes and the defaults written ``=name``."""
    modules = tunable_modules()
    for module in modules:
        if hasattr(module, name):
            monkeypatch.setattr(module, name, getattr(module, name))
    for function, _ in defaults_named(name, modules):
        monkeypatch.setattr(function, "__defaults__", function.__defaults__)
        monkeypatch.setattr(function, "__kwdefaults__", function.__kwdefaults__)


def test_an_override_reaches_every_copy_of_a_constant_imported_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    # DUPLICATE_IOU is defined in geometry and imported by name into the modules that read it.
    holders = [geometry, local_search, leaning_search, still_faces, tracker]
    restored_after_the_test(monkeypatch, "DUPLICATE_IOU")
    assert apply_overrides(["DUPLICATE_IOU=0.25"]) == {"DUPLICATE_IOU": 0.25}
    assert {module.__name__: module.DUPLICATE_IOU for module in holders} == {m.__name__: 0.25 for m in holders}


def test_an_override_reaches_a_constant_read_only_as_a_default_argument(monkeypatch: pytest.MonkeyPatch) -> None:
    # A default is bound when its function is defined: setting the module's constant alone
    # left suppress_duplicates(boxes) and coarsest_scale(px) as they were.
    for name in ("DUPLICATE_IOU", "DETECTION_SLACK"):
        restored_after_the_test(monkeypatch, name)
    larger, smaller = (0, 0, 100, 100), (0, 0, 100, 60)  # IoU 0.6
    cascade = FaceDetector()
    assert geometry.suppress_duplicates([larger, smaller]) == [larger]
    as_built, slack = cascade.coarsest_scale(400), detector_module.DETECTION_SLACK
    apply_overrides(["DUPLICATE_IOU=0.7", f"DETECTION_SLACK={slack * 2}"])
    assert geometry.suppress_duplicates([larger, smaller]) == [larger, smaller]
    assert cascade.coarsest_scale(400) == pytest.approx(as_built * 2)


def test_an_override_of_a_path_constant_is_a_path_written_bare_or_quoted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A path was taken only as a string literal, and stayed a str where a Path is expected;
    # written bare, it was refused as "not a Python literal".
    for name in ("DEFAULT_FOLDER", "DEFAULT_VERIFIER_PATH"):
        restored_after_the_test(monkeypatch, name)
    folder = tmp_path / "my networks"
    shutil.copytree(network_detector.DEFAULT_FOLDER, folder)
    notes = tmp_path / "notes.txt"
    notes.write_text("no weights\n", encoding="utf-8")
    applied = apply_overrides([f"DEFAULT_FOLDER={folder}", f"DEFAULT_VERIFIER_PATH={str(notes)!r}"])
    assert applied == {"DEFAULT_FOLDER": str(folder), "DEFAULT_VERIFIER_PATH": str(notes)}  # as JSON writes it
    assert network_detector.DEFAULT_FOLDER == folder and face_verifier.DEFAULT_VERIFIER_PATH == notes
    assert NetworkFaceDetector().folder == folder  # the default argument, =DEFAULT_FOLDER, too
    with pytest.raises(VerifierError, match=f"^{re.escape(str(notes))} is not a weights file"):
        FaceVerifier.load()


def test_an_override_of_another_type_than_the_constants_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Each was set as given: True as a float threshold, 0.5 as a count, 3 over torch's F.
    restored_after_the_test(monkeypatch, "STEADY_IOU")
    before = (local_search.STEADY_IOU, scan_plan.SMALL_SCAN_EVERY)
    for pair, said in (
        ("STEADY_IOU=True", "--set STEADY_IOU: 'True' is a bool; STEADY_IOU is a float"),
        ("SMALL_SCAN_EVERY=0.5", "--set SMALL_SCAN_EVERY: '0.5' is a float; SMALL_SCAN_EVERY is an int"),
        ("STILL_COPY_FACTORS=[1.5]", "'[1.5]' is a list; STILL_COPY_FACTORS is a tuple"),
        ("F=3", "'3' is an int; F is a module"),
        ("DEFAULT_FOLDER=", "--set DEFAULT_FOLDER: an empty path"),
    ):
        with pytest.raises(SystemExit) as exited:
            apply_overrides([pair])
        assert exited.value.code == 2
        error = capsys.readouterr().err
        assert error.startswith("error: ") and error.count("\n") == 1 and said in error, error
    assert (local_search.STEADY_IOU, scan_plan.SMALL_SCAN_EVERY) == before  # nothing set
    # A whole number is a float too: set as one.
    assert apply_overrides(["STEADY_IOU=1"]) == {"STEADY_IOU": 1.0}
    assert type(local_search.STEADY_IOU) is float


def test_tracker_cost_runs_its_tracker_with_the_small_scan_interval_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Its own --small-scan-every default, read before --set, was what the tracker got.
    restored_after_the_test(monkeypatch, "SMALL_SCAN_EVERY")
    with VideoOut(tmp_path / "clip.avi", "MJPG", 10.0, (64, 48)) as video:
        for _ in range(3):
            video.write(np.full((48, 64, 3), 128, np.uint8))
    assert tracker_cost.main(["--clips", str(tmp_path), "--set", "SMALL_SCAN_EVERY=2"]) == 0
    report = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert report["overrides"] == {"SMALL_SCAN_EVERY": 2, "small_scan_every": 2}
    assert tracker_cost.main(["--clips", str(tmp_path), "--set", "SMALL_SCAN_EVERY=2", "--small-scan-every", "3"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["overrides"]["small_scan_every"] == 3


def test_a_script_video_appears_only_when_complete(tmp_path: Path) -> None:
    target = tmp_path / "clip.avi"
    frame = np.full((48, 64, 3), 128, np.uint8)
    with VideoOut(target, "MJPG", 10.0, (64, 48)) as video:
        for _ in range(5):
            video.write(frame)
    assert len(read_video(target)) == 5
    before = target.read_bytes()
    with pytest.raises(RuntimeError), VideoOut(target, "MJPG", 10.0, (64, 48)) as video:
        video.write(frame)
        raise RuntimeError("interrupted")
    assert target.read_bytes() == before, "the earlier clip is left as it was"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["clip.avi"], "no partial file left behind"
    with pytest.raises(OutputError, match="cannot create"):
        VideoOut(target / "inside-a-file.avi", "MJPG", 10.0, (64, 48))  # a file is no folder


def test_gallery_faces_dense_finds_map_back_to_frame_boxes() -> None:
    # The dense column enlarges the frame: its boxes must come back in frame pixels.
    patch, (fx, fy, fw, fh) = astronaut_face_patch(40)
    frame = background(320, 240)
    paste(frame, patch, 120, 60)
    gray = frame.mean(axis=2).astype(np.uint8)
    detector = FaceDetector()
    truth = (120 + fx, 60 + fy, fw, fh)
    assert any(iou(box, truth) > 0.5 for box in dense_finds(detector, gray))
    # The small faces' band finds the 40 px face as it is and enlarged (in enlarged pixels).
    plain = np.asarray(small_band_scan(detector, gray, 1.0)).reshape(-1, 4)
    enlarged = np.asarray(small_band_scan(detector, gray, 2.0)).reshape(-1, 4)

    def box_of(row: np.ndarray, shrink: int = 1) -> Box:
        x, y, width, height = (int(value) // shrink for value in row)
        return (x, y, width, height)

    assert any(iou(box_of(row), truth) > 0.5 for row in plain)
    assert any(iou(box_of(row, shrink=2), truth) > 0.5 for row in enlarged)


def test_the_cnn_detector_check_says_in_one_line_what_it_needs(capsys: pytest.CaptureFixture[str]) -> None:
    if importlib.util.find_spec("yuface") is not None:
        pytest.skip("yuface is installed here: the script would run")
    assert cnn_face_detector.main(["--clips", "/nonexistent"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "needs the yuface package" in error


def test_the_gc_log_names_the_thread_of_each_collection() -> None:
    log = GcLog()
    was_enabled = gc.isenabled()
    gc.disable()  # only the two collections below
    log.start()
    try:
        gc.collect(0)
        worker = threading.Thread(target=gc.collect, args=(1,), name="classifier-build_0")
        worker.start()
        worker.join()
    finally:
        log.stop()
        if was_enabled:
            gc.enable()
    gc.collect(0)  # after stop: not recorded
    summary = log.summary()
    assert summary["collections"] == 2 and summary["off_gui_thread"] == 1
    assert summary["per_thread"] == {GUI_THREAD: 1, "classifier-build": 1}
    assert [c.generation for c in log.collections] == [0, 1]
    assert "2 collections" in describe(summary) and describe(log.summary(until_s=0.0)) == "no collection"


def test_live_quality_scores_what_the_window_showed(tmp_path: Path, random_weights: Path) -> None:
    # --window plays the clip in the real window at its own rate and scores what its screen
    # showed at every frame; the script's other modes run the pipeline on every frame.
    from emotion_app.samples import write_video
    from tests.gui_support import run_gui_script

    patch, _ = astronaut_face_patch(120)
    frames = []
    for index in range(20):
        frame = background(640, 360)
        paste(frame, patch, 200 + 2 * index, 100)
        frames.append(frame)
    clips = tmp_path / "clips"
    clips.mkdir()
    write_video(clips / "clip.avi", frames, fps=10.0)
    (clips / "truth.csv").write_text("file,first_frame,last_frame,faces,labels,note\nclip.avi,0,19,1,,\n")
    temp = tmp_path / "temp"
    temp.mkdir()
    completed = run_gui_script(
        "live_quality", str(clips), "--window", "--json", "--weights", str(random_weights), timeout=240, temp=temp
    )
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-3000:]
    report = json.loads(completed.stdout)
    assert report["settings"]["window"] is True and report["settings"]["steadiness"] == "medium"
    (clip,) = report["clips"]
    # Every frame counts, with the faces on screen as its turn ended: none before the first
    # result was painted (the first frame is scanned while the file plays on), then the face.
    window = clip["window"]
    assert clip["clip"] == "clip.avi" and clip["frames"] == 20 and clip["fps"] == 10.0
    assert 0 < window["received"] <= 20 and window["painted"] > 0 and window["first_painted_s"] > 0
    assert 0 < clip["face_frames"] <= 20 and clip["ranges"][0]["count_match"] == clip["face_frames"] / 20
    assert clip["face_seconds"] == pytest.approx(clip["face_frames"] / 10.0, abs=0.01)
    # The frames the window was sent, each once, as --window scored before: the face is in each.
    (received,) = report["received"]["clips"]
    assert received["frames"] == window["received"] and received["face_frames"] == received["frames"]
    assert received["ranges"][0]["count_match"] == 1.0


def test_live_quality_window_refuses_a_truth_file_of_no_video(tmp_path: Path) -> None:
    # --window leaves pictures out: with nothing else to play, it reported empty figures
    # ("None label changes/min over 0.0 s"), exit 0, after opening a window for nothing.
    from tests.gui_support import run_gui_script

    clips = tmp_path / "clips"
    clips.mkdir()
    patch, _ = astronaut_face_patch(120)
    picture = background(320, 240)
    paste(picture, patch, 100, 60)
    assert cv2.imwrite(str(clips / "face.png"), picture)
    (clips / "truth.csv").write_text("file,first_frame,last_frame,faces,labels,note\nface.png,0,0,1,,\n")
    before = sorted(clips.iterdir())
    completed = run_gui_script("live_quality", str(clips), "--window", timeout=120)
    assert completed.returncode == 2, completed.stdout[-1000:] + completed.stderr[-1000:]
    assert completed.stdout == ""
    (line,) = completed.stderr.splitlines()
    assert line.startswith("error: ") and "no video" in line
    assert sorted(clips.iterdir()) == before


def test_live_quality_window_counts_only_the_clip_s_own_stream() -> None:
    # Clips were told apart only by a 0.5 s wait after each end: a result of the clip before
    # arriving late (a busy machine) was counted as this clip's, here its frame 0 taken for
    # this one's and its frame 19 stretching this clip's 5 frames over 20.
    live_quality = importlib.import_module("scripts.live_quality")
    from emotion_app.gui.messages import InferenceResult
    from emotion_app.samples import SIX_LABELS

    picture = background(64, 48)

    def result(stream_id: int, index: int, time_s: float) -> InferenceResult:
        return InferenceResult(stream_id, index, picture, picture, picture, (), SIX_LABELS, 0.0, time_s, 0.0)

    before = [result(1, 0, 9.0), result(1, 19, 9.5)]
    own = [result(2, index, index / 10.0) for index in range(5)]
    record = live_quality.window_record("clip.avi", 10.0, [before[0], *own, before[1]], 2)
    assert [index for index, _faces in record.frames] == [0, 1, 2, 3, 4]
    assert record.times == [index / 10.0 for index in range(5)]
    assert record.fps == 10.0


def test_live_quality_counts_labels_contradicted_by_their_own_bars() -> None:
    # What a user saw: "happy? 5%" beside angry 41%. The replay shows the label the rule
    # keeps, with the bars it smooths; a frame counts when the label is over 0.2 below the top.
    live_quality = importlib.import_module("scripts.live_quality")
    from emotion_app.inference.steadiness import Steadiness, UncertaintyRule

    labels = ("happy", "neutral", "angry")
    happy = (0.9, 0.05, 0.05)
    angry_ahead = (0.05, 0.37, 0.58)
    raws = [happy, happy, angry_ahead, angry_ahead, angry_ahead, happy]
    record = live_quality.ClipRecord("clip.avi", 10.0, times=[i / 10.0 for i in range(len(raws))])
    for i, raw in enumerate(raws):
        record.frames.append((i, [live_quality.ShownFace(7, "", False, raw)]))
    # Held for 0.5 s (no smoothing): happy stays shown beside angry ahead for three frames.
    shown = live_quality.replay(record, labels, Steadiness(hold_s=0.5, switch_margin=0.05), UncertaintyRule())
    assert [faces[0].label for _i, faces in shown.frames] == ["happy"] * 6
    assert [faces[0].contradicted for _i, faces in shown.frames] == [False, False, True, True, True, False]
    count, longest = live_quality.contradicted_labels(shown)
    assert count == 3 and longest == pytest.approx(0.3)
    scored = live_quality.score_clip(shown, [])
    assert scored["contradicted"] == 3 and scored["contradicted_share"] == 0.5
    # Shown as it comes (steadiness off), a label is never contradicted.
    assert live_quality.contradicted_labels(live_quality.replay(record, labels, Steadiness(), UncertaintyRule())) == (
        0,
        0.0,
    )
