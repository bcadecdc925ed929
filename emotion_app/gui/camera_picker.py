"""Camera discovery (by name, with hot-plug) and the toolbar picker.

On Linux, names come from ``/sys/class/video4linux`` (the same names Qt would report);
elsewhere from Qt Multimedia's ``QMediaDevices`` when it can be imported. Frames are always
read with ``cv2.VideoCapture(index)``. Tests inject a device list instead.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from PyQt6.QtCore import QFileSystemWatcher, QLoggingCategory, QObject, QTimer, pyqtSignal
from PyQt6.QtWidgets import QComboBox, QWidget


@dataclass(frozen=True)
class CameraDevice:
    """A camera as the user knows it (name) and as OpenCV opens it (index)."""

    name: str
    index: int
    device_id: str = ""


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
            name = _read_text(node / "name", f"Camera {number}")
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
    """Cameras by name; keeps the selection across refreshes when the device stays."""

    camera_chosen = pyqtSignal(object)  # CameraDevice the user picked
    devices_refreshed = pyqtSignal(list)  # the new list of CameraDevice

    def __init__(self, monitor: CameraDeviceMonitor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._monitor = monitor
        self._devices: list[CameraDevice] = []
        self.setMinimumContentsLength(18)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setToolTip("Camera")
        monitor.devices_changed.connect(self.refresh)
        self.activated.connect(self._on_activated)
        self.refresh()

    @property
    def monitor(self) -> CameraDeviceMonitor:
        return self._monitor

    def devices(self) -> list[CameraDevice]:
        return list(self._devices)

    def current_device(self) -> CameraDevice | None:
        position = self.currentIndex()
        return self._devices[position] if 0 <= position < len(self._devices) else None

    def refresh(self) -> None:
        """Re-read the device list, keeping the current camera selected if it is still there."""
        previous = self.current_device()
        self._devices = self._monitor.devices()
        self.blockSignals(True)  # a refresh is not the user choosing a camera
        try:
            self.clear()
            if not self._devices:
                self.addItem("No camera found")
                self.setEnabled(False)
            else:
                self.setEnabled(True)
                for device in self._devices:
                    self.addItem(device.name, device.index)
                    self.setItemData(self.count() - 1, f"{device.name} — OpenCV index {device.index}", 3)
                if previous is not None:
                    self.select(previous.name, previous.index)
        finally:
            self.blockSignals(False)
        self.devices_refreshed.emit(self.devices())

    def select(self, name: str = "", index: int = -1) -> CameraDevice | None:
        """Select by exact name (first), else by OpenCV index; returns the selection."""
        device = find_camera(self._devices, name, index)
        if device is not None:
            self.setCurrentIndex(self._devices.index(device))
        return device

    def _on_activated(self, position: int) -> None:
        if 0 <= position < len(self._devices):
            self.camera_chosen.emit(self._devices[position])


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
