"""Face tracks across frames: confirmed faces, stable ids, cheap local search.

(Over 400 lines: one state machine, :class:`FaceTracker`, whose steps share its tracks,
scan thread and counters. Its parts are modules of their own: a track (:mod:`.track`),
the search near a known face and the confirmation of a scan's candidates
(:mod:`.local_search`), the searches for leaning faces (:mod:`.leaning_search`), a still
picture's faces (:mod:`.still_faces`), matching detections to tracks
(:mod:`.association`), finds that are part of a known face (:mod:`.face_parts`), ids
(:mod:`.identities`), running the scans for newcomers and the CNN's cadence
(:mod:`.newcomer_scan`), the face check, the scans' size bands and the scene gate, the
detector, box geometry.)

Full-frame Haar detection is the most expensive step of the app. A face moves little
between frames, so once found it is looked for only in a small region around where it
is expected, over a narrow band of sizes, at a coarse scale (a miss is retried there at
full resolution), and between those searches followed by template matching
(:mod:`.local_search`). New faces are looked for by scans for newcomers (see below);
their finds are confirmed by a local search.

Shown faces are confirmed faces. The cascade, searched finely enough for 24 px faces,
also fires on hair, letters or a whole upper body, often in frame after frame. A new
track is therefore not shown (and gets no id) until the face check
(:mod:`.face_check`: a second cascade and the default one's raw windows, then a trained
verifier, :mod:`.face_verifier`) has passed in
``confirm_checks`` frames (one for a still picture, in a stream's first frame, and in a
frame shown :data:`HELD_FRAME_S` or more, as an animation's slide: no frame comes while it
shows to pass a second check in); it
is dropped after a few failures. Because the face check judges every new track, a
find needs only :data:`CHECKED_FIND_NEIGHBORS` (3, not the detector's 5) where a face
is looked for anew: in a still or a stream's first frame, in the local search that
confirms a scan's candidate, and in the first retry for a shown face that the coarse
local search missed. A face in shadow, behind sunglasses or blurred by compression
often gathers 3 neighbours and rarely 5, and was otherwise never shown or blinked out.
A shown track is checked again every :data:`RECHECK_FRAMES` frames
(:data:`STRONG_RECHECK_FRAMES` while its last check passed beyond doubt) and dropped
after a few failures in a row, so a box that slid onto a collar does not stay. A
re-check of a face that still looks as it did at its last passed check (template
correlation, :data:`RESEMBLANCE_SCORE`) passes without the check's cascades, except at
every third re-check: with many faces in view those cascades were most of the tracker's
time. Faces confirmed together start their re-check periods at different phases, so
their checks do not all fall in one frame.

Ids are small integers given in order of confirmation (:mod:`.identities`); a face lost
from view is remembered for :data:`KEEP_LOST_S` seconds of the frames' own times (see
:meth:`FaceTracker.update`), and a face found near where it was, at a similar size, gets
its id back (a turned head, a hand across the face, a missed re-scan), on its first
passed check. Not across a cut to another shot
(:class:`.scene_gate.ShotCuts`: not a flash): a shown face not found in the cut's frame
is no longer looked for, and lost faces are forgotten. A face confirmed at a moment of
the frames' times seen before (a file sought back, or opened again in its session) gets
the id of the face that was there then (:mod:`.seen_faces`).

Scans for newcomers look only where something changed (:mod:`.scene_gate`): a face can
only enter by changing pixels, so the regions that changed outside the tracked faces
since they were last scanned are searched (every ``full_scan_interval`` frames while
faces are tracked, every :data:`EMPTY_SCAN_INTERVAL` frames with none, and at once after
a cut with none), with a full
scan when most of the frame changed (a cut, a camera move), every
``full_scan_interval * (scan_skips + 1)`` frames (for a face a scan missed), and when
the only face was just lost. That is what makes a fine, 24 px search affordable.
What a due scan covers, in bands of face sizes with cadences of their own (the
smallest faces cost the most and are looked for less often), is :mod:`.scan_plan`'s.

Leaning heads (:mod:`.roll`; the searches, :mod:`.leaning_search`): the cascades see
upright faces only, to about 15 degrees. A shown face that the local searches miss in a
frame, right after it was seen, is looked for :data:`.leaning_search.ROLL_STEP` degrees
either side of its tilt, and then followed, checked and cropped for the model at the
tilt it was found at. A still picture, and a video whose first frame shows no upright
face (with inline scans, as ``analyze`` runs), are also scanned at both tilts, and so
is, with inline scans, the first frame after a cut that shows no upright face: with
nothing tracked (a cut, unlike a camera move, changes most of the picture from one frame
to the next: :meth:`.SceneChangeGate.cut`), or cutting away from the one face in view
(lost at once, with most of the picture away from it changed since the last scan:
:meth:`.SceneChangeGate.changed_away_from_faces`). The scans for newcomers stay upright
(a scan per tilt would triple their cost), except live: with nothing tracked, the idle
scan thread looks for large leaning faces every
:data:`.leaning_search.TILTED_LIVE_SCAN_FRAMES` frames, at one tilt and then the other,
and at both back to back after a cut and when a stream's first frame shows no upright
face (not after a cut away from a face: in HD, those two scans on top of the lost face's
cost frames).
Otherwise a face that comes into view leaning is shown once it comes near upright.

Faces the cascades cannot see (behind sunglasses or a mask, or 26 px in a video call's
gallery: they gather no windows, however finely scanned) are found by a small CNN
(:mod:`.network_detector`; its scans for newcomers, :class:`.NetworkNewcomerScans`),
live only by default (``network="auto"``): every
:data:`.newcomer_scan.NETWORK_SCAN_FRAMES` frames it scans the tiles that changed since
its last scan (all of them at every :data:`.newcomer_scan.NETWORK_FULL_SCAN_EVERY`-th),
beside the frames on a thread of its own, once the frames' clock has moved on by
:data:`.newcomer_scan.NETWORK_REST_FACTOR` times the last scan's duration (a slow
machine scans less often instead of falling behind). A candidate the cascade confirms
there is an ordinary track; one it does not, the network looks at again in the frame,
and it becomes a track followed by template matching and by the network's looks
(``Track.by_network``), whose face check is that look. Inline (``analyze``, ``bench``) a
scan costs tens of milliseconds, as much as the tracker's whole work over dozens of
frames on a real clip (docs/measurements.md): there it is asked for.

With ``background_scan`` the scans run on a thread of the tracker's own instead of
inline (:mod:`.newcomer_scan`): the frame that starts one is not delayed, and its finds
are confirmed by a local search in the first frame processed after it ends (where that
misses, the place is scanned again at the next scan, and a find there again is searched
for finer). Results
then depend on timing, so batch commands keep the default synchronous mode, which is
deterministic.
A still image, and a stream's first frame, are scanned inline: their faces show at once.
So is the first frame after the frames changed size mid-stream, where a face found at
the place of a shown one, scaled to the new size, keeps its id.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from types import TracebackType
from typing import Literal

import numpy as np

from .association import associate
from .detector import FaceDetector
from .face_check import FaceCheck, FaceVerdict
from .face_parts import body_under, part_of
from .geometry import DUPLICATE_IOU, Box, centred_in, iou, suppress_duplicates
from .identities import KEEP_LOST_S, REID_SIZE_RATIO, FaceIds, Returning
from .leaning_search import LeaningSearch, LiveTiltedScans, side_tilts
from .local_search import FINE_SIZE_FACTOR, CandidateSearch, LocalSearch, Placement
from .network_detector import NetworkFaceDetector, load_shipped_network
from .newcomer_scan import (
    BackgroundScan,
    NetworkNewcomerScans,
    discover,
    known_to_network,
    network_scan_frames_or_default,
)
from .scan_plan import SMALL_SCAN_EVERY, ScanDue, ScanJob, ScanPlan
from .scene_gate import ShotCuts
from .seen_faces import SeenFaces
from .still_faces import own_boxes_first, still_faces
from .template import FaceTemplate
from .track import Track

# Frames given no time of their own (see FaceTracker.update) are taken to come this far
# apart: a camera's usual 30 fps.
NOMINAL_FRAME_S = 1.0 / 30.0
# Scans of the changed regions only between two full scans: a full 24 px scan costs
# several full-frame baseline passes, so one every 150 frames (5 s) at the default
# interval of 10 (docs/measurements.md, "Costs that shaped the face tracking").
SCAN_SKIPS = 14
# Confirmed tracks (see the module notes). A new track is shown once the face check has
# passed in this many frames, and dropped after this many failures before that.
CONFIRM_CHECKS = 2
REJECT_FAILS = 3
# A frame the file shows at least this long (an animation's slide) is looked at as a
# picture: no frame comes while it shows to pass a second check in (see FaceTracker.update).
HELD_FRAME_S = 0.5
# A shown track is checked again every this many frames, and dropped after this many
# failed checks in a row (about a second at 30 fps: a hand across the face or a turned
# head fails a check or two; a box that has slid onto a collar fails every one).
RECHECK_FRAMES = 10
DEMOTE_FAILS = 3
# A face whose last check passed beyond doubt (face_check.STRONG_FACTOR) is re-checked
# this often instead: a check of a real face costs several milliseconds. A box that
# slides off such a face fails its next check and is then checked every RECHECK_FRAMES.
STRONG_RECHECK_FRAMES = 20
# Ids in order spread their re-check phases over the period by this step (coprime to
# RECHECK_FRAMES, so ten faces in a row take ten different phases).
RECHECK_PHASE_STEP = 3
# A due re-check first compares the face with how it looked at its last full check that
# passed (template correlation, a fraction of a millisecond against several for the
# check's cascades): at this score or more it is that face still, and the check passes
# without its cascades. A box that slid onto a collar, or a face that turned away,
# scores lower and gets the full check; so does every RESEMBLANCE_RECHECKS + 1-th
# re-check regardless (docs/measurements.md).
RESEMBLANCE_SCORE = 0.8
RESEMBLANCE_RECHECKS = 2
# The look is matched within this share of the face's side of its box (Haar boxes of one
# face differ by several pixels).
RESEMBLANCE_MARGIN = 0.15
# Neighbours a cascade find needs where the face check judges it (see the module
# notes): a face the discovery scan found with 3 often gathers fewer than 5 in the
# smaller region of the local search that confirms it, so that search must ask for 3
# too. Not fewer: with 0 or 1, junk in a noisy frame sometimes passes the check.
CHECKED_FIND_NEIGHBORS = 3
# With nothing tracked, new faces are looked for every this many frames, and at once
# when most of the picture changed (a cut): a face that walks in shows within a sixth of
# a second at 30 fps, and a scan of a busy empty scene covers most of the frame. Chosen
# on the real clips: fewer frames between scans cost more on the empty ones, more lost
# faces on the stage clip (docs/measurements.md).
EMPTY_SCAN_INTERVAL = 5
# A new face found leaning needs this many times the face check's evidence (see
# FaceTracker._check_new); a face already shown that leans keeps the usual thresholds.
TILTED_NEW_FACE_STRICTNESS = 2.0


class FaceTracker:
    """Finds faces frame by frame, reusing where they were to search cheaply.

    ``full_scan_interval``: frames between scans for new faces while faces are tracked.
    ``max_missed``: frames a track survives undetected (keeps its id through a blink
    of the detector). ``search_margin``: local search region beyond the face box, as a
    fraction of its side. ``size_range``: local search covers face sides from
    side/size_range to side*size_range. ``discovery``: (scale factor, min neighbours)
    of the scans for new faces, or None to use the detector's own; their finds are
    confirmed by a local search (see the module notes).
    ``background_scan``: run those scans on a background thread (see the module
    notes); the thread is started on first use and ended by :meth:`close`.
    ``follow_frames``: frames in a row a track may be followed by template matching
    (see the module notes) before the cascade must confirm it again; 0 runs the
    cascade on every track in every frame. ``scan_skips``: scans of the changed
    regions only between two full scans (see the module notes); 0 scans the whole
    frame every time. ``small_scan_every``: the smallest faces' band is scanned at every
    this-many-th scan (see the module notes; 1: every band at every scan).
    ``confirm_checks``: passed face checks that show a new face.
    ``keep_lost_s``: seconds a lost face's id may come back. ``face_check``: the
    :class:`FaceCheck` to use (default: a new one). ``network``: the CNN detector for
    the faces the cascade cannot see (see the module notes): "shipped" (none if its files
    cannot be used), None for the cascades alone, or "auto" (default): the shipped one
    with ``background_scan``, none without; ``network_scan_frames``: frames between its
    scans for newcomers (default :data:`.newcomer_scan.NETWORK_SCAN_FRAMES`).

    Drive one tracker from one thread at a time.
    """

    def __init__(
        self,
        detector: FaceDetector,
        full_scan_interval: int = 10,
        max_missed: int = 5,
        iou_threshold: float = 0.25,
        search_margin: float = 0.6,
        size_range: float = 1.35,
        discovery: tuple[float, int] | None = (1.2, 3),
        background_scan: bool = False,
        follow_frames: int = 4,
        scan_skips: int = SCAN_SKIPS,
        small_scan_every: int = SMALL_SCAN_EVERY,
        confirm_checks: int = CONFIRM_CHECKS,
        keep_lost_s: float = KEEP_LOST_S,
        face_check: FaceCheck | None = None,
        network: NetworkFaceDetector | Literal["auto", "shipped"] | None = "auto",
        network_scan_frames: int | None = None,
    ) -> None:
        if full_scan_interval < 1:
            raise ValueError(f"full_scan_interval must be >= 1, got {full_scan_interval}")
        if follow_frames < 0:
            raise ValueError(f"follow_frames must be >= 0, got {follow_frames}")
        if max_missed < 0:
            raise ValueError(f"max_missed must be >= 0, got {max_missed}")
        if size_range <= 1.0:
            raise ValueError(f"size_range must be > 1, got {size_range}")
        if scan_skips < 0:
            raise ValueError(f"scan_skips must be >= 0, got {scan_skips}")
        if confirm_checks < 1:
            raise ValueError(f"confirm_checks must be >= 1, got {confirm_checks}")
        network_scan_frames = network_scan_frames_or_default(network_scan_frames)
        self.detector = detector
        self.full_scan_interval = int(full_scan_interval)
        self.max_missed = int(max_missed)
        self.iou_threshold = float(iou_threshold)
        self.size_range = float(size_range)
        self.discovery = discovery
        self.background_scan = bool(background_scan)
        self.follow_frames = int(follow_frames)
        self.local_search = LocalSearch(
            detector, search_margin, self.size_range, self.follow_frames, self.iou_threshold
        )
        self.scan_skips = int(scan_skips)
        self.small_scan_every = int(small_scan_every)
        full_period = self.full_scan_interval * (self.scan_skips + 1)
        self._scans = ScanPlan(detector.min_face_size, detector.max_face_size, self.small_scan_every, full_period)
        self.confirm_checks = int(confirm_checks)
        self.face_check = face_check if face_check is not None else FaceCheck()
        self.tracks: list[Track] = []
        self.last_pass_was_full = False
        # What the last update scanned for new faces inline: "none", "regions" (the parts
        # that changed) or "full" (background scans are not counted).
        self.last_scan = "none"
        self._ids = FaceIds(keep_lost_s)
        # Who was where at each moment of the frames' times, for a moment seen again.
        self._seen = SeenFaces()
        self._frames_since_full = 0
        self._frame = 0  # frames processed since reset
        # The tracker's clock (seconds since the first frame after reset; see update), and
        # the time the caller gave the last frame.
        self._now = 0.0
        self._last_time: float | None = None
        # The last frame's moment in its file, by which the faces shown are recorded and a
        # face found at a moment seen before is known (see update's moment_s).
        self._moment: float | None = None
        # The frame number of the stream's first frame (1; later after a change of frame
        # size, see _frame_size_changed), and the size of the frames it has.
        self._stream_start = 1
        self._frame_size: tuple[int, int] | None = None
        self._background = BackgroundScan(detector, discovery)
        # Face check verdicts already reached in this frame, by box (see update).
        self._verdicts: dict[Box, FaceVerdict] = {}
        # Searches for leaning faces, and the live idle scans for them (see _background_finds).
        self._leaning = LeaningSearch(detector, self.local_search, None if discovery is None else discovery[0])
        self._live_tilted = LiveTiltedScans()
        # The last live upright scan's candidates that the confirming search missed.
        self._missed_candidates: list[Box] = []
        self._shot_cuts = ShotCuts(self._scans.cells)
        self._cut_frame = False  # this frame came right after a cut (see update)
        self._shot_looked = False  # this frame went through ShotCuts.look
        if network == "auto":
            network = "shipped" if self.background_scan else None
        self.network = load_shipped_network() if network == "shipped" else network
        self._network_scans = (
            NetworkNewcomerScans(self.network, network_scan_frames) if self.network is not None else None
        )
        # This frame's finds of the network (see _network_finds), by box.
        self._network_boxes: set[Box] = set()

    @property
    def shown_tracks(self) -> list[Track]:
        """The confirmed tracks (those a caller may show), seen this frame or not."""
        return [track for track in self.tracks if track.confirmed]

    @property
    def network_scans(self) -> int:
        """The CNN detector's scans for newcomers started since the stream began."""
        return 0 if self._network_scans is None else self._network_scans.scans

    @property
    def last_scan_bands(self) -> list[tuple[float, float | None]]:
        """The face sizes (min, max; None: no limit) the last update's scan for newcomers
        looked for, a band each, whether inline or started in the background."""
        return list(self._scans.last_bands)

    def reset(self, keep_ids: bool = False, replay: bool = False) -> None:
        """Forget every track (new video source); ids start again at 1, or with
        ``keep_ids`` go on counting (the same source started again). With ``replay`` too,
        the source's frames come at the times they had before (a file opened again): a
        face found at a moment seen already, where one was, gets its id back (see
        :mod:`.seen_faces`). Not a camera's: its times start again at 0."""
        self._forget_picture()
        self.last_pass_was_full = False
        self._ids.reset(keep_count=keep_ids)
        if not (keep_ids and replay):
            self._seen.clear()
        self._frame = 0
        self._now = 0.0
        self._last_time = self._moment = None
        self._stream_start = 1
        self._frame_size = None
        self._live_tilted.reset()

    def _forget_picture(self, seek: bool = False) -> None:
        """Drop what belongs to the picture seen so far: the tracks, what the scans saw, the
        frame a cut is judged against (unless after a ``seek``), the CNN scan's rest (unless
        after a ``seek``: scrubbing seeks often, and the scan keeps resting between scans as
        in playback), and a scan still running (its finds are never used)."""
        self.tracks = []
        self._frames_since_full = 0
        self._missed_candidates = []
        self._cut_frame = False
        if not seek:
            self._shot_cuts.reset()
        self._scans.reset()
        self._background.forget()
        if self._network_scans is not None:
            # (A new one waits while a dropped one still runs: see NetworkNewcomerScans.finds.)
            self._network_scans.forget(keep_rest=seek)

    def mirror(self, width: int) -> None:
        """The frames are flipped left to right from the next one on (a mirror view turned on
        or off; ``width``: the frames' width): every face keeps its track and id where it
        now shows, and what the scans saw is flipped too (forgotten, the next frame would
        be scanned whole on the caller's thread, which in HD holds that frame). A scan still
        running belongs to the unflipped picture; so does the frame a cut is judged against
        (the frame a seek is judged against is flipped: see ShotCuts.mirror)."""
        for track in self.tracks:
            track.mirror(width)
        self._ids.mirror(width)
        self._seen.mirror(width)
        self._missed_candidates = []
        self._scans.mirror()
        self._shot_cuts.mirror()
        self._background.forget()
        if self._network_scans is not None:
            self._network_scans.mirror()

    def jump(self) -> None:
        """The next frame follows a jump in the stream (a seek): it is looked at as a
        stream's first, its faces shown at once (a paused video sought to shows that one
        frame only, and a face must not wait for a second). The faces shown before are
        remembered as just lost, so a face found where one was keeps its id, unless that
        frame shows another picture than the last one seen (another shot: see
        ShotCuts.jumped); the clock moves on by one frame, not by the time jumped. A face
        found at a moment already seen (a seek back) gets the id it had then, cut or not
        (see :mod:`.seen_faces`)."""
        self._lose_shown_faces()
        self._forget_picture(seek=True)
        self._shot_cuts.jumped()
        self._stream_start = self._frame + 1
        self._last_time = self._moment = None

    def _lose_shown_faces(self) -> None:
        """Remember every face shown as just lost, so a face found where one was gets its
        id back (the picture is about to be looked at anew)."""
        for track in self.tracks:
            if track.confirmed and not track.shot_ended:
                self._ids.lose(track, self._now)

    @property
    def _first_in_stream(self) -> bool:
        """Whether this frame is a stream's first (or the first after a change of size)."""
        return self._frame == self._stream_start

    def _frame_size_changed(self, old: tuple[int, int], new: tuple[int, int]) -> None:
        """The frames changed size mid-stream (a camera switching resolution, a video
        call's recording whose layout changed): this frame is looked at as a stream's
        first, its faces shown at once. The faces shown before are remembered as just
        lost, at their places scaled to the new size, so a face found there keeps its
        id. (Left as they were, the old boxes and the scans' maps of the other size
        found nothing for a second or more; live, faces of the new size were not
        found at all.)"""
        scale_x, scale_y = new[0] / old[0], new[1] / old[1]
        self._lose_shown_faces()
        self._ids.rescale(scale_x, scale_y)
        self._seen.rescale(scale_x, scale_y)
        self._forget_picture()
        self._stream_start = self._frame

    def close(self) -> None:
        """End the background scan thread, if one runs (waits for a scan in progress).

        The tracker stays usable: a later background scan starts a new thread.
        """
        self._background.close()
        if self._network_scans is not None:
            self._network_scans.close()

    def __enter__(self) -> FaceTracker:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    @property
    def background_scan_running(self) -> bool:
        """Whether a background scan has been started and not yet picked up."""
        return self._background.running

    def wait_for_background_scan(self, timeout_s: float = 10.0) -> bool:
        """Wait up to ``timeout_s`` for the background scan in flight to end (its finds are
        taken by the next update); whether none is still running. Lets a test feed frames
        as a fast machine would, whatever the speed of the one it runs on. (So does the
        CNN detector's scan in flight.)"""
        network_done = self._network_scans is None or self._network_scans.wait(timeout_s)
        return self._background.wait(timeout_s) and network_done

    def update(
        self,
        gray: np.ndarray,
        still: bool = False,
        time_s: float | None = None,
        fine: tuple[np.ndarray, float] | None = None,
        moment_s: float | None = None,
        shown_s: float | None = None,
    ) -> list[Track]:
        """Detect faces in ``gray`` (uint8 2-D) and return the confirmed tracks seen in it, left to right.

        ``still``: ``gray`` is a picture on its own (no frames before or after it): the
        whole frame is searched, and one passed face check confirms a face.
        ``fine``: with ``still``, a larger gray copy of the same picture and the ratio of
        ``gray``'s size to it (< 1): faces too small for ``gray`` are searched and checked
        there (see :meth:`FaceDetector.detect_small`), their boxes given in ``gray`` pixels.
        ``time_s``: when the frame was taken, in seconds on any steady clock (a video's
        frame time, a camera's capture time). How long a lost face is remembered is
        measured in it; frames without one count :data:`NOMINAL_FRAME_S` each.
        ``moment_s``: the frame's own time in its file, where it differs from ``time_s`` (a
        looping file, whose time goes on across loops): a face found at a moment seen
        before, in this loop or an earlier one, gets the id it had then (see
        :mod:`.seen_faces`). None: ``time_s``.
        ``shown_s``: how long the file shows this frame, where known (an animation's delay,
        a video's frame interval). One shown :data:`HELD_FRAME_S` or more (a GIF's slide
        held seconds) is scanned at once (not beside the frames), by every size band where
        it changed since their last scan (a new slide: all of it), by the CNN too where it
        runs (its scan every few dozen frames is not due on a lone slide), and one
        passed face check shows a face, as in a still: a face that waited for the next frame
        stood unboxed all the while, and for good on a paused slide. Its tracks carry on.
        """
        held = shown_s is not None and math.isfinite(shown_s) and shown_s >= HELD_FRAME_S
        self._start_frame(gray, time_s, moment_s)
        self._look_for_cut(gray)
        if held:
            # The faces a cut ended are kept a few frames for the scans' timing only, which a
            # held frame (every band scanned at once) has none of; a few frames are seconds
            # of slides, where one blocked a face found in its place (a looping GIF's face,
            # back at its slide, was not shown again, or under a new id).
            self.tracks = [track for track in self.tracks if not track.shot_ended]
        detections, rolls, placed, just_lost = self._search_known_faces(gray)
        known = detections + [placement.box for _, placement in placed]
        # A held frame, as a still: no frame comes while it shows to be scanned in.
        newcomers = self._network_finds(gray, known, rolls, still or held)
        detections.extend(newcomers)
        known.extend(newcomers)
        # An established face lost just now (a jump, a turn) with no other face in view:
        # look everywhere at once, for faces of about its size, rather than show an empty
        # frame. With other faces found, the lost one gets wider local searches and the
        # next new-face scan.
        recover = just_lost is not None and not known
        # A held frame is scanned for faces of every size, not only the lost one's.
        looks_near = just_lost is not None and recover and not held
        near_side = float(max(just_lost.box[2], just_lost.box[3])) if looks_near and just_lost is not None else None
        first = not self._scans.has_reference
        due = self._scan_due(gray, everything=still or recover or first)
        if held and due == "none":
            # Every band over what changed since its last scan: a new slide is most of the
            # picture changed, so all of it; a slow video's next frame only where it moved
            # (each of its frames scanned whole fell behind its frames in HD).
            due = "changed"
        if self.background_scan and not still and not first and not held:
            # Every later scan for new faces, even with nothing tracked, runs beside the
            # frames: a fine scan of a 1280x720 frame costs several frame periods. (The
            # first frame of a stream is scanned inline: its faces show at once.)
            detections.extend(self._background_finds(gray, known, due, rolls, near_side))
            return self._confirm(gray, self._finish_update(gray, detections, rolls, placed), at_once=False)
        # The lost face (see recover) with most of the picture away from faces changed since
        # the last scan: a cut from it to another shot, which may open on someone leaning (a
        # thumbnail comparison, only then; before the scan makes this frame the reference).
        cut_from_face = recover and self._scans.changed_away_from_faces(gray)
        jobs = (
            None
            if due == "none"
            else self._scan_jobs(gray, everything=due == "everything", near_side=near_side, every_band=held)
        )
        self.last_pass_was_full = jobs is not None and any(job.regions is None for job in jobs)
        self.last_scan = "none" if not jobs else "full" if self.last_pass_was_full else "regions"
        if jobs is None:
            self._frames_since_full += 1
        else:
            self._frames_since_full = 0
            if still or self._first_in_stream:
                self._first_look(gray, still, fine, detections, rolls, last_look=still or held)
            elif jobs:
                detections.extend(self._scan_inline(gray, jobs, known, rolls, cut_from_face))
        # A held frame's network find (its box from the look at the scan's find) is looked at
        # again there: see _check_new. (A still's and a stream's first frame's finds are
        # judged by the face check of _first_look; a still's or held one's network finds
        # that fail it, by the network's look at their box: see _first_look.)
        look_again = held and not (still or self._first_in_stream)
        seen = self._finish_update(gray, detections, rolls, placed)
        return self._confirm(gray, seen, at_once=still or held, look_again=look_again)

    def _start_frame(self, gray: np.ndarray, time_s: float | None, moment_s: float | None) -> None:
        """Count ``gray`` in: the clock, its moment, a change of frame size, and what
        belongs to one frame only (see :meth:`update`)."""
        self._frame += 1
        self._advance_clock(time_s)
        self._moment = self._last_time if moment_s is None or not math.isfinite(moment_s) else moment_s
        size = (int(gray.shape[1]), int(gray.shape[0]))
        if self._frame_size is not None and size != self._frame_size:
            self._frame_size_changed(self._frame_size, size)
        self._frame_size = size
        self._scans.next_frame()
        self._verdicts = {}
        self._network_boxes = set()

    def _look_for_cut(self, gray: np.ndarray) -> None:
        """Whether ``gray`` comes right after a cut to another shot, and what that ends.

        A cut to another shot (another picture than the frame before, not the same one
        lit differently, and the next frame no more like the one before it: not a
        flash or a damaged frame; see ShotCuts): a face lost before it, or not found in
        the new shot's first frame, is not given back its id by place (on the stage
        clip in HD the singer's went to a woman in the audience). In the cut's own frame
        no id is given back at all. The comparison runs while an id could be given back,
        so the frame before was looked at too.
        """
        if self._ids.remembers_lost or any(track.confirmed for track in self.tracks):
            self._cut_frame, new_shot = self._shot_cuts.look(gray)
            self._shot_looked = True
        else:
            self._shot_cuts.reset()
            self._cut_frame = new_shot = False
            self._shot_looked = False
        if new_shot:
            self._ids.forget_lost()
            for track in self.tracks:
                # Kept until it would have been dropped anyway, as the scans' timing
                # depends on what is tracked (a sooner drop changed which frames were
                # scanned and lost HD frames: docs/measurements.md).
                track.shot_ended = track.shot_ended or (track.confirmed and track.missed > 0)

    def _search_known_faces(
        self, gray: np.ndarray
    ) -> tuple[list[Box], dict[Box, float], list[tuple[Track, Placement]], Track | None]:
        """Looks for every track's face near where it was: the boxes found by searches,
        the tilts of those found leaning (others: upright), the tracks placed without a
        search, and a shown face lost just now (see :meth:`_search_track`), if any."""
        detections: list[Box] = []
        rolls: dict[Box, float] = {}  # the tilt each tilted detection was found at (others: upright)
        placed: list[tuple[Track, Placement]] = []
        just_lost: Track | None = None
        for track in self.tracks:
            if track.shot_ended:
                continue
            if track.by_network:
                # The cascade does not see this face: followed by template matching, and
                # looked for by the network when that is due or fails.
                placement = self.local_search.follow(gray, track) if track.followed < self.follow_frames else None
                if placement is not None:
                    placed.append((track, placement))
                else:
                    detections.extend(self._network_look(gray, track.predicted_box()))
                continue
            placement = self.local_search.place(gray, track)
            if placement is not None:
                placed.append((track, placement))
                continue
            found, searched_roll = self._search_track(gray, track)
            if not found and track.missed == 0 and track.confirmed and track.hits >= 2:
                just_lost = track
            rolls.update((box, searched_roll) for box in found)
            detections.extend(found)
        return detections, rolls, placed, just_lost

    def _search_track(self, gray: np.ndarray, track: Track) -> tuple[list[Box], float]:
        """A local cascade search for ``track`` (template matching did not place it), with
        the retries a shown face gets; its finds and the tilt they were found at."""
        # The detector's own neighbours here, not the checked 3: 3-neighbour boxes of
        # a shown face jitter more, and its crop (so its label) with them
        # (docs/measurements.md).
        found = self.local_search.search(gray, track)
        if not found and track.confirmed:
            # A coarse local miss is retried at full resolution (as fine as a
            # full-frame pass) before the face counts as missing in this frame; right
            # where it just was, with fewer neighbours (the face check re-checks shown
            # faces). Not once it is lost: the wider region would let a false face
            # nearby take its place. (An unconfirmed find that is not there again
            # was not seen consistently.)
            neighbours = self._checked_neighbours if track.missed == 0 else None
            found = self.local_search.search(gray, track, fine=True, min_neighbors=neighbours)
        searched_roll = track.roll
        if not found and track.confirmed and track.missed == 0:
            # A shown face may have leant its head: look at the tilts beside its own.
            found, searched_roll = self._leaning.search(gray, track)
        return found, searched_roll

    def _scan_due(self, gray: np.ndarray, everything: bool) -> ScanDue:
        """What the scan for newcomers looks at in this frame: ``everything`` (a still, a
        recovery, a stream's first frame), what changed (every ``full_scan_interval``
        frames, :data:`EMPTY_SCAN_INTERVAL` with nothing tracked), or nothing."""
        interval = self.full_scan_interval if self.tracks else min(self.full_scan_interval, EMPTY_SCAN_INTERVAL)
        if everything:
            return "everything"
        if self._frames_since_full + 1 < interval:
            # With nothing tracked, a cut to a new picture is looked at at once (a
            # thumbnail comparison, a tenth of a millisecond); faces that walk in are
            # found at the next due scan.
            return "changed" if not self.tracks and self._scans.new_picture(gray) else "none"
        return "changed"

    def _first_look(
        self,
        gray: np.ndarray,
        still: bool,
        fine: tuple[np.ndarray, float] | None,
        detections: list[Box],
        rolls: dict[Box, float],
        last_look: bool = False,
    ) -> None:
        """The scan of a picture (``still``; ``fine``: see :meth:`update`), or of a stream's
        first frame: adds its faces to ``detections`` (their tilts to ``rolls``) and keeps
        the face check's verdicts on all of them for this frame's confirmations.
        ``last_look``: no frame follows while this one shows (a still, a held frame): a
        network find the face check fails is checked by another look of the network at its
        box instead (see :meth:`_full_check`).

        These must show their faces at once: the detector's own fine pyramid, unconfirmed
        by local searches (which lose faces at the frame's edge), with fewer neighbours
        (the face check judges every find).
        """
        judged: dict[Box, FaceVerdict] = {}
        earlier = list(detections)
        if still:
            # Searched at several sizes, one box kept of those that overlap (.still_faces).
            faces, judged = still_faces(self.detector, self.face_check, gray, self._checked_neighbours, fine)
            detections.extend(faces)
        else:
            detections.extend(self.detector.detect_gray(gray, min_neighbors=self._checked_neighbours))
        # The face check's verdicts are kept for this frame's confirmations.
        self._verdicts = {box: judged.get(box) or self.face_check.judge(gray, box) for box in detections}
        opens_empty = not any(verdict.passed for verdict in self._verdicts.values())
        if last_look:
            # The cascades fail most network finds (that is why the network placed them):
            # playing, the next frame's look at the box is their check; with no next frame
            # the face stood unboxed for good (a paused video sought to, a picture).
            for box in self._network_boxes:
                verdict = self._verdicts.get(box)
                if verdict is not None and not verdict.passed:
                    del self._verdicts[box]
        # The CNN's finds came first (see _network_finds); where this look found a face too,
        # its box stands for it: _finish_update kept the larger of the two, which the face
        # check may fail, and in a picture no later frame looks again (with the CNN on, a
        # face the cascades alone show went unboxed).
        detections[:] = own_boxes_first(earlier, detections[len(earlier) :], self._verdicts)
        if still or (opens_empty and not self.background_scan):
            # Leaning faces too: every one in a picture; in a video that opens
            # on no upright face, large ones. Not live (background scans): in HD
            # it holds the first frame long enough to drop frames
            # (docs/measurements.md), and a camera's first frame seldom shows
            # anyone. Later, a face is followed as it leans once it has been
            # shown (see update).
            detections.extend(self._leaning.find(gray, detections, rolls, self._checked_neighbours, every_size=still))
        elif opens_empty:
            # Live, the idle thread's first two scans look for them instead, one
            # per tilt, beside the frames (see _background_finds).
            self._live_tilted.both_tilts_next()

    def _scan_inline(
        self, gray: np.ndarray, jobs: list[ScanJob], known: list[Box], rolls: dict[Box, float], cut_from_face: bool
    ) -> list[Box]:
        """The confirmed newcomers of a due scan run in this frame (``jobs``; not among
        ``known`` boxes), or, with none after a cut (``cut_from_face``, or with nothing
        tracked), large leaning faces (their tilts recorded in ``rolls``)."""
        # The cheaper discovery settings (a coarser pyramid than the detector's
        # own), each find confirmed by a local search.
        candidates = discover(self.detector, gray, jobs, self.discovery)
        newcomers = self._confirm_new_faces(gray, candidates, known, retry=True).found
        if not newcomers and (cut_from_face or not self.tracks and self._scans.cut(gray)):
            # A cut to a picture with no upright face is a new video opening
            # that way: large leaning faces too. Not at every empty full scan:
            # each costs more than an upright one, and camera moves bring as
            # many of those as cuts (docs/measurements.md).
            return newcomers + self._leaning.find(gray, [], rolls, self._checked_neighbours)
        return newcomers

    def _advance_clock(self, time_s: float | None) -> None:
        """Move the tracker's clock on to this frame: by the time since the frame before
        when both were given times, else (no times, a seek back, a video that loops) by
        :data:`NOMINAL_FRAME_S`."""
        if time_s is not None and not math.isfinite(time_s):
            time_s = None
        step = NOMINAL_FRAME_S
        if time_s is not None and self._last_time is not None and time_s > self._last_time:
            step = time_s - self._last_time
        if self._frame > 1:
            self._now += step
        self._last_time = time_s

    def _scan_jobs(
        self, gray: np.ndarray, everything: bool = False, near_side: float | None = None, every_band: bool = False
    ) -> list[ScanJob]:
        """What a due scan for newcomers covers (see :mod:`.scan_plan`); records it as scanned.

        ``near_side``: a recovery, looking for a lost face of about this side only (the
        sizes of a fine local search). ``every_band``: every size band scans what changed
        (a held frame: none waits for a later frame).
        """
        spread = self.size_range * FINE_SIZE_FACTOR
        return self._scans.jobs(
            gray,
            everything,
            [max(track.box[2], track.box[3]) for track in self.tracks],
            first_frame=self._first_in_stream,
            sizes=None if near_side is None else (near_side / spread, near_side * spread),
            every_band=every_band,
        )

    def _confirm(self, gray: np.ndarray, seen: list[Track], at_once: bool, look_again: bool = False) -> list[Track]:
        """The face check on new and due tracks; returns the confirmed ones of ``seen``.

        A new track is confirmed once the check passed ``confirm_checks`` times (once
        ``at_once``: a still or a held frame; in a stream's first frame, or near a face just lost: see
        :meth:`_may_return_at_once`) and dropped after
        :data:`REJECT_FAILS` failures first; a confirmed one is checked every
        :data:`RECHECK_FRAMES` frames (:data:`STRONG_RECHECK_FRAMES` while clearly a face)
        and dropped after :data:`DEMOTE_FAILS` failures in a row. Where a new face and a
        shown one nest (:func:`.part_of`), only one of them is a face: a new one inside is
        dropped; a new one around is weighed against the shown one by the check's
        evidence, and the winner keeps the shown one's id. ``look_again``: a new network
        find is checked by another look at its box (see :meth:`_check_new`).
        """
        shown: list[Track] = []
        dropped: set[int] = set()
        # A still, and the first frame of a stream, have no frame before them to have
        # seen a face in, a held frame none after it while it shows: one passed check
        # shows it (as a user opening a video expects).
        needed = 1 if at_once or self._first_in_stream else self.confirm_checks
        for track in seen:
            if not track.confirmed and self._under_a_face(gray, track):
                dropped.add(id(track))
                continue
            if track.confirmed:
                keep = self._recheck(gray, track)
            else:
                keep = self._check_new(gray, track, needed, look_again)
            if not keep:
                dropped.add(id(track))
                continue
            if track.confirmed:
                shown.append(track)
        if dropped:
            self.tracks = [t for t in self.tracks if id(t) not in dropped]
        # A shown face whose id a new one took (see _check_new) is gone.
        kept = {id(t) for t in self.tracks}
        shown = [t for t in shown if id(t) in kept]
        if shown and not self._shot_looked:
            # The first frame to show a face was not looked at for cuts: kept for a seek
            # that may follow (a video opened paused, then sought to another shot).
            self._shot_cuts.saw(gray)
        self._seen.record(self._moment, ((track.track_id, track.box) for track in shown))
        return shown

    def _check_new(self, gray: np.ndarray, track: Track, needed: int, look_again: bool = False) -> bool:
        """The face check on the new ``track``, which is confirmed (given an id) once it
        passed ``needed`` times, or at once where a face was just lost; whether it is kept
        (else dropped: a part of a shown face, or :data:`REJECT_FAILS` failures).
        ``look_again``: a network find's check is a look at its box now, not the look that
        gave it that box."""
        if look_again and track.by_network:
            # On a held frame one check shows a face: the look that placed the scan's find
            # is not one, any more than in a playing frame, where the next frame's look at
            # its box is its check (on blurred letters one look saw a face and the next,
            # at its own box, none: a box on a paused frame that playing never showed).
            self._verdicts.pop(track.box, None)
        # A new face found leaning must be clearly a face: turned views of
        # clothing and of the frame's replicated edges fool the cascades more
        # often than upright ones.
        verdict = self._full_check(gray, track, TILTED_NEW_FACE_STRICTNESS if track.roll else 1.0)
        if verdict.passed:
            track.checks += 1
        else:
            track.fails += 1
        # A face found again where a shown one was just lost (a turned head, a
        # hand across it) was seen before: one passed check brings it back.
        returning = self._ids.returning(track, self.tracks, self._now) if track.checks and not self._cut_frame else None
        if track.checks >= needed or self._may_return_at_once(track, returning):
            if self._inside_shown_face(track.box):
                # Found with a face shown in the same frame: a part of it after all.
                return False
            part = self._shown_face_inside(track.box)
            if part is not None:
                # A shown box mostly inside this one: one of the two is a part of
                # the other face (an eye and brow, or a box around a face and its
                # shoulders). The one with more of a face check's evidence is the
                # face, and keeps the id.
                clarity = self.face_check.clarity
                if clarity(gray, track.box, track.roll) <= clarity(gray, part.box, part.roll):
                    return False
                returning = Returning(part.track_id, part)
            self._give_id(track, returning)
        elif track.fails >= REJECT_FAILS:
            # A face half out of the frame fails too; if it then stands still,
            # only a look at this place again would find it before a full scan.
            self._scans.rescan(track.box)
            return False
        return True

    def _recheck(self, gray: np.ndarray, track: Track) -> bool:
        """The shown ``track``'s re-check, when due (every :data:`RECHECK_FRAMES` frames,
        :data:`STRONG_RECHECK_FRAMES` while clearly a face); whether it is kept (else
        dropped: :data:`DEMOTE_FAILS` failures in a row)."""
        track.since_check += 1
        if track.since_check >= (STRONG_RECHECK_FRAMES if track.strong else RECHECK_FRAMES):
            track.since_check = 0
            passed = self._resembles_verified(gray, track) or self._full_check(gray, track).passed
            track.fails = 0 if passed else track.fails + 1
            if track.fails >= DEMOTE_FAILS:
                return False
        return True

    def _may_return_at_once(self, track: Track, returning: Returning | None) -> bool:
        """Whether ``track``, with one passed check, continues ``returning`` at once.

        Not a find that association refused in the very frame the face was last seen
        before (its track missed only now), unless the check found it clearly a face:
        such a find is more often something beside the face, which the cascade missed
        (on the stage clip, the singer's hand and microphone under his mouth took his
        id; docs/measurements.md). It is shown once a second check passes.
        """
        if returning is None:
            return False
        lost_just_now = returning.owner is not None and returning.owner.missed <= 1
        return not lost_just_now or track.strong

    def _under_a_face(self, gray: np.ndarray, track: Track) -> bool:
        """Whether ``track``'s box starts right under a face shown, missed or lost in the
        last :data:`KEEP_LOST_S` seconds, and does not look like it (:func:`.body_under`)."""
        faces = [(t.box, t.look) for t in self.tracks if t.confirmed and not t.shot_ended and t is not track]
        faces += [(lost.box, lost.look) for lost in self._ids.lost]
        return any(body_under(gray, track.box, box, look) for box, look in faces)

    def _shown_face_inside(self, box: Box) -> Track | None:
        """A face shown in this frame whose box lies mostly inside ``box`` (:func:`.part_of`)."""
        shown = (track for track in self.tracks if track.confirmed and track.missed == 0 and track.box != box)
        return next((track for track in shown if part_of(track.box, box)), None)

    def _inside_shown_face(self, box: Box) -> bool:
        """Whether ``box`` lies mostly inside a shown face's box (:func:`.part_of`):
        an eye and its brow found at some scale or tilt, a part of that face, not another.
        (Not inside an unconfirmed box: that may be a whole upper body around a real face.)"""
        return any(track.confirmed and track.box != box and part_of(box, track.box) for track in self.tracks)

    def _full_check(self, gray: np.ndarray, track: Track, strictness: float = 1.0) -> FaceVerdict:
        """The face check with its cascades (``strictness``: see :meth:`FaceCheck.judge`);
        a pass keeps the face's look for later re-checks. Its verifier judges new faces
        only: what fools both cascades must not become a face, while a shown face that
        leans or turns is boxed for a while on a part of it (an eye and brow, a cheek and
        mouth), which the cascades accept and the verifier, trained to turn down parts of
        faces, does not; a shown face is dropped by the cascades' re-checks alone."""
        verdict = self._verdicts.get(track.box) if track.by_network or not track.roll and strictness == 1.0 else None
        if verdict is None and track.by_network:
            # The cascades fail this face (that is why the network follows it): the
            # network's own look is its check.
            verdict = FaceVerdict(passed=bool(self._network_look(gray, track.box)), strong=False)
        elif verdict is None:
            verdict = self.face_check.judge(gray, track.box, track.roll, strictness, verify=not track.confirmed)
        track.strong = verdict.strong
        track.verified = FaceTemplate.capture(gray, track.box) if verdict.passed else None
        track.resembled = 0
        return verdict

    def _resembles_verified(self, gray: np.ndarray, track: Track) -> bool:
        """Whether a due re-check of ``track`` may pass without the cascades (see
        :data:`RESEMBLANCE_SCORE`); counts it if so."""
        if track.verified is None or track.resembled >= RESEMBLANCE_RECHECKS:
            return False
        side = max(track.box[2], track.box[3])
        match = track.verified.locate(gray, track.box, RESEMBLANCE_MARGIN * side)
        if match is None or match[1] < RESEMBLANCE_SCORE:
            return False
        track.resembled += 1
        return True

    def _network_look(self, gray: np.ndarray, expected: Box) -> list[Box]:
        """The network's box for the face at about ``expected`` (none, or none seen there);
        recorded as a network find with a passed check in this frame."""
        find = self.network.look(gray, expected) if self.network is not None else None
        if find is None:
            return []
        self._network_boxes.add(find.box)
        self._verdicts[find.box] = FaceVerdict(passed=True, strong=False)
        return [find.box]

    def _network_finds(self, gray: np.ndarray, known: list[Box], rolls: dict[Box, float], still: bool) -> list[Box]:
        """Newcomers from the CNN detector's scan (see the module notes): inline every
        ``network_scan_frames`` frames of a stream (and in a still), or, with background
        scans, from the last one that ended, starting the next when due.

        A candidate on a track or a ``known`` box is that face. Elsewhere the cascade
        looks first, as for its own scans' candidates (a face it sees is followed and
        checked like every other), upright and then at the tilts either side (the network
        sees leaning faces; the model must see them turned upright: :mod:`.roll`; their
        tilts are recorded in ``rolls``); where it sees none the network looks, in this frame.
        """
        if self._network_scans is None:
            return []
        inline = not self.background_scan or still
        finds = self._network_scans.finds(
            gray, self._now, self._frame - self._stream_start, still, inline, float(self.detector.min_face_size)
        )
        if not finds:
            return []
        taken = [box for track in self.tracks for box in (track.box, track.predicted_box())] + list(known)
        newcomers: list[Box] = []
        for find in finds:
            if known_to_network(find.box, taken):
                continue
            found = self._confirm_new_faces(gray, [find.box], taken, retry=False).found
            for roll in side_tilts():
                if found:
                    break
                found = self._confirm_new_faces(gray, [find.box], taken, retry=False, roll=roll).found
                rolls.update((box, roll) for box in found)
            found = found or self._network_look(gray, find.box)
            newcomers.extend(found)
            taken.extend(found)
        return newcomers

    def _give_id(self, track: Track, returning: Returning | None) -> None:
        """Confirm ``track``: the id of the recently lost face it continues, else, at a
        moment of the frames' times seen before (a seek back), of the face that was there
        then and is not shown now, else the next one."""
        if returning is None and self._moment is not None and self._seen.went_back(self._moment):
            taken = {other.track_id for other in self.tracks if other.confirmed and other is not track}
            seen_id = self._seen.who(self._moment, track.box, taken, REID_SIZE_RATIO)
            returning = Returning(seen_id, None) if seen_id is not None else None
        self._ids.give(track, returning)
        if returning is not None and returning.owner is not None:
            self.tracks = [t for t in self.tracks if t is not returning.owner]
        track.fails = 0
        # Faces confirmed together (a gallery, a classroom, a stream's first frame) would
        # otherwise all be re-checked in the same frame, a burst of checks every period:
        # each starts its period at a phase of its own.
        track.since_check = (track.track_id * RECHECK_PHASE_STEP) % RECHECK_FRAMES

    def _finish_update(
        self,
        gray: np.ndarray,
        detections: list[Box],
        rolls: dict[Box, float],
        placed: list[tuple[Track, Placement]],
    ) -> list[Track]:
        """Associates this frame's finds with the tracks and drops the tracks missed too
        long; returns the tracks seen in this frame, left to right."""
        for track, placement in placed:
            track.observe(placement.box)
            if not placement.confirmed:
                track.followed += 1
                continue
            # A fresh thumbnail after every check keeps up with a face that slowly
            # turns or grows; taking it where the cascade agreed bounds any drift.
            track.followed = 0
            track.template = FaceTemplate.capture(gray, placement.box)
        # A cascade box on a face already placed is that face again (say, a recovery
        # scan's find): it must not start a second track. A box centred outside the
        # frame holds no face of it (and could not be cropped for the model).
        detections = [
            b
            for b in suppress_duplicates(detections)
            if b[2] > 0
            and b[3] > 0
            and centred_in(b, gray.shape)
            and all(iou(b, placement.box) <= DUPLICATE_IOU for _, placement in placed)
        ]
        done = {id(track) for track, _ in placed}
        matched, fresh = associate(
            [t for t in self.tracks if id(t) not in done],
            detections,
            self.iou_threshold,
            self.size_range,
            # A face missed for a frame is looked for further off: not on its own neck.
            may_match=lambda track, box: not track.shot_ended and not body_under(gray, box, track.box, track.look),
        )
        fresh = [box for box in fresh if not self._inside_shown_face(box)]
        new_tracks = [Track(track_id=0, box=box, by_network=box in self._network_boxes) for box in fresh]
        self.tracks.extend(new_tracks)
        found = matched + new_tracks
        for track in found:
            track.roll = rolls.get(track.box, 0.0)
            # Only a cascade find may become the template: a template refreshed from
            # its own matches could drift off the face one pixel at a time.
            track.template = FaceTemplate.capture(gray, track.box) if self.follow_frames else None
            track.followed = 0
        kept: list[Track] = []
        for track in self.tracks:
            if track.missed <= (self.max_missed if track.confirmed else 0):
                # A new find must be seen again in the next frame to stay a candidate.
                kept.append(track)
            elif track.confirmed and not track.shot_ended:
                self._ids.lose(track, self._now)
        self.tracks = kept
        self._ids.expire(self._now)
        seen = found + [track for track, _ in placed]
        for track in seen:
            track.seen_at = self._now
            self._scans.cover(track.box)
        return sorted(seen, key=lambda t: (t.box[0], t.box[1]))

    def _background_finds(
        self,
        gray: np.ndarray,
        known: list[Box],
        due: ScanDue,
        rolls: dict[Box, float],
        near_side: float | None = None,
    ) -> list[Box]:
        """Confirmed newcomers from a finished background scan (their tilts recorded in
        ``rolls``); starts the next one when ``due``.

        Never waits for a scan: a frame that arrives while one runs is searched locally only.
        With nothing tracked and no scan due, the idle thread looks for leaning newcomers
        now and then (:class:`.LiveTiltedScans`), at one tilt and then the other.
        """
        self.last_pass_was_full = False
        self.last_scan = "none"
        finished = self._background.take_finished(gray.shape)
        if not self.tracks and self._scans.cut(gray):
            # A new picture with nobody in it yet may show someone leaning either way: the
            # idle thread's next two scans are one per tilt.
            self._live_tilted.after_cut(self._frame)
        finds: list[Box] = []
        if finished is not None and finished.candidates:
            # The idle scans for leaning newcomers are the one way a live stream finds a
            # face that enters leaning, and come a second apart: their candidates get the
            # retry (a leaning selfie at 40 degrees was otherwise never shown).
            leaning = finished.roll != 0.0
            # So does an upright candidate the confirming search missed at the last scan
            # too: that place is scanned again at the next one, and a candidate there
            # again is a face two scans saw (a dim audience face on the stage clip was
            # otherwise never shown live). Retrying every candidate at once cost HD frames
            # (docs/measurements.md).
            searched = self._confirm_new_faces(
                gray, finished.candidates, known, retry=leaning, roll=finished.roll, retry_near=self._missed_candidates
            )
            finds = searched.found
            if not leaning:
                # One missed again after its retry is let go until a scan brings it anew.
                self._missed_candidates = searched.missed
                for candidate in searched.missed:
                    self._scans.rescan(candidate)
            rolls.update((box, finished.roll) for box in finds)
        if due != "none" and not self._background.running:
            # The bands are recorded as scanned only when their scan really starts.
            jobs = self._scan_jobs(gray, everything=due == "everything", near_side=near_side)
            if jobs:
                self._background.start(gray, jobs)
            self._frames_since_full = 0
            return finds
        self._frames_since_full += 1
        tilted = None if self.tracks or self._background.running else self._live_tilted.due(self._frame, self.detector)
        if tilted is not None:
            job, roll = tilted
            self._background.start(gray, [job], roll)
        return finds

    def _confirm_new_faces(
        self,
        gray: np.ndarray,
        candidates: list[Box],
        known: list[Box],
        retry: bool,
        roll: float = 0.0,
        retry_near: Sequence[Box] = (),
    ) -> CandidateSearch:
        """Local searches around scan ``candidates`` not already among ``known`` boxes
        (:meth:`.LocalSearch.confirm_candidates`), with :data:`CHECKED_FIND_NEIGHBORS`:
        the face check judges what they confirm."""
        return self.local_search.confirm_candidates(
            gray, candidates, known, self.iou_threshold, self._checked_neighbours, retry, roll, retry_near
        )

    @property
    def _checked_neighbours(self) -> int:
        """Neighbours a find needs where the face check judges it (never more than the detector's own)."""
        return min(self.detector.min_neighbors, CHECKED_FIND_NEIGHBORS)
