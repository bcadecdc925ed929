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
# searched at 2560x1440 anyway (small ones at 4096x4096), and cropped from the picture
# (pipeline.py). Figures: docs/measurements.md.
MAX_PICTURE_PIXELS = 1 << 29
# A JPEG over the limit is decoded at a half, quarter or eighth of its size by libjpeg
# itself (its full size is never held): as small a reduction as brings it to this many
# pixels, which is still 4 times the 4096x4096 its small faces are searched at, so shrinking
# it that far loses no face and keeps the decoded picture, and the memory, small.
REDUCED_PICTURE_PIXELS = 1 << 26
_JPEG_REDUCTIONS = {
    2: cv2.IMREAD_REDUCED_COLOR_2,
    4: cv2.IMREAD_REDUCED_COLOR_4,
    8: cv2.IMREAD_REDUCED_COLOR_8,
}
# The same, decoded gray (the training faces).
_JPEG_GRAY_REDUCTIONS = {
    2: cv2.IMREAD_REDUCED_GRAYSCALE_2,
    4: cv2.IMREAD_REDUCED_GRAYSCALE_4,
    8: cv2.IMREAD_REDUCED_GRAYSCALE_8,
}
_REDUCTION_WORDS = {2: "half", 4: "a quarter", 8: "an eighth"}


@dataclass(frozen=True)
class PictureHeader:
    """What a picture file's header says: its size in pixels and its kind ("PNG", "WebP")."""

    width: int
    height: int
    kind: str
    animated: bool = False
    jpeg: JpegFrame | None = None  # a JPEG's frame header, read by :func:`read_jpeg_frame`
    file_bytes: int = 0

    @property
    def pixels(self) -> int:
        return self.width * self.height

    @property
    def size_text(self) -> str:
        return f"{self.width}x{self.height} pixels"


# How far into a JPEG its size is looked for: its metadata segments (Exif, XMP, ICC profile
# chunks, previews) come before it, each at most 64 KiB. libjpeg walks the same segments.
JPEG_HEADER_BYTES = 16 << 20
# And in how many segments: a JPEG's ICC profile takes up to 255, a file of empty segments
# would otherwise be walked 4 bytes a step.
JPEG_HEADER_SEGMENTS = 4096
# The start-of-frame markers (SOF0-SOF15 less DHT, JPG and DAC), those of progressive JPEGs,
# and those of arithmetic-coded ones.
_JPEG_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
_JPEG_PROGRESSIVE = frozenset({0xC2, 0xC6, 0xCA, 0xCE})
# Markers without a length: TEM, RST0-RST7, SOI, EOI.
_JPEG_BARE = frozenset({0x01, *range(0xD0, 0xDA)})


@dataclass(frozen=True)
class JpegFrame:
    """What a JPEG's segments before its first scan say of the decoding to come."""

    width: int
    height: int
    blocks: int  # 8x8 blocks of all its components at its full size
    buffered: bool  # progressive or multi-scan: libjpeg holds every block's coefficients
    arithmetic: bool


def read_jpeg_frame(reader: io.BufferedReader, limit: int = JPEG_HEADER_BYTES) -> JpegFrame | None:
    """The frame header of the JPEG in ``reader`` (at its start), found by walking its
    segments as libjpeg does up to the first scan, within ``limit`` bytes; None where
    there is none there or it is damaged."""
    if reader.read(2) != b"\xff\xd8":
        return None
    frame: tuple[int, int, int, list[tuple[int, int]]] | None = None
    for _ in range(JPEG_HEADER_SEGMENTS):
        if reader.tell() >= limit:
            return None
        ahead = reader.peek(1)[: 1 << 16]
        if ahead[:1] != b"\xff":  # garbage between segments: libjpeg skips it with a warning
            found = ahead.find(b"\xff")
            reader.seek(found if found > 0 else len(ahead), io.SEEK_CUR)
            if not ahead:
                return None
            continue
        reader.read(1)
        marker = reader.read(1)
        while marker == b"\xff":  # fill bytes
            marker = reader.read(1)
        if not marker or marker == b"\x00":
            continue
        code = marker[0]
        if code in (0xD8, 0xD9):  # a second start, or the end before any scan
            return None
        if code in _JPEG_BARE:
            continue
        length_bytes = reader.read(2)
        if len(length_bytes) < 2:
            return None
        length = int.from_bytes(length_bytes, "big") - 2
        if length < 0:
            return None
        if code in _JPEG_SOF:
            if frame is not None:  # libjpeg refuses a second frame header
                return None
            body = reader.read(length)
            if len(body) < 6 or len(body) < 6 + 3 * body[5]:
                return None
            height, width, count = int.from_bytes(body[1:3], "big"), int.from_bytes(body[3:5], "big"), body[5]
            sampling = [(body[6 + 3 * i + 1] >> 4, body[6 + 3 * i + 1] & 15) for i in range(count)]
            if width == 0 or height == 0 or count == 0 or any(h == 0 or v == 0 for h, v in sampling):
                return None
            frame = (code, width, height, sampling)
        elif code == 0xDA:  # the first scan: its component count tells a multi-scan JPEG
            if frame is None:
                return None
            scan_count = reader.read(1)
            code, width, height, sampling = frame
            most_h, most_v = max(h for h, _ in sampling), max(v for _, v in sampling)
            blocks = sum(
                math.ceil(math.ceil(width * h / most_h) / 8) * math.ceil(math.ceil(height * v / most_v) / 8)
                for h, v in sampling
            )
            buffered = code in _JPEG_PROGRESSIVE or (bool(scan_count) and scan_count[0] < len(sampling))
            return JpegFrame(width, height, blocks, buffered, code >= 0xC9)
        else:
            reader.seek(length, io.SEEK_CUR)
    return None


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
    (or a damaged one): the decoder then has its say, under OpenCV's own limit. A JPEG's
    is read by :func:`read_jpeg_frame` (Pillow's reader read on through a file of nothing
    but markers, and tells nothing of a progressive JPEG's decoding)."""
    try:
        with path.open("rb") as handle:
            start = handle.read(16)
            for magics, offset, kind, reader in _KINDS:
                if start[offset:].startswith(magics) and (kind != "WebP" or start.startswith(b"RIFF")):
                    handle.seek(0)
                    if kind == "JPEG":
                        frame = read_jpeg_frame(handle)
                        if frame is None:
                            return None
                        size = path.stat().st_size
                        return PictureHeader(frame.width, frame.height, kind, jpeg=frame, file_bytes=size)
                    with pillow_warnings_caught():  # a JPEG's Exif block is read with its header
                        picture = reader(handle)
                        width, height = picture.size
                        # A GIF counts its frames by reading them: told by OpenCV instead.
                        animated = kind != "GIF" and bool(getattr(picture, "is_animated", False))
                    return PictureHeader(width, height, kind, animated)
    except Exception:  # any refusal of a damaged header (SyntaxError, struct.error, ...)
        return None
    return None


def read_jpeg_packet_header(packet: bytes | memoryview) -> PictureHeader | None:
    """The header of a JPEG held in memory (a frame of a raw MJPEG file or of a network
    camera's MJPEG stream), as :func:`read_header` reads a JPEG file's; None where its
    segments hold no frame header (a damaged JPEG: the decoder refuses it)."""
    frame = read_jpeg_frame(io.BufferedReader(io.BytesIO(packet)))
    if frame is None:
        return None
    return PictureHeader(frame.width, frame.height, "JPEG", jpeg=frame, file_bytes=memoryview(packet).nbytes)


def decoder_bytes(header: PictureHeader, reduction: int) -> int:
    """About what the decoder holds decoding ``header``'s picture shrunk by ``reduction``:
    its BGR pixels, and a progressive or multi-scan JPEG's coefficients (2 bytes each, 64 a
    block) at its full size, however small it is read."""
    width, height = math.ceil(header.width / reduction), math.ceil(header.height / reduction)
    coefficients = header.jpeg.blocks * 128 if header.jpeg is not None and header.jpeg.buffered else 0
    return width * height * 3 + coefficients


def max_decoder_bytes() -> int:
    """The most :func:`decoder_bytes` may be: what the largest picture decoded whole takes,
    about 6 bytes a pixel at the decoder's peak (docs/measurements.md, "Huge pictures")."""
    return MAX_PICTURE_PIXELS * 6


def holds_less_than_claimed(header: PictureHeader) -> bool:
    """Whether a Huffman-coded JPEG's file is too short to fill the size its header claims:
    each 8x8 block takes a bit at least (its DC code), so a damaged size field is told."""
    frame = header.jpeg
    return frame is not None and not frame.arithmetic and header.file_bytes * 8 < frame.blocks


def decoding_reduction(header: PictureHeader | None) -> int | None:
    """By how much the picture is shrunk as it is decoded: 1 (not at all; also where its
    header was not read), 2, 4 or 8 (a JPEG over :data:`MAX_PICTURE_PIXELS`); None where it
    is too large to decode at all, or a JPEG over it whose file cannot hold that many
    pixels (a damaged size field), or whose decoder would hold more than
    :func:`max_decoder_bytes` (a progressive one's coefficients)."""
    if header is None:
        return 1
    if header.pixels <= MAX_PICTURE_PIXELS:
        return 1 if decoder_bytes(header, 1) <= max_decoder_bytes() else None
    if header.kind != "JPEG" or holds_less_than_claimed(header):
        return None

    width, height = header.width, header.height

    def reduced_pixels(reduction: int) -> int:
        return math.ceil(width / reduction) * math.ceil(height / reduction)

    target = min(REDUCED_PICTURE_PIXELS, MAX_PICTURE_PIXELS)
    chosen: int | None = None
    for reduction in _JPEG_REDUCTIONS:
        if reduced_pixels(reduction) <= target:
            chosen = reduction
            break
    else:
        largest = max(_JPEG_REDUCTIONS)
        chosen = largest if reduced_pixels(largest) <= MAX_PICTURE_PIXELS else None
    return chosen if chosen is not None and decoder_bytes(header, chosen) <= max_decoder_bytes() else None


def decoding_flags(reduction: int, gray: bool = False) -> int:
    """OpenCV's ``imdecode`` flags for a picture shrunk by ``reduction``, in colour or ``gray``."""
    if gray:
        return _JPEG_GRAY_REDUCTIONS.get(reduction, cv2.IMREAD_GRAYSCALE)
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
    limit = MAX_PICTURE_PIXELS // 10**6
    claimed = f"{header.size_text} ({header.pixels / 10**6:,.0f} megapixels)"
    if header.pixels > MAX_PICTURE_PIXELS and holds_less_than_claimed(header):
        return (
            f"a JPEG picture whose header claims {claimed}, more than its {header.file_bytes:,} bytes can hold and "
            f"more than the {limit} megapixels the app decodes (a damaged size field?); not decoded"
        )
    if header.pixels <= MAX_PICTURE_PIXELS or header.kind == "JPEG":
        gigabytes = decoder_bytes(header, decoding_reduction_floor(header)) / 2**30
        return (
            f"a progressive (or multi-scan) JPEG picture of {claimed}, whose decoder would hold "
            f"{gigabytes:.1f} GiB however small it is read, more than the {max_decoder_bytes() / 2**30:.1f} GiB "
            "the app lets a picture take; scale it down or save it as a baseline JPEG first"
        )
    gigabytes = header.pixels * 3 / 2**30  # its BGR pixels alone; the decoder takes more
    return (
        f"a {header.kind} picture of {claimed}, more than the "
        f"{limit} megapixels the app decodes (it would take over {gigabytes:.1f} GiB "
        f"of memory); scale it down first"
    )


def decoding_reduction_floor(header: PictureHeader) -> int:
    """The most a picture could be shrunk as it is decoded: 8 for a JPEG over the limit, else 1."""
    return max(_JPEG_REDUCTIONS) if header.kind == "JPEG" and header.pixels > MAX_PICTURE_PIXELS else 1
