"""``live_quality --window`` scores what the screen showed: every frame the player read, each
with the labels of the last result painted before its turn ended (test-made streams)."""

from __future__ import annotations

import numpy as np

from scripts.live_quality import (
    ClipRecord,
    PaintedResult,
    PlayedFrame,
    ShownFace,
    follow_lags,
    score_clip,
    score_range,
    screen_record,
    window_record,
)
from scripts.support.real_clips import TruthRange

FPS = 10.0


def played(count: int, start: float = 100.0) -> list[PlayedFrame]:
    """``count`` frames read at the clip's own rate from ``start`` (perf_counter seconds)."""
    return [PlayedFrame(index, index / FPS, start + index / FPS) for index in range(count)]


def painted(frame: PlayedFrame, label: str, after_s: float = 0.02) -> PaintedResult:
    """That frame's result, one face shown ``label``, painted ``after_s`` after its read."""
    return PaintedResult(frame.read_at + after_s, frame.index, (ShownFace(1, label, False),))


def labels_of(record: ClipRecord) -> list[str | None]:
    return [faces[0].label if faces else None for _index, faces in record.frames]


def test_a_frame_skipped_counts_with_the_label_held_before() -> None:
    # Frames 2 and 4-5 were read but never processed (a busy machine): the screen held frame
    # 1's "happy", then frame 3's "sad". Scored on the results received, the skipped frames
    # were not counted, and the happy range read 100% where the screen showed sad a third of it.
    frames = played(8)
    results = [painted(frames[0], "happy"), painted(frames[1], "happy"), painted(frames[3], "sad")]
    results += [painted(frames[6], "happy"), painted(frames[7], "happy")]
    record = screen_record("clip.avi", FPS, frames, results)
    assert [index for index, _faces in record.frames] == list(range(8))
    assert record.times == [index / FPS for index in range(8)]
    assert labels_of(record) == ["happy", "happy", "happy", "sad", "sad", "sad", "happy", "happy"]
    scored = score_range(record, TruthRange(0, 7, 1, frozenset({"happy"})))
    assert scored["frames"] == 8 and scored["acceptable"] == 0.625 and scored["confident_wrong"] == 0.375
    assert scored["count_match"] == 1.0
    # Each face-frame on screen counts for its time: 8 frames at 10 fps.
    clip = score_clip(record, [])
    assert clip["face_frames"] == 8 and clip["face_seconds"] == 0.8 and clip["label_changes"] == 2


def test_a_result_painted_after_its_frame_s_turn_counts_from_the_next_frame() -> None:
    # Frame 2's result came 0.15 s after its read, after frame 3 was read: frame 2's turn ended
    # with frame 1's label on screen; frame 3, never processed, ended with frame 2's.
    frames = played(5)
    results = [painted(frames[0], "neutral"), painted(frames[1], "neutral"), painted(frames[2], "happy", 0.15)]
    record = screen_record("clip.avi", FPS, frames, results)
    assert labels_of(record) == ["neutral", "neutral", "neutral", "happy", "happy"]


def test_a_stream_s_opening_before_any_result_counts_as_missed() -> None:
    # The first frame is scanned while the file plays on: frame 0's result was painted 0.35 s
    # after its read, so frames 0-2 showed no face; frames 3-4 were never processed and show
    # frame 0's. Each missed frame of the opening counts against the range, however few frames
    # the window was sent.
    frames = played(10)
    results = [painted(frames[0], "neutral", 0.35)] + [painted(frame, "neutral") for frame in frames[5:]]
    record = screen_record("clip.avi", FPS, frames, results)
    assert labels_of(record) == [None, None, None] + ["neutral"] * 7
    scored = score_range(record, TruthRange(0, 9, 1, frozenset({"neutral"})))
    assert scored["frames"] == 10 and scored["acceptable"] == 0.7 and scored["count_match"] == 0.7
    assert scored["confident_wrong"] == 0.0
    # A stream with no result painted at all shows no face in any frame.
    assert labels_of(screen_record("clip.avi", FPS, frames, [])) == [None] * 10


def test_the_last_frame_s_turn_lasts_one_frame_period() -> None:
    # No frame is read after the last: its turn ends a frame period after its read.
    frames = played(3)
    results = [painted(frames[0], "sad"), painted(frames[1], "sad"), painted(frames[2], "happy", 0.05)]
    assert labels_of(screen_record("clip.avi", FPS, frames, results)) == ["sad", "sad", "happy"]
    late = [*results[:2], painted(frames[2], "happy", 0.15)]
    assert labels_of(screen_record("clip.avi", FPS, frames, late)) == ["sad", "sad", "sad"]


def test_the_received_frames_follow_by_the_file_s_frames_not_the_opening_s_gap() -> None:
    # The window was sent frame 0, then (its opening dropped while frame 0 was scanned)
    # frames 5-39. The change to "b" at frame 10 shows from frame 12, with one flicker back
    # at frame 30: followed in 2 frames (0.2 s), as on every frame. The hold was counted in
    # steps of the first gap (5 frames), 20 frames long: the flicker 18 frames on made it
    # 21 frames, and its seconds were counted at the rate of the frames sent.
    from emotion_app.gui.messages import InferenceResult
    from emotion_app.results import FaceResult

    picture = np.zeros((48, 64, 3), np.uint8)
    labels = ("a", "b")

    def result(index: int) -> InferenceResult:
        label = "a" if index < 12 or index == 30 else "b"
        probabilities = (0.9, 0.1) if label == "a" else (0.1, 0.9)
        face = FaceResult((10, 10, 20, 20), 1, label, 0.9, probabilities)
        return InferenceResult(1, index, picture, picture, picture, (face,), labels, 0.0, index / FPS, 0.0)

    received = [result(index) for index in [0, *range(5, 40)]]
    record = window_record("clip.avi", FPS, received, 1)
    ranges = [TruthRange(0, 9, 1, frozenset({"a"})), TruthRange(10, 39, 1, frozenset({"b"}))]
    (follow,) = follow_lags(record, ranges)
    assert (follow["at_frame"], follow["frames"], follow["seconds"]) == (10, 2, 0.2)
    # The 36 frames sent still count the 4 s they span, at the rate they were sent.
    assert record.fps == 9.0 and score_clip(record, ranges)["face_seconds"] == 4.0
