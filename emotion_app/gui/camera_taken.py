"""The notice of which camera was taken where several answer what was asked for.

Two cameras of one name (one model twice) with none at the index chosen, or several whose
names hold the name typed after ``--camera``: the first listed is taken, and a notice in
the window says which, and where the others are. It is kept true as the list is read anew,
says so where the one taken could not be opened, and that it starts once the model has
loaded where it was taken before then; it goes once another source is asked
for (the window takes it away, by its :data:`CAMERA_TAKEN_TAG`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace

from emotion_app.sources.specs import CameraSpec

from .camera_picker import CameraDevice, namesakes
from .message_banner import MessageBanner

# The notice banner's tag for it.
CAMERA_TAKEN_TAG = "camera taken"


@dataclass(frozen=True)
class CameraTaken:
    """The camera taken, by its name and index, and what its notice weighs."""

    name: str
    index: int
    # The index of the camera chosen, none of its name there any more; None: asked for by a
    # name typed after --camera.
    gone: int | None = None
    passed_beside: bool = False  # others of its name, listed beside the one chosen, were passed over
    ahead: frozenset[int] = frozenset()  # the indices of those answering listed before it then
    # The name typed after --camera where it names the camera taken only in another case or
    # in part: the other cameras it names so answer it too, whatever their names.
    typed: str = ""
    opened: bool = True  # False once its open failed (until it opens)
    # Asked for before the model has loaded: not tried yet, it opens then (until it has).
    waiting_for_model: bool = False

    @staticmethod
    def of(
        devices: list[CameraDevice],
        device: CameraDevice,
        gone: int | None,
        beside: Collection[int] = (),
        typed: str = "",
    ) -> CameraTaken:
        """``device``, taken while ``devices`` are listed, for the camera chosen at ``gone``
        (``beside``: the indices of others of its name listed beside that one) or for the
        name ``typed``."""
        taken = CameraTaken(device.name, device.index, gone, typed=typed if typed != device.name else "")
        alike = [other.index for other in answering(devices, taken)]
        ahead = alike[: alike.index(device.index)] if device.index in alike else []
        return replace(taken, passed_beside=any(index in beside for index in alike), ahead=frozenset(ahead))


def answering(devices: list[CameraDevice], taken: CameraTaken) -> list[CameraDevice]:
    """The cameras of ``devices`` that answer what ``taken`` was taken for: those of its
    name; for a name typed, those it names as it names ``taken`` (whole in another case, or
    in part; see :func:`.find_camera`)."""
    typed = taken.typed.lower()
    if not typed:
        return namesakes(devices, taken.name)
    if typed == taken.name.lower():
        return [device for device in devices if device.name.lower() == typed]
    return [device for device in devices if typed in device.name.lower()]


def taken_notice(devices: list[CameraDevice], taken: CameraTaken) -> str:
    """What to say of ``taken`` while ``devices`` are listed; "" where there is nothing to
    tell: it is gone, no other answers what it was taken for, or one of its name is back at
    the index chosen."""
    alike = answering(devices, taken)
    indices = [device.index for device in alike]
    if taken.index not in indices or taken.gone in indices or len(alike) < 2:
        return ""
    at = indices.index(taken.index)
    others = alike[:at] + alike[at + 1 :]
    # Another listed before it since it was taken: why it was taken held then, not now.
    still_first = set(indices[:at]) <= taken.ahead
    if taken.waiting_for_model:
        when = "when it was chosen"
    else:
        when = "when it started" if taken.opened else "when it was tried"
    why = "the first listed" if still_first else f"the first listed, {when}"
    if taken.passed_beside:
        why += " that was not beside it before" if still_first else ", that was not beside it before"
    if all(other.name == taken.name for other in others):
        head = f"{len(alike)} cameras are named {taken.name}"
        if taken.gone is not None:
            head += f", none at index {taken.gone} any more"
        which = f"the one at index {taken.index}"
        the_others = "the other" if len(others) == 1 else "the others"
        listed = f"{the_others} at {', '.join(str(other.index) for other in others)}"
    else:  # names that hold the name typed: each said, as the toolbar lists it
        head = f"{len(alike)} cameras have '{taken.typed}' in their names"
        which = f"{taken.name} at index {taken.index}"
        listed = ", ".join(f"{other.name} at {other.index}" for other in others)
    if taken.waiting_for_model:
        what = f"{which}, {why}, starts once the emotion model has loaded"
    elif taken.opened:
        what = f"started {which}, {why}"
    else:
        what = f"{which}, {why}, could not be opened"
    how = ""
    if taken.gone is None and len(others) == 1:  # typed on the command line: another is one index away there too
        how = f"; --camera {others[0].index} starts it"
    elif taken.gone is None:
        how = "; --camera and an index start one of them"
    return f"{head}: {what} (the toolbar's list has {listed}{how})."


class CameraTakenNotice:
    """Puts the notice up in ``banner`` (the window's notices) and keeps it true."""

    def __init__(self, banner: MessageBanner) -> None:
        self._banner = banner
        self._taken: CameraTaken | None = None

    def tell(self, devices: list[CameraDevice], taken: CameraTaken) -> None:
        """``taken`` was started, ``devices`` listed: a notice says which it is where others
        answer what it was taken for (else nothing is said, nor a notice taken away)."""
        text = taken_notice(devices, taken)
        if text:
            self._taken = taken
            self._banner.show_message(text, "info", tag=CAMERA_TAKEN_TAG)

    def retell(self, devices: list[CameraDevice]) -> None:
        """The cameras listed anew (F5, plugged in or out): the notice says what holds now,
        or goes where nothing does."""
        taken = self._told()
        if taken is not None:
            # One passed over that left is not known to be it when its index is listed again
            # (the picker's rule for the cameras beside): it no longer counts as passed over.
            ahead = taken.ahead & {device.index for device in answering(devices, taken)}
            self._say(devices, replace(taken, ahead=ahead))

    def open_failed(self, spec: CameraSpec, devices: list[CameraDevice]) -> None:
        """The camera ``spec`` could not be opened: where it is the one the notice says was
        started, it says it could not be opened instead."""
        self._opened(spec, False, devices)

    def opened(self, spec: CameraSpec, devices: list[CameraDevice]) -> None:
        """The camera ``spec`` opened: where it is the one the notice says could not be
        opened (Retry), it says it was started."""
        self._opened(spec, True, devices)

    def model_loaded(self, devices: list[CameraDevice]) -> None:
        """The model has loaded (or failed to: the source starts without it): the camera the
        notice says starts then is asked for now, and is said started, as Start says it then;
        a Stop before it opens would otherwise leave it waiting for the model for good."""
        taken = self._told()
        if taken is not None and taken.waiting_for_model:
            self._say(devices, replace(taken, waiting_for_model=False))

    def _opened(self, spec: CameraSpec, opened: bool, devices: list[CameraDevice]) -> None:
        taken = self._told()
        if taken is not None and not spec.url and (spec.name, spec.index) == (taken.name, taken.index):
            self._say(devices, replace(taken, opened=opened, waiting_for_model=False))

    def _told(self) -> CameraTaken | None:
        """The camera the notice shown is of; None while it is not shown."""
        return self._taken if self._banner.tag == CAMERA_TAKEN_TAG else None

    def _say(self, devices: list[CameraDevice], taken: CameraTaken) -> None:
        self._taken = taken
        text = taken_notice(devices, taken)
        if not text:
            self._banner.dismiss()
        elif text != self._banner.text():
            self._banner.show_message(text, "info", tag=CAMERA_TAKEN_TAG)
