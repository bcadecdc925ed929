"""What is shown for a tracked face: a steady label, and whether it is uncertain.

The one definition of "what is shown", used by the pipeline and so by the app, its
recordings and snapshots, and ``analyze``. Per tracked face, from the model's raw
probabilities and the frames' timestamps:

1. **Time smoothing.** An exponential moving average with a time constant in seconds:
   a frame ``dt`` seconds after the previous one gets weight ``1 - exp(-dt / tau)``, so
   the same setting means the same thing at 5 and at 60 frames per second.
2. **Minimum hold (hysteresis).** The shown label changes only when it has been beaten
   in the smoothed probabilities, by at least ``switch_margin``, for ``hold_s`` seconds in
   a row, by whichever class; it then goes to the class leading at that moment, once that
   class also has the highest mean smoothed probability over the streak's frames (a class
   ahead for a frame or two at its end would otherwise be shown, then replaced after another
   hold), and to the leader anyway once the streak lasts :data:`LEADER_WAIT_HOLDS` holds;
   meanwhile, where the class with the highest mean is still more than :data:`PLAIN_LEAD`
   ahead of the label, to that class (classes taking turns ahead must not keep a label
   their bars plainly contradict: "happy? 4%" beside surprise at 41%), or to the leader
   where that one is more than :data:`PLAIN_LEAD` ahead of the class with the highest mean
   too (as plainly contradicted: "neutral? 32%" beside surprise at 53%). Talking,
   blinking and head turns make a face's raw label flicker for a few frames; a real
   change of expression keeps beating it and is shown about ``0.7 * tau + hold_s``
   seconds after it happens. The streak counts whoever beats the label, so two other
   classes trading the lead (angry, neutral, angry) cannot keep a stale label up for
   good; a frame in which the label is back within the margin ends it. A class that
   leads by ``decisive_lead`` or more is shown at once: the held label would then stand
   beside probabilities that plainly contradict it.
3. **Honest uncertainty.** The shown result is marked uncertain when the smoothed
   probability of the shown label is below ``min_top`` or less than ``min_lead`` ahead of
   the next class (which includes the shown label no longer leading, while it is beaten
   for less than the hold). The thresholds belong to a model (how peaked its outputs are), so
   they are read from the weights file's card (``live.uncertain``), with defaults for
   files that do not say.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Steadiness:
    """How calm the shown label is; all zero shows every frame's own result."""

    time_constant_s: float = 0.0  # EMA time constant of the probabilities (0 = off)
    hold_s: float = 0.0  # how long the label must be beaten (by any class) before it changes
    switch_margin: float = 0.0  # by how much (smoothed probability) it must lead
    # A class this far ahead (smoothed) is shown at once, without waiting out the
    # hold: the label is then plainly contradicted by the probabilities (1 = never).
    decisive_lead: float = 1.0

    def __post_init__(self) -> None:
        for name in ("time_constant_s", "hold_s", "switch_margin", "decisive_lead"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value) or value < 0:
                raise ValueError(f"steadiness {name} must be a finite number >= 0, got {value!r}")
        if self.switch_margin >= 1:
            raise ValueError(f"steadiness switch_margin must be below 1, got {self.switch_margin}")

    @property
    def is_off(self) -> bool:
        return self.time_constant_s == 0 and self.hold_s == 0 and self.switch_margin == 0


# After this many holds of being beaten, the label goes to the class leading then, even
# one whose mean over the streak is not the highest: a bound on how long a beaten label
# can stay while classes trade the lead (see the module notes).
LEADER_WAIT_HOLDS = 2.0

# A class more than this far (smoothed probability) ahead of the shown label plainly
# contradicts it (scripts/live_quality.py counts such face-frames): once the hold is out,
# the label goes to the streak's strongest class when that one is, or to the leader when
# that one plainly contradicts the strongest too (see the module notes).
PLAIN_LEAD = 0.2

# The settings a user picks from (the app's Steadiness control, ``analyze --steadiness``).
# Chosen with scripts/live_quality.py on real footage; the figures are in the README.
STEADINESS_LEVELS: dict[str, Steadiness] = {
    "off": Steadiness(),
    "low": Steadiness(time_constant_s=0.08, hold_s=0.15, switch_margin=0.05, decisive_lead=0.5),
    "medium": Steadiness(time_constant_s=0.15, hold_s=0.3, switch_margin=0.05, decisive_lead=0.5),
    "high": Steadiness(time_constant_s=0.3, hold_s=0.6, switch_margin=0.1, decisive_lead=0.7),
}
DEFAULT_STEADINESS_LEVEL = "medium"
DEFAULT_STEADINESS = STEADINESS_LEVELS[DEFAULT_STEADINESS_LEVEL]


def steadiness_level(name: str) -> Steadiness:
    """The steadiness of a level name; ValueError naming the choices for anything else."""
    try:
        return STEADINESS_LEVELS[str(name).strip().lower()]
    except KeyError:
        raise ValueError(f"unknown steadiness {name!r}; choose one of {', '.join(STEADINESS_LEVELS)}") from None


@dataclass(frozen=True)
class UncertaintyRule:
    """A shown label is uncertain when its (smoothed) probability is below ``min_top``
    or less than ``min_lead`` ahead of the next class."""

    min_top: float = 0.5
    min_lead: float = 0.15

    def __post_init__(self) -> None:
        for name in ("min_top", "min_lead"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0.0 <= value <= 1.0:
                raise ValueError(f"uncertainty {name} must be between 0 and 1, got {value!r}")

    @classmethod
    def from_live(cls, live: Mapping[str, Any] | None) -> UncertaintyRule:
        """The rule a weights card's ``live`` section states (``{"uncertain": {"min_top": p,
        "min_lead": d}}``); the defaults where it states none. ValueError for a malformed one."""
        section = (live or {}).get("uncertain")
        if section is None:
            return cls()
        if not isinstance(section, Mapping):
            raise ValueError(f"live.uncertain must be a JSON object, got {section!r:.100}")
        default = cls()
        return cls(section.get("min_top", default.min_top), section.get("min_lead", default.min_lead))

    def is_uncertain(self, probabilities: np.ndarray, shown: int) -> bool:
        # Plain floats (the same values): a handful of classes, for every face of every
        # frame, costs less in Python than in NumPy's calls.
        values = probabilities.tolist()
        if any(math.isnan(value) for value in values):
            return True  # a broken model's output reads as uncertain, not sure
        top = values[shown]
        others = values[:shown] + values[shown + 1 :]
        lead = top - max(others) if others else top
        return not (top >= self.min_top and lead >= self.min_lead)


@dataclass(frozen=True)
class Shown:
    """What is shown for one face in one frame."""

    smoothed: np.ndarray  # float32, sums to 1
    label_index: int  # index of the shown label
    uncertain: bool


class _TrackState:
    __slots__ = ("smoothed", "time_s", "shown", "beaten_since", "beaten_sum")

    def __init__(self, probabilities: np.ndarray, time_s: float) -> None:
        self.smoothed = probabilities
        self.time_s = time_s
        self.shown = int(np.argmax(probabilities))
        # When the shown label's current streak of being beaten by the margin began; None: not beaten.
        self.beaten_since: float | None = None
        # The smoothed probabilities summed over the streak's frames: which class beat the label most.
        self.beaten_sum = np.zeros(probabilities.shape, np.float64)


class LabelSteadier:
    """Turns each tracked face's raw probabilities into what is shown (see module notes).

    Holds per-track state: drive it with one face's frames in time order, call
    :meth:`keep_only` with the tracks still alive, :meth:`reset` for a new video.
    ``steadiness`` may be replaced at any time (a plain attribute: safe to set from
    another thread between frames).
    """

    def __init__(self, steadiness: Steadiness = DEFAULT_STEADINESS, uncertainty: UncertaintyRule | None = None) -> None:
        self.steadiness = steadiness
        self.uncertainty = uncertainty or UncertaintyRule()
        self._tracks: dict[int, _TrackState] = {}

    def reset(self) -> None:
        self._tracks.clear()

    def keep_only(self, track_ids: Iterable[int]) -> None:
        alive = set(track_ids)
        for track_id in [t for t in self._tracks if t not in alive]:
            del self._tracks[track_id]

    def update(self, track_id: int, raw: np.ndarray, time_s: float) -> Shown:
        """What to show for ``track_id`` given its raw probabilities at ``time_s`` seconds."""
        fresh = np.asarray(raw, dtype=np.float32)
        steadiness = self.steadiness  # read once: the GUI may swap it mid-frame
        state = self._tracks.get(track_id)
        if state is None or state.smoothed.shape != fresh.shape or time_s < state.time_s:
            # A new face, another model, or time ran backwards (a seek or a new stream).
            state = self._tracks[track_id] = _TrackState(fresh.copy(), time_s)
            return Shown(state.smoothed.copy(), state.shown, self.uncertainty.is_uncertain(state.smoothed, state.shown))
        dt = time_s - state.time_s
        state.time_s = time_s
        tau = steadiness.time_constant_s
        if tau > 0:
            weight = 1.0 - math.exp(-dt / tau)
            blended = state.smoothed + np.float32(weight) * (fresh - state.smoothed)
            state.smoothed = (blended / max(float(blended.sum()), 1e-12)).astype(np.float32)
        else:
            state.smoothed = fresh.copy()
        smoothed = state.smoothed
        leader = int(np.argmax(smoothed))
        lead = float(smoothed[leader] - smoothed[state.shown])
        if leader == state.shown or lead < steadiness.switch_margin:
            state.beaten_since = None
        else:
            # Whichever class beats the label, the streak goes on: a new leader does not restart it.
            # The frame that starts a streak counts as time 0 of it: with hold 0 it switches at once.
            if state.beaten_since is None:
                state.beaten_since = time_s
                state.beaten_sum[:] = smoothed
            elif dt > 0:
                # A moment looked at again (a paused frame labelled anew at its own time) adds
                # no time to the streak, so nothing to its sum: each look would count its leader again.
                state.beaten_sum += smoothed
            beaten_s = time_s - state.beaten_since
            # A tie in the streak's mean counts as the highest (two classes trading frame by frame).
            led_the_streak = state.beaten_sum[leader] >= state.beaten_sum.max()
            held = beaten_s >= steadiness.hold_s and (
                led_the_streak or beaten_s >= LEADER_WAIT_HOLDS * steadiness.hold_s
            )
            if lead >= steadiness.decisive_lead or held:
                state.shown, state.beaten_since = leader, None
            elif beaten_s >= steadiness.hold_s:
                # No class both leads and led the streak (they take turns ahead): a label the
                # streak's strongest class still plainly contradicts goes to that class now,
                # rather than stay beside it until the wait bound.
                strongest = int(np.argmax(state.beaten_sum))
                if strongest != state.shown and smoothed[strongest] - smoothed[state.shown] > PLAIN_LEAD:
                    # Never to a label the leader plainly contradicts in turn: to the leader then.
                    strongest_contradicted = smoothed[leader] - smoothed[strongest] > PLAIN_LEAD
                    state.shown, state.beaten_since = (leader if strongest_contradicted else strongest), None
        return Shown(smoothed.copy(), state.shown, self.uncertainty.is_uncertain(smoothed, state.shown))
