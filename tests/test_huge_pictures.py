"""Pictures whose header promises more pixels than the app decodes: a small file of a huge
PNG is refused, a huge JPEG is decoded shrunk, both before gigabytes are taken.

Each picture is written by the test without its pixels ever being held, and read in a child
process whose peak memory is measured from the moment before it is opened.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from scripts.huge_image_memory import write_blank_png

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/clear_refs").exists(), reason="the peak memory of a process is read from Linux's /proc"
)

# Opens the picture as analyze and the app do; prints the error or the frames' shapes,
# then how many bytes the process's peak grew by while it did.
_OPEN_AND_MEASURE = """
import sys
from emotion_app.io import picture_size
from emotion_app.io.video import InputError, open_input
if len(sys.argv) > 2:  # a test-sized limit
    picture_size.MAX_PICTURE_PIXELS = int(sys.argv[2])
def peak_kib():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
with open("/proc/self/clear_refs", "w") as refs:
    refs.write("5")  # the peak from here on
before = peak_kib()
try:
    print([frame.shape for _, _, frame in open_input(sys.argv[1]).frames()])
except InputError as exc:
    print(exc)
print((peak_kib() - before) * 1024)
"""


def opened_in_a_child(path: Path, max_pixels: int | None = None) -> tuple[str, str, int]:
    """What opening ``path`` printed (the error or the frames' shapes), its log, and the
    bytes its peak memory grew by (``max_pixels``: the limit, where not the app's own)."""
    limit = [] if max_pixels is None else [str(max_pixels)]
    done = subprocess.run(
        [sys.executable, "-c", _OPEN_AND_MEASURE, str(path), *limit],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
        cwd=REPO,
    )
    said, grown = done.stdout.strip().rsplit("\n", 1)
    return said, done.stderr.strip(), int(grown)


def test_a_huge_png_is_refused_from_its_header(tmp_path: Path) -> None:
    # Before, decoded whole: 3.3 GiB at its peak for this one (5.8 GiB for 32000x32000).
    picture = write_blank_png(tmp_path / "huge.png", 24000, 24000)
    assert picture.stat().st_size < 1 << 20
    said, _, grown = opened_in_a_child(picture)
    assert said == (
        f"{picture}: a PNG picture of 24000x24000 pixels (576 megapixels), more than the 536 megapixels "
        "the app decodes (it would take over 1.6 GiB of memory); scale it down first"
    )
    assert grown < 64 << 20, f"{grown >> 20} MiB at its peak"


def test_a_huge_picture_in_a_folder_is_skipped_with_its_size(tmp_path: Path) -> None:
    folder = tmp_path / "pictures"
    folder.mkdir()
    write_blank_png(folder / "a.png", 24000, 24000)
    cv2.imwrite(str(folder / "b.png"), np.zeros((48, 64, 3), np.uint8))
    said, log, grown = opened_in_a_child(folder)
    assert said == "[(48, 64, 3)]"
    assert f"skipping {folder / 'a.png'}: a PNG picture of 24000x24000 pixels (576 megapixels)" in log
    assert grown < 64 << 20, f"{grown >> 20} MiB at its peak"


def test_a_huge_jpeg_is_decoded_shrunk_by_its_decoder(tmp_path: Path) -> None:
    # Before, decoded whole. Under a limit of 2**26 (the app's own is 8 times that: a JPEG
    # over it would take gigabytes of the test machine to show the difference) an 8400x8400
    # JPEG is over the limit by a little, and a half of its size fits.
    blank = np.zeros((8400, 8400), np.uint8)  # zero pages, never written: no memory taken
    ok, encoded = cv2.imencode(".jpg", blank)
    assert ok
    picture = tmp_path / "huge.jpg"
    encoded.tofile(str(picture))
    del blank, encoded
    said, log, grown = opened_in_a_child(picture, max_pixels=1 << 26)
    assert said == "[(4200, 4200, 3)]"
    assert log == (
        f"{picture}: 8400x8400 pixels, over the 67 megapixels a picture is decoded at: read at half of its "
        "size, 4200x4200 (face boxes are in those pixels)"
    )
    shrunk_bytes = 4200 * 4200 * 3  # decoded whole, 4 times that at least
    assert grown < 2.5 * shrunk_bytes, f"{grown >> 20} MiB at its peak for a {shrunk_bytes >> 20} MiB picture"
