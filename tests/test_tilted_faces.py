"""Faces leaning in the picture plane: found, followed, checked and cropped upright.

Real cascades and real frames: the scikit-image astronaut photo turned about its face,
written to a video file and read back with OpenCV. The frontal cascade alone stops
finding the face at about 15 degrees; these tilts are beyond that.
"""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from skimage import data

from emotion_app.faces.detector import FaceDetector
from emotion_app.faces.face_check import FaceCheck
from emotion_app.faces.geometry import centred_in
from emotion_app.faces.leaning_search import ROLL_STEP
from emotion_app.faces.roll import RolledView
from emotion_app.faces.scene_gate import SceneChangeGate
from emotion_app.faces.tracker import FaceTracker, Track
from emotion_app.inference.classifier import EmotionClassifier
from emotion_app.pipeline import EmotionPipeline
from emotion_app.preprocessing import Preprocessing, crop_face, to_gray
from emotion_app.samples import astronaut_bgr, astronaut_face_patch, paste, photo_frame, read_video, write_video
from scripts import make_tilted_clips
from tests.live_support import update_once_scanned, updates_until_shown
from tests.stand_in_clips import one_person_stand_ins

# The astronaut's face in the 512x512 photo (where the frontal cascade finds it upright).
FACE = (177, 66, 95, 95)
CENTRE = (FACE[0] + FACE[2] / 2.0, FACE[1] + FACE[3] / 2.0)


def tilted(angle: float) -> np.ndarray:
    """The astronaut photo turned by ``angle`` degrees (counter-clockwise as shown) about her face."""
    matrix = cv2.getRotationMatrix2D(CENTRE, angle, 1.0)
    return cv2.warpAffine(astronaut_bgr(), matrix, (512, 512), borderMode=cv2.BORDER_REFLECT)


def in_photo(box: tuple[int, int, int, int], size: int = 384) -> tuple[int, int, int, int]:
    """A box in a frame of the photo resized to ``size``, in the 512x512 photo's pixels."""
    x, y, w, h = (int(v * 512 / size) for v in box)
    return x, y, w, h


def centre_of(box: tuple[int, int, int, int]) -> tuple[float, float]:
    return box[0] + box[2] / 2.0, box[1] + box[3] / 2.0


def near_face(box: tuple[int, int, int, int], tolerance: float = 0.2) -> bool:
    cx, cy = centre_of(box)
    return abs(cx - CENTRE[0]) <= tolerance * FACE[2] and abs(cy - CENTRE[1]) <= tolerance * FACE[2]


@pytest.mark.parametrize("angle", [30.0, -30.0])
def test_a_tilted_face_is_found_in_a_view_turned_by_its_tilt(angle: float) -> None:
    gray = to_gray(tilted(angle))
    detector = FaceDetector(min_face_size=48)
    region = (0, 0, 512, 512)
    assert not any(near_face(box) for box in detector.detect_region(gray, region, 48)), "upright cascade saw it"
    found = detector.detect_region(gray, region, 48, roll=angle)
    assert any(near_face(box) for box in found), found
    # Turned the wrong way, the face leans twice as far: nothing there.
    assert not any(near_face(box) for box in detector.detect_region(gray, region, 48, roll=-angle))


@pytest.mark.parametrize("angle", [25.0, -50.0])
def test_a_search_around_a_leaning_face_turns_only_its_own_region(
    monkeypatch: pytest.MonkeyPatch, angle: float
) -> None:
    """A local search (``whole_region=False``) looks at a view of its region's own size; a
    scan at the turned region's bounding box, where a face could be in a corner."""
    gray = to_gray(tilted(angle))
    detector = FaceDetector(min_face_size=48)
    views: list[tuple[int, int]] = []

    class Recorded(RolledView):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            views.append((self.image.shape[1], self.image.shape[0]))

    monkeypatch.setattr("emotion_app.faces.detector.RolledView", Recorded)
    margin = FACE[2]  # as a local search's region: the face and about a side around it
    region = (FACE[0] - margin, FACE[1] - margin, FACE[2] + 2 * margin, FACE[3] + 2 * margin)
    for whole in (True, False):
        found = detector.detect_region(gray, region, 64, 128, scale=1.0, roll=angle, whole_region=whole)
        assert any(near_face(box) for box in found), (whole, found)
    whole_view, own_view = views
    assert own_view == (region[2], region[3])
    radians = np.radians(angle)
    side = region[2] * (abs(np.cos(radians)) + abs(np.sin(radians)))
    assert whole_view[0] == pytest.approx(side, abs=1) and whole_view[0] * whole_view[1] > 1.3 * own_view[0] ** 2
    # The tracker's search around a known leaning face (fine: at full resolution) turns
    # only its own region.
    views.clear()
    regions: list[tuple[int, int, int, int]] = []
    detect_region = detector.detect_region

    def recorded(gray: np.ndarray, region: tuple[int, int, int, int], *args: object, **kwargs: object) -> object:
        regions.append(region)
        return detect_region(gray, region, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(detector, "detect_region", recorded)
    search = FaceTracker(detector).local_search
    assert any(near_face(box) for box in search.search(gray, Track(track_id=1, box=FACE, roll=angle), fine=True))
    assert views == [(regions[0][2], regions[0][3])]


def test_a_rolled_view_maps_its_boxes_back_to_the_frame() -> None:
    gray = np.zeros((200, 300), np.uint8)
    view = RolledView(gray, (150.0, 100.0), 40.0, 0.5, (120, 80))
    # The view's centre is the frame point it was turned about; sizes scale back.
    assert view.frame_box((50, 30, 20, 20)) == (130, 80, 40, 40)
    # A point right of the view's centre lies, in the frame, along the tilt (up and right
    # for a counter-clockwise tilt as shown).
    x, y, _, _ = view.frame_box((70, 30, 20, 20))
    assert x + 20 > 150 and y + 20 < 100


def test_an_upright_crop_of_a_tilted_face_matches_the_upright_face() -> None:
    spec = Preprocessing()
    upright = crop_face(to_gray(astronaut_bgr()), FACE, spec).astype(np.float32)
    gray = to_gray(tilted(35.0))
    turned = crop_face(gray, FACE, spec, roll=35.0).astype(np.float32)
    as_is = crop_face(gray, FACE, spec).astype(np.float32)
    assert turned.shape == upright.shape == (spec.input_size, spec.input_size)
    assert np.abs(turned - upright).mean() < 0.3 * np.abs(as_is - upright).mean()


def test_an_upright_crop_at_the_frame_edge_is_padded_not_shifted() -> None:
    gray = to_gray(astronaut_bgr())
    spec = Preprocessing()
    crop = crop_face(gray, (-20, -20, 60, 60), spec, roll=20.0)
    assert crop.shape == (spec.input_size, spec.input_size)


def test_the_face_check_judges_a_tilted_face_at_its_tilt() -> None:
    gray = to_gray(tilted(30.0))
    check = FaceCheck()
    assert check(gray, FACE, roll=30.0)
    assert not check(gray, FACE)


def test_a_face_leaning_further_and_further_keeps_its_box_and_id(tmp_path: Path) -> None:
    angles = [float(a) for a in range(0, 46, 3)] + [float(a) for a in range(45, -46, -3)]
    path = write_video(tmp_path / "leaning.avi", [cv2.resize(tilted(a), (384, 384)) for a in angles])
    frames = [to_gray(frame) for frame in read_video(path)]
    assert len(frames) == len(angles)
    tracker = FaceTracker(FaceDetector(min_face_size=48))
    shown: list[int] = []
    ids: set[int] = set()
    rolls: list[tuple[float, float]] = []
    for angle, gray in zip(angles, frames):
        tracks = tracker.update(gray)
        near = [t for t in tracks if near_face(in_photo(t.box), 0.25)]
        shown.append(len(near))
        ids.update(t.track_id for t in near)
        rolls.extend((angle, t.roll) for t in near)
        assert len(tracks) == len(near), "a box away from the face"
    assert sum(shown) >= 0.95 * len(angles), shown
    assert ids == {1}
    # The tilt it is followed at stays within a step of the truth.
    assert all(abs(angle - roll) <= ROLL_STEP for angle, roll in rolls), rolls
    assert {roll for _, roll in rolls} >= {-ROLL_STEP, 0.0, ROLL_STEP}


def test_a_picture_of_a_tilted_face_is_found_and_reported_with_its_tilt(classifier: EmotionClassifier) -> None:
    pipeline = EmotionPipeline(FaceDetector(min_face_size=48), classifier)
    upright = pipeline.process(astronaut_bgr(), still=True)
    pipeline.reset()
    leaning = pipeline.process(tilted(30.0), still=True)
    assert len(upright) == 1 and upright[0].roll == 0.0
    assert len(leaning) == 1 and leaning[0].roll == ROLL_STEP
    assert near_face(leaning[0].box)


@pytest.mark.parametrize("angle", [30.0, -30.0])
def test_a_small_tilted_face_in_a_picture_is_found(classifier: EmotionClassifier, angle: float) -> None:
    # 36 px: under twice the smallest face, which only a picture's every-size search reaches.
    scale = 36.0 / FACE[2]
    small = cv2.resize(tilted(angle), None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    faces = EmotionPipeline(FaceDetector(), classifier).process(small, still=True)
    assert len(faces) == 1 and faces[0].roll == np.sign(angle) * ROLL_STEP
    cx, cy = centre_of(faces[0].box)
    assert abs(cx - CENTRE[0] * scale) <= 0.25 * 36 and abs(cy - CENTRE[1] * scale) <= 0.25 * 36


def test_a_stream_that_opens_on_a_tilted_face_shows_it_at_once(tmp_path: Path) -> None:
    path = write_video(tmp_path / "opens_tilted.avi", [tilted(-30.0)] * 3)
    # The app's smallest face: a stream's first frame looks for leaning faces from twice it.
    tracker = FaceTracker(FaceDetector(min_face_size=24))
    first = tracker.update(to_gray(read_video(path, limit=1)[0]))
    assert len(first) == 1 and first[0].roll == -ROLL_STEP and near_face(first[0].box)


@pytest.mark.parametrize("angle", [30.0, -30.0])
def test_a_cut_to_a_tilted_face_shows_it_as_a_video_opening_on_it_would(tmp_path: Path, angle: float) -> None:
    # Ten frames of coffee (no face), then a cut to the astronaut leaning, as `analyze` runs.
    coffee = photo_frame(data.coffee(), (512, 512))
    path = write_video(tmp_path / "cut_to_tilted.avi", [coffee] * 10 + [tilted(angle)] * 5)
    tracker = FaceTracker(FaceDetector(min_face_size=24))
    shown = [tracker.update(to_gray(frame)) for frame in read_video(path)]
    assert all(tracks == [] for tracks in shown[:10])
    # Found in the cut's frame, confirmed by a second passed check in the next one.
    for tracks in shown[11:]:
        assert len(tracks) == 1 and tracks[0].roll == np.sign(angle) * ROLL_STEP and near_face(tracks[0].box)
        assert tracks[0].track_id == 1


def someone_else_upright() -> np.ndarray:
    """Coffee with an upright face at the bottom right, far from the leaning astronaut's."""
    frame = photo_frame(data.coffee(), (512, 512))
    patch, _ = astronaut_face_patch(80)
    paste(frame, patch, 380, 360)
    return to_gray(frame)


@pytest.mark.parametrize("angle", [30.0, -30.0])
def test_a_cut_from_a_shown_face_to_someone_leaning_shows_them(angle: float) -> None:
    # As `analyze` runs: the face shown before the cut is lost at once, with most of the
    # picture away from it changed since the last scan, so the scan for it looks for
    # leaning faces too.
    # (It used to wait for an upright face: this one was never shown.)
    tracker = FaceTracker(FaceDetector(min_face_size=24))
    before = [tracker.update(someone_else_upright()) for _ in range(10)]
    assert all(len(tracks) == 1 and tracks[0].roll == 0.0 for tracks in before[2:])
    leaning = to_gray(tilted(angle))
    after = [tracker.update(leaning) for _ in range(5)]
    # Found in the cut's frame, confirmed by a second passed check in the next one.
    for tracks in after[1:]:
        assert len(tracks) == 1 and tracks[0].roll == np.sign(angle) * ROLL_STEP and near_face(tracks[0].box)
        assert tracks[0].track_id == 2


def test_a_camera_move_is_not_a_cut_but_a_change_of_picture_is() -> None:
    # The scans' gate compares a frame with the one before it: a cut changes most cells at
    # once; the same picture shifted by a few pixels a frame (a pan) changes few.
    photo = to_gray(astronaut_bgr())
    gate = SceneChangeGate()
    cuts = []
    for shift in range(0, 30, 3):
        gate.next_frame()
        frame = np.ascontiguousarray(photo[:, shift : shift + 400])
        cuts.append(gate.cut(frame))
    gate.next_frame()
    cuts.append(gate.cut(np.ascontiguousarray(to_gray(tilted(30.0))[:, :400])))
    assert cuts == [False] * 10 + [True]


def test_the_tilted_clips_script_turns_each_clip_and_renames_its_truth(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = cv2.resize(astronaut_bgr(), (160, 160))
    clips = one_person_stand_ins(tmp_path / "clips", frame)
    assert make_tilted_clips.main([str(tmp_path / "fixed"), "--clips", str(clips), "--angle", "30"]) == 0
    assert make_tilted_clips.main([str(tmp_path / "sway"), "--clips", str(clips), "--sway", "40,2"]) == 0
    for name in make_tilted_clips.CLIPS:
        fixed = read_video(tmp_path / "fixed" / (Path(name).stem + ".avi"))
        swaying = read_video(tmp_path / "sway" / (Path(name).stem + ".avi"))
        assert len(fixed) == len(swaying) == 4
        # The sway starts upright, the fixed tilt does not.
        assert np.abs(swaying[0].astype(int) - frame).mean() < 8 < np.abs(fixed[0].astype(int) - frame).mean()
    truth = (tmp_path / "fixed" / "truth.csv").read_text().splitlines()
    assert truth[1:] == ["single_face.avi,0,3,1,happy,a note"]
    assert make_tilted_clips.main([str(tmp_path / "bad"), "--clips", str(tmp_path / "nowhere")]) == 2
    assert "truth.csv not found" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()


def test_the_tilted_clips_script_can_open_each_clip_on_someone_else_upright(tmp_path: Path) -> None:
    clips = tmp_path / "clips"
    clips.mkdir()
    face = cv2.resize(astronaut_bgr(), (160, 160))
    other = photo_frame(data.coffee(), (200, 120))
    for name in make_tilted_clips.CLIPS:
        if name == "WolfgangLanger_Pexels.mp4":
            write_video(clips / name, [other] * 9, fps=3.0)  # 2 s of it: 6 frames
        else:
            write_video(clips / name, [face] * 4, fps=10.0)  # 2 s asked for, 4 frames there
    (clips / "truth.csv").write_text(
        "file,first_frame,last_frame,faces,labels,note\nsingle_face.mp4,0,3,1,happy,a note\nface_noface.mov,1,2,1,,\n"
    )
    out = tmp_path / "cut"
    assert make_tilted_clips.main([str(out), "--clips", str(clips), "--angle", "30", "--cut-from-upright"]) == 0
    selfie = read_video(out / "single_face.avi")
    assert len(selfie) == 6 + 4 and selfie[0].shape == face.shape
    upright_other = cv2.resize(other, (160, 160), interpolation=cv2.INTER_AREA)
    assert np.abs(selfie[5].astype(int) - upright_other).mean() < 8 < np.abs(selfie[6].astype(int) - face).mean()
    assert len(read_video(out / "face_noface.avi")) == 4 + 4
    truth = (out / "truth.csv").read_text().splitlines()
    assert "single_face.avi,0,5,1,,upright lead-in" in truth
    assert "single_face.avi,6,9,1,happy,a note" in truth
    assert "face_noface.avi,0,3,1,,upright lead-in" in truth and "face_noface.avi,5,6,1,," in truth


def test_live_tracking_finds_a_leaning_face_beside_the_frames_not_in_the_first() -> None:
    # Live (background scans) the first frame is not held for the turned full-frame scan
    # (the same frame scanned inline, as analyze does, shows the leaning face at once);
    # the idle scan thread looks for leaning newcomers instead.
    gray = to_gray(tilted(-30.0))
    assert len(FaceTracker(FaceDetector(min_face_size=24)).update(gray)) == 1
    with FaceTracker(FaceDetector(min_face_size=24), background_scan=True) as live:
        assert live.update(gray) == []
        shown: list[Track] = []
        for _ in range(120):
            time.sleep(0.02)  # a camera's frame period, roughly: the scan runs meanwhile
            shown = live.update(gray)
            if shown:
                break
        assert len(shown) == 1 and shown[0].roll == -ROLL_STEP and near_face(shown[0].box)
        assert shown[0].track_id == 1


@pytest.mark.parametrize("angle", [30.0, -30.0])
def test_live_a_cut_to_someone_leaning_is_looked_at_both_tilts_at_once(angle: float) -> None:
    # Live, with nobody in view the idle thread looks for leaning faces once a second, one
    # tilt at a time; after a cut it looks at both tilts next, so a new picture of someone
    # leaning either way is boxed within a few frames, not up to two seconds later.
    coffee = photo_frame(data.coffee(), (512, 512))
    empty, leaning = to_gray(coffee), to_gray(tilted(angle))
    with FaceTracker(FaceDetector(min_face_size=24), background_scan=True) as live:
        for _ in range(40):  # past the first idle scans: the next is due most of a second later
            assert update_once_scanned(live, empty) == []
        shown, frames_after_cut = updates_until_shown(live, leaning, limit=40)
        assert len(shown) == 1 and shown[0].roll == np.sign(angle) * ROLL_STEP and near_face(shown[0].box)
        # Idle tilted scans one at a time would come TILTED_LIVE_SCAN_FRAMES apart.
        assert frames_after_cut <= 5, frames_after_cut


def test_a_find_inside_a_shown_face_is_part_of_it_not_another_face() -> None:
    tracker = FaceTracker(FaceDetector(min_face_size=48))
    shown = Track(track_id=1, box=(100, 100, 200, 200))
    candidate = Track(track_id=0, box=(400, 100, 200, 200))
    tracker.tracks = [shown, candidate]
    assert tracker._inside_shown_face((150, 140, 60, 60))  # an eye and brow
    assert not tracker._inside_shown_face((260, 260, 80, 80))  # mostly outside
    # Inside a box not yet confirmed (it may be a whole upper body around a face): kept.
    assert not tracker._inside_shown_face((450, 150, 60, 60))


def test_a_face_confirmed_around_a_shown_part_of_it_takes_its_place_and_id() -> None:
    # A leaning face's nose and mouth can be shown before the face itself is found (the
    # swaying clip did that); when the face is then confirmed around that part, the face,
    # with far more of the face check's evidence, takes the part's place and id.
    gray = to_gray(astronaut_bgr())
    x, y, w, h = FACE
    part = Track(track_id=1, box=(x + w // 4, y + h // 3, w // 2, w // 2))
    face = Track(track_id=0, box=FACE, checks=1)
    tracker = FaceTracker(FaceDetector(min_face_size=48))
    tracker.tracks = [part, face]
    tracker._frame = 5  # a stream's later frame: confirmation needs its second passed check
    shown = tracker._confirm(gray, [part, face], at_once=False)
    assert shown == [face] and face.track_id == 1
    assert tracker.tracks == [face]
    # The other way round, a box around the shown face that outweighs it not: a new box
    # with less evidence than the face inside it is dropped, and the face stays.
    around = Track(track_id=0, box=(x - w // 4, y - h // 4, w + w // 2, h + h // 2), checks=5)
    tracker.tracks = [face, around]
    assert tracker.face_check.clarity(gray, around.box) < tracker.face_check.clarity(gray, face.box)
    shown = tracker._confirm(gray, [face, around], at_once=False)
    assert shown == [face] and tracker.tracks == [face] and face.track_id == 1


def test_live_a_leaning_newcomer_the_coarse_confirming_search_misses_is_searched_again() -> None:
    # Turned 38 degrees and shrunk to 384 px, the face is only seen by the idle scan at
    # -25 degrees, and the coarse local search that confirms the scan's candidate misses
    # it: the finer retry (as for inline scans) finds it.
    gray = cv2.resize(to_gray(tilted(-38.0)), (384, 384), interpolation=cv2.INTER_AREA)
    with FaceTracker(FaceDetector(min_face_size=24), background_scan=True) as live:
        assert live.update(gray) == []  # the first frame, scanned upright
        shown: list[Track] = []
        for _ in range(150):
            time.sleep(0.02)
            shown = live.update(gray)
            if shown:
                break
        assert len(shown) == 1 and shown[0].roll == -ROLL_STEP
        assert near_face(in_photo(shown[0].box, 384))


def test_a_box_centred_outside_the_frame_never_becomes_a_face() -> None:
    # A turned view's corners beyond the frame are replicated edge pixels, which the
    # cascade now and then takes for a face; such a box, taken by a face at the frame's
    # edge, once reached the model's crop (which then failed: no pixel of it is in the frame).
    gray = np.full((360, 640), 128, np.uint8)
    assert centred_in((560, 280, 80, 80), gray.shape) and not centred_in((113, 674, 260, 260), gray.shape)
    tracker = FaceTracker(FaceDetector(min_face_size=24))
    edge = Track(track_id=1, box=(113, 200, 260, 260), missed=1)
    tracker.tracks = [edge]
    seen = tracker._finish_update(gray, [(113, 240, 260, 260)], {(113, 240, 260, 260): 25.0}, [])
    assert seen == [] and edge.box == (113, 200, 260, 260) and tracker.tracks == [edge]
