import csv
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from scripts.huge_image_memory import write_blank_png
from tests.synthetic_fer import write_fer_csv, write_fer_folders
from tests.user_rights import without_root_rights
from training.data import CLASSES_6, CLASSES_7, DataError, load_split, read_csv, stratified_split

REPO = Path(__file__).resolve().parent.parent
# Loads the Training split of the folder given and prints its size, or the DataError.
LOAD_CHILD = (
    "import sys\n"
    "from training.data import CLASSES_6, DataError, load_split\n"
    "try:\n"
    "    print(len(load_split(sys.argv[1], 'Training', CLASSES_6)))\n"
    "except DataError as exc:\n"
    "    print(exc)\n"
)


def test_csv_reader_drops_disgust_and_maps_by_name(tmp_path: Path) -> None:
    path = write_fer_csv(tmp_path / "fer2013.csv", {"Training": 3, "PublicTest": 2, "PrivateTest": 1})
    faces = load_split(path, "Training", CLASSES_6)
    assert faces.images.shape == (18, 48, 48) and faces.images.dtype == np.uint8
    assert faces.skipped == {"disgust": 3}
    assert faces.counts() == {name: 3 for name in CLASSES_6}
    # CSV code 3 is happy; in the 6-class list happy is index 2.
    happy_rows = faces.images[faces.labels == CLASSES_6.index("happy")]
    row_of_band = 4 + 3 * 6
    assert happy_rows[:, row_of_band + 2, :].mean() > happy_rows[:, 2, :].mean() + 50
    assert len(load_split(path, "PublicTest", CLASSES_7)) == 14
    assert len(load_split(path, "PrivateTest", CLASSES_6)) == 6


def test_folder_reader_uses_usage_prefix_and_names(tmp_path: Path) -> None:
    root = write_fer_folders(tmp_path / "fer2013", train_per_class=4, test_per_class=2)
    train = load_split(root, "Training", CLASSES_6)
    test = load_split(root, "PublicTest", CLASSES_7)
    assert len(train) == 24 and train.skipped == {"disgust": 4}
    assert len(test) == 14 and test.classes == CLASSES_7
    # The parent folder of fer2013/ works too (the archive's layout).
    assert len(load_split(tmp_path, "Training", CLASSES_6)) == 24
    # Labels follow folder names, not listing order: the "surprise" folder's images carry surprise's band.
    surprise = train.images[train.labels == CLASSES_6.index("surprise")]
    band = 4 + 5 * 6
    assert surprise[:, band + 2, :].mean() > surprise[:, 2, :].mean() + 50


def test_layout_whose_images_lack_the_usage_prefix(tmp_path: Path) -> None:
    # Other exports of FER-2013 (and users' own data) name their images otherwise.
    root = write_fer_folders(tmp_path / "fer", train_per_class=3, test_per_class=2)
    for image in sorted(root.glob("*/*/*.png")):
        image.rename(image.with_name(f"im{image.stem.split('_')[1]}.png"))
    assert len(load_split(root, "Training", CLASSES_6)) == 18
    assert len(load_split(root, "PublicTest", CLASSES_6)) == 12
    with pytest.raises(DataError, match=r"test: no images named PrivateTest_\*"):
        load_split(root, "PrivateTest", CLASSES_6)
    # With the prefixes in test/, they still tell its two usages apart.
    happy = next((root / "test" / "happy").iterdir())
    happy.rename(happy.with_name("PrivateTest_1.png"))
    assert len(load_split(root, "PrivateTest", CLASSES_6)) == 1
    with pytest.raises(DataError, match=r"test: empty split \(no images named PublicTest_\*"):
        load_split(root, "PublicTest", CLASSES_6)


def test_csv_with_a_byte_order_mark(tmp_path: Path) -> None:
    # A spreadsheet's "CSV UTF-8" export starts with one.
    plain = write_fer_csv(tmp_path / "plain.csv", {"Training": 2})
    marked = tmp_path / "marked.csv"
    marked.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes())
    assert np.array_equal(
        load_split(marked, "Training", CLASSES_6).images, load_split(plain, "Training", CLASSES_6).images
    )


def test_plain_emotion_folder(tmp_path: Path) -> None:
    for name in ("happy", "Sad", "disgust"):
        (tmp_path / "faces" / name).mkdir(parents=True)
        cv2.imwrite(str(tmp_path / "faces" / name / "a.png"), np.full((64, 64), 100, np.uint8))
    faces = load_split(tmp_path / "faces", "PublicTest", CLASSES_6)
    assert sorted(CLASSES_6[i] for i in faces.labels) == ["happy", "sad"]
    assert faces.images.shape == (2, 48, 48)  # other sizes are resized
    assert faces.skipped == {"disgust": 1}


def _write_rows(path: Path, rows: list[list[object]]) -> Path:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["emotion", "pixels", "Usage"])
        writer.writerows(rows)
    return path


GOOD_PIXELS = " ".join(["7"] * 2304)


@pytest.mark.parametrize(
    "row, message",
    [
        ([3, " ".join(["7"] * 2000), "Training"], r"line 3: 2000 pixels, expected 2304"),
        ([3, GOOD_PIXELS.replace("7", "x", 1), "Training"], r"line 3: pixels must be integers"),
        ([9, GOOD_PIXELS, "Training"], r"line 3: unknown emotion code 9"),
        (["happy", GOOD_PIXELS, "Training"], r"line 3: emotion 'happy' is not an integer"),
        ([3, GOOD_PIXELS.replace("7", "300", 1), "Training"], r"line 3: pixel values outside"),
    ],
)
def test_malformed_csv_rows_are_named(tmp_path: Path, row: list[object], message: str) -> None:
    path = _write_rows(tmp_path / "bad.csv", [[3, GOOD_PIXELS, "Training"], row])
    with pytest.raises(DataError, match=r"bad.csv.*" + message):
        read_csv(path, "Training", CLASSES_6)


@pytest.mark.parametrize("before", ["a blank line", "a field quoted over two lines"])
def test_a_malformed_csv_row_is_named_by_its_line(tmp_path: Path, before: str) -> None:
    """The error said "row N", counting rows: one short after a blank line or a quoted field
    over two lines, so the line an editor shows was not the one named."""
    first = f"\n3,{GOOD_PIXELS},Training" if before == "a blank line" else f'3,"{GOOD_PIXELS}\n",Training'
    path = tmp_path / "bad.csv"
    path.write_text(f"emotion,pixels,Usage\n{first}\n9,{GOOD_PIXELS},Training\n")
    with pytest.raises(DataError) as error:
        read_csv(path, "Training", CLASSES_6)
    assert str(error.value) == f"{path}, line 4: unknown emotion code 9 (expected 0..6)"


def test_csv_with_wrong_columns(tmp_path: Path) -> None:
    path = tmp_path / "cols.csv"
    path.write_text("label,image\n1,2\n")
    with pytest.raises(DataError, match="cols.csv.*expected columns"):
        load_split(path, "Training", CLASSES_6)


def test_empty_split_is_named(tmp_path: Path) -> None:
    path = _write_rows(tmp_path / "only_train.csv", [[3, GOOD_PIXELS, "Training"]])
    with pytest.raises(DataError, match="only_train.csv.*empty split.*PublicTest"):
        load_split(path, "PublicTest", CLASSES_6)
    only_disgust = _write_rows(tmp_path / "disgust.csv", [[1, GOOD_PIXELS, "Training"]])
    with pytest.raises(DataError, match="disgust.csv.*empty split"):
        load_split(only_disgust, "Training", CLASSES_6)


def test_unknown_folder_and_unreadable_image_are_named(tmp_path: Path) -> None:
    root = write_fer_folders(tmp_path / "fer", 1, 1)
    (root / "train" / "bored").mkdir()
    with pytest.raises(DataError, match="unknown emotion folder.*bored"):
        load_split(root, "Training", CLASSES_6)
    (root / "train" / "bored").rmdir()
    broken = root / "train" / "happy" / "Training_broken.jpg"
    broken.write_bytes(b"not a jpeg at all")
    with pytest.raises(DataError, match="unreadable image.*Training_broken.jpg"):
        load_split(root, "Training", CLASSES_6)


@pytest.mark.skipif(sys.platform != "linux", reason="a file name that is not UTF-8 needs Linux")
def test_a_face_whose_file_name_is_not_utf8_is_read(tmp_path: Path) -> None:
    # Was: cv2.imread crashed the process (SIGSEGV) on such a name (bytes of Latin-1, say,
    # from an old USB stick): every training tool died with no word. In a child, so a
    # crash fails this test only.
    root = write_fer_folders(tmp_path / "fer", 1, 1)
    happy = root / "train" / "happy"
    (face,) = happy.iterdir()
    os.rename(face, os.fsencode(happy) + b"/Training_caf\xe9.png")
    done = subprocess.run(
        [sys.executable, "-c", LOAD_CHILD, str(root)], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "6", done.stdout  # one face of each of the 6 classes


def test_a_face_the_user_may_not_read_is_one_line_with_its_reason(tmp_path: Path) -> None:
    # Was: OpenCV's own "[ WARN:0@3.3] global loadsave.cpp:278 findDecoder imread_(...)"
    # on standard error, then "unreadable image: PATH", which did not say why.
    root = write_fer_folders(tmp_path / "fer", 1, 1)
    (locked,) = (root / "train" / "happy").iterdir()
    locked.chmod(0)
    done = subprocess.run(
        [*without_root_rights(), sys.executable, "-c", LOAD_CHILD, str(root)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert done.stdout.strip() == f"cannot read {root}: Permission denied at {locked}", done.stdout
    assert done.stderr == ""


def test_a_face_file_too_large_for_a_picture_is_refused_unread(tmp_path: Path) -> None:
    # Was: read whole before it was decoded (5 GiB of memory for this one), then called an
    # "unreadable image"; the app's readers refuse it from its size.
    root = write_fer_folders(tmp_path / "fer", 1, 1)
    huge = root / "train" / "happy" / "Training_huge.png"
    with open(huge, "wb") as handle:  # sparse: no disk taken
        handle.truncate(5 << 30)
    with pytest.raises(DataError) as error:
        load_split(root, "Training", CLASSES_6)
    assert str(error.value) == f"{huge}: 5.0 GiB, too large for a picture"


def test_a_face_whose_header_claims_more_pixels_than_the_app_decodes_is_refused(tmp_path: Path) -> None:
    # Was: a file of a few hundred KB decoded whole, 576 megapixels, to be made 48x48.
    root = write_fer_folders(tmp_path / "fer", 1, 1)
    huge = write_blank_png(root / "train" / "happy" / "Training_huge.png", 24000, 24000)
    with pytest.raises(DataError) as error:
        load_split(root, "Training", CLASSES_6)
    assert str(error.value) == (
        f"{huge}: a PNG picture of 24000x24000 pixels (576 megapixels), more than the 536 megapixels the app "
        "decodes (it would take over 1.6 GiB of memory); scale it down first"
    )


def test_a_jpeg_face_over_the_pixel_limit_is_decoded_shrunk_as_the_app_does(tmp_path: Path) -> None:
    # A JPEG over the app's limit is decoded at a half (a quarter, an eighth) of its size by
    # libjpeg. Was: decoded whole, and past OpenCV's own limit a traceback (cv2.error). Both
    # limits are lowered to a test size in the child (the real ones take gigabytes to pass).
    root = tmp_path / "fer"
    (root / "train" / "happy").mkdir(parents=True)
    cv2.imwrite(str(root / "train" / "happy" / "Training_1.jpg"), np.zeros((8400, 8400), np.uint8))
    child = "from emotion_app.io import picture_size\npicture_size.MAX_PICTURE_PIXELS = 1 << 26\n" + LOAD_CHILD
    done = subprocess.run(
        [sys.executable, "-c", child, str(root)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        env={**os.environ, "OPENCV_IO_MAX_IMAGE_PIXELS": str(1 << 26)},
    )
    assert done.returncode == 0 and done.stdout.strip() == "1", done.stdout + done.stderr


@pytest.mark.parametrize(
    "header",
    [
        b"\x59\xa6\x6a\x95" + (40000).to_bytes(4, "big") * 2 + (8).to_bytes(4, "big") + bytes(16),  # Sun raster
        b"Pf\n40000 40000\n-1.0\n",  # PFM
        b"P7\nWIDTH 40000\nHEIGHT 40000\nDEPTH 1\nMAXVAL 255\nTUPLTYPE GRAYSCALE\nENDHDR\n",  # PAM
    ],
    ids=["Sun raster", "PFM", "PAM"],
)
def test_a_face_opencv_refuses_as_too_large_is_one_line(header: bytes, tmp_path: Path) -> None:
    # Was a cv2.error traceback: a kind OpenCV decodes but whose header the app does not read
    # (named like a picture) claimed more pixels than OpenCV's own limit.
    root = write_fer_folders(tmp_path / "fer", 1, 1)
    huge = root / "train" / "happy" / "Training_huge.png"
    huge.write_bytes(header + bytes(1000))
    with pytest.raises(DataError) as error:
        load_split(root, "Training", CLASSES_6)
    assert str(error.value) == f"unreadable image: {huge}"


def test_missing_data_path(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="data not found.*nowhere"):
        load_split(tmp_path / "nowhere", "Training", CLASSES_6)


def test_stratified_split_is_seeded_and_stratified() -> None:
    labels = np.repeat(np.arange(6), [100, 50, 200, 80, 60, 90])
    train_a, val_a = stratified_split(labels, 0.1, seed=1)
    train_b, val_b = stratified_split(labels, 0.1, seed=1)
    _, val_c = stratified_split(labels, 0.1, seed=2)
    assert np.array_equal(val_a, val_b) and not np.array_equal(val_a, val_c)
    assert len(np.intersect1d(train_a, val_a)) == 0 and len(train_a) + len(val_a) == len(labels)
    assert np.bincount(labels[val_a]).tolist() == [10, 5, 20, 8, 6, 9]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("misspelt usage", r"line 5: Usage 'Trainng' is not one of Training, PublicTest, PrivateTest"),
        ("no usage", r"line 5: Usage '' is not one of"),
        ("cut short", r"line 5: 2 fields, but the header has 3"),
        ("stray comma", r"line 5: 4 fields, but the header has 3"),
    ],
)
def test_a_malformed_csv_row_is_an_error_naming_its_row(tmp_path: Path, damage: str, message: str) -> None:
    """Rows were skipped by Usage before any check: a misspelt or missing Usage, or a file
    cut off mid-row, silently lost faces from every split."""
    path = write_fer_csv(tmp_path / "fer2013.csv", {"Training": 2, "PublicTest": 1})
    lines = path.read_text().splitlines()
    code, pixels, _usage = lines[4].split(",")
    lines[4] = {
        "misspelt usage": f"{code},{pixels},Trainng",
        "no usage": f"{code},{pixels},",
        "cut short": f"{code},{pixels[: len(pixels) // 2]}",
        "stray comma": f"{code},{pixels},Training,",
    }[damage]
    if damage == "cut short":  # a download or copy that stopped mid-row
        lines = lines[:5]
    path.write_text("\n".join(lines) + "\n")
    for usage in ("Training", "PublicTest"):  # whichever split is read
        with pytest.raises(DataError, match=message) as error:
            load_split(path, usage, CLASSES_6)
        assert str(path) in str(error.value)


def test_rows_of_the_other_usages_are_still_left_to_their_split(tmp_path: Path) -> None:
    path = write_fer_csv(tmp_path / "fer2013.csv", {"Training": 2, "PublicTest": 1, "PrivateTest": 1})
    assert len(load_split(path, "Training", CLASSES_7)) == 14
    assert len(load_split(path, "PrivateTest", CLASSES_7)) == 7
