"""What the window says about its source, in the source banner, on the video's placeholder
and in the status line: no camera found, a source that could not open or broke off, a
file played to its end, an open waiting for a network camera's first frame, a network
camera reconnecting and playing again, cameras plugged in. The window owns one and tells
it, through its constructor, where it says so and what the banners' buttons do."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from emotion_app.sources.specs import CameraSpec, SourceSpec, VideoFileSpec
from emotion_app.wording import count_text

from .camera_picker import CameraDevice, CameraPicker, names_apart
from .message_banner import MessageBanner
from .messages import SourceNotice
from .mnemonics import escaped
from .source_state import SourceState
from .status_bar import PerformanceStatusBar
from .stream_controller import StreamController
from .video_view import VideoView

# The source banner's tag for a network camera's "reconnecting…" notice (with its stream's
# id): the end of the reconnect takes away that notice, never a message put up since.
_RECONNECTING_TAG = "reconnecting"
# Its tag for what a network camera's open waits for (a slow camera's first frame).
_OPENING_TAG = "opening"
# Its tag for the cameras listed anew, offered: withdrawn when none is listed any more.
_CAMERAS_TAG = "cameras available"
# The most of a camera's name a button shows: a long one would push the banner wider than a
# small window.
_BUTTON_NAME_CHARS = 28
# Its tag for "No camera found": withdrawn once one is listed while the model loads.
_NO_CAMERA_TAG = "no camera"
# What the view says with no camera listed (the banner says it at more length).
_NO_CAMERA_VIEW = "No camera found.\nOpen a video file (Ctrl+O) or a network camera (Ctrl+Shift+O) to start."
# What the view and the status line say until the first model is in (no source opens before).
LOADING_MODEL = "Loading the emotion model…"


# How a camera's problem reads for a list of cameras (it may name some of them); "" where it
# no longer holds (the camera asked for is listed: Retry would open it).
Retold = Callable[[list[CameraDevice]], str]


@dataclass(frozen=True)
class _CameraProblem:
    """Why the camera asked for did not start (or the one named was not found), as put up:
    the offer of cameras listed anew begins with it, and once none is left to offer, a
    camera's problem is said alone again."""

    message: str
    reason: str  # what the offer begins with
    spec: SourceSpec | None
    tag: str
    shown: str  # the banner's text, put up alone
    retold: Retold | None  # its message for the cameras listed now


@dataclass(frozen=True)
class _Offer:
    """The offer of cameras listed, as put up: put up again only where it would differ."""

    cameras: str  # "Cameras available: … (in the toolbar's list)."
    reason: str  # what it begins with: why the camera asked for did not start ("": nothing)
    caption: str  # its Start button's
    camera: CameraDevice  # the one that button starts
    # It stands in the place of a camera's problem (SourceMessages._problem), saying it or,
    # while it does not hold (the camera asked for listed again), not: it may hold again.
    for_problem: bool

    @property
    def text(self) -> str:
        return f"{_sentence(self.reason)} {self.cameras}" if self.reason else self.cameras

    @property
    def offers(self) -> tuple[str, str, CameraDevice]:
        """What it offers: the cameras, and the one its button starts (not why)."""
        return self.cameras, self.caption, self.camera


class SourceMessages:
    """Puts up (and takes away its own) messages about the source in ``source_state``:
    news of a source the user has moved away from says nothing, nor do cameras plugged in
    while a source plays."""

    def __init__(
        self,
        controller: StreamController,
        source_state: SourceState,
        source_banner: MessageBanner,
        view: VideoView,
        status_bar: PerformanceStatusBar,
        picker: CameraPicker,
        *,
        retry: Callable[[], None],
        open_video_dialog: Callable[[], None],
        open_stream_dialog: Callable[[], None],
        stop: Callable[[], None],
        choose_camera: Callable[[CameraDevice], None],
        waiting_for_model: Callable[[], bool] = lambda: False,
    ) -> None:
        """``controller``: whose latest request a notice must answer; ``view``: its
        placeholder says why no picture shows; ``picker``: the cameras and screens listed;
        ``retry``, ``open_video_dialog``, ``open_stream_dialog``, ``stop``,
        ``choose_camera``: the banners' buttons; ``waiting_for_model``: whether the window
        has yet to start its first source, as it does once the model has loaded."""
        self._controller = controller
        self._source_state = source_state
        self._banner = source_banner
        self._view = view
        self._status_bar = status_bar
        self._picker = picker
        self._retry = retry
        self._open_video_dialog = open_video_dialog
        self._open_stream_dialog = open_stream_dialog
        self._stop = stop
        self._choose_camera = choose_camera
        self._waiting_for_model = waiting_for_model
        self._reconnecting_stream: int | None = None  # the stream whose reconnect is under way
        self._offer: _Offer | None = None  # the offer of cameras listed put up last
        self._problem: _CameraProblem | None = None  # a camera's problem put up last
        # What the offer the user dismissed offered, and the opens and stops sent by then:
        # not offered again until what it offers changes, or a source is asked for since.
        self._turned_down: tuple[tuple[str, str, CameraDevice], int] | None = None
        # The cameras listed when the user closed another message (an error), and the opens
        # and stops sent by then: the same list read again (F5, a node in /dev) is no news.
        self._closed_over: tuple[list[CameraDevice], int] | None = None
        # The view's placeholder as these messages set it last: an offer taking the place
        # of what it said says so there too (not over the window's own "Opening…", "Stopped").
        self._in_view: str | None = None
        # A camera's problem taken away while the model loads, untrue for the cameras listed
        # then (nothing put up since): said again once it holds again, as an offer would.
        self._dropped_while_loading: _CameraProblem | None = None
        self._told_in_status = ""  # the cameras listed, as the status line said them last
        # The opens and stops sent by then: the same list read again (F5, a node in /dev) is
        # no news until a source is asked for, as for the offer (see _turned_down).
        self._told_at = -1
        self._unasked = False  # see started_unasked
        source_banner.closed.connect(self._on_closed)
        source_banner.message_shown.connect(self._forget_turned_down)

    def show_no_camera(self) -> None:
        """No camera to start with: what to open instead."""
        self._say_in_view(_NO_CAMERA_VIEW)
        screens = " or pick a screen in the toolbar (a video call, a webinar)," if self._picker.screens() else ""
        self._banner.show_message(
            "No camera found. Open a video file or a network camera (a phone's camera app, an IP camera),"
            f"{screens} or plug in a camera: the list updates by itself.",
            "warning",
            [
                ("Open video file…", self._open_video_dialog),
                ("Network camera…", self._open_stream_dialog),
                ("Retry", self._retry),
            ],
            tag=_NO_CAMERA_TAG,
        )

    def show_problem(
        self,
        message: str,
        spec: SourceSpec | None,
        file_there: bool = False,
        tag: str = "",
        *,
        reason: str | None = None,
        retold: Retold | None = None,
    ) -> None:
        """``spec`` (None: no source in particular) could not open or broke off, for
        ``message``'s reason. ``file_there``: ``spec`` is a file that is there (see
        SourceFault.file_there); ``tag``: the banner's, for whoever says it anew. While it
        stands, the offer of cameras listed anew begins with ``reason`` (by default
        ``message`` where ``spec`` is a camera; "": nothing), so the camera asked for is
        not left unexplained; ``retold``: ``message`` as it reads for the cameras listed
        then (it names some), said by the offer, or alone, as the list is read anew ("":
        it no longer holds, and is said no more)."""
        actions = [("Retry", self._retry), ("Open video file…", self._open_video_dialog)]
        text = self.problem_text(message, spec)
        if self._unasked and self._said_still(text, tag):
            return
        if isinstance(spec, VideoFileSpec):
            actions = [("Open video file…", self._open_video_dialog)]
            if file_there:
                actions.insert(0, ("Retry", self._retry))
        self._say_in_view(text)
        self._banner.show_message(text, "error", actions, tag=tag)
        if reason is None:
            reason = message if isinstance(spec, CameraSpec) else ""
        self._problem = _CameraProblem(message, reason, spec, tag, text, retold) if reason else None

    @contextmanager
    def started_unasked(self) -> Iterator[None]:
        """While the window starts by itself, the model loaded, the source asked for before:
        an error it meets that the message area (or the view, the user having closed it)
        says still, word for word, is not put up again. Nothing changed and the user asked
        nothing: it would come back once closed, and its Retry made anew lose the keyboard."""
        self._unasked = True
        try:
            yield
        finally:
            self._unasked = False

    def _said_still(self, text: str, tag: str) -> bool:
        """Whether ``text`` (the banner's ``tag``) is said still: in the banner, or where the
        user closed it, in the view, as these messages put it there (the window's own words
        in the view, "Loading the emotion model…", "No camera found", replace it)."""
        if self._banner.isHidden():
            return self._view.placeholder == self._in_view == text
        return self._banner.tag == tag and self._banner.text() == text

    def problem_text(self, message: str, spec: SourceSpec | None) -> str:
        """What :meth:`show_problem` says for ``message`` about ``spec``."""
        if isinstance(spec, CameraSpec) and len(self._picker.devices()) > 1:
            return f"{_sentence(message)} Pick another camera in the toolbar."
        return message

    def show_ended(self, message: str) -> None:
        """The file played to its end (``message`` says so)."""
        self._banner.show_message(
            message,
            "info",
            [("Play again", self._retry), ("Open video file…", self._open_video_dialog)],
        )

    def source_stopped(self) -> None:
        """Stopped: the wait for a first frame, or a reconnect, is over, and its notice goes
        (not a message that replaced it)."""
        tag = self._banner.tag
        if tag == _OPENING_TAG or tag.startswith(f"{_RECONNECTING_TAG} "):
            self._banner.dismiss()
        self._reconnecting_stream = None

    def on_notice(self, notice: SourceNotice) -> None:
        """A network camera reconnecting (the message stays while it does), or playing
        again (its count of drops kept in ``source_state``, for the status line's summary);
        or, opening, waiting for its first frame (the message stays until it opened)."""
        state = self._source_state
        if state.starting:
            # The same source stopped and opened again meanwhile: its first open's notice,
            # sent just before, is not the current open's (which may not wait for that yet).
            current = notice.request == self._controller.requests_sent
            if notice.spec == state.spec and notice.text and current:
                self._view.set_placeholder(notice.text)
                self._banner.show_message(notice.text, "info", [("Stop", self._stop)], tag=_OPENING_TAG)
                self._status_bar.showMessage(notice.text, 4000)
            return  # news of a source opened before, or of one the user has moved away from
        if not state.running or notice.spec != state.spec or notice.stream_id != state.stream_id:
            # A source moved away from, or a stream stopped (its news sent just before the
            # capture thread took the Stop), even where the same camera opened since.
            return
        tag = f"{_RECONNECTING_TAG} {notice.stream_id}"
        if notice.text:
            # A reconnect's first news is shown; the next try's replaces its notice, not a
            # message put up meanwhile (nor the notice dismissed): the status bar tells it.
            if self._reconnecting_stream != notice.stream_id or self._banner.tag == tag:
                level = "info" if notice.calm else "warning"
                self._banner.show_message(notice.text, level, [("Stop", self._stop)], tag=tag)
            self._reconnecting_stream = notice.stream_id
            self._status_bar.showMessage(notice.text, 4000)
            return
        self._reconnecting_stream = None
        if self._banner.tag == tag:
            self._banner.dismiss()  # the reconnecting notice (not a message that replaced it)
        if notice.reconnected == state.reconnected:
            return  # a slow camera's next frame came: no drop to tell
        # A reconnect may be over before the capture thread looked (no notice of it then): the
        # count says a drop happened, and the status line keeps it (see the window's status_summary).
        state.reconnected = notice.reconnected
        self._status_bar.showMessage(
            f"{notice.spec.describe(capital=True)}: playing again after its stream broke off "
            f"({count_text(notice.reconnected, 'drop')} since it opened)",
            6000,
        )

    def on_devices_refreshed(self, devices: list[CameraDevice]) -> None:
        """Cameras listed anew: offered in the banner where no source runs and a camera (or
        nothing) was the last asked for; told in the status line while a source opens, so
        its banner stays; not told over a file or screen stopped or failed. Where the camera
        asked for failed, the offer begins with why (see :meth:`show_problem`). None listed
        any more, the offer is withdrawn, and a camera's problem is said alone again."""
        state = self._source_state
        if self._status_bar.shows(self._told_in_status):
            # It names the cameras listed before: some may be gone now, whatever the source
            # has done since (a file only looked at again opened, an open failed or stopped).
            told = self._cameras_available(devices) if devices else ""
            if told != self._told_in_status:
                self._status_bar.show_instead(told)
                self._told_in_status, self._told_at = told, self._controller.requests_sent
        if not devices:
            self._told_in_status = ""  # none listed: any camera plugged in again is news
        if state.running:
            return
        loading = not state.starting and self._waiting_for_model()
        problem = self._standing_problem(devices)
        if problem is None and loading:
            problem = self._dropped_holding_again(devices)
        holds = problem is not None and bool(problem.reason)
        if not devices:
            self._turned_down = None  # none to offer: any camera plugged in again is news
            self._closed_over = None
            if problem is not None and holds and isinstance(problem.spec, CameraSpec):
                self._say_alone(problem)  # none to offer: the reason the camera did not start stays
            elif problem is not None and holds and self._banner.text() == problem.message:
                pass  # a name not found said alone, none listed then either: still true, kept
            elif problem is not None or self._banner.tag == _CAMERAS_TAG:
                # The cameras offered are gone: a Start there would open none of them. A name
                # not found said alone named the cameras listed then, gone too.
                if state.spec is None:
                    self.show_no_camera()
                else:
                    self._banner.dismiss()
                    if self._view.placeholder == self._in_view:
                        self._say_in_view(_NO_CAMERA_VIEW)  # not the cameras offered, gone
            elif self._offer is not None and self._view.placeholder == self._in_view == self._offer.text:
                # An offer dismissed goes from the banner only: the view said it still.
                self._say_in_view(_NO_CAMERA_VIEW)
            elif (closed := self._problem_in_view()) is not None:
                # An error dismissed goes from the banner only: the view, saying it still,
                # says what holds with none listed, not the cameras it named nor "pick another".
                self._say_in_view(self._alone_in_view(closed))
            elif loading and (closed := self._closed_and_dropped(devices)) is not None:
                # So is one dismissed, then taken from the view while the camera asked for
                # was listed (see _retell_while_loading), as with another camera listed.
                self._say_in_view(self._alone_in_view(closed))
            return
        if state.starting or self._waiting_for_model():
            # A source opening (a network camera waiting for its first frame) keeps its
            # banner, its Stop and the reason for the wait: the news goes to the status line.
            # So does it while the model loads: the window then starts the camera asked
            # for, or picked in the toolbar meanwhile, else the first listed, by itself.
            told = self._cameras_available(devices)
            if (told, self._controller.requests_sent) != (self._told_in_status, self._told_at):
                # Not the same list again, told over a message put up since (nor anew once gone).
                self._told_in_status, self._told_at = told, self._controller.requests_sent
                self._status_bar.showMessage(told, 8000)
            if loading:
                self._retell_while_loading(problem, devices)
            return
        if state.spec is None or isinstance(state.spec, CameraSpec):
            # The button names the camera it starts: the picker may show none of them (a
            # network camera not listed, that failed), or one listed apart that failed.
            offered = self._offered_camera(devices)
            # The reason the camera asked for did not start comes first: the offer takes its place.
            # An "&" of the name's own is shown, not taken for a mnemonic (Alt+letter).
            apart = self._named_apart(devices, problem)
            offer = _Offer(
                self._cameras_available(devices, apart),
                problem.reason if problem is not None else "",
                f"Start {escaped(self._told_apart(offered, devices, apart))}",
                offered,
                problem is not None,
            )
            if offer == self._offer and self._banner.tag == _CAMERAS_TAG:
                return  # the same offer: put up anew, its button made anew would lose the keyboard
            if self._turned_down == (offer.offers, self._controller.requests_sent):
                return  # dismissed, and nothing it offers changed since
            if self._closed_over == (devices, self._controller.requests_sent):
                return  # an error closed over these very cameras: the view still says it
            self._offer = offer
            if self._view.placeholder == self._in_view:
                self._say_in_view(offer.text)  # not what it takes the place of, which may no longer hold
            self._banner.show_message(
                offer.text,
                "error" if holds else "info",
                [(offer.caption, lambda: self._choose_camera(offered))],
                tag=_CAMERAS_TAG,
            )

    def _retell_while_loading(self, problem: _CameraProblem | None, devices: list[CameraDevice]) -> None:
        """Cameras listed anew while the model loads, where no offer is put up (the window
        starts a camera itself once it has loaded): what the banner and the view say of the
        cameras is said for ``devices``, or taken away where untrue, the view saying the
        model loads again. ``problem``: the standing one, as it reads for ``devices``."""
        if problem is not None and problem.reason:
            self._say_alone(problem)
        elif problem is not None:
            # Untrue now (the camera asked for is listed): the window starts it once the model
            # has loaded; said again should it hold again before then.
            self._banner.dismiss()
            self._say_in_view(LOADING_MODEL)
            self._dropped_while_loading = self._problem
        elif self._banner.tag == _NO_CAMERA_TAG:
            # One is listed: a camera's problem it took the place of (every camera unplugged)
            # is said again where it holds; else the window starts a camera once the model is in.
            behind = self._holding_for_source(devices)
            if behind is not None:
                self._say_alone(behind)
            else:
                self._banner.dismiss()
                self._say_in_view(LOADING_MODEL)
                self._dropped_while_loading = self._problem  # as above: said again should it hold again
        elif self._banner.isHidden() and self._view.placeholder == self._in_view:
            # A message the user closed (an error, "No camera found"), said still in the view
            # (see _problem_in_view): said there as it reads for these cameras, else not.
            behind = self._holding_for_source(devices)
            if behind is None:
                self._say_in_view(LOADING_MODEL)
            else:
                self._say_in_view(self.problem_text(behind.message, behind.spec))
                self._problem = replace(behind, shown=self._view.placeholder)

    def _holding_for_source(self, devices: list[CameraDevice]) -> _CameraProblem | None:
        """The camera's problem put up last where it is of the source asked for now and holds
        for ``devices`` (as it reads for them), whatever the banner says; else None."""
        problem = self._problem
        if problem is None or problem.spec != self._source_state.spec:
            return None
        problem = self._retold(problem, devices)
        return problem if problem.reason else None

    def _dropped_holding_again(self, devices: list[CameraDevice]) -> _CameraProblem | None:
        """The camera's problem taken away while the model loads, untrue then, where it holds
        again for ``devices`` and nothing has been put up or asked for since; else None."""
        dropped = self._dropped_while_loading
        if dropped is None or dropped is not self._problem or not self._banner.isHidden():
            return None
        return self._holding_for_source(devices) if self._view.placeholder == self._in_view == LOADING_MODEL else None

    def _closed_and_dropped(self, devices: list[CameraDevice]) -> _CameraProblem | None:
        """The camera's problem the user dismissed, taken from the view while the model
        loads (it said the model loads), where it holds again for ``devices``; else None."""
        if not self._banner.isHidden():
            return None
        return self._holding_for_source(devices) if self._view.placeholder == self._in_view == LOADING_MODEL else None

    def _standing_problem(self, devices: list[CameraDevice]) -> _CameraProblem | None:
        """The camera's problem put up last where the banner still stands for it, alone or
        at the head of the offer, or by an offer put up in its place while it did not hold
        (not once dismissed, or replaced by another message), as it reads for ``devices``;
        its reason "" where it does not hold for them (the camera asked for is listed:
        Retry would open it), for it may hold again once that camera is gone again; else None."""
        problem = self._problem
        if problem is None or problem.spec != self._source_state.spec:
            return None
        alone = self._banner.tag == problem.tag and self._banner.text() == problem.shown
        offered = self._banner.tag == _CAMERAS_TAG and self._offer is not None and self._offer.for_problem
        if not (alone or offered or self._unsaid_when_dismissed()):
            return None
        return self._retold(problem, devices)

    def _retold(self, problem: _CameraProblem, devices: list[CameraDevice]) -> _CameraProblem:
        """``problem`` as it reads for ``devices`` (kept as the one put up last), its reason
        "" where it does not hold for them."""
        if problem.retold is not None:
            message = problem.retold(devices)
            if not message:  # the camera asked for is listed: the offer does not say it is not
                return replace(problem, reason="")
            reason = message if problem.reason == problem.message else problem.reason
            problem = replace(problem, message=message, reason=reason)
            self._problem = problem
        return problem

    def _unsaid_when_dismissed(self) -> bool:
        """Whether the offer the user dismissed (nothing put up or asked for since) stood in
        the place of the camera's problem while it did not hold: the user turned down the
        cameras, never the problem, which is said again once it holds again."""
        offer, turned_down = self._offer, self._turned_down
        return (
            offer is not None
            and offer.for_problem
            and not offer.reason
            and turned_down is not None
            and turned_down[1] == self._controller.requests_sent
        )

    def _problem_in_view(self) -> _CameraProblem | None:
        """The camera's problem put up last where the user dismissed it and the view, where
        no frame shows, says it still; else None."""
        problem = self._problem
        if problem is None or problem.spec != self._source_state.spec or not self._banner.isHidden():
            return None
        return problem if self._view.placeholder == self._in_view == problem.shown else None

    def _alone_in_view(self, problem: _CameraProblem) -> str:
        """What the view says for ``problem`` with no camera listed, as where it was not
        dismissed: said alone (retold), or "No camera found" for a name not found."""
        message = problem.retold([]) if problem.retold is not None else problem.message
        if not isinstance(problem.spec, CameraSpec) or not message:
            return _NO_CAMERA_VIEW
        return self.problem_text(message, problem.spec)

    def _on_closed(self, tag: str) -> None:
        """The user dismissed the source banner's message: an offer, so turned down, is not
        put up again while it would offer the same; nor, after another message (an error),
        is one put up while the same cameras are listed."""
        if tag == _CAMERAS_TAG and self._offer is not None:
            self._turned_down = (self._offer.offers, self._controller.requests_sent)
        elif tag != _CAMERAS_TAG:
            self._closed_over = (self._picker.devices(), self._controller.requests_sent)

    def _forget_turned_down(self) -> None:
        # Another message put up since: an offer after it is news again.
        self._turned_down = None
        self._closed_over = None
        self._dropped_while_loading = None

    def _say_in_view(self, text: str) -> None:
        """Put ``text`` in the view (where no frame shows), as these messages' own."""
        self._in_view = text
        self._view.set_placeholder(text)

    def _say_alone(self, problem: _CameraProblem) -> None:
        """Put ``problem`` up alone, as :meth:`show_problem` does, unless it already is:
        put up anew, its Retry made anew would lose the keyboard."""
        if self._banner.tag == problem.tag and self._banner.text() == self.problem_text(problem.message, problem.spec):
            return
        self.show_problem(problem.message, problem.spec, tag=problem.tag, reason=problem.reason, retold=problem.retold)

    def _offered_camera(self, devices: list[CameraDevice]) -> CameraDevice:
        """The picker's camera where it is one of ``devices`` (the one Start and Retry open),
        else the first of them: not one listed apart from them (opened by its index, and
        failed), nor a network camera."""
        selected = self._picker.current_device()
        return selected if selected in devices else devices[0]

    def _told_apart(self, offered: CameraDevice, devices: list[CameraDevice], apart: list[CameraDevice]) -> str:
        """The name of ``offered`` for its button, with its index where another camera the
        picker lists, or of ``apart``, shares that name (one model twice, or the one chosen
        shown apart, gone): "Start Logitech C920" would not say which of them starts."""
        alike = [device for device in [*devices, *apart] if device.name == offered.name]
        name = _elided(offered.name)
        return f"{name} at index {offered.index}" if len(alike) > 1 else name

    def _shown_apart(self, devices: list[CameraDevice]) -> list[CameraDevice]:
        """The camera the picker shows apart from ``devices`` (the one chosen, gone), if any."""
        shown = self._picker.current_device()
        return [shown] if shown is not None and shown not in devices else []

    def _named_apart(self, devices: list[CameraDevice], problem: _CameraProblem | None) -> list[CameraDevice]:
        """The cameras the offer names beside ``devices``: the one the picker shows apart,
        and the one whose refusal (``problem``) the offer begins with, where not listed (one
        unplugged as it was picked is not shown apart): "Could not open camera 'Logitech
        C920' (index 6) … Camera available: Logitech C920" would offer the one refused."""
        apart = self._shown_apart(devices)
        spec = problem.spec if problem is not None and problem.reason else None
        if isinstance(spec, CameraSpec) and spec.name and not spec.url:
            named = [(device.name, device.index) for device in [*devices, *apart]]
            if (spec.name, spec.index) not in named:
                apart.append(CameraDevice(spec.name, spec.index))
        return apart

    def _cameras_available(self, devices: list[CameraDevice], apart: list[CameraDevice] | None = None) -> str:
        """What the offer and the status line say of ``devices`` listed anew, in one wording:
        a camera named apart where the toolbar's list, the one chosen shown apart too (or
        ``apart``, the offer's), holds another of its name, as the offer's button names it."""
        available = "Camera available" if len(devices) == 1 else "Cameras available"
        among = self._shown_apart(devices) if apart is None else apart
        return f"{available}: {names_apart(devices, among)} (in the toolbar's list)."


def _sentence(text: str) -> str:
    """``text`` ended as a sentence, for another to follow it."""
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _elided(name: str) -> str:
    """A camera's name short enough for a button (the message says it in full)."""
    return name if len(name) <= _BUTTON_NAME_CHARS else name[: _BUTTON_NAME_CHARS - 1].rstrip() + "…"
