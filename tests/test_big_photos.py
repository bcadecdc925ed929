"""A photo at a camera's full size shows the faces it shows at a screen's size: the big
picture is searched in a shrunk copy, large faces at several sizes, small ones at up to
4096x4096 as before, and its faces are cropped for the model from the picture's own pixels."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from emotion_app.faces.detector import FaceDetector
from emotion_app.faces.geometry import iou
from emotion_app.inference.classifier import EmotionClassifier
from emotion_app.pipeline import MAX_DETECTION_PIXELS, EmotionPipeline, _full_size_crop
from emotion_app.preprocessing import crop_face, to_gray
from emotion_app.results import FaceResult
from emotion_app.samples import astronaut_bgr, astronaut_face_patch, background, paste


def faces_of(pipeline: EmotionPipeline, picture: np.ndarray) -> list[FaceResult]:
    pipeline.reset()
    return pipeline.process(picture, 0.0, still=True)


@pytest.mark.usefixtures("one_torch_thread")
def test_a_big_photo_shows_the_faces_of_the_photo_at_its_own_size() -> None:
    # The astronaut photo scaled up as a 15-megapixel camera's would be: searched whole at
    # 4096x4096, the cascade took a patch of her suit (a 56 px "face") for a face as well.
    photo = astronaut_bgr()
    factor = 7.5
    side = int(photo.shape[1] * factor)
    big = cv2.resize(photo, (side, side), interpolation=cv2.INTER_CUBIC)
    assert side * side > MAX_DETECTION_PIXELS  # searched in a shrunk copy
    with EmotionPipeline(FaceDetector(), EmotionClassifier.load(), optimize=False) as pipeline:
        native = faces_of(pipeline, photo)
        found = faces_of(pipeline, big)
    assert len(native) == 1
    assert len(found) == len(native)
    for small, large in zip(native, found):
        scaled = tuple(int(round(v * factor)) for v in small.box)
        assert iou(large.box, scaled) > 0.8  # type: ignore[arg-type]
        assert large.label == small.label


def test_a_shrunk_stills_faces_are_cropped_from_the_picture_itself() -> None:
    spec = EmotionClassifier.load().preprocessing
    rng = np.random.default_rng(3)
    picture = cv2.resize(astronaut_bgr(), (3000, 2400), interpolation=cv2.INTER_CUBIC)
    picture[:, :, 0] = rng.integers(0, 256, picture.shape[:2], dtype=np.uint8)
    gray = to_gray(picture)
    # Inside, across an edge and a corner, upright and leaning.
    for box in [(1000, 500, 600, 600), (-100, 300, 400, 400), (2800, 2200, 300, 300)]:
        for roll in (0.0, 15.0, -15.0):
            expected = crop_face(gray, box, spec, roll)
            assert np.array_equal(_full_size_crop(picture, box, spec, roll), expected)
    with pytest.raises(ValueError, match="outside"):
        _full_size_crop(picture, (5000, 5000, 100, 100), spec, 0.0)


@pytest.mark.usefixtures("one_torch_thread")
def test_a_4k_stills_small_faces_are_found_beside_its_large_ones() -> None:
    # A 3840x2160 screenshot of a gallery, or a class photo: its 26-30 px faces were found
    # when it was searched at its own size, and a copy shrunk to 2560x1440 makes them
    # 17-20 px, under the cascade's 24 px window.
    picture = background(3840, 2160)
    small, (sx, sy, sw, sh) = astronaut_face_patch(28)
    large, (lx, ly, lw, lh) = astronaut_face_patch(400)
    paste(picture, small, 700, 900)
    paste(picture, large, 2400, 600)
    assert 3840 * 2160 > MAX_DETECTION_PIXELS  # its large faces are searched in a shrunk copy
    truth = [(700 + sx, 900 + sy, sw, sh), (2400 + lx, 600 + ly, lw, lh)]
    with EmotionPipeline(FaceDetector(), EmotionClassifier.load(), optimize=False) as pipeline:
        found = [face.box for face in faces_of(pipeline, picture)]
    assert len(found) == 2, found
    for box, face in zip(found, truth):
        assert iou(box, face) > 0.5, (box, face)
