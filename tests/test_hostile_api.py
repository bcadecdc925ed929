"""Issue 13, case 8: the API takes frames of any sensible dtype (or says which it cannot),
huge images are scaled down for detection with boxes in their own pixels, and the
commands' numbers are checked (``--threads``, ``bench --frames``)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np
import pytest

from emotion_app import EmotionClassifier
from emotion_app.arguments import usable_cpus
from emotion_app.cli import main
from emotion_app.faces.detector import FaceDetector
from emotion_app.faces.geometry import iou
from emotion_app.pipeline import (
    MAX_DETECTION_PIXELS,
    MAX_STREAM_PIXELS,
    EmotionPipeline,
    detection_gray,
)
from emotion_app.samples import astronaut_bgr, astronaut_face_patch, paste, write_astronaut_video
from emotion_app.seconds import seconds_or_none

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def pipeline(random_weights: Path) -> EmotionPipeline:
    return EmotionPipeline(FaceDetector(), EmotionClassifier.load(random_weights), tracking=False)


def faces_of(pipeline: EmotionPipeline, frame: np.ndarray) -> list[tuple[int, int, int, int]]:
    pipeline.reset()
    return [face.box for face in pipeline.process(frame)]


@pytest.mark.parametrize(
    "convert",
    [
        pytest.param(lambda img: img / 255.0, id="float64 0..1"),
        pytest.param(lambda img: img.astype(np.float32), id="float32 0..255"),
        pytest.param(lambda img: img.astype(np.uint16) * 257, id="uint16 full range"),
        pytest.param(lambda img: img.astype(np.int32), id="int32 0..255"),
        pytest.param(lambda img: cv2.cvtColor(img, cv2.COLOR_BGR2BGRA) / 255.0, id="BGRA float64"),
        pytest.param(lambda img: cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).astype(np.uint16) * 257, id="gray uint16"),
    ],
)
def test_frames_of_other_dtypes_find_the_same_face(
    convert: Callable[[np.ndarray], np.ndarray], pipeline: EmotionPipeline
) -> None:
    image = astronaut_bgr()
    expected = faces_of(pipeline, image)
    assert len(expected) == 1
    found = faces_of(pipeline, convert(image))
    assert len(found) == 1
    assert np.abs(np.subtract(found[0], expected[0])).max() <= 4


@pytest.mark.parametrize(
    ("frame", "match"),
    [
        pytest.param(np.full((64, 64, 3), 1000, np.int32), "int32 has values 1000..1000", id="int32 out of range"),
        pytest.param(np.full((64, 64, 3), np.nan), "float64 holds NaN", id="float NaN"),
        pytest.param(np.zeros((64, 64, 3), np.complex64), "dtype complex64", id="complex"),
        pytest.param(np.zeros((64, 64, 3), object), "dtype object", id="object"),
        pytest.param(np.zeros((64, 64, 5), np.uint8), "shape", id="five channels"),
    ],
)
def test_unusable_frames_raise_a_value_error_naming_the_dtype(
    frame: np.ndarray, match: str, pipeline: EmotionPipeline
) -> None:
    with pytest.raises(ValueError, match=match):
        pipeline.process(frame)


def test_a_frame_that_is_none_says_what_gave_it(pipeline: EmotionPipeline) -> None:
    with pytest.raises(ValueError, match=r"^the frame is None, not an image \(cv2.imread gives None"):
        pipeline.process(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("arguments", "match"),
    [
        pytest.param(("detector", "weights.safetensors"), "classifier must be an EmotionClassifier", id="a path"),
        pytest.param(("classifier", "detector"), "detector must be a FaceDetector", id="swapped"),
    ],
)
def test_a_pipeline_of_the_wrong_parts_names_the_part(
    pipeline: EmotionPipeline, arguments: tuple[str, str], match: str
) -> None:
    parts = {"detector": pipeline.detector, "classifier": pipeline.classifier}
    first, second = (parts.get(name, name) for name in arguments)
    with pytest.raises(TypeError, match=match):
        # The wrong parts on purpose, as an untyped caller may pass them: the error checked.
        EmotionPipeline(first, second, optimize=False)  # type: ignore[arg-type]


def test_a_huge_frame_is_scaled_down_for_detection_and_boxes_come_back_in_its_pixels(pipeline: EmotionPipeline) -> None:
    width, height = 5600, 4200  # 23.5 megapixels, over the 16.8 limit
    frame = np.full((height, width, 3), 120, np.uint8)
    patch, (fx, fy, fw, fh) = astronaut_face_patch(400)
    x, y = 3100, 2500
    paste(frame, patch, x, y)
    gray, scale = detection_gray(frame)
    assert gray.shape[0] * gray.shape[1] <= MAX_DETECTION_PIXELS and scale < 1
    found = faces_of(pipeline, frame)
    assert len(found) == 1
    bx, by, bw, bh = found[0]
    # Centre and size match the pasted face in the full-size frame's pixels.
    assert abs(bx + bw / 2 - (x + fx + fw / 2)) < fw / 5 and abs(by + bh / 2 - (y + fy + fh / 2)) < fh / 5
    assert 0.7 < bw / fw < 1.4


def test_a_4k_video_frame_is_searched_at_1080p_and_a_4k_picture_at_full_size(pipeline: EmotionPipeline) -> None:
    # A 4K stream searched whole could not be shown live; a photo's small faces matter.
    frame = np.full((2160, 3840, 3), 120, np.uint8)
    small, (sx, sy, sw, sh) = astronaut_face_patch(36)  # 18 px at 1080p: under the smallest face
    large, (lx, ly, lw, lh) = astronaut_face_patch(200)
    paste(frame, small, 600, 900)
    paste(frame, large, 2600, 700)
    small_face, large_face = (600 + sx, 900 + sy, sw, sh), (2600 + lx, 700 + ly, lw, lh)
    gray, scale = detection_gray(frame, MAX_STREAM_PIXELS)
    assert gray.shape == (1080, 1920) and scale == 0.5
    pipeline.reset()
    in_picture = [face.box for face in pipeline.process(frame, still=True)]
    assert len(in_picture) == 2
    assert iou(in_picture[0], small_face) > 0.5 and iou(in_picture[1], large_face) > 0.5
    pipeline.reset()
    in_video = [[face.box for face in pipeline.process(frame, time_s=index / 30)] for index in range(3)]
    assert [len(boxes) for boxes in in_video] == [1, 1, 1]
    assert iou(in_video[-1][0], large_face) > 0.5, "boxes in the 4K frame's own pixels"


def test_threads_beyond_the_machine_are_refused(
    tmp_path: Path, random_weights: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    image = tmp_path / "a.png"
    cv2.imwrite(str(image), astronaut_bgr())
    for command in ("analyze", "bench"):
        assert main([command, str(image), "--weights", str(random_weights), "--threads", "100000"]) == 2
        err = capsys.readouterr().err
        assert (
            err
            == f"error: --threads must be between 1 and {usable_cpus()} (the CPUs this process may use), got 100000\n"
        )


def test_bench_negative_frames_blames_the_option_not_the_input(
    tmp_path: Path, random_weights: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    video = write_astronaut_video(tmp_path / "v.avi", num_frames=4)
    assert main(["bench", str(video.path), "--weights", str(random_weights), "--frames", "-5"]) == 2
    err = capsys.readouterr().err
    assert err == "error: --frames must be 0 (all frames) or more, got -5\n"


@pytest.mark.parametrize(
    ("arguments", "match"),
    [
        pytest.param({"time_s": "1.0"}, r"^time_s must be seconds \(a number\) or None, got str '1.0'$", id="str"),
        pytest.param({"time_s": True}, r"^time_s must be seconds .* got bool True$", id="bool: still=True meant"),
        pytest.param({"moment_s": b"2"}, r"^moment_s must be seconds .* got bytes b'2'$", id="moment bytes"),
    ],
)
def test_a_frame_time_that_is_not_a_number_is_a_type_error_naming_it(
    pipeline: EmotionPipeline, arguments: dict[str, object], match: str
) -> None:
    with pytest.raises(TypeError, match=match):
        pipeline.process(astronaut_bgr(), **arguments)  # type: ignore[arg-type]


def test_frame_times_of_any_real_number_type_are_taken(pipeline: EmotionPipeline) -> None:
    pipeline.reset()
    for time_s in (0, np.float32(0.04), np.int64(1), float("nan"), 0.12):
        (face,) = pipeline.process(astronaut_bgr(), time_s)
        assert all(np.isfinite(face.probabilities)), (time_s, face)


REAL_TIMES = {
    "0-d float array": (np.array(1.5), 1.5),
    "0-d uint8 array": (np.array(2, dtype=np.uint8), 2.0),
    "float16": (np.float16(1.5), 1.5),
    "Decimal": (Decimal("1.5"), 1.5),
    "Fraction": (Fraction(3, 2), 1.5),
    "0-d NaN array": (np.array(np.nan), None),
    "Decimal NaN": (Decimal("NaN"), None),
    "Decimal signalling NaN": (Decimal("sNaN"), None),
    "Decimal infinity": (Decimal("-Infinity"), None),
    "int past a float": (10**400, None),
    "Fraction past a float": (Fraction(10**400, 3), None),
}


@pytest.mark.parametrize("case", REAL_TIMES, ids=list(REAL_TIMES))
def test_a_frame_time_of_any_real_number_a_user_has_is_taken(pipeline: EmotionPipeline, case: str) -> None:
    # A 0-d array (a numpy reduction's result: times.mean(), np.median(times)) and a
    # Decimal were refused as "not a number"; NaN, infinite and past a float: as None.
    value, seconds = REAL_TIMES[case]
    pipeline.reset()
    (face,) = pipeline.process(astronaut_bgr(), value, moment_s=value)
    assert all(np.isfinite(face.probabilities)), face
    assert seconds_or_none("time_s", value) == seconds


NOT_REAL_TIMES = {
    # numpy's bool is no number to numpy either; its type's name and repr vary by version.
    "numpy bool": (np.True_, r"got bool_? (np\.)?True_?$"),
    "0-d bool array": (np.array(False), r"got an array of bool of shape \(\)$"),
    "complex": (1.5 + 0j, r"got complex \(1\.5\+0j\)$"),
    "0-d complex array": (np.array(1.5 + 0j), r"got an array of complex128 of shape \(\)$"),
    "0-d string array": (np.array("1.5"), r"got an array of <U3 of shape \(\)$"),
    "numpy string": (np.str_("1.5"), r"got str_ (np\.str_\()?'1\.5'\)?$"),
    "array of two": (np.array([1.5, 2.0]), r"got an array of float64 of shape \(2,\)$"),
    "2-D array": (np.zeros((3, 3)), r"got an array of float64 of shape \(3, 3\)$"),
    # One value in a 1-D array is not taken either: numpy deprecates reading it as a scalar.
    "array of one": (np.array([1.5]), r"got an array of float64 of shape \(1,\)$"),
}


@pytest.mark.parametrize("case", NOT_REAL_TIMES, ids=list(NOT_REAL_TIMES))
def test_a_frame_time_that_is_no_real_number_is_refused_in_one_line(pipeline: EmotionPipeline, case: str) -> None:
    value, ending = NOT_REAL_TIMES[case]
    for name in ("time_s", "moment_s", "shown_s"):
        with pytest.raises(TypeError, match=rf"^{name} must be seconds \(a number\) or None, {ending}"):
            pipeline.process(astronaut_bgr(), **{name: value})


def test_the_package_lists_its_api_only_and_stays_light_to_import() -> None:
    # dir() listed the helpers the package imports (Any, TYPE_CHECKING, importlib,
    # annotations), and each submodule once loaded; completion offered them as API.
    script = (
        "import json, sys, emotion_app\n"
        "def public(): return [name for name in dir(emotion_app) if not name.startswith('__')]\n"
        "fresh, torch_loaded = public(), 'torch' in sys.modules\n"
        "emotion_app.EmotionPipeline\n"
        "print(json.dumps([fresh, torch_loaded, public(), emotion_app.__all__, '__name__' in dir(emotion_app)]))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    fresh, torch_loaded, after_use, api, dunders_kept = json.loads(done.stdout)
    assert fresh == after_use == sorted(api)
    assert not torch_loaded and dunders_kept
