"""EmotionPipeline: frame in, one FaceResult per face out (detect, track, classify, steady).

Qt-free and thread-agnostic: it holds per-video state (tracks), so one pipeline should be
driven by one thread at a time; the GUI's inference worker owns its own instance.
With ``background_scan=True`` its tracker runs the periodic scan for new faces on a thread
of its own; :meth:`EmotionPipeline.close` (or a ``with`` block) ends that thread.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from types import TracebackType
from typing import Any, SupportsFloat

import cv2
import numpy as np

from .faces.detector import MAX_SEARCHED_SIDE, FaceDetector
from .faces.tracker import FaceTracker
from .inference.classifier import EmotionClassifier
from .inference.reuse import PredictionReuse
from .inference.steadiness import DEFAULT_STEADINESS, LabelSteadier, Steadiness, UncertaintyRule, steadiness_level
from .preprocessing import Preprocessing, crop_face, to_gray
from .results import FaceResult
from .seconds import seconds_or_none

# Frames with more pixels than this are scaled down to it before anything else; boxes are
# reported in the frame's own pixels, and the smallest face found grows by the same factor.
# A still picture may have up to 2560x1440: a camera's photo is searched as thoroughly in
# seconds, its large faces at several sizes; its faces are classified from the picture's own
# pixels (docs/measurements.md, "Big photos").
MAX_DETECTION_PIXELS = 2560 * 1440
# A still shrunk to that has its small faces (from 24 px up to where the copy's search takes
# over) searched again at its own size up to this, as all its faces were before: a 4K
# screenshot's or class photo's 26 px faces would be 17 px in the copy.
MAX_SMALL_FACE_PIXELS = MAX_SEARCHED_SIDE * MAX_SEARCHED_SIDE
# A video frame up to 1920x1080: a 4K stream searched and cropped at full size could not be
# shown live (docs/measurements.md); at 4K, faces under 48 px (a hundredth of the
# picture's width) are then not looked for.
MAX_STREAM_PIXELS = 1920 * 1080


def detection_gray(frame: np.ndarray, max_pixels: int = MAX_DETECTION_PIXELS) -> tuple[np.ndarray, float]:
    """The gray image the pipeline works on and its scale relative to ``frame`` (1.0, or
    less for frames over ``max_pixels``)."""
    height, width = frame.shape[:2]
    if height * width <= max_pixels:
        return to_gray(frame), 1.0
    scale = math.sqrt(max_pixels / (height * width))
    size = (max(1, int(width * scale)), max(1, int(height * scale)))
    resizable = frame.dtype in (np.uint8, np.uint16, np.float32, np.float64)
    if resizable and (frame.ndim == 2 or frame.shape[2] in (1, 3, 4)):
        # Shrink first (no full-size gray copy), then convert the small image.
        small = cv2.resize(frame, size, interpolation=cv2.INTER_AREA)
        gray = to_gray(small if small.ndim == frame.ndim else small[:, :, None])
    else:
        gray = cv2.resize(to_gray(frame), size, interpolation=cv2.INTER_AREA)
    return gray, size[0] / width


def searched_size(height: int, width: int, still: bool) -> tuple[int, int]:
    """(width, height) of the largest copy of a ``width`` x ``height`` frame that
    :meth:`EmotionPipeline.process` searches for faces (``still``: a picture on its own).
    The detector's smallest face counts in this copy's pixels: a smallest face larger than
    its shorter side is never found in such a frame."""
    max_pixels = MAX_SMALL_FACE_PIXELS if still else MAX_STREAM_PIXELS
    if height * width <= max_pixels:
        return width, height
    scale = math.sqrt(max_pixels / (height * width))
    return max(1, int(width * scale)), max(1, int(height * scale))


def _unscale_box(box: tuple[int, int, int, int], scale: float) -> tuple[int, int, int, int]:
    x, y, w, h = box
    return (int(round(x / scale)), int(round(y / scale)), int(round(w / scale)), int(round(h / scale)))


def _full_size_crop(frame: np.ndarray, box: tuple[int, int, int, int], spec: Preprocessing, roll: float) -> np.ndarray:
    """:func:`crop_face` of ``box`` from ``frame`` itself (any dtype and channels the
    pipeline takes), converting only the part around the face to gray."""
    height, width = frame.shape[:2]
    x, y, w, h = box
    # The crop's half-side, widened for a turned crop's corners (at most sqrt(2) times).
    reach = max(w, h) * (0.5 + spec.crop_margin) * 1.5 + 2
    cx, cy = x + w / 2.0, y + h / 2.0
    x0, y0 = max(0, int(math.floor(cx - reach))), max(0, int(math.floor(cy - reach)))
    x1, y1 = min(width, int(math.ceil(cx + reach))), min(height, int(math.ceil(cy + reach)))
    if x1 <= x0 or y1 <= y0:
        raise ValueError(f"face box {box} lies outside the {width}x{height} frame")
    part = to_gray(np.ascontiguousarray(frame[y0:y1, x0:x1]))
    # Cut at the picture's edge only, so crop_face replicates the same edge pixels.
    return crop_face(part, (x - x0, y - y0, w, h), spec, roll)


@dataclass(frozen=True)
class StageTimings:
    """Where the last :meth:`EmotionPipeline.process` call spent its time (milliseconds)."""

    detect_ms: float = 0.0  # gray conversion, detection and tracking
    classify_ms: float = 0.0  # crops and one batched forward pass
    total_ms: float = 0.0
    faces: int = 0
    classified: int = 0  # faces that went through the model (the others reused a result)
    full_scan: bool = False  # whether detection scanned the whole frame


class EmotionPipeline:
    """Detects faces in a frame and classifies each with one batched forward pass.

    ``steadiness`` (a :class:`Steadiness` or a level name such as "medium"; default: the
    app's) decides what is shown per tracked face from its raw probabilities over time
    (see :mod:`.inference.steadiness`); it may be changed at any time. The uncertainty
    thresholds come from the classifier's weights card. ``optimize`` builds the classifier's fast inference
    runner if it has none yet (see :meth:`EmotionClassifier.optimize`): at once, or with
    ``optimize_after_faces`` once that many faces have gone through the model (eager fp32
    until then). The build takes seconds, more than it saves over a photo or a short clip,
    and which frames were classified how depends only on the frames. Tracker settings can
    be passed through ``tracker_options`` (see :class:`FaceTracker`).

    ``background_scan``: False (default) scans for new faces inline every
    ``full_scan_interval`` frames, so results depend only on the frames (batch commands).
    True runs that scan on a background thread so no frame waits for it; newcomers then
    appear a frame or two after the scan starts (live video). Call :meth:`close` when done.

    ``reuse_frames``: times in a row a face whose crop has not visibly changed may reuse
    its last probabilities instead of being classified again (see
    :mod:`.inference.reuse`); 0 classifies every face in every frame.

    A pipeline pickles, and copies with :func:`copy.deepcopy` (for a
    ``ProcessPoolExecutor`` or ``multiprocessing.Pool``, spawn start method included). Its
    tracker state travels with it: the faces followed so far with their ids, the faces
    lost lately, the steadied labels, the faces' last results for reuse, so a copy gives
    the same results on the next frames as the original would (:meth:`reset` a copy for a
    fresh start). The model travels as plain data, its card and tensors, never a torch
    module, and is checked on load as a weights file is (see
    :meth:`EmotionClassifier.__getstate__`); the native parts are made again on load:
    OpenCV's cascades and networks, the classifier's fast runner, the scan threads (a
    scan in flight is waited for and its finds carried). A copy has a classifier and a
    detector of its own, even where the original shares them with other pipelines
    (``copy.deepcopy(pipeline, {id(pipeline.classifier): pipeline.classifier})`` keeps
    sharing the classifier). Pickle a pipeline no other thread drives meanwhile: its state
    changes as it is read (a RuntimeError, or a copy of two different frames' state).
    """

    def __init__(
        self,
        detector: FaceDetector,
        classifier: EmotionClassifier,
        steadiness: Steadiness | str = DEFAULT_STEADINESS,
        tracking: bool = True,
        optimize: bool = True,
        optimize_after_faces: int = 0,
        background_scan: bool = False,
        reuse_frames: int = 4,
        **tracker_options: Any,
    ) -> None:
        # A weights path for the classifier, or the two swapped, failed later on an attribute.
        if not isinstance(detector, FaceDetector):
            raise TypeError(f"detector must be a FaceDetector (FaceDetector()), got {type(detector).__name__}")
        if not isinstance(classifier, EmotionClassifier):
            raise TypeError(
                "classifier must be an EmotionClassifier (EmotionClassifier.load(weights_path)), "
                f"got {type(classifier).__name__}"
            )
        self.detector = detector
        self.classifier = classifier
        self._steadier = LabelSteadier(_as_steadiness(steadiness), UncertaintyRule.from_live(classifier.card.live))
        # Without tracking, every frame is a full-frame pass; ids still follow faces.
        # Neither template following, skipping unneeded scans nor reusing a face's last
        # result may stand in for it: every frame is looked at on its own.
        options = dict(tracker_options)
        if not tracking:
            options.update(full_scan_interval=1, follow_frames=0, scan_skips=0, small_scan_every=1)
            reuse_frames = 0
        self.tracker = FaceTracker(detector, background_scan=background_scan, **options)
        self._reuse = PredictionReuse(max_reuse=reuse_frames)
        self._reuse_classifier = classifier  # results are only reusable with the model that made them
        self.last_timings = StageTimings()
        self._detection_width: int | None = None  # of the last frame's detection image (see mirror)
        # Faces the model still has to classify before the fast runner is built (None: no build due).
        self._faces_before_optimizing: int | None = max(0, optimize_after_faces) if optimize else None
        self._optimize_when_due()

    def _optimize_when_due(self) -> None:
        """Build the classifier's fast runner once its faces are counted down (one try: a
        build that fails leaves eager with a logged note, see EmotionClassifier.optimize)."""
        if self._faces_before_optimizing is None or self._faces_before_optimizing > 0:
            return
        self._faces_before_optimizing = None
        if self.classifier.inference_mode == "eager":
            self.classifier.optimize()

    @property
    def labels(self) -> tuple[str, ...]:
        return self.classifier.labels

    @property
    def steadiness(self) -> Steadiness:
        return self._steadier.steadiness

    @steadiness.setter
    def steadiness(self, value: Steadiness | str) -> None:
        # One attribute assignment: safe to set from the GUI thread while a worker runs.
        self._steadier.steadiness = _as_steadiness(value)

    @property
    def uncertainty(self) -> UncertaintyRule:
        """When a shown label is marked uncertain (from the weights card)."""
        return self._steadier.uncertainty

    def reset(self, keep_ids: bool = False, replay: bool = False) -> None:
        """Forget all tracks and their smoothed probabilities (e.g. a new video source).

        ``keep_ids``: new faces get ids after those given so far instead of from 1 (the
        same source started again, whose earlier people keep their ids in its session).
        ``replay``: with ``keep_ids``, a file opened again: a face found at a moment of it
        seen already gets the id it had then (see FaceTracker.reset).
        """
        self.tracker.reset(keep_ids=keep_ids, replay=replay)
        self._reuse.reset()
        self._steadier.reset()
        self.last_timings = StageTimings()
        self._detection_width = None

    def jump(self) -> None:
        """The next frame follows a seek: its faces show at once, a face where one was keeps
        its id (see FaceTracker.jump), and labels start afresh from that frame."""
        self.tracker.jump()
        self._reuse.reset()
        self._steadier.reset()

    def take_faces_from(self, other: EmotionPipeline) -> None:
        """Follow the faces ``other`` follows, with their ids (another model takes over
        mid-stream); ``other`` gets this pipeline's tracker, unused so far, in exchange.

        Labels start afresh: the steadied probabilities were another model's.
        """
        self.tracker, other.tracker = other.tracker, self.tracker
        self._detection_width, other._detection_width = other._detection_width, None

    def mirror(self) -> None:
        """The frames are flipped left to right from the next one on (a mirror view turned on
        or off): each face keeps its id and its shown label (see FaceTracker.mirror)."""
        if self._detection_width is not None:
            self.tracker.mirror(self._detection_width)

    def close(self) -> None:
        """End the background scan thread, if any; the pipeline stays usable."""
        self.tracker.close()

    def __enter__(self) -> EmotionPipeline:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def process(
        self,
        frame: np.ndarray,
        time_s: SupportsFloat | None = None,
        still: bool = False,
        moment_s: SupportsFloat | None = None,
        shown_s: SupportsFloat | None = None,
    ) -> list[FaceResult]:
        """Faces in ``frame`` (gray, BGR or BGRA, any size), left to right; [] if none.

        ``time_s``: when the frame was taken, in seconds on any steady clock (a video's
        frame time, a camera's capture time); steadiness is measured in it, and so is how
        long the tracker remembers a lost face. None: now (for steadiness; the tracker then
        counts frames). Any real number: a float or int, a numpy scalar or 0-d array, a
        Decimal, a Fraction. A NaN or infinite time (or one past a float's range) counts as
        None; one that is not a real number (a string, a bool, a complex, an array that is
        not 0-d) is a TypeError naming it.
        ``moment_s``: the frame's own time in its file where it differs from ``time_s`` (a
        looping file's later loops, whose time goes on while its moments come again): the
        tracker knows a moment seen before by it (see FaceTracker.update). None: ``time_s``.
        ``still``: ``frame`` is a picture on its own, not part of a video: it starts afresh
        (the tracks and labels of the frames before are forgotten; ids go on counting, from
        1 after :meth:`reset`), a face is confirmed in this one frame, and the picture is
        searched at up to :data:`MAX_DETECTION_PIXELS` (a video frame: :data:`MAX_STREAM_PIXELS`).
        ``shown_s``: how long the file shows this frame, where known (an animation's delay,
        a video's frame interval; a real number as ``time_s``): a frame held long (a GIF's
        slide of seconds) shows its faces at once, as a still does, its tracks carrying on
        (see FaceTracker.update). None: not known (a camera's frame).
        """
        start = time.perf_counter()
        # Steadiness needs a time for every frame; the tracker only the frame's own (below).
        time_s, moment_s = seconds_or_none("time_s", time_s), seconds_or_none("moment_s", moment_s)
        shown_s = seconds_or_none("shown_s", shown_s)
        steady_time = start if time_s is None else time_s
        if frame is None:  # what cv2.imread returns for a file it cannot read
            raise ValueError("the frame is None, not an image (cv2.imread gives None for a file it cannot read)")
        frame = np.asarray(frame)
        if frame.ndim not in (2, 3):
            raise ValueError(f"a frame is 2-D (gray) or 3-D (colour), got shape {frame.shape}")
        if frame.size == 0:
            raise ValueError(f"empty frame of shape {frame.shape}")
        gray, scale = detection_gray(frame, MAX_DETECTION_PIXELS if still else MAX_STREAM_PIXELS)
        if still:
            # Nothing of the frames before may carry over: a face where the last picture
            # had one took over its track (box and label) without a reset() first.
            self.reset(keep_ids=True)
        self._detection_width = gray.shape[1]
        fine = None
        if still and scale != 1.0:
            fine_gray, fine_scale = detection_gray(frame, MAX_SMALL_FACE_PIXELS)
            if fine_scale > scale:
                fine = (fine_gray, scale / fine_scale)
        # The frame's own time only: "now" in a run faster than real time (a script, a
        # test) would remember a lost face over many more frames than live.
        tracks = self.tracker.update(gray, still=still, time_s=time_s, fine=fine, moment_s=moment_s, shown_s=shown_s)
        detected = time.perf_counter()
        results: list[FaceResult] = []
        classified = 0
        if tracks:
            classifier = self.classifier
            if classifier is not self._reuse_classifier:  # swapped for another model
                self._reuse.reset()
                self._reuse_classifier = classifier
                self._steadier.reset()
                self._steadier.uncertainty = UncertaintyRule.from_live(classifier.card.live)
            spec = classifier.preprocessing
            if still and scale != 1.0 and frame.dtype in (np.uint8, np.uint16):
                # A shrunk still's faces are cropped from the picture itself: a face small
                # in the search copy may have many more pixels in the picture. (Floats are
                # scaled by the whole frame's peak: from the copy, as converted whole.)
                crops = np.stack(
                    [_full_size_crop(frame, _unscale_box(track.box, scale), spec, track.roll) for track in tracks]
                )
            else:
                crops = np.stack([crop_face(gray, track.box, spec, track.roll) for track in tracks])
            reused = [self._reuse.reusable(track.track_id, crop) for track, crop in zip(tracks, crops)]
            todo = [i for i, known in enumerate(reused) if known is None]
            computed: dict[int, np.ndarray] = {}
            if todo:
                # The faces that changed share one batched forward pass, with those that
                # would be due soon anyway (see inference.reuse): a face more costs
                # far less than a pass of its own in a later frame.
                changed = set(todo)
                todo = [i for i, track in enumerate(tracks) if i in changed or self._reuse.due_soon(track.track_id)]
                computed = dict(zip(todo, classifier.predict(crops[todo])))
                for i, probabilities in computed.items():
                    self._reuse.remember(tracks[i].track_id, crops[i], probabilities)
            classified = len(todo)
            if self._faces_before_optimizing is not None:
                self._faces_before_optimizing -= classified
                self._optimize_when_due()
            labels = classifier.labels
            for i, track in enumerate(tracks):
                # A face either reused a result or went through the model (or both, when it
                # joined a pass early: then the fresh result wins).
                fresh = computed.get(i, reused[i])
                assert fresh is not None
                shown = self._steadier.update(track.track_id, fresh, steady_time)
                # tolist: the same plain floats as float() of each, in one call.
                smoothed = shown.smoothed.tolist()
                results.append(
                    FaceResult(
                        box=tuple(int(v) for v in track.box),  # type: ignore[arg-type]
                        track_id=track.track_id,
                        label=labels[shown.label_index],
                        confidence=smoothed[shown.label_index],
                        probabilities=tuple(smoothed),
                        uncertain=shown.uncertain,
                        raw_probabilities=tuple(fresh.tolist()),
                        roll=track.roll,
                    )
                )
        if scale != 1.0:  # found in a scaled-down copy of a huge frame: back to its pixels
            results = [replace(result, box=_unscale_box(result.box, scale)) for result in results]
        end = time.perf_counter()
        self.last_timings = StageTimings(
            detect_ms=(detected - start) * 1000.0,
            classify_ms=(end - detected) * 1000.0,
            total_ms=(end - start) * 1000.0,
            faces=len(results),
            classified=classified,
            full_scan=self.tracker.last_pass_was_full,
        )
        alive = {track.track_id for track in self.tracker.tracks}
        self._reuse.keep_only(alive)
        self._steadier.keep_only(alive)
        return results


def _as_steadiness(value: Steadiness | str) -> Steadiness:
    if isinstance(value, Steadiness):
        return value
    if isinstance(value, str):
        return steadiness_level(value)
    raise TypeError(f"steadiness must be a Steadiness or a level name, got {type(value).__name__}")
