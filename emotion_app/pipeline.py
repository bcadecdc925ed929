"""EmotionPipeline: frame in, one FaceResult per face out (detect, track, classify, smooth).

Qt-free and thread-agnostic: it holds per-video state (tracks), so one pipeline should be
driven by one thread at a time; the GUI's inference worker owns its own instance.
With ``background_scan=True`` its tracker runs the periodic scan for new faces on a thread
of its own; :meth:`EmotionPipeline.close` (or a ``with`` block) ends that thread.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import numpy as np

from .inference.classifier import EmotionClassifier
from .faces.detector import FaceDetector
from .inference.reuse import PredictionReuse
from .preprocessing import crop_face, to_gray
from .results import FaceResult
from .faces.tracker import FaceTracker, check_smoothing


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

    ``smoothing`` (0..1, 0 = off) blends each track's probabilities with its history;
    it may be changed at any time. ``optimize`` builds the classifier's fast inference
    runner if it has none yet (see :meth:`EmotionClassifier.optimize`). Tracker settings
    can be passed through ``tracker_options`` (see :class:`FaceTracker`).

    ``background_scan``: False (default) scans for new faces inline every
    ``full_scan_interval`` frames, so results depend only on the frames (batch commands).
    True runs that scan on a background thread so no frame waits for it; newcomers then
    appear a frame or two after the scan starts (live video). Call :meth:`close` when done.

    ``reuse_frames``: times in a row a face whose crop has not visibly changed may reuse
    its last probabilities instead of being classified again (see
    :mod:`.inference.reuse`); 0 classifies every face in every frame.
    """

    def __init__(
        self,
        detector: FaceDetector,
        classifier: EmotionClassifier,
        smoothing: float = 0.0,
        tracking: bool = True,
        optimize: bool = True,
        background_scan: bool = False,
        reuse_frames: int = 4,
        **tracker_options: Any,
    ) -> None:
        self.detector = detector
        self.classifier = classifier
        self._smoothing = check_smoothing(smoothing)
        # Without tracking, every frame is a full-frame pass; ids still follow faces.
        # Neither template following, skipping unneeded scans nor reusing a face's last
        # result may stand in for it: every frame is looked at on its own.
        options = dict(tracker_options)
        if not tracking:
            options.update(full_scan_interval=1, follow_frames=0, scan_skips=0)
            reuse_frames = 0
        self.tracker = FaceTracker(detector, background_scan=background_scan, **options)
        self._reuse = PredictionReuse(max_reuse=reuse_frames)
        self._reuse_classifier = classifier  # results are only reusable with the model that made them
        self.last_timings = StageTimings()
        if optimize and classifier.inference_mode == "eager":
            classifier.optimize()

    @property
    def labels(self) -> tuple[str, ...]:
        return self.classifier.labels

    @property
    def smoothing(self) -> float:
        return self._smoothing

    @smoothing.setter
    def smoothing(self, value: float) -> None:
        # A plain float assignment: safe to set from the GUI thread while a worker runs.
        self._smoothing = check_smoothing(value)

    def reset(self) -> None:
        """Forget all tracks and their smoothed probabilities (e.g. a new video source)."""
        self.tracker.reset()
        self._reuse.reset()
        self.last_timings = StageTimings()

    def close(self) -> None:
        """End the background scan thread, if any; the pipeline stays usable."""
        self.tracker.close()

    def __enter__(self) -> "EmotionPipeline":
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def process(self, frame: np.ndarray) -> list[FaceResult]:
        """Faces in ``frame`` (gray, BGR or BGRA, any size), left to right; [] if none."""
        start = time.perf_counter()
        frame = np.asarray(frame)
        if frame.size == 0:
            raise ValueError(f"empty frame of shape {frame.shape}")
        gray = to_gray(frame)
        tracks = self.tracker.update(gray)
        detected = time.perf_counter()
        results: list[FaceResult] = []
        classified = 0
        if tracks:
            classifier = self.classifier
            if classifier is not self._reuse_classifier:  # swapped for another model
                self._reuse.reset()
                self._reuse_classifier = classifier
            spec = classifier.preprocessing
            crops = np.stack([crop_face(gray, track.box, spec) for track in tracks])
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
                for i, fresh in computed.items():
                    self._reuse.remember(tracks[i].track_id, crops[i], fresh)
            classified = len(todo)
            smoothing = self._smoothing
            labels = classifier.labels
            for i, track in enumerate(tracks):
                # A face either reused a result or went through the model (or both, when it
                # joined a pass early: then the fresh result wins).
                fresh = computed.get(i, reused[i])
                assert fresh is not None
                blended = track.smooth(fresh, smoothing)
                best = int(np.argmax(blended))
                results.append(
                    FaceResult(
                        box=tuple(int(v) for v in track.box),  # type: ignore[arg-type]
                        track_id=track.track_id,
                        label=labels[best],
                        confidence=float(blended[best]),
                        probabilities=tuple(float(p) for p in blended),
                    )
                )
        end = time.perf_counter()
        self.last_timings = StageTimings(
            detect_ms=(detected - start) * 1000.0,
            classify_ms=(end - detected) * 1000.0,
            total_ms=(end - start) * 1000.0,
            faces=len(results),
            classified=classified,
            full_scan=self.tracker.last_pass_was_full,
        )
        self._reuse.keep_only({track.track_id for track in self.tracker.tracks})
        return results
