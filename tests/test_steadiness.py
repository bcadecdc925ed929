"""What is shown for a tracked face: time smoothing, minimum hold, uncertainty.

Synthetic probability streams at 10 and 30 fps: a flickering face keeps its label, a real
change is shown within the promised time at either rate.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import cv2
import numpy as np
import pytest

from emotion_app.inference.steadiness import (
    DEFAULT_STEADINESS,
    DEFAULT_STEADINESS_LEVEL,
    LEADER_WAIT_HOLDS,
    PLAIN_LEAD,
    STEADINESS_LEVELS,
    LabelSteadier,
    Steadiness,
    UncertaintyRule,
    steadiness_level,
)
from emotion_app.pipeline import EmotionPipeline

HAPPY, NEUTRAL, SAD = 0, 1, 2


def confident(index: int, p: float = 0.85, classes: int = 3) -> np.ndarray:
    probabilities = np.full(classes, (1.0 - p) / (classes - 1), np.float32)
    probabilities[index] = p
    return probabilities


def promised_delay(steadiness: Steadiness) -> float:
    """Seconds from a clean switch between two confident classes to the label following:
    for the 0.85-vs-0.075 streams below, the smoothed new class leads by the margin once
    ``exp(-t / tau) <= 0.5 - margin / 1.55``,
    then leads for the hold."""
    return steadiness.time_constant_s * math.log(1.0 / (0.5 - steadiness.switch_margin / 1.55)) + steadiness.hold_s


def run(steadier: LabelSteadier, stream: list[np.ndarray], fps: float, track_id: int = 1) -> list[int]:
    return [steadier.update(track_id, p, i / fps).label_index for i, p in enumerate(stream)]


@pytest.mark.parametrize("fps", [10.0, 30.0])
def test_a_flickering_face_keeps_its_label(fps: float) -> None:
    # Happy throughout, but every 4th frame (10 fps: every 0.4 s) one frame reads sad, and
    # twice a run of frames lasting 0.1 s reads neutral: what talking does to raw labels.
    frames = int(6 * fps)
    stream = [confident(HAPPY) for _ in range(frames)]
    for i in range(3, frames, 4):
        stream[i] = confident(SAD, 0.7)
    for start in (int(2 * fps), int(4 * fps)):
        for i in range(start, start + max(1, int(0.1 * fps))):
            stream[i] = confident(NEUTRAL, 0.8)
    raw_changes = sum(int(np.argmax(a)) != int(np.argmax(b)) for a, b in zip(stream, stream[1:]))
    assert raw_changes >= 10
    shown = run(LabelSteadier(DEFAULT_STEADINESS), stream, fps)
    assert shown == [HAPPY] * frames


@pytest.mark.parametrize("fps", [10.0, 30.0])
@pytest.mark.parametrize("level", ["low", "medium", "high"])
def test_a_real_change_is_shown_within_the_promised_time(fps: float, level: str) -> None:
    steadiness = STEADINESS_LEVELS[level]
    change_at = 2.0
    frames = int(5 * fps)
    stream = [confident(NEUTRAL if i / fps < change_at else HAPPY) for i in range(frames)]
    shown = run(LabelSteadier(steadiness), stream, fps)
    first_happy = next(i for i, label in enumerate(shown) if label == HAPPY)
    delay = first_happy / fps - change_at
    # Within one frame of the promised delay, at either rate; never before the change.
    assert 0.0 < delay <= promised_delay(steadiness) + 1.0 / fps + 1e-6
    assert delay <= 0.9  # the "within about half a second to one second", even at high
    assert shown[first_happy:] == [HAPPY] * (frames - first_happy)  # and it stays


def test_a_decisive_lead_is_shown_without_waiting_out_the_hold() -> None:
    # The app once showed "surprise? 10%" beside bars at neutral 79%: the new class had
    # long won, but its hold had not run out. A lead that large switches at once.
    fps = 30.0
    stream = [confident(NEUTRAL if i < 2 * fps else HAPPY, p=0.95) for i in range(int(4 * fps))]
    medium = STEADINESS_LEVELS["medium"]
    steadier = LabelSteadier(medium)
    shown = [steadier.update(1, p, i / fps) for i, p in enumerate(stream)]
    switch = next(i for i, s in enumerate(shown) if s.label_index == HAPPY)
    waiting = run(LabelSteadier(dataclasses.replace(medium, decisive_lead=1.0)), stream, fps).index(HAPPY)
    assert switch < waiting  # sooner than the hold alone allows
    assert shown[switch].smoothed[HAPPY] - shown[switch].smoothed[NEUTRAL] >= medium.decisive_lead
    # Before the switch the shown label never trailed by the decisive lead.
    assert all(s.smoothed[HAPPY] - s.smoothed[NEUTRAL] < medium.decisive_lead for s in shown[:switch])


def test_a_lead_short_of_decisive_still_waits_out_the_hold() -> None:
    fps = 30.0
    medium = STEADINESS_LEVELS["medium"]
    mild = np.array([0.25, 0.45, 0.3], np.float32)  # happy ahead of neutral by 0.15 only
    mild_happy = np.roll(mild, HAPPY - 1)
    stream = [confident(NEUTRAL) for _ in range(int(2 * fps))] + [mild_happy for _ in range(int(2 * fps))]
    steadier = LabelSteadier(medium)
    shown = [steadier.update(1, p, i / fps) for i, p in enumerate(stream)]
    lead_starts = next(
        i for i, s in enumerate(shown) if s.smoothed[HAPPY] - s.smoothed[NEUTRAL] >= medium.switch_margin
    )
    switch = next(i for i, s in enumerate(shown) if s.label_index == HAPPY)
    assert (switch - lead_starts) / fps >= medium.hold_s - 1e-6


@pytest.mark.parametrize("fps", [10.0, 30.0])
def test_a_label_beaten_by_two_classes_taking_turns_goes_within_the_hold(fps: float) -> None:
    # The app once showed "happy? 5%" beside angry 41% and neutral 37% for seconds: the two
    # traded the lead, and each new leader started the hold afresh. Here happy gives way
    # to neutral and sad, each leading for 0.2 s (less than the hold) in turn, both far
    # ahead of happy but short of the decisive lead.
    medium = STEADINESS_LEVELS["medium"]
    change_at = 1.0
    neutral_ahead = np.array([0.1, 0.5, 0.4], np.float32)
    sad_ahead = np.array([0.1, 0.4, 0.5], np.float32)
    stream = [
        confident(HAPPY) if i / fps < change_at else (neutral_ahead, sad_ahead)[int((i / fps - change_at) / 0.2) % 2]
        for i in range(int(4 * fps))
    ]
    steadier = LabelSteadier(medium)
    shown = [steadier.update(1, p, i / fps) for i, p in enumerate(stream)]
    leaders = [int(np.argmax(s.smoothed)) for s in shown]
    assert {NEUTRAL, SAD} <= set(leaders[int(change_at * fps) :])  # the lead does change hands
    assert all(
        s.smoothed[leader] - s.smoothed[HAPPY] < medium.decisive_lead for s, leader in zip(shown, leaders)
    )  # so only the hold can end it
    beaten_from = next(i for i, s in enumerate(shown) if s.smoothed.max() - s.smoothed[HAPPY] >= medium.switch_margin)
    switch = next((i for i, s in enumerate(shown) if s.label_index != HAPPY), None)
    assert switch is not None, "happy was shown to the end, beaten all along"
    assert shown[switch].label_index == leaders[switch]  # to the class leading then
    # Within a frame of the hold after happy is first beaten by the margin.
    assert 0.0 <= (switch - beaten_from) / fps <= medium.hold_s + 1.0 / fps + 1e-6
    assert HAPPY not in [s.label_index for s in shown[switch:]]  # and happy never comes back


def test_a_class_ahead_for_one_frame_as_the_hold_ends_is_not_shown() -> None:
    # The stage clip's singer, shown neutral, was beaten by angry and, just as the hold ran
    # out, by surprise: surprise was shown, and neutral again after another hold. The label
    # goes to the class that beat it most over the streak, once that class leads again.
    fps = 10.0
    steadiness = Steadiness(hold_s=0.3, switch_margin=0.05)
    happy_ahead = np.array([0.5, 0.3, 0.2], np.float32)
    sad_for_a_frame = np.array([0.3, 0.25, 0.45], np.float32)
    # Neutral, beaten by happy for frames 1-3, by sad in frame 4 (when the hold is out), by happy again.
    stream = [confident(NEUTRAL)] + [happy_ahead] * 3 + [sad_for_a_frame] + [happy_ahead] * 10
    shown = run(LabelSteadier(steadiness), stream, fps)
    assert shown == [NEUTRAL] * 5 + [HAPPY] * 10


def test_a_moment_looked_at_again_counts_once_in_the_streak() -> None:
    # The app labels a paused file's frame again at its own time (on pause, a mirror or a
    # steadiness change): as the hold, the streak's mean must not count that moment again,
    # or enough looks at a frame where sad leads for a frame would show sad on it.
    fps = 10.0
    steadiness = Steadiness(hold_s=0.3, switch_margin=0.05)
    happy_ahead = np.array([0.5, 0.3, 0.2], np.float32)
    sad_for_a_frame = np.array([0.3, 0.25, 0.45], np.float32)
    stream = [confident(NEUTRAL)] + [happy_ahead] * 3 + [sad_for_a_frame] + [happy_ahead] * 10
    steadier = LabelSteadier(steadiness)
    shown = []
    for i, probabilities in enumerate(stream):
        looks = [steadier.update(1, probabilities, i / fps).label_index for _ in range(10 if i == 4 else 1)]
        assert looks == [looks[0]] * len(looks), f"frame {i} looked at again: {looks}"
        shown.append(looks[0])
    assert shown == run(LabelSteadier(steadiness), stream, fps)  # as if each frame was looked at once


def test_a_beaten_label_goes_to_the_leader_within_the_wait_bound() -> None:
    # Sad beats neutral far for the hold, then happy leads, with sad close behind neutral:
    # happy's mean over the streak stays below sad's for seconds, but neutral (22%) must not
    # stay beside happy at 50% that long.
    fps = 10.0
    steadiness = Steadiness(hold_s=0.3, switch_margin=0.05)
    sad_far_ahead = np.array([0.1, 0.1, 0.8], np.float32)
    happy_ahead = np.array([0.5, 0.22, 0.28], np.float32)
    stream = [confident(NEUTRAL)] + [sad_far_ahead] * 3 + [happy_ahead] * 30
    shown = run(LabelSteadier(steadiness), stream, fps)
    switch = next(i for i, label in enumerate(shown) if label != NEUTRAL)
    assert shown[switch:] == [HAPPY] * (len(stream) - switch)  # to the leader, never to sad
    beaten_from = 1
    assert (switch - beaten_from) / fps > steadiness.hold_s + 1e-6  # it waited past the hold
    assert (switch - beaten_from) / fps <= LEADER_WAIT_HOLDS * steadiness.hold_s + 1.0 / fps + 1e-6


# The stage clip's singer (short_hamilton_clip.mp4, frames 86-117) as the desktop window's
# pipeline read him, shipped model: (frame, raw probabilities in CLASSES' order). The window
# was sent no result for frames 99-101, 103-104 and 110 (a busy machine drops frames).
STAGE_CLIP_FPS = 29.97
CLASSES = ("angry", "fear", "happy", "sad", "surprise", "neutral")
STAGE_SINGER = [
    (86, (0.003, 0.000, 0.971, 0.004, 0.002, 0.019)),
    (87, (0.002, 0.000, 0.973, 0.004, 0.001, 0.020)),
    (88, (0.002, 0.001, 0.945, 0.008, 0.001, 0.043)),
    (89, (0.002, 0.001, 0.945, 0.008, 0.001, 0.043)),
    (90, (0.006, 0.001, 0.814, 0.015, 0.003, 0.161)),
    (91, (0.006, 0.002, 0.912, 0.007, 0.004, 0.070)),
    (92, (0.020, 0.003, 0.722, 0.022, 0.006, 0.226)),
    (93, (0.057, 0.006, 0.411, 0.030, 0.013, 0.483)),
    (94, (0.021, 0.003, 0.552, 0.019, 0.007, 0.398)),
    (95, (0.069, 0.007, 0.526, 0.048, 0.009, 0.342)),
    (96, (0.119, 0.046, 0.405, 0.104, 0.031, 0.295)),
    (97, (0.042, 0.026, 0.448, 0.076, 0.023, 0.385)),
    (98, (0.050, 0.039, 0.050, 0.122, 0.037, 0.702)),
    (102, (0.064, 0.030, 0.003, 0.066, 0.119, 0.717)),
    (105, (0.549, 0.049, 0.005, 0.054, 0.079, 0.264)),
    (106, (0.716, 0.020, 0.005, 0.043, 0.027, 0.189)),
    (107, (0.710, 0.025, 0.011, 0.032, 0.036, 0.186)),
    (108, (0.470, 0.028, 0.013, 0.057, 0.070, 0.363)),
    (109, (0.531, 0.037, 0.008, 0.033, 0.103, 0.287)),
    (111, (0.173, 0.055, 0.001, 0.009, 0.610, 0.151)),
    (112, (0.132, 0.065, 0.001, 0.008, 0.712, 0.082)),
    (113, (0.060, 0.027, 0.004, 0.006, 0.780, 0.123)),
    (114, (0.060, 0.027, 0.004, 0.006, 0.780, 0.123)),
    (115, (0.003, 0.029, 0.032, 0.047, 0.380, 0.510)),
    (116, (0.002, 0.061, 0.123, 0.115, 0.261, 0.439)),
    (117, (0.001, 0.047, 0.044, 0.127, 0.287, 0.494)),
]


def test_a_label_its_bars_plainly_contradict_goes_as_classes_take_turns_ahead() -> None:
    # The window showed the singer "happy?" for over half a second, down to "happy? 4%"
    # beside surprise at 41%: neutral, then angry, then surprise led, far ahead of happy but
    # short of the decisive lead, and neither leader had the highest mean over the streak
    # (neutral had, second behind them), so happy waited for the wait bound.
    medium = STEADINESS_LEVELS["medium"]
    steadier = LabelSteadier(medium)
    shown = {
        frame: steadier.update(1, np.array(raw, np.float32), frame / STAGE_CLIP_FPS) for frame, raw in STAGE_SINGER
    }
    happy, neutral = CLASSES.index("happy"), CLASSES.index("neutral")
    beaten_from = 102  # happy's first frame beaten by the margin (neutral at 57%, happy 20%)
    assert all(s.label_index == happy for frame, s in shown.items() if frame < beaten_from)
    leaders = {CLASSES[int(np.argmax(s.smoothed))] for frame, s in shown.items() if frame >= beaten_from}
    assert leaders == {"neutral", "angry", "surprise"}
    assert all(s.smoothed.max() - s.smoothed[happy] < medium.decisive_lead for s in shown.values())
    # Happy goes once the hold is out, to neutral, the class that beat it most meanwhile.
    switch = next(frame for frame, s in shown.items() if s.label_index != happy)
    assert (switch - beaten_from) / STAGE_CLIP_FPS <= medium.hold_s + 1.0 / STAGE_CLIP_FPS
    assert [s.label_index for frame, s in shown.items() if frame >= switch] == [neutral] * sum(
        frame >= switch for frame in shown
    )
    # So happy never stands beside a class more than PLAIN_LEAD ahead for longer than the hold.
    contradicted = [frame for frame, s in shown.items() if s.smoothed.max() - s.smoothed[s.label_index] > PLAIN_LEAD]
    happy_contradicted = [frame for frame in contradicted if shown[frame].label_index == happy]
    assert (happy_contradicted[-1] - happy_contradicted[0]) / STAGE_CLIP_FPS < medium.hold_s


def test_a_plainly_beaten_label_goes_to_the_class_that_beat_it_most() -> None:
    # Sad beats neutral far for the hold, then happy leads with sad close behind: neutral at
    # 10% goes to sad (40%) once the hold is out, and sad to happy once happy has beaten it
    # for a hold of its own, where neutral stayed beside happy at 50% for the wait bound.
    fps = 10.0
    steadiness = Steadiness(hold_s=0.3, switch_margin=0.05)
    sad_far_ahead = np.array([0.1, 0.1, 0.8], np.float32)
    happy_ahead = np.array([0.5, 0.1, 0.4], np.float32)
    stream = [confident(NEUTRAL)] + [sad_far_ahead] * 3 + [happy_ahead] * 10
    shown = run(LabelSteadier(steadiness), stream, fps)
    assert shown == [NEUTRAL] * 4 + [SAD] * 4 + [HAPPY] * 6


@pytest.mark.parametrize(
    ("level", "neutral_frames", "surprise"), [("low", 3, 0.6), ("medium", 6, 0.6), ("high", 15, 0.65)]
)
def test_a_plainly_beaten_label_goes_to_no_class_as_plainly_beaten(
    level: str, neutral_frames: int, surprise: float
) -> None:
    # Happy, then neutral leads (the streak's highest mean), then surprise rises far past
    # both, short of the decisive lead over happy when the hold is out: neutral, over
    # PLAIN_LEAD behind surprise, would be a label its bars plainly contradict too (Medium:
    # "neutral? 32%" beside surprise at 53%), shown for another hold before surprise.
    fps = 30.0
    happy, neutral, surprise_index = 0, 1, 2
    stream = (
        [np.array([0.85, 0.05, 0.05, 0.05], np.float32)] * 10
        + [np.array([0.2, 0.6, 0.05, 0.15], np.float32)] * neutral_frames
        + [np.array([0.05, 0.3, surprise, 0.65 - surprise], np.float32)] * 40
    )
    steadier = LabelSteadier(STEADINESS_LEVELS[level])
    shown = [steadier.update(1, p, i / fps) for i, p in enumerate(stream)]
    labels = [s.label_index for s in shown]
    assert [labels[0]] + [b for a, b in zip(labels, labels[1:]) if a != b] == [happy, surprise_index]
    assert neutral not in labels
    # Surprise came by the hold running out, not by the decisive lead, and was not plainly
    # contradicted when it came.
    switch = next(s for s in shown if s.label_index != happy)
    assert switch.smoothed[surprise_index] - switch.smoothed[happy] < STEADINESS_LEVELS[level].decisive_lead
    assert switch.smoothed.max() - switch.smoothed[switch.label_index] <= PLAIN_LEAD


def test_a_frame_back_within_the_margin_restarts_the_hold() -> None:
    # The hold counts time beaten in a row: a label that comes back within the margin,
    # even for one frame, has not been plainly beaten for the hold.
    fps = 10.0
    steadiness = Steadiness(hold_s=0.3, switch_margin=0.1)
    close = np.array([0.4, 0.45, 0.15], np.float32)  # neutral ahead, by less than the margin
    beaten = [np.array([0.1, 0.6, 0.3], np.float32), np.array([0.1, 0.3, 0.6], np.float32)]
    # Beaten for 0.2 s (three frames, by neutral then sad in turn), then one close frame; and again.
    stream = [confident(HAPPY)] + [beaten[i % 2] if i % 4 != 3 else close for i in range(40)]
    assert run(LabelSteadier(steadiness), stream, fps) == [HAPPY] * len(stream)
    # Without the close frames the same beating shows after the hold.
    stream = [confident(HAPPY)] + [beaten[i % 2] for i in range(10)]
    shown = run(LabelSteadier(steadiness), stream, fps)
    assert shown[:4] == [HAPPY] * 4 and shown[4] == int(np.argmax(stream[4]))


def test_the_same_setting_means_the_same_time_at_10_and_30_fps() -> None:
    delays = []
    for fps in (10.0, 30.0):
        stream = [confident(NEUTRAL if i < 2 * fps else HAPPY) for i in range(int(4 * fps))]
        shown = run(LabelSteadier(STEADINESS_LEVELS["medium"]), stream, fps)
        delays.append(shown.index(HAPPY) / fps - 2.0)
    assert abs(delays[0] - delays[1]) <= 0.1 + 1e-6  # a frame at 10 fps, not 3x apart


def test_the_time_constant_is_in_seconds() -> None:
    steadier = LabelSteadier(Steadiness(time_constant_s=0.5))
    steadier.update(1, np.array([1.0, 0.0], np.float32), 10.0)
    # 0.5 s later, whether that was 1 frame or many, the new class has 1 - 1/e of the weight.
    one_step = steadier.update(1, np.array([0.0, 1.0], np.float32), 10.5).smoothed
    assert one_step[1] == pytest.approx(1.0 - math.exp(-1.0), abs=1e-5)
    steadier = LabelSteadier(Steadiness(time_constant_s=0.5))
    steadier.update(1, np.array([1.0, 0.0], np.float32), 10.0)
    for i in range(1, 16):
        many = steadier.update(1, np.array([0.0, 1.0], np.float32), 10.0 + i / 30.0).smoothed
    assert many[1] == pytest.approx(1.0 - math.exp(-1.0), abs=1e-4)


def test_off_shows_every_frame_and_tracks_are_independent() -> None:
    steadier = LabelSteadier(STEADINESS_LEVELS["off"])
    assert steadier.update(1, confident(HAPPY), 0.0).label_index == HAPPY
    assert steadier.update(2, confident(SAD), 0.0).label_index == SAD
    shown = steadier.update(1, confident(NEUTRAL), 0.033)
    assert shown.label_index == NEUTRAL
    np.testing.assert_allclose(shown.smoothed, confident(NEUTRAL))
    assert steadier.update(2, confident(SAD), 0.033).label_index == SAD


def test_time_running_backwards_starts_the_face_afresh() -> None:
    steadier = LabelSteadier(STEADINESS_LEVELS["high"])
    for i in range(30):
        steadier.update(1, confident(HAPPY), i / 30.0)
    # A seek back in a video: the first frame after it is shown as it is.
    assert steadier.update(1, confident(SAD), 0.1).label_index == SAD


def test_keep_only_and_reset_forget_faces() -> None:
    steadier = LabelSteadier(STEADINESS_LEVELS["high"])
    steadier.update(1, confident(HAPPY), 0.0)
    steadier.update(2, confident(HAPPY), 0.0)
    steadier.keep_only([2])
    assert steadier.update(1, confident(SAD), 0.05).label_index == SAD  # a new face
    assert steadier.update(2, confident(SAD), 0.05).label_index == HAPPY  # still held
    steadier.reset()
    assert steadier.update(2, confident(SAD), 0.1).label_index == SAD


def test_uncertain_when_weak_or_tied_or_waiting_out_a_hold() -> None:
    rule = UncertaintyRule(min_top=0.5, min_lead=0.15)
    assert not rule.is_uncertain(np.array([0.8, 0.1, 0.1]), 0)
    assert rule.is_uncertain(np.array([0.45, 0.3, 0.25]), 0)  # weak
    assert rule.is_uncertain(np.array([0.52, 0.44, 0.04]), 0)  # near tie
    assert rule.is_uncertain(np.array([0.3, 0.6, 0.1]), 0)  # another class leads
    assert rule.is_uncertain(np.array([math.nan, math.nan, math.nan]), 0)  # a broken model is never sure
    assert rule.is_uncertain(np.array([0.9, math.nan, 0.05]), 0)  # nor where another class is NaN
    assert rule.is_uncertain(np.array([0.05, 0.9, math.nan], dtype=np.float32), 1)
    assert not rule.is_uncertain(np.array([0.05, 0.1, 0.85], dtype=np.float32), 2)  # the last class
    steadier = LabelSteadier(Steadiness(hold_s=0.5), rule)
    assert not steadier.update(1, confident(HAPPY), 0.0).uncertain
    waiting = steadier.update(1, confident(SAD), 0.1)
    assert waiting.label_index == HAPPY and waiting.uncertain  # the held label is shown as doubtful


def test_uncertainty_rule_from_a_card() -> None:
    assert UncertaintyRule.from_live({}) == UncertaintyRule()
    assert UncertaintyRule.from_live(
        {"uncertain": {"min_top": 0.4, "min_lead": 0.1, "chosen_on": "x"}}
    ) == UncertaintyRule(0.4, 0.1)
    for bad in ({"uncertain": 3}, {"uncertain": {"min_top": 2.0}}, {"uncertain": {"min_lead": "high"}}):
        with pytest.raises(ValueError):
            UncertaintyRule.from_live(bad)


@pytest.mark.parametrize(
    "bad",
    [
        dict(time_constant_s=-1.0),
        dict(hold_s=float("nan")),
        dict(switch_margin=1.0),
        dict(hold_s=True),
        dict(decisive_lead=-0.1),
    ],
)
def test_bad_steadiness_is_rejected(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Steadiness(**bad)


def test_levels_by_name() -> None:
    assert steadiness_level(" Medium ") == STEADINESS_LEVELS["medium"]
    assert steadiness_level("off").is_off
    with pytest.raises(ValueError, match="off, low, medium, high"):
        steadiness_level("max")


def _lfw_face_frame(index: int) -> np.ndarray:
    """A real face from scikit-image's LFW sample, enlarged to a webcam-like 150 px, on a plain frame."""
    from skimage import data

    from emotion_app.samples import background

    face = cv2.resize((data.lfw_subset()[index] * 255).astype(np.uint8), (150, 150), interpolation=cv2.INTER_CUBIC)
    frame = background(320, 240)
    frame[40:190, 80:230] = face[:, :, None]
    return frame


def _two_differently_read_faces(pipeline: EmotionPipeline, folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """Two real faces the shipped model reads confidently as two different classes, as
    they come out of a video file (compression must not lose them)."""
    from emotion_app.samples import read_video, write_video

    candidates = read_video(write_video(folder / "candidates.avi", [_lfw_face_frame(i) for i in range(24)]))
    readings: list[tuple[np.ndarray, str]] = []
    for frame in candidates:
        pipeline.reset()
        faces = pipeline.process(frame, 0.0)
        if len(faces) == 1 and faces[0].confidence >= 0.6:
            for other_frame, label in readings:
                if label != faces[0].label:
                    return other_frame, frame
            readings.append((frame, faces[0].label))
    raise AssertionError("no two faces read differently")


def test_the_pipeline_on_a_video_whose_expression_changes(tmp_path: Path) -> None:
    from emotion_app import EmotionClassifier, FaceDetector
    from emotion_app.samples import read_video, write_video

    classifier = EmotionClassifier.load()
    first, second = _two_differently_read_faces(
        EmotionPipeline(FaceDetector(), classifier, steadiness="off", tracking=False), tmp_path
    )
    fps = 10.0
    # 3 s of the first face with the second flashing in every 4th frame (a flicker), then 3 s of the second.
    frames = [second if i % 4 == 3 else first for i in range(30)] + [second] * 30
    video = read_video(write_video(tmp_path / "change.avi", frames, fps))
    assert len(video) == 60

    def labels(steadiness: str) -> tuple[list[str], list[int]]:
        # A full detection every frame: swapping two people in place is not what the
        # tracker's template following is for, and this test is about the labels.
        pipeline = EmotionPipeline(FaceDetector(), classifier, steadiness=steadiness, tracking=False)
        shown, ids = [], []
        for i, frame in enumerate(video):
            (face,) = pipeline.process(frame, i / fps)
            shown.append(face.label)
            ids.append(face.track_id)
        return shown, ids

    raw, _ = labels("off")
    before, after = raw[0], raw[-1]
    assert before != after and raw[3] == after  # the flashes do read as the other class
    assert sum(a != b for a, b in zip(raw, raw[1:])) >= 10
    steady, ids = labels(DEFAULT_STEADINESS_LEVEL)
    assert len(set(ids)) == 1  # one face throughout
    assert steady[:30] == [before] * 30  # the flicker stays put
    switched = steady.index(after)
    delay = (switched - 30) / fps
    assert 0 <= delay <= promised_delay(DEFAULT_STEADINESS) + 1 / fps + 1e-6
    assert steady[switched:] == [after] * (60 - switched)
