"""Video files and pictures: a video through OpenCV's FFmpeg, a raw Motion JPEG file read by
the app itself, an animated picture, and a picture, a multi-page TIFF or a folder of pictures
played as a slide show. What a file is, its content decides, not its name."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from emotion_app.io.frame_format import normalise_frame
from emotion_app.io.gif_delays import GifFrameEnds
from emotion_app.io.multi_picture import AnimatedPicture, PagedPicture
from emotion_app.io.opencv_names import is_utf8_name
from emotion_app.io.path_lookup import PathCannotBeLookedAt, path_exists
from emotion_app.io.raw_mjpeg import RawMjpeg
from emotion_app.io.video import (
    EMPTY_FILE,
    RAW_MJPEG_FPS,
    InputError,
    MediaInput,
    announced_frames,
    decode_jpeg_silently,
    first_decodable_jpeg,
    first_frame_read,
    is_empty_file,
    is_raw_mjpeg,
    is_safetensors_file,
    open_input,
    open_video_quietly,
    picture_named_like_a_video,
    read_picture,
)

from .frame_source import FrameSource, SourceOpenError, usable_fps
from .opencv_source import OpenCvFrameSource
from .specs import VideoFileSpec

# A raw MJPEG file's JPEGs are counted while it opens this far into it (bytes): a short
# file says its length with its first frame, a longer one once a thread has counted it.
RAW_MJPEG_COUNTED_AT_OPEN = 16 << 20


# A folder of images (or one image, or a file of one frame) plays as a slide show: each
# picture this long, on screen, on the seek bar, in a recording and in the session timeline
# (StillsFrameSource.shown_s).
STILL_SECONDS = 2.0


class StillsFrameSource:
    """A folder of images, or one image, played as a slide show (seekable like a file).

    A picture's place in the show (the seek bar's) never changes: a folder's file that
    OpenCV does not know the format of, from its first bytes, is left out of the places as
    the show opens, and one that looks like a picture but does not decode keeps its place:
    read there gives None, as a video's damaged frame does, and the capture worker reads
    on past it (or, stepping back, before it). :attr:`unreadable` names both.
    """

    def __init__(
        self,
        images: tuple[Path, ...],
        first_picture: np.ndarray | None = None,
        load: Callable[[int], np.ndarray | None] | None = None,
        videos_left_out: int = 0,
        subfolders_left_out: int = 0,
        paged: bool | None = None,
    ) -> None:
        """``first_picture``: the first image's picture, already decoded (not read again).
        ``load``: what reads the picture at a place in ``images`` (default: its file's).
        ``videos_left_out``, ``subfolders_left_out``: the folder's video files and
        subfolders, not in the show (its end says so). ``paged``: ``images`` are the pages
        of one file (default: where ``load`` is given)."""
        self._images = images
        self.videos_left_out = videos_left_out
        self.subfolders_left_out = subfolders_left_out
        # The pages of one file: named by their page.
        self.paged = load is not None if paged is None else paged
        self._load_at = load or (lambda index: read_picture(self._images[index]))
        # The show's places: the indexes in ``images`` of those that may be pictures. Left
        # out when met instead, a file moved every picture after it down one place, so a
        # seek to a place showed another picture once a seek back had passed the file.
        opened = first_picture is not None or self.paged  # the pictures of a file that read
        self._places = [index for index, path in enumerate(images) if opened or _looks_readable(path)]
        # Indexes in ``images`` left out as the show opened, or that did not read when met.
        self._failed = set(range(len(images))).difference(self._places)
        # The show starts at the first picture that reads (the capture worker reads past
        # the others that do not, as they come).
        first, self._next = None, 0
        if first_picture is not None and images:
            first, self._next = normalise_frame(first_picture), 1
        while first is None and self._next < len(self._places):
            first = self._load(self._next)
            self._next += 1
        # The place in the show of the picture read last.
        self.position = self._next - 1
        if first is None:
            what = f"the image {images[0]}" if len(images) == 1 else f"any of the {len(images)} images"
            why = "damaged, or not an image"
            if not self.paged and images and all(is_empty_file(path) for path in images):
                # A folder of failed downloads or copies: said so, as a file of them on its own is.
                why = EMPTY_FILE if len(images) == 1 else "each file is empty (0 bytes)"
            raise SourceOpenError(f"Could not read {what}: {why}")
        self.height, self.width = first.shape[:2]
        self._pending: np.ndarray | None = first
        # How long each picture is shown: the show's rate, so the places' times (index / fps),
        # the pace, and what the timeline counts a picture (CapturedFrame.picture_s) agree.
        self.shown_s = STILL_SECONDS
        self.fps = 1.0 / self.shown_s
        self.frame_count = len(self._places)
        self.last_time_s: float | None = None  # pictures: by their place in the show

    @classmethod
    def of_one_frame(cls, path: Path, picture: np.ndarray) -> StillsFrameSource:
        """The file ``path`` of one frame, ``picture`` (a video of one frame, a still GIF, a
        picture named .mp4), shown as the picture it is: 2 s, as a photo (kept, for a seek
        back to it: its file is no picture OpenCV's image reader decodes)."""
        kept = normalise_frame(picture)
        return cls((path,), kept, load=lambda _index: kept.copy(), paged=False)

    def _load(self, place: int) -> np.ndarray | None:
        """The picture at ``place``; None where it does not read (tried once: it stays
        unread when met again)."""
        index = self._places[place]
        if index in self._failed:
            return None
        frame = self._load_at(index)
        if frame is None:
            self._failed.add(index)
            return None
        return normalise_frame(frame)

    @property
    def pictures(self) -> int:
        """The pictures of the show: those that read, and those not tried yet (a seek
        passed them), which OpenCV knows the format of."""
        return len(self._places) - len(self._failed.intersection(self._places))

    @property
    def unreadable(self) -> list[str]:
        """The names of the files not in :attr:`pictures`: those left out as the show
        opened, and those that did not read."""
        return [self._name(index) for index in sorted(self._failed)]

    def _name(self, index: int) -> str:
        name = self._images[index].name
        return f"page {index + 1} of {name}" if self.paged else name

    def read(self) -> np.ndarray | None:
        pending = self._pending
        if pending is not None:
            self._pending = None  # the show goes on after it (a seek clears it first)
            return pending
        if self._next >= len(self._places):
            return None
        place, self._next = self._next, self._next + 1
        frame = self._load(place)
        if frame is not None:
            self.position = place
        return frame

    def rewind(self) -> bool:
        return self.seek(0)

    def seek(self, frame: int) -> bool:
        self._pending = None
        self._next = max(0, min(frame, len(self._places)))
        return True

    def release(self) -> None:
        self._pending = None


class AnimationFrameSource:
    """An animated picture (WebP, PNG) played as a video, at its frames' own times (seeks:
    :meth:`AnimatedPicture.frames`)."""

    def __init__(self, animation: AnimatedPicture) -> None:
        self._animation = animation
        self._frames = self._animation.frames()
        self._pending = next(self._frames, None)
        if self._pending is None:
            raise SourceOpenError(f"Could not read any frame of the animation {animation.path}: it is damaged")
        self.width, self.height = self._animation.width, self._animation.height
        fps = self._animation.fps or 0.0
        self.fps = fps if 1.0 <= fps <= 240.0 else 0.0
        self.frame_count = self._animation.count
        self.last_time_s: float | None = None
        # When the frame read last gives way to the next: an animation's frames say how
        # long each is shown, where a video's next frame only tells by its own time.
        self.last_end_s: float | None = None

    @property
    def decoded_frames(self) -> int:
        """The frames the animation's reader decoded so far."""
        return self._animation.decoded_frames

    def read(self) -> np.ndarray | None:
        item, self._pending = self._pending, None
        if item is None:
            item = next(self._frames, None)
        if item is None:
            return None
        self.last_time_s = item[1]
        self.last_end_s = self._animation.end_s(item[0])
        return item[2]  # AnimatedPicture.frames() gives them as BGR already

    def rewind(self) -> bool:
        return self.seek(0)

    def seek(self, frame: int) -> bool:
        self._frames.close()
        self._frames = self._animation.frames(max(0, min(frame, self.frame_count - 1)))
        self._pending = None
        return True

    def release(self) -> None:
        self._frames.close()
        self._pending = None
        self._animation.release()  # a WebP's frames kept for a seek back


def _looks_readable(path: Path) -> bool:
    if not is_utf8_name(path):
        # OpenCV 4.14 crashes (SIGSEGV) on such a name: counted by its suffix, untried.
        return True
    try:
        return bool(cv2.haveImageReader(str(path)))
    except (cv2.error, OSError):
        return False


def open_file(spec: VideoFileSpec) -> FrameSource:
    """Open the video file, picture, animation or folder of pictures of ``spec`` and read its
    first frame (a file's content decides what it is, not its name); raises
    :class:`SourceOpenError` with a reason."""
    if spec.kind != "video file":
        try:
            media = open_input(spec.path)
        except InputError as exc:
            raise SourceOpenError(str(exc)) from exc
        # A video named like a picture (of one frame: the picture it is, as _open_video shows it).
        if (media.kind == "video" and media.animation is None) or media.one_frame_video:
            return _open_video(spec)
        return _picture_source(media)
    return _open_video(spec)


def _picture_source(media: MediaInput) -> FrameSource:
    """The source of a picture, animation or multi-page TIFF ``media`` opened by open_input."""
    if media.animation is not None:
        return AnimationFrameSource(media.animation)
    # A single image was decoded while it was opened: the show starts with it.
    opened = media.opened_picture.pop() if media.opened_picture else None
    if media.pages:  # a multi-page TIFF: a show of its pages
        try:
            paged = PagedPicture(media.path)
        except (OSError, MemoryError) as exc:
            raise SourceOpenError(f"Could not read the pages of {media.path}: {exc}") from None
        return StillsFrameSource(media.images * media.pages, opened, paged.page)
    return StillsFrameSource(
        media.images, opened, videos_left_out=media.videos_left_out, subfolders_left_out=media.subfolders_left_out
    )


def _picture_named_like_a_video(path: Path) -> FrameSource | None:
    """``path``'s source as the picture or animation it is, where FFmpeg could not read the
    video its name says (an animated WebP renamed .mp4); None where it is no picture."""
    try:
        media = picture_named_like_a_video(path)
    except InputError as exc:
        raise SourceOpenError(str(exc)) from None
    return _picture_source(media) if media is not None else None


def _open_video(spec: VideoFileSpec) -> FrameSource:
    path = Path(spec.path)
    try:
        found = path_exists(path)
    except PathCannotBeLookedAt as exc:
        raise SourceOpenError(f"Could not open video file {path}: it {exc}") from None
    if not found:
        raise SourceOpenError(f"Video file not found: {path}")
    if not path.is_file():
        raise SourceOpenError(f"Not a video file (it is a folder or device): {path}")
    try:
        # Asked first: OpenCV refuses a file it may not read as one it "cannot decode".
        with path.open("rb"):
            pass
    except OSError as exc:
        raise SourceOpenError(f"Could not open video file {path}: it cannot be read ({exc.strerror or exc})") from None
    if is_empty_file(path):  # a failed download or copy: said so, not "damaged, or not a video"
        raise SourceOpenError(f"Could not open video file {path}: {EMPTY_FILE}")
    if is_raw_mjpeg(path):
        # Not opened by FFmpeg, whose probe reads on to the next JPEG's start: all of a
        # recorder's padding after the last, seconds a gigabyte, with Stop waiting for it.
        raw = RawMjpegFrameSource(path, RAW_MJPEG_FPS)
        if not raw.one_picture:
            return raw
        # A file of one JPEG (a photo named .mp4) is that photo, and stays it: JPEGs a
        # recorder writes after it are played when it is opened again.
        first = raw.read()
        raw.release()
        if first is None:
            raise SourceOpenError(f"Could not read any frame from video file {path}: it is empty or damaged")
        return StillsFrameSource.of_one_frame(path, first)
    try:
        capture = open_video_quietly(path)
    except OSError as exc:
        raise SourceOpenError(f"Could not open video file {path}: {exc}") from None
    if not capture.isOpened():
        capture.release()
        if (picture := _picture_named_like_a_video(path)) is not None:
            return picture
        if is_safetensors_file(path):  # a model, picked in the wrong dialog: not "damaged"
            raise SourceOpenError(
                f"Could not open video file {path}: it is a model's weights file (safetensors), not a video; "
                "models load through Model > Load weights…"
            )
        raise SourceOpenError(f"Could not open video file {path}: OpenCV cannot decode it (damaged, or not a video)")
    # A damaged start (a file cut there) is read past, as analyze reads past it.
    frame, failed = first_frame_read(capture, announced_frames(capture))
    if frame is None:
        capture.release()
        if (picture := _picture_named_like_a_video(path)) is not None:
            return picture
        raise SourceOpenError(f"Could not read any frame from video file {path}: it is empty or damaged")
    gif = _is_gif(path)
    gif_ends = GifFrameEnds.read(path) if gif else None
    if gif:
        # A GIF's own frames tell, not FFmpeg's count.
        one_frame = gif_ends is not None and len(gif_ends.ends_s) == 1
    elif announced_frames(capture) <= 1:
        # A PNG named .mp4 (FFmpeg announces no length) or a video of one frame, where no
        # second frame follows (a JPEG named so is a raw MJPEG's, which counts its own).
        one_frame = not _grab_quietly(capture)
        if not one_frame:  # a stream that does not say its length: read again from its start
            capture.release()
            capture, frame, failed = _reopened(path)
    else:
        one_frame = False
    if one_frame:
        # A picture, with nothing to seek or step through: shown, timed and recorded as a
        # photo is (2 s), not as a clip of one frame interval.
        capture.release()
        return StillsFrameSource.of_one_frame(path, frame)
    return OpenCvFrameSource(
        capture, normalise_frame(frame), timed=True, seeks_from_start=gif, gif_ends=gif_ends, failed_before=failed
    )


def _grab_quietly(capture: cv2.VideoCapture) -> bool:
    """Whether another frame follows in ``capture`` (taken from it, not decoded)."""
    try:
        return bool(capture.grab())
    except cv2.error:
        return False


def _reopened(path: Path) -> tuple[cv2.VideoCapture, np.ndarray, int]:
    """``path`` opened again, with its first frame read, and the reads that failed before it."""
    try:
        capture = open_video_quietly(path)
    except OSError as exc:
        raise SourceOpenError(f"Could not open video file {path}: {exc}") from None
    frame, failed = first_frame_read(capture, announced_frames(capture)) if capture.isOpened() else (None, 0)
    if frame is None:  # it read a moment ago: changed or gone meanwhile
        capture.release()
        raise SourceOpenError(f"Could not read any frame from video file {path}: it is empty or damaged")
    return capture, frame, failed


def _is_gif(path: Path) -> bool:
    """Whether ``path`` holds a GIF (by its first bytes, whatever its name)."""
    try:
        with path.open("rb") as handle:
            return handle.read(6) in (b"GIF87a", b"GIF89a")
    except OSError:
        return False


class RawMjpegFrameSource:
    """A raw Motion JPEG file (JPEGs one after another, no container), each JPEG decoded
    at its own size.

    FFmpeg can neither seek in one nor count its frames: an index of where each JPEG
    starts (:class:`~emotion_app.io.raw_mjpeg.JpegIndex`) does both. A seek is a file
    seek, back or ahead; the frame count is known once the index has reached the file's
    end: at opening for a short file (or one counted before and unchanged since), for a
    longer one once :meth:`count_in_background` has counted it (frame_count is 0 until
    then). A seek past the end lands on the last whole frame; a seek or a read past the
    JPEGs found so far scans on to its JPEG, unless :meth:`give_up_scans_when` says to
    give up meanwhile.
    """

    def __init__(self, path: Path, fps: float) -> None:
        """``fps``: the file's frame rate (it has none of its own), its frames' times."""
        try:
            self._file = RawMjpeg(path)
        except OSError as exc:
            raise SourceOpenError(f"Could not open video file {path}: {exc}") from None
        self._file.index.scan(up_to=RAW_MJPEG_COUNTED_AT_OPEN)
        # A damaged first JPEG is read past, as one further on is (and as analyze does).
        first, place = first_decodable_jpeg(self._file, decode_jpeg_silently)
        if first is None:
            self._file.close()
            raise SourceOpenError(f"Could not read any frame from video file {path}: it is empty or damaged")
        self._pending: np.ndarray | None = normalise_frame(first)
        self.height, self.width = self._pending.shape[:2]
        # The JPEGs before the first that decodes: reads that failed (see CaptureWorker).
        self.failed_before = place
        self._next = place + 1  # the place in the file of the JPEG read next
        self.fps = usable_fps(fps)
        self.last_time_s: float | None = None
        # The place in the file of the JPEG read last: one that does not decode is skipped,
        # so it is not the count of frames read (as analyze numbers them).
        self.position = place
        self._closed = False
        self._give_up: Callable[[], bool] | None = None
        # A file of one JPEG (a photo named .mp4): a picture, nothing to seek or step through;
        # not one with a second JPEG begun after it (a recorder's, written on: a clip). It
        # stays one: a JPEG a recorder writes after it, read on, played under "(1 picture)".
        self.one_picture = self._file.index.count == 1 and self._file.index.cut_short is None

    @property
    def frame_count(self) -> int:
        return 1 if self.one_picture else self._file.index.count or 0

    @property
    def why_ended(self) -> str | None:
        """Why reading stopped short of the end, where it is not a damaged file's reason:
        the file written over in place while open (a recorder starting again under the
        same name), its JPEGs no longer where they were found."""
        if not self._file.index.written_over:
            return None
        return "was written over while it was open: open it again to play what it holds now"

    def count_in_background(self, on_change: Callable[[], None]) -> None:
        """Count the file's frames on a thread of its own; ``on_change`` is called (from
        any thread) when frame_count changes after this call, never after :meth:`release`."""
        self._file.index.count_in_background(lambda _count: on_change())

    def give_up_scans_when(self, give_up: Callable[[], bool]) -> None:
        """A seek or a read that scans the file for its JPEG gives up (fails, the file where
        it was) once ``give_up`` says so: asked between reads of the file, on the thread
        seeking or reading. The read past the last frame scans all that follows it (a
        recorder's padding) for another."""
        self._give_up = give_up

    def read(self) -> np.ndarray | None:
        if self._closed:
            return None
        place = self._next - 1 if self._pending is not None else self._next
        if self.one_picture and place > 0:
            return None  # the picture's only frame read: what follows it was written since
        frame, self._pending = self._pending, None
        if frame is None:
            packet = self._file.jpeg(place, self._give_up)
            if packet is None:
                # Past the last JPEG, on one whose end is not written yet, or given up: not
                # passed (a file still written to may hold it later).
                return None
            self._next = place + 1
            decoded = decode_jpeg_silently(packet)  # a damaged JPEG's libjpeg line kept off the terminal
            if decoded is None or decoded.size == 0:
                return None
            frame = normalise_frame(decoded)
        self.last_time_s = place / self.fps if self.fps > 0 else None
        self.position = place
        return frame

    def rewind(self) -> bool:
        return self.seek(0)

    def seek(self, frame: int) -> bool:
        if self._closed:
            return False
        self._pending = None  # the frame read while opening is no longer next
        frame = max(0, frame)
        found = self._file.index.span(frame, self._give_up) is not None
        if not found and self._give_up is not None and self._give_up():
            return False  # not known to be past the end: not found yet
        if not self._file.index.still_as_indexed():
            return False  # written over: none of the JPEGs found is where it was
        count = self._file.index.count  # known where the span needed the file's end
        if not found or (count is not None and frame >= count):
            # Past the end, or on a last JPEG cut short: the last whole frame.
            if not count:
                return False
            frame = count - 1
        self._next = frame
        return True

    def release(self) -> None:
        self._closed = True
        self._pending = None
        self._file.close()
