"""Camera discovery (by name, with hot-plug) and the toolbar picker.

The picker lists the cameras found, then the network cameras opened lately (their URLs,
from the settings), then the screens, so a phone, an IP camera or a video call on the
screen is one click away like a webcam. The picker shows the window's source, the one Start
and Retry open, opened or not: a camera or a screen the window opened that the list does
not hold (``--camera 3`` where the system lists none, or not that one) is listed apart,
after the cameras (as File > Camera lists it) or the screens, selected, and so is a part of
a screen (File > Capture screen), by the title's words for it; a file, or a
network camera not listed yet (one is, once it opened), selects nothing. Until the window
has a source, the first camera, the one Start opens, stands selected.

On Linux, names come from ``/sys/class/video4linux`` (the same names Qt would report);
elsewhere from Qt Multimedia's ``QMediaDevices`` when it can be imported. Frames are always
read with ``cv2.VideoCapture(index)``. Tests inject a device list instead.
"""

from __future__ import annotations

import os
import re
import sys
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from PyQt6.QtCore import QFileSystemWatcher, QLoggingCategory, QObject, QTimer, pyqtSignal
from PyQt6.QtGui import QIcon
from PyQt6.QtWidgets import QComboBox, QStyle, QWidget

from emotion_app.sources.screen_capture import Screen
from emotion_app.sources.specs import CameraSpec, ScreenSpec, SourceSpec
from emotion_app.sources.stream_url import check_stream_url, redacted, short_name

from .plain_tips import plain_tip

NO_CAMERA = "No camera found"


@dataclass(frozen=True)
class CameraDevice:
    """A camera as the user knows it (name) and as OpenCV opens it (index). One the system
    gives no name (an empty or blank description) is named by its index, "Camera 9", as a
    video4linux node without one is: the lists and messages have a name to show."""

    name: str
    index: int
    device_id: str = ""

    def __post_init__(self) -> None:
        if not self.name.strip():
            object.__setattr__(self, "name", index_name(self.index))


# What an item of the picker stands for: a camera device, a network camera's URL, a screen,
# or a screen (or a part of one) the window opened that the list does not hold.
PickerEntry = CameraDevice | str | Screen | ScreenSpec


class CameraDeviceMonitor(QObject):
    """Lists cameras and emits ``devices_changed`` when they may have come or gone."""

    devices_changed = pyqtSignal()

    def devices(self) -> list[CameraDevice]:
        return []

    @property
    def backend(self) -> str:
        return "none"


class StaticDeviceMonitor(CameraDeviceMonitor):
    """A fixed (injectable) device list; ``set_devices`` simulates plugging devices in or out."""

    def __init__(self, devices: list[CameraDevice] | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._devices = list(devices or [])

    def devices(self) -> list[CameraDevice]:
        return list(self._devices)

    def set_devices(self, devices: list[CameraDevice]) -> None:
        self._devices = list(devices)
        self.devices_changed.emit()

    @property
    def backend(self) -> str:
        return "injected"


class QtMultimediaMonitor(CameraDeviceMonitor):
    """Cameras from ``QMediaDevices``, refreshed on its ``videoInputsChanged``."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        if "QT_LOGGING_RULES" not in os.environ:
            # Qt Multimedia reports every optional codec library it probes for and does not
            # find (pipewire, VA-API); none is needed to list cameras.
            QLoggingCategory.setFilterRules("qt.multimedia.symbolsresolver=false\nqt.multimedia.ffmpeg=false")
        from PyQt6.QtMultimedia import QMediaDevices

        self._media_devices = QMediaDevices(self)
        self._media_devices.videoInputsChanged.connect(self.devices_changed)

    def devices(self) -> list[CameraDevice]:
        from PyQt6.QtMultimedia import QMediaDevices

        found: list[CameraDevice] = []
        for position, device in enumerate(QMediaDevices.videoInputs()):
            device_id = bytes(device.id().data()).decode(errors="replace")
            found.append(CameraDevice(device.description(), _opencv_index(device_id, position), device_id))
        return found

    @property
    def backend(self) -> str:
        return "QtMultimedia"


class V4l2Monitor(CameraDeviceMonitor):
    """Linux cameras from sysfs; ``/dev`` is watched so plugging one in refreshes the list."""

    SYSFS = Path("/sys/class/video4linux")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._watcher = QFileSystemWatcher(self)
        if Path("/dev").is_dir():
            self._watcher.addPath("/dev")
        # udev creates a node's files in several steps: wait until they have settled.
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(400)
        self._settle.timeout.connect(self.devices_changed)
        self._watcher.directoryChanged.connect(lambda _path: self._settle.start())

    def devices(self) -> list[CameraDevice]:
        if not self.SYSFS.is_dir():
            return []
        found: list[CameraDevice] = []
        for node in sorted(self.SYSFS.glob("video*"), key=lambda p: _trailing_number(p.name, 0)):
            # A webcam exposes a capture node (index 0) and a metadata node (index 1);
            # only the first delivers pictures.
            if _read_text(node / "index", "0") != "0":
                continue
            number = _trailing_number(node.name, -1)
            if number < 0:
                continue
            name = _read_text(node / "name", index_name(number))
            found.append(CameraDevice(name, number, f"/dev/{node.name}"))
        return found

    @property
    def backend(self) -> str:
        return "video4linux"


def create_device_monitor(parent: QObject | None = None) -> CameraDeviceMonitor:
    """The best monitor this system offers."""
    if sys.platform.startswith("linux"):
        # Not Qt Multimedia here: it starts its FFmpeg and PulseAudio backends to list devices,
        # and on a headless CI machine that call never returned (there is no timeout to set), which
        # in the app would freeze the window before it opens. sysfs gives the same camera names.
        return V4l2Monitor(parent)
    try:
        return QtMultimediaMonitor(parent)
    except ImportError:  # no Qt Multimedia, or a system library it needs is missing
        return CameraDeviceMonitor(parent)


class CameraPicker(QComboBox):
    """Cameras by name, then recent network cameras, then the screens; shows the window's
    source (see :meth:`show_source`) across refreshes."""

    camera_chosen = pyqtSignal(object)  # CameraDevice the user picked
    network_camera_chosen = pyqtSignal(str)  # the stream URL the user picked
    screen_chosen = pyqtSignal(int, object)  # the screen's number, (x, y, w, h) of a part or None
    devices_refreshed = pyqtSignal(list)  # the new list of CameraDevice

    def __init__(self, monitor: CameraDeviceMonitor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._monitor = monitor
        self._devices: list[CameraDevice] = []
        self._urls: list[str] = []
        self._screens: list[Screen] = []
        self._entries: list[PickerEntry] = []  # what each item of the list stands for
        self._source: SourceSpec | None = None  # the window's source (see show_source)
        self._beside: set[int] = set()  # see beside
        self.setMinimumContentsLength(18)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setToolTip("What to find faces in: a camera, a network camera or a screen")
        self.setAccessibleName("Camera")  # as the toolbar's label beside it says
        self.setAccessibleDescription(self.toolTip())
        self.setPlaceholderText("Camera or screen…")  # nothing of the list is playing (a file)
        monitor.devices_changed.connect(self.refresh)
        self.activated.connect(self._on_activated)
        self.refresh()

    @property
    def monitor(self) -> CameraDeviceMonitor:
        return self._monitor

    def devices(self) -> list[CameraDevice]:
        return list(self._devices)

    def network_cameras(self) -> list[str]:
        return list(self._urls)

    def screens(self) -> list[Screen]:
        return list(self._screens)

    def _current(self) -> PickerEntry | None:
        position = self.currentIndex()
        return self._entries[position] if 0 <= position < len(self._entries) else None

    def current_device(self) -> CameraDevice | None:
        entry = self._current()
        return entry if isinstance(entry, CameraDevice) else None

    def current_url(self) -> str | None:
        """The network camera selected, if one is."""
        entry = self._current()
        return entry if isinstance(entry, str) else None

    def current_screen(self) -> Screen | None:
        entry = self._current()
        return entry if isinstance(entry, Screen) else None

    def refresh(self) -> None:
        """Re-read the device list, keeping the current camera selected if it is still there."""
        selected = self._current()
        self._devices = self._monitor.devices()
        self._note_beside()
        self._rebuild(selected)
        self.devices_refreshed.emit(self.devices())

    def show_source(self, spec: SourceSpec) -> None:
        """The window's source (opening, playing, stopped or failed: what Start and Retry
        open) is ``spec``: its entry stands selected, through every refresh, until another is
        told. A camera or a screen the list does not hold (see :func:`listed_camera`), or a
        part of a screen, is listed apart while it is the source; a file, or a network camera
        not listed, selects nothing."""
        if isinstance(spec, CameraSpec):
            spec = CameraSpec(spec.index, spec.name, url=spec.url)  # a camera at any size
        elif isinstance(spec, ScreenSpec):
            spec = ScreenSpec(spec.monitor, spec.region)  # not the window's area it blanks
        if spec != self._source:
            self._beside = set()  # what was listed beside another camera says nothing of this one
        self._source = spec
        self._note_beside()
        self._rebuild(self._current())

    def beside(self, name: str, index: int) -> frozenset[int]:
        """The indices at which other cameras named ``name`` were listed beside the window's
        source, the camera ``name`` at ``index``, while it was listed, and are listed still
        (none for any other camera). Two webcams of one model differ by their index alone:
        once the one chosen is gone, one of these left is the other, not it plugged back in
        under a new index."""
        source = self._source
        if isinstance(source, CameraSpec) and not source.url and (source.name, source.index) == (name, index):
            return frozenset(self._beside)
        return frozenset()

    def _note_beside(self) -> None:
        source = self._source
        if not isinstance(source, CameraSpec) or source.url:
            return
        alike = {device.index for device in namesakes(self._devices, source.name)}
        # One that left the list is not known to be the other when its index is listed
        # again: the system gives a freed number to whichever camera comes next, the one chosen too.
        self._beside &= alike
        if source.index in alike:
            self._beside |= alike - {source.index}

    def set_network_cameras(self, urls: list[str]) -> None:
        """List these stream URLs after the devices; ones that are no camera stream (a
        settings file edited by hand) are left out."""
        kept: list[str] = []
        for url in urls:
            try:
                kept.append(check_stream_url(url))
            except ValueError:
                continue
        selected = self._current()
        self._urls = list(dict.fromkeys(kept))
        self._rebuild(selected)

    def set_screens(self, screens: list[Screen]) -> None:
        """List these screens last (see :func:`.screen_capture.list_screens`)."""
        selected = self._current()
        self._screens = list(screens)
        self._rebuild(selected)

    def _source_entry(self) -> tuple[PickerEntry | None, CameraDevice | None, ScreenSpec | None]:
        """The entry of the window's source, if any, and that source where the list does not
        hold it: a camera, or a screen (a part of one is never listed)."""
        source = self._source
        if isinstance(source, CameraSpec) and source.url:
            return (source.url if source.url in self._urls else None), None, None
        if isinstance(source, CameraSpec):
            camera = listed_camera(self._devices, source.name, source.index, self._beside)
            if camera is not None:
                return camera, None, None
            apart = CameraDevice(source.name, source.index)
            return apart, apart, None
        if isinstance(source, ScreenSpec):
            whole = self._screens if source.region is None else []
            screen = next((screen for screen in whole if screen.monitor == source.monitor), None)
            return (screen, None, None) if screen is not None else (source, None, source)
        return None, None, None

    def _rebuild(self, previous: PickerEntry | None) -> None:
        self.blockSignals(True)  # a refresh is not the user choosing a camera
        try:
            self.clear()
            shown, camera_apart, screen_apart = self._source_entry()
            cameras = [*self._devices, *([camera_apart] if camera_apart is not None else [])]
            screens: list[Screen | ScreenSpec] = [*self._screens, *([screen_apart] if screen_apart is not None else [])]
            self._entries = [*cameras, *self._urls, *screens]
            if not self._entries:
                self.addItem(NO_CAMERA)
                self.setEnabled(False)
                return
            self.setEnabled(True)
            # Two of one name (one model twice) read alike but for their index, as messages name them.
            for device in self._devices:
                self.addItem(name_apart(device, cameras), device.index)
                self.setItemData(self.count() - 1, plain_tip(f"{device.name} — OpenCV index {device.index}"), 3)
            if camera_apart is not None:
                self.addItem(name_apart(camera_apart, cameras), camera_apart.index)
                self.setItemData(self.count() - 1, plain_tip(unlisted_tooltip(camera_apart)), 3)
            # Host and port name a phone or an IP camera; the path only tells two streams
            # of one camera apart.
            hosts = Counter(short_name(url) for url in self._urls)
            for url in self._urls:
                self.addItem(
                    self._icon(QStyle.StandardPixmap.SP_DriveNetIcon), short_name(url, hosts[short_name(url)] > 1)
                )
                self.setItemData(self.count() - 1, plain_tip(f"Network camera {redacted(url)}"), 3)
            for screen in self._screens:
                self.addItem(self._icon(QStyle.StandardPixmap.SP_ComputerIcon), screen.describe())
                self.setItemData(
                    self.count() - 1, "The faces on this screen (this window is left out of the picture)", 3
                )
            if screen_apart is not None:
                self.addItem(self._icon(QStyle.StandardPixmap.SP_ComputerIcon), screen_apart.describe(capital=True))
                self.setItemData(self.count() - 1, screen_apart_tooltip(screen_apart), 3)
            if self._source is not None:  # a file, a network camera not listed: none of them
                self.setCurrentIndex(self._entries.index(shown) if shown is not None else -1)
            elif isinstance(previous, CameraDevice) and self.select(previous.name, previous.index):
                pass
            elif previous is not None and previous in self._entries:
                self.setCurrentIndex(self._entries.index(previous))
            else:
                # No source yet: the first camera is the one Start opens; a stream or a screen
                # is opened only when chosen, so none of them stands selected by default.
                self.setCurrentIndex(0 if self._devices else -1)
        finally:
            self.blockSignals(False)

    def _icon(self, which: QStyle.StandardPixmap) -> QIcon:
        style = self.style()
        return style.standardIcon(which) if style is not None else QIcon()

    def select(self, name: str = "", index: int = -1) -> CameraDevice | None:
        """Select by exact name (first), else by OpenCV index; returns the selection."""
        device = find_camera(self._devices, name, index)
        if device is not None:
            self.setCurrentIndex(self._entries.index(device))
        return device

    def select_network_camera(self, url: str) -> bool:
        """Show the network camera at ``url`` as the source; whether it is listed."""
        self.show_source(CameraSpec(-1, url=url))
        return self.current_url() == url

    def select_screen(self, monitor: int) -> bool:
        """Show screen ``monitor`` as the source; whether it is listed."""
        self.show_source(ScreenSpec(monitor))
        return self.current_screen() is not None

    def _on_activated(self, position: int) -> None:
        entry = self._entries[position] if 0 <= position < len(self._entries) else None
        if isinstance(entry, CameraDevice):
            self.camera_chosen.emit(entry)
        elif isinstance(entry, str):
            self.network_camera_chosen.emit(entry)
        elif isinstance(entry, Screen):
            self.screen_chosen.emit(entry.monitor, None)
        elif isinstance(entry, ScreenSpec):
            self.screen_chosen.emit(entry.monitor, entry.region)


def index_name(index: int) -> str:
    """What a camera is called by its OpenCV index alone: one opened by it that the list
    does not hold, or a device node that gives no name."""
    return f"Camera {index}"


def listed_camera(
    devices: list[CameraDevice], name: str, index: int, beside: Collection[int] = ()
) -> CameraDevice | None:
    """The camera of ``devices`` that the one opened as ``name`` at OpenCV ``index`` is: the
    one of its name and index; for one opened by its index alone (named as the window names
    it, "Camera 3"), else the one listed at that index. One chosen by its name is not taken
    for another listed later at its index: the name says which camera it is, so where its
    index holds none of that name (unplugged and plugged back in, the system numbering its
    cameras anew), it is the one of that name listed first (see :func:`namesakes`), but not
    one at an index of ``beside``: those were listed beside it, so are other cameras of its
    name (see :meth:`CameraPicker.beside`). A blank ``name`` is one the system gave none
    (remembered so before such a camera was named by its index): it is named as
    :class:`CameraDevice` names it."""
    if not name.strip():
        name = index_name(index)
    exact = next((device for device in devices if (device.name, device.index) == (name, index)), None)
    if exact is not None:
        return exact
    if name != index_name(index):
        return next((device for device in devices if device.name == name and device.index not in beside), None)
    return next((device for device in devices if device.index == index), None)


def namesakes(devices: list[CameraDevice], name: str) -> list[CameraDevice]:
    """The cameras of ``devices`` named ``name``: two alike (two webcams of one model) share
    it, and only their indices tell them apart."""
    return [device for device in devices if device.name == name]


def names_apart(devices: list[CameraDevice], apart: Collection[CameraDevice] = ()) -> str:
    """The names of ``devices``, comma-separated, each with its index where another of them,
    or of ``apart`` (the camera the picker shows apart from them, gone), shares its name, as
    a Start button names one: "Logitech C920 at index 0, Integrated Webcam, Logitech C920 at
    index 2" (two of one model would read the same, as would the one left beside the one gone)."""
    among = [*devices, *apart]
    return ", ".join(name_apart(device, among) for device in devices)


def name_apart(device: CameraDevice, among: list[CameraDevice]) -> str:
    """``device``'s name, with its index where another of ``among`` (``device`` among them)
    shares it: "Logitech C920 at index 1", as the toolbar's list, File > Camera and the
    window's messages all name it."""
    return f"{device.name} at index {device.index}" if len(namesakes(among, device.name)) > 1 else device.name


def not_connected_beside(name: str, index: int, others: list[CameraDevice]) -> str:
    """Why the camera ``name`` at ``index`` is not opened where only ``others`` of its name,
    all listed beside it before, are listed (or, once they are gone too, none)."""
    if not others:
        return f"{name} at index {index} is not connected."
    if len(others) == 1:
        return (
            f"{name} at index {index} is not connected: the one at index {others[0].index} is the other "
            f"{name}, listed beside it before."
        )
    indices = ", ".join(str(other.index) for other in others)
    return (
        f"{name} at index {index} is not connected: the ones at indices {indices} are other cameras of that name, "
        "listed beside it before."
    )


def unlisted_tooltip(device: CameraDevice) -> str:
    """What a camera listed apart from the system's list is, for its tooltip."""
    how = ", opened by its number" if device.name == index_name(device.index) else ""
    return f"{device.name} — OpenCV index {device.index}{how}: not in the list"


def screen_apart_tooltip(spec: ScreenSpec) -> str:
    """What a screen listed apart from the screens is, for its tooltip."""
    if spec.region is None:
        return f"{spec.describe(capital=True)}: not in the list"
    x, y, width, height = spec.region
    return f"The part of {ScreenSpec(spec.monitor).describe()} dragged out to watch: {width}x{height} at ({x}, {y})"


def find_camera(devices: list[CameraDevice], name: str = "", index: int = -1) -> CameraDevice | None:
    """Exact name, then case-insensitive name, then name substring, then OpenCV index."""
    if name:
        for matches in (
            lambda d: d.name == name,
            lambda d: d.name.lower() == name.lower(),
            lambda d: name.lower() in d.name.lower(),
        ):
            for device in devices:
                if matches(device):
                    return device
    if index >= 0:
        for device in devices:
            if device.index == index:
                return device
    return None


def _opencv_index(device_id: str, position: int) -> int:
    # Linux ids are device paths (/dev/video2) whose number is OpenCV's index; other
    # platforms list cameras in the order their OpenCV backends number them.
    match = re.search(r"/dev/video(\d+)$", device_id)
    return int(match.group(1)) if match else position


def _trailing_number(text: str, default: int) -> int:
    match = re.search(r"(\d+)$", text)
    return int(match.group(1)) if match else default


def _read_text(path: Path, default: str) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip() or default
    except OSError:
        return default
