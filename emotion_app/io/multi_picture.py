"""Picture files that hold several pictures: animated WebP, PNG (APNG) and GIF, and
multi-page TIFF.

OpenCV's ``imdecode`` gives their first frame or page only. An animation is a short
video: its frames are read at the times its own frame durations give. A TIFF's pages are
pictures of their own (scans, a stack of photos), read one by one like a folder's.
"""

from __future__ import annotations

import io
import logging
import struct
import threading
from collections.abc import Generator
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, WebPImagePlugin, features

from .codecs import native_stderr_silenced, quiet_opencv_log
from .frame_format import AS_STORED, decode_samples_as_they_are, normalise_frame, samples_as_bgr
from .opencv_names import opencv_readable
from .picture_size import MAX_PICTURE_PIXELS, PictureHeader
from .recent_frames import Frame, RecentFrames

log = logging.getLogger(__name__)

# The memory an animation's decoded frames may take at once: a long one is decoded a stretch
# at a time.
MAX_STRETCH_BYTES = 256 << 20
# A frame duration this short or shorter is shown for DEFAULT_FRAME_MS, as web browsers do
# (GIFs written with no delay would otherwise have every frame at the same time).
MIN_FRAME_MS = 10
DEFAULT_FRAME_MS = 100

_TIFF_STARTS = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")


def picture_count(path: Path) -> tuple[int, str]:
    """How many pictures the file ``path`` holds and what they are called: ("page" for a
    TIFF, else "frame"); 1 for a plain picture, 0 where OpenCV cannot tell."""
    try:
        with path.open("rb") as handle:
            unit = "page" if handle.read(4) in _TIFF_STARTS else "frame"
        # Counting reads the picture's header: libjpeg and libpng print their own lines on
        # one that is damaged ("Corrupt JPEG data: ..."), past OpenCV's log.
        with quiet_opencv_log(), native_stderr_silenced(), opencv_readable(path) as name:
            return int(cv2.imcount(name)), unit
    except (cv2.error, OSError):
        return 0, "frame"


class AnimatedPicture:
    """The frames of an animated picture file, with their times in seconds.

    Raises OSError where the file cannot be read, ValueError where OpenCV cannot decode
    its animation.
    """

    def __init__(self, path: Path, count: int) -> None:
        self.path = path
        self.count = count
        # The whole file is held (it was read whole as a picture already): each stretch of
        # frames is decoded from it.
        self._data = np.fromfile(str(path), dtype=np.uint8).reshape(1, -1)
        # Where each frame decoded so far ends, in milliseconds from the start.
        self._ends_ms: list[float] = []
        # The last stretch decoded, from frame _held_start on. OpenCV decodes any stretch
        # from the first frame on, so a stretch is decoded once and kept: an animation that
        # fits in one is decoded once for every play and seek.
        self._held: list[np.ndarray] = []
        self._held_start = 0
        # The frames decoded so far, those decoded again counted each time.
        self.decoded_frames = 0
        first = self._decode(0, 1)
        if not first:
            raise ValueError(f"{path}: OpenCV cannot read its animation")
        self.width, self.height = first[0].shape[1], first[0].shape[0]
        # A stretch takes twice its frames' bytes while it is decoded: OpenCV's frames and
        # the copies of them that Python is handed.
        self._stretch = max(1, MAX_STRETCH_BYTES // (2 * max(1, first[0].nbytes)))
        # Every frame's duration, read from the file's chunks as OpenCV reads them: a seek far
        # ahead knows the times of the frames before it without decoding them (stretch after
        # stretch, each from the first frame).
        durations = _frame_durations(self._data)
        known = len(durations) == count
        if known:
            self._ends_ms = []  # all of them, the first's noted again
            for duration in durations:
                self._note_end(duration)
        # A WebP is read on frame by frame by Pillow's libwebp decoder, which keeps its
        # canvas between frames (OpenCV's decodes from the first frame for every call): its
        # frames are OpenCV's, pixel for pixel (tests/test_animation_seek.py). Pillow's APNG
        # frames are not where frames are blended or disposed of: an APNG stays OpenCV's.
        self._webp = _webp_reader(self._data) if known else None
        self._recent = RecentFrames(self.width * self.height * 3)
        if self._webp is not None:
            # Its first frame from Pillow's decoder too, which then reads on from it (and
            # the file is read as before where Pillow does not decode it).
            opened = self._next_webp()
            if opened is not None and opened[0].shape[:2] == (self.height, self.width):
                self._recent.keep(*opened)
                return
            self._webp = None
        self._hold(0)  # the first stretch's times give the frame rate at once

    @property
    def fps(self) -> float | None:
        """The mean frame rate over the frames decoded so far (None before any)."""
        return len(self._ends_ms) * 1000.0 / self._ends_ms[-1] if self._ends_ms else None

    def end_s(self, index: int) -> float | None:
        """When frame ``index`` gives way to the next, in seconds (None before it is decoded)."""
        return self._ends_ms[index] / 1000.0 if 0 <= index < len(self._ends_ms) else None

    def _start_s(self, index: int) -> float:
        """When decoded frame ``index`` is shown, in seconds: where the one before ends."""
        return self._ends_ms[index - 1] / 1000.0 if index else 0.0

    def frames(self, start: int = 0) -> Generator[tuple[int, float, np.ndarray]]:
        """(index, time in seconds, BGR frame) from frame ``start`` to the end."""
        if self._webp is not None:
            yield from self._read_on(start)
            return
        while len(self._ends_ms) < start:  # the times of the frames passed over
            if not self._hold(len(self._ends_ms)):
                return
        index = start
        while index < self.count:
            if not self._held_start <= index < self._held_start + len(self._held):
                # Behind the stretch held (a step back): a stretch around the frame, so each
                # further step back does not decode the file again from its start. Just after
                # it, the next; further ahead (a seek), the stretch of whole stretches from the
                # first frame that holds it: its cost (the frames to its end) no more than from
                # the frame on, and frames before it held for a step back.
                if index < self._held_start:
                    self._hold(max(0, index - self._stretch // 2))
                elif index == self._held_start + len(self._held):
                    self._hold(index)
                else:
                    self._hold(index - index % self._stretch)
                if not self._held_start <= index < self._held_start + len(self._held):
                    break
            yield index, self._start_s(index), normalise_frame(self._held[index - self._held_start])
            index += 1
        if index < self.count:
            self._warn_damaged(index)

    def _warn_damaged(self, decoded: int) -> None:
        log.warning("%s: %d of the %d frames it announces could be decoded (damaged)", self.path, decoded, self.count)

    def release(self) -> None:
        """Let go of the frames kept for a seek back (the file's bytes stay, for a replay)."""
        self._held = []
        self._recent.clear()

    def _read_on(self, start: int) -> Generator[tuple[int, float, np.ndarray]]:
        """:meth:`frames` of a WebP: a seek forward reads on from where the decoder is, one
        back among the last frames read gives them again, one further back decodes again
        from the first frame (as a GIF's, ``OpenCvFrameSource``)."""
        recent = self._recent
        if not recent.reaches(start):
            ahead = recent.ahead(start)
            if ahead is None:
                recent.restarted(0)
                ahead = start
            if not recent.pass_over(ahead, self._passed_webp, self._next_webp):
                self._warn_damaged(recent.position)
                return
        index = start
        while index < self.count:
            kept = recent.get(index) if index < recent.position else None
            if kept is None:
                kept = self._next_webp()
                if kept is None:
                    self._warn_damaged(index)
                    return
                recent.keep(*kept)
            yield index, kept[1] or 0.0, kept[0].copy()  # the one kept stays as decoded
            index += 1

    def _decoded_webp(self) -> Image.Image | None:
        """Pillow's frame :attr:`_recent`.position of a WebP, decoded (None where it fails);
        Pillow starts again from the first frame where it is behind."""
        assert self._webp is not None
        self.decoded_frames += 1
        try:
            self._webp.seek(self._recent.position)
            self._webp.load()
        except (OSError, EOFError, ValueError):
            return None
        return self._webp

    def _passed_webp(self) -> bool:
        return self._decoded_webp() is not None

    def _next_webp(self) -> Frame | None:
        index = self._recent.position
        picture = self._decoded_webp()
        if picture is None:
            return None
        samples = np.asarray(picture)
        if picture.mode == "RGBA":
            frame = cv2.cvtColor(samples, cv2.COLOR_RGBA2BGR)
        elif picture.mode == "RGB":
            frame = cv2.cvtColor(samples, cv2.COLOR_RGB2BGR)
        else:
            return None
        return frame, self._start_s(index)

    def _note_end(self, duration: float) -> None:
        """The next frame's duration (ms) noted: its end, from the frames before."""
        length = float(duration) if duration > MIN_FRAME_MS else float(DEFAULT_FRAME_MS)
        self._ends_ms.append((self._ends_ms[-1] if self._ends_ms else 0.0) + length)

    def _hold(self, start: int) -> bool:
        """Decode and keep the stretch from frame ``start``; whether it holds any frame."""
        self._held = []  # freed before the next is decoded
        self._held, self._held_start = self._decode(start, self._stretch), start
        return bool(self._held)

    def _decode(self, start: int, count: int) -> list[np.ndarray]:
        """Frames ``start``.. (at most ``count``); their ends noted."""
        # A damaged file is told in the reader's own words: neither OpenCV's log nor
        # libpng's own lines past it ("libpng error: bad adaptive filter value").
        with quiet_opencv_log(), native_stderr_silenced():
            _, animation = cv2.imdecodeanimation(self._data, start, count)
        # A frame that does not decode (a damaged or cut file) fails the whole call, but the
        # frames before it are decoded and given all the same: they are kept.
        frames = list(animation.frames)
        self.decoded_frames += start + len(frames)  # OpenCV decodes from the first frame on
        for offset, duration in enumerate(animation.durations[: len(frames)]):
            if start + offset == len(self._ends_ms):
                self._note_end(float(duration))
        return frames


def _webp_reader(data: np.ndarray) -> Image.Image | None:
    """Pillow's reader of the animated WebP ``data`` (None: not a WebP, or no libwebp)."""
    if not _is_webp(data) or not features.check("webp"):
        return None
    try:
        # Pillow's own class, not Image.open, which warns of a "decompression bomb" over 89
        # megapixels (the app's own bound was checked): no warning filters swapped for the
        # whole process meanwhile, under another thread's (picture_size.pillow_warnings_caught).
        # Over 179 megapixels Pillow refuses it: OpenCV's stretches read it.
        picture = WebPImagePlugin.WebPImageFile(io.BytesIO(data.tobytes()))
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None
    return picture if getattr(picture, "is_animated", False) else None


def _is_webp(data: np.ndarray) -> bool:
    """Whether the file ``data`` begins as a WebP does (a RIFF file of the WEBP form)."""
    head = data.reshape(-1)[:12].tobytes()
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def _frame_durations(data: np.ndarray) -> list[float]:
    """The durations (ms) of the frames of the animated WebP or PNG ``data``, from their
    chunks (a WebP's ANMF, a PNG's fcTL) as OpenCV's decoders take them; [] for another file."""
    raw = data.reshape(-1)
    durations: list[float] = []
    if _is_webp(raw):
        at = 12
        while at + 8 <= raw.size:  # FourCC, size (little-endian), data padded to even
            kind, size = raw[at : at + 4].tobytes(), struct.unpack("<I", raw[at + 4 : at + 8].tobytes())[0]
            if kind == b"ANMF" and size >= 16:
                durations.append(float(int.from_bytes(raw[at + 20 : at + 23].tobytes(), "little")))
            at += 8 + size + (size & 1)
    elif raw[:8].tobytes() == b"\x89PNG\r\n\x1a\n":
        at = 8
        while at + 8 <= raw.size:  # size (big-endian), type, data, CRC
            size, kind = struct.unpack(">I", raw[at : at + 4].tobytes())[0], raw[at + 4 : at + 8].tobytes()
            if kind == b"fcTL" and size >= 26 and at + 32 <= raw.size:
                numerator, denominator = struct.unpack(">HH", raw[at + 28 : at + 32].tobytes())
                # OpenCV's rounding (cvRound: half to even, as round()); 0 is 1/100 s.
                durations.append(float(round(1000.0 * numerator / (denominator or 100))))
            at += 12 + size
    return durations


class PagedPicture:
    """The pages of a multi-page TIFF, decoded one at a time (OSError where the file
    cannot be read)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._data = np.fromfile(str(path), dtype=np.uint8)
        self._directories = TiffDirectories(self._data)
        # A page is decoded with the header pointing at its directory, in place: pages read
        # from two threads at once would see each other's header (and chain reading).
        self._lock = threading.Lock()

    def too_large(self, index: int) -> PictureHeader | None:
        """Page ``index``'s size from its directory, where it is over the pixels the app
        decodes (:data:`MAX_PICTURE_PIXELS`: the header check saw the first page only)."""
        with self._lock:
            size = self._directories.size(index)
        if size is None or size[0] * size[1] <= MAX_PICTURE_PIXELS:
            return None
        return PictureHeader(size[0], size[1], "TIFF")

    def page(self, index: int) -> np.ndarray | None:
        """Page ``index`` (BGR), or None where it does not decode or is too large to
        (:meth:`too_large`)."""
        if self.too_large(index) is not None:
            return None
        # OpenCV finds page N by reading the directories of the N pages before it, for every
        # page asked: a file's pages took time growing with the square of their number. Each
        # page is decoded as the file's first instead, the header's pointer to the first
        # directory set to the page's own for the while.
        with self._lock:
            start = self._directories.at(index)
            if start is None:  # past the chain as read here (libtiff reads on): OpenCV's walk
                return self._walked_to(index)
            saved = self._directories.point_first_at(start)
            try:
                return self._first()
            finally:
                self._directories.restore_first(saved)

    def _first(self) -> np.ndarray | None:
        """The page the header points at, its directory alone read (``imdecodemulti`` would
        read the next page's too)."""
        with quiet_opencv_log():
            try:
                page = cv2.imdecode(self._data, cv2.IMREAD_COLOR)
            except cv2.error:
                return None
            # Colour decoding takes 8- and 16-bit samples only (see read_image).
            return page if page is not None else decode_samples_as_they_are(self._data)

    def _walked_to(self, index: int) -> np.ndarray | None:
        """Page ``index`` found by OpenCV, from the first page on."""
        with quiet_opencv_log():
            try:
                ok, pages = cv2.imdecodemulti(self._data, cv2.IMREAD_COLOR, range=(index, index + 1))
                if ok and pages:
                    return pages[0]
                ok, pages = cv2.imdecodemulti(self._data, AS_STORED, range=(index, index + 1))
            except cv2.error:
                return None
        return samples_as_bgr(pages[0]) if ok and pages else None


class TiffDirectories:
    """Where a TIFF's directories (one a page) start in its bytes ``data``, found by
    following their chain from the header as libtiff does, as far as a page is asked."""

    def __init__(self, data: np.ndarray) -> None:
        self._data = data
        self._starts: list[int] = []
        self._seen: set[int] = set()
        self._next: int | None = None  # the next directory's start; None past the last
        header = data[:16].tobytes()
        self._order = "<" if header[:2] == b"II" else ">"
        if len(header) >= 8 and header[:4] in _TIFF_STARTS[:2]:
            self._pointer, self._count, self._entry = "I", "H", 12  # classic TIFF
            self._first_at = 4
        elif len(header) == 16 and header[:4] in _TIFF_STARTS[2:]:
            self._pointer, self._count, self._entry = "Q", "Q", 20  # BigTIFF
            self._first_at = 8
        else:
            return
        self._next = self._unpack(self._pointer, self._first_at)

    def at(self, index: int) -> int | None:
        """Where directory ``index`` starts; None where the chain ends before it."""
        while len(self._starts) <= index and self._next:
            start = self._next
            count = self._unpack(self._count, start)
            # A start outside the file or seen before (a loop) ends the chain, as in libtiff.
            if start in self._seen or count is None:
                self._next = None
                break
            self._seen.add(start)
            self._starts.append(start)
            self._next = self._unpack(self._pointer, start + struct.calcsize(self._count) + count * self._entry)
        return self._starts[index] if 0 <= index < len(self._starts) else None

    def size(self, index: int) -> tuple[int, int] | None:
        """Directory ``index``'s ImageWidth and ImageLength; None where either is not found."""
        start = self.at(index)
        count = None if start is None else self._unpack(self._count, start)
        if start is None or count is None:
            return None
        found: dict[int, int] = {}
        value_size = struct.calcsize(self._pointer)
        kinds = {3: "H", 4: "I", 16: "Q"}  # SHORT, LONG, LONG8
        first = start + struct.calcsize(self._count)
        for entry in range(min(count, 4096)):
            at = first + entry * self._entry
            tag, kind = self._unpack("H", at), self._unpack("H", at + 2)
            if tag in (256, 257) and kind in kinds:
                value = self._unpack(kinds[kind], at + 4 + value_size)
                if value is not None:
                    found[tag] = value
        return (found[256], found[257]) if len(found) == 2 else None

    def point_first_at(self, start: int) -> bytes:
        """Point the header at the directory at ``start``; the bytes it held, to restore."""
        where = slice(self._first_at, self._first_at + struct.calcsize(self._pointer))
        saved = self._data[where].tobytes()
        self._data[where] = np.frombuffer(struct.pack(self._order + self._pointer, start), dtype=np.uint8)
        return saved

    def restore_first(self, saved: bytes) -> None:
        """Undo :meth:`point_first_at` with the bytes it gave."""
        self._data[self._first_at : self._first_at + len(saved)] = np.frombuffer(saved, dtype=np.uint8)

    def _unpack(self, kind: str, at: int) -> int | None:
        """The number of ``kind`` (struct's letter) at byte ``at``; None past the end."""
        size = struct.calcsize(kind)
        if at < 0 or at + size > self._data.size:
            return None
        return int(struct.unpack(self._order + kind, self._data[at : at + size].tobytes())[0])
