"""Pictures whose header promises more pixels than the app decodes: a small file of a huge
PNG is refused, a huge JPEG is decoded shrunk, both before gigabytes are taken.

Each picture is written by the test without its pixels ever being held, and read in a child
process whose peak memory is measured from the moment before it is opened.
"""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from emotion_app.samples import astronaut_bgr, astronaut_frames
from scripts.huge_image_memory import write_blank_png

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/clear_refs").exists(), reason="the peak memory of a process is read from Linux's /proc"
)

# A child's start: its peak memory is measured from its end on.
_MEASURED = """
import resource, sys
# Past this much address space the child's allocations fail rather than take the machine
# (a damaged JPEG's decoder asked for 10 GB and more before it was bounded).
resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))
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
"""
# Opens the picture as analyze and the app do; prints the error or the frames' shapes,
# then how many bytes the process's peak grew by while it did.
_OPEN_AND_MEASURE = (
    _MEASURED
    + """
try:
    print([frame.shape for _, _, frame in open_input(sys.argv[1]).frames()])
except InputError as exc:
    print(exc)
print((peak_kib() - before) * 1024)
"""
)
# The same, the file played as the app's player reads it (a raw MJPEG: a read per JPEG,
# None for one that does not decode).
_PLAY_AND_MEASURE = (
    _MEASURED
    + """
from pathlib import Path
from emotion_app.sources.specs import VideoFileSpec
from emotion_app.sources.opening import open_frame_source
source = open_frame_source(VideoFileSpec(Path(sys.argv[1])))
read = [source.read() for _ in range(source.frame_count)]
source.release()
print([None if frame is None else frame.shape for frame in read])
print((peak_kib() - before) * 1024)
"""
)


def opened_in_a_child(path: Path, max_pixels: int | None = None, played: bool = False) -> tuple[str, str, int]:
    """What opening ``path`` printed (the error or the frames' shapes), its log, and the
    bytes its peak memory grew by (``max_pixels``: the limit, where not the app's own;
    ``played``: read by the app's player rather than by analyze)."""
    limit = [] if max_pixels is None else [str(max_pixels)]
    done = subprocess.run(
        [sys.executable, "-c", _PLAY_AND_MEASURE if played else _OPEN_AND_MEASURE, str(path), *limit],
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


def real_jpeg_claiming(width: int, height: int, progressive: bool = False, metadata: int = 0) -> bytes:
    """A real photo's JPEG (512x512) whose frame header is patched to claim ``width`` x
    ``height`` (a damaged size field), behind ``metadata`` bytes of 64 KiB APP2 segments."""
    flags = [cv2.IMWRITE_JPEG_PROGRESSIVE, 1] if progressive else []
    data = bytearray(cv2.imencode(".jpg", astronaut_bgr(), flags)[1].tobytes())
    at = data.index(b"\xff\xc2" if progressive else b"\xff\xc0")
    data[at + 5 : at + 9] = struct.pack(">HH", height, width)
    app2 = b"\xff\xe2" + struct.pack(">H", 0xFFFF) + bytes(0xFFFD)
    return bytes(data[:2]) + app2 * (metadata // len(app2)) + bytes(data[2:])


def test_a_jpeg_claiming_more_than_it_holds_is_refused_before_decoding(tmp_path: Path) -> None:
    # Before, decoded at an eighth (7500x7500, 320 MiB more at its peak, a grey picture
    # but for a strip), then searched for faces: analyze took 1.4 GB.
    picture = tmp_path / "damaged.jpg"
    picture.write_bytes(real_jpeg_claiming(60000, 60000))
    said, _, grown = opened_in_a_child(picture)
    size = picture.stat().st_size
    assert said == (
        f"{picture}: a JPEG picture whose header claims 60000x60000 pixels (3,600 megapixels), more than its "
        f"{size:,} bytes can hold and more than the 536 megapixels the app decodes (a damaged size field?); "
        "not decoded"
    )
    assert grown < 64 << 20, f"{grown >> 20} MiB at its peak"


def test_a_progressive_jpeg_over_the_limit_is_refused_before_its_decoder_holds_it_whole(tmp_path: Path) -> None:
    # libjpeg holds a progressive JPEG's coefficients at its full size however small it is
    # read: this one, read at an eighth, would take 4.5 GiB of them. It claims 40000x40000 in a
    # file of a few megabytes: all zeros after the photo's own scans (libjpeg reads zeros
    # as empty blocks), so its size cannot be told a damaged one.
    picture = tmp_path / "progressive.jpg"
    data = real_jpeg_claiming(40000, 40000, progressive=True)
    picture.write_bytes(data[:-2] + bytes(40000 * 40000 * 3 // 2 // 64 // 8 + 1) + data[-2:])
    said, _, grown = opened_in_a_child(picture)
    assert said == (
        f"{picture}: a progressive (or multi-scan) JPEG picture of 40000x40000 pixels (1,600 megapixels), whose "
        "decoder would hold 4.5 GiB however small it is read, more than the 3.0 GiB the app lets a picture "
        "take; scale it down or save it as a baseline JPEG first"
    )
    assert grown < 64 << 20, f"{grown >> 20} MiB at its peak"


def test_a_jpegs_size_far_behind_its_metadata_is_still_checked(tmp_path: Path) -> None:
    # Its size was looked for in its first 256 KiB only: behind them, it was decoded whole
    # up to OpenCV's own limit (this one: 2.6 GiB of pixels, or the child's address space).
    picture = tmp_path / "behind.jpg"
    picture.write_bytes(real_jpeg_claiming(30000, 30000, metadata=1 << 20))
    said, _, grown = opened_in_a_child(picture)
    assert said.startswith(f"{picture}: a JPEG picture whose header claims 30000x30000 pixels (900 megapixels)")
    assert grown < 64 << 20, f"{grown >> 20} MiB at its peak"


def test_a_tiffs_later_page_over_the_limit_is_skipped_from_its_directory(tmp_path: Path) -> None:
    # Only the first page's size was checked: a later page claiming 30000x30000 (900
    # megapixels, under OpenCV's own limit) was handed to libtiff to decode.
    from emotion_app.io.multi_picture import TiffDirectories

    picture = tmp_path / "pages.tif"
    assert cv2.imwritemulti(str(picture), [astronaut_bgr()[:64, :64].copy() for _ in range(3)])
    data = np.fromfile(str(picture), dtype=np.uint8)
    directories = TiffDirectories(data)
    start = directories.at(1)
    assert start is not None
    count = int(data[start]) | int(data[start + 1]) << 8
    for entry in range(count):
        at = start + 2 + 12 * entry
        tag, kind = struct.unpack("<HH", data[at : at + 4].tobytes())
        if tag in (256, 257):
            value = struct.pack("<H", 30000) + bytes(2) if kind == 3 else struct.pack("<I", 30000)
            data[at + 8 : at + 12] = np.frombuffer(value, np.uint8)
    data.tofile(str(picture))
    said, log, grown = opened_in_a_child(picture)
    assert said == "[(64, 64, 3), (64, 64, 3)]"
    assert f"skipping page 1 of {picture}: a TIFF picture of 30000x30000 pixels (900 megapixels)" in log
    assert grown < 64 << 20, f"{grown >> 20} MiB at its peak"


@pytest.mark.parametrize("padded", [False, True], ids=["damaged", "padded to hold it"])
@pytest.mark.parametrize("played", [False, True], ids=["analyzed", "played"])
def test_a_raw_mjpeg_frame_claiming_32000x32000_is_skipped_before_it_is_decoded(
    tmp_path: Path, played: bool, padded: bool
) -> None:
    # A video's JPEG frames were decoded without their header checked: one claiming
    # 32000x32000 (under OpenCV's own 2**30 pixels) was decoded whole, 3 GB, by analyze and
    # by the player (a raw MJPEG's frames, and a network camera's, go the same way).
    # Padded with zeros (empty blocks to libjpeg), its bytes can hold the size it claims.
    frames, _ = astronaut_frames(num_frames=5)
    jpegs = [cv2.imencode(".jpg", frame)[1].tobytes() for frame in frames]
    damaged = bytearray(jpegs[2])
    at = damaged.index(b"\xff\xc0")
    damaged[at + 5 : at + 9] = struct.pack(">HH", 32000, 32000)
    if padded:
        damaged[-2:-2] = bytes(32000 * 32000 * 3 // 2 // 64 // 8 + 1)
    jpegs[2] = bytes(damaged)
    clip = tmp_path / "camera.mjpeg"
    clip.write_bytes(b"".join(jpegs))
    said, log, grown = opened_in_a_child(clip, played=played)
    if played:
        assert said == str([(240, 320, 3), (240, 320, 3), None, (240, 320, 3), (240, 320, 3)])
    else:
        assert said == str([(240, 320, 3)] * 4)
        assert "frame 2 could not be decoded; skipped" in log
    assert grown < 64 << 20, f"{grown >> 20} MiB at its peak"
