"""Immutable messages passed between the capture, inference and GUI threads.

Frozen dataclasses so a message can be handed to another thread without copying or
locking: nobody may change it after it is sent. The numpy arrays inside are never
written to after construction (by convention; numpy cannot freeze them cheaply).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from emotion_app.io.unfinished import Tidied
from emotion_app.results import FaceResult
from emotion_app.sources.specs import SourceSpec, VideoFileSpec
from emotion_app.wording import capitalised, count_text

if TYPE_CHECKING:
    from .annotation import StreamChartPlaces


@dataclass(frozen=True)
class FaceNames:
    """Names the user gave to faces of one stream, as (track id, name) pairs: ids count
    again from 1 in another session, so a name applies only to the stream it was given in
    and to the streams of its session after it (carried on by the window and the worker)."""

    stream_id: int
    names: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class SourceInfo:
    """What an opened source reported about itself."""

    spec: SourceSpec
    stream_id: int  # changes with every (re)start, so stale frames can be told apart
    width: int
    height: int
    fps: float  # native rate (video) or the rate the camera announces; 0 if unknown
    frame_count: int  # video frames, 0 if unknown or a camera
    # What a file turned out to be, in words ("video file", "animation", "image",
    # "multi-page image", "folder of images"): its content decides, not its name (a clip
    # saved as .jpg, an animated WebP, a TIFF of several pages). "" for cameras and screens.
    what: str = ""
    # Which of the stops and opens sent to the capture thread opened it (see
    # SourceNotice.request): one that opened as the same source was stopped and opened
    # again is of an open no longer current.
    request: int = 0
    # The session it opened in (see CapturedFrame.session): the window starts one for another
    # source, the capture worker for a file opened again that has changed on disk since.
    session: int = 0

    @property
    def slide_show(self) -> bool:
        """Whether pictures are shown one after another (no frame rate of their own)."""
        return self.what in ("image", "multi-page image", "folder of images")

    @property
    def single_picture(self) -> bool:
        """A slide show of one picture (a photo): nothing to seek through, no length to tell."""
        return self.slide_show and self.frame_count == 1

    def describe(self) -> str:
        """The source, in words, capitalised: "Animation /path/a.webp", "Camera 0",
        "Multi-page image /path/scan.tiff (12 pages)"…"""
        if not self.what or not isinstance(self.spec, VideoFileSpec):
            return self.spec.describe(capital=True)
        pages = f" ({count_text(self.frame_count, 'page')})" if self.what == "multi-page image" else ""
        return capitalised(f"{self.what} {self.spec.path}{pages}")


@dataclass(frozen=True)
class PlaybackState:
    """Where a file's playback is: sent when it pauses, resumes or moves."""

    stream_id: int
    position: int  # index of the frame on screen (the last one delivered)
    frame_count: int  # 0 when the container does not say
    fps: float  # the rate the file plays at
    paused: bool
    # The pauses and plays asked for (CaptureWorker.hold_sent) the capture thread had taken
    # when it sent this: ``paused`` is not yet that of one asked for after them.
    holds_taken: int = 0


class FaultKind(Enum):
    """Why a stream stopped; the window picks its message and buttons from this."""

    OPEN_FAILED = "open_failed"  # camera absent/busy, video missing or unreadable
    READ_FAILED = "read_failed"  # reads started failing mid-stream (camera unplugged, damaged file)
    ENDED = "ended"  # a video reached its last frame


@dataclass(frozen=True)
class FileEnd:
    """A file played to its end: its last frame delivered (an :class:`InferenceResult`'s
    ``run`` and ``frame_index``) and when that frame gives way, in stream time (its own
    duration where the file stores one, else a frame interval after it, as ``analyze``
    takes it)."""

    run: tuple[int, int]
    frame_index: int
    end_s: float


@dataclass(frozen=True)
class SourceFault:
    """A stream that could not start or stopped on its own."""

    kind: FaultKind
    spec: SourceSpec
    message: str
    frames_read: int = 0
    # A file source's file is there (Retry may help). Found on the capture thread: a stat
    # of a file on a network share whose server has gone blocks, and must not block the GUI.
    file_there: bool = False
    # Which of the stops and opens sent to the capture thread opened (or tried to open) the
    # stream (see SourceNotice.request): a fault of one since stopped and opened again is
    # not the new open's.
    request: int = 0
    # Of a file read to its end (ENDED), or to where it stops (READ_FAILED: cut short, or
    # a raw MJPEG's why_ended): its last frame's end, which the timeline counts.
    file_end: FileEnd | None = None
    # Of a file read to its end: its last frame delivered (a result's ``run`` and
    # ``frame_index``), a picture's too, whose result "Finished playing" waits for.
    last_frame: tuple[tuple[int, int], int] | None = None


@dataclass(frozen=True)
class SourceNotice:
    """News of a source that plays on (a network camera opening its stream again), or of
    one being opened (waiting for a slow camera's first frame): shown until the next notice
    of its stream, or until it opened; ``text`` is empty when the news is over.
    ``reconnected``: the times its stream broke off and played again, so far; ``calm``:
    news of no fault (a camera that sends few frames, waited for). ``request``: of a notice
    before the source opened, which of the stops and opens sent to the capture thread its
    open is (see ``StreamController.requests_sent``): one sent just as the same source was
    stopped and opened again is of an open no longer current."""

    spec: SourceSpec
    stream_id: int
    text: str
    reconnected: int = 0
    calm: bool = False
    request: int = 0


@dataclass(frozen=True)
class CapturedFrame:
    """One frame as read from the source."""

    stream_id: int
    index: int  # 0-based index in the stream (the video's frame number for files)
    image: np.ndarray  # BGR uint8, H x W x 3
    capture_time: float  # time.perf_counter() right after the read returned
    source_time: float  # seconds into the stream (index / fps for files)
    mirrored: bool = False  # flipped left to right (View > Mirror view)
    # A still of a slide show: how long the show holds it (its time is only its place in
    # the show, which it is counted from); 0: not a still.
    picture_s: float = 0.0
    # Times the stream was moved (seeks) before this frame: a change tells the frame after a
    # jump from one after a stall, which the frame times alone cannot.
    seeks: int = 0
    # Which source's session the frame belongs to: the window starts a new one for another
    # source (ids count from 1 again), not when the same source is started again.
    session: int = 0
    # Of a file (or a slide show): its moments come at the same times however often it is
    # played, so a face seen again at one is the person seen there before (a camera's
    # times start again at 0 at each start).
    in_file: bool = False
    # A file's frame's own time in it, where it differs from ``source_time``: a looping
    # file's, whose time goes on across loops while its moments come again each loop
    # (None: ``source_time``).
    file_time: float | None = None
    # A paused file's frame (paused on, stepped or sought to, shown again): the screen must
    # settle on it, so its result is sent however far behind the GUI is: the newest one held,
    # one over the gate's bound (see DeliveryGate). The user looks at it as long as they
    # like: its faces show at once, as a frame's held long (see inference_worker).
    held: bool = False
    # How long the file shows this video frame: its own duration where the file stores one
    # (an animation's delay), else a frame interval; 0 for a camera's, or a slide show's
    # picture (``picture_s``). The timeline counts it for a frame a seek or Stop leaves.
    shown_s: float = 0.0

    @property
    def picture(self) -> bool:
        """A still of a slide show."""
        return self.picture_s > 0


@dataclass(frozen=True)
class SkippedFrame:
    """What the timeline counts of a frame labelled but never shown (its result skipped by
    a busy GUI): an :class:`InferenceResult` without its pictures."""

    stream_id: int
    frame_index: int
    source_time: float
    faces: tuple[FaceResult, ...]
    labels: tuple[str, ...]
    picture_s: float = 0.0
    seeks: int = 0
    shown_s: float = 0.0

    @property
    def run(self) -> tuple[int, int]:
        """As :attr:`InferenceResult.run`."""
        return (self.stream_id, self.seeks)


@dataclass(frozen=True)
class InferenceResult:
    """Everything the GUI needs to paint one frame; emitted by the inference worker."""

    stream_id: int
    frame_index: int
    image: np.ndarray  # the BGR frame the faces were found in
    # The frame with the core's overlay (emotion_app.io.overlay) sized by the frame alone:
    # what snapshots and recordings save. None when the screen's picture has larger text
    # (a large frame in a small window) and nothing needed it: annotation.saved_picture.
    annotated: np.ndarray | None
    # The overlay for the screen as BGRA (QImage.Format_RGB32 memory layout): ``annotated``,
    # or with text readable at ``overlay_scale`` where the frame's own would be too small;
    # drawn on ``shown_frame`` (smaller than the frame) where there is one, or on the frame
    # enlarged ``overlay_pixels`` times (annotation.enlarged_size) for a high-DPI screen.
    display_image: np.ndarray
    faces: tuple[FaceResult, ...]
    labels: tuple[str, ...]  # class names in probability order, from the weights file
    capture_time: float
    source_time: float
    inference_done_time: float  # time.perf_counter() when the result was ready
    stage_ms: dict[str, float] = field(default_factory=dict)  # pipeline timings of this frame
    dropped_frames: int = 0  # frames the capture mailbox overwrote so far in this stream
    overlay_bars: bool = True  # whether ``annotated`` has the probability charts
    # The view's scale (view pixels per frame pixel, quantised) ``display_image``'s text was
    # sized for; None: sized by the frame alone.
    overlay_scale: float | None = None
    # How many times the screen's picture (with faces) enlarges the frame, as the view asked
    # (annotation.screen_pixel_ratio): 1 but on a high-DPI screen.
    overlay_pixels: float = 1.0
    picture_s: float = 0.0  # of a still of a slide show (CapturedFrame.picture_s)
    seeks: int = 0  # CapturedFrame.seeks
    # The frame shrunk for the screen, without overlay (annotation.shown_frame_of): kept so a
    # redraw (names, charts, the window's size) need not shrink a huge still again; None
    # where the frame is shown at its own size.
    shown_frame: np.ndarray | None = None
    shown_s: float = 0.0  # CapturedFrame.shown_s
    # The frames of its stream labelled since the result sent before it, whose results a
    # busy GUI skipped (DeliveryGate), oldest first: the timeline counts each for its own
    # faces, as ``analyze --report`` counts every frame.
    skipped_before: tuple[SkippedFrame, ...] = ()
    # The stream's chart places the worker laid this frame out with (as they were before
    # it): a redraw (a name given, another screen) keeps its charts where they were shown.
    chart_places: StreamChartPlaces | None = None

    @property
    def run(self) -> tuple[int, int]:
        """The stretch of playback the frame belongs to: a new one after each restart or
        seek, so a change tells a jump from a stall."""
        return (self.stream_id, self.seeks)

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])


@dataclass(frozen=True)
class ModelStatus:
    """Outcome of loading the weights in the inference worker."""

    weights_path: Path | None  # the file this status is about
    labels: tuple[str, ...] = ()  # of the model in use (empty: none)
    error: str = ""  # why ``weights_path`` could not be loaded; empty when it was
    active_weights: Path | None = None  # the model in use: this one, an earlier one, or none
    # ``active_weights`` with its links resolved by the thread that loaded it (None: unknown).
    active_resolved: Path | None = None
    inference_mode: str = ""  # "eager", "int8" or "fp32" (the classifier's runner)
    note: str = ""  # why the runner is not the fastest one, if it is not
    # The same model as the last status, now on its fast classifier: no load happened, so
    # a banner about a failed load stays up.
    runner_changed: bool = False
    # The shipped model runs because the model asked for at start-up did not load: it
    # stands in, and is no choice of the user's to remember.
    stand_in: bool = False

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass(frozen=True)
class RecordingRequest:
    """Where to record the annotated video and its per-face CSV."""

    video_path: Path
    csv_path: Path


@dataclass(frozen=True)
class CheckedRecording:
    """A recording whose files were checked off the GUI thread, with what that check's tidy
    of their folders did, for each folder with something to tell (the video's and the
    CSV's may be two)."""

    request: RecordingRequest
    tidied: tuple[Tidied, ...] = ()


@dataclass(frozen=True)
class RecordingSummary:
    """What a finished (or failed) recording wrote."""

    request: RecordingRequest
    frames_written: int
    rows_written: int
    error: str = ""
    codec: str = ""  # the video codec used, in words (H.264, or the fallback and why)
    ended_by: str = ""  # why it ended without the user stopping it, when its files are whole
    csv_kept: bool = False  # its CSV was put in place (its header alone when no face was seen)
