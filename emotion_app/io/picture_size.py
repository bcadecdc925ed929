"""A picture's size, read from its header before it is decoded, and how large a picture the
app decodes.

A picture file's size on disk says little of its decoded size: a 32000x32000 PNG of one
colour is a small file and decodes to 3 GB of pixels (what analyze then takes:
docs/measurements.md, "Huge pictures").
"""

from __future__ import annotations

import io
import math
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import cv2
from PIL import (
    BmpImagePlugin,
    GifImagePlugin,
    ImageFile,
    JpegImagePlugin,
    PngImagePlugin,
    PpmImagePlugin,
    TiffImagePlugin,
    WebPImagePlugin,
)

# The most pixels a picture is decoded at: 2**29, about 23170x23170, half OpenCV's own
# limit, whose largest pictures took analyze far more memory than the README's
# 20000x20000 PNG, which this limit still reads. It holds
# every WebP (at most 16383x16383) and the largest camera photos whole; the faces are
# searched at 4096x4096 anyway (pipeline.py). Figures: docs/measurements.md.
MAX_PICTURE_PIXELS = 1 << 29
# A JPEG over the limit is decoded at a half, quarter or eighth of its size by libjpeg
# itself (its full size is never held): as small a reduction as brings it to this many
# pixels, which is still four times the 4096x4096 its faces are searched at, so shrinking
# it that far loses no face and keeps the decoded picture, and the memory, small.
REDUCED_PICTURE_PIXELS = 1 << 26
_JPEG_REDUCTIONS = {
    2: cv2.IMREAD_REDUCED_COLOR_2,
    4: cv2.IMREAD_REDUCED_COLOR_4,
    8: cv2.IMREAD_REDUCED_COLOR_8,
}
_REDUCTION_WORDS = {2: "half", 4: "a quarter", 8: "an eighth"}


@dataclass(frozen=True)
class PictureHeader:
    """What a picture file's header says: its size in pixels and its kind ("PNG", "WebP")."""

    width: int
    height: int
    kind: str
    animated: bool = False

    @property
    def pixels(self) -> int:
        return self.width * self.height

    @property
    def size_text(self) -> str:
        return f"{self.width}x{self.height} pixels"


# Where a JPEG's size must be found: its metadata segments (Exif, XMP, an ICC profile, a
# preview) come before it, each at most 64 KiB.
JPEG_HEADER_BYTES = 256 << 10

# The header readers of the kinds OpenCV decodes and Pillow reads, by the file's first bytes.
# Pillow's own classes, not Image.open: that refuses a header of over 179 megapixels as a
# "decompression bomb" before its size can be had.
_HeaderReader = Callable[[BinaryIO], ImageFile.ImageFile]
_KINDS: tuple[tuple[tuple[bytes, ...], int, str, _HeaderReader], ...] = (
    ((b"\x89PNG\r\n\x1a\n",), 0, "PNG", PngImagePlugin.PngImageFile),
    ((b"\xff\xd8\xff",), 0, "JPEG", JpegImagePlugin.JpegImageFile),
    ((b"WEBP",), 8, "WebP", WebPImagePlugin.WebPImageFile),
    ((b"BM",), 0, "BMP", BmpImagePlugin.BmpImageFile),
    ((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"), 0, "TIFF", TiffImagePlugin.TiffImageFile),
    ((b"P1", b"P2", b"P3", b"P4", b"P5", b"P6"), 0, "PPM", PpmImagePlugin.PpmImageFile),
    ((b"GIF87a", b"GIF89a"), 0, "GIF", GifImagePlugin.GifImageFile),
)


# Held while Pillow's warnings are caught: catch_warnings swaps the process's list of
# filters for the block's time, and two blocks interleaving (threads) would leave one's in place.
_pillow_warnings_lock = threading.Lock()


@contextmanager
def pillow_warnings_caught() -> Iterator[None]:
    """Pillow's complaints of damaged metadata ("Corrupt EXIF data", "Possibly corrupt EXIF
    data": UserWarnings printed on the terminal) dropped meanwhile; the picture reads the
    same, the damaged tags skipped. Only Pillow's UserWarnings, and only for this block."""
    with _pillow_warnings_lock, warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
        yield


def read_header(path: Path) -> PictureHeader | None:
    """``path``'s picture header; None where it is no picture Pillow reads the header of
    (or a damaged one, or a JPEG whose size is not within its first
    :data:`JPEG_HEADER_BYTES`): the decoder then has its say, under OpenCV's own limit."""
    try:
        with path.open("rb") as handle:
            start = handle.read(16)
            for magics, offset, kind, reader in _KINDS:
                if start[offset:].startswith(magics) and (kind != "WebP" or start.startswith(b"RIFF")):
                    handle.seek(0)
                    # Pillow walks a JPEG's segments up to its size, reading on through a
                    # file of nothing but markers: only its start is given.
                    source = io.BytesIO(handle.read(JPEG_HEADER_BYTES)) if kind == "JPEG" else handle
                    with pillow_warnings_caught():  # a JPEG's Exif block is read with its header
                        picture = reader(source)
                        width, height = picture.size
                        # A GIF counts its frames by reading them: told by OpenCV instead.
                        animated = kind != "GIF" and bool(getattr(picture, "is_animated", False))
                    return PictureHeader(width, height, kind, animated)
    except Exception:  # any refusal of a damaged header (SyntaxError, struct.error, ...)
        return None
    return None


def decoding_reduction(header: PictureHeader | None) -> int | None:
    """By how much the picture is shrunk as it is decoded: 1 (not at all; also where its
    header was not read), 2, 4 or 8 (a JPEG over :data:`MAX_PICTURE_PIXELS`); None where it
    is too large to decode at all."""
    if header is None or header.pixels <= MAX_PICTURE_PIXELS:
        return 1
    if header.kind != "JPEG":
        return None

    width, height = header.width, header.height

    def reduced_pixels(reduction: int) -> int:
        return math.ceil(width / reduction) * math.ceil(height / reduction)

    target = min(REDUCED_PICTURE_PIXELS, MAX_PICTURE_PIXELS)
    for reduction in _JPEG_REDUCTIONS:
        if reduced_pixels(reduction) <= target:
            return reduction
    largest = max(_JPEG_REDUCTIONS)
    return largest if reduced_pixels(largest) <= MAX_PICTURE_PIXELS else None


def decoding_flags(reduction: int) -> int:
    """OpenCV's ``imdecode`` flags for a colour picture shrunk by ``reduction``."""
    return _JPEG_REDUCTIONS.get(reduction, cv2.IMREAD_COLOR)


def reduced_text(header: PictureHeader, reduction: int, width: int, height: int) -> str:
    """Why and how much a picture was shrunk as it was decoded (to ``width`` x ``height``),
    in a few words."""
    return (
        f"{header.size_text}, over the {MAX_PICTURE_PIXELS // 10**6} megapixels a picture is decoded at: "
        f"read at {_REDUCTION_WORDS[reduction]} of its size, {width}x{height} (face boxes are in those pixels)"
    )


def too_large_text(header: PictureHeader) -> str:
    """Why a picture is not decoded at all, and what to do, in a few words."""
    gigabytes = header.pixels * 3 / 2**30  # its BGR pixels alone; the decoder takes more
    return (
        f"a {header.kind} picture of {header.size_text} ({header.pixels / 10**6:,.0f} megapixels), more than the "
        f"{MAX_PICTURE_PIXELS // 10**6} megapixels the app decodes (it would take over {gigabytes:.1f} GiB "
        f"of memory); scale it down first"
    )
