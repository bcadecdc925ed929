"""Reading inputs (video file, single image, folder of images) and writing annotated output."""

from __future__ import annotations

import io
import logging
import math
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import ImageOps, JpegImagePlugin

from .atomic import AtomicOutput, DiskFullError, OutputError, check_target

__all__ = [
    "AnnotatedVideoWriter",
    "DiskFullError",
    "InputError",
    "MediaInput",
    "RAW_MJPEG_FPS",
    "OutputError",
    "decode_jpeg",
    "decode_jpeg_silently",
    "is_raw_mjpeg",
    "jpeg_packets",
    "letterbox",
    "open_input",
    "open_video_quietly",
    "picture_named_like_a_video",
    "read_image",
    "read_picture",
]
from ..wording import count_text
from .codecs import MPEG4_PART2, VIDEO_SUFFIXES, VideoCodec, codec_for, native_stderr_silenced, quiet_opencv_log
from .frame_format import decode_samples_as_they_are
from .frame_times import FrameTimes, UnplacedReads
from .gif_delays import GifFrameEnds
from .multi_picture import AnimatedPicture, PagedPicture, picture_count
from .opencv_names import is_utf8_name, open_video_capture, opencv_readable
from .path_lookup import PathCannotBeLookedAt, holds_a_file, holds_a_folder, path_exists
from .picture_size import (
    decoding_flags,
    decoding_reduction,
    holds_less_than_claimed,
    pillow_warnings_caught,
    read_header,
    read_jpeg_packet_header,
    reduced_text,
    too_large_text,
)
from .raw_mjpeg import RawMjpeg
from .retime import FrameSlots

log = logging.getLogger(__name__)

IMAGE_SUFFIXES: frozenset[str] = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm"})
# A folder's pictures: GIFs too (a single one given is read as a video, by FFmpeg).
FOLDER_SUFFIXES: frozenset[str] = IMAGE_SUFFIXES | {".gif"}
# Image formats that hold gray pictures only.
GRAY_IMAGE_SUFFIXES: frozenset[str] = frozenset({".pgm"})
# A picture file is read whole before it is decoded: one larger than this is refused. Room
# for an uncompressed picture of OpenCV's largest (2**30 pixels) at 4 bytes a pixel.
MAX_IMAGE_FILE_BYTES = 4 << 30
# What a file of no bytes is called: the words of a failed download or copy, which OpenCV
# would only call "corrupt or unsupported".
EMPTY_FILE = "the file is empty (0 bytes)"
# Undecodable frames in a row after which a video is taken to end (a truncated file fails
# every read from its cut to the announced end).
MAX_UNDECODABLE_RUN = 100
# A raw MJPEG file's frame rate: it has none of its own, and this is FFmpeg's for one (the
# times its frames had when FFmpeg read them).
RAW_MJPEG_FPS = 25.0
# A shortfall against the container's frame count worth a warning: containers' counts are
# estimates, off by a few frames on some real clips.
MISSING_FRAMES_NOTED = 5
MISSING_SHARE_NOTED = 0.05
# A video's first frames whose times choose its annotated video's rate (read before the
# analysis: docs/measurements.md has what that costs).
RATE_SAMPLE_FRAMES = 90


class InputError(Exception):
    """An input that cannot be read; the message is one line naming it and the reason."""


Frame = tuple[int, float | None, np.ndarray]  # index, time in seconds (None for still images), BGR


@dataclass(frozen=True)
class MediaInput:
    """An opened input: iterate :meth:`frames` for (index, time_s, BGR frame)."""

    path: Path
    kind: str  # "video", "image" or "folder"
    frame_count: int | None  # None when the container does not say
    fps: float | None  # None for images
    images: tuple[Path, ...] = ()
    # An animated picture (kind "video"), read by OpenCV's picture decoders, not FFmpeg: its
    # reader, kept from the opening (whose decoding is not done again).
    animation: AnimatedPicture | None = field(default=None, repr=False, compare=False)
    # A multi-page TIFF's pages (kind "image"): pictures of their own, like a folder's.
    pages: int = 0
    # A single image's picture, decoded where it was opened and handed to the first
    # frames() (a second decode would repeat what the decoder had to say about it; holding
    # it on would double a huge picture's memory).
    opened_picture: list[np.ndarray] = field(default_factory=list, repr=False, compare=False)
    # A raw MJPEG file (kind "video"): its JPEGs are read through an index of where each
    # starts, as the app reads them, not by FFmpeg.
    raw_mjpeg: bool = False
    # An animated GIF read by FFmpeg (kind "video"): when each of its frames ends, which
    # FFmpeg does not say of the last one.
    gif_ends: GifFrameEnds | None = field(default=None, repr=False, compare=False)
    # A folder's video files and subfolders (kind "folder"), left out of its pictures: the
    # app's slide show says so at its end, where the log's warnings are not seen.
    videos_left_out: int = 0
    subfolders_left_out: int = 0
    # A file of one frame read as a video (a video of one frame, a still GIF, a PNG or a
    # JPEG named .mp4), kind "image": the picture it is, as the app shows it (2 s there),
    # counted and written a second, as a photo is.
    one_frame_video: bool = False

    def frames(self) -> Iterator[Frame]:
        if self.animation is not None:
            yield from self.animation.frames()
        elif self.raw_mjpeg:
            yield from _raw_mjpeg_frames(self.path, self.fps)
        elif self.kind == "video":
            yield from _video_frames(self.path, self.fps)
        elif self.pages:
            yield from _page_frames(self.path, self.pages, self.opened_picture)
        elif self.opened_picture:
            yield 0, None, self.opened_picture.pop()
        elif self.one_frame_video:
            yield 0, None, _one_frame_again(self.path)
        else:
            yield from _image_frames(self.images)

    def end_s(self, index: int, time_s: float | None) -> float | None:
        """When a video's frame ``index``, given by :meth:`frames` at ``time_s``, gives way to
        the next (the input's end, for its last): after its own duration where the file
        stores one (an animated GIF's, WebP's or PNG's), else a frame interval of the
        container's rate after it, as a frame without a timestamp is placed
        (:class:`.frame_times.FrameTimes`). None for pictures and where neither is known."""
        if self.kind != "video" or time_s is None:
            return None
        if self.animation is not None:
            return self.animation.end_s(index)
        own = self.gif_ends.end_s(time_s) if self.gif_ends is not None else None
        if own is not None:
            return own
        period_s = FrameTimes(self.fps).period_s
        return time_s + period_s if period_s is not None else None

    def first_times(self, count: int = RATE_SAMPLE_FRAMES) -> list[float | None]:
        """The times (seconds) of a video's first ``count`` frames, read ahead of
        :meth:`frames` (decoded, not converted); empty for pictures, for a raw MJPEG
        file (its frames are ``fps`` apart) and where the file cannot be read again."""
        if self.animation is not None:
            times: list[float | None] = [0.0]
            while len(times) < count and (end_s := self.animation.end_s(len(times) - 1)) is not None:
                times.append(end_s)
            return times
        if self.kind != "video" or self.raw_mjpeg:
            return []
        return _first_video_times(self.path, self.fps, count)


def open_input(path: str | os.PathLike[str]) -> MediaInput:
    """Open a video file, an image or a folder of images; raises :class:`InputError`."""
    path = Path(path)
    try:
        found = path_exists(path)
    except PathCannotBeLookedAt as exc:
        raise InputError(f"{path}: it {exc}") from None
    if not found:
        raise InputError(f"{path}: no such file or folder")
    if path.is_dir():
        try:
            entries = list(path.iterdir())
            # A link whose target may not be looked at is the picture it is named as, skipped
            # with its reason when read, as a file the user may not read is.
            images = tuple(
                sorted(
                    (p for p in entries if p.suffix.lower() in FOLDER_SUFFIXES and holds_a_file(p)), key=_natural_key
                )
            )
            # Said, as the videos left out are: pictures sorted into subfolders were passed
            # over without a word (hidden ones, a viewer's thumbnails, are nobody's pictures).
            subfolders = sum(1 for p in entries if not p.name.startswith(".") and holds_a_folder(p))
            videos = sum(1 for p in entries if p.suffix.lower() in VIDEO_SUFFIXES and holds_a_file(p))
        except OSError as exc:  # a folder the user may not list, or whose files' kinds may not be asked
            raise InputError(f"{path}: the folder cannot be read ({exc.strerror or exc})") from None
        # "1 video file is", "2 video files are", as the window's status line counts them.
        not_looked_into = f"its {_counted(subfolders, 'subfolder')} not looked into" if subfolders else ""
        if not images:
            # A folder of clips said only that it held no images, not why its clips were not read.
            videos_told = (
                f"its {_counted(videos, 'video file')} left out (a video is read on its own)" if videos else ""
            )
            raise InputError(
                f"{path}: folder holds no images ({', '.join(sorted(FOLDER_SUFFIXES))})"
                + "".join(f"; {told}" for told in (videos_told, not_looked_into) if told)
            )
        if videos:
            log.warning("%s: a folder is read as pictures; its %s left out", path, _counted(videos, "video file"))
        if not_looked_into:
            log.warning("%s: only the folder's own pictures are read; %s", path, not_looked_into)
        return MediaInput(
            path, "folder", len(images), None, images, videos_left_out=videos, subfolders_left_out=subfolders
        )
    if not path.is_file():
        raise InputError(f"{path}: not a regular file")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: permission denied")
    if is_empty_file(path):  # a failed download or copy: said so, not "corrupt or unsupported"
        raise InputError(f"{path}: {EMPTY_FILE}")
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return _open_picture(path)
    try:
        return _open_video(path)
    except InputError:
        picture = picture_named_like_a_video(path)
        if picture is None:
            raise
        return picture


def is_safetensors_file(path: Path) -> bool:
    """Whether ``path`` is a regular file that begins as a safetensors file (a model's
    weights) does: an 8-byte little-endian header length that fits the file, then the
    header's JSON object. False where that cannot be asked."""
    try:
        if not path.is_file():  # a FIFO would block the read
            return False
        with path.open("rb") as handle:
            start = handle.read(9)
            size = os.fstat(handle.fileno()).st_size
    except (OSError, ValueError):
        return False
    return len(start) == 9 and start[8:] == b"{" and int.from_bytes(start[:8], "little") <= size - 8


def is_empty_file(path: Path) -> bool:
    """Whether the regular file ``path`` holds no bytes (False where that cannot be asked)."""
    try:
        if path.stat().st_size != 0:
            return False
        # A size of 0 is also what /proc's files say, which read: asked of the file itself.
        with path.open("rb") as file:
            return file.read(1) == b""
    except OSError:
        return False


def _open_picture(path: Path) -> MediaInput:
    """``path`` opened as a picture (or, where its content is one, a video named like a
    picture); raises :class:`InputError`."""
    picture = read_image(path)
    if picture is None:
        video = _video_named_like_a_picture(path)
        if video is not None:
            # A video of one frame is the picture it holds, as one named like a video is.
            read_as = "the picture of its one frame" if video.one_frame_video else "a video"
            log.warning("%s: a video file named like a picture; read as %s", path, read_as)
            return video
        raise InputError(f"{path}: {unreadable_image_reason(path, video_checked=True)}")
    count, unit = picture_count(path)
    if count > 1 and unit == "page":
        return MediaInput(path, "image", count, None, (path,), opened_picture=[picture], pages=count)
    if count > 1:
        animation = _open_animation(path, count)
        if animation is not None:
            return animation
    return MediaInput(path, "image", 1, None, (path,), opened_picture=[picture])


def picture_named_like_a_video(path: Path) -> MediaInput | None:
    """``path`` opened as the picture or animation it is, where FFmpeg could not read it as
    the video its name says (an animated WebP, which FFmpeg does not decode, renamed .mp4),
    with a warning naming what it is; None where its content is no picture.
    :class:`InputError` where it is one that cannot be read (too large, damaged)."""
    # Judged by a header Pillow reads whole (a few bytes of a GIF, or an MP4's start, which
    # OpenCV's AVIF reader claims, stay a video that does not open).
    header = read_header(path)
    if header is None:
        return None
    try:
        with quiet_opencv_log(), opencv_readable(path) as name:
            if not cv2.haveImageReader(name):
                return None
    except (cv2.error, OSError):
        return None
    kind = f"an animated {header.kind} picture" if header.animated else f"a {header.kind} picture"
    log.warning("%s: %s named like a video; read as a picture", path, kind)
    return _open_picture(path)


def _open_animation(path: Path, count: int) -> MediaInput | None:
    """The animated picture ``path`` of ``count`` frames, to read as a video; None (said in
    a warning) where OpenCV cannot read its animation, only its first frame."""
    try:
        animation = AnimatedPicture(path, count)
    except (OSError, MemoryError, ValueError):
        log.warning("%s: only the first of its %d frames is used (OpenCV cannot read its animation)", path, count)
        return None
    return MediaInput(path, "video", count, animation.fps, animation=animation)


def _page_frames(path: Path, pages: int, opened: list[np.ndarray]) -> Iterator[Frame]:
    """A multi-page TIFF's pages, as a folder's pictures (the first as opened, the first
    time; a second reading decodes it again)."""
    first = opened.pop() if opened else None
    if first is not None:
        yield 0, None, first
    try:
        paged = PagedPicture(path)
    except (OSError, MemoryError) as exc:
        raise InputError(f"{path}: its pages could not be read again ({exc})") from None
    for index in range(0 if first is None else 1, pages):
        huge = paged.too_large(index)
        if huge is not None:
            log.warning("skipping page %d of %s: %s", index, path, too_large_text(huge))
            continue
        page = paged.page(index)
        if page is None:
            log.warning("skipping page %d of %s: it does not decode", index, path)
            continue
        yield index, None, page


def _video_named_like_a_picture(path: Path) -> MediaInput | None:
    """``path`` opened as a video, where its content is one though its name says picture
    (a clip renamed, or saved under the wrong name); None where it is not."""
    # A picture OpenCV cannot decode (damaged, say) stays a picture it cannot
    # decode, though FFmpeg may read it as a frame: judged by its first bytes.
    try:
        with quiet_opencv_log(), opencv_readable(path) as name:
            if cv2.haveImageReader(name):
                return None
    except (cv2.error, OSError):
        return None
    try:
        with quiet_opencv_log():  # the file may be no video either: the caller says so
            return _open_video(path)
    except InputError:
        return None


def _open_video(path: Path) -> MediaInput:
    if is_raw_mjpeg(path):
        return _open_raw_mjpeg(path)
    try:
        capture = open_video_quietly(path)
    except OSError as exc:
        raise InputError(f"{path}: cannot be opened ({exc})") from None
    try:
        if not capture.isOpened():
            raise InputError(f"{path}: not a video OpenCV can open (unknown format or corrupt)")
        count = announced_frames(capture)
        frame, _failed = first_frame_read(capture, count)
        if frame is None:
            raise InputError(f"{path}: video has no readable frames (empty, corrupt or unsupported codec)")
        fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
        gif_ends = GifFrameEnds.read(path)
        if gif_ends is not None:  # a GIF's own frames tell, not FFmpeg's count
            one_frame = len(gif_ends.ends_s) == 1
        else:  # a length of one, or none said (a PNG named .mp4), and no frame after it
            one_frame = count <= 1 and not _grabbed(capture)
    finally:
        capture.release()
    if one_frame:
        return MediaInput(path, "image", 1, None, (path,), opened_picture=[frame], one_frame_video=True)
    return MediaInput(path, "video", count if count > 0 else None, fps if 0 < fps <= 1000 else None, gif_ends=gif_ends)


def announced_frames(capture: cv2.VideoCapture) -> int:
    """The frames ``capture``'s container announces; 0 where it says none (or nonsense)."""
    count = float(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0.0)
    return int(count) if math.isfinite(count) and count > 0 else 0


def first_frame_read(capture: cv2.VideoCapture, announced: int) -> tuple[np.ndarray | None, int]:
    """``capture``'s first frame that reads, and the reads that failed before it.

    A file whose start is damaged (cut there, its first frames' data lost) is read past it,
    as a damaged stretch further on is (:func:`_video_frames`): while the ``announced``
    frames (0: unknown, where a failed read is the end) are not all tried, up to
    ``MAX_UNDECODABLE_RUN`` reads. ``(None, reads)`` where none reads.
    """
    failed = 0
    while True:
        ok, frame = capture.read()
        if ok and frame is not None and frame.size > 0:
            return frame, failed
        failed += 1
        if failed >= min(announced, MAX_UNDECODABLE_RUN):
            return None, failed


def _grabbed(capture: cv2.VideoCapture) -> bool:
    """Whether another frame follows in ``capture`` (taken from it, not decoded)."""
    try:
        return bool(capture.grab())
    except cv2.error:
        return False


def _one_frame_again(path: Path) -> np.ndarray:
    """The frame of the file of one frame ``path`` (see MediaInput.one_frame_video), read
    again; :class:`InputError` where it no longer reads."""
    frame: np.ndarray | None = None
    if is_raw_mjpeg(path):
        try:
            with RawMjpeg(path) as raw:
                packet = raw.jpeg(0)
        except OSError as exc:
            raise InputError(f"{path}: cannot be opened again ({exc})") from None
        frame = _decode_jpeg_quietly(packet) if packet is not None else None
    else:
        try:
            capture = open_video_quietly(path)
        except OSError as exc:
            raise InputError(f"{path}: cannot be opened again ({exc})") from None
        try:
            ok, read = capture.read() if capture.isOpened() else (False, None)
        finally:
            capture.release()
        frame = read if ok and read is not None and read.size else None
    if frame is None:
        raise InputError(f"{path}: its frame could not be read again")
    return frame


def open_video_quietly(path: Path) -> cv2.VideoCapture:
    """:func:`open_video_capture` without the lines OpenCV prints where ``path`` is no
    video it can open: its log of each backend that refused it, and its AVI reader's own
    line ("Unexpected element ...", past that log). The callers say so in their own words."""
    with quiet_opencv_log(), native_stderr_silenced():
        return open_video_capture(path)


def first_decodable_jpeg(
    raw: RawMjpeg, decode: Callable[[np.ndarray], np.ndarray | None]
) -> tuple[np.ndarray | None, int]:
    """``raw``'s first JPEG that ``decode`` decodes, and its place (the JPEGs before it, read
    past as a damaged stretch further on is); ``(None, place)`` where none of the first
    ``MAX_UNDECODABLE_RUN`` does or the file ends first. ``analyze`` and the app's player
    each pass their own decoder (:func:`_decode_jpeg_quietly`, :func:`decode_jpeg_silently`)."""
    place = 0
    while place < MAX_UNDECODABLE_RUN and (packet := raw.jpeg(place)) is not None:
        frame = decode(packet)
        if frame is not None and frame.size > 0:
            return frame, place
        place += 1
    return None, place


def _open_raw_mjpeg(path: Path) -> MediaInput:
    """A raw MJPEG file, its JPEGs counted (no container says its length), as the app
    counts them. Not opened by FFmpeg: its probe reads on to the next JPEG's start, all of
    a recorder's padding after the last (seconds a gigabyte)."""
    try:
        with RawMjpeg(path) as raw:
            count = raw.index.scan() or 0
            # A damaged first JPEG is read past, as one further on is (_raw_mjpeg_frames).
            first, _place = first_decodable_jpeg(raw, _decode_jpeg_quietly)
            # One JPEG, not one with a second begun after it (a recorder's, written on: a clip).
            one_jpeg = count == 1 and raw.index.cut_short is None
    except OSError as exc:
        raise InputError(f"{path}: cannot be opened ({exc})") from None
    if first is None:
        raise InputError(f"{path}: video has no readable frames (empty, corrupt or unsupported codec)")
    if one_jpeg:  # a photo named .mp4: the picture it is (see MediaInput.one_frame_video)
        return MediaInput(path, "image", 1, None, (path,), opened_picture=[first], one_frame_video=True)
    return MediaInput(path, "video", count if count > 0 else None, RAW_MJPEG_FPS, raw_mjpeg=True)


def _video_frames(path: Path, fps: float | None) -> Iterator[Frame]:
    """The decodable frames, indexed by their place in the stream.

    A frame that does not decode (a damaged stretch of the file, or its start) is skipped,
    with a warning, while the container announces more frames: ending there would silently
    drop the rest. Its place is kept where the frames' times show it lost
    (:class:`.frame_times.UnplacedReads`: a failed read may instead be followed by frames
    the decoder held). Reading stops after ``MAX_UNDECODABLE_RUN`` failures in a row.
    """
    try:
        capture = open_video_quietly(path)
    except OSError as exc:
        raise InputError(f"{path}: video could not be reopened ({exc})") from None
    if not capture.isOpened():
        raise InputError(f"{path}: video could not be reopened")
    try:
        announced = announced_frames(capture)
        index = decoded = failed_run = 0
        times = FrameTimes(fps)
        unplaced = UnplacedReads()
        while True:
            ok, read = capture.read()
            frame: np.ndarray | None = read if ok else None
            if frame is not None:
                time_s = times.next(capture.get(cv2.CAP_PROP_POS_MSEC))
                if decoded:
                    lost = unplaced.place(times.step_periods)
                else:  # the first: a damaged start is placed by the frame's time from it
                    lost = unplaced.place_first(time_s, times.period_s, announced)
                if lost:
                    log.warning("%s: %s could not be decoded; skipped", path, frame_span(index, index + lost))
                index += lost
                failed_run = 0
                yield index, time_s, frame
                index += 1
                decoded += 1
                continue
            if (not ok and index + unplaced.count >= announced) or failed_run >= MAX_UNDECODABLE_RUN:
                break
            unplaced.failed()
            failed_run += 1
        if clearly_short(decoded, announced):
            log.warning(
                "%s: %d of the %d frames the file announces could be decoded (truncated or damaged)",
                path,
                decoded,
                announced,
            )
    finally:
        capture.release()


def _first_video_times(path: Path, fps: float | None, count: int) -> list[float | None]:
    """The times :func:`_video_frames` gives the first ``count`` decodable frames (read
    past those that do not decode as it reads past them)."""
    try:
        capture = open_video_quietly(path)
    except OSError:
        return []
    try:
        announced = announced_frames(capture)
        times = FrameTimes(fps)
        found: list[float | None] = []
        failed = failed_run = 0
        while capture.isOpened() and len(found) < count:
            if capture.grab():
                found.append(times.next(capture.get(cv2.CAP_PROP_POS_MSEC)))
                failed_run = 0
                continue
            failed += 1
            failed_run += 1
            if len(found) + failed >= announced or failed_run >= MAX_UNDECODABLE_RUN:
                break
        return found
    finally:
        capture.release()


def _raw_mjpeg_frames(path: Path, fps: float | None) -> Iterator[Frame]:
    """A raw MJPEG file's decodable frames, by their JPEG's place in the file, at that place
    over ``fps`` (FFmpeg's rate for such a file: it has none of its own).

    A JPEG that does not decode is skipped, with a warning, as in :func:`_video_frames`,
    and so are the last ones (a file cut short, its last JPEG without its end marker) and,
    after ``MAX_UNDECODABLE_RUN`` of them in a row, the rest of the file.
    """
    try:
        raw = RawMjpeg(path)
    except OSError as exc:
        raise InputError(f"{path}: video could not be reopened ({exc})") from None
    with raw:
        index = failed_run = 0
        while failed_run < MAX_UNDECODABLE_RUN and (packet := raw.jpeg(index)) is not None:
            frame = _decode_jpeg_quietly(packet)
            index += 1
            if frame is None:
                failed_run += 1
                continue
            if failed_run:
                log.warning("%s: %s could not be decoded; skipped", path, frame_span(index - 1 - failed_run, index - 1))
                failed_run = 0
            yield index - 1, (index - 1) / fps if fps else None, frame
        if failed_run < MAX_UNDECODABLE_RUN and not raw.index.written_over and raw.index.cut_short == index:
            # A last JPEG without its end marker is given as no frame (it may be still being
            # written): said with the ones before it that did not decode.
            failed_run += 1
            index += 1
        if failed_run:
            log.warning("%s: %s could not be decoded; left out", path, frame_span(index - failed_run, index))
        if raw.index.written_over:
            log.warning("%s: written over while it was read; its frames from frame %d on are left out", path, index)


def is_raw_mjpeg(path: Path) -> bool:
    """Whether ``path`` holds a raw Motion JPEG stream: JPEGs one after another, no
    container (a camera's recording saved as .mjpeg, say)."""
    try:
        with path.open("rb") as handle:
            return handle.read(3) == b"\xff\xd8\xff"
    except OSError:
        return False


def jpeg_packets(capture: cv2.VideoCapture) -> Callable[[np.ndarray], np.ndarray | None] | None:
    """For an MJPEG stream: read its JPEGs undecoded and return their decoder.
    OpenCV's FFmpeg reader scales every frame to the first one's size, so a phone that
    turns to portrait would come out stretched; each JPEG decoded alone has its own size.
    The decoder is :func:`decode_jpeg_silently`: a flaky link's damaged JPEGs would print
    libjpeg's line each on the terminal, where the stream's reader tells what matters.
    A stream whose container says to turn its frames (a phone's clip held upright) has each
    picture turned so, as FFmpeg's decoded frames are."""
    if _fourcc(capture) != "MJPG":
        return None
    turn = _DISPLAY_TURNS.get(round(capture.get(cv2.CAP_PROP_ORIENTATION_META) or 0) % 360)
    # OpenCV turns the undecoded JPEG itself as the container says, and a turn of 180 or
    # 270 degrees reverses its bytes: it is read as it is, and its picture turned. Its turn
    # goes off before the raw reading, which cannot be undone, so either refusal leaves
    # FFmpeg's decoding as it was.
    if turn is not None and not capture.set(cv2.CAP_PROP_ORIENTATION_AUTO, 0):
        return None
    if not capture.set(cv2.CAP_PROP_FORMAT, -1):
        if turn is not None:
            capture.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
        return None
    if turn is None:
        return decode_jpeg_silently
    return lambda packet: _turned(decode_jpeg_silently(packet), turn)


# OpenCV's turn of a frame whose container says to show it turned this many degrees clockwise.
_DISPLAY_TURNS = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


def _turned(frame: np.ndarray | None, turn: int) -> np.ndarray | None:
    return None if frame is None else cv2.rotate(frame, turn)


def _fourcc(capture: cv2.VideoCapture) -> str:
    code = int(capture.get(cv2.CAP_PROP_FOURCC))
    return "".join(chr((code >> 8 * i) & 0xFF) for i in range(4))


def decode_jpeg(packet: np.ndarray) -> np.ndarray | None:
    """One JPEG read undecoded (by :func:`jpeg_packets`, or from a raw MJPEG file),
    decoded (None where it does not, or is too large to: :func:`too_large_frame`)."""
    if packet.size == 0 or too_large_frame(packet):
        return None
    return _decoded_by_opencv(packet)


def too_large_frame(packet: np.ndarray) -> bool:
    """Whether a video's JPEG frame claims more than a picture is decoded at whole
    (:func:`~emotion_app.io.picture_size.decoding_reduction`: over its pixels, or a
    progressive one whose decoder would hold too much), or more than its bytes can hold:
    a damaged or hostile frame's 32000x32000 would be decoded whole, 3 GB. Such a frame is
    one that does not decode; no frame is read shrunk, as a still is."""
    header = read_jpeg_packet_header(packet.reshape(-1).data)
    return header is not None and (decoding_reduction(header) != 1 or holds_less_than_claimed(header))


def _decoded_by_opencv(packet: np.ndarray) -> np.ndarray | None:
    with quiet_opencv_log():  # a damaged frame is told in the reader's own words
        try:
            return cv2.imdecode(packet.reshape(-1), cv2.IMREAD_COLOR)
        except cv2.error:  # a header claiming more pixels than OpenCV decodes (see read_image)
            return None


def decode_jpeg_silently(packet: np.ndarray) -> np.ndarray | None:
    """:func:`decode_jpeg`'s frame, without libjpeg's own line for a damaged JPEG and without
    sending standard error away (other threads' lines would go with it) for one that decodes.

    Decoded by Pillow, whose libjpeg-turbo tells its warnings to no one: the same pixels as
    OpenCV's (docs/measurements.md, "A raw MJPEG's JPEG index"). A JPEG Pillow refuses (a
    damaged one OpenCV may still decode whole) or would convert its own way (CMYK) is left
    to OpenCV, standard error sent away meanwhile: the damaged few, not every frame."""
    if packet.size == 0 or too_large_frame(packet):
        return None
    frame = _decoded_by_pillow(packet)
    if frame is not None:
        return frame
    with native_stderr_silenced():
        return _decoded_by_opencv(packet)


def _decoded_by_pillow(packet: np.ndarray) -> np.ndarray | None:
    """``packet`` decoded as OpenCV decodes a JPEG (BGR, turned as its Exif says); None where
    Pillow refuses it or would not give OpenCV's pixels."""
    try:
        # The JPEG reader itself: Image.open would try other formats, and warn of a large one.
        # Reading the header and turning it read its Exif block, warning of a damaged one.
        with pillow_warnings_caught():
            opened = JpegImagePlugin.JpegImageFile(io.BytesIO(packet.data))
        with opened as image:
            conversion = _FROM_PILLOW.get(image.mode)
            width, height = image.size
            if conversion is None or width * height > _PILLOW_MAX_PIXELS:
                return None
            image.load()
            # OpenCV turns a frame as its Exif orientation says; Pillow leaves that to this.
            with pillow_warnings_caught():
                turned = ImageOps.exif_transpose(image) if "exif" in image.info else image
            pixels = np.asarray(turned)
    except Exception:  # any refusal (a damaged JPEG's): OpenCV has its say on it
        return None
    return cv2.cvtColor(pixels, conversion)


# Pillow's modes for a JPEG that OpenCV's IMREAD_COLOR gives the same pixels of, converted.
_FROM_PILLOW = {"RGB": cv2.COLOR_RGB2BGR, "L": cv2.COLOR_GRAY2BGR}
# Larger JPEGs (no camera's frame; a damaged header's size) are left to OpenCV and its own
# bound: Pillow holds a colour pixel in 4 bytes, and would then copy it twice.
_PILLOW_MAX_PIXELS = 1 << 26


def _decode_jpeg_quietly(packet: np.ndarray) -> np.ndarray | None:
    """:func:`decode_jpeg` without libjpeg's own line for a damaged JPEG ("Corrupt JPEG
    data: ...", past OpenCV's log): a raw MJPEG file's frames that do not decode are told in
    the reader's own words. (The app's player decodes a raw MJPEG's frames, and a network
    camera's, with :func:`decode_jpeg_silently`: standard error sent away at each would lose
    other threads' lines.)"""
    with native_stderr_silenced():
        return decode_jpeg(packet)


def clearly_short(read: int, announced: int) -> bool:
    """Whether ``read`` frames fall clearly short of the ``announced`` count (0: unknown),
    beyond what containers' estimated counts are off by."""
    return announced > 0 and announced - read > max(MISSING_FRAMES_NOTED, announced * MISSING_SHARE_NOTED)


def frame_span(first: int, end: int) -> str:
    """Frames ``first`` to ``end`` (not included) in words, as a warning names them."""
    return f"frame {first}" if end - first == 1 else f"frames {first}-{end - 1}"


def _image_frames(images: tuple[Path, ...]) -> Iterator[Frame]:
    for index, image_path in enumerate(images):
        frame = read_picture(image_path)
        if frame is None:
            # One bad file in a folder should not cost the rest of the folder.
            log.warning("skipping %s: %s", image_path, unreadable_image_reason(image_path))
            continue
        yield index, None, frame


def read_image(path: Path) -> np.ndarray | None:
    """``path``'s picture (BGR), or None when it cannot be read or decoded.

    A JPEG cut short (a download or copy that stopped) gives the part it holds, the rest
    grey, as image viewers show it, with a warning that says so.
    """
    # imdecode via numpy handles non-ASCII paths, which cv2.imread does not on Windows.
    try:
        if path.stat().st_size > MAX_IMAGE_FILE_BYTES:
            return None
        # Its size from its header first: a small file may decode to gigabytes.
        header = read_header(path)
        reduction = decoding_reduction(header)
        if reduction is None:
            return None
        data = np.fromfile(str(path), dtype=np.uint8)
    except (OSError, MemoryError):
        return None
    if data.size == 0:
        return None
    flags = decoding_flags(reduction)
    cut_short = False
    # A picture OpenCV cannot decode (a 32-bit integer TIFF, say) makes it log a warning, and a
    # damaged one makes libpng or libjpeg print a line of their own past that log; the
    # callers say so in their own words.
    with quiet_opencv_log(), native_stderr_silenced():
        try:
            image = cv2.imdecode(data, flags)
            if image is None and not _cut_short_jpeg(data):
                # Colour decoding takes 8- and 16-bit samples only (a JPEG's are 8-bit: one
                # shrunk is not decoded again whole).
                return decode_samples_as_they_are(data) if reduction == 1 else None
            if image is None:
                # OpenCV's in-memory JPEG source fails at the missing end, where libjpeg's
                # file source (cv2.imread) ends the data itself: end it the same way.
                image = cv2.imdecode(np.concatenate([data, _JPEG_END]), flags)
                cut_short = image is not None
        except cv2.error:
            # A header claiming more pixels than OpenCV decodes (2**30; a damaged size
            # field) fails an assertion instead of giving None.
            return None
    if cut_short:
        log.warning("%s: the file ends early (cut short?); the part it holds is used, the rest is grey", path)
    if image is not None and header is not None and reduction > 1:
        log.warning("%s: %s", path, reduced_text(header, reduction, image.shape[1], image.shape[0]))
    return image


def read_picture(path: Path) -> np.ndarray | None:
    """A folder's picture: :func:`read_image`'s, with a warning where the file holds more
    frames or pages than this first one (a folder's files are one picture each)."""
    picture = read_image(path)
    if picture is not None:
        count, unit = picture_count(path)
        if count > 1:
            log.warning(
                "%s: only the first of its %d %ss is used (a folder's files are read as one picture each; "
                "give it alone to read them all)",
                path,
                count,
                unit,
            )
    return picture


def unreadable_image_reason(path: Path, video_checked: bool = False) -> str:
    """Why :func:`read_image` gave no picture for ``path``, in a few words
    (``video_checked``: the caller has found it is no video named like a picture)."""
    if not os.access(path, os.R_OK):
        return "permission denied"
    try:
        size = path.stat().st_size
    except OSError as exc:
        return str(exc.strerror or exc)
    if size == 0 and is_empty_file(path):
        return EMPTY_FILE
    if size > MAX_IMAGE_FILE_BYTES:
        return f"{size / 2**30:.1f} GiB, too large for a picture"
    header = read_header(path)
    if header is not None and decoding_reduction(header) is None:
        return too_large_text(header)
    if not video_checked and _video_named_like_a_picture(path) is not None:  # in a folder, where files are pictures
        return "a video file named like a picture (give it on its own to play it)"
    return "not an image OpenCV can decode (corrupt or unsupported)"


_JPEG_START = np.array([0xFF, 0xD8], dtype=np.uint8)
_JPEG_END = np.array([0xFF, 0xD9], dtype=np.uint8)


def _cut_short_jpeg(data: np.ndarray) -> bool:
    """Whether ``data`` (a file's bytes) starts as a JPEG and lacks its end marker."""
    return data.size > 4 and bool(np.array_equal(data[:2], _JPEG_START)) and not np.array_equal(data[-2:], _JPEG_END)


def _natural_key(path: Path) -> list[object]:
    """Sort frame2.png before frame10.png."""
    return [int(part) if part.isdecimal() else part.lower() for part in re.split(r"(\d+)", path.name)]


# The least longer side of a folder's annotated video (see AnnotatedVideoWriter's min_side).
FOLDER_VIDEO_MIN_SIDE = 640
# The frame rate of an annotated video of pictures (a folder, a TIFF's pages, one picture):
# each is shown a second, the second the report counts it (at 10 fps they flashed by).
PICTURE_VIDEO_FPS = 1.0
# The widest or tallest frame FFmpeg's MPEG-4 Part 2 encoder takes (it refuses 8192).
MPEG4_MAX_SIDE = 8191


def _counted(number: int, noun: str) -> str:
    """``number`` of ``noun`` with its verb: "1 subfolder is", "2 subfolders are"."""
    return f"{count_text(number, noun)} {'is' if number == 1 else 'are'}"


def _either(suffixes: frozenset[str]) -> str:
    """``suffixes`` as a choice in words: ".avi, .mkv or .mp4"."""
    names = sorted(suffixes)
    return f"{', '.join(names[:-1])} or {names[-1]}"


# The types of the files the app writes: one of them alone is no file's name.
_OUTPUT_TYPES = VIDEO_SUFFIXES | FOLDER_SUFFIXES | {".csv"}


def no_name_problem(name: str) -> str:
    """Why the file name ``name`` (the last part of a path) is no name of its own, its
    trailing dots dropped ("" for none), worded to follow the path: "has no name before
    .mp4" for a video, picture or CSV type alone after any dots (".mp4", "..mp4", ".AVI.",
    ".csv"), which would write a hidden file of no name, "has no name" for dots alone. A
    dotfile's name (".talk.mp4") has one. The window's Record to… and snapshots, and
    ``analyze --output`` and ``--csv`` refuse so."""
    kept = name.rstrip(".")
    if not kept:
        return "has no name"
    if kept.startswith(".") and "." + kept.lstrip(".").lower() in _OUTPUT_TYPES:
        return f"has no name before {kept}"
    return ""


def video_name_problem(path: Path, name: str = "", one_picture: bool = False, shown: str = "") -> str:
    """Why :class:`AnnotatedVideoWriter` writes no video at ``path``, by its name alone ("" for
    none): no name before its type (:func:`no_name_problem`), a type it writes none of (or
    none, its name ending in a dot: the writer is given the name meant, not a name to
    tidy), or a name OpenCV cannot open. Asks no disk, so the window can refuse a
    recording's name before anything starts. ``name`` and ``one_picture``: as the
    writer's; ``shown``: ``path`` as the user typed it, where it was tidied ("talk.gif."
    for talk.gif), named in its stead."""
    said = f"{name} {shown or path}" if name else shown or str(path)
    nameless = no_name_problem(path.name)
    if nameless:
        return f"{said} {nameless}"
    if path.suffix.lower() not in VIDEO_SUFFIXES:
        # "talk.mp4." reads as an MP4 at a glance: its dot is said, or the list of types
        # below (.mp4 among them) would not tell what is wrong with it; a space too, unseen.
        last = path.name[-1:]
        dot = " (its name ends in a dot)" if last == "." else " (its name ends in a space)" if last.isspace() else ""
        # Each picture type named where one would do: a GIF is an image to its user, and
        # OpenCV writes none. Not for a recording or a video's frames, which refuse them.
        pictures = f" for a video, or {_either(IMAGE_SUFFIXES)} for one picture" if one_picture else ""
        return f"{said}: unsupported output type{dot}; use {_either(VIDEO_SUFFIXES)}{pictures}"
    if not is_utf8_name(path.absolute()):
        return f"{said}: OpenCV cannot write a video whose name (or folder's name) is not UTF-8; choose another name"
    return ""


class AnnotatedVideoWriter:
    """Writes BGR frames to a video; opened on the first frame, whose size it keeps.

    Frames given with :meth:`write_at` keep their times: each output frame shows the frame
    current at its time (see :class:`.retime.FrameSlots`), so a frame is repeated or dropped
    (counted in ``repeated`` and ``dropped``) where the frames' steps are not ``fps``'s;
    a step past :data:`.retime.MAX_HOLD_S` is one frame interval (the first
    :data:`.retime.MAX_JUMPS_KEPT` listed in ``jumps``: the frame after it, and the step in
    seconds; all counted in ``jump_count``).
    Later frames of another size (a folder of mixed images) are letterboxed to fit.
    ``min_side``: a first frame smaller than this on its longer side opens a video scaled
    up to it, its aspect kept (a folder whose first picture is a thumbnail or a 1 px
    image would otherwise shrink every later picture to that, or fail to open at all).
    ``path`` with an image suffix writes a single still image instead (the last frame).
    Nothing appears at ``path`` until :meth:`close`: frames go to a temporary file beside
    it, which is reopened and checked (its frame count) before it replaces ``path``
    (:meth:`finish` checks it and leaves the rename to the caller).
    :meth:`discard` drops what was written and leaves ``path`` as it was.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        fps: float | None = None,
        min_side: int = 0,
        name: str = "",
        one_picture: bool = False,
    ) -> None:
        """``name``: the option that gave ``path``; ``one_picture``: whether the caller takes a
        picture's suffix too (analyze of one frame), for the refusal of another suffix."""
        self.path = Path(path)
        self.fps = float(fps) if fps and fps > 0 else 10.0
        self.min_side = int(min_side)
        suffix = self.path.suffix.lower()
        self.still = suffix in IMAGE_SUFFIXES
        problem = "" if self.still else video_name_problem(self.path, name, one_picture)
        if problem:
            raise OutputError(problem)
        # H.264 for MP4 where the installed OpenCV can write it (probed once), else MPEG-4 Part 2.
        self.codec: VideoCodec | None = None if self.still else codec_for(suffix)
        check_target(self.path, name or "output")
        self._output = AtomicOutput(self.path)
        self._writer: cv2.VideoWriter | None = None
        self._size: tuple[int, int] | None = None
        self.frames_written = 0
        self.repeated = 0
        self.dropped = 0
        self._slots: FrameSlots | None = None
        # The last frame given to write_at: written once the next one's time says how often
        # (for the last, the end given to end_at: once where none was).
        self._held: np.ndarray | None = None
        self._end: float | None = None

    def write_at(self, frame: np.ndarray, time_s: float | None, index: int | None = None) -> None:
        """Add a frame shown from ``time_s`` (seconds; None: unknown, one output frame
        after the one before) until the next frame's time. Held until then (or
        :meth:`close`); DiskFullError as :meth:`write`. ``index``: the input's number for
        it, in ``jumps`` (else its count from 0)."""
        if self.still:
            self.write(frame)
            return
        if self._slots is None:
            self._slots = FrameSlots(self.fps)
        copies = self._slots.place(time_s, index)
        if self._held is not None:
            for _ in range(copies):
                self.write(self._held)
            self.repeated += max(0, copies - 1)
            self.dropped += copies == 0
        self._held = frame

    def end_at(self, time_s: float | None) -> None:
        """The frame given last to :meth:`write_at` is shown until ``time_s`` (its own end: the
        input's, for its last frame); :meth:`finish` writes it the output frames up to then,
        at least one, as :meth:`write_at` would the frame before a next one at ``time_s``
        (:meth:`.FrameSlots.end`: an end over 10 s after it is one frame, no jump). Without
        it, it is written once."""
        self._end = time_s

    @property
    def jumps(self) -> list[tuple[int, float]]:
        """The first jumps in the frames' times (see the class), kept by their FrameSlots."""
        return self._slots.jumps if self._slots is not None else []

    @property
    def jump_count(self) -> int:
        """Every jump in the frames' times, listed in ``jumps`` or not."""
        return self._slots.jump_count if self._slots is not None else 0

    def write(self, frame: np.ndarray) -> None:
        """Add a frame; DiskFullError when the disk has no room left for it."""
        if self.still:
            self._write_still(frame)
            return
        self._output.ensure_room(frame.nbytes)
        if self._writer is None:
            height, width = frame.shape[:2]
            if max(width, height) < self.min_side:
                grow = self.min_side / max(width, height)
                # Even sides: the encoders' chroma subsampling wants them.
                width, height = (max(2, 2 * round(side * grow / 2)) for side in (width, height))
            self._size = (width, height)
            assert self.codec is not None
            temp = self._output.open()
            # A refusal is told in the app's own words below, not in OpenCV's log lines.
            with quiet_opencv_log():
                self._writer = cv2.VideoWriter(
                    str(temp), cv2.VideoWriter.fourcc(*self.codec.fourcc), self.fps, self._size
                )
                if not self._writer.isOpened() and self.codec.name == "H.264":
                    # The probe's encoder refused this frame size: the always-present codec instead.
                    self.codec = MPEG4_PART2
                    self._writer = cv2.VideoWriter(
                        str(temp), cv2.VideoWriter.fourcc(*self.codec.fourcc), self.fps, self._size
                    )
            if not self._writer.isOpened():
                if not temp.parent.is_dir():  # deleted between making the file and opening it
                    error = self._output.folder_removed()
                    self.discard()
                    raise error
                self.discard()
                why = ""
                if self.codec == MPEG4_PART2 and max(width, height) > MPEG4_MAX_SIDE:
                    why = (
                        f": {self.codec.name} takes frames of at most {MPEG4_MAX_SIDE} px a side, these are "
                        f"{width}x{height}; write an .avi or .mkv instead"
                    )
                raise OutputError(f"{self.path}: OpenCV could not open a video writer for it{why}")
        assert self._size is not None
        if (frame.shape[1], frame.shape[0]) != self._size:
            frame = letterbox(frame, self._size)
        self._writer.write(frame)
        self.frames_written += 1

    def close(self) -> None:
        """Finish, verify and put the output in place; OutputError (file left as it was) if
        it cannot be. With no frame written nothing is created."""
        finished = self.finish()
        if finished is not None:
            finished.commit()

    def finish(self) -> AtomicOutput | None:
        """Finish and verify the temporary file, without putting it in place: the caller
        commits the output returned (with the other outputs of the same job,
        :func:`.output_group.commit_together`) or discards it. OutputError (the temporary file
        removed) if it does not verify; None with no frame written."""
        if self.still:
            return self._finish_still()
        held, self._held = self._held, None
        if held is not None:  # the last frame, until its end where that was given
            copies = 1
            if self._slots is not None:
                copies = max(1, self._slots.end(self._end))
            try:
                for _ in range(copies):
                    self.write(held)
            except OutputError:
                self.discard()
                raise
            self.repeated += copies - 1
        writer, self._writer = self._writer, None
        if writer is None:
            return None
        writer.release()
        temp = self._output.temp
        assert temp is not None
        found = _count_video_frames(temp)
        if found != self.frames_written:
            self._output.discard()
            try:
                self._output.ensure_room(0)
            except DiskFullError as exc:
                raise DiskFullError(self.path, f"the video could not be finished; {exc.detail}") from None
            raise OutputError(
                f"{self.path}: the written video does not read back ({found} of {self.frames_written} frames); not kept"
            )
        return self._output

    def _write_still(self, frame: np.ndarray) -> None:
        # Each image replaces the last in the temporary file: the output is the last frame.
        self._output.ensure_room(frame.nbytes)
        temp = self._output.open()
        if self.path.suffix.lower() in GRAY_IMAGE_SUFFIXES:  # OpenCV writes these from gray only
            frame = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        # Encoded in memory and written by numpy: any file name works (imwrite needs UTF-8).
        ok, encoded = cv2.imencode(self.path.suffix.lower(), frame)
        if not ok:
            raise OutputError(f"{self.path}: OpenCV could not write the image")
        try:
            encoded.tofile(str(temp))
        except OSError as exc:
            raise OutputError(f"{self.path}: the image could not be written ({exc.strerror or exc})") from None
        self._size = (frame.shape[1], frame.shape[0])
        self.frames_written += 1

    def _finish_still(self) -> AtomicOutput | None:
        temp = self._output.temp
        if temp is None:
            return None
        # Read back in gray: a third of the memory of the colour frame.
        check = cv2.imdecode(np.fromfile(str(temp), dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
        if check is None or (check.shape[1], check.shape[0]) != self._size:
            self._output.discard()
            raise OutputError(f"{self.path}: the written image does not read back; not kept")
        return self._output

    def discard(self) -> None:
        """Drop everything written; ``path`` stays as it was."""
        self._held = None
        if self._writer is not None:
            self._writer.release()
            self._writer = None
        self._output.discard()

    def __enter__(self) -> AnnotatedVideoWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        if kind is None or issubclass(kind, KeyboardInterrupt):
            self.close()
        else:
            self.discard()


def _count_video_frames(path: Path) -> int:
    """Frames a written video reports, or -1 if it does not open or its first frame
    does not decode (no index: the disk filled up, or the process was killed)."""
    capture = cv2.VideoCapture(str(path))
    try:
        if not capture.isOpened():
            return -1
        count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        ok, frame = capture.read()
        return count if ok and frame is not None else -1
    finally:
        capture.release()


def letterbox(frame: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``frame`` scaled to fit ``size`` (width, height) without distortion, black borders."""
    width, height = size
    scale = min(width / frame.shape[1], height / frame.shape[0])
    new_w, new_h = max(1, int(frame.shape[1] * scale)), max(1, int(frame.shape[0] * scale))
    resized = cv2.resize(frame, (new_w, new_h), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    canvas = np.zeros((height, width, 3), dtype=np.uint8)
    x, y = (width - new_w) // 2, (height - new_h) // 2
    canvas[y : y + new_h, x : x + new_w] = resized
    return canvas
